/** Hash algorithms (SHA-2 per FIPS 180-4, SM3 per GB/T 32905) on Node's native implementation. @module */
import { createHash, type Hash } from 'node:crypto';
import { AlgorithmNotSupportedError } from '../errors/index.js';
import { oids } from './oids.js';

/** A hash algorithm GovTrust computes. `sha1` is recognised for reports, never used to sign. */
export type HashAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512' | 'sm3';

const hashInfo: Record<HashAlgorithm, { oid: string; size: number; node: string }> = {
  sha1: { oid: oids.sha1, size: 20, node: 'sha1' },
  sha256: { oid: oids.sha256, size: 32, node: 'sha256' },
  sha384: { oid: oids.sha384, size: 48, node: 'sha384' },
  sha512: { oid: oids.sha512, size: 64, node: 'sha512' },
  sm3: { oid: oids.sm3, size: 32, node: 'sm3' },
};

const hashByOid = new Map<string, HashAlgorithm>(
  (Object.keys(hashInfo) as HashAlgorithm[]).map((h) => [hashInfo[h].oid, h]),
);

/** True when `name` is a hash algorithm name GovTrust knows. */
export function isHashAlgorithm(name: string): name is HashAlgorithm {
  return Object.hasOwn(hashInfo, name);
}

/**
 * The digest of `data`.
 * @throws {AlgorithmNotSupportedError} ERR_ALG_NOT_SUPPORTED for an unknown hash name
 */
export function digest(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHasher(algorithm).update(data).digest());
}

/**
 * An incremental hasher (Node `Hash`) for streaming large inputs without copying them.
 * @throws {AlgorithmNotSupportedError} ERR_ALG_NOT_SUPPORTED for an unknown hash name
 */
export function createHasher(algorithm: HashAlgorithm): Hash {
  if (!isHashAlgorithm(algorithm)) throw new AlgorithmNotSupportedError(String(algorithm));
  return createHash(hashInfo[algorithm].node);
}

/** Digest size in bytes. */
export function hashSize(algorithm: HashAlgorithm): number {
  return hashInfo[algorithm].size;
}

/** The OID of a hash algorithm. */
export function hashOid(algorithm: HashAlgorithm): string {
  return hashInfo[algorithm].oid;
}

/**
 * The hash algorithm with this OID.
 * @throws {AlgorithmNotSupportedError} ERR_ALG_NOT_SUPPORTED for an OID GovTrust does not hash with
 */
export function hashFromOid(oid: string): HashAlgorithm {
  const h = hashByOid.get(oid);
  if (h === undefined)
    throw new AlgorithmNotSupportedError(oid, `Hash algorithm not supported: ${oid}`);
  return h;
}
