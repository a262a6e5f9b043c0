/** The `TsaClient` seam (DESIGN.md section 1): whatever obtains RFC 3161 time-stamp tokens. @module */
import type { HashAlgorithm } from '../crypto/index.js';

/** What to time-stamp: the digest of the data and the hash that made it (RFC 3161 MessageImprint). */
export interface TimestampRequest {
  readonly hashAlgorithm: HashAlgorithm;
  readonly digest: Uint8Array;
}

/** Obtains time-stamp tokens: over HTTP (`createHttpTsaClient`) or in-process (`TimeStampAuthority.client()`). */
export interface TsaClient {
  /**
   * Resolves to the DER TimeStampToken (a CMS ContentInfo with TSTInfo) for the digest.
   * @throws {TsaRejectedError} ERR_TSA_REJECTED when the authority answers with a failure status
   */
  timestamp(request: TimestampRequest): Promise<Uint8Array>;
}
