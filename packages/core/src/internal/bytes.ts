/** Byte and big-integer helpers shared inside core (never exported from the package). @module */

/** Concatenates byte arrays into one new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytes of a hex string (whitespace ignored); throws `RangeError` on odd length or bad digits. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new RangeError('Invalid hex string');
  }
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

/** A `Buffer` view over the same memory (no copy), for Node APIs. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** True when both arrays hold the same bytes (not constant-time; use for public data only). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Unsigned big-endian bytes to a bigint. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt('0x' + toHex(bytes));
}

/** A non-negative bigint as unsigned big-endian bytes, left-padded to `length`. */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  if (value < 0n) throw new RangeError('Negative value');
  const hex = value.toString(16).padStart(length * 2, '0');
  if (hex.length > length * 2) throw new RangeError('Value too large for the requested length');
  return fromHex(hex);
}

/** `value mod m`, always in [0, m). */
export function mod(value: bigint, m: bigint): bigint {
  const r = value % m;
  return r < 0n ? r + m : r;
}

/** Modular inverse by the extended Euclidean algorithm; throws when none exists. */
export function invert(value: bigint, m: bigint): bigint {
  let a = mod(value, m);
  if (a === 0n) throw new RangeError('No inverse of zero');
  let b = m;
  let x = 1n;
  let y = 0n;
  while (b !== 0n) {
    const q = a / b;
    [a, b] = [b, a - q * b];
    [x, y] = [y, x - q * y];
  }
  if (a !== 1n) throw new RangeError('No modular inverse');
  return mod(x, m);
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
