/**
 * lowdb driver durability: a writer killed with SIGKILL at random moments (inside commits and
 * checkpoints) never leaves a torn file, never loses an acknowledged commit and never keeps half a
 * transaction; damaged logs are refused; the directory is locked against a second process.
 */
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyLogChain } from '@govtrust/core/store';
import { openLowdbStore } from '@govtrust/core/store/lowdb';
import { tempDir } from '../helpers/tools.js';
import { crashSchema } from './fixtures/crash-schema.js';

const WRITER = join(import.meta.dirname, 'fixtures', 'lowdb-writer.ts');

/** Starts the writer, kills it with SIGKILL after `killAfter` acks; resolves to the last acked commit. */
function runAndKill(
  dir: string,
  durability: 'fsync' | 'os',
  killAfter: number,
): Promise<{ lastAck: number; first: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@govtrust/source', '--import', 'tsx', WRITER, dir, durability, '16384'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let lastAck = -1;
    let first = -1;
    let buffer = '';
    let stderr = '';
    let acks = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const [word, num] = line.split(' ');
        if (word === 'ready') first = Number(num);
        if (word === 'ack') {
          lastAck = Number(num);
          if (++acks === killAfter) child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}: ${stderr}`));
      else resolve({ lastAck, first });
    });
  });
}

describe('lowdb driver: crashes and damage', () => {
  it('survives 6 kill -9 at random moments: no torn file, no lost acknowledged commit, no half transaction', async () => {
    const d = tempDir('govtrust-crash-');
    try {
      let previousAck = 0;
      for (let round = 0; round < 6; round++) {
        const durability = round % 2 === 0 ? 'fsync' : 'os';
        const { lastAck, first } = await runAndKill(
          d.dir,
          durability,
          20 + Math.floor(Math.random() * 200),
        );
        expect(first).toBeGreaterThanOrEqual(previousAck);
        expect(lastAck).toBeGreaterThan(first);
        // The JSON file, when present, is whole JSON (written by temporary file + rename).
        if (existsSync(join(d.dir, 'store.json')))
          expect(
            () => JSON.parse(readFileSync(join(d.dir, 'store.json'), 'utf8')) as unknown,
          ).not.toThrow();
        const store = await openLowdbStore({ dir: d.dir, schema: crashSchema });
        try {
          const head = await store.logHead('moves');
          // Every acknowledged commit is there; at most the one in flight beyond it.
          expect(head!.seq).toBeGreaterThanOrEqual(lastAck);
          expect(head!.seq).toBeLessThanOrEqual(lastAck + 1);
          const a = (await store.get('counters', 'a'))!.value.n;
          const b = (await store.get('counters', 'b'))!.value.n;
          // Both counters and the log moved together in every transaction kept.
          expect(a + b).toBe(1_000_000);
          expect(b).toBe(head!.seq);
          const entries = [];
          for (let from = 1; from <= head!.seq; from += 10_000)
            entries.push(...(await store.readLog('moves', from, 10_000)));
          expect(entries.map((e) => e.entry.n)).toEqual(
            Array.from({ length: head!.seq }, (_, i) => i + 1),
          );
          expect(verifyLogChain(entries).valid).toBe(true);
          previousAck = head!.seq;
        } finally {
          await store.close();
        }
      }
      // A clean close leaves one JSON file and no write-ahead log.
      expect(readdirSync(d.dir).sort()).toEqual(['store.json']);
    } finally {
      d.cleanup();
    }
  }, 120_000);

  it('a deferred commit is on disk once a later durable commit is acknowledged (copied as a crash would leave it)', async () => {
    const d = tempDir('govtrust-deferred-');
    try {
      const live = join(d.dir, 'live');
      const crashed = join(d.dir, 'crashed');
      const store = await openLowdbStore({ dir: live, schema: crashSchema });
      await store.transaction((tx) => tx.put('counters', 'a', { n: 1 }), {
        durability: 'deferred',
      });
      await store.append('moves', { n: 1 });
      cpSync(live, crashed, { recursive: true });
      await store.close();
      const copy = await openLowdbStore({ dir: crashed, schema: crashSchema });
      try {
        expect(await copy.get('counters', 'a')).toMatchObject({ value: { n: 1 } });
        expect((await copy.logHead('moves'))?.seq).toBe(1);
      } finally {
        await copy.close();
      }
    } finally {
      d.cleanup();
    }
  });

  it('drops a torn last log line and refuses damage in the middle of the log', async () => {
    const d = tempDir('govtrust-torn-');
    try {
      // A crashed directory: copied while the store is open (no checkpoint at close).
      const live = join(d.dir, 'live');
      const crashed = join(d.dir, 'crashed');
      const store = await openLowdbStore({ dir: live, schema: crashSchema, durability: 'os' });
      await store.put('counters', 'a', { n: 1 });
      await store.append('moves', { n: 1 });
      await store.put('counters', 'a', { n: 2 });
      cpSync(live, crashed, { recursive: true });
      await store.close();
      const wal = readdirSync(crashed).find((n) => n.startsWith('wal-'))!;
      const walText = readFileSync(join(crashed, wal), 'utf8');
      expect(walText.split('\n').filter((l) => l !== '')).toHaveLength(3);

      // A commit cut short mid-line is dropped (it was never acknowledged).
      const torn = join(d.dir, 'torn');
      cpSync(crashed, torn, { recursive: true });
      appendFileSync(join(torn, wal), '{"txn":4,"sum":"00","ops":[["put","counters","a",3,{"n":');
      const s1 = await openLowdbStore({ dir: torn, schema: crashSchema });
      expect(await s1.get('counters', 'a')).toMatchObject({ version: 2, value: { n: 2 } });
      expect((await s1.logHead('moves'))?.seq).toBe(1);
      await s1.put('counters', 'a', { n: 3 });
      await s1.close();
      const s1b = await openLowdbStore({ dir: torn, schema: crashSchema });
      expect((await s1b.get('counters', 'a'))?.value.n).toBe(3);
      await s1b.close();

      // A changed complete line in the middle is refused, not silently dropped.
      const damaged = join(d.dir, 'damaged');
      cpSync(crashed, damaged, { recursive: true });
      const lines = walText.split('\n');
      lines[0] = lines[0]!.replace('"n":1', '"n":9');
      writeFileSync(join(damaged, wal), lines.join('\n'));
      await expect(openLowdbStore({ dir: damaged, schema: crashSchema })).rejects.toMatchObject({
        code: 'ERR_STORE_CORRUPT',
      });
      // So is a log with a missing transaction.
      const gap = join(d.dir, 'gap');
      cpSync(crashed, gap, { recursive: true });
      writeFileSync(join(gap, wal), [lines[0].replace('"n":9', '"n":1'), lines[2], ''].join('\n'));
      await expect(openLowdbStore({ dir: gap, schema: crashSchema })).rejects.toMatchObject({
        code: 'ERR_STORE_CORRUPT',
      });
      // And a damaged JSON file.
      writeFileSync(join(live, 'store.json'), '{"format":"govtrust-store",');
      await expect(openLowdbStore({ dir: live, schema: crashSchema })).rejects.toMatchObject({
        code: 'ERR_STORE_CORRUPT',
      });
    } finally {
      d.cleanup();
    }
  });

  it('locks the directory against a second opener and takes over a dead process lock', async () => {
    const d = tempDir('govtrust-lock-');
    try {
      const store = await openLowdbStore({ dir: d.dir, schema: crashSchema });
      await expect(openLowdbStore({ dir: d.dir, schema: crashSchema })).rejects.toMatchObject({
        code: 'ERR_STORE_LOCKED',
      });
      await store.close();
      // A lock left by a process that no longer exists.
      writeFileSync(join(d.dir, 'LOCK'), JSON.stringify({ pid: 2 ** 22 + 12345 }));
      const again = await openLowdbStore({ dir: d.dir, schema: crashSchema });
      await again.close();
      // A lock held by a live process (this test's parent) is respected.
      writeFileSync(join(d.dir, 'LOCK'), JSON.stringify({ pid: process.ppid }));
      await expect(openLowdbStore({ dir: d.dir, schema: crashSchema })).rejects.toMatchObject({
        code: 'ERR_STORE_LOCKED',
        pid: process.ppid,
      });
    } finally {
      d.cleanup();
    }
  });

  it('keeps collections the schema no longer declares, untouched', async () => {
    const d = tempDir('govtrust-orphan-');
    try {
      let store = await openLowdbStore({ dir: d.dir, schema: crashSchema });
      await store.put('blobs', 'x', { n: 1, text: 'kept' });
      await store.close();
      const partial = { collections: { counters: crashSchema.collections.counters }, logs: {} };
      const narrow = await openLowdbStore({ dir: d.dir, schema: partial });
      await narrow.put('counters', 'c', { n: 1 });
      await expect(narrow.get('blobs' as 'counters', 'x')).rejects.toMatchObject({
        code: 'ERR_STORE_SCHEMA',
      });
      await narrow.close();
      store = await openLowdbStore({ dir: d.dir, schema: crashSchema });
      expect((await store.get('blobs', 'x'))?.value.text).toBe('kept');
      await store.close();
    } finally {
      d.cleanup();
    }
  });
});
