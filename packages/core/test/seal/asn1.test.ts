import { describe, expect, it } from 'vitest';
import { encodeSeal, parseSeal, parseSesSignature, verifySeal } from '@govtrust/core/seal';
import { LATER, ofdrw } from './fixtures.js';
import { readZip } from './zip-helper.js';

const sealFiles = [
  {
    title: 'GM/T 0031-2014 seal (ofdrw UserV1.esl)',
    file: 'UserV1.esl',
    version: 1,
    header: 1,
    esID: '40C8CDD24DEF43388B86E62CCE1D6832',
    name: 'OFDRW测试用印章',
  },
  {
    title: 'GB/T 38540 seal (ofdrw UserV4.esl)',
    file: 'UserV4.esl',
    version: 4,
    header: 4,
    esID: '51f044b76510434e9bc67a1185c2fba5',
    name: 'OFD R&W 测试用印章',
  },
  {
    title: 'GM/T 0031-2025 seal (ofdrw UserV5.esl)',
    file: 'UserV5.esl',
    version: 5,
    header: 5,
    esID: '09aaf39291e049e4b3d716414590937e',
    name: 'OFD R&W V5测试用印章',
  },
] as const;

describe('parseSeal on real seals', () => {
  for (const v of sealFiles) {
    it(`${v.title}: parses and its maker signature verifies`, async () => {
      const seal = parseSeal(ofdrw(v.file));
      expect(seal.version).toBe(v.version);
      expect(seal.sealInfo.header).toMatchObject({ id: 'ES', version: v.header });
      expect(seal.sealInfo.esID).toBe(v.esID);
      expect(seal.sealInfo.property.name).toBe(v.name);
      expect(seal.sealInfo.picture.type).toBe('PNG');
      expect(seal.signatureAlgorithm).toBe('1.2.156.10197.1.501');
      expect(seal.nonDer).toEqual([]);
      const report = await verifySeal(seal, { now: seal.sealInfo.property.validStart });
      expect(report.makerSignatureValid).toBe(true);
      expect(report.errors.filter((e) => e.code === 'ERR_SEAL_MAKER_SIGNATURE_INVALID')).toEqual(
        [],
      );
    });
  }

  it('V1 signs DER SEQUENCE{SES_SealInfo, cert, alg}; V4 signs DER(SES_SealInfo) alone', () => {
    const v1 = parseSeal(ofdrw('UserV1.esl'));
    expect(v1.toBeSigned[0]).toBe(0x30);
    expect(v1.toBeSigned.length).toBeGreaterThan(
      v1.sealInfo.der.length + v1.makerCertificate.length,
    );
    const v4 = parseSeal(ofdrw('UserV4.esl'));
    expect(v4.toBeSigned).toEqual(v4.sealInfo.der);
  });

  it('V4 and V5 DER seals re-encode byte for byte; V1 is read-only', () => {
    for (const file of ['UserV4.esl', 'UserV5.esl']) {
      const der = ofdrw(file);
      expect(Buffer.from(encodeSeal(parseSeal(der))).equals(Buffer.from(der))).toBe(true);
    }
    expect(() => encodeSeal(parseSeal(ofdrw('UserV1.esl')))).toThrow(
      expect.objectContaining({ code: 'ERR_SEAL_ENCODE' }),
    );
  });

  it('a tampered seal name breaks the maker signature (report, not exception)', async () => {
    const der = ofdrw('UserV4.esl');
    const copy = new Uint8Array(der);
    const at = Buffer.from(der).indexOf(Buffer.from('测试用印章'));
    copy[at + 2] = copy[at + 2]! ^ 0x01;
    const report = await verifySeal(parseSeal(copy), { now: LATER });
    expect(report.status).toBe('invalid');
    expect(report.makerSignatureValid).toBe(false);
    expect(report.errors.map((e) => e.code)).toContain('ERR_SEAL_MAKER_SIGNATURE_INVALID');
  });
});

describe('the 999.ofd tax seal: non-DER content verified over the bytes as received', () => {
  it('parses the explicit DEFAULT BOOLEAN FALSE, reports it, and verifies the maker signature', async () => {
    const signedValue = (await readZip(ofdrw('999.ofd'))).get(
      'Doc_0/Signs/Sign_0/SignedValue.dat',
    )!;
    const sig = parseSesSignature(signedValue);
    const seal = sig.toSign.seal;
    expect(seal.sealInfo.extDatas).toEqual([
      { oid: '1.2.156.10197.6.7.2.2.1', critical: false, value: new TextEncoder().encode('2.1') },
    ]);
    expect(seal.nonDer.join()).toContain('DEFAULT FALSE encoded explicitly');
    const report = await verifySeal(seal, { now: new Date('2020-08-17T11:13:29Z') });
    expect(report).toMatchObject({
      status: 'valid',
      makerSignatureValid: true,
      esID: '50011200000323',
      type: 3,
    });
    expect(report.warnings.map((w) => w.code)).toContain('ERR_SEAL_NOT_DER');
    // A strict re-encoding drops the FALSE and so changes the signed bytes: the reason never to re-encode.
    expect(Buffer.from(encodeSeal(seal)).equals(Buffer.from(seal.der))).toBe(false);
  });
});

describe('bad seal input gives a clear code', () => {
  const v4 = ofdrw('UserV4.esl');
  const cases: { title: string; input: Uint8Array; code: string }[] = [
    { title: 'empty', input: new Uint8Array(0), code: 'ERR_SEAL_PARSE' },
    {
      title: 'truncated by one byte',
      input: v4.subarray(0, v4.length - 1),
      code: 'ERR_SEAL_PARSE',
    },
    { title: 'truncated to half', input: v4.subarray(0, v4.length >> 1), code: 'ERR_SEAL_PARSE' },
    {
      title: 'garbage',
      input: new TextEncoder().encode('this is not a seal at all, just text'),
      code: 'ERR_SEAL_PARSE',
    },
    { title: 'trailing bytes', input: new Uint8Array([...v4, 0, 0]), code: 'ERR_SEAL_PARSE' },
    {
      title: 'a PNG',
      input: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      code: 'ERR_SEAL_PARSE',
    },
    {
      title: 'deep nesting',
      input: Uint8Array.from([
        ...Array<number>(100)
          .fill(0x30)
          .flatMap(() => [0x30, 0x80]),
        0,
        0,
      ]),
      code: 'ERR_SEAL_PARSE',
    },
  ];
  for (const c of cases) {
    it(c.title, () => {
      expect(() => parseSeal(c.input)).toThrow(expect.objectContaining({ code: c.code }));
    });
  }

  it('a header ID other than "ES" is ERR_SEAL_HEADER', () => {
    const copy = new Uint8Array(v4);
    expect(copy[12]).toBe(0x45); // 'E' of "ES"
    copy[12] = 0x58;
    expect(() => parseSeal(copy)).toThrow(expect.objectContaining({ code: 'ERR_SEAL_HEADER' }));
  });

  it.each([
    ['version 3 with the V4 structure', 'UserV4.esl', 3],
    ['version 9', 'UserV4.esl', 9],
    ['version 4 with the V1 structure', 'UserV1.esl', 4],
  ])('%s is ERR_SEAL_VERSION', (_title, file, version) => {
    const copy = new Uint8Array(ofdrw(file));
    expect(copy[16]).toBeLessThan(6); // INTEGER version contents at offset 16
    copy[16] = version;
    expect(() => parseSeal(copy)).toThrow(expect.objectContaining({ code: 'ERR_SEAL_VERSION' }));
  });

  it('a truncated SES_Signature is ERR_SEAL_SIGNATURE_PARSE', () => {
    expect(() => parseSesSignature(new Uint8Array([0x30, 0x82, 0x10, 0x00, 0x30]))).toThrow(
      expect.objectContaining({ code: 'ERR_SEAL_SIGNATURE_PARSE' }),
    );
  });
});
