/** Canonical JSON (RFC 8785, JSON Canonicalization Scheme) of strictly JSON values, for signing and hash chains. @module */
import canonicalize from 'canonicalize';
import { CanonicalJsonError } from '../errors/index.js';

/** A JSON value as RFC 8259 / I-JSON (RFC 7493) define it. */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { readonly [key: string]: JsonValue };

/** A high surrogate not followed by a low one, or a low one not preceded by a high one (RFC 8785 §3.2.2.2 needs well-formed UTF-16). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks that `value` is plain JSON: null, booleans, finite numbers, well-formed strings (no lone
 * surrogates), arrays and plain objects, with no `undefined`, functions, class instances
 * (`Date`, `Uint8Array`, objects with `toJSON`) or cycles, so that what is signed is exactly what
 * a verifier re-creates from the parsed JSON. Returns the JSON path of the first offending value.
 */
export function findNonJson(
  value: unknown,
  path = '$',
  seen: Set<object> = new Set(),
): string | undefined {
  if (value === null) return undefined;
  switch (typeof value) {
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : path;
    case 'string':
      return LONE_SURROGATE.test(value) ? path : undefined;
    case 'object': {
      if (seen.has(value)) return path;
      seen.add(value);
      let bad: string | undefined;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length && bad === undefined; i++) {
          bad = findNonJson(value[i], `${path}[${i}]`, seen);
        }
      } else {
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) return path;
        for (const [k, v] of Object.entries(value)) {
          if (LONE_SURROGATE.test(k)) return `${path}[key]`;
          bad = findNonJson(v, `${path}.${k}`, seen);
          if (bad !== undefined) break;
        }
      }
      seen.delete(value);
      return bad;
    }
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      return path;
  }
  return path;
}

/**
 * The RFC 8785 canonical form of a JSON value: object members sorted by UTF-16 code units, no
 * whitespace, numbers in ECMAScript shortest form, strings with minimal escaping. Uses the
 * `canonicalize` package (by an RFC 8785 author) after a strict JSON check.
 * @throws {CanonicalJsonError} ERR_JSON_CANONICAL when the value is not plain JSON (with its path)
 */
export function canonicalizeJson(value: unknown): string {
  const bad = findNonJson(value);
  if (bad !== undefined) {
    throw new CanonicalJsonError(`Not canonicalisable as JSON at ${bad}`, bad);
  }
  const out = canonicalize(value);
  if (out === undefined) throw new CanonicalJsonError('Not canonicalisable as JSON', '$');
  return out;
}

/**
 * The UTF-8 bytes of `canonicalizeJson(value)`: the bytes a licence signature covers.
 * @throws {CanonicalJsonError} ERR_JSON_CANONICAL when the value is not plain JSON
 */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalizeJson(value));
}
