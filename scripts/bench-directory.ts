/**
 * Directory benchmark (issue 9): lookups per second through province A for a licence A holds
 * (local) and for one province B holds (cascaded: A -> national -> B, two node hops), with p50/p99
 * latency, on localhost in the same run; rounds alternate so machine noise hits both sides alike.
 * Every lookup is a real `GET /v1/licences/{id}/status` with a use cause and writes its usage
 * records (one on A locally; one on each of A, national and B cascaded) with the default
 * durability (fsync per commit).
 */
import { percentile, runLoad, type LoadRun } from '../packages/core/bench/harness.js';
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
  try {
    const own = await cluster.issue(cluster.a);
    const remote = await cluster.issue(cluster.b);
    await cluster.b.server.cascade.worker!.flush();
    const v = await cluster.verifier(cluster.a);
    const q = `?useCause=${encodeURIComponent('基准测试核验')}`;
    const lookup = (id: string) => async (): Promise<void> => {
      const res = await v.client.request('GET', `/v1/licences/${id}/status${q}`);
      if (res.status !== 200) throw new Error(`lookup: HTTP ${res.status}`);
    };
    // Warm-up (connections, JIT, first index reads).
    await runLoad(30, concurrency, lookup(own.identifier));
    await runLoad(30, concurrency, lookup(remote.identifier));
    const runs: Record<'local' | 'cascaded', LoadRun[]> = { local: [], cascaded: [] };
    for (let r = 0; r < rounds; r++) {
      runs.local.push(await runLoad(perRound, concurrency, lookup(own.identifier)));
      runs.cascaded.push(await runLoad(perRound, concurrency, lookup(remote.identifier)));
    }
    const summary = (rs: LoadRun[]): { rate: number; p50: number; p99: number; n: number } => {
      const rates = rs.map((x) => x.rate).sort((a, b) => a - b);
      const all = rs.flatMap((x) => x.latencies).sort((a, b) => a - b);
      return {
        rate: rates[Math.floor(rates.length / 2)]!,
        p50: percentile(all, 50),
        p99: percentile(all, 99),
        n: all.length,
      };
    };
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
      `\n## directory: licence status lookups through province A (${concurrency} concurrent clients, ${rounds} alternating rounds of ${perRound}, median round rate; lowdb, fsync per commit; every lookup writes its usage records)`,
      fmt(rows[0]!),
      widths.map((w) => '-'.repeat(w)).join('  '),
      ...rows.slice(1).map(fmt),
    ].join('\n');
    return { text, data: { concurrency, rounds, perRound, local, cascaded } };
  } finally {
    await cluster.stop();
  }
}
