import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, relistenDelayMs, type DbHandle, type ListenHeartbeat } from '../../../platform/src/db/client.js';
import { freshDatabase, TEST_DATABASE_URL, TEST_DB_KIND } from '../../helpers/database.js';
import { heldRelisten, listeningConnections, silenceableRelay, terminateListen, withApplicationName } from '../../helpers/listen.js';

const database = await freshDatabase();
afterAll(() => database.close());

/** A channel of this test's own. */
const newChannel = () => `listen_test_${randomBytes(4).toString('hex')}`;
const notify = (db: DbHandle['db'], channel: string, payload: string) => db.execute(sql`select pg_notify(${channel}, ${payload})`);

/** Payloads heard, in order, and a way to wait for one. */
function hearing() {
  const heard: string[] = [];
  let waiters: (() => void)[] = [];
  return {
    heard,
    onPayload: (payload: string) => {
      heard.push(payload);
      for (const w of waiters.splice(0)) w();
    },
    async until(payload: string) {
      while (!heard.includes(payload)) await new Promise<void>((w) => waiters.push(w));
    },
    reset: () => (waiters = []),
  };
}

/**
 * A handle of its own on the test database (through `via`, a relay, when given) whose LISTEN
 * connections carry an `applicationName` of their own and whose re-listens are `held`, a channel,
 * an ear on it (`listen`), and its resumes: counted, and `back` once the first came.
 */
async function ownListener(options: { via?: string; listenHeartbeat?: ListenHeartbeat } = {}) {
  const { url, applicationName } = withApplicationName(options.via ?? database.url!);
  const held = heldRelisten();
  // What the handle warns, as the platform's pino logger would get it.
  const warnings: [Record<string, unknown>, string][] = [];
  const log = { warn: (fields: Record<string, unknown>, message: string) => void warnings.push([fields, message]) };
  const handle = await openDatabase({ databaseUrl: url, dataDir: null, relistenWait: held.wait, listenHeartbeat: options.listenHeartbeat, log });
  const channel = newChannel();
  const ear = hearing();
  let resumed = 0;
  let onResumed!: () => void;
  const back = new Promise<void>((r) => (onResumed = r));
  return {
    handle,
    applicationName,
    held,
    channel,
    ear,
    back,
    warnings,
    resumed: () => resumed,
    listen: () => handle.listen(channel, ear.onPayload, { onResumed: () => (resumed++, onResumed()) }),
  };
}

/**
 * Once `own` noticed its loss (its re-listen waiting): a payload sent meanwhile is lost for good
 * (what onResumed is for); released, it listens again, calls onResumed once, and hears 'after'
 * after the 'before' it heard.
 */
async function deafThenBack(own: Awaited<ReturnType<typeof ownListener>>) {
  await own.held.lost();
  await notify(database.db, own.channel, 'while deaf');
  own.held.release();
  await own.back;
  await notify(database.db, own.channel, 'after');
  await own.ear.until('after');
  expect(own.ear.heard).toEqual(['before', 'after']);
  expect(own.resumed()).toBe(1);
  expect(own.held.attempts).toEqual([1]);
}

describe('listening again after a lost LISTEN connection', () => {
  it('waits between half and all of a doubling delay, 100 ms at first, never above 5 s', () => {
    expect(relistenDelayMs(1, () => 0)).toBe(50);
    expect(relistenDelayMs(1, () => 1)).toBe(100);
    expect(relistenDelayMs(4, () => 1)).toBe(800);
    expect(relistenDelayMs(4, () => 0.5)).toBe(600);
    expect(relistenDelayMs(7, () => 1)).toBe(5000);
    expect(relistenDelayMs(1000, () => 0)).toBe(2500);
  });

  if (TEST_DB_KIND === 'postgres') {
    it('hears payloads again once its terminated connection is replaced, and calls onResumed once', async () => {
      const own = await ownListener();
      const { handle, applicationName, held, channel, ear, resumed, listen } = own;
      try {
        const unlisten = await listen();
        await notify(database.db, channel, 'before');
        await ear.until('before');
        expect(resumed()).toBe(0);

        expect(await terminateListen(database.ownerUrl!, applicationName, channel)).toBe(1);
        await deafThenBack(own);
        // Told to the logger the handle was given (the platform's one pino logger), not the console.
        expect(own.warnings).toEqual([
          [{ channel }, `LISTEN ${channel}: connection lost, listening again`],
          [{ channel, attempt: 1 }, `LISTEN ${channel}: listening again (attempt 1)`],
        ]);

        await unlisten();
        expect(await listeningConnections(database.ownerUrl!, applicationName)).toBe(0);
      } finally {
        await handle.close();
      }
      // Stopped by us: no attempt to listen again.
      expect(held.attempts).toEqual([1]);
    });

    it('keeps trying while the database refuses it, then listens (onResumed once)', async () => {
      const { handle, applicationName, held, channel, ear, back, resumed, listen } = await ownListener();
      // Our own test database refuses connections for a while (as during a restart); asked from another database.
      const name = new URL(database.ownerUrl!).pathname.slice(1);
      const allowConnections = async (allow: boolean) => {
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL! });
        await admin.connect();
        await admin.query(`alter database ${pg.escapeIdentifier(name)} allow_connections ${allow}`).finally(() => admin.end());
      };
      try {
        await listen();
        expect(await terminateListen(database.ownerUrl!, applicationName, channel)).toBe(1);
        await held.lost();
        await allowConnections(false);
        held.release();
        await held.lost();
        expect(held.attempts).toEqual([1, 2]);
        await allowConnections(true);
        held.release();
        await back;
        await notify(database.db, channel, 'back');
        await ear.until('back');
        expect(resumed()).toBe(1);
      } finally {
        await allowConnections(true);
        await handle.close();
      }
    });

    it('gives up a LISTEN connection that stops answering without closing (a dead network path), listens again and calls onResumed once', async () => {
      const relay = await silenceableRelay(database.url!);
      // Heartbeats often, for a short test; a generous timeout, so that a slow machine's answer still counts.
      const own = await ownListener({ via: relay.url, listenHeartbeat: { intervalMs: 50, timeoutMs: 1000 } });
      try {
        await own.listen();
        await notify(database.db, own.channel, 'before');
        await own.ear.until('before');
        relay.silence();
        // Noticed by the heartbeat alone: nothing closed the connection, TCP keepalive would take minutes.
        await deafThenBack(own);
      } finally {
        await own.handle.close();
        await relay.close();
      }
    });

    it('keeps a LISTEN connection that answers its heartbeats, however many pass', async () => {
      const relay = await silenceableRelay(database.url!);
      const heartbeat = { intervalMs: 10, timeoutMs: 500 };
      const { handle, held, channel, ear, resumed, listen } = await ownListener({ via: relay.url, listenHeartbeat: heartbeat });
      try {
        await listen();
        // The listen connection is the relay's only one: each chunk it sends is a heartbeat, sent once
        // the one before was answered. Enough of them to outlast a timeout that nothing cleared.
        await relay.sent((2 * heartbeat.timeoutMs) / heartbeat.intervalMs);
        await notify(database.db, channel, 'still here');
        await ear.until('still here');
        expect(held.attempts).toEqual([]);
        expect(resumed()).toBe(0);
      } finally {
        await handle.close();
        await relay.close();
      }
    });

    for (const stop of ['unlisten', 'close'] as const) {
      it(`stops waiting to listen again on ${stop}, leaving no timer behind`, async () => {
        const { url, applicationName } = withApplicationName(database.url!);
        let waitEnded: string | null = null;
        let noticed!: () => void;
        const lost = new Promise<void>((r) => (noticed = r));
        // A real timer, as the backoff's: a long one, which the stop must clear.
        const handle = await openDatabase({
          databaseUrl: url,
          dataDir: null,
          relistenWait: (_attempt, signal) => {
            noticed();
            return sleep(600_000, undefined, { signal }).then(() => void (waitEnded = 'slept'), (err: Error) => {
              waitEnded = err.name;
              throw err;
            });
          },
        });
        const channel = newChannel();
        try {
          const unlisten = await handle.listen(channel, () => undefined, { onResumed: () => expect.unreachable('resumed after stop') });
          expect(await terminateListen(database.ownerUrl!, applicationName, channel)).toBe(1);
          await lost;
          await (stop === 'unlisten' ? unlisten() : handle.close());
          // Aborted, before the stop returned: its timer is cleared (timers/promises), nothing keeps the process up.
          expect(waitEnded).toBe('AbortError');
          expect(await listeningConnections(database.ownerUrl!, applicationName)).toBe(0);
        } finally {
          if (stop === 'unlisten') await handle.close();
        }
      });
    }
  } else {
    it('not applicable on PGlite, whose in-process listen has no connection to lose or to fall silent (no heartbeat): payloads arrive, onResumed is never called', async () => {
      const channel = newChannel();
      const ear = hearing();
      let resumed = 0;
      const unlisten = await database.listen(channel, ear.onPayload, { onResumed: () => resumed++ });
      await notify(database.db, channel, 'one');
      await ear.until('one');
      await unlisten();
      expect(resumed).toBe(0);
    });
  }
});
