/** Trust stores: the set of trust anchors path validation (RFC 5280 clause 6.1.1 (d)) starts from. @module */
import { toHex } from '../internal/bytes.js';
import { Certificate, parseCertificates } from './certificate.js';
import { namesEqual } from './name.js';

/** An immutable set of trust anchors (usually self-signed roots; any certificate may be an anchor). */
export interface TrustStore {
  /** The anchors, in the order given (duplicates removed). */
  readonly certificates: readonly Certificate[];
  /** True when this exact certificate is an anchor. */
  has(certificate: Certificate): boolean;
  /** Anchors whose subject matches `certificate`'s issuer (and key identifier when both have one). */
  findIssuers(certificate: Certificate): Certificate[];
  /** A new store with more anchors. */
  with(certs: readonly (Certificate | Uint8Array | string)[]): TrustStore;
}

/**
 * A trust store from certificates given as parsed objects, DER, or PEM text/bytes with any number
 * of CERTIFICATE blocks.
 * @example const trust = createTrustStore([readFileSync('certs-dev/sm2/root.pem', 'utf8')]);
 * @throws {CertificateParseError} ERR_CERT_PARSE when an input is not a certificate
 */
export function createTrustStore(
  certs: readonly (Certificate | Uint8Array | string)[],
): TrustStore {
  const list: Certificate[] = [];
  const seen = new Set<string>();
  for (const input of certs) {
    const parsed = input instanceof Certificate ? [input] : parseCertificates(input);
    for (const cert of parsed) {
      const key = toHex(cert.fingerprint('sha256'));
      if (seen.has(key)) continue;
      seen.add(key);
      list.push(cert);
    }
  }
  return buildStore(list, seen);
}

function buildStore(list: readonly Certificate[], seen: ReadonlySet<string>): TrustStore {
  return {
    certificates: list,
    has: (certificate) => seen.has(toHex(certificate.fingerprint('sha256'))),
    findIssuers: (certificate) => findIssuerCandidates(certificate, list),
    with: (more) => createTrustStore([...list, ...more]),
  };
}

/** Certificates among `pool` that may have issued `certificate`: subject = issuer name, key ids agree when present. */
export function findIssuerCandidates(
  certificate: Certificate,
  pool: readonly Certificate[],
): Certificate[] {
  const aki = certificate.extensions.authorityKeyIdentifier;
  return pool.filter((candidate) => {
    if (!namesEqual(candidate.subjectDn, certificate.issuerDn)) return false;
    const ski = candidate.extensions.subjectKeyIdentifier;
    return aki === undefined || ski === undefined || aki === ski;
  });
}
