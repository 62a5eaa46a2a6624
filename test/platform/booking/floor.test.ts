import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { adminBook, boardOf } from '../../../platform/src/booking/admin.js';
import { weekGrid } from '../../../platform/src/booking/availability.js';
import { cancelBooking, confirmBooking, holdSlot, joinWaitlist } from '../../../platform/src/booking/bookings.js';
import { applyToRound, drawRound, openRound, replayRound } from '../../../platform/src/booking/lottery.js';
import { bookingNotices, bookings, bookingWaitlist } from '../../../platform/src/booking/schema.js';
import { AppError } from '../../../platform/src/shared/errors.js';
import { NOW, somePeople, splitGym } from '../../helpers/booking.js';
import { freshDatabase } from '../../helpers/database.js';

/** 全面 (whole floor) and A面/B面 (its halves): one booking of the floor blocks every unit sharing it. */
const database = await freshDatabase();
const { db } = database;
afterAll(() => database.close());
const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.code : String(e)));
const sqlstateOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string; cause?: { code?: string } }) => e.cause?.code ?? e.code);
const slot = { day: '2027-01-20', period: 'pm', resident: true };

async function insertRaw(unitId: string, facilityId: string, key: string) {
  await db.execute(sql`insert into bookings (facility_id, unit_id, day, period, during, state, requested_by, idempotency_key, source)
    values (${facilityId}, ${unitId}, '2027-01-10', 'am', '[2027-01-10T09:00+09,2027-01-10T12:00+09)'::tstzrange, 'held', ${`test:${facilityId}`}, ${key}, 'admin')`);
}

describe('units sharing floor', () => {
  it('the database itself refuses a half over the whole and the whole over a half, rows inserted directly', async () => {
    const gym = await splitGym(db);
    await insertRaw(gym.whole.id, gym.facility.id, 'whole');
    expect(await sqlstateOf(insertRaw(gym.halves[0].id, gym.facility.id, 'a'))).toBe('23P01');
    const other = await splitGym(db);
    await insertRaw(other.halves[1].id, other.facility.id, 'b');
    expect(await sqlstateOf(insertRaw(other.whole.id, other.facility.id, 'whole'))).toBe('23P01');
    expect(await sqlstateOf(insertRaw(other.halves[0].id, other.facility.id, 'a'))).toBe('ok');
  });

  it('whole booked: either half is refused with BOOKING_SLOT_TAKEN; the grid and the board show the halves taken', async () => {
    const gym = await splitGym(db);
    const [p, q] = await somePeople(db, 2);
    await holdSlot(db, { ...slot, personId: p!, unitId: gym.whole.id, idempotencyKey: 'w' }, NOW);
    expect(await codeOf(holdSlot(db, { ...slot, personId: q!, unitId: gym.halves[0].id, idempotencyKey: 'a' }, NOW))).toBe('BOOKING_SLOT_TAKEN');
    expect(await codeOf(holdSlot(db, { ...slot, personId: q!, unitId: gym.halves[1].id, idempotencyKey: 'b' }, NOW))).toBe('BOOKING_SLOT_TAKEN');
    const grid = await weekGrid(db, gym.facility.id, '2027-01-18', 7, { resident: true }, NOW);
    const state = (unitId: string, period: string) => grid.units.find((u) => u.id === unitId)!.slots.find((s) => s.day === slot.day && s.period === period)!.state;
    expect([state(gym.whole.id, 'pm'), state(gym.halves[0].id, 'pm'), state(gym.halves[1].id, 'pm')]).toEqual(['taken', 'taken', 'taken']);
    expect(state(gym.halves[0].id, 'am')).toBe('free');
    const board = await boardOf(db, { staffId: 'x', organisationId: gym.organisation.id }, '2027-01-18', 7);
    const units = board.facilities[0]!.units;
    expect(units.find((u) => u.id === gym.whole.id)!.sharesFloorWith.sort()).toEqual([gym.halves[0].id, gym.halves[1].id].sort());
    expect(units.find((u) => u.id === gym.halves[0].id)!.sharesFloorWith).toEqual([gym.whole.id]);
  });

  it('half booked: the whole is refused and shown taken, the other half stays free and bookable', async () => {
    const gym = await splitGym(db);
    const [p, q, r] = await somePeople(db, 3);
    await holdSlot(db, { ...slot, personId: p!, unitId: gym.halves[0].id, idempotencyKey: 'a' }, NOW);
    expect(await codeOf(holdSlot(db, { ...slot, personId: q!, unitId: gym.whole.id, idempotencyKey: 'w' }, NOW))).toBe('BOOKING_SLOT_TAKEN');
    const grid = await weekGrid(db, gym.facility.id, '2027-01-18', 7, { resident: true }, NOW);
    const state = (unitId: string) => grid.units.find((u) => u.id === unitId)!.slots.find((s) => s.day === slot.day && s.period === slot.period)!.state;
    expect([state(gym.whole.id), state(gym.halves[0].id), state(gym.halves[1].id)]).toEqual(['taken', 'taken', 'free']);
    expect(await codeOf(holdSlot(db, { ...slot, personId: r!, unitId: gym.halves[1].id, idempotencyKey: 'b' }, NOW))).toBe('ok');
  });

  it('a stale hold on a half is expired by a hold of the whole', async () => {
    const gym = await splitGym(db);
    const [p, q] = await somePeople(db, 2);
    const stale = await holdSlot(db, { ...slot, personId: p!, unitId: gym.halves[1].id, idempotencyKey: 'b' }, NOW);
    const later = new Date(NOW.getTime() + 31 * 60_000);
    expect((await holdSlot(db, { ...slot, personId: q!, unitId: gym.whole.id, idempotencyKey: 'w' }, later)).state).toBe('held');
    expect((await db.select().from(bookings).where(eq(bookings.id, stale.id)))[0]!.state).toBe('expired');
  });

  it('200 people at once on the whole and one half: exactly one wins, the rest get BOOKING_SLOT_TAKEN', async () => {
    const gym = await splitGym(db);
    const people = await somePeople(db, 200);
    const units = [gym.whole.id, gym.halves[0].id];
    const codes = await Promise.all(people.map((personId, i) =>
      codeOf(holdSlot(db, { ...slot, personId, unitId: units[i % 2]!, idempotencyKey: `race-${i}` }, NOW))));
    expect(codes.filter((c) => c === 'ok')).toHaveLength(1);
    expect(codes.filter((c) => c === 'BOOKING_SLOT_TAKEN')).toHaveLength(199);
    const live = await db.select().from(bookings).where(inArray(bookings.unitId, [gym.whole.id, ...gym.halves.map((h) => h.id)]));
    expect(live).toHaveLength(1);
  }, 120_000);

  it('a city booking of the whole overrides residents on either half', async () => {
    const gym = await splitGym(db);
    const [p] = await somePeople(db, 1);
    const held = await holdSlot(db, { ...slot, personId: p!, unitId: gym.halves[0].id, idempotencyKey: 'a' }, NOW);
    const { overridden } = await adminBook(db, { staffId: 's', organisationId: gym.organisation.id },
      { facilityId: gym.facility.id, unitId: gym.whole.id, day: slot.day, period: slot.period, note: '市民大会', idempotencyKey: 'admin-floor-1' }, NOW);
    expect(overridden).toBe(1);
    expect((await db.select().from(bookings).where(eq(bookings.id, held.id)))[0]!.state).toBe('overridden');
  });

  it('the lottery gives the whole and a half of one slot to one entrant only, and re-runs to the same result', async () => {
    const gym = await splitGym(db, { lottery: { applyFrom: 1, applyUntil: 10, monthsAhead: 2, confirmDays: 7 } });
    const round = await openRound(db, gym.facility.id, '2027-03', new Date(NOW.getTime() + 86_400_000), 'staff:s');
    const people = await somePeople(db, 6);
    const day = '2027-03-06';
    for (const [i, personId] of people.entries()) {
      const first = [gym.whole.id, gym.halves[0].id, gym.halves[1].id][i % 3]!;
      await applyToRound(db, personId, round.id, [{ unitId: first, day, period: 'am' }, { unitId: gym.halves[(i + 1) % 2]!.id, day, period: 'pm' }], NOW);
    }
    const { wins } = await drawRound(db, round.id, 'staff:s', new Date(NOW.getTime() + 2 * 86_400_000));
    for (const period of ['am', 'pm']) {
      const units = wins.filter((w) => w.choice.period === period).map((w) => w.choice.unitId);
      if (units.includes(gym.whole.id)) expect(units).toEqual([gym.whole.id]);
      expect(new Set(units).size).toBe(units.length);
    }
    expect(wins.filter((w) => w.choice.period === 'am')).not.toHaveLength(0);
    const held = await db.select().from(bookings).where(inArray(bookings.unitId, [gym.whole.id, ...gym.halves.map((h) => h.id)]));
    expect(held).toHaveLength(wins.length);
    expect((await replayRound(db, round.id)).matchesHolds).toBe(true);
  });
});

describe('the waitlist across shared floor', () => {
  const hold = (personId: string, unitId: string, key: string, at = NOW) => holdSlot(db, { ...slot, personId, unitId, idempotencyKey: key }, at);
  const wait = (personId: string, unitId: string) => joinWaitlist(db, personId, { unitId, day: slot.day, period: slot.period }, true, NOW);
  /** What each person holds now from the waitlist ([unit] or []), and whether they still wait. */
  const offers = async (personId: string) => (await db.select().from(bookings).where(eq(bookings.personId, personId)))
    .filter((b) => b.source === 'waitlist' && b.state === 'held').map((b) => b.unitId);
  const waiting = async (personId: string) => (await db.select().from(bookingWaitlist).where(eq(bookingWaitlist.personId, personId))).map((w) => w.state);

  it('the whole freed: people waiting on either half each get a hold and a notice', async () => {
    const gym = await splitGym(db);
    const [holder, onA, onB] = await somePeople(db, 3);
    const held = await hold(holder!, gym.whole.id, 'w');
    await wait(onA!, gym.halves[0].id);
    await wait(onB!, gym.halves[1].id);
    await cancelBooking(db, holder!, held.id, NOW);
    expect(await offers(onA!)).toEqual([gym.halves[0].id]);
    expect(await offers(onB!)).toEqual([gym.halves[1].id]);
    for (const person of [onA!, onB!]) {
      const notices = await db.select().from(bookingNotices).where(eq(bookingNotices.personId, person));
      expect(notices.map((n) => n.kind)).toEqual(['waitlist_offer']);
    }
    const [notice] = await db.select().from(bookingNotices).where(eq(bookingNotices.personId, onA!));
    expect(notice!.text).toContain(`${gym.facility.name} A面 1月20日（水） 午後（13:00–17:00）`); // which half, and the date as receipts write it
  });

  it('a half freed while the other half is free: the person waiting on the whole gets it', async () => {
    const gym = await splitGym(db);
    const [holder, onWhole] = await somePeople(db, 2);
    const held = await hold(holder!, gym.halves[0].id, 'a');
    await wait(onWhole!, gym.whole.id);
    await cancelBooking(db, holder!, held.id, NOW);
    expect(await offers(onWhole!)).toEqual([gym.whole.id]);
    expect(await waiting(onWhole!)).toEqual(['offered']);
  });

  it('a half freed while the other half is held: the whole cannot be given, its waiter keeps waiting, the next waiter gets the half', async () => {
    const gym = await splitGym(db);
    const [holderA, holderB, onWhole, onA] = await somePeople(db, 4);
    const heldA = await hold(holderA!, gym.halves[0].id, 'a');
    await hold(holderB!, gym.halves[1].id, 'b');
    await wait(onWhole!, gym.whole.id); // first in line, but B面 stays taken
    await wait(onA!, gym.halves[0].id);
    await cancelBooking(db, holderA!, heldA.id, NOW);
    expect(await offers(onWhole!)).toEqual([]);
    expect(await waiting(onWhole!)).toEqual(['waiting']);
    expect(await offers(onA!)).toEqual([gym.halves[0].id]);
    expect(await db.select().from(bookingNotices).where(eq(bookingNotices.personId, onWhole!))).toHaveLength(0);
  });

  it('both halves cancelled one after the other: the person waiting on the whole gets it when the second frees', async () => {
    const gym = await splitGym(db);
    const [holderA, holderB, onWhole] = await somePeople(db, 3);
    const bookedA = await confirmBooking(db, holderA!, (await hold(holderA!, gym.halves[0].id, 'a')).id, NOW);
    const bookedB = await confirmBooking(db, holderB!, (await hold(holderB!, gym.halves[1].id, 'b')).id, NOW);
    const wholeState = async () => (await weekGrid(db, gym.facility.id, slot.day, 1, { resident: true }, NOW)).units.find((u) => u.id === gym.whole.id)!.slots.find((x) => x.period === slot.period)!.state;
    expect(await wholeState()).toBe('taken');
    await wait(onWhole!, gym.whole.id);
    await cancelBooking(db, holderA!, bookedA.id, NOW);
    expect(await wholeState()).toBe('taken'); // B面 still booked: no offer yet
    expect([await offers(onWhole!), await waiting(onWhole!)]).toEqual([[], ['waiting']]);
    await cancelBooking(db, holderB!, bookedB.id, NOW);
    expect([await offers(onWhole!), await waiting(onWhole!)]).toEqual([[gym.whole.id], ['offered']]);
    const [notice] = await db.select().from(bookingNotices).where(eq(bookingNotices.personId, onWhole!));
    expect(notice!.text).toContain(`${gym.facility.name} 全面 1月20日（水） 午後（13:00–17:00）`);
  });

  it('waits only where the grid shows taken: the whole over a held half, not the free half, not a hold that ran out', async () => {
    const gym = await splitGym(db);
    const [holder, waiter] = await somePeople(db, 2);
    await hold(holder!, gym.halves[0].id, 'a');
    expect(await codeOf(wait(waiter!, gym.whole.id))).toBe('ok');
    expect(await codeOf(wait(waiter!, gym.halves[0].id))).toBe('ok');
    expect(await codeOf(wait(waiter!, gym.halves[1].id))).toBe('BOOKING_SLOT_FREE');
    const late = new Date(NOW.getTime() + 31 * 60_000); // A面's hold ran out: the grid shows it free, and so does the waitlist
    const grid = await weekGrid(db, gym.facility.id, slot.day, 1, { resident: true }, late);
    expect(grid.units.find((u) => u.id === gym.halves[0].id)!.slots.find((x) => x.period === slot.period)!.state).toBe('free');
    expect(await codeOf(joinWaitlist(db, waiter!, { unitId: gym.halves[0].id, day: slot.day, period: slot.period }, true, late))).toBe('BOOKING_SLOT_FREE');
  });

  it('first come first: the earliest wait for the whole beats later waits on the halves, who keep waiting', async () => {
    const gym = await splitGym(db);
    const [holder, onA, onWhole, onB] = await somePeople(db, 4);
    const held = await hold(holder!, gym.whole.id, 'w');
    await wait(onWhole!, gym.whole.id);
    await wait(onA!, gym.halves[0].id);
    await wait(onB!, gym.halves[1].id);
    await cancelBooking(db, holder!, held.id, NOW);
    expect([await offers(onWhole!), await offers(onA!), await offers(onB!)]).toEqual([[gym.whole.id], [], []]);
    expect([await waiting(onA!), await waiting(onB!)]).toEqual([['waiting'], ['waiting']]);
  });

  it('the earliest wait on a half beats a later wait for the whole; the other half goes to its own waiter', async () => {
    const gym = await splitGym(db);
    const [holder, onA, onWhole, onB] = await somePeople(db, 4);
    const held = await hold(holder!, gym.whole.id, 'w');
    await wait(onA!, gym.halves[0].id);
    await wait(onWhole!, gym.whole.id);
    await wait(onB!, gym.halves[1].id);
    await cancelBooking(db, holder!, held.id, NOW);
    expect([await offers(onA!), await offers(onWhole!), await offers(onB!)]).toEqual([[gym.halves[0].id], [], [gym.halves[1].id]]);
  });

  it('a lapsed hold on the other half does not keep the whole from its waiter: it is expired there and then', async () => {
    const gym = await splitGym(db);
    const [holderA, lapsedB, onWhole] = await somePeople(db, 3);
    const heldA = await confirmBooking(db, holderA!, (await hold(holderA!, gym.halves[0].id, 'a')).id, NOW);
    const stale = await hold(lapsedB!, gym.halves[1].id, 'b');
    await wait(onWhole!, gym.whole.id);
    await cancelBooking(db, holderA!, heldA.id, new Date(NOW.getTime() + 31 * 60_000)); // B面's hold ran out a minute ago
    expect(await offers(onWhole!)).toEqual([gym.whole.id]);
    expect((await db.select().from(bookings).where(eq(bookings.id, stale.id)))[0]!.state).toBe('expired');
  });

  it('a lapsed hold expired that way goes first to an earlier wait on its own half', async () => {
    const gym = await splitGym(db);
    const [holderA, lapsedB, onB, onWhole] = await somePeople(db, 4);
    const heldA = await confirmBooking(db, holderA!, (await hold(holderA!, gym.halves[0].id, 'a')).id, NOW);
    await hold(lapsedB!, gym.halves[1].id, 'b');
    await wait(onB!, gym.halves[1].id);
    await wait(onWhole!, gym.whole.id);
    await cancelBooking(db, holderA!, heldA.id, new Date(NOW.getTime() + 31 * 60_000));
    expect([await offers(onB!), await offers(onWhole!)]).toEqual([[gym.halves[1].id], []]);
  });

  it('a hold of the whole that ran out goes to the people waiting on the halves', async () => {
    const gym = await splitGym(db);
    const [holder, onA] = await somePeople(db, 2);
    const held = await hold(holder!, gym.whole.id, 'w');
    await wait(onA!, gym.halves[0].id);
    const late = new Date(NOW.getTime() + 31 * 60_000);
    expect(await codeOf(confirmBooking(db, holder!, held.id, late))).toBe('BOOKING_HOLD_EXPIRED');
    expect(await offers(onA!)).toEqual([gym.halves[0].id]);
  });

  it('a city booking of one half over a resident\'s whole: the other half goes to its waiter, the booked half to nobody', async () => {
    const gym = await splitGym(db);
    const [holder, onA, onB] = await somePeople(db, 3);
    await confirmBooking(db, holder!, (await hold(holder!, gym.whole.id, 'w')).id, NOW);
    await wait(onA!, gym.halves[0].id);
    await wait(onB!, gym.halves[1].id);
    await adminBook(db, { staffId: 's', organisationId: gym.organisation.id },
      { facilityId: gym.facility.id, unitId: gym.halves[0].id, day: slot.day, period: slot.period, note: '市民大会', idempotencyKey: 'admin-floor-wait' }, NOW);
    expect([await offers(onA!), await offers(onB!)]).toEqual([[], [gym.halves[1].id]]);
    expect(await waiting(onA!)).toEqual(['waiting']);
  });
});
