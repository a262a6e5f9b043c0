/**
 * verifySealedPdf on signatures made by independent signers: poppler's `pdfsig -add-signature`
 * (NSS database made in the test with the dev org-a key) and @signpdf/signpdf (placeholder-plain +
 * signer-p12), alone and mixed with GovTrust seals in either order.
 */
import { readFileSync } from 'node:fs';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { P12Signer } from '@signpdf/signer-p12';
import { SignPdf } from '@signpdf/signpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealPdf, verifySealedPdf, type PdfVerificationReport } from '../../src/pdf/index.js';
import { createTrustStore } from '../../src/pki/index.js';
import { devPkiPath, devTrustStore, loadDevIdentity } from '../helpers/dev-pki.js';
import { makeOpensslChain } from '../helpers/openssl-pki.js';
import { hasTool, openssl, run, tempDir } from '../helpers/tools.js';
import { makePdf, redSealPng } from './helpers.js';

const trust = devTrustStore('rsa');
const tools = ['pdfsig', 'certutil', 'pk12util', 'openssl'].every((t) => hasTool(t));
// pdfsig signs at the machine's clock; the dev certificates are valid 2025..2045.
const verify = (pdf: Uint8Array): Promise<PdfVerificationReport> =>
  verifySealedPdf(pdf, { trust, now: new Date() });
const orgA = loadDevIdentity('rsa', 'org-a');

let tmp: ReturnType<typeof tempDir>;
let p12: string;
beforeAll(() => {
  tmp = tempDir('govtrust-verify-interop-');
  p12 = tmp.path('org-a.p12');
  if (!hasTool('openssl')) return;
  openssl([
    'pkcs12',
    '-export',
    '-inkey',
    devPkiPath('rsa', 'org-a.key'),
    '-in',
    devPkiPath('rsa', 'org-a.pem'),
    '-certfile',
    devPkiPath('rsa', 'intermediate.pem'),
    '-name',
    'orga',
    '-passout',
    'pass:pw',
    '-out',
    p12,
  ]);
});
afterAll(() => tmp.cleanup());

describe.skipIf(!tools)('poppler pdfsig -add-signature (NSS)', () => {
  let nss: string;
  let n = 0;
  beforeAll(() => {
    const db = tmp.path('nss');
    run('mkdir', ['-p', db]);
    run('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
    run('pk12util', ['-i', p12, '-d', `sql:${db}`, '-W', 'pw']);
    nss = `sql:${db}`;
  });

  const pdfsigSign = (pdf: Uint8Array, field: string): Uint8Array => {
    const i = tmp.write(`in-${++n}.pdf`, pdf);
    const o = tmp.path(`out-${n}.pdf`);
    run('pdfsig', [
      '-add-signature',
      '-nssdir',
      nss,
      '-nick',
      'orga',
      '-new-signature-field-name',
      field,
      '-reason',
      'interop',
      i,
      o,
    ]);
    return new Uint8Array(readFileSync(o));
  };

  it('a pdfsig signature is intact, covers the file and chains to the dev root', async () => {
    const r = await verify(pdfsigSign(await makePdf(), 'Poppler'));
    expect(r.status, JSON.stringify(r.signatures[0]?.errors)).toBe('valid');
    expect(r.signatures[0]).toMatchObject({
      field: 'Poppler',
      subFilter: 'adbe.pkcs7.detached',
      intact: true,
      coverage: 'entire-file',
      modifications: 'none',
      trusted: true,
      algorithm: 'rsa-pkcs1-sha256',
      level: null,
    });
    expect(r.signatures[0]!.signer!.subject).toBe(orgA.certificate.subject);
  });

  it('GovTrust seal, then pdfsig; and pdfsig, then GovTrust seal: both valid, the earlier one "allowed"', async () => {
    const seal = (pdf: Uint8Array): Promise<Uint8Array> =>
      sealPdf(pdf, {
        signer: orgA.signer,
        now: new Date(),
        appearance: { image: redSealPng(64) },
        placement: { page: 1, x: 20, y: 20, width: 30 },
      });
    for (const pdf of [
      pdfsigSign(await seal(await makePdf()), 'Poppler'),
      await seal(pdfsigSign(await makePdf(), 'Poppler')),
    ]) {
      const r = await verify(pdf);
      expect(r.status, JSON.stringify(r.signatures.map((s) => s.errors))).toBe('valid');
      expect(r.signatures.map((s) => [s.intact, s.modifications])).toEqual([
        [true, 'allowed'],
        [true, 'none'],
      ]);
    }
  });
});

describe.skipIf(!hasTool('openssl'))('@signpdf/signpdf (placeholder-plain + signer-p12)', () => {
  const signpdf = async (p12File: string): Promise<Uint8Array> => {
    const withPlaceholder = plainAddPlaceholder({
      pdfBuffer: Buffer.from(await makePdf()),
      reason: 'interop',
      contactInfo: 'test@example.org',
      name: 'signpdf',
      location: 'Test',
    });
    const signed = await new SignPdf().sign(
      withPlaceholder,
      new P12Signer(readFileSync(p12File), { passphrase: 'pw' }),
    );
    return new Uint8Array(signed);
  };

  it('its signature is intact, covers the whole file and chains to the issuing root', async () => {
    // An OpenSSL chain with ASCII names (see the next test for why).
    const chain = makeOpensslChain(tmp.dir, 'rsa');
    const file = tmp.path('ascii.p12');
    openssl([
      'pkcs12',
      '-export',
      '-inkey',
      chain.leaf.keyPath,
      '-in',
      chain.leaf.certPath,
      '-certfile',
      chain.intermediate.certPath,
      '-passout',
      'pass:pw',
      '-out',
      file,
    ]);
    const pdf = await signpdf(file);
    // @signpdf points startxref at the EOL before "xref": read with pyHanko's strict-mode tolerance.
    const r = await verifySealedPdf(pdf, {
      trust: createTrustStore([chain.root.certPem]),
      now: new Date(),
    });
    expect(r.signatures).toHaveLength(1);
    expect(r.signatures[0]).toMatchObject({
      subFilter: 'adbe.pkcs7.detached',
      intact: true,
      coverage: 'entire-file',
      modifications: 'none',
      trusted: true,
      algorithm: 'rsa-pkcs1-sha256',
    });
    expect(r.status, JSON.stringify(r.signatures[0]!.errors)).toBe('valid');
  });

  it('with a Chinese issuer name node-forge mis-encodes the signer identifier: named, not "valid"', async () => {
    // forge re-encodes the issuer Name of SignerInfo.sid as UTF-8 of UTF-8; no verifier finds the
    // certificate (pdfsig says "Unknown Validation Failure"). We say which check fails.
    const r = await verify(await signpdf(p12));
    expect(r.status).toBe('invalid');
    expect(r.signatures[0]!.coverage).toBe('entire-file');
    expect(r.signatures[0]!.errors.map((e) => e.code)).toEqual(['ERR_CMS_SIGNER_NOT_FOUND']);
  });
});
