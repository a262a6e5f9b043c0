/**
 * Certification path building and validation at a given time (RFC 5280 clause 6): signatures,
 * validity, basic constraints and path length, key usage and extended key usage for a purpose,
 * name chaining, critical extensions, and revocation through a `RevocationSource`.
 * @module
 */
import { signatureAlgorithmInfo } from '../crypto/index.js';
import {
  Certificate,
  toCertificate,
  understoodExtensions,
  type CertificateInput,
  type KeyUsage,
} from './certificate.js';
import type { RevocationReason } from './crl.js';
import { govtrustOids, pkixOids } from './oids.js';
import type { RevocationSource, RevocationStatus } from './revocation-types.js';
import { findIssuerCandidates, type TrustStore } from './trust-store.js';

/** What the end certificate will be used for. */
export type CertificatePurpose =
  'any' | 'document-signing' | 'time-stamping' | 'ocsp-signing' | 'seal-making' | 'licence-signing';

/** One finding of path validation. `certificateIndex` counts from the end certificate (0). */
export interface PathIssue {
  readonly code: string;
  readonly message: string;
  readonly certificateIndex?: number;
}

/** The result of `validatePath`. */
export interface PathValidationReport {
  readonly status: 'valid' | 'invalid' | 'indeterminate';
  /** The path found, end certificate first, trust anchor last (when one was reached). */
  readonly chain: readonly Certificate[];
  /** The path reaches a trust anchor and every signature on it verifies. */
  readonly trusted: boolean;
  readonly revocation: 'good' | 'revoked' | 'unknown' | 'not-checked';
  readonly revokedAt?: Date;
  readonly revocationReason?: RevocationReason;
  /** The revocation status found for each certificate of the chain but the anchor. */
  readonly revocationDetails?: readonly RevocationStatus[];
  readonly errors: readonly PathIssue[];
  readonly warnings: readonly PathIssue[];
}

/** Options of `validatePath`. */
export interface ValidatePathOptions {
  readonly certificate: CertificateInput;
  /** Untrusted certificates that may complete the path (e.g. from the CMS). */
  readonly intermediates?: readonly CertificateInput[];
  readonly trust: TrustStore;
  /** The time the path must be valid at (signing time, time-stamp time, or now). */
  readonly at: Date;
  readonly purpose?: CertificatePurpose;
  readonly revocation?: RevocationSource;
  /** Without a definite revocation answer the result is `indeterminate` (default false: a warning). */
  readonly revocationRequired?: boolean;
}

/** Longest path searched: real hierarchies have 2-4 certificates. */
const MAX_PATH = 8;

/** Codes that make a result indeterminate rather than invalid (more data could change the answer). */
const indeterminateCodes = new Set([
  'ERR_PATH_UNKNOWN_ISSUER',
  'ERR_PATH_UNTRUSTED_ROOT',
  'ERR_PATH_REVOCATION_UNKNOWN',
]);

/** EKUs that allow a purpose; `anyExtendedKeyUsage` allows all. */
const purposeEku: Record<Exclude<CertificatePurpose, 'any'>, readonly string[]> = {
  'document-signing': [
    pkixOids.kpDocumentSigning,
    pkixOids.kpEmailProtection,
    '1.2.840.113583.1.1.5', // Adobe Authentic Documents Trust
    '1.3.6.1.4.1.311.10.3.12', // Microsoft Document Signing
  ],
  'time-stamping': [pkixOids.kpTimeStamping],
  'ocsp-signing': [pkixOids.kpOcspSigning],
  'seal-making': [govtrustOids.kpSealMaking],
  'licence-signing': [govtrustOids.kpLicenceSigning, pkixOids.kpDocumentSigning],
};

/** Key usages one of which the end certificate must have for a purpose (when it has the extension). */
const purposeKeyUsage: Record<Exclude<CertificatePurpose, 'any'>, readonly KeyUsage[]> = {
  'document-signing': ['digitalSignature', 'nonRepudiation'],
  'time-stamping': ['digitalSignature', 'nonRepudiation'],
  'ocsp-signing': ['digitalSignature', 'nonRepudiation'],
  'seal-making': ['digitalSignature', 'nonRepudiation'],
  'licence-signing': ['digitalSignature', 'nonRepudiation'],
};

interface Candidate {
  readonly chain: Certificate[];
  readonly anchored: boolean;
  readonly issues: PathIssue[];
}

function buildPath(
  end: Certificate,
  pool: readonly Certificate[],
  trust: TrustStore,
  at: Date,
): Candidate {
  let best: Candidate | undefined;
  const score = (c: Candidate): number =>
    (c.anchored ? 1000 : 0) - c.issues.length * 10 + c.chain.length;
  const consider = (c: Candidate): void => {
    if (best === undefined || score(c) > score(best)) best = c;
  };
  const walk = (chain: Certificate[], issues: PathIssue[]): boolean => {
    const current = chain[chain.length - 1]!;
    if (trust.has(current)) {
      consider({ chain, anchored: true, issues });
      return issues.length === 0;
    }
    if (chain.length >= MAX_PATH) {
      consider({
        chain,
        anchored: false,
        issues: [
          ...issues,
          {
            code: 'ERR_PATH_TOO_LONG',
            message: `No trust anchor within ${MAX_PATH} certificates`,
            certificateIndex: chain.length - 1,
          },
        ],
      });
      return false;
    }
    // Anchors first, then intermediates valid at `at` (a renewed CA may coexist with its expired predecessor).
    const fromTrust = trust.findIssuers(current);
    const fromPool = findIssuerCandidates(current, pool).sort(
      (a, b) => Number(b.isValidAt(at)) - Number(a.isValidAt(at)),
    );
    const candidates = [...fromTrust, ...fromPool].filter((c) => !chain.some((x) => x.equals(c)));
    const index = chain.length - 1;
    if (candidates.length === 0) {
      const selfSigned = current.isSelfIssued && current.verifySignedBy(current);
      consider({
        chain,
        anchored: false,
        issues: [
          ...issues,
          selfSigned
            ? {
                code: 'ERR_PATH_UNTRUSTED_ROOT',
                message: `${current.subject} is a root that is not trusted`,
                certificateIndex: index,
              }
            : {
                code: 'ERR_PATH_UNKNOWN_ISSUER',
                message: `No issuer found for ${current.subject} (issuer ${current.issuer})`,
                certificateIndex: index,
              },
        ],
      });
      return false;
    }
    for (const issuer of candidates) {
      const ok = current.verifySignedBy(issuer);
      const next = ok
        ? issues
        : [
            ...issues,
            {
              code: 'ERR_PATH_BAD_SIGNATURE',
              message: `The signature of ${current.subject} does not verify with the key of ${issuer.subject}`,
              certificateIndex: index,
            },
          ];
      if (walk([...chain, issuer], next)) return true;
    }
    return false;
  };
  walk([end], []);
  return best!;
}

function isCaCertificate(cert: Certificate): boolean {
  return cert.extensions.basicConstraints?.ca === true;
}

/**
 * Builds a path from `certificate` to an anchor in `trust` (through `intermediates`) and validates
 * it at `at` for `purpose`, checking revocation when a source is given. Never throws for a bad
 * chain: every problem is a coded entry in the report.
 * @example const report = await validatePath({ certificate, intermediates, trust, at: signingTime, purpose: 'document-signing', revocation });
 * @throws {CertificateParseError} ERR_CERT_PARSE only when a certificate given as bytes cannot be decoded
 */
export async function validatePath(options: ValidatePathOptions): Promise<PathValidationReport> {
  const end = toCertificate(options.certificate);
  const pool: Certificate[] = [];
  for (const input of options.intermediates ?? []) {
    try {
      pool.push(toCertificate(input));
    } catch {
      // An unreadable extra certificate cannot help build the path; the path decides the verdict.
    }
  }
  const at = options.at;
  const purpose = options.purpose ?? 'any';
  const built = buildPath(end, pool, options.trust, at);
  const chain = built.chain;
  const errors: PathIssue[] = [...built.issues];
  const warnings: PathIssue[] = [];
  const last = chain.length - 1;

  chain.forEach((cert, i) => {
    if (at.getTime() > cert.notAfter.getTime())
      errors.push({
        code: 'ERR_PATH_EXPIRED',
        message: `${cert.subject} expired at ${cert.notAfter.toISOString()}`,
        certificateIndex: i,
      });
    if (at.getTime() < cert.notBefore.getTime())
      errors.push({
        code: 'ERR_PATH_NOT_YET_VALID',
        message: `${cert.subject} is valid from ${cert.notBefore.toISOString()}`,
        certificateIndex: i,
      });
    const unknownCritical = cert.extensions.all.filter(
      (e) => e.critical && !understoodExtensions.has(e.oid),
    );
    for (const e of unknownCritical)
      errors.push({
        code: 'ERR_PATH_CRITICAL_EXTENSION',
        message: `${cert.subject} has the critical extension ${e.oid}, which is not processed`,
        certificateIndex: i,
      });
    const isAnchor = built.anchored && i === last;
    if (!isAnchor && signatureAlgorithmInfo(cert.signatureAlgorithm).deprecated)
      warnings.push({
        code: 'ERR_PATH_WEAK_ALGORITHM',
        message: `${cert.subject} is signed with ${cert.signatureAlgorithm}`,
        certificateIndex: i,
      });
    if (i > 0) {
      // An issuing certificate: must be a CA allowed to sign certificates (RFC 5280 6.1.4 (k), (n)).
      const bc = cert.extensions.basicConstraints;
      const caRequired = !isAnchor || bc !== undefined || cert.version === 3;
      if (caRequired && !isCaCertificate(cert))
        errors.push({
          code: 'ERR_PATH_NOT_CA',
          message: `${cert.subject} issues certificates but is not a CA (basicConstraints CA:false or absent)`,
          certificateIndex: i,
        });
      const ku = cert.extensions.keyUsage;
      if (ku !== undefined && !ku.includes('keyCertSign'))
        errors.push({
          code: 'ERR_PATH_KEY_USAGE',
          message: `${cert.subject} lacks keyCertSign`,
          certificateIndex: i,
        });
      // pathLenConstraint counts the non-self-issued intermediates below this CA (6.1.4 (l), (m)).
      const limit = bc?.pathLength;
      if (limit !== undefined) {
        let below = 0;
        for (let k = 1; k < i; k++) if (!chain[k]!.isSelfIssued) below++;
        if (below > limit)
          errors.push({
            code: 'ERR_PATH_LENGTH',
            message: `${cert.subject} allows ${limit} intermediate(s) below it; the path has ${below}`,
            certificateIndex: i,
          });
      }
    }
  });

  if (purpose !== 'any') {
    const ku = end.extensions.keyUsage;
    if (ku !== undefined && !purposeKeyUsage[purpose].some((u) => ku.includes(u)))
      errors.push({
        code: 'ERR_PATH_KEY_USAGE',
        message: `${end.subject}'s key usage (${ku.join(', ')}) does not allow ${purpose}`,
        certificateIndex: 0,
      });
    const eku = end.extensions.extendedKeyUsage;
    // Time-stamping and OCSP signing need the EKU (RFC 3161 2.3, RFC 6960 4.2.2.2); others accept its absence.
    const ekuRequired = purpose === 'time-stamping' || purpose === 'ocsp-signing';
    const allowed = purposeEku[purpose];
    if (
      eku === undefined
        ? ekuRequired
        : !eku.includes(pkixOids.anyExtendedKeyUsage) && !allowed.some((o) => eku.includes(o))
    )
      errors.push({
        code: 'ERR_PATH_EKU',
        message: `${end.subject}'s extended key usage does not allow ${purpose}`,
        certificateIndex: 0,
      });
  }

  // Revocation of every certificate but the anchor (RFC 5280 6.1.3 (a)(3)).
  let revocation: PathValidationReport['revocation'] = 'not-checked';
  let revokedAt: Date | undefined;
  let revocationReason: RevocationReason | undefined;
  const details: RevocationStatus[] = [];
  const toCheck = built.anchored ? last : chain.length - 1;
  if (options.revocation !== undefined && toCheck > 0) {
    let anyUnknown = false;
    for (let i = 0; i < toCheck; i++) {
      const cert = chain[i]!;
      const issuer = chain[i + 1]!;
      // RFC 6960 4.2.2.2.1: a responder certificate with id-pkix-ocsp-nocheck is not checked.
      if (
        cert.extensions.ocspNoCheck &&
        cert.extensions.extendedKeyUsage?.includes(pkixOids.kpOcspSigning) === true
      )
        continue;
      let status: RevocationStatus;
      try {
        status = await options.revocation.check(cert, issuer, at);
      } catch (err) {
        status = {
          status: 'unknown',
          issues: [
            {
              code: 'ERR_PATH_REVOCATION_UNKNOWN',
              message: err instanceof Error ? err.message : String(err),
            },
          ],
        };
      }
      details.push(status);
      if (status.status === 'revoked') {
        errors.push({
          code: status.source === 'ocsp' ? 'ERR_PATH_REVOKED_OCSP' : 'ERR_PATH_REVOKED_CRL',
          message: `${cert.subject} was revoked at ${status.revokedAt.toISOString()}${status.reason ? ` (${status.reason})` : ''}`,
          certificateIndex: i,
        });
        if (revokedAt === undefined) {
          revokedAt = status.revokedAt;
          revocationReason = status.reason;
        }
      } else if (status.status === 'unknown') {
        anyUnknown = true;
        const why = status.issues.map((x) => `${x.code}: ${x.message}`).join('; ');
        const issue = {
          code: 'ERR_PATH_REVOCATION_UNKNOWN',
          message: `Revocation status of ${cert.subject} unknown (${why})`,
          certificateIndex: i,
        };
        (options.revocationRequired === true ? errors : warnings).push(issue);
      }
    }
    revocation = revokedAt !== undefined ? 'revoked' : anyUnknown ? 'unknown' : 'good';
  } else if (options.revocation === undefined && options.revocationRequired === true) {
    errors.push({
      code: 'ERR_PATH_REVOCATION_UNKNOWN',
      message: 'Revocation checking is required but no source was given',
    });
  }

  const trusted = built.anchored && !errors.some((e) => e.code === 'ERR_PATH_BAD_SIGNATURE');
  const status: PathValidationReport['status'] =
    errors.length === 0
      ? 'valid'
      : errors.every((e) => indeterminateCodes.has(e.code))
        ? 'indeterminate'
        : 'invalid';
  return {
    status,
    chain,
    trusted,
    revocation,
    ...(revokedAt === undefined ? {} : { revokedAt }),
    ...(revocationReason === undefined ? {} : { revocationReason }),
    ...(details.length === 0 ? {} : { revocationDetails: details }),
    errors,
    warnings,
  };
}
