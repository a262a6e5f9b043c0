import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';
import { openPostgresStore } from '@govtrust/core/store/postgres';
import { describeStore, testSchema } from './contract.js';
import { hasPostgres, POSTGRES_URL } from '../helpers/postgres.js';

let namespace = '';

describe.skipIf(!(await hasPostgres()))('PostgreSQL (127.0.0.1:5432/test)', () => {
  describeStore('postgres', {
    open: () => {
      namespace = `gt_test_${randomBytes(6).toString('hex')}`;
      return openPostgresStore({
        connectionString: POSTGRES_URL,
        schema: testSchema,
        namespace,
        poolSize: 8,
      });
    },
    reopen: () =>
      openPostgresStore({
        connectionString: POSTGRES_URL,
        schema: testSchema,
        namespace,
        poolSize: 8,
      }),
    cleanup: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${namespace}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  });
});
