/** Per-app token-bucket rate limits (429 with Retry-After), held in process memory. @module */
import { ServiceError } from '@govtrust/core/errors';

/** Options of `createRateLimiter`. */
export interface RateLimitOptions {
  /** Sustained requests per second per key. */
  readonly ratePerSecond: number;
  /** Bucket size: requests allowed in a burst. */
  readonly burst: number;
  readonly now: () => number;
  /** Buckets kept at most (oldest dropped first), so unknown keys cannot grow memory. */
  readonly maxKeys?: number;
}

/** A rate limiter keyed by app id (or client address). */
export interface RateLimiter {
  /**
   * Takes one token for `key`.
   * @throws {ServiceError} ERR_HTTP_RATE_LIMITED with `details.retryAfter` (seconds) when the bucket is empty
   */
  take(key: string): void;
}

/** A token bucket per key: `burst` tokens, refilled at `ratePerSecond`. */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const maxKeys = options.maxKeys ?? 10_000;
  return {
    take(key) {
      const now = options.now();
      let b = buckets.get(key);
      if (b === undefined) {
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
        b = { tokens: options.burst, at: now };
      } else buckets.delete(key);
      b.tokens = Math.min(options.burst, b.tokens + ((now - b.at) / 1000) * options.ratePerSecond);
      b.at = now;
      // Re-insert so that Map order is least-recently-used first.
      buckets.set(key, b);
      if (b.tokens < 1) {
        const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / options.ratePerSecond));
        throw new ServiceError('ERR_HTTP_RATE_LIMITED', undefined, { details: { retryAfter } });
      }
      b.tokens -= 1;
    },
  };
}
