/** TBS_Sign of GB/T 38540-2020 (section 7.1): what the signer of a seal signature signs. @module */
import { Tag, encodeBitString, encodeSequence, encodeTlv } from '../../internal/der.js';
import type { SesExtData, SesSeal, TbsSign } from '../model.js';
import { encodeExtensionDatas, readExtensionDatas } from './extension-datas.js';
import {
  encodeGeneralizedTime,
  encodeIa5String,
  encodeInteger,
  type Asn1Reader,
  type Node,
} from './reader.js';

/**
 * Reads a GB/T 38540 `TBS_Sign`; `readSeal` decodes the embedded seal (any version).
 *
 * ```asn1
 * TBS_Sign ::= SEQUENCE {
 *     version       INTEGER,                       -- 电子签章数据版本号 (= the seal's)
 *     eseal         SESeal,                        -- 电子印章
 *     timeInfo      GeneralizedTime,               -- 签章时间
 *     dataHash      BIT STRING,                    -- 原文杂凑值
 *     propertyInfo  IA5String,                     -- 原文数据的属性
 *     extDatas      [0] EXPLICIT ExtensionDatas OPTIONAL  -- 自定义数据
 * }
 * ```
 * `extDatas` is read in the `[0] EXPLICIT` form ofdrw writes, the `[0] IMPLICIT` form, or untagged.
 * @throws {SealParseError} when malformed
 */
export function readTbsSignV4(
  r: Asn1Reader,
  node: Node,
  path: string,
  readSeal: (node: Node, path: string) => SesSeal,
): TbsSign {
  const c = r.sequence(node, path);
  const version = r.integer(c.next('version'), `${path}.version`);
  const seal = readSeal(c.next('eseal'), `${path}.eseal`);
  const timeNode = c.next('timeInfo');
  const signingTime = r.time(timeNode, `${path}.timeInfo`, 'generalized');
  const dataHash = r.bits(c.next('dataHash'), `${path}.dataHash`);
  const propertyInfo = r.ia5(c.next('propertyInfo'), `${path}.propertyInfo`);
  const extNode = c.optional(0xa0, Tag.SEQUENCE);
  const extDatas =
    extNode === undefined ? undefined : readTaggedExtensionDatas(r, extNode, `${path}.extDatas`);
  c.end();
  return {
    version,
    seal,
    signingTime,
    timeInfo: timeNode.raw,
    dataHash,
    propertyInfo,
    certificate: undefined,
    signatureAlgorithm: undefined,
    extDatas,
    der: node.raw,
  };
}

function readTaggedExtensionDatas(r: Asn1Reader, node: Node, path: string): SesExtData[] {
  if (node.tag === Tag.SEQUENCE) {
    r.quirk(path, 'untagged instead of [0] EXPLICIT');
    return readExtensionDatas(r, node, path);
  }
  const inner = r.children(node, path);
  // EXPLICIT: [0] { SEQUENCE OF ExtData }. IMPLICIT: [0] { ExtData, ... } whose items start with an OID.
  const first = inner[0];
  if (inner.length === 1 && first !== undefined && first.tag === Tag.SEQUENCE) {
    const grand = r.children(first, path);
    if (grand.length === 0 || grand[0]!.tag === Tag.SEQUENCE)
      return readExtensionDatas(r, first, path);
  }
  r.quirk(path, '[0] IMPLICIT instead of [0] EXPLICIT');
  return readExtensionDatas(r, { ...node, tag: Tag.SEQUENCE }, path);
}

/** The fields of a GB/T 38540 TBS_Sign to encode. */
export interface TbsSignV4Fields {
  readonly version: number;
  /** The seal, embedded exactly as given (its DER is not re-encoded). */
  readonly sealDer: Uint8Array;
  readonly signingTime: Date;
  readonly dataHash: Uint8Array;
  readonly propertyInfo: string;
  readonly extDatas?: readonly SesExtData[];
}

/** DER GB/T 38540 `TBS_Sign` (`extDatas` as `[0] EXPLICIT`, as ofdrw writes it). */
export function encodeTbsSignV4(fields: TbsSignV4Fields): Uint8Array {
  return encodeSequence(
    encodeInteger(fields.version),
    fields.sealDer,
    encodeGeneralizedTime(fields.signingTime),
    encodeBitString(fields.dataHash),
    encodeIa5String(fields.propertyInfo),
    ...(fields.extDatas === undefined
      ? []
      : [encodeTlv(0xa0, encodeExtensionDatas(fields.extDatas))]),
  );
}
