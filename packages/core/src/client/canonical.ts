/**
 * Request signing of the GovTrust API (one function for the client SDK and the server): the
 * canonical request string, the body digest header and HMAC-SHA256 / HMAC-SM3 (GB/T 15852.2 with
 * SM3) signatures, after the e签宝 V3 canonical-request scheme plus a nonce and an app id.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createHasher } from '../crypto/index.js';
import { InvalidInputError } from '../errors/index.js';

/** HMAC algorithms a request may be signed with. */
export type RequestSignatureAlgorithm = 'HMAC-SHA256' | 'HMAC-SM3';

/** Body digest algorithms (the `X-Content-Digest` prefix). */
export type ContentDigestAlgorithm = 'sha256' | 'sm3';

/** The names of the signing headers, lower-case as Node delivers them. */
export const signatureHeaders = {
  appId: 'x-app-id',
  timestamp: 'x-timestamp',
  nonce: 'x-nonce',
  contentDigest: 'x-content-digest',
  algorithm: 'x-signature-alg',
  signature: 'x-signature',
} as const;

/** First line of every canonical string: binds the scheme version and the MAC algorithm. */
const SCHEME = 'GOVTRUST-HMAC-V1';

/** What a signature covers. */
export interface CanonicalRequestInput {
  /** HTTP method, any case (upper-cased). */
  readonly method: string;
  /** The request target as sent: path and optional `?query` (no scheme or host). */
  readonly target: string;
  /** The `X-Content-Digest` header value, e.g. `sha256=47DEQpj8...`. */
  readonly contentDigest: string;
  /** The `X-Timestamp` header value: milliseconds since the epoch, decimal. */
  readonly timestamp: string;
  readonly nonce: string;
  readonly appId: string;
  readonly algorithm: RequestSignatureAlgorithm;
}

// RFC 3986 unreserved characters stay; everything else is %XX upper-case, so that both sides
// produce the same bytes whatever encoding the sender's URL library chose.
function strictEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    // A malformed escape is kept as sent: it then signs as its literal text on both sides.
    return value;
  }
}

/**
 * The query string in canonical form: pairs decoded, re-encoded strictly (RFC 3986), sorted by
 * name then value (code-unit order of the encoded text), joined with `&`. An empty query gives the empty string.
 */
export function canonicalQuery(query: string): string {
  const q = query.startsWith('?') ? query.slice(1) : query;
  if (q === '') return '';
  const pairs = q
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=');
      const k = i < 0 ? p : p.slice(0, i);
      const v = i < 0 ? '' : p.slice(i + 1);
      return [strictEncode(safeDecode(k)), strictEncode(safeDecode(v))] as const;
    });
  pairs.sort((a, b) =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
  );
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/**
 * The canonical string a request signature covers, one field per line:
 * scheme, algorithm, METHOD, path, canonical query, content digest, timestamp, nonce, app id.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when the target is not an origin-form path or a field holds a line break
 */
export function canonicalRequest(input: CanonicalRequestInput): string {
  if (!input.target.startsWith('/'))
    throw new InvalidInputError('The request target must start with /', { field: 'target' });
  const q = input.target.indexOf('?');
  const path = q < 0 ? input.target : input.target.slice(0, q);
  const query = q < 0 ? '' : input.target.slice(q + 1);
  const fields = [
    SCHEME,
    input.algorithm,
    input.method.toUpperCase(),
    path,
    canonicalQuery(query),
    input.contentDigest,
    input.timestamp,
    input.nonce,
    input.appId,
  ];
  // A line break inside a field would let one request's fields pass for another's.
  if (fields.some((f) => /[\r\n]/.test(f)))
    throw new InvalidInputError('Signed fields must not contain line breaks', { field: 'headers' });
  return fields.join('\n');
}

/** The `X-Content-Digest` value of a body: `sha256=<base64>` or `sm3=<base64>`. */
export function formatContentDigest(
  body: Uint8Array,
  algorithm: ContentDigestAlgorithm = 'sha256',
): string {
  const h = createHasher(algorithm);
  h.update(body);
  return `${algorithm}=${h.digest('base64')}`;
}

/**
 * Splits an `X-Content-Digest` value into algorithm and digest bytes.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for an unknown algorithm or a digest of the wrong size
 */
export function parseContentDigest(value: string): {
  algorithm: ContentDigestAlgorithm;
  digest: Uint8Array;
} {
  const m = /^(sha256|sm3)=([A-Za-z0-9+/]{43}=)$/.exec(value.trim());
  if (m === null)
    throw new InvalidInputError('X-Content-Digest must be sha256=<base64> or sm3=<base64>', {
      field: 'x-content-digest',
    });
  return {
    algorithm: m[1] as ContentDigestAlgorithm,
    digest: new Uint8Array(Buffer.from(m[2]!, 'base64')),
  };
}

/** True when `name` is a request signature algorithm. */
export function isRequestSignatureAlgorithm(name: string): name is RequestSignatureAlgorithm {
  return name === 'HMAC-SHA256' || name === 'HMAC-SM3';
}

/** The HMAC (base64) of a canonical string under `secret`. */
export function computeRequestSignature(
  secret: string,
  canonical: string,
  algorithm: RequestSignatureAlgorithm,
): string {
  return createHmac(algorithm === 'HMAC-SM3' ? 'sm3' : 'sha256', Buffer.from(secret, 'utf8'))
    .update(canonical, 'utf8')
    .digest('base64');
}

/** Compares a received signature with the expected one in constant time. */
export function signaturesEqual(received: string, expected: string): boolean {
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // Compare equal-length buffers only; the length of a base64 HMAC is public anyway.
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Options of `signRequest`. */
export interface SignRequestOptions {
  readonly appId: string;
  readonly secret: string;
  readonly method: string;
  /** Path and query as they will be sent. */
  readonly target: string;
  /** The exact body bytes (empty for none). */
  readonly body?: Uint8Array;
  readonly algorithm?: RequestSignatureAlgorithm;
  /** Body digest algorithm (default sha256; sm3 with HMAC-SM3 by default). */
  readonly digestAlgorithm?: ContentDigestAlgorithm;
  readonly now?: Date;
  /** A fresh unique value; default 128 random bits. */
  readonly nonce?: string;
}

/**
 * The headers that sign a request (`X-App-Id`, `X-Timestamp`, `X-Nonce`, `X-Content-Digest`,
 * `X-Signature-Alg`, `X-Signature`).
 * @example const headers = signRequest({ appId, secret, method: 'POST', target: '/v1/seals', body });
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a target that is not a path
 */
export function signRequest(options: SignRequestOptions): Record<string, string> {
  const algorithm = options.algorithm ?? 'HMAC-SHA256';
  const contentDigest = formatContentDigest(
    options.body ?? new Uint8Array(0),
    options.digestAlgorithm ?? (algorithm === 'HMAC-SM3' ? 'sm3' : 'sha256'),
  );
  const timestamp = String((options.now ?? new Date()).getTime());
  const nonce = options.nonce ?? randomBytes(16).toString('hex');
  const canonical = canonicalRequest({
    method: options.method,
    target: options.target,
    contentDigest,
    timestamp,
    nonce,
    appId: options.appId,
    algorithm,
  });
  return {
    'X-App-Id': options.appId,
    'X-Timestamp': timestamp,
    'X-Nonce': nonce,
    'X-Content-Digest': contentDigest,
    'X-Signature-Alg': algorithm,
    'X-Signature': computeRequestSignature(options.secret, canonical, algorithm),
  };
}
