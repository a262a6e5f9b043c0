/** The OpenAPI 3.1 document, generated from the route table and the same zod schemas the server validates with. @module */
import { z } from 'zod';
import type { RouteDef } from '../http/route.js';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const s = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete s.$schema;
  return s;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (schema === undefined) return [];
  const s = jsonSchema(schema, 'input');
  const props = (s.properties ?? {}) as Record<string, Json>;
  const required = new Set((s.required ?? []) as string[]);
  return Object.entries(props).map(([name, p]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof p.description === 'string' ? { description: p.description } : {}),
    schema: p,
  }));
}

const problemRef = { $ref: '#/components/schemas/Problem' };

/** The problem document schema (RFC 9457 plus GovTrust's `code` and `requestId`). */
const problemSchema: Json = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', description: 'urn:govtrust:problem:<code>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    detailZh: { type: 'string' },
    code: { type: 'string', description: 'Stable error code (ERR_...); switch on this' },
    requestId: { type: 'string' },
    instance: { type: 'string' },
    details: { type: 'object' },
  },
};

/** Builds the OpenAPI document of `routes`. */
export function buildOpenApi(
  routes: readonly RouteDef[],
  info: { readonly title: string; readonly version: string; readonly description: string },
): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const responses: Record<string, Json> = {};
    for (const [status, spec] of Object.entries(r.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.schema !== undefined
          ? {
              content: {
                [spec.contentType ?? 'application/json']: {
                  schema: jsonSchema(spec.schema, 'output'),
                },
              },
            }
          : spec.contentType !== undefined
            ? { content: { [spec.contentType]: { schema: { type: 'string', format: 'binary' } } } }
            : {}),
      };
    }
    const problem = (description: string): Json => ({
      description,
      content: { 'application/problem+json': { schema: problemRef } },
    });
    responses['4XX'] = problem(
      'Refused: see `code` (400 input, 401 signature, 403 role or grant, 404, 409 state, 413 size, 429 rate)',
    );
    responses['5XX'] = problem('Server or key failure');
    let requestBody: Json | undefined;
    const b = r.body;
    if (b.type === 'json')
      requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(b.schema, 'input') } },
      };
    else if (b.type === 'multipart')
      requestBody = {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['request', ...b.files.filter((f) => !f.endsWith('*'))],
              properties: {
                request: { ...jsonSchema(b.schema, 'input'), description: 'JSON text' },
                ...Object.fromEntries(
                  b.files.map((f) => [f, { type: 'string', format: 'binary' }]),
                ),
              },
            },
            encoding: { request: { contentType: 'application/json' } },
          },
        },
      };
    else if (b.type === 'file')
      requestBody = {
        required: true,
        content: {
          ...Object.fromEntries(
            b.contentTypes.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]),
          ),
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: [b.field],
              properties: { [b.field]: { type: 'string', format: 'binary' } },
            },
          },
        },
      };
    else if (b.type === 'raw')
      requestBody = {
        required: true,
        content: Object.fromEntries(
          b.contentTypes.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]),
        ),
      };
    paths[r.path] ??= {};
    paths[r.path]![r.method] = {
      operationId: r.operationId,
      summary: r.summary,
      tags: r.tags,
      ...(r.auth === 'public'
        ? { security: [] }
        : {
            security: [{ appSignature: [] }],
            'x-govtrust-role': typeof r.auth === 'string' ? r.auth : r.auth.join(' | '),
          }),
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      ...(requestBody === undefined ? {} : { requestBody }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    components: {
      securitySchemes: {
        appSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Signature',
          description:
            'HMAC-SHA256 or HMAC-SM3 (X-Signature-Alg) under the app secret over the canonical request: ' +
            '"GOVTRUST-HMAC-V1\\n" + alg + "\\n" + METHOD + "\\n" + path + "\\n" + sorted query + "\\n" + ' +
            'X-Content-Digest + "\\n" + X-Timestamp (ms) + "\\n" + X-Nonce + "\\n" + X-App-Id. ' +
            'X-Content-Digest is sha256=<base64> or sm3=<base64> of the raw body. Timestamps must be within ' +
            'the skew limit; a nonce is accepted once. The SDK (@govtrust/core/client) does all of this.',
        },
      },
      schemas: { Problem: problemSchema },
    },
    paths,
  };
}

/** The docs page: a dependency-free HTML index of the operations, linking the OpenAPI JSON. */
export function renderDocsPage(doc: Json): string {
  const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const info = doc.info as { title: string; version: string; description: string };
  const rows: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(ops)) {
      const role = (op['x-govtrust-role'] as string | undefined) ?? 'public';
      rows.push(
        `<tr><td><code>${esc(method.toUpperCase())}</code></td><td><code>${esc(path)}</code></td><td>${esc(role)}</td><td>${esc(String(op.summary))}</td></tr>`,
      );
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}code{font-size:.9em}</style>
</head><body>
<h1>${esc(info.title)} <small>${esc(info.version)}</small></h1>
<p>${esc(info.description)}</p>
<p>Machine-readable description: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Errors are <code>application/problem+json</code> with a stable <code>code</code> and the <code>requestId</code>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>Who</th><th>What</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
</body></html>
`;
}
