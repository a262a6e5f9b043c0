/**
 * The provincial outbox of the cascade (目录上报): every licence index change is written to the
 * `cascade-outbox` collection in the transaction that makes it (the `IndexSink`), and licence-type
 * records are reconciled into it by content hash; a background worker delivers the outbox to the
 * national node in batches (insert/update/delete with a batch id, e-licences.md §3.2 `cd_batch`),
 * the same batch id on every retry, with capped exponential backoff and jitter. Nothing is removed
 * before the national node acknowledged it, so a node that was down or a restart loses nothing.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { Counter, Gauge, type Registry } from 'prom-client';
import { canonicalizeJson } from '@govtrust/core/licence';
import type { Logger } from '../ops/logger.js';
import { outboxKey, type CascadeStateRecord, type OutboxItem } from '../storage/cascade-schema.js';
import type { ServerStore, ServerTx } from '../storage/schema.js';
import type { IndexChange, IndexSink, LicenceIndexRecord, ReportedType } from './contract.js';

const SEQ_COUNTER = 'cascade-outbox-seq';
const DELIVERY = 'delivery';
const TYPES = 'types';
const BACKFILL = 'backfill';

/** A batch as it is sent upward. */
export interface IndexBatch {
  readonly batchId: string;
  readonly node: string;
  readonly sentAt: string;
  readonly items: readonly OutboxItem[];
}

/** The national node's acknowledgement. */
export interface BatchAck {
  readonly batchId: string;
  /** True when the national node had already applied this batch id. */
  readonly duplicate: boolean;
  readonly applied: number;
}

/** An outbox item before it has its sequence number and time. */
type NewOutboxItem = OutboxItem extends infer I
  ? I extends OutboxItem
    ? Omit<I, 'seq' | 'enqueuedAt'>
    : never
  : never;

async function enqueue(tx: ServerTx, item: NewOutboxItem, now: Date): Promise<number> {
  const current = await tx.get('counters', SEQ_COUNTER);
  const seq = Number(current?.value.value ?? '0') + 1;
  await tx.put('counters', SEQ_COUNTER, { value: String(seq) });
  await tx.insert('cascade-outbox', outboxKey(seq), {
    ...item,
    seq,
    enqueuedAt: now.toISOString(),
  });
  return seq;
}

/** The index sink of a provincial node: one outbox item per change, inside the change's transaction. */
export function createOutboxSink(now: () => Date): IndexSink {
  return {
    async record(tx: ServerTx, change: IndexChange): Promise<void> {
      await enqueue(tx, { kind: 'licence', op: change.op, record: change.record }, now());
    },
  };
}

/** Options of `createOutboxWorker`. */
export interface OutboxWorkerOptions {
  readonly store: ServerStore;
  readonly now: () => Date;
  readonly nodeId: string;
  /** Delivers a batch to the national node (throws when it cannot). */
  readonly send: (batch: IndexBatch) => Promise<BatchAck>;
  /** The licence types (证照目录) of this node, reconciled into the outbox; default none. */
  readonly listTypes?: () => Promise<readonly ReportedType[]>;
  readonly batchSize: number;
  /** Idle poll interval. */
  readonly pollMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** A page of this node's licence index records in key order (for the backfill); default none. */
  readonly indexPage?: (
    tx: ServerTx,
    after: string | undefined,
    limit: number,
  ) => Promise<{ readonly records: readonly LicenceIndexRecord[]; readonly next?: string }>;
  /** Random source of the jitter, [0, 1) (tests fix it). */
  readonly random?: () => number;
  readonly logger: Logger;
  readonly registry?: Registry;
}

/** What one delivery attempt did. */
export type DeliveryResult =
  | { readonly kind: 'empty' }
  | {
      readonly kind: 'delivered';
      readonly batchId: string;
      readonly count: number;
      readonly duplicate: boolean;
    }
  | {
      readonly kind: 'failed';
      readonly batchId: string;
      readonly attempts: number;
      readonly error: unknown;
    };

/** The outbox worker. */
export interface OutboxWorker {
  /** Starts the background loop (idempotent). */
  start(): void;
  /** Stops the loop and waits for a delivery in flight. */
  stop(): Promise<void>;
  /** Delivers until the outbox is empty or a delivery fails (ignores the backoff wait). */
  flush(): Promise<{ delivered: number; batches: number; failed?: unknown }>;
  /** One delivery attempt now (reconciles the types first). */
  deliverOnce(): Promise<DeliveryResult>;
  /** Items waiting. */
  depth(): Promise<number>;
  /** The delivery state (pending batch, counts). */
  state(): Promise<CascadeStateRecord>;
  /** Enqueues licence types whose content changed since they were last enqueued; resolves to the count. */
  syncTypes(): Promise<number>;
  /** The wait before retry `attempts` (1-based): min(max, base * 2^(attempts-1)) with equal jitter. */
  backoffMs(attempts: number): number;
  /**
   * Enqueues an `update` of every licence this node holds and re-reports every licence type
   * (page by page, resumable): what a node that joins the cascade, or an operator after a national
   * data loss, runs once. `onlyOnce`: skip when a backfill already completed. Resolves to the count.
   */
  backfill(options?: { readonly onlyOnce?: boolean }): Promise<number>;
}

/** Creates the outbox worker of a provincial node. */
export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { store, now, logger } = options;
  const random = options.random ?? Math.random;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let chain: Promise<unknown> = Promise.resolve();
  // Serialises deliveries of the timer loop and of flush() in this process.
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };

  const registry = options.registry;
  const delivered =
    registry === undefined
      ? undefined
      : new Counter({
          name: 'govtrust_cascade_outbox_batches_total',
          help: 'Outbox batches sent to the national node, by result (delivered, duplicate, failed)',
          labelNames: ['result'] as const,
          registers: [registry],
        });
  if (registry !== undefined) {
    new Gauge({
      name: 'govtrust_cascade_outbox_depth',
      help: 'Index and licence-type changes waiting in the outbox for the national node',
      registers: [registry],
      async collect() {
        this.set(await store.count('cascade-outbox'));
      },
    });
    new Gauge({
      name: 'govtrust_cascade_outbox_oldest_age_seconds',
      help: 'Age of the oldest change waiting in the outbox (0 when empty)',
      registers: [registry],
      async collect() {
        const first = (await store.query('cascade-outbox', { limit: 1 })).items[0];
        this.set(
          first === undefined
            ? 0
            : Math.max(0, (now().getTime() - Date.parse(first.value.enqueuedAt)) / 1000),
        );
      },
    });
    new Gauge({
      name: 'govtrust_cascade_outbox_attempts',
      help: 'Failed attempts of the batch being delivered (0 when none is pending)',
      registers: [registry],
      async collect() {
        this.set((await store.get('cascade-state', DELIVERY))?.value.pending?.attempts ?? 0);
      },
    });
  }

  const backoffMs = (attempts: number): number => {
    const exp = options.retryBaseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30);
    const capped = Math.min(options.retryMaxMs, exp);
    // Equal jitter: half fixed, half random, so that nodes coming back do not retry in step.
    return Math.round(capped / 2 + (random() * capped) / 2);
  };

  const syncTypes = async (): Promise<number> => {
    if (options.listTypes === undefined) return 0;
    const types = await options.listTypes();
    const hashes: Record<string, string> = {};
    for (const t of types)
      hashes[t.typeCode] = createHash('sha256').update(canonicalizeJson(t)).digest('hex');
    return store.transaction(async (tx) => {
      const st = (await tx.get('cascade-state', TYPES))?.value ?? {};
      const before = st.typeHashes ?? {};
      let n = 0;
      const at = now();
      for (const t of types) {
        if (before[t.typeCode] === hashes[t.typeCode]) continue;
        await enqueue(
          tx,
          {
            kind: 'type',
            op: before[t.typeCode] === undefined ? 'insert' : 'update',
            type: t as unknown as Record<string, unknown> & { typeCode: string },
          },
          at,
        );
        n++;
      }
      for (const code of Object.keys(before)) {
        if (hashes[code] !== undefined) continue;
        await enqueue(tx, { kind: 'type', op: 'delete', type: { typeCode: code } }, at);
        n++;
      }
      if (n > 0) await tx.put('cascade-state', TYPES, { ...st, typeHashes: hashes });
      return n;
    });
  };

  const deliverOnce = async (): Promise<DeliveryResult> => {
    try {
      await syncTypes();
    } catch (err) {
      logger.warn({ err }, 'cascade: licence types could not be reconciled');
    }
    const pending = await store.transaction(async (tx) => {
      const st = (await tx.get('cascade-state', DELIVERY))?.value ?? {};
      if (st.pending !== undefined) return st.pending;
      const page = await tx.query('cascade-outbox', { limit: options.batchSize });
      const first = page.items[0];
      const last = page.items[page.items.length - 1];
      if (first === undefined || last === undefined) return undefined;
      const p = {
        batchId: `${options.nodeId}-${first.value.seq}-${last.value.seq}-${randomBytes(4).toString('hex')}`,
        fromKey: first.key,
        toKey: last.key,
        count: page.items.length,
        createdAt: now().toISOString(),
        attempts: 0,
      };
      await tx.put('cascade-state', DELIVERY, { ...st, pending: p });
      return p;
    });
    if (pending === undefined) return { kind: 'empty' };
    const page = await store.query('cascade-outbox', {
      gte: pending.fromKey,
      lte: pending.toKey,
      limit: 1000,
    });
    const items = page.items.map((r) => r.value);
    let ack: BatchAck;
    try {
      ack = await options.send({
        batchId: pending.batchId,
        node: options.nodeId,
        sentAt: now().toISOString(),
        items,
      });
      if (ack.batchId !== pending.batchId)
        throw new Error(`the national node acknowledged ${ack.batchId}, not ${pending.batchId}`);
    } catch (err) {
      const attempts = pending.attempts + 1;
      await store.transaction(async (tx) => {
        const st = (await tx.get('cascade-state', DELIVERY))?.value ?? {};
        if (st.pending?.batchId !== pending.batchId) return;
        await tx.put('cascade-state', DELIVERY, {
          ...st,
          pending: {
            ...st.pending,
            attempts,
            lastError: (err instanceof Error ? err.message : String(err)).slice(0, 300),
          },
        });
      });
      delivered?.inc({ result: 'failed' });
      return { kind: 'failed', batchId: pending.batchId, attempts, error: err };
    }
    await store.transaction(async (tx) => {
      for (const it of items) await tx.delete('cascade-outbox', outboxKey(it.seq));
      const st = (await tx.get('cascade-state', DELIVERY))?.value ?? {};
      const { pending: _done, ...rest } = st;
      await tx.put('cascade-state', DELIVERY, {
        ...rest,
        delivered: (st.delivered ?? 0) + items.length,
        lastDeliveredAt: now().toISOString(),
      });
    });
    delivered?.inc({ result: ack.duplicate ? 'duplicate' : 'delivered' });
    return {
      kind: 'delivered',
      batchId: pending.batchId,
      count: items.length,
      duplicate: ack.duplicate,
    };
  };

  const backfill = async (o: { readonly onlyOnce?: boolean } = {}): Promise<number> => {
    const state = (await store.get('cascade-state', BACKFILL))?.value ?? {};
    if (o.onlyOnce === true && state.backfilledAt !== undefined) return 0;
    let n = 0;
    // Types first: forget what was reported so that every type is enqueued again.
    await store.transaction(async (tx) => {
      const st = (await tx.get('cascade-state', TYPES))?.value ?? {};
      await tx.put('cascade-state', TYPES, { ...st, typeHashes: {} });
    });
    n += await syncTypes();
    if (options.indexPage === undefined) return n;
    let after = o.onlyOnce === true ? state.backfillCursor : undefined;
    for (;;) {
      const indexPage = options.indexPage;
      // Read and enqueue in one transaction: a change made meanwhile is enqueued after this one.
      const { count, next } = await store.transaction(async (tx) => {
        const page = await indexPage(tx, after, options.batchSize);
        const at = now();
        for (const record of page.records)
          await enqueue(tx, { kind: 'licence', op: 'update', record }, at);
        // The cursor moves in the same transaction: an interrupted backfill resumes where it stopped.
        await tx.put(
          'cascade-state',
          BACKFILL,
          page.next === undefined
            ? { backfilledAt: at.toISOString() }
            : { backfillCursor: page.next },
        );
        return { count: page.records.length, next: page.next };
      });
      n += count;
      if (next === undefined) return n;
      after = next;
    }
  };

  const schedule = (ms: number): void => {
    if (!running) return;
    timer = setTimeout(() => {
      timer = undefined;
      void exclusive(deliverOnce)
        .then((r) => {
          if (r.kind === 'delivered') schedule(0);
          else if (r.kind === 'empty') schedule(options.pollMs);
          else {
            const wait = backoffMs(r.attempts);
            logger.warn(
              {
                batchId: r.batchId,
                attempts: r.attempts,
                retryInMs: wait,
                code: (r.error as { code?: unknown }).code,
              },
              'cascade: index batch not delivered; will retry',
            );
            schedule(wait);
          }
        })
        .catch((err: unknown) => {
          logger.error({ err }, 'cascade: outbox worker failed');
          schedule(options.retryBaseMs);
        });
    }, ms);
    timer.unref();
  };

  return {
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await chain;
    },
    flush() {
      return exclusive(async () => {
        let deliveredCount = 0;
        let batches = 0;
        for (;;) {
          const r = await deliverOnce();
          if (r.kind === 'empty') return { delivered: deliveredCount, batches };
          if (r.kind === 'failed') return { delivered: deliveredCount, batches, failed: r.error };
          deliveredCount += r.count;
          batches++;
        }
      });
    },
    deliverOnce: () => exclusive(deliverOnce),
    depth: () => store.count('cascade-outbox'),
    async state() {
      return (await store.get('cascade-state', DELIVERY))?.value ?? {};
    },
    syncTypes,
    backoffMs,
    backfill: (o) => exclusive(() => backfill(o)),
  };
}
