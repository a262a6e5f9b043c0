/** Problem details for HTTP APIs (RFC 9457): every error answer is application/problem+json with a stable code and the request id. @module */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { describeErrorCode, isGovTrustError, type GovTrustError } from '@govtrust/core/errors';
import type { Logger } from '../ops/logger.js';
import { httpErrorFor } from './errors.js';

/** The problem document GovTrust sends. */
export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  /** The Chinese text of the code (for operators' screens). */
  readonly detailZh?: string;
  readonly requestId: string;
  readonly instance: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Sends `code` as a problem document. */
export function sendProblem(
  req: Request,
  res: Response,
  code: string,
  detail: string,
  extra: { details?: Readonly<Record<string, unknown>>; headers?: Record<string, string> } = {},
): void {
  const row = httpErrorFor(code);
  const zh = describeErrorCode(code, 'zh');
  const doc: ProblemDocument = {
    type: `urn:govtrust:problem:${code}`,
    title: row.title,
    status: row.status,
    detail,
    code,
    ...(zh === undefined ? {} : { detailZh: zh }),
    requestId: String(res.locals.requestId ?? ''),
    instance: req.path,
    ...(extra.details === undefined ? {} : { details: extra.details }),
  };
  res.locals.errorCode = code;
  for (const [k, v] of Object.entries(extra.headers ?? {})) res.setHeader(k, v);
  // An unread upload is not worth draining: close the connection after the answer.
  if (!req.complete) res.setHeader('Connection', 'close');
  res.status(row.status).type('application/problem+json').send(JSON.stringify(doc));
}

function safeDetails(err: GovTrustError): Readonly<Record<string, unknown>> | undefined {
  const withDetails = err as GovTrustError & { details?: Readonly<Record<string, unknown>> };
  const field = (err as GovTrustError & { field?: unknown }).field;
  const details = { ...(withDetails.details ?? {}) };
  if (typeof field === 'string') details.field = field;
  // Licence data and identifier errors list every problem found (code, message, path).
  const issues = (err as GovTrustError & { issues?: unknown }).issues;
  if (Array.isArray(issues) && issues.length > 0) details.issues = issues.slice(0, 50);
  return Object.keys(details).length === 0 ? undefined : details;
}

/** The last middleware: renders any error as a problem document and logs the cause under the request id. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (isGovTrustError(err)) {
      const status = httpErrorFor(err.code).status;
      const details = safeDetails(err);
      const retryAfter = details?.retryAfter;
      if (status >= 500)
        logger.error({ requestId: res.locals.requestId, code: err.code, err }, 'request failed');
      sendProblem(req, res, err.code, err.message, {
        ...(details === undefined ? {} : { details }),
        ...(typeof retryAfter === 'number'
          ? { headers: { 'Retry-After': String(retryAfter) } }
          : {}),
      });
      return;
    }
    // Body-parser style errors from express itself (e.g. an aborted request).
    const e = err as { status?: unknown; type?: unknown };
    if (e.type === 'request.aborted') {
      res.destroy();
      return;
    }
    logger.error({ requestId: res.locals.requestId, err }, 'unexpected error');
    sendProblem(req, res, 'ERR_INTERNAL', 'An internal error occurred; quote the request id');
  };
}
