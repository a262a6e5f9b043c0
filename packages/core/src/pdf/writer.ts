/**
 * The incremental writer (ISO 32000-1 §7.5.6): appends changed and new objects, a cross-reference
 * section in the input's style (table §7.5.4, or stream §7.5.8) and a trailer carrying every old
 * entry plus /Prev, keeping /ID[0] (§14.4). The original bytes are copied once and never changed.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { PdfParseError } from '../errors/index.js';
import type { PdfDocument } from './document.js';
import {
  cloneObject,
  PdfDict,
  PdfName,
  PdfRef,
  PdfStream,
  PdfString,
  type PdfObject,
  type PdfValue,
} from './objects.js';
import { ByteSink, writeIndirect, writeObject } from './serialize.js';

/** An object whose body is already serialised (used for the signature dictionary, whose byte layout matters). */
export class RawBody {
  constructor(readonly bytes: Uint8Array) {}
}

/** The result of `IncrementalWriter.write`. */
export interface WrittenUpdate {
  /** The whole new file: the original bytes followed by the update. */
  readonly bytes: Uint8Array;
  /** Absolute byte offset of each written object's `n g obj` line, by object number. */
  readonly offsets: ReadonlyMap<number, number>;
  /** Absolute offset of the body (just after `n g obj\n`) of each written object. */
  readonly bodyOffsets: ReadonlyMap<number, number>;
  /** Offset where the update starts (the original length, plus an EOL if the file lacked one). */
  readonly updateStart: number;
  /** The new startxref value. */
  readonly startxref: number;
}

/** Options of the writer. */
export interface IncrementalWriterOptions {
  /** Force a cross-reference style; by default the input's (§7.5.8: an xref stream if the chain has one). */
  readonly xrefStyle?: 'table' | 'stream';
  /** The second /ID element (default: 16 random bytes). */
  readonly id1?: Uint8Array;
}

/** Collects object changes for one incremental update of `doc`. */
export class IncrementalWriter {
  private readonly objects = new Map<number, { ref: PdfRef; value: PdfValue | RawBody }>();
  private nextNum: number;
  readonly xrefStyle: 'table' | 'stream';

  constructor(
    readonly doc: PdfDocument,
    private readonly options: IncrementalWriterOptions = {},
  ) {
    // New objects start at the newest trailer's /Size (§7.5.6, Table 15).
    this.nextNum = Math.max(doc.size, 1);
    this.xrefStyle = options.xrefStyle ?? (doc.usesXrefStreams ? 'stream' : 'table');
  }

  /** A fresh object number (generation 0). */
  allocate(): PdfRef {
    return new PdfRef(this.nextNum++, 0);
  }

  /** Writes `value` as object `ref` (a new object, or a new version of an existing one, same generation). */
  set(ref: PdfRef, value: PdfValue | RawBody): void {
    if (ref.num <= 0) throw new RangeError('Object 0 cannot be written');
    this.objects.set(ref.num, { ref, value });
  }

  /** Adds a new object and returns its reference. */
  add(value: PdfValue | RawBody): PdfRef {
    const ref = this.allocate();
    this.set(ref, value);
    return ref;
  }

  /** True when the update already rewrites object `ref`. */
  has(ref: PdfRef): boolean {
    return this.objects.has(ref.num);
  }

  /**
   * A private copy of an existing dictionary, registered to be written: change it freely. Returns
   * the pending copy when the object is already part of this update.
   * @throws {PdfParseError} ERR_PDF_PARSE when `ref` is not a dictionary in the document
   */
  editDict(ref: PdfRef): PdfDict {
    const v = this.editable(ref);
    if (!(v instanceof PdfDict))
      throw new PdfParseError(`Object ${ref.toString()} is not a dictionary`);
    return v;
  }

  /**
   * A private copy of an existing array, registered to be written (see `editDict`).
   * @throws {PdfParseError} ERR_PDF_PARSE when `ref` is not an array in the document
   */
  editArray(ref: PdfRef): PdfObject[] {
    const v = this.editable(ref);
    if (!Array.isArray(v)) throw new PdfParseError(`Object ${ref.toString()} is not an array`);
    return v;
  }

  private editable(ref: PdfRef): PdfValue | RawBody {
    const pending = this.objects.get(ref.num);
    if (pending !== undefined) return pending.value;
    const v = this.doc.getObject(ref);
    // Only dictionaries and arrays are edited; anything else is returned unregistered for the caller to refuse.
    if (!(v instanceof PdfDict) && !Array.isArray(v)) return v;
    const copy = cloneObject(v);
    this.set(ref, copy);
    return copy;
  }

  /** The numbers of the objects this update writes. */
  get writtenNumbers(): number[] {
    return [...this.objects.keys()].sort((a, b) => a - b);
  }

  /**
   * Serialises the update after the original bytes and returns the new file.
   * @throws {PdfParseError} ERR_PDF_PARSE when the document's trailer is unusable
   */
  write(): WrittenUpdate {
    const orig = this.doc.bytes;
    const sink = new ByteSink();
    // PDFBox PDFBOX-1051: start on a fresh line when the file lacks a final EOL.
    const last = orig[orig.length - 1];
    const sep = last === 0x0a || last === 0x0d ? 0 : 1;
    if (sep) sink.str('\n');
    const base = orig.length;
    const offsets = new Map<number, number>();
    const bodyOffsets = new Map<number, number>();
    const xrefRef = this.xrefStyle === 'stream' ? this.allocate() : undefined;
    for (const num of this.writtenNumbers) {
      const { ref, value } = this.objects.get(num)!;
      offsets.set(num, base + sink.length);
      if (value instanceof RawBody) {
        const head = `${ref.num} ${ref.gen} obj\n`;
        sink.str(head);
        bodyOffsets.set(num, base + sink.length);
        sink.bytes(value.bytes);
        sink.str('\nendobj\n');
      } else {
        const before = sink.length;
        writeIndirect(sink, ref, value);
        bodyOffsets.set(num, base + before + `${ref.num} ${ref.gen} obj\n`.length);
      }
    }
    const startxref = base + sink.length;
    const trailer = this.trailerDict();
    const size = Math.max(this.doc.size, this.nextNum);
    trailer.set('Size', size);
    trailer.set('Prev', this.doc.startxref);
    if (xrefRef === undefined) {
      this.writeTable(sink, offsets, trailer);
    } else {
      offsets.set(xrefRef.num, startxref);
      this.writeStream(sink, xrefRef, offsets, trailer, startxref);
    }
    sink.str(`startxref\n${startxref}\n%%EOF\n`);
    const out = Buffer.allocUnsafe(base + sink.length);
    out.set(orig, 0);
    sink.copyTo(out, base);
    return { bytes: out, offsets, bodyOffsets, updateStart: base + sep, startxref };
  }

  private trailerDict(): PdfDict {
    const old = this.doc.trailer;
    const t = new PdfDict();
    // Every entry of the previous trailer is carried over (§7.5.6), except chain and stream keys.
    const drop = new Set([
      'Prev',
      'XRefStm',
      'Type',
      'W',
      'Index',
      'Length',
      'Filter',
      'DecodeParms',
      'Size',
    ]);
    for (const [k, v] of old.entries()) if (!drop.has(k)) t.set(k, cloneObject(v));
    // §14.4: ID[0] is permanent; ID[1] changes with each update.
    const id1 = new PdfString(this.options.id1 ?? new Uint8Array(randomBytes(16)), true);
    const oldId = this.doc.resolveArray(old.get('ID'));
    const id0 = oldId?.[0];
    t.set('ID', [id0 instanceof PdfString ? new PdfString(id0.bytes, true) : id1, id1]);
    return t;
  }

  private runs(nums: number[]): [number, number][] {
    const runs: [number, number][] = [];
    for (const n of nums) {
      const r = runs[runs.length - 1];
      if (r && r[0] + r[1] === n) r[1]++;
      else runs.push([n, 1]);
    }
    return runs;
  }

  private writeTable(sink: ByteSink, offsets: Map<number, number>, trailer: PdfDict): void {
    const nums = [...offsets.keys()].sort((a, b) => a - b);
    sink.str('xref\n0 1\n0000000000 65535 f \n');
    for (const [first, count] of this.runs(nums)) {
      sink.str(`${first} ${count}\n`);
      for (let n = first; n < first + count; n++) {
        const gen = this.objects.get(n)!.ref.gen;
        sink.str(
          `${String(offsets.get(n)!).padStart(10, '0')} ${String(gen).padStart(5, '0')} n \n`,
        );
      }
    }
    sink.str('trailer\n');
    writeObject(sink, trailer);
    sink.str('\n');
  }

  private writeStream(
    sink: ByteSink,
    ref: PdfRef,
    offsets: Map<number, number>,
    trailer: PdfDict,
    selfOffset: number,
  ): void {
    const nums = [...offsets.keys()].sort((a, b) => a - b);
    let w1 = 1;
    while (selfOffset >= 2 ** (8 * w1)) w1++;
    const rowLen = 1 + w1 + 2;
    const rows = Buffer.alloc(nums.length * rowLen);
    nums.forEach((n, i) => {
      const p = i * rowLen;
      rows[p] = 1;
      let off = offsets.get(n)!;
      for (let k = w1; k >= 1; k--) {
        rows[p + k] = off % 256;
        off = Math.floor(off / 256);
      }
      const gen = n === ref.num ? 0 : this.objects.get(n)!.ref.gen;
      rows.writeUInt16BE(gen, p + 1 + w1);
    });
    const d = new PdfDict();
    d.set('Type', PdfName.of('XRef'));
    for (const [k, v] of trailer.entries()) d.set(k, v);
    d.set('W', [1, w1, 2]);
    d.set('Index', this.runs(nums).flat());
    d.set('Filter', PdfName.of('FlateDecode'));
    writeIndirect(sink, ref, new PdfStream(d, new Uint8Array(deflateSync(rows))));
  }
}
