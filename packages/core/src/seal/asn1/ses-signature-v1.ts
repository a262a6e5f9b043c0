/** SES_Signature of GM/T 0031-2014 ("V1"): TBS_Sign and the signer's signature over it. @module */
import type { SesSeal, SesSignature } from '../model.js';
import { readTbsSignV1 } from './tbs-sign-v1.js';
import type { Asn1Reader, Node } from './reader.js';

/**
 * Reads a GM/T 0031-2014 seal signature; the signer certificate and algorithm come from TBS_Sign.
 *
 * ```asn1
 * SES_Signature ::= SEQUENCE {
 *     toSign     TBS_Sign,    -- 签章信息
 *     signature  BIT STRING   -- 签章人对 TBS_Sign 的签名
 * }
 * ```
 * @throws {SealParseError} when malformed
 */
export function readSesSignatureV1(
  r: Asn1Reader,
  node: Node,
  path: string,
  readSeal: (node: Node, path: string) => SesSeal,
): SesSignature {
  const c = r.sequence(node, path);
  const toSign = readTbsSignV1(r, c.next('toSign'), `${path}.toSign`, readSeal);
  const signatureValue = r.bits(c.next('signature'), `${path}.signature`);
  c.end();
  return {
    version: 1,
    toSign,
    signerCertificate: toSign.certificate!,
    signatureAlgorithm: toSign.signatureAlgorithm!,
    signatureValue,
    timeStamp: undefined,
    der: node.raw,
    nonDer: r.quirks,
  };
}
