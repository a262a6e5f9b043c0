/** `govtrust id check` and `govtrust licence …`: what is printed and the exit codes (0 valid, 1 invalid, 2 usage or unusable input). */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSigner, importPrivateKey } from '@govtrust/core/crypto';
import { parseCertificates } from '@govtrust/core/pki';
import { createSealId, drawSeal, makeSeal, sealToPng } from '@govtrust/core/seal';
import { cli } from './helpers.js';

const SAMPLES = join(import.meta.dirname, '..', '..', '..', 'samples');
const NEGATIVE =
  '1.2.156.3005.2.11100000000013661B006.113700000045046442.209FA4E88F9E4C878F3E9BED2CE7EA49.001.M';
const CONSTRUCTION = '1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F';

describe('govtrust id check', () => {
  it('says which code it is and exits 0 when valid', async () => {
    const cases: [string, RegExp][] = [
      [
        CONSTRUCTION,
        /^licence identifier \(电子证照标识, GB\/T 36904\) .*: valid\n.*check character F/,
      ],
      ['91350100M000100Y43', /^unified social credit code .*: valid\n.*region 350100 福州市/],
      [
        '11010519491231002X',
        /^citizen identity number .*: valid\n.*110105 朝阳区, born 1949-12-31, female/,
      ],
      ['370406', /^administrative division code .*: valid\n {2}山亭区/],
      ['11100000000013338W032', /^licence type code .*: valid/],
    ];
    for (const [code, out] of cases) {
      const r = await cli('id', 'check', code, '--at', '2025-06-01T00:00:00Z');
      expect(r.stdout, code).toMatch(out);
      expect(r.code, code).toBe(0);
    }
  });

  it('says why a code is invalid and exits 1', async () => {
    const r = await cli('id', 'check', NEGATIVE);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(': INVALID');
    expect(r.stdout).toContain(
      "error ERR_LICENCE_ID_CHECK_CHAR (check): Check character is 'M', ISO/IEC 7064 MOD 37,36 computes 'D'",
    );
    const uscc = await cli('id', 'check', '91350100M0001TGQXM');
    expect(uscc.code).toBe(1);
    expect(uscc.stdout).toContain(
      "error ERR_USCC_CHECK_CHAR (position 18): Check character is 'M', GB 32100 computes '1'",
    );
    const id = await cli('id', 'check', '110105194912310021', '--at', '2025-06-01T00:00:00Z');
    expect(id.code).toBe(1);
    expect(id.stdout).toContain('ERR_RESIDENT_ID_CHECK_CHAR');
    const junk = await cli('id', 'check', 'hello');
    expect(junk).toMatchObject({
      code: 1,
      stdout: expect.stringContaining('ERR_CODE_UNRECOGNISED'),
    });
  });

  it('turns legacy defects into warnings with --lenient and prints JSON with --json', async () => {
    const r = await cli('id', 'check', NEGATIVE, '--lenient');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning ERR_LICENCE_ID_CHECK_CHAR');
    const j = await cli('id', 'check', NEGATIVE, '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({
      kind: 'licence-id',
      valid: false,
      errors: [{ code: 'ERR_LICENCE_ID_CHECK_CHAR', expected: 'D' }],
    });
  });

  it('exits 2 on usage errors', async () => {
    expect((await cli('id', 'check')).code).toBe(2);
    expect((await cli('id', 'check', 'a', 'b')).code).toBe(2);
    const at = await cli('id', 'check', '11010519491231002X', '--at', 'yesterday');
    expect(at).toMatchObject({ code: 2, stderr: expect.stringContaining('ERR_USAGE') });
  });
});

describe('govtrust licence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'govtrust-cli-licence-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('checks licence data against the sample types', async () => {
    const ok = await cli(
      'licence',
      'check',
      join(SAMPLES, 'licences', 'food-business-licence.json'),
      '--types',
      join(SAMPLES, 'licence-types'),
    );
    expect(ok).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(': valid 食品经营许可证'),
    });
    const bad = join(dir, 'bad.json');
    const sample = JSON.parse(
      readFileSync(join(SAMPLES, 'licences', 'food-business-licence.json'), 'utf8'),
    ) as Record<string, unknown>;
    writeFileSync(bad, JSON.stringify({ ...sample, validUntil: '2024-01-01' }));
    const r = await cli('licence', 'check', bad, '--types', join(SAMPLES, 'licence-types'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error ERR_LICENCE_VALIDITY_RANGE (validUntil)');
  });

  it('stores types and a licence, then suspends, resumes and revokes it, with exit codes from the status', async () => {
    const store = join(dir, 'data');
    const types = [
      'business-licence',
      'food-business-licence',
      'construction-special-operations',
    ].map((n) => join(SAMPLES, 'licence-types', `${n}.json`));
    expect((await cli('licence', 'type', 'add', ...types, '--store', store)).code).toBe(0);
    const add = await cli(
      'licence',
      'add',
      join(SAMPLES, 'licences', 'construction-special-operations.json'),
      '--store',
      store,
      '--status-base-url',
      'https://zzk.example.gov.cn/v1/status-lists',
      '--at',
      '2025-06-01T00:00:00Z',
    );
    expect(add).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`stored ${CONSTRUCTION}`),
    });
    const at = (m: number) => [
      '--at',
      new Date(Date.parse('2025-06-01T00:00:00Z') + m * 60_000).toISOString(),
    ];
    expect(await cli('licence', 'status', CONSTRUCTION, '--store', store, ...at(1))).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('valid (result 0 信息正确且有效)'),
    });
    const suspended = await cli(
      'licence',
      'suspend',
      CONSTRUCTION,
      '--store',
      store,
      '--reason',
      '吉建罚〔2025〕12号',
      '--reason-code',
      'suspend.penalty',
      ...at(2),
    );
    expect(suspended).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('suspended (result 2 信息正确且证照暂时失效)'),
    });
    expect(suspended.stdout).toContain(
      'reason suspend.penalty 暂扣（行政处罚）: 吉建罚〔2025〕12号',
    );
    const status = await cli(
      'licence',
      'status',
      CONSTRUCTION,
      '--store',
      store,
      '--json',
      ...at(3),
    );
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'suspended', result: 2 });
    expect(
      (await cli('licence', 'resume', CONSTRUCTION, '--store', store, '--reason', '期满', ...at(4)))
        .code,
    ).toBe(0);
    expect((await cli('licence', 'status', CONSTRUCTION, '--store', store, ...at(5))).code).toBe(0);
    expect(
      (
        await cli(
          'licence',
          'revoke',
          CONSTRUCTION,
          '--store',
          store,
          '--reason',
          '吊销',
          '--reason-code',
          'revoke.penalty',
          ...at(6),
        )
      ).stdout,
    ).toContain('revoked (result 3');
    const again = await cli(
      'licence',
      'resume',
      CONSTRUCTION,
      '--store',
      store,
      '--reason',
      'x',
      ...at(7),
    );
    expect(again).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('error ERR_LICENCE_STATUS_TRANSITION'),
    });
    const unknown = await cli(
      'licence',
      'revoke',
      CONSTRUCTION.replace('2430599', '2430598'),
      '--store',
      store,
      '--reason',
      'x',
    );
    expect(unknown).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('error ERR_LICENCE_NOT_FOUND'),
    });
    const badReason = await cli(
      'licence',
      'revoke',
      CONSTRUCTION,
      '--store',
      store,
      '--reason',
      'x',
      '--reason-code',
      'suspend.penalty',
    );
    expect(badReason).toMatchObject({ code: 2, stderr: expect.stringContaining('ERR_USAGE') });
    expect(
      (await cli('licence', 'status', CONSTRUCTION.replace('2430599', '2430598'), '--store', store))
        .stdout,
    ).toContain('not found (result 5 查无此信息)');
  });

  it('signs licence data with the dev licence issuer and verifies it, with the status from the store', async () => {
    const store = join(dir, 'data');
    const types = join(SAMPLES, 'licence-types');
    for (const n of [
      'business-licence',
      'food-business-licence',
      'construction-special-operations',
    ]) {
      expect(
        (await cli('licence', 'type', 'add', join(types, `${n}.json`), '--store', store)).code,
      ).toBe(0);
    }
    expect(
      (
        await cli(
          'licence',
          'add',
          join(SAMPLES, 'licences', 'construction-special-operations.json'),
          '--store',
          store,
          '--status-base-url',
          'https://zzk.example.gov.cn/v1/status-lists',
          '--at',
          '2026-06-01T00:00:00Z',
        )
      ).code,
    ).toBe(0);
    const certs = join(SAMPLES, '..', 'certs-dev', 'sm2');
    const signed = join(dir, 'licence.signed.json');
    const sign = await cli(
      'licence',
      'sign',
      join(SAMPLES, 'licences', 'construction-special-operations.json'),
      '--key',
      join(certs, 'licence-issuer.key'),
      '--cert',
      join(certs, 'licence-issuer.chain.pem'),
      '--out',
      signed,
    );
    expect(sign).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`signed ${CONSTRUCTION} (sm2-sm3)`),
    });
    const at = ['--at', '2026-06-01T08:00:00Z'];
    const ok = await cli(
      'licence',
      'verify',
      signed,
      '--trust',
      join(certs, 'root.pem'),
      '--store',
      store,
      '--types',
      types,
      ...at,
    );
    expect(ok.stdout).toContain(`${CONSTRUCTION}: VALID, result 0 信息正确且有效 (valid)`);
    expect(ok.stdout).toContain('  signature: passed');
    expect(ok.code).toBe(0);
    expect(
      (
        await cli(
          'licence',
          'revoke',
          CONSTRUCTION,
          '--store',
          store,
          '--reason',
          '吊销',
          '--reason-code',
          'revoke.penalty',
          ...at,
        )
      ).code,
    ).toBe(0);
    const revoked = await cli(
      'licence',
      'verify',
      signed,
      '--trust',
      join(certs, 'root.pem'),
      '--store',
      store,
      '--json',
      ...at,
    );
    expect(revoked.code).toBe(1);
    expect(JSON.parse(revoked.stdout)).toMatchObject({
      status: 'valid',
      result: 3,
      licenceStatus: 'revoked',
    });
    // Tampered file.
    const text = readFileSync(signed, 'utf8').replace('建筑电工', '建筑架子工');
    writeFileSync(signed, text);
    const bad = await cli('licence', 'verify', signed, '--trust', join(certs, 'root.pem'), ...at);
    expect(bad).toMatchObject({ code: 1, stdout: expect.stringContaining('INVALID, result 7') });
    expect(bad.stdout).toContain('signature: failed ERR_LICENCE_SIGNATURE_INVALID');
    writeFileSync(signed, 'not a licence');
    expect(
      await cli('licence', 'verify', signed, '--trust', join(certs, 'root.pem')),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('ERR_LICENCE_SIGNED_FORMAT'),
    });
  });

  it('issues a licence (face PDF + signed data, stored), verifies the face, and after revoke reports result 3', async () => {
    const certs = join(SAMPLES, '..', 'certs-dev', 'p256');
    const sm2 = join(SAMPLES, '..', 'certs-dev', 'sm2');
    const store = join(dir, 'data');
    const out = join(dir, 'out');
    const sample = join(SAMPLES, 'licences', 'business-licence.json');
    const id = (JSON.parse(readFileSync(sample, 'utf8')) as { identifier: string }).identifier;
    // The issuer's GB/T 38540 seal, made by the SM2 dev seal maker for the P-256 issuer certificate.
    const maker = createSigner(
      importPrivateKey(readFileSync(join(sm2, 'seal-maker.key'), 'utf8')),
      {
        certificateChain: readFileSync(join(sm2, 'seal-maker.chain.pem'), 'utf8'),
      },
    );
    const seal = await makeSeal({
      maker,
      holderCertificates: parseCertificates(
        readFileSync(join(certs, 'licence-issuer.pem'), 'utf8'),
      ).map((c) => c.der),
      name: '福州市市场监督管理局',
      type: 1,
      esID: createSealId({ region: '350100', serial: 9 }),
      picture: {
        type: 'PNG',
        data: await sealToPng(drawSeal({ shape: 'round', text: '福州市市场监督管理局' })),
        width: 42,
        height: 42,
      },
      validity: { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2028-01-01T00:00:00Z') },
      now: new Date('2026-01-01T00:00:00Z'),
    });
    const sealFile = join(dir, 'issuer.esl');
    writeFileSync(sealFile, seal.der);
    const at = ['--at', '2026-06-01T08:00:00Z'];
    const issued = await cli(
      'licence',
      'issue',
      '--type',
      join(SAMPLES, 'licence-types', 'business-licence.json'),
      '--data',
      sample,
      '--issuer-key',
      join(certs, 'licence-issuer.key'),
      '--issuer-cert',
      join(certs, 'licence-issuer.chain.pem'),
      '--seal',
      sealFile,
      '--verify-url',
      'https://zwfw.example.gov.cn/v1/licences/verify',
      '--store',
      store,
      '--status-base-url',
      'https://zzk.example.gov.cn/v1/status-lists',
      '--out',
      out,
      ...at,
    );
    expect(issued).toMatchObject({ code: 0, stdout: expect.stringContaining(`issued ${id}`) });
    expect(issued.stdout).toContain('QR https://zwfw.example.gov.cn/v1/licences/verify?id=');
    const face = join(out, `${id}.pdf`);
    expect(readFileSync(face).subarray(0, 5).toString()).toBe('%PDF-');
    const trust = [
      '--trust',
      join(certs, 'root.pem'),
      '--trust',
      join(sm2, 'root.pem'),
      '--intermediate',
      join(sm2, 'intermediate.pem'),
    ];
    const verifyAt = ['--at', '2026-06-01T09:00:00Z'];
    const ok = await cli('licence', 'verify', face, ...trust, '--store', store, ...verifyAt);
    expect(ok).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`${id}: VALID, result 0`),
    });
    expect(ok.stdout).toContain('seal LicenceSeal: valid, B-B, entire-file, GB/T 38540 seal');
    expect(ok.stdout).toContain('face-content: passed');
    const data = await cli(
      'licence',
      'verify',
      join(out, `${id}.licence.json`),
      ...trust,
      '--store',
      store,
      ...verifyAt,
    );
    expect(data.code).toBe(0);
    expect(
      (
        await cli(
          'licence',
          'revoke',
          id,
          '--store',
          store,
          '--reason',
          '（2026）1 号',
          ...verifyAt,
        )
      ).code,
    ).toBe(0);
    const revoked = await cli(
      'licence',
      'verify',
      face,
      ...trust,
      '--store',
      store,
      '--json',
      '--at',
      '2026-06-01T10:00:00Z',
    );
    expect(revoked.code).toBe(1);
    expect(JSON.parse(revoked.stdout)).toMatchObject({
      input: 'face-pdf',
      status: 'valid',
      result: 3,
      licenceStatus: 'revoked',
    });
    // Issuing the same licence again: refused, exit 2, the code named.
    const again = await cli(
      'licence',
      'issue',
      '--type',
      join(SAMPLES, 'licence-types', 'business-licence.json'),
      '--data',
      sample,
      '--issuer-key',
      join(certs, 'licence-issuer.key'),
      '--issuer-cert',
      join(certs, 'licence-issuer.chain.pem'),
      '--verify-url',
      'https://zwfw.example.gov.cn/v1/licences/verify',
      '--store',
      store,
      '--status-base-url',
      'https://zzk.example.gov.cn/v1/status-lists',
      '--out',
      join(dir, 'out2'),
      ...at,
    );
    expect(again).toMatchObject({ code: 2, stderr: expect.stringContaining('ERR_LICENCE_EXISTS') });
  });

  it('refuses licence data that does not fit its type (exit 2, nothing written)', async () => {
    const certs = join(SAMPLES, '..', 'certs-dev', 'p256');
    const bad = join(dir, 'bad.json');
    const sample = JSON.parse(
      readFileSync(join(SAMPLES, 'licences', 'food-business-licence.json'), 'utf8'),
    ) as Record<string, unknown>;
    writeFileSync(bad, JSON.stringify({ ...sample, validUntil: '2024-01-01' }));
    const r = await cli(
      'licence',
      'issue',
      '--type',
      '11100000MB0G30001B002',
      '--types',
      join(SAMPLES, 'licence-types'),
      '--data',
      bad,
      '--issuer-key',
      join(certs, 'licence-issuer.key'),
      '--issuer-cert',
      join(certs, 'licence-issuer.chain.pem'),
      '--verify-url',
      'https://zwfw.example.gov.cn/v1/licences/verify',
      '--out',
      join(dir, 'out'),
      '--at',
      '2026-06-01T08:00:00Z',
    );
    expect(r).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('ERR_LICENCE_DATA_INVALID'),
    });
    expect(r.stderr).toContain('ERR_LICENCE_VALIDITY_RANGE');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
