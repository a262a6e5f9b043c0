import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeSignatureAlgorithm,
  encodeSignatureAlgorithm,
  signatureAlgorithms,
  signatureAlgorithmInfo,
  oids,
} from '@govtrust/core/crypto';
import { openssl, tempDir, hasTool } from '../helpers/tools.js';
import { readTlv } from '../../src/internal/der.js';

const algIdOf = (oid: string, params = ''): Uint8Array => {
  // SEQUENCE { OID [params] } built from a dotted OID via openssl's asn1parse-free route: DER by hand.
  const arcs = oid.split('.').map(Number);
  const body: number[] = [arcs[0]! * 40 + arcs[1]!];
  for (const a of arcs.slice(2)) {
    const chunk = [a & 0x7f];
    let n = Math.floor(a / 128);
    while (n > 0) {
      chunk.unshift((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    body.push(...chunk);
  }
  const oidTlv = [0x06, body.length, ...body];
  const p = Buffer.from(params, 'hex');
  return Uint8Array.from([0x30, oidTlv.length + p.length, ...oidTlv, ...p]);
};

describe('signature algorithm registry', () => {
  it.each(signatureAlgorithms)('%s: AlgorithmIdentifier encodes and decodes back', (name) => {
    const decoded = decodeSignatureAlgorithm(encodeSignatureAlgorithm(name));
    expect(decoded.algorithm).toBe(name);
    expect(signatureAlgorithmInfo(name).deprecated).toBe(false);
  });

  it('reads CMS-style key-algorithm OIDs with the digest algorithm beside them', () => {
    expect(
      decodeSignatureAlgorithm(algIdOf(oids.rsaEncryption, '0500'), { digestAlgorithm: 'sha384' })
        .algorithm,
    ).toBe('rsa-pkcs1-sha384');
    expect(
      decodeSignatureAlgorithm(algIdOf(oids.ecPublicKey), { digestAlgorithm: 'sha256' }).algorithm,
    ).toBe('ecdsa-sha256');
    expect(
      decodeSignatureAlgorithm(algIdOf(oids.sm2Sign), { digestAlgorithm: 'sm3' }).algorithm,
    ).toBe('sm2-sm3');
    expect(decodeSignatureAlgorithm(algIdOf(oids.sha1WithRSAEncryption, '0500')).algorithm).toBe(
      'rsa-pkcs1-sha1',
    );
    expect(signatureAlgorithmInfo('rsa-pkcs1-sha1').deprecated).toBe(true);
  });

  it('refuses unknown OIDs, a digest that contradicts the algorithm, and malformed identifiers', () => {
    expect(() => decodeSignatureAlgorithm(algIdOf('1.2.3.4'))).toThrow(
      expect.objectContaining({ code: 'ERR_ALG_NOT_SUPPORTED' }),
    );
    expect(() =>
      decodeSignatureAlgorithm(algIdOf(oids.sha256WithRSAEncryption, '0500'), {
        digestAlgorithm: 'sha512',
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_ALG_NOT_SUPPORTED' }));
    expect(() => decodeSignatureAlgorithm(new Uint8Array([0x30, 0x05, 0x06]))).toThrow(
      expect.objectContaining({ code: 'ERR_ALG_NOT_SUPPORTED' }),
    );
    // RSA-PSS without parameters means SHA-1: refused.
    expect(() => decodeSignatureAlgorithm(algIdOf(oids.rsassaPss))).toThrow(
      expect.objectContaining({ code: 'ERR_ALG_NOT_SUPPORTED' }),
    );
  });

  describe.skipIf(!hasTool('openssl'))('identifiers in certificates OpenSSL signs', () => {
    const t = tempDir();
    afterAll(() => t.cleanup());
    it.each([
      [['-newkey', 'rsa:2048', '-sha256'], 'rsa-pkcs1-sha256', undefined],
      [
        [
          '-newkey',
          'rsa:2048',
          '-sha384',
          '-sigopt',
          'rsa_padding_mode:pss',
          '-sigopt',
          'rsa_pss_saltlen:48',
        ],
        'rsa-pss-sha384',
        48,
      ],
      [
        ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-sha384'],
        'ecdsa-sha384',
        undefined,
      ],
      [['-newkey', 'ed25519'], 'ed25519', undefined],
    ] as const)('%j -> %s', (args, name, salt) => {
      openssl([
        'req',
        '-x509',
        ...args,
        '-nodes',
        '-keyout',
        t.path('k.pem'),
        '-out',
        t.path('c.der'),
        '-outform',
        'DER',
        '-subj',
        '/CN=a',
        '-days',
        '1',
      ]);
      // Certificate ::= SEQUENCE { tbs, signatureAlgorithm, signature }: take the second element.
      const der = t.read('c.der');
      const outer = readTlv(der, 0);
      const tbs = readTlv(outer.value, 0);
      const sigAlg = readTlv(outer.value, tbs.end);
      const decoded = decodeSignatureAlgorithm(sigAlg.raw);
      expect(decoded.algorithm).toBe(name);
      if (salt !== undefined) expect(decoded.saltLength).toBe(salt);
    });
  });
});
