import { setTimeout as sleep } from 'node:timers/promises';
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

/**
 * Where the database layer's own warnings go (a LISTEN connection lost and back, the embedded
 * database waited for): the platform passes its one pino logger, so they land in its log stream
 * with the rest; without one (operator commands, tests) they go to the console as plain lines.
 */
export interface DbLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

const consoleLog: DbLog = { warn: (_fields, message) => console.warn(message) };

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
   * On PostgreSQL a lost LISTEN connection (server restart, network, `pg_terminate_backend`) is
   * opened again, with backoff, until unlisten or `close()`; what was notified in between is lost,
   * so `options.onResumed` lets the listener catch up. A connection that stops answering without
   * closing (a network path that drops packets, a frozen server) is found by a heartbeat and
   * treated as lost. The first listen failing rejects.
   */
  listen(channel: string, onPayload: (payload: string) => void, options?: ListenOptions): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** What a listener does besides hearing payloads. */
export interface ListenOptions {
  /**
   * Called each time the listen is back after its connection was lost (never on the first listen):
   * the notifications sent in between never come, so the listener catches up its own way. PGlite's
   * in-process listen has no connection to lose: there it is never called.
   */
  onResumed?: () => void;
}

/**
 * Waits before the `attempt`th (1, 2, …) try to listen again after a LISTEN connection was lost;
 * rejects when `signal` aborts (unlisten, close). Tests pass their own to hold the re-listen.
 */
export type RelistenWait = (attempt: number, signal: AbortSignal) => Promise<void>;

/** The first retry's delay and the longest: a life-safety channel should not stay deaf for long. */
const RELISTEN_FIRST_MS = 100;
const RELISTEN_MAX_MS = 5_000;
/** A connection attempt to a server that does not answer (a dead network) is given up after this. */
const LISTEN_CONNECT_TIMEOUT_MS = 10_000;

/**
 * How often a LISTEN connection is asked for an answer, and how long it has to give one before it
 * counts as lost. TCP keepalive alone takes minutes to notice a silently dead peer, and a process
 * that does not know it is deaf hears no evacuation alert meanwhile.
 */
export interface ListenHeartbeat {
  intervalMs: number;
  timeoutMs: number;
}

/** The defaults: a silent connection is given up within 20 s. */
export const LISTEN_HEARTBEAT: ListenHeartbeat = { intervalMs: 15_000, timeoutMs: 5_000 };

/**
 * Capped exponential backoff with jitter: between half and all of min(5 s, 100 ms · 2^(attempt−1)),
 * so that processes that lost their connections together (a PostgreSQL restart) do not all retry at
 * the same instant.
 */
export function relistenDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RELISTEN_MAX_MS, RELISTEN_FIRST_MS * 2 ** Math.min(Math.max(attempt, 1) - 1, 20));
  return ceiling / 2 + (random() * ceiling) / 2;
}

const backoff: RelistenWait = (attempt, signal) => sleep(relistenDelayMs(attempt), undefined, { signal });

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
 * `listenHeartbeat` (PostgreSQL only, config DATABASE_LISTEN_HEARTBEAT_SECONDS and …_TIMEOUT_SECONDS)
 * paces each LISTEN connection's heartbeat; unset, `LISTEN_HEARTBEAT`.
 * `relistenWait` (PostgreSQL only, tests) replaces the backoff before listening again.
 * `log` takes the warnings (see `DbLog`); unset, the console.
 * `loadDataDir` (PGlite in memory only, tests) starts from that dump of a data folder (`dumpPglite`)
 * instead of running initdb: a migrated one spares each test file initdb and every migration.
 */
export async function openDatabase(opts: { databaseUrl: string | null; databaseOwnerUrl?: string | null; dataDir: string | null; role?: OwnerRole; poolSize?: number; listenHeartbeat?: ListenHeartbeat; relistenWait?: RelistenWait; log?: DbLog; loadDataDir?: Blob }): Promise<DbHandle> {
  const log = opts.log ?? consoleLog;
  return opts.databaseUrl
    ? openPostgres(opts.databaseUrl, opts.databaseOwnerUrl ?? null, opts.poolSize, { heartbeat: opts.listenHeartbeat ?? LISTEN_HEARTBEAT, relistenWait: opts.relistenWait ?? backoff, log })
    : openPglite(opts.dataDir, opts.role ?? 'platform', log, opts.loadDataDir);
}

/**
 * The data folder of a new in-memory embedded database with every migration applied, as one
 * uncompressed tar (PGlite's `dumpDataDir`), checkpointed first so that it loads without recovery:
 * `openDatabase({ loadDataDir })` starts from it.
 */
export async function dumpMigratedPglite(): Promise<Blob> {
  const client = new PGlite(pgliteOptions());
  try {
    await client.waitReady;
    await migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_DIR });
    await client.exec('checkpoint');
    return await client.dumpDataDir('none');
  } finally {
    await client.close();
  }
}

// btree_gist: the bookings' exclusion constraint (unit = and time range &&) needs it.
const pgliteOptions = () => ({ extensions: { btree_gist } });

async function openPglite(dataDir: string | null, role: OwnerRole, log: DbLog, loadDataDir?: Blob): Promise<DbHandle> {
  if (dataDir) ensurePrivateDir(dataDir);
  const lock = !dataDir ? null : role === 'cli' ? acquireOwnerLock(dataDir, role)
    : await acquireOwnerLockWaiting(dataDir, role, PLATFORM_WAITS_FOR_COMMAND_MS, (owner) =>
      log.warn({ pid: owner.pid, dataDir }, `waiting for the operator command (pid ${owner.pid}) that has the embedded database in ${dataDir} open`));
  let client: PGlite;
  try {
    client = dataDir ? new PGlite(`${dataDir}/pglite`, pgliteOptions()) : new PGlite({ ...pgliteOptions(), loadDataDir });
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
    // In process: never lost (no heartbeat either), so `onResumed` is never called.
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

/** How a LISTEN connection is watched and opened again, and where its losses are told. */
interface Relistening {
  heartbeat: ListenHeartbeat;
  relistenWait: RelistenWait;
  log: DbLog;
}

async function openPostgres(url: string, ownerUrl: string | null, poolSize: number | undefined, relistening: Relistening): Promise<DbHandle> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that errors (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  const listens = new Set<() => Promise<void>>();
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
    listen: async (channel, onPayload, options = {}) => {
      const stop = await listenPersistently(url, channel, onPayload, options, relistening);
      const unlisten = async () => {
        listens.delete(unlisten);
        await stop();
      };
      listens.add(unlisten);
      return unlisten;
    },
    close: async () => {
      // A listen left open would otherwise go on reconnecting to a closed handle's database.
      await Promise.all([...listens].map((unlisten) => unlisten()));
      await pool.end();
    },
  };
}

/**
 * LISTEN on a connection of its own (a pooled one would be reused), opened again whenever it is
 * lost until the returned stop is called: after `relistenWait`, as often as it takes, then
 * `onResumed`. Lost also means silent: every `heartbeat.intervalMs` the LISTEN is sent again (a
 * no-op on a connection already listening, and what it shows in pg_stat_activity stays a LISTEN);
 * no answer within `heartbeat.timeoutMs`, and the connection is destroyed. Logs the channel only
 * (payloads may name people).
 */
async function listenPersistently(url: string, channel: string, onPayload: (payload: string) => void, options: ListenOptions, { heartbeat, relistenWait, log }: Relistening): Promise<() => Promise<void>> {
  const stopped = new AbortController();
  const listenStatement = `listen ${pg.escapeIdentifier(channel)}`;
  /** The connection listening, or being opened (so that stop can end it). */
  let current: pg.Client | null = null;
  let relistening: Promise<void> | null = null;
  /** The wait for the next heartbeat, or for the answer to this one: one timer per listen. */
  let heartbeatTimer: NodeJS.Timeout | undefined;

  const open = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: LISTEN_CONNECT_TIMEOUT_MS });
    current = client;
    client.on('notification', (n) => n.channel === channel && onPayload(n.payload ?? ''));
    const lost = () => {
      if (current !== client) return;
      current = null;
      clearTimeout(heartbeatTimer);
      // With the heartbeat in flight, end() destroys the socket rather than wait on a silent server.
      void client.end().catch(() => undefined);
      if (!stopped.signal.aborted) relistening = relisten();
    };
    // Until it listens, a failure is connect's or query's to throw; after, either event means it is lost.
    let listening = false;
    client.on('error', () => listening && lost());
    client.on('end', () => listening && lost());
    try {
      await client.connect();
      await client.query(listenStatement);
    } catch (err) {
      if (current === client) current = null;
      await client.end().catch(() => undefined);
      throw err;
    }
    listening = true;
    const beat = () => {
      heartbeatTimer = setTimeout(() => {
        if (current !== client) return;
        heartbeatTimer = setTimeout(() => {
          log.warn({ channel, timeoutMs: heartbeat.timeoutMs }, `LISTEN ${channel}: no answer to the heartbeat within ${heartbeat.timeoutMs} ms`);
          lost();
        }, heartbeat.timeoutMs).unref();
        client.query(listenStatement).then(() => {
          if (current !== client) return;
          clearTimeout(heartbeatTimer);
          beat();
        }, lost);
      }, heartbeat.intervalMs).unref();
    };
    beat();
    return client;
  };

  const relisten = async () => {
    log.warn({ channel }, `LISTEN ${channel}: connection lost, listening again`);
    for (let attempt = 1; !stopped.signal.aborted; attempt++) {
      try {
        await relistenWait(attempt, stopped.signal);
      } catch {
        return; // stopped
      }
      if (stopped.signal.aborted) return;
      const client = await open().catch(() => null);
      if (!client) continue;
      if (stopped.signal.aborted) {
        await client.end().catch(() => undefined);
        return;
      }
      log.warn({ channel, attempt }, `LISTEN ${channel}: listening again (attempt ${attempt})`);
      try {
        options.onResumed?.();
      } catch (err) {
        log.warn({ channel, err }, `LISTEN ${channel}: catching up failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      return;
    }
  };

  await open();
  return async () => {
    stopped.abort();
    clearTimeout(heartbeatTimer);
    const client = current;
    current = null;
    await Promise.all([client?.end().catch(() => undefined), relistening]);
  };
}
