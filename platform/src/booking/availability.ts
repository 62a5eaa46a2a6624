import { and, asc, between, eq, gt, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { facilityBlackouts, facilityUnits, bookings } from './schema.js';
import { horizonEnd, rulesOf } from './policy.js';
import { feeFor } from './residents.js';
import { AppError } from '../shared/errors.js';
import { addDays, daysBetween, isDay, startOf } from './slots.js';

export type SlotState = 'free' | 'taken' | 'closed';

export interface WeekGrid {
  facilityId: string;
  name: string;
  from: string;
  days: string[];
  periods: { code: string; label: string; start: string; end: string }[];
  units: { id: string; name: string; slots: { day: string; period: string; state: SlotState }[] }[];
  fees: { period: string; resident: number; nonResident: number }[];
  /** The last day residents may book now. */
  residentLastDay: string;
  /** Who the grid was marked for: `closed` lies beyond this viewer's own horizon, and `fee` is theirs. */
  viewer: { resident: boolean; lastDay: string; fees: { period: string; fee: number }[] };
  /** The week's 休館日: closed for everyone, and (unlike a day past the horizon) no lottery choice either. */
  closedDays: string[];
}

/** Whom a grid is drawn for: a resident of the facility's municipality or not. */
export interface Viewer {
  resident: boolean;
}

/**
 * A facility's slots for `days` days from `from`, without personal data (browsing needs no login).
 * A slot is `closed` on a blackout day, once started, or beyond the viewer's own horizon (a
 * non-resident's is shorter: a slot they would be refused must not look free to them); `taken`
 * while a live hold or a confirmed booking covers it or any unit sharing its floor.
 */
export async function weekGrid(db: Db, facilityId: string, from: string, days: number, viewer: Viewer, now = new Date()): Promise<WeekGrid> {
  if (!isDay(from)) throw new AppError('REQ_INVALID', { detail: 'from is not a day' });
  const rules = await rulesOf(db, facilityId);
  const to = addDays(from, days - 1);
  const dayList = Array.from({ length: days }, (_, i) => addDays(from, i));
  const units = await db.select().from(facilityUnits).where(eq(facilityUnits.facilityId, facilityId)).orderBy(asc(facilityUnits.sort), asc(facilityUnits.name));
  const closedDays = new Set((await db.select({ day: facilityBlackouts.day }).from(facilityBlackouts)
    .where(and(eq(facilityBlackouts.facilityId, facilityId), between(facilityBlackouts.day, from, to)))).map((r) => r.day));
  // Every unit a live booking's floor touches is taken: 全面 booked takes A面 and B面, and either half takes 全面.
  const live = await db.select({ unitId: facilityUnits.id, day: bookings.day, period: bookings.period }).from(bookings)
    .innerJoin(facilityUnits, and(eq(facilityUnits.facilityId, bookings.facilityId), sql`${facilityUnits.floor} && ${bookings.floor}`)).where(and(
      eq(bookings.facilityId, facilityId), between(bookings.day, from, to), inArray(bookings.state, ['held', 'confirmed']),
      or(eq(bookings.state, 'confirmed'), gt(bookings.holdExpiresAt, now)),
    ));
  const taken = new Set(live.map((b) => `${b.unitId}|${b.day}|${b.period}`));
  const residentLastDay = horizonEnd(rules.policy, true, now);
  const lastDay = horizonEnd(rules.policy, viewer.resident, now);
  const fees = rules.policy.periods.flatMap((p) => {
    const fee = feeFor(rules.policy, p.code, viewer.resident);
    return fee === null ? [] : [{ period: p.code, fee }];
  });
  return {
    facilityId, name: rules.name, from, days: dayList, periods: rules.policy.periods, fees: rules.policy.fees, residentLastDay,
    viewer: { resident: viewer.resident, lastDay, fees }, closedDays: dayList.filter((d) => closedDays.has(d)),
    units: units.map((u) => ({
      id: u.id, name: u.name,
      slots: dayList.flatMap((day) => rules.policy.periods.map((p) => {
        const closed = closedDays.has(day) || startOf(day, p) <= now || daysBetween(lastDay, day) > 0;
        const state: SlotState = closed ? 'closed' : taken.has(`${u.id}|${day}|${p.code}`) ? 'taken' : 'free';
        return { day, period: p.code, state };
      })),
    })),
  };
}
