import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cmsSizeBound,
  parseCms,
  prepareCms,
  signCms,
  verifyCms,
  type CmsAttribute,
} from '@govtrust/core/cms';
import {
  createRemoteSigner,
  createSigner,
  digest,
  importPrivateKey,
  signData,
  type HashAlgorithm,
  type Signer,
} from '@govtrust/core/crypto';
import { parseCertificate, pkixOids, type TsaClient } from '@govtrust/core/pki';
import { hasTool, openssl, tempDir } from '../helpers/tools.js';
import { makeOpensslChain, type OpensslAlg, type OpensslChain } from '../helpers/openssl-pki.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const content = enc('GovTrust CMS 测试内容 — detached and encapsulated\n'.repeat(20));

/** Rebuilds a DER TLV (test-side, to craft variants). */
function tlv(tag: number, body: Uint8Array): Uint8Array {
  const len =
    body.length < 0x80
      ? [body.length]
      : body.length < 0x100
        ? [0x81, body.length]
        : [0x82, body.length >> 8, body.length & 0xff];
  return Uint8Array.from([tag, ...len, ...body]);
}

function children(der: Uint8Array): Uint8Array[] {
  // Minimal DER child splitter for crafting test variants.
  const out: Uint8Array[] = [];
  const hdr = der[1]! < 0x80 ? 2 : 2 + (der[1]! & 0x7f);
  let pos = hdr;
  while (pos < der.length) {
    const l1 = der[pos + 1]!;
    let len: number;
    let h: number;
    if (l1 < 0x80) {
      len = l1;
      h = 2;
    } else {
      const n = l1 & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + der[pos + 2 + i]!;
      h = 2 + n;
    }
    out.push(der.subarray(pos, pos + h + len));
    pos += h + len;
  }
  return out;
}

const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

describe.skipIf(!hasTool('openssl'))('CMS SignedData', () => {
  const t = tempDir();
  const chains = new Map<OpensslAlg, OpensslChain>();
  const signers = new Map<OpensslAlg, Signer>();
  const algs: readonly OpensslAlg[] = ['rsa', 'rsa-pss', 'p256', 'ed25519', 'sm2'];
  beforeAll(() => {
    for (const alg of algs) {
      mkdirSync(t.path(alg));
      const chain = makeOpensslChain(t.path(alg), alg);
      chains.set(alg, chain);
      signers.set(
        alg,
        createSigner(importPrivateKey(chain.leaf.keyPem), {
          certificateChain: [chain.leaf.der, chain.intermediate.der, chain.root.der],
          ...(alg === 'rsa-pss' ? { algorithm: 'rsa-pss-sha256' as const } : {}),
        }),
      );
    }
    t.write('content.bin', content);
  });
  afterAll(() => t.cleanup());

  const opensslVerify = (alg: OpensslAlg, cmsPath: string, detached: boolean): string =>
    openssl([
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      cmsPath,
      ...(detached ? ['-content', t.path('content.bin')] : []),
      '-CAfile',
      chains.get(alg)!.root.certPath,
      '-purpose',
      'any',
      '-out',
      t.path(`${alg}.out`),
    ]);

  const pkeyutlVerify = (alg: OpensslAlg, data: Uint8Array, signature: Uint8Array): string => {
    t.write(`${alg}.tbs`, data);
    t.write(`${alg}.sig`, signature);
    t.write(`${alg}.pub`, parseCertificate(chains.get(alg)!.leaf.der).publicKey.toPem());
    return openssl([
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      t.path(`${alg}.pub`),
      '-rawin',
      '-in',
      t.path(`${alg}.tbs`),
      '-sigfile',
      t.path(`${alg}.sig`),
      ...(alg === 'sm2' ? ['-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678'] : []),
    ]);
  };

  for (const alg of ['rsa', 'rsa-pss', 'p256', 'ed25519'] as const) {
    it(`${alg}: openssl cms -verify accepts our detached and encapsulated CMS; we verify them`, async () => {
      const signer = signers.get(alg)!;
      const detached = await signCms({
        signer,
        content,
        signingTime: new Date('2026-03-01T08:00:00Z'),
      });
      const attached = await signCms({ signer, content, encapsulate: true });
      if (alg === 'ed25519') {
        // OpenSSL 3.0's cms cannot do Ed25519 (it hands SHA-512 to the EdDSA init, "invalid digest");
        // pkeyutl checks the signature over the DER signed attributes instead (RFC 8419: pure Ed25519).
        for (const der of [detached, attached]) {
          const p = parseCms(der);
          expect(pkeyutlVerify(alg, p.signedAttributesDer!, p.signatureValue)).toContain(
            'Signature Verified Successfully',
          );
        }
      } else {
        t.write(`${alg}.det.der`, detached);
        opensslVerify(alg, t.path(`${alg}.det.der`), true);
        t.write(`${alg}.att.der`, attached);
        opensslVerify(alg, t.path(`${alg}.att.der`), false);
        expect(Buffer.from(t.read(`${alg}.out`)).equals(Buffer.from(content))).toBe(true);
      }

      const parsed = parseCms(detached);
      expect(parsed.encapsulatedContent).toBeUndefined();
      expect(parsed.certificates).toHaveLength(3);
      expect(parsed.signingTime?.toISOString()).toBe('2026-03-01T08:00:00.000Z');
      expect(parsed.digestAlgorithm).toBe(alg === 'ed25519' ? 'sha512' : 'sha256');
      const v = verifyCms(parsed, { content });
      expect(v).toMatchObject({
        intact: true,
        signatureValid: true,
        messageDigestValid: true,
        signingCertificateValid: true,
        errors: [],
      });
      expect(v.signerCertificate?.subjectCommonName).toBe(`${alg} 签章人`);
      expect(verifyCms(parseCms(attached)).intact).toBe(true);
    });
  }

  it('signed attributes are DER-sorted (SET OF order), whatever order extras are given in', async () => {
    const signer = signers.get('p256')!;
    const extras: CmsAttribute[] = [
      {
        oid: '1.2.156.112559.9.9',
        values: [Uint8Array.of(0x04, 0x01, 0x07), Uint8Array.of(0x02, 0x01, 0x05)],
      },
      { oid: '1.2.3.4', values: [Uint8Array.of(0x05, 0x00)] },
    ];
    const cms = await signCms({
      signer,
      content,
      signedAttributes: extras,
      signingTime: new Date('2030-01-01T00:00:00Z'),
    });
    const parsed = parseCms(cms);
    const attrs = children(parsed.signedAttributesDer!);
    expect(attrs.length).toBe(6);
    for (let i = 1; i < attrs.length; i++)
      expect(Buffer.compare(Buffer.from(attrs[i - 1]!), Buffer.from(attrs[i]!))).toBeLessThan(0);
    // The values inside one attribute are sorted too (INTEGER 0x02 before OCTET STRING 0x04).
    const extra = parsed.signedAttributes.find((a) => a.oid === '1.2.156.112559.9.9')!;
    expect(extra.values.map((v) => v[0])).toEqual([0x02, 0x04]);
    t.write('sorted.der', cms);
    opensslVerify('p256', t.path('sorted.der'), true);
    expect(verifyCms(parsed, { content }).intact).toBe(true);
  });

  it('SM2 (GB/T 35275): SM3 digest, SM2 OID, DER r,s; OpenSSL pkeyutl verifies the DER signed attributes', async () => {
    const signer = signers.get('sm2')!;
    const cms = await signCms({ signer, content });
    const parsed = parseCms(cms);
    expect(parsed.digestAlgorithm).toBe('sm3');
    expect(parsed.digestAlgorithmOid).toBe('1.2.156.10197.1.401');
    expect(parsed.signatureAlgorithmOid).toBe('1.2.156.10197.1.301.1');
    expect(parsed.signatureAlgorithm).toBe('sm2-sm3');
    expect(parsed.signatureValue[0]).toBe(0x30);
    // message-digest is SM3 of the content, as OpenSSL computes it.
    const sm3 = openssl(['dgst', '-sm3', '-r', t.path('content.bin')]).split(' ')[0]!;
    expect(Buffer.from(parsed.messageDigest!).toString('hex')).toBe(sm3);
    expect(pkeyutlVerify('sm2', parsed.signedAttributesDer!, parsed.signatureValue)).toContain(
      'Signature Verified Successfully',
    );
    expect(verifyCms(parsed, { content })).toMatchObject({
      intact: true,
      algorithm: 'sm2-sm3',
      errors: [],
    });
    // The ESS certHash is SM3 of the certificate, with the algorithm spelled out (not the sha256 DEFAULT).
    expect(parsed.signingCertificateV2?.[0]?.hashAlgorithm).toBe('sm3');
  });

  it('SM2: a CMS naming the signature sm2-with-sm3 (1.2.156.10197.1.501) verifies too', async () => {
    const cms = await signCms({ signer: signers.get('sm2')!, content });
    const parsed = parseCms(cms);
    const si = children(parsed.signerInfos[0]!.raw);
    const algIndex = si.findIndex((c) =>
      Buffer.from(c).includes(Buffer.from('2a811ccf5501822d01', 'hex')),
    );
    si[algIndex] = Uint8Array.from(Buffer.from('300a06082a811ccf55018375', 'hex'));
    const newSi = tlv(0x30, cat(...si));
    const sd = children(children(cms)[1]!)[0]!;
    const sdParts = children(sd);
    sdParts[sdParts.length - 1] = tlv(0x31, newSi);
    const newCms = tlv(0x30, cat(children(cms)[0]!, tlv(0xa0, tlv(0x30, cat(...sdParts)))));
    const reparsed = parseCms(newCms);
    expect(reparsed.signatureAlgorithmOid).toBe('1.2.156.10197.1.501');
    expect(verifyCms(reparsed, { content }).intact).toBe(true);
  });

  for (const alg of ['rsa', 'p256'] as const) {
    it(`${alg}: we parse and verify OpenSSL-made CMS (detached DER, attached, streamed BER)`, () => {
      const chain = chains.get(alg)!;
      const base = [
        'cms',
        '-sign',
        '-binary',
        '-in',
        t.path('content.bin'),
        '-signer',
        chain.leaf.certPath,
        '-inkey',
        chain.leaf.keyPath,
        '-certfile',
        chain.intermediate.certPath,
        '-md',
        'sha384',
        '-outform',
        'DER',
      ];
      openssl([...base, '-out', t.path('o.det')]);
      openssl([...base, '-nodetach', '-out', t.path('o.att')]);
      openssl([...base, '-nodetach', '-stream', '-out', t.path('o.ber')]);
      const det = parseCms(t.read('o.det'));
      expect(det.digestAlgorithm).toBe('sha384');
      expect(det.certificates).toHaveLength(2);
      expect(verifyCms(det, { content })).toMatchObject({ intact: true, errors: [] });
      expect(verifyCms(det, { contentDigest: digest('sha384', content) }).intact).toBe(true);
      expect(
        verifyCms(det, { digestFromStream: (h: HashAlgorithm) => digest(h, content) }).intact,
      ).toBe(true);
      const att = parseCms(t.read('o.att'));
      expect(Buffer.from(att.encapsulatedContent!).equals(Buffer.from(content))).toBe(true);
      expect(verifyCms(att).intact).toBe(true);
      const ber = t.read('o.ber');
      expect(ber[1]).toBe(0x80); // indefinite length: BER, not DER
      const streamed = parseCms(ber);
      expect(Buffer.from(streamed.encapsulatedContent!).equals(Buffer.from(content))).toBe(true);
      expect(verifyCms(streamed).intact).toBe(true);
      // OpenSSL adds signing-time and SMIMECapabilities and no ESS attribute.
      expect(det.signingTime).toBeInstanceOf(Date);
      expect(verifyCms(det, { content }).warnings.map((w) => w.code)).toContain(
        'ERR_CMS_SIGNING_CERT_MISSING',
      );
    });
  }

  it('tampering is reported with codes: content, signature, substituted certificate, missing content', async () => {
    const chain = chains.get('p256')!;
    const signer = signers.get('p256')!;
    const cms = await signCms({ signer, content });
    const parsed = parseCms(cms);
    const changed = new Uint8Array(content);
    changed[5]! ^= 1;
    expect(verifyCms(parsed, { content: changed })).toMatchObject({
      intact: false,
      messageDigestValid: false,
      signatureValid: true,
      errors: [expect.objectContaining({ code: 'ERR_CMS_DIGEST_MISMATCH' })],
    });
    const sigAt = Buffer.from(cms).indexOf(Buffer.from(parsed.signatureValue));
    const badSig = new Uint8Array(cms);
    badSig[sigAt + parsed.signatureValue.length - 3]! ^= 0x40;
    const v = verifyCms(parseCms(badSig), { content });
    expect(v.intact).toBe(false);
    expect(v.errors.map((e) => e.code)).toContain('ERR_CMS_SIGNATURE_INVALID');
    expect(verifyCms(parsed).errors.map((e) => e.code)).toEqual(['ERR_CMS_NO_CONTENT']);
    // A certificate with the same issuer and serial but another key (a substitution attack).
    openssl([
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      t.path('evil.key'),
    ]);
    openssl([
      'req',
      '-new',
      '-key',
      t.path('evil.key'),
      '-subj',
      '/CN=evil',
      '-config',
      t.path('p256/ext.cnf'),
      '-out',
      t.path('evil.csr'),
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      t.path('evil.csr'),
      '-CA',
      chain.intermediate.certPath,
      '-CAkey',
      chain.intermediate.keyPath,
      '-set_serial',
      '0x00ff01',
      '-days',
      '10',
      '-out',
      t.path('evil.pem'),
    ]);
    const evil = parseCertificate(t.read('evil.pem'));
    const leafDer = chain.leaf.der;
    // Lengths of the enclosing elements change: rebuild them.
    const sdParts = children(children(cms)[1]!).flatMap((sd) => children(sd));
    const certs = children(sdParts[3]!).map((c) =>
      Buffer.from(c).equals(Buffer.from(leafDer)) ? evil.der : c,
    );
    sdParts[3] = tlv(0xa0, cat(...certs));
    const rebuilt = tlv(0x30, cat(children(cms)[0]!, tlv(0xa0, tlv(0x30, cat(...sdParts)))));
    const r = verifyCms(parseCms(rebuilt), { content });
    expect(r.intact).toBe(false);
    expect(r.errors.map((e) => e.code)).toEqual(
      expect.arrayContaining(['ERR_CMS_SIGNATURE_INVALID', 'ERR_CMS_SIGNING_CERT_MISMATCH']),
    );
    // Without the signer certificate at all.
    const noLeaf = children(sdParts[3]).filter(
      (c) => !Buffer.from(c).equals(Buffer.from(evil.der)),
    );
    sdParts[3] = tlv(0xa0, cat(...noLeaf));
    const orphan = tlv(0x30, cat(children(cms)[0]!, tlv(0xa0, tlv(0x30, cat(...sdParts)))));
    expect(verifyCms(parseCms(orphan), { content }).errors.map((e) => e.code)).toContain(
      'ERR_CMS_SIGNER_NOT_FOUND',
    );
    expect(verifyCms(parseCms(orphan), { content, certificates: [leafDer] }).intact).toBe(true);
  });

  it('prepareCms + an external signature gives what signCms gives; toBeSigned is the DER SET', async () => {
    const chain = chains.get('sm2')!;
    const key = importPrivateKey(chain.leaf.keyPem);
    const certificateChain = [chain.leaf.der, chain.intermediate.der];
    const prepared = prepareCms({
      algorithm: 'sm2-sm3',
      certificateChain,
      contentDigest: digest('sm3', content),
    });
    expect(prepared.toBeSigned[0]).toBe(0x31);
    expect(prepared.digestAlgorithm).toBe('sm3');
    const remote = createRemoteSigner({
      algorithm: 'sm2-sm3',
      certificateChain,
      sign: async (req) => signData(key, 'sm2-sm3', req.data),
    });
    const cms = await prepared.finish(await remote.sign(prepared.toBeSigned));
    const parsed = parseCms(cms);
    expect(Buffer.from(parsed.signedAttributesDer!).equals(Buffer.from(prepared.toBeSigned))).toBe(
      true,
    );
    expect(verifyCms(parsed, { content }).intact).toBe(true);
  });

  it('a signer without a certificate is named by subjectKeyIdentifier (SignerInfo v3)', async () => {
    const chain = chains.get('p256')!;
    const bare = createSigner(importPrivateKey(chain.leaf.keyPem));
    const cms = await signCms({ signer: bare, content });
    const parsed = parseCms(cms);
    expect(parsed.sid.type).toBe('subjectKeyIdentifier');
    expect(parsed.signerInfoVersion).toBe(3);
    expect(parsed.version).toBe(3);
    expect(parsed.certificates).toHaveLength(0);
    expect(parsed.signingCertificateV2).toBeUndefined();
    expect(verifyCms(parsed, { content }).errors.map((e) => e.code)).toEqual([
      'ERR_CMS_SIGNER_NOT_FOUND',
    ]);
    // RFC 5280 method-1 key identifier: OpenSSL's subjectKeyIdentifier=hash matches it.
    expect(verifyCms(parsed, { content, certificates: [chain.leaf.der] }).intact).toBe(true);
  });

  it('timestamp: the TSA client gets the hash of the signature value; the token rides as an unsigned attribute', async () => {
    const seen: { hashAlgorithm: HashAlgorithm; digest: Uint8Array }[] = [];
    const fakeToken = tlv(0x30, tlv(0x06, Uint8Array.of(0x2a, 0x03)));
    const tsa: TsaClient = {
      timestamp: (req) => {
        seen.push(req);
        return Promise.resolve(fakeToken);
      },
    };
    const cms = await signCms({ signer: signers.get('rsa')!, content, timestamp: tsa });
    const parsed = parseCms(cms);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.hashAlgorithm).toBe('sha256');
    expect(
      Buffer.from(seen[0]!.digest).equals(Buffer.from(digest('sha256', parsed.signatureValue))),
    ).toBe(true);
    expect(parsed.timestampTokens.map((x) => Buffer.from(x).toString('hex'))).toEqual([
      Buffer.from(fakeToken).toString('hex'),
    ]);
    expect(parsed.unsignedAttributes[0]?.oid).toBe(pkixOids.signatureTimeStampToken);
    expect(verifyCms(parsed, { content }).intact).toBe(true);
  });

  it('cmsSizeBound is an upper bound and a tight one', async () => {
    for (const alg of algs) {
      const signer = signers.get(alg)!;
      const extra: CmsAttribute[] = [
        { oid: '1.2.156.112559.1.2', values: [tlv(0x04, new Uint8Array(700))] },
      ];
      const bound = cmsSizeBound({
        algorithm: signer.algorithm,
        publicKey: signer.publicKey!,
        certificateChain: signer.certificateChain,
        signedAttributes: extra,
        timestampTokenBytes: 3000,
      });
      const tsa: TsaClient = { timestamp: () => Promise.resolve(tlv(0x30, new Uint8Array(2996))) };
      for (let i = 0; i < 5; i++) {
        const cms = await signCms({
          signer,
          contentDigest: digest(
            alg === 'sm2' ? 'sm3' : alg === 'ed25519' ? 'sha512' : 'sha256',
            content,
          ),
          signedAttributes: extra,
          timestamp: tsa,
        });
        expect(cms.length).toBeLessThanOrEqual(bound);
        expect(bound - cms.length).toBeLessThan(40);
      }
    }
  });

  it('bad options and bad input give codes, never crashes', async () => {
    const signer = signers.get('p256')!;
    await expect(signCms({ signer })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(signCms({ signer, contentDigest: new Uint8Array(20) })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
    });
    await expect(
      signCms({ signer, contentDigest: new Uint8Array(32), encapsulate: true }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(
      signCms({
        signer,
        content,
        signedAttributes: [{ oid: pkixOids.messageDigest, values: [Uint8Array.of(4, 0)] }],
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(
      signCms({ signer: signers.get('sm2')!, content, digestAlgorithm: 'sha256' }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    const good = await signCms({ signer, content });
    for (const bad of [
      new Uint8Array(0),
      Uint8Array.of(0x30, 0x03, 0x06, 0x01, 0x2a),
      good.subarray(0, good.length - 10),
      enc('garbage'),
    ])
      expect(() => parseCms(bad)).toThrow(expect.objectContaining({ code: 'ERR_CMS_PARSE' }));
    expect(() => parseCms(new Uint8Array(100), { maxBytes: 50 })).toThrow(
      expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }),
    );
    // A /Contents placeholder pads with zeros after the CMS.
    const padded = new Uint8Array(good.length + 500);
    padded.set(good);
    expect(verifyCms(parseCms(padded), { content }).intact).toBe(true);
    let seed = 11;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    for (let i = 0; i < 300; i++) {
      const m = new Uint8Array(good);
      for (let k = 0; k < 2; k++) m[rand() % m.length] = rand() & 0xff;
      try {
        const v = verifyCms(parseCms(m), { content });
        expect(typeof v.intact).toBe('boolean');
      } catch (err) {
        expect(err).toMatchObject({ code: 'ERR_CMS_PARSE' });
      }
    }
  });
});
