/**
 * A local cascade for the demo and the benchmark: one national and two provincial nodes on
 * localhost ports (every URL known before any node is built), temporary data folders, the DEV ONLY
 * PKI of certs-dev/, an admin credential per node, the sample licence type in both provinces and a
 * licence issuer in each.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createGovTrustClient, type GovTrustClient } from '@govtrust/core/client';
import { addYears, chinaDate } from '@govtrust/core/licence';
import { createServer, loadConfig, type GovTrustServer } from '@govtrust/server';

const ROOT = resolve(import.meta.dirname, '..');
const TYPE = JSON.parse(
  readFileSync(join(ROOT, 'samples/licence-types/construction-special-operations.json'), 'utf8'),
) as { typeCode: string };
/** The issuer of each province (吉林 for B, 山东 for A; DEV data). */
const ISSUERS = {
  'prov-a': { code: '1137000000416503XP', name: '山东省住房和城乡建设厅' },
  'prov-b': { code: '11220000013544541J', name: '吉林省住房和城乡建设厅' },
} as const;

/** One running node. */
export interface ClusterNode {
  readonly id: 'national' | 'prov-a' | 'prov-b';
  readonly url: string;
  readonly server: GovTrustServer;
  /** Admin + issuer + verifier credential of this node. */
  readonly admin: GovTrustClient;
  readonly adminId: string;
}

/** The running cascade. */
export interface Cluster {
  readonly national: ClusterNode;
  readonly a: ClusterNode;
  readonly b: ClusterNode;
  /** Issues a sample licence in a province: identifier and face PDF. */
  issue(node: ClusterNode): Promise<{ identifier: string; face: Uint8Array }>;
  /** A verifier app (用证单位) of `node` allowed to look up every licence type and area. */
  verifier(node: ClusterNode): Promise<{ appId: string; secret: string; client: GovTrustClient }>;
  stop(): Promise<void>;
}

/** Calls the API; throws on an error answer. */
export async function call(
  client: GovTrustClient,
  method: string,
  path: string,
  opts: Parameters<GovTrustClient['request']>[2] = {},
): Promise<Record<string, unknown>> {
  const res = await client.request(method, path, opts);
  const text = new TextDecoder().decode(res.body);
  const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
  if (res.status >= 300)
    throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Starts the cascade; `overrides` apply to every node's configuration. */
export async function startCluster(overrides: Record<string, unknown> = {}): Promise<Cluster> {
  const listening: { http: Server; url: string; dir: string }[] = [];
  for (const id of ['national', 'prov-a', 'prov-b']) {
    const http = createHttpServer();
    http.listen(0, '127.0.0.1');
    await new Promise<void>((r) => http.once('listening', r));
    listening.push({
      http,
      url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
      dir: mkdtempSync(join(tmpdir(), `govtrust-${id}-`)),
    });
  }
  const [n, pa, pb] = listening as [
    (typeof listening)[0],
    (typeof listening)[0],
    (typeof listening)[0],
  ];
  const secret = {
    'prov-a': randomBytes(24).toString('base64url'),
    'prov-b': randomBytes(24).toString('base64url'),
  };
  const nodes: ClusterNode[] = [];
  const start = async (
    id: ClusterNode['id'],
    l: (typeof listening)[0],
    cfg: Record<string, unknown>,
  ): Promise<ClusterNode> => {
    const masterKeyFile = join(l.dir, 'master.key');
    writeFileSync(masterKeyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    const config = loadConfig({
      overrides: {
        dataDir: l.dir,
        pkiDir: join(ROOT, 'certs-dev'),
        masterKeyFile,
        publicUrl: l.url,
        logLevel: 'warn',
        cascade: {
          timeoutMs: 3000,
          batchSize: 100,
          pollMs: 100,
          retryBaseMs: 200,
          retryMaxMs: 5000,
        },
        ...cfg,
        ...overrides,
      },
    });
    const server = await createServer(config, { processMetrics: false });
    l.http.on('request', server.app);
    const admin = await server.apps.create({
      name: `${id} admin`,
      roles: ['admin', 'issuer', 'verifier'],
      actor: 'cluster',
      requestId: null,
    });
    const node: ClusterNode = {
      id,
      url: l.url,
      server,
      adminId: admin.appId,
      admin: createGovTrustClient({ baseUrl: l.url, appId: admin.appId, secret: admin.secret }),
    };
    nodes.push(node);
    server.cascade.start();
    return node;
  };
  const stop = async (): Promise<void> => {
    for (const l of listening)
      await new Promise<void>((r) => {
        l.http.close(() => r());
        l.http.closeAllConnections();
      });
    for (const node of nodes) await node.server.close();
    for (const l of listening) rmSync(l.dir, { recursive: true, force: true });
  };
  try {
    const national = await start('national', n, {
      mode: 'national',
      node: { id: 'national', divisionCode: '100000' },
      nodes: [
        { id: 'prov-a', secret: secret['prov-a'], url: pa.url, division: '37' },
        { id: 'prov-b', secret: secret['prov-b'], url: pb.url, division: '22' },
      ],
    });
    const a = await start('prov-a', pa, {
      node: { id: 'prov-a', divisionCode: '37' },
      national: { url: n.url, secret: secret['prov-a'] },
    });
    const b = await start('prov-b', pb, {
      node: { id: 'prov-b', divisionCode: '22' },
      national: { url: n.url, secret: secret['prov-b'] },
    });
    for (const p of [a, b]) {
      const issuer = ISSUERS[p.id as 'prov-a' | 'prov-b'];
      // The licence type (证照目录) is national: both provinces have it.
      await call(p.admin, 'PUT', '/v1/licence-types', { json: TYPE });
      await call(p.admin, 'POST', '/v1/licence-issuers', { json: issuer });
      await call(p.admin, 'PUT', `/v1/apps/${p.adminId}/licence-rights`, {
        json: { issuers: [issuer.code], lookupTypes: ['*'], lookupAreas: ['*'] },
      });
    }
    return {
      national,
      a,
      b,
      async issue(node) {
        const today = chinaDate(new Date());
        const r = await call(node.admin, 'POST', '/v1/licences', {
          json: {
            typeCode: TYPE.typeCode,
            number: `证A04${randomBytes(5).toString('hex')}`,
            holder: { name: '张小明', code: '110105199003077016', codeTypeCode: '111' },
            issueDate: today,
            validFrom: today,
            validUntil: addYears(today, 1),
            areaCode: node.id === 'prov-a' ? '370000' : '220000',
            fields: {
              sex: '男',
              birthDate: '1990-03-07',
              operationCategory: '建筑电工',
              firstIssuedOn: '2019-01-09',
            },
          },
        });
        return {
          identifier: (r.licence as { identifier: string }).identifier,
          face: new Uint8Array(Buffer.from(r.face as string, 'base64')),
        };
      },
      async verifier(node) {
        const v = await node.server.apps.create({
          name: `Verifier in ${node.id} (用证单位)`,
          roles: ['verifier'],
          actor: 'cluster',
          requestId: null,
        });
        await call(node.admin, 'PUT', `/v1/apps/${v.appId}/licence-rights`, {
          json: { issuers: [], lookupTypes: ['*'], lookupAreas: ['*'] },
        });
        return {
          appId: v.appId,
          secret: v.secret,
          client: createGovTrustClient({ baseUrl: node.url, appId: v.appId, secret: v.secret }),
        };
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
