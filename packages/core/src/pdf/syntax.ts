/** Strict PDF lexer and object parser (ISO 32000-1 clauses 7.2 lexical conventions and 7.3 objects); never repairs. @module */
import { PdfLimitError, PdfParseError } from '../errors/index.js';
import { PdfDict, PdfName, PdfRef, PdfString, type PdfArray, type PdfObject } from './objects.js';

/** Maximum nesting of arrays and dictionaries (hostile files nest without end). */
export const MAX_NESTING = 100;

/** Bytes [start, end) as a Latin-1 string; short tokens avoid a Buffer allocation. */
function latin1(b: Uint8Array, start: number, end: number): string {
  if (end - start <= 24) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
}

/** A content-stream operator token (§7.8.2). */
export class PdfOperator {
  constructor(readonly op: string) {}
}

// Character classes of §7.2.2 (whitespace) and §7.2.3 (delimiters).
const WS = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) WS[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;

/** True for a PDF whitespace byte. */
export function isWhitespace(c: number | undefined): boolean {
  return c !== undefined && WS[c] === 1;
}

/** True for a byte that is neither whitespace nor a delimiter ("regular character"). */
export function isRegular(c: number | undefined): boolean {
  return c !== undefined && WS[c] === 0 && DELIM[c] === 0;
}

/** hexValue of every byte value (-1 for non-hex bytes). */
const HEX_VALUE = Int8Array.from({ length: 256 }, (_, c) => hexValue(c));

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** A cursor over PDF bytes that reads tokens and objects; every error carries the byte offset. */
export class PdfLexer {
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
    readonly end = bytes.length,
    /** Added to positions in error messages (for data decoded from a stream). */
    readonly baseOffset = 0,
  ) {
    this.pos = pos;
  }

  /** An ERR_PDF_PARSE error at the current (or given) position. */
  error(message: string, at = this.pos): PdfParseError {
    return new PdfParseError(message, { offset: this.baseOffset + at });
  }

  /** Skips whitespace and comments. */
  skipWs(): void {
    const b = this.bytes;
    let p = this.pos;
    while (p < this.end) {
      const c = b[p]!;
      if (WS[c] === 1) p++;
      else if (c === 0x25) {
        while (p < this.end && b[p] !== 0x0a && b[p] !== 0x0d) p++;
      } else break;
    }
    this.pos = p;
  }

  /** True at the end of the data (after whitespace). */
  atEnd(): boolean {
    this.skipWs();
    return this.pos >= this.end;
  }

  /** Reads a run of regular characters (a keyword or number) without skipping whitespace first. */
  readRegular(): string {
    const start = this.pos;
    const b = this.bytes;
    let p = start;
    while (p < this.end && WS[b[p]!] === 0 && DELIM[b[p]!] === 0) p++;
    this.pos = p;
    return latin1(b, start, p);
  }

  /** Consumes `keyword` (after whitespace) or throws. */
  expectKeyword(keyword: string): void {
    this.skipWs();
    const at = this.pos;
    const got = this.readRegular();
    if (got !== keyword) throw this.error(`Expected "${keyword}", found "${got.slice(0, 20)}"`, at);
  }

  /** Reads a non-negative integer token (after whitespace) or throws. */
  readUnsigned(what: string): number {
    this.skipWs();
    const at = this.pos;
    const t = this.readRegular();
    if (!/^\d{1,15}$/.test(t)) throw this.error(`Expected ${what}, found "${t.slice(0, 20)}"`, at);
    return Number(t);
  }

  /** Peeks whether the next regular token (after whitespace) equals `keyword`, without consuming it. */
  peekKeyword(keyword: string): boolean {
    const save = this.pos;
    this.skipWs();
    const t = this.readRegular();
    this.pos = save;
    return t === keyword;
  }

  /**
   * Parses one object. With `operators`, a bare keyword is returned as a `PdfOperator` (content
   * streams); otherwise it is an error.
   */
  parseObject(depth = 0, operators = false): PdfObject | PdfOperator {
    if (depth > MAX_NESTING)
      throw new PdfLimitError('maxDepth', 'Objects nested too deeply', {
        offset: this.baseOffset + this.pos,
      });
    this.skipWs();
    if (this.pos >= this.end) throw this.error('Unexpected end of data');
    const b = this.bytes;
    const c = b[this.pos]!;
    switch (c) {
      case 0x2f: // '/'
        return this.parseName();
      case 0x28: // '('
        return this.parseLiteralString();
      case 0x3c: // '<'
        if (b[this.pos + 1] === 0x3c) return this.parseDict(depth);
        return this.parseHexString();
      case 0x5b: {
        // '['
        this.pos++;
        const arr: PdfArray = [];
        for (;;) {
          this.skipWs();
          if (this.pos >= this.end) throw this.error('Unterminated array');
          if (b[this.pos] === 0x5d) {
            this.pos++;
            return arr;
          }
          const v = this.parseObject(depth + 1, false);
          arr.push(v as PdfObject);
        }
      }
      case 0x29:
      case 0x3e:
      case 0x5d:
      case 0x7b:
      case 0x7d:
        if (operators && (c === 0x7b || c === 0x7d)) {
          this.pos++;
          return new PdfOperator(String.fromCharCode(c));
        }
        throw this.error(`Unexpected "${String.fromCharCode(c)}"`);
      default:
        break;
    }
    const at = this.pos;
    const tok = this.readRegular();
    if (tok.length === 0) throw this.error('Unexpected byte', at);
    const first = tok.charCodeAt(0);
    if ((first >= 0x30 && first <= 0x39) || first === 0x2b || first === 0x2d || first === 0x2e) {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(tok)) {
        if (operators) return new PdfOperator(tok);
        throw this.error(`Malformed number "${tok.slice(0, 20)}"`, at);
      }
      const value = Number(tok);
      // An integer may start an indirect reference "num gen R" (§7.3.10): look ahead byte by byte.
      if (
        !operators &&
        Number.isInteger(value) &&
        first !== 0x2b &&
        first !== 0x2d &&
        tok.indexOf('.') < 0
      ) {
        const b = this.bytes;
        let p = this.pos;
        while (p < this.end && WS[b[p]!] === 1) p++;
        const genStart = p;
        let gen = 0;
        while (p < this.end && b[p]! >= 0x30 && b[p]! <= 0x39 && p - genStart < 6)
          gen = gen * 10 + b[p++]! - 0x30;
        const genLen = p - genStart;
        if (genLen >= 1 && genLen <= 5 && (p >= this.end || !isRegular(b[p]))) {
          while (p < this.end && WS[b[p]!] === 1) p++;
          if (b[p] === 0x52 && !isRegular(b[p + 1])) {
            if (value > 0x7fffffff) throw this.error('Object number out of range', at);
            this.pos = p + 1;
            return new PdfRef(value, gen);
          }
        }
      }
      return value;
    }
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    if (tok === 'null') return null;
    if (operators) return new PdfOperator(tok);
    throw this.error(`Unexpected keyword "${tok.slice(0, 20)}"`, at);
  }

  private parseName(): PdfName {
    const b = this.bytes;
    let p = this.pos + 1;
    const start = p;
    let hasEscape = false;
    while (p < this.end && WS[b[p]!] === 0 && DELIM[b[p]!] === 0) {
      if (b[p] === 0x23) hasEscape = true;
      p++;
    }
    if (!hasEscape) {
      this.pos = p;
      return PdfName.of(latin1(b, start, p));
    }
    const out: number[] = [];
    for (let i = start; i < p; i++) {
      if (b[i] === 0x23) {
        const h = hexValue(b[i + 1] ?? 0);
        const l = hexValue(b[i + 2] ?? 0);
        if (h < 0 || l < 0 || i + 2 >= p) throw this.error('Bad #xx escape in name', i);
        out.push(h * 16 + l);
        i += 2;
      } else out.push(b[i]!);
    }
    this.pos = p;
    return PdfName.of(Buffer.from(out).toString('latin1'));
  }

  private parseLiteralString(): PdfString {
    const b = this.bytes;
    const start = this.pos;
    let p = this.pos + 1;
    let depth = 1;
    const out = Buffer.allocUnsafe(Math.min(this.end - p, 256));
    let o = 0;
    let buf = out;
    const push = (v: number): void => {
      if (o >= buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2 + 16);
        buf.copy(bigger, 0, 0, o);
        buf = bigger;
      }
      buf[o++] = v;
    };
    while (p < this.end) {
      const c = b[p]!;
      if (c === 0x5c) {
        p++;
        const e = b[p];
        if (e === undefined) break;
        p++;
        switch (e) {
          case 0x6e:
            push(0x0a);
            break;
          case 0x72:
            push(0x0d);
            break;
          case 0x74:
            push(0x09);
            break;
          case 0x62:
            push(0x08);
            break;
          case 0x66:
            push(0x0c);
            break;
          case 0x0d:
            if (b[p] === 0x0a) p++;
            break;
          case 0x0a:
            break;
          default:
            if (e >= 0x30 && e <= 0x37) {
              let v = e - 0x30;
              for (let k = 0; k < 2 && b[p]! >= 0x30 && b[p]! <= 0x37; k++)
                v = v * 8 + b[p++]! - 0x30;
              push(v & 0xff);
            } else push(e); // \( \) \\ and, per §7.3.4.2, any other escaped char stands for itself
        }
        continue;
      }
      if (c === 0x28) depth++;
      else if (c === 0x29 && --depth === 0) {
        this.pos = p + 1;
        return new PdfString(new Uint8Array(buf.subarray(0, o)));
      }
      if (c === 0x0d) {
        // §7.3.4.2: an unescaped end-of-line is read as a single LF.
        push(0x0a);
        if (b[p + 1] === 0x0a) p++;
        p++;
        continue;
      }
      push(c);
      p++;
    }
    throw this.error('Unterminated literal string', start);
  }

  private parseHexString(): PdfString {
    const b = this.bytes;
    const start = this.pos;
    // A hex string holds no '>' but its end (§7.3.4.3): find it, then decode into one buffer
    // (signature /Contents are tens of kilobytes of hex).
    const close = b.indexOf(0x3e, start + 1);
    if (close < 0 || close >= this.end) throw this.error('Unterminated hex string', start);
    const digits = close - start - 1;
    if (digits % 2 === 0) {
      // Fast path: Node's decoder stops at the first non-hex pair, so a full length means all hex.
      const text = Buffer.from(b.buffer, b.byteOffset + start + 1, digits).toString('latin1');
      const fast = Buffer.from(text, 'hex');
      if (fast.length * 2 === digits) {
        this.pos = close + 1;
        return new PdfString(new Uint8Array(fast.buffer, fast.byteOffset, fast.length), true);
      }
    }
    const out = new Uint8Array((close - start) >> 1);
    let n = 0;
    let hi = -1;
    for (let p = start + 1; p < close; p++) {
      const c = b[p]!;
      const v = HEX_VALUE[c]!;
      if (v < 0) {
        if (WS[c] === 1) continue;
        throw this.error('Bad character in hex string', p);
      }
      if (hi < 0) hi = v;
      else {
        out[n++] = hi * 16 + v;
        hi = -1;
      }
    }
    if (hi >= 0) out[n++] = hi * 16; // §7.3.4.3: a missing final digit is 0
    this.pos = close + 1;
    return new PdfString(n === out.length ? out : out.slice(0, n), true);
  }

  private parseDict(depth: number): PdfDict {
    const b = this.bytes;
    const start = this.pos;
    this.pos += 2;
    const d = new PdfDict();
    for (;;) {
      this.skipWs();
      if (this.pos >= this.end) throw this.error('Unterminated dictionary', start);
      if (b[this.pos] === 0x3e) {
        if (b[this.pos + 1] !== 0x3e) throw this.error('Expected ">>"');
        this.pos += 2;
        return d;
      }
      if (b[this.pos] !== 0x2f) throw this.error('Dictionary key is not a name');
      const keyAt = this.pos;
      const key = this.parseName().name;
      const value = this.parseObject(depth + 1, false) as PdfObject;
      // why: a duplicate key is read differently by different readers; strict parsing refuses it.
      if (d.has(key)) throw this.error(`Duplicate dictionary key /${key}`, keyAt);
      d.set(key, value);
    }
  }
}

/** Parses a complete direct object from bytes (used by tests and the object-stream reader). */
export function parseObjectAt(bytes: Uint8Array, pos: number, baseOffset = 0): PdfObject {
  const lx = new PdfLexer(bytes, pos, bytes.length, baseOffset);
  return lx.parseObject() as PdfObject;
}
