/**
 * Issuing licences (电子证照签发): the signed licence data (GB/T 36903 metadata, RFC 8785, CMS)
 * and the face (照面) PDF rendered from the type's layout, with a QR code for online 核验, the
 * signed data as an associated file, and the issuer's seal (PAdES B-B/B-T, GB/T 38540 seal
 * attribute); stored through the registry (status-list index, audit entry). Also superseding
 * (变更/换发: version + 1, the old version superseded).
 * @module
 */
import { digest, type Signer } from '../crypto/index.js';
import { LicenceIssueError, LicenceLookupError, LicenceTypeError } from '../errors/index.js';
import { sealPdf, type PdfSealAppearance } from '../pdf/index.js';
import { parseCertificate } from '../pki/certificate.js';
import type { TsaClient } from '../pki/tsa-client.js';
import { drawSeal, parseSeal, type SesSeal } from '../seal/index.js';
import { layoutFace, type FacePlan } from './face/layout.js';
import { writeFacePdf } from './face/pdf.js';
import { nextLicenceVersion } from './identifier.js';
import type { CheckMode } from './issues.js';
import {
  assertLicenceData,
  canonicalLicenceBytes,
  type LicenceData,
  type StatusListEntry,
} from './licence-data.js';
import type { LicenceType } from './licence-type.js';
import type { LicenceRecord, LicenceRegistry, StatusChangeOptions } from './registry.js';
import { serializeSignedLicence, signLicenceData, type SignedLicence } from './signed-data.js';

/** Name of the signature field of the issuer's seal on a face. */
export const LICENCE_SEAL_FIELD = 'LicenceSeal';

/** Bytes of the verification digest in the QR code (128 bits: collisions out of reach, short URL). */
const DIGEST_BYTES = 16;

/**
 * The short digest of licence data that the QR code carries: SM3 (GB/T 32905) of the RFC 8785
 * canonical bytes, first 128 bits, base64url. It names one exact data set without revealing it.
 * @throws {CanonicalJsonError} ERR_JSON_CANONICAL when the data is not plain JSON
 */
export function licenceDigest(data: LicenceData): string {
  return Buffer.from(digest('sm3', canonicalLicenceBytes(data)).subarray(0, DIGEST_BYTES)).toString(
    'base64url',
  );
}

/**
 * The verification URL of a licence (the QR code's text): `baseUrl` with `id` (the identifier)
 * and `d` (`licenceDigest`) query parameters; no personal data.
 * @throws {LicenceIssueError} ERR_LICENCE_ISSUE_OPTIONS when `baseUrl` is not an http(s) URL
 */
export function licenceVerificationUrl(data: LicenceData, baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (err) {
    throw new LicenceIssueError('ERR_LICENCE_ISSUE_OPTIONS', `Not a URL: ${baseUrl}`, {
      field: 'verificationUrl',
      cause: err,
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new LicenceIssueError(
      'ERR_LICENCE_ISSUE_OPTIONS',
      `The verification URL must be http(s), not ${url.protocol}`,
      { field: 'verificationUrl' },
    );
  }
  url.searchParams.set('id', data.identifier);
  url.searchParams.set('d', licenceDigest(data));
  return url.toString();
}

/** Options of `issueLicence`. */
export interface IssueLicenceOptions {
  /** The issuer (颁发机构): signs the data and seals the face. Needs its certificate chain. */
  readonly issuer: Signer;
  /** The licence type with its face layout, or its type code (looked up in `registry`). */
  readonly type: LicenceType | string;
  readonly now: Date;
  /** Base URL of the online verification service (核验) the QR code points at. */
  readonly verificationUrl: string;
  /** The issuer's GB/T 38540 seal (DER or parsed): bound to the face signature (seal attribute); its picture is the appearance. */
  readonly seal?: Uint8Array | SesSeal;
  /** The seal appearance (default: the seal's PNG/JPEG picture, else a drawn round seal of the issuer). */
  readonly appearance?: PdfSealAppearance;
  /** A time-stamp authority: the face seal becomes PAdES B-T. */
  readonly tsa?: TsaClient;
  /**
   * Status-list entries for the data when no registry allocates them. Data that already has
   * entries keeps them (with a registry: the index reserved for it by `allocateStatus`).
   */
  readonly statusList?: readonly StatusListEntry[];
  /** The registry: allocates the status-list index and stores the licence (status valid, audit entry). */
  readonly registry?: LicenceRegistry;
  /** Recorded in the audit entry. */
  readonly actor?: string;
  /**
   * Called with the signed data and sealed face before the registry stores the licence, e.g. to
   * write the files durably: a failure here stores nothing, and a stored licence always has them.
   */
  readonly beforeStore?: (issued: Omit<IssuedLicence, 'record'>) => Promise<void>;
  /** Data checks in `lenient` mode (legacy holder codes). */
  readonly mode?: CheckMode;
}

/** What `issueLicence` produces. */
export interface IssuedLicence {
  /** The licence data as signed (with its status entries). */
  readonly data: LicenceData;
  readonly signed: SignedLicence;
  /** The signed licence data file (UTF-8 JSON), also attached to the face. */
  readonly signedFile: Uint8Array;
  /** The sealed face PDF. */
  readonly face: Uint8Array;
  /** The text of the QR code. */
  readonly verificationUrl: string;
  /** The stored record, when a registry was given. */
  readonly record?: LicenceRecord;
}

/** File name of the signed data attached to a face. */
export function licenceAttachmentName(identifier: string): string {
  return `${identifier}.licence.json`;
}

async function resolveType(options: IssueLicenceOptions): Promise<LicenceType> {
  const { type, registry } = options;
  if (typeof type !== 'string') {
    if (registry !== undefined && (await registry.getType(type.typeCode)) === undefined) {
      throw new LicenceTypeError(
        'ERR_LICENCE_TYPE_UNKNOWN',
        `Licence type ${type.typeCode} is not in the registry`,
        { typeCode: type.typeCode },
      );
    }
    return type;
  }
  const found = await registry?.getType(type);
  if (found === undefined) {
    throw new LicenceTypeError(
      'ERR_LICENCE_TYPE_UNKNOWN',
      registry === undefined
        ? `Licence type ${type} given by code, but no registry to look it up`
        : `Unknown licence type ${type}`,
      { typeCode: type },
    );
  }
  return found;
}

/** Everything checked before anything is allocated, signed or stored. */
interface Prepared {
  readonly type: LicenceType;
  readonly data: LicenceData;
  readonly plan: FacePlan;
  readonly seal: SesSeal | undefined;
  readonly appearance: PdfSealAppearance | undefined;
}

async function prepare(input: LicenceData, options: IssueLicenceOptions): Promise<Prepared> {
  const { issuer, now } = options;
  const certDer = issuer.certificateChain[0];
  if (certDer === undefined) {
    throw new LicenceIssueError(
      'ERR_LICENCE_ISSUE_OPTIONS',
      'The issuer signer has no certificate: licences are signed and sealed with a certificate',
      { field: 'issuer' },
    );
  }
  const cert = parseCertificate(certDer);
  if (now < cert.notBefore || now > cert.notAfter) {
    throw new LicenceIssueError(
      'ERR_LICENCE_ISSUE_OPTIONS',
      `The issuer certificate is valid from ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()}, not at ${now.toISOString()}`,
      { field: 'issuer' },
    );
  }
  const type = await resolveType(options);
  const data = assertLicenceData(input, {
    types: [type],
    now,
    ...(options.mode === undefined ? {} : { mode: options.mode }),
  });
  if (data.status !== undefined && options.statusList !== undefined) {
    throw new LicenceIssueError(
      'ERR_LICENCE_ISSUE_OPTIONS',
      'The data already has status entries: do not give statusList as well',
      { field: 'status' },
    );
  }
  if (options.statusList !== undefined && options.registry !== undefined) {
    throw new LicenceIssueError(
      'ERR_LICENCE_ISSUE_OPTIONS',
      'The registry allocates status entries: do not give statusList as well',
      { field: 'statusList' },
    );
  }
  if (options.registry !== undefined && (await options.registry.getLicence(data.identifier))) {
    throw new LicenceLookupError('ERR_LICENCE_EXISTS', data.identifier);
  }
  // The face is laid out now, so that a value that does not fit or cannot be drawn fails
  // before a status index is allocated. The status entries are not on the face.
  const plan = layoutFace(data, type);
  const seal =
    options.seal === undefined
      ? undefined
      : options.seal instanceof Uint8Array
        ? parseSeal(options.seal)
        : options.seal;
  // With a seal, sealPdf draws its picture; without one, an official round seal of the issuer.
  const appearance: PdfSealAppearance | undefined =
    options.appearance ??
    (seal === undefined
      ? { drawing: drawSeal({ shape: 'round', text: data.issuer.name, sizeMm: plan.seal.size }) }
      : undefined);
  licenceVerificationUrl(data, options.verificationUrl); // validates the base URL
  return { type, data, plan, seal, appearance };
}

/** Signs the data, renders and seals the face. */
async function produce(
  p: Prepared,
  data: LicenceData,
  options: IssueLicenceOptions,
): Promise<Omit<IssuedLicence, 'record'>> {
  const signed = await signLicenceData(data, { signer: options.issuer });
  const signedFile = new TextEncoder().encode(serializeSignedLicence(signed));
  const verificationUrl = licenceVerificationUrl(data, options.verificationUrl);
  const unsealed = await writeFacePdf({
    plan: p.plan,
    qrText: verificationUrl,
    attachment: {
      name: licenceAttachmentName(data.identifier),
      data: signedFile,
      mimeType: 'application/json',
      description: '电子证照数据（颁证机构签名，govtrust-signed-licence/1）',
      // ISO 32000-2 Table 43: the face is rendered from the signed data, its source.
      relationship: 'Source',
      modified: options.now,
    },
    info: {
      title: `${data.name} ${data.number}`,
      author: data.issuer.name,
      subject: data.identifier,
      created: options.now,
    },
  });
  const face = await sealPdf(unsealed, {
    signer: options.issuer,
    fieldName: LICENCE_SEAL_FIELD,
    reason: `签发${data.name}`,
    location: data.issuer.name,
    now: options.now,
    // Certified (DocMDP P=2): the face cannot change; later signatures (e.g. 用证 stamps) can be added.
    certify: 2,
    ...(p.appearance === undefined ? {} : { appearance: p.appearance }),
    placement: {
      page: 1,
      x: p.plan.seal.x,
      y: p.plan.seal.y,
      width: p.plan.seal.size,
      unit: 'mm',
    },
    ...(p.seal === undefined ? {} : { seal: p.seal }),
    ...(options.tsa === undefined ? {} : { tsa: options.tsa }),
  });
  return { data, signed, signedFile, face, verificationUrl };
}

/**
 * Issues a licence: validates the data against its type (nothing is allocated or stored when it
 * fails), puts the status-list entries in it (from the registry or `statusList`), signs it as the
 * issuer (CMS over the canonical JSON), renders the face from the type's layout (Chinese text in
 * the embedded font, QR code with the verification URL, the signed data attached), seals the face
 * (PAdES, B-T with a TSA, certified P=2, the GB/T 38540 seal as a signed attribute) and stores the
 * licence in the registry (status valid, audit entry `issued`).
 * @throws {LicenceDataError} ERR_LICENCE_DATA_INVALID (issues: ERR_LICENCE_FIELD_MISSING, ERR_USCC_*, ERR_RESIDENT_ID_*, ERR_LICENCE_VALIDITY_RANGE, ERR_LICENCE_TYPE_UNKNOWN, ...)
 * @throws {LicenceTypeError} ERR_LICENCE_TYPE_UNKNOWN for a type the registry does not have
 * @throws {LicenceIssueError} ERR_LICENCE_FACE_LAYOUT, ERR_LICENCE_FACE_OVERFLOW, ERR_LICENCE_ISSUE_OPTIONS
 * @throws {LicenceLookupError} ERR_LICENCE_EXISTS when the registry has the identifier already
 * @throws {FontGlyphMissingError} ERR_FONT_GLYPH_MISSING for a character the embedded font lacks
 * @throws {SignerFailedError} ERR_SIGNER_FAILED; TSA errors (ERR_TSA_*) with `tsa`
 */
export async function issueLicence(
  data: LicenceData,
  options: IssueLicenceOptions,
): Promise<IssuedLicence> {
  const p = await prepare(data, options);
  let withStatus = p.data;
  if (options.statusList !== undefined) withStatus = { ...withStatus, status: options.statusList };
  else if (options.registry !== undefined && withStatus.status === undefined) {
    // Reserved before signing: the signed data names its own bit. A failure after this leaves
    // the index reserved and unused, never shared.
    const status = await options.registry.allocateStatus(withStatus.identifier, {
      now: options.now,
    });
    withStatus = { ...withStatus, status };
  }
  const issued = await produce(p, withStatus, options);
  await options.beforeStore?.(issued);
  if (options.registry === undefined) return issued;
  const record = await options.registry.addLicence(issued.data, {
    now: options.now,
    ...(options.actor === undefined ? {} : { actor: options.actor }),
  });
  return { ...issued, record };
}

/** Options of `supersedeLicence`: those of `issueLicence` (with a registry) and the reason. */
export interface SupersedeLicenceOptions extends Omit<IssueLicenceOptions, 'registry'> {
  readonly registry: LicenceRegistry;
  readonly reasonCode: StatusChangeOptions['reasonCode'];
  readonly reason?: string;
}

/**
 * Issues the next version of a licence (变更/换发): `changes` applied to the current data, the
 * identifier's version + 1 with a new check character, `previousVersion` naming the old one; the
 * new version is signed, rendered and sealed like `issueLicence`, and the registry stores it and
 * marks the old one superseded (status-list bits, audit entries) in one transaction.
 * @throws {LicenceLookupError} ERR_LICENCE_NOT_FOUND for an unknown identifier
 * @throws {LicenceStatusError} ERR_LICENCE_STATUS_TRANSITION (e.g. a revoked licence), ERR_LICENCE_STATUS_REASON
 * @throws as `issueLicence`
 */
export async function supersedeLicence(
  identifier: string,
  changes: Partial<Omit<LicenceData, 'format' | 'identifier' | 'typeCode' | 'status'>>,
  options: SupersedeLicenceOptions,
): Promise<IssuedLicence & { readonly previous: LicenceRecord }> {
  const old = await options.registry.getLicence(identifier);
  if (old === undefined) throw new LicenceLookupError('ERR_LICENCE_NOT_FOUND', identifier);
  const nextId = nextLicenceVersion(old.data.identifier, { mode: 'lenient' });
  const { status: _oldStatus, previousVersion: _oldPrevious, ...base } = old.data;
  const next: LicenceData = {
    ...base,
    ...changes,
    identifier: nextId,
    previousVersion: old.data.identifier,
  };
  const { registry, reasonCode, reason, ...issueOptions } = options;
  const p = await prepare(next, { ...issueOptions, registry });
  const status = await registry.allocateStatus(nextId, { now: options.now });
  const issued = await produce(p, { ...p.data, status }, options);
  await options.beforeStore?.(issued);
  const { old: previous, next: record } = await registry.supersede(
    old.data.identifier,
    issued.data,
    {
      reasonCode,
      now: options.now,
      ...(reason === undefined ? {} : { reason }),
      ...(options.actor === undefined ? {} : { actor: options.actor }),
    },
  );
  return { ...issued, record, previous };
}
