/** SES_Signature of GB/T 38540-2020 (section 7.1) and GM/T 0031-2025: TBS_Sign, signer certificate, algorithm, signature, time-stamp. @module */
import {
  encodeBitString,
  encodeOctetString,
  encodeOid,
  encodeSequence,
} from '../../internal/der.js';
import type { SesSeal, SesSignature } from '../model.js';
import { encodeTimeStamp, readTimeStamp } from './ses-seal-v4.js';
import { readTbsSignV4 } from './tbs-sign-v4.js';
import { Tag } from '../../internal/der.js';
import type { Asn1Reader, Node } from './reader.js';

/**
 * Reads a GB/T 38540 seal signature. The signer certificate is outside the signed part: it is bound
 * to the seal only through the seal's certList.
 *
 * ```asn1
 * SES_Signature ::= SEQUENCE {
 *     toSign          TBS_Sign,            -- 签章信息
 *     cert            OCTET STRING,        -- 签章者证书
 *     signatureAlgID  OBJECT IDENTIFIER,   -- 签名算法标识
 *     signature       BIT STRING,          -- 签章者对 TBS_Sign 的签名值
 *     timeStamp       [0] BIT STRING OPTIONAL  -- 对签名值的时间戳
 * }
 * ```
 * @throws {SealParseError} when malformed
 */
export function readSesSignatureV4(
  r: Asn1Reader,
  node: Node,
  path: string,
  readSeal: (node: Node, path: string) => SesSeal,
): SesSignature {
  const c = r.sequence(node, path);
  const toSign = readTbsSignV4(r, c.next('toSign'), `${path}.toSign`, readSeal);
  const signerCertificate = r.octets(c.next('cert'), `${path}.cert`);
  const signatureAlgorithm = r.oid(c.next('signatureAlgID'), `${path}.signatureAlgID`);
  const signatureValue = r.bits(c.next('signature'), `${path}.signature`);
  const tsNode = c.optional(0xa0, 0x80, Tag.BIT_STRING);
  const timeStamp =
    tsNode === undefined ? undefined : readTimeStamp(r, tsNode, `${path}.timeStamp`);
  c.end();
  return {
    version: toSign.seal.version === 5 ? 5 : 4,
    toSign,
    signerCertificate,
    signatureAlgorithm,
    signatureValue,
    timeStamp,
    der: node.raw,
    nonDer: r.quirks,
  };
}

/** DER GB/T 38540 `SES_Signature` around an already-encoded TBS_Sign. */
export function encodeSesSignatureV4(fields: {
  readonly tbsSign: Uint8Array;
  readonly signerCertificate: Uint8Array;
  readonly signatureAlgorithm: string;
  readonly signatureValue: Uint8Array;
  readonly timeStamp?: Uint8Array;
}): Uint8Array {
  return encodeSequence(
    fields.tbsSign,
    encodeOctetString(fields.signerCertificate),
    encodeOid(fields.signatureAlgorithm),
    encodeBitString(fields.signatureValue),
    ...(fields.timeStamp === undefined ? [] : [encodeTimeStamp(fields.timeStamp)]),
  );
}
