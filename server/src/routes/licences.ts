/**
 * Licence service and directory routes: issuers, licence types (证照目录) and rights (admins);
 * issue and lifecycle (issuer apps); verification, status, directory lookups with a use cause
 * (用证事由) and face links (verifier apps); the usage log (用证记录, admins); public status lists
 * and the public, masked lookup of the verifier page.
 * @module
 */
import { z } from 'zod';
import { ServiceError, isGovTrustError } from '@govtrust/core/errors';
import type { LicenceStatusSource } from '@govtrust/core/licence';
import type { RateLimiter } from '../auth/rate-limit.js';
import {
  publicCallerId,
  type Caller,
  type DirectoryQuery,
  type DirectoryService,
  type RemoteDirectory,
} from '../domain/directory.js';
import { licenceIssuerView, type LicenceService } from '../domain/licences.js';
import {
  defineRoute,
  markUsageRecorded,
  type AuthenticatedApp,
  type Role,
  type RouteDef,
} from '../http/route.js';

/** What the licence routes need. */
export interface LicenceRouteDeps {
  readonly licences: LicenceService;
  readonly directory: DirectoryService;
  /** The remote directory (cascade) for the status of licences this node does not hold. */
  readonly remote?: RemoteDirectory;
  /** This node's id. */
  readonly nodeId: string;
  /** Per-address limiter of the public endpoints. */
  readonly publicRateLimiter: RateLimiter;
  /** Largest verification upload (bytes). */
  readonly uploadBytes: number;
}

const lookupRoles: readonly Role[] = ['verifier', 'issuer', 'admin'];
const readRoles: readonly Role[] = ['verifier', 'issuer', 'admin'];

const identifierParams = z.object({ identifier: z.string().min(1).max(300) });
const useCauseQuery = z.object({
  useCause: z
    .string()
    .max(2000)
    .optional()
    .describe('用证事由: why the licence is looked up (required, 2-200 characters)'),
});
const reasonBody = z.strictObject({
  reasonCode: z
    .string()
    .max(64)
    .optional()
    .describe('A reason code of the action, e.g. revoke.penalty (default <action>.other)'),
  reason: z.string().max(500).optional().describe('Free text, e.g. the decision number'),
});
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const holderSchema = z.strictObject({
  name: z.string().min(1).max(512),
  code: z.string().min(1).max(128),
  codeTypeCode: z.string().min(1).max(8).describe('持证主体代码类型代码, e.g. 111, 001'),
  codeType: z.string().max(128).optional(),
});
const fieldsSchema = z.record(
  z.string().max(64),
  z.union([z.string().max(10_000), z.number(), z.boolean()]),
);
const issueSchema = z.strictObject({
  typeCode: z.string().min(1).max(64),
  issuerCode: z.string().max(32).optional(),
  number: z.string().min(1).max(128),
  holder: holderSchema,
  issueDate: date.optional(),
  validFrom: date.optional(),
  validUntil: date.nullable().optional(),
  areaCode: z.string().max(12).optional(),
  fields: fieldsSchema,
  relatedItem: z
    .strictObject({ name: z.string().min(1).max(512), code: z.string().max(128).optional() })
    .optional(),
  serial: z.string().max(40).optional(),
  level: z.enum(['B-B', 'B-T']).optional(),
});
const supersedeSchema = z.strictObject({
  changes: z.strictObject({
    number: z.string().min(1).max(128).optional(),
    holder: holderSchema.optional(),
    issueDate: date.optional(),
    validFrom: date.optional(),
    validUntil: date.nullable().optional(),
    areaCode: z.string().max(12).optional(),
    fields: fieldsSchema.optional(),
  }),
  reasonCode: z.string().max(64).optional(),
  reason: z.string().max(500).optional(),
});
const licenceViewSchema = z
  .object({
    identifier: z.string(),
    status: z.string(),
    statusSince: z.string(),
    qrText: z.string(),
    digest: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .loose();
const issueResultSchema = z.object({
  licence: licenceViewSchema,
  face: z.string().describe('The sealed face PDF, base64'),
  signedData: z.record(z.string(), z.unknown()).describe('The signed licence data file (JSON)'),
});
const indexViewSchema = z.object({ identifier: z.string(), status: z.string() }).loose();
const answerSchema = z.union([
  z.object({
    found: z.literal(true),
    source: z.object({ node: z.string() }),
    licence: indexViewSchema,
  }),
  z.object({ found: z.literal(false) }),
]);
const holderQuery = z.object({
  holderCode: z.string().min(1).max(128),
  holderCodeType: z
    .string()
    .min(1)
    .max(40)
    .describe('e.g. 111 (公民身份号码), 001 (统一社会信用代码)'),
  licenceType: z.string().min(1).max(64).describe('证照类型代码'),
  useCause: useCauseQuery.shape.useCause,
});
const qrQuery = z.object({
  text: z.string().min(1).max(2000),
  useCause: useCauseQuery.shape.useCause,
});
const publicQuery = z.object({
  d: z
    .string()
    .max(100)
    .optional()
    .describe('licenceDigest of the current data (from the QR code)'),
  useCause: useCauseQuery.shape.useCause,
});
const usageQuery = z.object({
  caller: z.string().max(100).optional(),
  identifier: z.string().max(200).optional(),
  action: z
    .enum([
      'lookup',
      'holder-query',
      'qr-query',
      'status',
      'verify',
      'face-link',
      'face-download',
      'public-lookup',
    ])
    .optional(),
  result: z.enum(['found', 'not-found', 'refused', 'failed']).optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  after: z.string().max(200).optional(),
});
const rightsSchema = z.strictObject({
  issuers: z.array(z.string().min(1).max(32)).max(1000).default([]),
  lookupTypes: z.array(z.string().min(1).max(64)).max(1000).default([]),
  lookupAreas: z.array(z.string().min(1).max(12)).max(1000).default([]),
});

const appCaller = (
  app: AuthenticatedApp | undefined,
  requestId: string,
  ip: string | undefined,
): Caller => ({
  kind: 'app',
  id: app?.appId ?? 'unknown',
  roles: app?.roles ?? [],
  requestId,
  ...(ip === undefined ? {} : { clientIp: ip }),
});

const actions = ['suspend', 'resume', 'revoke', 'cancel'] as const;
const actionSummary: Record<(typeof actions)[number], string> = {
  suspend: 'Suspend a licence (暂扣): reversible; the suspension bit is set',
  resume: 'Resume a suspended licence (暂扣发还)',
  revoke: 'Revoke a licence (吊销/撤销): terminal; the revocation bit is set',
  cancel: 'Cancel a licence (注销): terminal; the revocation bit is set',
};

/** The licence routes. */
export function licenceRoutes(d: LicenceRouteDeps): RouteDef[] {
  const { licences, directory } = d;

  /** Status of a verified licence: the local directory, then the remote one. */
  const statusSource = (caller: Caller, useCause: string): LicenceStatusSource => ({
    async status(data, { now }) {
      const local = await licences.registry.getStatus(data.identifier, { now });
      if (local.found && local.status !== undefined)
        return { found: true, status: local.status, source: `directory:${d.nodeId}` };
      if (d.remote !== undefined) {
        const a = await d.remote.lookup(
          { by: 'identifier', identifier: data.identifier },
          caller,
          useCause,
        );
        if (a.found)
          return { found: true, status: a.licence.status, source: `directory:${a.source.node}` };
      }
      return { found: false, source: `directory:${d.nodeId}` };
    },
  });

  const lookupReply = async (
    query: DirectoryQuery,
    caller: Caller,
    useCause: string | undefined,
  ): Promise<{ status: number; json: unknown; headers: Record<string, string> }> => ({
    status: 200,
    json: await directory.lookup(query, caller, useCause ?? ''),
    headers: { 'Cache-Control': 'no-store' },
  });

  return [
    defineRoute<z.ZodType, z.ZodType, { code: string; name: string; algorithm?: string }>({
      method: 'post',
      path: '/v1/licence-issuers',
      operationId: 'createLicenceIssuer',
      summary:
        'Register a licence issuer (证照颁发机构): key, licence-issuer certificate from the server CA, GB/T 38540 seal',
      tags: ['licences'],
      auth: 'admin',
      body: {
        type: 'json',
        schema: z.strictObject({
          code: z.string().min(18).max(18).describe('统一社会信用代码 of the issuer'),
          name: z.string().min(1).max(200),
          algorithm: z.enum(['p256', 'rsa', 'sm2']).optional(),
        }),
      },
      responses: {
        201: { description: 'The issuer', schema: z.object({ code: z.string() }).loose() },
      },
      handler: async ({ body, app, requestId }) => ({
        status: 201,
        json: licenceIssuerView(await licences.createIssuer(body, app!.appId, requestId)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/licence-issuers',
      operationId: 'listLicenceIssuers',
      summary: 'The licence issuers of this server with their certificates',
      tags: ['licences'],
      auth: readRoles,
      body: { type: 'none' },
      responses: {
        200: { description: 'Issuers', schema: z.object({ items: z.array(z.unknown()) }) },
      },
      handler: async () => ({
        status: 200,
        json: { items: (await licences.listIssuers()).map(licenceIssuerView) },
      }),
    }),
    defineRoute<z.ZodType, z.ZodType, unknown>({
      method: 'put',
      path: '/v1/licence-types',
      operationId: 'putLicenceType',
      summary: 'Create or replace a licence type (证照目录 record with its face layout)',
      tags: ['licences'],
      auth: 'admin',
      body: { type: 'json', schema: z.record(z.string(), z.unknown()) },
      responses: {
        200: { description: 'The stored type', schema: z.object({ typeCode: z.string() }).loose() },
      },
      handler: async ({ body, app, requestId }) => ({
        status: 200,
        json: await licences.putType(body, app!.appId, requestId),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/licence-types',
      operationId: 'listLicenceTypes',
      summary: 'The licence types (证照目录)',
      tags: ['licences'],
      auth: readRoles,
      body: { type: 'none' },
      responses: {
        200: { description: 'Types', schema: z.object({ items: z.array(z.unknown()) }) },
      },
      handler: async () => ({ status: 200, json: { items: await licences.listTypes() } }),
    }),
    defineRoute<z.ZodType, z.ZodType, z.output<typeof rightsSchema>>({
      method: 'put',
      path: '/v1/apps/{id}/licence-rights',
      operationId: 'setLicenceRights',
      summary:
        'Set what an application may do with licences: issuers it manages, licence types and areas (GB/T 2260 prefixes) it may look up',
      tags: ['licences'],
      auth: 'admin',
      params: z.object({ id: z.string().min(1).max(100) }),
      body: { type: 'json', schema: rightsSchema },
      responses: { 200: { description: 'The rights', schema: rightsSchema.loose() } },
      handler: async ({ req, body, app, requestId }) => ({
        status: 200,
        json: await licences.setRights(String(req.params.id), body, app!.appId, requestId),
      }),
    }),
    defineRoute<z.ZodType, z.ZodType, z.output<typeof issueSchema>>({
      method: 'post',
      path: '/v1/licences',
      operationId: 'issueLicence',
      summary:
        'Issue a licence (签发): signed data and sealed face PDF (QR code, data attached), stored; status-list index allocated',
      tags: ['licences'],
      auth: 'issuer',
      body: { type: 'json', schema: issueSchema },
      responses: { 201: { description: 'The issued licence', schema: issueResultSchema } },
      handler: async ({ body, app, requestId }) => {
        const r = await licences.issue(body, app!, requestId);
        return {
          status: 201,
          json: {
            licence: r.licence,
            face: Buffer.from(r.face).toString('base64'),
            signedData: JSON.parse(new TextDecoder().decode(r.signedData)) as unknown,
          },
          headers: { Location: `/v1/licences/${r.licence.identifier}` },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/licences/{identifier}',
      operationId: 'getLicence',
      summary: 'A licence with its data and status (issuer apps of its issuer, admins)',
      tags: ['licences'],
      auth: ['issuer', 'admin'],
      params: identifierParams,
      body: { type: 'none' },
      responses: { 200: { description: 'The licence', schema: licenceViewSchema } },
      handler: async ({ params, app }) => ({
        status: 200,
        json: await licences.get(params.identifier, app!),
      }),
    }),
    ...actions.map((action) =>
      defineRoute<typeof identifierParams, z.ZodType, z.output<typeof reasonBody>>({
        method: 'post',
        path: `/v1/licences/{identifier}/${action}`,
        operationId: `${action}Licence`,
        summary: actionSummary[action],
        tags: ['licences'],
        auth: 'issuer',
        params: identifierParams,
        body: { type: 'json', schema: reasonBody },
        responses: {
          200: { description: 'The licence after the change', schema: licenceViewSchema },
        },
        handler: async ({ params, body, app }) => ({
          status: 200,
          json: await licences.changeStatus(params.identifier, action, body, app!),
        }),
      }),
    ),
    defineRoute<typeof identifierParams, z.ZodType, z.output<typeof supersedeSchema>>({
      method: 'post',
      path: '/v1/licences/{identifier}/supersede',
      operationId: 'supersedeLicence',
      summary:
        'Supersede a licence (变更/换发): the next version (version + 1) is issued, this one marked superseded',
      tags: ['licences'],
      auth: 'issuer',
      params: identifierParams,
      body: { type: 'json', schema: supersedeSchema },
      responses: {
        201: {
          description: 'The new version, its face and data, and the previous version',
          schema: issueResultSchema.extend({ previous: licenceViewSchema }),
        },
      },
      handler: async ({ params, body, app }) => {
        const r = await licences.supersede(
          params.identifier,
          body.changes,
          { reasonCode: body.reasonCode, reason: body.reason },
          app!,
        );
        return {
          status: 201,
          json: {
            licence: r.licence,
            previous: r.previous,
            face: Buffer.from(r.face).toString('base64'),
            signedData: JSON.parse(new TextDecoder().decode(r.signedData)) as unknown,
          },
          headers: { Location: `/v1/licences/${r.licence.identifier}` },
        };
      },
    }),
    defineRoute<z.ZodType, typeof useCauseQuery, Uint8Array>({
      method: 'post',
      path: '/v1/licences/verify',
      operationId: 'verifyLicence',
      summary:
        'Verify a licence (核验): the face PDF (application/pdf) or the signed data file (application/json); licence report with the 0-7 result',
      tags: ['licences'],
      auth: lookupRoles,
      usageLog: 'licence',
      query: useCauseQuery,
      body: {
        type: 'raw',
        contentTypes: ['application/pdf', 'application/json'],
        maxBytes: d.uploadBytes,
      },
      responses: {
        200: {
          description: 'The licence report (DESIGN.md §4 shape, result 0-7)',
          schema: z.object({ status: z.string(), result: z.number() }).loose(),
        },
      },
      handler: async ({ req, query, body, app, requestId }) => {
        const caller = appCaller(app, requestId, req.ip);
        let cause: string;
        try {
          cause = directory.checkUseCause(query.useCause);
        } catch (err) {
          await directory.record({
            requestId,
            caller: caller.id,
            callerKind: 'app',
            authenticated: true,
            action: 'verify',
            result: 'refused',
            code: (err as ServiceError).code,
            ...(req.ip === undefined ? {} : { clientIp: req.ip }),
          });
          throw markUsageRecorded(err as Error);
        }
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        const head = Buffer.from(body.subarray(0, 1024)).toString('latin1');
        const looksPdf = head.includes('%PDF-');
        if (type === 'application/pdf' ? !looksPdf : looksPdf || !head.trimStart().startsWith('{'))
          throw new ServiceError(
            'ERR_LICENCE_UPLOAD_CONTENT',
            type === 'application/pdf'
              ? 'The upload is sent as application/pdf but is not a PDF'
              : 'The upload is sent as application/json but is not a JSON object',
          );
        let report;
        try {
          report = await licences.verify(body, statusSource(caller, cause));
        } catch (err) {
          if (isGovTrustError(err)) {
            await directory.record({
              requestId,
              caller: caller.id,
              callerKind: 'app',
              authenticated: true,
              action: 'verify',
              useCause: cause,
              result: 'failed',
              code: err.code,
              ...(req.ip === undefined ? {} : { clientIp: req.ip }),
            });
            throw markUsageRecorded(err);
          }
          throw err;
        }
        await directory.record({
          requestId,
          caller: caller.id,
          callerKind: 'app',
          authenticated: true,
          action: 'verify',
          useCause: cause,
          ...(report.identifier === '' ? {} : { identifier: report.identifier }),
          result: report.result === 5 ? 'not-found' : 'found',
          licenceResult: report.result,
          ...(req.ip === undefined ? {} : { clientIp: req.ip }),
        });
        return { status: 200, json: report, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute<typeof identifierParams, typeof useCauseQuery>({
      method: 'get',
      path: '/v1/licences/{identifier}/status',
      operationId: 'getLicenceStatus',
      summary:
        'Authoritative licence status from the directory (no cache: every call reads the directory); needs useCause',
      tags: ['licences', 'directory'],
      auth: lookupRoles,
      usageLog: 'licence',
      params: identifierParams,
      query: useCauseQuery,
      body: { type: 'none' },
      responses: {
        200: {
          description: 'found, status, statusLabel, result 0-7 and the answering node',
          schema: z.object({ found: z.boolean() }).loose(),
        },
      },
      handler: async ({ req, params, query, app, requestId }) => {
        const a = await directory.lookup(
          { by: 'identifier', identifier: params.identifier },
          appCaller(app, requestId, req.ip),
          query.useCause ?? '',
          { action: 'status' },
        );
        return {
          status: 200,
          json: a.found
            ? {
                found: true,
                identifier: a.licence.identifier,
                status: a.licence.status,
                statusLabel: a.licence.statusLabel,
                ...(a.licence.statusReason === undefined
                  ? {}
                  : { statusReason: a.licence.statusReason }),
                since: a.licence.updatedAt,
                notYetValid: a.licence.notYetValid,
                result: a.licence.result,
                resultMessage: a.licence.resultMessage,
                source: a.source,
              }
            : {
                found: false,
                identifier: params.identifier,
                result: 5,
                resultMessage: '查无此信息',
              },
          headers: { 'Cache-Control': 'no-store' },
        };
      },
    }),
    defineRoute<z.ZodType, typeof holderQuery>({
      method: 'get',
      path: '/v1/directory/licences',
      operationId: 'findLicenceByHolder',
      summary:
        'Directory lookup by holder (持证主体代码 + 代码类型 + 证照类型代码): the current licence; needs useCause',
      tags: ['directory'],
      auth: lookupRoles,
      usageLog: 'licence',
      query: holderQuery,
      body: { type: 'none' },
      responses: { 200: { description: 'The directory answer', schema: answerSchema } },
      handler: async ({ req, query, app, requestId }) =>
        lookupReply(
          {
            by: 'holder',
            holderCode: query.holderCode,
            holderCodeType: query.holderCodeType,
            licenceType: query.licenceType,
          },
          appCaller(app, requestId, req.ip),
          query.useCause,
        ),
    }),
    defineRoute<z.ZodType, typeof qrQuery>({
      method: 'get',
      path: '/v1/directory/qr',
      operationId: 'findLicenceByQr',
      summary:
        'Directory lookup by the QR code text (verification URL with id and d); needs useCause',
      tags: ['directory'],
      auth: lookupRoles,
      usageLog: 'licence',
      query: qrQuery,
      body: { type: 'none' },
      responses: { 200: { description: 'The directory answer', schema: answerSchema } },
      handler: async ({ req, query, app, requestId }) =>
        lookupReply(
          { by: 'qr', text: query.text },
          appCaller(app, requestId, req.ip),
          query.useCause,
        ),
    }),
    defineRoute<z.ZodType, typeof useCauseQuery>({
      method: 'get',
      path: '/v1/directory/licences/{identifier}',
      operationId: 'findLicence',
      summary: 'Directory lookup by identifier (证照标识); needs useCause',
      tags: ['directory'],
      auth: lookupRoles,
      usageLog: 'licence',
      params: identifierParams,
      query: useCauseQuery,
      body: { type: 'none' },
      responses: { 200: { description: 'The directory answer', schema: answerSchema } },
      handler: async ({ req, query, app, requestId }) =>
        lookupReply(
          { by: 'identifier', identifier: String(req.params.identifier) },
          appCaller(app, requestId, req.ip),
          query.useCause,
        ),
    }),
    defineRoute<typeof identifierParams, z.ZodType, { useCause?: string }>({
      method: 'post',
      path: '/v1/licences/{identifier}/face-link',
      operationId: 'createFaceLink',
      summary: 'A single-use, short-lived download link of the face PDF (needs useCause)',
      tags: ['directory'],
      auth: lookupRoles,
      usageLog: 'licence',
      params: identifierParams,
      body: { type: 'json', schema: z.strictObject({ useCause: useCauseQuery.shape.useCause }) },
      responses: {
        201: {
          description: 'The link (path relative to this server) and its expiry',
          schema: z.object({ url: z.string(), expiresAt: z.string() }),
        },
      },
      handler: async ({ req, params, body, app, requestId }) => {
        const link = await directory.createFaceLink(
          params.identifier,
          appCaller(app, requestId, req.ip),
          body.useCause ?? '',
        );
        return {
          status: 201,
          json: { url: link.path, expiresAt: link.expiresAt },
          headers: { 'Cache-Control': 'no-store' },
        };
      },
    }),
    defineRoute<z.ZodType<{ token: string }>>({
      method: 'get',
      path: '/v1/face-links/{token}',
      operationId: 'downloadFace',
      summary:
        'Download a face PDF once through its link (no credentials; the link is the capability)',
      tags: ['directory', 'public'],
      auth: 'public',
      usageLog: 'licence',
      params: z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) }),
      body: { type: 'none' },
      responses: { 200: { description: 'The face PDF', contentType: 'application/pdf' } },
      handler: async ({ req, params, requestId }) => {
        d.publicRateLimiter.take(req.ip ?? 'unknown');
        const r = await directory.redeemFaceLink(params.token, {
          kind: 'public',
          id: publicCallerId(req.ip),
          requestId,
        });
        return {
          status: 200,
          bytes: r.face,
          contentType: 'application/pdf',
          headers: {
            'Content-Disposition': `attachment; filename="${r.identifier}.pdf"`,
            'Cache-Control': 'private, no-store',
          },
        };
      },
    }),
    defineRoute<z.ZodType, typeof usageQuery>({
      method: 'get',
      path: '/v1/usage/licences',
      operationId: 'listLicenceUsage',
      summary:
        'Query the licence usage log (用证记录): every lookup, verification and face download, found or refused',
      tags: ['directory', 'logs'],
      auth: 'admin',
      query: usageQuery,
      body: { type: 'none' },
      responses: {
        200: {
          description: 'Entries with their chain fields',
          schema: z.object({ items: z.array(z.unknown()), next: z.string().optional() }),
        },
      },
      handler: async ({ query }) => {
        const q = query;
        const r = await directory.queryUsage({
          ...(q.caller === undefined ? {} : { caller: q.caller }),
          ...(q.identifier === undefined ? {} : { identifier: q.identifier }),
          ...(q.action === undefined ? {} : { action: q.action }),
          ...(q.result === undefined ? {} : { result: q.result }),
          ...(q.from === undefined ? {} : { from: q.from }),
          ...(q.to === undefined ? {} : { to: q.to }),
          ...(q.after === undefined ? {} : { after: q.after }),
          limit: q.limit ?? 100,
        });
        return {
          status: 200,
          json: {
            items: r.items.map((e) => ({
              seq: e.seq,
              hash: e.hash,
              prevHash: e.prevHash,
              entry: e.entry,
            })),
            ...(r.next === undefined ? {} : { next: r.next }),
          },
        };
      },
    }),
    defineRoute<z.ZodType<{ issuer: string; list: string }>>({
      method: 'get',
      path: '/v1/status-lists/{issuer}/{list}',
      operationId: 'getStatusList',
      summary:
        'A signed W3C Bitstring Status List of an issuer (`<n>-revocation` or `<n>-suspension`); public, cacheable (ETag, max-age)',
      tags: ['licences', 'public'],
      auth: 'public',
      params: z.object({ issuer: z.string().min(1).max(32), list: z.string().min(1).max(40) }),
      body: { type: 'none' },
      responses: {
        200: { description: 'The signed status list credential', schema: z.object({}).loose() },
        304: { description: 'Not modified (If-None-Match)' },
      },
      handler: async ({ req, params }) => {
        const served = await licences.statusList(params.issuer, params.list);
        const headers = {
          ETag: served.etag,
          'Cache-Control': `public, max-age=${served.maxAgeSeconds}`,
        };
        const inm = req.headers['if-none-match'];
        if (
          inm !== undefined &&
          inm.split(',').some((t) => t.trim().replace(/^W\//, '') === served.etag)
        )
          return { status: 304, headers };
        return { status: 200, bytes: served.body, contentType: 'application/json', headers };
      },
    }),
    defineRoute<z.ZodType<{ identifier: string }>, typeof publicQuery>({
      method: 'get',
      path: '/v1/public/licences/{identifier}',
      operationId: 'getPublicLicence',
      summary:
        'Public licence check for the verifier page: needs d (the QR digest) and useCause; masked holder data; per-address rate limit',
      tags: ['public', 'directory'],
      auth: 'public',
      usageLog: 'licence',
      params: z.object({ identifier: z.string().min(1).max(300) }),
      query: publicQuery,
      body: { type: 'none' },
      responses: {
        200: {
          description: 'Status, type, issuer, validity and masked holder data',
          schema: z.object({ identifier: z.string(), status: z.string() }).loose(),
        },
      },
      handler: async ({ req, params, query, requestId }) => {
        d.publicRateLimiter.take(req.ip ?? 'unknown');
        const view = await directory.publicLookup(
          params.identifier,
          query.d ?? '',
          { kind: 'public', id: publicCallerId(req.ip), requestId },
          query.useCause,
        );
        return { status: 200, json: view, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
  ];
}
