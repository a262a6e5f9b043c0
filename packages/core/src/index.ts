/**
 * `@govtrust/core`: the GovTrust SDK. Each capability is its own subpath export
 * (`@govtrust/core/crypto`, `/errors`, ...); this root re-exports the most used names.
 * @module
 */
export { GovTrustError, isGovTrustError, describeErrorCode } from './errors/index.js';
export type { GovTrustErrorCode } from './errors/index.js';
export type { Signer } from './crypto/index.js';
export { createSigner, generateKeyPair, importPrivateKey, importPkcs12 } from './crypto/index.js';
