/**
 * Licence benchmark (issue 7): status-list check cost for 1M entries (decode + lookup, and lookup
 * alone) next to Digital Bazaar's reference `@digitalbazaar/bitstring`, and store throughput
 * (memory vs lowdb with and without fsync vs PostgreSQL when reachable: put, concurrent put, get,
 * log append, and append with 100,000 entries already stored), and licences issued and verified
 * per second next to the raw sealing rate of a 1-page PDF (licence-issue.ts), all measured in the
 * same run.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bitstring } from '@digitalbazaar/bitstring';
import pg from 'pg';
import {
  createStatusBitstring,
  decodeStatusList,
  encodeStatusList,
  getStatus,
  setStatus,
} from '../src/licence/index.js';
import {
  createMemoryStore,
  defineCollection,
  defineLog,
  defineSchema,
  type Store,
} from '../src/store/index.js';
import { openLowdbStore } from '../src/store/lowdb/index.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { fmtRate, measure, printTable, type ComparisonRow, type Measurement } from './harness.js';
import { issueRows } from './licence-issue.js';

const ENTRIES = 1 << 20;

const schema = defineSchema({
  collections: { records: defineCollection<{ readonly n: number; readonly text: string }>() },
  logs: { usage: defineLog<{ readonly n: number; readonly seal: string; readonly doc: string }>() },
});

const TEXT = '用印记录 '.repeat(60); // about 500 bytes of UTF-8 per record

const usPerOp = (m: Measurement): string => `${(1e6 / m.opsPerSec).toFixed(1)} µs`;

async function statusListRows(data: Record<string, unknown>): Promise<ComparisonRow[]> {
  const bits = createStatusBitstring(ENTRIES);
  for (let i = 0; i < ENTRIES / 100; i++) setStatus(bits, randomInt(ENTRIES), 1);
  const encoded = encodeStatusList(bits);
  data.statusList = { entries: ENTRIES, revokedShare: 0.01, encodedChars: encoded.length };
  const probes = Array.from({ length: 1024 }, () => randomInt(ENTRIES));
  let p = 0;
  const ours = await measure('decode + lookup (ours)', () => {
    const b = decodeStatusList(encoded);
    return getStatus(b, probes[p++ & 1023]!);
  });
  const theirs = await measure('decode + lookup (@digitalbazaar/bitstring)', async () => {
    const b = new Bitstring({ buffer: await Bitstring.decodeBits({ encoded: encoded.slice(1) }) });
    return b.get(probes[p++ & 1023]!);
  });
  const decoded = decodeStatusList(encoded);
  const db = new Bitstring({ buffer: await Bitstring.decodeBits({ encoded: encoded.slice(1) }) });
  // 1024 lookups per call, so the loop overhead does not dominate.
  const lookOurs = await measure('1024 lookups (ours)', () => {
    let s = 0;
    for (const i of probes) s += getStatus(decoded, i);
    return s;
  });
  const lookTheirs = await measure('1024 lookups (@digitalbazaar/bitstring)', () => {
    let s = 0;
    for (const i of probes) s += db.get(i) ? 1 : 0;
    return s;
  });
  const encode = await measure('encode 1M entries (ours)', () => encodeStatusList(bits), {
    rounds: 3,
  });
  data.statusListMeasurements = { ours, theirs, lookOurs, lookTheirs, encode };
  return [
    {
      what: `check one licence in a 1M-entry list (gunzip ${encoded.length} chars + lookup)`,
      ours: `${fmtRate(ours.opsPerSec)} (${usPerOp(ours)})`,
      baseline: `${fmtRate(theirs.opsPerSec)} (${usPerOp(theirs)})`,
      baselineName: '@digitalbazaar/bitstring',
      ratio: ours.opsPerSec / theirs.opsPerSec,
    },
    {
      what: 'lookup in a decoded 1M-entry list',
      ours: `${(1e9 / lookOurs.opsPerSec / 1024).toFixed(1)} ns`,
      baseline: `${(1e9 / lookTheirs.opsPerSec / 1024).toFixed(1)} ns`,
      baselineName: '@digitalbazaar/bitstring',
      ratio: lookOurs.opsPerSec / lookTheirs.opsPerSec,
    },
    {
      what: 'encode (gzip) a 1M-entry list after a change',
      ours: `${fmtRate(encode.opsPerSec)} (${usPerOp(encode)})`,
      baseline: fmtRate(ours.opsPerSec),
      baselineName: 'decode + lookup (ours)',
      ratio: encode.opsPerSec / ours.opsPerSec,
    },
  ];
}

interface StoreFigures {
  put: Measurement;
  put64: Measurement;
  get: Measurement;
  append: Measurement;
}

async function storeFigures(store: Store<typeof schema>, label: string): Promise<StoreFigures> {
  let n = 0;
  const opts = { roundMs: 300, rounds: 3, warmupMs: 100 };
  const put = await measure(
    `${label} put`,
    () => store.put('records', `k${n++ % 10_000}`, { n, text: TEXT }),
    opts,
  );
  // 64 transactions in flight: shows group commit (one fdatasync for many commits).
  const put64 = await measure(
    `${label} put x64 concurrent`,
    () =>
      Promise.all(
        Array.from({ length: 64 }, () =>
          store.put('records', `k${n++ % 10_000}`, { n, text: TEXT }),
        ),
      ),
    opts,
  );
  const get = await measure(`${label} get`, () => store.get('records', `k${n++ % 1000}`), opts);
  const append = await measure(
    `${label} log append`,
    () => store.append('usage', { n: n++, seal: 'seal-1', doc: 'sha256:…' }),
    opts,
  );
  return { put, put64: { ...put64, opsPerSec: put64.opsPerSec * 64 }, get, append };
}

async function storeRows(data: Record<string, unknown>): Promise<ComparisonRow[]> {
  const memory = await storeFigures(createMemoryStore(schema), 'memory');
  const dirs: string[] = [];
  const lowdb = async (durability: 'fsync' | 'os'): Promise<StoreFigures> => {
    const dir = mkdtempSync(join(tmpdir(), 'govtrust-bench-'));
    dirs.push(dir);
    const s = await openLowdbStore({ dir, schema, durability });
    try {
      return await storeFigures(s, `lowdb ${durability}`);
    } finally {
      await s.close();
    }
  };
  const fsync = await lowdb('fsync');
  const os = await lowdb('os');
  let postgres: StoreFigures | undefined;
  const url = 'postgres://postgres@127.0.0.1:5432/test';
  const ns = `gt_bench_${Date.now()}`;
  try {
    const s = await openPostgresStore({
      connectionString: url,
      schema,
      namespace: ns,
      poolSize: 8,
    });
    try {
      postgres = await storeFigures(s, 'postgres');
    } finally {
      await s.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${ns}" CASCADE`);
      await c.end();
    }
  } catch {
    postgres = undefined;
  }
  // Append rate with 100,000 entries already in the log (lowdb, fsync): the write-ahead log keeps
  // the cost per commit independent of the data size.
  const dir = mkdtempSync(join(tmpdir(), 'govtrust-bench-'));
  dirs.push(dir);
  let big = await openLowdbStore({ dir, schema });
  for (let b = 0; b < 100; b++) {
    await big.transaction(async (tx) => {
      for (let i = 0; i < 1000; i++)
        await tx.append('usage', { n: b * 1000 + i, seal: 'seal-1', doc: 'sha256:…' });
    });
  }
  await big.close();
  big = await openLowdbStore({ dir, schema });
  const emptyDir = mkdtempSync(join(tmpdir(), 'govtrust-bench-'));
  dirs.push(emptyDir);
  const empty = await openLowdbStore({ dir: emptyDir, schema });
  let k = 0;
  const opts = { roundMs: 500, rounds: 3, warmupMs: 100 };
  const appendEmpty = await measure(
    'lowdb append, empty log',
    () => empty.append('usage', { n: k++, seal: 's', doc: 'd' }),
    opts,
  );
  const appendBig = await measure(
    'lowdb append, 100k entries',
    () => big.append('usage', { n: k++, seal: 's', doc: 'd' }),
    opts,
  );
  await big.close();
  await empty.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });

  data.store = { memory, lowdbFsync: fsync, lowdbOs: os, postgres, appendEmpty, appendBig };
  const rows: ComparisonRow[] = [];
  const row = (what: string, ours: Measurement, base: Measurement, baseName: string): void => {
    rows.push({
      what,
      ours: `${fmtRate(ours.opsPerSec)} (${usPerOp(ours)})`,
      baseline: fmtRate(base.opsPerSec),
      baselineName: baseName,
      ratio: ours.opsPerSec / base.opsPerSec,
    });
  };
  for (const [name, f] of [
    ['lowdb (fsync)', fsync],
    ['lowdb (os)', os],
  ] as const) {
    row(`${name} put (one at a time)`, f.put, memory.put, 'memory');
    row(`${name} put (64 concurrent)`, f.put64, memory.put64, 'memory');
    row(`${name} get`, f.get, memory.get, 'memory');
    row(`${name} log append`, f.append, memory.append, 'memory');
  }
  if (postgres !== undefined) {
    // Against the embedded default, the comparison a deployment makes when it moves to PostgreSQL.
    row('postgres put (one at a time)', postgres.put, fsync.put, 'lowdb (fsync)');
    row('postgres put (64 concurrent)', postgres.put64, fsync.put64, 'lowdb (fsync)');
    row('postgres get', postgres.get, fsync.get, 'lowdb (fsync)');
    row('postgres log append', postgres.append, fsync.append, 'lowdb (fsync)');
  }
  row('lowdb (fsync) append with 100k entries stored', appendBig, appendEmpty, 'same, empty log');
  return rows;
}

/** Runs the licence benchmark and returns the report text and raw figures. */
export async function runLicenceBench(): Promise<{ text: string; data: Record<string, unknown> }> {
  const data: Record<string, unknown> = {};
  const status = await statusListRows(data);
  const store = await storeRows(data);
  const issue = await issueRows(data);
  const text = [
    printTable('Bitstring Status List, 1,048,576 entries, 1% revoked', status),
    printTable('Store throughput (≈500-byte records; log entries hash-chained)', store),
    printTable('Licences issued and verified (营业执照 sample, A4 face, no store)', issue),
  ].join('\n');
  return { text, data };
}
