import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';
import { bookableFacility, tvWithSession as tvWithSessionIn } from '../../helpers/booking.js';
import type { FacilityListView } from '../../../platform/src/booking/booking-schemas.js';

const t = await buildTestApp({}, { demo: true });
const { app, database } = t;
const { db } = database;

const tvWithSession = (contractNo?: string) => tvWithSessionIn(db, contractNo);

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000 + 9 * 3_600_000).toISOString().slice(0, 10);

describe('the TV booking API', () => {
  it('browses without login, then holds, confirms, lists the receipt and cancels with a session', async () => {
    const { facility, units } = await bookableFacility(db);
    const tv = await tvWithSession();
    const week = await app.inject({ method: 'GET', url: `/api/v1/booking/facilities/${facility.id}/week?from=${inDays(1)}`, headers: tv.device });
    expect(week.statusCode).toBe(200);
    expect(week.json().units[0].slots[0]).toEqual({ day: inDays(1), period: 'am', state: 'free' });
    const noLogin = await app.inject({ method: 'POST', url: '/api/v1/booking/holds', headers: { 'x-device': tv.session['x-device'] }, payload: { unitId: units[0].id, day: inDays(10), period: 'pm', idempotencyKey: 'press-0001' } });
    expect(noLogin.json().error.code).toBe('AUTH_REQUIRED');

    const hold = await app.inject({ method: 'POST', url: '/api/v1/booking/holds', headers: tv.session, payload: { unitId: units[0].id, day: inDays(10), period: 'pm', idempotencyKey: 'press-0001' } });
    expect(hold.statusCode).toBe(201);
    const again = await app.inject({ method: 'POST', url: '/api/v1/booking/holds', headers: tv.session, payload: { unitId: units[0].id, day: inDays(10), period: 'pm', idempotencyKey: 'press-0001' } });
    expect(again.json().id).toBe(hold.json().id);
    const confirmed = await app.inject({ method: 'POST', url: `/api/v1/booking/bookings/${hold.json().id}/confirm`, headers: tv.session });
    expect(confirmed.json().permitNo).toMatch(/^\d{4}-\d{3}-\d{3}$/);
    const mine = await app.inject({ method: 'GET', url: '/api/v1/booking/mine', headers: tv.session });
    expect(mine.json().bookings.map((b: { state: string }) => b.state)).toEqual(['confirmed']);
    expect(JSON.stringify(mine.json())).not.toContain('person:');
    const cancelled = await app.inject({ method: 'POST', url: `/api/v1/booking/bookings/${hold.json().id}/cancel`, headers: tv.session });
    expect(cancelled.json().state).toBe('cancelled');
  });

  it('gives a slot raced for by two TVs to exactly one; the other gets a coded 409 with plain Japanese', async () => {
    const { units } = await bookableFacility(db);
    const [a, b] = [await tvWithSession('CATV-0001'), await tvWithSession('CATV-0002')];
    const slot = { unitId: units[1].id, day: inDays(5), period: 'night' };
    const [ra, rb] = await Promise.all([
      app.inject({ method: 'POST', url: '/api/v1/booking/holds', headers: a.session, payload: { ...slot, idempotencyKey: 'tv-a-press' } }),
      app.inject({ method: 'POST', url: '/api/v1/booking/holds', headers: b.session, payload: { ...slot, idempotencyKey: 'tv-b-press' } }),
    ]);
    expect([ra.statusCode, rb.statusCode].sort()).toEqual([201, 409]);
    const loser = ra.statusCode === 409 ? ra : rb;
    expect(loser.json().error.code).toBe('BOOKING_SLOT_TAKEN');
    expect(loser.json().error.ja).toContain('ほかの方が先に予約しました');
  });

  it('lists the demo facilities with their 区分 tables and the lottery round taking applications', async () => {
    const tv = await tvWithSession();
    const list = (await app.inject({ method: 'GET', url: '/api/v1/booking/facilities', headers: tv.device })).json() as FacilityListView;
    const court = list.facilities.find((f) => f.name === '福光テニスコート')!;
    expect(court.periods.map((p) => p.code)).toEqual(['k1', 'k2', 'k3', 'k4']);
    expect(court.lottery?.month).toMatch(/^\d{4}-\d{2}$/);
    expect(list.facilities.find((f) => f.name === '南砺市体育館 アリーナ')).toMatchObject({ lottery: null, cancelDeadlineDays: 3 });
  });

  it("refuses another household's booking and malformed slots with coded 4xx", async () => {
    const { units } = await bookableFacility(db);
    const [a, b] = [await tvWithSession(), await tvWithSession()];
    const hold = await app.inject({ method: 'POST', url: '/api/v1/booking/holds', headers: a.session, payload: { unitId: units[0].id, day: inDays(3), period: 'am', idempotencyKey: 'mine-00001' } });
    const steal = await app.inject({ method: 'POST', url: `/api/v1/booking/bookings/${hold.json().id}/cancel`, headers: b.session });
    expect(steal.json().error.code).toBe('REQ_NOT_FOUND');
    const bad = await app.inject({ method: 'POST', url: '/api/v1/booking/holds', headers: a.session, payload: { unitId: units[0].id, day: '2027-13-40', period: 'am', idempotencyKey: 'bad-000001' } });
    expect(bad.json().error.code).toBe('REQ_INVALID');
    const badWeek = await app.inject({ method: 'GET', url: `/api/v1/booking/facilities/${units[0].facilityId}/week?from=2027-02-30`, headers: { authorization: `Device ${a.session['x-device']}` } });
    expect(badWeek.json().error.code).toBe('REQ_INVALID');
  });
});
