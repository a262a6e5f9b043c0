/**
 * SM2 digital signatures (GB/T 32918.2-2016 clauses 5-7) with the Z value and distinguishing ID
 * of GB/T 35276 (default "1234567812345678"), signature values as DER SEQUENCE { r, s }.
 *
 * Why not node:crypto: Node 20 has no API to set the SM2 distinguishing ID (it signs ECDSA, or SM2
 * with an empty ID), so its output does not interoperate. The arithmetic here is ours; the scalar
 * multiplications on the recommended curve run natively through `createECDH('SM2')` (OpenSSL's
 * constant-time ladder, ~10x faster than pure JS), and any other curve (the GB/T 32918 example
 * curve used by its known-answer vectors) runs on @noble/curves' audited `weierstrass` arithmetic.
 * @module
 */
import { createECDH, createHash, randomBytes, type ECDH } from 'node:crypto';
import { weierstrass, type WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { SignatureMalformedError, KeyUnsupportedError } from '../errors/index.js';
import { bigIntToBytes, bytesToBigInt, concatBytes, invert, mod, utf8 } from '../internal/bytes.js';
import {
  DerError,
  Tag,
  decodeUnsignedInteger,
  encodeSequence,
  encodeUnsignedInteger,
  readChildren,
  readSingle,
} from '../internal/der.js';

/** Domain parameters of an SM2 curve y^2 = x^3 + ax + b over F_p with base point G of order n. */
export interface Sm2Curve {
  readonly p: bigint;
  readonly a: bigint;
  readonly b: bigint;
  readonly n: bigint;
  readonly gx: bigint;
  readonly gy: bigint;
}

/** An affine curve point. */
export interface Sm2Point {
  readonly x: bigint;
  readonly y: bigint;
}

/** The recommended curve of GB/T 32918.5-2017 (OID 1.2.156.10197.1.301). */
export const SM2_RECOMMENDED_CURVE: Sm2Curve = Object.freeze({
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
});

/** The default distinguishing ID of GB/T 35276 / GM/T 0009: the ASCII string "1234567812345678". */
export const SM2_DEFAULT_ID = '1234567812345678';

/** An SM2 signature as its two integers. */
export interface Sm2Signature {
  readonly r: bigint;
  readonly s: bigint;
}

const FIELD_BYTES = 32;

function isRecommended(curve: Sm2Curve): boolean {
  const r = SM2_RECOMMENDED_CURVE;
  return (
    curve === r ||
    (curve.p === r.p &&
      curve.a === r.a &&
      curve.b === r.b &&
      curve.n === r.n &&
      curve.gx === r.gx &&
      curve.gy === r.gy)
  );
}

function idBytes(id: string | Uint8Array | undefined): Uint8Array {
  const bytes = id === undefined ? utf8(SM2_DEFAULT_ID) : typeof id === 'string' ? utf8(id) : id;
  // ENTL is a 16-bit bit length (GB/T 32918.2 clause 5.5).
  if (bytes.length * 8 > 0xffff) throw new RangeError('SM2 distinguishing ID too long');
  return bytes;
}

/**
 * Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A) (GB/T 32918.2 clause 5.5).
 * @param id distinguishing ID; defaults to "1234567812345678"
 */
export function sm2ZValue(
  publicKey: Sm2Point,
  id?: string | Uint8Array,
  curve: Sm2Curve = SM2_RECOMMENDED_CURVE,
): Uint8Array {
  const idb = idBytes(id);
  const entl = Uint8Array.of((idb.length * 8) >> 8, (idb.length * 8) & 0xff);
  const h = createHash('sm3');
  h.update(entl);
  h.update(idb);
  for (const v of [curve.a, curve.b, curve.gx, curve.gy, publicKey.x, publicKey.y]) {
    h.update(bigIntToBytes(v, FIELD_BYTES));
  }
  return new Uint8Array(h.digest());
}

/** e = SM3(Z_A || M) as an integer: the value SM2 actually signs (GB/T 32918.2 clause 6.1 A1-A2). */
export function sm2MessageDigest(
  message: Uint8Array,
  publicKey: Sm2Point,
  id?: string | Uint8Array,
  curve: Sm2Curve = SM2_RECOMMENDED_CURVE,
): Uint8Array {
  const z = sm2ZValue(publicKey, id, curve);
  return new Uint8Array(createHash('sm3').update(z).update(message).digest());
}

// ---------------------------------------------------------------------------------------------
// Point arithmetic

type NoblePoint = WeierstrassPoint<bigint>;
type NobleCurve = { BASE: NoblePoint; fromAffine(p: { x: bigint; y: bigint }): NoblePoint };
const nobleCurves = new WeakMap<Sm2Curve, NobleCurve>();

function nobleFor(curve: Sm2Curve): NobleCurve {
  let c = nobleCurves.get(curve);
  if (c === undefined) {
    c = weierstrass({
      p: curve.p,
      n: curve.n,
      h: 1n,
      a: curve.a,
      b: curve.b,
      Gx: curve.gx,
      Gy: curve.gy,
    });
    nobleCurves.set(curve, c);
  }
  return c;
}

/** True when `point` satisfies the curve equation with coordinates in [0, p). */
export function isOnCurve(point: Sm2Point, curve: Sm2Curve = SM2_RECOMMENDED_CURVE): boolean {
  const { p, a, b } = curve;
  const { x, y } = point;
  if (x < 0n || x >= p || y < 0n || y >= p) return false;
  return mod(y * y - (x * x * x + a * x + b), p) === 0n;
}

function encodePoint(point: Sm2Point): Buffer {
  return Buffer.concat([
    Buffer.of(4),
    bigIntToBytes(point.x, FIELD_BYTES),
    bigIntToBytes(point.y, FIELD_BYTES),
  ]);
}

/** Decodes an uncompressed SEC 1 point `04 || x || y` and checks that it lies on the curve. */
export function decodeSm2Point(
  bytes: Uint8Array,
  curve: Sm2Curve = SM2_RECOMMENDED_CURVE,
): Sm2Point {
  if (bytes.length !== 1 + 2 * FIELD_BYTES || bytes[0] !== 4) {
    throw new KeyUnsupportedError('SM2 public key must be an uncompressed point (04 || x || y)');
  }
  const point = {
    x: bytesToBigInt(bytes.subarray(1, 1 + FIELD_BYTES)),
    y: bytesToBigInt(bytes.subarray(1 + FIELD_BYTES)),
  };
  if (!isOnCurve(point, curve)) throw new KeyUnsupportedError('SM2 public key is not on the curve');
  return point;
}

/** Encodes an SM2 public point as uncompressed SEC 1 bytes `04 || x || y`. */
export function encodeSm2Point(point: Sm2Point): Uint8Array {
  return new Uint8Array(encodePoint(point));
}

function withEcdh<T>(scalar: bigint, fn: (ecdh: ECDH) => T): T {
  const ecdh = createECDH('SM2');
  ecdh.setPrivateKey(bigIntToBytes(scalar, FIELD_BYTES));
  return fn(ecdh);
}

/** k·G on the recommended curve, natively. */
function nativeMulBase(k: bigint): Sm2Point {
  return withEcdh(k, (ecdh) => {
    const pub = ecdh.getPublicKey();
    return { x: bytesToBigInt(pub.subarray(1, 33)), y: bytesToBigInt(pub.subarray(33, 65)) };
  });
}

/** x(k·Q) on the recommended curve, natively (ECDH gives the x coordinate only). */
function nativeMulX(k: bigint, q: Sm2Point): bigint {
  return withEcdh(k, (ecdh) => bytesToBigInt(ecdh.computeSecret(encodePoint(q))));
}

/** Affine P + Q; `null` is the point at infinity. */
function addPoints(P: Sm2Point, Q: Sm2Point, curve: Sm2Curve): Sm2Point | null {
  const { p, a } = curve;
  let lambda: bigint;
  if (P.x === Q.x) {
    if (mod(P.y + Q.y, p) === 0n) return null;
    lambda = mod((3n * P.x * P.x + a) * invert(2n * P.y, p), p);
  } else {
    lambda = mod((Q.y - P.y) * invert(Q.x - P.x, p), p);
  }
  const x = mod(lambda * lambda - P.x - Q.x, p);
  const y = mod(lambda * (P.x - x) - P.y, p);
  return { x, y };
}

/** d·G: the public point of private scalar `d`. */
export function sm2PublicPoint(d: bigint, curve: Sm2Curve = SM2_RECOMMENDED_CURVE): Sm2Point {
  if (d < 1n || d > curve.n - 2n)
    throw new KeyUnsupportedError('SM2 private key out of range [1, n-2]');
  if (isRecommended(curve)) return nativeMulBase(d);
  const q = nobleFor(curve).BASE.multiply(d).toAffine();
  return { x: q.x, y: q.y };
}

function randomScalar(n: bigint): bigint {
  for (;;) {
    const k = bytesToBigInt(randomBytes(FIELD_BYTES + 8)) % n;
    if (k >= 1n) return k;
  }
}

/**
 * Signs a precomputed e = SM3(Z_A || M) (GB/T 32918.2 clause 6.1 A3-A7).
 * `k` is for known-answer tests only; production code never passes it.
 */
export function sm2SignDigest(
  e: Uint8Array,
  d: bigint,
  options: { curve?: Sm2Curve; k?: bigint } = {},
): Sm2Signature {
  const curve = options.curve ?? SM2_RECOMMENDED_CURVE;
  const { n } = curve;
  if (d < 1n || d > n - 2n) throw new KeyUnsupportedError('SM2 private key out of range [1, n-2]');
  const ev = bytesToBigInt(e);
  const native = isRecommended(curve);
  const dInv = invert(1n + d, n);
  for (;;) {
    const k = options.k ?? randomScalar(n);
    const x1 = native ? nativeMulBase(k).x : nobleFor(curve).BASE.multiply(k).toAffine().x;
    const r = mod(ev + x1, n);
    if (r === 0n || r + k === n) {
      if (options.k !== undefined) throw new RangeError('Injected k gives r = 0 or r + k = n');
      continue;
    }
    const s = mod(dInv * (k - r * d), n);
    if (s === 0n) {
      if (options.k !== undefined) throw new RangeError('Injected k gives s = 0');
      continue;
    }
    return { r, s };
  }
}

/** Verifies (r, s) over a precomputed e = SM3(Z_A || M) (GB/T 32918.2 clause 7.1 B1-B7). */
export function sm2VerifyDigest(
  e: Uint8Array,
  signature: Sm2Signature,
  publicKey: Sm2Point,
  curve: Sm2Curve = SM2_RECOMMENDED_CURVE,
): boolean {
  const { n } = curve;
  const { r, s } = signature;
  if (r < 1n || r > n - 1n || s < 1n || s > n - 1n) return false;
  if (!isOnCurve(publicKey, curve)) return false;
  const ev = bytesToBigInt(e);
  const t = mod(r + s, n);
  if (t === 0n) return false;
  let x1: bigint;
  if (isRecommended(curve)) {
    // s·G + t·P = t·(P + (s/t)·G): one native base multiplication gives (s/t)·G with both
    // coordinates, one affine addition, then one native ECDH gives the x coordinate we need.
    const w = mod(s * invert(t, n), n);
    const q = addPoints(publicKey, nativeMulBase(w), curve);
    if (q === null) return false;
    x1 = nativeMulX(t, q);
  } else {
    const nc = nobleFor(curve);
    const sum = nc.BASE.multiply(s).add(nc.fromAffine(publicKey).multiply(t));
    if (sum.is0()) return false;
    x1 = sum.toAffine().x;
  }
  return mod(ev + x1, n) === r;
}

/** Signs `message` with private scalar `d` (computing Z_A from the public point and `id`). */
export function sm2Sign(
  message: Uint8Array,
  d: bigint,
  options: { id?: string | Uint8Array; publicKey?: Sm2Point; curve?: Sm2Curve; k?: bigint } = {},
): Sm2Signature {
  const curve = options.curve ?? SM2_RECOMMENDED_CURVE;
  const pub = options.publicKey ?? sm2PublicPoint(d, curve);
  const e = sm2MessageDigest(message, pub, options.id, curve);
  return sm2SignDigest(e, d, { curve, ...(options.k === undefined ? {} : { k: options.k }) });
}

/** Verifies an SM2 signature on `message` for `publicKey` and the distinguishing `id`. */
export function sm2Verify(
  message: Uint8Array,
  signature: Sm2Signature,
  publicKey: Sm2Point,
  options: { id?: string | Uint8Array; curve?: Sm2Curve } = {},
): boolean {
  const curve = options.curve ?? SM2_RECOMMENDED_CURVE;
  if (!isOnCurve(publicKey, curve)) return false;
  return sm2VerifyDigest(
    sm2MessageDigest(message, publicKey, options.id, curve),
    signature,
    publicKey,
    curve,
  );
}

/** DER SEQUENCE { r INTEGER, s INTEGER } (GB/T 35276 SM2Signature). */
export function encodeSm2Signature(signature: Sm2Signature): Uint8Array {
  return encodeSequence(encodeUnsignedInteger(signature.r), encodeUnsignedInteger(signature.s));
}

/**
 * Decodes a DER SM2Signature (also the ECDSA-Sig-Value shape).
 * @throws {SignatureMalformedError} ERR_SIGNATURE_MALFORMED when it is not strict DER SEQUENCE { r, s }
 */
export function decodeSm2Signature(der: Uint8Array): Sm2Signature {
  try {
    const seq = readSingle(der, Tag.SEQUENCE);
    const parts = readChildren(seq);
    if (parts.length !== 2) throw new DerError('Expected two INTEGERs', 0);
    return { r: decodeUnsignedInteger(parts[0]!), s: decodeUnsignedInteger(parts[1]!) };
  } catch (err) {
    if (err instanceof DerError) {
      throw new SignatureMalformedError(`Malformed SM2/ECDSA signature value: ${err.message}`);
    }
    throw err;
  }
}

/** Raw fixed-width r || s (64 bytes on a 256-bit curve) as used by some tokens and JS libraries. */
export function sm2SignatureToRaw(signature: Sm2Signature, size = FIELD_BYTES): Uint8Array {
  return concatBytes(bigIntToBytes(signature.r, size), bigIntToBytes(signature.s, size));
}

/**
 * Raw r || s to integers.
 * @throws {SignatureMalformedError} ERR_SIGNATURE_MALFORMED when the length is odd or zero
 */
export function sm2SignatureFromRaw(raw: Uint8Array): Sm2Signature {
  if (raw.length === 0 || raw.length % 2 !== 0) {
    throw new SignatureMalformedError(
      `Raw signature must be r || s of equal halves, got ${raw.length} bytes`,
    );
  }
  const half = raw.length / 2;
  return { r: bytesToBigInt(raw.subarray(0, half)), s: bytesToBigInt(raw.subarray(half)) };
}
