/**
 * Modification analysis after signing (ISO 32000-1 §12.8.2 DocMDP and FieldMDP, ISO 32000-2
 * §12.8.2.4 /Lock; pdf-signing.md §3.7): every revision after the signed one is compared with the
 * one before it, object by object *including xref semantics* (re-pointed, freed, re-generated or
 * moved into an object stream all count as changes), and every change must be explained by a
 * whitelist rule: new signatures and document time-stamps, /DSS and /Info and XMP updates, form
 * filling of unlocked fields, annotations at DocMDP P=3. Anything else is disallowed.
 * @module
 */
import { GovTrustError } from '../errors/index.js';
import type { PdfDocument } from './document.js';
import { PdfDict, PdfName, PdfRef, PdfString, type PdfObject, type PdfValue } from './objects.js';
import {
  arrayAt,
  changedKeys,
  DiffBudgetError,
  dictAt,
  generationAt,
  isVisibleWidget,
  locationKey,
  RevisionGraph,
  Role,
  sameValue,
  TRAILER_STRUCTURE_KEYS,
  walkForm,
  type Budget,
  type FieldRecord,
} from './verify-graph.js';
import type { PdfReportIssue } from './verify-report.js';

/** What a signature allows to change after it (from its DocMDP transform and its field lock). */
export interface SignaturePermissions {
  /** DocMDP P of a certification signature, or /Lock /P of PDF 2.0; null for a plain approval signature. */
  readonly docMdp: 1 | 2 | 3 | null;
  /** True when this is a certification signature. */
  readonly certification: boolean;
  /** FieldMDP: whether a fully qualified field name is locked by this signature. */
  readonly isLocked: (fieldName: string) => boolean;
}

/** The verdict on the revisions after one signature. */
export interface DiffOutcome {
  readonly modifications: 'none' | 'allowed' | 'disallowed';
  readonly errors: readonly PdfReportIssue[];
}

/** Options of the analyser. */
export interface DiffOptions {
  readonly maxObjects: number;
  readonly allowVisibleSignaturesAfterCertification: boolean;
}

/** Form-field keys a value update may change (pyHanko's VALUE_UPDATE_KEYS, ISO 32000-1 Tables 220, 164). */
const VALUE_UPDATE_KEYS = new Set(['AP', 'AS', 'V', 'F', 'DA', 'Q', 'Ff', 'Type']);
/** Catalog keys a later revision may change (pdf-signing.md §3.4, §3.7). */
const CATALOG_FREE_KEYS = new Set(['DSS', 'Extensions', 'Metadata', 'MarkInfo', 'Version']);
/** AcroForm keys a later revision may change. */
const ACROFORM_FREE_KEYS = new Set(['SigFlags', 'DR', 'DA', 'Q', 'NeedAppearances']);
/** Annotation subtypes accepted at DocMDP P=3: markup that cannot paint over content by design. */
const SAFE_ANNOTATIONS = new Set([
  'Text',
  'Highlight',
  'Underline',
  'Squiggly',
  'StrikeOut',
  'Popup',
]);

interface ChangedObject {
  readonly num: number;
  readonly kind: 'updated' | 'freed';
  readonly oldValue: PdfValue | undefined;
  readonly newValue: PdfValue | undefined;
  /** Why the new (or old) value could not be read. */
  readonly unreadable?: string;
}

interface RevisionChanges {
  readonly trailer: readonly string[];
  readonly objects: readonly ChangedObject[];
}

/** Rules run in this order: the form first, so pages know which new widgets are legitimate. */
const PHASE: readonly number[] = [
  Role.CATALOG,
  Role.ACROFORM,
  Role.FIELDS,
  Role.FIELD,
  Role.WIDGET,
];

/** Per-revision state while one signature's rules run. */
interface RuleContext {
  readonly prev: number;
  readonly rev: number;
  readonly g: RevisionGraph;
  readonly perms: SignaturePermissions;
  readonly errors: PdfReportIssue[];
  /** Widgets of signature fields added in this revision (they may appear in /Annots). */
  readonly newWidgets: Set<number>;
  /** Fields whose value was filled or which were signed in this revision. */
  readonly touchedFields: Set<number>;
  /** Objects already judged (a field reached through the catalog and its own entry). */
  readonly judged: Set<number>;
}

function describe(v: PdfValue | undefined): string {
  if (v instanceof PdfDict) {
    const t = v.get('Type');
    const s = v.get('Subtype');
    return [t, s]
      .filter((x): x is PdfName => x instanceof PdfName)
      .map((x) => `/${x.name}`)
      .join(' ');
  }
  return '';
}

/** Analyses the revisions of one document; graphs and per-revision changes are shared by all signatures. */
export class ModificationAnalyzer {
  private readonly graphs = new Map<number, RevisionGraph>();
  private readonly changes = new Map<number, RevisionChanges>();
  private readonly budget: Budget;

  constructor(
    readonly doc: PdfDocument,
    private readonly options: DiffOptions,
  ) {
    this.budget = { left: options.maxObjects };
  }

  /**
   * Judges the revisions after `signedRevision` (0-based) for a signature with `perms`.
   * Never throws for a hostile file: an unreadable or oversized update is `disallowed` with a code.
   */
  analyze(signedRevision: number, perms: SignaturePermissions): DiffOutcome {
    const last = this.doc.revisions.length - 1;
    if (signedRevision >= last) return { modifications: 'none', errors: [] };
    const errors: PdfReportIssue[] = [];
    try {
      for (let rev = signedRevision + 1; rev <= last; rev++) {
        const before = errors.length;
        this.judgeRevision(signedRevision, rev, perms, errors);
        // One revision's findings are enough to say why; later ones would only repeat them.
        if (errors.length > before && errors.length >= 8) break;
      }
    } catch (err) {
      if (err instanceof DiffBudgetError) {
        errors.push({
          code: 'ERR_PDF_DIFF_LIMIT',
          message: `The changes after revision ${signedRevision + 1} exceed the analysis limit of ${this.options.maxObjects} objects`,
        });
      } else throw err;
    }
    return { modifications: errors.length === 0 ? 'allowed' : 'disallowed', errors };
  }

  private graph(rev: number): RevisionGraph {
    let g = this.graphs.get(rev);
    if (g === undefined) {
      g = new RevisionGraph(this.doc, rev, this.budget);
      this.graphs.set(rev, g);
    }
    return g;
  }

  /** The objects revision `rev` changes relative to `rev - 1`, and its trailer changes. */
  private changesOf(rev: number): RevisionChanges {
    const hit = this.changes.get(rev);
    if (hit !== undefined) return hit;
    const doc = this.doc;
    const prev = rev - 1;
    const prevEntries = doc.entriesAt(prev);
    const candidates = new Set<number>();
    for (const s of doc.revisions[rev]!.sections) {
      for (const n of s.entries.keys()) candidates.add(n);
      if (s.hybridStream) for (const n of s.hybridStream.entries.keys()) candidates.add(n);
    }
    // An object stream that moves may change every object inside it (its entries stay the same).
    const movedStreams = new Set<number>();
    for (const n of candidates) {
      const e = prevEntries.get(n);
      if (e?.type === 'offset' && locationKey(doc, n, prev) !== locationKey(doc, n, rev))
        movedStreams.add(n);
    }
    if (movedStreams.size > 0)
      for (const [n, e] of prevEntries) {
        if (e.type === 'compressed' && movedStreams.has(e.stream)) candidates.add(n);
        if (--this.budget.left < 0) throw new DiffBudgetError('budget');
      }
    const objects: ChangedObject[] = [];
    for (const num of [...candidates].sort((a, b) => a - b)) {
      if (num === 0) continue;
      const oldGen = generationAt(doc, num, prev);
      if (oldGen === undefined) continue; // a new object: judged through whatever refers to it
      const newGen = generationAt(doc, num, rev);
      if (newGen !== oldGen) {
        objects.push({ num, kind: 'freed', oldValue: undefined, newValue: undefined });
        continue;
      }
      if (locationKey(doc, num, prev) === locationKey(doc, num, rev)) continue;
      if (--this.budget.left < 0) throw new DiffBudgetError('budget');
      let oldValue: PdfValue | undefined;
      let newValue: PdfValue | undefined;
      try {
        oldValue = doc.getObject(new PdfRef(num, oldGen), prev);
        newValue = doc.getObject(new PdfRef(num, newGen), rev);
      } catch (err) {
        if (!(err instanceof GovTrustError)) throw err;
        objects.push({
          num,
          kind: 'updated',
          oldValue,
          newValue: undefined,
          unreadable: err.message,
        });
        continue;
      }
      if (sameValue(oldValue, newValue)) continue; // rewritten unchanged: harmless
      objects.push({ num, kind: 'updated', oldValue, newValue });
    }
    const trailer: string[] = [];
    const tPrev = doc.revisions[prev]!.trailer;
    const tCur = doc.revisions[rev]!.trailer;
    const root = tCur.get('Root');
    if (!sameValue(tPrev.get('Root'), root))
      trailer.push('the trailer points /Root to another catalog');
    for (const k of changedKeys(tPrev, tCur))
      if (!TRAILER_STRUCTURE_KEYS.has(k)) trailer.push(`the trailer key /${k} changed`);
    const result: RevisionChanges = { trailer, objects };
    this.changes.set(rev, result);
    return result;
  }

  private judgeRevision(
    signed: number,
    rev: number,
    perms: SignaturePermissions,
    errors: PdfReportIssue[],
  ): void {
    const prev = rev - 1;
    const ch = this.changesOf(rev);
    const g = this.graph(prev);
    const ctx: RuleContext = {
      prev,
      rev,
      g,
      perms,
      errors,
      newWidgets: new Set(),
      touchedFields: new Set(),
      judged: new Set(),
    };
    const where = `revision ${rev + 1}`;
    for (const t of ch.trailer) this.fail(ctx, 'ERR_PDF_MODIFIED', `${where}: ${t}`);
    const byPhase = (o: ChangedObject): number => {
      const roles = g.nodes.get(o.num)?.roles ?? 0;
      const i = PHASE.findIndex((r) => (roles & r) !== 0);
      return i < 0 ? PHASE.length : i;
    };
    const ordered = [...ch.objects].sort((a, b) => byPhase(a) - byPhase(b));
    for (const o of ordered) {
      if (ctx.judged.has(o.num)) continue;
      ctx.judged.add(o.num);
      const info = g.nodes.get(o.num);
      const label = `object ${o.num}${describe(o.oldValue) ? ` (${describe(o.oldValue)})` : ''}`;
      if (o.kind === 'freed') {
        // pyHanko's conservative default: freeing anything that existed when signing is refused.
        if (info !== undefined || generationAt(this.doc, o.num, signed) !== undefined)
          this.fail(ctx, 'ERR_PDF_MODIFIED', `${where} frees or re-generates ${label}`);
        continue;
      }
      if (o.unreadable !== undefined) {
        this.fail(
          ctx,
          'ERR_PDF_MODIFIED',
          `${where} rewrites ${label} unreadably: ${o.unreadable}`,
        );
        continue;
      }
      if (info === undefined) continue; // unreachable before: only what refers to it matters
      const r = info.roles;
      if (r & Role.CATALOG) this.catalogRule(ctx, o);
      else if (r & Role.ACROFORM) this.acroFormRule(ctx, dictOf(o.oldValue), dictOf(o.newValue));
      else if (r & Role.FIELDS)
        this.fieldListRule(ctx, asArray(o.oldValue), asArray(o.newValue), '');
      else if (r & (Role.FIELD | Role.WIDGET)) this.fieldRule(ctx, o);
      else if (r & Role.PAGE) this.pageRule(ctx, o);
      else if (r & Role.PAGES_NODE) this.pageNodeRule(ctx, o);
      else if (r & Role.ANNOTS) this.annotListRule(ctx, asArray(o.oldValue), asArray(o.newValue));
      else if (r & Role.ANNOT)
        this.annotationChanged(ctx, o.oldValue, `${where} changes annotation ${o.num}`);
      else if (r & Role.SIG)
        this.fail(ctx, 'ERR_PDF_MODIFIED', `${where} changes the signature dictionary ${o.num}`);
      else if (info.protected)
        this.fail(
          ctx,
          'ERR_PDF_MODIFIED',
          `${where} changes ${label}, which the signed pages or document structure use`,
        );
      else if (r & (Role.AP | Role.AP_RES | Role.VALUE)) this.ownedRule(ctx, o, info.owners);
      else if (r & Role.DR && ctx.perms.docMdp === 1)
        this.refuse(
          ctx,
          `${where} changes ${label} of the form's default resources in a document certified with no changes permitted`,
        );
      // /Info, /DSS and XMP metadata (and nothing else) may change at any level (§3.7).
    }
  }

  private fail(ctx: RuleContext, code: string, message: string): void {
    if (!ctx.errors.some((e) => e.message === message)) ctx.errors.push({ code, message });
  }

  /** DOCMDP_VIOLATION under a certification, MODIFIED otherwise. */
  private refuse(ctx: RuleContext, message: string): void {
    this.fail(
      ctx,
      ctx.perms.docMdp === null ? 'ERR_PDF_MODIFIED' : 'ERR_PDF_DOCMDP_VIOLATION',
      message,
    );
  }

  private catalogRule(ctx: RuleContext, o: ChangedObject): void {
    const oldCat = dictOf(o.oldValue);
    const newCat = dictOf(o.newValue);
    const where = `revision ${ctx.rev + 1}`;
    if (oldCat === undefined || newCat === undefined) {
      this.fail(ctx, 'ERR_PDF_MODIFIED', `${where} replaces the catalog with a non-dictionary`);
      return;
    }
    for (const k of changedKeys(oldCat, newCat)) {
      if (CATALOG_FREE_KEYS.has(k)) continue;
      if (k === 'AcroForm') {
        const a = oldCat.get('AcroForm');
        const b = newCat.get('AcroForm');
        // Same indirect form: its own entry (if any) is judged on its own.
        if (a instanceof PdfRef && b instanceof PdfRef && a.equals(b)) continue;
        if (b instanceof PdfRef) ctx.judged.add(b.num);
        this.acroFormRule(ctx, dictAt(this.doc, a, ctx.prev), dictAt(this.doc, b, ctx.rev));
        continue;
      }
      const detail =
        k === 'OpenAction' || k === 'AA' || k === 'Names'
          ? ' (actions or JavaScript added after signing)'
          : k === 'Pages'
            ? ' (the page tree was replaced)'
            : k === 'Perms'
              ? ' (signature permissions changed)'
              : '';
      this.fail(ctx, 'ERR_PDF_MODIFIED', `${where} changes the catalog entry /${k}${detail}`);
    }
  }

  private acroFormRule(ctx: RuleContext, a: PdfDict | undefined, b: PdfDict | undefined): void {
    const where = `revision ${ctx.rev + 1}`;
    if (b === undefined) {
      if ((arrayAt(this.doc, a?.get('Fields'), ctx.prev) ?? []).length > 0)
        this.fail(ctx, 'ERR_PDF_SIGNATURE_REMOVED', `${where} removes the interactive form`);
      return;
    }
    for (const k of changedKeys(a, b)) {
      if (ACROFORM_FREE_KEYS.has(k)) continue;
      if (k === 'Fields') {
        const fa = a?.get('Fields');
        const fb = b.get('Fields');
        if (fa instanceof PdfRef && fb instanceof PdfRef && fa.equals(fb)) continue;
        if (fb instanceof PdfRef) ctx.judged.add(fb.num);
        this.fieldListRule(
          ctx,
          arrayAt(this.doc, fa, ctx.prev) ?? [],
          arrayAt(this.doc, fb, ctx.rev) ?? [],
          '',
        );
        continue;
      }
      this.fail(ctx, 'ERR_PDF_MODIFIED', `${where} changes the form entry /${k}`);
    }
  }

  /** /Fields (or a field's /Kids): nothing may go; what comes must be a new signature field. */
  private fieldListRule(
    ctx: RuleContext,
    oldList: readonly PdfObject[] | undefined,
    newList: readonly PdfObject[] | undefined,
    parentName: string,
  ): void {
    const where = `revision ${ctx.rev + 1}`;
    const a = (oldList ?? []).filter((x): x is PdfRef => x instanceof PdfRef);
    const b = (newList ?? []).filter((x): x is PdfRef => x instanceof PdfRef);
    for (const r of a)
      if (!b.some((x) => x.equals(r))) {
        const f = ctx.g.fieldByNum.get(r.num);
        this.fail(
          ctx,
          f?.type === 'Sig' ? 'ERR_PDF_SIGNATURE_REMOVED' : 'ERR_PDF_MODIFIED',
          `${where} removes the form field ${f?.name ?? r.num} from the form`,
        );
      }
    for (const r of b) if (!a.some((x) => x.equals(r))) this.newFieldRule(ctx, r, parentName, 0);
  }

  /** A field added after signing: only signature fields, signed in the same revision or invisible. */
  private newFieldRule(ctx: RuleContext, ref: PdfRef, parentName: string, depth: number): void {
    const where = `revision ${ctx.rev + 1}`;
    if (depth > 8) {
      this.fail(ctx, 'ERR_PDF_MODIFIED', `${where} adds a field tree nested too deeply`);
      return;
    }
    if (
      (ctx.g.nodes.get(ref.num)?.roles ?? 0) &
      (Role.FIELD | Role.WIDGET | Role.PAGE | Role.CATALOG)
    ) {
      this.fail(ctx, 'ERR_PDF_MODIFIED', `${where} re-uses object ${ref.num} as a new form field`);
      return;
    }
    const d = dictAt(this.doc, ref, ctx.rev);
    if (d === undefined) {
      this.fail(ctx, 'ERR_PDF_MODIFIED', `${where} adds a form field that is not a dictionary`);
      return;
    }
    const t = d.get('T');
    const partial = t instanceof PdfString ? t.toText() : undefined;
    const name =
      partial === undefined ? parentName : parentName === '' ? partial : `${parentName}.${partial}`;
    const ft = d.getName('FT');
    const kids = arrayAt(this.doc, d.get('Kids'), ctx.rev) ?? [];
    const childFields = kids.filter(
      (k): k is PdfRef => k instanceof PdfRef && dictAt(this.doc, k, ctx.rev)?.has('T') === true,
    );
    for (const c of childFields) this.newFieldRule(ctx, c, name, depth + 1);
    if (childFields.length > 0) return;
    if (ft !== 'Sig') {
      this.refuse(
        ctx,
        `${where} adds the form field ${name} of type /${ft ?? 'none'} (only signature fields may be added after signing)`,
      );
      return;
    }
    const widgets = kids.filter((k): k is PdfRef => k instanceof PdfRef);
    if (widgets.length === 0) widgets.push(ref);
    let visible = false;
    for (const w of widgets) {
      ctx.newWidgets.add(w.num);
      const wd = dictAt(this.doc, w, ctx.rev);
      if (wd !== undefined && isVisibleWidget(this.doc, wd, ctx.rev) && wd.has('AP'))
        visible = true;
    }
    const v = d.get('V');
    if (v === undefined) {
      if (ctx.perms.docMdp === 1)
        this.refuse(
          ctx,
          `${where} adds the signature field ${name} to a document certified with no changes permitted`,
        );
      else if (visible)
        this.refuse(
          ctx,
          `${where} adds the empty signature field ${name} with a visible appearance`,
        );
      return;
    }
    const sig = this.newSignatureDictionary(ctx, v, name);
    if (sig === undefined) return;
    if (sig === 'timestamp' && !visible) return; // document time-stamps pass at every level (§3.7)
    if (ctx.perms.docMdp === 1) {
      this.refuse(
        ctx,
        `${where} adds the signature ${name} to a document certified with no changes permitted`,
      );
      return;
    }
    if (
      visible &&
      ctx.perms.certification &&
      !this.options.allowVisibleSignaturesAfterCertification
    )
      this.refuse(
        ctx,
        `${where} adds the visible signature field ${name} after certification (a sneaky-signature vector)`,
      );
  }

  /** Checks that `v` names a signature dictionary written in this revision. */
  private newSignatureDictionary(
    ctx: RuleContext,
    v: PdfValue | undefined,
    name: string,
  ): 'signature' | 'timestamp' | undefined {
    const where = `revision ${ctx.rev + 1}`;
    const sd = v instanceof PdfRef ? dictAt(this.doc, v, ctx.rev) : undefined;
    const type = sd?.getName('Type');
    const isTs = type === 'DocTimeStamp' || sd?.getName('SubFilter') === 'ETSI.RFC3161';
    if (sd === undefined || (type !== undefined && type !== 'Sig' && type !== 'DocTimeStamp')) {
      this.fail(
        ctx,
        'ERR_PDF_MODIFIED',
        `${where} sets the value of ${name} to something that is not a signature`,
      );
      return undefined;
    }
    const defined = this.doc.revisions[ctx.rev]!.sections.some((s) =>
      s.entries.has((v as PdfRef).num),
    );
    if (!defined || generationAt(this.doc, (v as PdfRef).num, ctx.prev) !== undefined) {
      this.fail(
        ctx,
        'ERR_PDF_MODIFIED',
        `${where} points ${name} at a signature dictionary not written in that revision`,
      );
      return undefined;
    }
    return isTs ? 'timestamp' : 'signature';
  }

  /** A field or widget dictionary that existed before and changed. */
  private fieldRule(ctx: RuleContext, o: ChangedObject): void {
    const where = `revision ${ctx.rev + 1}`;
    const g = ctx.g;
    const info = g.nodes.get(o.num)!;
    const fieldNum = info.roles & Role.FIELD ? o.num : (g.widgetOwner.get(o.num) ?? o.num);
    const field: FieldRecord | undefined = g.fieldByNum.get(fieldNum);
    const a = dictOf(o.oldValue);
    const b = dictOf(o.newValue);
    const name = field?.name ?? String(fieldNum);
    if (a === undefined || b === undefined || field === undefined) {
      this.fail(
        ctx,
        'ERR_PDF_MODIFIED',
        `${where} replaces form field ${name} with a non-dictionary`,
      );
      return;
    }
    const keys = changedKeys(a, b);
    const isFieldDict = (info.roles & Role.FIELD) !== 0;
    if (keys.includes('Kids') && isFieldDict) {
      const before = arrayAt(this.doc, a.get('Kids'), ctx.prev) ?? [];
      const after = arrayAt(this.doc, b.get('Kids'), ctx.rev) ?? [];
      this.fieldListRule(ctx, before, after, name);
    }
    const other = keys.filter((k) => k !== 'Kids' && !VALUE_UPDATE_KEYS.has(k));
    if (other.length > 0) {
      this.fail(
        ctx,
        'ERR_PDF_MODIFIED',
        `${where} changes ${other.map((k) => `/${k}`).join(', ')} of form field ${name}`,
      );
      return;
    }
    if (keys.every((k) => k === 'Kids')) return;
    if (field.type === 'Sig') {
      const signedBefore = field.value !== undefined && field.value !== null;
      if (signedBefore) {
        this.fail(ctx, 'ERR_PDF_MODIFIED', `${where} changes the signed signature field ${name}`);
        return;
      }
      const newValue = isFieldDict ? b.get('V') : undefined;
      if (newValue === undefined && !ctx.touchedFields.has(fieldNum)) {
        this.fail(
          ctx,
          'ERR_PDF_MODIFIED',
          `${where} changes the empty signature field ${name} without signing it`,
        );
        return;
      }
      if (newValue !== undefined) {
        const kind = this.newSignatureDictionary(ctx, newValue, name);
        if (kind === undefined) return;
        if (kind === 'signature' && ctx.perms.docMdp === 1) {
          this.refuse(
            ctx,
            `${where} signs ${name} in a document certified with no changes permitted`,
          );
          return;
        }
      }
    } else if (ctx.perms.docMdp === 1) {
      this.refuse(
        ctx,
        `${where} fills in the form field ${name} of a document certified with no changes permitted`,
      );
      return;
    }
    if (ctx.perms.isLocked(name)) {
      this.fail(ctx, 'ERR_PDF_FIELD_LOCKED', `${where} changes the locked form field ${name}`);
      return;
    }
    ctx.touchedFields.add(fieldNum);
    // A field filled now must not share its old appearance with signed content (pyHanko's "sneaky" files).
    for (const [num, n] of g.nodes)
      if (n.roles & Role.AP && n.owners?.has(fieldNum) === true && n.protected)
        this.fail(
          ctx,
          'ERR_PDF_MODIFIED',
          `${where} updates form field ${name}, whose appearance object ${num} is also used by signed content`,
        );
  }

  private pageRule(ctx: RuleContext, o: ChangedObject): void {
    const where = `revision ${ctx.rev + 1}`;
    const a = dictOf(o.oldValue);
    const b = dictOf(o.newValue);
    if (a === undefined || b === undefined) {
      this.fail(ctx, 'ERR_PDF_MODIFIED', `${where} replaces page object ${o.num}`);
      return;
    }
    this.pageDictRule(ctx, a, b, `page object ${o.num}`);
  }

  private pageDictRule(ctx: RuleContext, a: PdfDict, b: PdfDict, label: string): void {
    const where = `revision ${ctx.rev + 1}`;
    for (const k of changedKeys(a, b)) {
      if (k !== 'Annots') {
        this.fail(ctx, 'ERR_PDF_MODIFIED', `${where} changes /${k} of ${label}`);
        continue;
      }
      const x = a.get('Annots');
      const y = b.get('Annots');
      if (x instanceof PdfRef && y instanceof PdfRef && x.equals(y)) continue;
      if (y instanceof PdfRef) ctx.judged.add(y.num);
      this.annotListRule(ctx, arrayAt(this.doc, x, ctx.prev), arrayAt(this.doc, y, ctx.rev));
    }
  }

  /** A page tree node (or an indirect /Kids array) changed: only direct kid pages' /Annots may. */
  private pageNodeRule(ctx: RuleContext, o: ChangedObject): void {
    const where = `revision ${ctx.rev + 1}`;
    const kidsOf = (v: PdfValue | undefined): PdfValue | undefined =>
      v instanceof PdfDict ? v.get('Kids') : v;
    const a = dictOf(o.oldValue);
    const b = dictOf(o.newValue);
    if (a !== undefined && b !== undefined) {
      const other = changedKeys(a, b).filter((k) => k !== 'Kids');
      if (other.length > 0) {
        this.fail(ctx, 'ERR_PDF_MODIFIED', `${where} changes the page tree (object ${o.num})`);
        return;
      }
    }
    const ka = kidsOf(o.oldValue);
    const kb = kidsOf(o.newValue);
    if (!Array.isArray(ka) || !Array.isArray(kb) || ka.length !== kb.length) {
      if (!sameValue(ka, kb))
        this.fail(ctx, 'ERR_PDF_MODIFIED', `${where} changes the page tree (object ${o.num})`);
      return;
    }
    ka.forEach((x, i) => {
      const y = kb[i];
      if (sameValue(x, y)) return;
      if (x instanceof PdfDict && y instanceof PdfDict)
        this.pageDictRule(ctx, x, y, `a page in object ${o.num}`);
      else this.fail(ctx, 'ERR_PDF_MODIFIED', `${where} changes the page tree (object ${o.num})`);
    });
  }

  /** /Annots of a page: nothing may go; new entries must be widgets of new signature fields (or markup at P=3). */
  private annotListRule(
    ctx: RuleContext,
    oldList: readonly PdfObject[] | undefined,
    newList: readonly PdfObject[] | undefined,
  ): void {
    const where = `revision ${ctx.rev + 1}`;
    const a = oldList ?? [];
    const b = newList ?? [];
    const inB = (x: PdfObject): boolean => b.some((y) => sameValue(x, y));
    const inA = (y: PdfObject): boolean => a.some((x) => sameValue(x, y));
    for (const x of a)
      if (!inB(x)) {
        const num = x instanceof PdfRef ? x.num : undefined;
        const isSigWidget =
          num !== undefined &&
          ctx.g.fieldByNum.get(ctx.g.widgetOwner.get(num) ?? -1)?.type === 'Sig';
        this.fail(
          ctx,
          isSigWidget ? 'ERR_PDF_SIGNATURE_REMOVED' : 'ERR_PDF_MODIFIED',
          `${where} removes annotation ${num ?? '(direct)'} from a page`,
        );
      }
    for (const y of b) {
      if (inA(y)) continue;
      if (!(y instanceof PdfRef)) {
        this.annotationChanged(ctx, y, `${where} adds a direct annotation`);
        continue;
      }
      if (ctx.newWidgets.has(y.num)) continue;
      const owner = ctx.g.widgetOwner.get(y.num);
      if (owner !== undefined && ctx.touchedFields.has(owner)) continue;
      const d = dictAt(this.doc, y, ctx.rev);
      this.annotationChanged(
        ctx,
        d,
        `${where} adds annotation ${y.num}${d ? ` (${describe(d)})` : ''}`,
      );
    }
  }

  /** An annotation created or modified: accepted only at DocMDP P=3 and only for markup that cannot paint over content. */
  private annotationChanged(ctx: RuleContext, value: PdfValue | undefined, message: string): void {
    const d = dictOf(value);
    const subtype = d?.getName('Subtype');
    if (ctx.perms.docMdp === 3 && subtype !== undefined && SAFE_ANNOTATIONS.has(subtype)) return;
    this.refuse(ctx, `${message} after signing`);
  }

  /** Appearance streams, their resources and field values: only for fields filled or signed in this revision. */
  private ownedRule(ctx: RuleContext, o: ChangedObject, owners: Set<number> | undefined): void {
    const where = `revision ${ctx.rev + 1}`;
    for (const f of owners ?? []) {
      if (ctx.touchedFields.has(f)) continue;
      const field = ctx.g.fieldByNum.get(f);
      if (
        field !== undefined &&
        field.type !== 'Sig' &&
        ctx.perms.docMdp !== 1 &&
        !ctx.perms.isLocked(field.name)
      )
        continue; // regenerating a fillable field's appearance is form filling
      this.fail(
        ctx,
        'ERR_PDF_MODIFIED',
        `${where} changes object ${o.num}, the appearance or value of field ${field?.name ?? f}`,
      );
    }
  }
}

function dictOf(v: PdfValue | undefined): PdfDict | undefined {
  return v instanceof PdfDict ? v : undefined;
}

function asArray(v: PdfValue | undefined): PdfObject[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

/** The fields as of a revision, for callers that need names (FieldMDP). */
export { walkForm };
