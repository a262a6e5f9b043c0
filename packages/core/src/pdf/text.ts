/**
 * Text positions for keyword placement (关键字定位): a content-stream interpreter for the text
 * operators (ISO 32000-1 §9.4), fonts' glyph widths (§9.2.4, §9.7.4.3) and /ToUnicode CMaps
 * (§9.10.3), producing each glyph's Unicode text and box in default user space.
 * @module
 */
import { PdfLimitError } from '../errors/index.js';
import type { PdfDocument } from './document.js';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from './objects.js';
import type { PdfPage, PdfRect } from './pages.js';
import { PdfLexer, PdfOperator } from './syntax.js';

type Matrix = [number, number, number, number, number, number];

function mul(a: Matrix, b: Matrix): Matrix {
  return [
    a[0] * b[0] + a[1] * b[2],
    a[0] * b[1] + a[1] * b[3],
    a[2] * b[0] + a[3] * b[2],
    a[2] * b[1] + a[3] * b[3],
    a[4] * b[0] + a[5] * b[2] + b[4],
    a[4] * b[1] + a[5] * b[3] + b[5],
  ];
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

/** One shown glyph: its Unicode text and its box in default user space. */
export interface PositionedGlyph {
  readonly text: string;
  readonly rect: PdfRect;
}

interface FontInfo {
  /** Splits a shown string into character codes. */
  codes(bytes: Uint8Array): number[];
  /** Bytes per code for word spacing (Tw applies to single-byte code 32 only). */
  readonly singleByte: boolean;
  toUnicode(code: number): string;
  /** Glyph width in thousandths of text space. */
  width(code: number): number;
  readonly ascent: number;
  readonly descent: number;
}

// ------------------------------------------------------------------------------------- CMaps

interface CMap {
  readonly map: Map<number, string>;
  /** Code lengths in bytes allowed by the codespace ranges, with their ranges. */
  readonly ranges: { len: number; lo: number; hi: number }[];
}

function codeOf(s: PdfString): number {
  let v = 0;
  for (const b of s.bytes) v = v * 256 + b;
  return v;
}

function utf16(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < bytes.length; i += 2)
    s += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
  if (bytes.length === 1) s = String.fromCharCode(bytes[0]!);
  return s;
}

/** Parses a ToUnicode (or embedded encoding) CMap: codespace ranges and bfchar/bfrange mappings. */
export function parseCMap(data: Uint8Array): CMap {
  const map = new Map<number, string>();
  const ranges: CMap['ranges'] = [];
  const lx = new PdfLexer(data);
  const operands: (PdfObject | PdfOperator)[] = [];
  let steps = 0;
  while (!lx.atEnd()) {
    if (++steps > 2_000_000) throw new PdfLimitError('maxObjects', 'CMap too large');
    let t: PdfObject | PdfOperator;
    try {
      t = lx.parseObject(0, true);
    } catch {
      lx.pos++;
      continue;
    }
    if (!(t instanceof PdfOperator)) {
      operands.push(t);
      continue;
    }
    const op = t.op;
    if (op === 'endcodespacerange') {
      for (let i = 0; i + 1 < operands.length; i += 2) {
        const a = operands[i];
        const b = operands[i + 1];
        if (a instanceof PdfString && b instanceof PdfString)
          ranges.push({ len: a.bytes.length, lo: codeOf(a), hi: codeOf(b) });
      }
    } else if (op === 'endbfchar') {
      for (let i = 0; i + 1 < operands.length; i += 2) {
        const a = operands[i];
        const b = operands[i + 1];
        if (a instanceof PdfString && b instanceof PdfString) map.set(codeOf(a), utf16(b.bytes));
      }
    } else if (op === 'endbfrange') {
      for (let i = 0; i + 2 < operands.length; i += 3) {
        const a = operands[i];
        const b = operands[i + 1];
        const dst = operands[i + 2];
        if (!(a instanceof PdfString) || !(b instanceof PdfString)) continue;
        const lo = codeOf(a);
        const hi = codeOf(b);
        if (hi < lo || hi - lo > 65535) continue;
        if (dst instanceof PdfString) {
          const base = new Uint8Array(dst.bytes);
          for (let c = lo; c <= hi; c++) {
            map.set(c, utf16(base));
            // §9.10.3: the last byte increments for each code in the range.
            if (base.length > 0) base[base.length - 1] = (base[base.length - 1]! + 1) & 0xff;
          }
        } else if (Array.isArray(dst)) {
          dst.forEach((d, k) => {
            if (d instanceof PdfString && lo + k <= hi) map.set(lo + k, utf16(d.bytes));
          });
        }
      }
    }
    operands.length = 0;
  }
  return { map, ranges };
}

function splitCodes(bytes: Uint8Array, ranges: CMap['ranges'], fallback: number): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    let taken = 0;
    for (let len = 1; len <= 4 && i + len <= bytes.length && taken === 0; len++) {
      let v = 0;
      for (let k = 0; k < len; k++) v = v * 256 + bytes[i + k]!;
      if (ranges.some((r) => r.len === len && v >= r.lo && v <= r.hi)) {
        out.push(v);
        taken = len;
      }
    }
    if (taken === 0) {
      const len = Math.min(fallback, bytes.length - i);
      let v = 0;
      for (let k = 0; k < len; k++) v = v * 256 + bytes[i + k]!;
      out.push(v);
      taken = len;
    }
    i += taken;
  }
  return out;
}

// ------------------------------------------------------------------------------------- fonts

const GLYPH_NAMES: Record<string, string> = {
  space: ' ',
  exclam: '!',
  quotedbl: '"',
  numbersign: '#',
  dollar: '$',
  percent: '%',
  ampersand: '&',
  quotesingle: "'",
  parenleft: '(',
  parenright: ')',
  asterisk: '*',
  plus: '+',
  comma: ',',
  hyphen: '-',
  period: '.',
  slash: '/',
  zero: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  colon: ':',
  semicolon: ';',
  less: '<',
  equal: '=',
  greater: '>',
  question: '?',
  at: '@',
  bracketleft: '[',
  backslash: '\\',
  bracketright: ']',
  underscore: '_',
  braceleft: '{',
  bar: '|',
  braceright: '}',
  asciitilde: '~',
  quoteright: '’',
  quoteleft: '‘',
};

function glyphNameToUnicode(n: string): string | undefined {
  if (n.length === 1) return n;
  if (GLYPH_NAMES[n] !== undefined) return GLYPH_NAMES[n];
  const m = /^uni([0-9A-Fa-f]{4})$/.exec(n) ?? /^u([0-9A-Fa-f]{4,6})$/.exec(n);
  if (m) return String.fromCodePoint(Number.parseInt(m[1]!, 16));
  return undefined;
}

function loadFont(doc: PdfDocument, fontObj: PdfObject | undefined): FontInfo {
  const font = doc.resolveDict(fontObj) ?? new PdfDict();
  const subtype = font.getName('Subtype');
  const tu = doc.resolve(font.get('ToUnicode'));
  const toUni = tu instanceof PdfStream ? parseCMap(doc.decode(tu)) : null;
  if (subtype === 'Type0') {
    const desc = doc.resolveDict(doc.resolveArray(font.get('DescendantFonts'))?.[0]);
    const dw = doc.resolveNumber(desc?.get('DW')) ?? 1000;
    const widths = new Map<number, number>();
    const w = doc.resolveArray(desc?.get('W')) ?? [];
    for (let i = 0; i < w.length && widths.size < 200_000;) {
      const first = doc.resolveNumber(w[i]);
      const next = doc.resolve(w[i + 1]);
      if (first === undefined) break;
      if (Array.isArray(next)) {
        next.forEach((x, k) => widths.set(first + k, doc.resolveNumber(x) ?? dw));
        i += 2;
      } else {
        const last = doc.resolveNumber(next);
        const width = doc.resolveNumber(w[i + 2]);
        if (last === undefined || width === undefined || last - first > 65535) break;
        for (let c = first; c <= last; c++) widths.set(c, width);
        i += 3;
      }
    }
    const enc = doc.resolve(font.get('Encoding'));
    const encName = enc instanceof PdfName ? enc.name : '';
    const encCMap = enc instanceof PdfStream ? parseCMap(doc.decode(enc)) : null;
    const ranges = encCMap?.ranges.length ? encCMap.ranges : [{ len: 2, lo: 0, hi: 0xffff }];
    // UCS-2 predefined CMaps (UniGB-UCS2-H, ...) use the Unicode value itself as the code.
    const ucs2 = /UCS2|UTF16/.test(encName);
    const fd = doc.resolveDict(desc?.get('FontDescriptor'));
    return {
      codes: (b) => splitCodes(b, ranges, 2),
      singleByte: false,
      toUnicode: (c) => toUni?.map.get(c) ?? (ucs2 ? String.fromCharCode(c) : ''),
      // For Identity-H/V the code is the CID; other CMaps map through tables we do not ship.
      width: (c) => widths.get(c) ?? dw,
      ascent: (doc.resolveNumber(fd?.get('Ascent')) ?? 880) / 1000,
      descent: (doc.resolveNumber(fd?.get('Descent')) ?? -120) / 1000,
    };
  }
  const first = doc.resolveNumber(font.get('FirstChar')) ?? 0;
  const widthsArr = doc.resolveArray(font.get('Widths'));
  const fd = doc.resolveDict(font.get('FontDescriptor'));
  const missing = doc.resolveNumber(fd?.get('MissingWidth'));
  const differences = new Map<number, string>();
  const enc = doc.resolve(font.get('Encoding'));
  if (enc instanceof PdfDict) {
    let code = 0;
    for (const d of doc.resolveArray(enc.get('Differences')) ?? []) {
      if (typeof d === 'number') code = d;
      else if (d instanceof PdfName) {
        const u = glyphNameToUnicode(d.name);
        if (u !== undefined) differences.set(code, u);
        code++;
      }
    }
  }
  return {
    codes: (b) => Array.from(b),
    singleByte: true,
    toUnicode: (c) =>
      toUni?.map.get(c) ?? differences.get(c) ?? (c >= 0x20 ? String.fromCharCode(c) : ''),
    // Standard 14 fonts may omit /Widths: half an em is the usual estimate.
    width: (c) =>
      (widthsArr && c >= first && c - first < widthsArr.length
        ? doc.resolveNumber(widthsArr[c - first])
        : undefined) ??
      missing ??
      500,
    ascent: (doc.resolveNumber(fd?.get('Ascent')) ?? 750) / 1000,
    descent: (doc.resolveNumber(fd?.get('Descent')) ?? -250) / 1000,
  };
}

// ------------------------------------------------------------------------------- interpreter

interface GState {
  ctm: Matrix;
  font: FontInfo | null;
  fontSize: number;
  charSpacing: number;
  wordSpacing: number;
  hScale: number;
  leading: number;
  rise: number;
}

const MAX_OPS = 5_000_000;

function contentOf(doc: PdfDocument, contents: PdfObject | undefined): Uint8Array {
  const v = doc.resolve(contents);
  const streams = Array.isArray(v) ? v.map((x) => doc.resolve(x)) : [v];
  const parts: Uint8Array[] = [];
  for (const s of streams)
    if (s instanceof PdfStream) {
      parts.push(doc.decode(s));
      parts.push(new Uint8Array([0x0a]));
    }
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * Every glyph a page shows, in content order, with Unicode text and a user-space box.
 * @throws {PdfParseError} ERR_PDF_PARSE / {PdfLimitError} ERR_PDF_LIMIT for broken or hostile content
 */
export function extractGlyphs(doc: PdfDocument, page: PdfPage): PositionedGlyph[] {
  const glyphs: PositionedGlyph[] = [];
  const fontCache = new Map<string, FontInfo>();
  let ops = 0;

  const run = (
    data: Uint8Array,
    resources: PdfDict | null,
    start: GState,
    depth: number,
    stack: Set<string>,
  ): void => {
    if (depth > 8) return;
    const lx = new PdfLexer(data);
    const operands: (PdfObject | PdfOperator)[] = [];
    const gsStack: GState[] = [];
    let gs: GState = { ...start };
    let tm: Matrix = [1, 0, 0, 1, 0, 0];
    let tlm: Matrix = [1, 0, 0, 1, 0, 0];
    const fonts = doc.resolveDict(resources?.get('Font'));
    const xobjects = doc.resolveDict(resources?.get('XObject'));
    const num = (i: number): number => {
      const v = operands[i];
      return typeof v === 'number' ? v : 0;
    };
    const show = (s: PdfString): void => {
      const f = gs.font;
      if (f === null) return;
      const th = gs.hScale / 100;
      for (const code of f.codes(s.bytes)) {
        const w0 = f.width(code) / 1000;
        const trm = mul([gs.fontSize * th, 0, 0, gs.fontSize, 0, gs.rise], mul(tm, gs.ctm));
        const pts = [
          apply(trm, 0, f.descent),
          apply(trm, w0, f.descent),
          apply(trm, 0, f.ascent),
          apply(trm, w0, f.ascent),
        ];
        const xs = pts.map((p) => p[0]);
        const ys = pts.map((p) => p[1]);
        glyphs.push({
          text: f.toUnicode(code),
          rect: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
        });
        const tx =
          (w0 * gs.fontSize + gs.charSpacing + (f.singleByte && code === 32 ? gs.wordSpacing : 0)) *
          th;
        tm = mul([1, 0, 0, 1, tx, 0], tm);
      }
    };
    while (!lx.atEnd()) {
      if (++ops > MAX_OPS) throw new PdfLimitError('maxObjects', 'Content stream too long');
      const t = lx.parseObject(0, true);
      if (!(t instanceof PdfOperator)) {
        operands.push(t);
        if (operands.length > 10_000) operands.length = 0;
        continue;
      }
      switch (t.op) {
        case 'q':
          if (gsStack.length < 256) gsStack.push({ ...gs });
          break;
        case 'Q':
          gs = gsStack.pop() ?? gs;
          break;
        case 'cm':
          gs.ctm = mul([num(0), num(1), num(2), num(3), num(4), num(5)], gs.ctm);
          break;
        case 'BT':
          tm = [1, 0, 0, 1, 0, 0];
          tlm = [1, 0, 0, 1, 0, 0];
          break;
        case 'Tf': {
          const n = operands[0];
          gs.fontSize = num(1);
          if (n instanceof PdfName) {
            const fobj = fonts?.get(n.name);
            const key = fobj instanceof PdfRef ? fobj.key : `direct:${n.name}:${depth}`;
            let f = fontCache.get(key);
            if (f === undefined) {
              f = loadFont(doc, fobj);
              fontCache.set(key, f);
            }
            gs.font = f;
          }
          break;
        }
        case 'Tc':
          gs.charSpacing = num(0);
          break;
        case 'Tw':
          gs.wordSpacing = num(0);
          break;
        case 'Tz':
          gs.hScale = num(0);
          break;
        case 'TL':
          gs.leading = num(0);
          break;
        case 'Ts':
          gs.rise = num(0);
          break;
        case 'Td':
          tlm = mul([1, 0, 0, 1, num(0), num(1)], tlm);
          tm = tlm;
          break;
        case 'TD':
          gs.leading = -num(1);
          tlm = mul([1, 0, 0, 1, num(0), num(1)], tlm);
          tm = tlm;
          break;
        case 'Tm':
          tlm = [num(0), num(1), num(2), num(3), num(4), num(5)];
          tm = tlm;
          break;
        case 'T*':
          tlm = mul([1, 0, 0, 1, 0, -gs.leading], tlm);
          tm = tlm;
          break;
        case 'Tj': {
          const s = operands[0];
          if (s instanceof PdfString) show(s);
          break;
        }
        case "'":
        case '"': {
          if (t.op === '"') {
            gs.wordSpacing = num(0);
            gs.charSpacing = num(1);
          }
          tlm = mul([1, 0, 0, 1, 0, -gs.leading], tlm);
          tm = tlm;
          const s = operands[operands.length - 1];
          if (s instanceof PdfString) show(s);
          break;
        }
        case 'TJ': {
          const arr = operands[0];
          if (Array.isArray(arr))
            for (const item of arr) {
              if (item instanceof PdfString) show(item);
              else if (typeof item === 'number')
                tm = mul([1, 0, 0, 1, (-item / 1000) * gs.fontSize * (gs.hScale / 100), 0], tm);
            }
          break;
        }
        case 'Do': {
          const n = operands[0];
          const xo = n instanceof PdfName ? xobjects?.get(n.name) : undefined;
          const key = xo instanceof PdfRef ? xo.key : '';
          const form = doc.resolve(xo);
          if (
            form instanceof PdfStream &&
            form.dict.getName('Subtype') === 'Form' &&
            !stack.has(key)
          ) {
            const m = doc.resolveArray(form.dict.get('Matrix'));
            const fm: Matrix =
              m?.length === 6
                ? (m.map((x) => doc.resolveNumber(x) ?? 0) as Matrix)
                : [1, 0, 0, 1, 0, 0];
            const res = doc.resolveDict(form.dict.get('Resources')) ?? resources;
            const inner = new Set(stack).add(key);
            run(doc.decode(form), res, { ...gs, ctm: mul(fm, gs.ctm) }, depth + 1, inner);
          }
          break;
        }
        case 'BI': {
          // Inline image: skip its dictionary and data up to a whitespace-delimited EI (§8.9.7).
          for (let k = 0; k < 1000 && !lx.atEnd(); k++) {
            const x = lx.parseObject(0, true);
            if (x instanceof PdfOperator && x.op === 'ID') break;
          }
          const b = lx.bytes;
          let p = lx.pos + 1;
          while (
            p + 2 < lx.end &&
            !(
              /\s/.test(String.fromCharCode(b[p - 1]!)) &&
              b[p] === 0x45 &&
              b[p + 1] === 0x49 &&
              (p + 2 >= lx.end || /\s/.test(String.fromCharCode(b[p + 2]!)))
            )
          )
            p++;
          lx.pos = Math.min(lx.end, p + 2);
          break;
        }
        default:
          break;
      }
      operands.length = 0;
    }
  };
  const initial: GState = {
    ctm: [1, 0, 0, 1, 0, 0],
    font: null,
    fontSize: 0,
    charSpacing: 0,
    wordSpacing: 0,
    hScale: 100,
    leading: 0,
    rise: 0,
  };
  run(contentOf(doc, page.dict.get('Contents')), page.resources, initial, 0, new Set());
  return glyphs;
}

/** One keyword hit: the page and the user-space box around the matched glyphs. */
export interface KeywordHit {
  readonly pageIndex: number;
  readonly rect: PdfRect;
}

/**
 * Finds `keyword` on the given pages in reading order of the content streams (whitespace ignored,
 * matches may span text operators). Returns every hit in order.
 */
export function findKeyword(
  doc: PdfDocument,
  pages: readonly PdfPage[],
  keyword: string,
  limit = 10_000,
): KeywordHit[] {
  const needle = Array.from(keyword.replace(/\s+/g, ''));
  const hits: KeywordHit[] = [];
  if (needle.length === 0) return hits;
  for (const page of pages) {
    const chars: { ch: string; rect: PdfRect }[] = [];
    for (const g of extractGlyphs(doc, page))
      for (const ch of g.text) if (!/\s/.test(ch)) chars.push({ ch, rect: g.rect });
    for (let i = 0; i + needle.length <= chars.length && hits.length < limit; i++) {
      let ok = true;
      for (let k = 0; k < needle.length && ok; k++) if (chars[i + k]!.ch !== needle[k]) ok = false;
      if (!ok) continue;
      const rs = chars.slice(i, i + needle.length).map((c) => c.rect);
      hits.push({
        pageIndex: page.index,
        rect: [
          Math.min(...rs.map((r) => r[0])),
          Math.min(...rs.map((r) => r[1])),
          Math.max(...rs.map((r) => r[2])),
          Math.max(...rs.map((r) => r[3])),
        ],
      });
      i += needle.length - 1;
    }
  }
  return hits;
}
