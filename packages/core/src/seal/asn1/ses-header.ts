/** SES_Header (GB/T 38540-2020 section 6.1, GM/T 0031-2014 and -2025): seal identifier, version, vendor. @module */
import { SealVersionError } from '../../errors/index.js';
import { encodeSequence } from '../../internal/der.js';
import type { SesHeader } from '../model.js';
import { encodeIa5String, encodeInteger, type Asn1Reader, type Node } from './reader.js';

/**
 * Reads a `SES_Header`.
 *
 * ```asn1
 * SES_Header ::= SEQUENCE {
 *     ID       IA5String,   -- 电子印章数据标识, fixed "ES"
 *     version  INTEGER,     -- 电子印章数据版本号 (1 in GM/T 0031-2014, 4 in GB/T 38540, 5 in GM/T 0031-2025)
 *     Vid      IA5String    -- 电子印章厂商 ID
 * }
 * ```
 * @throws {SealVersionError} ERR_SEAL_HEADER when ID is not "ES"
 * @throws {SealParseError} ERR_SEAL_PARSE / ERR_SEAL_SIGNATURE_PARSE when malformed
 */
export function readSesHeader(r: Asn1Reader, node: Node, path: string): SesHeader {
  const c = r.sequence(node, path);
  const id = r.ia5(c.next('ID'), `${path}.ID`);
  if (id !== 'ES') {
    throw new SealVersionError(
      'ERR_SEAL_HEADER',
      `Seal header ID is "${id.slice(0, 16)}", not "ES"`,
    );
  }
  const version = r.integer(c.next('version'), `${path}.version`);
  const vendorId = r.ia5(c.next('Vid'), `${path}.Vid`);
  c.end();
  return { id, version, vendorId };
}

/** DER `SES_Header`. */
export function encodeSesHeader(header: SesHeader): Uint8Array {
  return encodeSequence(
    encodeIa5String(header.id),
    encodeInteger(header.version),
    encodeIa5String(header.vendorId),
  );
}
