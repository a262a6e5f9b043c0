/** Revocation status types shared by CRL, OCSP and path validation (RFC 5280 clause 6.3, RFC 6960). @module */
import type { Certificate } from './certificate.js';
import type { RevocationReason } from './crl.js';

/** A problem found while establishing revocation status. */
export interface RevocationIssue {
  readonly code: string;
  readonly message: string;
}

/** The revocation status of one certificate at one time, and where it came from. */
export type RevocationStatus =
  | {
      readonly status: 'good';
      readonly source: 'crl' | 'ocsp';
      /** The CRL or OCSP response DER that established it (for long-term validation data). */
      readonly evidence?: Uint8Array;
      readonly thisUpdate?: Date;
      readonly nextUpdate?: Date;
    }
  | {
      readonly status: 'revoked';
      readonly source: 'crl' | 'ocsp';
      readonly revokedAt: Date;
      readonly reason?: RevocationReason;
      readonly evidence?: Uint8Array;
      readonly thisUpdate?: Date;
    }
  | {
      readonly status: 'unknown';
      /** Why the status could not be established. */
      readonly issues: readonly RevocationIssue[];
    };

/**
 * Anything that can tell whether `certificate`, issued by `issuer`, was revoked at `at`: CRLs,
 * OCSP, data embedded in a document, or several of these. Must not throw for missing data:
 * answer `unknown` with the reason.
 */
export interface RevocationSource {
  check(certificate: Certificate, issuer: Certificate, at: Date): Promise<RevocationStatus>;
}

/** What a CA (or its responder) knows of one certificate it issued. */
export type CertificateStatus =
  | { readonly status: 'good' }
  | { readonly status: 'revoked'; readonly revokedAt: Date; readonly reason?: RevocationReason }
  | { readonly status: 'unknown' };

/** Looks up the status of a serial number of an issuer (a CA database, a registry, a file). */
export type CertificateStatusLookup = (query: {
  readonly issuer: Certificate;
  /** Lower-case hex of the serial INTEGER contents. */
  readonly serialNumber: string;
}) => CertificateStatus | Promise<CertificateStatus>;
