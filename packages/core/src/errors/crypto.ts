/** Error codes and classes of the crypto area (keys, algorithms, signatures, tokens). @module */
import { GovTrustError } from './base.js';

/** Codes of this area with their meaning. */
export const cryptoCodes = {
  ERR_ALG_NOT_SUPPORTED: { en: 'The algorithm is not supported', zh: '不支持该算法' },
  ERR_ALG_MISMATCH: { en: 'The algorithm does not fit the key', zh: '算法与密钥不匹配' },
  ERR_KEY_PARSE: { en: 'The key or its container is malformed', zh: '密钥或密钥文件格式错误' },
  ERR_KEY_DECRYPT: {
    en: 'The key could not be decrypted (wrong password?)',
    zh: '密钥解密失败（口令错误？）',
  },
  ERR_KEY_UNSUPPORTED: {
    en: 'The key type or curve is not supported',
    zh: '不支持该密钥类型或曲线',
  },
  ERR_KEY_MISMATCH: {
    en: 'The private key does not match the certificate',
    zh: '私钥与证书不匹配',
  },
  ERR_SIGNATURE_MALFORMED: {
    en: 'The signature value is malformed (truncated or wrong length)',
    zh: '签名值格式错误（截断或长度不符）',
  },
  ERR_SIGNER_FAILED: { en: 'The signer failed to produce a signature', zh: '签名设备未能完成签名' },
  ERR_PKCS11_MODULE: { en: 'The PKCS#11 module could not be loaded', zh: '无法加载 PKCS#11 模块' },
  ERR_PKCS11_LOGIN: { en: 'Login to the PKCS#11 token failed', zh: 'PKCS#11 令牌登录失败' },
  ERR_PKCS11_KEY_NOT_FOUND: {
    en: 'No matching key was found on the PKCS#11 token',
    zh: '在 PKCS#11 令牌中未找到对应密钥',
  },
  ERR_PKCS11: { en: 'The PKCS#11 token reported an error', zh: 'PKCS#11 令牌返回错误' },
} as const;

/** An algorithm name, OID or parameter set is not supported (`ERR_ALG_NOT_SUPPORTED`). */
export class AlgorithmNotSupportedError extends GovTrustError {
  /** The algorithm name or OID that was asked for. */
  readonly algorithm: string;

  constructor(algorithm: string, message?: string) {
    super('ERR_ALG_NOT_SUPPORTED', message ?? `Algorithm not supported: ${algorithm}`);
    this.algorithm = algorithm;
  }
}

/** The algorithm asked for cannot be used with the key given (`ERR_ALG_MISMATCH`). */
export class AlgorithmMismatchError extends GovTrustError {
  constructor(message: string) {
    super('ERR_ALG_MISMATCH', message);
  }
}

/** A key, PEM block, PKCS#8 or PKCS#12 container is malformed (`ERR_KEY_PARSE`). */
export class KeyParseError extends GovTrustError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_KEY_PARSE', message, options);
  }
}

/** An encrypted key or PKCS#12 file could not be opened with the password (`ERR_KEY_DECRYPT`). */
export class KeyDecryptError extends GovTrustError {
  constructor(
    message = 'Could not decrypt the key: wrong password or damaged file',
    options?: { cause?: unknown },
  ) {
    super('ERR_KEY_DECRYPT', message, options);
  }
}

/** A key type or curve that GovTrust does not support (`ERR_KEY_UNSUPPORTED`). */
export class KeyUnsupportedError extends GovTrustError {
  constructor(message: string) {
    super('ERR_KEY_UNSUPPORTED', message);
  }
}

/** The private key does not belong to the certificate it is used with (`ERR_KEY_MISMATCH`). */
export class KeyMismatchError extends GovTrustError {
  constructor(message = 'The private key does not match the certificate') {
    super('ERR_KEY_MISMATCH', message);
  }
}

/** A signature value cannot be decoded at all (`ERR_SIGNATURE_MALFORMED`). */
export class SignatureMalformedError extends GovTrustError {
  constructor(message: string) {
    super('ERR_SIGNATURE_MALFORMED', message);
  }
}

/** An external signer (callback, token, remote service) failed (`ERR_SIGNER_FAILED`). */
export class SignerFailedError extends GovTrustError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_SIGNER_FAILED', message, options);
  }
}

/** Codes a PKCS#11 failure can carry. */
export type Pkcs11ErrorCode =
  'ERR_PKCS11_MODULE' | 'ERR_PKCS11_LOGIN' | 'ERR_PKCS11_KEY_NOT_FOUND' | 'ERR_PKCS11';

/** A PKCS#11 module or token failed; `code` says which step. */
export class Pkcs11Error extends GovTrustError {
  declare readonly code: Pkcs11ErrorCode;

  // Not useless: it narrows `code` to the PKCS#11 codes.
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(code: Pkcs11ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
