/** Types of the seal image generator: the seal spec in, the vector drawing (millimetres) out. @module */

/** The seal shapes drawn: round official seal (公章), oval seal (财务/发票专用章), square personal seal (个人名章). */
export type SealShape = 'round' | 'oval' | 'square';

/** What to draw. Text is Unicode (NFC); every character must be in the embedded font. */
export interface SealImageSpec {
  readonly shape: SealShape;
  /**
   * Round and oval: the organisation name, along the upper arc, left to right.
   * Square: the personal name, 1 to 4 characters, in right-to-left columns.
   */
  readonly text: string;
  /**
   * Round: text along the lower arc (default) or a horizontal line near the bottom
   * (`bottomTextLayout: 'line'`). Oval: a horizontal line at the bottom, e.g. 发票专用章.
   */
  readonly bottomText?: string;
  /** Where a round seal's `bottomText` goes (default `'arc'`); oval seals always use `'line'`. */
  readonly bottomTextLayout?: 'arc' | 'line';
  /** A horizontal line in the centre: under the star on round seals (e.g. 合同专用章); the middle of oval seals (e.g. 财务专用章). */
  readonly centerText?: string;
  /**
   * Round: the seal code (印章编码, usually 13 digits) along the lower arc.
   * Oval: the taxpayer identification number (纳税人识别号) across the middle.
   * Digits and capital letters, at most 20.
   */
  readonly code?: string;
  /** The five-pointed star in the centre (round seals only; default true there). */
  readonly star?: boolean;
  /** Round: diameter (default 42). Oval: long axis (default 40). Square: side (default 20). Millimetres. */
  readonly sizeMm?: number;
  /** Oval only: short axis in millimetres (default 3/4 of `sizeMm`, 30 for the default 40). */
  readonly heightMm?: number;
  /** Ink colour as `#rrggbb` (default `#e60012`, seal red). */
  readonly color?: string;
}

/** One path command in drawing millimetres (origin top left, y down, as in SVG). */
export type SealPathCommand =
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

/** A 2-D affine matrix `[a, b, c, d, e, f]`: (x, y) -> (a x + c y + e, b x + d y + f). */
export type AffineMatrix = readonly [number, number, number, number, number, number];

/** Where a glyph path came from: the font glyph and the matrix that placed it. */
export interface SealGlyphSource {
  /** The character drawn. */
  readonly character: string;
  /** Its glyph id in the embedded font. */
  readonly glyphId: number;
  /** The spec field the character belongs to. */
  readonly field: 'text' | 'centerText' | 'bottomText' | 'code';
  /** Font units (y up) to drawing millimetres (y down): the path is the glyph outline under this matrix. */
  readonly transform: AffineMatrix;
}

/** One path in the seal colour: filled, and for glyphs also stroked (see `strokeMm`). */
export interface SealPath {
  /** What the path draws. */
  readonly role: 'border' | 'star' | 'glyph';
  /** Outline in millimetres; every subpath is closed. */
  readonly commands: readonly SealPathCommand[];
  /** Fill rule: the border ring uses even-odd (outer minus inner outline), glyphs non-zero as fonts require. */
  readonly fillRule: 'nonzero' | 'evenodd';
  /**
   * When set, the outline is also stroked with this width (millimetres, round joins) in the
   * same colour: glyphs are thickened this way so that strokes read like engraved seal strokes.
   */
  readonly strokeMm?: number;
  /** For glyph paths: the font glyph and its placement. */
  readonly glyph?: SealGlyphSource;
}

/** A resolution-independent seal picture: paths in millimetres on a `widthMm` x `heightMm` canvas (origin top left, y down). */
export interface SealDrawing {
  readonly shape: SealShape;
  readonly widthMm: number;
  readonly heightMm: number;
  /** Ink colour `#rrggbb`. */
  readonly color: string;
  /** Paths in painting order. */
  readonly paths: readonly SealPath[];
}

/** Options of `sealToPng`. */
export interface SealPngOptions {
  /** Resolution in dots per inch (default 300; 72 to 2400). */
  readonly dpi?: number;
}

/** The box a PDF content-stream fragment draws into (PDF user space, y up). */
export interface SealPdfBox {
  readonly widthPt: number;
  readonly heightPt: number;
  /** Lower-left corner (default 0, 0). */
  readonly x?: number;
  readonly y?: number;
}
