/** Error codes and classes of the pdf area (ISO 32000 reading, incremental writing, PAdES sealing). @module */
import { GovTrustError } from './base.js';

/** Codes of this area with their meaning (thrown codes and the codes reports carry). */
export const pdfCodes = {
  ERR_PDF_PARSE: {
    en: 'The PDF is malformed (no repair is attempted)',
    zh: 'PDF 文件结构错误（不做自动修复）',
  },
  ERR_PDF_ENCRYPTED: {
    en: 'The PDF is encrypted; encrypted files cannot be sealed',
    zh: 'PDF 已加密，无法盖章',
  },
  ERR_PDF_HYBRID_XREF: {
    en: 'The PDF is a hybrid-reference file, which readers can interpret differently',
    zh: 'PDF 使用混合交叉引用（不同阅读器可能解读不一致）',
  },
  ERR_PDF_LIMIT: {
    en: 'The PDF exceeds a safety limit (size, object count, nesting depth)',
    zh: 'PDF 超出安全上限（大小、对象数或嵌套深度）',
  },
  ERR_PDF_UNSUPPORTED: {
    en: 'The PDF uses a feature that is not supported here',
    zh: 'PDF 使用了不支持的特性',
  },
  ERR_PDF_PAGE_OUT_OF_RANGE: {
    en: 'The page number is outside the document',
    zh: '页码超出文档范围',
  },
  ERR_PDF_KEYWORD_NOT_FOUND: {
    en: 'The keyword was not found on the page(s) searched',
    zh: '未在页面中找到关键字',
  },
  ERR_PDF_IMAGE_UNSUPPORTED: {
    en: 'The seal image is not a supported PNG or JPEG (or, for a seal picture, a safe SVG)',
    zh: '印章图片不是受支持的 PNG 或 JPEG（印章自带图片也可为安全的 SVG）',
  },
  ERR_PDF_PLACEMENT: {
    en: 'The seal placement is invalid',
    zh: '盖章位置参数无效',
  },
  ERR_PDF_FIELD_EXISTS: {
    en: 'A form field with this name already exists',
    zh: '同名表单域已存在',
  },
  ERR_PDF_CONTENTS_OVERFLOW: {
    en: 'The signature does not fit the space reserved for it',
    zh: '签名数据超出预留空间',
  },
  ERR_PDF_CERTIFY_NOT_ALLOWED: {
    en: 'A certification signature must be the first signature of the document',
    zh: '文档认证签名必须是文档中的第一个签名',
  },
  ERR_PDF_MODIFICATION_NOT_ALLOWED: {
    en: 'The document is certified with no changes permitted (DocMDP P=1)',
    zh: '文档已认证且不允许任何修改（DocMDP P=1）',
  },
  ERR_PDF_SIGNER_CERT_EXPIRED: {
    en: 'The signing certificate has expired at the signing time',
    zh: '签名证书在签名时间已过期',
  },
  ERR_PDF_SIGNER_CERT_NOT_YET_VALID: {
    en: 'The signing certificate is not yet valid at the signing time',
    zh: '签名证书在签名时间尚未生效',
  },
  ERR_PDF_SELF_CHECK: {
    en: 'The sealed output failed its own consistency check (nothing was written)',
    zh: '盖章结果未通过自检（未输出文件）',
  },
  // Report codes of verifySealedPdf (carried in reports, never thrown).
  ERR_PDF_SIGNATURE_DICTIONARY: {
    en: 'The signature dictionary is malformed (type, filter, or the field value is not a signature dictionary)',
    zh: '签名字典格式错误（类型、过滤器不符，或签名域的值不是签名字典）',
  },
  ERR_PDF_SUBFILTER_UNSUPPORTED: {
    en: 'The signature format (/SubFilter) is missing, unknown or not allowed',
    zh: '签名格式（/SubFilter）缺失、未知或不被允许',
  },
  ERR_PDF_BYTE_RANGE_INVALID: {
    en: 'The signed byte range is missing or malformed (it must be four integers starting at 0 and lie inside the file)',
    zh: '签名字节范围缺失或格式错误（须为从 0 开始、位于文件内的四个整数）',
  },
  ERR_PDF_CONTENTS_INVALID: {
    en: 'The signature value (/Contents) is missing, empty or not a hexadecimal string',
    zh: '签名值（/Contents）缺失、为空或不是十六进制字符串',
  },
  ERR_PDF_CONTENTS_PADDING: {
    en: 'Bytes after the signature in /Contents are not zero padding (hidden data)',
    zh: '/Contents 中签名之后的字节不是零填充（可能隐藏数据）',
  },
  ERR_PDF_BYTE_RANGE_CONTENTS_MISMATCH: {
    en: 'The unsigned gap of the byte range is not this signature’s own /Contents (signature wrapping)',
    zh: '字节范围的未签名间隙不是本签名自己的 /Contents（签名包装攻击）',
  },
  ERR_PDF_BYTE_RANGE_NOT_REVISION: {
    en: 'The signed bytes do not end at the end of a revision: only part of the document is signed',
    zh: '签名覆盖的字节未在某个修订版本的结尾处结束：仅签署了文档的一部分',
  },
  ERR_PDF_SIGNATURE_NOT_IN_REVISION: {
    en: 'The signed revision does not contain this signature dictionary',
    zh: '被签名的修订版本中不包含此签名字典',
  },
  ERR_PDF_CMS_SIGNER_COUNT: {
    en: 'The signature must hold exactly one signer',
    zh: '签名中必须恰好包含一个签名者',
  },
  ERR_PDF_CMS_NOT_DETACHED: {
    en: 'The signature encapsulates content although its format signs the byte range detached',
    zh: '签名格式要求分离式签署字节范围，但签名中封装了内容',
  },
  ERR_PDF_CMS_CONTENT_TYPE: {
    en: 'The signed content type is not the one this signature format requires',
    zh: '签名内容类型不符合该签名格式的要求',
  },
  ERR_PDF_NOT_PADES: {
    en: 'The signature does not meet the PAdES baseline profile (signed attributes, signing certificate, no signing-time)',
    zh: '签名不符合 PAdES 基线要求（签名属性、签名证书属性、不得含签名时间属性）',
  },
  ERR_PDF_WEAK_ALGORITHM: {
    en: 'The signature uses a weak algorithm or key (SHA-1, RSA below 2048 bits)',
    zh: '签名使用了弱算法或弱密钥（SHA-1、低于 2048 位的 RSA）',
  },
  ERR_PDF_TIMESTAMP_INVALID: {
    en: 'A time-stamp of the signature does not verify or its authority is not trusted; its time is not used',
    zh: '签名时间戳验证失败或其时间戳服务不可信，其时间未被采用',
  },
  ERR_PDF_SIGNING_TIME_MISMATCH: {
    en: 'The claimed signing time is missing, malformed or later than the time-stamp',
    zh: '声明的签名时间缺失、格式错误或晚于时间戳时间',
  },
  ERR_PDF_MODIFIED: {
    en: 'The document was changed after signing in a way that is not allowed (page content, resources, page tree, or other objects)',
    zh: '签名后文档被以不允许的方式修改（页面内容、资源、页面树或其他对象）',
  },
  ERR_PDF_DOCMDP_VIOLATION: {
    en: 'A change after signing is not permitted by the certification level (DocMDP)',
    zh: '签名后的修改超出了文档认证级别（DocMDP）的许可',
  },
  ERR_PDF_FIELD_LOCKED: {
    en: 'A form field locked by the signature was changed',
    zh: '被签名锁定的表单域遭到修改',
  },
  ERR_PDF_SIGNATURE_REMOVED: {
    en: 'A signature that existed in an earlier revision is no longer referenced by the document (stripped or replaced)',
    zh: '早期修订版本中的签名已不再被文档引用（被剥离或替换）',
  },
  ERR_PDF_SIGNATURE_ORPHANED: {
    en: 'A signature dictionary is not referenced by any signature field in any revision',
    zh: '签名字典在任何修订版本中都未被签名域引用',
  },
  ERR_PDF_UPDATE_MALFORMED: {
    en: 'Bytes appended after the signed revision are not a well-formed incremental update',
    zh: '签名修订版本之后追加的字节不是格式正确的增量更新',
  },
  ERR_PDF_CERTIFICATION_ORDER: {
    en: 'A certification signature is not the first signature, or there is more than one',
    zh: '认证签名不是第一个签名，或存在多个认证签名',
  },
  ERR_PDF_DIFF_LIMIT: {
    en: 'The changes after signing are too large to analyse within the safety limits',
    zh: '签名后的修改规模超出安全上限，无法分析',
  },
} as const;

/** The PDF cannot be read: bad syntax, broken cross-reference data, dangling structure (`ERR_PDF_PARSE`). */
export class PdfParseError extends GovTrustError {
  /** Byte offset in the file where the problem was found, when known. */
  readonly offset: number | undefined;

  constructor(message: string, options?: { offset?: number; cause?: unknown }) {
    super(
      'ERR_PDF_PARSE',
      options?.offset === undefined ? message : `${message} (at byte ${options.offset})`,
      options,
    );
    this.offset = options?.offset;
  }
}

/** The PDF is encrypted (`ERR_PDF_ENCRYPTED`). */
export class PdfEncryptedError extends GovTrustError {
  constructor(message = 'The PDF is encrypted (trailer /Encrypt); decrypt it before sealing') {
    super('ERR_PDF_ENCRYPTED', message);
  }
}

/** The PDF is a hybrid-reference file and hybrids were not allowed (`ERR_PDF_HYBRID_XREF`). */
export class PdfHybridXrefError extends GovTrustError {
  readonly offset: number;

  constructor(offset: number) {
    super(
      'ERR_PDF_HYBRID_XREF',
      `Hybrid-reference file (trailer /XRefStm at byte ${offset}); pass allowHybrid to read it anyway`,
    );
    this.offset = offset;
  }
}

/** A safety limit was exceeded (`ERR_PDF_LIMIT`). */
export class PdfLimitError extends GovTrustError {
  /** The limit that was hit, e.g. `maxDepth`. */
  readonly limit: string;

  constructor(limit: string, message: string, options?: { offset?: number }) {
    super(
      'ERR_PDF_LIMIT',
      options?.offset === undefined ? message : `${message} (at byte ${options.offset})`,
    );
    this.limit = limit;
  }
}

/** The PDF needs a feature GovTrust does not implement (`ERR_PDF_UNSUPPORTED`). */
export class PdfUnsupportedError extends GovTrustError {
  constructor(message: string) {
    super('ERR_PDF_UNSUPPORTED', message);
  }
}

/** A page number is not in the document (`ERR_PDF_PAGE_OUT_OF_RANGE`). */
export class PdfPageOutOfRangeError extends GovTrustError {
  readonly page: number;
  readonly pageCount: number;

  constructor(page: number, pageCount: number) {
    super(
      'ERR_PDF_PAGE_OUT_OF_RANGE',
      `Page ${page} is outside the document (pages 1..${pageCount})`,
    );
    this.page = page;
    this.pageCount = pageCount;
  }
}

/** Keyword positioning found no (or not enough) occurrences (`ERR_PDF_KEYWORD_NOT_FOUND`). */
export class PdfKeywordNotFoundError extends GovTrustError {
  readonly keyword: string;
  readonly occurrence: number;
  readonly found: number;

  constructor(keyword: string, occurrence: number, found: number) {
    super(
      'ERR_PDF_KEYWORD_NOT_FOUND',
      found === 0
        ? `Keyword "${keyword}" not found`
        : `Keyword "${keyword}" occurs ${found} time(s); occurrence ${occurrence} asked for`,
    );
    this.keyword = keyword;
    this.occurrence = occurrence;
    this.found = found;
  }
}

/** The appearance image is not a PNG or JPEG we can embed (`ERR_PDF_IMAGE_UNSUPPORTED`). */
export class PdfImageError extends GovTrustError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_PDF_IMAGE_UNSUPPORTED', message, options);
  }
}

/** Placement options are inconsistent or off the page (`ERR_PDF_PLACEMENT`). */
export class PdfPlacementError extends GovTrustError {
  constructor(message: string) {
    super('ERR_PDF_PLACEMENT', message);
  }
}

/** The requested field name is taken (`ERR_PDF_FIELD_EXISTS`). */
export class PdfFieldExistsError extends GovTrustError {
  readonly field: string;

  constructor(field: string) {
    super('ERR_PDF_FIELD_EXISTS', `A form field named "${field}" already exists`);
    this.field = field;
  }
}

/** The CMS is larger than the reserved /Contents (`ERR_PDF_CONTENTS_OVERFLOW`). */
export class PdfContentsOverflowError extends GovTrustError {
  readonly reserved: number;
  readonly actual: number;

  constructor(reserved: number, actual: number) {
    super(
      'ERR_PDF_CONTENTS_OVERFLOW',
      `The signature is ${actual} bytes but only ${reserved} were reserved in /Contents`,
    );
    this.reserved = reserved;
    this.actual = actual;
  }
}

/** Certification or a new signature conflicts with the document's existing signatures. */
export class PdfSignaturePolicyError extends GovTrustError {
  declare readonly code: 'ERR_PDF_CERTIFY_NOT_ALLOWED' | 'ERR_PDF_MODIFICATION_NOT_ALLOWED';

  // Not useless: it narrows `code`.
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(
    code: 'ERR_PDF_CERTIFY_NOT_ALLOWED' | 'ERR_PDF_MODIFICATION_NOT_ALLOWED',
    message: string,
  ) {
    super(code, message);
  }
}

/** The signing certificate is outside its validity period at the signing time. */
export class PdfSignerCertificateError extends GovTrustError {
  declare readonly code: 'ERR_PDF_SIGNER_CERT_EXPIRED' | 'ERR_PDF_SIGNER_CERT_NOT_YET_VALID';
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly at: Date;

  constructor(notBefore: Date, notAfter: Date, at: Date) {
    const expired = at.getTime() > notAfter.getTime();
    super(
      expired ? 'ERR_PDF_SIGNER_CERT_EXPIRED' : 'ERR_PDF_SIGNER_CERT_NOT_YET_VALID',
      expired
        ? `The signing certificate expired at ${notAfter.toISOString()} (signing time ${at.toISOString()})`
        : `The signing certificate is valid only from ${notBefore.toISOString()} (signing time ${at.toISOString()})`,
    );
    this.notBefore = notBefore;
    this.notAfter = notAfter;
    this.at = at;
  }
}

/** The output failed the writer's self-check (`ERR_PDF_SELF_CHECK`); this is a bug, never user error. */
export class PdfSelfCheckError extends GovTrustError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_PDF_SELF_CHECK', message, options);
  }
}
