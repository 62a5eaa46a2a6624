import { randomBytes } from 'node:crypto';
import type { Db, Tx } from '../db/client.js';
import { facilities } from '../db/schema/index.js';
import { floorOf } from '../booking/bookings.js';
import { facilityBlackouts, facilityPolicies, facilityUnits, lotteryRounds } from '../booking/schema.js';
import { addDays, japanDay } from '../booking/slots.js';
import { DEMO_BLACKOUT_REASONS, DEMO_FACILITIES } from './world.js';


/** How many days of weekly 休館日 the demo closes ahead (beyond every demo horizon). */
const BLACKOUT_DAYS = 120;

/**
 * The demo's bookable facilities with units, policies and blackouts (relative to the day of
 * seeding, so the week grid always shows closed days), and an open lottery round for the
 * lottery facility (its seed published now, as staff opening it would).
 */
export async function seedDemoFacilities(tx: Tx, orgIdOf: (code: string) => string, now = new Date()): Promise<void> {
  const today = japanDay(now);
  for (const f of DEMO_FACILITIES) {
    const [facility] = await tx.insert(facilities).values({ municipalityId: orgIdOf(f.org), name: f.name, kind: f.kind }).returning();
    const id = facility!.id;
    // Units of their own first (each gets a floor part), then those covering them (the union).
    const names: readonly string[] = f.units;
    const covering: Record<string, readonly string[]> = 'covering' in f ? f.covering : {};
    const own = await tx.insert(facilityUnits).values(names.filter((name) => !covering[name]).map((name) => ({ facilityId: id, name, sort: names.indexOf(name) }))).returning();
    for (const [name, parts] of Object.entries(covering)) {
      await tx.insert(facilityUnits).values({ facilityId: id, name, sort: names.indexOf(name), floor: floorOf(own.filter((u) => parts.includes(u.name)).map((u) => u.id)) });
    }
    await tx.insert(facilityPolicies).values({
      facilityId: id, periods: [...f.periods], fees: [...f.fees], residentHorizonDays: f.residentHorizonDays, nonResidentHorizonDays: f.nonResidentHorizonDays,
      cancelDeadlineDays: f.cancelDeadlineDays, monthlyQuota: f.monthlyQuota, holdMinutes: f.holdMinutes, lottery: f.lottery ? { ...f.lottery } : null,
    });
    const closed: { facilityId: string; day: string; reason: string }[] = Array.from({ length: BLACKOUT_DAYS }, (_, i) => addDays(today, i))
      .filter((day) => new Date(`${day}T00:00:00Z`).getUTCDay() === f.closedWeekday)
      .map((day) => ({ facilityId: id, day, reason: DEMO_BLACKOUT_REASONS.weekly as string }));
    if (f.closedInDays !== null) closed.push({ facilityId: id, day: addDays(today, f.closedInDays), reason: DEMO_BLACKOUT_REASONS.once });
    if (closed.length) await tx.insert(facilityBlackouts).values(closed);
    if (f.lottery) await openDemoRound(tx, id, f.lottery.monthsAhead, now);
  }
}

/**
 * The lottery round for the month `monthsAhead` from now, open for applications for ten days. Not
 * audited: the seed runs before the audit chain's key is necessarily set, and the round's seed is
 * in its row for anyone to check.
 */
async function openDemoRound(tx: Tx, facilityId: string, monthsAhead: number, now: Date): Promise<void> {
  const [y, m] = japanDay(now).split('-').map(Number) as [number, number];
  const month = new Date(Date.UTC(y, m - 1 + monthsAhead, 1)).toISOString().slice(0, 7);
  await tx.insert(lotteryRounds).values({ facilityId, month, applyUntil: new Date(now.getTime() + 10 * 86_400_000), seed: randomBytes(32).toString('hex') });
}
