/**
 * The licence registry on the `store` interface: licence types, licence records with their
 * status, lifecycle changes with one audit entry each (hash-chained log `licence-events`), and
 * per-issuer Bitstring Status Lists with random index allocation.
 * @module
 */
import { randomInt } from 'node:crypto';
import type { Signer } from '../crypto/index.js';
import { LicenceLookupError, LicenceStatusError, StatusListError } from '../errors/index.js';
import {
  defineCollection,
  defineLog,
  indexKey,
  type Store,
  type StoreSchema,
  type StoreTransaction,
} from '../store/index.js';
import { licenceLineage, parseLicenceId } from './identifier.js';
import type { CheckMode } from './issues.js';
import { assertLicenceData, type LicenceData, type StatusListEntry } from './licence-data.js';
import { parseLicenceType, type LicenceType } from './licence-type.js';
import {
  effectiveLicenceStatus,
  isLicenceExpired,
  isLicenceNotYetValid,
  provincialResultMessages,
  toProvincialResult,
  transitionLicenceStatus,
  type LicenceStatus,
  type LicenceStatusAction,
  type LicenceStatusReasonCode,
  type LicenceStatusRecord,
  type ProvincialResult,
  type StoredLicenceState,
} from './status.js';
import {
  createStatusBitstring,
  createStatusListCredential,
  decodeStatusList,
  encodeStatusList,
  setStatus,
  signStatusListCredential,
  STATUS_LIST_MIN_ENTRIES,
  type SignedStatusList,
  type StatusListCredential,
  type StatusListProofEncoder,
} from './status-list.js';

/** A stored licence. */
export interface LicenceRecord {
  readonly data: LicenceData;
  readonly status: LicenceStatusRecord;
  /** The identifier without version and check character (all versions share it). */
  readonly lineage: string;
  /** Where the licence's status bits are. */
  readonly statusSlot: { readonly list: string; readonly index: number };
  readonly createdAt: string;
}

/** One entry of the `licence-events` log. */
export interface LicenceEvent {
  readonly identifier: string;
  readonly event: 'issued' | LicenceStatusAction;
  readonly from?: StoredLicenceState;
  readonly to: StoredLicenceState;
  readonly reasonCode?: LicenceStatusReasonCode;
  readonly reason?: string;
  readonly supersededBy?: string;
  readonly at: string;
  /** Who made the change (user, app, node). */
  readonly actor?: string;
}

/** One status list of an issuer: a revocation and a suspension bitstring sharing one index space. */
export interface StatusListRecord {
  readonly issuerCode: string;
  readonly number: number;
  readonly entries: number;
  readonly allocated: number;
  readonly revocation: string;
  readonly suspension: string;
  readonly updatedAt: string;
}

/** An allocated index. */
export interface StatusListSlot {
  readonly list: string;
  readonly index: number;
  readonly identifier: string;
}

const pad = (n: number): string => String(n).padStart(10, '0');

/** The collections of the licence registry (add them to a server's schema). */
export const licenceCollections = {
  licences: defineCollection<LicenceRecord>({
    indexes: {
      holder: {
        key: (r) => indexKey(r.data.holder.codeTypeCode, r.data.holder.code, r.data.typeCode),
      },
      type: { key: (r) => r.data.typeCode },
      issuer: { key: (r) => r.data.issuer.code },
      lineage: {
        key: (r) =>
          indexKey(r.lineage, pad(parseLicenceId(r.data.identifier, { mode: 'lenient' }).version)),
      },
      number: { key: (r) => indexKey(r.data.typeCode, r.data.number) },
    },
  }),
  'licence-types': defineCollection<LicenceType>(),
  'status-lists': defineCollection<StatusListRecord>({
    indexes: { issuer: { key: (l) => indexKey(l.issuerCode, pad(l.number)) } },
  }),
  'status-list-slots': defineCollection<StatusListSlot>(),
} as const;

/** The logs of the licence registry. */
export const licenceLogs = {
  'licence-events': defineLog<LicenceEvent>({
    indexes: { licence: { key: (e) => indexKey(e.identifier, e.at) } },
  }),
} as const;

/** A schema with the registry's collections and logs (and any others). */
export type WithLicenceRegistry = {
  readonly collections: typeof licenceCollections;
  readonly logs: typeof licenceLogs;
} & StoreSchema;

interface RegistrySchema extends StoreSchema {
  readonly collections: typeof licenceCollections;
  readonly logs: typeof licenceLogs;
}

/** Options of `createLicenceRegistry`. */
export interface LicenceRegistryOptions<S extends WithLicenceRegistry> {
  readonly store: Store<S>;
  /** Base URL of published status lists, e.g. `https://zzk.example.gov.cn/v1/status-lists`. */
  readonly statusListBaseUrl: string;
  /** URL of one list (default `<base>/<issuer USCC>/<number>-<purpose>`). */
  readonly statusListUrl?: (
    issuerCode: string,
    number: number,
    purpose: 'revocation' | 'suspension',
  ) => string;
  /** Entries per list (default and minimum 131,072). */
  readonly statusListEntries?: number;
  /** Fraction of a list allocated before a new one opens (default 0.5: a random probe hits a free index at least half the time). */
  readonly statusListFill?: number;
  /** Validation mode for licence data (default strict). */
  readonly mode?: CheckMode;
  /**
   * Called inside the store transaction of every licence write (issue, status change, supersede),
   * after the record and its event are written: a directory index, an outbox. A throw aborts the
   * write.
   */
  readonly onChange?: (tx: StoreTransaction<S>, change: LicenceRegistryChange) => Promise<void>;
}

/** A licence write as `onChange` sees it. */
export interface LicenceRegistryChange {
  /** `insert` for a new licence (or version), `update` for a status change. */
  readonly op: 'insert' | 'update';
  readonly record: LicenceRecord;
  readonly event: LicenceEvent;
}

/** Status of a licence as the registry knows it. */
export interface LicenceStatusReport {
  readonly identifier: string;
  readonly found: boolean;
  /** Effective status (expiry computed at `now`). */
  readonly status?: LicenceStatus;
  readonly state?: StoredLicenceState;
  readonly since?: string;
  readonly reasonCode?: LicenceStatusReasonCode;
  readonly reason?: string;
  readonly supersededBy?: string;
  readonly notYetValid: boolean;
  /** Provincial 0-7 result and its message. */
  readonly result: ProvincialResult;
  readonly resultMessage: string;
}

/** Options of a status change. */
export interface StatusChangeOptions {
  readonly reasonCode: LicenceStatusReasonCode;
  readonly reason?: string;
  readonly now: Date;
  readonly actor?: string;
}

/** The registry's operations (see `createLicenceRegistry`). */
export interface LicenceRegistry {
  /** Stores (or replaces) a licence type after validating it. @throws ERR_LICENCE_TYPE_INVALID */
  putType(type: unknown): Promise<LicenceType>;
  getType(typeCode: string): Promise<LicenceType | undefined>;
  listTypes(): Promise<LicenceType[]>;
  /**
   * Reserves a status-list index for an identifier (before its data is signed): the status
   * entries to put in the data.
   */
  allocateStatus(
    identifier: string,
    options: { readonly now: Date },
  ): Promise<readonly StatusListEntry[]>;
  /**
   * Stores a new licence (status valid) and logs `issued`. Data without `status` gets an index
   * allocated in the same transaction; data with `status` must use the index reserved for it.
   * @throws ERR_LICENCE_DATA_INVALID, ERR_LICENCE_EXISTS, ERR_STATUS_LIST_RANGE (foreign status entry)
   */
  addLicence(
    data: LicenceData,
    options: { readonly now: Date; readonly actor?: string },
  ): Promise<LicenceRecord>;
  getLicence(identifier: string): Promise<LicenceRecord | undefined>;
  /** Licences of a holder (持证主体代码 + 代码类型, optionally one type), newest first. */
  findByHolder(query: {
    readonly holderCode: string;
    readonly codeTypeCode: string;
    readonly typeCode?: string;
  }): Promise<LicenceRecord[]>;
  /** Every version of a licence, oldest first. */
  versions(identifier: string): Promise<LicenceRecord[]>;
  /**
   * Suspends, resumes, revokes or cancels a licence: status record, status-list bits and an
   * audit entry, in one transaction; nothing is stored when the change is refused.
   * @throws ERR_LICENCE_NOT_FOUND, ERR_LICENCE_STATUS_TRANSITION, ERR_LICENCE_STATUS_EXPIRED, ERR_LICENCE_STATUS_REASON
   */
  changeStatus(
    identifier: string,
    action: Exclude<LicenceStatusAction, 'supersede'>,
    options: StatusChangeOptions,
  ): Promise<LicenceRecord>;
  /**
   * Stores the next version (its `previousVersion` names the old one, version + 1) and marks the
   * old one superseded, in one transaction.
   * @throws as `addLicence` and `changeStatus`; ERR_LICENCE_ID_MISMATCH when the new data is not the next version
   */
  supersede(
    oldIdentifier: string,
    next: LicenceData,
    options: StatusChangeOptions,
  ): Promise<{ old: LicenceRecord; next: LicenceRecord }>;
  /** The status with the provincial result (5 for an unknown identifier). */
  getStatus(identifier: string, options: { readonly now: Date }): Promise<LicenceStatusReport>;
  /** The status lists of an issuer, by number. */
  statusLists(issuerCode: string): Promise<StatusListRecord[]>;
  /** An unsigned status list credential for one list and purpose. @throws ERR_STATUS_LIST_RANGE for an unknown list */
  buildStatusList(
    issuerCode: string,
    number: number,
    purpose: 'revocation' | 'suspension',
    options: { readonly now: Date; readonly validForMs?: number; readonly ttlMs?: number },
  ): Promise<StatusListCredential>;
  /** A signed status list credential (detached CMS when the signer has a certificate chain, else a raw signature). */
  publishStatusList(
    issuerCode: string,
    number: number,
    purpose: 'revocation' | 'suspension',
    options: {
      readonly now: Date;
      readonly signer: Signer;
      readonly encode?: StatusListProofEncoder;
      readonly validForMs?: number;
      readonly ttlMs?: number;
    },
  ): Promise<SignedStatusList>;
}

/**
 * A licence registry over a store whose schema includes `licenceCollections` and `licenceLogs`.
 * Every write is one store transaction.
 * @throws {StatusListError} ERR_STATUS_LIST_LENGTH when `statusListEntries` is below 131,072
 */
export function createLicenceRegistry<S extends WithLicenceRegistry>(
  options: LicenceRegistryOptions<S>,
): LicenceRegistry {
  // The caller's schema contains the registry's collections; operate on that part of it.
  const view: unknown = options.store;
  const store = view as Store<RegistrySchema>;
  const entries = options.statusListEntries ?? STATUS_LIST_MIN_ENTRIES;
  const fill = options.statusListFill ?? 0.5;
  createStatusBitstring(entries); // validates the size
  const base = options.statusListBaseUrl.replace(/\/+$/, '');
  const listUrl =
    options.statusListUrl ??
    ((issuer: string, n: number, purpose: string): string => `${base}/${issuer}/${n}-${purpose}`);
  const mode = options.mode ?? 'strict';
  const notify = async (
    tx: StoreTransaction<RegistrySchema>,
    change: LicenceRegistryChange,
  ): Promise<void> => {
    if (options.onChange === undefined) return;
    // The same transaction object, typed with the caller's whole schema.
    const whole: unknown = tx;
    await options.onChange(whole as StoreTransaction<S>, change);
  };

  const typesOf = async (
    tx: StoreTransaction<RegistrySchema>,
  ): Promise<Map<string, LicenceType>> => {
    const out = new Map<string, LicenceType>();
    let after: string | undefined;
    do {
      const page = await tx.query('licence-types', {
        limit: 1000,
        ...(after === undefined ? {} : { after }),
      });
      for (const r of page.items) out.set(r.key, r.value);
      after = page.next;
    } while (after !== undefined);
    return out;
  };

  const entriesFor = (issuerCode: string, number: number, index: number): StatusListEntry[] =>
    (['revocation', 'suspension'] as const).map((purpose) => ({
      type: 'BitstringStatusListEntry',
      id: `${listUrl(issuerCode, number, purpose)}#${index}`,
      statusPurpose: purpose,
      statusListIndex: String(index),
      statusListCredential: listUrl(issuerCode, number, purpose),
    }));

  const allocateIn = async (
    tx: StoreTransaction<RegistrySchema>,
    issuerCode: string,
    identifier: string,
    now: Date,
  ): Promise<{ list: StatusListRecord; index: number }> => {
    const latest = await tx.query('status-lists', {
      index: 'issuer',
      prefix: indexKey(issuerCode, ''),
      reverse: true,
      limit: 1,
    });
    let list = latest.items[0]?.value;
    if (list === undefined || list.allocated >= Math.floor(list.entries * fill)) {
      const zero = encodeStatusList(createStatusBitstring(entries));
      list = {
        issuerCode,
        number: (list?.number ?? 0) + 1,
        entries,
        allocated: 0,
        revocation: zero,
        suspension: zero,
        updatedAt: now.toISOString(),
      };
      await tx.insert('status-lists', `${issuerCode}/${list.number}`, list);
    }
    const listKey = `${issuerCode}/${list.number}`;
    // Random assignment (Bitstring Status List §2.1: SHOULD assign indexes randomly); the fill
    // limit keeps the expected number of probes at or below 1 / (1 - fill).
    for (let probe = 0; probe < 256; probe++) {
      const index = randomInt(list.entries);
      const slotKey = `${listKey}/${index}`;
      if ((await tx.get('status-list-slots', slotKey)) !== undefined) continue;
      await tx.insert('status-list-slots', slotKey, { list: listKey, index, identifier });
      const updated = { ...list, allocated: list.allocated + 1, updatedAt: now.toISOString() };
      await tx.put('status-lists', listKey, updated);
      return { list: updated, index };
    }
    throw new StatusListError(
      'ERR_STATUS_LIST_FULL',
      `No free index found in status list ${listKey}`,
    );
  };

  const setBits = async (
    tx: StoreTransaction<RegistrySchema>,
    slot: LicenceRecord['statusSlot'],
    bits: { readonly revocation?: 0 | 1; readonly suspension?: 0 | 1 },
    now: Date,
  ): Promise<void> => {
    const rec = await tx.get('status-lists', slot.list);
    if (rec === undefined)
      throw new StatusListError('ERR_STATUS_LIST_RANGE', `Status list ${slot.list} is missing`);
    const next: { -readonly [K in keyof StatusListRecord]: StatusListRecord[K] } = {
      ...rec.value,
      updatedAt: now.toISOString(),
    };
    for (const purpose of ['revocation', 'suspension'] as const) {
      const value = bits[purpose];
      if (value === undefined) continue;
      const decoded = decodeStatusList(rec.value[purpose]);
      const copy = new Uint8Array(decoded);
      setStatus(copy, slot.index, value);
      next[purpose] = encodeStatusList(copy);
    }
    await tx.put('status-lists', slot.list, next, { ifVersion: rec.version });
  };

  const addIn = async (
    tx: StoreTransaction<RegistrySchema>,
    input: LicenceData,
    now: Date,
    actor: string | undefined,
  ): Promise<LicenceRecord> => {
    const types = await typesOf(tx);
    let data = assertLicenceData(input, { types, mode, now });
    if ((await tx.get('licences', data.identifier)) !== undefined) {
      throw new LicenceLookupError('ERR_LICENCE_EXISTS', data.identifier);
    }
    let slot: LicenceRecord['statusSlot'];
    if (data.status === undefined) {
      const { list, index } = await allocateIn(tx, data.issuer.code, data.identifier, now);
      slot = { list: `${list.issuerCode}/${list.number}`, index };
      data = { ...data, status: entriesFor(list.issuerCode, list.number, index) };
    } else {
      slot = await reservedSlot(tx, data);
    }
    const record: LicenceRecord = {
      data,
      status: { state: 'valid', since: now.toISOString() },
      lineage: licenceLineage(data.identifier),
      statusSlot: slot,
      createdAt: now.toISOString(),
    };
    await tx.insert('licences', data.identifier, record);
    const event: LicenceEvent = {
      identifier: data.identifier,
      event: 'issued',
      to: 'valid',
      at: now.toISOString(),
      ...(actor === undefined ? {} : { actor }),
    };
    await tx.append('licence-events', event);
    await notify(tx, { op: 'insert', record, event });
    return record;
  };

  /** The slot reserved for `data` by `allocateStatus`, checked against its status entries. */
  const reservedSlot = async (
    tx: StoreTransaction<RegistrySchema>,
    data: LicenceData,
  ): Promise<LicenceRecord['statusSlot']> => {
    const first = data.status?.[0];
    const found = first === undefined ? undefined : await findSlot(tx, data.issuer.code, first);
    const expected =
      found === undefined
        ? undefined
        : entriesFor(data.issuer.code, found.number, found.slot.index);
    if (
      found?.slot.identifier !== data.identifier ||
      expected === undefined ||
      JSON.stringify(expected) !== JSON.stringify(data.status)
    ) {
      throw new StatusListError(
        'ERR_STATUS_LIST_RANGE',
        `The status entries of ${data.identifier} are not the ones reserved for it`,
      );
    }
    return { list: found.slot.list, index: found.slot.index };
  };

  const findSlot = async (
    tx: StoreTransaction<RegistrySchema>,
    issuerCode: string,
    entry: StatusListEntry,
  ): Promise<{ slot: StatusListSlot; number: number } | undefined> => {
    const lists = await tx.query('status-lists', {
      index: 'issuer',
      prefix: indexKey(issuerCode, ''),
      limit: 1000,
    });
    for (const l of lists.items) {
      if (listUrl(issuerCode, l.value.number, entry.statusPurpose) === entry.statusListCredential) {
        const slot = await tx.get('status-list-slots', `${l.key}/${entry.statusListIndex}`);
        return slot === undefined ? undefined : { slot: slot.value, number: l.value.number };
      }
    }
    return undefined;
  };

  const changeIn = async (
    tx: StoreTransaction<RegistrySchema>,
    identifier: string,
    action: LicenceStatusAction,
    opts: StatusChangeOptions & { readonly supersededBy?: string },
  ): Promise<LicenceRecord> => {
    const current = await tx.get('licences', identifier);
    if (current === undefined) throw new LicenceLookupError('ERR_LICENCE_NOT_FOUND', identifier);
    const status = transitionLicenceStatus(
      current.value.status,
      {
        action,
        reasonCode: opts.reasonCode,
        at: opts.now,
        ...(opts.reason === undefined ? {} : { reason: opts.reason }),
        ...(opts.supersededBy === undefined ? {} : { supersededBy: opts.supersededBy }),
      },
      { expired: isLicenceExpired(current.value.data.validUntil, opts.now) },
    );
    const record: LicenceRecord = { ...current.value, status };
    await tx.put('licences', identifier, record, { ifVersion: current.version });
    const bits: { revocation?: 0 | 1; suspension?: 0 | 1 } =
      action === 'suspend'
        ? { suspension: 1 }
        : action === 'resume'
          ? { suspension: 0 }
          : { revocation: 1, suspension: 0 };
    await setBits(tx, current.value.statusSlot, bits, opts.now);
    const event: LicenceEvent = {
      identifier,
      event: action,
      from: current.value.status.state,
      to: status.state,
      reasonCode: opts.reasonCode,
      at: opts.now.toISOString(),
      ...(opts.reason === undefined ? {} : { reason: opts.reason }),
      ...(opts.supersededBy === undefined ? {} : { supersededBy: opts.supersededBy }),
      ...(opts.actor === undefined ? {} : { actor: opts.actor }),
    };
    await tx.append('licence-events', event);
    await notify(tx, { op: 'update', record, event });
    return record;
  };

  const records = async (
    q: Parameters<Store<RegistrySchema>['query']>[1],
  ): Promise<LicenceRecord[]> => {
    const out: LicenceRecord[] = [];
    let after: string | undefined;
    do {
      const page = await store.query('licences', {
        ...q,
        limit: 1000,
        ...(after === undefined ? {} : { after }),
      });
      out.push(...page.items.map((r) => r.value));
      after = page.next;
    } while (after !== undefined && out.length < 10_000);
    return out;
  };

  const buildList = async (
    issuerCode: string,
    number: number,
    purpose: 'revocation' | 'suspension',
    o: { readonly now: Date; readonly validForMs?: number; readonly ttlMs?: number },
  ): Promise<StatusListCredential> => {
    const rec = await store.get('status-lists', `${issuerCode}/${number}`);
    if (rec === undefined)
      throw new StatusListError('ERR_STATUS_LIST_RANGE', `No status list ${issuerCode}/${number}`);
    return createStatusListCredential({
      id: listUrl(issuerCode, number, purpose),
      issuer: `${base}/${issuerCode}`,
      purpose,
      bits: rec.value[purpose],
      validFrom: o.now,
      ...(o.validForMs === undefined
        ? {}
        : { validUntil: new Date(o.now.getTime() + o.validForMs) }),
      ...(o.ttlMs === undefined ? {} : { ttlMs: o.ttlMs }),
    });
  };

  return {
    async putType(input) {
      const type = parseLicenceType(input);
      await store.put('licence-types', type.typeCode, type);
      return type;
    },
    async getType(typeCode) {
      return (await store.get('licence-types', typeCode))?.value;
    },
    async listTypes() {
      return [...(await store.transaction((tx) => typesOf(tx), { readOnly: true })).values()];
    },
    async allocateStatus(identifier, o) {
      const id = parseLicenceId(identifier, { mode });
      return store.transaction(async (tx) => {
        const { list, index } = await allocateIn(tx, id.issuerCode, id.identifier, o.now);
        return entriesFor(list.issuerCode, list.number, index);
      });
    },
    addLicence(data, o) {
      return store.transaction((tx) => addIn(tx, data, o.now, o.actor));
    },
    async getLicence(identifier) {
      return (await store.get('licences', identifier.trim().toUpperCase()))?.value;
    },
    async findByHolder(q) {
      const prefix =
        q.typeCode === undefined
          ? indexKey(q.codeTypeCode, q.holderCode, '')
          : indexKey(q.codeTypeCode, q.holderCode, q.typeCode);
      const found = await records(
        q.typeCode === undefined
          ? { index: 'holder', prefix }
          : { index: 'holder', equals: prefix },
      );
      return found.sort((a, b) =>
        a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0,
      );
    },
    async versions(identifier) {
      return records({ index: 'lineage', prefix: indexKey(licenceLineage(identifier), '') });
    },
    changeStatus(identifier, action, o) {
      return store.transaction((tx) => changeIn(tx, identifier.trim().toUpperCase(), action, o));
    },
    supersede(oldIdentifier, next, o) {
      return store.transaction(async (tx) => {
        const oldId = parseLicenceId(oldIdentifier, { mode: 'lenient' });
        const newId = parseLicenceId(next.identifier, { mode });
        if (
          next.previousVersion !== oldId.identifier ||
          licenceLineage(next.identifier) !== licenceLineage(oldId.identifier) ||
          newId.version !== oldId.version + 1
        ) {
          throw new LicenceStatusError(
            'ERR_LICENCE_STATUS_REASON',
            `${next.identifier} is not the next version of ${oldId.identifier}`,
            {
              from: 'valid',
              action: 'supersede',
            },
          );
        }
        if (!o.reasonCode.startsWith('supersede.')) {
          throw new LicenceStatusError(
            'ERR_LICENCE_STATUS_REASON',
            `Reason ${o.reasonCode} is not a reason to supersede`,
            {
              from: 'valid',
              action: 'supersede',
            },
          );
        }
        const old = await changeIn(tx, oldId.identifier, 'supersede', {
          ...o,
          supersededBy: next.identifier,
        });
        const added = await addIn(tx, next, o.now, o.actor);
        return { old, next: added };
      });
    },
    async getStatus(identifier, o) {
      const id = identifier.trim().toUpperCase();
      const rec = (await store.get('licences', id))?.value;
      if (rec === undefined) {
        return {
          identifier: id,
          found: false,
          notYetValid: false,
          result: 5,
          resultMessage: provincialResultMessages[5],
        };
      }
      const status = effectiveLicenceStatus(rec.status.state, rec.data.validUntil, o.now);
      const notYetValid = isLicenceNotYetValid(rec.data.validFrom, o.now);
      const result = toProvincialResult({ found: true, status, notYetValid });
      return {
        identifier: id,
        found: true,
        status,
        state: rec.status.state,
        since: rec.status.since,
        ...(rec.status.reasonCode === undefined ? {} : { reasonCode: rec.status.reasonCode }),
        ...(rec.status.reason === undefined ? {} : { reason: rec.status.reason }),
        ...(rec.status.supersededBy === undefined ? {} : { supersededBy: rec.status.supersededBy }),
        notYetValid,
        result,
        resultMessage: provincialResultMessages[result],
      };
    },
    async statusLists(issuerCode) {
      const page = await store.query('status-lists', {
        index: 'issuer',
        prefix: indexKey(issuerCode, ''),
        limit: 1000,
      });
      return page.items.map((r) => r.value);
    },
    buildStatusList: buildList,
    async publishStatusList(issuerCode, number, purpose, o) {
      const credential = await buildList(issuerCode, number, purpose, o);
      return signStatusListCredential(credential, {
        signer: o.signer,
        ...(o.encode === undefined ? {} : { encode: o.encode }),
      });
    },
  };
}
