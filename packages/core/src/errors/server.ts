/** Error codes and classes of the signing server and its client SDK (request signing, grants, seal lifecycle, HTTP). @module */
import { GovTrustError } from './base.js';

/** Codes of this area with their meaning. */
export const serverCodes = {
  ERR_AUTH_MISSING: {
    en: 'The request is not signed: X-App-Id, X-Timestamp, X-Nonce, X-Content-Digest and X-Signature are required',
    zh: '请求未签名：缺少 X-App-Id、X-Timestamp、X-Nonce、X-Content-Digest 或 X-Signature',
  },
  ERR_AUTH_UNKNOWN_APP: { en: 'Unknown application id', zh: '未知的应用标识' },
  ERR_AUTH_APP_DISABLED: { en: 'The application is disabled', zh: '应用已停用' },
  ERR_AUTH_SIGNATURE: {
    en: 'The request signature does not verify',
    zh: '请求签名验证失败',
  },
  ERR_AUTH_TIMESTAMP: {
    en: 'The request timestamp is outside the allowed clock skew',
    zh: '请求时间戳超出允许的时钟偏差',
  },
  ERR_AUTH_NONCE_REPLAYED: {
    en: 'The request nonce was already used (replay)',
    zh: '请求随机数已被使用（重放）',
  },
  ERR_AUTH_BODY_DIGEST: {
    en: 'The request body does not match its signed digest',
    zh: '请求体与已签名的摘要不符',
  },
  ERR_AUTH_FORBIDDEN: {
    en: 'The application does not have the role this operation needs',
    zh: '应用不具备执行该操作所需的角色',
  },
  ERR_GRANT_NONE: {
    en: 'The application holds no grant for this seal',
    zh: '应用未获得该印章的授权',
  },
  ERR_GRANT_NOT_YET_VALID: { en: 'The seal grant is not yet in force', zh: '印章授权尚未生效' },
  ERR_GRANT_EXPIRED: { en: 'The seal grant has expired', zh: '印章授权已过期' },
  ERR_GRANT_EXHAUSTED: {
    en: 'The seal grant has no uses left',
    zh: '印章授权的使用次数已用尽',
  },
  ERR_GRANT_REVOKED: { en: 'The seal grant was revoked', zh: '印章授权已撤销' },
  ERR_GRANT_NOT_FOUND: { en: 'No such seal grant', zh: '印章授权不存在' },
  ERR_SEAL_NOT_FOUND: { en: 'No such seal', zh: '印章不存在' },
  ERR_SEAL_SUSPENDED: { en: 'The seal is suspended', zh: '印章已停用' },
  ERR_SEAL_LOST: { en: 'The seal was reported lost', zh: '印章已挂失' },
  ERR_SEAL_CANCELLED: { en: 'The seal was cancelled', zh: '印章已注销' },
  ERR_SEAL_REVOKED: { en: 'The seal was revoked', zh: '印章已吊销' },
  ERR_SEAL_STATE: {
    en: 'The seal is not in a state that allows this operation',
    zh: '印章当前状态不允许该操作',
  },
  ERR_SEAL_KEY_UNAVAILABLE: {
    en: 'The seal key cannot be used (token absent, PIN wrong, certificate expired)',
    zh: '印章密钥不可用（介质不可用、口令错误或证书过期）',
  },
  ERR_APP_NOT_FOUND: { en: 'No such application', zh: '应用不存在' },
  ERR_APPLICATION_NOT_FOUND: { en: 'No such seal application', zh: '用印申请不存在' },
  ERR_SESSION_NOT_FOUND: { en: 'No such signing session', zh: '签名会话不存在' },
  ERR_SESSION_EXPIRED: { en: 'The signing session has expired', zh: '签名会话已过期' },
  ERR_SESSION_COMPLETED: {
    en: 'The signing session was already completed',
    zh: '签名会话已完成',
  },
  ERR_SESSION_SIGNATURE: {
    en: 'The external signature does not verify with the given certificate over the session digest',
    zh: '外部签名无法用所给证书在会话摘要上验证通过',
  },
  ERR_IDEMPOTENCY_KEY: {
    en: 'The Idempotency-Key header is malformed (1-128 printable ASCII characters)',
    zh: 'Idempotency-Key 请求头格式错误（1 至 128 个可打印 ASCII 字符）',
  },
  ERR_HTTP_NOT_FOUND: { en: 'No such endpoint', zh: '接口不存在' },
  ERR_HTTP_METHOD_NOT_ALLOWED: {
    en: 'The endpoint does not accept this method',
    zh: '接口不支持该请求方法',
  },
  ERR_HTTP_MALFORMED_JSON: {
    en: 'The request body is not valid JSON',
    zh: '请求体不是合法的 JSON',
  },
  ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: {
    en: 'The request body has a content type this endpoint does not accept',
    zh: '接口不接受该请求体类型',
  },
  ERR_HTTP_MULTIPART: {
    en: 'The multipart form is malformed or lacks a required part',
    zh: 'multipart 表单格式错误或缺少必需部分',
  },
  ERR_VERIFY_UNSUPPORTED_TYPE: {
    en: 'The file is not a sealed PDF, an OFD document or a signed licence data file (JSON)',
    zh: '该文件不是已签章的 PDF、OFD 文档或签名证照数据文件（JSON）',
  },
  ERR_HTTP_RATE_LIMITED: {
    en: 'Too many requests: retry after the time in Retry-After',
    zh: '请求过多：请在 Retry-After 所示时间后重试',
  },
  ERR_SERVICE_UNAVAILABLE: {
    en: 'The service cannot serve the request now',
    zh: '服务暂时不可用',
  },
  ERR_LICENCE_USE_CAUSE_REQUIRED: {
    en: 'A licence lookup needs a use cause (useCause, 用证事由) of 2 to 200 characters',
    zh: '查询证照须填写用证事由（useCause，2 至 200 个字符）',
  },
  ERR_LICENCE_DIGEST_MISMATCH: {
    en: "The digest (d) is not the licence's current QR digest: scan the QR code of the licence again",
    zh: '摘要参数（d）与证照当前二维码摘要不符，请重新扫描证照二维码',
  },
  ERR_LICENCE_ACCESS_DENIED: {
    en: 'The application has no rights to this licence (licence type, issuer or area)',
    zh: '应用无权访问该证照（证照类型、颁发机构或属地不在授权范围内）',
  },
  ERR_LICENCE_ISSUER_UNKNOWN: {
    en: 'No licence issuer with this code is registered on this server',
    zh: '本服务未登记该证照颁发机构',
  },
  ERR_LICENCE_ISSUER_EXISTS: {
    en: 'A licence issuer with this code is already registered',
    zh: '该证照颁发机构已登记',
  },
  ERR_LICENCE_FACE_LINK_NOT_FOUND: {
    en: 'No such face download link',
    zh: '照面下载链接不存在',
  },
  ERR_LICENCE_FACE_LINK_USED: {
    en: 'The face download link was already used (links are single-use)',
    zh: '照面下载链接已被使用（链接仅可使用一次）',
  },
  ERR_LICENCE_FACE_LINK_EXPIRED: {
    en: 'The face download link has expired',
    zh: '照面下载链接已过期',
  },
  ERR_LICENCE_UPLOAD_CONTENT: {
    en: 'The upload is not what its content type says (a face PDF or a signed licence JSON file)',
    zh: '上传内容与其类型不符（应为证照照面 PDF 或签名证照数据 JSON 文件）',
  },
  ERR_CLIENT_RESPONSE: {
    en: 'The server answered with something the client cannot read',
    zh: '服务器的响应无法解析',
  },
  ERR_CLIENT_NETWORK: {
    en: 'The server could not be reached or did not answer in time',
    zh: '无法连接服务器或服务器未按时响应',
  },
} as const;

/** A code of this area. */
export type ServerErrorCode = keyof typeof serverCodes;

/** Codes a `ServiceError` may carry: this area's, plus the general and seal-validity codes the service answers with. */
export type ServiceErrorCode = ServerErrorCode | 'ERR_SEAL_EXPIRED' | 'ERR_INTERNAL';

const fallbackMessages: Readonly<Record<'ERR_SEAL_EXPIRED' | 'ERR_INTERNAL', string>> = {
  ERR_SEAL_EXPIRED: 'The seal is outside its validity period',
  ERR_INTERNAL: 'An internal error occurred',
};

/**
 * A refusal or failure of the signing server, with an HTTP-independent stable code (the server
 * maps codes to statuses in one table) and optional safe details for the problem document.
 */
export class ServiceError extends GovTrustError {
  declare readonly code: ServiceErrorCode;
  /** Safe, non-secret facts for the client (e.g. the field at fault, the seal status). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ServiceErrorCode,
    message?: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(
      code,
      message ??
        (code === 'ERR_SEAL_EXPIRED' || code === 'ERR_INTERNAL'
          ? fallbackMessages[code]
          : serverCodes[code].en),
      options,
    );
    this.details = options?.details;
  }
}

/**
 * An error answer of a GovTrust server as the client SDK sees it: the problem document's code,
 * HTTP status and request id.
 */
export class RemoteServiceError extends GovTrustError {
  /** The HTTP status. */
  readonly status: number;
  /** The server's request id, for support. */
  readonly requestId: string | undefined;
  /** Further fields of the problem document (details, retryAfter). */
  readonly problem: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    message: string,
    context: { status: number; requestId?: string; problem?: Record<string, unknown> },
  ) {
    super(code, message);
    this.status = context.status;
    this.requestId = context.requestId;
    this.problem = context.problem ?? {};
  }
}
