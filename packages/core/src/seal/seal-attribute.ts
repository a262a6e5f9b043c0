/**
 * GovTrust's CMS signed attribute that carries a GB/T 38540 seal inside a PAdES signature (our
 * binding scheme, docs/seal-binding.md; GB/T 38540 itself defines no PDF binding).
 * @module
 */
import { SealParseError } from '../errors/index.js';
import type { SesSeal } from './model.js';
import { parseSeal } from './seal.js';

/**
 * OID of the seal attribute: `2.25.321006077659553543974167165244542036040`, the ITU-T X.667
 * UUID arc for UUID f17f8590-103a-45dc-b509-88fcd0902848, generated once for GovTrust. The 2.25 arc
 * needs no registration and cannot collide; if a normative Chinese OID for this purpose appears
 * (GM/T 0131 is not public), readers should accept both. Attribute syntax:
 * `govtrustSealAttribute ATTRIBUTE ::= { WITH SYNTAX SES_Seal ID id-govtrust-seal }`, exactly
 * one value, the DER (or as-received) SES_Seal.
 */
export const SEAL_ATTRIBUTE_OID = '2.25.321006077659553543974167165244542036040';

/** A CMS attribute as `@govtrust/core/cms` takes it: OID and DER values. */
export interface SealAttribute {
  readonly oid: string;
  readonly values: readonly Uint8Array[];
}

/**
 * The signed attribute carrying `seal` (its bytes as made or received, never re-encoded).
 * @example signCms({ signer, signedAttributes: [createSealAttribute(seal)], ... })
 */
export function createSealAttribute(seal: SesSeal): SealAttribute {
  return { oid: SEAL_ATTRIBUTE_OID, values: [seal.der] };
}

/**
 * Reads the seal from a seal attribute's values.
 * @throws {SealParseError} ERR_SEAL_ATTRIBUTE when there is not exactly one value
 * @throws {SealParseError} ERR_SEAL_PARSE when the value is not a seal
 * @throws {SealVersionError} ERR_SEAL_HEADER / ERR_SEAL_VERSION for unsupported seal headers
 */
export function readSealAttribute(attribute: SealAttribute): SesSeal {
  if (attribute.oid !== SEAL_ATTRIBUTE_OID) {
    throw new SealParseError(
      'ERR_SEAL_ATTRIBUTE',
      `Not the GovTrust seal attribute: ${attribute.oid}`,
    );
  }
  if (attribute.values.length !== 1) {
    throw new SealParseError(
      'ERR_SEAL_ATTRIBUTE',
      `The seal attribute must have one value, not ${attribute.values.length}`,
    );
  }
  return parseSeal(attribute.values[0]!);
}
