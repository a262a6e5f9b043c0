/** Report shapes of seal, seal-signature and OFD verification (DESIGN.md section 4) and how issues set the status. @module */

/** One finding in a report: a stable code (see `errorCodes`) and a message. */
export interface ReportIssue {
  readonly code: string;
  readonly message: string;
}

/** Overall verdict, as in PDF verification. */
export type VerificationStatus = 'valid' | 'invalid' | 'indeterminate';

/**
 * Codes that make a verdict `indeterminate` rather than `invalid`: the data is intact but something
 * could not be established (time validity without proof of existence, trust, unsupported features).
 */
const INDETERMINATE = new Set<string>([
  'ERR_SEAL_EXPIRED',
  'ERR_SEAL_NOT_YET_VALID',
  'ERR_SEAL_CERT_EXPIRED',
  'ERR_SEAL_CERT_NOT_YET_VALID',
  'ERR_SEAL_UNTRUSTED',
  'ERR_SEAL_CERT_DIGEST_UNKNOWN',
  'ERR_SEAL_SIGNED_AFTER_VALIDATION_TIME',
  'ERR_SEAL_STATUS_UNKNOWN',
  'ERR_OFD_SIGN_TYPE_UNSUPPORTED',
  'ERR_OFD_CHECK_METHOD',
  'ERR_PATH_EXPIRED',
  'ERR_PATH_NOT_YET_VALID',
  'ERR_PATH_UNKNOWN_ISSUER',
  'ERR_PATH_UNTRUSTED_ROOT',
  'ERR_PATH_REVOCATION_UNKNOWN',
]);

/** @internal The status that a list of errors implies. */
export function statusOf(errors: readonly ReportIssue[]): VerificationStatus {
  if (errors.length === 0) return 'valid';
  return errors.every((e) => INDETERMINATE.has(e.code)) ? 'indeterminate' : 'invalid';
}

/** @internal The worse of two statuses. */
export function worstStatus(a: VerificationStatus, b: VerificationStatus): VerificationStatus {
  if (a === 'invalid' || b === 'invalid') return 'invalid';
  if (a === 'indeterminate' || b === 'indeterminate') return 'indeterminate';
  return 'valid';
}

/** @internal Collects issues, dropping exact duplicates. */
export class IssueList {
  readonly errors: ReportIssue[] = [];
  readonly warnings: ReportIssue[] = [];

  error(code: string, message: string): void {
    if (!this.errors.some((e) => e.code === code && e.message === message))
      this.errors.push({ code, message });
  }

  warn(code: string, message: string): void {
    // A document-wide note (no trust anchors) is said once, not once per certificate.
    const once = code === 'ERR_SEAL_CHAIN_NOT_CHECKED';
    if (!this.warnings.some((e) => e.code === code && (once || e.message === message)))
      this.warnings.push({ code, message });
  }

  /** Adds another list's issues, with `prefix` before each message. */
  merge(
    other: { readonly errors: readonly ReportIssue[]; readonly warnings: readonly ReportIssue[] },
    prefix = '',
  ): void {
    for (const e of other.errors) this.error(e.code, prefix + e.message);
    for (const w of other.warnings) this.warn(w.code, prefix + w.message);
  }
}
