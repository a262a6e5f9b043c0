/**
 * RFC 3161 time-stamp authority (clause 2.4 with RFC 5816's ESS signing-certificate-v2), its
 * in-process and HTTP clients (clause 3.4), and time-stamp token verification: imprint, signature,
 * ESS binding, TSA certificate EKU (clause 2.3) and chain.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { hashSize, type HashAlgorithm, type Signer } from '../crypto/index.js';
import { InvalidInputError, TsaRejectedError, TspParseError } from '../errors/index.js';
import { postBinary } from './http.js';
import { equalBytes } from '../internal/bytes.js';
import { contextTag } from '../internal/der.js';
import { prepareCms } from '../cms/sign.js';
import { parseCms, type ParsedCms } from '../cms/parse.js';
import { verifyCms } from '../cms/verify.js';
import {
  encodeDirectoryName,
  encodeGeneralizedTime,
  derOid,
  derSeq,
  derTlv,
  derUnsignedInteger,
  readClock,
  type Clock,
} from './asn1.js';
import { toCertificate, type Certificate } from './certificate.js';
import { govtrustArc, pkixOids } from './oids.js';
import { validatePath, type PathValidationReport } from './path.js';
import type { RevocationSource } from './revocation-types.js';
import type { TrustStore } from './trust-store.js';
import type { TimestampRequest, TsaClient } from './tsa-client.js';
import {
  PkiStatus,
  buildTimeStampRequest,
  encodeTimeStampGranted,
  encodeTimeStampRejection,
  parseTimeStampRequest,
  parseTimeStampResponse,
  parseTstInfo,
  type TimeStampRequest,
  type TspAccuracy,
  type TspFailureInfo,
  type TstInfo,
} from './tsp.js';

const TST_VERSION = Uint8Array.of(0x02, 0x01, 0x01);

/** The TSA policy GovTrust uses when none is configured (under GovTrust's OID arc). */
export const defaultTsaPolicy = `${govtrustArc}.3.2`;

/** Options of `createTimeStampAuthority`. */
export interface TimeStampAuthorityOptions {
  /** The TSA key; its certificate must carry the critical EKU id-kp-timeStamping only (RFC 3161 2.3). */
  readonly signer: Signer;
  /** The clock: a fixed instant (tests) or a function returning now; default `new Date()`. */
  readonly now?: Clock;
  /** Policy written into tokens when the request names none; default `defaultTsaPolicy`. */
  readonly policyOid?: string;
  /** Policies a request may ask for; default just `policyOid`. */
  readonly acceptedPolicies?: readonly string[];
  /** Imprint hashes accepted; default SHA-256/384/512 and SM3. */
  readonly hashAlgorithms?: readonly HashAlgorithm[];
  /** Accuracy written into tokens; default 1 second. */
  readonly accuracy?: TspAccuracy;
  /** Put the TSA's name in the `tsa` field (default true). */
  readonly includeTsaName?: boolean;
  /**
   * Serial numbers; default: 64 random bits per authority followed by a 64-bit counter, unique
   * within an authority and with overwhelming probability across authorities. Use a database
   * sequence when several processes share one TSA identity.
   */
  readonly serialNumbers?: () => bigint | Promise<bigint>;
  /** Return false when the clock is not trustworthy: requests then get `timeNotAvailable`. */
  readonly clockCheck?: () => boolean | Promise<boolean>;
  /** Largest request accepted (default 16 KiB); larger ones get `badDataFormat`. */
  readonly maxRequestBytes?: number;
}

/** A time-stamp authority. */
export interface TimeStampAuthority {
  /** The TSA certificate. */
  readonly certificate: Certificate;
  /** Answers a DER TimeStampReq with a DER TimeStampResp; bad requests get a rejection, never an exception. */
  handleRequest(der: Uint8Array): Promise<Uint8Array>;
  /** An in-process `TsaClient` (the twin of `createHttpTsaClient`). */
  client(): TsaClient;
}

const defaultHashes: readonly HashAlgorithm[] = ['sha256', 'sha384', 'sha512', 'sm3'];

/**
 * Creates a time-stamp authority around a signer.
 * @example const tsa = createTimeStampAuthority({ signer: tsaSigner }); const token = await tsa.client().timestamp({ hashAlgorithm: 'sha256', digest });
 * @throws {InvalidInputError} ERR_INVALID_INPUT when the signer has no certificate or it lacks the sole critical timeStamping EKU
 */
export function createTimeStampAuthority(options: TimeStampAuthorityOptions): TimeStampAuthority {
  const { signer } = options;
  const certDer = signer.certificateChain[0];
  if (certDer === undefined)
    throw new InvalidInputError('The TSA signer needs its certificate', { field: 'signer' });
  const certificate = toCertificate(certDer);
  const ekuProblem = tsaEkuProblem(certificate);
  if (ekuProblem !== undefined) throw new InvalidInputError(ekuProblem, { field: 'signer' });
  const policy = options.policyOid ?? defaultTsaPolicy;
  const accepted = new Set(options.acceptedPolicies ?? [policy]);
  const hashes = new Set(options.hashAlgorithms ?? defaultHashes);
  const maxBytes = options.maxRequestBytes ?? 16 * 1024;
  const accuracy = options.accuracy ?? { seconds: 1 };
  const accuracyDer = encodeAccuracy(accuracy);
  const tsaName =
    options.includeTsaName === false
      ? undefined
      : derTlv(contextTag(0, true), encodeDirectoryName(certificate.subjectDn));
  const policyDer = new Map<string, Uint8Array>();
  const policyBytes = (oid: string): Uint8Array => {
    let der = policyDer.get(oid);
    if (der === undefined) {
      der = derOid(oid);
      policyDer.set(oid, der);
    }
    return der;
  };
  const prefix = BigInt('0x' + randomBytes(8).toString('hex')) & 0x7fffffffffffffffn;
  let counter = 0n;
  const nextSerial =
    options.serialNumbers ??
    ((): bigint => {
      counter += 1n;
      return (prefix << 64n) | counter;
    });

  const issue = async (request: TimeStampRequest): Promise<Uint8Array> => {
    const serial = await nextSerial();
    if (serial <= 0n)
      throw new InvalidInputError('TSA serial numbers must be positive', {
        field: 'serialNumbers',
      });
    const genTime = readClock(options.now);
    const tstInfo = derSeq(
      TST_VERSION,
      policyBytes(request.reqPolicy ?? policy),
      request.messageImprintDer,
      derUnsignedInteger(serial),
      // Millisecond precision only when the accuracy claims sub-second precision.
      encodeGeneralizedTime(genTime, accuracy.seconds === undefined || accuracy.seconds === 0),
      ...(accuracyDer === undefined ? [] : [accuracyDer]),
      ...(request.nonceDer === undefined ? [] : [request.nonceDer]),
      ...(tsaName === undefined ? [] : [tsaName]),
    );
    const prepared = prepareCms({
      algorithm: signer.algorithm,
      certificateChain: signer.certificateChain,
      ...(signer.publicKey === undefined ? {} : { publicKey: signer.publicKey }),
      contentType: pkixOids.ctTstInfo,
      content: tstInfo,
      encapsulate: true,
      signingCertificateV2: true,
      // RFC 3161 2.4.1: the certificate is included only when the request asks for it.
      certificates: request.certReq ? signer.certificateChain : [],
    });
    return prepared.finish(await signer.sign(prepared.toBeSigned));
  };

  const handleRequest = async (der: Uint8Array): Promise<Uint8Array> => {
    if (der.length > maxBytes)
      return encodeTimeStampRejection('badDataFormat', `Request larger than ${maxBytes} bytes`);
    let request: TimeStampRequest;
    try {
      request = parseTimeStampRequest(der);
    } catch {
      return encodeTimeStampRejection('badDataFormat', 'The request is not a DER TimeStampReq');
    }
    const failure = checkRequest(request, hashes, accepted);
    if (failure !== undefined) return encodeTimeStampRejection(failure[0], failure[1]);
    if (options.clockCheck !== undefined && !(await options.clockCheck()))
      return encodeTimeStampRejection('timeNotAvailable', 'The TSA clock is not synchronised');
    try {
      return encodeTimeStampGranted(await issue(request));
    } catch {
      return encodeTimeStampRejection('systemFailure', 'The TSA could not sign the token');
    }
  };

  return {
    certificate,
    handleRequest,
    client: () => ({
      timestamp: async (req) => {
        const built = buildTimeStampRequest({
          hashAlgorithm: req.hashAlgorithm,
          digest: req.digest,
        });
        return tokenFromResponse(await handleRequest(built.der), req, built.nonce);
      },
    }),
  };
}

function checkRequest(
  request: TimeStampRequest,
  hashes: ReadonlySet<HashAlgorithm>,
  policies: ReadonlySet<string>,
): [TspFailureInfo, string] | undefined {
  if (request.version !== 1)
    return ['badDataFormat', `Unsupported TimeStampReq version ${request.version}`];
  if (request.hashAlgorithm === null || !hashes.has(request.hashAlgorithm))
    return ['badAlg', `Hash algorithm ${request.hashAlgorithmOid} is not accepted`];
  if (request.hashedMessage.length !== hashSize(request.hashAlgorithm))
    return [
      'badDataFormat',
      `A ${request.hashAlgorithm} imprint has ${hashSize(request.hashAlgorithm)} bytes`,
    ];
  if (request.reqPolicy !== undefined && !policies.has(request.reqPolicy))
    return ['unacceptedPolicy', `Policy ${request.reqPolicy} is not offered`];
  if (request.extensions.length > 0)
    return ['unacceptedExtension', 'No request extensions are supported'];
  if (request.nonceDer !== undefined && request.nonceDer.length > 2 + 32)
    return ['badDataFormat', 'The nonce is longer than 32 octets'];
  return undefined;
}

function encodeAccuracy(accuracy: TspAccuracy): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  if (accuracy.seconds !== undefined && accuracy.seconds > 0)
    parts.push(derUnsignedInteger(BigInt(accuracy.seconds)));
  for (const [value, n] of [
    [accuracy.millis, 0],
    [accuracy.micros, 1],
  ] as const) {
    if (value === undefined || value === 0) continue;
    if (!Number.isInteger(value) || value < 1 || value > 999)
      throw new InvalidInputError('Accuracy millis and micros are 1..999', { field: 'accuracy' });
    const int = derUnsignedInteger(BigInt(value));
    parts.push(derTlv(contextTag(n, false), int.subarray(2)));
  }
  return parts.length === 0 ? undefined : derSeq(...parts);
}

/** Why a certificate cannot be a TSA certificate (RFC 3161 2.3), or undefined when it can. */
function tsaEkuProblem(cert: Certificate): string | undefined {
  const ext = cert.extensions.all.find((e) => e.oid === pkixOids.extKeyUsage);
  const eku = cert.extensions.extendedKeyUsage;
  if (ext === undefined || eku === undefined)
    return `${cert.subject} has no extended key usage (RFC 3161 needs timeStamping)`;
  if (!ext.critical) return `${cert.subject}'s extended key usage is not critical`;
  if (eku.length !== 1 || eku[0] !== pkixOids.kpTimeStamping)
    return `${cert.subject}'s extended key usage is not exactly id-kp-timeStamping`;
  return undefined;
}

function tokenFromResponse(
  responseDer: Uint8Array,
  req: TimestampRequest,
  nonce: bigint | undefined,
): Uint8Array {
  const response = parseTimeStampResponse(responseDer);
  if (response.status !== PkiStatus.granted && response.status !== PkiStatus.grantedWithMods)
    throw new TsaRejectedError(
      response.status,
      response.failInfo,
      response.statusText.join('; ') || undefined,
    );
  if (response.token === undefined) throw new TspParseError('A granted response without a token');
  const info = tstInfoOf(parseTokenCms(response.token));
  if (info.hashAlgorithm !== req.hashAlgorithm || !equalBytes(info.hashedMessage, req.digest))
    throw new TspParseError('The token covers another message imprint than the one requested');
  if (nonce !== undefined && info.nonce !== nonce)
    throw new TspParseError('The token does not echo the request nonce');
  return response.token;
}

function parseTokenCms(token: Uint8Array): ParsedCms {
  try {
    return parseCms(token);
  } catch (err) {
    throw new TspParseError('The time-stamp token is not a CMS SignedData', { cause: err });
  }
}

function tstInfoOf(cms: ParsedCms): TstInfo {
  if (cms.encapsulatedContentType !== pkixOids.ctTstInfo || cms.encapsulatedContent === undefined)
    throw new TspParseError('The time-stamp token does not encapsulate a TSTInfo');
  return parseTstInfo(cms.encapsulatedContent);
}

/** Options of `createHttpTsaClient`. */
export interface HttpTsaClientOptions {
  /** Abort after this many milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  /** Extra request headers (e.g. Authorization). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Ask for this policy. */
  readonly policyOid?: string;
  /** Largest response read (default 1 MiB). */
  readonly maxResponseBytes?: number;
  /** The fetch implementation (default the global one). */
  readonly fetch?: typeof fetch;
}

/**
 * A `TsaClient` that POSTs `application/timestamp-query` to `url` (RFC 3161 3.4) and checks the
 * reply: status, nonce echo and message imprint.
 * @example const tsa = createHttpTsaClient('http://localhost:8080/tsa', { timeoutMs: 5000 });
 * @throws {PkiFetchError} ERR_PKI_FETCH (from `timestamp`) on network errors, timeouts and HTTP errors
 * @throws {TsaRejectedError} ERR_TSA_REJECTED (from `timestamp`) when the TSA refuses
 * @throws {TspParseError} ERR_TSP_PARSE (from `timestamp`) for a malformed or mismatching reply
 */
export function createHttpTsaClient(url: string, options: HttpTsaClientOptions = {}): TsaClient {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxResponseBytes ?? 1024 * 1024;
  return {
    async timestamp(req) {
      const built = buildTimeStampRequest({
        hashAlgorithm: req.hashAlgorithm,
        digest: req.digest,
        ...(options.policyOid === undefined ? {} : { policy: options.policyOid }),
      });
      const body = await postBinary(
        doFetch,
        url,
        built.der,
        'application/timestamp-query',
        timeoutMs,
        maxBytes,
        options.headers,
      );
      return tokenFromResponse(body, req, built.nonce);
    },
  };
}

/** Options of `verifyTimestampToken`. */
export interface VerifyTimestampOptions {
  /** The digest the token must cover. */
  readonly digest: Uint8Array;
  readonly hashAlgorithm: HashAlgorithm;
  /** Trust anchors for the TSA certificate; without them the chain is not checked (`trusted: false`). */
  readonly trust?: TrustStore;
  /** More certificates to build the TSA's chain with. */
  readonly intermediates?: readonly (Certificate | Uint8Array)[];
  readonly revocation?: RevocationSource;
  /** Now, for the warning about a TSA certificate that has since expired; default `new Date()`. */
  readonly now?: Date;
}

/** One finding of time-stamp verification. */
export interface TimestampIssue {
  readonly code: string;
  readonly message: string;
}

/** The result of `verifyTimestampToken`. */
export interface TimestampReport {
  /** Imprint, signature, ESS binding and TSA EKU check out, and the chain is trusted when `trust` was given. */
  readonly valid: boolean;
  /** genTime. */
  readonly time: Date;
  /** The TSA certificate's subject (RFC 4514), or '' when it is not in the token. */
  readonly tsa: string;
  readonly hashAlgorithm: HashAlgorithm | null;
  readonly serialNumber: string;
  readonly policy: string;
  readonly accuracy?: TspAccuracy;
  /** The TSA chain validated at genTime; false when no trust store was given. */
  readonly trusted: boolean;
  readonly chain?: PathValidationReport;
  readonly tsaCertificate?: Certificate;
  readonly errors: readonly TimestampIssue[];
  readonly warnings: readonly TimestampIssue[];
}

/**
 * Verifies a time-stamp token against the digest it should cover: message imprint, CMS signature,
 * ESS signing-certificate binding, the TSA certificate's sole critical timeStamping EKU, and
 * (with `trust`) its chain at genTime. Returns a report; only an unreadable token throws.
 * @throws {TspParseError} ERR_TSP_PARSE when the token is not a CMS SignedData with a TSTInfo
 */
export async function verifyTimestampToken(
  token: Uint8Array,
  options: VerifyTimestampOptions,
): Promise<TimestampReport> {
  const cms = parseTokenCms(token);
  const info = tstInfoOf(cms);
  const errors: TimestampIssue[] = [];
  const warnings: TimestampIssue[] = [];
  if (
    info.hashAlgorithm !== options.hashAlgorithm ||
    !equalBytes(info.hashedMessage, options.digest)
  )
    errors.push({
      code: 'ERR_TSP_IMPRINT_MISMATCH',
      message: 'The token covers other data (message imprint mismatch)',
    });
  const cmsCheck = verifyCms(
    cms,
    options.intermediates === undefined ? {} : { certificates: options.intermediates },
  );
  const tsaCert = cmsCheck.signerCertificate;
  if (tsaCert === undefined)
    errors.push({
      code: 'ERR_TSP_SIGNATURE_INVALID',
      message: 'The TSA certificate is not in the token (request it with certReq)',
    });
  else if (!cmsCheck.intact)
    errors.push({
      code: 'ERR_TSP_SIGNATURE_INVALID',
      message:
        cmsCheck.errors.map((e) => e.message).join('; ') || 'The token signature does not verify',
    });
  if (tsaCert !== undefined && cmsCheck.signingCertificateValid !== true)
    errors.push({
      code: 'ERR_TSP_SIGNING_CERT',
      message: 'The ESS signing-certificate attribute is missing or names another certificate',
    });
  if (tsaCert !== undefined) {
    const problem = tsaEkuProblem(tsaCert);
    if (problem !== undefined) errors.push({ code: 'ERR_TSP_CERT_EKU', message: problem });
  }
  let chain: PathValidationReport | undefined;
  if (tsaCert !== undefined && options.trust !== undefined) {
    chain = await validatePath({
      certificate: tsaCert,
      intermediates: [...cms.certificates, ...(options.intermediates ?? [])],
      trust: options.trust,
      at: info.genTime,
      purpose: 'time-stamping',
      ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
    });
    if (chain.status !== 'valid')
      errors.push({
        code: 'ERR_TSP_UNTRUSTED',
        message: chain.errors.map((e) => `${e.code}: ${e.message}`).join('; '),
      });
    const now = options.now ?? new Date();
    if (now.getTime() > tsaCert.notAfter.getTime())
      warnings.push({
        code: 'ERR_PATH_EXPIRED',
        message: `The TSA certificate has expired since (${tsaCert.notAfter.toISOString()}): keep validation data (B-LT/LTA)`,
      });
  }
  const trusted = chain?.status === 'valid';
  return {
    valid: errors.length === 0,
    time: info.genTime,
    tsa: tsaCert?.subject ?? '',
    hashAlgorithm: info.hashAlgorithm,
    serialNumber: info.serialNumber,
    policy: info.policy,
    ...(info.accuracy === undefined ? {} : { accuracy: info.accuracy }),
    trusted,
    ...(chain === undefined ? {} : { chain }),
    ...(tsaCert === undefined ? {} : { tsaCertificate: tsaCert }),
    errors,
    warnings,
  };
}

/**
 * The TSTInfo of a time-stamp token (without verifying it).
 * @throws {TspParseError} ERR_TSP_PARSE
 */
export function parseTimestampToken(token: Uint8Array): TstInfo {
  return tstInfoOf(parseTokenCms(token));
}
