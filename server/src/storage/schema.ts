/** The signing server's store schema: collections (apps, seals, grants, applications, sessions, certificate statuses) and hash-chained logs (用印记录, audit events). @module */
import {
  defineCollection,
  defineLog,
  defineSchema,
  helperCollections,
  indexKey,
  type Store,
  type StoreTransaction,
} from '@govtrust/core/store';
import type { SealPosition, SealStatus } from '@govtrust/core/client';
import { licenceCollections, licenceLogs } from '@govtrust/core/licence';
import type { RevocationReason } from '@govtrust/core/pki';
import type { Role } from '../http/route.js';

/** An application credential: roles and up to two active secrets (sealed by the master key). */
export interface AppRecord {
  readonly appId: string;
  readonly name: string;
  readonly roles: Role[];
  readonly status: 'active' | 'disabled';
  readonly secrets: { readonly id: string; readonly sealed: string; readonly createdAt: string }[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Where a seal's private key lives. */
export type KeyRef =
  | {
      readonly provider: 'software';
      readonly algorithm: string;
      /** PKCS#8 PEM sealed by the master key. */
      readonly sealed: string;
    }
  | {
      readonly provider: 'pkcs12';
      readonly algorithm: string;
      readonly path: string;
      readonly passwordFile: string;
    }
  | {
      readonly provider: 'pkcs11';
      readonly algorithm: string;
      readonly module: string;
      readonly tokenLabel?: string;
      readonly keyLabel?: string;
      readonly keyId?: string;
      readonly pinFile: string;
    }
  | { readonly provider: 'external'; readonly algorithm: string };

/** A seal (电子印章): the GB/T 38540 seal data, its key, certificate and lifecycle state. */
export interface SealRecord {
  readonly id: string;
  readonly esID: string;
  readonly name: string;
  readonly type: number;
  readonly organisation: { readonly name: string; readonly code?: string };
  readonly status: SealStatus;
  readonly statusReason?: string;
  readonly statusSince: string;
  /** 1 for the first making; each re-make adds one. */
  readonly generation: number;
  readonly key: KeyRef;
  /** The signature algorithm of the key (e.g. ecdsa-sha256, sm2-sm3). */
  readonly signatureAlgorithm: string;
  /** DER certificates (base64), signer first. */
  readonly certificateChain: string[];
  readonly certificate: {
    readonly subject: string;
    readonly issuer: string;
    readonly serialNumber: string;
    readonly notBefore: string;
    readonly notAfter: string;
  };
  /** The GB/T 38540 seal, DER base64. */
  readonly sealData: string;
  /** The seal picture (PNG, base64) and its size in millimetres. */
  readonly picture: string;
  readonly widthMm: number;
  readonly heightMm: number;
  readonly validFrom: string;
  readonly validTo: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Earlier generations (after re-makes): what verifiers may still meet in old documents. */
  readonly history: {
    readonly generation: number;
    readonly certificateSerialNumber: string;
    readonly certificateIssuer: string;
    readonly retiredAt: string;
    readonly reason: string;
  }[];
}

/** A seal grant (印章授权): seal x app, time window, optional use count. */
export interface GrantRecord {
  readonly id: string;
  readonly sealId: string;
  readonly appId: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly maxUses: number | null;
  readonly usedCount: number;
  readonly status: 'active' | 'revoked';
  readonly createdAt: string;
  readonly createdBy: string;
  readonly revokedAt?: string;
  readonly reason?: string;
}

/** A completed seal application (用印申请). */
export interface ApplicationRecord {
  readonly id: string;
  readonly appId: string;
  readonly sealId: string;
  readonly grantId: string;
  readonly bizId?: string;
  readonly level: 'B-B' | 'B-T';
  readonly positions: SealPosition[];
  readonly mode: 'server-key' | 'two-step';
  readonly document: {
    readonly filename: string;
    readonly sha256Before: string;
    readonly sha256After: string;
    readonly size: number;
  };
  /** Result file name inside the results folder. */
  readonly resultFile: string;
  readonly usageSeq: number;
  readonly createdAt: string;
}

/** A two-step signing session: every parameter frozen when it was opened. */
export interface SessionRecord {
  readonly id: string;
  readonly appId: string;
  readonly sealId: string;
  readonly generation: number;
  readonly status: 'open' | 'completed';
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly position: SealPosition;
  readonly level: 'B-B' | 'B-T';
  readonly bizId?: string;
  readonly reason?: string;
  readonly filename: string;
  readonly signingTime: string;
  readonly sha256Before: string;
  readonly size: number;
  /** The prepared PDF (placeholder in /Contents) inside the sessions folder. */
  readonly preparedFile: string;
  readonly byteRange: [number, number, number, number];
  readonly contentsSize: number;
  readonly pdfDigest: string;
  readonly digestAlgorithm: string;
  readonly signatureAlgorithm: string;
  readonly toBeSigned: string;
  readonly applicationId?: string;
}

/** What OCSP and CRLs answer from (see domain/pki.ts). */
export interface CertificateStatusRecord {
  readonly issuer: string;
  readonly serialNumber: string;
  readonly subject: string;
  readonly notAfter: string;
  readonly status: 'good' | 'revoked';
  readonly revokedAt?: string;
  readonly reason?: RevocationReason;
}

/** A counter (CRL numbers). */
export interface CounterRecord {
  readonly value: string;
}

/** One usage-log entry (用印记录): every seal use, refusal and failure. */
export interface UsageEntry {
  readonly time: string;
  readonly requestId: string;
  readonly appId: string | null;
  /** False when the request failed authentication (the app id is only claimed). */
  readonly authenticated: boolean;
  readonly action: 'seal-application' | 'signing-session' | 'signing-session-complete';
  readonly result: 'sealed' | 'refused' | 'failed' | 'prepared';
  readonly code?: string;
  readonly sealId?: string;
  readonly sealGeneration?: number;
  readonly certificateSerialNumber?: string;
  readonly grantId?: string;
  readonly applicationId?: string;
  readonly sessionId?: string;
  readonly bizId?: string;
  readonly level?: 'B-B' | 'B-T';
  readonly positions?: SealPosition[];
  readonly document?: {
    readonly filename: string;
    readonly sha256Before: string;
    readonly sha256After?: string;
    readonly size: number;
  };
  readonly clientIp?: string;
}

/** One admin event (seal, grant and credential changes). */
export interface AuditEntry {
  readonly time: string;
  readonly requestId: string | null;
  /** The admin app, or `system`. */
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly details?: Record<string, string | number | boolean | null>;
}

/** A licence issuer (证照颁发机构) of this server: its signing key and licence-issuer certificate. */
export interface LicenceIssuerRecord {
  /** 统一社会信用代码 of the issuer. */
  readonly code: string;
  readonly name: string;
  readonly key: KeyRef;
  /** DER certificates (base64), signer first. */
  readonly certificateChain: string[];
  /** The issuer's GB/T 38540 seal (DER base64) bound to its certificate: sealed onto every face. */
  readonly sealData?: string;
  readonly createdAt: string;
}

/** What an application may do with licences (admin-managed; admins may do everything). */
export interface LicenceRightsRecord {
  readonly appId: string;
  /** Issuer codes (USCC) the app issues and manages licences for (`*`: every issuer of this server). */
  readonly issuers: string[];
  /** Licence type codes the app may look up (`*`: every type). */
  readonly lookupTypes: string[];
  /** GB/T 2260 division prefixes of licences the app may look up (`*`, `37`, `3701`, …). */
  readonly lookupAreas: string[];
  readonly updatedAt: string;
}

/** A single-use face download link (照面下载): the token is stored as its SHA-256 only. */
export interface FaceLinkRecord {
  readonly identifier: string;
  readonly caller: string;
  readonly useCause: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly usedAt?: string;
}

/** One licence usage entry (用证记录): every lookup, verification and face download, found or refused. */
export interface LicenceUsageEntry {
  readonly time: string;
  readonly requestId: string | null;
  /** App id, `public:<sha256(ip) prefix>` or `node:<node id>`. */
  readonly caller: string;
  readonly callerKind: 'app' | 'public' | 'node';
  /** False when the request failed authentication (the caller is only claimed). */
  readonly authenticated: boolean;
  /** The original caller named by a forwarding node (cascade). */
  readonly onBehalfOf?: string;
  readonly action:
    | 'lookup'
    | 'holder-query'
    | 'qr-query'
    | 'status'
    | 'verify'
    | 'face-link'
    | 'face-download'
    | 'public-lookup';
  /** 用证事由 as given (absent when the refusal was for its absence). */
  readonly useCause?: string;
  readonly identifier?: string;
  /** What was asked, holder codes masked (e.g. `{ holderCode: '3701**********1234', ... }`). */
  readonly query?: Record<string, string>;
  readonly result: 'found' | 'not-found' | 'refused' | 'failed';
  readonly code?: string;
  /** The node that answered. */
  readonly source?: string;
  /** The provincial 0-7 result of a found licence or a verification. */
  readonly licenceResult?: number;
  readonly clientIp?: string;
}

/** The server's schema. */
export const serverSchema = defineSchema({
  collections: {
    ...helperCollections,
    apps: defineCollection<AppRecord>(),
    seals: defineCollection<SealRecord>({
      indexes: { esid: { key: (s) => s.esID, unique: true } },
    }),
    grants: defineCollection<GrantRecord>({
      indexes: {
        seal_app: { key: (g) => indexKey(g.sealId, g.appId) },
        app: { key: (g) => g.appId },
      },
    }),
    applications: defineCollection<ApplicationRecord>({
      indexes: {
        app: { key: (a) => indexKey(a.appId, a.createdAt) },
        biz: { key: (a) => (a.bizId === undefined ? undefined : indexKey(a.appId, a.bizId)) },
      },
    }),
    sessions: defineCollection<SessionRecord>(),
    certificates: defineCollection<CertificateStatusRecord>({
      indexes: {
        revoked: { key: (c) => (c.status === 'revoked' ? c.issuer : undefined) },
      },
    }),
    counters: defineCollection<CounterRecord>(),
    ...licenceCollections,
    'licence-issuers': defineCollection<LicenceIssuerRecord>(),
    'licence-rights': defineCollection<LicenceRightsRecord>(),
    'face-links': defineCollection<FaceLinkRecord>(),
  },
  logs: {
    usage: defineLog<UsageEntry>({
      indexes: {
        app: { key: (e) => (e.appId === null ? undefined : indexKey(e.appId, e.time)) },
        seal: { key: (e) => (e.sealId === undefined ? undefined : indexKey(e.sealId, e.time)) },
        time: { key: (e) => e.time },
      },
    }),
    audit: defineLog<AuditEntry>({ indexes: { target: { key: (e) => e.target } } }),
    ...licenceLogs,
    'licence-usage': defineLog<LicenceUsageEntry>({
      indexes: {
        caller: { key: (e) => indexKey(e.caller, e.time) },
        licence: {
          key: (e) => (e.identifier === undefined ? undefined : indexKey(e.identifier, e.time)),
        },
        time: { key: (e) => e.time },
      },
    }),
  },
});

/** The server's store type. */
export type ServerSchema = typeof serverSchema;
export type ServerStore = Store<ServerSchema>;
export type ServerTx = StoreTransaction<ServerSchema>;
