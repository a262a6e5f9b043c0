/**
 * Checks of a licence face PDF beyond its signatures (those are `verifySealedPdf`'s): the seal
 * signer's certificate, the attached signed licence data (/AF and the EmbeddedFiles name tree,
 * ISO 32000-2 §7.11.4) and the face content (the page text and the QR code).
 * @module
 */
import { findSignerCertificate, parseCms } from '../cms/index.js';
import {
  extractGlyphs,
  getAcroForm,
  getPage,
  PdfDict,
  PdfRef,
  PdfStream,
  PdfString,
  type PdfDocument,
  type PdfObject,
} from '../pdf/index.js';
import type { Certificate } from '../pki/index.js';
import { layoutFace } from './face/layout.js';
import { readQrContent } from './face/qr.js';
import { licenceDigest } from './issue.js';
import type { LicenceData } from './licence-data.js';
import type { LicenceType } from './licence-type.js';
import { parseSignedLicence, type SignedLicence } from './signed-data.js';

/** A finding with a stable code. */
export interface FaceIssue {
  readonly code: string;
  readonly message: string;
}

/** Largest attached file read (bytes). */
const MAX_ATTACHMENT = 4 * 1024 * 1024;

/** The DER length of the CMS at the start of /Contents (the rest is zero padding). */
function derPrefix(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x30) return bytes;
  const first = bytes[1]!;
  if (first < 0x80) return bytes.subarray(0, 2 + first);
  const n = first & 0x7f;
  if (n === 0 || n > 4 || bytes.length < 2 + n) return bytes;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + bytes[2 + i]!;
  return bytes.subarray(0, Math.min(bytes.length, 2 + n + len));
}

/**
 * The signer's certificate of the signature in field `fieldName` (fully qualified name), read
 * from its CMS; undefined when there is no such field or no readable CMS. Used only to compare
 * the seal signer with the data signer: `verifySealedPdf` has checked the signature itself.
 */
export function signatureCertificate(doc: PdfDocument, fieldName: string): Certificate | undefined {
  const field = getAcroForm(doc)?.signatureFields.find((f) => f.name === fieldName);
  if (field?.value == null) return undefined;
  const contents = doc.resolveDict(field.value)?.get('Contents');
  const bytes = doc.resolve(contents);
  if (!(bytes instanceof PdfString)) return undefined;
  try {
    const cms = parseCms(derPrefix(bytes.bytes));
    const si = cms.signerInfos[0];
    return si === undefined ? undefined : findSignerCertificate(si.sid, cms.certificates);
  } catch {
    return undefined;
  }
}

/** The organisation (O) of an RFC 4514 subject string. */
export function organisationOf(subject: string): string | undefined {
  const m = /(?:^|,)O=((?:\\.|[^,\\])*)/.exec(subject);
  return m?.[1]?.replace(/\\(.)/g, '$1');
}

/** A signed licence file attached to the face. */
export interface FaceAttachmentFound {
  readonly name: string;
  readonly relationship: string | null;
  readonly bytes: Uint8Array;
  readonly signed: SignedLicence;
}

/** Filespecs of the catalog's /AF and EmbeddedFiles name tree (deduplicated, bounded). */
function fileSpecs(doc: PdfDocument): PdfDict[] {
  const cat = doc.catalog;
  const refs = new Map<string, PdfDict>();
  const add = (v: PdfObject | undefined): void => {
    const d = doc.resolveDict(v);
    if (d === undefined || refs.size > 100) return;
    refs.set(v instanceof PdfRef ? v.key : `direct:${refs.size}`, d);
  };
  for (const v of doc.resolveArray(cat.get('AF')) ?? []) add(v);
  const walk = (node: PdfDict | undefined, depth: number): void => {
    if (node === undefined || depth > 8) return;
    const names = doc.resolveArray(node.get('Names')) ?? [];
    for (let i = 1; i < names.length; i += 2) add(names[i]);
    for (const kid of doc.resolveArray(node.get('Kids')) ?? [])
      walk(doc.resolveDict(kid), depth + 1);
  };
  walk(doc.resolveDict(doc.resolveDict(cat.get('Names'))?.get('EmbeddedFiles')), 0);
  return [...refs.values()];
}

/**
 * The signed licence files attached to the face (as a reader sees the document now): every
 * embedded file that is a `govtrust-signed-licence/1` file, distinct by content.
 */
export function findLicenceAttachments(doc: PdfDocument): FaceAttachmentFound[] {
  const out: FaceAttachmentFound[] = [];
  for (const spec of fileSpecs(doc)) {
    const ef = doc.resolveDict(spec.get('EF'));
    const stream = doc.resolve(ef?.get('UF') ?? ef?.get('F'));
    if (!(stream instanceof PdfStream)) continue;
    let bytes: Uint8Array;
    try {
      bytes = doc.decode(stream);
    } catch {
      continue;
    }
    if (bytes.length > MAX_ATTACHMENT) continue;
    let signed: SignedLicence;
    try {
      signed = parseSignedLicence(bytes);
    } catch {
      continue;
    }
    if (out.some((o) => Buffer.compare(o.bytes, bytes) === 0)) continue;
    const nameObj = doc.resolve(spec.get('UF') ?? spec.get('F'));
    out.push({
      name: nameObj instanceof PdfString ? nameObj.toText() : '',
      relationship: spec.getName('AFRelationship') ?? null,
      bytes,
      signed,
    });
  }
  return out;
}

/** What the face shows, compared with the data. */
export interface FaceContentReport {
  readonly missing: readonly string[];
  readonly qr: { readonly found: boolean; readonly url?: string; readonly matches: boolean };
}

/**
 * Compares the first page with the data: every value the type's layout draws (or, without a
 * layout, the holder, number, identifier and issuer) must be in the page text, and a QR code on
 * the page must decode to a URL with this identifier and this data's digest (`verificationUrl`,
 * when given, must be its base).
 */
export function checkFaceContent(
  doc: PdfDocument,
  data: LicenceData,
  options: { readonly type?: LicenceType; readonly verificationUrl?: string },
): FaceContentReport {
  const page = getPage(doc, 0);
  const text = extractGlyphs(doc, page)
    .map((g) => g.text)
    .join('')
    .replace(/\s+/gu, '');
  let expected: readonly string[] = [
    data.holder.name,
    data.number,
    data.identifier,
    data.issuer.name,
  ];
  if (options.type?.face?.layout !== undefined && options.type.typeCode === data.typeCode) {
    try {
      expected = layoutFace(data, options.type).values;
    } catch {
      // A layout that no longer fits these values: the fixed list still applies.
    }
  }
  const missing = [...new Set(expected)].filter((v) => !text.includes(v.replace(/\s+/gu, '')));
  // QR codes are form XObjects of module rectangles (see face/qr.ts).
  const xobjects = doc.resolveDict(page.resources?.get('XObject'));
  let found = false;
  let url: string | undefined;
  let matches = false;
  for (const [, v] of xobjects?.entries() ?? []) {
    const s = doc.resolve(v);
    if (!(s instanceof PdfStream) || s.dict.getName('Subtype') !== 'Form') continue;
    const bbox = doc.resolveArray(s.dict.get('BBox'))?.map((x) => doc.resolve(x));
    const side = bbox?.[2];
    if (typeof side !== 'number') continue;
    let content: string;
    try {
      content = Buffer.from(doc.decode(s)).toString('latin1');
    } catch {
      continue;
    }
    const decoded = readQrContent(content, side);
    if (decoded === undefined) continue;
    found = true;
    url = decoded;
    matches = qrMatches(decoded, data, options.verificationUrl);
    if (matches) break;
  }
  return { missing, qr: { found, ...(url === undefined ? {} : { url }), matches } };
}

function qrMatches(text: string, data: LicenceData, base: string | undefined): boolean {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return false;
  }
  if (u.searchParams.get('id') !== data.identifier) return false;
  if (u.searchParams.get('d') !== licenceDigest(data)) return false;
  if (base !== undefined) {
    const b = new URL(base);
    if (u.origin !== b.origin || u.pathname !== b.pathname) return false;
  }
  return true;
}
