import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as fontkit from 'fontkit';
import { describe, expect, it } from 'vitest';
import {
  drawSeal,
  sealToSvg,
  type SealDrawing,
  type SealImageSpec,
  type SealPath,
} from '@govtrust/core/seal';

const fontPath = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../fonts/NotoSerifCJKsc-Regular-subset.otf',
);
const font = (() => {
  const f = fontkit.create(readFileSync(fontPath));
  if ('fonts' in f) throw new Error('collection');
  return f;
})();

const glyphPaths = (d: SealDrawing, field?: string): SealPath[] =>
  d.paths.filter((p) => p.role === 'glyph' && (field === undefined || p.glyph?.field === field));

/** Where the em-box centre of a glyph path lies (font units: half the advance, the ideographic em middle 380). */
function glyphCentre(p: SealPath): { x: number; y: number } {
  const g = p.glyph!;
  const adv = font.glyphForCodePoint(g.character.codePointAt(0)!).advanceWidth;
  const [a, b, c, dd, e, f] = g.transform;
  return { x: a * (adv / 2) + c * 380 + e, y: b * (adv / 2) + dd * 380 + f };
}

/** Clockwise angle from 12 o'clock, degrees, of a point about the centre. */
const clockAngle = (p: { x: number; y: number }, cx: number, cy: number): number =>
  (Math.atan2(p.x - cx, -(p.y - cy)) * 180) / Math.PI;

/** Every point of a path (control points too: they bound the curve). */
function points(p: SealPath): { x: number; y: number }[] {
  return p.commands.flatMap((c) =>
    c.op === 'Z'
      ? []
      : c.op === 'C'
        ? [
            { x: c.x1, y: c.y1 },
            { x: c.x2, y: c.y2 },
            { x: c.x, y: c.y },
          ]
        : [{ x: c.x, y: c.y }],
  );
}

/** Independent SVG path formatting: 3 decimals, no trailing zeros. */
const f3 = (n: number): string => {
  const s = n.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
};

describe('drawSeal: glyphs are the embedded font’s outlines', () => {
  it('the SVG path of 章 is the font’s glyph path under the placement matrix', () => {
    const drawing = drawSeal({
      shape: 'round',
      text: '某某市市场监督管理局',
      centerText: '合同专用章',
    });
    const zhang = glyphPaths(drawing, 'centerText').find((p) => p.glyph?.character === '章')!;
    const ref = font.glyphForCodePoint('章'.codePointAt(0)!);
    expect(zhang.glyph!.glyphId).toBe(ref.id);
    const [a, b, c, d, e, f] = zhang.glyph!.transform;
    const map = (x: number, y: number): string =>
      `${f3(a * x + c * y + e)} ${f3(b * x + d * y + f)}`;
    const expected = ref.path.commands
      .map(({ command, args }) =>
        command === 'closePath'
          ? 'Z'
          : command === 'moveTo'
            ? `M${map(args[0]!, args[1]!)}`
            : command === 'lineTo'
              ? `L${map(args[0]!, args[1]!)}`
              : `C${map(args[0]!, args[1]!)} ${map(args[2]!, args[3]!)} ${map(args[4]!, args[5]!)}`,
      )
      .join('');
    const svg = sealToSvg(drawing);
    const ds = [...svg.matchAll(/ d="([^"]+)"/g)].map((m) => m[1]);
    expect(ds[drawing.paths.indexOf(zhang)]).toBe(expected);
    expect(expected.length).toBeGreaterThan(500);
  });

  it('every glyph path is the glyph of its character, one per inked character', () => {
    const spec: SealImageSpec = {
      shape: 'oval',
      text: '杭州某某贸易有限公司',
      code: '91330100MA2ABCDE1X',
      bottomText: '发票专用章',
    };
    const drawing = drawSeal(spec);
    const chars = [spec.text, spec.code, spec.bottomText].join('');
    expect(
      glyphPaths(drawing)
        .map((p) => p.glyph!.character)
        .join(''),
    ).toBe(chars);
    for (const p of glyphPaths(drawing)) {
      expect(p.glyph!.glyphId).toBe(font.glyphForCodePoint(p.glyph!.character.codePointAt(0)!).id);
      expect(p.fillRule).toBe('nonzero');
    }
  });
});

describe('drawSeal: round official seal (公章)', () => {
  const name = '某某市市场监督管理局';
  const drawing = drawSeal({ shape: 'round', text: name });

  it('is 42 mm across by default: even-odd ring, then the star, then the name', () => {
    expect(drawing.widthMm).toBe(42);
    expect(drawing.heightMm).toBe(42);
    expect(drawing.color).toBe('#e60012');
    expect(drawing.paths.map((p) => p.role)).toEqual([
      'border',
      'star',
      ...Array(10).fill('glyph'),
    ]);
    expect(drawing.paths[0]!.fillRule).toBe('evenodd');
    expect(drawing.paths[0]!.commands.filter((c) => c.op === 'M')).toHaveLength(2);
  });

  it('has a regular five-pointed star exactly in the centre, pointing up', () => {
    const star = points(drawing.paths[1]!);
    expect(star).toHaveLength(10);
    const cx = star.reduce((s, p) => s + p.x, 0) / 10;
    const cy = star.reduce((s, p) => s + p.y, 0) / 10;
    expect(cx).toBeCloseTo(21, 9);
    expect(cy).toBeCloseTo(21, 9);
    const radii = star.map((p) => Math.hypot(p.x - 21, p.y - 21));
    // Tips 7 mm out (a 14 mm star on a 42 mm seal), the inner corners at 0.382 of that.
    for (let i = 0; i < 10; i += 2) expect(radii[i]).toBeCloseTo(7, 1);
    for (let i = 1; i < 10; i += 2) expect(radii[i]! / radii[0]!).toBeCloseTo(0.382, 3);
    expect(star[0]!.x).toBeCloseTo(21, 9);
    expect(star[0]!.y).toBeLessThan(21);
  });

  it('sets the name along the upper arc: one radius, even spacing, symmetric, rotated to follow it', () => {
    const glyphs = glyphPaths(drawing);
    const centres = glyphs.map(glyphCentre);
    const radii = centres.map((p) => Math.hypot(p.x - 21, p.y - 21));
    for (const r of radii) expect(r).toBeCloseTo(radii[0]!, 6);
    const angles = centres.map((p) => clockAngle(p, 21, 21));
    // Left to right, centred on 12 o'clock.
    for (let i = 1; i < angles.length; i++) {
      expect(angles[i]! - angles[i - 1]!).toBeCloseTo(angles[1]! - angles[0]!, 6);
    }
    expect(angles[0]! + angles.at(-1)!).toBeCloseTo(0, 6);
    expect(angles[0]!).toBeLessThan(-90);
    // Each character is turned by its own angle: its up direction points away from the centre.
    glyphs.forEach((p, i) => {
      const [a, b] = p.glyph!.transform;
      expect((Math.atan2(b, a) * 180) / Math.PI).toBeCloseTo(angles[i]!, 6);
    });
  });

  it('adapts the arc to the name: longer names span more, then narrow the characters', () => {
    const span = (text: string): { span: number; sx: number } => {
      const d = drawSeal({ shape: 'round', text });
      const g = glyphPaths(d);
      const a = g.map((p) => clockAngle(glyphCentre(p), 21, 21));
      const [ta, tb] = g[0]!.glyph!.transform;
      const k = Math.hypot(ta, tb);
      // The vertical scale is the em size / 1000; the horizontal one relative to it is sx.
      const [, , tc, td] = g[0]!.glyph!.transform;
      return { span: a.at(-1)! - a[0]!, sx: k / Math.hypot(tc, td) };
    };
    const s6 = span('某某有限公司');
    const s10 = span(name);
    const s14 = span('某某省某某市某某区人民政府办公室');
    const s24 = span('北京市海淀区某某街道某某社区居民委员会服务中心管');
    expect(s6.span).toBeLessThan(s10.span);
    expect(s10.span).toBeLessThan(s14.span);
    expect(s14.span).toBeLessThanOrEqual(s24.span + 1e-9);
    // Never past 8 and 4 o'clock by more than half a character.
    expect(s24.span).toBeLessThan(262);
    expect(s24.sx).toBeLessThan(s10.sx);
    expect(s24.sx).toBeGreaterThanOrEqual(0.5);
  });

  it('puts the code along the lower arc, upright from the inside, and 合同专用章 under the star', () => {
    const d = drawSeal({
      shape: 'round',
      text: '上海某某信息科技有限公司',
      centerText: '合同专用章',
      code: '3101150012345',
    });
    const code = glyphPaths(d, 'code').map(glyphCentre);
    expect(code).toHaveLength(13);
    const angles = code.map((p) => clockAngle(p, 21, 21));
    // Around 6 o'clock, read left to right (x grows), all below the centre.
    for (let i = 1; i < code.length; i++) expect(code[i]!.x).toBeGreaterThan(code[i - 1]!.x);
    for (const p of code) expect(p.y).toBeGreaterThan(21 + 15);
    expect(Math.abs(angles[0]!)).toBeGreaterThan(120);
    const centre = glyphPaths(d, 'centerText').map(glyphCentre);
    for (const p of centre) expect(p.y).toBeCloseTo(centre[0]!.y, 9);
    const star = d.paths.find((p) => p.role === 'star')!;
    const starBottom = Math.max(...points(star).map((p) => p.y));
    expect(centre[0]!.y).toBeGreaterThan(starBottom);
    expect((centre[0]!.x + centre.at(-1)!.x) / 2).toBeCloseTo(21, 6);
  });
});

describe('drawSeal: oval and square seals', () => {
  it('oval 发票专用章: 40 x 30 mm, name on the arc, taxpayer number across the middle, 发票专用章 below', () => {
    const d = drawSeal({
      shape: 'oval',
      text: '杭州某某贸易有限公司',
      code: '91330100MA2ABCDE1X',
      bottomText: '发票专用章',
    });
    expect([d.widthMm, d.heightMm]).toEqual([40, 30]);
    const name = glyphPaths(d, 'text').map(glyphCentre);
    const code = glyphPaths(d, 'code').map(glyphCentre);
    const bottom = glyphPaths(d, 'bottomText').map(glyphCentre);
    // Centred: the run's em boxes (proportional digits) reach equally far left and right.
    const codePaths = glyphPaths(d, 'code');
    const edge = (p: SealPath, side: -1 | 1): number =>
      glyphCentre(p).x +
      (side *
        p.glyph!.transform[0] *
        font.glyphForCodePoint(p.glyph!.character.codePointAt(0)!).advanceWidth) /
        2;
    expect((edge(codePaths[0]!, -1) + edge(codePaths.at(-1)!, 1)) / 2).toBeCloseTo(20, 6);
    expect(Math.abs(code[0]!.y - 15)).toBeLessThan(1.5);
    expect(Math.min(...name.map((p) => p.y))).toBeLessThan(code[0]!.y - 8);
    expect(bottom[0]!.y).toBeGreaterThan(code[0]!.y + 4);
    // The digits are narrowed (the 2011 notice: 3.7 mm tall, 1.3 mm wide).
    const [a, b, c, dd] = glyphPaths(d, 'code')[0]!.glyph!.transform;
    expect(Math.hypot(a, b) / Math.hypot(c, dd)).toBeLessThan(0.7);
  });

  it('square 个人名章: four characters in right-to-left columns, two in tall halves', () => {
    const d = drawSeal({ shape: 'square', text: '张三之印' });
    expect([d.widthMm, d.heightMm]).toEqual([20, 20]);
    const [zhang, san, zhi, yin] = glyphPaths(d).map(glyphCentre);
    expect(zhang!.x).toBeGreaterThan(10);
    expect(san!.x).toBeCloseTo(zhang!.x, 9);
    expect(san!.y).toBeGreaterThan(zhang!.y);
    expect(zhi!.x).toBeLessThan(10);
    expect(yin!.x).toBeCloseTo(zhi!.x, 9);
    expect(zhi!.y).toBeCloseTo(zhang!.y, 9);
    const two = glyphPaths(drawSeal({ shape: 'square', text: '李明', sizeMm: 18 }));
    const [li, ming] = two.map(glyphCentre);
    expect(li!.x).toBeGreaterThan(ming!.x);
    // Each of the two fills a full-height column: twice as tall as wide.
    const [a, , , dd] = two[0]!.glyph!.transform;
    expect(Math.abs(dd / a)).toBeGreaterThan(1.8);
  });

  it.each<[string, SealImageSpec]>([
    [
      'round, every text',
      {
        shape: 'round',
        text: '上海某某信息科技有限公司',
        centerText: '合同专用章',
        bottomText: '（1）',
        bottomTextLayout: 'line',
        code: '3101150012345',
      },
    ],
    [
      'round, 28 characters',
      { shape: 'round', text: '北京市海淀区某某街道某某社区居民委员会服务中心管理处办' },
    ],
    [
      'round, bottom arc text',
      { shape: 'round', text: '某某科技有限公司', bottomText: 'ABC TECHNOLOGY CO LTD' },
    ],
    ['round, small', { shape: 'round', text: '某某市市场监督管理局', sizeMm: 20 }],
    ['oval, 财务专用章', { shape: 'oval', text: '某某有限公司', centerText: '财务专用章' }],
    [
      'oval, every text',
      {
        shape: 'oval',
        text: '杭州某某贸易有限公司',
        code: '91330100MA2ABCDE1X',
        bottomText: '发票专用章',
      },
    ],
    ['square, 3', { shape: 'square', text: '欧阳修' }],
  ])('%s: all ink stays inside the border (nothing clipped)', (_title, spec) => {
    const d = drawSeal(spec);
    const border = d.paths[0]!;
    // The inner outline is the second subpath of the even-odd ring.
    const innerStart = border.commands.findIndex((c, i) => i > 0 && c.op === 'M');
    const inner = points({ ...border, commands: border.commands.slice(innerStart) });
    const cx = d.widthMm / 2;
    const cy = d.heightMm / 2;
    const ai = Math.max(...inner.map((p) => Math.abs(p.x - cx)));
    const bi = Math.max(...inner.map((p) => Math.abs(p.y - cy)));
    for (const p of glyphPaths(d)) {
      const pad = (p.strokeMm ?? 0) / 2;
      for (const q of points(p)) {
        if (d.shape === 'square') {
          expect(Math.abs(q.x - cx) + pad).toBeLessThan(ai);
          expect(Math.abs(q.y - cy) + pad).toBeLessThan(bi);
        } else {
          expect(((q.x - cx) / (ai - pad)) ** 2 + ((q.y - cy) / (bi - pad)) ** 2).toBeLessThan(1);
        }
      }
    }
  });
});

describe('drawSeal: deterministic output', () => {
  it('the same spec gives the same drawing and the same SVG', () => {
    const spec: SealImageSpec = {
      shape: 'round',
      text: '上海某某信息科技有限公司',
      centerText: '合同专用章',
      code: '3101150012345',
      sizeMm: 40,
      color: '#D7000F',
    };
    const a = drawSeal(spec);
    const b = drawSeal({ ...spec });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(sealToSvg(a)).toBe(sealToSvg(b));
    expect(a.color).toBe('#d7000f');
    // Text is normalised (NFC, trimmed) before layout.
    expect(JSON.stringify(drawSeal({ ...spec, text: '  上海某某信息科技有限公司　' }))).toBe(
      JSON.stringify(a),
    );
  });
});

describe('drawSeal: invalid specs', () => {
  const cases: [string, unknown, string, Record<string, unknown>?][] = [
    ['unknown shape', { shape: 'triangle', text: '某' }, 'ERR_SEAL_IMAGE_SPEC', { field: 'shape' }],
    ['no spec', null, 'ERR_SEAL_IMAGE_SPEC'],
    ['missing text', { shape: 'round' }, 'ERR_SEAL_IMAGE_SPEC', { field: 'text' }],
    ['empty text', { shape: 'round', text: '' }, 'ERR_SEAL_IMAGE_SPEC', { field: 'text' }],
    ['blank text', { shape: 'round', text: ' \u3000 ' }, 'ERR_SEAL_IMAGE_SPEC', { field: 'text' }],
    [
      'control character',
      { shape: 'round', text: '某某\n公司' },
      'ERR_SEAL_IMAGE_SPEC',
      { field: 'text' },
    ],
    [
      'zero-width joiner',
      { shape: 'round', text: '某\u200d某' },
      'ERR_SEAL_IMAGE_SPEC',
      { field: 'text' },
    ],
    ['text not a string', { shape: 'round', text: 42 }, 'ERR_SEAL_IMAGE_SPEC', { field: 'text' }],
    [
      'empty centre text',
      { shape: 'round', text: '某某', centerText: ' ' },
      'ERR_SEAL_IMAGE_SPEC',
      { field: 'centerText' },
    ],
    [
      'size zero',
      { shape: 'round', text: '某', sizeMm: 0 },
      'ERR_SEAL_IMAGE_SPEC',
      { field: 'sizeMm' },
    ],
    [
      'size NaN',
      { shape: 'round', text: '某', sizeMm: Number.NaN },
      'ERR_SEAL_IMAGE_SPEC',
      { field: 'sizeMm' },
    ],
    [
      'size as text',
      { shape: 'round', text: '某', sizeMm: '42' },
      'ERR_SEAL_IMAGE_SPEC',
      { field: 'sizeMm' },
    ],
    [
      'round too big',
      { shape: 'round', text: '某', sizeMm: 120 },
      'ERR_SEAL_IMAGE_SPEC',
      { field: 'sizeMm' },
    ],
    [
      'square too small',
      { shape: 'square', text: '某', sizeMm: 5 },
      'ERR_SEAL_IMAGE_SPEC',
      { field: 'sizeMm' },
    ],
    [
      'oval taller than wide',
      { shape: 'oval', text: '某', sizeMm: 40, heightMm: 45 },
      'ERR_SEAL_IMAGE_SPEC',
      { field: 'heightMm' },
    ],
    [
      'heightMm on a round seal',
      { shape: 'round', text: '某', heightMm: 30 },
      'ERR_SEAL_IMAGE_SPEC',
      { field: 'heightMm' },
    ],
    [
      'colour name',
      { shape: 'round', text: '某', color: 'red' },
      'ERR_SEAL_IMAGE_SPEC',
      { field: 'color' },
    ],
    [
      'star on a square seal',
      { shape: 'square', text: '某', star: true },
      'ERR_SEAL_IMAGE_SPEC',
      { field: 'star' },
    ],
    [
      'centre text on a square seal',
      { shape: 'square', text: '某', centerText: '某' },
      'ERR_SEAL_IMAGE_SPEC',
      { field: 'centerText' },
    ],
    [
      'arc bottom text on an oval',
      { shape: 'oval', text: '某', bottomText: '某', bottomTextLayout: 'arc' },
      'ERR_SEAL_IMAGE_SPEC',
      { field: 'bottomTextLayout' },
    ],
    [
      'lower-case code',
      { shape: 'round', text: '某某', code: '12ab' },
      'ERR_SEAL_IMAGE_SPEC',
      { field: 'code' },
    ],
    [
      'code with a space',
      { shape: 'round', text: '某某', code: '123 456' },
      'ERR_SEAL_IMAGE_SPEC',
      { field: 'code' },
    ],
    [
      'five characters on a square seal',
      { shape: 'square', text: '欧阳修之印' },
      'ERR_SEAL_IMAGE_TEXT_TOO_LONG',
      { field: 'text', length: 5 },
    ],
    [
      '41 characters',
      { shape: 'round', text: '某'.repeat(41) },
      'ERR_SEAL_IMAGE_TEXT_TOO_LONG',
      { field: 'text', length: 41 },
    ],
    [
      '32 characters on 42 mm',
      { shape: 'round', text: '某'.repeat(32) },
      'ERR_SEAL_IMAGE_TEXT_TOO_LONG',
      { field: 'text', length: 32 },
    ],
    [
      '24 characters on a 40 x 30 oval',
      { shape: 'oval', text: '某'.repeat(24) },
      'ERR_SEAL_IMAGE_TEXT_TOO_LONG',
      { field: 'text' },
    ],
    [
      '16 characters under the star',
      {
        shape: 'round',
        text: '某某市市场监督管理局',
        centerText: '行政审批专用章行政审批专用章专用',
      },
      'ERR_SEAL_IMAGE_TEXT_TOO_LONG',
      { field: 'centerText' },
    ],
    [
      '21-character code',
      { shape: 'round', text: '某某', code: '1'.repeat(21) },
      'ERR_SEAL_IMAGE_TEXT_TOO_LONG',
      { field: 'code' },
    ],
    [
      'code and arc bottom text',
      { shape: 'round', text: '某某', code: '123', bottomText: '某' },
      'ERR_SEAL_IMAGE_LAYOUT',
      { fields: ['code', 'bottomText'] },
    ],
    [
      'three oval lines',
      { shape: 'oval', text: '某某', code: '123', centerText: '某', bottomText: '某' },
      'ERR_SEAL_IMAGE_LAYOUT',
    ],
    [
      'Hangul',
      { shape: 'round', text: '한국회사' },
      'ERR_FONT_GLYPH_MISSING',
      { field: 'text', character: '한', codePoint: 'U+D55C' },
    ],
    [
      'emoji in the centre text',
      { shape: 'round', text: '某某', centerText: '专用章😀' },
      'ERR_FONT_GLYPH_MISSING',
      { field: 'centerText', codePoint: 'U+1F600' },
    ],
  ];
  it.each(cases)('%s -> %s', (_title, spec, code, context) => {
    expect(() => drawSeal(spec as SealImageSpec)).toThrow(
      expect.objectContaining({ code, ...(context ?? {}) }) as Error,
    );
  });
});
