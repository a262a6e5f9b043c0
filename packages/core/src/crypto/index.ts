/**
 * `@govtrust/core/crypto`: signers (software, PKCS#11, remote), verification, key material,
 * PKCS#12, hashes and the algorithm registry, with SM2/SM3 per GB/T 32918 and GB/T 32905.
 * @module
 */
export type { Signer, SignerOptions, RemoteSignRequest, RemoteSignerOptions } from './signer.js';
export { createSigner, createRemoteSigner, signData, decodeCertificateChain } from './signer.js';
export type { VerifyOptions } from './verify.js';
export { verifySignature, verifyDigestSignature, createMessageDigester } from './verify.js';
export type {
  KeyType,
  NamedCurve,
  KeyGenAlgorithm,
  KeyPair,
  ImportPrivateKeyOptions,
} from './keys.js';
export {
  PrivateKey,
  PublicKey,
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  publicKeyFromSpki,
  spkiFromCertificate,
  keyGenAlgorithms,
} from './keys.js';
export type { Pkcs12Contents, ExportPkcs12Options } from './pkcs12.js';
export { importPkcs12, exportPkcs12 } from './pkcs12.js';
export type { HashAlgorithm } from './hash.js';
export { digest, createHasher, hashSize, hashOid, hashFromOid, isHashAlgorithm } from './hash.js';
export type {
  SignatureAlgorithm,
  SignatureAlgorithmInfo,
  DecodedSignatureAlgorithm,
} from './algorithms.js';
export {
  signatureAlgorithms,
  isSignatureAlgorithm,
  signatureAlgorithmInfo,
  defaultSignatureAlgorithm,
  assertAlgorithmFitsKey,
  maxSignatureSize,
  encodeSignatureAlgorithm,
  decodeSignatureAlgorithm,
} from './algorithms.js';
export type { Sm2Curve, Sm2Point, Sm2Signature } from './sm2.js';
export {
  SM2_RECOMMENDED_CURVE,
  SM2_DEFAULT_ID,
  sm2ZValue,
  sm2MessageDigest,
  sm2Sign,
  sm2Verify,
  sm2SignDigest,
  sm2VerifyDigest,
  sm2PublicPoint,
  encodeSm2Signature,
  decodeSm2Signature,
  sm2SignatureToRaw,
  sm2SignatureFromRaw,
  encodeSm2Point,
  decodeSm2Point,
} from './sm2.js';
export { oids } from './oids.js';
export type { Pkcs11SignerOptions, Pkcs11Signer } from './pkcs11.js';
export { openPkcs11Signer } from './pkcs11.js';
