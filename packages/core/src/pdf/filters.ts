/** Stream filters (ISO 32000-1 clause 7.4): FlateDecode with PNG/TIFF predictors, ASCIIHex, ASCII85, RunLength; bounded output. @module */
import { inflateSync } from 'node:zlib';
import { PdfLimitError, PdfParseError, PdfUnsupportedError } from '../errors/index.js';
import { PdfDict, PdfName, type PdfObject, type PdfStream } from './objects.js';

/** Default cap on the decoded size of one stream (hostile files compress 1000:1). */
export const DEFAULT_MAX_DECODED_BYTES = 256 * 1024 * 1024;

function asArray(v: PdfObject | undefined): PdfObject[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function inflate(data: Uint8Array, max: number, offset: number | undefined): Uint8Array {
  try {
    return new Uint8Array(inflateSync(data, { maxOutputLength: max }));
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new PdfLimitError('maxDecodedBytes', `A stream inflates beyond ${max} bytes`);
    throw new PdfParseError('FlateDecode data is corrupt', {
      ...(offset === undefined ? {} : { offset }),
      cause: err,
    });
  }
}

function num(d: PdfDict | null, key: string, dflt: number): number {
  const v = d?.get(key);
  return typeof v === 'number' ? v : dflt;
}

/** Undoes a PNG (10-15) or TIFF (2) predictor (§7.4.4.4). */
export function unpredict(data: Uint8Array, parms: PdfDict | null): Uint8Array {
  const predictor = num(parms, 'Predictor', 1);
  if (predictor === 1) return data;
  const colors = num(parms, 'Colors', 1);
  const bpc = num(parms, 'BitsPerComponent', 8);
  const columns = num(parms, 'Columns', 1);
  if (![1, 2, 4, 8, 16].includes(bpc) || colors < 1 || colors > 32 || columns < 1)
    throw new PdfParseError('Bad predictor parameters');
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLen = Math.ceil((colors * bpc * columns) / 8);
  if (predictor === 2) {
    if (bpc !== 8) throw new PdfUnsupportedError('TIFF predictor with other than 8 bits');
    const out = new Uint8Array(data);
    for (let r = 0; r + rowLen <= out.length; r += rowLen)
      for (let i = bpp; i < rowLen; i++) out[r + i] = (out[r + i]! + out[r + i - bpp]!) & 0xff;
    return out;
  }
  if (predictor < 10 || predictor > 15) throw new PdfParseError(`Unknown predictor ${predictor}`);
  const rows = Math.floor(data.length / (rowLen + 1));
  const out = new Uint8Array(rows * rowLen);
  let prev = new Uint8Array(rowLen);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLen + 1)]!;
    const src = data.subarray(r * (rowLen + 1) + 1, (r + 1) * (rowLen + 1));
    const cur = out.subarray(r * rowLen, (r + 1) * rowLen);
    unfilterRow(type, src, cur, prev, bpp);
    prev = cur;
  }
  return out;
}

/** Reverses one PNG filter row (RFC 2083 / PNG spec 9.2) into `cur`. */
export function unfilterRow(
  type: number,
  src: Uint8Array,
  cur: Uint8Array,
  prev: Uint8Array,
  bpp: number,
): void {
  const n = cur.length;
  switch (type) {
    case 0:
      cur.set(src);
      break;
    case 1:
      for (let i = 0; i < n; i++) cur[i] = (src[i]! + (i >= bpp ? cur[i - bpp]! : 0)) & 0xff;
      break;
    case 2:
      for (let i = 0; i < n; i++) cur[i] = (src[i]! + prev[i]!) & 0xff;
      break;
    case 3:
      for (let i = 0; i < n; i++)
        cur[i] = (src[i]! + (((i >= bpp ? cur[i - bpp]! : 0) + prev[i]!) >> 1)) & 0xff;
      break;
    case 4:
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? cur[i - bpp]! : 0;
        const b = prev[i]!;
        const c = i >= bpp ? prev[i - bpp]! : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        cur[i] = (src[i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
      }
      break;
    default:
      throw new PdfParseError(`Bad PNG filter type ${type}`);
  }
}

function asciiHex(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let hi = -1;
  for (const c of data) {
    if (c === 0x3e) break;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0) continue;
    const v = Number.parseInt(String.fromCharCode(c), 16);
    if (Number.isNaN(v)) throw new PdfParseError('Bad ASCIIHexDecode data');
    if (hi < 0) hi = v;
    else {
      out.push(hi * 16 + v);
      hi = -1;
    }
  }
  if (hi >= 0) out.push(hi * 16);
  return new Uint8Array(out);
}

function ascii85(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let group: number[] = [];
  let i = 0;
  if (data[0] === 0x3c && data[1] === 0x7e) i = 2;
  for (; i < data.length; i++) {
    const c = data[i]!;
    if (c === 0x7e) break;
    if (c <= 0x20) continue;
    if (c === 0x7a && group.length === 0) {
      out.push(0, 0, 0, 0);
      continue;
    }
    if (c < 0x21 || c > 0x75) throw new PdfParseError('Bad ASCII85Decode data');
    group.push(c - 33);
    if (group.length === 5) {
      let v = 0;
      for (const g of group) v = v * 85 + g;
      out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
      group = [];
    }
  }
  if (group.length === 1) throw new PdfParseError('Bad ASCII85Decode final group');
  if (group.length > 0) {
    const n = group.length;
    while (group.length < 5) group.push(84);
    let v = 0;
    for (const g of group) v = v * 85 + g;
    const bytes = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    out.push(...bytes.slice(0, n - 1));
  }
  return new Uint8Array(out);
}

function runLength(data: Uint8Array, max: number): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < data.length) {
    const len = data[i++]!;
    if (len === 128) break;
    if (len < 128) {
      for (let k = 0; k <= len && i < data.length; k++) out.push(data[i++]!);
    } else {
      const v = data[i++] ?? 0;
      for (let k = 0; k < 257 - len; k++) out.push(v);
    }
    if (out.length > max) throw new PdfLimitError('maxDecodedBytes', 'RunLength output too large');
  }
  return new Uint8Array(out);
}

/** Names of the filters this module decodes. */
export const SUPPORTED_FILTERS = [
  'FlateDecode',
  'ASCIIHexDecode',
  'ASCII85Decode',
  'RunLengthDecode',
] as const;

/**
 * Decodes a stream's data through its /Filter chain. Image filters (DCT, JPX, CCITT, JBIG2) are
 * refused: nothing here needs their pixels.
 * @throws {PdfParseError} ERR_PDF_PARSE for corrupt data
 * @throws {PdfUnsupportedError} ERR_PDF_UNSUPPORTED for a filter that is not implemented
 * @throws {PdfLimitError} ERR_PDF_LIMIT when the output exceeds `maxBytes`
 */
export function decodeStream(
  stream: PdfStream,
  maxBytes = DEFAULT_MAX_DECODED_BYTES,
  offset?: number,
): Uint8Array {
  const filters = asArray(stream.dict.get('Filter'));
  const parms = asArray(stream.dict.get('DecodeParms'));
  let data = stream.data;
  filters.forEach((f, i) => {
    if (!(f instanceof PdfName)) throw new PdfParseError('/Filter is not a name');
    const p = parms[i];
    const parm = p instanceof PdfDict ? p : null;
    switch (f.name) {
      case 'FlateDecode':
      case 'Fl':
        data = unpredict(inflate(data, maxBytes, offset), parm);
        break;
      case 'ASCIIHexDecode':
      case 'AHx':
        data = asciiHex(data);
        break;
      case 'ASCII85Decode':
      case 'A85':
        data = ascii85(data);
        break;
      case 'RunLengthDecode':
      case 'RL':
        data = runLength(data, maxBytes);
        break;
      default:
        throw new PdfUnsupportedError(`Stream filter /${f.name} is not supported`);
    }
  });
  return data;
}
