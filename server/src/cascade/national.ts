/**
 * The national node of the cascade (国家节点, e-licences.md §8.1 "物理分散、逻辑集中"): it keeps the
 * per-licence index and the licence-type records each provincial node reports, with their source
 * node, applies batches idempotently (a batch id seen before is acknowledged, not applied again),
 * and answers lookups by routing them to the source node's API; it holds no faces and no licence
 * data beyond the index. Every lookup, answered or refused, leaves a usage record here too.
 * @module
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { z } from 'zod';
import { CascadeError } from '@govtrust/core/errors';
import { holderCodeTypeNames } from '@govtrust/core/licence';
import { indexKey } from '@govtrust/core/store';
import type { NationalIndexRecord } from '../storage/cascade-schema.js';
import type { ServerStore } from '../storage/schema.js';
import type {
  CascadeUsageRecord,
  DirectoryAnswer,
  DirectoryQuery,
  LicenceIndexRecord,
  LicenceIndexView,
} from './contract.js';
import type { BatchAck } from './outbox.js';
import { callNode } from './node-client.js';

/** A registered provincial node. */
export interface RegisteredNode {
  readonly id: string;
  readonly secret: string;
  readonly url: string;
  readonly division?: string | undefined;
}

const id = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);
const text = (max: number): z.ZodString => z.string().max(max);

/** A licence index record on the wire (checked field by field; extra fields are dropped). */
export const indexRecordSchema = z.object({
  identifier: z.string().min(1).max(200),
  licenceTypeCode: text(64),
  licenceTypeName: text(512),
  issuerCode: text(64),
  issuerName: text(512),
  holderCode: text(256),
  holderCodeType: text(64),
  holderName: text(512),
  status: text(32),
  statusReason: text(200).optional(),
  validFrom: text(40),
  validTo: text(40).optional(),
  issuedAt: text(40),
  version: z.number().int().min(0).max(999),
  updatedAt: text(40),
  number: text(128).optional(),
  areaCode: text(32).optional(),
});

const itemSchema = z.discriminatedUnion('kind', [
  z.object({
    seq: z.number().int().min(1),
    kind: z.literal('licence'),
    op: z.enum(['insert', 'update', 'delete']),
    record: indexRecordSchema,
    enqueuedAt: text(40),
  }),
  z.object({
    seq: z.number().int().min(1),
    kind: z.literal('type'),
    op: z.enum(['insert', 'update', 'delete']),
    type: z.looseObject({ typeCode: z.string().min(1).max(64) }),
    enqueuedAt: text(40),
  }),
]);

/** An index batch on the wire. */
export const batchSchema = z.object({
  batchId: z.string().regex(/^[A-Za-z0-9_.:-]{1,160}$/),
  node: id,
  sentAt: text(40),
  items: z.array(itemSchema).max(1000),
});

/** A lookup as one node asks another. */
export const nodeLookupSchema = z.object({
  query: z.discriminatedUnion('by', [
    z.object({ by: z.literal('identifier'), identifier: z.string().max(300) }),
    z.object({
      by: z.literal('holder'),
      holderCode: z.string().max(256),
      holderCodeType: z.string().max(64),
      licenceType: z.string().max(64),
    }),
    z.object({ by: z.literal('qr'), text: z.string().max(2000) }),
  ]),
  useCause: z.string().max(4000).optional(),
  /** The original caller (app id at the asking node). */
  onBehalfOf: z.string().max(200).optional(),
  /** The node the question started at (national -> source hop). */
  via: id.optional(),
});

/** A directory answer on the wire. */
export const answerSchema = z.union([
  z.object({ found: z.literal(false) }),
  z.object({
    found: z.literal(true),
    source: z.object({ node: id }),
    licence: z.looseObject({ identifier: z.string().min(1).max(200) }),
  }),
]);

/** Options of `createNationalService`. */
export interface NationalOptions {
  readonly store: ServerStore;
  readonly now: () => Date;
  readonly nodeId: string;
  readonly nodes: readonly RegisteredNode[];
  readonly timeoutMs: number;
  /** Writes a usage record (the directory's `record`); default none. */
  readonly recordUsage?: (entry: CascadeUsageRecord) => Promise<void>;
  /** Longest use cause (default 200). */
  readonly useCauseMaxLength?: number;
  /** The error of a missing or bad use cause (the directory's code). */
  readonly useCauseError?: (maxLength: number) => Error;
  readonly registry?: Registry;
}

/** The national service. */
export interface NationalService {
  /**
   * Applies a batch from `node` (once per batch id).
   * @throws {CascadeError} ERR_CASCADE_BATCH for a malformed batch or one naming another node
   */
  applyBatch(node: string, body: unknown): Promise<BatchAck & { skipped: number }>;
  /**
   * Answers a lookup from `asker` by routing it to the source node of the index record.
   * @throws {CascadeError} ERR_CASCADE_UNAVAILABLE, ERR_CASCADE_UPSTREAM
   */
  lookup(
    asker: string,
    request: z.output<typeof nodeLookupSchema>,
    requestId: string | null,
  ): Promise<DirectoryAnswer>;
  /** The index record of an identifier (with its source node). */
  indexRecord(identifier: string): Promise<NationalIndexRecord | undefined>;
  /** Index records held (deleted ones included). */
  indexSize(): Promise<number>;
}

const sep = '\u001f';

/** Creates the national service. */
export function createNationalService(options: NationalOptions): NationalService {
  const { store, now } = options;
  const nodes = new Map(options.nodes.map((n) => [n.id, n]));
  const maxCause = options.useCauseMaxLength ?? 200;
  const lookups =
    options.registry === undefined
      ? undefined
      : new Counter({
          name: 'govtrust_cascade_routed_lookups_total',
          help: 'Lookups the national node routed, by result (found, not-found, refused, failed)',
          labelNames: ['result'] as const,
          registers: [options.registry],
        });
  if (options.registry !== undefined)
    new Gauge({
      name: 'govtrust_cascade_index_records',
      help: 'Licence index records held by the national node',
      registers: [options.registry],
      async collect() {
        this.set(await store.count('cascade-index'));
      },
    });

  const record = async (entry: CascadeUsageRecord): Promise<void> => {
    lookups?.inc({ result: entry.result });
    await options.recordUsage?.(entry);
  };

  const holderType = (v: string): string => {
    const t = v.trim();
    if (/^\d{3}$/.test(t)) return t;
    return Object.entries(holderCodeTypeNames).find(([, name]) => name === t)?.[0] ?? t;
  };

  const qrIdentifier = (t: string): string | undefined => {
    try {
      return new URL(t.trim()).searchParams.get('id') ?? undefined;
    } catch {
      return undefined;
    }
  };

  const candidates = async (q: DirectoryQuery): Promise<NationalIndexRecord[]> => {
    if (q.by === 'holder') {
      const page = await store.query('cascade-index', {
        index: 'holder',
        equals: indexKey(holderType(q.holderCodeType), q.holderCode.trim(), q.licenceType.trim()),
        limit: 100,
      });
      return page.items.map((r) => r.value);
    }
    const identifier = q.by === 'identifier' ? q.identifier.trim() : qrIdentifier(q.text);
    if (identifier === undefined || identifier === '') return [];
    const r = await store.get('cascade-index', identifier);
    return r === undefined ? [] : [r.value];
  };

  const describe = (q: DirectoryQuery): Record<string, string> =>
    q.by === 'identifier'
      ? { by: 'identifier', identifier: q.identifier.slice(0, 200) }
      : q.by === 'holder'
        ? {
            by: 'holder',
            // Masked as the directory masks it: first and last 4 characters.
            holderCode:
              q.holderCode.length > 8
                ? `${q.holderCode.slice(0, 4)}${'*'.repeat(q.holderCode.length - 8)}${q.holderCode.slice(-4)}`
                : '*'.repeat(q.holderCode.length),
            holderCodeType: q.holderCodeType.slice(0, 40),
            licenceType: q.licenceType.slice(0, 64),
          }
        : { by: 'qr', text: q.text.slice(0, 300) };

  const actionOf = (q: DirectoryQuery): CascadeUsageRecord['action'] =>
    q.by === 'identifier' ? 'lookup' : q.by === 'holder' ? 'holder-query' : 'qr-query';

  return {
    async applyBatch(node, body) {
      const r = batchSchema.safeParse(body);
      if (!r.success) {
        const issue = r.error.issues[0]!;
        throw new CascadeError(
          'ERR_CASCADE_BATCH',
          `batch.${issue.path.join('.')}: ${issue.message}`,
          {
            details: { field: issue.path.join('.') },
          },
        );
      }
      const batch = r.data;
      if (batch.node !== node)
        throw new CascadeError(
          'ERR_CASCADE_BATCH',
          `The batch names node ${batch.node}, not the signing node`,
        );
      const at = now().toISOString();
      return store.transaction(async (tx) => {
        const key = indexKey(node, batch.batchId);
        const seen = await tx.get('cascade-batches', key);
        if (seen !== undefined)
          return {
            batchId: batch.batchId,
            duplicate: true,
            applied: seen.value.applied,
            skipped: seen.value.skipped,
          };
        let applied = 0;
        let skipped = 0;
        for (const item of batch.items) {
          if (item.kind === 'licence') {
            const rec = item.record as LicenceIndexRecord;
            const current = (await tx.get('cascade-index', rec.identifier))?.value;
            // An identifier belongs to the node that reported it first; older changes never win.
            if (current !== undefined && (current.node !== node || current.seq > item.seq)) {
              skipped++;
              continue;
            }
            await tx.put('cascade-index', rec.identifier, {
              node,
              record: rec,
              deleted: item.op === 'delete',
              batchId: batch.batchId,
              seq: item.seq,
              receivedAt: at,
            });
          } else {
            await tx.put('cascade-types', `${node}${sep}${item.type.typeCode}`, {
              node,
              typeCode: item.type.typeCode,
              type: item.type,
              deleted: item.op === 'delete',
              batchId: batch.batchId,
              receivedAt: at,
            });
          }
          applied++;
        }
        await tx.insert('cascade-batches', key, {
          node,
          batchId: batch.batchId,
          items: batch.items.length,
          applied,
          skipped,
          receivedAt: at,
        });
        return { batchId: batch.batchId, duplicate: false, applied, skipped };
      });
    },

    async lookup(asker, request, requestId) {
      const query = request.query;
      const base = {
        requestId,
        caller: `node:${asker}`,
        callerKind: 'node' as const,
        authenticated: true,
        ...(request.onBehalfOf === undefined ? {} : { onBehalfOf: request.onBehalfOf }),
        action: actionOf(query),
        query: describe(query),
      };
      const cause = (request.useCause ?? '').trim();
      const length = Array.from(cause).length;
      if (length < 2 || length > maxCause) {
        const err =
          options.useCauseError?.(maxCause) ??
          new CascadeError('ERR_CASCADE_BATCH', 'A lookup needs a use cause (useCause, 用证事由)');
        await record({
          ...base,
          result: 'refused',
          code: (err as { code?: string }).code ?? 'ERR_INVALID_INPUT',
        });
        throw err;
      }
      const fields = { ...base, useCause: cause };
      const found = (await candidates(query)).filter((c) => !c.deleted);
      // The current version first: a superseded one points at its successor.
      const hit = found.find((c) => c.record.status !== 'superseded') ?? found[0];
      if (hit === undefined || hit.node === asker) {
        await record({ ...fields, result: 'not-found', licenceResult: 5 });
        return { found: false };
      }
      const withId = { ...fields, identifier: hit.record.identifier };
      const source = nodes.get(hit.node);
      if (source === undefined) {
        const err = new CascadeError(
          'ERR_CASCADE_UNAVAILABLE',
          `The source node ${hit.node} is no longer registered`,
          {
            details: { node: hit.node, reason: 'unregistered' },
          },
        );
        await record({ ...withId, result: 'failed', code: err.code, source: hit.node });
        throw err;
      }
      let raw: unknown;
      try {
        raw = await callNode({
          url: source.url,
          peer: source.id,
          nodeId: options.nodeId,
          secret: source.secret,
          path: '/v1/cascade/lookup',
          body: {
            query,
            useCause: cause,
            ...(request.onBehalfOf === undefined ? {} : { onBehalfOf: request.onBehalfOf }),
            via: asker,
          },
          timeoutMs: options.timeoutMs,
          now: now(),
        });
      } catch (err) {
        await record({
          ...withId,
          result: 'failed',
          code: (err as { code?: string }).code ?? 'ERR_CASCADE_UPSTREAM',
          source: source.id,
        });
        throw err;
      }
      const answer = answerSchema.safeParse(raw);
      if (!answer.success || (answer.data.found && answer.data.source.node !== source.id)) {
        const err = new CascadeError(
          'ERR_CASCADE_UPSTREAM',
          `The source node ${source.id} gave an unusable answer`,
          {
            details: { node: source.id },
          },
        );
        await record({ ...withId, result: 'failed', code: err.code, source: source.id });
        throw err;
      }
      if (!answer.data.found) {
        await record({ ...withId, result: 'not-found', source: source.id, licenceResult: 5 });
        return { found: false };
      }
      const licence = answer.data.licence as unknown as LicenceIndexView;
      await record({
        ...withId,
        result: 'found',
        source: source.id,
        licenceResult: licence.result,
      });
      return { found: true, source: { node: source.id }, licence };
    },

    async indexRecord(identifier) {
      return (await store.get('cascade-index', identifier))?.value;
    },
    indexSize: () => store.count('cascade-index'),
  };
}
