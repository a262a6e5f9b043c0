/** The GovTrust error base class: every thrown error has a stable string `code`. @module */

/**
 * Base class of every error GovTrust throws. Switch on `code` (stable, `ERR_<AREA>_<REASON>`),
 * not on `instanceof` or the message, which may change.
 */
export class GovTrustError extends Error {
  /** Stable machine-readable code, e.g. `ERR_PDF_PARSE`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }

  /** A plain object safe to log or send: code and message, never the cause's internals. */
  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** True when `value` is a GovTrust error (optionally with the given code). */
export function isGovTrustError(value: unknown, code?: string): value is GovTrustError {
  return value instanceof GovTrustError && (code === undefined || value.code === code);
}
