/** Test helpers for the pdf area: input PDFs, test images, an OpenSSL TSA, pdfsig with an NSS database, pdftoppm pixels. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { PDFDocument, StandardFonts, degrees, rgb } from 'pdf-lib';
import type { HashAlgorithm } from '../../src/crypto/index.js';
import { createSigner, importPrivateKey, type Signer } from '../../src/crypto/index.js';
import type { TsaClient } from '../../src/pki/index.js';
import { makeOpensslChain, type OpensslChain } from '../helpers/openssl-pki.js';
import { openssl, run, tryRun } from '../helpers/tools.js';

/** Options of `makePdf`. */
export interface MakePdfOptions {
  readonly pages?: number;
  readonly rotate?: 0 | 90 | 180 | 270;
  /** CropBox [x, y, width, height] for every page. */
  readonly cropBox?: readonly [number, number, number, number];
  readonly size?: readonly [number, number];
}

/** A plain text PDF made by pdf-lib (classic xref table, no object streams). */
export async function makePdf(options: MakePdfOptions = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setProducer('pdf-lib (GovTrust tests)');
  doc.setCreationDate(new Date(Date.UTC(2026, 0, 1)));
  doc.setModificationDate(new Date(Date.UTC(2026, 0, 1)));
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < (options.pages ?? 1); i++) {
    const page = doc.addPage(options.size ? [...options.size] : [595.28, 841.89]);
    page.drawText(`GovTrust test page ${i + 1}`, { x: 72, y: 760, size: 14, font });
    if (options.rotate) page.setRotation(degrees(options.rotate));
    if (options.cropBox) page.setCropBox(...options.cropBox);
  }
  return doc.save({ useObjectStreams: false });
}

/** The same file rewritten by qpdf with object streams and an xref stream. */
export function withObjectStreams(dir: string, pdf: Uint8Array, name = 'objstm'): Uint8Array {
  const src = join(dir, `${name}-in.pdf`);
  const dst = join(dir, `${name}-out.pdf`);
  writeFileSync(src, pdf);
  run('qpdf', ['--object-streams=generate', src, dst]);
  return new Uint8Array(readFileSync(dst));
}

/** A test identity: an OpenSSL root -> intermediate -> leaf chain and a signer over the leaf. */
export interface TestIdentity {
  readonly chain: OpensslChain;
  readonly signer: Signer;
}

/** Makes a signing identity with OpenSSL (leaf valid for 10 years from now). */
export function makeIdentity(dir: string, alg: 'rsa' | 'p256' = 'rsa'): TestIdentity {
  const chain = makeOpensslChain(dir, alg);
  const signer = createSigner(importPrivateKey(chain.leaf.keyPem), {
    certificateChain: [chain.leaf.der, chain.intermediate.der, chain.root.der],
  });
  return { chain, signer };
}

/** An NSS database trusting `rootPem`, for pdfsig -nssdir. */
export function makeNssDb(dir: string, rootPemPath: string): string {
  const db = join(dir, 'nss');
  run('mkdir', ['-p', db]);
  run('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  run('certutil', ['-A', '-d', `sql:${db}`, '-n', 'root', '-t', 'CT,C,C', '-i', rootPemPath]);
  return `sql:${db}`;
}

/** One signature as pdfsig reports it. */
export interface PdfsigSignature {
  readonly field: string;
  readonly valid: boolean;
  /** pdfsig's "Signature Validation" line (or its note for unsigned fields). */
  readonly verdict: string;
  readonly total: boolean;
  readonly type: string;
  readonly raw: string;
}

/** Runs pdfsig (no OCSP) and parses its per-signature report. */
export function pdfsig(nssdb: string, file: string): PdfsigSignature[] {
  const r = tryRun('pdfsig', ['-no-ocsp', '-nssdir', nssdb, file]);
  const blocks = r.stdout.split(/^Signature #\d+:$/m).slice(1);
  return blocks.map((b) => ({
    field: /Signature Field Name: (.*)/.exec(b)?.[1] ?? '',
    valid: /Signature Validation: Signature is Valid\./.test(b),
    verdict: (/Signature Validation: (.*)/.exec(b)?.[1] ?? b.trim().split('\n').pop() ?? '').trim(),
    total: /Total document signed/.test(b) && !/Not total document signed/.test(b),
    type: /Signature Type: (.*)/.exec(b)?.[1] ?? '',
    raw: b,
  }));
}

/** `qpdf --check`: whether it passed cleanly, its output, and its warnings without file names and offsets. */
export function qpdfCheck(file: string): { ok: boolean; output: string; warnings: string[] } {
  const r = tryRun('qpdf', ['--check', file]);
  const out = r.stdout + r.stderr;
  const warnings = out
    .split('\n')
    .filter((l) => l.startsWith('WARNING'))
    .map((l) => l.replace(/^WARNING: [^,]*, /, '').replace(/at offset \d+/, ''));
  // qpdf exits 3 for "succeeded with warnings", 2 for errors.
  return {
    ok: (r.status === 0 || r.status === 3) && warnings.length === 0 && !/error/i.test(r.stderr),
    output: out,
    warnings,
  };
}

/** A rendered page: width, height and RGB at a pixel. */
export interface Raster {
  readonly width: number;
  readonly height: number;
  rgb(x: number, y: number): [number, number, number];
}

/** Renders one page with pdftoppm at `dpi` (72 = one pixel per point) and decodes the PPM. */
export function renderPage(dir: string, file: string, page: number, dpi = 72): Raster {
  const prefix = join(dir, `render-${page}-${Date.now()}`);
  run('pdftoppm', [
    // Render what a reader sees: the crop box, not the media box.
    '-cropbox',
    '-r',
    String(dpi),
    '-f',
    String(page),
    '-l',
    String(page),
    '-singlefile',
    file,
    prefix,
  ]);
  const ppm = readFileSync(`${prefix}.ppm`);
  // P6 header: magic, width, height, maxval, each separated by whitespace.
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(ppm.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error('not a P6 PPM');
  const width = Number(header[1]);
  const height = Number(header[2]);
  const data = ppm.subarray(header[0].length);
  return {
    width,
    height,
    rgb(x, y) {
      const i = (Math.round(y) * width + Math.round(x)) * 3;
      return [data[i]!, data[i + 1]!, data[i + 2]!];
    },
  };
}

/** True for the seal red. */
export function isRed([r, g, b]: [number, number, number]): boolean {
  return r > 180 && g < 90 && b < 90;
}

/** True for (near) white. */
export function isWhite([r, g, b]: [number, number, number]): boolean {
  return r > 230 && g > 230 && b > 230;
}

function crc32(buf: Buffer): number {
  let c = -1;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ -1) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/**
 * An RGBA PNG of a red ring with a filled red centre dot on a transparent background (a stand-in
 * for a seal picture): `size` pixels square.
 */
export function redSealPng(
  size = 200,
  options: { interlaced?: boolean; opaque?: boolean } = {},
): Uint8Array {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  const c = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c);
      const on = (d <= c && d >= c * 0.8) || d <= c * 0.35;
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = on ? 230 : 255;
      raw[o + 1] = on ? 20 : 255;
      raw[o + 2] = on ? 20 : 255;
      raw[o + 3] = on || options.opaque ? 255 : 0;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  let idat: Buffer = raw;
  if (options.interlaced) {
    ihdr[12] = 1;
    idat = adam7(raw, size);
  }
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(idat)),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

function adam7(raw: Buffer, size: number): Buffer {
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const;
  const out: Buffer[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    for (let y = y0; y < size; y += dy) {
      const row: number[] = [0];
      for (let x = x0; x < size; x += dx) {
        const o = y * (size * 4 + 1) + 1 + x * 4;
        row.push(raw[o]!, raw[o + 1]!, raw[o + 2]!, raw[o + 3]!);
      }
      if (row.length > 1) out.push(Buffer.from(row));
    }
  }
  return Buffer.concat(out);
}

/** A red square JPEG, made by rendering a one-rectangle PDF with `pdftoppm -jpeg`. */
export async function redJpeg(dir: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([100, 100]);
  page.drawRectangle({ x: 0, y: 0, width: 100, height: 100, color: rgb(0.9, 0.05, 0.05) });
  const src = join(dir, 'jpeg-src.pdf');
  writeFileSync(src, await doc.save());
  run('pdftoppm', ['-jpeg', '-r', '72', '-singlefile', src, join(dir, 'seal')]);
  return new Uint8Array(readFileSync(join(dir, 'seal.jpg')));
}

/** A vector appearance of our own: a red disc, drawn with four Bézier arcs. */
export const redDiscVector = {
  widthMm: 40,
  heightMm: 40,
  toPdfOperators({ widthPt, heightPt }: { widthPt: number; heightPt: number }): string {
    const rx = widthPt / 2;
    const ry = heightPt / 2;
    const k = 0.5523;
    const f = (n: number): string => n.toFixed(3);
    return [
      '0.9 0.05 0.05 rg',
      `${f(rx * 2)} ${f(ry)} m`,
      `${f(rx * 2)} ${f(ry + ry * k)} ${f(rx + rx * k)} ${f(ry * 2)} ${f(rx)} ${f(ry * 2)} c`,
      `${f(rx - rx * k)} ${f(ry * 2)} 0 ${f(ry + ry * k)} 0 ${f(ry)} c`,
      `0 ${f(ry - ry * k)} ${f(rx - rx * k)} 0 ${f(rx)} 0 c`,
      `${f(rx + rx * k)} 0 ${f(rx * 2)} ${f(ry - ry * k)} ${f(rx * 2)} ${f(ry)} c`,
      'f',
    ].join('\n');
  },
};

/** A time-stamp authority run by `openssl ts -reply`, with a TSA certificate issued by the chain's root. */
export function makeOpensslTsa(
  dir: string,
  chain: OpensslChain,
): { client: TsaClient; certPath: string } {
  const p = (n: string): string => join(dir, n);
  writeFileSync(
    p('tsa-ext.cnf'),
    [
      '[tsa]',
      'basicConstraints=critical,CA:false',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=critical,timeStamping',
      '',
    ].join('\n'),
  );
  openssl([
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-out',
    p('tsa.key'),
  ]);
  openssl([
    'req',
    '-new',
    '-key',
    p('tsa.key'),
    '-subj',
    '/C=CN/O=GovTrust Test/CN=Test TSA',
    '-out',
    p('tsa.csr'),
  ]);
  openssl([
    'x509',
    '-req',
    '-in',
    p('tsa.csr'),
    '-CA',
    chain.root.certPath,
    '-CAkey',
    chain.root.keyPath,
    '-days',
    '3650',
    '-set_serial',
    '0x7a',
    '-extfile',
    p('tsa-ext.cnf'),
    '-extensions',
    'tsa',
    '-out',
    p('tsa.pem'),
  ]);
  writeFileSync(
    p('ts.cnf'),
    [
      '[tsa]',
      'default_tsa = t1',
      '[t1]',
      `serial = ${p('tsaserial')}`,
      'crypto_device = builtin',
      'signer_digest = sha256',
      'default_policy = 1.2.3.4.1',
      'digests = sha256, sha384, sha512, sm3',
      'accuracy = secs:1',
      'ordering = yes',
      'tsa_name = yes',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
  writeFileSync(p('tsaserial'), '01\n');
  let n = 0;
  const client: TsaClient = {
    timestamp(request: { hashAlgorithm: HashAlgorithm; digest: Uint8Array }) {
      n++;
      const q = p(`q${n}.tsq`);
      const t = p(`t${n}.der`);
      openssl([
        'ts',
        '-query',
        '-digest',
        Buffer.from(request.digest).toString('hex'),
        `-${request.hashAlgorithm}`,
        '-cert',
        '-out',
        q,
      ]);
      openssl([
        'ts',
        '-reply',
        '-config',
        p('ts.cnf'),
        '-queryfile',
        q,
        '-signer',
        p('tsa.pem'),
        '-inkey',
        p('tsa.key'),
        '-token_out',
        '-out',
        t,
      ]);
      return Promise.resolve(new Uint8Array(readFileSync(t)));
    },
  };
  return { client, certPath: p('tsa.pem') };
}

/** One line of text for `makeCjkTextPdf`, in points from the bottom-left of an A4 page. */
export interface TextLine {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly size: number;
  /** Write each character as its own TJ element with this kerning (tests matches across elements). */
  readonly kern?: number;
}

/**
 * A hand-built A4 PDF whose text uses a Type0 font (Identity-H, CIDs assigned per character) with a
 * /ToUnicode CMap and /W widths: the shape Chinese documents have. The font program is not
 * embedded (STSong-Light, one of the standard CJK fonts of ISO 32000-1 Table 121's family).
 */
export function makeCjkTextPdf(lines: readonly TextLine[], pages = 1): Uint8Array {
  const chars = [...new Set(lines.flatMap((l) => Array.from(l.text)))];
  const cid = (ch: string): string => (chars.indexOf(ch) + 1).toString(16).padStart(4, '0');
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
    ...chars.map((ch) => `<${cid(ch)}> <${Buffer.from(ch, 'utf16le').swap16().toString('hex')}>`),
    'endbfchar',
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
  ].join('\n');
  // Latin characters half an em wide, CJK a full em.
  const widths = chars
    .map((ch) => `${chars.indexOf(ch) + 1} [${ch.charCodeAt(0) < 0x2e80 ? 500 : 1000}]`)
    .join(' ');
  const content = lines
    .map((l) => {
      const shown =
        l.kern === undefined
          ? `<${Array.from(l.text).map(cid).join('')}> Tj`
          : `[${Array.from(l.text)
              .map((ch) => `<${cid(ch)}>`)
              .join(` ${l.kern} `)}] TJ`;
      return `BT /F1 ${l.size} Tf ${l.x} ${l.y} Td ${shown} ET`;
    })
    .join('\n');
  const objs: string[] = [];
  const pageNums = Array.from({ length: pages }, (_, i) => 8 + i);
  objs[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objs[2] = `<< /Type /Pages /Kids [${pageNums.map((n) => `${n} 0 R`).join(' ')}] /Count ${pages} >>`;
  objs[3] = `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`;
  objs[4] =
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H /DescendantFonts [5 0 R] /ToUnicode 6 0 R >>';
  objs[5] = `<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 /W [${widths}] /FontDescriptor 7 0 R >>`;
  objs[6] = `<< /Length ${Buffer.byteLength(cmap, 'latin1')} >>\nstream\n${cmap}\nendstream`;
  objs[7] =
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>';
  for (const n of pageNums)
    objs[n] =
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 3 0 R >>';
  let out = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  for (let n = 1; n < objs.length; n++) {
    offsets[n] = Buffer.byteLength(out, 'latin1');
    out += `${n} 0 obj\n${objs[n]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objs.length}\n0000000000 65535 f \n`;
  for (let n = 1; n < objs.length; n++) out += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length} /Root 1 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}
