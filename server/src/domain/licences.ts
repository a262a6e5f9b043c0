/**
 * The licence service (电子证照签发与管理): licence issuers of this server (key, licence-issuer
 * certificate from the server CA, GB/T 38540 seal), licence types (证照目录, admins), per-app
 * licence rights, issuing (signed data + sealed face PDF, stored), the lifecycle (suspend 暂扣,
 * resume, revoke 吊销/撤销, cancel 注销, supersede 变更/换发) through the core registry with the
 * directory index hook in the same transaction, signed status lists (W3C Bitstring Status List)
 * and licence verification.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Signer } from '@govtrust/core/crypto';
import {
  InvalidInputError,
  LicenceLookupError,
  LicenceTypeError,
  ServiceError,
  StatusListError,
} from '@govtrust/core/errors';
import {
  chinaDate,
  checkUscc,
  createLicenceRegistry,
  draftLicenceData,
  holderCodeTypeNames,
  issueLicence,
  licenceDigest,
  supersedeLicence,
  verifyLicence,
  type IssuedLicence,
  type LicenceData,
  type LicenceFieldValue,
  type LicenceRecord,
  type LicenceRegistry,
  type LicenceReport,
  type LicenceStatusAction,
  type LicenceStatusReasonCode,
  type LicenceStatusSource,
  type LicenceType,
} from '@govtrust/core/licence';
import { parseCertificate } from '@govtrust/core/pki';
import { createSealId, drawSeal, makeSeal, sealToPng } from '@govtrust/core/seal';
import type { AuthenticatedApp } from '../http/route.js';
import type { LicenceIssuerRecord, LicenceRightsRecord } from '../storage/schema.js';
import { audit, type DomainContext } from './context.js';
import {
  checkLookupIdentifier,
  licenceIndexRecord,
  noIndexSink,
  type IndexSink,
} from './directory.js';
import { keyAlgorithmOfSet } from './pki.js';

/** Settings of the licence service. */
export interface LicenceSettings {
  /** Base URL the QR code points at (the verifier page), e.g. `https://zwfw.example.gov.cn/verify`. */
  readonly verificationUrl: string;
  /** Base URL of the published status lists (`<publicUrl>/v1/status-lists`). */
  readonly statusListBaseUrl: string;
  /** Key algorithm of new issuers (`p256`, `rsa`, `sm2`). */
  readonly issuerAlgorithm: string;
  /** Cache-Control max-age of status lists, seconds (also the credential's ttl). */
  readonly statusListMaxAgeSeconds: number;
  /** Validity of each signed status list, milliseconds (re-signed at half-life). */
  readonly statusListValidityMs: number;
}

/** What issuing takes (the licence data without identifier, format and type name). */
export interface IssueInput {
  readonly typeCode: string;
  /** The issuer (USCC); default: the only issuer in the app's rights. */
  readonly issuerCode?: string | undefined;
  readonly number: string;
  readonly holder: {
    readonly name: string;
    readonly code: string;
    readonly codeTypeCode: string;
    readonly codeType?: string | undefined;
  };
  readonly issueDate?: string | undefined;
  readonly validFrom?: string | undefined;
  readonly validUntil?: string | null | undefined;
  readonly areaCode?: string | undefined;
  readonly fields: Readonly<Record<string, LicenceFieldValue>>;
  readonly relatedItem?: { readonly name: string; readonly code?: string | undefined } | undefined;
  /** 流水号 (default random). */
  readonly serial?: string | undefined;
  /** PAdES level of the face seal (default B-B; B-T adds a time-stamp from the server TSA). */
  readonly level?: 'B-B' | 'B-T' | undefined;
}

/** What superseding may change (the rest of the data is carried over). */
export type SupersedeChanges = {
  readonly [K in keyof Omit<IssueInput, 'typeCode' | 'issuerCode' | 'serial' | 'level'>]?:
    IssueInput[K] | undefined;
};

/** What a status change takes. */
export interface StatusChangeInput {
  readonly reasonCode?: string | undefined;
  readonly reason?: string | undefined;
}

/** A licence as the issuing app sees it. */
export interface LicenceView {
  readonly identifier: string;
  readonly status: string;
  readonly statusSince: string;
  readonly reasonCode?: string;
  readonly reason?: string;
  readonly supersededBy?: string;
  readonly previousVersion?: string;
  /** The QR code's text (verification URL) and its digest `d`. */
  readonly qrText: string;
  readonly digest: string;
  readonly statusList: { readonly list: string; readonly index: number };
  readonly data: LicenceData;
}

/** What issuing answers: the view, the face PDF and the signed data file. */
export interface IssueResult {
  readonly licence: LicenceView;
  readonly face: Uint8Array;
  readonly signedData: Uint8Array;
}

/** A signed status list ready to serve. */
export interface ServedStatusList {
  readonly body: Uint8Array;
  readonly etag: string;
  readonly maxAgeSeconds: number;
}

/** The licence service. */
export interface LicenceService {
  readonly registry: LicenceRegistry;
  /** Registers an issuer: key, licence-issuer certificate, GB/T 38540 seal. @throws ERR_LICENCE_ISSUER_EXISTS, ERR_INVALID_INPUT */
  createIssuer(
    input: {
      readonly code: string;
      readonly name: string;
      readonly algorithm?: string | undefined;
    },
    actor: string,
    requestId: string | null,
  ): Promise<LicenceIssuerRecord>;
  listIssuers(): Promise<LicenceIssuerRecord[]>;
  /** @throws ERR_LICENCE_ISSUER_UNKNOWN */
  getIssuer(code: string): Promise<LicenceIssuerRecord>;
  /** Stores (or replaces) a licence type. @throws ERR_LICENCE_TYPE_INVALID */
  putType(input: unknown, actor: string, requestId: string | null): Promise<LicenceType>;
  listTypes(): Promise<LicenceType[]>;
  getRights(appId: string): Promise<LicenceRightsRecord | undefined>;
  setRights(
    appId: string,
    rights: Pick<LicenceRightsRecord, 'issuers' | 'lookupTypes' | 'lookupAreas'>,
    actor: string,
    requestId: string | null,
  ): Promise<LicenceRightsRecord>;
  /**
   * Issues a licence for an issuer the app manages.
   * @throws ERR_LICENCE_ACCESS_DENIED, ERR_LICENCE_ISSUER_UNKNOWN, ERR_LICENCE_TYPE_UNKNOWN, ERR_LICENCE_DATA_INVALID, ERR_LICENCE_EXISTS
   */
  issue(input: IssueInput, app: AuthenticatedApp, requestId: string): Promise<IssueResult>;
  /**
   * Suspends, resumes, revokes or cancels a licence of an issuer the app manages.
   * @throws ERR_LICENCE_NOT_FOUND, ERR_LICENCE_ACCESS_DENIED, ERR_LICENCE_STATUS_TRANSITION, ERR_LICENCE_STATUS_EXPIRED, ERR_LICENCE_STATUS_REASON
   */
  changeStatus(
    identifier: string,
    action: Exclude<LicenceStatusAction, 'supersede'>,
    input: StatusChangeInput,
    app: AuthenticatedApp,
  ): Promise<LicenceView>;
  /** Issues the next version (变更/换发) and marks this one superseded. @throws as `issue` and `changeStatus` */
  supersede(
    identifier: string,
    changes: SupersedeChanges,
    input: StatusChangeInput,
    app: AuthenticatedApp,
  ): Promise<IssueResult & { readonly previous: LicenceView }>;
  /** A stored licence for an app that manages its issuer. @throws ERR_LICENCE_NOT_FOUND, ERR_LICENCE_ACCESS_DENIED */
  get(identifier: string, app: AuthenticatedApp): Promise<LicenceView>;
  /** The stored face PDF. @throws ERR_LICENCE_NOT_FOUND */
  face(identifier: string): Promise<Uint8Array>;
  /** The stored signed data file. @throws ERR_LICENCE_NOT_FOUND */
  signedData(identifier: string): Promise<Uint8Array>;
  /** A signed status list (`<number>-revocation|suspension`), cached until the list changes. @throws ERR_STATUS_LIST_RANGE */
  statusList(issuerCode: string, list: string): Promise<ServedStatusList>;
  /** Verifies a face PDF or signed data file against the server's trust anchors and `statusSource`. */
  verify(bytes: Uint8Array, statusSource: LicenceStatusSource): Promise<LicenceReport>;
}

/** Options of `createLicenceService`. */
export interface LicenceServiceOptions {
  readonly settings: LicenceSettings;
  /** The cascade's index sink (default none). */
  readonly indexSink?: IndexSink;
}

const b64 = (d: Uint8Array): string => Buffer.from(d).toString('base64');
const keyContext = (code: string): string => `licence-issuer:${code}`;
const fileName = (identifier: string, kind: 'face' | 'data'): string =>
  `${identifier}${kind === 'face' ? '.pdf' : '.licence.json'}`;

/** Creates the licence service. */
export function createLicenceService(
  ctx: DomainContext,
  options: LicenceServiceOptions,
): LicenceService {
  const { settings } = options;
  const sink = options.indexSink ?? noIndexSink;
  const registry = createLicenceRegistry({
    store: ctx.store,
    statusListBaseUrl: settings.statusListBaseUrl,
    onChange: async (tx, change) => {
      await sink.record(tx, {
        op: change.op,
        record: licenceIndexRecord(change.record),
      });
    },
  });
  const makerSet =
    ctx.pki.set('sm2')?.sealMaker !== undefined
      ? ctx.pki.set('sm2')
      : ctx.pki.algorithms.find((s) => s.sealMaker !== undefined);

  const getIssuer = async (code: string): Promise<LicenceIssuerRecord> => {
    const r = (await ctx.store.get('licence-issuers', code))?.value;
    if (r === undefined)
      throw new ServiceError('ERR_LICENCE_ISSUER_UNKNOWN', undefined, {
        details: { issuerCode: code.slice(0, 40) },
      });
    return r;
  };

  const signerOf = (issuer: LicenceIssuerRecord): Promise<Signer> =>
    ctx.keys.signer(
      keyContext(issuer.code),
      keyContext(issuer.code),
      issuer.key,
      issuer.certificateChain.map((c) => new Uint8Array(Buffer.from(c, 'base64'))),
    );

  const isAdmin = (app: AuthenticatedApp): boolean => app.roles.includes('admin');

  /** The issuers an app manages. */
  const managedIssuers = async (app: AuthenticatedApp): Promise<readonly string[]> =>
    (await ctx.store.get('licence-rights', app.appId))?.value.issuers ?? [];

  const assertManages = async (app: AuthenticatedApp, issuerCode: string): Promise<void> => {
    const issuers = await managedIssuers(app);
    if (!issuers.includes('*') && !issuers.includes(issuerCode))
      throw new ServiceError(
        'ERR_LICENCE_ACCESS_DENIED',
        `The application does not manage licences of issuer ${issuerCode}`,
      );
  };

  const loadRecord = async (identifier: string): Promise<LicenceRecord> => {
    const rec = await registry.getLicence(checkLookupIdentifier(identifier));
    if (rec === undefined)
      throw new LicenceLookupError('ERR_LICENCE_NOT_FOUND', identifier.slice(0, 200));
    return rec;
  };

  const view = (rec: LicenceRecord): LicenceView => {
    const digest = licenceDigest(rec.data);
    const url = new URL(settings.verificationUrl);
    url.searchParams.set('id', rec.data.identifier);
    url.searchParams.set('d', digest);
    return {
      identifier: rec.data.identifier,
      status: rec.status.state,
      statusSince: rec.status.since,
      ...(rec.status.reasonCode === undefined ? {} : { reasonCode: rec.status.reasonCode }),
      ...(rec.status.reason === undefined ? {} : { reason: rec.status.reason }),
      ...(rec.status.supersededBy === undefined ? {} : { supersededBy: rec.status.supersededBy }),
      ...(rec.data.previousVersion === undefined
        ? {}
        : { previousVersion: rec.data.previousVersion }),
      qrText: url.toString(),
      digest,
      statusList: rec.statusSlot,
      data: rec.data,
    };
  };

  /** Durable copies of the face and the signed data (face links serve them). */
  const storeFiles = async (issued: Omit<IssuedLicence, 'record'>): Promise<void> => {
    await Promise.all([
      ctx.files.persist('licences', fileName(issued.data.identifier, 'face'), issued.face),
      ctx.files.persist('licences', fileName(issued.data.identifier, 'data'), issued.signedFile),
    ]);
  };

  const reasonOf = (
    action: LicenceStatusAction,
    input: StatusChangeInput,
  ): LicenceStatusReasonCode =>
    // An unknown code is refused by the lifecycle (ERR_LICENCE_STATUS_REASON).
    (input.reasonCode ??
      (action === 'supersede' ? 'supersede.change' : `${action}.other`)) as LicenceStatusReasonCode;

  // Licence types change rarely (admins): verification reads them from memory.
  let typesCache: Promise<ReadonlyMap<string, LicenceType>> | undefined;
  const typeMap = (): Promise<ReadonlyMap<string, LicenceType>> => {
    typesCache ??= registry.listTypes().then((ts) => new Map(ts.map((t) => [t.typeCode, t])));
    typesCache.catch(() => {
      typesCache = undefined;
    });
    return typesCache;
  };

  const statusCache = new Map<
    string,
    { updatedAt: string; signedAt: number; served: ServedStatusList }
  >();

  return {
    registry,
    getIssuer,
    async createIssuer(input, actor, requestId) {
      const uscc = checkUscc(input.code, { unknownRegion: 'warning' });
      if (!uscc.valid)
        throw new InvalidInputError(
          `code: ${uscc.errors[0]?.message ?? 'not a valid 统一社会信用代码'}`,
          { field: 'code' },
        );
      const name = input.name.trim();
      if ((await ctx.store.get('licence-issuers', input.code)) !== undefined)
        throw new ServiceError('ERR_LICENCE_ISSUER_EXISTS');
      const alg = input.algorithm ?? settings.issuerAlgorithm;
      if (ctx.pki.set(alg) === undefined || keyAlgorithmOfSet[alg] === undefined)
        throw new InvalidInputError(`The server has no ${alg} CA`, { field: 'algorithm' });
      const now = ctx.now();
      const generated = ctx.keys.generate(keyContext(input.code), keyAlgorithmOfSet[alg]);
      const { chain } = await ctx.pki.issueSealCertificate({
        algorithm: alg,
        profile: 'licence-issuer',
        // The USCC in the subject binds the certificate to 证照颁发机构代码 (verification checks it).
        subject: { C: 'CN', O: name, OU: input.code, CN: `${name}电子证照签发` },
        publicKey: generated.publicKey,
        notBefore: now,
        notAfter: new Date(now.getTime() + 5 * 365 * 86_400_000),
      });
      const leaf = chain[0]!;
      let sealData: string | undefined;
      if (makerSet?.sealMaker !== undefined) {
        // The issuer's official seal (GB/T 38540) bound to the licence certificate: sealed onto every face.
        const picture = sealToPng(
          drawSeal({ shape: 'round', text: name, star: true, sizeMm: 42 }),
          {
            dpi: 300,
          },
        );
        const seal = await makeSeal({
          maker: makerSet.sealMaker.signer,
          holderCertificates: [leaf.der],
          name,
          type: 1,
          esID: createSealId(),
          picture: { type: 'PNG', data: await picture, width: 42, height: 42 },
          validity: { from: now, to: leaf.notAfter },
          now,
          allowNonStandardAlgorithm: makerSet.algorithm !== 'sm2',
        });
        sealData = b64(seal.der);
      }
      const record: LicenceIssuerRecord = {
        code: input.code,
        name,
        key: generated.ref,
        certificateChain: chain.map((c) => b64(c.der)),
        ...(sealData === undefined ? {} : { sealData }),
        createdAt: now.toISOString(),
      };
      await ctx.store.transaction(async (tx) => {
        await tx.insert('licence-issuers', input.code, record);
        await audit(tx, ctx, {
          requestId,
          actor,
          action: 'licence-issuer.create',
          target: input.code,
          details: { name, algorithm: alg, certificateSerialNumber: leaf.serialNumber },
        });
      });
      return record;
    },
    async listIssuers() {
      const page = await ctx.store.query('licence-issuers', { limit: 1000 });
      return page.items.map((r) => r.value);
    },
    async putType(input, actor, requestId) {
      const type = await registry.putType(input);
      typesCache = undefined;
      await ctx.store.transaction((tx) =>
        audit(tx, ctx, {
          requestId,
          actor,
          action: 'licence-type.put',
          target: type.typeCode,
          details: { name: type.name },
        }),
      );
      return type;
    },
    listTypes: () => registry.listTypes(),
    async getRights(appId) {
      return (await ctx.store.get('licence-rights', appId))?.value;
    },
    async setRights(appId, rights, actor, requestId) {
      if ((await ctx.store.get('apps', appId)) === undefined)
        throw new ServiceError('ERR_APP_NOT_FOUND');
      const record: LicenceRightsRecord = {
        appId,
        issuers: [...new Set(rights.issuers)],
        lookupTypes: [...new Set(rights.lookupTypes)],
        lookupAreas: [...new Set(rights.lookupAreas)],
        updatedAt: ctx.now().toISOString(),
      };
      await ctx.store.transaction(async (tx) => {
        await tx.put('licence-rights', appId, record);
        await audit(tx, ctx, {
          requestId,
          actor,
          action: 'licence-rights.set',
          target: appId,
          details: {
            issuers: record.issuers.join(','),
            lookupTypes: record.lookupTypes.join(','),
            lookupAreas: record.lookupAreas.join(','),
          },
        });
      });
      return record;
    },

    async issue(input, app, _requestId) {
      const managed = await managedIssuers(app);
      const own = managed.filter((c) => c !== '*');
      const issuerCode =
        input.issuerCode ?? (own.length === 1 && !managed.includes('*') ? own[0] : undefined);
      if (issuerCode === undefined)
        throw new InvalidInputError('issuerCode: name the issuer (the app manages several)', {
          field: 'issuerCode',
        });
      await assertManages(app, issuerCode);
      const issuer = await getIssuer(issuerCode);
      const type = await registry.getType(input.typeCode);
      if (type === undefined) {
        throw new LicenceTypeError(
          'ERR_LICENCE_TYPE_UNKNOWN',
          `Unknown licence type ${input.typeCode}`,
          {
            typeCode: input.typeCode,
          },
        );
      }
      const now = ctx.now();
      const issueDate = input.issueDate ?? chinaDate(now);
      const data = draftLicenceData(
        {
          type,
          number: input.number,
          holder: {
            name: input.holder.name,
            code: input.holder.code,
            codeTypeCode: input.holder.codeTypeCode,
            codeType:
              input.holder.codeType ??
              holderCodeTypeNames[input.holder.codeTypeCode] ??
              input.holder.codeTypeCode,
          },
          issuer: { code: issuer.code, name: issuer.name },
          issueDate,
          validFrom: input.validFrom ?? issueDate,
          validUntil: input.validUntil ?? null,
          ...(input.areaCode === undefined ? {} : { areaCode: input.areaCode }),
          fields: input.fields,
          ...(input.relatedItem === undefined
            ? {}
            : {
                relatedItem: {
                  name: input.relatedItem.name,
                  ...(input.relatedItem.code === undefined ? {} : { code: input.relatedItem.code }),
                },
              }),
          ...(input.serial === undefined ? {} : { serial: input.serial }),
        },
        { now },
      );
      const issued = await issueLicence(data, {
        issuer: await signerOf(issuer),
        type,
        now,
        verificationUrl: settings.verificationUrl,
        ...(issuer.sealData === undefined
          ? {}
          : { seal: new Uint8Array(Buffer.from(issuer.sealData, 'base64')) }),
        ...(input.level === 'B-T' ? { tsa: ctx.pki.tsa.client() } : {}),
        registry,
        actor: app.appId,
        // The files are on disk before the licence is: a stored licence always has its face.
        beforeStore: storeFiles,
      });
      return { licence: view(issued.record!), face: issued.face, signedData: issued.signedFile };
    },

    async changeStatus(identifier, action, input, app) {
      const rec = await loadRecord(identifier);
      await assertManages(app, rec.data.issuer.code);
      const updated = await registry.changeStatus(rec.data.identifier, action, {
        reasonCode: reasonOf(action, input),
        ...(input.reason === undefined ? {} : { reason: input.reason }),
        now: ctx.now(),
        actor: app.appId,
      });
      return view(updated);
    },

    async supersede(identifier, changes, input, app) {
      const rec = await loadRecord(identifier);
      await assertManages(app, rec.data.issuer.code);
      const issuer = await getIssuer(rec.data.issuer.code);
      const { holder, validUntil, fields, ...rest } = changes;
      const issued = await supersedeLicence(
        rec.data.identifier,
        {
          ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
          ...(holder === undefined
            ? {}
            : {
                holder: {
                  name: holder.name,
                  code: holder.code,
                  codeTypeCode: holder.codeTypeCode,
                  codeType:
                    holder.codeType ??
                    holderCodeTypeNames[holder.codeTypeCode] ??
                    holder.codeTypeCode,
                },
              }),
          ...(validUntil === undefined ? {} : { validUntil }),
          // Face fields are merged: a change names only what changes.
          ...(fields === undefined ? {} : { fields: { ...rec.data.fields, ...fields } }),
        },
        {
          issuer: await signerOf(issuer),
          type: rec.data.typeCode,
          now: ctx.now(),
          verificationUrl: settings.verificationUrl,
          ...(issuer.sealData === undefined
            ? {}
            : { seal: new Uint8Array(Buffer.from(issuer.sealData, 'base64')) }),
          registry,
          reasonCode: reasonOf('supersede', input),
          ...(input.reason === undefined ? {} : { reason: input.reason }),
          actor: app.appId,
          beforeStore: storeFiles,
        },
      );
      return {
        licence: view(issued.record!),
        face: issued.face,
        signedData: issued.signedFile,
        previous: view(issued.previous),
      };
    },

    async get(identifier, app) {
      const rec = await loadRecord(identifier);
      if (!isAdmin(app)) await assertManages(app, rec.data.issuer.code);
      return view(rec);
    },
    async face(identifier) {
      const rec = await loadRecord(identifier);
      return ctx.files.read('licences', fileName(rec.data.identifier, 'face'));
    },
    async signedData(identifier) {
      const rec = await loadRecord(identifier);
      return ctx.files.read('licences', fileName(rec.data.identifier, 'data'));
    },

    async statusList(issuerCode, list) {
      const m = /^([1-9]\d{0,8})-(revocation|suspension)$/.exec(list);
      if (m === null)
        throw new StatusListError('ERR_STATUS_LIST_RANGE', `No status list ${issuerCode}/${list}`);
      const number = Number(m[1]);
      const purpose = m[2] as 'revocation' | 'suspension';
      const lists = await registry.statusLists(issuerCode);
      const rec = lists.find((l) => l.number === number);
      if (rec === undefined)
        throw new StatusListError('ERR_STATUS_LIST_RANGE', `No status list ${issuerCode}/${list}`);
      const key = `${issuerCode}/${list}`;
      const now = ctx.now();
      const cached = statusCache.get(key);
      // Re-signed when the bits changed, and at half the validity so that a cached copy never expires.
      if (
        cached !== undefined &&
        cached.updatedAt === rec.updatedAt &&
        now.getTime() - cached.signedAt < settings.statusListValidityMs / 2
      )
        return cached.served;
      const issuer = await getIssuer(issuerCode);
      const signed = await registry.publishStatusList(issuerCode, number, purpose, {
        now,
        signer: await signerOf(issuer),
        validForMs: settings.statusListValidityMs,
        ttlMs: settings.statusListMaxAgeSeconds * 1000,
      });
      const body = new TextEncoder().encode(JSON.stringify(signed));
      const served: ServedStatusList = {
        body,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`,
        maxAgeSeconds: settings.statusListMaxAgeSeconds,
      };
      statusCache.set(key, { updatedAt: rec.updatedAt, signedAt: now.getTime(), served });
      return served;
    },

    async verify(bytes, statusSource) {
      const types = await typeMap();
      // One status question per verification, even when the face is checked twice (below).
      const asked = new Map<string, ReturnType<LicenceStatusSource['status']>>();
      const once: LicenceStatusSource = {
        status(data, o) {
          let p = asked.get(data.identifier);
          if (p === undefined) asked.set(data.identifier, (p = statusSource.status(data, o)));
          return p;
        },
      };
      const run = (pinned: boolean): ReturnType<typeof verifyLicence> =>
        verifyLicence(bytes, {
          trust: ctx.pki.trust,
          now: ctx.now(),
          statusSource: once,
          types,
          ...(pinned ? { verificationUrl: settings.verificationUrl } : {}),
          // The seal maker's issuing CAs: the GB/T 38540 seal on the face chains through them.
          intermediates: ctx.pki.algorithms.map((a) => a.intermediate.certificate.der),
        });
      const report = await run(true);
      // A licence this node does not hold (found through the cascade) carries its source node's
      // verifier URL in its QR code: its id and digest binding is still checked, the origin is not.
      if (
        report.errors.some((e) => e.code === 'ERR_LICENCE_FACE_MISMATCH') &&
        (await registry.getLicence(report.identifier)) === undefined
      )
        return run(false);
      return report;
    },
  };
}

/** The certificate facts of an issuer (API view). */
export function licenceIssuerView(r: LicenceIssuerRecord): Record<string, unknown> {
  const leaf = parseCertificate(new Uint8Array(Buffer.from(r.certificateChain[0]!, 'base64')));
  return {
    code: r.code,
    name: r.name,
    algorithm: r.key.algorithm,
    certificate: {
      subject: leaf.subject,
      issuer: leaf.issuer,
      serialNumber: leaf.serialNumber,
      notBefore: leaf.notBefore.toISOString(),
      notAfter: leaf.notAfter.toISOString(),
    },
    certificateChain: r.certificateChain,
    hasSeal: r.sealData !== undefined,
    createdAt: r.createdAt,
  };
}
