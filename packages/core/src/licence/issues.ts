/** Issues (errors and warnings) that code checks and data validation report, with strict and lenient modes. @module */
import { describeErrorCode } from '../errors/index.js';

/**
 * How strictly to check: `strict` (the default) makes every problem an error; `lenient`, meant for
 * legacy data, turns the problems real-world data is known to have into warnings.
 */
export type CheckMode = 'strict' | 'lenient';

/** One problem found in an input. */
export interface CheckIssue {
  /** Stable code, e.g. `ERR_USCC_CHECK_CHAR`. */
  readonly code: string;
  /** What is wrong, in English, with the values involved. */
  readonly message: string;
  /** The JSON path or name of the offending field, when the input is structured. */
  readonly path?: string;
  /** 1-based character position in a code, when one character is at fault. */
  readonly position?: number;
  /** The value that was expected (e.g. the computed check character). */
  readonly expected?: string;
}

/** Collects issues, routing tolerable ones to warnings in lenient mode. */
export class IssueCollector {
  readonly errors: CheckIssue[] = [];
  readonly warnings: CheckIssue[] = [];

  constructor(readonly mode: CheckMode) {}

  /** An error in every mode. */
  error(issue: CheckIssue): void {
    this.errors.push(issue);
  }

  /** An error in strict mode, a warning in lenient mode (a problem legacy data is known to have). */
  tolerable(issue: CheckIssue): void {
    (this.mode === 'lenient' ? this.warnings : this.errors).push(issue);
  }

  /** A warning in every mode. */
  warn(issue: CheckIssue): void {
    this.warnings.push(issue);
  }

  /** Copies another collector's issues, prefixing their paths. */
  merge(
    other: { errors: readonly CheckIssue[]; warnings: readonly CheckIssue[] },
    path?: string,
  ): void {
    const withPath = (i: CheckIssue): CheckIssue =>
      path === undefined ? i : { ...i, path: i.path === undefined ? path : `${path}.${i.path}` };
    this.errors.push(...other.errors.map(withPath));
    this.warnings.push(...other.warnings.map(withPath));
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }
}

/** The Chinese text of an issue's code, for CLI output and web pages. */
export function describeIssue(issue: CheckIssue, lang: 'en' | 'zh' = 'en'): string {
  const text = describeErrorCode(issue.code, lang);
  return lang === 'en' || text === undefined ? issue.message : `${text}: ${issue.message}`;
}
