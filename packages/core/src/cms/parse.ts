/**
 * CMS ContentInfo / SignedData decoding (RFC 5652 clauses 3 and 5; GB/T 35275 OIDs accepted).
 * Tolerates BER; keeps the raw bytes of everything a verifier checks and never re-encodes them.
 * @module
 */
import {
  decodeSignatureAlgorithm,
  hashFromOid,
  type HashAlgorithm,
  type SignatureAlgorithm,
} from '../crypto/index.js';
import { CmsParseError, InputTooLargeError } from '../errors/index.js';
import {
  berChildren,
  berStringValue,
  readBer,
  readBerSingle,
  type BerTlv,
} from '../internal/ber.js';
import { concatBytes, toHex } from '../internal/bytes.js';
import { DerError, Tag, contextTag, decodeOid, encodeTlv } from '../internal/der.js';
import { decodeAlgorithmIdentifier, integerHex, parseWith } from '../pki/asn1.js';
import { pkixOids } from '../pki/oids.js';
import {
  attributeValue,
  decodeAttributes,
  decodeContentType,
  decodeMessageDigest,
  decodeSigningCertificate,
  decodeSigningTime,
  type CmsAttribute,
  type EssCertId,
} from './attributes.js';

/** How a SignerInfo names its certificate (RFC 5652 5.3 SignerIdentifier). */
export type SignerIdentifier =
  | {
      readonly type: 'issuerAndSerialNumber';
      /** Raw DER of the issuer Name. */
      readonly issuerDn: Uint8Array;
      /** Lower-case hex of the serial INTEGER contents. */
      readonly serialNumber: string;
    }
  | {
      readonly type: 'subjectKeyIdentifier';
      /** Lower-case hex. */ readonly keyIdentifier: string;
    };

/** One decoded SignerInfo. */
export interface ParsedSignerInfo {
  readonly signerInfoVersion: number;
  readonly sid: SignerIdentifier;
  /** The digest algorithm, or null when GovTrust does not know its OID. */
  readonly digestAlgorithm: HashAlgorithm | null;
  readonly digestAlgorithmOid: string;
  /** The signature algorithm, or null when unsupported (see `signatureAlgorithmOid`). */
  readonly signatureAlgorithm: SignatureAlgorithm | null;
  readonly signatureAlgorithmOid: string;
  /** RSA-PSS salt length. */
  readonly signatureSaltLength?: number;
  /**
   * The signed attributes as the SET OF the signature covers: the raw [0] bytes with the SET tag
   * (RFC 5652 5.4). Undefined when the SignerInfo has no signed attributes.
   */
  readonly signedAttributesDer: Uint8Array | undefined;
  /** True when the signed attributes used BER lengths and had to be re-wrapped to check them. */
  readonly signedAttributesNotDer: boolean;
  readonly signatureValue: Uint8Array;
  readonly signedAttributes: readonly CmsAttribute[];
  readonly unsignedAttributes: readonly CmsAttribute[];
  /** message-digest attribute value. */
  readonly messageDigest?: Uint8Array;
  /** content-type attribute value (OID). */
  readonly contentType?: string;
  readonly signingTime?: Date;
  /** ESS signing-certificate-v2 entries (RFC 5035). */
  readonly signingCertificateV2?: readonly EssCertId[];
  /** ESS signing-certificate (v1, SHA-1) entries (RFC 2634). */
  readonly signingCertificate?: readonly EssCertId[];
  /** DER TimeStampTokens of id-aa-signatureTimeStampToken unsigned attributes. */
  readonly timestampTokens: readonly Uint8Array[];
  /** The raw SignerInfo DER. */
  readonly raw: Uint8Array;
}

/** A decoded CMS SignedData. Top-level signer fields are those of the first SignerInfo. */
export interface ParsedCms extends ParsedSignerInfo {
  /** The ContentInfo as given. */
  readonly der: Uint8Array;
  readonly version: number;
  /** The eContentType OID (id-data, id-ct-TSTInfo, ...). */
  readonly encapsulatedContentType: string;
  /** The eContent octets when the content is encapsulated (segments of BER strings joined). */
  readonly encapsulatedContent: Uint8Array | undefined;
  /** OIDs of the digestAlgorithms SET. */
  readonly digestAlgorithmOids: readonly string[];
  /** Embedded X.509 certificates (DER, as given; other CertificateChoices are skipped). */
  readonly certificates: readonly Uint8Array[];
  /** Embedded CRLs (DER). */
  readonly crls: readonly Uint8Array[];
  /** Embedded other revocation data (RFC 5940, e.g. OCSP responses). */
  readonly otherRevocationInfo: readonly { readonly format: string; readonly value: Uint8Array }[];
  /** Every SignerInfo, in order. */
  readonly signerInfos: readonly ParsedSignerInfo[];
}

/** Largest CMS accepted by default (16 MiB): encapsulated licences are small; PDFs are detached. */
export const MAX_CMS_BYTES = 16 * 1024 * 1024;

function fail(message: string, offset = 0): never {
  throw new DerError(message, offset);
}

function intValue(tlv: BerTlv | undefined): number {
  if (tlv?.tag !== Tag.INTEGER || tlv.value.length > 2)
    fail('Expected a small INTEGER', tlv?.start ?? 0);
  return Number.parseInt(toHex(tlv.value), 16);
}

function parseSignerInfo(node: BerTlv, input: Uint8Array): ParsedSignerInfo {
  const parts = berChildren(node, input);
  const version = intValue(parts[0]);
  const sidTlv = parts[1] ?? fail('Truncated SignerInfo', node.start);
  let sid: SignerIdentifier;
  if (sidTlv.tag === Tag.SEQUENCE) {
    const [issuer, serial] = berChildren(sidTlv, input);
    if (issuer?.tag !== Tag.SEQUENCE || serial === undefined)
      fail('Malformed IssuerAndSerialNumber', sidTlv.start);
    sid = { type: 'issuerAndSerialNumber', issuerDn: issuer.raw, serialNumber: integerHex(serial) };
  } else if (sidTlv.tag === contextTag(0, false) || sidTlv.tag === contextTag(0, true)) {
    sid = { type: 'subjectKeyIdentifier', keyIdentifier: toHex(berStringValue(sidTlv, input)) };
  } else fail('Unknown SignerIdentifier', sidTlv.start);

  const digestTlv = parts[2];
  if (digestTlv?.tag !== Tag.SEQUENCE) fail('Missing digestAlgorithm', node.start);
  const digestAlgorithmOid = decodeAlgorithmIdentifier(
    digestTlv,
    berChildren(digestTlv, input),
  ).oid;
  let digestAlgorithm: HashAlgorithm | null = null;
  try {
    digestAlgorithm = hashFromOid(digestAlgorithmOid);
  } catch {
    digestAlgorithm = null;
  }

  let i = 3;
  let signedAttributesDer: Uint8Array | undefined;
  let signedAttributesNotDer = false;
  let signedAttributes: CmsAttribute[] = [];
  const attrsTlv = parts[i];
  if (attrsTlv?.tag === contextTag(0, true)) {
    signedAttributes = decodeAttributes(attrsTlv, input);
    if (attrsTlv.nonDer) {
      // The signature covers the DER form; a BER-length wrapper must be rebuilt to check it.
      signedAttributesNotDer = true;
      signedAttributesDer = encodeTlv(
        Tag.SET,
        concatBytes(...berChildren(attrsTlv, input).map((c) => c.raw)),
      );
    } else {
      // RFC 5652 5.4: the signature covers the SET OF tag with the same length and contents.
      signedAttributesDer = new Uint8Array(attrsTlv.raw);
      signedAttributesDer[0] = Tag.SET;
    }
    i++;
  }
  const sigAlgTlv = parts[i++];
  if (sigAlgTlv?.tag !== Tag.SEQUENCE) fail('Missing signatureAlgorithm', node.start);
  const sigAlg = decodeAlgorithmIdentifier(sigAlgTlv, berChildren(sigAlgTlv, input));
  let signatureAlgorithm: SignatureAlgorithm | null = null;
  let signatureSaltLength: number | undefined;
  try {
    const decoded = decodeSignatureAlgorithm(
      sigAlg.raw,
      digestAlgorithm === null ? {} : { digestAlgorithm },
    );
    signatureAlgorithm = decoded.algorithm;
    signatureSaltLength = decoded.saltLength;
  } catch {
    signatureAlgorithm = null;
  }
  const sigTlv = parts[i++];
  if (sigTlv?.tag !== Tag.OCTET_STRING && sigTlv?.tag !== (Tag.OCTET_STRING | 0x20))
    fail('Missing signature value', node.start);
  const signatureValue = berStringValue(sigTlv, input);
  let unsignedAttributes: CmsAttribute[] = [];
  const unsignedTlv = parts[i];
  if (unsignedTlv?.tag === contextTag(1, true))
    unsignedAttributes = decodeAttributes(unsignedTlv, input);

  const md = attributeValue(signedAttributes, pkixOids.messageDigest);
  const ct = attributeValue(signedAttributes, pkixOids.contentType);
  const st = attributeValue(signedAttributes, pkixOids.signingTime);
  const sc2 = attributeValue(signedAttributes, pkixOids.signingCertificateV2);
  const sc1 = attributeValue(signedAttributes, pkixOids.signingCertificate);
  const timestampTokens = unsignedAttributes
    .filter((a) => a.oid === pkixOids.signatureTimeStampToken)
    .flatMap((a) => a.values);
  return {
    signerInfoVersion: version,
    sid,
    digestAlgorithm,
    digestAlgorithmOid,
    signatureAlgorithm,
    signatureAlgorithmOid: sigAlg.oid,
    ...(signatureSaltLength === undefined ? {} : { signatureSaltLength }),
    signedAttributesDer,
    signedAttributesNotDer,
    signatureValue,
    signedAttributes,
    unsignedAttributes,
    ...(md === undefined ? {} : { messageDigest: decodeMessageDigest(md) }),
    ...(ct === undefined ? {} : { contentType: decodeContentType(ct) }),
    ...(st === undefined ? {} : { signingTime: decodeSigningTime(st) }),
    ...(sc2 === undefined ? {} : { signingCertificateV2: decodeSigningCertificate(sc2, 2) }),
    ...(sc1 === undefined ? {} : { signingCertificate: decodeSigningCertificate(sc1, 1) }),
    timestampTokens,
    raw: node.raw,
  };
}

function decodeContentInfo(der: Uint8Array): ParsedCms {
  const outer = readBerSingle(der, Tag.SEQUENCE);
  const [typeTlv, wrapper] = berChildren(outer, der);
  if (typeTlv === undefined || wrapper?.tag !== contextTag(0, true))
    fail('ContentInfo must be SEQUENCE { contentType, [0] content }');
  const type = decodeOid(typeTlv);
  if (type !== pkixOids.signedData && type !== pkixOids.gmSignedData)
    fail(`ContentInfo holds ${type}, not SignedData`, typeTlv.start);
  const sd = berChildren(wrapper, der)[0];
  if (sd?.tag !== Tag.SEQUENCE) fail('Missing SignedData', wrapper.start);
  const parts = berChildren(sd, der);
  const version = intValue(parts[0]);
  const digestSet = parts[1];
  if (digestSet?.tag !== Tag.SET) fail('Missing digestAlgorithms', sd.start);
  const digestAlgorithmOids = berChildren(digestSet, der).map(
    (a) => decodeAlgorithmIdentifier(a, berChildren(a, der)).oid,
  );
  const encap = parts[2];
  if (encap?.tag !== Tag.SEQUENCE) fail('Missing encapContentInfo', sd.start);
  const [eTypeTlv, eContentWrapper] = berChildren(encap, der);
  if (eTypeTlv === undefined) fail('Missing eContentType', encap.start);
  const encapsulatedContentType = decodeOid(eTypeTlv);
  let encapsulatedContent: Uint8Array | undefined;
  if (eContentWrapper !== undefined) {
    if (eContentWrapper.tag !== contextTag(0, true))
      fail('Malformed eContent', eContentWrapper.start);
    const octets = berChildren(eContentWrapper, der)[0];
    if (octets === undefined || (octets.tag & ~0x20) !== Tag.OCTET_STRING)
      fail('eContent must be an OCTET STRING', eContentWrapper.start);
    encapsulatedContent = berStringValue(octets, der);
  }
  const certificates: Uint8Array[] = [];
  const crls: Uint8Array[] = [];
  const otherRevocationInfo: { format: string; value: Uint8Array }[] = [];
  let signerSet: BerTlv | undefined;
  for (const part of parts.slice(3)) {
    if (part.tag === contextTag(0, true)) {
      for (const c of berChildren(part, der)) if (c.tag === Tag.SEQUENCE) certificates.push(c.raw);
    } else if (part.tag === contextTag(1, true)) {
      for (const c of berChildren(part, der)) {
        if (c.tag === Tag.SEQUENCE) crls.push(c.raw);
        else if (c.tag === contextTag(1, true)) {
          const [fmt, value] = berChildren(c, der);
          if (fmt !== undefined && value !== undefined)
            otherRevocationInfo.push({ format: decodeOid(fmt), value: value.raw });
        }
      }
    } else if (part.tag === Tag.SET) signerSet = part;
    else fail(`Unexpected element 0x${part.tag.toString(16)} in SignedData`, part.start);
  }
  if (signerSet === undefined) fail('Missing signerInfos', sd.start);
  const signerInfos = berChildren(signerSet, der).map((s) => parseSignerInfo(s, der));
  const first = signerInfos[0];
  if (first === undefined) fail('SignedData has no SignerInfo', signerSet.start);
  return {
    ...first,
    der,
    version,
    encapsulatedContentType,
    encapsulatedContent,
    digestAlgorithmOids,
    certificates,
    crls,
    otherRevocationInfo,
    signerInfos,
  };
}

/**
 * Decodes a CMS ContentInfo(SignedData), DER or BER. Trailing zero bytes (a PDF /Contents
 * placeholder's padding) are ignored.
 * @example const parsed = parseCms(contentsBytes); parsed.signedAttributesDer
 * @throws {CmsParseError} ERR_CMS_PARSE when the input is not a SignedData with at least one SignerInfo
 * @throws {InputTooLargeError} ERR_INPUT_TOO_LARGE above `maxBytes` (default 16 MiB)
 */
export function parseCms(der: Uint8Array, options: { maxBytes?: number } = {}): ParsedCms {
  const limit = options.maxBytes ?? MAX_CMS_BYTES;
  if (der.length > limit)
    throw new InputTooLargeError(`CMS is ${der.length} bytes; the limit is ${limit}`, limit);
  const trimmed = trimPadding(der);
  return parseWith(
    () => decodeContentInfo(trimmed),
    (m, cause) => new CmsParseError(m, { cause }),
    'CMS',
  );
}

function trimPadding(der: Uint8Array): Uint8Array {
  // PDF /Contents is zero-padded after the CMS; read the outer length to cut it off.
  try {
    const outer = readBer(der, 0);
    if (outer.end < der.length && der.subarray(outer.end).every((b) => b === 0))
      return der.subarray(0, outer.end);
  } catch {
    // Let the full parse report the problem.
  }
  return der;
}
