/** Seal making by the seal-making authority 制章者 (GB/T 38540-2020 section 6.2): build SES_SealInfo, sign it, emit a DER V4/V5 seal. @module */
import { SignerFailedError, SealEncodeError } from '../errors/index.js';
import { verifySignature, type Signer } from '../crypto/index.js';
import { oids } from '../crypto/oids.js';
import { encodeSesSealV4 } from './asn1/ses-seal-v4.js';
import { encodeSesSealInfo } from './asn1/ses-seal-info.js';
import { readCertificate } from './certificates.js';
import type { SesCertDigest, SesExtData, SesSeal } from './model.js';
import { parseSeal } from './seal.js';
import { isSealTypeCode, parseSealId } from './seal-types.js';

/** The seal picture to embed. */
export interface SealPicture {
  /** "PNG", "JPG", "GIF", "BMP" or "SVG" (written upper-case). */
  readonly type: string;
  readonly data: Uint8Array;
  /** Display width in millimetres. */
  readonly width: number;
  /** Display height in millimetres. */
  readonly height: number;
}

/** Options of `makeSeal`. */
export interface MakeSealOptions {
  /** The seal-making authority: its first certificate is written into the seal as the maker certificate. */
  readonly maker: Signer;
  /** DER certificates of the signers allowed to use the seal (certListType 1). */
  readonly holderCertificates?: readonly Uint8Array[];
  /** Or: digests of those certificates (certListType 2), e.g. `{ type: 'sm3', value }`. */
  readonly holderCertificateDigests?: readonly SesCertDigest[];
  /** 印章名称, e.g. the unit's registered name. */
  readonly name: string;
  /** Seal type code: one of `sealTypes` (`SealTypeCode`), or any number with `allowCustomType`. */
  readonly type: number;
  /** Seal identifier: 14-digit region+serial or a UUID (see `createSealId`). */
  readonly esID: string;
  readonly picture: SealPicture;
  /** Validity window (whole seconds; milliseconds are dropped). */
  readonly validity: { readonly from: Date; readonly to: Date };
  /** 印章制作时间 (default: `now`). */
  readonly createdAt?: Date;
  readonly now?: Date;
  /** Vendor identifier `Vid` (default "GovTrust"). */
  readonly vendorId?: string;
  readonly extDatas?: readonly SesExtData[];
  /** 4 (GB/T 38540, default) or 5 (GM/T 0031-2025; the header says 5). */
  readonly version?: 4 | 5;
  /**
   * Allow an RSA PKCS#1 or ECDSA maker. Such a seal is non-standard: GB/T 38540 requires
   * SM2-with-SM3, and `verifySeal` reports `standard: false` with `ERR_SEAL_NON_STANDARD_ALGORITHM`.
   */
  readonly allowNonStandardAlgorithm?: boolean;
  /** Allow a `type` outside `sealTypes` (a local code table). */
  readonly allowCustomType?: boolean;
}

const PICTURE_TYPES = new Set(['PNG', 'JPG', 'JPEG', 'GIF', 'BMP', 'SVG']);
const MAGIC: Record<string, (d: Uint8Array) => boolean> = {
  PNG: (d) => d[0] === 0x89 && d[1] === 0x50 && d[2] === 0x4e && d[3] === 0x47,
  JPG: (d) => d[0] === 0xff && d[1] === 0xd8,
  JPEG: (d) => d[0] === 0xff && d[1] === 0xd8,
  GIF: (d) => d[0] === 0x47 && d[1] === 0x49 && d[2] === 0x46,
  BMP: (d) => d[0] === 0x42 && d[1] === 0x4d,
  SVG: (d) => /<svg[\s>]/.test(Buffer.from(d.subarray(0, 4096)).toString('utf8')),
};

function fail(
  code: 'ERR_SEAL_ENCODE' | 'ERR_SEAL_ID' | 'ERR_SEAL_NON_STANDARD_ALGORITHM',
  field: string,
  message: string,
): never {
  throw new SealEncodeError(code, message, { field });
}

function wholeSeconds(d: Date, field: string): Date {
  if (!(d instanceof Date) || Number.isNaN(d.getTime()))
    fail('ERR_SEAL_ENCODE', field, `${field} must be a valid date`);
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/**
 * Makes an electronic seal: the maker signs DER(SES_SealInfo) (GB/T 38540 6.2) and the result is
 * a strict DER V4 (or V5) seal that re-encodes byte for byte.
 * @example const seal = await makeSeal({ maker, holderCertificates: [signerCert], name: '某某市人民政府', type: 1, esID: createSealId({ region: '500112', serial: 1 }), picture, validity: { from, to } });
 * @throws {SealEncodeError} ERR_SEAL_NON_STANDARD_ALGORITHM for a non-SM2 maker without `allowNonStandardAlgorithm`
 * @throws {SealEncodeError} ERR_SEAL_ID for an esID that is neither 14-digit region+serial nor a UUID
 * @throws {SealEncodeError} ERR_SEAL_ENCODE for a missing maker certificate, holders, bad picture, type, name or dates
 * @throws {SignerFailedError} ERR_SIGNER_FAILED when the maker's signature does not verify with its certificate
 */
export async function makeSeal(options: MakeSealOptions): Promise<SesSeal> {
  const { maker } = options;
  const algorithm = maker.algorithm;
  if (algorithm !== 'sm2-sm3') {
    const allowed = /^(rsa-pkcs1-sha(256|384|512)|ecdsa-sha(256|384|512))$/.test(algorithm);
    if (!allowed || options.allowNonStandardAlgorithm !== true) {
      fail(
        'ERR_SEAL_NON_STANDARD_ALGORITHM',
        'maker',
        allowed
          ? `GB/T 38540 seals are signed with SM2-with-SM3; ${algorithm} needs allowNonStandardAlgorithm`
          : `${algorithm} cannot sign a seal (SM2-with-SM3, or RSA PKCS#1 / ECDSA as non-standard)`,
      );
    }
  }
  const makerCertDer = maker.certificateChain[0];
  if (makerCertDer === undefined)
    fail('ERR_SEAL_ENCODE', 'maker', 'The maker signer has no certificate');
  const makerCert = readCertificate(makerCertDer);
  if (typeof makerCert === 'string')
    fail('ERR_SEAL_ENCODE', 'maker', `The maker certificate cannot be read: ${makerCert}`);

  const name = options.name.trim();
  if (name.length === 0 || name.length > 160)
    fail('ERR_SEAL_ENCODE', 'name', 'The seal name must have 1 to 160 characters');
  if (!/^[\x21-\x7e]{1,64}$/.test(options.esID))
    fail('ERR_SEAL_ID', 'esID', 'esID must be 1 to 64 printable ASCII characters');
  if (parseSealId(options.esID).format === 'other') {
    fail(
      'ERR_SEAL_ID',
      'esID',
      `esID "${options.esID}" is neither 14-digit region+serial nor a UUID (see createSealId)`,
    );
  }
  if (!Number.isInteger(options.type) || options.type < 0 || options.type > 0x7fffffff) {
    fail('ERR_SEAL_ENCODE', 'type', 'The seal type must be a non-negative integer');
  }
  if (!isSealTypeCode(options.type) && options.allowCustomType !== true) {
    fail(
      'ERR_SEAL_ENCODE',
      'type',
      `Seal type ${options.type} is not in sealTypes (pass allowCustomType for a local code)`,
    );
  }

  const picType = options.picture.type.toUpperCase();
  if (!PICTURE_TYPES.has(picType))
    fail(
      'ERR_SEAL_ENCODE',
      'picture.type',
      `Picture type must be PNG, JPG, GIF, BMP or SVG, not ${options.picture.type}`,
    );
  if (options.picture.data.length === 0 || !MAGIC[picType]!(options.picture.data)) {
    fail('ERR_SEAL_ENCODE', 'picture.data', `The picture data is not ${picType}`);
  }
  for (const key of ['width', 'height'] as const) {
    const v = options.picture[key];
    if (!Number.isInteger(v) || v < 1 || v > 500)
      fail('ERR_SEAL_ENCODE', `picture.${key}`, `Picture ${key} must be 1 to 500 mm`);
  }

  const holders = options.holderCertificates ?? [];
  const digests = options.holderCertificateDigests ?? [];
  if ((holders.length === 0) === (digests.length === 0)) {
    fail(
      'ERR_SEAL_ENCODE',
      'holderCertificates',
      'Give holder certificates or holder certificate digests (one of them, not empty)',
    );
  }
  for (const [i, der] of holders.entries()) {
    const parsed = readCertificate(der);
    if (typeof parsed === 'string')
      fail(
        'ERR_SEAL_ENCODE',
        `holderCertificates[${i}]`,
        `Holder certificate ${i} cannot be read: ${parsed}`,
      );
  }

  const now = wholeSeconds(options.now ?? new Date(), 'now');
  const createdAt = wholeSeconds(options.createdAt ?? now, 'createdAt');
  const from = wholeSeconds(options.validity.from, 'validity.from');
  const to = wholeSeconds(options.validity.to, 'validity.to');
  if (from >= to) fail('ERR_SEAL_ENCODE', 'validity', 'The validity must start before it ends');
  if (createdAt > to)
    fail('ERR_SEAL_ENCODE', 'createdAt', 'The seal cannot be made after its validity ends');
  // GM/T 0031-2025 6.2: the maker certificate must be valid when the seal is made.
  if (createdAt < makerCert.notBefore || createdAt > makerCert.notAfter) {
    fail(
      'ERR_SEAL_ENCODE',
      'maker',
      `The maker certificate is not valid at ${createdAt.toISOString()}`,
    );
  }

  const version = options.version ?? 4;
  const sealInfo = {
    header: { id: 'ES', version, vendorId: options.vendorId ?? 'GovTrust' },
    esID: options.esID,
    property: {
      type: options.type,
      name,
      certList:
        holders.length > 0
          ? { type: 'certificates' as const, certificates: holders }
          : { type: 'digests' as const, digests },
      createDate: createdAt,
      validStart: from,
      validEnd: to,
    },
    picture: {
      type: picType,
      data: options.picture.data,
      width: options.picture.width,
      height: options.picture.height,
    },
    extDatas: options.extDatas,
  };
  let toBeSigned: Uint8Array;
  try {
    toBeSigned = encodeSesSealInfo(sealInfo);
  } catch (err) {
    if (err instanceof RangeError)
      throw new SealEncodeError('ERR_SEAL_ENCODE', `Cannot encode the seal: ${err.message}`, {
        cause: err,
      });
    throw err;
  }
  const signatureValue = await maker.sign(toBeSigned);
  // A token or remote service that signs with another key (or another SM2 ID than the standard
  // 1234567812345678) must not produce a seal that never verifies.
  if (!verifySignature(algorithm, makerCert.publicKey, toBeSigned, signatureValue)) {
    throw new SignerFailedError(
      'The maker signature does not verify with the maker certificate and the standard SM2 ID',
    );
  }
  const signatureOid = algorithmOid(algorithm);
  const der = encodeSesSealV4({
    sealInfo,
    makerCertificate: makerCertDer,
    signatureAlgorithm: signatureOid,
    signatureValue,
    timeStamp: undefined,
  });
  return parseSeal(der);
}

/** @internal The SES signAlgID of a signer algorithm (SM2-with-SM3, RSA PKCS#1, ECDSA). */
export function algorithmOid(algorithm: string): string {
  const table: Record<string, string> = {
    'sm2-sm3': oids.sm2WithSm3,
    'rsa-pkcs1-sha256': oids.sha256WithRSAEncryption,
    'rsa-pkcs1-sha384': oids.sha384WithRSAEncryption,
    'rsa-pkcs1-sha512': oids.sha512WithRSAEncryption,
    'ecdsa-sha256': oids.ecdsaWithSha256,
    'ecdsa-sha384': oids.ecdsaWithSha384,
    'ecdsa-sha512': oids.ecdsaWithSha512,
  };
  return table[algorithm]!;
}
