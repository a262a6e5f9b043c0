/**
 * Revocation sources for path validation (RFC 5280 clause 6.3 for CRLs, RFC 6960 for OCSP): given
 * CRLs (and CRLs fetched from distribution points), an OCSP client, data embedded in a document
 * (PAdES DSS / CMS revocation values), a composite, and an in-memory registry for CAs and tests.
 * @module
 */
import type { HashAlgorithm } from '../crypto/index.js';
import { GovTrustError, InvalidInputError } from '../errors/index.js';
import { Certificate } from './certificate.js';
import {
  Crl,
  normaliseSerial,
  parseCrl,
  type CrlEntryInput,
  type RevocationReason,
} from './crl.js';
import { buildOcspRequest, checkOcspResponse, parseOcspResponse } from './ocsp.js';
import type {
  CertificateStatus,
  CertificateStatusLookup,
  RevocationIssue,
  RevocationSource,
  RevocationStatus,
} from './revocation-types.js';
import { postBinary, readBounded } from './http.js';

function unknownStatus(issues: readonly RevocationIssue[]): RevocationStatus {
  return { status: 'unknown', issues };
}

/**
 * What a CRL says of a certificate at a time: the CRL must be signed by the issuer (name, key id,
 * signature, cRLSign) and be current at `at`, or newer than `at`. Never throws.
 */
export function checkCrl(
  crl: Crl,
  certificate: Certificate,
  issuer: Certificate,
  at: Date,
): RevocationStatus {
  const ku = issuer.extensions.keyUsage;
  if (ku !== undefined && !ku.includes('cRLSign'))
    return unknownStatus([
      { code: 'ERR_CRL_SIGNATURE_INVALID', message: `${issuer.subject} may not sign CRLs` },
    ]);
  if (!crl.verifySignedBy(issuer))
    return unknownStatus([
      {
        code: 'ERR_CRL_SIGNATURE_INVALID',
        message: `The CRL of ${crl.issuer} does not verify with ${issuer.subject}'s key`,
      },
    ]);
  if (crl.deltaCrlIndicator !== undefined || crl.unknownCriticalExtensions.length > 0)
    return unknownStatus([
      {
        code: 'ERR_CRL_STALE',
        message: 'Delta CRLs and CRLs with unprocessed critical extensions are not used',
      },
    ]);
  if (!crl.isCurrentAt(at))
    return unknownStatus([
      {
        code: 'ERR_CRL_STALE',
        message: `The CRL's nextUpdate ${crl.nextUpdate?.toISOString() ?? '(none)'} is before ${at.toISOString()}`,
      },
    ]);
  const entry = crl.find(certificate);
  if (
    entry !== undefined &&
    entry.revocationDate.getTime() <= at.getTime() &&
    entry.reason !== 'removeFromCRL'
  ) {
    return {
      status: 'revoked',
      source: 'crl',
      revokedAt: entry.revocationDate,
      ...(entry.reason === undefined ? {} : { reason: entry.reason }),
      evidence: crl.der,
      thisUpdate: crl.thisUpdate,
    };
  }
  return {
    status: 'good',
    source: 'crl',
    evidence: crl.der,
    thisUpdate: crl.thisUpdate,
    ...(crl.nextUpdate === undefined ? {} : { nextUpdate: crl.nextUpdate }),
  };
}

function pickCrlResult(
  crls: readonly Crl[],
  certificate: Certificate,
  issuer: Certificate,
  at: Date,
): RevocationStatus {
  const issues: RevocationIssue[] = [];
  // The newest CRL that speaks for this issuer wins; a revocation anywhere is decisive.
  const sorted = [...crls].sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime());
  let good: RevocationStatus | undefined;
  for (const crl of sorted) {
    const r = checkCrl(crl, certificate, issuer, at);
    if (r.status === 'revoked') return r;
    if (r.status === 'good') good ??= r;
    else issues.push(...r.issues);
  }
  return (
    good ??
    unknownStatus(
      issues.length > 0
        ? issues
        : [{ code: 'ERR_PATH_REVOCATION_UNKNOWN', message: `No CRL of ${issuer.subject}` }],
    )
  );
}

function toCrl(input: Crl | Uint8Array): Crl {
  return input instanceof Crl ? input : parseCrl(input);
}

/** Options of `createCrlRevocationSource`. */
export interface CrlRevocationSourceOptions {
  /** CRLs to use (DER or parsed). */
  readonly crls?: readonly (Crl | Uint8Array)[];
  /** Also download CRLs from the certificate's CRL distribution points (HTTP only). */
  readonly fetchDistributionPoints?: boolean;
  readonly timeoutMs?: number;
  /** Largest CRL downloaded (default 10 MiB). */
  readonly maxCrlBytes?: number;
  readonly fetch?: typeof fetch;
}

/**
 * A revocation source over CRLs: given ones, and optionally ones fetched from the certificate's
 * distribution points (cached per URL while current).
 * @throws {CrlParseError} ERR_CRL_PARSE when a given CRL cannot be decoded
 */
export function createCrlRevocationSource(
  options: CrlRevocationSourceOptions = {},
): RevocationSource {
  const given = (options.crls ?? []).map(toCrl);
  const cache = new Map<string, Crl>();
  const doFetch = options.fetch ?? fetch;
  return {
    async check(certificate, issuer, at) {
      const crls = [...given];
      const issues: RevocationIssue[] = [];
      if (options.fetchDistributionPoints === true) {
        for (const url of certificate.extensions.crlDistributionPoints ?? []) {
          if (!/^https?:\/\//i.test(url)) continue;
          const cached = cache.get(url);
          if (cached !== undefined && cached.isCurrentAt(new Date())) {
            crls.push(cached);
            continue;
          }
          try {
            const res = await doFetch(url, {
              signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
            });
            const crl = parseCrl(
              await readBounded(res, url, options.maxCrlBytes ?? 10 * 1024 * 1024),
            );
            cache.set(url, crl);
            crls.push(crl);
          } catch (err) {
            issues.push({
              code: err instanceof GovTrustError ? err.code : 'ERR_PKI_FETCH',
              message: err instanceof Error ? err.message : String(err),
            });
          }
        }
      }
      const r = pickCrlResult(crls, certificate, issuer, at);
      return r.status === 'unknown' ? unknownStatus([...r.issues, ...issues]) : r;
    },
  };
}

/** Options of `createOcspRevocationSource`. */
export interface OcspRevocationSourceOptions {
  /** Responder URL; default: the certificate's AIA OCSP URL. */
  readonly url?: string;
  readonly timeoutMs?: number;
  /** Send a nonce and require its echo (default true). */
  readonly nonce?: boolean;
  /** CertID hash (default sha1, which every responder understands). */
  readonly hashAlgorithm?: HashAlgorithm;
  readonly maxResponseBytes?: number;
  readonly fetch?: typeof fetch;
}

/**
 * A revocation source that asks an OCSP responder over HTTP POST (RFC 6960 appendix A.1).
 * Network failures and bad responses answer `unknown` with the reason; it never throws.
 */
export function createOcspRevocationSource(
  options: OcspRevocationSourceOptions = {},
): RevocationSource {
  const doFetch = options.fetch ?? fetch;
  return {
    async check(certificate, issuer, at) {
      const url =
        options.url ?? certificate.extensions.ocspUrls?.find((u) => /^https?:\/\//i.test(u));
      if (url === undefined)
        return unknownStatus([
          {
            code: 'ERR_PATH_REVOCATION_UNKNOWN',
            message: `${certificate.subject} names no OCSP responder`,
          },
        ]);
      try {
        const request = buildOcspRequest({
          certificate,
          issuer,
          nonce: options.nonce ?? true,
          ...(options.hashAlgorithm === undefined ? {} : { hashAlgorithm: options.hashAlgorithm }),
        });
        const body = await postBinary(
          doFetch,
          url,
          request.der,
          'application/ocsp-request',
          options.timeoutMs ?? 10_000,
          options.maxResponseBytes ?? 1024 * 1024,
        );
        return checkOcspResponse(parseOcspResponse(body), {
          certificate,
          issuer,
          at,
          ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
        });
      } catch (err) {
        return unknownStatus([
          {
            code: err instanceof GovTrustError ? err.code : 'ERR_PKI_FETCH',
            message: err instanceof Error ? err.message : String(err),
          },
        ]);
      }
    },
  };
}

/** Options of `createEmbeddedRevocationSource`. */
export interface EmbeddedRevocationData {
  /** DER CRLs (e.g. from a PAdES /DSS or CMS `crls`). */
  readonly crls?: readonly Uint8Array[];
  /** DER OCSPResponses (e.g. from a PAdES /DSS /OCSPs or CMS other revocation info). */
  readonly ocspResponses?: readonly Uint8Array[];
}

/**
 * A revocation source over data carried in a document: OCSP responses first, then CRLs.
 * Unreadable items are skipped and reported when nothing else answers; it never throws.
 */
export function createEmbeddedRevocationSource(data: EmbeddedRevocationData): RevocationSource {
  const crls: Crl[] = [];
  const parseIssues: RevocationIssue[] = [];
  for (const der of data.crls ?? []) {
    try {
      crls.push(parseCrl(der));
    } catch (err) {
      parseIssues.push({
        code: 'ERR_CRL_PARSE',
        message: err instanceof Error ? err.message : String(err),
      });
    }
  }
  const responses = (data.ocspResponses ?? []).flatMap((der) => {
    try {
      return [parseOcspResponse(der)];
    } catch (err) {
      parseIssues.push({
        code: 'ERR_OCSP_PARSE',
        message: err instanceof Error ? err.message : String(err),
      });
      return [];
    }
  });
  return {
    check(certificate, issuer, at) {
      const issues: RevocationIssue[] = [...parseIssues];
      for (const response of responses) {
        const r = checkOcspResponse(response, { certificate, issuer, at });
        if (r.status !== 'unknown') return Promise.resolve(r);
        issues.push(
          ...r.issues.filter((x) => x.message !== 'The response does not cover this certificate'),
        );
      }
      const r = pickCrlResult(crls, certificate, issuer, at);
      return Promise.resolve(r.status === 'unknown' ? unknownStatus([...issues, ...r.issues]) : r);
    },
  };
}

/**
 * A source that asks several in turn and returns the first definite answer (good or revoked);
 * `unknown` only when all are unknown, with every reason.
 */
export function createCompositeRevocationSource(
  sources: readonly RevocationSource[],
): RevocationSource {
  return {
    async check(certificate, issuer, at) {
      const issues: RevocationIssue[] = [];
      for (const source of sources) {
        let r: RevocationStatus;
        try {
          r = await source.check(certificate, issuer, at);
        } catch (err) {
          r = unknownStatus([
            {
              code: 'ERR_PATH_REVOCATION_UNKNOWN',
              message: err instanceof Error ? err.message : String(err),
            },
          ]);
        }
        if (r.status !== 'unknown') return r;
        issues.push(...r.issues);
      }
      return unknownStatus(
        issues.length > 0
          ? issues
          : [{ code: 'ERR_PATH_REVOCATION_UNKNOWN', message: 'No revocation source answered' }],
      );
    },
  };
}

/** An in-memory record of the certificates a CA issued and revoked: feeds an OCSP responder and CRLs. */
export interface CertificateStatusRegistry {
  /** Records an issued certificate (its serial then answers `good`). */
  add(certificate: Certificate): void;
  /**
   * Records a revocation.
   * @throws {InvalidInputError} ERR_INVALID_INPUT for a certificate the registry does not know
   */
  revoke(
    certificate: Certificate | { issuer: Certificate; serialNumber: string },
    options: { at: Date; reason?: RevocationReason },
  ): void;
  /** The status lookup for `createOcspResponder`. */
  readonly lookup: CertificateStatusLookup;
  /** The CRL entries of an issuer, for `createCrl` / `CrlIssuer.issue`. */
  crlEntries(issuer: Certificate): CrlEntryInput[];
}

/** A `CertificateStatusRegistry` held in memory (tests, demos, the dev PKI). */
export function createCertificateStatusRegistry(): CertificateStatusRegistry {
  const issued = new Map<string, { status: CertificateStatus }>();
  const key = (issuerSubject: string, serial: string): string =>
    `${issuerSubject}\u0000${normaliseSerial(serial)}`;
  return {
    add(certificate) {
      issued.set(key(certificate.issuer, certificate.serialNumber), { status: { status: 'good' } });
    },
    revoke(target, options) {
      const k =
        target instanceof Certificate
          ? key(target.issuer, target.serialNumber)
          : key(target.issuer.subject, target.serialNumber);
      const record = issued.get(k);
      if (record === undefined)
        throw new InvalidInputError('The registry does not know this certificate', {
          field: 'certificate',
        });
      record.status = {
        status: 'revoked',
        revokedAt: options.at,
        ...(options.reason === undefined ? {} : { reason: options.reason }),
      };
    },
    lookup: ({ issuer, serialNumber }) =>
      issued.get(key(issuer.subject, serialNumber))?.status ?? { status: 'unknown' },
    crlEntries(issuer) {
      const prefix = `${issuer.subject}\u0000`;
      const out: CrlEntryInput[] = [];
      for (const [k, v] of issued) {
        if (!k.startsWith(prefix) || v.status.status !== 'revoked') continue;
        out.push({
          serialNumber: k.slice(prefix.length),
          revocationDate: v.status.revokedAt,
          ...(v.status.reason === undefined ? {} : { reason: v.status.reason }),
        });
      }
      return out;
    },
  };
}
