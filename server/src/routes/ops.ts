/** Operations endpoints: liveness, readiness (store reachable, seal keys usable), Prometheus metrics, OpenAPI and docs. @module */
import { z } from 'zod';
import { ServiceError } from '@govtrust/core/errors';
import { defineRoute, type RouteDef } from '../http/route.js';
import type { ServerMetrics } from '../ops/metrics.js';

/** One readiness check. */
export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** What the ops routes need. */
export interface OpsDeps {
  readonly version: string;
  readonly metrics: ServerMetrics;
  /** Bearer token for /metrics; undefined: public. */
  readonly metricsToken: string | undefined;
  readonly readiness: () => Promise<readonly ReadinessCheck[]>;
  /** Refreshes gauges before a scrape (key status, log head). */
  readonly refreshGauges: () => Promise<void>;
  readonly openApi: () => Record<string, unknown>;
  readonly docsPage: () => string;
}

const checkSchema = z.object({ name: z.string(), ok: z.boolean(), detail: z.string().optional() });

/** The ops routes. */
export function opsRoutes(deps: OpsDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/livez',
      operationId: 'livez',
      summary: 'Liveness: the process answers',
      tags: ['operations'],
      auth: 'public',
      body: { type: 'none' },
      responses: {
        200: {
          description: 'Alive',
          schema: z.object({ status: z.literal('ok'), version: z.string() }),
        },
      },
      handler: () =>
        Promise.resolve({ status: 200, json: { status: 'ok', version: deps.version } }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      operationId: 'readyz',
      summary: 'Readiness: the store answers and every active seal key is usable',
      tags: ['operations'],
      auth: 'public',
      body: { type: 'none' },
      responses: {
        200: {
          description: 'Ready',
          schema: z.object({
            status: z.enum(['ready', 'not-ready']),
            checks: z.array(checkSchema),
          }),
        },
        503: {
          description: 'Not ready (same body)',
          schema: z.object({
            status: z.enum(['ready', 'not-ready']),
            checks: z.array(checkSchema),
          }),
        },
      },
      handler: async () => {
        const checks = await deps.readiness();
        const ok = checks.every((c) => c.ok);
        return {
          status: ok ? 200 : 503,
          json: { status: ok ? 'ready' : 'not-ready', checks },
          headers: { 'Cache-Control': 'no-store' },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics (text exposition format)',
      tags: ['operations'],
      auth: 'public',
      body: { type: 'none' },
      responses: { 200: { description: 'Metrics', contentType: 'text/plain; version=0.0.4' } },
      handler: async ({ req }) => {
        if (
          deps.metricsToken !== undefined &&
          req.headers.authorization !== `Bearer ${deps.metricsToken}`
        )
          throw new ServiceError('ERR_AUTH_MISSING', 'Metrics need the bearer token');
        await deps.refreshGauges();
        return {
          status: 200,
          bytes: new TextEncoder().encode(await deps.metrics.registry.metrics()),
          contentType: deps.metrics.registry.contentType,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      operationId: 'openApi',
      summary: 'This API as OpenAPI 3.1',
      tags: ['operations'],
      auth: 'public',
      body: { type: 'none' },
      responses: { 200: { description: 'The OpenAPI document', contentType: 'application/json' } },
      handler: () => Promise.resolve({ status: 200, json: deps.openApi() }),
    }),
    defineRoute({
      method: 'get',
      path: '/docs',
      operationId: 'docs',
      summary: 'API documentation page',
      tags: ['operations'],
      auth: 'public',
      body: { type: 'none' },
      responses: { 200: { description: 'HTML', contentType: 'text/html' } },
      handler: () =>
        Promise.resolve({
          status: 200,
          bytes: new TextEncoder().encode(deps.docsPage()),
          contentType: 'text/html; charset=utf-8',
        }),
    }),
  ];
}
