/**
 * The in-memory engine behind the memory and lowdb drivers: records with versions, sorted keys
 * and secondary indexes, hash-chained logs, and transactions with undo (rollback) and redo
 * (write-ahead log) records. Transactions run one at a time, so they are serialisable.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  StoreClosedError,
  StoreConflictError,
  StoreNestedTransactionError,
  StoreNotFoundError,
  StoreReadOnlyError,
  StoreSchemaError,
  StoreValueError,
} from '../errors/index.js';
import { GENESIS_HASH, hashLogEntry } from './chain.js';
import { StoreOperationsBase } from './operations.js';
import type {
  CollectionName,
  CollectionSpec,
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
  LogSpec,
  PutOptions,
  StoredRecord,
  StorePage,
  StoreQuery,
  StoreSchema,
  StoreTransaction,
  TransactionOptions,
  ValueOf,
} from './types.js';
import {
  assertKey,
  assertName,
  assertRange,
  compareKeys,
  decodeCursor,
  encodeCursor,
  expiryMs,
  freezeJsonObject,
  normaliseIndexKeys,
  pageLimit,
} from './values.js';

/** A list of strings kept in code-point order. */
class SortedList {
  readonly items: string[] = [];

  /** First position whose item is >= `s`. */
  lowerBound(s: string): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.items[mid]!, s) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First position whose item is > `s`. */
  upperBound(s: string): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.items[mid]!, s) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(s: string): void {
    const i = this.lowerBound(s);
    if (this.items[i] !== s) this.items.splice(i, 0, s);
  }

  remove(s: string): void {
    const i = this.lowerBound(s);
    if (this.items[i] === s) this.items.splice(i, 1);
  }
}

/** Separator of composite (value, key) entries; U+0000 sorts first and never occurs in keys. */
const SEP = '\u0000';

interface IndexState {
  readonly name: string;
  readonly key: (value: never) => string | readonly string[] | undefined;
  readonly unique: boolean;
  /** `value SEP recordKey`, sorted. */
  readonly entries: SortedList;
  /** For unique indexes: value -> record key. */
  readonly owners: Map<string, string>;
  /** Record key -> the values it is indexed under. */
  readonly valuesOf: Map<string, string[]>;
}

interface CollectionState {
  readonly name: string;
  readonly records: Map<string, StoredRecord>;
  readonly keys: SortedList;
  readonly indexes: Map<string, IndexState>;
  /** `zero-padded expiresAt SEP key`, sorted. */
  readonly expiry: SortedList;
}

interface LogIndexState {
  readonly key: (entry: never) => string | readonly string[] | undefined;
  /** `value SEP zero-padded seq`, sorted. */
  readonly entries: SortedList;
}

interface LogState {
  readonly name: string;
  readonly alg: LogHashAlgorithm;
  readonly entries: LogEntry[];
  readonly indexes: Map<string, LogIndexState>;
}

/** A change as the write-ahead log records it. */
export type RedoOp =
  | readonly ['put', string, string, number, object, number | null]
  | readonly ['del', string, string]
  | readonly ['append', string, LogEntry];

type UndoOp =
  | {
      readonly kind: 'record';
      readonly collection: string;
      readonly key: string;
      readonly previous: StoredRecord | undefined;
    }
  | { readonly kind: 'append'; readonly log: string };

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Records, indexes and logs of one store, held in memory. */
export class MemoryEngine {
  readonly collections = new Map<string, CollectionState>();
  readonly logs = new Map<string, LogState>();
  /** Collections and logs of the schema; others (found in stored data) are kept but not reachable. */
  private readonly declared = new Set<string>();

  constructor(readonly schema: StoreSchema) {
    for (const [name, spec] of Object.entries(schema.collections)) {
      this.addCollection(name, spec);
      this.declared.add(`c:${name}`);
    }
    for (const [name, spec] of Object.entries(schema.logs ?? {})) {
      this.addLog(name, spec);
      this.declared.add(`l:${name}`);
    }
  }

  private addCollection(name: string, spec: CollectionSpec<never>): void {
    assertName('Collection', name);
    const indexes = new Map<string, IndexState>();
    for (const [iname, ispec] of Object.entries<IndexSpec<never>>(spec.indexes ?? {})) {
      assertName('Index', iname);
      indexes.set(iname, {
        name: iname,
        key: ispec.key,
        unique: ispec.unique === true,
        entries: new SortedList(),
        owners: new Map(),
        valuesOf: new Map(),
      });
    }
    this.collections.set(name, {
      name,
      records: new Map(),
      keys: new SortedList(),
      indexes,
      expiry: new SortedList(),
    });
  }

  private addLog(name: string, spec: LogSpec<never>): void {
    assertName('Log', name);
    const indexes = new Map<string, LogIndexState>();
    for (const [iname, ispec] of Object.entries(spec.indexes ?? {})) {
      assertName('Index', iname);
      indexes.set(iname, { key: ispec.key, entries: new SortedList() });
    }
    this.logs.set(name, { name, alg: spec.hash ?? 'sha256', entries: [], indexes });
  }

  /**
   * A collection of the schema.
   * @throws {StoreSchemaError} ERR_STORE_SCHEMA for a name the schema does not declare
   */
  collection(name: string): CollectionState {
    const c = this.collections.get(name);
    if (c === undefined || !this.declared.has(`c:${name}`)) {
      throw new StoreSchemaError(`Unknown collection '${name}'`);
    }
    return c;
  }

  /**
   * A log of the schema.
   * @throws {StoreSchemaError} ERR_STORE_SCHEMA for a name the schema does not declare
   */
  log(name: string): LogState {
    const l = this.logs.get(name);
    if (l === undefined || !this.declared.has(`l:${name}`))
      throw new StoreSchemaError(`Unknown log '${name}'`);
    return l;
  }

  /** A collection found in stored data, created (without indexes) when the schema lacks it. */
  private rawCollection(name: string): CollectionState {
    if (!this.collections.has(name)) this.addCollection(name, {});
    return this.collections.get(name)!;
  }

  private rawLog(name: string, alg: LogHashAlgorithm): LogState {
    if (!this.logs.has(name)) this.addLog(name, { hash: alg });
    return this.logs.get(name)!;
  }

  /**
   * Sets (or with `undefined` removes) a record and its index and expiry entries. Unique indexes
   * are checked before anything changes, so a refused write leaves no trace.
   */
  writeRecord(c: CollectionState, key: string, next: StoredRecord | undefined): void {
    const previous = c.records.get(key);
    const newValues = new Map<IndexState, string[]>();
    if (next !== undefined) {
      for (const idx of c.indexes.values()) {
        const values = normaliseIndexKeys(
          (idx.key as (v: object) => string | readonly string[] | undefined)(next.value),
          idx.name,
        );
        if (idx.unique) {
          for (const v of values) {
            const owner = idx.owners.get(v);
            if (owner !== undefined && owner !== key) {
              throw new StoreConflictError(
                `Index '${idx.name}' of '${c.name}' already holds '${v}' (record '${owner}')`,
                { collection: c.name, key, reason: 'unique', index: idx.name },
              );
            }
          }
        }
        newValues.set(idx, values);
      }
    }
    if (previous !== undefined) {
      for (const idx of c.indexes.values()) {
        for (const v of idx.valuesOf.get(key) ?? []) {
          idx.entries.remove(v + SEP + key);
          if (idx.unique && idx.owners.get(v) === key) idx.owners.delete(v);
        }
        idx.valuesOf.delete(key);
      }
      if (previous.expiresAt !== undefined)
        c.expiry.remove(pad(previous.expiresAt, 16) + SEP + key);
    }
    if (next === undefined) {
      if (previous !== undefined) {
        c.records.delete(key);
        c.keys.remove(key);
      }
      return;
    }
    c.records.set(key, next);
    if (previous === undefined) c.keys.insert(key);
    for (const [idx, values] of newValues) {
      for (const v of values) {
        idx.entries.insert(v + SEP + key);
        if (idx.unique) idx.owners.set(v, key);
      }
      if (values.length > 0) idx.valuesOf.set(key, values);
    }
    if (next.expiresAt !== undefined) c.expiry.insert(pad(next.expiresAt, 16) + SEP + key);
  }

  appendEntry(l: LogState, entry: LogEntry): void {
    l.entries.push(entry);
    this.indexEntry(l, entry, 'insert');
  }

  popEntry(l: LogState): void {
    const entry = l.entries.pop();
    if (entry !== undefined) this.indexEntry(l, entry, 'remove');
  }

  /** Adds `entry` to (or removes it from) every index of log `l`. */
  private indexEntry(l: LogState, entry: LogEntry, op: 'insert' | 'remove'): void {
    for (const [iname, idx] of l.indexes) {
      const values = normaliseIndexKeys(
        (idx.key as (e: object) => string | readonly string[] | undefined)(entry.entry),
        iname,
      );
      for (const v of values) idx.entries[op](v + SEP + pad(entry.seq, 16));
    }
  }

  /** Applies a write-ahead-log record while loading (no validation beyond consistency). */
  applyRedo(op: RedoOp): void {
    switch (op[0]) {
      case 'put': {
        const [, collection, key, version, value, expiresAt] = op;
        const record: StoredRecord = {
          key,
          value: freezeJsonObject(value),
          version,
          ...(expiresAt === null ? {} : { expiresAt }),
        };
        this.writeRecord(this.rawCollection(collection), key, record);
        return;
      }
      case 'del':
        this.writeRecord(this.rawCollection(op[1]), op[2], undefined);
        return;
      case 'append': {
        const e = op[2];
        const l = this.rawLog(op[1], e.alg);
        if (e.seq !== l.entries.length + 1) {
          throw new StoreValueError(
            `Log '${l.name}' replay expected seq ${l.entries.length + 1}, found ${e.seq}`,
          );
        }
        this.appendEntry(l, Object.freeze({ ...e, log: l.name, entry: freezeJsonObject(e.entry) }));
        return;
      }
    }
  }
}

/**
 * The [lo, hi) positions of a range in a sorted list of plain keys or of composite `value SEP
 * suffix` entries. Bounds are exact because U+0000 never occurs in values and sorts first.
 */
function rangeBounds(list: SortedList, range: KeyRange, composite: boolean): [number, number] {
  const items = list.items;
  const valueOf = (item: string): string =>
    composite ? item.slice(0, item.lastIndexOf(SEP)) : item;
  let lo = 0;
  let hi = items.length;
  if (range.equals !== undefined) {
    const v = range.equals;
    return composite
      ? [list.lowerBound(v + SEP), list.lowerBound(v + '\u0001')]
      : [list.lowerBound(v), list.upperBound(v)];
  }
  if (range.prefix !== undefined) {
    const p = range.prefix;
    lo = list.lowerBound(p);
    hi = list.lowerBound(p + '\u{10FFFF}');
    while (hi < items.length && valueOf(items[hi]!).startsWith(p)) hi++;
    return [lo, hi];
  }
  if (range.gte !== undefined) lo = list.lowerBound(range.gte);
  if (range.gt !== undefined)
    lo = composite ? list.lowerBound(range.gt + '\u0001') : list.upperBound(range.gt);
  if (range.lt !== undefined) hi = list.lowerBound(range.lt);
  if (range.lte !== undefined)
    hi = composite ? list.lowerBound(range.lte + '\u0001') : list.upperBound(range.lte);
  return [lo, Math.max(lo, hi)];
}

/** Scans a sorted list over a range after a cursor; yields [value, suffix] (for plain keys: [key, key]). */
function* scanRange(
  list: SortedList,
  range: KeyRange,
  reverse: boolean,
  after: [string, string] | undefined,
  composite = true,
): Generator<[string, string]> {
  let [lo, hi] = rangeBounds(list, range, composite);
  if (after !== undefined) {
    const at = composite ? after[0] + SEP + after[1] : after[1];
    if (reverse) hi = Math.min(hi, list.lowerBound(at));
    else lo = Math.max(lo, list.upperBound(at));
  }
  const items = list.items;
  const split = (item: string): [string, string] => {
    if (!composite) return [item, item];
    const i = item.lastIndexOf(SEP);
    return [item.slice(0, i), item.slice(i + 1)];
  };
  if (reverse) for (let i = hi - 1; i >= lo; i--) yield split(items[i]!);
  else for (let i = lo; i < hi; i++) yield split(items[i]!);
}

/** A transaction over a `MemoryEngine`: applies writes at once, undoes them on rollback, records redo ops. */
class EngineTransaction<S extends StoreSchema> implements StoreTransaction<S> {
  readonly undo: UndoOp[] = [];
  readonly redo: RedoOp[] = [];
  private active = true;

  constructor(
    private readonly engine: MemoryEngine,
    private readonly readOnly: boolean,
  ) {}

  private check(write: boolean): void {
    if (!this.active)
      throw new StoreClosedError('The transaction has ended; use the tx only inside its function');
    if (write && this.readOnly) throw new StoreReadOnlyError();
  }

  end(): void {
    this.active = false;
  }

  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) {
      const u = this.undo[i]!;
      if (u.kind === 'record') {
        this.engine.writeRecord(this.engine.collection(u.collection), u.key, u.previous);
      } else {
        this.engine.popEntry(this.engine.log(u.log));
      }
    }
    this.undo.length = 0;
    this.redo.length = 0;
  }

  private setRecord(c: CollectionState, key: string, next: StoredRecord | undefined): void {
    const previous = c.records.get(key);
    this.engine.writeRecord(c, key, next);
    this.undo.push({ kind: 'record', collection: c.name, key, previous });
    this.redo.push(
      next === undefined
        ? ['del', c.name, key]
        : ['put', c.name, key, next.version, next.value, next.expiresAt ?? null],
    );
  }

  get<C extends CollectionName<S>>(
    collection: C,
    key: string,
  ): Promise<StoredRecord<ValueOf<S, C>> | undefined> {
    return this.sync(() => {
      this.check(false);
      const c = this.engine.collection(collection);
      assertKey(key);
      return c.records.get(key) as StoredRecord<ValueOf<S, C>> | undefined;
    });
  }

  insert<C extends CollectionName<S>>(
    collection: C,
    key: string,
    value: ValueOf<S, C>,
    options: InsertOptions = {},
  ): Promise<StoredRecord<ValueOf<S, C>>> {
    return this.sync(() => {
      this.check(true);
      const c = this.engine.collection(collection);
      assertKey(key);
      if (c.records.has(key)) {
        throw new StoreConflictError(`'${collection}' already holds '${key}'`, {
          collection,
          key,
          reason: 'exists',
        });
      }
      const expiresAt = expiryMs(options.expiresAt);
      const record: StoredRecord = {
        key,
        value: freezeJsonObject(value),
        version: 1,
        ...(expiresAt === undefined ? {} : { expiresAt }),
      };
      this.setRecord(c, key, Object.freeze(record));
      return record as StoredRecord<ValueOf<S, C>>;
    });
  }

  put<C extends CollectionName<S>>(
    collection: C,
    key: string,
    value: ValueOf<S, C>,
    options: PutOptions = {},
  ): Promise<StoredRecord<ValueOf<S, C>>> {
    return this.sync(() => {
      this.check(true);
      const c = this.engine.collection(collection);
      assertKey(key);
      const current = c.records.get(key);
      if (options.ifVersion !== undefined && current?.version !== options.ifVersion) {
        throw new StoreConflictError(
          `'${collection}/${key}' is at version ${current?.version ?? 'none'}, not ${options.ifVersion}`,
          { collection, key, reason: 'version' },
        );
      }
      const expiresAt = expiryMs(options.expiresAt);
      const record: StoredRecord = {
        key,
        value: freezeJsonObject(value),
        version: (current?.version ?? 0) + 1,
        ...(expiresAt === undefined ? {} : { expiresAt }),
      };
      this.setRecord(c, key, Object.freeze(record));
      return record as StoredRecord<ValueOf<S, C>>;
    });
  }

  update<C extends CollectionName<S>>(
    collection: C,
    key: string,
    fn: (current: ValueOf<S, C>, record: StoredRecord<ValueOf<S, C>>) => ValueOf<S, C>,
    options: InsertOptions = {},
  ): Promise<StoredRecord<ValueOf<S, C>>> {
    return this.sync(() => {
      this.check(true);
      const c = this.engine.collection(collection);
      assertKey(key);
      const current = c.records.get(key) as StoredRecord<ValueOf<S, C>> | undefined;
      if (current === undefined) {
        throw new StoreNotFoundError(`'${collection}' has no record '${key}'`, { collection, key });
      }
      const expiresAt =
        options.expiresAt === undefined ? current.expiresAt : expiryMs(options.expiresAt);
      const record: StoredRecord = {
        key,
        value: freezeJsonObject(fn(current.value, current)),
        version: current.version + 1,
        ...(expiresAt === undefined ? {} : { expiresAt }),
      };
      this.setRecord(c, key, Object.freeze(record));
      return record as StoredRecord<ValueOf<S, C>>;
    });
  }

  delete(
    collection: CollectionName<S>,
    key: string,
    options: DeleteOptions = {},
  ): Promise<boolean> {
    return this.sync(() => {
      this.check(true);
      const c = this.engine.collection(collection);
      assertKey(key);
      const current = c.records.get(key);
      if (options.ifVersion !== undefined && current?.version !== options.ifVersion) {
        throw new StoreConflictError(
          `'${collection}/${key}' is at version ${current?.version ?? 'none'}, not ${options.ifVersion}`,
          { collection, key, reason: 'version' },
        );
      }
      if (current === undefined) return false;
      this.setRecord(c, key, undefined);
      return true;
    });
  }

  query<C extends CollectionName<S>>(
    collection: C,
    query: StoreQuery = {},
  ): Promise<StorePage<ValueOf<S, C>>> {
    return this.sync(() => {
      this.check(false);
      const c = this.engine.collection(collection);
      assertRange(query);
      const limit = pageLimit(query.limit);
      const after = query.after === undefined ? undefined : decodeCursor(query.after);
      const items: StoredRecord<ValueOf<S, C>>[] = [];
      let last: [string, string] | undefined;
      let more = false;
      const pairs =
        query.index === undefined
          ? scanRange(c.keys, query, query.reverse === true, after, false)
          : scanRange(this.index(c, query.index).entries, query, query.reverse === true, after);
      for (const pair of pairs) {
        if (items.length === limit) {
          more = true;
          break;
        }
        items.push(c.records.get(pair[1]) as StoredRecord<ValueOf<S, C>>);
        last = pair;
      }
      return more && last !== undefined
        ? { items, next: encodeCursor(last[0], last[1]) }
        : { items };
    });
  }

  count(
    collection: CollectionName<S>,
    range: KeyRange & { readonly index?: string } = {},
  ): Promise<number> {
    return this.sync(() => {
      this.check(false);
      const c = this.engine.collection(collection);
      assertRange(range);
      if (range.index === undefined && Object.keys(range).length === 0) return c.records.size;
      let n = 0;
      const pairs =
        range.index === undefined
          ? scanRange(c.keys, range, false, undefined, false)
          : scanRange(this.index(c, range.index).entries, range, false, undefined);
      for (const _ of pairs) n++;
      return n;
    });
  }

  purgeExpired(collection: CollectionName<S>, now: Date, limit = 1000): Promise<number> {
    return this.sync(() => {
      this.check(true);
      const c = this.engine.collection(collection);
      const bound = pad(now.getTime(), 16) + SEP + '\u{10FFFF}';
      const end = Math.min(c.expiry.upperBound(bound), limit);
      const keys = c.expiry.items.slice(0, end).map((item) => item.slice(item.indexOf(SEP) + 1));
      for (const key of keys) this.setRecord(c, key, undefined);
      return keys.length;
    });
  }

  append<L extends LogName<S>>(log: L, entry: EntryOf<S, L>): Promise<LogEntry<EntryOf<S, L>>> {
    return this.sync(() => {
      this.check(true);
      const l = this.engine.log(log);
      const value = freezeJsonObject(entry);
      const previous = l.entries[l.entries.length - 1];
      const seq = l.entries.length + 1;
      const prevHash = previous?.hash ?? GENESIS_HASH;
      const hash = hashLogEntry({ log, seq, prevHash, alg: l.alg, entry: value });
      const e: LogEntry = Object.freeze({ log, seq, prevHash, hash, alg: l.alg, entry: value });
      this.engine.appendEntry(l, e);
      this.undo.push({ kind: 'append', log });
      this.redo.push(['append', log, e]);
      return e as LogEntry<EntryOf<S, L>>;
    });
  }

  queryLog<L extends LogName<S>>(log: L, query: LogQuery = {}): Promise<LogPage<EntryOf<S, L>>> {
    return this.sync(() => {
      this.check(false);
      const l = this.engine.log(log);
      assertRange(query);
      const limit = pageLimit(query.limit);
      const after = query.after === undefined ? undefined : decodeCursor(query.after);
      const items: LogEntry<EntryOf<S, L>>[] = [];
      let last: [string, string] | undefined;
      let more = false;
      let pairs: Iterable<[string, string]>;
      if (query.index === undefined) {
        pairs = scanSeq(l, query, query.reverse === true, after);
      } else {
        const idx = l.indexes.get(query.index);
        if (idx === undefined)
          throw new StoreSchemaError(`Log '${log}' has no index '${query.index}'`);
        pairs = scanRange(idx.entries, query, query.reverse === true, after);
      }
      for (const pair of pairs) {
        if (items.length === limit) {
          more = true;
          break;
        }
        items.push(l.entries[Number(pair[1]) - 1] as LogEntry<EntryOf<S, L>>);
        last = pair;
      }
      return more && last !== undefined
        ? { items, next: encodeCursor(last[0], last[1]) }
        : { items };
    });
  }

  readLog<L extends LogName<S>>(
    log: L,
    fromSeq = 1,
    limit = 1000,
  ): Promise<readonly LogEntry<EntryOf<S, L>>[]> {
    return this.sync(() => {
      this.check(false);
      const l = this.engine.log(log);
      if (!Number.isSafeInteger(fromSeq) || fromSeq < 1)
        throw new StoreValueError('fromSeq is an integer from 1');
      const n = pageLimit(limit, 10_000);
      return l.entries.slice(fromSeq - 1, fromSeq - 1 + n) as LogEntry<EntryOf<S, L>>[];
    });
  }

  logHead(log: LogName<S>): Promise<LogHead | undefined> {
    return this.sync(() => {
      this.check(false);
      const l = this.engine.log(log);
      const last = l.entries[l.entries.length - 1];
      return last === undefined ? undefined : { log, seq: last.seq, hash: last.hash };
    });
  }

  private index(c: CollectionState, name: string): IndexState {
    const idx = c.indexes.get(name);
    if (idx === undefined)
      throw new StoreSchemaError(`Collection '${c.name}' has no index '${name}'`);
    return idx;
  }

  /** Runs a synchronous body and returns its result (or error) as a promise. */
  private sync<R>(body: () => R): Promise<R> {
    try {
      return Promise.resolve(body());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

/** Sequence scan of a log without index: value is the zero-padded seq. */
function* scanSeq(
  l: LogState,
  range: KeyRange,
  reverse: boolean,
  after: [string, string] | undefined,
): Generator<[string, string]> {
  if (
    range.equals !== undefined ||
    range.prefix !== undefined ||
    range.gt !== undefined ||
    range.gte !== undefined ||
    range.lt !== undefined ||
    range.lte !== undefined
  ) {
    throw new StoreValueError(
      'A log query without an index takes no range; use readLog for sequence ranges',
    );
  }
  const afterSeq = after === undefined ? undefined : Number(after[1]);
  if (!reverse) {
    for (let s = (afterSeq ?? 0) + 1; s <= l.entries.length; s++) yield ['', pad(s, 16)];
  } else {
    for (let s = (afterSeq ?? l.entries.length + 1) - 1; s >= 1; s--) yield ['', pad(s, 16)];
  }
}

/** The transaction context of the current async call chain (to refuse nested use of a store). */
const txContext = new AsyncLocalStorage<object>();

/** Hooks a persistent driver gives the engine store. */
export interface EnginePersistence {
  /** Records a committed transaction; called in commit order while the transaction lock is held; resolves once durable. */
  commit(ops: readonly RedoOp[]): Promise<void>;
  /** Throws when the driver can no longer persist (the store then fails closed). */
  assertUsable(): void;
  /** Called with the lock held after each commit, to let the driver checkpoint. */
  afterCommit?(): Promise<void> | void;
  close(): Promise<void>;
}

/** A `Store` over a `MemoryEngine`, with transactions run one at a time. */
export class EngineStore<S extends StoreSchema> extends StoreOperationsBase<S> {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly driver: 'memory' | 'lowdb',
    readonly schema: S,
    private readonly engine: MemoryEngine,
    private readonly persistence?: EnginePersistence,
  ) {
    super();
  }

  /** Runs `body` after every earlier one has finished (the store's single writer lock). */
  exclusive<R>(body: () => Promise<R>): Promise<R> {
    const run = this.queue.then(body, body);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async transaction<R>(
    fn: (tx: StoreTransaction<S>) => Promise<R>,
    options: TransactionOptions = {},
  ): Promise<R> {
    if (txContext.getStore() === this) throw new StoreNestedTransactionError();
    if (this.closed) throw new StoreClosedError();
    const { result, durable } = await this.exclusive(async () => {
      if (this.closed) throw new StoreClosedError();
      this.persistence?.assertUsable();
      const tx = new EngineTransaction<S>(this.engine, options.readOnly === true);
      let value: R;
      try {
        value = await txContext.run(this, () => fn(tx));
      } catch (err) {
        tx.rollback();
        throw err;
      } finally {
        tx.end();
      }
      let commit: Promise<void> | undefined;
      if (tx.redo.length > 0 && this.persistence !== undefined) {
        commit = this.persistence.commit(tx.redo);
        // Surface a failed write to this caller only; the driver fails closed for the others.
        commit.catch(() => undefined);
        await this.persistence.afterCommit?.();
      }
      return { result: value, durable: commit };
    });
    if (durable !== undefined && options.durability !== 'deferred') await durable;
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.exclusive(async () => {
      this.closed = true;
      await this.persistence?.close();
    });
  }
}
