/** `createApp(deps)`: the express application (never listens): security headers, request ids, metrics, the route table, problem documents. @module */
import { randomUUID } from 'node:crypto';
import express, { type Express, type Request } from 'express';
import helmet from 'helmet';
import { ServiceError } from '@govtrust/core/errors';
import type { HeaderAuthentication } from './http/route.js';
import { mountRoutes, type PipelineDeps, type RouteDef } from './http/route.js';
import { problemHandler, sendProblem } from './http/problem.js';
import type { Logger } from './ops/logger.js';
import type { ServerMetrics } from './ops/metrics.js';
import type { RateLimiter } from './auth/rate-limit.js';

/** Everything the application needs; built by `createServer` (or by tests). */
export interface AppDeps {
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  /** The route table (see routes/index.ts). */
  readonly routes: readonly RouteDef[];
  readonly authenticate: (req: Request) => Promise<HeaderAuthentication>;
  /** Per-app limiter (after authentication). */
  readonly appRateLimiter: RateLimiter;
  /** Per-address limiter of failed authentications on usage-log routes (keeps refusal spam out of the chain). */
  readonly failureRateLimiter: RateLimiter;
  readonly recordRefusal: PipelineDeps['recordRefusal'];
  readonly limits: PipelineDeps['limits'];
  readonly uploadDir: string;
  /** Express `trust proxy` (default false: the socket address is the client). */
  readonly trustProxy?: boolean | number | string;
}

/** Builds the express application. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.set('etag', false);
  app.use(helmet({ crossOriginResourcePolicy: { policy: 'same-site' } }));
  app.use((req, res, next) => {
    const requestId = randomUUID();
    const started = process.hrtime.bigint();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = typeof res.locals.route === 'string' ? res.locals.route : 'unmatched';
      deps.metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      deps.metrics.latency.observe({ method: req.method, route }, seconds);
      // Method, route template and outcome only: never headers, bodies or document contents.
      deps.logger.info(
        {
          requestId,
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          ...(typeof res.locals.appId === 'string' ? { appId: res.locals.appId } : {}),
          ...(typeof res.locals.errorCode === 'string' ? { code: res.locals.errorCode } : {}),
        },
        'request',
      );
    });
    next();
  });
  const router = express.Router({ caseSensitive: true, strict: true });
  mountRoutes(router, deps.routes, {
    logger: deps.logger,
    authenticate: async (req) => {
      try {
        return await deps.authenticate(req);
      } catch (err) {
        // Count failures per address so that guessing or replaying cannot flood the usage log.
        deps.failureRateLimiter.take(req.ip ?? 'unknown');
        throw err;
      }
    },
    rateLimit: (appId) => deps.appRateLimiter.take(appId),
    recordRefusal: deps.recordRefusal,
    limits: deps.limits,
    uploadDir: deps.uploadDir,
  });
  app.use(router);
  // A known path with another method is 405 with Allow; anything else 404.
  const patterns = deps.routes.map((r) => ({
    r,
    re: new RegExp(`^${r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`),
  }));
  app.use((req, res) => {
    const allowed = patterns
      .filter((p) => p.re.test(req.path))
      .map((p) => p.r.method.toUpperCase());
    if (allowed.length > 0) {
      const allow = [...new Set(allowed)].join(', ');
      sendProblem(req, res, 'ERR_HTTP_METHOD_NOT_ALLOWED', `Allowed: ${allow}`, {
        headers: { Allow: allow },
      });
      return;
    }
    sendProblem(req, res, 'ERR_HTTP_NOT_FOUND', new ServiceError('ERR_HTTP_NOT_FOUND').message);
  });
  app.use(problemHandler(deps.logger));
  return app;
}
