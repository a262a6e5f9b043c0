/**
 * The certificate facts seal verification needs (RFC 5280 clause 4.1), on `@govtrust/core/pki`.
 * @module
 */
import { decodeSignatureAlgorithm, type SignatureAlgorithm } from '../crypto/index.js';
import { encodeOid, encodeSequence } from '../internal/der.js';
import { parseCertificate, type Certificate } from '../pki/index.js';

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

/** @internal The algorithm name of a signature OID, or undefined when GovTrust does not know it. */
export function algorithmFromOid(oid: string): SignatureAlgorithm | undefined {
  try {
    // A bare AlgorithmIdentifier { oid } is enough for the OIDs that carry their hash.
    return decodeSignatureAlgorithm(encodeSequence(encodeOid(oid))).algorithm;
  } catch {
    return undefined;
  }
}
