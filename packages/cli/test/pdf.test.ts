import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCms } from '@govtrust/core/cms';
import { PdfString, getAcroForm, getPages, openPdf } from '@govtrust/core/pdf';
import { createTimeStampAuthority } from '@govtrust/core/pki';
import { PDF_SES_SUBFILTER, SEAL_ATTRIBUTE_OID, verifyPdfSesSignature } from '@govtrust/core/seal';
import { cli } from './helpers.js';
import { hasTool, run, tempDir } from '../../core/test/helpers/tools.js';
import { DEV_PKI_NOW, devPkiPath, loadDevIdentity } from '../../core/test/helpers/dev-pki.js';
import {
  makeCjkTextPdf,
  makeNssDb,
  makePdf,
  pdfsig,
  redSealPng,
} from '../../core/test/pdf/helpers.js';
import { byteRangeSm3, devSeal, lastSignature } from '../../core/test/seal/binding-fixtures.js';

const t = tempDir('govtrust-cli-pdf-');
afterAll(() => t.cleanup());

const key = devPkiPath('rsa', 'org-a.key');
const cert = devPkiPath('rsa', 'org-a.chain.pem');
const TIME = '2026-06-01T08:00:00Z';
let input: string;
let image: string;

beforeAll(async () => {
  input = t.write('in.pdf', await makePdf({ pages: 3 }));
  image = t.write('seal.png', redSealPng(100));
});

const seal = (out: string, ...extra: string[]): ReturnType<typeof cli> =>
  cli(
    'pdf',
    'seal',
    '--in',
    input,
    '--out',
    out,
    '--key',
    key,
    '--cert',
    cert,
    '--time',
    TIME,
    ...extra,
  );

describe('govtrust pdf seal', () => {
  it('seals at a position in mm; pdfsig says valid', async () => {
    const out = t.path('pos.pdf');
    const r = await seal(
      out,
      '--image',
      image,
      '--page',
      '2',
      '--x',
      '20',
      '--y',
      '30',
      '--size',
      '40',
      '--reason',
      '同意',
      '--location',
      '北京',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = openPdf(new Uint8Array(readFileSync(out)));
    expect(getAcroForm(doc)!.signatureFields).toHaveLength(1);
    expect(doc.resolveArray(getPages(doc)[1]!.dict.get('Annots'))).toHaveLength(1);
    if (hasTool('pdfsig') && hasTool('certutil')) {
      const nss = makeNssDb(t.path('nss-dir'), devPkiPath('rsa', 'root.pem'));
      const [s] = pdfsig(nss, out);
      expect(s!.valid, s!.raw).toBe(true);
    }
  });

  it('seals by keyword and as a riding seal, and with a PKCS#12 file', async () => {
    const kwIn = t.write(
      'kw.pdf',
      makeCjkTextPdf([{ text: '乙方（盖章处）', x: 300, y: 200, size: 16 }]),
    );
    const kw = await cli(
      'pdf',
      'seal',
      '--in',
      kwIn,
      '--out',
      t.path('kw-out.pdf'),
      '--key',
      key,
      '--cert',
      cert,
      '--time',
      TIME,
      '--image',
      image,
      '--keyword',
      '盖章处',
    );
    expect(kw.code, kw.stderr).toBe(0);
    const riding = await seal(t.path('riding.pdf'), '--image', image, '--riding', '--pages', '1-3');
    expect(riding.code, riding.stderr).toBe(0);
    const doc = openPdf(new Uint8Array(readFileSync(t.path('riding.pdf'))));
    expect(getPages(doc).every((p) => doc.resolveArray(p.dict.get('Annots'))?.length === 1)).toBe(
      true,
    );
    if (hasTool('openssl')) {
      const p12 = t.path('org-a.p12');
      run('openssl', [
        'pkcs12',
        '-export',
        '-inkey',
        key,
        '-in',
        cert,
        '-passout',
        'pass:secret',
        '-out',
        p12,
      ]);
      const r = await cli(
        'pdf',
        'seal',
        '--in',
        input,
        '--out',
        t.path('p12.pdf'),
        '--p12',
        p12,
        '--password',
        'secret',
        '--time',
        TIME,
      );
      expect(r.code, r.stderr).toBe(0);
    }
  });

  it('generates a round seal picture (--generate round --text) as a vector appearance', async () => {
    const out = t.path('generated.pdf');
    const r = await seal(
      out,
      '--generate',
      'round',
      '--text',
      '某某市市场监督管理局',
      '--page',
      '1',
      '--x',
      '30',
      '--y',
      '40',
    );
    expect(r.code, r.stderr).toBe(0);
    const doc = openPdf(new Uint8Array(readFileSync(out)));
    const widget = doc.resolveDict(getAcroForm(doc)!.signatureFields[0]!.ref)!;
    const rect = doc.resolveArray(widget.get('Rect')) as number[];
    // 42 mm round seal by default.
    expect(rect[2]! - rect[0]!).toBeCloseTo((42 * 72) / 25.4, 1);
  });

  it('--tsa URL: B-T with the dev TSA served over HTTP (listen(0))', async () => {
    const tsa = createTimeStampAuthority({
      signer: loadDevIdentity('rsa', 'tsa').signer,
      now: () => DEV_PKI_NOW,
    });
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void tsa.handleRequest(new Uint8Array(Buffer.concat(chunks))).then((reply) => {
          res.writeHead(200, { 'content-type': 'application/timestamp-reply' });
          res.end(Buffer.from(reply));
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const out = t.path('bt.pdf');
      const r = await seal(out, '--tsa', `http://127.0.0.1:${port}/tsa`, '--level', 'B-T');
      expect(r.code, r.stderr).toBe(0);
      const doc = openPdf(new Uint8Array(readFileSync(out)));
      const sig = doc.resolveDict(getAcroForm(doc)!.signatureFields[0]!.value)!;
      const cms = parseCms((sig.get('Contents') as PdfString).bytes);
      expect(cms.signerInfos[0]!.timestampTokens).toHaveLength(1);
    } finally {
      server.close();
    }
  });

  it('refuses to overwrite, and never writes on usage errors', async () => {
    const out = t.write('exists.pdf', 'x');
    expect((await seal(out)).code).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('x');
    const gen = await seal(
      t.path('gen.pdf'),
      '--generate',
      'hexagon',
      '--text',
      'x',
      '--page',
      '1',
      '--x',
      '1',
      '--y',
      '1',
    );
    expect(gen.code).toBe(2);
    expect(gen.stderr).toMatch(/ERR_USAGE/);
    expect(existsSync(t.path('gen.pdf'))).toBe(false);
  });

  describe('bad input: a clear code, exit 2, no output file', () => {
    const cases: [string, () => string[], string][] = [
      ['not a PDF', () => ['--in', t.write('not.pdf', 'hello')], 'ERR_PDF_PARSE'],
      [
        'truncated',
        () => ['--in', t.write('trunc.pdf', readFileSync(input).subarray(0, 500))],
        'ERR_PDF_PARSE',
      ],
      [
        'page out of range',
        () => ['--image', image, '--page', '9', '--x', '1', '--y', '1'],
        'ERR_PDF_PAGE_OUT_OF_RANGE',
      ],
      [
        'keyword not found',
        () => ['--image', image, '--keyword', '盖章处'],
        'ERR_PDF_KEYWORD_NOT_FOUND',
      ],
      [
        'image not PNG/JPEG',
        () => ['--image', t.write('seal.gif', 'GIF89a....'), '--page', '1', '--x', '1', '--y', '1'],
        'ERR_PDF_IMAGE_UNSUPPORTED',
      ],
      [
        'key not matching the certificate',
        () => ['--key', devPkiPath('rsa', 'org-b.key')],
        'ERR_KEY_MISMATCH',
      ],
      [
        'expired certificate',
        () => ['--time', '2050-01-01T00:00:00Z'],
        'ERR_PDF_SIGNER_CERT_EXPIRED',
      ],
    ];
    if (hasTool('qpdf'))
      cases.push([
        'encrypted',
        () => {
          const enc = t.path('enc.pdf');
          run('qpdf', ['--encrypt', 'u', 'o', '256', '--', input, enc]);
          return ['--in', enc];
        },
        'ERR_PDF_ENCRYPTED',
      ]);
    it.each(cases)('%s', async (_name, args, code) => {
      const out = t.path(`bad-${code}-${Math.random().toString(36).slice(2)}.pdf`);
      const r = await seal(out, ...args());
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(code);
      expect(existsSync(out)).toBe(false);
    });
  });
});

describe('govtrust pdf seal --seal FILE.esl', () => {
  let esl: string;
  beforeAll(async () => {
    esl = t.write('seal.esl', (await devSeal()).der);
  });

  const withSeal = (out: string, alg: 'rsa' | 'sm2', ...extra: string[]) =>
    cli(
      'pdf',
      'seal',
      '--in',
      input,
      '--out',
      out,
      '--key',
      devPkiPath(alg, 'org-a.key'),
      '--cert',
      devPkiPath(alg, 'org-a.chain.pem'),
      '--time',
      TIME,
      '--seal',
      esl,
      ...extra,
    );

  it('binds the seal in the CMS and draws its picture; pdfsig says valid', async () => {
    const out = t.path('esl.pdf');
    const r = await withSeal(out, 'rsa', '--page', '1', '--x', '20', '--y', '30');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const bytes = new Uint8Array(readFileSync(out));
    const cms = parseCms(lastSignature(bytes).contents);
    const attr = cms.signedAttributes.find((a) => a.oid === SEAL_ATTRIBUTE_OID);
    expect(Buffer.from(attr!.values[0]!).equals(readFileSync(esl))).toBe(true);
    if (hasTool('pdfsig') && hasTool('certutil')) {
      const nss = makeNssDb(t.path('nss-esl'), devPkiPath('rsa', 'root.pem'));
      const [s] = pdfsig(nss, out);
      expect(s!.valid, s!.raw).toBe(true);
    }
  });

  it('--format gbt38540 writes a GB/T 38540 SES_Signature that verifies', async () => {
    const out = t.path('esl-ses.pdf');
    const r = await withSeal(out, 'sm2', '--format', 'gbt38540', '--keyword', 'GovTrust');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const parts = lastSignature(new Uint8Array(readFileSync(out)));
    expect(parts.subFilter).toBe(PDF_SES_SUBFILTER);
    const report = await verifyPdfSesSignature({
      contents: parts.contents,
      byteRangeDigest: byteRangeSm3(parts),
      byteRange: parts.byteRange,
      now: new Date(TIME),
    });
    expect(report.intact).toBe(true);
    expect(report.status).toBe('valid');
  });

  it('refuses a signer outside the certList and bad combinations, writing nothing', async () => {
    const cases: [string[], string][] = [
      [
        ['--key', devPkiPath('rsa', 'org-b.key'), '--cert', devPkiPath('rsa', 'org-b.chain.pem')],
        'ERR_SEAL_SIGNER_NOT_IN_CERT_LIST',
      ],
      [['--time', '2028-01-01T00:00:00Z'], 'ERR_SEAL_NOT_VALID_AT_SIGNING_TIME'],
      [['--format', 'gbt38540'], 'ERR_SEAL_NON_STANDARD_ALGORITHM'],
      [['--format', 'gbt38540', '--certify', '1'], 'ERR_USAGE'],
      [['--format', 'cades'], 'ERR_USAGE'],
      [['--seal', input], 'ERR_SEAL_PARSE'],
    ];
    for (const [extra, code] of cases) {
      const out = t.path(`esl-bad-${code}-${Math.random().toString(36).slice(2)}.pdf`);
      const r = await withSeal(out, 'rsa', ...extra);
      expect(r.code, code).toBe(2);
      expect(r.stderr).toContain(code);
      expect(existsSync(out)).toBe(false);
    }
    const out = t.path('no-seal.pdf');
    const r = await seal(out, '--format', 'gbt38540');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format gbt38540 needs --seal');
  });
});
