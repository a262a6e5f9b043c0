/**
 * Our own attack generators against verifySealedPdf (pdf-signing.md §3.1-3.5): universal signature
 * forgery, incremental saving, signature wrapping, stripping, flipped bytes, hidden data in
 * /Contents, certification abuse. Each is `invalid` with the code that names it; the legitimate
 * updates next to them (a later seal, /DSS, /Info, form filling) stay allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCms } from '../../src/cms/index.js';
import { describeErrorCode } from '../../src/errors/index.js';
import {
  openPdf,
  PdfDict,
  PdfName,
  PdfRef,
  PdfString,
  sealPdf,
  verifySealedPdf,
  type PdfVerificationReport,
  type SealPdfOptions,
} from '../../src/pdf/index.js';
import { ModificationAnalyzer } from '../../src/pdf/verify-diff.js';
import { DEV_PKI_NOW, devTrustStore, loadDevIdentity } from '../helpers/dev-pki.js';
import {
  addSignatureField,
  appendRawRevision,
  appendUpdate,
  firstPage,
  makeFormPdf,
  offsetOf,
  textStream,
} from './attack-helpers.js';
import { makePdf, redSealPng } from './helpers.js';

const now = DEV_PKI_NOW;
const trust = devTrustStore('rsa');
const name = (n: string): PdfName => PdfName.of(n);
const seen = new Set<string>();

async function verify(pdf: Uint8Array): Promise<PdfVerificationReport> {
  const r = await verifySealedPdf(pdf, { trust, now });
  for (const s of r.signatures) for (const e of [...s.errors, ...s.warnings]) seen.add(e.code);
  return r;
}
const codes = (r: PdfVerificationReport, i = 0): string[] =>
  r.signatures[i]!.errors.map((e) => e.code);

let plain: Uint8Array;
let sealed: Uint8Array;
const orgA = loadDevIdentity('rsa', 'org-a').signer;
const sealOpts: Omit<SealPdfOptions, 'signer'> = {
  now,
  appearance: { image: redSealPng(64) },
  placement: { page: 1, x: 20, y: 20, width: 30 },
  fieldName: 'Seal1',
};

/** The signature dictionary of the seal: object number, ByteRange, /Contents bytes. */
function sealSignature(pdf: Uint8Array): { num: number; br: number[]; contents: Uint8Array } {
  const doc = openPdf(pdf);
  for (const [num] of doc.entriesAt()) {
    const v = doc.getObject(new PdfRef(num, 0));
    if (v instanceof PdfDict && v.getName('Type') === 'Sig')
      return {
        num,
        br: v.get('ByteRange') as number[],
        contents: (v.get('Contents') as PdfString).bytes,
      };
  }
  throw new Error('no signature');
}

/** The page's first content stream reference. */
function contentRef(pdf: Uint8Array): PdfRef {
  const { dict } = firstPage(openPdf(pdf));
  const c = dict.get('Contents');
  return (Array.isArray(c) ? c[0] : c) as PdfRef;
}

beforeAll(async () => {
  plain = await makePdf();
  sealed = await sealPdf(plain, { signer: orgA, ...sealOpts });
  expect((await verify(sealed)).status).toBe('valid');
});

afterAll(() => {
  // Every code a report carried has English and Chinese text for the web page.
  for (const code of seen) {
    expect(describeErrorCode(code, 'en'), code).toBeDefined();
    expect(describeErrorCode(code, 'zh'), code).toMatch(/[\u4e00-\u9fff]/);
  }
});

describe('universal signature forgery (§3.1)', () => {
  const base = (): Record<
    string,
    PdfDict | PdfName | PdfString | number[] | null | PdfRef | undefined
  > => ({
    Type: name('Sig'),
    Filter: name('Adobe.PPKLite'),
    SubFilter: name('ETSI.CAdES.detached'),
    M: PdfString.latin1("D:20260601080000+00'00'"),
  });
  const cms = (): PdfString => new PdfString(sealSignature(sealed).contents, true);
  const cases: [string, () => Record<string, unknown>, string][] = [
    ['no /Contents', () => ({ ...base(), ByteRange: [0, 10, 20, 30] }), 'ERR_PDF_CONTENTS_INVALID'],
    [
      'empty /Contents <>',
      () => ({
        ...base(),
        ByteRange: [0, 10, 20, 30],
        Contents: new PdfString(new Uint8Array(0), true),
      }),
      'ERR_PDF_CONTENTS_INVALID',
    ],
    ['no /ByteRange', () => ({ ...base(), Contents: cms() }), 'ERR_PDF_BYTE_RANGE_INVALID'],
    [
      '/ByteRange null',
      () => ({ ...base(), Contents: cms(), ByteRange: null }),
      'ERR_PDF_BYTE_RANGE_INVALID',
    ],
    [
      '/ByteRange [0 0 0 0]',
      () => ({ ...base(), Contents: cms(), ByteRange: [0, 0, 0, 0] }),
      'ERR_PDF_BYTE_RANGE_INVALID',
    ],
    [
      '/SubFilter adbe.pkcs7.sha1',
      () => ({
        ...base(),
        SubFilter: name('adbe.pkcs7.sha1'),
        Contents: cms(),
        ByteRange: [0, 10, 20, 30],
      }),
      'ERR_PDF_SUBFILTER_UNSUPPORTED',
    ],
    [
      'no /SubFilter',
      () => ({ ...base(), SubFilter: undefined, Contents: cms(), ByteRange: [0, 10, 20, 30] }),
      'ERR_PDF_SUBFILTER_UNSUPPORTED',
    ],
    [
      'literal-string /Contents',
      () => ({
        ...base(),
        Contents: new PdfString(sealSignature(sealed).contents, false),
        ByteRange: [0, 10, 20, 30],
      }),
      'ERR_PDF_CONTENTS_INVALID',
    ],
  ];
  for (const [label, entries, code] of cases)
    it(`${label} -> invalid with ${code}`, async () => {
      const pdf = addSignatureField(plain, entries() as never);
      const r = await verify(pdf);
      expect(r.status).toBe('invalid');
      const s = r.signatures.find((x) => x.field === 'Forged')!;
      expect(s.status).toBe('invalid');
      expect(s.intact).toBe(false);
      expect(s.errors.map((e) => e.code)).toContain(code);
    });

  it('an indirect /ByteRange (changeable after signing) -> ERR_PDF_BYTE_RANGE_INVALID', async () => {
    const withArray = appendUpdate(plain, (w) => {
      w.add([0, 10, 20, 30]);
    });
    const arrayNum = openPdf(withArray).size - 1;
    const pdf = addSignatureField(withArray, {
      ...base(),
      Contents: cms(),
      ByteRange: new PdfRef(arrayNum, 0),
    });
    const s = (await verify(pdf)).signatures.find((x) => x.field === 'Forged')!;
    expect(s.errors.map((e) => e.code)).toContain('ERR_PDF_BYTE_RANGE_INVALID');
  });

  it('data hidden after the CMS in /Contents (non-zero padding, outside the signed bytes) -> ERR_PDF_CONTENTS_PADDING', async () => {
    const { br } = sealSignature(sealed);
    const out = new Uint8Array(sealed);
    // The last hex digits before '>' are padding zeros; the gap is not signed, so the digest still matches.
    Buffer.from(out.buffer, out.byteOffset).write('4142', br[2]! - 5, 'latin1');
    const r = await verify(out);
    expect(r.signatures[0]!.intact).toBe(true);
    expect(codes(r)).toEqual(['ERR_PDF_CONTENTS_PADDING']);
  });
});

describe('incremental saving attacks (§3.2, §3.4)', () => {
  it('a revision that changes the page content -> modifications disallowed', async () => {
    const ref = contentRef(sealed);
    const pdf = appendUpdate(sealed, (w) =>
      w.set(ref, textStream('BT /F1 24 Tf 72 700 Td (PAID IN FULL) Tj ET')),
    );
    const r = await verify(pdf);
    expect(r.status).toBe('invalid');
    expect(r.signatures[0]).toMatchObject({
      intact: true,
      coverage: 'entire-revision',
      modifications: 'disallowed',
    });
    expect(codes(r)).toContain('ERR_PDF_MODIFIED');
  });

  it('a revision that adds an overlay annotation with its own appearance -> disallowed', async () => {
    const pdf = appendUpdate(sealed, (w, doc) => {
      const ap = w.add(
        textStream('1 1 1 rg 0 0 400 100 re f 0 g BT /Helv 20 Tf 10 40 Td (APPROVED) Tj ET', [
          ['Type', name('XObject')],
          ['Subtype', name('Form')],
          ['BBox', [0, 0, 400, 100]],
        ]),
      );
      const annot = w.add(
        new PdfDict([
          ['Type', name('Annot')],
          ['Subtype', name('FreeText')],
          ['Rect', [50, 600, 450, 700]],
          ['AP', new PdfDict([['N', ap]])],
          ['DA', PdfString.latin1('/Helv 20 Tf')],
        ]),
      );
      const page = firstPage(doc);
      const pd = w.editDict(page.ref);
      const a = pd.get('Annots');
      if (a instanceof PdfRef) w.editArray(a).push(annot);
      else pd.set('Annots', [...((a as PdfRef[] | undefined) ?? []), annot]);
    });
    const r = await verify(pdf);
    expect(r.signatures[0]!.modifications).toBe('disallowed');
    expect(r.signatures[0]!.errors.some((e) => e.message.includes('adds annotation'))).toBe(true);
  });

  it('a revision that replaces a font the page uses -> disallowed', async () => {
    const doc = openPdf(sealed);
    const res = doc.resolveDict(firstPage(doc).dict.get('Resources'))!;
    const fonts = doc.resolveDict(res.get('Font'))!;
    const fontRef = [...fonts.map.values()].find((v) => v instanceof PdfRef) as PdfRef;
    const pdf = appendUpdate(sealed, (w) =>
      w.set(
        fontRef,
        new PdfDict([
          ['Type', name('Font')],
          ['Subtype', name('Type1')],
          ['BaseFont', name('Courier')],
        ]),
      ),
    );
    const r = await verify(pdf);
    expect(r.signatures[0]!.modifications).toBe('disallowed');
    expect(codes(r)).toContain('ERR_PDF_MODIFIED');
  });

  it('hide-and-replace: a shadow object signed but unused, then an xref that re-points the content to it -> disallowed', async () => {
    const ref = contentRef(plain);
    const shadow = 'BT /F1 24 Tf 72 700 Td (Shadow text) Tj ET';
    let shadowAt = 0;
    // Before signing: a revision whose body holds a second "n 0 obj" no xref points to.
    const prepared = appendRawRevision(
      plain,
      (at) => {
        shadowAt = at;
        return `${ref.num} 0 obj\n<< /Length ${shadow.length} >>\nstream\n${shadow}\nendstream\nendobj\n`;
      },
      () => [],
    );
    const signed = await sealPdf(prepared, { signer: orgA, ...sealOpts });
    expect((await verify(signed)).status).toBe('valid');
    const attacked = appendRawRevision(
      signed,
      () => '',
      () => [{ num: ref.num, offset: shadowAt }],
    );
    const r = await verify(attacked);
    expect(r.status).toBe('invalid');
    expect(r.signatures[0]).toMatchObject({ intact: true, modifications: 'disallowed' });
  });

  it('an xref that frees an object the signed pages use -> disallowed', async () => {
    const ref = contentRef(sealed);
    const r = await verify(
      appendRawRevision(
        sealed,
        () => '',
        () => [{ num: ref.num, free: true }],
      ),
    );
    expect(r.signatures[0]!.modifications).toBe('disallowed');
    expect(r.signatures[0]!.errors.some((e) => /frees/.test(e.message))).toBe(true);
  });

  it('bytes appended after the signed revision that are not an update -> a report, not a throw', async () => {
    for (const tail of [
      '\n1 0 obj << /Type /Catalog >> endobj\n',
      '\n5 0 obj << >> endobj\n%%EOF\n',
    ]) {
      const r = await verify(
        new Uint8Array(Buffer.concat([Buffer.from(sealed), Buffer.from(tail, 'latin1')])),
      );
      expect(r.status).toBe('invalid');
      expect(r.signatures[0]).toMatchObject({
        intact: true,
        modifications: 'disallowed',
        coverage: 'entire-revision',
      });
      expect(codes(r)).toContain('ERR_PDF_UPDATE_MALFORMED');
    }
  });

  it('stripping: a revision that drops the signature from the form and the page -> ERR_PDF_SIGNATURE_REMOVED', async () => {
    const pdf = appendUpdate(sealed, (w, doc) => {
      const root = doc.trailer.get('Root') as PdfRef;
      const cat = doc.resolveDict(root)!;
      const formRef = cat.get('AcroForm') as PdfRef;
      w.editDict(formRef).set('Fields', []);
      const page = firstPage(doc);
      w.editDict(page.ref).delete('Annots');
    });
    const r = await verify(pdf);
    expect(r.status).toBe('invalid');
    expect(r.signatures).toHaveLength(1);
    expect(r.signatures[0]).toMatchObject({
      field: 'Seal1',
      intact: true,
      modifications: 'disallowed',
    });
    expect(codes(r)).toContain('ERR_PDF_SIGNATURE_REMOVED');
  });
});

describe('signature wrapping and flipped bytes (§3.3)', () => {
  it('a new signature dictionary whose ByteRange points at a relocated copy of the signed tail -> ERR_PDF_BYTE_RANGE_CONTENTS_MISMATCH', async () => {
    const { num, br, contents } = sealSignature(sealed);
    const [, b, c, d] = br as [number, number, number, number];
    const copy = Buffer.from(sealed.subarray(c, c + d)).toString('latin1');
    const hex = Buffer.from(contents).toString('hex');
    let sigAt = 0;
    const attacked = appendRawRevision(
      sealed,
      (at) => {
        sigAt = at;
        const head = `${num} 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 ${b} CPRIME ${d}] /Contents <${hex}> >>\nendobj\n%`;
        // The copy goes after a comment marker; work out where it lands, then fill in c'.
        // CPRIME is 6 characters; the zero-padded number takes exactly its place.
        const cPrime = at + head.length;
        const body = head.replace('CPRIME', String(cPrime).padStart(6, '0'));
        return `${body}${copy}\n`;
      },
      () => [{ num, offset: sigAt }],
    );
    const r = await verify(attacked);
    expect(r.status).toBe('invalid');
    const wrapped = r.signatures.find((s) =>
      s.errors.some((e) => e.code === 'ERR_PDF_BYTE_RANGE_CONTENTS_MISMATCH'),
    );
    expect(wrapped, JSON.stringify(r.signatures.map((s) => s.errors))).toBeDefined();
    // The digest over [0,b) and the relocated copy is the original one: the CMS alone would say "intact".
    expect(wrapped!.intact).toBe(true);
    expect(wrapped!.coverage).toBe('partial');
    // The original signature is no longer what the field points to.
    const original = r.signatures.find((s) => s !== wrapped)!;
    expect(original.errors.map((e) => e.code)).toContain('ERR_PDF_SIGNATURE_REMOVED');
  });

  it('one byte flipped inside the signed range -> ERR_CMS_DIGEST_MISMATCH', async () => {
    const ref = contentRef(sealed);
    const at = offsetOf(sealed, ref.num);
    const streamAt = Buffer.from(sealed).indexOf('stream', at, 'latin1') + 10;
    const out = new Uint8Array(sealed);
    out[streamAt] = out[streamAt]! ^ 0x01;
    const r = await verify(out);
    expect(r.status).toBe('invalid');
    expect(r.signatures[0]!.intact).toBe(false);
    expect(codes(r)).toContain('ERR_CMS_DIGEST_MISMATCH');
  });

  it('one byte flipped inside the CMS signature value -> ERR_CMS_SIGNATURE_INVALID', async () => {
    const { br, contents } = sealSignature(sealed);
    const value = parseCms(contents).signatureValue;
    const at = Buffer.from(contents).indexOf(Buffer.from(value));
    const out = new Uint8Array(sealed);
    // A hex digit of the signature value, in the unsigned gap: still valid hex, a different signature.
    const p = br[1]! + 1 + 2 * (at + 10);
    out[p] = out[p] === 0x30 ? 0x31 : 0x30;
    const r = await verify(out);
    expect(r.status).toBe('invalid');
    expect(r.signatures[0]!.intact).toBe(false);
    expect(codes(r)).toContain('ERR_CMS_SIGNATURE_INVALID');
  });
});

describe('allowed changes after signing (§3.7)', () => {
  it('a /DSS revision and an /Info revision keep the seal valid (modifications allowed)', async () => {
    const der = loadDevIdentity('rsa', 'intermediate').certificate.der;
    let pdf = appendUpdate(sealed, (w, doc) => {
      const cert = w.add(textStream(Buffer.from(der).toString('latin1')));
      w.editDict(doc.trailer.get('Root') as PdfRef).set('DSS', new PdfDict([['Certs', [cert]]]));
    });
    pdf = appendUpdate(pdf, (w, doc) => {
      const info = doc.trailer.get('Info');
      if (info instanceof PdfRef)
        w.editDict(info).set('ModDate', PdfString.latin1('D:20260602000000Z'));
    });
    const r = await verify(pdf);
    expect(r.status, JSON.stringify(r.signatures[0]!.errors)).toBe('valid');
    expect(r.signatures[0]!.modifications).toBe('allowed');
  });

  it('form filling after an approval seal is allowed; the same change is refused when the field is locked', async () => {
    const form = await sealPdf(await makeFormPdf(), { signer: orgA, ...sealOpts });
    const fieldRef = openPdf(form)
      .resolveArray(
        openPdf(form).resolveDict(openPdf(form).catalog.get('AcroForm'))!.get('Fields'),
      )!
      .find(
        (r) => r instanceof PdfRef && openPdf(form).resolveDict(r)?.getName('FT') === 'Tx',
      ) as PdfRef;
    const filled = appendUpdate(form, (w) => {
      const ap = w.add(
        textStream('/Tx BMC BT /Helv 12 Tf 2 6 Td (Zhang San) Tj ET EMC', [
          ['Type', name('XObject')],
          ['Subtype', name('Form')],
          ['BBox', [0, 0, 200, 24]],
        ]),
      );
      const d = w.editDict(fieldRef);
      d.set('V', PdfString.latin1('Zhang San'));
      d.set('AP', new PdfDict([['N', ap]]));
    });
    const r = await verify(filled);
    expect(r.status, JSON.stringify(r.signatures[0]!.errors)).toBe('valid');
    expect(r.signatures[0]!.modifications).toBe('allowed');

    const analyzer = new ModificationAnalyzer(openPdf(filled), {
      maxObjects: 100_000,
      allowVisibleSignaturesAfterCertification: false,
    });
    const locked = analyzer.analyze(1, {
      docMdp: null,
      certification: false,
      isLocked: (n) => n === 'Name',
    });
    expect(locked.modifications).toBe('disallowed');
    expect(locked.errors.map((e) => e.code)).toContain('ERR_PDF_FIELD_LOCKED');
    const p1 = analyzer.analyze(1, { docMdp: 1, certification: true, isLocked: () => false });
    expect(p1.errors.map((e) => e.code)).toContain('ERR_PDF_DOCMDP_VIOLATION');
  });

  it('DocMDP P=1: a /DSS revision is allowed, a new signature field is not', async () => {
    const certified = await sealPdf(plain, { signer: orgA, ...sealOpts, certify: 1 });
    const withDss = appendUpdate(certified, (w, doc) => {
      w.editDict(doc.trailer.get('Root') as PdfRef).set('DSS', new PdfDict([['Certs', []]]));
    });
    expect((await verify(withDss)).status).toBe('valid');
    const forged = addSignatureField(certified, {
      Type: name('Sig'),
      Filter: name('Adobe.PPKLite'),
      SubFilter: name('ETSI.CAdES.detached'),
    });
    const r = await verify(forged);
    expect(r.signatures[0]!.modifications).toBe('disallowed');
    expect(codes(r)).toContain('ERR_PDF_DOCMDP_VIOLATION');
  });

  it('DocMDP P=3: a sticky note is allowed, a FreeText overlay is not (evil annotation attack)', async () => {
    const certified = await sealPdf(plain, { signer: orgA, ...sealOpts, certify: 3 });
    const annotate = (subtype: string): Uint8Array =>
      appendUpdate(certified, (w, doc) => {
        const a = w.add(
          new PdfDict([
            ['Type', name('Annot')],
            ['Subtype', name(subtype)],
            ['Rect', [100, 100, 300, 200]],
            ['Contents', PdfString.latin1('note')],
          ]),
        );
        const page = firstPage(doc);
        const pd = w.editDict(page.ref);
        const list = pd.get('Annots');
        if (list instanceof PdfRef) w.editArray(list).push(a);
        else pd.set('Annots', [...((list as PdfRef[] | undefined) ?? []), a]);
      });
    expect((await verify(annotate('Text'))).status).toBe('valid');
    const evil = await verify(annotate('FreeText'));
    expect(evil.status).toBe('invalid');
    expect(codes(evil)).toContain('ERR_PDF_DOCMDP_VIOLATION');
  });

  it('a second certification signature is refused (ERR_PDF_CERTIFICATION_ORDER)', async () => {
    const first = await sealPdf(plain, { signer: orgA, ...sealOpts, certify: 2 });
    // sealPdf refuses to certify twice; a hand-made /Reference with DocMDP on a later signature is the attack.
    const forged = addSignatureField(first, {
      Type: name('Sig'),
      Filter: name('Adobe.PPKLite'),
      SubFilter: name('ETSI.CAdES.detached'),
      Reference: [
        new PdfDict([
          ['Type', name('SigRef')],
          ['TransformMethod', name('DocMDP')],
          ['TransformParams', new PdfDict([['P', 3]])],
        ]),
      ],
    });
    const r = await verify(forged);
    expect(r.signatures[1]!.errors.map((e) => e.code)).toContain('ERR_PDF_CERTIFICATION_ORDER');
  });
});
