import { afterAll, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { importPrivateKey, importPublicKey } from '@govtrust/core/crypto';
import { cli } from './helpers.js';
import { hasTool, openssl, tempDir } from '../../core/test/helpers/tools.js';

describe('govtrust --help / --version', () => {
  it('prints help and version with exit 0', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: govtrust');
    const version = await cli('--version');
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('an unknown command or a missing option is a usage error: exit 2, one line with a code', async () => {
    const r = await cli('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error ERR_USAGE: .*\n$/);
    const m = await cli('key', 'gen', '--out', 'x.pem');
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('--alg');
  });
});

describe.skipIf(!hasTool('openssl'))('govtrust key gen', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it.each(['rsa2048', 'rsa3072', 'p256', 'p384', 'ed25519', 'sm2'])(
    '--alg %s writes a 0600 PKCS#8 key that OpenSSL reads',
    async (alg) => {
      const r = await cli(
        'key',
        'gen',
        '--alg',
        alg,
        '--out',
        t.path(`${alg}.pem`),
        '--pub',
        t.path(`${alg}.pub`),
      );
      expect(r.code).toBe(0);
      expect(statSync(t.path(`${alg}.pem`)).mode & 0o777).toBe(0o600);
      const key = importPrivateKey(t.read(`${alg}.pem`));
      expect(key.publicKey.equals(importPublicKey(t.read(`${alg}.pub`)))).toBe(true);
      expect(openssl(['pkey', '-in', t.path(`${alg}.pem`), '-pubout'])).toBe(key.publicKey.toPem());
    },
  );

  it('encrypts with --password-file and refuses to overwrite without --force', async () => {
    t.write('pw', 'correct horse\n');
    expect(
      (
        await cli(
          'key',
          'gen',
          '--alg',
          'sm2',
          '--out',
          t.path('e.pem'),
          '--password-file',
          t.path('pw'),
        )
      ).code,
    ).toBe(0);
    expect(() => importPrivateKey(t.read('e.pem'))).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_DECRYPT' }),
    );
    expect(importPrivateKey(t.read('e.pem'), { password: 'correct horse' }).type).toBe('sm2');
    const again = await cli('key', 'gen', '--alg', 'sm2', '--out', t.path('e.pem'));
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
    expect(
      (await cli('key', 'gen', '--alg', 'p256', '--out', t.path('e.pem'), '--force')).code,
    ).toBe(0);
  });

  it('an unknown algorithm is a usage error', async () => {
    const r = await cli('key', 'gen', '--alg', 'dsa', '--out', t.path('d.pem'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ERR_USAGE');
  });
});
