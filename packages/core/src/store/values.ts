/** Validation of names, keys and values every driver applies the same way, and code-point ordering. @module */
import { StoreSchemaError, StoreValueError } from '../errors/index.js';

const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** Maximum length of a record key or index key value (characters). */
export const MAX_KEY_LENGTH = 512;
/** Maximum nesting depth of stored JSON. */
const MAX_DEPTH = 64;

/**
 * Checks a collection, log or index name.
 * @throws {StoreSchemaError} ERR_STORE_SCHEMA
 */
export function assertName(kind: string, name: string): void {
  if (!NAME.test(name)) {
    throw new StoreSchemaError(
      `${kind} name '${name}' is not 1-64 characters of a-z, 0-9, '_', '-', '.'`,
    );
  }
}

/**
 * Checks a record key or index key value: 1-512 characters, no U+0000 (PostgreSQL text cannot
 * hold it), well-formed UTF-16.
 * @throws {StoreValueError} ERR_STORE_VALUE
 */
export function assertKey(key: unknown, what = 'key'): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new StoreValueError(`A ${what} is a string of 1-${MAX_KEY_LENGTH} characters`);
  }
  if (key.includes('\u0000') || LONE_SURROGATE.test(key)) {
    throw new StoreValueError(`A ${what} must not contain U+0000 or a lone surrogate`);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A deep, frozen copy of a JSON object value: properties set to `undefined` are dropped (as
 * JSON.stringify does); anything else that is not plain JSON is refused.
 * @throws {StoreValueError} ERR_STORE_VALUE with the JSON path of the offending value
 */
export function freezeJsonObject<T extends object>(value: T): T {
  const v: unknown = value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new StoreValueError('A stored value is a JSON object', '$');
  }
  return copy(value, '$', 0) as T;
}

function copy(value: unknown, path: string, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new StoreValueError(`Nested deeper than ${MAX_DEPTH} levels`, path);
  if (value === null) return null;
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new StoreValueError('Numbers must be finite', path);
      // -0 has no JSON form distinct from 0.
      return value === 0 ? 0 : value;
    case 'string':
      if (value.includes('\u0000') || LONE_SURROGATE.test(value)) {
        throw new StoreValueError('Strings must not contain U+0000 or a lone surrogate', path);
      }
      return value;
    case 'object': {
      if (Array.isArray(value)) {
        const out = value.map((v, i) => {
          if (v === undefined)
            throw new StoreValueError('Arrays must not hold undefined', `${path}[${i}]`);
          return copy(v, `${path}[${i}]`, depth + 1);
        });
        return Object.freeze(out);
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new StoreValueError(
          'Only plain objects are stored (no Date, Uint8Array, class instances)',
          path,
        );
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        if (k.includes('\u0000') || LONE_SURROGATE.test(k)) {
          throw new StoreValueError(
            'Property names must not contain U+0000 or a lone surrogate',
            path,
          );
        }
        out[k] = copy(v, `${path}.${k}`, depth + 1);
      }
      return Object.freeze(out);
    }
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw new StoreValueError(`A ${typeof value} is not JSON`, path);
  }
  throw new StoreValueError('Not JSON', path);
}

/**
 * Compares strings by Unicode code point (= UTF-8 byte order = PostgreSQL `COLLATE "C"`), not by
 * UTF-16 code unit as `<` does, so every driver orders keys the same way.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (D800-DFFF) encode code points above FFFF: move them above E000-FFFF.
      if (x >= 0xd800) x += x <= 0xdfff ? 0x2000 : -0x800;
      if (y >= 0xd800) y += y <= 0xdfff ? 0x2000 : -0x800;
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Index key values of one value: deduplicated, each validated. */
export function normaliseIndexKeys(
  keys: string | readonly string[] | undefined,
  index: string,
): string[] {
  if (keys === undefined) return [];
  const list = typeof keys === 'string' ? [keys] : [...new Set(keys)];
  for (const k of list) assertKey(k, `value of index '${index}'`);
  return list;
}

/** Expiry option to milliseconds. */
export function expiryMs(expiresAt: Date | number | undefined): number | undefined {
  if (expiresAt === undefined) return undefined;
  const ms = typeof expiresAt === 'number' ? expiresAt : expiresAt.getTime();
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new StoreValueError('expiresAt is a time after 1970');
  return ms;
}

/** Page size of a query: 1-1000, default 100. */
export function pageLimit(limit: number | undefined, max = 1000): number {
  if (limit === undefined) return 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new StoreValueError(`limit is an integer from 1 to ${max}`);
  }
  return limit;
}

/** Encodes a query cursor (index value, record key or sequence). */
export function encodeCursor(value: string, key: string): string {
  return Buffer.from(JSON.stringify([value, key]), 'utf8').toString('base64url');
}

/**
 * Decodes a query cursor.
 * @throws {StoreValueError} ERR_STORE_VALUE for a cursor this store did not produce
 */
export function decodeCursor(cursor: string): [string, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      typeof v[1] === 'string'
    ) {
      return [v[0], v[1]];
    }
  } catch {
    // fall through to the error below
  }
  throw new StoreValueError('Malformed query cursor', 'after');
}

/** Checks that a range names at most one lower and one upper bound. */
export function assertRange(range: {
  equals?: string | undefined;
  prefix?: string | undefined;
  gt?: string | undefined;
  gte?: string | undefined;
  lt?: string | undefined;
  lte?: string | undefined;
}): void {
  const lower = [range.equals, range.prefix, range.gt, range.gte].filter(
    (v) => v !== undefined,
  ).length;
  const upper = [range.equals, range.prefix, range.lt, range.lte].filter(
    (v) => v !== undefined,
  ).length;
  if (lower > 1 || upper > 1) {
    throw new StoreValueError('A range has one of equals | prefix | (gt|gte and/or lt|lte)');
  }
}
