/**
 * The one contract suite every store driver runs (`describeStore(name, factory)`): records,
 * compare-and-set, indexes and queries, transactions (atomicity, isolation, concurrency), hash-
 * chained logs, expiry, and the signing server's patterns (grants with use counts, nonces,
 * idempotency keys, outbox).
 */
import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import {
  ackOutbox,
  abandonIdempotent,
  beginIdempotent,
  claimOutbox,
  completeIdempotent,
  defineCollection,
  defineLog,
  defineSchema,
  enqueueOutbox,
  failOutbox,
  helperCollections,
  indexKey,
  INDEX_KEY_SEPARATOR,
  registerNonce,
  verifyLogChain,
  type Store,
  type StorePage,
  type LogPage,
} from '@govtrust/core/store';

export interface Item {
  readonly name: string;
  readonly owner: string;
  readonly n: number;
  readonly tags?: readonly string[];
  readonly email?: string;
  readonly nested?: { readonly deep: readonly number[] };
}

export interface Grant {
  readonly sealId: string;
  readonly appId: string;
  readonly maxUses?: number;
  readonly used: number;
  readonly status: 'active' | 'revoked';
}

export interface UsageEntry {
  readonly sealId: string;
  readonly appId: string;
  readonly time: string;
  readonly result: 'ok' | 'refused';
  readonly n?: number;
}

/** The schema of the contract tests: the helper collections plus server-like ones. */
export const testSchema = defineSchema({
  collections: {
    ...helperCollections,
    items: defineCollection<Item>({
      indexes: {
        tag: { key: (i) => i.tags ?? [] },
        owner: { key: (i) => indexKey(i.owner, String(i.n).padStart(6, '0')) },
        email: { key: (i) => i.email, unique: true },
      },
    }),
    counters: defineCollection<{ readonly n: number }>(),
    grants: defineCollection<Grant>({ indexes: { seal: { key: (g) => g.sealId } } }),
  },
  logs: {
    usage: defineLog<UsageEntry>({ indexes: { seal: { key: (e) => indexKey(e.sealId, e.time) } } }),
    audit: defineLog<{ readonly event: string; readonly n?: number }>({ hash: 'sm3' }),
  },
});

export type TestSchema = typeof testSchema;

/** What a driver's test file provides. */
export interface StoreFactory {
  /** A fresh, empty store. */
  open(): Promise<Store<TestSchema>>;
  /** Re-opens the store last opened (persistent drivers only), after it was closed. */
  reopen?: () => Promise<Store<TestSchema>>;
  /** Removes whatever `open` created. */
  cleanup?: () => Promise<void>;
}

const T0 = new Date('2025-03-01T08:00:00.000Z');

/** Runs the contract suite against one driver. */
export function describeStore(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    let store: Store<TestSchema>;

    beforeEach(async () => {
      store = await factory.open();
    });

    afterEach(async () => {
      await store.close();
      await factory.cleanup?.();
    });

    describe('records', () => {
      it('insert, get, put, update and delete with versions', async () => {
        const r1 = await store.insert('items', 'a', { name: 'A', owner: 'o1', n: 1 });
        expect(r1).toMatchObject({ key: 'a', version: 1, value: { name: 'A' } });
        expect(await store.get('items', 'a')).toEqual(r1);
        const r2 = await store.put('items', 'a', { name: 'A2', owner: 'o1', n: 2 });
        expect(r2.version).toBe(2);
        const r3 = await store.update('items', 'a', (v) => ({ ...v, n: v.n + 10 }));
        expect(r3).toMatchObject({ version: 3, value: { name: 'A2', n: 12 } });
        expect(await store.delete('items', 'a')).toBe(true);
        expect(await store.delete('items', 'a')).toBe(false);
        expect(await store.get('items', 'a')).toBeUndefined();
        // A new record after deletion starts again at version 1.
        expect((await store.put('items', 'a', { name: 'A', owner: 'o1', n: 1 })).version).toBe(1);
      });

      it('refuses a second insert, a stale compare-and-set and an update of nothing', async () => {
        await store.insert('items', 'k', { name: 'x', owner: 'o', n: 0 });
        await expect(
          store.insert('items', 'k', { name: 'y', owner: 'o', n: 0 }),
        ).rejects.toMatchObject({
          code: 'ERR_STORE_CONFLICT',
          context: { reason: 'exists', collection: 'items', key: 'k' },
        });
        await expect(
          store.put('items', 'k', { name: 'y', owner: 'o', n: 0 }, { ifVersion: 2 }),
        ).rejects.toMatchObject({
          code: 'ERR_STORE_CONFLICT',
          context: { reason: 'version' },
        });
        await expect(
          store.put('items', 'nope', { name: 'y', owner: 'o', n: 0 }, { ifVersion: 1 }),
        ).rejects.toMatchObject({
          code: 'ERR_STORE_CONFLICT',
        });
        expect(
          (await store.put('items', 'k', { name: 'y', owner: 'o', n: 0 }, { ifVersion: 1 }))
            .version,
        ).toBe(2);
        await expect(store.delete('items', 'k', { ifVersion: 1 })).rejects.toMatchObject({
          code: 'ERR_STORE_CONFLICT',
        });
        await expect(store.update('items', 'missing', (v) => v)).rejects.toMatchObject({
          code: 'ERR_STORE_NOT_FOUND',
        });
        expect((await store.get('items', 'k'))?.value.name).toBe('y');
      });

      it('stores a frozen copy of plain JSON and refuses anything else', async () => {
        const input = {
          name: 'n',
          owner: 'o',
          n: 1,
          nested: { deep: [1, 2, 3] },
          email: undefined,
        };
        const r = await store.put('items', 'j', input as unknown as Item);
        input.nested.deep.push(4);
        expect((await store.get('items', 'j'))?.value).toEqual({
          name: 'n',
          owner: 'o',
          n: 1,
          nested: { deep: [1, 2, 3] },
        });
        expect(Object.isFrozen(r.value)).toBe(true);
        const bad: [string, unknown][] = [
          ['Date', { name: 'n', owner: 'o', n: 1, when: new Date() }],
          ['NaN', { name: 'n', owner: 'o', n: Number.NaN }],
          ['U+0000', { name: 'a\u0000b', owner: 'o', n: 1 }],
          ['lone surrogate', { name: '\uD800', owner: 'o', n: 1 }],
          ['bytes', { name: 'n', owner: 'o', n: 1, b: new Uint8Array(2) }],
          ['array', [1, 2]],
        ];
        for (const [, value] of bad) {
          await expect(store.put('items', 'bad', value as Item)).rejects.toMatchObject({
            code: 'ERR_STORE_VALUE',
          });
        }
        for (const key of ['', 'x'.repeat(513), 'a\u0000b']) {
          await expect(
            store.put('items', key, { name: 'n', owner: 'o', n: 1 }),
          ).rejects.toMatchObject({ code: 'ERR_STORE_VALUE' });
        }
        expect(await store.get('items', 'bad')).toBeUndefined();
      });

      it('keeps Chinese text and astral characters intact', async () => {
        const value = { name: '营业执照 𠀀 «é»', owner: '张三', n: 3 };
        await store.put('items', '证照/𠀀', value);
        expect((await store.get('items', '证照/𠀀'))?.value).toEqual(value);
      });

      it('refuses unknown collections and logs', async () => {
        await expect(store.get('nope' as 'items', 'k')).rejects.toMatchObject({
          code: 'ERR_STORE_SCHEMA',
        });
        await expect(
          store.append('nope' as 'usage', { sealId: 's', appId: 'a', time: 't', result: 'ok' }),
        ).rejects.toMatchObject({
          code: 'ERR_STORE_SCHEMA',
        });
        await expect(store.query('items', { index: 'nope' })).rejects.toMatchObject({
          code: 'ERR_STORE_SCHEMA',
        });
      });
    });

    describe('queries', () => {
      const keys = ['b', 'a', 'ab', 'abc', 'c', '\uFF21', '\u{1F600}', 'a\u001fz'];

      beforeEach(async () => {
        await store.transaction(async (tx) => {
          let n = 0;
          for (const k of keys)
            await tx.put('items', k, {
              name: k,
              owner: n % 2 === 0 ? 'even' : 'odd',
              n: n++,
              tags: [`t${n % 3}`, 'all'],
            });
        });
      });

      it('orders primary keys by code point (astral after U+FF21) and pages with cursors both ways', async () => {
        const expected = ['a', 'a\u001fz', 'ab', 'abc', 'b', 'c', '\uFF21', '\u{1F600}'];
        const all = await store.query('items', { limit: 1000 });
        expect(all.items.map((r) => r.key)).toEqual(expected);
        expect(all.next).toBeUndefined();
        const seen: string[] = [];
        let after: string | undefined;
        do {
          const page: StorePage<Item> = await store.query('items', {
            limit: 3,
            ...(after === undefined ? {} : { after }),
          });
          seen.push(...page.items.map((r) => r.key));
          after = page.next;
        } while (after !== undefined);
        expect(seen).toEqual(expected);
        const back: string[] = [];
        after = undefined;
        do {
          const page: StorePage<Item> = await store.query('items', {
            limit: 3,
            reverse: true,
            ...(after === undefined ? {} : { after }),
          });
          back.push(...page.items.map((r) => r.key));
          after = page.next;
        } while (after !== undefined);
        expect(back).toEqual([...expected].reverse());
      });

      it('selects key ranges: prefix, gt/gte/lt/lte, equals', async () => {
        const keysOf = async (q: Parameters<typeof store.query>[1]): Promise<string[]> =>
          (await store.query('items', q)).items.map((r) => r.key);
        expect(await keysOf({ prefix: 'a' })).toEqual(['a', 'a\u001fz', 'ab', 'abc']);
        expect(await keysOf({ prefix: 'a', reverse: true })).toEqual([
          'abc',
          'ab',
          'a\u001fz',
          'a',
        ]);
        expect(await keysOf({ gt: 'ab', lte: 'c' })).toEqual(['abc', 'b', 'c']);
        expect(await keysOf({ gte: 'ab', lt: 'c' })).toEqual(['ab', 'abc', 'b']);
        expect(await keysOf({ equals: 'b' })).toEqual(['b']);
        expect(await store.count('items')).toBe(keys.length);
        expect(await store.count('items', { prefix: 'a' })).toBe(4);
        await expect(store.query('items', { equals: 'a', prefix: 'a' })).rejects.toMatchObject({
          code: 'ERR_STORE_VALUE',
        });
        await expect(store.query('items', { limit: 0 })).rejects.toMatchObject({
          code: 'ERR_STORE_VALUE',
        });
        await expect(store.query('items', { after: 'not-a-cursor' })).rejects.toMatchObject({
          code: 'ERR_STORE_VALUE',
        });
      });

      it('queries multi-valued and compound indexes, and keeps them current on update and delete', async () => {
        const tagged = await store.query('items', { index: 'tag', equals: 'all', limit: 1000 });
        expect(tagged.items).toHaveLength(keys.length);
        expect(await store.count('items', { index: 'tag', equals: 't1' })).toBe(3);
        const evens = await store.query('items', {
          index: 'owner',
          prefix: indexKey('even') + INDEX_KEY_SEPARATOR,
        });
        expect(evens.items.map((r) => r.value.n)).toEqual([0, 2, 4, 6]);
        const range = await store.query('items', {
          index: 'owner',
          gte: indexKey('even', '000002'),
          lt: indexKey('even', '000006'),
          reverse: true,
        });
        expect(range.items.map((r) => r.value.n)).toEqual([4, 2]);
        await store.update('items', 'b', (v) => ({ ...v, tags: ['moved'] }));
        expect(
          (await store.query('items', { index: 'tag', equals: 'moved' })).items.map((r) => r.key),
        ).toEqual(['b']);
        expect(await store.count('items', { index: 'tag', equals: 'all' })).toBe(keys.length - 1);
        await store.delete('items', 'b');
        expect(await store.count('items', { index: 'tag', equals: 'moved' })).toBe(0);
        // Paging over an index with several records per value.
        const seen: string[] = [];
        let after: string | undefined;
        do {
          const page: StorePage<Item> = await store.query('items', {
            index: 'tag',
            prefix: 't',
            limit: 2,
            ...(after === undefined ? {} : { after }),
          });
          seen.push(...page.items.map((r) => r.key));
          after = page.next;
        } while (after !== undefined);
        expect(seen).toHaveLength(keys.length - 1);
        expect(new Set(seen).size).toBe(keys.length - 1);
      });

      it('enforces unique indexes and leaves the transaction usable after a refused write', async () => {
        await store.put('items', 'u1', { name: 'u1', owner: 'o', n: 1, email: 'a@example.cn' });
        await expect(
          store.put('items', 'u2', { name: 'u2', owner: 'o', n: 2, email: 'a@example.cn' }),
        ).rejects.toMatchObject({
          code: 'ERR_STORE_CONFLICT',
          context: { reason: 'unique', index: 'email' },
        });
        const kept = await store.transaction(async (tx) => {
          await tx.put('items', 'u3', { name: 'u3', owner: 'o', n: 3 });
          await expect(
            tx.put('items', 'u4', { name: 'u4', owner: 'o', n: 4, email: 'a@example.cn' }),
          ).rejects.toMatchObject({
            code: 'ERR_STORE_CONFLICT',
          });
          await tx.put('items', 'u5', { name: 'u5', owner: 'o', n: 5 });
          return 'done';
        });
        expect(kept).toBe('done');
        expect(await store.get('items', 'u3')).toBeDefined();
        expect(await store.get('items', 'u4')).toBeUndefined();
        expect(await store.get('items', 'u5')).toBeDefined();
        // The value becomes free when its owner changes it.
        await store.update('items', 'u1', (v) => ({ ...v, email: 'b@example.cn' }));
        await store.put('items', 'u2', { name: 'u2', owner: 'o', n: 2, email: 'a@example.cn' });
      });
    });

    describe('transactions', () => {
      it('keep all writes or none', async () => {
        await store.put('counters', 'c', { n: 1 });
        await expect(
          store.transaction(async (tx) => {
            await tx.put('counters', 'c', { n: 2 });
            await tx.insert('counters', 'd', { n: 1 });
            await tx.append('audit', { event: 'should vanish' });
            await tx.delete('counters', 'c');
            throw new Error('abort');
          }),
        ).rejects.toThrow('abort');
        expect((await store.get('counters', 'c'))?.value.n).toBe(1);
        expect((await store.get('counters', 'c'))?.version).toBe(1);
        expect(await store.get('counters', 'd')).toBeUndefined();
        expect(await store.logHead('audit')).toBeUndefined();
        // The log continues from where it was, without a hole.
        const e = await store.append('audit', { event: 'first' });
        expect(e.seq).toBe(1);
      });

      it('with deferred durability: visible at once, in commit order, and kept with the next durable commit', async () => {
        await store.transaction((tx) => tx.put('counters', 'deferred', { n: 1 }), {
          durability: 'deferred',
        });
        await registerNonce(store, {
          scope: 'app',
          nonce: 'n-deferred',
          now: T0,
          ttlMs: 60_000,
          durability: 'deferred',
        });
        // Visible to the next transaction, and a replayed nonce is refused at once.
        expect((await store.get('counters', 'deferred'))?.value.n).toBe(1);
        await expect(
          registerNonce(store, { scope: 'app', nonce: 'n-deferred', now: T0, ttlMs: 60_000 }),
        ).rejects.toMatchObject({ code: 'ERR_STORE_NONCE_REPLAYED' });
        await store.transaction((tx) => tx.update('counters', 'deferred', (v) => ({ n: v.n + 1 })));
        if (factory.reopen !== undefined) {
          await store.close();
          store = await factory.reopen();
          expect(await store.get('counters', 'deferred')).toMatchObject({
            version: 2,
            value: { n: 2 },
          });
          await expect(
            registerNonce(store, { scope: 'app', nonce: 'n-deferred', now: T0, ttlMs: 60_000 }),
          ).rejects.toMatchObject({ code: 'ERR_STORE_NONCE_REPLAYED' });
        }
      });

      it('see their own writes, in gets and in queries', async () => {
        await store.transaction(async (tx) => {
          await tx.put('items', 'x', { name: 'x', owner: 'o', n: 1, tags: ['t'] });
          expect((await tx.get('items', 'x'))?.value.name).toBe('x');
          expect((await tx.query('items', { index: 'tag', equals: 't' })).items).toHaveLength(1);
          await tx.delete('items', 'x');
          expect(await tx.count('items', { index: 'tag', equals: 't' })).toBe(0);
        });
      });

      it('refuse writes when read-only, nested store calls, and use after the end', async () => {
        await expect(
          store.transaction((tx) => tx.put('counters', 'c', { n: 1 }), { readOnly: true }),
        ).rejects.toMatchObject({
          code: 'ERR_STORE_READ_ONLY',
        });
        await expect(store.transaction(() => store.get('counters', 'c'))).rejects.toMatchObject({
          code: 'ERR_STORE_NESTED_TRANSACTION',
        });
        let leaked: Parameters<Parameters<typeof store.transaction>[0]>[0] | undefined;
        await store.transaction(async (tx) => {
          leaked = tx;
          await Promise.resolve();
        });
        await expect(leaked!.get('counters', 'c')).rejects.toMatchObject({
          code: 'ERR_STORE_CLOSED',
        });
      });

      it('serialise 200 concurrent read-modify-writes without a lost update', async () => {
        await store.put('counters', 'hits', { n: 0 });
        await Promise.all(
          Array.from({ length: 200 }, () =>
            store.transaction(async (tx) => {
              const cur = await tx.get('counters', 'hits');
              await tx.put('counters', 'hits', { n: cur!.value.n + 1 });
            }),
          ),
        );
        const r = await store.get('counters', 'hits');
        expect(r?.value.n).toBe(200);
        expect(r?.version).toBe(201);
      });

      it('decrement grant use counts atomically: 200 concurrent uses of a 150-use grant -> exactly 150, each logged', async () => {
        await store.put('grants', 'g1', {
          sealId: 's1',
          appId: 'app',
          maxUses: 150,
          used: 0,
          status: 'active',
        });
        const results = await Promise.allSettled(
          Array.from({ length: 200 }, (_, i) =>
            store.transaction(async (tx) => {
              const g = await tx.get('grants', 'g1');
              if (g === undefined || g.value.status !== 'active') throw new Error('no grant');
              if (g.value.maxUses !== undefined && g.value.used >= g.value.maxUses)
                throw new Error('exhausted');
              await tx.put(
                'grants',
                'g1',
                { ...g.value, used: g.value.used + 1 },
                { ifVersion: g.version },
              );
              return tx.append('usage', {
                sealId: 's1',
                appId: 'app',
                time: new Date(T0.getTime() + i).toISOString(),
                result: 'ok',
                n: i,
              });
            }),
          ),
        );
        const ok = results.filter((r) => r.status === 'fulfilled');
        const refused = results.filter((r) => r.status === 'rejected');
        expect(ok).toHaveLength(150);
        expect(refused).toHaveLength(50);
        for (const r of refused) expect(r.reason).toHaveProperty('message', 'exhausted');
        expect((await store.get('grants', 'g1'))?.value.used).toBe(150);
        const entries = await store.readLog('usage', 1, 1000);
        expect(entries).toHaveLength(150);
        expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
        expect(verifyLogChain(entries)).toMatchObject({ valid: true, count: 150 });
      });
    });

    describe('logs', () => {
      it('append with sequence numbers and a verifiable hash chain', async () => {
        const a = await store.append('usage', {
          sealId: 's1',
          appId: 'a',
          time: '2025-03-01T08:00:00Z',
          result: 'ok',
        });
        const b = await store.append('usage', {
          sealId: 's2',
          appId: 'a',
          time: '2025-03-01T08:01:00Z',
          result: 'refused',
        });
        expect(a).toMatchObject({ log: 'usage', seq: 1, prevHash: '0'.repeat(64), alg: 'sha256' });
        expect(b.seq).toBe(2);
        expect(b.prevHash).toBe(a.hash);
        expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(await store.logHead('usage')).toEqual({ log: 'usage', seq: 2, hash: b.hash });
        expect(await store.readLog('usage')).toEqual([a, b]);
        expect(await store.readLog('usage', 2)).toEqual([b]);
        expect(verifyLogChain([a, b], { expectedHead: { seq: 2, hash: b.hash } }).valid).toBe(true);
        const sm3 = await store.append('audit', { event: 'seal.created' });
        expect(sm3.alg).toBe('sm3');
        expect(verifyLogChain([sm3]).valid).toBe(true);
      });

      it('query a log by index with ranges, reverse order and cursors', async () => {
        await store.transaction(async (tx) => {
          for (let i = 0; i < 30; i++) {
            await tx.append('usage', {
              sealId: `s${i % 3}`,
              appId: 'a',
              time: new Date(T0.getTime() + i * 60_000).toISOString(),
              result: 'ok',
              n: i,
            });
          }
        });
        const s1 = await store.queryLog('usage', {
          index: 'seal',
          prefix: indexKey('s1') + INDEX_KEY_SEPARATOR,
          limit: 100,
        });
        expect(s1.items.map((e) => e.entry.n)).toEqual([1, 4, 7, 10, 13, 16, 19, 22, 25, 28]);
        const window = await store.queryLog('usage', {
          index: 'seal',
          gte: indexKey('s1', new Date(T0.getTime() + 10 * 60_000).toISOString()),
          lt: indexKey('s1', new Date(T0.getTime() + 20 * 60_000).toISOString()),
          reverse: true,
        });
        expect(window.items.map((e) => e.entry.n)).toEqual([19, 16, 13, 10]);
        const pages: number[] = [];
        let after: string | undefined;
        do {
          const page: LogPage<UsageEntry> = await store.queryLog('usage', {
            limit: 7,
            reverse: true,
            ...(after === undefined ? {} : { after }),
          });
          pages.push(...page.items.map((e) => e.seq));
          after = page.next;
        } while (after !== undefined);
        expect(pages).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
      });
    });

    describe('expiry and server patterns', () => {
      it('purges expired records only', async () => {
        await store.put('counters', 'old', { n: 1 }, { expiresAt: new Date(T0.getTime() - 1000) });
        await store.put('counters', 'edge', { n: 2 }, { expiresAt: T0 });
        await store.put('counters', 'new', { n: 3 }, { expiresAt: new Date(T0.getTime() + 1000) });
        await store.put('counters', 'forever', { n: 4 });
        expect((await store.get('counters', 'new'))?.expiresAt).toBe(T0.getTime() + 1000);
        expect(await store.purgeExpired('counters', T0)).toBe(2);
        expect((await store.query('counters')).items.map((r) => r.key)).toEqual(['forever', 'new']);
      });

      it('refuses a replayed nonce, accepts it after expiry, and lets one of 20 concurrent uses through', async () => {
        await registerNonce(store, { scope: 'app1', nonce: 'n-1', now: T0, ttlMs: 300_000 });
        await expect(
          registerNonce(store, {
            scope: 'app1',
            nonce: 'n-1',
            now: new Date(T0.getTime() + 1000),
            ttlMs: 300_000,
          }),
        ).rejects.toMatchObject({
          code: 'ERR_STORE_NONCE_REPLAYED',
        });
        // Another scope may use the same nonce.
        await registerNonce(store, { scope: 'app2', nonce: 'n-1', now: T0, ttlMs: 300_000 });
        await registerNonce(store, {
          scope: 'app1',
          nonce: 'n-1',
          now: new Date(T0.getTime() + 300_001),
          ttlMs: 300_000,
        });
        const race = await Promise.allSettled(
          Array.from({ length: 20 }, () =>
            registerNonce(store, { scope: 'app1', nonce: 'n-2', now: T0, ttlMs: 300_000 }),
          ),
        );
        expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(await store.purgeExpired('nonces', new Date(T0.getTime() + 600_002))).toBe(3);
      });

      it('replays an idempotent response and refuses the key for another request', async () => {
        const opts = { scope: 'app1', key: 'idem-1', requestHash: 'h1', now: T0 };
        expect(await beginIdempotent(store, opts)).toEqual({ state: 'new' });
        await expect(beginIdempotent(store, opts)).rejects.toMatchObject({
          code: 'ERR_STORE_IDEMPOTENCY_IN_PROGRESS',
        });
        await completeIdempotent(store, {
          scope: 'app1',
          key: 'idem-1',
          response: { status: 201, id: 'doc-1' },
          now: T0,
        });
        expect(await beginIdempotent(store, opts)).toEqual({
          state: 'completed',
          response: { status: 201, id: 'doc-1' },
        });
        await expect(beginIdempotent(store, { ...opts, requestHash: 'h2' })).rejects.toMatchObject({
          code: 'ERR_STORE_IDEMPOTENCY_MISMATCH',
        });
        expect(await beginIdempotent(store, { ...opts, key: 'idem-2' })).toEqual({ state: 'new' });
        await abandonIdempotent(store, { scope: 'app1', key: 'idem-2' });
        expect(await beginIdempotent(store, { ...opts, key: 'idem-2' })).toEqual({ state: 'new' });
        // Same key, after expiry: a new request.
        expect(
          await beginIdempotent(store, {
            ...opts,
            requestHash: 'h3',
            now: new Date(T0.getTime() + 86_400_001),
          }),
        ).toEqual({
          state: 'new',
        });
      });

      it('delivers outbox messages at least once, with backoff and lease expiry, written with the change they report', async () => {
        await store.transaction(async (tx) => {
          await tx.put('items', 'lic-1', { name: 'licence', owner: 'o', n: 1 });
          await enqueueOutbox(tx, {
            id: 'm1',
            topic: 'national',
            payload: { op: 'insert', id: 'lic-1' },
            now: T0,
          });
        });
        await expect(
          store.transaction(async (tx) => {
            await enqueueOutbox(tx, {
              id: 'm2',
              topic: 'national',
              payload: { op: 'insert' },
              now: T0,
            });
            throw new Error('rolled back');
          }),
        ).rejects.toThrow('rolled back');
        await enqueueOutbox(store, {
          id: 'm3',
          topic: 'national',
          payload: { op: 'update' },
          now: new Date(T0.getTime() + 1),
        });
        await enqueueOutbox(store, { id: 'x1', topic: 'other', payload: {}, now: T0 });
        const first = await claimOutbox(store, {
          topic: 'national',
          now: new Date(T0.getTime() + 10),
          leaseId: 'L1',
          leaseMs: 30_000,
        });
        expect(first.map((m) => m.id)).toEqual(['m1', 'm3']);
        // Held by the lease: nothing due.
        expect(
          await claimOutbox(store, {
            topic: 'national',
            now: new Date(T0.getTime() + 20),
            leaseId: 'L2',
          }),
        ).toEqual([]);
        const failed = await failOutbox(store, {
          id: 'm3',
          leaseId: 'L1',
          now: new Date(T0.getTime() + 20),
          error: 'national down',
        });
        expect(failed).toMatchObject({
          attempts: 1,
          lastError: 'national down',
          due: new Date(T0.getTime() + 1020).toISOString(),
        });
        expect(await ackOutbox(store, ['m1'], 'L1')).toBe(1);
        expect(
          await claimOutbox(store, {
            topic: 'national',
            now: new Date(T0.getTime() + 1000),
            leaseId: 'L3',
          }),
        ).toEqual([]);
        const retry = await claimOutbox(store, {
          topic: 'national',
          now: new Date(T0.getTime() + 1020),
          leaseId: 'L3',
          leaseMs: 5000,
        });
        expect(retry.map((m) => m.id)).toEqual(['m3']);
        // The worker dies; the lease ends; another worker gets the message.
        const again = await claimOutbox(store, {
          topic: 'national',
          now: new Date(T0.getTime() + 7000),
          leaseId: 'L4',
        });
        expect(again.map((m) => m.id)).toEqual(['m3']);
        expect(await ackOutbox(store, ['m3'], 'L3')).toBe(0);
        expect(await ackOutbox(store, ['m3'], 'L4')).toBe(1);
        expect(await store.count('outbox')).toBe(1);
      });
    });

    it('refuses use after close', async () => {
      await store.close();
      await expect(store.get('counters', 'c')).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
      store = await factory.open();
    });

    if (factory.reopen !== undefined) {
      const reopen = factory.reopen;
      it('keeps records, versions, expiry and log chains across a restart', async () => {
        await store.put('items', 'p', {
          name: '持久',
          owner: 'o',
          n: 1,
          tags: ['t'],
          email: 'p@example.cn',
        });
        await store.update('items', 'p', (v) => ({ ...v, n: 2 }));
        await store.put('counters', 'e', { n: 1 }, { expiresAt: T0 });
        await store.put('counters', 'gone', { n: 1 });
        await store.delete('counters', 'gone');
        const a = await store.append('usage', {
          sealId: 's',
          appId: 'a',
          time: 't1',
          result: 'ok',
        });
        await store.close();
        store = await reopen();
        expect(await store.get('items', 'p')).toMatchObject({
          version: 2,
          value: { name: '持久', n: 2 },
        });
        expect((await store.get('counters', 'e'))?.expiresAt).toBe(T0.getTime());
        expect(await store.get('counters', 'gone')).toBeUndefined();
        expect((await store.query('items', { index: 'tag', equals: 't' })).items).toHaveLength(1);
        await expect(
          store.put('items', 'q', { name: 'q', owner: 'o', n: 1, email: 'p@example.cn' }),
        ).rejects.toMatchObject({
          code: 'ERR_STORE_CONFLICT',
        });
        const b = await store.append('usage', {
          sealId: 's',
          appId: 'a',
          time: 't2',
          result: 'ok',
        });
        expect(b).toMatchObject({ seq: 2, prevHash: a.hash });
        expect(verifyLogChain(await store.readLog('usage')).valid).toBe(true);
      });
    }
  });
}
