/** The JSON shapes of the GovTrust seal service API, as the client SDK returns them. @module */

/** Where a seal goes on the page (as `@govtrust/core/pdf` placements). */
export type SealPosition =
  | {
      readonly type: 'page';
      /** 1-based page number. */
      readonly page: number;
      /** Top-left corner, from the top-left of the visible page. */
      readonly x: number;
      readonly y: number;
      readonly width?: number | undefined;
      readonly height?: number | undefined;
      readonly unit?: 'mm' | 'pt' | undefined;
    }
  | {
      readonly type: 'keyword';
      readonly keyword: string;
      /** 1-based occurrence (default 1). */
      readonly occurrence?: number | undefined;
      readonly page?: number | undefined;
      readonly offsetX?: number | undefined;
      readonly offsetY?: number | undefined;
      readonly width?: number | undefined;
      readonly height?: number | undefined;
      readonly unit?: 'mm' | 'pt' | undefined;
    }
  | {
      /** Riding seal (骑缝章) across the right edge of pages from..to. */
      readonly type: 'riding';
      readonly pages?: readonly [number, number] | undefined;
      readonly y?: number | undefined;
      readonly width?: number | undefined;
      readonly height?: number | undefined;
      readonly unit?: 'mm' | 'pt' | undefined;
    };

/** Lifecycle states of a seal (国办发〔2025〕33号: 停用/恢复, 挂失, 注销, 吊销). */
export type SealStatus = 'active' | 'suspended' | 'lost' | 'cancelled' | 'revoked';

/** A seal as the API shows it. */
export interface SealView {
  readonly id: string;
  readonly esID: string;
  readonly name: string;
  readonly type: number;
  readonly organisation: { readonly name: string; readonly code?: string };
  readonly status: SealStatus;
  readonly statusReason?: string;
  readonly generation: number;
  readonly key: { readonly provider: string; readonly algorithm: string };
  readonly certificate: {
    readonly subject: string;
    readonly issuer: string;
    readonly serialNumber: string;
    readonly notBefore: string;
    readonly notAfter: string;
  };
  /** DER certificates, base64, signer first. */
  readonly certificateChain: readonly string[];
  /** The GB/T 38540 seal (DER, base64). */
  readonly sealData: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The public status of a seal, for verifiers. */
export interface SealStatusView {
  readonly id: string;
  readonly esID: string;
  readonly name: string;
  readonly status: SealStatus;
  readonly since: string;
  readonly generation: number;
  readonly certificateSerialNumber: string;
  readonly validFrom: string;
  readonly validTo: string;
}

/** A seal grant (印章授权). */
export interface GrantView {
  readonly id: string;
  readonly sealId: string;
  readonly appId: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly maxUses: number | null;
  readonly usedCount: number;
  readonly status: 'active' | 'revoked';
  readonly createdAt: string;
  readonly revokedAt?: string;
  readonly reason?: string;
}

/** A seal application (用印申请) and its result. */
export interface SealApplicationView {
  readonly id: string;
  readonly status: 'sealed' | 'failed';
  readonly sealId: string;
  readonly appId: string;
  readonly bizId?: string;
  readonly level: 'B-B' | 'B-T';
  readonly positions: readonly SealPosition[];
  readonly document: {
    readonly filename: string;
    readonly sha256Before: string;
    readonly sha256After?: string;
    readonly size: number;
  };
  readonly usageSeq?: number;
  readonly createdAt: string;
  /** Path of the sealed PDF (GET with the same credentials). */
  readonly resultUrl?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

/** A two-step signing session: sign `toBeSigned` (or its `digest`) outside the server. */
export interface SigningSessionView {
  readonly id: string;
  readonly sealId: string;
  readonly signatureAlgorithm: string;
  /** DER of the CMS signed attributes: what the signature is over (base64). */
  readonly toBeSigned: string;
  /** What a digest-signing device signs (base64): H(toBeSigned), or for SM2 SM3(Z_A || toBeSigned). */
  readonly digest: string;
  readonly digestAlgorithm: string;
  readonly expiresAt: string;
  readonly status: 'open' | 'completed';
}

/** One usage-log (用印记录) entry with its chain fields. */
export interface UsageEntryView {
  readonly seq: number;
  readonly hash: string;
  readonly prevHash: string;
  readonly entry: Readonly<Record<string, unknown>>;
}

/** An application credential as created (the secret is shown once). */
export interface AppCredentialView {
  readonly appId: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly secretId: string;
  /** Only in the answer that created it. */
  readonly secret?: string;
}
