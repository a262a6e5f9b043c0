/**
 * `@govtrust/core/store/lowdb`: the embedded store on a lowdb JSON file with a write-ahead log
 * (a separate entry so that file-system code stays out of the main bundle).
 * @module
 */
export { openLowdbStore } from './lowdb-store.js';
export type { LowdbStoreOptions } from './lowdb-store.js';
