/**
 * verifySealedPdf with GB/T 38540 seals bound to the signature (docs/seal-binding.md): the seal
 * carried in the PAdES CMS, and the compatibility mode with an SES_Signature in /Contents. A seal
 * used by a signer outside its certList, a seal that ended before the signing time, a lost seal:
 * each invalid with its code.
 */
import { describe, expect, it } from 'vitest';
import { sealPdf, verifySealedPdf } from '../../src/pdf/index.js';
import { createTimeStampAuthority } from '../../src/pki/index.js';
import { createSealAttribute, type SealStatusSource } from '../../src/seal/index.js';
import { devTrustStore, loadDevIdentity } from '../helpers/dev-pki.js';
import {
  ENDED,
  SIGNED_AT,
  devSeal,
  forgePadesPdf,
  forgeSesPdf,
  holder,
  outsider,
} from '../seal/binding-fixtures.js';
import { makePdf } from './helpers.js';

const trust = devTrustStore();
// A seal (and an SES_Signature) holds only end certificates: the SM2 issuing CA comes from the caller.
const intermediates = (['rsa', 'p256', 'sm2'] as const).map(
  (a) => loadDevIdentity(a, 'intermediate').certificate.der,
);
const now = new Date('2026-06-02T00:00:00Z');
const codes = (errors: readonly { code: string }[]): string[] => errors.map((e) => e.code);

describe('verifySealedPdf with a bound seal', () => {
  it.each(['rsa', 'p256', 'sm2'] as const)(
    'a %s seal holder signing with a seal file: valid, the seal reported',
    async (alg) => {
      const seal = await devSeal();
      const out = await sealPdf(await makePdf(), {
        signer: holder(alg).signer,
        seal,
        placement: { page: 1, x: 30, y: 40 },
        now: SIGNED_AT,
        fieldName: '公章',
      });
      const r = await verifySealedPdf(out, { trust, intermediates, now });
      const s = r.signatures[0]!;
      expect(r.status, JSON.stringify(s.errors)).toBe('valid');
      expect(s.seal).toEqual({
        esID: seal.sealInfo.esID,
        name: '示例市人民政府办公室',
        type: 1,
        valid: true,
        validFrom: seal.sealInfo.property.validStart.toISOString(),
        validTo: seal.sealInfo.property.validEnd.toISOString(),
      });
      // No seal status source was given: said, not failed.
      expect(codes(s.warnings)).toContain('ERR_SEAL_STATUS_NOT_CHECKED');
    },
  );

  it('B-T: the seal is judged at the time-stamp, so it may expire later', async () => {
    const seal = await devSeal();
    const tsa = createTimeStampAuthority({
      signer: loadDevIdentity('rsa', 'tsa').signer,
      now: () => SIGNED_AT,
    });
    const out = await sealPdf(await makePdf(), {
      signer: holder('rsa').signer,
      seal,
      tsa: tsa.client(),
      now: SIGNED_AT,
    });
    // Long after the seal's validity (2027-01-01) and inside the certificates' (2045).
    const r = await verifySealedPdf(out, {
      trust,
      intermediates,
      now: new Date('2030-01-01T00:00:00Z'),
    });
    expect(r.status, JSON.stringify(r.signatures[0]!.errors)).toBe('valid');
    expect(codes(r.signatures[0]!.warnings)).toContain('ERR_SEAL_EXPIRED');
  });

  it('a signer not in the seal’s certList -> invalid, ERR_SEAL_SIGNER_NOT_IN_CERT_LIST', async () => {
    const seal = await devSeal();
    const out = await forgePadesPdf(outsider('rsa').signer, [createSealAttribute(seal)]);
    const r = await verifySealedPdf(out, { trust, intermediates, now });
    const s = r.signatures[0]!;
    expect(r.status).toBe('invalid');
    expect(s.intact).toBe(true);
    expect(codes(s.errors)).toContain('ERR_SEAL_SIGNER_NOT_IN_CERT_LIST');
    expect(s.seal).toMatchObject({ esID: seal.sealInfo.esID, valid: false });
  });

  it('a seal that ended before the signing time -> invalid, ERR_SEAL_NOT_VALID_AT_SIGNING_TIME', async () => {
    const seal = await devSeal({ validity: ENDED });
    const out = await forgePadesPdf(holder('rsa').signer, [createSealAttribute(seal)]);
    const r = await verifySealedPdf(out, { trust, intermediates, now });
    expect(r.status).toBe('invalid');
    expect(codes(r.signatures[0]!.errors)).toContain('ERR_SEAL_NOT_VALID_AT_SIGNING_TIME');
  });

  it('a seal the status source reports lost -> invalid, ERR_SEAL_STATUS_INACTIVE', async () => {
    const seal = await devSeal();
    const out = await sealPdf(await makePdf(), {
      signer: holder('rsa').signer,
      seal,
      now: SIGNED_AT,
    });
    const lost: SealStatusSource = {
      check: () => Promise.resolve({ status: 'lost', since: new Date('2026-03-01T00:00:00Z') }),
    };
    const r = await verifySealedPdf(out, { trust, intermediates, now, sealStatus: lost });
    expect(r.status).toBe('invalid');
    expect(codes(r.signatures[0]!.errors)).toContain('ERR_SEAL_STATUS_INACTIVE');
  });

  it('compatibility mode (GB/T 38540 SES_Signature in /Contents): valid with the seal; a wrong dataHash is invalid', async () => {
    const seal = await devSeal();
    const out = await sealPdf(await makePdf(), {
      signer: holder('sm2').signer,
      seal,
      format: 'gbt38540',
      placement: { page: 1, x: 30, y: 40 },
      now: SIGNED_AT,
    });
    const r = await verifySealedPdf(out, { trust, intermediates, now });
    const s = r.signatures[0]!;
    expect(r.status, JSON.stringify(s.errors)).toBe('valid');
    expect(s).toMatchObject({
      subFilter: 'GM.sm2seal',
      intact: true,
      coverage: 'entire-file',
      algorithm: 'sm2-sm3',
      level: null,
      signingTime: SIGNED_AT.toISOString(),
      seal: { esID: seal.sealInfo.esID, valid: true },
    });
    const forged = await forgeSesPdf(holder('sm2').signer, seal.der, {
      dataHash: new Uint8Array(32).fill(7),
    });
    const f = await verifySealedPdf(forged, { trust, intermediates, now });
    expect(f.status).toBe('invalid');
    expect(f.signatures[0]!.intact).toBe(false);
    expect(codes(f.signatures[0]!.errors)).toContain('ERR_SEAL_DATA_HASH_MISMATCH');
  });
});
