import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bookingWaitlist, facilityBlackouts } from '../../../platform/src/booking/schema.js';
import { buildTestApp } from '../../helpers/app.js';
import { applyToRound, openRound } from '../../../platform/src/booking/lottery.js';
import { holdSlot } from '../../../platform/src/booking/bookings.js';
import { AppError } from '../../../platform/src/shared/errors.js';
import { bookableFacility, bookableFacilityIn, NOW, somePeople, tvWithSession as tvWithSessionIn } from '../../helpers/booking.js';
import { orgId, staffWithSession } from '../../helpers/staff.js';

// What a crafted TV request or a console user could send to the booking API: a coded 4xx each,
// never a 500 and never a silent success.
const { app, database } = await buildTestApp({}, { demo: true });
const { db } = database;

const tvWithSession = (contractNo?: string) => tvWithSessionIn(db, contractNo);

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000 + 9 * 3_600_000).toISOString().slice(0, 10);
const answer = (res: { statusCode: number; json: () => { error?: { code: string } } }) => [res.statusCode, res.json().error?.code ?? 'ok'];

describe('idempotency keys', () => {
  it('refuses a key reused for another slot, never answering as if that slot were booked', async () => {
    const { units } = await bookableFacility(db);
    const tv = await tvWithSession();
    const hold = (payload: object) => app.inject({ method: 'POST', url: '/api/v1/booking/holds', headers: tv.session, payload });
    const first = await hold({ unitId: units[0].id, day: inDays(10), period: 'pm', idempotencyKey: 'press-0001' });
    expect(first.statusCode).toBe(201);
    expect(answer(await hold({ unitId: units[1].id, day: inDays(11), period: 'am', idempotencyKey: 'press-0001' }))).toEqual([422, 'BOOKING_KEY_REUSED']);
    expect((await hold({ unitId: units[0].id, day: inDays(10), period: 'pm', idempotencyKey: 'press-0001' })).json().id).toBe(first.json().id);
  });

  it('a key sent at once for slots of two facilities books one and refuses the other, never a 500 (PostgreSQL races them)', async () => {
    const [a, b] = [await bookableFacility(db), await bookableFacility(db)];
    const tv = await tvWithSession();
    for (let i = 0; i < 4; i++) {
      const hold = (unitId: string) => app.inject({ method: 'POST', url: '/api/v1/booking/holds', headers: tv.session, payload: { unitId, day: inDays(10 + i), period: 'am', idempotencyKey: `twice-${i}-key` } });
      const answers = (await Promise.all([hold(a.units[0].id), hold(b.units[0].id)])).map(answer);
      expect(answers).toContainEqual([201, 'ok']);
      expect(answers).toContainEqual([422, 'BOOKING_KEY_REUSED']);
    }
  });

  it("refuses a console key reused for another slot of the staff member's", async () => {
    const nanto = await orgId(db, '162108');
    const { facility, units } = await bookableFacilityIn(db, nanto);
    const staff = await staffWithSession(db, nanto, ['municipality.facilities']);
    const book = (payload: object) => app.inject({ method: 'POST', url: `/api/v1/console/booking/facilities/${facility.id}/admin-bookings`, headers: { authorization: staff.authorization }, payload });
    expect((await book({ unitId: units[0].id, day: inDays(5), period: 'am', note: '市の行事', idempotencyKey: 'adm-00001' })).statusCode).toBe(201);
    expect(answer(await book({ unitId: units[1].id, day: inDays(6), period: 'pm', note: '市の行事', idempotencyKey: 'adm-00001' }))).toEqual([422, 'BOOKING_KEY_REUSED']);
  });
});

describe('console keys raced', () => {
  it('a staff key sent at once for two units books one and refuses the other, never a 500 (PostgreSQL races them)', async () => {
    const nanto = await orgId(db, '162108');
    const { facility, units } = await bookableFacilityIn(db, nanto);
    const staff = await staffWithSession(db, nanto, ['municipality.facilities']);
    for (let i = 0; i < 4; i++) {
      const book = (unitId: string) => app.inject({ method: 'POST', url: `/api/v1/console/booking/facilities/${facility.id}/admin-bookings`, headers: { authorization: staff.authorization }, payload: { unitId, day: inDays(20 + i), period: 'am', note: '市の行事', idempotencyKey: `adm-race-${i}` } });
      const answers = (await Promise.all([book(units[0].id), book(units[1].id)])).map(answer);
      expect(answers).toContainEqual([201, 'ok']);
      expect(answers).toContainEqual([422, 'BOOKING_KEY_REUSED']);
    }
  });
});

describe('text the database cannot store', () => {
  it('answers a NUL in a console note or blackout reason (one day or weekly) with REQ_INVALID, not a 500', async () => {
    const nanto = await orgId(db, '162108');
    const { facility, units } = await bookableFacilityIn(db, nanto);
    const staff = await staffWithSession(db, nanto, ['municipality.facilities']);
    const headers = { authorization: staff.authorization };
    const url = `/api/v1/console/booking/facilities/${facility.id}`;
    expect(answer(await app.inject({ method: 'POST', url: `${url}/admin-bookings`, headers, payload: { unitId: units[0].id, day: inDays(5), period: 'am', note: '市の\u0000行事', idempotencyKey: 'nul-00001' } }))).toEqual([400, 'REQ_INVALID']);
    expect(answer(await app.inject({ method: 'POST', url: `${url}/blackouts`, headers, payload: { day: inDays(6), reason: '点\u0000検' } }))).toEqual([400, 'REQ_INVALID']);
    expect(answer(await app.inject({ method: 'POST', url: `${url}/blackouts/weekly`, headers, payload: { weekday: 3, from: inDays(6), until: inDays(20), reason: '点\u0000検' } }))).toEqual([400, 'REQ_INVALID']);
  });
});

describe('the waitlist is a hold later, so it obeys the hold rules', () => {
  it('refuses a day gone, past the horizon, a blackout day or not a real day, and stores no wait', async () => {
    const { facility, units } = await bookableFacility(db);
    await db.insert(facilityBlackouts).values({ facilityId: facility.id, day: inDays(12), reason: '点検' });
    const tv = await tvWithSession();
    const wait = (day: string) => app.inject({ method: 'POST', url: '/api/v1/booking/waitlist', headers: tv.session, payload: { unitId: units[0].id, day, period: 'pm' } });
    expect(answer(await wait(inDays(-1)))).toEqual([422, 'BOOKING_OUT_OF_HORIZON']);
    // The test municipality is not CATV-0001's: the non-resident horizon (30 days) applies.
    expect(answer(await wait(inDays(45)))).toEqual([422, 'BOOKING_OUT_OF_HORIZON']);
    expect(answer(await wait(inDays(12)))).toEqual([409, 'BOOKING_SLOT_CLOSED']);
    expect(answer(await wait('2026-02-30'))).toEqual([400, 'REQ_INVALID']);
    expect(answer(await wait('0000-01-01'))).toEqual([400, 'REQ_INVALID']);
    expect(await db.select().from(bookingWaitlist).where(eq(bookingWaitlist.personId, tv.personId))).toHaveLength(0);
    // Only a slot the grid shows taken: nothing would ever free a free one (and offer it).
    expect(answer(await wait(inDays(20)))).toEqual([409, 'BOOKING_SLOT_FREE']);
    const [holder] = await somePeople(db, 1);
    await holdSlot(db, { personId: holder!, unitId: units[0].id, day: inDays(20), period: 'pm', idempotencyKey: 'someone-else', resident: true });
    expect(answer(await wait(inDays(20)))).toEqual([201, 'ok']);
  });
});

describe('days the calendar or PostgreSQL cannot hold', () => {
  it('answers a week from year 0000 or 9999 with REQ_INVALID, on the TV and in the console', async () => {
    const nanto = await orgId(db, '162108');
    const { facility } = await bookableFacilityIn(db, nanto);
    const tv = await tvWithSession();
    const staff = await staffWithSession(db, nanto, ['municipality.facilities']);
    for (const from of ['0000-01-01', '9999-12-30']) {
      expect(answer(await app.inject({ method: 'GET', url: `/api/v1/booking/facilities/${facility.id}/week?from=${from}`, headers: tv.device }))).toEqual([400, 'REQ_INVALID']);
      expect(answer(await app.inject({ method: 'GET', url: `/api/v1/console/booking/board?from=${from}`, headers: { authorization: staff.authorization } }))).toEqual([400, 'REQ_INVALID']);
      expect(answer(await app.inject({ method: 'POST', url: `/api/v1/console/booking/facilities/${facility.id}/blackouts`, headers: { authorization: staff.authorization }, payload: { day: from, reason: '点検' } }))).toEqual([400, 'REQ_INVALID']);
    }
  });
});

describe('lottery applications', () => {
  it('refuses a choice on a blackout day (a win would be a hold on a closed day)', async () => {
    const { facility, units } = await bookableFacility(db, { lottery: { applyFrom: 1, applyUntil: 10, monthsAhead: 2, confirmDays: 7 } });
    await db.insert(facilityBlackouts).values({ facilityId: facility.id, day: '2027-02-11', reason: '点検' });
    const [person] = await somePeople(db, 1);
    const at = (n: number) => new Date(NOW.getTime() + n * 86_400_000);
    const round = await openRound(db, facility.id, '2027-02', at(5), 'staff:test');
    const apply = (day: string) => applyToRound(db, person!, round.id, [{ unitId: units[0].id, day: '2027-02-06', period: 'am' }, { unitId: units[0].id, day, period: 'am' }], at(1))
      .then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.code : String(e)));
    expect(await apply('2027-02-11')).toBe('BOOKING_SLOT_CLOSED');
    expect(await apply('2027-02-13')).toBe('ok');
  });

  it('the TV is told the 休館日 of a lottery month (a grid past the horizon still marks them), and the API refuses them with 409', async () => {
    const { facility, units } = await bookableFacility(db, { lottery: { applyFrom: 1, applyUntil: 10, monthsAhead: 2, confirmDays: 7 } });
    const month = inDays(100).slice(0, 7);
    await db.insert(facilityBlackouts).values({ facilityId: facility.id, day: `${month}-11`, reason: '定休日' });
    const round = await openRound(db, facility.id, month, new Date(Date.now() + 5 * 86_400_000), 'staff:test');
    const tv = await tvWithSession();
    const week = await app.inject({ method: 'GET', url: `/api/v1/booking/facilities/${facility.id}/week?from=${month}-08`, headers: tv.device });
    expect(week.statusCode).toBe(200);
    expect(week.json().closedDays).toEqual([`${month}-11`]);
    const apply = (day: string) => app.inject({ method: 'POST', url: `/api/v1/booking/lottery/${round.id}/applications`, headers: tv.session,
      payload: { choices: [{ unitId: units[0].id, day: `${month}-13`, period: 'am' }, { unitId: units[0].id, day, period: 'pm' }] } });
    expect(answer(await apply(`${month}-11`))).toEqual([409, 'BOOKING_SLOT_CLOSED']);
    expect(answer(await apply(`${month}-12`))).toEqual([201, 'ok']);
  });
});
