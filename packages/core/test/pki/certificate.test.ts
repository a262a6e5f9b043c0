import { X509Certificate } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTrustStore,
  parseCertificate,
  parseCertificates,
  pkixOids,
  type Certificate,
} from '@govtrust/core/pki';
import { hasTool, openssl, tempDir } from '../helpers/tools.js';
import { makeOpensslChain, type OpensslAlg, type OpensslChain } from '../helpers/openssl-pki.js';

const algs: readonly OpensslAlg[] = ['rsa', 'rsa-pss', 'p256', 'sm2', 'ed25519'];
const expectedAlgorithm: Record<OpensslAlg, string> = {
  rsa: 'rsa-pkcs1-sha256',
  'rsa-pss': 'rsa-pss-sha256',
  p256: 'ecdsa-sha256',
  sm2: 'sm2-sm3',
  ed25519: 'ed25519',
};

describe.skipIf(!hasTool('openssl'))('parseCertificate on OpenSSL-made chains', () => {
  const t = tempDir();
  const chains = new Map<OpensslAlg, OpensslChain>();
  beforeAll(() => {
    for (const alg of algs) {
      const dir = t.path(alg);
      mkdirSync(dir);
      chains.set(alg, makeOpensslChain(dir, alg));
    }
  });
  afterAll(() => t.cleanup());

  for (const alg of algs) {
    it(`${alg}: fields match OpenSSL's reading`, () => {
      const chain = chains.get(alg)!;
      const leaf = parseCertificate(chain.leaf.der);
      const inter = parseCertificate(chain.intermediate.certPem);
      const root = parseCertificate(chain.root.der);
      expect(leaf.version).toBe(3);
      // -set_serial 0x00ff01: the DER INTEGER needs a 00 sign octet, which the hex keeps.
      expect(leaf.serialNumber).toBe('00ff01');
      expect(inter.serialNumber).toBe('0100');
      expect(root.serialNumber).toBe('01');
      const rfc2253 = (path: string, which: '-subject' | '-issuer'): string =>
        openssl(['x509', '-in', path, '-noout', which, '-nameopt', 'RFC2253,-esc_msb'])
          .trim()
          .replace(/^(subject|issuer)=/, '');
      expect(leaf.subject).toBe(rfc2253(chain.leaf.certPath, '-subject'));
      expect(leaf.issuer).toBe(rfc2253(chain.leaf.certPath, '-issuer'));
      expect(leaf.subject).toBe(`CN=${alg} 签章人,O=示例单位,C=CN`);
      expect(leaf.subjectCommonName).toBe(`${alg} 签章人`);
      expect(leaf.signatureAlgorithm).toBe(expectedAlgorithm[alg]);
      const x = new X509Certificate(chain.leaf.certPem);
      expect(leaf.notBefore.getTime()).toBe(new Date(x.validFrom).getTime());
      expect(leaf.notAfter.getTime()).toBe(new Date(x.validTo).getTime());
      expect(Buffer.from(leaf.fingerprint('sha256')).toString('hex')).toBe(
        x.fingerprint256.replace(/:/g, '').toLowerCase(),
      );
      const e = leaf.extensions;
      expect(e.basicConstraints).toEqual({ ca: false });
      expect(e.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
      expect(e.extendedKeyUsage).toEqual([pkixOids.kpEmailProtection, pkixOids.kpDocumentSigning]);
      expect(e.ocspUrls).toEqual(['http://ocsp.example.test/']);
      expect(e.caIssuersUrls).toEqual(['http://ca.example.test/inter.cer']);
      expect(e.crlDistributionPoints).toEqual(['http://crl.example.test/inter.crl']);
      expect(e.policies).toEqual(['1.2.156.112559.1.1']);
      expect(e.authorityKeyIdentifier).toBe(inter.extensions.subjectKeyIdentifier);
      expect(e.all.find((x) => x.oid === pkixOids.keyUsage)?.critical).toBe(true);
      expect(inter.extensions.basicConstraints).toEqual({ ca: true, pathLength: 0 });
      expect(inter.extensions.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
      expect(root.isSelfIssued).toBe(true);
      expect(leaf.isSelfIssued).toBe(false);
      expect(leaf.publicKey.type).toBe(alg === 'p256' ? 'ec' : alg === 'rsa-pss' ? 'rsa' : alg);
    });

    it(`${alg}: verifySignedBy checks the issuer signature over the raw TBS`, () => {
      const chain = chains.get(alg)!;
      const [leaf, inter, root] = [chain.leaf.der, chain.intermediate.der, chain.root.der].map(
        (d) => parseCertificate(d),
      ) as [Certificate, Certificate, Certificate];
      expect(leaf.verifySignedBy(inter)).toBe(true);
      expect(inter.verifySignedBy(root)).toBe(true);
      expect(root.verifySignedBy(root)).toBe(true);
      expect(leaf.verifySignedBy(root)).toBe(false);
      expect(inter.verifySignedBy(leaf)).toBe(false);
      // One flipped bit in the subject (inside the TBS) breaks the signature, not the parse.
      const tampered = new Uint8Array(leaf.der);
      const at = Buffer.from(tampered).indexOf(Buffer.from('签章人'));
      tampered[at + 2]! ^= 0x01;
      const bad = parseCertificate(tampered);
      expect(bad.verifySignedBy(inter)).toBe(false);
    });
  }

  it('SM2: OpenSSL accepts each link we accept (verify -vfyopt distid:..., pkeyutl for the root)', () => {
    // OpenSSL 3.0's verify applies -vfyopt to the target certificate only (issuers, and a trusted
    // root checked with -check_ss_sig, get an empty ID), so each link is verified as its own target.
    const chain = chains.get('sm2')!;
    const vfy = (ca: string, target: string): string =>
      openssl([
        'verify',
        '-vfyopt',
        'distid:1234567812345678',
        '-partial_chain',
        '-CAfile',
        ca,
        target,
      ]);
    expect(vfy(chain.root.certPath, chain.intermediate.certPath)).toContain('OK');
    expect(vfy(chain.intermediate.certPath, chain.leaf.certPath)).toContain('OK');
    const [leaf, inter, root] = [chain.leaf.der, chain.intermediate.der, chain.root.der].map((d) =>
      parseCertificate(d),
    ) as [Certificate, Certificate, Certificate];
    // The root's self-signature: its raw TBS and signature value, checked by pkeyutl.
    t.write('root.tbs', root.tbs);
    t.write('root.sig', root.signatureValue);
    t.write('root.pub', root.publicKey.toPem());
    expect(
      openssl([
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        t.path('root.pub'),
        '-rawin',
        '-in',
        t.path('root.tbs'),
        '-sigfile',
        t.path('root.sig'),
        '-digest',
        'sm3',
        '-pkeyopt',
        'distid:1234567812345678',
      ]),
    ).toContain('Signature Verified Successfully');
    expect(
      leaf.verifySignedBy(inter) && inter.verifySignedBy(root) && root.verifySignedBy(root),
    ).toBe(true);
  });

  it('trust store: PEM bundles, duplicates removed, issuers found by name and key id', () => {
    const rsa = chains.get('rsa')!;
    const sm2 = chains.get('sm2')!;
    const store = createTrustStore([
      rsa.root.certPem + sm2.root.certPem,
      rsa.root.der,
      parseCertificate(sm2.intermediate.der),
    ]);
    expect(store.certificates).toHaveLength(3);
    expect(store.has(parseCertificate(rsa.root.der))).toBe(true);
    expect(store.has(parseCertificate(rsa.intermediate.der))).toBe(false);
    const inter = parseCertificate(rsa.intermediate.der);
    expect(store.findIssuers(inter).map((c) => c.subject)).toEqual([
      'CN=rsa Root,O=GovTrust OpenSSL Test,C=CN',
    ]);
    expect(store.findIssuers(parseCertificate(sm2.leaf.der))).toHaveLength(1);
    expect(store.findIssuers(parseCertificate(rsa.leaf.der))).toHaveLength(0);
    const bigger = store.with([rsa.intermediate.certPem]);
    expect(bigger.certificates).toHaveLength(4);
    expect(store.certificates).toHaveLength(3);
    expect(parseCertificates(rsa.leaf.certPem + rsa.intermediate.certPem)).toHaveLength(2);
  });

  it('hostile input: garbage, truncations and random corruption give ERR_CERT_PARSE or a certificate, never a crash', () => {
    const der = chains.get('p256')!.leaf.der;
    const bad = [
      new Uint8Array(0),
      Uint8Array.of(0x30),
      Uint8Array.of(0x30, 0x80, 0x30, 0x80),
      Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff),
      new TextEncoder().encode('not a certificate'),
      der.subarray(0, der.length - 1),
      der.subarray(0, 100),
      Uint8Array.from([...der, 0x00]),
    ];
    for (const input of bad)
      expect(() => parseCertificate(input)).toThrow(
        expect.objectContaining({ code: 'ERR_CERT_PARSE' }),
      );
    expect(() =>
      parseCertificate('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'),
    ).toThrow(expect.objectContaining({ code: 'ERR_CERT_PARSE' }));
    // Deep nesting must not exhaust the stack.
    const deep = new Uint8Array(20000);
    for (let i = 0; i < 10000; i++) {
      deep[2 * i] = 0x30;
      deep[2 * i + 1] = 0x80;
    }
    expect(() => parseCertificate(deep)).toThrow(
      expect.objectContaining({ code: 'ERR_CERT_PARSE' }),
    );
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    for (let i = 0; i < 300; i++) {
      const m = new Uint8Array(der);
      for (let k = 0; k < 3; k++) m[rand() % m.length] = rand() & 0xff;
      try {
        parseCertificate(m);
      } catch (err) {
        expect(err).toMatchObject({ code: 'ERR_CERT_PARSE' });
      }
    }
  });
});

describe('names with non-ASCII bytes in ASCII string types', () => {
  it('shows UTF-8 inside an IA5String as text (zsbk.ofd signer certificate, emailAddress in hanzi)', async () => {
    const { parseSesSignature } = await import('@govtrust/core/seal');
    const { readZip } = await import('../seal/zip-helper.js');
    const { ofdrw } = await import('../seal/fixtures.js');
    const files = await readZip(ofdrw('zsbk.ofd'));
    const signedValue = files.get('Doc_0/Signs/Sign_0/SignedValue.dat')!;
    const cert = parseCertificate(parseSesSignature(signedValue).signerCertificate);
    // Latin-1 decoding of UTF-8 hanzi would show mojibake such as 'ä' or 'Ã'.
    expect(cert.subject).not.toMatch(/[\u00c0-\u00ff]/);
    expect(cert.subject).toMatch(/[\u4e00-\u9fff]/);
  });
});
