/** SESeal of GB/T 38540-2020 ("V4", section 6.1): seal information, maker certificate, algorithm, signature. @module */
import { SealVersionError } from '../../errors/index.js';
import {
  Tag,
  encodeBitString,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeTlv,
} from '../../internal/der.js';
import type { SesSeal } from '../model.js';
import { encodeSesSealInfo, readSesSealInfo } from './ses-seal-info.js';
import type { Asn1Reader, Node } from './reader.js';

/**
 * Reads a GB/T 38540-2020 seal (and, with `allowTimeStamp`, the GM/T 0031-2025 form). The maker
 * signed the SES_SealInfo element exactly as received.
 *
 * ```asn1
 * SESeal ::= SEQUENCE {
 *     eSealInfo    SES_SealInfo,       -- 印章信息
 *     cert         OCTET STRING,       -- 制章者证书
 *     signAlgID    OBJECT IDENTIFIER,  -- 签名算法标识
 *     signedValue  BIT STRING          -- 制章者对 eSealInfo 的签名值
 * }
 * ```
 * @throws {SealParseError} when malformed
 * @throws {SealVersionError} ERR_SEAL_VERSION when the header version does not fit the structure
 */
export function readSesSealV4(r: Asn1Reader, node: Node, path: string): SesSeal {
  const c = r.sequence(node, path);
  const infoNode = c.next('eSealInfo');
  const sealInfo = readSesSealInfo(r, infoNode, `${path}.eSealInfo`, 4);
  const makerCertificate = r.octets(c.next('cert'), `${path}.cert`);
  const signatureAlgorithm = r.oid(c.next('signAlgID'), `${path}.signAlgID`);
  const signatureValue = r.bits(c.next('signedValue'), `${path}.signedValue`);
  const tsNode = c.optional(0xa0, 0x80, Tag.BIT_STRING);
  const timeStamp =
    tsNode === undefined ? undefined : readTimeStamp(r, tsNode, `${path}.timeStamp`);
  c.end();
  const v = sealInfo.header.version;
  // Dispatch on structure (as ofdrw does), then insist the header agrees with it.
  const version = v === 5 ? 5 : 4;
  if ((timeStamp !== undefined && v !== 5) || (v !== 4 && v !== 5)) {
    throw new SealVersionError(
      'ERR_SEAL_VERSION',
      timeStamp !== undefined
        ? `Seal header says version ${v} but the seal carries a GM/T 0031-2025 time-stamp`
        : `Seal header says version ${v} but the seal has the GB/T 38540 structure`,
      { version: v },
    );
  }
  return {
    version,
    sealInfo,
    makerCertificate,
    signatureAlgorithm,
    signatureValue,
    timeStamp,
    toBeSigned: infoNode.raw,
    der: node.raw,
    nonDer: r.quirks,
  };
}

/**
 * Reads an optional `[0] BIT STRING` time-stamp in any of the forms producers write: `[0] EXPLICIT`
 * (ofdrw), `[0] IMPLICIT`, or an untagged BIT STRING. Returns the token bytes.
 * @throws {SealParseError} when malformed
 */
export function readTimeStamp(r: Asn1Reader, node: Node, path: string): Uint8Array {
  if (node.tag === 0xa0) {
    const inner = r.children(node, path);
    if (inner.length !== 1) r.fail(path, 'expected one BIT STRING inside [0]', node.start);
    return r.bits(inner[0]!, path, { allowOctets: true });
  }
  if (node.tag === 0x80) {
    r.quirk(path, '[0] IMPLICIT instead of [0] EXPLICIT');
    const v = node.contents;
    if (v.length === 0 || v[0] !== 0) r.fail(path, 'malformed implicit BIT STRING', node.start);
    return v.subarray(1);
  }
  r.quirk(path, 'untagged BIT STRING instead of [0] EXPLICIT');
  return r.bits(node, path);
}

/** DER `[0] EXPLICIT BIT STRING`, the time-stamp form ofdrw and GovTrust write. */
export function encodeTimeStamp(token: Uint8Array): Uint8Array {
  return encodeTlv(0xa0, encodeBitString(token));
}

/** DER GB/T 38540 `SESeal` (V4 and V5; a V5 time-stamp is written `[0] EXPLICIT`). */
export function encodeSesSealV4(
  seal: Pick<
    SesSeal,
    'makerCertificate' | 'signatureAlgorithm' | 'signatureValue' | 'timeStamp'
  > & {
    readonly sealInfo: Omit<SesSeal['sealInfo'], 'der'>;
  },
): Uint8Array {
  return encodeSequence(
    encodeSesSealInfo(seal.sealInfo),
    encodeOctetString(seal.makerCertificate),
    encodeOid(seal.signatureAlgorithm),
    encodeBitString(seal.signatureValue),
    ...(seal.timeStamp === undefined ? [] : [encodeTimeStamp(seal.timeStamp)]),
  );
}
