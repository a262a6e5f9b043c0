/**
 * Checks of a licence face PDF: its PAdES seal signatures (ISO 32000-1 §12.8.1 ByteRange, CMS
 * over it, the signer's path, the signature time-stamp, the GB/T 38540 seal attribute), what
 * changed after the seal (incremental updates, §7.5.6), the attached signed licence data (/AF and
 * the EmbeddedFiles name tree, §7.11.4) and the face content (the page text and the QR code).
 * @module
 */
import { parseCms, verifyCms, type ParsedCms } from '../cms/index.js';
import { createHasher, digest, type HashAlgorithm } from '../crypto/index.js';
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
import {
  parseTstInfo,
  validatePath,
  verifyTimestampToken,
  type Certificate,
  type RevocationSource,
  type TrustStore,
} from '../pki/index.js';
import {
  checkSealBinding,
  SEAL_ATTRIBUTE_OID,
  type SealBindingSummary,
  type SealStatusSource,
} from '../seal/index.js';
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

/** One seal signature of a face, in the shape of DESIGN.md §4 `signatures[]`. */
export interface FaceSignatureReport {
  readonly field: string;
  /** The revision the signature covers (0-based), or null when its ByteRange ends at none. */
  readonly revision: number | null;
  readonly subFilter: string | null;
  readonly status: 'valid' | 'invalid' | 'indeterminate';
  readonly intact: boolean;
  readonly coverage: 'entire-file' | 'entire-revision' | 'partial';
  readonly modifications: 'none' | 'allowed' | 'disallowed';
  readonly trusted: boolean;
  readonly revocation: 'good' | 'revoked' | 'unknown' | 'not-checked';
  readonly level: 'B-B' | 'B-T' | null;
  readonly algorithm: string | null;
  readonly signer: {
    readonly subject: string;
    readonly issuer: string;
    readonly serialNumber: string;
  } | null;
  readonly signingTime: string | null;
  readonly timestamp: {
    readonly time: string;
    readonly tsa: string;
    readonly valid: boolean;
  } | null;
  readonly seal: SealBindingSummary | null;
  readonly errors: readonly FaceIssue[];
  readonly warnings: readonly FaceIssue[];
}

/** A signature report and, for the caller's checks, the signer's certificate. */
export interface CheckedFaceSignature {
  readonly report: FaceSignatureReport;
  readonly certificate: Certificate | undefined;
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

/** The organisation (O) of an RFC 4514 subject string. */
export function organisationOf(subject: string): string | undefined {
  const m = /(?:^|,)O=((?:\\.|[^,\\])*)/.exec(subject);
  return m?.[1]?.replace(/\\(.)/g, '$1');
}

/** The catalog of revision `r`. */
function catalogAt(doc: PdfDocument, r: number): PdfDict | undefined {
  const root = doc.revisions[r]?.trailer.get('Root');
  return root instanceof PdfRef ? doc.resolveDict(doc.getObject(root, r), r) : undefined;
}

/** Catalog keys an update after the seal may change: document security store (PAdES B-LT/LTA). */
const ALLOWED_CATALOG_KEYS = new Set(['DSS', 'Extensions']);

function sameObject(a: PdfObject | undefined, b: PdfObject | undefined): boolean {
  if (a instanceof PdfRef && b instanceof PdfRef) return a.equals(b);
  return JSON.stringify(simplify(a)) === JSON.stringify(simplify(b));
}

function simplify(v: PdfObject | undefined, depth = 0): unknown {
  if (depth > 32) return '…';
  if (v instanceof PdfRef) return `ref:${v.key}`;
  if (v instanceof PdfString) return `str:${Buffer.from(v.bytes).toString('hex')}`;
  if (v instanceof PdfDict)
    return Object.fromEntries([...v.entries()].map(([k, x]) => [k, simplify(x, depth + 1)]));
  if (Array.isArray(v)) return v.map((x) => simplify(x, depth + 1));
  return v === undefined ? null : typeof v === 'object' && v !== null ? v.toString() : v;
}

/**
 * What the updates after revision `r` changed: `none`, `allowed` (new objects reachable only
 * through a catalog /DSS: validation data) or `disallowed` (any existing object changed or freed,
 * or catalog entries other than /DSS and /Extensions).
 */
export function modificationsAfter(
  doc: PdfDocument,
  r: number,
): { readonly verdict: 'none' | 'allowed' | 'disallowed'; readonly changed: readonly number[] } {
  if (r >= doc.revisions.length - 1) return { verdict: 'none', changed: [] };
  const before = doc.entriesAt(r);
  const rootRef = doc.revisions[r]!.trailer.get('Root');
  const changed = new Set<number>();
  let disallowed = false;
  for (let k = r + 1; k < doc.revisions.length; k++) {
    const rootNow = doc.revisions[k]!.trailer.get('Root');
    if (!(rootNow instanceof PdfRef) || !(rootRef instanceof PdfRef) || !rootNow.equals(rootRef))
      disallowed = true;
    for (const section of doc.revisions[k]!.sections) {
      for (const [num, entry] of section.entries) {
        const prev = before.get(num);
        if (prev === undefined || prev.type === 'free') continue; // a new object
        changed.add(num);
        if (entry.type === 'free' || !(rootRef instanceof PdfRef) || num !== rootRef.num) {
          disallowed = true;
          continue;
        }
        const old = catalogAt(doc, r);
        const now = catalogAt(doc, k);
        if (old === undefined || now === undefined) {
          disallowed = true;
          continue;
        }
        const keys = new Set([...old.map.keys(), ...now.map.keys()]);
        for (const key of keys) {
          if (!ALLOWED_CATALOG_KEYS.has(key) && !sameObject(old.get(key), now.get(key)))
            disallowed = true;
        }
      }
    }
  }
  return { verdict: disallowed ? 'disallowed' : 'allowed', changed: [...changed] };
}

/** Options of `checkFaceSignatures`. */
export interface FaceSignatureOptions {
  readonly trust: TrustStore;
  readonly now: Date;
  readonly revocation?: RevocationSource;
  /** Where the lifecycle state of bound GB/T 38540 seals comes from. */
  readonly sealStatus?: SealStatusSource;
  /** More CA certificates (DER) for paths: e.g. the seal maker's issuing CA, which a seal does not carry. */
  readonly intermediates?: readonly Uint8Array[];
}

/**
 * Verifies every signed signature field of the face: ByteRange shape, CMS over the ranges,
 * coverage, changes after it, the signer's path (document signing) at `now`, the signature
 * time-stamp and the GB/T 38540 seal attribute. Oldest signature first.
 */
export async function checkFaceSignatures(
  doc: PdfDocument,
  options: FaceSignatureOptions,
): Promise<CheckedFaceSignature[]> {
  const form = getAcroForm(doc);
  const out: CheckedFaceSignature[] = [];
  for (const field of form?.signatureFields ?? []) {
    if (field.value === null) continue;
    const sig = doc.resolveDict(field.value);
    if (sig === undefined) continue;
    out.push(await checkSignature(doc, field.name, sig, options));
  }
  return out.sort((a, b) => (a.report.revision ?? 1e9) - (b.report.revision ?? 1e9));
}

async function checkSignature(
  doc: PdfDocument,
  fieldName: string,
  sig: PdfDict,
  options: FaceSignatureOptions,
): Promise<CheckedFaceSignature> {
  const errors: FaceIssue[] = [];
  const warnings: FaceIssue[] = [];
  const bytes = doc.bytes;
  const subFilter = sig.getName('SubFilter') ?? null;
  const range = (doc.resolveArray(sig.get('ByteRange')) ?? []).map((v) => doc.resolve(v));
  const contents = doc.resolve(sig.get('Contents'));
  const m = doc.resolve(sig.get('M'));
  const base = {
    field: fieldName,
    subFilter,
    trusted: false,
    revocation: 'not-checked' as const,
    algorithm: null,
    signer: null,
    timestamp: null,
    seal: null,
  };
  const broken = (message: string): CheckedFaceSignature => ({
    report: {
      ...base,
      revision: null,
      status: 'invalid',
      intact: false,
      coverage: 'partial',
      modifications: 'none',
      level: null,
      signingTime: null,
      errors: [{ code: 'ERR_LICENCE_FACE_SEAL_INVALID', message }],
      warnings,
    },
    certificate: undefined,
  });
  if (
    range.length !== 4 ||
    !range.every((v): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0)
  )
    return broken('The signature has no valid /ByteRange');
  const [a0, a, b, c] = range as [number, number, number, number];
  if (a0 !== 0 || a >= b || b + c > bytes.length || bytes[a] !== 0x3c || bytes[b - 1] !== 0x3e)
    return broken(`The /ByteRange [${range.join(' ')}] does not frame /Contents`);
  if (!(contents instanceof PdfString)) return broken('The signature has no /Contents');
  if (subFilter !== 'ETSI.CAdES.detached' && subFilter !== 'adbe.pkcs7.detached') {
    return broken(`Unsupported /SubFilter ${subFilter ?? '(none)'} for a licence seal`);
  }
  const end = b + c;
  const revision = doc.revisions.findIndex((r) => r.end === end);
  const coverage =
    end === bytes.length ? 'entire-file' : revision >= 0 ? 'entire-revision' : 'partial';
  const mods =
    revision >= 0 ? modificationsAfter(doc, revision) : { verdict: 'disallowed' as const };
  let cms: ParsedCms;
  try {
    cms = parseCms(derPrefix(contents.bytes));
  } catch (err) {
    return broken(`/Contents is not CMS: ${(err as Error).message}`);
  }
  const si = cms.signerInfos[0];
  const alg: HashAlgorithm | null = si?.digestAlgorithm ?? null;
  const v = verifyCms(cms, {
    digestFromStream: (h) => {
      const hasher = createHasher(h);
      hasher.update(bytes.subarray(0, a));
      hasher.update(bytes.subarray(b, end));
      return new Uint8Array(hasher.digest());
    },
  });
  const intact = v.intact && alg !== null;
  if (!intact) {
    errors.push({
      code: 'ERR_LICENCE_FACE_SEAL_INVALID',
      message: `The seal signature does not match the document${v.errors[0] === undefined ? '' : ` (${v.errors[0].code}: ${v.errors[0].message})`}`,
    });
  }
  if (coverage === 'partial')
    errors.push({
      code: 'ERR_LICENCE_FACE_COVERAGE',
      message: 'The seal covers only part of a revision',
    });
  if (mods.verdict === 'disallowed')
    errors.push({
      code: 'ERR_LICENCE_FACE_MODIFIED',
      message: 'The face was changed after this seal (objects redefined by a later update)',
    });
  const cert = v.signerCertificate;
  let trusted = false;
  let revocation: FaceSignatureReport['revocation'] = 'not-checked';
  let indeterminate = false;
  if (cert !== undefined) {
    const path = await validatePath({
      certificate: cert,
      intermediates: [...cms.certificates, ...(options.intermediates ?? [])],
      trust: options.trust,
      at: options.now,
      purpose: 'document-signing',
      ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
    });
    trusted = path.trusted;
    revocation = path.revocation;
    if (path.status !== 'valid') {
      const first = path.errors[0];
      const issue = {
        code: 'ERR_LICENCE_SEAL_UNTRUSTED',
        message: `The seal signer's certificate is not trusted${first === undefined ? '' : `: ${first.code} ${first.message}`}`,
      };
      if (path.status === 'invalid') errors.push(issue);
      else {
        warnings.push(issue);
        indeterminate = true;
      }
    }
  }
  // Time-stamp over the signature value (PAdES B-T).
  let timestamp: FaceSignatureReport['timestamp'] = null;
  const token = si?.timestampTokens[0];
  if (token !== undefined && si !== undefined) {
    try {
      const info = parseTstInfo(parseCms(token).encapsulatedContent ?? new Uint8Array(0));
      const h = info.hashAlgorithm;
      const r =
        h === null
          ? undefined
          : await verifyTimestampToken(token, {
              digest: digest(h, si.signatureValue),
              hashAlgorithm: h,
              trust: options.trust,
              now: options.now,
            });
      timestamp = {
        time: (r?.time ?? info.genTime).toISOString(),
        tsa: r?.tsa ?? '',
        valid: r?.valid === true,
      };
      if (r?.valid !== true) {
        errors.push({
          code: 'ERR_LICENCE_TIMESTAMP_INVALID',
          message: `The seal's time-stamp does not verify${r?.errors[0] === undefined ? '' : `: ${r.errors[0].code}`}`,
        });
      }
    } catch (err) {
      errors.push({
        code: 'ERR_LICENCE_TIMESTAMP_INVALID',
        message: `The seal's time-stamp cannot be read: ${(err as Error).message}`,
      });
    }
  }
  const claimed = m instanceof PdfString ? parsePdfDate(m.toText()) : undefined;
  const signingTime = timestamp !== null && timestamp.valid ? new Date(timestamp.time) : claimed;
  // The GB/T 38540 seal carried as a signed attribute (GovTrust binding).
  let seal: FaceSignatureReport['seal'] = null;
  const attr = si?.signedAttributes.find((x) => x.oid === SEAL_ATTRIBUTE_OID);
  if (attr !== undefined && cert !== undefined) {
    try {
      if (attr.values.length !== 1) throw new Error('the seal attribute has not exactly one value');
      const r = await checkSealBinding({
        sealDer: attr.values[0]!,
        signerCertificate: cert,
        signingTime: signingTime ?? options.now,
        signingTimeProven: timestamp?.valid === true,
        trust: options.trust,
        now: options.now,
        intermediates: [...cms.certificates, ...(options.intermediates ?? [])],
        ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
        ...(options.sealStatus === undefined ? {} : { sealStatus: options.sealStatus }),
      });
      seal = r.seal;
      if (r.status === 'invalid') {
        const first = r.errors[0];
        errors.push({
          code: 'ERR_LICENCE_SEAL_INVALID',
          message: `The bound seal ${r.seal.esID} (${r.seal.name}) is not valid${first === undefined ? '' : `: ${first.code} ${first.message}`}`,
        });
      } else if (r.status === 'indeterminate') indeterminate = true;
      for (const e of r.status === 'invalid' ? r.errors.slice(1) : r.errors)
        warnings.push({ code: e.code, message: e.message });
      for (const w of r.warnings) warnings.push({ code: w.code, message: w.message });
    } catch (err) {
      errors.push({
        code: 'ERR_LICENCE_SEAL_INVALID',
        message: `The seal attribute cannot be read: ${(err as Error).message}`,
      });
    }
  }
  const status: FaceSignatureReport['status'] =
    errors.length > 0 ? 'invalid' : indeterminate || cert === undefined ? 'indeterminate' : 'valid';
  return {
    report: {
      ...base,
      revision: revision >= 0 ? revision : null,
      status,
      intact,
      coverage,
      modifications: mods.verdict,
      trusted,
      revocation,
      level: token === undefined ? 'B-B' : 'B-T',
      algorithm: v.algorithm,
      signer:
        cert === undefined
          ? null
          : { subject: cert.subject, issuer: cert.issuer, serialNumber: cert.serialNumber },
      signingTime: signingTime?.toISOString() ?? null,
      timestamp,
      seal,
      errors,
      warnings,
    },
    certificate: cert,
  };
}

/** A PDF date (§7.9.4) `D:YYYYMMDDHHmmSS+HH'mm'` as a Date, or undefined. */
export function parsePdfDate(s: string): Date | undefined {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?'?$/.exec(
    s.trim(),
  );
  if (m === null) return undefined;
  const n = (i: number, d: number): number => (m[i] === undefined ? d : Number(m[i]));
  let t = Date.UTC(n(1, 0), n(2, 1) - 1, n(3, 1), n(4, 0), n(5, 0), n(6, 0));
  const sign = m[7] === '+' ? 1 : m[7] === '-' ? -1 : 0;
  t -= sign * (n(8, 0) * 60 + n(9, 0)) * 60_000;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d;
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
