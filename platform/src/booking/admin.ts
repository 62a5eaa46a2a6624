import { and, asc, between, count, eq, gt, inArray, isNotNull, ne, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db, Tx } from '../db/client.js';
import { facilities, organisations } from '../db/schema/index.js';
import { appendAudit } from '../identity/audit.js';
import { AppError } from '../shared/errors.js';
import { expireStale, floorOfUnit, newPermitNo, offerToWaitlist, sameSlot } from './bookings.js';
import { slotText, unitName } from './notices.js';
import { catchOverlap } from './overlap.js';
import { checkBookable, periodOf, rulesOf, type FacilityRules } from './policy.js';
import { bookingNotices, bookings, facilityBlackouts, facilityUnits, type Booking } from './schema.js';
import { addDays, daysBetween, isDay, japanDay, rangeOf, startOf } from './slots.js';

/** Who acts in the console: their id and organisation (every target is checked against it). */
export interface StaffActor {
  staffId: string;
  organisationId: string;
}

/** The facility's rules, refusing another municipality's facility. */
export async function ownFacility(db: Pick<Db, 'select'>, actor: StaffActor, facilityId: string) {
  const rules = await rulesOf(db, facilityId);
  if (rules.municipalityId !== actor.organisationId) throw new AppError('STAFF_OUT_OF_SCOPE');
  return rules;
}

/**
 * Held and confirmed bookings of the facility on `days`: closing a day leaves them for staff to
 * handle on the board, so the officer is told how many there are.
 */
async function bookedOn(tx: Tx, facilityId: string, days: string[]): Promise<number> {
  const [row] = await tx.select({ n: count() }).from(bookings)
    .where(and(eq(bookings.facilityId, facilityId), inArray(bookings.day, days), inArray(bookings.state, ['held', 'confirmed'])));
  return Number(row?.n ?? 0);
}

/**
 * Closes `days` of a facility (insert, or a new reason for a day already closed). Residents with a
 * confirmed booking on a day closed now are told on their TV, with the municipality's phone: the
 * booking itself stays, for staff to settle with them (another day, another room, a refund). A day
 * closed already was told before, and a hold not yet confirmed cannot be confirmed any more.
 */
async function closeDays(tx: Tx, rules: FacilityRules, days: string[], reason: string): Promise<void> {
  const { facilityId } = rules;
  // One statement tells which rows it inserted (`xmax = 0`) and which it only renamed: two officers
  // closing the same day at once notify its residents once.
  const written = await tx.insert(facilityBlackouts).values(days.map((day) => ({ facilityId, day, reason })))
    .onConflictDoUpdate({ target: [facilityBlackouts.facilityId, facilityBlackouts.day], set: { reason } })
    .returning({ day: facilityBlackouts.day, inserted: sql<boolean>`(xmax = 0)` });
  const newlyClosed = written.filter((w) => w.inserted).map((w) => w.day);
  if (!newlyClosed.length) return;
  const booked = await tx.select({ b: bookings, unit: facilityUnits.name }).from(bookings)
    .innerJoin(facilityUnits, eq(facilityUnits.id, bookings.unitId))
    .where(and(eq(bookings.facilityId, facilityId), inArray(bookings.day, newlyClosed), eq(bookings.state, 'confirmed'), isNotNull(bookings.personId)));
  if (!booked.length) return;
  const [municipality] = await tx.select({ phone: organisations.helpPhone }).from(organisations).where(eq(organisations.id, rules.municipalityId));
  const ask = municipality?.phone ? `${rules.municipality.name}（${municipality.phone}）から` : `${rules.municipality.name}から`;
  await tx.insert(bookingNotices).values(booked.map(({ b, unit }) => ({
    personId: b.personId!, bookingId: b.id, kind: 'closed' as const,
    text: `${slotText(rules.name, b.day, periodOf(rules.policy, b.period), unit)} は、休館日（${reason}）に なりました。` +
      `ご予約（利用許可番号 ${b.permitNo}）の 扱いは、${ask} ご連絡します。`,
  })));
}

/**
 * Closes a facility for a day (休館日); bookings already made stay for staff to handle on the
 * board (their residents are told). Returns how many there are.
 */
export async function addBlackout(db: Db, actor: StaffActor, facilityId: string, day: string, reason: string): Promise<{ booked: number }> {
  const rules = await ownFacility(db, actor, facilityId);
  return db.transaction(async (tx) => {
    await closeDays(tx, rules, [day], reason);
    await appendAudit(tx, { actor: `staff:${actor.staffId}`, action: 'booking.blackout.add', subject: facilityId, data: { org: actor.organisationId, day } });
    return { booked: await bookedOn(tx, facilityId, [day]) };
  });
}

/** The longest stretch one weekly closing covers: a year ahead (a leap year's 366 days). */
export const WEEKLY_BLACKOUT_MAX_DAYS = 366;

/** The days from `from` to `until` (both included) that fall on `weekday` (0 Sunday … 6 Saturday). */
export function weekdaysBetween(weekday: number, from: string, until: string): string[] {
  const days: string[] = [];
  // A calendar day's weekday is the same in every time zone: read it at UTC midnight.
  const first = (weekday - new Date(`${from}T00:00:00Z`).getUTCDay() + 7) % 7;
  for (let day = addDays(from, first); daysBetween(day, until) >= 0; day = addDays(day, 7)) days.push(day);
  return days;
}

/**
 * Closes a facility on one weekday every week from `from` to `until` (毎週月曜 休館): a 休館日 for
 * each of those days, so that the TV grid, holds, the lottery and the boards treat each exactly as
 * a day closed by hand. Bookings already made on them stay for staff to handle, as for one day.
 * Refused (REQ_INVALID): a day that is not a day, `from` in the past or after `until`, more than a
 * year. Returns how many days it closed (or renamed, when already closed) and how many bookings they hold.
 */
export async function addWeeklyBlackouts(
  db: Db, actor: StaffActor, facilityId: string, rule: { weekday: number; from: string; until: string; reason: string }, now = new Date(),
): Promise<{ days: number; booked: number }> {
  const { weekday, from, until, reason } = rule;
  if (!isDay(from) || !isDay(until)) throw new AppError('REQ_INVALID', { detail: 'from and until must be days' });
  if (daysBetween(japanDay(now), from) < 0) throw new AppError('REQ_INVALID', { detail: 'from is in the past' });
  if (daysBetween(from, until) < 0) throw new AppError('REQ_INVALID', { detail: 'until is before from' });
  if (daysBetween(from, until) >= WEEKLY_BLACKOUT_MAX_DAYS) throw new AppError('REQ_INVALID', { detail: `at most ${WEEKLY_BLACKOUT_MAX_DAYS} days at once` });
  const rules = await ownFacility(db, actor, facilityId);
  const days = weekdaysBetween(weekday, from, until);
  if (!days.length) return { days: 0, booked: 0 };
  return db.transaction(async (tx) => {
    await closeDays(tx, rules, days, reason);
    await appendAudit(tx, {
      actor: `staff:${actor.staffId}`, action: 'booking.blackout.weekly', subject: facilityId,
      data: { org: actor.organisationId, weekday, from, until, days: days.length },
    });
    return { days: days.length, booked: await bookedOn(tx, facilityId, days) };
  });
}

/**
 * An administrative booking (school or municipal use): it overrides residents' holds and bookings
 * of that unit and 区分 (and of units sharing its floor), which become `overridden`; each resident
 * gets a notice on their TV, floor left free goes to the waitlist, and the whole change is audited. The same idempotency key books once.
 */
export async function adminBook(db: Db, actor: StaffActor, req: { facilityId: string; unitId: string; day: string; period: string; note: string; idempotencyKey: string }, now = new Date()): Promise<{ booking: Booking; overridden: number }> {
  const rules = await ownFacility(db, actor, req.facilityId);
  const [unit] = await db.select().from(facilityUnits).where(and(eq(facilityUnits.id, req.unitId), eq(facilityUnits.facilityId, req.facilityId)));
  if (!unit) throw new AppError('REQ_NOT_FOUND', { detail: 'no such unit of this facility' });
  const period = periodOf(rules.policy, req.period);
  const requestedBy = `staff:${actor.staffId}`;
  return catchOverlap(() => db.transaction(async (tx: Tx) => {
    // Per facility, not unit: units share floor (全面 and its halves), and two staff booking them
    // at once must meet here rather than one of them be refused by the constraint.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`booking-admin:${req.facilityId}`}, 0))`);
    // The key is unique per staff member across units: the same key sent at once for two units
    // must meet here too, else the second INSERT is a unique violation (a 500). Always facility,
    // then staff, so two of these never wait on each other in a circle.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`booking-admin-key:${requestedBy}`}, 0))`);
    const [again] = await tx.select().from(bookings).where(and(eq(bookings.requestedBy, requestedBy), eq(bookings.idempotencyKey, req.idempotencyKey)));
    if (again) return { booking: sameSlot(again, req.unitId, req.day, period.code), overridden: 0 };
    await checkBookable(tx, rules, req.day, period, null, now);
    const during = rangeOf(req.day, period);
    const stale = await expireStale(tx, req.unitId, during, now);
    const displaced = await tx.update(bookings).set({ state: 'overridden', endedAt: now })
      .where(and(inArray(bookings.state, ['held', 'confirmed']), sql`${bookings.during} && ${during}::tstzrange`, sql`${bookings.floor} && ${floorOfUnit(req.unitId)}`)).returning();
    for (const b of displaced) {
      if (!b.personId) continue;
      await tx.insert(bookingNotices).values({ personId: b.personId, bookingId: b.id, kind: 'overridden',
        text: `${slotText(rules.name, b.day, periodOf(rules.policy, b.period), await unitName(tx, b.unitId))} のご予約は、市の行事のため取り消しになりました。申し訳ありません。ほかの枠をお選びください。` });
    }
    const [row] = await tx.insert(bookings).values({
      facilityId: req.facilityId, unitId: req.unitId, day: req.day, period: period.code, during, state: 'confirmed', requestedBy,
      idempotencyKey: req.idempotencyKey, source: 'admin', note: req.note, confirmedAt: now, permitNo: `ADM-${newPermitNo()}`,
    }).returning();
    // Floor the city's booking does not cover (the other half of an overridden 全面, a stale hold's)
    // goes to those waiting for it; offered after the city's row, so nobody is offered that.
    for (const b of [...stale, ...displaced]) await offerToWaitlist(tx, b, now);
    await appendAudit(tx, { actor: requestedBy, action: 'booking.admin', subject: row!.id,
      data: { org: actor.organisationId, facility: req.facilityId, unit: req.unitId, day: req.day, period: period.code, overridden: displaced.length } });
    return { booking: row!, overridden: displaced.length };
  }));
}

/**
 * The organisation's facilities with a week's bookings (held/confirmed), for the console's board;
 * each unit lists the units sharing its floor (a booking of one blocks the others).
 */
export async function boardOf(db: Db, actor: StaffActor, from: string, days: number) {
  const own = await db.select().from(facilities).where(eq(facilities.municipalityId, actor.organisationId)).orderBy(asc(facilities.name));
  const ids = own.map((f) => f.id);
  const to = addDays(from, days - 1);
  const units = ids.length ? await db.select().from(facilityUnits).where(inArray(facilityUnits.facilityId, ids)).orderBy(asc(facilityUnits.sort)) : [];
  const other = alias(facilityUnits, 'other');
  const sharing = ids.length ? await db.select({ unitId: facilityUnits.id, otherId: other.id }).from(facilityUnits)
    .innerJoin(other, and(eq(other.facilityId, facilityUnits.facilityId), ne(other.id, facilityUnits.id), sql`${other.floor} && ${facilityUnits.floor}`))
    .where(inArray(facilityUnits.facilityId, ids)) : [];
  const rows = ids.length ? await db.select().from(bookings)
    .where(and(inArray(bookings.facilityId, ids), between(bookings.day, from, to), inArray(bookings.state, ['held', 'confirmed']))).orderBy(asc(bookings.during)) : [];
  return {
    from, to,
    facilities: own.map((f) => ({
      id: f.id, name: f.name,
      units: units.filter((u) => u.facilityId === f.id).map((u) => ({ id: u.id, name: u.name, sharesFloorWith: sharing.filter((s) => s.unitId === u.id).map((s) => s.otherId) })),
      bookings: rows.filter((b) => b.facilityId === f.id).map((b) => ({
        id: b.id, unitId: b.unitId, day: b.day, period: b.period, state: b.state, source: b.source, permitNo: b.permitNo, note: b.note,
        holdExpiresAt: b.holdExpiresAt?.toISOString() ?? null,
      })),
    })),
  };
}

/**
 * One day of one facility for the console's day board: every unit × 区分 with what is there — a
 * live hold (with its expiry), a confirmed booking (利用許可番号, note), free, or closed (休館日, or
 * the 区分 has begun). Only the caller's municipality's facility; no resident is named.
 */
export async function dayBoardOf(db: Db, actor: StaffActor, facilityId: string, day: string, now = new Date()) {
  const rules = await ownFacility(db, actor, facilityId);
  const units = await db.select().from(facilityUnits).where(eq(facilityUnits.facilityId, facilityId)).orderBy(asc(facilityUnits.sort), asc(facilityUnits.name));
  const [blackout] = await db.select().from(facilityBlackouts).where(and(eq(facilityBlackouts.facilityId, facilityId), eq(facilityBlackouts.day, day)));
  const live = await db.select().from(bookings).where(and(
    eq(bookings.facilityId, facilityId), eq(bookings.day, day), inArray(bookings.state, ['held', 'confirmed']),
    or(eq(bookings.state, 'confirmed'), gt(bookings.holdExpiresAt, now)),
  ));
  return {
    facilityId, name: rules.name, day, closedReason: blackout?.reason ?? null, periods: rules.policy.periods,
    units: units.map((u) => ({
      id: u.id, name: u.name,
      slots: rules.policy.periods.map((p) => {
        const b = live.find((x) => x.unitId === u.id && x.period === p.code);
        const booking = b ? {
          id: b.id, state: b.state, source: b.source, permitNo: b.permitNo, note: b.note, holdExpiresAt: b.holdExpiresAt?.toISOString() ?? null,
        } : null;
        const state: 'held' | 'confirmed' | 'closed' | 'free' = b ? (b.state === 'held' ? 'held' : 'confirmed') : blackout || startOf(day, p) <= now ? 'closed' : 'free';
        return { period: p.code, state, booking };
      }),
    })),
  };
}
