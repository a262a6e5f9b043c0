/**
 * OFD seal verification (GB/T 33190-2016 clause 18, GB/T 38540-2020 clause 7.3): every signature
 * listed in Signatures.xml, its SES_Signature, the dataHash over Signature.xml and the digests of
 * the package files it references; a report shaped like PDF verification (DESIGN.md section 4).
 * @module
 */
import { createHash } from 'node:crypto';
import { OfdPackageError, isGovTrustError } from '../../errors/index.js';
import { equalBytes, toHex } from '../../internal/bytes.js';
import type { RevocationSource, TrustStore } from '../../pki/index.js';
import type { SesSignature } from '../model.js';
import {
  IssueList,
  statusOf,
  worstStatus,
  type ReportIssue,
  type VerificationStatus,
} from '../report.js';
import { parseSesSignature } from '../ses-signature.js';
import type { CertificateSummary } from '../certificates.js';
import type { SealReport } from '../verify-seal.js';
import { verifySesSignature } from '../verify-ses-signature.js';
import { attr, child, children, parseOfdXml, text, type XmlNode } from './xml.js';
import { openOfdZip, type OfdZip, type OfdZipLimits } from './zip.js';

/** Options of `verifyOfdSeals`. */
export interface VerifyOfdOptions {
  /** Validation time (default: now); `--at` in the CLI. */
  readonly now?: Date;
  /** Trust anchors. Without them chains are not checked and `trusted` is false. */
  readonly trust?: TrustStore;
  /** Revocation source for the certificate chains (used with `trust`). */
  readonly revocation?: RevocationSource;
  /** Zip limits (see `defaultOfdZipLimits`). */
  readonly limits?: Partial<OfdZipLimits>;
}

/** The verdict on one OFD signature. */
export interface OfdSignatureReport {
  /** `ID` in Signatures.xml. */
  readonly id: string;
  /** `Seal` (SES_Signature) or `Sign` (GB/T 35275 CMS). */
  readonly type: 'Seal' | 'Sign';
  /** The Signature.xml path in the package. */
  readonly location: string;
  readonly status: VerificationStatus;
  /** The SES signature verifies, dataHash matches Signature.xml and every reference matches. */
  readonly intact: boolean;
  /** `entire-document` when every package file outside the signature folders is referenced. */
  readonly coverage: 'entire-document' | 'partial';
  /** Package files the signature does not protect (signature folders excluded). */
  readonly unprotectedFiles: readonly string[];
  readonly trusted: boolean;
  readonly revocation: 'good' | 'revoked' | 'unknown' | 'not-checked';
  readonly level: null;
  readonly algorithm: string | null;
  readonly signer: CertificateSummary | null;
  readonly signingTime: string | null;
  readonly timestamp: null;
  readonly seal: SealReport | null;
  readonly dataHashValid: boolean | null;
  readonly references: {
    readonly checkMethod: string;
    readonly count: number;
    readonly mismatched: readonly string[];
    readonly missing: readonly string[];
  };
  readonly provider: {
    readonly name?: string;
    readonly company?: string;
    readonly version?: string;
  } | null;
  /** Where the seal is shown: page ID and boundary (mm) per StampAnnot. */
  readonly stamps: readonly { readonly page: string; readonly boundary: string }[];
  readonly errors: readonly ReportIssue[];
  readonly warnings: readonly ReportIssue[];
}

/** The verdict on an OFD document's signatures. */
export interface OfdVerificationReport {
  /** Worst signature status, or `invalid` when there is none. */
  readonly status: VerificationStatus;
  readonly file: { readonly sha256: string; readonly size: number; readonly entries: number };
  readonly signatures: readonly OfdSignatureReport[];
  /** Document-level findings (e.g. ERR_OFD_NO_SIGNATURES). */
  readonly errors: readonly ReportIssue[];
}

/** Reference digest methods: OIDs and the names producers write (GB/T 33190 defaults to MD5). */
const CHECK_METHODS: Record<string, 'sm3' | 'sha1' | 'sha256' | 'md5'> = {
  '1.2.156.10197.1.401': 'sm3',
  sm3: 'sm3',
  '1.3.14.3.2.26': 'sha1',
  sha1: 'sha1',
  'sha-1': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  sha256: 'sha256',
  'sha-256': 'sha256',
  '1.2.840.113549.2.5': 'md5',
  md5: 'md5',
};

/**
 * Resolves an OFD location (ST_Loc) against the folder of the part that names it: absolute
 * locations start at the package root. Returns the zip entry name, or undefined when the
 * location climbs out of the package.
 */
export function resolveOfdLoc(loc: string, baseDir: string): string | undefined {
  const joined = loc.startsWith('/') ? loc : `${baseDir}/${loc}`;
  const out: string[] = [];
  for (const seg of joined.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(seg);
  }
  return out.join('/');
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

async function readPart(zip: OfdZip, name: string | undefined): Promise<Uint8Array | undefined> {
  if (name === undefined || !zip.has(name)) return undefined;
  return zip.read(name);
}

/**
 * Verifies every seal signature of an OFD document held in memory (nothing is written anywhere).
 * Tampered content gives a report (`ERR_OFD_REFERENCE_MISMATCH`, `ERR_SEAL_DATA_HASH_MISMATCH`,
 * ...); only an unusable package throws.
 * @example const report = await verifyOfdSeals(readFileSync('invoice.ofd'), { now: new Date() });
 * @throws {OfdPackageError} ERR_OFD_PARSE (not a zip, no OFD.xml, malformed OFD.xml or Signatures.xml), ERR_OFD_ZIP_BOMB, ERR_OFD_ZIP_ENTRIES, ERR_OFD_ZIP_PATH, ERR_OFD_ZIP_DUPLICATE, ERR_OFD_ZIP_UNSUPPORTED
 */
export async function verifyOfdSeals(
  ofd: Uint8Array,
  options: VerifyOfdOptions = {},
): Promise<OfdVerificationReport> {
  const now = options.now ?? new Date();
  const zip = await openOfdZip(ofd, options.limits);
  try {
    const ofdXml = await readPart(zip, 'OFD.xml');
    if (ofdXml === undefined) {
      throw new OfdPackageError(
        'ERR_OFD_PARSE',
        'The package has no OFD.xml (not an OFD document)',
        { entry: 'OFD.xml' },
      );
    }
    const root = parseOfdXml(ofdXml, 'OFD.xml', 'OFD');
    const signatureLists = children(root, 'DocBody')
      .map((body) => text(child(body, 'Signatures')))
      .filter((loc) => loc !== '')
      .map((loc) => resolveOfdLoc(loc, ''));
    const signaturesDirs = signatureLists.filter((p): p is string => p !== undefined).map(dirOf);
    const reports: OfdSignatureReport[] = [];
    for (const listPath of signatureLists) {
      const bytes = await readPart(zip, listPath);
      if (listPath === undefined || bytes === undefined) {
        throw new OfdPackageError(
          'ERR_OFD_PARSE',
          `OFD.xml names a Signatures.xml that is not in the package: ${listPath ?? '(outside the package)'}`,
        );
      }
      const list = parseOfdXml(bytes, listPath, 'Signatures');
      for (const entry of children(list, 'Signature').slice(0, 1000)) {
        reports.push(await verifyOne(zip, entry, dirOf(listPath), signaturesDirs, now, options));
      }
    }
    const errors: ReportIssue[] = [];
    let status: VerificationStatus = 'valid';
    if (reports.length === 0) {
      errors.push({
        code: 'ERR_OFD_NO_SIGNATURES',
        message: 'The OFD document carries no signature',
      });
      status = 'invalid';
    }
    for (const r of reports) status = worstStatus(status, r.status);
    return {
      status,
      file: {
        sha256: toHex(new Uint8Array(createHash('sha256').update(ofd).digest())),
        size: ofd.length,
        entries: zip.names.length,
      },
      signatures: reports,
      errors,
    };
  } finally {
    zip.close();
  }
}

async function verifyOne(
  zip: OfdZip,
  entry: XmlNode,
  listDir: string,
  signaturesDirs: readonly string[],
  now: Date,
  options: VerifyOfdOptions,
): Promise<OfdSignatureReport> {
  const issues = new IssueList();
  const id = attr(entry, 'ID') ?? '';
  const type: 'Seal' | 'Sign' = attr(entry, 'Type') === 'Sign' ? 'Sign' : 'Seal';
  const baseLoc = attr(entry, 'BaseLoc') ?? '';
  const location = resolveOfdLoc(baseLoc, listDir);
  const empty = {
    id,
    type,
    location: location === undefined ? baseLoc : `/${location}`,
    coverage: 'partial' as const,
    unprotectedFiles: [],
    trusted: false,
    revocation: 'not-checked' as const,
    level: null,
    algorithm: null,
    signer: null,
    signingTime: null,
    timestamp: null,
    seal: null,
    dataHashValid: null,
    references: { checkMethod: '', count: 0, mismatched: [], missing: [] },
    provider: null,
    stamps: [],
  };
  const finish = (extra: Partial<OfdSignatureReport> = {}): OfdSignatureReport => ({
    ...empty,
    ...extra,
    status: statusOf(issues.errors),
    intact: extra.intact ?? false,
    errors: issues.errors,
    warnings: issues.warnings,
  });

  const signatureXml = await readPart(zip, location);
  if (location === undefined || signatureXml === undefined) {
    issues.error('ERR_OFD_SIGNATURE_FILE', `Signature ${id}: ${baseLoc} is not in the package`);
    return finish();
  }
  let info: XmlNode;
  let signedValueLoc: string | undefined;
  try {
    const sigRoot = parseOfdXml(signatureXml, location, 'Signature');
    const signedInfo = child(sigRoot, 'SignedInfo');
    if (signedInfo === undefined) throw new Error('no SignedInfo');
    info = signedInfo;
    signedValueLoc = resolveOfdLoc(text(child(sigRoot, 'SignedValue')), dirOf(location));
  } catch (err) {
    issues.error(
      'ERR_OFD_SIGNATURE_FILE',
      `Signature ${id}: ${location} is malformed: ${(err as Error).message}`,
    );
    return finish();
  }
  const baseDir = dirOf(location);
  const providerNode = child(info, 'Provider');
  const provider =
    providerNode === undefined
      ? null
      : {
          ...(attr(providerNode, 'ProviderName') === undefined
            ? {}
            : { name: attr(providerNode, 'ProviderName')! }),
          ...(attr(providerNode, 'Company') === undefined
            ? {}
            : { company: attr(providerNode, 'Company')! }),
          ...(attr(providerNode, 'Version') === undefined
            ? {}
            : { version: attr(providerNode, 'Version')! }),
        };
  const stamps = children(info, 'StampAnnot').map((s) => ({
    page: attr(s, 'PageRef') ?? '',
    boundary: attr(s, 'Boundary') ?? '',
  }));

  // References: each protected file's digest (GB/T 33190 18.2.3).
  const refsNode = child(info, 'References');
  const methodName = attr(refsNode, 'CheckMethod') ?? 'MD5';
  const method = CHECK_METHODS[methodName.trim().toLowerCase()];
  const refs = children(refsNode, 'Reference');
  const mismatched: string[] = [];
  const missing: string[] = [];
  const referenced = new Set<string>();
  if (method === undefined) {
    issues.error(
      'ERR_OFD_CHECK_METHOD',
      `Reference digest method "${methodName}" is not supported`,
    );
  } else if (method === 'md5' || method === 'sha1') {
    issues.warn('ERR_OFD_WEAK_DIGEST', `References use ${method.toUpperCase()}`);
  }
  for (const ref of refs.slice(0, 100_000)) {
    const fileRef = attr(ref, 'FileRef') ?? '';
    const path = resolveOfdLoc(fileRef, baseDir);
    if (path !== undefined) referenced.add(path);
    const data = await readPart(zip, path);
    if (data === undefined) {
      missing.push(fileRef);
      continue;
    }
    if (method === undefined) continue;
    const expected = Buffer.from(text(child(ref, 'CheckValue')), 'base64');
    const actual = new Uint8Array(createHash(method).update(data).digest());
    if (!equalBytes(actual, expected)) mismatched.push(`/${path!}`);
  }
  for (const m of missing)
    issues.error('ERR_OFD_REFERENCE_MISSING', `Protected file ${m} is missing from the package`);
  for (const m of mismatched)
    issues.error(
      'ERR_OFD_REFERENCE_MISMATCH',
      `Protected file ${m} was changed after signing (digest mismatch)`,
    );
  if (refs.length === 0)
    issues.error('ERR_OFD_SIGNATURE_FILE', `Signature ${id} protects no file (no References)`);

  const unprotectedFiles = zip.names
    .filter(
      (n) => !referenced.has(n) && !signaturesDirs.some((d) => n === d || n.startsWith(`${d}/`)),
    )
    .map((n) => `/${n}`);
  if (unprotectedFiles.length > 0) {
    issues.warn(
      'ERR_OFD_UNPROTECTED_FILES',
      `Not protected by this signature: ${unprotectedFiles.slice(0, 10).join(', ')}${unprotectedFiles.length > 10 ? ', ...' : ''}`,
    );
  }
  const common = {
    provider,
    stamps,
    unprotectedFiles,
    coverage: unprotectedFiles.length === 0 ? ('entire-document' as const) : ('partial' as const),
    references: { checkMethod: methodName, count: refs.length, mismatched, missing },
  };

  const signedValue = await readPart(zip, signedValueLoc);
  if (signedValue === undefined) {
    issues.error(
      'ERR_OFD_SIGNATURE_FILE',
      `Signature ${id}: its SignedValue file is not in the package`,
    );
    return finish(common);
  }
  if (type === 'Sign') {
    issues.error(
      'ERR_OFD_SIGN_TYPE_UNSUPPORTED',
      `Signature ${id} is a GB/T 35275 "Sign" signature, which GovTrust does not verify yet`,
    );
    return finish(common);
  }
  let ses: SesSignature;
  try {
    ses = parseSesSignature(signedValue);
  } catch (err) {
    if (!isGovTrustError(err)) throw err;
    issues.error(err.code, `Signature ${id}: ${err.message}`);
    return finish(common);
  }
  const report = await verifySesSignature(ses, {
    now,
    protectedData: signatureXml,
    ...(options.trust === undefined ? {} : { trust: options.trust }),
    ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
  });
  issues.merge(report);

  if (resolveOfdLoc(ses.toSign.propertyInfo, baseDir) !== location) {
    issues.warn(
      'ERR_OFD_PROPERTY_INFO',
      `propertyInfo "${ses.toSign.propertyInfo.slice(0, 200)}" does not name /${location}`,
    );
  }
  const sealLoc = text(child(child(info, 'Seal'), 'BaseLoc'));
  if (sealLoc !== '') {
    const sealFile = await readPart(zip, resolveOfdLoc(sealLoc, baseDir));
    if (sealFile === undefined)
      issues.warn('ERR_OFD_SEAL_FILE_MISMATCH', `Seal file ${sealLoc} is not in the package`);
    else if (!equalBytes(sealFile, ses.toSign.seal.der)) {
      issues.error(
        'ERR_OFD_SEAL_FILE_MISMATCH',
        `Seal file ${sealLoc} differs from the seal inside the signature`,
      );
    }
  }
  const method2 = text(child(info, 'SignatureMethod'));
  if (/^\d+(\.\d+)+$/.test(method2) && method2 !== ses.signatureAlgorithm) {
    issues.warn(
      'ERR_OFD_SIGNATURE_METHOD',
      `SignatureMethod ${method2} differs from the signed value's ${ses.signatureAlgorithm}`,
    );
  }

  return finish({
    ...common,
    intact:
      report.intact && mismatched.length === 0 && missing.length === 0 && method !== undefined,
    trusted: report.trusted,
    revocation: report.revocation,
    algorithm: report.algorithm,
    signer: report.signer,
    signingTime: report.signingTime,
    seal: report.seal,
    dataHashValid: report.dataHashValid,
  });
}
