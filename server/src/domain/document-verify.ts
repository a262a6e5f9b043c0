/**
 * Document verification for the public verifier page (POST /v1/documents/verify): the kind is
 * sniffed from the bytes (PDF, OFD zip, signed licence JSON, licence face PDF), the document is
 * verified against the server's trust anchors, OCSP answered in-process by the server's responder
 * and the seal service's seal states, and each seal card gets the seal picture (GB/T 38540
 * `SES_PictureInfo`) when it is a PNG, JPEG or GIF. Nothing is written anywhere.
 * @module
 */
import { parseCms } from '@govtrust/core/cms';
import { ServiceError, isGovTrustError } from '@govtrust/core/errors';
import {
  parseSignedLicence,
  verifyLicence,
  type LicenceReport,
  type LicenceStatusSource,
  type LicenceType,
} from '@govtrust/core/licence';
import {
  getAcroForm,
  openPdf,
  PdfName,
  PdfString,
  verifySealedPdf,
  type PdfDocument,
  type PdfSignatureReport,
  type PdfVerificationReport,
} from '@govtrust/core/pdf';
import { createOcspRevocationSource, type RevocationSource } from '@govtrust/core/pki';
import {
  openOfdZip,
  parseSesSignature,
  PDF_SES_SUBFILTER,
  readSealAttribute,
  SEAL_ATTRIBUTE_OID,
  verifyOfdSeals,
  type OfdSignatureReport,
  type OfdVerificationReport,
  type SealStatusSource,
  type SesPictureInfo,
} from '@govtrust/core/seal';
import type { ServerStore } from '../storage/schema.js';
import type { ServerPki } from './pki.js';

/** What was verified. */
export type DocumentKind = 'pdf' | 'ofd' | 'licence-face' | 'licence-data';

/** A seal picture for display: a data: URL of the image bytes the seal carries. */
export interface SealPictureView {
  readonly mediaType: 'image/png' | 'image/jpeg' | 'image/gif';
  readonly width: number;
  readonly height: number;
  readonly dataUrl: string;
}

/** A signature of a report with the picture of its seal (null: none, or not displayable). */
export type WithPicture<S> = S & { readonly sealPicture: SealPictureView | null };

/** The answer of the endpoint: the core report (DESIGN.md §4 or licence report) with `kind`. */
export type DocumentReport =
  | ({ readonly kind: 'pdf'; readonly checkedAt: string } & Omit<
      PdfVerificationReport,
      'signatures'
    > & { readonly signatures: readonly WithPicture<PdfSignatureReport>[] })
  | ({ readonly kind: 'ofd'; readonly checkedAt: string } & Omit<
      OfdVerificationReport,
      'signatures'
    > & { readonly signatures: readonly WithPicture<OfdSignatureReport>[] })
  | ({ readonly kind: 'licence-face' | 'licence-data'; readonly checkedAt: string } & Omit<
      LicenceReport,
      'face'
    > & {
        readonly face?: Omit<NonNullable<LicenceReport['face']>, 'signatures'> & {
          readonly signatures: readonly WithPicture<PdfSignatureReport>[];
        };
      });

/** Options of `createDocumentVerifier`. */
export interface DocumentVerifierOptions {
  readonly pki: ServerPki;
  readonly store: ServerStore;
  readonly now: () => Date;
  /** Largest seal picture returned (bytes of the image); larger ones are left out. */
  readonly pictureBytes: number;
  /**
   * Licence verification settings: where the status comes from (the licence directory; without it
   * status is not checked), the licence types, the QR base URL.
   */
  readonly licence?: () => Promise<LicenceSettings>;
}

/** What licence verification uses besides the trust anchors. */
export interface LicenceSettings {
  readonly statusSource?: LicenceStatusSource;
  readonly types?: ReadonlyMap<string, LicenceType>;
  readonly verificationUrl?: string;
}

/** Verifies uploaded documents. */
export interface DocumentVerifier {
  /**
   * Verifies `bytes`, whatever `declaredType` says (it only words the refusal).
   * @throws {ServiceError} ERR_VERIFY_UNSUPPORTED_TYPE for anything that is not a PDF, an OFD or a signed licence file
   * @throws {GovTrustError} ERR_PDF_PARSE, ERR_OFD_PARSE, ERR_OFD_ZIP_* ... for a document that cannot be read at all
   */
  verify(bytes: Uint8Array, declaredType: string): Promise<DocumentReport>;
}

const PDF_TYPES = new Set(['application/pdf', 'application/x-pdf']);
const OFD_TYPES = new Set(['application/ofd', 'application/zip', 'application/x-zip-compressed']);

/** What the first bytes say the file is. */
export function sniffDocument(bytes: Uint8Array): 'pdf' | 'zip' | 'json' | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1024));
  const text = head.toString('latin1');
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)
    return 'zip';
  // A UTF-8 byte order mark, then white space, then an object.
  const json = text.replace(/^\xef\xbb\xbf/, '').trimStart();
  if (json.startsWith('{')) return 'json';
  // ISO 32000-1 Annex H.3 (13): the header may follow up to 1024 bytes of junk.
  if (text.includes('%PDF-')) return 'pdf';
  return undefined;
}

function unsupported(declaredType: string, what: string): ServiceError {
  const sent = declaredType === '' ? '' : ` (sent as ${declaredType})`;
  return new ServiceError(
    'ERR_VERIFY_UNSUPPORTED_TYPE',
    `The file${sent} ${what}: send a sealed PDF, an OFD document or a signed licence data file (JSON)`,
  );
}

/** End of the DER element at the start of `bytes` (the /Contents hex string is zero-padded). */
function derEnd(bytes: Uint8Array): number | undefined {
  if (bytes.length < 2) return undefined;
  const first = bytes[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || bytes.length < 2 + n) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + bytes[2 + i]!;
  return 2 + n + len;
}

/** The picture as a data: URL when it is a PNG, JPEG or GIF within the size limit (by its bytes, not its label). */
export function pictureView(picture: SesPictureInfo, maxBytes: number): SealPictureView | null {
  const d = picture.data;
  if (d.length === 0 || d.length > maxBytes) return null;
  let mediaType: SealPictureView['mediaType'];
  if (d[0] === 0x89 && d[1] === 0x50 && d[2] === 0x4e && d[3] === 0x47) mediaType = 'image/png';
  else if (d[0] === 0xff && d[1] === 0xd8 && d[2] === 0xff) mediaType = 'image/jpeg';
  else if (d[0] === 0x47 && d[1] === 0x49 && d[2] === 0x46 && d[3] === 0x38)
    mediaType = 'image/gif';
  else return null;
  return {
    mediaType,
    width: picture.width,
    height: picture.height,
    dataUrl: `data:${mediaType};base64,${Buffer.from(d.buffer, d.byteOffset, d.length).toString('base64')}`,
  };
}

/** The seal picture of each signed signature field of a PDF, by field name (best effort: display only). */
function pdfSealPictures(doc: PdfDocument | undefined): Map<string, SesPictureInfo> {
  const out = new Map<string, SesPictureInfo>();
  if (doc === undefined) return out;
  try {
    for (const field of getAcroForm(doc)?.signatureFields ?? []) {
      if (field.value === null) continue;
      const sig = doc.resolveDict(field.value);
      const contents = sig?.get('Contents');
      if (sig === undefined || !(contents instanceof PdfString)) continue;
      const end = derEnd(contents.bytes);
      if (end === undefined || end > contents.bytes.length) continue;
      const der = contents.bytes.subarray(0, end);
      try {
        const sub = sig.get('SubFilter');
        if (sub instanceof PdfName && sub.name === PDF_SES_SUBFILTER) {
          out.set(field.name, parseSesSignature(der).toSign.seal.sealInfo.picture);
          continue;
        }
        const attr = parseCms(der).signedAttributes.find((a) => a.oid === SEAL_ATTRIBUTE_OID);
        if (attr !== undefined) out.set(field.name, readSealAttribute(attr).sealInfo.picture);
      } catch (err) {
        // The verifier reports an unreadable signature or seal; the picture is only left out.
        if (!isGovTrustError(err)) throw err;
      }
    }
  } catch (err) {
    if (!isGovTrustError(err)) throw err;
  }
  return out;
}

/** The seal picture of each OFD signature, by its Signature.xml location (the SES_Signature beside it). */
async function ofdSealPictures(
  bytes: Uint8Array,
  signatures: readonly OfdSignatureReport[],
): Promise<Map<string, SesPictureInfo>> {
  const out = new Map<string, SesPictureInfo>();
  const zip = await openOfdZip(bytes);
  try {
    for (const s of signatures) {
      // Locations may be absolute in the package ("/Doc_0/Signs/Sign_0/Signature.xml").
      const loc = s.location.replace(/^\/+/, '');
      const dir = loc.includes('/') ? loc.slice(0, loc.lastIndexOf('/')) : '';
      const candidates = zip.names.filter(
        (n) =>
          n !== loc &&
          !n.toLowerCase().endsWith('.xml') &&
          (dir === ''
            ? !n.includes('/')
            : n.startsWith(`${dir}/`) && !n.slice(dir.length + 1).includes('/')),
      );
      for (const name of candidates.slice(0, 8)) {
        try {
          out.set(s.location, parseSesSignature(await zip.read(name)).toSign.seal.sealInfo.picture);
          break;
        } catch (err) {
          if (!isGovTrustError(err)) throw err;
        }
      }
    }
  } finally {
    zip.close();
  }
  return out;
}

/** True when the PDF carries embedded files (a licence face carries its signed data as one). */
function hasAttachments(doc: PdfDocument | undefined): boolean {
  if (doc === undefined) return false;
  try {
    if (doc.catalog.get('AF') !== undefined) return true;
    const names = doc.resolveDict(doc.catalog.get('Names'));
    return names?.get('EmbeddedFiles') !== undefined;
  } catch (err) {
    if (!isGovTrustError(err)) throw err;
    return false;
  }
}

/** Creates the verifier over the server's PKI and seal records. */
export function createDocumentVerifier(options: DocumentVerifierOptions): DocumentVerifier {
  const { pki, store } = options;
  // Revocation of the server's own certificates, answered by its OCSP responder without any
  // network call; other issuers are `unknown` (the public endpoint never fetches URLs it is given).
  const revocation: RevocationSource = createOcspRevocationSource({
    url: 'urn:govtrust:in-process-ocsp',
    fetch: async (_url, init) => {
      const body = init?.body;
      const der = body instanceof Uint8Array ? body : new Uint8Array(0);
      return new Response(Buffer.from(await pki.ocsp.handleRequest(der)), {
        status: 200,
        headers: { 'content-type': 'application/ocsp-response' },
      });
    },
  });
  const sealStatus: SealStatusSource = {
    async check(seal) {
      const page = await store.query('seals', {
        index: 'esid',
        equals: seal.sealInfo.esID,
        limit: 1,
      });
      const rec = page.items[0]?.value;
      if (rec === undefined) {
        // A licence issuer's seal (sealed onto its faces) is in force while the issuer is registered.
        const issuers = await store.query('licence-issuers', { limit: 1000 });
        const own = issuers.items.some(
          (i) =>
            i.value.sealData !== undefined &&
            Buffer.from(i.value.sealData, 'base64').equals(Buffer.from(seal.der)),
        );
        return { status: own ? 'active' : 'unknown' };
      }
      return {
        status: rec.status,
        since: new Date(rec.statusSince),
        ...(rec.statusReason === undefined ? {} : { reason: rec.statusReason }),
      };
    },
  };
  const intermediates = pki.algorithms.map((s) => s.intermediate.certificate.der);
  const pictures = (found: Map<string, SesPictureInfo>, key: string): SealPictureView | null => {
    const p = found.get(key);
    return p === undefined ? null : pictureView(p, options.pictureBytes);
  };

  async function verifyLicenceBytes(bytes: Uint8Array, now: Date): Promise<LicenceReport> {
    const settings = (await options.licence?.()) ?? {};
    return verifyLicence(bytes, {
      trust: pki.trust,
      now,
      revocation,
      sealStatus,
      intermediates,
      ...(settings.statusSource === undefined ? {} : { statusSource: settings.statusSource }),
      ...(settings.types === undefined ? {} : { types: settings.types }),
      ...(settings.verificationUrl === undefined
        ? {}
        : { verificationUrl: settings.verificationUrl }),
    });
  }

  return {
    async verify(bytes, declaredType) {
      const now = options.now();
      const checkedAt = now.toISOString();
      const sniffed = sniffDocument(bytes);
      if (sniffed === undefined)
        throw unsupported(
          declaredType,
          PDF_TYPES.has(declaredType)
            ? 'is not a PDF (no %PDF- header)'
            : OFD_TYPES.has(declaredType)
              ? 'is not a zip package'
              : 'is of a kind GovTrust does not verify',
        );
      if (sniffed === 'json') {
        try {
          parseSignedLicence(bytes);
        } catch (err) {
          if (isGovTrustError(err))
            throw unsupported(declaredType, 'is JSON but not a signed licence data file');
          throw err;
        }
        const { face: _face, ...report } = await verifyLicenceBytes(bytes, now);
        return { kind: 'licence-data', checkedAt, ...report };
      }
      if (sniffed === 'zip') {
        const zip = await openOfdZip(bytes).catch((err: unknown) => {
          if (isGovTrustError(err))
            throw unsupported(declaredType, 'is not a readable zip package');
          throw err;
        });
        const isOfd = zip.has('OFD.xml');
        zip.close();
        if (!isOfd)
          throw unsupported(declaredType, 'is a zip package without OFD.xml (not an OFD document)');
        const report = await verifyOfdSeals(bytes, { now, trust: pki.trust, revocation });
        const found = await ofdSealPictures(bytes, report.signatures);
        return {
          kind: 'ofd',
          checkedAt,
          ...report,
          signatures: report.signatures.map((s) => ({
            ...s,
            sealPicture: pictures(found, s.location),
          })),
        };
      }
      let doc: PdfDocument | undefined;
      try {
        doc = openPdf(bytes);
      } catch (err) {
        // verifySealedPdf reports what it can of a partly readable file, or throws the reason.
        if (!isGovTrustError(err)) throw err;
      }
      const found = pdfSealPictures(doc);
      if (hasAttachments(doc)) {
        const licence = await verifyLicenceBytes(bytes, now);
        if (licence.face !== undefined && licence.face.attachment !== null) {
          return {
            kind: 'licence-face',
            checkedAt,
            ...licence,
            face: {
              ...licence.face,
              signatures: licence.face.signatures.map((s) => ({
                ...s,
                sealPicture: pictures(found, s.field),
              })),
            },
          };
        }
      }
      const report = await verifySealedPdf(bytes, {
        trust: pki.trust,
        now,
        revocation,
        sealStatus,
        intermediates,
      });
      return {
        kind: 'pdf',
        checkedAt,
        ...report,
        signatures: report.signatures.map((s) => ({
          ...s,
          sealPicture: pictures(found, s.field),
        })),
      };
    },
  };
}
