// Seal applications end to end with the client SDK: page/xy + keyword + riding seals (pdfsig "Signature is Valid" with the dev root
// trusted, CMS and path checks with OCSP from the server, GB/T 38540 seal attribute, B-T time stamp), idempotency, batch,
// the authorisation matrix (each refusal its own code, one refusal entry in the usage log), bad input, two-step signing,
// 50 concurrent applications with a verifying chain, restart.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCms, verifyCms } from '@govtrust/core/cms';
import {
  createGovTrustClient,
  signRequest,
  type GovTrustClient,
  type SealView,
} from '@govtrust/core/client';
import { createSigner, digest, importPrivateKey } from '@govtrust/core/crypto';
import {
  createOcspRevocationSource,
  createTrustStore,
  parseCertificate,
  validatePath,
  verifyTimestampToken,
} from '@govtrust/core/pki';
import { SEAL_ATTRIBUTE_OID, readSealAttribute } from '@govtrust/core/seal';
import { parseLogExport, verifyLogChain } from '@govtrust/core/store';
import { makeDemoPdf, parseServerTiming } from '../src/index.js';
import { hasTool } from '../../packages/core/test/helpers/tools.js';
import { cli } from '../../packages/cli/test/helpers.js';
import { DEV_PKI_DIR, startTestServer, type TestServer } from './helpers.js';
import { makeNssDb, pdfsig, rawSignatures, tool } from './pdf-tools.js';

const rootPem = (alg: string): string => join(DEV_PKI_DIR, alg, 'root.pem');
const trustP256 = createTrustStore([readFileSync(rootPem('p256'), 'utf8')]);
const hex = (d: Uint8Array): string => Buffer.from(d).toString('hex');
const tools = hasTool('pdfsig') && hasTool('certutil') && hasTool('qpdf');

async function usageCount(t: TestServer): Promise<number> {
  return (await t.server.context.store.logHead('usage'))?.seq ?? 0;
}

async function lastUsage(t: TestServer): Promise<Record<string, unknown>> {
  const head = await usageCount(t);
  const [e] = await t.server.context.store.readLog('usage', head, 1);
  return e!.entry as unknown as Record<string, unknown>;
}

async function applicationCount(t: TestServer): Promise<number> {
  return t.server.context.store.count('applications');
}

/** Verifies every signature of a sealed PDF the way a relying party would, without pdf-specific code. */
async function checkSignatures(t: TestServer, pdf: Uint8Array, seal: SealView): Promise<number> {
  const sigs = rawSignatures(pdf);
  for (const s of sigs) {
    expect(s.byteRange[0]).toBe(0);
    const parsed = parseCms(s.cms);
    const v = verifyCms(parsed, { digestFromStream: (alg) => s.digest(alg) });
    expect(v.intact, JSON.stringify(v.errors)).toBe(true);
    const path = await validatePath({
      certificate: v.signerCertificate!,
      intermediates: parsed.certificates,
      trust: trustP256,
      at: new Date(),
      purpose: 'document-signing',
      revocation: createOcspRevocationSource({ url: `${t.url}/ocsp` }),
      revocationRequired: true,
    });
    expect(path.status, JSON.stringify(path.errors)).toBe('valid');
    expect(path.revocation).toBe('good');
    const si = parsed.signerInfos[0]!;
    const attr = si.signedAttributes.find((a) => a.oid === SEAL_ATTRIBUTE_OID);
    expect(readSealAttribute(attr!).sealInfo.esID).toBe(seal.esID);
  }
  return sigs.length;
}

describe.skipIf(!tools)('seal applications', () => {
  let t: TestServer;
  let nss: string;
  let seal: SealView;
  let user: { appId: string; secret: string; client: GovTrustClient };
  beforeAll(async () => {
    t = await startTestServer();
    nss = await makeNssDb(t.dataDir, rootPem('p256'));
    seal = await t.admin.createSeal({
      name: '示例市人民政府办公室',
      organisation: { name: '示例市人民政府办公室' },
    });
    user = await t.newApp('OA 审批系统');
    await t.admin.createGrant(seal.id, { appId: user.appId });
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('full flow: page/xy + keyword + riding at B-T; download; pdfsig valid with the dev root; CMS, path, OCSP, seal attribute, time stamp', async () => {
    const input = makeDemoPdf({ pages: 3 });
    const before = await usageCount(t);
    const { application, pdf } = await user.client.sealPdf({
      sealId: seal.id,
      pdf: input,
      filename: '审批表.pdf',
      positions: [
        { type: 'page', page: 1, x: 120, y: 140 },
        { type: 'keyword', keyword: 'Seal here:', offsetX: 20 },
        { type: 'riding', pages: [1, 3] },
      ],
      level: 'B-T',
      bizId: 'OA-2026-0001',
      reason: '同意',
    });
    expect(application).toMatchObject({
      status: 'sealed',
      sealId: seal.id,
      bizId: 'OA-2026-0001',
      level: 'B-T',
    });
    expect(application.document.sha256Before).toBe(hex(digest('sha256', input)));
    expect(application.document.sha256After).toBe(hex(digest('sha256', pdf)));
    // Incremental updates: the original bytes are the untouched prefix.
    expect(Buffer.from(pdf.subarray(0, input.length)).equals(Buffer.from(input))).toBe(true);
    const verdicts = await pdfsig(nss, t.dataDir, pdf, 'full.pdf');
    expect(verdicts.length).toBeGreaterThanOrEqual(3);
    for (const v of verdicts) expect(v.verdict).toBe('Signature is Valid.');
    // poppler 22.12 checks the certificate of only the first signature by a given certificate;
    // checkSignatures below validates every signer's path (with OCSP) itself.
    expect(verdicts[0]!.trusted).toBe(true);
    expect(verdicts[verdicts.length - 1]!.total).toBe(true);
    expect(await checkSignatures(t, pdf, seal)).toBe(3);
    const last = parseCms(rawSignatures(pdf)[2]!.cms).signerInfos[0]!;
    const ts = await verifyTimestampToken(last.timestampTokens[0]!, {
      digest: digest('sha256', last.signatureValue),
      hashAlgorithm: 'sha256',
      trust: trustP256,
    });
    expect(ts.valid).toBe(true);
    const qpdf = await tool('qpdf', ['--check', join(t.dataDir, 'full.pdf')]);
    expect(qpdf.stdout).toMatch(/No syntax or stream encoding errors/);
    expect(await usageCount(t)).toBe(before + 1);
    expect(await lastUsage(t)).toMatchObject({
      result: 'sealed',
      appId: user.appId,
      sealId: seal.id,
      applicationId: application.id,
      bizId: 'OA-2026-0001',
      document: {
        filename: '审批表.pdf',
        sha256Before: application.document.sha256Before,
        sha256After: application.document.sha256After,
      },
    });
    expect(await user.client.getApplication(application.id)).toMatchObject({
      id: application.id,
      usageSeq: before + 1,
    });
    // Another app cannot read it.
    const other = await t.newApp();
    await expect(other.client.downloadResult(application.id)).rejects.toMatchObject({
      code: 'ERR_APPLICATION_NOT_FOUND',
      status: 404,
    });
  });

  it('Idempotency-Key: a replay returns the first result; the same key with another body is 409', async () => {
    const pdf = makeDemoPdf({ pages: 1 });
    const opts = {
      sealId: seal.id,
      pdf,
      positions: [{ type: 'page' as const, page: 1, x: 30, y: 30 }],
      idempotencyKey: 'idem-0001',
    };
    const first = await user.client.applySeal(opts);
    const n = await usageCount(t);
    const again = await user.client.applySeal(opts);
    expect(again.id).toBe(first.id);
    expect(await usageCount(t)).toBe(n);
    await expect(
      user.client.applySeal({ ...opts, positions: [{ type: 'page', page: 1, x: 60, y: 60 }] }),
    ).rejects.toMatchObject({
      code: 'ERR_STORE_IDEMPOTENCY_MISMATCH',
      status: 409,
    });
    await expect(
      user.client.applySeal({ ...opts, idempotencyKey: 'bad key with spaces' }),
    ).rejects.toMatchObject({ code: 'ERR_IDEMPOTENCY_KEY', status: 400 });
  });

  it(':batch seals several documents with per-item results', async () => {
    const results = await user.client.applySealBatch([
      {
        sealId: seal.id,
        pdf: makeDemoPdf({ pages: 1 }),
        positions: [{ type: 'page', page: 1, x: 20, y: 20 }],
        bizId: 'B-1',
      },
      {
        sealId: 'no-such-seal',
        pdf: makeDemoPdf({ pages: 1 }),
        positions: [{ type: 'page', page: 1, x: 20, y: 20 }],
        bizId: 'B-2',
      },
      {
        sealId: seal.id,
        pdf: makeDemoPdf({ pages: 2 }),
        positions: [{ type: 'riding' }],
        bizId: 'B-3',
      },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]).toMatchObject({
      ok: false,
      error: { code: 'ERR_SEAL_NOT_FOUND', status: 404 },
    });
    const third = results[2]!;
    if (!third.ok) throw new Error('expected a result');
    const pdf = await user.client.downloadResult(third.application.id);
    const batchVerdicts = await pdfsig(nss, t.dataDir, pdf, 'batch.pdf');
    // A riding seal is one signature with a widget on each page; pdfsig lists each widget.
    expect(batchVerdicts.map((v) => v.valid)).toEqual([true, true]);
    expect(rawSignatures(pdf)).toHaveLength(1);
  });

  describe('authorisation matrix: each refusal has its code and status, and only the refusal is logged', () => {
    const pdf = makeDemoPdf({ pages: 1 });
    const positions = [{ type: 'page' as const, page: 1, x: 20, y: 20 }];

    async function expectRefusal(
      run: () => Promise<unknown>,
      code: string,
      status: number,
      extra: Record<string, unknown> = {},
    ): Promise<void> {
      const n = await usageCount(t);
      const apps = await applicationCount(t);
      await expect(run()).rejects.toMatchObject({ code, status });
      expect(await usageCount(t)).toBe(n + 1);
      expect(await lastUsage(t)).toMatchObject({ result: 'refused', code, ...extra });
      expect(await applicationCount(t)).toBe(apps);
    }

    it('no grant, expired grant, grant not yet valid, exhausted use count, revoked grant', async () => {
      const s = await t.admin.createSeal({ name: '矩阵测试章', organisation: { name: '示例局' } });
      const none = await t.newApp('no grant');
      await expectRefusal(
        () => none.client.applySeal({ sealId: s.id, pdf, positions }),
        'ERR_GRANT_NONE',
        403,
        { appId: none.appId, sealId: s.id },
      );
      const expired = await t.newApp('expired grant');
      await t.admin.createGrant(s.id, {
        appId: expired.appId,
        notBefore: '2020-01-01T00:00:00Z',
        notAfter: '2021-01-01T00:00:00Z',
      });
      await expectRefusal(
        () => expired.client.applySeal({ sealId: s.id, pdf, positions }),
        'ERR_GRANT_EXPIRED',
        403,
      );
      const future = await t.newApp('future grant');
      await t.admin.createGrant(s.id, {
        appId: future.appId,
        notBefore: '2099-01-01T00:00:00Z',
        notAfter: '2100-01-01T00:00:00Z',
      });
      await expectRefusal(
        () => future.client.applySeal({ sealId: s.id, pdf, positions }),
        'ERR_GRANT_NOT_YET_VALID',
        403,
      );
      const once = await t.newApp('one use');
      const g = await t.admin.createGrant(s.id, { appId: once.appId, maxUses: 1 });
      await once.client.applySeal({ sealId: s.id, pdf, positions });
      await expectRefusal(
        () => once.client.applySeal({ sealId: s.id, pdf, positions }),
        'ERR_GRANT_EXHAUSTED',
        403,
        { grantId: g.id },
      );
      expect((await t.admin.listGrants(s.id)).find((x) => x.id === g.id)?.usedCount).toBe(1);
      const revoked = await t.newApp('revoked grant');
      const rg = await t.admin.createGrant(s.id, { appId: revoked.appId });
      await t.admin.revokeGrant(rg.id);
      await expectRefusal(
        () => revoked.client.applySeal({ sealId: s.id, pdf, positions }),
        'ERR_GRANT_REVOKED',
        403,
      );
    });

    it('suspended, lost, cancelled and revoked seals', async () => {
      const cases = [
        ['suspend', 'ERR_SEAL_SUSPENDED'],
        ['report-loss', 'ERR_SEAL_LOST'],
        ['cancel', 'ERR_SEAL_CANCELLED'],
        ['revoke', 'ERR_SEAL_REVOKED'],
      ] as const;
      for (const [action, code] of cases) {
        const s = await t.admin.createSeal({
          name: `状态测试章 ${action}`,
          organisation: { name: '示例局' },
        });
        await t.admin.createGrant(s.id, { appId: user.appId });
        await t.admin.changeSealStatus(s.id, action);
        await expectRefusal(
          () => user.client.applySeal({ sealId: s.id, pdf, positions }),
          code,
          409,
          { sealId: s.id, appId: user.appId },
        );
      }
    });

    it('wrong secret, stale timestamp, replayed nonce, tampered body', async () => {
      const wrong = createGovTrustClient({
        baseUrl: t.url,
        appId: user.appId,
        secret: 'gts_not-the-secret',
      });
      await expectRefusal(
        () => wrong.applySeal({ sealId: seal.id, pdf, positions }),
        'ERR_AUTH_SIGNATURE',
        401,
        {
          appId: user.appId,
          authenticated: false,
        },
      );
      const stale = createGovTrustClient({
        baseUrl: t.url,
        appId: user.appId,
        secret: user.secret,
        now: () => new Date(Date.now() - 3_600_000),
      });
      await expectRefusal(
        () => stale.applySeal({ sealId: seal.id, pdf, positions }),
        'ERR_AUTH_TIMESTAMP',
        401,
        { authenticated: false },
      );
      // Capture one signed request and send it twice.
      let captured: { url: string; init: RequestInit } | undefined;
      const recorder = createGovTrustClient({
        baseUrl: t.url,
        appId: user.appId,
        secret: user.secret,
        fetch: (url, init) => {
          captured = { url: url instanceof Request ? url.url : url.toString(), init: init! };
          return fetch(url, init);
        },
      });
      await recorder.applySeal({ sealId: seal.id, pdf, positions });
      const replay = async (): Promise<never> => {
        const res = await fetch(captured!.url, captured!.init);
        const doc = (await res.json()) as { code: string };
        throw Object.assign(new Error(doc.code), { code: doc.code, status: res.status });
      };
      await expectRefusal(replay, 'ERR_AUTH_NONCE_REPLAYED', 401, { appId: user.appId });
      // Headers signed over one body, another body sent.
      const tamper = async (): Promise<never> => {
        const body = new Uint8Array(captured!.init.body as Uint8Array);
        const headers = {
          ...(captured!.init.headers as Record<string, string>),
          ...signRequest({
            appId: user.appId,
            secret: user.secret,
            method: 'POST',
            target: '/v1/seal-applications',
            body,
          }),
        };
        const changed = Buffer.from(body);
        const at = changed.indexOf('"x":20');
        changed.write('"x":90', at, 'latin1');
        const res = await fetch(captured!.url, { method: 'POST', headers, body: changed });
        const doc = (await res.json()) as { code: string };
        throw Object.assign(new Error(doc.code), { code: doc.code, status: res.status });
      };
      await expectRefusal(tamper, 'ERR_AUTH_BODY_DIGEST', 401, {
        appId: user.appId,
        authenticated: true,
      });
    });
  });

  it('bad input gets a 4xx with a code, a failed sealing gives the use back, and the server keeps serving', async () => {
    const s = await t.admin.createSeal({ name: '输入测试章', organisation: { name: '示例局' } });
    const app = await t.newApp('bad input');
    const g = await t.admin.createGrant(s.id, { appId: app.appId, maxUses: 100 });
    const good = makeDemoPdf({ pages: 2 });
    const positions = [{ type: 'page' as const, page: 1, x: 20, y: 20 }];
    await expect(
      app.client.applySeal({
        sealId: s.id,
        pdf: new TextEncoder().encode('not a pdf at all'),
        positions,
      }),
    ).rejects.toMatchObject({ code: 'ERR_PDF_PARSE', status: 422 });
    expect(await lastUsage(t)).toMatchObject({ result: 'failed', code: 'ERR_PDF_PARSE' });
    const plain = join(t.dataDir, 'plain.pdf');
    const enc = join(t.dataDir, 'enc.pdf');
    writeFileSync(plain, good);
    expect((await tool('qpdf', ['--encrypt', 'user', 'owner', '256', '--', plain, enc])).code).toBe(
      0,
    );
    await expect(
      app.client.applySeal({ sealId: s.id, pdf: new Uint8Array(readFileSync(enc)), positions }),
    ).rejects.toMatchObject({ code: 'ERR_PDF_ENCRYPTED', status: 422 });
    await expect(
      app.client.applySeal({ sealId: 'unknown', pdf: good, positions }),
    ).rejects.toMatchObject({ code: 'ERR_SEAL_NOT_FOUND', status: 404 });
    await expect(
      app.client.applySeal({
        sealId: s.id,
        pdf: good,
        positions: [{ type: 'page', page: 0, x: 1, y: 1 }],
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', status: 400 });
    await expect(
      app.client.applySeal({
        sealId: s.id,
        pdf: good,
        positions: [{ type: 'page', page: 9, x: 1, y: 1 }],
      }),
    ).rejects.toMatchObject({ code: 'ERR_PDF_PAGE_OUT_OF_RANGE', status: 422 });
    await expect(
      app.client.applySeal({
        sealId: s.id,
        pdf: good,
        positions: [{ type: 'keyword', keyword: '不存在的关键字' }],
      }),
    ).rejects.toMatchObject({ code: 'ERR_PDF_KEYWORD_NOT_FOUND', status: 422 });
    await expect(
      app.client.applySeal({ sealId: s.id, pdf: good, positions: [] }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    // Malformed JSON in the request part, and a form without the file part.
    const boundary = 'b0undary';
    const form = (parts: string): Uint8Array =>
      new TextEncoder().encode(parts.replace(/\n/g, '\r\n'));
    const broken = form(
      `--${boundary}\nContent-Disposition: form-data; name="request"\n\n{"sealId": \n--${boundary}--\n`,
    );
    const r1 = await app.client.request('POST', '/v1/seal-applications', {
      body: broken,
      contentType: `multipart/form-data; boundary=${boundary}`,
    });
    expect(r1.status).toBe(400);
    expect(JSON.parse(new TextDecoder().decode(r1.body))).toMatchObject({
      code: 'ERR_HTTP_MALFORMED_JSON',
    });
    const nofile = form(
      `--${boundary}\nContent-Disposition: form-data; name="request"\n\n${JSON.stringify({ sealId: s.id, positions })}\n--${boundary}--\n`,
    );
    const r2 = await app.client.request('POST', '/v1/seal-applications', {
      body: nofile,
      contentType: `multipart/form-data; boundary=${boundary}`,
    });
    expect(JSON.parse(new TextDecoder().decode(r2.body))).toMatchObject({
      code: 'ERR_HTTP_MULTIPART',
    });
    const r3 = await app.client.request('POST', '/v1/seal-applications', {
      json: { sealId: s.id },
    });
    expect(r3.status).toBe(415);
    // Uses were given back after every failure; a good application still works.
    expect((await t.admin.listGrants(s.id)).find((x) => x.id === g.id)?.usedCount).toBe(0);
    const ok = await app.client.sealPdf({ sealId: s.id, pdf: good, positions });
    expect((await pdfsig(nss, t.dataDir, ok.pdf, 'after-bad.pdf')).map((v) => v.valid)).toEqual([
      true,
    ]);
    expect((await fetch(`${t.url}/livez`)).status).toBe(200);
  });

  it('two-step signing: the session freezes the document and parameters, an external signer (callback) signs, completion seals', async () => {
    const orgA = join(DEV_PKI_DIR, 'p256', 'org-a');
    const chainPem = readFileSync(`${orgA}.chain.pem`, 'utf8');
    const chain = chainPem
      .split(/(?=-----BEGIN CERTIFICATE-----)/)
      .map((p) => parseCertificate(p).der);
    const external = await t.admin.createSeal({
      name: '示例市人民政府办公室（UKey）',
      organisation: { name: '示例市人民政府办公室' },
      key: {
        provider: 'external',
        certificateChain: chain.map((c) => Buffer.from(c).toString('base64')),
      },
    });
    await t.admin.createGrant(external.id, { appId: user.appId });
    // The "UKey": a key the server never sees.
    const ukey = createSigner(importPrivateKey(readFileSync(`${orgA}.key`, 'utf8')));
    const input = makeDemoPdf({ pages: 2 });
    let seen: { digestAlgorithm: string; digest: Uint8Array } | undefined;
    const pdf = await user.client.sealWithExternalSigner({
      sealId: external.id,
      pdf: input,
      position: { type: 'keyword', keyword: 'Seal here:' },
      level: 'B-T',
      bizId: 'UKEY-1',
      sign: async (req) => {
        seen = { digestAlgorithm: req.digestAlgorithm, digest: req.digest };
        expect(req.algorithm).toBe('ecdsa-sha256');
        return ukey.sign(req.toBeSigned);
      },
    });
    expect(seen?.digestAlgorithm).toBe('sha256');
    const verdicts = await pdfsig(nss, t.dataDir, pdf, 'two-step.pdf');
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatchObject({ valid: true, total: true });
    expect(await checkSignatures(t, pdf, external)).toBe(1);
    expect(await lastUsage(t)).toMatchObject({
      result: 'sealed',
      action: 'signing-session-complete',
      bizId: 'UKEY-1',
    });
    // A wrong signature is refused with its code; completing twice is 409; a server-key seal has no sessions.
    const session = await user.client.createSigningSession({
      sealId: external.id,
      pdf: input,
      position: { type: 'page', page: 1, x: 10, y: 10 },
    });
    const bad = await ukey.sign(new TextEncoder().encode('something else'));
    await expect(user.client.completeSigningSession(session.id, bad)).rejects.toMatchObject({
      code: 'ERR_SESSION_SIGNATURE',
      status: 422,
    });
    const good = await ukey.sign(new Uint8Array(Buffer.from(session.toBeSigned, 'base64')));
    const done = await user.client.completeSigningSession(session.id, good);
    expect(done.applicationId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(user.client.completeSigningSession(session.id, good)).rejects.toMatchObject({
      code: 'ERR_SESSION_COMPLETED',
      status: 409,
    });
    await expect(
      user.client.createSigningSession({
        sealId: seal.id,
        pdf: input,
        position: { type: 'page', page: 1, x: 10, y: 10 },
      }),
    ).rejects.toMatchObject({ code: 'ERR_SEAL_STATE' });
    const other = await t.newApp();
    await expect(other.client.completeSigningSession(session.id, good)).rejects.toMatchObject({
      code: 'ERR_SESSION_NOT_FOUND',
    });
  });

  it('50 concurrent applications: 50 sealed PDFs, 50 usage entries, the chain verifies (also with govtrust audit verify); tampering is detected', async () => {
    const s = await t.admin.createSeal({ name: '并发测试章', organisation: { name: '示例局' } });
    const app = await t.newApp('concurrent');
    const g = await t.admin.createGrant(s.id, { appId: app.appId, maxUses: 50 });
    const before = await usageCount(t);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        app.client.sealPdf({
          sealId: s.id,
          pdf: makeDemoPdf({ pages: 1, title: `Approval ${i}` }),
          positions: [{ type: 'page', page: 1, x: 20 + (i % 5) * 10, y: 30 }],
          bizId: `C-${i}`,
        }),
      ),
    );
    expect(new Set(results.map((r) => r.application.id)).size).toBe(50);
    expect(new Set(results.map((r) => hex(digest('sha256', r.pdf)))).size).toBe(50);
    expect(await usageCount(t)).toBe(before + 50);
    expect((await t.admin.listGrants(s.id)).find((x) => x.id === g.id)?.usedCount).toBe(50);
    await expect(
      app.client.applySeal({
        sealId: s.id,
        pdf: makeDemoPdf(),
        positions: [{ type: 'page', page: 1, x: 1, y: 1 }],
      }),
    ).rejects.toMatchObject({ code: 'ERR_GRANT_EXHAUSTED' });
    for (const r of results.slice(0, 3))
      expect((await pdfsig(nss, t.dataDir, r.pdf, 'c.pdf')).map((v) => v.valid)).toEqual([true]);
    const exportText = await t.admin.exportLog('usage');
    const { entries } = parseLogExport(exportText);
    expect(verifyLogChain(entries).valid).toBe(true);
    const own = await app.client.listUsage({ limit: 1000 });
    expect(own.items.filter((e) => e.entry.result === 'sealed')).toHaveLength(50);
    const file = join(t.dataDir, 'usage.ndjson');
    writeFileSync(file, exportText);
    expect((await cli('audit', 'verify', file)).code).toBe(0);
    const lines = exportText.trimEnd().split('\n');
    const variants: Record<string, string[]> = {
      changed: lines.map((l, i) =>
        i === 5
          ? l
              .replace('"result":"sealed"', '"result":"refused"')
              .replace('"result":"refused"', '"result":"failed"')
          : l,
      ),
      removed: lines.filter((_, i) => i !== 7),
      reordered: [...lines.slice(0, 3), lines[4]!, lines[3]!, ...lines.slice(5)],
    };
    for (const [what, v] of Object.entries(variants)) {
      writeFileSync(file, `${v.join('\n')}\n`);
      const r = await cli('audit', 'verify', file);
      expect(r.code, what).toBe(1);
      expect(r.stdout, what).toMatch(/INVALID/);
    }
    const head = await t.server.context.store.logHead('usage');
    writeFileSync(file, `${lines.slice(0, -1).join('\n')}\n`);
    expect((await cli('audit', 'verify', file, '--head', `${head!.seq}:${head!.hash}`)).code).toBe(
      1,
    );
  });

  it('a reply says in Server-Timing how long auth, body, authorisation, sealing and storing took', async () => {
    let header: string | null = null;
    const client = createGovTrustClient({
      baseUrl: t.url,
      appId: user.appId,
      secret: user.secret,
      fetch: async (input, init) => {
        const r = await fetch(input, init);
        header = r.headers.get('server-timing');
        return r;
      },
    });
    await client.applySeal({
      sealId: seal.id,
      pdf: makeDemoPdf({ pages: 1 }),
      positions: [{ type: 'page', page: 1, x: 120, y: 140 }],
    });
    const phases = parseServerTiming(header);
    expect(Object.keys(phases)).toEqual(['auth', 'body', 'authorise', 'seal', 'store', 'total']);
    expect(phases.seal).toBeGreaterThan(0);
    const parts = phases.auth! + phases.body! + phases.authorise! + phases.seal! + phases.store!;
    expect(phases.total).toBeGreaterThanOrEqual(parts - 0.05);
  });

  it('metrics count seal applications by result and show each seal key', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(/govtrust_seal_applications_total\{result="sealed",code=""\} \d+/);
    expect(text).toMatch(
      /govtrust_seal_applications_total\{result="refused",code="ERR_GRANT_NONE"\} 1/,
    );
    expect(text).toMatch(
      /govtrust_seal_applications_total\{result="failed",code="ERR_PDF_PARSE"\} 1/,
    );
    expect(text).toContain(`govtrust_seal_key_usable{seal="${seal.id}",status="active"} 1`);
    expect(text).toMatch(/govtrust_seal_key_usable\{seal="[^"]+",status="revoked"\} 0/);
    expect(text).toMatch(
      /govtrust_http_request_duration_seconds_count\{method="POST",route="\/v1\/seal-applications"\} \d+/,
    );
  });

  it('a restart keeps seals, grants, applications, results and the usage chain', async () => {
    const apps = await applicationCount(t);
    const head = await t.server.context.store.logHead('usage');
    const one = (await user.client.listUsage({ limit: 1 })).items[0]!;
    await t.stop();
    const t2 = await startTestServer({ dataDir: t.dataDir });
    try {
      expect(await applicationCount(t2)).toBe(apps);
      expect(await t2.server.context.store.logHead('usage')).toEqual(head);
      const again = t2.client(user.appId, user.secret);
      const id = String(one.entry.applicationId);
      const pdf = await again.downloadResult(id);
      const verdicts = await pdfsig(nss, t2.dataDir, pdf, 'restart.pdf');
      expect(verdicts.length).toBeGreaterThan(0);
      for (const v of verdicts) expect(v.valid).toBe(true);
      const more = await again.sealPdf({
        sealId: seal.id,
        pdf: makeDemoPdf(),
        positions: [{ type: 'page', page: 1, x: 50, y: 50 }],
      });
      expect(more.application.usageSeq).toBe(head!.seq + 1);
      const { entries } = parseLogExport(await t2.admin.exportLog('usage'));
      expect(verifyLogChain(entries).valid).toBe(true);
    } finally {
      await t2.stop();
    }
  });
});
