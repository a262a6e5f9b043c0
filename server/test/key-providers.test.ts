// Seal keys outside the store: a PKCS#12 file and a PKCS#11 token (SoftHSM2), each sealing a PDF that pdfsig accepts;
// a two-step session that expires (fixed clock).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPkcs12, generateKeyPair, importPrivateKey } from '@govtrust/core/crypto';
import { parseCertificates } from '@govtrust/core/pki';
import { makeDemoPdf } from '../src/index.js';
import { hasTool } from '../../packages/core/test/helpers/tools.js';
import { DEV_PKI_DIR, startTestServer, type TestServer } from './helpers.js';
import { makeNssDb, pdfsig } from './pdf-tools.js';

const SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so';
const positions = [{ type: 'page' as const, page: 1, x: 30, y: 30 }];

describe.skipIf(!hasTool('pdfsig') || !hasTool('certutil') || !hasTool('softhsm2-util'))(
  'seal key providers',
  () => {
    let t: TestServer;
    let nss: string;
    beforeAll(async () => {
      t = await startTestServer();
      nss = await makeNssDb(t.dataDir, join(DEV_PKI_DIR, 'p256', 'root.pem'));
    });
    afterAll(async () => {
      await t.cleanup();
    });

    it('PKCS#12: the seal signs with the key and certificate of the file', async () => {
      const chain = parseCertificates(
        readFileSync(join(DEV_PKI_DIR, 'p256', 'org-b.chain.pem'), 'utf8'),
      );
      const p12 = await exportPkcs12({
        privateKey: importPrivateKey(readFileSync(join(DEV_PKI_DIR, 'p256', 'org-b.key'), 'utf8')),
        certificates: chain.map((c) => c.der),
        password: 'p12-pass',
      });
      const path = join(t.dataDir, 'org-b.p12');
      writeFileSync(path, p12, { mode: 0o600 });
      writeFileSync(join(t.dataDir, 'p12.pass'), 'p12-pass\n', { mode: 0o600 });
      const seal = await t.admin.createSeal({
        name: '示例市市场监督管理局',
        organisation: { name: '示例市市场监督管理局' },
        key: { provider: 'pkcs12', path, passwordFile: join(t.dataDir, 'p12.pass') },
      });
      expect(seal.key.provider).toBe('pkcs12');
      expect(seal.certificate.serialNumber).toBe(chain[0]!.serialNumber);
      const u = await t.newApp();
      await t.admin.createGrant(seal.id, { appId: u.appId });
      const { pdf } = await u.client.sealPdf({
        sealId: seal.id,
        pdf: makeDemoPdf({ pages: 1 }),
        positions,
      });
      expect(await pdfsig(nss, t.dataDir, pdf, 'p12.pdf')).toMatchObject([
        { valid: true, trusted: true },
      ]);
      await expect(
        t.admin.createSeal({
          name: 'x',
          organisation: { name: 'x' },
          key: { provider: 'pkcs12', path, passwordFile: join(t.dataDir, 'nope') },
        }),
      ).rejects.toMatchObject({ code: 'ERR_SEAL_KEY_UNAVAILABLE', status: 503 });
    });

    it.skipIf(!existsSync(SOFTHSM))(
      'PKCS#11 (SoftHSM2): the server certifies the token key and signs through the token',
      async () => {
        const dir = join(t.dataDir, 'hsm');
        mkdirSync(join(dir, 'tokens'), { recursive: true });
        writeFileSync(
          join(dir, 'softhsm2.conf'),
          `directories.tokendir = ${dir}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n`,
        );
        // The library reads SOFTHSM2_CONF when it is initialised, inside this test process.
        process.env.SOFTHSM2_CONF = join(dir, 'softhsm2.conf');
        const env = { ...process.env };
        execFileSync(
          'softhsm2-util',
          [
            '--init-token',
            '--free',
            '--label',
            'govtrust-seal',
            '--so-pin',
            '654321',
            '--pin',
            '123456',
          ],
          { env, stdio: 'pipe' },
        );
        const { privateKey } = generateKeyPair('p256');
        writeFileSync(join(dir, 'k.pem'), privateKey.toPem());
        execFileSync(
          'softhsm2-util',
          [
            '--import',
            join(dir, 'k.pem'),
            '--token',
            'govtrust-seal',
            '--label',
            'seal-key',
            '--id',
            '0a',
            '--pin',
            '123456',
          ],
          { env, stdio: 'pipe' },
        );
        writeFileSync(join(dir, 'pin'), '123456\n', { mode: 0o600 });
        const seal = await t.admin.createSeal({
          name: '示例市人民政府办公室',
          organisation: { name: '示例市人民政府办公室' },
          key: {
            provider: 'pkcs11',
            module: SOFTHSM,
            tokenLabel: 'govtrust-seal',
            keyLabel: 'seal-key',
            pinFile: join(dir, 'pin'),
            publicKey: privateKey.publicKey.toPem(),
          },
        });
        expect(seal.key).toEqual({ provider: 'pkcs11', algorithm: 'ecdsa-sha256' });
        const u = await t.newApp();
        await t.admin.createGrant(seal.id, { appId: u.appId });
        const { pdf } = await u.client.sealPdf({
          sealId: seal.id,
          pdf: makeDemoPdf({ pages: 1 }),
          positions,
        });
        expect(await pdfsig(nss, t.dataDir, pdf, 'p11.pdf')).toMatchObject([
          { valid: true, trusted: true },
        ]);
        const ready = (await (await fetch(`${t.url}/readyz`)).json()) as { status: string };
        expect(ready.status).toBe('ready');
      },
    );
  },
);

describe('signing sessions expire', () => {
  let t: TestServer;
  let clock = new Date('2026-06-01T08:00:00Z');
  beforeAll(async () => {
    t = await startTestServer({ now: () => clock, overrides: { sessionTtlMs: 60_000 } });
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('completing after the TTL is 410 ERR_SESSION_EXPIRED', async () => {
    const chain = readFileSync(join(DEV_PKI_DIR, 'p256', 'org-a.chain.pem'), 'utf8')
      .split(/(?=-----BEGIN CERTIFICATE-----)/)
      .map((p) => Buffer.from(p.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64'));
    const seal = await t.admin.createSeal({
      name: 'UKey 章',
      organisation: { name: '示例局' },
      key: { provider: 'external', certificateChain: chain },
    });
    const u = await t.newApp();
    await t.admin.createGrant(seal.id, { appId: u.appId });
    const session = await u.client.createSigningSession({
      sealId: seal.id,
      pdf: makeDemoPdf(),
      position: positions[0]!,
    });
    expect(Date.parse(session.expiresAt) - clock.getTime()).toBe(60_000);
    clock = new Date(clock.getTime() + 61_000);
    await expect(
      u.client.completeSigningSession(session.id, new Uint8Array(70).fill(1)),
    ).rejects.toMatchObject({ code: 'ERR_SESSION_EXPIRED', status: 410 });
  });
});
