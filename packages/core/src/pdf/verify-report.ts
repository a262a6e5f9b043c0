/** The PDF verification report (DESIGN.md section 4, the JSON contract of CLI, API and web page) and its options. @module */
import type { SignatureAlgorithm } from '../crypto/index.js';
import type { RevocationSource, TrustStore } from '../pki/index.js';
import type { SealStatusSource } from '../seal/index.js';

/** A verdict: `indeterminate` when the data is intact but something could not be established (trust, time, algorithm). */
export type PdfVerificationStatus = 'valid' | 'invalid' | 'indeterminate';

/** One finding: a stable code (see `errorCodes`) and a message for people. */
export interface PdfReportIssue {
  readonly code: string;
  readonly message: string;
}

/** The seal bound to a signature (GB/T 38540 SES_Seal carried in the CMS, or a GB/T 38540 signature). */
export interface PdfSealSummary {
  readonly esID: string;
  readonly name: string;
  readonly type: number;
  readonly valid: boolean;
  readonly validFrom: string;
  readonly validTo: string;
}

/** The verdict on one signature or document time-stamp. */
export interface PdfSignatureReport {
  /** Fully qualified name of the signature field ("" for a signature no field references). */
  readonly field: string;
  /** 1-based number of the revision the signature dictionary was written in (revision 1 is the original file). */
  readonly revision: number;
  /** The /SubFilter ("" when missing). */
  readonly subFilter: string;
  readonly status: PdfVerificationStatus;
  /** The digest over the ByteRange matches and the signature value verifies. */
  readonly intact: boolean;
  /** What the ByteRange covers: the whole file, a whole earlier revision, or something else. */
  readonly coverage: 'entire-file' | 'entire-revision' | 'partial';
  /** Revisions after the signed one: none, only permitted changes, or changes that are not permitted. */
  readonly modifications: 'none' | 'allowed' | 'disallowed';
  /** The signer's certificate chains to a supplied trust anchor (at the best proven time). */
  readonly trusted: boolean;
  readonly revocation: 'good' | 'revoked' | 'unknown' | 'not-checked';
  /** The PAdES baseline level reached (null for other formats or when B-B is not met). */
  readonly level: 'B-B' | 'B-T' | 'B-LT' | 'B-LTA' | null;
  /** The signature algorithm, or null when it could not be determined. */
  readonly algorithm: SignatureAlgorithm | null;
  /** The signer's certificate (the TSA's for a document time-stamp), or null when absent. */
  readonly signer: {
    readonly subject: string;
    readonly issuer: string;
    readonly serialNumber: string;
  } | null;
  /** The claimed signing time (/M, else the CMS signing-time, else the time-stamp), ISO 8601, or null. */
  readonly signingTime: string | null;
  /** The signature time-stamp (for a document time-stamp: itself), or null. */
  readonly timestamp: {
    readonly time: string;
    readonly tsa: string;
    readonly valid: boolean;
  } | null;
  /** The bound electronic seal, or null when the signature carries none. */
  readonly seal: PdfSealSummary | null;
  readonly errors: readonly PdfReportIssue[];
  readonly warnings: readonly PdfReportIssue[];
}

/** The report of `verifySealedPdf`. */
export interface PdfVerificationReport {
  /** The worst signature's status; `invalid` when the file has no signature. */
  readonly status: PdfVerificationStatus;
  readonly file: { readonly sha256: string; readonly size: number; readonly revisions: number };
  readonly signatures: readonly PdfSignatureReport[];
}

/** Knobs of the verification policy; every default is the strict choice. */
export interface PdfVerificationPolicy {
  /** Accept SHA-1 (and RSA keys below 2048 bits) with a warning instead of `indeterminate` (default false). */
  readonly allowWeakAlgorithms?: boolean;
  /** A signer certificate without a definite revocation answer is `indeterminate` (default false: a warning). */
  readonly revocationRequired?: boolean;
  /**
   * After a certification signature (DocMDP P=2 or 3), accept new *visible* signature fields as
   * Acrobat does (default false, as pyHanko: they are the Sneaky Signature Attack's vehicle).
   */
  readonly allowVisibleSignaturesAfterCertification?: boolean;
  /** Read hybrid-reference files (default false: ERR_PDF_HYBRID_XREF). */
  readonly allowHybridXref?: boolean;
  /** Largest file accepted in bytes (default 2 GiB). */
  readonly maxFileBytes?: number;
  /** Most objects the modification analysis may visit before giving up (default 2,000,000). */
  readonly maxDiffObjects?: number;
}

/** Options of `verifySealedPdf`. */
export interface VerifySealedPdfOptions {
  /** Trust anchors; without them no signature is `trusted` and every one is at best `indeterminate`. */
  readonly trust?: TrustStore;
  /** The validation time (default: now). */
  readonly now?: Date;
  /**
   * More certificates (DER) that may complete certification paths: issuing CAs that neither the
   * CMS nor /DSS carries (a GB/T 38540 seal or SES_Signature holds only the end certificate).
   */
  readonly intermediates?: readonly Uint8Array[];
  /** Where revocation status comes from besides the data embedded in the PDF (CMS, /DSS). */
  readonly revocation?: RevocationSource;
  /** Where the lifecycle state of bound seals (suspended, lost, revoked) comes from; without it that is a warning. */
  readonly sealStatus?: SealStatusSource;
  readonly policy?: PdfVerificationPolicy;
}

/** @internal A finding with the verdict it implies: `indeterminate` findings do not make a signature invalid. */
export interface Finding extends PdfReportIssue {
  readonly indeterminate?: boolean;
}

/** @internal Collects findings, dropping exact duplicates. */
export class Findings {
  readonly errors: Finding[] = [];
  readonly warnings: PdfReportIssue[] = [];

  /** An error that makes the signature invalid. */
  invalid(code: string, message: string): void {
    this.push(this.errors, { code, message });
  }

  /** An error that makes the signature at best indeterminate. */
  indeterminate(code: string, message: string): void {
    this.push(this.errors, { code, message, indeterminate: true });
  }

  warn(code: string, message: string): void {
    this.push(this.warnings, { code, message });
  }

  private push<T extends PdfReportIssue>(list: T[], issue: T): void {
    if (!list.some((x) => x.code === issue.code && x.message === issue.message)) list.push(issue);
  }

  /** The status these findings imply. */
  get status(): PdfVerificationStatus {
    if (this.errors.length === 0) return 'valid';
    return this.errors.every((e) => e.indeterminate === true) ? 'indeterminate' : 'invalid';
  }
}

/** @internal The worse of two verdicts. */
export function worseStatus(
  a: PdfVerificationStatus,
  b: PdfVerificationStatus,
): PdfVerificationStatus {
  if (a === 'invalid' || b === 'invalid') return 'invalid';
  if (a === 'indeterminate' || b === 'indeterminate') return 'indeterminate';
  return 'valid';
}
