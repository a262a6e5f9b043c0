/**
 * The `Signer` abstraction (DESIGN.md section 2): every signing operation in GovTrust receives a
 * signer, never a global key. Software keys, PKCS#11 tokens and remote (two-step) signers all
 * implement it.
 * @module
 */
import { constants, sign as nodeSign } from 'node:crypto';
import { KeyMismatchError, SignerFailedError, GovTrustError } from '../errors/index.js';
import { decodePemBlocks, looksLikePem, pemText } from '../internal/pem.js';
import {
  assertAlgorithmFitsKey,
  defaultSignatureAlgorithm,
  signatureAlgorithmInfo,
  type SignatureAlgorithm,
} from './algorithms.js';
import { createHasher, hashSize, type HashAlgorithm } from './hash.js';
import {
  PublicKey,
  importPublicKey,
  sm2ScalarOf,
  spkiFromCertificate,
  publicKeyFromSpki,
  type PrivateKey,
} from './keys.js';
import { encodeSm2Signature, sm2MessageDigest, sm2Sign, sm2SignatureFromRaw } from './sm2.js';
import { verifySignature } from './verify.js';

/** Something that signs: a software key, a token, or a remote service. */
export interface Signer {
  /** The algorithm of the signatures `sign` returns. */
  readonly algorithm: SignatureAlgorithm;
  /** DER certificates, the signer's own first, then its issuers (may be empty for bare keys). */
  readonly certificateChain: readonly Uint8Array[];
  /** The public key that verifies this signer's signatures, when known. */
  readonly publicKey: PublicKey | undefined;
  /** SM2 distinguishing ID used in Z_A (SM2 signers only; default "1234567812345678"). */
  readonly sm2Id?: string | Uint8Array;
  /**
   * Signs `data` (the to-be-signed bytes, e.g. DER signed attributes): hashing is part of the
   * algorithm. Resolves to a DER (ECDSA, SM2) or fixed-size (RSA, Ed25519) signature value.
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** Options of `createSigner`. */
export interface SignerOptions {
  /** Signature algorithm; default per key type (see `defaultSignatureAlgorithm`). */
  readonly algorithm?: SignatureAlgorithm;
  /** Certificates (DER array or PEM text), signer first. */
  readonly certificateChain?: readonly Uint8Array[] | string;
  /** SM2 distinguishing ID; default "1234567812345678". */
  readonly sm2Id?: string | Uint8Array;
}

/**
 * Decodes certificates given as PEM text (any number of CERTIFICATE blocks) or one DER certificate.
 * @throws {KeyParseError} ERR_KEY_PARSE when a block is not a certificate
 */
export function decodeCertificateChain(
  input: string | Uint8Array | readonly Uint8Array[],
): Uint8Array[] {
  if (Array.isArray(input)) return [...(input as readonly Uint8Array[])];
  const single = input as string | Uint8Array;
  const ders = looksLikePem(single)
    ? decodePemBlocks(pemText(single))
        .filter((b) => b.label === 'CERTIFICATE')
        .map((b) => b.der)
    : [single as Uint8Array];
  for (const der of ders) spkiFromCertificate(der);
  return ders;
}

/**
 * Signs `data` with a software key. RSA runs on libuv's thread pool so a server stays responsive;
 * ECDSA, Ed25519 and SM2 are fast enough to run inline.
 * @throws {AlgorithmMismatchError} ERR_ALG_MISMATCH when the key cannot make `algorithm`
 */
export async function signData(
  privateKey: PrivateKey,
  algorithm: SignatureAlgorithm,
  data: Uint8Array,
  options: { sm2Id?: string | Uint8Array } = {},
): Promise<Uint8Array> {
  assertAlgorithmFitsKey(algorithm, privateKey);
  const info = signatureAlgorithmInfo(algorithm);
  switch (info.keyFamily) {
    case 'sm2': {
      const sig = sm2Sign(data, sm2ScalarOf(privateKey), {
        publicKey: privateKey.publicKey.sm2Point!,
        ...(options.sm2Id === undefined ? {} : { id: options.sm2Id }),
      });
      return encodeSm2Signature(sig);
    }
    case 'ed25519':
      return new Uint8Array(nodeSign(null, data, privateKey.keyObject));
    case 'ec':
      return new Uint8Array(
        nodeSign(info.hash, data, { key: privateKey.keyObject, dsaEncoding: 'der' }),
      );
    case 'rsa': {
      // why: node:crypto RSA is ~80x faster than node-forge's pure-JS RSA; the callback form uses the thread pool.
      const key =
        info.padding === 'pss'
          ? {
              key: privateKey.keyObject,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: hashSize(info.hash!),
            }
          : { key: privateKey.keyObject, padding: constants.RSA_PKCS1_PADDING };
      return new Promise((resolve, reject) => {
        nodeSign(info.hash, data, key, (err, sig) =>
          err
            ? reject(new SignerFailedError('RSA signing failed', { cause: err }))
            : resolve(new Uint8Array(sig)),
        );
      });
    }
  }
}

/**
 * A signer over a software private key.
 * @example const signer = createSigner(importPrivateKey(pem), { certificateChain: certPem });
 * @throws {KeyMismatchError} ERR_KEY_MISMATCH when the key is not the first certificate's key
 * @throws {AlgorithmMismatchError} ERR_ALG_MISMATCH when the key cannot make the chosen algorithm
 * @throws {KeyParseError} ERR_KEY_PARSE when a certificate cannot be read
 */
export function createSigner(privateKey: PrivateKey, options: SignerOptions = {}): Signer {
  const algorithm = options.algorithm ?? defaultSignatureAlgorithm(privateKey);
  assertAlgorithmFitsKey(algorithm, privateKey);
  const chain =
    options.certificateChain === undefined ? [] : decodeCertificateChain(options.certificateChain);
  if (chain.length > 0) {
    const certKey = publicKeyFromSpki(spkiFromCertificate(chain[0]!));
    if (!certKey.equals(privateKey.publicKey)) throw new KeyMismatchError();
  }
  const sm2Id = options.sm2Id;
  return {
    algorithm,
    certificateChain: chain,
    publicKey: privateKey.publicKey,
    ...(sm2Id === undefined ? {} : { sm2Id }),
    sign: (data) => signData(privateKey, algorithm, data, sm2Id === undefined ? {} : { sm2Id }),
  };
}

/** What a remote signer's callback receives. */
export interface RemoteSignRequest {
  readonly algorithm: SignatureAlgorithm;
  /** The to-be-signed bytes. */
  readonly data: Uint8Array;
  /**
   * The value a digest-signing device signs: H(data), or for SM2 e = SM3(Z_A || data) (the Z value
   * of the signer's public key and ID is already applied). `null` for Ed25519.
   */
  readonly digest: Uint8Array | null;
  readonly digestAlgorithm: HashAlgorithm | null;
}

/** Options of `createRemoteSigner`. */
export interface RemoteSignerOptions {
  readonly algorithm: SignatureAlgorithm;
  /** Certificates (DER array or PEM text), signer first. */
  readonly certificateChain?: readonly Uint8Array[] | string;
  /** The signer's public key when there is no certificate (needed for SM2 digests and result checks). */
  readonly publicKey?: PublicKey | string | Uint8Array;
  readonly sm2Id?: string | Uint8Array;
  /** Signature format the callback returns: DER (default) or raw r || s (common for SM2 UKeys). */
  readonly signatureFormat?: 'der' | 'raw';
  /** Verify each returned signature against the public key before using it (default true). */
  readonly verifyResult?: boolean;
  /** Produces the signature, e.g. by asking a UKey, an HSM or a remote service. */
  readonly sign: (request: RemoteSignRequest) => Promise<Uint8Array>;
}

/**
 * A signer that hands the to-be-signed bytes and their digest to a callback (UKeys, HSMs, remote
 * services) and checks what comes back.
 * @throws {SignerFailedError} ERR_SIGNER_FAILED (from `sign`) when the callback fails or returns a signature that does not verify
 * @throws {AlgorithmMismatchError} ERR_ALG_MISMATCH when the public key cannot make the algorithm
 */
export function createRemoteSigner(options: RemoteSignerOptions): Signer {
  const { algorithm } = options;
  const info = signatureAlgorithmInfo(algorithm);
  const chain =
    options.certificateChain === undefined ? [] : decodeCertificateChain(options.certificateChain);
  let publicKey: PublicKey | undefined;
  if (options.publicKey instanceof PublicKey) publicKey = options.publicKey;
  else if (options.publicKey !== undefined) publicKey = importPublicKey(options.publicKey);
  else if (chain.length > 0) publicKey = publicKeyFromSpki(spkiFromCertificate(chain[0]!));
  if (publicKey !== undefined) assertAlgorithmFitsKey(algorithm, publicKey);
  if (info.keyFamily === 'sm2' && publicKey === undefined) {
    throw new SignerFailedError(
      'An SM2 remote signer needs the public key or certificate to compute Z_A',
    );
  }
  const verifyResult = options.verifyResult ?? true;
  return {
    algorithm,
    certificateChain: chain,
    publicKey,
    ...(options.sm2Id === undefined ? {} : { sm2Id: options.sm2Id }),
    async sign(data) {
      let digestValue: Uint8Array | null = null;
      if (info.keyFamily === 'sm2')
        digestValue = sm2MessageDigest(data, publicKey!.sm2Point!, options.sm2Id);
      else if (info.hash !== null)
        digestValue = new Uint8Array(createHasher(info.hash).update(data).digest());
      let signature: Uint8Array;
      try {
        signature = await options.sign({
          algorithm,
          data,
          digest: digestValue,
          digestAlgorithm: info.hash,
        });
      } catch (err) {
        if (err instanceof GovTrustError) throw err;
        throw new SignerFailedError('The remote signer failed', { cause: err });
      }
      if (
        options.signatureFormat === 'raw' &&
        (info.keyFamily === 'sm2' || info.keyFamily === 'ec')
      ) {
        signature = encodeSm2Signature(sm2SignatureFromRaw(signature));
      }
      if (verifyResult && publicKey !== undefined) {
        let ok: boolean;
        try {
          ok = verifySignature(
            algorithm,
            publicKey,
            data,
            signature,
            options.sm2Id === undefined ? {} : { sm2Id: options.sm2Id },
          );
        } catch (err) {
          throw new SignerFailedError('The remote signer returned a malformed signature', {
            cause: err,
          });
        }
        if (!ok)
          throw new SignerFailedError(
            'The remote signer returned a signature that does not verify with its public key',
          );
      }
      return signature;
    },
  };
}
