/**
 * Node-to-node authentication of the cascade: the GovTrust HMAC request signature (the same
 * canonical request as app credentials) under a per-node shared secret, sent with `X-Node-Id`
 * instead of `X-App-Id` and signed over `node:<id>`, so that a node signature can never pass for an
 * app's and the reverse. Timestamp window and nonces as for apps; an unknown node is refused.
 * @module
 */
import { createHash } from 'node:crypto';
import {
  canonicalRequest,
  computeRequestSignature,
  formatContentDigest,
  signRequest,
  signaturesEqual,
} from '@govtrust/core/client';
import { CascadeError } from '@govtrust/core/errors';

/** The header naming the calling node. */
export const NODE_ID_HEADER = 'x-node-id';

/** The signed identity of a node (domain separation from app ids). */
const signedId = (nodeId: string): string => `node:${nodeId}`;

/** A peer node this node knows: its id and the shared secret of the pair. */
export interface NodeCredential {
  readonly id: string;
  readonly secret: string;
}

/** The headers that sign a node request from `nodeId` with `secret`. */
export function signNodeRequest(options: {
  readonly nodeId: string;
  readonly secret: string;
  readonly method: string;
  readonly target: string;
  readonly body: Uint8Array;
  readonly now?: Date;
}): Record<string, string> {
  const h = signRequest({
    appId: signedId(options.nodeId),
    secret: options.secret,
    method: options.method,
    target: options.target,
    body: options.body,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const { 'X-App-Id': _dropped, ...rest } = h;
  return { ...rest, 'X-Node-Id': options.nodeId };
}

/** What the verifier needs. */
export interface NodeAuthenticatorOptions {
  /** The credential of a peer node, or undefined for an unknown node. */
  readonly findNode: (id: string) => NodeCredential | undefined;
  /** Remembers a nonce; throws when seen (any error is reported as a replay). */
  readonly registerNonce: (scope: string, nonce: string, now: Date) => Promise<void>;
  readonly now: () => Date;
  readonly clockSkewMs: number;
}

/** A request as the verifier sees it. */
export interface NodeRequest {
  readonly method: string;
  /** Path and query as received. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
}

const header = (r: NodeRequest, name: string): string | undefined => {
  const v = r.headers[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
};

/** The claimed node id of a request (for refusal records; not authenticated). */
export function claimedNodeId(headers: NodeRequest['headers']): string | undefined {
  const v = headers[NODE_ID_HEADER];
  return typeof v === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(v) ? v : undefined;
}

/**
 * Builds the node request verifier: resolves to the authenticated node id.
 * @throws {CascadeError} ERR_CASCADE_NODE_AUTH (missing or bad headers, signature, timestamp, body digest), ERR_CASCADE_NODE_UNKNOWN, ERR_CASCADE_NODE_REPLAYED
 */
export function createNodeAuthenticator(
  options: NodeAuthenticatorOptions,
): (req: NodeRequest) => Promise<string> {
  return async (req) => {
    const nodeId = header(req, NODE_ID_HEADER);
    const timestamp = header(req, 'x-timestamp');
    const nonce = header(req, 'x-nonce');
    const digest = header(req, 'x-content-digest');
    const signature = header(req, 'x-signature');
    const algorithm = header(req, 'x-signature-alg') ?? 'HMAC-SHA256';
    if (
      nodeId === undefined ||
      timestamp === undefined ||
      nonce === undefined ||
      digest === undefined ||
      signature === undefined
    )
      throw new CascadeError('ERR_CASCADE_NODE_AUTH');
    if (algorithm !== 'HMAC-SHA256' && algorithm !== 'HMAC-SM3')
      throw new CascadeError(
        'ERR_CASCADE_NODE_AUTH',
        'X-Signature-Alg must be HMAC-SHA256 or HMAC-SM3',
      );
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(nodeId) || !/^[A-Za-z0-9_-]{16,64}$/.test(nonce))
      throw new CascadeError('ERR_CASCADE_NODE_AUTH');
    const node = options.findNode(nodeId);
    if (node === undefined)
      throw new CascadeError('ERR_CASCADE_NODE_UNKNOWN', undefined, { details: { node: nodeId } });
    const now = options.now();
    const ts = /^\d{1,16}$/.test(timestamp) ? Number(timestamp) : NaN;
    if (!Number.isFinite(ts) || Math.abs(now.getTime() - ts) > options.clockSkewMs)
      throw new CascadeError(
        'ERR_CASCADE_NODE_AUTH',
        'The node request timestamp is outside the allowed clock skew',
        {
          details: { serverTime: now.toISOString(), maxSkewMs: options.clockSkewMs },
        },
      );
    let canonical: string;
    try {
      canonical = canonicalRequest({
        method: req.method,
        target: req.target,
        contentDigest: digest,
        timestamp,
        nonce,
        appId: signedId(nodeId),
        algorithm,
      });
    } catch {
      throw new CascadeError('ERR_CASCADE_NODE_AUTH');
    }
    if (!signaturesEqual(signature, computeRequestSignature(node.secret, canonical, algorithm)))
      throw new CascadeError('ERR_CASCADE_NODE_AUTH', 'The node request signature does not verify');
    const alg = digest.startsWith('sm3=') ? 'sm3' : 'sha256';
    if (formatContentDigest(req.body, alg) !== digest)
      throw new CascadeError(
        'ERR_CASCADE_NODE_AUTH',
        'The node request body does not match its signed digest',
      );
    try {
      await options.registerNonce(signedId(nodeId), nonce, now);
    } catch (err) {
      throw new CascadeError('ERR_CASCADE_NODE_REPLAYED', undefined, { cause: err });
    }
    return nodeId;
  };
}

/** A short, non-reversible fingerprint of a secret (for logs and the config check). */
export function secretFingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}
