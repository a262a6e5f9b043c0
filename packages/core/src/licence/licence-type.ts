/**
 * Licence types (证照目录 / 证照类型, GB/T 36902 territory): the type record with its defining
 * authority, holder category, validity rule and face fields, validated with a zod schema.
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { LicenceTypeError } from '../errors/index.js';
import { checkLicenceTypeCode } from './identifier.js';
import type { CheckIssue } from './issues.js';
import { checkUscc } from './uscc.js';

/** 证照定义机构级别 / 证照颁发机构级别. */
export type AuthorityLevel = '国家级' | '省级' | '地市级' | '区县级' | '乡镇级' | '其他';

/** 持证主体类别: who can hold a licence of the type. */
export type HolderCategory = 'natural-person' | 'legal-person' | 'any';

/** How a face field's value is checked. */
export type LicenceFieldType =
  | 'text'
  | 'date'
  | 'integer'
  | 'decimal'
  | 'boolean'
  | 'enum'
  | 'uscc'
  | 'resident-id'
  | 'division';

/** One face field (照面元素) of a licence type. */
export interface LicenceFieldSpec {
  /** Key in the licence data's `fields` (e.g. `legalRepresentative`). */
  readonly key: string;
  /** Label on the face, in Chinese (e.g. 法定代表人). */
  readonly label: string;
  readonly labelEn?: string;
  readonly type: LicenceFieldType;
  readonly required: boolean;
  /** Maximum length of a text value, in characters. */
  readonly maxLength?: number;
  /** A regular expression the whole text value must match (anchored for you). */
  readonly pattern?: string;
  /** Allowed values of an `enum` field. */
  readonly values?: readonly string[];
  /** Bounds of a number field. */
  readonly min?: number;
  readonly max?: number;
  /** Metadata element code (GB/T 36903 扩展项, e.g. `KZ_JYFW`). */
  readonly metadataCode?: string;
  /** A long text laid out over several lines on the face. */
  readonly multiline?: boolean;
}

/**
 * What a face item shows: a member of the licence data (`validity` is 有效期限 as one text,
 * "起始日期至截止日期" or "长期") or a face field (`fields.<key>`).
 */
export type LicenceFaceValue =
  | 'holder.name'
  | 'holder.code'
  | 'number'
  | 'identifier'
  | 'issuer.name'
  | 'issueDate'
  | 'validFrom'
  | 'validUntil'
  | 'validity'
  | `fields.${string}`;

/** One label-value item on the face. */
export interface LicenceFaceItem {
  readonly value: LicenceFaceValue;
  /** The label (default: the field's label, or the usual one: 名称/姓名, 证照编号, 有效期限, ...). */
  readonly label?: string;
  /** Column of a two-column body (default 1). */
  readonly column?: 1 | 2;
  /** Spans the whole body width (long texts such as 经营范围). */
  readonly span?: boolean;
}

/**
 * The face (照面) layout of a licence type: page size, frame, title, header lines, the body
 * (label: value lines or a table), the QR code corner and the issuer block (bottom right, under
 * the seal). Lengths in millimetres, font sizes in points.
 */
export interface LicenceFaceLayout {
  readonly page: { readonly width: number; readonly height: number };
  /** Frame and title colour, `#rrggbb` (default #a0282d, the red-brown of licence borders). */
  readonly color?: string;
  readonly title?: { readonly text?: string; readonly size?: number };
  /** A line under the title, e.g. （副本）. */
  readonly subtitle?: string;
  /** Short items above the body at the left (e.g. 统一社会信用代码, 证照编号). */
  readonly header?: readonly LicenceFaceItem[];
  readonly body: {
    readonly style: 'lines' | 'table';
    readonly columns?: 1 | 2;
    /** Largest font size (default 12); smaller sizes are tried until the body fits. */
    readonly fontSize?: number;
    readonly items: readonly LicenceFaceItem[];
  };
  readonly qr: {
    readonly corner: 'top-right' | 'top-left' | 'bottom-left';
    /** Side in millimetres (default 26). */
    readonly size?: number;
    readonly caption?: string;
  };
  /** The issuer block: a label (e.g. 登记机关, 发证机关), then the issuer and the date; the seal size. */
  readonly issuer?: { readonly label?: string; readonly sealSize?: number };
  /** Small print at the bottom (the identifier line is always there). */
  readonly footer?: string;
}

/** A licence type record (证照目录). */
export interface LicenceType {
  /** 证照类型代码: the definer's USCC + a 3-digit sequence. */
  readonly typeCode: string;
  /** 证照类型名称. */
  readonly name: string;
  readonly nameEn?: string;
  /** 证照定义机构 with its code (the first 18 characters of the type code) and level. */
  readonly definingAuthority: {
    readonly name: string;
    readonly code: string;
    readonly level: AuthorityLevel;
  };
  /** 证照颁发机构级别. */
  readonly issuingAuthorityLevel?: AuthorityLevel;
  /** 持证主体类别. */
  readonly holderCategory: HolderCategory;
  /** Allowed 持证主体代码类型代码 (e.g. 001 统一社会信用代码, 111 公民身份号码). */
  readonly holderCodeTypes: readonly string[];
  /** 有效期限范围: a display text, a maximum in years, and whether 长期 (no end date) is allowed. */
  readonly validity: {
    readonly range?: string;
    readonly maxYears?: number;
    readonly longTerm: boolean;
  };
  /** A regular expression for 证照编号 (anchored for you). */
  readonly numberPattern?: string;
  /** 关联事项 (government-service items that issue the licence). */
  readonly relatedItems?: readonly { readonly name: string; readonly code?: string }[];
  /** 照面元素 in face order. */
  readonly fields: readonly LicenceFieldSpec[];
  /** 照面模板 id and version, with the layout `issueLicence` renders. */
  readonly face?: {
    readonly template: string;
    readonly version: string;
    readonly layout?: LicenceFaceLayout;
  };
  /** Where the record comes from: an official catalogue, or illustrative (sample data). */
  readonly provenance?: { readonly kind: 'official' | 'illustrative'; readonly note: string };
}

/**
 * 持证主体代码类型代码 whose names sources confirm (GB/T 36903 Annex A was not available): other
 * codes are accepted as given, without a format check of the holder code.
 */
export const holderCodeTypeNames: Readonly<Record<string, string>> = {
  '001': '统一社会信用代码',
  '111': '公民身份号码',
};

const levels = ['国家级', '省级', '地市级', '区县级', '乡镇级', '其他'] as const;
const text = (max: number) => z.string().trim().min(1).max(max);

const fieldSchema = z.strictObject({
  key: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a letter, then letters, digits or _ (at most 64)'),
  label: text(64),
  labelEn: text(128).optional(),
  type: z.enum([
    'text',
    'date',
    'integer',
    'decimal',
    'boolean',
    'enum',
    'uscc',
    'resident-id',
    'division',
  ]),
  required: z.boolean(),
  maxLength: z.number().int().min(1).max(10_000).optional(),
  pattern: z.string().min(1).max(256).optional(),
  values: z.array(text(128)).min(1).max(200).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  metadataCode: z
    .string()
    .regex(/^KZ_[A-Z0-9_]{1,60}$/, 'KZ_ followed by upper-case letters, digits or _')
    .optional(),
  multiline: z.boolean().optional(),
});

const faceValue = z
  .string()
  .regex(
    /^(holder\.name|holder\.code|number|identifier|issuer\.name|issueDate|validFrom|validUntil|validity|fields\.[A-Za-z][A-Za-z0-9_]{0,63})$/,
    'holder.name, holder.code, number, identifier, issuer.name, issueDate, validFrom, validUntil, validity or fields.<key>',
  );
const faceItem = z.strictObject({
  value: faceValue,
  label: text(32).optional(),
  column: z.union([z.literal(1), z.literal(2)]).optional(),
  span: z.boolean().optional(),
});
const faceLayoutSchema = z.strictObject({
  page: z.strictObject({
    width: z.number().min(50).max(1200),
    height: z.number().min(50).max(1200),
  }),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, '#rrggbb')
    .optional(),
  title: z
    .strictObject({ text: text(64).optional(), size: z.number().min(8).max(96).optional() })
    .optional(),
  subtitle: text(64).optional(),
  header: z.array(faceItem).max(4).optional(),
  body: z.strictObject({
    style: z.enum(['lines', 'table']),
    columns: z.union([z.literal(1), z.literal(2)]).optional(),
    fontSize: z.number().min(6).max(36).optional(),
    items: z.array(faceItem).min(1).max(60),
  }),
  qr: z.strictObject({
    corner: z.enum(['top-right', 'top-left', 'bottom-left']),
    size: z.number().min(15).max(80).optional(),
    caption: text(64).optional(),
  }),
  issuer: z
    .strictObject({
      label: text(32).optional(),
      sealSize: z.number().min(15).max(60).optional(),
    })
    .optional(),
  footer: text(200).optional(),
});

const typeSchema = z.strictObject({
  typeCode: z.string(),
  name: text(256),
  nameEn: text(256).optional(),
  definingAuthority: z.strictObject({ name: text(256), code: z.string(), level: z.enum(levels) }),
  issuingAuthorityLevel: z.enum(levels).optional(),
  holderCategory: z.enum(['natural-person', 'legal-person', 'any']),
  holderCodeTypes: z
    .array(z.string().regex(/^\d{3}$/, '3 digits'))
    .min(1)
    .max(50),
  validity: z.strictObject({
    range: text(64).optional(),
    maxYears: z.number().int().min(1).max(100).optional(),
    longTerm: z.boolean(),
  }),
  numberPattern: z.string().min(1).max(256).optional(),
  relatedItems: z
    .array(z.strictObject({ name: text(256), code: text(64).optional() }))
    .max(100)
    .optional(),
  fields: z.array(fieldSchema).max(200),
  face: z
    .strictObject({
      template: text(128),
      version: text(32),
      layout: faceLayoutSchema.optional(),
    })
    .optional(),
  provenance: z
    .strictObject({ kind: z.enum(['official', 'illustrative']), note: text(1000) })
    .optional(),
});

function compiles(pattern: string): boolean {
  try {
    new RegExp(`^(?:${pattern})$`, 'u');
    return true;
  } catch {
    return false;
  }
}

/** Result of `checkLicenceType`. */
export interface LicenceTypeReport {
  readonly valid: boolean;
  readonly type?: LicenceType;
  readonly errors: readonly CheckIssue[];
}

/**
 * Checks a licence type record (parsed JSON): its shape, the type code (a valid definer USCC +
 * 3 digits, matching `definingAuthority.code`), unique field keys, compilable patterns, enum
 * values, and a holder category that agrees with the holder code types. Never throws.
 */
export function checkLicenceType(input: unknown): LicenceTypeReport {
  const parsed = typeSchema.safeParse(input);
  if (!parsed.success) {
    return {
      valid: false,
      errors: parsed.error.issues.map((i) => ({
        code: 'ERR_LICENCE_TYPE_INVALID',
        message: i.message,
        path: i.path.map(String).join('.'),
      })),
    };
  }
  const t = parsed.data;
  const errors: CheckIssue[] = [];
  const bad = (path: string, message: string): void => {
    errors.push({ code: 'ERR_LICENCE_TYPE_INVALID', message, path });
  };
  const code = checkLicenceTypeCode(t.typeCode);
  for (const e of code.errors) errors.push({ ...e, path: e.path ?? 'typeCode' });
  // Definer codes are configured by us: their division code must be in the table too.
  for (const e of checkUscc(t.definingAuthority.code).errors) {
    if (e.code === 'ERR_USCC_REGION') errors.push({ ...e, path: 'definingAuthority.code' });
  }
  if (t.typeCode.slice(0, 18) !== t.definingAuthority.code) {
    bad(
      'definingAuthority.code',
      `The type code ${t.typeCode} does not start with the definer's code ${t.definingAuthority.code}`,
    );
  }
  if (t.holderCategory === 'natural-person' && t.holderCodeTypes.includes('001')) {
    bad(
      'holderCodeTypes',
      'A natural-person licence cannot be held under a 统一社会信用代码 (001)',
    );
  }
  if (t.holderCategory === 'legal-person' && t.holderCodeTypes.includes('111')) {
    bad('holderCodeTypes', 'A legal-person licence cannot be held under a 公民身份号码 (111)');
  }
  if (new Set(t.holderCodeTypes).size !== t.holderCodeTypes.length)
    bad('holderCodeTypes', 'Repeated code type');
  if (t.numberPattern !== undefined && !compiles(t.numberPattern))
    bad('numberPattern', 'Not a valid regular expression');
  const keys = new Set<string>();
  t.fields.forEach((f, i) => {
    const at = `fields.${i}`;
    if (keys.has(f.key)) bad(`${at}.key`, `Field key '${f.key}' is repeated`);
    keys.add(f.key);
    if (f.type === 'enum' && f.values === undefined)
      bad(`${at}.values`, 'An enum field lists its values');
    if (f.type !== 'enum' && f.values !== undefined)
      bad(`${at}.values`, 'Only enum fields list values');
    if (f.pattern !== undefined && !compiles(f.pattern))
      bad(`${at}.pattern`, 'Not a valid regular expression');
    if (f.min !== undefined && f.max !== undefined && f.min > f.max)
      bad(`${at}.min`, 'min is above max');
  });
  const layout = t.face?.layout;
  if (layout !== undefined) {
    const items = [...(layout.header ?? []), ...layout.body.items];
    items.forEach((item, i) => {
      if (item.value.startsWith('fields.') && !keys.has(item.value.slice(7)))
        bad(`face.layout.items.${i}.value`, `${item.value} names no field of the type`);
    });
    if (layout.body.columns !== 2 && layout.body.items.some((i) => i.column === 2))
      bad('face.layout.body.columns', 'An item in column 2 needs columns: 2');
  }
  if (errors.length > 0) return { valid: false, errors };
  return { valid: true, type: toLicenceType(t), errors };
}

/** Copies the zod output into the exact `LicenceType` shape (absent optional members omitted). */
function toLicenceType(t: z.infer<typeof typeSchema>): LicenceType {
  const omitUndefined = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return omitUndefined({
    ...t,
    validity: omitUndefined(t.validity),
    relatedItems: t.relatedItems?.map((r) => omitUndefined(r)),
    fields: t.fields.map((f) => omitUndefined(f)),
  }) as LicenceType;
}

/**
 * Parses a licence type record.
 * @throws {LicenceTypeError} ERR_LICENCE_TYPE_INVALID with every issue
 */
export function parseLicenceType(input: unknown): LicenceType {
  const r = checkLicenceType(input);
  if (r.type === undefined) {
    const first = r.errors[0];
    throw new LicenceTypeError(
      'ERR_LICENCE_TYPE_INVALID',
      `Invalid licence type${first === undefined ? '' : `: ${first.path ?? ''} ${first.message}`}`,
      { issues: r.errors },
    );
  }
  return r.type;
}

/**
 * Loads every `*.json` licence type record of a directory (sorted by file name).
 * @throws {LicenceTypeError} ERR_LICENCE_TYPE_INVALID for an invalid or repeated record (the message names the file)
 */
export async function loadLicenceTypes(dir: string): Promise<LicenceType[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  const types: LicenceType[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(join(dir, name), 'utf8'));
    } catch (err) {
      throw new LicenceTypeError(
        'ERR_LICENCE_TYPE_INVALID',
        `${name}: not JSON (${(err as Error).message})`,
      );
    }
    const r = checkLicenceType(json);
    if (r.type === undefined) {
      const first = r.errors[0]!;
      throw new LicenceTypeError(
        'ERR_LICENCE_TYPE_INVALID',
        `${name}: ${first.path ?? ''} ${first.message}`,
        {
          issues: r.errors,
        },
      );
    }
    const other = seen.get(r.type.typeCode);
    if (other !== undefined) {
      throw new LicenceTypeError(
        'ERR_LICENCE_TYPE_INVALID',
        `${name}: type ${r.type.typeCode} is also defined in ${other}`,
        {
          typeCode: r.type.typeCode,
        },
      );
    }
    seen.set(r.type.typeCode, name);
    types.push(r.type);
  }
  return types;
}
