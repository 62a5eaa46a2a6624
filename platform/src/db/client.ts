import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { ensurePrivateDir } from '../shared/private-fs.js';
import { acquireOwnerLock, acquireOwnerLockWaiting, type OwnerRole } from './owner-lock.js';
import { grantPlatformRole } from './roles.js';
import * as schema from './schema/index.js';

/** The drizzle database, whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** The handle inside `db.transaction(...)`. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** An open database plus what the process needs to manage it. */
export interface DbHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  /**
   * Applies committed migrations (as the owner role when one is configured, then granting the
   * platform role its rights); safe to call from several processes at once.
   */
  migrate(): Promise<void>;
  /** A cheap round trip, for health checks. */
  ping(): Promise<void>;
  /**
   * Cross-process events (PostgreSQL LISTEN/NOTIFY; PGlite's own for the embedded case): calls
   * `onPayload` for every `pg_notify(channel, payload)` from any process. Returns an unlisten.
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** How long a starting platform waits for an operator command that has the embedded database open. */
const PLATFORM_WAITS_FOR_COMMAND_MS = 60_000;
const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));
/** Arbitrary constant key: serialises migrations between platform processes on one server. */
const MIGRATION_LOCK_KEY = 7_240_611;

/**
 * Opens PostgreSQL when `databaseUrl` is set, otherwise the embedded PGlite: in `dataDir` when one
 * is given, in memory when `dataDir` is `null` (tests). `databaseOwnerUrl` (PostgreSQL only) is
 * the role migrations run as; the handle itself always works as `databaseUrl`'s role. The embedded
 * database in a folder is opened by one process at a time (see `owner-lock.ts`); `role` says who
 * the holder is, so that an operator command refused by a running platform knows to ask the platform instead.
 * `poolSize` (PostgreSQL only, config DATABASE_POOL_SIZE) caps the connections; unset, pg's own default (10).
 */
export async function openDatabase(opts: { databaseUrl: string | null; databaseOwnerUrl?: string | null; dataDir: string | null; role?: OwnerRole; poolSize?: number }): Promise<DbHandle> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.databaseOwnerUrl ?? null, opts.poolSize) : openPglite(opts.dataDir, opts.role ?? 'platform');
}

async function openPglite(dataDir: string | null, role: OwnerRole): Promise<DbHandle> {
  if (dataDir) ensurePrivateDir(dataDir);
  const lock = !dataDir ? null : role === 'cli' ? acquireOwnerLock(dataDir, role)
    : await acquireOwnerLockWaiting(dataDir, role, PLATFORM_WAITS_FOR_COMMAND_MS, (owner) =>
      console.warn(`waiting for the operator command (pid ${owner.pid}) that has the embedded database in ${dataDir} open`));
  let client: PGlite;
  try {
    // btree_gist: the bookings' exclusion constraint (unit = and time range &&) needs it.
    const options = { extensions: { btree_gist } };
    client = dataDir ? new PGlite(`${dataDir}/pglite`, options) : new PGlite(options);
    await client.waitReady;
  } catch (err) {
    lock?.release();
    throw err;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    migrate: () => migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_DIR }),
    ping: async () => {
      await client.query('select 1');
    },
    listen: async (channel, onPayload) => {
      const unlisten = await client.listen(channel, onPayload);
      return () => unlisten();
    },
    close: async () => {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

async function openPostgres(url: string, ownerUrl: string | null, poolSize: number | undefined): Promise<DbHandle> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that errors (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    migrate: async () => {
      // The owner gets a connection of its own, ended afterwards; without one, a pooled connection.
      const separate = ownerUrl ? new pg.Client({ connectionString: ownerUrl }) : null;
      const owner = separate ?? (await pool.connect());
      try {
        if (separate) await separate.connect();
        await owner.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        await migratePg(drizzlePg(owner), { migrationsFolder: MIGRATIONS_DIR });
        if (ownerUrl) {
          const { rows } = await pool.query<{ role: string }>('select current_user as role');
          const { rows: own } = await owner.query<{ role: string }>('select current_user as role');
          if (rows[0]!.role !== own[0]!.role) await grantPlatformRole(owner, rows[0]!.role);
        }
      } finally {
        await owner.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
        if (separate) await separate.end().catch(() => {});
        else (owner as pg.PoolClient).release();
      }
    },
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    listen: async (channel, onPayload) => {
      // LISTEN needs a connection of its own for as long as it listens; a pooled one would be reused.
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {});
      client.on('notification', (n) => n.channel === channel && onPayload(n.payload ?? ''));
      await client.connect();
      await client.query(`listen ${pg.escapeIdentifier(channel)}`);
      return () => client.end();
    },
    close: () => pool.end(),
  };
}
