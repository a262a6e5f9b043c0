/** The usage log (用印记录): refusals, failures and seals, hash-chained with sequence numbers; queries and the offline export. @module */
import { formatLogExport, type EntryOf, type LogEntry } from '@govtrust/core/store';
import type { UsageEntryView } from '@govtrust/core/client';
import type { ServerSchema, ServerTx, UsageEntry } from '../storage/schema.js';
import type { DomainContext } from './context.js';

/** Appends a usage entry inside `tx`; resolves to its sequence number. */
export async function appendUsage(tx: ServerTx, entry: UsageEntry): Promise<number> {
  return (await tx.append('usage', entry)).seq;
}

/**
 * The index range that narrows a log query: the first keyed index whose key is given (over keys
 * `<key>\u001f<time>`), else the time index when a bound is given, else none (the sequence).
 */
export function logIndexRange(
  keyed: readonly (readonly [index: string, key: string | undefined])[],
  from: string | undefined,
  to: string | undefined,
): { index: string; gte: string; lte: string } | Record<string, never> {
  const range = (index: string, head: string): { index: string; gte: string; lte: string } => ({
    index,
    gte: `${head}${from ?? ''}`,
    lte: `${head}${to ?? '\u{10FFFF}'}`,
  });
  for (const [index, key] of keyed) if (key !== undefined) return range(index, `${key}\u001f`);
  return from !== undefined || to !== undefined ? range('time', '') : {};
}

/**
 * A bounded, filtered scan of a log: pages through `index` (or the sequence) and keeps the entries
 * `accept` takes, at most 20 pages per call; the cursor (`next`) lets the caller continue.
 */
export async function scanLog<L extends 'usage' | 'licence-usage'>(
  ctx: DomainContext,
  log: L,
  options: {
    readonly index: { index: string; gte: string; lte: string } | Record<string, never>;
    readonly after: string | undefined;
    readonly limit: number;
    readonly accept: (entry: LogEntry<LogEntryOf<L>>['entry']) => boolean;
  },
): Promise<{ items: LogEntry<LogEntryOf<L>>[]; next?: string }> {
  const items: LogEntry<LogEntryOf<L>>[] = [];
  let after = options.after;
  for (let i = 0; i < 20 && items.length < options.limit; i++) {
    const page = await ctx.store.queryLog(log, {
      ...options.index,
      limit: Math.min(1000, options.limit * 2),
      ...(after === undefined ? {} : { after }),
    });
    for (const e of page.items) {
      if (!options.accept(e.entry)) continue;
      items.push(e);
      if (items.length >= options.limit) break;
    }
    after = page.next;
    if (after === undefined) break;
  }
  return {
    items,
    ...(after === undefined || items.length < options.limit ? {} : { next: after }),
  };
}

type LogEntryOf<L extends 'usage' | 'licence-usage'> = EntryOf<ServerSchema, L>;

/** A query of the usage log. */
export interface UsageQuery {
  readonly appId?: string;
  readonly sealId?: string;
  readonly from?: string;
  readonly to?: string;
  readonly result?: UsageEntry['result'];
  readonly limit: number;
  readonly after?: string;
}

/** The view of one entry. */
export function usageEntryView(e: LogEntry<UsageEntry>): UsageEntryView {
  return {
    seq: e.seq,
    hash: e.hash,
    prevHash: e.prevHash,
    entry: e.entry as unknown as Record<string, unknown>,
  };
}

/** The usage and audit log reader. */
export interface LogService {
  queryUsage(q: UsageQuery): Promise<{ items: LogEntry<UsageEntry>[]; next?: string }>;
  /** The whole log as the NDJSON export `govtrust audit verify` reads. */
  exportLog(log: 'usage' | 'audit'): Promise<string>;
  head(log: 'usage' | 'audit'): Promise<{ seq: number; hash: string } | undefined>;
}

/** Creates the log service. */
export function createLogService(ctx: DomainContext): LogService {
  return {
    queryUsage(q) {
      // One index narrows the scan (app or seal, then time); the remaining filters apply to each page.
      const index = logIndexRange(
        [
          ['app', q.appId],
          ['seal', q.sealId],
        ],
        q.from,
        q.to,
      );
      return scanLog(ctx, 'usage', {
        index,
        after: q.after,
        limit: q.limit,
        accept: (v) =>
          (q.sealId === undefined || v.sealId === q.sealId) &&
          (q.appId === undefined || v.appId === q.appId) &&
          (q.result === undefined || v.result === q.result) &&
          (q.from === undefined || v.time >= q.from) &&
          (q.to === undefined || v.time <= q.to),
      });
    },
    async exportLog(log) {
      const entries: LogEntry[] = [];
      let seq = 1;
      for (;;) {
        const chunk = await ctx.store.readLog(log, seq, 10_000);
        entries.push(...chunk);
        if (chunk.length < 10_000) break;
        seq += chunk.length;
      }
      return formatLogExport(log, entries[0]?.alg ?? 'sha256', entries);
    },
    async head(log) {
      const h = await ctx.store.logHead(log);
      return h === undefined ? undefined : { seq: h.seq, hash: h.hash };
    },
  };
}
