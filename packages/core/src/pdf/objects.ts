/** The PDF object model (ISO 32000-1 clause 7.3): names, strings, arrays, dictionaries, streams, references. @module */

/** A PDF name object (§7.3.5), stored decoded (`#xx` escapes resolved) and interned so `===` compares. */
export class PdfName {
  private static readonly table = new Map<string, PdfName>();
  private constructor(readonly name: string) {}

  /** The interned name (without the leading slash). */
  static of(name: string): PdfName {
    let n = PdfName.table.get(name);
    if (n === undefined) {
      // why: names from hostile files are unbounded; only short ones are worth interning.
      n = new PdfName(name);
      if (name.length <= 64 && PdfName.table.size < 100_000) PdfName.table.set(name, n);
    }
    return n;
  }

  toString(): string {
    return `/${this.name}`;
  }
}

/** A PDF string object (§7.3.4): raw bytes, and whether the file wrote it as a hex string. */
export class PdfString {
  constructor(
    readonly bytes: Uint8Array,
    readonly hex = false,
  ) {}

  /** A string from Latin-1 text (PDFDocEncoding agrees with Latin-1 on printable ASCII). */
  static latin1(text: string): PdfString {
    return new PdfString(new Uint8Array(Buffer.from(text, 'latin1')));
  }

  /** A text string (§7.9.2.2): PDFDocEncoding when ASCII, otherwise UTF-16BE with a BOM. */
  static text(text: string): PdfString {
    if (/^[\x20-\x7e]*$/.test(text)) return PdfString.latin1(text);
    const buf = Buffer.alloc(2 + text.length * 2);
    buf[0] = 0xfe;
    buf[1] = 0xff;
    for (let i = 0; i < text.length; i++) buf.writeUInt16BE(text.charCodeAt(i), 2 + i * 2);
    return new PdfString(new Uint8Array(buf));
  }

  /** Decodes a text string: UTF-16BE (BOM), UTF-8 (BOM, PDF 2.0) or PDFDocEncoding (Latin-1 approximation). */
  toText(): string {
    const b = this.bytes;
    if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
      let s = '';
      for (let i = 2; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
      return s;
    }
    if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf)
      return Buffer.from(b.subarray(3)).toString('utf8');
    return Buffer.from(b).toString('latin1');
  }
}

/** An indirect reference `num gen R` (§7.3.10). */
export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}

  /** True when both name the same object. */
  equals(other: PdfRef): boolean {
    return this.num === other.num && this.gen === other.gen;
  }

  /** A map key for this reference. */
  get key(): string {
    return `${this.num} ${this.gen}`;
  }

  toString(): string {
    return `${this.num} ${this.gen} R`;
  }
}

/** A PDF array (§7.3.6). */
export type PdfArray = PdfObject[];

/** A PDF dictionary (§7.3.7): keys are names without the slash, insertion order kept for faithful rewriting. */
export class PdfDict {
  readonly map: Map<string, PdfObject>;

  constructor(entries?: Iterable<readonly [string, PdfObject]>) {
    this.map = new Map(entries);
  }

  get(key: string): PdfObject | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  set(key: string, value: PdfObject): this {
    this.map.set(key, value);
    return this;
  }

  delete(key: string): boolean {
    return this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }

  entries(): IterableIterator<[string, PdfObject]> {
    return this.map.entries();
  }

  /** The value as a name string, when it is a name. */
  getName(key: string): string | undefined {
    const v = this.map.get(key);
    return v instanceof PdfName ? v.name : undefined;
  }
}

/** A stream object (§7.3.8): its dictionary and its still-encoded data. */
export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    /** The encoded bytes (a view into the file for streams read from one). */
    readonly data: Uint8Array,
  ) {}
}

/** Any PDF object. `null` is the PDF null object. Numbers are JS numbers (integers and reals). */
export type PdfObject = null | boolean | number | PdfName | PdfString | PdfArray | PdfDict | PdfRef;

/** What an indirect object can hold: any object or a stream. */
export type PdfValue = PdfObject | PdfStream;

/** Shorthand for `PdfName.of`. */
export const name = (n: string): PdfName => PdfName.of(n);

/** A dictionary from a plain record (undefined values skipped). */
export function dict(entries: Record<string, PdfObject | undefined>): PdfDict {
  const d = new PdfDict();
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) d.set(k, v);
  return d;
}

/** True for a PDF array. */
export function isArray(v: PdfValue | undefined): v is PdfArray {
  return Array.isArray(v);
}

/** A deep copy of a direct object (references are kept as references; streams are shared). */
export function cloneObject<T extends PdfValue>(v: T, depth = 0): T {
  if (depth > 128) throw new RangeError('Object nesting too deep to copy');
  if (Array.isArray(v)) return v.map((x) => cloneObject(x, depth + 1)) as T;
  if (v instanceof PdfDict) {
    const d = new PdfDict();
    for (const [k, x] of v.entries()) d.set(k, cloneObject(x, depth + 1));
    return d as T;
  }
  return v;
}
