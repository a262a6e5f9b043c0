/**
 * verifySealedPdf against documents nobody on this team wrote (fixtures/{pdf-attacker,pdf-tester,pyhanko}/SOURCES.md): the RUB-NDS
 * shadow-attack exploits and certification-attack samples, and pyHanko's coverage anomalies,
 * sneaky form updates and malformed files. pdfsig 22.12 says "Signature is Valid" for the attacks;
 * we must never say valid, and must keep the honest originals intact.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GovTrustError } from '../../src/errors/index.js';
import { verifySealedPdf, type PdfVerificationReport } from '../../src/pdf/index.js';

const dir = join(import.meta.dirname, 'fixtures');
const read = (sub: string, f: string): Uint8Array =>
  new Uint8Array(readFileSync(join(dir, sub, f)));
const list = (sub: string, re: RegExp): string[] =>
  readdirSync(join(dir, sub))
    .filter((f) => re.test(f))
    .sort();
// A fixed time: these certificates are self-made test certificates, some long expired.
const now = new Date('2024-01-01T00:00:00Z');
const verify = (pdf: Uint8Array): Promise<PdfVerificationReport> => verifySealedPdf(pdf, { now });
const codes = (r: PdfVerificationReport, i = 0): string[] =>
  r.signatures[i]!.errors.map((e) => e.code);

describe('RUB-NDS pdf-attacker: shadow attacks (NDSS 2021)', () => {
  const signed = list('pdf-attacker', /3_.*signed\.pdf$/);
  const attacks = list('pdf-attacker', /4_.*manipulated.*\.pdf$/);

  it('has the seven signed originals and eight manipulated files', () => {
    expect(signed).toHaveLength(7);
    expect(attacks).toHaveLength(8);
  });

  for (const f of signed)
    it(`${f}: intact, covers the entire file, unmodified`, async () => {
      const r = await verify(read('pdf-attacker', f));
      expect(r.signatures).toHaveLength(1);
      expect(r.signatures[0]).toMatchObject({
        intact: true,
        coverage: 'entire-file',
        modifications: 'none',
        subFilter: 'adbe.pkcs7.detached',
        trusted: false,
      });
      // Only the self-made certificate stands between it and valid.
      expect(r.status).toBe('indeterminate');
    });

  for (const f of attacks)
    it(`${f}: never valid, modifications disallowed`, async () => {
      const r = await verify(read('pdf-attacker', f));
      expect(r.status).toBe('invalid');
      const s = r.signatures[0]!;
      expect(s).toMatchObject({ intact: true, modifications: 'disallowed' });
      expect(s.coverage).not.toBe('entire-file');
      expect(
        codes(r).some((c) => c === 'ERR_PDF_MODIFIED' || c === 'ERR_PDF_UPDATE_MALFORMED'),
      ).toBe(true);
    });
});

describe('RUB-NDS PDF-Tester: certification attacks (IEEE S&P 2021)', () => {
  it('a certified document, then a pre-existing field signed: both intact, the certification allows it', async () => {
    for (const f of [
      '1__02_Test_cert_p2_sign_original.pdf',
      '2__02_NDA_cert_p2_sign_original.pdf',
    ]) {
      const r = await verify(read('pdf-tester', f));
      expect(r.signatures, f).toHaveLength(2);
      for (const s of r.signatures) expect(s.intact, f).toBe(true);
      expect(r.signatures[0]!.modifications, f).toBe('allowed');
      expect(r.signatures[1]).toMatchObject({ coverage: 'entire-file', modifications: 'none' });
      expect(r.status).not.toBe('invalid');
    }
    const only = await verify(read('pdf-tester', '1__01_Test_cert_p2_original.pdf'));
    expect(only.signatures[0]).toMatchObject({ intact: true, coverage: 'entire-file' });
  });

  for (const f of list('pdf-tester', /manipulate\.pdf$/))
    it(`${f}: invalid; the certification signature's modifications are disallowed`, async () => {
      const r = await verify(read('pdf-tester', f));
      expect(r.status).toBe('invalid');
      const cert = r.signatures[0]!;
      expect(cert.intact).toBe(true);
      expect(cert.modifications).toBe('disallowed');
      // The signature the attacker added or re-pointed is reported too, and is not valid either.
      expect(r.signatures.slice(1).every((s) => s.status === 'invalid')).toBe(true);
    });
});

describe('pyHanko coverage anomalies, form updates and odd signatures', () => {
  it('the coverage anomalies are intact but never cover the file and are invalid with the code that says why', async () => {
    const expected: Record<string, string> = {
      'one-byterange': 'ERR_PDF_BYTE_RANGE_INVALID',
      'signature-gap-too-big': 'ERR_PDF_BYTE_RANGE_CONTENTS_MISMATCH',
      'tail-uncovered': 'ERR_PDF_BYTE_RANGE_NOT_REVISION',
      'weird-byterange': 'ERR_PDF_BYTE_RANGE_CONTENTS_MISMATCH',
    };
    for (const [name, code] of Object.entries(expected)) {
      const r = await verify(read('pyhanko', `coverage-anomalies__${name}.pdf`));
      expect(r.status, name).toBe('invalid');
      expect(r.signatures[0]!.intact, name).toBe(true);
      expect(r.signatures[0]!.coverage, name).toBe('partial');
      expect(codes(r), name).toContain(code);
    }
    // The template they were made from was never signed: its /Contents is all zeros.
    const base = await verify(read('pyhanko', 'coverage-anomalies__base.pdf'));
    expect(base.signatures[0]).toMatchObject({ coverage: 'entire-revision', intact: false });
    expect(codes(base)).toContain('ERR_PDF_CONTENTS_INVALID');
  });

  it('legitimate form updates (a pre-existing signature field signed later) are allowed', async () => {
    for (const f of [
      'form-update-override-appearance-stream.pdf',
      'form-update-no-override-appearance-stream-ap-indirect.pdf',
    ]) {
      const r = await verify(read('pyhanko', f));
      expect(
        r.signatures.map((s) => s.modifications),
        f,
      ).toEqual(['allowed', 'none']);
      expect(r.signatures.every((s) => s.intact)).toBe(true);
      expect(r.status, f).toBe('indeterminate');
    }
  });

  for (const f of list('pyhanko', /sneaky/))
    it(`${f}: the sneaky update is disallowed`, async () => {
      const r = await verify(read('pyhanko', f));
      expect(r.status).toBe('invalid');
      expect(r.signatures[0]).toMatchObject({ intact: true, modifications: 'disallowed' });
      expect(codes(r)).toContain('ERR_PDF_MODIFIED');
    });

  it('signatures of varied shapes are intact', async () => {
    for (const f of [
      'minimal-signed-twice-both-created.pdf',
      'minimal-signed-twice-second-created.pdf',
      'minimal-two-fields-signed-twice.pdf',
      'separate-annots-kids-indir.pdf',
      'pades-lta-dss-indirect-arrs-test.pdf',
      'sig-no-signed-attrs.pdf',
      'sig-with-ski-sid.pdf',
      'certified-with-indirect-refs-in-dir.pdf',
    ]) {
      const r = await verify(read('pyhanko', f));
      expect(r.signatures.length, f).toBeGreaterThan(0);
      for (const s of r.signatures) {
        expect(s.intact, `${f} ${s.field}`).toBe(true);
        expect(s.modifications, `${f} ${s.field}`).not.toBe('disallowed');
        expect(s.status, `${f} ${s.field}`).toBe('indeterminate');
      }
    }
  });

  it('PAdES B-LTA (signature, /DSS, document time-stamp) is recognised', async () => {
    const r = await verify(read('pyhanko', 'pades-lta-dss-indirect-arrs-test.pdf'));
    expect(r.file.revisions).toBe(5);
    expect(r.signatures.map((s) => [s.subFilter, s.level])).toEqual([
      ['ETSI.CAdES.detached', 'B-LTA'],
      ['ETSI.RFC3161', null],
    ]);
    expect(r.signatures[1]!.timestamp).toMatchObject({ valid: false });
  });

  it('encapsulated content in a detached signature is refused, as pyHanko does', async () => {
    const r = await verify(read('pyhanko', 'pdf-sig-with-econtent.pdf'));
    expect(r.status).toBe('invalid');
    expect(codes(r)).toContain('ERR_PDF_CMS_NOT_DETACHED');
  });

  it('malformed files give a clear code or a report, never a crash or a hang', async () => {
    const malformed = [
      'minimal-startxref-obo1.pdf',
      'minimal-startxref-obo3.pdf',
      'minimal-startxref-hopeless.pdf',
      'minimal-badxref.pdf',
      'minimal-broken-xref-size.pdf',
      'minimal-hybrid-xref.pdf',
      'broken-objstream1.pdf',
      'broken-objstream2.pdf',
      'circular-page-tree.pdf',
      'minimal-with-nonexistent-refs.pdf',
    ];
    const outcome: Record<string, string> = {};
    for (const f of malformed) {
      const t0 = performance.now();
      try {
        const r = await verify(read('pyhanko', f));
        outcome[f] = `report:${r.status}`;
      } catch (err) {
        expect(err).toBeInstanceOf(GovTrustError);
        outcome[f] = (err as GovTrustError).code;
      }
      expect(performance.now() - t0, f).toBeLessThan(2000);
    }
    expect(outcome).toEqual({
      // Tolerated as pyHanko's strict reader does: startxref lands on whitespace before the section.
      'minimal-startxref-obo1.pdf': 'report:invalid',
      'minimal-startxref-obo3.pdf': 'report:invalid',
      'minimal-startxref-hopeless.pdf': 'ERR_PDF_PARSE',
      'minimal-badxref.pdf': 'ERR_PDF_PARSE',
      'minimal-broken-xref-size.pdf': 'ERR_PDF_PARSE',
      'minimal-hybrid-xref.pdf': 'ERR_PDF_HYBRID_XREF',
      // Documented tolerance: nothing in them is read unless a signature needs it; no signature, so invalid.
      'broken-objstream1.pdf': 'report:invalid',
      'broken-objstream2.pdf': 'report:invalid',
      'circular-page-tree.pdf': 'report:invalid',
      'minimal-with-nonexistent-refs.pdf': 'report:invalid',
    });
  });
});
