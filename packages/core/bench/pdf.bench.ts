/**
 * PDF sealing benchmark (issue 4): seals/s on a 1-page and a 200-page PDF, and time and peak
 * memory on a 50 MiB PDF, next to @signpdf/signpdf (placeholder-plain + signer-p12, the state of
 * the art in JS) measured in the same run on the same inputs, and next to the floor of "copy the
 * file once and SHA-256 it". Inputs are generated at bench time in a temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { P12Signer } from '@signpdf/signer-p12';
import { SignPdf } from '@signpdf/signpdf';

// @signpdf's default export is an instance; build one from its class (CommonJS interop).
const signpdf = new SignPdf();
import { createSigner, importPrivateKey } from '../src/crypto/index.js';
import { sealPdf } from '../src/pdf/index.js';
import { fmtRate, measure, printTable, type ComparisonRow, type Measurement } from './harness.js';
import { makeBenchInputs } from './pdf-inputs.js';

interface ChildResult {
  readonly ms: number;
  readonly rssBefore: number;
  readonly peakRss: number;
  readonly outBytes: number;
}

function child(mode: string, file: string, dir: string, warm: string): ChildResult {
  const script = join(import.meta.dirname, 'pdf-big-child.ts');
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, '--expose-gc', script, mode, file, dir, warm],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  if (r.status !== 0) throw new Error(`${mode} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const MiB = 1024 * 1024;

/** Runs the pdf benchmark and returns the report text and raw figures. */
export async function runPdfBench(): Promise<{ text: string; data: Record<string, unknown> }> {
  const inputs = await makeBenchInputs(50);
  try {
    const signer = createSigner(importPrivateKey(inputs.keyPem), {
      certificateChain: inputs.certPem,
    });
    const p12 = readFileSync(inputs.p12);
    const data: Record<string, unknown> = {};
    const rows: ComparisonRow[] = [];
    for (const [label, file] of [
      ['1 page', inputs.onePage],
      ['200 pages', inputs.twoHundredPages],
    ] as const) {
      const pdf = readFileSync(file);
      const baseline: Measurement = await measure(
        `@signpdf ${label}`,
        async () => {
          const withPlaceholder = plainAddPlaceholder({
            pdfBuffer: pdf,
            reason: 'bench',
            contactInfo: '',
            name: 'bench',
            location: '',
          });
          await signpdf.sign(
            withPlaceholder,
            new P12Signer(p12, { passphrase: inputs.p12Password }),
          );
        },
        { roundMs: 1000, rounds: 3 },
      );
      const ours: Measurement = await measure(
        `GovTrust ${label}`,
        () => sealPdf(pdf, { signer, reason: 'bench' }),
        {
          roundMs: 1000,
          rounds: 3,
        },
      );
      data[`ours ${label}`] = ours;
      data[`signpdf ${label}`] = baseline;
      rows.push({
        what: `seal, ${label} (${Math.round(pdf.length / 1024)} KiB), RSA-2048, in-process`,
        ours: fmtRate(ours.opsPerSec, 'seals/s'),
        baseline: fmtRate(baseline.opsPerSec, 'seals/s'),
        baselineName: '@signpdf plain+p12',
        ratio: ours.opsPerSec / baseline.opsPerSec,
      });
    }

    const size = readFileSync(inputs.big).length;
    const runs = (mode: string): ChildResult[] =>
      Array.from({ length: 3 }, () => child(mode, inputs.big, inputs.dir, inputs.onePage));
    const floor = runs('hashcopy');
    const ours = runs('ours');
    const theirs = runs('signpdf');
    const t = (rs: ChildResult[]): number => median(rs.map((r) => r.ms));
    const extra = (rs: ChildResult[]): number => median(rs.map((r) => r.peakRss - r.rssBefore));
    data.big = { size, floor, ours, theirs };
    rows.push(
      {
        what: `seal ${(size / MiB).toFixed(0)} MiB: time vs copy+SHA-256 (goal < 3x)`,
        ours: `${t(ours).toFixed(0)} ms`,
        baseline: `${t(floor).toFixed(0)} ms`,
        baselineName: 'copy + SHA-256',
        ratio: t(ours) / t(floor),
      },
      {
        what: `seal ${(size / MiB).toFixed(0)} MiB: time vs @signpdf`,
        ours: `${t(ours).toFixed(0)} ms`,
        baseline: `${t(theirs).toFixed(0)} ms`,
        baselineName: '@signpdf plain+p12',
        ratio: t(theirs) / t(ours),
      },
      {
        what: `seal ${(size / MiB).toFixed(0)} MiB: peak extra RSS / file size (goal < 2)`,
        ours: `${(extra(ours) / MiB).toFixed(0)} MiB`,
        baseline: `${(size / MiB).toFixed(0)} MiB`,
        baselineName: 'file size',
        ratio: extra(ours) / size,
      },
      {
        what: `seal ${(size / MiB).toFixed(0)} MiB: peak extra RSS vs @signpdf`,
        ours: `${(extra(ours) / MiB).toFixed(0)} MiB`,
        baseline: `${(extra(theirs) / MiB).toFixed(0)} MiB`,
        baselineName: '@signpdf plain+p12',
        ratio: extra(theirs) / extra(ours),
      },
    );
    const text =
      printTable(
        'PDF sealing (ratio: ours/baseline for rates; baseline/ours for @signpdf time and memory; ours/baseline against the floor and file size)',
        rows,
      ) +
      '\nInputs: pdf-lib text PDFs (classic xref, as placeholder-plain needs) and a 50-page PDF of 1 MiB random images; each 50 MiB figure is the median of 3 fresh processes.';
    return { text, data };
  } finally {
    rmSync(inputs.dir, { recursive: true, force: true });
  }
}
