/** `@govtrust/core/seal`: GB/T 38540 electronic seals (SES_Seal, SES_Signature), seal making and verification, OFD seals. @module */
export type {
  SealVersion,
  SesHeader,
  SesCertDigest,
  SesCertList,
  SesPropertyInfo,
  SesPictureInfo,
  SesExtData,
  SesSealInfo,
  SesSeal,
  TbsSign,
  SesSignature,
} from './model.js';
export { parseSeal, encodeSeal, MAX_SEAL_SIZE } from './seal.js';
export { parseSesSignature } from './ses-signature.js';
export type { SealTypeCode, SealTypeInfo, SealIdInfo } from './seal-types.js';
export { sealTypes, isSealTypeCode, parseSealId, createSealId } from './seal-types.js';
export type { MakeSealOptions, SealPicture } from './make-seal.js';
export { makeSeal } from './make-seal.js';
export type {
  CreateSesSignatureOptions,
  PrepareSesSignatureOptions,
  PreparedSesSignature,
} from './create-ses-signature.js';
export { createSesSignature, prepareSesSignature } from './create-ses-signature.js';
export type { ReportIssue, VerificationStatus } from './report.js';
export type { CertificateSummary } from './certificates.js';
export type { VerifySealOptions, SealReport } from './verify-seal.js';
export { verifySeal } from './verify-seal.js';
export type { VerifySesSignatureOptions, SesSignatureReport } from './verify-ses-signature.js';
export { verifySesSignature } from './verify-ses-signature.js';
export type { SealAttribute } from './seal-attribute.js';
export { SEAL_ATTRIBUTE_OID, createSealAttribute, readSealAttribute } from './seal-attribute.js';
export type {
  SealLifecycleStatus,
  SealStatusInfo,
  SealStatusSource,
  SealBindingSummary,
  CheckSealBindingOptions,
  SealBindingReport,
  VerifyPdfSesSignatureOptions,
  PdfSesSignatureReport,
} from './pdf-binding.js';
export {
  PDF_SES_SUBFILTER,
  PDF_SES_FILTER,
  checkSealBinding,
  verifyPdfSesSignature,
} from './pdf-binding.js';
export type { OfdZipLimits, OfdZip } from './ofd/zip.js';
export { defaultOfdZipLimits, openOfdZip } from './ofd/zip.js';
export type {
  VerifyOfdOptions,
  OfdSignatureReport,
  OfdVerificationReport,
} from './ofd/verify-ofd.js';
export { verifyOfdSeals } from './ofd/verify-ofd.js';
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
