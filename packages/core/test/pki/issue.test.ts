import { afterAll, describe, expect, it } from 'vitest';
import {
  createRemoteSigner,
  createSigner,
  generateKeyPair,
  signData,
  type KeyGenAlgorithm,
} from '@govtrust/core/crypto';
import {
  certificateProfiles,
  encodeName,
  govtrustOids,
  issueCertificate,
  nameToString,
  namesEqual,
  parseCertificate,
  pkixOids,
  prepareCertificate,
  type CertificateProfile,
} from '@govtrust/core/pki';
import { loadDevIdentity } from '../helpers/dev-pki.js';
import { hasTool, openssl, tempDir } from '../helpers/tools.js';

const nb = new Date('2025-03-01T00:00:00Z');
const na = new Date('2030-03-01T00:00:00Z');

const expected: Record<
  Exclude<CertificateProfile, 'custom' | 'root-ca'>,
  { ku: string[]; eku?: string[]; ekuCritical?: boolean; ca: boolean; nocheck?: boolean }
> = {
  'intermediate-ca': { ku: ['keyCertSign', 'cRLSign'], ca: true },
  'seal-maker': {
    ku: ['digitalSignature', 'nonRepudiation'],
    eku: [govtrustOids.kpSealMaking, pkixOids.kpDocumentSigning, pkixOids.kpEmailProtection],
    ca: false,
  },
  'seal-holder': {
    ku: ['digitalSignature', 'nonRepudiation'],
    eku: [pkixOids.kpDocumentSigning, pkixOids.kpEmailProtection],
    ca: false,
  },
  'licence-issuer': {
    ku: ['digitalSignature', 'nonRepudiation'],
    eku: [govtrustOids.kpLicenceSigning, pkixOids.kpDocumentSigning, pkixOids.kpEmailProtection],
    ca: false,
  },
  tsa: {
    ku: ['digitalSignature', 'nonRepudiation'],
    eku: [pkixOids.kpTimeStamping],
    ekuCritical: true,
    ca: false,
  },
  'ocsp-responder': {
    ku: ['digitalSignature'],
    eku: [pkixOids.kpOcspSigning],
    ca: false,
    nocheck: true,
  },
};

describe('issueCertificate and profiles (RFC 5280 clause 4)', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());
  const ca = loadDevIdentity('p256', 'intermediate');

  it('every profile carries its extensions; AKI = issuer SKI; SKI = SHA-1 of the key; serials random, 16 octets', async () => {
    expect(certificateProfiles).toContain('custom');
    const serials = new Set<string>();
    for (const [profile, want] of Object.entries(expected) as [
      keyof typeof expected,
      (typeof expected)[keyof typeof expected],
    ][]) {
      const { publicKey } = generateKeyPair('p256');
      const cert = await issueCertificate({
        profile,
        subject: { C: 'CN', O: '示例单位', CN: `${profile} 测试` },
        publicKey,
        issuer: { certificate: ca.certificate, signer: ca.signer },
        notBefore: nb,
        notAfter: na,
        crlDistributionPoints: ['http://crl.example.test/ca.crl'],
        ocspUrls: ['http://ocsp.example.test/'],
        caIssuersUrls: ['http://ca.example.test/ca.cer'],
        policies: ['1.2.3.4'],
      });
      const e = cert.extensions;
      expect(e.keyUsage).toEqual(want.ku);
      expect(e.extendedKeyUsage).toEqual(want.eku);
      expect(e.all.find((x) => x.oid === pkixOids.extKeyUsage)?.critical ?? false).toBe(
        want.ekuCritical ?? false,
      );
      expect(e.basicConstraints).toEqual(want.ca ? { ca: true, pathLength: 0 } : { ca: false });
      expect(e.all.find((x) => x.oid === pkixOids.basicConstraints)?.critical).toBe(true);
      expect(e.ocspNoCheck).toBe(want.nocheck ?? false);
      expect(e.authorityKeyIdentifier).toBe(ca.certificate.extensions.subjectKeyIdentifier);
      expect(e.crlDistributionPoints).toEqual(['http://crl.example.test/ca.crl']);
      expect(e.ocspUrls).toEqual(['http://ocsp.example.test/']);
      expect(e.caIssuersUrls).toEqual(['http://ca.example.test/ca.cer']);
      expect(e.policies).toEqual(['1.2.3.4']);
      expect(cert.subject).toBe(`CN=${profile} 测试,O=示例单位,C=CN`);
      expect(cert.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/);
      serials.add(cert.serialNumber);
      expect(cert.verifySignedBy(ca.certificate)).toBe(true);
    }
    expect(serials.size).toBe(Object.keys(expected).length);
  });

  const algs: [KeyGenAlgorithm, string][] = [
    ['rsa2048', 'rsa-pss-sha384'],
    ['ed25519', 'ed25519'],
    ['p384', 'ecdsa-sha384'],
    ['sm2', 'sm2-sm3'],
  ];
  for (const [keyAlg, sigAlg] of algs) {
    it.skipIf(!hasTool('openssl'))(
      `${sigAlg}: a self-signed root and a leaf that OpenSSL verifies`,
      async () => {
        const rootKey = generateKeyPair(keyAlg);
        const signer = createSigner(rootKey.privateKey, { algorithm: sigAlg as never });
        const root = await issueCertificate({
          profile: 'root-ca',
          subject: `CN=${sigAlg} root,C=CN`,
          publicKey: rootKey.publicKey,
          signer,
          notBefore: nb,
          notAfter: na,
          pathLength: 2,
        });
        expect(root.signatureAlgorithm).toBe(sigAlg);
        expect(root.isSelfIssued).toBe(true);
        expect(root.extensions.authorityKeyIdentifier).toBe(root.extensions.subjectKeyIdentifier);
        const leafKey = generateKeyPair(keyAlg);
        const leaf = await issueCertificate({
          profile: 'seal-holder',
          subject: `CN=${sigAlg} leaf`,
          publicKey: leafKey.publicKey,
          issuer: { certificate: root, signer },
          notBefore: nb,
          notAfter: na,
        });
        t.write('root.pem', root.toPem());
        t.write('leaf.pem', leaf.toPem());
        const vfy = keyAlg === 'sm2' ? ['-vfyopt', 'distid:1234567812345678'] : [];
        expect(
          openssl(['verify', ...vfy, '-CAfile', t.path('root.pem'), t.path('leaf.pem')]),
        ).toContain('OK');
        const text = openssl(['x509', '-in', t.path('leaf.pem'), '-noout', '-text']);
        expect(text).toContain('Digital Signature, Non Repudiation');
        expect(text).toContain('CA:FALSE');
      },
    );
  }

  it('prepareCertificate: an HSM or remote signer signs the TBS (two-step issuing)', async () => {
    const root = loadDevIdentity('sm2', 'intermediate');
    const remote = createRemoteSigner({
      algorithm: 'sm2-sm3',
      certificateChain: root.certificateChain,
      sign: (req) => signData(root.privateKey, 'sm2-sm3', req.data),
    });
    const { publicKey } = generateKeyPair('sm2');
    const prepared = prepareCertificate({
      profile: 'seal-holder',
      subject: 'CN=Remote',
      publicKey,
      issuer: { certificate: root.certificate, signer: remote },
      notBefore: nb,
      notAfter: na,
      serialNumber: 0x1234n,
    });
    expect(prepared.signatureAlgorithm).toBe('sm2-sm3');
    const cert = prepared.finish(await remote.sign(prepared.tbs));
    expect(cert.serialNumber).toBe('1234');
    expect(cert.verifySignedBy(root.certificate)).toBe(true);
  });

  it('refuses what a CA must not issue: non-CA issuer, validity outside the issuer, foreign self-signer, bad names and serials', async () => {
    const { publicKey, privateKey } = generateKeyPair('p256');
    const base = {
      profile: 'seal-holder' as const,
      subject: 'CN=x',
      publicKey,
      notBefore: nb,
      notAfter: na,
    };
    const ee = loadDevIdentity('p256', 'org-a');
    await expect(
      issueCertificate({ ...base, issuer: { certificate: ee.certificate, signer: ee.signer } }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_ISSUE' });
    await expect(
      issueCertificate({
        ...base,
        issuer: { certificate: ca.certificate, signer: ca.signer },
        notAfter: new Date('2050-01-01T00:00:00Z'),
      }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_ISSUE' });
    await expect(
      issueCertificate({ ...base, issuer: { certificate: ca.certificate, signer: ee.signer } }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_ISSUE' });
    await expect(
      issueCertificate({ ...base, profile: 'root-ca', signer: ee.signer }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_ISSUE' });
    await expect(
      issueCertificate({
        ...base,
        profile: 'root-ca',
        signer: createSigner(privateKey),
        notAfter: nb,
      }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_ISSUE' });
    await expect(
      issueCertificate({
        ...base,
        subject: 'FOO=bar',
        issuer: { certificate: ca.certificate, signer: ca.signer },
      }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_ISSUE' });
    await expect(
      issueCertificate({
        ...base,
        subject: { C: 'China' },
        issuer: { certificate: ca.certificate, signer: ca.signer },
      }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_ISSUE' });
    await expect(
      issueCertificate({
        ...base,
        serialNumber: 0n,
        issuer: { certificate: ca.certificate, signer: ca.signer },
      }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_ISSUE' });
    await expect(
      issueCertificate({
        ...base,
        serialNumber: 'ff'.repeat(21),
        issuer: { certificate: ca.certificate, signer: ca.signer },
      }),
    ).rejects.toMatchObject({ code: 'ERR_CERT_ISSUE' });
  });

  it('names: RFC 4514 strings with escapes and multi-valued RDNs round-trip; matching ignores case and spacing', () => {
    const der = encodeName('CN=Zhang\\, San+UID=z3,OU=#hash,O=示例 单位,C=CN');
    // The multi-valued RDN is a DER SET OF: its members come out in sorted order (the shorter UID first).
    expect(nameToString(der)).toBe('UID=z3+CN=Zhang\\, San,OU=\\#hash,O=示例 单位,C=CN');
    expect(nameToString(encodeName(nameToString(der)))).toBe(nameToString(der));
    expect(
      namesEqual(
        encodeName('CN=ACME  Corp,C=CN'),
        encodeName([
          { type: 'C', value: 'CN' },
          { type: 'CN', value: 'acme corp' },
        ]),
      ),
    ).toBe(true);
    expect(namesEqual(encodeName('CN=A,C=CN'), encodeName('CN=B,C=CN'))).toBe(false);
    expect(
      nameToString(encodeName({ C: 'CN', serialNumber: '91110000MA01ABCD2X', CN: '测试' })),
    ).toBe('CN=测试,serialNumber=91110000MA01ABCD2X,C=CN');
    expect(() => encodeName('no equals sign')).toThrow(RangeError);
    // A string in BMPString (as some older Chinese CAs write) decodes too.
    const bmp = Buffer.from('示例', 'utf16le').swap16();
    const atv = Buffer.concat([
      Buffer.from([0x30, 7 + bmp.length, 0x06, 0x03, 0x55, 0x04, 0x03, 0x1e, bmp.length]),
      bmp,
    ]);
    const name = Buffer.concat([Buffer.from([0x30, atv.length + 2, 0x31, atv.length]), atv]);
    expect(nameToString(new Uint8Array(name))).toBe('CN=示例');
    expect(parseCertificate(ca.certificate.der).issuer).toBe(
      loadDevIdentity('p256', 'root').certificate.subject,
    );
  });
});
