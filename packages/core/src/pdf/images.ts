/**
 * Seal pictures as PDF image XObjects (ISO 32000-1 §8.9.5): PNG (ISO/IEC 15948; alpha becomes a
 * /SMask soft mask, §11.6.5.3) and baseline/progressive JPEG (passed through as /DCTDecode).
 * @module
 */
import { createHash } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { PdfImageError } from '../errors/index.js';
import { unfilterRow } from './filters.js';
import { PdfDict, PdfStream, PdfString, dict, name, type PdfObject } from './objects.js';

/** An image ready to embed: the XObject and, when the picture has transparency, its soft mask. */
export interface EmbeddableImage {
  readonly width: number;
  readonly height: number;
  /** The image XObject; its /SMask entry is set by the caller to the mask's reference. */
  readonly image: PdfStream;
  /** A /DeviceGray soft mask (alpha channel), or null for an opaque picture. */
  readonly softMask: PdfStream | null;
}

/** Largest picture accepted (pixels): a 42 mm seal at 1200 dpi is about 4 megapixels. */
const MAX_PIXELS = 40_000_000;

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** 'png', 'jpeg' or null, from the file's signature bytes. */
export function sniffImage(bytes: Uint8Array): 'png' | 'jpeg' | null {
  if (PNG_SIG.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
}

/**
 * Turns PNG or JPEG bytes into an image XObject (plus soft mask for PNG alpha or tRNS).
 * @throws {PdfImageError} ERR_PDF_IMAGE_UNSUPPORTED for anything else, or a corrupt or oversized picture
 */
export function embedImage(bytes: Uint8Array): EmbeddableImage {
  // A service seals with the same few pictures all day, and decoding and re-compressing a PNG
  // with alpha is most of a visible seal's cost: recent results are kept by SHA-256 of the bytes.
  // (A JPEG is passed through as it is, a view of the caller's bytes: nothing to keep.)
  const kind = sniffImage(bytes);
  if (kind === 'jpeg') return embedJpeg(bytes);
  if (kind !== 'png') throw new PdfImageError('The seal image is neither PNG nor JPEG');
  const key = createHash('sha256').update(bytes).digest('base64');
  let made = embedded.get(key);
  if (made === undefined) {
    made = embedPng(bytes);
    remember(key, made);
  } else {
    embedded.delete(key);
    embedded.set(key, made);
  }
  // Callers get their own dictionaries; the kept stream data is never written to.
  const copy = (s: PdfStream): PdfStream => new PdfStream(new PdfDict(s.dict.entries()), s.data);
  return {
    width: made.width,
    height: made.height,
    image: copy(made.image),
    softMask: made.softMask === null ? null : copy(made.softMask),
  };
}

/** Embedded pictures by SHA-256 (least recently used first), at most 16 and 32 MiB of streams. */
const embedded = new Map<string, EmbeddableImage>();
const EMBEDDED_MAX_ENTRIES = 16;
const EMBEDDED_MAX_BYTES = 32 * 1024 * 1024;
let embeddedBytes = 0;
const sizeOf = (e: EmbeddableImage): number => e.image.data.length + (e.softMask?.data.length ?? 0);

function remember(key: string, made: EmbeddableImage): void {
  const size = sizeOf(made);
  if (size > EMBEDDED_MAX_BYTES / 4) return;
  // embedPng's stream data is always new memory (inflated and deflated, or the IDAT chunks
  // concatenated), never a view of the caller's bytes, which the caller may reuse.
  embedded.set(key, made);
  embeddedBytes += size;
  for (const [k, e] of embedded) {
    if (embedded.size <= EMBEDDED_MAX_ENTRIES && embeddedBytes <= EMBEDDED_MAX_BYTES) break;
    embedded.delete(k);
    embeddedBytes -= sizeOf(e);
  }
}

// ------------------------------------------------------------------------------------------ JPEG

function embedJpeg(bytes: Uint8Array): EmbeddableImage {
  let p = 2;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) throw new PdfImageError('Corrupt JPEG: marker expected');
    const marker = bytes[p + 1]!;
    if (marker === 0xff) {
      p++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      p += 2;
      continue;
    }
    const len = (bytes[p + 2]! << 8) | bytes[p + 3]!;
    if (len < 2 || p + 2 + len > bytes.length) throw new PdfImageError('Corrupt JPEG segment');
    // SOF0-3, 5-7, 9-11, 13-15 carry the frame size (ITU-T T.81 B.2.2).
    const isSof =
      marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      const bpc = bytes[p + 4]!;
      const height = (bytes[p + 5]! << 8) | bytes[p + 6]!;
      const width = (bytes[p + 7]! << 8) | bytes[p + 8]!;
      const comps = bytes[p + 9]!;
      if (marker === 0xc3 || marker === 0xcb || marker >= 0xc7)
        throw new PdfImageError('Lossless or hierarchical JPEG is not supported in PDF');
      if (width === 0 || height === 0 || bpc !== 8)
        throw new PdfImageError('JPEG with unsupported size or precision');
      if (width * height > MAX_PIXELS) throw new PdfImageError('The seal image is too large');
      const cs =
        comps === 1 ? 'DeviceGray' : comps === 3 ? 'DeviceRGB' : comps === 4 ? 'DeviceCMYK' : null;
      if (cs === null) throw new PdfImageError(`JPEG with ${comps} components`);
      const d = dict({
        Type: name('XObject'),
        Subtype: name('Image'),
        Width: width,
        Height: height,
        ColorSpace: name(cs),
        BitsPerComponent: 8,
        Filter: name('DCTDecode'),
      });
      // Adobe CMYK JPEGs are stored inverted.
      if (comps === 4) d.set('Decode', [1, 0, 1, 0, 1, 0, 1, 0]);
      return { width, height, image: new PdfStream(d, bytes), softMask: null };
    }
    if (marker === 0xd9 || marker === 0xda) break;
    p += 2 + len;
  }
  throw new PdfImageError('JPEG without a frame header');
}

// ------------------------------------------------------------------------------------------- PNG

interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
  palette: Uint8Array | null;
  trns: Uint8Array | null;
  idat: Uint8Array;
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

function crc32(data: Uint8Array, start: number, end: number): number {
  let c = -1;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function readPng(bytes: Uint8Array): PngInfo {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 8;
  let ihdr: Buffer | null = null;
  let palette: Uint8Array | null = null;
  let trns: Uint8Array | null = null;
  const idat: Buffer[] = [];
  let ended = false;
  while (p + 12 <= bytes.length) {
    const len = view.readUInt32BE(p);
    const type = view.toString('latin1', p + 4, p + 8);
    if (p + 12 + len > bytes.length) throw new PdfImageError(`Truncated PNG chunk ${type}`);
    const crc = view.readUInt32BE(p + 8 + len);
    if (crc32(bytes, p + 4, p + 8 + len) !== crc)
      throw new PdfImageError(`PNG chunk ${type} fails its CRC`);
    const data = view.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') ihdr = data;
    else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') trns = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') {
      ended = true;
      break;
    }
    p += 12 + len;
  }
  if (ihdr === null || ihdr.length !== 13 || idat.length === 0 || !ended)
    throw new PdfImageError('Incomplete PNG (IHDR, IDAT or IEND missing)');
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const bitDepth = ihdr[8]!;
  const colorType = ihdr[9]!;
  const interlace = ihdr[12]!;
  if (width === 0 || height === 0 || width * height > MAX_PIXELS)
    throw new PdfImageError('The seal image is empty or too large');
  const okDepth: Record<number, number[]> = {
    0: [1, 2, 4, 8, 16],
    2: [8, 16],
    3: [1, 2, 4, 8],
    4: [8, 16],
    6: [8, 16],
  };
  if (!okDepth[colorType]?.includes(bitDepth))
    throw new PdfImageError(`PNG colour type ${colorType} with bit depth ${bitDepth} is invalid`);
  if (colorType === 3 && palette === null) throw new PdfImageError('Palette PNG without PLTE');
  if (interlace > 1) throw new PdfImageError('Unknown PNG interlace method');
  return {
    width,
    height,
    bitDepth,
    colorType,
    interlace,
    palette,
    trns,
    idat: Buffer.concat(idat),
  };
}

function channels(colorType: number): number {
  return colorType === 2 ? 3 : colorType === 4 ? 2 : colorType === 6 ? 4 : 1;
}

/** Decodes PNG scanlines (both interlace methods) to packed rows of `bpc`-bit samples. */
function decodeScanlines(info: PngInfo): Uint8Array {
  const ch = channels(info.colorType);
  const bitsPerPixel = ch * info.bitDepth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const rowBytes = (w: number): number => Math.ceil((w * bitsPerPixel) / 8);
  const fullRow = rowBytes(info.width);
  let raw: Uint8Array;
  try {
    const expected =
      info.interlace === 0 ? (fullRow + 1) * info.height : (fullRow + 1) * info.height * 2 + 64;
    raw = new Uint8Array(inflateSync(info.idat, { maxOutputLength: expected + 1024 }));
  } catch (err) {
    throw new PdfImageError('PNG image data is corrupt', { cause: err });
  }
  const out = new Uint8Array(fullRow * info.height);
  if (info.interlace === 0) {
    if (raw.length < (fullRow + 1) * info.height)
      throw new PdfImageError('PNG image data is short');
    let prev = new Uint8Array(fullRow);
    for (let y = 0; y < info.height; y++) {
      const src = raw.subarray(y * (fullRow + 1) + 1, (y + 1) * (fullRow + 1));
      const cur = out.subarray(y * fullRow, (y + 1) * fullRow);
      unfilterRowChecked(raw[y * (fullRow + 1)]!, src, cur, prev, bpp);
      prev = cur;
    }
    return out;
  }
  // Adam7 (PNG spec 8.2): seven passes, each a small image scattered into the full one.
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const;
  let p = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((info.width - x0) / dx);
    const ph = Math.ceil((info.height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const rb = rowBytes(pw);
    let prev = new Uint8Array(rb);
    for (let y = 0; y < ph; y++) {
      if (p + rb + 1 > raw.length) throw new PdfImageError('PNG image data is short');
      const cur = new Uint8Array(rb);
      unfilterRowChecked(raw[p]!, raw.subarray(p + 1, p + 1 + rb), cur, prev, bpp);
      p += rb + 1;
      prev = cur;
      for (let x = 0; x < pw; x++)
        copyPixel(cur, x, out, (y0 + y * dy) * fullRow, x0 + x * dx, bitsPerPixel);
    }
  }
  return out;
}

function unfilterRowChecked(
  type: number,
  src: Uint8Array,
  cur: Uint8Array,
  prev: Uint8Array,
  bpp: number,
): void {
  if (type > 4) throw new PdfImageError(`Bad PNG filter type ${type}`);
  unfilterRow(type, src, cur, prev, bpp);
}

function copyPixel(
  src: Uint8Array,
  sx: number,
  dst: Uint8Array,
  rowStart: number,
  dx: number,
  bits: number,
): void {
  if (bits >= 8) {
    const n = bits >> 3;
    for (let k = 0; k < n; k++) dst[rowStart + dx * n + k] = src[sx * n + k]!;
    return;
  }
  const sBit = sx * bits;
  const v = (src[sBit >> 3]! >> (8 - bits - (sBit & 7))) & ((1 << bits) - 1);
  const dBit = dx * bits;
  const shift = 8 - bits - (dBit & 7);
  const i = rowStart + (dBit >> 3);
  dst[i] = (dst[i]! & ~(((1 << bits) - 1) << shift)) | (v << shift);
}

/** The raw integer value of sample `index` in a packed row. */
function rawSample(row: Uint8Array, index: number, bits: number): number {
  if (bits === 8) return row[index]!;
  if (bits === 16) return (row[index * 2]! << 8) | row[index * 2 + 1]!;
  const bit = index * bits;
  return (row[bit >> 3]! >> (8 - bits - (bit & 7))) & ((1 << bits) - 1);
}

/** Sample `index` scaled to 8 bits. */
function sample(row: Uint8Array, index: number, bits: number): number {
  if (bits === 8) return row[index]!;
  if (bits === 16) return row[index * 2]!; // keep the high byte
  return Math.round((rawSample(row, index, bits) * 255) / ((1 << bits) - 1));
}

function embedPng(bytes: Uint8Array): EmbeddableImage {
  const info = readPng(bytes);
  const { width, height, colorType, bitDepth } = info;
  const hasAlpha = colorType === 4 || colorType === 6 || info.trns !== null;
  // Fast path: an opaque, non-interlaced PNG's IDAT is already valid FlateDecode with the PNG predictor.
  if (!hasAlpha && info.interlace === 0) {
    const colors = channels(colorType);
    let cs: PdfObject = name(colors === 3 ? 'DeviceRGB' : 'DeviceGray');
    if (colorType === 3)
      cs = [
        name('Indexed'),
        name('DeviceRGB'),
        info.palette!.length / 3 - 1,
        new PdfString(info.palette!, true),
      ];
    const d = dict({
      Type: name('XObject'),
      Subtype: name('Image'),
      Width: width,
      Height: height,
      ColorSpace: cs,
      BitsPerComponent: bitDepth,
      Filter: name('FlateDecode'),
      DecodeParms: dict({
        Predictor: 15,
        Colors: colors,
        BitsPerComponent: bitDepth,
        Columns: width,
      }),
    });
    return { width, height, image: new PdfStream(d, info.idat), softMask: null };
  }
  const packed = decodeScanlines(info);
  const ch = channels(colorType);
  const rowLen = Math.ceil((width * ch * bitDepth) / 8);
  const gray = colorType === 0 || colorType === 4;
  const outCh = gray ? 1 : 3;
  const color = Buffer.allocUnsafe(width * height * outCh);
  const alpha = Buffer.allocUnsafe(width * height);
  const pal = info.palette;
  const trns = info.trns;
  const tr16 = (i: number): number => (trns === null ? -1 : (trns[i * 2]! << 8) | trns[i * 2 + 1]!);
  for (let y = 0; y < height; y++) {
    const row = packed.subarray(y * rowLen, (y + 1) * rowLen);
    for (let x = 0; x < width; x++) {
      const o = y * width + x;
      if (colorType === 3) {
        const pi = rawSample(row, x, bitDepth);
        color[o * 3] = pal![pi * 3] ?? 0;
        color[o * 3 + 1] = pal![pi * 3 + 1] ?? 0;
        color[o * 3 + 2] = pal![pi * 3 + 2] ?? 0;
        alpha[o] = trns !== null && pi < trns.length ? trns[pi]! : 255;
      } else if (colorType === 0) {
        const v = sample(row, x, bitDepth);
        color[o] = v;
        alpha[o] = trns !== null && rawSample(row, x, bitDepth) === tr16(0) ? 0 : 255;
      } else if (colorType === 2) {
        for (let k = 0; k < 3; k++) color[o * 3 + k] = sample(row, x * 3 + k, bitDepth);
        let transparent = trns !== null;
        for (let k = 0; k < 3 && transparent; k++) {
          if (rawSample(row, x * 3 + k, bitDepth) !== tr16(k)) transparent = false;
        }
        alpha[o] = transparent ? 0 : 255;
      } else if (colorType === 4) {
        color[o] = sample(row, x * 2, bitDepth);
        alpha[o] = sample(row, x * 2 + 1, bitDepth);
      } else {
        for (let k = 0; k < 3; k++) color[o * 3 + k] = sample(row, x * 4 + k, bitDepth);
        alpha[o] = sample(row, x * 4 + 3, bitDepth);
      }
    }
  }
  const image = new PdfStream(
    dict({
      Type: name('XObject'),
      Subtype: name('Image'),
      Width: width,
      Height: height,
      ColorSpace: name(gray ? 'DeviceGray' : 'DeviceRGB'),
      BitsPerComponent: 8,
      Filter: name('FlateDecode'),
    }),
    new Uint8Array(deflateSync(color)),
  );
  const opaque = alpha.every((a) => a === 255);
  const softMask = opaque
    ? null
    : new PdfStream(
        dict({
          Type: name('XObject'),
          Subtype: name('Image'),
          Width: width,
          Height: height,
          ColorSpace: name('DeviceGray'),
          BitsPerComponent: 8,
          Filter: name('FlateDecode'),
        }),
        new Uint8Array(deflateSync(alpha)),
      );
  return { width, height, image, softMask };
}

/** The image dictionary with its /SMask set (copy). */
export function withSoftMask(image: PdfStream, maskRef: PdfObject): PdfStream {
  const d = new PdfDict(image.dict.entries());
  d.set('SMask', maskRef);
  return new PdfStream(d, image.data);
}
