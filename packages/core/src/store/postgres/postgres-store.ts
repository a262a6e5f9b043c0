/**
 * The PostgreSQL driver: the same store interface on SQL tables (records, index entries, logs),
 * each transaction `SERIALIZABLE` and retried on serialisation failures, so several server
 * instances can share one database.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import {
  StoreBusyError,
  StoreClosedError,
  StoreConflictError,
  StoreIoError,
  StoreNestedTransactionError,
  StoreNotFoundError,
  StoreReadOnlyError,
  StoreSchemaError,
  StoreValueError,
} from '../../errors/index.js';
import { GENESIS_HASH, hashLogEntry } from '../chain.js';
import { StoreOperationsBase } from '../operations.js';
import type {
  CollectionName,
  DeleteOptions,
  EntryOf,
  IndexSpec,
  InsertOptions,
  KeyRange,
  LogEntry,
  LogHashAlgorithm,
  LogHead,
  LogName,
  LogPage,
  LogQuery,
  PutOptions,
  Store,
  StoredRecord,
  StorePage,
  StoreQuery,
  StoreSchema,
  StoreTransaction,
  TransactionOptions,
  ValueOf,
} from '../types.js';
import {
  assertKey,
  assertName,
  assertRange,
  decodeCursor,
  encodeCursor,
  expiryMs,
  freezeJsonObject,
  normaliseIndexKeys,
  pageLimit,
} from '../values.js';

/** Options of `openPostgresStore`. */
export interface PostgresStoreOptions<S extends StoreSchema> {
  readonly schema: S;
  /** A pool to use (the store does not end it), or … */
  readonly pool?: pg.Pool;
  /** … a connection string for a pool the store owns. */
  readonly connectionString?: string;
  /** Size of an owned pool (default 10). */
  readonly poolSize?: number;
  /** PostgreSQL schema (namespace) holding the tables; created when missing (default `govtrust`). */
  readonly namespace?: string;
  /** Attempts of a transaction that keeps meeting serialisation failures (default 50). */
  readonly maxAttempts?: number;
}

const NAMESPACE = /^[a-z_][a-z0-9_]{0,62}$/;
const txContext = new AsyncLocalStorage<object>();

interface CollectionInfo {
  readonly indexes: Map<
    string,
    { key: (value: never) => string | readonly string[] | undefined; unique: boolean }
  >;
  readonly hasUnique: boolean;
}

interface LogInfo {
  readonly alg: LogHashAlgorithm;
  readonly indexes: Map<string, (entry: never) => string | readonly string[] | undefined>;
}

interface Sql {
  readonly records: string;
  readonly index: string;
  readonly unique: string;
  readonly logs: string;
  readonly heads: string;
  readonly logIndex: string;
}

/** SQL for a key range on `column`; appends parameters to `params`. */
function rangeSql(column: string, range: KeyRange, params: unknown[]): string {
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  const parts: string[] = [];
  if (range.equals !== undefined) parts.push(`${column} = ${p(range.equals)}`);
  if (range.prefix !== undefined) {
    // LIKE with COLLATE "C" uses the btree index for a prefix.
    parts.push(`${column} LIKE ${p(range.prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%')}`);
  }
  if (range.gt !== undefined) parts.push(`${column} > ${p(range.gt)}`);
  if (range.gte !== undefined) parts.push(`${column} >= ${p(range.gte)}`);
  if (range.lt !== undefined) parts.push(`${column} < ${p(range.lt)}`);
  if (range.lte !== undefined) parts.push(`${column} <= ${p(range.lte)}`);
  return parts.length === 0 ? 'TRUE' : parts.join(' AND ');
}

interface RecordRow {
  key: string;
  version: string;
  value: object;
  expires_at: string | null;
  ivalue?: string;
}

function toRecord<T extends object>(row: RecordRow): StoredRecord<T> {
  const expiresAt = row.expires_at === null ? undefined : Number(row.expires_at);
  return Object.freeze({
    key: row.key,
    value: freezeJsonObject(row.value) as T,
    version: Number(row.version),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  });
}

interface LogRow {
  log: string;
  seq: string;
  prev_hash: string;
  hash: string;
  alg: LogHashAlgorithm;
  entry: object;
  ivalue?: string;
}

function toEntry<E extends object>(row: LogRow): LogEntry<E> {
  return Object.freeze({
    log: row.log,
    seq: Number(row.seq),
    prevHash: row.prev_hash,
    hash: row.hash,
    alg: row.alg,
    entry: freezeJsonObject(row.entry) as E,
  });
}

/** Serialisation failure or deadlock: the transaction may succeed when run again. */
function isRetryable(err: unknown): boolean {
  const code = pgCode(err);
  return code === '40001' || code === '40P01';
}

function pgCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** A transaction on one pooled connection; its operations run one after another. */
class PgTransaction<S extends StoreSchema> implements StoreTransaction<S> {
  private chain: Promise<unknown> = Promise.resolve();
  private active = true;
  private savepoints = 0;

  constructor(
    private readonly client: Pick<pg.PoolClient, 'query'>,
    private readonly sql: Sql,
    private readonly collections: Map<string, CollectionInfo>,
    private readonly logs: Map<string, LogInfo>,
    private readonly readOnly: boolean,
  ) {}

  end(): void {
    this.active = false;
  }

  /** Runs `body` after the transaction's previous operation (a connection runs one statement sequence). */
  private op<R>(write: boolean, body: () => Promise<R>): Promise<R> {
    const run = this.chain.then(async () => {
      if (!this.active)
        throw new StoreClosedError(
          'The transaction has ended; use the tx only inside its function',
        );
      if (write && this.readOnly) throw new StoreReadOnlyError();
      return body();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Runs a statement; serialisation failures and unique violations pass through raw (the caller handles them), others become ERR_STORE_IO. */
  private async q<R extends pg.QueryResultRow>(
    text: string,
    params: readonly unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.client.query<R>(text, params as unknown[]);
    } catch (err) {
      if (isRetryable(err) || pgCode(err) === '23505') throw err;
      throw new StoreIoError(`PostgreSQL: ${(err as Error).message}`, { cause: err });
    }
  }

  private collection(name: string): CollectionInfo {
    const c = this.collections.get(name);
    if (c === undefined) throw new StoreSchemaError(`Unknown collection '${name}'`);
    return c;
  }

  private log(name: string): LogInfo {
    const l = this.logs.get(name);
    if (l === undefined) throw new StoreSchemaError(`Unknown log '${name}'`);
    return l;
  }

  /** Runs a write in a savepoint when unique indexes may refuse it, so a refusal leaves the transaction usable. */
  private async guarded<R>(info: CollectionInfo, body: () => Promise<R>): Promise<R> {
    if (!info.hasUnique) return body();
    const name = `gt_sp_${++this.savepoints}`;
    await this.q(`SAVEPOINT ${name}`, []);
    try {
      const r = await body();
      await this.q(`RELEASE SAVEPOINT ${name}`, []);
      return r;
    } catch (err) {
      await this.q(`ROLLBACK TO SAVEPOINT ${name}`, []);
      throw err;
    }
  }

  /** Replaces the index entries of a record (none when `value` is undefined). */
  private async reindex(
    collection: string,
    info: CollectionInfo,
    key: string,
    value: object | undefined,
  ): Promise<void> {
    const { index, unique } = this.sql;
    if (info.indexes.size === 0) return;
    await this.q(`DELETE FROM ${index} WHERE collection = $1 AND key = $2`, [collection, key]);
    if (info.hasUnique)
      await this.q(`DELETE FROM ${unique} WHERE collection = $1 AND key = $2`, [collection, key]);
    if (value === undefined) return;
    for (const [iname, idx] of info.indexes) {
      const values = normaliseIndexKeys(
        (idx.key as (v: object) => string | readonly string[] | undefined)(value),
        iname,
      );
      if (values.length === 0) continue;
      await this.q(
        `INSERT INTO ${index} (collection, index_name, value, key) SELECT $1, $2, v, $3 FROM unnest($4::text[]) AS v`,
        [collection, iname, key, values],
      );
      if (idx.unique) {
        try {
          await this.q(
            `INSERT INTO ${unique} (collection, index_name, value, key) SELECT $1, $2, v, $3 FROM unnest($4::text[]) AS v`,
            [collection, iname, key, values],
          );
        } catch (err) {
          if (pgCode(err) === '23505') {
            throw new StoreConflictError(
              `Index '${iname}' of '${collection}' already holds one of ${values.join(', ')}`,
              {
                collection,
                key,
                reason: 'unique',
                index: iname,
              },
            );
          }
          throw err;
        }
      }
    }
  }

  get<C extends CollectionName<S>>(
    collection: C,
    key: string,
  ): Promise<StoredRecord<ValueOf<S, C>> | undefined> {
    return this.op(false, async () => {
      this.collection(collection);
      assertKey(key);
      const r = await this.q<RecordRow>(
        `SELECT key, version, value, expires_at FROM ${this.sql.records} WHERE collection = $1 AND key = $2`,
        [collection, key],
      );
      return r.rows[0] === undefined ? undefined : toRecord<ValueOf<S, C>>(r.rows[0]);
    });
  }

  insert<C extends CollectionName<S>>(
    collection: C,
    key: string,
    value: ValueOf<S, C>,
    options: InsertOptions = {},
  ): Promise<StoredRecord<ValueOf<S, C>>> {
    return this.op(true, async () => {
      const info = this.collection(collection);
      assertKey(key);
      const frozen = freezeJsonObject(value);
      const expiresAt = expiryMs(options.expiresAt);
      return this.guarded(info, async () => {
        const r = await this.q(
          `INSERT INTO ${this.sql.records} (collection, key, version, value, expires_at) VALUES ($1, $2, 1, $3::jsonb, $4)
           ON CONFLICT (collection, key) DO NOTHING RETURNING version`,
          [collection, key, JSON.stringify(frozen), expiresAt ?? null],
        );
        if (r.rowCount !== 1) {
          throw new StoreConflictError(`'${collection}' already holds '${key}'`, {
            collection,
            key,
            reason: 'exists',
          });
        }
        await this.reindex(collection, info, key, frozen);
        return Object.freeze({
          key,
          value: frozen,
          version: 1,
          ...(expiresAt === undefined ? {} : { expiresAt }),
        });
      });
    });
  }

  put<C extends CollectionName<S>>(
    collection: C,
    key: string,
    value: ValueOf<S, C>,
    options: PutOptions = {},
  ): Promise<StoredRecord<ValueOf<S, C>>> {
    return this.op(true, async () => {
      const info = this.collection(collection);
      assertKey(key);
      const frozen = freezeJsonObject(value);
      const expiresAt = expiryMs(options.expiresAt);
      const { records } = this.sql;
      return this.guarded(info, async () => {
        let r: pg.QueryResult<{ version: string }>;
        if (options.ifVersion !== undefined) {
          r = await this.q(
            `UPDATE ${records} SET value = $3::jsonb, version = version + 1, expires_at = $4
             WHERE collection = $1 AND key = $2 AND version = $5 RETURNING version`,
            [collection, key, JSON.stringify(frozen), expiresAt ?? null, options.ifVersion],
          );
          if (r.rowCount !== 1) {
            throw new StoreConflictError(
              `'${collection}/${key}' is not at version ${options.ifVersion}`,
              {
                collection,
                key,
                reason: 'version',
              },
            );
          }
        } else {
          r = await this.q(
            `INSERT INTO ${records} (collection, key, version, value, expires_at) VALUES ($1, $2, 1, $3::jsonb, $4)
             ON CONFLICT (collection, key) DO UPDATE SET value = EXCLUDED.value, version = ${records}.version + 1,
             expires_at = EXCLUDED.expires_at RETURNING version`,
            [collection, key, JSON.stringify(frozen), expiresAt ?? null],
          );
        }
        await this.reindex(collection, info, key, frozen);
        return Object.freeze({
          key,
          value: frozen,
          version: Number(r.rows[0]!.version),
          ...(expiresAt === undefined ? {} : { expiresAt }),
        });
      });
    });
  }

  update<C extends CollectionName<S>>(
    collection: C,
    key: string,
    fn: (current: ValueOf<S, C>, record: StoredRecord<ValueOf<S, C>>) => ValueOf<S, C>,
    options: InsertOptions = {},
  ): Promise<StoredRecord<ValueOf<S, C>>> {
    return this.op(true, async () => {
      const info = this.collection(collection);
      assertKey(key);
      const { records } = this.sql;
      const cur = await this.q<RecordRow>(
        `SELECT key, version, value, expires_at FROM ${records} WHERE collection = $1 AND key = $2 FOR UPDATE`,
        [collection, key],
      );
      if (cur.rows[0] === undefined)
        throw new StoreNotFoundError(`'${collection}' has no record '${key}'`, { collection, key });
      const current = toRecord<ValueOf<S, C>>(cur.rows[0]);
      const frozen = freezeJsonObject(fn(current.value, current));
      const expiresAt =
        options.expiresAt === undefined ? current.expiresAt : expiryMs(options.expiresAt);
      return this.guarded(info, async () => {
        await this.q(
          `UPDATE ${records} SET value = $3::jsonb, version = $4, expires_at = $5 WHERE collection = $1 AND key = $2`,
          [collection, key, JSON.stringify(frozen), current.version + 1, expiresAt ?? null],
        );
        await this.reindex(collection, info, key, frozen);
        return Object.freeze({
          key,
          value: frozen,
          version: current.version + 1,
          ...(expiresAt === undefined ? {} : { expiresAt }),
        });
      });
    });
  }

  delete(
    collection: CollectionName<S>,
    key: string,
    options: DeleteOptions = {},
  ): Promise<boolean> {
    return this.op(true, async () => {
      const info = this.collection(collection);
      assertKey(key);
      const params: unknown[] = [collection, key];
      let cond = '';
      if (options.ifVersion !== undefined) {
        params.push(options.ifVersion);
        cond = ' AND version = $3';
      }
      const r = await this.q(
        `DELETE FROM ${this.sql.records} WHERE collection = $1 AND key = $2${cond}`,
        params,
      );
      if (r.rowCount === 0) {
        if (options.ifVersion !== undefined) {
          throw new StoreConflictError(
            `'${collection}/${key}' is not at version ${options.ifVersion}`,
            {
              collection,
              key,
              reason: 'version',
            },
          );
        }
        return false;
      }
      await this.reindex(collection, info, key, undefined);
      return true;
    });
  }

  query<C extends CollectionName<S>>(
    collection: C,
    query: StoreQuery = {},
  ): Promise<StorePage<ValueOf<S, C>>> {
    return this.op(false, async () => {
      const info = this.collection(collection);
      assertRange(query);
      const limit = pageLimit(query.limit);
      const after = query.after === undefined ? undefined : decodeCursor(query.after);
      const dir = query.reverse === true ? 'DESC' : 'ASC';
      const cmp = query.reverse === true ? '<' : '>';
      const params: unknown[] = [collection];
      let text: string;
      if (query.index === undefined) {
        let where = `collection = $1 AND ${rangeSql('key', query, params)}`;
        if (after !== undefined) {
          params.push(after[1]);
          where += ` AND key ${cmp} $${params.length}`;
        }
        params.push(limit + 1);
        text = `SELECT key, version, value, expires_at FROM ${this.sql.records} WHERE ${where} ORDER BY key ${dir} LIMIT $${params.length}`;
      } else {
        if (!info.indexes.has(query.index))
          throw new StoreSchemaError(`Collection '${collection}' has no index '${query.index}'`);
        params.push(query.index);
        let where = `e.collection = $1 AND e.index_name = $2 AND ${rangeSql('e.value', query, params)}`;
        if (after !== undefined) {
          params.push(after[0], after[1]);
          where += ` AND (e.value, e.key) ${cmp} ($${params.length - 1}, $${params.length})`;
        }
        params.push(limit + 1);
        text = `SELECT e.value AS ivalue, r.key, r.version, r.value, r.expires_at FROM ${this.sql.index} e
          JOIN ${this.sql.records} r ON r.collection = e.collection AND r.key = e.key
          WHERE ${where} ORDER BY e.value ${dir}, e.key ${dir} LIMIT $${params.length}`;
      }
      const rows = (await this.q<RecordRow>(text, params)).rows;
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const items = page.map((r) => toRecord<ValueOf<S, C>>(r));
      const last = page[page.length - 1];
      return more && last !== undefined
        ? { items, next: encodeCursor(last.ivalue ?? last.key, last.key) }
        : { items };
    });
  }

  count(
    collection: CollectionName<S>,
    range: KeyRange & { readonly index?: string } = {},
  ): Promise<number> {
    return this.op(false, async () => {
      const info = this.collection(collection);
      assertRange(range);
      const params: unknown[] = [collection];
      let text: string;
      if (range.index === undefined) {
        text = `SELECT count(*) AS n FROM ${this.sql.records} WHERE collection = $1 AND ${rangeSql('key', range, params)}`;
      } else {
        if (!info.indexes.has(range.index))
          throw new StoreSchemaError(`Collection '${collection}' has no index '${range.index}'`);
        params.push(range.index);
        text = `SELECT count(*) AS n FROM ${this.sql.index} WHERE collection = $1 AND index_name = $2 AND ${rangeSql('value', range, params)}`;
      }
      const r = await this.q<{ n: string }>(text, params);
      return Number(r.rows[0]!.n);
    });
  }

  purgeExpired(collection: CollectionName<S>, now: Date, limit = 1000): Promise<number> {
    return this.op(true, async () => {
      const info = this.collection(collection);
      const r = await this.q<{ key: string }>(
        `DELETE FROM ${this.sql.records} WHERE collection = $1 AND key IN (
           SELECT key FROM ${this.sql.records} WHERE collection = $1 AND expires_at <= $2 ORDER BY expires_at, key LIMIT $3)
         RETURNING key`,
        [collection, now.getTime(), limit],
      );
      for (const row of r.rows) await this.reindex(collection, info, row.key, undefined);
      return r.rows.length;
    });
  }

  append<L extends LogName<S>>(log: L, entry: EntryOf<S, L>): Promise<LogEntry<EntryOf<S, L>>> {
    return this.op(true, async () => {
      const info = this.log(log);
      const value = freezeJsonObject(entry);
      const { heads, logs, logIndex } = this.sql;
      let head = await this.q<{ seq: string; hash: string }>(
        `SELECT seq, hash FROM ${heads} WHERE log = $1 FOR UPDATE`,
        [log],
      );
      if (head.rows[0] === undefined) {
        await this.q(
          `INSERT INTO ${heads} (log, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (log) DO NOTHING`,
          [log, GENESIS_HASH],
        );
        head = await this.q(`SELECT seq, hash FROM ${heads} WHERE log = $1 FOR UPDATE`, [log]);
      }
      const seq = Number(head.rows[0]!.seq) + 1;
      const prevHash = head.rows[0]!.hash;
      const hash = hashLogEntry({ log, seq, prevHash, alg: info.alg, entry: value });
      await this.q(
        `INSERT INTO ${logs} (log, seq, prev_hash, hash, alg, entry) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
        [log, seq, prevHash, hash, info.alg, JSON.stringify(value)],
      );
      await this.q(`UPDATE ${heads} SET seq = $2, hash = $3 WHERE log = $1`, [log, seq, hash]);
      for (const [iname, key] of info.indexes) {
        const values = normaliseIndexKeys(
          (key as (e: object) => string | readonly string[] | undefined)(value),
          iname,
        );
        if (values.length > 0) {
          await this.q(
            `INSERT INTO ${logIndex} (log, index_name, value, seq) SELECT $1, $2, v, $3 FROM unnest($4::text[]) AS v`,
            [log, iname, seq, values],
          );
        }
      }
      const appended: LogEntry<EntryOf<S, L>> = {
        log,
        seq,
        prevHash,
        hash,
        alg: info.alg,
        entry: value,
      };
      return Object.freeze(appended);
    });
  }

  queryLog<L extends LogName<S>>(log: L, query: LogQuery = {}): Promise<LogPage<EntryOf<S, L>>> {
    return this.op(false, async () => {
      const info = this.log(log);
      assertRange(query);
      const limit = pageLimit(query.limit);
      const after = query.after === undefined ? undefined : decodeCursor(query.after);
      const dir = query.reverse === true ? 'DESC' : 'ASC';
      const cmp = query.reverse === true ? '<' : '>';
      const params: unknown[] = [log];
      let text: string;
      if (query.index === undefined) {
        if (
          Object.keys(query).some((k) => ['equals', 'prefix', 'gt', 'gte', 'lt', 'lte'].includes(k))
        ) {
          throw new StoreValueError(
            'A log query without an index takes no range; use readLog for sequence ranges',
          );
        }
        let where = 'log = $1';
        if (after !== undefined) {
          params.push(Number(after[1]));
          where += ` AND seq ${cmp} $${params.length}`;
        }
        params.push(limit + 1);
        text = `SELECT log, seq, prev_hash, hash, alg, entry FROM ${this.sql.logs} WHERE ${where} ORDER BY seq ${dir} LIMIT $${params.length}`;
      } else {
        if (!info.indexes.has(query.index))
          throw new StoreSchemaError(`Log '${log}' has no index '${query.index}'`);
        params.push(query.index);
        let where = `i.log = $1 AND i.index_name = $2 AND ${rangeSql('i.value', query, params)}`;
        if (after !== undefined) {
          params.push(after[0], Number(after[1]));
          where += ` AND (i.value, i.seq) ${cmp} ($${params.length - 1}, $${params.length})`;
        }
        params.push(limit + 1);
        text = `SELECT i.value AS ivalue, l.log, l.seq, l.prev_hash, l.hash, l.alg, l.entry FROM ${this.sql.logIndex} i
          JOIN ${this.sql.logs} l ON l.log = i.log AND l.seq = i.seq
          WHERE ${where} ORDER BY i.value ${dir}, i.seq ${dir} LIMIT $${params.length}`;
      }
      const rows = (await this.q<LogRow>(text, params)).rows;
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const items = page.map((r) => toEntry<EntryOf<S, L>>(r));
      const last = page[page.length - 1];
      return more && last !== undefined
        ? {
            items,
            next: encodeCursor(last.ivalue ?? '', String(Number(last.seq)).padStart(16, '0')),
          }
        : { items };
    });
  }

  readLog<L extends LogName<S>>(
    log: L,
    fromSeq = 1,
    limit = 1000,
  ): Promise<readonly LogEntry<EntryOf<S, L>>[]> {
    return this.op(false, async () => {
      this.log(log);
      if (!Number.isSafeInteger(fromSeq) || fromSeq < 1)
        throw new StoreValueError('fromSeq is an integer from 1');
      const n = pageLimit(limit, 10_000);
      const r = await this.q<LogRow>(
        `SELECT log, seq, prev_hash, hash, alg, entry FROM ${this.sql.logs} WHERE log = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
        [log, fromSeq, n],
      );
      return r.rows.map((row) => toEntry<EntryOf<S, L>>(row));
    });
  }

  logHead(log: LogName<S>): Promise<LogHead | undefined> {
    return this.op(false, async () => {
      this.log(log);
      const r = await this.q<{ seq: string; hash: string }>(
        `SELECT seq, hash FROM ${this.sql.heads} WHERE log = $1 AND seq > 0`,
        [log],
      );
      const row = r.rows[0];
      return row === undefined ? undefined : { log, seq: Number(row.seq), hash: row.hash };
    });
  }
}

/** A store on PostgreSQL. */
class PostgresStore<S extends StoreSchema> extends StoreOperationsBase<S> {
  readonly driver = 'postgres' as const;
  private closed = false;

  constructor(
    readonly schema: S,
    private readonly pool: pg.Pool,
    private readonly ownsPool: boolean,
    private readonly sql: Sql,
    private readonly collections: Map<string, CollectionInfo>,
    private readonly logs: Map<string, LogInfo>,
    private readonly maxAttempts: number,
  ) {
    super();
  }

  async transaction<R>(
    fn: (tx: StoreTransaction<S>) => Promise<R>,
    options: TransactionOptions = {},
  ): Promise<R> {
    if (txContext.getStore() === this) throw new StoreNestedTransactionError();
    if (this.closed) throw new StoreClosedError();
    const readOnly = options.readOnly === true;
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (err) {
        throw new StoreIoError('Could not connect to PostgreSQL', { cause: err });
      }
      let broken = false;
      try {
        try {
          await client.query(
            readOnly
              ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'
              : 'BEGIN ISOLATION LEVEL SERIALIZABLE',
          );
        } catch (err) {
          broken = true;
          throw new StoreIoError(`PostgreSQL: ${(err as Error).message}`, { cause: err });
        }
        if (!readOnly && options.durability === 'deferred') {
          // Asynchronous commit (PostgreSQL §30.4): visible and ordered now, on disk with the next
          // synchronous commit's WAL flush or within wal_writer_delay.
          await client.query('SET LOCAL synchronous_commit TO OFF');
        }
        const tx = new PgTransaction<S>(client, this.sql, this.collections, this.logs, readOnly);
        let result: R;
        try {
          result = await txContext.run(this, () => fn(tx));
          await client.query('COMMIT');
          return result;
        } catch (err) {
          try {
            await client.query('ROLLBACK');
          } catch {
            broken = true;
          }
          if (isRetryable(err)) {
            if (attempt >= this.maxAttempts) throw new StoreBusyError(attempt, { cause: err });
          } else if (err instanceof pg.DatabaseError) {
            throw new StoreIoError(`PostgreSQL: ${err.message}`, { cause: err });
          } else {
            // The caller's own error (or a GovTrust error): the transaction is rolled back and it propagates.
            throw err;
          }
        } finally {
          tx.end();
        }
      } finally {
        client.release(broken);
      }
      // Only a serialisation failure gets here: back off (jittered, exponential) and run again.
      const delay = Math.min(200, 2 ** Math.min(attempt, 7)) * Math.random();
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** A read that is one statement: run on the pool without BEGIN/COMMIT (a statement is atomic by itself). */
  protected override async read<R>(fn: (tx: StoreTransaction<S>) => Promise<R>): Promise<R> {
    if (txContext.getStore() === this) throw new StoreNestedTransactionError();
    if (this.closed) throw new StoreClosedError();
    const tx = new PgTransaction<S>(this.pool, this.sql, this.collections, this.logs, true);
    try {
      return await fn(tx);
    } finally {
      tx.end();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end();
  }
}

/**
 * Opens a store on PostgreSQL, creating its tables in `namespace` when missing. Keys and index
 * values use `COLLATE "C"` (code-point order, as the other drivers).
 * @throws {StoreIoError} ERR_STORE_IO when the database cannot be reached or prepared
 * @throws {StoreSchemaError} ERR_STORE_SCHEMA for an invalid namespace, collection, log or index name
 */
export async function openPostgresStore<S extends StoreSchema>(
  options: PostgresStoreOptions<S>,
): Promise<Store<S>> {
  const ns = options.namespace ?? 'govtrust';
  if (!NAMESPACE.test(ns))
    throw new StoreSchemaError(`Namespace '${ns}' is not a lower-case SQL identifier`);
  const collections = new Map<string, CollectionInfo>();
  for (const [name, spec] of Object.entries(options.schema.collections)) {
    assertName('Collection', name);
    const indexes = new Map<
      string,
      { key: (value: never) => string | readonly string[] | undefined; unique: boolean }
    >();
    for (const [iname, ispec] of Object.entries<IndexSpec<never>>(spec.indexes ?? {})) {
      assertName('Index', iname);
      indexes.set(iname, { key: ispec.key, unique: ispec.unique === true });
    }
    collections.set(name, { indexes, hasUnique: [...indexes.values()].some((i) => i.unique) });
  }
  const logs = new Map<string, LogInfo>();
  for (const [name, spec] of Object.entries(options.schema.logs ?? {})) {
    assertName('Log', name);
    const indexes = new Map<string, (entry: never) => string | readonly string[] | undefined>();
    for (const [iname, ispec] of Object.entries(spec.indexes ?? {})) {
      assertName('Index', iname);
      indexes.set(iname, ispec.key);
    }
    logs.set(name, { alg: spec.hash ?? 'sha256', indexes });
  }
  if (options.pool === undefined && options.connectionString === undefined) {
    throw new StoreValueError('openPostgresStore needs a pool or a connectionString');
  }
  const pool =
    options.pool ??
    new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10 });
  const ownsPool = options.pool === undefined;
  // An idle client's network error must not crash the process; the next checkout reports it.
  if (ownsPool) pool.on('error', () => undefined);
  const sql: Sql = {
    records: `"${ns}".records`,
    index: `"${ns}".index_entries`,
    unique: `"${ns}".unique_entries`,
    logs: `"${ns}".log_entries`,
    heads: `"${ns}".log_heads`,
    logIndex: `"${ns}".log_index_entries`,
  };
  const ddl = `
    CREATE SCHEMA IF NOT EXISTS "${ns}";
    CREATE TABLE IF NOT EXISTS ${sql.records} (
      collection text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, version bigint NOT NULL,
      value jsonb NOT NULL, expires_at bigint, PRIMARY KEY (collection, key));
    CREATE INDEX IF NOT EXISTS records_expiry ON ${sql.records} (collection, expires_at) WHERE expires_at IS NOT NULL;
    CREATE TABLE IF NOT EXISTS ${sql.index} (
      collection text COLLATE "C" NOT NULL, index_name text COLLATE "C" NOT NULL, value text COLLATE "C" NOT NULL,
      key text COLLATE "C" NOT NULL, PRIMARY KEY (collection, index_name, value, key));
    CREATE INDEX IF NOT EXISTS index_entries_by_key ON ${sql.index} (collection, key);
    CREATE TABLE IF NOT EXISTS ${sql.unique} (
      collection text COLLATE "C" NOT NULL, index_name text COLLATE "C" NOT NULL, value text COLLATE "C" NOT NULL,
      key text COLLATE "C" NOT NULL, PRIMARY KEY (collection, index_name, value));
    CREATE INDEX IF NOT EXISTS unique_entries_by_key ON ${sql.unique} (collection, key);
    CREATE TABLE IF NOT EXISTS ${sql.logs} (
      log text COLLATE "C" NOT NULL, seq bigint NOT NULL, prev_hash text NOT NULL, hash text NOT NULL,
      alg text NOT NULL, entry jsonb NOT NULL, PRIMARY KEY (log, seq));
    CREATE TABLE IF NOT EXISTS ${sql.heads} (log text COLLATE "C" PRIMARY KEY, seq bigint NOT NULL, hash text NOT NULL);
    CREATE TABLE IF NOT EXISTS ${sql.logIndex} (
      log text COLLATE "C" NOT NULL, index_name text COLLATE "C" NOT NULL, value text COLLATE "C" NOT NULL,
      seq bigint NOT NULL, PRIMARY KEY (log, index_name, value, seq));`;
  try {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // Concurrent first starts would race on CREATE … IF NOT EXISTS; take turns.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`govtrust-store:${ns}`]);
      await client.query(ddl);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  } catch (err) {
    if (ownsPool) await pool.end().catch(() => undefined);
    throw new StoreIoError(
      `Could not prepare PostgreSQL namespace '${ns}': ${(err as Error).message}`,
      { cause: err },
    );
  }
  return new PostgresStore(
    options.schema,
    pool,
    ownsPool,
    sql,
    collections,
    logs,
    options.maxAttempts ?? 50,
  );
}
