/** SES_SealInfo (GB/T 38540-2020 section 6.1, GM/T 0031-2014): the seal information the maker signs. @module */
import { Tag, encodeSequence } from '../../internal/der.js';
import type { SesSealInfo } from '../model.js';
import { encodeExtensionDatas, readExtensionDatas } from './extension-datas.js';
import { encodeSesHeader, readSesHeader } from './ses-header.js';
import { encodeSesPictureInfo, readSesPictureInfo } from './ses-es-picture-info.js';
import {
  encodeSesPropertyInfoV4,
  readSesPropertyInfoV1,
  readSesPropertyInfoV4,
} from './ses-es-property-info.js';
import { encodeIa5String, type Asn1Reader, type Node } from './reader.js';

/**
 * Reads a `SES_SealInfo`; `family` selects the V1 or V4 property layout.
 *
 * ```asn1
 * SES_SealInfo ::= SEQUENCE {
 *     header    SES_Header,          -- 印章头
 *     esID      IA5String,           -- 印章标识
 *     property  SES_ESPropertyInfo,  -- 印章属性
 *     picture   SES_ESPictrueInfo,   -- 印章图像数据
 *     extDatas  ExtensionDatas OPTIONAL  -- 自定义数据 (untagged in every producer seen)
 * }
 * ```
 * @throws {SealParseError} when malformed
 * @throws {SealVersionError} ERR_SEAL_HEADER when the header ID is not "ES"
 */
export function readSesSealInfo(
  r: Asn1Reader,
  node: Node,
  path: string,
  family: 1 | 4,
): SesSealInfo {
  const c = r.sequence(node, path);
  const header = readSesHeader(r, c.next('header'), `${path}.header`);
  const esID = r.ia5(c.next('esID'), `${path}.esID`);
  const propertyNode = c.next('property');
  const property =
    family === 1
      ? readSesPropertyInfoV1(r, propertyNode, `${path}.property`)
      : readSesPropertyInfoV4(r, propertyNode, `${path}.property`);
  const picture = readSesPictureInfo(r, c.next('picture'), `${path}.picture`);
  // Untagged in practice; the GM/T 0031-2014 guide's "EXPLICIT" without a tag number is read as [0] too.
  const extNode = c.optional(Tag.SEQUENCE, 0xa0);
  let extDatas;
  if (extNode !== undefined) {
    if (extNode.tag === 0xa0) {
      r.quirk(`${path}.extDatas`, 'tagged [0]');
      const inner = r.children(extNode, `${path}.extDatas`);
      if (inner.length !== 1) r.fail(`${path}.extDatas`, 'expected one ExtensionDatas inside [0]');
      extDatas = readExtensionDatas(r, inner[0]!, `${path}.extDatas`);
    } else {
      extDatas = readExtensionDatas(r, extNode, `${path}.extDatas`);
    }
  }
  c.end();
  return { header, esID, property, picture, extDatas, der: node.raw };
}

/** DER GB/T 38540 `SES_SealInfo` (V4/V5 layout; the version is the header's). */
export function encodeSesSealInfo(info: Omit<SesSealInfo, 'der'>): Uint8Array {
  return encodeSequence(
    encodeSesHeader(info.header),
    encodeIa5String(info.esID),
    encodeSesPropertyInfoV4(info.property),
    encodeSesPictureInfo(info.picture),
    ...(info.extDatas === undefined ? [] : [encodeExtensionDatas(info.extDatas)]),
  );
}
