/** Cascade test helpers: one national and two provincial nodes in-process (every URL known before any node is built), the national node stopped and restarted on its port, node-signed requests. */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signNodeRequest } from '../src/cascade/node-auth.js';
import { startTestServer, type TestServer } from './helpers.js';

/** A placeholder HTTP server listening on `port` (0: a free one); the app is attached later. */
export async function listenPlaceholder(
  port = 0,
): Promise<{ http: Server; url: string; port: number }> {
  const http = createHttpServer();
  http.listen(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    http.once('listening', resolve);
    http.once('error', reject);
  });
  const p = (http.address() as AddressInfo).port;
  return { http, url: `http://127.0.0.1:${p}`, port: p };
}

/** The three nodes. */
export interface CascadeNodes {
  /** The national node (replaced by `startNational`). */
  national: TestServer;
  readonly a: TestServer;
  readonly b: TestServer;
  readonly nationalUrl: string;
  readonly secrets: Readonly<Record<'prov-a' | 'prov-b', string>>;
  stopNational(): Promise<void>;
  startNational(): Promise<void>;
  cleanup(): Promise<void>;
}

/** Fast timings for tests. */
export const TEST_CASCADE_TIMINGS = {
  timeoutMs: 2000,
  batchSize: 50,
  pollMs: 50,
  retryBaseMs: 20,
  retryMaxMs: 200,
} as const;

/** Starts national + prov-a (division 37) + prov-b (division 22); the provincial outbox workers run. */
export async function startCascade(
  options: { readonly workers?: boolean } = {},
): Promise<CascadeNodes> {
  const n = await listenPlaceholder();
  const pa = await listenPlaceholder();
  const pb = await listenPlaceholder();
  const secrets = {
    'prov-a': randomBytes(24).toString('base64url'),
    'prov-b': randomBytes(24).toString('base64url'),
  };
  const nationalOverrides = {
    mode: 'national',
    node: { id: 'national', divisionCode: '100000' },
    nodes: [
      { id: 'prov-a', secret: secrets['prov-a'], url: pa.url, division: '37' },
      { id: 'prov-b', secret: secrets['prov-b'], url: pb.url, division: '22' },
    ],
    cascade: TEST_CASCADE_TIMINGS,
  };
  const provincial = (
    id: 'prov-a' | 'prov-b',
    division: string,
    url: string,
  ): Record<string, unknown> => ({
    mode: 'provincial',
    node: { id, divisionCode: division },
    national: { url: n.url, secret: secrets[id] },
    publicUrl: url,
    cascade: TEST_CASCADE_TIMINGS,
  });
  let national = await startTestServer({ http: n.http, overrides: nationalOverrides });
  const a = await startTestServer({ http: pa.http, overrides: provincial('prov-a', '37', pa.url) });
  const b = await startTestServer({ http: pb.http, overrides: provincial('prov-b', '22', pb.url) });
  if (options.workers !== false) {
    a.server.cascade.start();
    b.server.cascade.start();
  }
  const nodes: CascadeNodes = {
    get national() {
      return national;
    },
    set national(v) {
      national = v;
    },
    a,
    b,
    nationalUrl: n.url,
    secrets,
    async stopNational() {
      await national.stop();
    },
    async startNational() {
      const again = await listenPlaceholder(n.port);
      national = await startTestServer({
        http: again.http,
        dataDir: national.dataDir,
        overrides: nationalOverrides,
      });
    },
    async cleanup() {
      await a.cleanup();
      await b.cleanup();
      await national.cleanup();
    },
  };
  return nodes;
}

/** A node-signed POST (as `nodeId` with `secret`) to `url` + `path`. */
export async function nodePost(
  url: string,
  path: string,
  body: unknown,
  nodeId: string,
  secret: string,
  headers?: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, string> }> {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const signed =
    headers ?? signNodeRequest({ nodeId, secret, method: 'POST', target: path, body: bytes });
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { ...signed, 'Content-Type': 'application/json' },
    body: bytes,
  });
  return {
    status: res.status,
    json: (await res.json()) as Record<string, unknown>,
    headers: signed,
  };
}

/** Waits until `check` holds (polling), or fails after `ms`. */
export async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
