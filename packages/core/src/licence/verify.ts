/**
 * Licence verification (电子证照核验) for a face PDF or a signed licence data file: the issuer's
 * signature and chain over the data, the seal on the face (PAdES, GB/T 38540 seal attribute),
 * the validity period, the status from a status source, and face/data consistency; reported in
 * the DESIGN.md §4 shape with the provincial 0-7 result.
 * @module
 */
import { parseCms, verifyCms } from '../cms/index.js';
import {
  openPdf,
  verifySealedPdf,
  type OpenPdfOptions,
  type PdfSignatureReport,
} from '../pdf/index.js';
import type { Certificate } from '../pki/index.js';
import type { SealStatusSource } from '../seal/index.js';
import {
  checkFaceContent,
  findLicenceAttachments,
  organisationOf,
  signatureCertificate,
  type FaceIssue,
} from './face-check.js';
import type { LicenceType } from './licence-type.js';
import {
  verifySignedLicenceData,
  type LicenceVerificationCheck,
  type LicenceVerificationReport,
  type SignedLicence,
  type VerifySignedLicenceOptions,
} from './signed-data.js';
import { provincialResultMessages } from './status.js';

/** Options of `verifyLicence`. */
export interface VerifyLicenceOptions extends VerifySignedLicenceOptions {
  /** The base URL the face's QR code must point at (default: any base; id and digest are always checked). */
  readonly verificationUrl?: string;
  /** Reader options for face PDFs. */
  readonly pdf?: OpenPdfOptions;
  /** Where the lifecycle state of the face's GB/T 38540 seal comes from (the seal service). */
  readonly sealStatus?: SealStatusSource;
  /** More CA certificates (DER) to build paths with, e.g. the seal maker's issuing CA. */
  readonly intermediates?: readonly Uint8Array[];
}

/** The face part of a licence report. */
export interface LicenceFaceReport {
  /** Every signature on the face, oldest first (DESIGN.md §4 `signatures[]`). */
  readonly signatures: readonly PdfSignatureReport[];
  /** The attached signed data file. */
  readonly attachment: {
    readonly name: string;
    readonly relationship: string | null;
    readonly size: number;
  } | null;
  /** The QR code's text, when one was found. */
  readonly qr: string | null;
}

/** A licence verification report: the data report, and for a face PDF its face part. */
export interface LicenceReport extends LicenceVerificationReport {
  readonly input: 'face-pdf' | 'signed-data';
  readonly face?: LicenceFaceReport;
}

function isPdf(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  // A signed data file is JSON (an object); a PDF header may follow up to 1024 bytes of junk
  // (ISO 32000-1 Annex H.3 implementation note 13).
  if (head.trimStart().startsWith('{')) return false;
  return head.includes('%PDF-');
}

/** Largest decoded stream read from a face (attachments are at most 4 MiB, fonts far less). */
const FACE_MAX_DECODED = 32 * 1024 * 1024;

function typeOf(options: VerifyLicenceOptions, typeCode: string): LicenceType | undefined {
  const t = options.types;
  if (t === undefined) return undefined;
  if (typeof t === 'function') return t(typeCode);
  if (Array.isArray(t)) return (t as readonly LicenceType[]).find((x) => x.typeCode === typeCode);
  return (t as ReadonlyMap<string, LicenceType>).get(typeCode);
}

/** The data signer's certificate (the CMS is re-read: the data report keeps only its names). */
function dataSigner(signed: SignedLicence): Certificate | undefined {
  try {
    const cms = parseCms(Buffer.from(signed.signature.value, 'base64'));
    return verifyCms(cms, {}).signerCertificate;
  } catch {
    return undefined;
  }
}

/**
 * The licence codes of the issuer seal's failures, from its `verifySealedPdf` report: the face
 * checks (`own`) and the bound GB/T 38540 seal (`seal`). Each message names the PDF codes behind it.
 */
function faceSealIssues(r: PdfSignatureReport): { own: FaceIssue[]; seal: FaceIssue[] } {
  const own: FaceIssue[] = [];
  const seal: FaceIssue[] = [];
  if (r.status !== 'invalid') return { own, seal };
  const why = (codes: readonly { code: string; message: string }[]): string =>
    codes.length === 0 ? '' : ` (${codes.map((e) => `${e.code}: ${e.message}`).join('; ')})`;
  const sealCodes = r.errors.filter(
    (e) => e.code.startsWith('ERR_SEAL_') || e.code.startsWith('ERR_SES_'),
  );
  const rest = r.errors.filter((e) => !sealCodes.includes(e));
  if (!r.intact)
    own.push({
      code: 'ERR_LICENCE_FACE_SEAL_INVALID',
      message: `The seal signature does not match the document${why(rest)}`,
    });
  if (r.coverage === 'partial')
    own.push({
      code: 'ERR_LICENCE_FACE_COVERAGE',
      message: 'The seal covers only part of a revision',
    });
  if (r.modifications === 'disallowed')
    own.push({
      code: 'ERR_LICENCE_FACE_MODIFIED',
      message: `The face was changed after this seal${why(rest.filter((e) => e.code.startsWith('ERR_PDF_MOD')))}`,
    });
  if (r.timestamp !== null && !r.timestamp.valid)
    own.push({
      code: 'ERR_LICENCE_TIMESTAMP_INVALID',
      message: "The seal's time-stamp does not verify",
    });
  if (r.intact && !r.trusted)
    own.push({
      code: 'ERR_LICENCE_SEAL_UNTRUSTED',
      message: `The seal signer's certificate is not valid for sealing${why(rest)}`,
    });
  if (own.length === 0 && rest.length > 0)
    own.push({
      code: 'ERR_LICENCE_FACE_SEAL_INVALID',
      message: `The seal is not valid${why(rest)}`,
    });
  if (sealCodes.length > 0 || r.seal?.valid === false)
    seal.push({
      code: 'ERR_LICENCE_SEAL_INVALID',
      message: `The bound seal${r.seal === null ? '' : ` ${r.seal.esID} (${r.seal.name})`} is not valid${why(sealCodes)}`,
    });
  return { own, seal };
}

/**
 * Verifies a licence given as a face PDF or a signed licence data file (bytes, text or parsed).
 * For a face: the attached data file is verified as `verifySignedLicenceData` does, and the face
 * must be sealed (signature intact over the whole file, signer trusted for document signing,
 * time-stamp and bound GB/T 38540 seal valid when present), unchanged after the seal except for
 * validation data, sealed by the issuer who signed the data, and showing that data (page text
 * and QR code). Only unusable input throws.
 * @throws {LicenceDataError} ERR_LICENCE_SIGNED_FORMAT for input that is neither a PDF nor a signed licence file
 * @throws {PdfParseError} ERR_PDF_PARSE (and other ERR_PDF_*) for an unreadable PDF
 */
export async function verifyLicence(
  input: Uint8Array | string | SignedLicence,
  options: VerifyLicenceOptions,
): Promise<LicenceReport> {
  if (typeof input === 'object' && !(input instanceof Uint8Array)) {
    return { input: 'signed-data', ...(await verifySignedLicenceData(input, options)) };
  }
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  if (!isPdf(bytes))
    return { input: 'signed-data', ...(await verifySignedLicenceData(bytes, options)) };
  return verifyFace(bytes, options);
}

async function verifyFace(
  bytes: Uint8Array,
  options: VerifyLicenceOptions,
): Promise<LicenceReport> {
  const now = options.now ?? new Date();
  const doc = openPdf(bytes, { maxDecodedBytes: FACE_MAX_DECODED, ...options.pdf });
  const checks: LicenceVerificationCheck[] = [];
  const errors: { code: string; message: string }[] = [];
  const warnings: { code: string; message: string }[] = [];
  const fail = (name: LicenceVerificationCheck['name'], code: string, message: string): void => {
    checks.push({ name, status: 'failed', code, message });
    errors.push({ code, message });
  };
  let indeterminate = false;

  // The signatures, checked as any sealed PDF is (coverage, later changes under DocMDP, trust,
  // time-stamps, bound GB/T 38540 seals). The oldest signature is the issuer's seal; later ones
  // (e.g. 用证 stamps allowed by the issuer's P=2 certification) are reported alongside.
  const pdfReport = await verifySealedPdf(bytes, {
    trust: options.trust,
    now,
    ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
    ...(options.sealStatus === undefined ? {} : { sealStatus: options.sealStatus }),
    ...(options.intermediates === undefined ? {} : { intermediates: options.intermediates }),
  });
  const signatures = [...pdfReport.signatures]
    .filter((s) => s.subFilter !== 'ETSI.RFC3161')
    .sort((a, b) => a.revision - b.revision);
  const seal = signatures[0];
  const sealCert = seal === undefined ? undefined : signatureCertificate(doc, seal.field);
  if (seal === undefined) {
    fail('face-seal', 'ERR_LICENCE_FACE_NOT_SEALED', 'The face carries no signature');
  } else {
    for (const w of seal.warnings) warnings.push(w);
    const sealIssues = faceSealIssues(seal);
    const first = sealIssues.own[0];
    if (first !== undefined) {
      checks.push({
        name: 'face-seal',
        status: 'failed',
        code: first.code,
        message: first.message,
      });
      errors.push(...sealIssues.own);
    } else if (seal.status === 'indeterminate') {
      checks.push({ name: 'face-seal', status: 'indeterminate' });
      for (const e of seal.errors) warnings.push(e);
      indeterminate = true;
    } else checks.push({ name: 'face-seal', status: 'passed' });
    const sealError = sealIssues.seal[0];
    if (sealError !== undefined) {
      checks.push({
        name: 'seal',
        status: 'failed',
        code: sealError.code,
        message: sealError.message,
      });
      errors.push(...sealIssues.seal);
    } else if (seal.seal === null) {
      const message =
        'The face signature carries no GB/T 38540 seal (only a certificate signature)';
      checks.push({ name: 'seal', status: 'skipped', code: 'ERR_LICENCE_SEAL_ABSENT', message });
      warnings.push({ code: 'ERR_LICENCE_SEAL_ABSENT', message });
    } else checks.push({ name: 'seal', status: 'passed' });
  }
  // Later signatures (e.g. 用证 stamps) are reported; their failures are warnings for the licence.
  for (const s of signatures.slice(1)) {
    for (const e of s.errors) warnings.push({ code: e.code, message: `${s.field}: ${e.message}` });
  }

  // The attached signed data, as a reader gets it now.
  const attachments = findLicenceAttachments(doc);
  const attachment = attachments.length === 1 ? attachments[0] : undefined;
  if (attachment === undefined) {
    fail(
      'attachment',
      'ERR_LICENCE_FACE_NO_DATA',
      attachments.length === 0
        ? 'No signed licence data file is attached to the face'
        : `${attachments.length} signed licence data files are attached; a face carries one`,
    );
    const status = 'invalid';
    return {
      input: 'face-pdf',
      status,
      result: 7,
      resultMessage: provincialResultMessages[7],
      identifier: '',
      notYetValid: false,
      algorithm: null,
      checks,
      errors,
      warnings,
      face: {
        signatures,
        attachment: null,
        qr: null,
      },
    };
  }
  checks.push({ name: 'attachment', status: 'passed' });
  const dataReport = await verifySignedLicenceData(attachment.signed, { ...options, now });
  const data = attachment.signed.data;

  // Face and data: the same issuer, and the face shows the data.
  let qrText: string | null = null;
  if (sealCert !== undefined) {
    const signer = dataSigner(attachment.signed);
    const sameKey = signer !== undefined && sealCert.publicKey.equals(signer.publicKey);
    const org = (c: Certificate): string | undefined => organisationOf(c.subject);
    const sameOrg =
      signer !== undefined && org(signer) !== undefined && org(signer) === org(sealCert);
    if (sameKey || sameOrg) checks.push({ name: 'seal-issuer', status: 'passed' });
    else
      fail(
        'seal-issuer',
        'ERR_LICENCE_SEAL_ISSUER_MISMATCH',
        `The face is sealed by ${sealCert.subject}, the data signed by ${signer?.subject ?? '(unknown)'}`,
      );
    const boundSeal = seal?.seal ?? null;
    if (
      boundSeal !== null &&
      typeof data.issuer === 'object' &&
      !boundSeal.name.includes(data.issuer.name)
    ) {
      warnings.push({
        code: 'ERR_LICENCE_SEAL_ISSUER_MISMATCH',
        message: `The seal is named ${boundSeal.name}, the issuer ${data.issuer.name}`,
      });
    }
  }
  if (typeof data.holder === 'object' && typeof data.issuer === 'object') {
    const type = typeOf(options, data.typeCode);
    const content = checkFaceContent(doc, data, {
      ...(type === undefined ? {} : { type }),
      ...(options.verificationUrl === undefined
        ? {}
        : { verificationUrl: options.verificationUrl }),
    });
    qrText = content.qr.url ?? null;
    const problems: string[] = [];
    if (content.missing.length > 0)
      problems.push(`the face does not show ${content.missing.map((m) => `“${m}”`).join(', ')}`);
    if (!content.qr.found) problems.push('no readable QR code on the face');
    else if (!content.qr.matches)
      problems.push(`the QR code (${content.qr.url ?? ''}) is not this data's verification URL`);
    if (problems.length > 0)
      fail(
        'face-content',
        'ERR_LICENCE_FACE_MISMATCH',
        `The face and the data differ: ${problems.join('; ')}`,
      );
    else checks.push({ name: 'face-content', status: 'passed' });
  }

  const allChecks = [...checks, ...dataReport.checks];
  const allErrors = [...errors, ...dataReport.errors];
  const allWarnings = [...warnings, ...dataReport.warnings];
  const status: LicenceReport['status'] =
    allErrors.length > 0
      ? 'invalid'
      : indeterminate || dataReport.status === 'indeterminate'
        ? 'indeterminate'
        : 'valid';
  // Face problems lower the data's verdict: 7 when invalid, 4 (undecided) when indeterminate.
  const result =
    status === 'invalid'
      ? 7
      : status === 'indeterminate' && dataReport.result <= 3
        ? 4
        : dataReport.result;
  return {
    ...dataReport,
    input: 'face-pdf',
    status,
    result,
    resultMessage: provincialResultMessages[result],
    checks: allChecks,
    errors: allErrors,
    warnings: allWarnings,
    face: {
      signatures,
      attachment: {
        name: attachment.name,
        relationship: attachment.relationship,
        size: attachment.bytes.length,
      },
      qr: qrText,
    },
  };
}
