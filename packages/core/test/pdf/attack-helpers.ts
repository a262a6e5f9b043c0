/**
 * Attack generators for the verifier tests (pdf-signing.md §3.1-3.5): incremental updates written
 * with the project's writer, hand-made xref sections that re-point or free objects, signature
 * dictionaries with missing or forged parts, and signature wrapping.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import {
  getAcroForm,
  getPages,
  IncrementalWriter,
  openPdf,
  PdfDict,
  PdfName,
  PdfRef,
  PdfStream,
  PdfString,
  type PdfDocument,
  type PdfObject,
} from '../../src/pdf/index.js';
import { objectToBytes } from '../../src/pdf/serialize.js';

const name = (n: string): PdfName => PdfName.of(n);

/** Appends one incremental update made by `edit` with the project's writer. */
export function appendUpdate(
  pdf: Uint8Array,
  edit: (w: IncrementalWriter, doc: PdfDocument) => void,
): Uint8Array {
  const doc = openPdf(pdf);
  const w = new IncrementalWriter(doc);
  edit(w, doc);
  return w.write().bytes;
}

/** One entry of a hand-made xref section. */
export type RawEntry =
  | { readonly num: number; readonly offset: number; readonly gen?: number }
  | { readonly num: number; readonly free: true; readonly gen?: number };

/**
 * Appends a hand-made revision: `body` (may be empty), then a classic xref section with exactly
 * `entries` (offsets are absolute; `bodyAt` gives where the body starts), then the previous
 * trailer's keys with /Prev. Used for re-pointing and freeing that no honest writer produces.
 */
export function appendRawRevision(
  pdf: Uint8Array,
  body: (bodyAt: number) => string,
  entries: (bodyAt: number) => readonly RawEntry[],
  options: { size?: number } = {},
): Uint8Array {
  const doc = openPdf(pdf);
  const sep = pdf[pdf.length - 1] === 0x0a ? '' : '\n';
  const bodyAt = pdf.length + sep.length;
  const text = body(bodyAt);
  const xrefAt = bodyAt + Buffer.byteLength(text, 'latin1');
  const list = [{ num: 0, free: true as const, gen: 65535 }, ...entries(bodyAt)].sort(
    (a, b) => a.num - b.num,
  );
  let xref = 'xref\n';
  for (const e of list) {
    xref += `${e.num} 1\n`;
    xref +=
      'free' in e
        ? `${'0'.repeat(10)} ${String(e.gen ?? 1).padStart(5, '0')} f \n`
        : `${String(e.offset).padStart(10, '0')} ${String(e.gen ?? 0).padStart(5, '0')} n \n`;
  }
  const t = new PdfDict(doc.trailer.entries());
  t.set('Prev', doc.startxref);
  t.delete('XRefStm');
  if (options.size !== undefined) t.set('Size', options.size);
  const trailer = Buffer.from(objectToBytes(t)).toString('latin1');
  const tail = `${xref}trailer\n${trailer}\nstartxref\n${xrefAt}\n%%EOF\n`;
  return new Uint8Array(
    Buffer.concat([Buffer.from(pdf), Buffer.from(sep + text + tail, 'latin1')]),
  );
}

/** The offset of `n 0 obj` in the newest revision's view. */
export function offsetOf(pdf: Uint8Array, num: number): number {
  const e = openPdf(pdf).entry(num);
  if (e?.type !== 'offset') throw new Error(`object ${num} is not at an offset`);
  return e.offset;
}

/** The first page's reference and dictionary. */
export function firstPage(doc: PdfDocument): { ref: PdfRef; dict: PdfDict } {
  const p = getPages(doc)[0]!;
  return { ref: p.ref!, dict: p.dict };
}

/**
 * Adds a signature field (invisible widget on page 1) whose value is a signature dictionary made
 * of `entries` (USF generators: leave parts out, null them, forge them).
 */
export function addSignatureField(
  pdf: Uint8Array,
  entries: Record<string, PdfObject | undefined>,
  fieldName = 'Forged',
): Uint8Array {
  return appendUpdate(pdf, (w, doc) => {
    const sig = new PdfDict();
    for (const [k, v] of Object.entries(entries)) if (v !== undefined) sig.set(k, v);
    const sigRef = w.add(sig);
    const page = firstPage(doc);
    const field = w.add(
      new PdfDict([
        ['Type', name('Annot')],
        ['Subtype', name('Widget')],
        ['FT', name('Sig')],
        ['T', PdfString.latin1(fieldName)],
        ['V', sigRef],
        ['Rect', [0, 0, 0, 0]],
        ['F', 132],
        ['P', page.ref],
      ]),
    );
    const pd = w.editDict(page.ref);
    const annots = pd.get('Annots');
    if (annots instanceof PdfRef) w.editArray(annots).push(field);
    else pd.set('Annots', [...(Array.isArray(annots) ? annots : []), field]);
    const form = getAcroForm(doc);
    const root = doc.trailer.get('Root') as PdfRef;
    if (form === null)
      w.editDict(root).set(
        'AcroForm',
        new PdfDict([
          ['Fields', [field]],
          ['SigFlags', 3],
        ]),
      );
    else if (form.fieldsRef !== null) w.editArray(form.fieldsRef).push(field);
    else {
      const fd =
        form.ref !== null ? w.editDict(form.ref) : (w.editDict(root).get('AcroForm') as PdfDict);
      fd.set('Fields', [...form.fields, field]);
    }
  });
}

/** A stream object from text. */
export function textStream(text: string, extra: [string, PdfObject][] = []): PdfStream {
  return new PdfStream(new PdfDict(extra), new Uint8Array(Buffer.from(text, 'latin1')));
}

/** A one-page PDF with a text field "Name" (pdf-lib, classic xref), for form-filling tests. */
export async function makeFormPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setCreationDate(new Date(Date.UTC(2026, 0, 1)));
  doc.setModificationDate(new Date(Date.UTC(2026, 0, 1)));
  const page = doc.addPage([595.28, 841.89]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText('Form with a name field', { x: 72, y: 760, size: 14, font });
  const field = doc.getForm().createTextField('Name');
  field.addToPage(page, { x: 72, y: 600, width: 200, height: 24, font });
  return doc.save({ useObjectStreams: false });
}
