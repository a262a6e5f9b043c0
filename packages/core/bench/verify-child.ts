/**
 * One verification measured in a fresh process, so its peak RSS belongs to it alone:
 * `verify-child.ts <verify|sha256|idle> <pdf> <trust.pem> <warm-up pdf> [repeat]`.
 * Prints JSON: { ms (per operation), rssBefore, peakRss, status }.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { verifySealedPdf } from '../src/pdf/index.js';
import { createTrustStore } from '../src/pki/index.js';

const [mode, file, trustPem, warm, repeatArg] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string | undefined,
];
const trust = createTrustStore([readFileSync(trustPem, 'utf8')]);
const repeat = Number(repeatArg ?? 1);

async function op(pdf: Uint8Array): Promise<string> {
  if (mode === 'verify') return (await verifySealedPdf(pdf, { trust })).status;
  // The same process with the file read and nothing done: what Node itself costs.
  if (mode === 'idle') return 'idle';
  // The floor: SHA-256 of the bytes already in memory.
  createHash('sha256').update(pdf).digest();
  return 'hashed';
}

// Buffers are Uint8Arrays: no copy of the file is made.
await op(readFileSync(warm));
const pdf = readFileSync(file);
(globalThis as { gc?: () => void }).gc?.();
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
let status = '';
for (let i = 0; i < repeat; i++) status = await op(pdf);
const ms = (performance.now() - t0) / repeat;
const peakRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ ms, rssBefore, peakRss, status }));
