import { describe, expect, it } from 'vitest';
import { digest } from '@govtrust/core/crypto';
import { createTrustStore, parseCertificate } from '@govtrust/core/pki';
import {
  createSealId,
  createSesSignature,
  makeSeal,
  parseSesSignature,
  verifyOfdSeals,
  verifySesSignature,
  type SesSeal,
} from '@govtrust/core/seal';
import { encodeSesSignatureV4 } from '../../src/seal/asn1/ses-signature-v4.js';
import { encodeTbsSignV4 } from '../../src/seal/asn1/tbs-sign-v4.js';
import { hasTool, openssl, tempDir } from '../helpers/tools.js';
import { cert, ofdrw, sealFixture, sealFixturePath, signer } from './fixtures.js';
import { readZip, rewriteZip } from './zip-helper.js';

const DAY = 86_400_000;
const FROM = parseCertificate(cert('maker')).notBefore.getTime();
const NOW = new Date(FROM + 30 * DAY);
const SIGNATURE_XML = '/Doc_0/Signs/Sign_0/Signature.xml';

async function devSeal(): Promise<SesSeal> {
  return makeSeal({
    maker: signer('maker'),
    holderCertificates: [cert('holder')],
    name: '测试单位',
    type: 1,
    esID: createSealId({ region: '110101', serial: 7 }),
    picture: { type: 'PNG', data: sealFixture('red.png'), width: 40, height: 40 },
    validity: { from: new Date(FROM + DAY), to: new Date(FROM + 365 * DAY) },
    now: new Date(FROM + DAY),
  });
}

/** A V4 SES_Signature built with the low-level encoders, for signatures the producer refuses to make. */
async function rawSignature(
  seal: SesSeal,
  who: string,
  data: Uint8Array,
  time: Date,
): Promise<Uint8Array> {
  const s = signer(who);
  const tbs = encodeTbsSignV4({
    version: 4,
    sealDer: seal.der,
    signingTime: time,
    dataHash: digest('sm3', data),
    propertyInfo: SIGNATURE_XML,
  });
  return encodeSesSignatureV4({
    tbsSign: tbs,
    signerCertificate: cert(who),
    signatureAlgorithm: '1.2.156.10197.1.501',
    signatureValue: await s.sign(tbs),
  });
}

describe('createSesSignature (GB/T 38540 7.2)', () => {
  it('signs DER(TBS_Sign); verifies with the chain to the DEV CA and with OpenSSL', async () => {
    const seal = await devSeal();
    const data = new TextEncoder().encode('<ofd:Signature/>');
    const sig = await createSesSignature({
      seal,
      signer: signer('holder'),
      data,
      propertyInfo: SIGNATURE_XML,
      signingTime: NOW,
    });
    expect(sig.version).toBe(4);
    expect(sig.nonDer).toEqual([]);
    expect(sig.toSign.seal.der).toEqual(seal.der);
    const report = await verifySesSignature(sig, {
      now: NOW,
      protectedData: data,
      trust: createTrustStore([cert('ca')]),
    });
    expect(report).toMatchObject({
      status: 'valid',
      intact: true,
      trusted: true,
      dataHashValid: true,
      seal: { valid: true, signerInCertList: true, trusted: true },
    });
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(parseSesSignature(sig.der).toSign.der).toEqual(sig.toSign.der);
  });

  it.skipIf(!hasTool('openssl'))(
    'OpenSSL verifies the signature over DER(TBS_Sign) with the signer key and distid',
    async () => {
      const sig = await createSesSignature({
        seal: await devSeal(),
        signer: signer('holder'),
        dataHash: new Uint8Array(32),
        propertyInfo: 'x',
        signingTime: NOW,
      });
      const t = tempDir();
      try {
        t.write(
          'pub.pem',
          openssl(['x509', '-pubkey', '-noout', '-in', sealFixturePath('holder.cert.pem')]),
        );
        t.write('tbs.der', sig.toSign.der);
        t.write('sig.der', sig.signatureValue);
        expect(
          openssl([
            'pkeyutl',
            '-verify',
            '-pubin',
            '-inkey',
            t.path('pub.pem'),
            '-rawin',
            '-in',
            t.path('tbs.der'),
            '-sigfile',
            t.path('sig.der'),
            '-digest',
            'sm3',
            '-pkeyopt',
            'distid:1234567812345678',
          ]),
        ).toContain('Signature Verified Successfully');
      } finally {
        t.cleanup();
      }
    },
  );

  it('refuses a signer outside the certList and a signing time outside the seal validity', async () => {
    const seal = await devSeal();
    await expect(
      createSesSignature({
        seal,
        signer: signer('other'),
        dataHash: new Uint8Array(32),
        propertyInfo: 'x',
        signingTime: NOW,
      }),
    ).rejects.toMatchObject({ code: 'ERR_SEAL_SIGNER_NOT_IN_CERT_LIST' });
    await expect(
      createSesSignature({
        seal,
        signer: signer('holder'),
        dataHash: new Uint8Array(32),
        propertyInfo: 'x',
        signingTime: new Date(FROM + 400 * DAY),
      }),
    ).rejects.toMatchObject({ code: 'ERR_SEAL_NOT_VALID_AT_SIGNING_TIME' });
  });
});

describe('an OFD re-sealed with the DEV PKI (999.ofd with our SignedValue.dat)', () => {
  async function resealed(who: string, time: Date): Promise<Uint8Array> {
    const files = await readZip(ofdrw('999.ofd'));
    const xml = files.get('Doc_0/Signs/Sign_0/Signature.xml')!;
    const seal = await devSeal();
    // 'holder' goes through createSesSignature; anything else is built raw (the producer refuses it).
    const dat =
      who === 'holder'
        ? (
            await createSesSignature({
              seal,
              signer: signer('holder'),
              data: xml,
              propertyInfo: SIGNATURE_XML,
              signingTime: time,
            })
          ).der
        : await rawSignature(seal, who === 'holder-raw' ? 'holder' : who, xml, time);
    return rewriteZip(ofdrw('999.ofd'), { 'Doc_0/Signs/Sign_0/SignedValue.dat': dat });
  }

  it('is valid and trusted with the DEV CA as trust anchor', async () => {
    const report = await verifyOfdSeals(await resealed('holder', NOW), {
      now: NOW,
      trust: createTrustStore([cert('ca')]),
    });
    expect(report.status).toBe('valid');
    expect(report.signatures[0]).toMatchObject({
      status: 'valid',
      intact: true,
      trusted: true,
      seal: { esID: '11010100000007' },
    });
    const untrusted = await verifyOfdSeals(await resealed('holder', NOW), {
      now: NOW,
      trust: createTrustStore([cert('other')]),
    });
    expect(untrusted.status).toBe('indeterminate');
  });

  it('a signer not in the seal’s certList is invalid with ERR_SEAL_SIGNER_NOT_IN_CERT_LIST', async () => {
    const sig = (await verifyOfdSeals(await resealed('other', NOW), { now: NOW })).signatures[0]!;
    expect(sig.status).toBe('invalid');
    expect(sig.errors.map((e) => e.code)).toEqual(['ERR_SEAL_SIGNER_NOT_IN_CERT_LIST']);
  });

  it('a signature made after the seal expired is invalid with ERR_SEAL_NOT_VALID_AT_SIGNING_TIME', async () => {
    const late = new Date(FROM + 400 * DAY);
    const sig = (await verifyOfdSeals(await resealed('holder-raw', late), { now: late }))
      .signatures[0]!;
    expect(sig.status).toBe('invalid');
    expect(sig.errors.map((e) => e.code)).toEqual(
      expect.arrayContaining(['ERR_SEAL_NOT_VALID_AT_SIGNING_TIME']),
    );
  });
});
