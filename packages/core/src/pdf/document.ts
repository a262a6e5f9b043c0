/**
 * The strict PDF reader (ISO 32000-1 clause 7.5: header, xref tables and streams, object streams,
 * trailers and the incremental-update chain). It follows only startxref and /Prev, never repairs,
 * refuses hybrid-reference and encrypted files by default, and bounds every loop and allocation.
 * @module
 */
import {
  InputTooLargeError,
  PdfEncryptedError,
  PdfHybridXrefError,
  PdfLimitError,
  PdfParseError,
} from '../errors/index.js';
import { decodeStream, DEFAULT_MAX_DECODED_BYTES } from './filters.js';
import { PdfDict, PdfName, PdfRef, PdfStream, type PdfObject, type PdfValue } from './objects.js';
import { isWhitespace, PdfLexer } from './syntax.js';

/** Options of `openPdf`. */
export interface OpenPdfOptions {
  /** Read hybrid-reference files (classic trailer with /XRefStm). Default false: ERR_PDF_HYBRID_XREF. */
  readonly allowHybrid?: boolean;
  /** Largest file accepted, in bytes (default 2 GiB). */
  readonly maxFileBytes?: number;
  /** Most cross-reference entries over all sections (default 10,000,000). */
  readonly maxObjects?: number;
  /** Most revisions (xref sections on the /Prev chain; default 100,000). */
  readonly maxRevisions?: number;
  /** Largest decoded size of one stream (default 256 MiB). */
  readonly maxDecodedBytes?: number;
  /** Most pages (default 1,000,000). */
  readonly maxPages?: number;
}

/** One cross-reference entry (§7.5.4 and Table 18). */
export type XrefEntry =
  | { readonly type: 'free'; readonly gen: number }
  | { readonly type: 'offset'; readonly offset: number; readonly gen: number }
  | { readonly type: 'compressed'; readonly stream: number; readonly index: number };

/** One cross-reference section as found in the file. */
export interface PdfXrefSection {
  /** 'table' (§7.5.4) or 'stream' (§7.5.8). */
  readonly kind: 'table' | 'stream';
  /** Byte offset of the section: the `xref` keyword, or the `n g obj` of the xref stream. */
  readonly offset: number;
  /** Byte after the trailer dictionary (table) or after `endobj` (stream). */
  readonly end: number;
  /** The trailer dictionary (for a stream: the stream's dictionary). */
  readonly trailer: PdfDict;
  /** The entries this section defines. */
  readonly entries: ReadonlyMap<number, XrefEntry>;
  /** The xref stream a hybrid table points to with /XRefStm (only with `allowHybrid`). */
  readonly hybridStream?: PdfXrefSection;
}

/** One revision: the original file or one incremental update (§7.5.6). */
export interface PdfRevision {
  /** 0 for the original document, then 1, 2, ... in file order. */
  readonly index: number;
  /** Its xref sections, newest first (two for a linearized original: first-page and main). */
  readonly sections: readonly PdfXrefSection[];
  /** The startxref value that designates this revision. */
  readonly startxref: number;
  /** The revision is the byte range [0, end): end is just after its `%%EOF` and end-of-line. */
  readonly end: number;
  /** The trailer of its newest section. */
  readonly trailer: PdfDict;
  /** Whether its newest section is a table or a stream. */
  readonly xrefStyle: 'table' | 'stream';
}

type Located =
  | { kind: 'offset'; offset: number; gen: number }
  | { kind: 'compressed'; stream: number; index: number };

interface ObjStm {
  readonly data: Uint8Array;
  readonly first: number;
  readonly nums: number[];
  readonly offsets: number[];
  readonly dataOffset: number;
}

const MAX_REF_CHAIN = 32;

/** A parsed PDF: its bytes, revisions, and a resolver for objects in any revision. */
export class PdfDocument {
  /** The PDF version from the header, e.g. "1.7". */
  readonly version: string;
  /** Revisions, oldest first. */
  readonly revisions: readonly PdfRevision[];
  /**
   * Per object number, the entry each revision that lists it gives it, oldest first: built once in
   * O(entries). Looking an object up as of any revision is a binary search, so views of many
   * revisions never cost a full table each (a hostile file can have thousands of revisions).
   */
  private versionIndex: Map<number, { rev: number; entry: XrefEntry }[]> | undefined;
  /** A few full tables (the newest, and the last ones asked for). */
  private readonly merged = new Map<number, Map<number, XrefEntry>>();
  private readonly cache = new Map<string, PdfValue>();
  private readonly objStms = new Map<number, ObjStm>();
  private resolving = 0;
  readonly maxDecodedBytes: number;
  readonly maxPages: number;

  /** @internal use `openPdf`. */
  constructor(
    /** The file, never modified. */
    readonly bytes: Uint8Array,
    version: string,
    revisions: PdfRevision[],
    options: OpenPdfOptions,
  ) {
    this.version = version;
    this.revisions = revisions;
    this.maxDecodedBytes = options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES;
    this.maxPages = options.maxPages ?? 1_000_000;
  }

  /** The newest revision. */
  get latest(): PdfRevision {
    return this.revisions[this.revisions.length - 1]!;
  }

  /** The newest trailer. */
  get trailer(): PdfDict {
    return this.latest.trailer;
  }

  /** The startxref value of the newest revision (the /Prev of an update appended now). */
  get startxref(): number {
    return this.latest.startxref;
  }

  /** True when any section on the chain is an xref stream: updates are then written as xref streams (§7.5.8). */
  get usesXrefStreams(): boolean {
    return this.revisions.some((r) => r.sections.some((s) => s.kind === 'stream'));
  }

  private versions(): Map<number, { rev: number; entry: XrefEntry }[]> {
    if (this.versionIndex !== undefined) return this.versionIndex;
    const index = new Map<number, { rev: number; entry: XrefEntry }[]>();
    this.revisions.forEach((r, rev) => {
      const own = new Map<number, XrefEntry>();
      // Oldest section first so newer ones override.
      for (let i = r.sections.length - 1; i >= 0; i--) {
        const s = r.sections[i]!;
        for (const [n, e] of s.entries) own.set(n, e);
        if (s.hybridStream)
          for (const [n, e] of s.hybridStream.entries) {
            const t = s.entries.get(n);
            if (t === undefined || t.type === 'free') own.set(n, e);
          }
      }
      for (const [n, entry] of own) {
        const list = index.get(n);
        if (list === undefined) index.set(n, [{ rev, entry }]);
        else list.push({ rev, entry });
      }
    });
    this.versionIndex = index;
    return index;
  }

  /** The merged entry table as of `revision` (default newest). */
  entriesAt(revision = this.revisions.length - 1): ReadonlyMap<number, XrefEntry> {
    let m = this.merged.get(revision);
    if (m === undefined) {
      m = new Map<number, XrefEntry>();
      for (const n of this.versions().keys()) {
        const e = this.entry(n, revision);
        if (e !== undefined) m.set(n, e);
      }
      const newest = this.revisions.length - 1;
      if (this.merged.size >= 3) {
        for (const k of this.merged.keys())
          if (k !== newest) {
            this.merged.delete(k);
            break;
          }
      }
      this.merged.set(revision, m);
    }
    return m;
  }

  /** The cross-reference entry of object `num` as of `revision` (default newest). */
  entry(num: number, revision = this.revisions.length - 1): XrefEntry | undefined {
    const list = this.versions().get(num);
    if (list === undefined) return undefined;
    // The newest version at or before `revision`.
    let lo = 0;
    let hi = list.length - 1;
    let found: XrefEntry | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = list[mid]!;
      if (v.rev <= revision) {
        found = v.entry;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The highest object number in use plus one, as the newest trailer's /Size says (checked against entries). */
  get size(): number {
    const s = this.trailer.get('Size');
    return typeof s === 'number' ? s : 0;
  }

  /**
   * The object `ref` points to, as of `revision` (default newest); `null` for free or undefined
   * objects (§7.3.10), as for the null object.
   * @throws {PdfParseError} ERR_PDF_PARSE when the object is not where the xref says
   */
  getObject(ref: PdfRef, revision?: number): PdfValue {
    const e = this.entry(ref.num, revision);
    if (e === undefined || e.type === 'free') return null;
    if (e.type === 'offset') {
      if (e.gen !== ref.gen) return null;
      return this.loadAt({ kind: 'offset', offset: e.offset, gen: e.gen }, ref.num);
    }
    if (ref.gen !== 0) return null;
    return this.loadAt({ kind: 'compressed', stream: e.stream, index: e.index }, ref.num, revision);
  }

  /** Follows references until a direct value (bounded). */
  resolve(v: PdfValue | undefined, revision?: number): PdfValue | undefined {
    let cur = v;
    for (let i = 0; i < MAX_REF_CHAIN && cur instanceof PdfRef; i++)
      cur = this.getObject(cur, revision);
    if (cur instanceof PdfRef)
      throw new PdfParseError(`Reference chain too long at ${cur.toString()}`);
    return cur;
  }

  /** Resolves `v` and returns it when it is a dictionary (a stream's dictionary does not count). */
  resolveDict(v: PdfValue | undefined, revision?: number): PdfDict | undefined {
    const r = this.resolve(v, revision);
    return r instanceof PdfDict ? r : undefined;
  }

  /** Resolves `v` and returns it when it is an array. */
  resolveArray(v: PdfValue | undefined, revision?: number): PdfObject[] | undefined {
    const r = this.resolve(v, revision);
    return Array.isArray(r) ? r : undefined;
  }

  /** Resolves `v` and returns it when it is a number. */
  resolveNumber(v: PdfValue | undefined, revision?: number): number | undefined {
    const r = this.resolve(v, revision);
    return typeof r === 'number' ? r : undefined;
  }

  /**
   * The decoded data of a stream.
   * @throws {PdfParseError} ERR_PDF_PARSE / {PdfUnsupportedError} ERR_PDF_UNSUPPORTED / {PdfLimitError} ERR_PDF_LIMIT
   */
  decode(stream: PdfStream): Uint8Array {
    return decodeStream(stream, this.maxDecodedBytes);
  }

  /** The document catalog (newest trailer /Root). */
  get catalog(): PdfDict {
    const root = this.trailer.get('Root');
    const d = this.resolveDict(root);
    if (!(root instanceof PdfRef) || d === undefined)
      throw new PdfParseError('Trailer /Root is not a reference to a dictionary');
    return d;
  }

  /** Where object `num` lives as of `revision`: its byte offset or its object stream. */
  locate(num: number, revision?: number): XrefEntry | undefined {
    return this.entry(num, revision);
  }

  private loadAt(loc: Located, num: number, revision?: number): PdfValue {
    // Keys name the bytes, not the number, so views of different revisions share what is the same.
    const key =
      loc.kind === 'offset'
        ? `o${loc.offset}`
        : `s${this.objStmOffset(loc.stream, revision)}:${loc.index}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    if (++this.resolving > 64) {
      this.resolving = 0;
      throw new PdfLimitError('maxDepth', 'Object resolution nested too deeply (a cycle?)');
    }
    try {
      const v =
        loc.kind === 'offset'
          ? this.parseIndirect(loc.offset, num, loc.gen, this.definingRevision(num, loc.offset))
          : this.fromObjStm(loc.stream, loc.index, num, revision);
      this.cache.set(key, v);
      return v;
    } finally {
      this.resolving--;
    }
  }

  /** The oldest revision whose xref puts object `num` at `offset` (where its indirect /Length is read). */
  private definingRevision(num: number, offset: number): number | undefined {
    return this.versions()
      .get(num)
      ?.find((v) => v.entry.type === 'offset' && v.entry.offset === offset)?.rev;
  }

  /** The byte offset of object stream `streamNum` as of `revision` (it must be an uncompressed object). */
  private objStmOffset(streamNum: number, revision?: number): number {
    const e = this.entry(streamNum, revision);
    if (e === undefined || e.type !== 'offset')
      throw new PdfParseError(`Object stream ${streamNum} is not an uncompressed object`);
    return e.offset;
  }

  /**
   * Parses `num gen obj ... endobj` at `offset` (checks the numbers match). An indirect /Length
   * is read as of `revision`: the revision that defines the object, so later updates cannot
   * change how earlier bytes parse.
   */
  parseIndirect(
    offset: number,
    num: number | undefined,
    gen: number | undefined,
    revision?: number,
  ): PdfValue {
    const lx = new PdfLexer(this.bytes, offset);
    const n = lx.readUnsigned('object number');
    const g = lx.readUnsigned('generation number');
    lx.expectKeyword('obj');
    if ((num !== undefined && n !== num) || (gen !== undefined && g !== gen))
      throw new PdfParseError(`The xref points to object ${n} ${g}, expected ${num} ${gen}`, {
        offset,
      });
    const value = lx.parseObject() as PdfObject;
    lx.skipWs();
    if (value instanceof PdfDict && lx.peekKeyword('stream')) {
      lx.expectKeyword('stream');
      // §7.3.8.1: `stream` is followed by CRLF or LF (a lone CR is not allowed).
      const b = this.bytes;
      if (b[lx.pos] === 0x0d && b[lx.pos + 1] === 0x0a) lx.pos += 2;
      else if (b[lx.pos] === 0x0a) lx.pos += 1;
      else throw lx.error('"stream" not followed by an end-of-line');
      const lenObj = value.get('Length');
      const len = lenObj instanceof PdfRef ? this.resolveNumber(lenObj, revision) : lenObj;
      if (typeof len !== 'number' || !Number.isInteger(len) || len < 0)
        throw lx.error('Stream /Length is missing or not an integer');
      const start = lx.pos;
      if (start + len > b.length) throw lx.error('Stream runs past the end of the file');
      lx.pos = start + len;
      lx.expectKeyword('endstream');
      lx.expectKeyword('endobj');
      return new PdfStream(value, b.subarray(start, start + len));
    }
    lx.expectKeyword('endobj');
    return value;
  }

  private objStm(streamNum: number, revision?: number): ObjStm {
    // §7.5.7: an object stream is itself an ordinary (uncompressed) object of generation 0.
    const e = this.entry(streamNum, revision);
    if (e === undefined || e.type !== 'offset')
      throw new PdfParseError(`Object stream ${streamNum} is not an uncompressed object`);
    let os = this.objStms.get(e.offset);
    if (os !== undefined) return os;
    const s = this.loadAt({ kind: 'offset', offset: e.offset, gen: e.gen }, streamNum, revision);
    if (!(s instanceof PdfStream) || s.dict.getName('Type') !== 'ObjStm')
      throw new PdfParseError(`Object ${streamNum} is not an object stream`, { offset: e.offset });
    const n = s.dict.get('N');
    const first = s.dict.get('First');
    if (typeof n !== 'number' || typeof first !== 'number' || n < 0 || first < 0)
      throw new PdfParseError(`Object stream ${streamNum} lacks /N or /First`, {
        offset: e.offset,
      });
    if (n > 1_000_000) throw new PdfLimitError('maxObjects', 'Object stream /N too large');
    const data = this.decode(s);
    if (first > data.length)
      throw new PdfParseError(`Object stream ${streamNum}: /First past the data`);
    const lx = new PdfLexer(data, 0, first);
    const nums: number[] = [];
    const offsets: number[] = [];
    for (let i = 0; i < n; i++) {
      nums.push(lx.readUnsigned('object number in object stream header'));
      const off = lx.readUnsigned('offset in object stream header');
      if (first + off > data.length)
        throw new PdfParseError(`Object stream ${streamNum}: offset past the data`);
      offsets.push(off);
    }
    os = { data, first, nums, offsets, dataOffset: e.offset };
    this.objStms.set(e.offset, os);
    return os;
  }

  private fromObjStm(streamNum: number, index: number, num: number, revision?: number): PdfValue {
    const os = this.objStm(streamNum, revision);
    if (index >= os.nums.length || os.nums[index] !== num)
      throw new PdfParseError(
        `Object stream ${streamNum} does not hold object ${num} at index ${index}`,
      );
    const start = os.first + os.offsets[index]!;
    const end = index + 1 < os.offsets.length ? os.first + os.offsets[index + 1]! : os.data.length;
    const lx = new PdfLexer(os.data, start, Math.max(start, end));
    const v = lx.parseObject() as PdfObject;
    if (v instanceof PdfRef)
      throw new PdfParseError(`Object ${num} in object stream ${streamNum} is a bare reference`);
    return v;
  }
}

// ---------------------------------------------------------------------------------------------
// Opening: header, startxref, sections, revisions.

function parseHeader(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 32))).toString('latin1');
  const m = /^%PDF-(\d\.\d)/.exec(head);
  if (!m) throw new PdfParseError('Not a PDF: the file does not start with %PDF-', { offset: 0 });
  return m[1]!;
}

const EOF_MARK = Buffer.from('%%EOF', 'latin1');

/** Reads `startxref N %%EOF` at `pos` (only whitespace before); returns N and the byte after the EOL. */
function readStartxrefTail(
  bytes: Uint8Array,
  pos: number,
): { value: number; end: number; at: number } {
  let p = pos;
  while (p < bytes.length && isWhitespace(bytes[p])) p++;
  const lx = new PdfLexer(bytes, p);
  const at = p;
  const kw = lx.readRegular();
  if (kw !== 'startxref')
    throw new PdfParseError('Expected "startxref" after the cross-reference section', {
      offset: at,
    });
  const value = lx.readUnsigned('startxref offset');
  p = lx.pos;
  while (p < bytes.length && isWhitespace(bytes[p])) p++;
  if (
    !Buffer.from(bytes.buffer, bytes.byteOffset + p, Math.min(5, bytes.length - p)).equals(EOF_MARK)
  )
    throw new PdfParseError('Expected "%%EOF" after startxref', { offset: p });
  p += 5;
  if (bytes[p] === 0x0d) p++;
  if (bytes[p] === 0x0a) p++;
  return { value, end: p, at };
}

function findLastStartxref(bytes: Uint8Array): { value: number; end: number } {
  // Only whitespace may follow the final %%EOF: anything else is an unparsed (maybe hostile) tail.
  let e = bytes.length;
  while (e > 0 && isWhitespace(bytes[e - 1])) e--;
  if (e < 5 || !Buffer.from(bytes.buffer, bytes.byteOffset + e - 5, 5).equals(EOF_MARK))
    throw new PdfParseError('The file does not end with %%EOF (truncated or trailing data)', {
      offset: e,
    });
  const tail = Buffer.from(bytes.buffer, bytes.byteOffset, e);
  const at = tail.lastIndexOf('startxref', e - 5, 'latin1');
  if (at < 0 || e - at > 64)
    throw new PdfParseError('No startxref before the final %%EOF', { offset: e - 5 });
  const r = readStartxrefTail(bytes, at);
  return { value: r.value, end: r.end };
}

interface ChainContext {
  readonly bytes: Uint8Array;
  readonly options: OpenPdfOptions;
  entryCount: number;
  doc: PdfDocument | undefined;
}

function addEntry(
  ctx: ChainContext,
  entries: Map<number, XrefEntry>,
  num: number,
  e: XrefEntry,
  at: number,
): void {
  if (++ctx.entryCount > (ctx.options.maxObjects ?? 10_000_000))
    throw new PdfLimitError('maxObjects', 'Too many cross-reference entries', { offset: at });
  // why: a section that lists an object twice can be read two ways.
  if (entries.has(num))
    throw new PdfParseError(`Object ${num} is listed twice in one xref section`, { offset: at });
  entries.set(num, e);
}

function parseXrefTable(ctx: ChainContext, offset: number): PdfXrefSection {
  const b = ctx.bytes;
  const lx = new PdfLexer(b, offset);
  lx.expectKeyword('xref');
  const entries = new Map<number, XrefEntry>();
  for (;;) {
    lx.skipWs();
    if (lx.peekKeyword('trailer')) break;
    const first = lx.readUnsigned('xref subsection start');
    const count = lx.readUnsigned('xref subsection count');
    if (first + count > 0x7fffffff) throw lx.error('xref subsection out of range');
    // The entries begin on the next line.
    while (lx.pos < b.length && (b[lx.pos] === 0x20 || b[lx.pos] === 0x09)) lx.pos++;
    if (b[lx.pos] === 0x0d) lx.pos++;
    if (b[lx.pos] === 0x0a) lx.pos++;
    if (lx.pos + count * 20 > b.length) throw lx.error('xref subsection runs past the end of file');
    for (let i = 0; i < count; i++) {
      const p = lx.pos;
      const line = Buffer.from(b.buffer, b.byteOffset + p, 20).toString('latin1');
      // §7.5.4: exactly 20 bytes: 10-digit offset, space, 5-digit generation, space, n|f, 2-byte EOL.
      const m = /^(\d{10}) (\d{5}) ([nf])( \r| \n|\r\n)$/.exec(line);
      if (!m) throw lx.error('Malformed xref entry (each entry must be exactly 20 bytes)', p);
      const off = Number(m[1]);
      const gen = Number(m[2]);
      if (m[3] === 'n') {
        if (off >= b.length)
          throw lx.error(`xref entry for object ${first + i} points past the end of file`, p);
        addEntry(ctx, entries, first + i, { type: 'offset', offset: off, gen }, p);
      } else addEntry(ctx, entries, first + i, { type: 'free', gen }, p);
      lx.pos += 20;
    }
  }
  lx.expectKeyword('trailer');
  const trailer = lx.parseObject();
  if (!(trailer instanceof PdfDict)) throw lx.error('Trailer is not a dictionary');
  checkSectionSize(trailer, entries, offset);
  let hybridStream: PdfXrefSection | undefined;
  const xrefStm = trailer.get('XRefStm');
  if (xrefStm !== undefined) {
    if (ctx.options.allowHybrid !== true) throw new PdfHybridXrefError(offset);
    if (
      typeof xrefStm !== 'number' ||
      !Number.isInteger(xrefStm) ||
      xrefStm < 0 ||
      xrefStm >= b.length
    )
      throw new PdfParseError('/XRefStm is not a valid offset', { offset });
    hybridStream = parseXrefStream(ctx, xrefStm);
  }
  return {
    kind: 'table',
    offset,
    end: lx.pos,
    trailer,
    entries,
    ...(hybridStream === undefined ? {} : { hybridStream }),
  };
}

function checkSectionSize(trailer: PdfDict, entries: Map<number, XrefEntry>, offset: number): void {
  const size = trailer.get('Size');
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1)
    throw new PdfParseError('Trailer /Size is missing or invalid', { offset });
  for (const n of entries.keys())
    if (n >= size)
      throw new PdfParseError(`xref lists object ${n} but /Size is ${size}`, { offset });
}

function parseXrefStream(ctx: ChainContext, offset: number): PdfXrefSection {
  const doc = ctx.doc!;
  const lx = new PdfLexer(ctx.bytes, offset);
  lx.readUnsigned('object number');
  lx.readUnsigned('generation number');
  lx.expectKeyword('obj');
  // Parse through the document so an indirect /Length resolves with the entries known so far.
  const value = doc.parseIndirect(offset, undefined, undefined);
  if (!(value instanceof PdfStream) || value.dict.getName('Type') !== 'XRef')
    throw new PdfParseError('startxref/Prev does not point to "xref" or an xref stream', {
      offset,
    });
  const d = value.dict;
  const w = d.get('W');
  if (
    !Array.isArray(w) ||
    w.length !== 3 ||
    !w.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 8)
  )
    throw new PdfParseError('xref stream /W is invalid', { offset });
  const [w0, w1, w2] = w as [number, number, number];
  const size = d.get('Size');
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1)
    throw new PdfParseError('xref stream /Size is invalid', { offset });
  const indexObj = d.get('Index') ?? [0, size];
  if (
    !Array.isArray(indexObj) ||
    indexObj.length % 2 !== 0 ||
    !indexObj.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)
  )
    throw new PdfParseError('xref stream /Index is invalid', { offset });
  const data = decodeStream(value, doc.maxDecodedBytes, offset);
  const rowLen = w0 + w1 + w2;
  let total = 0;
  for (let i = 1; i < indexObj.length; i += 2) total += indexObj[i] as number;
  if (total * rowLen !== data.length)
    throw new PdfParseError(
      `xref stream holds ${data.length} bytes, /Index and /W need ${total * rowLen}`,
      { offset },
    );
  const entries = new Map<number, XrefEntry>();
  const field = (p: number, width: number): number => {
    let v = 0;
    for (let k = 0; k < width; k++) v = v * 256 + data[p + k]!;
    return v;
  };
  let p = 0;
  for (let i = 0; i < indexObj.length; i += 2) {
    const first = indexObj[i] as number;
    const count = indexObj[i + 1] as number;
    for (let k = 0; k < count; k++) {
      const type = w0 === 0 ? 1 : field(p, w0);
      const f2 = field(p + w0, w1);
      const f3 = field(p + w0 + w1, w2);
      p += rowLen;
      const num = first + k;
      if (type === 1) {
        if (f2 >= ctx.bytes.length)
          throw new PdfParseError(`xref stream entry for object ${num} points past the end`, {
            offset,
          });
        addEntry(ctx, entries, num, { type: 'offset', offset: f2, gen: f3 }, offset);
      } else if (type === 2) {
        addEntry(ctx, entries, num, { type: 'compressed', stream: f2, index: f3 }, offset);
      } else {
        // §7.5.8.3: type 0 is free; any other type stands for the null object.
        addEntry(ctx, entries, num, { type: 'free', gen: type === 0 ? f3 : 0 }, offset);
      }
    }
  }
  checkSectionSize(d, entries, offset);
  return {
    kind: 'stream',
    offset,
    end: endOfIndirect(ctx.bytes, value),
    trailer: d,
    entries,
  };
}

/** The byte after the `endobj` of the stream object at `offset`. */
function endOfIndirect(bytes: Uint8Array, s: PdfStream): number {
  const dataEnd = s.data.byteOffset - bytes.byteOffset + s.data.length;
  const lx = new PdfLexer(bytes, dataEnd);
  lx.expectKeyword('endstream');
  lx.expectKeyword('endobj');
  return lx.pos;
}

function parseSection(ctx: ChainContext, offset: number): PdfXrefSection {
  if (offset >= ctx.bytes.length)
    throw new PdfParseError('startxref/Prev points past the end', { offset });
  // The offset must land on the section; like pyHanko's strict reader, whitespace just before it is
  // skipped (@signpdf points startxref at the EOL before "xref"). Nothing else can be found there,
  // so the reading stays unambiguous. The section keeps the offset as written.
  let at = offset;
  while (at < ctx.bytes.length && at - offset < 16 && isWhitespace(ctx.bytes[at])) at++;
  const lx = new PdfLexer(ctx.bytes, at);
  if (lx.peekKeyword('xref') && !isWhitespace(ctx.bytes[at]))
    return { ...parseXrefTable(ctx, at), offset };
  const c = ctx.bytes[at];
  if (c === undefined || c < 0x30 || c > 0x39)
    throw new PdfParseError('startxref/Prev does not point to a cross-reference section', {
      offset,
    });
  return { ...parseXrefStream(ctx, at), offset };
}

/**
 * Opens a PDF strictly: header, the startxref/Prev chain of xref tables or streams, trailers.
 * Objects are parsed lazily; nothing is repaired.
 * @example const pdf = openPdf(bytes); const pages = getPages(pdf);
 * @throws {PdfParseError} ERR_PDF_PARSE for any structural error (with the byte offset)
 * @throws {PdfEncryptedError} ERR_PDF_ENCRYPTED when the trailer has /Encrypt
 * @throws {PdfHybridXrefError} ERR_PDF_HYBRID_XREF for a hybrid-reference file unless `allowHybrid`
 * @throws {PdfLimitError} ERR_PDF_LIMIT when a safety limit is exceeded
 * @throws {InputTooLargeError} ERR_INPUT_TOO_LARGE when the file exceeds `maxFileBytes`
 */
export function openPdf(bytes: Uint8Array, options: OpenPdfOptions = {}): PdfDocument {
  const maxFile = options.maxFileBytes ?? 2 * 1024 * 1024 * 1024;
  if (bytes.length > maxFile)
    throw new InputTooLargeError(`The PDF is larger than ${maxFile} bytes`, maxFile);
  const version = parseHeader(bytes);
  const tail = findLastStartxref(bytes);
  const ctx: ChainContext = { bytes, options, entryCount: 0, doc: undefined };
  // A provisional document lets xref streams resolve indirect /Length values through the
  // sections read so far (§7.5.8.2 forbids that, but it is harmless to resolve and check).
  const sections: PdfXrefSection[] = [];
  const provisional = (): PdfDocument =>
    new PdfDocument(
      bytes,
      version,
      sections.length === 0
        ? []
        : [
            {
              index: 0,
              sections: [...sections],
              startxref: tail.value,
              end: bytes.length,
              trailer: sections[0]!.trailer,
              xrefStyle: sections[0]!.kind,
            },
          ],
      options,
    );
  ctx.doc = provisional();
  const visited = new Set<number>();
  const maxRevisions = options.maxRevisions ?? 100_000;
  let offset: number | undefined = tail.value;
  while (offset !== undefined) {
    if (visited.has(offset)) throw new PdfParseError('The /Prev chain loops', { offset });
    visited.add(offset);
    if (visited.size > maxRevisions)
      throw new PdfLimitError('maxRevisions', 'Too many xref sections');
    const s = parseSection(ctx, offset);
    sections.push(s);
    ctx.doc = provisional();
    const prev = s.trailer.get('Prev');
    if (prev === undefined) offset = undefined;
    else if (typeof prev === 'number' && Number.isInteger(prev) && prev >= 0) offset = prev;
    else throw new PdfParseError('Trailer /Prev is not an offset', { offset: s.offset });
  }
  const revisions = groupRevisions(bytes, sections, tail);
  const doc = new PdfDocument(bytes, version, revisions, options);
  for (const r of revisions) if (r.trailer.has('Encrypt')) throw new PdfEncryptedError();
  // Trailer /Size never shrinks across updates (§7.5.6: the update's /Size covers every object).
  for (let i = 1; i < revisions.length; i++) {
    const a = revisions[i - 1]!.trailer.get('Size') as number;
    const b2 = revisions[i]!.trailer.get('Size') as number;
    if (b2 < a)
      throw new PdfParseError(`Trailer /Size shrinks from ${a} to ${b2}`, {
        offset: revisions[i]!.sections[0]!.offset,
      });
  }
  if (!(doc.trailer.get('Root') instanceof PdfRef))
    throw new PdfParseError('Trailer /Root is missing', { offset: doc.latest.sections[0]!.offset });
  return doc;
}

function groupRevisions(
  bytes: Uint8Array,
  chain: PdfXrefSection[],
  tail: { value: number; end: number },
): PdfRevision[] {
  // chain is newest first. A forward /Prev (to a higher offset) is only legal as the
  // first-page section of a linearized original (Annex F), which pairs with the main section.
  const groups: PdfXrefSection[][] = [];
  for (let i = 0; i < chain.length; i++) {
    const s = chain[i]!;
    const next = chain[i + 1];
    if (next !== undefined && next.offset > s.offset) {
      if (i + 2 !== chain.length)
        throw new PdfParseError('A /Prev points forward outside a linearized original', {
          offset: s.offset,
        });
      groups.push([s, next]);
      break;
    }
    groups.push([s]);
  }
  groups.reverse();
  const revisions: PdfRevision[] = [];
  let prevEnd = 0;
  groups.forEach((secs, index) => {
    const newest = secs[0]!;
    let end = 0;
    for (const s of secs) {
      const t = readStartxrefTail(bytes, s.end);
      // The first-page section of a linearized file is followed by a dummy startxref.
      if (secs.length === 1 || s !== newest) {
        if (t.value !== (secs.length === 1 ? s.offset : newest.offset))
          throw new PdfParseError(
            `startxref ${t.value} after the section at ${s.offset} does not point to it`,
            { offset: t.at },
          );
      }
      end = Math.max(end, t.end);
    }
    if (newest.offset < prevEnd && index > 0)
      throw new PdfParseError('An update section starts inside the previous revision', {
        offset: newest.offset,
      });
    revisions.push({
      index,
      sections: secs,
      startxref: newest.offset,
      end,
      trailer: newest.trailer,
      xrefStyle: newest.kind,
    });
    prevEnd = end;
  });
  const last = revisions[revisions.length - 1]!;
  if (last.startxref !== tail.value || last.end !== tail.end)
    throw new PdfParseError('The final startxref does not close the newest revision', {
      offset: tail.end,
    });
  return revisions;
}

/** The PDF name of `v` when it is a name. */
export function nameOf(v: PdfValue | undefined): string | undefined {
  return v instanceof PdfName ? v.name : undefined;
}
