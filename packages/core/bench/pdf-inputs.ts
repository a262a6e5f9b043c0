/** Inputs for the pdf benchmark, generated at bench time (never committed): text PDFs, a 50 MB image PDF, an RSA identity. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** Where the inputs live and what they are. */
export interface BenchInputs {
  readonly dir: string;
  readonly onePage: string;
  readonly twoHundredPages: string;
  readonly big: string;
  readonly keyPem: string;
  readonly certPem: string;
  readonly p12: string;
  readonly p12Password: string;
}

async function textPdf(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595.28, 841.89]);
    for (let l = 0; l < 40; l++)
      page.drawText(`Page ${i + 1} line ${l + 1}: GovTrust benchmark text.`, {
        x: 50,
        y: 800 - l * 18,
        size: 11,
        font,
      });
  }
  // @signpdf's plain placeholder reads classic xref tables only.
  return doc.save({ useObjectStreams: false });
}

/**
 * A PDF of `pages` pages, each showing a 1 MiB uncompressed random greyscale image (1024 x 1024),
 * written with a classic xref table: about `pages` MiB, dominated by incompressible stream data.
 */
export function bigImagePdf(pages: number): Buffer {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let length = 0;
  const push = (b: Buffer | string): void => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    parts.push(buf);
    length += buf.length;
  };
  push('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
  const obj = (n: number, body: string, stream?: Buffer): void => {
    offsets[n] = length;
    if (stream === undefined) push(`${n} 0 obj\n${body}\nendobj\n`);
    else {
      push(`${n} 0 obj\n${body}\nstream\n`);
      push(stream);
      push('\nendstream\nendobj\n');
    }
  };
  const pageNum = (i: number): number => 3 + i * 3;
  obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
  obj(
    2,
    `<< /Type /Pages /Count ${pages} /Kids [${Array.from({ length: pages }, (_, i) => `${pageNum(i)} 0 R`).join(' ')}] >>`,
  );
  for (let i = 0; i < pages; i++) {
    const p = pageNum(i);
    obj(
      p,
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 ${p + 2} 0 R >> >> /Contents ${p + 1} 0 R >>`,
    );
    const content = Buffer.from('q 495 0 0 495 50 200 cm /Im0 Do Q\n', 'latin1');
    obj(p + 1, `<< /Length ${content.length} >>`, content);
    const img = randomBytes(1024 * 1024);
    obj(
      p + 2,
      `<< /Type /XObject /Subtype /Image /Width 1024 /Height 1024 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${img.length} >>`,
      img,
    );
  }
  const size = pageNum(pages);
  const xref = length;
  let table = `xref\n0 ${size}\n0000000000 65535 f \n`;
  for (let n = 1; n < size; n++) table += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
  push(table);
  push(`trailer\n<< /Size ${size} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(parts);
}

/** Generates every input into a fresh temporary directory. */
export async function makeBenchInputs(bigMiB = 50): Promise<BenchInputs> {
  const dir = mkdtempSync(join(tmpdir(), 'govtrust-bench-pdf-'));
  const p = (n: string): string => join(dir, n);
  writeFileSync(p('1p.pdf'), await textPdf(1));
  writeFileSync(p('200p.pdf'), await textPdf(200));
  writeFileSync(p('big.pdf'), bigImagePdf(bigMiB));
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'ignore' });
  };
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('key.pem'),
    '-out',
    p('cert.pem'),
    '-subj',
    '/C=CN/O=GovTrust Bench/CN=bench signer',
    '-days',
    '30',
  ]);
  run([
    'pkcs12',
    '-export',
    '-inkey',
    p('key.pem'),
    '-in',
    p('cert.pem'),
    '-passout',
    'pass:bench',
    '-out',
    p('id.p12'),
  ]);
  return {
    dir,
    onePage: p('1p.pdf'),
    twoHundredPages: p('200p.pdf'),
    big: p('big.pdf'),
    keyPem: readFileSync(p('key.pem'), 'utf8'),
    certPem: readFileSync(p('cert.pem'), 'utf8'),
    p12: p('id.p12'),
    p12Password: 'bench',
  };
}
