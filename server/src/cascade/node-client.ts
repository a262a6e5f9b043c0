/** Signed JSON calls from one cascade node to another, with a timeout and the cascade's failure codes (503 unreachable, 502 bad answer). @module */
import { CascadeError } from '@govtrust/core/errors';
import { signNodeRequest } from './node-auth.js';

/** Options of `callNode`. */
export interface NodeCallOptions {
  /** Base URL of the peer. */
  readonly url: string;
  /** The peer's id (named in errors). */
  readonly peer: string;
  /** This node's id and the pair's shared secret. */
  readonly nodeId: string;
  readonly secret: string;
  readonly path: string;
  readonly body: unknown;
  readonly timeoutMs: number;
  readonly now?: Date;
}

/**
 * POSTs `body` as JSON to the peer, signed with the node credential, and resolves to the JSON answer.
 * @throws {CascadeError} ERR_CASCADE_UNAVAILABLE (unreachable, timed out, or the peer says it is unavailable), ERR_CASCADE_UPSTREAM (an error answer or unreadable JSON)
 */
export async function callNode(options: NodeCallOptions): Promise<unknown> {
  const bytes = new TextEncoder().encode(JSON.stringify(options.body));
  const base = options.url.replace(/\/+$/, '');
  const headers = signNodeRequest({
    nodeId: options.nodeId,
    secret: options.secret,
    method: 'POST',
    target: new URL(`${base}${options.path}`).pathname,
    body: bytes,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  let res: Response;
  try {
    res = await fetch(`${base}${options.path}`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: bytes,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    throw new CascadeError(
      'ERR_CASCADE_UNAVAILABLE',
      timedOut
        ? `The cascade node ${options.peer} did not answer within ${options.timeoutMs} ms`
        : `The cascade node ${options.peer} cannot be reached`,
      { details: { node: options.peer, reason: timedOut ? 'timeout' : 'unreachable' }, cause: err },
    );
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new CascadeError(
      'ERR_CASCADE_UNAVAILABLE',
      `The cascade node ${options.peer} broke off its answer`,
      {
        details: { node: options.peer, reason: 'aborted' },
        cause: err,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    throw new CascadeError(
      'ERR_CASCADE_UPSTREAM',
      `The cascade node ${options.peer} answered HTTP ${res.status} without JSON`,
      {
        details: { node: options.peer, status: res.status },
      },
    );
  }
  if (res.ok) return json;
  const problem = (typeof json === 'object' && json !== null ? json : {}) as Record<
    string,
    unknown
  >;
  const code = typeof problem.code === 'string' ? problem.code.slice(0, 80) : undefined;
  const inner = problem.details as Record<string, unknown> | undefined;
  // A peer that is itself cut off from the next hop says so: the caller learns it is unavailable.
  const unavailable = code === 'ERR_CASCADE_UNAVAILABLE' || res.status === 503;
  throw new CascadeError(
    unavailable ? 'ERR_CASCADE_UNAVAILABLE' : 'ERR_CASCADE_UPSTREAM',
    `The cascade node ${options.peer} answered HTTP ${res.status}${code === undefined ? '' : ` ${code}`}`,
    {
      details: {
        node: options.peer,
        status: res.status,
        ...(code === undefined ? {} : { upstreamCode: code }),
        ...(typeof inner?.node === 'string' ? { upstreamNode: inner.node } : {}),
      },
    },
  );
}
