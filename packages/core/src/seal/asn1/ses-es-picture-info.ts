/** SES_ESPictrueInfo (GB/T 38540-2020 section 6.1; the standard's spelling): the seal image. @module */
import { encodeOctetString, encodeSequence } from '../../internal/der.js';
import type { SesPictureInfo } from '../model.js';
import { encodeIa5String, encodeInteger, type Asn1Reader, type Node } from './reader.js';

/**
 * Reads a `SES_ESPictrueInfo`.
 *
 * ```asn1
 * SES_ESPictrueInfo ::= SEQUENCE {
 *     type    IA5String,     -- 图片类型, e.g. "GIF", "BMP", "JPG", "PNG", "SVG" (real seals: "ofd")
 *     data    OCTET STRING,  -- 图片数据
 *     width   INTEGER,       -- 图片显示宽度, millimetres
 *     height  INTEGER        -- 图片显示高度, millimetres
 * }
 * ```
 * @throws {SealParseError} when malformed
 */
export function readSesPictureInfo(r: Asn1Reader, node: Node, path: string): SesPictureInfo {
  const c = r.sequence(node, path);
  const type = r.ia5(c.next('type'), `${path}.type`);
  const data = r.octets(c.next('data'), `${path}.data`);
  const width = r.integer(c.next('width'), `${path}.width`);
  const height = r.integer(c.next('height'), `${path}.height`);
  c.end();
  return { type, data, width, height };
}

/** DER `SES_ESPictrueInfo`. */
export function encodeSesPictureInfo(picture: SesPictureInfo): Uint8Array {
  return encodeSequence(
    encodeIa5String(picture.type),
    encodeOctetString(picture.data),
    encodeInteger(picture.width),
    encodeInteger(picture.height),
  );
}
