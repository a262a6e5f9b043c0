/**
 * Directory benchmark (issue 9): lookups per second through province A for a licence A holds
 * (local) and for one province B holds (cascaded: A -> national -> B, two node hops), with p50/p99
 * latency, on localhost in the same run; rounds alternate so machine noise hits both sides alike.
 * Every lookup is a real `GET /v1/licences/{id}/status` with a use cause and writes its usage
 * records (one on A locally; one on each of A, national and B cascaded) with the default
 * durability (fsync per commit).
 */
import { medianRun, type LatencyRun } from '../packages/core/bench/harness.js';
import { startLoadProcess, type LoadOp } from '../packages/core/bench/load.js';
import { startCluster } from './cascade-cluster.js';

/** Runs the directory benchmark; `text` is the report. */
export async function runDirectoryBench(
  options: {
    readonly perRound?: number;
    readonly rounds?: number;
    readonly concurrency?: number;
  } = {},
): Promise<{ text: string; data: unknown }> {
  const perRound = options.perRound ?? 200;
  const rounds = options.rounds ?? 3;
  const concurrency = options.concurrency ?? 8;
  const cluster = await startCluster({ rateLimit: { perSecond: 1e6, burst: 1e6 } });
  let closeLoader = (): void => undefined;
  try {
    const own = await cluster.issue(cluster.a);
    const remote = await cluster.issue(cluster.b);
    await cluster.b.server.cascade.worker!.flush();
    const v = await cluster.verifier(cluster.a);
    // The verifier's requests come from a process of their own (the three nodes share this one).
    const loader = await startLoadProcess({
      baseUrl: cluster.a.url,
      appId: v.appId,
      secret: v.secret,
    });
    closeLoader = () => {
      loader.close();
    };
    const q = `?useCause=${encodeURIComponent('基准测试核验')}`;
    const lookup = (id: string): LoadOp => ({
      kind: 'request',
      method: 'GET',
      target: `/v1/licences/${id}/status${q}`,
      expect: { found: true, status: 'valid' },
    });
    const load = async (n: number, op: LoadOp): Promise<LatencyRun> =>
      (await loader.run(n, concurrency, op)).run;
    // Warm-up (connections, JIT, first index reads).
    await load(30, lookup(own.identifier));
    await load(30, lookup(remote.identifier));
    const runs: Record<'local' | 'cascaded', LatencyRun[]> = { local: [], cascaded: [] };
    for (let r = 0; r < rounds; r++) {
      runs.local.push(await load(perRound, lookup(own.identifier)));
      runs.cascaded.push(await load(perRound, lookup(remote.identifier)));
    }
    // Median round rate, p50 and p99.
    const summary = medianRun;
    const local = summary(runs.local);
    const cascaded = summary(runs.cascaded);
    const ms = (x: number): string => `${x.toFixed(1)} ms`;
    const rows = [
      ['', 'local (A)', 'cascaded (A -> national -> B)', 'cascaded / local'],
      [
        'lookups/s',
        local.rate.toFixed(0),
        cascaded.rate.toFixed(0),
        `${(cascaded.rate / local.rate).toFixed(2)}x`,
      ],
      ['p50', ms(local.p50), ms(cascaded.p50), `${(cascaded.p50 / local.p50).toFixed(2)}x`],
      ['p99', ms(local.p99), ms(cascaded.p99), `${(cascaded.p99 / local.p99).toFixed(2)}x`],
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    const fmt = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
    const text = [
      `\n## directory: licence status lookups through province A (${concurrency} concurrent clients, ${rounds} alternating rounds of ${perRound}, median round rate, p50 and p99; lowdb, fsync per commit; every lookup writes its usage records)`,
      fmt(rows[0]!),
      widths.map((w) => '-'.repeat(w)).join('  '),
      ...rows.slice(1).map(fmt),
    ].join('\n');
    return { text, data: { concurrency, rounds, perRound, local, cascaded } };
  } finally {
    closeLoader();
    await cluster.stop();
  }
}
