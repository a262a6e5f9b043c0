import { describe, expect, it, afterAll } from 'vitest';
import { sm2 as smv2 } from 'sm-crypto-v2';
import {
  decodeSm2Signature,
  encodeSm2Signature,
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  signData,
  sm2MessageDigest,
  sm2PublicPoint,
  sm2Sign,
  sm2SignDigest,
  sm2Verify,
  sm2VerifyDigest,
  sm2ZValue,
  sm2SignatureToRaw,
  sm2SignatureFromRaw,
  verifySignature,
  decodeSm2Point,
  SM2_RECOMMENDED_CURVE,
} from '@govtrust/core/crypto';
import { sm2SignatureVectors } from '../vectors/sm2.js';
import { openssl, tempDir, hasTool } from '../helpers/tools.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

describe('SM2 known-answer vectors (GB/T 32918.2)', () => {
  for (const v of sm2SignatureVectors) {
    const curve = v.curve ?? SM2_RECOMMENDED_CURVE;
    it(v.title, () => {
      const pub = sm2PublicPoint(v.d, curve);
      expect(pub).toEqual({ x: v.px, y: v.py });
      expect(hex(sm2ZValue(pub, v.id, curve))).toBe(v.z);
      const e = sm2MessageDigest(enc(v.message), pub, v.id, curve);
      expect(hex(e)).toBe(v.e);
      const sig = sm2SignDigest(e, v.d, { curve, k: v.k });
      expect(sig).toEqual({ r: v.r, s: v.s });
      expect(sm2Verify(enc(v.message), sig, pub, { id: v.id, curve })).toBe(true);
      expect(sm2Verify(enc(v.message + '!'), sig, pub, { id: v.id, curve })).toBe(false);
      expect(sm2Verify(enc(v.message), { r: v.r, s: v.s ^ 1n }, pub, { id: v.id, curve })).toBe(
        false,
      );
      // A different ID changes Z and must fail: the ID is part of what is signed.
      expect(sm2Verify(enc(v.message), sig, pub, { id: 'other', curve })).toBe(false);
    });
  }

  it('rejects r or s outside [1, n-1] and the point at infinity sum', () => {
    const v = sm2SignatureVectors[1]!;
    const pub = sm2PublicPoint(v.d);
    const e = sm2MessageDigest(enc(v.message), pub);
    const n = SM2_RECOMMENDED_CURVE.n;
    expect(sm2VerifyDigest(e, { r: 0n, s: v.s }, pub)).toBe(false);
    expect(sm2VerifyDigest(e, { r: v.r, s: 0n }, pub)).toBe(false);
    expect(sm2VerifyDigest(e, { r: n, s: v.s }, pub)).toBe(false);
    expect(sm2VerifyDigest(e, { r: v.r, s: n + v.s }, pub)).toBe(false);
    // r + s = n makes t = 0.
    expect(sm2VerifyDigest(e, { r: v.r, s: n - v.r }, pub)).toBe(false);
  });

  it('rejects a public key that is not on the curve', () => {
    const bad = new Uint8Array(65);
    bad[0] = 4;
    bad[64] = 1;
    expect(() => decodeSm2Point(bad)).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_UNSUPPORTED' }),
    );
    const v = sm2SignatureVectors[1]!;
    expect(sm2Verify(enc('x'), { r: v.r, s: v.s }, { x: 1n, y: 1n })).toBe(false);
  });
});

describe('SM2 against an independent implementation (sm-crypto-v2, hash: true, der: true)', () => {
  const { privateKey } = generateKeyPair('sm2');
  const pubHex = '04' + hex(privateKey.publicKey.rawKey.subarray(1)).toLowerCase();

  it('sm-crypto-v2 verifies our signatures and we verify theirs (20 random messages each way)', async () => {
    // sm-crypto-v2 takes the private scalar as hex; read it from our PKCS#8 through a PEM round trip.
    for (let i = 0; i < 20; i++) {
      const msg = enc(`message ${i} 中文 ${Math.random()}`);
      const ours = await signData(privateKey, 'sm2-sm3', msg);
      expect(
        smv2.doVerifySignature(msg, Buffer.from(ours).toString('hex'), pubHex, {
          hash: true,
          der: true,
        }),
      ).toBe(true);
    }
  });

  it('we verify signatures made by sm-crypto-v2', () => {
    const kp = smv2.generateKeyPairHex();
    const pub = decodeSm2Point(Buffer.from(kp.publicKey, 'hex'));
    for (let i = 0; i < 20; i++) {
      const msg = enc(`theirs ${i} 中文`);
      const sigHex = smv2.doSignature(msg, kp.privateKey, { hash: true, der: true });
      expect(sm2Verify(msg, decodeSm2Signature(Buffer.from(sigHex, 'hex')), pub)).toBe(true);
    }
  });
});

describe.skipIf(!hasTool('openssl'))(
  'SM2 interop with OpenSSL 3 (pkeyutl -digest sm3 -pkeyopt distid:1234567812345678)',
  () => {
    const t = tempDir();
    afterAll(() => t.cleanup());

    it('OpenSSL verifies our signatures made with our key', async () => {
      const { privateKey, publicKey } = generateKeyPair('sm2');
      t.write('pub.pem', publicKey.toPem());
      for (let i = 0; i < 5; i++) {
        const msg = enc(`GovTrust SM2 ${i} 电子印章`);
        t.write('msg', msg);
        t.write('sig.der', await signData(privateKey, 'sm2-sm3', msg));
        const out = openssl([
          'pkeyutl',
          '-verify',
          '-pubin',
          '-inkey',
          t.path('pub.pem'),
          '-rawin',
          '-in',
          t.path('msg'),
          '-sigfile',
          t.path('sig.der'),
          '-digest',
          'sm3',
          '-pkeyopt',
          'distid:1234567812345678',
        ]);
        expect(out).toContain('Signature Verified Successfully');
      }
    });

    it('we verify signatures OpenSSL made with an OpenSSL-generated key; an empty-ID signature is not standard SM2', () => {
      openssl([
        'genpkey',
        '-algorithm',
        'EC',
        '-pkeyopt',
        'ec_paramgen_curve:SM2',
        '-out',
        t.path('key.pem'),
      ]);
      openssl(['pkey', '-in', t.path('key.pem'), '-pubout', '-out', t.path('opub.pem')]);
      const priv = importPrivateKey(t.read('key.pem'));
      const pub = importPublicKey(t.read('opub.pem'));
      expect(priv.type).toBe('sm2');
      expect(priv.publicKey.equals(pub)).toBe(true);
      for (let i = 0; i < 5; i++) {
        const msg = enc(`OpenSSL SM2 ${i}`);
        t.write('m2', msg);
        openssl([
          'pkeyutl',
          '-sign',
          '-inkey',
          t.path('key.pem'),
          '-rawin',
          '-in',
          t.path('m2'),
          '-out',
          t.path('s2'),
          '-digest',
          'sm3',
          '-pkeyopt',
          'distid:1234567812345678',
        ]);
        expect(verifySignature('sm2-sm3', pub, msg, t.read('s2'))).toBe(true);
        // OpenSSL without distid uses an empty ID: that is not standard SM2 and must not verify.
        openssl([
          'pkeyutl',
          '-sign',
          '-inkey',
          t.path('key.pem'),
          '-rawin',
          '-in',
          t.path('m2'),
          '-out',
          t.path('s3'),
          '-digest',
          'sm3',
        ]);
        expect(verifySignature('sm2-sm3', pub, msg, t.read('s3'))).toBe(false);
        expect(verifySignature('sm2-sm3', pub, msg, t.read('s3'), { sm2Id: '' })).toBe(true);
      }
    });

    it('reads the traditional SEC 1 forms of an SM2 key ("SM2 PRIVATE KEY" as OpenSSL 3 writes it, and "EC PRIVATE KEY")', () => {
      openssl(['ec', '-in', t.path('key.pem'), '-out', t.path('sec1.pem')]);
      const text = new TextDecoder().decode(t.read('sec1.pem'));
      expect(text).toContain('BEGIN SM2 PRIVATE KEY');
      const reference = importPrivateKey(t.read('key.pem'));
      for (const form of [text, text.replace(/SM2 PRIVATE KEY/g, 'EC PRIVATE KEY')]) {
        const key = importPrivateKey(form);
        expect(key.type).toBe('sm2');
        expect(key.publicKey.equals(reference.publicKey)).toBe(true);
      }
    });
  },
);

describe('SM2 signature encodings', () => {
  it('round-trips DER and raw r || s', () => {
    const v = sm2SignatureVectors[1]!;
    const sig = { r: v.r, s: v.s };
    expect(decodeSm2Signature(encodeSm2Signature(sig))).toEqual(sig);
    expect(sm2SignatureFromRaw(sm2SignatureToRaw(sig))).toEqual(sig);
    expect(sm2SignatureToRaw({ r: 1n, s: 2n })).toHaveLength(64);
  });

  it.each([
    ['empty', ''],
    ['truncated', '3044022100f5a03b0648d2c463'],
    ['trailing data', '3006020101020101' + '00'],
    ['negative r', '300602018102 0101'.replace(' ', '')],
    ['non-minimal r', '30070202000102 0101'.replace(' ', '')],
    ['three integers', '3009020101020101020101'],
    ['indefinite length', '3080020101020101 0000'.replace(' ', '')],
  ])('refuses a malformed value (%s) with ERR_SIGNATURE_MALFORMED', (_name, value) => {
    expect(() => decodeSm2Signature(Buffer.from(value, 'hex'))).toThrow(
      expect.objectContaining({ code: 'ERR_SIGNATURE_MALFORMED' }),
    );
  });

  it('signs with fresh nonces: two signatures of one message differ and both verify', () => {
    const v = sm2SignatureVectors[1]!;
    const pub = sm2PublicPoint(v.d);
    const a = sm2Sign(enc('m'), v.d);
    const b = sm2Sign(enc('m'), v.d);
    expect(a).not.toEqual(b);
    expect(sm2Verify(enc('m'), a, pub)).toBe(true);
    expect(sm2Verify(enc('m'), b, pub)).toBe(true);
  });
});
