/** Test helpers: an in-process server on 127.0.0.1:0 over the committed dev PKI, with an admin client. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { createGovTrustClient, type GovTrustClient } from '@govtrust/core/client';
import { createServer, loadConfig, type GovTrustServer } from '../src/index.js';

/** The committed DEV ONLY PKI. */
export const DEV_PKI_DIR = resolve(import.meta.dirname, '../../certs-dev');

/** A fixed instant inside the dev PKI's validity. */
export const TEST_NOW = new Date('2026-06-01T08:00:00Z');

/** A running test server. */
export interface TestServer {
  readonly url: string;
  readonly server: GovTrustServer;
  readonly http: Server;
  readonly dataDir: string;
  readonly admin: GovTrustClient;
  readonly adminAppId: string;
  /** Captured log lines (JSON). */
  readonly logs: string[];
  /** A client for another credential. */
  client(appId: string, secret: string, options?: { now?: () => Date }): GovTrustClient;
  /** Creates an app with the seal-user role and returns its client. */
  newApp(name?: string): Promise<{ appId: string; secret: string; client: GovTrustClient }>;
  /** Stops HTTP and closes the store (keeps the data folder). */
  stop(): Promise<void>;
  /** Stops and removes the data folder. */
  cleanup(): Promise<void>;
}

/** Options of `startTestServer`. */
export interface StartOptions {
  /** Reuse a data folder (restart tests). */
  readonly dataDir?: string;
  readonly now?: () => Date;
  readonly overrides?: Record<string, unknown>;
  /** A server already listening (no request handler yet): the app is attached to it (cascade tests know every URL first). */
  readonly http?: Server;
}

/** Starts a server in-process on a free port. */
export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'govtrust-server-'));
  const masterKeyFile = join(dataDir, 'test-master.key');
  try {
    writeFileSync(masterKeyFile, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch {
    // Restart: keep the key the data was sealed with.
  }
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== ''),
      );
      cb();
    },
  });
  const config = loadConfig({
    overrides: {
      dataDir,
      pkiDir: DEV_PKI_DIR,
      masterKeyFile,
      port: 0,
      logLevel: 'info',
      store: { driver: 'lowdb', durability: 'os' },
      ...(options.overrides ?? {}),
    },
  });
  const now = options.now ?? ((): Date => new Date());
  const server = await createServer(config, {
    now,
    logDestination: destination,
    processMetrics: false,
  });
  let http: Server;
  if (options.http === undefined) {
    http = server.app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => http.once('listening', r));
  } else {
    http = options.http;
    http.on('request', server.app);
  }
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const client = (appId: string, secret: string, o: { now?: () => Date } = {}): GovTrustClient =>
    createGovTrustClient({ baseUrl: url, appId, secret, now: o.now ?? now });
  let adminAppId = 'app_admin';
  let adminSecret: string;
  const existing = await server.apps.get(adminAppId);
  if (existing === undefined) {
    const created = await server.apps.create({
      name: 'Test admin',
      roles: ['admin', 'seal-user'],
      appId: adminAppId,
      actor: 'test',
      requestId: null,
    });
    adminSecret = created.secret;
    writeFileSync(join(dataDir, 'admin.secret'), adminSecret);
  } else {
    adminSecret = (await import('node:fs')).readFileSync(join(dataDir, 'admin.secret'), 'utf8');
    adminAppId = existing.appId;
  }
  let stopped = false;
  const t: TestServer = {
    url,
    server,
    http,
    dataDir,
    admin: client(adminAppId, adminSecret),
    adminAppId,
    logs,
    client,
    async newApp(name = 'Test approval system') {
      const c = await t.admin.createApp({ name, roles: ['seal-user'] });
      return { appId: c.appId, secret: c.secret!, client: client(c.appId, c.secret!) };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((r) => {
        http.close(() => r());
        http.closeAllConnections();
      });
      await server.close();
    },
    async cleanup() {
      await t.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}
