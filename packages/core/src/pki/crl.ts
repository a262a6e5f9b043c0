/**
 * X.509 v2 CRLs (RFC 5280 clause 5): building (thisUpdate, nextUpdate, cRLNumber, AKI, reason
 * codes, invalidity dates), decoding, and the signature check against the issuer.
 * @module
 */
import {
  decodeSignatureAlgorithm,
  encodeSignatureAlgorithm,
  verifySignature,
  type SignatureAlgorithm,
  type Signer,
} from '../crypto/index.js';
import { CrlParseError, GovTrustError, InvalidInputError } from '../errors/index.js';
import { berChildren, readBer, readBerSingle, type BerTlv } from '../internal/ber.js';
import { equalBytes, toHex } from '../internal/bytes.js';
import {
  DerError,
  Tag,
  contextTag,
  decodeOid,
  encodeBitString,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeTlv,
  encodeUnsignedInteger,
} from '../internal/der.js';
import { decodePemBlocks, encodePem, looksLikePem, pemText } from '../internal/pem.js';
import {
  decodeAlgorithmIdentifier,
  decodeTime,
  encodeGeneralizedTime,
  encodeTime,
  integerHex,
  parseWith,
  readClock,
  type Clock,
} from './asn1.js';
import { toCertificate, type Certificate } from './certificate.js';
import { keyIdentifierOf } from './issue.js';
import { nameToString, namesEqual } from './name.js';
import { pkixOids } from './oids.js';

/** CRLReason (RFC 5280 5.3.1); value 7 is not used. */
export const revocationReasons = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  undefined,
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
] as const;

/** A revocation reason name. */
export type RevocationReason = Exclude<(typeof revocationReasons)[number], undefined>;

/** The ENUMERATED value of a reason. */
export function revocationReasonCode(reason: RevocationReason): number {
  return revocationReasons.indexOf(reason);
}

/** The reason name of an ENUMERATED value, or undefined for an unassigned value. */
export function revocationReasonName(code: number): RevocationReason | undefined {
  return revocationReasons[code];
}

/** One revoked certificate as a CRL lists it. */
export interface CrlEntry {
  /** Serial number: lower-case hex of the INTEGER contents, as `Certificate.serialNumber`. */
  readonly serialNumber: string;
  readonly revocationDate: Date;
  readonly reason?: RevocationReason;
  readonly invalidityDate?: Date;
}

/** A decoded CRL. */
export class Crl {
  readonly der: Uint8Array;
  /** Raw tbsCertList: what the issuer signed. */
  readonly tbs: Uint8Array;
  readonly version: number;
  readonly issuer: string;
  readonly issuerDn: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly crlNumber: bigint | undefined;
  /** Set for delta CRLs (RFC 5280 5.2.4): the base CRL number. */
  readonly deltaCrlIndicator: bigint | undefined;
  /** AKI keyIdentifier, lower-case hex. */
  readonly authorityKeyIdentifier: string | undefined;
  readonly entries: readonly CrlEntry[];
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly signatureSaltLength: number | undefined;
  readonly signatureValue: Uint8Array;
  readonly signatureAlgorithmsMatch: boolean;
  /** OIDs of critical CRL or entry extensions GovTrust does not process (such a CRL must not be relied on). */
  readonly unknownCriticalExtensions: readonly string[];
  readonly #bySerial: Map<string, CrlEntry>;

  /** @internal Use `parseCrl`. */
  constructor(fields: Omit<Crl, 'issuer' | 'find' | 'verifySignedBy' | 'toPem' | 'isCurrentAt'>) {
    this.der = fields.der;
    this.tbs = fields.tbs;
    this.version = fields.version;
    this.issuerDn = fields.issuerDn;
    this.issuer = nameToString(fields.issuerDn);
    this.thisUpdate = fields.thisUpdate;
    this.nextUpdate = fields.nextUpdate;
    this.crlNumber = fields.crlNumber;
    this.deltaCrlIndicator = fields.deltaCrlIndicator;
    this.authorityKeyIdentifier = fields.authorityKeyIdentifier;
    this.entries = fields.entries;
    this.signatureAlgorithm = fields.signatureAlgorithm;
    this.signatureSaltLength = fields.signatureSaltLength;
    this.signatureValue = fields.signatureValue;
    this.signatureAlgorithmsMatch = fields.signatureAlgorithmsMatch;
    this.unknownCriticalExtensions = fields.unknownCriticalExtensions;
    this.#bySerial = new Map(fields.entries.map((e) => [normaliseSerial(e.serialNumber), e]));
  }

  /** The entry of a serial number (hex, any leading zeros) or certificate, if listed. */
  find(serial: string | Certificate): CrlEntry | undefined {
    return this.#bySerial.get(
      normaliseSerial(typeof serial === 'string' ? serial : serial.serialNumber),
    );
  }

  /** True when `issuer`'s key verifies this CRL and the names (and key ids, when both present) agree. */
  verifySignedBy(issuer: Certificate): boolean {
    if (!this.signatureAlgorithmsMatch || !namesEqual(this.issuerDn, issuer.subjectDn))
      return false;
    const ski = issuer.extensions.subjectKeyIdentifier;
    if (
      this.authorityKeyIdentifier !== undefined &&
      ski !== undefined &&
      ski !== this.authorityKeyIdentifier
    )
      return false;
    try {
      return verifySignature(
        this.signatureAlgorithm,
        issuer.publicKey,
        this.tbs,
        this.signatureValue,
        this.signatureSaltLength === undefined ? {} : { saltLength: this.signatureSaltLength },
      );
    } catch {
      return false;
    }
  }

  /** True when thisUpdate <= at <= nextUpdate (no nextUpdate: never current past thisUpdate + `maxAgeMs`). */
  isCurrentAt(at: Date, maxAgeMs = 7 * 24 * 3600 * 1000): boolean {
    const t = at.getTime();
    const end = this.nextUpdate?.getTime() ?? this.thisUpdate.getTime() + maxAgeMs;
    return t <= end;
  }

  /** PEM `X509 CRL`. */
  toPem(): string {
    return encodePem('X509 CRL', this.der);
  }
}

/** Serial hex without a leading sign octet, for lookups across encoders. */
export function normaliseSerial(hex: string): string {
  const s = hex.toLowerCase().replace(/^(00)+/, '');
  return s === '' ? '00' : s;
}

function decodeEntryExtensions(
  tlv: BerTlv,
  input: Uint8Array,
  unknown: Set<string>,
): { reason?: RevocationReason; invalidityDate?: Date } {
  const out: { reason?: RevocationReason; invalidityDate?: Date } = {};
  for (const ext of berChildren(tlv, input)) {
    const parts = berChildren(ext, input);
    const oid = decodeOid(parts[0]!);
    const critical = parts.length === 3 && parts[1]!.value[0] !== 0;
    const value = parts[parts.length - 1]!.value;
    if (oid === pkixOids.cRLReason) {
      const e = readBerSingle(value, Tag.ENUMERATED);
      const reason = revocationReasonName(e.value[e.value.length - 1]!);
      if (reason !== undefined && e.value.length === 1) out.reason = reason;
    } else if (oid === pkixOids.invalidityDate) {
      out.invalidityDate = decodeTime(readBerSingle(value));
    } else if (critical) unknown.add(oid);
  }
  return out;
}

function decodeCrl(der: Uint8Array): Crl {
  const outer = readBerSingle(der, Tag.SEQUENCE);
  const [tbsTlv, algTlv, sigTlv] = berChildren(outer, der);
  if (
    tbsTlv?.tag !== Tag.SEQUENCE ||
    algTlv?.tag !== Tag.SEQUENCE ||
    sigTlv?.tag !== Tag.BIT_STRING
  )
    throw new DerError(
      'CertificateList must be SEQUENCE { tbsCertList, signatureAlgorithm, signature }',
      0,
    );
  const fields = berChildren(tbsTlv, der);
  let i = 0;
  let version = 1;
  if (fields[0]?.tag === Tag.INTEGER) {
    version = fields[0].value[0]! + 1;
    i = 1;
  }
  const innerAlg = fields[i];
  const issuer = fields[i + 1];
  const thisUpdateTlv = fields[i + 2];
  if (innerAlg?.tag !== Tag.SEQUENCE || issuer?.tag !== Tag.SEQUENCE || thisUpdateTlv === undefined)
    throw new DerError('Truncated tbsCertList', tbsTlv.start);
  let j = i + 3;
  let nextUpdate: Date | undefined;
  const maybeNext = fields[j];
  if (
    maybeNext !== undefined &&
    (maybeNext.tag === Tag.UTC_TIME || maybeNext.tag === Tag.GENERALIZED_TIME)
  ) {
    nextUpdate = decodeTime(maybeNext);
    j++;
  }
  const unknown = new Set<string>();
  const entries: CrlEntry[] = [];
  if (fields[j]?.tag === Tag.SEQUENCE) {
    for (const entry of berChildren(fields[j]!, der)) {
      const [serial, date, exts] = berChildren(entry, der);
      if (serial === undefined || date === undefined)
        throw new DerError('Malformed CRL entry', entry.start);
      entries.push({
        serialNumber: integerHex(serial),
        revocationDate: decodeTime(date),
        ...(exts === undefined ? {} : decodeEntryExtensions(exts, der, unknown)),
      });
    }
    j++;
  }
  let crlNumber: bigint | undefined;
  let deltaCrlIndicator: bigint | undefined;
  let authorityKeyIdentifier: string | undefined;
  const extsWrapper = fields[j];
  if (extsWrapper?.tag === contextTag(0, true)) {
    const list = readBer(der, extsWrapper.contentStart, extsWrapper.end);
    for (const ext of berChildren(list, der)) {
      const parts = berChildren(ext, der);
      const oid = decodeOid(parts[0]!);
      const critical = parts.length === 3 && parts[1]!.value[0] !== 0;
      const value = parts[parts.length - 1]!.value;
      if (oid === pkixOids.cRLNumber)
        crlNumber = BigInt('0x' + toHex(readBerSingle(value, Tag.INTEGER).value));
      else if (oid === pkixOids.deltaCRLIndicator)
        deltaCrlIndicator = BigInt('0x' + toHex(readBerSingle(value, Tag.INTEGER).value));
      else if (oid === pkixOids.authorityKeyIdentifier) {
        const seq = readBerSingle(value, Tag.SEQUENCE);
        const id = berChildren(seq, value).find((c) => c.tag === contextTag(0, false));
        if (id !== undefined) authorityKeyIdentifier = toHex(id.value);
      } else if (critical) unknown.add(oid); // e.g. issuingDistributionPoint: scoped CRLs are not processed
    }
  } else if (extsWrapper !== undefined)
    throw new DerError('Unexpected element in tbsCertList', extsWrapper.start);
  const alg = decodeAlgorithmIdentifier(algTlv, berChildren(algTlv, der));
  let decoded;
  try {
    decoded = decodeSignatureAlgorithm(alg.raw);
  } catch (err) {
    if (err instanceof GovTrustError)
      throw new CrlParseError(`Unsupported CRL signature algorithm ${alg.oid}`, { cause: err });
    throw err;
  }
  if (sigTlv.value[0] !== 0)
    throw new DerError('Signature BIT STRING has unused bits', sigTlv.start);
  return new Crl({
    der,
    tbs: tbsTlv.raw,
    version,
    issuerDn: issuer.raw,
    thisUpdate: decodeTime(thisUpdateTlv),
    nextUpdate,
    crlNumber,
    deltaCrlIndicator,
    authorityKeyIdentifier,
    entries,
    signatureAlgorithm: decoded.algorithm,
    signatureSaltLength: decoded.saltLength,
    signatureValue: sigTlv.value.subarray(1),
    signatureAlgorithmsMatch: equalBytes(innerAlg.raw, algTlv.raw),
    unknownCriticalExtensions: [...unknown],
  });
}

/**
 * Decodes a CRL from DER or PEM (`X509 CRL`).
 * @throws {CrlParseError} ERR_CRL_PARSE when the input is not a CRL or uses an unsupported signature algorithm
 */
export function parseCrl(input: Uint8Array | string): Crl {
  let der: Uint8Array;
  if (typeof input === 'string' || looksLikePem(input)) {
    const block = parseWith(
      () => decodePemBlocks(pemText(input)).find((b) => b.label === 'X509 CRL'),
      (m, cause) => new CrlParseError(m, { cause }),
      'PEM',
    );
    if (block === undefined) throw new CrlParseError('No X509 CRL block in the PEM input');
    der = block.der;
  } else der = input;
  return parseWith(
    () => decodeCrl(der),
    (m, cause) => new CrlParseError(m, { cause }),
    'CRL',
  );
}

/** One entry to put in a CRL. */
export interface CrlEntryInput {
  /** Serial as hex (as `Certificate.serialNumber`), bigint, or the certificate itself. */
  readonly serialNumber: string | bigint | Certificate;
  readonly revocationDate: Date;
  readonly reason?: RevocationReason;
  readonly invalidityDate?: Date;
}

/** Options of `createCrl`. */
export interface CreateCrlOptions {
  readonly issuer: { readonly certificate: Certificate | Uint8Array; readonly signer: Signer };
  readonly thisUpdate: Date;
  /** RFC 5280 5.1.2.5: conforming issuers always include nextUpdate. */
  readonly nextUpdate: Date;
  /** cRLNumber (RFC 5280 5.2.3): increases with every CRL the issuer publishes. */
  readonly crlNumber: bigint;
  readonly entries?: readonly CrlEntryInput[];
}

function serialBigInt(serial: string | bigint | Certificate): bigint {
  if (typeof serial === 'bigint') return serial;
  const hex = typeof serial === 'string' ? serial : serial.serialNumber;
  if (!/^[0-9a-fA-F]+$/.test(hex))
    throw new InvalidInputError(`Bad serial number "${hex}"`, { field: 'entries' });
  return BigInt('0x' + hex);
}

function encodeExtension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return encodeSequence(
    encodeOid(oid),
    ...(critical ? [encodeTlv(Tag.BOOLEAN, Uint8Array.of(0xff))] : []),
    encodeOctetString(value),
  );
}

/**
 * Builds and signs a v2 CRL with cRLNumber and AKI extensions and per-entry reason codes.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a bad serial, a CRL number below 0, or nextUpdate before thisUpdate
 * @throws {CertificateIssueError} ERR_CERT_ISSUE when the issuer may not sign CRLs (no cRLSign)
 * @throws {SignerFailedError} ERR_SIGNER_FAILED when the signer fails
 */
export async function createCrl(options: CreateCrlOptions): Promise<Uint8Array> {
  const issuer = toCertificate(options.issuer.certificate);
  const signer = options.issuer.signer;
  const ku = issuer.extensions.keyUsage;
  if (ku !== undefined && !ku.includes('cRLSign'))
    throw new InvalidInputError(`${issuer.subject} may not sign CRLs (no cRLSign)`, {
      field: 'issuer',
    });
  if (options.crlNumber < 0n)
    throw new InvalidInputError('crlNumber must not be negative', { field: 'crlNumber' });
  if (options.nextUpdate.getTime() < options.thisUpdate.getTime())
    throw new InvalidInputError('nextUpdate is before thisUpdate', { field: 'nextUpdate' });
  const entries = [...(options.entries ?? [])];
  const revoked = entries.map((e) => {
    const exts: Uint8Array[] = [];
    if (e.reason !== undefined)
      exts.push(
        encodeExtension(
          pkixOids.cRLReason,
          false,
          encodeTlv(Tag.ENUMERATED, Uint8Array.of(revocationReasonCode(e.reason))),
        ),
      );
    if (e.invalidityDate !== undefined)
      exts.push(
        encodeExtension(pkixOids.invalidityDate, false, encodeGeneralizedTime(e.invalidityDate)),
      );
    return encodeSequence(
      encodeUnsignedInteger(serialBigInt(e.serialNumber)),
      encodeTime(e.revocationDate),
      ...(exts.length === 0 ? [] : [encodeSequence(...exts)]),
    );
  });
  const aki =
    issuer.extensions.subjectKeyIdentifier !== undefined
      ? Buffer.from(issuer.extensions.subjectKeyIdentifier, 'hex')
      : keyIdentifierOf(issuer.publicKey);
  const sigAlg = encodeSignatureAlgorithm(signer.algorithm);
  const tbs = encodeSequence(
    encodeUnsignedInteger(1n),
    sigAlg,
    issuer.subjectDn,
    encodeTime(options.thisUpdate),
    encodeTime(options.nextUpdate),
    ...(revoked.length === 0 ? [] : [encodeSequence(...revoked)]),
    encodeTlv(
      contextTag(0, true),
      encodeSequence(
        encodeExtension(
          pkixOids.authorityKeyIdentifier,
          false,
          encodeSequence(encodeTlv(contextTag(0, false), aki)),
        ),
        encodeExtension(pkixOids.cRLNumber, false, encodeUnsignedInteger(options.crlNumber)),
      ),
    ),
  );
  const signature = await signer.sign(tbs);
  return encodeSequence(tbs, sigAlg, encodeBitString(signature));
}

/** A CRL issuer that numbers its CRLs: every `issue` gets the next cRLNumber, even when called concurrently. */
export interface CrlIssuer {
  /** The cRLNumber of the last CRL issued (or the starting point). */
  readonly lastCrlNumber: bigint;
  /** Signs a CRL listing `entries`, current from `now` for the configured validity. */
  issue(entries: readonly CrlEntryInput[], options?: { now?: Date }): Promise<Uint8Array>;
}

/**
 * A CRL issuer with a monotonic cRLNumber (RFC 5280 5.2.3), e.g. for regenerating on every revocation.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a non-positive validity
 */
export function createCrlIssuer(options: {
  readonly issuer: { readonly certificate: Certificate | Uint8Array; readonly signer: Signer };
  /** How long each CRL is current (nextUpdate - thisUpdate); default 7 days. */
  readonly validityMs?: number;
  /** The last number already used (persist it); default 0, so the first CRL is number 1. */
  readonly lastCrlNumber?: bigint;
  readonly now?: Clock;
}): CrlIssuer {
  const validityMs = options.validityMs ?? 7 * 24 * 3600 * 1000;
  if (validityMs <= 0)
    throw new InvalidInputError('validityMs must be positive', { field: 'validityMs' });
  let last = options.lastCrlNumber ?? 0n;
  const certificate = toCertificate(options.issuer.certificate);
  return {
    get lastCrlNumber() {
      return last;
    },
    issue(entries, issueOptions = {}) {
      last += 1n;
      const now = issueOptions.now ?? readClock(options.now);
      return createCrl({
        issuer: { certificate, signer: options.issuer.signer },
        thisUpdate: now,
        nextUpdate: new Date(now.getTime() + validityMs),
        crlNumber: last,
        entries,
      });
    },
  };
}
