/** Test fixtures for seal binding in PDFs: dev-PKI seals, signature extraction, forged signatures a sealer would refuse to make. */
import { createHash } from 'node:crypto';
import { signCms, type CmsAttribute } from '@govtrust/core/cms';
import { digest, type Signer } from '@govtrust/core/crypto';
import { PdfName, PdfString, getAcroForm, openPdf, preparePdfSeal } from '@govtrust/core/pdf';
import { createSealId, makeSeal, type SealPicture, type SesSeal } from '@govtrust/core/seal';
import { encodeSesSignatureV4 } from '../../src/seal/asn1/ses-signature-v4.js';
import { encodeTbsSignV4 } from '../../src/seal/asn1/tbs-sign-v4.js';
import { loadDevIdentity, type DevAlgorithm } from '../helpers/dev-pki.js';
import { makePdf, redSealPng } from '../pdf/helpers.js';

/** The signing time of every test seal signature (inside the dev PKI's validity). */
export const SIGNED_AT = new Date('2026-06-01T08:00:00Z');
/** A seal valid around `SIGNED_AT`. */
export const CURRENT = {
  from: new Date('2026-01-01T00:00:00Z'),
  to: new Date('2027-01-01T00:00:00Z'),
};
/** A seal that ended before `SIGNED_AT`. */
export const ENDED = {
  from: new Date('2025-02-01T00:00:00Z'),
  to: new Date('2026-01-01T00:00:00Z'),
};

/** The seal-holder (org-a) of an algorithm. */
export const holder = (alg: DevAlgorithm) => loadDevIdentity(alg, 'org-a');
/** A second organisation, never in the test seals' certLists. */
export const outsider = (alg: DevAlgorithm) => loadDevIdentity(alg, 'org-b');

/** A PNG seal picture (a red ring), 42 mm square. */
export const PNG_PICTURE: SealPicture = {
  type: 'PNG',
  data: redSealPng(200),
  width: 42,
  height: 42,
};

/** A seal made by the SM2 dev seal maker for the org-a certificates of every algorithm. */
export async function devSeal(
  options: {
    validity?: { from: Date; to: Date };
    holders?: readonly Uint8Array[];
    picture?: SealPicture;
    serial?: number;
  } = {},
): Promise<SesSeal> {
  const validity = options.validity ?? CURRENT;
  return makeSeal({
    maker: loadDevIdentity('sm2', 'seal-maker').signer,
    holderCertificates:
      options.holders ?? (['rsa', 'p256', 'sm2'] as const).map((a) => holder(a).certificate.der),
    name: '示例市人民政府办公室',
    type: 1,
    esID: createSealId({ region: '110101', serial: options.serial ?? 1 }),
    picture: options.picture ?? PNG_PICTURE,
    validity,
    now: validity.from,
  });
}

/** The seal's DER with one byte of its picture flipped: it still parses, its maker signature fails. */
export function tamperedSealDer(seal: SesSeal): Uint8Array {
  const der = Buffer.from(seal.der);
  const pic = seal.sealInfo.picture.data;
  const at = der.indexOf(Buffer.from(pic.subarray(pic.length - 40, pic.length - 20)));
  if (at < 0) throw new Error('picture not found in the seal');
  der[at + 5] = der[at + 5]! ^ 0x01;
  return new Uint8Array(der);
}

/** One signature of a sealed PDF: its dictionary's /SubFilter, /ByteRange and /Contents. */
export interface PdfSignatureParts {
  readonly subFilter: string;
  readonly filter: string;
  readonly byteRange: [number, number, number, number];
  /** /Contents as stored (with the zero padding). */
  readonly contents: Uint8Array;
  /** The bytes the ByteRange covers. */
  readonly signedBytes: Uint8Array;
}

/** Reads the (only or last) signature of `pdf` with the strict reader. */
export function lastSignature(pdf: Uint8Array): PdfSignatureParts {
  const doc = openPdf(pdf);
  const field = getAcroForm(doc)!
    .signatureFields.filter((f) => f.value !== null)
    .pop()!;
  const sig = doc.resolveDict(field.value)!;
  const byteRange = doc.resolveArray(sig.get('ByteRange'))! as [number, number, number, number];
  const [a, b, c, d] = byteRange;
  const name = (key: string): string => (sig.get(key) as PdfName).name;
  return {
    subFilter: name('SubFilter'),
    filter: name('Filter'),
    byteRange,
    contents: (sig.get('Contents') as PdfString).bytes,
    signedBytes: new Uint8Array(Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)])),
  };
}

/** SM3 of the ByteRange bytes, as a verifier streams it. */
export function byteRangeSm3(parts: PdfSignatureParts): Uint8Array {
  return digest('sm3', parts.signedBytes);
}

/** SHA-256 hex of bytes (for readable comparisons). */
export const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/**
 * A PAdES PDF whose CMS carries `attributes` (e.g. a seal attribute the sealer would refuse): what
 * someone with the signer's key but not GovTrust's checks could make.
 */
export async function forgePadesPdf(
  signer: Signer,
  attributes: readonly CmsAttribute[],
  pdf?: Uint8Array,
): Promise<Uint8Array> {
  const prepared = await preparePdfSeal(pdf ?? (await makePdf()), {
    signer,
    now: SIGNED_AT,
    contentsSize: 40_000,
  });
  const cms = await signCms({
    signer,
    contentDigest: prepared.digest,
    digestAlgorithm: prepared.digestAlgorithm,
    signedAttributes: attributes,
  });
  return prepared.finish(cms);
}

/**
 * A compatibility-mode PDF (/SubFilter GM.sm2seal) whose SES_Signature is built by hand: `signer`
 * signs a TBS_Sign over `sealDer` with dataHash = SM3 of the ByteRange and `signingTime`.
 */
export async function forgeSesPdf(
  signer: Signer,
  sealDer: Uint8Array,
  options: { signingTime?: Date; dataHash?: Uint8Array; propertyInfo?: string } = {},
): Promise<Uint8Array> {
  const valid = await devSeal();
  // Prepared with a seal org-a may use, so the file has the compatibility-mode dictionary.
  const prepared = await preparePdfSeal(await makePdf(), {
    signer: holder('sm2').signer,
    seal: valid,
    format: 'gbt38540',
    now: SIGNED_AT,
    contentsSize: sealDer.length + 4096,
  });
  const tbs = encodeTbsSignV4({
    version: 4,
    sealDer,
    signingTime: options.signingTime ?? SIGNED_AT,
    dataHash: options.dataHash ?? prepared.digest,
    propertyInfo: options.propertyInfo ?? `/ByteRange [${prepared.byteRange.join(' ')}]`,
  });
  return prepared.finish(
    encodeSesSignatureV4({
      tbsSign: tbs,
      signerCertificate: signer.certificateChain[0]!,
      signatureAlgorithm: '1.2.156.10197.1.501',
      signatureValue: await signer.sign(tbs),
    }),
  );
}
