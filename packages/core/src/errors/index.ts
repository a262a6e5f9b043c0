/**
 * `@govtrust/core/errors`: the `GovTrustError` base, one subclass per failure, and the table of
 * stable codes. Check `err.code`, not `instanceof`.
 * @module
 */
export { GovTrustError, isGovTrustError } from './base.js';
export { errorCodes, describeErrorCode } from './codes.js';
export type { ErrorCodeInfo, GovTrustErrorCode } from './codes.js';
export { InvalidInputError, InputTooLargeError } from './general.js';
export {
  AlgorithmNotSupportedError,
  AlgorithmMismatchError,
  KeyParseError,
  KeyDecryptError,
  KeyUnsupportedError,
  KeyMismatchError,
  SignatureMalformedError,
  SignerFailedError,
  Pkcs11Error,
} from './crypto.js';
export type { Pkcs11ErrorCode } from './crypto.js';
export {
  CertificateParseError,
  CrlParseError,
  OcspParseError,
  TspParseError,
  TsaRejectedError,
  OcspRejectedError,
  PkiFetchError,
  PkiConfigError,
  CertificateIssueError,
} from './pki.js';
export { CmsParseError } from './cms.js';
export {
  PdfParseError,
  PdfEncryptedError,
  PdfHybridXrefError,
  PdfLimitError,
  PdfUnsupportedError,
  PdfPageOutOfRangeError,
  PdfKeywordNotFoundError,
  PdfImageError,
  PdfPlacementError,
  PdfFieldExistsError,
  PdfContentsOverflowError,
  PdfSignaturePolicyError,
  PdfSignerCertificateError,
  PdfSelfCheckError,
} from './pdf.js';
export {
  SealParseError,
  SealVersionError,
  SealEncodeError,
  SealBindingError,
  OfdPackageError,
} from './seal.js';
export type { OfdPackageErrorCode, SealBindingErrorCode } from './seal.js';
export {
  SealImageSpecError,
  SealImageTextTooLongError,
  SealImageLayoutError,
  SealImageRenderError,
  FontGlyphMissingError,
  FontLoadError,
} from './seal-image.js';
export { ServiceError, RemoteServiceError } from './server.js';
export { CascadeError } from './cascade.js';
export type { CascadeErrorCode } from './cascade.js';
export type { ServerErrorCode, ServiceErrorCode } from './server.js';
export {
  LicenceIdError,
  LicenceTypeError,
  LicenceDataError,
  LicenceLookupError,
  LicenceStatusError,
  LicenceIssueError,
  CanonicalJsonError,
  StatusListError,
} from './licence.js';
export type { StoreConflictContext } from './store.js';
export {
  StoreConflictError,
  StoreNotFoundError,
  StoreSchemaError,
  StoreValueError,
  StoreReadOnlyError,
  StoreNestedTransactionError,
  StoreClosedError,
  StoreLockedError,
  StoreCorruptError,
  StoreIoError,
  StoreBusyError,
  NonceReplayedError,
  IdempotencyError,
  StoreChainFormatError,
} from './store.js';
