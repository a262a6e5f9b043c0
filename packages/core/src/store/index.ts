/**
 * `@govtrust/core/store`: one storage interface (collections with versions, compare-and-set and
 * indexes; hash-chained logs; serialisable transactions), the memory driver, log-chain
 * verification and the server patterns (nonces, idempotency keys, outbox). The lowdb and
 * PostgreSQL drivers are the separate entries `@govtrust/core/store/lowdb` and `/store/postgres`.
 * @module
 */
export type {
  CollectionName,
  CollectionSpec,
  DeleteOptions,
  EntryOf,
  IndexKeys,
  IndexSpec,
  InsertOptions,
  JsonObject,
  JsonValue,
  KeyRange,
  LogEntry,
  LogHashAlgorithm,
  LogHead,
  LogName,
  LogPage,
  LogQuery,
  LogSpec,
  PutOptions,
  Store,
  StoredRecord,
  StoreOperations,
  StorePage,
  StoreQuery,
  StoreSchema,
  StoreTransaction,
  TransactionOptions,
  ValueOf,
} from './types.js';
export {
  defineCollection,
  defineLog,
  defineSchema,
  indexKey,
  INDEX_KEY_SEPARATOR,
} from './types.js';
export { createMemoryStore } from './memory.js';
export { compareKeys, MAX_KEY_LENGTH } from './values.js';
export type { ChainIssue, ChainReport, ChainVerifyOptions, LogExportHeader } from './chain.js';
export {
  GENESIS_HASH,
  hashLogEntry,
  verifyLogChain,
  formatLogExport,
  parseLogExport,
} from './chain.js';
export type {
  ClaimOutboxOptions,
  IdempotencyOptions,
  IdempotencyRecord,
  IdempotencyStart,
  NonceOptions,
  NonceRecord,
  OutboxRecord,
  WithHelpers,
} from './helpers.js';
export {
  helperCollections,
  registerNonce,
  beginIdempotent,
  completeIdempotent,
  abandonIdempotent,
  enqueueOutbox,
  claimOutbox,
  ackOutbox,
  failOutbox,
  outboxBackoffMs,
  exportLog,
} from './helpers.js';
