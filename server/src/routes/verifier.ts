/**
 * The public verifier: POST /v1/documents/verify (a sealed PDF, an OFD or a licence file, per-address
 * rate limit, held in memory for the request only) and the /verify page with its assets, served
 * from server/web under a strict Content-Security-Policy (no inline script or style).
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { errorCodes, ServiceError } from '@govtrust/core/errors';
import type { RateLimiter } from '../auth/rate-limit.js';
import type { DocumentReport, DocumentVerifier } from '../domain/document-verify.js';
import { defineRoute, type RouteDef, type UploadedBody } from '../http/route.js';

/** The Content-Security-Policy of the page and its assets. */
export const verifierCsp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** What the verifier routes need. */
export interface VerifierRouteDeps {
  readonly verifier: DocumentVerifier;
  /** Per-address limiter of POST /v1/documents/verify. */
  readonly rateLimiter: RateLimiter;
  readonly uploadBytes: number;
  /** Page settings: whether the licence lookup asks for a use cause (用证事由). */
  readonly settings: () => { readonly useCause: 'required' | 'optional' };
  /** Records the check of a licence file (用证记录) with the request id and client address. */
  readonly recordLicenceCheck?: (
    report: LicenceDocumentReport,
    request: { readonly requestId: string; readonly clientIp: string | undefined },
  ) => Promise<void>;
}

/** A report of a licence file. */
export type LicenceDocumentReport = Extract<
  DocumentReport,
  { readonly kind: 'licence-face' | 'licence-data' }
>;

/** The folder of the page files (server/web, beside src/ and dist/). */
export const webDir = fileURLToPath(new URL('../../web/', import.meta.url));

const assets = {
  'verify.js': 'text/javascript; charset=utf-8',
  'verify.css': 'text/css; charset=utf-8',
} as const;

type AssetName = keyof typeof assets;

const pageHeaders = {
  'Content-Security-Policy': verifierCsp,
  'Cache-Control': 'no-cache',
  'Referrer-Policy': 'no-referrer',
};

const reportSchema = z
  .object({
    kind: z.enum(['pdf', 'ofd', 'licence-face', 'licence-data']),
    status: z.enum(['valid', 'invalid', 'indeterminate']),
    checkedAt: z.string(),
  })
  .loose();

/** The verifier routes. */
export function verifierRoutes(d: VerifierRouteDeps): RouteDef[] {
  const files = new Map<string, Buffer>();
  const file = (name: string): Buffer => {
    let b = files.get(name);
    if (b === undefined) {
      b = readFileSync(`${webDir}${name}`);
      files.set(name, b);
    }
    return b;
  };
  // The code table in both languages, for the reasons under each seal card.
  const codes = Buffer.from(
    JSON.stringify(
      Object.fromEntries(
        Object.entries(errorCodes).map(([code, info]) => [code, { zh: info.zh, en: info.en }]),
      ),
    ),
  );
  return [
    defineRoute<z.ZodType<Record<string, never>>, z.ZodType<Record<string, never>>, UploadedBody>({
      method: 'post',
      path: '/v1/documents/verify',
      operationId: 'verifyDocument',
      summary:
        'Verify a sealed PDF, an OFD document or a licence (face PDF or signed data JSON): the kind is read from the bytes; the DESIGN.md §4 report (or licence report) with `kind` and each seal picture; nothing is stored',
      tags: ['verifier', 'public'],
      auth: 'public',
      guard: (req) => d.rateLimiter.take(req.ip ?? 'unknown'),
      body: {
        type: 'file',
        field: 'file',
        contentTypes: [
          'application/pdf',
          'application/ofd',
          'application/zip',
          'application/json',
          'application/octet-stream',
        ],
        maxBytes: d.uploadBytes,
      },
      responses: {
        200: { description: 'The verification report', schema: reportSchema },
        415: { description: 'ERR_VERIFY_UNSUPPORTED_TYPE: not a PDF, OFD or licence file' },
        413: { description: 'ERR_INPUT_TOO_LARGE' },
      },
      handler: async ({ body, req, requestId }) => {
        const report = await d.verifier.verify(body.bytes, body.contentType);
        if (
          d.recordLicenceCheck !== undefined &&
          (report.kind === 'licence-face' || report.kind === 'licence-data')
        )
          await d.recordLicenceCheck(report, { requestId, clientIp: req.ip });
        return { status: 200, json: report, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/verify',
      operationId: 'verifierPage',
      summary:
        'The verifier page (核验): the licence of a scanned QR code (?id=&d=) and a drop zone for sealed PDF, OFD and licence files',
      tags: ['verifier', 'public'],
      auth: 'public',
      body: { type: 'none' },
      responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
      handler: () =>
        Promise.resolve({
          status: 200,
          bytes: file('verify.html'),
          contentType: 'text/html; charset=utf-8',
          headers: pageHeaders,
        }),
    }),
    defineRoute({
      method: 'get',
      path: '/verify/assets/error-codes.json',
      operationId: 'verifierErrorCodes',
      summary: 'Every error code with its Chinese and English meaning (the reasons on the page)',
      tags: ['verifier', 'public'],
      auth: 'public',
      body: { type: 'none' },
      responses: { 200: { description: 'code -> {zh, en}' } },
      handler: () =>
        Promise.resolve({
          status: 200,
          bytes: codes,
          contentType: 'application/json; charset=utf-8',
          headers: pageHeaders,
        }),
    }),
    defineRoute({
      method: 'get',
      path: '/verify/assets/settings.json',
      operationId: 'verifierSettings',
      summary: 'Settings of the page (whether a use cause is required)',
      tags: ['verifier', 'public'],
      auth: 'public',
      body: { type: 'none' },
      responses: { 200: { description: '{ useCause }' } },
      handler: () =>
        Promise.resolve({
          status: 200,
          json: d.settings(),
          headers: { ...pageHeaders, 'Cache-Control': 'no-store' },
        }),
    }),
    defineRoute<z.ZodType<{ name: string }>>({
      method: 'get',
      path: '/verify/assets/{name}',
      operationId: 'verifierAsset',
      summary: 'A script or style sheet of the verifier page',
      tags: ['verifier', 'public'],
      auth: 'public',
      params: z.object({ name: z.string() }),
      body: { type: 'none' },
      responses: { 200: { description: 'The file' } },
      handler: ({ params }) => {
        if (!Object.hasOwn(assets, params.name))
          throw new ServiceError('ERR_HTTP_NOT_FOUND', `No asset ${params.name}`);
        const name = params.name as AssetName;
        return Promise.resolve({
          status: 200,
          bytes: file(name),
          contentType: assets[name],
          headers: pageHeaders,
        });
      },
    }),
  ];
}
