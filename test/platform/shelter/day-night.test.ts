import { describe, expect, it } from 'vitest';
import { DEMO_SHELTERS } from '../../../platform/src/demo/world.js';
import { lastJstHour } from '../../../platform/src/shelter/projection.js';
import type { EventBatchResult, ShelterState } from '../../../platform/src/shelter/shelter-schemas.js';
import { buildTestApp } from '../../helpers/app.js';
import { eventMaker, householdMember, tabletWithStaff } from '../../helpers/shelter.js';
import { orgId } from '../../helpers/staff.js';

const t = await buildTestApp({}, { demo: true });
const { app, database } = t;
const db = database.db;

describe('day and night counts (昼間・夜間)', () => {
  it('lastJstHour is the last time Japan\'s clock read that hour, never in the future', () => {
    const now = new Date('2026-11-30T05:00:00Z'); // 14:00 in Japan
    expect(lastJstHour(now, 12).toISOString()).toBe('2026-11-30T03:00:00.000Z');
    expect(lastJstHour(now, 0).toISOString()).toBe('2026-11-29T15:00:00.000Z');
    expect(lastJstHour(new Date('2026-11-30T02:59:59Z'), 12).toISOString()).toBe('2026-11-29T03:00:00.000Z');
    expect(lastJstHour(new Date('2026-11-30T03:00:00Z'), 12).toISOString()).toBe('2026-11-30T03:00:00.000Z');
  });

  it('counts who was inside at the last noon and the last midnight, by the tablets\' clocks', async () => {
    const tablet = await tabletWithStaff(db, await orgId(db, '162108'), DEMO_SHELTERS[0].name);
    const [stayed, left, arrived] = await Promise.all(['昼夜　滞在', '昼夜　退所', '昼夜　到着'].map((n) => householdMember(db, n, 'CATV-0001')));
    const earlier = Math.min(lastJstHour(new Date(), 12).getTime(), lastJstHour(new Date(), 0).getTime());
    const at = (msBefore: number) => ({ occurredAt: new Date(earlier - msBefore).toISOString() });
    const next = eventMaker(1);
    const person = (id: string) => ({ method: 'person' as const, personId: id });
    const res = await app.inject({ method: 'POST', url: '/api/v1/shelter/events', headers: tablet.headers, payload: { events: [
      next('checkin', person(stayed!), at(3600_000)),
      next('checkin', person(left!), at(7200_000)), next('checkout', person(left!), at(3600_000)),
      next('checkin', person(arrived!)),
    ] } });
    expect((res.json() as EventBatchResult).results.map((r) => r.status)).toEqual(['recorded', 'recorded', 'recorded', 'recorded']);
    const state = (await app.inject({ method: 'GET', url: '/api/v1/shelter/state', headers: tablet.headers })).json() as ShelterState;
    expect([state.inside, state.day.inside, state.night.inside]).toEqual([2, 1, 1]);
    expect(new Date(state.day.at).getTime()).toBe(lastJstHour(new Date(state.day.at), 12).getTime());
  });
});
