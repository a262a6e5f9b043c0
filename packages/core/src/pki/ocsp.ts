/**
 * OCSP (RFC 6960): requests and responses (build and decode), a responder (good / revoked /
 * unknown, nonce echo per RFC 8954 and RFC 9654, `unauthorized` for issuers it does not serve,
 * thisUpdate / nextUpdate), and the client-side check of a response.
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  decodeSignatureAlgorithm,
  digest,
  encodeSignatureAlgorithm,
  hashFromOid,
  verifySignature,
  type HashAlgorithm,
  type SignatureAlgorithm,
  type Signer,
} from '../crypto/index.js';
import { InvalidInputError, OcspParseError } from '../errors/index.js';
import {
  berChildren,
  berStringValue,
  readBer,
  readBerSingle,
  type BerTlv,
} from '../internal/ber.js';
import { equalBytes } from '../internal/bytes.js';
import { DerError, Tag, contextTag, decodeOid } from '../internal/der.js';
import {
  decodeAlgorithmIdentifier,
  decodeTime,
  encodeGeneralizedTime,
  encodeHashAlgorithm,
  integerHex,
  parseWith,
  derOid,
  derSeq,
  derTlv,
  derOctetString,
  derBitString,
  derUnsignedInteger,
  readClock,
  type Clock,
} from './asn1.js';
import { Certificate, toCertificate, verifyCertificateSignature } from './certificate.js';
import {
  revocationReasonCode,
  revocationReasonName,
  normaliseSerial,
  type RevocationReason,
} from './crl.js';
import { namesEqual } from './name.js';
import { pkixOids } from './oids.js';
import type {
  CertificateStatus,
  CertificateStatusLookup,
  RevocationIssue,
  RevocationStatus,
} from './revocation-types.js';

/** OCSPResponseStatus (RFC 6960 4.2.1); value 4 is not used. */
export type OcspResponseStatus =
  'successful' | 'malformedRequest' | 'internalError' | 'tryLater' | 'sigRequired' | 'unauthorized';

const responseStatusCodes: Record<OcspResponseStatus, number> = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
};

/** CertID (RFC 6960 4.1.1). */
export interface OcspCertId {
  readonly hashAlgorithm: HashAlgorithm | null;
  readonly hashAlgorithmOid: string;
  readonly issuerNameHash: Uint8Array;
  readonly issuerKeyHash: Uint8Array;
  /** Lower-case hex of the serial INTEGER contents. */
  readonly serialNumber: string;
  /** The CertID DER as received. */
  readonly raw: Uint8Array;
}

/** Largest nonce accepted (RFC 9654 raised RFC 8954's 32 octets to 128). */
export const MAX_OCSP_NONCE_BYTES = 128;

/** The CertID DER for a certificate serial under `issuer` with `hash`. */
export function encodeCertId(
  issuer: Certificate,
  serialNumber: string,
  hash: HashAlgorithm,
): Uint8Array {
  return derSeq(
    encodeHashAlgorithm(hash),
    derOctetString(digest(hash, issuer.subjectDn)),
    derOctetString(digest(hash, issuer.publicKey.rawKey)),
    derUnsignedInteger(BigInt('0x' + serialNumber)),
  );
}

function decodeCertId(tlv: BerTlv, input: Uint8Array): OcspCertId {
  const [alg, nameHash, keyHash, serial] = berChildren(tlv, input);
  if (
    alg?.tag !== Tag.SEQUENCE ||
    nameHash?.tag !== Tag.OCTET_STRING ||
    keyHash?.tag !== Tag.OCTET_STRING ||
    serial === undefined
  )
    throw new DerError('Malformed CertID', tlv.start);
  const hashAlgorithmOid = decodeAlgorithmIdentifier(alg, berChildren(alg, input)).oid;
  let hashAlgorithm: HashAlgorithm | null;
  try {
    hashAlgorithm = hashFromOid(hashAlgorithmOid);
  } catch {
    hashAlgorithm = null;
  }
  return {
    hashAlgorithm,
    hashAlgorithmOid,
    issuerNameHash: nameHash.value,
    issuerKeyHash: keyHash.value,
    serialNumber: integerHex(serial),
    raw: tlv.raw,
  };
}

/** True when `certId` names `serialNumber` (or any serial, when omitted) under `issuer`. */
export function certIdMatches(
  certId: OcspCertId,
  issuer: Certificate,
  serialNumber?: string,
): boolean {
  if (certId.hashAlgorithm === null) return false;
  if (
    serialNumber !== undefined &&
    normaliseSerial(certId.serialNumber) !== normaliseSerial(serialNumber)
  )
    return false;
  return (
    equalBytes(certId.issuerNameHash, digest(certId.hashAlgorithm, issuer.subjectDn)) &&
    equalBytes(certId.issuerKeyHash, digest(certId.hashAlgorithm, issuer.publicKey.rawKey))
  );
}

interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
  readonly raw: Uint8Array;
}

function decodeExtensionList(list: BerTlv, input: Uint8Array): Extension[] {
  return berChildren(list, input).map((ext) => {
    const parts = berChildren(ext, input);
    const oid = decodeOid(parts[0] ?? ext);
    const last = parts[parts.length - 1];
    if (last?.tag !== Tag.OCTET_STRING) throw new DerError('Malformed Extension', ext.start);
    return {
      oid,
      critical: parts.length === 3 && parts[1]!.value[0] !== 0,
      value: last.value,
      raw: ext.raw,
    };
  });
}

/** The nonce bytes of a nonce extension value (RFC 8954: an OCTET STRING inside extnValue). */
function nonceOf(ext: Extension): Uint8Array {
  try {
    return readBerSingle(ext.value, Tag.OCTET_STRING).value;
  } catch {
    // Some old clients put the raw nonce in extnValue without the inner OCTET STRING.
    return ext.value;
  }
}

/** A decoded OCSPRequest. */
export interface ParsedOcspRequest {
  readonly requests: readonly { readonly certId: OcspCertId }[];
  /** The nonce, if the request has one. */
  readonly nonce?: Uint8Array;
  /** The whole nonce extension DER, echoed verbatim by the responder. */
  readonly nonceExtension?: Uint8Array;
  /** Other request extensions' OIDs (with criticality). */
  readonly extensions: readonly { readonly oid: string; readonly critical: boolean }[];
  readonly signed: boolean;
}

/**
 * Decodes an OCSPRequest.
 * @throws {OcspParseError} ERR_OCSP_PARSE when the input is not an OCSP request
 */
export function parseOcspRequest(der: Uint8Array): ParsedOcspRequest {
  return parseWith(
    () => {
      const outer = readBerSingle(der, Tag.SEQUENCE);
      const [tbs, sig] = berChildren(outer, der);
      if (tbs?.tag !== Tag.SEQUENCE) throw new DerError('Missing tbsRequest', 0);
      const parts = berChildren(tbs, der);
      const list = parts.find((p) => p.tag === Tag.SEQUENCE);
      if (list === undefined) throw new DerError('Missing requestList', tbs.start);
      const requests = berChildren(list, der).map((r) => {
        const certIdTlv = berChildren(r, der)[0];
        if (certIdTlv?.tag !== Tag.SEQUENCE) throw new DerError('Missing CertID', r.start);
        return { certId: decodeCertId(certIdTlv, der) };
      });
      if (requests.length === 0) throw new DerError('Empty requestList', list.start);
      const extWrapper = parts.find((p) => p.tag === contextTag(2, true));
      const exts =
        extWrapper === undefined
          ? []
          : decodeExtensionList(readBer(der, extWrapper.contentStart, extWrapper.end), der);
      const nonceExt = exts.find((e) => e.oid === pkixOids.pkixOcspNonce);
      return {
        requests,
        ...(nonceExt === undefined
          ? {}
          : { nonce: nonceOf(nonceExt), nonceExtension: nonceExt.raw }),
        extensions: exts.map((e) => ({ oid: e.oid, critical: e.critical })),
        signed: sig !== undefined,
      };
    },
    (m, cause) => new OcspParseError(m, { cause }),
    'OCSP request',
  );
}

/** Options of `buildOcspRequest`. */
export interface BuildOcspRequestOptions {
  readonly certificate: Certificate | Uint8Array;
  readonly issuer: Certificate | Uint8Array;
  /** CertID hash; default sha1, which every responder understands (it identifies, it does not protect). */
  readonly hashAlgorithm?: HashAlgorithm;
  /** A nonce: `true` for 32 random bytes (default), bytes to choose, `false` for none. */
  readonly nonce?: boolean | Uint8Array;
}

/**
 * Builds an unsigned OCSPRequest for one certificate.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a nonce longer than 128 octets
 */
export function buildOcspRequest(options: BuildOcspRequestOptions): {
  der: Uint8Array;
  nonce?: Uint8Array;
} {
  const cert = toCertificate(options.certificate);
  const issuer = toCertificate(options.issuer);
  const nonce =
    options.nonce === false
      ? undefined
      : options.nonce === true || options.nonce === undefined
        ? new Uint8Array(randomBytes(32))
        : options.nonce;
  if (nonce !== undefined && (nonce.length === 0 || nonce.length > MAX_OCSP_NONCE_BYTES))
    throw new InvalidInputError(`An OCSP nonce has 1 to ${MAX_OCSP_NONCE_BYTES} octets`, {
      field: 'nonce',
    });
  const request = derSeq(encodeCertId(issuer, cert.serialNumber, options.hashAlgorithm ?? 'sha1'));
  const tbs = derSeq(
    derSeq(request),
    ...(nonce === undefined
      ? []
      : [
          derTlv(
            contextTag(2, true),
            derSeq(derSeq(derOid(pkixOids.pkixOcspNonce), derOctetString(derOctetString(nonce)))),
          ),
        ]),
  );
  return { der: derSeq(tbs), ...(nonce === undefined ? {} : { nonce }) };
}

/** One SingleResponse. */
export interface OcspSingleResponse {
  readonly certId: OcspCertId;
  readonly status: 'good' | 'revoked' | 'unknown';
  readonly revokedAt?: Date;
  readonly reason?: RevocationReason;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
}

/** A decoded BasicOCSPResponse. */
export interface ParsedBasicOcspResponse {
  /** Raw tbsResponseData: what the responder signed. */
  readonly tbs: Uint8Array;
  readonly responderId: { readonly byName: Uint8Array } | { readonly byKey: Uint8Array };
  readonly producedAt: Date;
  readonly responses: readonly OcspSingleResponse[];
  readonly nonce?: Uint8Array;
  readonly signatureAlgorithm: SignatureAlgorithm | null;
  readonly signatureAlgorithmOid: string;
  readonly signatureSaltLength?: number;
  readonly signatureValue: Uint8Array;
  /** Certificates the responder included (DER). */
  readonly certificates: readonly Uint8Array[];
}

/** A decoded OCSPResponse. */
export interface ParsedOcspResponse {
  readonly der: Uint8Array;
  readonly responseStatus: OcspResponseStatus;
  /** Present when the status is successful and the type is id-pkix-ocsp-basic. */
  readonly basic?: ParsedBasicOcspResponse;
}

function decodeSingleResponse(tlv: BerTlv, input: Uint8Array): OcspSingleResponse {
  const parts = berChildren(tlv, input);
  const [certIdTlv, statusTlv, thisUpdateTlv] = parts;
  if (certIdTlv === undefined || statusTlv === undefined || thisUpdateTlv === undefined)
    throw new DerError('Malformed SingleResponse', tlv.start);
  const certId = decodeCertId(certIdTlv, input);
  let status: OcspSingleResponse['status'];
  let revokedAt: Date | undefined;
  let reason: RevocationReason | undefined;
  if (statusTlv.tag === contextTag(0, false)) status = 'good';
  else if (statusTlv.tag === contextTag(2, false)) status = 'unknown';
  else if (statusTlv.tag === contextTag(1, true)) {
    status = 'revoked';
    const [time, reasonWrapper] = berChildren(statusTlv, input);
    if (time === undefined) throw new DerError('Malformed RevokedInfo', statusTlv.start);
    revokedAt = decodeTime(time);
    if (reasonWrapper?.tag === contextTag(0, true)) {
      const e = readBer(input, reasonWrapper.contentStart, reasonWrapper.end);
      if (e.tag === Tag.ENUMERATED && e.value.length === 1)
        reason = revocationReasonName(e.value[0]!);
    }
  } else throw new DerError('Unknown CertStatus', statusTlv.start);
  let nextUpdate: Date | undefined;
  const next = parts.slice(3).find((p) => p.tag === contextTag(0, true));
  if (next !== undefined) nextUpdate = decodeTime(readBer(input, next.contentStart, next.end));
  return {
    certId,
    status,
    ...(revokedAt === undefined ? {} : { revokedAt }),
    ...(reason === undefined ? {} : { reason }),
    thisUpdate: decodeTime(thisUpdateTlv),
    ...(nextUpdate === undefined ? {} : { nextUpdate }),
  };
}

function decodeBasic(der: Uint8Array): ParsedBasicOcspResponse {
  const outer = readBerSingle(der, Tag.SEQUENCE);
  const [tbs, algTlv, sigTlv, certsWrapper] = berChildren(outer, der);
  if (tbs?.tag !== Tag.SEQUENCE || algTlv?.tag !== Tag.SEQUENCE || sigTlv?.tag !== Tag.BIT_STRING)
    throw new DerError('Malformed BasicOCSPResponse', 0);
  const parts = berChildren(tbs, der);
  let i = parts[0]?.tag === contextTag(0, true) ? 1 : 0;
  const rid = parts[i++];
  const produced = parts[i++];
  const list = parts[i++];
  if (rid === undefined || produced === undefined || list?.tag !== Tag.SEQUENCE)
    throw new DerError('Malformed ResponseData', tbs.start);
  let responderId: ParsedBasicOcspResponse['responderId'];
  const ridInner = readBer(der, rid.contentStart, rid.end);
  if (rid.tag === contextTag(1, true)) responderId = { byName: ridInner.raw };
  else if (rid.tag === contextTag(2, true)) responderId = { byKey: berStringValue(ridInner, der) };
  else throw new DerError('Unknown ResponderID', rid.start);
  const extWrapper = parts[i];
  let nonce: Uint8Array | undefined;
  if (extWrapper?.tag === contextTag(1, true)) {
    const n = decodeExtensionList(readBer(der, extWrapper.contentStart, extWrapper.end), der).find(
      (e) => e.oid === pkixOids.pkixOcspNonce,
    );
    if (n !== undefined) nonce = nonceOf(n);
  }
  const alg = decodeAlgorithmIdentifier(algTlv, berChildren(algTlv, der));
  let signatureAlgorithm: SignatureAlgorithm | null = null;
  let signatureSaltLength: number | undefined;
  try {
    const d = decodeSignatureAlgorithm(alg.raw);
    signatureAlgorithm = d.algorithm;
    signatureSaltLength = d.saltLength;
  } catch {
    signatureAlgorithm = null;
  }
  const certificates: Uint8Array[] = [];
  if (certsWrapper?.tag === contextTag(0, true)) {
    const seq = readBer(der, certsWrapper.contentStart, certsWrapper.end);
    for (const c of berChildren(seq, der)) certificates.push(c.raw);
  }
  if (sigTlv.value[0] !== 0)
    throw new DerError('Signature BIT STRING has unused bits', sigTlv.start);
  return {
    tbs: tbs.raw,
    responderId,
    producedAt: decodeTime(produced),
    responses: berChildren(list, der).map((r) => decodeSingleResponse(r, der)),
    ...(nonce === undefined ? {} : { nonce }),
    signatureAlgorithm,
    signatureAlgorithmOid: alg.oid,
    ...(signatureSaltLength === undefined ? {} : { signatureSaltLength }),
    signatureValue: sigTlv.value.subarray(1),
    certificates,
  };
}

/**
 * Decodes an OCSPResponse (any status; the basic response when successful).
 * @throws {OcspParseError} ERR_OCSP_PARSE when the input is not an OCSP response
 */
export function parseOcspResponse(der: Uint8Array): ParsedOcspResponse {
  return parseWith(
    () => {
      const outer = readBerSingle(der, Tag.SEQUENCE);
      const [statusTlv, bytesWrapper] = berChildren(outer, der);
      if (statusTlv?.tag !== Tag.ENUMERATED || statusTlv.value.length !== 1)
        throw new DerError('Missing responseStatus', 0);
      const code = statusTlv.value[0]!;
      const responseStatus = (Object.keys(responseStatusCodes) as OcspResponseStatus[]).find(
        (k) => responseStatusCodes[k] === code,
      );
      if (responseStatus === undefined)
        throw new DerError(`Unknown responseStatus ${code}`, statusTlv.start);
      if (responseStatus !== 'successful') return { der, responseStatus };
      if (bytesWrapper?.tag !== contextTag(0, true))
        throw new DerError('A successful response needs responseBytes', 0);
      const rb = readBer(der, bytesWrapper.contentStart, bytesWrapper.end);
      const [typeTlv, octets] = berChildren(rb, der);
      if (typeTlv === undefined || octets === undefined)
        throw new DerError('Malformed ResponseBytes', rb.start);
      if (decodeOid(typeTlv) !== pkixOids.pkixOcspBasic)
        throw new DerError('Only id-pkix-ocsp-basic responses are supported', typeTlv.start);
      return { der, responseStatus, basic: decodeBasic(berStringValue(octets, der)) };
    },
    (m, cause) => new OcspParseError(m, { cause }),
    'OCSP response',
  );
}

/** The DER OCSPResponse with only a status (every status but successful). */
export function encodeOcspErrorResponse(
  status: Exclude<OcspResponseStatus, 'successful'>,
): Uint8Array {
  return derSeq(derTlv(Tag.ENUMERATED, Uint8Array.of(responseStatusCodes[status])));
}

/** One CA the responder answers for, with the signer that answers (the CA itself or its delegated responder). */
export interface OcspResponderIssuer {
  readonly certificate: Certificate | Uint8Array;
  /** Default: the responder's `signer`. */
  readonly signer?: Signer;
}

/** Options of `createOcspResponder`. */
export interface OcspResponderOptions {
  /** Signs responses: a delegated responder (EKU OCSPSigning, issued by the CA) or the CA itself. */
  readonly signer?: Signer;
  /** The CAs this responder serves; requests for any other issuer get `unauthorized`. */
  readonly issuers: readonly (Certificate | Uint8Array | OcspResponderIssuer)[];
  readonly lookup: CertificateStatusLookup;
  /** The clock: a fixed instant (tests) or a function returning now; default `new Date()`. */
  readonly now?: Clock;
  /** nextUpdate - thisUpdate; default 1 hour. */
  readonly validityMs?: number;
  /** Largest request accepted; default 8 KiB. */
  readonly maxRequestBytes?: number;
}

/** An OCSP responder: request DER in, response DER out; bad requests get RFC error responses, never exceptions. */
export interface OcspResponder {
  handleRequest(der: Uint8Array): Promise<Uint8Array>;
}

interface Served {
  readonly certificate: Certificate;
  readonly signer: Signer;
  readonly signerCert: Certificate;
  readonly responderKeyHash: Uint8Array;
  readonly signatureAlgorithm: Uint8Array;
  readonly certs: Uint8Array | undefined;
  /** issuerNameHash || issuerKeyHash per hash, for matching requests. */
  readonly hashes: Map<HashAlgorithm, { name: Uint8Array; key: Uint8Array }>;
}

/**
 * An OCSP responder for one or more CAs.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when a signer is neither the CA nor a responder it delegated to (EKU OCSPSigning)
 */
export function createOcspResponder(options: OcspResponderOptions): OcspResponder {
  const validityMs = options.validityMs ?? 3600_000;
  const maxBytes = options.maxRequestBytes ?? 8192;
  const served: Served[] = options.issuers.map((entry) => {
    const given =
      entry instanceof Certificate || entry instanceof Uint8Array ? { certificate: entry } : entry;
    const certificate = toCertificate(given.certificate);
    const signer = given.signer ?? options.signer;
    if (signer === undefined)
      throw new InvalidInputError(`No signer for ${certificate.subject}`, { field: 'signer' });
    const signerDer = signer.certificateChain[0];
    if (signerDer === undefined)
      throw new InvalidInputError('The OCSP signer needs its certificate', { field: 'signer' });
    const signerCert = toCertificate(signerDer);
    const isCa = signerCert.equals(certificate);
    if (!isCa) {
      const delegated =
        signerCert.extensions.extendedKeyUsage?.includes(pkixOids.kpOcspSigning) === true &&
        namesEqual(signerCert.issuerDn, certificate.subjectDn) &&
        signerCert.verifySignedBy(certificate);
      if (!delegated)
        throw new InvalidInputError(
          `The OCSP signer ${signerCert.subject} is neither ${certificate.subject} nor a responder it delegated to`,
          { field: 'signer' },
        );
    }
    return {
      certificate,
      signer,
      signerCert,
      responderKeyHash: digest('sha1', signerCert.publicKey.rawKey),
      signatureAlgorithm: encodeSignatureAlgorithm(signer.algorithm),
      certs: isCa ? undefined : derTlv(contextTag(0, true), derSeq(signerCert.der)),
      hashes: new Map(),
    };
  });

  const matchServed = (certId: OcspCertId): Served | undefined => {
    if (certId.hashAlgorithm === null) return undefined;
    const hash = certId.hashAlgorithm;
    return served.find((s) => {
      let h = s.hashes.get(hash);
      if (h === undefined) {
        h = {
          name: digest(hash, s.certificate.subjectDn),
          key: digest(hash, s.certificate.publicKey.rawKey),
        };
        s.hashes.set(hash, h);
      }
      return equalBytes(h.name, certId.issuerNameHash) && equalBytes(h.key, certId.issuerKeyHash);
    });
  };

  return {
    async handleRequest(der) {
      if (der.length > maxBytes) return encodeOcspErrorResponse('malformedRequest');
      let request: ParsedOcspRequest;
      try {
        request = parseOcspRequest(der);
      } catch {
        return encodeOcspErrorResponse('malformedRequest');
      }
      if (
        request.nonce !== undefined &&
        (request.nonce.length === 0 || request.nonce.length > MAX_OCSP_NONCE_BYTES)
      )
        return encodeOcspErrorResponse('malformedRequest');
      const targets = request.requests.map((r) => ({
        certId: r.certId,
        served: matchServed(r.certId),
      }));
      const first = targets[0]!.served;
      // RFC 6960 2.3 / RFC 5019 2.2.3: a responder not authoritative for an issuer answers unauthorized.
      if (first === undefined || targets.some((t) => t.served !== first))
        return encodeOcspErrorResponse('unauthorized');
      const now = readClock(options.now);
      let singles: Uint8Array[];
      try {
        singles = await Promise.all(
          targets.map(async (t) => {
            const status = await options.lookup({
              issuer: first.certificate,
              serialNumber: t.certId.serialNumber,
            });
            return encodeSingleResponse(
              t.certId.raw,
              status,
              now,
              new Date(now.getTime() + validityMs),
            );
          }),
        );
      } catch {
        return encodeOcspErrorResponse('internalError');
      }
      const tbs = derSeq(
        derTlv(contextTag(2, true), derOctetString(first.responderKeyHash)),
        encodeGeneralizedTime(now),
        derSeq(...singles),
        ...(request.nonceExtension === undefined
          ? []
          : [derTlv(contextTag(1, true), derSeq(request.nonceExtension))]),
      );
      let signature: Uint8Array;
      try {
        signature = await first.signer.sign(tbs);
      } catch {
        return encodeOcspErrorResponse('internalError');
      }
      const basic = derSeq(
        tbs,
        first.signatureAlgorithm,
        derBitString(signature),
        ...(first.certs === undefined ? [] : [first.certs]),
      );
      return derSeq(
        derTlv(Tag.ENUMERATED, Uint8Array.of(0)),
        derTlv(contextTag(0, true), derSeq(derOid(pkixOids.pkixOcspBasic), derOctetString(basic))),
      );
    },
  };
}

function encodeSingleResponse(
  certIdDer: Uint8Array,
  status: CertificateStatus,
  thisUpdate: Date,
  nextUpdate: Date,
): Uint8Array {
  let certStatus: Uint8Array;
  if (status.status === 'good') certStatus = derTlv(contextTag(0, false), new Uint8Array(0));
  else if (status.status === 'unknown')
    certStatus = derTlv(contextTag(2, false), new Uint8Array(0));
  else
    certStatus = derTlv(
      contextTag(1, true),
      encodeGeneralizedTime(status.revokedAt),
      ...(status.reason === undefined
        ? []
        : [
            derTlv(
              contextTag(0, true),
              derTlv(Tag.ENUMERATED, Uint8Array.of(revocationReasonCode(status.reason))),
            ),
          ]),
    );
  return derSeq(
    certIdDer,
    certStatus,
    encodeGeneralizedTime(thisUpdate),
    derTlv(contextTag(0, true), encodeGeneralizedTime(nextUpdate)),
  );
}

/** Options of `checkOcspResponse`. */
export interface CheckOcspResponseOptions {
  readonly certificate: Certificate;
  readonly issuer: Certificate;
  /** The time the status is wanted for. */
  readonly at: Date;
  /** The nonce the request carried: the response must echo it. */
  readonly nonce?: Uint8Array;
  /** How old a response without nextUpdate may be; default 7 days. */
  readonly maxAgeMs?: number;
}

function unknown(code: string, message: string): RevocationStatus {
  return { status: 'unknown', issues: [{ code, message }] };
}

/**
 * What an OCSP response says of a certificate at a time, after checking the responder is the
 * issuer or a responder it delegated to (RFC 6960 4.2.2.2), the signature, the nonce and freshness.
 * Never throws: a bad response yields `unknown` with the reason.
 */
export function checkOcspResponse(
  response: ParsedOcspResponse | Uint8Array,
  options: CheckOcspResponseOptions,
): RevocationStatus {
  let parsed: ParsedOcspResponse;
  try {
    parsed = response instanceof Uint8Array ? parseOcspResponse(response) : response;
  } catch (err) {
    return unknown('ERR_OCSP_PARSE', err instanceof Error ? err.message : String(err));
  }
  if (parsed.basic === undefined)
    return unknown('ERR_OCSP_REJECTED', `The OCSP responder answered ${parsed.responseStatus}`);
  const basic = parsed.basic;
  const { certificate, issuer, at } = options;
  const single = basic.responses.find((r) =>
    certIdMatches(r.certId, issuer, certificate.serialNumber),
  );
  if (single === undefined)
    return unknown('ERR_OCSP_RESPONSE_INVALID', 'The response does not cover this certificate');

  // Who signed: the issuer itself, or a responder certificate the issuer issued for OCSP signing.
  const issues: RevocationIssue[] = [];
  const byKey = 'byKey' in basic.responderId ? basic.responderId.byKey : undefined;
  const byName = 'byName' in basic.responderId ? basic.responderId.byName : undefined;
  const names = (c: Certificate): boolean =>
    byKey !== undefined
      ? equalBytes(byKey, digest('sha1', c.publicKey.rawKey))
      : namesEqual(byName!, c.subjectDn);
  let responderCert: Certificate | undefined;
  if (names(issuer)) responderCert = issuer;
  else {
    for (const der of basic.certificates) {
      let c: Certificate;
      try {
        c = toCertificate(der);
      } catch {
        continue;
      }
      if (!names(c)) continue;
      if (
        !namesEqual(c.issuerDn, issuer.subjectDn) ||
        !verifyCertificateSignature(c, issuer.publicKey)
      ) {
        issues.push({
          code: 'ERR_OCSP_RESPONSE_INVALID',
          message: `Responder ${c.subject} was not issued by ${issuer.subject}`,
        });
        continue;
      }
      if (c.extensions.extendedKeyUsage?.includes(pkixOids.kpOcspSigning) !== true) {
        issues.push({
          code: 'ERR_OCSP_RESPONSE_INVALID',
          message: `Responder ${c.subject} lacks id-kp-OCSPSigning`,
        });
        continue;
      }
      if (!c.isValidAt(basic.producedAt)) {
        issues.push({
          code: 'ERR_OCSP_RESPONSE_INVALID',
          message: `Responder ${c.subject} was not valid when the response was produced`,
        });
        continue;
      }
      responderCert = c;
      break;
    }
  }
  if (responderCert === undefined)
    return {
      status: 'unknown',
      issues:
        issues.length > 0
          ? issues
          : [
              {
                code: 'ERR_OCSP_RESPONSE_INVALID',
                message: 'The responder is not authorised by the issuer',
              },
            ],
    };
  let signatureOk = false;
  if (basic.signatureAlgorithm !== null) {
    try {
      signatureOk = verifySignature(
        basic.signatureAlgorithm,
        responderCert.publicKey,
        basic.tbs,
        basic.signatureValue,
        basic.signatureSaltLength === undefined ? {} : { saltLength: basic.signatureSaltLength },
      );
    } catch {
      signatureOk = false;
    }
  }
  if (!signatureOk)
    return unknown('ERR_OCSP_RESPONSE_INVALID', 'The OCSP response signature does not verify');
  if (
    options.nonce !== undefined &&
    (basic.nonce === undefined || !equalBytes(basic.nonce, options.nonce))
  )
    return unknown('ERR_OCSP_NONCE_MISMATCH', 'The response does not echo the request nonce');
  const end =
    single.nextUpdate?.getTime() ??
    single.thisUpdate.getTime() + (options.maxAgeMs ?? 7 * 24 * 3600_000);
  if (at.getTime() > end)
    return unknown(
      'ERR_OCSP_STALE',
      `The response was current until ${new Date(end).toISOString()}, before ${at.toISOString()}`,
    );
  const evidence = parsed.der;
  if (single.status === 'unknown')
    return unknown('ERR_PATH_REVOCATION_UNKNOWN', 'The responder does not know this certificate');
  if (
    single.status === 'revoked' &&
    single.revokedAt !== undefined &&
    single.revokedAt.getTime() <= at.getTime()
  ) {
    return {
      status: 'revoked',
      source: 'ocsp',
      revokedAt: single.revokedAt,
      ...(single.reason === undefined ? {} : { reason: single.reason }),
      evidence,
      thisUpdate: single.thisUpdate,
    };
  }
  // Good at `at`: the response is current then, or newer (a later revocation is after `at`).
  return {
    status: 'good',
    source: 'ocsp',
    evidence,
    thisUpdate: single.thisUpdate,
    ...(single.nextUpdate === undefined ? {} : { nextUpdate: single.nextUpdate }),
  };
}

/** The DER request of an RFC 6960 Appendix A.1 GET path segment (URL-encoded base64). */
export function ocspRequestFromGetPath(segment: string): Uint8Array {
  try {
    const b64 = decodeURIComponent(segment);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new Error('not base64');
    return new Uint8Array(Buffer.from(b64, 'base64'));
  } catch (err) {
    throw new OcspParseError('The GET path is not a URL-encoded base64 OCSP request', {
      cause: err,
    });
  }
}
