/**
 * The cascade demo (`pnpm demo:cascade`): starts one national and two provincial nodes on
 * localhost ports with temporary data folders (DEV ONLY PKI from certs-dev/), issues a licence in
 * province B and verifies it through province A via the national node, printing each hop, then
 * revokes it in B and shows A reporting it revoked on the next lookup. Exits 0 when every step
 * answered as expected.
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
const CAUSE = '办理建筑施工许可核验 (demo)';
const TYPE = JSON.parse(
  readFileSync(join(ROOT, 'samples/licence-types/construction-special-operations.json'), 'utf8'),
) as { typeCode: string };
const ISSUER = { code: '11220000013544541J', name: '吉林省住房和城乡建设厅' };

interface Node {
  readonly id: string;
  readonly url: string;
  readonly http: Server;
  readonly dir: string;
  server?: GovTrustServer;
  admin?: GovTrustClient;
  adminId?: string;
}

const line = (s = ''): void => void process.stdout.write(`${s}\n`);
const dec = (b: Uint8Array): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;

async function listen(id: string): Promise<Node> {
  const http = createHttpServer();
  http.listen(0, '127.0.0.1');
  await new Promise<void>((r) => http.once('listening', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { id, url, http, dir: mkdtempSync(join(tmpdir(), `govtrust-${id}-`)) };
}

async function start(node: Node, overrides: Record<string, unknown>): Promise<void> {
  const masterKeyFile = join(node.dir, 'master.key');
  writeFileSync(masterKeyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  const config = loadConfig({
    overrides: {
      dataDir: node.dir,
      pkiDir: join(ROOT, 'certs-dev'),
      masterKeyFile,
      publicUrl: node.url,
      logLevel: 'warn',
      store: { driver: 'lowdb', durability: 'os' },
      cascade: { timeoutMs: 3000, batchSize: 100, pollMs: 100, retryBaseMs: 200, retryMaxMs: 5000 },
      ...overrides,
    },
  });
  const server = await createServer(config, { processMetrics: false });
  node.http.on('request', server.app);
  const admin = await server.apps.create({
    name: `${node.id} admin`,
    roles: ['admin', 'issuer', 'verifier'],
    actor: 'demo',
    requestId: null,
  });
  node.server = server;
  node.adminId = admin.appId;
  node.admin = createGovTrustClient({
    baseUrl: node.url,
    appId: admin.appId,
    secret: admin.secret,
  });
  server.cascade.start();
}

async function call(
  client: GovTrustClient,
  method: string,
  path: string,
  opts: Parameters<GovTrustClient['request']>[2] = {},
): Promise<Record<string, unknown>> {
  const res = await client.request(method, path, opts);
  const body = res.body.length === 0 ? {} : dec(res.body);
  if (res.status >= 300)
    throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function usage(node: Node, identifier: string): Promise<string[]> {
  const r = await call(
    node.admin!,
    'GET',
    `/v1/usage/licences?identifier=${encodeURIComponent(identifier)}&limit=50`,
  );
  return (r.items as { entry: Record<string, string | undefined> }[]).map(({ entry: e }) =>
    [
      `caller=${String(e.caller)}`,
      e.onBehalfOf === undefined ? '' : `onBehalfOf=${e.onBehalfOf}`,
      `action=${String(e.action)}`,
      `result=${String(e.result)}`,
      e.source === undefined ? '' : `source=${e.source}`,
      `useCause=${String(e.useCause)}`,
    ]
      .filter((x) => x !== '')
      .join(' '),
  );
}

const nodes: Node[] = [];
let failed = false;
try {
  const national = await listen('national');
  const a = await listen('prov-a');
  const b = await listen('prov-b');
  nodes.push(national, a, b);
  const secret = {
    a: randomBytes(24).toString('base64url'),
    b: randomBytes(24).toString('base64url'),
  };
  await start(national, {
    mode: 'national',
    node: { id: 'national', divisionCode: '100000' },
    nodes: [
      { id: 'prov-a', secret: secret.a, url: a.url, division: '37' },
      { id: 'prov-b', secret: secret.b, url: b.url, division: '22' },
    ],
  });
  await start(a, {
    node: { id: 'prov-a', divisionCode: '37' },
    national: { url: national.url, secret: secret.a },
  });
  await start(b, {
    node: { id: 'prov-b', divisionCode: '22' },
    national: { url: national.url, secret: secret.b },
  });
  line('GovTrust directory cascade demo (DEV ONLY data in temporary folders)');
  for (const n of nodes) line(`  ${n.id.padEnd(9)} ${n.url}  (${n.server!.config.mode})`);
  line();

  // The licence type (证照目录) is national: both provinces have it.
  for (const n of [a, b]) await call(n.admin!, 'PUT', '/v1/licence-types', { json: TYPE });
  await call(b.admin!, 'POST', '/v1/licence-issuers', { json: ISSUER });
  await call(b.admin!, 'PUT', `/v1/apps/${b.adminId!}/licence-rights`, {
    json: { issuers: [ISSUER.code], lookupTypes: ['*'], lookupAreas: ['*'] },
  });
  const today = chinaDate(new Date());
  const issued = await call(b.admin!, 'POST', '/v1/licences', {
    json: {
      typeCode: TYPE.typeCode,
      number: `吉A04${String(Date.now()).slice(-10)}`,
      holder: { name: '张小明', code: '110105199003077016', codeTypeCode: '111' },
      issueDate: today,
      validFrom: today,
      validUntil: addYears(today, 1),
      areaCode: '220000',
      fields: {
        sex: '男',
        birthDate: '1990-03-07',
        operationCategory: '建筑电工',
        firstIssuedOn: '2019-01-09',
      },
    },
  });
  const id = (issued.licence as { identifier: string }).identifier;
  const face = new Uint8Array(Buffer.from(issued.face as string, 'base64'));
  line(`[prov-b] issued ${id}`);

  // The background worker delivers the outbox; flush() waits for whatever is still pending.
  await b.server!.cascade.worker!.flush();
  const st = await b.server!.cascade.worker!.state();
  const idx = await national.server!.cascade.national!.indexRecord(id);
  line(
    `[prov-b -> national] outbox: ${st.delivered ?? 0} change(s) delivered (licence types and the index record), ${await b.server!.cascade.worker!.depth()} waiting; national index: …${id.slice(-26)} from ${idx?.node ?? 'MISSING'} (no face, index only)`,
  );
  if (idx?.node !== 'prov-b') failed = true;

  const verifier = await a.server!.apps.create({
    name: 'Verifier in A (用证单位)',
    roles: ['verifier'],
    actor: 'demo',
    requestId: null,
  });
  await call(a.admin!, 'PUT', `/v1/apps/${verifier.appId}/licence-rights`, {
    json: { issuers: [], lookupTypes: ['*'], lookupAreas: ['*'] },
  });
  const va = createGovTrustClient({
    baseUrl: a.url,
    appId: verifier.appId,
    secret: verifier.secret,
  });
  const q = `useCause=${encodeURIComponent(CAUSE)}`;
  const status = await call(va, 'GET', `/v1/licences/${id}/status?${q}`);
  line(
    `[app ${verifier.appId} -> prov-a -> national -> prov-b] status: found=${String(status.found)} status=${String(status.status)} source=${JSON.stringify(status.source)}`,
  );
  if (status.status !== 'valid' || (status.source as { node?: string }).node !== 'prov-b')
    failed = true;
  const report = await call(va, 'POST', `/v1/licences/verify?${q}`, {
    body: face,
    contentType: 'application/pdf',
  });
  line(
    `[prov-a] face PDF verified: status=${String(report.status)} result=${String(report.result)} licenceStatus=${String(report.licenceStatus)}`,
  );
  if (report.status !== 'valid') failed = true;

  line('\nUsage records (用证记录) on each hop:');
  for (const n of [a, national, b]) for (const u of await usage(n, id)) line(`  [${n.id}] ${u}`);

  await call(b.admin!, 'POST', `/v1/licences/${id}/revoke`, {
    json: { reasonCode: 'revoke.penalty', reason: '演示吊销' },
  });
  line(`\n[prov-b] revoked ${id.slice(-26)}`);
  const after = await call(va, 'GET', `/v1/licences/${id}/status?${q}`);
  line(
    `[app -> prov-a -> national -> prov-b] next lookup: status=${String(after.status)} source=${JSON.stringify(after.source)} (no cache: read from the source node)`,
  );
  if (after.status !== 'revoked') failed = true;
  await b.server!.cascade.worker!.flush();
  line(
    `[prov-b -> national] index now says ${(await national.server!.cascade.national!.indexRecord(id))?.record.status ?? 'MISSING'}`,
  );
  line(
    failed
      ? '\nDEMO FAILED'
      : '\nOK: issued in prov-b, verified through prov-a via the national node, revocation seen on the next lookup.',
  );
} catch (err) {
  failed = true;
  line(`DEMO FAILED: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  for (const n of nodes) {
    await new Promise<void>((r) => {
      n.http.close(() => r());
      n.http.closeAllConnections();
    });
    await n.server?.close();
    rmSync(n.dir, { recursive: true, force: true });
  }
}
process.exit(failed ? 1 : 0);
