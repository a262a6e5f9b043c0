/** One entry point for `govtrust id check`: recognises a licence identifier, licence type code, USCC, 居民身份证号码 or division code and checks it. @module */
import {
  defaultDivisionTable,
  provinceNames,
  type Division,
  type DivisionTable,
} from './divisions.js';
import { checkLicenceId, checkLicenceTypeCode, type LicenceIdReport } from './identifier.js';
import { IssueCollector, type CheckIssue, type CheckMode } from './issues.js';
import { checkResidentId, type ResidentIdReport } from './resident-id.js';
import { checkUscc, type UsccReport } from './uscc.js';

/** Result of checking a GB/T 2260 division code. */
export interface DivisionReport {
  readonly kind: 'division';
  readonly valid: boolean;
  readonly input: string;
  readonly normalised: string;
  readonly parts?: { readonly division?: Division; readonly provinceName?: string };
  readonly errors: readonly CheckIssue[];
  readonly warnings: readonly CheckIssue[];
}

/** Result of checking a 21-character 证照类型代码. */
export interface LicenceTypeCodeReport {
  readonly kind: 'licence-type-code';
  readonly valid: boolean;
  readonly input: string;
  readonly normalised: string;
  readonly parts?: { readonly definerCode: string; readonly sequence: string };
  readonly errors: readonly CheckIssue[];
  readonly warnings: readonly CheckIssue[];
}

/** An input that looks like none of the codes. */
export interface UnrecognisedCodeReport {
  readonly kind: 'unknown';
  readonly valid: false;
  readonly input: string;
  readonly normalised: string;
  readonly errors: readonly CheckIssue[];
  readonly warnings: readonly CheckIssue[];
}

/** What `checkCode` found. */
export type CodeReport = (
  | LicenceIdReport
  | LicenceTypeCodeReport
  | UsccReport
  | ResidentIdReport
  | DivisionReport
  | UnrecognisedCodeReport
) & {
  /** Other readings of an ambiguous input (an 18-digit string can be a USCC or an ID number). */
  readonly alternatives?: readonly (UsccReport | ResidentIdReport)[];
};

/** Options of `checkCode`. */
export interface CodeCheckOptions {
  readonly mode?: CheckMode;
  readonly divisions?: DivisionTable;
  /** For ID numbers: a birth date must not be after this (default: now). */
  readonly now?: Date;
}

/** Checks a 6-digit GB/T 2260 division code against the table. Never throws. */
export function checkDivisionCode(
  input: string,
  options: Omit<CodeCheckOptions, 'now'> = {},
): DivisionReport {
  const issues = new IssueCollector(options.mode ?? 'strict');
  const normalised = input.trim();
  if (!/^\d{6}$/.test(normalised)) {
    issues.error({
      code: 'ERR_DIVISION_UNKNOWN',
      message: `A division code has 6 digits, got '${normalised}'`,
    });
    return {
      kind: 'division',
      valid: false,
      input,
      normalised,
      errors: issues.errors,
      warnings: issues.warnings,
    };
  }
  const table = options.divisions ?? defaultDivisionTable();
  const division = table.lookup(normalised);
  const provinceName = provinceNames[normalised.slice(0, 2)];
  if (division === undefined) {
    issues.tolerable({
      code: 'ERR_DIVISION_UNKNOWN',
      message:
        provinceName === undefined
          ? `No province ${normalised.slice(0, 2)} in GB/T 2260`
          : `${normalised} is not in the GB/T 2260 table (${table.date}, history from ${table.historyFrom})`,
    });
  } else if (!division.current) {
    issues.warn({
      code: 'ERR_DIVISION_UNKNOWN',
      message: `${normalised} (${division.name}) is a historical code, last listed ${division.seen.to}`,
    });
  }
  return {
    kind: 'division',
    valid: issues.ok,
    input,
    normalised,
    parts: {
      ...(division === undefined ? {} : { division }),
      ...(provinceName === undefined ? {} : { provinceName }),
    },
    errors: issues.errors,
    warnings: issues.warnings,
  };
}

/**
 * Recognises and checks a code: a licence identifier (has dots), a 21-character licence type
 * code, an 18-character USCC or 居民身份证号码 (an all-digit one is tried both ways), a 15-digit
 * first-generation ID number, or a 6-digit division code. Never throws.
 */
export function checkCode(input: string, options: CodeCheckOptions = {}): CodeReport {
  const s = input.trim();
  const common = {
    ...(options.mode === undefined ? {} : { mode: options.mode }),
    ...(options.divisions === undefined ? {} : { divisions: options.divisions }),
  };
  if (s.includes('.')) return checkLicenceId(input, common);
  if (/^\d{6}$/.test(s)) return checkDivisionCode(input, common);
  if (/^\d{15}$/.test(s)) {
    return checkResidentId(input, {
      ...common,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }
  if (s.length === 21) {
    const r = checkLicenceTypeCode(s.toUpperCase(), common);
    return {
      kind: 'licence-type-code',
      valid: r.valid,
      input,
      normalised: s.toUpperCase(),
      ...(r.errors.some((e) => e.code === 'ERR_LICENCE_ID_TYPE_CODE')
        ? {}
        : { parts: { definerCode: s.slice(0, 18).toUpperCase(), sequence: s.slice(18) } }),
      errors: r.errors,
      warnings: r.warnings,
    };
  }
  if (/^\d{17}[\dXx]$/.test(s)) {
    const id = checkResidentId(input, {
      ...common,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    const uscc = checkUscc(input, common);
    if (id.valid) return uscc.valid ? { ...id, alternatives: [uscc] } : id;
    if (uscc.valid) return uscc;
    // Neither: prefer the reading whose structure fits (a real birth date and province).
    const idShaped = !id.errors.some(
      (e) => e.code === 'ERR_RESIDENT_ID_BIRTH_DATE' || e.code === 'ERR_RESIDENT_ID_REGION',
    );
    return idShaped ? { ...id, alternatives: [uscc] } : { ...uscc, alternatives: [id] };
  }
  if (/^[0-9A-Za-z]{16,20}$/.test(s)) return checkUscc(input, common);
  return {
    kind: 'unknown',
    valid: false,
    input,
    normalised: s,
    errors: [
      {
        code: 'ERR_CODE_UNRECOGNISED',
        message:
          'Not a licence identifier (1.2.156.3005.2.…), 21-character licence type code, 18-character USCC or ID number, 15-digit ID number or 6-digit division code',
      },
    ],
    warnings: [],
  };
}
