/** 统一社会信用代码 (Unified Social Credit Code): structure, GB 32100-2015 check character, GB 11714 organisation-code check, region code. @module */
import { USCC_ALPHABET, computeOrgCodeCheck, computeUsccCheck } from './check-characters.js';
import {
  defaultDivisionTable,
  provinceNames,
  type Division,
  type DivisionTable,
} from './divisions.js';
import { IssueCollector, type CheckIssue, type CheckMode } from './issues.js';

/**
 * 登记管理部门代码 (position 1) with their 机构类别代码 (position 2), as GB 32100-2015 Table 1 lists
 * them (A and N added by later notices). Kept as data: an unknown pair is a warning, not an error,
 * because the standard's table has been amended and the amendments were not all available.
 */
export const usccDepartments: Readonly<
  Record<string, { readonly name: string; readonly categories: Readonly<Record<string, string>> }>
> = {
  '1': {
    name: '机构编制',
    categories: {
      '1': '机关',
      '2': '事业单位',
      '3': '中央编办直接管理机构编制的群众团体',
      '9': '其他',
    },
  },
  '2': { name: '外交', categories: { '1': '外国常驻新闻机构', '9': '其他' } },
  '3': {
    name: '司法行政',
    categories: {
      '1': '律师执业机构',
      '2': '公证处',
      '3': '基层法律服务所',
      '4': '司法鉴定机构',
      '5': '仲裁委员会',
      '9': '其他',
    },
  },
  '4': { name: '文化', categories: { '1': '外国在华文化中心', '9': '其他' } },
  '5': {
    name: '民政',
    categories: { '1': '社会团体', '2': '民办非企业单位', '3': '基金会', '9': '其他' },
  },
  '6': {
    name: '旅游',
    categories: {
      '1': '外国旅游部门常驻代表机构',
      '2': '港澳台地区旅游部门常驻内地（大陆）代表机构',
      '9': '其他',
    },
  },
  '7': { name: '宗教', categories: { '1': '宗教活动场所', '2': '宗教院校', '9': '其他' } },
  '8': { name: '工会', categories: { '1': '基层工会', '9': '其他' } },
  '9': { name: '工商', categories: { '1': '企业', '2': '个体工商户', '3': '农民专业合作社' } },
  A: { name: '中央军委改革和编制办公室', categories: { '1': '军队事业单位', '9': '其他' } },
  N: {
    name: '农业',
    categories: {
      '1': '组级集体经济组织',
      '2': '村级集体经济组织',
      '3': '乡镇级集体经济组织',
      '9': '其他',
    },
  },
  Y: { name: '其他', categories: { '1': '其他' } },
};

/** The parts of a 统一社会信用代码. */
export interface UsccParts {
  /** Position 1: 登记管理部门代码. */
  readonly department: string;
  readonly departmentName?: string;
  /** Position 2: 机构类别代码. */
  readonly category: string;
  readonly categoryName?: string;
  /** Positions 3-8: 登记管理机关行政区划码 (GB/T 2260). */
  readonly region: string;
  readonly regionDivision?: Division;
  /** Positions 9-17: 主体标识码 (GB 11714 organisation code with its own check character). */
  readonly organisationCode: string;
  /** Position 18. */
  readonly checkCharacter: string;
}

/** Result of `checkUscc`. */
export interface UsccReport {
  readonly kind: 'uscc';
  readonly valid: boolean;
  readonly input: string;
  /** Upper-cased and trimmed input. */
  readonly normalised: string;
  readonly parts?: UsccParts;
  readonly errors: readonly CheckIssue[];
  readonly warnings: readonly CheckIssue[];
}

/** Options of `checkUscc`. */
export interface UsccCheckOptions {
  /** `strict` (default) or `lenient` (check-character, organisation-code and region problems become warnings). */
  readonly mode?: CheckMode;
  /** Division table for positions 3-8 (default: `defaultDivisionTable()`). */
  readonly divisions?: DivisionTable;
  /**
   * How an unknown division code in positions 3-8 counts: `error` (default in strict mode) or
   * `warning` (for codes inside identifiers from elsewhere, where the dated table may lag).
   */
  readonly unknownRegion?: 'error' | 'warning';
}

/**
 * Checks a 统一社会信用代码 (GB 32100-2015): 18 characters of the 31-character alphabet, the
 * MOD 31 check character, the GB 11714 check of the organisation code in positions 9-17, and the
 * registration authority's division code in positions 3-8. Never throws.
 */
export function checkUscc(input: string, options: UsccCheckOptions = {}): UsccReport {
  const issues = new IssueCollector(options.mode ?? 'strict');
  const trimmed = input.trim();
  const normalised = trimmed.toUpperCase();
  const done = (parts?: UsccParts): UsccReport => ({
    kind: 'uscc',
    valid: issues.ok,
    input,
    normalised,
    ...(parts === undefined ? {} : { parts }),
    errors: issues.errors,
    warnings: issues.warnings,
  });
  if (normalised.length !== 18) {
    issues.error({
      code: 'ERR_USCC_FORMAT',
      message: `A 统一社会信用代码 has 18 characters, got ${normalised.length}`,
    });
    return done();
  }
  for (let i = 0; i < 18; i++) {
    if (!USCC_ALPHABET.includes(normalised[i]!)) {
      issues.error({
        code: 'ERR_USCC_FORMAT',
        message: `Character ${i + 1} ('${normalised[i]}') is outside the USCC alphabet 0-9A-HJ-NPQRTUWXY (no I, O, S, V, Z)`,
        position: i + 1,
      });
      return done();
    }
  }
  if (normalised !== trimmed) {
    issues.tolerable({
      code: 'ERR_USCC_CASE',
      message: 'A 统一社会信用代码 is written in upper case',
    });
  }
  const expected = computeUsccCheck(normalised.slice(0, 17))!;
  if (expected !== normalised[17]) {
    issues.tolerable({
      code: 'ERR_USCC_CHECK_CHAR',
      message: `Check character is '${normalised[17]}', GB 32100 computes '${expected}'`,
      position: 18,
      expected,
    });
  }
  const organisationCode = normalised.slice(8, 17);
  const orgExpected = computeOrgCodeCheck(organisationCode.slice(0, 8))!;
  if (orgExpected !== organisationCode[8]) {
    issues.tolerable({
      code: 'ERR_USCC_ORG_CHECK',
      message: `The organisation code ${organisationCode} (positions 9-17) fails its GB 11714 check: '${organisationCode[8]}', expected '${orgExpected}'`,
      position: 17,
      expected: orgExpected,
    });
  }
  const department = normalised[0]!;
  const category = normalised[1]!;
  const dept = usccDepartments[department];
  const categoryName = dept?.categories[category];
  if (dept === undefined) {
    issues.warn({
      code: 'ERR_USCC_DEPARTMENT',
      message: `Registration department code '${department}' is not in GovTrust's GB 32100 table`,
      position: 1,
    });
  } else if (categoryName === undefined) {
    issues.warn({
      code: 'ERR_USCC_CATEGORY',
      message: `Category code '${category}' is not listed for department ${department} (${dept.name})`,
      position: 2,
    });
  }
  const region = normalised.slice(2, 8);
  const table = options.divisions ?? defaultDivisionTable();
  const division = table.lookup(region);
  if (division === undefined) {
    const province = provinceNames[region.slice(0, 2)];
    // An impossible province is always a defect; an unknown county may be the table lagging behind.
    const report =
      province !== undefined && options.unknownRegion === 'warning'
        ? issues.warn.bind(issues)
        : issues.tolerable.bind(issues);
    report({
      code: 'ERR_USCC_REGION',
      message:
        province === undefined
          ? `Positions 3-8 (${region}) are not a GB/T 2260 division code: no province ${region.slice(0, 2)}`
          : `Positions 3-8 (${region}) are not in the GB/T 2260 table (${table.date}, history from ${table.historyFrom})`,
      position: 3,
    });
  }
  return done({
    department,
    ...(dept === undefined ? {} : { departmentName: dept.name }),
    category,
    ...(categoryName === undefined ? {} : { categoryName }),
    region,
    ...(division === undefined ? {} : { regionDivision: division }),
    organisationCode,
    checkCharacter: normalised[17]!,
  });
}

/** True when `input` is a valid 统一社会信用代码 in strict mode. */
export function isValidUscc(input: string, options: Omit<UsccCheckOptions, 'mode'> = {}): boolean {
  return checkUscc(input, options).valid;
}
