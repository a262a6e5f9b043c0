/** File helpers for commands: read inputs, write outputs without clobbering, keep private keys private. @module */
import { existsSync, readFileSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './io.js';

/** Reads a file as bytes. */
export function readInput(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** Reads a password file, dropping one trailing newline. */
export function readPasswordFile(path: string): string {
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}

/**
 * Writes `data` to `path` atomically (temporary file + rename), so a crash never leaves half a file.
 * Refuses to overwrite unless `force`; `secret` files are created with mode 0600.
 */
export function writeOutput(
  path: string,
  data: Uint8Array | string,
  options: { force?: boolean; secret?: boolean } = {},
): void {
  if (!options.force && existsSync(path))
    throw new UsageError(`${path} exists; pass --force to overwrite`);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: options.secret ? 0o600 : 0o644 });
  renameSync(tmp, path);
}
