/** The committed sample PDFs (samples/) are what make-pdf-samples.ts produces, and they seal cleanly. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  findKeyword,
  getAcroForm,
  getPageCount,
  getPages,
  openPdf,
  sealPdf,
} from '../../src/pdf/index.js';
import { drawSeal } from '../../src/seal/index.js';
import { DEV_PKI_NOW, devPkiPath, loadDevIdentity } from '../helpers/dev-pki.js';
import { hasTool, tempDir } from '../helpers/tools.js';
import { makeNssDb, pdfsig, qpdfCheck, redSealPng } from './helpers.js';
import { SAMPLES_DIR, makePdfSamples } from './make-pdf-samples.js';

const sample = (name: string): Uint8Array => new Uint8Array(readFileSync(join(SAMPLES_DIR, name)));

describe.skipIf(!hasTool('qpdf'))('samples/', () => {
  const tmp = tempDir('govtrust-pdf-samples-');
  afterAll(() => tmp.cleanup());

  it('are exactly what the script regenerates', async () => {
    const names = await makePdfSamples(tmp.dir);
    for (const n of names)
      expect(Buffer.from(tmp.read(n)).equals(Buffer.from(sample(n))), n).toBe(true);
  });

  it('have the structures they are there for', () => {
    expect(openPdf(sample('contract-pdflib.pdf')).latest.xrefStyle).toBe('table');
    const objstm = openPdf(sample('contract-objstm.pdf'));
    expect(objstm.latest.xrefStyle).toBe('stream');
    expect([...objstm.entriesAt().values()].some((e) => e.type === 'compressed')).toBe(true);
    expect(getPageCount(openPdf(sample('report-50-pages.pdf')))).toBe(50);
    const zh = openPdf(sample('contract-zh-keyword.pdf'));
    expect(findKeyword(zh, getPages(zh), '盖章处').map((h) => h.pageIndex)).toEqual([0, 1]);
  });

  it.skipIf(!hasTool('pdfsig') || !hasTool('certutil'))(
    'take a riding seal over all 50 pages and a positioned seal on the object-stream contract',
    async () => {
      const { signer } = loadDevIdentity('rsa', 'org-a');
      const nss = makeNssDb(tmp.dir, devPkiPath('rsa', 'root.pem'));
      const image = redSealPng(160);
      const riding = await sealPdf(sample('report-50-pages.pdf'), {
        signer,
        now: DEV_PKI_NOW,
        appearance: { image },
        placement: { riding: {} },
      });
      const contract = await sealPdf(sample('contract-objstm.pdf'), {
        signer,
        now: DEV_PKI_NOW,
        appearance: { image },
        placement: { page: 2, x: 60, y: 60 },
      });
      // Keyword positioning on the Chinese contract: 乙方（盖章处） on page 2, as a vector drawSeal seal.
      const zh = await sealPdf(sample('contract-zh-keyword.pdf'), {
        signer,
        now: DEV_PKI_NOW,
        appearance: { drawing: drawSeal({ shape: 'round', text: '某某信息科技有限公司' }) },
        placement: { keyword: '盖章处', occurrence: 2 },
      });
      const zhDoc = openPdf(zh);
      const widget = zhDoc.resolveDict(getAcroForm(zhDoc)!.signatureFields[0]!.ref)!;
      expect(zhDoc.resolve(widget.get('P'))).toBe(getPages(zhDoc)[1]!.dict);
      for (const [name, pdf] of [
        ['riding.pdf', riding],
        ['contract.pdf', contract],
        ['zh.pdf', zh],
      ] as const) {
        const file = tmp.write(name, pdf);
        expect(qpdfCheck(file).ok).toBe(true);
        const sigs = pdfsig(nss, file);
        expect(sigs.length).toBeGreaterThan(0);
        for (const s of sigs) expect(s.valid, s.raw).toBe(true);
      }
    },
  );
});
