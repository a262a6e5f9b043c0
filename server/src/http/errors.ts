/** The one table from error codes to HTTP statuses (RFC 9110 clause 15) and problem titles (RFC 9457). @module */
import { errorCodes, type GovTrustErrorCode } from '@govtrust/core/errors';

/** How one code is answered over HTTP. */
export interface HttpErrorRow {
  readonly status: number;
  /** Short, stable, human title of the problem type. */
  readonly title: string;
}

/**
 * Codes the server answers with a specific status. Every server-area code has a row here; codes
 * of the other areas fall back to their area's row in `areaDefaults` (a test checks both).
 */
export const httpErrorTable: Readonly<Record<string, HttpErrorRow>> = {
  ERR_INVALID_INPUT: { status: 400, title: 'Invalid input' },
  ERR_HTTP_MALFORMED_JSON: { status: 400, title: 'Malformed JSON' },
  ERR_HTTP_MULTIPART: { status: 400, title: 'Malformed multipart form' },
  ERR_IDEMPOTENCY_KEY: { status: 400, title: 'Malformed Idempotency-Key' },
  ERR_LICENCE_ID_FORMAT: { status: 400, title: 'Malformed licence identifier' },
  ERR_LICENCE_ID_ROOT: { status: 400, title: 'Malformed licence identifier' },
  ERR_LICENCE_ID_CASE: { status: 400, title: 'Malformed licence identifier' },
  ERR_LICENCE_ID_TYPE_CODE: { status: 400, title: 'Malformed licence identifier' },
  ERR_LICENCE_ID_ISSUER_CODE: { status: 400, title: 'Malformed licence identifier' },
  ERR_LICENCE_ID_SERIAL: { status: 400, title: 'Malformed licence identifier' },
  ERR_LICENCE_ID_VERSION: { status: 400, title: 'Malformed licence identifier' },
  ERR_LICENCE_ID_CHECK_CHAR: { status: 400, title: 'Licence identifier check character wrong' },
  ERR_LICENCE_USE_CAUSE_REQUIRED: { status: 400, title: 'Use cause required' },
  ERR_LICENCE_STATUS_REASON: { status: 400, title: 'Reason does not fit the status change' },
  ERR_LICENCE_SIGNED_FORMAT: { status: 400, title: 'Not a signed licence file' },
  ERR_LICENCE_TYPE_INVALID: { status: 400, title: 'Invalid licence type' },
  ERR_LICENCE_UPLOAD_CONTENT: { status: 400, title: 'Upload does not match its type' },
  ERR_AUTH_MISSING: { status: 401, title: 'Request not signed' },
  ERR_AUTH_UNKNOWN_APP: { status: 401, title: 'Unknown application' },
  ERR_AUTH_SIGNATURE: { status: 401, title: 'Bad request signature' },
  ERR_AUTH_TIMESTAMP: { status: 401, title: 'Stale request timestamp' },
  ERR_AUTH_NONCE_REPLAYED: { status: 401, title: 'Replayed nonce' },
  ERR_AUTH_BODY_DIGEST: { status: 401, title: 'Body does not match its digest' },
  ERR_AUTH_APP_DISABLED: { status: 403, title: 'Application disabled' },
  ERR_AUTH_FORBIDDEN: { status: 403, title: 'Role required' },
  ERR_GRANT_NONE: { status: 403, title: 'No seal grant' },
  ERR_LICENCE_ACCESS_DENIED: { status: 403, title: 'No rights to this licence' },
  ERR_LICENCE_DIGEST_MISMATCH: { status: 403, title: 'QR digest does not match' },
  ERR_GRANT_NOT_YET_VALID: { status: 403, title: 'Seal grant not yet in force' },
  ERR_GRANT_EXPIRED: { status: 403, title: 'Seal grant expired' },
  ERR_GRANT_REVOKED: { status: 403, title: 'Seal grant revoked' },
  ERR_GRANT_EXHAUSTED: { status: 403, title: 'Seal grant used up' },
  ERR_HTTP_NOT_FOUND: { status: 404, title: 'No such endpoint' },
  ERR_GRANT_NOT_FOUND: { status: 404, title: 'No such grant' },
  ERR_SEAL_NOT_FOUND: { status: 404, title: 'No such seal' },
  ERR_APP_NOT_FOUND: { status: 404, title: 'No such application' },
  ERR_APPLICATION_NOT_FOUND: { status: 404, title: 'No such seal application' },
  ERR_SESSION_NOT_FOUND: { status: 404, title: 'No such signing session' },
  ERR_LICENCE_NOT_FOUND: { status: 404, title: 'No such licence' },
  ERR_LICENCE_ISSUER_UNKNOWN: { status: 404, title: 'No such licence issuer' },
  ERR_LICENCE_FACE_LINK_NOT_FOUND: { status: 404, title: 'No such face link' },
  ERR_STATUS_LIST_RANGE: { status: 404, title: 'No such status list' },
  ERR_HTTP_METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  ERR_SEAL_SUSPENDED: { status: 409, title: 'Seal suspended' },
  ERR_SEAL_LOST: { status: 409, title: 'Seal reported lost' },
  ERR_SEAL_CANCELLED: { status: 409, title: 'Seal cancelled' },
  ERR_SEAL_REVOKED: { status: 409, title: 'Seal revoked' },
  ERR_SEAL_EXPIRED: { status: 409, title: 'Seal expired' },
  ERR_SEAL_STATE: { status: 409, title: 'Seal state does not allow this' },
  ERR_SESSION_COMPLETED: { status: 409, title: 'Signing session already completed' },
  ERR_LICENCE_EXISTS: { status: 409, title: 'Licence exists' },
  ERR_LICENCE_ISSUER_EXISTS: { status: 409, title: 'Licence issuer exists' },
  ERR_LICENCE_STATUS_TRANSITION: { status: 409, title: 'Licence status does not allow this' },
  ERR_LICENCE_STATUS_EXPIRED: { status: 409, title: 'Licence expired' },
  ERR_STORE_CONFLICT: { status: 409, title: 'Conflict' },
  ERR_STORE_IDEMPOTENCY_MISMATCH: { status: 409, title: 'Idempotency key reused' },
  ERR_STORE_IDEMPOTENCY_IN_PROGRESS: { status: 409, title: 'Idempotent request in progress' },
  ERR_SESSION_EXPIRED: { status: 410, title: 'Signing session expired' },
  ERR_LICENCE_FACE_LINK_USED: { status: 410, title: 'Face link already used' },
  ERR_LICENCE_FACE_LINK_EXPIRED: { status: 410, title: 'Face link expired' },
  ERR_INPUT_TOO_LARGE: { status: 413, title: 'Payload too large' },
  ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  ERR_VERIFY_UNSUPPORTED_TYPE: { status: 415, title: 'Not a document GovTrust verifies' },
  ERR_SESSION_SIGNATURE: { status: 422, title: 'External signature does not verify' },
  ERR_HTTP_RATE_LIMITED: { status: 429, title: 'Too many requests' },
  ERR_INTERNAL: { status: 500, title: 'Internal error' },
  ERR_STORE_IO: { status: 503, title: 'Storage unavailable' },
  ERR_STORE_BUSY: { status: 503, title: 'Storage busy' },
  ERR_STORE_CLOSED: { status: 503, title: 'Storage closed' },
  ERR_SEAL_KEY_UNAVAILABLE: { status: 503, title: 'Seal key unavailable' },
  ERR_SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  ERR_PKCS11: { status: 503, title: 'Key token error' },
  ERR_PKCS11_MODULE: { status: 503, title: 'Key token module unavailable' },
  ERR_PKCS11_LOGIN: { status: 503, title: 'Key token login failed' },
  ERR_PKCS11_KEY_NOT_FOUND: { status: 503, title: 'Key not found on token' },
  ERR_SIGNER_FAILED: { status: 503, title: 'Signer failed' },
  ERR_CASCADE_NODE_AUTH: { status: 401, title: 'Bad node request signature' },
  ERR_CASCADE_NODE_REPLAYED: { status: 401, title: 'Replayed node request' },
  ERR_CASCADE_NODE_UNKNOWN: { status: 403, title: 'Unknown cascade node' },
  ERR_CASCADE_MODE: { status: 404, title: 'Not offered in this node mode' },
  ERR_CASCADE_BATCH: { status: 422, title: 'Unusable index batch' },
  ERR_CASCADE_UPSTREAM: { status: 502, title: 'Bad answer from the cascade peer' },
  ERR_CASCADE_UNAVAILABLE: { status: 503, title: 'Cascade peer unavailable' },
  // The client SDK's own codes never travel over HTTP; they map for completeness.
  ERR_CLIENT_RESPONSE: { status: 502, title: 'Unreadable upstream answer' },
  ERR_CLIENT_NETWORK: { status: 502, title: 'Upstream unreachable' },
};

/**
 * Status of codes of the other areas by prefix: a document or certificate the caller sent that
 * cannot be used is 422 (well-formed request, unprocessable content).
 */
export const areaDefaults: readonly (readonly [prefix: string, row: HttpErrorRow])[] = [
  ['ERR_PDF_', { status: 422, title: 'Unusable PDF' }],
  ['ERR_OFD_', { status: 422, title: 'Unusable OFD' }],
  ['ERR_SEAL_', { status: 422, title: 'Unusable seal data' }],
  ['ERR_CMS_', { status: 422, title: 'Unusable CMS' }],
  ['ERR_CERT_', { status: 422, title: 'Unusable certificate' }],
  ['ERR_PATH_', { status: 422, title: 'Certificate path problem' }],
  ['ERR_CRL_', { status: 422, title: 'Unusable CRL' }],
  ['ERR_OCSP_', { status: 422, title: 'Unusable OCSP data' }],
  ['ERR_TSP_', { status: 422, title: 'Unusable time-stamp data' }],
  ['ERR_TSA_', { status: 502, title: 'Time-stamp authority refused' }],
  ['ERR_PKI_', { status: 500, title: 'PKI configuration or fetch error' }],
  ['ERR_KEY_', { status: 422, title: 'Unusable key' }],
  ['ERR_ALG_', { status: 422, title: 'Unsupported algorithm' }],
  ['ERR_SIGNATURE_', { status: 422, title: 'Malformed signature' }],
  ['ERR_LICENCE_', { status: 422, title: 'Licence problem' }],
  ['ERR_STORE_', { status: 500, title: 'Storage error' }],
  ['ERR_', { status: 422, title: 'Unprocessable input' }],
];

/** The status and title of `code`; unknown codes are internal errors. */
export function httpErrorFor(code: string): HttpErrorRow {
  const row = httpErrorTable[code];
  if (row !== undefined) return row;
  if (!Object.hasOwn(errorCodes, code)) return httpErrorTable.ERR_INTERNAL!;
  for (const [prefix, r] of areaDefaults) if (code.startsWith(prefix)) return r;
  return httpErrorTable.ERR_INTERNAL!;
}

/** Every code GovTrust defines (for the table test and the OpenAPI description). */
export function allErrorCodes(): GovTrustErrorCode[] {
  return Object.keys(errorCodes) as GovTrustErrorCode[];
}
