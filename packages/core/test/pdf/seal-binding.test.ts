/**
 * PDFs sealed with a GB/T 38540 seal file, checked by third-party tools: qpdf --check, poppler's
 * pdfsig (RSA and P-256 seal holders), OpenSSL for SM2 (signed attributes of the CMS; TBS_Sign and
 * dataHash of the compatibility-mode SES_Signature), pdftoppm for the seal picture as appearance;
 * and both remote two-step flows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCms, prepareCms, verifyCms } from '../../src/cms/index.js';
import { digest, sm2SignDigest, sm2SignatureToRaw } from '../../src/crypto/index.js';
import { sm2ScalarOf } from '../../src/crypto/keys.js';
import { getAcroForm, openPdf, preparePdfSeal, sealPdf, PT_PER_MM } from '../../src/pdf/index.js';
import {
  PDF_SES_SUBFILTER,
  SEAL_ATTRIBUTE_OID,
  checkSealBinding,
  drawSeal,
  parseSesSignature,
  sealToSvg,
  verifyPdfSesSignature,
} from '../../src/seal/index.js';
import {
  devPkiPath,
  devTrustStore,
  loadDevIdentity,
  type DevAlgorithm,
} from '../helpers/dev-pki.js';
import { hasTool, openssl, tempDir, tryRun } from '../helpers/tools.js';
import {
  SIGNED_AT,
  byteRangeSm3,
  devSeal,
  holder,
  lastSignature,
} from '../seal/binding-fixtures.js';
import { isRed, isWhite, makeNssDb, makePdf, pdfsig, qpdfCheck, renderPage } from './helpers.js';

const tools = ['qpdf', 'pdfsig', 'certutil', 'openssl', 'pdftoppm'].every((t) => hasTool(t));
const trust = devTrustStore('sm2');
const intermediates = [loadDevIdentity('sm2', 'intermediate').certificate.der];
const LATER = new Date('2026-09-01T00:00:00Z');
const X_MM = 30;
const Y_MM = 40;
const placement = { page: 1, x: X_MM, y: Y_MM } as const;

describe.skipIf(!tools)('a PDF sealed with a seal file, checked by third-party tools', () => {
  const tmp = tempDir('govtrust-seal-binding-');
  afterAll(() => tmp.cleanup());
  const nss = new Map<DevAlgorithm, string>();

  beforeAll(() => {
    for (const alg of ['rsa', 'p256'] as const)
      nss.set(alg, makeNssDb(tmp.path(`nss-${alg}`), devPkiPath(alg, 'root.pem')));
  });

  /** Whether the seal's box (42 mm from the seal picture) shows red and its surroundings do not. */
  function appearanceIsDrawn(file: string): void {
    const page = renderPage(tmp.dir, file, 1, 72);
    const x0 = X_MM * PT_PER_MM;
    const y0 = Y_MM * PT_PER_MM;
    const size = 42 * PT_PER_MM;
    let red = 0;
    for (let y = Math.ceil(y0); y < y0 + size; y += 2)
      for (let x = Math.ceil(x0); x < x0 + size; x += 2) if (isRed(page.rgb(x, y))) red++;
    expect(red).toBeGreaterThan(50);
    expect(isWhite(page.rgb(x0 - 10, y0 + size / 2))).toBe(true);
    expect(isWhite(page.rgb(x0 + size + 10, y0 + size / 2))).toBe(true);
  }

  it.each(['rsa', 'p256'] as const)(
    '%s seal holder: qpdf --check passes, pdfsig says "Signature is Valid", the seal picture is the appearance',
    async (alg) => {
      const seal = await devSeal();
      const out = await sealPdf(await makePdf(), {
        signer: holder(alg).signer,
        seal: seal.der,
        placement,
        now: SIGNED_AT,
        reason: '盖章',
      });
      const file = tmp.write(`pades-${alg}.pdf`, out);
      const q = qpdfCheck(file);
      expect(q.ok, q.output).toBe(true);
      const [s] = pdfsig(nss.get(alg)!, file);
      expect(s!.valid, s!.raw).toBe(true);
      expect(s!.total).toBe(true);
      expect(s!.type).toBe('ETSI.CAdES.detached');
      // The widget is the seal's 42 mm picture.
      const doc = openPdf(out);
      const field = getAcroForm(doc)!.signatureFields[0]!;
      const rect = doc.resolveArray(field.dict.get('Rect')) as number[];
      expect(rect[2]! - rect[0]!).toBeCloseTo(42 * PT_PER_MM, 2);
      expect(rect[3]! - rect[1]!).toBeCloseTo(42 * PT_PER_MM, 2);
      appearanceIsDrawn(file);
      // And the seal it carries is valid for this signer.
      const parts = lastSignature(out);
      const cms = parseCms(parts.contents);
      const v = verifyCms(cms, { contentDigest: digest(cms.digestAlgorithm!, parts.signedBytes) });
      expect(v.intact).toBe(true);
      const sealDer = cms.signedAttributes.find((a) => a.oid === SEAL_ATTRIBUTE_OID)!.values[0]!;
      const r = await checkSealBinding({
        sealDer,
        signerCertificate: holder(alg).certificate,
        signingTime: SIGNED_AT,
        trust,
        intermediates,
        now: LATER,
      });
      expect(r.errors).toEqual([]);
      expect(r.seal.valid).toBe(true);
    },
  );

  it('sm2 seal holder: qpdf --check passes; verifyCms and openssl pkeyutl (SM3, distid) verify the signed attributes', async () => {
    const seal = await devSeal();
    const out = await sealPdf(await makePdf(), {
      signer: holder('sm2').signer,
      seal,
      placement,
      now: SIGNED_AT,
    });
    const file = tmp.write('pades-sm2.pdf', out);
    expect(qpdfCheck(file).ok).toBe(true);
    const parts = lastSignature(out);
    const cms = parseCms(parts.contents);
    expect(cms.signatureAlgorithm).toBe('sm2-sm3');
    expect(cms.digestAlgorithm).toBe('sm3');
    const v = verifyCms(cms, { contentDigest: byteRangeSm3(parts) });
    expect(v.signatureValid && v.messageDigestValid).toBe(true);
    expect(cms.signedAttributes.some((a) => a.oid === SEAL_ATTRIBUTE_OID)).toBe(true);
    tmp.write('sm2-attrs.der', cms.signedAttributesDer!);
    tmp.write('sm2-sig.der', cms.signatureValue);
    tmp.write(
      'sm2-pub.pem',
      openssl(['x509', '-pubkey', '-noout', '-in', devPkiPath('sm2', 'org-a.pem')]),
    );
    const args = [
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      tmp.path('sm2-pub.pem'),
      '-rawin',
      '-in',
      tmp.path('sm2-attrs.der'),
      '-sigfile',
      tmp.path('sm2-sig.der'),
      '-digest',
      'sm3',
      '-pkeyopt',
      'distid:1234567812345678',
    ];
    expect(openssl(args)).toContain('Signature Verified Successfully');
    // The seal attribute is among the signed bytes: changing it breaks the signature for OpenSSL too.
    const attrs = Buffer.from(cms.signedAttributesDer!);
    const at = attrs.indexOf(Buffer.from(seal.der.subarray(40, 60)));
    expect(at).toBeGreaterThan(0);
    attrs[at] = attrs[at]! ^ 1;
    tmp.write('sm2-attrs.der', attrs);
    expect(() => openssl(args)).toThrow();
  });

  it('compatibility mode: qpdf --check passes, openssl verifies TBS_Sign and dataHash, pdfsig cannot read it and does not crash', async () => {
    const seal = await devSeal();
    const out = await sealPdf(await makePdf(), {
      signer: holder('sm2').signer,
      seal,
      format: 'gbt38540',
      placement,
      now: SIGNED_AT,
    });
    const file = tmp.write('ses.pdf', out);
    const q = qpdfCheck(file);
    expect(q.ok, q.output).toBe(true);
    appearanceIsDrawn(file);
    const parts = lastSignature(out);
    expect(parts.subFilter).toBe(PDF_SES_SUBFILTER);
    const der = parts.contents.subarray(0, parts.contents.findLastIndex((b) => b !== 0) + 1);
    const sig = parseSesSignature(der);
    expect(sig.version).toBe(4);
    expect(sig.signatureAlgorithm).toBe('1.2.156.10197.1.501');
    expect(Buffer.from(sig.toSign.seal.der).equals(Buffer.from(seal.der))).toBe(true);
    // openssl: the SM2 signature over TBS_Sign with the standard ID.
    tmp.write('tbs.der', sig.toSign.der);
    tmp.write('tbs-sig.der', sig.signatureValue);
    tmp.write(
      'ses-pub.pem',
      openssl(['x509', '-pubkey', '-noout', '-in', devPkiPath('sm2', 'org-a.pem')]),
    );
    expect(
      openssl([
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        tmp.path('ses-pub.pem'),
        '-rawin',
        '-in',
        tmp.path('tbs.der'),
        '-sigfile',
        tmp.path('tbs-sig.der'),
        '-digest',
        'sm3',
        '-pkeyopt',
        'distid:1234567812345678',
      ]),
    ).toContain('Signature Verified Successfully');
    // openssl: dataHash is SM3 of the ByteRange bytes.
    tmp.write('signed-bytes.bin', parts.signedBytes);
    const sm3 = openssl(['dgst', '-sm3', '-r', tmp.path('signed-bytes.bin')]).split(' ')[0]!;
    expect(Buffer.from(sig.toSign.dataHash).toString('hex')).toBe(sm3);
    // GovTrust's verifier agrees.
    const r = await verifyPdfSesSignature({
      contents: parts.contents,
      byteRangeDigest: byteRangeSm3(parts),
      byteRange: parts.byteRange,
      trust,
      intermediates,
      now: LATER,
    });
    expect(r.status).toBe('valid');
    // pdfsig: an unknown signature type it cannot validate, not a valid or a tampered signature.
    const raw = tryRun('pdfsig', ['-no-ocsp', '-nssdir', nss.get('rsa')!, file]);
    expect(raw.status).toBe(0);
    const [s] = pdfsig(nss.get('rsa')!, file);
    expect(s!.valid).toBe(false);
    expect(s!.type).toBe('unknown');
    expect(s!.verdict).toBe('Signature has not yet been verified.');
    expect(raw.stderr).toContain('Unable to validate this type of signature');
  });

  it('a riding seal (骑缝章) with the seal picture: one signature, one widget per page, valid', async () => {
    const seal = await devSeal();
    const out = await sealPdf(await makePdf({ pages: 3 }), {
      signer: holder('rsa').signer,
      seal,
      placement: { riding: {} },
      now: SIGNED_AT,
    });
    const file = tmp.write('riding.pdf', out);
    expect(qpdfCheck(file).ok).toBe(true);
    const sigs = pdfsig(nss.get('rsa')!, file);
    expect(sigs.length).toBeGreaterThan(0);
    for (const s of sigs) expect(s.valid, s.raw).toBe(true);
    const cms = parseCms(lastSignature(out).contents);
    expect(cms.signedAttributes.some((a) => a.oid === SEAL_ATTRIBUTE_OID)).toBe(true);
  });

  it('an SVG seal picture is rasterised (resvg) into the appearance', async () => {
    const svg = sealToSvg(drawSeal({ shape: 'round', text: '示例市人民政府办公室', star: true }));
    const seal = await devSeal({
      picture: { type: 'SVG', data: new TextEncoder().encode(svg), width: 42, height: 42 },
      serial: 2,
    });
    const out = await sealPdf(await makePdf(), {
      signer: holder('rsa').signer,
      seal,
      placement,
      now: SIGNED_AT,
    });
    const file = tmp.write('svg.pdf', out);
    expect(qpdfCheck(file).ok).toBe(true);
    appearanceIsDrawn(file);
    const [s] = pdfsig(nss.get('rsa')!, file);
    expect(s!.valid, s!.raw).toBe(true);
  });
});

describe('remote two-step flows with a seal', () => {
  it('compatibility mode: preparePdfSeal returns TBS_Sign and its SM2 digest; a UKey signs the digest, raw r||s', async () => {
    const id = holder('sm2');
    const seal = await devSeal();
    const prepared = await preparePdfSeal(await makePdf(), {
      // Only the description of the signer: the key is elsewhere.
      signer: {
        algorithm: id.signer.algorithm,
        certificateChain: id.certificateChain,
        publicKey: id.signer.publicKey,
      },
      seal,
      format: 'gbt38540',
      placement,
      now: SIGNED_AT,
    });
    expect(prepared.format).toBe('gbt38540');
    expect(prepared.digestAlgorithm).toBe('sm3');
    const ses = prepared.ses!;
    expect(ses.signingTime).toEqual(SIGNED_AT);
    // The digest-signing device: e = SM3(Z_A || TBS_Sign) is all it sees.
    const raw = sm2SignatureToRaw(sm2SignDigest(ses.digest, sm2ScalarOf(id.privateKey)));
    expect(raw).toHaveLength(64);
    const out = ses.finish(raw);
    const parts = lastSignature(out);
    const r = await verifyPdfSesSignature({
      contents: parts.contents,
      byteRangeDigest: byteRangeSm3(parts),
      byteRange: parts.byteRange,
      trust,
      intermediates,
      now: LATER,
    });
    expect(r.status).toBe('valid');
    expect(Buffer.from(prepared.digest).equals(Buffer.from(byteRangeSm3(parts)))).toBe(true);
    // A value from another key is refused before anything is written.
    const other = loadDevIdentity('sm2', 'org-b');
    const wrong = sm2SignatureToRaw(sm2SignDigest(ses.digest, sm2ScalarOf(other.privateKey)));
    expect(() => ses.finish(wrong)).toThrow(expect.objectContaining({ code: 'ERR_SIGNER_FAILED' }));
  });

  it.skipIf(!hasTool('pdfsig') || !hasTool('certutil'))(
    'default scheme: prepared.signedAttributes carries the seal into a CMS built with prepareCms',
    async () => {
      const tmp = tempDir('govtrust-seal-remote-');
      try {
        const id = holder('rsa');
        const seal = await devSeal();
        const prepared = await preparePdfSeal(await makePdf(), {
          signer: {
            algorithm: id.signer.algorithm,
            certificateChain: id.certificateChain,
            publicKey: id.signer.publicKey,
          },
          seal,
          placement,
          now: SIGNED_AT,
        });
        expect(prepared.signedAttributes.map((a) => a.oid)).toEqual([SEAL_ATTRIBUTE_OID]);
        const cms = prepareCms({
          algorithm: id.signer.algorithm,
          certificateChain: id.certificateChain,
          contentDigest: prepared.digest,
          digestAlgorithm: prepared.digestAlgorithm,
          signedAttributes: prepared.signedAttributes,
        });
        const out = prepared.finish(await cms.finish(await id.signer.sign(cms.toBeSigned)));
        const file = tmp.write('remote.pdf', out);
        const [s] = pdfsig(makeNssDb(tmp.dir, devPkiPath('rsa', 'root.pem')), file);
        expect(s!.valid, s!.raw).toBe(true);
        const parsed = parseCms(lastSignature(out).contents);
        expect(parsed.signedAttributes.some((a) => a.oid === SEAL_ATTRIBUTE_OID)).toBe(true);
      } finally {
        tmp.cleanup();
      }
    },
  );
});
