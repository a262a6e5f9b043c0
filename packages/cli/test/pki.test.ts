import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createTrustStore, parseCertificates, validatePath } from '@govtrust/core/pki';
import { cli } from './helpers.js';
import { tempDir } from '../../core/test/helpers/tools.js';

describe('govtrust pki init', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('writes the default DEV ONLY hierarchy for RSA, P-256 and SM2; keys are 0600; chains validate', async () => {
    const r = await cli('pki', 'init', '--out', t.path('dev'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('DEV ONLY');
    for (const alg of ['rsa', 'p256', 'sm2']) {
      for (const name of [
        'root',
        'intermediate',
        'seal-maker',
        'org-a',
        'org-b',
        'licence-issuer',
        'tsa',
        'ocsp',
      ]) {
        expect(existsSync(t.path(`dev/${alg}/${name}.pem`))).toBe(true);
        expect(statSync(t.path(`dev/${alg}/${name}.key`)).mode & 0o777).toBe(0o600);
      }
      const chain = parseCertificates(readFileSync(t.path(`dev/${alg}/org-a.chain.pem`), 'utf8'));
      const report = await validatePath({
        certificate: chain[0]!,
        intermediates: chain.slice(1),
        trust: createTrustStore([readFileSync(t.path(`dev/${alg}/root.pem`), 'utf8')]),
        at: new Date('2030-01-01T00:00:00Z'),
        purpose: 'document-signing',
      });
      expect(report.status).toBe('valid');
    }
    expect(
      JSON.parse(readFileSync(t.path('dev/manifest.json'), 'utf8')).sm2.tsa.signatureAlgorithm,
    ).toBe('sm2-sm3');
    // Existing files are not overwritten without --force.
    const again = await cli('pki', 'init', '--out', t.path('dev'));
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; pass --force/);
  });

  it('--config: a custom hierarchy; a bad one exits 2 with ERR_PKI_CONFIG', async () => {
    t.write(
      'one.json',
      JSON.stringify({
        validity: { notBefore: '2025-01-01T00:00:00Z', notAfter: '2026-01-01T00:00:00Z' },
        algorithms: { ec: { key: 'p256', label: 'EC' } },
        identities: [
          { name: 'ca', profile: 'root-ca', subject: { C: 'CN', CN: 'One {alg}' } },
          { name: 'tsa', profile: 'tsa', issuer: 'ca', subject: { CN: 'TSA {alg}' } },
        ],
      }),
    );
    const r = await cli('pki', 'init', '--out', t.path('one'), '--config', t.path('one.json'));
    expect(r.code).toBe(0);
    const tsa = parseCertificates(readFileSync(t.path('one/ec/tsa.pem'), 'utf8'))[0]!;
    expect(tsa.subject).toBe('CN=TSA EC');
    expect(tsa.issuer).toBe('CN=One EC,C=CN');
    t.write('bad.json', '{"validity": {"notBefore": "soon", "notAfter": "later"}}');
    const bad = await cli('pki', 'init', '--out', t.path('bad'), '--config', t.path('bad.json'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error ERR_PKI_CONFIG: /);
    t.write('notjson.json', '{');
    expect(
      (await cli('pki', 'init', '--out', t.path('bad'), '--config', t.path('notjson.json'))).stderr,
    ).toMatch(/ERR_PKI_CONFIG/);
  });
});
