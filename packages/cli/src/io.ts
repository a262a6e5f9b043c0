/** Output plumbing of the CLI: injectable streams, one-line error reports and exit codes. @module */
import { GovTrustError } from '@govtrust/core/errors';

/** Where the CLI writes; tests pass buffers. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The process's own streams. */
export const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** Exit codes, the same for every command (DESIGN.md section 7). */
export const ExitCode = {
  /** Success, or a verification verdict of valid. */
  ok: 0,
  /** A verdict against the input: invalid, indeterminate, a failed id check. */
  verdict: 1,
  /** Unusable input or a usage error. */
  unusable: 2,
} as const;

/** Thrown by commands for usage errors (exit code 2). */
export class UsageError extends Error {}

/** One line for stderr naming the code; never a stack trace or secret. */
export function formatError(err: unknown): string {
  if (err instanceof GovTrustError) return `error ${err.code}: ${err.message}\n`;
  if (err instanceof UsageError) return `error ERR_USAGE: ${err.message}\n`;
  const code = (err as { code?: unknown }).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'EEXIST') {
    return `error ERR_FILE: ${(err as Error).message}\n`;
  }
  return `error ERR_INTERNAL: ${err instanceof Error ? err.message : String(err)}\n`;
}
