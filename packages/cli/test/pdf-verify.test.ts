/** `govtrust pdf verify`: the human table, the JSON report of DESIGN.md section 4, exit codes 0/1/2. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealPdf } from '@govtrust/core/pdf';
import { createTimeStampAuthority } from '@govtrust/core/pki';
import { cli } from './helpers.js';
import { tempDir } from '../../core/test/helpers/tools.js';
import { DEV_PKI_NOW, devPkiPath, loadDevIdentity } from '../../core/test/helpers/dev-pki.js';
import { makePdf, redSealPng } from '../../core/test/pdf/helpers.js';
import { SIGNED_AT, devSeal, holder } from '../../core/test/seal/binding-fixtures.js';

const t = tempDir('govtrust-cli-verify-');
afterAll(() => t.cleanup());
const AT = DEV_PKI_NOW.toISOString();
const root = devPkiPath('rsa', 'root.pem');
let sealedFile: string;
let sealed: Uint8Array;

beforeAll(async () => {
  const tsa = createTimeStampAuthority({
    signer: loadDevIdentity('rsa', 'tsa').signer,
    now: () => DEV_PKI_NOW,
  });
  sealed = await sealPdf(await makePdf(), {
    signer: loadDevIdentity('rsa', 'org-a').signer,
    now: DEV_PKI_NOW,
    tsa: tsa.client(),
    appearance: { image: redSealPng(64) },
    placement: { page: 1, x: 20, y: 20, width: 30 },
    fieldName: '公章',
  });
  sealedFile = t.write('sealed.pdf', sealed);
});

describe('govtrust pdf verify', () => {
  it('valid with the dev root: exit 0 and a readable block per signature', async () => {
    const r = await cli('pdf', 'verify', sealedFile, '--trust', root, '--at', AT, '--offline');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('有效 valid');
    expect(r.stdout).toContain('#1 公章');
    expect(r.stdout).toContain('B-T');
    expect(r.stdout).toMatch(/签署人 Signer\s+CN=示例市人民政府办公室 RSA/);
    expect(r.stdout).toContain('covers the whole file');
  });

  it('without trust anchors: exit 1, indeterminate, the reason named in Chinese and English', async () => {
    const r = await cli('pdf', 'verify', sealedFile, '--at', AT, '--offline');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('无法确定 indeterminate');
    expect(r.stdout).toContain('ERR_PATH_UNTRUSTED_ROOT');
    expect(r.stdout).toMatch(/[\u4e00-\u9fff]+.*is a root that is not trusted/);
  });

  it('--json prints exactly the report contract', async () => {
    const r = await cli(
      'pdf',
      'verify',
      sealedFile,
      '--trust',
      root,
      '--at',
      AT,
      '--offline',
      '--json',
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      status: string;
      file: Record<string, unknown>;
      signatures: Record<string, unknown>[];
    };
    expect(Object.keys(report)).toEqual(['status', 'file', 'signatures']);
    expect(Object.keys(report.file)).toEqual(['sha256', 'size', 'revisions']);
    expect(Object.keys(report.signatures[0]!)).toEqual([
      'field',
      'revision',
      'subFilter',
      'status',
      'intact',
      'coverage',
      'modifications',
      'trusted',
      'revocation',
      'level',
      'algorithm',
      'signer',
      'signingTime',
      'timestamp',
      'seal',
      'errors',
      'warnings',
    ]);
    expect(report.signatures[0]).toMatchObject({ field: '公章', status: 'valid', level: 'B-T' });
  });

  it('a tampered file: exit 1 with the code; not a PDF or a bad --at: exit 2', async () => {
    const bad = new Uint8Array(sealed);
    const at = Buffer.from(bad).indexOf('stream', 200, 'latin1') + 8;
    bad[at] = bad[at]! ^ 0xff;
    const r = await cli(
      'pdf',
      'verify',
      t.write('bad.pdf', bad),
      '--trust',
      root,
      '--at',
      AT,
      '--offline',
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('无效 invalid');
    expect(r.stdout).toContain('ERR_CMS_DIGEST_MISMATCH');

    const notPdf = await cli('pdf', 'verify', t.write('x.pdf', 'hello'), '--offline');
    expect(notPdf.code).toBe(2);
    expect(notPdf.stderr).toMatch(/^error ERR_PDF_PARSE: /);

    const badAt = await cli('pdf', 'verify', sealedFile, '--at', 'yesterday');
    expect(badAt.code).toBe(2);
    expect(badAt.stderr).toContain('ERR_USAGE');
  });

  it('a PDF sealed with a seal file: the Chinese seal name in the Seal row', async () => {
    const seal = await devSeal();
    const file = t.write(
      'with-seal.pdf',
      await sealPdf(await makePdf(), { signer: holder('rsa').signer, seal, now: SIGNED_AT }),
    );
    const r = await cli(
      'pdf',
      'verify',
      file,
      '--trust',
      root,
      '--trust',
      devPkiPath('sm2', 'root.pem'),
      '--intermediate',
      devPkiPath('sm2', 'intermediate.pem'),
      '--at',
      AT,
      '--offline',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`印章 Seal\\s+示例市人民政府办公室 \\(${seal.sealInfo.esID}, valid`),
    );
    expect(r.stdout).toContain('ERR_SEAL_STATUS_NOT_CHECKED');
  });

  it('online revocation: unreachable responders leave the status unknown, a warning', async () => {
    const r = await cli('pdf', 'verify', sealedFile, '--trust', root, '--at', AT, '--json');
    const report = JSON.parse(r.stdout) as {
      signatures: { revocation: string; warnings: { code: string }[] }[];
    };
    expect(r.code).toBe(0);
    expect(report.signatures[0]!.revocation).toBe('unknown');
    expect(report.signatures[0]!.warnings.map((w) => w.code)).toContain(
      'ERR_PATH_REVOCATION_UNKNOWN',
    );
  });
});
