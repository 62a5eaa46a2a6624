import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { devices, pendingRegistrations, rateLimitWindows, usedNonces } from '../../../platform/src/db/schema/index.js';
import { seedDemoWorld } from '../../../platform/src/demo/seed.js';
import { DEMO_HOUSEHOLDS } from '../../../platform/src/demo/world.js';
import { purgeExpired, startExpirySweep, type SweepResult } from '../../../platform/src/identity/expiry-sweep.js';
import { freshDatabase } from '../../helpers/database.js';
import { eq } from 'drizzle-orm';

const database = await freshDatabase();
const { db } = database;
afterAll(() => database.close());

/** The sweep's clock: fixed, far from the machine's, so nothing here depends on real time. */
const NOW = new Date('2031-03-01T12:00:00Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
let tv: { id: string; householdId: string };

beforeAll(async () => {
  await seedDemoWorld(db);
  const [row] = await db.select().from(devices).where(eq(devices.id, DEMO_HOUSEHOLDS[0].tv.id));
  tv = { id: row!.id, householdId: row!.householdId! };
});

/** One expired and one live row in each table; returns nothing, the tables are the record. */
async function seedRows(tag: string) {
  await db.insert(usedNonces).values([
    { mac: `${tag}-expired`.padEnd(43, 'x'), expiresAt: at(-1) },
    { mac: `${tag}-live`.padEnd(43, 'x'), expiresAt: at(60) },
  ]);
  await db.insert(pendingRegistrations).values([
    { stage: 'draft', deviceId: tv.id, householdId: tv.householdId, payload: { tag, live: false }, expiresAt: at(-1) },
    { stage: 'verified', deviceId: tv.id, householdId: tv.householdId, payload: { tag, live: true }, expiresAt: at(1800) },
  ]);
  await db.insert(rateLimitWindows).values([
    { key: `${tag}-ended`, endsAt: at(-1), hits: 3 },
    { key: `${tag}-open`, endsAt: at(30), hits: 1 },
  ]);
}

async function remaining() {
  return {
    nonces: (await db.select().from(usedNonces)).map((r) => r.mac.replace(/x+$/, '')).sort(),
    registrations: (await db.select().from(pendingRegistrations)).map((r) => r.payload as { tag: string; live: boolean }),
    windows: (await db.select().from(rateLimitWindows)).map((r) => r.key).sort(),
  };
}

describe('expired nonces, registrations and rate-limit windows', () => {
  afterEach(async () => {
    vi.useRealTimers();
    await db.delete(usedNonces);
    await db.delete(pendingRegistrations);
    await db.delete(rateLimitWindows);
  });

  it('purgeExpired deletes what expired by the given time and keeps the rest', async () => {
    await seedRows('a');
    expect(await purgeExpired(db, NOW)).toEqual({ usedNonces: 1, registrations: 1, rateLimitWindows: 1 });
    expect(await remaining()).toEqual({ nonces: ['a-live'], registrations: [{ tag: 'a', live: true }], windows: ['a-open'] });
    // Half an hour later the verified registration nobody confirmed goes too.
    expect(await purgeExpired(db, at(1801))).toEqual({ usedNonces: 1, registrations: 1, rateLimitWindows: 1 });
    expect(await remaining()).toEqual({ nonces: [], registrations: [], windows: [] });
  });

  it('the periodic sweep runs on its interval with its clock, and not after stop()', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    await seedRows('b');
    let swept: (r: SweepResult) => void = () => {};
    const onSwept = vi.fn((r: SweepResult) => swept(r));
    const sweep = startExpirySweep(db, { everyMs: 600_000, now: () => NOW, onSwept, onError: (err) => { throw err; } });

    vi.advanceTimersByTime(599_999);
    expect(onSwept).not.toHaveBeenCalled();
    const first = new Promise<SweepResult>((resolve) => (swept = resolve));
    vi.advanceTimersByTime(1);
    expect(await first).toEqual({ usedNonces: 1, registrations: 1, rateLimitWindows: 1 });
    expect(await remaining()).toEqual({ nonces: ['b-live'], registrations: [{ tag: 'b', live: true }], windows: ['b-open'] });

    await sweep.stop();
    await db.insert(usedNonces).values({ mac: 'after-stop'.padEnd(43, 'x'), expiresAt: at(-1) });
    vi.advanceTimersByTime(10 * 600_000);
    expect(onSwept).toHaveBeenCalledTimes(1);
    expect((await remaining()).nonces).toEqual(['after-stop', 'b-live']);
  });
});
