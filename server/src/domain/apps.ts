/** Application credentials (app id + secret, two active secrets for rotation, roles) and replay-proof nonces. @module */
import { randomBytes } from 'node:crypto';
import { v4 as uuidv4 } from 'uuid';
import { InvalidInputError, ServiceError, isGovTrustError } from '@govtrust/core/errors';
import { registerNonce } from '@govtrust/core/store';
import type { AppCredentials } from '../auth/authenticate.js';
import type { Role } from '../http/route.js';
import type { AppRecord } from '../storage/schema.js';
import { audit, type DomainContext } from './context.js';

/** At most this many secrets are active at once (old and new during a rotation). */
export const MAX_ACTIVE_SECRETS = 2;

/** A freshly made credential: the secret is shown once and stored only sealed. */
export interface NewCredential {
  readonly appId: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly secretId: string;
  readonly secret: string;
}

function newSecret(): { id: string; secret: string } {
  return {
    id: `sec_${randomBytes(6).toString('hex')}`,
    secret: `gts_${randomBytes(32).toString('base64url')}`,
  };
}

const secretContext = (appId: string, secretId: string): string =>
  `app:${appId}:secret:${secretId}`;

/** The app service. */
export interface AppService {
  create(options: {
    name: string;
    roles: readonly Role[];
    appId?: string;
    actor: string;
    requestId: string | null;
  }): Promise<NewCredential>;
  /** Adds a secret; when two are active the older is retired first. */
  rotateSecret(appId: string, actor: string, requestId: string): Promise<NewCredential>;
  revokeSecret(appId: string, secretId: string, actor: string, requestId: string): Promise<void>;
  setEnabled(appId: string, enabled: boolean, actor: string, requestId: string): Promise<AppRecord>;
  get(appId: string): Promise<AppRecord | undefined>;
  /** Credentials for the authenticator (secrets revealed lazily). */
  credentials(appId: string): Promise<AppCredentials | undefined>;
  /**
   * Remembers a nonce for the skew window.
   * @throws {ServiceError} ERR_AUTH_NONCE_REPLAYED
   */
  registerNonce(appId: string, nonce: string, now: Date, ttlMs: number): Promise<void>;
}

/** Creates the app service. */
export function createAppService(ctx: DomainContext): AppService {
  const view = (r: AppRecord, s: { id: string; secret: string }): NewCredential => ({
    appId: r.appId,
    name: r.name,
    roles: r.roles,
    secretId: s.id,
    secret: s.secret,
  });
  return {
    async create(o) {
      const appId = o.appId ?? `app_${uuidv4().replace(/-/g, '').slice(0, 20)}`;
      const s = newSecret();
      const now = ctx.now().toISOString();
      const record: AppRecord = {
        appId,
        name: o.name,
        roles: [...new Set(o.roles)],
        status: 'active',
        secrets: [
          {
            id: s.id,
            sealed: ctx.secrets.seal(
              new TextEncoder().encode(s.secret),
              secretContext(appId, s.id),
            ),
            createdAt: now,
          },
        ],
        createdAt: now,
        updatedAt: now,
      };
      await ctx.store.transaction(async (tx) => {
        await tx.insert('apps', appId, record);
        await audit(tx, ctx, {
          requestId: o.requestId,
          actor: o.actor,
          action: 'app.created',
          target: `app:${appId}`,
          details: { name: o.name, roles: record.roles.join(','), secretId: s.id },
        });
      });
      return view(record, s);
    },
    async rotateSecret(appId, actor, requestId) {
      const s = newSecret();
      const now = ctx.now().toISOString();
      const updated = await ctx.store.transaction(async (tx) => {
        const current = await tx.get('apps', appId);
        if (current === undefined) throw new ServiceError('ERR_APP_NOT_FOUND');
        const kept = current.value.secrets.slice(-(MAX_ACTIVE_SECRETS - 1));
        const retired = current.value.secrets.slice(0, current.value.secrets.length - kept.length);
        const next: AppRecord = {
          ...current.value,
          secrets: [
            ...kept,
            {
              id: s.id,
              sealed: ctx.secrets.seal(
                new TextEncoder().encode(s.secret),
                secretContext(appId, s.id),
              ),
              createdAt: now,
            },
          ],
          updatedAt: now,
        };
        await tx.put('apps', appId, next, { ifVersion: current.version });
        await audit(tx, ctx, {
          requestId,
          actor,
          action: 'app.secret-rotated',
          target: `app:${appId}`,
          details: { secretId: s.id, retired: retired.map((x) => x.id).join(',') },
        });
        return next;
      });
      return view(updated, s);
    },
    async revokeSecret(appId, secretId, actor, requestId) {
      await ctx.store.transaction(async (tx) => {
        const current = await tx.get('apps', appId);
        if (current === undefined) throw new ServiceError('ERR_APP_NOT_FOUND');
        if (!current.value.secrets.some((x) => x.id === secretId))
          throw new InvalidInputError(`No secret ${secretId}`, { field: 'secretId' });
        await tx.put(
          'apps',
          appId,
          {
            ...current.value,
            secrets: current.value.secrets.filter((x) => x.id !== secretId),
            updatedAt: ctx.now().toISOString(),
          },
          { ifVersion: current.version },
        );
        await audit(tx, ctx, {
          requestId,
          actor,
          action: 'app.secret-revoked',
          target: `app:${appId}`,
          details: { secretId },
        });
      });
    },
    async setEnabled(appId, enabled, actor, requestId) {
      return ctx.store.transaction(async (tx) => {
        const current = await tx.get('apps', appId);
        if (current === undefined) throw new ServiceError('ERR_APP_NOT_FOUND');
        const next: AppRecord = {
          ...current.value,
          status: enabled ? 'active' : 'disabled',
          updatedAt: ctx.now().toISOString(),
        };
        await tx.put('apps', appId, next, { ifVersion: current.version });
        await audit(tx, ctx, {
          requestId,
          actor,
          action: enabled ? 'app.enabled' : 'app.disabled',
          target: `app:${appId}`,
        });
        return next;
      });
    },
    async get(appId) {
      return (await ctx.store.get('apps', appId))?.value;
    },
    async credentials(appId) {
      const r = (await ctx.store.get('apps', appId))?.value;
      if (r === undefined) return undefined;
      return {
        appId: r.appId,
        name: r.name,
        roles: r.roles,
        active: r.status === 'active',
        secrets: r.secrets.map((s) => ({
          id: s.id,
          reveal: () =>
            new TextDecoder().decode(ctx.secrets.open(s.sealed, secretContext(r.appId, s.id))),
        })),
      };
    },
    async registerNonce(appId, nonce, now, ttlMs) {
      try {
        // Deferred: the WAL writes it at once, and the request's own durable commit (if any)
        // flushes it; a crash can lose only the nonce of a request that changed nothing.
        await registerNonce(ctx.store, { scope: appId, nonce, now, ttlMs, durability: 'deferred' });
      } catch (err) {
        if (isGovTrustError(err, 'ERR_STORE_NONCE_REPLAYED'))
          throw new ServiceError('ERR_AUTH_NONCE_REPLAYED', undefined, { cause: err });
        throw err;
      }
    },
  };
}
