/** PKI endpoints: RFC 3161 time stamps (POST /tsa), RFC 6960 OCSP (GET and POST /ocsp), RFC 5280 CRLs and CA certificates. @module */
import { z } from 'zod';
import { ServiceError } from '@govtrust/core/errors';
import { encodeOcspErrorResponse, ocspRequestFromGetPath } from '@govtrust/core/pki';
import { defineRoute, type RouteDef } from '../http/route.js';
import type { ServerPki } from '../domain/pki.js';

const caParams = z.object({
  ca: z
    .string()
    .regex(/^[a-z0-9]+-(root|intermediate)$/)
    .describe('CA name: {alg}-root or {alg}-intermediate, e.g. rsa-intermediate'),
});

/** The PKI routes. */
export function pkiRoutes(pki: ServerPki): RouteDef[] {
  return [
    defineRoute<z.ZodType, z.ZodType, Uint8Array>({
      method: 'post',
      path: '/tsa',
      operationId: 'timeStamp',
      summary: 'RFC 3161 time-stamp request (application/timestamp-query) -> TimeStampResp',
      tags: ['pki'],
      auth: 'public',
      body: { type: 'raw', contentTypes: ['application/timestamp-query'], maxBytes: 16 * 1024 },
      responses: {
        200: {
          description: 'A TimeStampResp (granted, or rejection with failInfo)',
          contentType: 'application/timestamp-reply',
        },
      },
      handler: async ({ body }) => ({
        status: 200,
        bytes: await pki.tsa.handleRequest(body),
        contentType: 'application/timestamp-reply',
        headers: { 'Cache-Control': 'no-store' },
      }),
    }),
    defineRoute<z.ZodType, z.ZodType, Uint8Array>({
      method: 'post',
      path: '/ocsp',
      operationId: 'ocspPost',
      summary: 'RFC 6960 OCSP request (application/ocsp-request) -> OCSPResponse',
      tags: ['pki'],
      auth: 'public',
      body: { type: 'raw', contentTypes: ['application/ocsp-request'], maxBytes: 8 * 1024 },
      responses: {
        200: { description: 'An OCSPResponse', contentType: 'application/ocsp-response' },
      },
      handler: async ({ body }) => ({
        status: 200,
        bytes: await pki.ocsp.handleRequest(body),
        contentType: 'application/ocsp-response',
        headers: { 'Cache-Control': 'no-store' },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/ocsp/{request}',
      operationId: 'ocspGet',
      summary: 'RFC 6960 Appendix A.1 GET: the URL-encoded base64 DER request in the path',
      tags: ['pki'],
      auth: 'public',
      params: z.object({ request: z.string().max(4096) }),
      body: { type: 'none' },
      responses: {
        200: { description: 'An OCSPResponse', contentType: 'application/ocsp-response' },
      },
      handler: async ({ params }) => {
        let der: Uint8Array;
        try {
          der = ocspRequestFromGetPath(params.request);
        } catch {
          // RFC 6960 4.2.1: an unreadable request is answered malformedRequest, over HTTP 200.
          der = new Uint8Array(0);
        }
        const bytes =
          der.length === 0
            ? encodeOcspErrorResponse('malformedRequest')
            : await pki.ocsp.handleRequest(der);
        return {
          status: 200,
          bytes,
          contentType: 'application/ocsp-response',
          // RFC 5019 2.2: GET answers may be cached by intermediaries, briefly.
          headers: { 'Cache-Control': 'public, max-age=60, no-transform' },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/crl/{ca}.crl',
      operationId: 'getCrl',
      summary: 'The current CRL of a CA (DER, application/pkix-crl)',
      tags: ['pki'],
      auth: 'public',
      params: caParams,
      body: { type: 'none' },
      responses: { 200: { description: 'DER CRL', contentType: 'application/pkix-crl' } },
      handler: async ({ params }) => {
        const der = await pki.crl(params.ca);
        if (der === undefined)
          throw new ServiceError('ERR_HTTP_NOT_FOUND', `No CA named ${params.ca}`);
        return {
          status: 200,
          bytes: der,
          contentType: 'application/pkix-crl',
          headers: { 'Cache-Control': 'public, max-age=300' },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/ca/{ca}.cer',
      operationId: 'getCaCertificate',
      summary: 'A CA certificate (DER, application/pkix-cert), as named in caIssuers URLs',
      tags: ['pki'],
      auth: 'public',
      params: caParams,
      body: { type: 'none' },
      responses: { 200: { description: 'DER certificate', contentType: 'application/pkix-cert' } },
      handler: ({ params }) => {
        const der = pki.caCertificate(params.ca);
        if (der === undefined)
          throw new ServiceError('ERR_HTTP_NOT_FOUND', `No CA named ${params.ca}`);
        return Promise.resolve({
          status: 200,
          bytes: der,
          contentType: 'application/pkix-cert',
          headers: { 'Cache-Control': 'public, max-age=86400' },
        });
      },
    }),
  ];
}
