/** Server configuration: a JSON file, then GOVTRUST_* environment variables, then command-line overrides; validated with one schema. @module */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { InvalidInputError } from '@govtrust/core/errors';

/** The configuration schema (every field has a default). */
export const configSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Data folder: store, files, generated PKI, master key, credentials. */
  dataDir: z.string().default('govtrust-data'),
  /** URL written into issued certificates (CRL, OCSP, caIssuers); default http://host:port. */
  publicUrl: z.url().optional(),
  /** PKI folder laid out like certs-dev/; default <dataDir>/pki. */
  pkiDir: z.string().optional(),
  /** 32-byte master key file (secrets and software keys at rest); default <dataDir>/master.key. */
  masterKeyFile: z.string().optional(),
  store: z
    .strictObject({
      driver: z.enum(['lowdb', 'memory']).default('lowdb'),
      durability: z.enum(['fsync', 'os']).default('fsync'),
    })
    .default({ driver: 'lowdb', durability: 'fsync' }),
  limits: z
    .strictObject({
      jsonBytes: z
        .number()
        .int()
        .min(1024)
        .default(1024 * 1024),
      uploadBytes: z
        .number()
        .int()
        .min(1024)
        .default(50 * 1024 * 1024),
      maxFiles: z.number().int().min(1).max(100).default(20),
      /**
       * Uploads up to this size stay in memory; larger ones are streamed to disk as they arrive
       * (default 1 MiB: a seal reads the whole document anyway; 0 spools every upload).
       */
      spoolBytes: z
        .number()
        .int()
        .min(0)
        .default(1024 * 1024),
      batchItems: z.number().int().min(1).max(100).default(20),
    })
    .default({
      jsonBytes: 1024 * 1024,
      uploadBytes: 50 * 1024 * 1024,
      maxFiles: 20,
      spoolBytes: 1024 * 1024,
      batchItems: 20,
    }),
  /** The public document verification endpoint (POST /v1/documents/verify) behind the /verify page. */
  verifier: z
    .strictObject({
      /** Largest document accepted (kept in memory for the request only). */
      uploadBytes: z
        .number()
        .int()
        .min(1024)
        .default(20 * 1024 * 1024),
      /** Verifications per minute per client address. */
      perMinute: z.number().int().min(1).default(30),
      /** Largest seal picture returned with a report (bytes of the image). */
      pictureBytes: z
        .number()
        .int()
        .min(0)
        .default(256 * 1024),
    })
    .default({ uploadBytes: 20 * 1024 * 1024, perMinute: 30, pictureBytes: 256 * 1024 }),
  auth: z
    .strictObject({ clockSkewMs: z.number().int().min(1000).max(3_600_000).default(300_000) })
    .default({ clockSkewMs: 300_000 }),
  rateLimit: z
    .strictObject({
      perSecond: z.number().positive().default(50),
      burst: z.number().int().min(1).default(200),
      authFailuresPerMinute: z.number().int().min(1).default(120),
    })
    .default({ perSecond: 50, burst: 200, authFailuresPerMinute: 120 }),
  sessionTtlMs: z.number().int().min(10_000).max(86_400_000).default(600_000),
  sealValidityDays: z.number().int().min(1).max(3650).default(1095),
  tsaAlgorithm: z.string().optional(),
  /**
   * Directory cascade (级联): `provincial` (default) reports its licence index upward and asks the
   * national node on a local miss; `national` keeps the index of every registered node and routes
   * lookups to the source node.
   */
  mode: z.enum(['provincial', 'national']).default('provincial'),
  /** This node: its id in the cascade (answers name it as their source) and its GB/T 2260 division. */
  node: z
    .strictObject({
      id: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/)
        .default('local'),
      divisionCode: z
        .string()
        .regex(/^\d{2,6}$/)
        .optional(),
    })
    .default({ id: 'local' }),
  /** Provincial mode: the national node and this node's credential there (no cascade when absent). */
  national: z
    .strictObject({
      url: z.url(),
      /** This node's id at the national node (default: node.id). */
      nodeId: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/)
        .optional(),
      /** The shared secret of this node's credential (signs both directions). */
      secret: z.string().min(16),
      /** The national node's own id (the X-Node-Id of its calls to this node). */
      id: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/)
        .default('national'),
    })
    .optional(),
  /** National mode: the registered provincial nodes (id, shared secret, base URL, division). */
  nodes: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
        secret: z.string().min(16),
        url: z.url(),
        division: z
          .string()
          .regex(/^\d{2,6}$/)
          .optional(),
      }),
    )
    .default([]),
  /** Cascade timing: node call timeout, outbox batch size, retry backoff (exponential, jittered, capped). */
  cascade: z
    .strictObject({
      timeoutMs: z.number().int().min(100).max(60_000).default(3000),
      batchSize: z.number().int().min(1).max(1000).default(200),
      pollMs: z.number().int().min(10).max(600_000).default(1000),
      retryBaseMs: z.number().int().min(10).max(600_000).default(1000),
      retryMaxMs: z.number().int().min(10).max(3_600_000).default(300_000),
    })
    .default({
      timeoutMs: 3000,
      batchSize: 200,
      pollMs: 1000,
      retryBaseMs: 1000,
      retryMaxMs: 300_000,
    }),
  /** Licence service: QR base URL, issuer keys, status lists, uploads, face links. */
  licences: z
    .strictObject({
      /** Base URL of the QR code (the verifier page); default <publicUrl>/verify. */
      verificationUrl: z.url().optional(),
      issuerAlgorithm: z.enum(['p256', 'rsa', 'sm2']).default('p256'),
      /** Largest upload of POST /v1/licences/verify. */
      uploadBytes: z
        .number()
        .int()
        .min(1024)
        .default(10 * 1024 * 1024),
      /** Cache-Control max-age (and credential ttl) of published status lists. */
      statusListMaxAgeSeconds: z.number().int().min(0).max(86_400).default(60),
      /** Validity of a signed status list (re-signed at half-life). */
      statusListValidityHours: z.number().int().min(1).max(720).default(24),
      faceLinkTtlSeconds: z.number().int().min(10).max(3600).default(300),
    })
    .default({
      issuerAlgorithm: 'p256',
      uploadBytes: 10 * 1024 * 1024,
      statusListMaxAgeSeconds: 60,
      statusListValidityHours: 24,
      faceLinkTtlSeconds: 300,
    }),
  /** Licence directory: use causes and the public endpoint. */
  directory: z
    .strictObject({
      /** Whether GET /v1/public/licences/{id} requires useCause. */
      publicUseCause: z.enum(['required', 'optional']).default('required'),
      /** Public requests per minute per client address. */
      publicPerMinute: z.number().int().min(1).default(60),
      useCauseMaxLength: z.number().int().min(10).max(2000).default(200),
    })
    .default({ publicUseCause: 'required', publicPerMinute: 60, useCauseMaxLength: 200 }),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  metricsToken: z.string().min(16).optional(),
  trustProxy: z.union([z.boolean(), z.number().int(), z.string()]).default(false),
});

/** The parsed configuration. */
export type ServerConfig = z.output<typeof configSchema>;

/** The environment variables read (all optional). */
export const environmentVariables = {
  GOVTRUST_HOST: 'host',
  GOVTRUST_PORT: 'port',
  GOVTRUST_DATA_DIR: 'dataDir',
  GOVTRUST_PUBLIC_URL: 'publicUrl',
  GOVTRUST_PKI_DIR: 'pkiDir',
  GOVTRUST_MASTER_KEY_FILE: 'masterKeyFile',
  GOVTRUST_LOG_LEVEL: 'logLevel',
  GOVTRUST_METRICS_TOKEN: 'metricsToken',
  GOVTRUST_MODE: 'mode',
} as const;

/**
 * Loads the configuration: `file` (JSON; relative paths in it are relative to the file), then the
 * environment, then `overrides`.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for an unreadable file or an invalid value (the field is named)
 */
export function loadConfig(options: {
  readonly file?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly overrides?: Readonly<Record<string, unknown>>;
  readonly cwd?: string;
}): ServerConfig {
  const cwd = options.cwd ?? process.cwd();
  let fromFile: Record<string, unknown> = {};
  let base = cwd;
  if (options.file !== undefined) {
    const path = resolve(cwd, options.file);
    base = dirname(path);
    try {
      fromFile = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new InvalidInputError(
        `Cannot read the configuration ${path}: ${err instanceof Error ? err.message : String(err)}`,
        {
          field: 'config',
          cause: err,
        },
      );
    }
    for (const k of ['dataDir', 'pkiDir', 'masterKeyFile'] as const) {
      const v = fromFile[k];
      if (typeof v === 'string' && !isAbsolute(v)) fromFile[k] = resolve(base, v);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(environmentVariables)) {
    const v = options.env?.[name];
    if (v === undefined || v === '') continue;
    fromEnv[key] = key === 'port' ? Number(v) : v;
  }
  const merged = { ...fromFile, ...fromEnv, ...(options.overrides ?? {}) };
  const r = configSchema.safeParse(merged);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.join('.');
    throw new InvalidInputError(`Configuration ${field}: ${issue.message}`, { field });
  }
  const c = r.data;
  const ids = new Set<string>();
  for (const n of c.nodes) {
    if (ids.has(n.id) || n.id === c.node.id)
      throw new InvalidInputError(`Configuration nodes: duplicate node id ${n.id}`, {
        field: 'nodes',
      });
    ids.add(n.id);
  }
  return { ...c, dataDir: resolve(cwd, c.dataDir) };
}
