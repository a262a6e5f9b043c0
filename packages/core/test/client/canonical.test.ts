// Request signing shared by the SDK and the server: HMAC known answers (RFC 4231, OpenSSL HMAC-SM3), the canonical string, digests.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  canonicalQuery,
  canonicalRequest,
  computeRequestSignature,
  formatContentDigest,
  parseContentDigest,
  signRequest,
  signaturesEqual,
} from '../../src/client/index.js';
import { hasTool } from '../helpers/tools.js';

const hmacVectors = [
  {
    title: 'RFC 4231 section 4.3, test case 2 (HMAC-SHA-256)',
    source: 'https://www.rfc-editor.org/rfc/rfc4231#section-4.3',
    input: { key: 'Jefe', data: 'what do ya want for nothing?' },
    expected: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  },
];

describe('HMAC of the canonical request', () => {
  for (const v of hmacVectors)
    it(v.title, () => {
      const sig = computeRequestSignature(v.input.key, v.input.data, 'HMAC-SHA256');
      expect(Buffer.from(sig, 'base64').toString('hex')).toBe(v.expected);
    });

  it.skipIf(!hasTool('openssl'))('HMAC-SM3 agrees with openssl mac -digest SM3', () => {
    for (const [key, data] of [
      ['Jefe', 'what do ya want for nothing?'],
      ['gts_秘密', '中文 canonical\nline'],
    ] as const) {
      const expected = execFileSync(
        'openssl',
        [
          'mac',
          '-digest',
          'SM3',
          '-macopt',
          `hexkey:${Buffer.from(key, 'utf8').toString('hex')}`,
          'HMAC',
        ],
        {
          input: data,
          encoding: 'utf8',
        },
      ).trim();
      expect(
        Buffer.from(computeRequestSignature(key, data, 'HMAC-SM3'), 'base64')
          .toString('hex')
          .toUpperCase(),
      ).toBe(expected);
    }
  });
});

describe('canonical request', () => {
  it('is the documented nine lines (golden value: SDK and server must agree)', () => {
    const s = canonicalRequest({
      method: 'post',
      target: '/v1/seal-applications?b=2&a=%E4%B8%AD&a=1',
      contentDigest: 'sha256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
      timestamp: '1780300800000',
      nonce: '0123456789abcdef0123',
      appId: 'app_demo',
      algorithm: 'HMAC-SHA256',
    });
    expect(s).toBe(
      [
        'GOVTRUST-HMAC-V1',
        'HMAC-SHA256',
        'POST',
        '/v1/seal-applications',
        'a=%E4%B8%AD&a=1&b=2',
        'sha256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
        '1780300800000',
        '0123456789abcdef0123',
        'app_demo',
      ].join('\n'),
    );
  });

  it('normalises query encodings so that either side may encode differently', () => {
    expect(canonicalQuery('?x=a+b&y=%7e&z=*')).toBe(canonicalQuery('z=%2A&y=~&x=a%20b'));
    expect(canonicalQuery('')).toBe('');
    expect(canonicalQuery('bad=%E4%B8')).toBe('bad=%25E4%25B8');
  });

  it('refuses line breaks and targets that are not paths', () => {
    const base = {
      method: 'GET',
      target: '/v1',
      contentDigest: 'x',
      timestamp: '1',
      nonce: 'n',
      appId: 'a',
      algorithm: 'HMAC-SHA256',
    } as const;
    expect(() => canonicalRequest({ ...base, appId: 'a\nb' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    );
    expect(() => canonicalRequest({ ...base, target: 'http://x/v1' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    );
  });
});

describe('content digest and signed headers', () => {
  it('digests the body with SHA-256 or SM3 and parses it back', () => {
    expect(formatContentDigest(new Uint8Array(0))).toBe(
      'sha256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
    );
    // SM3("abc"), GB/T 32905-2016 Annex A.1.
    const sm3 = parseContentDigest(formatContentDigest(new TextEncoder().encode('abc'), 'sm3'));
    expect(Buffer.from(sm3.digest).toString('hex')).toBe(
      '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    );
    expect(() => parseContentDigest('md5=abc')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    );
  });

  it('signRequest makes headers that verify over the canonical string; HMAC-SM3 pairs with an SM3 body digest', () => {
    const body = new TextEncoder().encode('{"a":1}');
    const h = signRequest({
      appId: 'app_x',
      secret: 's3cret',
      method: 'POST',
      target: '/v1/apps',
      body,
      now: new Date(1_780_300_800_000),
      nonce: 'n0nce-n0nce-n0nce',
    });
    const canonical = canonicalRequest({
      method: 'POST',
      target: '/v1/apps',
      contentDigest: h['X-Content-Digest']!,
      timestamp: h['X-Timestamp']!,
      nonce: h['X-Nonce']!,
      appId: 'app_x',
      algorithm: 'HMAC-SHA256',
    });
    expect(
      signaturesEqual(
        h['X-Signature']!,
        computeRequestSignature('s3cret', canonical, 'HMAC-SHA256'),
      ),
    ).toBe(true);
    expect(
      signaturesEqual(
        h['X-Signature']!,
        computeRequestSignature('other', canonical, 'HMAC-SHA256'),
      ),
    ).toBe(false);
    const sm = signRequest({
      appId: 'app_x',
      secret: 's3cret',
      method: 'GET',
      target: '/v1/seals',
      algorithm: 'HMAC-SM3',
    });
    expect(sm['X-Content-Digest']).toMatch(/^sm3=/);
    expect(sm['X-Signature-Alg']).toBe('HMAC-SM3');
    expect(sm['X-Nonce']).toMatch(/^[0-9a-f]{32}$/);
  });
});
