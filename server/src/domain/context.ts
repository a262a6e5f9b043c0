/** What every domain service is built on: the store, the clock, the PKI, keys, secrets, files and metrics. @module */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretBox } from '../auth/secret-box.js';
import type { Logger } from '../ops/logger.js';
import type { ServerMetrics } from '../ops/metrics.js';
import type { AuditEntry, ServerStore, ServerTx } from '../storage/schema.js';
import type { KeyService } from './keys.js';
import type { ServerPki } from './pki.js';

/** Folders of the file area. */
export type FileFolder = 'results' | 'sessions' | 'licences';

/** Files the server keeps outside the store: sealed results, prepared two-step documents, licence faces and signed data. */
export interface FileArea {
  readonly uploads: string;
  /** Writes a file atomically (temporary name + rename); `name` is a plain file name. */
  write(folder: FileFolder, name: string, data: Uint8Array): void;
  /** Writes a file atomically and durably (temporary name, fdatasync, rename, directory fsync). */
  persist(folder: FileFolder, name: string, data: Uint8Array): Promise<void>;
  read(folder: FileFolder, name: string): Promise<Uint8Array>;
}

/** Creates the file area under `dir` (results/, sessions/, licences/, uploads/). */
export function createFileArea(dir: string): FileArea {
  for (const sub of ['results', 'sessions', 'licences', 'uploads'])
    mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
  const safe = (name: string): string => {
    // Names come from server-generated ids only; refuse anything that could leave the folder.
    if (!/^[A-Za-z0-9._-]{1,200}$/.test(name) || name.startsWith('.'))
      throw new Error(`bad file name ${name}`);
    return name;
  };
  return {
    uploads: join(dir, 'uploads'),
    write(folder, name, data) {
      const path = join(dir, folder, safe(name));
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, data, { mode: 0o600 });
      renameSync(tmp, path);
    },
    async persist(folder, name, data) {
      const path = join(dir, folder, safe(name));
      const tmp = `${path}.${process.pid}.tmp`;
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(data);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      await rename(tmp, path);
      // The new name must be on disk too, or a power cut could lose the file.
      const dh = await open(join(dir, folder), 'r');
      try {
        await dh.sync();
      } finally {
        await dh.close();
      }
    },
    async read(folder, name) {
      return new Uint8Array(await readFile(join(dir, folder, safe(name))));
    },
  };
}

/** Limits and durations of the seal service. */
export interface ServiceSettings {
  /** How long a two-step session stays open. */
  readonly sessionTtlMs: number;
  /** Largest number of items in one batch. */
  readonly batchItems: number;
  /** Default validity of a new seal in days. */
  readonly sealValidityDays: number;
}

/** The domain context. */
export interface DomainContext {
  readonly store: ServerStore;
  readonly now: () => Date;
  readonly pki: ServerPki;
  readonly keys: KeyService;
  readonly secrets: SecretBox;
  readonly files: FileArea;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
  readonly settings: ServiceSettings;
}

/** Appends an admin event to the audit log inside `tx`. */
export async function audit(
  tx: ServerTx,
  ctx: DomainContext,
  event: Omit<AuditEntry, 'time'> & { readonly time?: string },
): Promise<void> {
  await tx.append('audit', { ...event, time: event.time ?? ctx.now().toISOString() });
}
