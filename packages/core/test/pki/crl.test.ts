import { afterAll, describe, expect, it } from 'vitest';
import {
  checkCrl,
  createCrl,
  createCrlIssuer,
  parseCrl,
  revocationReasons,
  type RevocationReason,
} from '@govtrust/core/pki';
import { DEV_PKI_NOW, devPkiPath, loadDevIdentity } from '../helpers/dev-pki.js';
import { hasTool, openssl, tempDir } from '../helpers/tools.js';

const reasons = revocationReasons.filter((r): r is RevocationReason => r !== undefined);

describe('CRLs (RFC 5280 clause 5)', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('round trip: cRLNumber, AKI, thisUpdate/nextUpdate, every reason code, invalidity date', async () => {
    const ca = loadDevIdentity('p256', 'intermediate');
    const entries = reasons.map((reason, i) => ({
      serialNumber: BigInt(1000 + i),
      revocationDate: new Date(Date.UTC(2025, 5, 1 + i)),
      reason,
      ...(i === 1 ? { invalidityDate: new Date('2025-05-20T00:00:00Z') } : {}),
    }));
    const der = await createCrl({
      issuer: { certificate: ca.certificate, signer: ca.signer },
      thisUpdate: DEV_PKI_NOW,
      nextUpdate: new Date('2026-06-08T08:00:00Z'),
      crlNumber: 42n,
      entries: [...entries, { serialNumber: 'ff01', revocationDate: DEV_PKI_NOW }],
    });
    const crl = parseCrl(der);
    expect(crl).toMatchObject({
      version: 2,
      crlNumber: 42n,
      authorityKeyIdentifier: ca.certificate.extensions.subjectKeyIdentifier,
      signatureAlgorithm: 'ecdsa-sha256',
    });
    expect(crl.issuer).toBe(ca.certificate.subject);
    expect(crl.thisUpdate.toISOString()).toBe(DEV_PKI_NOW.toISOString());
    expect(crl.nextUpdate?.toISOString()).toBe('2026-06-08T08:00:00.000Z');
    expect(crl.entries.map((e) => e.reason)).toEqual([...reasons, undefined]);
    expect(crl.entries[1]!.invalidityDate?.toISOString()).toBe('2025-05-20T00:00:00.000Z');
    // Serial lookups ignore the DER sign octet: 0xff01 is encoded 00 ff 01.
    expect(crl.entries[reasons.length]!.serialNumber).toBe('00ff01');
    expect(crl.find('ff01')).toBeDefined();
    expect(crl.find('00ff01')).toBeDefined();
    expect(crl.verifySignedBy(ca.certificate)).toBe(true);
    expect(crl.verifySignedBy(loadDevIdentity('p256', 'root').certificate)).toBe(false);
    expect(parseCrl(crl.toPem()).der).toEqual(crl.der);
  });

  it('createCrlIssuer numbers CRLs monotonically, even when called concurrently', async () => {
    const ca = loadDevIdentity('sm2', 'intermediate');
    const issuer = createCrlIssuer({
      issuer: { certificate: ca.certificate, signer: ca.signer },
      lastCrlNumber: 9n,
      now: () => DEV_PKI_NOW,
      validityMs: 86_400_000,
    });
    const crls = await Promise.all([1, 2, 3, 4].map(() => issuer.issue([])));
    expect(crls.map((d) => parseCrl(d).crlNumber)).toEqual([10n, 11n, 12n, 13n]);
    expect(issuer.lastCrlNumber).toBe(13n);
    const one = parseCrl(crls[0]!);
    expect(one.nextUpdate!.getTime() - one.thisUpdate.getTime()).toBe(86_400_000);
    expect(one.signatureAlgorithm).toBe('sm2-sm3');
    expect(one.verifySignedBy(ca.certificate)).toBe(true);
  });

  it('refuses an issuer without cRLSign and inconsistent options', async () => {
    const ee = loadDevIdentity('rsa', 'org-a');
    await expect(
      createCrl({
        issuer: { certificate: ee.certificate, signer: ee.signer },
        thisUpdate: DEV_PKI_NOW,
        nextUpdate: DEV_PKI_NOW,
        crlNumber: 1n,
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    const ca = loadDevIdentity('rsa', 'intermediate');
    await expect(
      createCrl({
        issuer: { certificate: ca.certificate, signer: ca.signer },
        thisUpdate: DEV_PKI_NOW,
        nextUpdate: new Date(0),
        crlNumber: 1n,
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(
      createCrl({
        issuer: { certificate: ca.certificate, signer: ca.signer },
        thisUpdate: DEV_PKI_NOW,
        nextUpdate: DEV_PKI_NOW,
        crlNumber: 1n,
        entries: [{ serialNumber: 'xyz', revocationDate: DEV_PKI_NOW }],
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('checkCrl: revoked only from the revocation date, stale after nextUpdate, refuses other signers', async () => {
    const ca = loadDevIdentity('rsa', 'intermediate');
    const leaf = loadDevIdentity('rsa', 'org-b').certificate;
    const der = await createCrl({
      issuer: { certificate: ca.certificate, signer: ca.signer },
      thisUpdate: DEV_PKI_NOW,
      nextUpdate: new Date('2026-07-01T00:00:00Z'),
      crlNumber: 5n,
      entries: [
        {
          serialNumber: leaf,
          revocationDate: new Date('2026-05-01T00:00:00Z'),
          reason: 'affiliationChanged',
        },
      ],
    });
    const crl = parseCrl(der);
    expect(checkCrl(crl, leaf, ca.certificate, DEV_PKI_NOW)).toMatchObject({
      status: 'revoked',
      source: 'crl',
      reason: 'affiliationChanged',
    });
    expect(checkCrl(crl, leaf, ca.certificate, new Date('2026-04-01T00:00:00Z'))).toMatchObject({
      status: 'good',
    });
    expect(
      checkCrl(crl, loadDevIdentity('rsa', 'org-a').certificate, ca.certificate, DEV_PKI_NOW),
    ).toMatchObject({ status: 'good', evidence: der });
    expect(checkCrl(crl, leaf, ca.certificate, new Date('2026-08-01T00:00:00Z'))).toMatchObject({
      status: 'unknown',
      issues: [{ code: 'ERR_CRL_STALE' }],
    });
    expect(
      checkCrl(crl, leaf, loadDevIdentity('rsa', 'root').certificate, DEV_PKI_NOW),
    ).toMatchObject({ status: 'unknown', issues: [{ code: 'ERR_CRL_SIGNATURE_INVALID' }] });
  });

  it('hostile input: garbage and corruption give ERR_CRL_PARSE, never a crash', async () => {
    for (const bad of [
      new Uint8Array(0),
      Uint8Array.of(0x30, 0x82, 0xff),
      new TextEncoder().encode('CRL'),
      Uint8Array.of(0x30, 0x80, 0x00, 0x00),
    ])
      expect(() => parseCrl(bad)).toThrow(expect.objectContaining({ code: 'ERR_CRL_PARSE' }));
    expect(() => parseCrl('-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----')).toThrow(
      expect.objectContaining({ code: 'ERR_CRL_PARSE' }),
    );
    const ca = loadDevIdentity('p256', 'intermediate');
    const good = await createCrl({
      issuer: { certificate: ca.certificate, signer: ca.signer },
      thisUpdate: DEV_PKI_NOW,
      nextUpdate: DEV_PKI_NOW,
      crlNumber: 1n,
      entries: [{ serialNumber: 5n, revocationDate: DEV_PKI_NOW, reason: 'keyCompromise' }],
    });
    let seed = 3;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    for (let i = 0; i < 300; i++) {
      const m = new Uint8Array(good);
      m[rand() % m.length] = rand() & 0xff;
      try {
        const crl = parseCrl(m);
        expect(typeof crl.verifySignedBy(ca.certificate)).toBe('boolean');
      } catch (err) {
        expect(err).toMatchObject({ code: 'ERR_CRL_PARSE' });
      }
    }
  });

  describe.skipIf(!hasTool('openssl'))('OpenSSL interop', () => {
    for (const alg of ['rsa', 'p256'] as const) {
      it(`${alg}: openssl crl -verify accepts ours and lists its entries; openssl verify -crl_check uses it`, async () => {
        const ca = loadDevIdentity(alg, 'intermediate');
        const leaf = loadDevIdentity(alg, 'org-b').certificate;
        const der = await createCrl({
          issuer: { certificate: ca.certificate, signer: ca.signer },
          thisUpdate: new Date(Date.now() - 3600_000),
          nextUpdate: new Date(Date.now() + 86_400_000),
          crlNumber: 77n,
          entries: [
            {
              serialNumber: leaf,
              revocationDate: new Date('2025-06-01T00:00:00Z'),
              reason: 'superseded',
            },
          ],
        });
        t.write('ours.crl', der);
        expect(
          openssl([
            'crl',
            '-inform',
            'DER',
            '-in',
            t.path('ours.crl'),
            '-CAfile',
            devPkiPath(alg, 'intermediate.pem'),
            '-noout',
            '-verify',
          ]),
        ).toBe('');
        const text = openssl([
          'crl',
          '-inform',
          'DER',
          '-in',
          t.path('ours.crl'),
          '-noout',
          '-text',
        ]);
        expect(text).toMatch(/CRL Number: \s*77/);
        expect(text).toContain(
          `Serial Number: ${leaf.serialNumber.toUpperCase().replace(/^00/, '')}`,
        );
        expect(text).toContain('Superseded');
        openssl([
          'crl',
          '-inform',
          'DER',
          '-in',
          t.path('ours.crl'),
          '-out',
          t.path('ours.crl.pem'),
        ]);
        openssl([
          'crl',
          '-inform',
          'DER',
          '-in',
          devPkiPath(alg, 'root.crl'),
          '-out',
          t.path('root.crl.pem'),
        ]);
        const r = openssl([
          'verify',
          '-crl_check_all',
          '-CRLfile',
          t.path('ours.crl.pem'),
          '-CRLfile',
          t.path('root.crl.pem'),
          '-CAfile',
          devPkiPath(alg, 'root.pem'),
          '-untrusted',
          devPkiPath(alg, 'intermediate.pem'),
          devPkiPath(alg, 'org-a.pem'),
        ]);
        expect(r).toContain('OK');
      });
    }

    it('we parse and check CRLs made by `openssl ca -gencrl`', () => {
      const ca = loadDevIdentity('rsa', 'intermediate');
      const revoked = loadDevIdentity('rsa', 'org-b').certificate;
      t.write(
        'index.txt',
        `R\t450101000000Z\t250601000000Z,keyCompromise\t${revoked.serialNumber.toUpperCase()}\tunknown\t/CN=x\n`,
      );
      t.write('crlnumber', '1000\n');
      t.write(
        'ca.cnf',
        [
          '[ ca ]',
          'default_ca = d',
          '[ d ]',
          `database = ${t.path('index.txt')}`,
          `crlnumber = ${t.path('crlnumber')}`,
          'default_md = sha256',
          'default_crl_days = 30',
          'crl_extensions = ext',
          '[ ext ]',
          'authorityKeyIdentifier = keyid',
          '',
        ].join('\n'),
      );
      openssl([
        'ca',
        '-gencrl',
        '-config',
        t.path('ca.cnf'),
        '-cert',
        ca.paths.cert,
        '-keyfile',
        ca.paths.key,
        '-out',
        t.path('theirs.crl'),
      ]);
      const crl = parseCrl(t.read('theirs.crl'));
      expect(crl.crlNumber).toBe(0x1000n);
      expect(crl.authorityKeyIdentifier).toBe(ca.certificate.extensions.subjectKeyIdentifier);
      expect(crl.verifySignedBy(ca.certificate)).toBe(true);
      expect(crl.find(revoked)).toMatchObject({ reason: 'keyCompromise' });
      expect(checkCrl(crl, revoked, ca.certificate, new Date())).toMatchObject({
        status: 'revoked',
        reason: 'keyCompromise',
      });
    });
  });
});
