/**
 * Licence data (电子证照数据): the GB/T 36903 metadata as JSON (identifier, type, 证照编号, holder,
 * issuer, dates, validity, face fields, status pointer), its validation against the licence type,
 * its canonical form (RFC 8785) for signing, and the GB/T 36903 element codes.
 * @module
 */
import { z } from 'zod';
import { LicenceDataError, LicenceTypeError } from '../errors/index.js';
import { canonicalJsonBytes, canonicalizeJson } from '../internal/canonical-json.js';
import { checkDivisionCode } from './check-code.js';
import type { DivisionTable } from './divisions.js';
import {
  checkLicenceId,
  formatLicenceId,
  generateLicenceSerial,
  licenceLineage,
} from './identifier.js';
import { IssueCollector, type CheckIssue, type CheckMode } from './issues.js';
import { holderCodeTypeNames, type LicenceFieldSpec, type LicenceType } from './licence-type.js';
import { checkResidentId } from './resident-id.js';
import { checkUscc } from './uscc.js';

/** Format marker of GovTrust licence data. */
export const LICENCE_DATA_FORMAT = 'govtrust-licence/1';

/** 持证主体 with its code. */
export interface LicenceHolder {
  /** 持证主体 (CZZT): a person's or an organisation's name. */
  readonly name: string;
  /** 持证主体代码 (CZZTDM): ID number, USCC, … */
  readonly code: string;
  /** 持证主体代码类型 (CZZTDMLX), e.g. 公民身份号码. */
  readonly codeType: string;
  /** 持证主体代码类型代码 (CZZTDMLXDM), e.g. 111. */
  readonly codeTypeCode: string;
}

/** 证照颁发机构 with its USCC. */
export interface LicenceIssuer {
  readonly name: string;
  readonly code: string;
}

/** A W3C Bitstring Status List entry (credentialStatus) pointing at the licence's bit. */
export interface StatusListEntry {
  readonly type: 'BitstringStatusListEntry';
  readonly id: string;
  readonly statusPurpose: 'revocation' | 'suspension';
  /** Base-10 index. */
  readonly statusListIndex: string;
  /** URL of the status list credential. */
  readonly statusListCredential: string;
}

/** A face field value. */
export type LicenceFieldValue = string | number | boolean;

/** Licence data: what the issuer signs. Dates are YYYY-MM-DD (China time). */
export interface LicenceData {
  readonly format: typeof LICENCE_DATA_FORMAT;
  /** 证照标识 (ZZBS), GB/T 36904. */
  readonly identifier: string;
  /** 证照类型代码 (ZZLXDM). */
  readonly typeCode: string;
  /** 证照名称 (ZZMC). */
  readonly name: string;
  /** 证照编号 (ZZBH): the number printed on the face. */
  readonly number: string;
  readonly holder: LicenceHolder;
  readonly issuer: LicenceIssuer;
  /** 证照颁发日期 (ZZBFRQ). */
  readonly issueDate: string;
  /** 证照有效期起始日期 (ZZYXQQSRQ). */
  readonly validFrom: string;
  /** 证照有效期截止日期 (ZZYXQJZRQ); `null` for 长期. */
  readonly validUntil: string | null;
  /** 证照所属管辖属地编码 (GB/T 2260). */
  readonly areaCode?: string;
  /** 照面元素 by the type's field keys. */
  readonly fields: Readonly<Record<string, LicenceFieldValue>>;
  /** Where verifiers find the status: revocation and suspension list entries. */
  readonly status?: readonly StatusListEntry[];
  /** The identifier of the version this one supersedes (变更/换发). */
  readonly previousVersion?: string;
  /** 关联事项. */
  readonly relatedItem?: { readonly name: string; readonly code?: string };
}

/** Where validation finds licence types. */
export type LicenceTypeSource =
  | ReadonlyMap<string, LicenceType>
  | readonly LicenceType[]
  | ((typeCode: string) => LicenceType | undefined);

function resolveType(source: LicenceTypeSource, typeCode: string): LicenceType | undefined {
  if (typeof source === 'function') return source(typeCode);
  if (Array.isArray(source))
    return (source as readonly LicenceType[]).find((t) => t.typeCode === typeCode);
  return (source as ReadonlyMap<string, LicenceType>).get(typeCode);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const str = (max: number) => z.string().min(1).max(max);

const dataSchema = z.strictObject({
  format: z.literal(LICENCE_DATA_FORMAT),
  identifier: str(128),
  typeCode: str(64),
  name: str(512),
  number: str(128),
  holder: z.strictObject({
    name: str(512),
    code: str(128),
    codeType: str(128),
    codeTypeCode: str(8),
  }),
  issuer: z.strictObject({ name: str(512), code: str(32) }),
  issueDate: z.string(),
  validFrom: z.string(),
  validUntil: z.string().nullable(),
  areaCode: z.string().optional(),
  fields: z.record(z.string(), z.union([z.string().max(10_000), z.number(), z.boolean()])),
  status: z
    .array(
      z.strictObject({
        type: z.literal('BitstringStatusListEntry'),
        id: str(2048),
        statusPurpose: z.enum(['revocation', 'suspension']),
        statusListIndex: z.string().regex(/^(0|[1-9]\d{0,15})$/, 'a base-10 integer'),
        statusListCredential: str(2048),
      }),
    )
    .max(4)
    .optional(),
  previousVersion: str(128).optional(),
  relatedItem: z.strictObject({ name: str(512), code: str(128).optional() }).optional(),
});

/** Number of Unicode code points (what a face shows as characters, near enough). */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
    n++;
  }
  return n;
}

/** True when `s` is a calendar date YYYY-MM-DD. */
export function isCalendarDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** `date` plus `years` years, as YYYY-MM-DD (29 February becomes 28 February in a common year). */
export function addYears(date: string, years: number): string {
  const y = Number(date.slice(0, 4)) + years;
  const md = date.slice(5);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return `${String(y).padStart(4, '0')}-${md === '02-29' && !leap ? '02-28' : md}`;
}

/** Options of `validateLicenceData`. */
export interface LicenceDataOptions {
  readonly types: LicenceTypeSource;
  /** `strict` (default) or `lenient` (legacy holder codes and unknown fields become warnings). */
  readonly mode?: CheckMode;
  readonly divisions?: DivisionTable;
  /** For ID numbers: a birth date must not be after this (default: now). */
  readonly now?: Date;
}

/** Result of `validateLicenceData`. */
export interface LicenceDataReport {
  readonly valid: boolean;
  /** The data, when its structure is right (even if other checks failed). */
  readonly data?: LicenceData;
  readonly type?: LicenceType;
  readonly errors: readonly CheckIssue[];
  readonly warnings: readonly CheckIssue[];
}

function checkField(
  spec: LicenceFieldSpec,
  value: LicenceFieldValue,
  issues: IssueCollector,
  options: LicenceDataOptions,
): void {
  const path = `fields.${spec.key}`;
  const invalid = (message: string): void => {
    issues.error({
      code: 'ERR_LICENCE_FIELD_INVALID',
      message: `${spec.label} (${spec.key}): ${message}`,
      path,
    });
  };
  const common = {
    ...(options.mode === undefined ? {} : { mode: options.mode }),
    ...(options.divisions === undefined ? {} : { divisions: options.divisions }),
  };
  switch (spec.type) {
    case 'integer':
    case 'decimal':
      if (typeof value !== 'number' || (spec.type === 'integer' && !Number.isInteger(value))) {
        invalid(`expected ${spec.type === 'integer' ? 'an integer' : 'a number'}`);
      } else if (
        (spec.min !== undefined && value < spec.min) ||
        (spec.max !== undefined && value > spec.max)
      ) {
        invalid(`${value} is outside ${spec.min ?? '-∞'}…${spec.max ?? '∞'}`);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') invalid('expected true or false');
      return;
    case 'text':
    case 'date':
    case 'enum':
    case 'uscc':
    case 'resident-id':
    case 'division':
      break;
  }
  if (typeof value !== 'string') {
    invalid('expected text');
    return;
  }
  if (spec.maxLength !== undefined && codePoints(value) > spec.maxLength)
    invalid(`longer than ${spec.maxLength} characters`);
  if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`, 'u').test(value)) {
    invalid(`'${value}' does not match ${spec.pattern}`);
  }
  switch (spec.type) {
    case 'date':
      if (!isCalendarDate(value)) invalid(`'${value}' is not a date YYYY-MM-DD`);
      return;
    case 'enum':
      if (!spec.values?.includes(value))
        invalid(`'${value}' is not one of ${spec.values?.join(', ') ?? ''}`);
      return;
    case 'uscc':
      issues.merge(checkUscc(value, common), path);
      return;
    case 'resident-id':
      issues.merge(
        checkResidentId(value, {
          ...common,
          ...(options.now === undefined ? {} : { now: options.now }),
        }),
        path,
      );
      return;
    case 'division':
      issues.merge(checkDivisionCode(value, common), path);
      return;
    case 'text':
      return;
  }
}

/**
 * Validates licence data against its type: structure; identifier (GB/T 36904) agreeing with the
 * type and issuer codes; issuer USCC; holder code type allowed by the type and holder code valid
 * (USCC for 001, ID number for 111); calendar dates, validity end not before start, long-term and
 * maximum validity; 证照编号 pattern; required, typed and unknown face fields. Never throws.
 */
export function validateLicenceData(
  input: unknown,
  options: LicenceDataOptions,
): LicenceDataReport {
  const issues = new IssueCollector(options.mode ?? 'strict');
  const parsed = dataSchema.safeParse(input);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      issues.error({
        code: 'ERR_LICENCE_DATA_SCHEMA',
        message: i.message,
        path: i.path.map(String).join('.'),
      });
    }
    return { valid: false, errors: issues.errors, warnings: issues.warnings };
  }
  const data = parsed.data as LicenceData;
  const type = resolveType(options.types, data.typeCode);
  const common = {
    ...(options.mode === undefined ? {} : { mode: options.mode }),
    ...(options.divisions === undefined ? {} : { divisions: options.divisions }),
  };
  const id = checkLicenceId(data.identifier, common);
  issues.merge(id, 'identifier');
  if (id.parts !== undefined) {
    if (id.parts.typeCode !== data.typeCode) {
      issues.error({
        code: 'ERR_LICENCE_ID_MISMATCH',
        message: `The identifier carries type code ${id.parts.typeCode}, the data ${data.typeCode}`,
        path: 'typeCode',
      });
    }
    if (id.parts.issuerCode !== data.issuer.code) {
      issues.error({
        code: 'ERR_LICENCE_ID_MISMATCH',
        message: `The identifier carries issuer code ${id.parts.issuerCode}, the data ${data.issuer.code}`,
        path: 'issuer.code',
      });
    }
  }
  issues.merge(checkUscc(data.issuer.code, common), 'issuer.code');
  if (data.previousVersion !== undefined) {
    const prev = checkLicenceId(data.previousVersion, { ...common, mode: 'lenient' });
    if (
      prev.parts === undefined ||
      id.parts === undefined ||
      licenceLineage(data.previousVersion) !== licenceLineage(data.identifier) ||
      prev.parts.version >= id.parts.version
    ) {
      issues.error({
        code: 'ERR_LICENCE_ID_MISMATCH',
        message: 'previousVersion is not an earlier version of the same licence',
        path: 'previousVersion',
      });
    }
  }
  if (type === undefined) {
    issues.error({
      code: 'ERR_LICENCE_TYPE_UNKNOWN',
      message: `Unknown licence type ${data.typeCode}`,
      path: 'typeCode',
    });
  } else {
    checkAgainstType(data, type, issues, options);
  }
  // Dates and validity (independent of the type).
  for (const key of ['issueDate', 'validFrom'] as const) {
    if (!isCalendarDate(data[key]))
      issues.error({
        code: 'ERR_LICENCE_DATE',
        message: `'${data[key]}' is not a date YYYY-MM-DD`,
        path: key,
      });
  }
  if (data.validUntil !== null && !isCalendarDate(data.validUntil)) {
    issues.error({
      code: 'ERR_LICENCE_DATE',
      message: `'${data.validUntil}' is not a date YYYY-MM-DD`,
      path: 'validUntil',
    });
  } else if (data.validUntil !== null && isCalendarDate(data.validFrom)) {
    if (data.validUntil < data.validFrom) {
      issues.error({
        code: 'ERR_LICENCE_VALIDITY_RANGE',
        message: `The validity ends (${data.validUntil}) before it starts (${data.validFrom})`,
        path: 'validUntil',
      });
    }
    if (isCalendarDate(data.issueDate) && data.issueDate > data.validUntil) {
      issues.error({
        code: 'ERR_LICENCE_VALIDITY_RANGE',
        message: `Issued (${data.issueDate}) after the validity ended (${data.validUntil})`,
        path: 'issueDate',
      });
    }
  }
  if (data.areaCode !== undefined) {
    const area = checkDivisionCode(data.areaCode, common);
    for (const e of area.errors)
      issues.tolerable({ ...e, code: 'ERR_LICENCE_AREA_CODE', path: 'areaCode' });
  }
  return {
    valid: issues.ok,
    data,
    ...(type === undefined ? {} : { type }),
    errors: issues.errors,
    warnings: issues.warnings,
  };
}

function checkAgainstType(
  data: LicenceData,
  type: LicenceType,
  issues: IssueCollector,
  options: LicenceDataOptions,
): void {
  const common = {
    ...(options.mode === undefined ? {} : { mode: options.mode }),
    ...(options.divisions === undefined ? {} : { divisions: options.divisions }),
  };
  if (data.name !== type.name) {
    issues.warn({
      code: 'ERR_LICENCE_TYPE_NAME',
      message: `证照名称 '${data.name}' differs from the type name '${type.name}'`,
      path: 'name',
    });
  }
  const h = data.holder;
  if (!type.holderCodeTypes.includes(h.codeTypeCode)) {
    issues.error({
      code: 'ERR_LICENCE_HOLDER_TYPE',
      message: `Holder code type ${h.codeTypeCode} is not allowed for ${type.name} (allowed: ${type.holderCodeTypes.join(', ')})`,
      path: 'holder.codeTypeCode',
    });
  }
  const knownName = holderCodeTypeNames[h.codeTypeCode];
  if (knownName !== undefined && knownName !== h.codeType) {
    issues.warn({
      code: 'ERR_LICENCE_HOLDER_TYPE',
      message: `Holder code type ${h.codeTypeCode} is called ${knownName}, not ${h.codeType}`,
      path: 'holder.codeType',
    });
  }
  if (h.codeTypeCode === '001') issues.merge(checkUscc(h.code, common), 'holder.code');
  if (h.codeTypeCode === '111') {
    issues.merge(
      checkResidentId(h.code, {
        ...common,
        ...(options.now === undefined ? {} : { now: options.now }),
      }),
      'holder.code',
    );
  }
  if (data.validUntil === null && !type.validity.longTerm) {
    issues.error({
      code: 'ERR_LICENCE_VALIDITY_LONG_TERM',
      message: `${type.name} has no long-term (长期) validity`,
      path: 'validUntil',
    });
  }
  if (
    data.validUntil !== null &&
    type.validity.maxYears !== undefined &&
    isCalendarDate(data.validFrom) &&
    data.validUntil > addYears(data.validFrom, type.validity.maxYears)
  ) {
    issues.error({
      code: 'ERR_LICENCE_VALIDITY_TOO_LONG',
      message: `${type.name} is valid for at most ${type.validity.maxYears} years; ${data.validFrom} to ${data.validUntil} is longer`,
      path: 'validUntil',
    });
  }
  if (
    type.numberPattern !== undefined &&
    !new RegExp(`^(?:${type.numberPattern})$`, 'u').test(data.number)
  ) {
    issues.error({
      code: 'ERR_LICENCE_NUMBER_FORMAT',
      message: `证照编号 '${data.number}' does not match ${type.numberPattern}`,
      path: 'number',
    });
  }
  const specs = new Map(type.fields.map((f) => [f.key, f]));
  for (const spec of type.fields) {
    const value = data.fields[spec.key];
    if (value === undefined || value === '') {
      if (spec.required) {
        issues.error({
          code: 'ERR_LICENCE_FIELD_MISSING',
          message: `${spec.label} (${spec.key}) is required`,
          path: `fields.${spec.key}`,
        });
      }
      continue;
    }
    checkField(spec, value, issues, options);
  }
  for (const key of Object.keys(data.fields)) {
    if (!specs.has(key)) {
      issues.tolerable({
        code: 'ERR_LICENCE_FIELD_UNKNOWN',
        message: `${type.name} defines no field '${key}'`,
        path: `fields.${key}`,
      });
    }
  }
}

/**
 * Validates and returns licence data.
 * @throws {LicenceDataError} ERR_LICENCE_DATA_INVALID listing every error (their codes: ERR_LICENCE_TYPE_UNKNOWN,
 *   ERR_LICENCE_FIELD_MISSING, ERR_USCC_*, ERR_RESIDENT_ID_*, ERR_LICENCE_VALIDITY_RANGE, …)
 */
export function assertLicenceData(input: unknown, options: LicenceDataOptions): LicenceData {
  const r = validateLicenceData(input, options);
  if (!r.valid || r.data === undefined) {
    const first = r.errors[0]!;
    throw new LicenceDataError(
      `Invalid licence data: ${first.code} ${first.path ?? ''}: ${first.message}`,
      r.errors,
    );
  }
  return r.data;
}

/** What `draftLicenceData` needs: the data without format and identifier, plus identifier parts. */
export interface LicenceDraft extends Omit<
  LicenceData,
  'format' | 'identifier' | 'typeCode' | 'name'
> {
  readonly type: LicenceType;
  /** 流水号; default a random 20-character serial. */
  readonly serial?: string;
  /** 版本号; default 1. */
  readonly version?: number;
}

/**
 * Builds licence data for a type: formats the identifier (type code, issuer code, serial,
 * version, MOD 37,36 check character) and validates the result.
 * @throws {LicenceIdError} for identifier parts that are not valid
 * @throws {LicenceDataError} ERR_LICENCE_DATA_INVALID when the data does not fit the type
 */
export function draftLicenceData(
  draft: LicenceDraft,
  options: Omit<LicenceDataOptions, 'types'> = {},
): LicenceData {
  const { type, serial, version, ...rest } = draft;
  const identifier = formatLicenceId(
    {
      typeCode: type.typeCode,
      issuerCode: rest.issuer.code,
      serial: serial ?? generateLicenceSerial(),
      version: version ?? 1,
    },
    options,
  );
  // Computed members last, so that nothing in `rest` can override them.
  const data: LicenceData = {
    ...rest,
    format: LICENCE_DATA_FORMAT,
    identifier,
    typeCode: type.typeCode,
    name: type.name,
  };
  return assertLicenceData(data, { ...options, types: [type] });
}

/**
 * The RFC 8785 canonical JSON of licence data: the exact text the issuer signs.
 * @throws {CanonicalJsonError} ERR_JSON_CANONICAL when the data is not plain JSON
 */
export function canonicalLicenceJson(data: LicenceData): string {
  return canonicalizeJson(data);
}

/**
 * The UTF-8 bytes of `canonicalLicenceJson(data)`.
 * @throws {CanonicalJsonError} ERR_JSON_CANONICAL when the data is not plain JSON
 */
export function canonicalLicenceBytes(data: LicenceData): Uint8Array {
  return canonicalJsonBytes(data);
}

/**
 * The GB/T 36903 metadata elements of licence data (ZZMC, ZZLXDM, ZZBH, ZZBS, ZZBFJG, ZZBFJGDM,
 * ZZBFRQ, CZZT, CZZTDM, CZZTDMLX, CZZTDMLXDM, ZZYXQQSRQ, ZZYXQJZRQ, and KZ_* for face fields
 * that name a metadata code), e.g. for OFD CustomData or a provincial index record.
 * @throws {LicenceTypeError} ERR_LICENCE_TYPE_INVALID when `type` is not the data's type
 */
export function toMetadataElements(data: LicenceData, type?: LicenceType): Record<string, string> {
  if (type !== undefined && type.typeCode !== data.typeCode) {
    throw new LicenceTypeError(
      'ERR_LICENCE_TYPE_INVALID',
      `Type ${type.typeCode} is not the data's type ${data.typeCode}`,
    );
  }
  const out: Record<string, string> = {
    ZZMC: data.name,
    ZZLXDM: data.typeCode,
    ZZBH: data.number,
    ZZBS: data.identifier,
    ZZBFJG: data.issuer.name,
    ZZBFJGDM: data.issuer.code,
    ZZBFRQ: data.issueDate,
    CZZT: data.holder.name,
    CZZTDM: data.holder.code,
    CZZTDMLX: data.holder.codeType,
    CZZTDMLXDM: data.holder.codeTypeCode,
    ZZYXQQSRQ: data.validFrom,
    ZZYXQJZRQ: data.validUntil ?? '长期',
  };
  for (const f of type?.fields ?? []) {
    const v = data.fields[f.key];
    if (f.metadataCode !== undefined && v !== undefined) out[f.metadataCode] = String(v);
  }
  return out;
}
