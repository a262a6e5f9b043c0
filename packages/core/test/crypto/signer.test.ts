import { afterAll, describe, expect, it } from 'vitest';
import {
  createRemoteSigner,
  createSigner,
  createMessageDigester,
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  signData,
  verifyDigestSignature,
  verifySignature,
  maxSignatureSize,
  sm2SignatureToRaw,
  decodeSm2Signature,
  type KeyGenAlgorithm,
  type SignatureAlgorithm,
} from '@govtrust/core/crypto';
import { openssl, tempDir, hasTool } from '../helpers/tools.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

const cases: [KeyGenAlgorithm, SignatureAlgorithm][] = [
  ['rsa2048', 'rsa-pkcs1-sha256'],
  ['rsa2048', 'rsa-pkcs1-sha384'],
  ['rsa2048', 'rsa-pkcs1-sha512'],
  ['rsa3072', 'rsa-pss-sha256'],
  ['rsa2048', 'rsa-pss-sha384'],
  ['rsa2048', 'rsa-pss-sha512'],
  ['p256', 'ecdsa-sha256'],
  ['p384', 'ecdsa-sha384'],
  ['p256', 'ecdsa-sha512'],
  ['ed25519', 'ed25519'],
  ['sm2', 'sm2-sm3'],
];

const keys = new Map<KeyGenAlgorithm, ReturnType<typeof generateKeyPair>>();
const keyFor = (alg: KeyGenAlgorithm): ReturnType<typeof generateKeyPair> => {
  let k = keys.get(alg);
  if (k === undefined) {
    k = generateKeyPair(alg);
    keys.set(alg, k);
  }
  return k;
};

describe('sign and verify round trips', () => {
  it.each(cases)('%s with %s', async (keyAlg, algorithm) => {
    const { privateKey, publicKey } = keyFor(keyAlg);
    const msg = enc(`round trip ${algorithm} 电子证照`);
    const sig = await signData(privateKey, algorithm, msg);
    expect(sig.length).toBeLessThanOrEqual(maxSignatureSize(algorithm, publicKey));
    expect(verifySignature(algorithm, publicKey, msg, sig)).toBe(true);
    expect(verifySignature(algorithm, publicKey, enc('other'), sig)).toBe(false);
    const other = generateKeyPair(keyAlg).publicKey;
    expect(verifySignature(algorithm, other, msg, sig)).toBe(false);
  });

  it.each(cases.filter(([, a]) => a !== 'ed25519'))(
    '%s with %s verifies over a streamed digest',
    async (keyAlg, algorithm) => {
      const { privateKey, publicKey } = keyFor(keyAlg);
      const msg = enc('x'.repeat(10_000));
      const sig = await signData(privateKey, algorithm, msg);
      const d = createMessageDigester(algorithm, publicKey);
      for (let i = 0; i < msg.length; i += 999) d.update(msg.subarray(i, i + 999));
      const value = d.digest();
      expect(verifyDigestSignature(algorithm, publicKey, value, sig)).toBe(true);
      const wrong = value.slice();
      wrong[0]! ^= 1;
      expect(verifyDigestSignature(algorithm, publicKey, wrong, sig)).toBe(false);
    },
  );
});

describe('hostile signature values and keys', () => {
  it('refuses an RSA signature of the wrong length with ERR_SIGNATURE_MALFORMED', async () => {
    const { privateKey, publicKey } = keyFor('rsa2048');
    const sig = await signData(privateKey, 'rsa-pkcs1-sha256', enc('m'));
    expect(() =>
      verifySignature('rsa-pkcs1-sha256', publicKey, enc('m'), sig.subarray(0, 255)),
    ).toThrow(expect.objectContaining({ code: 'ERR_SIGNATURE_MALFORMED' }));
  });

  it('refuses a truncated ECDSA or SM2 signature and a 63-byte Ed25519 signature', async () => {
    for (const [k, a] of [
      ['p256', 'ecdsa-sha256'],
      ['sm2', 'sm2-sm3'],
      ['ed25519', 'ed25519'],
    ] as const) {
      const { privateKey, publicKey } = keyFor(k);
      const sig = await signData(privateKey, a, enc('m'));
      expect(() =>
        verifySignature(a, publicKey, enc('m'), sig.subarray(0, sig.length - 1)),
      ).toThrow(expect.objectContaining({ code: 'ERR_SIGNATURE_MALFORMED' }));
    }
  });

  it('refuses an algorithm that does not fit the key with ERR_ALG_MISMATCH', async () => {
    const { privateKey, publicKey } = keyFor('p256');
    await expect(signData(privateKey, 'sm2-sm3', enc('m'))).rejects.toMatchObject({
      code: 'ERR_ALG_MISMATCH',
    });
    expect(() =>
      verifySignature('rsa-pkcs1-sha256', publicKey, enc('m'), new Uint8Array(64)),
    ).toThrow(expect.objectContaining({ code: 'ERR_ALG_MISMATCH' }));
  });

  it('refuses an unknown algorithm name with ERR_ALG_NOT_SUPPORTED', () => {
    const { publicKey } = keyFor('p256');
    expect(() =>
      verifySignature('dsa-sha1' as SignatureAlgorithm, publicKey, enc('m'), new Uint8Array(8)),
    ).toThrow(expect.objectContaining({ code: 'ERR_ALG_NOT_SUPPORTED' }));
  });
});

describe.skipIf(!hasTool('openssl'))('OpenSSL 3 interop (both directions)', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());
  const msg = enc('GovTrust interop message 一网通办');

  const dgstCases: [KeyGenAlgorithm, SignatureAlgorithm, string[]][] = [
    ['rsa2048', 'rsa-pkcs1-sha256', ['-sha256']],
    [
      'rsa2048',
      'rsa-pss-sha256',
      ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32'],
    ],
    ['p256', 'ecdsa-sha256', ['-sha256']],
    ['p384', 'ecdsa-sha384', ['-sha384']],
  ];

  it.each(dgstCases)(
    '%s %s: openssl dgst verifies ours, we verify openssl dgst',
    async (keyAlg, algorithm, args) => {
      const { privateKey, publicKey } = keyFor(keyAlg);
      t.write('msg', msg);
      t.write('pub.pem', publicKey.toPem());
      t.write('key.pem', privateKey.toPem());
      t.write('ours.sig', await signData(privateKey, algorithm, msg));
      expect(
        openssl([
          'dgst',
          ...args,
          '-verify',
          t.path('pub.pem'),
          '-signature',
          t.path('ours.sig'),
          t.path('msg'),
        ]),
      ).toContain('Verified OK');
      openssl([
        'dgst',
        ...args,
        '-sign',
        t.path('key.pem'),
        '-out',
        t.path('theirs.sig'),
        t.path('msg'),
      ]);
      expect(verifySignature(algorithm, publicKey, msg, t.read('theirs.sig'))).toBe(true);
    },
  );

  it('ed25519: openssl pkeyutl verifies ours, we verify openssl pkeyutl', async () => {
    const { privateKey, publicKey } = keyFor('ed25519');
    t.write('msg', msg);
    t.write('pub.pem', publicKey.toPem());
    t.write('key.pem', privateKey.toPem());
    t.write('ours.sig', await signData(privateKey, 'ed25519', msg));
    expect(
      openssl([
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        t.path('pub.pem'),
        '-rawin',
        '-in',
        t.path('msg'),
        '-sigfile',
        t.path('ours.sig'),
      ]),
    ).toContain('Signature Verified Successfully');
    openssl([
      'pkeyutl',
      '-sign',
      '-inkey',
      t.path('key.pem'),
      '-rawin',
      '-in',
      t.path('msg'),
      '-out',
      t.path('theirs.sig'),
    ]);
    expect(verifySignature('ed25519', publicKey, msg, t.read('theirs.sig'))).toBe(true);
  });

  it('keys generated by OpenSSL import and sign (RSA, P-256, P-384, Ed25519)', async () => {
    const specs: [string[], SignatureAlgorithm][] = [
      [['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], 'rsa-pkcs1-sha256'],
      [['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'ecdsa-sha256'],
      [['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], 'ecdsa-sha384'],
      [['-algorithm', 'ED25519'], 'ed25519'],
    ];
    for (const [args, algorithm] of specs) {
      openssl(['genpkey', ...args, '-out', t.path('g.pem')]);
      openssl(['pkey', '-in', t.path('g.pem'), '-pubout', '-out', t.path('g.pub')]);
      const signer = createSigner(importPrivateKey(t.read('g.pem')), { algorithm });
      const sig = await signer.sign(msg);
      expect(verifySignature(algorithm, importPublicKey(t.read('g.pub')), msg, sig)).toBe(true);
    }
  });
});

describe.skipIf(!hasTool('openssl'))('createSigner and certificates', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('checks that the key belongs to the certificate (ERR_KEY_MISMATCH)', () => {
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      t.path('k.pem'),
      '-out',
      t.path('c.pem'),
      '-subj',
      '/CN=test',
      '-days',
      '1',
    ]);
    const key = importPrivateKey(t.read('k.pem'));
    const certPem = new TextDecoder().decode(t.read('c.pem'));
    const signer = createSigner(key, { certificateChain: certPem });
    expect(signer.algorithm).toBe('ecdsa-sha256');
    expect(signer.certificateChain).toHaveLength(1);
    expect(() => createSigner(keyFor('p256').privateKey, { certificateChain: certPem })).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_MISMATCH' }),
    );
  });
});

describe('remote (two-step) signer', () => {
  it('hands the digest to the callback: SM2 e includes Z_A; raw r || s is converted to DER and checked', async () => {
    const { privateKey, publicKey } = keyFor('sm2');
    const seen: Uint8Array[] = [];
    const signer = createRemoteSigner({
      algorithm: 'sm2-sm3',
      publicKey,
      signatureFormat: 'raw',
      async sign(req) {
        expect(req.digestAlgorithm).toBe('sm3');
        seen.push(req.digest!);
        // Stand-in for a UKey that returns raw r || s.
        return sm2SignatureToRaw(
          decodeSm2Signature(await signData(privateKey, 'sm2-sm3', req.data)),
        );
      },
    });
    const sig = await signer.sign(enc('two-step'));
    expect(verifySignature('sm2-sm3', publicKey, enc('two-step'), sig)).toBe(true);
    expect(verifyDigestSignature('sm2-sm3', publicKey, seen[0]!, sig)).toBe(true);
  });

  it('refuses a signature from the wrong key (ERR_SIGNER_FAILED) and wraps callback failures', async () => {
    const { publicKey } = keyFor('p256');
    const wrong = generateKeyPair('p256').privateKey;
    const signer = createRemoteSigner({
      algorithm: 'ecdsa-sha256',
      publicKey,
      sign: (req) => signData(wrong, 'ecdsa-sha256', req.data),
    });
    await expect(signer.sign(enc('x'))).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED' });
    const failing = createRemoteSigner({
      algorithm: 'ecdsa-sha256',
      publicKey,
      sign: () => Promise.reject(new Error('token removed')),
    });
    await expect(failing.sign(enc('x'))).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED' });
  });
});
