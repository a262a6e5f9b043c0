/**
 * Seal applications (用印申请) with a server-side key: authorise and reserve a use, seal the PDF at
 * each position (PAdES B-B or B-T with the in-process TSA, GB/T 38540 seal bound as a signed
 * attribute), store the result, and chain one usage-log entry, with Idempotency-Key replay.
 * @module
 */
import { v4 as uuidv4 } from 'uuid';
import { digest } from '@govtrust/core/crypto';
import { ServiceError, isGovTrustError } from '@govtrust/core/errors';
import { sealPdf } from '@govtrust/core/pdf';
import { abandonIdempotent, beginIdempotent, completeIdempotent } from '@govtrust/core/store';
import type { SealApplicationView, SealPosition } from '@govtrust/core/client';
import type { AuthenticatedApp } from '../http/route.js';
import type { ApplicationRecord, SealRecord, UsageEntry } from '../storage/schema.js';
import type { DomainContext } from './context.js';
import { decideSealUse, releaseSealUse } from './grants.js';
import type { ServerTiming } from '../http/timing.js';
import { pictureOf, sealAttributeOf, toPlacement } from './sealing.js';
import type { SealService } from './seals.js';
import { appendUsage } from './usage.js';

/** One seal application as the route hands it over. */
export interface ApplyInput {
  readonly app: AuthenticatedApp;
  readonly requestId: string;
  readonly clientIp: string | undefined;
  readonly sealId: string;
  readonly positions: readonly SealPosition[];
  readonly level: 'B-B' | 'B-T';
  readonly bizId?: string;
  readonly reason?: string;
  readonly location?: string;
  readonly file: { readonly filename: string; read(): Promise<Uint8Array> };
  readonly idempotency?: { readonly key: string; readonly requestHash: string };
  /** Where the phases are timed (`authorise`, `seal`, `store`) for the Server-Timing header. */
  readonly timing?: ServerTiming;
}

/** What `apply` resolves to. */
export interface ApplyResult {
  readonly application: ApplicationRecord;
  /** True when an Idempotency-Key replay returned the first result. */
  readonly replayed: boolean;
}

const hex = (d: Uint8Array): string => Buffer.from(d).toString('hex');

/** The API view of an application. */
export function applicationView(a: ApplicationRecord): SealApplicationView {
  return {
    id: a.id,
    status: 'sealed',
    sealId: a.sealId,
    appId: a.appId,
    ...(a.bizId === undefined ? {} : { bizId: a.bizId }),
    level: a.level,
    positions: a.positions,
    document: a.document,
    usageSeq: a.usageSeq,
    createdAt: a.createdAt,
    resultUrl: `/v1/seal-applications/${a.id}/result`,
  };
}

/** The application service. */
export interface ApplicationService {
  /**
   * Applies a seal.
   * @throws {ServiceError} refusals (ERR_GRANT_*, ERR_SEAL_*), ERR_SEAL_KEY_UNAVAILABLE; PDF errors (ERR_PDF_*) for unusable documents
   */
  apply(input: ApplyInput): Promise<ApplyResult>;
  get(id: string, app: AuthenticatedApp): Promise<ApplicationRecord>;
  result(id: string, app: AuthenticatedApp): Promise<Uint8Array>;
  /** Records a refusal that happened before the domain (failed authentication, rate limit). */
  recordRefusal(
    entry: Omit<UsageEntry, 'time' | 'result'> & { readonly code: string },
  ): Promise<void>;
}

/** Creates the application service. */
export function createApplicationService(
  ctx: DomainContext,
  seals: SealService,
): ApplicationService {
  const usageBase = (
    input: ApplyInput,
  ): Pick<
    UsageEntry,
    'requestId' | 'appId' | 'authenticated' | 'action' | 'sealId' | 'level' | 'positions'
  > &
    Partial<UsageEntry> => ({
    requestId: input.requestId,
    appId: input.app.appId,
    authenticated: true,
    action: 'seal-application',
    sealId: input.sealId,
    level: input.level,
    positions: [...input.positions],
    ...(input.bizId === undefined ? {} : { bizId: input.bizId }),
    ...(input.clientIp === undefined ? {} : { clientIp: input.clientIp }),
  });

  const readApplication = async (id: string, app: AuthenticatedApp): Promise<ApplicationRecord> => {
    const r = (await ctx.store.get('applications', id))?.value;
    // Another app's application is reported as absent: ids are not capabilities to probe.
    if (r === undefined || (r.appId !== app.appId && !app.roles.includes('admin')))
      throw new ServiceError('ERR_APPLICATION_NOT_FOUND', `No seal application ${id}`);
    return r;
  };

  const seal = async (input: ApplyInput, s: SealRecord, pdf: Uint8Array): Promise<Uint8Array> => {
    const signer = await seals.signer(s);
    const now = ctx.now();
    const appearance = { image: pictureOf(s) };
    const attribute = sealAttributeOf(s);
    let out = pdf;
    // Each position is its own signature, applied as its own incremental update.
    for (const p of input.positions) {
      out = await sealPdf(out, {
        signer,
        level: input.level,
        ...(input.level === 'B-T' ? { tsa: ctx.pki.tsa.client() } : {}),
        appearance,
        placement: toPlacement(p, s),
        extraSignedAttributes: [attribute],
        now,
        ...(input.reason === undefined ? {} : { reason: input.reason }),
        ...(input.location === undefined ? {} : { location: input.location }),
        signerName: s.name,
      });
    }
    return out;
  };

  const service: ApplicationService = {
    async apply(input) {
      const idem = input.idempotency;
      const scope = `seal-applications:${input.app.appId}`;
      if (idem !== undefined) {
        const start = await beginIdempotent(ctx.store, {
          scope,
          key: idem.key,
          requestHash: idem.requestHash,
          now: ctx.now(),
        });
        if (start.state === 'completed') {
          const stored = start.response?.applicationId;
          const id = typeof stored === 'string' ? stored : '';
          return { application: await readApplication(id, input.app), replayed: true };
        }
      }
      try {
        const pdf = await input.file.read();
        const sha256Before = hex(digest('sha256', pdf));
        const document = { filename: input.file.filename, sha256Before, size: pdf.length };
        // The reservation is deferred: the final commit (sealed or failed) makes it durable, and a
        // crash before that loses a reservation whose document was never returned.
        const phase = <T>(name: string, fn: () => Promise<T>): Promise<T> =>
          input.timing === undefined ? fn() : input.timing.measure(name, fn);
        const decision = await phase('authorise', () =>
          ctx.store.transaction(
            (tx) =>
              decideSealUse(tx, {
                sealId: input.sealId,
                appId: input.app.appId,
                now: ctx.now(),
                reserve: true,
              }),
            { durability: 'deferred' },
          ),
        );
        if (!decision.ok) {
          const d = decision;
          await ctx.store.transaction(async (tx) => {
            await appendUsage(tx, {
              ...usageBase(input),
              time: ctx.now().toISOString(),
              result: 'refused',
              code: d.code,
              document,
              ...(d.grantId === undefined ? {} : { grantId: d.grantId }),
            });
          });
          ctx.metrics.sealApplications.inc({ result: 'refused', code: decision.code });
          throw new ServiceError(decision.code, undefined, { details: { sealId: input.sealId } });
        }
        const s = decision.seal;
        let sealed: Uint8Array;
        try {
          sealed = await phase('seal', () => seal(input, s, pdf));
        } catch (err) {
          const code = isGovTrustError(err) ? err.code : 'ERR_INTERNAL';
          await ctx.store.transaction(async (tx) => {
            await releaseSealUse(tx, decision.grant.id);
            await appendUsage(tx, {
              ...usageBase(input),
              time: ctx.now().toISOString(),
              result: 'failed',
              code,
              grantId: decision.grant.id,
              sealGeneration: s.generation,
              document,
            });
          });
          ctx.metrics.sealApplications.inc({ result: 'failed', code });
          throw err;
        }
        const id = uuidv4();
        const sha256After = hex(digest('sha256', sealed));
        // The result file and the record are written side by side (their fsyncs overlap); the
        // answer waits for both, so an application the caller hears of is never missing its file.
        const written = ctx.files.persist('results', `${id}.pdf`, sealed);
        written.catch(() => undefined);
        const createdAt = ctx.now().toISOString();
        const committed = ctx.store.transaction(async (tx) => {
          const usageSeq = await appendUsage(tx, {
            ...usageBase(input),
            time: createdAt,
            result: 'sealed',
            grantId: decision.grant.id,
            applicationId: id,
            sealGeneration: s.generation,
            certificateSerialNumber: s.certificate.serialNumber,
            document: { ...document, sha256After },
          });
          const record: ApplicationRecord = {
            id,
            appId: input.app.appId,
            sealId: s.id,
            grantId: decision.grant.id,
            ...(input.bizId === undefined ? {} : { bizId: input.bizId }),
            level: input.level,
            positions: [...input.positions],
            mode: 'server-key',
            document: { ...document, sha256After },
            resultFile: `${id}.pdf`,
            usageSeq,
            createdAt,
          };
          await tx.insert('applications', id, record);
          if (idem !== undefined)
            await completeIdempotent(tx, {
              scope,
              key: idem.key,
              response: { applicationId: id },
              now: ctx.now(),
            });
          return record;
        });
        const [application] = await phase('store', () => Promise.all([committed, written]));
        ctx.metrics.sealApplications.inc({ result: 'sealed', code: '' });
        return { application, replayed: false };
      } catch (err) {
        if (idem !== undefined)
          await abandonIdempotent(ctx.store, { scope, key: idem.key }).catch(() => undefined);
        throw err;
      }
    },
    get: readApplication,
    async result(id, app) {
      const r = await readApplication(id, app);
      return ctx.files.read('results', r.resultFile);
    },
    async recordRefusal(entry) {
      await ctx.store.transaction(async (tx) => {
        await appendUsage(tx, { ...entry, time: ctx.now().toISOString(), result: 'refused' });
      });
      ctx.metrics.sealApplications.inc({ result: 'refused', code: entry.code });
    },
  };
  return service;
}
