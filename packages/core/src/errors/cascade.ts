/** Error codes and the error class of the directory cascade (级联): node-to-node authentication, reporting upward and routed lookups. @module */
import { GovTrustError } from './base.js';

/** Codes of this area with their meaning. */
export const cascadeCodes = {
  ERR_CASCADE_UNAVAILABLE: {
    en: 'The cascade peer (national or source node) could not be reached or did not answer in time',
    zh: '级联节点（国家节点或证照源节点）无法连接或未按时响应',
  },
  ERR_CASCADE_UPSTREAM: {
    en: 'The cascade peer answered with an error or with something that cannot be used',
    zh: '级联节点返回了错误或无法使用的应答',
  },
  ERR_CASCADE_NODE_UNKNOWN: {
    en: 'The calling node is not registered with this node',
    zh: '调用节点未在本节点登记',
  },
  ERR_CASCADE_NODE_AUTH: {
    en: 'The node request is not signed correctly (X-Node-Id, X-Timestamp, X-Nonce, X-Content-Digest, X-Signature)',
    zh: '节点请求签名缺失或验证失败（X-Node-Id、X-Timestamp、X-Nonce、X-Content-Digest、X-Signature）',
  },
  ERR_CASCADE_NODE_REPLAYED: {
    en: 'The node request nonce was already used (replay)',
    zh: '节点请求随机数已被使用（重放）',
  },
  ERR_CASCADE_MODE: {
    en: 'This operation is not available in the mode this node runs in (provincial or national)',
    zh: '本节点的运行模式（省级或国家级）不提供该操作',
  },
  ERR_CASCADE_BATCH: {
    en: 'The index batch is malformed or names another node',
    zh: '目录上报批次格式错误或所属节点不符',
  },
} as const;

/** A code of this area. */
export type CascadeErrorCode = keyof typeof cascadeCodes;

/** A refusal or failure of the cascade, with optional safe details (peer node, HTTP status of the peer). */
export class CascadeError extends GovTrustError {
  declare readonly code: CascadeErrorCode;
  /** Safe, non-secret facts for the problem document. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: CascadeErrorCode,
    message?: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(code, message ?? cascadeCodes[code].en, options);
    this.details = options?.details;
  }
}
