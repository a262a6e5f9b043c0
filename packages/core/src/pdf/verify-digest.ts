/**
 * Streaming digests over PDF byte ranges (ISO 32000-1 §12.8.1 /ByteRange): every range is hashed
 * straight from the file buffer, and jobs of one algorithm that start at byte 0 share one pass over
 * their common prefix (the hash state is copied at each job's first break), so the file's own
 * SHA-256 and a signature's SHA-256 cost about one pass, not two.
 * @module
 */
import { createHasher, type HashAlgorithm } from '../crypto/index.js';

/** One digest to compute: the bytes of `ranges` ([start, end) pairs, in order) under `algorithm`. */
export interface DigestJob {
  readonly algorithm: HashAlgorithm;
  readonly ranges: readonly (readonly [number, number])[];
  /** Set by `runDigestJobs`. */
  result?: Uint8Array;
}

/**
 * Computes every job's digest. Ranges must lie inside `bytes` (callers check them first).
 * @throws {AlgorithmNotSupportedError} ERR_ALG_NOT_SUPPORTED for an unknown hash name
 */
export function runDigestJobs(bytes: Uint8Array, jobs: readonly DigestJob[]): void {
  const groups = new Map<HashAlgorithm, DigestJob[]>();
  for (const job of jobs) {
    const g = groups.get(job.algorithm);
    if (g === undefined) groups.set(job.algorithm, [job]);
    else g.push(job);
  }
  for (const [algorithm, group] of groups) {
    const shared = group
      .filter((j) => j.ranges[0]?.[0] === 0)
      .sort((a, b) => a.ranges[0]![1] - b.ranges[0]![1]);
    const alone = group.filter((j) => j.ranges[0]?.[0] !== 0);
    if (shared.length > 0) {
      const running = createHasher(algorithm);
      let pos = 0;
      shared.forEach((job, i) => {
        const end = job.ranges[0]![1];
        if (end > pos) {
          running.update(bytes.subarray(pos, end));
          pos = end;
        }
        // The last job may take the running state itself; the others get a copy of it.
        const mine = i === shared.length - 1 ? running : running.copy();
        for (let k = 1; k < job.ranges.length; k++) {
          const [s, e] = job.ranges[k]!;
          mine.update(bytes.subarray(s, e));
        }
        job.result = new Uint8Array(mine.digest());
      });
    }
    for (const job of alone) {
      const h = createHasher(algorithm);
      for (const [s, e] of job.ranges) h.update(bytes.subarray(s, e));
      job.result = new Uint8Array(h.digest());
    }
  }
}
