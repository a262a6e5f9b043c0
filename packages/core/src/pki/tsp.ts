/**
 * RFC 3161 Time-Stamp Protocol messages: TimeStampReq, TimeStampResp (PKIStatusInfo, failInfo)
 * and TSTInfo, encoded and decoded (RFC 3161 clauses 2.4.1 and 2.4.2).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { hashFromOid, hashSize, type HashAlgorithm } from '../crypto/index.js';
import { InvalidInputError, TspParseError } from '../errors/index.js';
import {
  berChildren,
  berStringValue,
  readBer,
  readBerSingle,
  type BerTlv,
} from '../internal/ber.js';
import { toHex } from '../internal/bytes.js';
import { DerError, Tag, contextTag, decodeOid } from '../internal/der.js';
import {
  decodeAlgorithmIdentifier,
  decodeGeneralName,
  decodeTime,
  encodeHashAlgorithm,
  integerHex,
  parseWith,
  type GeneralName,
  derOid,
  derSeq,
  derTlv,
  derOctetString,
  derUnsignedInteger,
} from './asn1.js';

/** PKIFailureInfo bit names (RFC 3161 2.4.2). */
export type TspFailureInfo =
  | 'badAlg'
  | 'badRequest'
  | 'badDataFormat'
  | 'timeNotAvailable'
  | 'unacceptedPolicy'
  | 'unacceptedExtension'
  | 'addInfoNotAvailable'
  | 'systemFailure';

const failureBits: Record<TspFailureInfo, number> = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  timeNotAvailable: 14,
  unacceptedPolicy: 15,
  unacceptedExtension: 16,
  addInfoNotAvailable: 17,
  systemFailure: 25,
};

/** PKIStatus values (RFC 3161 2.4.2). */
export const PkiStatus = {
  granted: 0,
  grantedWithMods: 1,
  rejection: 2,
  waiting: 3,
  revocationWarning: 4,
  revocationNotification: 5,
} as const;

/** A decoded TimeStampReq. */
export interface TimeStampRequest {
  readonly version: number;
  readonly hashAlgorithm: HashAlgorithm | null;
  readonly hashAlgorithmOid: string;
  readonly hashedMessage: Uint8Array;
  /** The MessageImprint DER as received (echoed in the TSTInfo). */
  readonly messageImprintDer: Uint8Array;
  readonly reqPolicy?: string;
  readonly nonce?: bigint;
  /** The nonce INTEGER DER as received (echoed in the TSTInfo). */
  readonly nonceDer?: Uint8Array;
  readonly certReq: boolean;
  readonly extensions: readonly { readonly oid: string; readonly critical: boolean }[];
}

function bigIntOf(tlv: BerTlv): bigint {
  if (tlv.tag !== Tag.INTEGER || tlv.value.length === 0)
    throw new DerError('Expected INTEGER', tlv.start);
  if ((tlv.value[0]! & 0x80) !== 0) throw new DerError('Negative INTEGER', tlv.start);
  return BigInt('0x' + toHex(tlv.value));
}

function decodeMessageImprint(
  tlv: BerTlv,
  input: Uint8Array,
): { hashAlgorithm: HashAlgorithm | null; hashAlgorithmOid: string; hashedMessage: Uint8Array } {
  const [alg, hashed] = berChildren(tlv, input);
  if (
    alg?.tag !== Tag.SEQUENCE ||
    hashed === undefined ||
    (hashed.tag & ~0x20) !== Tag.OCTET_STRING
  )
    throw new DerError('Malformed MessageImprint', tlv.start);
  const hashAlgorithmOid = decodeAlgorithmIdentifier(alg, berChildren(alg, input)).oid;
  let hashAlgorithm: HashAlgorithm | null;
  try {
    hashAlgorithm = hashFromOid(hashAlgorithmOid);
  } catch {
    hashAlgorithm = null;
  }
  return { hashAlgorithm, hashAlgorithmOid, hashedMessage: berStringValue(hashed, input) };
}

function decodeExtensions(tlv: BerTlv, input: Uint8Array): { oid: string; critical: boolean }[] {
  return berChildren(tlv, input).map((ext) => {
    const parts = berChildren(ext, input);
    if (parts[0] === undefined) throw new DerError('Malformed Extension', ext.start);
    return { oid: decodeOid(parts[0]), critical: parts.length === 3 && parts[1]!.value[0] !== 0 };
  });
}

/**
 * Decodes a TimeStampReq.
 * @throws {TspParseError} ERR_TSP_PARSE when the input is not a time-stamp request
 */
export function parseTimeStampRequest(der: Uint8Array): TimeStampRequest {
  return parseWith(
    () => {
      const outer = readBerSingle(der, Tag.SEQUENCE);
      const parts = berChildren(outer, der);
      const versionTlv = parts[0];
      const imprintTlv = parts[1];
      if (versionTlv?.tag !== Tag.INTEGER || imprintTlv?.tag !== Tag.SEQUENCE)
        throw new DerError('Malformed TimeStampReq', 0);
      const version = Number(bigIntOf(versionTlv));
      const imprint = decodeMessageImprint(imprintTlv, der);
      let reqPolicy: string | undefined;
      let nonce: bigint | undefined;
      let nonceDer: Uint8Array | undefined;
      let certReq = false;
      let extensions: { oid: string; critical: boolean }[] = [];
      for (const p of parts.slice(2)) {
        if (p.tag === Tag.OID) reqPolicy = decodeOid(p);
        else if (p.tag === Tag.INTEGER) {
          nonce = bigIntOf(p);
          nonceDer = p.raw;
        } else if (p.tag === Tag.BOOLEAN) certReq = p.value[0] !== 0;
        else if (p.tag === contextTag(0, true)) extensions = decodeExtensions(p, der);
        else
          throw new DerError(`Unexpected element 0x${p.tag.toString(16)} in TimeStampReq`, p.start);
      }
      return {
        version,
        ...imprint,
        messageImprintDer: imprintTlv.raw,
        ...(reqPolicy === undefined ? {} : { reqPolicy }),
        ...(nonce === undefined ? {} : { nonce, nonceDer: nonceDer! }),
        certReq,
        extensions,
      };
    },
    (m, cause) => new TspParseError(m, { cause }),
    'time-stamp request',
  );
}

/** Options of `buildTimeStampRequest`. */
export interface BuildTimeStampRequestOptions {
  readonly hashAlgorithm: HashAlgorithm;
  readonly digest: Uint8Array;
  /** A nonce: `true` (default) for 64 random bits, a value to choose, `false` for none. */
  readonly nonce?: boolean | bigint;
  /** Ask the TSA to include its certificate (default true: validators need it). */
  readonly certReq?: boolean;
  readonly policy?: string;
}

/**
 * Builds a DER TimeStampReq.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when the digest size does not fit the hash
 */
export function buildTimeStampRequest(options: BuildTimeStampRequestOptions): {
  der: Uint8Array;
  nonce?: bigint;
} {
  if (options.digest.length !== hashSize(options.hashAlgorithm))
    throw new InvalidInputError(
      `A ${options.hashAlgorithm} digest has ${hashSize(options.hashAlgorithm)} bytes`,
      { field: 'digest' },
    );
  const nonce =
    options.nonce === false
      ? undefined
      : typeof options.nonce === 'bigint'
        ? options.nonce
        : BigInt('0x' + randomBytes(8).toString('hex')) | 1n;
  const der = derSeq(
    derUnsignedInteger(1n),
    derSeq(encodeHashAlgorithm(options.hashAlgorithm), derOctetString(options.digest)),
    ...(options.policy === undefined ? [] : [derOid(options.policy)]),
    ...(nonce === undefined ? [] : [derUnsignedInteger(nonce)]),
    ...(options.certReq === false ? [] : [derTlv(Tag.BOOLEAN, Uint8Array.of(0xff))]),
  );
  return { der, ...(nonce === undefined ? {} : { nonce }) };
}

/** A decoded TimeStampResp. */
export interface TimeStampResponse {
  /** PKIStatus: 0 granted, 1 grantedWithMods, 2 rejection, ... */
  readonly status: number;
  readonly statusText: readonly string[];
  readonly failInfo: readonly TspFailureInfo[];
  /** The TimeStampToken DER (a CMS ContentInfo), when granted. */
  readonly token?: Uint8Array;
}

/**
 * Decodes a TimeStampResp.
 * @throws {TspParseError} ERR_TSP_PARSE when the input is not a time-stamp response
 */
export function parseTimeStampResponse(der: Uint8Array): TimeStampResponse {
  return parseWith(
    () => {
      const outer = readBerSingle(der, Tag.SEQUENCE);
      const [statusInfo, token] = berChildren(outer, der);
      if (statusInfo?.tag !== Tag.SEQUENCE) throw new DerError('Missing PKIStatusInfo', 0);
      const parts = berChildren(statusInfo, der);
      if (parts[0] === undefined) throw new DerError('Missing PKIStatus', statusInfo.start);
      const status = Number(bigIntOf(parts[0]));
      const statusText: string[] = [];
      const failInfo: TspFailureInfo[] = [];
      for (const p of parts.slice(1)) {
        if (p.tag === Tag.SEQUENCE) {
          for (const s of berChildren(p, der))
            statusText.push(Buffer.from(s.value).toString('utf8'));
        } else if (p.tag === Tag.BIT_STRING) {
          const bits = p.value.subarray(1);
          for (const [name, bit] of Object.entries(failureBits) as [TspFailureInfo, number][]) {
            const byte = bits[bit >> 3];
            if (byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0) failInfo.push(name);
          }
        }
      }
      if (token !== undefined && token.tag !== Tag.SEQUENCE)
        throw new DerError('Malformed TimeStampToken', token.start);
      return { status, statusText, failInfo, ...(token === undefined ? {} : { token: token.raw }) };
    },
    (m, cause) => new TspParseError(m, { cause }),
    'time-stamp response',
  );
}

/** DER TimeStampResp with a failure status (rejection) and one failInfo bit. */
export function encodeTimeStampRejection(failInfo: TspFailureInfo, text?: string): Uint8Array {
  const bit = failureBits[failInfo];
  const bytes = new Uint8Array((bit >> 3) + 1);
  bytes[bit >> 3] = 0x80 >> (bit & 7);
  const unused = 7 - (bit & 7);
  return derSeq(
    derSeq(
      derUnsignedInteger(BigInt(PkiStatus.rejection)),
      ...(text === undefined ? [] : [derSeq(derTlv(Tag.UTF8_STRING, Buffer.from(text, 'utf8')))]),
      derTlv(Tag.BIT_STRING, Uint8Array.of(unused), bytes),
    ),
  );
}

/** DER TimeStampResp granting `token`. */
export function encodeTimeStampGranted(token: Uint8Array): Uint8Array {
  return derSeq(derSeq(derUnsignedInteger(0n)), token);
}

/** Accuracy (RFC 3161 2.4.2). */
export interface TspAccuracy {
  readonly seconds?: number;
  readonly millis?: number;
  readonly micros?: number;
}

/** A decoded TSTInfo. */
export interface TstInfo {
  readonly version: number;
  readonly policy: string;
  readonly hashAlgorithm: HashAlgorithm | null;
  readonly hashAlgorithmOid: string;
  readonly hashedMessage: Uint8Array;
  /** Lower-case hex of the serial INTEGER contents. */
  readonly serialNumber: string;
  readonly genTime: Date;
  readonly accuracy?: TspAccuracy;
  readonly ordering: boolean;
  readonly nonce?: bigint;
  readonly tsaName?: GeneralName;
  readonly der: Uint8Array;
}

/**
 * Decodes a TSTInfo (the eContent of a time-stamp token).
 * @throws {TspParseError} ERR_TSP_PARSE when malformed
 */
export function parseTstInfo(der: Uint8Array): TstInfo {
  return parseWith(
    () => {
      const outer = readBerSingle(der, Tag.SEQUENCE);
      const parts = berChildren(outer, der);
      const [versionTlv, policyTlv, imprintTlv, serialTlv, timeTlv] = parts;
      if (
        versionTlv === undefined ||
        policyTlv === undefined ||
        imprintTlv === undefined ||
        serialTlv === undefined ||
        timeTlv?.tag !== Tag.GENERALIZED_TIME
      )
        throw new DerError('Malformed TSTInfo', 0);
      let accuracy: TspAccuracy | undefined;
      let ordering = false;
      let nonce: bigint | undefined;
      let tsaName: GeneralName | undefined;
      for (const p of parts.slice(5)) {
        if (p.tag === Tag.SEQUENCE) {
          const acc: { seconds?: number; millis?: number; micros?: number } = {};
          for (const a of berChildren(p, der)) {
            const n = Number.parseInt(toHex(a.value) || '0', 16);
            if (a.tag === Tag.INTEGER) acc.seconds = n;
            else if (a.tag === contextTag(0, false)) acc.millis = n;
            else if (a.tag === contextTag(1, false)) acc.micros = n;
          }
          accuracy = acc;
        } else if (p.tag === Tag.BOOLEAN) ordering = p.value[0] !== 0;
        else if (p.tag === Tag.INTEGER) nonce = bigIntOf(p);
        else if (p.tag === contextTag(0, true))
          tsaName = decodeGeneralName(readBer(der, p.contentStart, p.end));
      }
      return {
        version: Number(bigIntOf(versionTlv)),
        policy: decodeOid(policyTlv),
        ...decodeMessageImprint(imprintTlv, der),
        serialNumber: integerHex(serialTlv),
        genTime: decodeTime(timeTlv),
        ...(accuracy === undefined ? {} : { accuracy }),
        ordering,
        ...(nonce === undefined ? {} : { nonce }),
        ...(tsaName === undefined ? {} : { tsaName }),
        der,
      };
    },
    (m, cause) => new TspParseError(m, { cause }),
    'TSTInfo',
  );
}
