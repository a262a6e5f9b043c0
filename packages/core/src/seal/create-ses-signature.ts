/** Making a seal signature 电子签章 (GB/T 38540-2020 section 7.2): TBS_Sign over a data hash, signed by a holder of the seal, in one call or in two steps. @module */
import {
  digest,
  encodeSm2Signature,
  sm2MessageDigest,
  sm2SignatureFromRaw,
  signatureAlgorithmInfo,
  verifySignature,
  type HashAlgorithm,
  type SignatureAlgorithm,
  type Signer,
} from '../crypto/index.js';
import {
  SealBindingError,
  SealEncodeError,
  SignatureMalformedError,
  SignerFailedError,
} from '../errors/index.js';
import type { Certificate } from '../pki/index.js';
import { encodeSesSignatureV4 } from './asn1/ses-signature-v4.js';
import { encodeTbsSignV4 } from './asn1/tbs-sign-v4.js';
import { algorithmFromOid, readCertificate } from './certificates.js';
import { algorithmOid } from './make-seal.js';
import type { SesExtData, SesSeal, SesSignature } from './model.js';
import { parseSesSignature } from './ses-signature.js';
import { IssueList } from './report.js';
import { isInCertList } from './verify-seal.js';

/** Options of `createSesSignature`. */
export interface CreateSesSignatureOptions {
  /** The seal to use (V4 or V5), embedded exactly as given. */
  readonly seal: SesSeal;
  /** The signer (签章者): its certificate must be in the seal's certList. */
  readonly signer: Signer;
  /** The protected data; `dataHash` = SM3 of it (for OFD: the Signature.xml bytes). */
  readonly data?: Uint8Array;
  /** Or the hash itself, already computed. */
  readonly dataHash?: Uint8Array;
  /** What the hash covers (for OFD: the Signature.xml path, e.g. `/Doc_0/Signs/Sign_0/Signature.xml`). */
  readonly propertyInfo: string;
  /** 签章时间 (default now; whole seconds). */
  readonly signingTime?: Date;
  readonly extDatas?: readonly SesExtData[];
  /** Allow an RSA PKCS#1 or ECDSA signer (non-standard, as for seals). */
  readonly allowNonStandardAlgorithm?: boolean;
}

/** Options of `prepareSesSignature`: those of `createSesSignature` with the signer's certificate instead of the signer. */
export interface PrepareSesSignatureOptions extends Omit<CreateSesSignatureOptions, 'signer'> {
  /** The signer's DER certificate: it must be in the seal's certList and its key must make the signature. */
  readonly signerCertificate: Uint8Array;
  /** The signature algorithm (default `sm2-sm3`, the only standard one). */
  readonly algorithm?: SignatureAlgorithm;
}

/** A seal signature waiting for its signature value (the remote, two-step flow). */
export interface PreparedSesSignature {
  /** DER `TBS_Sign`: the bytes the signer signs. */
  readonly toBeSigned: Uint8Array;
  /**
   * What a digest-signing device (UKey, SKF/SDF) signs: for SM2, e = SM3(Z_A || TBS_Sign) with the
   * certificate's key and the standard ID 1234567812345678; for RSA/ECDSA, the hash of TBS_Sign.
   */
  readonly digest: Uint8Array;
  /** The hash of `digest` (`sm3` for SM2). */
  readonly digestAlgorithm: HashAlgorithm;
  readonly algorithm: SignatureAlgorithm;
  /** The signing time written in TBS_Sign (whole seconds). */
  readonly signingTime: Date;
  /** `dataHash` as written. */
  readonly dataHash: Uint8Array;
  /**
   * Wraps the signature value into the SES_Signature after checking it against the certificate.
   * `signatureValue` is DER `SEQUENCE { r, s }` or, for SM2/ECDSA, raw 64-byte r || s.
   * @throws {SignerFailedError} ERR_SIGNER_FAILED when the value does not verify
   */
  finish(signatureValue: Uint8Array): SesSignature;
}

/** Signer algorithms a seal signature may use: SM2-with-SM3, or RSA PKCS#1 / ECDSA when allowed. */
function checkAlgorithm(
  algorithm: SignatureAlgorithm,
  allowNonStandard: boolean | undefined,
): void {
  if (algorithm === 'sm2-sm3') return;
  const allowed = /^(rsa-pkcs1-sha(256|384|512)|ecdsa-sha(256|384|512))$/.test(algorithm);
  if (!allowed || allowNonStandard !== true) {
    throw new SealEncodeError(
      'ERR_SEAL_NON_STANDARD_ALGORITHM',
      `GB/T 38540 seal signatures use SM2-with-SM3, not ${algorithm}`,
      { field: 'signer' },
    );
  }
}

/**
 * @internal Refuses a seal that a verifier would reject for this signer and time: the signer
 * certificate must be in the certList, the signing time inside the seal's validity (and not before
 * it was made), and, with `checkMaker`, the maker signature must verify.
 * @throws {SealBindingError} ERR_SEAL_SIGNER_NOT_IN_CERT_LIST / ERR_SEAL_NOT_VALID_AT_SIGNING_TIME / ERR_SEAL_MAKER_SIGNATURE_INVALID
 */
export function assertSealUsable(
  seal: SesSeal,
  signerCertificate: Uint8Array,
  signingTime: Date,
  checkMaker = false,
): void {
  const esID = seal.sealInfo.esID;
  if (isInCertList(seal, signerCertificate, new IssueList()) !== true) {
    throw new SealBindingError(
      'ERR_SEAL_SIGNER_NOT_IN_CERT_LIST',
      `The signer certificate is not in the certList of seal ${esID}`,
      { esID },
    );
  }
  const p = seal.sealInfo.property;
  if (signingTime < p.validStart || signingTime > p.validEnd || signingTime < p.createDate) {
    throw new SealBindingError(
      'ERR_SEAL_NOT_VALID_AT_SIGNING_TIME',
      `Seal ${esID} (valid ${p.validStart.toISOString()} to ${p.validEnd.toISOString()}) is not valid at the signing time ${signingTime.toISOString()}`,
      { esID },
    );
  }
  if (checkMaker && !makerSignatureVerifies(seal)) {
    throw new SealBindingError(
      'ERR_SEAL_MAKER_SIGNATURE_INVALID',
      `The maker signature of seal ${esID} does not verify (the seal was altered or is corrupt)`,
      { esID },
    );
  }
}

/** Whether the seal maker's signature verifies over the bytes the maker signed. */
function makerSignatureVerifies(seal: SesSeal): boolean {
  const maker = readCertificate(seal.makerCertificate);
  const algorithm = algorithmFromOid(seal.signatureAlgorithm);
  if (typeof maker === 'string' || algorithm === undefined) return false;
  try {
    return verifySignature(algorithm, maker.publicKey, seal.toBeSigned, seal.signatureValue);
  } catch {
    return false;
  }
}

/**
 * Prepares a GB/T 38540 seal signature for a signer whose key is elsewhere (UKey, HSM, remote
 * service): builds DER(TBS_Sign) and its digest; `finish` wraps the returned signature value.
 * @example const p = prepareSesSignature({ seal, signerCertificate, dataHash, propertyInfo }); const sig = p.finish(await ukey.signDigest(p.digest));
 * @throws {SealEncodeError} ERR_SEAL_ENCODE for a V1 seal, an unreadable certificate or no data
 * @throws {SealEncodeError} ERR_SEAL_NON_STANDARD_ALGORITHM for a non-SM2 algorithm without `allowNonStandardAlgorithm`
 * @throws {SealBindingError} ERR_SEAL_SIGNER_NOT_IN_CERT_LIST / ERR_SEAL_NOT_VALID_AT_SIGNING_TIME when a verifier would reject the signature
 */
export function prepareSesSignature(options: PrepareSesSignatureOptions): PreparedSesSignature {
  const { seal, signerCertificate } = options;
  if (seal.version === 1) {
    throw new SealEncodeError(
      'ERR_SEAL_ENCODE',
      'Seal signatures are made with V4 or V5 seals only',
      { field: 'seal' },
    );
  }
  const algorithm = options.algorithm ?? 'sm2-sm3';
  checkAlgorithm(algorithm, options.allowNonStandardAlgorithm);
  const cert = readCertificate(signerCertificate);
  if (typeof cert === 'string') {
    throw new SealEncodeError('ERR_SEAL_ENCODE', `The signer certificate is unusable: ${cert}`, {
      field: 'signerCertificate',
    });
  }
  const dataHash =
    options.dataHash ?? (options.data === undefined ? undefined : digest('sm3', options.data));
  if (dataHash === undefined)
    throw new SealEncodeError('ERR_SEAL_ENCODE', 'Give data or dataHash', { field: 'data' });
  const time = options.signingTime ?? new Date();
  const signingTime = new Date(Math.floor(time.getTime() / 1000) * 1000);
  assertSealUsable(seal, signerCertificate, signingTime);
  let tbs: Uint8Array;
  try {
    tbs = encodeTbsSignV4({
      version: seal.sealInfo.header.version,
      sealDer: seal.der,
      signingTime,
      dataHash,
      propertyInfo: options.propertyInfo,
      ...(options.extDatas === undefined ? {} : { extDatas: options.extDatas }),
    });
  } catch (err) {
    if (err instanceof RangeError)
      throw new SealEncodeError('ERR_SEAL_ENCODE', `Cannot encode TBS_Sign: ${err.message}`, {
        cause: err,
      });
    throw err;
  }
  const info = signatureAlgorithmInfo(algorithm);
  const digestAlgorithm = info.hash ?? 'sm3';
  const point = cert.publicKey.sm2Point;
  const tbsDigest =
    info.keyFamily === 'sm2' && point !== undefined
      ? sm2MessageDigest(tbs, point)
      : digest(digestAlgorithm, tbs);
  return {
    toBeSigned: tbs,
    digest: tbsDigest,
    digestAlgorithm,
    algorithm,
    signingTime,
    dataHash,
    finish: (signatureValue) =>
      finishSesSignature(tbs, cert, signerCertificate, algorithm, signatureValue),
  };
}

function verifiesWith(
  algorithm: SignatureAlgorithm,
  cert: Certificate,
  tbs: Uint8Array,
  value: Uint8Array,
): boolean {
  try {
    return verifySignature(algorithm, cert.publicKey, tbs, value);
  } catch (err) {
    if (err instanceof SignatureMalformedError) return false;
    throw err;
  }
}

function finishSesSignature(
  tbs: Uint8Array,
  cert: Certificate,
  certDer: Uint8Array,
  algorithm: SignatureAlgorithm,
  signatureValue: Uint8Array,
): SesSignature {
  const candidates = [signatureValue];
  const family = signatureAlgorithmInfo(algorithm).keyFamily;
  // UKeys and SKF/SDF devices return raw r || s; SES stores DER SEQUENCE { r, s } (GB/T 35276).
  // A 64-byte value can be either, so both readings are tried.
  if ((family === 'sm2' || family === 'ec') && signatureValue.length === 64) {
    try {
      candidates.push(encodeSm2Signature(sm2SignatureFromRaw(signatureValue)));
    } catch (err) {
      if (!(err instanceof SignatureMalformedError)) throw err;
    }
  }
  const value = candidates.find((v) => verifiesWith(algorithm, cert, tbs, v));
  if (value === undefined) {
    throw new SignerFailedError(
      'The seal signature does not verify with the signer certificate and the standard SM2 ID',
    );
  }
  return parseSesSignature(
    encodeSesSignatureV4({
      tbsSign: tbs,
      signerCertificate: certDer,
      signatureAlgorithm: algorithmOid(algorithm),
      signatureValue: value,
    }),
  );
}

/**
 * Makes a GB/T 38540 seal signature in strict DER: the signer signs DER(TBS_Sign), which embeds
 * the seal, the signing time, the data hash and `propertyInfo`.
 * @example const sig = await createSesSignature({ seal, signer, data: signatureXml, propertyInfo: '/Doc_0/Signs/Sign_0/Signature.xml' });
 * @throws {SealEncodeError} ERR_SEAL_ENCODE for a V1 seal, a signer without a usable certificate, or no data
 * @throws {SealEncodeError} ERR_SEAL_NON_STANDARD_ALGORITHM for a non-SM2 signer without `allowNonStandardAlgorithm`
 * @throws {SealBindingError} ERR_SEAL_SIGNER_NOT_IN_CERT_LIST for a signer outside the seal's certList, ERR_SEAL_NOT_VALID_AT_SIGNING_TIME for a signing time outside the seal's validity
 * @throws {SignerFailedError} ERR_SIGNER_FAILED when the signature does not verify with the signer certificate
 */
export async function createSesSignature(
  options: CreateSesSignatureOptions,
): Promise<SesSignature> {
  const { signer, ...rest } = options;
  checkAlgorithm(signer.algorithm, options.allowNonStandardAlgorithm);
  const certDer = signer.certificateChain[0];
  if (certDer === undefined) {
    throw new SealEncodeError('ERR_SEAL_ENCODE', 'The signer has no certificate', {
      field: 'signer',
    });
  }
  const prepared = prepareSesSignature({
    ...rest,
    signerCertificate: certDer,
    algorithm: signer.algorithm,
  });
  return prepared.finish(await signer.sign(prepared.toBeSigned));
}
