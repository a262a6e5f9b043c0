/** GB/T 36904 licence identifiers and the ISO/IEC 7064 MOD 37,36 check character: the brief's known-answer vectors, negative cases, round trips. */
import { describe, expect, it } from 'vitest';
import {
  checkLicenceId,
  computeOrgCodeCheck,
  computeUsccCheck,
  computeMod3736,
  formatLicenceId,
  generateLicenceSerial,
  licenceLineage,
  nextLicenceVersion,
  parseLicenceId,
} from '@govtrust/core/licence';

const SOURCE = 'shared/reference/e-licences.md §2.4 (recomputed against 4 real identifiers)';

/** Known-answer vectors: identifiers whose check character is right. */
const valid = [
  {
    title: '住建部 安管人员 spec example',
    source: SOURCE,
    input: '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U',
    expected: {
      typeCode: '11100000000013338W011',
      issuerCode: '11430000006122244L',
      serial: '20230000403',
      version: 1,
      check: 'U',
    },
  },
  {
    title: 'national-style licence table sample',
    source: SOURCE,
    input: '1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F',
    expected: {
      typeCode: '11100000000013338W032',
      issuerCode: '11220000013544541J',
      serial: '2430599',
      version: 1,
      check: 'F',
    },
  },
  {
    title: '浙江 投资项目 OFD file name (version 002)',
    source: SOURCE,
    input: '1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0',
    expected: {
      typeCode: '11100000000013338W009',
      issuerCode: '11330105002500287C',
      serial: '2025052201',
      version: 2,
      check: '0',
    },
  },
] as const;

describe('GB/T 36904 licence identifier', () => {
  for (const v of valid) {
    it(`parses ${v.title}`, () => {
      const p = parseLicenceId(v.input);
      expect(p).toMatchObject({
        identifier: v.input,
        typeCode: v.expected.typeCode,
        definerCode: v.expected.typeCode.slice(0, 18),
        typeSequence: v.expected.typeCode.slice(18),
        issuerCode: v.expected.issuerCode,
        serial: v.expected.serial,
        version: v.expected.version,
        checkCharacter: v.expected.check,
      });
      expect(computeMod3736(p.body)).toBe(v.expected.check);
      expect(formatLicenceId(p)).toBe(v.input);
    });
  }

  it('rejects the hand-made certShare Swagger example: check character D expected, M written (negative vector)', () => {
    const input =
      '1.2.156.3005.2.11100000000013661B006.113700000045046442.209FA4E88F9E4C878F3E9BED2CE7EA49.001.M';
    const report = checkLicenceId(input);
    expect(report.valid).toBe(false);
    expect(report.errors).toContainEqual(
      expect.objectContaining({ code: 'ERR_LICENCE_ID_CHECK_CHAR', expected: 'D', path: 'check' }),
    );
    expect(() => parseLicenceId(input)).toThrow(
      expect.objectContaining({ code: 'ERR_LICENCE_ID_CHECK_CHAR' }),
    );
    // Lenient mode (legacy identifiers minted by the faulty CertCheckUtil) reports it as a warning.
    const lenient = checkLicenceId(input, { mode: 'lenient' });
    expect(lenient.valid).toBe(true);
    expect(lenient.warnings.map((w) => w.code)).toContain('ERR_LICENCE_ID_CHECK_CHAR');
  });

  it('computes the Hefei fixture check character (9) and accepts its 6-digit issuer only in lenient mode', () => {
    const input = '1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9';
    expect(computeMod3736('11100000MB03271699022340100000000016001')).toBe('9');
    const strict = checkLicenceId(input);
    expect(strict.valid).toBe(false);
    expect(strict.errors.map((e) => e.code)).toContain('ERR_LICENCE_ID_ISSUER_CODE');
    expect(strict.errors.map((e) => e.code)).not.toContain('ERR_LICENCE_ID_CHECK_CHAR');
    const lenient = checkLicenceId(input, { mode: 'lenient' });
    expect(lenient.valid).toBe(true);
    expect(lenient.warnings.map((w) => w.code)).toContain('ERR_LICENCE_ID_ISSUER_CODE');
  });

  it('detects every single-character substitution and reports it as a check-character error', () => {
    const base = valid[0].input;
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const body = parseLicenceId(base).body;
    let tried = 0;
    for (let i = 0; i < body.length; i++) {
      for (const c of alphabet) {
        if (c === body[i]) continue;
        const changed = body.slice(0, i) + c + body.slice(i + 1);
        expect(computeMod3736(changed)).not.toBe('U');
        tried++;
      }
    }
    expect(tried).toBe(body.length * 35);
  });

  it('refuses malformed identifiers with their own codes', () => {
    const cases: [string, string][] = [
      [
        '1.2.156.3003.2.11100000000013338W032.11220000013544541J.2430599.001.F',
        'ERR_LICENCE_ID_ROOT',
      ],
      [
        '1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001',
        'ERR_LICENCE_ID_FORMAT',
      ],
      [
        '1.2.156.3005.2.11100000000013338W032.11220000013544541J.24305.99.001.F',
        'ERR_LICENCE_ID_FORMAT',
      ],
      [
        '1.2.156.3005.2.11100000000013338W32.11220000013544541J.2430599.001.F',
        'ERR_LICENCE_ID_TYPE_CODE',
      ],
      [
        '1.2.156.3005.2.11100000000013338W032.1122000001354454.2430599.001.F',
        'ERR_LICENCE_ID_ISSUER_CODE',
      ],
      [
        '1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430-599.001.F',
        'ERR_LICENCE_ID_SERIAL',
      ],
      [
        '1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.000.F',
        'ERR_LICENCE_ID_VERSION',
      ],
      [
        '1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.01.F',
        'ERR_LICENCE_ID_VERSION',
      ],
      [
        '1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.FF',
        'ERR_LICENCE_ID_FORMAT',
      ],
      // A definer code whose own USCC check character is wrong.
      [
        '1.2.156.3005.2.11100000000013338X032.11220000013544541J.2430599.001.F',
        'ERR_USCC_CHECK_CHAR',
      ],
      [
        `1.2.156.3005.2.11100000000013338W032.11220000013544541J.${'9'.repeat(100)}.001.F`,
        'ERR_LICENCE_ID_FORMAT',
      ],
    ];
    for (const [input, code] of cases) {
      expect(
        checkLicenceId(input).errors.map((e) => e.code),
        input,
      ).toContain(code);
      expect(() => parseLicenceId(input)).toThrow(
        expect.objectContaining({ name: 'LicenceIdError' }),
      );
    }
  });

  it('treats lower case as an error in strict mode and normalises it in lenient mode', () => {
    const lower = valid[1].input.toLowerCase();
    expect(checkLicenceId(lower).errors.map((e) => e.code)).toContain('ERR_LICENCE_ID_CASE');
    const lenient = checkLicenceId(lower, { mode: 'lenient' });
    expect(lenient.valid).toBe(true);
    expect(lenient.parts?.identifier).toBe(valid[1].input);
  });

  it('generates identifiers that round-trip: format -> parse -> format, next version, lineage', () => {
    for (let i = 0; i < 200; i++) {
      const serial = generateLicenceSerial();
      expect(serial).toMatch(/^[0-9A-Z]{20}$/);
      const id = formatLicenceId({
        typeCode: '11100000000013338W032',
        issuerCode: '11220000013544541J',
        serial,
        version: 1 + (i % 999),
      });
      const p = parseLicenceId(id);
      expect(p.serial).toBe(serial);
      expect(formatLicenceId(p)).toBe(id);
    }
    const v1 = valid[1].input;
    const v2 = nextLicenceVersion(v1);
    expect(parseLicenceId(v2)).toMatchObject({ version: 2, serial: '2430599' });
    expect(licenceLineage(v2)).toBe(licenceLineage(v1));
    expect(licenceLineage(v1)).toBe(
      '1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599',
    );
    expect(() =>
      formatLicenceId({
        typeCode: '11100000000013338W032',
        issuerCode: '11220000013544541J',
        serial: 'A',
        version: 1000,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_LICENCE_ID_VERSION' }));
    expect(() =>
      formatLicenceId({
        typeCode: '11100000000013338W032',
        issuerCode: '340100',
        serial: 'A',
        version: 1,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_LICENCE_ID_ISSUER_CODE' }));
  });

  it('warns (not fails) for an issuer whose county code the dated division table does not know, and fails an impossible province', () => {
    const uscc = (prefix8: string): string => {
      const body = prefix8 + 'MA000001' + computeOrgCodeCheck('MA000001')!;
      return body + computeUsccCheck(body)!;
    };
    const newCounty = uscc('11379901'); // province 37 exists, county 379901 is not in the table
    const id = formatLicenceId(
      { typeCode: '11100000000013338W032', issuerCode: newCounty, serial: 'A1', version: 1 },
      { mode: 'lenient' },
    );
    const r = checkLicenceId(id);
    expect(r.valid).toBe(true);
    expect(r.warnings).toEqual([
      expect.objectContaining({ code: 'ERR_USCC_REGION', path: 'issuerCode' }),
    ]);
    const noProvince = uscc('11999901');
    const bad = formatLicenceId(
      { typeCode: '11100000000013338W032', issuerCode: noProvince, serial: 'A1', version: 1 },
      { mode: 'lenient' },
    );
    expect(checkLicenceId(bad).errors).toEqual([
      expect.objectContaining({ code: 'ERR_USCC_REGION', path: 'issuerCode' }),
    ]);
  });
});
