/** `@govtrust/core/pdf`: strict PDF reader, incremental writer, seal appearances and PAdES sealing. @module */
export type { OpenPdfOptions, XrefEntry, PdfXrefSection, PdfRevision } from './document.js';
export { openPdf, PdfDocument } from './document.js';
export type { PdfPage, PdfRect, PdfAcroForm, PdfSignatureField } from './pages.js';
export { getPages, getPage, getPageCount, getAcroForm, getDocMdpPermission } from './pages.js';
export type { PdfObject, PdfValue, PdfArray } from './objects.js';
export { PdfName, PdfString, PdfRef, PdfDict, PdfStream } from './objects.js';
export { decodeStream } from './filters.js';
export type { IncrementalWriterOptions, WrittenUpdate } from './writer.js';
export { IncrementalWriter } from './writer.js';
export type { PositionedGlyph, KeywordHit } from './text.js';
export { extractGlyphs, findKeyword } from './text.js';
export type { DisplayBox } from './geometry.js';
export { PT_PER_MM, displaySize, displayToUser, userToDisplay } from './geometry.js';
export type {
  PdfSealOptions,
  PdfSealAppearance,
  PdfImageAppearance,
  PreparedPdfSesSignature,
  PdfSealPlacement,
  PdfVectorAppearance,
  PreparedPdfSeal,
  SealPdfOptions,
} from './seal.js';
export { preparePdfSeal, sealPdf } from './seal.js';
export type {
  PdfVerificationReport,
  PdfSignatureReport,
  PdfSealSummary,
  PdfReportIssue,
  PdfVerificationStatus,
  PdfVerificationPolicy,
  VerifySealedPdfOptions,
} from './verify-report.js';
export { verifySealedPdf, parsePdfDate } from './verify.js';
