/**
 * Finding every signature of a PDF (ISO 32000-1 §12.7.4.5 signature fields, §12.8.1 signature
 * dictionaries): the signature fields of every revision's form *and* every signature dictionary any
 * revision defines, so a signature that an update removed from the form, or one no field ever
 * named, is still reported (pdf-signing.md §3.6 "silent signature stripping", §3.8 step 2).
 * @module
 */
import { GovTrustError } from '../errors/index.js';
import type { PdfDocument } from './document.js';
import { PdfDict, PdfRef, type PdfValue } from './objects.js';
import {
  catalogAt,
  DiffBudgetError,
  dictAt,
  locationKey,
  resolveAt,
  sameValue,
  walkForm,
  type Budget,
} from './verify-graph.js';

/** One signature dictionary (or a signature field whose value is not one). */
export interface SignatureCandidate {
  readonly ref: PdfRef;
  /** Where the dictionary lives (see `locationKey`). */
  readonly key: string;
  /** Byte offset of its `n g obj`, or undefined inside an object stream. */
  readonly offset: number | undefined;
  /** The dictionary; undefined when a field's /V is not a signature dictionary (`problem` says why). */
  readonly dict: PdfDict | undefined;
  /** 0-based revision that wrote it. */
  readonly definedIn: number;
  /** Fully qualified name of the newest field that names it. */
  field: string | null;
  /** Newest revision whose form names it, or null when none ever did. */
  fieldRevision: number | null;
  /** Named by the newest revision's form. */
  inLatest: boolean;
  /** Named by /Perms /UR3 (a usage-rights signature, not a document signature). */
  usageRights: boolean;
  readonly problem?: string;
}

/** True for a dictionary that is (or claims to be) a signature or document time-stamp dictionary. */
export function isSignatureDictionary(d: PdfDict): boolean {
  const type = d.getName('Type');
  if (type === 'Sig' || type === 'DocTimeStamp') return true;
  return type === undefined && d.has('ByteRange') && d.has('Filter');
}

function spend(budget: Budget): void {
  if (--budget.left < 0) throw new DiffBudgetError('object budget exhausted');
}

/**
 * Every signature of the document, oldest first.
 * @throws {DiffBudgetError} when `budget` runs out (the caller turns it into ERR_PDF_LIMIT)
 */
export function discoverSignatures(doc: PdfDocument, budget: Budget): SignatureCandidate[] {
  const last = doc.revisions.length - 1;
  const byKey = new Map<string, SignatureCandidate>();
  const byNum = new Map<number, SignatureCandidate[]>();
  const find = (
    num: number,
    key: string,
    dict: PdfDict | undefined,
  ): SignatureCandidate | undefined => {
    const hit = byKey.get(key);
    if (hit !== undefined) return hit;
    // An update that rewrites a signature dictionary unchanged (some writers re-save objects)
    // keeps one signature; a changed rewrite is a different one (and a disallowed change).
    for (const c of byNum.get(num) ?? [])
      if (c.dict !== undefined && dict !== undefined && sameValue(c.dict, dict)) {
        byKey.set(key, c);
        return c;
      }
    return undefined;
  };
  const add = (c: SignatureCandidate): SignatureCandidate => {
    byKey.set(c.key, c);
    const list = byNum.get(c.ref.num);
    if (list === undefined) byNum.set(c.ref.num, [c]);
    else list.push(c);
    return c;
  };
  const firstDefinition = (num: number, key: string): number => {
    for (let r = 0; r <= last; r++) if (locationKey(doc, num, r) === key) return r;
    return last;
  };

  // 1. Every object every revision defines.
  for (let rev = 0; rev <= last; rev++) {
    for (const section of doc.revisions[rev]!.sections) {
      for (const [num, e] of section.entries) {
        if (e.type === 'free' || num === 0) continue;
        spend(budget);
        let value: PdfValue;
        try {
          value = doc.getObject(new PdfRef(num, e.type === 'offset' ? e.gen : 0), rev);
        } catch (err) {
          if (err instanceof GovTrustError) continue; // unreadable: the diff reports it if it matters
          throw err;
        }
        if (!(value instanceof PdfDict) || !isSignatureDictionary(value)) continue;
        const key = locationKey(doc, num, rev);
        if (key === undefined || find(num, key, value) !== undefined) continue;
        add({
          ref: new PdfRef(num, e.type === 'offset' ? e.gen : 0),
          key,
          offset: e.type === 'offset' ? e.offset : undefined,
          dict: value,
          definedIn: rev,
          field: null,
          fieldRevision: null,
          inLatest: false,
          usageRights: false,
        });
      }
    }
  }

  // 2. The signature fields of every revision's form.
  const bad: SignatureCandidate[] = [];
  for (let rev = 0; rev <= last; rev++) {
    const form = walkForm(doc, rev, budget);
    for (const f of form.fields) {
      if (f.type !== 'Sig' || !f.terminal) continue;
      const v = f.value;
      if (v === undefined || v === null) continue;
      let cand: SignatureCandidate | undefined;
      let problem: string | undefined;
      if (v instanceof PdfRef) {
        const d = dictAt(doc, v, rev);
        const key = locationKey(doc, v.num, rev);
        if (d !== undefined && key !== undefined && isSignatureDictionary(d)) {
          cand = find(v.num, key, d);
          if (cand === undefined) {
            const definedIn = firstDefinition(v.num, key);
            const e = doc.entriesAt(rev).get(v.num);
            cand = add({
              ref: v,
              key,
              offset: e?.type === 'offset' ? e.offset : undefined,
              dict: d,
              definedIn,
              field: null,
              fieldRevision: null,
              inLatest: false,
              usageRights: false,
            });
          }
        } else {
          const r = resolveAt(doc, v, rev);
          problem = `The value of signature field ${f.name} is ${r === undefined || r === null ? 'missing or unreadable' : 'not a signature dictionary'}`;
        }
      } else
        problem = `The value of signature field ${f.name} is not an indirect reference to a signature dictionary`;
      if (cand !== undefined) {
        cand.field = f.name;
        cand.fieldRevision = rev;
        if (rev === last) cand.inLatest = true;
      } else if (problem !== undefined && rev === last) {
        bad.push({
          ref: f.ref,
          key: `field:${f.ref.num}`,
          offset: undefined,
          dict: undefined,
          definedIn: rev,
          field: f.name,
          fieldRevision: rev,
          inLatest: true,
          usageRights: false,
          problem,
        });
      }
    }
    // Usage-rights signatures (/Perms /UR3) are the viewer vendor's, not the document's.
    const perms = dictAt(doc, catalogAt(doc, rev)?.dict.get('Perms'), rev);
    const ur = perms?.get('UR3') ?? perms?.get('UR');
    if (ur instanceof PdfRef) {
      const key = locationKey(doc, ur.num, rev);
      const c = key === undefined ? undefined : byKey.get(key);
      if (c !== undefined) c.usageRights = true;
    }
  }
  const unique = [...new Set(byKey.values())];
  return [...unique, ...bad].sort(
    (a, b) => a.definedIn - b.definedIn || (a.offset ?? 0) - (b.offset ?? 0),
  );
}
