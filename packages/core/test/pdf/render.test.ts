/**
 * Where the seal lands, checked on pixels rendered by poppler's pdftoppm: placement in mm on plain,
 * rotated and cropped pages; keyword positioning against pdftotext's word boxes; the riding seal's
 * slices on every page of its range.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PT_PER_MM,
  findKeyword,
  getAcroForm,
  getPages,
  openPdf,
  sealPdf,
} from '../../src/pdf/index.js';
import { drawSeal } from '../../src/seal/index.js';
import { hasTool, run, tempDir } from '../helpers/tools.js';
import {
  isRed,
  isWhite,
  makeCjkTextPdf,
  makeIdentity,
  makeNssDb,
  makePdf,
  pdfsig,
  qpdfCheck,
  redDiscVector,
  redJpeg,
  redSealPng,
  renderPage,
  type Raster,
  type TestIdentity,
} from './helpers.js';

const NOW = new Date(Date.UTC(2030, 5, 1, 8, 0, 0));
const png = redSealPng(200);
const tools = ['pdftoppm', 'pdftotext', 'pdfsig', 'qpdf', 'certutil', 'openssl'].every((t) =>
  hasTool(t),
);

/** Scale of a 72-dpi render: one pixel per point. */
const mm = (v: number): number => v * PT_PER_MM;

function redCount(r: Raster, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(r.height, y1); y++)
    for (let x = Math.max(0, Math.floor(x0)); x < Math.min(r.width, x1); x++)
      if (isRed(r.rgb(x, y))) n++;
  return n;
}

describe.skipIf(!tools)('seal placement on rendered pages', () => {
  const tmp = tempDir('govtrust-pdf-render-');
  let id: TestIdentity;
  let nss: string;
  let n = 0;
  beforeAll(() => {
    id = makeIdentity(tmp.dir);
    nss = makeNssDb(tmp.dir, id.chain.root.certPath);
  });
  afterAll(() => tmp.cleanup());

  const save = (pdf: Uint8Array): string => {
    const file = tmp.write(`r-${++n}.pdf`, pdf);
    expect(qpdfCheck(file).ok).toBe(true);
    const sigs = pdfsig(nss, file);
    expect(sigs.length).toBeGreaterThan(0);
    for (const s of sigs) expect(s.valid, s.raw).toBe(true);
    return file;
  };

  /** The seal is a ring with a centre dot: red at the centre and on the ring, white between. */
  const expectSealAt = (r: Raster, x: number, y: number, w: number): void => {
    const cx = x + w / 2;
    const cy = y + w / 2;
    expect(isRed(r.rgb(cx, cy)), `centre ${cx},${cy}`).toBe(true);
    expect(isRed(r.rgb(cx + w * 0.45, cy)), 'ring').toBe(true);
    expect(isWhite(r.rgb(cx + w * 0.28, cy)), 'transparent gap (soft mask)').toBe(true);
    expect(isWhite(r.rgb(x - 6, cy)), 'left of the seal').toBe(true);
    expect(isWhite(r.rgb(cx, y + w + 6)), 'below the seal').toBe(true);
  };

  it('puts a PNG seal at x/y mm from the top-left corner of the page', async () => {
    const out = await sealPdf(await makePdf(), {
      signer: id.signer,
      now: NOW,
      appearance: { image: png },
      placement: { page: 1, x: 120, y: 200, width: 40 },
    });
    expectSealAt(renderPage(tmp.dir, save(out), 1), mm(120), mm(200), mm(40));
  });

  it.each([90, 180, 270] as const)(
    'honours /Rotate %i and a CropBox offset (coordinates are those of the page as displayed)',
    async (rotate) => {
      const input = await makePdf({ rotate, cropBox: [30, 40, 500, 700] });
      const out = await sealPdf(input, {
        signer: id.signer,
        now: NOW,
        appearance: { image: png },
        placement: { page: 1, x: 25, y: 35, width: 30 },
      });
      const r = renderPage(tmp.dir, save(out), 1);
      // The render is the displayed page: cropped to 500 x 700 pt and rotated.
      expect([r.width, r.height]).toEqual(rotate === 180 ? [500, 700] : [700, 500]);
      expectSealAt(r, mm(25), mm(35), mm(30));
    },
  );

  it('draws JPEG and vector appearances', async () => {
    const jpeg = await redJpeg(tmp.dir);
    let pdf = await sealPdf(await makePdf(), {
      signer: id.signer,
      now: NOW,
      appearance: { image: jpeg },
      placement: { page: 1, x: 20, y: 20, width: 30 },
    });
    pdf = await sealPdf(pdf, {
      signer: id.signer,
      now: NOW,
      appearance: { vector: redDiscVector },
      placement: { page: 1, x: 100, y: 20, width: 30 },
    });
    const r = renderPage(tmp.dir, save(pdf), 1);
    expect(isRed(r.rgb(mm(35), mm(35)))).toBe(true);
    expect(isRed(r.rgb(mm(21), mm(21)))).toBe(true); // a JPEG is opaque to its corners
    expect(isRed(r.rgb(mm(115), mm(35)))).toBe(true);
    expect(isWhite(r.rgb(mm(101), mm(21)))).toBe(true); // the disc leaves the corners empty
  });

  it('draws a drawSeal round seal (vector, sealToPdfOperators) where it is placed', async () => {
    const drawing = drawSeal({
      shape: 'round',
      text: '某某市市场监督管理局',
      bottomText: '合同专用章',
    });
    const out = await sealPdf(await makePdf(), {
      signer: id.signer,
      now: NOW,
      appearance: { drawing },
      placement: { page: 1, x: 100, y: 150 },
    });
    const r = renderPage(tmp.dir, save(out), 1, 144);
    const s = 2; // 144 dpi
    const w = mm(42) * s;
    const x0 = mm(100) * s;
    const y0 = mm(150) * s;
    // The star's centre and the ring's left edge are red; just outside the circle is white.
    expect(isRed(r.rgb(x0 + w / 2, y0 + w / 2))).toBe(true);
    expect(redCount(r, x0, y0 + w / 2 - 2, x0 + mm(2) * s, y0 + w / 2 + 2)).toBeGreaterThan(0);
    expect(isWhite(r.rgb(x0 - 4, y0 + w / 2))).toBe(true);
    expect(redCount(r, 0, 0, r.width, y0 - 4)).toBe(0);
  });

  it('decodes an interlaced PNG the same way', async () => {
    const out = await sealPdf(await makePdf(), {
      signer: id.signer,
      now: NOW,
      appearance: { image: redSealPng(200, { interlaced: true }) },
      placement: { page: 1, x: 50, y: 60, width: 40 },
    });
    expectSealAt(renderPage(tmp.dir, save(out), 1), mm(50), mm(60), mm(40));
  });

  it('keyword positioning (关键字定位) centres the seal on the Nth occurrence', async () => {
    const input = makeCjkTextPdf([
      { text: '合同编号 GT-2026-001', x: 72, y: 780, size: 14 },
      { text: '甲方盖章处', x: 72, y: 300, size: 16 },
      { text: '盖章处', x: 360, y: 300, size: 16, kern: -50 },
    ]);
    const doc = openPdf(input);
    const hits = findKeyword(doc, getPages(doc), '盖章处');
    expect(hits).toHaveLength(2);
    // pdftotext places the words where our text positions say they are.
    const bbox = run('pdftotext', ['-bbox', tmp.write('kw.pdf', input), '-']);
    const words = [
      ...bbox.matchAll(
        /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g,
      ),
    ];
    const second = words.find((w) => w[5] === '盖章处')!;
    const [x0, y0, x1, y1] = [1, 2, 3, 4].map((i) => Number(second[i]));
    const pageH = 842;
    expect(Math.abs((hits[1]!.rect[0] + hits[1]!.rect[2]) / 2 - (x0! + x1!) / 2)).toBeLessThan(3);
    expect(
      Math.abs(pageH - (hits[1]!.rect[1] + hits[1]!.rect[3]) / 2 - (y0! + y1!) / 2),
    ).toBeLessThan(4);

    const out = await sealPdf(input, {
      signer: id.signer,
      now: NOW,
      appearance: { image: png },
      placement: { keyword: '盖章处', occurrence: 2, width: 30 },
    });
    const r = renderPage(tmp.dir, save(out), 1);
    const cx = (x0! + x1!) / 2;
    const cy = (y0! + y1!) / 2;
    expect(isRed(r.rgb(cx, cy)), 'seal centre on the keyword').toBe(true);
    // The first occurrence (甲方盖章处 at x 72..152) stays unsealed.
    expect(redCount(r, 60, cy - 20, 170, cy + 20)).toBe(0);

    const shifted = await sealPdf(input, {
      signer: id.signer,
      now: NOW,
      appearance: { image: png },
      placement: { keyword: '盖章处', offsetX: 30, offsetY: -10, width: 20 },
    });
    const r2 = renderPage(tmp.dir, save(shifted), 1);
    const first = words.find((w) => w[5]!.endsWith('盖章处') && w !== second)!;
    // 甲方盖章处: the keyword is its last three of five full-width characters.
    const fx = Number(first[1]) + ((Number(first[3]) - Number(first[1])) * 7) / 10;
    const fy = (Number(first[2]) + Number(first[4])) / 2;
    expect(isRed(r2.rgb(fx + mm(30), fy - mm(10)))).toBe(true);
  });

  it('riding seal (骑缝章): one signature, a slice at the right edge of every page in the range', async () => {
    const input = await makePdf({ pages: 5 });
    const out = await sealPdf(input, {
      signer: id.signer,
      now: NOW,
      appearance: { image: png },
      placement: { riding: { pages: [2, 5], width: 40 } },
    });
    const file = save(out);
    // One signature: poppler lists it once per widget (pdfsig 22.x), always the same field and ranges.
    const sigs = pdfsig(nss, file);
    expect(new Set(sigs.map((s) => s.field))).toEqual(new Set(['Seal1']));
    expect(new Set(sigs.map((s) => /Signed Ranges: (.*)/.exec(s.raw)?.[1])).size).toBe(1);
    expect(getAcroForm(openPdf(out))!.signatureFields).toHaveLength(1);
    const w = mm(40);
    const slice = w / 4;
    const counts: number[] = [];
    for (let p = 1; p <= 5; p++) {
      const r = renderPage(tmp.dir, file, p);
      const top = (r.height - w) / 2;
      counts.push(redCount(r, r.width - slice, top, r.width, top + w));
      // Nothing red anywhere else on the page.
      expect(redCount(r, 0, 0, r.width - slice - 2, r.height)).toBe(0);
    }
    expect(counts[0]).toBe(0);
    for (const c of counts.slice(1)) expect(c).toBeGreaterThan(50);
    // The slices join up: the ring's far right lies on the last page, its far left on the first.
    const last = renderPage(tmp.dir, file, 5);
    expect(isRed(last.rgb(last.width - 2, last.height / 2))).toBe(true);
    const firstSlice = renderPage(tmp.dir, file, 2);
    expect(isRed(firstSlice.rgb(firstSlice.width - slice + 2, firstSlice.height / 2))).toBe(true);
  });
});
