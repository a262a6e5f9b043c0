/**
 * Seal grants (印章授权: seal x app, time window, optional use count) and the authorisation of one
 * seal use: grant, then seal state, then the atomic use-count reservation, all in one transaction.
 * @module
 */
import { v4 as uuidv4 } from 'uuid';
import { InvalidInputError, ServiceError, type ServiceErrorCode } from '@govtrust/core/errors';
import { indexKey } from '@govtrust/core/store';
import type { GrantView } from '@govtrust/core/client';
import type { GrantRecord, SealRecord, ServerTx } from '../storage/schema.js';
import { audit, type DomainContext } from './context.js';
import { sealStatusRefusal } from './seals.js';

/** The API view of a grant. */
export function grantView(g: GrantRecord): GrantView {
  return g;
}

/** The outcome of an authorisation: the seal and grant to use, or the refusal code. */
export type SealUseDecision =
  | { readonly ok: true; readonly seal: SealRecord; readonly grant: GrantRecord }
  | {
      readonly ok: false;
      readonly code: ServiceErrorCode;
      readonly seal?: SealRecord;
      readonly grantId?: string;
    };

/** Most specific refusal first when no grant is usable. */
const refusalOrder: readonly ServiceErrorCode[] = [
  'ERR_GRANT_EXHAUSTED',
  'ERR_GRANT_NOT_YET_VALID',
  'ERR_GRANT_EXPIRED',
  'ERR_GRANT_REVOKED',
];

/**
 * Decides whether `appId` may use `sealId` at `now` and, when it may and `reserve` is set,
 * takes one use of the grant. Runs inside the caller's transaction so the check and the count
 * change together (no lost update, no over-use under concurrency).
 */
export async function decideSealUse(
  tx: ServerTx,
  options: {
    readonly sealId: string;
    readonly appId: string;
    readonly now: Date;
    readonly reserve: boolean;
  },
): Promise<SealUseDecision> {
  const seal = (await tx.get('seals', options.sealId))?.value;
  if (seal === undefined) return { ok: false, code: 'ERR_SEAL_NOT_FOUND' };
  const page = await tx.query('grants', {
    index: 'seal_app',
    equals: indexKey(options.sealId, options.appId),
    limit: 1000,
  });
  if (page.items.length === 0) return { ok: false, code: 'ERR_GRANT_NONE', seal };
  const t = options.now.getTime();
  const refusals = new Set<ServiceErrorCode>();
  let usable: { value: GrantRecord; version: number; key: string } | undefined;
  for (const g of page.items) {
    const v = g.value;
    if (v.status === 'revoked') refusals.add('ERR_GRANT_REVOKED');
    else if (t < Date.parse(v.notBefore)) refusals.add('ERR_GRANT_NOT_YET_VALID');
    else if (t >= Date.parse(v.notAfter)) refusals.add('ERR_GRANT_EXPIRED');
    else if (v.maxUses !== null && v.usedCount >= v.maxUses) refusals.add('ERR_GRANT_EXHAUSTED');
    else if (usable === undefined) usable = g;
  }
  if (usable === undefined)
    return {
      ok: false,
      code: refusalOrder.find((c) => refusals.has(c)) ?? 'ERR_GRANT_NONE',
      seal,
      grantId: page.items[0]!.value.id,
    };
  const stateRefusal = sealStatusRefusal(seal.status);
  if (stateRefusal !== undefined)
    return { ok: false, code: stateRefusal, seal, grantId: usable.value.id };
  if (t < Date.parse(seal.validFrom) || t > Date.parse(seal.validTo))
    return { ok: false, code: 'ERR_SEAL_EXPIRED', seal, grantId: usable.value.id };
  let grant = usable.value;
  if (options.reserve) {
    grant = { ...grant, usedCount: grant.usedCount + 1 };
    await tx.put('grants', usable.key, grant, { ifVersion: usable.version });
  }
  return { ok: true, seal, grant };
}

/** Gives back a reserved use (the sealing failed after authorisation). */
export async function releaseSealUse(tx: ServerTx, grantId: string): Promise<void> {
  const g = await tx.get('grants', grantId);
  if (g === undefined || g.value.usedCount === 0) return;
  await tx.put(
    'grants',
    grantId,
    { ...g.value, usedCount: g.value.usedCount - 1 },
    { ifVersion: g.version },
  );
}

/** The grant service (admin). */
export interface GrantService {
  create(
    sealId: string,
    input: { appId: string; notBefore?: string; notAfter?: string; maxUses?: number },
    actor: string,
    requestId: string,
  ): Promise<GrantRecord>;
  listForSeal(sealId: string): Promise<readonly GrantRecord[]>;
  listForApp(appId: string): Promise<readonly GrantRecord[]>;
  revoke(
    grantId: string,
    reason: string | undefined,
    actor: string,
    requestId: string,
  ): Promise<GrantRecord>;
}

/** Creates the grant service. */
export function createGrantService(ctx: DomainContext): GrantService {
  return {
    async create(sealId, input, actor, requestId) {
      const now = ctx.now();
      const notBefore = input.notBefore === undefined ? now : new Date(input.notBefore);
      const notAfter =
        input.notAfter === undefined
          ? new Date(now.getTime() + 365 * 86_400_000)
          : new Date(input.notAfter);
      if (
        Number.isNaN(notBefore.getTime()) ||
        Number.isNaN(notAfter.getTime()) ||
        notAfter <= notBefore
      )
        throw new InvalidInputError('notAfter must be a time after notBefore', {
          field: 'notAfter',
        });
      const grant: GrantRecord = {
        id: `grt_${uuidv4().replace(/-/g, '').slice(0, 20)}`,
        sealId,
        appId: input.appId,
        notBefore: notBefore.toISOString(),
        notAfter: notAfter.toISOString(),
        maxUses: input.maxUses ?? null,
        usedCount: 0,
        status: 'active',
        createdAt: now.toISOString(),
        createdBy: actor,
      };
      await ctx.store.transaction(async (tx) => {
        if ((await tx.get('seals', sealId)) === undefined)
          throw new ServiceError('ERR_SEAL_NOT_FOUND', `No seal ${sealId}`);
        if ((await tx.get('apps', input.appId)) === undefined)
          throw new ServiceError('ERR_APP_NOT_FOUND', `No app ${input.appId}`);
        await tx.insert('grants', grant.id, grant);
        await audit(tx, ctx, {
          requestId,
          actor,
          action: 'grant.created',
          target: `grant:${grant.id}`,
          details: {
            sealId,
            appId: input.appId,
            notBefore: grant.notBefore,
            notAfter: grant.notAfter,
            maxUses: grant.maxUses,
          },
        });
      });
      return grant;
    },
    async listForSeal(sealId) {
      if ((await ctx.store.get('seals', sealId)) === undefined)
        throw new ServiceError('ERR_SEAL_NOT_FOUND', `No seal ${sealId}`);
      const page = await ctx.store.query('grants', {
        index: 'seal_app',
        prefix: indexKey(sealId, ''),
        limit: 1000,
      });
      return page.items.map((x) => x.value);
    },
    async listForApp(appId) {
      const page = await ctx.store.query('grants', { index: 'app', equals: appId, limit: 1000 });
      return page.items.map((x) => x.value);
    },
    async revoke(grantId, reason, actor, requestId) {
      return ctx.store.transaction(async (tx) => {
        const g = await tx.get('grants', grantId);
        if (g === undefined) throw new ServiceError('ERR_GRANT_NOT_FOUND', `No grant ${grantId}`);
        if (g.value.status === 'revoked') return g.value;
        const next: GrantRecord = {
          ...g.value,
          status: 'revoked',
          revokedAt: ctx.now().toISOString(),
          ...(reason === undefined ? {} : { reason }),
        };
        await tx.put('grants', grantId, next, { ifVersion: g.version });
        await audit(tx, ctx, {
          requestId,
          actor,
          action: 'grant.revoked',
          target: `grant:${grantId}`,
          details: {
            sealId: next.sealId,
            appId: next.appId,
            ...(reason === undefined ? {} : { reason }),
          },
        });
        return next;
      });
    },
  };
}
