/** The offline hash-chain verifier (用印记录 / 用证记录 / audit logs): every kind of tampering is found, with the entry at fault. */
import { describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  defineLog,
  exportLog,
  defineSchema,
  formatLogExport,
  GENESIS_HASH,
  hashLogEntry,
  parseLogExport,
  verifyLogChain,
  type LogEntry,
} from '@govtrust/core/store';

interface Usage {
  readonly seq0: number;
  readonly app: string;
  readonly seal: string;
  readonly doc: string;
}

const schema = defineSchema({
  collections: {},
  logs: { 'seal-usage': defineLog<Usage>(), audit: defineLog<Usage>({ hash: 'sm3' }) },
});

async function chain(
  log: 'seal-usage' | 'audit' = 'seal-usage',
  n = 10,
): Promise<LogEntry<Usage>[]> {
  const store = createMemoryStore(schema);
  for (let i = 0; i < n; i++)
    await store.append(log, { seq0: i, app: 'app-1', seal: '合同专用章', doc: `sha256:${i}` });
  const entries = [...(await store.readLog(log))];
  await store.close();
  return entries;
}

/** An entry whose hash is recomputed after a change (a careful forger). */
const rehash = (e: LogEntry<Usage>, entry: Usage, prevHash = e.prevHash): LogEntry<Usage> => {
  const next = { ...e, entry, prevHash };
  return { ...next, hash: hashLogEntry(next) };
};

const codes = (r: ReturnType<typeof verifyLogChain>): string[] =>
  r.errors.map((e) => `${e.code}@${e.seq}`);

describe('hash chain verification', () => {
  it('accepts an untouched chain (SHA-256 and SM3) and reports its head', async () => {
    for (const log of ['seal-usage', 'audit'] as const) {
      const entries = await chain(log);
      const r = verifyLogChain(entries, { expectedHead: { seq: 10, hash: entries[9]!.hash } });
      expect(r).toMatchObject({
        valid: true,
        count: 10,
        log,
        head: { seq: 10, hash: entries[9]!.hash },
      });
      expect(entries[0]!.prevHash).toBe(GENESIS_HASH);
      expect(entries[0]!.alg).toBe(log === 'audit' ? 'sm3' : 'sha256');
    }
  });

  it('finds a changed entry', async () => {
    const entries = await chain();
    entries[4] = { ...entries[4]!, entry: { ...entries[4]!.entry, doc: 'sha256:forged' } };
    expect(codes(verifyLogChain(entries))).toEqual(['ERR_STORE_CHAIN_HASH@5']);
  });

  it('finds a changed entry whose hash was recomputed (the next link breaks)', async () => {
    const entries = await chain();
    entries[4] = rehash(entries[4]!, { ...entries[4]!.entry, app: 'app-evil' });
    expect(codes(verifyLogChain(entries))).toEqual(['ERR_STORE_CHAIN_LINK@6']);
  });

  it('finds a removed entry', async () => {
    const entries = await chain();
    entries.splice(3, 1);
    expect(codes(verifyLogChain(entries))).toEqual(['ERR_STORE_CHAIN_GAP@4']);
  });

  it('finds a removed entry with the later ones renumbered and rehashed only up to a recorded head', async () => {
    const original = await chain();
    const head = { seq: 10, hash: original[9]!.hash };
    // The forger drops entry 4 and rewrites everything after it consistently.
    const forged: LogEntry<Usage>[] = original.slice(0, 3);
    for (const e of original.slice(4)) {
      const prev = forged[forged.length - 1]!;
      const moved = { ...e, seq: prev.seq + 1, prevHash: prev.hash };
      forged.push({ ...moved, hash: hashLogEntry(moved) });
    }
    expect(verifyLogChain(forged).valid).toBe(true);
    expect(codes(verifyLogChain(forged, { expectedHead: head }))).toEqual([
      'ERR_STORE_CHAIN_HEAD@9',
    ]);
  });

  it('finds reordered and duplicated entries', async () => {
    const entries = await chain();
    [entries[2], entries[3]] = [entries[3]!, entries[2]!];
    expect(codes(verifyLogChain(entries))).toEqual([
      'ERR_STORE_CHAIN_GAP@3',
      'ERR_STORE_CHAIN_ORDER@3',
      'ERR_STORE_CHAIN_GAP@4',
    ]);
    const dup = await chain();
    dup.splice(5, 0, dup[4]!);
    expect(codes(verifyLogChain(dup))).toEqual(['ERR_STORE_CHAIN_ORDER@5']);
  });

  it('finds an inserted entry and truncation at the end', async () => {
    const entries = await chain();
    const inserted = rehash(
      entries[4]!,
      { seq0: 99, app: 'app-evil', seal: 's', doc: 'd' },
      entries[4]!.hash,
    );
    const withInsert = [...entries.slice(0, 5), { ...inserted, seq: 6 }, ...entries.slice(5)];
    const r = verifyLogChain(withInsert);
    expect(r.valid).toBe(false);
    expect(r.errors.map((e) => e.code)).toContain('ERR_STORE_CHAIN_HASH');
    const truncated = entries.slice(0, 8);
    expect(verifyLogChain(truncated).valid).toBe(true);
    expect(
      codes(verifyLogChain(truncated, { expectedHead: { seq: 10, hash: entries[9]!.hash } })),
    ).toEqual(['ERR_STORE_CHAIN_HEAD@8']);
  });

  it('checks a partial export against an anchor hash, and a first entry that is not genesis', async () => {
    const entries = await chain();
    expect(verifyLogChain(entries.slice(5), { anchorHash: entries[4]!.hash }).valid).toBe(true);
    expect(codes(verifyLogChain(entries.slice(5), { anchorHash: entries[3]!.hash }))).toEqual([
      'ERR_STORE_CHAIN_LINK@6',
    ]);
    const badGenesis = [rehash(entries[0]!, entries[0]!.entry, 'f'.repeat(64))];
    expect(codes(verifyLogChain(badGenesis))).toEqual(['ERR_STORE_CHAIN_LINK@1']);
  });

  it('round-trips the NDJSON export and refuses a damaged one', async () => {
    const entries = await chain('audit');
    const text = formatLogExport('audit', 'sm3', entries);
    expect(text.split('\n')[0]).toBe(
      '{"format":"govtrust-log","version":1,"log":"audit","alg":"sm3"}',
    );
    const parsed = parseLogExport(text);
    expect(parsed.header.log).toBe('audit');
    expect(verifyLogChain(parsed.entries).valid).toBe(true);
    const lines = text.split('\n');
    lines[3] = lines[3]!.replace('合同专用章', '财务专用章');
    expect(codes(verifyLogChain(parseLogExport(lines.join('\n')).entries))).toEqual([
      'ERR_STORE_CHAIN_HASH@3',
    ]);
    expect(() => parseLogExport('{"format":"other"}\n')).toThrow(
      expect.objectContaining({ code: 'ERR_STORE_CHAIN_FORMAT', line: 1 }),
    );
    expect(() => parseLogExport(`${lines[0]}\n{"seq":1}\n`)).toThrow(
      expect.objectContaining({ code: 'ERR_STORE_CHAIN_FORMAT', line: 2 }),
    );
    expect(() => parseLogExport(`${lines[0]}\nnot json\n`)).toThrow(
      expect.objectContaining({ code: 'ERR_STORE_CHAIN_FORMAT', line: 2 }),
    );
  });

  it('exports a whole log from a store across pages, ready for the offline verifier', async () => {
    const store = createMemoryStore(schema);
    await store.transaction(async (tx) => {
      for (let i = 0; i < 10_005; i++)
        await tx.append('audit', { seq0: i, app: 'a', seal: 's', doc: `d${i}` });
    });
    const text = await exportLog(store, 'audit');
    const { header, entries } = parseLogExport(text);
    expect(header).toEqual({ format: 'govtrust-log', version: 1, log: 'audit', alg: 'sm3' });
    expect(entries).toHaveLength(10_005);
    const head = await store.logHead('audit');
    expect(verifyLogChain(entries, { expectedHead: head! })).toMatchObject({
      valid: true,
      count: 10_005,
    });
    expect(
      parseLogExport(await exportLog(store, 'audit', { fromSeq: 10_001 })).entries.map(
        (e) => e.seq,
      ),
    ).toEqual([10_001, 10_002, 10_003, 10_004, 10_005]);
    expect(parseLogExport(await exportLog(store, 'seal-usage')).entries).toEqual([]);
    await store.close();
  });
});
