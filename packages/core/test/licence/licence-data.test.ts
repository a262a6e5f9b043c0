/** Licence types (证照目录) and licence data: the sample types load, data validates against them, bad input gets clear codes. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertLicenceData,
  canonicalLicenceJson,
  checkLicenceType,
  draftLicenceData,
  loadLicenceTypes,
  parseLicenceId,
  parseLicenceType,
  toMetadataElements,
  validateLicenceData,
  type LicenceData,
  type LicenceType,
} from '@govtrust/core/licence';
import { sampleLicence, sampleTypeJson, TYPES_DIR } from './samples.js';

const NOW = new Date('2025-06-01T00:00:00Z');
let types: LicenceType[];

beforeAll(async () => {
  types = await loadLicenceTypes(TYPES_DIR);
});

const codes = (r: { errors: readonly { code: string }[] }): string[] => r.errors.map((e) => e.code);

describe('licence types (证照目录)', () => {
  it('loads the three sample types', () => {
    expect(types.map((t) => t.name)).toEqual([
      '营业执照',
      '建筑施工特种作业人员操作资格证书',
      '食品经营许可证',
    ]);
    const construction = types.find((t) => t.typeCode === '11100000000013338W032')!;
    expect(construction).toMatchObject({
      holderCategory: 'natural-person',
      holderCodeTypes: ['111'],
      validity: { maxYears: 2, longTerm: false },
      definingAuthority: { code: '11100000000013338W', level: '国家级' },
      provenance: { kind: 'official' },
    });
    expect(construction.fields.map((f) => f.label)).toEqual([
      '性别',
      '出生日期',
      '操作类别',
      '初次领证日期',
    ]);
  });

  it('refuses invalid type records with paths', () => {
    const base = sampleTypeJson('construction-special-operations');
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...base, name: '' }, 'ERR_LICENCE_TYPE_INVALID', 'name'],
      [{ ...base, extra: 1 }, 'ERR_LICENCE_TYPE_INVALID', ''],
      [{ ...base, typeCode: '11100000000013338X032' }, 'ERR_USCC_CHECK_CHAR', 'typeCode'],
      [
        { ...base, typeCode: '11220000013544541J032' },
        'ERR_LICENCE_TYPE_INVALID',
        'definingAuthority.code',
      ],
      [{ ...base, holderCodeTypes: ['111', '001'] }, 'ERR_LICENCE_TYPE_INVALID', 'holderCodeTypes'],
      [{ ...base, numberPattern: '([' }, 'ERR_LICENCE_TYPE_INVALID', 'numberPattern'],
      [
        { ...base, fields: [...(base.fields as object[]), (base.fields as object[])[0]] },
        'ERR_LICENCE_TYPE_INVALID',
        'fields.4.key',
      ],
      [
        { ...base, fields: [{ key: 'x', label: 'X', type: 'enum', required: true }] },
        'ERR_LICENCE_TYPE_INVALID',
        'fields.0.values',
      ],
      [
        { ...base, fields: [{ key: '1x', label: 'X', type: 'text', required: true }] },
        'ERR_LICENCE_TYPE_INVALID',
        'fields.0.key',
      ],
    ];
    for (const [input, code, path] of cases) {
      const r = checkLicenceType(input);
      expect(r.valid, path).toBe(false);
      expect(r.errors, path).toContainEqual(expect.objectContaining({ code, path }));
    }
    expect(() => parseLicenceType({ ...base, validity: {} })).toThrow(
      expect.objectContaining({ code: 'ERR_LICENCE_TYPE_INVALID' }),
    );
  });

  it('refuses a directory with a broken or repeated record, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'govtrust-types-'));
    try {
      writeFileSync(join(dir, 'a.json'), JSON.stringify(sampleTypeJson('business-licence')));
      writeFileSync(join(dir, 'b.json'), JSON.stringify(sampleTypeJson('business-licence')));
      await expect(loadLicenceTypes(dir)).rejects.toMatchObject({
        code: 'ERR_LICENCE_TYPE_INVALID',
        message: expect.stringContaining('b.json'),
      });
      writeFileSync(join(dir, 'b.json'), '{ not json');
      await expect(loadLicenceTypes(dir)).rejects.toMatchObject({
        code: 'ERR_LICENCE_TYPE_INVALID',
        message: expect.stringContaining('b.json'),
      });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('licence data (GB/T 36903 metadata)', () => {
  it('validates the three sample licences', () => {
    for (const name of [
      'business-licence',
      'food-business-licence',
      'construction-special-operations',
    ] as const) {
      const r = validateLicenceData(sampleLicence(name), { types, now: NOW });
      expect(r.errors, name).toEqual([]);
      expect(r.warnings, name).toEqual([]);
      expect(r.type?.typeCode).toBe(r.data?.typeCode);
    }
  });

  const bad = (
    mutate: (d: { -readonly [K in keyof LicenceData]: LicenceData[K] }) => void,
    name: Parameters<typeof sampleLicence>[0] = 'construction-special-operations',
  ) => {
    const d = sampleLicence(name) as { -readonly [K in keyof LicenceData]: LicenceData[K] };
    mutate(d);
    return d;
  };

  it('reports an unknown type, a missing required field, bad holder codes and a reversed validity with clear codes', () => {
    const unknownType = validateLicenceData(
      bad((d) => (d.typeCode = '11100000000013338W099')),
      { types, now: NOW },
    );
    expect(codes(unknownType)).toEqual(
      expect.arrayContaining(['ERR_LICENCE_TYPE_UNKNOWN', 'ERR_LICENCE_ID_MISMATCH']),
    );

    const missing = validateLicenceData(
      bad((d) => (d.fields = { ...d.fields, operationCategory: '' })),
      { types, now: NOW },
    );
    expect(missing.errors).toEqual([
      expect.objectContaining({
        code: 'ERR_LICENCE_FIELD_MISSING',
        path: 'fields.operationCategory',
      }),
    ]);

    const badId = validateLicenceData(
      bad((d) => (d.holder = { ...d.holder, code: '110105199003077017' })),
      { types, now: NOW },
    );
    expect(badId.errors).toEqual([
      expect.objectContaining({ code: 'ERR_RESIDENT_ID_CHECK_CHAR', path: 'holder.code' }),
    ]);
    expect(
      validateLicenceData(
        bad((d) => (d.holder = { ...d.holder, code: '110105199003077017' })),
        { types, now: NOW, mode: 'lenient' },
      ).valid,
    ).toBe(true);

    const badUscc = validateLicenceData(
      bad((d) => (d.holder = { ...d.holder, code: '91350100M0001TGQXM' }), 'business-licence'),
      { types, now: NOW },
    );
    expect(badUscc.errors).toEqual([
      expect.objectContaining({ code: 'ERR_USCC_CHECK_CHAR', path: 'holder.code', expected: '1' }),
    ]);
    const legacy = validateLicenceData(
      bad((d) => (d.holder = { ...d.holder, code: '91350100M0001TGQXM' }), 'business-licence'),
      {
        types,
        now: NOW,
        mode: 'lenient',
      },
    );
    expect(legacy).toMatchObject({
      valid: true,
      warnings: [expect.objectContaining({ code: 'ERR_USCC_CHECK_CHAR' })],
    });

    const reversed = validateLicenceData(
      bad((d) => (d.validUntil = '2024-12-31')),
      { types, now: NOW },
    );
    expect(codes(reversed)).toEqual(expect.arrayContaining(['ERR_LICENCE_VALIDITY_RANGE']));
  });

  it('checks validity rules, number pattern, field types and holder type', () => {
    const cases: [LicenceData, string, string][] = [
      [bad((d) => (d.validUntil = null)), 'ERR_LICENCE_VALIDITY_LONG_TERM', 'validUntil'],
      [bad((d) => (d.validUntil = '2027-01-10')), 'ERR_LICENCE_VALIDITY_TOO_LONG', 'validUntil'],
      [bad((d) => (d.validFrom = '2025-02-30')), 'ERR_LICENCE_DATE', 'validFrom'],
      [
        bad((d) => (d.number = 'JX23704060012345'), 'food-business-licence'),
        'ERR_LICENCE_NUMBER_FORMAT',
        'number',
      ],
      [
        bad((d) => (d.fields = { ...d.fields, sex: '未知' })),
        'ERR_LICENCE_FIELD_INVALID',
        'fields.sex',
      ],
      [
        bad((d) => (d.fields = { ...d.fields, birthDate: '1990/03/07' })),
        'ERR_LICENCE_FIELD_INVALID',
        'fields.birthDate',
      ],
      [
        bad(
          (d) => (d.fields = { ...d.fields, complaintPhone: 'call us' }),
          'food-business-licence',
        ),
        'ERR_LICENCE_FIELD_INVALID',
        'fields.complaintPhone',
      ],
      [
        bad((d) => (d.fields = { ...d.fields, nickname: 'x' })),
        'ERR_LICENCE_FIELD_UNKNOWN',
        'fields.nickname',
      ],
      [
        bad((d) => (d.holder = { ...d.holder, codeTypeCode: '001', codeType: '统一社会信用代码' })),
        'ERR_LICENCE_HOLDER_TYPE',
        'holder.codeTypeCode',
      ],
      [
        bad((d) => (d.issuer = { ...d.issuer, code: '11430000006122244L' })),
        'ERR_LICENCE_ID_MISMATCH',
        'issuer.code',
      ],
      [bad((d) => (d.areaCode = '999999')), 'ERR_LICENCE_AREA_CODE', 'areaCode'],
    ];
    for (const [data, code, path] of cases) {
      const r = validateLicenceData(data, { types, now: NOW });
      expect(r.errors, `${code} ${path}`).toContainEqual(expect.objectContaining({ code, path }));
    }
    // Unknown fields are tolerated (warned) in lenient mode.
    const lenient = validateLicenceData(
      bad((d) => (d.fields = { ...d.fields, nickname: 'x' })),
      { types, now: NOW, mode: 'lenient' },
    );
    expect(lenient).toMatchObject({
      valid: true,
      warnings: [expect.objectContaining({ code: 'ERR_LICENCE_FIELD_UNKNOWN' })],
    });
  });

  it('reports structural problems with their paths', () => {
    const r = validateLicenceData(
      { ...sampleLicence('business-licence'), format: 'x', holder: { name: 'n' } },
      { types, now: NOW },
    );
    expect(r.valid).toBe(false);
    expect(r.errors.every((e) => e.code === 'ERR_LICENCE_DATA_SCHEMA')).toBe(true);
    expect(r.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['format', 'holder.code']));
    expect(validateLicenceData('not an object', { types }).errors[0]?.code).toBe(
      'ERR_LICENCE_DATA_SCHEMA',
    );
    expect(() => assertLicenceData({}, { types })).toThrow(
      expect.objectContaining({ code: 'ERR_LICENCE_DATA_INVALID' }),
    );
  });

  it('drafts licence data with a generated identifier that round-trips', () => {
    const type = types.find((t) => t.name === '食品经营许可证')!;
    const base = sampleLicence('food-business-licence');
    const data = draftLicenceData(
      {
        type,
        number: base.number,
        holder: base.holder,
        issuer: base.issuer,
        issueDate: base.issueDate,
        validFrom: base.validFrom,
        validUntil: base.validUntil,
        fields: base.fields,
      },
      { now: NOW },
    );
    const id = parseLicenceId(data.identifier);
    expect(id).toMatchObject({ typeCode: type.typeCode, issuerCode: base.issuer.code, version: 1 });
    expect(id.serial).toMatch(/^[0-9A-Z]{20}$/);
    expect(data.name).toBe('食品经营许可证');
    expect(() => draftLicenceData({ type, ...base, fields: {} }, { now: NOW })).toThrow(
      expect.objectContaining({ code: 'ERR_LICENCE_DATA_INVALID' }),
    );
  });

  it('has one canonical JSON text and maps to GB/T 36903 element codes', () => {
    const d = sampleLicence('construction-special-operations');
    const shuffled = Object.fromEntries(Object.entries(d).reverse()) as unknown as LicenceData;
    expect(JSON.stringify(shuffled)).not.toBe(JSON.stringify(d));
    expect(canonicalLicenceJson(shuffled)).toBe(canonicalLicenceJson(d));
    expect(
      canonicalLicenceJson(d).startsWith('{"areaCode":"220000","fields":{"birthDate":"1990-03-07"'),
    ).toBe(true);
    const type = types.find((t) => t.typeCode === d.typeCode)!;
    expect(toMetadataElements(d, type)).toMatchObject({
      ZZMC: '建筑施工特种作业人员操作资格证书',
      ZZLXDM: '11100000000013338W032',
      ZZBH: '吉A042012000939',
      ZZBS: d.identifier,
      ZZBFJGDM: '11220000013544541J',
      CZZT: '张三',
      CZZTDMLXDM: '111',
      ZZYXQJZRQ: '2027-01-08',
      KZ_CZLB: '建筑电工',
    });
    expect(toMetadataElements(sampleLicence('business-licence')).ZZYXQJZRQ).toBe('长期');
  });
});
