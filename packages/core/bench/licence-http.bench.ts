/**
 * Licence verification benchmark (issue 9): licence verifications per second over HTTP
 * (`POST /v1/licences/verify`, face PDF and signed data file, each writing its usage record) with
 * p50/p99 latency from a load process of its own (load.ts), next to in-process `verifyLicence` on
 * the same bytes with the same options in the same run. Rounds alternate so machine noise hits
 * both sides alike.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registryStatusSource, verifyLicence } from '../src/licence/index.js';
import { repoRoot as root, startBenchServer } from './bench-server.js';
import {
  medianRun as summary,
  printTable,
  rateRows,
  runLatency,
  type ComparisonRow,
  type LatencyRun,
} from './harness.js';
import { startLoadProcess, type LoadOp } from './load.js';

type Run = Pick<LatencyRun, 'rate' | 'p50' | 'p99'>;

const CAUSE = encodeURIComponent('性能测试核验');
const load = (n: number, concurrency: number, op: () => Promise<unknown>): Promise<Run> =>
  runLatency(n, concurrency, op);

/** Runs the benchmark; `pnpm bench licence-http`. */
export async function runLicenceHttpBench(): Promise<{ text: string; data: unknown }> {
  const bench = await startBenchServer('licence');
  const { server, config, url } = bench;
  let closeLoader = (): void => undefined;
  try {
    const type = JSON.parse(
      readFileSync(
        join(root, 'samples/licence-types/construction-special-operations.json'),
        'utf8',
      ),
    ) as unknown;
    await server.licences.putType(type, 'bench', null);
    await server.licences.createIssuer(
      { code: '11220000013544541J', name: '吉林省住房和城乡建设厅' },
      'bench',
      null,
    );
    const app = await server.apps.create({
      name: 'bench',
      roles: ['issuer', 'verifier'],
      actor: 'bench',
      requestId: null,
    });
    await server.licences.setRights(
      app.appId,
      { issuers: ['11220000013544541J'], lookupTypes: ['*'], lookupAreas: ['*'] },
      'bench',
      null,
    );
    const today = new Date().toISOString().slice(0, 10);
    const issued = await server.licences.issue(
      {
        typeCode: '11100000000013338W032',
        number: '吉A042012000939',
        holder: { name: '张小明', code: '110105199003077016', codeTypeCode: '111' },
        validFrom: today,
        validUntil: `${String(Number(today.slice(0, 4)) + 1)}${today.slice(4)}`,
        fields: {
          sex: '男',
          birthDate: '1990-03-07',
          operationCategory: '建筑电工',
          firstIssuedOn: '2019-01-09',
        },
      },
      { appId: app.appId, name: 'bench', roles: ['issuer', 'verifier'], secretId: 'bench' },
      'bench',
    );
    const loader = await startLoadProcess({ baseUrl: url, appId: app.appId, secret: app.secret });
    closeLoader = () => {
      loader.close();
    };
    const types = new Map((await server.licences.listTypes()).map((t) => [t.typeCode, t]));
    const options = {
      trust: server.context.pki.trust,
      statusSource: registryStatusSource(server.licences.registry),
      types,
      verificationUrl: `${config.publicUrl ?? `http://${config.host}:${config.port}`}/verify`,
      intermediates: server.context.pki.algorithms.map((a) => a.intermediate.certificate.der),
    };
    const check = (status: string, result: number, what: string): void => {
      if (status !== 'valid' || result !== 0)
        throw new Error(`${what}: expected a valid licence, got ${status} ${result}`);
    };
    const inProcess = (bytes: Uint8Array) => async (): Promise<void> => {
      const r = await verifyLicence(bytes, { ...options, now: new Date() });
      check(r.status, r.result, 'in-process');
    };
    const overHttp = (bytes: Uint8Array, contentType: string): LoadOp => ({
      kind: 'request',
      method: 'POST',
      target: `/v1/licences/verify?useCause=${CAUSE}`,
      body: { base64: Buffer.from(bytes).toString('base64'), contentType },
      expect: { status: 'valid', result: 0 },
    });
    const http = async (n: number, concurrency: number, op: LoadOp): Promise<Run> =>
      (await loader.run(n, concurrency, op)).run;
    const cases = [
      {
        name: 'face PDF',
        size: issued.face.length,
        inproc: inProcess(issued.face),
        http: overHttp(issued.face, 'application/pdf'),
      },
      {
        name: 'signed data file',
        size: issued.signedData.length,
        inproc: inProcess(issued.signedData),
        http: overHttp(issued.signedData, 'application/json'),
      },
    ];
    const N = 40;
    const rounds = 5;
    const results = [];
    for (const c of cases) {
      await load(10, 1, c.inproc);
      await http(10, 1, c.http);
      const inproc: Run[] = [];
      const seq: Run[] = [];
      const conc: Run[] = [];
      for (let r = 0; r < rounds; r++) {
        inproc.push(await load(N, 1, c.inproc));
        seq.push(await http(N, 1, c.http));
        conc.push(await http(N, 4, c.http));
      }
      results.push({
        name: c.name,
        size: c.size,
        inproc: summary(inproc),
        seq: summary(seq),
        conc: summary(conc),
      });
    }
    const rows: ComparisonRow[] = results.flatMap((r) => [
      ...rateRows(
        `${r.name} (${(r.size / 1024).toFixed(0)} KiB), 1 client`,
        r.seq,
        r.inproc,
        'in-process verifyLicence',
      ),
      ...rateRows(`${r.name}, 4 clients`, r.conc, r.inproc, 'in-process verifyLicence'),
    ]);
    const text = [
      printTable(
        'Licence verification over HTTP (POST /v1/licences/verify, P-256 issuer, usage record per call, lowdb with fsync)',
        rows,
      ),
      '',
      ...results.map(
        (r) =>
          `${r.name}: HTTP/in-process rate ratio ${(r.seq.rate / r.inproc.rate).toFixed(2)} (1 client), ${(r.conc.rate / r.inproc.rate).toFixed(2)} (4 clients); overhead per verification (p50, 1 client) ${(r.seq.p50 - r.inproc.p50).toFixed(1)} ms.`,
      ),
      `${rounds} rounds of ${N} requests each per case, medians.`,
    ].join('\n');
    return { text, data: { results, rounds, requestsPerRound: N } };
  } finally {
    closeLoader();
    await bench.close();
  }
}
