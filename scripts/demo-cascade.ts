/**
 * The cascade demo (`pnpm demo:cascade`): starts one national and two provincial nodes on
 * localhost ports with temporary data folders (DEV ONLY PKI from certs-dev/), issues a licence in
 * province B and verifies it through province A via the national node, printing each hop and the
 * usage records (用证记录) each hop kept, then revokes it in B and shows A reporting it revoked on
 * the next lookup. Exits 0 when every step answered as expected.
 */
import { call, startCluster, type Cluster, type ClusterNode } from './cascade-cluster.js';

const CAUSE = '办理建筑施工许可核验 (demo)';
const line = (s = ''): void => void process.stdout.write(`${s}\n`);

async function usage(node: ClusterNode, identifier: string): Promise<string[]> {
  const r = await call(
    node.admin,
    'GET',
    `/v1/usage/licences?identifier=${encodeURIComponent(identifier)}&limit=50`,
  );
  return (r.items as { entry: Record<string, string | undefined> }[]).map(({ entry: e }) =>
    [
      `caller=${e.caller ?? ''}`,
      e.onBehalfOf === undefined ? '' : `onBehalfOf=${e.onBehalfOf}`,
      `action=${e.action ?? ''}`,
      `result=${e.result ?? ''}`,
      e.source === undefined ? '' : `source=${e.source}`,
      `useCause=${e.useCause ?? ''}`,
    ]
      .filter((x) => x !== '')
      .join(' '),
  );
}

const problems: string[] = [];
const check = (ok: boolean, what: string): void => {
  if (ok) return;
  problems.push(what);
  line(`  !! unexpected: ${what}`);
};
let cluster: Cluster | undefined;
try {
  cluster = await startCluster();
  const { national, a, b } = cluster;
  line('GovTrust directory cascade demo (DEV ONLY data in temporary folders)');
  for (const n of [national, a, b]) line(`  ${n.id.padEnd(9)} ${n.url}  (${n.server.config.mode})`);
  line();

  const { identifier: id, face } = await cluster.issue(b);
  line(`[prov-b] issued ${id}`);
  // The background worker delivers the outbox; flush() waits for whatever is still pending.
  await b.server.cascade.worker!.flush();
  const st = await b.server.cascade.worker!.state();
  const idx = await national.server.cascade.national!.indexRecord(id);
  line(
    `[prov-b -> national] outbox: ${st.delivered ?? 0} change(s) delivered (licence types, index records), ${await b.server.cascade.worker!.depth()} waiting; national index: …${id.slice(-26)} from ${idx?.node ?? 'MISSING'} (index only, no face)`,
  );
  check(idx?.node === 'prov-b', 'index record from prov-b');

  const v = await cluster.verifier(a);
  const q = `useCause=${encodeURIComponent(CAUSE)}`;
  const status = await call(v.client, 'GET', `/v1/licences/${id}/status?${q}`);
  line(
    `[app ${v.appId} -> prov-a -> national -> prov-b] status: found=${String(status.found)} status=${String(status.status)} source=${JSON.stringify(status.source)}`,
  );
  check(
    status.status === 'valid' && (status.source as { node?: string }).node === 'prov-b',
    'valid from prov-b',
  );
  const report = await call(v.client, 'POST', `/v1/licences/verify?${q}`, {
    body: face,
    contentType: 'application/pdf',
  });
  line(
    `[prov-a] face PDF verified: status=${String(report.status)} result=${String(report.result)} licenceStatus=${String(report.licenceStatus)}`,
  );
  check(report.status === 'valid', 'face valid');

  line('\nUsage records (用证记录) on each hop:');
  for (const n of [a, national, b]) for (const u of await usage(n, id)) line(`  [${n.id}] ${u}`);

  await call(b.admin, 'POST', `/v1/licences/${id}/revoke`, {
    json: { reasonCode: 'revoke.penalty', reason: '演示吊销' },
  });
  line(`\n[prov-b] revoked …${id.slice(-26)}`);
  const after = await call(v.client, 'GET', `/v1/licences/${id}/status?${q}`);
  line(
    `[app -> prov-a -> national -> prov-b] next lookup: status=${String(after.status)} source=${JSON.stringify(after.source)} (no cache: read from the source node)`,
  );
  check(after.status === 'revoked', 'revoked on the next lookup');
  await b.server.cascade.worker!.flush();
  line(
    `[prov-b -> national] index now says ${(await national.server.cascade.national!.indexRecord(id))?.record.status ?? 'MISSING'}`,
  );
  line(
    problems.length > 0
      ? `\nDEMO FAILED: ${problems.join('; ')}`
      : '\nOK: issued in prov-b, verified through prov-a via the national node, revocation seen on the next lookup.',
  );
} catch (err) {
  problems.push('error');
  line(`DEMO FAILED: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await cluster?.stop();
}
process.exit(problems.length > 0 ? 1 : 0);
