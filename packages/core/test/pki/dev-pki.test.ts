import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkPkiHierarchyConfig,
  createCrlRevocationSource,
  defaultPkiHierarchyConfig,
  generatePkiHierarchy,
  validatePath,
  type CertificatePurpose,
} from '@govtrust/core/pki';
import { verifySignature } from '@govtrust/core/crypto';
import {
  DEV_PKI_DIR,
  DEV_PKI_NOW,
  devPkiPath,
  devTrustStore,
  loadDevCrl,
  loadDevIdentity,
  type DevAlgorithm,
  type DevIdentityName,
} from '../helpers/dev-pki.js';
import { hasTool, openssl, tempDir } from '../helpers/tools.js';

const algs: readonly DevAlgorithm[] = ['rsa', 'p256', 'sm2'];
const purposes: Record<Exclude<DevIdentityName, 'root' | 'intermediate'>, CertificatePurpose> = {
  'seal-maker': 'seal-making',
  'org-a': 'document-signing',
  'org-b': 'document-signing',
  'licence-issuer': 'licence-signing',
  tsa: 'time-stamping',
  ocsp: 'ocsp-signing',
  revoked: 'document-signing',
};
const leaves = Object.keys(purposes) as (keyof typeof purposes)[];

describe('dev PKI (certs-dev/)', () => {
  it('certs-dev/pki.config.json is the built-in default hierarchy', () => {
    const onDisk = JSON.parse(readFileSync(`${DEV_PKI_DIR}/pki.config.json`, 'utf8'));
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(defaultPkiHierarchyConfig)));
  });

  for (const alg of algs) {
    it(`${alg}: every end entity validates for its purpose at a fixed time; 'revoked' is revoked by the CRL`, async () => {
      const trust = devTrustStore(alg);
      const revocation = createCrlRevocationSource({
        crls: [loadDevCrl(alg, 'root').der, loadDevCrl(alg, 'intermediate').der],
      });
      for (const name of leaves) {
        const id = loadDevIdentity(alg, name);
        expect(id.signer.publicKey!.equals(id.certificate.publicKey)).toBe(true);
        expect(id.chain).toHaveLength(3);
        const report = await validatePath({
          certificate: id.certificate,
          intermediates: id.certificateChain.slice(1),
          trust,
          at: DEV_PKI_NOW,
          purpose: purposes[name],
          revocation,
          revocationRequired: true,
        });
        if (name === 'revoked') {
          expect(report.status).toBe('invalid');
          expect(report.revocation).toBe('revoked');
          expect(report.revocationReason).toBe('keyCompromise');
          expect(report.errors.map((e) => e.code)).toEqual(['ERR_PATH_REVOKED_CRL']);
        } else {
          expect(report.errors).toEqual([]);
          expect(report).toMatchObject({ status: 'valid', trusted: true, revocation: 'good' });
        }
      }
      // The validity window is long enough for tests run decades from now.
      expect(loadDevIdentity(alg, 'org-a').certificate.notAfter.toISOString()).toBe(
        '2045-01-01T00:00:00.000Z',
      );
    });
  }

  describe.skipIf(!hasTool('openssl'))('OpenSSL accepts the committed hierarchy', () => {
    for (const alg of ['rsa', 'p256'] as const) {
      it(`${alg}: openssl verify accepts every chain (with CRL checks), openssl crl -verify every CRL`, () => {
        for (const name of leaves) {
          const args = [
            'verify',
            '-CAfile',
            devPkiPath(alg, 'root.pem'),
            '-untrusted',
            devPkiPath(alg, 'intermediate.pem'),
            '-purpose',
            'any',
          ];
          expect(openssl([...args, devPkiPath(alg, `${name}.pem`)])).toContain('OK');
        }
        for (const ca of ['root', 'intermediate']) {
          const out = openssl([
            'crl',
            '-inform',
            'DER',
            '-in',
            devPkiPath(alg, `${ca}.crl`),
            '-CAfile',
            devPkiPath(alg, `${ca}.pem`),
            '-noout',
            '-verify',
          ]);
          expect(out).toBe('');
        }
      });
    }

    it('sm2: openssl verify -vfyopt distid accepts every link; pkeyutl the root and the CRL signatures', () => {
      const t = tempDir();
      try {
        const vfy = (ca: string, target: string): string =>
          openssl([
            'verify',
            '-vfyopt',
            'distid:1234567812345678',
            '-partial_chain',
            '-CAfile',
            devPkiPath('sm2', ca),
            devPkiPath('sm2', target),
          ]);
        expect(vfy('root.pem', 'intermediate.pem')).toContain('OK');
        for (const name of leaves) expect(vfy('intermediate.pem', `${name}.pem`)).toContain('OK');
        const pkeyutl = (pubPem: string, data: Uint8Array, sig: Uint8Array): string => {
          t.write('pub.pem', pubPem);
          t.write('data', data);
          t.write('sig', sig);
          return openssl([
            'pkeyutl',
            '-verify',
            '-pubin',
            '-inkey',
            t.path('pub.pem'),
            '-rawin',
            '-in',
            t.path('data'),
            '-sigfile',
            t.path('sig'),
            '-digest',
            'sm3',
            '-pkeyopt',
            'distid:1234567812345678',
          ]);
        };
        const root = loadDevIdentity('sm2', 'root').certificate;
        expect(pkeyutl(root.publicKey.toPem(), root.tbs, root.signatureValue)).toContain(
          'Signature Verified Successfully',
        );
        for (const ca of ['root', 'intermediate'] as const) {
          const crl = loadDevCrl('sm2', ca);
          const key = loadDevIdentity('sm2', ca).certificate.publicKey;
          expect(crl.signatureAlgorithm).toBe('sm2-sm3');
          expect(pkeyutl(key.toPem(), crl.tbs, crl.signatureValue)).toContain(
            'Signature Verified Successfully',
          );
          expect(verifySignature('sm2-sm3', key, crl.tbs, crl.signatureValue)).toBe(true);
        }
      } finally {
        t.cleanup();
      }
    });
  });

  it('configuration errors are reported with ERR_PKI_CONFIG and the offending path', async () => {
    const bad = [
      [{}, 'validity'],
      [
        { ...defaultPkiHierarchyConfig, algorithms: { x: { key: 'dsa', label: 'X' } } },
        'algorithms.x.key',
      ],
      [
        {
          ...defaultPkiHierarchyConfig,
          identities: [{ name: 'a', profile: 'seal-holder', subject: { CN: 'a' } }],
        },
        'identities[0].issuer',
      ],
      [
        {
          ...defaultPkiHierarchyConfig,
          identities: [
            ...defaultPkiHierarchyConfig.identities,
            { name: 'root', profile: 'root-ca', subject: { CN: 'x' } },
          ],
        },
        'identities[9].name',
      ],
      [
        {
          ...defaultPkiHierarchyConfig,
          identities: [
            { name: 'r', profile: 'root-ca', subject: { CN: 'r' } },
            { name: 'b', profile: 'nope', issuer: 'r', subject: { CN: 'b' } },
          ],
        },
        'identities[1].profile',
      ],
    ] as const;
    for (const [config, path] of bad) {
      expect(() => checkPkiHierarchyConfig(config)).toThrow(
        expect.objectContaining({ code: 'ERR_PKI_CONFIG', path }),
      );
    }
    // A subject attribute GovTrust does not know fails when issuing, still as a config error.
    await expect(
      generatePkiHierarchy({
        validity: defaultPkiHierarchyConfig.validity,
        algorithms: { p256: { key: 'p256', label: 'P' } },
        identities: [{ name: 'r', profile: 'root-ca', subject: { XX: 'r' } }],
      }),
    ).rejects.toMatchObject({ code: 'ERR_PKI_CONFIG', path: 'identities[0]' });
  });
});
