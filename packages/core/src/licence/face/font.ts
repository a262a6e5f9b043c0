/**
 * The embedded CJK font as a PDF font (ISO 32000-1 §9.7): a Type0 font with Identity-H encoding
 * over a CIDFontType0 whose program is the CID-keyed CFF of a HarfBuzz hb-subset subset, embedded
 * as FontFile3 /Subtype /CIDFontType0C (§9.9 Table 126), with /W widths and a /ToUnicode CMap
 * (§9.10.3) so that text extracts.
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import { FontGlyphMissingError, FontLoadError } from '../../errors/index.js';
import { loadCjkFont, openCjkFont } from '../../seal/image/font.js';

/** The HarfBuzz exports hb-subset needs (harfbuzzjs's harfbuzz-subset.wasm). */
interface HbExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  _initialize(): void;
  malloc(size: number): number;
  hb_blob_create(data: number, length: number, mode: number, user: number, destroy: number): number;
  hb_blob_destroy(blob: number): void;
  hb_blob_get_data(blob: number, length: number): number;
  hb_blob_get_length(blob: number): number;
  hb_face_create(blob: number, index: number): number;
  hb_face_destroy(face: number): void;
  hb_face_reference_blob(face: number): number;
  hb_set_add(set: number, value: number): void;
  hb_set_clear(set: number): void;
  hb_subset_input_create_or_fail(): number;
  hb_subset_input_destroy(input: number): void;
  hb_subset_input_set(input: number, which: number): number;
  hb_subset_input_unicode_set(input: number): number;
  hb_subset_or_fail(face: number, input: number): number;
  hb_subset_preprocess(face: number): number;
}

const HB_MEMORY_MODE_READONLY = 1;
const HB_SUBSET_SETS_DROP_TABLE_TAG = 3;
const HB_SUBSET_SETS_LAYOUT_FEATURE_TAG = 6;
/** Tables a PDF CIDFontType0C program does not use (only 'CFF ' is embedded). */
const DROPPED_TABLES = ['GSUB', 'GPOS', 'GDEF', 'BASE', 'VORG', 'vhea', 'vmtx', 'DSIG', 'name'];

const tag = (s: string): number =>
  Array.from(s).reduce((a, c) => ((a << 8) | c.charCodeAt(0)) >>> 0, 0);

interface HbState {
  readonly hb: HbExports;
  /** The whole embedded font, loaded into WebAssembly memory once. */
  readonly face: number;
}

let hbState: Promise<HbState> | undefined;

/** Loads HarfBuzz and the font once (a 2.7 MB copy, preprocessed for subsetting): each subset then costs about a millisecond. */
function harfbuzz(): Promise<HbState> {
  hbState ??= (async () => {
    let wasm: Uint8Array;
    try {
      const require = createRequire(import.meta.url);
      wasm = readFileSync(require.resolve('harfbuzzjs/dist/harfbuzz-subset.wasm'));
    } catch (err) {
      throw new FontLoadError('cannot read HarfBuzz (harfbuzzjs harfbuzz-subset.wasm)', {
        cause: err,
      });
    }
    // Node's global WebAssembly (the project's lib settings carry no DOM/WebAssembly types).
    const wasmApi = (
      globalThis as unknown as {
        WebAssembly: {
          instantiate(b: Uint8Array): Promise<{ instance: { exports: unknown } }>;
        };
      }
    ).WebAssembly;
    const { instance } = await wasmApi.instantiate(wasm);
    const hb = instance.exports as HbExports;
    hb._initialize();
    const font = loadCjkFont();
    const ptr = hb.malloc(font.length);
    new Uint8Array(hb.memory.buffer).set(font, ptr);
    const blob = hb.hb_blob_create(ptr, font.length, HB_MEMORY_MODE_READONLY, 0, 0);
    const raw = hb.hb_face_create(blob, 0);
    hb.hb_blob_destroy(blob);
    // Preprocessing (about 0.2 s once) makes every later subset of this face several times faster.
    const face = hb.hb_subset_preprocess(raw);
    hb.hb_face_destroy(raw);
    return { hb, face };
  })();
  hbState.catch(() => {
    hbState = undefined;
  });
  return hbState;
}

/** The 'CFF ' table of an OpenType font (its table directory, OpenType "Font file" chapter). */
function cffTable(otf: Uint8Array): Uint8Array {
  const view = new DataView(otf.buffer, otf.byteOffset, otf.byteLength);
  const n = view.getUint16(4);
  for (let i = 0; i < n; i++) {
    const rec = 12 + 16 * i;
    if (view.getUint32(rec) === tag('CFF ')) {
      const off = view.getUint32(rec + 8);
      return otf.subarray(off, off + view.getUint32(rec + 12));
    }
  }
  throw new FontLoadError('the font subset has no CFF table');
}

/** Subsets the embedded font to `codePoints` with hb-subset and returns the OpenType bytes. */
async function subsetFont(codePoints: Iterable<number>): Promise<Uint8Array> {
  const { hb, face } = await harfbuzz();
  const input = hb.hb_subset_input_create_or_fail();
  if (input === 0) throw new FontLoadError('hb_subset_input_create_or_fail failed');
  try {
    hb.hb_set_clear(hb.hb_subset_input_set(input, HB_SUBSET_SETS_LAYOUT_FEATURE_TAG));
    const drop = hb.hb_subset_input_set(input, HB_SUBSET_SETS_DROP_TABLE_TAG);
    for (const t of DROPPED_TABLES) hb.hb_set_add(drop, tag(t));
    const unicodes = hb.hb_subset_input_unicode_set(input);
    for (const cp of codePoints) hb.hb_set_add(unicodes, cp);
    const sub = hb.hb_subset_or_fail(face, input);
    if (sub === 0) throw new FontLoadError('hb-subset failed on the embedded font');
    const blob = hb.hb_face_reference_blob(sub);
    const ptr = hb.hb_blob_get_data(blob, 0);
    const out = new Uint8Array(hb.memory.buffer).slice(ptr, ptr + hb.hb_blob_get_length(blob));
    hb.hb_blob_destroy(blob);
    hb.hb_face_destroy(sub);
    return out;
  } finally {
    hb.hb_subset_input_destroy(input);
  }
}

interface Charset {
  readonly glyphs?: readonly number[];
  readonly ranges?: readonly { readonly first: number; readonly nLeft: number }[];
}

interface GlyphMetrics {
  /** CID of the glyph in the CID-keyed CFF (hb-subset keeps CIDs, so subset and full font agree). */
  readonly cid: number;
  /** Advance in thousandths of an em (PDF glyph space). */
  readonly width: number;
}

let gidToCid: Uint32Array | undefined;
const metrics = new Map<number, GlyphMetrics>();

/** GID -> CID of the full font, from its CFF charset (formats 0, 1, 2; CFF spec §13). */
function cidTable(): Uint32Array {
  if (gidToCid !== undefined) return gidToCid;
  const font = openCjkFont();
  const cff = (font as unknown as Record<string, unknown>)['CFF '] as
    { readonly isCIDFont: boolean; readonly topDict: { readonly charset: Charset } } | undefined;
  if (cff?.isCIDFont !== true) throw new FontLoadError('the embedded font is not CID-keyed CFF');
  const table = new Uint32Array(font.numGlyphs);
  const cs = cff.topDict.charset;
  if (cs.glyphs !== undefined) cs.glyphs.forEach((cid, i) => (table[i + 1] = cid));
  else {
    let g = 1;
    for (const r of cs.ranges ?? []) {
      for (let k = 0; k <= r.nLeft && g < table.length; k++) table[g++] = r.first + k;
    }
  }
  gidToCid = table;
  return table;
}

/**
 * CID and width of one code point.
 * @throws {FontGlyphMissingError} ERR_FONT_GLYPH_MISSING when the font has no glyph for it
 */
function glyphOf(cp: number, field?: string): GlyphMetrics {
  const hit = metrics.get(cp);
  if (hit !== undefined) return hit;
  const font = openCjkFont();
  const g = font.glyphForCodePoint(cp);
  if (g.id === 0)
    throw new FontGlyphMissingError(String.fromCodePoint(cp), field === undefined ? {} : { field });
  const m = {
    cid: cidTable()[g.id]!,
    width: Math.round((g.advanceWidth * 1000) / font.unitsPerEm),
  };
  metrics.set(cp, m);
  return m;
}

/** Code points of `text` (line breaks and tabs are never drawn). */
function codePoints(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp !== 0x0a && cp !== 0x0d && cp !== 0x09) out.push(cp);
  }
  return out;
}

/**
 * Throws when the embedded font cannot draw `text` (checked before anything is signed or stored).
 * @throws {FontGlyphMissingError} ERR_FONT_GLYPH_MISSING naming the character and `field`
 */
export function assertDrawable(text: string, field?: string): void {
  for (const cp of codePoints(text)) glyphOf(cp, field);
}

/** Width of `text` at `size` points. @throws {FontGlyphMissingError} ERR_FONT_GLYPH_MISSING */
export function textWidth(text: string, size: number): number {
  let w = 0;
  for (const cp of codePoints(text)) w += glyphOf(cp).width;
  return (w * size) / 1000;
}

/** The font's ascent and descent in thousandths of an em. */
export function fontExtents(): { readonly ascent: number; readonly descent: number } {
  const f = openCjkFont();
  return {
    ascent: Math.round((f.ascent * 1000) / f.unitsPerEm),
    descent: Math.round((f.descent * 1000) / f.unitsPerEm),
  };
}

/** Collects the text a page shows and encodes it for a Type0 Identity-H font (2-byte CIDs). */
export class PdfCjkFont {
  private readonly used = new Map<number, GlyphMetrics>();

  /**
   * The hex string operand (`<...>`) that shows `text`.
   * @throws {FontGlyphMissingError} ERR_FONT_GLYPH_MISSING
   */
  encode(text: string): string {
    let hex = '';
    for (const cp of codePoints(text)) {
      const g = glyphOf(cp);
      this.used.set(cp, g);
      hex += g.cid.toString(16).padStart(4, '0');
    }
    return `<${hex}>`;
  }

  /**
   * The font's PDF objects as text and stream bodies, numbered from `first`: Type0 font (first),
   * CIDFontType0, FontDescriptor, ToUnicode CMap, FontFile3.
   */
  async objects(first: number): Promise<readonly PdfObjectBody[]> {
    const otf = await subsetFont(this.used.keys());
    const cff = cffTable(otf);
    const byCid = [...new Map([...this.used].map(([cp, g]) => [g.cid, { cp, ...g }])).values()];
    byCid.sort((a, b) => a.cid - b.cid);
    // A subset tag from the glyph set (§9.6.4): six upper-case letters.
    const h = createHash('sha256');
    for (const g of byCid) h.update(`${g.cid},`);
    const digest = h.digest();
    const subsetTag = Array.from(digest.subarray(0, 6), (b) =>
      String.fromCharCode(65 + (b % 26)),
    ).join('');
    const baseFont = `${subsetTag}+NotoSerifCJKsc-Regular`;
    const font = openCjkFont();
    const k = 1000 / font.unitsPerEm;
    const bb = font.bbox;
    const ext = fontExtents();
    const widths = byCid.map((g) => `${g.cid} [${g.width}]`).join(' ');
    const cmap = toUnicodeCMap(byCid);
    const [type0, cid, desc, toUni, file] = [first, first + 1, first + 2, first + 3, first + 4];
    return [
      {
        num: type0,
        dict: `<< /Type /Font /Subtype /Type0 /BaseFont /${baseFont} /Encoding /Identity-H /DescendantFonts [${cid} 0 R] /ToUnicode ${toUni} 0 R >>`,
      },
      {
        num: cid,
        dict: `<< /Type /Font /Subtype /CIDFontType0 /BaseFont /${baseFont} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 /W [${widths}] /FontDescriptor ${desc} 0 R >>`,
      },
      {
        num: desc,
        // Flags 6: serif (2) and symbolic (4, glyphs outside the standard Latin set).
        dict: `<< /Type /FontDescriptor /FontName /${baseFont} /Flags 6 /FontBBox [${Math.round(bb.minX * k)} ${Math.round(bb.minY * k)} ${Math.round(bb.maxX * k)} ${Math.round(bb.maxY * k)}] /ItalicAngle 0 /Ascent ${ext.ascent} /Descent ${ext.descent} /CapHeight ${Math.round(font.capHeight * k)} /StemV 80 /FontFile3 ${file} 0 R >>`,
      },
      {
        num: toUni,
        dict: '<< /Filter /FlateDecode',
        stream: deflateSync(Buffer.from(cmap, 'latin1')),
      },
      {
        num: file,
        // The bare CFF table: the form every reader maps CID -> glyph through.
        dict: '<< /Subtype /CIDFontType0C /Filter /FlateDecode',
        stream: deflateSync(cff),
      },
    ];
  }
}

/** One indirect object for the face writer: a dictionary, or a stream (dict without `>>`, then data). */
export interface PdfObjectBody {
  readonly num: number;
  /** The dictionary text; for a stream, open (`<< ...`) so that the writer adds /Length and `>>`. */
  readonly dict: string;
  readonly stream?: Uint8Array;
}

/** A ToUnicode CMap (§9.10.3; bfchar blocks of at most 100 entries, UTF-16BE values). */
function toUnicodeCMap(glyphs: readonly { readonly cid: number; readonly cp: number }[]): string {
  const lines = [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
  ];
  for (let i = 0; i < glyphs.length; i += 100) {
    const block = glyphs.slice(i, i + 100);
    lines.push(`${block.length} beginbfchar`);
    for (const g of block) {
      const utf16 = Buffer.from(String.fromCodePoint(g.cp), 'utf16le').swap16().toString('hex');
      lines.push(`<${g.cid.toString(16).padStart(4, '0')}> <${utf16}>`);
    }
    lines.push('endbfchar');
  }
  lines.push('endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end');
  return lines.join('\n');
}
