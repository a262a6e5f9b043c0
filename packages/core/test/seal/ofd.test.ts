import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { verifyOfdSeals } from '@govtrust/core/seal';
import { hasTool, run, tempDir } from '../helpers/tools.js';
import { LATER, SIGNED_999, SIGNED_ZSBK, ofdrw } from './fixtures.js';
import { buildZip, readZip, rewriteZip } from './zip-helper.js';

/** Base64 SM3 of a file, computed by OpenSSL (`dgst -r` prints "hex *file"). */
const sm3 = (path: string): string =>
  Buffer.from(run('openssl', ['dgst', '-sm3', '-r', path]).split(' ')[0]!, 'hex').toString(
    'base64',
  );

const codes = (issues: readonly { code: string }[]): string[] => issues.map((i) => i.code).sort();

describe('verifyOfdSeals on the real 999.ofd tax invoice', () => {
  it('is valid at its signing time: SES signature, seal, dataHash and 20 references all check', async () => {
    const report = await verifyOfdSeals(ofdrw('999.ofd'), { now: SIGNED_999 });
    expect(report.status).toBe('valid');
    expect(report.file).toMatchObject({ size: 29752, entries: 24 });
    expect(report.signatures).toHaveLength(1);
    const sig = report.signatures[0]!;
    expect(sig).toMatchObject({
      id: '1',
      type: 'Seal',
      location: '/Doc_0/Signs/Sign_0/Signature.xml',
      status: 'valid',
      intact: true,
      dataHashValid: true,
      algorithm: 'sm2-sm3',
      signingTime: '2020-08-17T11:13:29.000Z',
      trusted: false,
      references: { checkMethod: '1.2.156.10197.1.401', count: 20, mismatched: [], missing: [] },
      provider: { name: 'KingGrid', company: 'KingGrid', version: '4.0' },
      stamps: [{ page: '10', boundary: '90.0 8.0 30.0 20.0' }],
      seal: {
        valid: true,
        makerSignatureValid: true,
        signerInCertList: true,
        esID: '50011200000323',
        type: 3,
        validTo: '2023-07-23T16:00:00.000Z',
      },
    });
    expect(sig.signer?.subject).toContain('CN=全国统一发票监制章国家税务总局重庆市税务局');
    expect(sig.errors).toEqual([]);
    // OFD.xml (with the invoice's CustomData) is outside the signature: said, not hidden.
    expect(sig.coverage).toBe('partial');
    expect(sig.unprotectedFiles).toEqual(['/OFD.xml']);
    expect(codes(sig.warnings)).toEqual([
      'ERR_OFD_UNPROTECTED_FILES',
      'ERR_SEAL_CHAIN_NOT_CHECKED',
      'ERR_SEAL_NOT_DER',
    ]);
  });

  it('later, expiry is reported against the validation time (seal ended 2023, maker certificate 2025)', async () => {
    const report = await verifyOfdSeals(ofdrw('999.ofd'), { now: LATER });
    expect(report.status).toBe('indeterminate');
    const sig = report.signatures[0]!;
    expect(sig.intact).toBe(true);
    expect(codes(sig.errors)).toEqual(['ERR_SEAL_EXPIRED']);
    expect(sig.warnings.find((w) => w.code === 'ERR_SEAL_CERT_EXPIRED')?.message).toContain(
      '2025-02-17',
    );
  });

  it('one byte changed in a page content file: invalid, ERR_OFD_REFERENCE_MISMATCH names the file', async () => {
    const files = await readZip(ofdrw('999.ofd'));
    const page = new Uint8Array(files.get('Doc_0/Pages/Page_2/Content.xml')!);
    page[200] = page[200]! ^ 0x01;
    const tampered = await rewriteZip(ofdrw('999.ofd'), { 'Doc_0/Pages/Page_2/Content.xml': page });
    const report = await verifyOfdSeals(tampered, { now: SIGNED_999 });
    expect(report.status).toBe('invalid');
    const sig = report.signatures[0]!;
    expect(sig.intact).toBe(false);
    expect(codes(sig.errors)).toEqual(['ERR_OFD_REFERENCE_MISMATCH']);
    expect(sig.references.mismatched).toEqual(['/Doc_0/Pages/Page_2/Content.xml']);
    expect(sig.dataHashValid).toBe(true);
  });

  it('one byte changed in Signature.xml: invalid, ERR_SEAL_DATA_HASH_MISMATCH', async () => {
    const files = await readZip(ofdrw('999.ofd'));
    const xml = Buffer.from(files.get('Doc_0/Signs/Sign_0/Signature.xml')!).toString('utf8');
    expect(xml).toContain('Boundary="90.0 8.0 30.0 20.0"');
    const moved = new TextEncoder().encode(xml.replace('Boundary="90.0', 'Boundary="91.0'));
    const tampered = await rewriteZip(ofdrw('999.ofd'), {
      'Doc_0/Signs/Sign_0/Signature.xml': moved,
    });
    const sig = (await verifyOfdSeals(tampered, { now: SIGNED_999 })).signatures[0]!;
    expect(sig.status).toBe('invalid');
    expect(sig.dataHashValid).toBe(false);
    expect(codes(sig.errors)).toEqual(['ERR_SEAL_DATA_HASH_MISMATCH']);
  });

  it('an altered signature value in SignedValue.dat: invalid, ERR_SEAL_SIGNATURE_INVALID', async () => {
    const files = await readZip(ofdrw('999.ofd'));
    const dat = new Uint8Array(files.get('Doc_0/Signs/Sign_0/SignedValue.dat')!);
    dat[dat.length - 3] = dat[dat.length - 3]! ^ 0x10;
    const tampered = await rewriteZip(ofdrw('999.ofd'), {
      'Doc_0/Signs/Sign_0/SignedValue.dat': dat,
    });
    const sig = (await verifyOfdSeals(tampered, { now: SIGNED_999 })).signatures[0]!;
    expect(sig.status).toBe('invalid');
    expect(codes(sig.errors)).toEqual(['ERR_SEAL_SIGNATURE_INVALID']);
  });
});

describe('verifyOfdSeals on the real zsbk.ofd (two Yunnan seal signatures)', () => {
  it('signatures, seals and dataHash verify at the signing time; two page files were changed after signing', async () => {
    const report = await verifyOfdSeals(ofdrw('zsbk.ofd'), { now: SIGNED_ZSBK });
    expect(report.signatures.map((s) => s.id)).toEqual(['2', '4']);
    for (const sig of report.signatures) {
      expect(sig.dataHashValid).toBe(true);
      expect(sig.seal).toMatchObject({
        makerSignatureValid: true,
        signerInCertList: true,
        esID: '53011200000556',
        type: 15,
        valid: true,
      });
      expect(sig.signer?.subject).toContain('CN=53011200000556');
      expect(sig.coverage).toBe('entire-document');
      // The package's page content files (dated 2020-10-29 in the zip) differ from what was signed on 2020-10-10.
      expect([...sig.references.mismatched].sort()).toEqual([
        '/Doc_0/Pages/Page_0/Content.xml',
        '/Doc_0/Pages/Page_1/Content.xml',
      ]);
      expect(codes(sig.errors)).toEqual([
        'ERR_OFD_REFERENCE_MISMATCH',
        'ERR_OFD_REFERENCE_MISMATCH',
      ]);
      // The maker certificate expired (2020-08-21) after the seal was made (2019-10-25): a warning only.
      expect(sig.warnings.map((w) => w.code)).toContain('ERR_SEAL_CERT_EXPIRED');
    }
    expect(report.status).toBe('invalid');
  });

  it.skipIf(!hasTool('openssl'))(
    'OpenSSL confirms the page digests differ from the signed CheckValues',
    async () => {
      const files = await readZip(ofdrw('zsbk.ofd'));
      const xml = Buffer.from(files.get('Doc_0/Signs/Sign_0/Signature.xml')!).toString('utf8');
      const t = tempDir();
      try {
        for (const page of ['Page_0', 'Page_1']) {
          const signed = new RegExp(`${page}/Content.xml"><ofd:CheckValue>([^<]+)<`).exec(xml)![1];
          const actual = sm3(t.write(page, files.get(`Doc_0/Pages/${page}/Content.xml`)!));
          expect(actual).toHaveLength(44);
          expect(actual).not.toBe(signed);
        }
        // ...while an unchanged file matches, so the method is right.
        const docSigned = /Doc_0\/Document.xml"><ofd:CheckValue>([^<]+)</.exec(xml)![1];
        expect(sm3(t.write('doc', files.get('Doc_0/Document.xml')!))).toBe(docSigned);
      } finally {
        t.cleanup();
      }
    },
  );

  it('later, the expired signer certificate and seal are reported', async () => {
    const sig = (await verifyOfdSeals(ofdrw('zsbk.ofd'), { now: LATER })).signatures[0]!;
    expect(codes(sig.errors)).toEqual(
      expect.arrayContaining(['ERR_SEAL_CERT_EXPIRED', 'ERR_SEAL_EXPIRED']),
    );
  });

  it('a Seal.esl that differs from the seal in the signature is reported', async () => {
    const tampered = await rewriteZip(ofdrw('zsbk.ofd'), {
      'Doc_0/Signs/Sign_1/Seal.esl': ofdrw('UserV4.esl'),
    });
    const sig = (await verifyOfdSeals(tampered, { now: SIGNED_ZSBK })).signatures[1]!;
    expect(codes(sig.errors)).toContain('ERR_OFD_SEAL_FILE_MISMATCH');
  });
});

describe('hostile and malformed OFD packages', () => {
  const ofdXml = new TextEncoder().encode(
    '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>',
  );

  it('a zip bomb (50 MiB of zeros in 50 KiB) is refused before it inflates', async () => {
    const bomb = buildZip([
      { name: 'OFD.xml', data: ofdXml },
      { name: 'Doc_0/bomb.xml', data: new Uint8Array(50 * 1024 * 1024) },
    ]);
    expect(bomb.length).toBeLessThan(200 * 1024);
    await expect(verifyOfdSeals(bomb)).rejects.toMatchObject({ code: 'ERR_OFD_ZIP_BOMB' });
  });

  it('an entry that inflates beyond its declared size is stopped', async () => {
    const big = new Uint8Array(4 * 1024 * 1024);
    const liar = buildZip([{ name: 'OFD.xml', data: big, declaredSize: 100 }]);
    await expect(verifyOfdSeals(liar)).rejects.toMatchObject({ code: 'ERR_OFD_ZIP_BOMB' });
  });

  it('size and entry limits apply', async () => {
    await expect(
      verifyOfdSeals(ofdrw('999.ofd'), { limits: { maxTotalSize: 100_000 } }),
    ).rejects.toMatchObject({ code: 'ERR_OFD_ZIP_BOMB' });
    await expect(
      verifyOfdSeals(ofdrw('999.ofd'), { limits: { maxEntries: 5 } }),
    ).rejects.toMatchObject({ code: 'ERR_OFD_ZIP_ENTRIES' });
  });

  it.each([
    '../x',
    '../../etc/cron.d/x',
    '/etc/passwd',
    'C:/Windows/x',
    'Doc_0\\..\\..\\x',
    'Doc_0/./x',
    'a\u0000b',
  ])('an entry named %j is ERR_OFD_ZIP_PATH and nothing is written', async (name) => {
    const before = { cwd: readdirSync('.'), tmp: readdirSync(tmpdir()), parent: readdirSync('..') };
    const zip = buildZip([
      { name: 'OFD.xml', data: ofdXml },
      { name, data: new TextEncoder().encode('pwned') },
    ]);
    await expect(verifyOfdSeals(zip)).rejects.toMatchObject({ code: 'ERR_OFD_ZIP_PATH' });
    expect({
      cwd: readdirSync('.'),
      tmp: readdirSync(tmpdir()),
      parent: readdirSync('..'),
    }).toEqual(before);
  });

  it('duplicate entries are ERR_OFD_ZIP_DUPLICATE', async () => {
    const zip = buildZip([
      { name: 'OFD.xml', data: ofdXml },
      { name: 'OFD.xml', data: ofdXml },
    ]);
    await expect(verifyOfdSeals(zip)).rejects.toMatchObject({ code: 'ERR_OFD_ZIP_DUPLICATE' });
  });

  it('overlapping entries (non-recursive zip bomb layout) are refused', async () => {
    const zip = Buffer.from(
      buildZip([
        { name: 'OFD.xml', data: ofdXml },
        { name: 'OFD2.xml', data: ofdXml },
      ]),
    );
    // Point the second central directory record at the first entry's local header.
    const cd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(0, cd + 42);
    await expect(verifyOfdSeals(new Uint8Array(zip))).rejects.toMatchObject({
      code: expect.stringMatching(/^ERR_OFD_(ZIP_UNSUPPORTED|PARSE)$/),
    });
  });

  it('garbage, a zip without OFD.xml, and XML with a DOCTYPE are ERR_OFD_PARSE', async () => {
    await expect(verifyOfdSeals(new TextEncoder().encode('not a zip'))).rejects.toMatchObject({
      code: 'ERR_OFD_PARSE',
    });
    await expect(verifyOfdSeals(ofdrw('999.ofd').subarray(0, 1000))).rejects.toMatchObject({
      code: 'ERR_OFD_PARSE',
    });
    await expect(verifyOfdSeals(buildZip([{ name: 'a.txt', data: ofdXml }]))).rejects.toMatchObject(
      { code: 'ERR_OFD_PARSE' },
    );
    const xxe = new TextEncoder().encode(
      '<?xml version="1.0"?><!DOCTYPE OFD [<!ENTITY a "aaaaaaaaaa">]><OFD>&a;</OFD>',
    );
    await expect(verifyOfdSeals(buildZip([{ name: 'OFD.xml', data: xxe }]))).rejects.toMatchObject({
      code: 'ERR_OFD_PARSE',
    });
  });

  it('an OFD without signatures is invalid with ERR_OFD_NO_SIGNATURES', async () => {
    const report = await verifyOfdSeals(buildZip([{ name: 'OFD.xml', data: ofdXml }]));
    expect(report.status).toBe('invalid');
    expect(codes(report.errors)).toEqual(['ERR_OFD_NO_SIGNATURES']);
  });

  it('a listed signature whose Signature.xml is missing is reported', async () => {
    const files = await readZip(ofdrw('999.ofd'));
    files.delete('Doc_0/Signs/Sign_0/Signature.xml');
    const zip = buildZip([...files].map(([name, data]) => ({ name, data })));
    const report = await verifyOfdSeals(zip, { now: SIGNED_999 });
    expect(report.status).toBe('invalid');
    expect(codes(report.signatures[0]!.errors)).toEqual(['ERR_OFD_SIGNATURE_FILE']);
  });
});
