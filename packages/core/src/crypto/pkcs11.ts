/**
 * A `Signer` over a key held in a PKCS#11 token (HSMs, smart cards, SoftHSM2) through pkcs11js.
 * RSA PKCS#1 v1.5, RSA-PSS and ECDSA (P-256, P-384). The key never leaves the token.
 * @module
 */
import { createHash } from 'node:crypto';
import { AlgorithmNotSupportedError, Pkcs11Error, SignerFailedError } from '../errors/index.js';
import {
  assertAlgorithmFitsKey,
  defaultSignatureAlgorithm,
  signatureAlgorithmInfo,
  type SignatureAlgorithm,
} from './algorithms.js';
import { hashSize } from './hash.js';
import { publicKeyFromSpki, spkiFromCertificate, type PublicKey } from './keys.js';
import { decodeCertificateChain, type Signer } from './signer.js';
import { encodeSm2Signature, sm2SignatureFromRaw } from './sm2.js';
import { verifySignature } from './verify.js';

type Pkcs11Module = typeof import('pkcs11js');
type Pkcs11 = InstanceType<Pkcs11Module['PKCS11']>;
type Handle = Buffer;

/** Options of `openPkcs11Signer`. */
export interface Pkcs11SignerOptions {
  /** Path of the PKCS#11 library, e.g. `/usr/lib/softhsm/libsofthsm2.so`. */
  readonly module: string;
  /** Token label to use; default: the first token present. */
  readonly tokenLabel?: string;
  /** User PIN. */
  readonly pin: string;
  /** CKA_LABEL of the private key. */
  readonly keyLabel?: string;
  /** CKA_ID of the private key. */
  readonly keyId?: Uint8Array;
  /** Signature algorithm; default per key type. */
  readonly algorithm?: SignatureAlgorithm;
  /** Certificates (DER array or PEM), signer first; default: the certificate with the key's CKA_ID on the token. */
  readonly certificateChain?: readonly Uint8Array[] | string;
  /** Verify every signature with the public key before returning it (default true). */
  readonly verifyResult?: boolean;
}

/** A PKCS#11 signer; `close()` logs out and closes the session. */
export interface Pkcs11Signer extends Signer {
  close(): void;
}

// The PKCS#11 library is process-global state (C_Initialize may run once per process), so loaded
// modules are shared and reference-counted.
const loaded = new Map<string, { pkcs11: Pkcs11; users: number }>();

function wrap(err: unknown, what: string): Pkcs11Error {
  if (err instanceof Pkcs11Error) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/PIN_INCORRECT|PIN_INVALID|PIN_LEN_RANGE|PIN_LOCKED/.test(message)) {
    return new Pkcs11Error('ERR_PKCS11_LOGIN', `${what}: ${message}`, { cause: err });
  }
  return new Pkcs11Error('ERR_PKCS11', `${what}: ${message}`, { cause: err });
}

async function loadModule(path: string): Promise<{ mod: Pkcs11Module; pkcs11: Pkcs11 }> {
  let mod: Pkcs11Module;
  try {
    mod = (await import('pkcs11js')).default;
  } catch (err) {
    throw new Pkcs11Error(
      'ERR_PKCS11_MODULE',
      'The optional dependency pkcs11js is not installed',
      { cause: err },
    );
  }
  const existing = loaded.get(path);
  if (existing !== undefined) {
    existing.users++;
    return { mod, pkcs11: existing.pkcs11 };
  }
  const pkcs11 = new mod.PKCS11();
  try {
    pkcs11.load(path);
  } catch (err) {
    throw new Pkcs11Error('ERR_PKCS11_MODULE', `Cannot load PKCS#11 module ${path}`, {
      cause: err,
    });
  }
  try {
    pkcs11.C_Initialize();
  } catch (err) {
    if (!/CRYPTOKI_ALREADY_INITIALIZED/.test(String(err))) throw wrap(err, 'C_Initialize');
  }
  loaded.set(path, { pkcs11, users: 1 });
  return { mod, pkcs11 };
}

function release(path: string): void {
  const entry = loaded.get(path);
  if (entry === undefined) return;
  if (--entry.users === 0) {
    loaded.delete(path);
    try {
      entry.pkcs11.C_Finalize();
      entry.pkcs11.close();
    } catch {
      // Finalising a module that is already gone is harmless.
    }
  }
}

function findObjects(
  pkcs11: Pkcs11,
  session: Handle,
  template: { type: number; value?: number | Buffer | string | boolean }[],
): Handle[] {
  pkcs11.C_FindObjectsInit(session, template);
  try {
    return pkcs11.C_FindObjects(session, 16);
  } finally {
    pkcs11.C_FindObjectsFinal(session);
  }
}

/**
 * Opens a session on a token, logs in and finds the signing key.
 * @example const signer = await openPkcs11Signer({ module: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 'seal', pin, keyLabel: 'org-seal' });
 * @throws {Pkcs11Error} ERR_PKCS11_MODULE (library), ERR_PKCS11_LOGIN (PIN), ERR_PKCS11_KEY_NOT_FOUND (no such key or token), ERR_PKCS11 (other token errors)
 * @throws {AlgorithmNotSupportedError} ERR_ALG_NOT_SUPPORTED for Ed25519 and SM2 (no standard PKCS#11 mechanism)
 */
export async function openPkcs11Signer(options: Pkcs11SignerOptions): Promise<Pkcs11Signer> {
  const { mod, pkcs11 } = await loadModule(options.module);
  let session: Handle | undefined;
  try {
    const slots = pkcs11.C_GetSlotList(true);
    const slot = slots.find(
      (s) =>
        options.tokenLabel === undefined ||
        pkcs11.C_GetTokenInfo(s).label.trim() === options.tokenLabel,
    );
    if (slot === undefined) {
      throw new Pkcs11Error(
        'ERR_PKCS11_KEY_NOT_FOUND',
        `No token ${options.tokenLabel ? `labelled "${options.tokenLabel}" ` : ''}is present`,
      );
    }
    session = pkcs11.C_OpenSession(slot, mod.CKF_SERIAL_SESSION);
    try {
      pkcs11.C_Login(session, mod.CKU_USER, options.pin);
    } catch (err) {
      if (!/USER_ALREADY_LOGGED_IN/.test(String(err))) throw wrap(err, 'Login failed');
    }
    const selector = [
      ...(options.keyLabel === undefined ? [] : [{ type: mod.CKA_LABEL, value: options.keyLabel }]),
      ...(options.keyId === undefined
        ? []
        : [{ type: mod.CKA_ID, value: Buffer.from(options.keyId) }]),
    ];
    const keys = findObjects(pkcs11, session, [
      { type: mod.CKA_CLASS, value: mod.CKO_PRIVATE_KEY },
      ...selector,
    ]);
    if (keys.length !== 1) {
      throw new Pkcs11Error(
        'ERR_PKCS11_KEY_NOT_FOUND',
        keys.length === 0
          ? 'No private key matches on the token'
          : 'Several private keys match: give keyLabel or keyId',
      );
    }
    const key = keys[0]!;
    const [idAttr] = pkcs11.C_GetAttributeValue(session, key, [{ type: mod.CKA_ID }]);
    let chain: Uint8Array[];
    if (options.certificateChain !== undefined) {
      chain = decodeCertificateChain(options.certificateChain);
    } else {
      const certs = findObjects(pkcs11, session, [
        { type: mod.CKA_CLASS, value: mod.CKO_CERTIFICATE },
        ...(idAttr?.value instanceof Buffer ? [{ type: mod.CKA_ID, value: idAttr.value }] : []),
      ]);
      const open = session;
      chain = certs.slice(0, 1).map((c) => {
        const [v] = pkcs11.C_GetAttributeValue(open, c, [{ type: mod.CKA_VALUE }]);
        if (!(v?.value instanceof Buffer))
          throw new Pkcs11Error('ERR_PKCS11', 'Unreadable certificate on the token');
        return new Uint8Array(v.value);
      });
    }
    if (chain.length === 0) {
      throw new Pkcs11Error(
        'ERR_PKCS11_KEY_NOT_FOUND',
        'No certificate given and none on the token for this key',
      );
    }
    const publicKey: PublicKey = publicKeyFromSpki(spkiFromCertificate(chain[0]!));
    const algorithm = options.algorithm ?? defaultSignatureAlgorithm(publicKey);
    assertAlgorithmFitsKey(algorithm, publicKey);
    const mechanism = mechanismFor(mod, algorithm);
    const verifyResult = options.verifyResult ?? true;
    const openSession = session;
    let queue: Promise<unknown> = Promise.resolve();
    let closed = false;

    const signOnce = (data: Uint8Array): Promise<Uint8Array> =>
      new Promise((resolve, reject) => {
        if (closed) {
          reject(new SignerFailedError('The PKCS#11 signer is closed'));
          return;
        }
        const info = signatureAlgorithmInfo(algorithm);
        // ECDSA mechanisms sign a hash: we hash here so every token (even without CKM_ECDSA_SHA256) works.
        const input =
          info.keyFamily === 'ec'
            ? createHash(info.hash!).update(data).digest()
            : Buffer.from(data);
        try {
          pkcs11.C_SignInit(openSession, mechanism, key);
        } catch (err) {
          reject(wrap(err, 'C_SignInit'));
          return;
        }
        pkcs11.C_Sign(openSession, input, Buffer.alloc(1024), (err: Error | null, sig) => {
          if (err !== null) {
            reject(wrap(err, 'C_Sign'));
            return;
          }
          let value: Uint8Array = new Uint8Array(sig);
          if (info.keyFamily === 'ec') value = encodeSm2Signature(sm2SignatureFromRaw(value));
          if (verifyResult && !verifySignature(algorithm, publicKey, data, value)) {
            reject(
              new SignerFailedError(
                'The token returned a signature that does not verify with the certificate key',
              ),
            );
            return;
          }
          resolve(value);
        });
      });

    return {
      algorithm,
      certificateChain: chain,
      publicKey,
      // A session runs one operation at a time: signatures are queued.
      sign(data) {
        const next = queue.then(() => signOnce(data));
        queue = next.catch(() => undefined);
        return next;
      },
      close() {
        if (closed) return;
        closed = true;
        try {
          pkcs11.C_Logout(openSession);
        } catch {
          // Already logged out.
        }
        try {
          pkcs11.C_CloseSession(openSession);
        } finally {
          release(options.module);
        }
      },
    };
  } catch (err) {
    if (session !== undefined) {
      try {
        pkcs11.C_CloseSession(session);
      } catch {
        // The original error matters more.
      }
    }
    release(options.module);
    if (err instanceof Pkcs11Error || err instanceof AlgorithmNotSupportedError) throw err;
    if (
      err instanceof Error &&
      'code' in err &&
      typeof err.code === 'string' &&
      err.code.startsWith('ERR_')
    )
      throw err;
    throw wrap(err, 'PKCS#11 error');
  }
}

function mechanismFor(
  mod: Pkcs11Module,
  algorithm: SignatureAlgorithm,
): {
  mechanism: number;
  parameter?: { type: number; hashAlg: number; mgf: number; saltLen: number };
} {
  const info = signatureAlgorithmInfo(algorithm);
  const hashMech = {
    sha256: mod.CKM_SHA256,
    sha384: mod.CKM_SHA384,
    sha512: mod.CKM_SHA512,
  } as Record<string, number>;
  const mgf = {
    sha256: mod.CKG_MGF1_SHA256,
    sha384: mod.CKG_MGF1_SHA384,
    sha512: mod.CKG_MGF1_SHA512,
  } as Record<string, number>;
  if (info.keyFamily === 'ec') return { mechanism: mod.CKM_ECDSA };
  if (info.keyFamily === 'rsa' && info.padding === 'pkcs1') {
    const m = mechanismForHash(info.hash, {
      sha256: mod.CKM_SHA256_RSA_PKCS,
      sha384: mod.CKM_SHA384_RSA_PKCS,
      sha512: mod.CKM_SHA512_RSA_PKCS,
    });
    if (m !== undefined) return { mechanism: m };
  }
  if (info.keyFamily === 'rsa' && info.padding === 'pss') {
    const m = mechanismForHash(info.hash, {
      sha256: mod.CKM_SHA256_RSA_PKCS_PSS,
      sha384: mod.CKM_SHA384_RSA_PKCS_PSS,
      sha512: mod.CKM_SHA512_RSA_PKCS_PSS,
    });
    if (m !== undefined) {
      return {
        mechanism: m,
        parameter: {
          type: mod.CK_PARAMS_RSA_PSS,
          hashAlg: hashMech[info.hash!]!,
          mgf: mgf[info.hash!]!,
          saltLen: hashSize(info.hash!),
        },
      };
    }
  }
  throw new AlgorithmNotSupportedError(
    algorithm,
    `${algorithm} has no standard PKCS#11 mechanism here; use a remote signer`,
  );
}

function mechanismForHash(hash: string | null, table: Record<string, number>): number | undefined {
  return hash === null ? undefined : table[hash];
}
