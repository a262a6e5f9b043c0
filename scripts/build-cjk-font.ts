/**
 * Builds the project's embedded Chinese font (packages/core/fonts/NotoSerifCJKsc-Regular-subset.otf):
 * the Simplified Chinese face of Noto Serif CJK, subset to GB 2312 (all 6,763 hanzi and its
 * symbol rows), the 8,105 characters of the 通用规范汉字表 (Table of General Standard Chinese
 * Characters, 2013; read from Unihan's kTGH field), ASCII and common punctuation.
 * See packages/core/fonts/SOURCES.md.
 *
 *   apt-get install fonts-noto-cjk unicode-data
 *   pnpm tsx scripts/build-cjk-font.ts [--source FILE.ttc] [--face PSNAME] [--unihan FILE.bz2]
 *                                      [--out FILE] [--extra CHARS]
 *
 * Subsetting uses HarfBuzz's hb-subset (WebAssembly build, via the subset-font dev dependency),
 * the reference OpenType subsetter; it keeps the CFF outlines untouched (hints are dropped, see below).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as fontkit from 'fontkit';
import subsetFont from 'subset-font';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  if (v === undefined) throw new Error(`--${name} needs a value`);
  return v;
}

const sourcePath = option('source', '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc');
const faceName = option('face', 'NotoSerifCJKsc-Regular');
const unihanPath = option('unihan', '/usr/share/unicode/Unihan_OtherMappings.txt.bz2');
const outPath = resolve(
  root,
  option('out', 'packages/core/fonts/NotoSerifCJKsc-Regular-subset.otf'),
);
const extra = option('extra', '');

/**
 * GB 2312: rows 0xA1-0xA9 (symbols, punctuation, full-width forms) and 0xB0-0xF7 (6,763 hanzi in
 * two levels), decoded with the WHATWG GBK decoder, which is a superset of GB 2312. Unassigned
 * code positions decode to the Private Use Area or U+FFFD and are skipped.
 */
function gb2312Characters(): string[] {
  const decoder = new TextDecoder('gb2312');
  const out: string[] = [];
  for (let lead = 0xa1; lead <= 0xf7; lead++) {
    if (lead > 0xa9 && lead < 0xb0) continue;
    for (let trail = 0xa1; trail <= 0xfe; trail++) {
      const ch = decoder.decode(new Uint8Array([lead, trail]));
      if (/^[\ue000-\uf8ff\ufffd]$/u.test(ch)) continue;
      out.push(ch);
    }
  }
  return out;
}

/** The 通用规范汉字表 (2013): every code point with a kTGH entry in the Unihan database. */
function tghCharacters(): string[] {
  const text = execFileSync('bzcat', [unihanPath], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const out: string[] = [];
  for (const m of text.matchAll(/^U\+([0-9A-F]{4,6})\tkTGH\t/gm)) {
    out.push(String.fromCodePoint(parseInt(m[1]!, 16)));
  }
  if (out.length !== 8105) throw new Error(`expected 8105 kTGH entries, found ${out.length}`);
  return out;
}

/** Printable ASCII, the Latin-1 signs licences and addresses use, and punctuation GB 2312 lacks. */
function baseCharacters(): string[] {
  const out: string[] = [];
  for (let c = 0x20; c <= 0x7e; c++) out.push(String.fromCodePoint(c));
  // No-break space, ©, ®, ·, ×, ÷, °, ±, µ; 〇 (ideographic zero, used in dates such as 二〇二五),
  // •, ‧, ™, €, the CJK compatibility brackets and ideographic iteration mark.
  out.push(...Array.from('\u00a0©®·×÷°±µ〇•‧™€〈〉々〃'));
  return out;
}

/**
 * The face `name` of a TrueType/OpenType collection as a stand-alone OpenType file: the face's
 * table directory with its tables copied after it (4-byte aligned, checksums unchanged). The
 * HarfBuzz WebAssembly wrapper only opens face 0, so the face is extracted first.
 */
function extractFace(ttc: Buffer, index: number): Buffer {
  if (ttc.toString('latin1', 0, 4) !== 'ttcf') return ttc;
  const numFonts = ttc.readUInt32BE(8);
  if (index >= numFonts) throw new Error(`face ${index} not in a collection of ${numFonts}`);
  const dir = ttc.readUInt32BE(12 + 4 * index);
  const numTables = ttc.readUInt16BE(dir + 4);
  const headerSize = 12 + 16 * numTables;
  const tables: { record: Buffer; data: Buffer }[] = [];
  for (let i = 0; i < numTables; i++) {
    const rec = dir + 12 + 16 * i;
    const offset = ttc.readUInt32BE(rec + 8);
    const length = ttc.readUInt32BE(rec + 12);
    tables.push({
      record: Buffer.from(ttc.subarray(rec, rec + 16)),
      data: ttc.subarray(offset, offset + length),
    });
  }
  let size = headerSize;
  for (const t of tables) size += (t.data.length + 3) & ~3;
  const out = Buffer.alloc(size);
  ttc.copy(out, 0, dir, dir + 12);
  let pos = headerSize;
  tables.forEach((t, i) => {
    t.record.writeUInt32BE(pos, 8);
    t.record.copy(out, 12 + 16 * i);
    t.data.copy(out, pos);
    pos += (t.data.length + 3) & ~3;
  });
  return out;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const source = readFileSync(sourcePath);
const collection = fontkit.create(source);
const faces = 'fonts' in collection ? collection.fonts : [collection];
const faceIndex = faces.findIndex((f) => f.postscriptName === faceName);
if (faceIndex < 0) {
  throw new Error(
    `${faceName} not in ${sourcePath}; faces: ${faces.map((f) => f.postscriptName).join(', ')}`,
  );
}
const face = extractFace(source, faceIndex);

const chars = [
  ...new Set([
    ...baseCharacters(),
    ...gb2312Characters(),
    ...tghCharacters(),
    ...Array.from(extra),
  ]),
].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
const sourceFace = fontkit.create(face);
if ('fonts' in sourceFace) throw new Error('extracted face is still a collection');
const missing = chars.filter((c) => !sourceFace.hasGlyphForCodePoint(c.codePointAt(0)!));
const wanted = chars.filter((c) => !missing.includes(c));

// Only the kerning and CJK punctuation-width features: the `locl` and `vert` closures would pull
// in the Japanese, Korean and Traditional Chinese glyph variants and double the size. Hints are
// dropped: the WebAssembly hb-subset runs out of room on 7,000 hinted CFF charstrings, and
// unhinted outlines are what seal drawing, rasterising at print resolution and PDF embedding use.
const subset = await subsetFont(face, wanted.join(''), {
  targetFormat: 'sfnt',
  keepFeatures: ['kern', 'palt', 'halt'],
  noHinting: true,
  // Keep every naming record (copyright, trademark, designers, licence text and URL): the OFL
  // asks that each copy carries its notice; hb-subset keeps only IDs 0-6 by default.
  preserveNameIds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
});
const check = fontkit.create(subset);
if ('fonts' in check) throw new Error('subset is a collection');
const lost = wanted.filter((c) => !check.hasGlyphForCodePoint(c.codePointAt(0)!));
if (lost.length > 0) throw new Error(`subset lost ${lost.length} characters: ${lost.join('')}`);
writeFileSync(outPath, subset);

const hanzi = wanted.filter((c) => /\p{Script=Han}/u.test(c)).length;
console.log(`source  ${sourcePath} (${source.length} bytes, sha256 ${sha256(source)})`);
console.log(`face    ${faceName} (index ${faceIndex}) version ${sourceFace.version}`);
console.log(`chars   ${wanted.length} (${hanzi} Han), ${check.numGlyphs} glyphs`);
if (missing.length > 0) {
  console.log(
    `absent  from the source face: ${missing.map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ')}`,
  );
}
console.log(`output  ${outPath} (${subset.length} bytes, sha256 ${sha256(subset)})`);
