/** `@govtrust/core/cms`: CMS SignedData (RFC 5652) build and verify with CAdES/PAdES attributes. @module */
export type { CmsAttribute, EssCertId } from './attributes.js';
export {
  encodeAttribute,
  encodeAttributeSet,
  encodeSigningCertificateV2,
  decodeSigningCertificate,
} from './attributes.js';
export type {
  CmsSignOptions,
  CmsPrepareOptions,
  PreparedCms,
  CmsSizeBoundOptions,
} from './sign.js';
export {
  signCms,
  prepareCms,
  cmsSizeBound,
  defaultDigestAlgorithm,
  cmsSignatureAlgorithm,
} from './sign.js';
export type { ParsedCms, ParsedSignerInfo, SignerIdentifier } from './parse.js';
export { parseCms, MAX_CMS_BYTES } from './parse.js';
export type { CmsVerification, CmsVerifyOptions, CmsIssue } from './verify.js';
export {
  verifyCms,
  findSignerCertificate,
  matchesSignerIdentifier,
  essCertIdMatches,
} from './verify.js';
