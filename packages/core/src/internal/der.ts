/**
 * A small strict DER reader and writer (ITU-T X.690 clause 10) for the hot paths where asn1js's
 * schema matching is too slow or too lax: signature values, key containers, certificate fields.
 * @module
 */
import { concatBytes, bigIntToBytes, bytesToBigInt } from './bytes.js';

/** One decoded tag-length-value. `value` is a view into the input (no copy). */
export interface Tlv {
  /** The identifier octet (single-byte tags only, which covers every structure we read). */
  readonly tag: number;
  /** Offset of the identifier octet in the input. */
  readonly start: number;
  /** Offset just past the value. */
  readonly end: number;
  /** The contents octets. */
  readonly value: Uint8Array;
  /** The whole encoding (identifier, length and contents). */
  readonly raw: Uint8Array;
}

/** Raised for any DER that does not follow the rules; callers map it to their own error code. */
export class DerError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'DerError';
  }
}

/** Common universal tags. */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/**
 * Reads one TLV at `offset`. Strict DER: definite minimal lengths only, single-byte tags.
 * @param limit end of the region the TLV must fit in (default: end of input)
 */
export function readTlv(input: Uint8Array, offset = 0, limit = input.length): Tlv {
  if (offset + 2 > limit) throw new DerError('Truncated TLV header', offset);
  const tag = input[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('Multi-byte tags are not supported', offset);
  let pos = offset + 1;
  const first = input[pos++]!;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count === 0) throw new DerError('Indefinite length is not DER', offset);
    if (count > 4) throw new DerError('Length too large', offset);
    if (pos + count > limit) throw new DerError('Truncated length', offset);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + input[pos++]!;
    if (input[offset + 2] === 0 || length < 0x80) {
      throw new DerError('Non-minimal length encoding', offset);
    }
  }
  const end = pos + length;
  if (end > limit) throw new DerError('Value runs past the end of its container', offset);
  return {
    tag,
    start: offset,
    end,
    value: input.subarray(pos, end),
    raw: input.subarray(offset, end),
  };
}

/** Reads exactly one TLV that must span the whole input. */
export function readSingle(input: Uint8Array, expectedTag?: number): Tlv {
  const tlv = readTlv(input, 0);
  if (tlv.end !== input.length) throw new DerError('Trailing data after DER value', tlv.end);
  if (expectedTag !== undefined && tlv.tag !== expectedTag) {
    throw new DerError(
      `Expected tag 0x${expectedTag.toString(16)}, found 0x${tlv.tag.toString(16)}`,
      0,
    );
  }
  return tlv;
}

/** The children of a constructed value (SEQUENCE, SET, or a constructed context tag). */
export function readChildren(parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  const base = parent.value;
  let pos = 0;
  while (pos < base.length) {
    const child = readTlv(base, pos);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** Decodes an INTEGER's contents as a non-negative bigint; rejects negative and non-minimal values. */
export function decodeUnsignedInteger(tlv: Tlv): bigint {
  if (tlv.tag !== Tag.INTEGER) throw new DerError('Expected INTEGER', tlv.start);
  const v = tlv.value;
  if (v.length === 0) throw new DerError('Empty INTEGER', tlv.start);
  if (v.length > 1 && v[0] === 0 && (v[1]! & 0x80) === 0) {
    throw new DerError('Non-minimal INTEGER', tlv.start);
  }
  if ((v[0]! & 0x80) !== 0) throw new DerError('Negative INTEGER', tlv.start);
  return bytesToBigInt(v);
}

/** Decodes an OBJECT IDENTIFIER's contents to dotted form. */
export function decodeOid(tlv: Tlv): string {
  if (tlv.tag !== Tag.OID) throw new DerError('Expected OBJECT IDENTIFIER', tlv.start);
  const v = tlv.value;
  if (v.length === 0) throw new DerError('Empty OID', tlv.start);
  const arcs: bigint[] = [];
  let acc = 0n;
  let fresh = true;
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    if (fresh && b === 0x80) throw new DerError('Non-minimal OID arc', tlv.start);
    acc = (acc << 7n) | BigInt(b & 0x7f);
    fresh = false;
    if ((b & 0x80) === 0) {
      arcs.push(acc);
      acc = 0n;
      fresh = true;
    }
  }
  if (!fresh) throw new DerError('Truncated OID', tlv.start);
  const first = arcs.shift()!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs].join('.');
}

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  let n = length;
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** Encodes a TLV from a tag and contents. */
export function encodeTlv(tag: number, ...contents: readonly Uint8Array[]): Uint8Array {
  const body = contents.length === 1 ? contents[0]! : concatBytes(...contents);
  return concatBytes(Uint8Array.of(tag), encodeLength(body.length), body);
}

/** SEQUENCE of already-encoded elements. */
export function encodeSequence(...elements: readonly Uint8Array[]): Uint8Array {
  return encodeTlv(Tag.SEQUENCE, concatBytes(...elements));
}

/** SET OF already-encoded elements, sorted as DER requires (X.690 11.6). */
export function encodeSetOf(elements: readonly Uint8Array[]): Uint8Array {
  const sorted = [...elements].sort(compareBytes);
  return encodeTlv(Tag.SET, concatBytes(...sorted));
}

/** Lexicographic byte comparison with shorter-is-smaller, the DER SET OF order. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** A non-negative INTEGER in minimal form. */
export function encodeUnsignedInteger(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('Negative INTEGER');
  const length = value === 0n ? 1 : Math.ceil(value.toString(16).length / 2);
  let bytes = bigIntToBytes(value, length);
  if ((bytes[0]! & 0x80) !== 0) bytes = concatBytes(Uint8Array.of(0), bytes);
  return encodeTlv(Tag.INTEGER, bytes);
}

/** An OBJECT IDENTIFIER from dotted form. */
export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new RangeError(`Invalid OID: ${oid}`);
    return BigInt(a);
  });
  if (arcs.length < 2) throw new RangeError(`Invalid OID: ${oid}`);
  const [a0, a1, ...rest] = arcs as [bigint, bigint, ...bigint[]];
  const out: number[] = [];
  for (const arc of [a0 * 40n + a1, ...rest]) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    let n = arc >> 7n;
    while (n > 0n) {
      chunk.unshift(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    out.push(...chunk);
  }
  return encodeTlv(Tag.OID, Uint8Array.from(out));
}

/** OCTET STRING. */
export function encodeOctetString(value: Uint8Array): Uint8Array {
  return encodeTlv(Tag.OCTET_STRING, value);
}

/** BIT STRING with zero unused bits. */
export function encodeBitString(value: Uint8Array): Uint8Array {
  return encodeTlv(Tag.BIT_STRING, Uint8Array.of(0), value);
}

/** NULL. */
export const DER_NULL: Uint8Array = Uint8Array.of(Tag.NULL, 0);

/** A context-specific tag number `n`, constructed (explicit) or primitive (implicit). */
export function contextTag(n: number, constructed: boolean): number {
  return 0x80 | (constructed ? 0x20 : 0) | n;
}
