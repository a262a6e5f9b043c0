/**
 * First start of `govtrust serve`: a data folder with a master key, a DEV ONLY PKI, an admin and a
 * demo application credential, one demo organisation with a seal granted to the demo app, a
 * demo PDF, and a demo licence (type, issuer, one issued licence; the demo app issues and
 * verifies); afterwards nothing is generated again.
 * @module
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { defaultPkiHierarchyConfig, generatePkiHierarchy } from '@govtrust/core/pki';
import type { ServerConfig } from './config.js';
import { makeDemoPdf } from './demo-document.js';
import { seedDemoLicence } from './demo-licence.js';
import type { GovTrustServer } from './server.js';

/** What the first start created (paths inside the data folder). */
export interface BootstrapResult {
  readonly adminAppId: string;
  readonly adminSecretFile: string;
  readonly demoAppId: string;
  readonly demoSecretFile: string;
  readonly demoSealId: string;
  readonly demoPdf: string;
  /** The demo licence: identifier, QR text, face PDF and signed data files. */
  readonly demoLicence: {
    readonly identifier: string;
    readonly qrText: string;
    readonly digest: string;
    readonly face: string;
    readonly data: string;
  };
  /** The DEV root certificate of the seal certificates (P-256), for pdfsig's NSS database. */
  readonly pkiRoot: string;
}

function writeSecret(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, data, { mode: 0o600, flag: 'wx' });
}

/** True when the data folder still needs its first-start material (no master key yet). */
export function needsBootstrap(config: ServerConfig): boolean {
  return config.masterKeyFile === undefined && !existsSync(join(config.dataDir, 'master.key'));
}

/** Creates the master key and the DEV ONLY PKI (before the server is built). */
export async function prepareDataDir(config: ServerConfig, publicUrl: string): Promise<void> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const pkiDir = config.pkiDir ?? join(config.dataDir, 'pki');
  if (!existsSync(join(pkiDir, 'manifest.json'))) {
    // DEV ONLY hierarchy with the server's own URLs in every certificate; RSA and P-256 are what
    // PDF readers verify, SM2 makes the GB/T 38540 seals.
    const { files } = await generatePkiHierarchy({
      ...defaultPkiHierarchyConfig,
      baseUrl: publicUrl,
    });
    for (const f of files) {
      const path = join(pkiDir, f.path);
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, f.contents, { mode: f.secret === true ? 0o600 : 0o644 });
    }
  }
  writeSecret(join(config.dataDir, 'master.key'), randomBytes(32).toString('hex') + '\n');
}

/** Creates the credentials, the demo seal and grant, and the demo PDF (after the server is built). */
export async function seedDemo(server: GovTrustServer): Promise<BootstrapResult> {
  const dir = server.config.dataDir;
  const admin = await server.apps.create({
    name: 'Administrator',
    roles: ['admin', 'seal-user'],
    actor: 'system',
    requestId: null,
  });
  const demo = await server.apps.create({
    name: 'Demo approval system',
    roles: ['seal-user', 'issuer', 'verifier'],
    actor: 'system',
    requestId: null,
  });
  const adminSecretFile = join(dir, 'credentials', 'admin.secret');
  const demoSecretFile = join(dir, 'credentials', 'demo.secret');
  writeSecret(adminSecretFile, `${admin.secret}\n`);
  writeSecret(demoSecretFile, `${demo.secret}\n`);
  writeSecret(
    join(dir, 'credentials', 'README.txt'),
    `DEV ONLY credentials of this data folder.\nadmin app id: ${admin.appId}\ndemo app id:  ${demo.appId}\n`,
  );
  const seal = await server.seals.create(
    {
      name: '示例市人民政府办公室',
      type: 1,
      organisation: { name: '示例市人民政府办公室', code: '11000000000000000X' },
      key: { provider: 'generate', algorithm: 'p256' },
    },
    'system',
    null,
  );
  await server.grants.create(seal.id, { appId: demo.appId }, 'system', 'bootstrap');
  const demoPdf = join(dir, 'demo.pdf');
  writeFileSync(demoPdf, makeDemoPdf());
  const licence = await seedDemoLicence(server, {
    appId: demo.appId,
    name: 'Demo approval system',
    roles: ['seal-user', 'issuer', 'verifier'],
    secretId: 'bootstrap',
  });
  const demoLicence = {
    identifier: licence.identifier,
    qrText: licence.qrText,
    digest: licence.digest,
    face: join(dir, 'demo-licence.pdf'),
    data: join(dir, 'demo-licence.licence.json'),
  };
  writeFileSync(demoLicence.face, licence.face);
  writeFileSync(demoLicence.data, licence.signedData);
  writeFileSync(
    join(dir, 'demo.json'),
    JSON.stringify(
      {
        adminAppId: admin.appId,
        demoAppId: demo.appId,
        demoSealId: seal.id,
        demoLicence: licence.identifier,
      },
      null,
      2,
    ) + '\n',
  );
  return {
    adminAppId: admin.appId,
    adminSecretFile,
    demoAppId: demo.appId,
    demoSecretFile,
    demoSealId: seal.id,
    demoPdf,
    demoLicence,
    pkiRoot: join(server.config.pkiDir ?? join(dir, 'pki'), 'p256', 'root.pem'),
  };
}
