/**
 * A tolerant BER reader (ITU-T X.690 clause 8) for structures other producers write: indefinite
 * lengths, constructed strings and non-minimal lengths are read; raw bytes are kept so nothing
 * that is verified is ever re-encoded.
 * @module
 */
import { concatBytes } from './bytes.js';
import { DerError, type Tlv } from './der.js';

/** One decoded BER element; `value` excludes the end-of-contents octets of an indefinite length. */
export interface BerTlv extends Tlv {
  /** True when the element used the indefinite length form (never DER). */
  readonly indefinite: boolean;
  /** True when the length was not in minimal DER form (indefinite or padded). */
  readonly nonDer: boolean;
  /** Offset of the contents in the input. */
  readonly contentStart: number;
}

/** Deepest nesting accepted: hostile inputs must not exhaust the stack. */
const MAX_DEPTH = 64;

/**
 * Reads one BER element at `offset`. Single-byte tags only (every structure GovTrust reads uses them).
 * @throws {DerError} for truncated, overlong or too deeply nested input
 */
export function readBer(input: Uint8Array, offset = 0, limit = input.length, depth = 0): BerTlv {
  if (depth > MAX_DEPTH) throw new DerError('Nesting too deep', offset);
  if (offset + 2 > limit) throw new DerError('Truncated TLV header', offset);
  const tag = input[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('Multi-byte tags are not supported', offset);
  let pos = offset + 1;
  const first = input[pos++]!;
  if (first === 0x80) {
    if ((tag & 0x20) === 0) throw new DerError('Indefinite length on a primitive element', offset);
    // Indefinite: children up to the end-of-contents octets 00 00.
    const contentStart = pos;
    for (;;) {
      if (pos + 2 > limit) throw new DerError('Missing end-of-contents', offset);
      if (input[pos] === 0 && input[pos + 1] === 0) break;
      pos = readBer(input, pos, limit, depth + 1).end;
    }
    return {
      tag,
      start: offset,
      end: pos + 2,
      contentStart,
      value: input.subarray(contentStart, pos),
      raw: input.subarray(offset, pos + 2),
      indefinite: true,
      nonDer: true,
    };
  }
  let length: number;
  let nonDer = false;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count > 4) throw new DerError('Length too large', offset);
    if (pos + count > limit) throw new DerError('Truncated length', offset);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + input[pos++]!;
    nonDer = input[offset + 2] === 0 || length < 0x80;
  }
  const end = pos + length;
  if (end > limit) throw new DerError('Value runs past the end of its container', offset);
  return {
    tag,
    start: offset,
    end,
    contentStart: pos,
    value: input.subarray(pos, end),
    raw: input.subarray(offset, end),
    indefinite: false,
    nonDer,
  };
}

/**
 * Reads exactly one BER element spanning the whole input.
 * @throws {DerError} on trailing data or a tag other than `expectedTag`
 */
export function readBerSingle(input: Uint8Array, expectedTag?: number): BerTlv {
  const tlv = readBer(input, 0);
  if (tlv.end !== input.length) throw new DerError('Trailing data after value', tlv.end);
  if (expectedTag !== undefined && tlv.tag !== expectedTag) {
    throw new DerError(
      `Expected tag 0x${expectedTag.toString(16)}, found 0x${tlv.tag.toString(16)}`,
      0,
    );
  }
  return tlv;
}

/** The children of a constructed BER element, with offsets into the original input. */
export function berChildren(parent: BerTlv, input: Uint8Array, depth = 0): BerTlv[] {
  if ((parent.tag & 0x20) === 0) throw new DerError('Expected a constructed element', parent.start);
  const out: BerTlv[] = [];
  const stop = parent.contentStart + parent.value.length;
  let pos = parent.contentStart;
  while (pos < stop) {
    const child = readBer(input, pos, stop, depth + 1);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/**
 * The contents of a string type (OCTET STRING and friends), joining the segments of the
 * constructed form that BER allows (X.690 8.7.3).
 */
export function berStringValue(node: BerTlv, input: Uint8Array, depth = 0): Uint8Array {
  if ((node.tag & 0x20) === 0) return node.value;
  if (depth > MAX_DEPTH) throw new DerError('Nesting too deep', node.start);
  const parts = berChildren(node, input, depth).map((c) => berStringValue(c, input, depth + 1));
  return concatBytes(...parts);
}
