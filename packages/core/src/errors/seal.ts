/** Error codes and classes of the seal area (GB/T 38540 seals and seal signatures, OFD packages). @module */
import { GovTrustError } from './base.js';

/** Codes of this area with their meaning (thrown codes and the codes reports carry). */
export const sealCodes = {
  // Thrown: unusable input.
  ERR_SEAL_PARSE: {
    en: 'The electronic seal (SES_Seal) is malformed or truncated',
    zh: '电子印章数据（SES_Seal）格式错误或不完整',
  },
  ERR_SEAL_HEADER: {
    en: 'The seal header identifier is not "ES"',
    zh: '印章头标识不是“ES”',
  },
  ERR_SEAL_VERSION: {
    en: 'The seal version is not supported or does not match the seal structure',
    zh: '印章版本不受支持或与印章结构不一致',
  },
  ERR_SEAL_SIGNATURE_PARSE: {
    en: 'The seal signature (SES_Signature) is malformed or truncated',
    zh: '电子签章数据（SES_Signature）格式错误或不完整',
  },
  ERR_SEAL_ENCODE: {
    en: 'The seal cannot be encoded in this version or with these values',
    zh: '无法按该版本或所给数据编码印章',
  },
  ERR_SEAL_ID: {
    en: 'The seal identifier (esID) does not follow the documented format',
    zh: '印章标识（esID）不符合规定格式',
  },
  ERR_SEAL_NON_STANDARD_ALGORITHM: {
    en: 'The algorithm is not SM2-with-SM3, which GB/T 38540 requires',
    zh: '算法不是 GB/T 38540 要求的 SM2/SM3',
  },
  ERR_SEAL_ATTRIBUTE: {
    en: 'The GovTrust seal attribute is malformed',
    zh: 'GovTrust 印章属性格式错误',
  },
  ERR_OFD_PARSE: {
    en: 'The OFD package is malformed (zip, OFD.xml or signature description)',
    zh: 'OFD 文件格式错误（压缩包、OFD.xml 或签名描述文件）',
  },
  ERR_OFD_ZIP_BOMB: {
    en: 'The OFD package inflates beyond the size or compression-ratio limits',
    zh: 'OFD 压缩包解压后超过大小或压缩比上限',
  },
  ERR_OFD_ZIP_ENTRIES: {
    en: 'The OFD package has more entries than allowed',
    zh: 'OFD 压缩包条目数超过上限',
  },
  ERR_OFD_ZIP_PATH: {
    en: 'An OFD package entry has an unsafe name (absolute path, "..", backslash or control character)',
    zh: 'OFD 压缩包条目名称不安全（绝对路径、“..”、反斜杠或控制字符）',
  },
  ERR_OFD_ZIP_DUPLICATE: {
    en: 'The OFD package holds two entries with the same name',
    zh: 'OFD 压缩包中存在同名条目',
  },
  ERR_OFD_ZIP_UNSUPPORTED: {
    en: 'The OFD package uses an unsupported zip feature (encryption, compression method, overlapping entries)',
    zh: 'OFD 压缩包使用了不支持的特性（加密、压缩方法或条目重叠）',
  },
  // Report codes: the seal (GB/T 38540 clause 6.3).
  ERR_SEAL_MAKER_SIGNATURE_INVALID: {
    en: 'The seal maker’s signature over the seal information does not verify',
    zh: '制章者对印章信息的签名验证失败',
  },
  ERR_SEAL_MAKER_CERT: {
    en: 'The seal maker certificate cannot be read',
    zh: '无法读取制章者证书',
  },
  ERR_SEAL_MAKER_CERT_AT_CREATION: {
    en: 'The seal maker certificate was not valid when the seal was made',
    zh: '制章时制章者证书不在有效期内',
  },
  ERR_SEAL_ALGORITHM: {
    en: 'The signature algorithm is unknown or does not fit the certificate key',
    zh: '签名算法未知或与证书密钥不匹配',
  },
  ERR_SEAL_EXPIRED: {
    en: 'The seal’s validity period had ended at the validation time',
    zh: '验证时间点印章已过有效期',
  },
  ERR_SEAL_NOT_YET_VALID: {
    en: 'The seal’s validity period had not begun at the validation time',
    zh: '验证时间点印章尚未生效',
  },
  ERR_SEAL_VALIDITY_PERIOD: {
    en: 'The seal’s dates are inconsistent (start after end, or made after its validity ended)',
    zh: '印章日期不一致（起始晚于终止，或制作时间晚于有效期终止）',
  },
  ERR_SEAL_CERT_EXPIRED: {
    en: 'A certificate had expired at the validation time',
    zh: '验证时间点证书已过期',
  },
  ERR_SEAL_CERT_NOT_YET_VALID: {
    en: 'A certificate was not yet valid at the validation time',
    zh: '验证时间点证书尚未生效',
  },
  ERR_SEAL_UNTRUSTED: {
    en: 'The certificate does not chain to a trust anchor',
    zh: '证书无法链接到受信任的根证书',
  },
  ERR_SEAL_CHAIN_NOT_CHECKED: {
    en: 'No trust anchors were given: certificate chains were not checked',
    zh: '未提供信任锚，未验证证书链',
  },
  ERR_SEAL_SIGNER_NOT_IN_CERT_LIST: {
    en: 'The signer certificate is not in the seal’s certificate list',
    zh: '签章者证书不在印章的证书列表中',
  },
  ERR_SEAL_CERT_DIGEST_UNKNOWN: {
    en: 'The seal lists certificate digests of an unknown hash type; membership is undecided',
    zh: '印章证书摘要列表使用未知杂凑算法，无法判断签章者证书是否在列表中',
  },
  ERR_SEAL_PICTURE: {
    en: 'The seal picture is malformed (type, data or size)',
    zh: '印章图像数据有误（类型、数据或尺寸）',
  },
  ERR_SEAL_PICTURE_TYPE: {
    en: 'The seal picture type is not one GovTrust can check',
    zh: '无法检查该印章图像类型',
  },
  ERR_SEAL_NOT_DER: {
    en: 'The seal or signature is not in strict DER (verified over the bytes as received)',
    zh: '印章或签章数据不是严格 DER 编码（按原始字节验证）',
  },
  ERR_SEAL_TIMESTAMP_NOT_CHECKED: {
    en: 'A time-stamp is present but was not verified',
    zh: '存在时间戳但未验证',
  },
  // Report codes: the seal signature (GB/T 38540 clause 7.3).
  ERR_SEAL_SIGNATURE_INVALID: {
    en: 'The signer’s signature over TBS_Sign does not verify',
    zh: '签章者对签章信息（TBS_Sign）的签名验证失败',
  },
  ERR_SEAL_SIGNER_CERT: {
    en: 'The signer certificate cannot be read',
    zh: '无法读取签章者证书',
  },
  ERR_SEAL_DATA_HASH_MISMATCH: {
    en: 'The signed data hash does not match the protected data',
    zh: '原文杂凑值与被保护数据不一致',
  },
  ERR_SEAL_VERSION_MISMATCH: {
    en: 'The signature version differs from the seal version',
    zh: '签章版本与印章版本不一致',
  },
  ERR_SEAL_NOT_VALID_AT_SIGNING_TIME: {
    en: 'The seal was not valid at the signing time',
    zh: '签章时间不在印章有效期内',
  },
  ERR_SEAL_SIGNED_AFTER_VALIDATION_TIME: {
    en: 'The signing time is later than the validation time',
    zh: '签章时间晚于验证时间',
  },
  // Report codes: seal binding in PDFs (docs/seal-binding.md).
  ERR_SEAL_STATUS_INACTIVE: {
    en: 'The seal was suspended, reported lost, cancelled or revoked at the signing time',
    zh: '签章时印章已停用、挂失、注销或吊销',
  },
  ERR_SEAL_STATUS_UNKNOWN: {
    en: 'The seal status source does not know the seal or could not answer',
    zh: '印章状态服务不认识该印章或无法给出状态',
  },
  ERR_SEAL_STATUS_NOT_CHECKED: {
    en: 'No seal status source was given: suspension, loss and revocation of the seal were not checked',
    zh: '未提供印章状态服务，未检查印章是否停用、挂失或吊销',
  },
  ERR_SEAL_STATUS_CHANGED_AFTER_SIGNING: {
    en: 'The seal was suspended, lost, cancelled or revoked after the proven signing time',
    zh: '印章在已证明的签章时间之后被停用、挂失、注销或吊销',
  },
  ERR_SEAL_CONTENTS_TRAILING_DATA: {
    en: 'The signature /Contents holds data other than zero padding after the seal signature',
    zh: '签名 /Contents 中电子签章数据之后存在非零填充数据',
  },
  ERR_SEAL_PROPERTY_INFO: {
    en: 'The seal signature’s propertyInfo does not describe the signed byte range',
    zh: '电子签章的原文属性（propertyInfo）与签名覆盖的字节范围不一致',
  },
  // Report codes: OFD packages (GB/T 33190 clause 18).
  ERR_OFD_NO_SIGNATURES: { en: 'The OFD document carries no signature', zh: 'OFD 文档中没有签名' },
  ERR_OFD_SIGNATURE_FILE: {
    en: 'A signature description or signed value file is missing or malformed',
    zh: '签名描述文件或签名值文件缺失或格式错误',
  },
  ERR_OFD_REFERENCE_MISMATCH: {
    en: 'A protected file’s digest does not match its reference (the file was changed)',
    zh: '被保护文件的杂凑值与签名引用不一致（文件已被修改）',
  },
  ERR_OFD_REFERENCE_MISSING: {
    en: 'A file the signature protects is missing from the package',
    zh: '签名保护的文件在包中不存在',
  },
  ERR_OFD_CHECK_METHOD: {
    en: 'The references’ digest method is not supported',
    zh: '不支持引用文件的杂凑算法',
  },
  ERR_OFD_WEAK_DIGEST: {
    en: 'The references use a weak digest (MD5 or SHA-1)',
    zh: '引用文件使用了弱杂凑算法（MD5 或 SHA-1）',
  },
  ERR_OFD_PROPERTY_INFO: {
    en: 'The signature’s propertyInfo does not name its Signature.xml',
    zh: '签章原文属性（propertyInfo）未指向其签名描述文件',
  },
  ERR_OFD_SEAL_FILE_MISMATCH: {
    en: 'Seal.esl differs from the seal inside the signature',
    zh: 'Seal.esl 与签章中的印章不一致',
  },
  ERR_OFD_UNPROTECTED_FILES: {
    en: 'Some package files are not protected by the signature',
    zh: '包中部分文件不受该签名保护',
  },
  ERR_OFD_SIGN_TYPE_UNSUPPORTED: {
    en: 'This OFD signature type (GB/T 35275 "Sign") is not verified yet',
    zh: '暂不支持验证该类型的 OFD 签名（GB/T 35275 “Sign”）',
  },
  ERR_OFD_SIGNATURE_METHOD: {
    en: 'SignatureMethod in Signature.xml differs from the algorithm of the signed value',
    zh: 'Signature.xml 中的签名方法与签名值的算法不一致',
  },
} as const;

/** A GB/T 38540 / GM/T 0031 structure cannot be decoded; `path` names the field. */
export class SealParseError extends GovTrustError {
  /** The ASN.1 field path where decoding failed, e.g. `SES_Seal.eSealInfo.property.validEnd`. */
  readonly path: string | undefined;
  /** Byte offset into the input, when known. */
  readonly offset: number | undefined;

  constructor(
    code: 'ERR_SEAL_PARSE' | 'ERR_SEAL_SIGNATURE_PARSE' | 'ERR_SEAL_ATTRIBUTE',
    message: string,
    options?: { path?: string; offset?: number; cause?: unknown },
  ) {
    super(code, message, options);
    this.path = options?.path;
    this.offset = options?.offset;
  }
}

/** The seal header is not `ES` (`ERR_SEAL_HEADER`) or its version is unsupported (`ERR_SEAL_VERSION`). */
export class SealVersionError extends GovTrustError {
  /** The header version found, when there is one. */
  readonly version: number | undefined;

  constructor(
    code: 'ERR_SEAL_HEADER' | 'ERR_SEAL_VERSION',
    message: string,
    options?: { version?: number },
  ) {
    super(code, message);
    this.version = options?.version;
  }
}

/** A seal cannot be produced from the values given (`ERR_SEAL_ENCODE`, `ERR_SEAL_ID`, `ERR_SEAL_NON_STANDARD_ALGORITHM`). */
export class SealEncodeError extends GovTrustError {
  /** The option or field at fault. */
  readonly field: string | undefined;

  constructor(
    code: 'ERR_SEAL_ENCODE' | 'ERR_SEAL_ID' | 'ERR_SEAL_NON_STANDARD_ALGORITHM',
    message: string,
    options?: { field?: string; cause?: unknown },
  ) {
    super(code, message, options);
    this.field = options?.field;
  }
}

/** Codes an unusable OFD package can carry. */
export type OfdPackageErrorCode =
  | 'ERR_OFD_PARSE'
  | 'ERR_OFD_ZIP_BOMB'
  | 'ERR_OFD_ZIP_ENTRIES'
  | 'ERR_OFD_ZIP_PATH'
  | 'ERR_OFD_ZIP_DUPLICATE'
  | 'ERR_OFD_ZIP_UNSUPPORTED';

/** An OFD package cannot be read safely; `code` says why, `entry` names the zip entry at fault. */
export class OfdPackageError extends GovTrustError {
  declare readonly code: OfdPackageErrorCode;
  /** The zip entry (or package path) at fault, when there is one. */
  readonly entry: string | undefined;

  constructor(
    code: OfdPackageErrorCode,
    message: string,
    options?: { entry?: string; cause?: unknown },
  ) {
    super(code, message, options);
    this.entry = options?.entry;
  }
}

/** Codes with which sealing refuses to bind a seal to a signature (the codes a verifier would report). */
export type SealBindingErrorCode =
  | 'ERR_SEAL_SIGNER_NOT_IN_CERT_LIST'
  | 'ERR_SEAL_NOT_VALID_AT_SIGNING_TIME'
  | 'ERR_SEAL_MAKER_SIGNATURE_INVALID';

/**
 * A seal cannot be used for this signature: the signer certificate is not in its certList, it is not
 * valid at the signing time, or its maker signature does not verify (docs/seal-binding.md).
 */
export class SealBindingError extends GovTrustError {
  declare readonly code: SealBindingErrorCode;
  /** The seal's esID. */
  readonly esID: string | undefined;

  constructor(
    code: SealBindingErrorCode,
    message: string,
    options?: { esID?: string; cause?: unknown },
  ) {
    super(code, message, options);
    this.esID = options?.esID;
  }
}
