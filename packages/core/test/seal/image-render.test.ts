import { Resvg } from '@resvg/resvg-js';
import { DOMParser } from '@xmldom/xmldom';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  drawSeal,
  sealToPdfOperators,
  sealToPng,
  sealToSvg,
  type SealDrawing,
} from '@govtrust/core/seal';
import { hasTool, run, tempDir } from '../helpers/tools.js';

interface Image {
  width: number;
  height: number;
  data: Buffer;
}

const decode = (png: Uint8Array): Image => PNG.sync.read(Buffer.from(png));

function pixel(img: Image, x: number, y: number): [number, number, number, number] {
  const i = (Math.round(y) * img.width + Math.round(x)) * 4;
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!, img.data[i + 3]!];
}

/** Seal red: opaque, red high, green and blue low. */
function expectRed(p: [number, number, number, number], where: string): void {
  expect(p[3], `${where} alpha`).toBe(255);
  expect(p[0], `${where} red`).toBeGreaterThan(200);
  expect(p[1], `${where} green`).toBeLessThan(60);
  expect(p[2], `${where} blue`).toBeLessThan(60);
}

const round = drawSeal({ shape: 'round', text: '某某市市场监督管理局' });
const full = drawSeal({
  shape: 'round',
  text: '上海某某信息科技有限公司',
  centerText: '合同专用章',
  code: '3101150012345',
});
const oval = drawSeal({
  shape: 'oval',
  text: '杭州某某贸易有限公司',
  code: '91330100MA2ABCDE1X',
  bottomText: '发票专用章',
});

describe('sealToPng', () => {
  it('is an RGBA PNG of the seal’s physical size at the dpi, with its resolution recorded', async () => {
    for (const [drawing, dpi, w, h] of [
      [round, 300, 496, 496],
      [round, 150, 248, 248],
      [oval, 200, 315, 236],
      [drawSeal({ shape: 'square', text: '张三之印' }), 600, 472, 472],
    ] as const) {
      const png = await sealToPng(drawing, { dpi });
      expect(png).toBeInstanceOf(Uint8Array);
      const v = new DataView(png.buffer, png.byteOffset);
      // IHDR: width, height, bit depth 8, colour type 6 (truecolour with alpha).
      expect([v.getUint32(16), v.getUint32(20), png[24], png[25]]).toEqual([w, h, 8, 6]);
      const img = decode(png);
      expect([img.width, img.height]).toEqual([w, h]);
      // pHYs right after IHDR: pixels per metre on both axes, unit metre.
      expect(Buffer.from(png.subarray(37, 41)).toString('latin1')).toBe('pHYs');
      expect(v.getUint32(41)).toBe(Math.round(dpi / 0.0254));
      expect(v.getUint32(45)).toBe(Math.round(dpi / 0.0254));
    }
    // The default is 300 dpi.
    expect(decode(await sealToPng(round)).width).toBe(496);
  });

  it('has transparent corners, a red ring all round, a red star and clear space between', async () => {
    const img = decode(await sealToPng(round, { dpi: 300 }));
    const px = img.width / 42; // pixels per millimetre
    for (const [x, y] of [
      [0, 0],
      [img.width - 1, 0],
      [0, img.height - 1],
      [img.width - 1, img.height - 1],
    ] as const) {
      expect(pixel(img, x, y)[3]).toBe(0);
    }
    // Ring: 1.26 mm wide, sampled in the middle of its width every 15 degrees.
    for (let deg = 0; deg < 360; deg += 15) {
      const r = (21 - 0.63) * px;
      const a = (deg * Math.PI) / 180;
      expectRed(pixel(img, 21 * px + r * Math.sin(a), 21 * px - r * Math.cos(a)), `ring ${deg}°`);
    }
    // Star: its centre and a point half way up its top arm.
    expectRed(pixel(img, 21 * px, 21 * px), 'star centre');
    expectRed(pixel(img, 21 * px, (21 - 3.5) * px), 'star top arm');
    // Between the star's side and the ring, below the name's reach: nothing.
    expect(pixel(img, (21 + 10.5) * px, 21 * px)[3]).toBe(0);
    expect(pixel(img, 21 * px, (21 + 14) * px)[3]).toBe(0);
    // Between the star's arms (inside its circumcircle but off the star): nothing.
    expect(pixel(img, (21 + 3.5) * px, (21 - 5) * px)[3]).toBe(0);
  });

  it('is deterministic: the same drawing gives the same bytes', async () => {
    const a = await sealToPng(full, { dpi: 200 });
    const b = await sealToPng(
      drawSeal({
        ...{ shape: 'round' as const },
        text: '上海某某信息科技有限公司',
        centerText: '合同专用章',
        code: '3101150012345',
      }),
      { dpi: 200 },
    );
    expect(Buffer.compare(a, b)).toBe(0);
  });

  it.each([10, 71, 2401, Number.NaN, Infinity])(
    'refuses dpi %s with ERR_SEAL_IMAGE_SPEC',
    async (dpi) => {
      await expect(sealToPng(round, { dpi })).rejects.toMatchObject({
        code: 'ERR_SEAL_IMAGE_SPEC',
        field: 'dpi',
      });
    },
  );
});

describe('sealToSvg', () => {
  it('is well-formed XML: an svg root sized in millimetres, one path per drawing path, no text', () => {
    for (const drawing of [round, full, oval]) {
      const svg = sealToSvg(drawing);
      const errors: string[] = [];
      const doc = new DOMParser({
        onError: (level, message) => {
          errors.push(`${level}: ${message}`);
        },
      }).parseFromString(svg, 'image/svg+xml');
      expect(errors).toEqual([]);
      const root = doc.documentElement!;
      expect(root.namespaceURI).toBe('http://www.w3.org/2000/svg');
      expect(root.tagName).toBe('svg');
      expect(root.getAttribute('width')).toBe(`${drawing.widthMm}mm`);
      expect(root.getAttribute('height')).toBe(`${drawing.heightMm}mm`);
      expect(root.getAttribute('viewBox')).toBe(`0 0 ${drawing.widthMm} ${drawing.heightMm}`);
      const g = root.getElementsByTagName('g')[0]!;
      expect(g.getAttribute('fill')).toBe('#e60012');
      const paths = Array.from(root.getElementsByTagName('path'));
      expect(paths).toHaveLength(drawing.paths.length);
      for (const p of paths) expect(p.getAttribute('d')).toMatch(/^M[-0-9. MLCZ]+Z$/);
      expect(svg).not.toMatch(/<text|font-family|<image|href/);
    }
  });

  it('renders with resvg to exactly the PNG that sealToPng makes', async () => {
    for (const [drawing, width] of [
      [full, 496],
      [oval, 315],
    ] as const) {
      const direct = decode(
        new Resvg(sealToSvg(drawing), {
          fitTo: { mode: 'width', value: width },
          font: { loadSystemFonts: false },
        })
          .render()
          .asPng(),
      );
      const ours = decode(await sealToPng(drawing, { dpi: drawing === full ? 300 : 200 }));
      expect([ours.width, ours.height]).toEqual([direct.width, direct.height]);
      expect(Buffer.compare(ours.data, direct.data)).toBe(0);
    }
  });
});

describe('sealToPdfOperators', () => {
  const box = { widthPt: (42 / 25.4) * 72, heightPt: (42 / 25.4) * 72 };

  it('uses only path construction and fill operators, in the seal red, inside q ... Q', () => {
    const ops = sealToPdfOperators(full, box);
    const lines = ops.trim().split('\n');
    expect(lines[0]).toBe('q');
    expect(lines[1]).toBe('0.902 0 0.0706 rg');
    expect(lines.at(-1)).toBe('Q');
    const tokens = ops.split(/\s+/).filter((t) => t !== '');
    const operators = tokens.filter((t) => !/^-?[0-9.]+$/.test(t));
    expect(new Set(operators)).toEqual(
      new Set(['q', 'Q', 'rg', 'RG', 'j', 'm', 'l', 'c', 'h', 'w', 'f*', 'f', 'B']),
    );
    // One painting operator per drawing path: f* for the ring, f for the star, B (fill + the
    // thickening stroke) for glyphs.
    const paints = operators.filter((t) => t === 'f' || t === 'f*' || t === 'B');
    expect(paints).toEqual(
      full.paths.map((p) =>
        p.strokeMm !== undefined ? 'B' : p.fillRule === 'evenodd' ? 'f*' : 'f',
      ),
    );
    const numbers = tokens.filter((t) => /^-?[0-9.]+$/.test(t)).map(Number);
    expect(Math.min(...numbers)).toBeGreaterThanOrEqual(0);
  });

  it('maps millimetres into the box with y up, honouring the origin', () => {
    const d: SealDrawing = {
      shape: 'square',
      widthMm: 20,
      heightMm: 10,
      color: '#ff0000',
      paths: [
        {
          role: 'border',
          fillRule: 'nonzero',
          commands: [{ op: 'M', x: 0, y: 0 }, { op: 'L', x: 20, y: 10 }, { op: 'Z' }],
        },
      ],
    };
    expect(sealToPdfOperators(d, { widthPt: 200, heightPt: 100, x: 10, y: 20 })).toBe(
      'q\n1 0 0 rg\n10 120 m\n210 20 l\nh\nf\nQ\n',
    );
  });

  it.each([
    [{ widthPt: 0, heightPt: 10 }],
    [{ widthPt: 10, heightPt: -1 }],
    [{ widthPt: Number.NaN, heightPt: 10 }],
    [{ widthPt: 10, heightPt: 10, x: Infinity }],
  ])('refuses the box %o with ERR_SEAL_IMAGE_SPEC', (b) => {
    expect(() => sealToPdfOperators(round, b)).toThrow(
      expect.objectContaining({ code: 'ERR_SEAL_IMAGE_SPEC' }) as Error,
    );
  });

  const tmp = tempDir('govtrust-sealimg-');
  afterAll(() => tmp.cleanup());

  /** A one-page PDF whose page is the seal's size and whose content is the fragment. */
  function pdfWith(content: string, wPt: number, hPt: number): Uint8Array {
    const objects = [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${wPt} ${hPt}] /Contents 4 0 R /Resources << >> >>`,
      `<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`,
    ];
    let out = '%PDF-1.7\n';
    const offsets: number[] = [];
    objects.forEach((o, i) => {
      offsets.push(Buffer.byteLength(out));
      out += `${i + 1} 0 obj\n${o}\nendobj\n`;
    });
    const xref = Buffer.byteLength(out);
    out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
    for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
    out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    return Buffer.from(out, 'latin1');
  }

  it.skipIf(!hasTool('pdftoppm'))(
    'poppler (pdftoppm) renders the fragment like our PNG: red in the same places',
    async () => {
      for (const [name, drawing] of [
        ['full', full],
        ['oval', oval],
      ] as const) {
        const wPt = (drawing.widthMm / 25.4) * 72;
        const hPt = (drawing.heightMm / 25.4) * 72;
        const pdf = tmp.write(
          `${name}.pdf`,
          pdfWith(sealToPdfOperators(drawing, { widthPt: wPt, heightPt: hPt }), wPt, hPt),
        );
        run('pdftoppm', ['-r', '150', '-png', '-singlefile', pdf, tmp.path(name)]);
        const poppler = decode(tmp.read(`${name}.png`));
        const ours = decode(await sealToPng(drawing, { dpi: 150 }));
        const w = Math.min(poppler.width, ours.width);
        const h = Math.min(poppler.height, ours.height);
        // Ours: coverage is alpha. Poppler paints on white, so coverage shows as lost green.
        const oursInk = (x: number, y: number): boolean => pixel(ours, x, y)[3] > 128;
        const popplerInk = (x: number, y: number): boolean => pixel(poppler, x, y)[1] < 128;
        // The two rasterisers round the page size differently (a fraction of a pixel across the
        // seal) and anti-alias differently: a pixel agrees when the other has ink within 1 px.
        const near = (ink: (x: number, y: number) => boolean, x: number, y: number): boolean => {
          for (let dy = -1; dy <= 1; dy++) {
            for (let dx = -1; dx <= 1; dx++) {
              const xx = x + dx;
              const yy = y + dy;
              if (xx >= 0 && yy >= 0 && xx < w && yy < h && ink(xx, yy)) return true;
            }
          }
          return false;
        };
        let inked = 0;
        let agree = 0;
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const o = oursInk(x, y);
            const p = popplerInk(x, y);
            if (o) {
              inked++;
              if (near(popplerInk, x, y)) agree++;
            }
            if (p) {
              inked++;
              if (near(oursInk, x, y)) agree++;
            }
          }
        }
        expect(inked).toBeGreaterThan(w * h * 0.1);
        expect(agree / inked).toBeGreaterThan(0.99);
      }
    },
  );
});
