/**
 * Signed licence data files: the licence data (GB/T 36903 metadata as JSON) with a detached CMS
 * signature (RFC 5652; GB/T 35275 for SM2) over its RFC 8785 canonical bytes, and their
 * verification: signature, issuer certificate chain, validity period and status.
 * @module
 */
import { parseCms, signCms, verifyCms } from '../cms/index.js';
import type { Signer } from '../crypto/index.js';
import { LicenceDataError } from '../errors/index.js';
import { canonicalJsonBytes } from '../internal/canonical-json.js';
import { validatePath, type RevocationSource, type TrustStore } from '../pki/index.js';
import type { CheckMode } from './issues.js';
import { validateLicenceData, type LicenceData, type LicenceTypeSource } from './licence-data.js';
import type { LicenceRegistry } from './registry.js';
import { checkLicenceStatusWithLists } from './status-check.js';
import type { StatusListCredential } from './status-list.js';
import {
  isLicenceExpired,
  isLicenceNotYetValid,
  provincialResultMessages,
  toProvincialResult,
  type LicenceStatus,
  type ProvincialResult,
} from './status.js';

/** Format marker of a signed licence data file. */
export const SIGNED_LICENCE_FORMAT = 'govtrust-signed-licence/1';

/** A signed licence data file: the data in clear and a detached CMS over its canonical bytes. */
export interface SignedLicence {
  readonly format: typeof SIGNED_LICENCE_FORMAT;
  readonly data: LicenceData;
  readonly signature: { readonly format: 'cms'; readonly value: string };
}

/**
 * Signs licence data as the issuer: a detached CMS SignedData (with the signer's certificate
 * chain and ESS signing-certificate-v2) over the RFC 8785 canonical bytes.
 * @throws {CanonicalJsonError} ERR_JSON_CANONICAL when the data is not plain JSON
 * @throws {SignerFailedError} ERR_SIGNER_FAILED when the signer fails
 */
export async function signLicenceData(
  data: LicenceData,
  options: { readonly signer: Signer },
): Promise<SignedLicence> {
  const cms = await signCms({ signer: options.signer, content: canonicalJsonBytes(data) });
  return {
    format: SIGNED_LICENCE_FORMAT,
    data,
    signature: { format: 'cms', value: Buffer.from(cms).toString('base64') },
  };
}

/** The file text of a signed licence (UTF-8 JSON). */
export function serializeSignedLicence(signed: SignedLicence): string {
  return `${JSON.stringify(signed, null, 2)}\n`;
}

/** Largest signed licence file read (bytes). */
const MAX_SIGNED_LICENCE = 4 * 1024 * 1024;

/**
 * Reads a signed licence file.
 * @throws {LicenceDataError} ERR_LICENCE_SIGNED_FORMAT when the input is not a signed licence file
 */
export function parseSignedLicence(input: Uint8Array | string): SignedLicence {
  const text =
    typeof input === 'string'
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  const fail = (message: string): never => {
    throw new LicenceDataError(
      message,
      [{ code: 'ERR_LICENCE_SIGNED_FORMAT', message }],
      'ERR_LICENCE_SIGNED_FORMAT',
    );
  };
  if (text.length > MAX_SIGNED_LICENCE)
    fail(`A signed licence file has at most ${MAX_SIGNED_LICENCE} bytes`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    fail('Not JSON');
  }
  const s = (v ?? {}) as Partial<Record<keyof SignedLicence, unknown>>;
  const sig = (s.signature ?? {}) as Partial<Record<'format' | 'value', unknown>>;
  if (s.format !== SIGNED_LICENCE_FORMAT) fail(`Not a ${SIGNED_LICENCE_FORMAT} file`);
  if (typeof s.data !== 'object' || s.data === null || Array.isArray(s.data))
    fail('No licence data');
  if (
    sig.format !== 'cms' ||
    typeof sig.value !== 'string' ||
    !/^[A-Za-z0-9+/]+=*$/.test(sig.value)
  ) {
    fail('No base64 CMS signature');
  }
  return v as SignedLicence;
}

/** What a status source says about a licence. */
export interface LicenceStatusInfo {
  readonly found: boolean;
  readonly status?: LicenceStatus;
  /** Where the answer comes from (e.g. `registry`, `status-list`). */
  readonly source: string;
}

/** Where verification learns a licence's status: the directory (registry) or published status lists. */
export interface LicenceStatusSource {
  status(data: LicenceData, options: { readonly now: Date }): Promise<LicenceStatusInfo>;
}

/** A status source backed by the registry (the authoritative directory). */
export function registryStatusSource(registry: LicenceRegistry): LicenceStatusSource {
  return {
    async status(data, { now }) {
      const s = await registry.getStatus(data.identifier, { now });
      return s.found && s.status !== undefined
        ? { found: true, status: s.status, source: 'registry' }
        : { found: false, source: 'registry' };
    },
  };
}

/**
 * A status source backed by status list credentials whose proofs the caller has verified
 * (`verifyStatusListSignature`): offline and without telling the issuer which licence is checked.
 */
export function statusListSource(lists: readonly StatusListCredential[]): LicenceStatusSource {
  return {
    status(data, { now }) {
      const r = checkLicenceStatusWithLists(data, lists, { now });
      return Promise.resolve({ found: true, status: r.status, source: 'status-list' });
    },
  };
}

/** One check of a licence verification. */
export interface LicenceVerificationCheck {
  readonly name:
    | 'data'
    | 'type'
    | 'signature'
    | 'certificate'
    | 'issuer-binding'
    | 'validity'
    | 'status'
    | 'face-seal'
    | 'seal'
    | 'seal-issuer'
    | 'attachment'
    | 'face-content';
  readonly status: 'passed' | 'failed' | 'indeterminate' | 'skipped';
  readonly code?: string;
  readonly message?: string;
}

/** The report of `verifySignedLicenceData` (DESIGN.md §4 shape, with the provincial result). */
export interface LicenceVerificationReport {
  /** Authenticity: the data is intact and signed by a certificate that chains to a trust anchor. */
  readonly status: 'valid' | 'invalid' | 'indeterminate';
  /** The provincial 0-7 result: the licence's standing when authentic; 7 when tampered, 4 when undecided. */
  readonly result: ProvincialResult;
  readonly resultMessage: string;
  readonly identifier: string;
  /** The licence's status (expiry computed at `now`), when known. */
  readonly licenceStatus?: LicenceStatus;
  readonly notYetValid: boolean;
  readonly signer?: {
    readonly subject: string;
    readonly issuer: string;
    readonly serialNumber: string;
  };
  readonly algorithm: string | null;
  readonly checks: readonly LicenceVerificationCheck[];
  readonly errors: readonly { readonly code: string; readonly message: string }[];
  readonly warnings: readonly { readonly code: string; readonly message: string }[];
}

/** Options of `verifySignedLicenceData`. */
export interface VerifySignedLicenceOptions {
  readonly trust: TrustStore;
  readonly now?: Date;
  readonly statusSource?: LicenceStatusSource;
  /** Licence types: the data is also checked against its type. */
  readonly types?: LicenceTypeSource;
  readonly revocation?: RevocationSource;
  /** Data checks in `lenient` mode (legacy holder codes). */
  readonly mode?: CheckMode;
}

/**
 * Verifies a signed licence data file: the CMS signature over the canonical bytes of the data,
 * the signer's certificate path (purpose licence-signing) at `now`, the data itself, the validity
 * period and, through `statusSource`, the status. Only an unreadable file throws; a tampered or
 * untrusted one gives a report.
 * @throws {LicenceDataError} ERR_LICENCE_SIGNED_FORMAT for input that is not a signed licence file
 */
export async function verifySignedLicenceData(
  input: Uint8Array | string | SignedLicence,
  options: VerifySignedLicenceOptions,
): Promise<LicenceVerificationReport> {
  const signed =
    typeof input === 'string' || input instanceof Uint8Array ? parseSignedLicence(input) : input;
  const now = options.now ?? new Date();
  const checks: LicenceVerificationCheck[] = [];
  const errors: { code: string; message: string }[] = [];
  const warnings: { code: string; message: string }[] = [];
  const fail = (name: LicenceVerificationCheck['name'], code: string, message: string): void => {
    checks.push({ name, status: 'failed', code, message });
    errors.push({ code, message });
  };
  const data = signed.data;
  const identifier = typeof data.identifier === 'string' ? data.identifier : '';

  // The data: structure and codes, and its type when types are given.
  const dataReport = validateLicenceData(data, {
    types: options.types ?? (() => undefined),
    now,
    ...(options.mode === undefined ? {} : { mode: options.mode }),
  });
  const dataErrors = dataReport.errors.filter(
    (e) => options.types !== undefined || e.code !== 'ERR_LICENCE_TYPE_UNKNOWN',
  );
  if (dataErrors.length > 0)
    fail('data', dataErrors[0]!.code, `${dataErrors[0]!.path ?? ''}: ${dataErrors[0]!.message}`);
  else checks.push({ name: 'data', status: 'passed' });
  for (const w of dataReport.warnings) warnings.push({ code: w.code, message: w.message });
  checks.push(
    options.types === undefined
      ? { name: 'type', status: 'skipped' }
      : { name: 'type', status: dataErrors.length === 0 ? 'passed' : 'failed' },
  );

  // The signature.
  let content: Uint8Array | undefined;
  try {
    content = canonicalJsonBytes(data);
  } catch {
    fail(
      'signature',
      'ERR_LICENCE_SIGNATURE_INVALID',
      'The data is not plain JSON and cannot have been signed',
    );
  }
  let signer: LicenceVerificationReport['signer'];
  let algorithm: string | null = null;
  let pathStatus: 'valid' | 'invalid' | 'indeterminate' = 'invalid';
  if (content !== undefined) {
    let cms: ReturnType<typeof parseCms> | undefined;
    try {
      cms = parseCms(Buffer.from(signed.signature.value, 'base64'));
    } catch (err) {
      fail(
        'signature',
        'ERR_LICENCE_SIGNATURE_INVALID',
        `The signature is not CMS: ${(err as Error).message}`,
      );
    }
    if (cms !== undefined) {
      const v = verifyCms(cms, { content });
      algorithm = v.algorithm;
      if (!v.intact || v.signerCertificate === undefined) {
        fail(
          'signature',
          'ERR_LICENCE_SIGNATURE_INVALID',
          `The signature does not match the data${v.errors[0] === undefined ? '' : ` (${v.errors[0].code})`}`,
        );
      } else {
        checks.push({ name: 'signature', status: 'passed' });
        const cert = v.signerCertificate;
        signer = { subject: cert.subject, issuer: cert.issuer, serialNumber: cert.serialNumber };
        const path = await validatePath({
          certificate: cert,
          intermediates: cms.certificates,
          trust: options.trust,
          at: now,
          purpose: 'licence-signing',
          ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
        });
        pathStatus = path.status;
        if (path.status === 'valid') checks.push({ name: 'certificate', status: 'passed' });
        else {
          const first = path.errors[0];
          const message = `The issuer's certificate is not trusted${first === undefined ? '' : `: ${first.code} ${first.message}`}`;
          if (path.status === 'invalid')
            fail('certificate', 'ERR_LICENCE_ISSUER_UNTRUSTED', message);
          else {
            checks.push({
              name: 'certificate',
              status: 'indeterminate',
              code: 'ERR_LICENCE_ISSUER_UNTRUSTED',
              message,
            });
            warnings.push({ code: 'ERR_LICENCE_ISSUER_UNTRUSTED', message });
          }
        }
        for (const w of path.warnings) warnings.push({ code: w.code, message: w.message });
        // Binding the certificate to 证照颁发机构代码: certificates of Chinese authorities usually name the USCC.
        if (typeof data.issuer === 'object' && cert.subject.includes(data.issuer.code))
          checks.push({ name: 'issuer-binding', status: 'passed' });
        else {
          const message = `The signer certificate does not name the issuer code ${data.issuer.code}; bind certificates to issuers in the trust configuration`;
          checks.push({
            name: 'issuer-binding',
            status: 'indeterminate',
            code: 'ERR_LICENCE_ISSUER_BINDING',
            message,
          });
          warnings.push({ code: 'ERR_LICENCE_ISSUER_BINDING', message });
        }
      }
    }
  }

  // Validity and status.
  const expired = typeof data.validUntil === 'string' && isLicenceExpired(data.validUntil, now);
  const notYetValid =
    typeof data.validFrom === 'string' && isLicenceNotYetValid(data.validFrom, now);
  checks.push({
    name: 'validity',
    status: expired ? 'failed' : 'passed',
    ...(expired
      ? { code: 'ERR_LICENCE_EXPIRED', message: `Expired after ${data.validUntil}` }
      : {}),
  });
  let licenceStatus: LicenceStatus | undefined = expired ? 'expired' : undefined;
  let found = true;
  if (options.statusSource === undefined) {
    checks.push({ name: 'status', status: 'skipped' });
    warnings.push({
      code: 'ERR_LICENCE_STATUS_NOT_CHECKED',
      message: 'No status source: suspension and revocation were not checked',
    });
    licenceStatus ??= 'valid';
  } else {
    try {
      const s = await options.statusSource.status(data, { now });
      found = s.found;
      if (!s.found || s.status === undefined) {
        checks.push({
          name: 'status',
          status: 'failed',
          code: 'ERR_LICENCE_NOT_FOUND',
          message: `${s.source} does not know ${identifier}`,
        });
        warnings.push({
          code: 'ERR_LICENCE_NOT_FOUND',
          message: `${s.source} does not know ${identifier}`,
        });
      } else {
        // The validity period decides expiry even when the source has not noticed yet.
        licenceStatus =
          expired && (s.status === 'valid' || s.status === 'suspended') ? 'expired' : s.status;
        checks.push({
          name: 'status',
          status: licenceStatus === 'valid' ? 'passed' : 'failed',
          message: `${s.source}: ${licenceStatus}`,
        });
      }
    } catch (err) {
      const message = `The status could not be read: ${(err as Error).message}`;
      checks.push({
        name: 'status',
        status: 'indeterminate',
        code: 'ERR_LICENCE_STATUS_UNAVAILABLE',
        message,
      });
      warnings.push({ code: 'ERR_LICENCE_STATUS_UNAVAILABLE', message });
    }
  }

  const authentic = errors.length === 0 && pathStatus === 'valid';
  const status: LicenceVerificationReport['status'] =
    errors.length > 0 ? 'invalid' : pathStatus === 'valid' ? 'valid' : 'indeterminate';
  let result: ProvincialResult;
  if (status === 'invalid') result = 7;
  else if (!found) result = 5;
  else if (!authentic || licenceStatus === undefined) result = 4;
  else result = toProvincialResult({ found: true, status: licenceStatus, notYetValid });
  return {
    status,
    result,
    resultMessage: provincialResultMessages[result],
    identifier,
    ...(licenceStatus === undefined ? {} : { licenceStatus }),
    notYetValid,
    ...(signer === undefined ? {} : { signer }),
    algorithm,
    checks,
    errors,
    warnings,
  };
}
