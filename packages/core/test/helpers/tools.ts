/** Test helpers: temporary directories and third-party command-line tools (openssl, qpdf, pdfsig, softhsm2-util). */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory, removed by the returned `cleanup`. */
export function tempDir(prefix = 'govtrust-test-'): {
  dir: string;
  path(name: string): string;
  write(name: string, data: Uint8Array | string): string;
  read(name: string): Uint8Array;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    path: (name) => join(dir, name),
    write(name, data) {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    read: (name) => new Uint8Array(readFileSync(join(dir, name))),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs a tool and returns stdout; throws with stderr on a non-zero exit. */
export function run(
  cmd: string,
  args: readonly string[],
  options: { input?: Uint8Array | string; env?: NodeJS.ProcessEnv } = {},
): string {
  return execFileSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }),
  });
}

/** Runs a tool and reports its exit status and output without throwing. */
export function tryRun(
  cmd: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }),
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs openssl; returns stdout. */
export function openssl(
  args: readonly string[],
  options: { input?: Uint8Array | string } = {},
): string {
  return run('openssl', args, options);
}

const toolCache = new Map<string, boolean>();

/**
 * True when the command-line tool is installed. Interop tests that need a third-party tool run only
 * when it is there (the reason is printed); CI sets GOVTRUST_REQUIRE_TOOLS=1, which turns a missing
 * tool into a failure so nothing is skipped there.
 */
export function hasTool(name: string): boolean {
  let ok = toolCache.get(name);
  if (ok === undefined) {
    ok = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
    toolCache.set(name, ok);
    if (!ok) {
      if (process.env.GOVTRUST_REQUIRE_TOOLS === '1') {
        throw new Error(`${name} is required (GOVTRUST_REQUIRE_TOOLS=1) but not installed`);
      }
      console.warn(
        `[govtrust tests] ${name} is not installed: tests that need it are skipped (see README, "Tests")`,
      );
    }
  }
  return ok;
}
