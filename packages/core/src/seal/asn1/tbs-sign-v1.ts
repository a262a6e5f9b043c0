/** TBS_Sign of GM/T 0031-2014 ("V1"): signed data that also carries the signer certificate and algorithm. @module */
import { Tag } from '../../internal/der.js';
import type { SesSeal, TbsSign } from '../model.js';
import { parseAsn1Time, type Asn1Reader, type Node } from './reader.js';

/**
 * Reads a GM/T 0031-2014 `TBS_Sign`. `timeInfo` is a BIT STRING that holds a time or a time-stamp
 * token ("可以是时间戳，也可以是UTCTIME时间"); a time is decoded when there is one.
 *
 * ```asn1
 * TBS_Sign ::= SEQUENCE {
 *     version             INTEGER,            -- 电子签章数据版本号
 *     eseal               SESeal,             -- 电子印章
 *     timeInfo            BIT STRING,         -- 签章时间
 *     dataHash            BIT STRING,         -- 原文杂凑值
 *     propertyInfo        IA5String,          -- 原文数据的属性
 *     cert                OCTET STRING,       -- 签章人对应的签名证书
 *     signatureAlgorithm  OBJECT IDENTIFIER   -- 签名算法标识符
 * }
 * ```
 * @throws {SealParseError} when malformed
 */
export function readTbsSignV1(
  r: Asn1Reader,
  node: Node,
  path: string,
  readSeal: (node: Node, path: string) => SesSeal,
): TbsSign {
  const c = r.sequence(node, path);
  const version = r.integer(c.next('version'), `${path}.version`);
  const seal = readSeal(c.next('eseal'), `${path}.eseal`);
  const timeNode = c.next('timeInfo');
  let timeInfo: Uint8Array;
  let signingTime: Date | undefined;
  if (timeNode.tag === Tag.UTC_TIME || timeNode.tag === Tag.GENERALIZED_TIME) {
    r.quirk(`${path}.timeInfo`, 'a time instead of BIT STRING');
    signingTime = r.time(timeNode, `${path}.timeInfo`, 'utc');
    timeInfo = timeNode.raw;
  } else {
    timeInfo = r.bits(timeNode, `${path}.timeInfo`, { allowOctets: true });
    signingTime = decodeTimeInfo(timeInfo);
  }
  const dataHash = r.bits(c.next('dataHash'), `${path}.dataHash`, { allowOctets: true });
  const propertyInfo = r.ia5(c.next('propertyInfo'), `${path}.propertyInfo`);
  const certificate = r.octets(c.next('cert'), `${path}.cert`);
  const signatureAlgorithm = r.oid(c.next('signatureAlgorithm'), `${path}.signatureAlgorithm`);
  c.end();
  return {
    version,
    seal,
    signingTime,
    timeInfo,
    dataHash,
    propertyInfo,
    certificate,
    signatureAlgorithm,
    extDatas: undefined,
    der: node.raw,
  };
}

/** A time in V1 `timeInfo`: a DER UTCTime/GeneralizedTime element, or its text alone. */
function decodeTimeInfo(bytes: Uint8Array): Date | undefined {
  if (
    bytes.length >= 2 &&
    (bytes[0] === Tag.UTC_TIME || bytes[0] === Tag.GENERALIZED_TIME) &&
    bytes[1] === bytes.length - 2
  ) {
    return parseAsn1Time(
      Buffer.from(bytes.subarray(2)).toString('latin1'),
      bytes[0] === Tag.UTC_TIME,
    );
  }
  const text = Buffer.from(bytes).toString('latin1');
  if (/^\d{12}(\d{2})?Z$/.test(text)) return parseAsn1Time(text, true);
  if (/^\d{14}(\.\d+)?Z$/.test(text)) return parseAsn1Time(text, false);
  return undefined;
}
