/**
 * The document as of one revision, seen by a signature validator: its form fields (ISO 32000-1
 * §12.7.3, §12.7.4.5) and the role of every reachable object (catalog, form, fields and widgets,
 * page tree, annotations, appearances, /Info, /DSS, XMP), so the modification analysis can say
 * which objects a later revision may touch. Everything is read as of the revision, bounded, and
 * never repaired.
 * @module
 */
import { GovTrustError } from '../errors/index.js';
import type { PdfDocument, XrefEntry } from './document.js';
import {
  PdfDict,
  PdfName,
  PdfRef,
  PdfStream,
  PdfString,
  type PdfObject,
  type PdfValue,
} from './objects.js';

/** Roles an object can play (a bit set: one object can play several). */
export const Role = {
  CATALOG: 1,
  ACROFORM: 2,
  FIELDS: 4,
  FIELD: 8,
  WIDGET: 16,
  PAGE: 32,
  PAGES_NODE: 64,
  ANNOTS: 128,
  ANNOT: 256,
  INFO: 512,
  DSS: 1024,
  METADATA: 2048,
  SIG: 4096,
  AP: 8192,
  AP_RES: 16384,
  VALUE: 32768,
  /** Reachable from the form's default resources (/DR) only: form filling may change it. */
  DR: 65536,
} as const;

/** Roles whose objects have their own change rules; other contexts point at them without protecting them. */
export const STRUCTURAL =
  Role.CATALOG |
  Role.ACROFORM |
  Role.FIELDS |
  Role.FIELD |
  Role.WIDGET |
  Role.PAGE |
  Role.PAGES_NODE |
  Role.ANNOTS |
  Role.ANNOT;

/** What the revision graph knows of one object. */
export interface NodeInfo {
  roles: number;
  /** Reachable through a path whose content no later revision may change. */
  protected: boolean;
  /** Field object numbers whose appearance or value this object belongs to (AP, AP_RES, VALUE, WIDGET). */
  owners?: Set<number>;
}

/** One form field as of a revision. */
export interface FieldRecord {
  readonly ref: PdfRef;
  /** Fully qualified name. */
  readonly name: string;
  /** Field type, inherited (§12.7.3.1 Table 220). */
  readonly type: string | undefined;
  readonly dict: PdfDict;
  /** The value /V, inherited. */
  readonly value: PdfObject | undefined;
  /** Widget annotation objects: the field itself when merged, else its kids without /T. */
  readonly widgets: readonly PdfRef[];
  /** True when the field has no child fields. */
  readonly terminal: boolean;
}

/** A form as of a revision. */
export interface FormRecord {
  readonly acroForm: PdfDict | undefined;
  readonly acroFormRef: PdfRef | null;
  readonly fieldsRef: PdfRef | null;
  readonly fields: readonly FieldRecord[];
}

/** Thrown when the analysis would visit more objects than allowed. */
export class DiffBudgetError extends Error {}

/** A counter shared by every traversal of one verification. */
export interface Budget {
  left: number;
}

function spend(budget: Budget): void {
  if (--budget.left < 0) throw new DiffBudgetError('object budget exhausted');
}

const MAX_FIELD_DEPTH = 32;

/** Resolves `v` as of `rev`; unreadable objects read as undefined (the caller decides what that means). */
export function resolveAt(
  doc: PdfDocument,
  v: PdfValue | undefined,
  rev: number,
): PdfValue | undefined {
  try {
    return doc.resolve(v, rev);
  } catch (err) {
    if (err instanceof GovTrustError) return undefined;
    throw err;
  }
}

/** Resolves to a dictionary (a stream's dictionary does not count). */
export function dictAt(
  doc: PdfDocument,
  v: PdfValue | undefined,
  rev: number,
): PdfDict | undefined {
  const r = resolveAt(doc, v, rev);
  return r instanceof PdfDict ? r : undefined;
}

/** Resolves to an array. */
export function arrayAt(
  doc: PdfDocument,
  v: PdfValue | undefined,
  rev: number,
): PdfObject[] | undefined {
  const r = resolveAt(doc, v, rev);
  return Array.isArray(r) ? r : undefined;
}

/** The catalog as of `rev` and its reference. */
export function catalogAt(
  doc: PdfDocument,
  rev: number,
): { ref: PdfRef; dict: PdfDict } | undefined {
  const root = doc.revisions[rev]!.trailer.get('Root');
  if (!(root instanceof PdfRef)) return undefined;
  const dict = dictAt(doc, root, rev);
  return dict === undefined ? undefined : { ref: root, dict };
}

/**
 * The form fields as of `rev` (walking /Fields and /Kids with cycle, depth and count bounds;
 * a broken branch is skipped, never repaired into something else).
 */
export function walkForm(doc: PdfDocument, rev: number, budget: Budget): FormRecord {
  const cat = catalogAt(doc, rev);
  const raw = cat?.dict.get('AcroForm');
  const acroForm = dictAt(doc, raw, rev);
  const fieldsObj = acroForm?.get('Fields');
  const top = arrayAt(doc, fieldsObj, rev) ?? [];
  const fields: FieldRecord[] = [];
  const seen = new Set<number>();
  const walk = (
    items: readonly PdfObject[],
    prefix: string,
    inherited: { type: string | undefined; value: PdfObject | undefined },
    depth: number,
  ): void => {
    if (depth > MAX_FIELD_DEPTH) return;
    for (const item of items) {
      if (!(item instanceof PdfRef) || seen.has(item.num)) continue;
      seen.add(item.num);
      spend(budget);
      const d = dictAt(doc, item, rev);
      if (d === undefined) continue;
      const t = d.get('T');
      const partial = t instanceof PdfString ? t.toText() : undefined;
      const name =
        partial === undefined ? prefix : prefix === '' ? partial : `${prefix}.${partial}`;
      const ft = d.get('FT');
      const type = ft instanceof PdfName ? ft.name : inherited.type;
      const value = d.has('V') ? d.get('V') : inherited.value;
      const kids = arrayAt(doc, d.get('Kids'), rev) ?? [];
      const childFields: PdfRef[] = [];
      const widgets: PdfRef[] = [];
      for (const k of kids) {
        if (!(k instanceof PdfRef)) continue;
        const kd = dictAt(doc, k, rev);
        if (kd === undefined) continue;
        // §12.7.3.1: a kid with a partial name is a field; without one it is a widget of this field.
        if (kd.has('T')) childFields.push(k);
        else widgets.push(k);
      }
      const terminal = childFields.length === 0;
      if (terminal && widgets.length === 0) widgets.push(item);
      fields.push({ ref: item, name, type, dict: d, value, widgets, terminal });
      if (childFields.length > 0) walk(childFields, name, { type, value }, depth + 1);
    }
  };
  walk(top, '', { type: undefined, value: undefined }, 0);
  return {
    acroForm,
    acroFormRef: raw instanceof PdfRef ? raw : null,
    fieldsRef: fieldsObj instanceof PdfRef ? fieldsObj : null,
    fields,
  };
}

/** Every reference inside a direct value (not following references), bounded in depth. */
export function refsIn(v: PdfValue | undefined, out: PdfRef[] = [], depth = 0): PdfRef[] {
  if (depth > 64 || v === undefined || v === null) return out;
  if (v instanceof PdfRef) out.push(v);
  else if (Array.isArray(v)) for (const x of v) refsIn(x, out, depth + 1);
  else if (v instanceof PdfDict) for (const x of v.map.values()) refsIn(x, out, depth + 1);
  else if (v instanceof PdfStream) refsIn(v.dict, out, depth + 1);
  return out;
}

/** Deep equality of two values across revisions: references compare by number and generation, streams by bytes. */
export function sameValue(a: PdfValue | undefined, b: PdfValue | undefined, depth = 0): boolean {
  if (a === b) return true;
  if (depth > 100 || a === undefined || b === undefined || a === null || b === null) return false;
  if (a instanceof PdfName) return b instanceof PdfName && a.name === b.name;
  if (a instanceof PdfString)
    return b instanceof PdfString && Buffer.compare(a.bytes, b.bytes) === 0;
  if (a instanceof PdfRef) return b instanceof PdfRef && a.equals(b);
  if (Array.isArray(a))
    return (
      Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i], depth + 1))
    );
  if (a instanceof PdfDict) {
    if (!(b instanceof PdfDict) || a.size !== b.size) return false;
    for (const [k, x] of a.entries())
      if (!b.has(k) || !sameValue(x, b.get(k), depth + 1)) return false;
    return true;
  }
  if (a instanceof PdfStream)
    return (
      b instanceof PdfStream &&
      sameValue(a.dict, b.dict, depth + 1) &&
      Buffer.compare(a.data, b.data) === 0
    );
  return false;
}

/** The keys whose values differ between two dictionaries. */
export function changedKeys(a: PdfDict | undefined, b: PdfDict | undefined): string[] {
  const keys = new Set<string>([...(a?.map.keys() ?? []), ...(b?.map.keys() ?? [])]);
  return [...keys].filter((k) => !sameValue(a?.get(k), b?.get(k)));
}

/** A stable key for where object `num` lives as of `rev`: its byte offset, or its object stream's offset and index. */
export function locationKey(doc: PdfDocument, num: number, rev: number): string | undefined {
  const e: XrefEntry | undefined = doc.entriesAt(rev).get(num);
  if (e === undefined || e.type === 'free') return undefined;
  if (e.type === 'offset') return `o${e.offset}:${e.gen}`;
  const s = doc.entriesAt(rev).get(e.stream);
  return `s${s?.type === 'offset' ? s.offset : `?${e.stream}`}:${e.index}`;
}

/** The generation a reference to `num` must carry as of `rev` (0 inside object streams). */
export function generationAt(doc: PdfDocument, num: number, rev: number): number | undefined {
  const e = doc.entriesAt(rev).get(num);
  if (e === undefined || e.type === 'free') return undefined;
  return e.type === 'offset' ? e.gen : 0;
}

function isHiddenOrEmpty(doc: PdfDocument, widget: PdfDict, rev: number): boolean {
  const f = resolveAt(doc, widget.get('F'), rev);
  // Table 165: Hidden (2) and NoView (32) never show.
  if (typeof f === 'number' && (f & 2 || f & 32)) return true;
  const rect = arrayAt(doc, widget.get('Rect'), rev);
  if (rect?.length !== 4) return true;
  const n = rect.map((x) => resolveAt(doc, x, rev));
  if (!n.every((x) => typeof x === 'number' && Number.isFinite(x))) return true;
  const [a, b, c, d] = n as number[];
  return Math.abs((c! - a!) * (d! - b!)) === 0;
}

/** True when a widget annotation can show anything: a non-empty /Rect and neither Hidden nor NoView. */
export function isVisibleWidget(doc: PdfDocument, widget: PdfDict, rev: number): boolean {
  return !isHiddenOrEmpty(doc, widget, rev);
}

/** The trailer keys that describe the file structure rather than the document. */
export const TRAILER_STRUCTURE_KEYS = new Set([
  'Size',
  'Prev',
  'Root',
  'Info',
  'ID',
  'XRefStm',
  'Type',
  'W',
  'Index',
  'Length',
  'Filter',
  'DecodeParms',
]);

/**
 * Every reachable object of one revision with its roles. Structural objects (catalog, form,
 * fields, widgets, pages, annotations) are found first; then appearances, values, /Info, /DSS and
 * XMP; then everything else reachable is protected. A protected path that reaches a structural
 * object stops there: pointing at a page (an outline destination, a structure element) does not
 * freeze the page, whose own rule decides what may change.
 */
export class RevisionGraph {
  readonly nodes = new Map<number, NodeInfo>();
  readonly form: FormRecord;
  /** Field record by object number. */
  readonly fieldByNum = new Map<number, FieldRecord>();
  /** Owning field of each widget. */
  readonly widgetOwner = new Map<number, number>();
  readonly catalogNum: number | undefined;

  constructor(
    readonly doc: PdfDocument,
    readonly rev: number,
    private readonly budget: Budget,
  ) {
    const cat = catalogAt(doc, rev);
    this.catalogNum = cat?.ref.num;
    this.form = walkForm(doc, rev, budget);
    for (const f of this.form.fields) {
      this.fieldByNum.set(f.ref.num, f);
      for (const w of f.widgets)
        if (!this.widgetOwner.has(w.num)) this.widgetOwner.set(w.num, f.ref.num);
    }
    const protect: PdfValue[] = [];
    const trailer = doc.revisions[rev]!.trailer;
    for (const [k, v] of trailer.entries()) if (!TRAILER_STRUCTURE_KEYS.has(k)) protect.push(v);
    if (cat !== undefined) {
      this.mark(cat.ref.num, Role.CATALOG);
      for (const [k, v] of cat.dict.entries()) {
        if (k === 'Pages' || k === 'AcroForm') continue;
        if (k === 'DSS') this.walkFree(v, Role.DSS);
        else if (k === 'Metadata') this.walkFree(v, Role.METADATA);
        else if (k === 'Perms') this.walkPerms(v, protect);
        else protect.push(v);
      }
      this.walkForm(cat.dict.get('AcroForm'), protect);
      this.walkPageTree(cat.dict.get('Pages'), protect);
    }
    this.walkFree(trailer.get('Info'), Role.INFO);
    this.walkProtected(protect);
  }

  /** The record of `num`, created on first use. */
  private node(num: number): NodeInfo {
    let n = this.nodes.get(num);
    if (n === undefined) {
      spend(this.budget);
      n = { roles: 0, protected: false };
      this.nodes.set(num, n);
    }
    return n;
  }

  private mark(num: number, role: number, owner?: number): boolean {
    const n = this.node(num);
    const had = (n.roles & role) !== 0 && (owner === undefined || n.owners?.has(owner) === true);
    n.roles |= role;
    if (owner !== undefined) (n.owners ??= new Set()).add(owner);
    return !had;
  }

  private get(ref: PdfRef): PdfValue | undefined {
    return resolveAt(this.doc, ref, this.rev);
  }

  private walkPerms(v: PdfValue | undefined, protect: PdfValue[]): void {
    // /Perms and the DocMDP or UR3 signature dictionaries it names never change once signed.
    const perms = v instanceof PdfRef ? this.get(v) : v;
    if (perms instanceof PdfDict)
      for (const x of perms.map.values()) if (x instanceof PdfRef) this.mark(x.num, Role.SIG);
    if (v !== undefined) protect.push(v);
  }

  private walkForm(v: PdfValue | undefined, protect: PdfValue[]): void {
    const form = this.form.acroForm;
    if (form === undefined) {
      if (v !== undefined) protect.push(v);
      return;
    }
    if (v instanceof PdfRef) this.mark(v.num, Role.ACROFORM);
    for (const [k, x] of form.entries()) {
      if (k === 'Fields') {
        if (x instanceof PdfRef) this.mark(x.num, Role.FIELDS);
        continue;
      }
      // Default resources serve appearances a viewer generates for fields, not the signed pages.
      if (k === 'DR') this.walkFree(x, Role.DR);
      else protect.push(x);
    }
    for (const f of this.form.fields) {
      this.mark(f.ref.num, Role.FIELD, f.ref.num);
      const isSig = f.type === 'Sig';
      for (const [k, x] of f.dict.entries()) {
        if (k === 'Kids' || k === 'Parent' || k === 'P') continue;
        if (k === 'V') {
          if (isSig) {
            if (x instanceof PdfRef) this.mark(x.num, Role.SIG);
            protect.push(x);
          } else this.walkOwned(x, Role.VALUE, f.ref.num);
          continue;
        }
        if (k === 'AP' && f.widgets.some((w) => w.equals(f.ref))) {
          this.walkAppearance(x, f.ref.num);
          continue;
        }
        protect.push(x);
      }
      // An indirect /Kids array is part of the field's structure.
      const kids = f.dict.get('Kids');
      if (kids instanceof PdfRef) this.mark(kids.num, Role.FIELD, f.ref.num);
      for (const w of f.widgets) {
        this.mark(w.num, Role.WIDGET, f.ref.num);
        if (w.equals(f.ref)) continue;
        const wd = this.get(w);
        if (!(wd instanceof PdfDict)) continue;
        for (const [k, x] of wd.entries()) {
          if (k === 'Parent' || k === 'P') continue;
          if (k === 'AP') this.walkAppearance(x, f.ref.num);
          else protect.push(x);
        }
      }
    }
  }

  /** An appearance dictionary (§12.5.5): its streams belong to the field; their resources too. */
  private walkAppearance(v: PdfValue | undefined, owner: number): void {
    const streams: (PdfValue | undefined)[] = [];
    let ap: PdfValue | undefined = v;
    if (v instanceof PdfRef) {
      this.mark(v.num, Role.AP, owner);
      ap = this.get(v);
    }
    if (!(ap instanceof PdfDict)) return;
    for (const x of ap.map.values()) {
      let sub: PdfValue | undefined = x;
      if (x instanceof PdfRef) {
        this.mark(x.num, Role.AP, owner);
        sub = this.get(x);
      }
      // /N, /R, /D are streams, or dictionaries of states whose values are streams.
      if (sub instanceof PdfDict) {
        for (const y of sub.map.values()) {
          if (y instanceof PdfRef) {
            this.mark(y.num, Role.AP, owner);
            streams.push(this.get(y));
          }
        }
      } else if (sub instanceof PdfStream) streams.push(sub);
    }
    for (const s of streams) if (s instanceof PdfStream) this.walkOwned(s.dict, Role.AP_RES, owner);
  }

  private walkOwned(v: PdfValue | undefined, role: number, owner: number): void {
    const stack = refsIn(v);
    while (stack.length > 0) {
      const r = stack.pop()!;
      const n = this.nodes.get(r.num);
      if (n !== undefined && (n.roles & STRUCTURAL || n.protected)) continue;
      if (!this.mark(r.num, role, owner)) continue;
      refsIn(this.get(r), stack);
    }
  }

  private walkFree(v: PdfValue | undefined, role: number): void {
    const stack = refsIn(v);
    while (stack.length > 0) {
      const r = stack.pop()!;
      const n = this.nodes.get(r.num);
      if (n !== undefined && n.roles & STRUCTURAL) continue;
      if (!this.mark(r.num, role)) continue;
      refsIn(this.get(r), stack);
    }
  }

  private walkPageTree(v: PdfValue | undefined, protect: PdfValue[]): void {
    const stack: { v: PdfValue | undefined; depth: number }[] = [{ v, depth: 0 }];
    const annotLists: PdfValue[] = [];
    while (stack.length > 0) {
      const { v: cur, depth } = stack.pop()!;
      if (depth > 64) continue;
      let d: PdfValue | undefined = cur;
      let num: number | undefined;
      if (cur instanceof PdfRef) {
        num = cur.num;
        const n = this.nodes.get(num);
        if (n !== undefined && n.roles & (Role.PAGE | Role.PAGES_NODE)) continue;
        d = this.get(cur);
      }
      if (!(d instanceof PdfDict)) continue;
      const type = d.get('Type');
      const isNode = type instanceof PdfName ? type.name === 'Pages' : d.has('Kids');
      if (num !== undefined) this.mark(num, isNode ? Role.PAGES_NODE : Role.PAGE);
      for (const [k, x] of d.entries()) {
        if (k === 'Parent') continue;
        if (isNode && k === 'Kids') {
          if (x instanceof PdfRef) this.mark(x.num, Role.PAGES_NODE);
          for (const kid of arrayAt(this.doc, x, this.rev) ?? [])
            stack.push({ v: kid, depth: depth + 1 });
          continue;
        }
        if (!isNode && k === 'Annots') {
          if (x instanceof PdfRef) this.mark(x.num, Role.ANNOTS);
          annotLists.push(x);
          continue;
        }
        protect.push(x);
      }
    }
    for (const list of annotLists) {
      for (const a of arrayAt(this.doc, list, this.rev) ?? []) {
        if (!(a instanceof PdfRef)) {
          protect.push(a);
          continue;
        }
        this.mark(a.num, Role.ANNOT);
        if (this.widgetOwner.has(a.num)) continue;
        const ad = this.get(a);
        if (!(ad instanceof PdfDict)) continue;
        for (const [k, x] of ad.entries()) {
          if (k === 'Parent' || k === 'P') continue;
          if (k === 'Popup' && x instanceof PdfRef) {
            this.mark(x.num, Role.ANNOT);
            continue;
          }
          protect.push(x);
        }
      }
    }
  }

  private walkProtected(values: readonly PdfValue[]): void {
    const stack: PdfRef[] = [];
    for (const v of values) refsIn(v, stack);
    while (stack.length > 0) {
      const r = stack.pop()!;
      const n = this.node(r.num);
      if (n.roles & STRUCTURAL || n.protected) continue;
      n.protected = true;
      refsIn(this.get(r), stack);
    }
  }
}
