/** Electronic seal verification (GB/T 38540-2020 section 6.3; GM/T 0031-2025 additions): maker signature, certificate, validity, picture, holders. @module */
import { createHash } from 'node:crypto';
import {
  signatureAlgorithmInfo,
  verifySignature,
  type SignatureAlgorithm,
} from '../crypto/index.js';
import { GovTrustError } from '../errors/index.js';
import { equalBytes } from '../internal/bytes.js';
import {
  algorithmFromOid,
  readCertificate,
  summarizeCertificate,
  type CertificateSummary,
} from './certificates.js';
import {
  validatePath,
  type Certificate,
  type CertificatePurpose,
  type RevocationSource,
  type TrustStore,
} from '../pki/index.js';
import type { SealVersion, SesSeal } from './model.js';
import { IssueList, statusOf, type ReportIssue, type VerificationStatus } from './report.js';
import { parseSeal } from './seal.js';
import { sealTypes, isSealTypeCode } from './seal-types.js';

/** Options of `verifySeal`. */
export interface VerifySealOptions {
  /** Validation time (default: now). Seal and certificate validity are judged at this instant. */
  readonly now?: Date;
  /**
   * Trust anchors (`createTrustStore`). Without them the maker chain is not checked: `trusted` is
   * false and a `ERR_SEAL_CHAIN_NOT_CHECKED` warning says so; the status then speaks to integrity
   * and validity only.
   */
  readonly trust?: TrustStore;
  /** Revocation source for the chain check (CRLs, OCSP, embedded data); without it revocation is not checked. */
  readonly revocation?: RevocationSource;
  /** Intermediate CA certificates to build chains with. */
  readonly intermediates?: readonly Uint8Array[];
  /** A signer's DER certificate: checked against the seal's certList. */
  readonly signerCertificate?: Uint8Array;
  /** The time the seal was used (a signature's signing time): the seal must be valid then. */
  readonly signingTime?: Date;
}

/** The verdict on one seal. */
export interface SealReport {
  readonly status: VerificationStatus;
  /** `status === 'valid'`. */
  readonly valid: boolean;
  readonly version: SealVersion;
  readonly headerVersion: number;
  readonly vendorId: string;
  readonly esID: string;
  readonly name: string;
  readonly type: number;
  /** The meaning of `type` in `sealTypes`, when it is one of those codes. */
  readonly typeName: string | undefined;
  readonly createdAt: string;
  readonly validFrom: string;
  readonly validTo: string;
  /** The maker's algorithm name, or null when GovTrust does not know the OID. */
  readonly algorithm: SignatureAlgorithm | null;
  readonly algorithmOid: string;
  /** True when the maker signed with SM2-with-SM3, as GB/T 38540 requires. */
  readonly standard: boolean;
  readonly maker: CertificateSummary | null;
  readonly makerSignatureValid: boolean;
  readonly trusted: boolean;
  readonly revocation: TrustResult['revocation'];
  readonly picture: {
    readonly type: string;
    readonly width: number;
    readonly height: number;
    readonly size: number;
  };
  readonly certList: { readonly type: 'certificates' | 'digests'; readonly count: number };
  /** Whether `signerCertificate` is in the certList; null when no signer was given. */
  readonly signerInCertList: boolean | null;
  /** True when the seal carries a (GM/T 0031-2025) time-stamp. */
  readonly hasTimeStamp: boolean;
  readonly errors: readonly ReportIssue[];
  readonly warnings: readonly ReportIssue[];
}

/** Picture types GovTrust can check, with the magic bytes their data starts with. */
const PICTURE_MAGIC: Record<string, (d: Uint8Array) => boolean> = {
  png: (d) => d[0] === 0x89 && d[1] === 0x50 && d[2] === 0x4e && d[3] === 0x47,
  jpg: (d) => d[0] === 0xff && d[1] === 0xd8 && d[2] === 0xff,
  jpeg: (d) => d[0] === 0xff && d[1] === 0xd8 && d[2] === 0xff,
  gif: (d) => d[0] === 0x47 && d[1] === 0x49 && d[2] === 0x46 && d[3] === 0x38,
  bmp: (d) => d[0] === 0x42 && d[1] === 0x4d,
  svg: (d) => /<svg[\s>]/.test(Buffer.from(d.subarray(0, 4096)).toString('utf8')),
  // Tax invoice seals carry a whole zipped OFD package as their picture.
  ofd: (d) => d[0] === 0x50 && d[1] === 0x4b && d[2] === 0x03 && d[3] === 0x04,
};

/** Largest picture data accepted (real seal images are 5-60 KiB). */
const MAX_PICTURE_BYTES = 4 * 1024 * 1024;
/** Largest display size in millimetres (an A3 page is 420 mm): anything above is a unit mistake. */
const MAX_PICTURE_MM = 500;

/** Digest names seen in `CertDigestObj.type` (the standard leaves the values open). */
const DIGEST_TYPES: Record<string, string> = {
  sm3: 'sm3',
  '1.2.156.10197.1.401': 'sm3',
  sha1: 'sha1',
  'sha-1': 'sha1',
  '1.3.14.3.2.26': 'sha1',
  sha256: 'sha256',
  'sha-256': 'sha256',
  '2.16.840.1.101.3.4.2.1': 'sha256',
};

/** @internal Checks the picture; adds errors or warnings. */
export function checkPicture(seal: SesSeal, issues: IssueList): void {
  const { type, data, width, height } = seal.sealInfo.picture;
  const kind = type.toLowerCase();
  if (data.length === 0) issues.error('ERR_SEAL_PICTURE', 'The seal picture has no data');
  else if (data.length > MAX_PICTURE_BYTES) {
    issues.error(
      'ERR_SEAL_PICTURE',
      `The seal picture is ${data.length} bytes (limit ${MAX_PICTURE_BYTES})`,
    );
  }
  const magic = PICTURE_MAGIC[kind];
  if (magic === undefined)
    issues.warn('ERR_SEAL_PICTURE_TYPE', `Picture type "${type}" is not one GovTrust checks`);
  else if (data.length > 0 && !magic(data)) {
    issues.error('ERR_SEAL_PICTURE', `The seal picture data is not ${type.toUpperCase()} data`);
  }
  if (width < 1 || height < 1 || width > MAX_PICTURE_MM || height > MAX_PICTURE_MM) {
    issues.error(
      'ERR_SEAL_PICTURE',
      `The seal display size ${width}x${height} mm is out of range (1-${MAX_PICTURE_MM} mm)`,
    );
  }
}

/** @internal Checks a certificate's validity period at `at`. */
export function checkCertificateTime(
  cert: Certificate,
  role: string,
  at: Date,
  issues: IssueList,
  asWarning = false,
): void {
  const add = asWarning ? issues.warn.bind(issues) : issues.error.bind(issues);
  if (at > cert.notAfter) {
    add(
      'ERR_SEAL_CERT_EXPIRED',
      `The ${role} certificate expired at ${cert.notAfter.toISOString()} (validation time ${at.toISOString()})`,
    );
  } else if (at < cert.notBefore) {
    add(
      'ERR_SEAL_CERT_NOT_YET_VALID',
      `The ${role} certificate is valid from ${cert.notBefore.toISOString()} (validation time ${at.toISOString()})`,
    );
  }
}

/** @internal The outcome of a chain check. */
export interface TrustResult {
  readonly trusted: boolean;
  readonly revocation: 'good' | 'revoked' | 'unknown' | 'not-checked';
}

/**
 * @internal Validates a certificate's path (RFC 5280, `validatePath`) at `at` for `purpose`, or
 * warns that chains were not checked when no trust store is given. The end certificate's own
 * validity period is judged by the caller, so those two path codes are not repeated.
 */
export async function checkTrust(
  cert: Certificate,
  role: string,
  purpose: CertificatePurpose,
  options: Pick<VerifySealOptions, 'trust' | 'intermediates' | 'revocation'>,
  at: Date,
  issues: IssueList,
): Promise<TrustResult> {
  if (options.trust === undefined) {
    issues.warn(
      'ERR_SEAL_CHAIN_NOT_CHECKED',
      'No trust anchors given: certificate chains were not checked',
    );
    return { trusted: false, revocation: 'not-checked' };
  }
  const report = await validatePath({
    certificate: cert,
    intermediates: options.intermediates ?? [],
    trust: options.trust,
    at,
    purpose,
    ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
  });
  for (const e of report.errors) {
    const own =
      e.certificateIndex === 0 &&
      (e.code === 'ERR_PATH_EXPIRED' || e.code === 'ERR_PATH_NOT_YET_VALID');
    if (!own) issues.error(e.code, `The ${role} certificate path: ${e.message}`);
  }
  for (const w of report.warnings)
    issues.warn(w.code, `The ${role} certificate path: ${w.message}`);
  if (!report.trusted && !report.errors.some((e) => e.code.startsWith('ERR_PATH_'))) {
    issues.error('ERR_SEAL_UNTRUSTED', `The ${role} certificate does not chain to a trust anchor`);
  }
  return { trusted: report.trusted, revocation: report.revocation };
}

/** @internal Verifies `signature` over `data` by `cert`, adding `code` on failure. */
export function checkSignature(
  algorithm: SignatureAlgorithm | undefined,
  cert: Certificate,
  data: Uint8Array,
  signature: Uint8Array,
  code: string,
  role: string,
  issues: IssueList,
): boolean {
  if (algorithm === undefined) return false;
  try {
    if (verifySignature(algorithm, cert.publicKey, data, signature)) return true;
    issues.error(code, `The ${role} signature does not verify`);
  } catch (err) {
    if (err instanceof GovTrustError && err.code === 'ERR_SIGNATURE_MALFORMED') {
      issues.error(code, `The ${role} signature value is malformed: ${err.message}`);
    } else if (err instanceof GovTrustError) {
      issues.error(
        'ERR_SEAL_ALGORITHM',
        `The ${role} algorithm ${algorithm} does not fit the certificate key: ${err.message}`,
      );
    } else throw err;
  }
  return false;
}

/** @internal Whether `signer` (DER) is in the seal's certList: true, false, or undefined when undecidable. */
export function isInCertList(
  seal: SesSeal,
  signer: Uint8Array,
  issues: IssueList,
): boolean | undefined {
  const list = seal.sealInfo.property.certList;
  if (list.type === 'certificates') return list.certificates.some((c) => equalBytes(c, signer));
  let unknown = false;
  for (const d of list.digests) {
    const hash = DIGEST_TYPES[d.type.trim().toLowerCase()];
    if (hash === undefined) {
      unknown = true;
      continue;
    }
    if (equalBytes(new Uint8Array(createHash(hash).update(signer).digest()), d.value)) return true;
  }
  if (unknown) {
    issues.error(
      'ERR_SEAL_CERT_DIGEST_UNKNOWN',
      'The certList has digests of an unknown type; the signer could not be matched',
    );
    return undefined;
  }
  return false;
}

/**
 * Verifies an electronic seal: the maker's signature over the seal information (as received), the
 * maker certificate (validity at `now`, chain when `trust` is given), the seal's validity window,
 * the picture, and, with `signerCertificate`, that the signer may use the seal. Bad seals give a
 * report with error codes, not an exception.
 * @example const report = await verifySeal(parseSeal(esl), { now: new Date() });
 * @throws {SealParseError} ERR_SEAL_PARSE when given bytes that are not a seal
 * @throws {SealVersionError} ERR_SEAL_HEADER / ERR_SEAL_VERSION for unsupported headers
 */
export async function verifySeal(
  seal: SesSeal | Uint8Array,
  options: VerifySealOptions = {},
): Promise<SealReport> {
  const s = seal instanceof Uint8Array ? parseSeal(seal) : seal;
  const now = options.now ?? new Date();
  const issues = new IssueList();
  const info = s.sealInfo;
  const property = info.property;

  if (s.nonDer.length > 0) {
    issues.warn(
      'ERR_SEAL_NOT_DER',
      `The seal is not strict DER (${s.nonDer.join('; ')}); verified over the bytes as received`,
    );
  }

  const oidAlgorithm = algorithmFromOid(s.signatureAlgorithm);
  if (oidAlgorithm === undefined) {
    issues.error('ERR_SEAL_ALGORITHM', `Unknown seal signature algorithm ${s.signatureAlgorithm}`);
  } else if (oidAlgorithm !== 'sm2-sm3') {
    issues.warn(
      'ERR_SEAL_NON_STANDARD_ALGORITHM',
      `The seal is signed with ${oidAlgorithm}, not SM2-with-SM3 (non-standard)`,
    );
  }
  if (oidAlgorithm !== undefined && signatureAlgorithmInfo(oidAlgorithm).deprecated) {
    issues.error(
      'ERR_SEAL_ALGORITHM',
      `The seal is signed with ${oidAlgorithm}, which is too weak`,
    );
  }

  const parsed = readCertificate(s.makerCertificate);
  const maker = typeof parsed === 'string' ? undefined : parsed;
  if (maker === undefined)
    issues.error(
      'ERR_SEAL_MAKER_CERT',
      `The seal maker certificate cannot be read: ${parsed as string}`,
    );

  let makerSignatureValid = false;
  let trust: TrustResult = { trusted: false, revocation: 'not-checked' };
  if (maker !== undefined) {
    makerSignatureValid = checkSignature(
      oidAlgorithm,
      maker,
      s.toBeSigned,
      s.signatureValue,
      'ERR_SEAL_MAKER_SIGNATURE_INVALID',
      'seal maker',
      issues,
    );
    // The maker certificate must have been valid when the seal was made (GM/T 0031-2025 6.3); one
    // that expired since is reported as a warning. GovTrust applies this to V1/V4 seals too: the
    // V4 text names no instant for the maker check, and real seals outlive their maker certificate.
    if (!maker.isValidAt(property.createDate)) {
      issues.error(
        'ERR_SEAL_MAKER_CERT_AT_CREATION',
        `The seal maker certificate (valid ${maker.notBefore.toISOString()} to ${maker.notAfter.toISOString()}) was not valid when the seal was made (${property.createDate.toISOString()})`,
      );
    }
    checkCertificateTime(maker, 'seal maker', now, issues, true);
    // The maker path is judged when the seal was made (the chain model of GM/T 0031-2025).
    trust = await checkTrust(
      maker,
      'seal maker',
      'seal-making',
      options,
      property.createDate,
      issues,
    );
  }

  if (property.validStart > property.validEnd) {
    issues.error('ERR_SEAL_VALIDITY_PERIOD', 'The seal validity starts after it ends');
  } else if (property.createDate > property.validEnd) {
    issues.error('ERR_SEAL_VALIDITY_PERIOD', 'The seal was made after its validity ended');
  }
  if (now > property.validEnd) {
    issues.error(
      'ERR_SEAL_EXPIRED',
      `The seal expired at ${property.validEnd.toISOString()} (validation time ${now.toISOString()})`,
    );
  } else if (now < property.validStart) {
    issues.error(
      'ERR_SEAL_NOT_YET_VALID',
      `The seal is valid from ${property.validStart.toISOString()} (validation time ${now.toISOString()})`,
    );
  }
  if (options.signingTime !== undefined) {
    const t = options.signingTime;
    if (t < property.validStart || t > property.validEnd || t < property.createDate) {
      issues.error(
        'ERR_SEAL_NOT_VALID_AT_SIGNING_TIME',
        `The seal (valid ${property.validStart.toISOString()} to ${property.validEnd.toISOString()}) was not valid at the signing time ${t.toISOString()}`,
      );
    }
  }

  checkPicture(s, issues);

  let signerInCertList: boolean | null = null;
  if (options.signerCertificate !== undefined) {
    const found = isInCertList(s, options.signerCertificate, issues);
    signerInCertList = found ?? false;
    if (found === false)
      issues.error(
        'ERR_SEAL_SIGNER_NOT_IN_CERT_LIST',
        'The signer certificate is not in the seal’s certificate list',
      );
  }
  if (s.timeStamp !== undefined)
    issues.warn(
      'ERR_SEAL_TIMESTAMP_NOT_CHECKED',
      'The seal time-stamp (GM/T 0031-2025) is not verified yet',
    );

  const status = statusOf(issues.errors);
  const list = property.certList;
  return {
    status,
    valid: status === 'valid',
    version: s.version,
    headerVersion: info.header.version,
    vendorId: info.header.vendorId,
    esID: info.esID,
    name: property.name,
    type: property.type,
    typeName: isSealTypeCode(property.type) ? sealTypes[property.type].zh : undefined,
    createdAt: property.createDate.toISOString(),
    validFrom: property.validStart.toISOString(),
    validTo: property.validEnd.toISOString(),
    algorithm: oidAlgorithm ?? null,
    algorithmOid: s.signatureAlgorithm,
    standard: oidAlgorithm === 'sm2-sm3',
    maker: maker === undefined ? null : summarizeCertificate(maker),
    makerSignatureValid,
    trusted: trust.trusted,
    revocation: trust.revocation,
    picture: {
      type: info.picture.type,
      width: info.picture.width,
      height: info.picture.height,
      size: info.picture.data.length,
    },
    certList: {
      type: list.type,
      count: list.type === 'certificates' ? list.certificates.length : list.digests.length,
    },
    signerInCertList,
    hasTimeStamp: s.timeStamp !== undefined,
    errors: issues.errors,
    warnings: issues.warnings,
  };
}
