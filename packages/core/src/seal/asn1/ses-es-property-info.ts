/** SES_ESPropertyInfo (GB/T 38540-2020 section 6.1 and GM/T 0031-2014): seal type, name, holder certificates, dates. @module */
import { Tag, encodeOctetString, encodeSequence } from '../../internal/der.js';
import type { SesCertDigest, SesCertList, SesPropertyInfo } from '../model.js';
import {
  encodeGeneralizedTime,
  encodeInteger,
  encodePrintableString,
  encodeUtf8String,
  type Asn1Reader,
  type Node,
} from './reader.js';

/**
 * Reads a GB/T 38540 (V4, V5) `SES_ESPropertyInfo`.
 *
 * ```asn1
 * SES_ESPropertyInfo ::= SEQUENCE {
 *     type          INTEGER,          -- 印章类型
 *     name          UTF8String,       -- 印章名称
 *     certListType  INTEGER,          -- 1: certificates, 2: certificate digests
 *     certList      SES_CertList,     -- 签章者证书信息列表
 *     createDate    GeneralizedTime,  -- 印章制作时间
 *     validStart    GeneralizedTime,  -- 印章有效起始时间
 *     validEnd      GeneralizedTime   -- 印章有效终止时间
 * }
 * SES_CertList ::= CHOICE { certs CertInfoList, certDigestList CertDigestList }
 * CertInfoList ::= SEQUENCE OF Cert
 * Cert ::= OCTET STRING              -- DER X.509 certificate
 * CertDigestList ::= SEQUENCE OF CertDigestObj
 * CertDigestObj ::= SEQUENCE { type PrintableString, value OCTET STRING }
 * ```
 * @throws {SealParseError} when malformed (including a certListType other than 1 or 2)
 */
export function readSesPropertyInfoV4(r: Asn1Reader, node: Node, path: string): SesPropertyInfo {
  const c = r.sequence(node, path);
  const type = r.integer(c.next('type'), `${path}.type`);
  const name = r.utf8(c.next('name'), `${path}.name`);
  const listTypeNode = c.next('certListType');
  const listType = r.integer(listTypeNode, `${path}.certListType`);
  const listNode = c.next('certList');
  let certList: SesCertList;
  if (listType === 1) {
    certList = {
      type: 'certificates',
      certificates: readCertificates(r, listNode, `${path}.certList`),
    };
  } else if (listType === 2) {
    r.expect(listNode, Tag.SEQUENCE, `${path}.certList`);
    const digests: SesCertDigest[] = r.children(listNode, `${path}.certList`).map((item, i) => {
      const p = `${path}.certList[${i}]`;
      const d = r.sequence(item, p);
      const digestType = r.printable(d.next('type'), `${p}.type`);
      const value = r.octets(d.next('value'), `${p}.value`);
      d.end();
      return { type: digestType, value };
    });
    certList = { type: 'digests', digests };
  } else {
    r.fail(`${path}.certListType`, `unknown certListType ${listType} (1 or 2)`, listTypeNode.start);
  }
  const createDate = r.time(c.next('createDate'), `${path}.createDate`, 'generalized');
  const validStart = r.time(c.next('validStart'), `${path}.validStart`, 'generalized');
  const validEnd = r.time(c.next('validEnd'), `${path}.validEnd`, 'generalized');
  c.end();
  return { type, name, certList, createDate, validStart, validEnd };
}

/**
 * Reads a GM/T 0031-2014 (V1) `SES_ESPropertyInfo` (no certListType; UTCTime dates).
 *
 * ```asn1
 * SES_ESPropertyInfo ::= SEQUENCE {
 *     type        INTEGER,                   -- 印章类型
 *     name        UTF8String,                -- 印章名称
 *     certList    SEQUENCE OF OCTET STRING,  -- 签章人证书列表
 *     createDate  UTCTime,                   -- 印章制作日期
 *     validStart  UTCTime,                   -- 印章有效起始日期
 *     validEnd    UTCTime                    -- 印章有效终止日期
 * }
 * ```
 * @throws {SealParseError} when malformed
 */
export function readSesPropertyInfoV1(r: Asn1Reader, node: Node, path: string): SesPropertyInfo {
  const c = r.sequence(node, path);
  const type = r.integer(c.next('type'), `${path}.type`);
  const name = r.utf8(c.next('name'), `${path}.name`);
  const certificates = readCertificates(r, c.next('certList'), `${path}.certList`);
  const createDate = r.time(c.next('createDate'), `${path}.createDate`, 'utc');
  const validStart = r.time(c.next('validStart'), `${path}.validStart`, 'utc');
  const validEnd = r.time(c.next('validEnd'), `${path}.validEnd`, 'utc');
  c.end();
  return {
    type,
    name,
    certList: { type: 'certificates', certificates },
    createDate,
    validStart,
    validEnd,
  };
}

function readCertificates(r: Asn1Reader, node: Node, path: string): Uint8Array[] {
  r.expect(node, Tag.SEQUENCE, path);
  return r.children(node, path).map((item, i) => r.octets(item, `${path}[${i}]`));
}

/** DER GB/T 38540 `SES_ESPropertyInfo`. */
export function encodeSesPropertyInfoV4(property: SesPropertyInfo): Uint8Array {
  const list = property.certList;
  const listDer =
    list.type === 'certificates'
      ? encodeSequence(...list.certificates.map((cert) => encodeOctetString(cert)))
      : encodeSequence(
          ...list.digests.map((d) =>
            encodeSequence(encodePrintableString(d.type), encodeOctetString(d.value)),
          ),
        );
  return encodeSequence(
    encodeInteger(property.type),
    encodeUtf8String(property.name),
    encodeInteger(list.type === 'certificates' ? 1 : 2),
    listDer,
    encodeGeneralizedTime(property.createDate),
    encodeGeneralizedTime(property.validStart),
    encodeGeneralizedTime(property.validEnd),
  );
}
