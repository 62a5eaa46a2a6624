import { describe, expect, it } from 'vitest';
import type { WeekGridView } from '../../../platform/src/booking/booking-schemas.js';
import { personLivesIn } from '../../../platform/src/booking/residents.js';
import { organisations, persons } from '../../../platform/src/db/schema/index.js';
import { buildTestApp } from '../../helpers/app.js';
import { bookableFacilityIn, tvWithSession } from '../../helpers/booking.js';
import { orgId } from '../../helpers/staff.js';

// Issue 16: who is a resident is the logged-in person (their registered address), not the TV's
// household; a non-resident is shown and charged the non-resident fee, and the grid marks `closed`
// beyond the viewer's own horizon.

const { app, database } = await buildTestApp({}, { demo: true });
const { db } = database;
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000 + 9 * 3_600_000).toISOString().slice(0, 10);
const NANTO = '富山県南砺市城端５番地';
const ELSEWHERE = '東京都渋谷区神南１－１';

/** A 南砺市 facility: residents book 60 days ahead at 1,000円, others 30 days at 2,000円 (helpers/booking.ts). */
const nantoFacility = async () => bookableFacilityIn(db, await orgId(db, '162108'));

describe('residency', () => {
  it("goes by the person's address: prefecture from the municipality's code, then its name", async () => {
    const nanto = await orgId(db, '162108');
    const [a, b, c, d] = await db.insert(persons).values([
      { name: 'a', address: NANTO }, { name: 'b', address: ELSEWHERE }, { name: 'c', address: null }, { name: 'd', address: '広島県南砺市１番地' },
    ]).returning();
    expect(await personLivesIn(db, a!.id, nanto)).toBe(true);
    expect(await personLivesIn(db, b!.id, nanto)).toBe(false);
    expect(await personLivesIn(db, c!.id, nanto)).toBe(false);
    expect(await personLivesIn(db, d!.id, nanto)).toBe(false); // the same name in another prefecture
    // A municipality without a local government code: nobody is its resident (fail closed).
    const [odd] = await db.insert(organisations).values({ kind: 'municipality', code: `odd-${Date.now()}`, name: '南砺市' }).returning();
    expect(await personLivesIn(db, a!.id, odd!.id)).toBe(false);
  });

  it('charges a visitor logged in on a resident household\'s TV the non-resident fee and horizon', async () => {
    const { units } = await nantoFacility();
    // CATV-0001 is a 南砺市 household; the visitor's own address is in 東京都.
    const visitor = await tvWithSession(db, 'CATV-0001', ELSEWHERE);
    const resident = await tvWithSession(db, 'CATV-0001', NANTO);
    const hold = (tv: typeof visitor, day: string, key: string) =>
      app.inject({ method: 'POST', url: '/api/v1/booking/holds', headers: tv.session, payload: { unitId: units[0].id, day, period: 'pm', idempotencyKey: key } });

    const far = await hold(visitor, inDays(45), 'visitor-far-1');
    expect(far.statusCode).toBe(422);
    expect(far.json().error.code).toBe('BOOKING_OUT_OF_HORIZON');
    const near = await hold(visitor, inDays(20), 'visitor-near1');
    expect(near.statusCode).toBe(201);
    expect(near.json().fee).toBe(2000);
    const mine = await hold(resident, inDays(45), 'resident-far1');
    expect(mine.statusCode).toBe(201);
    expect(mine.json().fee).toBe(1000);

    const confirmed = await app.inject({ method: 'POST', url: `/api/v1/booking/bookings/${near.json().id}/confirm`, headers: visitor.session });
    expect(confirmed.json()).toMatchObject({ state: 'confirmed', fee: 2000 });
    const list = await app.inject({ method: 'GET', url: '/api/v1/booking/mine', headers: visitor.session });
    expect(list.json().bookings.map((b: { fee: number }) => b.fee)).toEqual([2000]);
  });

  it("marks the grid closed beyond the viewer's own horizon, with the viewer's fee", async () => {
    const { facility } = await nantoFacility();
    const visitor = await tvWithSession(db, 'CATV-0001', ELSEWHERE);
    const week = async (headers: Record<string, string>) => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/booking/facilities/${facility.id}/week?from=${inDays(40)}`, headers });
      expect(res.statusCode).toBe(200);
      return res.json() as WeekGridView;
    };
    const stateAt = (grid: WeekGridView, day: string) => grid.units[0]!.slots.find((s) => s.day === day && s.period === 'pm')!.state;

    // Browsing without login on a 南砺市 household's TV: marked for a resident.
    const anonymous = await week(visitor.device);
    expect(anonymous.viewer).toMatchObject({ resident: true, lastDay: inDays(60) });
    expect(stateAt(anonymous, inDays(41))).toBe('free');
    expect(anonymous.viewer.fees.find((f) => f.period === 'pm')!.fee).toBe(1000);

    // The visitor logged in: 41 days ahead is past their 30 days.
    const asVisitor = await week(visitor.session);
    expect(asVisitor.viewer).toMatchObject({ resident: false, lastDay: inDays(30) });
    expect(stateAt(asVisitor, inDays(41))).toBe('closed');
    expect(asVisitor.viewer.fees.find((f) => f.period === 'pm')!.fee).toBe(2000);
    expect(asVisitor.residentLastDay).toBe(inDays(60));

    const expired = await app.inject({ method: 'GET', url: `/api/v1/booking/facilities/${facility.id}/week`, headers: { ...visitor.session, authorization: 'Bearer not-a-token' } });
    expect(expired.statusCode).toBe(401);
  });
});

describe('receipts in the TV inbox (お知らせ)', () => {
  it('puts a confirmation and a cancellation in the one inbox, counted on the badge and opened like any item', async () => {
    const { facility, units } = await nantoFacility();
    const tv = await tvWithSession(db, 'CATV-0001', ELSEWHERE);
    const held = (await app.inject({ method: 'POST', url: '/api/v1/booking/holds', headers: tv.session, payload: { unitId: units[1].id, day: inDays(10), period: 'am', idempotencyKey: 'receipt-001' } })).json();
    // The facility and the unit booked (which room, which half of a floor), then the day.
    const slot = `${facility.name} 第2室 ${Number(inDays(10).slice(5, 7))}月${Number(inDays(10).slice(8))}日（`;
    const inbox = async () => (await app.inject({ method: 'GET', url: '/api/v1/pension/inbox', headers: tv.session })).json();
    expect((await inbox()).items).toEqual([]); // a hold alone is no receipt

    const confirmed = (await app.inject({ method: 'POST', url: `/api/v1/booking/bookings/${held.id}/confirm`, headers: tv.session })).json();
    const after = await inbox();
    expect(after.unread).toBe(1);
    expect(after.items).toHaveLength(1);
    expect(after.items[0]).toMatchObject({ kind: 'booking', title: '施設の 予約が 確定しました', opened: false, done: false, campaignId: null });
    expect(after.items[0].from).toMatch(/^試験体育館/);
    expect(after.items[0].body).toContain(confirmed.permitNo);
    expect(after.items[0].body).toContain('料金 2,000円');
    expect(after.items[0].body).toContain(slot);
    expect((await app.inject({ method: 'GET', url: '/api/v1/pension/inbox/badge', headers: tv.session })).json()).toEqual({ unread: 1 });

    const opened = await app.inject({ method: 'POST', url: `/api/v1/pension/inbox/${after.items[0].id}/open`, headers: tv.session });
    expect(opened.statusCode).toBe(200);
    expect(opened.json()).toMatchObject({ kind: 'booking', confirmation: null });
    expect((await inbox()).unread).toBe(0);
    // Someone else cannot open it.
    const other = await tvWithSession(db, 'CATV-0002', NANTO);
    const stolen = await app.inject({ method: 'POST', url: `/api/v1/pension/inbox/${after.items[0].id}/open`, headers: other.session });
    expect(stolen.json().error.code).toBe('REQ_NOT_FOUND');

    await app.inject({ method: 'POST', url: `/api/v1/booking/bookings/${held.id}/cancel`, headers: tv.session });
    const last = await inbox();
    expect(last.items.map((i: { title: string }) => i.title)).toEqual(['施設の 予約を 取り消しました', '施設の 予約が 確定しました']);
    expect(last.items[0].body).toContain(confirmed.permitNo);
    expect(last.items[0].body).toContain(slot);
    expect(last.unread).toBe(1);
  });
});
