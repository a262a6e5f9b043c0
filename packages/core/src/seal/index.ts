/** `@govtrust/core/seal`: GB/T 38540 electronic seals (SES_Seal, SES_Signature), seal making and verification, OFD seals. @module */
export {
  drawSeal,
  defaultSealColor,
  sealToSvg,
  sealToPng,
  sealToPdfOperators,
  sealPixelSize,
} from './image/index.js';
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
} from './image/index.js';
