import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DbHandle } from '../../platform/src/db/client.js';

/** Which database the suite runs on: PostgreSQL when DATABASE_URL is set, else PGlite. */
export const TEST_DATABASE_URL = process.env.DATABASE_URL?.trim() || null;
export const TEST_DB_KIND: DbHandle['kind'] = TEST_DATABASE_URL ? 'postgres' : 'pglite';

/**
 * A fresh, migrated database for one test file: an in-memory PGlite, or a new database created on
 * the PostgreSQL server named by DATABASE_URL (dropped again by `close`).
 */
export async function freshDatabase(): Promise<DbHandle & { url: string | null }> {
  if (!TEST_DATABASE_URL) {
    const handle = await openDatabase({ databaseUrl: null, dataDir: null });
    await handle.migrate();
    return Object.assign(handle, { url: null });
  }
  const name = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: null });
  await handle.migrate();
  const close = handle.close;
  return Object.assign(handle, {
    url: url.toString(),
    close: async () => {
      await close();
      const dropper = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  });
}
