import { describe, expect, it } from 'vitest';
import { digest, createHasher, hashFromOid, hashOid } from '@govtrust/core/crypto';
import { sm3Vectors } from '../vectors/sm3.js';

describe('SM3 (GB/T 32905)', () => {
  for (const v of sm3Vectors) {
    it(v.title, () => {
      expect(Buffer.from(digest('sm3', new TextEncoder().encode(v.input))).toString('hex')).toBe(
        v.expected,
      );
    });
  }

  it('streams: chunked input gives the one-shot digest', () => {
    const data = new TextEncoder().encode('abcd'.repeat(16));
    const h = createHasher('sm3');
    for (let i = 0; i < data.length; i += 7) h.update(data.subarray(i, i + 7));
    expect(Buffer.from(h.digest()).toString('hex')).toBe(sm3Vectors[1].expected);
  });

  it('maps OIDs both ways and refuses unknown ones', () => {
    expect(hashOid('sm3')).toBe('1.2.156.10197.1.401');
    expect(hashFromOid('2.16.840.1.101.3.4.2.1')).toBe('sha256');
    expect(() => hashFromOid('1.2.3')).toThrow(
      expect.objectContaining({ code: 'ERR_ALG_NOT_SUPPORTED' }),
    );
  });
});
