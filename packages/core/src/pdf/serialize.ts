/** PDF object serialisation (ISO 32000-1 §7.3): deterministic, compact, and byte-exact for strings and streams. @module */
import {
  PdfDict,
  PdfName,
  PdfRef,
  PdfStream,
  PdfString,
  type PdfObject,
  type PdfValue,
} from './objects.js';

/** Collects output bytes in chunks (no whole-file string is ever built). */
export class ByteSink {
  private readonly chunks: Uint8Array[] = [];
  private text: string[] = [];
  private textLen = 0;
  length = 0;

  /** Appends Latin-1 text. */
  str(s: string): this {
    this.text.push(s);
    this.textLen += s.length;
    this.length += s.length;
    if (this.textLen > 1 << 16) this.flushText();
    return this;
  }

  /** Appends bytes (kept by reference). */
  bytes(b: Uint8Array): this {
    this.flushText();
    this.chunks.push(b);
    this.length += b.length;
    return this;
  }

  private flushText(): void {
    if (this.text.length === 0) return;
    this.chunks.push(new Uint8Array(Buffer.from(this.text.join(''), 'latin1')));
    this.text = [];
    this.textLen = 0;
  }

  /** Copies everything into `out` at `offset`. */
  copyTo(out: Uint8Array, offset: number): void {
    this.flushText();
    let p = offset;
    for (const c of this.chunks) {
      out.set(c, p);
      p += c.length;
    }
  }

  /** The collected bytes as one array. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    this.copyTo(out, 0);
    return out;
  }
}

/** A number as PDF writes it: integers plain, reals in fixed notation (no exponent, §7.3.3). */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError('PDF numbers are finite');
  if (Number.isInteger(n)) return String(n);
  let s = n.toFixed(6);
  s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

const NAME_PLAIN = new Uint8Array(256);
for (let c = 0x21; c <= 0x7e; c++) NAME_PLAIN[c] = 1;
for (const c of '()<>[]{}/%#') NAME_PLAIN[c.charCodeAt(0)] = 0;

/** A name token with `#xx` escapes where needed (§7.3.5). */
export function formatName(n: PdfName): string {
  let out = '/';
  for (let i = 0; i < n.name.length; i++) {
    const c = n.name.charCodeAt(i) & 0xff;
    out += NAME_PLAIN[c] === 1 ? n.name.charAt(i) : `#${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** A string token: hex when it was hex, else a literal with the required escapes (§7.3.4). */
export function formatString(s: PdfString): string {
  const b = s.bytes;
  if (s.hex) return `<${Buffer.from(b).toString('hex')}>`;
  let out = '(';
  for (const c of b) {
    if (c === 0x28 || c === 0x29 || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x0a) out += '\\n';
    else out += String.fromCharCode(c);
  }
  return `${out})`;
}

/** Serialises a direct object into `sink`. */
export function writeObject(sink: ByteSink, v: PdfObject, depth = 0): void {
  if (depth > 100) throw new RangeError('Object nesting too deep to write');
  if (v === null) sink.str('null');
  else if (typeof v === 'boolean') sink.str(v ? 'true' : 'false');
  else if (typeof v === 'number') sink.str(formatNumber(v));
  else if (v instanceof PdfName) sink.str(formatName(v));
  else if (v instanceof PdfString) sink.str(formatString(v));
  else if (v instanceof PdfRef) sink.str(`${v.num} ${v.gen} R`);
  else if (Array.isArray(v)) {
    sink.str('[');
    v.forEach((x, i) => {
      if (i > 0) sink.str(' ');
      writeObject(sink, x, depth + 1);
    });
    sink.str(']');
  } else if (v instanceof PdfDict) {
    sink.str('<<');
    for (const [k, x] of v.entries()) {
      sink.str(formatName(PdfName.of(k)));
      // Names, arrays, dictionaries and strings are self-delimiting; others need a space.
      if (typeof x === 'number' || typeof x === 'boolean' || x === null || x instanceof PdfRef)
        sink.str(' ');
      writeObject(sink, x, depth + 1);
    }
    sink.str('>>');
  }
}

/** Serialises an indirect object `num gen obj ... endobj` (streams with their exact /Length). */
export function writeIndirect(sink: ByteSink, ref: PdfRef, v: PdfValue): void {
  sink.str(`${ref.num} ${ref.gen} obj\n`);
  if (v instanceof PdfStream) {
    const d = new PdfDict(v.dict.entries());
    d.set('Length', v.data.length);
    writeObject(sink, d);
    sink.str('\nstream\n');
    sink.bytes(v.data);
    sink.str('\nendstream\nendobj\n');
  } else {
    writeObject(sink, v);
    sink.str('\nendobj\n');
  }
}

/** Serialises one object to bytes (tests, content streams). */
export function objectToBytes(v: PdfObject): Uint8Array {
  const s = new ByteSink();
  writeObject(s, v);
  return s.toBytes();
}
