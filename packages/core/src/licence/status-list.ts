/**
 * W3C Bitstring Status List v1.0 (Recommendation, 2025-05-15): the bitstring codec (index 0 =
 * left-most bit, GZIP per RFC 1952, multibase base64url without padding), status list
 * credentials, the validate algorithm (§3.2) and signing (detached CMS) through a passed-in `Signer`.
 * @module
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseCms, signCms, verifyCms } from '../cms/index.js';
import type { PublicKey, SignatureAlgorithm, Signer } from '../crypto/index.js';
import { publicKeyFromSpki, spkiFromCertificate, verifySignature } from '../crypto/index.js';
import { StatusListError } from '../errors/index.js';
import { canonicalJsonBytes } from '../internal/canonical-json.js';

/** The minimum number of entries for herd privacy (16 KiB of 1-bit entries). */
export const STATUS_LIST_MIN_ENTRIES = 131_072;

/** Largest bitstring a decoder expands (guards against GZIP bombs): 16 MiB = 128 Mi 1-bit entries. */
export const STATUS_LIST_MAX_BYTES = 16 * 1024 * 1024;

/** Status purposes of the specification. GovTrust issues `revocation` and `suspension` lists. */
export type StatusPurpose = 'revocation' | 'suspension' | 'refresh' | 'message';

function checkSize(statusSize: number): void {
  if (!Number.isInteger(statusSize) || statusSize < 1 || statusSize > 32) {
    throw new StatusListError(
      'ERR_STATUS_LIST_RANGE',
      `statusSize must be 1-32, got ${statusSize}`,
    );
  }
}

/**
 * A zeroed bitstring of `entries` statuses of `statusSize` bits (at least 131,072 entries).
 * @throws {StatusListError} ERR_STATUS_LIST_LENGTH below the minimum, ERR_STATUS_LIST_RANGE for a bad size
 */
export function createStatusBitstring(
  entries: number = STATUS_LIST_MIN_ENTRIES,
  statusSize = 1,
): Uint8Array {
  checkSize(statusSize);
  if (!Number.isInteger(entries) || entries < STATUS_LIST_MIN_ENTRIES) {
    throw new StatusListError(
      'ERR_STATUS_LIST_LENGTH',
      `A status list has at least ${STATUS_LIST_MIN_ENTRIES} entries`,
    );
  }
  const bytes = Math.ceil((entries * statusSize) / 8);
  if (bytes > STATUS_LIST_MAX_BYTES)
    throw new StatusListError('ERR_STATUS_LIST_LENGTH', 'Status list too large');
  return new Uint8Array(bytes);
}

function checkIndex(bits: Uint8Array, index: number, statusSize: number): void {
  checkSize(statusSize);
  if (!Number.isSafeInteger(index) || index < 0 || (index + 1) * statusSize > bits.length * 8) {
    throw new StatusListError(
      'ERR_STATUS_LIST_RANGE',
      `Index ${index} is outside the list (${Math.floor((bits.length * 8) / statusSize)} entries)`,
      {
        index,
      },
    );
  }
}

/**
 * The status at `index`: `statusSize` bits starting at bit `index × statusSize`, most significant
 * first; bit 0 is the left-most (most significant) bit of byte 0.
 * @throws {StatusListError} ERR_STATUS_LIST_RANGE (the spec's RANGE_ERROR)
 */
export function getStatus(bits: Uint8Array, index: number, statusSize = 1): number {
  checkIndex(bits, index, statusSize);
  if (statusSize === 1) return (bits[index >>> 3]! >>> (7 - (index & 7))) & 1;
  let value = 0;
  for (let b = index * statusSize, end = b + statusSize; b < end; b++) {
    value = value * 2 + ((bits[Math.floor(b / 8)]! >>> (7 - (b % 8))) & 1);
  }
  return value;
}

/**
 * Sets the status at `index` (see `getStatus` for the layout).
 * @throws {StatusListError} ERR_STATUS_LIST_RANGE for an index or a value that does not fit
 */
export function setStatus(bits: Uint8Array, index: number, value: number, statusSize = 1): void {
  checkIndex(bits, index, statusSize);
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** statusSize) {
    throw new StatusListError(
      'ERR_STATUS_LIST_RANGE',
      `Status ${value} does not fit in ${statusSize} bits`,
      { index },
    );
  }
  for (let i = statusSize - 1, b = index * statusSize; i >= 0; i--, b++) {
    const mask = 0x80 >>> (b % 8);
    const byte = Math.floor(b / 8);
    bits[byte] = (value >>> i) & 1 ? bits[byte]! | mask : bits[byte]! & ~mask;
  }
}

/** The `encodedList` of a bitstring: multibase `u` + base64url (no padding) of its GZIP compression. */
export function encodeStatusList(bits: Uint8Array): string {
  return `u${gzipSync(bits).toString('base64url')}`;
}

/** Options of `decodeStatusList`. */
export interface DecodeStatusListOptions {
  /** Minimum entries (default 131,072); an ecosystem may set a lower bound. */
  readonly minEntries?: number;
  readonly statusSize?: number;
  /** Largest expansion accepted (default 16 MiB). */
  readonly maxBytes?: number;
}

/**
 * Expands an `encodedList` (Bitstring Expansion Algorithm, §3.4) and checks its length.
 * @throws {StatusListError} ERR_STATUS_LIST_DECODE (not multibase base64url GZIP, or larger than
 *   `maxBytes`), ERR_STATUS_LIST_LENGTH (fewer than `minEntries`, the spec's STATUS_LIST_LENGTH_ERROR)
 */
export function decodeStatusList(
  encodedList: string,
  options: DecodeStatusListOptions = {},
): Uint8Array {
  if (!encodedList.startsWith('u') || !/^u[A-Za-z0-9_-]+$/.test(encodedList)) {
    throw new StatusListError(
      'ERR_STATUS_LIST_DECODE',
      'encodedList is not multibase base64url (prefix u, no padding)',
    );
  }
  const compressed = Buffer.from(encodedList.slice(1), 'base64url');
  let bits: Buffer;
  try {
    bits = gunzipSync(compressed, { maxOutputLength: options.maxBytes ?? STATUS_LIST_MAX_BYTES });
  } catch (err) {
    throw new StatusListError(
      'ERR_STATUS_LIST_DECODE',
      `encodedList is not GZIP data within the size limit: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const statusSize = options.statusSize ?? 1;
  checkSize(statusSize);
  const entries = Math.floor((bits.length * 8) / statusSize);
  const min = options.minEntries ?? STATUS_LIST_MIN_ENTRIES;
  if (entries < min) {
    throw new StatusListError(
      'ERR_STATUS_LIST_LENGTH',
      `The list has ${entries} entries, fewer than the minimum ${min}`,
    );
  }
  return new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength);
}

/** A BitstringStatusListCredential (unsigned; GovTrust signs it as a whole, see `signStatusListCredential`). */
export interface StatusListCredential {
  readonly '@context': readonly ['https://www.w3.org/ns/credentials/v2'];
  readonly id: string;
  readonly type: readonly ['VerifiableCredential', 'BitstringStatusListCredential'];
  /** The issuer: a URL or the issuer's identifier (GovTrust uses `urn:uscc:<USCC>`). */
  readonly issuer: string;
  readonly validFrom: string;
  readonly validUntil?: string;
  readonly credentialSubject: {
    readonly id: string;
    readonly type: 'BitstringStatusList';
    readonly statusPurpose: StatusPurpose;
    readonly encodedList: string;
    /** Time to live in milliseconds: verifiers may cache the list this long. */
    readonly ttl?: number;
  };
}

/** Options of `createStatusListCredential`. */
export interface StatusListCredentialOptions {
  /** URL of the list (what entries name as `statusListCredential`). */
  readonly id: string;
  readonly issuer: string;
  readonly purpose: StatusPurpose;
  /** The bitstring, or its encoded form. */
  readonly bits: Uint8Array | string;
  readonly validFrom: Date;
  readonly validUntil?: Date;
  /** Cache lifetime in milliseconds (`ttl`); align HTTP Cache-Control with it. */
  readonly ttlMs?: number;
}

/** Builds an unsigned status list credential. */
export function createStatusListCredential(
  options: StatusListCredentialOptions,
): StatusListCredential {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    id: options.id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: options.issuer,
    validFrom: options.validFrom.toISOString(),
    ...(options.validUntil === undefined ? {} : { validUntil: options.validUntil.toISOString() }),
    credentialSubject: {
      id: `${options.id}#list`,
      type: 'BitstringStatusList',
      statusPurpose: options.purpose,
      encodedList: typeof options.bits === 'string' ? options.bits : encodeStatusList(options.bits),
      ...(options.ttlMs === undefined ? {} : { ttl: options.ttlMs }),
    },
  };
}

/** The parts of a status entry the validate algorithm reads. */
export interface StatusEntryRef {
  readonly statusPurpose: StatusPurpose;
  readonly statusListIndex: string;
  readonly statusListCredential: string;
  readonly statusSize?: number;
}

/** Result of `checkStatusEntry` (§3.2 step "Return result"). */
export interface StatusEntryResult {
  readonly purpose: StatusPurpose;
  readonly status: number;
  /** status == 0. */
  readonly valid: boolean;
}

/**
 * Reads a credential's status from a status list credential whose proof the caller has verified
 * (Validate Algorithm, §3.2, after dereferencing and proof checking).
 * @throws {StatusListError} ERR_STATUS_LIST_PURPOSE (purposes or list ids differ; the spec's
 *   STATUS_VERIFICATION_ERROR), ERR_STATUS_LIST_DECODE, ERR_STATUS_LIST_LENGTH, ERR_STATUS_LIST_RANGE
 */
export function checkStatusEntry(
  list: StatusListCredential,
  entry: StatusEntryRef,
  options: Pick<DecodeStatusListOptions, 'minEntries' | 'maxBytes'> = {},
): StatusEntryResult {
  if (entry.statusListCredential !== list.id) {
    throw new StatusListError(
      'ERR_STATUS_LIST_PURPOSE',
      `The entry points at ${entry.statusListCredential}, not at this list ${list.id}`,
    );
  }
  if (entry.statusPurpose !== list.credentialSubject.statusPurpose) {
    throw new StatusListError(
      'ERR_STATUS_LIST_PURPOSE',
      `The entry's purpose ${entry.statusPurpose} differs from the list's ${list.credentialSubject.statusPurpose}`,
    );
  }
  if (!/^(0|[1-9]\d{0,15})$/.test(entry.statusListIndex)) {
    throw new StatusListError(
      'ERR_STATUS_LIST_RANGE',
      `statusListIndex '${entry.statusListIndex}' is not a base-10 integer`,
    );
  }
  const size = entry.statusSize ?? 1;
  const bits = decodeStatusList(list.credentialSubject.encodedList, {
    ...options,
    statusSize: size,
  });
  const status = getStatus(bits, Number(entry.statusListIndex), size);
  return { purpose: entry.statusPurpose, status, valid: status === 0 };
}

/** A signed status list: the credential and a proof over its RFC 8785 canonical bytes. */
export interface SignedStatusList {
  readonly credential: StatusListCredential;
  readonly proof: {
    /** `cms`: detached CMS SignedData DER; `raw`: a bare signature; other formats come from an encoder. */
    readonly format: string;
    readonly algorithm: SignatureAlgorithm;
    /** Base64 of the signature (raw) or of the encoder's output (e.g. CMS SignedData DER). */
    readonly value: string;
    /** Base64 DER certificates, signer first. */
    readonly certificateChain: readonly string[];
  };
}

/** Turns the canonical bytes of a credential into a proof value (`cmsProofEncoder`, or your own). */
export type StatusListProofEncoder = (
  content: Uint8Array,
  signer: Signer,
) => Promise<{ readonly format: string; readonly value: Uint8Array }>;

/** A detached CMS SignedData (RFC 5652, GB/T 35275 for SM2) over the canonical bytes, with the signer's chain and ESS signing-certificate-v2. */
export const cmsProofEncoder: StatusListProofEncoder = async (content, signer) => ({
  format: 'cms',
  value: await signCms({ signer, content }),
});

/** A bare signature over the canonical bytes, for signers without a certificate. */
export const rawProofEncoder: StatusListProofEncoder = async (content, signer) => ({
  format: 'raw',
  value: await signer.sign(content),
});

/**
 * Signs a status list credential with the issuer's signer, over the credential's canonical
 * (RFC 8785) bytes: a detached CMS SignedData when the signer has a certificate chain, else a
 * raw signature; pass `encode` for another format.
 * @throws {SignerFailedError} ERR_SIGNER_FAILED when the signer fails
 */
export async function signStatusListCredential(
  credential: StatusListCredential,
  options: { readonly signer: Signer; readonly encode?: StatusListProofEncoder },
): Promise<SignedStatusList> {
  const content = canonicalJsonBytes(credential);
  const encode =
    options.encode ??
    (options.signer.certificateChain.length > 0 ? cmsProofEncoder : rawProofEncoder);
  const proof = await encode(content, options.signer);
  return {
    credential,
    proof: {
      format: proof.format,
      algorithm: options.signer.algorithm,
      value: Buffer.from(proof.value).toString('base64'),
      certificateChain: options.signer.certificateChain.map((c) =>
        Buffer.from(c).toString('base64'),
      ),
    },
  };
}

/**
 * Checks the proof of a signed status list: a `cms` proof with `verifyCms` over the canonical
 * bytes (and, when `publicKey` is given, that the CMS signer has that key); a `raw` proof against
 * `publicKey` (default: the key of the first certificate of the chain); other formats through
 * `verify`. It says nothing about whether the key is trusted: validate the signer's certificate
 * chain separately (e.g. `validatePath` with purpose `licence-signing`).
 * @throws {StatusListError} ERR_STATUS_LIST_SIGNATURE for a format it cannot check
 */
export async function verifyStatusListSignature(
  signed: SignedStatusList,
  options: {
    readonly publicKey?: PublicKey;
    readonly verify?: (content: Uint8Array, proof: SignedStatusList['proof']) => Promise<boolean>;
  } = {},
): Promise<boolean> {
  const content = canonicalJsonBytes(signed.credential);
  if (options.verify !== undefined) return options.verify(content, signed.proof);
  const value = Buffer.from(signed.proof.value, 'base64');
  if (signed.proof.format === 'cms') {
    try {
      const result = verifyCms(parseCms(value), { content });
      if (!result.intact || result.signerCertificate === undefined) return false;
      return (
        options.publicKey === undefined ||
        result.signerCertificate.publicKey.equals(options.publicKey)
      );
    } catch {
      return false;
    }
  }
  if (signed.proof.format !== 'raw') {
    throw new StatusListError(
      'ERR_STATUS_LIST_SIGNATURE',
      `No verifier for proof format ${signed.proof.format}`,
    );
  }
  let key = options.publicKey;
  if (key === undefined) {
    const first = signed.proof.certificateChain[0];
    if (first === undefined)
      throw new StatusListError('ERR_STATUS_LIST_SIGNATURE', 'No public key and no certificate');
    key = publicKeyFromSpki(spkiFromCertificate(Buffer.from(first, 'base64')));
  }
  try {
    return verifySignature(signed.proof.algorithm, key, content, value);
  } catch {
    return false;
  }
}
