/**
 * Seal binding in PDFs (docs/seal-binding.md): checkSealBinding on the CMS that sealPdf writes and
 * verifyPdfSesSignature on the compatibility-mode /Contents, each failure with its own code, and
 * the sealer's refusal to make what a verifier would reject.
 */
import { describe, expect, it } from 'vitest';
import { parseCms, verifyCms } from '@govtrust/core/cms';
import { digest } from '@govtrust/core/crypto';
import { preparePdfSeal, sealPdf } from '@govtrust/core/pdf';
import {
  PDF_SES_FILTER,
  PDF_SES_SUBFILTER,
  SEAL_ATTRIBUTE_OID,
  checkSealBinding,
  createSealAttribute,
  drawSeal,
  parseSeal,
  parseSesSignature,
  sealToSvg,
  verifyPdfSesSignature,
  type CheckSealBindingOptions,
  type SealStatusSource,
} from '@govtrust/core/seal';
import { devTrustStore, loadDevIdentity, type DevAlgorithm } from '../helpers/dev-pki.js';
import { makePdf } from '../pdf/helpers.js';
import {
  CURRENT,
  ENDED,
  SIGNED_AT,
  byteRangeSm3,
  devSeal,
  forgePadesPdf,
  forgeSesPdf,
  holder,
  lastSignature,
  outsider,
  tamperedSealDer,
} from './binding-fixtures.js';

const trust = devTrustStore('sm2');
// The seal maker and the SM2 holders are issued by the dev intermediate; the store holds the root.
const intermediates = [loadDevIdentity('sm2', 'intermediate').certificate.der];
const LATER = new Date('2026-09-01T00:00:00Z');
const AFTER_SEAL = new Date('2027-06-01T00:00:00Z');
const placement = { page: 1, x: 120, y: 200 } as const;

/** The CMS of a PAdES-sealed PDF: its seal attribute value and the verified signer certificate. */
function readPades(pdf: Uint8Array): {
  sealDer: Uint8Array;
  signer: NonNullable<ReturnType<typeof verifyCms>['signerCertificate']>;
  intact: boolean;
} {
  const parts = lastSignature(pdf);
  const cms = parseCms(parts.contents);
  const attr = cms.signedAttributes.find((a) => a.oid === SEAL_ATTRIBUTE_OID);
  expect(attr?.values).toHaveLength(1);
  const v = verifyCms(cms, {
    contentDigest: digest(cms.digestAlgorithm!, parts.signedBytes),
  });
  return { sealDer: attr!.values[0]!, signer: v.signerCertificate!, intact: v.intact };
}

const codes = (issues: readonly { code: string }[]): string[] => issues.map((i) => i.code);

/** The binding check of what a sealed PDF carries, with the dev SM2 trust, signed at SIGNED_AT, checked LATER. */
const bindingOf = (
  sealDer: Uint8Array,
  signer: CheckSealBindingOptions['signerCertificate'],
  extra: Partial<CheckSealBindingOptions> = {},
): ReturnType<typeof checkSealBinding> =>
  checkSealBinding({
    sealDer,
    signerCertificate: signer,
    signingTime: SIGNED_AT,
    trust,
    intermediates,
    now: LATER,
    ...extra,
  });

function statusSource(
  status: 'active' | 'suspended' | 'lost' | 'cancelled' | 'revoked' | 'unknown',
  since?: Date,
): SealStatusSource {
  return {
    check: () => Promise.resolve({ status, ...(since === undefined ? {} : { since }) }),
  };
}

describe('checkSealBinding on the CMS that sealPdf writes (default scheme)', () => {
  it.each(['rsa', 'p256', 'sm2'] as DevAlgorithm[])(
    '%s seal holder: the CMS verifies and the seal binding is valid',
    async (alg) => {
      const seal = await devSeal();
      const pdf = await sealPdf(await makePdf(), {
        signer: holder(alg).signer,
        seal: seal.der,
        placement,
        now: SIGNED_AT,
      });
      const { sealDer, signer, intact } = readPades(pdf);
      expect(intact).toBe(true);
      expect(Buffer.from(sealDer).equals(Buffer.from(seal.der))).toBe(true);
      const r = await bindingOf(sealDer, signer, { sealStatus: statusSource('active') });
      expect(r.errors).toEqual([]);
      expect(r.warnings).toEqual([]);
      expect(r.status).toBe('valid');
      expect(r.seal).toMatchObject({
        esID: '11010100000001',
        name: '示例市人民政府办公室',
        type: 1,
        valid: true,
        validFrom: CURRENT.from.toISOString(),
        validTo: CURRENT.to.toISOString(),
        pictureType: 'PNG',
        pictureWidthMm: 42,
        pictureHeightMm: 42,
        makerSignatureValid: true,
        trusted: true,
        signerInCertList: true,
        lifecycle: 'active',
        standard: true,
      });
    },
  );

  it('without trust anchors or a status source: valid, with warnings that say what was not checked', async () => {
    const seal = await devSeal();
    const { sealDer, signer } = readPades(
      await sealPdf(await makePdf(), { signer: holder('rsa').signer, seal, now: SIGNED_AT }),
    );
    const r = await checkSealBinding({
      sealDer,
      signerCertificate: signer,
      signingTime: SIGNED_AT,
      now: LATER,
    });
    expect(r.status).toBe('valid');
    expect(codes(r.warnings).sort()).toEqual([
      'ERR_SEAL_CHAIN_NOT_CHECKED',
      'ERR_SEAL_STATUS_NOT_CHECKED',
    ]);
    expect(r.seal.trusted).toBe(false);
  });

  it('a seal whose certList lacks the signer: ERR_SEAL_SIGNER_NOT_IN_CERT_LIST', async () => {
    const sealForB = await devSeal({ holders: [outsider('rsa').certificate.der] });
    const pdf = await forgePadesPdf(holder('rsa').signer, [createSealAttribute(sealForB)]);
    const { sealDer, signer, intact } = readPades(pdf);
    expect(intact).toBe(true);
    const r = await bindingOf(sealDer, signer);
    expect(r.status).toBe('invalid');
    expect(codes(r.errors)).toEqual(['ERR_SEAL_SIGNER_NOT_IN_CERT_LIST']);
    expect(r.seal).toMatchObject({
      valid: false,
      signerInCertList: false,
      makerSignatureValid: true,
    });
  });

  it('a seal that expired before the signing time: ERR_SEAL_NOT_VALID_AT_SIGNING_TIME', async () => {
    const ended = await devSeal({ validity: ENDED });
    const pdf = await forgePadesPdf(holder('p256').signer, [createSealAttribute(ended)]);
    const { sealDer, signer } = readPades(pdf);
    const r = await bindingOf(sealDer, signer, { signingTimeProven: true });
    expect(r.status).toBe('invalid');
    expect(codes(r.errors)).toContain('ERR_SEAL_NOT_VALID_AT_SIGNING_TIME');
    expect(r.seal.valid).toBe(false);
  });

  it('a tampered seal (one picture byte changed): ERR_SEAL_MAKER_SIGNATURE_INVALID', async () => {
    const seal = await devSeal();
    const bad = tamperedSealDer(seal);
    const pdf = await forgePadesPdf(holder('rsa').signer, [
      { oid: SEAL_ATTRIBUTE_OID, values: [bad] },
    ]);
    const { sealDer, signer } = readPades(pdf);
    const r = await bindingOf(sealDer, signer);
    expect(r.status).toBe('invalid');
    expect(codes(r.errors)).toEqual(['ERR_SEAL_MAKER_SIGNATURE_INVALID']);
    expect(r.seal.makerSignatureValid).toBe(false);
  });

  it('a maker outside the trust anchors: indeterminate with a path code', async () => {
    const seal = await devSeal();
    const r = await checkSealBinding({
      sealDer: seal.der,
      signerCertificate: holder('rsa').certificate,
      signingTime: SIGNED_AT,
      trust: devTrustStore('rsa'),
      now: LATER,
    });
    expect(r.status).toBe('indeterminate');
    expect(r.errors.every((e) => /^ERR_(PATH|SEAL)_/.test(e.code))).toBe(true);
    expect(r.seal.trusted).toBe(false);
  });

  it('validity after the signing time: a warning once the time is proven, indeterminate while only claimed', async () => {
    const seal = await devSeal();
    const base: CheckSealBindingOptions = {
      sealDer: seal.der,
      signerCertificate: holder('rsa').certificate,
      signingTime: SIGNED_AT,
      trust,
      intermediates,
      now: AFTER_SEAL,
      sealStatus: statusSource('active'),
    };
    const proven = await checkSealBinding({ ...base, signingTimeProven: true });
    expect(proven.status).toBe('valid');
    expect(codes(proven.warnings)).toContain('ERR_SEAL_EXPIRED');
    const claimed = await checkSealBinding(base);
    expect(claimed.status).toBe('indeterminate');
    expect(codes(claimed.errors)).toEqual(['ERR_SEAL_EXPIRED']);
  });

  it('seal status: inactive before the signing time is invalid; after a proven time, a warning', async () => {
    const seal = await devSeal();
    const base: CheckSealBindingOptions = {
      sealDer: seal.der,
      signerCertificate: holder('sm2').certificate,
      signingTime: SIGNED_AT,
      trust,
      intermediates,
      now: LATER,
    };
    const before = new Date('2026-05-01T00:00:00Z');
    const after = new Date('2026-07-01T00:00:00Z');
    for (const status of ['suspended', 'lost', 'cancelled', 'revoked'] as const) {
      const r = await checkSealBinding({ ...base, sealStatus: statusSource(status, before) });
      expect(r.status, status).toBe('invalid');
      expect(codes(r.errors)).toEqual(['ERR_SEAL_STATUS_INACTIVE']);
      expect(r.seal.lifecycle).toBe(status);
    }
    const proven = await checkSealBinding({
      ...base,
      signingTimeProven: true,
      sealStatus: statusSource('revoked', after),
    });
    expect(proven.status).toBe('valid');
    expect(codes(proven.warnings)).toContain('ERR_SEAL_STATUS_CHANGED_AFTER_SIGNING');
    // An unproven /M could be back-dated by whoever holds a lost seal's key.
    const claimed = await checkSealBinding({ ...base, sealStatus: statusSource('lost', after) });
    expect(codes(claimed.errors)).toEqual(['ERR_SEAL_STATUS_INACTIVE']);
    const unknown = await checkSealBinding({ ...base, sealStatus: statusSource('unknown') });
    expect(unknown.status).toBe('indeterminate');
    expect(codes(unknown.errors)).toEqual(['ERR_SEAL_STATUS_UNKNOWN']);
    const failing = await checkSealBinding({
      ...base,
      sealStatus: { check: () => Promise.reject(new Error('connection refused')) },
    });
    expect(codes(failing.errors)).toEqual(['ERR_SEAL_STATUS_UNKNOWN']);
  });

  it('a signing time after the validation time: ERR_SEAL_SIGNED_AFTER_VALIDATION_TIME', async () => {
    const seal = await devSeal();
    const r = await checkSealBinding({
      sealDer: seal.der,
      signerCertificate: holder('rsa').certificate,
      signingTime: SIGNED_AT,
      trust,
      intermediates,
      now: new Date('2026-03-01T00:00:00Z'),
    });
    expect(codes(r.errors)).toContain('ERR_SEAL_SIGNED_AFTER_VALIDATION_TIME');
  });

  it('bytes that are not a seal are unusable input: ERR_SEAL_PARSE', async () => {
    await expect(
      checkSealBinding({
        sealDer: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]),
        signerCertificate: holder('rsa').certificate,
        signingTime: SIGNED_AT,
      }),
    ).rejects.toMatchObject({ code: 'ERR_SEAL_PARSE' });
  });
});

describe('verifyPdfSesSignature on the compatibility-mode /Contents (gbt38540)', () => {
  async function sealed(): Promise<Uint8Array> {
    return sealPdf(await makePdf(), {
      signer: holder('sm2').signer,
      seal: await devSeal(),
      format: 'gbt38540',
      placement,
      now: SIGNED_AT,
    });
  }

  it('a seal signature sealPdf made: intact, valid, the seal reported', async () => {
    const pdf = await sealed();
    const parts = lastSignature(pdf);
    expect(parts.subFilter).toBe(PDF_SES_SUBFILTER);
    expect(parts.filter).toBe(PDF_SES_FILTER);
    // Zero padding after the DER, as in every /Contents placeholder.
    expect(parts.contents[parts.contents.length - 1]).toBe(0);
    const r = await verifyPdfSesSignature({
      contents: parts.contents,
      byteRangeDigest: byteRangeSm3(parts),
      byteRange: parts.byteRange,
      trust,
      intermediates,
      now: LATER,
      sealStatus: statusSource('active'),
    });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r).toMatchObject({
      status: 'valid',
      intact: true,
      signatureValid: true,
      dataHashValid: true,
      algorithm: 'sm2-sm3',
      trusted: true,
      propertyInfo: `/ByteRange [${parts.byteRange.join(' ')}]`,
    });
    expect(r.signingTime).toEqual(SIGNED_AT);
    expect(r.signerCertificate!.serialNumber).toBe(holder('sm2').certificate.serialNumber);
    expect(r.seal).toMatchObject({ esID: '11010100000001', valid: true, signerInCertList: true });
  });

  it('a tampered SES_Signature (signature value changed): ERR_SEAL_SIGNATURE_INVALID, not intact', async () => {
    const parts = lastSignature(await sealed());
    const der = parseSesSignature(
      parts.contents.subarray(0, parts.contents.findLastIndex((b) => b !== 0) + 1),
    ).der;
    const bad = new Uint8Array(parts.contents);
    // The signature BIT STRING ends the SES_Signature: change a byte of s.
    bad[der.length - 3] = bad[der.length - 3]! ^ 0x01;
    const r = await verifyPdfSesSignature({
      contents: bad,
      byteRangeDigest: byteRangeSm3(parts),
      trust,
      intermediates,
      now: LATER,
    });
    expect(r.intact).toBe(false);
    expect(r.signatureValid).toBe(false);
    expect(r.dataHashValid).toBe(true);
    expect(r.status).toBe('invalid');
    expect(codes(r.errors)).toEqual(['ERR_SEAL_SIGNATURE_INVALID']);
  });

  it('a changed document (one signed byte): ERR_SEAL_DATA_HASH_MISMATCH', async () => {
    const pdf = await sealed();
    const parts = lastSignature(pdf);
    const changed = new Uint8Array(pdf);
    // A byte of the header's binary comment line, inside the first signed range.
    const at = Buffer.from(pdf).indexOf('\n%') + 2;
    expect(at).toBeLessThan(parts.byteRange[1]);
    changed[at] = changed[at]! ^ 0x01;
    const r = await verifyPdfSesSignature({
      contents: parts.contents,
      byteRangeDigest: byteRangeSm3(lastSignature(changed)),
      trust,
      intermediates,
      now: LATER,
    });
    expect(r).toMatchObject({ intact: false, signatureValid: true, dataHashValid: false });
    expect(codes(r.errors)).toEqual(['ERR_SEAL_DATA_HASH_MISMATCH']);
  });

  it('a signer outside the seal certList: ERR_SEAL_SIGNER_NOT_IN_CERT_LIST', async () => {
    const seal = await devSeal();
    const parts = lastSignature(await forgeSesPdf(outsider('sm2').signer, seal.der));
    const r = await verifyPdfSesSignature({
      contents: parts.contents,
      byteRangeDigest: byteRangeSm3(parts),
      trust,
      intermediates,
      now: LATER,
    });
    expect(r.intact).toBe(true);
    expect(r.status).toBe('invalid');
    expect(codes(r.errors)).toEqual(['ERR_SEAL_SIGNER_NOT_IN_CERT_LIST']);
    expect(r.seal).toMatchObject({ valid: false, signerInCertList: false });
  });

  it('a seal that expired before the signing time: ERR_SEAL_NOT_VALID_AT_SIGNING_TIME', async () => {
    const ended = await devSeal({ validity: ENDED });
    const parts = lastSignature(await forgeSesPdf(holder('sm2').signer, ended.der));
    const r = await verifyPdfSesSignature({
      contents: parts.contents,
      byteRangeDigest: byteRangeSm3(parts),
      trust,
      intermediates,
      now: LATER,
    });
    expect(r.intact).toBe(true);
    expect(r.status).toBe('invalid');
    expect(codes(r.errors)).toContain('ERR_SEAL_NOT_VALID_AT_SIGNING_TIME');
  });

  it('a tampered embedded seal, re-signed by its holder: ERR_SEAL_MAKER_SIGNATURE_INVALID', async () => {
    const seal = await devSeal();
    const parts = lastSignature(await forgeSesPdf(holder('sm2').signer, tamperedSealDer(seal)));
    const r = await verifyPdfSesSignature({
      contents: parts.contents,
      byteRangeDigest: byteRangeSm3(parts),
      trust,
      intermediates,
      now: LATER,
    });
    expect(r.signatureValid).toBe(true);
    expect(r.status).toBe('invalid');
    expect(codes(r.errors)).toEqual(['ERR_SEAL_MAKER_SIGNATURE_INVALID']);
    expect(r.seal!.makerSignatureValid).toBe(false);
  });

  it('a dataHash over other data, signed: ERR_SEAL_DATA_HASH_MISMATCH though the signature verifies', async () => {
    const seal = await devSeal();
    const parts = lastSignature(
      await forgeSesPdf(holder('sm2').signer, seal.der, {
        dataHash: digest('sm3', new TextEncoder().encode('another document')),
      }),
    );
    const r = await verifyPdfSesSignature({
      contents: parts.contents,
      byteRangeDigest: byteRangeSm3(parts),
      trust,
      intermediates,
      now: LATER,
    });
    expect(r).toMatchObject({ signatureValid: true, dataHashValid: false, intact: false });
    expect(codes(r.errors)).toEqual(['ERR_SEAL_DATA_HASH_MISMATCH']);
  });

  it('propertyInfo naming another ByteRange: a warning', async () => {
    const seal = await devSeal();
    const parts = lastSignature(
      await forgeSesPdf(holder('sm2').signer, seal.der, { propertyInfo: 'whole file' }),
    );
    const r = await verifyPdfSesSignature({
      contents: parts.contents,
      byteRangeDigest: byteRangeSm3(parts),
      byteRange: parts.byteRange,
      trust,
      intermediates,
      now: LATER,
    });
    expect(r.status).toBe('valid');
    expect(codes(r.warnings)).toContain('ERR_SEAL_PROPERTY_INFO');
  });

  it('unreadable /Contents is an invalid report, never an exception', async () => {
    const parts = lastSignature(await sealed());
    const der = parts.contents.subarray(0, parts.contents.findLastIndex((b) => b !== 0) + 1);
    const cases: [string, Uint8Array, string][] = [
      ['zeros', new Uint8Array(64), 'ERR_SEAL_SIGNATURE_PARSE'],
      ['garbage', new Uint8Array([0x30, 0x82, 0xff, 0xff, 1, 2, 3]), 'ERR_SEAL_SIGNATURE_PARSE'],
      ['truncated', der.subarray(0, der.length - 10), 'ERR_SEAL_SIGNATURE_PARSE'],
      [
        'a SEQUENCE that is not one',
        new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]),
        'ERR_SEAL_SIGNATURE_PARSE',
      ],
    ];
    for (const [what, contents, code] of cases) {
      const r = await verifyPdfSesSignature({ contents, byteRangeDigest: new Uint8Array(32) });
      expect(r, what).toMatchObject({ status: 'invalid', intact: false, seal: null });
      expect(codes(r.errors), what).toEqual([code]);
    }
    // A PAdES CMS is not a seal signature either.
    const pades = lastSignature(
      await sealPdf(await makePdf(), { signer: holder('sm2').signer, now: SIGNED_AT }),
    );
    const r = await verifyPdfSesSignature({
      contents: pades.contents,
      byteRangeDigest: byteRangeSm3(pades),
    });
    expect(r).toMatchObject({ status: 'invalid', intact: false, seal: null });
    // Non-zero bytes after the DER are unsigned data in the file.
    const trailing = new Uint8Array(parts.contents);
    trailing[der.length + 10] = 0x41;
    const t = await verifyPdfSesSignature({
      contents: trailing,
      byteRangeDigest: byteRangeSm3(parts),
      trust,
      intermediates,
      now: LATER,
    });
    expect(t.intact).toBe(true);
    expect(codes(t.errors)).toEqual(['ERR_SEAL_CONTENTS_TRAILING_DATA']);
  });
});

describe('sealing refuses a seal a verifier would reject', () => {
  it('a signer outside the certList: ERR_SEAL_SIGNER_NOT_IN_CERT_LIST (both formats)', async () => {
    const seal = await devSeal();
    const pdf = await makePdf();
    await expect(
      sealPdf(pdf, { signer: outsider('rsa').signer, seal, now: SIGNED_AT }),
    ).rejects.toMatchObject({ code: 'ERR_SEAL_SIGNER_NOT_IN_CERT_LIST' });
    await expect(
      sealPdf(pdf, { signer: outsider('sm2').signer, seal, format: 'gbt38540', now: SIGNED_AT }),
    ).rejects.toMatchObject({ code: 'ERR_SEAL_SIGNER_NOT_IN_CERT_LIST' });
  });

  it('a seal not valid at the signing time: ERR_SEAL_NOT_VALID_AT_SIGNING_TIME', async () => {
    const ended = await devSeal({ validity: ENDED });
    const pdf = await makePdf();
    await expect(
      sealPdf(pdf, { signer: holder('rsa').signer, seal: ended, now: SIGNED_AT }),
    ).rejects.toMatchObject({ code: 'ERR_SEAL_NOT_VALID_AT_SIGNING_TIME' });
    await expect(
      sealPdf(pdf, {
        signer: holder('sm2').signer,
        seal: ended,
        format: 'gbt38540',
        now: SIGNED_AT,
      }),
    ).rejects.toMatchObject({ code: 'ERR_SEAL_NOT_VALID_AT_SIGNING_TIME' });
  });

  it('a tampered seal: ERR_SEAL_MAKER_SIGNATURE_INVALID; bytes that are not a seal: ERR_SEAL_PARSE', async () => {
    const seal = await devSeal();
    const pdf = await makePdf();
    await expect(
      sealPdf(pdf, { signer: holder('rsa').signer, seal: tamperedSealDer(seal), now: SIGNED_AT }),
    ).rejects.toMatchObject({ code: 'ERR_SEAL_MAKER_SIGNATURE_INVALID' });
    await expect(
      sealPdf(pdf, { signer: holder('rsa').signer, seal: new Uint8Array(40), now: SIGNED_AT }),
    ).rejects.toMatchObject({ code: 'ERR_SEAL_PARSE' });
  });

  it('the compatibility mode needs an SM2 signer and a seal, and has no certification, B-T or extra attributes', async () => {
    const seal = await devSeal();
    const pdf = await makePdf();
    const sm2 = holder('sm2').signer;
    await expect(
      sealPdf(pdf, { signer: holder('rsa').signer, seal, format: 'gbt38540', now: SIGNED_AT }),
    ).rejects.toMatchObject({ code: 'ERR_SEAL_NON_STANDARD_ALGORITHM' });
    for (const extra of [
      {},
      { seal, certify: 1 as const },
      { seal, level: 'B-T' as const },
      { seal, digestAlgorithm: 'sha256' as const },
      { seal, extraSignedAttributes: [{ oid: '1.2.3.4', values: [new Uint8Array([5, 0])] }] },
    ]) {
      await expect(
        preparePdfSeal(pdf, { signer: sm2, format: 'gbt38540', now: SIGNED_AT, ...extra }),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    }
  });

  it('a seal needs the signer certificate; the seal attribute is not given twice', async () => {
    const seal = await devSeal();
    const pdf = await makePdf();
    await expect(
      preparePdfSeal(pdf, { seal, contentsSize: 60_000, now: SIGNED_AT }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(
      sealPdf(pdf, {
        signer: holder('rsa').signer,
        seal,
        extraSignedAttributes: [createSealAttribute(seal)],
        now: SIGNED_AT,
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('seal pictures: GIF cannot be drawn; an SVG that points outside itself is not rendered', async () => {
    const pdf = await makePdf();
    const gif = await devSeal({
      picture: {
        type: 'GIF',
        data: new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0, 0, 0, 0x3b]),
        width: 40,
        height: 40,
      },
    });
    await expect(
      sealPdf(pdf, { signer: holder('rsa').signer, seal: gif, placement, now: SIGNED_AT }),
    ).rejects.toMatchObject({ code: 'ERR_PDF_IMAGE_UNSUPPORTED' });
    // Invisible, the same seal binds fine: only drawing needs a drawable picture.
    await expect(
      sealPdf(pdf, { signer: holder('rsa').signer, seal: gif, now: SIGNED_AT }),
    ).resolves.toBeInstanceOf(Uint8Array);
    const svg = sealToSvg(drawSeal({ shape: 'round', text: '示例市人民政府办公室' }));
    for (const evil of [
      svg.replace('</svg>', '<image href="/etc/hostname" width="10" height="10"/></svg>'),
      svg.replace('</svg>', '<image xlink:href="file:///etc/passwd" width="1" height="1"/></svg>'),
      svg.replace('</svg>', '<rect width="1" height="1" fill="url(http://x/y)"/></svg>'),
      `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>${svg}`,
    ]) {
      const seal = await devSeal({
        picture: { type: 'SVG', data: new TextEncoder().encode(evil), width: 42, height: 42 },
      });
      await expect(
        sealPdf(pdf, { signer: holder('rsa').signer, seal, placement, now: SIGNED_AT }),
      ).rejects.toMatchObject({ code: 'ERR_PDF_IMAGE_UNSUPPORTED' });
    }
  });

  it('parsed or DER seal give the same CMS attribute', async () => {
    const seal = await devSeal();
    const a = readPades(
      await sealPdf(await makePdf(), { signer: holder('rsa').signer, seal, now: SIGNED_AT }),
    );
    const b = readPades(
      await sealPdf(await makePdf(), {
        signer: holder('rsa').signer,
        seal: parseSeal(seal.der),
        now: SIGNED_AT,
      }),
    );
    expect(Buffer.from(a.sealDer).equals(Buffer.from(b.sealDer))).toBe(true);
  });
});
