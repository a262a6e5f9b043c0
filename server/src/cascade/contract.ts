/**
 * The directory types the cascade works with (CONTRACTS.md, A's `domain/directory.ts`): kept
 * structural here so that the cascade builds on its own; they are the same shapes.
 * @module
 */
import type { ServerTx } from '../storage/schema.js';

/** A directory query. */
export type DirectoryQuery =
  | { readonly by: 'identifier'; readonly identifier: string }
  | {
      readonly by: 'holder';
      readonly holderCode: string;
      readonly holderCodeType: string;
      readonly licenceType: string;
    }
  | { readonly by: 'qr'; readonly text: string };

/** Who asks. */
export interface Caller {
  readonly kind: 'app' | 'public' | 'node';
  readonly id: string;
  readonly roles?: readonly string[];
  readonly onBehalfOf?: string;
  readonly clientIp?: string;
  readonly requestId?: string;
}

/** The per-licence index record (e-licences.md §3.2). */
export interface LicenceIndexRecord {
  readonly identifier: string;
  readonly licenceTypeCode: string;
  readonly licenceTypeName: string;
  readonly issuerCode: string;
  readonly issuerName: string;
  readonly holderCode: string;
  readonly holderCodeType: string;
  readonly holderName: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly validFrom: string;
  readonly validTo?: string;
  readonly issuedAt: string;
  readonly version: number;
  readonly updatedAt: string;
  readonly number?: string;
  readonly areaCode?: string;
}

/** An index change. */
export interface IndexChange {
  readonly op: 'insert' | 'update' | 'delete';
  readonly record: LicenceIndexRecord;
}

/** Receives every index change inside its store transaction. */
export interface IndexSink {
  record(tx: ServerTx, change: IndexChange): Promise<void>;
}

/** A directory answer (the licence view is passed through as the source node gave it). */
export type DirectoryAnswer =
  | {
      readonly found: true;
      readonly source: { readonly node: string };
      readonly licence: LicenceIndexRecord & Record<string, unknown>;
    }
  | { readonly found: false };

/** Another directory consulted on a local miss. */
export interface RemoteDirectory {
  lookup(query: DirectoryQuery, caller: Caller, useCause: string): Promise<DirectoryAnswer>;
}

/** A usage record (用证记录) as the cascade writes it through the directory (time added there). */
export interface CascadeUsageRecord {
  readonly requestId: string | null;
  readonly caller: string;
  readonly callerKind: 'app' | 'public' | 'node';
  readonly authenticated: boolean;
  readonly onBehalfOf?: string;
  readonly action: 'lookup' | 'holder-query' | 'qr-query';
  readonly useCause?: string;
  readonly identifier?: string;
  readonly query?: Record<string, string>;
  readonly result: 'found' | 'not-found' | 'refused' | 'failed';
  readonly code?: string;
  readonly source?: string;
  readonly licenceResult?: number;
  readonly clientIp?: string;
}
