/** `@govtrust/core/pki`: certificates and CA profiles, CRL, OCSP, RFC 3161 time stamps, path validation, trust stores. @module */
export type {
  KeyUsage,
  BasicConstraints,
  RawExtension,
  CertificateExtensions,
  CertificateInput,
} from './certificate.js';
export {
  Certificate,
  parseCertificate,
  parseCertificates,
  toCertificate,
  keyUsageNames,
} from './certificate.js';
export type { NameSpec, NameAttribute } from './name.js';
export { encodeName, nameToString, namesEqual } from './name.js';
export type { GeneralName } from './asn1.js';
export type { TrustStore } from './trust-store.js';
export { createTrustStore } from './trust-store.js';
export type {
  CertificateProfile,
  IssueCertificateOptions,
  PreparedCertificate,
  SubjectAltName,
  ExtraExtension,
} from './issue.js';
export {
  issueCertificate,
  prepareCertificate,
  certificateProfiles,
  keyIdentifierOf,
} from './issue.js';
export type {
  RevocationReason,
  CrlEntry,
  CrlEntryInput,
  CreateCrlOptions,
  CrlIssuer,
} from './crl.js';
export {
  Crl,
  parseCrl,
  createCrl,
  createCrlIssuer,
  revocationReasons,
  revocationReasonCode,
  revocationReasonName,
} from './crl.js';
export type {
  RevocationStatus,
  RevocationSource,
  RevocationIssue,
  CertificateStatus,
  CertificateStatusLookup,
} from './revocation-types.js';
export type {
  OcspResponseStatus,
  OcspCertId,
  ParsedOcspRequest,
  BuildOcspRequestOptions,
  OcspSingleResponse,
  ParsedBasicOcspResponse,
  ParsedOcspResponse,
  OcspResponderIssuer,
  OcspResponderOptions,
  OcspResponder,
  CheckOcspResponseOptions,
} from './ocsp.js';
export {
  buildOcspRequest,
  parseOcspRequest,
  parseOcspResponse,
  createOcspResponder,
  checkOcspResponse,
  encodeCertId,
  certIdMatches,
  encodeOcspErrorResponse,
  ocspRequestFromGetPath,
  MAX_OCSP_NONCE_BYTES,
} from './ocsp.js';
export type {
  CrlRevocationSourceOptions,
  OcspRevocationSourceOptions,
  EmbeddedRevocationData,
  CertificateStatusRegistry,
} from './revocation.js';
export {
  checkCrl,
  createCrlRevocationSource,
  createOcspRevocationSource,
  createEmbeddedRevocationSource,
  createCompositeRevocationSource,
  createCertificateStatusRegistry,
} from './revocation.js';
export type {
  CertificatePurpose,
  PathIssue,
  PathValidationReport,
  ValidatePathOptions,
} from './path.js';
export { validatePath } from './path.js';
export type { TsaClient, TimestampRequest } from './tsa-client.js';
export type {
  TspFailureInfo,
  TimeStampRequest,
  BuildTimeStampRequestOptions,
  TimeStampResponse,
  TspAccuracy,
  TstInfo,
} from './tsp.js';
export {
  PkiStatus,
  buildTimeStampRequest,
  parseTimeStampRequest,
  parseTimeStampResponse,
  parseTstInfo,
  encodeTimeStampRejection,
} from './tsp.js';
export type {
  TimeStampAuthorityOptions,
  TimeStampAuthority,
  HttpTsaClientOptions,
  VerifyTimestampOptions,
  TimestampIssue,
  TimestampReport,
} from './tsa.js';
export {
  createTimeStampAuthority,
  createHttpTsaClient,
  verifyTimestampToken,
  parseTimestampToken,
  defaultTsaPolicy,
} from './tsa.js';
export { pkixOids, govtrustOids, govtrustArc } from './oids.js';
export type {
  PkiIdentityConfig,
  PkiHierarchyConfig,
  GeneratedIdentity,
  GeneratedFile,
  GeneratedHierarchy,
} from './hierarchy.js';
export {
  generatePkiHierarchy,
  checkPkiHierarchyConfig,
  defaultPkiHierarchyConfig,
} from './hierarchy.js';
