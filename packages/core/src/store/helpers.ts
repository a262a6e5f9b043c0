/**
 * Patterns the signing server needs, built on any store: replay-proof request nonces, idempotency
 * keys (IETF draft-ietf-httpapi-idempotency-key-header semantics) and a transactional outbox with
 * retry and backoff for the directory cascade.
 * @module
 */
import { IdempotencyError, NonceReplayedError, StoreNotFoundError } from '../errors/index.js';
import type { JsonObject } from '../internal/canonical-json.js';
import { formatLogExport } from './chain.js';
import {
  defineCollection,
  indexKey,
  type CollectionSpec,
  type LogEntry,
  type LogName,
  type Store,
  type StoreSchema,
  type StoreTransaction,
  type TransactionOptions,
} from './types.js';

/** A request nonce remembered until it expires. */
export interface NonceRecord {
  readonly scope: string;
  readonly nonce: string;
  readonly firstSeen: string;
}

/** Stored state of an idempotency key. */
export interface IdempotencyRecord {
  readonly scope: string;
  readonly key: string;
  /** Hash of the request the key was first used with (method, path, body digest…). */
  readonly requestHash: string;
  readonly state: 'in-progress' | 'completed';
  readonly startedAt: string;
  readonly completedAt?: string;
  /** The response to replay (status, headers, body reference): whatever the caller stored. */
  readonly response?: JsonObject;
}

/** An outbox message: delivered at least once, in order of `due`, with retries. */
export interface OutboxRecord {
  readonly id: string;
  readonly topic: string;
  readonly payload: JsonObject;
  readonly createdAt: string;
  /** When the message is next due (ISO time); a claimed message is due again when its lease ends. */
  readonly due: string;
  readonly attempts: number;
  readonly lastError?: string;
  /** Set while a worker holds the message. */
  readonly leaseId?: string;
}

/** The collections these helpers use; add them to your schema (`{ ...helperCollections, ...yours }`). */
export const helperCollections = {
  nonces: defineCollection<NonceRecord>(),
  idempotency: defineCollection<IdempotencyRecord>(),
  outbox: defineCollection<OutboxRecord>({
    indexes: { due: { key: (m) => indexKey(m.topic, m.due, m.id) } },
  }),
} as const satisfies Record<string, CollectionSpec<never>>;

/** The helpers' own view of a schema: exactly their collections. */
interface HelperSchema extends StoreSchema {
  readonly collections: typeof helperCollections;
}

/** A schema that includes the helper collections (and any others). */
export type WithHelpers = { readonly collections: typeof helperCollections } & StoreSchema;

/** Runs `fn` in the given transaction, or in a new one on the store. */
function inTx<S extends WithHelpers, R>(
  target: Store<S> | StoreTransaction<S>,
  fn: (tx: StoreTransaction<HelperSchema>) => Promise<R>,
  options: TransactionOptions = {},
): Promise<R> {
  // The caller's schema contains the helper collections; operate on that part of it.
  const t = target as unknown as Store<HelperSchema> | StoreTransaction<HelperSchema>;
  return 'transaction' in t ? t.transaction(fn, options) : fn(t);
}

function asHelperStore<S extends WithHelpers>(store: Store<S>): Store<HelperSchema> {
  const view: unknown = store;
  return view as Store<HelperSchema>;
}

/** Options of `registerNonce`. */
export interface NonceOptions {
  /** Who the nonce belongs to (e.g. the app id); nonces are unique per scope. */
  readonly scope: string;
  readonly nonce: string;
  readonly now: Date;
  /** How long the nonce is remembered: at least the request timestamp's allowed skew, both ways. */
  readonly ttlMs: number;
  /**
   * Commit durability when `target` is a store (see `TransactionOptions.durability`). `deferred`
   * suits a request whose effects are committed durably afterwards: that commit flushes the nonce.
   */
  readonly durability?: 'durable' | 'deferred';
}

/**
 * Remembers a request nonce, refusing one seen before that has not expired. Expired nonces are
 * overwritten; call `purgeExpired('nonces', now)` from time to time to drop them.
 * @throws {NonceReplayedError} ERR_STORE_NONCE_REPLAYED
 */
export async function registerNonce<S extends WithHelpers>(
  target: Store<S> | StoreTransaction<S>,
  options: NonceOptions,
): Promise<void> {
  const key = indexKey(options.scope, options.nonce);
  const expiresAt = options.now.getTime() + options.ttlMs;
  await inTx(
    target,
    async (tx) => {
      const seen = await tx.get('nonces', key);
      if (seen !== undefined && (seen.expiresAt ?? Infinity) > options.now.getTime()) {
        throw new NonceReplayedError(options.scope);
      }
      await tx.put(
        'nonces',
        key,
        { scope: options.scope, nonce: options.nonce, firstSeen: options.now.toISOString() },
        { expiresAt },
      );
    },
    options.durability === undefined ? {} : { durability: options.durability },
  );
}

/** What `beginIdempotent` found. */
export type IdempotencyStart =
  | { readonly state: 'new' }
  | { readonly state: 'completed'; readonly response: JsonObject | undefined };

/** Options of `beginIdempotent`. */
export interface IdempotencyOptions {
  readonly scope: string;
  readonly key: string;
  readonly requestHash: string;
  readonly now: Date;
  /** How long the key is remembered (default 24 h). */
  readonly ttlMs?: number;
}

/**
 * Claims an idempotency key: `new` (go ahead, then `completeIdempotent` or `abandonIdempotent`),
 * or `completed` with the first response to replay.
 * @throws {IdempotencyError} ERR_STORE_IDEMPOTENCY_MISMATCH (same key, different request) or
 *   ERR_STORE_IDEMPOTENCY_IN_PROGRESS (the first request is still running)
 */
export async function beginIdempotent<S extends WithHelpers>(
  target: Store<S> | StoreTransaction<S>,
  options: IdempotencyOptions,
): Promise<IdempotencyStart> {
  const key = indexKey(options.scope, options.key);
  const expiresAt = options.now.getTime() + (options.ttlMs ?? 86_400_000);
  return inTx(target, async (tx) => {
    const current = await tx.get('idempotency', key);
    if (current !== undefined && (current.expiresAt ?? Infinity) > options.now.getTime()) {
      if (current.value.requestHash !== options.requestHash) {
        throw new IdempotencyError('ERR_STORE_IDEMPOTENCY_MISMATCH', options.key);
      }
      if (current.value.state === 'in-progress') {
        throw new IdempotencyError('ERR_STORE_IDEMPOTENCY_IN_PROGRESS', options.key);
      }
      return { state: 'completed', response: current.value.response };
    }
    await tx.put(
      'idempotency',
      key,
      {
        scope: options.scope,
        key: options.key,
        requestHash: options.requestHash,
        state: 'in-progress',
        startedAt: options.now.toISOString(),
      },
      { expiresAt },
    );
    return { state: 'new' };
  });
}

/**
 * Records the response of a request claimed with `beginIdempotent`.
 * @throws {StoreNotFoundError} ERR_STORE_NOT_FOUND when the key was never claimed
 */
export async function completeIdempotent<S extends WithHelpers>(
  target: Store<S> | StoreTransaction<S>,
  options: {
    readonly scope: string;
    readonly key: string;
    readonly response: JsonObject;
    readonly now: Date;
  },
): Promise<void> {
  await inTx(target, (tx) =>
    tx.update('idempotency', indexKey(options.scope, options.key), (v) => ({
      ...v,
      state: 'completed' as const,
      completedAt: options.now.toISOString(),
      response: options.response,
    })),
  );
}

/** Releases a claimed key after the request failed, so that a retry can run. */
export async function abandonIdempotent<S extends WithHelpers>(
  target: Store<S> | StoreTransaction<S>,
  options: { readonly scope: string; readonly key: string },
): Promise<void> {
  await inTx(target, (tx) =>
    tx.delete('idempotency', indexKey(options.scope, options.key)).then(() => undefined),
  );
}

/** Adds a message to the outbox; call it in the transaction that makes the change it reports. */
export async function enqueueOutbox<S extends WithHelpers>(
  target: Store<S> | StoreTransaction<S>,
  message: {
    readonly id: string;
    readonly topic: string;
    readonly payload: JsonObject;
    readonly now: Date;
  },
): Promise<void> {
  const at = message.now.toISOString();
  await inTx(target, (tx) =>
    tx
      .insert('outbox', message.id, {
        id: message.id,
        topic: message.topic,
        payload: message.payload,
        createdAt: at,
        due: at,
        attempts: 0,
      })
      .then(() => undefined),
  );
}

/** Options of `claimOutbox`. */
export interface ClaimOutboxOptions {
  readonly topic: string;
  readonly now: Date;
  /** At most this many messages (default 100). */
  readonly limit?: number;
  /** How long the claim holds before the messages are due again (default 60 s). */
  readonly leaseMs?: number;
  /** Identifies this claim; `ackOutbox`/`failOutbox` need it. */
  readonly leaseId: string;
}

/**
 * Claims the messages of a topic that are due, oldest first, for `leaseMs`: a worker that dies
 * leaves them to be claimed again when the lease ends (delivery is at least once; receivers
 * deduplicate by message or batch id).
 */
export async function claimOutbox<S extends WithHelpers>(
  store: Store<S>,
  options: ClaimOutboxOptions,
): Promise<readonly OutboxRecord[]> {
  const nowIso = options.now.toISOString();
  const leaseUntil = new Date(options.now.getTime() + (options.leaseMs ?? 60_000)).toISOString();
  return asHelperStore(store).transaction(async (tx) => {
    const page = await tx.query('outbox', {
      index: 'due',
      gte: indexKey(options.topic, ''),
      lte: indexKey(options.topic, nowIso, '\u{10FFFF}'),
      limit: options.limit ?? 100,
    });
    const claimed: OutboxRecord[] = [];
    for (const r of page.items) {
      const next = await tx.put(
        'outbox',
        r.key,
        { ...r.value, due: leaseUntil, leaseId: options.leaseId },
        { ifVersion: r.version },
      );
      claimed.push(next.value);
    }
    return claimed;
  });
}

/** Removes delivered messages (only those still held by `leaseId`). */
export async function ackOutbox<S extends WithHelpers>(
  store: Store<S>,
  ids: readonly string[],
  leaseId: string,
): Promise<number> {
  return asHelperStore(store).transaction(async (tx) => {
    let n = 0;
    for (const id of ids) {
      const r = await tx.get('outbox', id);
      if (r?.value.leaseId === leaseId && (await tx.delete('outbox', id, { ifVersion: r.version })))
        n++;
    }
    return n;
  });
}

/** Exponential backoff with a cap: 1 s, 2 s, 4 s … up to 5 min by default. */
export function outboxBackoffMs(attempts: number, baseMs = 1000, capMs = 300_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * Records a failed delivery: the message becomes due again after the backoff.
 * @throws {StoreNotFoundError} ERR_STORE_NOT_FOUND when the message is gone or held by another lease
 */
export async function failOutbox<S extends WithHelpers>(
  store: Store<S>,
  options: {
    readonly id: string;
    readonly leaseId: string;
    readonly now: Date;
    readonly error: string;
    readonly backoffMs?: (attempts: number) => number;
  },
): Promise<OutboxRecord> {
  return asHelperStore(store).transaction(async (tx) => {
    const r = await tx.get('outbox', options.id);
    if (r?.value.leaseId !== options.leaseId) {
      throw new StoreNotFoundError(`Outbox message '${options.id}' is not held by this lease`, {
        collection: 'outbox',
        key: options.id,
      });
    }
    const attempts = r.value.attempts + 1;
    const delay = (options.backoffMs ?? outboxBackoffMs)(attempts);
    const { leaseId: _released, ...rest } = r.value;
    const next = await tx.put(
      'outbox',
      options.id,
      {
        ...rest,
        attempts,
        lastError: options.error.slice(0, 500),
        due: new Date(options.now.getTime() + delay).toISOString(),
      },
      { ifVersion: r.version },
    );
    return next.value;
  });
}

/**
 * The whole of a log as NDJSON (`formatLogExport`), read page by page: the file
 * `govtrust audit verify` checks offline with `parseLogExport` and `verifyLogChain`.
 */
export async function exportLog<S extends StoreSchema>(
  store: Store<S>,
  log: LogName<S>,
  options: { readonly fromSeq?: number } = {},
): Promise<string> {
  const entries: LogEntry[] = [];
  let from = options.fromSeq ?? 1;
  for (;;) {
    const page = await store.readLog(log, from, 10_000);
    entries.push(...page);
    if (page.length < 10_000) break;
    from += page.length;
  }
  const alg = entries[0]?.alg ?? store.schema.logs?.[log]?.hash ?? 'sha256';
  return formatLogExport(log, alg, entries);
}
