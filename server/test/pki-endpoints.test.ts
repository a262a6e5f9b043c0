// PKI endpoints against OpenSSL: RFC 3161 (openssl ts -query / -verify), RFC 6960 (openssl ocsp -url, GET form), RFC 5280 CRLs (openssl crl -CAfile).
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildOcspRequest,
  parseCertificate,
  parseCrl,
  parseOcspResponse,
} from '@govtrust/core/pki';
import { hasTool } from '../../packages/core/test/helpers/tools.js';
import { DEV_PKI_DIR, startTestServer, type TestServer } from './helpers.js';

// The server runs in this process: third-party clients must not block the event loop.
const execFileAsync = promisify(execFile);
async function openssl(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await execFileAsync('openssl', args, { encoding: 'utf8' });
    return { stdout: r.stdout, stderr: r.stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.code ?? 1 };
  }
}

const pem = (alg: string, name: string): string => join(DEV_PKI_DIR, alg, `${name}.pem`);

describe.skipIf(!hasTool('openssl'))('PKI endpoints answer OpenSSL', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('POST /tsa: openssl ts -query request, -verify accepts the reply (SHA-256 and SHA-512)', async () => {
    const data = join(t.dataDir, 'data.txt');
    writeFileSync(data, '用印申请 2026-001: approved');
    for (const hash of ['-sha256', '-sha512']) {
      const tsq = join(t.dataDir, `req${hash}.tsq`);
      expect(
        (await openssl(['ts', '-query', '-data', data, hash, '-cert', '-out', tsq])).code,
      ).toBe(0);
      const res = await fetch(`${t.url}/tsa`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/timestamp-query' },
        body: readFileSync(tsq),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/timestamp-reply');
      const tsr = join(t.dataDir, `resp${hash}.tsr`);
      writeFileSync(tsr, Buffer.from(await res.arrayBuffer()));
      const text = await openssl(['ts', '-reply', '-in', tsr, '-text']);
      expect(text.stdout).toMatch(/Status: Granted/);
      const verify = await openssl([
        'ts',
        '-verify',
        '-data',
        data,
        '-in',
        tsr,
        '-CAfile',
        pem('p256', 'root'),
        '-untrusted',
        join(DEV_PKI_DIR, 'p256', 'tsa.chain.pem'),
      ]);
      expect(verify.stdout + verify.stderr).toMatch(/Verification: OK/);
    }
  });

  it('POST /tsa: a malformed request gets a rejection (HTTP 200, status rejection), a wrong content type 415', async () => {
    const res = await fetch(`${t.url}/tsa`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/timestamp-query' },
      body: 'not DER',
    });
    expect(res.status).toBe(200);
    const tsr = join(t.dataDir, 'bad.tsr');
    writeFileSync(tsr, Buffer.from(await res.arrayBuffer()));
    expect((await openssl(['ts', '-reply', '-in', tsr, '-text'])).stdout).toMatch(
      /Status: Rejected/,
    );
    const wrong = await fetch(`${t.url}/tsa`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'x',
    });
    expect(wrong.status).toBe(415);
    expect(await wrong.json()).toMatchObject({ code: 'ERR_HTTP_UNSUPPORTED_MEDIA_TYPE' });
  });

  it('POST /ocsp: openssl ocsp -url says good for org-a and revoked for the revoked identity', async () => {
    for (const alg of ['rsa', 'p256']) {
      const common = [
        'ocsp',
        '-issuer',
        pem(alg, 'intermediate'),
        '-url',
        `${t.url}/ocsp`,
        '-CAfile',
        pem(alg, 'root'),
        '-VAfile',
        pem(alg, 'ocsp'),
      ];
      const good = await openssl([...common, '-cert', pem(alg, 'org-a')]);
      expect(good.stdout + good.stderr).toMatch(/Response verify OK/);
      expect(good.stdout).toMatch(/org-a\.pem: good/);
      const revoked = await openssl([...common, '-cert', pem(alg, 'revoked')]);
      expect(revoked.stdout).toMatch(/revoked\.pem: revoked/);
      expect(revoked.stdout).toMatch(/Reason: keyCompromise/);
    }
  });

  it('GET /ocsp/{base64}: RFC 6960 Appendix A.1, with cache headers; garbage gets malformedRequest', async () => {
    const cert = parseCertificate(readFileSync(pem('p256', 'org-a')));
    const issuer = parseCertificate(readFileSync(pem('p256', 'intermediate')));
    const { der } = buildOcspRequest({ certificate: cert, issuer, nonce: false });
    const res = await fetch(
      `${t.url}/ocsp/${encodeURIComponent(Buffer.from(der).toString('base64'))}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/max-age=60/);
    const parsed = parseOcspResponse(new Uint8Array(await res.arrayBuffer()));
    expect(parsed.responseStatus).toBe('successful');
    expect(parsed.basic?.responses[0]?.status).toBe('good');
    const bad = parseOcspResponse(
      new Uint8Array(await (await fetch(`${t.url}/ocsp/%25%25notbase64`)).arrayBuffer()),
    );
    expect(bad.responseStatus).toBe('malformedRequest');
  });

  it('GET /crl/{ca}.crl: openssl crl verifies it against the CA; it lists the revoked identity; cRLNumber grows on regeneration', async () => {
    const res = await fetch(`${t.url}/crl/p256-intermediate.crl`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pkix-crl');
    const der = new Uint8Array(await res.arrayBuffer());
    const file = join(t.dataDir, 'int.crl');
    writeFileSync(file, der);
    const v = await openssl([
      'crl',
      '-inform',
      'DER',
      '-in',
      file,
      '-CAfile',
      join(DEV_PKI_DIR, 'p256', 'intermediate.chain.pem'),
      '-noout',
    ]);
    expect(v.stdout + v.stderr).toMatch(/verify OK/);
    const crl = parseCrl(der);
    const revoked = parseCertificate(readFileSync(pem('p256', 'revoked')));
    expect(crl.find(revoked.serialNumber)?.reason).toBe('keyCompromise');
    expect(crl.nextUpdate!.getTime()).toBeGreaterThan(crl.thisUpdate.getTime());
    expect((await fetch(`${t.url}/crl/nope-root.crl`)).status).toBe(404);
    const ca = await fetch(`${t.url}/ca/p256-intermediate.cer`);
    expect(ca.headers.get('content-type')).toBe('application/pkix-cert');
    expect(parseCertificate(new Uint8Array(await ca.arrayBuffer())).subject).toBe(
      parseCertificate(readFileSync(pem('p256', 'intermediate'))).subject,
    );
  });
});
