/**
 * The single-operation methods every driver's `Store` shares: each runs in a transaction of its
 * own (`write`), reads in a read-only one or whatever the driver makes cheaper (`read`).
 * @module
 */
import type {
  CollectionName,
  DeleteOptions,
  EntryOf,
  InsertOptions,
  KeyRange,
  LogEntry,
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
} from './types.js';

/** A driver's store: `transaction` and `close` are its own; every single operation is one transaction. */
export abstract class StoreOperationsBase<S extends StoreSchema> implements Store<S> {
  abstract readonly driver: Store<S>['driver'];
  abstract readonly schema: S;
  abstract transaction<R>(
    fn: (tx: StoreTransaction<S>) => Promise<R>,
    options?: TransactionOptions,
  ): Promise<R>;
  abstract close(): Promise<void>;

  /** Runs a read; drivers may override it with something cheaper than a read-only transaction. */
  protected read<R>(fn: (tx: StoreTransaction<S>) => Promise<R>): Promise<R> {
    return this.transaction(fn, { readOnly: true });
  }

  get<C extends CollectionName<S>>(
    collection: C,
    key: string,
  ): Promise<StoredRecord<ValueOf<S, C>> | undefined> {
    return this.read((tx) => tx.get(collection, key));
  }
  insert<C extends CollectionName<S>>(
    collection: C,
    key: string,
    value: ValueOf<S, C>,
    options?: InsertOptions,
  ): Promise<StoredRecord<ValueOf<S, C>>> {
    return this.transaction((tx) => tx.insert(collection, key, value, options));
  }
  put<C extends CollectionName<S>>(
    collection: C,
    key: string,
    value: ValueOf<S, C>,
    options?: PutOptions,
  ): Promise<StoredRecord<ValueOf<S, C>>> {
    return this.transaction((tx) => tx.put(collection, key, value, options));
  }
  update<C extends CollectionName<S>>(
    collection: C,
    key: string,
    fn: (current: ValueOf<S, C>, record: StoredRecord<ValueOf<S, C>>) => ValueOf<S, C>,
    options?: InsertOptions,
  ): Promise<StoredRecord<ValueOf<S, C>>> {
    return this.transaction((tx) => tx.update(collection, key, fn, options));
  }
  delete(collection: CollectionName<S>, key: string, options?: DeleteOptions): Promise<boolean> {
    return this.transaction((tx) => tx.delete(collection, key, options));
  }
  query<C extends CollectionName<S>>(
    collection: C,
    query?: StoreQuery,
  ): Promise<StorePage<ValueOf<S, C>>> {
    return this.read((tx) => tx.query(collection, query));
  }
  count(
    collection: CollectionName<S>,
    range?: KeyRange & { readonly index?: string },
  ): Promise<number> {
    return this.read((tx) => tx.count(collection, range));
  }
  purgeExpired(collection: CollectionName<S>, now: Date, limit?: number): Promise<number> {
    return this.transaction((tx) => tx.purgeExpired(collection, now, limit));
  }
  append<L extends LogName<S>>(log: L, entry: EntryOf<S, L>): Promise<LogEntry<EntryOf<S, L>>> {
    return this.transaction((tx) => tx.append(log, entry));
  }
  queryLog<L extends LogName<S>>(log: L, query?: LogQuery): Promise<LogPage<EntryOf<S, L>>> {
    return this.read((tx) => tx.queryLog(log, query));
  }
  readLog<L extends LogName<S>>(
    log: L,
    fromSeq?: number,
    limit?: number,
  ): Promise<readonly LogEntry<EntryOf<S, L>>[]> {
    return this.read((tx) => tx.readLog(log, fromSeq, limit));
  }
  logHead(log: LogName<S>): Promise<LogHead | undefined> {
    return this.read((tx) => tx.logHead(log));
  }
}
