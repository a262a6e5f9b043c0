/**
 * Seal type codes and seal identifiers (esID). GB/T 38540 leaves `type` to the application; GovTrust
 * uses the public-security seal type codes (01 公章 ... 99 其他) and a documented esID format.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { SealEncodeError } from '../errors/index.js';

/** The seal type codes GovTrust makes (the de facto public-security table; GB/T 38540 has none). */
export type SealTypeCode = 1 | 2 | 3 | 4 | 5 | 99;

/** What one seal type code means. */
export interface SealTypeInfo {
  /** The two-digit code as printed in seal registers. */
  readonly code: string;
  readonly key: 'official' | 'finance' | 'invoice' | 'contract' | 'legal-representative' | 'other';
  readonly zh: string;
  readonly en: string;
}

/**
 * Seal types by code: 01 单位专用章/公章 (法定名称章), 02 财务专用章, 03 发票专用章, 04 合同专用章,
 * 05 法定代表人名章, 99 其他 (including 业务专用章, 内设机构章 and 分支机构章 of 国办发〔2025〕33号).
 * Real seals also carry other small numbers (3 on the tax invoice seal, 15 in Yunnan): readers
 * report them as they are and never reject them.
 */
export const sealTypes: Readonly<Record<SealTypeCode, SealTypeInfo>> = Object.freeze({
  1: {
    code: '01',
    key: 'official',
    zh: '单位专用章（公章）',
    en: 'Official seal (legal name seal)',
  },
  2: { code: '02', key: 'finance', zh: '财务专用章', en: 'Finance seal' },
  3: { code: '03', key: 'invoice', zh: '发票专用章', en: 'Invoice seal' },
  4: { code: '04', key: 'contract', zh: '合同专用章', en: 'Contract seal' },
  5: {
    code: '05',
    key: 'legal-representative',
    zh: '法定代表人名章',
    en: 'Legal representative seal',
  },
  99: {
    code: '99',
    key: 'other',
    zh: '其他（含业务专用章）',
    en: 'Other (including business seals)',
  },
});

/** True when `code` is one of `sealTypes`. */
export function isSealTypeCode(code: number): code is SealTypeCode {
  return Object.hasOwn(sealTypes, code);
}

/** The decoded form of an esID. */
export type SealIdInfo =
  | { readonly format: 'region-serial'; readonly region: string; readonly serial: string }
  | { readonly format: 'uuid' }
  | { readonly format: 'other' };

// GB/T 2260 province-level prefixes: 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82.
const PROVINCE = /^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])/;

/**
 * Reads the esID format: `region-serial` is 14 digits, the 6-digit GB/T 2260 administrative
 * division code of the registering authority then an 8-digit serial (e.g. `50011200000323`, as
 * real government seals use); `uuid` is a UUID written as 32 hex digits (as ofdrw does) or in the
 * 8-4-4-4-12 form. Anything else is `other` (readers accept it; `makeSeal` does not).
 */
export function parseSealId(esID: string): SealIdInfo {
  if (/^\d{14}$/.test(esID) && PROVINCE.test(esID)) {
    return { format: 'region-serial', region: esID.slice(0, 6), serial: esID.slice(6) };
  }
  if (
    /^[0-9a-f]{32}$/i.test(esID) ||
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(esID)
  ) {
    return { format: 'uuid' };
  }
  return { format: 'other' };
}

/**
 * A new esID: `region` (6-digit GB/T 2260 code) and `serial` give the 14-digit form; with no
 * options, a random UUID as 32 lower-case hex digits.
 * @example createSealId({ region: '500112', serial: 323 }) // '50011200000323'
 * @throws {SealEncodeError} ERR_SEAL_ID when the region is not a 6-digit division code or the serial does not fit 8 digits
 */
export function createSealId(options?: { region: string; serial: number | string }): string {
  if (options === undefined) return randomUUID().replaceAll('-', '');
  const serial = String(options.serial);
  if (!/^\d{6}$/.test(options.region) || !PROVINCE.test(options.region)) {
    throw new SealEncodeError(
      'ERR_SEAL_ID',
      `"${options.region}" is not a 6-digit GB/T 2260 division code`,
      { field: 'region' },
    );
  }
  if (!/^\d{1,8}$/.test(serial)) {
    throw new SealEncodeError('ERR_SEAL_ID', `Serial "${serial}" must be 1 to 8 digits`, {
      field: 'serial',
    });
  }
  return `${options.region}${serial.padStart(8, '0')}`;
}
