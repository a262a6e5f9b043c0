/** W3C Bitstring Status List v1.0: the specification's example vector, bit order, limits, the validate algorithm, interop with Digital Bazaar's bitstring, and signing. */
import { gzipSync } from 'node:zlib';
import { Bitstring } from '@digitalbazaar/bitstring';
import { describe, expect, it } from 'vitest';
import { parseCms, verifyCms } from '@govtrust/core/cms';
import { createSigner, generateKeyPair } from '@govtrust/core/crypto';
import {
  canonicalizeJson,
  checkStatusEntry,
  createStatusBitstring,
  createStatusListCredential,
  decodeStatusList,
  encodeStatusList,
  getStatus,
  setStatus,
  signStatusListCredential,
  STATUS_LIST_MIN_ENTRIES,
  verifyStatusListSignature,
} from '@govtrust/core/licence';
import { devPkiPath, loadDevIdentity } from '../helpers/dev-pki.js';
import { hasTool, tempDir, tryRun } from '../helpers/tools.js';

const SPEC = 'W3C Bitstring Status List v1.0 (REC 2025-05-15), Example 3 / §2.2';
const SPEC_LIST = 'uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA';

describe('Bitstring Status List codec', () => {
  it(`decodes the specification's encodedList to 131,072 zero entries and re-encodes it byte for byte (${SPEC})`, () => {
    const bits = decodeStatusList(SPEC_LIST);
    expect(bits.length).toBe(16_384);
    expect(bits.every((b) => b === 0)).toBe(true);
    expect(getStatus(bits, 94_567)).toBe(0);
    expect(encodeStatusList(createStatusBitstring())).toBe(SPEC_LIST);
  });

  it('puts index 0 in the left-most bit of the first byte and the last index in the right-most bit of the last byte (§7.1)', () => {
    const bits = createStatusBitstring();
    setStatus(bits, 0, 1);
    expect(bits[0]).toBe(0x80);
    setStatus(bits, STATUS_LIST_MIN_ENTRIES - 1, 1);
    expect(bits[bits.length - 1]).toBe(0x01);
    setStatus(bits, 9, 1);
    expect(bits[1]).toBe(0x40);
    expect([0, 1, 8, 9, STATUS_LIST_MIN_ENTRIES - 1].map((i) => getStatus(bits, i))).toEqual([
      1, 0, 0, 1, 1,
    ]);
    setStatus(bits, 0, 0);
    expect(bits[0]).toBe(0);
  });

  it('reads and writes multi-bit statuses (statusSize 2) most significant bit first', () => {
    const bits = createStatusBitstring(STATUS_LIST_MIN_ENTRIES, 2);
    setStatus(bits, 1, 2, 2);
    expect(bits[0]).toBe(0b0010_0000);
    setStatus(bits, 3, 3, 2);
    expect(bits[0]).toBe(0b0010_0011);
    expect([0, 1, 2, 3].map((i) => getStatus(bits, i, 2))).toEqual([0, 2, 0, 3]);
    expect(() => setStatus(bits, 0, 4, 2)).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_RANGE' }),
    );
  });

  it('agrees with @digitalbazaar/bitstring (the reference implementation) on random bits both ways', async () => {
    const bits = createStatusBitstring();
    const set = new Set<number>();
    for (let i = 0; i < 500; i++) set.add(Math.floor(Math.random() * STATUS_LIST_MIN_ENTRIES));
    for (const i of set) setStatus(bits, i, 1);
    const encoded = encodeStatusList(bits);
    // Digital Bazaar's encodeBits/decodeBits are GZIP + base64url without the multibase prefix.
    const theirs = new Bitstring({
      buffer: await Bitstring.decodeBits({ encoded: encoded.slice(1) }),
    });
    for (const i of [...set].slice(0, 100)) expect(theirs.get(i)).toBe(true);
    expect(theirs.get(set.has(1) ? 2 : 1)).toBe(false);
    const db = new Bitstring({ length: STATUS_LIST_MIN_ENTRIES });
    db.set(12_345, true);
    db.set(131_071, true);
    const mine = decodeStatusList(`u${await db.encodeBits()}`);
    expect(getStatus(mine, 12_345)).toBe(1);
    expect(getStatus(mine, 131_071)).toBe(1);
    expect(getStatus(mine, 12_346)).toBe(0);
  });

  it('refuses short lists, non-multibase input, bad GZIP, oversized expansions and out-of-range indexes', () => {
    // The 128-byte list posted in TalaoDAO/AltMe#3288 (e-licences.md §10.4): STATUS_LIST_LENGTH_ERROR.
    expect(() => decodeStatusList('uH4sIAL4V9WcC_2NgGFgAAJ36qMKAAAAA')).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_LENGTH' }),
    );
    expect(decodeStatusList('uH4sIAL4V9WcC_2NgGFgAAJ36qMKAAAAA', { minEntries: 1024 }).length).toBe(
      128,
    );
    expect(() => decodeStatusList(SPEC_LIST.slice(1))).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_DECODE' }),
    );
    expect(() => decodeStatusList(`${SPEC_LIST}=`)).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_DECODE' }),
    );
    expect(() => decodeStatusList('uAAAAAAAA')).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_DECODE' }),
    );
    const bomb = `u${gzipSync(Buffer.alloc(64 * 1024 * 1024)).toString('base64url')}`;
    expect(bomb.length).toBeLessThan(100_000);
    expect(() => decodeStatusList(bomb)).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_DECODE' }),
    );
    const bits = createStatusBitstring();
    expect(() => getStatus(bits, STATUS_LIST_MIN_ENTRIES)).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_RANGE' }),
    );
    expect(() => getStatus(bits, -1)).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_RANGE' }),
    );
    expect(() => createStatusBitstring(1000)).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_LENGTH' }),
    );
  });
});

describe('status list credentials', () => {
  const id = 'https://zzk.example.gov.cn/v1/status-lists/11220000013544541J/3-revocation';
  const bits = createStatusBitstring();
  setStatus(bits, 94_567, 1);
  const list = createStatusListCredential({
    id,
    issuer: 'https://zzk.example.gov.cn/v1/status-lists/11220000013544541J',
    purpose: 'revocation',
    bits,
    validFrom: new Date('2025-06-01T00:00:00Z'),
    validUntil: new Date('2025-06-02T00:00:00Z'),
    ttlMs: 300_000,
  });

  it('has the shape of the specification (Example 3)', () => {
    expect(list).toMatchObject({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      validFrom: '2025-06-01T00:00:00.000Z',
      validUntil: '2025-06-02T00:00:00.000Z',
      credentialSubject: {
        id: `${id}#list`,
        type: 'BitstringStatusList',
        statusPurpose: 'revocation',
        ttl: 300_000,
      },
    });
  });

  it('runs the validate algorithm: status of an entry, purpose and list checks', () => {
    const entry = {
      statusPurpose: 'revocation' as const,
      statusListIndex: '94567',
      statusListCredential: id,
    };
    expect(checkStatusEntry(list, entry)).toEqual({
      purpose: 'revocation',
      status: 1,
      valid: false,
    });
    expect(checkStatusEntry(list, { ...entry, statusListIndex: '94566' })).toEqual({
      purpose: 'revocation',
      status: 0,
      valid: true,
    });
    expect(() => checkStatusEntry(list, { ...entry, statusPurpose: 'suspension' })).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_PURPOSE' }),
    );
    expect(() => checkStatusEntry(list, { ...entry, statusListCredential: `${id}x` })).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_PURPOSE' }),
    );
    expect(() => checkStatusEntry(list, { ...entry, statusListIndex: '131072' })).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_RANGE' }),
    );
    expect(() => checkStatusEntry(list, { ...entry, statusListIndex: '-1' })).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_RANGE' }),
    );
  });

  for (const alg of ['sm2', 'p256'] as const) {
    it(`is signed by a Signer (${alg}) over its canonical bytes and the signature detects tampering`, async () => {
      const keys = generateKeyPair(alg);
      const signer = createSigner(keys.privateKey);
      const signed = await signStatusListCredential(list, { signer });
      expect(signed.proof).toMatchObject({
        format: 'raw',
        algorithm: signer.algorithm,
        certificateChain: [],
      });
      expect(await verifyStatusListSignature(signed, { publicKey: keys.publicKey })).toBe(true);
      const flipped = encodeStatusList(
        new Uint8Array(decodeStatusList(list.credentialSubject.encodedList)).fill(0),
      );
      const tampered = {
        ...signed,
        credential: {
          ...signed.credential,
          credentialSubject: { ...signed.credential.credentialSubject, encodedList: flipped },
        },
      };
      expect(await verifyStatusListSignature(tampered, { publicKey: keys.publicKey })).toBe(false);
      const other = generateKeyPair(alg);
      expect(await verifyStatusListSignature(signed, { publicKey: other.publicKey })).toBe(false);
    });
  }

  for (const alg of ['sm2', 'p256', 'rsa'] as const) {
    it(`is signed as a detached CMS SignedData when the signer has a certificate (${alg}, dev licence-issuer), and verified`, async () => {
      const issuer = loadDevIdentity(alg, 'licence-issuer');
      const signed = await signStatusListCredential(list, { signer: issuer.signer });
      expect(signed.proof).toMatchObject({ format: 'cms', algorithm: issuer.signer.algorithm });
      expect(signed.proof.certificateChain).toHaveLength(issuer.certificateChain.length);
      const cms = parseCms(Buffer.from(signed.proof.value, 'base64'));
      expect(verifyCms(cms, { content: Buffer.from(canonicalizeJson(list)) }).intact).toBe(true);
      expect(await verifyStatusListSignature(signed)).toBe(true);
      expect(
        await verifyStatusListSignature(signed, { publicKey: issuer.certificate.publicKey }),
      ).toBe(true);
      expect(
        await verifyStatusListSignature(signed, {
          publicKey: loadDevIdentity(alg, 'org-a').certificate.publicKey,
        }),
      ).toBe(false);
      const tampered = {
        ...signed,
        credential: { ...signed.credential, validUntil: '2099-01-01T00:00:00.000Z' },
      };
      expect(await verifyStatusListSignature(tampered)).toBe(false);
    });
  }

  it('takes another proof format through an encoder', async () => {
    const keys = generateKeyPair('p256');
    const signer = createSigner(keys.privateKey);
    const signed = await signStatusListCredential(list, {
      signer,
      encode: async (content, s) => ({
        format: 'test-wrapped',
        value: Buffer.concat([Buffer.from('W:'), Buffer.from(await s.sign(content))]),
      }),
    });
    expect(signed.proof.format).toBe('test-wrapped');
    await expect(
      verifyStatusListSignature(signed, { publicKey: keys.publicKey }),
    ).rejects.toMatchObject({ code: 'ERR_STATUS_LIST_SIGNATURE' });
    expect(
      await verifyStatusListSignature(signed, {
        verify: (_content, proof) => Promise.resolve(proof.format === 'test-wrapped'),
      }),
    ).toBe(true);
  });
});

describe.skipIf(!hasTool('openssl'))('status list CMS proofs checked by OpenSSL', () => {
  for (const alg of ['p256', 'rsa'] as const) {
    it(`openssl cms -verify accepts the detached CMS over the canonical bytes (${alg}) and rejects changed bytes`, async () => {
      const issuer = loadDevIdentity(alg, 'licence-issuer');
      const list = createStatusListCredential({
        id: 'https://zzk.example.gov.cn/v1/status-lists/11220000013544541J/1-revocation',
        issuer: 'https://zzk.example.gov.cn/v1/status-lists/11220000013544541J',
        purpose: 'revocation',
        bits: createStatusBitstring(),
        validFrom: new Date('2026-06-01T00:00:00Z'),
      });
      const signed = await signStatusListCredential(list, { signer: issuer.signer });
      const t = tempDir();
      try {
        const sig = t.write('list.p7s', Buffer.from(signed.proof.value, 'base64'));
        const content = t.write('list.json', canonicalizeJson(signed.credential));
        const ok = tryRun('openssl', [
          'cms',
          '-verify',
          '-binary',
          '-inform',
          'DER',
          '-in',
          sig,
          '-content',
          content,
          '-CAfile',
          devPkiPath(alg, 'root.pem'),
          '-purpose',
          'any',
          '-attime',
          String(Date.parse('2026-06-01T08:00:00Z') / 1000),
          '-out',
          t.path('out'),
        ]);
        expect(ok.stderr).toContain('Verification successful');
        const changed = t.write(
          'changed.json',
          canonicalizeJson({ ...signed.credential, validFrom: '2026-06-02T00:00:00.000Z' }),
        );
        const bad = tryRun('openssl', [
          'cms',
          '-verify',
          '-binary',
          '-inform',
          'DER',
          '-in',
          sig,
          '-content',
          changed,
          '-CAfile',
          devPkiPath(alg, 'root.pem'),
          '-purpose',
          'any',
          '-attime',
          String(Date.parse('2026-06-01T08:00:00Z') / 1000),
          '-out',
          t.path('out2'),
        ]);
        expect(bad.status).not.toBe(0);
      } finally {
        t.cleanup();
      }
    });
  }
});
