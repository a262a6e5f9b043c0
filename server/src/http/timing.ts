/**
 * `Server-Timing` (W3C Server Timing): how long the phases of a request took on the server
 * (authentication, body, the domain's own phases), for operators and load tests. Durations only,
 * never names or contents of documents.
 * @module
 */

/** Phase durations of one request, in the order they were recorded. */
export class ServerTiming {
  private readonly entries: [string, number][] = [];

  /** Runs `fn` and records its duration under `name` (also when it throws). */
  async measure<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.add(name, performance.now() - start);
    }
  }

  /** Records `ms` under `name` (added to an earlier entry of the same name). */
  add(name: string, ms: number): void {
    const e = this.entries.find(([n]) => n === name);
    if (e === undefined) this.entries.push([name, ms]);
    else e[1] += ms;
  }

  /** The header value, e.g. `auth;dur=0.4, seal;dur=15.2`; empty when nothing was recorded. */
  header(): string {
    return this.entries.map(([n, ms]) => `${n};dur=${ms.toFixed(2)}`).join(', ');
  }
}

/** Parses a `Server-Timing` header into name -> milliseconds (entries without `dur` are skipped). */
export function parseServerTiming(value: string | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (value ?? '').split(',')) {
    const [name, ...params] = part.trim().split(';');
    const dur = params.map((p) => /^\s*dur=([\d.]+)\s*$/.exec(p)).find((m) => m !== null);
    if (name !== undefined && name !== '' && dur != null) out[name] = Number(dur[1]);
  }
  return out;
}
