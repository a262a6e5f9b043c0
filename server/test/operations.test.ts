// Operations and request authentication: health, metrics, OpenAPI, problem documents, helmet, HMAC request signing (skew, nonce, body digest, roles, rotation, HMAC-SM3), secrets never stored or logged in clear.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGovTrustClient, signRequest } from '@govtrust/core/client';
import { RemoteServiceError } from '@govtrust/core/errors';
import { startTestServer, type TestServer } from './helpers.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('operations endpoints', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('livez, readyz (store and seal keys), helmet headers and request ids', async () => {
    const live = await fetch(`${t.url}/livez`);
    expect(await live.json()).toMatchObject({ status: 'ok' });
    expect(live.headers.get('x-content-type-options')).toBe('nosniff');
    expect(live.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(live.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(live.headers.get('x-powered-by')).toBeNull();
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as {
      status: string;
      checks: { name: string; ok: boolean }[];
    };
    expect(body.status).toBe('ready');
    expect(body.checks.map((c) => c.name)).toEqual(['store', 'seal-keys']);
  });

  it('unknown paths are 404 and wrong methods 405, as problem documents with code and requestId', async () => {
    const nf = await fetch(`${t.url}/v1/nothing`);
    expect(nf.status).toBe(404);
    expect(nf.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const doc = (await nf.json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      code: 'ERR_HTTP_NOT_FOUND',
      status: 404,
      type: 'urn:govtrust:problem:ERR_HTTP_NOT_FOUND',
    });
    expect(doc.requestId).toBe(nf.headers.get('x-request-id'));
    const na = await fetch(`${t.url}/livez`, { method: 'DELETE' });
    expect(na.status).toBe(405);
    expect(na.headers.get('allow')).toBe('GET');
    expect(await na.json()).toMatchObject({ code: 'ERR_HTTP_METHOD_NOT_ALLOWED' });
  });

  it('OpenAPI 3.1 lists every route with its schemas; the docs page links it', async () => {
    const doc = (await (await fetch(`${t.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown[] }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const p of [
      '/tsa',
      '/ocsp',
      '/crl/{ca}.crl',
      '/v1/seals',
      '/v1/seals/{id}/status',
      '/v1/seal-applications',
      '/v1/seal-applications:batch',
      '/v1/signing-sessions/{id}/complete',
      '/v1/seal-usage',
    ])
      expect(doc.paths[p], p).toBeDefined();
    const apply = doc.paths['/v1/seal-applications']!.post!;
    expect(JSON.stringify(apply.requestBody)).toMatch(/"keyword"/);
    expect(apply.security).toEqual([{ appSignature: [] }]);
    expect(doc.paths['/v1/seals/{id}/status']!.get!.security).toEqual([]);
    const docs = await (await fetch(`${t.url}/docs`)).text();
    expect(docs).toMatch(/\/openapi\.json/);
    expect(docs).toMatch(/\/v1\/seal-applications/);
  });

  it('metrics: request counters and latency histograms per route template', async () => {
    await fetch(`${t.url}/v1/seals/abc/status`);
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(
      /govtrust_http_requests_total\{method="GET",route="\/v1\/seals\/\{id\}\/status",status="404"\} 1/,
    );
    expect(text).toMatch(
      /govtrust_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/livez"\}/,
    );
    expect(text).toMatch(/govtrust_seal_applications_total/);
    expect(text).toMatch(/govtrust_usage_log_entries 0/);
  });
});

describe('request authentication (HMAC over the canonical request)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  async function raw(
    headers: Record<string, string>,
    body?: string,
    path = '/v1/seals',
    method = 'GET',
  ): Promise<{ status: number; code: string }> {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const doc = (await res.json()) as { code?: string };
    return { status: res.status, code: doc.code ?? '' };
  }

  it('admin calls work; each failure has its own code', async () => {
    expect(await t.admin.listSeals()).toEqual([]);
    expect(await raw({})).toEqual({ status: 401, code: 'ERR_AUTH_MISSING' });
    const signed = (o: Partial<Parameters<typeof signRequest>[0]> = {}): Record<string, string> =>
      signRequest({
        appId: t.adminAppId,
        secret: 'wrong',
        method: 'GET',
        target: '/v1/seals',
        ...o,
      });
    expect(await raw(signed())).toEqual({ status: 401, code: 'ERR_AUTH_SIGNATURE' });
    expect(await raw(signed({ appId: 'app_nobody' }))).toEqual({
      status: 401,
      code: 'ERR_AUTH_UNKNOWN_APP',
    });
    const secret = readFileSync(join(t.dataDir, 'admin.secret'), 'utf8');
    expect(await raw(signed({ secret, now: new Date(Date.now() - 10 * 60_000) }))).toEqual({
      status: 401,
      code: 'ERR_AUTH_TIMESTAMP',
    });
    const once = signed({ secret });
    expect((await fetch(`${t.url}/v1/seals`, { headers: once })).status).toBe(200);
    expect(await raw(once)).toEqual({ status: 401, code: 'ERR_AUTH_NONCE_REPLAYED' });
    // The signature covers the path and query: moving it to another URL fails.
    const moved = signed({ secret, target: '/v1/seals?x=1' });
    expect(await raw(moved)).toEqual({ status: 401, code: 'ERR_AUTH_SIGNATURE' });
    // Body digest: headers signed over one body, another body sent.
    const body = JSON.stringify({ name: 'x', roles: ['seal-user'] });
    const h = signRequest({
      appId: t.adminAppId,
      secret,
      method: 'POST',
      target: '/v1/apps',
      body: new TextEncoder().encode(body),
    });
    expect(
      await raw(
        { ...h, 'Content-Type': 'application/json' },
        body.replace('"x"', '"y"'),
        '/v1/apps',
        'POST',
      ),
    ).toEqual({ status: 401, code: 'ERR_AUTH_BODY_DIGEST' });
  });

  it('roles: a seal-user app cannot call admin routes; malformed JSON and schema errors are 400 with a code', async () => {
    const { client } = await t.newApp();
    await expect(client.listSeals()).rejects.toMatchObject({
      code: 'ERR_AUTH_FORBIDDEN',
      status: 403,
    });
    const bad = await t.admin.request('POST', '/v1/apps', {
      body: new TextEncoder().encode('{"name": '),
      contentType: 'application/json',
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(new TextDecoder().decode(bad.body))).toMatchObject({
      code: 'ERR_HTTP_MALFORMED_JSON',
    });
    await expect(t.admin.createApp({ name: '', roles: ['seal-user'] })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      status: 400,
    });
    await expect(t.admin.createApp({ name: 'x', roles: ['root'] })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
    });
  });

  it('secret rotation keeps two active secrets; HMAC-SM3 signs too', async () => {
    const { appId, secret, client: first } = await t.newApp('Rotating app');
    const second = await t.admin.rotateAppSecret(appId);
    const viaSecond = t.client(appId, second.secret!);
    expect(await first.listGrants('x').catch((e: unknown) => (e as RemoteServiceError).code)).toBe(
      'ERR_AUTH_FORBIDDEN',
    );
    expect(await viaSecond.listUsage()).toMatchObject({ items: [] });
    expect(await first.listUsage()).toMatchObject({ items: [] });
    const third = await t.admin.rotateAppSecret(appId);
    await expect(first.listUsage()).rejects.toMatchObject({ code: 'ERR_AUTH_SIGNATURE' });
    expect(await viaSecond.listUsage()).toMatchObject({ items: [] });
    const sm3 = createGovTrustClient({
      baseUrl: t.url,
      appId,
      secret: third.secret!,
      algorithm: 'HMAC-SM3',
    });
    expect(await sm3.listUsage()).toMatchObject({ items: [] });
    await t.admin.revokeAppSecret(appId, second.secretId);
    await expect(viaSecond.listUsage()).rejects.toMatchObject({ code: 'ERR_AUTH_SIGNATURE' });
    expect(secret).not.toBe(third.secret);
  });

  it('secrets are neither stored in clear nor logged', async () => {
    const { secret, client } = await t.newApp('Secret keeper');
    await client.listUsage();
    const stored = filesUnder(join(t.dataDir, 'store'))
      .map((f) => readFileSync(f, 'latin1'))
      .join('\n');
    expect(stored).toContain('"apps"');
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice(4, 30));
    const logs = t.logs.join('\n');
    expect(logs).toMatch(/"route":"\/v1\/seal-usage"/);
    expect(logs).not.toContain(secret);
    expect(logs).not.toMatch(/x-signature/i);
  });
});
