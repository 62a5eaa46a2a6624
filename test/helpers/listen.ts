import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import pg from 'pg';
import { expect } from 'vitest';
import { openDatabase, type DbHandle, type RelistenWait } from '../../platform/src/db/client.js';
import type { TestDatabase } from './database.js';

/**
 * A re-listen the test holds (`openDatabase({ relistenWait })`): `lost()` resolves once the handle
 * noticed a lost LISTEN connection and waits to listen again; `release()` lets that wait end. An
 * unlisten or close while it waits rejects it, as the real backoff does.
 */
export function heldRelisten() {
  const attempts: number[] = [];
  const waiting: { resolve: () => void; reject: (reason: unknown) => void }[] = [];
  let noticed: (() => void)[] = [];
  const wait: RelistenWait = (attempt, signal) => {
    attempts.push(attempt);
    for (const wake of noticed.splice(0)) wake();
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const entry = { resolve, reject };
      waiting.push(entry);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  };
  return {
    wait,
    /** Every attempt the handle waited for, in order (1 after each loss, then 2, 3, … while it fails). */
    attempts,
    /** Resolves when the handle next waits to listen again (at once if one is waiting already). */
    lost: () => (waiting.length ? Promise.resolve() : new Promise<void>((r) => noticed.push(r))),
    /** Ends every wait: the handle listens again. */
    release: () => {
      for (const w of waiting.splice(0)) w.resolve();
      noticed = [];
    },
  };
}

/** A connection-string `application_name` of its own, so a test kills its own LISTEN connections and no one else's. */
export function withApplicationName(url: string): { url: string; applicationName: string } {
  const applicationName = `listen-test-${randomBytes(4).toString('hex')}`;
  const u = new URL(url);
  u.searchParams.set('application_name', applicationName);
  return { url: u.toString(), applicationName };
}

/**
 * Terminates the LISTEN connections of `applicationName` on `channel` (as the owner, waiting until
 * they are gone), as a PostgreSQL restart or a network failure would; returns how many.
 */
export async function terminateListen(ownerUrl: string, applicationName: string, channel: string): Promise<number> {
  const admin = new pg.Client({ connectionString: ownerUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ gone: boolean }>(
      `select pg_terminate_backend(pid, 5000) as gone from pg_stat_activity
        where application_name = $1 and query = $2 and pid <> pg_backend_pid()`,
      [applicationName, `listen ${pg.escapeIdentifier(channel)}`],
    );
    return rows.filter((r) => r.gone).length;
  } finally {
    await admin.end();
  }
}

/** The connections of `applicationName` that are listening (their last statement a LISTEN). */
export async function listeningConnections(ownerUrl: string, applicationName: string): Promise<number> {
  const admin = new pg.Client({ connectionString: ownerUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where application_name = $1 and query ilike 'listen %'`, [applicationName]);
    return rows[0]!.n;
  } finally {
    await admin.end();
  }
}

/**
 * A TCP relay in front of the PostgreSQL server of `target` (a connection string): `url` is
 * `target` through it. `silence()` makes every connection open through it now stop passing bytes,
 * either way, without closing, as a network path that drops packets or a frozen server would; the
 * server end stays open and the client sees nothing, only no answers. Connections opened later pass.
 * `sent(n)` resolves once clients sent `n` more chunks through it. `close()` ends every connection.
 */
export async function silenceableRelay(target: string) {
  const to = new URL(target);
  const pairs = new Set<{ client: Socket; server: Socket; silent: boolean }>();
  let sendWaiters: { left: number; done: () => void }[] = [];
  const relay = createServer((client) => {
    const pair = { client, server: createConnection(Number(to.port || 5432), to.hostname), silent: false };
    pairs.add(pair);
    client.on('data', (chunk) => {
      if (pair.silent) return;
      pair.server.write(chunk);
      for (const waiter of sendWaiters) if (--waiter.left === 0) waiter.done();
      sendWaiters = sendWaiters.filter((waiter) => waiter.left > 0);
    });
    pair.server.on('data', (chunk) => pair.silent || client.write(chunk));
    // Silent: neither end hears of the other going, as over a dead path; `close()` ends them.
    const end = () => {
      if (pair.silent) return;
      client.destroy();
      pair.server.destroy();
      pairs.delete(pair);
    };
    for (const socket of [client, pair.server]) socket.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((relay.address() as AddressInfo).port);
  return {
    url: url.toString(),
    silence: () => {
      for (const pair of pairs) pair.silent = true;
    },
    sent: (chunks: number) => new Promise<void>((done) => sendWaiters.push({ left: chunks, done })),
    close: async () => {
      for (const { client, server } of pairs) {
        client.destroy();
        server.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}

/**
 * A process's view of `database` whose LISTEN on a channel can be lost (`deafen`) and got back
 * (`hear`, once the listener's `onResumed` ran). On PostgreSQL, for real: a handle of its own, the
 * channel's LISTEN connection terminated, the re-listen held until `hear`. PGlite's in-process
 * listen cannot be lost, so there the loss is played: the channel's payloads dropped, then its
 * `onResumed` called, as db/client.ts does on PostgreSQL. Give the listener `db` and `listen`.
 */
export async function listenThatGoesDeaf(database: TestDatabase) {
  const held = heldRelisten();
  const named = database.kind === 'postgres' ? withApplicationName(database.url!) : null;
  const own = named ? await openDatabase({ databaseUrl: named.url, dataDir: null, relistenWait: held.wait }) : null;
  const under: Pick<DbHandle, 'db' | 'listen'> = own ?? database;
  const deaf = new Set<string>();
  const resumers = new Map<string, () => void>();
  const backWaiters = new Map<string, () => void>();
  const listen: DbHandle['listen'] = (channel, onPayload, options) => {
    const onResumed = () => {
      options?.onResumed?.();
      backWaiters.get(channel)?.();
    };
    resumers.set(channel, onResumed);
    return under.listen(channel, (payload) => void (deaf.has(channel) || onPayload(payload)), { onResumed });
  };
  return {
    db: under.db,
    listen,
    /** The channel's notifications stop reaching this process: its LISTEN connection is gone. */
    async deafen(channel: string) {
      if (!named) return void deaf.add(channel);
      expect(await terminateListen(database.ownerUrl!, named.applicationName, channel)).toBe(1);
      await held.lost();
    },
    /** It listens again: resolves once the listener's `onResumed` has run. */
    async hear(channel: string) {
      const back = new Promise<void>((r) => backWaiters.set(channel, r));
      if (named) held.release();
      else {
        deaf.delete(channel);
        resumers.get(channel)!();
      }
      await back;
    },
    close: async () => {
      await own?.close();
    },
  };
}
