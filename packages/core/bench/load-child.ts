/**
 * The load generator of the HTTP benchmarks, in a process of its own so that the client SDK's work
 * (request signing, body building, reply parsing) does not share the server's event loop, as with
 * a real approval system on another machine. Started by `startLoadProcess` (load.ts) and driven
 * over IPC: `{ kind: 'setup', baseUrl, appId, secret }`, then any number of
 * `{ kind: 'run', n, concurrency, record, op }`, each answered with `{ run, phases }` (phases: the
 * server's `Server-Timing` and the transport time of each recorded request, in ms).
 */
import { createGovTrustClient, type GovTrustClient } from '../src/client/index.js';
import { makeDemoPdf, parseServerTiming } from '@govtrust/server';
import { runLatency } from './harness.js';
import type { LoadCommand, LoadOp, LoadReply } from './load.js';

let client: GovTrustClient | undefined;
let phases: Partial<Record<string, number[]>> = {};
let recording = false;
const pdf = makeDemoPdf({ pages: 1 });

/** One operation of `op`; throws unless the server answered as expected. */
function operation(c: GovTrustClient, op: LoadOp): () => Promise<unknown> {
  if (op.kind === 'applySeal')
    return () =>
      c.applySeal({
        sealId: op.sealId,
        pdf,
        positions: [{ type: 'page', page: 1, x: 120, y: 140 }],
      });
  const body =
    op.body === undefined
      ? {}
      : {
          body: new Uint8Array(Buffer.from(op.body.base64, 'base64')),
          contentType: op.body.contentType,
        };
  return async () => {
    const res = await c.request(op.method, op.target, body);
    const json = JSON.parse(new TextDecoder().decode(res.body)) as Record<string, unknown>;
    for (const [k, v] of Object.entries(op.expect))
      if (json[k] !== v)
        throw new Error(`HTTP ${res.status}: ${k} is ${JSON.stringify(json[k])}, not ${String(v)}`);
  };
}

async function handle(cmd: LoadCommand): Promise<LoadReply | { ready: true }> {
  if (cmd.kind === 'setup') {
    client = createGovTrustClient({
      baseUrl: cmd.baseUrl,
      appId: cmd.appId,
      secret: cmd.secret,
      fetch: async (input, init) => {
        const t0 = performance.now();
        const r = await fetch(input, init);
        const roundTrip = performance.now() - t0;
        if (recording && r.status < 300) {
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
  if (client === undefined) throw new Error('load child: run before setup');
  const op = operation(client, cmd.op);
  phases = {};
  recording = cmd.record;
  try {
    return { run: await runLatency(cmd.n, cmd.concurrency, op), phases };
  } finally {
    recording = false;
  }
}

process.on('message', (msg: LoadCommand) => {
  handle(msg).then(
    (reply) => process.send?.({ ok: true, reply }),
    (e: unknown) => process.send?.({ ok: false, error: String(e) }),
  );
});
process.on('disconnect', () => process.exit(0));
