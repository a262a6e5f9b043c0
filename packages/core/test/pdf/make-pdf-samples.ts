/**
 * Regenerates the sample PDFs in samples/ (see samples/SOURCES.md):
 *   npx tsx packages/core/test/pdf/make-pdf-samples.ts
 * Deterministic (fixed dates, qpdf --deterministic-id), so samples.test.ts can check that the
 * committed files are exactly what this script makes. Needs qpdf for the object-stream sample.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';

/** The committed samples folder. */
export const SAMPLES_DIR = join(import.meta.dirname, '..', '..', '..', '..', 'samples');
const FIXED = new Date(Date.UTC(2026, 0, 1, 0, 0, 0));

function paragraph(page: PDFPage, font: PDFFont, lines: readonly string[], y0: number): void {
  lines.forEach((line, i) => page.drawText(line, { x: 72, y: y0 - i * 16, size: 11, font }));
}

async function contract(): Promise<PDFDocument> {
  const doc = await PDFDocument.create();
  doc.setTitle('Service agreement (GovTrust sample)');
  doc.setProducer('pdf-lib 1.17.1 (GovTrust samples script)');
  doc.setCreator('GovTrust scripts/make-pdf-samples.ts');
  doc.setCreationDate(FIXED);
  doc.setModificationDate(FIXED);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const p1 = doc.addPage([595.28, 841.89]);
  p1.drawText('SERVICE AGREEMENT', { x: 72, y: 770, size: 18, font: bold });
  paragraph(
    p1,
    font,
    [
      'Party A: Example Municipal Administration for Market Regulation',
      'Party B: Example Technology Co., Ltd.',
      '',
      '1. Party B provides electronic seal services to Party A.',
      '2. Seals are applied as PAdES signatures in incremental updates.',
      '3. Earlier signatures remain valid after later seals are applied.',
    ],
    730,
  );
  const p2 = doc.addPage([595.28, 841.89]);
  paragraph(p2, font, ['Signatures', '', 'Party A (seal):', '', '', '', 'Party B (seal):'], 770);
  p2.drawRectangle({ x: 72, y: 560, width: 200, height: 1, color: rgb(0, 0, 0) });
  return doc;
}

async function report(pages: number): Promise<PDFDocument> {
  const doc = await PDFDocument.create();
  doc.setTitle('Fifty-page report (GovTrust sample)');
  doc.setProducer('pdf-lib 1.17.1 (GovTrust samples script)');
  doc.setCreationDate(FIXED);
  doc.setModificationDate(FIXED);
  const font = await doc.embedFont(StandardFonts.TimesRoman);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595.28, 841.89]);
    page.drawText(`Annual report - page ${i + 1} of ${pages}`, { x: 72, y: 780, size: 14, font });
    const lines = Array.from(
      { length: 30 },
      (_, l) => `Section ${i + 1}.${l + 1}: figures and commentary for the riding-seal sample.`,
    );
    page.drawText(lines.join('\n'), { x: 72, y: 740, size: 10, font, lineHeight: 14 });
  }
  return doc;
}

/** Writes the sample PDFs into `dir`; returns their file names. */
export async function makePdfSamples(dir: string): Promise<string[]> {
  const contractBytes = await (await contract()).save({ useObjectStreams: false });
  writeFileSync(join(dir, 'contract-pdflib.pdf'), contractBytes);

  // The same contract rewritten by qpdf: xref stream and object streams (PDF 1.5 compression).
  const tmp = mkdtempSync(join(tmpdir(), 'govtrust-samples-'));
  try {
    writeFileSync(join(tmp, 'in.pdf'), contractBytes);
    execFileSync('qpdf', [
      '--object-streams=generate',
      '--deterministic-id',
      join(tmp, 'in.pdf'),
      join(tmp, 'out.pdf'),
    ]);
    writeFileSync(join(dir, 'contract-objstm.pdf'), readFileSync(join(tmp, 'out.pdf')));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  writeFileSync(
    join(dir, 'report-50-pages.pdf'),
    await (await report(50)).save({ useObjectStreams: false }),
  );
  return ['contract-pdflib.pdf', 'contract-objstm.pdf', 'report-50-pages.pdf'];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const names = await makePdfSamples(SAMPLES_DIR);
  process.stdout.write(`samples written: ${names.join(', ')}\n`);
}
