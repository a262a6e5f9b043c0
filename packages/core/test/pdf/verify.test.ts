/**
 * verifySealedPdf on GovTrust's own sealed outputs: every algorithm (RSA PKCS#1 v1.5, RSA-PSS,
 * ECDSA P-256, Ed25519, SM2), B-B and B-T, several seals, riding seals, certification. Each is
 * `valid` with the dev root as trust anchor and `indeterminate` (untrusted) without it, with the
 * report shape of DESIGN.md section 4.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createSigner, digest, generateKeyPair, type Signer } from '../../src/crypto/index.js';
import {
  parsePdfDate,
  sealPdf,
  verifySealedPdf,
  type SealPdfOptions,
} from '../../src/pdf/index.js';
import {
  createCrlRevocationSource,
  createTimeStampAuthority,
  issueCertificate,
  parseCertificate,
} from '../../src/pki/index.js';
import {
  DEV_PKI_NOW,
  devTrustStore,
  loadDevCrl,
  loadDevIdentity,
  type DevAlgorithm,
} from '../helpers/dev-pki.js';
import { hasTool, run, tempDir } from '../helpers/tools.js';
import { makePdf, redSealPng, withObjectStreams } from './helpers.js';

const png = redSealPng(96);
const now = DEV_PKI_NOW;
let plain: Uint8Array;
let threePages: Uint8Array;

beforeAll(async () => {
  plain = await makePdf();
  threePages = await makePdf({ pages: 3 });
});

const seal = (
  pdf: Uint8Array,
  signer: Signer,
  extra: Partial<SealPdfOptions> = {},
): Promise<Uint8Array> =>
  sealPdf(pdf, {
    signer,
    now,
    appearance: { image: png },
    placement: { page: 1, x: 20, y: 20, width: 30 },
    ...extra,
  });

/** An Ed25519 seal-holder certificate issued by the dev RSA intermediate (the dev PKI has no Ed25519 identity). */
async function ed25519Signer(): Promise<Signer> {
  const inter = loadDevIdentity('rsa', 'intermediate');
  const keys = generateKeyPair('ed25519');
  const cert = await issueCertificate({
    profile: 'seal-holder',
    subject: 'CN=GovTrust Ed25519 Test Org,O=GovTrust Test,C=CN',
    publicKey: keys.publicKey,
    issuer: { certificate: inter.certificate, signer: inter.signer },
    notBefore: new Date('2025-06-01T00:00:00Z'),
    notAfter: new Date('2030-01-01T00:00:00Z'),
  });
  return createSigner(keys.privateKey, {
    certificateChain: [cert.der, ...inter.certificateChain],
  });
}

describe('verifySealedPdf: our own seals', () => {
  const cases: {
    name: string;
    alg: DevAlgorithm;
    signer: () => Promise<Signer>;
    algorithm: string;
  }[] = [
    {
      name: 'RSA PKCS#1 v1.5',
      alg: 'rsa',
      signer: () => Promise.resolve(loadDevIdentity('rsa', 'org-a').signer),
      algorithm: 'rsa-pkcs1-sha256',
    },
    {
      name: 'RSA-PSS',
      alg: 'rsa',
      signer: () => {
        const id = loadDevIdentity('rsa', 'org-a');
        return Promise.resolve(
          createSigner(id.privateKey, {
            algorithm: 'rsa-pss-sha256',
            certificateChain: id.certificateChain,
          }),
        );
      },
      algorithm: 'rsa-pss-sha256',
    },
    {
      name: 'ECDSA P-256',
      alg: 'p256',
      signer: () => Promise.resolve(loadDevIdentity('p256', 'org-a').signer),
      algorithm: 'ecdsa-sha256',
    },
    { name: 'Ed25519', alg: 'rsa', signer: ed25519Signer, algorithm: 'ed25519' },
    {
      name: 'SM2 with SM3',
      alg: 'sm2',
      signer: () => Promise.resolve(loadDevIdentity('sm2', 'org-a').signer),
      algorithm: 'sm2-sm3',
    },
  ];

  for (const c of cases) {
    it(`${c.name}, B-B: valid with the dev root, indeterminate (untrusted) without it`, async () => {
      const signer = await c.signer();
      const out = await seal(plain, signer, { reason: '同意', fieldName: 'Seal1' });
      const report = await verifySealedPdf(out, { trust: devTrustStore(c.alg), now });
      expect(report.status, JSON.stringify(report.signatures[0]?.errors)).toBe('valid');
      expect(report.file).toEqual({
        sha256: Buffer.from(digest('sha256', out)).toString('hex'),
        size: out.length,
        revisions: 2,
      });
      const [s] = report.signatures;
      expect(s).toMatchObject({
        field: 'Seal1',
        revision: 2,
        subFilter: 'ETSI.CAdES.detached',
        status: 'valid',
        intact: true,
        coverage: 'entire-file',
        modifications: 'none',
        trusted: true,
        revocation: 'not-checked',
        level: 'B-B',
        algorithm: c.algorithm,
        signingTime: now.toISOString(),
        timestamp: null,
        seal: null,
        errors: [],
      });
      const cert = parseCertificate(signer.certificateChain[0]!);
      expect(s!.signer).toEqual({
        subject: cert.subject,
        issuer: cert.issuer,
        serialNumber: cert.serialNumber,
      });

      const untrusted = await verifySealedPdf(out, { now });
      expect(untrusted.status).toBe('indeterminate');
      expect(untrusted.signatures[0]).toMatchObject({
        intact: true,
        trusted: false,
        coverage: 'entire-file',
      });
      expect(untrusted.signatures[0]!.errors.map((e) => e.code)).toEqual([
        'ERR_PATH_UNTRUSTED_ROOT',
      ]);
    });
  }

  it('B-T with the dev TSA: the time-stamp is verified, trusted and used as the proven time', async () => {
    const tsaId = loadDevIdentity('rsa', 'tsa');
    const tsa = createTimeStampAuthority({
      signer: tsaId.signer,
      now: () => new Date(now.getTime() + 2000),
    });
    const out = await seal(plain, loadDevIdentity('rsa', 'org-a').signer, { tsa: tsa.client() });
    const report = await verifySealedPdf(out, { trust: devTrustStore('rsa'), now });
    expect(report.status).toBe('valid');
    expect(report.signatures[0]).toMatchObject({
      level: 'B-T',
      timestamp: { time: new Date(now.getTime() + 2000).toISOString(), valid: true },
    });
    expect(report.signatures[0]!.timestamp!.tsa).toContain('TSA');
    // Validated at the proven time: years later, after the signer certificate expired, still valid.
    const later = await verifySealedPdf(out, {
      trust: devTrustStore('rsa'),
      now: new Date('2046-01-01T00:00:00Z'),
    });
    expect(later.signatures[0]!.errors.map((e) => e.code)).not.toContain('ERR_PATH_EXPIRED');
    // Without a time-stamp the same check is made now: expired, so indeterminate (no proof of existence).
    const bb = await seal(plain, loadDevIdentity('rsa', 'org-a').signer);
    const bbLater = await verifySealedPdf(bb, {
      trust: devTrustStore('rsa'),
      now: new Date('2046-01-01T00:00:00Z'),
    });
    expect(bbLater.status).toBe('indeterminate');
    expect(bbLater.signatures[0]!.errors.map((e) => e.code)).toContain('ERR_PATH_EXPIRED');
  });

  it('SM2 B-T with the dev SM2 TSA', async () => {
    const tsaId = loadDevIdentity('sm2', 'tsa');
    const tsa = createTimeStampAuthority({ signer: tsaId.signer, now: () => now });
    const out = await seal(plain, loadDevIdentity('sm2', 'org-a').signer, { tsa: tsa.client() });
    const report = await verifySealedPdf(out, { trust: devTrustStore('sm2'), now });
    expect(report.status, JSON.stringify(report.signatures[0]?.errors)).toBe('valid');
    expect(report.signatures[0]).toMatchObject({
      level: 'B-T',
      algorithm: 'sm2-sm3',
      timestamp: { valid: true },
    });
  });

  it('three seals by different organisations and algorithms: every one valid, earlier ones "allowed"', async () => {
    let pdf = plain;
    pdf = await seal(pdf, loadDevIdentity('rsa', 'org-a').signer, { fieldName: 'A' });
    pdf = await seal(pdf, loadDevIdentity('p256', 'org-b').signer, {
      fieldName: 'B',
      placement: { page: 1, x: 80, y: 20, width: 30 },
    });
    pdf = await seal(pdf, loadDevIdentity('sm2', 'org-a').signer, {
      fieldName: 'C',
      placement: { keyword: 'GovTrust test page 1' },
    });
    const report = await verifySealedPdf(pdf, { trust: devTrustStore(), now });
    expect(report.status).toBe('valid');
    expect(report.file.revisions).toBe(4);
    expect(
      report.signatures.map((s) => [s.field, s.revision, s.coverage, s.modifications]),
    ).toEqual([
      ['A', 2, 'entire-revision', 'allowed'],
      ['B', 3, 'entire-revision', 'allowed'],
      ['C', 4, 'entire-file', 'none'],
    ]);
  });

  it('a riding seal (one signature, a widget on each page) and a seal after it', async () => {
    let pdf = await seal(threePages, loadDevIdentity('rsa', 'org-a').signer, {
      fieldName: 'Riding',
      placement: { riding: { pages: [1, 3] } },
    });
    let report = await verifySealedPdf(pdf, { trust: devTrustStore('rsa'), now });
    expect(report.status).toBe('valid');
    expect(report.signatures).toHaveLength(1);
    pdf = await seal(pdf, loadDevIdentity('rsa', 'org-b').signer, {
      placement: { page: 2, x: 20, y: 60, width: 30 },
    });
    report = await verifySealedPdf(pdf, { trust: devTrustStore('rsa'), now });
    expect(report.status).toBe('valid');
    expect(report.signatures.map((s) => s.modifications)).toEqual(['allowed', 'none']);
  });

  it('certification: P=2 then an invisible approval seal is allowed; a visible one is refused (sneaky-signature policy)', async () => {
    const orgA = loadDevIdentity('rsa', 'org-a').signer;
    const orgB = loadDevIdentity('rsa', 'org-b').signer;
    const certified = await seal(plain, orgA, { certify: 2, fieldName: 'Cert' });
    const invisible = await sealPdf(certified, { signer: orgB, now, fieldName: 'Approval' });
    let report = await verifySealedPdf(invisible, { trust: devTrustStore('rsa'), now });
    expect(report.status).toBe('valid');
    expect(report.signatures.map((s) => s.modifications)).toEqual(['allowed', 'none']);
    await expect(
      seal(certified, orgB, {
        fieldName: 'Approval',
        placement: { page: 1, x: 100, y: 100, width: 30 },
      }),
    ).rejects.toMatchObject({ code: 'ERR_PDF_MODIFICATION_NOT_ALLOWED' });
    const visible = await seal(certified, orgB, {
      fieldName: 'Approval',
      placement: { page: 1, x: 100, y: 100, width: 30 },
      allowVisibleSignaturesAfterCertification: true,
    });
    report = await verifySealedPdf(visible, { trust: devTrustStore('rsa'), now });
    expect(report.status).toBe('invalid');
    expect(report.signatures[0]!.modifications).toBe('disallowed');
    expect(report.signatures[0]!.errors.map((e) => e.code)).toContain('ERR_PDF_DOCMDP_VIOLATION');
    // The Acrobat-compatible policy accepts it.
    report = await verifySealedPdf(visible, {
      trust: devTrustStore('rsa'),
      now,
      policy: { allowVisibleSignaturesAfterCertification: true },
    });
    expect(report.status).toBe('valid');
  });

  it('revocation: the revoked dev identity is invalid at a proven time after its revocation (dev CRLs)', async () => {
    const tsaId = loadDevIdentity('rsa', 'tsa');
    const tsa = createTimeStampAuthority({ signer: tsaId.signer, now: () => now });
    const out = await seal(plain, loadDevIdentity('rsa', 'revoked').signer, { tsa: tsa.client() });
    const revocation = createCrlRevocationSource({
      crls: [loadDevCrl('rsa', 'intermediate'), loadDevCrl('rsa', 'root')],
    });
    const report = await verifySealedPdf(out, { trust: devTrustStore('rsa'), now, revocation });
    expect(report.status).toBe('invalid');
    expect(report.signatures[0]).toMatchObject({ revocation: 'revoked', intact: true });
    expect(report.signatures[0]!.errors.map((e) => e.code)).toContain('ERR_PATH_REVOKED_CRL');
    // org-a under the same CRLs: good.
    const good = await seal(plain, loadDevIdentity('rsa', 'org-a').signer, { tsa: tsa.client() });
    const ok = await verifySealedPdf(good, { trust: devTrustStore('rsa'), now, revocation });
    expect(ok.status).toBe('valid');
    expect(ok.signatures[0]!.revocation).toBe('good');
  });

  it.skipIf(!hasTool('qpdf'))(
    'xref streams and object streams, and a linearized original: every seal valid, earlier ones allowed',
    async () => {
      const tmp = tempDir('govtrust-verify-objstm-');
      try {
        let pdf = withObjectStreams(tmp.dir, threePages);
        pdf = await seal(pdf, loadDevIdentity('rsa', 'org-a').signer);
        pdf = await seal(pdf, loadDevIdentity('p256', 'org-b').signer, {
          placement: { page: 1, x: 80, y: 20, width: 30 },
        });
        pdf = await seal(pdf, loadDevIdentity('sm2', 'org-a').signer, {
          placement: { riding: {} },
        });
        let report = await verifySealedPdf(pdf, { trust: devTrustStore(), now });
        expect(report.status, JSON.stringify(report.signatures.map((s) => s.errors))).toBe('valid');
        expect(report.signatures.map((s) => s.modifications)).toEqual([
          'allowed',
          'allowed',
          'none',
        ]);

        const linIn = tmp.write('lin-in.pdf', threePages);
        run('qpdf', ['--linearize', linIn, tmp.path('lin.pdf')]);
        let lin = tmp.read('lin.pdf');
        lin = await seal(lin, loadDevIdentity('rsa', 'org-a').signer, {
          placement: { page: 2, x: 20, y: 20, width: 30 },
        });
        lin = await sealPdf(lin, { signer: loadDevIdentity('rsa', 'org-b').signer, now });
        report = await verifySealedPdf(lin, { trust: devTrustStore('rsa'), now });
        expect(report.status).toBe('valid');
        expect(report.signatures.map((s) => s.modifications)).toEqual(['allowed', 'none']);
      } finally {
        tmp.cleanup();
      }
    },
  );

  it('a file without signatures is invalid with no signature entries', async () => {
    const report = await verifySealedPdf(plain, { now });
    expect(report).toMatchObject({ status: 'invalid', signatures: [], file: { revisions: 1 } });
  });

  it('parses PDF dates with and without time zones', () => {
    expect(parsePdfDate("D:20260601080000+08'00'")?.toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(parsePdfDate('D:20260601080000Z')?.toISOString()).toBe('2026-06-01T08:00:00.000Z');
    expect(parsePdfDate('D:2026')?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(parsePdfDate("D:20260601080000-05'30")?.toISOString()).toBe('2026-06-01T13:30:00.000Z');
    expect(parsePdfDate('yesterday')).toBeUndefined();
    expect(parsePdfDate('D:20261301000000Z')).toBeUndefined();
  });
});
