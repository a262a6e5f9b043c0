/**
 * 电子证照标识 (licence identifier, GB/T 36904): `1.2.156.3005.2.<type code 21>.<issuer USCC 18>.
 * <serial>.<version 3>.<check>` with the ISO/IEC 7064 MOD 37,36 check character.
 * @module
 */
import { randomInt } from 'node:crypto';
import { LicenceIdError } from '../errors/index.js';
import { computeMod3736 } from './check-characters.js';
import type { DivisionTable } from './divisions.js';
import { IssueCollector, type CheckIssue, type CheckMode } from './issues.js';
import { checkUscc } from './uscc.js';

/** 电子证照根代码, the fixed prefix of every identifier. */
export const LICENCE_ID_ROOT = '1.2.156.3005.2';

/** Identifiers are stored as varchar(128) in national-style schemas. */
export const LICENCE_ID_MAX_LENGTH = 128;

/** The segments of a licence identifier. */
export interface LicenceIdParts {
  /** 证照类型代码: the defining authority's USCC (18) + a 3-digit sequence. */
  readonly typeCode: string;
  /** 证照颁发机构代码: the issuer's USCC (18). */
  readonly issuerCode: string;
  /** 流水号: issuer-defined, [0-9A-Z]+. */
  readonly serial: string;
  /** 版本号: 1 at first issue, +1 at each change or re-issue. */
  readonly version: number;
}

/** A parsed identifier. */
export interface ParsedLicenceId extends LicenceIdParts {
  /** The identifier in canonical (upper-case) form. */
  readonly identifier: string;
  /** 证照定义机构代码: the first 18 characters of the type code. */
  readonly definerCode: string;
  /** The definer's 3-digit sequence of this licence type. */
  readonly typeSequence: string;
  /** The version as written (3 digits). */
  readonly versionText: string;
  readonly checkCharacter: string;
  /** type + issuer + serial + version, dots removed: what the check character covers. */
  readonly body: string;
}

/** Result of `checkLicenceId`. */
export interface LicenceIdReport {
  readonly kind: 'licence-id';
  readonly valid: boolean;
  readonly input: string;
  readonly normalised: string;
  readonly parts?: ParsedLicenceId;
  readonly errors: readonly CheckIssue[];
  readonly warnings: readonly CheckIssue[];
}

/** Options of `checkLicenceId` and `parseLicenceId`. */
export interface LicenceIdCheckOptions {
  /**
   * `strict` (default) or `lenient`: lenient accepts, with warnings, a wrong check character
   * (identifiers minted by a widely copied faulty implementation), a 6-digit issuer code, lower
   * case, and definer/issuer USCCs that fail their own checks.
   */
  readonly mode?: CheckMode;
  /**
   * Division table for the embedded USCCs (default: `defaultDivisionTable()`). A county code the
   * table does not know is a warning inside an identifier (the table is dated); an impossible
   * province is an error.
   */
  readonly divisions?: DivisionTable;
}

const TYPE_CODE = /^[0-9A-HJ-NPQRTUWXY]{18}\d{3}$/;
const SERIAL = /^[0-9A-Z]+$/;

/** Checks the 21-character 证照类型代码 (definer USCC + 3 digits); issues carry path `typeCode`. */
export function checkLicenceTypeCode(
  typeCode: string,
  options: LicenceIdCheckOptions = {},
): { valid: boolean; errors: readonly CheckIssue[]; warnings: readonly CheckIssue[] } {
  const issues = new IssueCollector(options.mode ?? 'strict');
  checkTypeCodeInto(typeCode, issues, options);
  return { valid: issues.ok, errors: issues.errors, warnings: issues.warnings };
}

function checkTypeCodeInto(
  typeCode: string,
  issues: IssueCollector,
  options: LicenceIdCheckOptions,
): void {
  if (!TYPE_CODE.test(typeCode)) {
    issues.error({
      code: 'ERR_LICENCE_ID_TYPE_CODE',
      message: `证照类型代码 '${typeCode}' is not 18 USCC characters followed by 3 digits`,
      path: 'typeCode',
    });
    return;
  }
  const definer = checkUscc(typeCode.slice(0, 18), { ...options, unknownRegion: 'warning' });
  issues.merge({ errors: definer.errors, warnings: definer.warnings }, 'typeCode');
}

/**
 * Checks a licence identifier against GB/T 36904 and reports every problem (never throws): the
 * root, the five segments, the embedded definer and issuer USCCs, and the MOD 37,36 check
 * character (`ERR_LICENCE_ID_CHECK_CHAR`, reported apart from format problems).
 */
export function checkLicenceId(
  input: string,
  options: LicenceIdCheckOptions = {},
): LicenceIdReport {
  const issues = new IssueCollector(options.mode ?? 'strict');
  const trimmed = input.trim();
  const normalised = trimmed.toUpperCase();
  const done = (parts?: ParsedLicenceId): LicenceIdReport => ({
    kind: 'licence-id',
    valid: issues.ok,
    input,
    normalised,
    ...(parts === undefined ? {} : { parts }),
    errors: issues.errors,
    warnings: issues.warnings,
  });
  if (normalised.length > LICENCE_ID_MAX_LENGTH) {
    issues.error({
      code: 'ERR_LICENCE_ID_FORMAT',
      message: `An identifier has at most ${LICENCE_ID_MAX_LENGTH} characters, got ${normalised.length}`,
    });
    return done();
  }
  const segments = normalised.split('.');
  const root = segments.slice(0, 5).join('.');
  if (root !== LICENCE_ID_ROOT) {
    issues.error({
      code: 'ERR_LICENCE_ID_ROOT',
      message: `An identifier starts with the root ${LICENCE_ID_ROOT}, got '${root}'`,
    });
    return done();
  }
  if (segments.length !== 10) {
    issues.error({
      code: 'ERR_LICENCE_ID_FORMAT',
      message: `After the root an identifier has 5 dot-separated segments (type.issuer.serial.version.check), got ${segments.length - 5}`,
    });
    return done();
  }
  if (normalised !== trimmed) {
    issues.tolerable({ code: 'ERR_LICENCE_ID_CASE', message: 'Identifiers are upper case only' });
  }
  const [typeCode, issuerCode, serial, versionText, check] = segments.slice(5) as [
    string,
    string,
    string,
    string,
    string,
  ];
  checkTypeCodeInto(typeCode, issues, options);
  if (/^\d{6}$/.test(issuerCode)) {
    issues.tolerable({
      code: 'ERR_LICENCE_ID_ISSUER_CODE',
      message: `证照颁发机构代码 '${issuerCode}' is a 6-digit area code, not the issuer's 18-character USCC`,
      path: 'issuerCode',
    });
  } else if (issuerCode.length !== 18) {
    issues.error({
      code: 'ERR_LICENCE_ID_ISSUER_CODE',
      message: `证照颁发机构代码 '${issuerCode}' is not an 18-character 统一社会信用代码`,
      path: 'issuerCode',
    });
  } else {
    const issuer = checkUscc(issuerCode, { ...options, unknownRegion: 'warning' });
    issues.merge({ errors: issuer.errors, warnings: issuer.warnings }, 'issuerCode');
  }
  if (!SERIAL.test(serial)) {
    issues.error({
      code: 'ERR_LICENCE_ID_SERIAL',
      message: `流水号 '${serial}' is not one or more of 0-9A-Z`,
      path: 'serial',
    });
  }
  if (!/^\d{3}$/.test(versionText) || versionText === '000') {
    issues.error({
      code: 'ERR_LICENCE_ID_VERSION',
      message: `版本号 '${versionText}' is not 3 digits from 001`,
      path: 'version',
    });
  }
  if (!/^[0-9A-Z]$/.test(check)) {
    issues.error({
      code: 'ERR_LICENCE_ID_FORMAT',
      message: `The check character '${check}' is not one of 0-9A-Z`,
      path: 'check',
    });
    return done();
  }
  const body = typeCode + issuerCode + serial + versionText;
  const expected = computeMod3736(body);
  if (expected === undefined) {
    // A character outside 0-9A-Z was already reported against its segment.
    return done();
  }
  if (expected !== check) {
    issues.tolerable({
      code: 'ERR_LICENCE_ID_CHECK_CHAR',
      message: `Check character is '${check}', ISO/IEC 7064 MOD 37,36 computes '${expected}'`,
      path: 'check',
      expected,
    });
  }
  const versionNumber = Number(versionText);
  return done({
    identifier: normalised,
    typeCode,
    definerCode: typeCode.slice(0, 18),
    typeSequence: typeCode.slice(18),
    issuerCode,
    serial,
    version: Number.isInteger(versionNumber) ? versionNumber : 0,
    versionText,
    checkCharacter: check,
    body,
  });
}

/**
 * Parses a licence identifier.
 * @throws {LicenceIdError} the code of the first problem (`ERR_LICENCE_ID_ROOT`, `ERR_LICENCE_ID_FORMAT`,
 *   `ERR_LICENCE_ID_TYPE_CODE`, `ERR_LICENCE_ID_ISSUER_CODE`, `ERR_LICENCE_ID_SERIAL`,
 *   `ERR_LICENCE_ID_VERSION`, `ERR_LICENCE_ID_CHECK_CHAR`, `ERR_LICENCE_ID_CASE`, `ERR_USCC_*`), with every issue
 */
export function parseLicenceId(
  input: string,
  options: LicenceIdCheckOptions = {},
): ParsedLicenceId {
  const report = checkLicenceId(input, options);
  if (!report.valid || report.parts === undefined) {
    const first = report.errors[0] ?? {
      code: 'ERR_LICENCE_ID_FORMAT',
      message: 'Malformed identifier',
    };
    throw new LicenceIdError(first.code, `Invalid licence identifier: ${first.message}`, {
      identifier: input,
      issues: report.errors,
    });
  }
  return report.parts;
}

/**
 * Formats an identifier from its parts and computes its check character.
 * @throws {LicenceIdError} `ERR_LICENCE_ID_TYPE_CODE`, `ERR_LICENCE_ID_ISSUER_CODE`, `ERR_LICENCE_ID_SERIAL`,
 *   `ERR_LICENCE_ID_VERSION` or an `ERR_USCC_*` code for a part that is not valid (strict mode by default)
 */
export function formatLicenceId(
  parts: LicenceIdParts,
  options: LicenceIdCheckOptions = {},
): string {
  if (!Number.isInteger(parts.version) || parts.version < 1 || parts.version > 999) {
    throw new LicenceIdError(
      'ERR_LICENCE_ID_VERSION',
      `版本号 must be 1-999, got ${parts.version}`,
      {
        issues: [],
      },
    );
  }
  const versionText = String(parts.version).padStart(3, '0');
  const body = parts.typeCode + parts.issuerCode + parts.serial + versionText;
  const check = computeMod3736(body) ?? '0';
  const identifier = [
    LICENCE_ID_ROOT,
    parts.typeCode,
    parts.issuerCode,
    parts.serial,
    versionText,
    check,
  ].join('.');
  // Validate the whole result so a bad part is reported with the same codes as parsing would.
  return parseLicenceId(identifier, options).identifier;
}

/** Alphabet of generated serials: digits and upper-case letters (GB/T 36904 流水号). */
const SERIAL_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * A random 流水号 of `length` (default 20) digits and upper-case letters, as the Hubei guide
 * prescribes ("随机 20 位数字和大写字母的组合"); 20 characters carry 103 bits of randomness.
 * @throws {LicenceIdError} ERR_LICENCE_ID_SERIAL for a length outside 8-64
 */
export function generateLicenceSerial(length = 20): string {
  if (!Number.isInteger(length) || length < 8 || length > 64) {
    throw new LicenceIdError('ERR_LICENCE_ID_SERIAL', 'A generated serial has 8-64 characters', {
      issues: [],
    });
  }
  let out = '';
  for (let i = 0; i < length; i++) out += SERIAL_ALPHABET.charAt(randomInt(36));
  return out;
}

/**
 * The identifier of the next version (版本号 + 1, new check character): the identifier a change or
 * re-issue gets while the old one becomes superseded.
 * @throws {LicenceIdError} as `parseLicenceId`, or `ERR_LICENCE_ID_VERSION` after version 999
 */
export function nextLicenceVersion(
  identifier: string,
  options: LicenceIdCheckOptions = {},
): string {
  const p = parseLicenceId(identifier, options);
  return formatLicenceId({ ...p, version: p.version + 1 }, options);
}

/** The identifier without version and check character: the same for every version of one licence. */
export function licenceLineage(identifier: string): string {
  return identifier.trim().toUpperCase().split('.').slice(0, 8).join('.');
}
