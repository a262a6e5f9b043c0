/**
 * Issuing and verifying licences end to end: signed data + face PDF (Chinese text, QR code, the
 * signed data attached, the issuer's seal with a GB/T 38540 seal bound), checked by pdfsig (NSS
 * with the dev root), qpdf, pdffonts, pdftotext and a QR decoder (jsQR on pdftoppm's rendering);
 * lifecycle through the registry and status lists; tampered faces and bad input.
 */
import { readFileSync } from 'node:fs';
import jsQRModule from 'jsqr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawSeal, sealToPng, createSealId, makeSeal, type SesSeal } from '@govtrust/core/seal';
import {
  createLicenceRegistry,
  issueLicence,
  layoutFace,
  licenceCollections,
  licenceDigest,
  licenceLogs,
  loadLicenceTypes,
  registryStatusSource,
  serializeSignedLicence,
  signLicenceData,
  statusListSource,
  supersedeLicence,
  verifyLicence,
  verifyStatusListSignature,
  writeFacePdf,
  type LicenceData,
  type LicenceRegistry,
  type LicenceType,
} from '@govtrust/core/licence';
import {
  IncrementalWriter,
  PdfDict,
  PdfName,
  PdfRef,
  PdfStream,
  PdfString,
  openPdf,
  sealPdf,
} from '@govtrust/core/pdf';
import { createTimeStampAuthority } from '@govtrust/core/pki';
import { createMemoryStore, defineSchema, type Store } from '@govtrust/core/store';
import { deflateSync } from 'node:zlib';
import {
  DEV_PKI_NOW,
  devTrustStore,
  loadDevIdentity,
  type DevAlgorithm,
} from '../helpers/dev-pki.js';
import { hasTool, run, tempDir } from '../helpers/tools.js';
import { makeNssDb, pdfsig, qpdfCheck, renderPage } from '../pdf/helpers.js';
import { sampleLicence, TYPES_DIR } from './samples.js';

// jsqr is CommonJS typed as `export default`: under NodeNext the default import is the module.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ??
  jsQRModule) as typeof jsQRModule.default;

const schema = defineSchema({ collections: licenceCollections, logs: licenceLogs });
const NOW = DEV_PKI_NOW;
const later = (m: number): Date => new Date(NOW.getTime() + m * 60_000);
const VERIFY_URL = 'https://zwfw.example.gov.cn/v1/licences/verify';
const SAMPLES = [
  'business-licence',
  'food-business-licence',
  'construction-special-operations',
] as const;

let types: LicenceType[];
const typeOf = (data: LicenceData): LicenceType => types.find((t) => t.typeCode === data.typeCode)!;
const tmp = tempDir('govtrust-licence-issue-');

beforeAll(async () => {
  types = await loadLicenceTypes(TYPES_DIR);
});
afterAll(() => tmp.cleanup());

async function newRegistry(): Promise<{ registry: LicenceRegistry; store: Store<typeof schema> }> {
  const store = createMemoryStore(schema);
  const registry = createLicenceRegistry({
    store,
    statusListBaseUrl: 'https://zzk.example.gov.cn/v1/status-lists',
  });
  for (const t of types) await registry.putType(t);
  return { registry, store };
}

/** The issuer's GB/T 38540 seal, made by the SM2 dev seal maker, naming the licence issuer's certificate. */
async function issuerSeal(alg: DevAlgorithm, name: string): Promise<SesSeal> {
  return makeSeal({
    maker: loadDevIdentity('sm2', 'seal-maker').signer,
    holderCertificates: [loadDevIdentity(alg, 'licence-issuer').certificate.der],
    name,
    type: 1,
    esID: createSealId({ region: '350100', serial: 7 }),
    picture: {
      type: 'PNG',
      data: await sealToPng(drawSeal({ shape: 'round', text: name, sizeMm: 40 }), { dpi: 200 }),
      width: 40,
      height: 40,
    },
    validity: { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2028-01-01T00:00:00Z') },
    now: new Date('2026-01-01T00:00:00Z'),
  });
}

async function issue(
  alg: DevAlgorithm,
  sample: (typeof SAMPLES)[number],
  registry: LicenceRegistry,
  extra: { seal?: SesSeal; tsa?: ReturnType<typeof tsaClient> } = {},
) {
  const data = sampleLicence(sample);
  return issueLicence(data, {
    issuer: loadDevIdentity(alg, 'licence-issuer').signer,
    type: typeOf(data),
    now: NOW,
    verificationUrl: VERIFY_URL,
    registry,
    actor: 'test',
    ...(extra.seal === undefined ? {} : { seal: extra.seal }),
    ...(extra.tsa === undefined ? {} : { tsa: extra.tsa }),
  });
}

function tsaClient() {
  const tsa = loadDevIdentity('sm2', 'tsa');
  return createTimeStampAuthority({ signer: tsa.signer, now: () => NOW }).client();
}

/** Trust for faces with a bound seal: the seal maker is an SM2 CA's, which seals do not carry. */
const sealTrust = () => ({
  trust: devTrustStore(),
  intermediates: [loadDevIdentity('sm2', 'intermediate').certificate.der],
});

const checkStatus = (report: { checks: readonly { name: string; status: string }[] }) =>
  Object.fromEntries(report.checks.map((c) => [c.name, c.status]));

describe('issueLicence and verifyLicence', () => {
  for (const sample of SAMPLES) {
    it(`issues a ${sample} face that verifies as valid (result 0), with its GB/T 38540 seal bound`, async () => {
      const { registry, store } = await newRegistry();
      const data = sampleLicence(sample);
      const seal = await issuerSeal('p256', data.issuer.name);
      const issued = await issue('p256', sample, registry, { seal });
      expect(issued.data.status).toHaveLength(2);
      expect(issued.record?.status.state).toBe('valid');
      expect(issued.verificationUrl).toBe(
        `${VERIFY_URL}?id=${data.identifier}&d=${licenceDigest(issued.data)}`,
      );
      // No personal data in the QR text: only the identifier and a digest.
      expect(issued.verificationUrl).not.toContain(encodeURIComponent(data.holder.name));
      expect(issued.verificationUrl).not.toContain(data.holder.code);
      const report = await verifyLicence(issued.face, {
        ...sealTrust(),
        now: later(1),
        types,
        verificationUrl: VERIFY_URL,
        statusSource: registryStatusSource(registry),
      });
      expect(report).toMatchObject({
        input: 'face-pdf',
        status: 'valid',
        result: 0,
        licenceStatus: 'valid',
        identifier: data.identifier,
        errors: [],
      });
      expect(checkStatus(report)).toMatchObject({
        'face-seal': 'passed',
        seal: 'passed',
        attachment: 'passed',
        'seal-issuer': 'passed',
        'face-content': 'passed',
        signature: 'passed',
        certificate: 'passed',
        validity: 'passed',
        status: 'passed',
      });
      const sig = report.face!.signatures[0]!;
      expect(sig).toMatchObject({
        field: 'LicenceSeal',
        status: 'valid',
        intact: true,
        coverage: 'entire-file',
        modifications: 'none',
        level: 'B-B',
        seal: { esID: seal.sealInfo.esID, name: data.issuer.name, valid: true },
      });
      expect(report.face!.attachment).toMatchObject({ relationship: 'Source' });
      expect(report.face!.qr).toBe(issued.verificationUrl);
      // The audit log has the issue.
      const log = await store.readLog('licence-events');
      expect(log.map((e) => [e.entry.event, e.entry.identifier, e.entry.actor])).toEqual([
        ['issued', data.identifier, 'test'],
      ]);
      // The signed data file alone verifies too.
      const viaData = await verifyLicence(issued.signedFile, {
        trust: devTrustStore('p256'),
        now: later(1),
        statusSource: registryStatusSource(registry),
      });
      expect(viaData).toMatchObject({ input: 'signed-data', status: 'valid', result: 0 });
    });
  }

  it('issues with SM2 and a TSA: PAdES B-T, the time-stamp verifies, the SM2 seal binding holds', async () => {
    const { registry } = await newRegistry();
    const data = sampleLicence('food-business-licence');
    const issued = await issue('sm2', 'food-business-licence', registry, {
      seal: await issuerSeal('sm2', data.issuer.name),
      tsa: tsaClient(),
    });
    const report = await verifyLicence(issued.face, {
      ...sealTrust(),
      now: later(1),
      types,
      statusSource: registryStatusSource(registry),
    });
    expect(report).toMatchObject({ status: 'valid', result: 0, algorithm: 'sm2-sm3' });
    expect(report.face!.signatures[0]).toMatchObject({
      level: 'B-T',
      algorithm: 'sm2-sm3',
      timestamp: { valid: true, time: NOW.toISOString() },
      seal: { valid: true },
    });
  });

  it('beforeStore runs with the sealed face before the registry stores the licence; when it fails nothing is stored', async () => {
    const { registry } = await newRegistry();
    const data = sampleLicence('business-licence');
    const base = {
      issuer: loadDevIdentity('p256', 'licence-issuer').signer,
      type: typeOf(data),
      now: NOW,
      verificationUrl: VERIFY_URL,
      registry,
    };
    let seen: { face: Uint8Array; stored: boolean } | undefined;
    const issued = await issueLicence(data, {
      ...base,
      beforeStore: async (x) => {
        seen = {
          face: x.face,
          stored: (await registry.getLicence(x.data.identifier)) !== undefined,
        };
      },
    });
    expect(seen?.stored).toBe(false);
    expect(seen?.face).toEqual(issued.face);
    expect(issued.record?.status.state).toBe('valid');
    const other = sampleLicence('food-business-licence');
    await expect(
      issueLicence(other, {
        ...base,
        type: typeOf(other),
        beforeStore: () => Promise.reject(new Error('disk full')),
      }),
    ).rejects.toThrow('disk full');
    expect(await registry.getLicence(other.identifier)).toBeUndefined();
  });

  it('draws an official seal of the issuer when no GB/T 38540 seal is given, and warns that none is bound', async () => {
    const { registry } = await newRegistry();
    const issued = await issue('rsa', 'construction-special-operations', registry);
    const report = await verifyLicence(issued.face, {
      trust: devTrustStore('rsa'),
      now: later(1),
      statusSource: registryStatusSource(registry),
    });
    expect(report).toMatchObject({ status: 'valid', result: 0 });
    expect(checkStatus(report).seal).toBe('skipped');
    expect(report.warnings.map((w) => w.code)).toContain('ERR_LICENCE_SEAL_ABSENT');
  });
});

describe('status entries without a registry, or reserved by the caller', () => {
  it('puts the given statusList entries in the signed data (no registry, nothing stored)', async () => {
    const data = sampleLicence('food-business-licence');
    const statusList = (['revocation', 'suspension'] as const).map((purpose) => ({
      type: 'BitstringStatusListEntry' as const,
      id: `https://zzk.example.gov.cn/v1/status-lists/${data.issuer.code}/1-${purpose}#42`,
      statusPurpose: purpose,
      statusListIndex: '42',
      statusListCredential: `https://zzk.example.gov.cn/v1/status-lists/${data.issuer.code}/1-${purpose}`,
    }));
    const issued = await issueLicence(data, {
      issuer: loadDevIdentity('p256', 'licence-issuer').signer,
      type: typeOf(data),
      now: NOW,
      verificationUrl: VERIFY_URL,
      statusList,
    });
    expect(issued.data.status).toEqual(statusList);
    expect(issued.record).toBeUndefined();
    const r = await verifyLicence(issued.face, { trust: devTrustStore('p256'), now: later(1) });
    expect(r).toMatchObject({ status: 'valid', result: 0 });
    expect(r.warnings.map((w) => w.code)).toContain('ERR_LICENCE_STATUS_NOT_CHECKED');
  });

  it('keeps an index the caller reserved with allocateStatus, and the registry accepts it', async () => {
    const { registry } = await newRegistry();
    const data = sampleLicence('business-licence');
    const status = await registry.allocateStatus(data.identifier, { now: NOW });
    const issued = await issueLicence(
      { ...data, status },
      {
        issuer: loadDevIdentity('p256', 'licence-issuer').signer,
        type: typeOf(data),
        now: NOW,
        verificationUrl: VERIFY_URL,
        registry,
      },
    );
    expect(issued.data.status).toEqual(status);
    expect(issued.record?.statusSlot.index).toBe(Number(status[0]!.statusListIndex));
    expect((await registry.statusLists(data.issuer.code))[0]?.allocated).toBe(1);
  });
});

describe.skipIf(
  !['pdfsig', 'certutil', 'qpdf', 'pdftotext', 'pdftoppm', 'pdffonts'].every(hasTool),
)('issued faces checked by third-party tools', () => {
  for (const alg of ['p256', 'rsa'] as const) {
    it(`${alg}: pdfsig says valid, qpdf --check is clean, pdftotext extracts the holder and number, the QR code decodes`, async () => {
      const { registry } = await newRegistry();
      const data = sampleLicence('business-licence');
      const issued = await issue(alg, 'business-licence', registry, {
        seal: await issuerSeal(alg, data.issuer.name),
      });
      const file = tmp.write(`face-${alg}.pdf`, issued.face);
      const nss = makeNssDb(tmp.path(`nss-${alg}`), loadDevIdentity(alg, 'root').paths.cert);
      const [sig] = pdfsig(nss, file);
      expect(sig).toMatchObject({ field: 'LicenceSeal', valid: true, total: true });
      expect(qpdfCheck(file).ok).toBe(true);
      // The font: a CID-keyed CFF subset (CIDFontType0C) with a ToUnicode map.
      const fonts = run('pdffonts', [file]);
      expect(fonts).toMatch(
        /\+NotoSerifCJKsc-Regular\s+CID Type 0C\s+Identity-H\s+yes\s+yes\s+yes/,
      );
      const text = run('pdftotext', [file, '-']);
      expect(text).toContain(data.holder.name);
      expect(text).toContain(data.number);
      expect(text.replace(/\s+/g, '')).toContain('营业执照');
      expect(text.replace(/\s+/g, '')).toContain(String(data.fields.legalRepresentative));
      expect(text).toContain(data.identifier);
      // The QR code as a reader's camera would see it: the rendered page decoded by jsQR.
      const page = renderPage(tmp.dir, file, 1, 150);
      const rgba = new Uint8ClampedArray(page.width * page.height * 4);
      for (let y = 0; y < page.height; y++) {
        for (let x = 0; x < page.width; x++) {
          const [r, g, b] = page.rgb(x, y);
          rgba.set([r, g, b, 255], (y * page.width + x) * 4);
        }
      }
      const qr = jsQR(rgba, page.width, page.height);
      expect(qr?.data).toBe(issued.verificationUrl);
    });
  }

  it('renders a face that looks like a licence (title, seal red over the issuer block)', async () => {
    const { registry } = await newRegistry();
    const data = sampleLicence('business-licence');
    const issued = await issue('p256', 'business-licence', registry, {
      seal: await issuerSeal('p256', data.issuer.name),
    });
    const file = tmp.write('look.pdf', issued.face);
    run('pdftoppm', ['-png', '-r', '80', '-singlefile', file, tmp.path('look')]);
    const png = readFileSync(tmp.path('look.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // The seal's centre (from the layout) is seal red, and the page corners are white.
    const plan = layoutFace(issued.data, typeOf(data));
    const page = renderPage(tmp.dir, file, 1, 72);
    const mmToPx = 72 / 25.4;
    const cx = Math.round((plan.seal.x + plan.seal.size / 2) * mmToPx);
    const cy = Math.round((plan.seal.y + plan.seal.size / 2) * mmToPx);
    let red = 0;
    for (let dy = -20; dy <= 20; dy++) {
      for (let dx = -20; dx <= 20; dx++) {
        const [r, g, b] = page.rgb(cx + dx, cy + dy);
        if (r > 180 && g < 120 && b < 120) red++;
      }
    }
    expect(red).toBeGreaterThan(50);
    expect(page.rgb(2, 2)).toEqual([255, 255, 255]);
  });
});

describe('lifecycle', () => {
  it('after revoke: revoked (result 3) from the store and from a freshly published status list; suspend: 2; resume: 0', async () => {
    const { registry } = await newRegistry();
    const issuer = loadDevIdentity('p256', 'licence-issuer');
    const issued = await issue('p256', 'food-business-licence', registry);
    const trust = devTrustStore('p256');
    const viaRegistry = (now: Date) =>
      verifyLicence(issued.face, { trust, now, statusSource: registryStatusSource(registry) });
    const viaLists = async (now: Date) => {
      const lists = [];
      for (const purpose of ['revocation', 'suspension'] as const) {
        const list = await registry.publishStatusList(issued.data.issuer.code, 1, purpose, {
          now,
          signer: issuer.signer,
        });
        expect(
          await verifyStatusListSignature(list, { publicKey: issuer.certificate.publicKey }),
        ).toBe(true);
        lists.push(list.credential);
      }
      return verifyLicence(issued.face, { trust, now, statusSource: statusListSource(lists) });
    };
    expect(await viaLists(later(1))).toMatchObject({ status: 'valid', result: 0 });
    await registry.changeStatus(issued.data.identifier, 'suspend', {
      reasonCode: 'suspend.penalty',
      now: later(2),
    });
    for (const r of [await viaRegistry(later(3)), await viaLists(later(3))])
      expect(r).toMatchObject({ status: 'valid', result: 2, licenceStatus: 'suspended' });
    await registry.changeStatus(issued.data.identifier, 'resume', {
      reasonCode: 'resume.period-ended',
      now: later(4),
    });
    for (const r of [await viaRegistry(later(5)), await viaLists(later(5))])
      expect(r).toMatchObject({ status: 'valid', result: 0, licenceStatus: 'valid' });
    await registry.changeStatus(issued.data.identifier, 'revoke', {
      reasonCode: 'revoke.penalty',
      now: later(6),
    });
    for (const r of [await viaRegistry(later(7)), await viaLists(later(7))])
      expect(r).toMatchObject({ status: 'valid', result: 3, licenceStatus: 'revoked' });
  });

  it('supersedes: version 002 issued and valid, version 001 superseded (result 3), both in the registry', async () => {
    const { registry } = await newRegistry();
    const first = await issue('p256', 'business-licence', registry);
    const next = await supersedeLicence(
      first.data.identifier,
      { fields: { ...first.data.fields, domicile: '福建省福州市台江区江滨中大道 8 号' } },
      {
        issuer: loadDevIdentity('p256', 'licence-issuer').signer,
        type: first.data.typeCode,
        now: later(10),
        verificationUrl: VERIFY_URL,
        registry,
        reasonCode: 'supersede.change',
        reason: '住所变更',
      },
    );
    expect(next.data.identifier).toMatch(/\.002\.[0-9A-Z]$/);
    expect(next.data.previousVersion).toBe(first.data.identifier);
    expect(next.previous.status).toMatchObject({
      state: 'superseded',
      supersededBy: next.data.identifier,
    });
    const trust = devTrustStore('p256');
    const statusSource = registryStatusSource(registry);
    expect(
      await verifyLicence(next.face, { trust, now: later(11), statusSource, types }),
    ).toMatchObject({ status: 'valid', result: 0 });
    expect(await verifyLicence(first.face, { trust, now: later(11), statusSource })).toMatchObject({
      status: 'valid',
      result: 3,
      licenceStatus: 'superseded',
    });
    expect((await registry.versions(first.data.identifier)).map((r) => r.data.identifier)).toEqual([
      first.data.identifier,
      next.data.identifier,
    ]);
  });
});

/** An incremental update of `pdf` made with `edit`. */
function update(
  pdf: Uint8Array,
  edit: (w: IncrementalWriter, doc: ReturnType<typeof openPdf>) => void,
) {
  const doc = openPdf(pdf);
  const w = new IncrementalWriter(doc);
  edit(w, doc);
  return w.write().bytes;
}

/** The embedded file stream of the face's (only) attachment. */
function attachmentRef(doc: ReturnType<typeof openPdf>): PdfRef {
  const af = doc.resolveArray(doc.catalog.get('AF'))!;
  const spec = doc.resolveDict(af[0])!;
  return doc.resolveDict(spec.get('EF'))!.get('F') as PdfRef;
}

describe('tampered faces', () => {
  const trust = () => devTrustStore('p256');
  let issued: Awaited<ReturnType<typeof issue>>;
  let registry: LicenceRegistry;

  beforeAll(async () => {
    ({ registry } = await newRegistry());
    issued = await issue('p256', 'business-licence', registry);
  });

  const verify = (pdf: Uint8Array) =>
    verifyLicence(pdf, {
      trust: trust(),
      now: later(1),
      types,
      statusSource: registryStatusSource(registry),
    });
  const codes = (r: { errors: readonly { code: string }[] }) => r.errors.map((e) => e.code);

  it('a face field edited in the attached data: the face changed after sealing, the data signature fails', async () => {
    const edited = {
      ...issued.signed,
      data: { ...issued.data, holder: { ...issued.data.holder, name: '福州另一家软件有限公司' } },
    };
    const pdf = update(issued.face, (w, doc) => {
      const json = Buffer.from(serializeSignedLicence(edited));
      w.set(
        attachmentRef(doc),
        new PdfStream(
          new PdfDict([
            ['Type', PdfName.of('EmbeddedFile')],
            ['Subtype', PdfName.of('application/json')],
            ['Filter', PdfName.of('FlateDecode')],
          ]),
          deflateSync(json),
        ),
      );
    });
    const r = await verify(pdf);
    expect(r).toMatchObject({ status: 'invalid', result: 7 });
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'ERR_LICENCE_FACE_MODIFIED',
        'ERR_LICENCE_SIGNATURE_INVALID',
        'ERR_LICENCE_FACE_MISMATCH',
      ]),
    );
    expect(r.face!.signatures[0]).toMatchObject({ intact: true, modifications: 'disallowed' });
  });

  it("a later signature the issuer's certification allows (用证 stamp, P=2) keeps the licence valid", async () => {
    const stamped = await sealPdf(issued.face, {
      signer: loadDevIdentity('p256', 'org-b').signer,
      now: later(1),
    });
    const r = await verify(stamped);
    expect(r).toMatchObject({ status: 'valid', result: 0, errors: [] });
    expect(r.face!.signatures).toHaveLength(2);
    expect(r.face!.signatures[0]).toMatchObject({
      status: 'valid',
      modifications: 'allowed',
      coverage: 'entire-revision',
    });
    expect(r.face!.signatures[1]).toMatchObject({ status: 'valid', coverage: 'entire-file' });
    expect(r.warnings.filter((w) => w.code.startsWith('ERR_PDF'))).toEqual([]);
  });

  it('a byte changed inside the sealed range: the seal signature fails', async () => {
    const bytes = Buffer.from(issued.face);
    const at = bytes.indexOf('/Subject (1.2.156.3005.2.');
    expect(at).toBeGreaterThan(0);
    bytes[at + 12] = '7'.charCodeAt(0);
    const r = await verify(new Uint8Array(bytes));
    expect(r).toMatchObject({ status: 'invalid', result: 7 });
    expect(codes(r)).toContain('ERR_LICENCE_FACE_SEAL_INVALID');
    expect(r.face!.signatures[0]!.intact).toBe(false);
  });

  it('the attached file swapped for another genuine licence of the same issuer: modified, face and data differ', async () => {
    const other = await issue('p256', 'food-business-licence', registry);
    const pdf = update(issued.face, (w, doc) => {
      const stream = w.add(
        new PdfStream(
          new PdfDict([
            ['Type', PdfName.of('EmbeddedFile')],
            ['Subtype', PdfName.of('application/json')],
          ]),
          other.signedFile,
        ),
      );
      const spec = w.add(
        new PdfDict([
          ['Type', PdfName.of('Filespec')],
          ['F', PdfString.latin1('licence.json')],
          ['AFRelationship', PdfName.of('Source')],
          ['EF', new PdfDict([['F', stream]])],
        ]),
      );
      const cat = w.editDict(doc.trailer.get('Root') as PdfRef);
      cat.set('AF', [spec]);
      cat.set(
        'Names',
        new PdfDict([
          ['EmbeddedFiles', new PdfDict([['Names', [PdfString.latin1('licence.json'), spec]]])],
        ]),
      );
    });
    const r = await verify(pdf);
    expect(r).toMatchObject({ status: 'invalid', result: 7, identifier: other.data.identifier });
    expect(codes(r)).toEqual(
      expect.arrayContaining(['ERR_LICENCE_FACE_MODIFIED', 'ERR_LICENCE_FACE_MISMATCH']),
    );
    // The swapped-in data itself is genuine: its signature passes.
    expect(checkStatus(r).signature).toBe('passed');
  });

  it('genuine signed data in a face sealed by another issuer: ERR_LICENCE_SEAL_ISSUER_MISMATCH', async () => {
    const data = issued.data;
    const type = typeOf(data);
    const signed = await signLicenceData(data, {
      signer: loadDevIdentity('p256', 'licence-issuer').signer,
    });
    const face = await writeFacePdf({
      plan: layoutFace(data, type),
      qrText: issued.verificationUrl,
      attachment: {
        name: 'licence.json',
        data: new TextEncoder().encode(serializeSignedLicence(signed)),
        mimeType: 'application/json',
        description: 'licence',
        relationship: 'Source',
        modified: NOW,
      },
      info: { title: data.name, author: data.issuer.name, subject: data.identifier, created: NOW },
    });
    const other = loadDevIdentity('p256', 'org-b');
    const sealed = await sealPdf(face, { signer: other.signer, now: NOW });
    const r = await verify(sealed);
    expect(r).toMatchObject({ status: 'invalid', result: 7 });
    expect(codes(r)).toEqual(['ERR_LICENCE_SEAL_ISSUER_MISMATCH']);
    // The same face unsealed: not sealed at all.
    const unsealed = await verify(face);
    expect(codes(unsealed)).toContain('ERR_LICENCE_FACE_NOT_SEALED');
  });

  it('a sealed PDF without licence data: ERR_LICENCE_FACE_NO_DATA', async () => {
    const plain = readFileSync(
      new URL('../../../../samples/contract-zh-keyword.pdf', import.meta.url),
    );
    const sealed = await sealPdf(new Uint8Array(plain), {
      signer: loadDevIdentity('p256', 'licence-issuer').signer,
      now: NOW,
    });
    const r = await verify(sealed);
    expect(r).toMatchObject({ status: 'invalid', result: 7 });
    expect(codes(r)).toContain('ERR_LICENCE_FACE_NO_DATA');
  });

  it('refuses unusable input with a code', async () => {
    const options = { trust: trust(), now: NOW };
    await expect(verifyLicence(new Uint8Array([1, 2, 3]), options)).rejects.toMatchObject({
      code: 'ERR_LICENCE_SIGNED_FORMAT',
    });
    await expect(verifyLicence('{"format":"x"}', options)).rejects.toMatchObject({
      code: 'ERR_LICENCE_SIGNED_FORMAT',
    });
    await expect(
      verifyLicence(new TextEncoder().encode('%PDF-1.7\ngarbage'), options),
    ).rejects.toMatchObject({ code: 'ERR_PDF_PARSE' });
  });
});

describe('bad input: a clear error and nothing stored', () => {
  const cases: {
    title: string;
    sample: (typeof SAMPLES)[number];
    edit: (d: LicenceData) => unknown;
    type?: string;
    code: string;
    issue?: string;
  }[] = [
    {
      title: 'unknown type',
      sample: 'business-licence',
      edit: (d) => d,
      type: '11100000MB0G30001B999',
      code: 'ERR_LICENCE_TYPE_UNKNOWN',
    },
    {
      title: 'missing required field',
      sample: 'business-licence',
      edit: (d) => ({ ...d, fields: { ...d.fields, legalRepresentative: '' } }),
      code: 'ERR_LICENCE_DATA_INVALID',
      issue: 'ERR_LICENCE_FIELD_MISSING',
    },
    {
      title: 'invalid USCC (strict)',
      sample: 'business-licence',
      edit: (d) => ({ ...d, holder: { ...d.holder, code: '91350100M000100Y44' } }),
      code: 'ERR_LICENCE_DATA_INVALID',
      issue: 'ERR_USCC_CHECK_CHAR',
    },
    {
      title: 'invalid ID number (strict)',
      sample: 'construction-special-operations',
      edit: (d) => ({ ...d, holder: { ...d.holder, code: '110105199003077017' } }),
      code: 'ERR_LICENCE_DATA_INVALID',
      issue: 'ERR_RESIDENT_ID_CHECK_CHAR',
    },
    {
      title: 'validity end before start',
      sample: 'food-business-licence',
      edit: (d) => ({ ...d, validUntil: '2025-04-01' }),
      code: 'ERR_LICENCE_DATA_INVALID',
      issue: 'ERR_LICENCE_VALIDITY_RANGE',
    },
    {
      title: 'a value too long for the face layout',
      sample: 'business-licence',
      edit: (d) => ({ ...d, fields: { ...d.fields, businessScope: '软件开发；'.repeat(400) } }),
      code: 'ERR_LICENCE_FACE_OVERFLOW',
    },
    {
      title: 'a character the embedded font cannot draw',
      sample: 'construction-special-operations',
      edit: (d) => ({ ...d, holder: { ...d.holder, name: '张😀' } }),
      code: 'ERR_FONT_GLYPH_MISSING',
    },
  ];
  for (const c of cases) {
    it(c.title, async () => {
      const { registry, store } = await newRegistry();
      const data = c.edit(sampleLicence(c.sample)) as LicenceData;
      const p = issueLicence(data, {
        issuer: loadDevIdentity('p256', 'licence-issuer').signer,
        type: c.type ?? data.typeCode,
        now: NOW,
        verificationUrl: VERIFY_URL,
        registry,
      });
      await expect(p).rejects.toMatchObject({ code: c.code });
      if (c.issue !== undefined) {
        const err = (await p.catch((e: unknown) => e)) as { issues: { code: string }[] };
        expect(err.issues.map((i) => i.code)).toContain(c.issue);
      }
      expect(await registry.getLicence(data.identifier)).toBeUndefined();
      expect(await registry.statusLists(data.issuer.code)).toEqual([]);
      expect(await store.logHead('licence-events')).toBeUndefined();
    });
  }

  it('a status change or a new version of an unknown identifier: ERR_LICENCE_NOT_FOUND', async () => {
    const { registry } = await newRegistry();
    const unknown = sampleLicence('business-licence').identifier;
    await expect(
      registry.changeStatus(unknown, 'revoke', { reasonCode: 'revoke.penalty', now: NOW }),
    ).rejects.toMatchObject({ code: 'ERR_LICENCE_NOT_FOUND' });
    await expect(
      supersedeLicence(
        unknown,
        {},
        {
          issuer: loadDevIdentity('p256', 'licence-issuer').signer,
          type: sampleLicence('business-licence').typeCode,
          now: NOW,
          verificationUrl: VERIFY_URL,
          registry,
          reasonCode: 'supersede.change',
        },
      ),
    ).rejects.toMatchObject({ code: 'ERR_LICENCE_NOT_FOUND' });
    expect(await registry.statusLists(sampleLicence('business-licence').issuer.code)).toEqual([]);
  });

  it('an issuer without a certificate, or a licence issued twice', async () => {
    const { registry } = await newRegistry();
    const data = sampleLicence('business-licence');
    const base = {
      type: data.typeCode,
      now: NOW,
      verificationUrl: VERIFY_URL,
      registry,
    };
    const bare = { ...loadDevIdentity('p256', 'licence-issuer').signer, certificateChain: [] };
    await expect(issueLicence(data, { ...base, issuer: bare })).rejects.toMatchObject({
      code: 'ERR_LICENCE_ISSUE_OPTIONS',
    });
    await issueLicence(data, { ...base, issuer: loadDevIdentity('p256', 'licence-issuer').signer });
    await expect(
      issueLicence(data, { ...base, issuer: loadDevIdentity('p256', 'licence-issuer').signer }),
    ).rejects.toMatchObject({ code: 'ERR_LICENCE_EXISTS' });
    expect((await registry.statusLists(data.issuer.code))[0]?.allocated).toBe(1);
  });
});
