// Server units: the error table covers every code, log redaction, configuration loading, the rate limiter (429 + Retry-After), the upload limit (413), the secret box.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorCodes } from '@govtrust/core/errors';
import { serverCodes } from '../../packages/core/src/errors/server.js';
import { createRateLimiter } from '../src/auth/rate-limit.js';
import { createSecretBox } from '../src/auth/secret-box.js';
import { httpErrorFor, httpErrorTable, loadConfig, makeDemoPdf } from '../src/index.js';
import { ServerTiming, parseServerTiming } from '../src/http/timing.js';
import { createLogger } from '../src/ops/logger.js';
import { startTestServer, type TestServer } from './helpers.js';

describe('error table', () => {
  it('every server code has its own row; every other code resolves to a 4xx or 5xx through its area', () => {
    for (const code of Object.keys(serverCodes)) expect(httpErrorTable[code], code).toBeDefined();
    for (const code of Object.keys(errorCodes)) {
      const { status } = httpErrorFor(code);
      expect(status >= 400 && status <= 599, code).toBe(true);
    }
    expect(httpErrorFor('ERR_PDF_PARSE').status).toBe(422);
    expect(httpErrorFor('ERR_GRANT_EXHAUSTED').status).toBe(403);
    expect(httpErrorFor('ERR_SEAL_REVOKED').status).toBe(409);
    expect(httpErrorFor('ERR_INPUT_TOO_LARGE').status).toBe(413);
    expect(httpErrorFor('not a code').status).toBe(500);
  });
});

describe('logs never carry secrets or documents', () => {
  it('redacts secrets, signatures, keys and bodies wherever they are logged', () => {
    const lines: string[] = [];
    const logger = createLogger({
      destination: new Writable({
        write(c: Buffer, _e, cb) {
          lines.push(c.toString());
          cb();
        },
      }),
    });
    logger.info(
      {
        secret: 'gts_TOPSECRET',
        app: { secret: 'gts_NESTED', name: 'ok' },
        headers: { 'x-signature': 'SIGVALUE', authorization: 'Bearer T' },
        body: '%PDF-1.7 secret contract',
        pdf: 'JVBERi0',
        privateKey: '-----BEGIN PRIVATE KEY-----',
        requestId: 'r1',
      },
      'test',
    );
    const out = lines.join('');
    for (const s of [
      'TOPSECRET',
      'NESTED',
      'SIGVALUE',
      'Bearer T',
      'secret contract',
      'JVBERi0',
      'BEGIN PRIVATE',
    ])
      expect(out).not.toContain(s);
    expect(out).toContain('"name":"ok"');
    expect(out).toContain('[redacted]');
  });
});

describe('configuration', () => {
  it('file, then environment, then overrides; relative paths from the file; invalid values name the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'govtrust-config-'));
    try {
      writeFileSync(
        join(dir, 'c.json'),
        JSON.stringify({ port: 9000, dataDir: 'data', limits: { uploadBytes: 4096 } }),
      );
      const c = loadConfig({
        file: join(dir, 'c.json'),
        env: { GOVTRUST_PORT: '9100', GOVTRUST_LOG_LEVEL: 'warn' },
        overrides: { host: '0.0.0.0' },
      });
      expect(c).toMatchObject({
        port: 9100,
        host: '0.0.0.0',
        logLevel: 'warn',
        dataDir: join(dir, 'data'),
        limits: { uploadBytes: 4096, jsonBytes: 1048576 },
      });
      expect(() => loadConfig({ overrides: { port: 70000 } })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_INPUT', field: 'port' }),
      );
      expect(() => loadConfig({ overrides: { nonsense: 1 } })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
      );
      expect(() => loadConfig({ file: join(dir, 'missing.json') })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_INPUT', field: 'config' }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rate limiter and secret box', () => {
  it('a token bucket: burst, then 429 with Retry-After, then refill', () => {
    let now = 0;
    const rl = createRateLimiter({ ratePerSecond: 2, burst: 3, now: () => now });
    for (let i = 0; i < 3; i++) rl.take('a');
    expect(() => rl.take('a')).toThrow(
      expect.objectContaining({ code: 'ERR_HTTP_RATE_LIMITED', details: { retryAfter: 1 } }),
    );
    rl.take('b');
    now = 600;
    rl.take('a');
  });

  it('sealed secrets open only with the same key and owner', () => {
    const box = createSecretBox(new Uint8Array(32).fill(7));
    const sealed = box.seal(new TextEncoder().encode('gts_abc'), 'app:a:secret:1');
    expect(sealed).not.toContain('gts_abc');
    expect(new TextDecoder().decode(box.open(sealed, 'app:a:secret:1'))).toBe('gts_abc');
    expect(() => box.open(sealed, 'app:b:secret:1')).toThrow(
      expect.objectContaining({ code: 'ERR_INTERNAL' }),
    );
    expect(() =>
      createSecretBox(new Uint8Array(32).fill(8)).open(sealed, 'app:a:secret:1'),
    ).toThrow(expect.objectContaining({ code: 'ERR_INTERNAL' }));
  });
});

describe('limits over HTTP', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({
      overrides: {
        limits: { uploadBytes: 16 * 1024, jsonBytes: 4096, spoolBytes: 64 * 1024 },
        rateLimit: { perSecond: 1, burst: 5 },
      },
    });
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('an oversize upload or JSON body is 413 ERR_INPUT_TOO_LARGE, refused while streaming; the server keeps serving', async () => {
    const s = await t.admin.createSeal({ name: '限额测试章', organisation: { name: '示例局' } });
    const u = await t.newApp();
    await t.admin.createGrant(s.id, { appId: u.appId });
    const big = makeDemoPdf({ pages: 20 });
    const padded = new Uint8Array(40 * 1024);
    padded.set(big);
    await expect(
      u.client.applySeal({
        sealId: s.id,
        pdf: padded,
        positions: [{ type: 'page', page: 1, x: 1, y: 1 }],
      }),
    ).rejects.toMatchObject({ code: 'ERR_INPUT_TOO_LARGE', status: 413 });
    const json = await t.admin.request('POST', '/v1/apps', {
      json: { name: 'x'.repeat(5000), roles: ['seal-user'] },
    });
    expect(json.status).toBe(413);
    expect((await fetch(`${t.url}/livez`)).status).toBe(200);
    // Under the limit, a small upload (kept in memory here: spoolBytes) is sealed.
    const ok = await u.client.applySeal({
      sealId: s.id,
      pdf: makeDemoPdf({ pages: 1 }),
      positions: [{ type: 'page', page: 1, x: 10, y: 10 }],
    });
    expect(ok.status).toBe('sealed');
    expect(readdirSync(join(t.dataDir, 'files', 'uploads'))).toEqual([]);
  });

  it('per-app rate limit: 429 with Retry-After once the burst is spent', async () => {
    const u = await t.newApp('busy');
    const codes: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const r = await u.client.request('GET', '/v1/seal-usage');
      codes.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get('retry-after');
    }
    expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(codes).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });
});

describe('uploads streamed to disk (limits.spoolBytes 0)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({
      overrides: { limits: { uploadBytes: 64 * 1024, spoolBytes: 0 } },
    });
  });
  afterAll(async () => {
    await t.cleanup();
  });
  // The spool file is removed right after the reply is sent.
  const uploadsEmpty = (): Promise<void> =>
    vi.waitFor(() => {
      expect(readdirSync(join(t.dataDir, 'files', 'uploads'))).toEqual([]);
    });

  it('seals the exact bytes sent and removes the spool file; an upload cut off at the limit leaves none', async () => {
    const s = await t.admin.createSeal({ name: '落盘测试章', organisation: { name: '示例局' } });
    const u = await t.newApp();
    await t.admin.createGrant(s.id, { appId: u.appId });
    const pdf = makeDemoPdf({ pages: 2 });
    const ok = await u.client.applySeal({
      sealId: s.id,
      pdf,
      positions: [{ type: 'page', page: 1, x: 10, y: 10 }],
    });
    expect(ok.document.sha256Before).toBe(createHash('sha256').update(pdf).digest('hex'));
    await uploadsEmpty();
    const padded = new Uint8Array(200 * 1024);
    padded.set(pdf);
    await expect(
      u.client.applySeal({
        sealId: s.id,
        pdf: padded,
        positions: [{ type: 'page', page: 1, x: 10, y: 10 }],
      }),
    ).rejects.toMatchObject({ code: 'ERR_INPUT_TOO_LARGE', status: 413 });
    await uploadsEmpty();
  });
});

describe('Server-Timing', () => {
  it('formats phases with durations, sums repeated names, and parses them back', async () => {
    const t = new ServerTiming();
    t.add('auth', 0.5);
    await t.measure('seal', () => new Promise((r) => setTimeout(r, 5)));
    t.add('auth', 0.25);
    await expect(t.measure('store', () => Promise.reject(new Error('disk full')))).rejects.toThrow(
      'disk full',
    );
    expect(t.header()).toMatch(/^auth;dur=0\.75, seal;dur=\d+\.\d\d, store;dur=\d+\.\d\d$/);
    const parsed = parseServerTiming(t.header());
    expect(parsed.auth).toBe(0.75);
    expect(parsed.seal).toBeGreaterThanOrEqual(4);
    expect(parseServerTiming('cache, db;dur=2.5;desc="x", bad;dur=abc')).toEqual({ db: 2.5 });
    expect(parseServerTiming(null)).toEqual({});
  });
});
