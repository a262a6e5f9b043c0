/** 居民身份证号码 (citizen identity number): GB 11643-1999 structure, birth date and ISO 7064 MOD 11-2 check; first-generation 15-digit numbers. @module */
import { computeResidentIdCheck } from './check-characters.js';
import {
  defaultDivisionTable,
  provinceNames,
  type Division,
  type DivisionTable,
} from './divisions.js';
import { InvalidInputError } from '../errors/index.js';
import { IssueCollector, type CheckIssue, type CheckMode } from './issues.js';

/** The parts of a 居民身份证号码. */
export interface ResidentIdParts {
  /** Positions 1-6: 地址码 (GB/T 2260 county code at first registration; abolished codes stay valid). */
  readonly region: string;
  readonly regionDivision?: Division;
  readonly provinceName?: string;
  /** Positions 7-14: 出生日期码 as YYYY-MM-DD. */
  readonly birthDate: string;
  /** Positions 15-17: 顺序码. */
  readonly sequence: string;
  /** Odd 顺序码 = male, even = female (GB 11643 §6.3). */
  readonly sex: 'male' | 'female';
  /** Position 18 (absent in a 15-digit number). */
  readonly checkCharacter?: string;
  /** 15 for a first-generation number. */
  readonly length: 15 | 18;
}

/** Result of `checkResidentId`. */
export interface ResidentIdReport {
  readonly kind: 'resident-id';
  readonly valid: boolean;
  readonly input: string;
  /** Trimmed input with `x` upper-cased; a 15-digit number upgraded to 18 digits in lenient mode. */
  readonly normalised: string;
  readonly parts?: ResidentIdParts;
  readonly errors: readonly CheckIssue[];
  readonly warnings: readonly CheckIssue[];
}

/** Options of `checkResidentId`. */
export interface ResidentIdCheckOptions {
  /** `strict` (default) or `lenient` (15-digit numbers, lower-case x and a wrong check character become warnings). */
  readonly mode?: CheckMode;
  /** Division table for the 地址码 (default: `defaultDivisionTable()`). */
  readonly divisions?: DivisionTable;
  /** The time a birth date must not be after (default: now). */
  readonly now?: Date;
}

/** Earliest birth date accepted; GB 11643's own example 440524188001010014 is born in 1880. */
const EARLIEST_BIRTH = '1850-01-01';

function isValidDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [
    31,
    (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ];
  return d <= days[m - 1]!;
}

/** Today's date in China (UTC+8, no daylight saving since 1991) as YYYY-MM-DD. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/**
 * Checks a 居民身份证号码 (GB 11643-1999): 17 digits and a MOD 11-2 check character (0-9 or X),
 * a real birth date not in the future, and a 地址码 whose province exists. A 地址码 missing from the
 * division table is only a warning: abolished codes (e.g. 440524 in the standard's own example)
 * remain valid in numbers issued before. Never throws.
 */
export function checkResidentId(
  input: string,
  options: ResidentIdCheckOptions = {},
): ResidentIdReport {
  const mode = options.mode ?? 'strict';
  const issues = new IssueCollector(mode);
  const trimmed = input.trim();
  let normalised = trimmed.toUpperCase();
  const done = (parts?: ResidentIdParts): ResidentIdReport => ({
    kind: 'resident-id',
    valid: issues.ok,
    input,
    normalised,
    ...(parts === undefined ? {} : { parts }),
    errors: issues.errors,
    warnings: issues.warnings,
  });
  const is18 = /^\d{17}[\dX]$/.test(normalised);
  const is15 = /^\d{15}$/.test(normalised);
  if (!is18 && !is15) {
    issues.error({
      code: 'ERR_RESIDENT_ID_FORMAT',
      message: `A 居民身份证号码 has 17 digits and a check character 0-9 or X (or 15 digits, first generation); got '${trimmed}'`,
    });
    return done();
  }
  if (trimmed !== normalised) {
    issues.tolerable({
      code: 'ERR_RESIDENT_ID_CASE',
      message: 'The check character X is written in upper case (GB 11643 §5)',
      position: 18,
    });
  }
  if (is15) {
    issues.tolerable({
      code: 'ERR_RESIDENT_ID_15_DIGITS',
      message:
        'A first-generation 15-digit number (GB 11643-1989); current numbers have 18 characters',
    });
  }
  const region = normalised.slice(0, 6);
  const birth = is18 ? normalised.slice(6, 14) : `19${normalised.slice(6, 12)}`;
  const sequence = is18 ? normalised.slice(14, 17) : normalised.slice(12, 15);
  const y = Number(birth.slice(0, 4));
  const m = Number(birth.slice(4, 6));
  const d = Number(birth.slice(6, 8));
  const birthDate = `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`;
  if (!isValidDate(y, m, d)) {
    issues.error({
      code: 'ERR_RESIDENT_ID_BIRTH_DATE',
      message: `Positions 7-14 (${birth}) are not a calendar date`,
      position: 7,
    });
  } else if (birthDate < EARLIEST_BIRTH || birthDate > chinaDate(options.now ?? new Date())) {
    issues.error({
      code: 'ERR_RESIDENT_ID_BIRTH_DATE',
      message: `Birth date ${birthDate} is ${birthDate < EARLIEST_BIRTH ? `before ${EARLIEST_BIRTH}` : 'in the future'}`,
      position: 7,
    });
  }
  let checkCharacter: string | undefined;
  if (is18) {
    checkCharacter = normalised[17]!;
    const expected = computeResidentIdCheck(normalised.slice(0, 17))!;
    if (expected !== checkCharacter) {
      issues.tolerable({
        code: 'ERR_RESIDENT_ID_CHECK_CHAR',
        message: `Check character is '${checkCharacter}', GB 11643 computes '${expected}'`,
        position: 18,
        expected,
      });
    }
  } else if (mode === 'lenient') {
    normalised = upgradeResidentId15(normalised);
  }
  const provinceName = region.startsWith('83')
    ? '台湾居民居住证'
    : provinceNames[region.slice(0, 2)];
  const table = options.divisions ?? defaultDivisionTable();
  const division = table.lookup(region);
  if (provinceName === undefined) {
    issues.tolerable({
      code: 'ERR_RESIDENT_ID_REGION',
      message: `地址码 ${region}: no province ${region.slice(0, 2)} in GB/T 2260`,
      position: 1,
    });
  } else if (division === undefined && !region.endsWith('0000')) {
    issues.warn({
      code: 'ERR_RESIDENT_ID_REGION_UNKNOWN',
      message: `地址码 ${region} is not in the GB/T 2260 table (${table.date}, history from ${table.historyFrom}); it may be a code abolished earlier`,
      position: 1,
    });
  }
  return done({
    region,
    ...(division === undefined ? {} : { regionDivision: division }),
    ...(provinceName === undefined ? {} : { provinceName }),
    birthDate,
    sequence,
    sex: Number(sequence) % 2 === 1 ? 'male' : 'female',
    ...(checkCharacter === undefined ? {} : { checkCharacter }),
    length: is18 ? 18 : 15,
  });
}

/**
 * The 18-character form of a first-generation 15-digit number: century 19 inserted before the
 * birth year and the MOD 11-2 check character appended (GB 11643-1999 §8).
 * @throws {InvalidInputError} ERR_INVALID_INPUT when `id15` is not 15 digits
 */
export function upgradeResidentId15(id15: string): string {
  if (!/^\d{15}$/.test(id15))
    throw new InvalidInputError('A first-generation number has 15 digits', { field: 'id15' });
  const body = `${id15.slice(0, 6)}19${id15.slice(6)}`;
  return body + computeResidentIdCheck(body)!;
}

/** True when `input` is a valid 18-character 居民身份证号码 in strict mode. */
export function isValidResidentId(
  input: string,
  options: Omit<ResidentIdCheckOptions, 'mode'> = {},
): boolean {
  return checkResidentId(input, options).valid;
}

/**
 * A masked number for logs and public answers: the first `head` (default 6) and last `tail`
 * (default 2) characters kept, the rest starred (never log the full number). Codes too short to
 * keep anything are starred entirely.
 */
export function maskResidentId(
  id: string,
  options: { readonly head?: number; readonly tail?: number } = {},
): string {
  const head = options.head ?? 6;
  const tail = options.tail ?? 2;
  return id.length <= head + tail
    ? '*'.repeat(id.length)
    : `${id.slice(0, head)}${'*'.repeat(id.length - head - tail)}${tail === 0 ? '' : id.slice(-tail)}`;
}

/**
 * A masked personal or organisation name for public answers (张*明, 李*, 欧**华): the first
 * character, and for three or more characters the last one, kept; the rest starred. Names of
 * more than eight characters (organisations) keep their first and last two characters.
 */
export function maskHolderName(name: string): string {
  const chars = Array.from(name.trim());
  const n = chars.length;
  if (n <= 1) return '*'.repeat(n);
  if (n === 2) return `${chars[0]!}*`;
  if (n > 8) return `${chars.slice(0, 2).join('')}${'*'.repeat(n - 4)}${chars.slice(-2).join('')}`;
  return `${chars[0]!}${'*'.repeat(n - 2)}${chars[n - 1]!}`;
}
