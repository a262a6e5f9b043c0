/**
 * CMS SignerInfo verification (RFC 5652 clause 5.6): content-type and message-digest attributes,
 * the signature over the DER signed attributes (as received), and the ESS signing-certificate
 * binding (RFC 5035 clause 5, RFC 2634 clause 5.4).
 * @module
 */
import {
  digest,
  hashSize,
  signatureAlgorithmInfo,
  verifyDigestSignature,
  verifySignature,
  type HashAlgorithm,
  type SignatureAlgorithm,
} from '../crypto/index.js';
import { equalBytes, toHex } from '../internal/bytes.js';
import { Certificate, parseCertificate } from '../pki/certificate.js';
import { namesEqual } from '../pki/name.js';
import { pkixOids } from '../pki/oids.js';
import type { EssCertId } from './attributes.js';
import type { ParsedCms, ParsedSignerInfo, SignerIdentifier } from './parse.js';

/** One finding of a CMS check. */
export interface CmsIssue {
  readonly code: string;
  readonly message: string;
}

/** The result of `verifyCms`. */
export interface CmsVerification {
  /** The content digest matches and the signature verifies: nothing was changed. */
  readonly intact: boolean;
  readonly signatureValid: boolean;
  readonly messageDigestValid: boolean;
  /** The ESS signing-certificate attribute names the signer certificate (undefined when absent). */
  readonly signingCertificateValid: boolean | undefined;
  readonly signerCertificate?: Certificate;
  readonly algorithm: SignatureAlgorithm | null;
  readonly digestAlgorithm: HashAlgorithm | null;
  /** The digest of the content the check used (for time-stamp or report use). */
  readonly contentDigest?: Uint8Array;
  readonly errors: readonly CmsIssue[];
  readonly warnings: readonly CmsIssue[];
}

/** Options of `verifyCms`. */
export interface CmsVerifyOptions {
  /** Digest of the detached content, made with the CMS's digest algorithm. */
  readonly contentDigest?: Uint8Array;
  /** The detached content. */
  readonly content?: Uint8Array;
  /** Computes the content digest with the algorithm the CMS names (e.g. over a PDF ByteRange). */
  readonly digestFromStream?: (algorithm: HashAlgorithm) => Uint8Array;
  /** More certificates to look for the signer in (DER or parsed). */
  readonly certificates?: readonly (Uint8Array | Certificate)[];
  /** Which SignerInfo to check (default 0). */
  readonly signerIndex?: number;
  /** SM2 distinguishing ID; default 1234567812345678 (GB/T 35275). */
  readonly sm2Id?: string | Uint8Array;
}

/** True when `certificate` is the one `sid` names. */
export function matchesSignerIdentifier(certificate: Certificate, sid: SignerIdentifier): boolean {
  if (sid.type === 'subjectKeyIdentifier')
    return (
      certificate.extensions.subjectKeyIdentifier === sid.keyIdentifier ||
      toHex(digest('sha1', certificate.publicKey.rawKey)) === sid.keyIdentifier
    );
  return (
    certificate.serialNumber === sid.serialNumber && namesEqual(certificate.issuerDn, sid.issuerDn)
  );
}

/** Finds the certificate a SignerInfo names among DER or parsed certificates; unreadable ones are skipped. */
export function findSignerCertificate(
  sid: SignerIdentifier,
  candidates: readonly (Uint8Array | Certificate)[],
): Certificate | undefined {
  for (const c of candidates) {
    let cert: Certificate;
    try {
      cert = c instanceof Certificate ? c : parseCertificate(c);
    } catch {
      continue;
    }
    if (matchesSignerIdentifier(cert, sid)) return cert;
  }
  return undefined;
}

/** Checks an ESS certificate identifier list against the signer certificate (the first entry must name it). */
export function essCertIdMatches(ids: readonly EssCertId[], certificate: Certificate): boolean {
  const first = ids[0];
  if (first?.hashAlgorithm == null) return false;
  if (!equalBytes(first.certHash, certificate.fingerprint(first.hashAlgorithm))) return false;
  if (first.issuerSerial !== undefined) {
    return (
      first.issuerSerial.serialNumber === certificate.serialNumber &&
      namesEqual(first.issuerSerial.issuerDn, certificate.issuerDn)
    );
  }
  return true;
}

/**
 * Verifies one SignerInfo of a parsed CMS: never throws for a bad signature, returns a report.
 * @example const v = verifyCms(parseCms(der), { contentDigest }); v.intact
 */
export function verifyCms(parsed: ParsedCms, options: CmsVerifyOptions = {}): CmsVerification {
  const errors: CmsIssue[] = [];
  const warnings: CmsIssue[] = [];
  const si: ParsedSignerInfo | undefined = parsed.signerInfos[options.signerIndex ?? 0];
  if (si === undefined) {
    return report(
      false,
      false,
      undefined,
      undefined,
      null,
      null,
      undefined,
      [
        {
          code: 'ERR_CMS_SIGNER_NOT_FOUND',
          message: `No SignerInfo at index ${options.signerIndex ?? 0}`,
        },
      ],
      warnings,
    );
  }
  const { signatureAlgorithm: algorithm, digestAlgorithm } = si;

  const signer = findSignerCertificate(si.sid, [
    ...parsed.certificates,
    ...(options.certificates ?? []),
  ]);
  if (signer === undefined)
    errors.push({
      code: 'ERR_CMS_SIGNER_NOT_FOUND',
      message: 'The certificate named by the SignerInfo is not in the CMS',
    });
  if (algorithm === null)
    errors.push({
      code: 'ERR_CMS_ALG_NOT_SUPPORTED',
      message: `Unsupported signature algorithm ${si.signatureAlgorithmOid} with digest ${si.digestAlgorithmOid}`,
    });
  else if (digestAlgorithm === null)
    errors.push({
      code: 'ERR_CMS_ALG_NOT_SUPPORTED',
      message: `Unsupported digest algorithm ${si.digestAlgorithmOid}`,
    });
  if (
    digestAlgorithm === 'sha1' ||
    (algorithm !== null && signatureAlgorithmInfo(algorithm).deprecated)
  )
    warnings.push({ code: 'ERR_CMS_WEAK_ALGORITHM', message: 'The signature uses SHA-1' });

  // The content digest, from whichever source the caller has.
  let contentDigest: Uint8Array | undefined;
  const content = options.content ?? parsed.encapsulatedContent;
  if (digestAlgorithm !== null) {
    if (content !== undefined) contentDigest = digest(digestAlgorithm, content);
    else if (options.digestFromStream !== undefined)
      contentDigest = options.digestFromStream(digestAlgorithm);
    else if (options.contentDigest !== undefined) {
      if (options.contentDigest.length !== hashSize(digestAlgorithm))
        errors.push({
          code: 'ERR_CMS_DIGEST_MISMATCH',
          message: `The given digest is not a ${digestAlgorithm} digest`,
        });
      else contentDigest = options.contentDigest;
    }
  }

  let messageDigestValid = false;
  let signatureValid = false;
  const verifyOptions = {
    ...(options.sm2Id === undefined ? {} : { sm2Id: options.sm2Id }),
    ...(si.signatureSaltLength === undefined ? {} : { saltLength: si.signatureSaltLength }),
  };

  if (si.signedAttributesDer !== undefined) {
    if (si.signedAttributesNotDer)
      warnings.push({
        code: 'ERR_CMS_NOT_DER',
        message: 'Signed attributes were BER-encoded; checked against their DER form',
      });
    if (si.contentType === undefined)
      errors.push({
        code: 'ERR_CMS_ATTRIBUTE_MISSING',
        message: 'The content-type signed attribute is missing',
      });
    else if (si.contentType !== parsed.encapsulatedContentType)
      errors.push({
        code: 'ERR_CMS_CONTENT_TYPE_MISMATCH',
        message: `content-type ${si.contentType} differs from eContentType ${parsed.encapsulatedContentType}`,
      });
    if (si.messageDigest === undefined)
      errors.push({
        code: 'ERR_CMS_ATTRIBUTE_MISSING',
        message: 'The message-digest signed attribute is missing',
      });
    else if (contentDigest === undefined) {
      if (digestAlgorithm !== null)
        errors.push({
          code: 'ERR_CMS_NO_CONTENT',
          message: 'Detached signature: give the content or its digest',
        });
    } else {
      messageDigestValid = equalBytes(si.messageDigest, contentDigest);
      if (!messageDigestValid)
        errors.push({
          code: 'ERR_CMS_DIGEST_MISMATCH',
          message: 'The content does not match the signed message digest',
        });
    }
    if (signer !== undefined && algorithm !== null) {
      signatureValid = checkSignature(
        () =>
          verifySignature(
            algorithm,
            signer.publicKey,
            si.signedAttributesDer!,
            si.signatureValue,
            verifyOptions,
          ),
        errors,
      );
    }
  } else if (signer !== undefined && algorithm !== null) {
    // No signed attributes: the signature is over the content itself (RFC 5652 5.4).
    if (content !== undefined) {
      signatureValid = checkSignature(
        () =>
          verifySignature(algorithm, signer.publicKey, content, si.signatureValue, verifyOptions),
        errors,
      );
    } else if (contentDigest !== undefined && algorithm !== 'ed25519' && algorithm !== 'sm2-sm3') {
      signatureValid = checkSignature(
        () =>
          verifyDigestSignature(
            algorithm,
            signer.publicKey,
            contentDigest,
            si.signatureValue,
            verifyOptions,
          ),
        errors,
      );
    } else {
      errors.push({
        code: 'ERR_CMS_NO_CONTENT',
        message: 'A signature without signed attributes needs the content itself',
      });
    }
    messageDigestValid = signatureValid;
  }

  let signingCertificateValid: boolean | undefined;
  if (signer !== undefined) {
    const ids = si.signingCertificateV2 ?? si.signingCertificate;
    if (ids === undefined) {
      warnings.push({
        code: 'ERR_CMS_SIGNING_CERT_MISSING',
        message: 'No ESS signing-certificate attribute binds the signer certificate',
      });
    } else {
      signingCertificateValid = essCertIdMatches(ids, signer);
      if (!signingCertificateValid)
        errors.push({
          code: 'ERR_CMS_SIGNING_CERT_MISMATCH',
          message: 'The ESS signing-certificate attribute names another certificate',
        });
    }
  }
  return report(
    messageDigestValid && signatureValid,
    signatureValid,
    signingCertificateValid,
    signer,
    algorithm,
    digestAlgorithm,
    contentDigest,
    errors,
    warnings,
    messageDigestValid,
  );
}

function checkSignature(fn: () => boolean, errors: CmsIssue[]): boolean {
  let ok: boolean;
  let detail = '';
  try {
    ok = fn();
  } catch (err) {
    // A value that cannot be a signature for this key (wrong size, bad DER, other key family).
    ok = false;
    detail = `: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (!ok)
    errors.push({
      code: 'ERR_CMS_SIGNATURE_INVALID',
      message: `The signature does not verify${detail}`,
    });
  return ok;
}

function report(
  intact: boolean,
  signatureValid: boolean,
  signingCertificateValid: boolean | undefined,
  signerCertificate: Certificate | undefined,
  algorithm: SignatureAlgorithm | null,
  digestAlgorithm: HashAlgorithm | null,
  contentDigest: Uint8Array | undefined,
  errors: CmsIssue[],
  warnings: CmsIssue[],
  messageDigestValid = false,
): CmsVerification {
  return {
    intact,
    signatureValid,
    messageDigestValid,
    signingCertificateValid,
    ...(signerCertificate === undefined ? {} : { signerCertificate }),
    algorithm,
    digestAlgorithm,
    ...(contentDigest === undefined ? {} : { contentDigest }),
    errors,
    warnings,
  };
}

/** The OID of the signature time-stamp attribute, for callers that look tokens up themselves. */
export const signatureTimeStampTokenOid: string = pkixOids.signatureTimeStampToken;
