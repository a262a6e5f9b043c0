/** `@govtrust/core/store/postgres`: the store on PostgreSQL (the `pg` package), for several server instances. @module */
export { openPostgresStore } from './postgres-store.js';
export type { PostgresStoreOptions } from './postgres-store.js';
