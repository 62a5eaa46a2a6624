import { eq, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { cancelBooking, holdSlot, joinWaitlist } from '../../../platform/src/booking/bookings.js';
import { bookings, bookingWaitlist } from '../../../platform/src/booking/schema.js';
import type { Db } from '../../../platform/src/db/client.js';
import { AppError } from '../../../platform/src/shared/errors.js';
import { bookableFacility, NOW, somePeople } from '../../helpers/booking.js';
import { freshDatabase } from '../../helpers/database.js';

const database = await freshDatabase();
const { db } = database;
afterAll(() => database.close());
const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.code : String(e)));

/**
 * `db` as `joinWaitlist` sees it, except that storing a row in `table` first runs `before(inTx)`:
 * the moment between "the slot is taken" and the waiter being stored, where the test frees the slot.
 * `inTx` says whether the insert runs inside a transaction the join opened.
 */
function pauseBeforeInsert(on: Db, table: unknown, before: (inTx: boolean) => Promise<void>, inTx = false): Db {
  const gated = <T extends object>(builder: T): T => new Proxy(builder, {
    get(target, prop) {
      if (prop === 'then') return (ok: never, ko: never) => before(inTx).then(() => (target as unknown as Promise<unknown>).then(ok, ko));
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out = (value as (...a: unknown[]) => unknown).apply(target, args);
        return out && typeof out === 'object' ? gated(out) : out;
      };
    },
  });
  return new Proxy(on, {
    get(target, prop) {
      if (prop === 'insert') return (t: never) => (t === table ? gated(target.insert(t)) : target.insert(t));
      if (prop === 'transaction') return (fn: (tx: Db) => Promise<unknown>, config?: never) => target.transaction((tx) => fn(pauseBeforeInsert(tx as unknown as Db, table, before, true)), config);
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Until `freeing` has finished or is waiting for a lock. On PostgreSQL, a lock wait shows in
 * pg_stat_activity (polled: a condition, not a timer racing the freeing). PGlite runs one
 * transaction at a time: inside the join's transaction the freeing cannot start before it ends,
 * outside one it runs to the end right here.
 */
async function settledOrWaiting(freeing: Promise<unknown>, joinInTx: boolean): Promise<void> {
  let settled = false;
  void freeing.then(() => (settled = true), () => (settled = true));
  if (database.kind === 'pglite') {
    if (!joinInTx) await freeing.catch(() => {});
    return;
  }
  for (;;) {
    if (settled) return;
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(sql`pg_stat_activity`)
      .where(sql`datname = current_database() and wait_event_type = 'Lock'`);
    if (row!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('joining a waitlist while its slot frees', () => {
  it('either the join sees the slot free or the offer sees the new waiter: freed between the join\'s check and its insert, the waiter is offered the hold', async () => {
    const { units } = await bookableFacility(db);
    const [holder, waiter] = await somePeople(db, 2);
    const slot = { unitId: units[0].id, day: '2027-01-20', period: 'am' };
    const held = await holdSlot(db, { ...slot, personId: holder!, idempotencyKey: 'race', resident: true }, NOW);
    let freeing: Promise<unknown> | undefined;
    const paused = pauseBeforeInsert(db, bookingWaitlist, async (inTx) => {
      if (freeing) return;
      freeing = cancelBooking(db, holder!, held.id, NOW);
      await settledOrWaiting(freeing, inTx);
    });
    const joined = await codeOf(joinWaitlist(paused, waiter!, slot, true, NOW));
    expect(await codeOf(freeing!)).toBe('ok');
    expect(joined).toBe('ok');
    // Nobody waits on a free slot: the offer saw the waiter and gave them the hold.
    expect((await db.select().from(bookingWaitlist).where(eq(bookingWaitlist.personId, waiter!))).map((w) => w.state)).toEqual(['offered']);
    expect((await db.select().from(bookings).where(eq(bookings.personId, waiter!))).map((b) => [b.unitId, b.source, b.state])).toEqual([[slot.unitId, 'waitlist', 'held']]);
  });

  it('a slot freed before the join looks is refused as free (BOOKING_SLOT_FREE), nothing stored', async () => {
    const { units } = await bookableFacility(db);
    const [holder, waiter] = await somePeople(db, 2);
    const slot = { unitId: units[0].id, day: '2027-01-21', period: 'pm' };
    const held = await holdSlot(db, { ...slot, personId: holder!, idempotencyKey: 'race', resident: true }, NOW);
    await cancelBooking(db, holder!, held.id, NOW);
    expect(await codeOf(joinWaitlist(db, waiter!, slot, true, NOW))).toBe('BOOKING_SLOT_FREE');
    expect(await db.select().from(bookingWaitlist).where(eq(bookingWaitlist.personId, waiter!))).toEqual([]);
  });
});
