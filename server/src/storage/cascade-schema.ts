/** The cascade's collections: the provincial outbox and its delivery state, the national index, licence types and received batch ids. @module */
import { defineCollection, indexKey } from '@govtrust/core/store';
import type { LicenceIndexRecord } from '../cascade/contract.js';

/** One change waiting to be reported upward (written in the transaction of the change). */
export type OutboxItem =
  | {
      readonly seq: number;
      readonly kind: 'licence';
      readonly op: 'insert' | 'update' | 'delete';
      readonly record: LicenceIndexRecord;
      readonly enqueuedAt: string;
    }
  | {
      readonly seq: number;
      readonly kind: 'type';
      readonly op: 'insert' | 'update' | 'delete';
      /** The licence-type record (证照目录) as this node keeps it. */
      readonly type: Record<string, unknown> & { readonly typeCode: string };
      readonly enqueuedAt: string;
    };

/** Delivery state of the provincial outbox (key `delivery`) and what was reported of the types (key `types`). */
export interface CascadeStateRecord {
  /** The batch being delivered: same id on every retry, so the national node can drop a repeat. */
  readonly pending?: {
    readonly batchId: string;
    readonly fromKey: string;
    readonly toKey: string;
    readonly count: number;
    readonly createdAt: string;
    readonly attempts: number;
    readonly lastError?: string;
  };
  readonly delivered?: number;
  readonly lastDeliveredAt?: string;
  /** Content hash of each licence type as last enqueued (types are reconciled, not hooked). */
  readonly typeHashes?: Readonly<Record<string, string>>;
  /** Backfill (key `backfill`): when the last one completed, or where an interrupted one resumes. */
  readonly backfilledAt?: string;
  readonly backfillCursor?: string;
}

/** A national index record: the province's index record and where it came from (faces stay there). */
export interface NationalIndexRecord {
  readonly node: string;
  readonly record: LicenceIndexRecord;
  readonly deleted: boolean;
  readonly batchId: string;
  readonly seq: number;
  readonly receivedAt: string;
}

/** A licence type reported by a node. */
export interface NationalTypeRecord {
  readonly node: string;
  readonly typeCode: string;
  readonly type: Record<string, unknown>;
  readonly deleted: boolean;
  readonly batchId: string;
  readonly receivedAt: string;
}

/** A batch the national node applied (key node + batch id): a repeat is acknowledged, not applied. */
export interface ReceivedBatchRecord {
  readonly node: string;
  readonly batchId: string;
  readonly items: number;
  readonly applied: number;
  readonly skipped: number;
  readonly receivedAt: string;
}

/** Zero-padded outbox key: keys sort as sequence numbers. */
export const outboxKey = (seq: number): string => String(seq).padStart(16, '0');

/** The cascade's collections (part of the server schema). */
export const cascadeCollections = {
  'cascade-outbox': defineCollection<OutboxItem>(),
  'cascade-state': defineCollection<CascadeStateRecord>(),
  'cascade-index': defineCollection<NationalIndexRecord>({
    indexes: {
      holder: {
        key: (r) =>
          indexKey(r.record.holderCodeType, r.record.holderCode, r.record.licenceTypeCode),
      },
      node: { key: (r) => r.node },
    },
  }),
  'cascade-types': defineCollection<NationalTypeRecord>({
    indexes: { type: { key: (r) => r.typeCode } },
  }),
  'cascade-batches': defineCollection<ReceivedBatchRecord>(),
} as const;
