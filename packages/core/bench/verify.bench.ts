/**
 * PDF verification benchmark (issue 5): files/s and peak memory verifying a sealed 1-page PDF and a
 * sealed 50 MiB PDF, next to poppler's `pdfsig` whole-process time on the same files (NSS database
 * trusting the same certificate, no OCSP) and next to the floor of SHA-256 over the 50 MiB file,
 * all measured in the same run. Inputs are generated at bench time in a temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSigner, importPrivateKey } from '../src/crypto/index.js';
import { sealPdf, verifySealedPdf } from '../src/pdf/index.js';
import { createTrustStore } from '../src/pki/index.js';
import { fmtRate, measure, printTable, type ComparisonRow } from './harness.js';
import { makeBenchInputs } from './pdf-inputs.js';

interface ChildResult {
  readonly ms: number;
  readonly rssBefore: number;
  readonly peakRss: number;
  readonly status: string;
}

function child(
  mode: string,
  file: string,
  trustPem: string,
  warm: string,
  repeat = 1,
): ChildResult {
  const script = join(import.meta.dirname, 'verify-child.ts');
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, '--expose-gc', script, mode, file, trustPem, warm, String(repeat)],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (r.status !== 0) throw new Error(`${mode} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const GNU_TIME = '/usr/bin/time';

/**
 * Wall time of `pdfsig` verifying `file`, one fresh process per run (how it is used), and its peak
 * RSS from GNU time when installed (undefined otherwise).
 */
function pdfsigRun(
  nss: string,
  file: string,
  runs: number,
): { ms: number; peakRss: number | undefined; output: string } {
  const times: number[] = [];
  let output = '';
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync('pdfsig', ['-no-ocsp', '-nssdir', nss, file], { encoding: 'utf8' });
    times.push(performance.now() - t0);
    output = r.stdout;
  }
  let peakRss: number | undefined;
  if (existsSync(GNU_TIME)) {
    const r = spawnSync(GNU_TIME, ['-f', '%M', 'pdfsig', '-no-ocsp', '-nssdir', nss, file], {
      encoding: 'utf8',
    });
    const kb = Number(/(\d+)\s*$/.exec(r.stderr)?.[1]);
    if (Number.isFinite(kb)) peakRss = kb * 1024;
  }
  return { ms: median(times), peakRss, output };
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : `${(bytes / MiB).toFixed(0)} MiB`;
}

const MiB = 1024 * 1024;

/** Runs the verify benchmark and returns the report text and raw figures. */
export async function runVerifyBench(): Promise<{ text: string; data: Record<string, unknown> }> {
  const inputs = await makeBenchInputs(50);
  try {
    const signer = createSigner(importPrivateKey(inputs.keyPem), {
      certificateChain: inputs.certPem,
    });
    const trustPem = join(inputs.dir, 'cert.pem');
    const trust = createTrustStore([inputs.certPem]);
    const small = join(inputs.dir, 'sealed-1p.pdf');
    const big = join(inputs.dir, 'sealed-big.pdf');
    writeFileSync(small, await sealPdf(readFileSync(inputs.onePage), { signer, reason: 'bench' }));
    writeFileSync(big, await sealPdf(readFileSync(inputs.big), { signer, reason: 'bench' }));
    const nssDir = join(inputs.dir, 'nss');
    mkdirSync(nssDir);
    const nss = `sql:${nssDir}`;
    spawnSync('certutil', ['-N', '-d', nss, '--empty-password']);
    spawnSync('certutil', ['-A', '-d', nss, '-n', 'bench', '-t', 'CT,C,C', '-i', trustPem]);

    const data: Record<string, unknown> = {};
    const rows: ComparisonRow[] = [];

    // 1 page: ours in-process, a fresh process of ours, pdfsig per process.
    const smallBytes = new Uint8Array(readFileSync(small));
    const check = await verifySealedPdf(smallBytes, { trust });
    if (check.status !== 'valid')
      throw new Error(`bench input does not verify: ${JSON.stringify(check)}`);
    const ours = await measure(
      'GovTrust verify 1 page',
      () => verifySealedPdf(smallBytes, { trust }),
      {
        roundMs: 1000,
        rounds: 3,
      },
    );
    const popplerSmall = pdfsigRun(nss, small, 15);
    if (!popplerSmall.output.includes('Signature is Valid'))
      throw new Error(`pdfsig does not verify the bench input: ${popplerSmall.output}`);
    const smallChild = child('verify', small, trustPem, small, 200);
    const smallIdle = child('idle', small, trustPem, small);
    data.small = {
      size: smallBytes.length,
      ours,
      pdfsig: popplerSmall,
      child: smallChild,
      idle: smallIdle,
    };
    rows.push(
      {
        what: `verify 1 page (${Math.round(smallBytes.length / 1024)} KiB), RSA-2048: files/s (ours in-process)`,
        ours: fmtRate(ours.opsPerSec, 'files/s'),
        baseline: fmtRate(1000 / popplerSmall.ms, 'files/s'),
        baselineName: 'pdfsig (whole process)',
        ratio: ours.opsPerSec / (1000 / popplerSmall.ms),
      },
      {
        what: `verify 1 page: peak RSS, a process verifying it 200 times (${smallChild.ms.toFixed(2)} ms/file)`,
        ours: mib(smallChild.peakRss),
        baseline: mib(smallIdle.peakRss),
        baselineName: 'idle Node process',
        ratio: smallChild.peakRss / smallIdle.peakRss,
      },
      {
        what: 'verify 1 page: peak RSS vs pdfsig (Node and tsx cost most of ours)',
        ours: mib(smallChild.peakRss),
        baseline: mib(popplerSmall.peakRss),
        baselineName: 'pdfsig (one file)',
        ratio: popplerSmall.peakRss === undefined ? NaN : smallChild.peakRss / popplerSmall.peakRss,
      },
    );

    // 50 MiB: fresh processes for time and peak memory; SHA-256 of the bytes is the floor.
    const size = readFileSync(big).length;
    const runs = (mode: string): ChildResult[] =>
      Array.from({ length: 3 }, () => child(mode, big, trustPem, small));
    const floor = runs('sha256');
    const idle = runs('idle');
    const oursBig = runs('verify');
    if (oursBig.some((r) => r.status !== 'valid'))
      throw new Error('the 50 MiB input does not verify');
    const popplerBig = pdfsigRun(nss, big, 3);
    const t = (rs: readonly ChildResult[]): number => median(rs.map((r) => r.ms));
    const peak = (rs: readonly ChildResult[]): number => median(rs.map((r) => r.peakRss));
    data.big = {
      size,
      floor,
      ours: oursBig,
      pdfsig: { ms: popplerBig.ms, peakRss: popplerBig.peakRss },
    };
    rows.push(
      {
        what: `verify ${(size / MiB).toFixed(0)} MiB: time vs SHA-256 of the file (goal < 2x)`,
        ours: `${t(oursBig).toFixed(0)} ms`,
        baseline: `${t(floor).toFixed(0)} ms`,
        baselineName: 'SHA-256 of the bytes',
        ratio: t(oursBig) / t(floor),
      },
      {
        what: `verify ${(size / MiB).toFixed(0)} MiB: time vs pdfsig`,
        ours: `${t(oursBig).toFixed(0)} ms`,
        baseline: `${popplerBig.ms.toFixed(0)} ms`,
        baselineName: 'pdfsig (whole process)',
        ratio: popplerBig.ms / t(oursBig),
      },
      {
        what: `verify ${(size / MiB).toFixed(0)} MiB: peak RSS vs pdfsig`,
        ours: mib(peak(oursBig)),
        baseline: mib(popplerBig.peakRss),
        baselineName: 'pdfsig (whole process)',
        ratio: popplerBig.peakRss === undefined ? NaN : peak(oursBig) / popplerBig.peakRss,
      },
      {
        what: `verify ${(size / MiB).toFixed(0)} MiB: peak RSS above an idle process holding the file, / file size`,
        ours: mib(Math.max(0, peak(oursBig) - peak(idle))),
        baseline: mib(size),
        baselineName: 'file size',
        ratio: Math.max(0, peak(oursBig) - peak(idle)) / size,
      },
    );
    const text =
      printTable(
        'PDF verification (ratio: ours/pdfsig for files/s and pdfsig/ours for time: higher is better; ours/baseline for the SHA-256 floor and memory: lower is better)',
        rows,
      ) +
      '\nInputs: a pdf-lib 1-page text PDF and a 50-page PDF of 1 MiB random images, each sealed (RSA-2048, SHA-256, B-B); ' +
      'pdfsig 22.12 with an NSS database trusting the signer, -no-ocsp, one process per file; the 50 MiB figures are medians of 3 fresh processes (file read excluded, as for the SHA-256 floor).';
    return { text, data };
  } finally {
    rmSync(inputs.dir, { recursive: true, force: true });
  }
}
