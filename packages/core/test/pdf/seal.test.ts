/**
 * Sealing end to end: every output passes `qpdf --check`, poppler's `pdfsig` says "Signature is
 * Valid" for every signature (NSS database trusting the test root), repeated seals keep earlier
 * ones valid, B-T tokens verify with `openssl ts -verify`, and bad input fails with a clear code.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCms, signCms, verifyCms } from '../../src/cms/index.js';
import { createTimeStampAuthority } from '../../src/pki/index.js';
import { DEV_PKI_NOW, devPkiPath, loadDevIdentity } from '../helpers/dev-pki.js';
import { createSigner, digest, generateKeyPair, type Signer } from '../../src/crypto/index.js';
import {
  PdfRef,
  PdfStream,
  PdfString,
  displaySize,
  getAcroForm,
  getDocMdpPermission,
  getPages,
  openPdf,
  preparePdfSeal,
  sealPdf,
  type PdfSealOptions,
} from '../../src/pdf/index.js';
import { hasTool, run, tempDir, tryRun } from '../helpers/tools.js';
import {
  makeIdentity,
  makeNssDb,
  makeOpensslTsa,
  makePdf,
  pdfsig,
  qpdfCheck,
  redDiscVector,
  redSealPng,
  withObjectStreams,
  type TestIdentity,
} from './helpers.js';

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures', 'pyhanko', name)));

// A fixed signing time inside the validity of the certificates OpenSSL issues at test time (10 years).
const NOW = new Date(Date.UTC(2030, 5, 1, 8, 0, 0));
const png = redSealPng(120);

const tools = ['qpdf', 'pdfsig', 'certutil', 'openssl'].every((t) => hasTool(t));

/** The signature dictionaries of a file, newest revision view, in field order. */
function signatures(
  pdf: Uint8Array,
): { field: string; byteRange: number[]; contents: Uint8Array }[] {
  const doc = openPdf(pdf);
  return getAcroForm(doc)!
    .signatureFields.filter((f) => f.value !== null)
    .map((f) => {
      const sig = doc.resolveDict(f.value)!;
      return {
        field: f.name,
        byteRange: doc.resolveArray(sig.get('ByteRange'))! as number[],
        contents: (sig.get('Contents') as PdfString).bytes,
      };
    });
}

describe.skipIf(!tools)('sealPdf with third-party checks (qpdf, pdfsig)', () => {
  const tmp = tempDir('govtrust-pdf-seal-');
  let id: TestIdentity;
  let nss: string;
  let n = 0;

  beforeAll(() => {
    id = makeIdentity(tmp.dir, 'rsa');
    nss = makeNssDb(tmp.dir, id.chain.root.certPath);
  });
  afterAll(() => tmp.cleanup());

  /**
   * qpdf --check adds no warning the input did not already have, and pdfsig reports every one of
   * `ours` as valid while earlier signatures keep the verdict they had on `input`.
   */
  const check = (
    pdf: Uint8Array,
    ours: readonly string[],
    input?: Uint8Array,
  ): ReturnType<typeof pdfsig> => {
    const file = tmp.write(`out-${++n}.pdf`, pdf);
    const q = qpdfCheck(file);
    const inputFile = input === undefined ? undefined : tmp.write(`in-${n}.pdf`, input);
    const allowed = inputFile === undefined ? [] : qpdfCheck(inputFile).warnings;
    expect(
      q.warnings.filter((w) => !allowed.includes(w)),
      q.output,
    ).toEqual([]);
    const sigs = pdfsig(nss, file);
    const before = inputFile === undefined ? [] : pdfsig(nss, inputFile);
    expect(sigs).toHaveLength(before.length + ours.length);
    for (const s of sigs) {
      const old = before.find((b) => b.field === s.field);
      if (old !== undefined) expect(s.verdict, s.field).toBe(old.verdict);
      else {
        expect(ours).toContain(s.field);
        expect(s.valid, s.raw).toBe(true);
      }
    }
    return sigs;
  };

  /** Seals three times, checking every step; only the last signature covers the whole file. */
  const sealThrice = async (
    input: Uint8Array,
    opts: Partial<Omit<PdfSealOptions, 'signer'>> = {},
  ): Promise<Uint8Array> => {
    const pages = getPages(openPdf(input));
    const last = pages[pages.length - 1]!;
    const ds = displaySize(last);
    const w = Math.min(113, ds.width / 4);
    let pdf = input;
    const ours: string[] = [];
    for (let i = 0; i < 3; i++) {
      const prev = pdf;
      pdf = await sealPdf(pdf, {
        signer: id.signer,
        now: NOW,
        reason: `第${i + 1}次盖章`,
        location: '北京',
        appearance: { image: png },
        placement: { page: pages.length, x: 5 + i * (w + 5), y: 10, width: w, unit: 'pt' },
        ...opts,
      });
      expect(Buffer.from(pdf.subarray(0, prev.length)).equals(Buffer.from(prev))).toBe(true);
      ours.push(`Seal${i + 1}`);
      const sigs = check(pdf, ours, input);
      expect(sigs.filter((s) => s.total).map((s) => s.field)).toEqual([`Seal${i + 1}`]);
    }
    const mine = signatures(pdf).filter((s) => ours.includes(s.field));
    for (const s of mine.slice(0, 2))
      expect(s.byteRange[2]! + s.byteRange[3]!).toBeLessThan(pdf.length);
    expect(mine[2]!.byteRange[2]! + mine[2]!.byteRange[3]!).toBe(pdf.length);
    return pdf;
  };

  it('seals a pdf-lib file three times (classic xref)', async () => {
    const out = await sealThrice(await makePdf());
    expect(openPdf(out).latest.xrefStyle).toBe('table');
  });

  it('seals a qpdf file with xref and object streams three times, writing xref streams', async () => {
    const input = withObjectStreams(tmp.dir, await makePdf({ pages: 2 }));
    const doc = openPdf(input);
    expect([...doc.entriesAt().values()].some((e) => e.type === 'compressed')).toBe(true);
    const out = await sealThrice(input);
    const again = openPdf(out);
    expect(again.revisions.slice(1).every((r) => r.xrefStyle === 'stream')).toBe(true);
  });

  it.each([
    'minimal.pdf',
    'minimal-xref.pdf',
    'minimal-two-pages.pdf',
    'minimal-one-field-indir-annots.pdf',
    'separate-annots-kids-indir.pdf',
    'page-tree-direct-kid.pdf',
    'no-mediabox.pdf',
    'uncompressed-objstream-sample.pdf',
    'sig-with-ski-sid.pdf',
    'pades-lta-dss-indirect-arrs-test.pdf',
  ])('seals the pyHanko input %s three times, earlier signatures intact', async (file) => {
    const input = fixture(file);
    const out = await sealThrice(input);
    // Every AcroForm key of the input survives.
    const oldForm = getAcroForm(openPdf(input));
    const newForm = getAcroForm(openPdf(out))!;
    for (const k of oldForm?.dict.map.keys() ?? []) expect(newForm.dict.has(k)).toBe(true);
    expect(newForm.dict.get('SigFlags')).toBe(3);
  });

  it('seals a linearized file (first-page xref pairs with the main one) and a file without a final EOL', async () => {
    const src = tmp.write('lin-src.pdf', await makePdf({ pages: 3 }));
    const lin = tmp.path('lin.pdf');
    run('qpdf', ['--linearize', src, lin]);
    const linearized = new Uint8Array(readFileSync(lin));
    expect(openPdf(linearized).revisions[0]!.sections).toHaveLength(2);
    const out = await sealPdf(linearized, {
      signer: id.signer,
      now: NOW,
      appearance: { image: png },
      placement: { page: 3, x: 20, y: 20 },
    });
    check(out, ['Seal1'], linearized);
    // pdf-lib ends its files with "%%EOF" and no end-of-line.
    const noEol = await makePdf();
    expect(noEol[noEol.length - 1]).toBe(0x46);
    check(await sealPdf(noEol, { signer: id.signer, now: NOW }), ['Seal1'], noEol);
  });

  it('refuses a hybrid-reference file unless allowHybrid, then seals it with a classic section', async () => {
    const input = fixture('minimal-hybrid-xref.pdf');
    await expect(sealPdf(input, { signer: id.signer, now: NOW })).rejects.toMatchObject({
      code: 'ERR_PDF_HYBRID_XREF',
    });
    const out = await sealPdf(input, { signer: id.signer, now: NOW, open: { allowHybrid: true } });
    check(out, ['Seal1'], input);
    expect(openPdf(out, { allowHybrid: true }).latest.xrefStyle).toBe('table');
  });

  it('keeps an indirect /Annots array indirect and rewrites only the array', async () => {
    const input = fixture('minimal-one-field-indir-annots.pdf');
    const doc = openPdf(input);
    const page = getPages(doc)[0]!;
    const annotsRef = page.dict.get('Annots');
    const out = await sealPdf(input, {
      signer: id.signer,
      now: NOW,
      appearance: { image: png },
      placement: { page: 1, x: 10, y: 10 },
    });
    const again = openPdf(out);
    const newPage = getPages(again)[0]!;
    expect(newPage.dict.get('Annots')).toEqual(annotsRef);
    const written = [...again.latest.sections[0]!.entries.keys()];
    expect(written).not.toContain(page.ref!.num);
    expect(again.resolveArray(annotsRef)!.length).toBe(doc.resolveArray(annotsRef)!.length + 1);
  });

  it('seals with ECDSA P-256 and a vector appearance', async () => {
    const dir = tmp.path('ec');
    mkdirSync(dir);
    const ec = makeIdentity(dir, 'p256');
    run('certutil', [
      '-A',
      '-d',
      nss,
      '-n',
      'ec-root',
      '-t',
      'CT,C,C',
      '-i',
      ec.chain.root.certPath,
    ]);
    const out = await sealPdf(await makePdf(), {
      signer: ec.signer,
      now: NOW,
      appearance: { vector: redDiscVector },
      placement: { page: 1, x: 20, y: 20 },
    });
    check(out, ['Seal1']);
    const cms = parseCms(signatures(out)[0]!.contents);
    expect(cms.signerInfos[0]!.signatureAlgorithm).toBe('ecdsa-sha256');
  });

  it('makes a certification signature (DocMDP P=2) that a later approval seal keeps valid', async () => {
    const certified = await sealPdf(await makePdf(), {
      signer: id.signer,
      now: NOW,
      certify: 2,
      reason: 'certify',
    });
    expect(getDocMdpPermission(openPdf(certified))).toBe(2);
    const sig = signatures(certified)[0]!;
    const doc = openPdf(certified);
    const sigDict = doc.resolveDict(getAcroForm(doc)!.signatureFields[0]!.value)!;
    const ref0 = doc.resolveDict(doc.resolveArray(sigDict.get('Reference'))![0])!;
    expect(ref0.getName('TransformMethod')).toBe('DocMDP');
    expect(doc.resolveDict(ref0.get('TransformParams'))!.get('P')).toBe(2);
    expect(sig.byteRange[2]! + sig.byteRange[3]!).toBe(certified.length);
    const visible = {
      signer: id.signer,
      now: NOW,
      appearance: { image: png },
      placement: { page: 1, x: 30, y: 60 },
    } as const;
    // A visible seal after certification is refused by default (strict verifiers reject it)...
    await expect(sealPdf(certified, visible)).rejects.toMatchObject({
      code: 'ERR_PDF_MODIFICATION_NOT_ALLOWED',
    });
    // ...an invisible one is fine, and so is a visible one when asked for (Acrobat and pdfsig accept it).
    check(await sealPdf(certified, { signer: id.signer, now: NOW }), ['Seal1', 'Seal2']);
    const both = await sealPdf(certified, {
      ...visible,
      allowVisibleSignaturesAfterCertification: true,
    });
    check(both, ['Seal1', 'Seal2']);
  });

  it('refuses to certify an already signed document, and any seal on a P=1 document', async () => {
    const signed = await sealPdf(await makePdf(), { signer: id.signer, now: NOW });
    await expect(
      sealPdf(signed, { signer: id.signer, now: NOW, certify: 1 }),
    ).rejects.toMatchObject({
      code: 'ERR_PDF_CERTIFY_NOT_ALLOWED',
    });
    const locked = await sealPdf(await makePdf(), { signer: id.signer, now: NOW, certify: 1 });
    check(locked, ['Seal1']);
    await expect(sealPdf(locked, { signer: id.signer, now: NOW })).rejects.toMatchObject({
      code: 'ERR_PDF_MODIFICATION_NOT_ALLOWED',
    });
  });

  it('B-T: adds a signature time-stamp that openssl ts -verify accepts', async () => {
    const tsa = makeOpensslTsa(tmp.dir, id.chain);
    const out = await sealPdf(await makePdf(), {
      signer: id.signer,
      now: NOW,
      tsa: tsa.client,
      appearance: { image: png },
      placement: { page: 1, x: 20, y: 20 },
    });
    check(out, ['Seal1']);
    const [sig] = signatures(out);
    const cms = parseCms(sig!.contents.subarray(0, sig!.contents.length));
    const si = cms.signerInfos[0]!;
    expect(si.timestampTokens).toHaveLength(1);
    expect(si.signingTime).toBeUndefined();
    expect(si.signingCertificateV2).toBeDefined();
    const token = tmp.write('token.der', si.timestampTokens[0]!);
    const imprint = Buffer.from(digest('sha256', si.signatureValue)).toString('hex');
    const v = tryRun('openssl', [
      'ts',
      '-verify',
      '-digest',
      imprint,
      '-in',
      token,
      '-token_in',
      '-CAfile',
      id.chain.root.certPath,
      '-untrusted',
      tsa.certPath,
    ]);
    expect(v.stdout + v.stderr).toContain('Verification: OK');
  });

  it('two-step: preparePdfSeal gives the digest, an external CMS finishes it', async () => {
    const input = await makePdf();
    const prepared = await preparePdfSeal(input, {
      signer: id.signer,
      now: NOW,
      fieldName: 'Remote',
    });
    expect(prepared.fieldName).toBe('Remote');
    const [, b, c, d] = prepared.byteRange;
    const cms = await signCms({
      signer: id.signer,
      digestAlgorithm: prepared.digestAlgorithm,
      contentDigest: prepared.digest,
    });
    const out = prepared.finish(cms);
    expect(c + d).toBe(out.length);
    expect(out[b]).toBe(0x3c);
    const sigs = check(out, ['Remote']);
    expect(sigs[0]!.field).toBe('Remote');
    expect(sigs[0]!.type).toBe('ETSI.CAdES.detached');
  });

  it('never overflows: a CMS larger than reserved is refused, not truncated', async () => {
    const prepared = await preparePdfSeal(await makePdf(), { contentsSize: 100, now: NOW });
    expect(() => prepared.finish(new Uint8Array(101).fill(0x30))).toThrow(
      expect.objectContaining({ code: 'ERR_PDF_CONTENTS_OVERFLOW' }),
    );
  });

  it('sizes /Contents by a bound, not a guess', async () => {
    const prepared = await preparePdfSeal(await makePdf(), { signer: id.signer, now: NOW });
    const cms = await signCms({
      signer: id.signer,
      digestAlgorithm: 'sha256',
      contentDigest: prepared.digest,
    });
    expect(prepared.contentsSize).toBeGreaterThanOrEqual(cms.length);
    expect(prepared.contentsSize).toBeLessThan(cms.length + 1024);
  });
});

describe('sealPdf refuses bad input with a clear code', () => {
  const tmp = tempDir('govtrust-pdf-bad-');
  let id: TestIdentity;
  let input: Uint8Array;
  beforeAll(async () => {
    id = makeIdentity(tmp.dir, 'rsa');
    input = await makePdf({ pages: 2 });
  });
  afterAll(() => tmp.cleanup());

  const seal = (
    pdf: Uint8Array,
    extra: Partial<Parameters<typeof sealPdf>[1]> = {},
  ): Promise<Uint8Array> =>
    sealPdf(pdf, {
      signer: id.signer,
      now: NOW,
      appearance: { image: png },
      placement: { page: 1, x: 10, y: 10 },
      ...extra,
    });

  it('not a PDF', async () => {
    await expect(seal(new Uint8Array(Buffer.from('hello world')))).rejects.toMatchObject({
      code: 'ERR_PDF_PARSE',
    });
  });
  it('a truncated PDF', async () => {
    await expect(seal(input.subarray(0, input.length - 30))).rejects.toMatchObject({
      code: 'ERR_PDF_PARSE',
    });
  });
  it('an encrypted PDF', async () => {
    if (!hasTool('qpdf')) return;
    const src = tmp.write('plain.pdf', input);
    const enc = tmp.path('enc.pdf');
    tryRun('qpdf', ['--encrypt', 'user', 'owner', '256', '--', src, enc]);
    await expect(seal(new Uint8Array(readFileSync(enc)))).rejects.toMatchObject({
      code: 'ERR_PDF_ENCRYPTED',
    });
  });
  it('a page out of range', async () => {
    await expect(seal(input, { placement: { page: 3, x: 10, y: 10 } })).rejects.toMatchObject({
      code: 'ERR_PDF_PAGE_OUT_OF_RANGE',
    });
    await expect(seal(input, { placement: { page: 0, x: 10, y: 10 } })).rejects.toMatchObject({
      code: 'ERR_PDF_PAGE_OUT_OF_RANGE',
    });
  });
  it('a keyword that is not there', async () => {
    await expect(seal(input, { placement: { keyword: '盖章处' } })).rejects.toMatchObject({
      code: 'ERR_PDF_KEYWORD_NOT_FOUND',
    });
  });
  it('an image that is neither PNG nor JPEG', async () => {
    const gif = new Uint8Array(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'));
    await expect(seal(input, { appearance: { image: gif } })).rejects.toMatchObject({
      code: 'ERR_PDF_IMAGE_UNSUPPORTED',
    });
    const broken = png.slice(0, 60);
    await expect(seal(input, { appearance: { image: broken } })).rejects.toMatchObject({
      code: 'ERR_PDF_IMAGE_UNSUPPORTED',
    });
  });
  it('a key that does not match the certificate', async () => {
    const other = generateKeyPair('rsa2048');
    expect(() => createSigner(other.privateKey, { certificateChain: [id.chain.leaf.der] })).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_MISMATCH' }),
    );
    // A hand-made signer that lies about its certificate is caught too.
    const liar: Signer = {
      ...createSigner(other.privateKey),
      certificateChain: id.signer.certificateChain,
    };
    await expect(seal(input, { signer: liar })).rejects.toMatchObject({ code: 'ERR_KEY_MISMATCH' });
  });
  it('an expired signing certificate', async () => {
    await expect(seal(input, { now: new Date(Date.UTC(2100, 0, 1)) })).rejects.toMatchObject({
      code: 'ERR_PDF_SIGNER_CERT_EXPIRED',
    });
  });
  it('a field name that exists, or contains a dot', async () => {
    const once = await seal(input, { fieldName: 'A' });
    await expect(seal(once, { fieldName: 'A' })).rejects.toMatchObject({
      code: 'ERR_PDF_FIELD_EXISTS',
    });
    await expect(seal(input, { fieldName: 'a.b' })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
    });
  });
  it('B-T without a TSA', async () => {
    await expect(seal(input, { level: 'B-T' })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
    });
  });
  it('a seal placed entirely off the page', async () => {
    await expect(seal(input, { placement: { page: 1, x: 500, y: 10 } })).rejects.toMatchObject({
      code: 'ERR_PDF_PLACEMENT',
    });
  });
  it('keeps the image XObject alpha as a soft mask', async () => {
    const out = await seal(input);
    const doc = openPdf(out);
    const images = [...doc.latest.sections[0]!.entries.keys()]
      .map((num) => doc.getObject(new PdfRef(num, 0)))
      .filter(
        (v): v is PdfStream => v instanceof PdfStream && v.dict.getName('Subtype') === 'Image',
      );
    expect(images.some((i) => i.dict.has('SMask'))).toBe(true);
  });
  it('embeds a picture it has seen before (from its cache) exactly as the first time', async () => {
    const pictures = (out: Uint8Array): string[] => {
      const doc = openPdf(out);
      return [...doc.latest.sections[0]!.entries.keys()]
        .map((num) => doc.getObject(new PdfRef(num, 0)))
        .filter(
          (v): v is PdfStream =>
            v instanceof PdfStream && v.dict.getName('Subtype') === 'Image' && v.dict.has('SMask'),
        )
        .map((i) => {
          const mask = i.dict.get('SMask');
          const m = mask instanceof PdfRef ? doc.getObject(mask) : undefined;
          return [
            JSON.stringify(i.dict.get('Width')),
            Buffer.from(doc.decode(i)).toString('base64'),
            m instanceof PdfStream ? Buffer.from(doc.decode(m)).toString('base64') : 'no mask',
          ].join(':');
        });
    };
    // A fresh copy of the bytes each time, as a server reading the picture from its store has.
    const first = pictures(await seal(input, { appearance: { image: new Uint8Array(png) } }));
    const again = pictures(await seal(input, { appearance: { image: new Uint8Array(png) } }));
    expect(first).toHaveLength(1);
    expect(first[0]).not.toContain('no mask');
    expect(again).toEqual(first);
  });
});

describe.skipIf(!tools)('sealPdf with the dev PKI (certs-dev)', () => {
  const tmp = tempDir('govtrust-pdf-devpki-');
  afterAll(() => tmp.cleanup());

  it('B-T with the dev TSA: pdfsig says valid, openssl ts -verify accepts the token', async () => {
    const orgA = loadDevIdentity('rsa', 'org-a');
    const tsaId = loadDevIdentity('rsa', 'tsa');
    const tsa = createTimeStampAuthority({ signer: tsaId.signer, now: () => DEV_PKI_NOW });
    const out = await sealPdf(await makePdf(), {
      signer: orgA.signer,
      now: DEV_PKI_NOW,
      tsa: tsa.client(),
      appearance: { image: png },
      placement: { page: 1, x: 30, y: 40 },
      reason: '同意',
    });
    const nss = makeNssDb(tmp.dir, devPkiPath('rsa', 'root.pem'));
    const file = tmp.write('dev-bt.pdf', out);
    expect(qpdfCheck(file).ok).toBe(true);
    const [s] = pdfsig(nss, file);
    expect(s!.valid, s!.raw).toBe(true);
    const cms = parseCms(signatures(out)[0]!.contents);
    const si = cms.signerInfos[0]!;
    const token = tmp.write('dev-token.der', si.timestampTokens[0]!);
    const imprint = Buffer.from(digest('sha256', si.signatureValue)).toString('hex');
    const v = tryRun('openssl', [
      'ts',
      '-verify',
      '-digest',
      imprint,
      '-in',
      token,
      '-token_in',
      '-CAfile',
      devPkiPath('rsa', 'root.pem'),
      '-untrusted',
      tsaId.paths.chain,
      '-attime',
      String(Math.floor(DEV_PKI_NOW.getTime() / 1000)),
    ]);
    expect(v.stdout + v.stderr).toContain('Verification: OK');
  });

  it('SM2 with SM3: the CMS over the ByteRange verifies (no third-party PAdES verifier knows SM2)', async () => {
    const orgA = loadDevIdentity('sm2', 'org-a');
    const out = await sealPdf(await makePdf(), {
      signer: orgA.signer,
      now: DEV_PKI_NOW,
      appearance: { image: png },
      placement: { page: 1, x: 30, y: 40 },
    });
    expect(qpdfCheck(tmp.write('sm2.pdf', out)).ok).toBe(true);
    const [sig] = signatures(out);
    const [a, b, c, d] = sig!.byteRange as [number, number, number, number];
    const cms = parseCms(sig!.contents);
    expect(cms.signerInfos[0]!.digestAlgorithm).toBe('sm3');
    const v = verifyCms(cms, {
      contentDigest: digest('sm3', Buffer.concat([out.subarray(a, a + b), out.subarray(c, c + d)])),
    });
    expect(v.signatureValid && v.messageDigestValid).toBe(true);
  });
});
