/**
 * Signed licence data files: signed by the dev licence issuer (SM2, P-256, RSA), verified with the
 * dev root; status from the registry and from signed status lists; tampering, a swapped signature,
 * another issuer and an untrusted root give reports with codes; unusable input throws.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createLicenceRegistry,
  licenceCollections,
  licenceLogs,
  loadLicenceTypes,
  parseSignedLicence,
  registryStatusSource,
  serializeSignedLicence,
  signLicenceData,
  statusListSource,
  verifySignedLicenceData,
  verifyStatusListSignature,
  type LicenceData,
  type LicenceRegistry,
  type LicenceType,
} from '@govtrust/core/licence';
import { createMemoryStore, defineSchema } from '@govtrust/core/store';
import { DEV_PKI_NOW, devTrustStore, loadDevIdentity } from '../helpers/dev-pki.js';
import { sampleLicence, TYPES_DIR } from './samples.js';

const schema = defineSchema({ collections: licenceCollections, logs: licenceLogs });
const NOW = DEV_PKI_NOW; // 2026-06-01, inside the dev certificates and the sample validity
const later = (m: number): Date => new Date(NOW.getTime() + m * 60_000);

let registry: LicenceRegistry;
let types: LicenceType[];
let data: LicenceData;

beforeEach(async () => {
  registry = createLicenceRegistry({
    store: createMemoryStore(schema),
    statusListBaseUrl: 'https://zzk.example.gov.cn/v1/status-lists',
  });
  types = await loadLicenceTypes(TYPES_DIR);
  for (const t of types) await registry.putType(t);
  data = (await registry.addLicence(sampleLicence('food-business-licence'), { now: NOW })).data;
});

describe('signed licence data', () => {
  for (const alg of ['sm2', 'p256', 'rsa'] as const) {
    it(`verifies as valid (result 0) when signed by the ${alg} licence issuer and trusted`, async () => {
      const issuer = loadDevIdentity(alg, 'licence-issuer');
      const signed = await signLicenceData(data, { signer: issuer.signer });
      const file = serializeSignedLicence(signed);
      const report = await verifySignedLicenceData(new TextEncoder().encode(file), {
        trust: devTrustStore(alg),
        now: later(1),
        types,
        statusSource: registryStatusSource(registry),
      });
      expect(report).toMatchObject({
        status: 'valid',
        result: 0,
        resultMessage: '信息正确且有效',
        licenceStatus: 'valid',
        errors: [],
      });
      expect(report.checks.map((c) => [c.name, c.status])).toEqual([
        ['data', 'passed'],
        ['type', 'passed'],
        ['signature', 'passed'],
        ['certificate', 'passed'],
        ['issuer-binding', 'indeterminate'],
        ['validity', 'passed'],
        ['status', 'passed'],
      ]);
      expect(report.signer?.subject).toContain('DEV ONLY');
      expect(report.warnings.map((w) => w.code)).toContain('ERR_LICENCE_ISSUER_BINDING');
    });
  }

  it('follows the status: suspended (2), resumed (0), revoked (3), from the registry and from freshly published lists', async () => {
    const issuer = loadDevIdentity('p256', 'licence-issuer');
    const signed = await signLicenceData(data, { signer: issuer.signer });
    const trust = devTrustStore('p256');
    const viaLists = async (now: Date) => {
      const lists = [];
      for (const purpose of ['revocation', 'suspension'] as const) {
        const list = await registry.publishStatusList(data.issuer.code, 1, purpose, {
          now,
          signer: issuer.signer,
        });
        expect(list.proof.format).toBe('cms');
        expect(
          await verifyStatusListSignature(list, { publicKey: issuer.certificate.publicKey }),
        ).toBe(true);
        lists.push(list.credential);
      }
      return verifySignedLicenceData(signed, { trust, now, statusSource: statusListSource(lists) });
    };
    const viaRegistry = (now: Date) =>
      verifySignedLicenceData(signed, { trust, now, statusSource: registryStatusSource(registry) });
    await registry.changeStatus(data.identifier, 'suspend', {
      reasonCode: 'suspend.penalty',
      now: later(2),
    });
    expect(await viaRegistry(later(3))).toMatchObject({
      status: 'valid',
      result: 2,
      licenceStatus: 'suspended',
    });
    expect(await viaLists(later(3))).toMatchObject({
      status: 'valid',
      result: 2,
      licenceStatus: 'suspended',
    });
    await registry.changeStatus(data.identifier, 'resume', {
      reasonCode: 'resume.period-ended',
      now: later(4),
    });
    expect(await viaRegistry(later(5))).toMatchObject({ result: 0, licenceStatus: 'valid' });
    expect(await viaLists(later(5))).toMatchObject({ result: 0, licenceStatus: 'valid' });
    await registry.changeStatus(data.identifier, 'revoke', {
      reasonCode: 'revoke.penalty',
      now: later(6),
    });
    expect(await viaRegistry(later(7))).toMatchObject({
      status: 'valid',
      result: 3,
      licenceStatus: 'revoked',
    });
    expect(await viaLists(later(7))).toMatchObject({
      status: 'valid',
      result: 3,
      licenceStatus: 'revoked',
    });
  });

  it('reports an expired licence (3), an unknown one (5), and warns when no status source is given', async () => {
    const issuer = loadDevIdentity('sm2', 'licence-issuer');
    const signed = await signLicenceData(data, { signer: issuer.signer });
    const trust = devTrustStore('sm2');
    const expired = await verifySignedLicenceData(signed, {
      trust,
      now: new Date('2030-04-08T00:00:00Z'),
      statusSource: registryStatusSource(registry),
    });
    // The dev certificates stay valid until 2045: only the licence has expired.
    expect(expired).toMatchObject({ result: 3, licenceStatus: 'expired' });
    expect(expired.checks.find((c) => c.name === 'validity')).toMatchObject({
      status: 'failed',
      code: 'ERR_LICENCE_EXPIRED',
    });
    const other = createLicenceRegistry({
      store: createMemoryStore(schema),
      statusListBaseUrl: 'https://x.invalid',
    });
    expect(
      await verifySignedLicenceData(signed, {
        trust,
        now: later(1),
        statusSource: registryStatusSource(other),
      }),
    ).toMatchObject({
      status: 'valid',
      result: 5,
    });
    const noSource = await verifySignedLicenceData(signed, { trust, now: later(1) });
    expect(noSource).toMatchObject({ status: 'valid', result: 0 });
    expect(noSource.warnings.map((w) => w.code)).toContain('ERR_LICENCE_STATUS_NOT_CHECKED');
  });

  it('finds a changed face field, a swapped signature, another issuer and an untrusted root', async () => {
    const issuer = loadDevIdentity('sm2', 'licence-issuer');
    const trust = devTrustStore('sm2');
    const signed = await signLicenceData(data, { signer: issuer.signer });
    const opts = { trust, now: later(1), statusSource: registryStatusSource(registry) };

    const edited = {
      ...signed,
      data: {
        ...signed.data,
        fields: { ...signed.data.fields, businessItems: '全部食品经营项目' },
      },
    };
    const r1 = await verifySignedLicenceData(edited, opts);
    expect(r1).toMatchObject({
      status: 'invalid',
      result: 7,
      resultMessage: '部分信息有误或不完整',
    });
    expect(r1.errors.map((e) => e.code)).toEqual(['ERR_LICENCE_SIGNATURE_INVALID']);

    const otherData = (await registry.addLicence(sampleLicence('business-licence'), { now: NOW }))
      .data;
    const otherSigned = await signLicenceData(otherData, { signer: issuer.signer });
    const swapped = { ...signed, signature: otherSigned.signature };
    expect((await verifySignedLicenceData(swapped, opts)).errors.map((e) => e.code)).toEqual([
      'ERR_LICENCE_SIGNATURE_INVALID',
    ]);

    // Signed with a time-stamping certificate: its extended key usage is not for licence signing.
    const wrongRole = await signLicenceData(data, {
      signer: loadDevIdentity('sm2', 'tsa').signer,
    });
    const r3 = await verifySignedLicenceData(wrongRole, opts);
    expect(r3.status).not.toBe('valid');
    expect(r3.checks.find((c) => c.name === 'certificate')?.code).toBe(
      'ERR_LICENCE_ISSUER_UNTRUSTED',
    );

    // Trusting only another hierarchy.
    const r4 = await verifySignedLicenceData(signed, { ...opts, trust: devTrustStore('rsa') });
    expect(r4.status).not.toBe('valid');
    expect(r4.result).not.toBe(0);
    expect(r4.checks.find((c) => c.name === 'certificate')?.code).toBe(
      'ERR_LICENCE_ISSUER_UNTRUSTED',
    );

    // Data that does not fit its type (checked when types are given) is invalid even if signed.
    const misfit = await signLicenceData(
      { ...data, fields: { ...data.fields, operatorType: '批发' } },
      { signer: issuer.signer },
    );
    const r5 = await verifySignedLicenceData(misfit, { ...opts, types });
    expect(r5).toMatchObject({ status: 'invalid', result: 7 });
    expect(r5.errors.map((e) => e.code)).toEqual(['ERR_LICENCE_FIELD_INVALID']);
  });

  it('throws only for unusable input', async () => {
    const trust = devTrustStore('sm2');
    for (const bad of [
      'not json',
      '{}',
      JSON.stringify({ format: 'govtrust-signed-licence/1', data: {} }),
      JSON.stringify({ format: 'x' }),
    ]) {
      await expect(verifySignedLicenceData(bad, { trust })).rejects.toMatchObject({
        code: 'ERR_LICENCE_SIGNED_FORMAT',
      });
    }
    const signed = await signLicenceData(data, {
      signer: loadDevIdentity('sm2', 'licence-issuer').signer,
    });
    expect(parseSignedLicence(serializeSignedLicence(signed))).toEqual(signed);
    const garbage = { ...signed, signature: { format: 'cms' as const, value: 'AAAA' } };
    expect(
      (await verifySignedLicenceData(garbage, { trust, now: later(1) })).errors.map((e) => e.code),
    ).toEqual(['ERR_LICENCE_SIGNATURE_INVALID']);
  });
});
