/**
 * GovTrust's binding of GB/T 38540 seals to PDF signatures (docs/seal-binding.md; GB/T 38540 defines
 * none): the seal carried in the PAdES CMS, and the compatibility mode with a raw V4 SES_Signature in
 * /Contents whose dataHash is SM3 of the ByteRange bytes. What a verifier checks on each.
 * @module
 */
import type { SignatureAlgorithm } from '../crypto/index.js';
import { GovTrustError } from '../errors/index.js';
import { equalBytes } from '../internal/bytes.js';
import type { Certificate, RevocationSource, TrustStore } from '../pki/index.js';
import { readCertificate, type CertificateSummary } from './certificates.js';
import type { SealVersion, SesSeal } from './model.js';
import { IssueList, statusOf, type ReportIssue, type VerificationStatus } from './report.js';
import { parseSeal } from './seal.js';
import { parseSesSignature } from './ses-signature.js';
import { verifySeal, type SealReport } from './verify-seal.js';
import { verifySesSignature } from './verify-ses-signature.js';

/**
 * The /SubFilter of a compatibility-mode seal signature: /Contents holds a DER GB/T 38540 V4
 * `SES_Signature` (not a CMS) with `dataHash` = SM3 of the ByteRange bytes. `GM.sm2seal` is the one
 * name public vendor code uses for exactly this layout (国脉 Gomain's iText-based signer and
 * verifier); a PAdES validator does not know it and reports the signature as unsupported instead
 * of parsing the bytes as a broken CMS. See docs/seal-binding.md for the choice.
 */
export const PDF_SES_SUBFILTER = 'GM.sm2seal';

/**
 * The /Filter written with `PDF_SES_SUBFILTER`: the preferred handler for validating it (ISO
 * 32000-1 Table 252), as the same vendor code writes it. /Prop_Build names GovTrust as the creator.
 */
export const PDF_SES_FILTER = 'Gomain.GMPkiLite';

/** A seal's lifecycle state as a seal registry knows it (停用, 挂失, 注销, 吊销). */
export type SealLifecycleStatus = 'active' | 'suspended' | 'lost' | 'cancelled' | 'revoked';

/** What a seal status source says about one seal. */
export interface SealStatusInfo {
  /** `unknown` when the source does not know the seal. */
  readonly status: SealLifecycleStatus | 'unknown';
  /** When the seal entered this state (undefined: unknown, treated as "before the signing time"). */
  readonly since?: Date;
  readonly reason?: string;
}

/** Where a verifier learns whether a seal was suspended, lost, cancelled or revoked (e.g. the seal service's public status endpoint). */
export interface SealStatusSource {
  /** The seal's state as known at `at`. Rejections are reported as ERR_SEAL_STATUS_UNKNOWN. */
  check(seal: SesSeal, at: Date): Promise<SealStatusInfo>;
}

/** The `seal` object of a PDF verification report (DESIGN.md section 4). */
export interface SealBindingSummary {
  readonly esID: string;
  readonly name: string;
  /** Seal type code (see `sealTypes`). */
  readonly type: number;
  /** Every seal check of the binding passed (`status === 'valid'`). */
  readonly valid: boolean;
  /** The verdict on the seal alone (maker, validity at the signing time, certList, status). */
  readonly status: VerificationStatus;
  /** ISO 8601. */
  readonly validFrom: string;
  readonly validTo: string;
  /** As written in the seal ("PNG", "SVG"...). */
  readonly pictureType: string;
  readonly pictureWidthMm?: number;
  readonly pictureHeightMm?: number;
  readonly version: SealVersion;
  readonly maker: CertificateSummary | null;
  readonly makerSignatureValid: boolean;
  /** The maker certificate chains to a trust anchor. */
  readonly trusted: boolean;
  /** Whether the signer certificate is in the seal's certList. */
  readonly signerInCertList: boolean;
  /** The seal's lifecycle state from the status source, or `not-checked` without one. */
  readonly lifecycle: SealLifecycleStatus | 'unknown' | 'not-checked';
  /** True when the maker used SM2-with-SM3 (GB/T 38540); RSA/ECDSA seals are non-standard. */
  readonly standard: boolean;
}

/** Options of `checkSealBinding` (CONTRACTS.md, "Seal binding in PDFs"). */
export interface CheckSealBindingOptions {
  /** The seal attribute's value, bytes as received. */
  readonly sealDer: Uint8Array;
  /** The CMS signer's certificate. */
  readonly signerCertificate: Certificate;
  /** Best proven signing time: the signature time-stamp's genTime, else /M. */
  readonly signingTime: Date;
  /**
   * True when `signingTime` is proven (a verified signature time-stamp). Then a seal that expired,
   * or changed status, after that time is only a warning; otherwise the claimed time cannot be
   * relied on and the seal must still be valid and active at `now`.
   */
  readonly signingTimeProven?: boolean;
  readonly trust?: TrustStore;
  /** Validation time (default now). */
  readonly now?: Date;
  /** Revocation source for the maker's certificate path. */
  readonly revocation?: RevocationSource;
  /** Intermediate CA certificates (DER) for the maker's path, e.g. the CMS certificates. */
  readonly intermediates?: readonly Uint8Array[];
  /** Where the seal's lifecycle state comes from; without it a warning says it was not checked. */
  readonly sealStatus?: SealStatusSource;
}

/** The verdict on the seal a PAdES signature carries. */
export interface SealBindingReport {
  readonly status: VerificationStatus;
  readonly seal: SealBindingSummary;
  readonly errors: readonly ReportIssue[];
  readonly warnings: readonly ReportIssue[];
}

/** Options of `verifyPdfSesSignature` (CONTRACTS.md, "Seal binding in PDFs"). */
export interface VerifyPdfSesSignatureOptions {
  /** The /Contents bytes (trailing zero padding allowed). */
  readonly contents: Uint8Array;
  /** SM3 over the ByteRange bytes, streamed by the caller. */
  readonly byteRangeDigest: Uint8Array;
  readonly trust?: TrustStore;
  /** Validation time (default now). */
  readonly now?: Date;
  readonly revocation?: RevocationSource;
  readonly intermediates?: readonly Uint8Array[];
  /** The signature dictionary's /ByteRange: when given, `propertyInfo` is compared with it. */
  readonly byteRange?: readonly number[];
  readonly sealStatus?: SealStatusSource;
}

/** The verdict on a compatibility-mode seal signature. */
export interface PdfSesSignatureReport {
  readonly status: VerificationStatus;
  /** The signature over TBS_Sign verifies and `dataHash` equals the ByteRange digest. */
  readonly intact: boolean;
  readonly signatureValid: boolean;
  readonly dataHashValid: boolean;
  readonly signerCertificate?: Certificate;
  readonly algorithm: SignatureAlgorithm | null;
  /** TBS_Sign.timeInfo: the time the signer claims. */
  readonly signingTime?: Date;
  /** Signer and seal-maker paths both chain to a trust anchor. */
  readonly trusted: boolean;
  readonly revocation: 'good' | 'revoked' | 'unknown' | 'not-checked';
  readonly propertyInfo?: string;
  readonly seal: SealBindingSummary | null;
  readonly errors: readonly ReportIssue[];
  readonly warnings: readonly ReportIssue[];
}

/** @internal The propertyInfo GovTrust writes in a compatibility-mode TBS_Sign: the ByteRange in PDF syntax. */
export function pdfSesPropertyInfo(byteRange: readonly number[]): string {
  return `/ByteRange [${byteRange.join(' ')}]`;
}

/** Applies the seal status source's answer to `issues`; returns the lifecycle state. */
async function checkLifecycle(
  seal: SesSeal,
  source: SealStatusSource | undefined,
  signingTime: Date,
  proven: boolean,
  now: Date,
  issues: IssueList,
): Promise<SealBindingSummary['lifecycle']> {
  if (source === undefined) {
    issues.warn(
      'ERR_SEAL_STATUS_NOT_CHECKED',
      'No seal status source was given: suspension, loss and revocation of the seal were not checked',
    );
    return 'not-checked';
  }
  let info: SealStatusInfo;
  try {
    info = await source.check(seal, now);
  } catch (err) {
    issues.error(
      'ERR_SEAL_STATUS_UNKNOWN',
      `The seal status source failed: ${err instanceof Error ? err.message : String(err)}`,
    );
    return 'unknown';
  }
  if (info.status === 'unknown') {
    issues.error(
      'ERR_SEAL_STATUS_UNKNOWN',
      `The status source does not know seal ${seal.sealInfo.esID}`,
    );
    return 'unknown';
  }
  if (info.status !== 'active') {
    const since = info.since;
    const what = `The seal is ${info.status}${since === undefined ? '' : ` since ${since.toISOString()}`}${info.reason === undefined ? '' : ` (${info.reason})`}`;
    // After a proven signing time the signature stands, as with certificate revocation; a claimed
    // time (/M, timeInfo) could be back-dated by whoever holds a lost seal's key.
    if (since !== undefined && since > signingTime && proven)
      issues.warn(
        'ERR_SEAL_STATUS_CHANGED_AFTER_SIGNING',
        `${what}, after the proven signing time`,
      );
    else issues.error('ERR_SEAL_STATUS_INACTIVE', what);
  }
  return info.status;
}

function summarize(
  seal: SesSeal,
  report: SealReport,
  lifecycle: SealBindingSummary['lifecycle'],
  sealErrors: readonly ReportIssue[],
): SealBindingSummary {
  const status = statusOf(sealErrors);
  const picture = seal.sealInfo.picture;
  return {
    esID: report.esID,
    name: report.name,
    type: report.type,
    valid: status === 'valid',
    status,
    validFrom: report.validFrom,
    validTo: report.validTo,
    pictureType: picture.type,
    ...(picture.width > 0 ? { pictureWidthMm: picture.width } : {}),
    ...(picture.height > 0 ? { pictureHeightMm: picture.height } : {}),
    version: seal.version,
    maker: report.maker,
    makerSignatureValid: report.makerSignatureValid,
    trusted: report.trusted,
    signerInCertList: report.signerInCertList === true,
    lifecycle,
    standard: report.standard,
  };
}

/**
 * Checks the GB/T 38540 seal a PAdES signature carries in its seal attribute (`SEAL_ATTRIBUTE_OID`):
 * the maker's signature over the seal as received, the maker's certificate path (with `trust`), that
 * the CMS signer's certificate is in the seal's certList, that the seal was valid at the signing
 * time, and the seal's lifecycle state. The CMS signature itself is the caller's to verify.
 * @example const r = await checkSealBinding({ sealDer: attr.values[0], signerCertificate: cms.signerCertificate, signingTime, trust });
 * @throws {SealParseError} ERR_SEAL_PARSE when `sealDer` is not a seal (the caller reports that code)
 * @throws {SealVersionError} ERR_SEAL_HEADER / ERR_SEAL_VERSION for an unsupported seal header
 */
export async function checkSealBinding(
  options: CheckSealBindingOptions,
): Promise<SealBindingReport> {
  const seal = parseSeal(options.sealDer);
  const now = options.now ?? new Date();
  const proven = options.signingTimeProven === true;
  const { signingTime } = options;
  const report = await verifySeal(seal, {
    now,
    signingTime,
    signerCertificate: options.signerCertificate.der,
    ...(options.trust === undefined ? {} : { trust: options.trust }),
    ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
    ...(options.intermediates === undefined ? {} : { intermediates: options.intermediates }),
  });
  const issues = new IssueList();
  for (const e of report.errors) {
    // The binding is judged at the signing time; once that time is proven, the seal's end of
    // validity since then does not undo the signature (as for certificates in PAdES LTV).
    if (e.code === 'ERR_SEAL_EXPIRED' && proven) issues.warn(e.code, e.message);
    else issues.error(e.code, e.message);
  }
  for (const w of report.warnings) issues.warn(w.code, w.message);
  if (signingTime > now) {
    issues.error(
      'ERR_SEAL_SIGNED_AFTER_VALIDATION_TIME',
      `The signing time ${signingTime.toISOString()} is after the validation time ${now.toISOString()}`,
    );
  }
  const lifecycle = await checkLifecycle(
    seal,
    options.sealStatus,
    signingTime,
    proven,
    now,
    issues,
  );
  return {
    status: statusOf(issues.errors),
    seal: summarize(seal, report, lifecycle, issues.errors),
    errors: issues.errors,
    warnings: issues.warnings,
  };
}

/** The DER element at the start of /Contents and whether anything but zeros follows it. */
function stripPadding(contents: Uint8Array): { der: Uint8Array; trailing: boolean } | string {
  if (contents.length < 2 || contents[0] !== 0x30)
    return '/Contents does not start with a DER SEQUENCE';
  const first = contents[1]!;
  let length: number;
  let header: number;
  if (first < 0x80) {
    length = first;
    header = 2;
  } else {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || contents.length < 2 + n)
      return '/Contents has an indefinite or oversized DER length';
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + contents[2 + i]!;
    header = 2 + n;
  }
  const end = header + length;
  if (end > contents.length) return '/Contents is shorter than its DER length says (truncated)';
  let trailing = false;
  for (let i = end; i < contents.length; i++) {
    if (contents[i] !== 0) {
      trailing = true;
      break;
    }
  }
  return { der: contents.subarray(0, end), trailing };
}

function unreadable(code: string, message: string): PdfSesSignatureReport {
  return {
    status: 'invalid',
    intact: false,
    signatureValid: false,
    dataHashValid: false,
    algorithm: null,
    trusted: false,
    revocation: 'not-checked',
    seal: null,
    errors: [{ code, message }],
    warnings: [],
  };
}

/**
 * Verifies a compatibility-mode PDF seal signature (`PDF_SES_SUBFILTER`): /Contents is a GB/T 38540
 * SES_Signature; checks the signer's signature over TBS_Sign as received, `dataHash` against the
 * SM3 digest of the ByteRange bytes, the signer certificate (validity at `now`, path with `trust`),
 * the embedded seal (maker signature and path, valid at the signing time, signer in its certList,
 * lifecycle state). Never throws for bad /Contents: an unreadable one is an `invalid` report.
 * @example const r = await verifyPdfSesSignature({ contents, byteRangeDigest: sm3OfByteRange, trust });
 */
export async function verifyPdfSesSignature(
  options: VerifyPdfSesSignatureOptions,
): Promise<PdfSesSignatureReport> {
  const stripped = stripPadding(options.contents);
  if (typeof stripped === 'string') return unreadable('ERR_SEAL_SIGNATURE_PARSE', stripped);
  let sig;
  try {
    sig = parseSesSignature(stripped.der);
  } catch (err) {
    if (err instanceof GovTrustError) return unreadable(err.code, err.message);
    throw err;
  }
  const now = options.now ?? new Date();
  const tbs = sig.toSign;
  const report = await verifySesSignature(sig, {
    now,
    ...(options.trust === undefined ? {} : { trust: options.trust }),
    ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
    ...(options.intermediates === undefined ? {} : { intermediates: options.intermediates }),
  });
  const issues = new IssueList();
  issues.merge(report);
  if (stripped.trailing) {
    issues.error(
      'ERR_SEAL_CONTENTS_TRAILING_DATA',
      '/Contents holds non-zero bytes after the SES_Signature (unsigned data)',
    );
  }
  const dataHashValid = equalBytes(tbs.dataHash, options.byteRangeDigest);
  if (!dataHashValid) {
    issues.error(
      'ERR_SEAL_DATA_HASH_MISMATCH',
      'dataHash is not the SM3 digest of the ByteRange bytes (the document was changed)',
    );
  }
  if (
    options.byteRange !== undefined &&
    tbs.propertyInfo !== pdfSesPropertyInfo(options.byteRange)
  ) {
    issues.warn(
      'ERR_SEAL_PROPERTY_INFO',
      `propertyInfo "${tbs.propertyInfo.slice(0, 80)}" does not name the ByteRange ${pdfSesPropertyInfo(options.byteRange)}`,
    );
  }
  const signingTime = tbs.signingTime;
  const sealIssues = new IssueList();
  const lifecycle = await checkLifecycle(
    tbs.seal,
    options.sealStatus,
    signingTime ?? now,
    false,
    now,
    sealIssues,
  );
  issues.merge(sealIssues);
  const cert = readCertificate(sig.signerCertificate);
  return {
    status: statusOf(issues.errors),
    intact: report.signatureValid && dataHashValid,
    signatureValid: report.signatureValid,
    dataHashValid,
    ...(typeof cert === 'string' ? {} : { signerCertificate: cert }),
    algorithm: report.algorithm,
    ...(signingTime === undefined ? {} : { signingTime }),
    trusted: report.trusted,
    revocation: report.revocation,
    propertyInfo: tbs.propertyInfo,
    seal: summarize(tbs.seal, report.seal, lifecycle, [
      ...report.seal.errors,
      ...sealIssues.errors,
    ]),
    errors: issues.errors,
    warnings: issues.warnings,
  };
}
