/**
 * Shared ASN.1 pieces of X.509, CMS, OCSP and TSP: times (RFC 5280 4.1.2.5), AlgorithmIdentifier,
 * GeneralName (RFC 5280 4.2.1.6), INTEGER serials, and the mapping of reader errors to codes.
 * @module
 */
import { hashOid, type HashAlgorithm } from '../crypto/index.js';
import { toHex } from '../internal/bytes.js';
import {
  DerError,
  Tag,
  compareBytes,
  contextTag,
  decodeOid,
  encodeOid,
  encodeTlv,
  type Tlv,
} from '../internal/der.js';

/** The two-digit-year window of UTCTime (RFC 5280 4.1.2.5.1): 50..99 is 19xx, 00..49 is 20xx. */
const UTC_TIME_MIN_YEAR = 1950;
const UTC_TIME_MAX_YEAR = 2049;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * Decodes UTCTime or GeneralizedTime. Accepts the forms other producers write (fractions, missing
 * seconds in UTCTime, `+hhmm` offsets), always returning the instant.
 * @throws {DerError} for any other tag or a malformed time
 */
export function decodeTime(tlv: Tlv): Date {
  const text = Buffer.from(tlv.value).toString('latin1');
  let m: RegExpExecArray | null;
  if (tlv.tag === Tag.UTC_TIME) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})$/.exec(text);
    if (m === null) throw new DerError(`Malformed UTCTime "${text}"`, tlv.start);
    const yy = Number(m[1]);
    const year = yy >= 50 ? 1900 + yy : 2000 + yy;
    return buildDate(tlv, year, m[2]!, m[3]!, m[4]!, m[5]!, m[6] ?? '00', '', m[7]!);
  }
  if (tlv.tag === Tag.GENERALIZED_TIME) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{4})$/.exec(text);
    if (m === null) throw new DerError(`Malformed GeneralizedTime "${text}"`, tlv.start);
    return buildDate(tlv, Number(m[1]), m[2]!, m[3]!, m[4]!, m[5]!, m[6]!, m[7] ?? '', m[8]!);
  }
  throw new DerError('Expected UTCTime or GeneralizedTime', tlv.start);
}

function buildDate(
  tlv: Tlv,
  year: number,
  month: string,
  day: string,
  hour: string,
  minute: string,
  second: string,
  fraction: string,
  zone: string,
): Date {
  const [mo, dd, hh, mi, ss] = [month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 60)
    throw new DerError('Time field out of range', tlv.start);
  const ms = fraction === '' ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  let t = Date.UTC(year, mo - 1, dd, hh, mi, ss, ms);
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    t -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
  }
  return new Date(t);
}

/** GeneralizedTime `YYYYMMDDHHMMSS[.f]Z`; fractions only when `millis` and non-zero, without trailing zeros (X.690 11.7). */
export function encodeGeneralizedTime(date: Date, millis = false): Uint8Array {
  assertValidDate(date);
  let text =
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds());
  const ms = date.getUTCMilliseconds();
  if (millis && ms !== 0) text += '.' + pad(ms, 3).replace(/0+$/, '');
  return derTlv(Tag.GENERALIZED_TIME, Buffer.from(text + 'Z', 'latin1'));
}

/** The RFC 5280 choice: UTCTime for 1950..2049, GeneralizedTime otherwise; whole seconds. */
export function encodeTime(date: Date): Uint8Array {
  assertValidDate(date);
  const year = date.getUTCFullYear();
  if (year < UTC_TIME_MIN_YEAR || year > UTC_TIME_MAX_YEAR) return encodeGeneralizedTime(date);
  const text =
    pad(year % 100) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    'Z';
  return derTlv(Tag.UTC_TIME, Buffer.from(text, 'latin1'));
}

function assertValidDate(date: Date): void {
  if (Number.isNaN(date.getTime())) throw new RangeError('Invalid date');
}

/** A decoded AlgorithmIdentifier: its OID and the raw DER of its parameters, if any. */
export interface AlgorithmIdentifier {
  readonly oid: string;
  readonly parameters: Uint8Array | undefined;
  /** The whole AlgorithmIdentifier DER. */
  readonly raw: Uint8Array;
}

/** Reads an AlgorithmIdentifier SEQUENCE { OID, parameters ANY OPTIONAL }. */
export function decodeAlgorithmIdentifier(tlv: Tlv, children: readonly Tlv[]): AlgorithmIdentifier {
  if (tlv.tag !== Tag.SEQUENCE || children[0] === undefined)
    throw new DerError('Malformed AlgorithmIdentifier', tlv.start);
  return { oid: decodeOid(children[0]), parameters: children[1]?.raw, raw: tlv.raw };
}

/** A hash AlgorithmIdentifier with absent parameters (RFC 5754 clause 2: the preferred form). */
export function encodeHashAlgorithm(hash: HashAlgorithm): Uint8Array {
  return derSeq(derOid(hashOid(hash)));
}

/** Lower-case hex of an INTEGER's content octets, exactly as encoded (the serial-number form). */
export function integerHex(tlv: Tlv): string {
  if (tlv.tag !== Tag.INTEGER || tlv.value.length === 0)
    throw new DerError('Expected INTEGER', tlv.start);
  return toHex(tlv.value);
}

/** One GeneralName (RFC 5280 4.2.1.6) in a readable form; unsupported choices keep their raw DER. */
export type GeneralName =
  | { readonly type: 'uri'; readonly value: string }
  | { readonly type: 'dns'; readonly value: string }
  | { readonly type: 'email'; readonly value: string }
  | { readonly type: 'ip'; readonly value: string }
  | { readonly type: 'directory'; readonly value: Uint8Array }
  | { readonly type: 'other'; readonly value: Uint8Array };

/** Decodes one GeneralName. */
export function decodeGeneralName(tlv: Tlv): GeneralName {
  const text = (): string => Buffer.from(tlv.value).toString('latin1');
  switch (tlv.tag) {
    case contextTag(1, false):
      return { type: 'email', value: text() };
    case contextTag(2, false):
      return { type: 'dns', value: text() };
    case contextTag(6, false):
      return { type: 'uri', value: text() };
    case contextTag(7, false):
      return { type: 'ip', value: formatIp(tlv.value) };
    case contextTag(4, true):
      return { type: 'directory', value: tlv.value };
    default:
      return { type: 'other', value: tlv.raw };
  }
}

function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
    return groups.join(':');
  }
  return toHex(bytes);
}

/** A URI GeneralName ([6] IA5String). */
export function encodeUriName(uri: string): Uint8Array {
  if (!/^[\x20-\x7e]+$/.test(uri)) throw new RangeError(`URI must be ASCII: ${uri}`);
  return encodeTlv(contextTag(6, false), Buffer.from(uri, 'latin1'));
}

/** A directoryName GeneralName ([4] EXPLICIT Name). */
export function encodeDirectoryName(nameDer: Uint8Array): Uint8Array {
  return encodeTlv(contextTag(4, true), nameDer);
}

/** Runs `fn`, turning reader errors (and range errors from malformed values) into the area's error. */
export function parseWith<T>(
  fn: () => T,
  wrap: (message: string, cause: unknown) => Error,
  what: string,
): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DerError || err instanceof RangeError || err instanceof TypeError) {
      throw wrap(`Malformed ${what}: ${err.message}`, err);
    }
    throw err;
  }
}

// why: the TSA and OCSP hot paths encode the same OIDs thousands of times; der.ts's encodeOid does BigInt arithmetic per arc.
const oidCache = new Map<string, Uint8Array>();

/** DER OBJECT IDENTIFIER, memoised (callers must not mutate the result). */
export function derOid(oid: string): Uint8Array {
  let der = oidCache.get(oid);
  if (der === undefined) {
    der = encodeOid(oid);
    if (oidCache.size < 4096) oidCache.set(oid, der);
  }
  return der;
}

/**
 * A TLV built in one allocation (der.ts's encodeTlv copies the contents twice): the hot paths
 * nest four or five levels around kilobytes of certificates.
 */
export function derTlv(tag: number, ...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const lengthBytes =
    length < 0x80 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : length < 0x1000000 ? 4 : 5;
  // why: Buffer.allocUnsafe draws small blocks from Node's pool instead of a fresh zeroed
  // ArrayBuffer each time (twice as fast here); every byte is written below, and callers get a
  // plain Uint8Array view.
  const pooled = Buffer.allocUnsafe(1 + lengthBytes + length);
  const out = new Uint8Array(pooled.buffer, pooled.byteOffset, pooled.length);
  out[0] = tag;
  if (lengthBytes === 1) out[1] = length;
  else {
    out[1] = 0x80 | (lengthBytes - 1);
    for (let i = lengthBytes - 1, n = length; i >= 1; i--, n = Math.floor(n / 256))
      out[1 + i] = n & 0xff;
  }
  let offset = 1 + lengthBytes;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** SEQUENCE of already-encoded elements, in one allocation. */
export function derSeq(...parts: readonly Uint8Array[]): Uint8Array {
  return derTlv(Tag.SEQUENCE, ...parts);
}

/** SET OF in DER order (X.690 11.6), in one allocation. */
export function derSetOf(elements: readonly Uint8Array[]): Uint8Array {
  return derTlv(Tag.SET, ...[...elements].sort(compareBytes));
}

const ZERO_UNUSED_BITS = Uint8Array.of(0);

/** OCTET STRING, in one allocation. */
export function derOctetString(value: Uint8Array): Uint8Array {
  return derTlv(Tag.OCTET_STRING, value);
}

/** BIT STRING with no unused bits, in one allocation. */
export function derBitString(value: Uint8Array): Uint8Array {
  return derTlv(Tag.BIT_STRING, ZERO_UNUSED_BITS, value);
}

/** A non-negative INTEGER in minimal form (fast path for serials and small numbers). */
export function derUnsignedInteger(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('Negative INTEGER');
  if (value < 0x80n) return Uint8Array.of(Tag.INTEGER, 1, Number(value));
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  // A leading 00 keeps the value positive when its top bit is set.
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = '00' + hex;
  return derTlv(Tag.INTEGER, Buffer.from(hex, 'hex'));
}

/** An injected clock: a fixed instant (tests) or a function (servers). */
export type Clock = Date | (() => Date);

/** The current time of a clock; `new Date()` when none is given. */
export function readClock(clock: Clock | undefined): Date {
  if (clock === undefined) return new Date();
  return clock instanceof Date ? clock : clock();
}
