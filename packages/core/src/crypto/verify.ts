/**
 * Signature verification for every registered algorithm, over a message or over a precomputed
 * digest (for CMS without signed attributes, where the message is a whole document).
 * @module
 */
import { constants, publicDecrypt, verify as nodeVerify } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import { AlgorithmNotSupportedError, SignatureMalformedError } from '../errors/index.js';
import { concatBytes, equalBytes } from '../internal/bytes.js';
import { DER_NULL, encodeOctetString, encodeOid, encodeSequence } from '../internal/der.js';
import {
  assertAlgorithmFitsKey,
  signatureAlgorithmInfo,
  type SignatureAlgorithm,
} from './algorithms.js';
import { hashOid, hashSize, createHasher, type HashAlgorithm } from './hash.js';
import type { PublicKey } from './keys.js';
import { decodeSm2Signature, sm2MessageDigest, sm2VerifyDigest, sm2ZValue } from './sm2.js';

/** Options that only some algorithms use. */
export interface VerifyOptions {
  /** SM2 distinguishing ID; default "1234567812345678". */
  readonly sm2Id?: string | Uint8Array;
  /** RSA-PSS salt length in bytes; default: the hash size. */
  readonly saltLength?: number;
}

function checkShape(
  algorithm: SignatureAlgorithm,
  publicKey: PublicKey,
  signature: Uint8Array,
): void {
  const info = signatureAlgorithmInfo(algorithm);
  if (info.keyFamily === 'rsa') {
    const size = Math.ceil(publicKey.sizeBits / 8);
    if (signature.length !== size) {
      throw new SignatureMalformedError(
        `RSA signature must be ${size} bytes, got ${signature.length}`,
      );
    }
  } else if (info.keyFamily === 'ed25519') {
    if (signature.length !== 64)
      throw new SignatureMalformedError(
        `Ed25519 signature must be 64 bytes, got ${signature.length}`,
      );
  } else {
    // ECDSA and SM2: strict DER SEQUENCE { r, s }.
    decodeSm2Signature(signature);
  }
}

/**
 * Verifies `signature` over `data`. Returns `false` for a well-formed signature that does not
 * verify.
 * @example verifySignature('sm2-sm3', publicKey, message, signature)
 * @throws {SignatureMalformedError} ERR_SIGNATURE_MALFORMED when the value cannot be a signature of this algorithm and key (wrong length, bad DER)
 * @throws {AlgorithmMismatchError} ERR_ALG_MISMATCH when the key cannot make this algorithm
 * @throws {AlgorithmNotSupportedError} ERR_ALG_NOT_SUPPORTED for an unknown algorithm
 */
export function verifySignature(
  algorithm: SignatureAlgorithm,
  publicKey: PublicKey,
  data: Uint8Array,
  signature: Uint8Array,
  options: VerifyOptions = {},
): boolean {
  assertAlgorithmFitsKey(algorithm, publicKey);
  checkShape(algorithm, publicKey, signature);
  const info = signatureAlgorithmInfo(algorithm);
  switch (info.keyFamily) {
    case 'sm2':
      return sm2VerifyDigest(
        sm2MessageDigest(data, publicKey.sm2Point!, options.sm2Id),
        decodeSm2Signature(signature),
        publicKey.sm2Point!,
      );
    case 'ed25519':
      return nodeVerify(null, data, publicKey.keyObject, signature);
    case 'ec':
      return nodeVerify(
        info.hash,
        data,
        { key: publicKey.keyObject, dsaEncoding: 'der' },
        signature,
      );
    case 'rsa':
      return info.padding === 'pss'
        ? nodeVerify(
            info.hash,
            data,
            {
              key: publicKey.keyObject,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: options.saltLength ?? hashSize(info.hash!),
            },
            signature,
          )
        : nodeVerify(
            info.hash,
            data,
            { key: publicKey.keyObject, padding: constants.RSA_PKCS1_PADDING },
            signature,
          );
  }
}

/**
 * The digest a `verifyDigestSignature` call needs for `algorithm`: the hash of the message, or for
 * SM2 the value e = SM3(Z_A || M), which depends on the public key and ID. Streams: feed chunks.
 * @throws {AlgorithmNotSupportedError} ERR_ALG_NOT_SUPPORTED for Ed25519 (pure EdDSA has no prehash)
 */
export function createMessageDigester(
  algorithm: SignatureAlgorithm,
  publicKey: PublicKey,
  options: VerifyOptions = {},
): { update(chunk: Uint8Array): void; digest(): Uint8Array } {
  const info = signatureAlgorithmInfo(algorithm);
  if (info.hash === null)
    throw new AlgorithmNotSupportedError(algorithm, 'Ed25519 cannot verify a precomputed digest');
  const hasher = createHasher(info.hash);
  // SM2 signs SM3(Z_A || M): Z_A goes first, exactly as sm2MessageDigest does for a whole message.
  if (info.keyFamily === 'sm2') hasher.update(sm2ZValue(publicKey.sm2Point!, options.sm2Id));
  return {
    update(chunk) {
      hasher.update(chunk);
    },
    digest() {
      return new Uint8Array(hasher.digest());
    },
  };
}

/**
 * Verifies a signature over a precomputed digest (see `createMessageDigester`): RSA PKCS#1 v1.5,
 * RSA-PSS, ECDSA and SM2. Returns `false` when it does not verify.
 * @throws {SignatureMalformedError} ERR_SIGNATURE_MALFORMED for a value of the wrong shape, or a digest of the wrong size
 * @throws {AlgorithmNotSupportedError} ERR_ALG_NOT_SUPPORTED for Ed25519
 */
export function verifyDigestSignature(
  algorithm: SignatureAlgorithm,
  publicKey: PublicKey,
  digestValue: Uint8Array,
  signature: Uint8Array,
  options: VerifyOptions = {},
): boolean {
  assertAlgorithmFitsKey(algorithm, publicKey);
  const info = signatureAlgorithmInfo(algorithm);
  if (info.hash === null)
    throw new AlgorithmNotSupportedError(algorithm, 'Ed25519 cannot verify a precomputed digest');
  if (digestValue.length !== hashSize(info.hash)) {
    throw new SignatureMalformedError(
      `Digest must be ${hashSize(info.hash)} bytes for ${algorithm}`,
    );
  }
  checkShape(algorithm, publicKey, signature);
  switch (info.keyFamily) {
    case 'sm2':
      return sm2VerifyDigest(digestValue, decodeSm2Signature(signature), publicKey.sm2Point!);
    case 'ec': {
      // node:crypto has no prehashed ECDSA verify; noble's audited P-256/P-384 do (prehash: false).
      const curve = publicKey.curve === 'P-384' ? p384 : p256;
      return curve.verify(signature, digestValue, publicKey.rawKey, {
        prehash: false,
        format: 'der',
        lowS: false,
      });
    }
    case 'rsa':
      return info.padding === 'pss'
        ? verifyPssDigest(
            publicKey,
            info.hash,
            digestValue,
            signature,
            options.saltLength ?? hashSize(info.hash),
          )
        : verifyPkcs1Digest(publicKey, info.hash, digestValue, signature);
    case 'ed25519':
      return false;
  }
}

function rsaOpen(publicKey: PublicKey, signature: Uint8Array, padding: number): Uint8Array | null {
  try {
    return new Uint8Array(publicDecrypt({ key: publicKey.keyObject, padding }, signature));
  } catch {
    return null;
  }
}

function verifyPkcs1Digest(
  publicKey: PublicKey,
  hash: HashAlgorithm,
  digestValue: Uint8Array,
  signature: Uint8Array,
): boolean {
  // EMSA-PKCS1-v1_5 (RFC 8017 clause 9.2): compare the whole DigestInfo, NULL parameters included.
  const recovered = rsaOpen(publicKey, signature, constants.RSA_PKCS1_PADDING);
  if (recovered === null) return false;
  const expected = encodeSequence(
    encodeSequence(encodeOid(hashOid(hash)), DER_NULL),
    encodeOctetString(digestValue),
  );
  return equalBytes(recovered, expected);
}

function verifyPssDigest(
  publicKey: PublicKey,
  hash: HashAlgorithm,
  mHash: Uint8Array,
  signature: Uint8Array,
  saltLength: number,
): boolean {
  // EMSA-PSS-VERIFY (RFC 8017 clause 9.1.2) over the raw RSA output.
  const em = rsaOpen(publicKey, signature, constants.RSA_NO_PADDING);
  if (em === null) return false;
  const modBits = publicKey.sizeBits;
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const full = em.length === emLen ? em : em.subarray(em.length - emLen);
  if (em.length > emLen && em.subarray(0, em.length - emLen).some((b) => b !== 0)) return false;
  const hLen = hashSize(hash);
  if (emLen < hLen + saltLength + 2 || full[emLen - 1] !== 0xbc) return false;
  const maskedDb = full.subarray(0, emLen - hLen - 1);
  const h = full.subarray(emLen - hLen - 1, emLen - 1);
  const zeroBits = 8 * emLen - emBits;
  if ((maskedDb[0]! & (0xff << (8 - zeroBits)) & 0xff) !== 0) return false;
  const dbMask = mgf1(hash, h, maskedDb.length);
  const db = maskedDb.map((b, i) => b ^ dbMask[i]!);
  db[0]! &= 0xff >> zeroBits;
  const psLen = emLen - hLen - saltLength - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
  if (db[psLen] !== 0x01) return false;
  const salt = db.subarray(db.length - saltLength);
  const hPrime = createHasher(hash)
    .update(concatBytes(new Uint8Array(8), mHash, salt))
    .digest();
  return equalBytes(new Uint8Array(hPrime), h);
}

function mgf1(hash: HashAlgorithm, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (let counter = 0; offset < length; counter++) {
    const c = Uint8Array.of(
      counter >>> 24,
      (counter >>> 16) & 0xff,
      (counter >>> 8) & 0xff,
      counter & 0xff,
    );
    const block = createHasher(hash).update(seed).update(c).digest();
    out.set(block.subarray(0, Math.min(block.length, length - offset)), offset);
    offset += block.length;
  }
  return out;
}
