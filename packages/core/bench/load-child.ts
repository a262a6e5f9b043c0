/**
 * The load generator of the HTTP benchmarks, in a process of its own so that the client SDK's work
 * (request signing, body building, reply parsing) does not share the server's event loop, as with
 * a real approval system on another machine. Started with `fork` (it inherits tsx's loader) and
 * driven over IPC: `{ kind: 'setup', baseUrl, appId, secret, sealId }`, then any number of
 * `{ kind: 'run', n, concurrency, record }`, each answered with `{ run, phases }` (phases: the
 * server's `Server-Timing` and the transport time of each recorded request, in ms).
 */
import { createGovTrustClient, type GovTrustClient } from '../src/client/index.js';
import { makeDemoPdf, parseServerTiming } from '@govtrust/server';
import { runLatency, type LatencyRun } from './harness.js';

/** What the parent sends. */
export type LoadCommand =
  | {
      readonly kind: 'setup';
      readonly baseUrl: string;
      readonly appId: string;
      readonly secret: string;
      readonly sealId: string;
    }
  | {
      readonly kind: 'run';
      readonly n: number;
      readonly concurrency: number;
      readonly record: boolean;
    };

/** What the child answers to a run. */
export interface LoadReply {
  readonly run: LatencyRun;
  readonly phases: Partial<Record<string, number[]>>;
}

let client: GovTrustClient | undefined;
let sealId = '';
let phases: Partial<Record<string, number[]>> = {};
let recording = false;
const pdf = makeDemoPdf({ pages: 1 });

async function handle(cmd: LoadCommand): Promise<LoadReply | { ready: true }> {
  if (cmd.kind === 'setup') {
    sealId = cmd.sealId;
    client = createGovTrustClient({
      baseUrl: cmd.baseUrl,
      appId: cmd.appId,
      secret: cmd.secret,
      fetch: async (input, init) => {
        const t0 = performance.now();
        const r = await fetch(input, init);
        const roundTrip = performance.now() - t0;
        if (recording && r.status === 201) {
          const timing = parseServerTiming(r.headers.get('server-timing'));
          for (const [k, v] of Object.entries(timing)) (phases[k] ??= []).push(v);
          // Request sent to reply headers received, less the server's own time: loopback and framing.
          (phases.transport ??= []).push(roundTrip - (timing.total ?? 0));
        }
        return r;
      },
    });
    return { ready: true };
  }
  const c = client;
  if (c === undefined) throw new Error('load child: run before setup');
  phases = {};
  recording = cmd.record;
  const run = await runLatency(cmd.n, cmd.concurrency, () =>
    c.applySeal({ sealId, pdf, positions: [{ type: 'page', page: 1, x: 120, y: 140 }] }),
  );
  recording = false;
  return { run, phases };
}

process.on('message', (msg: LoadCommand) => {
  handle(msg).then(
    (reply) => process.send?.({ ok: true, reply }),
    (e: unknown) => process.send?.({ ok: false, error: String(e) }),
  );
});
process.on('disconnect', () => process.exit(0));
