/**
 * Hash chains of append-only logs (用印记录, 用证记录, audit events): entry hashing, the offline
 * verifier that detects changed, removed, inserted or reordered entries, and the NDJSON export format.
 * @module
 */
import { digest } from '../crypto/hash.js';
import { canonicalJsonBytes } from '../internal/canonical-json.js';
import { toHex } from '../internal/bytes.js';
import { StoreChainFormatError } from '../errors/index.js';
import type { LogEntry, LogHashAlgorithm, LogHead } from './types.js';

/** prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hash of a log entry: H(JCS({alg, entry, log, prevHash, seq})) in lower-case hex. */
export function hashLogEntry(fields: {
  readonly log: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly alg: LogHashAlgorithm;
  readonly entry: object;
}): string {
  const { log, seq, prevHash, alg, entry } = fields;
  return toHex(digest(alg, canonicalJsonBytes({ alg, entry, log, prevHash, seq })));
}

/** One problem the chain verifier found. */
export interface ChainIssue {
  /**
   * `ERR_STORE_CHAIN_HASH` (an entry's content changed), `ERR_STORE_CHAIN_GAP` (entries missing),
   * `ERR_STORE_CHAIN_ORDER` (entries reordered or duplicated), `ERR_STORE_CHAIN_LINK` (prevHash
   * does not match the previous entry: removed, inserted or swapped), `ERR_STORE_CHAIN_HEAD` (the
   * log does not end at the expected head: truncated or extended), `ERR_STORE_CHAIN_FORMAT`.
   */
  readonly code: string;
  readonly message: string;
  /** Sequence number of the entry at fault, when there is one. */
  readonly seq?: number;
  /** 0-based position of the entry in the input. */
  readonly position?: number;
}

/** Result of `verifyLogChain`. */
export interface ChainReport {
  readonly valid: boolean;
  readonly log: string | undefined;
  /** Entries read. */
  readonly count: number;
  /** The last entry, when there is one. */
  readonly head?: LogHead;
  readonly errors: readonly ChainIssue[];
}

/** Options of `verifyLogChain`. */
export interface ChainVerifyOptions {
  /**
   * A head recorded elsewhere (a signed checkpoint, a timestamp, a report): the chain must end
   * exactly there. Without it, removing the newest entries cannot be detected.
   */
  readonly expectedHead?: { readonly seq: number; readonly hash: string };
  /**
   * When the entries start after seq 1 (a partial export), the hash of the entry before the first
   * one; default: the first entry's own prevHash is trusted and only links after it are checked.
   */
  readonly anchorHash?: string;
  /** Stop after this many issues (default 100). */
  readonly maxIssues?: number;
}

/**
 * Verifies a hash chain offline: recomputes every entry's hash, checks that sequence numbers run
 * 1, 2, 3… without gaps or repeats and that each prevHash is the previous entry's hash. Never
 * throws for a broken chain; the report lists each problem with the sequence number at fault.
 */
export function verifyLogChain(
  entries: Iterable<LogEntry>,
  options: ChainVerifyOptions = {},
): ChainReport {
  const errors: ChainIssue[] = [];
  const max = options.maxIssues ?? 100;
  const add = (issue: ChainIssue): void => {
    if (errors.length < max) errors.push(issue);
  };
  let log: string | undefined;
  let previous: LogEntry | undefined;
  let count = 0;
  for (const e of entries) {
    const position = count++;
    if (log === undefined) log = e.log;
    else if (e.log !== log) {
      add({
        code: 'ERR_STORE_CHAIN_FORMAT',
        message: `Entry of log '${e.log}' inside log '${log}'`,
        seq: e.seq,
        position,
      });
    }
    const computed = hashLogEntry(e);
    if (computed !== e.hash) {
      add({
        code: 'ERR_STORE_CHAIN_HASH',
        message: `Entry ${e.seq} was changed: its content hashes to ${computed.slice(0, 16)}…, the entry says ${e.hash.slice(0, 16)}…`,
        seq: e.seq,
        position,
      });
    }
    if (previous === undefined) {
      if (e.seq === 1 && e.prevHash !== GENESIS_HASH) {
        add({
          code: 'ERR_STORE_CHAIN_LINK',
          message: 'Entry 1 does not start from the genesis hash',
          seq: 1,
          position,
        });
      }
      if (e.seq !== 1 && options.anchorHash !== undefined && e.prevHash !== options.anchorHash) {
        add({
          code: 'ERR_STORE_CHAIN_LINK',
          message: `Entry ${e.seq} does not follow the anchor hash`,
          seq: e.seq,
          position,
        });
      }
    } else {
      if (e.seq === previous.seq + 1) {
        if (e.prevHash !== previous.hash) {
          add({
            code: 'ERR_STORE_CHAIN_LINK',
            message: `Entry ${e.seq} does not link to entry ${previous.seq} (an entry was replaced, removed or inserted)`,
            seq: e.seq,
            position,
          });
        }
      } else if (e.seq > previous.seq + 1) {
        add({
          code: 'ERR_STORE_CHAIN_GAP',
          message: `Entries ${previous.seq + 1}-${e.seq - 1} are missing`,
          seq: previous.seq + 1,
          position,
        });
      } else {
        add({
          code: 'ERR_STORE_CHAIN_ORDER',
          message: `Entry ${e.seq} comes after entry ${previous.seq} (reordered or duplicated)`,
          seq: e.seq,
          position,
        });
      }
    }
    previous = e;
  }
  const head =
    previous === undefined
      ? undefined
      : { log: previous.log, seq: previous.seq, hash: previous.hash };
  const expected = options.expectedHead;
  if (
    expected !== undefined &&
    (head === undefined || head.seq !== expected.seq || head.hash !== expected.hash)
  ) {
    add({
      code: 'ERR_STORE_CHAIN_HEAD',
      message: `The log ends at ${head === undefined ? 'nothing' : `entry ${head.seq}`}, expected entry ${expected.seq} with hash ${expected.hash.slice(0, 16)}…`,
      ...(head === undefined ? {} : { seq: head.seq }),
    });
  }
  return {
    valid: errors.length === 0,
    log,
    count,
    ...(head === undefined ? {} : { head }),
    errors,
  };
}

/** First line of an exported log. */
export interface LogExportHeader {
  readonly format: 'govtrust-log';
  readonly version: 1;
  readonly log: string;
  readonly alg: LogHashAlgorithm;
}

/** An exported log as NDJSON: a header line, then one entry per line (what `govtrust audit verify` reads). */
export function formatLogExport(
  log: string,
  alg: LogHashAlgorithm,
  entries: Iterable<LogEntry>,
): string {
  const header: LogExportHeader = { format: 'govtrust-log', version: 1, log, alg };
  let out = `${JSON.stringify(header)}\n`;
  for (const e of entries) out += `${JSON.stringify(e)}\n`;
  return out;
}

/**
 * Parses an NDJSON log export.
 * @throws {StoreChainFormatError} ERR_STORE_CHAIN_FORMAT when the header or a line is not an export line
 */
export function parseLogExport(text: string): { header: LogExportHeader; entries: LogEntry[] } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new StoreChainFormatError('Empty log export', 0);
  let header: unknown;
  try {
    header = JSON.parse(lines[0]!);
  } catch (err) {
    throw new StoreChainFormatError('The first line is not JSON', 1, { cause: err });
  }
  const h = header as Partial<LogExportHeader>;
  if (
    h.format !== 'govtrust-log' ||
    h.version !== 1 ||
    typeof h.log !== 'string' ||
    (h.alg !== 'sha256' && h.alg !== 'sm3')
  ) {
    throw new StoreChainFormatError('The first line is not a govtrust-log v1 header', 1);
  }
  const entries: LogEntry[] = [];
  for (let i = 1; i < lines.length; i++) {
    let v: unknown;
    try {
      v = JSON.parse(lines[i]!);
    } catch (err) {
      throw new StoreChainFormatError(`Line ${i + 1} is not JSON`, i + 1, { cause: err });
    }
    const e = v as Partial<Record<keyof LogEntry, unknown>>;
    if (
      typeof e.log !== 'string' ||
      typeof e.seq !== 'number' ||
      !Number.isSafeInteger(e.seq) ||
      typeof e.prevHash !== 'string' ||
      typeof e.hash !== 'string' ||
      (e.alg !== 'sha256' && e.alg !== 'sm3') ||
      typeof e.entry !== 'object' ||
      e.entry === null
    ) {
      throw new StoreChainFormatError(`Line ${i + 1} is not a log entry`, i + 1);
    }
    entries.push(v as LogEntry);
  }
  return { header: h as LogExportHeader, entries };
}
