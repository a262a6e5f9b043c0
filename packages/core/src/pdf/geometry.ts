/**
 * Page geometry for seal placement: the page as displayed (CropBox, then /Rotate, ISO 32000-1
 * §14.11.2 and Table 30) versus default user space, where widget /Rect lives (§12.5.2).
 * @module
 */
import type { PdfPage, PdfRect } from './pages.js';

/** Points per millimetre (1 pt = 1/72 in). */
export const PT_PER_MM = 72 / 25.4;

/** A box on the page as the reader sees it: from the top-left corner of the visible area, x right, y down, in points. */
export interface DisplayBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Width and height of the page as displayed (CropBox, rotated). */
export function displaySize(page: PdfPage): { width: number; height: number } {
  const [x0, y0, x1, y1] = page.cropBox;
  const w = x1 - x0;
  const h = y1 - y0;
  return page.rotate === 90 || page.rotate === 270
    ? { width: h, height: w }
    : { width: w, height: h };
}

/** Maps a displayed point (u right, v down from the visible top-left) to default user space. */
export function displayToUser(page: PdfPage, u: number, v: number): [number, number] {
  const [x0, y0, x1, y1] = page.cropBox;
  switch (page.rotate) {
    case 0:
      return [x0 + u, y1 - v];
    case 90:
      return [x0 + v, y0 + u];
    case 180:
      return [x1 - u, y0 + v];
    case 270:
      return [x1 - v, y1 - u];
  }
}

/** Maps a user-space point to displayed coordinates (inverse of `displayToUser`). */
export function userToDisplay(page: PdfPage, x: number, y: number): [number, number] {
  const [x0, y0, x1, y1] = page.cropBox;
  switch (page.rotate) {
    case 0:
      return [x - x0, y1 - y];
    case 90:
      return [y - y0, x - x0];
    case 180:
      return [x1 - x, y - y0];
    case 270:
      return [y1 - y, x1 - x];
  }
}

/** The user-space rectangle covering a displayed box. */
export function displayBoxToRect(page: PdfPage, box: DisplayBox): PdfRect {
  const [ax, ay] = displayToUser(page, box.x, box.y);
  const [bx, by] = displayToUser(page, box.x + box.width, box.y + box.height);
  return [Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by)];
}

/**
 * The appearance /Matrix that turns content drawn upright in [0 0 w h] so it looks upright on a
 * page shown with `rotate` degrees clockwise (the viewer then fits the rotated BBox into /Rect, §12.5.5).
 */
export function uprightMatrix(
  rotate: 0 | 90 | 180 | 270,
): [number, number, number, number, number, number] {
  switch (rotate) {
    case 0:
      return [1, 0, 0, 1, 0, 0];
    case 90:
      return [0, 1, -1, 0, 0, 0];
    case 180:
      return [-1, 0, 0, -1, 0, 0];
    case 270:
      return [0, -1, 1, 0, 0, 0];
  }
}
