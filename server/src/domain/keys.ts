/**
 * Seal keys behind one provider interface (SignServer's crypto tokens): software keys sealed by
 * the master key, PKCS#12 files, PKCS#11 tokens, and external keys (two-step signing only).
 * @module
 */
import { readFileSync } from 'node:fs';
import {
  createSigner,
  generateKeyPair,
  importPkcs12,
  importPrivateKey,
  openPkcs11Signer,
  type KeyGenAlgorithm,
  type PublicKey,
  type Signer,
} from '@govtrust/core/crypto';
import { ServiceError, isGovTrustError } from '@govtrust/core/errors';
import type { SecretBox } from '../auth/secret-box.js';
import type { KeyRef } from '../storage/schema.js';

/** Opens signers for seal keys and caches them per seal generation. */
export interface KeyService {
  /** A new software key: the sealed reference and its public key. */
  generate(context: string, algorithm: KeyGenAlgorithm): { ref: KeyRef; publicKey: PublicKey };
  /**
   * The signer of a key with its certificate chain (DER).
   * @throws {ServiceError} ERR_SEAL_KEY_UNAVAILABLE when the key cannot be opened (or is external)
   */
  signer(
    cacheKey: string,
    context: string,
    ref: KeyRef,
    chain: readonly Uint8Array[],
  ): Promise<Signer>;
  /** Forgets a cached signer (after a re-make or status change), closing a token session. */
  forget(cacheKey: string): void;
  /** Closes every token session. */
  close(): void;
}

function unavailable(message: string, cause?: unknown): ServiceError {
  return new ServiceError(
    'ERR_SEAL_KEY_UNAVAILABLE',
    message,
    cause === undefined ? {} : { cause },
  );
}

function readSecretFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw unavailable(`Cannot read the secret file of a seal key`, err);
  }
}

/** Creates the key service over the master-key secret box. */
export function createKeyService(secrets: SecretBox): KeyService {
  const cache = new Map<string, Promise<Signer & { close?: () => void }>>();
  const open = async (
    context: string,
    ref: KeyRef,
    chain: readonly Uint8Array[],
  ): Promise<Signer & { close?: () => void }> => {
    try {
      switch (ref.provider) {
        case 'software': {
          const pem = new TextDecoder().decode(secrets.open(ref.sealed, context));
          return createSigner(importPrivateKey(pem), { certificateChain: chain });
        }
        case 'pkcs12': {
          const p12 = importPkcs12(
            new Uint8Array(readFileSync(ref.path)),
            readSecretFile(ref.passwordFile),
          );
          return createSigner(p12.privateKey, { certificateChain: chain });
        }
        case 'pkcs11':
          return await openPkcs11Signer({
            module: ref.module,
            pin: readSecretFile(ref.pinFile),
            ...(ref.tokenLabel === undefined ? {} : { tokenLabel: ref.tokenLabel }),
            ...(ref.keyLabel === undefined ? {} : { keyLabel: ref.keyLabel }),
            ...(ref.keyId === undefined
              ? {}
              : { keyId: new Uint8Array(Buffer.from(ref.keyId, 'hex')) }),
            certificateChain: chain,
          });
        case 'external':
          throw unavailable(
            'This seal has an external key: use a signing session (two-step signing)',
          );
      }
    } catch (err) {
      if (err instanceof ServiceError) throw err;
      throw unavailable(
        `The ${ref.provider} key cannot be opened${isGovTrustError(err) ? ` (${err.code})` : ''}`,
        err,
      );
    }
  };
  return {
    generate(context, algorithm) {
      const { privateKey, publicKey } = generateKeyPair(algorithm);
      return {
        ref: {
          provider: 'software',
          algorithm,
          sealed: secrets.seal(new TextEncoder().encode(privateKey.toPem()), context),
        },
        publicKey,
      };
    },
    signer(cacheKey, context, ref, chain) {
      let s = cache.get(cacheKey);
      if (s === undefined) {
        s = open(context, ref, chain);
        cache.set(cacheKey, s);
        // A failed open is not cached: the token may come back.
        s.catch(() => cache.delete(cacheKey));
      }
      return s;
    },
    forget(cacheKey) {
      const s = cache.get(cacheKey);
      cache.delete(cacheKey);
      void s?.then((x) => x.close?.()).catch(() => undefined);
    },
    close() {
      for (const k of [...cache.keys()]) this.forget(k);
    },
  };
}
