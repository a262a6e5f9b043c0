/**
 * CMS SignedData production (RFC 5652 clause 5) with CAdES/PAdES signed attributes in DER order,
 * ESS signing-certificate-v2 (RFC 5035), optional signature time-stamp (RFC 3161 appendix A), and
 * SM2 per GB/T 35275 (SM3 digest, SM2 signature OID, DER SEQUENCE { r, s } value).
 * @module
 */
import {
  digest,
  encodeSignatureAlgorithm,
  hashSize,
  maxSignatureSize,
  signatureAlgorithmInfo,
  type HashAlgorithm,
  type PublicKey,
  type SignatureAlgorithm,
  type Signer,
} from '../crypto/index.js';
import { InvalidInputError } from '../errors/index.js';
import { equalBytes } from '../internal/bytes.js';
import { contextTag } from '../internal/der.js';
import {
  encodeHashAlgorithm,
  encodeTime,
  derOid,
  derSeq,
  derSetOf,
  derTlv,
  derOctetString,
} from '../pki/asn1.js';
import { parseCertificate, type Certificate } from '../pki/certificate.js';
import { pkixOids } from '../pki/oids.js';
import type { TsaClient } from '../pki/tsa-client.js';
import {
  encodeAttribute,
  encodeAttributeSet,
  encodeSigningCertificateV2,
  reservedSignedAttributes,
  type CmsAttribute,
} from './attributes.js';

/** Options of `signCms` (CONTRACTS.md, cms). */
export interface CmsSignOptions {
  readonly signer: Signer;
  /** Default: the signer algorithm's hash (sm3 for SM2, sha512 for Ed25519). */
  readonly digestAlgorithm?: HashAlgorithm;
  /** Detached content given as its digest (e.g. over a PDF ByteRange), made with `digestAlgorithm`. */
  readonly contentDigest?: Uint8Array;
  /** Or the content itself. */
  readonly content?: Uint8Array;
  /** Put `content` inside the SignedData (default false: detached). */
  readonly encapsulate?: boolean;
  /** eContentType OID, default id-data. */
  readonly contentType?: string;
  /** Adds signing-time; PAdES leaves it out (the time is in /M). */
  readonly signingTime?: Date;
  /** ESS signing-certificate-v2 (RFC 5035), default true. */
  readonly signingCertificateV2?: boolean;
  /** Extra signed attributes, e.g. GovTrust's seal attribute. */
  readonly signedAttributes?: readonly CmsAttribute[];
  readonly unsignedAttributes?: readonly CmsAttribute[];
  /** Adds id-aa-signatureTimeStampToken over the signature value. */
  readonly timestamp?: TsaClient;
  /** DER certificates to embed; default: the signer's whole chain. */
  readonly certificates?: readonly Uint8Array[];
  /** DER CRLs to embed. */
  readonly crls?: readonly Uint8Array[];
}

/** Options of `prepareCms`: everything of `signCms` but the signer, which is described instead. */
export type CmsPrepareOptions = Omit<CmsSignOptions, 'signer'> & {
  readonly algorithm: SignatureAlgorithm;
  /** DER certificates, signer first. */
  readonly certificateChain: readonly Uint8Array[];
  /** The signer's public key, needed when there is no certificate. */
  readonly publicKey?: PublicKey;
  readonly sm2Id?: string | Uint8Array;
};

/** A prepared SignedData: sign `toBeSigned` elsewhere, then `finish` with the signature value. */
export interface PreparedCms {
  /** DER SET OF signed attributes: the exact bytes the signature covers. */
  readonly toBeSigned: Uint8Array;
  /** The digest algorithm of the message digest (and of the time-stamp imprint). */
  readonly digestAlgorithm: HashAlgorithm;
  /**
   * Builds the DER ContentInfo around the signature value (fetching the signature time-stamp
   * first when `timestamp` was given).
   * @throws {TsaRejectedError} ERR_TSA_REJECTED / {PkiFetchError} ERR_PKI_FETCH from the TSA client
   */
  finish(signatureValue: Uint8Array): Promise<Uint8Array>;
}

/** The digest algorithm a signer's algorithm implies (SM3 for SM2, SHA-512 for Ed25519 per RFC 8419). */
export function defaultDigestAlgorithm(algorithm: SignatureAlgorithm): HashAlgorithm {
  return signatureAlgorithmInfo(algorithm).hash ?? 'sha512';
}

/**
 * The AlgorithmIdentifier a SignerInfo carries for `algorithm`: as in certificates, except SM2,
 * which GB/T 35275 identifies by the SM2 signature OID 1.2.156.10197.1.301.1.
 */
export function cmsSignatureAlgorithm(algorithm: SignatureAlgorithm): Uint8Array {
  let der = signatureAlgorithmCache.get(algorithm);
  if (der === undefined) {
    der =
      algorithm === 'sm2-sm3'
        ? derSeq(derOid('1.2.156.10197.1.301.1'))
        : encodeSignatureAlgorithm(algorithm);
    signatureAlgorithmCache.set(algorithm, der);
  }
  return new Uint8Array(der);
}

const signatureAlgorithmCache = new Map<SignatureAlgorithm, Uint8Array>();

interface Plan {
  readonly digestAlgorithm: HashAlgorithm;
  readonly algorithm: SignatureAlgorithm;
  readonly signerCert: Certificate | undefined;
  readonly sid: Uint8Array;
  readonly signedAttrs: Uint8Array;
  readonly certificates: readonly Uint8Array[];
  readonly crls: readonly Uint8Array[];
  readonly eContentType: string;
  readonly eContent: Uint8Array | undefined;
  readonly unsigned: readonly CmsAttribute[];
}

// A TSA or a seal service signs with the same chain array thousands of times: decode it once.
const certificateCache = new WeakMap<Uint8Array, Certificate>();

function signerCertificate(der: Uint8Array): Certificate {
  let cert = certificateCache.get(der);
  if (cert === undefined) {
    cert = parseCertificate(der);
    certificateCache.set(der, cert);
  }
  return cert;
}

const essCache = new WeakMap<Certificate, Map<HashAlgorithm, Uint8Array>>();

function essValue(cert: Certificate, hash: HashAlgorithm): Uint8Array {
  let byHash = essCache.get(cert);
  if (byHash === undefined) {
    byHash = new Map();
    essCache.set(cert, byHash);
  }
  let value = byHash.get(hash);
  if (value === undefined) {
    value = encodeSigningCertificateV2(cert, hash);
    byHash.set(hash, value);
  }
  return value;
}

const certificateSetCache = new WeakMap<readonly Uint8Array[], Uint8Array>();

/** [0] IMPLICIT CertificateSet, cached per chain array (a signer reuses its chain). */
function certificateSet(certificates: readonly Uint8Array[]): Uint8Array {
  let set = certificateSetCache.get(certificates);
  if (set === undefined) {
    set = retag(derSetOf(certificates), contextTag(0, true));
    certificateSetCache.set(certificates, set);
  }
  return set;
}

const INTEGER_1 = Uint8Array.of(0x02, 0x01, 0x01);
const INTEGER_3 = Uint8Array.of(0x02, 0x01, 0x03);

function invalid(message: string, field: string): InvalidInputError {
  return new InvalidInputError(message, { field });
}

/** SubjectKeyIdentifier of a bare key (RFC 5280 4.2.1.2 method 1), for signers without a certificate. */
function keyIdentifier(publicKey: PublicKey): Uint8Array {
  return digest('sha1', publicKey.rawKey);
}

function plan(options: CmsPrepareOptions, contentDigestOverride?: Uint8Array): Plan {
  const algorithm = options.algorithm;
  const digestAlgorithm = options.digestAlgorithm ?? defaultDigestAlgorithm(algorithm);
  if (digestAlgorithm === 'sha1')
    throw invalid('CMS signatures are never made with SHA-1', 'digestAlgorithm');
  if (algorithm === 'sm2-sm3' && digestAlgorithm !== 'sm3')
    throw invalid('SM2 signatures in CMS use SM3 (GB/T 35275)', 'digestAlgorithm');
  const eContentType = options.contentType ?? pkixOids.data;
  let contentDigest = contentDigestOverride ?? options.contentDigest;
  if (options.content !== undefined) {
    const computed = digest(digestAlgorithm, options.content);
    if (contentDigest !== undefined && !equalBytes(contentDigest, computed))
      throw invalid('contentDigest is not the digest of content', 'contentDigest');
    contentDigest = computed;
  }
  if (contentDigest === undefined) throw invalid('Give content or contentDigest', 'content');
  if (contentDigest.length !== hashSize(digestAlgorithm))
    throw invalid(
      `contentDigest must be ${hashSize(digestAlgorithm)} bytes for ${digestAlgorithm}`,
      'contentDigest',
    );
  if (options.encapsulate === true && options.content === undefined)
    throw invalid('encapsulate needs content', 'encapsulate');

  const chain = options.certificateChain;
  const signerCert = chain.length > 0 ? signerCertificate(chain[0]!) : undefined;
  let sid: Uint8Array;
  if (signerCert !== undefined) {
    sid = derSeq(signerCert.issuerDn, signerCert.serialNumberDer);
  } else {
    if (options.publicKey === undefined)
      throw invalid('A signer without a certificate needs its public key', 'publicKey');
    sid = derTlv(contextTag(0, false), keyIdentifier(options.publicKey));
  }

  const attrs: CmsAttribute[] = [
    { oid: pkixOids.contentType, values: [derOid(eContentType)] },
    { oid: pkixOids.messageDigest, values: [derOctetString(contentDigest)] },
  ];
  if (options.signingTime !== undefined)
    attrs.push({ oid: pkixOids.signingTime, values: [encodeTime(options.signingTime)] });
  if (options.signingCertificateV2 !== false && signerCert !== undefined)
    attrs.push({
      oid: pkixOids.signingCertificateV2,
      values: [essValue(signerCert, digestAlgorithm)],
    });
  const seen = new Set<string>();
  for (const extra of options.signedAttributes ?? []) {
    if (reservedSignedAttributes.has(extra.oid) || seen.has(extra.oid))
      throw invalid(
        `Signed attribute ${extra.oid} is given twice or is written by GovTrust`,
        'signedAttributes',
      );
    if (extra.values.length === 0)
      throw invalid(`Attribute ${extra.oid} has no value`, 'signedAttributes');
    seen.add(extra.oid);
    attrs.push(extra);
  }
  for (const extra of options.unsignedAttributes ?? [])
    if (extra.values.length === 0)
      throw invalid(`Attribute ${extra.oid} has no value`, 'unsignedAttributes');

  return {
    digestAlgorithm,
    algorithm,
    signerCert,
    sid,
    // why: pkijs and node-forge keep insertion order; CMS signs the DER encoding, which is sorted.
    signedAttrs: encodeAttributeSet(attrs),
    certificates: options.certificates ?? chain,
    crls: options.crls ?? [],
    eContentType,
    eContent: options.encapsulate === true ? options.content : undefined,
    unsigned: options.unsignedAttributes ?? [],
  };
}

function encodeSignedData(
  p: Plan,
  signatureValue: Uint8Array,
  unsigned: readonly CmsAttribute[],
): Uint8Array {
  const sidIsSki = p.signerCert === undefined;
  // RFC 5652 5.3: SignerInfo version 1 for issuerAndSerialNumber, 3 for subjectKeyIdentifier.
  const signerInfo = derSeq(
    sidIsSki ? INTEGER_3 : INTEGER_1,
    p.sid,
    encodeHashAlgorithm(p.digestAlgorithm),
    // [0] IMPLICIT: the same contents as the signed SET OF, retagged.
    retag(p.signedAttrs, contextTag(0, true)),
    cmsSignatureAlgorithm(p.algorithm),
    derOctetString(signatureValue),
    ...(unsigned.length === 0
      ? []
      : [retag(derSetOf(unsigned.map(encodeAttribute)), contextTag(1, true))]),
  );
  // RFC 5652 5.1: version 3 when a SignerInfo is v3 or eContentType is not id-data, else 1.
  const version = sidIsSki || p.eContentType !== pkixOids.data ? 3n : 1n;
  const encap = derSeq(
    derOid(p.eContentType),
    ...(p.eContent === undefined ? [] : [derTlv(contextTag(0, true), derOctetString(p.eContent))]),
  );
  const signedData = derSeq(
    version === 3n ? INTEGER_3 : INTEGER_1,
    derSetOf([encodeHashAlgorithm(p.digestAlgorithm)]),
    encap,
    ...(p.certificates.length === 0 ? [] : [certificateSet(p.certificates)]),
    ...(p.crls.length === 0 ? [] : [retag(derSetOf(p.crls), contextTag(1, true))]),
    derSetOf([signerInfo]),
  );
  return derSeq(derOid(pkixOids.signedData), derTlv(contextTag(0, true), signedData));
}

/** The same TLV under another tag (IMPLICIT tagging keeps length and contents). */
function retag(der: Uint8Array, tag: number): Uint8Array {
  const out = new Uint8Array(der);
  out[0] = tag;
  return out;
}

async function finishPlan(
  p: Plan,
  options: CmsPrepareOptions,
  signatureValue: Uint8Array,
): Promise<Uint8Array> {
  const unsigned = [...p.unsigned];
  if (options.timestamp !== undefined) {
    // RFC 3161 appendix A: the imprint is the hash of the SignerInfo signature value.
    const token = await options.timestamp.timestamp({
      hashAlgorithm: p.digestAlgorithm,
      digest: digest(p.digestAlgorithm, signatureValue),
    });
    unsigned.push({ oid: pkixOids.signatureTimeStampToken, values: [token] });
  }
  return encodeSignedData(p, signatureValue, unsigned);
}

/**
 * Prepares a SignedData for external signing (remote signers, HSMs, the two-step API): returns the
 * DER signed attributes to sign and a `finish` that assembles the ContentInfo.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for missing content, a digest of the wrong size, reserved or duplicate attributes
 * @throws {CertificateParseError} ERR_CERT_PARSE when the signer certificate cannot be read
 */
export function prepareCms(options: CmsPrepareOptions): PreparedCms {
  const p = plan(options);
  return {
    toBeSigned: p.signedAttrs,
    digestAlgorithm: p.digestAlgorithm,
    finish: (signatureValue) => finishPlan(p, options, signatureValue),
  };
}

/**
 * Signs content (or its digest) as a DER CMS ContentInfo(SignedData) with DER-sorted signed
 * attributes: content-type, message-digest, signing-certificate-v2, optional signing-time and extras.
 * @example const cms = await signCms({ signer, contentDigest, digestAlgorithm: 'sha256' });
 * @throws {InvalidInputError} ERR_INVALID_INPUT for inconsistent options
 * @throws {SignerFailedError} ERR_SIGNER_FAILED when the signer fails
 * @throws {TsaRejectedError} ERR_TSA_REJECTED / {PkiFetchError} ERR_PKI_FETCH from the TSA client
 */
export async function signCms(options: CmsSignOptions): Promise<Uint8Array> {
  const { signer, ...rest } = options;
  const prepared = prepareCms({
    ...rest,
    algorithm: signer.algorithm,
    certificateChain: signer.certificateChain,
    ...(signer.publicKey === undefined ? {} : { publicKey: signer.publicKey }),
    ...(signer.sm2Id === undefined ? {} : { sm2Id: signer.sm2Id }),
  });
  const signatureValue = await signer.sign(prepared.toBeSigned);
  return prepared.finish(signatureValue);
}

/** Options of `cmsSizeBound`. */
export interface CmsSizeBoundOptions {
  readonly algorithm: SignatureAlgorithm;
  readonly publicKey: PublicKey;
  readonly certificateChain: readonly Uint8Array[];
  readonly signedAttributes?: readonly CmsAttribute[];
  readonly unsignedAttributes?: readonly CmsAttribute[];
  /** Size of the time-stamp token that will be added, if any. */
  readonly timestampTokenBytes?: number;
  readonly digestAlgorithm?: HashAlgorithm;
  /** Whether a signing-time attribute will be added. */
  readonly signingTime?: boolean;
  readonly signingCertificateV2?: boolean;
  readonly certificates?: readonly Uint8Array[];
  readonly crls?: readonly Uint8Array[];
  readonly contentType?: string;
}

/**
 * An upper bound of the DER size `signCms` produces for these inputs (detached content), for
 * reserving room such as a PDF /Contents placeholder. Built by encoding with maximal-size values.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for inconsistent options
 */
export function cmsSizeBound(options: CmsSizeBoundOptions): number {
  const digestAlgorithm = options.digestAlgorithm ?? defaultDigestAlgorithm(options.algorithm);
  const p = plan(
    {
      algorithm: options.algorithm,
      certificateChain: options.certificateChain,
      publicKey: options.publicKey,
      digestAlgorithm,
      ...(options.signedAttributes === undefined
        ? {}
        : { signedAttributes: options.signedAttributes }),
      ...(options.unsignedAttributes === undefined
        ? {}
        : { unsignedAttributes: options.unsignedAttributes }),
      ...(options.signingTime === true ? { signingTime: new Date(Date.UTC(2100, 0, 1)) } : {}),
      ...(options.signingCertificateV2 === undefined
        ? {}
        : { signingCertificateV2: options.signingCertificateV2 }),
      ...(options.certificates === undefined ? {} : { certificates: options.certificates }),
      ...(options.crls === undefined ? {} : { crls: options.crls }),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    },
    new Uint8Array(hashSize(digestAlgorithm)),
  );
  const unsigned = [...p.unsigned];
  if (options.timestampTokenBytes !== undefined && options.timestampTokenBytes > 0)
    unsigned.push({
      oid: pkixOids.signatureTimeStampToken,
      values: [new Uint8Array(options.timestampTokenBytes)],
    });
  const size = encodeSignedData(
    p,
    new Uint8Array(maxSignatureSize(options.algorithm, options.publicKey)),
    unsigned,
  ).length;
  // A few bytes for length octets that may grow when a real value is longer than the placeholder's form.
  return size + 16;
}
