/** Reading and writing seal signatures (SES_Signature, GB/T 38540-2020 section 7.1, GM/T 0031-2014): version dispatch by structure. @module */
import { Tag } from '../internal/der.js';
import { Asn1Reader, type Node } from './asn1/reader.js';
import { readSesSignatureV1 } from './asn1/ses-signature-v1.js';
import { readSesSignatureV4 } from './asn1/ses-signature-v4.js';
import type { SesSeal, SesSignature } from './model.js';
import { readAnySeal, withParseErrors } from './seal.js';

/**
 * Decodes a seal signature (`SES_Signature`) of version 1, 4 or 5 with its embedded seal,
 * keeping the bytes as received (`toSign.der` is what the signer signed).
 * @example const sig = parseSesSignature(signedValueDat); sig.toSign.seal.sealInfo.esID
 * @throws {SealParseError} ERR_SEAL_SIGNATURE_PARSE for truncated, garbage or malformed input
 * @throws {SealVersionError} ERR_SEAL_HEADER / ERR_SEAL_VERSION for a bad embedded seal header
 */
export function parseSesSignature(der: Uint8Array): SesSignature {
  return withParseErrors('ERR_SEAL_SIGNATURE_PARSE', der, (r) => {
    const top = r.top(der, 'SES_Signature');
    r.expect(top, Tag.SEQUENCE, 'SES_Signature');
    const count = r.children(top, 'SES_Signature').length;
    // The embedded seal gets its own list of quirks; they are merged into the signature's.
    const readSeal = (node: Node, path: string): SesSeal => {
      const inner = new Asn1Reader(r.code);
      const seal = readAnySeal(inner, node, path);
      for (const q of inner.quirks) r.quirk('', q);
      return { ...seal, nonDer: [...inner.quirks] };
    };
    if (count === 2) return readSesSignatureV1(r, top, 'SES_Signature', readSeal);
    if (count === 4 || count === 5) return readSesSignatureV4(r, top, 'SES_Signature', readSeal);
    return r.fail(
      'SES_Signature',
      `a seal signature has 2 (GM/T 0031-2014) or 4-5 (GB/T 38540) fields, not ${count}`,
    );
  });
}
