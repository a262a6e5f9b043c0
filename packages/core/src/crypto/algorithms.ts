/**
 * The signature-algorithm registry: names <-> AlgorithmIdentifier OIDs and parameters <-> key
 * types and hashes (RFC 5754, RFC 4055, RFC 5758, RFC 8410, GB/T 35276).
 * @module
 */
import { AlgorithmMismatchError, AlgorithmNotSupportedError } from '../errors/index.js';
import {
  DER_NULL,
  DerError,
  Tag,
  contextTag,
  decodeOid,
  decodeUnsignedInteger,
  encodeOid,
  encodeSequence,
  encodeTlv,
  encodeUnsignedInteger,
  readChildren,
  readSingle,
} from '../internal/der.js';
import { hashFromOid, hashOid, hashSize, type HashAlgorithm } from './hash.js';
import type { PublicKey, PrivateKey, KeyType } from './keys.js';
import { oids } from './oids.js';

/** Signature algorithms by name. `*-sha1` names exist so reports can name them; GovTrust never signs with them. */
export type SignatureAlgorithm =
  | 'rsa-pkcs1-sha256'
  | 'rsa-pkcs1-sha384'
  | 'rsa-pkcs1-sha512'
  | 'rsa-pss-sha256'
  | 'rsa-pss-sha384'
  | 'rsa-pss-sha512'
  | 'ecdsa-sha256'
  | 'ecdsa-sha384'
  | 'ecdsa-sha512'
  | 'ed25519'
  | 'sm2-sm3'
  | 'rsa-pkcs1-sha1'
  | 'ecdsa-sha1';

/** What the registry knows of one signature algorithm. */
export interface SignatureAlgorithmInfo {
  readonly name: SignatureAlgorithm;
  /** The hash the algorithm applies to the message; `null` for pure Ed25519. */
  readonly hash: HashAlgorithm | null;
  /** The key family that signs with it. */
  readonly keyFamily: 'rsa' | 'ec' | 'ed25519' | 'sm2';
  /** RSA padding scheme. */
  readonly padding?: 'pkcs1' | 'pss';
  /** True for algorithms accepted for reading only (SHA-1). */
  readonly deprecated: boolean;
}

const registry: Record<SignatureAlgorithm, SignatureAlgorithmInfo & { oid: string }> = {
  'rsa-pkcs1-sha256': {
    name: 'rsa-pkcs1-sha256',
    hash: 'sha256',
    keyFamily: 'rsa',
    padding: 'pkcs1',
    deprecated: false,
    oid: oids.sha256WithRSAEncryption,
  },
  'rsa-pkcs1-sha384': {
    name: 'rsa-pkcs1-sha384',
    hash: 'sha384',
    keyFamily: 'rsa',
    padding: 'pkcs1',
    deprecated: false,
    oid: oids.sha384WithRSAEncryption,
  },
  'rsa-pkcs1-sha512': {
    name: 'rsa-pkcs1-sha512',
    hash: 'sha512',
    keyFamily: 'rsa',
    padding: 'pkcs1',
    deprecated: false,
    oid: oids.sha512WithRSAEncryption,
  },
  'rsa-pss-sha256': {
    name: 'rsa-pss-sha256',
    hash: 'sha256',
    keyFamily: 'rsa',
    padding: 'pss',
    deprecated: false,
    oid: oids.rsassaPss,
  },
  'rsa-pss-sha384': {
    name: 'rsa-pss-sha384',
    hash: 'sha384',
    keyFamily: 'rsa',
    padding: 'pss',
    deprecated: false,
    oid: oids.rsassaPss,
  },
  'rsa-pss-sha512': {
    name: 'rsa-pss-sha512',
    hash: 'sha512',
    keyFamily: 'rsa',
    padding: 'pss',
    deprecated: false,
    oid: oids.rsassaPss,
  },
  'ecdsa-sha256': {
    name: 'ecdsa-sha256',
    hash: 'sha256',
    keyFamily: 'ec',
    deprecated: false,
    oid: oids.ecdsaWithSha256,
  },
  'ecdsa-sha384': {
    name: 'ecdsa-sha384',
    hash: 'sha384',
    keyFamily: 'ec',
    deprecated: false,
    oid: oids.ecdsaWithSha384,
  },
  'ecdsa-sha512': {
    name: 'ecdsa-sha512',
    hash: 'sha512',
    keyFamily: 'ec',
    deprecated: false,
    oid: oids.ecdsaWithSha512,
  },
  ed25519: {
    name: 'ed25519',
    hash: null,
    keyFamily: 'ed25519',
    deprecated: false,
    oid: oids.ed25519,
  },
  'sm2-sm3': {
    name: 'sm2-sm3',
    hash: 'sm3',
    keyFamily: 'sm2',
    deprecated: false,
    oid: oids.sm2WithSm3,
  },
  'rsa-pkcs1-sha1': {
    name: 'rsa-pkcs1-sha1',
    hash: 'sha1',
    keyFamily: 'rsa',
    padding: 'pkcs1',
    deprecated: true,
    oid: oids.sha1WithRSAEncryption,
  },
  'ecdsa-sha1': {
    name: 'ecdsa-sha1',
    hash: 'sha1',
    keyFamily: 'ec',
    deprecated: true,
    oid: oids.ecdsaWithSha1,
  },
};

/** Every algorithm name GovTrust signs with (the deprecated SHA-1 names excluded). */
export const signatureAlgorithms: readonly SignatureAlgorithm[] = (
  Object.keys(registry) as SignatureAlgorithm[]
).filter((n) => !registry[n].deprecated);

/** True when `name` is a known signature algorithm name. */
export function isSignatureAlgorithm(name: string): name is SignatureAlgorithm {
  return Object.hasOwn(registry, name);
}

/**
 * What the registry knows of `name`.
 * @throws {AlgorithmNotSupportedError} ERR_ALG_NOT_SUPPORTED for an unknown name
 */
export function signatureAlgorithmInfo(name: string): SignatureAlgorithmInfo {
  if (!isSignatureAlgorithm(name)) throw new AlgorithmNotSupportedError(name);
  const { oid: _oid, ...info } = registry[name];
  return info;
}

function keyFamilyOf(type: KeyType): SignatureAlgorithmInfo['keyFamily'] {
  return type === 'rsa-pss' ? 'rsa' : type;
}

/** The algorithm GovTrust uses by default for a key: SHA-256 RSA PKCS#1, ECDSA with the curve's hash, Ed25519, SM2-with-SM3. */
export function defaultSignatureAlgorithm(key: PublicKey | PrivateKey): SignatureAlgorithm {
  switch (key.type) {
    case 'rsa':
      return 'rsa-pkcs1-sha256';
    case 'rsa-pss':
      return 'rsa-pss-sha256';
    case 'ec':
      return key.curve === 'P-384' ? 'ecdsa-sha384' : 'ecdsa-sha256';
    case 'ed25519':
      return 'ed25519';
    case 'sm2':
      return 'sm2-sm3';
  }
}

/**
 * Asserts `algorithm` can be used with `key`.
 * @throws {AlgorithmMismatchError} ERR_ALG_MISMATCH when the key family differs (or PKCS#1 with an RSA-PSS-only key)
 * @throws {AlgorithmNotSupportedError} ERR_ALG_NOT_SUPPORTED for an unknown name
 */
export function assertAlgorithmFitsKey(algorithm: string, key: PublicKey | PrivateKey): void {
  const info = signatureAlgorithmInfo(algorithm);
  if (info.keyFamily !== keyFamilyOf(key.type)) {
    throw new AlgorithmMismatchError(`${algorithm} cannot be used with a ${key.type} key`);
  }
  if (key.type === 'rsa-pss' && info.padding !== 'pss') {
    throw new AlgorithmMismatchError(`An RSA-PSS key cannot make ${algorithm} signatures`);
  }
}

/** Largest DER signature value `algorithm` makes with `publicKey`, for sizing containers such as PDF /Contents. */
export function maxSignatureSize(algorithm: SignatureAlgorithm, publicKey: PublicKey): number {
  switch (registry[algorithm].keyFamily) {
    case 'rsa':
      return Math.ceil(publicKey.sizeBits / 8);
    case 'ed25519':
      return 64;
    case 'sm2':
      return 72;
    case 'ec':
      // SEQUENCE { INTEGER r, INTEGER s }, each up to field size + 1 sign byte.
      return publicKey.curve === 'P-384' ? 104 : 72;
  }
}

function hashAlgorithmIdentifier(hash: HashAlgorithm, withNull: boolean): Uint8Array {
  return withNull
    ? encodeSequence(encodeOid(hashOid(hash)), DER_NULL)
    : encodeSequence(encodeOid(hashOid(hash)));
}

/**
 * DER AlgorithmIdentifier of a signature algorithm as certificates and CMS carry it.
 * RSA PKCS#1 carries NULL parameters (RFC 8017); RSA-PSS carries hash, MGF1 and salt = hash size
 * (RFC 4055); ECDSA, Ed25519 and SM2 carry none (RFC 5758, RFC 8410, GB/T 35276).
 */
export function encodeSignatureAlgorithm(algorithm: SignatureAlgorithm): Uint8Array {
  const info = registry[algorithm];
  if (info.padding === 'pkcs1') return encodeSequence(encodeOid(info.oid), DER_NULL);
  if (info.padding === 'pss') {
    const hash = info.hash!;
    const params = encodeSequence(
      encodeTlv(contextTag(0, true), hashAlgorithmIdentifier(hash, true)),
      encodeTlv(
        contextTag(1, true),
        encodeSequence(encodeOid(oids.mgf1), hashAlgorithmIdentifier(hash, true)),
      ),
      encodeTlv(contextTag(2, true), encodeUnsignedInteger(BigInt(hashSize(hash)))),
    );
    return encodeSequence(encodeOid(info.oid), params);
  }
  return encodeSequence(encodeOid(info.oid));
}

/** A decoded signature AlgorithmIdentifier. */
export interface DecodedSignatureAlgorithm {
  readonly algorithm: SignatureAlgorithm;
  /** RSA-PSS salt length in bytes. */
  readonly saltLength?: number;
}

/**
 * Names the algorithm of a DER signature AlgorithmIdentifier. CMS SignerInfos often carry only the
 * key algorithm (rsaEncryption, id-ecPublicKey, SM2 sign) with the hash in `digestAlgorithm`: pass it.
 * @throws {AlgorithmNotSupportedError} ERR_ALG_NOT_SUPPORTED for unknown OIDs, bad PSS parameters, or MGF1 with another hash
 */
export function decodeSignatureAlgorithm(
  algorithmIdentifier: Uint8Array,
  context: { digestAlgorithm?: HashAlgorithm } = {},
): DecodedSignatureAlgorithm {
  let oid: string;
  let params: Uint8Array | undefined;
  try {
    const parts = readChildren(readSingle(algorithmIdentifier, Tag.SEQUENCE));
    oid = decodeOid(parts[0]!);
    params = parts[1]?.raw;
  } catch (err) {
    if (err instanceof DerError)
      throw new AlgorithmNotSupportedError('?', `Malformed AlgorithmIdentifier: ${err.message}`);
    throw err;
  }
  const digest = context.digestAlgorithm;
  const byDigest = (family: 'rsa-pkcs1' | 'ecdsa'): SignatureAlgorithm => {
    const name = `${family}-${digest ?? 'sha256'}`;
    if (digest === undefined || !isSignatureAlgorithm(name)) {
      throw new AlgorithmNotSupportedError(
        oid,
        `No signature algorithm for ${oid} with digest ${digest ?? 'none'}`,
      );
    }
    return name;
  };
  for (const name of Object.keys(registry) as SignatureAlgorithm[]) {
    const entry = registry[name];
    if (entry.oid !== oid || entry.padding === 'pss' || name === 'ed25519') continue;
    if (digest !== undefined && entry.hash !== digest) {
      throw new AlgorithmNotSupportedError(
        oid,
        `Signature algorithm ${name} does not match digest ${digest}`,
      );
    }
    return { algorithm: name };
  }
  switch (oid) {
    case oids.ed25519:
      return { algorithm: 'ed25519' };
    case oids.rsaEncryption:
      return { algorithm: byDigest('rsa-pkcs1') };
    case oids.ecPublicKey:
      return { algorithm: byDigest('ecdsa') };
    case oids.sm2Sign:
    case oids.sm2Curve:
      if (digest !== undefined && digest !== 'sm3') {
        throw new AlgorithmNotSupportedError(oid, `SM2 with ${digest} is not supported`);
      }
      return { algorithm: 'sm2-sm3' };
    case oids.rsassaPss:
      return decodePssParams(params);
    default:
      throw new AlgorithmNotSupportedError(oid);
  }
}

function decodePssParams(params: Uint8Array | undefined): DecodedSignatureAlgorithm {
  // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0], maskGenAlgorithm [1], saltLength [2], trailerField [3] }
  // The SHA-1 defaults are refused: GovTrust does not accept SHA-1 signatures.
  try {
    if (params === undefined)
      throw new AlgorithmNotSupportedError(
        oids.rsassaPss,
        'RSA-PSS without parameters (SHA-1) is not supported',
      );
    const fields = readChildren(readSingle(params, Tag.SEQUENCE));
    let hash: HashAlgorithm | undefined;
    let mgfHash: HashAlgorithm | undefined;
    let saltLength = 20;
    for (const f of fields) {
      const inner = readSingle(f.value);
      if (f.tag === contextTag(0, true)) {
        hash = hashFromOid(decodeOid(readChildren(inner)[0]!));
      } else if (f.tag === contextTag(1, true)) {
        const [mgfOid, mgfParams] = readChildren(inner);
        if (decodeOid(mgfOid!) !== oids.mgf1 || mgfParams === undefined) {
          throw new AlgorithmNotSupportedError(
            oids.rsassaPss,
            'Only MGF1 is supported for RSA-PSS',
          );
        }
        mgfHash = hashFromOid(decodeOid(readChildren(mgfParams)[0]!));
      } else if (f.tag === contextTag(2, true)) {
        saltLength = Number(decodeUnsignedInteger(inner));
      } else if (f.tag === contextTag(3, true)) {
        if (decodeUnsignedInteger(inner) !== 1n)
          throw new AlgorithmNotSupportedError(oids.rsassaPss, 'RSA-PSS trailer field must be 1');
      }
    }
    if (hash === undefined || mgfHash !== hash) {
      throw new AlgorithmNotSupportedError(
        oids.rsassaPss,
        'RSA-PSS must use the same SHA-2 hash for the message and MGF1',
      );
    }
    const name = `rsa-pss-${hash}`;
    if (!isSignatureAlgorithm(name))
      throw new AlgorithmNotSupportedError(oids.rsassaPss, `RSA-PSS with ${hash} is not supported`);
    return { algorithm: name, saltLength };
  } catch (err) {
    if (err instanceof DerError)
      throw new AlgorithmNotSupportedError(
        oids.rsassaPss,
        `Malformed RSA-PSS parameters: ${err.message}`,
      );
    throw err;
  }
}
