/** Test helper: the local PostgreSQL server (trust auth, database `test`), required when GOVTRUST_REQUIRE_TOOLS=1. */
import pg from 'pg';

/** Connection string of the test database (GOVTRUST_TEST_POSTGRES overrides it). */
export const POSTGRES_URL =
  process.env.GOVTRUST_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

let available: boolean | undefined;

/**
 * True when the test database answers. Tests that need it are skipped otherwise (with a warning),
 * except in CI (GOVTRUST_REQUIRE_TOOLS=1), where a missing database is a failure.
 */
export async function hasPostgres(): Promise<boolean> {
  if (available !== undefined) return available;
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    available = true;
  } catch (err) {
    available = false;
    if (process.env.GOVTRUST_REQUIRE_TOOLS === '1') {
      throw new Error(
        `PostgreSQL is required (GOVTRUST_REQUIRE_TOOLS=1) but ${POSTGRES_URL} does not answer`,
        { cause: err },
      );
    }
    console.warn(
      `[govtrust tests] PostgreSQL at ${POSTGRES_URL} does not answer: its tests are skipped`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  return available;
}
