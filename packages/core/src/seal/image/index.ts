/** The seal image generator: seal shapes as vector drawings in millimetres, rendered to SVG, PNG and PDF operators. @module */
export { drawSeal, defaultSealColor } from './draw.js';
export { sealToSvg, sealToPng, sealToPdfOperators, sealPixelSize } from './render.js';
export type {
  SealShape,
  SealImageSpec,
  SealDrawing,
  SealPath,
  SealPathCommand,
  SealGlyphSource,
  AffineMatrix,
  SealPngOptions,
  SealPdfBox,
} from './types.js';
