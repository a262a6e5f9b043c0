/**
 * PAdES sealing (ETSI EN 319 142-1 B-B/B-T over ISO 32000-1 §12.8): a signature field with a
 * locked, printed widget (§12.5.3 /F 132) and seal appearance, a signature dictionary with
 * /SubFilter /ETSI.CAdES.detached whose /ByteRange covers the whole new revision, optional DocMDP
 * certification (§12.8.2.2), all written as one incremental update; digest streamed, never copied.
 * A GB/T 38540 seal is bound as a CMS signed attribute, or, in the compatibility mode, written as a
 * raw SES_Signature under /SubFilter /GM.sm2seal (docs/seal-binding.md).
 * @module
 */
import { cmsSizeBound, defaultDigestAlgorithm, signCms, type CmsAttribute } from '../cms/index.js';
import {
  createHasher,
  digest as hashBytes,
  type HashAlgorithm,
  type Signer,
} from '../crypto/index.js';
import {
  GovTrustError,
  InvalidInputError,
  KeyMismatchError,
  PdfImageError,
  PdfContentsOverflowError,
  PdfFieldExistsError,
  PdfKeywordNotFoundError,
  PdfPageOutOfRangeError,
  PdfPlacementError,
  PdfSelfCheckError,
  PdfSignaturePolicyError,
  PdfSignerCertificateError,
  SealEncodeError,
} from '../errors/index.js';
import { parseCertificate, type Certificate } from '../pki/certificate.js';
import type { TsaClient } from '../pki/tsa-client.js';
import {
  PDF_SES_FILTER,
  PDF_SES_SUBFILTER,
  SEAL_ATTRIBUTE_OID,
  createSealAttribute,
  parseSeal,
  prepareSesSignature,
  sealToPdfOperators,
  type PreparedSesSignature,
  type SealDrawing,
  type SesSeal,
} from '../seal/index.js';
import { assertSealUsable } from '../seal/create-ses-signature.js';
import { rasteriseSvg } from '../seal/image/render.js';
import { pdfSesPropertyInfo } from '../seal/pdf-binding.js';
import { openPdf, type OpenPdfOptions, type PdfDocument } from './document.js';
import {
  displayBoxToRect,
  displaySize,
  PT_PER_MM,
  uprightMatrix,
  userToDisplay,
  type DisplayBox,
} from './geometry.js';
import { embedImage, withSoftMask } from './images.js';
import { dict, name, PdfDict, PdfRef, PdfStream, PdfString } from './objects.js';
import {
  getAcroForm,
  getDocMdpPermission,
  getPage,
  getPageCount,
  getPages,
  type PdfPage,
  type PdfRect,
} from './pages.js';
import { ByteSink, formatNumber, writeObject } from './serialize.js';
import { findKeyword } from './text.js';
import { IncrementalWriter, RawBody, type WrittenUpdate } from './writer.js';

/** A vector seal picture: draws itself into a box (the seal image generator's `sealToPdfOperators`). */
export interface PdfVectorAppearance {
  /** Natural size of the drawing in millimetres (sets the default seal size and aspect). */
  readonly widthMm: number;
  readonly heightMm: number;
  /** A content-stream fragment that paints the seal inside [0 0 widthPt heightPt]. */
  toPdfOperators(box: { widthPt: number; heightPt: number }): string;
}

/** A PNG or JPEG picture, with its natural display size when known (a seal's picture has one). */
export interface PdfImageAppearance {
  readonly image: Uint8Array;
  /** Natural width in millimetres: the default seal width (otherwise 42 mm). */
  readonly widthMm?: number;
  /** Natural height in millimetres: with `widthMm`, sets the aspect (otherwise the pixels do). */
  readonly heightMm?: number;
}

/**
 * What the seal looks like: a PNG/JPEG picture, a seal drawing from `drawSeal` (vector, rendered
 * with `sealToPdfOperators`), any other vector drawing, or nothing (invisible seal).
 */
export type PdfSealAppearance =
  PdfImageAppearance | { readonly drawing: SealDrawing } | { readonly vector: PdfVectorAppearance };

/** Pictures stay pictures; `drawSeal` drawings become vector appearances. */
function normaliseAppearance(
  a: PdfSealAppearance,
): PdfImageAppearance | { readonly vector: PdfVectorAppearance } {
  if (!('drawing' in a)) return a;
  const drawing = a.drawing;
  return {
    vector: {
      widthMm: drawing.widthMm,
      heightMm: drawing.heightMm,
      toPdfOperators: (box) => sealToPdfOperators(drawing, box),
    },
  };
}

/**
 * Where the seal goes. Coordinates are those of the page as displayed: origin at the top-left
 * corner of the visible area (CropBox), x to the right, y downwards, after the page's /Rotate; the
 * seal is drawn upright as the reader sees the page. `x`/`y` give the seal's top-left corner.
 */
export type PdfSealPlacement =
  | {
      /** 1-based page number. */
      readonly page: number;
      readonly x: number;
      readonly y: number;
      /** Seal width; default: the drawing's natural width, or 42 mm for pictures. */
      readonly width?: number;
      /** Seal height; default: from the picture's aspect ratio. */
      readonly height?: number;
      /** Unit of x, y, width, height (default 'mm'). */
      readonly unit?: 'mm' | 'pt';
    }
  | {
      /** Text to find (关键字定位); the seal is centred on it. */
      readonly keyword: string;
      /** Which occurrence in document order, 1-based (default 1). */
      readonly occurrence?: number;
      /** Search only this 1-based page. */
      readonly page?: number;
      /** Shift from the keyword's centre, right and down (in `unit`). */
      readonly offsetX?: number;
      readonly offsetY?: number;
      readonly width?: number;
      readonly height?: number;
      readonly unit?: 'mm' | 'pt';
    }
  | {
      /** Riding seal (骑缝章): one signature, the picture sliced across the edge of pages from..to. */
      readonly riding: {
        /** 1-based inclusive page range (default: every page). */
        readonly pages?: readonly [number, number];
        readonly edge?: 'right';
        /** Distance of the seal's top from the top of each page (default: centred). */
        readonly y?: number;
        readonly width?: number;
        readonly height?: number;
        readonly unit?: 'mm' | 'pt';
      };
    };

/** Options of `preparePdfSeal` (CONTRACTS.md, pdf). */
export interface PdfSealOptions {
  /** Partial name of the new signature field (default Seal1, Seal2, ...). Must not contain '.'. */
  readonly fieldName?: string;
  readonly reason?: string;
  readonly location?: string;
  readonly contactInfo?: string;
  /** The signer's name for /Name (default: none; viewers show the certificate subject). */
  readonly signerName?: string;
  /** Signing time written in /M (PAdES keeps it out of the CMS). Default: now. */
  readonly now?: Date;
  /** 'B-B' (default) or 'B-T' (signature time-stamp; `sealPdf` needs a `tsa`). */
  readonly level?: 'B-B' | 'B-T';
  /** Make this a certification signature with DocMDP permission P (§12.8.2.2). */
  readonly certify?: 1 | 2 | 3;
  /** The seal picture; omitted: an invisible signature (/Rect [0 0 0 0]). */
  readonly appearance?: PdfSealAppearance;
  /** Where it goes; required with an appearance. */
  readonly placement?: PdfSealPlacement;
  /**
   * Add a visible seal to a certified (DocMDP P=2/3) document. Default false: the seal is refused
   * with ERR_PDF_MODIFICATION_NOT_ALLOWED, because strict verifiers (`verifySealedPdf` by default,
   * pyHanko) treat a new visible field after certification as a disallowed change.
   */
  readonly allowVisibleSignaturesAfterCertification?: boolean;
  /** Extra CMS signed attributes (the seal attribute is added by `seal`, not here). */
  readonly extraSignedAttributes?: readonly CmsAttribute[];
  /**
   * A GB/T 38540 seal (DER .esl bytes or parsed) to bind to this signature: carried as the signed
   * attribute `SEAL_ATTRIBUTE_OID` (or, with `format: 'gbt38540'`, inside the SES_Signature); its
   * picture becomes the appearance unless `appearance` is given. The signer (`signer`) must be in
   * its certList and the seal valid at `now`.
   */
  readonly seal?: Uint8Array | SesSeal;
  /**
   * 'pades' (default): a PAdES CMS (/SubFilter /ETSI.CAdES.detached). 'gbt38540': the
   * compatibility mode, a raw GB/T 38540 V4 SES_Signature in /Contents (/SubFilter
   * `PDF_SES_SUBFILTER`) with dataHash = SM3 of the ByteRange bytes; needs `seal` and an SM2 signer,
   * and excludes `certify`, B-T and extra CMS attributes.
   */
  readonly format?: 'pades' | 'gbt38540';
  /** Bytes to reserve for the CMS; default: a computed upper bound (needs `signer`). */
  readonly contentsSize?: number;
  /** The digest algorithm; default: the signer algorithm's (SM3 for SM2, SHA-512 for Ed25519). */
  readonly digestAlgorithm?: HashAlgorithm;
  /** The signer (or its description) used to size /Contents when `contentsSize` is not given. */
  readonly signer?: Pick<Signer, 'algorithm' | 'certificateChain' | 'publicKey'>;
  /** Size of the time-stamp token to reserve room for (B-T). */
  readonly timestampTokenBytes?: number;
  /** Reader options (e.g. allowHybrid). */
  readonly open?: OpenPdfOptions;
}

/** The compatibility-mode seal signature of a prepared seal: sign `toBeSigned` (or `digest` on a digest-signing device), then `finish`. */
export interface PreparedPdfSesSignature {
  /** DER TBS_Sign (dataHash = the prepared seal's `digest`, propertyInfo = the ByteRange). */
  readonly toBeSigned: Uint8Array;
  /** SM2 e = SM3(Z_A || TBS_Sign) for the signer's key and the standard ID: what a UKey signs. */
  readonly digest: Uint8Array;
  /** The signing time in TBS_Sign (the /M instant, whole seconds). */
  readonly signingTime: Date;
  /**
   * Wraps the signature value (DER `SEQUENCE { r, s }` or raw r || s) into the SES_Signature and
   * returns the sealed PDF.
   * @throws {SignerFailedError} ERR_SIGNER_FAILED when the value does not verify with the signer certificate
   * @throws {PdfContentsOverflowError} ERR_PDF_CONTENTS_OVERFLOW when it does not fit
   */
  finish(signatureValue: Uint8Array): Uint8Array;
}

/** A prepared seal: sign `digest` (as a CMS message digest), then `finish` with the CMS. */
export interface PreparedPdfSeal {
  /**
   * Digest of the ByteRange bytes, made with `digestAlgorithm` (in the 'gbt38540' format: SM3, the
   * SES_Signature's dataHash).
   */
  readonly digest: Uint8Array;
  readonly digestAlgorithm: HashAlgorithm;
  /** [0, b, c, d]: the signed byte ranges [0,b) and [c,c+d) of the output. */
  readonly byteRange: readonly [number, number, number, number];
  /** Bytes reserved for the DER CMS in /Contents. */
  readonly contentsSize: number;
  /** The full name of the signature field created. */
  readonly fieldName: string;
  readonly format: 'pades' | 'gbt38540';
  /**
   * The signed attributes the CMS must carry besides the PAdES ones (`extraSignedAttributes` and
   * the seal attribute): pass them to `signCms`/`prepareCms` when signing remotely.
   */
  readonly signedAttributes: readonly CmsAttribute[];
  /** 'gbt38540' format only: the SES_Signature to sign. */
  readonly ses?: PreparedPdfSesSignature;
  /**
   * Puts the DER CMS (or, in the 'gbt38540' format, the DER SES_Signature) into /Contents and
   * returns the sealed PDF (the same buffer on every call).
   * @throws {PdfContentsOverflowError} ERR_PDF_CONTENTS_OVERFLOW when the CMS is larger than reserved
   */
  finish(cmsDer: Uint8Array): Uint8Array;
}

/** Default seal size for pictures: the common 42 mm official seal (公章). */
const DEFAULT_SEAL_MM = 42;
const BYTE_RANGE_WIDTH = 10;

function pdfDate(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}+00'00'`;
}

interface WidgetPlan {
  readonly page: PdfPage;
  readonly rect: PdfRect;
  /** Appearance box size (upright, as displayed). */
  readonly boxW: number;
  readonly boxH: number;
  /** Horizontal shift of the picture inside the box (riding slices). */
  readonly shiftX: number;
  /** Full picture size in points. */
  readonly picW: number;
  readonly picH: number;
}

function unitScale(unit: 'mm' | 'pt' | undefined): number {
  return unit === 'pt' ? 1 : PT_PER_MM;
}

function finite(v: number | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isFinite(v)) throw new PdfPlacementError(`${what} is not a number`);
  return v;
}

/** Natural aspect (height / width) and default width in points of the appearance. */
function appearanceShape(
  appearance: PdfImageAppearance | { readonly vector: PdfVectorAppearance },
  image: ReturnType<typeof embedImage> | null,
): { aspect: number; defaultWidth: number } {
  if ('vector' in appearance) {
    const { widthMm, heightMm } = appearance.vector;
    if (!(widthMm > 0 && heightMm > 0)) throw new PdfPlacementError('The drawing has no size');
    return { aspect: heightMm / widthMm, defaultWidth: widthMm * PT_PER_MM };
  }
  const { widthMm, heightMm } = appearance;
  const w = finite(widthMm, 'widthMm');
  const h = finite(heightMm, 'heightMm');
  if ((w !== undefined && !(w > 0)) || (h !== undefined && !(h > 0)))
    throw new PdfPlacementError('The picture size must be positive');
  // A seal picture's millimetre size is its display size (GB/T 38540 SES_ESPictrueInfo).
  const aspect = w !== undefined && h !== undefined ? h / w : image!.height / image!.width;
  return { aspect, defaultWidth: (w ?? DEFAULT_SEAL_MM) * PT_PER_MM };
}

/** Pages read on demand: most seals touch one page, so the whole tree is walked only when needed. */
interface PageAccess {
  readonly count: number;
  /** Page by 1-based number. */
  get(n: number): PdfPage;
  all(): readonly PdfPage[];
}

function pageAccess(doc: PdfDocument): PageAccess {
  const count = getPageCount(doc);
  return { count, get: (n) => getPage(doc, n - 1), all: () => getPages(doc) };
}

function pageAt(pages: PageAccess, n: number): PdfPage {
  if (!Number.isInteger(n) || n < 1 || n > pages.count)
    throw new PdfPageOutOfRangeError(n, pages.count);
  return pages.get(n);
}

function planWidgets(
  doc: PdfDocument,
  pages: PageAccess,
  placement: PdfSealPlacement,
  shape: { aspect: number; defaultWidth: number },
): WidgetPlan[] {
  const size = (
    width: number | undefined,
    height: number | undefined,
    s: number,
  ): { w: number; h: number } => {
    const wIn = finite(width, 'width');
    const hIn = finite(height, 'height');
    let w: number;
    let h: number;
    if (wIn !== undefined) {
      w = wIn * s;
      h = hIn !== undefined ? hIn * s : w * shape.aspect;
    } else if (hIn !== undefined) {
      h = hIn * s;
      w = h / shape.aspect;
    } else {
      w = shape.defaultWidth;
      h = w * shape.aspect;
    }
    if (!(w > 0 && h > 0) || w > 14400 || h > 14400)
      throw new PdfPlacementError('The seal size must be positive and at most 5 m');
    return { w, h };
  };
  const single = (page: PdfPage, box: DisplayBox): WidgetPlan[] => {
    const ds = displaySize(page);
    // Allow a seal to overhang but not to lie wholly outside the visible page.
    if (
      box.x >= ds.width ||
      box.y >= ds.height ||
      box.x + box.width <= 0 ||
      box.y + box.height <= 0
    )
      throw new PdfPlacementError(`The seal lies outside page ${page.index + 1}`);
    return [
      {
        page,
        rect: displayBoxToRect(page, box),
        boxW: box.width,
        boxH: box.height,
        shiftX: 0,
        picW: box.width,
        picH: box.height,
      },
    ];
  };
  if ('riding' in placement) {
    const r = placement.riding;
    const s = unitScale(r.unit);
    const [from, to] = r.pages ?? [1, pages.count];
    pageAt(pages, from);
    pageAt(pages, to);
    if (to < from) throw new PdfPlacementError('Riding seal page range is reversed');
    if (to === from) throw new PdfPlacementError('A riding seal spans at least two pages');
    const { w, h } = size(r.width, r.height, s);
    const n = to - from + 1;
    const slice = w / n;
    const plans: WidgetPlan[] = [];
    for (let i = 0; i < n; i++) {
      const page = pages.get(from + i);
      const ds = displaySize(page);
      const y = r.y === undefined ? (ds.height - h) / 2 : finite(r.y, 'y')! * s;
      const box: DisplayBox = { x: ds.width - slice, y, width: slice, height: h };
      plans.push({
        page,
        rect: displayBoxToRect(page, box),
        boxW: slice,
        boxH: h,
        shiftX: -i * slice,
        picW: w,
        picH: h,
      });
    }
    return plans;
  }
  if ('keyword' in placement) {
    const s = unitScale(placement.unit);
    const occurrence = placement.occurrence ?? 1;
    if (!Number.isInteger(occurrence) || occurrence < 1)
      throw new PdfPlacementError('occurrence must be a positive integer');
    if (placement.keyword.trim() === '') throw new PdfPlacementError('The keyword is empty');
    const scope = placement.page === undefined ? pages.all() : [pageAt(pages, placement.page)];
    const hits = findKeyword(doc, scope, placement.keyword, occurrence);
    const hit = hits[occurrence - 1];
    if (hit === undefined)
      throw new PdfKeywordNotFoundError(placement.keyword, occurrence, hits.length);
    const page = scope.find((p) => p.index === hit.pageIndex)!;
    const [u0, v0] = userToDisplay(page, hit.rect[0], hit.rect[1]);
    const [u1, v1] = userToDisplay(page, hit.rect[2], hit.rect[3]);
    const cu = (u0 + u1) / 2 + (finite(placement.offsetX, 'offsetX') ?? 0) * s;
    const cv = (v0 + v1) / 2 + (finite(placement.offsetY, 'offsetY') ?? 0) * s;
    const { w, h } = size(placement.width, placement.height, s);
    return single(page, { x: cu - w / 2, y: cv - h / 2, width: w, height: h });
  }
  const s = unitScale(placement.unit);
  const page = pageAt(pages, placement.page);
  const { w, h } = size(placement.width, placement.height, s);
  const x = finite(placement.x, 'x');
  const y = finite(placement.y, 'y');
  if (x === undefined || y === undefined) throw new PdfPlacementError('x and y are required');
  return single(page, { x: x * s, y: y * s, width: w, height: h });
}

function addToAnnots(w: IncrementalWriter, doc: PdfDocument, page: PdfPage, widget: PdfRef): void {
  const annots = page.dict.get('Annots');
  if (annots instanceof PdfRef) {
    // pyHanko register_annotation: an indirect /Annots array is rewritten on its own.
    const resolved = doc.getObject(annots);
    if (Array.isArray(resolved)) {
      w.editArray(annots).push(widget);
      return;
    }
  }
  const pageDict = editablePage(w, page);
  const cur = pageDict.get('Annots');
  if (Array.isArray(cur)) cur.push(widget);
  else pageDict.set('Annots', [widget]);
}

/** A writable copy of the page dictionary (rewriting whichever indirect object holds it). */
function editablePage(w: IncrementalWriter, page: PdfPage): PdfDict {
  if (page.holderKind === 'page') return w.editDict(page.holder);
  if (page.holderKind === 'kids-array') {
    const arr = w.editArray(page.holder);
    const d = arr[page.kidIndex];
    if (!(d instanceof PdfDict)) throw new PdfSelfCheckError('Direct page not found in its /Kids');
    return d;
  }
  const parent = w.editDict(page.holder);
  const kids = parent.get('Kids');
  const d = Array.isArray(kids) ? kids[page.kidIndex] : undefined;
  if (!(d instanceof PdfDict)) throw new PdfSelfCheckError('Direct page not found in its parent');
  return d;
}

function sigDictBody(options: {
  now: Date;
  reason?: string | undefined;
  location?: string | undefined;
  contactInfo?: string | undefined;
  signerName?: string | undefined;
  certify?: 1 | 2 | 3 | undefined;
  contentsSize: number;
  format: 'pades' | 'gbt38540';
}): { bytes: Uint8Array; byteRangeAt: number; byteRangeLen: number; contentsAt: number } {
  const ses = options.format === 'gbt38540';
  const filter = ses ? PDF_SES_FILTER : 'Adobe.PPKLite';
  const d = dict({
    Type: name('Sig'),
    Filter: name(filter),
    SubFilter: name(ses ? PDF_SES_SUBFILTER : 'ETSI.CAdES.detached'),
    M: PdfString.latin1(pdfDate(options.now)),
    Name: options.signerName === undefined ? undefined : PdfString.text(options.signerName),
    Reason: options.reason === undefined ? undefined : PdfString.text(options.reason),
    Location: options.location === undefined ? undefined : PdfString.text(options.location),
    ContactInfo:
      options.contactInfo === undefined ? undefined : PdfString.text(options.contactInfo),
    Prop_Build: dict({
      App: dict({ Name: name('GovTrust') }),
      Filter: dict({ Name: name(filter) }),
    }),
    Reference:
      options.certify === undefined
        ? undefined
        : [
            dict({
              Type: name('SigRef'),
              TransformMethod: name('DocMDP'),
              TransformParams: dict({
                Type: name('TransformParams'),
                P: options.certify,
                V: name('1.2'),
              }),
            }),
          ],
  });
  const sink = new ByteSink();
  writeObject(sink, d);
  // Drop the closing ">>" to append the two fixed-layout entries last.
  const head = sink.toBytes().subarray(0, sink.length - 2);
  const brPlaceholder = `[0 ${' '.repeat(BYTE_RANGE_WIDTH)} ${' '.repeat(BYTE_RANGE_WIDTH)} ${' '.repeat(BYTE_RANGE_WIDTH)}]`;
  const tail1 = '/ByteRange ';
  const tail2 = '/Contents ';
  const total =
    head.length +
    tail1.length +
    brPlaceholder.length +
    tail2.length +
    2 +
    options.contentsSize * 2 +
    2;
  const out = Buffer.alloc(total, 0x30);
  let p = 0;
  out.set(head, p);
  p += head.length;
  p += out.write(tail1, p, 'latin1');
  const byteRangeAt = p;
  p += out.write(brPlaceholder, p, 'latin1');
  p += out.write(tail2, p, 'latin1');
  const contentsAt = p;
  out[p++] = 0x3c; // '<', then contentsSize*2 '0' digits already in place
  p += options.contentsSize * 2;
  out[p++] = 0x3e;
  out.write('>>', p, 'latin1');
  return { bytes: out, byteRangeAt, byteRangeLen: brPlaceholder.length, contentsAt };
}

function checkPolicy(
  doc: PdfDocument,
  certify: 1 | 2 | 3 | undefined,
  visible: boolean,
  allowVisibleAfterCertification: boolean,
): void {
  const mdp = getDocMdpPermission(doc);
  if (mdp === 1)
    throw new PdfSignaturePolicyError(
      'ERR_PDF_MODIFICATION_NOT_ALLOWED',
      'The document is certified with DocMDP P=1: no further signature may be added',
    );
  // A new visible field after certification is how sneaky-signature attacks hide content, so
  // strict verifiers (ours by default, pyHanko) refuse it: do not write what they would reject.
  if (mdp !== null && visible && !allowVisibleAfterCertification)
    throw new PdfSignaturePolicyError(
      'ERR_PDF_MODIFICATION_NOT_ALLOWED',
      `The document is certified (DocMDP P=${mdp}): a visible seal added now would invalidate the certification for strict verifiers; seal invisibly or set allowVisibleSignaturesAfterCertification`,
    );
  if (certify !== undefined) {
    const form = getAcroForm(doc);
    if (mdp !== null || (form?.signatureFields.some((f) => f.value !== null) ?? false))
      throw new PdfSignaturePolicyError(
        'ERR_PDF_CERTIFY_NOT_ALLOWED',
        'A certification signature must be the first signature; this document is already signed',
      );
  }
}

function chooseFieldName(doc: PdfDocument, wanted: string | undefined): { partial: string } {
  const names = getAcroForm(doc)?.fieldNames ?? new Set<string>();
  if (wanted !== undefined) {
    if (wanted === '' || wanted.includes('.'))
      throw new InvalidInputError('A field name is non-empty and has no "."', {
        field: 'fieldName',
      });
    if (names.has(wanted)) throw new PdfFieldExistsError(wanted);
    return { partial: wanted };
  }
  for (let i = 1; i < 1_000_000; i++) if (!names.has(`Seal${i}`)) return { partial: `Seal${i}` };
  throw new PdfFieldExistsError('Seal');
}

/** Writes the appearance objects and returns, per widget, the form XObject reference. */
function writeAppearances(
  w: IncrementalWriter,
  appearance: PdfImageAppearance | { readonly vector: PdfVectorAppearance },
  image: ReturnType<typeof embedImage> | null,
  plans: readonly WidgetPlan[],
): PdfRef[] {
  let imageRef: PdfRef | null = null;
  if (image !== null) {
    let img = image.image;
    if (image.softMask !== null) img = withSoftMask(img, w.add(image.softMask));
    imageRef = w.add(img);
  }
  return plans.map((p) => {
    const f = formatNumber;
    let content: string;
    let resources: PdfDict;
    if (imageRef !== null) {
      content = `q ${f(p.picW)} 0 0 ${f(p.picH)} ${f(p.shiftX)} 0 cm /Im0 Do Q\n`;
      resources = dict({ XObject: dict({ Im0: imageRef }) });
    } else {
      const vector = (appearance as { vector: PdfVectorAppearance }).vector;
      content = `q 1 0 0 1 ${f(p.shiftX)} 0 cm\n${vector.toPdfOperators({ widthPt: p.picW, heightPt: p.picH })}\nQ\n`;
      resources = new PdfDict();
    }
    const form = new PdfStream(
      dict({
        Type: name('XObject'),
        Subtype: name('Form'),
        BBox: [0, 0, p.boxW, p.boxH],
        Matrix: uprightMatrix(p.page.rotate),
        Resources: resources,
      }),
      new Uint8Array(Buffer.from(content, 'latin1')),
    );
    return w.add(form);
  });
}

interface Built {
  readonly doc: PdfDocument;
  readonly written: WrittenUpdate;
  readonly contentsAt: number;
  readonly byteRangeAt: number;
  readonly byteRangeLen: number;
  readonly sigRef: PdfRef;
  readonly fieldRef: PdfRef;
  readonly widgetRefs: readonly PdfRef[];
  /** The page of each widget (in the input document). */
  readonly widgetPages: readonly PdfPage[];
  readonly fieldName: string;
}

function build(
  pdf: Uint8Array,
  options: PdfSealOptions & { readonly now: Date },
  contentsSize: number,
): Built {
  const doc = openPdf(pdf, options.open);
  checkPolicy(
    doc,
    options.certify,
    options.appearance !== undefined,
    options.allowVisibleSignaturesAfterCertification === true,
  );
  const pages = pageAccess(doc);
  const { partial } = chooseFieldName(doc, options.fieldName);
  const w = new IncrementalWriter(doc);
  const sigRef = w.allocate();

  let plans: WidgetPlan[] = [];
  let apRefs: PdfRef[] = [];
  if (options.appearance !== undefined) {
    if (options.placement === undefined)
      throw new PdfPlacementError('A visible seal needs a placement');
    const appearance = normaliseAppearance(options.appearance);
    const image = 'image' in appearance ? embedImage(appearance.image) : null;
    plans = planWidgets(doc, pages, options.placement, appearanceShape(appearance, image));
    apRefs = writeAppearances(w, appearance, image, plans);
  } else if (options.placement !== undefined) {
    throw new PdfPlacementError('A placement needs an appearance (image or drawing)');
  }

  // An invisible seal still needs a widget on a page (§12.7.4.5 via /P and the page's /Annots).
  const invisible = plans.length === 0;
  if (invisible) {
    if (pages.count === 0) throw new PdfPlacementError('The document has no page');
    plans = [
      { page: pages.get(1), rect: [0, 0, 0, 0], boxW: 0, boxH: 0, shiftX: 0, picW: 0, picH: 0 },
    ];
  }
  const widgetDict = (p: WidgetPlan, i: number): PdfDict =>
    dict({
      Type: name('Annot'),
      Subtype: name('Widget'),
      Rect: [...p.rect],
      // Print (4) + Locked (128), ISO 32000-1 Table 165.
      F: 132,
      P: p.page.holderKind === 'page' ? p.page.holder : undefined,
      AP: invisible ? undefined : dict({ N: apRefs[i]! }),
    });
  let fieldRef: PdfRef;
  const widgetRefs: PdfRef[] = [];
  if (plans.length === 1) {
    // One widget: field and widget merged in one dictionary (§12.7.3.1).
    const d = widgetDict(plans[0]!, 0);
    d.set('FT', name('Sig'));
    d.set('T', PdfString.text(partial));
    d.set('V', sigRef);
    fieldRef = w.add(d);
    widgetRefs.push(fieldRef);
  } else {
    fieldRef = w.allocate();
    plans.forEach((p, i) => {
      const d = widgetDict(p, i);
      d.set('Parent', fieldRef);
      // /V is inheritable (ISO 32000-1 Table 220), so repeating it changes nothing for a conforming
      // reader; poppler up to 22.x reads /V from each kid that has a /Parent and would otherwise
      // report the riding seal's widgets as unsigned fields.
      d.set('V', sigRef);
      widgetRefs.push(w.add(d));
    });
    w.set(
      fieldRef,
      dict({ FT: name('Sig'), T: PdfString.text(partial), V: sigRef, Kids: [...widgetRefs] }),
    );
  }
  plans.forEach((p, i) => addToAnnots(w, doc, p.page, widgetRefs[i]!));

  // AcroForm: every existing key is kept; /Fields gains the field, /SigFlags gets bits 1 and 2.
  const form = getAcroForm(doc);
  const rootRef = doc.trailer.get('Root') as PdfRef;
  let formDict: PdfDict;
  if (form === null) {
    formDict = dict({ Fields: [] });
    const formRef = w.add(formDict);
    w.editDict(rootRef).set('AcroForm', formRef);
  } else if (form.ref !== null) formDict = w.editDict(form.ref);
  else {
    const cat = w.editDict(rootRef);
    formDict = cat.get('AcroForm') as PdfDict;
  }
  if (form?.fieldsRef != null) w.editArray(form.fieldsRef).push(fieldRef);
  else {
    const fields = formDict.get('Fields');
    if (Array.isArray(fields)) fields.push(fieldRef);
    else formDict.set('Fields', [fieldRef]);
  }
  const flags = doc.resolveNumber(formDict.get('SigFlags')) ?? 0;
  formDict.set('SigFlags', flags | 3);

  if (options.certify !== undefined) {
    const cat = w.editDict(rootRef);
    const perms = doc.resolveDict(cat.get('Perms'));
    const p = perms === undefined ? new PdfDict() : new PdfDict(perms.entries());
    p.set('DocMDP', sigRef);
    cat.set('Perms', p);
  }

  const body = sigDictBody({
    now: options.now,
    reason: options.reason,
    location: options.location,
    contactInfo: options.contactInfo,
    signerName: options.signerName,
    certify: options.certify,
    contentsSize,
    format: options.format ?? 'pades',
  });
  w.set(sigRef, new RawBody(body.bytes));
  const written = w.write();
  const bodyAt = written.bodyOffsets.get(sigRef.num)!;
  return {
    doc,
    written,
    contentsAt: bodyAt + body.contentsAt,
    byteRangeAt: bodyAt + body.byteRangeAt,
    byteRangeLen: body.byteRangeLen,
    sigRef,
    fieldRef,
    widgetRefs,
    widgetPages: plans.map((p) => p.page),
    fieldName: partial,
  };
}

/**
 * Re-reads the output with the strict reader and checks what an update must preserve
 * (pdf-signing.md 4.4): prefix unchanged, one more revision, /Prev, /Root, /ID[0], /Size, the new
 * section lists exactly the objects written, and the field is wired into the form and the pages.
 */
function selfCheck(built: Built, byteRange: readonly number[], options: PdfSealOptions): void {
  const { doc, written } = built;
  const out = written.bytes;
  const fail = (m: string): never => {
    throw new PdfSelfCheckError(m);
  };
  if (
    Buffer.compare(
      Buffer.from(out.buffer, out.byteOffset, doc.bytes.length),
      Buffer.from(doc.bytes.buffer, doc.bytes.byteOffset, doc.bytes.length),
    ) !== 0
  )
    fail('original bytes changed');
  let again: PdfDocument;
  try {
    again = openPdf(out, options.open);
  } catch (err) {
    throw new PdfSelfCheckError('the output does not re-open', { cause: err });
  }
  if (again.revisions.length !== doc.revisions.length + 1) fail('revision count is not +1');
  const t = again.trailer;
  if (t.get('Prev') !== doc.startxref) fail('/Prev is not the previous startxref');
  const root = t.get('Root');
  const oldRoot = doc.trailer.get('Root') as PdfRef;
  if (!(root instanceof PdfRef) || !root.equals(oldRoot)) fail('/Root changed');
  const oldId = doc.resolveArray(doc.trailer.get('ID'))?.[0];
  const newId = again.resolveArray(t.get('ID'))?.[0];
  if (
    oldId instanceof PdfString &&
    !(newId instanceof PdfString && Buffer.from(newId.bytes).equals(Buffer.from(oldId.bytes)))
  )
    fail('/ID[0] changed');
  if ((t.get('Size') as number) < doc.size) fail('/Size shrank');
  const listed = [...again.latest.sections[0]!.entries.keys()]
    .filter((n) => n !== 0)
    .sort((a, b) => a - b);
  const expected = [...written.offsets.keys()].sort((a, b) => a - b);
  if (listed.join(',') !== expected.join(','))
    fail('the new xref section lists other objects than were written');
  // Existing objects may change only where a seal must touch them (the whitelist a verifier applies):
  // the catalog, the AcroForm and its /Fields array, and each sealed page (or its /Annots array).
  const allowed = new Set<number>([oldRoot.num]);
  const oldForm = getAcroForm(doc);
  if (oldForm?.ref) allowed.add(oldForm.ref.num);
  if (oldForm?.fieldsRef) allowed.add(oldForm.fieldsRef.num);
  for (const page of built.widgetPages) {
    allowed.add(page.holder.num);
    const annots = page.dict.get('Annots');
    if (annots instanceof PdfRef) allowed.add(annots.num);
  }
  for (const num of expected)
    if (doc.entry(num) !== undefined && doc.entry(num)?.type !== 'free' && !allowed.has(num))
      fail(`the update rewrites object ${num}, which a seal has no reason to touch`);
  if (
    byteRange[0] !== 0 ||
    byteRange[2]! + byteRange[3]! !== out.length ||
    out[byteRange[1]!] !== 0x3c ||
    out[byteRange[2]! - 1] !== 0x3e
  )
    fail('ByteRange does not frame /Contents and cover the file');
  const form = getAcroForm(again);
  if (
    form === null ||
    (again.resolveNumber(form.dict.get('SigFlags')) ?? 0) !==
      ((again.resolveNumber(form.dict.get('SigFlags')) ?? 0) | 3)
  )
    fail('AcroForm /SigFlags lacks 3');
  const field = form!.signatureFields.find((f) => f.ref.equals(built.fieldRef));
  if (field?.value?.equals(built.sigRef) !== true) fail('the new field is not in /Fields with /V');
  const sig = again.resolveDict(built.sigRef);
  const br = again.resolveArray(sig?.get('ByteRange'));
  if (br?.map((x) => (typeof x === 'number' ? x : NaN)).join(' ') !== byteRange.join(' '))
    fail('the signature dictionary does not parse back');
  // Each widget is in its page's /Annots (walking the whole page tree only for direct pages).
  let allPages: readonly PdfPage[] | undefined;
  built.widgetRefs.forEach((wr, i) => {
    const page = built.widgetPages[i]!;
    const dict =
      page.ref !== null
        ? again.resolveDict(page.ref)
        : (allPages ??= getPages(again))[page.index]?.dict;
    const onPage = (again.resolveArray(dict?.get('Annots')) ?? []).some(
      (a) => a instanceof PdfRef && a.equals(wr),
    );
    if (!onPage) fail(`widget ${wr.toString()} is not in the /Annots of page ${page.index + 1}`);
  });
  // Every object the old form listed is still listed (AcroForm keys and fields kept).
  if (oldForm !== null) {
    for (const k of oldForm.dict.map.keys()) if (!form!.dict.has(k)) fail(`AcroForm lost /${k}`);
    if (form!.fields.length !== oldForm.fields.length + 1)
      fail('AcroForm /Fields did not grow by one');
  }
}

/** Options after the seal binding is resolved: one signing instant, the seal parsed, all attributes known. */
interface ResolvedOptions extends PdfSealOptions {
  readonly now: Date;
  readonly format: 'pades' | 'gbt38540';
  readonly sealParsed: SesSeal | undefined;
  /** `extraSignedAttributes` plus the seal attribute. */
  readonly signedAttributes: readonly CmsAttribute[];
}

/** Largest raster made from an SVG seal picture, and its resolution (print quality). */
const SVG_DPI = 600;
const SVG_MAX_PX = 4096;

/**
 * The appearance a seal's own picture gives: PNG and JPEG as they are, SVG rasterised by the seal
 * image module (resvg, no external resources), at the seal's display size in millimetres.
 */
async function sealPictureAppearance(seal: SesSeal): Promise<PdfImageAppearance> {
  const { type, data, width, height } = seal.sealInfo.picture;
  const kind = type.trim().toLowerCase();
  const size = width > 0 && height > 0 ? { widthMm: width, heightMm: height } : {};
  if (kind === 'png' || kind === 'jpg' || kind === 'jpeg') return { image: data, ...size };
  if (kind === 'svg') {
    const mm = width > 0 ? width : DEFAULT_SEAL_MM;
    const px = Math.min(SVG_MAX_PX, Math.max(16, Math.round((mm / 25.4) * SVG_DPI)));
    try {
      return { image: await rasteriseSvg(data, px), ...size };
    } catch (err) {
      if (err instanceof GovTrustError)
        throw new PdfImageError(`The seal's SVG picture cannot be drawn: ${err.message}`, {
          cause: err,
        });
      throw err;
    }
  }
  throw new PdfImageError(
    `The seal's picture type "${type}" cannot be drawn in a PDF; give an appearance (PNG, JPEG or a drawing)`,
  );
}

/** The signing instant in whole seconds: /M and TBS_Sign.timeInfo have no fractions. */
function signingInstant(now: Date | undefined): Date {
  const t = now ?? new Date();
  if (!(t instanceof Date) || Number.isNaN(t.getTime()))
    throw new InvalidInputError('now must be a valid date', { field: 'now' });
  return new Date(Math.floor(t.getTime() / 1000) * 1000);
}

/** Checks the format and seal options, refuses a seal a verifier would reject, and picks the appearance. */
async function resolveOptions(options: PdfSealOptions): Promise<ResolvedOptions> {
  const format = options.format ?? 'pades';
  // A runtime check for callers without TypeScript.
  if (!(['pades', 'gbt38540'] as readonly string[]).includes(format))
    throw new InvalidInputError("format must be 'pades' or 'gbt38540'", { field: 'format' });
  const now = signingInstant(options.now);
  const seal =
    options.seal === undefined
      ? undefined
      : options.seal instanceof Uint8Array
        ? parseSeal(options.seal)
        : options.seal;
  const extra = options.extraSignedAttributes ?? [];
  if (format === 'gbt38540') {
    const refuse = (field: string, why: string): never => {
      throw new InvalidInputError(`The gbt38540 format ${why}`, { field });
    };
    if (seal === undefined) refuse('seal', 'needs a seal (the SES_Signature embeds it)');
    if (options.certify !== undefined)
      refuse('certify', 'cannot certify: DocMDP needs a PAdES signature');
    if (options.level === 'B-T')
      refuse('level', 'has no signature time-stamp (GB/T 38540 leaves its input undefined)');
    if (options.digestAlgorithm !== undefined && options.digestAlgorithm !== 'sm3')
      refuse('digestAlgorithm', 'hashes with SM3 (dataHash)');
    if (extra.length > 0) refuse('extraSignedAttributes', 'carries no CMS attributes');
  }
  let appearance = options.appearance;
  const signedAttributes = [...extra];
  if (seal !== undefined) {
    const certDer = options.signer?.certificateChain[0];
    if (certDer === undefined)
      throw new InvalidInputError(
        'Binding a seal needs the signer (its certificate is checked against the seal certList)',
        { field: 'signer' },
      );
    if (format === 'gbt38540' && options.signer!.algorithm !== 'sm2-sm3')
      throw new SealEncodeError(
        'ERR_SEAL_NON_STANDARD_ALGORITHM',
        `The gbt38540 format signs with SM2-with-SM3, not ${options.signer!.algorithm}`,
        { field: 'signer' },
      );
    assertSealUsable(seal, certDer, now, true);
    if (extra.some((a) => a.oid === SEAL_ATTRIBUTE_OID))
      throw new InvalidInputError('Give the seal as `seal`, not as an extra signed attribute', {
        field: 'extraSignedAttributes',
      });
    if (format === 'pades') signedAttributes.push(createSealAttribute(seal));
    // The seal's picture is the appearance of a visible seal unless another one is given.
    if (appearance === undefined && options.placement !== undefined)
      appearance = await sealPictureAppearance(seal);
  }
  return {
    ...options,
    ...(appearance === undefined ? {} : { appearance }),
    now,
    format,
    sealParsed: seal,
    signedAttributes,
  };
}

/**
 * Prepares a seal: writes the incremental update (field, widget(s), appearance, signature
 * dictionary with a /Contents placeholder) and returns the digest of the ByteRange bytes to sign;
 * in the 'gbt38540' format also the SES_Signature's TBS_Sign and its SM2 digest (`ses`).
 * @example const p = await preparePdfSeal(pdf, { signer, seal: esl, placement: { page: 1, x: 120, y: 200 } });
 * @throws {PdfParseError} ERR_PDF_PARSE, ERR_PDF_ENCRYPTED, ERR_PDF_HYBRID_XREF, ERR_PDF_LIMIT from the reader
 * @throws {PdfPageOutOfRangeError} ERR_PDF_PAGE_OUT_OF_RANGE / {PdfKeywordNotFoundError} ERR_PDF_KEYWORD_NOT_FOUND / {PdfPlacementError} ERR_PDF_PLACEMENT
 * @throws {PdfImageError} ERR_PDF_IMAGE_UNSUPPORTED for a picture that is not PNG or JPEG, or a seal picture that is not PNG, JPEG or a safe SVG
 * @throws {PdfFieldExistsError} ERR_PDF_FIELD_EXISTS / {PdfSignaturePolicyError} ERR_PDF_CERTIFY_NOT_ALLOWED, ERR_PDF_MODIFICATION_NOT_ALLOWED
 * @throws {InvalidInputError} ERR_INVALID_INPUT when neither contentsSize nor signer is given, a seal comes without the signer, or the gbt38540 format is combined with certify, B-T, another digest or extra attributes
 * @throws {SealParseError} ERR_SEAL_PARSE / {SealVersionError} ERR_SEAL_HEADER, ERR_SEAL_VERSION for seal bytes that are not a seal
 * @throws {SealBindingError} ERR_SEAL_SIGNER_NOT_IN_CERT_LIST, ERR_SEAL_NOT_VALID_AT_SIGNING_TIME, ERR_SEAL_MAKER_SIGNATURE_INVALID for a seal a verifier would reject
 * @throws {SealEncodeError} ERR_SEAL_NON_STANDARD_ALGORITHM for a non-SM2 signer in the gbt38540 format; ERR_SEAL_ENCODE for a V1 seal there
 * @throws {PdfSelfCheckError} ERR_PDF_SELF_CHECK when the output fails its own consistency check
 */
export async function preparePdfSeal(
  pdf: Uint8Array,
  options: PdfSealOptions,
): Promise<PreparedPdfSeal> {
  return prepareSync(pdf, await resolveOptions(options));
}

function contentsBound(options: ResolvedOptions, digestAlgorithm: HashAlgorithm): number {
  if (options.contentsSize !== undefined) {
    if (
      !Number.isInteger(options.contentsSize) ||
      options.contentsSize < 64 ||
      options.contentsSize > 8 * 1024 * 1024
    )
      throw new InvalidInputError('contentsSize must be an integer between 64 and 8 MiB', {
        field: 'contentsSize',
      });
    return options.contentsSize;
  }
  const signer = options.signer;
  if (signer === undefined)
    throw new InvalidInputError('Give contentsSize or the signer to size /Contents', {
      field: 'contentsSize',
    });
  if (options.format === 'gbt38540') {
    // SES_Signature = TBS_Sign (seal, time, SM3 hash, propertyInfo) + certificate + OID + DER(r,s):
    // the variable parts are the seal and the certificate; 512 bytes bound the rest.
    return options.sealParsed!.der.length + signer.certificateChain[0]!.length + 512;
  }
  if (signer.publicKey === undefined)
    throw new InvalidInputError(
      'The signer has no public key to size /Contents; give contentsSize',
      { field: 'contentsSize' },
    );
  return cmsSizeBound({
    algorithm: signer.algorithm,
    publicKey: signer.publicKey,
    certificateChain: signer.certificateChain,
    digestAlgorithm,
    signedAttributes: options.signedAttributes,
    ...(options.timestampTokenBytes === undefined
      ? {}
      : { timestampTokenBytes: options.timestampTokenBytes }),
  });
}

function resolveDigestAlgorithm(options: ResolvedOptions): HashAlgorithm {
  if (options.format === 'gbt38540') return 'sm3';
  if (options.digestAlgorithm !== undefined) return options.digestAlgorithm;
  if (options.signer !== undefined) return defaultDigestAlgorithm(options.signer.algorithm);
  return 'sha256';
}

function prepareSync(pdf: Uint8Array, options: ResolvedOptions): PreparedPdfSeal {
  const digestAlgorithm = resolveDigestAlgorithm(options);
  const contentsSize = contentsBound(options, digestAlgorithm);
  const built = build(pdf, options, contentsSize);
  const out = built.written.bytes;
  const b = built.contentsAt;
  const c = b + contentsSize * 2 + 2;
  const byteRange = [0, b, c, out.length - c] as const;
  const brText = `[${byteRange.join(' ')}]`.padEnd(built.byteRangeLen, ' ');
  if (brText.length !== built.byteRangeLen)
    throw new PdfSelfCheckError('ByteRange does not fit its placeholder');
  Buffer.from(out.buffer, out.byteOffset, out.length).write(brText, built.byteRangeAt, 'latin1');
  selfCheck(built, byteRange, options);
  // Streamed over the two ranges of the output buffer: no copy, no string.
  const hasher = createHasher(digestAlgorithm);
  hasher.update(out.subarray(0, b));
  hasher.update(out.subarray(c));
  const digest = new Uint8Array(hasher.digest());
  const finish = (der: Uint8Array): Uint8Array => {
    if (der.length > contentsSize) throw new PdfContentsOverflowError(contentsSize, der.length);
    if (der[0] !== 0x30)
      throw new InvalidInputError('The signature is not a DER SEQUENCE', { field: 'cmsDer' });
    const view = Buffer.from(out.buffer, out.byteOffset, out.length);
    view.write(Buffer.from(der).toString('hex'), b + 1, 'latin1');
    view.fill(0x30, b + 1 + der.length * 2, c - 1);
    return out;
  };
  let ses: PreparedPdfSesSignature | undefined;
  if (options.format === 'gbt38540') {
    const prepared: PreparedSesSignature = prepareSesSignature({
      seal: options.sealParsed!,
      signerCertificate: options.signer!.certificateChain[0]!,
      algorithm: 'sm2-sm3',
      dataHash: digest,
      // The TBS_Sign names what dataHash covers; the verifier compares it with /ByteRange.
      propertyInfo: pdfSesPropertyInfo(byteRange),
      signingTime: options.now,
    });
    ses = {
      toBeSigned: prepared.toBeSigned,
      digest: prepared.digest,
      signingTime: prepared.signingTime,
      finish: (signatureValue) => finish(prepared.finish(signatureValue).der),
    };
  }
  return {
    digest,
    digestAlgorithm,
    byteRange,
    contentsSize,
    fieldName: built.fieldName,
    format: options.format,
    signedAttributes: options.signedAttributes,
    ...(ses === undefined ? {} : { ses }),
    finish,
  };
}

/** Options of `sealPdf`: the seal options plus the signer and, for B-T, a time-stamp authority. */
export interface SealPdfOptions extends Omit<PdfSealOptions, 'signer'> {
  readonly signer: Signer;
  /** Time-stamp authority for B-T (level defaults to B-T when given). */
  readonly tsa?: TsaClient;
}

/** Parsed signer certificates: a long-lived signer seals many documents with the same one. */
const signerCertificates = new WeakMap<Uint8Array, Certificate>();

function checkSigner(signer: Signer, now: Date): void {
  const certDer = signer.certificateChain[0];
  if (certDer === undefined) return;
  let cert = signerCertificates.get(certDer);
  if (cert === undefined) {
    cert = parseCertificate(certDer);
    signerCertificates.set(certDer, cert);
  }
  if (signer.publicKey !== undefined && !cert.publicKey.equals(signer.publicKey))
    throw new KeyMismatchError();
  if (now.getTime() < cert.notBefore.getTime() || now.getTime() > cert.notAfter.getTime())
    throw new PdfSignerCertificateError(cert.notBefore, cert.notAfter, now);
}

/**
 * Seals a PDF in one call: prepare, sign the CMS (PAdES attributes, DER-sorted, the seal attribute
 * when `seal` is given, optional signature time-stamp for B-T) or, in the 'gbt38540' format, the
 * SES_Signature, then finish. Returns the new file; the input is not changed.
 * @example const sealed = await sealPdf(pdf, { signer, seal: esl, placement: { keyword: '盖章处' } });
 * @throws every code of `preparePdfSeal`, plus
 * @throws {KeyMismatchError} ERR_KEY_MISMATCH when the signer's key is not its certificate's
 * @throws {PdfSignerCertificateError} ERR_PDF_SIGNER_CERT_EXPIRED / ERR_PDF_SIGNER_CERT_NOT_YET_VALID at the signing time
 * @throws {InvalidInputError} ERR_INVALID_INPUT for B-T without a TSA, or a TSA with the gbt38540 format
 * @throws {SignerFailedError} ERR_SIGNER_FAILED / {TsaRejectedError} ERR_TSA_REJECTED from the signer or TSA
 */
export async function sealPdf(pdf: Uint8Array, options: SealPdfOptions): Promise<Uint8Array> {
  const { signer, tsa, ...rest } = options;
  const now = signingInstant(options.now);
  checkSigner(signer, now);
  if (options.format === 'gbt38540') {
    if (tsa !== undefined || options.level === 'B-T')
      throw new InvalidInputError('The gbt38540 format has no signature time-stamp (B-T)', {
        field: 'tsa',
      });
    const prepared = await preparePdfSeal(pdf, { ...rest, now, signer });
    const ses = prepared.ses!;
    return ses.finish(await signer.sign(ses.toBeSigned));
  }
  const level = options.level ?? (tsa === undefined ? 'B-B' : 'B-T');
  if (level === 'B-T' && tsa === undefined)
    throw new InvalidInputError('Level B-T needs a time-stamp authority (tsa)', { field: 'tsa' });
  const digestAlgorithm = options.digestAlgorithm ?? defaultDigestAlgorithm(signer.algorithm);
  let tstBytes = options.timestampTokenBytes;
  if (level === 'B-T' && tstBytes === undefined && options.contentsSize === undefined) {
    // Dry run (as pyHanko does): a token for a dummy imprint tells the size to reserve; tokens
    // differ by a few bytes (serial, time fraction, nonce), so keep a margin.
    const probe = await tsa!.timestamp({
      hashAlgorithm: digestAlgorithm,
      digest: hashBytes(digestAlgorithm, new Uint8Array(0)),
    });
    tstBytes = probe.length + 256;
  }
  const attempt = async (contentsSize?: number): Promise<Uint8Array> => {
    const prepared = await preparePdfSeal(pdf, {
      ...rest,
      now,
      level,
      digestAlgorithm,
      signer,
      ...(tstBytes === undefined ? {} : { timestampTokenBytes: tstBytes }),
      ...(contentsSize === undefined ? {} : { contentsSize }),
    });
    const cms = await signCms({
      signer,
      digestAlgorithm,
      contentDigest: prepared.digest,
      signingCertificateV2: true,
      signedAttributes: prepared.signedAttributes,
      ...(level === 'B-T' ? { timestamp: tsa! } : {}),
    });
    return prepared.finish(cms);
  };
  try {
    return await attempt(options.contentsSize);
  } catch (err) {
    // A TSA whose tokens outgrow the dry run: retry once with the real size plus a margin.
    if (
      err instanceof PdfContentsOverflowError &&
      level === 'B-T' &&
      options.contentsSize === undefined
    )
      return attempt(err.actual + 1024);
    throw err;
  }
}
