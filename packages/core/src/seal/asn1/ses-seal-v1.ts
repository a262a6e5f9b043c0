/** SESeal of GM/T 0031-2014 ("V1"): seal information plus the maker's SES_SignInfo. @module */
import { SealVersionError } from '../../errors/index.js';
import { Tag, encodeSequence } from '../../internal/der.js';
import type { SesSeal } from '../model.js';
import { readSesSealInfo } from './ses-seal-info.js';
import type { Asn1Reader, Node } from './reader.js';

/**
 * Reads a GM/T 0031-2014 seal. What the maker signed is rebuilt from the elements as received:
 * DER `SEQUENCE { SES_SealInfo, cert, signatureAlgorithm }` (GM/T 0031-2014 SES_SignInfo.signData).
 *
 * ```asn1
 * SESeal ::= SEQUENCE {
 *     esealInfo  SES_SealInfo,  -- 印章信息
 *     signInfo   SES_SignInfo   -- 制章人对印章签名的信息
 * }
 * SES_SignInfo ::= SEQUENCE {
 *     cert                OCTET STRING,       -- 制章人签名证书
 *     signatureAlgorithm  OBJECT IDENTIFIER,  -- 签名算法标识符
 *     signData            BIT STRING          -- 制章人的签名值
 * }
 * ```
 * @throws {SealParseError} when malformed
 * @throws {SealVersionError} ERR_SEAL_VERSION when the header version is not 1 to 3
 */
export function readSesSealV1(r: Asn1Reader, node: Node, path: string): SesSeal {
  const c = r.sequence(node, path);
  const infoNode = c.next('esealInfo');
  const sealInfo = readSesSealInfo(r, infoNode, `${path}.esealInfo`, 1);
  const v = sealInfo.header.version;
  if (v < 1 || v > 3) {
    throw new SealVersionError(
      'ERR_SEAL_VERSION',
      `Seal header says version ${v} but the seal has the GM/T 0031-2014 structure`,
      { version: v },
    );
  }
  const s = r.sequence(c.next('signInfo'), `${path}.signInfo`);
  const certNode = s.next('cert');
  const makerCertificate = r.octets(certNode, `${path}.signInfo.cert`);
  const algNode = s.next('signatureAlgorithm');
  const signatureAlgorithm = r.oid(algNode, `${path}.signInfo.signatureAlgorithm`);
  const signatureValue = r.bits(s.next('signData'), `${path}.signInfo.signData`);
  s.end();
  c.end();
  if (certNode.tag !== Tag.OCTET_STRING)
    r.quirk(`${path}.signInfo.cert`, 'constructed OCTET STRING');
  return {
    version: 1,
    sealInfo,
    makerCertificate,
    signatureAlgorithm,
    signatureValue,
    timeStamp: undefined,
    toBeSigned: encodeSequence(infoNode.raw, certNode.raw, algNode.raw),
    der: node.raw,
    nonDer: r.quirks,
  };
}
