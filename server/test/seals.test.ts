// Seal lifecycle (国办发〔2025〕33号): make (GB/T 38540 seal verified, certificate chains to the dev root), suspend/resume, report loss, re-make, cancel, revoke; certificate status in OCSP and CRL; grants; the audit log chain.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SealView } from '@govtrust/core/client';
import {
  buildOcspRequest,
  createTrustStore,
  parseCertificate,
  parseCrl,
  parseOcspResponse,
  validatePath,
  type Certificate,
} from '@govtrust/core/pki';
import { parseSeal, verifySeal } from '@govtrust/core/seal';
import { parseLogExport, verifyLogChain } from '@govtrust/core/store';
import { DEV_PKI_DIR, startTestServer, type TestServer } from './helpers.js';

const der = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64'));
const devPem = (alg: string, name: string): string =>
  readFileSync(join(DEV_PKI_DIR, alg, `${name}.pem`), 'utf8');

describe('seal lifecycle', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  async function ocspStatus(seal: SealView): Promise<{ status: string; reason?: string }> {
    const cert = parseCertificate(der(seal.certificateChain[0]!));
    const issuer = parseCertificate(der(seal.certificateChain[1]!));
    const { der: req } = buildOcspRequest({ certificate: cert, issuer });
    const res = await fetch(`${t.url}/ocsp`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/ocsp-request' },
      body: req,
    });
    const single = parseOcspResponse(new Uint8Array(await res.arrayBuffer())).basic!.responses[0]!;
    return {
      status: single.status,
      ...(single.reason === undefined ? {} : { reason: single.reason }),
    };
  }

  async function crlLists(cert: Certificate): Promise<string | undefined> {
    const crl = parseCrl(
      new Uint8Array(await (await fetch(`${t.url}/crl/p256-intermediate.crl`)).arrayBuffer()),
    );
    return crl.find(cert.serialNumber)?.reason;
  }

  it('makes a seal: a valid GB/T 38540 seal by the SM2 seal maker, a certificate from the dev CA listing CRL/OCSP URLs', async () => {
    const seal = await t.admin.createSeal({
      name: '示例市市场监督管理局',
      organisation: { name: '示例市市场监督管理局', code: '11000000000000001Y' },
    });
    expect(seal).toMatchObject({
      status: 'active',
      generation: 1,
      key: { provider: 'software', algorithm: 'ecdsa-sha256' },
    });
    const leaf = parseCertificate(der(seal.certificateChain[0]!));
    expect(leaf.subject).toContain('示例市市场监督管理局');
    expect(leaf.extensions.crlDistributionPoints?.[0]).toMatch(/\/crl\/p256-intermediate\.crl$/);
    const path = await validatePath({
      certificate: leaf,
      intermediates: seal.certificateChain.slice(1).map(der),
      trust: createTrustStore([devPem('p256', 'root')]),
      at: new Date(),
      purpose: 'document-signing',
    });
    expect(path.status).toBe('valid');
    const report = await verifySeal(parseSeal(der(seal.sealData)), {
      trust: createTrustStore([devPem('sm2', 'root')]),
      intermediates: [parseCertificate(devPem('sm2', 'intermediate')).der],
      signerCertificate: leaf.der,
    });
    expect(report).toMatchObject({
      valid: true,
      esID: seal.esID,
      name: '示例市市场监督管理局',
      standard: true,
      trusted: true,
    });
    expect(report.picture.type).toBe('PNG');
    expect(await ocspStatus(seal)).toEqual({ status: 'good' });
    const pub = await (await fetch(`${t.url}/v1/seals/${seal.id}/status`)).json();
    expect(pub).toMatchObject({
      id: seal.id,
      status: 'active',
      generation: 1,
      certificateSerialNumber: leaf.serialNumber,
    });
  });

  it('suspend/resume, report loss (certificate revoked keyCompromise), re-make (new key and certificate), revoke (terminal)', async () => {
    const seal = await t.admin.createSeal({
      name: '示例市人民政府办公室',
      organisation: { name: '示例市人民政府办公室' },
    });
    expect((await t.admin.changeSealStatus(seal.id, 'suspend', { reason: '年检' })).status).toBe(
      'suspended',
    );
    await expect(t.admin.changeSealStatus(seal.id, 'suspend')).rejects.toMatchObject({
      code: 'ERR_SEAL_STATE',
      status: 409,
    });
    expect(await ocspStatus(seal)).toEqual({ status: 'good' });
    expect((await t.admin.changeSealStatus(seal.id, 'resume')).status).toBe('active');
    const lost = await t.admin.changeSealStatus(seal.id, 'report-loss', { reason: 'UKey 遗失' });
    expect(lost).toMatchObject({ status: 'lost', statusReason: 'UKey 遗失' });
    const oldCert = parseCertificate(der(seal.certificateChain[0]!));
    expect(await ocspStatus(seal)).toEqual({ status: 'revoked', reason: 'keyCompromise' });
    expect(await crlLists(oldCert)).toBe('keyCompromise');
    const remade = await t.admin.changeSealStatus(seal.id, 'remake');
    expect(remade).toMatchObject({ status: 'active', generation: 2, esID: seal.esID });
    expect(remade.certificate.serialNumber).not.toBe(seal.certificate.serialNumber);
    expect(await ocspStatus(remade)).toEqual({ status: 'good' });
    const s2 = parseSeal(der(remade.sealData));
    expect(s2.sealInfo.esID).toBe(seal.esID);
    const revoked = await t.admin.changeSealStatus(seal.id, 'revoke', { reason: '主管部门吊销' });
    expect(revoked.status).toBe('revoked');
    expect(await ocspStatus(remade)).toEqual({ status: 'revoked', reason: 'privilegeWithdrawn' });
    for (const action of ['resume', 'suspend', 'remake', 'cancel'] as const)
      await expect(t.admin.changeSealStatus(seal.id, action)).rejects.toMatchObject({
        code: 'ERR_SEAL_STATE',
      });
    const pub = (await (await fetch(`${t.url}/v1/seals/${seal.id}/status`)).json()) as {
      status: string;
      generation: number;
    };
    expect(pub).toMatchObject({ status: 'revoked', generation: 2 });
  });

  it('cancel revokes the certificate (cessationOfOperation); unknown seals are 404', async () => {
    const seal = await t.admin.createSeal({
      name: '示例合同专用章',
      organisation: { name: '示例公司' },
      key: { provider: 'generate', algorithm: 'rsa' },
    });
    expect(seal.key.algorithm).toBe('rsa-pkcs1-sha256');
    expect((await t.admin.changeSealStatus(seal.id, 'cancel')).status).toBe('cancelled');
    const res = await fetch(`${t.url}/crl/rsa-intermediate.crl`);
    const crl = parseCrl(new Uint8Array(await res.arrayBuffer()));
    expect(crl.find(seal.certificate.serialNumber)?.reason).toBe('cessationOfOperation');
    await expect(t.admin.getSeal('no-such-seal')).rejects.toMatchObject({
      code: 'ERR_SEAL_NOT_FOUND',
      status: 404,
    });
    expect((await fetch(`${t.url}/v1/seals/no-such-seal/status`)).status).toBe(404);
  });

  it('an external key (UKey): the uploaded certificate goes into the seal; re-make is refused', async () => {
    const chain = readFileSync(join(DEV_PKI_DIR, 'p256', 'org-b.chain.pem'), 'utf8');
    const certs = chain
      .split(/(?=-----BEGIN CERTIFICATE-----)/)
      .map((p) => Buffer.from(p.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64'));
    const seal = await t.admin.createSeal({
      name: '法定代表人名章',
      type: 5,
      organisation: { name: '示例公司' },
      key: { provider: 'external', certificateChain: certs },
    });
    expect(seal.key.provider).toBe('external');
    expect(seal.certificate.subject).toContain('示例市市场监督管理局');
    await expect(t.admin.changeSealStatus(seal.id, 'remake')).rejects.toMatchObject({
      code: 'ERR_SEAL_STATE',
    });
  });

  it('grants: created, listed and revoked by admins; unknown app or seal refused', async () => {
    const seal = await t.admin.createSeal({
      name: '示例业务专用章',
      type: 4,
      organisation: { name: '示例局' },
    });
    const { appId, client } = await t.newApp();
    const g = await t.admin.createGrant(seal.id, { appId, maxUses: 3 });
    expect(g).toMatchObject({ sealId: seal.id, appId, maxUses: 3, usedCount: 0, status: 'active' });
    expect((await t.admin.listGrants(seal.id)).map((x) => x.id)).toEqual([g.id]);
    const own = await client.request('GET', '/v1/grants');
    expect(JSON.parse(new TextDecoder().decode(own.body))).toMatchObject({ items: [{ id: g.id }] });
    expect((await t.admin.revokeGrant(g.id, { reason: '岗位调整' })).status).toBe('revoked');
    await expect(t.admin.createGrant(seal.id, { appId: 'app_nobody' })).rejects.toMatchObject({
      code: 'ERR_APP_NOT_FOUND',
    });
    await expect(t.admin.createGrant('nope', { appId })).rejects.toMatchObject({
      code: 'ERR_SEAL_NOT_FOUND',
    });
    await expect(
      t.admin.createGrant(seal.id, {
        appId,
        notBefore: '2027-01-01T00:00:00Z',
        notAfter: '2026-01-01T00:00:00Z',
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(t.admin.revokeGrant('grt_none')).rejects.toMatchObject({
      code: 'ERR_GRANT_NOT_FOUND',
    });
  });

  it('admin events are in the hash-chained audit log, which verifies offline', async () => {
    const text = new TextDecoder().decode(
      (await t.admin.request('GET', '/v1/audit-events/export')).body,
    );
    const { header, entries } = parseLogExport(text);
    expect(header.log).toBe('audit');
    const actions = entries.map((e) => (e.entry as { action: string }).action);
    for (const a of [
      'app.created',
      'seal.created',
      'seal.suspend',
      'seal.resume',
      'seal.report-loss',
      'seal.remake',
      'seal.revoke',
      'seal.cancel',
      'grant.created',
      'grant.revoked',
      'app.secret-rotated',
    ].filter((x) => x !== 'app.secret-rotated'))
      expect(actions, a).toContain(a);
    expect(verifyLogChain(entries).valid).toBe(true);
  });
});
