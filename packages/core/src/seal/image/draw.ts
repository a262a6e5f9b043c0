/**
 * drawSeal: lays out the usual Chinese seal shapes as vector paths in millimetres, text as glyph
 * outlines of the embedded font (国发〔1999〕25号 印章规定: 宋体 characters, star in the centre,
 * name along the arc left to right; 国家税务总局公告2011年第7号: the 40 x 30 mm 发票专用章).
 * @module
 */
import {
  SealImageLayoutError,
  SealImageSpecError,
  SealImageTextTooLongError,
} from '../../errors/index.js';
import { cjkEmBox, cjkGlyph, cjkUnitsPerEm, type CjkGlyph } from './font.js';
import {
  EllipseArc,
  applyMatrix,
  convexOverlap,
  ellipseCommands,
  polygonCommands,
  rectCommands,
  starVertices,
  transformCommands,
  type Point,
} from './geometry.js';
import type {
  AffineMatrix,
  SealDrawing,
  SealGlyphSource,
  SealImageSpec,
  SealPath,
  SealShape,
} from './types.js';

/** Default ink colour: the bright vermilion of seal paste (印泥). */
export const defaultSealColor = '#e60012';

type Field = SealGlyphSource['field'];

/** Default and allowed sizes per shape, millimetres (see the README section on seal sizes). */
const sizes = {
  // 国发〔1999〕25号: enterprise seals are round, at most 4.2 cm across; 42 mm is the common size.
  round: { default: 42, min: 20, max: 80 },
  // 国家税务总局公告2011年第7号: 发票专用章 40 x 30 mm; 财务专用章 ovals use the same size.
  oval: { default: 40, min: 20, max: 80 },
  // Personal name seals (个人名章) are commonly 18 to 20 mm squares.
  square: { default: 20, min: 8, max: 60 },
} as const satisfies Record<SealShape, { default: number; min: number; max: number }>;

/** Most characters accepted in any one text before layout is even tried. */
const maxChars = { text: 40, centerText: 20, bottomText: 40, code: 20 } as const;

interface NormalisedSpec {
  shape: SealShape;
  text: string[];
  centerText: string[] | undefined;
  bottomText: string[] | undefined;
  bottomTextLayout: 'arc' | 'line';
  code: string[] | undefined;
  star: boolean;
  widthMm: number;
  heightMm: number;
  color: string;
}

interface PlacedGlyph {
  readonly glyph: CjkGlyph;
  readonly field: Field;
  readonly matrix: AffineMatrix;
  /** The ink box corners in drawing millimetres (a parallelogram). */
  readonly ink: readonly Point[];
  /** Outline stroke width that thickens the glyph (millimetres). */
  readonly stroke: number;
}

/**
 * Draws a seal as paths in millimetres: border, star and text (glyph outlines of the embedded
 * font, filled and thickened by a stroke in the same colour). The same spec always gives the same
 * drawing.
 * @throws ERR_SEAL_IMAGE_SPEC for an invalid spec (unknown shape, empty text, bad size or colour,
 *   a field the shape does not carry).
 * @throws ERR_SEAL_IMAGE_TEXT_TOO_LONG when a text cannot fit the shape legibly.
 * @throws ERR_SEAL_IMAGE_LAYOUT when the texts would overlap each other or the border.
 * @throws ERR_FONT_GLYPH_MISSING for a character the embedded font lacks.
 */
export function drawSeal(spec: SealImageSpec): SealDrawing {
  const s = normaliseSpec(spec);
  const layout =
    s.shape === 'round' ? layoutRound(s) : s.shape === 'oval' ? layoutOval(s) : layoutSquare(s);
  checkLayout(s, layout);
  const paths: SealPath[] = [...layout.frame];
  for (const g of layout.glyphs) {
    if (g.glyph.commands.length === 0) continue;
    paths.push({
      role: 'glyph',
      commands: transformCommands(g.glyph.commands, g.matrix),
      fillRule: 'nonzero',
      strokeMm: round6(g.stroke),
      glyph: {
        character: g.glyph.character,
        glyphId: g.glyph.glyphId,
        field: g.field,
        transform: g.matrix,
      },
    });
  }
  return { shape: s.shape, widthMm: s.widthMm, heightMm: s.heightMm, color: s.color, paths };
}

// ---------------------------------------------------------------------------------------------
// Spec validation

function normaliseSpec(spec: SealImageSpec): NormalisedSpec {
  if (typeof spec !== 'object' || (spec as unknown) === null) {
    throw new SealImageSpecError('spec', 'the seal spec must be an object');
  }
  const shape = spec.shape as unknown;
  if (shape !== 'round' && shape !== 'oval' && shape !== 'square') {
    throw new SealImageSpecError(
      'shape',
      `shape must be round, oval or square, not ${String(shape)}`,
    );
  }
  const only = (field: keyof SealImageSpec, shapes: readonly SealShape[]): void => {
    if (spec[field] !== undefined && !shapes.includes(shape)) {
      throw new SealImageSpecError(field, `${field} is not used on ${shape} seals`);
    }
  };
  only('centerText', ['round', 'oval']);
  only('bottomText', ['round', 'oval']);
  only('bottomTextLayout', ['round', 'oval']);
  only('code', ['round', 'oval']);
  only('heightMm', ['oval']);
  if (spec.star !== undefined && typeof spec.star !== 'boolean') {
    throw new SealImageSpecError('star', 'star must be true or false');
  }
  if (spec.star === true && shape !== 'round') {
    throw new SealImageSpecError('star', `${shape} seals carry no star`);
  }
  const layout = (spec.bottomTextLayout as unknown) ?? (shape === 'oval' ? 'line' : 'arc');
  if (layout !== 'arc' && layout !== 'line') {
    throw new SealImageSpecError('bottomTextLayout', 'bottomTextLayout must be arc or line');
  }
  if (shape === 'oval' && layout === 'arc') {
    throw new SealImageSpecError('bottomTextLayout', 'oval seals put bottomText on a line');
  }

  const range = sizes[shape];
  const widthMm = spec.sizeMm ?? range.default;
  if (typeof widthMm !== 'number' || !Number.isFinite(widthMm)) {
    throw new SealImageSpecError('sizeMm', 'sizeMm must be a finite number of millimetres');
  }
  if (widthMm < range.min || widthMm > range.max) {
    throw new SealImageSpecError(
      'sizeMm',
      `sizeMm of a ${shape} seal must be between ${range.min} and ${range.max} mm, not ${widthMm}`,
    );
  }
  let heightMm = widthMm;
  if (shape === 'oval') {
    heightMm = spec.heightMm ?? widthMm * 0.75;
    if (typeof heightMm !== 'number' || !Number.isFinite(heightMm)) {
      throw new SealImageSpecError('heightMm', 'heightMm must be a finite number of millimetres');
    }
    // Flatter than 2:1 leaves no room for the arc; taller than wide is not an oval seal.
    if (heightMm < widthMm * 0.5 || heightMm > widthMm) {
      throw new SealImageSpecError(
        'heightMm',
        `heightMm of an oval seal must be between half of sizeMm and sizeMm (${widthMm * 0.5} to ${widthMm} mm)`,
      );
    }
  }

  const color = spec.color ?? defaultSealColor;
  if (typeof color !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(color)) {
    throw new SealImageSpecError('color', 'color must be #rrggbb');
  }

  const text = normaliseText('text', spec.text);
  if (text === undefined) throw new SealImageSpecError('text', 'text is required');
  if (shape === 'square' && text.length > 4) {
    throw new SealImageTextTooLongError(
      'text',
      text.length,
      `a square personal seal holds 1 to 4 characters, not ${text.length} (a 3-character name often becomes 4 with 印)`,
    );
  }
  const code = normaliseText('code', spec.code);
  if (code !== undefined && !code.every((c) => /^[0-9A-Z]$/.test(c))) {
    throw new SealImageSpecError('code', 'code must be digits and capital letters only');
  }
  const centerText = normaliseText('centerText', spec.centerText);
  const bottomText = normaliseText('bottomText', spec.bottomText);
  if (shape === 'round' && code !== undefined && bottomText !== undefined && layout === 'arc') {
    throw new SealImageLayoutError(
      ['code', 'bottomText'],
      'code and bottomText both take the lower arc; put bottomText on a line (bottomTextLayout: line)',
    );
  }
  if (
    shape === 'oval' &&
    code !== undefined &&
    centerText !== undefined &&
    bottomText !== undefined
  ) {
    throw new SealImageLayoutError(
      ['code', 'centerText', 'bottomText'],
      'an oval seal has room for two horizontal lines: code, centerText and bottomText are three',
    );
  }

  // Every character must be in the font before any layout work, so the error names the field.
  const fields: [Field, string[] | undefined][] = [
    ['text', text],
    ['centerText', centerText],
    ['bottomText', bottomText],
    ['code', code],
  ];
  for (const [field, chars] of fields) for (const c of chars ?? []) cjkGlyph(c, field);

  return {
    shape,
    text,
    centerText,
    bottomText,
    bottomTextLayout: layout,
    code,
    star: shape === 'round' ? spec.star !== false : false,
    widthMm,
    heightMm,
    color: color.toLowerCase(),
  };
}

/** NFC, trimmed, split into code points; undefined when absent. */
function normaliseText(field: keyof typeof maxChars, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new SealImageSpecError(field, `${field} must be a string`);
  const text = value.normalize('NFC').replace(/^[\s\u3000]+|[\s\u3000]+$/gu, '');
  if (text.length === 0) throw new SealImageSpecError(field, `${field} is empty`);
  if (/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\u2028\u2029]/u.test(text)) {
    throw new SealImageSpecError(
      field,
      `${field} contains control, format or unassigned characters`,
    );
  }
  // Code points, not grapheme clusters: each glyph of the font maps one code point.
  const chars = Array.from(text);
  if (chars.length > maxChars[field]) {
    throw new SealImageTextTooLongError(
      field,
      chars.length,
      `${field} has ${chars.length} characters; at most ${maxChars[field]} fit any seal`,
    );
  }
  return chars;
}

// ---------------------------------------------------------------------------------------------
// Glyph placement

interface Layout {
  readonly frame: SealPath[];
  readonly glyphs: PlacedGlyph[];
  /** Keep-out polygons that text must not touch (the star). */
  readonly obstacles: Point[][];
}

/**
 * Places `glyph` with its em box centre at `at`, `emMm` tall, horizontally scaled by `sx`, and
 * rotated by `angle` (radians, clockwise; 0 = upright).
 */
function placeGlyph(
  glyph: CjkGlyph,
  field: Field,
  at: Point,
  angle: number,
  emMm: number,
  sx: number,
  stroke: number,
): PlacedGlyph {
  const k = emMm / cjkUnitsPerEm();
  const em = cjkEmBox();
  const mid = (em.top + em.bottom) / 2;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const half = glyph.advance / 2;
  // Font units (y up) -> centred, scaled, y-down -> rotated -> translated; see geometry.applyMatrix.
  const matrix: AffineMatrix = [
    k * sx * cos,
    k * sx * sin,
    k * sin,
    -k * cos,
    -k * sx * half * cos - k * mid * sin + at.x,
    -k * sx * half * sin + k * mid * cos + at.y,
  ];
  return { glyph, field, matrix, ink: inkBox(glyph, matrix), stroke };
}

/** Places `glyph` so that its em box (advance x ideographic em) fills the rectangle. */
function placeGlyphInCell(
  glyph: CjkGlyph,
  field: Field,
  x: number,
  y: number,
  w: number,
  h: number,
  stroke: number,
): PlacedGlyph {
  const em = cjkEmBox();
  const kx = w / glyph.advance;
  const ky = h / (em.top - em.bottom);
  const matrix: AffineMatrix = [kx, 0, 0, -ky, x, y + ky * em.top];
  return { glyph, field, matrix, ink: inkBox(glyph, matrix), stroke };
}

function inkBox(glyph: CjkGlyph, m: AffineMatrix): Point[] {
  const b = glyph.bbox;
  return [
    applyMatrix(m, b.minX, b.minY),
    applyMatrix(m, b.maxX, b.minY),
    applyMatrix(m, b.maxX, b.maxY),
    applyMatrix(m, b.minX, b.maxY),
  ];
}

/** How a run of text may be spaced and squeezed. */
interface RunStyle {
  /** Em size in millimetres. */
  readonly emMm: number;
  /** Natural horizontal scale (seal lettering is often narrower than the font). */
  readonly sx: number;
  /** Narrowest horizontal scale before the text counts as too long. */
  readonly sxMin: number;
  /** Gap between characters: natural, least, and most (when spreading a short text), millimetres. */
  readonly track: number;
  readonly trackMin: number;
  readonly trackMax: number;
  /** Outline stroke that thickens the font's thin 宋体 strokes to engraved weight, millimetres. */
  readonly stroke: number;
}

interface RunFit {
  /** Centre offsets along the run, millimetres from its middle. */
  readonly offsets: number[];
  readonly sx: number;
  /** Total length from the first character's left edge to the last one's right edge. */
  readonly length: number;
}

/**
 * Spaces a run so that its length lies in [minLength, maxLength]: short runs are spread (up to
 * `trackMax`), long ones tightened to `trackMin` and then narrowed down to `sxMin`.
 * @throws ERR_SEAL_IMAGE_TEXT_TOO_LONG when even the narrowest setting is longer than maxLength.
 */
function fitRun(
  field: Field,
  glyphs: readonly CjkGlyph[],
  style: RunStyle,
  minLength: number,
  maxLength: number,
  what: string,
): RunFit {
  const n = glyphs.length;
  const upm = cjkUnitsPerEm();
  const unitWidth = glyphs.reduce((s, g) => s + (g.advance / upm) * style.emMm, 0);
  let sx = style.sx;
  let track = style.track;
  const lengthOf = (): number => unitWidth * sx + (n - 1) * track;
  if (n > 1 && lengthOf() < minLength) {
    track = Math.min(style.trackMax, (minLength - unitWidth * sx) / (n - 1));
  }
  if (lengthOf() > maxLength) {
    if (n > 1) track = Math.max(style.trackMin, (maxLength - unitWidth * sx) / (n - 1));
    if (lengthOf() > maxLength) {
      sx = (maxLength - (n - 1) * track) / unitWidth;
      if (!(sx >= style.sxMin)) {
        throw new SealImageTextTooLongError(
          field,
          n,
          `${field} (${n} characters) does not fit ${what} of this seal; shorten it or enlarge the seal`,
        );
      }
    }
  }
  const length = lengthOf();
  const offsets: number[] = [];
  let pos = -length / 2;
  for (const g of glyphs) {
    const w = (g.advance / upm) * style.emMm * sx;
    offsets.push(pos + w / 2);
    pos += w + track;
  }
  return { offsets, sx, length };
}

/** Narrowed characters have narrower stems: thicken them less, or their counters fill in. */
function squeezedStroke(style: RunStyle, fit: RunFit): number {
  return style.stroke * Math.min(1, fit.sx / style.sx);
}

/**
 * Sets a run along the upper or lower part of the ellipse `arc` (the curve through the em-box
 * centres), reading left to right; glyph tops point outwards on the upper arc and inwards on the
 * lower one, as on engraved seals. `edge` bounds the run's ends, in radians from the top (upper) or
 * bottom (lower); `spread` is the half-angle a short run is spread to.
 */
function setArcRun(
  field: Field,
  chars: readonly string[],
  style: RunStyle,
  centre: Point,
  arc: EllipseArc,
  side: 'upper' | 'lower',
  spread: number,
  edge: number,
): { glyphs: PlacedGlyph[]; halfAngle: number } {
  const glyphs = chars.map((c) => cjkGlyph(c, field));
  const fit = fitRun(
    field,
    glyphs,
    style,
    2 * arc.lengthAt(spread),
    2 * arc.lengthAt(edge),
    side === 'upper' ? 'the upper arc' : 'the lower arc',
  );
  const placed = glyphs.map((g, i) => {
    const u = arc.paramAt(fit.offsets[i]!);
    const t = side === 'upper' ? u : Math.PI - u;
    const p = arc.point(t);
    const angle = arc.normalAngle(t) + (side === 'upper' ? 0 : Math.PI);
    return placeGlyph(
      g,
      field,
      { x: centre.x + p.x, y: centre.y + p.y },
      angle,
      style.emMm,
      fit.sx,
      squeezedStroke(style, fit),
    );
  });
  return { glyphs: placed, halfAngle: arc.paramAt(fit.length / 2) };
}

/**
 * Sets a horizontal run centred on x = `cx` with its em box top at `top`, squeezed to `maxWidth`.
 */
function setLine(
  field: Field,
  chars: readonly string[],
  style: RunStyle,
  cx: number,
  top: number,
  maxWidth: number,
): PlacedGlyph[] {
  const glyphs = chars.map((c) => cjkGlyph(c, field));
  const fit = fitRun(field, glyphs, style, 0, maxWidth, 'a line');
  return glyphs.map((g, i) =>
    placeGlyph(
      g,
      field,
      { x: cx + fit.offsets[i]!, y: top + style.emMm / 2 },
      0,
      style.emMm,
      fit.sx,
      squeezedStroke(style, fit),
    ),
  );
}

/** The natural (unsqueezed) width of a line. */
function naturalWidth(field: Field, chars: readonly string[], style: RunStyle): number {
  const upm = cjkUnitsPerEm();
  const units = chars.reduce((s, c) => s + cjkGlyph(c, field).advance / upm, 0);
  return units * style.emMm * style.sx + (chars.length - 1) * style.track;
}

/** Half the width of the ellipse (semi-axes a, b, centred at 0) at height y; 0 outside it. */
function halfChord(a: number, b: number, y: number): number {
  const r = 1 - (y / b) ** 2;
  return r > 0 ? a * Math.sqrt(r) : 0;
}

const deg = Math.PI / 180;

/**
 * Glyph thickening, as a fraction of the em: Noto Serif's regular 宋体 strokes (vertical stems
 * about 0.07 em, horizontals 0.03 em) look hair-thin in red ink; engraved seal strokes are
 * heavier and more even. A stroke of this width in the ink colour adds the same weight to both.
 */
const STROKE_PER_EM = 0.04;

/** Rounds to 1e-6 so that stored numbers do not carry float noise into output. */
function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** A run style scaled from a reference size: em and gaps given as fractions of `unit`. */
function style(
  unit: number,
  em: number,
  sx: number,
  sxMin: number,
  track: number,
  trackMin: number,
  trackMax: number,
): RunStyle {
  const emMm = unit * em;
  return {
    emMm,
    sx,
    sxMin,
    track: emMm * track,
    trackMin: emMm * trackMin,
    trackMax: emMm * trackMax,
    stroke: emMm * STROKE_PER_EM,
  };
}

// ---------------------------------------------------------------------------------------------
// Round official seal (公章)

function layoutRound(s: NormalisedSpec): Layout {
  const d = s.widthMm;
  const r = d / 2;
  const c: Point = { x: r, y: r };
  const border = roundBorder(d);
  const inner = r - border;
  const clear = d * 0.008;
  const frame: SealPath[] = [
    {
      role: 'border',
      commands: [...ellipseCommands(c.x, c.y, r, r), ...ellipseCommands(c.x, c.y, inner, inner)],
      fillRule: 'evenodd',
    },
  ];
  const glyphs: PlacedGlyph[] = [];
  const obstacles: Point[][] = [];

  // Lower arc first: the name's arc may only reach down to where the lower text begins.
  let lowerHalf = 0;
  let lowerInner = inner;
  const lower =
    s.code !== undefined
      ? { field: 'code' as const, chars: s.code, st: style(d, 0.068, 0.85, 0.5, 0.12, 0.04, 0.5) }
      : s.bottomText !== undefined && s.bottomTextLayout === 'arc'
        ? {
            field: 'bottomText' as const,
            chars: s.bottomText,
            st: style(d, 0.1, 0.9, 0.5, 0.1, 0.03, 0.6),
          }
        : undefined;
  if (lower !== undefined) {
    const mid = inner - d * 0.016 - lower.st.emMm / 2;
    const run = setArcRun(
      lower.field,
      lower.chars,
      lower.st,
      c,
      new EllipseArc(mid, mid),
      'lower',
      lower.field === 'code' ? 0 : 30 * deg,
      62 * deg,
    );
    glyphs.push(...run.glyphs);
    lowerHalf = run.halfAngle;
    lowerInner = mid - lower.st.emMm / 2;
  }

  const lines: { field: Field; chars: string[]; st: RunStyle }[] = [];
  if (s.centerText !== undefined) {
    lines.push({
      field: 'centerText',
      chars: s.centerText,
      st: style(d, 0.112, 0.9, 0.45, 0.08, 0.02, 0.3),
    });
  }
  if (s.bottomText !== undefined && s.bottomTextLayout === 'line') {
    lines.push({
      field: 'bottomText',
      chars: s.bottomText,
      st: style(d, 0.1, 0.9, 0.45, 0.08, 0.02, 0.3),
    });
  }

  // Organisation name along the upper arc: the arc grows with the name, from about 150 degrees
  // for short names to 260 degrees (240 when lines sit under the star, less above a lower-arc
  // text), and the characters narrow only when that is not enough. Short names get taller
  // characters, as engravers cut them, instead of wide gaps.
  const n = s.text.length;
  const nameEm =
    0.148 *
    (n < 8 ? Math.min(1.2, 1 + 0.04 * (8 - n)) : Math.max(0.8, 1 - 0.02 * Math.max(0, n - 14)));
  const nameStyle = style(d, nameEm, 0.92, 0.5, 0.1, 0.02, 0.7);
  const nameMid = inner - d * 0.02 - nameStyle.emMm / 2;
  let edge = (lines.length > 0 ? 120 : 130) * deg;
  if (lower !== undefined) edge = Math.min(edge, Math.PI - lowerHalf - 10 * deg);
  const name = setArcRun(
    'text',
    s.text,
    nameStyle,
    c,
    new EllipseArc(nameMid, nameMid),
    'upper',
    75 * deg,
    edge,
  );
  glyphs.push(...name.glyphs);
  const nameInner = nameMid - nameStyle.emMm / 2;
  // How far round the name's ink really reaches (its inner corners pass the arc-length edge).
  const nameReach = Math.max(
    ...name.glyphs.flatMap((g) => g.ink.map((p) => Math.abs(Math.atan2(p.x - c.x, c.y - p.y)))),
  );

  // Star, then the horizontal lines under it (or centred when there is no star).
  let top: number;
  if (s.star) {
    // Star 14 mm across on a 42 mm seal; a little smaller and higher when lines share the lower half.
    const starR = d * (lines.length === 0 ? 0.1667 : lines.length === 1 ? 0.155 : 0.135);
    const starCy = c.y - (lines.length === 0 ? 0 : d * (lines.length === 1 ? 0.01 : 0.05));
    const star = starVertices(c.x, starCy, starR);
    frame.push({ role: 'star', commands: polygonCommands(star), fillRule: 'nonzero' });
    obstacles.push(star.filter((_, i) => i % 2 === 0));
    top = starCy + starR * Math.cos(36 * deg) + d * 0.03;
  } else {
    const total = lines.reduce((h, l) => h + l.st.emMm, 0) + (lines.length - 1) * d * 0.02;
    top = c.y - total / 2;
  }
  for (const line of lines) {
    const y1 = top - c.y;
    const y2 = y1 + line.st.emMm;
    // The line's box must stay inside the ring and above the lower-arc text, and keep off the
    // name's band: the region outside the band's inner radius and within the angles the name's
    // ink reaches. Below the centre, a box edge x = h clears it when h <= ri sin(a) (the corner of
    // that region), when its bottom is inside ri, or when its top is below the name's last ray.
    const ring = (y: number): number => Math.sqrt(Math.max(0, (inner - 3 * clear) ** 2 - y * y));
    const lowerArc = (y: number): number =>
      Math.sqrt(Math.max(0, (lowerInner - 2 * clear) ** 2 - y * y));
    const ri = nameInner - 2 * clear;
    const radial = (y: number): number => Math.sqrt(Math.max(0, ri * ri - y * y));
    const a = Math.PI - nameReach - 5 * deg;
    let nameHalf = y1 < 0 ? radial(y1) : Infinity;
    if (y2 > 0) {
      nameHalf = Math.min(
        nameHalf,
        a <= 0
          ? radial(y2)
          : a >= Math.PI / 2
            ? Infinity
            : Math.max(ri * Math.sin(a), radial(y2), Math.max(0, y1) * Math.tan(a)),
      );
    }
    const half = Math.min(ring(y1), ring(y2), lowerArc(y1), lowerArc(y2), nameHalf);
    glyphs.push(...setLine(line.field, line.chars, line.st, c.x, top, 2 * half));
    top += line.st.emMm + d * 0.02;
  }
  return { frame, glyphs, obstacles };
}

/** Border width of a round seal: 1.26 mm on 42 mm (engravers cut 1 to 1.5 mm). */
function roundBorder(d: number): number {
  return d * 0.03;
}

/** Border width of an oval seal: 1 mm on the 40 mm long axis (发票专用章). */
function ovalBorder(w: number): number {
  return w * 0.025;
}

/** Border width of a square seal: 1 mm on 20 mm. */
function squareBorder(side: number): number {
  return side * 0.05;
}

// ---------------------------------------------------------------------------------------------
// Oval seal (财务专用章 / 发票专用章)

function layoutOval(s: NormalisedSpec): Layout {
  const w = s.widthMm;
  const h = s.heightMm;
  const a = w / 2;
  const b = h / 2;
  const c: Point = { x: a, y: b };
  const border = ovalBorder(w);
  const ai = a - border;
  const bi = b - border;
  const frame: SealPath[] = [
    {
      role: 'border',
      commands: [...ellipseCommands(c.x, c.y, a, b), ...ellipseCommands(c.x, c.y, ai, bi)],
      fillRule: 'evenodd',
    },
  ];
  const glyphs: PlacedGlyph[] = [];

  // Name along the upper arc (发票专用章: characters 4.2 mm tall).
  const nameStyle = style(w, 0.115, 0.85, 0.5, 0.08, 0.02, 0.6);
  const inset = w * 0.015 + nameStyle.emMm / 2;
  glyphs.push(
    ...setArcRun(
      'text',
      s.text,
      nameStyle,
      c,
      new EllipseArc(ai - inset, bi - inset),
      'upper',
      60 * deg,
      84 * deg,
    ).glyphs,
  );

  // Middle line: the taxpayer number (digits 3.7 mm tall, 1.3 mm wide, Arial in the 2011 notice:
  // the font's Latin digits narrowed to match) or the centre text.
  const codeStyle = style(w, 0.125, 0.62, 0.4, 0.04, 0.0, 0.2);
  const lineStyle = style(w, 0.112, 0.85, 0.45, 0.08, 0.02, 0.3);
  // 发票专用章 wording: 4.6 mm tall, 3 mm wide.
  const bottomStyle = style(w, 0.118, 0.68, 0.45, 0.1, 0.02, 0.4);
  const middle =
    s.code !== undefined
      ? { field: 'code' as const, chars: s.code, st: codeStyle }
      : s.centerText !== undefined
        ? { field: 'centerText' as const, chars: s.centerText, st: lineStyle }
        : undefined;
  const bottom =
    s.bottomText !== undefined
      ? { field: 'bottomText' as const, chars: s.bottomText, st: bottomStyle }
      : s.code !== undefined && s.centerText !== undefined
        ? { field: 'centerText' as const, chars: s.centerText, st: bottomStyle }
        : undefined;

  const clear = w * 0.04;
  let middleBottom = c.y + h * 0.05;
  if (middle !== undefined) {
    const top = c.y + h * 0.03 - middle.st.emMm / 2;
    const yFar = Math.max(Math.abs(top - c.y), Math.abs(top + middle.st.emMm - c.y));
    // The name arc's ends come down to about the middle: keep the line inside them.
    const half = halfChord(ai - inset - nameStyle.emMm / 2 - clear, bi, yFar);
    glyphs.push(...setLine(middle.field, middle.chars, middle.st, c.x, top, 2 * half));
    middleBottom = top + middle.st.emMm;
  }
  if (bottom !== undefined) {
    const em = bottom.st.emMm;
    const ae = ai - clear;
    const be = bi - clear;
    // As low as the border allows for the line's natural width, but never into the middle line.
    const natural = naturalWidth(bottom.field, bottom.chars, bottom.st);
    const lowest = c.y + bi - h * 0.06 - em;
    const fitTop = c.y + halfChord(be, ae, natural / 2) - em;
    const highest = middleBottom + h * 0.03;
    const top = Math.max(highest, Math.min(lowest, fitTop));
    const half = halfChord(ae, be, top + em - c.y);
    glyphs.push(...setLine(bottom.field, bottom.chars, bottom.st, c.x, top, 2 * half));
  }
  return { frame, glyphs, obstacles: [] };
}

// ---------------------------------------------------------------------------------------------
// Square personal seal (个人名章)

function layoutSquare(s: NormalisedSpec): Layout {
  const side = s.widthMm;
  // Characters fill the inside in cells, as engravers cut them.
  const border = squareBorder(side);
  const margin = side * 0.035;
  const gap = side * 0.03;
  const frame: SealPath[] = [
    {
      role: 'border',
      commands: [
        ...rectCommands(0, 0, side, side),
        ...rectCommands(border, border, side - 2 * border, side - 2 * border),
      ],
      fillRule: 'evenodd',
    },
  ];
  const x0 = border + margin;
  const inner = side - 2 * (border + margin);
  const half = (inner - gap) / 2;
  const right = x0 + half + gap;
  // Traditional order: columns from right to left, each read top to bottom.
  const cells: [number, number, number, number][] =
    s.text.length === 1
      ? [[x0, x0, inner, inner]]
      : s.text.length === 2
        ? [
            [right, x0, half, inner],
            [x0, x0, half, inner],
          ]
        : s.text.length === 3
          ? [
              [right, x0, half, inner],
              [x0, x0, half, half],
              [x0, x0 + half + gap, half, half],
            ]
          : [
              [right, x0, half, half],
              [right, x0 + half + gap, half, half],
              [x0, x0, half, half],
              [x0, x0 + half + gap, half, half],
            ];
  const glyphs = s.text.map((ch, i) => {
    const [x, y, w, h] = cells[i]!;
    return placeGlyphInCell(cjkGlyph(ch, 'text'), 'text', x, y, w, h, Math.min(w, h) * 0.05);
  });
  return { frame, glyphs, obstacles: [] };
}

// ---------------------------------------------------------------------------------------------
// Final checks: nothing outside the border, no two texts touching, nothing on the star.

function checkLayout(s: NormalisedSpec, layout: Layout): void {
  const clearance = Math.min(s.widthMm, s.heightMm) * 0.008;
  const inside = (p: Point): boolean => {
    if (s.shape === 'square') {
      const lo = squareBorder(s.widthMm) + clearance;
      const hi = s.widthMm - lo;
      return p.x >= lo && p.x <= hi && p.y >= lo && p.y <= hi;
    }
    const border = s.shape === 'round' ? roundBorder(s.widthMm) : ovalBorder(s.widthMm);
    const ai = s.widthMm / 2 - border - clearance;
    const bi = s.heightMm / 2 - border - clearance;
    return ((p.x - s.widthMm / 2) / ai) ** 2 + ((p.y - s.heightMm / 2) / bi) ** 2 <= 1;
  };
  const inked = layout.glyphs.filter((g) => g.glyph.commands.length > 0);
  for (const g of inked) {
    if (!grown(g).every(inside)) {
      throw new SealImageLayoutError(
        [g.field],
        `“${g.glyph.character}” of ${g.field} would touch or cross the border`,
      );
    }
    for (const o of layout.obstacles) {
      if (convexOverlap(g.ink, o, clearance + g.stroke / 2)) {
        throw new SealImageLayoutError([g.field], `${g.field} would overlap the star`);
      }
    }
  }
  for (let i = 0; i < inked.length; i++) {
    for (let j = i + 1; j < inked.length; j++) {
      const p = inked[i]!;
      const q = inked[j]!;
      if (p.field === q.field) continue;
      if (convexOverlap(p.ink, q.ink, clearance + (p.stroke + q.stroke) / 2)) {
        throw new SealImageLayoutError(
          [p.field, q.field],
          `${p.field} and ${q.field} would overlap (“${p.glyph.character}” and “${q.glyph.character}”)`,
        );
      }
    }
  }
}

/** The ink box pushed out by half the stroke along its own axes. */
function grown(g: PlacedGlyph): Point[] {
  const [p0, p1, , p3] = g.ink as [Point, Point, Point, Point];
  const ux = unit(p0, p1);
  const uy = unit(p0, p3);
  const d = g.stroke / 2;
  const shift = (p: Point, sx: number, sy: number): Point => ({
    x: p.x + d * (sx * ux.x + sy * uy.x),
    y: p.y + d * (sx * ux.y + sy * uy.y),
  });
  return [
    shift(g.ink[0]!, -1, -1),
    shift(g.ink[1]!, 1, -1),
    shift(g.ink[2]!, 1, 1),
    shift(g.ink[3]!, -1, 1),
  ];
}

function unit(a: Point, b: Point): Point {
  const len = Math.hypot(b.x - a.x, b.y - a.y);
  return len === 0 ? { x: 0, y: 0 } : { x: (b.x - a.x) / len, y: (b.y - a.y) / len };
}
