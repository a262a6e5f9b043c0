/**
 * Route definitions and the one pipeline every request goes through: authenticate (HMAC request
 * signature) -> rate limit -> read and digest-check the body -> validate -> handler -> render.
 * The same definitions generate the OpenAPI document.
 * @module
 */
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { InvalidInputError, ServiceError, isGovTrustError } from '@govtrust/core/errors';
import { ServerTiming } from './timing.js';
import type { Logger } from '../ops/logger.js';
import { readMultipart, readRawBody, type MultipartForm } from './body.js';

/**
 * Roles an application credential may hold: `admin`, `seal-user` (seal applications), `issuer`
 * (licence issuing and lifecycle), `verifier` (licence verification and directory lookups, 用证单位).
 */
export type Role = 'admin' | 'seal-user' | 'issuer' | 'verifier';

/** Every role, for schemas. */
export const roles = [
  'admin',
  'seal-user',
  'issuer',
  'verifier',
] as const satisfies readonly Role[];

/** Who may call a route: public, one role, or any of several roles. */
export type RouteAuth = 'public' | Role | readonly Role[];

/** The application a signed request came from. */
export interface AuthenticatedApp {
  readonly appId: string;
  readonly name: string;
  readonly roles: readonly Role[];
  /** Which of the app's secrets signed the request. */
  readonly secretId: string;
}

/** What the authenticator learnt from the signing headers (before the body is read). */
export interface HeaderAuthentication {
  readonly app: AuthenticatedApp;
  /** The claimed body digest: algorithm and base64 value. */
  readonly contentDigest: { readonly algorithm: 'sha256' | 'sm3'; readonly base64: string };
}

/** How the body of a route is read. */
export type BodySpec =
  | { readonly type: 'none' }
  | { readonly type: 'json'; readonly schema: z.ZodType; readonly maxBytes?: number }
  | {
      readonly type: 'multipart';
      /** Schema of the JSON in the form field `request`. */
      readonly schema: z.ZodType;
      /** Names of the file parts (documentation). */
      readonly files: readonly string[];
      readonly maxFiles?: number;
    }
  | { readonly type: 'raw'; readonly contentTypes: readonly string[]; readonly maxBytes: number }
  | {
      /**
       * One file, sent raw (any content type: the handler looks at the bytes) or as the file part
       * `field` of a multipart form; kept in memory, never spooled to disk. Body: `UploadedBody`.
       */
      readonly type: 'file';
      /** Content types documented in OpenAPI (not enforced). */
      readonly contentTypes: readonly string[];
      readonly field: string;
      readonly maxBytes: number;
    };

/** The body a `file` route receives. */
export interface UploadedBody {
  readonly bytes: Uint8Array;
  /** The declared content type (of the request, or of the form part), lower case, without parameters. */
  readonly contentType: string;
  /** The file name of a form part. */
  readonly filename?: string;
}

/** One documented response. */
export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** Default application/json when a schema is given. */
  readonly contentType?: string;
}

/** What a handler returns. */
export interface Reply {
  readonly status: number;
  readonly json?: unknown;
  readonly bytes?: Uint8Array;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a handler receives. */
export interface RouteContext<P, Q, B> {
  readonly req: Request;
  readonly requestId: string;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly app: AuthenticatedApp | undefined;
  /** The multipart form (files on disk; removed after the reply). */
  readonly form: MultipartForm | undefined;
  readonly log: Logger;
  /** Phase durations reported in the `Server-Timing` header of the reply. */
  readonly timing: ServerTiming;
}

/** A route: method, path template (OpenAPI style, `{id}`), auth, schemas and the handler. */
export interface RouteDef<P = unknown, Q = unknown, B = unknown> {
  readonly method: 'get' | 'post' | 'put' | 'delete';
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly auth: RouteAuth;
  /**
   * Refusals of this route (including failed authentication) are written to a usage log: `true`
   * the seal usage log (用印记录), `licence` the licence usage log (用证记录).
   */
  readonly usageLog?: boolean | 'licence';
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body: BodySpec;
  /**
   * Runs before authentication and before the body is read (e.g. a per-address rate limit of a
   * public upload route, so that a refused client does not get to send its body).
   */
  readonly guard?: (req: Request) => void;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  readonly handler: (ctx: RouteContext<P, Q, B>) => Promise<Reply>;
}

/** Declares a route, inferring the handler's parameter types from the schemas. */
export function defineRoute<
  PS extends z.ZodType = z.ZodType<Record<string, never>>,
  QS extends z.ZodType = z.ZodType<Record<string, never>>,
  B = undefined,
>(
  def: Omit<RouteDef<z.output<PS>, z.output<QS>, B>, 'params' | 'query'> & {
    readonly params?: PS;
    readonly query?: QS;
  },
): RouteDef {
  return def as unknown as RouteDef;
}

/** The services the pipeline needs from the application. */
export interface PipelineDeps {
  readonly logger: Logger;
  /** Checks the signing headers and the nonce; resolves to the app, or throws a `ServiceError`. */
  authenticate(req: Request): Promise<HeaderAuthentication>;
  /** Throws ERR_HTTP_RATE_LIMITED (with retryAfter seconds in details) when the app is over its rate. */
  rateLimit(appId: string): void;
  /** Called for every refused request on a usage-log route, before the error is rendered. */
  recordRefusal(info: {
    readonly route: RouteDef;
    readonly requestId: string;
    readonly appId: string | undefined;
    readonly authenticated: boolean;
    readonly code: string;
    readonly clientIp: string | undefined;
    /** The request's path and query (licence routes record what was asked and why). */
    readonly path: string;
    readonly query: Readonly<Record<string, unknown>>;
  }): Promise<void>;
  readonly limits: {
    readonly jsonBytes: number;
    readonly uploadBytes: number;
    readonly maxFiles: number;
    /** Uploads up to this size stay in memory; larger ones are spooled to disk. */
    readonly spoolBytes: number;
  };
  /** Folder for uploads in progress. */
  readonly uploadDir: string;
}

const recorded = new WeakSet<object>();

/** Marks an error whose refusal the domain already wrote to a usage log (the pipeline then does not). */
export function markUsageRecorded<E extends object>(err: E): E {
  recorded.add(err);
  return err;
}

/** True when `markUsageRecorded` marked `err`. */
export function isUsageRecorded(err: unknown): boolean {
  return typeof err === 'object' && err !== null && recorded.has(err);
}

/** The express path of an OpenAPI path template: `{id}` -> `:id`, literal `:` escaped. */
export function expressPath(template: string): string {
  return template.replace(/:/g, '\\:').replace(/\{(\w+)\}/g, ':$1');
}

function parseWith<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (schema === undefined) return {} as T;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = [where, ...issue.path.map(String)].join('.');
  throw new InvalidInputError(`${field}: ${issue.message}`, { field });
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ServiceError('ERR_HTTP_MALFORMED_JSON', `${where} is not valid JSON`, {
      cause: err,
    });
  }
}

function checkDigest(claimed: HeaderAuthentication | undefined, actual: string): void {
  if (claimed !== undefined && claimed.contentDigest.base64 !== actual)
    throw new ServiceError('ERR_AUTH_BODY_DIGEST');
}

/** Reads the one file of a `file` route: raw, or the `field` part of a multipart form (in memory). */
async function readFile(
  req: Request,
  spec: Extract<BodySpec, { type: 'file' }>,
  fieldBytes: number,
  alg: 'sha256' | 'sm3',
  auth: HeaderAuthentication | undefined,
): Promise<UploadedBody> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'multipart/form-data') {
    const raw = await readRawBody(req, spec.maxBytes, alg);
    checkDigest(auth, raw.digest);
    return { bytes: new Uint8Array(raw.bytes), contentType: type };
  }
  const form = await readMultipart(
    req,
    '',
    { bodyBytes: spec.maxBytes, files: 1, fields: 4, fieldBytes, spoolBytes: spec.maxBytes },
    alg,
  );
  try {
    checkDigest(auth, form.digest);
    const file = form.files.find((f) => f.field === spec.field);
    if (file === undefined)
      throw new ServiceError('ERR_HTTP_MULTIPART', `The form needs a file part \`${spec.field}\``);
    return {
      bytes: await file.read(),
      contentType: file.contentType.toLowerCase(),
      ...(file.filename === '' ? {} : { filename: file.filename }),
    };
  } finally {
    await form.cleanup();
  }
}

/** Sends a reply. */
export function sendReply(res: Response, reply: Reply): void {
  res.status(reply.status);
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  if (reply.bytes !== undefined) {
    res.setHeader('Content-Type', reply.contentType ?? 'application/octet-stream');
    res.end(Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength));
  } else if (reply.json !== undefined) {
    res.setHeader('Content-Type', reply.contentType ?? 'application/json; charset=utf-8');
    res.end(JSON.stringify(reply.json));
  } else res.end();
}

/** Mounts every route on `router` through the pipeline. Errors go to `next` (the problem renderer). */
export function mountRoutes(router: Router, routes: readonly RouteDef[], deps: PipelineDeps): void {
  for (const route of routes) {
    router[route.method](expressPath(route.path), async (req, res, next) => {
      res.locals.route = route.path;
      const requestId = res.locals.requestId as string;
      const log = deps.logger.child({ requestId });
      let auth: HeaderAuthentication | undefined;
      let form: MultipartForm | undefined;
      const timing = new ServerTiming();
      const started = performance.now();
      try {
        route.guard?.(req);
        if (route.auth !== 'public') {
          auth = await timing.measure('auth', () => deps.authenticate(req));
          res.locals.appId = auth.app.appId;
          deps.rateLimit(auth.app.appId);
          const needed: readonly Role[] =
            typeof route.auth === 'string' ? [route.auth] : route.auth;
          const held = auth.app.roles;
          if (!needed.some((r) => held.includes(r)))
            throw new ServiceError(
              'ERR_AUTH_FORBIDDEN',
              `This operation needs the ${needed.join(' or ')} role`,
            );
        }
        const params = parseWith(route.params, req.params, 'path');
        const query = parseWith(route.query, req.query, 'query');
        const alg = auth?.contentDigest.algorithm ?? 'sha256';
        let body: unknown;
        const spec = route.body;
        const bodyStarted = performance.now();
        if (spec.type === 'file') {
          body = await readFile(req, spec, deps.limits.jsonBytes, alg, auth);
        } else if (spec.type === 'multipart') {
          form = await readMultipart(
            req,
            deps.uploadDir,
            {
              bodyBytes: deps.limits.uploadBytes,
              files: spec.maxFiles ?? deps.limits.maxFiles,
              fields: 8,
              fieldBytes: deps.limits.jsonBytes,
              spoolBytes: deps.limits.spoolBytes,
            },
            alg,
          );
          checkDigest(auth, form.digest);
          const request = form.fields.request;
          if (request === undefined)
            throw new ServiceError('ERR_HTTP_MULTIPART', 'The form needs a `request` field (JSON)');
          body = parseWith(spec.schema, parseJson(request, 'The request field'), 'request');
        } else {
          const limit =
            spec.type === 'raw'
              ? spec.maxBytes
              : spec.type === 'json'
                ? (spec.maxBytes ?? deps.limits.jsonBytes)
                : deps.limits.jsonBytes;
          if (spec.type === 'json' || spec.type === 'raw') {
            const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
            const accepted = spec.type === 'json' ? ['application/json'] : spec.contentTypes;
            if (!accepted.includes(type))
              throw new ServiceError(
                'ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
                `Send ${accepted.join(' or ')}`,
              );
          }
          const raw = await readRawBody(req, limit, alg);
          checkDigest(auth, raw.digest);
          if (spec.type === 'json')
            body = parseWith(
              spec.schema,
              parseJson(raw.bytes.toString('utf8'), 'The body'),
              'body',
            );
          else if (spec.type === 'raw') body = new Uint8Array(raw.bytes);
        }
        timing.add('body', performance.now() - bodyStarted);
        const reply = await route.handler({
          req,
          requestId,
          params,
          query,
          body,
          app: auth?.app,
          form,
          log,
          timing,
        });
        timing.add('total', performance.now() - started);
        res.setHeader('Server-Timing', timing.header());
        sendReply(res, reply);
      } catch (err) {
        if (route.usageLog !== undefined && route.usageLog !== false && isGovTrustError(err)) {
          res.locals.refusalCode = err.code;
          // Rate-limited requests are not recorded: that is what keeps floods out of the chain.
          // Seal routes record here only failed authentication (the domain records the rest);
          // licence routes record every refusal the domain has not recorded itself.
          const recordHere =
            route.usageLog === 'licence'
              ? err.code !== 'ERR_HTTP_RATE_LIMITED' && !isUsageRecorded(err)
              : err.code.startsWith('ERR_AUTH_');
          if (recordHere) {
            // Failed authentication never reaches the domain, so the refusal is logged here.
            const claimed = req.headers['x-app-id'];
            await deps
              .recordRefusal({
                route,
                requestId,
                appId:
                  auth?.app.appId ??
                  (typeof claimed === 'string' ? claimed.slice(0, 64) : undefined),
                authenticated: auth !== undefined,
                code: err.code,
                clientIp: req.ip,
                path: req.path,
                query: req.query,
              })
              .catch((e: unknown) => log.error({ err: e }, 'could not record the refusal'));
          }
        }
        next(err);
      } finally {
        if (form !== undefined) await form.cleanup();
      }
    });
  }
}
