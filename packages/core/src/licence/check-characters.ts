/** Check characters: ISO/IEC 7064 MOD 37,36 (GB/T 36904), GB 32100 MOD 31, GB 11714 MOD 11 and GB 11643 MOD 11-2. @module */

/** The 36 characters of ISO/IEC 7064 MOD 37,36, value = index. */
const MOD3736_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * The ISO/IEC 7064 MOD 37,36 (hybrid system) check character of `body` (GB/T 36904: body =
 * type code + issuer code + serial + version, dots removed, upper case), or `undefined` when
 * `body` holds a character outside 0-9A-Z.
 */
export function computeMod3736(body: string): string | undefined {
  let p = 36; // P0 = M
  for (let i = 0; i < body.length; i++) {
    const v = MOD3736_ALPHABET.indexOf(body[i]!);
    if (v < 0) return undefined;
    // S = (P + a) mod M with 0 read as M; P = 2S mod (M + 1) (ISO/IEC 7064 §7.2, hybrid system).
    let s = (p + v) % 36;
    if (s === 0) s = 36;
    p = (2 * s) % 37;
  }
  // The check character c satisfies (P + c) mod M == 1.
  return MOD3736_ALPHABET[(37 - p) % 36];
}

/** The 31 characters a 统一社会信用代码 may use (GB 32100-2015 §4.2): no I, O, Z, S, V; value = index. */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** Weights 3^(i-1) mod 31 for positions 1-17 (GB 32100-2015 §5). */
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * The GB 32100 check character for the first 17 characters of a 统一社会信用代码, or `undefined`
 * when `first17` is not 17 characters of the USCC alphabet.
 */
export function computeUsccCheck(first17: string): string | undefined {
  if (first17.length !== 17) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(first17[i]!);
    if (v < 0) return undefined;
    sum += v * USCC_WEIGHTS[i]!;
  }
  const c = 31 - (sum % 31);
  return USCC_ALPHABET[c === 31 ? 0 : c];
}

/** Weights of the GB 11714 organisation-code check (positions 1-8). */
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/**
 * The GB 11714 check character of an 8-character organisation code body (0-9 and A-Z, A = 10),
 * or `undefined` for another length or character.
 */
export function computeOrgCodeCheck(first8: string): string | undefined {
  if (first8.length !== 8) return undefined;
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const v = MOD3736_ALPHABET.indexOf(first8[i]!);
    if (v < 0) return undefined;
    sum += v * ORG_WEIGHTS[i]!;
  }
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** Weights 2^(17-i) mod 11 for positions 1-17 of a 居民身份证号码 (GB 11643-1999 §7). */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;

/**
 * The ISO 7064 MOD 11-2 check character of the first 17 digits of a 居民身份证号码 (GB 11643),
 * or `undefined` when `first17` is not 17 digits.
 */
export function computeResidentIdCheck(first17: string): string | undefined {
  if (!/^\d{17}$/.test(first17)) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i]!;
  return '10X98765432'[sum % 11];
}
