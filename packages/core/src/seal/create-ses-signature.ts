/** Making a seal signature 电子签章 (GB/T 38540-2020 section 7.2): TBS_Sign over a data hash, signed by a holder of the seal. @module */
import { digest, verifySignature, type Signer } from '../crypto/index.js';
import { SealEncodeError, SignerFailedError } from '../errors/index.js';
import { encodeSesSignatureV4 } from './asn1/ses-signature-v4.js';
import { encodeTbsSignV4 } from './asn1/tbs-sign-v4.js';
import { readCertificate } from './certificates.js';
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

/**
 * Makes a GB/T 38540 seal signature in strict DER: the signer signs DER(TBS_Sign), which embeds
 * the seal, the signing time, the data hash and `propertyInfo`.
 * @example const sig = await createSesSignature({ seal, signer, data: signatureXml, propertyInfo: '/Doc_0/Signs/Sign_0/Signature.xml' });
 * @throws {SealEncodeError} ERR_SEAL_ENCODE for a V1 seal, a signer without a certificate or outside the seal's certList, a signing time outside the seal's validity, or no data
 * @throws {SealEncodeError} ERR_SEAL_NON_STANDARD_ALGORITHM for a non-SM2 signer without `allowNonStandardAlgorithm`
 * @throws {SignerFailedError} ERR_SIGNER_FAILED when the signature does not verify with the signer certificate
 */
export async function createSesSignature(
  options: CreateSesSignatureOptions,
): Promise<SesSignature> {
  const { seal, signer } = options;
  if (seal.version === 1) {
    throw new SealEncodeError(
      'ERR_SEAL_ENCODE',
      'Seal signatures are made with V4 or V5 seals only',
      { field: 'seal' },
    );
  }
  const algorithm = signer.algorithm;
  if (algorithm !== 'sm2-sm3') {
    const allowed = /^(rsa-pkcs1-sha(256|384|512)|ecdsa-sha(256|384|512))$/.test(algorithm);
    if (!allowed || options.allowNonStandardAlgorithm !== true) {
      throw new SealEncodeError(
        'ERR_SEAL_NON_STANDARD_ALGORITHM',
        `GB/T 38540 seal signatures use SM2-with-SM3, not ${algorithm}`,
        { field: 'signer' },
      );
    }
  }
  const certDer = signer.certificateChain[0];
  if (certDer === undefined) {
    throw new SealEncodeError('ERR_SEAL_ENCODE', 'The signer has no certificate', {
      field: 'signer',
    });
  }
  const cert = readCertificate(certDer);
  if (typeof cert === 'string') {
    throw new SealEncodeError('ERR_SEAL_ENCODE', `The signer certificate is unusable: ${cert}`, {
      field: 'signer',
    });
  }
  if (isInCertList(seal, certDer, new IssueList()) !== true) {
    throw new SealEncodeError(
      'ERR_SEAL_ENCODE',
      'The signer certificate is not in the seal’s certList',
      { field: 'signer' },
    );
  }
  const dataHash =
    options.dataHash ?? (options.data === undefined ? undefined : digest('sm3', options.data));
  if (dataHash === undefined)
    throw new SealEncodeError('ERR_SEAL_ENCODE', 'Give data or dataHash', { field: 'data' });
  const time = options.signingTime ?? new Date();
  const signingTime = new Date(Math.floor(time.getTime() / 1000) * 1000);
  const p = seal.sealInfo.property;
  if (signingTime < p.validStart || signingTime > p.validEnd) {
    throw new SealEncodeError(
      'ERR_SEAL_ENCODE',
      `The seal is not valid at ${signingTime.toISOString()} (valid ${p.validStart.toISOString()} to ${p.validEnd.toISOString()})`,
      { field: 'signingTime' },
    );
  }
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
  const signatureValue = await signer.sign(tbs);
  if (!verifySignature(algorithm, cert.publicKey, tbs, signatureValue)) {
    throw new SignerFailedError(
      'The seal signature does not verify with the signer certificate and the standard SM2 ID',
    );
  }
  return parseSesSignature(
    encodeSesSignatureV4({
      tbsSign: tbs,
      signerCertificate: certDer,
      signatureAlgorithm: algorithmOid(algorithm),
      signatureValue,
    }),
  );
}
