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
export type { TsaClient, TimestampRequest } from './tsa-client.js';
export { pkixOids } from './oids.js';
