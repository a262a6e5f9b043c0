import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import {
  generateKeyPair,
  openPkcs11Signer,
  verifySignature,
  importPublicKey,
  type SignatureAlgorithm,
} from '@govtrust/core/crypto';
import { openssl, run, tempDir, hasTool } from '../helpers/tools.js';

// SoftHSM2 is installed by .ci/run (Debian package softhsm2); this path is where Debian puts it.
const MODULE = '/usr/lib/softhsm/libsofthsm2.so';

describe.skipIf(!hasTool('softhsm2-util') || !hasTool('openssl'))(
  'PKCS#11 signer against SoftHSM2',
  () => {
    const t = tempDir('govtrust-hsm-');
    const env = { SOFTHSM2_CONF: t.path('softhsm2.conf') };
    const pin = '123456';

    beforeAll(() => {
      expect(existsSync(MODULE), `${MODULE} missing: install softhsm2`).toBe(true);
      t.write(
        'softhsm2.conf',
        `directories.tokendir = ${t.dir}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n`,
      );
      run('mkdir', ['-p', `${t.dir}/tokens`]);
      // The library reads SOFTHSM2_CONF when it is initialised, inside this test process.
      process.env.SOFTHSM2_CONF = env.SOFTHSM2_CONF;
      run(
        'softhsm2-util',
        ['--init-token', '--free', '--label', 'govtrust-test', '--so-pin', '654321', '--pin', pin],
        { env },
      );
      for (const [name, alg, id] of [
        ['rsa', 'rsa2048', '01'],
        ['ec', 'p256', '02'],
        ['ec384', 'p384', '03'],
      ] as const) {
        const { privateKey } = generateKeyPair(alg);
        t.write(`${name}.key`, privateKey.toPem());
        openssl([
          'req',
          '-x509',
          '-key',
          t.path(`${name}.key`),
          '-out',
          t.path(`${name}.crt`),
          '-subj',
          `/CN=hsm ${name}`,
          '-days',
          '2',
        ]);
        run(
          'softhsm2-util',
          [
            '--import',
            t.path(`${name}.key`),
            '--token',
            'govtrust-test',
            '--label',
            name,
            '--id',
            id,
            '--pin',
            pin,
          ],
          { env },
        );
      }
    });
    afterAll(() => t.cleanup());

    it.each([
      ['rsa', 'rsa-pkcs1-sha256'],
      ['rsa', 'rsa-pss-sha256'],
      ['rsa', 'rsa-pkcs1-sha512'],
      ['ec', 'ecdsa-sha256'],
      ['ec384', 'ecdsa-sha384'],
    ] as const)(
      'key %s signs %s on the token; the signature verifies with the certificate key',
      async (label, algorithm: SignatureAlgorithm) => {
        const cert = new TextDecoder().decode(t.read(`${label}.crt`));
        const signer = await openPkcs11Signer({
          module: MODULE,
          tokenLabel: 'govtrust-test',
          pin,
          keyLabel: label,
          algorithm,
          certificateChain: cert,
        });
        try {
          const msgs = Array.from({ length: 4 }, (_, i) =>
            new TextEncoder().encode(`hsm ${label} ${i}`),
          );
          // Concurrent calls are queued on the one session.
          const sigs = await Promise.all(msgs.map((m) => signer.sign(m)));
          sigs.forEach((sig, i) =>
            expect(verifySignature(algorithm, importPublicKey(cert), msgs[i]!, sig)).toBe(true),
          );
          t.write('m', msgs[0]!);
          t.write('s', sigs[0]!);
          t.write('p', importPublicKey(cert).toPem());
          if (algorithm === 'ecdsa-sha256') {
            expect(
              openssl([
                'dgst',
                '-sha256',
                '-verify',
                t.path('p'),
                '-signature',
                t.path('s'),
                t.path('m'),
              ]),
            ).toContain('Verified OK');
          }
        } finally {
          signer.close();
        }
      },
    );

    it('wrong PIN -> ERR_PKCS11_LOGIN; unknown key -> ERR_PKCS11_KEY_NOT_FOUND; bad module -> ERR_PKCS11_MODULE', async () => {
      const cert = new TextDecoder().decode(t.read('rsa.crt'));
      await expect(
        openPkcs11Signer({
          module: MODULE,
          tokenLabel: 'govtrust-test',
          pin: '000000',
          keyLabel: 'rsa',
          certificateChain: cert,
        }),
      ).rejects.toMatchObject({ code: 'ERR_PKCS11_LOGIN' });
      await expect(
        openPkcs11Signer({
          module: MODULE,
          tokenLabel: 'govtrust-test',
          pin,
          keyLabel: 'nope',
          certificateChain: cert,
        }),
      ).rejects.toMatchObject({ code: 'ERR_PKCS11_KEY_NOT_FOUND' });
      await expect(
        openPkcs11Signer({ module: MODULE, tokenLabel: 'no-such-token', pin, keyLabel: 'rsa' }),
      ).rejects.toMatchObject({ code: 'ERR_PKCS11_KEY_NOT_FOUND' });
      await expect(
        openPkcs11Signer({ module: '/nonexistent/lib.so', pin, keyLabel: 'rsa' }),
      ).rejects.toMatchObject({ code: 'ERR_PKCS11_MODULE' });
    });

    it('SM2 has no standard PKCS#11 mechanism: ERR_ALG_NOT_SUPPORTED (use the remote signer)', async () => {
      t.write('sm2.key', generateKeyPair('sm2').privateKey.toPem());
      openssl([
        'req',
        '-x509',
        '-key',
        t.path('sm2.key'),
        '-out',
        t.path('sm2.crt'),
        '-subj',
        '/CN=sm2',
        '-days',
        '2',
        '-sm3',
        '-sigopt',
        'distid:1234567812345678',
      ]);
      const cert = new TextDecoder().decode(t.read('sm2.crt'));
      await expect(
        openPkcs11Signer({
          module: MODULE,
          tokenLabel: 'govtrust-test',
          pin,
          keyLabel: 'ec',
          certificateChain: cert,
        }),
      ).rejects.toMatchObject({ code: 'ERR_ALG_NOT_SUPPORTED' });
    });
  },
);
