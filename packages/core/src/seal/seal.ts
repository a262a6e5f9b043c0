/** Reading and writing electronic seals (GB/T 38540-2020 section 6.1, GM/T 0031-2014, GM/T 0031-2025): version dispatch by structure. @module */
import { GovTrustError, SealEncodeError, SealParseError } from '../errors/index.js';
import { Tag } from '../internal/der.js';
import { Asn1Reader, type Node } from './asn1/reader.js';
import { readSesSealV1 } from './asn1/ses-seal-v1.js';
import { encodeSesSealV4, readSesSealV4 } from './asn1/ses-seal-v4.js';
import { readSesSealV5 } from './asn1/ses-seal-v5.js';
import type { SesSeal } from './model.js';

/** Largest seal accepted (a seal is a picture plus a few certificates; real ones are 5-20 KiB). */
export const MAX_SEAL_SIZE = 8 * 1024 * 1024;

/** @internal Reads a seal of any version from `node`, dispatching on its structure like ofdrw. */
export function readAnySeal(r: Asn1Reader, node: Node, path: string): SesSeal {
  r.expect(node, Tag.SEQUENCE, path);
  const count = r.children(node, path).length;
  if (count === 2) return readSesSealV1(r, node, path);
  if (count === 4) return readSesSealV4(r, node, path);
  if (count === 5) return readSesSealV5(r, node, path);
  r.fail(
    path,
    `a seal has 2 (GM/T 0031-2014), 4 (GB/T 38540) or 5 (GM/T 0031-2025) fields, not ${count}`,
  );
}

/**
 * Decodes a DER (or BER) electronic seal of version 1, 4 or 5, keeping the bytes as received so
 * verification never depends on a re-encoding.
 * @example const seal = parseSeal(readFileSync('seal.esl')); seal.sealInfo.esID
 * @throws {SealParseError} ERR_SEAL_PARSE for truncated, garbage or malformed input
 * @throws {SealVersionError} ERR_SEAL_HEADER when the header ID is not "ES"; ERR_SEAL_VERSION when the version is unsupported or contradicts the structure
 * @throws {InputTooLargeError} ERR_INPUT_TOO_LARGE above 8 MiB
 */
export function parseSeal(der: Uint8Array): SesSeal {
  return withParseErrors('ERR_SEAL_PARSE', der, (r) =>
    readAnySeal(r, r.top(der, 'SES_Seal'), 'SES_Seal'),
  );
}

/**
 * Encodes a GB/T 38540 (V4) or GM/T 0031-2025 (V5) seal in strict DER from its fields. A seal
 * made by `makeSeal` re-encodes to the same bytes; a received seal with BER quirks does not
 * (verify those over `seal.der`).
 * @throws {SealEncodeError} ERR_SEAL_ENCODE for a V1 seal, non-ASCII esID/type, or times with milliseconds
 */
export function encodeSeal(seal: SesSeal): Uint8Array {
  if (seal.version === 1) {
    throw new SealEncodeError(
      'ERR_SEAL_ENCODE',
      'GovTrust writes GB/T 38540 (V4) and V5 seals only, not GM/T 0031-2014',
      { field: 'version' },
    );
  }
  try {
    return encodeSesSealV4(seal);
  } catch (err) {
    if (err instanceof RangeError)
      throw new SealEncodeError('ERR_SEAL_ENCODE', `Cannot encode the seal: ${err.message}`, {
        cause: err,
      });
    throw err;
  }
}

/** @internal Runs a decoder, mapping non-GovTrust failures (stack overflow, range errors) to the parse code. */
export function withParseErrors<T>(
  code: 'ERR_SEAL_PARSE' | 'ERR_SEAL_SIGNATURE_PARSE' | 'ERR_SEAL_ATTRIBUTE',
  input: Uint8Array,
  decode: (r: Asn1Reader) => T,
): T {
  if (!(input instanceof Uint8Array))
    throw new SealParseError(code, 'Input must be bytes (Uint8Array)');
  if (input.length > MAX_SEAL_SIZE) {
    throw new SealParseError(code, `Input is ${input.length} bytes; the limit is ${MAX_SEAL_SIZE}`);
  }
  try {
    return decode(new Asn1Reader(code));
  } catch (err) {
    if (err instanceof GovTrustError) throw err;
    throw new SealParseError(code, `Cannot decode: ${(err as Error).message}`, { cause: err });
  }
}
