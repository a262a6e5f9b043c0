/**
 * The storage interface (one for every driver): JSON collections with versioned records,
 * compare-and-set, secondary indexes and range queries; hash-chained append-only logs; and
 * serialisable transactions over both.
 * @module
 */

export type { JsonObject, JsonValue } from '../internal/canonical-json.js';

/** Index key(s) of a value: one string, several (a multi-valued index), or `undefined` (not indexed). */
export type IndexKeys = string | readonly string[] | undefined;

/** A secondary index of a collection, computed from each value by `key`. */
export interface IndexSpec<T extends object> {
  /** Computes the index key(s); use `indexKey(...parts)` for compound keys. */
  readonly key: (value: T) => IndexKeys;
  /** At most one record per key value: a second one is refused with `ERR_STORE_CONFLICT`. */
  readonly unique?: boolean;
}

/** A collection of JSON records with string keys. */
export interface CollectionSpec<T extends object = object> {
  readonly indexes?: Readonly<Record<string, IndexSpec<T>>>;
  /** Type marker only: never set it (`defineCollection<T>()` fills the type). */
  readonly __value?: (value: T) => void;
}

/** A hash-chained append-only log. */
export interface LogSpec<E extends object = object> {
  readonly indexes?: Readonly<Record<string, { readonly key: (entry: E) => IndexKeys }>>;
  /** Hash of the chain (default `sha256`; `sm3` for deployments that require 国密). */
  readonly hash?: LogHashAlgorithm;
  /** Type marker only: never set it (`defineLog<E>()` fills the type). */
  readonly __entry?: (entry: E) => void;
}

/** Hash algorithms a log chain may use. */
export type LogHashAlgorithm = 'sha256' | 'sm3';

/** Every collection and log a store holds. Names are 1-64 characters of a-z, 0-9, `_`, `-` and `.`. */
export interface StoreSchema {
  readonly collections: Readonly<Record<string, CollectionSpec<never>>>;
  readonly logs?: Readonly<Record<string, LogSpec<never>>>;
}

/** Collection names of a schema. */
export type CollectionName<S extends StoreSchema> = keyof S['collections'] & string;
/** Log names of a schema. */
export type LogName<S extends StoreSchema> = keyof NonNullable<S['logs']> & string;
/** The value type of a collection. */
export type ValueOf<S extends StoreSchema, C extends CollectionName<S>> =
  S['collections'][C] extends CollectionSpec<infer T> ? T : never;
/** The entry type of a log. */
export type EntryOf<S extends StoreSchema, L extends LogName<S>> =
  NonNullable<S['logs']>[L] extends LogSpec<infer E> ? E : never;

/** A stored record: its key, its (frozen) value and its version, which every write increments. */
export interface StoredRecord<T extends object = object> {
  readonly key: string;
  readonly value: T;
  /** 1 after the first write; compare-and-set compares it. */
  readonly version: number;
  /** Expiry as milliseconds since the epoch, when the record has one (see `purgeExpired`). */
  readonly expiresAt?: number;
}

/** Options of `insert`. */
export interface InsertOptions {
  /** Expiry instant; expired records stay readable until `purgeExpired` removes them. */
  readonly expiresAt?: Date | number;
}

/** Options of `put`. */
export interface PutOptions extends InsertOptions {
  /** Compare-and-set: write only if the stored version is this one (`ERR_STORE_CONFLICT` otherwise). */
  readonly ifVersion?: number;
}

/** Options of `delete`. */
export interface DeleteOptions {
  /** Delete only if the stored version is this one (`ERR_STORE_CONFLICT` otherwise). */
  readonly ifVersion?: number;
}

/** A range over index key values (or primary keys), ordered by value then record key. */
export interface KeyRange {
  readonly equals?: string;
  readonly prefix?: string;
  readonly gt?: string;
  readonly gte?: string;
  readonly lt?: string;
  readonly lte?: string;
}

/** A query on a collection. */
export interface StoreQuery extends KeyRange {
  /** Index to query; omitted: primary key order. */
  readonly index?: string;
  /** Page size, 1-1000 (default 100). */
  readonly limit?: number;
  /** Cursor returned as `next` by the previous page. */
  readonly after?: string;
  /** Descending order. */
  readonly reverse?: boolean;
}

/** One page of query results. */
export interface StorePage<T extends object = object> {
  readonly items: readonly StoredRecord<T>[];
  /** Cursor of the next page, when there may be one. */
  readonly next?: string;
}

/** An entry of a hash-chained log. */
export interface LogEntry<E extends object = object> {
  readonly log: string;
  /** 1, 2, 3, … without gaps. */
  readonly seq: number;
  /** Hash of the previous entry (64 zeros for seq 1), lower-case hex. */
  readonly prevHash: string;
  /** H(JCS({alg, entry, log, prevHash, seq})), lower-case hex. */
  readonly hash: string;
  readonly alg: LogHashAlgorithm;
  readonly entry: E;
}

/** The last entry of a log. */
export interface LogHead {
  readonly log: string;
  readonly seq: number;
  readonly hash: string;
}

/** A query on a log: by sequence (no index) or by an index of the log. */
export interface LogQuery extends KeyRange {
  readonly index?: string;
  /** Page size, 1-1000 (default 100). */
  readonly limit?: number;
  readonly after?: string;
  readonly reverse?: boolean;
}

/** One page of log entries. */
export interface LogPage<E extends object = object> {
  readonly items: readonly LogEntry<E>[];
  readonly next?: string;
}

/** Reading and writing operations, inside a transaction or (each in its own) on the store. */
export interface StoreOperations<S extends StoreSchema> {
  /** The record with this key, or `undefined`. */
  get<C extends CollectionName<S>>(
    collection: C,
    key: string,
  ): Promise<StoredRecord<ValueOf<S, C>> | undefined>;
  /**
   * Creates a record.
   * @throws ERR_STORE_CONFLICT when the key (or a unique index value) exists
   */
  insert<C extends CollectionName<S>>(
    collection: C,
    key: string,
    value: ValueOf<S, C>,
    options?: InsertOptions,
  ): Promise<StoredRecord<ValueOf<S, C>>>;
  /**
   * Creates or replaces a record (compare-and-set with `ifVersion`).
   * @throws ERR_STORE_CONFLICT on a version mismatch or a unique index clash
   */
  put<C extends CollectionName<S>>(
    collection: C,
    key: string,
    value: ValueOf<S, C>,
    options?: PutOptions,
  ): Promise<StoredRecord<ValueOf<S, C>>>;
  /**
   * Replaces a record with `fn(current)` (read-modify-write; atomic inside the operation's transaction).
   * @throws ERR_STORE_NOT_FOUND when there is no record
   */
  update<C extends CollectionName<S>>(
    collection: C,
    key: string,
    fn: (current: ValueOf<S, C>, record: StoredRecord<ValueOf<S, C>>) => ValueOf<S, C>,
    options?: InsertOptions,
  ): Promise<StoredRecord<ValueOf<S, C>>>;
  /**
   * Deletes a record; resolves to false when there was none.
   * @throws ERR_STORE_CONFLICT on a version mismatch
   */
  delete(collection: CollectionName<S>, key: string, options?: DeleteOptions): Promise<boolean>;
  /** A page of records in index (or key) order. */
  query<C extends CollectionName<S>>(
    collection: C,
    query?: StoreQuery,
  ): Promise<StorePage<ValueOf<S, C>>>;
  /** Number of index entries (or records) in a range. */
  count(
    collection: CollectionName<S>,
    range?: KeyRange & { readonly index?: string },
  ): Promise<number>;
  /** Deletes up to `limit` (default 1000) records whose expiry is at or before `now`; resolves to the count. */
  purgeExpired(collection: CollectionName<S>, now: Date, limit?: number): Promise<number>;
  /** Appends an entry to a hash-chained log; resolves to the entry with its sequence number and hashes. */
  append<L extends LogName<S>>(log: L, entry: EntryOf<S, L>): Promise<LogEntry<EntryOf<S, L>>>;
  /** A page of log entries in sequence (or index) order. */
  queryLog<L extends LogName<S>>(log: L, query?: LogQuery): Promise<LogPage<EntryOf<S, L>>>;
  /** The entries with `seq` in [fromSeq, fromSeq + limit) (limit default 1000, at most 10,000). */
  readLog<L extends LogName<S>>(
    log: L,
    fromSeq?: number,
    limit?: number,
  ): Promise<readonly LogEntry<EntryOf<S, L>>[]>;
  /** The last entry's sequence number and hash, or `undefined` for an empty log. */
  logHead(log: LogName<S>): Promise<LogHead | undefined>;
}

/** A transaction: every operation sees the transaction's own writes; all or nothing is kept. */
export type StoreTransaction<S extends StoreSchema> = StoreOperations<S>;

/** Options of `Store.transaction`. */
export interface TransactionOptions {
  /** Refuse writes (`ERR_STORE_READ_ONLY`); drivers may run read-only transactions concurrently. */
  readonly readOnly?: boolean;
  /**
   * `durable` (default): the call resolves once the commit is on disk (lowdb with fsync,
   * PostgreSQL with synchronous commit). `deferred`: it resolves once the commit is visible and
   * ordered before every later commit, and becomes durable with the next durable commit (lowdb's
   * write-ahead log and PostgreSQL's WAL are sequential; PostgreSQL's asynchronous commit also
   * flushes within `wal_writer_delay`). For records whose loss in a crash is harmless unless a
   * later durable commit depends on them: request nonces, reservations that a final commit
   * settles.
   */
  readonly durability?: 'durable' | 'deferred';
}

/**
 * A store. `transaction(fn)` runs `fn` serialisably: either all its writes are kept or (when `fn`
 * throws) none. `fn` may run more than once (a SQL driver retries serialisation failures), so it
 * must do nothing but store operations through `tx`; it must not call the store itself
 * (`ERR_STORE_NESTED_TRANSACTION`). The operations on the store run each in its own transaction.
 */
export interface Store<S extends StoreSchema = StoreSchema> extends StoreOperations<S> {
  readonly driver: 'memory' | 'lowdb' | 'postgres';
  readonly schema: S;
  transaction<R>(
    fn: (tx: StoreTransaction<S>) => Promise<R>,
    options?: TransactionOptions,
  ): Promise<R>;
  /** Releases files, connections and locks; later calls fail with `ERR_STORE_CLOSED`. */
  close(): Promise<void>;
}

/** Declares a collection whose values have type `T` (plain JSON objects, checked at run time). */
export function defineCollection<T extends object>(
  spec: Omit<CollectionSpec<T>, '__value'> = {},
): CollectionSpec<T> {
  return spec;
}

/** Declares a hash-chained log whose entries have type `E` (plain JSON objects). */
export function defineLog<E extends object>(spec: Omit<LogSpec<E>, '__entry'> = {}): LogSpec<E> {
  return spec;
}

/** Declares a schema, keeping its precise type for typed operations. */
export function defineSchema<const S extends StoreSchema>(schema: S): S {
  return schema;
}

/** Separator of compound index keys (U+001F; stores refuse U+0000 in keys and values). */
export const INDEX_KEY_SEPARATOR = '\u001f';

/** A compound index key: the parts joined by U+001F, so that `prefix: indexKey(a) + INDEX_KEY_SEPARATOR` selects all keys starting with part `a`. */
export function indexKey(...parts: readonly (string | number)[]): string {
  return parts.map(String).join(INDEX_KEY_SEPARATOR);
}
