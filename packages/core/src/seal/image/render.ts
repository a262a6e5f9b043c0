/** Seal drawing renderers: SVG 1.1 (viewBox in mm), PNG through resvg, and PDF content-stream operators (ISO 32000-1 §8.5). @module */
import { SealImageRenderError, SealImageSpecError } from '../../errors/index.js';
import { cjkFontPath } from './font.js';
import type { SealDrawing, SealPathCommand, SealPdfBox, SealPngOptions } from './types.js';

/** Formats a number with at most `decimals` decimals, without exponent, trailing zeros or "-0". */
function num(n: number, decimals: number): string {
  const s = n.toFixed(decimals);
  const trimmed = s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
  return trimmed === '-0' ? '0' : trimmed;
}

function checkDrawing(drawing: SealDrawing): void {
  const ok =
    typeof drawing === 'object' &&
    Number.isFinite(drawing.widthMm) &&
    Number.isFinite(drawing.heightMm) &&
    drawing.widthMm > 0 &&
    drawing.heightMm > 0 &&
    /^#[0-9a-f]{6}$/i.test(drawing.color) &&
    Array.isArray(drawing.paths);
  if (!ok) throw new SealImageSpecError('drawing', 'not a seal drawing from drawSeal');
}

// Micrometre precision: well below a pixel even at 2400 dpi (10.6 µm).
const MM_DECIMALS = 3;

function svgPathData(commands: readonly SealPathCommand[]): string {
  const f = (n: number): string => num(n, MM_DECIMALS);
  return commands
    .map((c) => {
      switch (c.op) {
        case 'M':
        case 'L':
          return `${c.op}${f(c.x)} ${f(c.y)}`;
        case 'C':
          return `C${f(c.x1)} ${f(c.y1)} ${f(c.x2)} ${f(c.y2)} ${f(c.x)} ${f(c.y)}`;
        case 'Z':
          return 'Z';
      }
    })
    .join('');
}

/**
 * The drawing as a standalone SVG document whose user unit is the millimetre
 * (`width="42mm" viewBox="0 0 42 42"`), one `<path>` per border, star and glyph.
 * @throws ERR_SEAL_IMAGE_SPEC when `drawing` is not a seal drawing.
 */
export function sealToSvg(drawing: SealDrawing): string {
  checkDrawing(drawing);
  const w = num(drawing.widthMm, MM_DECIMALS);
  const h = num(drawing.heightMm, MM_DECIMALS);
  const color = drawing.color.toLowerCase();
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}mm" height="${h}mm" viewBox="0 0 ${w} ${h}">`,
    `<g fill="${color}" stroke="none">`,
  ];
  for (const p of drawing.paths) {
    const attrs = [`d="${svgPathData(p.commands)}"`];
    if (p.fillRule === 'evenodd') attrs.unshift('fill-rule="evenodd"');
    if (p.strokeMm !== undefined) {
      attrs.push(
        `stroke="${color}" stroke-width="${num(p.strokeMm, MM_DECIMALS)}" stroke-linejoin="round"`,
      );
    }
    lines.push(`<path ${attrs.join(' ')}/>`);
  }
  lines.push('</g>', '</svg>', '');
  return lines.join('\n');
}

/** Pixel size of the drawing at `dpi`, rounded to whole pixels. */
export function sealPixelSize(
  drawing: SealDrawing,
  dpi: number,
): { width: number; height: number } {
  return {
    width: Math.round((drawing.widthMm / 25.4) * dpi),
    height: Math.round((drawing.heightMm / 25.4) * dpi),
  };
}

/**
 * Rasterises the drawing with resvg to an RGBA PNG with a transparent background; the image is
 * the drawing's physical size at `dpi` (default 300) and records that resolution in a pHYs chunk.
 * @throws ERR_SEAL_IMAGE_SPEC (rejects) for a dpi outside 72 to 2400 or a drawing that is not one.
 * @throws ERR_SEAL_IMAGE_RENDER (rejects) when the rasteriser fails or cannot be loaded.
 */
export async function sealToPng(
  drawing: SealDrawing,
  options: SealPngOptions = {},
): Promise<Uint8Array> {
  const dpi = options.dpi ?? 300;
  if (typeof dpi !== 'number' || !Number.isFinite(dpi) || dpi < 72 || dpi > 2400) {
    throw new SealImageSpecError('dpi', 'dpi must be a number from 72 to 2400');
  }
  const svg = sealToSvg(drawing);
  const { width, height } = sealPixelSize(drawing, dpi);
  const resvg = await loadResvg();
  let png: Uint8Array;
  try {
    // renderAsync rasterises on the libuv thread pool, so a server's event loop keeps running.
    const image = await resvg.renderAsync(svg, {
      fitTo: { mode: 'width', value: width },
      // No system fonts: the seal has no text elements, its lettering is outlines.
      font: { loadSystemFonts: false },
      shapeRendering: 2,
    });
    png = new Uint8Array(image.asPng());
  } catch (err) {
    throw new SealImageRenderError('the seal drawing could not be rasterised', { cause: err });
  }
  const size = pngSize(png);
  if (size.width !== width || size.height !== height) {
    throw new SealImageRenderError(
      `the rasteriser produced ${size.width} x ${size.height} pixels instead of ${width} x ${height}`,
    );
  }
  return withPhys(png, dpi);
}

/** Largest SVG picture rasterised (real seal SVGs are a few hundred KiB at most). */
const MAX_SVG_BYTES = 4 * 1024 * 1024;

/**
 * Why an SVG from a seal file may not be rendered, or undefined when it may. resvg follows `href`s
 * to local files, so a seal picture could otherwise copy files of the sealing machine into the
 * PDF: only same-document references (`#id`) and embedded raster data URIs pass; DTDs are refused.
 */
function unsafeSvg(text: string): string | undefined {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return 'it has a DTD or entity declarations';
  for (const m of text.matchAll(/[\s<]([\w.:-]*href)\s*=\s*("[^"]*"|'[^']*')/gi)) {
    const value = m[2]!.slice(1, -1).trim();
    if (!value.startsWith('#') && !/^data:image\/(png|jpeg|jpg|gif|webp);/i.test(value))
      return `it refers to an external resource (${m[1]!}="${value.slice(0, 60)}")`;
  }
  for (const m of text.matchAll(/url\(\s*(['"]?)([^)'"]*)\1\s*\)/gi)) {
    if (!m[2]!.trim().startsWith('#'))
      return `it refers to an external resource (url(${m[2]!.slice(0, 60)}))`;
  }
  if (/@import/i.test(text)) return 'it imports a style sheet';
  return undefined;
}

/**
 * @internal Rasterises an SVG seal picture (GB/T 38540 picture type "SVG") with resvg to an RGBA
 * PNG `widthPx` wide with a transparent background. Nothing outside the SVG is read: no external
 * file, no system font; `<text>` is set in the project's embedded CJK font.
 * @throws ERR_SEAL_IMAGE_RENDER (rejects) for an SVG that is too large, refers to external
 * resources, has a DTD, or that resvg cannot render.
 */
export async function rasteriseSvg(svg: Uint8Array, widthPx: number): Promise<Uint8Array> {
  if (svg.length > MAX_SVG_BYTES)
    throw new SealImageRenderError(`the SVG picture is larger than ${MAX_SVG_BYTES} bytes`);
  if (!Number.isInteger(widthPx) || widthPx < 1 || widthPx > 8192)
    throw new SealImageRenderError('the raster width must be 1 to 8192 pixels');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(svg);
  const unsafe = unsafeSvg(text);
  if (unsafe !== undefined)
    throw new SealImageRenderError(`the SVG picture is not rendered: ${unsafe}`);
  const resvg = await loadResvg();
  try {
    const image = await resvg.renderAsync(text, {
      fitTo: { mode: 'width', value: widthPx },
      font: {
        loadSystemFonts: false,
        fontFiles: [cjkFontPath()],
        defaultFontFamily: 'Noto Serif CJK SC',
        serifFamily: 'Noto Serif CJK SC',
        sansSerifFamily: 'Noto Serif CJK SC',
      },
      shapeRendering: 2,
      logLevel: 'off',
    });
    return new Uint8Array(image.asPng());
  } catch (err) {
    throw new SealImageRenderError('the SVG picture could not be rasterised', { cause: err });
  }
}

type ResvgModule = typeof import('@resvg/resvg-js');
let resvgModule: Promise<ResvgModule> | undefined;

/**
 * Loads resvg (a native addon) on first use, so that importing the seal module never fails on a
 * platform without a prebuilt resvg binary; only rasterising does, with a clear code.
 */
function loadResvg(): Promise<ResvgModule> {
  resvgModule ??= import('@resvg/resvg-js').catch((err: unknown) => {
    resvgModule = undefined;
    throw new SealImageRenderError(
      'the PNG rasteriser (@resvg/resvg-js) cannot be loaded on this platform',
      { cause: err },
    );
  });
  return resvgModule;
}

function pngSize(png: Uint8Array): { width: number; height: number } {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

const crcTable = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Inserts a pHYs chunk (PNG spec §11.3.5.3, pixels per metre) after IHDR so image viewers and PDF
 * tools know the seal's physical size; resvg writes none.
 */
function withPhys(png: Uint8Array, dpi: number): Uint8Array {
  const ppm = Math.round(dpi / 0.0254);
  const chunk = new Uint8Array(21);
  const v = new DataView(chunk.buffer);
  v.setUint32(0, 9);
  chunk.set([0x70, 0x48, 0x59, 0x73], 4); // "pHYs"
  v.setUint32(8, ppm);
  v.setUint32(12, ppm);
  chunk[16] = 1; // unit: metre
  v.setUint32(17, crc32(chunk.subarray(4, 17)));
  // Signature (8) + IHDR chunk (4 length + 4 type + 13 data + 4 CRC) = 33 bytes.
  const out = new Uint8Array(png.length + chunk.length);
  out.set(png.subarray(0, 33), 0);
  out.set(chunk, 33);
  out.set(png.subarray(33), 33 + chunk.length);
  return out;
}

// 1/1000 pt is far below any device resolution and keeps the fragment compact.
const PT_DECIMALS = 3;

/**
 * The drawing as a PDF content-stream fragment: the ink colour as a DeviceRGB fill, then each path
 * built from m/l/c/h and painted with f (non-zero) or f* (even-odd), all inside q ... Q. The
 * drawing is scaled to fill the box `{ x, y, widthPt, heightPt }` in the current user space (y up).
 * @throws ERR_SEAL_IMAGE_SPEC for a box with a non-positive or non-finite size.
 */
export function sealToPdfOperators(drawing: SealDrawing, box: SealPdfBox): string {
  checkDrawing(drawing);
  const x0 = box.x ?? 0;
  const y0 = box.y ?? 0;
  for (const [name, v] of [
    ['widthPt', box.widthPt],
    ['heightPt', box.heightPt],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new SealImageSpecError(name, `${name} must be a positive number of points`);
    }
  }
  if (!Number.isFinite(x0) || !Number.isFinite(y0)) {
    throw new SealImageSpecError('x', 'the box origin must be finite');
  }
  const sx = box.widthPt / drawing.widthMm;
  const sy = box.heightPt / drawing.heightMm;
  const X = (x: number): string => num(x0 + x * sx, PT_DECIMALS);
  const Y = (y: number): string => num(y0 + (drawing.heightMm - y) * sy, PT_DECIMALS);
  const hex = drawing.color.slice(1);
  const rgb = [0, 2, 4].map((i) => num(parseInt(hex.slice(i, i + 2), 16) / 255, 4)).join(' ');
  const out = ['q', `${rgb} rg`];
  if (drawing.paths.some((p) => p.strokeMm !== undefined)) out.push(`${rgb} RG`, '1 j');
  // Stroke widths scale with the box; use the mean scale when the box is not the drawing's aspect.
  const strokeScale = (sx + sy) / 2;
  for (const p of drawing.paths) {
    const ops = p.commands.map((c) => {
      switch (c.op) {
        case 'M':
          return `${X(c.x)} ${Y(c.y)} m`;
        case 'L':
          return `${X(c.x)} ${Y(c.y)} l`;
        case 'C':
          return `${X(c.x1)} ${Y(c.y1)} ${X(c.x2)} ${Y(c.y2)} ${X(c.x)} ${Y(c.y)} c`;
        case 'Z':
          return 'h';
      }
    });
    out.push(ops.join('\n'));
    if (p.strokeMm !== undefined) {
      out.push(
        `${num(p.strokeMm * strokeScale, PT_DECIMALS)} w`,
        p.fillRule === 'evenodd' ? 'B*' : 'B',
      );
    } else {
      out.push(p.fillRule === 'evenodd' ? 'f*' : 'f');
    }
  }
  out.push('Q', '');
  return out.join('\n');
}
