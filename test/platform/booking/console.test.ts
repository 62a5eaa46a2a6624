import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { weekdaysBetween } from '../../../platform/src/booking/admin.js';
import { weekGrid } from '../../../platform/src/booking/availability.js';
import { applyToRound } from '../../../platform/src/booking/lottery.js';
import { bookingInboxItems } from '../../../platform/src/booking/notices.js';
import { confirmBooking, cancelBooking, holdSlot } from '../../../platform/src/booking/bookings.js';
import { bookingNotices, bookings, facilityBlackouts, facilityPolicies } from '../../../platform/src/booking/schema.js';
import { auditLog } from '../../../platform/src/db/schema/index.js';
import { buildTestApp } from '../../helpers/app.js';
import { bookableFacilityIn, somePeople } from '../../helpers/booking.js';
import { orgId, staffWithSession } from '../../helpers/staff.js';

// Issue 16, the console side: a facilities officer opens a lottery round, draws it from the
// published seed, re-runs it to the same result; changes a policy; and a resident's confirm and
// cancel are in the audit log for the municipality.

const { app, database } = await buildTestApp({}, { demo: true });
const { db } = database;
const P = '/api/v1/console/booking';
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000 + 9 * 3_600_000).toISOString().slice(0, 10);

async function officer() {
  const org = await orgId(db, '162108');
  const { facility, units } = await bookableFacilityIn(db, org);
  const caller = await staffWithSession(db, org, ['municipality.facilities']);
  const as = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    app.inject({ method, url, headers: { authorization: caller.authorization }, ...(payload ? { payload } : {}) });
  return { org, facility, units, as };
}

describe('the console booking routes', () => {
  it('open a lottery round, draw it from the published seed, and re-run it to the same result', async () => {
    const { facility, units, as } = await officer();
    const opened = await as('POST', `${P}/facilities/${facility.id}/lottery-rounds`, { month: '2031-05', applyUntil: new Date(Date.now() + 86_400_000).toISOString() });
    expect(opened.statusCode).toBe(201);
    const round = opened.json();
    expect(round.seed).toMatch(/^[0-9a-f]{64}$/);
    const people = await somePeople(db, 3);
    // All three want the same first choice; two also name a second.
    const first = { unitId: units[0].id, day: '2031-05-10', period: 'am' };
    const second = { unitId: units[1].id, day: '2031-05-10', period: 'am' };
    for (const [i, p] of people.entries()) await applyToRound(db, p, round.id, i === 0 ? [first] : [first, second]);

    const listed = (await as('GET', `${P}/facilities`)).json().facilities.find((f: { id: string }) => f.id === facility.id);
    expect(listed.rounds[0]).toMatchObject({ id: round.id, applications: 3, drawnAt: null });

    const early = await as('POST', `${P}/lottery-rounds/${round.id}/draw`);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('BOOKING_LOTTERY_STILL_OPEN');
    expect(early.json().error.ja).toContain('締め切ってから');
    const closed = await as('POST', `${P}/lottery-rounds/${round.id}/close`);
    expect(closed.statusCode).toBe(200);
    expect(Date.parse(closed.json().applyUntil)).toBeLessThanOrEqual(Date.now());
    expect(closed.json().applications).toBe(3);

    const drawn = await as('POST', `${P}/lottery-rounds/${round.id}/draw`);
    expect(drawn.statusCode).toBe(200);
    expect(drawn.json().won).toBe(2);
    expect((await as('POST', `${P}/lottery-rounds/${round.id}/draw`)).json().error.code).toBe('BOOKING_LOTTERY_DRAWN');
    const replay = await as('POST', `${P}/lottery-rounds/${round.id}/replay`);
    expect(replay.json()).toEqual({ entrantsHash: drawn.json().entrantsHash, listUnchanged: true, matchesHolds: true, won: 2 });
    const again = await as('POST', `${P}/lottery-rounds/${round.id}/replay`);
    expect(again.json()).toEqual(replay.json());
    const held = await db.select().from(bookings).where(and(eq(bookings.facilityId, facility.id), eq(bookings.source, 'lottery')));
    expect(held.map((b) => b.state)).toEqual(['held', 'held']);
  });

  it("shows one day of a facility on the day board: every unit × 区分, held/confirmed/free/closed, no resident named", async () => {
    const { facility, units, as } = await officer();
    const [person] = await somePeople(db, 1);
    const day = inDays(9);
    const held = await holdSlot(db, { personId: person!, unitId: units[0].id, day, period: 'am', idempotencyKey: 'day-board-1', resident: true });
    const mine = await holdSlot(db, { personId: person!, unitId: units[1].id, day, period: 'pm', idempotencyKey: 'day-board-2', resident: true });
    const confirmed = await confirmBooking(db, person!, mine.id);
    await as('POST', `${P}/facilities/${facility.id}/admin-bookings`, { unitId: units[1].id, day, period: 'night', note: '市民講座', idempotencyKey: 'day-board-admin' });

    const res = await as('GET', `${P}/facilities/${facility.id}/day?day=${day}`);
    expect(res.statusCode).toBe(200);
    const board = res.json();
    expect(board).toMatchObject({ facilityId: facility.id, day, closedReason: null });
    expect(board.units.map((u: { name: string }) => u.name)).toEqual(['第1室', '第2室']);
    const states = board.units.map((u: { slots: { state: string }[] }) => u.slots.map((s) => s.state));
    expect(states).toEqual([['held', 'free', 'free'], ['free', 'confirmed', 'confirmed']]);
    expect(board.units[0].slots[0].booking).toMatchObject({ id: held.id, source: 'resident', permitNo: null });
    expect(board.units[1].slots[1].booking).toMatchObject({ id: confirmed.id, permitNo: confirmed.permitNo });
    expect(board.units[1].slots[2].booking).toMatchObject({ source: 'admin', note: '市民講座' });
    expect(JSON.stringify(board)).not.toContain(person!);

    // Closing that day: it holds three bookings (a resident's hold, their confirmed one, the city's), and the officer is told.
    expect((await as('POST', `${P}/facilities/${facility.id}/blackouts`, { day, reason: '臨時休館' })).json()).toEqual({ ok: true, booked: 3 });
    expect((await as('POST', `${P}/facilities/${facility.id}/blackouts`, { day: inDays(11), reason: '館内点検' })).json()).toEqual({ ok: true, booked: 0 });
    const closedDay = (await as('GET', `${P}/facilities/${facility.id}/day?day=${inDays(11)}`)).json();
    expect(closedDay.closedReason).toBe('館内点検');
    expect(closedDay.units.flatMap((u: { slots: { state: string }[] }) => u.slots.map((s) => s.state))).toEqual(Array(6).fill('closed'));
    expect((await as('GET', `${P}/facilities/${facility.id}/day?day=2027-02-30`)).json().error.code).toBe('REQ_INVALID');
    expect((await as('GET', `${P}/facilities/${facility.id}/day`)).json().error.code).toBe('REQ_INVALID');
  });

  it('changes a policy (audited) and refuses non-residents booking further ahead than residents', async () => {
    const { facility, as } = await officer();
    const ok = await as('PUT', `${P}/facilities/${facility.id}/policy`, { residentHorizonDays: 90, nonResidentHorizonDays: 30, cancelDeadlineDays: 5, monthlyQuota: 2, holdMinutes: 60 });
    expect(ok.statusCode).toBe(200);
    const [policy] = await db.select().from(facilityPolicies).where(eq(facilityPolicies.facilityId, facility.id));
    expect(policy).toMatchObject({ residentHorizonDays: 90, cancelDeadlineDays: 5, monthlyQuota: 2, holdMinutes: 60 });
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.action, 'booking.policy.update'), eq(auditLog.subject, facility.id)));
    expect(audited).toHaveLength(1);
    const bad = await as('PUT', `${P}/facilities/${facility.id}/policy`, { residentHorizonDays: 10, nonResidentHorizonDays: 30, cancelDeadlineDays: 5, monthlyQuota: 2, holdMinutes: 60 });
    expect(bad.json().error.code).toBe('REQ_INVALID');
    const malformed = await as('PUT', `${P}/facilities/${facility.id}/policy`, { residentHorizonDays: -1 });
    expect(malformed.statusCode).toBe(400);
  });

  it('closes a facility on one weekday every week (毎週月曜 休館): each such day closed like a day closed by hand, audited once', async () => {
    const { org, facility, units, as } = await officer();
    const from = inDays(1);
    const until = inDays(28); // 28 days: four of every weekday
    // A resident has booked the first of those Mondays already.
    const firstMonday = Array.from({ length: 7 }, (_, i) => inDays(1 + i)).find((d) => new Date(`${d}T00:00:00Z`).getUTCDay() === 1)!;
    const [person] = await somePeople(db, 1);
    const hold = await holdSlot(db, { personId: person!, unitId: units[1].id, day: firstMonday, period: 'pm', idempotencyKey: 'weekly-closed-booked', resident: true });
    const booked = await confirmBooking(db, person!, hold.id);
    const closed = await as('POST', `${P}/facilities/${facility.id}/blackouts/weekly`, { weekday: 1, from, until, reason: '定休日' });
    expect(closed.statusCode).toBe(201);
    expect(closed.json()).toEqual({ days: 4, booked: 1 });
    // Their booking stays (staff settle it with them); they are told on their TV, with whom to call.
    const told = async () => db.select().from(bookingNotices).where(and(eq(bookingNotices.personId, person!), eq(bookingNotices.kind, 'closed')));
    const [notice] = await told();
    expect(notice).toMatchObject({ bookingId: booked.id, readAt: null });
    expect(notice!.text).toContain('休館日（定休日）に なりました');
    expect(notice!.text).toContain(`利用許可番号 ${booked.permitNo}`);
    expect(notice!.text).toContain('南砺市（0763-00-0000）から ご連絡します');
    expect((await db.select({ state: bookings.state }).from(bookings).where(eq(bookings.id, booked.id)))[0]!.state).toBe('confirmed');
    // In the TV's お知らせ, from the facility, unread.
    expect((await bookingInboxItems(db, person!, 10)).find((i) => i.id === notice!.id)).toMatchObject({ from: facility.name, title: 'ご予約の 日が 休館に なりました', opened: false });
    const rows = await db.select({ day: facilityBlackouts.day, reason: facilityBlackouts.reason }).from(facilityBlackouts)
      .where(eq(facilityBlackouts.facilityId, facility.id)).orderBy(facilityBlackouts.day);
    expect(rows.map((r) => new Date(`${r.day}T00:00:00Z`).getUTCDay())).toEqual([1, 1, 1, 1]);
    expect(rows.every((r) => r.reason === '定休日' && r.day >= from && r.day <= until)).toBe(true);

    // The first Monday: refused to a resident's hold, closed on the TV's week grid and the day board.
    const monday = rows[0]!.day;
    expect(monday).toBe(firstMonday);
    await expect(holdSlot(db, { personId: person!, unitId: units[0].id, day: monday, period: 'am', idempotencyKey: 'weekly-closed-1', resident: true }))
      .rejects.toMatchObject({ code: 'BOOKING_SLOT_CLOSED' });
    expect((await weekGrid(db, facility.id, monday, 7, { resident: true })).closedDays).toEqual([monday]);
    expect((await as('GET', `${P}/facilities/${facility.id}/day?day=${monday}`)).json().closedReason).toBe('定休日');

    const audited = await db.select().from(auditLog).where(and(eq(auditLog.action, 'booking.blackout.weekly'), eq(auditLog.subject, facility.id)));
    expect(audited.map((e) => e.data)).toEqual([{ org, weekday: 1, from, until, days: 4 }]);

    // Again with another reason: the same days, renamed, none added; and a booking made on the
    // last Monday before (by the city: its days are not the residents' horizon) is counted for
    // staff to handle.
    const lastMonday = rows[3]!.day;
    await db.delete(facilityBlackouts).where(and(eq(facilityBlackouts.facilityId, facility.id), eq(facilityBlackouts.day, lastMonday)));
    const cityUse = await as('POST', `${P}/facilities/${facility.id}/admin-bookings`, { unitId: units[0].id, day: lastMonday, period: 'pm', note: '市民講座', idempotencyKey: 'weekly-closed-city' });
    expect(cityUse.statusCode).toBe(201);
    expect((await as('POST', `${P}/facilities/${facility.id}/blackouts/weekly`, { weekday: 1, from, until, reason: '館内清掃' })).json()).toEqual({ days: 4, booked: 2 });
    expect((await db.select().from(facilityBlackouts).where(eq(facilityBlackouts.facilityId, facility.id))).map((r) => r.reason)).toEqual(Array(4).fill('館内清掃'));
    // The resident was told when their day closed, not again when its reason changed.
    expect(await told()).toHaveLength(1);
  });

  it('tells a resident once when two officers close their booked day at the same moment', async () => {
    const { facility, units, as } = await officer();
    const [person] = await somePeople(db, 1);
    const day = inDays(3);
    const hold = await holdSlot(db, { personId: person!, unitId: units[0].id, day, period: 'am', idempotencyKey: 'closed-twice-1', resident: true });
    await confirmBooking(db, person!, hold.id);
    const answers = await Promise.all([
      as('POST', `${P}/facilities/${facility.id}/blackouts`, { day, reason: '臨時休館' }),
      as('POST', `${P}/facilities/${facility.id}/blackouts/weekly`, { weekday: new Date(`${day}T00:00:00Z`).getUTCDay(), from: day, until: day, reason: '臨時休館' }),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201]);
    const notices = await db.select().from(bookingNotices).where(and(eq(bookingNotices.personId, person!), eq(bookingNotices.kind, 'closed')));
    expect(notices.map((n) => n.bookingId)).toEqual([hold.id]);
  });

  it('refuses a weekly closing that starts in the past, ends before it starts, spans more than a year or names no weekday', async () => {
    const { facility, as } = await officer();
    const code = async (body: object) => {
      const res = await as('POST', `${P}/facilities/${facility.id}/blackouts/weekly`, { weekday: 1, from: inDays(1), until: inDays(30), reason: '定休日', ...body });
      return [res.statusCode, res.json().error?.code];
    };
    expect(await code({ from: inDays(-1) })).toEqual([400, 'REQ_INVALID']);
    expect(await code({ until: inDays(0) })).toEqual([400, 'REQ_INVALID']);
    expect(await code({ until: inDays(1 + 366) })).toEqual([400, 'REQ_INVALID']);
    expect(await code({ until: inDays(1 + 365) })).toEqual([201, undefined]);
    // A year of Mondays: the console lists the next 20 and says how many more.
    const listed = (await as('GET', `${P}/facilities`)).json().facilities.find((f: { id: string }) => f.id === facility.id);
    const mondays = weekdaysBetween(1, inDays(1), inDays(1 + 365)).length;
    expect([listed.blackouts.length, listed.moreBlackouts]).toEqual([20, mondays - 20]);
    expect(await code({ weekday: 7 })).toEqual([400, 'REQ_INVALID']);
    expect(await code({ from: '2027-02-30' })).toEqual([400, 'REQ_INVALID']);
    expect(await code({ reason: '' })).toEqual([400, 'REQ_INVALID']);
  });

  it('finds the days of a weekday between two days, both included', () => {
    // 2027-01-01 is a Friday.
    expect(weekdaysBetween(1, '2027-01-01', '2027-01-31')).toEqual(['2027-01-04', '2027-01-11', '2027-01-18', '2027-01-25']);
    expect(weekdaysBetween(5, '2027-01-01', '2027-01-01')).toEqual(['2027-01-01']);
    expect(weekdaysBetween(0, '2027-01-04', '2027-01-09')).toEqual([]);
    expect(weekdaysBetween(1, '2027-12-27', '2028-01-10')).toEqual(['2027-12-27', '2028-01-03', '2028-01-10']);
  });

  it("audits a resident's confirmation and cancellation for the facility's municipality, without personal data", async () => {
    const { org, facility, units } = await officer();
    const [person] = await somePeople(db, 1);
    const hold = await holdSlot(db, { personId: person!, unitId: units[0].id, day: inDays(12), period: 'pm', idempotencyKey: 'audit-0001', resident: true });
    await confirmBooking(db, person!, hold.id);
    await cancelBooking(db, person!, hold.id);
    const entries = await db.select().from(auditLog).where(eq(auditLog.subject, hold.id));
    expect(entries.map((e) => e.action).sort()).toEqual(['booking.cancelled', 'booking.confirmed']);
    expect(entries.every((e) => (e.data as { org?: string }).org === org && (e.data as { facility?: string }).facility === facility.id)).toBe(true);
    expect(JSON.stringify(entries)).not.toContain('予約');
  });
});
