/**
 * `pnpm bench [name...]`: runs the benchmarks (all, or those named) and prints each next to its
 * baseline measured in the same run; raw figures go to bench-results/<name>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { runCryptoBench } from '../packages/core/bench/crypto.bench.js';
import { runLicenceBench } from '../packages/core/bench/licence.bench.js';
import { runLicenceHttpBench } from '../packages/core/bench/licence-http.bench.js';
import { runPdfBench } from '../packages/core/bench/pdf.bench.js';
import { runPkiBench } from '../packages/core/bench/pki.bench.js';
import { runServerBench } from '../packages/core/bench/server.bench.js';
import { runVerifyBench } from '../packages/core/bench/verify.bench.js';

const benches: Record<string, () => Promise<{ text: string; data: unknown }>> = {
  crypto: runCryptoBench,
  licence: runLicenceBench,
  'licence-http': runLicenceHttpBench,
  pdf: runPdfBench,
  pki: runPkiBench,
  server: runServerBench,
  verify: runVerifyBench,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(benches);
mkdirSync('bench-results', { recursive: true });
for (const name of names) {
  const bench = benches[name];
  if (bench === undefined) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(benches).join(', ')}`);
    process.exitCode = 2;
    continue;
  }
  const { text, data } = await bench();
  console.log(text);
  writeFileSync(
    `bench-results/${name}.json`,
    JSON.stringify({ date: new Date().toISOString(), node: process.version, data }, null, 2),
  );
}
