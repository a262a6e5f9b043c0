/**
 * Certificate issuing (RFC 5280 clause 4) with GovTrust's profiles: root and intermediate CA, seal
 * maker (制章机构), seal holder / organisation signing, licence issuer, TSA (RFC 3161 2.3) and
 * OCSP responder (RFC 6960 4.2.2.2). SM2 issuers sign sm2-with-sm3 with the default ID (GM/T 0015).
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  digest,
  encodeSignatureAlgorithm,
  type PublicKey,
  type SignatureAlgorithm,
  type Signer,
} from '../crypto/index.js';
import { CertificateIssueError, GovTrustError } from '../errors/index.js';
import {
  DER_NULL,
  Tag,
  contextTag,
  encodeBitString,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeTlv,
  encodeUnsignedInteger,
} from '../internal/der.js';
import { encodeTime, encodeUriName } from './asn1.js';
import {
  Certificate,
  keyUsageNames,
  parseCertificate,
  toCertificate,
  type KeyUsage,
} from './certificate.js';
import { encodeName, type NameSpec } from './name.js';
import { govtrustOids, pkixOids } from './oids.js';

/** The certificate profiles GovTrust issues. `custom` takes every extension from the options. */
export type CertificateProfile =
  | 'root-ca'
  | 'intermediate-ca'
  | 'seal-maker'
  | 'seal-holder'
  | 'licence-issuer'
  | 'tsa'
  | 'ocsp-responder'
  | 'custom';

/** Every profile name, for CLIs and configuration checks. */
export const certificateProfiles: readonly CertificateProfile[] = [
  'root-ca',
  'intermediate-ca',
  'seal-maker',
  'seal-holder',
  'licence-issuer',
  'tsa',
  'ocsp-responder',
  'custom',
];

interface ProfileDefaults {
  readonly ca: boolean;
  readonly keyUsage: readonly KeyUsage[];
  readonly extendedKeyUsage?: readonly string[];
  readonly ekuCritical?: boolean;
  readonly ocspNoCheck?: boolean;
}

/**
 * What each profile puts in a certificate. Document-signing profiles list emailProtection next to
 * id-kp-documentSigning (RFC 9336) because NSS (poppler's pdfsig) and Adobe check signer
 * certificates as e-mail signers and reject an EKU without it.
 */
const profiles: Record<Exclude<CertificateProfile, 'custom'>, ProfileDefaults> = {
  'root-ca': { ca: true, keyUsage: ['keyCertSign', 'cRLSign'] },
  'intermediate-ca': { ca: true, keyUsage: ['keyCertSign', 'cRLSign'] },
  'seal-maker': {
    ca: false,
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    extendedKeyUsage: [
      govtrustOids.kpSealMaking,
      pkixOids.kpDocumentSigning,
      pkixOids.kpEmailProtection,
    ],
  },
  'seal-holder': {
    ca: false,
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    extendedKeyUsage: [pkixOids.kpDocumentSigning, pkixOids.kpEmailProtection],
  },
  'licence-issuer': {
    ca: false,
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    extendedKeyUsage: [
      govtrustOids.kpLicenceSigning,
      pkixOids.kpDocumentSigning,
      pkixOids.kpEmailProtection,
    ],
  },
  // RFC 3161 2.3: the TSA certificate has one critical EKU, id-kp-timeStamping.
  tsa: {
    ca: false,
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    extendedKeyUsage: [pkixOids.kpTimeStamping],
    ekuCritical: true,
  },
  // RFC 6960 4.2.2.2 and 4.2.2.2.1: id-kp-OCSPSigning, and id-pkix-ocsp-nocheck so clients do not loop.
  'ocsp-responder': {
    ca: false,
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: [pkixOids.kpOcspSigning],
    ocspNoCheck: true,
  },
};

/** A subject alternative name to put in a certificate. */
export interface SubjectAltName {
  readonly type: 'dns' | 'email' | 'uri';
  readonly value: string;
}

/** An extension given as-is. */
export interface ExtraExtension {
  readonly oid: string;
  readonly critical?: boolean;
  /** The extension's DER value (what goes inside extnValue). */
  readonly value: Uint8Array;
}

/** Options of `prepareCertificate` / `issueCertificate`. */
export interface IssueCertificateOptions {
  readonly profile: CertificateProfile;
  readonly subject: NameSpec;
  /** The subject's public key. */
  readonly publicKey: PublicKey;
  /** The issuing CA and its signer; leave out for a self-signed certificate. */
  readonly issuer?: { readonly certificate: Certificate | Uint8Array; readonly signer: Signer };
  /** The signer of a self-signed certificate (its key is `publicKey`). */
  readonly signer?: Signer;
  /** The signature algorithm when only a precomputed signature will be given (`prepareCertificate`). */
  readonly signatureAlgorithm?: SignatureAlgorithm;
  /** Positive serial (bigint or hex); default 16 random bytes (126 bits of entropy). */
  readonly serialNumber?: bigint | string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** CA profiles: pathLenConstraint (intermediates default 0, roots none). */
  readonly pathLength?: number;
  /** Overrides of the profile's key usage and extended key usage. */
  readonly keyUsage?: readonly KeyUsage[];
  readonly extendedKeyUsage?: readonly string[];
  readonly extendedKeyUsageCritical?: boolean;
  /** CA profiles only: whether the certificate is a CA (`custom` profile). */
  readonly ca?: boolean;
  readonly crlDistributionPoints?: readonly string[];
  readonly ocspUrls?: readonly string[];
  readonly caIssuersUrls?: readonly string[];
  /** Certificate policy OIDs. */
  readonly policies?: readonly string[];
  readonly subjectAltNames?: readonly SubjectAltName[];
  readonly ocspNoCheck?: boolean;
  readonly extraExtensions?: readonly ExtraExtension[];
}

/** A to-be-signed certificate: sign `tbs` with the issuer key, then `finish`. */
export interface PreparedCertificate {
  /** DER tbsCertificate. */
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /**
   * The certificate around the issuer's signature value.
   * @throws {CertificateParseError} ERR_CERT_PARSE when the signature value is malformed
   */
  finish(signatureValue: Uint8Array): Certificate;
}

function issueError(message: string): CertificateIssueError {
  return new CertificateIssueError(message);
}

function encodeExtension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return encodeSequence(
    encodeOid(oid),
    ...(critical ? [encodeTlv(Tag.BOOLEAN, Uint8Array.of(0xff))] : []),
    encodeOctetString(value),
  );
}

function encodeKeyUsage(usages: readonly KeyUsage[]): Uint8Array {
  // Named BIT STRING: DER drops trailing zero bits (X.690 11.2.2).
  let bits = 0;
  for (const u of usages) bits |= 1 << (15 - keyUsageNames.indexOf(u));
  let highest = -1;
  for (let i = 0; i < 16; i++) if ((bits & (1 << (15 - i))) !== 0) highest = i;
  if (highest < 0) throw issueError('keyUsage must name at least one usage');
  const bytes = highest < 8 ? Uint8Array.of(bits >> 8) : Uint8Array.of(bits >> 8, bits & 0xff);
  const unused = (bytes.length * 8 - 1 - highest) % 8;
  return encodeTlv(Tag.BIT_STRING, Uint8Array.of(unused), bytes);
}

/** The SHA-1 key identifier of a public key (RFC 5280 4.2.1.2 method 1). */
export function keyIdentifierOf(publicKey: PublicKey): Uint8Array {
  return digest('sha1', publicKey.rawKey);
}

function randomSerial(): bigint {
  const bytes = randomBytes(16);
  // Positive and exactly 16 octets in DER: top bit clear, next bit set.
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return BigInt('0x' + bytes.toString('hex'));
}

function serialOf(value: bigint | string | undefined): bigint {
  if (value === undefined) return randomSerial();
  const n = typeof value === 'bigint' ? value : BigInt('0x' + value.replace(/^0x/i, ''));
  // RFC 5280 4.1.2.2: positive, at most 20 octets.
  if (n <= 0n || n.toString(16).length > 40)
    throw issueError('serialNumber must be positive and at most 20 octets');
  return n;
}

/**
 * Builds the tbsCertificate for the options without signing it (for HSMs, remote signers, or
 * unusual test certificates). Checks only what makes the DER well formed; `issueCertificate`
 * adds the CA checks.
 * @throws {CertificateIssueError} ERR_CERT_ISSUE for inconsistent options
 */
export function prepareCertificate(options: IssueCertificateOptions): PreparedCertificate {
  const issuerCert =
    options.issuer === undefined ? undefined : toCertificate(options.issuer.certificate);
  const signerAlg =
    options.signatureAlgorithm ?? (options.issuer?.signer ?? options.signer)?.algorithm;
  if (signerAlg === undefined) throw issueError('Give issuer, signer or signatureAlgorithm');
  if (options.notAfter.getTime() <= options.notBefore.getTime())
    throw issueError('notAfter must be after notBefore');
  const defaults: ProfileDefaults =
    options.profile === 'custom'
      ? { ca: options.ca ?? false, keyUsage: options.keyUsage ?? ['digitalSignature'] }
      : profiles[options.profile];
  const isCa = options.ca ?? defaults.ca;
  let subjectDn: Uint8Array;
  try {
    subjectDn = encodeName(options.subject);
  } catch (err) {
    throw new CertificateIssueError(
      `Bad subject: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const issuerDn = issuerCert?.subjectDn ?? subjectDn;
  const ski = keyIdentifierOf(options.publicKey);
  const aki =
    issuerCert === undefined
      ? ski
      : issuerCert.extensions.subjectKeyIdentifier !== undefined
        ? Buffer.from(issuerCert.extensions.subjectKeyIdentifier, 'hex')
        : keyIdentifierOf(issuerCert.publicKey);

  const pathLength = options.pathLength ?? (options.profile === 'intermediate-ca' ? 0 : undefined);
  if (pathLength !== undefined && (!Number.isInteger(pathLength) || pathLength < 0))
    throw issueError('pathLength must be a non-negative integer');
  const exts: Uint8Array[] = [];
  exts.push(
    encodeExtension(
      pkixOids.basicConstraints,
      true,
      encodeSequence(
        ...(isCa ? [encodeTlv(Tag.BOOLEAN, Uint8Array.of(0xff))] : []),
        ...(isCa && pathLength !== undefined ? [encodeUnsignedInteger(BigInt(pathLength))] : []),
      ),
    ),
  );
  exts.push(
    encodeExtension(pkixOids.keyUsage, true, encodeKeyUsage(options.keyUsage ?? defaults.keyUsage)),
  );
  const eku = options.extendedKeyUsage ?? defaults.extendedKeyUsage;
  if (eku !== undefined && eku.length > 0)
    exts.push(
      encodeExtension(
        pkixOids.extKeyUsage,
        options.extendedKeyUsageCritical ?? defaults.ekuCritical ?? false,
        encodeSequence(...eku.map((o) => encodeOid(o))),
      ),
    );
  exts.push(encodeExtension(pkixOids.subjectKeyIdentifier, false, encodeOctetString(ski)));
  exts.push(
    encodeExtension(
      pkixOids.authorityKeyIdentifier,
      false,
      encodeSequence(encodeTlv(contextTag(0, false), aki)),
    ),
  );
  if (options.crlDistributionPoints !== undefined && options.crlDistributionPoints.length > 0)
    exts.push(
      encodeExtension(
        pkixOids.cRLDistributionPoints,
        false,
        encodeSequence(
          ...options.crlDistributionPoints.map((uri) =>
            // DistributionPoint { [0] DistributionPointName { [0] fullName GeneralNames } }
            encodeSequence(
              encodeTlv(contextTag(0, true), encodeTlv(contextTag(0, true), encodeUriName(uri))),
            ),
          ),
        ),
      ),
    );
  const aia = [
    ...(options.ocspUrls ?? []).map((u) =>
      encodeSequence(encodeOid(pkixOids.adOcsp), encodeUriName(u)),
    ),
    ...(options.caIssuersUrls ?? []).map((u) =>
      encodeSequence(encodeOid(pkixOids.adCaIssuers), encodeUriName(u)),
    ),
  ];
  if (aia.length > 0)
    exts.push(encodeExtension(pkixOids.authorityInfoAccess, false, encodeSequence(...aia)));
  if (options.policies !== undefined && options.policies.length > 0)
    exts.push(
      encodeExtension(
        pkixOids.certificatePolicies,
        false,
        encodeSequence(...options.policies.map((p) => encodeSequence(encodeOid(p)))),
      ),
    );
  if (options.subjectAltNames !== undefined && options.subjectAltNames.length > 0)
    exts.push(
      encodeExtension(
        pkixOids.subjectAltName,
        false,
        encodeSequence(
          ...options.subjectAltNames.map((n) => {
            const tag = n.type === 'email' ? 1 : n.type === 'dns' ? 2 : 6;
            if (!/^[\x20-\x7e]+$/.test(n.value))
              throw issueError(`subjectAltName must be ASCII: ${n.value}`);
            return encodeTlv(contextTag(tag, false), Buffer.from(n.value, 'latin1'));
          }),
        ),
      ),
    );
  if (options.ocspNoCheck ?? defaults.ocspNoCheck ?? false)
    exts.push(encodeExtension(pkixOids.pkixOcspNocheck, false, DER_NULL));
  for (const extra of options.extraExtensions ?? [])
    exts.push(encodeExtension(extra.oid, extra.critical ?? false, extra.value));

  const sigAlg = encodeSignatureAlgorithm(signerAlg);
  const tbs = encodeSequence(
    encodeTlv(contextTag(0, true), encodeUnsignedInteger(2n)),
    encodeUnsignedInteger(serialOf(options.serialNumber)),
    sigAlg,
    issuerDn,
    encodeSequence(encodeTime(options.notBefore), encodeTime(options.notAfter)),
    subjectDn,
    options.publicKey.spki,
    encodeTlv(contextTag(3, true), encodeSequence(...exts)),
  );
  return {
    tbs,
    signatureAlgorithm: signerAlg,
    finish: (signatureValue) =>
      parseCertificate(encodeSequence(tbs, sigAlg, encodeBitString(signatureValue))),
  };
}

/**
 * Issues a certificate for a profile, signed by the issuer's signer (or self-signed by `signer`).
 * Checks that the issuer is a CA allowed to sign certificates, that the validity nests in the
 * issuer's, and that a self-signer holds the subject key; the result's signature is verified.
 * @example const root = await issueCertificate({ profile: 'root-ca', subject: 'CN=Root,C=CN', publicKey, signer, notBefore, notAfter });
 * @throws {CertificateIssueError} ERR_CERT_ISSUE when the options or the issuer do not allow it
 * @throws {SignerFailedError} ERR_SIGNER_FAILED when the signer fails
 */
export async function issueCertificate(options: IssueCertificateOptions): Promise<Certificate> {
  let signer: Signer;
  let issuerCert: Certificate | undefined;
  if (options.issuer !== undefined) {
    issuerCert = toCertificate(options.issuer.certificate);
    signer = options.issuer.signer;
    if (issuerCert.extensions.basicConstraints?.ca !== true)
      throw issueError(`${issuerCert.subject} is not a CA`);
    const ku = issuerCert.extensions.keyUsage;
    if (ku !== undefined && !ku.includes('keyCertSign'))
      throw issueError(`${issuerCert.subject} may not sign certificates (no keyCertSign)`);
    if (signer.publicKey !== undefined && !signer.publicKey.equals(issuerCert.publicKey))
      throw issueError("The issuer's signer does not hold the issuer certificate's key");
    if (options.notBefore < issuerCert.notBefore || options.notAfter > issuerCert.notAfter)
      throw issueError("The validity period must lie within the issuer's");
  } else {
    if (options.signer === undefined) throw issueError('A self-signed certificate needs `signer`');
    signer = options.signer;
    if (signer.publicKey !== undefined && !signer.publicKey.equals(options.publicKey))
      throw issueError('A self-signed certificate must be signed by the subject key');
  }
  const prepared = prepareCertificate({ ...options, signatureAlgorithm: signer.algorithm });
  let signature: Uint8Array;
  try {
    signature = await signer.sign(prepared.tbs);
  } catch (err) {
    if (err instanceof GovTrustError) throw err;
    throw new CertificateIssueError('The issuer signer failed', { cause: err });
  }
  const cert = prepared.finish(signature);
  if (!cert.verifySignedBy(issuerCert ?? cert))
    throw issueError('The new certificate signature does not verify with the issuer key');
  return cert;
}

/** @internal Concatenated PEM of certificates (a chain file). */
export function chainPem(certs: readonly Certificate[]): string {
  return certs.map((c) => c.toPem()).join('');
}
