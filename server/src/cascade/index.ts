/**
 * The directory cascade (级联) of one node, wired from the configuration: in provincial mode the
 * outbox sink, its delivery worker and the national node as remote directory; in national mode the
 * index and the routing of lookups; in both, node-to-node authentication and the `/v1/cascade/*`
 * routes. The directory is attached once it exists (it needs the sink and the remote first).
 * @module
 */
import { registerNonce } from '@govtrust/core/store';
import { licenceIndexRecord } from '../domain/directory.js';
import type { Registry } from 'prom-client';
import type { ServerConfig } from '../config.js';
import type { Logger } from '../ops/logger.js';
import type { RouteDef } from '../http/route.js';
import type { ServerStore } from '../storage/schema.js';
import type {
  CascadeUsageRecord,
  Caller,
  DirectoryAnswer,
  DirectoryQuery,
  IndexSink,
  RemoteDirectory,
  ReportedType,
} from './contract.js';
import { createNationalService, type NationalService } from './national.js';
import { createNodeAuthenticator, type NodeRequest } from './node-auth.js';
import { callNode } from './node-client.js';
import {
  createOutboxSink,
  createOutboxWorker,
  type BatchAck,
  type OutboxWorker,
} from './outbox.js';
import { createNationalDirectory } from './remote.js';
import { cascadeRoutes } from './routes.js';

/** What the cascade needs of the directory (A's `DirectoryService`). */
export interface CascadeDirectory {
  lookup(query: DirectoryQuery, caller: Caller, useCause: string): Promise<DirectoryAnswer>;
  record(entry: CascadeUsageRecord): Promise<void>;
  /** The error of a missing or bad use cause. */
  useCauseError?(maxLength: number): Error;
  /** Licence types (证照目录) to report upward. */
  listTypes?(): Promise<readonly ReportedType[]>;
}

/** Dependencies of `createCascade`. */
export interface CascadeDeps {
  readonly config: ServerConfig;
  readonly store: ServerStore;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly registry?: Registry;
  /** Jitter source of the outbox backoff (tests fix it). */
  readonly random?: () => number;
}

/** The cascade of one node. */
export interface Cascade {
  readonly mode: 'provincial' | 'national';
  readonly nodeId: string;
  /** Provincial with a national node: the outbox sink for the licence service. */
  readonly indexSink: IndexSink | undefined;
  /** Provincial with a national node: the remote directory for local misses. */
  readonly remote: RemoteDirectory | undefined;
  readonly worker: OutboxWorker | undefined;
  readonly national: NationalService | undefined;
  /** Attaches the directory (answers to the national node, usage records, licence types). */
  attach(directory: CascadeDirectory): void;
  readonly routes: RouteDef[];
  /** Starts the outbox worker (provincial). */
  start(): void;
  stop(): Promise<void>;
}

/** Builds the cascade of a node from its configuration. */
export function createCascade(deps: CascadeDeps): Cascade {
  const { config, store, now, logger } = deps;
  const nodeId = config.node.id;
  let directory: CascadeDirectory | undefined;
  const national = config.mode === 'provincial' ? config.national : undefined;
  const nationalCred =
    national === undefined
      ? undefined
      : {
          url: national.url,
          id: national.id,
          nodeId: national.nodeId ?? nodeId,
          secret: national.secret,
        };

  const authenticate = createNodeAuthenticator({
    findNode: (id) => {
      if (config.mode === 'national') {
        const n = config.nodes.find((x) => x.id === id);
        return n === undefined ? undefined : { id: n.id, secret: n.secret };
      }
      return nationalCred !== undefined && id === nationalCred.id
        ? { id, secret: nationalCred.secret }
        : undefined;
    },
    registerNonce: (scope, nonce, at) =>
      registerNonce(store, {
        scope,
        nonce,
        now: at,
        ttlMs: 2 * config.auth.clockSkewMs,
        durability: 'deferred',
      }),
    now,
    clockSkewMs: config.auth.clockSkewMs,
  });

  const worker =
    nationalCred === undefined
      ? undefined
      : createOutboxWorker({
          store,
          now,
          nodeId: nationalCred.nodeId,
          async send(batch) {
            const ack = (await callNode({
              url: nationalCred.url,
              peer: nationalCred.id,
              nodeId: nationalCred.nodeId,
              secret: nationalCred.secret,
              path: '/v1/cascade/batches',
              body: batch,
              timeoutMs: Math.max(config.cascade.timeoutMs, 10_000),
              now: now(),
            })) as Partial<BatchAck>;
            return {
              batchId: String(ack.batchId),
              duplicate: ack.duplicate === true,
              applied: typeof ack.applied === 'number' ? ack.applied : 0,
            };
          },
          listTypes: async () => (await directory?.listTypes?.()) ?? [],
          async indexPage(tx, after, limit) {
            const page = await tx.query('licences', {
              limit,
              ...(after === undefined ? {} : { after }),
            });
            return {
              records: page.items.map((r) => licenceIndexRecord(r.value)),
              ...(page.next === undefined ? {} : { next: page.next }),
            };
          },
          batchSize: config.cascade.batchSize,
          pollMs: config.cascade.pollMs,
          retryBaseMs: config.cascade.retryBaseMs,
          retryMaxMs: config.cascade.retryMaxMs,
          logger,
          ...(deps.random === undefined ? {} : { random: deps.random }),
          ...(deps.registry === undefined ? {} : { registry: deps.registry }),
        });

  const nationalService =
    config.mode === 'national'
      ? createNationalService({
          store,
          now,
          nodeId,
          nodes: config.nodes,
          timeoutMs: config.cascade.timeoutMs,
          recordUsage: (e) => directory?.record(e) ?? Promise.resolve(),
          useCauseError: (max) =>
            directory?.useCauseError?.(max) ??
            new Error(`A use cause of 2 to ${max} characters is required`),
          ...(deps.registry === undefined ? {} : { registry: deps.registry }),
        })
      : undefined;

  const remote =
    nationalCred === undefined
      ? undefined
      : createNationalDirectory({
          nodeId,
          national: nationalCred,
          // Two hops (national, then the source node): the national node's own timeout comes first,
          // so the answer says which hop failed.
          timeoutMs: 2 * config.cascade.timeoutMs + 500,
          now,
          ...(deps.registry === undefined ? {} : { registry: deps.registry }),
        });

  const routes = cascadeRoutes({
    mode: config.mode,
    nodeId,
    authenticate: (req: NodeRequest) => authenticate(req),
    national: nationalService,
    worker,
    nationalInfo:
      nationalCred === undefined
        ? undefined
        : { url: nationalCred.url, id: nationalCred.id, nodeId: nationalCred.nodeId },
    nodes: config.nodes.map((n) => ({
      id: n.id,
      url: n.url,
      ...(n.division === undefined ? {} : { division: n.division }),
    })),
    directory: () => directory,
    maxBytes: Math.max(config.limits.jsonBytes, 4 * 1024 * 1024),
  });

  return {
    mode: config.mode,
    nodeId,
    indexSink: nationalCred === undefined ? undefined : createOutboxSink(now),
    remote,
    worker,
    national: nationalService,
    attach(d) {
      directory = d;
    },
    routes,
    start() {
      if (worker === undefined) return;
      // A node joining the cascade reports the licences it already holds, once.
      void worker
        .backfill({ onlyOnce: true })
        .then((n) => {
          if (n > 0) logger.info({ records: n }, 'cascade: backfill enqueued');
        })
        .catch((err: unknown) =>
          logger.warn({ err }, 'cascade: backfill failed; will retry at the next start'),
        )
        .finally(() => worker.start());
    },
    async stop() {
      await worker?.stop();
    },
  };
}
