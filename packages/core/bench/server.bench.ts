/**
 * Seal service benchmark (issue 8): seal applications per second over HTTP on a 1-page PDF with
 * p50/p99 latency, from a bounded load loop on 127.0.0.1 using the client SDK in a process of its
 * own (load-child.ts: the client's work does not share the server's event loop), next to the
 * in-process `sealPdf` rate of the same key, picture and seal attribute measured in the same run
 * (goal: HTTP overhead under 30% of the in-process cost); then the same with 100,000 usage-log
 * entries already stored (goal: no measurable slowdown). Rounds alternate so machine noise hits
 * both sides alike.
 */
import { sealPdf } from '../src/pdf/index.js';
import { createSealAttribute, parseSeal } from '../src/seal/index.js';
import { makeDemoPdf, type GovTrustServer } from '@govtrust/server';
import { startBenchServer } from './bench-server.js';
import {
  median,
  medianRun,
  printTable,
  rateRows,
  runLatency as load,
  type ComparisonRow,
  type LatencyRun as Run,
} from './harness.js';
import { startLoadProcess } from './load.js';

/** Server-side phases of the seal applications (ms), from their `Server-Timing` headers. */
const phases: Partial<Record<string, number[]>> = {};

interface Setup {
  readonly server: GovTrustServer;
  readonly sealId: string;
  readonly inProcess: () => Promise<unknown>;
  /** `n` seal applications over HTTP from the load process, `concurrency` at a time. */
  readonly http: (n: number, concurrency: number, record?: boolean) => Promise<Run>;
  close(): Promise<void>;
}

async function setup(): Promise<Setup> {
  const bench = await startBenchServer('server');
  const { server, url } = bench;
  const app = await server.apps.create({
    name: 'bench',
    roles: ['seal-user'],
    actor: 'bench',
    requestId: null,
  });
  const seal = await server.seals.create(
    {
      name: '基准测试章',
      organisation: { name: '基准测试单位' },
      key: { provider: 'generate', algorithm: 'p256' },
    },
    'bench',
    null,
  );
  await server.grants.create(seal.id, { appId: app.appId }, 'bench', 'bench');
  const load = await startLoadProcess({ baseUrl: url, appId: app.appId, secret: app.secret });
  const op = { kind: 'applySeal', sealId: seal.id } as const;
  const pdf = makeDemoPdf({ pages: 1 });
  const signer = await server.seals.signer(seal);
  const picture = new Uint8Array(Buffer.from(seal.picture, 'base64'));
  const attribute = createSealAttribute(
    parseSeal(new Uint8Array(Buffer.from(seal.sealData, 'base64'))),
  );
  const placement = { page: 1, x: 120, y: 140, width: 42, height: 42, unit: 'mm' as const };
  return {
    server,
    sealId: seal.id,
    // The same work the service does per application, without HTTP, auth, store or files.
    inProcess: () =>
      sealPdf(pdf, {
        signer,
        appearance: { image: picture },
        placement,
        extraSignedAttributes: [attribute],
        level: 'B-B',
        now: new Date(),
        signerName: seal.name,
      }),
    http: async (n, concurrency, record = false) => {
      const reply = await load.run(n, concurrency, op, record);
      for (const [k, v] of Object.entries(reply.phases)) (phases[k] ??= []).push(...(v ?? []));
      return reply.run;
    },
    async close() {
      load.close();
      await bench.close();
    },
  };
}

/** Appends `count` usage entries in batches (as if the server had run for a while). */
async function prefill(server: GovTrustServer, sealId: string, count: number): Promise<number> {
  const t0 = performance.now();
  const store = server.context.store;
  for (let done = 0; done < count;) {
    const batch = Math.min(2000, count - done);
    await store.transaction(async (tx) => {
      for (let i = 0; i < batch; i++) {
        await tx.append('usage', {
          time: new Date(Date.UTC(2026, 0, 1) + done + i).toISOString(),
          requestId: `prefill-${done + i}`,
          appId: 'app_prefill',
          authenticated: true,
          action: 'seal-application',
          result: 'sealed',
          sealId,
          document: {
            filename: 'prefill.pdf',
            sha256Before: '0'.repeat(64),
            sha256After: '1'.repeat(64),
            size: 1000,
          },
        });
      }
    });
    done += batch;
  }
  return (performance.now() - t0) / 1000;
}

/** Runs the benchmark; `pnpm bench server`. */
export async function runServerBench(): Promise<{ text: string; data: unknown }> {
  const s = await setup();
  try {
    const N = 60;
    const rounds = 5;
    // Warm-up: JIT, key cache, connection pool.
    await load(20, 1, s.inProcess);
    await s.http(20, 1);
    const measureBoth = async (
      record: boolean,
    ): Promise<{ inproc: Run[]; seq: Run[]; conc: Run[] }> => {
      const inproc: Run[] = [];
      const seq: Run[] = [];
      const conc: Run[] = [];
      for (let r = 0; r < rounds; r++) {
        inproc.push(await load(N, 1, s.inProcess));
        seq.push(await s.http(N, 1, record));
        conc.push(await s.http(N, 4));
      }
      return { inproc, seq, conc };
    };
    const before = await measureBoth(true);
    const phase = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, median(v ?? [])]));
    const prefillSeconds = await prefill(s.server, s.sealId, 100_000);
    const after = await measureBoth(false);
    const head = (await s.server.context.store.logHead('usage'))?.seq ?? 0;

    const summary = medianRun;
    const b = {
      inproc: summary(before.inproc),
      seq: summary(before.seq),
      conc: summary(before.conc),
    };
    const a = { inproc: summary(after.inproc), seq: summary(after.seq), conc: summary(after.conc) };
    // Overhead per application: the extra time HTTP, auth, store and files add to sealPdf's own time.
    const overhead = (x: { inproc: { p50: number }; seq: { p50: number } }): number =>
      (x.seq.p50 - x.inproc.p50) / x.inproc.p50;
    const capacityOverhead = (x: { inproc: { rate: number }; conc: { rate: number } }): number =>
      x.inproc.rate / x.conc.rate - 1;
    const rows: ComparisonRow[] = [
      ...rateRows('applications, 1 client', b.seq, b.inproc, 'in-process sealPdf'),
      ...rateRows('applications, 4 clients', b.conc, b.inproc, 'in-process sealPdf'),
      ...rateRows('with 100k log entries, 1 client', a.seq, b.seq, 'same, empty log'),
      ...rateRows('with 100k log entries, 4 clients', a.conc, b.conc, 'same, empty log', {
        latency: false,
      }),
      ...rateRows('in-process sealPdf (control)', a.inproc, b.inproc, 'before prefill', {
        latency: false,
      }),
    ];
    const text = [
      printTable(
        'Seal service: seal applications over HTTP (1-page PDF, P-256, B-B, lowdb with fsync)',
        rows,
      ),
      '',
      `HTTP overhead per application (p50, 1 client): ${(overhead(b) * 100).toFixed(0)}% of the in-process sealPdf time (goal < 30%); with 100k entries: ${(overhead(a) * 100).toFixed(0)}%.`,
      `HTTP overhead in server capacity (4 clients: the time per application at full load over sealPdf's): ${(capacityOverhead(b) * 100).toFixed(0)}%; with 100k entries: ${(capacityOverhead(a) * 100).toFixed(0)}%.`,
      `Where it goes (server phases from Server-Timing, medians, 1 client): ${Object.entries(phase)
        .map(([k, v]) => `${k} ${v.toFixed(1)} ms`)
        .join(
          ', ',
        )} (transport: the fetch round trip less the server's total; the rest of the latency is the client SDK's own work).`,
      `Without the durable writes (store: usage log + record commit, result file fdatasync) the overhead would be ${(((b.seq.p50 - (phase.store ?? 0) - b.inproc.p50) / b.inproc.p50) * 100).toFixed(0)}%.`,
      `Prefill of 100,000 usage entries took ${prefillSeconds.toFixed(1)} s; the log head is now ${head}. ${rounds} rounds of ${N} requests each, medians.`,
    ].join('\n');
    return {
      text,
      data: {
        before: b,
        after: a,
        overheadBefore: overhead(b),
        phases: phase,
        overheadAfter: overhead(a),
        capacityOverheadBefore: capacityOverhead(b),
        capacityOverheadAfter: capacityOverhead(a),
        prefillSeconds,
        head,
        rounds,
        requestsPerRound: N,
      },
    };
  } finally {
    await s.close();
  }
}
