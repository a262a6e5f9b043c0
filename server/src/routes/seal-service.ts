/** Seal service routes: app credentials, seals and their lifecycle, grants, seal applications, two-step signing sessions, usage and audit logs. @module */
import { z } from 'zod';
import { digest } from '@govtrust/core/crypto';
import { ServiceError, isGovTrustError } from '@govtrust/core/errors';
import { defineRoute, type AuthenticatedApp, type RouteDef } from '../http/route.js';
import { httpErrorFor } from '../http/errors.js';
import { applicationView, type ApplicationService } from '../domain/applications.js';
import type { AppService } from '../domain/apps.js';
import { grantView, type GrantService } from '../domain/grants.js';
import { sealStatusView, sealView, type SealAction, type SealService } from '../domain/seals.js';
import type { SessionService } from '../domain/sessions.js';
import { usageEntryView, type LogService } from '../domain/usage.js';
import {
  appSecretParams,
  applicationRequestSchema,
  applicationViewSchema,
  batchRequestSchema,
  completeSessionSchema,
  createAppSchema,
  createGrantSchema,
  createSealSchema,
  credentialViewSchema,
  grantViewSchema,
  idParams,
  reasonSchema,
  sealStatusViewSchema,
  sealViewSchema,
  sessionRequestSchema,
  sessionViewSchema,
  usagePageSchema,
  usageQuerySchema,
} from '../schemas/seal-service.js';

/** The services the routes call. */
export interface SealServiceDeps {
  readonly apps: AppService;
  readonly seals: SealService;
  readonly grants: GrantService;
  readonly applications: ApplicationService;
  readonly sessions: SessionService;
  readonly logs: LogService;
  readonly batchItems: number;
}

const sealActions: readonly { action: SealAction; summary: string }[] = [
  { action: 'suspend', summary: 'Suspend a seal (停用): applications are refused until resumed' },
  { action: 'resume', summary: 'Resume a suspended seal (恢复)' },
  {
    action: 'report-loss',
    summary:
      'Report a seal lost (挂失): its certificate is revoked (keyCompromise); re-make to use it again',
  },
  {
    action: 'cancel',
    summary: 'Cancel a seal (注销): terminal, certificate revoked (cessationOfOperation)',
  },
  {
    action: 'revoke',
    summary: 'Revoke a seal (吊销): terminal, certificate revoked (privilegeWithdrawn)',
  },
  {
    action: 'remake',
    summary:
      'Re-make a seal (重新制作): new key, certificate and GB/T 38540 seal; the old certificate is revoked',
  },
];

const actorOf = (app: AuthenticatedApp | undefined): string => app?.appId ?? 'system';

function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || !/^[\x21-\x7e]{1,128}$/.test(v))
    throw new ServiceError('ERR_IDEMPOTENCY_KEY');
  return v;
}

/** The seal service routes. */
export function sealServiceRoutes(d: SealServiceDeps): RouteDef[] {
  const routes: RouteDef[] = [
    defineRoute<z.ZodType, z.ZodType, z.infer<typeof createAppSchema>>({
      method: 'post',
      path: '/v1/apps',
      operationId: 'createApp',
      summary: 'Create an application credential (the secret is shown once)',
      tags: ['apps'],
      auth: 'admin',
      body: { type: 'json', schema: createAppSchema },
      responses: { 201: { description: 'Created', schema: credentialViewSchema } },
      handler: async ({ body, app, requestId }) => ({
        status: 201,
        json: await d.apps.create({
          name: body.name,
          roles: body.roles,
          actor: actorOf(app),
          requestId,
        }),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/apps/{id}/secrets',
      operationId: 'rotateAppSecret',
      summary: 'Add a new secret (rotation): at most two stay active, the oldest is retired',
      tags: ['apps'],
      auth: 'admin',
      params: idParams,
      body: { type: 'json', schema: z.strictObject({}) },
      responses: { 201: { description: 'The new secret', schema: credentialViewSchema } },
      handler: async ({ params, app, requestId }) => ({
        status: 201,
        json: await d.apps.rotateSecret(params.id, actorOf(app), requestId),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/apps/{id}/secrets/{secretId}',
      operationId: 'revokeAppSecret',
      summary: 'Retire one secret of an application',
      tags: ['apps'],
      auth: 'admin',
      params: appSecretParams,
      body: { type: 'none' },
      responses: { 204: { description: 'Retired' } },
      handler: async ({ params, app, requestId }) => {
        await d.apps.revokeSecret(params.id, params.secretId, actorOf(app), requestId);
        return { status: 204 };
      },
    }),
    defineRoute<typeof idParams, z.ZodType, z.infer<typeof createSealSchema>>({
      method: 'post',
      path: '/v1/seals',
      operationId: 'createSeal',
      summary:
        'Make a seal (制作): key, certificate from the server CA (or uploaded), GB/T 38540 seal',
      tags: ['seals'],
      auth: 'admin',
      body: { type: 'json', schema: createSealSchema },
      responses: { 201: { description: 'The seal', schema: sealViewSchema } },
      handler: async ({ body, app, requestId }) => ({
        status: 201,
        json: sealView(await d.seals.create(body, actorOf(app), requestId)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/seals',
      operationId: 'listSeals',
      summary: 'List seals',
      tags: ['seals'],
      auth: 'admin',
      body: { type: 'none' },
      responses: {
        200: { description: 'Seals', schema: z.object({ items: z.array(sealViewSchema) }) },
      },
      handler: async () => ({ status: 200, json: { items: (await d.seals.list()).map(sealView) } }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/seals/{id}',
      operationId: 'getSeal',
      summary: 'One seal with its certificate chain and GB/T 38540 data',
      tags: ['seals'],
      auth: 'admin',
      params: idParams,
      body: { type: 'none' },
      responses: { 200: { description: 'The seal', schema: sealViewSchema } },
      handler: async ({ params }) => ({
        status: 200,
        json: sealView(await d.seals.get(params.id)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/seals/{id}/status',
      operationId: 'getSealStatus',
      summary: 'Public seal status for verifiers (no credentials)',
      tags: ['seals', 'public'],
      auth: 'public',
      params: idParams,
      body: { type: 'none' },
      responses: { 200: { description: 'The status', schema: sealStatusViewSchema } },
      handler: async ({ params }) => ({
        status: 200,
        json: sealStatusView(await d.seals.get(params.id)),
        headers: { 'Cache-Control': 'public, max-age=60' },
      }),
    }),
    ...sealActions.map(({ action, summary }) =>
      defineRoute<typeof idParams, z.ZodType, z.infer<typeof reasonSchema>>({
        method: 'post',
        path: `/v1/seals/{id}/${action}`,
        operationId: `${action.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase())}Seal`,
        summary,
        tags: ['seals'],
        auth: 'admin',
        params: idParams,
        body: { type: 'json', schema: reasonSchema },
        responses: { 200: { description: 'The seal after the change', schema: sealViewSchema } },
        handler: async ({ params, body, app, requestId }) => ({
          status: 200,
          json: sealView(
            await d.seals.act(params.id, action, body.reason, actorOf(app), requestId),
          ),
        }),
      }),
    ),
    defineRoute<typeof idParams, z.ZodType, z.infer<typeof createGrantSchema>>({
      method: 'post',
      path: '/v1/seals/{id}/grants',
      operationId: 'createGrant',
      summary: 'Grant an application the use of a seal (印章授权): time window, optional use count',
      tags: ['grants'],
      auth: 'admin',
      params: idParams,
      body: { type: 'json', schema: createGrantSchema },
      responses: { 201: { description: 'The grant', schema: grantViewSchema } },
      handler: async ({ params, body, app, requestId }) => ({
        status: 201,
        json: grantView(
          await d.grants.create(
            params.id,
            {
              appId: body.appId,
              ...(body.notBefore === undefined ? {} : { notBefore: body.notBefore }),
              ...(body.notAfter === undefined ? {} : { notAfter: body.notAfter }),
              ...(body.maxUses === undefined ? {} : { maxUses: body.maxUses }),
            },
            actorOf(app),
            requestId,
          ),
        ),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/seals/{id}/grants',
      operationId: 'listSealGrants',
      summary: 'The grants of a seal',
      tags: ['grants'],
      auth: 'admin',
      params: idParams,
      body: { type: 'none' },
      responses: {
        200: { description: 'Grants', schema: z.object({ items: z.array(grantViewSchema) }) },
      },
      handler: async ({ params }) => ({
        status: 200,
        json: { items: (await d.grants.listForSeal(params.id)).map(grantView) },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/grants',
      operationId: 'listAppGrants',
      summary: 'The grants of an application (admin: any appId; others: their own)',
      tags: ['grants'],
      auth: 'seal-user',
      query: z.object({ appId: z.string().max(100).optional() }),
      body: { type: 'none' },
      responses: {
        200: { description: 'Grants', schema: z.object({ items: z.array(grantViewSchema) }) },
      },
      handler: async ({ query, app }) => {
        const appId = app!.roles.includes('admin') ? (query.appId ?? app!.appId) : app!.appId;
        return { status: 200, json: { items: (await d.grants.listForApp(appId)).map(grantView) } };
      },
    }),
    defineRoute<typeof idParams, z.ZodType, z.infer<typeof reasonSchema>>({
      method: 'post',
      path: '/v1/grants/{id}/revoke',
      operationId: 'revokeGrant',
      summary: 'Revoke a grant',
      tags: ['grants'],
      auth: 'admin',
      params: idParams,
      body: { type: 'json', schema: reasonSchema },
      responses: { 200: { description: 'The revoked grant', schema: grantViewSchema } },
      handler: async ({ params, body, app, requestId }) => ({
        status: 200,
        json: grantView(await d.grants.revoke(params.id, body.reason, actorOf(app), requestId)),
      }),
    }),
    defineRoute<z.ZodType, z.ZodType, z.infer<typeof applicationRequestSchema>>({
      method: 'post',
      path: '/v1/seal-applications',
      operationId: 'applySeal',
      summary:
        'Seal a PDF (用印): multipart with `request` (JSON) and `file` (the PDF); Idempotency-Key supported',
      tags: ['seal-applications'],
      auth: 'seal-user',
      usageLog: true,
      body: { type: 'multipart', schema: applicationRequestSchema, files: ['file'], maxFiles: 1 },
      responses: {
        201: { description: 'Sealed', schema: applicationViewSchema },
        200: {
          description: 'Idempotent replay of the first result',
          schema: applicationViewSchema,
        },
      },
      handler: async ({ req, body, form, app, requestId, timing }) => {
        const key = idempotencyKeyOf(req.headers['idempotency-key']);
        const file = form!.files.find((f) => f.field === 'file');
        if (file === undefined)
          throw new ServiceError('ERR_HTTP_MULTIPART', 'The form needs a `file` part (the PDF)');
        const requestHash =
          key === undefined
            ? ''
            : Buffer.from(
                // What the request means: its JSON and the document, not the multipart framing.
                digest(
                  'sha256',
                  new TextEncoder().encode(`${form!.fields.request ?? ''}\n${file.sha256}`),
                ),
              ).toString('hex');
        const r = await d.applications.apply({
          app: app!,
          requestId,
          clientIp: req.ip,
          sealId: body.sealId,
          positions: body.positions,
          level: body.level ?? 'B-B',
          ...(body.bizId === undefined ? {} : { bizId: body.bizId }),
          ...(body.reason === undefined ? {} : { reason: body.reason }),
          ...(body.location === undefined ? {} : { location: body.location }),
          file: { filename: file.filename || 'document.pdf', read: () => file.read() },
          ...(key === undefined ? {} : { idempotency: { key, requestHash } }),
          timing,
        });
        return {
          status: r.replayed ? 200 : 201,
          json: applicationView(r.application),
          headers: {
            Location: `/v1/seal-applications/${r.application.id}`,
            ...(r.replayed ? { 'Idempotent-Replayed': 'true' } : {}),
          },
        };
      },
    }),
    defineRoute<z.ZodType, z.ZodType, z.infer<typeof batchRequestSchema>>({
      method: 'post',
      path: '/v1/seal-applications:batch',
      operationId: 'applySealBatch',
      summary:
        'Seal several PDFs: `request` lists items, each naming its file part (file0, file1, ...); per-item results',
      tags: ['seal-applications'],
      auth: 'seal-user',
      usageLog: true,
      body: {
        type: 'multipart',
        schema: batchRequestSchema,
        files: ['file0', 'file1*'],
        maxFiles: 100,
      },
      responses: {
        200: {
          description: 'One result per item, in order',
          schema: z.object({
            results: z.array(
              z.union([
                z.object({ ok: z.literal(true), application: applicationViewSchema }),
                z.object({
                  ok: z.literal(false),
                  error: z.object({ code: z.string(), message: z.string(), status: z.number() }),
                }),
              ]),
            ),
          }),
        },
      },
      handler: async ({ req, body, form, app, requestId }) => {
        if (body.items.length > d.batchItems)
          throw new ServiceError('ERR_HTTP_MULTIPART', `At most ${d.batchItems} items per batch`);
        const results = [];
        // One at a time: a batch must not starve other callers of the signing keys.
        for (const item of body.items) {
          const file = form!.files.find((f) => f.field === item.file);
          if (file === undefined) {
            results.push({
              ok: false as const,
              error: {
                code: 'ERR_HTTP_MULTIPART',
                message: `No file part ${item.file}`,
                status: 400,
              },
            });
            continue;
          }
          try {
            const r = await d.applications.apply({
              app: app!,
              requestId,
              clientIp: req.ip,
              sealId: item.sealId,
              positions: item.positions,
              level: item.level ?? 'B-B',
              ...(item.bizId === undefined ? {} : { bizId: item.bizId }),
              ...(item.reason === undefined ? {} : { reason: item.reason }),
              ...(item.location === undefined ? {} : { location: item.location }),
              file: { filename: file.filename || `${item.file}.pdf`, read: () => file.read() },
            });
            results.push({ ok: true as const, application: applicationView(r.application) });
          } catch (err) {
            if (!isGovTrustError(err)) throw err;
            results.push({
              ok: false as const,
              error: {
                code: err.code,
                message: err.message,
                status: httpErrorFor(err.code).status,
              },
            });
          }
        }
        return { status: 200, json: { results } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/seal-applications/{id}',
      operationId: 'getSealApplication',
      summary: 'One seal application',
      tags: ['seal-applications'],
      auth: 'seal-user',
      params: idParams,
      body: { type: 'none' },
      responses: { 200: { description: 'The application', schema: applicationViewSchema } },
      handler: async ({ params, app }) => ({
        status: 200,
        json: applicationView(await d.applications.get(params.id, app!)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/seal-applications/{id}/result',
      operationId: 'downloadSealedPdf',
      summary: 'The sealed PDF',
      tags: ['seal-applications'],
      auth: 'seal-user',
      params: idParams,
      body: { type: 'none' },
      responses: { 200: { description: 'The sealed PDF', contentType: 'application/pdf' } },
      handler: async ({ params, app }) => ({
        status: 200,
        bytes: await d.applications.result(params.id, app!),
        contentType: 'application/pdf',
        headers: {
          'Content-Disposition': `attachment; filename="${params.id}.pdf"`,
          'Cache-Control': 'private, no-store',
        },
      }),
    }),
    defineRoute<z.ZodType, z.ZodType, z.infer<typeof sessionRequestSchema>>({
      method: 'post',
      path: '/v1/signing-sessions',
      operationId: 'createSigningSession',
      summary:
        'Two-step signing, step 1: upload the PDF; get the signed attributes (and digest) to sign with the external key',
      tags: ['signing-sessions'],
      auth: 'seal-user',
      usageLog: true,
      body: { type: 'multipart', schema: sessionRequestSchema, files: ['file'], maxFiles: 1 },
      responses: { 201: { description: 'The session', schema: sessionViewSchema } },
      handler: async ({ req, body, form, app, requestId }) => {
        const file = form!.files.find((f) => f.field === 'file');
        if (file === undefined)
          throw new ServiceError('ERR_HTTP_MULTIPART', 'The form needs a `file` part (the PDF)');
        return {
          status: 201,
          json: await d.sessions.create({
            app: app!,
            requestId,
            clientIp: req.ip,
            sealId: body.sealId,
            position: body.position,
            level: body.level ?? 'B-B',
            ...(body.bizId === undefined ? {} : { bizId: body.bizId }),
            ...(body.reason === undefined ? {} : { reason: body.reason }),
            file: { filename: file.filename || 'document.pdf', read: () => file.read() },
          }),
        };
      },
    }),
    defineRoute<typeof idParams, z.ZodType, z.infer<typeof completeSessionSchema>>({
      method: 'post',
      path: '/v1/signing-sessions/{id}/complete',
      operationId: 'completeSigningSession',
      summary:
        'Two-step signing, step 2: the signature value; answers the sealed PDF (X-Application-Id names the application)',
      tags: ['signing-sessions'],
      auth: 'seal-user',
      usageLog: true,
      params: idParams,
      body: { type: 'json', schema: completeSessionSchema },
      responses: { 200: { description: 'The sealed PDF', contentType: 'application/pdf' } },
      handler: async ({ req, params, body, app, requestId }) => {
        const r = await d.sessions.complete({
          app: app!,
          requestId,
          clientIp: req.ip,
          sessionId: params.id,
          signature: new Uint8Array(Buffer.from(body.signature, 'base64')),
        });
        return {
          status: 200,
          bytes: r.pdf,
          contentType: 'application/pdf',
          headers: {
            'X-Application-Id': r.application.id,
            Location: `/v1/seal-applications/${r.application.id}`,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/seal-usage',
      operationId: 'listSealUsage',
      summary: 'Query the usage log (用印记录); applications see their own entries',
      tags: ['logs'],
      auth: 'seal-user',
      query: usageQuerySchema,
      body: { type: 'none' },
      responses: {
        200: { description: 'Entries with their chain fields', schema: usagePageSchema },
      },
      handler: async ({ query, app }) => {
        const admin = app!.roles.includes('admin');
        const r = await d.logs.queryUsage({
          ...(admin
            ? query.appId === undefined
              ? {}
              : { appId: query.appId }
            : { appId: app!.appId }),
          ...(query.sealId === undefined ? {} : { sealId: query.sealId }),
          ...(query.from === undefined ? {} : { from: query.from }),
          ...(query.to === undefined ? {} : { to: query.to }),
          ...(query.result === undefined ? {} : { result: query.result }),
          ...(query.after === undefined ? {} : { after: query.after }),
          limit: query.limit ?? 100,
        });
        const head = admin ? await d.logs.head('usage') : undefined;
        return {
          status: 200,
          json: {
            items: r.items.map(usageEntryView),
            ...(r.next === undefined ? {} : { next: r.next }),
            ...(head === undefined ? {} : { head }),
          },
        };
      },
    }),
    ...(['usage', 'audit'] as const).map((log) =>
      defineRoute({
        method: 'get',
        path: log === 'usage' ? '/v1/seal-usage/export' : '/v1/audit-events/export',
        operationId: log === 'usage' ? 'exportSealUsage' : 'exportAuditEvents',
        summary: `The whole ${log === 'usage' ? 'usage log (用印记录)' : 'audit log (admin events)'} as NDJSON for \`govtrust audit verify\``,
        tags: ['logs'],
        auth: 'admin',
        body: { type: 'none' },
        responses: {
          200: {
            description: 'NDJSON: a header line, then one entry per line',
            contentType: 'application/x-ndjson',
          },
        },
        handler: async () => {
          const head = await d.logs.head(log);
          return {
            status: 200,
            bytes: new TextEncoder().encode(await d.logs.exportLog(log)),
            contentType: 'application/x-ndjson',
            headers: head === undefined ? {} : { 'X-Log-Head': `${head.seq}:${head.hash}` },
          };
        },
      }),
    ),
  ];
  return routes;
}
