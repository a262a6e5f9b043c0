/**
 * The provincial side of a cascaded lookup: a `RemoteDirectory` that asks the national node on a
 * local miss, carrying the original use cause and caller. Nothing is cached: the answer (status
 * included) is read from the source node on every lookup, so a revocation shows on the next one.
 * @module
 */
import { Counter, type Registry } from 'prom-client';
import { CascadeError } from '@govtrust/core/errors';
import type { DirectoryAnswer, RemoteDirectory } from './contract.js';
import { answerSchema } from './national.js';
import { callNode } from './node-client.js';

/** Options of `createNationalDirectory`. */
export interface NationalDirectoryOptions {
  /** This node's id (answers must come from elsewhere). */
  readonly nodeId: string;
  readonly national: {
    readonly url: string;
    readonly id: string;
    /** This node's id at the national node. */
    readonly nodeId: string;
    readonly secret: string;
  };
  readonly timeoutMs: number;
  readonly now: () => Date;
  readonly registry?: Registry;
}

/** The national node as the remote directory of a provincial node. */
export function createNationalDirectory(options: NationalDirectoryOptions): RemoteDirectory {
  const { national } = options;
  const counter =
    options.registry === undefined
      ? undefined
      : new Counter({
          name: 'govtrust_cascade_remote_lookups_total',
          help: 'Local misses asked of the national node, by result (found, not-found, unavailable, upstream)',
          labelNames: ['result'] as const,
          registers: [options.registry],
        });
  return {
    async lookup(query, caller, useCause): Promise<DirectoryAnswer> {
      // A node's question is answered from local data only: no loops through the national node.
      if (caller.kind === 'node') return { found: false };
      let raw: unknown;
      try {
        raw = await callNode({
          url: national.url,
          peer: national.id,
          nodeId: national.nodeId,
          secret: national.secret,
          path: '/v1/cascade/lookup',
          body: { query, useCause, onBehalfOf: caller.onBehalfOf ?? caller.id },
          timeoutMs: options.timeoutMs,
          now: options.now(),
        });
      } catch (err) {
        counter?.inc({
          result:
            (err as { code?: string }).code === 'ERR_CASCADE_UNAVAILABLE'
              ? 'unavailable'
              : 'upstream',
        });
        throw err;
      }
      const a = answerSchema.safeParse(raw);
      if (!a.success || (a.data.found && a.data.source.node === options.nodeId)) {
        counter?.inc({ result: 'upstream' });
        throw new CascadeError(
          'ERR_CASCADE_UPSTREAM',
          'The national node gave an unusable answer',
          {
            details: { node: national.id },
          },
        );
      }
      counter?.inc({ result: a.data.found ? 'found' : 'not-found' });
      return a.data as DirectoryAnswer;
    },
  };
}
