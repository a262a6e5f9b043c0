/** SESeal of GM/T 0031-2025 ("V5"): the GB/T 38540 seal plus an optional time-stamp over the maker's signature. @module */
import type { SesSeal } from '../model.js';
import { encodeSesSealV4, readSesSealV4 } from './ses-seal-v4.js';
import type { Asn1Reader, Node } from './reader.js';

/**
 * Reads a GM/T 0031-2025 seal (header version 5). Everything but the time-stamp is as in V4; the
 * maker signs the SES_SealInfo element.
 *
 * ```asn1
 * SESeal ::= SEQUENCE {
 *     eSealInfo    SES_SealInfo,
 *     cert         OCTET STRING,
 *     signAlgID    OBJECT IDENTIFIER,
 *     signedValue  BIT STRING,
 *     timeStamp    [0] BIT STRING OPTIONAL  -- 对 signedValue 的时间戳 (GB/T 20520)
 * }
 * ```
 * @throws {SealParseError} when malformed
 * @throws {SealVersionError} ERR_SEAL_VERSION when the header version is not 5
 */
export function readSesSealV5(r: Asn1Reader, node: Node, path: string): SesSeal {
  return readSesSealV4(r, node, path);
}

/** DER GM/T 0031-2025 `SESeal` (the time-stamp, when present, as `[0] EXPLICIT BIT STRING`). */
export const encodeSesSealV5 = encodeSesSealV4;
