import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCms, signCms, verifyCms } from '@govtrust/core/cms';
import { digest, type HashAlgorithm, type Signer } from '@govtrust/core/crypto';
import {
  buildTimeStampRequest,
  createHttpTsaClient,
  createTimeStampAuthority,
  parseTimeStampRequest,
  parseTimeStampResponse,
  parseTimestampToken,
  pkixOids,
  verifyTimestampToken,
  type TimeStampAuthority,
} from '@govtrust/core/pki';
import {
  DEV_PKI_NOW,
  devPkiPath,
  devTrustStore,
  loadDevIdentity,
  type DevAlgorithm,
} from '../helpers/dev-pki.js';
import { hasTool, openssl, tempDir, tryRun } from '../helpers/tools.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const data = enc('GovTrust 时间戳测试数据\n'.repeat(50));

function tsaFor(
  alg: DevAlgorithm,
  extra: Partial<Parameters<typeof createTimeStampAuthority>[0]> = {},
): TimeStampAuthority {
  return createTimeStampAuthority({
    signer: loadDevIdentity(alg, 'tsa').signer,
    now: DEV_PKI_NOW, // a fixed instant; servers pass a function
    ...extra,
  });
}

/** DER of a TimeStampReq with any hash OID (to test algorithms we do not build). */
function requestWithOid(oidHex: string, hashLength: number): Uint8Array {
  const alg = Buffer.concat([
    Buffer.from([0x30, oidHex.length / 2 + 2, 0x06, oidHex.length / 2]),
    Buffer.from(oidHex, 'hex'),
  ]);
  const hashed = Buffer.concat([Buffer.from([0x04, hashLength]), Buffer.alloc(hashLength, 7)]);
  const imprint = Buffer.concat([Buffer.from([0x30, alg.length + hashed.length]), alg, hashed]);
  const body = Buffer.concat([Buffer.from([0x02, 0x01, 0x01]), imprint]);
  return new Uint8Array(Buffer.concat([Buffer.from([0x30, body.length]), body]));
}

describe('RFC 3161 time-stamp authority', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  for (const alg of ['rsa', 'p256', 'sm2'] as const) {
    it(`${alg}: the in-process client gets tokens we verify: imprint, signature, ESS v2, EKU, chain at genTime`, async () => {
      const tsa = tsaFor(alg);
      for (const hash of ['sha256', 'sha384', 'sha512', 'sm3'] as const) {
        const d = digest(hash, data);
        const token = await tsa.client().timestamp({ hashAlgorithm: hash, digest: d });
        const report = await verifyTimestampToken(token, {
          digest: d,
          hashAlgorithm: hash,
          trust: devTrustStore(alg),
          now: DEV_PKI_NOW,
        });
        expect(report.errors).toEqual([]);
        expect(report).toMatchObject({ valid: true, trusted: true, hashAlgorithm: hash });
        expect(report.time.toISOString()).toBe(DEV_PKI_NOW.toISOString());
        expect(report.tsa).toContain('GovTrust Dev TSA');
        const cms = parseCms(token);
        expect(cms.encapsulatedContentType).toBe(pkixOids.ctTstInfo);
        expect(cms.contentType).toBe(pkixOids.ctTstInfo);
        expect(cms.signingCertificateV2).toHaveLength(1);
        expect(cms.digestAlgorithm).toBe(alg === 'sm2' ? 'sm3' : 'sha256');
      }
    });
  }

  it('serial numbers are unique, nonces are echoed, certReq false leaves the certificates out (RFC 3161 2.4.1)', async () => {
    const tsa = tsaFor('p256');
    const serials = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const req = buildTimeStampRequest({
        hashAlgorithm: 'sha256',
        digest: digest('sha256', enc(`m${i}`)),
        nonce: BigInt(1000 + i),
      });
      const res = parseTimeStampResponse(await tsa.handleRequest(req.der));
      expect(res.status).toBe(0);
      const info = parseTimestampToken(res.token!);
      expect(info.nonce).toBe(BigInt(1000 + i));
      serials.add(info.serialNumber);
    }
    expect(serials.size).toBe(200);
    const noCert = buildTimeStampRequest({
      hashAlgorithm: 'sha256',
      digest: digest('sha256', data),
      certReq: false,
    });
    const token = parseTimeStampResponse(await tsa.handleRequest(noCert.der)).token!;
    expect(parseCms(token).certificates).toHaveLength(0);
    const report = await verifyTimestampToken(token, {
      digest: digest('sha256', data),
      hashAlgorithm: 'sha256',
    });
    expect(report.errors.map((e) => e.code)).toEqual(['ERR_TSP_SIGNATURE_INVALID']);
    // With the TSA certificate supplied, the same token verifies.
    const withCert = await verifyTimestampToken(token, {
      digest: digest('sha256', data),
      hashAlgorithm: 'sha256',
      intermediates: loadDevIdentity('p256', 'tsa').certificateChain,
      trust: devTrustStore('p256'),
      now: DEV_PKI_NOW,
    });
    expect(withCert.valid).toBe(true);
  });

  it('bad requests get RFC rejections with failInfo, never exceptions', async () => {
    const tsa = tsaFor('rsa', { maxRequestBytes: 1024 });
    const good = buildTimeStampRequest({
      hashAlgorithm: 'sha256',
      digest: digest('sha256', data),
    }).der;
    const cases: [string, Uint8Array, string][] = [
      [
        'sha1 imprint',
        buildTimeStampRequest({ hashAlgorithm: 'sha1', digest: digest('sha1', data) }).der,
        'badAlg',
      ],
      ['md5 imprint', requestWithOid('2a864886f70d0205', 16), 'badAlg'],
      ['unknown OID', requestWithOid('2a0304', 32), 'badAlg'],
      ['wrong imprint length', requestWithOid('608648016503040201', 20), 'badDataFormat'],
      ['garbage', enc('hello, TSA'), 'badDataFormat'],
      ['empty', new Uint8Array(0), 'badDataFormat'],
      ['truncated', good.subarray(0, good.length - 5), 'badDataFormat'],
      ['oversized', new Uint8Array(5000).fill(0x30), 'badDataFormat'],
      [
        'unaccepted policy',
        buildTimeStampRequest({
          hashAlgorithm: 'sha256',
          digest: digest('sha256', data),
          policy: '1.2.3.4',
        }).der,
        'unacceptedPolicy',
      ],
    ];
    for (const [what, der, fail] of cases) {
      const res = parseTimeStampResponse(await tsa.handleRequest(der));
      expect({ what, status: res.status, failInfo: res.failInfo }).toEqual({
        what,
        status: 2,
        failInfo: [fail],
      });
      expect(res.token).toBeUndefined();
    }
    const clockless = tsaFor('rsa', { clockCheck: () => false });
    expect(parseTimeStampResponse(await clockless.handleRequest(good)).failInfo).toEqual([
      'timeNotAvailable',
    ]);
    const failing: Signer = {
      ...loadDevIdentity('rsa', 'tsa').signer,
      sign: () => Promise.reject(new Error('HSM offline')),
    };
    const broken = createTimeStampAuthority({ signer: failing });
    expect(parseTimeStampResponse(await broken.handleRequest(good)).failInfo).toEqual([
      'systemFailure',
    ]);
    // The in-process client turns a rejection into ERR_TSA_REJECTED with the failInfo.
    const sha512only = tsaFor('rsa', { hashAlgorithms: ['sha512'] });
    await expect(
      sha512only.client().timestamp({ hashAlgorithm: 'sha256', digest: digest('sha256', data) }),
    ).rejects.toMatchObject({
      code: 'ERR_TSA_REJECTED',
      status: 2,
      failInfo: ['badAlg'],
    });
    // A signer whose certificate is not a TSA certificate is refused up front (RFC 3161 2.3).
    expect(() =>
      createTimeStampAuthority({ signer: loadDevIdentity('rsa', 'org-a').signer }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });

  it('verifyTimestampToken reports wrong data, wrong trust, a non-TSA signer, and rejects garbage', async () => {
    const tsa = tsaFor('rsa');
    const d = digest('sha256', data);
    const token = await tsa.client().timestamp({ hashAlgorithm: 'sha256', digest: d });
    const other = await verifyTimestampToken(token, {
      digest: digest('sha256', enc('other')),
      hashAlgorithm: 'sha256',
    });
    expect(other.valid).toBe(false);
    expect(other.errors.map((e) => e.code)).toEqual(['ERR_TSP_IMPRINT_MISMATCH']);
    const untrusted = await verifyTimestampToken(token, {
      digest: d,
      hashAlgorithm: 'sha256',
      trust: devTrustStore('sm2'),
    });
    expect(untrusted).toMatchObject({ valid: false, trusted: false });
    expect(untrusted.errors.map((e) => e.code)).toEqual(['ERR_TSP_UNTRUSTED']);
    // The token carries the whole chain up to the RSA root, which the SM2 store does not trust.
    expect(untrusted.chain?.errors.map((e) => e.code)).toEqual(['ERR_PATH_UNTRUSTED_ROOT']);
    expect(untrusted.chain?.status).toBe('indeterminate');
    // The same TSTInfo signed by a seal holder: a well-formed CMS whose signer may not time-stamp.
    const tstInfo = parseCms(token).encapsulatedContent!;
    const forged = await signCms({
      signer: loadDevIdentity('rsa', 'org-a').signer,
      content: tstInfo,
      encapsulate: true,
      contentType: pkixOids.ctTstInfo,
    });
    expect(verifyCms(parseCms(forged)).intact).toBe(true);
    const forgedReport = await verifyTimestampToken(forged, {
      digest: d,
      hashAlgorithm: 'sha256',
      trust: devTrustStore('rsa'),
    });
    expect(forgedReport.valid).toBe(false);
    expect(forgedReport.errors.map((e) => e.code)).toEqual([
      'ERR_TSP_CERT_EKU',
      'ERR_TSP_UNTRUSTED',
    ]);
    // A token with a flipped signature byte.
    const cms = parseCms(token);
    const bad = new Uint8Array(token);
    const at = Buffer.from(bad).indexOf(Buffer.from(cms.signatureValue));
    bad[at + 10]! ^= 1;
    expect(
      (await verifyTimestampToken(bad, { digest: d, hashAlgorithm: 'sha256' })).errors.map(
        (e) => e.code,
      ),
    ).toContain('ERR_TSP_SIGNATURE_INVALID');
    await expect(
      verifyTimestampToken(enc('garbage'), { digest: d, hashAlgorithm: 'sha256' }),
    ).rejects.toMatchObject({ code: 'ERR_TSP_PARSE' });
    const plainCms = await signCms({
      signer: loadDevIdentity('rsa', 'org-a').signer,
      content: data,
      encapsulate: true,
    });
    await expect(
      verifyTimestampToken(plainCms, { digest: d, hashAlgorithm: 'sha256' }),
    ).rejects.toMatchObject({ code: 'ERR_TSP_PARSE' });
  });

  it('signCms with a TSA client: the signature time-stamp covers the signature value (PAdES B-T)', async () => {
    const signer = loadDevIdentity('sm2', 'org-a').signer;
    const cms = await signCms({ signer, content: data, timestamp: tsaFor('sm2').client() });
    const parsed = parseCms(cms);
    expect(parsed.timestampTokens).toHaveLength(1);
    const report = await verifyTimestampToken(parsed.timestampTokens[0]!, {
      digest: digest('sm3', parsed.signatureValue),
      hashAlgorithm: 'sm3',
      trust: devTrustStore('sm2'),
      now: DEV_PKI_NOW,
    });
    expect(report.valid).toBe(true);
  });

  describe('over HTTP (application/timestamp-query, listen(0))', () => {
    let server: Server;
    let base = '';
    let mode: 'ok' | 'hang' | '500' | 'huge' = 'ok';
    const tsa = tsaFor('p256');
    beforeAll(async () => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          if (mode === 'hang') return;
          if (mode === '500') {
            res.writeHead(500).end('boom');
            return;
          }
          if (mode === 'huge') {
            res
              .writeHead(200, { 'content-type': 'application/timestamp-reply' })
              .end(Buffer.alloc(4096, 0x30));
            return;
          }
          expect(req.headers['content-type']).toBe('application/timestamp-query');
          void tsa.handleRequest(new Uint8Array(Buffer.concat(chunks))).then((body) => {
            res
              .writeHead(200, { 'content-type': 'application/timestamp-reply' })
              .end(Buffer.from(body));
          });
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('gets a verifiable token; timeouts, HTTP errors and oversized replies are ERR_PKI_FETCH', async () => {
      mode = 'ok';
      const d = digest('sha256', data);
      const token = await createHttpTsaClient(base).timestamp({
        hashAlgorithm: 'sha256',
        digest: d,
      });
      expect(
        (
          await verifyTimestampToken(token, {
            digest: d,
            hashAlgorithm: 'sha256',
            trust: devTrustStore('p256'),
            now: DEV_PKI_NOW,
          })
        ).valid,
      ).toBe(true);
      mode = 'hang';
      const started = Date.now();
      await expect(
        createHttpTsaClient(base, { timeoutMs: 300 }).timestamp({
          hashAlgorithm: 'sha256',
          digest: d,
        }),
      ).rejects.toMatchObject({ code: 'ERR_PKI_FETCH' });
      expect(Date.now() - started).toBeLessThan(3000);
      mode = '500';
      await expect(
        createHttpTsaClient(base).timestamp({ hashAlgorithm: 'sha256', digest: d }),
      ).rejects.toMatchObject({ code: 'ERR_PKI_FETCH', httpStatus: 500 });
      mode = 'huge';
      await expect(
        createHttpTsaClient(base, { maxResponseBytes: 1000 }).timestamp({
          hashAlgorithm: 'sha256',
          digest: d,
        }),
      ).rejects.toMatchObject({ code: 'ERR_PKI_FETCH' });
      await expect(
        createHttpTsaClient('http://127.0.0.1:1/tsa', { timeoutMs: 1000 }).timestamp({
          hashAlgorithm: 'sha256',
          digest: d,
        }),
      ).rejects.toMatchObject({ code: 'ERR_PKI_FETCH' });
    });
  });

  describe.skipIf(!hasTool('openssl'))('OpenSSL interop (openssl ts)', () => {
    for (const alg of ['rsa', 'p256'] as const) {
      it(`${alg}: openssl ts -verify accepts our replies to its own queries (SHA-256, SHA-512, SM3 imprints)`, async () => {
        const tsa = tsaFor(alg);
        t.write('data.bin', data);
        const chain = devPkiPath(alg, 'tsa.chain.pem');
        for (const hash of ['sha256', 'sha512', 'sm3'] as const) {
          openssl([
            'ts',
            '-query',
            '-data',
            t.path('data.bin'),
            `-${hash}`,
            '-cert',
            '-out',
            t.path('q.tsq'),
          ]);
          const parsedQuery = parseTimeStampRequest(t.read('q.tsq'));
          expect(parsedQuery.hashAlgorithm).toBe(hash);
          t.write('r.tsr', await tsa.handleRequest(t.read('q.tsq')));
          const base = [
            'ts',
            '-verify',
            '-in',
            t.path('r.tsr'),
            '-CAfile',
            devPkiPath(alg, 'root.pem'),
            '-untrusted',
            chain,
          ];
          expect(openssl([...base, '-data', t.path('data.bin')])).toContain('Verification: OK');
          expect(openssl([...base, '-queryfile', t.path('q.tsq')])).toContain('Verification: OK');
        }
        const text = openssl(['ts', '-reply', '-in', t.path('r.tsr'), '-text']);
        expect(text).toContain('Status: Granted.');
        expect(text).toContain('Nonce: 0x');
        // Tampered data must fail openssl's check too.
        t.write('other.bin', enc('other'));
        const r = tryRun('openssl', [
          'ts',
          '-verify',
          '-in',
          t.path('r.tsr'),
          '-CAfile',
          devPkiPath(alg, 'root.pem'),
          '-untrusted',
          chain,
          '-data',
          t.path('other.bin'),
        ]);
        expect(r.status).not.toBe(0);
        // Our rejections are readable by openssl.
        t.write('rej.tsr', await tsa.handleRequest(requestWithOid('2a864886f70d0205', 16)));
        expect(openssl(['ts', '-reply', '-in', t.path('rej.tsr'), '-text'])).toMatch(
          /Status: Rejected[\s\S]*unrecognized or unsupported algorithm/i,
        );
      });
    }

    it('SM2 TSA: openssl ts cannot check SM2 CMS (OpenSSL 3.0), so pkeyutl checks the DER signed attributes', async () => {
      const token = await tsaFor('sm2')
        .client()
        .timestamp({ hashAlgorithm: 'sm3', digest: digest('sm3', data) });
      const cms = parseCms(token);
      t.write('sm2.attrs', cms.signedAttributesDer!);
      t.write('sm2.sig', cms.signatureValue);
      t.write('sm2.pub', loadDevIdentity('sm2', 'tsa').certificate.publicKey.toPem());
      const out = openssl([
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        t.path('sm2.pub'),
        '-rawin',
        '-in',
        t.path('sm2.attrs'),
        '-sigfile',
        t.path('sm2.sig'),
        '-digest',
        'sm3',
        '-pkeyopt',
        'distid:1234567812345678',
      ]);
      expect(out).toContain('Signature Verified Successfully');
      // The TSTInfo itself is what openssl reads back from the token.
      t.write('sm2.tst', token);
      expect(
        openssl(['ts', '-reply', '-in', t.path('sm2.tst'), '-token_in', '-token_out', '-text']),
      ).toContain('Hash Algorithm: sm3');
    });

    it('we parse and verify replies made by `openssl ts -reply` (test TSA config with the dev RSA TSA key)', async () => {
      const id = loadDevIdentity('rsa', 'tsa');
      t.write('tsaserial', '0100\n');
      t.write(
        'tsa.cnf',
        [
          '[ tsa ]',
          'default_tsa = tsa_config1',
          '[ tsa_config1 ]',
          `serial = ${t.path('tsaserial')}`,
          'crypto_device = builtin',
          `signer_cert = ${id.paths.cert}`,
          `certs = ${id.paths.chain}`,
          `signer_key = ${id.paths.key}`,
          'signer_digest = sha256',
          'default_policy = 1.2.3.4.1',
          'other_policies = 1.2.3.4.5.6',
          'digests = sha256, sha384, sha512',
          'accuracy = secs:1, millisecs:500, microsecs:100',
          'clock_precision_digits = 3',
          'ordering = yes',
          'tsa_name = yes',
          'ess_cert_id_chain = no',
          'ess_cert_id_alg = sha256',
          '',
        ].join('\n'),
      );
      for (const hash of ['sha256', 'sha512'] as HashAlgorithm[]) {
        const d = digest(hash, data);
        t.write(
          'ours.tsq',
          buildTimeStampRequest({ hashAlgorithm: hash, digest: d, nonce: 4242n }).der,
        );
        openssl([
          'ts',
          '-reply',
          '-config',
          t.path('tsa.cnf'),
          '-queryfile',
          t.path('ours.tsq'),
          '-out',
          t.path('theirs.tsr'),
        ]);
        const res = parseTimeStampResponse(t.read('theirs.tsr'));
        expect(res.status).toBe(0);
        const info = parseTimestampToken(res.token!);
        expect(info).toMatchObject({
          policy: '1.2.3.4.1',
          nonce: 4242n,
          ordering: true,
          accuracy: { seconds: 1, millis: 500, micros: 100 },
        });
        expect(info.serialNumber).toMatch(/^0?10[0-9a-f]$/);
        expect(info.tsaName?.type).toBe('directory');
        const report = await verifyTimestampToken(res.token!, {
          digest: d,
          hashAlgorithm: hash,
          trust: devTrustStore('rsa'),
        });
        expect(report.errors).toEqual([]);
        expect(report.valid).toBe(true);
      }
      // OpenSSL's rejection of an algorithm it was not configured for parses to badAlg.
      t.write(
        'sm3.tsq',
        buildTimeStampRequest({ hashAlgorithm: 'sm3', digest: digest('sm3', data) }).der,
      );
      openssl([
        'ts',
        '-reply',
        '-config',
        t.path('tsa.cnf'),
        '-queryfile',
        t.path('sm3.tsq'),
        '-out',
        t.path('rej.tsr'),
      ]);
      expect(parseTimeStampResponse(t.read('rej.tsr'))).toMatchObject({
        status: 2,
        failInfo: ['badAlg'],
      });
    });
  });
});
