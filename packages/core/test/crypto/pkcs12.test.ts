import { afterAll, describe, expect, it } from 'vitest';
import {
  exportPkcs12,
  generateKeyPair,
  importPkcs12,
  importPrivateKey,
  importPublicKey,
  decodeCertificateChain,
} from '@govtrust/core/crypto';
import { openssl, tempDir, hasTool } from '../helpers/tools.js';

describe.skipIf(!hasTool('openssl'))('PKCS#12', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  const makeCert = (keyArgs: string[], name: string): void => {
    openssl([
      'req',
      '-x509',
      '-newkey',
      ...keyArgs,
      '-nodes',
      '-keyout',
      t.path(`${name}.key`),
      '-out',
      t.path(`${name}.crt`),
      '-subj',
      `/CN=${name}`,
      '-days',
      '2',
    ]);
  };

  it.each([
    ['RSA, OpenSSL 3 default (PBES2 AES-256, HMAC-SHA256)', ['rsa:2048'], []],
    ['P-256, OpenSSL 3 default', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], []],
    ['RSA, -legacy (3DES key, RC2-40 certificates, SHA-1 MAC)', ['rsa:2048'], ['-legacy']],
  ] as const)('reads a file made by openssl pkcs12 -export: %s', (_n, keyArgs, extra) => {
    makeCert([...keyArgs], 'leaf');
    makeCert(['rsa:2048'], 'other');
    const chain = t.write('chain.pem', new TextDecoder().decode(t.read('other.crt')));
    const args = [
      'pkcs12',
      '-export',
      '-inkey',
      t.path('leaf.key'),
      '-in',
      t.path('leaf.crt'),
      '-certfile',
      chain,
      '-out',
      t.path('f.p12'),
      '-passout',
      'pass:p12 pass',
    ];
    // -legacy needs OpenSSL's legacy provider, which Debian's libssl3 ships.
    openssl([...args, ...extra]);
    const { privateKey, certificates } = importPkcs12(t.read('f.p12'), 'p12 pass');
    expect(privateKey.publicKey.equals(importPrivateKey(t.read('leaf.key')).publicKey)).toBe(true);
    expect(certificates).toHaveLength(2);
    expect(Buffer.from(certificates[0]!)).toEqual(
      Buffer.from(decodeCertificateChain(new TextDecoder().decode(t.read('leaf.crt')))[0]!),
    );
  });

  it('wrong password -> ERR_KEY_DECRYPT; not a PKCS#12 -> ERR_KEY_PARSE', () => {
    makeCert(['rsa:2048'], 'w');
    openssl([
      'pkcs12',
      '-export',
      '-inkey',
      t.path('w.key'),
      '-in',
      t.path('w.crt'),
      '-out',
      t.path('w.p12'),
      '-passout',
      'pass:right',
    ]);
    expect(() => importPkcs12(t.read('w.p12'), 'wrong')).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_DECRYPT' }),
    );
    expect(() => importPkcs12(new Uint8Array([1, 2, 3, 4]), 'x')).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_PARSE' }),
    );
    expect(() => importPkcs12(t.read('w.p12').subarray(0, 100), 'right')).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_PARSE' }),
    );
  });

  it.each(['rsa2048', 'p256', 'sm2', 'ed25519'] as const)(
    'writes %s files that openssl pkcs12 reads and that read back',
    async (alg) => {
      const { privateKey } = generateKeyPair(alg);
      // A certificate for the key: openssl can sign RSA/EC/Ed25519 self-signed; for SM2 any certificate stands in as a second chain entry.
      t.write('k.pem', privateKey.toPem());
      const ossl = alg === 'sm2' ? ['-sm3', '-sigopt', 'distid:1234567812345678'] : [];
      openssl([
        'req',
        '-x509',
        '-key',
        t.path('k.pem'),
        '-out',
        t.path('k.crt'),
        '-subj',
        '/CN=exported',
        '-days',
        '2',
        ...ossl,
      ]);
      const cert = decodeCertificateChain(new TextDecoder().decode(t.read('k.crt')));
      const p12 = await exportPkcs12({ privateKey, certificates: cert, password: 'export pw' });
      t.write('out.p12', p12);
      const info = openssl(
        ['pkcs12', '-in', t.path('out.p12'), '-passin', 'pass:export pw', '-nodes', '-info'],
        {},
      );
      expect(info).toContain('BEGIN CERTIFICATE');
      expect(info).toContain('BEGIN PRIVATE KEY');
      const back = importPkcs12(p12, 'export pw');
      expect(back.privateKey.publicKey.equals(privateKey.publicKey)).toBe(true);
      expect(importPublicKey(back.certificates[0]!).equals(privateKey.publicKey)).toBe(true);
    },
  );

  it('refuses to export with an empty password or a certificate of another key', async () => {
    const a = generateKeyPair('p256').privateKey;
    await expect(
      exportPkcs12({ privateKey: a, certificates: [], password: '' }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    makeCert(['rsa:2048'], 'x');
    const foreign = decodeCertificateChain(new TextDecoder().decode(t.read('x.crt')));
    await expect(
      exportPkcs12({ privateKey: a, certificates: foreign, password: 'p' }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });
});
