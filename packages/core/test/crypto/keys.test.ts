import { afterAll, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import {
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  keyGenAlgorithms,
  signData,
  verifySignature,
  defaultSignatureAlgorithm,
} from '@govtrust/core/crypto';
import { openssl, tempDir, hasTool } from '../helpers/tools.js';

describe('key generation and PEM/DER round trips', () => {
  it.each(keyGenAlgorithms)(
    '%s: PKCS#8, encrypted PKCS#8 and SPKI round-trip; the key still signs',
    async (alg) => {
      const { privateKey, publicKey } = generateKeyPair(alg);
      const fromPem = importPrivateKey(privateKey.toPem());
      const fromDer = importPrivateKey(privateKey.toDer());
      const fromEnc = importPrivateKey(privateKey.toPem({ password: '口令 secret' }), {
        password: '口令 secret',
      });
      const fromEncDer = importPrivateKey(privateKey.toDer({ password: 'p' }), { password: 'p' });
      for (const k of [fromPem, fromDer, fromEnc, fromEncDer])
        expect(k.publicKey.equals(publicKey)).toBe(true);
      expect(importPublicKey(publicKey.toPem()).equals(publicKey)).toBe(true);
      expect(importPublicKey(publicKey.toDer()).equals(publicKey)).toBe(true);
      const algorithm = defaultSignatureAlgorithm(privateKey);
      const sig = await signData(fromEnc, algorithm, new Uint8Array([1, 2, 3]));
      expect(verifySignature(algorithm, publicKey, new Uint8Array([1, 2, 3]), sig)).toBe(true);
    },
  );

  it('never prints key material', () => {
    const { privateKey } = generateKeyPair('sm2');
    expect(JSON.stringify(privateKey)).toBe('{"type":"sm2"}');
    expect(inspect(privateKey)).toBe("PrivateKey { type: 'sm2' }");
  });
});

describe.skipIf(!hasTool('openssl'))('keys that OpenSSL reads', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it.each(keyGenAlgorithms)(
    '%s: openssl pkey reads our PKCS#8 (plain and encrypted) and SPKI',
    (alg) => {
      const { privateKey, publicKey } = generateKeyPair(alg);
      t.write('k.pem', privateKey.toPem());
      t.write('e.pem', privateKey.toPem({ password: 'pw' }));
      t.write('p.pem', publicKey.toPem());
      const pub1 = openssl(['pkey', '-in', t.path('k.pem'), '-pubout']);
      const pub2 = openssl(['pkey', '-in', t.path('e.pem'), '-passin', 'pass:pw', '-pubout']);
      const pub3 = openssl(['pkey', '-pubin', '-in', t.path('p.pem'), '-pubout']);
      expect(pub1).toBe(publicKey.toPem());
      expect(pub2).toBe(publicKey.toPem());
      expect(pub3).toBe(publicKey.toPem());
    },
  );

  it('imports the public key of a certificate (PEM and DER)', () => {
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      t.path('ck.pem'),
      '-out',
      t.path('c.pem'),
      '-subj',
      '/CN=cert',
      '-days',
      '1',
    ]);
    openssl(['x509', '-in', t.path('c.pem'), '-outform', 'DER', '-out', t.path('c.der')]);
    const key = importPrivateKey(t.read('ck.pem'));
    expect(importPublicKey(t.read('c.pem')).equals(key.publicKey)).toBe(true);
    expect(importPublicKey(t.read('c.der')).equals(key.publicKey)).toBe(true);
  });
});

describe('bad key input gets a clear code', () => {
  const enc = generateKeyPair('p256').privateKey.toPem({ password: 'right' });
  it.each([
    ['empty input', '', 'ERR_KEY_PARSE'],
    ['garbage DER', new Uint8Array([0x30, 0x03, 0x02, 0x01]), 'ERR_KEY_PARSE'],
    [
      'PEM with broken base64',
      '-----BEGIN PRIVATE KEY-----\n@@@@\n-----END PRIVATE KEY-----\n',
      'ERR_KEY_PARSE',
    ],
    [
      'PEM with no key block',
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      'ERR_KEY_PARSE',
    ],
    [
      'truncated PKCS#8',
      generateKeyPair('p256').privateKey.toDer().subarray(0, 40),
      'ERR_KEY_PARSE',
    ],
  ] as const)('%s -> %s', (_name, input, code) => {
    expect(() => importPrivateKey(input)).toThrow(expect.objectContaining({ code }));
  });

  it('an encrypted key without a password or with a wrong one -> ERR_KEY_DECRYPT', () => {
    expect(() => importPrivateKey(enc)).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_DECRYPT' }),
    );
    expect(() => importPrivateKey(enc, { password: 'wrong' })).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_DECRYPT' }),
    );
  });

  it.skipIf(!hasTool('openssl'))('an unsupported curve (secp256k1) -> ERR_KEY_UNSUPPORTED', () => {
    const t = tempDir();
    try {
      openssl([
        'genpkey',
        '-algorithm',
        'EC',
        '-pkeyopt',
        'ec_paramgen_curve:secp256k1',
        '-out',
        t.path('k1.pem'),
      ]);
      expect(() => importPrivateKey(t.read('k1.pem'))).toThrow(
        expect.objectContaining({ code: 'ERR_KEY_UNSUPPORTED' }),
      );
      openssl(['pkey', '-in', t.path('k1.pem'), '-pubout', '-out', t.path('k1.pub')]);
      expect(() => importPublicKey(t.read('k1.pub'))).toThrow(
        expect.objectContaining({ code: 'ERR_KEY_UNSUPPORTED' }),
      );
    } finally {
      t.cleanup();
    }
  });

  it('an unknown key algorithm for generation -> ERR_KEY_UNSUPPORTED', () => {
    expect(() => generateKeyPair('dsa1024' as never)).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_UNSUPPORTED' }),
    );
  });
});
