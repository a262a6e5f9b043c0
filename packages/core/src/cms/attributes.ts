/**
 * CMS attributes (RFC 5652 clause 11) and ESS signing-certificate / signing-certificate-v2
 * (RFC 2634 clause 5.4, RFC 5035 clause 3): encoding in DER SET OF order and decoding.
 * @module
 */
import { hashFromOid, type HashAlgorithm } from '../crypto/index.js';
import { berChildren, readBerSingle, type BerTlv } from '../internal/ber.js';
import { DerError, Tag, decodeOid } from '../internal/der.js';
import {
  decodeAlgorithmIdentifier,
  decodeGeneralName,
  decodeTime,
  encodeDirectoryName,
  encodeHashAlgorithm,
  integerHex,
  derOid,
  derSeq,
  derSetOf,
  derOctetString,
} from '../pki/asn1.js';
import type { Certificate } from '../pki/certificate.js';
import { pkixOids } from '../pki/oids.js';

/** One attribute: its type and each value as DER. */
export interface CmsAttribute {
  readonly oid: string;
  /** Each AttributeValue as a complete DER element. */
  readonly values: readonly Uint8Array[];
}

/** DER of one Attribute ::= SEQUENCE { attrType, attrValues SET OF } with the values DER-sorted. */
export function encodeAttribute(attribute: CmsAttribute): Uint8Array {
  return derSeq(derOid(attribute.oid), derSetOf(attribute.values));
}

/** DER SET OF Attribute, sorted as X.690 11.6 requires (what a signature over signed attributes covers). */
export function encodeAttributeSet(attributes: readonly CmsAttribute[]): Uint8Array {
  return derSetOf(attributes.map(encodeAttribute));
}

/** Reads a SET OF Attribute element (any tag: [0]/[1] IMPLICIT in SignerInfo). */
export function decodeAttributes(node: BerTlv, input: Uint8Array): CmsAttribute[] {
  return berChildren(node, input).map((attr) => {
    const [type, values] = berChildren(attr, input);
    if (type === undefined || values?.tag !== Tag.SET)
      throw new DerError('Malformed Attribute', attr.start);
    return { oid: decodeOid(type), values: berChildren(values, input).map((v) => v.raw) };
  });
}

/** One ESSCertID / ESSCertIDv2: the hash of a certificate and optionally its issuer and serial. */
export interface EssCertId {
  readonly hashAlgorithm: HashAlgorithm | null;
  /** OID of the hash; sha256 when the DEFAULT was left out (v2), sha1 for v1. */
  readonly hashAlgorithmOid: string;
  readonly certHash: Uint8Array;
  /** issuerSerial: the issuer's DER Name (first directoryName) and the serial as lower-case hex. */
  readonly issuerSerial?: { readonly issuerDn: Uint8Array; readonly serialNumber: string };
}

/**
 * DER of a SigningCertificateV2 attribute value naming `certificate` (RFC 5035 clause 3: the
 * hash algorithm is left out when it is the DEFAULT sha256, issuerSerial is included).
 */
export function encodeSigningCertificateV2(
  certificate: Certificate,
  hash: HashAlgorithm,
): Uint8Array {
  const issuerSerial = derSeq(
    derSeq(encodeDirectoryName(certificate.issuerDn)),
    certificate.serialNumberDer,
  );
  const certId = derSeq(
    ...(hash === 'sha256' ? [] : [encodeHashAlgorithm(hash)]),
    derOctetString(certificate.fingerprint(hash)),
    issuerSerial,
  );
  return derSeq(derSeq(certId));
}

/** Decodes a SigningCertificate (v1, `version` 1) or SigningCertificateV2 value. */
export function decodeSigningCertificate(value: Uint8Array, version: 1 | 2): EssCertId[] {
  const outer = readBerSingle(value, Tag.SEQUENCE);
  const [certs] = berChildren(outer, value);
  if (certs?.tag !== Tag.SEQUENCE) throw new DerError('Malformed SigningCertificate', outer.start);
  return berChildren(certs, value).map((certId) => {
    const parts = berChildren(certId, value);
    let i = 0;
    let hashAlgorithmOid = version === 1 ? '1.3.14.3.2.26' : '2.16.840.1.101.3.4.2.1';
    if (version === 2 && parts[0]?.tag === Tag.SEQUENCE) {
      hashAlgorithmOid = decodeAlgorithmIdentifier(parts[0], berChildren(parts[0], value)).oid;
      i = 1;
    }
    const hashTlv = parts[i];
    if (hashTlv?.tag !== Tag.OCTET_STRING) throw new DerError('Malformed ESSCertID', certId.start);
    let hashAlgorithm: HashAlgorithm | null;
    try {
      hashAlgorithm = hashFromOid(hashAlgorithmOid);
    } catch {
      hashAlgorithm = null;
    }
    const serialTlv = parts[i + 1];
    let issuerSerial: EssCertId['issuerSerial'];
    if (serialTlv?.tag === Tag.SEQUENCE) {
      const [names, serial] = berChildren(serialTlv, value);
      if (names === undefined || serial === undefined)
        throw new DerError('Malformed IssuerSerial', serialTlv.start);
      const dir = berChildren(names, value)
        .map((n) => decodeGeneralName(n))
        .find((n) => n.type === 'directory');
      if (dir !== undefined)
        issuerSerial = { issuerDn: dir.value, serialNumber: integerHex(serial) };
    }
    return {
      hashAlgorithm,
      hashAlgorithmOid,
      certHash: hashTlv.value,
      ...(issuerSerial === undefined ? {} : { issuerSerial }),
    };
  });
}

/** The single value of attribute `oid`, or undefined when absent. */
export function attributeValue(
  attributes: readonly CmsAttribute[],
  oid: string,
): Uint8Array | undefined {
  return attributes.find((a) => a.oid === oid)?.values[0];
}

/** Decodes a signing-time value (UTCTime or GeneralizedTime). */
export function decodeSigningTime(value: Uint8Array): Date {
  return decodeTime(readBerSingle(value));
}

/** Decodes a message-digest value (OCTET STRING). */
export function decodeMessageDigest(value: Uint8Array): Uint8Array {
  return readBerSingle(value, Tag.OCTET_STRING).value;
}

/** Decodes a content-type value (OID). */
export function decodeContentType(value: Uint8Array): string {
  return decodeOid(readBerSingle(value, Tag.OID));
}

/** The OIDs GovTrust writes itself; callers may not add them again as extra attributes. */
export const reservedSignedAttributes: ReadonlySet<string> = new Set([
  pkixOids.contentType,
  pkixOids.messageDigest,
  pkixOids.signingTime,
  pkixOids.signingCertificateV2,
]);
