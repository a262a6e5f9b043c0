/**
 * The licence directory (证照目录信息查询, e-licences.md §3.2 and §8.2): lookups by identifier, by
 * holder (持证主体代码 + 代码类型 + 证照类型) and by QR code content, each with a required use cause
 * (用证事由) and a usage record (用证记录) for every answer and every refusal; access rights per
 * application (licence type, issuer, area); single-use short-lived face download links; the
 * public, masked answer of the verifier page; and the cascade hooks (`RemoteDirectory`,
 * `IndexSink`).
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  InvalidInputError,
  LicenceIdError,
  LicenceLookupError,
  ServiceError,
} from '@govtrust/core/errors';
import {
  checkLicenceId,
  effectiveLicenceStatus,
  holderCodeTypeNames,
  isLicenceNotYetValid,
  licenceDigest,
  licenceStatusReasons,
  maskHolderName,
  maskResidentId,
  parseLicenceId,
  provincialResultMessages,
  toProvincialResult,
  type LicenceRecord,
  type LicenceRegistry,
  type LicenceStatus,
  type ProvincialResult,
  type StoredLicenceState,
} from '@govtrust/core/licence';
import type { LogEntry } from '@govtrust/core/store';
import { markUsageRecorded, type Role } from '../http/route.js';
import type { LicenceRightsRecord, LicenceUsageEntry, ServerTx } from '../storage/schema.js';
import type { DomainContext } from './context.js';
import { logIndexRange, scanLog } from './usage.js';

/** A directory query (the three lookups of the provincial sharing API). */
export type DirectoryQuery =
  | { readonly by: 'identifier'; readonly identifier: string }
  | {
      readonly by: 'holder';
      readonly holderCode: string;
      /** 持证主体代码类型代码 (e.g. `111`, `001`) or its name (公民身份号码). */
      readonly holderCodeType: string;
      /** 证照类型代码. */
      readonly licenceType: string;
    }
  | {
      readonly by: 'qr';
      /** The QR code's text: the verification URL with `id` and `d`. */
      readonly text: string;
    };

/** Who asks: an application, the public verifier page, or a node of the cascade. */
export interface Caller {
  readonly kind: 'app' | 'public' | 'node';
  /** Recorded as the caller: app id, `public:<sha256(ip) prefix>`, `node:<id>`. */
  readonly id: string;
  /** Roles of an application caller (admins may look up everything). */
  readonly roles?: readonly Role[];
  /** The original caller named by a forwarding node (cascade). */
  readonly onBehalfOf?: string;
  readonly clientIp?: string;
  readonly requestId?: string;
}

/**
 * The per-licence index record (e-licences.md §3.2, `up_lic_data`): what the directory answers
 * from and what is reported upward in the cascade. `status` is the stored state (expiry is
 * computed at lookup time); `number` and `areaCode` are optional extras (证照编号, 属地编码).
 */
export interface LicenceIndexRecord {
  readonly identifier: string;
  readonly licenceTypeCode: string;
  readonly licenceTypeName: string;
  readonly issuerCode: string;
  readonly issuerName: string;
  readonly holderCode: string;
  /** 持证主体代码类型代码 (e.g. `111`). */
  readonly holderCodeType: string;
  readonly holderName: string;
  readonly status: StoredLicenceState;
  /** The reason code of the last status change (e.g. `revoke.penalty`). */
  readonly statusReason?: string;
  readonly validFrom: string;
  /** Absent for 长期 (no end date). */
  readonly validTo?: string;
  /** 证照颁发日期. */
  readonly issuedAt: string;
  /** The identifier's version (001 -> 1). */
  readonly version: number;
  readonly updatedAt: string;
  readonly number?: string;
  readonly areaCode?: string;
}

/** An index change, as the cascade outbox receives it. */
export interface IndexChange {
  readonly op: 'insert' | 'update' | 'delete';
  readonly record: LicenceIndexRecord;
}

/** Receives every index change inside the store transaction that makes it (default: none). */
export interface IndexSink {
  record(tx: ServerTx, change: IndexChange): Promise<void>;
}

/** The sink that does nothing (a node without a cascade). */
export const noIndexSink: IndexSink = { record: () => Promise.resolve() };

/** The zh/en label of each status (the verifier page shows them). */
export const licenceStatusLabels: Readonly<
  Record<LicenceStatus, { readonly zh: string; readonly en: string }>
> = {
  valid: { zh: '有效', en: 'Valid' },
  suspended: { zh: '暂扣', en: 'Suspended' },
  revoked: { zh: '已吊销', en: 'Revoked' },
  cancelled: { zh: '已注销', en: 'Cancelled' },
  expired: { zh: '已过期', en: 'Expired' },
  superseded: { zh: '已变更', en: 'Superseded' },
};

/** A directory answer's licence: the index record with its effective status at lookup time. */
export interface LicenceIndexView extends Omit<LicenceIndexRecord, 'status'> {
  /** Effective status (expiry computed at lookup time). */
  readonly status: LicenceStatus;
  /** The stored state. */
  readonly state: StoredLicenceState;
  readonly statusLabel: { readonly zh: string; readonly en: string };
  readonly notYetValid: boolean;
  /** The provincial 0-7 result and its message. */
  readonly result: ProvincialResult;
  readonly resultMessage: string;
}

/** What a lookup answers. */
export type DirectoryAnswer =
  | {
      readonly found: true;
      readonly source: { readonly node: string };
      readonly licence: LicenceIndexView;
    }
  | { readonly found: false };

/** Another directory consulted on a local miss (the national node, in the cascade). */
export interface RemoteDirectory {
  lookup(query: DirectoryQuery, caller: Caller, useCause: string): Promise<DirectoryAnswer>;
}

/** The index record of a stored licence. */
export function licenceIndexRecord(r: LicenceRecord): LicenceIndexRecord {
  const d = r.data;
  return {
    identifier: d.identifier,
    licenceTypeCode: d.typeCode,
    licenceTypeName: d.name,
    issuerCode: d.issuer.code,
    issuerName: d.issuer.name,
    holderCode: d.holder.code,
    holderCodeType: d.holder.codeTypeCode,
    holderName: d.holder.name,
    status: r.status.state,
    ...(r.status.reasonCode === undefined ? {} : { statusReason: r.status.reasonCode }),
    validFrom: d.validFrom,
    ...(d.validUntil === null ? {} : { validTo: d.validUntil }),
    issuedAt: d.issueDate,
    version: parseLicenceId(d.identifier, { mode: 'lenient' }).version,
    updatedAt: r.status.since,
    number: d.number,
    ...(d.areaCode === undefined ? {} : { areaCode: d.areaCode }),
  };
}

/** The view of an index record at `now` (also for records from other nodes). */
export function licenceIndexView(record: LicenceIndexRecord, now: Date): LicenceIndexView {
  const status = effectiveLicenceStatus(record.status, record.validTo ?? null, now);
  const notYetValid = isLicenceNotYetValid(record.validFrom, now);
  const result = toProvincialResult({ found: true, status, notYetValid });
  return {
    ...record,
    status,
    state: record.status,
    statusLabel: licenceStatusLabels[status],
    notYetValid,
    result,
    resultMessage: provincialResultMessages[result],
  };
}

/** The public, masked answer of `GET /v1/public/licences/{identifier}` (CONTRACTS.md). */
export interface PublicLicenceView {
  readonly identifier: string;
  readonly status: LicenceStatus;
  /** The reason code of the last status change. */
  readonly statusReason?: string;
  readonly statusReasonLabel?: { readonly zh: string; readonly en: string };
  readonly statusLabel: { readonly zh: string; readonly en: string };
  readonly licenceType: { readonly code: string; readonly name: string };
  readonly number?: string;
  readonly issuer: { readonly name: string; readonly code: string };
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly holder: { readonly name: string; readonly code: string; readonly codeType: string };
  readonly checkedAt: string;
  readonly source: { readonly node: string };
}

/** A masked holder code: first 4 and last 4 characters (3701**********1234). */
export function maskHolderCode(code: string): string {
  return maskResidentId(code, { head: 4, tail: 4 });
}

/** Filters of the usage query (admins). */
export interface LicenceUsageQuery {
  readonly caller?: string;
  readonly identifier?: string;
  readonly action?: LicenceUsageEntry['action'];
  readonly result?: LicenceUsageEntry['result'];
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly after?: string;
}

/** Options of `createDirectoryService`. */
export interface DirectoryOptions {
  readonly registry: LicenceRegistry;
  /** This node's id (named as `source.node` of local answers). */
  readonly nodeId: string;
  /** Consulted on a local miss (the cascade); default none. */
  readonly remote?: RemoteDirectory;
  /** The rights of an application (undefined: none). */
  readonly rights: (appId: string) => Promise<LicenceRightsRecord | undefined>;
  /** The stored face PDF of a licence. */
  readonly readFace: (identifier: string) => Promise<Uint8Array>;
  /** Longest use cause (default 200 characters; the shortest is 2). */
  readonly useCauseMaxLength?: number;
  /** Whether the public endpoint requires a use cause (default required). */
  readonly publicUseCause?: 'required' | 'optional';
  /** Lifetime of a face link (default 5 minutes). */
  readonly faceLinkTtlMs?: number;
}

/** The directory service. */
export interface DirectoryService {
  /**
   * A lookup: validates the use cause and the query, answers locally or (on a miss) from the
   * remote directory, checks the caller's rights, and writes one usage record either way.
   * @throws {ServiceError} ERR_LICENCE_USE_CAUSE_REQUIRED, ERR_LICENCE_ACCESS_DENIED, ERR_LICENCE_DIGEST_MISMATCH (QR)
   * @throws {LicenceIdError} ERR_LICENCE_ID_* for a malformed identifier (ERR_LICENCE_ID_CHECK_CHAR for a wrong check character)
   * @throws {InvalidInputError} ERR_INVALID_INPUT for a malformed holder or QR query
   */
  lookup(
    query: DirectoryQuery,
    caller: Caller,
    useCause: string,
    options?: { readonly action?: LicenceUsageEntry['action'] },
  ): Promise<DirectoryAnswer>;
  /**
   * The public answer for the verifier page: local licences only, `digest` must be the QR digest
   * of the current data; masked holder data; usage record with the caller `public:<ip hash>`.
   * @throws {ServiceError} ERR_LICENCE_DIGEST_MISMATCH, ERR_LICENCE_USE_CAUSE_REQUIRED
   * @throws {LicenceLookupError} ERR_LICENCE_NOT_FOUND
   */
  publicLookup(
    identifier: string,
    digest: string,
    caller: Caller,
    useCause: string | undefined,
  ): Promise<PublicLicenceView>;
  /**
   * A single-use face download link for a local licence the caller may look up.
   * @throws as `lookup`; ERR_LICENCE_NOT_FOUND for a licence this node does not hold
   */
  createFaceLink(
    identifier: string,
    caller: Caller,
    useCause: string,
  ): Promise<{ token: string; path: string; expiresAt: string }>;
  /**
   * Redeems a face link once.
   * @throws {ServiceError} ERR_LICENCE_FACE_LINK_NOT_FOUND, ERR_LICENCE_FACE_LINK_USED, ERR_LICENCE_FACE_LINK_EXPIRED
   */
  redeemFaceLink(token: string, caller: Caller): Promise<{ identifier: string; face: Uint8Array }>;
  /** Appends a usage record (verification results, refusals caught outside the service). */
  record(entry: Omit<LicenceUsageEntry, 'time'>): Promise<void>;
  /** Usage records matching the filters, oldest first. */
  queryUsage(
    q: LicenceUsageQuery,
  ): Promise<{ items: LogEntry<LicenceUsageEntry>[]; next?: string }>;
  /** Checks a use cause: the trimmed text. @throws ERR_LICENCE_USE_CAUSE_REQUIRED */
  checkUseCause(useCause: string | undefined): string;
  /** True when `caller` may see `licence` (admins, public and node callers always; apps by their rights). */
  mayLookUp(caller: Caller, licence: LicenceIndexView | LicenceIndexRecord): Promise<boolean>;
}

/** `public:` + the first 16 hex digits of SHA-256 of the address: callers told apart, addresses not kept. */
export function publicCallerId(ip: string | undefined): string {
  return `public:${createHash('sha256')
    .update(ip ?? 'unknown')
    .digest('hex')
    .slice(0, 16)}`;
}

const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Compares QR digests in constant time (the answer unlocks licence data). */
function sameDigest(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Validates a licence identifier for a lookup: the normalised identifier, or the code of its first
 * problem (ERR_LICENCE_ID_CHECK_CHAR for a wrong check character; problems of the embedded USCCs
 * are reported as ERR_LICENCE_ID_ISSUER_CODE or ERR_LICENCE_ID_TYPE_CODE).
 * @throws {LicenceIdError} ERR_LICENCE_ID_*
 */
export function checkLookupIdentifier(input: string): string {
  const report = checkLicenceId(input, { mode: 'strict' });
  if (report.valid && report.parts !== undefined) return report.parts.identifier;
  const first = report.errors[0] ?? { code: 'ERR_LICENCE_ID_FORMAT', message: 'Malformed' };
  let code = first.code;
  if (!code.startsWith('ERR_LICENCE_ID_'))
    code =
      (first as { path?: string }).path === 'typeCode'
        ? 'ERR_LICENCE_ID_TYPE_CODE'
        : first.code.startsWith('ERR_USCC_')
          ? 'ERR_LICENCE_ID_ISSUER_CODE'
          : 'ERR_LICENCE_ID_FORMAT';
  throw new LicenceIdError(code, `Invalid licence identifier: ${first.message}`, {
    identifier: input.slice(0, 200),
    issues: report.errors,
  });
}

/** 持证主体代码类型代码 of a code or a name (公民身份号码 -> 111). */
function holderTypeCode(v: string): string {
  const t = v.trim();
  if (/^\d{3}$/.test(t)) return t;
  const hit = Object.entries(holderCodeTypeNames).find(([, name]) => name === t);
  if (hit !== undefined) return hit[0];
  throw new InvalidInputError(`Unknown holder code type ${t.slice(0, 40)}`, {
    field: 'holderCodeType',
  });
}

/** The `id` and `d` of a QR code's text (the verification URL). */
function parseQr(text: string): { identifier: string; digest: string } {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new InvalidInputError('The QR text is not a verification URL', { field: 'text' });
  }
  const id = url.searchParams.get('id');
  const d = url.searchParams.get('d');
  if (id === null || d === null || !/^[A-Za-z0-9_-]{1,64}$/.test(d))
    throw new InvalidInputError('The QR text has no id and d parameters', { field: 'text' });
  return { identifier: id, digest: d };
}

/** Creates the directory service. */
export function createDirectoryService(
  ctx: DomainContext,
  options: DirectoryOptions,
): DirectoryService {
  const { registry } = options;
  const maxCause = options.useCauseMaxLength ?? 200;
  const faceLinkTtlMs = options.faceLinkTtlMs ?? 300_000;

  const record = async (entry: Omit<LicenceUsageEntry, 'time'>): Promise<void> => {
    await ctx.store.append('licence-usage', { ...entry, time: ctx.now().toISOString() });
  };

  const base = (
    caller: Caller,
  ): Pick<
    LicenceUsageEntry,
    'requestId' | 'caller' | 'callerKind' | 'authenticated' | 'onBehalfOf' | 'clientIp'
  > => ({
    requestId: caller.requestId ?? null,
    caller: caller.id,
    callerKind: caller.kind,
    authenticated: true,
    ...(caller.onBehalfOf === undefined ? {} : { onBehalfOf: caller.onBehalfOf }),
    // Public callers are recorded by their address hash only.
    ...(caller.clientIp === undefined || caller.kind === 'public'
      ? {}
      : { clientIp: caller.clientIp }),
  });

  /** Records a refusal and throws the error, marked so that the HTTP pipeline does not record it twice. */
  const refuse = async (
    err: Error & { code: string },
    caller: Caller,
    fields: Partial<LicenceUsageEntry> & Pick<LicenceUsageEntry, 'action'>,
  ): Promise<never> => {
    await record({ ...base(caller), ...fields, result: 'refused', code: err.code });
    throw markUsageRecorded(err);
  };

  const checkUseCause = (useCause: string | undefined): string => {
    const t = (useCause ?? '').trim();
    const length = Array.from(t).length;
    if (length < 2 || length > maxCause)
      throw new ServiceError(
        'ERR_LICENCE_USE_CAUSE_REQUIRED',
        `A licence lookup needs a use cause (useCause, 用证事由) of 2 to ${maxCause} characters`,
        { details: { field: 'useCause', maxLength: maxCause } },
      );
    return t;
  };

  const mayLookUp = async (
    caller: Caller,
    l: LicenceIndexView | LicenceIndexRecord,
  ): Promise<boolean> => {
    if (caller.kind !== 'app') return true;
    if (caller.roles?.includes('admin') === true) return true;
    const rights = await options.rights(caller.id);
    if (rights === undefined) return false;
    if (rights.issuers.includes('*') || rights.issuers.includes(l.issuerCode)) return true;
    const typeOk =
      rights.lookupTypes.includes('*') || rights.lookupTypes.includes(l.licenceTypeCode);
    // 属地: the licence's area code, else the division code inside the issuer's USCC.
    const area = l.areaCode ?? l.issuerCode.slice(2, 8);
    const areaOk = rights.lookupAreas.some((p) => p === '*' || area.startsWith(p));
    return typeOk && areaOk;
  };

  /** What the usage record says about the query (holder codes masked, hashed for search). */
  const describe = (q: DirectoryQuery): Record<string, string> => {
    switch (q.by) {
      case 'identifier':
        return { by: 'identifier', identifier: q.identifier.slice(0, 200) };
      case 'holder':
        return {
          by: 'holder',
          holderCode: maskHolderCode(q.holderCode.slice(0, 128)),
          holderCodeSha256: sha256Hex(q.holderCode.trim()),
          holderCodeType: q.holderCodeType.slice(0, 40),
          licenceType: q.licenceType.slice(0, 64),
        };
      case 'qr':
        return { by: 'qr', text: q.text.slice(0, 300) };
    }
  };

  /** The local record answering a query (undefined: a miss). */
  const localRecord = async (
    q: DirectoryQuery,
  ): Promise<{ rec: LicenceRecord | undefined; identifier?: string; digest?: string }> => {
    switch (q.by) {
      case 'identifier': {
        const identifier = checkLookupIdentifier(q.identifier);
        return { rec: await registry.getLicence(identifier), identifier };
      }
      case 'holder': {
        const holderCode = q.holderCode.trim();
        const licenceType = q.licenceType.trim();
        if (holderCode.length === 0 || holderCode.length > 128)
          throw new InvalidInputError('holderCode: 1-128 characters', { field: 'holderCode' });
        if (!/^[0-9A-Z]{21}$/.test(licenceType))
          throw new InvalidInputError('licenceType: a 21-character licence type code', {
            field: 'licenceType',
          });
        const found = await registry.findByHolder({
          holderCode,
          codeTypeCode: holderTypeCode(q.holderCodeType),
          typeCode: licenceType,
        });
        // The current version: superseded versions point at their successor.
        const current = found.filter((r) => r.status.state !== 'superseded');
        return { rec: current[0] ?? found[0] };
      }
      case 'qr': {
        const { identifier, digest } = parseQr(q.text);
        const id = checkLookupIdentifier(identifier);
        return { rec: await registry.getLicence(id), identifier: id, digest };
      }
    }
  };

  const actionOf = (q: DirectoryQuery): LicenceUsageEntry['action'] =>
    q.by === 'identifier' ? 'lookup' : q.by === 'holder' ? 'holder-query' : 'qr-query';

  const service: DirectoryService = {
    checkUseCause,
    mayLookUp,
    record,
    async lookup(query, caller, useCause, o = {}) {
      const action = o.action ?? actionOf(query);
      const asked = describe(query);
      // As asked (validated later): refusals are findable by the identifier they named.
      const named =
        query.by === 'identifier' ? { identifier: query.identifier.trim().slice(0, 200) } : {};
      let cause: string;
      try {
        cause = checkUseCause(useCause);
      } catch (err) {
        return refuse(err as ServiceError, caller, { action, query: asked, ...named });
      }
      const fields = { action, query: asked, useCause: cause };
      let local: Awaited<ReturnType<typeof localRecord>>;
      try {
        local = await localRecord(query);
      } catch (err) {
        if (err instanceof LicenceIdError || err instanceof InvalidInputError)
          return refuse(err, caller, { ...fields, ...named });
        throw err;
      }
      const now = ctx.now();
      if (local.rec !== undefined) {
        const view = licenceIndexView(licenceIndexRecord(local.rec), now);
        const withId = { ...fields, identifier: view.identifier };
        if (local.digest !== undefined && !sameDigest(licenceDigest(local.rec.data), local.digest))
          return refuse(new ServiceError('ERR_LICENCE_DIGEST_MISMATCH'), caller, withId);
        if (!(await mayLookUp(caller, view)))
          return refuse(new ServiceError('ERR_LICENCE_ACCESS_DENIED'), caller, withId);
        await record({
          ...base(caller),
          ...withId,
          result: 'found',
          source: options.nodeId,
          licenceResult: view.result,
        });
        return { found: true, source: { node: options.nodeId }, licence: view };
      }
      if (options.remote !== undefined) {
        let answer: DirectoryAnswer;
        try {
          answer = await options.remote.lookup(query, caller, cause);
        } catch (err) {
          const code =
            typeof (err as { code?: unknown }).code === 'string'
              ? (err as { code: string }).code
              : 'ERR_INTERNAL';
          await record({ ...base(caller), ...fields, ...named, result: 'failed', code });
          throw markUsageRecorded(err as Error);
        }
        if (answer.found) {
          const withId = { ...fields, identifier: answer.licence.identifier };
          if (!(await mayLookUp(caller, answer.licence)))
            return refuse(new ServiceError('ERR_LICENCE_ACCESS_DENIED'), caller, withId);
          await record({
            ...base(caller),
            ...withId,
            result: 'found',
            source: answer.source.node,
            licenceResult: answer.licence.result,
          });
          return answer;
        }
      }
      await record({
        ...base(caller),
        ...fields,
        ...(local.identifier === undefined ? {} : { identifier: local.identifier }),
        result: 'not-found',
        licenceResult: 5,
      });
      return { found: false };
    },

    async publicLookup(identifier, digest, caller, useCause) {
      const action = 'public-lookup' as const;
      const asked = { by: 'public', identifier: identifier.slice(0, 200) };
      const named = { identifier: identifier.trim().slice(0, 200) };
      let cause: string | undefined;
      try {
        cause =
          options.publicUseCause === 'optional' && (useCause ?? '').trim() === ''
            ? undefined
            : checkUseCause(useCause);
      } catch (err) {
        return refuse(err as ServiceError, caller, { action, query: asked, ...named });
      }
      const fields = { action, query: asked, ...(cause === undefined ? {} : { useCause: cause }) };
      let id: string;
      try {
        id = checkLookupIdentifier(identifier);
      } catch (err) {
        return refuse(err as LicenceIdError, caller, { ...fields, ...named });
      }
      const rec = await registry.getLicence(id);
      if (rec === undefined) {
        await record({
          ...base(caller),
          ...fields,
          identifier: id,
          result: 'not-found',
          code: 'ERR_LICENCE_NOT_FOUND',
          licenceResult: 5,
        });
        throw markUsageRecorded(new LicenceLookupError('ERR_LICENCE_NOT_FOUND', id));
      }
      if (!sameDigest(licenceDigest(rec.data), digest))
        return refuse(new ServiceError('ERR_LICENCE_DIGEST_MISMATCH'), caller, {
          ...fields,
          identifier: id,
        });
      const now = ctx.now();
      const view = licenceIndexView(licenceIndexRecord(rec), now);
      await record({
        ...base(caller),
        ...fields,
        identifier: id,
        result: 'found',
        source: options.nodeId,
        licenceResult: view.result,
      });
      const d = rec.data;
      const person = d.holder.codeTypeCode !== '001';
      const reason =
        rec.status.reasonCode === undefined
          ? undefined
          : (licenceStatusReasons as Record<string, { zh: string; en: string } | undefined>)[
              rec.status.reasonCode
            ];
      return {
        identifier: id,
        status: view.status,
        ...(rec.status.reasonCode === undefined ? {} : { statusReason: rec.status.reasonCode }),
        ...(reason === undefined ? {} : { statusReasonLabel: { zh: reason.zh, en: reason.en } }),
        statusLabel: view.statusLabel,
        licenceType: { code: d.typeCode, name: d.name },
        number: d.number,
        issuer: { name: d.issuer.name, code: d.issuer.code },
        validFrom: d.validFrom,
        validTo: d.validUntil,
        holder: {
          // A person's name is masked; an organisation's name is public record (营业执照 are displayed).
          name: person ? maskHolderName(d.holder.name) : d.holder.name,
          code: maskHolderCode(d.holder.code),
          codeType: d.holder.codeType,
        },
        checkedAt: now.toISOString(),
        source: { node: options.nodeId },
      };
    },

    async createFaceLink(identifier, caller, useCause) {
      const answer = await service.lookup({ by: 'identifier', identifier }, caller, useCause, {
        action: 'face-link',
      });
      if (!answer.found || answer.source.node !== options.nodeId) {
        throw new LicenceLookupError('ERR_LICENCE_NOT_FOUND', identifier.slice(0, 200));
      }
      const token = randomBytes(32).toString('base64url');
      const now = ctx.now();
      const expiresAt = new Date(now.getTime() + faceLinkTtlMs);
      await ctx.store.insert(
        'face-links',
        sha256Hex(token),
        {
          identifier: answer.licence.identifier,
          caller: caller.id,
          useCause: checkUseCause(useCause),
          createdAt: now.toISOString(),
          expiresAt: expiresAt.toISOString(),
        },
        // Kept a day past expiry so that a late use is told "expired", then purged.
        { expiresAt: expiresAt.getTime() + 86_400_000 },
      );
      return { token, path: `/v1/face-links/${token}`, expiresAt: expiresAt.toISOString() };
    },

    async redeemFaceLink(token, caller) {
      const key = sha256Hex(token);
      const now = ctx.now();
      let link;
      try {
        link = await ctx.store.transaction(async (tx) => {
          const rec = await tx.get('face-links', key);
          if (rec === undefined) throw new ServiceError('ERR_LICENCE_FACE_LINK_NOT_FOUND');
          if (rec.value.usedAt !== undefined)
            throw Object.assign(new ServiceError('ERR_LICENCE_FACE_LINK_USED'), {
              link: rec.value,
            });
          if (now.toISOString() > rec.value.expiresAt)
            throw Object.assign(new ServiceError('ERR_LICENCE_FACE_LINK_EXPIRED'), {
              link: rec.value,
            });
          await tx.put(
            'face-links',
            key,
            { ...rec.value, usedAt: now.toISOString() },
            {
              ifVersion: rec.version,
              ...(rec.expiresAt === undefined ? {} : { expiresAt: rec.expiresAt }),
            },
          );
          return rec.value;
        });
      } catch (err) {
        if (err instanceof ServiceError) {
          const l = (
            err as ServiceError & {
              link?: { identifier: string; caller: string; useCause: string };
            }
          ).link;
          return refuse(err, caller, {
            action: 'face-download',
            ...(l === undefined
              ? {}
              : { identifier: l.identifier, useCause: l.useCause, onBehalfOf: l.caller }),
          });
        }
        throw err;
      }
      const face = await options.readFace(link.identifier);
      await record({
        ...base(caller),
        action: 'face-download',
        identifier: link.identifier,
        useCause: link.useCause,
        onBehalfOf: link.caller,
        result: 'found',
        source: options.nodeId,
      });
      return { identifier: link.identifier, face };
    },

    queryUsage(q) {
      const index = logIndexRange(
        [
          ['caller', q.caller],
          ['licence', q.identifier],
        ],
        q.from,
        q.to,
      );
      return scanLog(ctx, 'licence-usage', {
        index,
        after: q.after,
        limit: q.limit,
        accept: (v) =>
          (q.caller === undefined || v.caller === q.caller) &&
          (q.identifier === undefined || v.identifier === q.identifier) &&
          (q.action === undefined || v.action === q.action) &&
          (q.result === undefined || v.result === q.result) &&
          (q.from === undefined || v.time >= q.from) &&
          (q.to === undefined || v.time <= q.to),
      });
    },
  };
  return service;
}
