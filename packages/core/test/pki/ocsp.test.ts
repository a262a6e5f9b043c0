import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { promisify } from 'node:util';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildOcspRequest,
  checkOcspResponse,
  createCertificateStatusRegistry,
  createOcspResponder,
  createOcspRevocationSource,
  issueCertificate,
  ocspRequestFromGetPath,
  parseOcspRequest,
  parseOcspResponse,
  validatePath,
  type OcspResponder,
} from '@govtrust/core/pki';
import { generateKeyPair, verifySignature } from '@govtrust/core/crypto';
import {
  DEV_PKI_NOW,
  devPkiPath,
  devTrustStore,
  loadDevIdentity,
  type DevAlgorithm,
} from '../helpers/dev-pki.js';
import { hasTool, openssl, tempDir, tryRun } from '../helpers/tools.js';

const revokedAt = new Date('2025-06-01T00:00:00Z');

function responderFor(alg: DevAlgorithm, options: { now?: Date } = {}): OcspResponder {
  const registry = createCertificateStatusRegistry();
  for (const name of ['org-a', 'org-b', 'seal-maker', 'revoked'] as const)
    registry.add(loadDevIdentity(alg, name).certificate);
  registry.revoke(loadDevIdentity(alg, 'revoked').certificate, {
    at: revokedAt,
    reason: 'keyCompromise',
  });
  const now = options.now ?? DEV_PKI_NOW;
  return createOcspResponder({
    signer: loadDevIdentity(alg, 'ocsp').signer,
    issuers: [loadDevIdentity(alg, 'intermediate').certificate],
    lookup: registry.lookup,
    now: () => now,
    validityMs: 3600_000,
  });
}

describe('OCSP (RFC 6960)', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  for (const alg of ['rsa', 'p256', 'sm2'] as const) {
    it(`${alg}: good / revoked / unknown, nonce echo, thisUpdate/nextUpdate, delegated responder checked`, async () => {
      const responder = responderFor(alg);
      const issuer = loadDevIdentity(alg, 'intermediate').certificate;
      const ask = async (
        certificate = loadDevIdentity(alg, 'org-a').certificate,
        hashAlgorithm: 'sha1' | 'sha256' | 'sm3' = 'sha1',
      ) => {
        const req = buildOcspRequest({ certificate, issuer, hashAlgorithm });
        const der = await responder.handleRequest(req.der);
        return {
          req,
          der,
          status: checkOcspResponse(der, {
            certificate,
            issuer,
            at: DEV_PKI_NOW,
            nonce: req.nonce!,
          }),
        };
      };
      const good = await ask();
      expect(good.status).toMatchObject({ status: 'good', source: 'ocsp' });
      const parsed = parseOcspResponse(good.der);
      expect(parsed.responseStatus).toBe('successful');
      const single = parsed.basic!.responses[0]!;
      expect(single.thisUpdate.toISOString()).toBe(DEV_PKI_NOW.toISOString());
      expect(single.nextUpdate!.getTime() - single.thisUpdate.getTime()).toBe(3600_000);
      expect(Buffer.from(parsed.basic!.nonce!).equals(Buffer.from(good.req.nonce!))).toBe(true);
      expect(parsed.basic!.certificates).toHaveLength(1);
      // Any CertID hash the client picks is answered.
      expect((await ask(undefined, 'sha256')).status.status).toBe('good');
      expect((await ask(undefined, 'sm3')).status.status).toBe('good');
      expect((await ask(loadDevIdentity(alg, 'revoked').certificate)).status).toMatchObject({
        status: 'revoked',
        revokedAt,
        reason: 'keyCompromise',
      });
      // Issued by the intermediate but never recorded: unknown.
      const stranger = await ask(loadDevIdentity(alg, 'licence-issuer').certificate);
      expect(stranger.status.status).toBe('unknown');
      expect(parseOcspResponse(stranger.der).basic!.responses[0]!.status).toBe('unknown');
      if (alg === 'sm2') {
        const key = loadDevIdentity('sm2', 'ocsp').certificate.publicKey;
        expect(
          verifySignature('sm2-sm3', key, parsed.basic!.tbs, parsed.basic!.signatureValue),
        ).toBe(true);
      }
    });
  }

  it('unauthorized for issuers it does not serve; malformed, oversized and bad nonces get malformedRequest; lookup failures internalError', async () => {
    const responder = responderFor('rsa');
    const root = loadDevIdentity('rsa', 'root').certificate;
    const inter = loadDevIdentity('rsa', 'intermediate').certificate;
    const status = async (der: Uint8Array): Promise<string> =>
      parseOcspResponse(await responder.handleRequest(der)).responseStatus;
    expect(await status(buildOcspRequest({ certificate: inter, issuer: root }).der)).toBe(
      'unauthorized',
    );
    const p256Leaf = loadDevIdentity('p256', 'org-a');
    expect(
      await status(
        buildOcspRequest({ certificate: p256Leaf.certificate, issuer: p256Leaf.chain[1]! }).der,
      ),
    ).toBe('unauthorized');
    const good = buildOcspRequest({
      certificate: loadDevIdentity('rsa', 'org-a').certificate,
      issuer: inter,
    }).der;
    expect(await status(good.subarray(0, good.length - 3))).toBe('malformedRequest');
    expect(await status(new TextEncoder().encode('GET / HTTP/1.1'))).toBe('malformedRequest');
    expect(await status(new Uint8Array(0))).toBe('malformedRequest');
    expect(await status(new Uint8Array(100_000).fill(0x30))).toBe('malformedRequest');
    // RFC 9654: nonces up to 128 octets are fine; longer ones are refused.
    const n128 = buildOcspRequest({
      certificate: loadDevIdentity('rsa', 'org-a').certificate,
      issuer: inter,
      nonce: new Uint8Array(128).fill(9),
    });
    expect(await status(n128.der)).toBe('successful');
    expect(() =>
      buildOcspRequest({ certificate: inter, issuer: root, nonce: new Uint8Array(129) }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
    const failing = createOcspResponder({
      signer: loadDevIdentity('rsa', 'ocsp').signer,
      issuers: [inter],
      lookup: () => Promise.reject(new Error('database down')),
    });
    expect(parseOcspResponse(await failing.handleRequest(good)).responseStatus).toBe(
      'internalError',
    );
    // A signer that is neither the CA nor its delegated responder is refused up front.
    expect(() =>
      createOcspResponder({
        signer: loadDevIdentity('rsa', 'org-a').signer,
        issuers: [inter],
        lookup: () => ({ status: 'good' }),
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
    // The CA itself may answer (responderID names the CA; no certificates needed).
    const caSigned = createOcspResponder({
      signer: loadDevIdentity('rsa', 'intermediate').signer,
      issuers: [inter],
      lookup: () => ({ status: 'good' }),
    });
    const leaf = loadDevIdentity('rsa', 'org-a').certificate;
    const r = await caSigned.handleRequest(
      buildOcspRequest({ certificate: leaf, issuer: inter, nonce: false }).der,
    );
    expect(parseOcspResponse(r).basic!.certificates).toHaveLength(0);
    expect(checkOcspResponse(r, { certificate: leaf, issuer: inter, at: DEV_PKI_NOW }).status).toBe(
      'good',
    );
  });

  it('client-side checks: nonce mismatch, staleness, another CA’s responder, garbage', async () => {
    const responder = responderFor('p256');
    const inter = loadDevIdentity('p256', 'intermediate').certificate;
    const leaf = loadDevIdentity('p256', 'org-a').certificate;
    const req = buildOcspRequest({ certificate: leaf, issuer: inter });
    const der = await responder.handleRequest(req.der);
    expect(
      checkOcspResponse(der, {
        certificate: leaf,
        issuer: inter,
        at: DEV_PKI_NOW,
        nonce: new Uint8Array(32),
      }),
    ).toMatchObject({
      status: 'unknown',
      issues: [{ code: 'ERR_OCSP_NONCE_MISMATCH' }],
    });
    const later = new Date(DEV_PKI_NOW.getTime() + 2 * 3600_000);
    expect(checkOcspResponse(der, { certificate: leaf, issuer: inter, at: later })).toMatchObject({
      status: 'unknown',
      issues: [{ code: 'ERR_OCSP_STALE' }],
    });
    // The same response checked against a different issuer key does not cover the certificate.
    const otherIssuer = loadDevIdentity('rsa', 'intermediate').certificate;
    expect(
      checkOcspResponse(der, { certificate: leaf, issuer: otherIssuer, at: DEV_PKI_NOW }).status,
    ).toBe('unknown');
    // A responder certificate issued by another CA is not authorised for this one.
    const { privateKey, publicKey } = generateKeyPair('p256');
    const rogueResponderCert = await issueCertificate({
      profile: 'ocsp-responder',
      subject: 'CN=Rogue responder',
      publicKey,
      issuer: {
        certificate: loadDevIdentity('p256', 'root').certificate,
        signer: loadDevIdentity('p256', 'root').signer,
      },
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2030-01-01T00:00:00Z'),
    });
    const { createSigner } = await import('@govtrust/core/crypto');
    const rogue = createOcspResponder({
      signer: createSigner(privateKey, { certificateChain: [rogueResponderCert.der] }),
      issuers: [loadDevIdentity('p256', 'root').certificate],
      lookup: () => ({ status: 'good' }),
      now: () => DEV_PKI_NOW,
    });
    // Answer for the root's child (the intermediate) with the rogue responder, then present it as if about `leaf`.
    const rogueDer = await rogue.handleRequest(
      buildOcspRequest({ certificate: inter, issuer: loadDevIdentity('p256', 'root').certificate })
        .der,
    );
    expect(
      checkOcspResponse(rogueDer, {
        certificate: inter,
        issuer: loadDevIdentity('p256', 'root').certificate,
        at: DEV_PKI_NOW,
      }).status,
    ).toBe('good');
    expect(
      checkOcspResponse(rogueDer, { certificate: leaf, issuer: inter, at: DEV_PKI_NOW }).status,
    ).toBe('unknown');
    expect(
      checkOcspResponse(new Uint8Array([1, 2, 3]), {
        certificate: leaf,
        issuer: inter,
        at: DEV_PKI_NOW,
      }),
    ).toMatchObject({ status: 'unknown', issues: [{ code: 'ERR_OCSP_PARSE' }] });
    expect(() => parseOcspResponse(new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x09]))).toThrow(
      expect.objectContaining({ code: 'ERR_OCSP_PARSE' }),
    );
    expect(() => parseOcspRequest(new Uint8Array([0x30, 0x00]))).toThrow(
      expect.objectContaining({ code: 'ERR_OCSP_PARSE' }),
    );
    // RFC 6960 appendix A.1 GET form.
    const b64 = encodeURIComponent(Buffer.from(req.der).toString('base64'));
    expect(Buffer.from(ocspRequestFromGetPath(b64)).equals(Buffer.from(req.der))).toBe(true);
    expect(() => ocspRequestFromGetPath('%%%')).toThrow(
      expect.objectContaining({ code: 'ERR_OCSP_PARSE' }),
    );
  });

  describe('over HTTP (listen(0)): our client and openssl ocsp', () => {
    let server: Server;
    let url = '';
    // The real clock: openssl checks thisUpdate/nextUpdate against its own.
    const responder = responderFor('rsa', { now: new Date() });
    beforeAll(async () => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body =
            req.method === 'GET'
              ? ocspRequestFromGetPath(req.url!.split('/').pop()!)
              : new Uint8Array(Buffer.concat(chunks));
          void responder.handleRequest(body).then((out) => {
            res
              .writeHead(200, {
                'content-type': 'application/ocsp-response',
                'content-length': out.length,
              })
              .end(Buffer.from(out));
          });
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ocsp`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('path validation with an OCSP revocation source: good, and ERR_PATH_REVOKED_OCSP', async () => {
      const revocation = createOcspRevocationSource({ url, timeoutMs: 5000 });
      const trust = devTrustStore('rsa');
      const check = (name: 'org-a' | 'revoked') => {
        const id = loadDevIdentity('rsa', name);
        // Only the leaf: the intermediate is the root's business (no OCSP for it here).
        return validatePath({
          certificate: id.certificate,
          intermediates: id.certificateChain,
          trust,
          at: DEV_PKI_NOW,
          revocation,
        });
      };
      const good = await check('org-a');
      expect(good.revocationDetails?.[0]).toMatchObject({ status: 'good', source: 'ocsp' });
      expect(good.revocation).toBe('unknown'); // the intermediate's responder is not this one
      expect(good.warnings.map((w) => w.code)).toEqual(['ERR_PATH_REVOCATION_UNKNOWN']);
      expect(good.status).toBe('valid');
      const revoked = await check('revoked');
      expect(revoked.status).toBe('invalid');
      expect(revoked.revocation).toBe('revoked');
      expect(revoked.errors.map((e) => e.code)).toEqual(['ERR_PATH_REVOKED_OCSP']);
      expect(revoked.revokedAt?.toISOString()).toBe(revokedAt.toISOString());
      const down = createOcspRevocationSource({ url: 'http://127.0.0.1:1/ocsp', timeoutMs: 1000 });
      const s = await down.check(
        loadDevIdentity('rsa', 'org-a').certificate,
        loadDevIdentity('rsa', 'intermediate').certificate,
        DEV_PKI_NOW,
      );
      expect(s).toMatchObject({ status: 'unknown', issues: [{ code: 'ERR_PKI_FETCH' }] });
    });

    it.skipIf(!hasTool('openssl'))(
      'openssl ocsp (as the client, over HTTP) verifies our responses',
      async () => {
        // Asynchronous: a synchronous child would block the event loop that serves its request.
        const run = async (args: string[]): Promise<string> => {
          const r = await promisify(execFile)('openssl', args, { timeout: 20_000 });
          expect(r.stderr).toContain('Response verify OK');
          return r.stdout;
        };
        const base = [
          'ocsp',
          '-issuer',
          devPkiPath('rsa', 'intermediate.pem'),
          '-url',
          url,
          '-CAfile',
          devPkiPath('rsa', 'root.pem'),
          '-verify_other',
          devPkiPath('rsa', 'ocsp.chain.pem'),
        ];
        const a = await run([...base, '-cert', devPkiPath('rsa', 'org-a.pem')]);
        expect(a).toMatch(/org-a\.pem: good/);
        const r = await run([...base, '-cert', devPkiPath('rsa', 'revoked.pem')]);
        expect(r).toMatch(
          /revoked\.pem: revoked[\s\S]*Reason: keyCompromise[\s\S]*Revocation Time: Jun {2}1 00:00:00 2025 GMT/,
        );
        const u = await run([...base, '-cert', devPkiPath('rsa', 'tsa.pem')]);
        expect(u).toMatch(/tsa\.pem: unknown/);
      },
    );
  });

  describe.skipIf(!hasTool('openssl'))('OpenSSL interop (files)', () => {
    for (const alg of ['rsa', 'p256'] as const) {
      it(`${alg}: openssl ocsp -respin -verify_other accepts our responses to its requests, nonce included`, async () => {
        // The real clock: openssl checks thisUpdate/nextUpdate against its own.
        const responder = responderFor(alg, { now: new Date() });
        openssl([
          'ocsp',
          '-issuer',
          devPkiPath(alg, 'intermediate.pem'),
          '-cert',
          devPkiPath(alg, 'revoked.pem'),
          '-cert',
          devPkiPath(alg, 'org-b.pem'),
          '-reqout',
          t.path('req.der'),
        ]);
        expect(parseOcspRequest(t.read('req.der')).nonce).toBeDefined();
        t.write('resp.der', await responder.handleRequest(t.read('req.der')));
        // -reqin (not -cert, which would build a new request with a new nonce): openssl checks the nonce echo.
        const r = tryRun('openssl', [
          'ocsp',
          '-reqin',
          t.path('req.der'),
          '-respin',
          t.path('resp.der'),
          '-issuer',
          devPkiPath(alg, 'intermediate.pem'),
          '-CAfile',
          devPkiPath(alg, 'root.pem'),
          '-verify_other',
          devPkiPath(alg, 'ocsp.pem'),
          '-resp_text',
        ]);
        const out = r.stdout + r.stderr;
        expect(r.status).toBe(0);
        expect(out).toContain('Response verify OK');
        expect(out).not.toMatch(/Nonce Verify error|WARNING/);
        expect(out.match(/Cert Status: (\w+)/g)).toEqual([
          'Cert Status: revoked',
          'Cert Status: good',
        ]);
        expect(out).toContain('Revocation Reason: keyCompromise');
        expect(out).toContain('OCSP Nonce');
        // openssl reports an unauthorized response.
        openssl([
          'ocsp',
          '-issuer',
          devPkiPath(alg, 'root.pem'),
          '-cert',
          devPkiPath(alg, 'intermediate.pem'),
          '-reqout',
          t.path('req2.der'),
        ]);
        t.write('resp2.der', await responder.handleRequest(t.read('req2.der')));
        const u = tryRun('openssl', [
          'ocsp',
          '-respin',
          t.path('resp2.der'),
          '-resp_text',
          '-noverify',
        ]);
        expect(u.stdout + u.stderr).toMatch(/unauthorized \(6\)/);
      });
    }

    it('we check responses made by `openssl ocsp -index` (and refuse one signed by a non-OCSP key)', () => {
      const alg = 'rsa';
      const fmt = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
      const org = loadDevIdentity(alg, 'org-a').certificate;
      const rev = loadDevIdentity(alg, 'revoked').certificate;
      const row = (status: string, cert: typeof org, rest: string) =>
        `${status}\t${fmt(cert.notAfter)}\t${rest}\t${cert.serialNumber.toUpperCase()}\tunknown\t/CN=x\n`;
      t.write('index.txt', row('V', org, '') + row('R', rev, `${fmt(revokedAt)},keyCompromise`));
      const inter = loadDevIdentity(alg, 'intermediate').certificate;
      for (const [cert, expected] of [
        [org, 'good'],
        [rev, 'revoked'],
      ] as const) {
        const req = buildOcspRequest({ certificate: cert, issuer: inter });
        t.write('q.der', req.der);
        openssl([
          'ocsp',
          '-index',
          t.path('index.txt'),
          '-rsigner',
          devPkiPath(alg, 'ocsp.pem'),
          '-rkey',
          devPkiPath(alg, 'ocsp.key'),
          '-CA',
          devPkiPath(alg, 'intermediate.pem'),
          '-reqin',
          t.path('q.der'),
          '-respout',
          t.path('r.der'),
          '-ndays',
          '1',
        ]);
        const status = checkOcspResponse(t.read('r.der'), {
          certificate: cert,
          issuer: inter,
          at: new Date(),
          nonce: req.nonce!,
        });
        expect(status.status).toBe(expected);
        if (status.status === 'revoked')
          expect(status).toMatchObject({ revokedAt, reason: 'keyCompromise' });
      }
      // Signed by a seal-holder key OpenSSL does not vet: our check refuses the responder.
      const req = buildOcspRequest({ certificate: org, issuer: inter });
      t.write('q.der', req.der);
      openssl([
        'ocsp',
        '-index',
        t.path('index.txt'),
        '-rsigner',
        devPkiPath(alg, 'org-b.pem'),
        '-rkey',
        devPkiPath(alg, 'org-b.key'),
        '-CA',
        devPkiPath(alg, 'intermediate.pem'),
        '-reqin',
        t.path('q.der'),
        '-respout',
        t.path('r.der'),
      ]);
      expect(
        checkOcspResponse(t.read('r.der'), { certificate: org, issuer: inter, at: new Date() }),
      ).toMatchObject({
        status: 'unknown',
        issues: [{ code: 'ERR_OCSP_RESPONSE_INVALID' }],
      });
    });
  });
});
