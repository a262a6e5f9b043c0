/**
 * The table of every stable error code: thrown codes and the codes that verification reports
 * carry. Each area keeps its rows in its own file; this module merges them.
 * @module
 */
import { cascadeCodes } from './cascade.js';
import { cmsCodes } from './cms.js';
import { cryptoCodes } from './crypto.js';
import { generalCodes } from './general.js';
import { licenceCodes } from './licence.js';
import { pdfCodes } from './pdf.js';
import { pkiCodes } from './pki.js';
import { sealCodes } from './seal.js';
import { sealImageCodes } from './seal-image.js';
import { serverCodes } from './server.js';
import { storeCodes } from './store.js';

/** Human-readable meaning of a code, in English and Chinese (for CLI output and the web page). */
export interface ErrorCodeInfo {
  readonly en: string;
  readonly zh: string;
}

/** Every code GovTrust throws or reports, with its meaning. */
export const errorCodes = {
  ...generalCodes,
  ...cryptoCodes,
  ...pkiCodes,
  ...cmsCodes,
  ...pdfCodes,
  ...sealCodes,
  ...sealImageCodes,
  ...licenceCodes,
  ...storeCodes,
  ...serverCodes,
  ...cascadeCodes,
} as const satisfies Record<string, ErrorCodeInfo>;

/** The union of every stable code. */
export type GovTrustErrorCode = keyof typeof errorCodes;

/** The meaning of `code` in `lang`, or `undefined` for a code GovTrust does not define. */
export function describeErrorCode(code: string, lang: 'en' | 'zh' = 'en'): string | undefined {
  return Object.hasOwn(errorCodes, code) ? errorCodes[code as GovTrustErrorCode][lang] : undefined;
}
