/** Error codes and classes of the licence area (identifiers, holder codes, types, data, status, status lists). @module */
import { GovTrustError } from './base.js';

/** Codes of this area with their meaning (thrown codes and the codes reports carry). */
export const licenceCodes = {
  ERR_LICENCE_ID_FORMAT: {
    en: 'The licence identifier does not have the GB/T 36904 structure',
    zh: '电子证照标识结构不符合 GB/T 36904',
  },
  ERR_LICENCE_ID_ROOT: {
    en: 'The licence identifier does not start with the root 1.2.156.3005.2',
    zh: '电子证照标识的根代码不是 1.2.156.3005.2',
  },
  ERR_LICENCE_ID_CASE: {
    en: 'The licence identifier is not in upper case',
    zh: '电子证照标识含小写字母',
  },
  ERR_LICENCE_ID_TYPE_CODE: {
    en: 'The licence type code is not a definer USCC followed by 3 digits',
    zh: '证照类型代码不是“定义机构统一社会信用代码 + 3 位顺序号”',
  },
  ERR_LICENCE_ID_ISSUER_CODE: {
    en: "The issuer code is not the issuer's 18-character USCC",
    zh: '证照颁发机构代码不是 18 位统一社会信用代码',
  },
  ERR_LICENCE_ID_SERIAL: {
    en: 'The serial number segment is not 0-9A-Z',
    zh: '流水号不是数字和大写字母',
  },
  ERR_LICENCE_ID_VERSION: {
    en: 'The version segment is not 3 digits from 001',
    zh: '版本号不是 001 起的 3 位数字',
  },
  ERR_LICENCE_ID_CHECK_CHAR: {
    en: 'The check character does not match ISO/IEC 7064 MOD 37,36',
    zh: '校验位与 ISO/IEC 7064 MOD 37,36 计算结果不符',
  },
  ERR_USCC_FORMAT: {
    en: 'Not 18 characters of the USCC alphabet (no I, O, S, V, Z)',
    zh: '不是 18 位统一社会信用代码字符（不含 I、O、S、V、Z）',
  },
  ERR_USCC_CASE: { en: 'The USCC is not in upper case', zh: '统一社会信用代码含小写字母' },
  ERR_USCC_CHECK_CHAR: {
    en: 'The USCC check character does not match GB 32100',
    zh: '统一社会信用代码校验码与 GB 32100 计算结果不符',
  },
  ERR_USCC_ORG_CHECK: {
    en: 'The organisation code in positions 9-17 fails its GB 11714 check',
    zh: '第 9-17 位主体标识码（组织机构代码）校验码不符合 GB 11714',
  },
  ERR_USCC_REGION: {
    en: 'Positions 3-8 are not a known GB/T 2260 division code',
    zh: '第 3-8 位不是已知的 GB/T 2260 行政区划代码',
  },
  ERR_USCC_DEPARTMENT: {
    en: 'Unknown registration department code (position 1)',
    zh: '第 1 位登记管理部门代码未知',
  },
  ERR_USCC_CATEGORY: {
    en: 'Unknown organisation category for the department (position 2)',
    zh: '第 2 位机构类别代码与登记管理部门不匹配',
  },
  ERR_RESIDENT_ID_FORMAT: {
    en: 'Not 17 digits and a check character (or 15 digits)',
    zh: '不是 17 位数字加校验码（或 15 位数字）',
  },
  ERR_RESIDENT_ID_CASE: { en: 'The check character x is in lower case', zh: '校验码 X 为小写' },
  ERR_RESIDENT_ID_15_DIGITS: {
    en: 'A first-generation 15-digit number',
    zh: '第一代 15 位身份证号码',
  },
  ERR_RESIDENT_ID_BIRTH_DATE: {
    en: 'The birth date is not a real date or is in the future',
    zh: '出生日期码不是有效日期或晚于当前日期',
  },
  ERR_RESIDENT_ID_CHECK_CHAR: {
    en: 'The check character does not match GB 11643 (ISO 7064 MOD 11-2)',
    zh: '校验码与 GB 11643（ISO 7064 MOD 11-2）计算结果不符',
  },
  ERR_RESIDENT_ID_REGION: {
    en: 'The address code names no province',
    zh: '地址码的省级代码不存在',
  },
  ERR_RESIDENT_ID_REGION_UNKNOWN: {
    en: 'The address code is not in the division table (possibly abolished earlier)',
    zh: '地址码不在行政区划代码表中（可能为早已撤销的代码）',
  },
  ERR_CODE_UNRECOGNISED: {
    en: 'Not a licence identifier, USCC, citizen ID number or division code',
    zh: '既不是电子证照标识、统一社会信用代码、身份证号码，也不是行政区划代码',
  },
  ERR_DIVISION_UNKNOWN: {
    en: 'Not a known GB/T 2260 division code',
    zh: '不是已知的 GB/T 2260 行政区划代码',
  },
  ERR_LICENCE_TYPE_INVALID: {
    en: 'The licence type record is invalid',
    zh: '证照类型（目录）记录不合法',
  },
  ERR_LICENCE_TYPE_UNKNOWN: { en: 'Unknown licence type', zh: '未知的证照类型' },
  ERR_LICENCE_DATA_INVALID: { en: 'The licence data is invalid', zh: '证照数据不合法' },
  ERR_LICENCE_DATA_SCHEMA: {
    en: 'The licence data does not have the expected structure',
    zh: '证照数据结构不符合要求',
  },
  ERR_LICENCE_ID_MISMATCH: {
    en: 'The identifier does not agree with the type code or issuer code of the data',
    zh: '电子证照标识与证照类型代码或颁发机构代码不一致',
  },
  ERR_LICENCE_HOLDER_TYPE: {
    en: 'The holder code type is not allowed for this licence type',
    zh: '持证主体代码类型不适用于该证照类型',
  },
  ERR_LICENCE_HOLDER_CODE: { en: 'The holder code is invalid', zh: '持证主体代码不合法' },
  ERR_LICENCE_VALIDITY_RANGE: {
    en: 'The validity period is invalid (end before start, or issue date outside it)',
    zh: '有效期不合法（截止日期早于起始日期，或颁发日期不在有效期内）',
  },
  ERR_LICENCE_VALIDITY_LONG_TERM: {
    en: 'This licence type has no long-term (长期) validity',
    zh: '该证照类型不允许长期有效',
  },
  ERR_LICENCE_VALIDITY_TOO_LONG: {
    en: 'The validity period is longer than the licence type allows',
    zh: '有效期超过证照类型允许的期限',
  },
  ERR_LICENCE_DATE: { en: 'Not a calendar date (YYYY-MM-DD)', zh: '不是有效日期（YYYY-MM-DD）' },
  ERR_LICENCE_NUMBER_FORMAT: {
    en: 'The licence number does not match the pattern of its type',
    zh: '证照编号不符合该类型的编号格式',
  },
  ERR_LICENCE_FIELD_MISSING: { en: 'A required face field is missing', zh: '缺少必填的照面字段' },
  ERR_LICENCE_FIELD_INVALID: { en: 'A face field value is invalid', zh: '照面字段取值不合法' },
  ERR_LICENCE_FIELD_UNKNOWN: {
    en: 'A face field the licence type does not define',
    zh: '证照类型未定义的照面字段',
  },
  ERR_LICENCE_AREA_CODE: {
    en: 'The area code is not a known GB/T 2260 code',
    zh: '管辖属地编码不是已知的行政区划代码',
  },
  ERR_LICENCE_TYPE_NAME: {
    en: 'The licence name differs from the type name',
    zh: '证照名称与证照类型名称不一致',
  },
  ERR_LICENCE_NOT_FOUND: { en: 'No licence with this identifier', zh: '不存在该标识的证照' },
  ERR_LICENCE_EXISTS: {
    en: 'A licence with this identifier already exists',
    zh: '该标识的证照已存在',
  },
  ERR_LICENCE_STATUS_TRANSITION: {
    en: 'This status change is not allowed from the current status',
    zh: '当前状态下不允许该状态变更',
  },
  ERR_LICENCE_STATUS_EXPIRED: {
    en: 'The licence has expired; only revocation or cancellation apply',
    zh: '证照已过期，只能吊销/撤销或注销',
  },
  ERR_LICENCE_STATUS_REASON: {
    en: 'The reason code does not belong to this status change',
    zh: '原因代码与该状态变更不匹配',
  },
  ERR_LICENCE_SIGNED_FORMAT: {
    en: 'Not a signed licence file (govtrust-signed-licence/1)',
    zh: '不是签名证照数据文件（govtrust-signed-licence/1）',
  },
  ERR_LICENCE_SIGNATURE_INVALID: {
    en: 'The issuer signature does not match the licence data',
    zh: '颁证机构签名与证照数据不符',
  },
  ERR_LICENCE_ISSUER_UNTRUSTED: {
    en: "The issuer's certificate does not chain to a trusted root",
    zh: '颁证机构证书无法链接到受信任的根证书',
  },
  ERR_LICENCE_ISSUER_BINDING: {
    en: 'The signer certificate does not name the issuer code of the licence',
    zh: '签名证书未包含证照颁发机构代码',
  },
  ERR_LICENCE_EXPIRED: { en: 'The licence validity period has ended', zh: '证照已超过有效期' },
  ERR_LICENCE_STATUS_NOT_CHECKED: {
    en: 'The status (suspension, revocation) was not checked',
    zh: '未核验证照状态（暂扣、吊销）',
  },
  ERR_LICENCE_STATUS_UNAVAILABLE: {
    en: 'The status source could not be read',
    zh: '无法读取证照状态',
  },
  ERR_LICENCE_FACE_LAYOUT: {
    en: 'The licence type has no face layout, or the layout cannot be drawn',
    zh: '证照类型没有照面版式，或版式无法绘制',
  },
  ERR_LICENCE_FACE_OVERFLOW: {
    en: 'The face values do not fit the face layout, even at the smallest font size',
    zh: '照面内容超出版式范围（已缩至最小字号）',
  },
  ERR_LICENCE_ISSUE_OPTIONS: {
    en: 'The issuing options are inconsistent (type, issuer, status entries or store)',
    zh: '签发参数不一致（证照类型、颁发机构、状态条目或存储）',
  },
  ERR_LICENCE_FACE_NOT_SEALED: {
    en: 'The licence face PDF carries no seal (signature)',
    zh: '证照照面 PDF 未加盖电子印章（无签名）',
  },
  ERR_LICENCE_FACE_SEAL_INVALID: {
    en: 'The seal signature on the face does not match the document (changed after sealing)',
    zh: '照面签章验证失败（盖章后内容被改动）',
  },
  ERR_LICENCE_FACE_COVERAGE: {
    en: 'The seal does not cover the whole face document',
    zh: '签章未覆盖整个照面文件',
  },
  ERR_LICENCE_FACE_MODIFIED: {
    en: 'The face document was changed after it was sealed',
    zh: '照面文件在盖章后被修改',
  },
  ERR_LICENCE_SEAL_UNTRUSTED: {
    en: "The seal signer's certificate does not chain to a trusted root",
    zh: '签章证书无法链接到受信任的根证书',
  },
  ERR_LICENCE_SEAL_INVALID: {
    en: 'The GB/T 38540 seal bound to the face signature is invalid or not the signer’s',
    zh: '照面签名绑定的 GB/T 38540 电子印章无效或不属于签章人',
  },
  ERR_LICENCE_SEAL_ABSENT: {
    en: 'The face signature carries no GB/T 38540 seal',
    zh: '照面签名未绑定 GB/T 38540 电子印章',
  },
  ERR_LICENCE_SEAL_ISSUER_MISMATCH: {
    en: 'The face is sealed by another party than the issuer who signed the data',
    zh: '照面签章人与证照数据签发机构不一致',
  },
  ERR_LICENCE_FACE_NO_DATA: {
    en: 'The face PDF has no (or more than one) attached licence data file',
    zh: '照面 PDF 未附带（或附带多个）证照数据文件',
  },
  ERR_LICENCE_FACE_MISMATCH: {
    en: 'The face does not show the attached licence data (text or QR code differ)',
    zh: '照面内容与所附证照数据不一致（文字或二维码不符）',
  },
  ERR_LICENCE_TIMESTAMP_INVALID: {
    en: 'The signature time-stamp on the face seal does not verify',
    zh: '照面签章的时间戳验证失败',
  },
  ERR_JSON_CANONICAL: {
    en: 'The value is not plain JSON and cannot be canonicalised (RFC 8785)',
    zh: '该值不是纯 JSON，无法按 RFC 8785 规范化',
  },
  ERR_STATUS_LIST_DECODE: {
    en: 'The status list is not multibase base64url GZIP data',
    zh: '状态列表不是 multibase base64url 编码的 GZIP 数据',
  },
  ERR_STATUS_LIST_LENGTH: {
    en: 'The status list has fewer entries than the minimum (131,072)',
    zh: '状态列表条目数少于最低要求（131,072）',
  },
  ERR_STATUS_LIST_RANGE: {
    en: 'The status list index is out of range',
    zh: '状态列表索引超出范围',
  },
  ERR_STATUS_LIST_PURPOSE: {
    en: 'The status purposes of entry and list differ',
    zh: '状态条目与状态列表的用途不一致',
  },
  ERR_STATUS_LIST_FULL: {
    en: 'No free index is left in the status list',
    zh: '状态列表已无可分配的索引',
  },
  ERR_STATUS_LIST_SIGNATURE: {
    en: 'The status list signature does not verify',
    zh: '状态列表签名验证失败',
  },
} as const;

/** A licence identifier (or a USCC inside it) is invalid: `code` names the first problem, `issues` lists all. */
export class LicenceIdError extends GovTrustError {
  readonly identifier: string | undefined;
  readonly issues: readonly { readonly code: string; readonly message: string }[];

  constructor(
    code: string,
    message: string,
    context: {
      identifier?: string;
      issues: readonly { readonly code: string; readonly message: string }[];
    },
  ) {
    super(code, message);
    this.identifier = context.identifier;
    this.issues = context.issues;
  }
}

/** A licence type record is invalid or unknown (`ERR_LICENCE_TYPE_INVALID`, `ERR_LICENCE_TYPE_UNKNOWN`). */
export class LicenceTypeError extends GovTrustError {
  readonly typeCode: string | undefined;
  readonly issues: readonly {
    readonly code: string;
    readonly message: string;
    readonly path?: string;
  }[];

  constructor(
    code: 'ERR_LICENCE_TYPE_INVALID' | 'ERR_LICENCE_TYPE_UNKNOWN',
    message: string,
    context: {
      typeCode?: string;
      issues?: readonly { code: string; message: string; path?: string }[];
    } = {},
  ) {
    super(code, message);
    this.typeCode = context.typeCode;
    this.issues = context.issues ?? [];
  }
}

/**
 * Licence data failed validation against its type (`ERR_LICENCE_DATA_INVALID`; `issues` lists
 * every error), or a signed licence file is unreadable (`ERR_LICENCE_SIGNED_FORMAT`).
 */
export class LicenceDataError extends GovTrustError {
  readonly issues: readonly {
    readonly code: string;
    readonly message: string;
    readonly path?: string;
  }[];

  constructor(
    message: string,
    issues: readonly { code: string; message: string; path?: string }[],
    code: 'ERR_LICENCE_DATA_INVALID' | 'ERR_LICENCE_SIGNED_FORMAT' = 'ERR_LICENCE_DATA_INVALID',
  ) {
    super(code, message);
    this.issues = issues;
  }
}

/** No licence with the identifier (`ERR_LICENCE_NOT_FOUND`), or one exists already (`ERR_LICENCE_EXISTS`). */
export class LicenceLookupError extends GovTrustError {
  readonly identifier: string;

  constructor(code: 'ERR_LICENCE_NOT_FOUND' | 'ERR_LICENCE_EXISTS', identifier: string) {
    super(
      code,
      code === 'ERR_LICENCE_NOT_FOUND'
        ? `No licence ${identifier}`
        : `Licence ${identifier} already exists`,
    );
    this.identifier = identifier;
  }
}

/** A status change that the lifecycle does not allow (`ERR_LICENCE_STATUS_TRANSITION`, `_EXPIRED`, `_REASON`). */
export class LicenceStatusError extends GovTrustError {
  readonly from: string;
  readonly action: string;

  constructor(
    code:
      'ERR_LICENCE_STATUS_TRANSITION' | 'ERR_LICENCE_STATUS_EXPIRED' | 'ERR_LICENCE_STATUS_REASON',
    message: string,
    context: { from: string; action: string },
  ) {
    super(code, message);
    this.from = context.from;
    this.action = context.action;
  }
}

/**
 * A licence cannot be issued or read as given: no or unusable face layout
 * (`ERR_LICENCE_FACE_LAYOUT`), values that do not fit it (`ERR_LICENCE_FACE_OVERFLOW`),
 * or inconsistent options (`ERR_LICENCE_ISSUE_OPTIONS`).
 */
export class LicenceIssueError extends GovTrustError {
  /** The face item or option concerned, when there is one. */
  readonly field: string | undefined;

  constructor(
    code: 'ERR_LICENCE_FACE_LAYOUT' | 'ERR_LICENCE_FACE_OVERFLOW' | 'ERR_LICENCE_ISSUE_OPTIONS',
    message: string,
    options?: { field?: string; cause?: unknown },
  ) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.field = options?.field;
  }
}

/** A value that RFC 8785 cannot canonicalise (`ERR_JSON_CANONICAL`). */
export class CanonicalJsonError extends GovTrustError {
  /** JSON path of the offending value. */
  readonly path: string;

  constructor(message: string, path: string) {
    super('ERR_JSON_CANONICAL', message);
    this.path = path;
  }
}

/** A Bitstring Status List problem (`ERR_STATUS_LIST_*`). */
export class StatusListError extends GovTrustError {
  /** The status list index concerned, when there is one. */
  readonly index: number | undefined;

  constructor(
    code:
      | 'ERR_STATUS_LIST_DECODE'
      | 'ERR_STATUS_LIST_LENGTH'
      | 'ERR_STATUS_LIST_RANGE'
      | 'ERR_STATUS_LIST_PURPOSE'
      | 'ERR_STATUS_LIST_FULL'
      | 'ERR_STATUS_LIST_SIGNATURE',
    message: string,
    options?: { cause?: unknown; index?: number },
  ) {
    super(code, message, options);
    this.index = options?.index;
  }
}
