import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSeal, verifySeal } from '@govtrust/core/seal';
import { cli } from './helpers.js';
import { tempDir } from '../../core/test/helpers/tools.js';
import { buildZip, readZip, rewriteZip } from '../../core/test/seal/zip-helper.js';

const fixtures = join(import.meta.dirname, '..', '..', 'core', 'test', 'fixtures');
const sealDir = join(fixtures, 'seal');
const ofdrw = (name: string): string => join(fixtures, 'ofdrw', name);
const t = tempDir('govtrust-cli-seal-');
afterAll(() => {
  t.cleanup();
});

describe('govtrust seal create / inspect', () => {
  it('creates a V4 seal from the maker key and certificate and inspects it', async () => {
    const out = t.path('made.esl');
    const created = await cli(
      'seal',
      'create',
      '--maker-key',
      join(sealDir, 'maker.key.pem'),
      '--maker-cert',
      join(sealDir, 'maker.cert.pem'),
      '--holder-cert',
      join(sealDir, 'holder.cert.pem'),
      '--name',
      '重庆市渝北区测试局',
      '--type',
      '2',
      '--region',
      '500112',
      '--serial',
      '42',
      '--picture',
      join(sealDir, 'red.png'),
      '--width',
      '42',
      '--height',
      '42',
      '--valid-from',
      '2027-01-01T00:00:00Z',
      '--valid-days',
      '365',
      '--out',
      out,
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('50011200000042');
    const seal = parseSeal(t.read('made.esl'));
    expect(seal.sealInfo.property).toMatchObject({ name: '重庆市渝北区测试局', type: 2 });
    expect((await verifySeal(seal, { now: new Date('2027-02-01T00:00:00Z') })).status).toBe(
      'valid',
    );

    const shown = await cli('seal', 'inspect', out, '--json');
    expect(shown.code).toBe(0);
    const facts = JSON.parse(shown.stdout) as Record<string, unknown>;
    expect(facts).toMatchObject({
      version: 4,
      esID: '50011200000042',
      name: '重庆市渝北区测试局',
      type: 2,
      typeName: '财务专用章',
      validFrom: '2027-01-01T00:00:00.000Z',
      validTo: '2028-01-01T00:00:00.000Z',
      picture: { type: 'PNG', widthMm: 42, heightMm: 42 },
      maker: { subject: expect.stringContaining('GovTrust DEV Seal Maker') as unknown },
      check: { makerSignatureValid: true },
    });
    const text = await cli('seal', 'inspect', out);
    expect(text.stdout).toMatch(/esID:\s+50011200000042/);
    expect(text.stdout).toContain('maker signature verifies');

    const again = await cli(
      'seal',
      'create',
      '--maker-key',
      join(sealDir, 'maker.key.pem'),
      '--maker-cert',
      join(sealDir, 'maker.cert.pem'),
      '--holder-cert',
      join(sealDir, 'holder.cert.pem'),
      '--name',
      'x',
      '--picture',
      join(sealDir, 'red.png'),
      '--out',
      out,
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^error ERR_USAGE: .*exists/);
  });

  it('inspects the real V1 seal', async () => {
    const r = await cli('seal', 'inspect', ofdrw('UserV1.esl'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Format:     V1');
    expect(r.stdout).toContain('40C8CDD24DEF43388B86E62CCE1D6832');
  });

  it('garbage, a truncated seal and a wrong header are exit 2 with the code', async () => {
    const garbage = t.write('garbage.esl', 'not a seal');
    expect(await cli('seal', 'inspect', garbage)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error ERR_SEAL_PARSE: /) as unknown,
    });
    const v4 = new Uint8Array((await import('node:fs')).readFileSync(ofdrw('UserV4.esl')));
    const cut = t.write('cut.esl', v4.subarray(0, 5000));
    expect(await cli('seal', 'inspect', cut)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error ERR_SEAL_PARSE: /) as unknown,
    });
    const bad = new Uint8Array(v4);
    bad[12] = 0x58;
    expect(await cli('seal', 'inspect', t.write('bad.esl', bad))).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error ERR_SEAL_HEADER: /) as unknown,
    });
  });

  it('a non-standard maker needs --allow-non-standard', async () => {
    const args = [
      'seal',
      'create',
      '--maker-key',
      join(sealDir, 'ecmaker.key.pem'),
      '--maker-cert',
      join(sealDir, 'ecmaker.cert.pem'),
      '--holder-cert',
      join(sealDir, 'holder.cert.pem'),
      '--name',
      'EC',
      '--picture',
      join(sealDir, 'red.png'),
      '--out',
      t.path('ec.esl'),
    ];
    expect(await cli(...args)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error ERR_SEAL_NON_STANDARD_ALGORITHM: /) as unknown,
    });
    expect((await cli(...args, '--allow-non-standard')).code).toBe(0);
  });
});

describe('govtrust ofd verify', () => {
  it('999.ofd at its signing time: exit 0, JSON report valid', async () => {
    const r = await cli(
      'ofd',
      'verify',
      ofdrw('999.ofd'),
      '--at',
      '2020-08-17T11:13:29Z',
      '--json',
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      status: string;
      signatures: { status: string; seal: { esID: string } }[];
    };
    expect(report.status).toBe('valid');
    expect(report.signatures[0]!.seal.esID).toBe('50011200000323');
    const text = await cli('ofd', 'verify', ofdrw('999.ofd'), '--at', '2020-08-17T11:13:29Z');
    expect(text.stdout).toMatch(/^OFD VALID: 1 signature/);
  });

  it('999.ofd now (seal expired 2023): indeterminate, exit 1; with an unrelated trust anchor still not trusted', async () => {
    const r = await cli(
      'ofd',
      'verify',
      ofdrw('999.ofd'),
      '--json',
      '--trust',
      join(sealDir, 'ca.cert.pem'),
    );
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      status: string;
      signatures: { trusted: boolean; errors: { code: string }[] }[];
    };
    expect(report.status).toBe('indeterminate');
    expect(report.signatures[0]!.trusted).toBe(false);
    expect(report.signatures[0]!.errors.map((e) => e.code)).toContain('ERR_SEAL_EXPIRED');
  });

  it('a tampered page: exit 1 with ERR_OFD_REFERENCE_MISMATCH', async () => {
    const src = new Uint8Array((await import('node:fs')).readFileSync(ofdrw('999.ofd')));
    const page = new Uint8Array((await readZip(src)).get('Doc_0/Pages/Page_0/Content.xml')!);
    page[100] = page[100]! ^ 1;
    const file = t.write(
      'tampered.ofd',
      await rewriteZip(src, { 'Doc_0/Pages/Page_0/Content.xml': page }),
    );
    const r = await cli('ofd', 'verify', file, '--at', '2020-08-17T11:13:29Z');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error ERR_OFD_REFERENCE_MISMATCH');
  });

  it('a zip bomb and a path-traversal entry: exit 2 with the code, nothing written', async () => {
    const ofdXml = new TextEncoder().encode('<OFD/>');
    const bomb = t.write(
      'bomb.ofd',
      buildZip([
        { name: 'OFD.xml', data: ofdXml },
        { name: 'big', data: new Uint8Array(20 * 1024 * 1024) },
      ]),
    );
    expect(await cli('ofd', 'verify', bomb)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error ERR_OFD_ZIP_BOMB: /) as unknown,
    });
    const before = readdirSync(t.dir);
    const evil = t.write(
      'evil.ofd',
      buildZip([
        { name: 'OFD.xml', data: ofdXml },
        { name: '../escaped.txt', data: ofdXml },
      ]),
    );
    expect(await cli('ofd', 'verify', evil)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error ERR_OFD_ZIP_PATH: /) as unknown,
    });
    expect(readdirSync(t.dir).sort()).toEqual([...before, 'evil.ofd'].sort());
    expect(existsSync(join(t.dir, '..', 'escaped.txt'))).toBe(false);
  });

  it('a bad --at is a usage error', async () => {
    expect(await cli('ofd', 'verify', ofdrw('999.ofd'), '--at', 'yesterday')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error ERR_USAGE: /) as unknown,
    });
  });
});
