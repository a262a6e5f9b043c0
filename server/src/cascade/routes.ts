/**
 * The cascade's HTTP routes ("GovTrust cascade v1", modelled on GB/T 36906 concepts, e-licences.md
 * §8.3): `POST /v1/cascade/batches` (national: index batches from provincial nodes),
 * `POST /v1/cascade/lookup` (national: routed to the source node; provincial: answered from local
 * data for the national node) and `GET /v1/cascade/status` (admins). Node routes are authenticated
 * with the node credential (node-auth.ts), not with app credentials.
 * @module
 */
import { z } from 'zod';
import {
  CascadeError,
  InvalidInputError,
  ServiceError,
  isGovTrustError,
} from '@govtrust/core/errors';
import { defineRoute, type RouteDef } from '../http/route.js';
import type { CascadeDirectory } from './index.js';
import { nodeLookupSchema, type NationalService } from './national.js';
import { claimedNodeId, type NodeRequest } from './node-auth.js';
import type { OutboxWorker } from './outbox.js';

/** What the routes need. */
export interface CascadeRouteDeps {
  readonly mode: 'provincial' | 'national';
  readonly nodeId: string;
  readonly authenticate: (req: NodeRequest) => Promise<string>;
  readonly national: NationalService | undefined;
  readonly worker: OutboxWorker | undefined;
  readonly nationalInfo:
    { readonly url: string; readonly id: string; readonly nodeId: string } | undefined;
  readonly nodes: readonly {
    readonly id: string;
    readonly url: string;
    readonly division?: string;
  }[];
  readonly directory: () => CascadeDirectory | undefined;
  readonly maxBytes: number;
}

const parseBody = (bytes: Uint8Array): unknown => {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (err) {
    throw new ServiceError('ERR_HTTP_MALFORMED_JSON', 'The body is not valid JSON', { cause: err });
  }
};

const codeOf = (err: unknown): string => (isGovTrustError(err) ? err.code : 'ERR_INTERNAL');

/** The cascade routes. */
export function cascadeRoutes(d: CascadeRouteDeps): RouteDef[] {
  const nodeRequest = (
    req: { method: string; originalUrl: string; headers: NodeRequest['headers'] },
    body: Uint8Array,
  ): NodeRequest => ({
    method: req.method,
    target: req.originalUrl,
    headers: req.headers,
    body,
  });

  return [
    defineRoute<z.ZodType, z.ZodType, Uint8Array>({
      method: 'post',
      path: '/v1/cascade/batches',
      operationId: 'reportIndexBatch',
      summary:
        'National node: a provincial node reports licence index and licence-type changes (insert/update/delete) in a batch; a batch id already applied is acknowledged, not applied again (node credential)',
      tags: ['cascade'],
      auth: 'public',
      body: { type: 'raw', contentTypes: ['application/json'], maxBytes: d.maxBytes },
      responses: {
        200: {
          description:
            'Acknowledged: batch id, whether it was a repeat, records applied and skipped',
          schema: z.object({
            batchId: z.string(),
            duplicate: z.boolean(),
            applied: z.number(),
            skipped: z.number(),
          }),
        },
      },
      handler: async ({ req, body }) => {
        const node = await d.authenticate(nodeRequest(req, body));
        if (d.national === undefined)
          throw new CascadeError(
            'ERR_CASCADE_MODE',
            'Index batches are reported to the national node only',
          );
        const ack = await d.national.applyBatch(node, parseBody(body));
        return { status: 200, json: ack, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute<z.ZodType, z.ZodType, Uint8Array>({
      method: 'post',
      path: '/v1/cascade/lookup',
      operationId: 'cascadeLookup',
      summary:
        'Node-to-node directory lookup with the original use cause and caller: the national node routes it to the source node; a provincial node answers from its own licences (node credential)',
      tags: ['cascade'],
      auth: 'public',
      body: { type: 'raw', contentTypes: ['application/json'], maxBytes: 64 * 1024 },
      responses: {
        200: {
          description: 'The directory answer: found, source.node and the licence index view',
          schema: z.object({ found: z.boolean() }).loose(),
        },
      },
      handler: async ({ req, body, requestId }) => {
        const directory = d.directory();
        let node: string;
        let request: z.output<typeof nodeLookupSchema>;
        try {
          node = await d.authenticate(nodeRequest(req, body));
          const r = nodeLookupSchema.safeParse(parseBody(body));
          if (!r.success) {
            const issue = r.error.issues[0]!;
            const field = ['body', ...issue.path.map(String)].join('.');
            throw new InvalidInputError(`${field}: ${issue.message}`, { field });
          }
          request = r.data;
        } catch (err) {
          const claimed = claimedNodeId(req.headers);
          await directory
            ?.record({
              requestId,
              caller: `node:${claimed ?? 'unknown'}`,
              callerKind: 'node',
              authenticated: false,
              action: 'lookup',
              result: 'refused',
              code: codeOf(err),
              ...(req.ip === undefined ? {} : { clientIp: req.ip }),
            })
            .catch(() => undefined);
          throw err;
        }
        if (d.national !== undefined) {
          const answer = await d.national.lookup(node, request, requestId);
          return { status: 200, json: answer, headers: { 'Cache-Control': 'no-store' } };
        }
        if (directory === undefined)
          throw new ServiceError('ERR_SERVICE_UNAVAILABLE', 'The directory is not ready');
        const answer = await directory.lookup(
          request.query,
          {
            kind: 'node',
            id: `node:${node}`,
            // Who asked at the start of the chain: <asking node>:<app id>.
            ...(request.onBehalfOf === undefined
              ? {}
              : { onBehalfOf: `${request.via ?? node}:${request.onBehalfOf}` }),
            requestId,
            ...(req.ip === undefined ? {} : { clientIp: req.ip }),
          },
          request.useCause ?? '',
        );
        return { status: 200, json: answer, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/cascade/resync',
      operationId: 'resyncCascade',
      summary:
        'Provincial node (admins): report every licence index record and licence type to the national node again (after a data loss there); idempotent on the national side',
      tags: ['cascade'],
      auth: 'admin',
      body: { type: 'none' },
      responses: {
        200: { description: 'Changes enqueued', schema: z.object({ enqueued: z.number() }) },
      },
      handler: async () => {
        if (d.worker === undefined)
          throw new CascadeError(
            'ERR_CASCADE_MODE',
            'Only a provincial node with a national node reports upward',
          );
        return { status: 200, json: { enqueued: await d.worker.backfill() } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/cascade/status',
      operationId: 'getCascadeStatus',
      summary:
        'Cascade state of this node (admins): mode, node id; provincial: national node and outbox depth, pending batch and attempts; national: registered nodes and index size',
      tags: ['cascade'],
      auth: 'admin',
      body: { type: 'none' },
      responses: {
        200: { description: 'The cascade state', schema: z.object({ mode: z.string() }).loose() },
      },
      handler: async () => {
        const base = { mode: d.mode, node: d.nodeId };
        if (d.national !== undefined)
          return {
            status: 200,
            json: { ...base, nodes: d.nodes, index: { records: await d.national.indexSize() } },
          };
        const st = await d.worker?.state();
        return {
          status: 200,
          json: {
            ...base,
            national: d.nationalInfo ?? null,
            outbox:
              d.worker === undefined || st === undefined
                ? null
                : {
                    depth: await d.worker.depth(),
                    delivered: st.delivered ?? 0,
                    ...(st.lastDeliveredAt === undefined
                      ? {}
                      : { lastDeliveredAt: st.lastDeliveredAt }),
                    ...(st.pending === undefined
                      ? {}
                      : {
                          pending: {
                            batchId: st.pending.batchId,
                            count: st.pending.count,
                            attempts: st.pending.attempts,
                            ...(st.pending.lastError === undefined
                              ? {}
                              : { lastError: st.pending.lastError }),
                          },
                        }),
                  },
          },
        };
      },
    }),
  ];
}
