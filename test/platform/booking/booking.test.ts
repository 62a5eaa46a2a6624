import { eq, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { cancelBooking, confirmBooking, holdSlot, joinWaitlist, offerLapsedHolds } from '../../../platform/src/booking/bookings.js';
import { bookingNotices, bookings, bookingWaitlist, facilityBlackouts } from '../../../platform/src/booking/schema.js';
import { weekGrid } from '../../../platform/src/booking/availability.js';
import { AppError } from '../../../platform/src/shared/errors.js';
import { freshDatabase } from '../../helpers/database.js';
import { bookableFacility, NOW, somePeople } from '../../helpers/booking.js';

const database = await freshDatabase();
const { db } = database;
afterAll(() => database.close());

const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.code : String(e)));

/** Inserts a row straight into the table, past every check of the service. */
async function insertRaw(unitId: string, facilityId: string, during: string, state: string, key: string) {
  await db.execute(sql`insert into bookings (facility_id, unit_id, day, period, during, state, requested_by, idempotency_key, source)
    values (${facilityId}, ${unitId}, '2027-01-10', 'am', ${during}::tstzrange, ${state}, ${`test:${facilityId}`}, ${key}, 'admin')`);
}
const sqlstateOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string; cause?: { code?: string } }) => e.cause?.code ?? e.code);

describe('the database refuses double booking by itself', () => {
  it('rejects an overlapping held or confirmed row inserted directly with SQLSTATE 23P01', async () => {
    const { facility, units } = await bookableFacility(db);
    await insertRaw(units[0].id, facility.id, '[2027-01-10T09:00+09,2027-01-10T12:00+09)', 'confirmed', 'a');
    expect(await sqlstateOf(insertRaw(units[0].id, facility.id, '[2027-01-10T11:00+09,2027-01-10T13:00+09)', 'held', 'b'))).toBe('23P01');
    expect(await sqlstateOf(insertRaw(units[0].id, facility.id, '[2027-01-10T09:00+09,2027-01-10T12:00+09)', 'confirmed', 'c'))).toBe('23P01');
  });

  it('lets back-to-back slots, other units and cancelled or expired rows coexist', async () => {
    const { facility, units } = await bookableFacility(db);
    await insertRaw(units[0].id, facility.id, '[2027-01-10T09:00+09,2027-01-10T12:00+09)', 'held', 'a');
    expect(await sqlstateOf(insertRaw(units[0].id, facility.id, '[2027-01-10T12:00+09,2027-01-10T13:00+09)', 'held', 'b'))).toBe('ok');
    expect(await sqlstateOf(insertRaw(units[1].id, facility.id, '[2027-01-10T09:00+09,2027-01-10T12:00+09)', 'held', 'c'))).toBe('ok');
    expect(await sqlstateOf(insertRaw(units[0].id, facility.id, '[2027-01-10T09:00+09,2027-01-10T12:00+09)', 'cancelled', 'd'))).toBe('ok');
    expect(await sqlstateOf(insertRaw(units[0].id, facility.id, '[2027-01-10T09:00+09,2027-01-10T12:00+09)', 'expired', 'e'))).toBe('ok');
  });

  it('refuses a closed or empty range (every range is half-open)', async () => {
    const { facility, units } = await bookableFacility(db);
    expect(await sqlstateOf(insertRaw(units[0].id, facility.id, '[2027-01-10T09:00+09,2027-01-10T12:00+09]', 'held', 'a'))).toBe('23514');
  });
});

describe('hold, confirm, cancel', () => {
  it('holds for the policy time, confirms with a permit number, cancels before the deadline', async () => {
    const { units } = await bookableFacility(db);
    const [person] = await somePeople(db, 1);
    const held = await holdSlot(db, { personId: person!, unitId: units[0].id, day: '2027-01-20', period: 'pm', idempotencyKey: 'k1', resident: true }, NOW);
    expect(held.state).toBe('held');
    expect(held.holdExpiresAt).toEqual(minutes(30));
    const confirmed = await confirmBooking(db, person!, held.id, minutes(29));
    expect(confirmed.state).toBe('confirmed');
    expect(confirmed.permitNo).toMatch(/^\d{4}-\d{3}-\d{3}$/);
    expect((await confirmBooking(db, person!, held.id, minutes(31))).permitNo).toBe(confirmed.permitNo);
    expect((await cancelBooking(db, person!, held.id, minutes(40))).state).toBe('cancelled');
    expect(await codeOf(cancelBooking(db, person!, held.id, minutes(41)))).toBe('BOOKING_NOT_ACTIVE');
  });

  it('books once when OK is pressed twice, one after the other or at the same moment', async () => {
    const { units } = await bookableFacility(db);
    const [person] = await somePeople(db, 1);
    const req = { personId: person!, unitId: units[0].id, day: '2027-01-20', period: 'am', idempotencyKey: 'press-1', resident: true };
    const [a, b] = await Promise.all([holdSlot(db, req, NOW), holdSlot(db, req, NOW)]);
    const c = await holdSlot(db, req, NOW);
    expect(new Set([a.id, b.id, c.id]).size).toBe(1);
    expect((await db.select().from(bookings).where(eq(bookings.personId, person!))).length).toBe(1);
  });

  it('gives one slot to exactly one of 200 people trying at once; the rest get BOOKING_SLOT_TAKEN', async () => {
    const { units } = await bookableFacility(db);
    const people = await somePeople(db, 200);
    const codes = await Promise.all(people.map((personId, i) =>
      codeOf(holdSlot(db, { personId, unitId: units[0].id, day: '2027-01-21', period: 'night', idempotencyKey: `race-${i}`, resident: true }, NOW))));
    expect(codes.filter((c) => c === 'ok')).toHaveLength(1);
    expect(codes.filter((c) => c === 'BOOKING_SLOT_TAKEN')).toHaveLength(199);
    const rows = await db.select().from(bookings).where(eq(bookings.unitId, units[0].id));
    expect(rows).toHaveLength(1);
  }, 60_000);

  it('expires a stale hold in the transaction that conflicts with it, and refuses confirming it', async () => {
    const { units } = await bookableFacility(db);
    const [first, second] = await somePeople(db, 2);
    const slot = { unitId: units[0].id, day: '2027-01-20', period: 'am', resident: true };
    const stale = await holdSlot(db, { ...slot, personId: first!, idempotencyKey: 'a' }, NOW);
    expect(await codeOf(holdSlot(db, { ...slot, personId: second!, idempotencyKey: 'b' }, minutes(29)))).toBe('BOOKING_SLOT_TAKEN');
    const fresh = await holdSlot(db, { ...slot, personId: second!, idempotencyKey: 'c' }, minutes(31));
    expect(fresh.state).toBe('held');
    const [old] = await db.select().from(bookings).where(eq(bookings.id, stale.id));
    expect(old!.state).toBe('expired');
    expect(await codeOf(confirmBooking(db, first!, stale.id, minutes(32)))).toBe('BOOKING_HOLD_EXPIRED');
  });

  it('refuses confirming a hold past its time even when nobody else wanted the slot', async () => {
    const { units } = await bookableFacility(db);
    const [person] = await somePeople(db, 1);
    const held = await holdSlot(db, { personId: person!, unitId: units[0].id, day: '2027-01-20', period: 'am', idempotencyKey: 'x', resident: true }, NOW);
    expect(await codeOf(confirmBooking(db, person!, held.id, minutes(31)))).toBe('BOOKING_HOLD_EXPIRED');
    const [row] = await db.select().from(bookings).where(eq(bookings.id, held.id));
    expect(row!.state).toBe('expired');
  });

  it("refuses another person's booking as not found", async () => {
    const { units } = await bookableFacility(db);
    const [owner, stranger] = await somePeople(db, 2);
    const held = await holdSlot(db, { personId: owner!, unitId: units[0].id, day: '2027-01-20', period: 'am', idempotencyKey: 'x', resident: true }, NOW);
    expect(await codeOf(confirmBooking(db, stranger!, held.id, NOW))).toBe('REQ_NOT_FOUND');
    expect(await codeOf(cancelBooking(db, stranger!, held.id, NOW))).toBe('REQ_NOT_FOUND');
  });
});

describe('the facility policy', () => {
  it('counts the monthly quota across units, and a cancelled booking gives its place back', async () => {
    const { units } = await bookableFacility(db, { monthlyQuota: 2 });
    const [person] = await somePeople(db, 1);
    const hold = (unit: number, day: string, key: string) =>
      holdSlot(db, { personId: person!, unitId: units[unit]!.id, day, period: 'am', idempotencyKey: key, resident: true }, NOW);
    const first = await hold(0, '2027-01-20', 'a');
    await hold(1, '2027-01-21', 'b');
    expect(await codeOf(hold(0, '2027-01-22', 'c'))).toBe('BOOKING_QUOTA_REACHED');
    expect(await codeOf(hold(0, '2027-02-22', 'd'))).toBe('ok'); // another month
    await cancelBooking(db, person!, first.id, NOW);
    expect(await codeOf(hold(0, '2027-01-22', 'e'))).toBe('ok');
  });

  it('holds the quota under concurrency: 6 different slots at once with a quota of 2 give 2', async () => {
    const { units } = await bookableFacility(db, { monthlyQuota: 2 });
    const [person] = await somePeople(db, 1);
    const codes = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      codeOf(holdSlot(db, { personId: person!, unitId: units[0].id, day: `2027-01-${10 + i}`, period: 'pm', idempotencyKey: `q${i}`, resident: true }, NOW))));
    expect(codes.filter((c) => c === 'ok')).toHaveLength(2);
    expect(codes.filter((c) => c === 'BOOKING_QUOTA_REACHED')).toHaveLength(4);
  });

  it('lets residents book further ahead than non-residents, never in the past, never on a blackout day', async () => {
    const { facility, units } = await bookableFacility(db);
    const [person] = await somePeople(db, 1);
    const hold = (day: string, resident: boolean, period = 'am') =>
      codeOf(holdSlot(db, { personId: person!, unitId: units[0].id, day, period, idempotencyKey: `${day}${resident}${period}`, resident }, NOW));
    expect(await hold('2027-02-20', false)).toBe('BOOKING_OUT_OF_HORIZON'); // 47 days ahead > 30
    expect(await hold('2027-02-20', true)).toBe('ok');
    expect(await hold('2027-03-20', true)).toBe('BOOKING_OUT_OF_HORIZON');
    expect(await hold('2027-01-04', true, 'am')).toBe('BOOKING_OUT_OF_HORIZON'); // 09:00 today has started
    expect(await hold('2027-01-04', true, 'pm')).toBe('ok');
    expect(await hold('2027-02-31', true)).toBe('REQ_INVALID');
    await db.insert(facilityBlackouts).values({ facilityId: facility.id, day: '2027-01-12', reason: '館内点検' });
    expect(await hold('2027-01-12', true)).toBe('BOOKING_SLOT_CLOSED');
    expect(await codeOf(holdSlot(db, { personId: person!, unitId: units[0].id, day: '2027-01-13', period: 'noon', idempotencyKey: 'p', resident: true }, NOW))).toBe('REQ_INVALID');
  });

  it('cancels a confirmed booking only until the deadline; a hold can always be released', async () => {
    const { units } = await bookableFacility(db, { cancelDeadlineDays: 3 });
    const [person] = await somePeople(db, 1);
    const book = async (day: string) => {
      const held = await holdSlot(db, { personId: person!, unitId: units[0].id, day, period: 'pm', idempotencyKey: day, resident: true }, NOW);
      return confirmBooking(db, person!, held.id, NOW);
    };
    expect(await codeOf(cancelBooking(db, person!, (await book('2027-01-07')).id, NOW))).toBe('ok'); // 3 days before
    expect(await codeOf(cancelBooking(db, person!, (await book('2027-01-06')).id, NOW))).toBe('BOOKING_CANCEL_TOO_LATE');
    const held = await holdSlot(db, { personId: person!, unitId: units[0].id, day: '2027-01-05', period: 'pm', idempotencyKey: 'h', resident: true }, NOW);
    expect(await codeOf(cancelBooking(db, person!, held.id, NOW))).toBe('ok');
  });
});

describe('waitlist and availability', () => {
  it('gives the first waiting resident a hold and a notice when the slot frees', async () => {
    const { units } = await bookableFacility(db);
    const [holder, firstWaiting, secondWaiting] = await somePeople(db, 3);
    const slot = { unitId: units[0].id, day: '2027-01-20', period: 'am' };
    const held = await holdSlot(db, { ...slot, personId: holder!, idempotencyKey: 'a', resident: true }, NOW);
    await joinWaitlist(db, firstWaiting!, slot, true, NOW);
    await joinWaitlist(db, secondWaiting!, slot, true, NOW);
    await joinWaitlist(db, firstWaiting!, slot, true, NOW); // twice is one place
    await cancelBooking(db, holder!, held.id, minutes(5));
    const offered = await db.select().from(bookings).where(eq(bookings.personId, firstWaiting!));
    expect(offered.map((b) => [b.state, b.source])).toEqual([['held', 'waitlist']]);
    expect((await db.select().from(bookings).where(eq(bookings.personId, secondWaiting!)))).toHaveLength(0);
    const [notice] = await db.select().from(bookingNotices).where(eq(bookingNotices.personId, firstWaiting!));
    expect(notice!.kind).toBe('waitlist_offer');
    expect(notice!.bookingId).toBe(offered[0]!.id);
    // The date as the receipts write it, not the ISO form.
    expect(notice!.text).toContain('1月20日（水） 午前（09:00–12:00）');
    expect(notice!.text).not.toContain('2027-01-20');
  });

  it('skips a waiter who reached the monthly quota meanwhile (told why, still waiting): the next one gets the hold', async () => {
    const { units } = await bookableFacility(db, { monthlyQuota: 1 });
    const [holder, firstWaiting, secondWaiting] = await somePeople(db, 3);
    const slot = { unitId: units[0].id, day: '2027-01-20', period: 'am' };
    const held = await holdSlot(db, { ...slot, personId: holder!, idempotencyKey: 'a', resident: true }, NOW);
    await joinWaitlist(db, firstWaiting!, slot, true, NOW);
    await joinWaitlist(db, secondWaiting!, slot, true, NOW);
    // The first in line books another slot of that month meanwhile: their one booking of January.
    await holdSlot(db, { unitId: units[1].id, day: '2027-01-25', period: 'pm', personId: firstWaiting!, idempotencyKey: 'b', resident: true }, NOW);
    await cancelBooking(db, holder!, held.id, minutes(5));
    const of = async (person: string) => (await db.select().from(bookings).where(eq(bookings.personId, person))).map((b) => [b.unitId, b.day, b.source, b.state]);
    expect(await of(firstWaiting!)).toEqual([[units[1].id, '2027-01-25', 'resident', 'held']]);
    expect(await of(secondWaiting!)).toEqual([[units[0].id, '2027-01-20', 'waitlist', 'held']]);
    expect((await db.select().from(bookingWaitlist).where(eq(bookingWaitlist.personId, firstWaiting!))).map((w) => w.state)).toEqual(['waiting']);
    const [told] = await db.select().from(bookingNotices).where(eq(bookingNotices.personId, firstWaiting!));
    expect([told!.kind, told!.bookingId]).toEqual(['waitlist_skipped', null]);
    expect(told!.text).toContain('1月20日（水） 午前（09:00–12:00）');
    expect(told!.text).toContain('上限（1回）');
    // A person at the quota cannot join a waitlist of that month: the wait could never become a hold.
    expect(await codeOf(joinWaitlist(db, firstWaiting!, { ...slot, period: 'pm' }, true, NOW))).toBe('BOOKING_QUOTA_REACHED');
  });

  it('a hold that runs out with nobody touching the slot goes to its first waiter at the sweep (the grid shows it free by then)', async () => {
    const { units } = await bookableFacility(db);
    const [holder, waiter] = await somePeople(db, 2);
    const slot = { unitId: units[0].id, day: '2027-01-21', period: 'night' };
    const held = await holdSlot(db, { ...slot, personId: holder!, idempotencyKey: 'lapse', resident: true }, NOW);
    await joinWaitlist(db, waiter!, slot, true, NOW);
    const of = async (person: string) => (await db.select().from(bookings).where(eq(bookings.personId, person))).map((b) => [b.source, b.state]);
    expect(await offerLapsedHolds(db, minutes(29))).toBe(0); // still running
    expect(await of(waiter!)).toEqual([]);
    expect(await offerLapsedHolds(db, minutes(31))).toBe(1);
    expect(await of(waiter!)).toEqual([['waitlist', 'held']]);
    expect(await of(holder!)).toEqual([['resident', 'expired']]);
    expect((await db.select().from(bookingNotices).where(eq(bookingNotices.personId, waiter!))).map((n) => [n.kind, n.bookingId])).toEqual([['waitlist_offer', expect.any(String)]]);
    expect(await offerLapsedHolds(db, minutes(32))).toBe(0); // nothing twice
    expect(held.state).toBe('held');
  });

  it('shows free, taken and closed without personal data; an expired hold is free again', async () => {
    const { facility, units } = await bookableFacility(db);
    const [person] = await somePeople(db, 1);
    await holdSlot(db, { personId: person!, unitId: units[0].id, day: '2027-01-05', period: 'pm', idempotencyKey: 'a', resident: true }, NOW);
    await db.insert(facilityBlackouts).values({ facilityId: facility.id, day: '2027-01-06', reason: '休館日' });
    const grid = await weekGrid(db, facility.id, '2027-01-04', 7, { resident: true }, minutes(1));
    const state = (unit: number, day: string, period: string) => grid.units[unit]!.slots.find((s) => s.day === day && s.period === period)!.state;
    expect(state(0, '2027-01-05', 'pm')).toBe('taken');
    expect(state(1, '2027-01-05', 'pm')).toBe('free');
    expect(state(0, '2027-01-06', 'night')).toBe('closed');
    expect(state(0, '2027-01-04', 'am')).toBe('closed');
    expect(JSON.stringify(grid)).not.toContain(person!);
    const later = await weekGrid(db, facility.id, '2027-01-04', 7, { resident: true }, minutes(31));
    expect(later.units[0]!.slots.find((s) => s.day === '2027-01-05' && s.period === 'pm')!.state).toBe('free');
  });
});
