/**
 * Authentication of signed requests: app id, timestamp within the skew limit, HMAC over the
 * canonical request (the SDK's own function), then the nonce, so that forged requests cannot burn
 * nonces. The body digest is compared once the body is read (route pipeline).
 * @module
 */
import type { Request } from 'express';
import {
  canonicalRequest,
  computeRequestSignature,
  isRequestSignatureAlgorithm,
  parseContentDigest,
  signatureHeaders,
  signaturesEqual,
} from '@govtrust/core/client';
import { ServiceError } from '@govtrust/core/errors';
import type { HeaderAuthentication, Role } from '../http/route.js';

/** An app as the authenticator needs it. */
export interface AppCredentials {
  readonly appId: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly active: boolean;
  /** The active secrets (at most two during a rotation), decrypted on demand. */
  readonly secrets: readonly { readonly id: string; readonly reveal: () => string }[];
}

/** Options of `createAuthenticator`. */
export interface AuthenticatorOptions {
  readonly findApp: (appId: string) => Promise<AppCredentials | undefined>;
  /** Remembers a nonce for an app; throws ERR_AUTH_NONCE_REPLAYED when it was seen. */
  readonly registerNonce: (appId: string, nonce: string, now: Date) => Promise<void>;
  readonly now: () => Date;
  /** Largest accepted |now - X-Timestamp| in milliseconds. */
  readonly clockSkewMs: number;
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Builds the request authenticator. */
export function createAuthenticator(
  options: AuthenticatorOptions,
): (req: Request) => Promise<HeaderAuthentication> {
  return async (req) => {
    const appId = header(req, signatureHeaders.appId);
    const timestamp = header(req, signatureHeaders.timestamp);
    const nonce = header(req, signatureHeaders.nonce);
    const digest = header(req, signatureHeaders.contentDigest);
    const signature = header(req, signatureHeaders.signature);
    const algorithm = header(req, signatureHeaders.algorithm) ?? 'HMAC-SHA256';
    if (
      appId === undefined ||
      timestamp === undefined ||
      nonce === undefined ||
      digest === undefined ||
      signature === undefined
    )
      throw new ServiceError('ERR_AUTH_MISSING');
    if (!isRequestSignatureAlgorithm(algorithm))
      throw new ServiceError(
        'ERR_AUTH_SIGNATURE',
        'X-Signature-Alg must be HMAC-SHA256 or HMAC-SM3',
      );
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(appId)) throw new ServiceError('ERR_AUTH_UNKNOWN_APP');
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce))
      throw new ServiceError(
        'ERR_AUTH_MISSING',
        'X-Nonce must be 16-64 characters of A-Z a-z 0-9 _ -',
      );
    let contentDigest: { algorithm: 'sha256' | 'sm3'; digest: Uint8Array };
    try {
      contentDigest = parseContentDigest(digest);
    } catch {
      throw new ServiceError(
        'ERR_AUTH_MISSING',
        'X-Content-Digest must be sha256=<base64> or sm3=<base64>',
      );
    }
    const app = await options.findApp(appId);
    if (app === undefined) throw new ServiceError('ERR_AUTH_UNKNOWN_APP');
    const now = options.now();
    const ts = /^\d{1,16}$/.test(timestamp) ? Number(timestamp) : NaN;
    if (!Number.isFinite(ts) || Math.abs(now.getTime() - ts) > options.clockSkewMs)
      throw new ServiceError('ERR_AUTH_TIMESTAMP', undefined, {
        details: { serverTime: now.toISOString(), maxSkewMs: options.clockSkewMs },
      });
    const canonical = canonicalRequest({
      method: req.method,
      target: req.originalUrl,
      contentDigest: digest,
      timestamp,
      nonce,
      appId,
      algorithm,
    });
    // Try every active secret (two during a rotation); stop at the first that verifies.
    const matched = app.secrets.find((s) =>
      signaturesEqual(signature, computeRequestSignature(s.reveal(), canonical, algorithm)),
    );
    if (matched === undefined) throw new ServiceError('ERR_AUTH_SIGNATURE');
    // A disabled app learns it only with a valid signature, so the state is not disclosed to guessers.
    if (!app.active) throw new ServiceError('ERR_AUTH_APP_DISABLED');
    await options.registerNonce(appId, nonce, now);
    return {
      app: { appId: app.appId, name: app.name, roles: app.roles, secretId: matched.id },
      contentDigest: {
        algorithm: contentDigest.algorithm,
        base64: Buffer.from(contentDigest.digest).toString('base64'),
      },
    };
  };
}
