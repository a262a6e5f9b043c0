/** ExtensionDatas / ExtData (GB/T 38540-2020 section 6.1, GM/T 0031-2014): vendor extensions of seals and signatures. @module */
import { Tag, encodeOctetString, encodeOid, encodeSequence } from '../../internal/der.js';
import type { SesExtData } from '../model.js';
import { encodeBoolean, type Asn1Reader, type Node } from './reader.js';

/**
 * Reads `ExtensionDatas`. An explicitly encoded `critical FALSE` (as in the tax-bureau seal of the
 * 999.ofd invoice) is BER, not DER: it is accepted and noted, and the raw bytes are what is verified.
 *
 * ```asn1
 * ExtensionDatas ::= SEQUENCE SIZE (0..MAX) OF ExtData
 * ExtData ::= SEQUENCE {
 *     extnID     OBJECT IDENTIFIER,
 *     critical   BOOLEAN DEFAULT FALSE,
 *     extnValue  OCTET STRING
 * }
 * ```
 * @throws {SealParseError} when malformed
 */
export function readExtensionDatas(r: Asn1Reader, node: Node, path: string): SesExtData[] {
  r.expect(node, Tag.SEQUENCE, path);
  return r.children(node, path).map((item, i) => {
    const p = `${path}[${i}]`;
    const c = r.sequence(item, p);
    const oid = r.oid(c.next('extnID'), `${p}.extnID`);
    const flag = c.optional(Tag.BOOLEAN);
    const critical = flag === undefined ? false : r.boolean(flag, `${p}.critical`);
    if (flag !== undefined && !critical)
      r.quirk(`${p}.critical`, 'DEFAULT FALSE encoded explicitly');
    const value = r.octets(c.next('extnValue'), `${p}.extnValue`);
    c.end();
    return { oid, critical, value };
  });
}

/** DER `ExtensionDatas` (a FALSE `critical` is omitted, as DER requires for DEFAULT values). */
export function encodeExtensionDatas(items: readonly SesExtData[]): Uint8Array {
  return encodeSequence(
    ...items.map((e) =>
      e.critical
        ? encodeSequence(encodeOid(e.oid), encodeBoolean(true), encodeOctetString(e.value))
        : encodeSequence(encodeOid(e.oid), encodeOctetString(e.value)),
    ),
  );
}
