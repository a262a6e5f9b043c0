/**
 * Licence face (照面, GB/T 36905 territory) layout: places the title, header lines, the body
 * (label: value lines or a table), the QR code, the issuer block under the seal and the footer on
 * the page of a type's face layout, wrapping Chinese text with line-breaking rules (GB/T 15834
 * punctuation never starts a line) and shrinking the body font until it fits.
 * @module
 */
import { LicenceIssueError } from '../../errors/index.js';
import type { LicenceData } from '../licence-data.js';
import type { LicenceFaceItem, LicenceFaceLayout, LicenceType } from '../licence-type.js';
import { assertDrawable, textWidth } from './font.js';

const PT_PER_MM = 72 / 25.4;
const mm = (v: number): number => v * PT_PER_MM;

/** One run of text to draw: baseline position in points from the page's bottom-left corner. */
export interface FaceText {
  readonly x: number;
  readonly y: number;
  readonly size: number;
  readonly text: string;
  /** Extra space after each glyph (Tc), for spaced titles and distributed labels. */
  readonly spacing?: number;
  readonly bold?: boolean;
  readonly color?: readonly [number, number, number];
}

/** A laid-out face, ready to be written as PDF. */
export interface FacePlan {
  readonly widthPt: number;
  readonly heightPt: number;
  /** Graphics operators drawn before the text (frame, table rules and shading). */
  readonly graphics: readonly string[];
  readonly texts: readonly FaceText[];
  /** The QR code square (points, bottom-left origin) including its quiet zone. */
  readonly qr: { readonly x: number; readonly y: number; readonly size: number };
  /** Where the seal goes, for `sealPdf` (millimetres, top-left origin). */
  readonly seal: { readonly x: number; readonly y: number; readonly size: number };
  /** The body font size chosen. */
  readonly bodySize: number;
  /** Every value drawn (the verifier looks for them in the page text). */
  readonly values: readonly string[];
}

/** The colour of a `#rrggbb` string as PDF RGB components. */
function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}

const fmt = (v: number): string => {
  const s = v.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
};
const color = (c: readonly number[], op: 'rg' | 'RG'): string => `${c.map(fmt).join(' ')} ${op}`;

/** A date YYYY-MM-DD as a face shows it: 2025年03月01日. */
export function faceDate(date: string): string {
  return `${date.slice(0, 4)}年${date.slice(5, 7)}月${date.slice(8, 10)}日`;
}

/** The usual label of a data member on Chinese licence faces. */
function defaultLabel(value: string, data: LicenceData, type: LicenceType): string {
  switch (value) {
    case 'holder.name':
      return type.holderCategory === 'natural-person' ? '姓名' : '名称';
    case 'holder.code':
      return data.holder.codeType;
    case 'number':
      return '证照编号';
    case 'identifier':
      return '证照标识';
    case 'issuer.name':
      return '发证机关';
    case 'issueDate':
      return '发证日期';
    case 'validFrom':
      return '有效期自';
    case 'validUntil':
      return '有效期至';
    case 'validity':
      return '有效期限';
    default:
      return type.fields.find((f) => `fields.${f.key}` === value)?.label ?? value;
  }
}

/** The text an item shows, or undefined when the licence has no value for it. */
export function faceValueText(
  value: string,
  data: LicenceData,
  type: LicenceType,
): string | undefined {
  switch (value) {
    case 'holder.name':
      return data.holder.name;
    case 'holder.code':
      return data.holder.code;
    case 'number':
      return data.number;
    case 'identifier':
      return data.identifier;
    case 'issuer.name':
      return data.issuer.name;
    case 'issueDate':
      return faceDate(data.issueDate);
    case 'validFrom':
      return faceDate(data.validFrom);
    case 'validUntil':
      return data.validUntil === null ? '长期' : faceDate(data.validUntil);
    case 'validity':
      return `${faceDate(data.validFrom)}至${data.validUntil === null ? '长期' : faceDate(data.validUntil)}`;
    default: {
      const key = value.slice('fields.'.length);
      const v = data.fields[key];
      if (v === undefined || v === '') return undefined;
      const spec = type.fields.find((f) => f.key === key);
      if (typeof v === 'boolean') return v ? '是' : '否';
      if (spec?.type === 'date' && typeof v === 'string') return faceDate(v);
      return String(v);
    }
  }
}

// Punctuation that must not start a line, and that must not end one (GB/T 15834 practice).
const NO_START = new Set(Array.from('，。、；：？！）》」』】〕〉”’…—·%,.;:!?)]}'));
const NO_END = new Set(Array.from('（《「『【〔〈“‘([{'));

/** Breaks `text` into lines no wider than `width` at `size` (CJK anywhere, Latin words whole). */
export function wrapText(text: string, width: number, size: number): string[] {
  const out: string[] = [];
  for (const para of text.split(/\r?\n/)) {
    // Tokens: a Latin word or number (kept whole when it fits a line), a space, or one character.
    const tokens = para.match(/[A-Za-z0-9@#&*+\-_/.:'"]+|\s+|./gsu) ?? [];
    let line: string[] = [];
    let w = 0;
    const flush = (): void => {
      out.push(line.join('').trimEnd());
      line = [];
      w = 0;
    };
    for (const tok of tokens) {
      const tw = textWidth(tok, size);
      if (w + tw <= width || line.length === 0) {
        if (tw > width && tok.length > 1) {
          // A word longer than the line: break it by character.
          for (const ch of Array.from(tok)) {
            const cw = textWidth(ch, size);
            if (w + cw > width && line.length > 0) flush();
            line.push(ch);
            w += cw;
          }
          continue;
        }
        if (/^\s+$/u.test(tok) && line.length === 0) continue;
        line.push(tok);
        w += tw;
        continue;
      }
      if (/^\s+$/u.test(tok)) {
        flush();
        continue;
      }
      // Keep closing punctuation with the character before it, opening punctuation with the one after.
      const carry: string[] = [];
      if (NO_START.has(tok) && line.length > 1) carry.unshift(line.pop()!);
      while (line.length > 1 && NO_END.has(line[line.length - 1]!)) carry.unshift(line.pop()!);
      flush();
      for (const c of [...carry, tok]) {
        line.push(c);
        w += textWidth(c, size);
      }
    }
    if (line.length > 0 || out.length === 0) flush();
  }
  return out.filter((l, _i, all) => l !== '' || all.length === 1);
}

interface ResolvedItem {
  readonly label: string;
  readonly value: string;
  readonly column: 1 | 2;
  readonly span: boolean;
}

/** Groups of items: full-width ones alone, others in (up to) two columns side by side. */
type Group =
  | { readonly kind: 'span'; readonly item: ResolvedItem }
  | { readonly kind: 'columns'; readonly left: ResolvedItem[]; readonly right: ResolvedItem[] };

function groupItems(items: readonly ResolvedItem[]): Group[] {
  const groups: Group[] = [];
  let current: { kind: 'columns'; left: ResolvedItem[]; right: ResolvedItem[] } | undefined;
  for (const item of items) {
    if (item.span) {
      current = undefined;
      groups.push({ kind: 'span', item });
      continue;
    }
    if (current === undefined) {
      current = { kind: 'columns', left: [], right: [] };
      groups.push(current);
    }
    (item.column === 2 ? current.right : current.left).push(item);
  }
  return groups;
}

const INK: readonly [number, number, number] = [0.1, 0.1, 0.1];

/**
 * Lays out the face of `data` with its type's layout.
 * @throws {LicenceIssueError} ERR_LICENCE_FACE_LAYOUT when the type has no layout; ERR_LICENCE_FACE_OVERFLOW when the values do not fit
 * @throws {FontGlyphMissingError} ERR_FONT_GLYPH_MISSING for a character the embedded font lacks
 */
export function layoutFace(data: LicenceData, type: LicenceType): FacePlan {
  const layout: LicenceFaceLayout | undefined = type.face?.layout;
  if (layout === undefined) {
    throw new LicenceIssueError(
      'ERR_LICENCE_FACE_LAYOUT',
      `Licence type ${type.typeCode} (${type.name}) has no face layout (face.layout)`,
    );
  }
  const W = mm(layout.page.width);
  const H = mm(layout.page.height);
  const accent = rgb(layout.color ?? '#a0282d');
  const graphics: string[] = [];
  const texts: FaceText[] = [];
  const values: string[] = [];

  const resolve = (item: LicenceFaceItem, where: string): ResolvedItem | undefined => {
    const value = faceValueText(item.value, data, type);
    if (value === undefined) return undefined;
    const label = item.label ?? defaultLabel(item.value, data, type);
    assertDrawable(label, `${where} label`);
    assertDrawable(value, item.value);
    return { label, value, column: item.column ?? 1, span: item.span === true };
  };

  // Frame: a heavy outer rule, a fine inner rule and a band of lozenges between them.
  const outer = mm(6);
  const inner = mm(9);
  graphics.push(
    'q',
    color(accent, 'RG'),
    `2.4 w ${fmt(outer)} ${fmt(outer)} ${fmt(W - 2 * outer)} ${fmt(H - 2 * outer)} re S`,
    `0.7 w ${fmt(inner)} ${fmt(inner)} ${fmt(W - 2 * inner)} ${fmt(H - 2 * inner)} re S`,
    color(
      accent.map((c) => c * 0.55 + 0.45),
      'rg',
    ),
  );
  const band = (outer + inner) / 2;
  const d = mm(0.55);
  const step = mm(3);
  const lozenge = (x: number, y: number): string =>
    `${fmt(x - d)} ${fmt(y)} m ${fmt(x)} ${fmt(y + d)} l ${fmt(x + d)} ${fmt(y)} l ${fmt(x)} ${fmt(y - d)} l f`;
  for (let x = band + step; x < W - band - step / 2; x += step) {
    graphics.push(lozenge(x, band), lozenge(x, H - band));
  }
  for (let y = band + step; y < H - band - step / 2; y += step) {
    graphics.push(lozenge(band, y), lozenge(W - band, y));
  }
  for (const [x, y] of [
    [band, band],
    [W - band, band],
    [band, H - band],
    [W - band, H - band],
  ] as const) {
    graphics.push(`${fmt(x - mm(1.2))} ${fmt(y - mm(1.2))} ${fmt(mm(2.4))} ${fmt(mm(2.4))} re f`);
  }
  graphics.push('Q');

  const L = inner + mm(9);
  const R = W - inner - mm(9);
  const top = H - inner - mm(7); // y of the content's top edge (points, from the bottom)
  const bottom = inner + mm(4);

  // QR code and its caption.
  const qrSize = mm(layout.qr.size ?? 26);
  const captionSize = 7.5;
  const captionLines =
    layout.qr.caption === undefined ? [] : wrapText(layout.qr.caption, qrSize + mm(8), captionSize);
  for (const l of captionLines) assertDrawable(l, 'qr.caption');
  const captionH = captionLines.length * captionSize * 1.3;
  const qrX = layout.qr.corner === 'top-right' ? R - qrSize : L;
  const qrY = layout.qr.corner === 'bottom-left' ? bottom + captionH + mm(1) : top - qrSize;
  const qrBlockTop = layout.qr.corner === 'bottom-left' ? qrY + qrSize : top;
  const qrBlockBottom = layout.qr.corner === 'bottom-left' ? bottom : qrY - captionH - mm(1);
  captionLines.forEach((l, i) => {
    const w = textWidth(l, captionSize);
    texts.push({
      x: qrX + (qrSize - w) / 2,
      y: qrY - mm(1) - captionSize * (0.9 + 1.3 * i),
      size: captionSize,
      text: l,
      color: INK,
    });
  });
  const qrAtTop = layout.qr.corner !== 'bottom-left';
  const qrWidthReserved = qrSize + mm(6);

  // Title, centred and spaced like printed licences; smaller when it would reach the QR code.
  const title = layout.title?.text ?? type.name;
  assertDrawable(title, 'title');
  const chars = Array.from(title).length;
  const sideRoom = W / 2 - (qrAtTop ? Math.max(W - R, L) + qrWidthReserved : L);
  let titleSize = layout.title?.size ?? 36;
  const spacingFor = (s: number): number =>
    chars <= 4 ? s * 0.8 : chars <= 8 ? s * 0.3 : s * 0.05;
  const titleWidth = (s: number): number =>
    textWidth(title, s) + spacingFor(s) * Math.max(0, chars - 1);
  while (titleSize > 12 && titleWidth(titleSize) / 2 > sideRoom) titleSize -= 1;
  const titleBaseline = top - titleSize * 0.95;
  texts.push({
    x: (W - titleWidth(titleSize)) / 2,
    y: titleBaseline,
    size: titleSize,
    text: title,
    spacing: spacingFor(titleSize),
    bold: true,
    color: accent,
  });
  let titleBottom = titleBaseline - titleSize * 0.25;
  if (layout.subtitle !== undefined) {
    assertDrawable(layout.subtitle, 'subtitle');
    const s = Math.max(10, titleSize * 0.4);
    const y = titleBottom - s * 1.3;
    texts.push({
      x: (W - textWidth(layout.subtitle, s)) / 2,
      y,
      size: s,
      text: layout.subtitle,
      color: accent,
    });
    titleBottom = y - s * 0.3;
  }

  // Header lines at the top left (right of a top-left QR code).
  const headerX = layout.qr.corner === 'top-left' ? L + qrWidthReserved : L;
  let headerY = top - 10;
  for (const [i, item] of (layout.header ?? []).entries()) {
    const r = resolve(item, `face.layout.header.${String(i)}`);
    if (r === undefined) continue;
    const size = 10;
    texts.push({ x: headerX, y: headerY, size, text: r.label, bold: true, color: INK });
    texts.push({
      x: headerX + textWidth(r.label, size) + size * 0.8,
      y: headerY,
      size,
      text: r.value,
      color: INK,
    });
    values.push(r.value);
    headerY -= size * 1.6;
  }
  const headerBottom = headerY + 10 * 0.6;

  // Bottom: footer lines, then the issuer block (label, issuer, date) with the seal on it.
  const footerSize = 7;
  const footerLines = [`证照标识：${data.identifier}`];
  if (layout.footer !== undefined) {
    assertDrawable(layout.footer, 'footer');
    footerLines.push(...wrapText(layout.footer, R - L - qrWidthReserved, footerSize));
  }
  const footerX = layout.qr.corner === 'bottom-left' ? L + qrWidthReserved : L;
  footerLines.forEach((l, i) => {
    texts.push({
      x: footerX,
      y: bottom + footerSize * 1.35 * (footerLines.length - 1 - i) + 1,
      size: footerSize,
      text: l,
      color: [0.35, 0.35, 0.35],
    });
  });
  values.push(data.identifier);
  const footerTop = bottom + footerSize * 1.35 * footerLines.length;

  const issuerSize = Math.min(14, layout.body.fontSize ?? 12);
  const sealSize = mm(layout.issuer?.sealSize ?? 40);
  const issuerLines = [
    ...(layout.issuer?.label === undefined ? [] : [layout.issuer.label]),
    data.issuer.name,
    faceDate(data.issueDate),
  ];
  for (const l of issuerLines) assertDrawable(l, 'issuer');
  const blockW = Math.max(sealSize, ...issuerLines.map((l) => textWidth(l, issuerSize)));
  const cx = R - blockW / 2;
  const lineH = issuerSize * 1.7;
  const blockBottom = footerTop + mm(3);
  const blockTop = blockBottom + lineH * issuerLines.length;
  issuerLines.forEach((l, i) => {
    texts.push({
      x: cx - textWidth(l, issuerSize) / 2,
      y: blockTop - lineH * (i + 1) + issuerSize * 0.45,
      size: issuerSize,
      text: l,
      color: INK,
    });
  });
  values.push(data.issuer.name, faceDate(data.issueDate));
  const sealCy = (blockTop + blockBottom) / 2;
  const sealTop = sealCy + sealSize / 2;

  // Body between the top block and the seal (and a bottom-left QR code).
  const bodyTop = Math.min(titleBottom, headerBottom, qrAtTop ? qrBlockBottom : Infinity) - mm(5);
  const bodyBottom = Math.max(sealTop, qrAtTop ? 0 : qrBlockTop) + mm(2);
  const bodyLeft = L;
  const bodyRight = R;
  const items: ResolvedItem[] = [];
  layout.body.items.forEach((item, i) => {
    const r = resolve(item, `face.layout.body.items.${i}`);
    if (r !== undefined) items.push(r);
  });
  const columns = layout.body.columns ?? 1;
  const maxSize = layout.body.fontSize ?? 12;
  const available = bodyTop - bodyBottom;
  if (available <= 0) {
    throw new LicenceIssueError(
      'ERR_LICENCE_FACE_LAYOUT',
      `The face layout of ${type.typeCode} leaves no room for the body`,
    );
  }
  for (let size = maxSize; size >= 6.5; size -= 0.5) {
    const body =
      layout.body.style === 'table'
        ? tableBody(items, columns, size, bodyLeft, bodyRight, bodyTop, accent)
        : linesBody(items, columns, size, bodyLeft, bodyRight, bodyTop);
    if (body.height <= available) {
      graphics.push(...body.graphics);
      texts.push(...body.texts);
      values.push(...items.map((i) => i.value));
      return {
        widthPt: W,
        heightPt: H,
        graphics,
        texts,
        qr: { x: qrX, y: qrY, size: qrSize },
        seal: {
          x: (cx - sealSize / 2) / PT_PER_MM,
          y: (H - sealTop) / PT_PER_MM,
          size: sealSize / PT_PER_MM,
        },
        bodySize: size,
        values,
      };
    }
  }
  throw new LicenceIssueError(
    'ERR_LICENCE_FACE_OVERFLOW',
    `The face values of ${data.identifier} do not fit the ${type.name} face layout even at 6.5 pt; shorten the longest field`,
  );
}

interface BodyResult {
  readonly height: number;
  readonly graphics: string[];
  readonly texts: FaceText[];
}

/** Label: value lines; labels distributed over one width per column (名  称). */
function linesBody(
  items: readonly ResolvedItem[],
  columns: 1 | 2,
  size: number,
  left: number,
  right: number,
  top: number,
): BodyResult {
  const texts: FaceText[] = [];
  const gap = size * 1.2;
  const colGap = size * 2;
  const fullW = right - left;
  const colW = columns === 2 ? (fullW - colGap) / 2 : fullW;
  const lineH = size * 1.65;
  const labelW = (list: readonly ResolvedItem[]): number =>
    Math.min(Math.max(0, ...list.map((i) => textWidth(i.label, size))), colW * 0.4);
  const leftLabelW = labelW(items.filter((i) => i.span || i.column === 1));
  const rightLabelW = labelW(items.filter((i) => !i.span && i.column === 2));
  const place = (item: ResolvedItem, x: number, width: number, lw: number, y0: number): number => {
    const labelLines = wrapText(item.label, lw, size);
    labelLines.forEach((l, i) => {
      const chars = Array.from(l).length;
      const natural = textWidth(l, size);
      // Distributed labels (名  称) when on one line and shorter than the label column.
      const spacing =
        labelLines.length === 1 && chars > 1 && natural < lw ? (lw - natural) / (chars - 1) : 0;
      texts.push({
        x,
        y: y0 - size * 0.9 - lineH * i,
        size,
        text: l,
        ...(spacing > 0 ? { spacing } : {}),
        bold: true,
        color: INK,
      });
    });
    const valueX = x + lw + gap;
    const valueLines = wrapText(item.value, width - lw - gap, size);
    valueLines.forEach((l, i) => {
      texts.push({ x: valueX, y: y0 - size * 0.9 - lineH * i, size, text: l, color: INK });
    });
    return Math.max(labelLines.length, valueLines.length) * lineH + size * 0.55;
  };
  let y = top;
  for (const g of groupItems(items)) {
    if (g.kind === 'span') {
      y -= place(g.item, left, fullW, leftLabelW, y);
      continue;
    }
    let yl = y;
    let yr = y;
    for (const it of g.left) yl -= place(it, left, colW, leftLabelW, yl);
    for (const it of g.right) yr -= place(it, left + colW + colGap, colW, rightLabelW, yr);
    y = Math.min(yl, yr);
  }
  return { height: top - y, graphics: [], texts };
}

/** A ruled table: shaded label cells, value cells, one or two label-value pairs per row. */
function tableBody(
  items: readonly ResolvedItem[],
  columns: 1 | 2,
  size: number,
  left: number,
  right: number,
  top: number,
  accent: readonly [number, number, number],
): BodyResult {
  const texts: FaceText[] = [];
  const graphics: string[] = [];
  const pad = size * 0.55;
  const lineH = size * 1.45;
  const fullW = right - left;
  const colW = columns === 2 ? fullW / 2 : fullW;
  const labelW = (list: readonly ResolvedItem[]): number =>
    Math.min(Math.max(0, ...list.map((i) => textWidth(i.label, size))) + 2 * pad, colW * 0.42);
  const lw1 = labelW(items.filter((i) => i.span || i.column === 1));
  const lw2 = labelW(items.filter((i) => !i.span && i.column === 2));
  interface Cell {
    readonly item: ResolvedItem | undefined;
    readonly x: number;
    readonly w: number;
    readonly lw: number;
  }
  const rows: Cell[][] = [];
  for (const g of groupItems(items)) {
    if (g.kind === 'span') {
      rows.push([{ item: g.item, x: left, w: fullW, lw: lw1 }]);
      continue;
    }
    const n = columns === 2 ? Math.max(g.left.length, g.right.length) : g.left.length;
    for (let i = 0; i < n; i++) {
      rows.push(
        columns === 2
          ? [
              { item: g.left[i], x: left, w: colW, lw: lw1 },
              { item: g.right[i], x: left + colW, w: colW, lw: lw2 },
            ]
          : [{ item: g.left[i], x: left, w: fullW, lw: lw1 }],
      );
    }
  }
  const shade = accent.map((c) => c * 0.08 + 0.92);
  let y = top;
  const rules: string[] = [];
  for (const row of rows) {
    const laid = row.map((c) => ({
      c,
      label: c.item === undefined ? [] : wrapText(c.item.label, c.lw - 2 * pad, size),
      value: c.item === undefined ? [] : wrapText(c.item.value, c.w - c.lw - 2 * pad, size),
    }));
    const lines = Math.max(1, ...laid.map((l) => Math.max(l.label.length, l.value.length)));
    const h = lines * lineH + 2 * pad;
    for (const { c, label, value } of laid) {
      graphics.push(`${color(shade, 'rg')} ${fmt(c.x)} ${fmt(y - h)} ${fmt(c.lw)} ${fmt(h)} re f`);
      rules.push(`${fmt(c.x)} ${fmt(y - h)} ${fmt(c.w)} ${fmt(h)} re`);
      rules.push(`${fmt(c.x + c.lw)} ${fmt(y - h)} m ${fmt(c.x + c.lw)} ${fmt(y)} l`);
      const first = (n: number): number => y - (h - n * lineH) / 2 - size * 0.95;
      label.forEach((l, i) => {
        texts.push({
          x: c.x + (c.lw - textWidth(l, size)) / 2,
          y: first(label.length) - lineH * i,
          size,
          text: l,
          bold: true,
          color: INK,
        });
      });
      value.forEach((l, i) => {
        texts.push({
          x: c.x + c.lw + pad,
          y: first(value.length) - lineH * i,
          size,
          text: l,
          color: INK,
        });
      });
    }
    y -= h;
  }
  graphics.push(`q ${color(accent, 'RG')} 0.6 w ${rules.join(' ')} S Q`);
  return { height: top - y, graphics, texts };
}
