/** Error codes and classes of the cms area (RFC 5652 SignedData, CAdES/PAdES attributes). @module */
import { GovTrustError } from './base.js';

/** Codes of this area with their meaning (thrown codes and the codes reports carry). */
export const cmsCodes = {
  ERR_CMS_PARSE: { en: 'The CMS structure is malformed', zh: 'CMS 结构格式错误' },
  // Report codes of verifyCms.
  ERR_CMS_SIGNER_NOT_FOUND: {
    en: 'The signer’s certificate is not in the CMS',
    zh: 'CMS 中未找到签名者证书',
  },
  ERR_CMS_SIGNATURE_INVALID: {
    en: 'The CMS signature value does not verify',
    zh: 'CMS 签名值验证失败',
  },
  ERR_CMS_DIGEST_MISMATCH: {
    en: 'The signed message digest does not match the content',
    zh: '签名的消息摘要与内容不符',
  },
  ERR_CMS_ATTRIBUTE_MISSING: {
    en: 'A required signed attribute (content-type or message-digest) is missing or malformed',
    zh: '缺少必需的签名属性（内容类型或消息摘要）或其格式错误',
  },
  ERR_CMS_CONTENT_TYPE_MISMATCH: {
    en: 'The content-type attribute differs from the encapsulated content type',
    zh: '内容类型属性与封装内容类型不一致',
  },
  ERR_CMS_SIGNING_CERT_MISMATCH: {
    en: 'The signing-certificate attribute names another certificate',
    zh: '签名证书属性指向其他证书',
  },
  ERR_CMS_SIGNING_CERT_MISSING: {
    en: 'No ESS signing-certificate attribute binds the signer’s certificate',
    zh: '缺少绑定签名者证书的 ESS 签名证书属性',
  },
  ERR_CMS_ALG_NOT_SUPPORTED: {
    en: 'The CMS uses a digest or signature algorithm that is not supported',
    zh: 'CMS 使用了不支持的摘要或签名算法',
  },
  ERR_CMS_WEAK_ALGORITHM: {
    en: 'The CMS uses a deprecated algorithm (SHA-1)',
    zh: 'CMS 使用了已弃用的算法（SHA-1）',
  },
  ERR_CMS_NO_CONTENT: {
    en: 'The signature is detached and no content or digest was given to check it against',
    zh: '签名为分离式，但未提供用于核对的内容或摘要',
  },
  ERR_CMS_NOT_DER: {
    en: 'The signed attributes are not DER-encoded as CMS requires',
    zh: '签名属性未按 CMS 要求使用 DER 编码',
  },
} as const;

/** A CMS ContentInfo / SignedData cannot be decoded (`ERR_CMS_PARSE`). */
export class CmsParseError extends GovTrustError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CMS_PARSE', message, options);
  }
}
