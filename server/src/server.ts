/** Wiring: opens the store, loads the PKI and master key, builds the domain services and the express app (no listening). @module */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Express } from 'express';
import type { DestinationStream } from 'pino';
import { ServiceError } from '@govtrust/core/errors';
import { registryStatusSource } from '@govtrust/core/licence';
import { createMemoryStore, indexKey } from '@govtrust/core/store';
import { openLowdbStore } from '@govtrust/core/store/lowdb';
import { createApp } from './app.js';
import { createCascade, type Cascade } from './cascade/index.js';
import { createAuthenticator } from './auth/authenticate.js';
import { createRateLimiter } from './auth/rate-limit.js';
import { createSecretBox } from './auth/secret-box.js';
import type { ServerConfig } from './config.js';
import { createApplicationService } from './domain/applications.js';
import { createDocumentVerifier } from './domain/document-verify.js';
import { createAppService, type AppService } from './domain/apps.js';
import { createFileArea, type DomainContext } from './domain/context.js';
import { createGrantService, type GrantService } from './domain/grants.js';
import {
  createDirectoryService,
  publicCallerId,
  type DirectoryService,
  type IndexSink,
  type RemoteDirectory,
} from './domain/directory.js';
import { createKeyService } from './domain/keys.js';
import { createLicenceService, type LicenceService } from './domain/licences.js';
import { loadServerPki, type CertificateStatusStore } from './domain/pki.js';
import { createSealService, type SealService } from './domain/seals.js';
import { createSessionService } from './domain/sessions.js';
import { createLogService } from './domain/usage.js';
import { buildOpenApi, renderDocsPage } from './openapi/build.js';
import { createLogger, type Logger } from './ops/logger.js';
import { createMetrics } from './ops/metrics.js';
import type { ReadinessCheck } from './routes/ops.js';
import { buildRoutes } from './routes/index.js';
import { serverSchema, type LicenceUsageEntry, type ServerStore } from './storage/schema.js';

/** The server package version. */
export const serverVersion = '0.1.0';

/** A built server: the app to listen with, its services, and `close`. */
export interface GovTrustServer {
  readonly app: Express;
  readonly config: ServerConfig;
  readonly context: DomainContext;
  readonly apps: AppService;
  readonly seals: SealService;
  readonly grants: GrantService;
  /** The directory cascade (mode, outbox worker, national index). */
  readonly cascade: Cascade;
  readonly licences: LicenceService;
  readonly directory: DirectoryService;
  /** Drops expired nonces, idempotency keys and signing sessions (run it every minute or so). */
  maintenance(): Promise<number>;
  /** Closes the store and key sessions (after the HTTP server stopped). */
  close(): Promise<void>;
}

/** Options of `createServer` beyond the configuration. */
export interface CreateServerOptions {
  /** The clock (tests fix it). */
  readonly now?: () => Date;
  readonly logger?: Logger;
  /** Log destination when no logger is given (tests capture lines). */
  readonly logDestination?: DestinationStream;
  /** Node process metrics in /metrics (default true). */
  readonly processMetrics?: boolean;
  /** Receives every licence index change in its transaction (the cascade outbox); default none. */
  readonly indexSink?: IndexSink;
  /** Consulted on a local directory miss (the national node); default none. */
  readonly remoteDirectory?: RemoteDirectory;
  /** This node's id in directory answers (default `local`). */
  readonly nodeId?: string;
}

/** Licence routes whose refusals the pipeline records, by operation: the usage action. */
const licenceActions: Readonly<Record<string, LicenceUsageEntry['action']>> = {
  verifyLicence: 'verify',
  getLicenceStatus: 'status',
  findLicenceByHolder: 'holder-query',
  findLicenceByQr: 'qr-query',
  findLicence: 'lookup',
  createFaceLink: 'face-link',
  downloadFace: 'face-download',
  getPublicLicence: 'public-lookup',
};

function certificateStatusStore(store: ServerStore): CertificateStatusStore {
  return {
    async get(issuer, serial) {
      return (await store.get('certificates', indexKey(issuer, serial)))?.value;
    },
    async put(record) {
      await store.put('certificates', indexKey(record.issuer, record.serialNumber), record);
    },
    async revoked(issuer) {
      const out = [];
      let after: string | undefined;
      for (let i = 0; i < 10_000; i++) {
        const page = await store.query('certificates', {
          index: 'revoked',
          equals: issuer,
          limit: 1000,
          ...(after === undefined ? {} : { after }),
        });
        out.push(...page.items.map((x) => x.value));
        if (page.next === undefined) break;
        after = page.next;
      }
      return out;
    },
    nextCrlNumber(ca) {
      return store.transaction(async (tx) => {
        const key = `crl:${ca}`;
        const current = await tx.get('counters', key);
        const next = BigInt(current?.value.value ?? '0') + 1n;
        await tx.put('counters', key, { value: next.toString() });
        return next;
      });
    },
  };
}

/** Reads the 32-byte master key (hex or raw file). */
function readMasterKey(path: string): Uint8Array {
  if (!existsSync(path))
    throw new ServiceError(
      'ERR_SERVICE_UNAVAILABLE',
      `No master key at ${path} (run govtrust serve once to create a data folder, or set masterKeyFile)`,
    );
  const raw = readFileSync(path);
  const text = raw.toString('utf8').trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : raw;
  if (key.length !== 32)
    throw new ServiceError(
      'ERR_SERVICE_UNAVAILABLE',
      `The master key ${path} must be 32 bytes (or 64 hex digits)`,
    );
  return new Uint8Array(key);
}

/**
 * Builds the server from its configuration: store (lowdb in `<dataDir>/store` by default), PKI,
 * keys, services, routes and the express app.
 * @throws {ServiceError} ERR_SERVICE_UNAVAILABLE without a master key; store errors (ERR_STORE_LOCKED, ERR_STORE_CORRUPT)
 */
export async function createServer(
  config: ServerConfig,
  options: CreateServerOptions = {},
): Promise<GovTrustServer> {
  const now = options.now ?? ((): Date => new Date());
  const logger =
    options.logger ??
    createLogger({
      level: config.logLevel,
      ...(options.logDestination === undefined ? {} : { destination: options.logDestination }),
    });
  const metrics = createMetrics({ processMetrics: options.processMetrics ?? true });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store: ServerStore =
    config.store.driver === 'memory'
      ? createMemoryStore(serverSchema)
      : await openLowdbStore({
          dir: join(config.dataDir, 'store'),
          schema: serverSchema,
          durability: config.store.durability,
        });
  try {
    const secrets = createSecretBox(
      readMasterKey(config.masterKeyFile ?? join(config.dataDir, 'master.key')),
    );
    const publicUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
    const pki = await loadServerPki({
      dir: config.pkiDir ?? join(config.dataDir, 'pki'),
      statuses: certificateStatusStore(store),
      now,
      publicUrl,
      ...(config.tsaAlgorithm === undefined ? {} : { tsaAlgorithm: config.tsaAlgorithm }),
    });
    const keys = createKeyService(secrets);
    const context: DomainContext = {
      store,
      now,
      pki,
      keys,
      secrets,
      files: createFileArea(join(config.dataDir, 'files')),
      metrics,
      logger,
      settings: {
        sessionTtlMs: config.sessionTtlMs,
        batchItems: config.limits.batchItems,
        sealValidityDays: config.sealValidityDays,
      },
    };
    const apps = createAppService(context);
    const seals = createSealService(context);
    const grants = createGrantService(context);
    const applications = createApplicationService(context, seals);
    const sessions = createSessionService(context);
    const logs = createLogService(context);
    const nodeId = options.nodeId ?? config.node.id;
    const cascade = createCascade({ config, store, now, logger, registry: metrics.registry });
    const indexSink = options.indexSink ?? cascade.indexSink;
    const remoteDirectory = options.remoteDirectory ?? cascade.remote;
    const licences = createLicenceService(context, {
      settings: {
        verificationUrl:
          config.licences.verificationUrl ?? `${publicUrl.replace(/\/+$/, '')}/verify`,
        statusListBaseUrl: `${publicUrl.replace(/\/+$/, '')}/v1/status-lists`,
        issuerAlgorithm: config.licences.issuerAlgorithm,
        statusListMaxAgeSeconds: config.licences.statusListMaxAgeSeconds,
        statusListValidityMs: config.licences.statusListValidityHours * 3_600_000,
      },
      ...(indexSink === undefined ? {} : { indexSink }),
    });
    const directory = createDirectoryService(context, {
      registry: licences.registry,
      nodeId,
      ...(remoteDirectory === undefined ? {} : { remote: remoteDirectory }),
      rights: (appId) => licences.getRights(appId),
      readFace: (identifier) => licences.face(identifier),
      useCauseMaxLength: config.directory.useCauseMaxLength,
      publicUseCause: config.directory.publicUseCause,
      faceLinkTtlMs: config.licences.faceLinkTtlSeconds * 1000,
    });
    cascade.attach({
      lookup: (q, caller, cause) => directory.lookup(q, caller, cause),
      record: (entry) => directory.record(entry),
      useCauseError: (max) =>
        new ServiceError(
          'ERR_LICENCE_USE_CAUSE_REQUIRED',
          `A licence lookup needs a use cause (useCause, 用证事由) of 2 to ${max} characters`,
          { details: { field: 'useCause', maxLength: max } },
        ),
      listTypes: () => licences.listTypes(),
    });
    const clockMs = (): number => now().getTime();
    let readyCache: { at: number; checks: ReadinessCheck[] } | undefined;
    const readiness = async (): Promise<ReadinessCheck[]> => {
      // Opening every key on each probe would hammer tokens: keep the answer for 10 seconds.
      if (readyCache !== undefined && now().getTime() - readyCache.at < 10_000)
        return readyCache.checks;
      const checks: ReadinessCheck[] = [];
      try {
        await store.logHead('usage');
        checks.push({ name: 'store', ok: true, detail: store.driver });
      } catch (err) {
        checks.push({
          name: 'store',
          ok: false,
          detail: err instanceof Error ? err.message : String(err),
        });
      }
      let bad = 0;
      let total = 0;
      try {
        for (const s of await seals.list()) {
          if (s.status !== 'active') continue;
          total++;
          if (!(await seals.keyUsable(s))) bad++;
        }
        checks.push({
          name: 'seal-keys',
          ok: bad === 0,
          detail: `${total - bad}/${total} active seal keys usable`,
        });
      } catch (err) {
        checks.push({
          name: 'seal-keys',
          ok: false,
          detail: err instanceof Error ? err.message : String(err),
        });
      }
      readyCache = { at: now().getTime(), checks };
      return checks;
    };
    const refreshGauges = async (): Promise<void> => {
      metrics.keyStatus.reset();
      for (const s of await seals.list())
        metrics.keyStatus.set(
          { seal: s.id, status: s.status },
          s.status === 'active' && (await seals.keyUsable(s)) ? 1 : 0,
        );
      metrics.usageLogHead.set((await store.logHead('usage'))?.seq ?? 0);
    };
    const routes = buildRoutes({
      ops: {
        version: serverVersion,
        metrics,
        metricsToken: config.metricsToken,
        readiness,
        refreshGauges,
        openApi: (r) =>
          buildOpenApi(r, {
            title: 'GovTrust seal service',
            version: serverVersion,
            description:
              'Electronic seals (电子印章, GB/T 38540) on PDF as PAdES signatures for approval systems: seal lifecycle, grants, seal applications, two-step signing, usage log (用印记录), RFC 3161 TSA, OCSP and CRLs. Electronic licences (电子证照): issuing and lifecycle, verification, status lists, the directory with use causes (用证事由) and usage log (用证记录).',
          }),
        docsPage: renderDocsPage,
      },
      cascade: cascade.routes,
      pki,
      sealService: {
        apps,
        seals,
        grants,
        applications,
        sessions,
        logs,
        batchItems: config.limits.batchItems,
      },
      licences: {
        licences,
        directory,
        nodeId,
        ...(remoteDirectory === undefined ? {} : { remote: remoteDirectory }),
        publicRateLimiter: createRateLimiter({
          ratePerSecond: config.directory.publicPerMinute / 60,
          burst: config.directory.publicPerMinute,
          now: clockMs,
        }),
        uploadBytes: config.licences.uploadBytes,
      },
      verifier: {
        verifier: createDocumentVerifier({
          pki,
          store,
          now,
          pictureBytes: config.verifier.pictureBytes,
          licence: async () => ({
            // Status from this node's directory (no use cause is asked for an uploaded file).
            statusSource: registryStatusSource(licences.registry),
            types: new Map((await licences.listTypes()).map((t) => [t.typeCode, t])),
            verificationUrl:
              config.licences.verificationUrl ?? `${publicUrl.replace(/\/+$/, '')}/verify`,
          }),
        }),
        rateLimiter: createRateLimiter({
          ratePerSecond: config.verifier.perMinute / 60,
          burst: config.verifier.perMinute,
          now: clockMs,
        }),
        uploadBytes: config.verifier.uploadBytes,
        settings: () => ({ useCause: config.directory.publicUseCause }),
        // A licence checked on the page is a use of it (用证记录), recorded by address hash.
        recordLicenceCheck: (report, request) =>
          directory.record({
            requestId: request.requestId,
            caller: publicCallerId(request.clientIp),
            callerKind: 'public',
            authenticated: false,
            action: 'verify',
            ...(report.identifier === '' ? {} : { identifier: report.identifier }),
            result: 'found',
            licenceResult: report.result,
          }),
      },
    });
    const authenticate = createAuthenticator({
      findApp: (id) => apps.credentials(id),
      registerNonce: (appId, nonce, at) =>
        apps.registerNonce(appId, nonce, at, 2 * config.auth.clockSkewMs),
      now,
      clockSkewMs: config.auth.clockSkewMs,
    });
    const app = createApp({
      logger,
      metrics,
      routes,
      authenticate,
      appRateLimiter: createRateLimiter({
        ratePerSecond: config.rateLimit.perSecond,
        burst: config.rateLimit.burst,
        now: clockMs,
      }),
      failureRateLimiter: createRateLimiter({
        ratePerSecond: config.rateLimit.authFailuresPerMinute / 60,
        burst: config.rateLimit.authFailuresPerMinute,
        now: clockMs,
      }),
      recordRefusal: async (info) => {
        const licenceAction = licenceActions[info.route.operationId];
        if (info.route.usageLog === 'licence' && licenceAction !== undefined) {
          const isPublic = info.route.auth === 'public';
          const m = /^\/v1\/(?:public\/|directory\/)?licences\/([^/]+)/.exec(info.path);
          let identifier: string | undefined;
          try {
            identifier =
              m?.[1] === undefined || m[1] === 'verify' ? undefined : decodeURIComponent(m[1]);
          } catch {
            identifier = m?.[1];
          }
          const cause = info.query.useCause;
          await directory.record({
            requestId: info.requestId,
            caller: isPublic ? publicCallerId(info.clientIp) : (info.appId ?? 'unknown'),
            callerKind: isPublic ? 'public' : 'app',
            authenticated: isPublic || info.authenticated,
            action: licenceAction,
            ...(typeof cause === 'string' && cause.trim() !== ''
              ? { useCause: cause.trim().slice(0, 200) }
              : {}),
            ...(identifier === undefined ? {} : { identifier: identifier.slice(0, 200) }),
            result: 'refused',
            code: info.code,
            ...(isPublic || info.clientIp === undefined ? {} : { clientIp: info.clientIp }),
          });
          return;
        }
        await applications.recordRefusal({
          requestId: info.requestId,
          appId: info.appId ?? null,
          authenticated: info.authenticated,
          action:
            info.route.operationId === 'createSigningSession'
              ? 'signing-session'
              : info.route.operationId === 'completeSigningSession'
                ? 'signing-session-complete'
                : 'seal-application',
          code: info.code,
          ...(info.clientIp === undefined ? {} : { clientIp: info.clientIp }),
        });
      },
      limits: {
        jsonBytes: config.limits.jsonBytes,
        uploadBytes: config.limits.uploadBytes,
        maxFiles: config.limits.maxFiles,
        spoolBytes: config.limits.spoolBytes,
      },
      uploadDir: context.files.uploads,
      trustProxy: config.trustProxy,
    });
    return {
      app,
      config,
      context,
      apps,
      seals,
      grants,
      cascade,
      licences,
      directory,
      async maintenance() {
        let n = 0;
        for (const c of ['nonces', 'idempotency', 'sessions', 'face-links'] as const)
          n += await store.purgeExpired(c, now());
        return n;
      },
      async close() {
        await cascade.stop();
        keys.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
