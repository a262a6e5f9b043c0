/**
 * A small benchmark harness: warm up, then timed rounds; the figure is the median of the rounds.
 * Machines here are noisy, so every result is reported next to a baseline measured in the same run.
 */

/** One measured operation. */
export interface Measurement {
  readonly name: string;
  /** Median operations per second over the rounds. */
  readonly opsPerSec: number;
  /** Slowest and fastest round, ops/s. */
  readonly min: number;
  readonly max: number;
  readonly rounds: number;
}

/** Options of `measure`. */
export interface MeasureOptions {
  /** Length of one round in ms (default 400). */
  readonly roundMs?: number;
  /** Number of rounds (default 5). */
  readonly rounds?: number;
  /** Warm-up time in ms (default 200). */
  readonly warmupMs?: number;
}

/** Runs `fn` repeatedly and returns its median rate. `fn` may be async. */
export async function measure(
  name: string,
  fn: () => unknown,
  options: MeasureOptions = {},
): Promise<Measurement> {
  const roundMs = options.roundMs ?? 400;
  const roundCount = options.rounds ?? 5;
  const warmEnd = performance.now() + (options.warmupMs ?? 200);
  while (performance.now() < warmEnd) await fn();
  const rates: number[] = [];
  for (let r = 0; r < roundCount; r++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < roundMs) {
      await fn();
      n++;
      now = performance.now();
    }
    rates.push((n * 1000) / (now - start));
  }
  rates.sort((a, b) => a - b);
  return {
    name,
    opsPerSec: rates[Math.floor(rates.length / 2)]!,
    min: rates[0]!,
    max: rates[rates.length - 1]!,
    rounds: roundCount,
  };
}

/** A row of a benchmark report: our figure, the baseline's, and their ratio. */
export interface ComparisonRow {
  readonly what: string;
  readonly ours: string;
  readonly baseline: string;
  readonly baselineName: string;
  /** ours / baseline (higher is better for rates). */
  readonly ratio: number;
}

/** Prints rows as an aligned table. */
export function printTable(title: string, rows: readonly ComparisonRow[]): string {
  const header = ['what', 'ours', 'baseline', 'baseline is', 'ratio'];
  const body = rows.map((r) => [
    r.what,
    r.ours,
    r.baseline,
    r.baselineName,
    `${r.ratio.toFixed(2)}x`,
  ]);
  const all = [header, ...body];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [
    `\n## ${title}`,
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...body.map(line),
  ].join('\n');
}

/** Formats a rate. */
export function fmtRate(opsPerSec: number, unit = 'ops/s'): string {
  return `${opsPerSec >= 100 ? Math.round(opsPerSec).toLocaleString('en-US') : opsPerSec.toFixed(1)} ${unit}`;
}

/** The p-th percentile (0-100) of ascending `sorted` values. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A closed-loop load run: its rate and every latency (ms, ascending). */
export interface LoadRun {
  readonly n: number;
  readonly seconds: number;
  readonly rate: number;
  readonly latencies: readonly number[];
}

/** Runs `op` `n` times with `concurrency` workers in a closed loop; latencies in ms. */
export async function runLoad(
  n: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<LoadRun> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const t0 = performance.now();
        await op(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { n, seconds, rate: n / seconds, latencies };
}

/** Rate and latency percentiles of a load run. */
export interface LatencyRun {
  readonly n: number;
  readonly seconds: number;
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
}

/** `runLoad` reduced to its rate and p50/p99 latency (ms). */
export async function runLatency(
  n: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<LatencyRun> {
  const r = await runLoad(n, concurrency, op);
  return {
    n,
    seconds: r.seconds,
    rate: r.rate,
    p50: percentile(r.latencies, 50),
    p99: percentile(r.latencies, 99),
  };
}

/** The median of `xs`. */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/** Medians of the rates and latencies of several rounds. */
export function medianRun(runs: readonly Pick<LatencyRun, 'rate' | 'p50' | 'p99'>[]): {
  rate: number;
  p50: number;
  p99: number;
} {
  return {
    rate: median(runs.map((r) => r.rate)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
  };
}

/**
 * Two rows comparing load runs: the rate (ours / baseline) and, indented, the p50/p99 latency
 * (baseline p50 / ours p50: higher is better in both).
 */
export function rateRows(
  what: string,
  ours: Pick<LatencyRun, 'rate' | 'p50' | 'p99'>,
  baseline: Pick<LatencyRun, 'rate' | 'p50' | 'p99'>,
  baselineName: string,
  options: { readonly latency?: boolean } = {},
): ComparisonRow[] {
  const lat = (r: { p50: number; p99: number }): string =>
    `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`;
  const rows: ComparisonRow[] = [
    {
      what,
      ours: fmtRate(ours.rate),
      baseline: fmtRate(baseline.rate),
      baselineName,
      ratio: ours.rate / baseline.rate,
    },
  ];
  if (options.latency !== false)
    rows.push({
      what: '  latency',
      ours: lat(ours),
      baseline: lat(baseline),
      baselineName,
      ratio: baseline.p50 / ours.p50,
    });
  return rows;
}
