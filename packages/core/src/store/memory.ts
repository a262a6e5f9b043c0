/** The memory driver: the store interface held in process memory (tests, caches, single-process tools). @module */
import { EngineStore, MemoryEngine } from './engine.js';
import type { Store, StoreSchema } from './types.js';

/**
 * A store held in memory: nothing survives the process. Transactions run one at a time and roll
 * back completely when their function throws.
 * @throws {StoreSchemaError} ERR_STORE_SCHEMA for an invalid collection, log or index name
 */
export function createMemoryStore<S extends StoreSchema>(schema: S): Store<S> {
  return new EngineStore('memory', schema, new MemoryEngine(schema));
}
