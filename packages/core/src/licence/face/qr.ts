/**
 * The QR code of a licence face (ISO/IEC 18004, error correction level M, 4-module quiet zone):
 * drawn as PDF rectangles (one per run of dark modules) in a form XObject, and read back from
 * such a drawing by the verifier.
 * @module
 */
import encodeQR from '@paulmillr/qr';
// jsQR as the reader: @paulmillr/qr's decoder fails on about 1% of perfectly drawn codes.
import jsQRModule from 'jsqr';

// jsqr is CommonJS typed as `export default`: under NodeNext the default import is the module.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ??
  jsQRModule) as typeof jsQRModule.default;

/** Modules of the quiet zone on each side (ISO/IEC 18004 §6.3.8). */
export const QR_QUIET_ZONE = 4;

/** The dark modules of `text` (rows, top first), without the quiet zone. */
export function qrModules(text: string): boolean[][] {
  return encodeQR(text, 'raw', { ecc: 'medium', border: 0 });
}

/**
 * A form XObject content stream drawing the QR code in a unit square (a white square, then one
 * rectangle per horizontal run of dark modules), with its side in modules (quiet zone included).
 */
export function qrContent(text: string): { readonly content: string; readonly modules: number } {
  const grid = qrModules(text);
  const n = grid.length + 2 * QR_QUIET_ZONE;
  const ops: string[] = [`1 g 0 0 ${n} ${n} re f`, '0 g'];
  grid.forEach((row, r) => {
    const y = n - 1 - (r + QR_QUIET_ZONE);
    for (let c = 0; c < row.length;) {
      if (!row[c]) {
        c++;
        continue;
      }
      let e = c;
      while (e < row.length && row[e]) e++;
      ops.push(`${c + QR_QUIET_ZONE} ${y} ${e - c} 1 re`);
      c = e;
    }
  });
  ops.push('f');
  return { content: ops.join('\n'), modules: n };
}

/**
 * Reads the text of a QR code drawn by `qrContent` (module rectangles in an n x n box): the
 * rectangles are rasterised (4 pixels per module) and decoded by an ISO/IEC 18004 reader.
 * Returns undefined when the drawing is not a readable QR code.
 */
export function readQrContent(content: string, modules: number): string | undefined {
  if (!Number.isInteger(modules) || modules < 21 || modules > 200) return undefined;
  const scale = 4;
  const px = modules * scale;
  const data = new Uint8ClampedArray(px * px * 4).fill(255);
  const re = /(\d+) (\d+) (\d+) 1 re/g;
  let count = 0;
  for (const m of content.matchAll(re)) {
    if (++count > modules * modules) return undefined;
    const [x, y, w] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (x + w > modules || y >= modules) return undefined;
    const row0 = (modules - 1 - y) * scale;
    for (let yy = row0; yy < row0 + scale; yy++) {
      for (let xx = x * scale; xx < (x + w) * scale; xx++) {
        const o = (yy * px + xx) * 4;
        data[o] = data[o + 1] = data[o + 2] = 0;
      }
    }
  }
  return jsQR(data, px, px, { inversionAttempts: 'dontInvert' })?.data ?? undefined;
}
