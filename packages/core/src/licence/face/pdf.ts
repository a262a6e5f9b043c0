/**
 * Writes a laid-out licence face as a one-page PDF (ISO 32000-1): the page content, the embedded
 * CJK font subset, the QR code as a form XObject with a link to the verification URL, and the
 * signed licence data as an embedded file that is an associated file of the document (ISO
 * 32000-2 §14.13 /AF, /AFRelationship, as PDF/A-3 uses them).
 * @module
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { PdfString } from '../../pdf/objects.js';
import { formatString } from '../../pdf/serialize.js';
import { PdfCjkFont, type PdfObjectBody } from './font.js';
import type { FacePlan } from './layout.js';
import { qrContent } from './qr.js';

/** The file attached to the face. */
export interface FaceAttachment {
  readonly name: string;
  readonly data: Uint8Array;
  readonly mimeType: string;
  readonly description: string;
  /** ISO 32000-2 Table 43: how the file relates to the document. */
  readonly relationship: 'Source' | 'Data';
  readonly modified: Date;
}

/** What `writeFacePdf` writes besides the plan. */
export interface FacePdfOptions {
  readonly plan: FacePlan;
  /** The text of the QR code (the verification URL); also the link target over it. */
  readonly qrText: string;
  readonly attachment: FaceAttachment;
  readonly info: {
    readonly title: string;
    readonly author: string;
    readonly subject: string;
    readonly created: Date;
  };
}

const fmt = (v: number): string => {
  const s = v.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
};

/** A PDF date string D:YYYYMMDDHHmmSSZ (§7.9.4), in UTC. */
export function pdfDate(d: Date): string {
  return `D:${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

const text = (s: string): string => formatString(PdfString.text(s));

/**
 * Writes the face PDF (deterministic for the same input).
 * @throws {FontGlyphMissingError} ERR_FONT_GLYPH_MISSING for a character the embedded font lacks
 */
export async function writeFacePdf(options: FacePdfOptions): Promise<Uint8Array> {
  const { plan, attachment, info } = options;
  const font = new PdfCjkFont();
  const ops: string[] = [...plan.graphics];
  const qr = qrContent(options.qrText);
  const s = plan.qr.size / qr.modules;
  ops.push(`q ${fmt(s)} 0 0 ${fmt(s)} ${fmt(plan.qr.x)} ${fmt(plan.qr.y)} cm /QR1 Do Q`);
  for (const t of plan.texts) {
    const c = (t.color ?? [0, 0, 0]).map(fmt).join(' ');
    // Bold by fill and stroke (render mode 2) with a thin outline: the font has one weight.
    // Tc and Tr are graphics state that BT does not reset (§9.3.1), so every run sets both.
    const bold = t.bold === true ? `2 Tr ${fmt(t.size * 0.028)} w ${c} RG ` : '0 Tr ';
    const spacing = `${fmt(t.spacing ?? 0)} Tc `;
    ops.push(
      `BT /F1 ${fmt(t.size)} Tf ${c} rg ${bold}${spacing}1 0 0 1 ${fmt(t.x)} ${fmt(t.y)} Tm ${font.encode(t.text)} Tj ET`,
    );
  }
  const content = deflateSync(Buffer.from(ops.join('\n'), 'latin1'));

  const md5 = createHash('md5').update(attachment.data).digest('hex');
  const objects: PdfObjectBody[] = [
    {
      num: 1,
      dict: `<< /Type /Catalog /Pages 2 0 R /Lang (zh-CN) /Names << /EmbeddedFiles << /Names [${text(attachment.name)} 7 0 R] >> >> /AF [7 0 R] /ViewerPreferences << /DisplayDocTitle true >> >>`,
    },
    { num: 2, dict: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' },
    {
      num: 3,
      dict: `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${fmt(plan.widthPt)} ${fmt(plan.heightPt)}] /Resources << /Font << /F1 10 0 R >> /XObject << /QR1 5 0 R >> >> /Contents 4 0 R /Annots [6 0 R] >>`,
    },
    { num: 4, dict: '<< /Filter /FlateDecode', stream: content },
    {
      num: 5,
      dict: `<< /Type /XObject /Subtype /Form /BBox [0 0 ${qr.modules} ${qr.modules}] /Filter /FlateDecode`,
      stream: deflateSync(Buffer.from(qr.content, 'latin1')),
    },
    {
      num: 6,
      // A link over the QR code to the same URL: readers can follow it on screen.
      dict: `<< /Type /Annot /Subtype /Link /Rect [${fmt(plan.qr.x)} ${fmt(plan.qr.y)} ${fmt(plan.qr.x + plan.qr.size)} ${fmt(plan.qr.y + plan.qr.size)}] /Border [0 0 0] /F 4 /A << /S /URI /URI ${formatString(PdfString.latin1(options.qrText))} >> >>`,
    },
    {
      num: 7,
      dict: `<< /Type /Filespec /F ${text(attachment.name)} /UF ${text(attachment.name)} /Desc ${text(attachment.description)} /AFRelationship /${attachment.relationship} /EF << /F 8 0 R /UF 8 0 R >> >>`,
    },
    {
      num: 8,
      dict: `<< /Type /EmbeddedFile /Subtype /${attachment.mimeType.replace('/', '#2F')} /Params << /Size ${attachment.data.length} /CheckSum <${md5}> /ModDate (${pdfDate(attachment.modified)}) >> /Filter /FlateDecode`,
      stream: deflateSync(attachment.data),
    },
    {
      num: 9,
      dict: `<< /Title ${text(info.title)} /Author ${text(info.author)} /Subject ${text(info.subject)} /Creator (GovTrust issueLicence) /Producer (GovTrust) /CreationDate (${pdfDate(info.created)}) /ModDate (${pdfDate(info.created)}) >>`,
    },
    ...(await font.objects(10)),
  ];

  const chunks: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = chunks[0]!.length;
  const offsets: number[] = [];
  for (const o of objects) {
    offsets[o.num] = length;
    const parts =
      o.stream === undefined
        ? [Buffer.from(`${o.num} 0 obj\n${o.dict}\nendobj\n`, 'latin1')]
        : [
            Buffer.from(
              `${o.num} 0 obj\n${o.dict} /Length ${o.stream.length} >>\nstream\n`,
              'latin1',
            ),
            Buffer.from(o.stream.buffer, o.stream.byteOffset, o.stream.byteLength),
            Buffer.from('\nendstream\nendobj\n', 'latin1'),
          ];
    for (const p of parts) {
      chunks.push(p);
      length += p.length;
    }
  }
  const size = objects.length + 1;
  // The file identifier (§14.4): a digest of the content, so equal input gives an equal file.
  const id = createHash('sha256').update(Buffer.concat(chunks)).digest('hex').slice(0, 32);
  let xref = `xref\n0 ${size}\n0000000000 65535 f \n`;
  for (let n = 1; n < size; n++) xref += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
  xref += `trailer\n<< /Size ${size} /Root 1 0 R /Info 9 0 R /ID [<${id}> <${id}>] >>\nstartxref\n${length}\n%%EOF\n`;
  chunks.push(Buffer.from(xref, 'latin1'));
  return new Uint8Array(Buffer.concat(chunks));
}
