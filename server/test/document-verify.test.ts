// POST /v1/documents/verify without a browser: a PDF sealed by the server (valid, trusted, OCSP good,
// seal pictures), the same PDF tampered (invalid with the reason), a real OFD (ofdrw zsbk.ofd, see
// packages/core/test/fixtures/ofdrw/SOURCES.md), a raw or multipart upload, the type sniffed from the
// bytes (415 ERR_VERIFY_UNSUPPORTED_TYPE), 413, the per-address rate limit, and the page's routes and CSP.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '@govtrust/core/errors';
import { verifierCsp } from '../src/routes/verifier.js';
import { startTestServer, type TestServer } from './helpers.js';
import { issueTestLicence, revokeTestLicence } from './licence-helpers.js';
import { makeSealedSample, tamper, type SealedSample } from './verifier-helpers.js';

const zsbk = resolve(import.meta.dirname, '../../packages/core/test/fixtures/ofdrw/zsbk.ofd');

interface Sig {
  status: string;
  intact: boolean;
  trusted: boolean;
  revocation: string;
  coverage: string;
  modifications?: string;
  seal: { name: string; valid: boolean } | null;
  sealPicture: { mediaType: string; dataUrl: string; width: number } | null;
  errors: { code: string; message: string }[];
  timestamp: { valid: boolean } | null;
}

interface Report {
  kind: string;
  status: string;
  checkedAt: string;
  signatures: Sig[];
  errors?: { code: string }[];
}

async function post(
  t: TestServer,
  body: Uint8Array | FormData,
  contentType?: string,
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${t.url}/v1/documents/verify`, {
    method: 'POST',
    body: body instanceof FormData ? body : Buffer.from(body),
    headers: contentType === undefined ? {} : { 'Content-Type': contentType },
  });
  return {
    status: res.status,
    json: (await res.json()) as Record<string, unknown>,
    headers: res.headers,
  };
}

describe('POST /v1/documents/verify', () => {
  let t: TestServer;
  let sample: SealedSample;
  beforeAll(async () => {
    t = await startTestServer();
    sample = await makeSealedSample(t);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('a PDF sealed by the server: valid, every seal trusted, OCSP good, time-stamped, with its picture', async () => {
    const r = await post(t, sample.pdf, 'application/pdf');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const report = r.json as unknown as Report;
    expect(report.kind).toBe('pdf');
    expect(report.status).toBe('valid');
    expect(Date.parse(report.checkedAt)).not.toBeNaN();
    expect(report.signatures).toHaveLength(2);
    for (const [i, s] of report.signatures.entries()) {
      expect(s, JSON.stringify(s.errors)).toMatchObject({
        status: 'valid',
        intact: true,
        trusted: true,
        revocation: 'good',
        seal: { name: sample.sealNames[i], valid: true },
        timestamp: { valid: true },
      });
      expect(s.sealPicture?.mediaType).toBe('image/png');
      expect(s.sealPicture?.dataUrl).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    }
    expect(report.signatures.map((s) => s.coverage)).toEqual(['entire-revision', 'entire-file']);
    expect(report.signatures[0]!.modifications).toBe('allowed');
  });

  it('the type comes from the bytes: the same PDF as octet-stream, without a type, or as a multipart file part', async () => {
    for (const type of ['application/octet-stream', undefined, 'text/plain']) {
      const r = await post(t, sample.pdf, type);
      expect(r.status, String(type)).toBe(200);
      expect(r.json.kind).toBe('pdf');
    }
    const form = new FormData();
    form.append('file', new Blob([Buffer.from(sample.pdf)], { type: 'application/pdf' }), 'a.pdf');
    const m = await post(t, form);
    expect(m.status).toBe(200);
    expect(m.json).toMatchObject({ kind: 'pdf', status: 'valid' });
    const wrong = new FormData();
    wrong.append('document', new Blob([Buffer.from(sample.pdf)]), 'a.pdf');
    expect((await post(t, wrong)).json.code).toBe('ERR_HTTP_MULTIPART');
  });

  it('a tampered copy is a report: invalid, not intact, with the reason', async () => {
    const r = await post(t, tamper(sample.pdf), 'application/pdf');
    expect(r.status).toBe(200);
    const report = r.json as unknown as Report;
    expect(report.status).toBe('invalid');
    const first = report.signatures[0]!;
    expect(first.status).toBe('invalid');
    expect(first.intact).toBe(false);
    expect(first.errors.length).toBeGreaterThan(0);
    for (const e of first.errors) expect(Object.hasOwn(errorCodes, e.code), e.code).toBe(true);
  });

  it('an OFD document (ofdrw zsbk.ofd, two GB/T 38540 seal signatures) with its seal pictures', async () => {
    const r = await post(t, new Uint8Array(readFileSync(zsbk)), 'application/ofd');
    expect(r.status).toBe(200);
    const report = r.json as unknown as Report;
    expect(report.kind).toBe('ofd');
    expect(report.signatures).toHaveLength(2);
    for (const s of report.signatures) {
      // Yunnan's CA is not a trust anchor of this server, and the certificates expired in 2020.
      expect(s.trusted).toBe(false);
      expect(s.status).not.toBe('valid');
      expect(s.errors.map((e) => e.code)).toContain('ERR_SEAL_CERT_EXPIRED');
      expect(s.sealPicture?.dataUrl).toMatch(/^data:image\/(png|jpeg|gif);base64,/);
    }
  });

  it('anything else is 415 ERR_VERIFY_UNSUPPORTED_TYPE with a clear message', async () => {
    const cases: [Uint8Array, string | undefined, RegExp][] = [
      [new TextEncoder().encode('hello, not a document'), 'text/plain', /GovTrust does not verify/],
      [new TextEncoder().encode('hello'), 'application/pdf', /not a PDF/],
      [new TextEncoder().encode('{"a":1}'), 'application/json', /not a signed licence/],
      [
        new Uint8Array(
          readFileSync(resolve(import.meta.dirname, '../../samples/seal-round-contract.png')),
        ),
        'image/png',
        /does not verify/,
      ],
    ];
    for (const [bytes, type, message] of cases) {
      const r = await post(t, bytes, type);
      expect(r.status, String(type)).toBe(415);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(r.json.code).toBe('ERR_VERIFY_UNSUPPORTED_TYPE');
      expect(String(r.json.detail)).toMatch(message);
      expect(r.json.detailZh).toBe(errorCodes.ERR_VERIFY_UNSUPPORTED_TYPE.zh);
    }
  });

  it('a zip that is not an OFD is 415; a PDF that cannot be read is 422 ERR_PDF_PARSE', async () => {
    // A stored (uncompressed) zip with one entry, hello.txt.
    const name = Buffer.from('hello.txt');
    const data = Buffer.from('hi');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(0, 14); // CRC patched below
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const { crc32 } = await import('node:zlib');
    local.writeUInt32LE(crc32(data), 14);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    const cdOffset = local.length + name.length + data.length;
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(1, 8);
    end.writeUInt16LE(1, 10);
    end.writeUInt32LE(central.length + name.length, 12);
    end.writeUInt32LE(cdOffset, 16);
    const zip = Buffer.concat([local, name, data, central, name, end]);
    const r = await post(t, new Uint8Array(zip), 'application/zip');
    expect(r.status).toBe(415);
    expect(String(r.json.detail)).toMatch(/without OFD.xml/);
    const broken = await post(t, new TextEncoder().encode('%PDF-1.7\ngarbage'), 'application/pdf');
    expect(broken.status).toBe(422);
    expect(broken.json.code).toBe('ERR_PDF_PARSE');
  });

  it('the page, its assets and the code table, under a strict CSP; unknown assets 404', async () => {
    const page = await fetch(`${t.url}/verify?id=x&d=y`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(verifierCsp);
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/verify/assets/verify.js"></script>');
    expect(html).not.toMatch(/<script>|\sstyle=|\son[a-z]+=|https?:\/\//);
    for (const [name, type] of [
      ['verify.js', 'text/javascript; charset=utf-8'],
      ['verify.css', 'text/css; charset=utf-8'],
    ] as const) {
      const res = await fetch(`${t.url}/verify/assets/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('content-security-policy')).toBe(verifierCsp);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const codes = (await (await fetch(`${t.url}/verify/assets/error-codes.json`)).json()) as Record<
      string,
      { zh: string; en: string }
    >;
    expect(Object.keys(codes).sort()).toEqual(Object.keys(errorCodes).sort());
    expect(codes.ERR_PDF_MODIFIED).toEqual(errorCodes.ERR_PDF_MODIFIED);
    expect((await fetch(`${t.url}/verify/assets/settings.json`)).status).toBe(200);
    for (const bad of ['nope.js', '..%2Fpackage.json', 'verify.html'])
      expect((await fetch(`${t.url}/verify/assets/${bad}`)).status, bad).toBe(404);
  });

  it('a licence: the face PDF (licence-face, with its seal card) and the signed data (licence-data); status from the directory; a usage record each', async () => {
    const lic = await issueTestLicence(t);
    const usage = async (): Promise<number> =>
      (await t.server.context.store.logHead('licence-usage'))?.seq ?? 0;
    const before = await usage();
    const face = await post(t, lic.faceBytes, 'application/pdf');
    expect(face.status).toBe(200);
    expect(face.json).toMatchObject({
      kind: 'licence-face',
      status: 'valid',
      licenceStatus: 'valid',
      identifier: lic.identifier,
      result: 0,
    });
    const sigs = (face.json.face as { signatures: Sig[] }).signatures;
    expect(sigs.length).toBeGreaterThanOrEqual(1);
    expect(sigs[0]).toMatchObject({ status: 'valid', trusted: true });
    expect(sigs[0]!.sealPicture?.dataUrl).toMatch(/^data:image\/png;base64,/);
    const data = await post(t, lic.dataBytes, 'application/json');
    expect(data.json).toMatchObject({
      kind: 'licence-data',
      status: 'valid',
      licenceStatus: 'valid',
      identifier: lic.identifier,
    });
    expect(await usage()).toBe(before + 2);
    const [entry] = await t.server.context.store.readLog('licence-usage', before + 2, 1);
    expect(entry!.entry).toMatchObject({
      callerKind: 'public',
      action: 'verify',
      identifier: lic.identifier,
      result: 'found',
    });
    await revokeTestLicence(t, lic.identifier);
    const revoked = await post(t, lic.dataBytes, 'application/json');
    expect(revoked.json).toMatchObject({ kind: 'licence-data', licenceStatus: 'revoked' });
  });

  it('is in the OpenAPI document as a public upload', async () => {
    const doc = (await (await fetch(`${t.url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { security: unknown[]; requestBody: { content: Record<string, unknown> } }>
      >;
    };
    const op = doc.paths['/v1/documents/verify']!.post!;
    expect(op.security).toEqual([]);
    expect(Object.keys(op.requestBody.content)).toEqual(
      expect.arrayContaining(['application/pdf', 'application/ofd', 'multipart/form-data']),
    );
  });
});

describe('POST /v1/documents/verify limits', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ overrides: { verifier: { uploadBytes: 4096, perMinute: 3 } } });
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('413 past the body limit (raw and multipart), then 429 with Retry-After per address', async () => {
    const big = new Uint8Array(5000).fill(0x25);
    const raw = await post(t, big, 'application/pdf');
    expect(raw.status).toBe(413);
    expect(raw.json.code).toBe('ERR_INPUT_TOO_LARGE');
    const form = new FormData();
    form.append('file', new Blob([Buffer.from(big)]), 'big.pdf');
    const multi = await post(t, form);
    expect(multi.status).toBe(413);
    const third = await post(t, new TextEncoder().encode('x'), 'text/plain');
    expect(third.status).toBe(415);
    const limited = await post(t, new TextEncoder().encode('x'), 'text/plain');
    expect(limited.status).toBe(429);
    expect(limited.json.code).toBe('ERR_HTTP_RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
