/**
 * A signing server for the HTTP benchmarks: a fresh data folder, the dev PKI, a master key,
 * lowdb with fsync on every commit (a real deployment's defaults), no rate limit, listening on
 * 127.0.0.1 with a port of its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, loadConfig, type GovTrustServer, type ServerConfig } from '@govtrust/server';

/** The repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A running benchmark server. */
export interface BenchServer {
  readonly server: GovTrustServer;
  readonly config: ServerConfig;
  readonly url: string;
  close(): Promise<void>;
}

/** Starts a benchmark server in a new temporary folder; `close` stops it and removes the folder. */
export async function startBenchServer(name: string): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), `govtrust-bench-${name}-`));
  const masterKeyFile = join(dir, 'master.key');
  writeFileSync(masterKeyFile, randomBytes(32).toString('hex'));
  const config = loadConfig({
    overrides: {
      dataDir: dir,
      pkiDir: join(repoRoot, 'certs-dev'),
      masterKeyFile,
      port: 0,
      logLevel: 'silent',
      rateLimit: { perSecond: 1e6, burst: 1e6 },
    },
  });
  const server = await createServer(config, { processMetrics: false });
  const http: Server = server.app.listen(0, '127.0.0.1');
  // In-process rounds between HTTP rounds can last longer than Node's default 5 s keep-alive;
  // a connection the server closes just as the client reuses it would be ECONNRESET.
  http.keepAliveTimeout = 120_000;
  await new Promise<void>((r) => http.once('listening', r));
  return {
    server,
    config,
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    async close() {
      await new Promise<void>((r) => {
        http.close(() => r());
        http.closeAllConnections();
      });
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
