/** Page tree (ISO 32000-1 §7.7.3, inherited attributes Table 30), AcroForm (§12.7.2) and signature fields (§12.7.4.5). @module */
import { PdfLimitError, PdfParseError } from '../errors/index.js';
import type { PdfDocument } from './document.js';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from './objects.js';

/** A rectangle [llx, lly, urx, ury], normalised so that ll < ur. */
export type PdfRect = readonly [number, number, number, number];

/** One page, with its inherited attributes resolved. */
export interface PdfPage {
  /** 0-based page index. */
  readonly index: number;
  /** The page object's reference, or null for a page dictionary written directly in /Kids. */
  readonly ref: PdfRef | null;
  /** The indirect object that holds the page dictionary (the page itself unless direct). */
  readonly holder: PdfRef;
  /** For a direct page: where it sits, i.e. `holder`'s /Kids (or the Kids array object) at this index. */
  readonly kidIndex: number;
  /** Whether `holder` is the parent node (its /Kids holds the page) or an indirect /Kids array. */
  readonly holderKind: 'page' | 'parent' | 'kids-array';
  /** The page dictionary as stored (not a copy: clone before changing it). */
  readonly dict: PdfDict;
  readonly mediaBox: PdfRect;
  /** The crop box (defaults to the media box), clipped to the media box (§14.11.2). */
  readonly cropBox: PdfRect;
  /** Display rotation in degrees clockwise: 0, 90, 180 or 270. */
  readonly rotate: 0 | 90 | 180 | 270;
  /** The page's resources (inherited if needed), or null. */
  readonly resources: PdfDict | null;
  /** True when no /MediaBox was found and US Letter was assumed (as viewers do). */
  readonly mediaBoxMissing: boolean;
}

const MAX_TREE_DEPTH = 64;
const cache = new WeakMap<PdfDocument, PdfPage[]>();

function rectOf(doc: PdfDocument, v: PdfObject | undefined): PdfRect | undefined {
  const a = doc.resolveArray(v);
  if (a === undefined) return undefined;
  const nums = a.map((x) => doc.resolveNumber(x));
  if (nums.length !== 4 || nums.some((n) => n === undefined || !Number.isFinite(n)))
    throw new PdfParseError('A page box is not an array of four numbers');
  const [a0, a1, a2, a3] = nums as [number, number, number, number];
  return [Math.min(a0, a2), Math.min(a1, a3), Math.max(a0, a2), Math.max(a1, a3)];
}

function intersect(a: PdfRect, b: PdfRect): PdfRect {
  const r: PdfRect = [
    Math.max(a[0], b[0]),
    Math.max(a[1], b[1]),
    Math.min(a[2], b[2]),
    Math.min(a[3], b[3]),
  ];
  return r[0] < r[2] && r[1] < r[3] ? r : a;
}

interface Inherited {
  readonly resources: PdfObject | undefined;
  readonly mediaBox: PdfObject | undefined;
  readonly cropBox: PdfObject | undefined;
  readonly rotate: PdfObject | undefined;
}

/**
 * The pages of the document in order, walking /Pages from the catalog with cycle and depth
 * checks; inherited /Resources, /MediaBox, /CropBox and /Rotate are applied.
 * @throws {PdfParseError} ERR_PDF_PARSE for a broken or cyclic page tree
 * @throws {PdfLimitError} ERR_PDF_LIMIT for too deep a tree or too many pages
 */
export function getPages(doc: PdfDocument): readonly PdfPage[] {
  const hit = cache.get(doc);
  if (hit) return hit;
  const rootRef = doc.catalog.get('Pages');
  if (!(rootRef instanceof PdfRef)) throw new PdfParseError('Catalog /Pages is not a reference');
  const pages: PdfPage[] = [];
  const seen = new Set<string>();
  const walk = (node: PdfDict, nodeRef: PdfRef, inh: Inherited, depth: number): void => {
    if (depth > MAX_TREE_DEPTH) throw new PdfLimitError('maxDepth', 'Page tree too deep');
    const next: Inherited = {
      resources: node.get('Resources') ?? inh.resources,
      mediaBox: node.get('MediaBox') ?? inh.mediaBox,
      cropBox: node.get('CropBox') ?? inh.cropBox,
      rotate: node.get('Rotate') ?? inh.rotate,
    };
    const kidsObj = node.get('Kids');
    const kids = doc.resolveArray(kidsObj);
    if (kids === undefined)
      throw new PdfParseError(`Page tree node ${nodeRef.toString()} has no /Kids array`);
    kids.forEach((kid, i) => {
      let kidDict: PdfDict | undefined;
      let kidRef: PdfRef | null = null;
      if (kid instanceof PdfRef) {
        if (seen.has(kid.key))
          throw new PdfParseError(`Page tree visits ${kid.toString()} twice (a cycle?)`);
        seen.add(kid.key);
        kidRef = kid;
        kidDict = doc.resolveDict(kid);
      } else if (kid instanceof PdfDict) kidDict = kid;
      if (kidDict === undefined)
        throw new PdfParseError(
          `Page tree node ${nodeRef.toString()} has a kid that is not a dictionary`,
        );
      const type = kidDict.getName('Type');
      const isNode = type === 'Pages' || (type === undefined && kidDict.has('Kids'));
      if (isNode) {
        if (kidRef === null)
          throw new PdfParseError('A page tree node is written directly in /Kids');
        walk(kidDict, kidRef, next, depth + 1);
        return;
      }
      if (type !== undefined && type !== 'Page')
        throw new PdfParseError(`Page tree kid has /Type /${type}`);
      if (pages.length >= doc.maxPages) throw new PdfLimitError('maxPages', 'Too many pages');
      pages.push(
        makePage(doc, pages.length, kidDict, kidRef, nodeRef, kidsObj, i, {
          resources: kidDict.get('Resources') ?? next.resources,
          mediaBox: kidDict.get('MediaBox') ?? next.mediaBox,
          cropBox: kidDict.get('CropBox') ?? next.cropBox,
          rotate: kidDict.get('Rotate') ?? next.rotate,
        }),
      );
    });
  };
  const root = doc.resolveDict(rootRef);
  if (root === undefined) throw new PdfParseError('Catalog /Pages is not a dictionary');
  seen.add(rootRef.key);
  walk(
    root,
    rootRef,
    { resources: undefined, mediaBox: undefined, cropBox: undefined, rotate: undefined },
    0,
  );
  cache.set(doc, pages);
  return pages;
}

/**
 * The number of pages the page tree root declares (/Count, §7.7.3.2).
 * @throws {PdfParseError} ERR_PDF_PARSE when the root or its /Count is unusable
 */
export function getPageCount(doc: PdfDocument): number {
  const full = cache.get(doc);
  if (full) return full.length;
  const root = doc.resolveDict(doc.catalog.get('Pages'));
  const count = doc.resolveNumber(root?.get('Count'));
  if (count === undefined || !Number.isInteger(count) || count < 0)
    throw new PdfParseError('The page tree root has no valid /Count');
  return count;
}

/**
 * One page by 0-based index, walking only the branch that holds it (/Count of intermediate
 * nodes skips the others), with the same checks and inheritance as `getPages`.
 * @throws {PdfParseError} ERR_PDF_PARSE for a broken tree or a /Count that disagrees with the kids
 */
export function getPage(doc: PdfDocument, index: number): PdfPage {
  const full = cache.get(doc);
  if (full) {
    const p = full[index];
    if (p === undefined) throw new PdfParseError(`No page ${index + 1}`);
    return p;
  }
  const rootRef = doc.catalog.get('Pages');
  if (!(rootRef instanceof PdfRef)) throw new PdfParseError('Catalog /Pages is not a reference');
  let node = doc.resolveDict(rootRef);
  if (node === undefined) throw new PdfParseError('Catalog /Pages is not a dictionary');
  let nodeRef = rootRef;
  let inh: Inherited = {
    resources: undefined,
    mediaBox: undefined,
    cropBox: undefined,
    rotate: undefined,
  };
  let remaining = index;
  const seen = new Set<string>([rootRef.key]);
  for (let depth = 0; depth <= MAX_TREE_DEPTH; depth++) {
    inh = {
      resources: node.get('Resources') ?? inh.resources,
      mediaBox: node.get('MediaBox') ?? inh.mediaBox,
      cropBox: node.get('CropBox') ?? inh.cropBox,
      rotate: node.get('Rotate') ?? inh.rotate,
    };
    const kidsObj = node.get('Kids');
    const kids = doc.resolveArray(kidsObj);
    if (kids === undefined)
      throw new PdfParseError(`Page tree node ${nodeRef.toString()} has no /Kids array`);
    let next: { dict: PdfDict; ref: PdfRef } | undefined;
    for (let i = 0; i < kids.length && next === undefined; i++) {
      const kid = kids[i];
      const kidRef = kid instanceof PdfRef ? kid : null;
      if (kidRef !== null) {
        if (seen.has(kidRef.key))
          throw new PdfParseError(`Page tree visits ${kidRef.toString()} twice (a cycle?)`);
        seen.add(kidRef.key);
      }
      const kidDict =
        kidRef !== null ? doc.resolveDict(kidRef) : kid instanceof PdfDict ? kid : undefined;
      if (kidDict === undefined)
        throw new PdfParseError(
          `Page tree node ${nodeRef.toString()} has a kid that is not a dictionary`,
        );
      const type = kidDict.getName('Type');
      if (type === 'Pages' || (type === undefined && kidDict.has('Kids'))) {
        if (kidRef === null)
          throw new PdfParseError('A page tree node is written directly in /Kids');
        const c = doc.resolveNumber(kidDict.get('Count'));
        if (c === undefined || !Number.isInteger(c) || c < 0)
          throw new PdfParseError(`Page tree node ${kidRef.toString()} has no valid /Count`);
        if (remaining < c) next = { dict: kidDict, ref: kidRef };
        else remaining -= c;
        continue;
      }
      if (type !== undefined && type !== 'Page')
        throw new PdfParseError(`Page tree kid has /Type /${type}`);
      if (remaining === 0)
        return makePage(doc, index, kidDict, kidRef, nodeRef, kidsObj, i, {
          resources: kidDict.get('Resources') ?? inh.resources,
          mediaBox: kidDict.get('MediaBox') ?? inh.mediaBox,
          cropBox: kidDict.get('CropBox') ?? inh.cropBox,
          rotate: kidDict.get('Rotate') ?? inh.rotate,
        });
      remaining--;
    }
    if (next === undefined)
      throw new PdfParseError(`The page tree has no page ${index + 1} although its /Count says so`);
    node = next.dict;
    nodeRef = next.ref;
  }
  throw new PdfLimitError('maxDepth', 'Page tree too deep');
}

function makePage(
  doc: PdfDocument,
  index: number,
  dict: PdfDict,
  ref: PdfRef | null,
  parentRef: PdfRef,
  kidsObj: PdfObject | undefined,
  kidIndex: number,
  inh: Inherited,
): PdfPage {
  const found = rectOf(doc, inh.mediaBox);
  const mediaBox: PdfRect = found ?? [0, 0, 612, 792];
  const crop = rectOf(doc, inh.cropBox);
  const rot = inh.rotate === undefined ? 0 : doc.resolveNumber(inh.rotate);
  if (rot === undefined || !Number.isInteger(rot) || rot % 90 !== 0)
    throw new PdfParseError(`Page ${index + 1}: /Rotate is not a multiple of 90`);
  const rotate = (((rot % 360) + 360) % 360) as 0 | 90 | 180 | 270;
  const res = doc.resolve(inh.resources);
  let holder: PdfRef;
  let holderKind: PdfPage['holderKind'];
  if (ref !== null) {
    holder = ref;
    holderKind = 'page';
  } else if (kidsObj instanceof PdfRef) {
    holder = kidsObj;
    holderKind = 'kids-array';
  } else {
    holder = parentRef;
    holderKind = 'parent';
  }
  return {
    index,
    ref,
    holder,
    kidIndex,
    holderKind,
    dict,
    mediaBox,
    cropBox: crop === undefined ? mediaBox : intersect(crop, mediaBox),
    rotate,
    resources: res instanceof PdfDict ? res : null,
    mediaBoxMissing: found === undefined,
  };
}

/** A signature field found in the document. */
export interface PdfSignatureField {
  /** Fully qualified field name (§12.7.3.2). */
  readonly name: string;
  readonly ref: PdfRef;
  /** The signature dictionary's reference (/V), when signed. */
  readonly value: PdfRef | null;
  readonly dict: PdfDict;
}

/** The interactive form of the document (§12.7.2). */
export interface PdfAcroForm {
  /** The AcroForm reference, or null when the dictionary is direct in the catalog. */
  readonly ref: PdfRef | null;
  readonly dict: PdfDict;
  /** The /Fields array reference when the array is an indirect object. */
  readonly fieldsRef: PdfRef | null;
  /** The top-level /Fields entries. */
  readonly fields: readonly PdfObject[];
  /** Every fully qualified field name in the form. */
  readonly fieldNames: ReadonlySet<string>;
  /** Signature fields (FT /Sig, inherited), signed or not. */
  readonly signatureFields: readonly PdfSignatureField[];
}

const MAX_FIELDS = 100_000;

/**
 * The document's AcroForm with its field names and signature fields, or null when there is none.
 * @throws {PdfParseError} ERR_PDF_PARSE for a malformed or cyclic field tree
 */
export function getAcroForm(doc: PdfDocument): PdfAcroForm | null {
  const raw = doc.catalog.get('AcroForm');
  if (raw === undefined || raw === null) return null;
  const dict = doc.resolveDict(raw);
  if (dict === undefined) throw new PdfParseError('Catalog /AcroForm is not a dictionary');
  const fieldsObj = dict.get('Fields');
  const fields = fieldsObj === undefined ? [] : doc.resolveArray(fieldsObj);
  if (fields === undefined) throw new PdfParseError('AcroForm /Fields is not an array');
  const names = new Set<string>();
  const sigs: PdfSignatureField[] = [];
  const seen = new Set<string>();
  let count = 0;
  const walk = (
    items: readonly PdfObject[],
    prefix: string,
    ft: string | undefined,
    depth: number,
  ): void => {
    if (depth > 32) throw new PdfLimitError('maxDepth', 'Form field tree too deep');
    for (const item of items) {
      if (!(item instanceof PdfRef)) continue;
      if (seen.has(item.key))
        throw new PdfParseError(`Form field ${item.toString()} appears twice`);
      seen.add(item.key);
      if (++count > MAX_FIELDS) throw new PdfLimitError('maxObjects', 'Too many form fields');
      const f = doc.resolveDict(item);
      if (f === undefined) continue;
      const t = doc.resolve(f.get('T'));
      const partial = t instanceof PdfString ? t.toText() : undefined;
      const full =
        partial === undefined ? prefix : prefix === '' ? partial : `${prefix}.${partial}`;
      const fieldType = f.getName('FT') ?? ft;
      if (partial !== undefined) names.add(full);
      const kids = doc.resolveArray(f.get('Kids'));
      if (kids !== undefined && kids.length > 0) walk(kids, full, fieldType, depth + 1);
      if (fieldType === 'Sig' && partial !== undefined) {
        const v = f.get('V');
        sigs.push({ name: full, ref: item, value: v instanceof PdfRef ? v : null, dict: f });
      }
    }
  };
  walk(fields, '', undefined, 0);
  return {
    ref: raw instanceof PdfRef ? raw : null,
    dict,
    fieldsRef: fieldsObj instanceof PdfRef ? fieldsObj : null,
    fields,
    fieldNames: names,
    signatureFields: sigs,
  };
}

/** The DocMDP permission (1, 2 or 3) of a certified document, or null when it is not certified (§12.8.2.2). */
export function getDocMdpPermission(doc: PdfDocument): 1 | 2 | 3 | null {
  const perms = doc.resolveDict(doc.catalog.get('Perms'));
  const sig = doc.resolveDict(perms?.get('DocMDP'));
  if (sig === undefined) return null;
  const refs = doc.resolveArray(sig.get('Reference')) ?? [];
  for (const r of refs) {
    const sr = doc.resolveDict(r);
    if (sr?.getName('TransformMethod') !== 'DocMDP') continue;
    const params = doc.resolveDict(sr.get('TransformParams'));
    const p = doc.resolveNumber(params?.get('P'));
    return p === 1 || p === 3 ? p : 2; // Table 254: default 2
  }
  return 2;
}

/** True when `v` resolves to a stream. */
export function isStream(doc: PdfDocument, v: PdfObject | undefined): boolean {
  return doc.resolve(v) instanceof PdfStream;
}

/** Convenience: `/Type` name of a dictionary. */
export function typeOf(d: PdfDict): string | undefined {
  const t = d.get('Type');
  return t instanceof PdfName ? t.name : undefined;
}
