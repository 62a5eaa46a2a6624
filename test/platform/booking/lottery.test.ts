import { and, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { confirmBooking, holdSlot } from '../../../platform/src/booking/bookings.js';
import { draw, entrantsHash, type Entrant } from '../../../platform/src/booking/draw.js';
import { applyToRound, closeRound, drawRound, openRound, replayRound } from '../../../platform/src/booking/lottery.js';
import { bookingNotices, bookings, facilityBlackouts, lotteryApplications, lotteryRounds } from '../../../platform/src/booking/schema.js';
import { auditLog } from '../../../platform/src/db/schema/index.js';
import { AppError } from '../../../platform/src/shared/errors.js';
import { bookableFacility, NOW, somePeople } from '../../helpers/booking.js';
import { freshDatabase } from '../../helpers/database.js';

const database = await freshDatabase();
const { db } = database;
afterAll(() => database.close());
const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.code : String(e)));
const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000);

describe('the draw itself', () => {
  const u = '00000000-0000-4000-8000-00000000000a';
  const entrants: Entrant[] = Array.from({ length: 30 }, (_, i) => ({
    personId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    choices: [{ unitId: u, day: '2027-03-06', period: 'am' }, { unitId: u, day: '2027-03-06', period: String(i % 3) }],
  }));

  it('is the same for the same seed and list whatever the list order, and differs for another seed', () => {
    const a = draw('seed-1', entrants);
    expect(draw('seed-1', [...entrants].reverse())).toEqual(a);
    expect(draw('seed-2', entrants)).not.toEqual(a);
    expect(entrantsHash([...entrants].reverse())).toBe(entrantsHash(entrants));
    expect(entrantsHash(entrants.slice(1))).not.toBe(entrantsHash(entrants));
  });

  it('gives each slot once and each entrant at most one win, first choices before second', () => {
    const wins = draw('seed-1', entrants);
    expect(new Set(wins.map((w) => `${w.choice.day}${w.choice.period}`)).size).toBe(wins.length);
    expect(new Set(wins.map((w) => w.personId)).size).toBe(wins.length);
    expect(wins.filter((w) => w.rank === 0)).toHaveLength(1);
    expect(wins).toHaveLength(4); // am, then '0', '1', '2'
  });
});

describe('a lottery round', () => {
  it('runs from applications to confirmed winners; losers are told; leftovers are first-come; a re-run gives the same result', async () => {
    const { facility, units } = await bookableFacility(db, { lottery: { applyFrom: 1, applyUntil: 10, monthsAhead: 2, confirmDays: 7 } });
    const people = await somePeople(db, 5);
    const round = await openRound(db, facility.id, '2027-02', days(5), 'staff:test');
    expect(round.seed).toMatch(/^[0-9a-f]{64}$/);
    const want = (day: string, period = 'am') => ({ unitId: units[0].id, day, period });
    for (const p of people) await applyToRound(db, p, round.id, [want('2027-02-06'), want('2027-02-07')], days(1));
    await applyToRound(db, people[0]!, round.id, [want('2027-02-06'), want('2027-02-13')], days(2)); // replaces, not adds
    expect(await db.select().from(lotteryApplications).where(eq(lotteryApplications.roundId, round.id))).toHaveLength(5);
    expect(await codeOf(applyToRound(db, people[0]!, round.id, [want('2027-03-06')], days(2)))).toBe('REQ_INVALID');
    expect(await codeOf(applyToRound(db, people[0]!, round.id, [want('2027-02-06')], days(5)))).toBe('BOOKING_LOTTERY_CLOSED');

    const result = await drawRound(db, round.id, 'staff:test', days(5));
    expect(result.wins.length).toBeGreaterThanOrEqual(2);
    expect(await codeOf(drawRound(db, round.id, 'staff:test', days(5)))).toBe('BOOKING_LOTTERY_DRAWN');
    expect(await codeOf(applyToRound(db, people[1]!, round.id, [want('2027-02-06')], days(1)))).toBe('BOOKING_LOTTERY_DRAWN');
    const [drawn] = await db.select().from(lotteryRounds).where(eq(lotteryRounds.id, round.id));
    expect(drawn!.entrantsHash).toBe(result.entrantsHash);

    const held = await db.select().from(bookings).where(eq(bookings.source, 'lottery'));
    expect(held.filter((b) => b.facilityId === facility.id)).toHaveLength(result.wins.length);
    for (const h of held.filter((b) => b.facilityId === facility.id)) {
      expect(h.holdExpiresAt).toEqual(days(12));
      expect((await confirmBooking(db, h.personId!, h.id, days(6))).state).toBe('confirmed');
    }
    const notices = await db.select().from(bookingNotices);
    const winners = new Set(result.wins.map((w) => w.personId));
    for (const p of people) expect(notices.find((n) => n.personId === p && n.kind.startsWith('lottery'))!.kind).toBe(winners.has(p) ? 'lottery_won' : 'lottery_lost');
    // Dates and months as the receipts write them (2月6日（土）, 2027年2月), never 2027-02-06.
    const lotteryTexts = notices.filter((n) => people.includes(n.personId) && n.kind.startsWith('lottery'));
    for (const n of lotteryTexts) expect(n.text).not.toMatch(/\d{4}-\d{2}/);
    for (const n of lotteryTexts.filter((x) => x.kind === 'lottery_won')) expect(n.text).toMatch(/ 第1室 2月\d+日（[日月火水木金土]） 午前（09:00–12:00）/);
    for (const n of lotteryTexts.filter((x) => x.kind === 'lottery_lost')) expect(n.text).toContain(' 2027年2月 ');

    // A slot nobody won is first-come now.
    const [anyone] = await somePeople(db, 1);
    expect(await codeOf(holdSlot(db, { personId: anyone!, unitId: units[1].id, day: '2027-02-06', period: 'am', idempotencyKey: 'fc', resident: true }, days(6)))).toBe('ok');

    const replay = await replayRound(db, round.id);
    expect(replay).toEqual({ entrantsHash: result.entrantsHash, listUnchanged: true, wins: result.wins, matchesHolds: true });
    const audit = await db.select().from(auditLog).where(eq(auditLog.subject, round.id));
    expect(audit.map((a) => a.action).sort()).toEqual(['booking.lottery.draw', 'booking.lottery.open']);
  });

  it('a day closed after the applications (a 休館日 added later) is won by nobody: no hold on a closed day, the entrant is told they lost', async () => {
    const { facility, units } = await bookableFacility(db);
    const [person] = await somePeople(db, 1);
    const round = await openRound(db, facility.id, '2027-02', days(5), 'staff:test');
    await applyToRound(db, person!, round.id, [{ unitId: units[0].id, day: '2027-02-09', period: 'am' }], days(1));
    await db.insert(facilityBlackouts).values({ facilityId: facility.id, day: '2027-02-09', reason: '臨時休館' });
    await drawRound(db, round.id, 'staff:test', days(5));
    expect(await db.select().from(bookings).where(eq(bookings.personId, person!))).toEqual([]);
    expect((await db.select().from(bookingNotices).where(eq(bookingNotices.personId, person!))).map((n) => n.kind)).toEqual(['lottery_lost']);
  });

  it('refuses a draw while the round still takes applications; closing it early lets the draw run', async () => {
    const { facility, units } = await bookableFacility(db);
    const people = await somePeople(db, 2);
    const round = await openRound(db, facility.id, '2027-02', days(5), 'staff:test');
    await applyToRound(db, people[0]!, round.id, [{ unitId: units[0].id, day: '2027-02-06', period: 'pm' }], days(1));
    expect(await codeOf(drawRound(db, round.id, 'staff:test', days(2)))).toBe('BOOKING_LOTTERY_STILL_OPEN');
    expect((await db.select().from(lotteryRounds).where(eq(lotteryRounds.id, round.id)))[0]!.drawnAt).toBeNull();
    // Still open: a late applicant gets in.
    await applyToRound(db, people[1]!, round.id, [{ unitId: units[1].id, day: '2027-02-06', period: 'pm' }], days(2));

    const closed = await closeRound(db, round.id, 'staff:test', days(3));
    expect(closed.applyUntil).toEqual(days(3));
    expect(await codeOf(applyToRound(db, people[0]!, round.id, [{ unitId: units[0].id, day: '2027-02-07', period: 'pm' }], days(3)))).toBe('BOOKING_LOTTERY_CLOSED');
    expect((await closeRound(db, round.id, 'staff:test', days(4))).applyUntil).toEqual(days(3)); // closing again changes nothing
    expect((await drawRound(db, round.id, 'staff:test', days(3))).wins).toHaveLength(2);
    expect(await codeOf(closeRound(db, round.id, 'staff:test', days(4)))).toBe('BOOKING_LOTTERY_DRAWN');
    const audit = await db.select().from(auditLog).where(eq(auditLog.subject, round.id));
    expect(audit.map((a) => a.action).sort()).toEqual(['booking.lottery.close', 'booking.lottery.draw', 'booking.lottery.open']);
  });

  it('passes a win its entrant cannot hold under the monthly quota to the next in the draw\'s order, tells that entrant why, and re-runs to the same result', async () => {
    const { facility, units } = await bookableFacility(db, { monthlyQuota: 1 });
    const people = await somePeople(db, 3);
    const round = await openRound(db, facility.id, '2027-02', days(5), 'staff:test');
    const slot = { unitId: units[0].id, day: '2027-02-06', period: 'am' };
    for (const p of people) await applyToRound(db, p, round.id, [slot], days(1));
    // The first in the draw's order already holds the month's one booking at this facility.
    const line = draw(round.seed, people.map((personId) => ({ personId, choices: [slot] })));
    const first = line[0]!.personId;
    await holdSlot(db, { personId: first, unitId: units[1].id, day: '2027-02-20', period: 'pm', idempotencyKey: 'own', resident: true }, days(5));

    const result = await drawRound(db, round.id, 'staff:test', days(5));
    expect(result.wins.map((w) => w.personId)).not.toContain(first);
    const [winner] = result.wins;
    const held = await db.select().from(bookings).where(and(eq(bookings.facilityId, facility.id), eq(bookings.source, 'lottery')));
    expect(held.map((b) => [b.personId, b.unitId, b.day, b.period])).toEqual([[winner!.personId, slot.unitId, slot.day, slot.period]]);
    const told = await db.select().from(bookingNotices).where(eq(bookingNotices.personId, first));
    expect(told.map((n) => n.kind)).toEqual(['lottery_skipped']);
    expect(told[0]!.text).toContain('上限（1回）');
    expect(told[0]!.text).not.toMatch(/\d{4}-\d{2}/);
    // The entrant at the quota is not who the draw saw first any more; the re-run says so from what the draw recorded.
    await db.delete(bookings).where(and(eq(bookings.personId, first), eq(bookings.source, 'resident')));
    const replay = await replayRound(db, round.id);
    expect([replay.listUnchanged, replay.matchesHolds, replay.wins]).toEqual([true, true, result.wins]);
  });

  it('a re-run after a win nobody could have (a 休館日 added later) reports the same result', async () => {
    const { facility, units } = await bookableFacility(db);
    const people = await somePeople(db, 2);
    const round = await openRound(db, facility.id, '2027-02', days(5), 'staff:test');
    await applyToRound(db, people[0]!, round.id, [{ unitId: units[0].id, day: '2027-02-09', period: 'am' }], days(1));
    await applyToRound(db, people[1]!, round.id, [{ unitId: units[0].id, day: '2027-02-10', period: 'am' }], days(1));
    await db.insert(facilityBlackouts).values({ facilityId: facility.id, day: '2027-02-09', reason: '臨時休館' });
    await drawRound(db, round.id, 'staff:test', days(5));
    expect(await db.select().from(bookings).where(eq(bookings.personId, people[1]!))).toHaveLength(1);
    expect((await replayRound(db, round.id)).matchesHolds).toBe(true);
  });

  it('notices a changed entrant list on re-run', async () => {
    const { facility, units } = await bookableFacility(db);
    const people = await somePeople(db, 3);
    const round = await openRound(db, facility.id, '2027-02', days(5), 'staff:test');
    for (const p of people) await applyToRound(db, p, round.id, [{ unitId: units[0].id, day: '2027-02-06', period: 'pm' }], days(1));
    await drawRound(db, round.id, 'staff:test', days(5));
    await db.delete(lotteryApplications).where(eq(lotteryApplications.personId, people[0]!));
    expect((await replayRound(db, round.id)).listUnchanged).toBe(false);
  });
});
