// Licence service over HTTP: issue (signed data + sealed face) -> verify -> suspend -> resume -> revoke, status lists (bits, signature, ETag/304), supersede, tampered faces, issuer rights, bad input (identifier, upload size and type, roles).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GovTrustClient } from '@govtrust/core/client';
import {
  checkStatusEntry,
  decodeStatusList,
  getStatus,
  verifyStatusListSignature,
  type SignedStatusList,
} from '@govtrust/core/licence';
import { parseCertificate, validatePath } from '@govtrust/core/pki';
import { startTestServer, type TestServer } from './helpers.js';
import {
  TEST_ISSUER_CODE,
  issueTestLicence,
  licenceSetup,
  revokeTestLicence,
  type LicenceSetup,
} from './licence-helpers.js';

const CAUSE = '办理建筑施工许可核验';
const json = (b: Uint8Array): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;

describe('licence service', () => {
  let t: TestServer;
  let setup: LicenceSetup;
  let verifier: GovTrustClient;

  beforeAll(async () => {
    t = await startTestServer();
    setup = await licenceSetup(t);
    const v = await t.admin.createApp({ name: 'Verifier (用证单位)', roles: ['verifier'] });
    verifier = t.client(v.appId, v.secret!);
    await t.admin.request('PUT', `/v1/apps/${v.appId}/licence-rights`, {
      json: { issuers: [], lookupTypes: ['*'], lookupAreas: ['22'] },
    });
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const verify = async (
    bytes: Uint8Array,
    type = 'application/pdf',
    client = verifier,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await client.request(
      'POST',
      `/v1/licences/verify?useCause=${encodeURIComponent(CAUSE)}`,
      {
        body: bytes,
        contentType: type,
      },
    );
    return { status: res.status, body: json(res.body) };
  };
  const status = async (id: string): Promise<Record<string, unknown>> =>
    json(
      (
        await verifier.request(
          'GET',
          `/v1/licences/${id}/status?useCause=${encodeURIComponent(CAUSE)}`,
        )
      ).body,
    );
  const act = async (id: string, action: string, reasonCode?: string): Promise<number> =>
    (
      await setup.issuer.request('POST', `/v1/licences/${id}/${action}`, {
        json: reasonCode === undefined ? {} : { reasonCode },
      })
    ).status;

  it('issues a licence: face PDF and signed data, stored; the face and the data verify (result 0)', async () => {
    const l = await issueTestLicence(t);
    expect(l.identifier).toMatch(
      /^1\.2\.156\.3005\.2\.11100000000013338W032\.11220000013544541J\./,
    );
    expect(Buffer.from(l.faceBytes.subarray(0, 5)).toString()).toBe('%PDF-');
    expect(l.faceUrlPath).toMatch(/^\/verify\?id=.+&d=[A-Za-z0-9_-]{22}$/);
    const face = await verify(l.faceBytes);

    expect(face.status).toBe(200);
    expect(face.body).toMatchObject({
      input: 'face-pdf',
      status: 'valid',
      result: 0,
      identifier: l.identifier,
      licenceStatus: 'valid',
    });
    const data = await verify(l.dataBytes, 'application/json');
    expect(data.body).toMatchObject({ input: 'signed-data', status: 'valid', result: 0 });
    expect(await status(l.identifier)).toMatchObject({
      found: true,
      status: 'valid',
      statusLabel: { zh: '有效', en: 'Valid' },
      result: 0,
      source: { node: 'local' },
    });
  });

  it('suspend -> resume -> revoke over HTTP: status, verification result and status-list bits follow', async () => {
    const l = await issueTestLicence(t);
    expect(await act(l.identifier, 'suspend', 'suspend.investigation')).toBe(200);
    expect(await status(l.identifier)).toMatchObject({ status: 'suspended', result: 2 });
    expect((await verify(l.faceBytes)).body).toMatchObject({
      licenceStatus: 'suspended',
      result: 2,
    });
    expect(await act(l.identifier, 'resume', 'resume.period-ended')).toBe(200);
    expect(await status(l.identifier)).toMatchObject({ status: 'valid', result: 0 });
    await revokeTestLicence(t, l.identifier);
    expect(await status(l.identifier)).toMatchObject({
      status: 'revoked',
      statusLabel: { zh: '已吊销' },
      statusReason: 'revoke.penalty',
      result: 3,
    });
    expect((await verify(l.faceBytes)).body).toMatchObject({
      status: 'valid',
      licenceStatus: 'revoked',
      result: 3,
    });
    // Terminal: no resume after revocation.
    const again = await setup.issuer.request('POST', `/v1/licences/${l.identifier}/resume`, {
      json: {},
    });
    expect(again.status).toBe(409);
    expect(json(again.body).code).toBe('ERR_LICENCE_STATUS_TRANSITION');
  });

  it('publishes signed status lists: the revocation bit flips, the list verifies, ETag and 304', async () => {
    const l = await issueTestLicence(t);
    const data = json(l.dataBytes).data as {
      status: { statusPurpose: string; statusListCredential: string; statusListIndex: string }[];
    };
    const entry = data.status.find((e) => e.statusPurpose === 'revocation')!;
    const path = new URL(entry.statusListCredential).pathname;
    expect(path).toMatch(new RegExp(`^/v1/status-lists/${TEST_ISSUER_CODE}/\\d+-revocation$`));
    const fetchList = async (
      headers: Record<string, string> = {},
    ): Promise<{ res: Response; list?: SignedStatusList }> => {
      const res = await fetch(`${t.url}${path}`, { headers });
      return res.status === 200 ? { res, list: (await res.json()) as SignedStatusList } : { res };
    };
    const before = await fetchList();
    expect(before.res.headers.get('cache-control')).toBe('public, max-age=60');
    const etag = before.res.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const bit = (list: SignedStatusList): number =>
      getStatus(
        decodeStatusList(list.credential.credentialSubject.encodedList),
        Number(entry.statusListIndex),
      );
    expect(bit(before.list!)).toBe(0);
    expect((await fetchList({ 'If-None-Match': etag })).res.status).toBe(304);

    await revokeTestLicence(t, l.identifier);
    const after = await fetchList({ 'If-None-Match': etag });
    expect(after.res.status).toBe(200);
    expect(after.res.headers.get('etag')).not.toBe(etag);
    expect(bit(after.list!)).toBe(1);
    const signed = after.list!;
    const chain = signed.proof.certificateChain;
    const issuerCert = parseCertificate(new Uint8Array(Buffer.from(chain[0] ?? '', 'base64')));
    expect(await verifyStatusListSignature(signed, { publicKey: issuerCert.publicKey })).toBe(true);
    const path2 = await validatePath({
      certificate: issuerCert,
      intermediates: chain
        .slice(1)
        .map((c) => parseCertificate(new Uint8Array(Buffer.from(c, 'base64')))),
      trust: t.server.context.pki.trust,
      at: t.server.context.now(),
      purpose: 'licence-signing',
    });
    expect(path2.status).toBe('valid');
    expect(
      checkStatusEntry(signed.credential, {
        statusPurpose: 'revocation',
        statusListIndex: entry.statusListIndex,
        statusListCredential: entry.statusListCredential,
      }).status,
    ).toBe(1);
    // A forged list (a bit cleared) no longer verifies.
    const forged = {
      ...signed,
      credential: {
        ...signed.credential,
        credentialSubject: {
          ...signed.credential.credentialSubject,
          encodedList: before.list!.credential.credentialSubject.encodedList,
        },
      },
    };
    expect(await verifyStatusListSignature(forged, { publicKey: issuerCert.publicKey })).toBe(
      false,
    );

    const none = await fetch(`${t.url}/v1/status-lists/${TEST_ISSUER_CODE}/99-revocation`);
    expect(none.status).toBe(404);
    expect(((await none.json()) as { code: string }).code).toBe('ERR_STATUS_LIST_RANGE');
  });

  it('supersedes: version 002 is valid, 001 is superseded (已变更) and points at it', async () => {
    const l = await issueTestLicence(t);
    const res = await setup.issuer.request('POST', `/v1/licences/${l.identifier}/supersede`, {
      json: {
        changes: { fields: { operationCategory: '建筑架子工' } },
        reasonCode: 'supersede.change',
      },
    });
    expect(res.status, new TextDecoder().decode(res.body)).toBe(201);
    const body = json(res.body) as {
      licence: { identifier: string; previousVersion: string };
      previous: { status: string; supersededBy: string };
      face: string;
    };
    expect(body.licence.identifier).toMatch(/\.002\.[0-9A-Z]$/);
    expect(body.licence.previousVersion).toBe(l.identifier);
    expect(body.previous).toMatchObject({
      status: 'superseded',
      supersededBy: body.licence.identifier,
    });
    expect(await status(l.identifier)).toMatchObject({
      status: 'superseded',
      statusLabel: { zh: '已变更' },
      result: 3,
    });
    expect(await status(body.licence.identifier)).toMatchObject({ status: 'valid', result: 0 });
    const v2 = await verify(new Uint8Array(Buffer.from(body.face, 'base64')));
    expect(v2.body).toMatchObject({ status: 'valid', result: 0 });
  });

  it('a tampered face is an invalid report (result 7), not an error', async () => {
    const l = await issueTestLicence(t);
    const bytes = Buffer.from(l.faceBytes);
    // A byte changed inside the sealed range (the Info subject names the identifier).
    const at = bytes.indexOf('/Subject (1.2.156.3005.2.');
    expect(at).toBeGreaterThan(0);
    bytes[at + 12] = '7'.charCodeAt(0);
    const r = await verify(new Uint8Array(bytes));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'invalid', result: 7 });
    expect((r.body.errors as { code: string }[]).map((e) => e.code)).toContain(
      'ERR_LICENCE_FACE_SEAL_INVALID',
    );
    // Tampered signed data: the signature no longer matches.
    const data = json(l.dataBytes) as { data: { number: string } };
    data.data.number = 'X999';
    const r2 = await verify(new TextEncoder().encode(JSON.stringify(data)), 'application/json');
    expect(r2.body).toMatchObject({ status: 'invalid', result: 7 });
    expect((r2.body.errors as { code: string }[]).map((e) => e.code)).toContain(
      'ERR_LICENCE_SIGNATURE_INVALID',
    );
  });

  it('issuer rights: another issuer, apps without the issuer role, unknown identifiers', async () => {
    const l = await issueTestLicence(t);
    const other = await t.admin.createApp({ name: 'Other issuer', roles: ['issuer'] });
    const otherClient = t.client(other.appId, other.secret!);
    await t.admin.request('PUT', `/v1/apps/${other.appId}/licence-rights`, {
      json: { issuers: ['91350100M000100Y43'], lookupTypes: [], lookupAreas: [] },
    });
    const denied = await otherClient.request('POST', `/v1/licences/${l.identifier}/revoke`, {
      json: {},
    });
    expect(denied.status).toBe(403);
    expect(json(denied.body).code).toBe('ERR_LICENCE_ACCESS_DENIED');
    const issueDenied = await otherClient.request('POST', '/v1/licences', {
      json: {
        typeCode: setup.typeCode,
        issuerCode: TEST_ISSUER_CODE,
        number: 'X1',
        holder: { name: '李四', code: '110105199003077016', codeTypeCode: '111' },
        validUntil: null,
        fields: {},
      },
    });
    expect(issueDenied.status).toBe(403);
    expect(json(issueDenied.body).code).toBe('ERR_LICENCE_ACCESS_DENIED');
    const noRole = await verifier.request('POST', `/v1/licences/${l.identifier}/suspend`, {
      json: {},
    });
    expect(noRole.status).toBe(403);
    expect(json(noRole.body).code).toBe('ERR_AUTH_FORBIDDEN');
    const notAdmin = await setup.issuer.request('PUT', '/v1/licence-types', { json: {} });
    expect(notAdmin.status).toBe(403);
  });

  it('bad input: malformed identifiers, a wrong check character, oversized and mistyped uploads, bad licence data', async () => {
    const l = await issueTestLicence(t);
    const last = l.identifier.slice(-1);
    const wrongCheck = `${l.identifier.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
    const r1 = await verifier.request(
      'GET',
      `/v1/licences/${wrongCheck}/status?useCause=${encodeURIComponent(CAUSE)}`,
    );
    expect(r1.status).toBe(400);
    expect(json(r1.body).code).toBe('ERR_LICENCE_ID_CHECK_CHAR');
    const r2 = await verifier.request(
      'GET',
      `/v1/licences/not-an-identifier/status?useCause=${encodeURIComponent(CAUSE)}`,
    );
    expect(r2.status).toBe(400);
    expect(json(r2.body).code).toMatch(/^ERR_LICENCE_ID_/);
    expect(json(r2.body).code).not.toBe('ERR_LICENCE_ID_CHECK_CHAR');

    const big = new Uint8Array(10 * 1024 * 1024 + 10).fill(0x20);
    big.set(new TextEncoder().encode('%PDF-1.7\n'));
    const r3 = await verifier.request(
      'POST',
      `/v1/licences/verify?useCause=${encodeURIComponent(CAUSE)}`,
      {
        body: big,
        contentType: 'application/pdf',
      },
    );
    expect(r3.status).toBe(413);
    expect(json(r3.body).code).toBe('ERR_INPUT_TOO_LARGE');

    const r4 = await verifier.request(
      'POST',
      `/v1/licences/verify?useCause=${encodeURIComponent(CAUSE)}`,
      {
        body: new TextEncoder().encode('hello'),
        contentType: 'text/plain',
      },
    );
    expect(r4.status).toBe(415);
    expect(json(r4.body).code).toBe('ERR_HTTP_UNSUPPORTED_MEDIA_TYPE');
    const r5 = await verify(new TextEncoder().encode('GIF89a not a pdf'));
    expect(r5.status).toBe(400);
    expect(r5.body.code).toBe('ERR_LICENCE_UPLOAD_CONTENT');
    const r6 = await verify(
      new TextEncoder().encode('{"format":"something-else"}'),
      'application/json',
    );
    expect(r6.status).toBe(400);
    expect(r6.body.code).toBe('ERR_LICENCE_SIGNED_FORMAT');
    const r7 = await verify(new TextEncoder().encode('%PDF-1.7\nnot really a pdf'));
    expect(r7.status).toBe(422);
    expect(String(r7.body.code)).toMatch(/^ERR_PDF_/);

    // Licence data that does not fit its type: every issue listed.
    const bad = await setup.issuer.request('POST', '/v1/licences', {
      json: {
        typeCode: setup.typeCode,
        number: 'X2',
        holder: { name: '王五', code: '110105199003077017', codeTypeCode: '111' },
        validUntil: null,
        fields: { sex: '未知' },
      },
    });
    expect(bad.status).toBe(422);
    const problem = json(bad.body) as { code: string; details: { issues: { code: string }[] } };
    expect(problem.code).toBe('ERR_LICENCE_DATA_INVALID');
    expect(problem.details.issues.map((i) => i.code)).toEqual(
      expect.arrayContaining(['ERR_RESIDENT_ID_CHECK_CHAR', 'ERR_LICENCE_VALIDITY_LONG_TERM']),
    );
    const unknownType = await setup.issuer.request('POST', '/v1/licences', {
      json: {
        typeCode: '11100000000013338W999',
        number: 'X3',
        holder: { name: '王五', code: '110105199003077016', codeTypeCode: '111' },
        fields: {},
      },
    });
    expect(json(unknownType.body).code).toBe('ERR_LICENCE_TYPE_UNKNOWN');
  });
});
