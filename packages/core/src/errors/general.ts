/** Error codes and classes that belong to no single area. @module */
import { GovTrustError } from './base.js';

/** Codes of this area with their meaning. */
export const generalCodes = {
  ERR_INVALID_INPUT: { en: 'The input is not valid for this operation', zh: '输入不符合要求' },
  ERR_INPUT_TOO_LARGE: {
    en: 'The input is larger than the configured limit',
    zh: '输入超过大小上限',
  },
  ERR_INTERNAL: { en: 'An internal error occurred', zh: '内部错误' },
} as const;

/** An argument or input document is not acceptable (`ERR_INVALID_INPUT`). */
export class InvalidInputError extends GovTrustError {
  /** The name of the offending field or option, when there is one. */
  readonly field: string | undefined;

  constructor(message: string, options?: { field?: string; cause?: unknown }) {
    super('ERR_INVALID_INPUT', message, options);
    this.field = options?.field;
  }
}

/** An input is larger than the limit that applies to it (`ERR_INPUT_TOO_LARGE`). */
export class InputTooLargeError extends GovTrustError {
  readonly limit: number;

  constructor(message: string, limit: number) {
    super('ERR_INPUT_TOO_LARGE', message);
    this.limit = limit;
  }
}
