import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig } from '../../platform/src/config.js';
import { openDatabase, type Db, type DbHandle } from '../../platform/src/db/client.js';
import { setAuditChainKey } from '../../platform/src/identity/audit.js';

/** Which database the suite runs on: PostgreSQL when DATABASE_URL is set, else PGlite. */
export const TEST_DATABASE_URL = process.env.DATABASE_URL?.trim() || null;
export const TEST_DB_KIND: DbHandle['kind'] = TEST_DATABASE_URL ? 'postgres' : 'pglite';
/**
 * The login role the tests' platform connections use on PostgreSQL, as in production: it may only
 * add to the audit log; DATABASE_URL's role (the owner) runs migrations. Cluster-wide, created once
 * and left in place (other test files' databases may still be using it).
 */
export const TEST_PLATFORM_ROLE = 'cap_test_platform';

/** The audit chain key of the dev config, so entries written here verify in a platform started with it. */
setAuditChainKey(loadConfig({}).auditHmacSecret);

/** A fresh database: `url` is the platform role's connection, `ownerUrl` the owner's (null on PGlite). */
export type TestDatabase = DbHandle & { url: string | null; ownerUrl: string | null };

/**
 * A database for a platform process the test starts (main.ts), prepared by `prepare` first: on
 * PostgreSQL a fresh database (`shared`, to close when done; the process gets `shared.url`), on
 * PGlite a data directory of its own (`dataDir`), which the process owns while it runs, so it is
 * opened again only once the process has stopped (`reopen`).
 */
export async function databaseForProcess<T>(prefix: string, prepare: (db: Db) => Promise<T>): Promise<{ shared: TestDatabase | null; dataDir: string; prepared: T; reopen: () => Promise<DbHandle> }> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const shared = TEST_DATABASE_URL ? await freshDatabase() : null;
  const reopen = () => openDatabase({ databaseUrl: null, dataDir });
  if (shared) {
    const prepared = await prepare(shared.db).catch(async (err: unknown) => {
      await shared.close();
      throw err;
    });
    return { shared, dataDir, prepared, reopen: async () => shared };
  }
  const local = await reopen();
  await local.migrate();
  return { shared, dataDir, prepared: await prepare(local.db).finally(() => local.close()), reopen };
}

/**
 * A fresh, migrated database for one test file: an in-memory PGlite (one user: the audit log is
 * guarded by its trigger), or a new database created on the PostgreSQL server named by
 * DATABASE_URL, migrated as that (owner) role, with the handle connected as TEST_PLATFORM_ROLE
 * (dropped again by `close`). Each starts as a copy of the run's migrated template when the
 * global setup made one (`database-template.ts`), so `migrate()` finds nothing left to do.
 */
export async function freshDatabase(): Promise<TestDatabase> {
  if (!TEST_DATABASE_URL) {
    const handle = await openDatabase({ databaseUrl: null, dataDir: null, loadDataDir: await pgliteTemplate() });
    await handle.migrate();
    return Object.assign(handle, { url: null, ownerUrl: null });
  }
  const name = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const template = provided('postgresTemplate');
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await ensureLoginRole(admin, TEST_PLATFORM_ROLE);
    await admin.query(`create database ${name}${template ? ` template ${pg.escapeIdentifier(template)}` : ''}`);
  } finally {
    await admin.end();
  }
  const ownerUrl = new URL(TEST_DATABASE_URL);
  ownerUrl.pathname = `/${name}`;
  const platformUrl = new URL(ownerUrl);
  platformUrl.username = TEST_PLATFORM_ROLE;
  platformUrl.password = '';
  const handle = await openDatabase({ databaseUrl: platformUrl.toString(), databaseOwnerUrl: ownerUrl.toString(), dataDir: null });
  await handle.migrate();
  const close = handle.close;
  return Object.assign(handle, {
    url: platformUrl.toString(),
    ownerUrl: ownerUrl.toString(),
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

/** Creates a login role unless it exists; test files start in parallel, so a lost race is fine. */
async function ensureLoginRole(admin: pg.Client, role: string): Promise<void> {
  const { rowCount } = await admin.query('select 1 from pg_roles where rolname = $1', [role]);
  if (rowCount) return;
  try {
    await admin.query(`create role ${pg.escapeIdentifier(role)} login`);
  } catch (err) {
    // 42710 duplicate_object; 23505 when two creations race on the catalogue's unique index.
    if (!['42710', '23505'].includes((err as { code?: string }).code ?? '')) throw err;
  }
}

let pgliteDump: Promise<Blob | undefined> | undefined;

/** The migrated PGlite dump the global setup cached, read once per worker; none outside vitest's setup. */
function pgliteTemplate(): Promise<Blob | undefined> {
  pgliteDump ??= (async () => {
    const path = provided('pgliteTemplate');
    return path ? new Blob([await readFile(path)]) : undefined;
  })();
  return pgliteDump;
}

/** What the global setup provided, or '' when it did not run (a script importing these helpers). */
function provided(key: 'pgliteTemplate' | 'postgresTemplate'): string {
  try {
    return inject(key) ?? '';
  } catch {
    return '';
  }
}
