// Directory cascade end to end: one national and two provincial nodes in-process. A licence issued in
// province B is found and verified through province A via the national node; revocation shows on the
// next lookup; national down -> A serves its own, cascaded lookups fail fast with 503, B's outbox
// delivers later (none lost, none duplicated); unknown nodes, replays, missing use causes and apps
// without rights are refused; every hop keeps its usage records (用证记录).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GovTrustClient } from '@govtrust/core/client';
import type { TestServer } from './helpers.js';
import { nodePost, startCascade, waitFor, type CascadeNodes } from './cascade-helpers.js';
import {
  issueTestLicence,
  licenceSetup,
  revokeTestLicence,
  TEST_HOLDER,
  TEST_LICENCE_TYPE,
} from './licence-helpers.js';

const CAUSE = '办理建筑施工许可核验';
const enc = encodeURIComponent;
const json = (b: Uint8Array): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;

interface Usage {
  caller: string;
  callerKind: string;
  onBehalfOf?: string;
  action: string;
  useCause?: string;
  identifier?: string;
  result: string;
  code?: string;
  source?: string;
  authenticated: boolean;
}

async function usage(t: TestServer, filter: string): Promise<Usage[]> {
  const res = await t.admin.request('GET', `/v1/usage/licences?limit=200&${filter}`);
  expect(res.status).toBe(200);
  return (json(res.body).items as { entry: Usage }[]).map((e) => e.entry);
}

describe('directory cascade: national + two provincial nodes', () => {
  let c: CascadeNodes;
  let verifierA: GovTrustClient;
  let verifierAId: string;
  let localOnlyA: GovTrustClient;
  let localOnlyAId: string;

  beforeAll(async () => {
    c = await startCascade();
    // The licence type (证照目录) is national: every province has it.
    await licenceSetup(c.a);
    const v = await c.a.admin.createApp({ name: 'Verifier in A (用证单位)', roles: ['verifier'] });
    verifierAId = v.appId;
    verifierA = c.a.client(v.appId, v.secret!);
    await c.a.admin.request('PUT', `/v1/apps/${v.appId}/licence-rights`, {
      json: { issuers: [], lookupTypes: ['*'], lookupAreas: ['*'] },
    });
    const l = await c.a.admin.createApp({ name: 'Local verifier in A', roles: ['verifier'] });
    localOnlyAId = l.appId;
    localOnlyA = c.a.client(l.appId, l.secret!);
    await c.a.admin.request('PUT', `/v1/apps/${l.appId}/licence-rights`, {
      json: { issuers: [], lookupTypes: ['*'], lookupAreas: ['37'] },
    });
  }, 60_000);
  afterAll(async () => {
    await c.cleanup();
  });

  const statusAt = async (
    client: GovTrustClient,
    id: string,
    cause = CAUSE,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await client.request(
      'GET',
      `/v1/licences/${id}/status${cause === '' ? '' : `?useCause=${enc(cause)}`}`,
    );
    return { status: res.status, body: json(res.body) };
  };

  it('reports B’s licence upward and finds and verifies it through A via the national node', async () => {
    const l = await issueTestLicence(c.b);
    await c.b.server.cascade.worker!.flush();
    const idx = await c.national.server.cascade.national!.indexRecord(l.identifier);
    expect(idx).toMatchObject({ node: 'prov-b', deleted: false, record: { status: 'valid' } });

    const s = await statusAt(verifierA, l.identifier);
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({
      found: true,
      status: 'valid',
      result: 0,
      source: { node: 'prov-b' },
    });

    const v = await verifierA.request('POST', `/v1/licences/verify?useCause=${enc(CAUSE)}`, {
      body: l.faceBytes,
      contentType: 'application/pdf',
    });
    expect(v.status).toBe(200);
    expect(json(v.body)).toMatchObject({ status: 'valid', result: 0, licenceStatus: 'valid' });

    const byHolder = await verifierA.request(
      'GET',
      `/v1/directory/licences?holderCode=${TEST_HOLDER.code}&holderCodeType=111&licenceType=${TEST_LICENCE_TYPE}&useCause=${enc(CAUSE)}`,
    );
    expect(json(byHolder.body)).toMatchObject({ found: true, source: { node: 'prov-b' } });

    // Each hop has its usage record, with the original cause and caller.
    const atA = await usage(c.a, `identifier=${enc(l.identifier)}`);
    expect(atA).toContainEqual(
      expect.objectContaining({
        caller: verifierAId,
        result: 'found',
        source: 'prov-b',
        useCause: CAUSE,
      }),
    );
    const atN = await usage(c.national, `identifier=${enc(l.identifier)}`);
    expect(atN).toContainEqual(
      expect.objectContaining({
        caller: 'node:prov-a',
        callerKind: 'node',
        onBehalfOf: verifierAId,
        result: 'found',
        source: 'prov-b',
        useCause: CAUSE,
      }),
    );
    const atB = await usage(c.b, `identifier=${enc(l.identifier)}`);
    expect(atB).toContainEqual(
      expect.objectContaining({
        caller: 'node:national',
        callerKind: 'node',
        onBehalfOf: `prov-a:${verifierAId}`,
        result: 'found',
        source: 'prov-b',
        useCause: CAUSE,
      }),
    );
  });

  it('revoking in B shows as revoked in A on the very next lookup (no cache of status)', async () => {
    const l = await issueTestLicence(c.b);
    await c.b.server.cascade.worker!.flush();
    expect((await statusAt(verifierA, l.identifier)).body).toMatchObject({ status: 'valid' });
    await revokeTestLicence(c.b, l.identifier);
    // Not waiting for the outbox: the answer comes from the source node itself.
    expect((await statusAt(verifierA, l.identifier)).body).toMatchObject({
      found: true,
      status: 'revoked',
      source: { node: 'prov-b' },
    });
    await c.b.server.cascade.worker!.flush();
    expect(await c.national.server.cascade.national!.indexRecord(l.identifier)).toMatchObject({
      record: { status: 'revoked' },
    });
  });

  it('refuses lookups without a use cause (at A and at the national node) and apps without rights, with usage records', async () => {
    const l = await issueTestLicence(c.b);
    await c.b.server.cascade.worker!.flush();
    const noCause = await statusAt(verifierA, l.identifier, '');
    expect(noCause.status).toBe(400);
    expect(noCause.body.code).toBe('ERR_LICENCE_USE_CAUSE_REQUIRED');
    const denied = await statusAt(localOnlyA, l.identifier);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('ERR_LICENCE_ACCESS_DENIED');
    expect(await usage(c.a, `caller=${localOnlyAId}`)).toContainEqual(
      expect.objectContaining({
        result: 'refused',
        code: 'ERR_LICENCE_ACCESS_DENIED',
        identifier: l.identifier,
      }),
    );
    expect(await usage(c.a, `caller=${verifierAId}&result=refused`)).toContainEqual(
      expect.objectContaining({ code: 'ERR_LICENCE_USE_CAUSE_REQUIRED' }),
    );
    // A node asking without a cause is refused by the national node too.
    const r = await nodePost(
      c.nationalUrl,
      '/v1/cascade/lookup',
      { query: { by: 'identifier', identifier: l.identifier }, onBehalfOf: 'app_x' },
      'prov-a',
      c.secrets['prov-a'],
    );
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('ERR_LICENCE_USE_CAUSE_REQUIRED');
    expect(await usage(c.national, 'caller=node:prov-a&result=refused')).toContainEqual(
      expect.objectContaining({ code: 'ERR_LICENCE_USE_CAUSE_REQUIRED', onBehalfOf: 'app_x' }),
    );
  });

  it('refuses unknown nodes, bad node signatures and replays, and app credentials on node routes', async () => {
    const body = { query: { by: 'identifier', identifier: '1.2.156.3005.2.X' }, useCause: CAUSE };
    const unknown = await nodePost(
      c.nationalUrl,
      '/v1/cascade/lookup',
      body,
      'prov-x',
      'a-secret-of-16-chars-or-more',
    );
    expect(unknown.status).toBe(403);
    expect(unknown.json.code).toBe('ERR_CASCADE_NODE_UNKNOWN');
    expect(await usage(c.national, 'caller=node:prov-x')).toContainEqual(
      expect.objectContaining({
        result: 'refused',
        code: 'ERR_CASCADE_NODE_UNKNOWN',
        authenticated: false,
      }),
    );
    const wrong = await nodePost(
      c.nationalUrl,
      '/v1/cascade/lookup',
      body,
      'prov-a',
      'not-the-secret-of-prov-a',
    );
    expect(wrong.status).toBe(401);
    expect(wrong.json.code).toBe('ERR_CASCADE_NODE_AUTH');
    const first = await nodePost(
      c.nationalUrl,
      '/v1/cascade/lookup',
      body,
      'prov-a',
      c.secrets['prov-a'],
    );
    expect(first.status).toBe(200);
    const replay = await nodePost(
      c.nationalUrl,
      '/v1/cascade/lookup',
      body,
      'prov-a',
      c.secrets['prov-a'],
      first.headers,
    );
    expect(replay.status).toBe(401);
    expect(replay.json.code).toBe('ERR_CASCADE_NODE_REPLAYED');
    // A province accepts node calls from the national node only.
    const toB = await nodePost(c.b.url, '/v1/cascade/lookup', body, 'prov-a', c.secrets['prov-a']);
    expect(toB.status).toBe(403);
    expect(toB.json.code).toBe('ERR_CASCADE_NODE_UNKNOWN');
    // An app credential is not a node credential.
    const asApp = await c.national.admin.request('POST', '/v1/cascade/lookup', { json: body });
    expect(asApp.status).toBe(401);
    expect(json(asApp.body).code).toBe('ERR_CASCADE_NODE_AUTH');
    // Batches go to the national node only.
    const batchToB = await nodePost(
      c.b.url,
      '/v1/cascade/batches',
      { batchId: 'x', node: 'national', sentAt: '', items: [] },
      'national',
      c.secrets['prov-b'],
    );
    expect(batchToB.status).toBe(404);
    expect(batchToB.json.code).toBe('ERR_CASCADE_MODE');
  });

  it('national node down: A serves its own licences, cascaded lookups fail fast with 503, B’s outbox delivers later (none lost, none duplicated)', async () => {
    const own = await issueTestLicence(c.a);
    const before = await issueTestLicence(c.b);
    await c.b.server.cascade.worker!.flush();
    await c.a.server.cascade.worker!.flush();
    await c.stopNational();

    expect((await statusAt(verifierA, own.identifier)).body).toMatchObject({
      found: true,
      source: { node: 'prov-a' },
    });
    const t0 = Date.now();
    const down = await statusAt(verifierA, before.identifier);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      code: 'ERR_CASCADE_UNAVAILABLE',
      details: { node: 'national' },
    });
    expect(await usage(c.a, `caller=${verifierAId}&result=failed`)).toContainEqual(
      expect.objectContaining({ caller: verifierAId, code: 'ERR_CASCADE_UNAVAILABLE' }),
    );

    // B keeps issuing and revoking; the changes wait in its outbox, retried with backoff.
    const during1 = await issueTestLicence(c.b);
    const during2 = await issueTestLicence(c.b);
    await revokeTestLicence(c.b, during2.identifier);
    const worker = c.b.server.cascade.worker!;
    expect(await worker.depth()).toBeGreaterThanOrEqual(3);
    await waitFor(async () => ((await worker.state()).pending?.attempts ?? 0) >= 2);
    const status = json((await c.b.admin.request('GET', '/v1/cascade/status')).body);
    expect(status).toMatchObject({
      mode: 'provincial',
      node: 'prov-b',
      outbox: { pending: { attempts: expect.any(Number) } },
    });
    const metrics = new TextDecoder().decode(
      await fetch(`${c.b.url}/metrics`).then((r) => r.arrayBuffer().then((b) => new Uint8Array(b))),
    );
    expect(metrics).toMatch(/govtrust_cascade_outbox_depth [1-9]/);

    await c.startNational();
    await waitFor(async () => (await worker.depth()) === 0);
    const n = c.national.server.cascade.national!;
    expect(await n.indexRecord(during1.identifier)).toMatchObject({
      node: 'prov-b',
      record: { status: 'valid' },
    });
    expect(await n.indexRecord(during2.identifier)).toMatchObject({
      node: 'prov-b',
      record: { status: 'revoked' },
    });
    // One index record per licence B issued: nothing lost, nothing twice.
    const fromB = await c.national.server.context.store.count('cascade-index', {
      index: 'node',
      equals: 'prov-b',
    });
    const inB = await c.b.server.context.store.count('licences');
    expect(fromB).toBe(inB);
    // A resync (after a data loss at the national node) reports everything again: still one each.
    const resync = json((await c.b.admin.request('POST', '/v1/cascade/resync')).body);
    expect(resync.enqueued).toBeGreaterThanOrEqual(inB);
    await worker.flush();
    expect(
      await c.national.server.context.store.count('cascade-index', {
        index: 'node',
        equals: 'prov-b',
      }),
    ).toBe(inB);
    expect((await statusAt(verifierA, during2.identifier)).body).toMatchObject({
      status: 'revoked',
      source: { node: 'prov-b' },
    });
  }, 30_000);
});
