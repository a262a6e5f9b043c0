/** Seal signature verification (GB/T 38540-2020 section 7.3): signature over TBS_Sign, signer certificate, certList, embedded seal, data hash. @module */
import {
  digest,
  signatureAlgorithmInfo,
  type HashAlgorithm,
  type SignatureAlgorithm,
} from '../crypto/index.js';
import { equalBytes } from '../internal/bytes.js';
import type { RevocationSource, TrustStore } from '../pki/index.js';
import {
  algorithmFromOid,
  readCertificate,
  summarizeCertificate,
  type CertificateSummary,
} from './certificates.js';
import type { SesSignature } from './model.js';
import { IssueList, statusOf, type ReportIssue, type VerificationStatus } from './report.js';
import { parseSesSignature } from './ses-signature.js';
import {
  checkCertificateTime,
  checkSignature,
  checkTrust,
  type TrustResult,
  verifySeal,
  type SealReport,
} from './verify-seal.js';

/** Options of `verifySesSignature`. */
export interface VerifySesSignatureOptions {
  /** Validation time (default: now). */
  readonly now?: Date;
  /** Trust anchors (DER); see `VerifySealOptions.trust`. */
  readonly trust?: TrustStore;
  readonly intermediates?: readonly Uint8Array[];
  /** Revocation source for both chains (signer and seal maker). */
  readonly revocation?: RevocationSource;
  /** The protected data: its hash must equal `dataHash` (SM3 for SM2 signatures). */
  readonly protectedData?: Uint8Array;
}

/** The verdict on one seal signature. */
export interface SesSignatureReport {
  readonly status: VerificationStatus;
  /** The signature over TBS_Sign verifies and, when data was given, `dataHash` matches it. */
  readonly intact: boolean;
  readonly signatureValid: boolean;
  /** Null when no protected data was given. */
  readonly dataHashValid: boolean | null;
  readonly trusted: boolean;
  readonly revocation: TrustResult['revocation'];
  readonly algorithm: SignatureAlgorithm | null;
  readonly signer: CertificateSummary | null;
  /** The signing time the signer claims (TBS_Sign.timeInfo), ISO 8601. */
  readonly signingTime: string | null;
  readonly propertyInfo: string;
  readonly hasTimeStamp: boolean;
  readonly seal: SealReport;
  readonly errors: readonly ReportIssue[];
  readonly warnings: readonly ReportIssue[];
}

/** The less reassuring of two revocation outcomes. */
function worstRevocation(
  a: TrustResult['revocation'],
  b: TrustResult['revocation'],
): TrustResult['revocation'] {
  const order = ['revoked', 'unknown', 'not-checked', 'good'] as const;
  return order[Math.min(order.indexOf(a), order.indexOf(b))]!;
}

/** The hash `dataHash` uses: SM3 for SM2 signatures (GB/T 38540 7.2), else the algorithm's hash. */
function dataHashAlgorithm(algorithm: SignatureAlgorithm | undefined): HashAlgorithm {
  const hash = algorithm === undefined ? null : signatureAlgorithmInfo(algorithm).hash;
  return hash ?? 'sm3';
}

/**
 * Verifies a seal signature: the signer's signature over TBS_Sign as received, the signer
 * certificate (validity at `now`, chain when `trust` is given), that it is in the seal's certList,
 * the embedded seal (valid at the signing time), version consistency, and `dataHash` against
 * `protectedData` when given.
 * @example const r = await verifySesSignature(signedValueDat, { protectedData: signatureXml });
 * @throws {SealParseError} ERR_SEAL_SIGNATURE_PARSE when given bytes that are not a seal signature
 */
export async function verifySesSignature(
  signature: SesSignature | Uint8Array,
  options: VerifySesSignatureOptions = {},
): Promise<SesSignatureReport> {
  const sig = signature instanceof Uint8Array ? parseSesSignature(signature) : signature;
  const now = options.now ?? new Date();
  const issues = new IssueList();
  const tbs = sig.toSign;

  // The embedded seal's quirks are reported by the seal check; these are the signature's own.
  const ownQuirks = sig.nonDer.filter((q) => !tbs.seal.nonDer.includes(q));
  if (ownQuirks.length > 0) {
    issues.warn(
      'ERR_SEAL_NOT_DER',
      `The seal signature is not strict DER (${ownQuirks.join('; ')}); verified over the bytes as received`,
    );
  }
  const algorithm = algorithmFromOid(sig.signatureAlgorithm);
  if (algorithm === undefined)
    issues.error('ERR_SEAL_ALGORITHM', `Unknown signature algorithm ${sig.signatureAlgorithm}`);
  else if (algorithm !== 'sm2-sm3')
    issues.warn(
      'ERR_SEAL_NON_STANDARD_ALGORITHM',
      `The seal signature uses ${algorithm}, not SM2-with-SM3`,
    );

  const parsed = readCertificate(sig.signerCertificate);
  const signer = typeof parsed === 'string' ? undefined : parsed;
  if (signer === undefined)
    issues.error(
      'ERR_SEAL_SIGNER_CERT',
      `The signer certificate cannot be read: ${parsed as string}`,
    );

  let signatureValid = false;
  let trust: TrustResult = { trusted: false, revocation: 'not-checked' };
  if (signer !== undefined) {
    signatureValid = checkSignature(
      algorithm,
      signer,
      tbs.der,
      sig.signatureValue,
      'ERR_SEAL_SIGNATURE_INVALID',
      'seal signature',
      issues,
    );
    checkCertificateTime(signer, 'signer', now, issues);
    trust = await checkTrust(signer, 'signer', 'document-signing', options, now, issues);
  }

  if (tbs.version !== tbs.seal.sealInfo.header.version) {
    issues.error(
      'ERR_SEAL_VERSION_MISMATCH',
      `TBS_Sign version ${tbs.version} differs from the seal header version ${tbs.seal.sealInfo.header.version}`,
    );
  }
  if (tbs.signingTime !== undefined && tbs.signingTime > now) {
    issues.error(
      'ERR_SEAL_SIGNED_AFTER_VALIDATION_TIME',
      `The signing time ${tbs.signingTime.toISOString()} is after the validation time ${now.toISOString()}`,
    );
  }

  let dataHashValid: boolean | null = null;
  if (options.protectedData !== undefined) {
    const expected = digest(dataHashAlgorithm(algorithm), options.protectedData);
    dataHashValid = equalBytes(expected, tbs.dataHash);
    if (!dataHashValid)
      issues.error('ERR_SEAL_DATA_HASH_MISMATCH', 'dataHash does not match the protected data');
  }

  const seal = await verifySeal(tbs.seal, {
    now,
    ...(options.trust === undefined ? {} : { trust: options.trust }),
    ...(options.intermediates === undefined ? {} : { intermediates: options.intermediates }),
    ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
    signerCertificate: sig.signerCertificate,
    ...(tbs.signingTime === undefined ? {} : { signingTime: tbs.signingTime }),
  });
  issues.merge(seal, 'Seal: ');
  if (sig.timeStamp !== undefined)
    issues.warn('ERR_SEAL_TIMESTAMP_NOT_CHECKED', 'The signature time-stamp is not verified yet');

  const status = statusOf(issues.errors);
  return {
    status,
    intact: signatureValid && dataHashValid !== false,
    signatureValid,
    dataHashValid,
    trusted: trust.trusted && seal.trusted,
    revocation: worstRevocation(trust.revocation, seal.revocation),
    algorithm: algorithm ?? null,
    signer: signer === undefined ? null : summarizeCertificate(signer),
    signingTime: tbs.signingTime?.toISOString() ?? null,
    propertyInfo: tbs.propertyInfo,
    hasTimeStamp: sig.timeStamp !== undefined,
    seal,
    errors: issues.errors,
    warnings: issues.warnings,
  };
}
