/**
 * `verifySealedPdf`: validates every signature and document time-stamp of a PDF in the order of
 * pdf-signing.md §3.8 (ISO 32000-1 §12.8, ETSI EN 319 142-1 PAdES, EN 319 102-1): strict parse,
 * discovery through every revision, dictionary and ByteRange checks, CMS over the streamed
 * ByteRange digest, time-stamps, path validation at the best proven time, modification analysis
 * of every later revision, PAdES level; the report of DESIGN.md section 4.
 * @module
 */
import { parseCms, type ParsedCms } from '../cms/index.js';
import type { SignatureAlgorithm } from '../crypto/index.js';
import {
  GovTrustError,
  InputTooLargeError,
  PdfLimitError,
  PdfParseError,
} from '../errors/index.js';
import { toHex } from '../internal/bytes.js';
import {
  createEmbeddedRevocationSource,
  createTrustStore,
  parseTimestampToken,
  type Certificate,
  type PathValidationReport,
} from '../pki/index.js';
import { pkixOids } from '../pki/oids.js';
import {
  checkSealBinding,
  PDF_SES_SUBFILTER,
  verifyPdfSesSignature,
  type SealBindingSummary,
} from '../seal/index.js';
import { openPdf, type OpenPdfOptions, type PdfDocument } from './document.js';
import { PdfDict, PdfName, PdfRef, PdfString } from './objects.js';
import { isWhitespace } from './syntax.js';
import { checkByteRange, readContents, type ByteRangeResult } from './verify-byte-range.js';
import { ModificationAnalyzer, type SignaturePermissions } from './verify-diff.js';
import { runDigestJobs, type DigestJob } from './verify-digest.js';
import { discoverSignatures, type SignatureCandidate } from './verify-discover.js';
import {
  arrayAt,
  catalogAt,
  DiffBudgetError,
  dictAt,
  locationKey,
  walkForm,
} from './verify-graph.js';
import { cmsValidationData, readDss, type DocumentSecurityStore } from './verify-ltv.js';
import {
  Findings,
  worseStatus,
  type PdfSealSummary,
  type PdfSignatureReport,
  type PdfVerificationReport,
  type PdfVerificationStatus,
  type VerifySealedPdfOptions,
} from './verify-report.js';
import {
  checkCms,
  checkTimestamp,
  checkTrust,
  flagWeak,
  revocationFor,
  type SignatureContext,
  type TimestampOutcome,
} from './verify-signature.js';

const DEFAULT_MAX_FILE = 2 * 1024 * 1024 * 1024;
/** Objects the signature discovery may read (every object of every revision, once). */
const DISCOVERY_BUDGET = 10_000_000;
const CMS_SUBFILTERS = new Set(['adbe.pkcs7.detached', 'ETSI.CAdES.detached']);
const SHA1_SUBFILTERS = new Set(['adbe.pkcs7.sha1', 'adbe.x509.rsa_sha1']);
/** A claimed signing time this far after the time-stamp is reported (clocks drift; tokens take time). */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Per-signature working state. */
interface Work {
  readonly cand: SignatureCandidate;
  readonly f: Findings;
  readonly subFilter: string;
  readonly kind: 'cms' | 'timestamp' | 'ses' | 'none';
  readonly br: ByteRangeResult | undefined;
  readonly der: Uint8Array | undefined;
  readonly cms: ParsedCms | undefined;
  readonly job: DigestJob | undefined;
  /** 0-based revision the signature is judged from: the signed one, else the one that wrote it. */
  readonly base: number;
  intact: boolean;
  algorithm: SignatureAlgorithm | null;
  signer: Certificate | undefined;
  claimed: Date | undefined;
  timestamp: TimestampOutcome | undefined;
  padesAttributes: boolean;
  path: PathValidationReport | undefined;
  trusted: boolean;
  revocation: PdfSignatureReport['revocation'];
  modifications: PdfSignatureReport['modifications'];
  level: PdfSignatureReport['level'];
  seal: PdfSealSummary | null;
  perms: SignaturePermissions;
}

const NO_LOCKS: SignaturePermissions = {
  docMdp: null,
  certification: false,
  isLocked: () => false,
};

/** Parses a PDF date (ISO 32000-1 §7.9.4), e.g. `D:20260601080000+08'00'`. */
export function parsePdfDate(text: string): Date | undefined {
  const m =
    /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz])'?|([+-])(\d{2})'?(?:(\d{2})'?)?)?$/.exec(
      text.trim(),
    );
  if (!m) return undefined;
  const n = (s: string | undefined, d: number): number => (s === undefined ? d : Number(s));
  const [year, month, day, hour, minute, second] = [
    n(m[1], 0),
    n(m[2], 1),
    n(m[3], 1),
    n(m[4], 0),
    n(m[5], 0),
    n(m[6], 0),
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  let offset = 0;
  if (m[8] !== undefined) offset = (m[8] === '-' ? -1 : 1) * (n(m[9], 0) * 60 + n(m[10], 0));
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second) - offset * 60_000);
}

interface Opened {
  readonly doc: PdfDocument;
  /** Set when only a prefix of the file parses: why the rest does not. */
  readonly malformedTail?: { readonly error: PdfParseError; readonly at: number };
}

/**
 * Opens strictly. When the whole file does not parse, the longest prefix ending at a `%%EOF` that
 * does is used so the signatures in it can still be reported: nothing is repaired or trusted,
 * the unparseable rest makes every signature's modifications `disallowed`.
 */
function openForVerification(pdf: Uint8Array, open: OpenPdfOptions): Opened {
  try {
    const doc = openPdf(pdf, open);
    // Bytes after the newest revision that are not whitespace belong to no revision: an update
    // nobody can read (and that a lenient reader might), never part of what was signed.
    let p = doc.latest.end;
    while (p < pdf.length && isWhitespace(pdf[p])) p++;
    if (p < pdf.length)
      return {
        doc,
        malformedTail: {
          error: new PdfParseError('Bytes after the last revision belong to no revision', {
            offset: p,
          }),
          at: doc.latest.end,
        },
      };
    return { doc };
  } catch (err) {
    if (!(err instanceof PdfParseError)) throw err;
    const buf = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.length);
    let from = pdf.length;
    for (let tries = 0; tries < 32 && from > 0; tries++) {
      const at = buf.lastIndexOf('%%EOF', from - 1, 'latin1');
      if (at < 0) break;
      from = at;
      let end = at + 5;
      if (pdf[end] === 0x0d) end++;
      if (pdf[end] === 0x0a) end++;
      if (end >= pdf.length) continue;
      try {
        return { doc: openPdf(pdf.subarray(0, end), open), malformedTail: { error: err, at: end } };
      } catch (e) {
        if (!(e instanceof GovTrustError)) throw e;
      }
    }
    throw err;
  }
}

function prepare(file: Uint8Array, doc: PdfDocument, cand: SignatureCandidate): Work {
  const f = new Findings();
  const d = cand.dict;
  const base = {
    cand,
    f,
    intact: false,
    algorithm: null,
    signer: undefined,
    claimed: undefined,
    timestamp: undefined,
    padesAttributes: false,
    path: undefined,
    trusted: false,
    revocation: 'not-checked' as const,
    modifications: 'none' as const,
    level: null,
    seal: null,
    perms: NO_LOCKS,
  };
  if (d === undefined) {
    f.invalid(
      'ERR_PDF_SIGNATURE_DICTIONARY',
      cand.problem ?? 'The signature field has no signature dictionary',
    );
    return {
      ...base,
      subFilter: '',
      kind: 'none',
      br: undefined,
      der: undefined,
      cms: undefined,
      job: undefined,
      base: cand.definedIn,
    };
  }
  const type = d.get('Type');
  const typeName = type instanceof PdfName ? type.name : undefined;
  if (type !== undefined && typeName !== 'Sig' && typeName !== 'DocTimeStamp')
    f.invalid(
      'ERR_PDF_SIGNATURE_DICTIONARY',
      'The signature dictionary has a /Type other than /Sig or /DocTimeStamp',
    );
  if (!(d.get('Filter') instanceof PdfName))
    f.invalid('ERR_PDF_SIGNATURE_DICTIONARY', 'The signature dictionary has no /Filter');
  const sub = d.get('SubFilter');
  const subFilter = sub instanceof PdfName ? sub.name : '';
  let kind: Work['kind'] = 'none';
  if (subFilter === 'ETSI.RFC3161') {
    kind = 'timestamp';
    if (typeName !== 'DocTimeStamp')
      f.warn(
        'ERR_PDF_SIGNATURE_DICTIONARY',
        'A document time-stamp should have /Type /DocTimeStamp (ISO 32000-2 Table 255)',
      );
  } else if (CMS_SUBFILTERS.has(subFilter) && typeName !== 'DocTimeStamp') kind = 'cms';
  else if (subFilter === PDF_SES_SUBFILTER && typeName !== 'DocTimeStamp') kind = 'ses';
  else
    f.invalid(
      'ERR_PDF_SUBFILTER_UNSUPPORTED',
      subFilter === ''
        ? 'The signature has no /SubFilter'
        : `The signature format /${subFilter}${typeName === 'DocTimeStamp' ? ' of a document time-stamp' : ''} is not supported${SHA1_SUBFILTERS.has(subFilter) ? ' (a deprecated SHA-1 format)' : ''}`,
    );
  const br = checkByteRange(file, doc, d, cand.offset, f);
  // §3.3 (4): the revision the signed bytes end with is the one that wrote this dictionary.
  if (
    br.signedRevision !== undefined &&
    (br.signedRevision !== cand.definedIn ||
      locationKey(doc, cand.ref.num, br.signedRevision) !== cand.key)
  )
    f.invalid(
      'ERR_PDF_SIGNATURE_NOT_IN_REVISION',
      `The signed bytes end with revision ${br.signedRevision + 1}, but this signature dictionary belongs to revision ${cand.definedIn + 1}`,
    );
  const der = readContents(d, f);
  let cms: ParsedCms | undefined;
  let job: DigestJob | undefined;
  if (der !== undefined && kind === 'cms') {
    try {
      cms = parseCms(der);
    } catch (err) {
      if (!(err instanceof GovTrustError)) throw err;
      f.invalid('ERR_CMS_PARSE', err.message);
    }
    if (cms !== undefined) {
      if (cms.signerInfos.length !== 1)
        f.invalid(
          'ERR_PDF_CMS_SIGNER_COUNT',
          `The CMS holds ${cms.signerInfos.length} signers, not one`,
        );
      if (cms.encapsulatedContentType !== pkixOids.data)
        f.invalid(
          'ERR_PDF_CMS_CONTENT_TYPE',
          `The signed content type is ${cms.encapsulatedContentType}, not id-data`,
        );
      if (cms.encapsulatedContent !== undefined)
        f.invalid(
          'ERR_PDF_CMS_NOT_DETACHED',
          'The CMS encapsulates content; a PDF signature signs its byte range detached',
        );
      if (cms.digestAlgorithm !== null && br.ranges !== undefined)
        job = { algorithm: cms.digestAlgorithm, ranges: br.ranges };
    }
  } else if (der !== undefined && kind === 'ses' && br.ranges !== undefined) {
    // GB/T 38540 compatibility mode: dataHash is SM3 of the ByteRange bytes (docs/seal-binding.md).
    job = { algorithm: 'sm3', ranges: br.ranges };
  } else if (der !== undefined && kind === 'timestamp') {
    try {
      const info = parseTimestampToken(der);
      if (info.hashAlgorithm !== null && br.ranges !== undefined)
        job = { algorithm: info.hashAlgorithm, ranges: br.ranges };
    } catch (err) {
      if (!(err instanceof GovTrustError)) throw err;
      f.invalid(err.code, err.message);
    }
  }
  return { ...base, subFilter, kind, br, der, cms, job, base: br.signedRevision ?? cand.definedIn };
}

/** What a signature permits after it: DocMDP (certification), FieldMDP locks, PDF 2.0 /Lock /P. */
function permissionsOf(
  doc: PdfDocument,
  cand: SignatureCandidate,
  rev: number,
): SignaturePermissions {
  const d = cand.dict;
  if (d === undefined) return NO_LOCKS;
  let docMdp: 1 | 2 | 3 | null = null;
  let certification = false;
  const locks: { action: string; fields: string[] }[] = [];
  const lockOf = (params: PdfDict): { action: string; fields: string[] } => ({
    action: params.getName('Action') ?? '',
    fields: (arrayAt(doc, params.get('Fields'), rev) ?? [])
      .filter((x): x is PdfString => x instanceof PdfString)
      .map((x) => x.toText()),
  });
  for (const r of (arrayAt(doc, d.get('Reference'), rev) ?? []).slice(0, 16)) {
    const sigRef = dictAt(doc, r, rev);
    const method = sigRef?.getName('TransformMethod');
    const params = dictAt(doc, sigRef?.get('TransformParams'), rev);
    if (method === 'DocMDP') {
      certification = true;
      const p = params?.get('P');
      docMdp = p === 1 || p === 3 ? p : 2; // Table 254: default 2
    } else if (method === 'FieldMDP' && params !== undefined) locks.push(lockOf(params));
  }
  const perms = dictAt(doc, catalogAt(doc, rev)?.dict.get('Perms'), rev);
  const mdp = perms?.get('DocMDP');
  if (mdp instanceof PdfRef && mdp.num === cand.ref.num && !certification) {
    certification = true;
    docMdp = 2;
  }
  if (cand.field !== null) {
    try {
      const field = walkForm(doc, rev, { left: 1_000_000 }).fields.find(
        (x) => x.name === cand.field,
      );
      const lock = dictAt(doc, field?.dict.get('Lock'), rev);
      if (lock !== undefined) {
        locks.push(lockOf(lock));
        // ISO 32000-2 Table 236: /P in a field lock restricts later changes as DocMDP does.
        const p = lock.get('P');
        if (p === 1 || p === 2 || p === 3)
          docMdp = docMdp === null ? p : (Math.min(docMdp, p) as 1 | 2 | 3);
      }
    } catch (err) {
      if (!(err instanceof DiffBudgetError)) throw err;
    }
  }
  const matches = (name: string, x: string): boolean => name === x || name.startsWith(`${x}.`);
  return {
    docMdp,
    certification,
    isLocked: (name) =>
      locks.some((l) =>
        l.action === 'All'
          ? true
          : l.action === 'Include'
            ? l.fields.some((x) => matches(name, x))
            : l.action === 'Exclude'
              ? !l.fields.some((x) => matches(name, x))
              : false,
      ),
  };
}

/** The report's seal object (DESIGN.md section 4) from the binding's summary. */
function sealSummary(s: SealBindingSummary): PdfSealSummary {
  return {
    esID: s.esID,
    name: s.name,
    type: s.type,
    valid: s.valid,
    validFrom: s.validFrom,
    validTo: s.validTo,
  };
}

function issuerOf(path: PathValidationReport | undefined): Certificate | undefined {
  return path?.chain[1];
}

/**
 * Verifies every signature and document time-stamp of a PDF: integrity, coverage, changes after
 * signing, time, trust and PAdES level. Attacks and damage yield a report with coded reasons.
 * @example const report = await verifySealedPdf(bytes, { trust: createTrustStore([rootPem]) }); report.status
 * @throws {InputTooLargeError} ERR_INPUT_TOO_LARGE above `policy.maxFileBytes`
 * @throws {PdfParseError} ERR_PDF_PARSE when no part of the file parses strictly (no repair)
 * @throws {PdfEncryptedError} ERR_PDF_ENCRYPTED for an encrypted file
 * @throws {PdfHybridXrefError} ERR_PDF_HYBRID_XREF for a hybrid-reference file unless allowed
 * @throws {PdfLimitError} ERR_PDF_LIMIT when a safety limit of the reader is exceeded
 */
export async function verifySealedPdf(
  pdf: Uint8Array,
  options: VerifySealedPdfOptions = {},
): Promise<PdfVerificationReport> {
  const policy = options.policy ?? {};
  const maxFile = policy.maxFileBytes ?? DEFAULT_MAX_FILE;
  if (pdf.length > maxFile)
    throw new InputTooLargeError(`The PDF is larger than ${maxFile} bytes`, maxFile);
  const opened = openForVerification(pdf, {
    allowHybrid: policy.allowHybridXref === true,
    maxFileBytes: maxFile,
  });
  const doc = opened.doc;
  let candidates: SignatureCandidate[];
  try {
    candidates = discoverSignatures(doc, { left: DISCOVERY_BUDGET });
  } catch (err) {
    if (err instanceof DiffBudgetError)
      throw new PdfLimitError('maxObjects', 'Too many objects to look for signatures in');
    throw err;
  }
  // A usage-rights signature no field names is the viewer vendor's, not part of the document.
  candidates = candidates.filter((c) => !(c.usageRights && c.fieldRevision === null));
  if (opened.malformedTail !== undefined && candidates.length === 0)
    throw opened.malformedTail.error;

  const works = candidates.map((c) => prepare(pdf, doc, c));
  const fileJob: DigestJob = { algorithm: 'sha256', ranges: [[0, pdf.length]] };
  runDigestJobs(pdf, [fileJob, ...works.flatMap((w) => (w.job === undefined ? [] : [w.job]))]);

  const dss: DocumentSecurityStore =
    works.length > 0 ? readDss(doc) : { since: undefined, certs: [], crls: [], ocsps: [] };
  const ctx: SignatureContext = {
    trust: options.trust ?? createTrustStore([]),
    now: options.now ?? new Date(),
    revocation: options.revocation,
    dss,
    intermediates: [...(options.intermediates ?? []), ...dss.certs],
    allowWeakAlgorithms: policy.allowWeakAlgorithms === true,
    revocationRequired: policy.revocationRequired === true,
  };

  // Document time-stamps first: they prove when the signatures they cover existed.
  for (const w of works) {
    if (w.kind !== 'timestamp' || w.der === undefined) continue;
    const job = w.job;
    const t = await checkTimestamp(
      ctx,
      w.der,
      (alg) => (job?.algorithm === alg ? job.result : undefined),
      revocationFor(ctx, { certs: [], crls: [], ocsps: [] }),
    );
    if ('error' in t) {
      w.f.invalid('ERR_TSP_PARSE', `The document time-stamp cannot be checked: ${t.error}`);
      continue;
    }
    w.timestamp = t;
    w.intact = t.cryptoValid && w.br?.ranges !== undefined;
    const report = t.report!;
    for (const e of report.errors) {
      if (e.code === 'ERR_TSP_UNTRUSTED') w.f.indeterminate(e.code, e.message);
      else w.f.invalid(e.code, e.message);
    }
    for (const x of report.warnings) w.f.warn(x.code, x.message);
    if (report.hashAlgorithm === 'sha1') flagWeak(ctx, w.f, 'The document time-stamp uses SHA-1');
    w.signer = report.tsaCertificate;
    w.trusted = report.trusted;
    w.revocation = report.chain?.revocation ?? 'not-checked';
    w.claimed = report.time;
    try {
      w.algorithm = parseCms(w.der).signatureAlgorithm;
    } catch {
      w.algorithm = null;
    }
  }
  const timestamps = works.filter((w) => w.kind === 'timestamp' && w.timestamp !== undefined);
  /** Document time-stamps whose signed bytes include revision `rev`. */
  const coveringStamps = (rev: number): Work[] =>
    timestamps.filter((t) => t.br?.signedRevision !== undefined && t.br.signedRevision >= rev);

  for (const w of works) {
    if (w.kind !== 'cms' || w.cms === undefined) continue;
    const revocation = revocationFor(ctx, cmsValidationData(w.cms));
    const job = w.job;
    const out = await checkCms(
      ctx,
      w.f,
      w.cms,
      w.subFilter,
      w.br?.ranges,
      pdf,
      job?.result === undefined ? undefined : { algorithm: job.algorithm, value: job.result },
      revocation,
    );
    w.intact = out.intact;
    w.algorithm = out.algorithm;
    w.signer = out.signer;
    w.timestamp = out.timestamp;
    w.padesAttributes = out.padesAttributes;
    const m = w.cand.dict?.get('M');
    if (m instanceof PdfString) {
      w.claimed = parsePdfDate(m.toText());
      if (w.claimed === undefined)
        w.f.warn(
          'ERR_PDF_SIGNING_TIME_MISMATCH',
          `The signing time /M "${m.toText().slice(0, 40)}" is not a PDF date`,
        );
    }
    w.claimed ??= out.claimedTime;
    // The best proven time: a trusted signature time-stamp, or a trusted document time-stamp over it.
    const proofs: Date[] = [];
    if (out.timestamp?.valid === true && out.timestamp.report?.trusted === true)
      proofs.push(out.timestamp.time);
    for (const t of coveringStamps(w.base))
      if (t.timestamp?.valid === true && t.timestamp.report?.trusted === true)
        proofs.push(t.timestamp.time);
    const proven =
      proofs.length === 0 ? undefined : new Date(Math.min(...proofs.map((d) => d.getTime())));
    if (
      w.claimed !== undefined &&
      out.timestamp !== undefined &&
      w.claimed.getTime() > out.timestamp.time.getTime() + CLOCK_SKEW_MS
    )
      w.f.warn(
        'ERR_PDF_SIGNING_TIME_MISMATCH',
        `The claimed signing time ${w.claimed.toISOString()} is after the time-stamp ${out.timestamp.time.toISOString()}`,
      );
    if (out.signer !== undefined) {
      w.path = await checkTrust(
        ctx,
        w.f,
        out.signer,
        w.cms.certificates,
        proven ?? ctx.now,
        proven !== undefined,
        revocation,
      );
      w.trusted = w.path.trusted;
      w.revocation = w.path.revocation;
      if (out.sealDer !== undefined) {
        // The seal must have been valid, and the signer in its certList, when the document was signed.
        try {
          const b = await checkSealBinding({
            sealDer: out.sealDer,
            signerCertificate: out.signer,
            signingTime: proven ?? w.claimed ?? ctx.now,
            signingTimeProven: proven !== undefined,
            trust: ctx.trust,
            now: ctx.now,
            intermediates: [...w.cms.certificates, ...ctx.intermediates],
            ...(revocation === undefined ? {} : { revocation }),
            ...(options.sealStatus === undefined ? {} : { sealStatus: options.sealStatus }),
          });
          w.seal = sealSummary(b.seal);
          for (const e of b.errors)
            if (b.status === 'indeterminate') w.f.indeterminate(e.code, e.message);
            else w.f.invalid(e.code, e.message);
          for (const x of b.warnings) w.f.warn(x.code, x.message);
        } catch (err) {
          if (!(err instanceof GovTrustError)) throw err;
          w.f.invalid(err.code, `The seal the signature carries cannot be read: ${err.message}`);
        }
      }
    }
  }

  // GB/T 38540 compatibility-mode signatures: an SES_Signature in /Contents.
  for (const w of works) {
    if (w.kind !== 'ses' || w.der === undefined || w.job?.result === undefined) continue;
    const r = await verifyPdfSesSignature({
      contents: w.der,
      byteRangeDigest: w.job.result,
      trust: ctx.trust,
      now: ctx.now,
      intermediates: ctx.intermediates,
      byteRange: w.cand.dict?.get('ByteRange') as number[],
      ...(ctx.revocation === undefined ? {} : { revocation: ctx.revocation }),
      ...(options.sealStatus === undefined ? {} : { sealStatus: options.sealStatus }),
    });
    w.intact = r.intact;
    w.algorithm = r.algorithm;
    w.signer = r.signerCertificate;
    w.claimed = r.signingTime;
    w.trusted = r.trusted;
    w.revocation = r.revocation;
    w.seal = r.seal === null ? null : sealSummary(r.seal);
    for (const e of r.errors)
      if (r.status === 'indeterminate') w.f.indeterminate(e.code, e.message);
      else w.f.invalid(e.code, e.message);
    for (const x of r.warnings) w.f.warn(x.code, x.message);
    if (r.algorithm === 'rsa-pkcs1-sha1' || r.algorithm === 'ecdsa-sha1')
      flagWeak(ctx, w.f, 'The seal signature uses SHA-1');
  }

  // Changes after signing, certification rules, stripped signatures.
  const analyzer = new ModificationAnalyzer(doc, {
    maxObjects: policy.maxDiffObjects ?? 2_000_000,
    allowVisibleSignaturesAfterCertification:
      policy.allowVisibleSignaturesAfterCertification === true,
  });
  for (const w of works) {
    if (w.cand.dict === undefined) continue;
    w.perms = permissionsOf(doc, w.cand, w.base);
    const out = analyzer.analyze(w.base, w.perms);
    w.modifications = out.modifications;
    for (const e of out.errors) w.f.invalid(e.code, e.message);
    if (opened.malformedTail !== undefined) {
      w.modifications = 'disallowed';
      w.f.invalid(
        'ERR_PDF_UPDATE_MALFORMED',
        `The bytes after ${opened.malformedTail.at} are not a well-formed incremental update: ${opened.malformedTail.error.message}`,
      );
    }
    if (!w.cand.inLatest) {
      if (w.cand.fieldRevision !== null) {
        w.modifications = 'disallowed';
        w.f.invalid(
          'ERR_PDF_SIGNATURE_REMOVED',
          `The signature${w.cand.field === null ? '' : ` of field ${w.cand.field}`} was referenced in revision ${w.cand.fieldRevision + 1} but no longer is`,
        );
      } else
        w.f.invalid(
          'ERR_PDF_SIGNATURE_ORPHANED',
          `Signature dictionary ${w.cand.ref.num} (revision ${w.cand.definedIn + 1}) is not the value of any signature field`,
        );
    }
  }
  const certifications = works.filter((w) => w.perms.certification);
  for (const extra of certifications.slice(1))
    extra.f.invalid(
      'ERR_PDF_CERTIFICATION_ORDER',
      'The document has more than one certification signature',
    );
  const first = certifications[0];
  if (
    first !== undefined &&
    works.some((w) => w.kind === 'cms' && !w.perms.certification && w.base < first.base)
  )
    first.f.invalid(
      'ERR_PDF_CERTIFICATION_ORDER',
      'The certification signature follows an approval signature (ISO 32000-1 §12.8.2.2.1)',
    );

  // PAdES baseline level (ETSI EN 319 142-1 §6).
  for (const w of works) {
    if (
      w.kind !== 'cms' ||
      w.subFilter !== 'ETSI.CAdES.detached' ||
      !w.intact ||
      !w.padesAttributes
    )
      continue;
    w.level = 'B-B';
    const stamps = coveringStamps(w.base).filter((t) => t.timestamp?.cryptoValid === true);
    if (w.timestamp?.cryptoValid !== true && stamps.length === 0) continue;
    w.level = 'B-T';
    const issuer = issuerOf(w.path);
    if (dss.since === undefined || w.signer === undefined || issuer === undefined) continue;
    const dssOnly = createEmbeddedRevocationSource({ crls: dss.crls, ocspResponses: dss.ocsps });
    const status = await dssOnly.check(w.signer, issuer, w.timestamp?.time ?? ctx.now);
    if (status.status !== 'good') continue;
    w.level = 'B-LT';
    if (stamps.some((t) => t.base >= dss.since!)) w.level = 'B-LTA';
  }

  const signatures = works.map((w): PdfSignatureReport => ({
    field: w.cand.field ?? '',
    revision: w.cand.definedIn + 1,
    subFilter: w.subFilter,
    status: w.f.status,
    intact: w.intact,
    coverage: w.br?.coverage ?? 'partial',
    modifications: w.modifications,
    trusted: w.trusted,
    revocation: w.revocation,
    level: w.level,
    algorithm: w.algorithm,
    signer:
      w.signer === undefined
        ? null
        : {
            subject: w.signer.subject,
            issuer: w.signer.issuer,
            serialNumber: w.signer.serialNumber,
          },
    signingTime: w.claimed?.toISOString() ?? null,
    timestamp:
      w.timestamp === undefined
        ? null
        : { time: w.timestamp.time.toISOString(), tsa: w.timestamp.tsa, valid: w.timestamp.valid },
    seal: w.seal,
    errors: w.f.errors.map((e) => ({ code: e.code, message: e.message })),
    warnings: [...w.f.warnings],
  }));
  const status = signatures.reduce<PdfVerificationStatus>(
    (s, x) => worseStatus(s, x.status),
    signatures.length === 0 ? 'invalid' : 'valid',
  );
  return {
    status,
    file: {
      sha256: toHex(fileJob.result!),
      size: pdf.length,
      revisions: doc.revisions.length + (opened.malformedTail === undefined ? 0 : 1),
    },
    signatures,
  };
}
