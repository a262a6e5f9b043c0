import { beforeAll, describe, expect, it } from 'vitest';
import { createSigner, generateKeyPair, type PrivateKey, type Signer } from '@govtrust/core/crypto';
import {
  buildOcspRequest,
  createCertificateStatusRegistry,
  createCompositeRevocationSource,
  createCrl,
  createCrlRevocationSource,
  createEmbeddedRevocationSource,
  createOcspResponder,
  createOcspRevocationSource,
  createTrustStore,
  issueCertificate,
  prepareCertificate,
  validatePath,
  type Certificate,
  type IssueCertificateOptions,
  type PathValidationReport,
} from '@govtrust/core/pki';
import { DEV_PKI_NOW, devTrustStore, loadDevCrl, loadDevIdentity } from '../helpers/dev-pki.js';

const Y2025 = new Date('2025-01-01T00:00:00Z');
const Y2035 = new Date('2035-01-01T00:00:00Z');
const AT = new Date('2027-03-01T12:00:00Z');

interface Ca {
  cert: Certificate;
  signer: Signer;
  key: PrivateKey;
}

async function makeCa(
  subject: string,
  issuer?: Ca,
  extra: Partial<IssueCertificateOptions> = {},
): Promise<Ca> {
  const { privateKey, publicKey } = generateKeyPair('p256');
  const cert = await issueCertificate({
    profile: issuer === undefined ? 'root-ca' : 'intermediate-ca',
    subject,
    publicKey,
    ...(issuer === undefined
      ? { signer: createSigner(privateKey) }
      : { issuer: { certificate: issuer.cert, signer: issuer.signer } }),
    notBefore: Y2025,
    notAfter: Y2035,
    ...extra,
  });
  return {
    cert,
    key: privateKey,
    signer: createSigner(privateKey, { certificateChain: [cert.der] }),
  };
}

async function makeLeaf(
  issuer: Ca,
  extra: Partial<IssueCertificateOptions> = {},
): Promise<Certificate> {
  const { publicKey } = generateKeyPair('p256');
  return issueCertificate({
    profile: 'seal-holder',
    subject: extra.subject ?? 'CN=Leaf,O=示例单位,C=CN',
    publicKey,
    issuer: { certificate: issuer.cert, signer: issuer.signer },
    notBefore: Y2025,
    notAfter: Y2035,
    ...extra,
  });
}

const codes = (r: PathValidationReport): string[] => r.errors.map((e) => e.code);

describe('validatePath (RFC 5280 clause 6)', () => {
  let root: Ca;
  let inter: Ca;
  let leaf: Certificate;
  beforeAll(async () => {
    root = await makeCa('CN=Path Root,C=CN', undefined, { pathLength: 1 });
    inter = await makeCa('CN=Path Issuing CA,C=CN', root);
    leaf = await makeLeaf(inter);
  });
  const trust = () => createTrustStore([root.cert]);

  it('a good chain is valid; the report lists the chain end first, anchor last', async () => {
    const r = await validatePath({
      certificate: leaf,
      intermediates: [inter.cert],
      trust: trust(),
      at: AT,
      purpose: 'document-signing',
    });
    expect(r).toMatchObject({
      status: 'valid',
      trusted: true,
      revocation: 'not-checked',
      errors: [],
      warnings: [],
    });
    expect(r.chain.map((c) => c.subjectCommonName)).toEqual([
      'Leaf',
      'Path Issuing CA',
      'Path Root',
    ]);
    // Intermediates may come as DER, in any order, with noise.
    const r2 = await validatePath({
      certificate: leaf.der,
      intermediates: [loadDevIdentity('rsa', 'root').certificate.der, inter.cert.der],
      trust: trust(),
      at: AT,
    });
    expect(r2.status).toBe('valid');
  });

  it('each failure has its own stable code', async () => {
    const found = new Map<string, PathValidationReport>();
    const run = async (
      name: string,
      options: Partial<Parameters<typeof validatePath>[0]> & { certificate: Certificate },
    ) => {
      const r = await validatePath({
        intermediates: [inter.cert],
        trust: trust(),
        at: AT,
        ...options,
      });
      found.set(name, r);
      return r;
    };
    // Expired and not yet valid: validated outside the window.
    const shortLived = await makeLeaf(inter, {
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2026-12-31T00:00:00Z'),
    });
    expect(codes(await run('expired', { certificate: shortLived }))).toEqual(['ERR_PATH_EXPIRED']);
    expect(
      codes(
        await run('not yet valid', {
          certificate: shortLived,
          at: new Date('2025-06-01T00:00:00Z'),
        }),
      ),
    ).toEqual(['ERR_PATH_NOT_YET_VALID']);
    // Wrong EKU: a TSA certificate used to sign documents, a seal-holder certificate used as a TSA.
    const tsaKey = generateKeyPair('p256');
    const tsaCert = await issueCertificate({
      profile: 'tsa',
      subject: 'CN=TSA',
      publicKey: tsaKey.publicKey,
      issuer: { certificate: inter.cert, signer: inter.signer },
      notBefore: Y2025,
      notAfter: Y2035,
    });
    expect(
      codes(await run('wrong eku', { certificate: tsaCert, purpose: 'document-signing' })),
    ).toEqual(['ERR_PATH_EKU']);
    expect(
      codes(await run('wrong eku 2', { certificate: leaf, purpose: 'time-stamping' })),
    ).toEqual(['ERR_PATH_EKU']);
    // Wrong key usage: an encryption-only certificate used to sign.
    const encOnly = await makeLeaf(inter, { profile: 'custom', keyUsage: ['keyEncipherment'] });
    expect(
      codes(await run('wrong key usage', { certificate: encOnly, purpose: 'document-signing' })),
    ).toEqual(['ERR_PATH_KEY_USAGE']);
    // CA:false intermediate: a seal-holder certificate that signed another certificate.
    const eeKey = generateKeyPair('p256');
    const ee = await makeLeaf(inter, { subject: 'CN=Not a CA', publicKey: eeKey.publicKey });
    const underEe = prepareCertificate({
      profile: 'seal-holder',
      subject: 'CN=Under EE',
      publicKey: generateKeyPair('p256').publicKey,
      issuer: { certificate: ee, signer: createSigner(eeKey.privateKey) },
      notBefore: Y2025,
      notAfter: Y2035,
    });
    const underEeCert = underEe.finish(await createSigner(eeKey.privateKey).sign(underEe.tbs));
    const notCa = await run('ca:false', {
      certificate: underEeCert,
      intermediates: [ee, inter.cert],
    });
    // The end entity also counts as one more intermediate against both pathLen constraints above it.
    expect(codes(notCa)).toEqual([
      'ERR_PATH_NOT_CA',
      'ERR_PATH_KEY_USAGE',
      'ERR_PATH_LENGTH',
      'ERR_PATH_LENGTH',
    ]);
    expect(notCa.errors[0]!.certificateIndex).toBe(1);
    // Path too long: the root allows one intermediate below it; this chain has two.
    const inter2 = await makeCa('CN=Second tier,C=CN', inter, {
      pathLength: 0,
      profile: 'custom',
      ca: true,
      keyUsage: ['keyCertSign', 'cRLSign'],
    });
    const deep = await makeLeaf(inter2);
    // The first intermediate (pathLen 0 by default) is exceeded too: both say so, each at its index.
    const long = await run('path length', {
      certificate: deep,
      intermediates: [inter2.cert, inter.cert],
    });
    expect(codes(long)).toEqual(['ERR_PATH_LENGTH', 'ERR_PATH_LENGTH']);
    expect(long.errors.map((e) => e.certificateIndex)).toEqual([2, 3]);
    // Unknown issuer (no intermediate given), untrusted root, bad signature, unknown critical extension.
    const unknown = await run('unknown issuer', { certificate: leaf, intermediates: [] });
    expect(codes(unknown)).toEqual(['ERR_PATH_UNKNOWN_ISSUER']);
    expect(unknown).toMatchObject({ status: 'indeterminate', trusted: false });
    const untrusted = await run('untrusted root', {
      certificate: leaf,
      trust: devTrustStore(),
      intermediates: [inter.cert, root.cert],
    });
    expect(codes(untrusted)).toEqual(['ERR_PATH_UNTRUSTED_ROOT']);
    const forged = prepareCertificate({
      profile: 'seal-holder',
      subject: 'CN=Forged',
      publicKey: generateKeyPair('p256').publicKey,
      issuer: { certificate: inter.cert, signer: inter.signer },
      notBefore: Y2025,
      notAfter: Y2035,
    });
    const forgedCert = forged.finish(
      await createSigner(generateKeyPair('p256').privateKey).sign(forged.tbs),
    );
    const bad = await run('bad signature', { certificate: forgedCert });
    expect(codes(bad)).toEqual(['ERR_PATH_BAD_SIGNATURE']);
    expect(bad).toMatchObject({ status: 'invalid', trusted: false });
    const critical = await makeLeaf(inter, {
      extraExtensions: [{ oid: '1.2.3.4.5', critical: true, value: Uint8Array.of(5, 0) }],
    });
    expect(codes(await run('critical extension', { certificate: critical }))).toEqual([
      'ERR_PATH_CRITICAL_EXTENSION',
    ]);
    // Revoked via CRL and via OCSP (the OCSP responder answers in-process through an injected fetch).
    const crl = await createCrl({
      issuer: { certificate: inter.cert, signer: inter.signer },
      thisUpdate: new Date('2027-01-01T00:00:00Z'),
      nextUpdate: new Date('2027-06-01T00:00:00Z'),
      crlNumber: 7n,
      entries: [
        {
          serialNumber: leaf,
          revocationDate: new Date('2026-05-01T00:00:00Z'),
          reason: 'superseded',
        },
      ],
    });
    const rootCrl = await createCrl({
      issuer: { certificate: root.cert, signer: root.signer },
      thisUpdate: new Date('2027-01-01T00:00:00Z'),
      nextUpdate: new Date('2027-06-01T00:00:00Z'),
      crlNumber: 1n,
    });
    const viaCrl = await run('revoked crl', {
      certificate: leaf,
      revocation: createCrlRevocationSource({ crls: [crl, rootCrl] }),
    });
    expect(codes(viaCrl)).toEqual(['ERR_PATH_REVOKED_CRL']);
    expect(viaCrl).toMatchObject({ revocation: 'revoked', revocationReason: 'superseded' });
    const registry = createCertificateStatusRegistry();
    registry.add(leaf);
    registry.add(inter.cert);
    registry.revoke(leaf, { at: new Date('2026-05-01T00:00:00Z'), reason: 'cessationOfOperation' });
    const responder = createOcspResponder({
      signer: inter.signer,
      issuers: [inter.cert, { certificate: root.cert, signer: root.signer }],
      lookup: registry.lookup,
      now: () => AT,
    });
    const fakeFetch = (async (_url: unknown, init?: { body?: unknown }) =>
      new Response(
        Buffer.from(await responder.handleRequest(init!.body as Uint8Array)),
      )) as typeof fetch;
    const ocsp = createOcspRevocationSource({ url: 'http://ocsp.invalid/', fetch: fakeFetch });
    const viaOcsp = await run('revoked ocsp', {
      certificate: leaf,
      revocation: ocsp,
      revocationRequired: true,
    });
    expect(codes(viaOcsp)).toEqual(['ERR_PATH_REVOKED_OCSP']);
    expect(viaOcsp).toMatchObject({
      revocation: 'revoked',
      revocationReason: 'cessationOfOperation',
    });
    expect(viaOcsp.revokedAt?.toISOString()).toBe('2026-05-01T00:00:00.000Z');
    // Revocation required but no answer: indeterminate.
    const noData = await run('no revocation data', { certificate: leaf, revocationRequired: true });
    expect(codes(noData)).toEqual(['ERR_PATH_REVOCATION_UNKNOWN']);
    expect(noData.status).toBe('indeterminate');

    const firstCodes = [...found.values()].map((r) => r.errors[0]!.code);
    expect(new Set(firstCodes)).toEqual(
      new Set([
        'ERR_PATH_EXPIRED',
        'ERR_PATH_NOT_YET_VALID',
        'ERR_PATH_EKU',
        'ERR_PATH_KEY_USAGE',
        'ERR_PATH_NOT_CA',
        'ERR_PATH_LENGTH',
        'ERR_PATH_UNKNOWN_ISSUER',
        'ERR_PATH_UNTRUSTED_ROOT',
        'ERR_PATH_BAD_SIGNATURE',
        'ERR_PATH_CRITICAL_EXTENSION',
        'ERR_PATH_REVOKED_CRL',
        'ERR_PATH_REVOKED_OCSP',
        'ERR_PATH_REVOCATION_UNKNOWN',
      ]),
    );
  });

  it('a chain valid at a past time is valid when validated at that time (expiry and revocation after it)', async () => {
    const cert = await makeLeaf(inter, {
      notBefore: new Date('2025-02-01T00:00:00Z'),
      notAfter: new Date('2025-12-31T00:00:00Z'),
    });
    const crl = await createCrl({
      issuer: { certificate: inter.cert, signer: inter.signer },
      thisUpdate: new Date('2026-03-01T00:00:00Z'),
      nextUpdate: new Date('2026-04-01T00:00:00Z'),
      crlNumber: 2n,
      entries: [
        {
          serialNumber: cert,
          revocationDate: new Date('2025-09-01T00:00:00Z'),
          reason: 'keyCompromise',
        },
      ],
    });
    const rootCrl = await createCrl({
      issuer: { certificate: root.cert, signer: root.signer },
      thisUpdate: new Date('2026-03-01T00:00:00Z'),
      nextUpdate: new Date('2026-04-01T00:00:00Z'),
      crlNumber: 2n,
    });
    const revocation = createCrlRevocationSource({ crls: [crl, rootCrl] });
    const at = (iso: string) =>
      validatePath({
        certificate: cert,
        intermediates: [inter.cert],
        trust: trust(),
        at: new Date(iso),
        revocation,
        revocationRequired: true,
        purpose: 'document-signing',
      });
    const then = await at('2025-06-15T00:00:00Z');
    expect(then).toMatchObject({ status: 'valid', revocation: 'good', errors: [] });
    expect(codes(await at('2025-10-01T00:00:00Z'))).toEqual(['ERR_PATH_REVOKED_CRL']);
    expect(codes(await at('2026-03-15T00:00:00Z'))).toEqual([
      'ERR_PATH_EXPIRED',
      'ERR_PATH_REVOKED_CRL',
    ]);
    // After the CRL's nextUpdate nothing current is known any more.
    const late = await at('2026-05-01T00:00:00Z');
    expect(codes(late)).toContain('ERR_PATH_REVOCATION_UNKNOWN');
  });

  it('revocation sources: embedded CRLs and OCSP responses, composite order, and what a bad CRL says', async () => {
    const registry = createCertificateStatusRegistry();
    registry.add(leaf);
    const responder = createOcspResponder({
      signer: inter.signer,
      issuers: [inter.cert],
      lookup: registry.lookup,
      now: () => AT,
    });
    const ocspDer = await responder.handleRequest(
      buildOcspRequest({ certificate: leaf, issuer: inter.cert, nonce: false }).der,
    );
    const rootCrl = await createCrl({
      issuer: { certificate: root.cert, signer: root.signer },
      thisUpdate: AT,
      nextUpdate: Y2035,
      crlNumber: 3n,
    });
    const embedded = createEmbeddedRevocationSource({
      ocspResponses: [ocspDer, Uint8Array.of(1, 2, 3)],
      crls: [rootCrl],
    });
    const r = await validatePath({
      certificate: leaf,
      intermediates: [inter.cert],
      trust: trust(),
      at: AT,
      revocation: embedded,
      revocationRequired: true,
    });
    expect(r).toMatchObject({ status: 'valid', revocation: 'good' });
    expect(
      r.revocationDetails?.map((d) => (d.status === 'unknown' ? 'unknown' : d.source)),
    ).toEqual(['ocsp', 'crl']);
    // A CRL signed by another key is not evidence: unknown, then the composite falls through to OCSP.
    const otherKey = createSigner(generateKeyPair('p256').privateKey);
    const forgedCrl = await createCrl({
      issuer: { certificate: inter.cert, signer: otherKey },
      thisUpdate: AT,
      nextUpdate: Y2035,
      crlNumber: 9n,
      entries: [{ serialNumber: leaf, revocationDate: Y2025 }],
    });
    const crlOnly = createCrlRevocationSource({ crls: [forgedCrl] });
    const s = await crlOnly.check(leaf, inter.cert, AT);
    expect(s).toMatchObject({ status: 'unknown', issues: [{ code: 'ERR_CRL_SIGNATURE_INVALID' }] });
    const composite = createCompositeRevocationSource([
      crlOnly,
      createEmbeddedRevocationSource({ ocspResponses: [ocspDer] }),
    ]);
    expect(await composite.check(leaf, inter.cert, AT)).toMatchObject({
      status: 'good',
      source: 'ocsp',
    });
  });

  it('SM2 and RSA dev chains validate; a renewed intermediate with the same name is chosen by key', async () => {
    for (const alg of ['sm2', 'rsa'] as const) {
      const id = loadDevIdentity(alg, 'seal-maker');
      const r = await validatePath({
        certificate: id.certificate,
        intermediates: id.certificateChain,
        trust: devTrustStore(),
        at: DEV_PKI_NOW,
        purpose: 'seal-making',
        revocation: createCrlRevocationSource({
          crls: [loadDevCrl(alg, 'intermediate'), loadDevCrl(alg, 'root')],
        }),
      });
      expect(r).toMatchObject({ status: 'valid', revocation: 'good' });
    }
    const renewed = await makeCa('CN=Path Issuing CA,C=CN', root);
    const child = await makeLeaf(renewed);
    const r = await validatePath({
      certificate: child,
      intermediates: [inter.cert, renewed.cert],
      trust: trust(),
      at: AT,
    });
    expect(r.status).toBe('valid');
    expect(r.chain[1]!.equals(renewed.cert)).toBe(true);
  });
});
