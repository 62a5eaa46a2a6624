import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db, DbHandle } from '../../../platform/src/db/client.js';
import { shelterEvents } from '../../../platform/src/db/schema/index.js';
import { DEMO_SHELTERS } from '../../../platform/src/demo/world.js';
import { seedDemoWorld } from '../../../platform/src/demo/seed.js';
import type { CheckinEvent, EventBatchResult, ShelterState } from '../../../platform/src/shelter/shelter-schemas.js';
import { databaseForProcess } from '../../helpers/database.js';
import { copyJpkiCenter } from '../../helpers/jpki-fixtures.js';
import { freePort, runTs, waitForOk } from '../../helpers/process.js';
import { eventMaker, tabletWithStaff } from '../../helpers/shelter.js';
import { orgId } from '../../helpers/staff.js';

const MAIN = 'platform/src/main.ts';
const EVENTS = 1000;
const BATCH = 50;

const started: ReturnType<typeof runTs>[] = [];
const toClose: DbHandle[] = [];
afterEach(async () => {
  for (const run of started.splice(0)) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  for (const handle of toClose.splice(0)) await handle.close().catch(() => {});
});

async function startPlatform(env: Record<string, string>, port: number) {
  const run = runTs(MAIN, [], { PORT: String(port), OPERATOR_PORT: '0', SHELTER_PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'warn', ...env });
  started.push(run);
  await waitForOk(`http://127.0.0.1:${port}/healthz`, 60_000, run.child);
  return run;
}

/** The demo world, a tablet at a demo shelter with a staff session, and 1,000 queued check-ins (by name: one person each). */
async function prepare(db: Db) {
  await seedDemoWorld(db);
  const tablet = await tabletWithStaff(db, await orgId(db, '162108'), DEMO_SHELTERS[0].name);
  const next = eventMaker(1);
  const queue = Array.from({ length: EVENTS }, (_, i) => next('checkin', { method: 'name', name: `避難者${i}`, birthDate: '1980-01-01' }));
  return { tablet, queue };
}

/**
 * What the tablet's outbox does, reduced to its rules: send the oldest events in order; an answer
 * removes the events it answered (recorded or replayed); no answer (network, 5xx) leaves them
 * queued and tries again after a pause. `onBatch` runs before each send (the test kills there).
 */
async function drain(base: () => string, headers: Record<string, string>, queue: CheckinEvent[], onBatch: (n: number) => Promise<void>) {
  const tally = { recorded: 0, replayed: 0, refused: 0, failedSends: 0 };
  for (let n = 0; queue.length; n++) {
    const batch = queue.slice(0, BATCH);
    const sending = fetch(`${base()}/api/v1/shelter/events`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ events: batch }) });
    sending.catch(() => undefined); // awaited below; the kill may reject it while onBatch runs
    await onBatch(n);
    try {
      const res = await sending;
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      const { results } = (await res.json()) as EventBatchResult;
      for (const r of results) tally[r.status]++;
      queue.splice(0, batch.length);
    } catch {
      tally.failedSends++;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return tally;
}

describe('a platform killed while a tablet drains its queue', { timeout: 240_000 }, () => {
  it(`loses none and doubles none of ${EVENTS} events across a SIGKILL and restart`, async () => {
    const { shared, dataDir, prepared, reopen } = await databaseForProcess('shelter-kill-', prepare);
    if (shared) toClose.push(shared);
    const { tablet, queue } = prepared;
    const ids = new Set(queue.map((e) => e.eventId));
    const env = { DATA_DIR: dataDir, DATABASE_URL: shared?.url ?? '', DATABASE_OWNER_URL: shared?.ownerUrl ?? '', JPKI_DEV_DIR: await copyJpkiCenter() };
    const port = await freePort();
    let current = await startPlatform(env, port);
    const t0 = Date.now();

    const tally = await drain(() => `http://127.0.0.1:${port}`, tablet.headers, queue, async (n) => {
      if (n !== 5) return;
      // Mid-drain, with a batch on the wire: kill -9, then start again on the same data.
      await new Promise((r) => setTimeout(r, 5));
      current.child.kill('SIGKILL');
      await current.exited;
      const down = Date.now();
      current = await startPlatform(env, port);
      console.info(`kill-drain: restarted in ${Date.now() - down} ms`);
    });
    console.info(`kill-drain: drained in ${Date.now() - t0} ms`);

    console.info(`kill-drain: ${JSON.stringify(tally)}`);
    expect(tally.failedSends).toBeGreaterThanOrEqual(1);
    expect(tally.refused).toBe(0);
    expect(tally.recorded + tally.replayed).toBeGreaterThanOrEqual(EVENTS);

    const state = (await (await fetch(`http://127.0.0.1:${port}/api/v1/shelter/state`, { headers: tablet.headers })).json()) as ShelterState;
    expect(state.inside).toBe(EVENTS);

    if (!shared) {
      current.child.kill('SIGTERM');
      expect(await current.exited).toBe(0);
    }
    const check = await reopen();
    if (!shared) toClose.push(check);
    const rows = await check.db.select({ eventId: shelterEvents.eventId }).from(shelterEvents).where(eq(shelterEvents.deviceId, tablet.tablet.id));
    expect(rows).toHaveLength(EVENTS);
    expect(new Set(rows.map((r) => r.eventId))).toEqual(ids);
    const [counted] = await check.db.select({ subjects: sql<number>`count(distinct ${shelterEvents.subject})::int` }).from(shelterEvents);
    expect(counted!.subjects).toBe(EVENTS);
  });
});
