/** Error codes and classes of the store area. @module */
import { GovTrustError } from './base.js';

/** Codes of this area with their meaning (thrown codes and the codes reports carry). */
export const storeCodes = {
  ERR_STORE_CONFLICT: {
    en: 'The record exists, changed meanwhile, or clashes with a unique index',
    zh: '记录已存在、已被修改或与唯一索引冲突',
  },
  ERR_STORE_NOT_FOUND: { en: 'No such record', zh: '记录不存在' },
  ERR_STORE_SCHEMA: {
    en: 'Unknown collection, log or index, or an invalid name',
    zh: '未知的集合、日志或索引，或名称不合法',
  },
  ERR_STORE_VALUE: {
    en: 'The key, value or query is not acceptable (plain JSON, no U+0000)',
    zh: '键、值或查询不合法（须为纯 JSON，且不含 U+0000）',
  },
  ERR_STORE_READ_ONLY: { en: 'A write inside a read-only transaction', zh: '只读事务中不能写入' },
  ERR_STORE_NESTED_TRANSACTION: {
    en: 'The store was called from inside one of its transactions; use the transaction object',
    zh: '在事务内部直接调用了存储；请使用事务对象',
  },
  ERR_STORE_CLOSED: { en: 'The store or transaction is closed', zh: '存储或事务已关闭' },
  ERR_STORE_LOCKED: {
    en: 'The data directory is in use by another process',
    zh: '数据目录正被其他进程使用',
  },
  ERR_STORE_CORRUPT: {
    en: 'The stored data is damaged and was not opened',
    zh: '存储数据已损坏，未能打开',
  },
  ERR_STORE_IO: {
    en: 'Writing to storage failed; the store refuses further work until reopened',
    zh: '写入存储失败；重新打开前存储拒绝继续操作',
  },
  ERR_STORE_BUSY: {
    en: 'The transaction kept conflicting with concurrent ones and was given up',
    zh: '事务与并发事务持续冲突，已放弃',
  },
  ERR_STORE_NONCE_REPLAYED: {
    en: 'The nonce was already used',
    zh: '随机数（nonce）已被使用（重放）',
  },
  ERR_STORE_IDEMPOTENCY_MISMATCH: {
    en: 'The idempotency key was used with a different request',
    zh: '幂等键已用于另一个不同的请求',
  },
  ERR_STORE_IDEMPOTENCY_IN_PROGRESS: {
    en: 'A request with this idempotency key is still being processed',
    zh: '使用该幂等键的请求仍在处理中',
  },
  ERR_STORE_CHAIN_HASH: {
    en: 'A log entry was changed: its hash does not match its content',
    zh: '日志条目被篡改：哈希与内容不符',
  },
  ERR_STORE_CHAIN_GAP: {
    en: 'Log entries are missing (sequence gap)',
    zh: '日志条目缺失（序号不连续）',
  },
  ERR_STORE_CHAIN_ORDER: {
    en: 'Log entries are reordered or duplicated',
    zh: '日志条目顺序被打乱或重复',
  },
  ERR_STORE_CHAIN_LINK: {
    en: 'A log entry does not link to the one before it',
    zh: '日志条目与前一条目的哈希链接不符',
  },
  ERR_STORE_CHAIN_HEAD: {
    en: 'The log does not end at the expected head (truncated or extended)',
    zh: '日志末尾与预期不符（被截断或追加）',
  },
  ERR_STORE_CHAIN_FORMAT: { en: 'The log export is malformed', zh: '日志导出文件格式错误' },
} as const;

/** Context of a store conflict. */
export interface StoreConflictContext {
  readonly collection: string;
  readonly key: string;
  /** `exists` (insert of a present key), `version` (compare-and-set failed), `unique` (index clash). */
  readonly reason: 'exists' | 'version' | 'unique';
  readonly index?: string;
}

/** A write conflicts with what is stored (`ERR_STORE_CONFLICT`). */
export class StoreConflictError extends GovTrustError {
  readonly context: StoreConflictContext;

  constructor(message: string, context: StoreConflictContext) {
    super('ERR_STORE_CONFLICT', message);
    this.context = context;
  }
}

/** An update or a lookup that needs a record found none (`ERR_STORE_NOT_FOUND`). */
export class StoreNotFoundError extends GovTrustError {
  readonly context: { readonly collection: string; readonly key: string };

  constructor(message: string, context: { readonly collection: string; readonly key: string }) {
    super('ERR_STORE_NOT_FOUND', message);
    this.context = context;
  }
}

/** Unknown collection, log or index, or an invalid name (`ERR_STORE_SCHEMA`). */
export class StoreSchemaError extends GovTrustError {
  constructor(message: string) {
    super('ERR_STORE_SCHEMA', message);
  }
}

/** A key, value or query argument the store does not accept (`ERR_STORE_VALUE`). */
export class StoreValueError extends GovTrustError {
  /** JSON path of the offending value, when the value is at fault. */
  readonly path: string | undefined;

  constructor(message: string, path?: string) {
    super('ERR_STORE_VALUE', path === undefined ? message : `${message} (at ${path})`);
    this.path = path;
  }
}

/** A write inside a read-only transaction (`ERR_STORE_READ_ONLY`). */
export class StoreReadOnlyError extends GovTrustError {
  constructor(message = 'This transaction is read-only') {
    super('ERR_STORE_READ_ONLY', message);
  }
}

/** The store was called from inside one of its own transactions (`ERR_STORE_NESTED_TRANSACTION`). */
export class StoreNestedTransactionError extends GovTrustError {
  constructor(
    message = 'The store was called inside one of its transactions: use the transaction object, or the call would deadlock or escape the transaction',
  ) {
    super('ERR_STORE_NESTED_TRANSACTION', message);
  }
}

/** The store (or a finished transaction) was used after closing (`ERR_STORE_CLOSED`). */
export class StoreClosedError extends GovTrustError {
  constructor(message = 'The store is closed') {
    super('ERR_STORE_CLOSED', message);
  }
}

/** Another process holds the data directory (`ERR_STORE_LOCKED`). */
export class StoreLockedError extends GovTrustError {
  readonly pid: number | undefined;

  constructor(message: string, pid?: number) {
    super('ERR_STORE_LOCKED', message);
    this.pid = pid;
  }
}

/** The stored data could not be read back consistently (`ERR_STORE_CORRUPT`). */
export class StoreCorruptError extends GovTrustError {
  readonly file: string;

  constructor(message: string, file: string, options?: { cause?: unknown }) {
    super('ERR_STORE_CORRUPT', message, options);
    this.file = file;
  }
}

/** A storage write or connection failed (`ERR_STORE_IO`). */
export class StoreIoError extends GovTrustError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STORE_IO', message, options);
  }
}

/** Serialisation retries were exhausted (`ERR_STORE_BUSY`). */
export class StoreBusyError extends GovTrustError {
  readonly attempts: number;

  constructor(attempts: number, options?: { cause?: unknown }) {
    super(
      'ERR_STORE_BUSY',
      `The transaction conflicted ${attempts} times with concurrent ones and was given up`,
      options,
    );
    this.attempts = attempts;
  }
}

/** A request nonce was seen before within its validity window (`ERR_STORE_NONCE_REPLAYED`). */
export class NonceReplayedError extends GovTrustError {
  readonly scope: string;

  constructor(scope: string) {
    super('ERR_STORE_NONCE_REPLAYED', `The nonce was already used (scope ${scope})`);
    this.scope = scope;
  }
}

/** An idempotency key meets a different request, or its first request is still running. */
export class IdempotencyError extends GovTrustError {
  readonly key: string;

  constructor(
    code: 'ERR_STORE_IDEMPOTENCY_MISMATCH' | 'ERR_STORE_IDEMPOTENCY_IN_PROGRESS',
    key: string,
  ) {
    super(
      code,
      code === 'ERR_STORE_IDEMPOTENCY_MISMATCH'
        ? 'The idempotency key was already used with a different request'
        : 'The first request with this idempotency key is still being processed',
    );
    this.key = key;
  }
}

/** A log export that cannot be read (`ERR_STORE_CHAIN_FORMAT`). */
export class StoreChainFormatError extends GovTrustError {
  /** 1-based line number. */
  readonly line: number;

  constructor(message: string, line: number, options?: { cause?: unknown }) {
    super('ERR_STORE_CHAIN_FORMAT', message, options);
    this.line = line;
  }
}
