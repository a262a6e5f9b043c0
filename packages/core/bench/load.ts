/**
 * A load generator in a process of its own (load-child.ts) for the HTTP benchmarks: the client
 * SDK's work runs beside the server, not on its event loop.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { LatencyRun } from './harness.js';

/** What the load process does, once per request. */
export type LoadOp =
  | { readonly kind: 'applySeal'; readonly sealId: string }
  | {
      readonly kind: 'request';
      readonly method: string;
      readonly target: string;
      /** The body (base64) and its type, for a POST or PUT. */
      readonly body?: { readonly base64: string; readonly contentType: string };
      /** Fields the JSON answer must have, with these values. */
      readonly expect: Readonly<Record<string, string | number | boolean>>;
    };

/** What the parent sends. */
export type LoadCommand =
  | {
      readonly kind: 'setup';
      readonly baseUrl: string;
      readonly appId: string;
      readonly secret: string;
    }
  | {
      readonly kind: 'run';
      readonly n: number;
      readonly concurrency: number;
      readonly record: boolean;
      readonly op: LoadOp;
    };

/** What the load process answers to a run. */
export interface LoadReply {
  readonly run: LatencyRun;
  /** Server-Timing phases and transport time (ms) of each recorded request. */
  readonly phases: Partial<Record<string, number[]>>;
}

/** A running load process. */
export interface LoadProcess {
  /** `n` operations, `concurrency` at a time; `record` collects the phases. */
  run(n: number, concurrency: number, op: LoadOp, record?: boolean): Promise<LoadReply>;
  close(): void;
}

/** Starts the load process, signed in as `appId`. */
export async function startLoadProcess(options: {
  readonly baseUrl: string;
  readonly appId: string;
  readonly secret: string;
}): Promise<LoadProcess> {
  // fork inherits this process's execArgv: the child runs under the same tsx loader.
  const child = fork(join(import.meta.dirname, 'load-child.ts'), [], { stdio: 'inherit' });
  const send = (cmd: LoadCommand): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => {
        reject(new Error(`load process exited (${String(code)})`));
      };
      child.once('exit', onExit);
      child.once('message', (m: { ok: boolean; reply?: unknown; error?: string }) => {
        child.off('exit', onExit);
        if (m.ok) resolve(m.reply);
        else reject(new Error(`load process: ${m.error ?? '?'}`));
      });
      child.send(cmd);
    });
  await send({ kind: 'setup', ...options });
  return {
    run: async (n, concurrency, op, record = false) =>
      (await send({ kind: 'run', n, concurrency, record, op })) as LoadReply,
    close: () => {
      child.disconnect();
    },
  };
}
