/**
 * X.509 v3 certificate decoding (RFC 5280 clause 4) and signature checks, SM2 certificates
 * included (sm2-with-sm3 over tbsCertificate with the default ID, GB/T 35275 / GM/T 0015).
 * @module
 */
import {
  decodeSignatureAlgorithm,
  digest,
  publicKeyFromSpki,
  verifySignature,
  type HashAlgorithm,
  type PublicKey,
  type SignatureAlgorithm,
} from '../crypto/index.js';
import { CertificateParseError, GovTrustError } from '../errors/index.js';
import { berChildren, readBer, readBerSingle, type BerTlv } from '../internal/ber.js';
import { equalBytes, toHex } from '../internal/bytes.js';
import { DerError, Tag, contextTag, decodeOid } from '../internal/der.js';
import { decodePemBlocks, encodePem, looksLikePem, pemText } from '../internal/pem.js';
import {
  decodeAlgorithmIdentifier,
  decodeGeneralName,
  decodeTime,
  integerHex,
  parseWith,
  type GeneralName,
} from './asn1.js';
import { nameAttributeValues, nameToString, namesEqual } from './name.js';
import { pkixOids } from './oids.js';

/** KeyUsage bit names in bit order (RFC 5280 4.2.1.3). */
export const keyUsageNames = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

/** One KeyUsage bit. `nonRepudiation` is also called contentCommitment. */
export type KeyUsage = (typeof keyUsageNames)[number];

/** basicConstraints (RFC 5280 4.2.1.9). */
export interface BasicConstraints {
  readonly ca: boolean;
  /** pathLenConstraint: how many non-self-issued intermediates may follow this CA. */
  readonly pathLength?: number;
}

/** One extension as encoded. */
export interface RawExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue OCTET STRING contents (the extension's own DER). */
  readonly value: Uint8Array;
}

/** The decoded extensions of a certificate; absent fields mean the extension is absent. */
export interface CertificateExtensions {
  readonly basicConstraints?: BasicConstraints;
  readonly keyUsage?: readonly KeyUsage[];
  /** Extended key usage OIDs. */
  readonly extendedKeyUsage?: readonly string[];
  /** Lower-case hex. */
  readonly subjectKeyIdentifier?: string;
  /** The keyIdentifier of authorityKeyIdentifier, lower-case hex. */
  readonly authorityKeyIdentifier?: string;
  /** URIs of the CRL distribution points' full names. */
  readonly crlDistributionPoints?: readonly string[];
  /** AIA id-ad-ocsp URIs. */
  readonly ocspUrls?: readonly string[];
  /** AIA id-ad-caIssuers URIs. */
  readonly caIssuersUrls?: readonly string[];
  /** Certificate policy OIDs. */
  readonly policies?: readonly string[];
  /** subjectAltName entries. */
  readonly subjectAltNames?: readonly GeneralName[];
  /** id-pkix-ocsp-nocheck is present (RFC 6960 4.2.2.2.1). */
  readonly ocspNoCheck: boolean;
  /** Every extension as encoded, in certificate order. */
  readonly all: readonly RawExtension[];
}

/** Extensions whose semantics GovTrust checks; any other critical extension fails path validation. */
export const understoodExtensions: ReadonlySet<string> = new Set([
  pkixOids.basicConstraints,
  pkixOids.keyUsage,
  pkixOids.extKeyUsage,
  pkixOids.subjectKeyIdentifier,
  pkixOids.authorityKeyIdentifier,
  pkixOids.cRLDistributionPoints,
  pkixOids.authorityInfoAccess,
  pkixOids.certificatePolicies,
  pkixOids.subjectAltName,
  pkixOids.issuerAltName,
  pkixOids.pkixOcspNocheck,
]);

/** A decoded X.509 certificate. Raw DER of the whole, the TBS part and both names is kept. */
export class Certificate {
  /** The certificate DER as given. */
  readonly der: Uint8Array;
  /** The raw tbsCertificate DER: what the issuer signed. */
  readonly tbs: Uint8Array;
  /** X.509 version: 1, 2 or 3. */
  readonly version: number;
  /** The serial number: lower-case hex of the INTEGER content octets as encoded. */
  readonly serialNumber: string;
  /** The raw DER of the serial number INTEGER (tag and length included). */
  readonly serialNumberDer: Uint8Array;
  /** RFC 4514 string of the subject. */
  readonly subject: string;
  /** RFC 4514 string of the issuer. */
  readonly issuer: string;
  /** Raw DER of the subject Name. */
  readonly subjectDn: Uint8Array;
  /** Raw DER of the issuer Name. */
  readonly issuerDn: Uint8Array;
  /** The first (most significant) common name of the subject, if any. */
  readonly subjectCommonName: string | undefined;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: PublicKey;
  /** The algorithm the issuer signed with. */
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** RSA-PSS salt length of the issuer's signature. */
  readonly signatureSaltLength: number | undefined;
  /** The raw signature value (BIT STRING contents without the unused-bits octet). */
  readonly signatureValue: Uint8Array;
  readonly extensions: CertificateExtensions;
  /** Subject and issuer names are the same (a root, or a self-issued key rollover certificate). */
  readonly isSelfIssued: boolean;
  /** The outer and inner (TBS) signature AlgorithmIdentifiers are identical, as RFC 5280 4.1.1.2 demands. */
  readonly signatureAlgorithmsMatch: boolean;
  // Fingerprints are looked up on every trust-store and ESS check; hashing once is enough.
  readonly #fingerprints = new Map<HashAlgorithm, Uint8Array>();

  /** @internal Use `parseCertificate`. */
  constructor(fields: CertificateFields) {
    this.der = fields.der;
    this.tbs = fields.tbs;
    this.version = fields.version;
    this.serialNumber = fields.serialNumber;
    this.serialNumberDer = fields.serialNumberDer;
    this.subjectDn = fields.subjectDn;
    this.issuerDn = fields.issuerDn;
    this.subject = nameToString(fields.subjectDn);
    this.issuer = nameToString(fields.issuerDn);
    this.subjectCommonName = nameAttributeValues(fields.subjectDn, pkixOids.commonName)[0];
    this.notBefore = fields.notBefore;
    this.notAfter = fields.notAfter;
    this.publicKey = fields.publicKey;
    this.signatureAlgorithm = fields.signatureAlgorithm;
    this.signatureSaltLength = fields.signatureSaltLength;
    this.signatureValue = fields.signatureValue;
    this.extensions = fields.extensions;
    this.isSelfIssued = namesEqual(fields.subjectDn, fields.issuerDn);
    this.signatureAlgorithmsMatch = fields.signatureAlgorithmsMatch;
  }

  /** The digest of the whole certificate DER (a fingerprint; ESS certHash). */
  fingerprint(hash: HashAlgorithm = 'sha256'): Uint8Array {
    let value = this.#fingerprints.get(hash);
    if (value === undefined) {
      value = digest(hash, this.der);
      this.#fingerprints.set(hash, value);
    }
    return new Uint8Array(value);
  }

  /** True when `at` lies within [notBefore, notAfter] (RFC 5280 4.1.2.5: both ends inclusive). */
  isValidAt(at: Date): boolean {
    const t = at.getTime();
    return t >= this.notBefore.getTime() && t <= this.notAfter.getTime();
  }

  /**
   * True when `issuer`'s public key verifies this certificate's signature over the raw
   * tbsCertificate. SM2 uses the default ID 1234567812345678 (GM/T 0015). Never throws.
   */
  verifySignedBy(issuer: Certificate): boolean {
    return verifyCertificateSignature(this, issuer.publicKey);
  }

  /** True when both are the same certificate (same DER). */
  equals(other: Certificate): boolean {
    return equalBytes(this.der, other.der);
  }

  /** PEM `CERTIFICATE`. */
  toPem(): string {
    return encodePem('CERTIFICATE', this.der);
  }

  /** A short description for logs and reports (no key material). */
  toJSON(): {
    subject: string;
    issuer: string;
    serialNumber: string;
    notBefore: string;
    notAfter: string;
  } {
    return {
      subject: this.subject,
      issuer: this.issuer,
      serialNumber: this.serialNumber,
      notBefore: this.notBefore.toISOString(),
      notAfter: this.notAfter.toISOString(),
    };
  }
}

/** @internal The decoded fields a Certificate is built from. */
export interface CertificateFields {
  der: Uint8Array;
  tbs: Uint8Array;
  version: number;
  serialNumber: string;
  serialNumberDer: Uint8Array;
  subjectDn: Uint8Array;
  issuerDn: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  publicKey: PublicKey;
  signatureAlgorithm: SignatureAlgorithm;
  signatureSaltLength: number | undefined;
  signatureValue: Uint8Array;
  extensions: CertificateExtensions;
  signatureAlgorithmsMatch: boolean;
}

/** Verifies a certificate's signature with a public key; false on any failure. */
export function verifyCertificateSignature(cert: Certificate, key: PublicKey): boolean {
  if (!cert.signatureAlgorithmsMatch) return false;
  try {
    return verifySignature(
      cert.signatureAlgorithm,
      key,
      cert.tbs,
      cert.signatureValue,
      cert.signatureSaltLength === undefined ? {} : { saltLength: cert.signatureSaltLength },
    );
  } catch {
    // A key of another family, or a malformed signature value: it does not verify.
    return false;
  }
}

function bitStringBytes(tlv: BerTlv): { bytes: Uint8Array; unused: number } {
  if (tlv.tag !== Tag.BIT_STRING || tlv.value.length === 0)
    throw new DerError('Expected BIT STRING', tlv.start);
  const unused = tlv.value[0]!;
  if (unused > 7) throw new DerError('Bad BIT STRING unused-bits count', tlv.start);
  return { bytes: tlv.value.subarray(1), unused };
}

function decodeKeyUsage(value: Uint8Array): KeyUsage[] {
  const tlv = readBerSingle(value);
  const { bytes } = bitStringBytes(tlv);
  const out: KeyUsage[] = [];
  keyUsageNames.forEach((name, bit) => {
    const byte = bytes[bit >> 3];
    if (byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0) out.push(name);
  });
  return out;
}

function decodeBasicConstraints(value: Uint8Array): BasicConstraints {
  const seq = readBerSingle(value, Tag.SEQUENCE);
  let ca = false;
  let pathLength: number | undefined;
  for (const f of berChildren(seq, value)) {
    if (f.tag === Tag.BOOLEAN) ca = f.value[0] !== 0;
    else if (f.tag === Tag.INTEGER) {
      if (f.value.length > 4 || (f.value[0]! & 0x80) !== 0)
        throw new DerError('Bad pathLenConstraint', f.start);
      pathLength = Number.parseInt(toHex(f.value), 16);
    }
  }
  return pathLength === undefined ? { ca } : { ca, pathLength };
}

function decodeOidSequence(value: Uint8Array): string[] {
  const seq = readBerSingle(value, Tag.SEQUENCE);
  return berChildren(seq, value).map((c) => decodeOid(c));
}

function decodeAki(value: Uint8Array): string | undefined {
  const seq = readBerSingle(value, Tag.SEQUENCE);
  const keyId = berChildren(seq, value).find((c) => c.tag === contextTag(0, false));
  return keyId === undefined ? undefined : toHex(keyId.value);
}

function decodeCrlDp(value: Uint8Array): string[] {
  const out: string[] = [];
  const seq = readBerSingle(value, Tag.SEQUENCE);
  for (const dp of berChildren(seq, value)) {
    const dpName = berChildren(dp, value).find((c) => c.tag === contextTag(0, true));
    if (dpName === undefined) continue;
    const fullName = berChildren(dpName, value).find((c) => c.tag === contextTag(0, true));
    if (fullName === undefined) continue;
    for (const gn of berChildren(fullName, value)) {
      const name = decodeGeneralName(gn);
      if (name.type === 'uri') out.push(name.value);
    }
  }
  return out;
}

function decodeAia(value: Uint8Array): { ocsp: string[]; caIssuers: string[] } {
  const ocsp: string[] = [];
  const caIssuers: string[] = [];
  const seq = readBerSingle(value, Tag.SEQUENCE);
  for (const ad of berChildren(seq, value)) {
    const [method, location] = berChildren(ad, value);
    if (method === undefined || location === undefined)
      throw new DerError('Malformed AccessDescription', ad.start);
    const name = decodeGeneralName(location);
    if (name.type !== 'uri') continue;
    const oid = decodeOid(method);
    if (oid === pkixOids.adOcsp) ocsp.push(name.value);
    else if (oid === pkixOids.adCaIssuers) caIssuers.push(name.value);
  }
  return { ocsp, caIssuers };
}

function decodePolicies(value: Uint8Array): string[] {
  const seq = readBerSingle(value, Tag.SEQUENCE);
  return berChildren(seq, value).map((pi) => {
    const first = berChildren(pi, value)[0];
    if (first === undefined) throw new DerError('Malformed PolicyInformation', pi.start);
    return decodeOid(first);
  });
}

function decodeGeneralNames(value: Uint8Array): GeneralName[] {
  const seq = readBerSingle(value, Tag.SEQUENCE);
  return berChildren(seq, value).map((c) => decodeGeneralName(c));
}

/** Decodes the extensions list ([3] EXPLICIT SEQUENCE OF Extension). */
export function decodeExtensions(
  extsTlv: BerTlv | undefined,
  input: Uint8Array,
): CertificateExtensions {
  const all: RawExtension[] = [];
  const result: {
    -readonly [K in keyof CertificateExtensions]: CertificateExtensions[K];
  } = { ocspNoCheck: false, all };
  if (extsTlv === undefined) return result;
  const seen = new Set<string>();
  for (const ext of berChildren(extsTlv, input)) {
    const parts = berChildren(ext, input);
    const oid = decodeOid(parts[0]!);
    const critical =
      parts.length === 3 && parts[1]!.tag === Tag.BOOLEAN && parts[1]!.value[0] !== 0;
    const octets = parts[parts.length - 1]!;
    if (octets.tag !== Tag.OCTET_STRING)
      throw new DerError('extnValue must be an OCTET STRING', octets.start);
    if (seen.has(oid)) throw new DerError(`Duplicate extension ${oid}`, ext.start);
    seen.add(oid);
    const value = octets.value;
    all.push({ oid, critical, value });
    switch (oid) {
      case pkixOids.basicConstraints:
        result.basicConstraints = decodeBasicConstraints(value);
        break;
      case pkixOids.keyUsage:
        result.keyUsage = decodeKeyUsage(value);
        break;
      case pkixOids.extKeyUsage:
        result.extendedKeyUsage = decodeOidSequence(value);
        break;
      case pkixOids.subjectKeyIdentifier: {
        const ski = readBerSingle(value, Tag.OCTET_STRING);
        result.subjectKeyIdentifier = toHex(ski.value);
        break;
      }
      case pkixOids.authorityKeyIdentifier: {
        const aki = decodeAki(value);
        if (aki !== undefined) result.authorityKeyIdentifier = aki;
        break;
      }
      case pkixOids.cRLDistributionPoints:
        result.crlDistributionPoints = decodeCrlDp(value);
        break;
      case pkixOids.authorityInfoAccess: {
        const aia = decodeAia(value);
        result.ocspUrls = aia.ocsp;
        result.caIssuersUrls = aia.caIssuers;
        break;
      }
      case pkixOids.certificatePolicies:
        result.policies = decodePolicies(value);
        break;
      case pkixOids.subjectAltName:
        result.subjectAltNames = decodeGeneralNames(value);
        break;
      case pkixOids.pkixOcspNocheck:
        result.ocspNoCheck = true;
        break;
      default:
        break;
    }
  }
  return result;
}

/**
 * Decodes a DER (or BER) X.509 certificate, or a PEM `CERTIFICATE` block.
 * @example const cert = parseCertificate(readFileSync('seal.cer'));
 * @throws {CertificateParseError} ERR_CERT_PARSE when the input is not a certificate, or uses a key or signature algorithm GovTrust does not support
 */
export function parseCertificate(input: Uint8Array | string): Certificate {
  let der: Uint8Array;
  if (typeof input === 'string' || looksLikePem(input)) {
    const block = parseWith(
      () => decodePemBlocks(pemText(input)).find((b) => b.label === 'CERTIFICATE'),
      (m, cause) => new CertificateParseError(m, { cause }),
      'PEM',
    );
    if (block === undefined)
      throw new CertificateParseError('No CERTIFICATE block in the PEM input');
    der = block.der;
  } else der = input;
  return parseWith(
    () => decodeCertificate(der),
    (m, cause) => new CertificateParseError(m, { cause }),
    'certificate',
  );
}

function decodeCertificate(der: Uint8Array): Certificate {
  const outer = readBerSingle(der, Tag.SEQUENCE);
  const [tbsTlv, sigAlgTlv, sigTlv] = berChildren(outer, der);
  if (tbsTlv?.tag !== Tag.SEQUENCE || sigAlgTlv?.tag !== Tag.SEQUENCE || sigTlv === undefined)
    throw new DerError(
      'Certificate must be SEQUENCE { tbsCertificate, signatureAlgorithm, signature }',
      0,
    );
  const fields = berChildren(tbsTlv, der);
  let i = 0;
  let version = 1;
  if (fields[0]?.tag === contextTag(0, true)) {
    const v = readBer(der, fields[0].contentStart, fields[0].end);
    if (v.tag !== Tag.INTEGER || v.value.length !== 1) throw new DerError('Bad version', v.start);
    version = v.value[0]! + 1;
    i = 1;
  }
  const serialTlv = fields[i];
  const innerAlgTlv = fields[i + 1];
  const issuerTlv = fields[i + 2];
  const validityTlv = fields[i + 3];
  const subjectTlv = fields[i + 4];
  const spkiTlv = fields[i + 5];
  if (
    serialTlv === undefined ||
    innerAlgTlv === undefined ||
    issuerTlv?.tag !== Tag.SEQUENCE ||
    validityTlv?.tag !== Tag.SEQUENCE ||
    subjectTlv?.tag !== Tag.SEQUENCE ||
    spkiTlv?.tag !== Tag.SEQUENCE
  )
    throw new DerError('Truncated tbsCertificate', tbsTlv.start);
  const [nbTlv, naTlv] = berChildren(validityTlv, der);
  if (nbTlv === undefined || naTlv === undefined)
    throw new DerError('Malformed Validity', validityTlv.start);
  const extsWrapper = fields.slice(i + 6).find((f) => f.tag === contextTag(3, true));
  let extsTlv: BerTlv | undefined;
  if (extsWrapper !== undefined) {
    extsTlv = readBer(der, extsWrapper.contentStart, extsWrapper.end);
    if (extsTlv.tag !== Tag.SEQUENCE)
      throw new DerError('Extensions must be a SEQUENCE', extsTlv.start);
  }
  const outerAlg = decodeAlgorithmIdentifier(sigAlgTlv, berChildren(sigAlgTlv, der));
  let decoded;
  try {
    decoded = decodeSignatureAlgorithm(outerAlg.raw);
  } catch (err) {
    if (err instanceof GovTrustError)
      throw new CertificateParseError(
        `Unsupported certificate signature algorithm ${outerAlg.oid}`,
        {
          cause: err,
        },
      );
    throw err;
  }
  let publicKey: PublicKey;
  try {
    publicKey = publicKeyFromSpki(new Uint8Array(spkiTlv.raw));
  } catch (err) {
    if (err instanceof GovTrustError)
      throw new CertificateParseError(`Unsupported subject public key: ${err.message}`, {
        cause: err,
      });
    throw err;
  }
  const { bytes: signatureValue, unused } = bitStringBytes(sigTlv);
  if (unused !== 0) throw new DerError('Signature BIT STRING has unused bits', sigTlv.start);
  return new Certificate({
    der,
    tbs: tbsTlv.raw,
    version,
    serialNumber: integerHex(serialTlv),
    serialNumberDer: serialTlv.raw,
    issuerDn: issuerTlv.raw,
    subjectDn: subjectTlv.raw,
    notBefore: decodeTime(nbTlv),
    notAfter: decodeTime(naTlv),
    publicKey,
    signatureAlgorithm: decoded.algorithm,
    signatureSaltLength: decoded.saltLength,
    signatureValue,
    extensions: decodeExtensions(extsTlv, der),
    signatureAlgorithmsMatch: equalBytes(innerAlgTlv.raw, sigAlgTlv.raw),
  });
}

/**
 * Decodes every certificate in PEM text (any number of blocks) or one DER certificate.
 * @throws {CertificateParseError} ERR_CERT_PARSE when one cannot be decoded
 */
export function parseCertificates(input: Uint8Array | string): Certificate[] {
  if (typeof input === 'string' || looksLikePem(input)) {
    const blocks = parseWith(
      () => decodePemBlocks(pemText(input)).filter((b) => b.label === 'CERTIFICATE'),
      (m, cause) => new CertificateParseError(m, { cause }),
      'PEM',
    );
    return blocks.map((b) => parseCertificate(b.der));
  }
  return [parseCertificate(input)];
}

/** A certificate given as a parsed object or as DER/PEM. */
export type CertificateInput = Certificate | Uint8Array | string;

/**
 * A `Certificate` from a parsed object or DER/PEM bytes.
 * @throws {CertificateParseError} ERR_CERT_PARSE
 */
export function toCertificate(input: CertificateInput): Certificate {
  return input instanceof Certificate ? input : parseCertificate(input);
}
