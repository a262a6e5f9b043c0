/**
 * The lowdb driver: the embedded, zero-setup store. State lives in memory; every commit is
 * appended to a write-ahead log (one checksummed JSON line per transaction, group-committed with
 * fdatasync) and the whole state is checkpointed into a lowdb JSON file (temporary file, fsync,
 * atomic rename) when the log grows. A crash at any point (kill -9) loses no acknowledged commit
 * and leaves no torn file; a torn last log line is an unacknowledged commit and is dropped.
 * @module
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import {
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  truncate,
  unlink,
  type FileHandle,
} from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { StoreCorruptError, StoreIoError, StoreLockedError } from '../../errors/index.js';
import { EngineStore, MemoryEngine, type EnginePersistence, type RedoOp } from '../engine.js';
import type { LogEntry, Store, StoreSchema } from '../types.js';

/** Options of `openLowdbStore`. */
export interface LowdbStoreOptions<S extends StoreSchema> {
  /** Data directory (created when missing). One process at a time (`ERR_STORE_LOCKED`). */
  readonly dir: string;
  readonly schema: S;
  /**
   * `fsync` (default): a commit resolves once its log line is on disk (concurrent commits share
   * one fdatasync). `os`: the OS flushes when it likes; commits survive a process crash, not a
   * power cut.
   */
  readonly durability?: 'fsync' | 'os';
  /** Checkpoint when the write-ahead log passes this many bytes (default 16 MiB). */
  readonly checkpointBytes?: number;
}

/** The lowdb JSON file: the state as of transaction `txn`; write-ahead logs from `generation` on follow it. */
interface SnapshotData {
  format: 'govtrust-store';
  version: 1;
  txn: number;
  generation: number;
  collections: Record<
    string,
    Record<string, { version: number; value: object; expiresAt?: number }>
  >;
  logs: Record<string, Omit<LogEntry, 'log'>[]>;
}

const SNAPSHOT = 'store.json';
const LOCK = 'LOCK';
const walName = (generation: number): string => `wal-${String(generation).padStart(8, '0')}.jsonl`;
const WAL_RE = /^wal-(\d{8})\.jsonl$/;

/** Data directories this process has open. */
const openDirs = new Set<string>();

/** A lowdb adapter that writes through a temporary file, fsync and an atomic rename (steno, lowdb's writer, does not fsync). */
class DurableJsonFile<T> implements Adapter<T> {
  private counter = 0;

  constructor(
    private readonly file: string,
    private readonly fsync: boolean,
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new StoreCorruptError(`${this.file} is not JSON`, this.file, { cause: err });
    }
  }

  write(data: T): Promise<void> {
    // Serialise now: the caller holds the store lock, so this is a consistent snapshot.
    const text = JSON.stringify(data);
    return this.writeText(text);
  }

  private async writeText(text: string): Promise<void> {
    const tmp = `${this.file}.${process.pid}.${++this.counter}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(text, 'utf8');
      if (this.fsync) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.file);
    if (this.fsync) await syncDir(dirname(this.file));
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Appends lines to write-ahead-log files in order, batching concurrent commits into one write and one fdatasync. */
class WalWriter {
  private readonly pending: {
    file: string;
    line: string;
    resolve: () => void;
    reject: (e: Error) => void;
  }[] = [];
  private flushing: Promise<void> | undefined;
  private readonly handles = new Map<string, FileHandle>();
  failure: Error | undefined;

  constructor(private readonly fsync: boolean) {}

  append(file: string, line: string): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<void>((res, rej) => {
      this.pending.push({ file, line, resolve: res, reject: rej });
      this.flushing ??= this.flush();
    });
  }

  /** Resolves when every line appended so far is written. */
  async drain(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
  }

  private async handle(file: string): Promise<FileHandle> {
    let fh = this.handles.get(file);
    if (fh === undefined) {
      fh = await open(file, 'a', 0o600);
      this.handles.set(file, fh);
      // A new log file's directory entry must be on disk too, or a power cut could lose the file.
      if (this.fsync) await syncDir(dirname(file));
    }
    return fh;
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const file = this.pending[0]!.file;
        let n = 0;
        while (n < this.pending.length && this.pending[n]!.file === file) n++;
        const batch = this.pending.splice(0, n);
        try {
          const fh = await this.handle(file);
          await fh.write(batch.map((b) => b.line).join(''));
          if (this.fsync) await fh.datasync();
          for (const b of batch) b.resolve();
        } catch (err) {
          this.failure = new StoreIoError(`Writing the write-ahead log ${file} failed`, {
            cause: err,
          });
          for (const b of [...batch, ...this.pending.splice(0)]) b.reject(this.failure);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** Closes the handle of a file no longer written to. */
  async release(file: string): Promise<void> {
    const fh = this.handles.get(file);
    this.handles.delete(file);
    await fh?.close();
  }

  async closeAll(): Promise<void> {
    await this.drain();
    for (const file of [...this.handles.keys()]) await this.release(file);
  }
}

function checksum(opsJson: string): string {
  return createHash('sha256').update(opsJson).digest('hex').slice(0, 32);
}

function acquireLock(dir: string): string {
  const path = join(dir, LOCK);
  if (openDirs.has(dir))
    throw new StoreLockedError(`${dir} is already open in this process`, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid }));
      closeSync(fd);
      openDirs.add(dir);
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let pid: number | undefined;
    try {
      pid = (JSON.parse(readFileSync(path, 'utf8')) as { pid?: number }).pid;
    } catch {
      pid = undefined;
    }
    if (pid !== undefined && pid !== process.pid && isAlive(pid)) {
      throw new StoreLockedError(`${dir} is in use by process ${pid}`, pid);
    }
    // The holder died without closing (kill -9, power cut): the lock is stale.
    unlinkSync(path);
  }
  throw new StoreLockedError(`Could not lock ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process whose parent has not reaped it yet (a zombie) still answers signal 0.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Persistence of one data directory. */
class LowdbPersistence implements EnginePersistence {
  txn: number;
  generation: number;
  private walBytes = 0;
  private checkpointing: Promise<void> | undefined;
  private readonly writer: WalWriter;

  constructor(
    private readonly dir: string,
    private readonly low: Low<SnapshotData>,
    private readonly engine: MemoryEngine,
    private readonly lockPath: string,
    private readonly checkpointBytes: number,
    fsync: boolean,
    state: { txn: number; generation: number },
  ) {
    this.txn = state.txn;
    this.generation = state.generation;
    this.writer = new WalWriter(fsync);
  }

  assertUsable(): void {
    if (this.writer.failure !== undefined) throw this.writer.failure;
  }

  commit(ops: readonly RedoOp[]): Promise<void> {
    const opsJson = JSON.stringify(ops);
    const line = `{"txn":${++this.txn},"sum":"${checksum(opsJson)}","ops":${opsJson}}\n`;
    this.walBytes += Buffer.byteLength(line);
    return this.writer.append(join(this.dir, walName(this.generation)), line);
  }

  afterCommit(): void {
    if (this.walBytes >= this.checkpointBytes && this.checkpointing === undefined) {
      this.checkpointing = this.checkpoint().finally(() => {
        this.checkpointing = undefined;
      });
      // A failed checkpoint loses nothing (the logs stay and are replayed); it is retried later.
      this.checkpointing.catch(() => undefined);
    }
  }

  /**
   * Starts a new write-ahead log and writes the state into the lowdb file. Must be called with
   * the store lock held: the rotation and the serialisation happen before the first await.
   */
  checkpoint(): Promise<void> {
    const oldWal = join(this.dir, walName(this.generation));
    this.generation++;
    this.walBytes = 0;
    this.low.data = snapshotOf(this.engine, this.txn, this.generation);
    const written = this.low.write();
    this.low.data = emptySnapshot();
    return (async () => {
      await written;
      // Lines still queued for the old log belong to commits the snapshot already holds.
      await this.writer.drain();
      await this.writer.release(oldWal);
      await unlink(oldWal).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      });
    })();
  }

  async close(): Promise<void> {
    if (this.checkpointing !== undefined) await this.checkpointing.catch(() => undefined);
    await this.writer.drain();
    try {
      if (this.writer.failure === undefined && this.walBytes > 0) await this.checkpoint();
    } finally {
      await this.writer.closeAll();
      try {
        unlinkSync(this.lockPath);
      } finally {
        openDirs.delete(this.dir);
      }
    }
  }
}

function emptySnapshot(): SnapshotData {
  return { format: 'govtrust-store', version: 1, txn: 0, generation: 0, collections: {}, logs: {} };
}

function snapshotOf(engine: MemoryEngine, txn: number, generation: number): SnapshotData {
  const snap = emptySnapshot();
  snap.txn = txn;
  snap.generation = generation;
  for (const [name, c] of engine.collections) {
    const records: SnapshotData['collections'][string] = {};
    for (const key of c.keys.items) {
      const r = c.records.get(key)!;
      records[key] =
        r.expiresAt === undefined
          ? { version: r.version, value: r.value }
          : { version: r.version, value: r.value, expiresAt: r.expiresAt };
    }
    snap.collections[name] = records;
  }
  for (const [name, l] of engine.logs) {
    snap.logs[name] = l.entries.map(({ seq, prevHash, hash, alg, entry }) => ({
      seq,
      prevHash,
      hash,
      alg,
      entry,
    }));
  }
  return snap;
}

function loadSnapshot(engine: MemoryEngine, snap: SnapshotData, file: string): void {
  // The file may come from anywhere: check what the type promises.
  const s: Partial<Record<keyof SnapshotData, unknown>> = snap;
  if (
    s.format !== 'govtrust-store' ||
    s.version !== 1 ||
    typeof s.txn !== 'number' ||
    typeof s.collections !== 'object' ||
    s.collections === null ||
    typeof s.logs !== 'object' ||
    s.logs === null
  ) {
    throw new StoreCorruptError(
      `${file} is not a GovTrust store file (format govtrust-store v1)`,
      file,
    );
  }
  for (const [name, records] of Object.entries(snap.collections)) {
    for (const [key, r] of Object.entries(records)) {
      engine.applyRedo(['put', name, key, r.version, r.value, r.expiresAt ?? null]);
    }
  }
  for (const [name, entries] of Object.entries(snap.logs)) {
    for (const e of entries) engine.applyRedo(['append', name, { ...e, log: name }]);
  }
}

/** Replays one write-ahead log; returns the last transaction number and whether a torn tail was cut. */
async function replayWal(
  engine: MemoryEngine,
  file: string,
  afterTxn: number,
  isLast: boolean,
): Promise<{ txn: number; replayed: number; torn: boolean }> {
  const text = await readFile(file, 'utf8');
  let txn = afterTxn;
  let replayed = 0;
  let offset = 0;
  while (offset < text.length) {
    const nl = text.indexOf('\n', offset);
    const line = nl < 0 ? text.slice(offset) : text.slice(offset, nl);
    let rec: { txn?: unknown; sum?: unknown; ops?: unknown } | undefined;
    try {
      rec = nl < 0 ? undefined : (JSON.parse(line) as typeof rec);
    } catch {
      rec = undefined;
    }
    const valid =
      rec !== undefined &&
      typeof rec.txn === 'number' &&
      Array.isArray(rec.ops) &&
      rec.sum === checksum(JSON.stringify(rec.ops));
    if (!valid) {
      const rest = text.slice(nl < 0 ? text.length : nl + 1);
      if (isLast && rest.trim() === '') {
        // A commit cut short by a crash: it was never acknowledged. Cut it off.
        await truncate(file, Buffer.byteLength(text.slice(0, offset)));
        return { txn, replayed, torn: true };
      }
      throw new StoreCorruptError(
        `${file}: damaged line at byte ${Buffer.byteLength(text.slice(0, offset))}`,
        file,
      );
    }
    const t = rec!.txn as number;
    if (t > txn) {
      if (t !== txn + 1)
        throw new StoreCorruptError(`${file}: transaction ${txn + 1} is missing`, file);
      for (const op of rec!.ops as RedoOp[]) engine.applyRedo(op);
      txn = t;
      replayed++;
    }
    offset = nl + 1;
  }
  return { txn, replayed, torn: false };
}

/**
 * Opens (or creates) a lowdb data directory: loads the JSON file, replays the write-ahead logs,
 * and checkpoints when it replayed anything.
 * @throws {StoreLockedError} ERR_STORE_LOCKED when another live process (or this one) has it open
 * @throws {StoreCorruptError} ERR_STORE_CORRUPT when the file or a log is damaged beyond a torn last line
 * @throws {StoreSchemaError} ERR_STORE_SCHEMA for an invalid collection, log or index name
 */
export async function openLowdbStore<S extends StoreSchema>(
  options: LowdbStoreOptions<S>,
): Promise<Store<S>> {
  const dir = resolve(options.dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const engine = new MemoryEngine(options.schema);
  const lockPath = acquireLock(dir);
  try {
    const fsync = (options.durability ?? 'fsync') === 'fsync';
    const file = join(dir, SNAPSHOT);
    const low = new Low<SnapshotData>(
      new DurableJsonFile<SnapshotData>(file, fsync),
      emptySnapshot(),
    );
    await low.read();
    const snap = low.data;
    low.data = emptySnapshot();
    try {
      loadSnapshot(engine, snap, file);
    } catch (err) {
      if (err instanceof StoreCorruptError) throw err;
      throw new StoreCorruptError(`${file} could not be loaded: ${(err as Error).message}`, file, {
        cause: err,
      });
    }
    const names = await readdir(dir);
    for (const n of names) {
      // Leftovers of a snapshot write interrupted by a crash.
      if (n.startsWith(`${SNAPSHOT}.`) && n.endsWith('.tmp')) await unlink(join(dir, n));
    }
    const wals = names
      .map((n) => WAL_RE.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ name: m[0], generation: Number(m[1]) }))
      .sort((a, b) => a.generation - b.generation);
    let txn = snap.txn;
    let replayed = 0;
    let torn = false;
    for (const [i, w] of wals.entries()) {
      const path = join(dir, w.name);
      if (w.generation < snap.generation) {
        await unlink(path);
        continue;
      }
      try {
        const r = await replayWal(engine, path, txn, i === wals.length - 1);
        txn = r.txn;
        replayed += r.replayed;
        torn ||= r.torn;
      } catch (err) {
        if (err instanceof StoreCorruptError) throw err;
        throw new StoreCorruptError(
          `${path} could not be replayed: ${(err as Error).message}`,
          path,
          { cause: err },
        );
      }
    }
    const lastGeneration =
      wals.length > 0
        ? Math.max(snap.generation, wals[wals.length - 1]!.generation)
        : snap.generation;
    const persistence = new LowdbPersistence(
      dir,
      low,
      engine,
      lockPath,
      options.checkpointBytes ?? 16 * 1024 * 1024,
      fsync,
      {
        txn,
        generation: lastGeneration,
      },
    );
    if (replayed > 0 || torn || wals.length > 1) {
      await persistence.checkpoint();
      for (const w of wals) {
        if (w.generation < persistence.generation)
          await unlink(join(dir, w.name)).catch(() => undefined);
      }
    }
    return new EngineStore('lowdb', options.schema, engine, persistence);
  } catch (err) {
    try {
      unlinkSync(lockPath);
    } finally {
      openDirs.delete(dir);
    }
    throw err;
  }
}
