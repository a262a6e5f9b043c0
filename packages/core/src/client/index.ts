/** `@govtrust/core/client`: the seal service client SDK and the request-signing scheme the server shares. @module */
export type {
  RequestSignatureAlgorithm,
  ContentDigestAlgorithm,
  CanonicalRequestInput,
  SignRequestOptions,
} from './canonical.js';
export {
  signatureHeaders,
  canonicalQuery,
  canonicalRequest,
  formatContentDigest,
  parseContentDigest,
  isRequestSignatureAlgorithm,
  computeRequestSignature,
  signaturesEqual,
  signRequest,
} from './canonical.js';
export type {
  GovTrustClientOptions,
  GovTrustClient,
  ClientResponse,
  ApplySealOptions,
  CreateSealOptions,
  ExternalSign,
} from './client.js';
export { createGovTrustClient, documentSha256 } from './client.js';
export type {
  SealPosition,
  SealStatus,
  SealView,
  SealStatusView,
  GrantView,
  SealApplicationView,
  SigningSessionView,
  UsageEntryView,
  AppCredentialView,
} from './types.js';
