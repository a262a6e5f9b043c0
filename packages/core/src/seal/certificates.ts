/**
 * The certificate facts seal verification needs (RFC 5280 clause 4.1) on `@govtrust/core/pki`, and
 * a chain check against a trust store. Internal: the chain check stands in until `validatePath`
 * is on main, and is swapped for it then.
 * @module
 */
import { decodeSignatureAlgorithm, type SignatureAlgorithm } from '../crypto/index.js';
import { encodeOid, encodeSequence } from '../internal/der.js';
import { parseCertificate, type Certificate, type TrustStore } from '../pki/index.js';

/** What a seal report says about a certificate. */
export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  /** Lower-case hex. */
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

/** @internal Parses a DER certificate; returns a message instead of throwing for unreadable input. */
export function readCertificate(der: Uint8Array): Certificate | string {
  try {
    return parseCertificate(der);
  } catch (err) {
    return (err as Error).message;
  }
}

/** @internal The report summary of a certificate. */
export function summarizeCertificate(cert: Certificate): CertificateSummary {
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
  };
}

/** @internal The outcome of the chain check. */
export interface ChainResult {
  readonly trusted: boolean;
  readonly chain: readonly Certificate[];
  readonly problem: string | undefined;
}

/**
 * @internal Builds a chain from `cert` through `intermediates` to an anchor of `trust` by name and
 * signature (SM2 with the standard ID), at most 8 links, each issuer valid at `at`.
 */
export function checkChain(
  cert: Certificate,
  intermediates: readonly Certificate[],
  trust: TrustStore,
  at: Date,
): ChainResult {
  const chain: Certificate[] = [cert];
  let current = cert;
  for (let depth = 0; depth < 8; depth++) {
    if (trust.has(current)) return { trusted: true, chain, problem: undefined };
    const candidates = [
      ...trust.findIssuers(current),
      ...intermediates.filter((c) => c.subject === current.issuer),
    ];
    const issuer = candidates.find(
      (c) => !chain.some((x) => x.equals(c)) && current.verifySignedBy(c),
    );
    if (issuer === undefined) {
      return { trusted: false, chain, problem: `no trusted issuer found for "${current.subject}"` };
    }
    if (!issuer.isValidAt(at)) {
      return {
        trusted: false,
        chain,
        problem: `issuer "${issuer.subject}" is not valid at ${at.toISOString()}`,
      };
    }
    chain.push(issuer);
    current = issuer;
  }
  return { trusted: false, chain, problem: 'chain too long' };
}

/** @internal The algorithm name of a signature OID, or undefined when GovTrust does not know it. */
export function algorithmFromOid(oid: string): SignatureAlgorithm | undefined {
  try {
    // A bare AlgorithmIdentifier { oid } is enough for the OIDs that carry their hash.
    return decodeSignatureAlgorithm(encodeSequence(encodeOid(oid))).algorithm;
  } catch {
    return undefined;
  }
}
