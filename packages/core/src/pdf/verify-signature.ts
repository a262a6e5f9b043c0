/**
 * One PDF signature's cryptography, time and trust (ISO 32000-1 §12.8.3.3, ETSI EN 319 142-1 and
 * EN 319 102-1; pdf-signing.md §3.8 steps 4-6): the CMS over the ByteRange digest (verified over
 * the bytes as received), the PAdES baseline attributes, signature and document time-stamps, and
 * path validation at the best proven time with revocation from embedded data or a source.
 * @module
 */
import { verifyCms, type ParsedCms } from '../cms/index.js';
import { digest, type HashAlgorithm, type SignatureAlgorithm } from '../crypto/index.js';
import { GovTrustError } from '../errors/index.js';
import { concatBytes } from '../internal/bytes.js';
import {
  createCompositeRevocationSource,
  createEmbeddedRevocationSource,
  parseTimestampToken,
  validatePath,
  verifyTimestampToken,
  type Certificate,
  type PathValidationReport,
  type RevocationSource,
  type TimestampReport,
  type TrustStore,
} from '../pki/index.js';
import { SEAL_ATTRIBUTE_OID } from '../seal/index.js';
import type { ValidationData } from './verify-ltv.js';
import type { Findings } from './verify-report.js';

/** Validation context shared by every signature of one file. */
export interface SignatureContext {
  readonly trust: TrustStore;
  readonly now: Date;
  readonly revocation: RevocationSource | undefined;
  readonly dss: ValidationData;
  /** Extra certificates for path building (the caller's, then /DSS). */
  readonly intermediates: readonly Uint8Array[];
  readonly allowWeakAlgorithms: boolean;
  readonly revocationRequired: boolean;
}

/** What the CMS checks established. */
export interface CmsOutcome {
  readonly intact: boolean;
  readonly algorithm: SignatureAlgorithm | null;
  readonly signer: Certificate | undefined;
  /** Signed attributes, ESS signing certificate, no signing-time: the PAdES B-B attribute profile. */
  readonly padesAttributes: boolean;
  readonly claimedTime: Date | undefined;
  readonly timestamp: TimestampOutcome | undefined;
  /** The GB/T 38540 seal the CMS carries as a signed attribute (bytes as received), if any. */
  readonly sealDer: Uint8Array | undefined;
}

/** A verified time-stamp token. */
export interface TimestampOutcome {
  readonly time: Date;
  readonly tsa: string;
  /** Imprint, signature, ESS binding and EKU check out, and the TSA chains to a trust anchor. */
  readonly valid: boolean;
  /** Imprint and signature check out (trust aside): enough for the PAdES level. */
  readonly cryptoValid: boolean;
  readonly report: TimestampReport | undefined;
}

/** Largest ByteRange copied for the rare signature without signed attributes over EdDSA or SM2. */
const MAX_INLINE_CONTENT = 256 * 1024 * 1024;

/** Records a weak algorithm: indeterminate by default, a warning when the policy allows it. */
export function flagWeak(ctx: SignatureContext, f: Findings, message: string): void {
  if (ctx.allowWeakAlgorithms) f.warn('ERR_PDF_WEAK_ALGORITHM', message);
  else f.indeterminate('ERR_PDF_WEAK_ALGORITHM', message);
}

/** Verifies a time-stamp token over `imprintOf` bytes; tolerant of tokens that do not parse. */
export async function checkTimestamp(
  ctx: SignatureContext,
  token: Uint8Array,
  digestFor: (algorithm: HashAlgorithm) => Uint8Array | undefined,
  revocation: RevocationSource | undefined,
): Promise<TimestampOutcome | { error: string }> {
  let hashAlgorithm: HashAlgorithm | null;
  try {
    hashAlgorithm = parseTimestampToken(token).hashAlgorithm;
  } catch (err) {
    if (err instanceof GovTrustError) return { error: `${err.code}: ${err.message}` };
    throw err;
  }
  if (hashAlgorithm === null) return { error: 'the time-stamp uses an unsupported hash algorithm' };
  const imprint = digestFor(hashAlgorithm);
  if (imprint === undefined) return { error: 'the time-stamped bytes could not be read' };
  let report: TimestampReport;
  try {
    report = await verifyTimestampToken(token, {
      digest: imprint,
      hashAlgorithm,
      trust: ctx.trust,
      intermediates: ctx.intermediates,
      now: ctx.now,
      ...(revocation === undefined ? {} : { revocation }),
    });
  } catch (err) {
    if (err instanceof GovTrustError) return { error: `${err.code}: ${err.message}` };
    throw err;
  }
  const cryptoValid = report.errors.every((e) => e.code === 'ERR_TSP_UNTRUSTED');
  return { time: report.time, tsa: report.tsa, valid: report.valid, cryptoValid, report };
}

/** A revocation source over the embedded data plus the caller's. */
export function revocationFor(
  ctx: SignatureContext,
  embedded: ValidationData,
): RevocationSource | undefined {
  const crls = [...embedded.crls, ...ctx.dss.crls];
  const ocspResponses = [...embedded.ocsps, ...ctx.dss.ocsps];
  const sources: RevocationSource[] = [];
  if (crls.length + ocspResponses.length > 0)
    sources.push(createEmbeddedRevocationSource({ crls, ocspResponses }));
  if (ctx.revocation !== undefined) sources.push(ctx.revocation);
  if (sources.length === 0) return undefined;
  return sources.length === 1 ? sources[0] : createCompositeRevocationSource(sources);
}

/**
 * Checks the CMS of an `adbe.pkcs7.detached` or `ETSI.CAdES.detached` signature against the
 * ByteRange digest (`rangeDigest`), plus its PAdES attributes and signature time-stamps.
 */
export async function checkCms(
  ctx: SignatureContext,
  f: Findings,
  cms: ParsedCms,
  subFilter: string,
  ranges: readonly (readonly [number, number])[] | undefined,
  file: Uint8Array,
  rangeDigest: { algorithm: HashAlgorithm; value: Uint8Array } | undefined,
  revocation: RevocationSource | undefined,
): Promise<CmsOutcome> {
  const cades = subFilter === 'ETSI.CAdES.detached';
  // Verify against the ByteRange only, never against content the CMS carries itself.
  const detached: ParsedCms = { ...cms, encapsulatedContent: undefined };
  const noAttributes = cms.signedAttributesDer === undefined;
  const inline =
    noAttributes &&
    (cms.signatureAlgorithm === 'ed25519' || cms.signatureAlgorithm === 'sm2-sm3') &&
    ranges !== undefined &&
    ranges.reduce((n, [s, e]) => n + e - s, 0) <= MAX_INLINE_CONTENT
      ? concatBytes(...ranges.map(([s, e]) => file.subarray(s, e)))
      : undefined;
  const v = verifyCms(detached, {
    ...(inline !== undefined ? { content: inline } : {}),
    ...(rangeDigest === undefined || inline !== undefined
      ? {}
      : {
          digestFromStream: (algorithm: HashAlgorithm) =>
            algorithm === rangeDigest.algorithm
              ? rangeDigest.value
              : digest(
                  algorithm,
                  concatBytes(...(ranges ?? []).map(([s, e]) => file.subarray(s, e))),
                ),
        }),
  });
  for (const e of v.errors) {
    if (e.code === 'ERR_CMS_NO_CONTENT' && ranges === undefined) continue; // the ByteRange error says why
    if (e.code === 'ERR_CMS_ALG_NOT_SUPPORTED') f.indeterminate(e.code, e.message);
    else f.invalid(e.code, e.message);
  }
  let padesAttributes = cades && !noAttributes;
  for (const w of v.warnings) {
    if (w.code === 'ERR_CMS_WEAK_ALGORITHM') flagWeak(ctx, f, w.message);
    else {
      f.warn(w.code, w.message);
      if (w.code === 'ERR_CMS_SIGNING_CERT_MISSING') padesAttributes = false;
    }
  }
  const key = v.signerCertificate?.publicKey;
  if (key !== undefined && (key.type === 'rsa' || key.type === 'rsa-pss') && key.sizeBits < 2048)
    flagWeak(ctx, f, `The signer's RSA key has ${key.sizeBits} bits`);
  if (cades) {
    if (noAttributes)
      f.invalid('ERR_PDF_NOT_PADES', 'ETSI.CAdES.detached requires signed attributes');
    if (cms.signingTime !== undefined) {
      padesAttributes = false;
      f.warn(
        'ERR_PDF_NOT_PADES',
        'The CMS carries a signing-time attribute, which PAdES forbids (the claimed time belongs in /M)',
      );
    }
  }

  // Signature time-stamps: the imprint covers the signature value (RFC 3161 appendix A).
  let timestamp: TimestampOutcome | undefined;
  for (const token of cms.timestampTokens.slice(0, 4)) {
    const t = await checkTimestamp(
      ctx,
      token,
      (alg) => digest(alg, cms.signatureValue),
      revocation,
    );
    if ('error' in t) {
      f.warn('ERR_PDF_TIMESTAMP_INVALID', `The signature time-stamp cannot be used: ${t.error}`);
      continue;
    }
    const why = t.report?.errors.map((e) => `${e.code}: ${e.message}`).join('; ') ?? '';
    if (!t.valid)
      f.warn(
        'ERR_PDF_TIMESTAMP_INVALID',
        t.cryptoValid
          ? `The signature time-stamp verifies, but its authority is not trusted (${why}): its time proves nothing`
          : `The signature time-stamp does not verify: ${why}`,
      );
    for (const w of t.report?.warnings ?? []) f.warn(w.code, `Signature time-stamp: ${w.message}`);
    if (timestamp === undefined || (t.valid && !timestamp.valid)) timestamp = t;
  }

  // The GB/T 38540 seal bound as a signed attribute (docs/seal-binding.md): exactly one value.
  const sealAttributes = cms.signedAttributes.filter((a) => a.oid === SEAL_ATTRIBUTE_OID);
  const sealValues = sealAttributes.flatMap((a) => a.values);
  if (sealAttributes.length > 1 || sealValues.length > 1)
    f.invalid('ERR_SEAL_ATTRIBUTE', 'The signature carries more than one seal');

  return {
    intact: v.intact && ranges !== undefined,
    algorithm: v.algorithm,
    signer: v.signerCertificate,
    padesAttributes,
    claimedTime: cms.signingTime,
    timestamp,
    sealDer: sealValues.length === 1 ? sealValues[0] : undefined,
  };
}

/** Path validation of the signer at `at`, mapped to findings (ETSI EN 319 102-1 sub-indications). */
export async function checkTrust(
  ctx: SignatureContext,
  f: Findings,
  signer: Certificate,
  intermediates: readonly Uint8Array[],
  at: Date,
  proven: boolean,
  revocation: RevocationSource | undefined,
): Promise<PathValidationReport> {
  const path = await validatePath({
    certificate: signer,
    intermediates: [...intermediates, ...ctx.intermediates],
    trust: ctx.trust,
    at,
    purpose: 'document-signing',
    ...(revocation === undefined ? {} : { revocation }),
    revocationRequired: ctx.revocationRequired,
  });
  for (const e of path.errors) {
    const message = `${e.message}${proven ? '' : ' (checked at the validation time: no time-stamp proves when it was signed)'}`;
    switch (e.code) {
      case 'ERR_PATH_UNKNOWN_ISSUER':
      case 'ERR_PATH_UNTRUSTED_ROOT':
      case 'ERR_PATH_REVOCATION_UNKNOWN':
      case 'ERR_PATH_TOO_LONG':
        f.indeterminate(e.code, e.message);
        break;
      case 'ERR_PATH_EXPIRED':
      case 'ERR_PATH_NOT_YET_VALID':
      case 'ERR_PATH_REVOKED_CRL':
      case 'ERR_PATH_REVOKED_OCSP':
        // With a proven signing time the certificate was unusable then: invalid. Without one,
        // it may have been fine when signed (ETSI: OUT_OF_BOUNDS_NO_POE, REVOKED_NO_POE).
        if (proven) f.invalid(e.code, message);
        else f.indeterminate(e.code, message);
        break;
      default:
        f.invalid(e.code, e.message);
    }
  }
  for (const w of path.warnings) f.warn(w.code, w.message);
  return path;
}
