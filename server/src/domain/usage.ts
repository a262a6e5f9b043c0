/** The usage log (用印记录): refusals, failures and seals, hash-chained with sequence numbers; queries and the offline export. @module */
import { formatLogExport, type LogEntry } from '@govtrust/core/store';
import type { UsageEntryView } from '@govtrust/core/client';
import type { ServerTx, UsageEntry } from '../storage/schema.js';
import type { DomainContext } from './context.js';

/** Appends a usage entry inside `tx`; resolves to its sequence number. */
export async function appendUsage(tx: ServerTx, entry: UsageEntry): Promise<number> {
  return (await tx.append('usage', entry)).seq;
}

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
    async queryUsage(q) {
      // One index narrows the scan (app or seal, then time); the remaining filters apply to each page.
      const range = (prefix: string): { gte: string; lte: string } => ({
        gte: `${prefix}${q.from ?? ''}`,
        lte: `${prefix}${q.to ?? '\u{10FFFF}'}`,
      });
      const sep = '\u001f';
      const base =
        q.appId !== undefined
          ? { index: 'app', ...range(`${q.appId}${sep}`) }
          : q.sealId !== undefined
            ? { index: 'seal', ...range(`${q.sealId}${sep}`) }
            : q.from !== undefined || q.to !== undefined
              ? { index: 'time', ...range('') }
              : {};
      const items: LogEntry<UsageEntry>[] = [];
      let after = q.after;
      // Bounded scan: at most 20 pages per call; the cursor lets the caller continue.
      for (let i = 0; i < 20 && items.length < q.limit; i++) {
        const page = await ctx.store.queryLog('usage', {
          ...base,
          limit: Math.min(1000, q.limit * 2),
          ...(after === undefined ? {} : { after }),
        });
        for (const e of page.items) {
          const v = e.entry;
          if (q.sealId !== undefined && v.sealId !== q.sealId) continue;
          if (q.appId !== undefined && v.appId !== q.appId) continue;
          if (q.result !== undefined && v.result !== q.result) continue;
          if (q.from !== undefined && v.time < q.from) continue;
          if (q.to !== undefined && v.time > q.to) continue;
          items.push(e);
          if (items.length >= q.limit) break;
        }
        after = page.next;
        if (after === undefined) break;
      }
      return { items, ...(after === undefined || items.length < q.limit ? {} : { next: after }) };
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
