/**
 * The licence registry on the store: issuing records, lifecycle changes with audit entries and
 * status-list bits, status from the store and from freshly published lists, bad input stores nothing.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSigner, generateKeyPair } from '@govtrust/core/crypto';
import {
  checkLicenceStatusWithLists,
  createLicenceRegistry,
  formatLicenceId,
  licenceCollections,
  licenceLogs,
  loadLicenceTypes,
  nextLicenceVersion,
  parseLicenceId,
  verifyStatusListSignature,
  type LicenceData,
  type LicenceRegistry,
} from '@govtrust/core/licence';
import { createMemoryStore, defineSchema, verifyLogChain, type Store } from '@govtrust/core/store';
import { openLowdbStore } from '@govtrust/core/store/lowdb';
import { openPostgresStore } from '@govtrust/core/store/postgres';
import { hasPostgres, POSTGRES_URL } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tools.js';
import { sampleLicence, TYPES_DIR } from './samples.js';

const schema = defineSchema({ collections: licenceCollections, logs: licenceLogs });
const T0 = new Date('2025-06-01T02:00:00Z');
const later = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);
const BASE = 'https://zzk.example.gov.cn/v1/status-lists';

let store: Store<typeof schema>;
let registry: LicenceRegistry;

/** The registry runs on every driver: memory, lowdb and (when reachable) PostgreSQL. */
const drivers: [
  string,
  () => Promise<{ store: Store<typeof schema>; cleanup: () => Promise<void> }>,
][] = [
  [
    'memory',
    () => Promise.resolve({ store: createMemoryStore(schema), cleanup: () => Promise.resolve() }),
  ],
  [
    'lowdb',
    async () => {
      const dir = tempDir('govtrust-registry-');
      return {
        store: await openLowdbStore({ dir: dir.dir, schema }),
        cleanup: () => {
          dir.cleanup();
          return Promise.resolve();
        },
      };
    },
  ],
];
if (await hasPostgres()) {
  drivers.push([
    'postgres',
    async () => {
      const namespace = `gt_reg_${randomBytes(6).toString('hex')}`;
      const s = await openPostgresStore({
        connectionString: POSTGRES_URL,
        schema,
        namespace,
        poolSize: 4,
      });
      return {
        store: s,
        cleanup: async () => {
          const c = new pg.Client({ connectionString: POSTGRES_URL });
          await c.connect();
          await c.query(`DROP SCHEMA IF EXISTS "${namespace}" CASCADE`);
          await c.end();
        },
      };
    },
  ]);
}

async function snapshotCounts(): Promise<[number, number, number, number | undefined]> {
  return [
    await store.count('licences'),
    await store.count('status-list-slots'),
    await store.count('status-lists'),
    (await store.logHead('licence-events'))?.seq,
  ];
}

describe.each(drivers)('licence registry on %s', (_name, open) => {
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    const opened = await open();
    store = opened.store;
    cleanup = opened.cleanup;
    registry = createLicenceRegistry({ store, statusListBaseUrl: BASE });
    for (const type of await loadLicenceTypes(TYPES_DIR)) await registry.putType(type);
  });

  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('stores a licence with its status pointer to a randomly allocated index in both lists', async () => {
    const rec = await registry.addLicence(sampleLicence('construction-special-operations'), {
      now: T0,
      actor: 'issuer-app',
    });
    expect(rec.status).toEqual({ state: 'valid', since: T0.toISOString() });
    expect(rec.data.status).toHaveLength(2);
    const [rev, sus] = rec.data.status!;
    expect(rev).toMatchObject({
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListCredential: `${BASE}/11220000013544541J/1-revocation`,
      statusListIndex: String(rec.statusSlot.index),
    });
    expect(sus).toMatchObject({
      statusPurpose: 'suspension',
      statusListIndex: rev!.statusListIndex,
      statusListCredential: `${BASE}/11220000013544541J/1-suspension`,
    });
    expect(await registry.getLicence(rec.data.identifier)).toEqual(rec);
    expect((await store.readLog('licence-events'))[0]?.entry).toMatchObject({
      event: 'issued',
      to: 'valid',
      actor: 'issuer-app',
    });
    await expect(
      registry.addLicence(sampleLicence('construction-special-operations'), { now: T0 }),
    ).rejects.toMatchObject({
      code: 'ERR_LICENCE_EXISTS',
    });
    expect(await registry.listTypes()).toHaveLength(3);
  });

  it('allocates distinct random indexes and opens a new list when one is filled to the limit', async () => {
    const small = createLicenceRegistry({
      store,
      statusListBaseUrl: BASE,
      statusListFill: 100 / 131_072,
    });
    const indexes: number[] = [];
    for (let i = 0; i < 250; i++) {
      const id = formatLicenceId({
        typeCode: '11100000000013338W032',
        issuerCode: '11220000013544541J',
        serial: `S${i}`,
        version: 1,
      });
      const entries = await small.allocateStatus(id, { now: T0 });
      indexes.push(Number(entries[0]!.statusListIndex));
    }
    const lists = await small.statusLists('11220000013544541J');
    expect(lists.map((l) => [l.number, l.allocated])).toEqual([
      [1, 100],
      [2, 100],
      [3, 50],
    ]);
    expect(new Set(indexes.slice(0, 100)).size).toBe(100);
    // Random, not sequential: spread over the whole list.
    expect(Math.max(...indexes) - Math.min(...indexes)).toBeGreaterThan(100_000);
    const sorted = [...indexes.slice(0, 100)].sort((a, b) => a - b);
    expect(sorted).not.toEqual(indexes.slice(0, 100));
  });

  it('keeps concurrent changes consistent: one of 20 suspensions wins, 40 concurrent allocations get distinct indexes', async () => {
    const { data } = await registry.addLicence(sampleLicence('construction-special-operations'), {
      now: T0,
    });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        registry.changeStatus(data.identifier, 'suspend', {
          reasonCode: 'suspend.penalty',
          now: later(i + 1),
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(r.reason).toMatchObject({ code: 'ERR_LICENCE_STATUS_TRANSITION' });
    }
    expect((await store.readLog('licence-events')).map((e) => e.entry.event)).toEqual([
      'issued',
      'suspend',
    ]);
    const allocations = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        registry.allocateStatus(
          formatLicenceId({
            typeCode: '11100000000013338W032',
            issuerCode: '11220000013544541J',
            serial: `C${i}`,
            version: 1,
          }),
          {
            now: T0,
          },
        ),
      ),
    );
    const indexes = allocations.map((a) => a[0]!.statusListIndex);
    expect(new Set(indexes).size).toBe(40);
    expect((await registry.statusLists('11220000013544541J'))[0]?.allocated).toBe(41);
  });

  it('uses an index reserved before signing, and refuses entries that were not reserved for the licence', async () => {
    const data = sampleLicence('food-business-licence');
    const status = await registry.allocateStatus(data.identifier, { now: T0 });
    const rec = await registry.addLicence({ ...data, status }, { now: T0 });
    expect(rec.data.status).toEqual(status);
    const other = sampleLicence('business-licence');
    await expect(registry.addLicence({ ...other, status }, { now: T0 })).rejects.toMatchObject({
      code: 'ERR_STATUS_LIST_RANGE',
    });
  });

  it('refuses bad data and stores nothing', async () => {
    await registry.addLicence(sampleLicence('business-licence'), { now: T0 });
    const before = await snapshotCounts();
    const bad: [LicenceData, string][] = [
      [
        { ...sampleLicence('construction-special-operations'), typeCode: '11100000000013338W099' },
        'ERR_LICENCE_DATA_INVALID',
      ],
      [
        { ...sampleLicence('construction-special-operations'), fields: { sex: '男' } },
        'ERR_LICENCE_DATA_INVALID',
      ],
      [
        { ...sampleLicence('construction-special-operations'), validUntil: '2024-01-01' },
        'ERR_LICENCE_DATA_INVALID',
      ],
      [
        {
          ...sampleLicence('construction-special-operations'),
          holder: {
            ...sampleLicence('construction-special-operations').holder,
            code: '110105199003077017',
          },
        },
        'ERR_LICENCE_DATA_INVALID',
      ],
    ];
    for (const [data, code] of bad)
      await expect(registry.addLicence(data, { now: T0 })).rejects.toMatchObject({ code });
    const err = await registry.addLicence(bad[1]![0], { now: T0 }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      issues: expect.arrayContaining([
        expect.objectContaining({ code: 'ERR_LICENCE_FIELD_MISSING', path: 'fields.birthDate' }),
      ]),
    });
    expect(await snapshotCounts()).toEqual(before);
    await expect(
      registry.changeStatus(
        '1.2.156.3005.2.11100000000013338W032.11220000013544541J.NOPE.001.X',
        'revoke',
        { reasonCode: 'revoke.penalty', now: T0 },
      ),
    ).rejects.toMatchObject({
      code: 'ERR_LICENCE_NOT_FOUND',
    });
    expect(await snapshotCounts()).toEqual(before);
  });

  it('suspends, resumes and revokes with audit entries, refuses illegal changes, and reports 0/2/3 from the store and from published lists', async () => {
    const { data } = await registry.addLicence(sampleLicence('construction-special-operations'), {
      now: T0,
    });
    const id = data.identifier;
    const keys = generateKeyPair('sm2');
    const signer = createSigner(keys.privateKey);
    const listsAt = async (now: Date) => {
      const lists = [];
      for (const purpose of ['revocation', 'suspension'] as const) {
        const signed = await registry.publishStatusList('11220000013544541J', 1, purpose, {
          now,
          signer,
          ttlMs: 300_000,
        });
        expect(await verifyStatusListSignature(signed, { publicKey: keys.publicKey })).toBe(true);
        lists.push(signed.credential);
      }
      return lists;
    };
    expect(await registry.getStatus(id, { now: later(1) })).toMatchObject({
      status: 'valid',
      result: 0,
      resultMessage: '信息正确且有效',
    });
    expect(
      checkLicenceStatusWithLists(data, await listsAt(later(1)), { now: later(1) }),
    ).toMatchObject({ status: 'valid', result: 0 });

    await registry.changeStatus(id, 'suspend', {
      reasonCode: 'suspend.penalty',
      reason: '吉建罚〔2025〕12号',
      now: later(2),
      actor: 'admin',
    });
    expect(await registry.getStatus(id, { now: later(3) })).toMatchObject({
      status: 'suspended',
      result: 2,
      reasonCode: 'suspend.penalty',
      reason: '吉建罚〔2025〕12号',
    });
    expect(
      checkLicenceStatusWithLists(data, await listsAt(later(3)), { now: later(3) }),
    ).toMatchObject({ status: 'suspended', result: 2, bits: { revocation: 0, suspension: 1 } });
    await expect(
      registry.changeStatus(id, 'suspend', { reasonCode: 'suspend.other', now: later(4) }),
    ).rejects.toMatchObject({ code: 'ERR_LICENCE_STATUS_TRANSITION' });

    await registry.changeStatus(id, 'resume', { reasonCode: 'resume.period-ended', now: later(5) });
    expect(await registry.getStatus(id, { now: later(6) })).toMatchObject({
      status: 'valid',
      result: 0,
    });
    expect(
      checkLicenceStatusWithLists(data, await listsAt(later(6)), { now: later(6) }),
    ).toMatchObject({ status: 'valid', bits: { suspension: 0 } });

    await registry.changeStatus(id, 'revoke', { reasonCode: 'revoke.penalty', now: later(7) });
    expect(await registry.getStatus(id, { now: later(8) })).toMatchObject({
      status: 'revoked',
      result: 3,
      resultMessage: '信息正确且证照已失效',
    });
    expect(
      checkLicenceStatusWithLists(data, await listsAt(later(8)), { now: later(8) }),
    ).toMatchObject({ status: 'revoked', result: 3 });
    const before = await snapshotCounts();
    await expect(
      registry.changeStatus(id, 'resume', { reasonCode: 'resume.other', now: later(9) }),
    ).rejects.toMatchObject({ code: 'ERR_LICENCE_STATUS_TRANSITION' });
    await expect(
      registry.changeStatus(id, 'cancel', { reasonCode: 'revoke.penalty', now: later(9) }),
    ).rejects.toMatchObject({ code: 'ERR_LICENCE_STATUS_REASON' });
    expect(await snapshotCounts()).toEqual(before);

    const events = await store.readLog('licence-events');
    expect(events.map((e) => [e.entry.event, e.entry.from, e.entry.to])).toEqual([
      ['issued', undefined, 'valid'],
      ['suspend', 'valid', 'suspended'],
      ['resume', 'suspended', 'valid'],
      ['revoke', 'valid', 'revoked'],
    ]);
    expect(events[1]!.entry).toMatchObject({
      reasonCode: 'suspend.penalty',
      actor: 'admin',
      at: later(2).toISOString(),
    });
    expect(verifyLogChain(events).valid).toBe(true);
  });

  it('supersedes with version + 1 in one transaction and finds versions and holders', async () => {
    const v1 = (
      await registry.addLicence(sampleLicence('construction-special-operations'), { now: T0 })
    ).data;
    const { status: _status, ...rest } = v1;
    const v2data: LicenceData = {
      ...rest,
      identifier: nextLicenceVersion(v1.identifier),
      previousVersion: v1.identifier,
      fields: { ...v1.fields, operationCategory: '建筑架子工' },
    };
    const { old, next } = await registry.supersede(v1.identifier, v2data, {
      reasonCode: 'supersede.change',
      now: later(10),
    });
    expect(old.status).toMatchObject({ state: 'superseded', supersededBy: v2data.identifier });
    expect(parseLicenceId(next.data.identifier).version).toBe(2);
    expect(await registry.getStatus(v1.identifier, { now: later(11) })).toMatchObject({
      status: 'superseded',
      result: 3,
      supersededBy: v2data.identifier,
    });
    expect(await registry.getStatus(v2data.identifier, { now: later(11) })).toMatchObject({
      status: 'valid',
      result: 0,
    });
    expect(
      (await registry.versions(v2data.identifier)).map(
        (r) => parseLicenceId(r.data.identifier).version,
      ),
    ).toEqual([1, 2]);
    const holder = await registry.findByHolder({
      holderCode: '110105199003077016',
      codeTypeCode: '111',
    });
    expect(holder.map((r) => r.data.identifier)).toEqual([v2data.identifier, v1.identifier]);
    expect(
      await registry.findByHolder({
        holderCode: '110105199003077016',
        codeTypeCode: '111',
        typeCode: '11100000MB0G30001B001',
      }),
    ).toEqual([]);
    // Not the next version: refused, nothing changed.
    const before = await snapshotCounts();
    await expect(
      registry.supersede(
        v2data.identifier,
        {
          ...v2data,
          identifier: nextLicenceVersion(nextLicenceVersion(v2data.identifier)),
          previousVersion: v2data.identifier,
        },
        {
          reasonCode: 'supersede.change',
          now: later(12),
        },
      ),
    ).rejects.toMatchObject({ code: 'ERR_LICENCE_STATUS_REASON' });
    expect(await snapshotCounts()).toEqual(before);
  });

  it('reports an unknown identifier (5), a licence not yet in force (1) and an expired one (3)', async () => {
    expect(
      await registry.getStatus(
        '1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F',
        { now: T0 },
      ),
    ).toMatchObject({
      found: false,
      result: 5,
      resultMessage: '查无此信息',
    });
    const d = sampleLicence('food-business-licence');
    await registry.addLicence(d, { now: T0 });
    expect(
      await registry.getStatus(d.identifier, { now: new Date('2025-04-07T00:00:00Z') }),
    ).toMatchObject({ status: 'valid', notYetValid: true, result: 1 });
    expect(
      await registry.getStatus(d.identifier, { now: new Date('2030-04-08T00:00:00Z') }),
    ).toMatchObject({ status: 'expired', result: 3 });
    await expect(
      registry.changeStatus(d.identifier, 'suspend', {
        reasonCode: 'suspend.penalty',
        now: new Date('2030-04-08T00:00:00Z'),
      }),
    ).rejects.toMatchObject({ code: 'ERR_LICENCE_STATUS_EXPIRED' });
    await registry.changeStatus(d.identifier, 'cancel', {
      reasonCode: 'cancel.not-renewed',
      now: new Date('2030-04-08T00:00:00Z'),
    });
  });
});
