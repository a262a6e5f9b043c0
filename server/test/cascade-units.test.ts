// Cascade building blocks on synthetic index records: node request signatures (domain-separated
// from app signatures, unknown node, replay), the outbox (written in the change's transaction,
// same batch id on every retry, capped jittered backoff, licence types reconciled), the national
// index (idempotent batches, ownership, stale changes), configuration and the error table.
import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { signRequest } from '@govtrust/core/client';
import { cascadeCodes } from '../../packages/core/src/errors/cascade.js';
import { createMemoryStore } from '@govtrust/core/store';
import { createNationalService } from '../src/cascade/national.js';
import { createNodeAuthenticator, signNodeRequest } from '../src/cascade/node-auth.js';
import { createOutboxSink, createOutboxWorker, type IndexBatch } from '../src/cascade/outbox.js';
import type { LicenceIndexRecord } from '../src/domain/directory.js';
import { httpErrorFor, loadConfig } from '../src/index.js';
import { createLogger } from '../src/ops/logger.js';
import { serverSchema } from '../src/storage/schema.js';

const NOW = new Date('2026-06-01T08:00:00Z');
const logger = createLogger({ level: 'silent' });

const record = (
  serial: string,
  status = 'valid',
  updatedAt = NOW.toISOString(),
): LicenceIndexRecord => ({
  identifier: `1.2.156.3005.2.11100000000013338W032.11220000013544541J.${serial}.001.X`,
  licenceTypeCode: '11100000000013338W032',
  licenceTypeName: '建筑施工特种作业人员操作资格证书',
  issuerCode: '11220000013544541J',
  issuerName: '吉林省住房和城乡建设厅',
  holderCode: '110105199003077016',
  holderCodeType: '111',
  holderName: '张小明',
  status: status as LicenceIndexRecord['status'],
  validFrom: '2026-06-01',
  validTo: '2027-06-01',
  issuedAt: '2026-06-01',
  version: 1,
  updatedAt,
});

describe('node request signatures', () => {
  const secret = 'shared-secret-of-prov-b-0123456789';
  const nonces = new Set<string>();
  const verify = createNodeAuthenticator({
    findNode: (id) => (id === 'prov-b' ? { id, secret } : undefined),
    registerNonce: (scope, nonce) => {
      const k = `${scope}/${nonce}`;
      if (nonces.has(k)) return Promise.reject(new Error('seen'));
      nonces.add(k);
      return Promise.resolve();
    },
    now: () => NOW,
    clockSkewMs: 300_000,
  });
  const body = new TextEncoder().encode('{"a":1}');
  const req = (headers: Record<string, string>, b = body) => ({
    method: 'POST',
    target: '/v1/cascade/lookup',
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: b,
  });

  it('accepts a signed request once, then refuses the replay', async () => {
    const h = signNodeRequest({
      nodeId: 'prov-b',
      secret,
      method: 'POST',
      target: '/v1/cascade/lookup',
      body,
      now: NOW,
    });
    await expect(verify(req(h))).resolves.toBe('prov-b');
    await expect(verify(req(h))).rejects.toMatchObject({ code: 'ERR_CASCADE_NODE_REPLAYED' });
  });

  it('refuses unknown nodes, other secrets, changed bodies, stale timestamps and app signatures', async () => {
    const sign = (o: Partial<Parameters<typeof signNodeRequest>[0]> = {}) =>
      signNodeRequest({
        nodeId: 'prov-b',
        secret,
        method: 'POST',
        target: '/v1/cascade/lookup',
        body,
        now: NOW,
        ...o,
      });
    await expect(verify(req(sign({ nodeId: 'prov-x' })))).rejects.toMatchObject({
      code: 'ERR_CASCADE_NODE_UNKNOWN',
    });
    await expect(verify(req(sign({ secret: 'another-secret-0123456789' })))).rejects.toMatchObject({
      code: 'ERR_CASCADE_NODE_AUTH',
    });
    await expect(verify(req(sign(), new TextEncoder().encode('{"a":2}')))).rejects.toMatchObject({
      code: 'ERR_CASCADE_NODE_AUTH',
    });
    await expect(
      verify(req(sign({ now: new Date(NOW.getTime() - 600_000) }))),
    ).rejects.toMatchObject({
      code: 'ERR_CASCADE_NODE_AUTH',
    });
    // An app signature with the same secret, relabelled as a node: the signed id differs.
    const app = signRequest({
      appId: 'prov-b',
      secret,
      method: 'POST',
      target: '/v1/cascade/lookup',
      body,
      now: NOW,
    });
    const { 'X-App-Id': _id, ...rest } = app;
    await expect(verify(req({ ...rest, 'X-Node-Id': 'prov-b' }))).rejects.toMatchObject({
      code: 'ERR_CASCADE_NODE_AUTH',
    });
    await expect(verify(req({}))).rejects.toMatchObject({ code: 'ERR_CASCADE_NODE_AUTH' });
  });
});

describe('outbox and national index', () => {
  const setup = (
    send: (b: IndexBatch) => Promise<{ batchId: string; duplicate: boolean; applied: number }>,
  ) => {
    const store = createMemoryStore(serverSchema);
    const sink = createOutboxSink(() => NOW);
    const worker = createOutboxWorker({
      store,
      now: () => NOW,
      nodeId: 'prov-b',
      send,
      batchSize: 2,
      pollMs: 10,
      retryBaseMs: 100,
      retryMaxMs: 1000,
      random: () => 0.5,
      logger,
    });
    return { store, sink, worker };
  };

  it('keeps changes until acknowledged, retries a batch under the same id, and the national node applies it once', async () => {
    const national = createMemoryStore(serverSchema);
    const n = createNationalService({
      store: national,
      now: () => NOW,
      nodeId: 'national',
      nodes: [],
      timeoutMs: 1000,
    });
    let down = true;
    const sent: string[] = [];
    const { store, sink, worker } = setup(async (batch) => {
      sent.push(batch.batchId);
      if (down) throw new Error('connection refused');
      // The acknowledgement is lost once: the province sends the same batch again.
      const ack = await n.applyBatch('prov-b', JSON.parse(JSON.stringify(batch)));
      if (sent.length === 2) throw new Error('ack lost');
      return ack;
    });
    await store.transaction(async (tx) => {
      await sink.record(tx, { op: 'insert', record: record('A1') });
      await sink.record(tx, { op: 'insert', record: record('A2') });
    });
    // A change whose transaction fails leaves nothing behind.
    await expect(
      store.transaction(async (tx) => {
        await sink.record(tx, { op: 'insert', record: record('A3') });
        throw new Error('licence write failed');
      }),
    ).rejects.toThrow('licence write failed');
    await store.transaction((tx) =>
      sink.record(tx, {
        op: 'update',
        record: record('A1', 'revoked', '2026-06-02T00:00:00.000Z'),
      }),
    );
    expect(await worker.depth()).toBe(3);

    expect((await worker.deliverOnce()).kind).toBe('failed');
    expect((await worker.state()).pending).toMatchObject({ attempts: 1, count: 2 });
    down = false;
    expect((await worker.deliverOnce()).kind).toBe('failed'); // applied, ack lost
    const r = await worker.flush();
    expect(r).toMatchObject({ delivered: 3, batches: 2 });
    expect(sent[0]).toBe(sent[1]);
    expect(sent[1]).toBe(sent[2]);
    expect(await worker.depth()).toBe(0);
    expect(await national.count('cascade-index')).toBe(2);
    expect(await national.count('cascade-batches')).toBe(2);
    expect(await n.indexRecord(record('A1').identifier)).toMatchObject({
      node: 'prov-b',
      record: { status: 'revoked' },
    });
  });

  it('backs off exponentially with equal jitter, capped', () => {
    const { worker } = setup(() => Promise.reject(new Error('x')));
    expect([1, 2, 3, 4, 5, 10].map((a) => worker.backoffMs(a))).toEqual([
      75, 150, 300, 600, 750, 750,
    ]);
  });

  it('reconciles licence types into the outbox by content (insert, update, delete once each)', async () => {
    let types: { typeCode: string; name: string }[] = [{ typeCode: 'T1', name: 'one' }];
    const store = createMemoryStore(serverSchema);
    const worker = createOutboxWorker({
      store,
      now: () => NOW,
      nodeId: 'prov-b',
      send: () => Promise.reject(new Error('down')),
      listTypes: () => Promise.resolve(types),
      batchSize: 10,
      pollMs: 10,
      retryBaseMs: 10,
      retryMaxMs: 10,
      logger,
    });
    expect(await worker.syncTypes()).toBe(1);
    expect(await worker.syncTypes()).toBe(0);
    types = [
      { typeCode: 'T1', name: 'one, renamed' },
      { typeCode: 'T2', name: 'two' },
    ];
    expect(await worker.syncTypes()).toBe(2);
    types = [];
    expect(await worker.syncTypes()).toBe(2);
    const ops = (await store.query('cascade-outbox')).items.map(
      (i) => `${i.value.op}:${(i.value as { type: { typeCode: string } }).type.typeCode}`,
    );
    expect(ops).toEqual(['insert:T1', 'update:T1', 'insert:T2', 'delete:T1', 'delete:T2']);
  });

  it('backfills every licence once, page by page, resumable, and a resync reports them again', async () => {
    const store = createMemoryStore(serverSchema);
    const all = [record('C1'), record('C2'), record('C3')];
    const worker = createOutboxWorker({
      store,
      now: () => NOW,
      nodeId: 'prov-b',
      send: () => Promise.reject(new Error('down')),
      indexPage: (_tx, after, limit) => {
        const from = after === undefined ? 0 : Number(after);
        const next = from + limit < all.length ? String(from + limit) : undefined;
        return Promise.resolve({
          records: all.slice(from, from + limit),
          ...(next === undefined ? {} : { next }),
        });
      },
      batchSize: 2,
      pollMs: 10,
      retryBaseMs: 10,
      retryMaxMs: 10,
      logger,
    });
    expect(await worker.backfill({ onlyOnce: true })).toBe(3);
    expect(await worker.backfill({ onlyOnce: true })).toBe(0);
    expect(await worker.backfill()).toBe(3);
    expect(await worker.depth()).toBe(6);
    const ops = (await store.query('cascade-outbox')).items.map((i) => i.value.op);
    expect(new Set(ops)).toEqual(new Set(['update']));
  });

  it('national index: an identifier stays with its first node, older changes never win, malformed batches are refused', async () => {
    const national = createMemoryStore(serverSchema);
    const n = createNationalService({
      store: national,
      now: () => NOW,
      nodeId: 'national',
      nodes: [],
      timeoutMs: 1000,
    });
    const batch = (node: string, batchId: string, items: unknown[]) => ({
      batchId,
      node,
      sentAt: NOW.toISOString(),
      items,
    });
    const item = (seq: number, rec: LicenceIndexRecord, op = 'insert') => ({
      seq,
      kind: 'licence',
      op,
      record: rec,
      enqueuedAt: NOW.toISOString(),
    });
    await n.applyBatch('prov-b', batch('prov-b', 'b-1', [item(5, record('B1', 'revoked'))]));
    const stale = await n.applyBatch(
      'prov-b',
      batch('prov-b', 'b-0', [item(3, record('B1', 'valid'), 'update')]),
    );
    expect(stale).toMatchObject({ applied: 0, skipped: 1, duplicate: false });
    const hijack = await n.applyBatch(
      'prov-a',
      batch('prov-a', 'a-1', [item(9, record('B1', 'valid'), 'update')]),
    );
    expect(hijack).toMatchObject({ applied: 0, skipped: 1 });
    expect(await n.indexRecord(record('B1').identifier)).toMatchObject({
      node: 'prov-b',
      record: { status: 'revoked' },
    });
    await expect(n.applyBatch('prov-a', batch('prov-b', 'x', []))).rejects.toMatchObject({
      code: 'ERR_CASCADE_BATCH',
    });
    await expect(n.applyBatch('prov-a', { batchId: 'x' })).rejects.toMatchObject({
      code: 'ERR_CASCADE_BATCH',
    });
    const del = await n.applyBatch(
      'prov-b',
      batch('prov-b', 'b-2', [item(6, record('B1', 'revoked'), 'delete')]),
    );
    expect(del.applied).toBe(1);
    expect(await n.indexRecord(record('B1').identifier)).toMatchObject({ deleted: true });
  });
});

describe('cascade configuration and codes', () => {
  it('defaults to a provincial node without a national node; national mode takes registered nodes', () => {
    const c = loadConfig({ overrides: {} });
    expect(c).toMatchObject({ mode: 'provincial', node: { id: 'local' }, nodes: [] });
    expect(c.national).toBeUndefined();
    const n = loadConfig({
      env: { GOVTRUST_MODE: 'national' },
      overrides: {
        nodes: [
          { id: 'prov-a', secret: 'x'.repeat(16), url: 'http://127.0.0.1:1', division: '37' },
        ],
      },
    });
    expect(n.mode).toBe('national');
    expect(() =>
      loadConfig({
        overrides: {
          nodes: [
            { id: 'p', secret: 'x'.repeat(16), url: 'http://a' },
            { id: 'p', secret: 'y'.repeat(16), url: 'http://b' },
          ],
        },
      }),
    ).toThrow(/duplicate node id/);
    expect(() =>
      loadConfig({ overrides: { national: { url: 'http://n', secret: 'short' } } }),
    ).toThrow(/national.secret/);
  });

  it('every cascade code has its HTTP row: 503 unavailable, 502 bad upstream answer', () => {
    for (const code of Object.keys(cascadeCodes))
      expect(httpErrorFor(code).title, code).not.toBe('Unprocessable input');
    expect(httpErrorFor('ERR_CASCADE_UNAVAILABLE').status).toBe(503);
    expect(httpErrorFor('ERR_CASCADE_UPSTREAM').status).toBe(502);
    expect(httpErrorFor('ERR_CASCADE_NODE_UNKNOWN').status).toBe(403);
  });
});

describe('routed lookups: failures of the source node', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers)
      await new Promise<void>((r) => {
        s.close(() => r());
        s.closeAllConnections();
      });
  });
  const peer = async (handler: (res: ServerResponse) => void): Promise<string> => {
    const s = createHttpServer((_req, res) => handler(res));
    servers.push(s);
    s.listen(0, '127.0.0.1');
    await new Promise<void>((r) => s.once('listening', r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  };
  const national = async (url: string) => {
    const n = createNationalService({
      store: createMemoryStore(serverSchema),
      now: () => new Date(),
      nodeId: 'national',
      nodes: [{ id: 'prov-b', secret: 'x'.repeat(24), url }],
      timeoutMs: 300,
    });
    await n.applyBatch('prov-b', {
      batchId: 'b-1',
      node: 'prov-b',
      sentAt: NOW.toISOString(),
      items: [
        {
          seq: 1,
          kind: 'licence',
          op: 'insert',
          record: record('D1'),
          enqueuedAt: NOW.toISOString(),
        },
      ],
    });
    return (asker = 'prov-a') =>
      n.lookup(
        asker,
        { query: { by: 'identifier', identifier: record('D1').identifier }, useCause: '核验用途' },
        null,
      );
  };

  it('a source node that does not answer in time: 503 ERR_CASCADE_UNAVAILABLE (timeout) within the timeout', async () => {
    const ask = await national(await peer(() => undefined));
    const t0 = Date.now();
    await expect(ask()).rejects.toMatchObject({
      code: 'ERR_CASCADE_UNAVAILABLE',
      details: { node: 'prov-b', reason: 'timeout' },
    });
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('a source node that answers nonsense, an error, or as another node: 502 ERR_CASCADE_UPSTREAM', async () => {
    const send = (status: number, body: string) => (res: ServerResponse) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body);
    };
    await expect((await national(await peer(send(200, 'not json'))))()).rejects.toMatchObject({
      code: 'ERR_CASCADE_UPSTREAM',
    });
    await expect(
      (await national(await peer(send(200, '{"found":"yes"}'))))(),
    ).rejects.toMatchObject({
      code: 'ERR_CASCADE_UPSTREAM',
    });
    await expect(
      (await national(await peer(send(403, '{"code":"ERR_CASCADE_NODE_UNKNOWN"}'))))(),
    ).rejects.toMatchObject({
      code: 'ERR_CASCADE_UPSTREAM',
      details: { status: 403, upstreamCode: 'ERR_CASCADE_NODE_UNKNOWN' },
    });
    const other = JSON.stringify({
      found: true,
      source: { node: 'prov-z' },
      licence: { identifier: 'x' },
    });
    await expect((await national(await peer(send(200, other))))()).rejects.toMatchObject({
      code: 'ERR_CASCADE_UPSTREAM',
    });
    // The asking node's own licences are not routed back to it.
    await expect((await national(await peer(send(200, other))))('prov-b')).resolves.toEqual({
      found: false,
    });
  });
});
