// Licence directory over HTTP: lookups by identifier, holder and QR text with a required use cause (用证事由); usage records (用证记录) for answers and refusals; rights per app (type, area); single-use, short-lived face links; the public masked endpoint of the verifier page (digest proof, rate limit).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GovTrustClient } from '@govtrust/core/client';
import { formatLicenceId, parseLicenceId } from '@govtrust/core/licence';
import { startTestServer, TEST_NOW, type TestServer } from './helpers.js';
import {
  TEST_HOLDER,
  TEST_LICENCE_TYPE,
  issueTestLicence,
  licenceSetup,
  revokeTestLicence,
  type TestLicence,
} from './licence-helpers.js';

const CAUSE = '办理不动产登记核验资格';
const q = encodeURIComponent;
const json = (b: Uint8Array): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;

interface UsageItem {
  seq: number;
  entry: {
    caller: string;
    callerKind: string;
    authenticated: boolean;
    action: string;
    useCause?: string;
    identifier?: string;
    query?: Record<string, string>;
    result: string;
    code?: string;
    source?: string;
    licenceResult?: number;
  };
}

describe('licence directory', () => {
  let t: TestServer;
  let clock = TEST_NOW.getTime();
  let verifier: GovTrustClient;
  let verifierId: string;
  let outsider: GovTrustClient;
  let outsiderId: string;
  let licence: TestLicence;

  const usage = async (filters: string): Promise<UsageItem[]> => {
    const res = await t.admin.request('GET', `/v1/usage/licences?${filters}`);
    expect(res.status).toBe(200);
    return (json(res.body) as { items: UsageItem[] }).items;
  };

  beforeAll(async () => {
    t = await startTestServer({
      now: () => new Date(clock),
      overrides: { directory: { publicPerMinute: 30 } },
    });
    await licenceSetup(t);
    const v = await t.admin.createApp({ name: '不动产登记系统', roles: ['verifier'] });
    verifierId = v.appId;
    verifier = t.client(v.appId, v.secret!);
    // 吉林 (22) only, every licence type.
    await t.admin.request('PUT', `/v1/apps/${v.appId}/licence-rights`, {
      json: { lookupTypes: ['*'], lookupAreas: ['22'] },
    });
    const o = await t.admin.createApp({ name: '山东某用证单位', roles: ['verifier'] });
    outsiderId = o.appId;
    outsider = t.client(o.appId, o.secret!);
    // Another province (37) only.
    await t.admin.request('PUT', `/v1/apps/${o.appId}/licence-rights`, {
      json: { lookupTypes: [TEST_LICENCE_TYPE], lookupAreas: ['37'] },
    });
    licence = await issueTestLicence(t);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('looks a licence up by identifier, holder and QR text; each answer has its usage record', async () => {
    const byId = json(
      (
        await verifier.request(
          'GET',
          `/v1/directory/licences/${licence.identifier}?useCause=${q(CAUSE)}`,
        )
      ).body,
    );
    expect(byId).toMatchObject({
      found: true,
      source: { node: 'local' },
      licence: {
        identifier: licence.identifier,
        licenceTypeCode: TEST_LICENCE_TYPE,
        holderCode: TEST_HOLDER.code,
        holderCodeType: '111',
        status: 'valid',
        statusLabel: { zh: '有效', en: 'Valid' },
        result: 0,
        version: 1,
      },
    });
    const byHolder = json(
      (
        await verifier.request(
          'GET',
          `/v1/directory/licences?holderCode=${TEST_HOLDER.code}&holderCodeType=${q('公民身份号码')}&licenceType=${TEST_LICENCE_TYPE}&useCause=${q(CAUSE)}`,
        )
      ).body,
    );
    expect(byHolder).toMatchObject({ found: true, licence: { holderName: TEST_HOLDER.name } });
    const byQr = json(
      (
        await verifier.request(
          'GET',
          `/v1/directory/qr?text=${q(licence.qrText)}&useCause=${q(CAUSE)}`,
        )
      ).body,
    );
    expect(byQr).toMatchObject({ found: true, licence: { identifier: licence.identifier } });
    const nobody = json(
      (
        await verifier.request(
          'GET',
          `/v1/directory/licences?holderCode=110105194912310021&holderCodeType=111&licenceType=${TEST_LICENCE_TYPE}&useCause=${q(CAUSE)}`,
        )
      ).body,
    );
    expect(nobody).toEqual({ found: false });

    const mine = await usage(`caller=${verifierId}`);
    expect(mine.map((u) => [u.entry.action, u.entry.result])).toEqual([
      ['lookup', 'found'],
      ['holder-query', 'found'],
      ['qr-query', 'found'],
      ['holder-query', 'not-found'],
    ]);
    expect(mine[0]!.entry).toMatchObject({
      callerKind: 'app',
      authenticated: true,
      useCause: CAUSE,
      identifier: licence.identifier,
      source: 'local',
      licenceResult: 0,
    });
    // Holder codes are masked in the record (and hashed for searching).
    expect(mine[1]!.entry.query).toMatchObject({
      holderCode: '1101**********7016',
      holderCodeType: '公民身份号码',
    });
    expect(JSON.stringify(mine)).not.toContain(TEST_HOLDER.code);
  });

  it('refuses lookups without a use cause, with a wrong QR digest, for licences outside the rights; every refusal is recorded', async () => {
    const none = await verifier.request('GET', `/v1/licences/${licence.identifier}/status`);
    expect(none.status).toBe(400);
    expect(json(none.body).code).toBe('ERR_LICENCE_USE_CAUSE_REQUIRED');
    const short = await verifier.request(
      'GET',
      `/v1/directory/licences/${licence.identifier}?useCause=x`,
    );
    expect(json(short.body).code).toBe('ERR_LICENCE_USE_CAUSE_REQUIRED');
    const long = await verifier.request(
      'GET',
      `/v1/directory/licences/${licence.identifier}?useCause=${q('因'.repeat(201))}`,
    );
    expect(json(long.body).code).toBe('ERR_LICENCE_USE_CAUSE_REQUIRED');
    const badQr = await verifier.request(
      'GET',
      `/v1/directory/qr?text=${q(licence.qrText.replace(/([?&])d=[^&]+/, '$1d=AAAAAAAAAAAAAAAAAAAAAA'))}&useCause=${q(CAUSE)}`,
    );
    expect(badQr.status).toBe(403);
    expect(json(badQr.body).code).toBe('ERR_LICENCE_DIGEST_MISMATCH');
    const missingHolder = await verifier.request(
      'GET',
      `/v1/directory/licences?holderCodeType=111&licenceType=${TEST_LICENCE_TYPE}&useCause=${q(CAUSE)}`,
    );
    expect(missingHolder.status).toBe(400);

    // Another province's licence: the app may look up only area 37.
    const denied = await outsider.request(
      'GET',
      `/v1/licences/${licence.identifier}/status?useCause=${q(CAUSE)}`,
    );
    expect(denied.status).toBe(403);
    expect(json(denied.body).code).toBe('ERR_LICENCE_ACCESS_DENIED');
    // An app without any licence rights.
    const bare = await t.admin.createApp({ name: 'No rights', roles: ['verifier'] });
    const bareClient = t.client(bare.appId, bare.secret!);
    const denied2 = await bareClient.request(
      'GET',
      `/v1/directory/licences/${licence.identifier}?useCause=${q(CAUSE)}`,
    );
    expect(json(denied2.body).code).toBe('ERR_LICENCE_ACCESS_DENIED');
    // A seal-service app has no lookup role at all.
    const sealApp = await t.newApp('Seal user');
    const forbidden = await sealApp.client.request(
      'GET',
      `/v1/directory/licences/${licence.identifier}?useCause=${q(CAUSE)}`,
    );
    expect(forbidden.status).toBe(403);
    expect(json(forbidden.body).code).toBe('ERR_AUTH_FORBIDDEN');
    // A request that fails authentication.
    const forged = t.client(verifierId, 'not-the-secret');
    const unauth = await forged.request(
      'GET',
      `/v1/directory/licences/${licence.identifier}?useCause=${q(CAUSE)}`,
    );
    expect(unauth.status).toBe(401);

    const refused = await usage('result=refused');
    const codes = refused.map((u) => [u.entry.caller, u.entry.code]);
    expect(codes).toEqual(
      expect.arrayContaining([
        [verifierId, 'ERR_LICENCE_USE_CAUSE_REQUIRED'],
        [verifierId, 'ERR_LICENCE_DIGEST_MISMATCH'],
        [verifierId, 'ERR_INVALID_INPUT'],
        [outsiderId, 'ERR_LICENCE_ACCESS_DENIED'],
        [bare.appId, 'ERR_LICENCE_ACCESS_DENIED'],
        [sealApp.appId, 'ERR_AUTH_FORBIDDEN'],
        [verifierId, 'ERR_AUTH_SIGNATURE'],
      ]),
    );
    const byOutsider = refused.find((u) => u.entry.caller === outsiderId)!;
    expect(byOutsider.entry).toMatchObject({
      action: 'status',
      useCause: CAUSE,
      identifier: licence.identifier,
    });
    expect(refused.find((u) => u.entry.code === 'ERR_AUTH_SIGNATURE')!.entry.authenticated).toBe(
      false,
    );
    // Filters: by licence.
    const forLicence = await usage(`identifier=${q(licence.identifier)}`);
    expect(forLicence.length).toBeGreaterThanOrEqual(5);
    expect(forLicence.every((u) => u.entry.identifier === licence.identifier)).toBe(true);
    // Only admins read the usage log.
    expect((await verifier.request('GET', '/v1/usage/licences')).status).toBe(403);
  });

  it('revocation shows on the next lookup (no status cache)', async () => {
    const l = await issueTestLicence(t);
    const lookup = async (): Promise<Record<string, unknown>> =>
      json(
        (await verifier.request('GET', `/v1/licences/${l.identifier}/status?useCause=${q(CAUSE)}`))
          .body,
      );
    expect(await lookup()).toMatchObject({ status: 'valid' });
    await revokeTestLicence(t, l.identifier);
    expect(await lookup()).toMatchObject({
      status: 'revoked',
      statusLabel: { zh: '已吊销', en: 'Revoked' },
      result: 3,
    });
  });

  it('face links: a use cause, one download, then refused; expired after 5 minutes', async () => {
    const noCause = await verifier.request('POST', `/v1/licences/${licence.identifier}/face-link`, {
      json: {},
    });
    expect(json(noCause.body).code).toBe('ERR_LICENCE_USE_CAUSE_REQUIRED');
    const res = await verifier.request('POST', `/v1/licences/${licence.identifier}/face-link`, {
      json: { useCause: CAUSE },
    });
    expect(res.status).toBe(201);
    const link = json(res.body) as { url: string; expiresAt: string };
    expect(link.url).toMatch(/^\/v1\/face-links\/[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(link.expiresAt) - clock).toBe(300_000);
    const first = await fetch(`${t.url}${link.url}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await first.arrayBuffer()).equals(Buffer.from(licence.faceBytes))).toBe(
      true,
    );
    const second = await fetch(`${t.url}${link.url}`);
    expect(second.status).toBe(410);
    expect(((await second.json()) as { code: string }).code).toBe('ERR_LICENCE_FACE_LINK_USED');

    const late = json(
      (
        await verifier.request('POST', `/v1/licences/${licence.identifier}/face-link`, {
          json: { useCause: CAUSE },
        })
      ).body,
    ) as { url: string };
    clock += 301_000;
    const expired = await fetch(`${t.url}${late.url}`);
    expect(expired.status).toBe(410);
    expect(((await expired.json()) as { code: string }).code).toBe('ERR_LICENCE_FACE_LINK_EXPIRED');
    const unknown = await fetch(`${t.url}/v1/face-links/${'A'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    // Outside the rights: no link.
    const denied = await outsider.request('POST', `/v1/licences/${licence.identifier}/face-link`, {
      json: { useCause: CAUSE },
    });
    expect(json(denied.body).code).toBe('ERR_LICENCE_ACCESS_DENIED');
    const downloads = await usage('action=face-download');
    expect(downloads.map((u) => [u.entry.result, u.entry.code ?? null])).toEqual([
      ['found', null],
      ['refused', 'ERR_LICENCE_FACE_LINK_USED'],
      ['refused', 'ERR_LICENCE_FACE_LINK_EXPIRED'],
      ['refused', 'ERR_LICENCE_FACE_LINK_NOT_FOUND'],
    ]);
    expect(downloads[0]!.entry).toMatchObject({
      identifier: licence.identifier,
      useCause: CAUSE,
      callerKind: 'public',
    });
  });

  describe('public endpoint (verifier page)', () => {
    const publicGet = async (
      id: string,
      params: string,
    ): Promise<{ status: number; body: Record<string, unknown> }> => {
      const res = await fetch(`${t.url}/v1/public/licences/${id}?${params}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    it('answers with masked holder data when d is the QR digest; refuses a wrong digest', async () => {
      const l = await issueTestLicence(t);
      const ok = await publicGet(l.identifier, `d=${l.digest}&useCause=${q('窗口核验')}`);
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({
        identifier: l.identifier,
        status: 'valid',
        statusLabel: { zh: '有效', en: 'Valid' },
        licenceType: { code: TEST_LICENCE_TYPE, name: '建筑施工特种作业人员操作资格证书' },
        issuer: { name: '吉林省住房和城乡建设厅', code: '11220000013544541J' },
        holder: { name: '张*明', code: '1101**********7016', codeType: '公民身份号码' },
        source: { node: 'local' },
      });
      expect(typeof ok.body.number).toBe('string');
      expect(ok.body.validFrom).toBe('2026-06-01');
      expect(JSON.stringify(ok.body)).not.toContain(TEST_HOLDER.code);
      expect(JSON.stringify(ok.body)).not.toContain('张小明');

      const wrong = await publicGet(
        l.identifier,
        `d=AAAAAAAAAAAAAAAAAAAAAA&useCause=${q('窗口核验')}`,
      );
      expect(wrong.status).toBe(403);
      expect(wrong.body.code).toBe('ERR_LICENCE_DIGEST_MISMATCH');
      const noCause = await publicGet(l.identifier, `d=${l.digest}`);
      expect(noCause.status).toBe(400);
      expect(noCause.body.code).toBe('ERR_LICENCE_USE_CAUSE_REQUIRED');
      const badCheck = `${l.identifier.slice(0, -1)}${l.identifier.endsWith('A') ? 'B' : 'A'}`;
      const bad = await publicGet(badCheck, `d=${l.digest}&useCause=${q('窗口核验')}`);
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('ERR_LICENCE_ID_CHECK_CHAR');
      const malformed = await publicGet('1.2.3', `d=${l.digest}&useCause=${q('窗口核验')}`);
      expect(malformed.status).toBe(400);
      expect(String(malformed.body.code)).toMatch(/^ERR_LICENCE_ID_/);

      await revokeTestLicence(t, l.identifier);
      const revoked = await publicGet(l.identifier, `d=${l.digest}&useCause=${q('窗口核验')}`);
      expect(revoked.body).toMatchObject({
        status: 'revoked',
        statusLabel: { zh: '已吊销', en: 'Revoked' },
        statusReason: 'revoke.penalty',
      });

      const records = await usage(`identifier=${q(l.identifier)}&action=public-lookup`);
      expect(records.map((r) => [r.entry.result, r.entry.code ?? null])).toEqual([
        ['found', null],
        ['refused', 'ERR_LICENCE_DIGEST_MISMATCH'],
        ['refused', 'ERR_LICENCE_USE_CAUSE_REQUIRED'],
        ['found', null],
      ]);
      expect(records[0]!.entry.caller).toMatch(/^public:[0-9a-f]{16}$/);
      expect(records[0]!.entry).not.toHaveProperty('clientIp');
    });

    it('404 for an identifier nobody issued (well-formed), recorded', async () => {
      // The same serial with version 009: well-formed, check character recomputed.
      const p = parseLicenceId(licence.identifier);
      const other = formatLicenceId({ ...p, version: 9 });
      const r = await publicGet(other, `d=${licence.digest}&useCause=${q('窗口核验')}`);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe('ERR_LICENCE_NOT_FOUND');
      const records = await usage(`identifier=${q(other)}`);
      expect(records.map((x) => x.entry.result)).toEqual(['not-found']);
    });

    it('is rate limited per address (429 with Retry-After)', async () => {
      let limited: Response | undefined;
      for (let i = 0; i < 40 && limited === undefined; i++) {
        const res = await fetch(
          `${t.url}/v1/public/licences/${licence.identifier}?d=${licence.digest}&useCause=${q('窗口核验')}`,
        );
        if (res.status === 429) limited = res;
        else await res.arrayBuffer();
      }
      expect(limited).toBeDefined();
      expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await limited!.json()) as { code: string }).code).toBe('ERR_HTTP_RATE_LIMITED');
      clock += 120_000;
    });
  });
});
