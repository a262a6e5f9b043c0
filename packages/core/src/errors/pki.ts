/** Error codes and classes of the pki area (certificates, CRL, OCSP, time stamps, path validation). @module */
import { GovTrustError } from './base.js';

/** Codes of this area with their meaning (thrown codes and the codes reports carry). */
export const pkiCodes = {
  // Thrown: unusable input.
  ERR_CERT_PARSE: { en: 'The certificate is malformed', zh: '证书格式错误' },
  ERR_CRL_PARSE: { en: 'The CRL is malformed', zh: '证书吊销列表（CRL）格式错误' },
  ERR_OCSP_PARSE: {
    en: 'The OCSP request or response is malformed',
    zh: 'OCSP 请求或响应格式错误',
  },
  ERR_TSP_PARSE: {
    en: 'The time-stamp request, response or token is malformed',
    zh: '时间戳请求、响应或令牌格式错误',
  },
  ERR_TSA_REJECTED: {
    en: 'The time-stamp authority refused the request',
    zh: '时间戳服务拒绝了请求',
  },
  ERR_OCSP_REJECTED: {
    en: 'The OCSP responder did not answer with a successful response',
    zh: 'OCSP 服务未返回成功响应',
  },
  ERR_PKI_FETCH: {
    en: 'A PKI service (TSA, OCSP, CRL) could not be reached or answered with an HTTP error',
    zh: '无法访问 PKI 服务（时间戳、OCSP、CRL）或其返回 HTTP 错误',
  },
  ERR_PKI_CONFIG: { en: 'The PKI hierarchy configuration is invalid', zh: 'PKI 层级配置无效' },
  ERR_CERT_ISSUE: {
    en: 'The certificate cannot be issued with these options',
    zh: '无法按所给参数签发证书',
  },
  // Report codes: path validation (RFC 5280 clause 6).
  ERR_PATH_EXPIRED: {
    en: 'A certificate in the chain had expired at the validation time',
    zh: '验证时间点证书链中有证书已过期',
  },
  ERR_PATH_NOT_YET_VALID: {
    en: 'A certificate in the chain was not yet valid at the validation time',
    zh: '验证时间点证书链中有证书尚未生效',
  },
  ERR_PATH_KEY_USAGE: {
    en: 'A certificate’s key usage does not allow this use',
    zh: '证书的密钥用法不允许此用途',
  },
  ERR_PATH_EKU: {
    en: 'The certificate’s extended key usage does not allow this purpose',
    zh: '证书的扩展密钥用法不允许此用途',
  },
  ERR_PATH_NOT_CA: {
    en: 'An issuing certificate in the chain is not a CA (basicConstraints CA:false or absent)',
    zh: '证书链中的签发证书不是 CA 证书（基本约束 CA:false 或缺失）',
  },
  ERR_PATH_LENGTH: {
    en: 'The chain is longer than a CA’s path length constraint allows',
    zh: '证书链长度超过 CA 的路径长度约束',
  },
  ERR_PATH_REVOKED_CRL: {
    en: 'A certificate in the chain is revoked (CRL)',
    zh: '证书链中有证书已被吊销（CRL）',
  },
  ERR_PATH_REVOKED_OCSP: {
    en: 'A certificate in the chain is revoked (OCSP)',
    zh: '证书链中有证书已被吊销（OCSP）',
  },
  ERR_PATH_REVOCATION_UNKNOWN: {
    en: 'The revocation status of a certificate could not be determined',
    zh: '无法确定证书的吊销状态',
  },
  ERR_PATH_UNKNOWN_ISSUER: {
    en: 'No issuer certificate was found for a certificate in the chain',
    zh: '未找到证书链中某证书的签发者证书',
  },
  ERR_PATH_UNTRUSTED_ROOT: {
    en: 'The chain ends at a root that is not in the trust store',
    zh: '证书链的根证书不在信任列表中',
  },
  ERR_PATH_BAD_SIGNATURE: {
    en: 'A certificate signature in the chain does not verify',
    zh: '证书链中有证书签名验证失败',
  },
  ERR_PATH_CRITICAL_EXTENSION: {
    en: 'A certificate carries a critical extension that is not understood',
    zh: '证书含有无法识别的关键扩展',
  },
  ERR_PATH_WEAK_ALGORITHM: {
    en: 'A certificate in the chain is signed with a deprecated algorithm (SHA-1)',
    zh: '证书链中有证书使用已弃用的算法（SHA-1）签名',
  },
  ERR_PATH_TOO_LONG: {
    en: 'The chain is longer than the validator accepts',
    zh: '证书链超过验证器允许的长度',
  },
  // Report codes: revocation data.
  ERR_CRL_SIGNATURE_INVALID: {
    en: 'The CRL signature does not verify with its issuer’s key',
    zh: 'CRL 签名验证失败',
  },
  ERR_CRL_STALE: {
    en: 'The CRL was not current at the validation time',
    zh: '验证时间点 CRL 不在有效期内',
  },
  ERR_OCSP_RESPONSE_INVALID: {
    en: 'The OCSP response does not verify or its responder is not authorised',
    zh: 'OCSP 响应验证失败或响应者未获授权',
  },
  ERR_OCSP_STALE: {
    en: 'The OCSP response was not current at the validation time',
    zh: '验证时间点 OCSP 响应不在有效期内',
  },
  ERR_OCSP_NONCE_MISMATCH: {
    en: 'The OCSP response does not echo the request nonce',
    zh: 'OCSP 响应未回显请求随机数',
  },
  // Report codes: time-stamp tokens (RFC 3161 clause 2.4.2, RFC 5816).
  ERR_TSP_IMPRINT_MISMATCH: {
    en: 'The time-stamp token covers other data (message imprint mismatch)',
    zh: '时间戳令牌的消息摘要与数据不符',
  },
  ERR_TSP_SIGNATURE_INVALID: {
    en: 'The time-stamp token signature does not verify',
    zh: '时间戳令牌签名验证失败',
  },
  ERR_TSP_CERT_EKU: {
    en: 'The TSA certificate lacks the critical timeStamping extended key usage',
    zh: '时间戳服务证书缺少关键的 timeStamping 扩展密钥用法',
  },
  ERR_TSP_SIGNING_CERT: {
    en: 'The time-stamp token does not bind its signing certificate (ESS)',
    zh: '时间戳令牌未正确绑定其签名证书（ESS）',
  },
  ERR_TSP_UNTRUSTED: {
    en: 'The TSA certificate does not chain to a trusted root',
    zh: '时间戳服务证书无法链接到受信任的根证书',
  },
  ERR_TSP_NONCE_MISMATCH: {
    en: 'The time-stamp response does not echo the request nonce',
    zh: '时间戳响应未回显请求随机数',
  },
} as const;

/** A certificate cannot be decoded (`ERR_CERT_PARSE`). */
export class CertificateParseError extends GovTrustError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CERT_PARSE', message, options);
  }
}

/** A CRL cannot be decoded (`ERR_CRL_PARSE`). */
export class CrlParseError extends GovTrustError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CRL_PARSE', message, options);
  }
}

/** An OCSP request or response cannot be decoded (`ERR_OCSP_PARSE`). */
export class OcspParseError extends GovTrustError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_OCSP_PARSE', message, options);
  }
}

/** An RFC 3161 request, response or token cannot be decoded (`ERR_TSP_PARSE`). */
export class TspParseError extends GovTrustError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_TSP_PARSE', message, options);
  }
}

/** A time-stamp authority answered with a status other than granted (`ERR_TSA_REJECTED`). */
export class TsaRejectedError extends GovTrustError {
  /** PKIStatus (RFC 3161 clause 2.4.2): 2 rejection, 3 waiting, 4/5 revocation notices. */
  readonly status: number;
  /** PKIFailureInfo names, e.g. `badAlg`. */
  readonly failInfo: readonly string[];

  constructor(status: number, failInfo: readonly string[], statusText?: string) {
    super(
      'ERR_TSA_REJECTED',
      `The TSA refused the request (status ${status}${failInfo.length ? `, ${failInfo.join(', ')}` : ''}${statusText ? `: ${statusText}` : ''})`,
    );
    this.status = status;
    this.failInfo = failInfo;
  }
}

/** An OCSP responder answered with a status other than successful (`ERR_OCSP_REJECTED`). */
export class OcspRejectedError extends GovTrustError {
  /** OCSPResponseStatus name, e.g. `unauthorized`. */
  readonly responseStatus: string;

  constructor(responseStatus: string) {
    super('ERR_OCSP_REJECTED', `The OCSP responder answered ${responseStatus}`);
    this.responseStatus = responseStatus;
  }
}

/** A TSA, OCSP responder or CRL URL could not be fetched (`ERR_PKI_FETCH`). */
export class PkiFetchError extends GovTrustError {
  readonly url: string;
  /** HTTP status when the server answered. */
  readonly httpStatus: number | undefined;

  constructor(url: string, message: string, options?: { cause?: unknown; httpStatus?: number }) {
    super('ERR_PKI_FETCH', message, options);
    this.url = url;
    this.httpStatus = options?.httpStatus;
  }
}

/** The PKI hierarchy configuration (`pki init --config`) is invalid (`ERR_PKI_CONFIG`). */
export class PkiConfigError extends GovTrustError {
  /** Path of the offending setting, e.g. `identities[2].issuer`. */
  readonly path: string | undefined;

  constructor(message: string, options?: { path?: string; cause?: unknown }) {
    super('ERR_PKI_CONFIG', message, options);
    this.path = options?.path;
  }
}

/** Certificate issuing options are inconsistent (`ERR_CERT_ISSUE`). */
export class CertificateIssueError extends GovTrustError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CERT_ISSUE', message, options);
  }
}
