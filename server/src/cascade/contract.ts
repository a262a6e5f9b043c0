/**
 * The directory types the cascade works with (CONTRACTS.md): A's `domain/directory.ts` types,
 * re-exported, and the usage record the cascade writes through the directory.
 * @module
 */
import type { LicenceUsageEntry } from '../storage/schema.js';

export type {
  Caller,
  DirectoryAnswer,
  DirectoryQuery,
  IndexChange,
  IndexSink,
  LicenceIndexRecord,
  LicenceIndexView,
  RemoteDirectory,
} from '../domain/directory.js';

/** A usage record (用证记录) as the cascade writes it through the directory (time added there). */
export type CascadeUsageRecord = Omit<LicenceUsageEntry, 'time'>;

/** A licence-type record (证照目录) as the outbox reports it. */
export interface ReportedType {
  readonly typeCode: string;
}
