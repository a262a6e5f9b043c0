/**
 * A tolerant BER reader and strict DER writers for the GB/T 38540 / GM/T 0031 structures: real
 * seals are not always DER (X.690 clause 8 vs clause 10), so reading accepts BER and records every
 * deviation, keeps raw bytes for verification, and writing always emits DER.
 * @module
 */
import { SealParseError } from '../../errors/index.js';
import { concatBytes, utf8 } from '../../internal/bytes.js';
import { Tag, encodeTlv, encodeUnsignedInteger } from '../../internal/der.js';

/** One decoded element; `raw` is the element exactly as received. */
export interface Node {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
  /** Contents octets (for an indefinite length, without the end-of-contents octets). */
  readonly contents: Uint8Array;
  readonly raw: Uint8Array;
  readonly constructed: boolean;
  /** The input the offsets refer to. */
  readonly input: Uint8Array;
  readonly depth: number;
}

type ParseCode = 'ERR_SEAL_PARSE' | 'ERR_SEAL_SIGNATURE_PARSE' | 'ERR_SEAL_ATTRIBUTE';

/** Nesting deeper than this is hostile: no SES structure goes past about 8 levels. */
const MAX_DEPTH = 32;

const tagNames: Record<number, string> = {
  0x01: 'BOOLEAN',
  0x02: 'INTEGER',
  0x03: 'BIT STRING',
  0x04: 'OCTET STRING',
  0x06: 'OBJECT IDENTIFIER',
  0x0c: 'UTF8String',
  0x13: 'PrintableString',
  0x16: 'IA5String',
  0x17: 'UTCTime',
  0x18: 'GeneralizedTime',
  0x30: 'SEQUENCE',
  0xa0: '[0]',
  0x80: '[0] IMPLICIT',
};

function tagName(tag: number): string {
  return tagNames[tag] ?? `tag 0x${tag.toString(16).padStart(2, '0')}`;
}

/**
 * Decoding state of one structure: the error code to throw and the list of non-DER encodings
 * seen (reported as warnings, never silently "fixed").
 */
export class Asn1Reader {
  /** Human-readable notes on every encoding that is valid BER but not DER. */
  readonly quirks: string[] = [];

  constructor(readonly code: ParseCode) {}

  /** Throws the structure's parse error. */
  fail(path: string, message: string, offset?: number): never {
    throw new SealParseError(this.code, `${path}: ${message}`, {
      path,
      ...(offset === undefined ? {} : { offset }),
    });
  }

  /** Notes a non-DER encoding at `path` (once per distinct note). */
  quirk(path: string, note: string): void {
    const text = path === '' ? note : `${path}: ${note}`;
    if (!this.quirks.includes(text)) this.quirks.push(text);
  }

  /** Reads one element at `offset` inside `[offset, limit)`. */
  element(input: Uint8Array, offset: number, limit: number, depth: number, path: string): Node {
    if (depth > MAX_DEPTH) this.fail(path, 'nesting too deep', offset);
    if (offset + 2 > limit) this.fail(path, 'truncated (no room for a tag and length)', offset);
    const tag = input[offset]!;
    if ((tag & 0x1f) === 0x1f) this.fail(path, 'multi-byte tags are not used by SES', offset);
    const constructed = (tag & 0x20) !== 0;
    let pos = offset + 1;
    const first = input[pos++]!;
    if (first === 0x80) {
      if (!constructed) this.fail(path, 'indefinite length on a primitive value', offset);
      this.quirk(path, 'indefinite length');
      const contentStart = pos;
      for (;;) {
        if (pos + 2 > limit) this.fail(path, 'truncated (missing end-of-contents)', offset);
        if (input[pos] === 0 && input[pos + 1] === 0) break;
        pos = this.element(input, pos, limit, depth + 1, path).end;
      }
      return {
        tag,
        start: offset,
        end: pos + 2,
        contents: input.subarray(contentStart, pos),
        raw: input.subarray(offset, pos + 2),
        constructed,
        input,
        depth,
      };
    }
    let length = first;
    if (first > 0x80) {
      const count = first & 0x7f;
      if (count > 4) this.fail(path, 'length field too large', offset);
      if (pos + count > limit) this.fail(path, 'truncated length', offset);
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + input[pos++]!;
      if (input[offset + 2] === 0 || length < 0x80) this.quirk(path, 'non-minimal length');
    }
    const end = pos + length;
    if (end > limit) {
      this.fail(path, `truncated: ${tagName(tag)} needs ${end - limit} more bytes`, offset);
    }
    return {
      tag,
      start: offset,
      end,
      contents: input.subarray(pos, end),
      raw: input.subarray(offset, end),
      constructed,
      input,
      depth,
    };
  }

  /** The single element spanning all of `input` (trailing bytes are an error, not a quirk). */
  top(input: Uint8Array, path: string): Node {
    if (input.length === 0) this.fail(path, 'empty input', 0);
    const node = this.element(input, 0, input.length, 0, path);
    if (node.end !== input.length) {
      this.fail(path, `${input.length - node.end} trailing bytes after the value`, node.end);
    }
    return node;
  }

  /** The children of a constructed element. */
  children(node: Node, path: string): Node[] {
    if (!node.constructed)
      this.fail(path, `expected a constructed value, found ${tagName(node.tag)}`);
    const out: Node[] = [];
    const base = node.contents.byteOffset - node.input.byteOffset;
    const stop = base + node.contents.length;
    let pos = base;
    while (pos < stop) {
      const child = this.element(node.input, pos, stop, node.depth + 1, path);
      out.push(child);
      pos = child.end;
    }
    return out;
  }

  /** A cursor over the children of a SEQUENCE at `path`. */
  sequence(node: Node, path: string): Cursor {
    this.expect(node, Tag.SEQUENCE, path);
    return new Cursor(this, this.children(node, path), path);
  }

  /** Throws unless `node` has `tag`. */
  expect(node: Node, tag: number, path: string): void {
    if (node.tag !== tag) {
      this.fail(path, `expected ${tagName(tag)}, found ${tagName(node.tag)}`, node.start);
    }
  }

  /** A non-negative INTEGER that fits a JS number (types, sizes, versions). */
  integer(node: Node, path: string): number {
    this.expect(node, Tag.INTEGER, path);
    const v = node.contents;
    if (v.length === 0) this.fail(path, 'empty INTEGER', node.start);
    if ((v[0]! & 0x80) !== 0) this.fail(path, 'negative INTEGER', node.start);
    if (v.length > 1 && v[0] === 0 && (v[1]! & 0x80) === 0) this.quirk(path, 'non-minimal INTEGER');
    let n = 0;
    for (const b of v) {
      n = n * 256 + b;
      if (n > 0x7fffffff) this.fail(path, 'INTEGER too large', node.start);
    }
    return n;
  }

  /** The string of an IA5String (other string types are read with a note). */
  ia5(node: Node, path: string): string {
    if (node.tag !== Tag.IA5_STRING) {
      if (!([Tag.PRINTABLE_STRING, Tag.UTF8_STRING, 0x1a] as number[]).includes(node.tag)) {
        this.fail(path, `expected IA5String, found ${tagName(node.tag)}`, node.start);
      }
      this.quirk(path, `${tagName(node.tag)} instead of IA5String`);
      return this.text(node, path);
    }
    const bytes = this.stringBytes(node, path);
    if (bytes.some((b) => b > 0x7f)) {
      this.quirk(path, 'non-ASCII bytes in IA5String');
      return this.decodeText(bytes, path);
    }
    return Buffer.from(bytes).toString('latin1');
  }

  /** The string of a UTF8String (other string types are read with a note). */
  utf8(node: Node, path: string): string {
    if (node.tag !== Tag.UTF8_STRING) {
      if (!([Tag.IA5_STRING, Tag.PRINTABLE_STRING, 0x1e] as number[]).includes(node.tag)) {
        this.fail(path, `expected UTF8String, found ${tagName(node.tag)}`, node.start);
      }
      this.quirk(path, `${tagName(node.tag)} instead of UTF8String`);
    }
    return this.text(node, path);
  }

  /** The string of a PrintableString (read leniently: producers put any ASCII there). */
  printable(node: Node, path: string): string {
    if (node.tag !== Tag.PRINTABLE_STRING) {
      if (![Tag.IA5_STRING, Tag.UTF8_STRING].includes(node.tag as 0x16)) {
        this.fail(path, `expected PrintableString, found ${tagName(node.tag)}`, node.start);
      }
      this.quirk(path, `${tagName(node.tag)} instead of PrintableString`);
    }
    return this.text(node, path);
  }

  private text(node: Node, path: string): string {
    const bytes = this.stringBytes(node, path);
    // BMPString: UTF-16BE.
    if (node.tag === 0x1e) {
      if (bytes.length % 2 !== 0) this.fail(path, 'odd-length BMPString', node.start);
      return Buffer.from(bytes).swap16().toString('utf16le');
    }
    return this.decodeText(bytes, path);
  }

  private decodeText(bytes: Uint8Array, path: string): string {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // Some Chinese producers write GB 18030 (GBK) where UTF-8 belongs; read it, but say so.
      this.quirk(path, 'text is not UTF-8 (read as GB 18030)');
      return new TextDecoder('gb18030').decode(bytes);
    }
  }

  private stringBytes(node: Node, path: string): Uint8Array {
    if (!node.constructed) return node.contents;
    // BER constructed strings (X.690 8.21.5): join the segments.
    this.quirk(path, 'constructed string');
    return concatBytes(...this.children(node, path).map((c) => this.stringBytes(c, path)));
  }

  /** The contents of an OCTET STRING (constructed BER form joined). */
  octets(node: Node, path: string): Uint8Array {
    this.expect(node, node.constructed ? 0x24 : Tag.OCTET_STRING, path);
    return this.stringBytes(node, path);
  }

  /**
   * The bytes of a BIT STRING with zero unused bits (signatures and hashes are whole bytes). With
   * `allowOctets`, an OCTET STRING in its place is read with a note (ofdrw does the same for V1).
   */
  bits(node: Node, path: string, options: { allowOctets?: boolean } = {}): Uint8Array {
    if (options.allowOctets === true && (node.tag === Tag.OCTET_STRING || node.tag === 0x24)) {
      this.quirk(path, 'OCTET STRING instead of BIT STRING');
      return this.octets(node, path);
    }
    this.expect(node, node.constructed ? 0x23 : Tag.BIT_STRING, path);
    if (node.constructed) this.fail(path, 'constructed BIT STRING is not supported', node.start);
    const v = node.contents;
    if (v.length === 0) this.fail(path, 'empty BIT STRING', node.start);
    if (v[0] !== 0) this.fail(path, `BIT STRING with ${v[0]} unused bits`, node.start);
    return v.subarray(1);
  }

  /** BOOLEAN (any non-zero octet is TRUE in BER; DER wants 0xFF). */
  boolean(node: Node, path: string): boolean {
    this.expect(node, Tag.BOOLEAN, path);
    if (node.contents.length !== 1) this.fail(path, 'BOOLEAN must be one byte', node.start);
    const b = node.contents[0]!;
    if (b !== 0 && b !== 0xff) this.quirk(path, 'BOOLEAN TRUE not encoded as 0xFF');
    return b !== 0;
  }

  /** An OBJECT IDENTIFIER in dotted form. */
  oid(node: Node, path: string): string {
    this.expect(node, Tag.OID, path);
    const v = node.contents;
    if (v.length === 0 || (v[v.length - 1]! & 0x80) !== 0)
      this.fail(path, 'malformed OID', node.start);
    const arcs: bigint[] = [];
    let acc = 0n;
    let fresh = true;
    for (const b of v) {
      if (fresh && b === 0x80) this.fail(path, 'non-minimal OID arc', node.start);
      acc = (acc << 7n) | BigInt(b & 0x7f);
      fresh = (b & 0x80) === 0;
      if (fresh) {
        arcs.push(acc);
        acc = 0n;
      }
    }
    const first = arcs.shift()!;
    const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
    return [...head, ...arcs].join('.');
  }

  /**
   * A UTCTime or GeneralizedTime. `expected` is what the standard says; the other form is read
   * with a note, as is a fraction, a missing zone (taken as UTC) or an offset.
   */
  time(node: Node, path: string, expected: 'utc' | 'generalized'): Date {
    const isUtc = node.tag === Tag.UTC_TIME;
    if (!isUtc && node.tag !== Tag.GENERALIZED_TIME) {
      this.fail(path, `expected a time, found ${tagName(node.tag)}`, node.start);
    }
    if (isUtc !== (expected === 'utc')) {
      this.quirk(
        path,
        `${isUtc ? 'UTCTime' : 'GeneralizedTime'} where the standard has ${expected === 'utc' ? 'UTCTime' : 'GeneralizedTime'}`,
      );
    }
    const text = Buffer.from(this.stringBytes(node, path)).toString('latin1');
    const date = parseAsn1Time(text, isUtc);
    if (date === undefined) this.fail(path, `malformed time "${text.slice(0, 40)}"`, node.start);
    if (!/Z$/.test(text)) {
      this.quirk(
        path,
        /[+-]\d{4}$/.test(text) ? 'time with a zone offset' : 'time without a zone (read as UTC)',
      );
    } else if (text.includes('.') || text.includes(',')) {
      this.quirk(path, 'time with a fraction');
    } else if ((isUtc ? 13 : 15) !== text.length) {
      this.quirk(path, 'time without seconds');
    }
    return date;
  }
}

/** Reads `YYMMDDHHMM[SS]` / `YYYYMMDDHH[MM[SS[.f]]]` with `Z`, `±hhmm` or no zone (UTC). */
export function parseAsn1Time(text: string, utcTime: boolean): Date | undefined {
  const re = utcTime
    ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?()(Z|[+-]\d{4})?$/
    : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d{1,9}))?(Z|[+-]\d{4})?$/;
  const m = re.exec(text);
  if (m === null) return undefined;
  let year = Number(m[1]);
  if (utcTime) year += year >= 50 ? 1900 : 2000;
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map((x) =>
    Number(x ?? 0),
  ) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return undefined;
  }
  const ms = m[7] === undefined || m[7] === '' ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const offset = (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
    t -= sign * offset;
  }
  const date = new Date(t);
  // Reject dates that Date.UTC rolled over (e.g. 31 February).
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined;
  return date;
}

/** A cursor over the children of one SEQUENCE, for reading fields in order. */
export class Cursor {
  private index = 0;

  constructor(
    private readonly reader: Asn1Reader,
    readonly items: readonly Node[],
    readonly path: string,
  ) {}

  /** The next child; fails when the SEQUENCE ends early. */
  next(field: string): Node {
    const node = this.items[this.index];
    if (node === undefined)
      this.reader.fail(`${this.path}.${field}`, 'missing (SEQUENCE ends early)');
    this.index++;
    return node;
  }

  /** The next child when it has one of `tags`, else undefined (OPTIONAL fields). */
  optional(...tags: number[]): Node | undefined {
    const node = this.items[this.index];
    if (node === undefined || !tags.includes(node.tag)) return undefined;
    this.index++;
    return node;
  }

  /** The number of children not read yet. */
  get remaining(): number {
    return this.items.length - this.index;
  }

  /** Fails when children are left over. */
  end(): void {
    const node = this.items[this.index];
    if (node !== undefined) {
      this.reader.fail(
        this.path,
        `unexpected ${tagName(node.tag)} after the last field`,
        node.start,
      );
    }
  }
}

// ---- strict DER writers (X.690 clause 10) ----

/** IA5String; throws RangeError for non-ASCII text (callers validate first). */
export function encodeIa5String(text: string): Uint8Array {
  if (/[^\t\n\r\x20-\x7e]/.test(text)) throw new RangeError('IA5String must be printable ASCII');
  return encodeTlv(Tag.IA5_STRING, Buffer.from(text, 'latin1'));
}

/** UTF8String. */
export function encodeUtf8String(text: string): Uint8Array {
  return encodeTlv(Tag.UTF8_STRING, utf8(text));
}

/** PrintableString (the caller keeps to the PrintableString alphabet). */
export function encodePrintableString(text: string): Uint8Array {
  return encodeTlv(Tag.PRINTABLE_STRING, Buffer.from(text, 'latin1'));
}

/** A non-negative INTEGER. */
export function encodeInteger(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError('INTEGER must be a non-negative integer');
  return encodeUnsignedInteger(BigInt(value));
}

/** BOOLEAN as DER writes it (TRUE is 0xFF). */
export function encodeBoolean(value: boolean): Uint8Array {
  return encodeTlv(Tag.BOOLEAN, Uint8Array.of(value ? 0xff : 0));
}

/** GeneralizedTime `YYYYMMDDHHMMSSZ`: DER forbids a zero fraction, and seals carry whole seconds. */
export function encodeGeneralizedTime(date: Date): Uint8Array {
  if (date.getUTCMilliseconds() !== 0) throw new RangeError('Seal times are whole seconds');
  const y = date.getUTCFullYear();
  if (y < 0 || y > 9999) throw new RangeError('Year out of range for GeneralizedTime');
  return encodeTlv(
    Tag.GENERALIZED_TIME,
    Buffer.from(`${String(y).padStart(4, '0')}${timeTail(date)}`, 'latin1'),
  );
}

/** UTCTime `YYMMDDHHMMSSZ` (years 1950-2049, X.509 style). */
export function encodeUtcTime(date: Date): Uint8Array {
  if (date.getUTCMilliseconds() !== 0) throw new RangeError('Seal times are whole seconds');
  const y = date.getUTCFullYear();
  if (y < 1950 || y > 2049) throw new RangeError('Year out of range for UTCTime');
  return encodeTlv(
    Tag.UTC_TIME,
    Buffer.from(`${String(y % 100).padStart(2, '0')}${timeTail(date)}`, 'latin1'),
  );
}

function timeTail(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}Z`;
}
