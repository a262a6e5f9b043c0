/** The project's embedded Chinese font (Noto Serif CJK SC, GB 2312 + 通用规范汉字表 subset): bytes, parsed face, glyph outlines. @module */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as fontkit from 'fontkit';
import { FontGlyphMissingError, FontLoadError } from '../../errors/index.js';

/** File name of the embedded font in the package's `fonts/` folder (see fonts/SOURCES.md). */
export const cjkFontFile = 'NotoSerifCJKsc-Regular-subset.otf';

// src/seal/image/font.ts and dist/seal/image/font.js are both three levels below the package root.
const fontUrl = new URL(`../../../fonts/${cjkFontFile}`, import.meta.url);

/** @internal The embedded font's file path (for renderers that load fonts from files, such as resvg). */
export function cjkFontPath(): string {
  return fileURLToPath(fontUrl);
}

let fontBytes: Uint8Array | undefined;
let fontFace: fontkit.Font | undefined;

/**
 * The embedded Chinese font as OpenType (CFF) bytes, read once and cached. The returned array is
 * shared: callers must not modify it.
 * @throws ERR_FONT_LOAD when the font file is missing.
 */
export function loadCjkFont(): Uint8Array {
  if (fontBytes === undefined) {
    try {
      fontBytes = new Uint8Array(readFileSync(fontUrl));
    } catch (err) {
      throw new FontLoadError(`cannot read the embedded font ${fontUrl.pathname}`, { cause: err });
    }
  }
  return fontBytes;
}

/**
 * The embedded font parsed by fontkit, cached.
 * @throws ERR_FONT_LOAD when the file is missing or is not a single OpenType font.
 */
export function openCjkFont(): fontkit.Font {
  if (fontFace === undefined) {
    const bytes = loadCjkFont();
    let parsed: fontkit.Font | fontkit.FontCollection;
    try {
      parsed = fontkit.create(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (err) {
      throw new FontLoadError('the embedded font cannot be parsed', { cause: err });
    }
    if ('fonts' in parsed) throw new FontLoadError('the embedded font is a collection');
    fontFace = parsed;
  }
  return fontFace;
}

/** One outline command in font units (y up), cubic or straight. */
export type FontPathCommand =
  | { readonly op: 'M' | 'L'; readonly x: number; readonly y: number }
  | {
      readonly op: 'C';
      readonly x1: number;
      readonly y1: number;
      readonly x2: number;
      readonly y2: number;
      readonly x: number;
      readonly y: number;
    }
  | { readonly op: 'Z' };

/** A glyph of the embedded font: its outline in font units and its metrics. */
export interface CjkGlyph {
  readonly character: string;
  readonly glyphId: number;
  /** Advance width in font units. */
  readonly advance: number;
  /** Ink bounding box in font units (y up); all zero for blank glyphs such as the space. */
  readonly bbox: {
    readonly minX: number;
    readonly minY: number;
    readonly maxX: number;
    readonly maxY: number;
  };
  /** Outline in font units, y up; quadratic segments are raised to cubics exactly. */
  readonly commands: readonly FontPathCommand[];
}

/** Units per em of the embedded font (1000 for Noto Serif CJK). */
export function cjkUnitsPerEm(): number {
  return openCjkFont().unitsPerEm;
}

/**
 * The ideographic em box of the embedded font in font units: the vertical extent a CJK glyph is
 * designed in (OS/2 typo ascender/descender, 880 and -120 for Noto CJK).
 */
export function cjkEmBox(): { readonly top: number; readonly bottom: number } {
  const os2 = openCjkFont()['OS/2'] as { typoAscender?: number; typoDescender?: number };
  return { top: os2.typoAscender ?? 880, bottom: os2.typoDescender ?? -120 };
}

const glyphCache = new Map<string, CjkGlyph>();

/**
 * The glyph for one character (one code point).
 * @throws ERR_FONT_GLYPH_MISSING when the embedded font has no glyph for it.
 * @throws ERR_FONT_LOAD when the font cannot be loaded.
 */
export function cjkGlyph(character: string, field?: string): CjkGlyph {
  const cached = glyphCache.get(character);
  if (cached !== undefined) return cached;
  const cp = character.codePointAt(0);
  if (cp === undefined || String.fromCodePoint(cp) !== character) {
    throw new FontGlyphMissingError(character, field === undefined ? {} : { field });
  }
  const font = openCjkFont();
  const glyph = font.glyphForCodePoint(cp);
  if (glyph.id === 0) {
    throw new FontGlyphMissingError(character, field === undefined ? {} : { field });
  }
  const commands: FontPathCommand[] = [];
  let cx = 0;
  let cy = 0;
  for (const { command, args } of glyph.path.commands) {
    const a = args;
    switch (command) {
      case 'moveTo':
      case 'lineTo':
        cx = a[0]!;
        cy = a[1]!;
        commands.push({ op: command === 'moveTo' ? 'M' : 'L', x: cx, y: cy });
        break;
      case 'quadraticCurveTo': {
        // Degree elevation: a quadratic with control q is the cubic with controls p + 2/3 (q - p).
        const [qx, qy, x, y] = [a[0]!, a[1]!, a[2]!, a[3]!];
        commands.push({
          op: 'C',
          x1: cx + (2 / 3) * (qx - cx),
          y1: cy + (2 / 3) * (qy - cy),
          x2: x + (2 / 3) * (qx - x),
          y2: y + (2 / 3) * (qy - y),
          x,
          y,
        });
        cx = x;
        cy = y;
        break;
      }
      case 'bezierCurveTo':
        commands.push({ op: 'C', x1: a[0]!, y1: a[1]!, x2: a[2]!, y2: a[3]!, x: a[4]!, y: a[5]! });
        cx = a[4]!;
        cy = a[5]!;
        break;
      case 'closePath':
        commands.push({ op: 'Z' });
        break;
    }
  }
  const blank = commands.length === 0;
  const b = glyph.bbox;
  const result: CjkGlyph = {
    character,
    glyphId: glyph.id,
    advance: glyph.advanceWidth,
    bbox: blank
      ? { minX: 0, minY: 0, maxX: 0, maxY: 0 }
      : { minX: b.minX, minY: b.minY, maxX: b.maxX, maxY: b.maxY },
    commands,
  };
  glyphCache.set(character, result);
  return result;
}
