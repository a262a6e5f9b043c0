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
import { deflateSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import * as fontkit from 'fontkit';
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import subsetFont from 'subset-font';
import { loadCjkFont } from '../../src/seal/image/font.js';

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

interface ZhLine {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly size: number;
}

/** The 'CFF ' table of an OpenType font (its table directory, OpenType spec "Font file"). */
function cffTable(otf: Buffer): Buffer {
  const n = otf.readUInt16BE(4);
  for (let i = 0; i < n; i++) {
    const rec = 12 + 16 * i;
    if (otf.toString('latin1', rec, rec + 4) === 'CFF ')
      return otf.subarray(
        otf.readUInt32BE(rec + 8),
        otf.readUInt32BE(rec + 8) + otf.readUInt32BE(rec + 12),
      );
  }
  throw new Error('no CFF table');
}

/** CID of glyph `gid` in a CID-keyed CFF charset (formats 0, 1 and 2). */
function cidOfGlyph(
  charset: { glyphs?: number[]; ranges?: { first: number; nLeft: number }[] },
  gid: number,
): number {
  if (gid === 0) return 0;
  if (charset.glyphs) return charset.glyphs[gid - 1]!;
  let g = 1;
  for (const r of charset.ranges ?? []) {
    if (gid < g + r.nLeft + 1) return r.first + (gid - g);
    g += r.nLeft + 1;
  }
  throw new Error(`glyph ${gid} not in the charset`);
}

/**
 * A Chinese contract whose signature lines carry the keyword 盖章处 (甲方 on page 1, 乙方 on page 2),
 * written by this script itself (a third producer next to pdf-lib and qpdf): a Type0 font
 * (Identity-H, codes are the CIDs of the CID-keyed CFF) over the project's embedded font, subset
 * to the characters used by HarfBuzz hb-subset and embedded as FontFile3 /CIDFontType0C, with /W
 * widths and a /ToUnicode CMap so keyword positioning and text extraction work.
 */
async function chineseContract(): Promise<Uint8Array> {
  const pages: ZhLine[][] = [
    [
      { text: '电子印章服务合同', x: 72, y: 770, size: 20 },
      { text: '甲方：某某市市场监督管理局', x: 72, y: 720, size: 12 },
      { text: '乙方：某某信息科技有限公司', x: 72, y: 696, size: 12 },
      { text: '第一条　乙方为甲方提供电子印章及电子证照签章服务。', x: 72, y: 672, size: 12 },
      { text: '第二条　每次盖章以增量更新方式写入，先前的签章保持有效。', x: 72, y: 648, size: 12 },
      { text: '第三条　本合同一式两份，双方盖章后生效。', x: 72, y: 624, size: 12 },
      { text: '甲方（盖章处）：', x: 72, y: 420, size: 14 },
      { text: '日期：2026年1月1日', x: 72, y: 380, size: 12 },
    ],
    [
      { text: '附件：服务清单', x: 72, y: 770, size: 16 },
      { text: '一、电子印章制作与备案', x: 72, y: 730, size: 12 },
      { text: '二、关键字定位与骑缝章', x: 72, y: 706, size: 12 },
      { text: '乙方（盖章处）：', x: 72, y: 420, size: 14 },
      { text: '日期：2026年1月1日', x: 72, y: 380, size: 12 },
    ],
  ];
  const chars = [...new Set(pages.flat().flatMap((l) => Array.from(l.text)))];
  const fontBytes = await subsetFont(Buffer.from(loadCjkFont()), chars.join(''), {
    targetFormat: 'sfnt',
  });
  const face = fontkit.create(fontBytes) as fontkit.Font;
  const cff = (
    face as unknown as { 'CFF ': { topDict: { charset: Parameters<typeof cidOfGlyph>[0] } } }
  )['CFF '];
  const glyph = new Map(
    chars.map((ch) => {
      const g = face.glyphForCodePoint(ch.codePointAt(0)!);
      if (g.id === 0) throw new Error(`the embedded font lacks ${ch}`);
      return [
        ch,
        {
          cid: cidOfGlyph(cff.topDict.charset, g.id),
          width: Math.round((g.advanceWidth * 1000) / face.unitsPerEm),
        },
      ];
    }),
  );
  const hex = (ch: string): string => glyph.get(ch)!.cid.toString(16).padStart(4, '0');
  const cmap = [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
    `${chars.length} beginbfchar`,
    ...chars.map((ch) => `<${hex(ch)}> <${Buffer.from(ch, 'utf16le').swap16().toString('hex')}>`),
    'endbfchar',
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
  ].join('\n');
  const widths = [...glyph.values()]
    .sort((x, y) => x.cid - y.cid)
    .map((g) => `${g.cid} [${g.width}]`)
    .join(' ');
  const objs: Buffer[] = [];
  const str = (t: string): Buffer => Buffer.from(t, 'latin1');
  const stream = (dict: string, data: Buffer): Buffer =>
    Buffer.concat([
      str(`<< ${dict} /Length ${data.length} >>\nstream\n`),
      data,
      str('\nendstream'),
    ]);
  const firstPage = 8;
  const pageRefs = pages.map((_, i) => `${firstPage + 2 * i} 0 R`).join(' ');
  objs[1] = str('<< /Type /Catalog /Pages 2 0 R /Lang (zh-CN) >>');
  objs[2] = str(`<< /Type /Pages /Kids [${pageRefs}] /Count ${pages.length} >>`);
  objs[3] = str(
    '<< /Title <feff' +
      Buffer.from('电子印章服务合同', 'utf16le').swap16().toString('hex') +
      '> /Producer (GovTrust make-pdf-samples.ts) /CreationDate (D:20260101000000Z) >>',
  );
  objs[4] = str(
    '<< /Type /Font /Subtype /Type0 /BaseFont /GTSAMP+NotoSerifCJKsc-Regular /Encoding /Identity-H /DescendantFonts [5 0 R] /ToUnicode 6 0 R >>',
  );
  objs[5] = str(
    `<< /Type /Font /Subtype /CIDFontType0 /BaseFont /GTSAMP+NotoSerifCJKsc-Regular /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 /W [${widths}] /FontDescriptor 7 0 R >>`,
  );
  objs[6] = stream('/Filter /FlateDecode', deflateSync(str(cmap)));
  const bb = face.bbox;
  objs[7] = str(
    `<< /Type /FontDescriptor /FontName /GTSAMP+NotoSerifCJKsc-Regular /Flags 6 /FontBBox [${bb.minX} ${bb.minY} ${bb.maxX} ${bb.maxY}] /ItalicAngle 0 /Ascent ${face.ascent} /Descent ${face.descent} /CapHeight 733 /StemV 80 /FontFile3 ${firstPage + 2 * pages.length} 0 R >>`,
  );
  pages.forEach((lines, i) => {
    const content = lines
      .map(
        (l) =>
          `BT /F1 ${l.size} Tf ${l.x} ${l.y} Td <${Array.from(l.text).map(hex).join('')}> Tj ET`,
      )
      .join('\n');
    objs[firstPage + 2 * i] = str(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 4 0 R >> >> /Contents ${firstPage + 2 * i + 1} 0 R >>`,
    );
    objs[firstPage + 2 * i + 1] = stream('/Filter /FlateDecode', deflateSync(str(content)));
  });
  // The bare CFF table as FontFile3 /CIDFontType0C: the classic form every reader maps CID -> glyph through.
  objs[firstPage + 2 * pages.length] = stream(
    '/Subtype /CIDFontType0C /Filter /FlateDecode',
    deflateSync(cffTable(fontBytes)),
  );
  const parts: Buffer[] = [str('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  for (let n = 1; n < objs.length; n++) {
    offsets[n] = length;
    const o = Buffer.concat([str(`${n} 0 obj\n`), objs[n]!, str('\nendobj\n')]);
    parts.push(o);
    length += o.length;
  }
  let tail = `xref\n0 ${objs.length}\n0000000000 65535 f \n`;
  for (let n = 1; n < objs.length; n++)
    tail += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
  tail += `trailer\n<< /Size ${objs.length} /Root 1 0 R /Info 3 0 R /ID [<476f7654727573742053616d706c6531> <476f7654727573742053616d706c6531>] >>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(str(tail));
  return new Uint8Array(Buffer.concat(parts));
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
  writeFileSync(join(dir, 'contract-zh-keyword.pdf'), await chineseContract());
  return [
    'contract-pdflib.pdf',
    'contract-objstm.pdf',
    'report-50-pages.pdf',
    'contract-zh-keyword.pdf',
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const names = await makePdfSamples(SAMPLES_DIR);
  process.stdout.write(`samples written: ${names.join(', ')}\n`);
}
