/**
 * The GovTrust seal service client: signs every request (canonical request + HMAC, see
 * `canonical.ts`), uploads PDFs as multipart forms, downloads results, and runs two-step signing
 * with a key outside the server (UKey, HSM) through a callback.
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  digest as hashBytes,
  type HashAlgorithm,
  type SignatureAlgorithm,
} from '../crypto/index.js';
import { GovTrustError, RemoteServiceError } from '../errors/index.js';
import { signRequest, type RequestSignatureAlgorithm } from './canonical.js';
import type {
  AppCredentialView,
  GrantView,
  SealApplicationView,
  SealPosition,
  SealStatusView,
  SealView,
  SigningSessionView,
  UsageEntryView,
} from './types.js';

/** Options of `createGovTrustClient`. */
export interface GovTrustClientOptions {
  /** e.g. `http://127.0.0.1:8080` (no trailing path). */
  readonly baseUrl: string;
  readonly appId: string;
  readonly secret: string;
  readonly algorithm?: RequestSignatureAlgorithm;
  /** Per-request timeout (default 120 s). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
}

/** A raw answer. */
export interface ClientResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/** What a seal application sends. */
export interface ApplySealOptions {
  readonly sealId: string;
  readonly pdf: Uint8Array;
  readonly filename?: string;
  readonly positions: readonly SealPosition[];
  readonly level?: 'B-B' | 'B-T';
  readonly bizId?: string;
  readonly reason?: string;
  readonly location?: string;
  /** Makes a retry safe: the same key and body return the first result. */
  readonly idempotencyKey?: string;
}

/** What creating a seal sends (admin). */
export interface CreateSealOptions {
  readonly name: string;
  readonly type?: number;
  readonly organisation: { readonly name: string; readonly code?: string };
  /** esID: 14 digits or a UUID; default generated. */
  readonly esID?: string;
  readonly key?:
    | { readonly provider: 'generate'; readonly algorithm?: 'rsa' | 'p256' | 'sm2' }
    | {
        readonly provider: 'pkcs12';
        readonly path: string;
        readonly passwordFile: string;
      }
    | {
        readonly provider: 'pkcs11';
        readonly module: string;
        readonly tokenLabel?: string;
        readonly slot?: number;
        readonly keyLabel?: string;
        readonly keyId?: string;
        readonly pinFile: string;
        /** PEM public key of the token key: the server CA certifies it (else the token's certificate). */
        readonly publicKey?: string;
        readonly certificateChain?: readonly string[];
      }
    | {
        /** A key outside the server: its certificate chain (DER base64, signer first); two-step signing only. */
        readonly provider: 'external';
        readonly certificateChain: readonly string[];
      };
  readonly validDays?: number;
  /** Seal picture (PNG, base64); default: a drawn round seal. */
  readonly picturePng?: string;
  readonly widthMm?: number;
  readonly heightMm?: number;
}

/** The external signer of `sealWithExternalSigner`: signs `toBeSigned` (or its `digest`). */
export type ExternalSign = (request: {
  readonly algorithm: SignatureAlgorithm;
  readonly toBeSigned: Uint8Array;
  readonly digest: Uint8Array;
  readonly digestAlgorithm: HashAlgorithm;
}) => Promise<Uint8Array>;

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** A multipart/form-data body built in memory, so that its exact bytes can be digested and signed. */
function multipart(
  parts: readonly {
    name: string;
    filename?: string;
    contentType: string;
    data: Uint8Array;
  }[],
): { body: Uint8Array; contentType: string } {
  const boundary = `----govtrust${randomBytes(16).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename === undefined ? '' : `; filename="${p.filename.replace(/["\r\n\\]/g, '_')}"`}`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${p.contentType}\r\n\r\n`,
        'utf8',
      ),
      Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength),
      Buffer.from('\r\n', 'utf8'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'));
  return {
    body: new Uint8Array(Buffer.concat(chunks)),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

function applicationRequest(
  o: Omit<ApplySealOptions, 'pdf' | 'idempotencyKey'>,
): Record<string, unknown> {
  return {
    sealId: o.sealId,
    positions: o.positions,
    ...(o.level === undefined ? {} : { level: o.level }),
    ...(o.bizId === undefined ? {} : { bizId: o.bizId }),
    ...(o.reason === undefined ? {} : { reason: o.reason }),
    ...(o.location === undefined ? {} : { location: o.location }),
  };
}

/** The seal service client. */
export interface GovTrustClient {
  /**
   * Sends a signed request and returns the raw answer (any status).
   * @throws {GovTrustError} ERR_CLIENT_NETWORK when the server cannot be reached in time
   */
  request(
    method: string,
    target: string,
    options?: {
      readonly json?: unknown;
      readonly body?: Uint8Array;
      readonly contentType?: string;
      readonly headers?: Readonly<Record<string, string>>;
      /** Send without signing headers (public endpoints). */
      readonly unsigned?: boolean;
    },
  ): Promise<ClientResponse>;
  createApp(options: { name: string; roles: readonly string[] }): Promise<AppCredentialView>;
  rotateAppSecret(appId: string): Promise<AppCredentialView>;
  revokeAppSecret(appId: string, secretId: string): Promise<void>;
  createSeal(options: CreateSealOptions): Promise<SealView>;
  getSeal(sealId: string): Promise<SealView>;
  listSeals(): Promise<readonly SealView[]>;
  /** The public status (no credentials needed). */
  getSealStatus(sealId: string): Promise<SealStatusView>;
  changeSealStatus(
    sealId: string,
    action: 'suspend' | 'resume' | 'report-loss' | 'cancel' | 'revoke' | 'remake',
    options?: { reason?: string },
  ): Promise<SealView>;
  createGrant(
    sealId: string,
    options: { appId: string; notBefore?: string; notAfter?: string; maxUses?: number },
  ): Promise<GrantView>;
  listGrants(sealId: string): Promise<readonly GrantView[]>;
  revokeGrant(grantId: string, options?: { reason?: string }): Promise<GrantView>;
  applySeal(options: ApplySealOptions): Promise<SealApplicationView>;
  applySealBatch(
    items: readonly ApplySealOptions[],
  ): Promise<
    readonly (
      | { ok: true; application: SealApplicationView }
      | { ok: false; error: { code: string; message: string; status: number } }
    )[]
  >;
  getApplication(applicationId: string): Promise<SealApplicationView>;
  downloadResult(applicationId: string): Promise<Uint8Array>;
  /** Applies and downloads in one call. */
  sealPdf(
    options: ApplySealOptions,
  ): Promise<{ application: SealApplicationView; pdf: Uint8Array }>;
  createSigningSession(options: {
    sealId: string;
    pdf: Uint8Array;
    filename?: string;
    position: SealPosition;
    level?: 'B-B' | 'B-T';
    bizId?: string;
    reason?: string;
  }): Promise<SigningSessionView>;
  completeSigningSession(
    sessionId: string,
    signature: Uint8Array,
  ): Promise<{ applicationId: string; pdf: Uint8Array }>;
  /** Two-step signing end to end: session, the callback signs, completion; resolves to the sealed PDF. */
  sealWithExternalSigner(options: {
    sealId: string;
    pdf: Uint8Array;
    position: SealPosition;
    level?: 'B-B' | 'B-T';
    bizId?: string;
    sign: ExternalSign;
  }): Promise<Uint8Array>;
  listUsage(
    query?: Readonly<Record<string, string | number>>,
  ): Promise<{ items: readonly UsageEntryView[]; next?: string }>;
  /** The usage log (用印记录) as an NDJSON export for `govtrust audit verify`. */
  exportLog(log: 'usage' | 'audit'): Promise<string>;
}

/**
 * Creates a client.
 * @example const client = createGovTrustClient({ baseUrl, appId, secret }); const { pdf } = await client.sealPdf({ sealId, pdf: input, positions: [{ type: 'page', page: 1, x: 120, y: 200 }] });
 */
export function createGovTrustClient(options: GovTrustClientOptions): GovTrustClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 120_000;

  const request: GovTrustClient['request'] = async (method, target, o = {}) => {
    const body =
      o.json !== undefined
        ? new TextEncoder().encode(JSON.stringify(o.json))
        : (o.body ?? new Uint8Array(0));
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.json !== undefined) headers['Content-Type'] = 'application/json';
    else if (o.contentType !== undefined) headers['Content-Type'] = o.contentType;
    if (o.unsigned !== true)
      Object.assign(
        headers,
        signRequest({
          appId: options.appId,
          secret: options.secret,
          method,
          target,
          body,
          ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }),
          now: options.now?.() ?? new Date(),
        }),
      );
    let res: Response;
    try {
      res = await doFetch(`${base}${target}`, {
        method,
        headers,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new GovTrustError(
        'ERR_CLIENT_NETWORK',
        `${method} ${target}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    return {
      status: res.status,
      headers: res.headers,
      body: new Uint8Array(await res.arrayBuffer()),
    };
  };

  const check = (res: ClientResponse, target: string): ClientResponse => {
    if (res.status < 400) return res;
    const type = res.headers.get('content-type') ?? '';
    if (type.includes('json')) {
      let problem: Record<string, unknown> = {};
      try {
        problem = JSON.parse(new TextDecoder().decode(res.body)) as Record<string, unknown>;
      } catch {
        // Fall through to the generic error below.
      }
      if (typeof problem.code === 'string')
        throw new RemoteServiceError(
          problem.code,
          typeof problem.detail === 'string' ? problem.detail : problem.code,
          {
            status: res.status,
            ...(typeof problem.requestId === 'string' ? { requestId: problem.requestId } : {}),
            problem,
          },
        );
    }
    throw new RemoteServiceError('ERR_CLIENT_RESPONSE', `${target}: HTTP ${res.status}`, {
      status: res.status,
    });
  };

  const json = async <T>(
    method: string,
    target: string,
    o?: Parameters<GovTrustClient['request']>[2],
  ): Promise<T> => {
    const res = check(await request(method, target, o), target);
    try {
      return JSON.parse(new TextDecoder().decode(res.body)) as T;
    } catch (err) {
      throw new GovTrustError('ERR_CLIENT_RESPONSE', `${target}: the answer is not JSON`, {
        cause: err,
      });
    }
  };
  const bytes = async (
    method: string,
    target: string,
    o?: Parameters<GovTrustClient['request']>[2],
  ): Promise<Uint8Array> => check(await request(method, target, o), target).body;

  const enc = encodeURIComponent;
  const client: GovTrustClient = {
    request,
    createApp: (o) => json('POST', '/v1/apps', { json: o }),
    rotateAppSecret: (appId) => json('POST', `/v1/apps/${enc(appId)}/secrets`, { json: {} }),
    async revokeAppSecret(appId, secretId) {
      check(await request('DELETE', `/v1/apps/${enc(appId)}/secrets/${enc(secretId)}`), '/v1/apps');
    },
    createSeal: (o) => json('POST', '/v1/seals', { json: o }),
    getSeal: (id) => json('GET', `/v1/seals/${enc(id)}`),
    listSeals: async () => (await json<{ items: SealView[] }>('GET', '/v1/seals')).items,
    getSealStatus: (id) => json('GET', `/v1/seals/${enc(id)}/status`, { unsigned: true }),
    changeSealStatus: (id, action, o = {}) =>
      json('POST', `/v1/seals/${enc(id)}/${action}`, { json: o }),
    createGrant: (sealId, o) => json('POST', `/v1/seals/${enc(sealId)}/grants`, { json: o }),
    listGrants: async (sealId) =>
      (await json<{ items: GrantView[] }>('GET', `/v1/seals/${enc(sealId)}/grants`)).items,
    revokeGrant: (grantId, o = {}) =>
      json('POST', `/v1/grants/${enc(grantId)}/revoke`, { json: o }),
    applySeal(o) {
      const form = multipart([
        {
          name: 'request',
          contentType: 'application/json',
          data: new TextEncoder().encode(JSON.stringify(applicationRequest(o))),
        },
        {
          name: 'file',
          filename: o.filename ?? 'document.pdf',
          contentType: 'application/pdf',
          data: o.pdf,
        },
      ]);
      return json('POST', '/v1/seal-applications', {
        body: form.body,
        contentType: form.contentType,
        ...(o.idempotencyKey === undefined
          ? {}
          : { headers: { 'Idempotency-Key': o.idempotencyKey } }),
      });
    },
    async applySealBatch(items) {
      const form = multipart([
        {
          name: 'request',
          contentType: 'application/json',
          data: new TextEncoder().encode(
            JSON.stringify({
              items: items.map((it, i) => ({ ...applicationRequest(it), file: `file${i}` })),
            }),
          ),
        },
        ...items.map((it, i) => ({
          name: `file${i}`,
          filename: it.filename ?? `document-${i}.pdf`,
          contentType: 'application/pdf',
          data: it.pdf,
        })),
      ]);
      return (
        await json<{ results: Awaited<ReturnType<GovTrustClient['applySealBatch']>> }>(
          'POST',
          '/v1/seal-applications:batch',
          {
            body: form.body,
            contentType: form.contentType,
          },
        )
      ).results;
    },
    getApplication: (id) => json('GET', `/v1/seal-applications/${enc(id)}`),
    downloadResult: (id) => bytes('GET', `/v1/seal-applications/${enc(id)}/result`),
    async sealPdf(o) {
      const application = await client.applySeal(o);
      return { application, pdf: await client.downloadResult(application.id) };
    },
    createSigningSession(o) {
      const form = multipart([
        {
          name: 'request',
          contentType: 'application/json',
          data: new TextEncoder().encode(
            JSON.stringify({
              sealId: o.sealId,
              position: o.position,
              ...(o.level === undefined ? {} : { level: o.level }),
              ...(o.bizId === undefined ? {} : { bizId: o.bizId }),
              ...(o.reason === undefined ? {} : { reason: o.reason }),
            }),
          ),
        },
        {
          name: 'file',
          filename: o.filename ?? 'document.pdf',
          contentType: 'application/pdf',
          data: o.pdf,
        },
      ]);
      return json('POST', '/v1/signing-sessions', {
        body: form.body,
        contentType: form.contentType,
      });
    },
    async completeSigningSession(sessionId, signature) {
      const target = `/v1/signing-sessions/${enc(sessionId)}/complete`;
      const res = check(
        await request('POST', target, { json: { signature: b64(signature) } }),
        target,
      );
      return { applicationId: res.headers.get('x-application-id') ?? '', pdf: res.body };
    },
    async sealWithExternalSigner(o) {
      const session = await client.createSigningSession(o);
      const signature = await o.sign({
        algorithm: session.signatureAlgorithm as SignatureAlgorithm,
        toBeSigned: new Uint8Array(Buffer.from(session.toBeSigned, 'base64')),
        digest: new Uint8Array(Buffer.from(session.digest, 'base64')),
        digestAlgorithm: session.digestAlgorithm as HashAlgorithm,
      });
      return (await client.completeSigningSession(session.id, signature)).pdf;
    },
    listUsage(query = {}) {
      const qs = new URLSearchParams(
        Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])),
      ).toString();
      return json('GET', `/v1/seal-usage${qs === '' ? '' : `?${qs}`}`);
    },
    async exportLog(log) {
      return new TextDecoder().decode(
        await bytes('GET', log === 'usage' ? '/v1/seal-usage/export' : '/v1/audit-events/export'),
      );
    },
  };
  return client;
}

/** The SHA-256 (hex) of a document, as usage-log entries record it. */
export function documentSha256(pdf: Uint8Array): string {
  return Buffer.from(hashBytes('sha256', pdf)).toString('hex');
}
