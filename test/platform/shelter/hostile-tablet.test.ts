import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SHELTERS } from '../../../platform/src/demo/world.js';
import { eq } from 'drizzle-orm';
import { shelterEvents } from '../../../platform/src/shelter/schema.js';
import type { EventBatchResult, ShelterState } from '../../../platform/src/shelter/shelter-schemas.js';
import { buildTestApp } from '../../helpers/app.js';
import { eventMaker, householdMember, tabletWithStaff } from '../../helpers/shelter.js';
import { orgId } from '../../helpers/staff.js';

// What a malicious (or broken) tablet or staff member could send: each gets a coded answer,
// never a 500 and never a silent success.
const { app, database } = await buildTestApp({}, { demo: true });
const db = database.db;
let tablet: Awaited<ReturnType<typeof tabletWithStaff>>;
let local: string;
let tonamiResident: string;

beforeAll(async () => {
  tablet = await tabletWithStaff(db, await orgId(db, '162108'), DEMO_SHELTERS[0].name);
  local = await householdMember(db, '山田　花子', 'CATV-0001');
  // CATV-0101 is a household of 砺波市, not the tablet's 南砺市.
  tonamiResident = await householdMember(db, '砺波　住民', 'CATV-0101');
});

const upload = (events: unknown[]) => app.inject({ method: 'POST', url: '/api/v1/shelter/events', headers: tablet.headers, payload: { events } });
const codeOf = async (events: unknown[]) => {
  const res = await upload(events);
  return res.statusCode === 200 ? (res.json() as EventBatchResult).results.map((r) => (r.status === 'refused' ? r.error.code : r.status)) : [res.statusCode, res.json().error.code];
};

describe('a tablet cannot reach people of another municipality', () => {
  it("refuses another municipality's resident by id, as unknown, and names nobody", async () => {
    const next = eventMaker(1);
    for (const method of ['person', 'household'] as const) {
      const res = await upload([next('checkin', { method, personId: tonamiResident })]);
      expect(res.json().results[0]).toMatchObject({ status: 'refused', error: { code: 'SHELTER_PERSON_UNKNOWN' } });
      expect(res.body).not.toContain('砺波　住民');
    }
    expect(await codeOf([next('checkin', { method: 'person', personId: local })])).toEqual(['recorded']);
    const whitelist = await app.inject({ method: 'GET', url: '/api/v1/shelter/whitelist', headers: tablet.headers });
    expect(whitelist.body).toContain(local);
    expect(whitelist.body).not.toContain(tonamiResident);
  });
});

describe('values PostgreSQL or Date cannot hold are REQ_INVALID, not a 500', () => {
  it('refuses year 0000, a leap second and a urn:uuid: id', async () => {
    const next = eventMaker(100);
    const bad = [
      { ...next('checkin', { method: 'person', personId: local }), occurredAt: '0000-01-01T00:00:00Z' },
      { ...next('checkin', { method: 'person', personId: local }), occurredAt: '0001-01-01T00:00:00+09:00' },
      { ...next('checkin', { method: 'person', personId: local }), occurredAt: '2026-06-30T23:59:60Z' },
      next('checkin', { method: 'name', name: '旅行　者', birthDate: '0000-01-01' }),
      next('checkin', { method: 'person', personId: `urn:uuid:${local}` }),
      next('move', { method: 'person', personId: local }, { toShelterId: `urn:uuid:${tablet.shelter.id}` }),
    ];
    for (const event of bad) expect(await codeOf([event])).toEqual([400, 'REQ_INVALID']);
  });

  it('refuses a name with a NUL or control character, or only spaces', async () => {
    const next = eventMaker(200);
    for (const name of ['山田\u0000花子', '山田\n花子', '   ', '\u3000']) {
      expect(await codeOf([next('checkin', { method: 'name', name, birthDate: '2000-01-01' })])).toEqual([400, 'REQ_INVALID']);
    }
    expect(await codeOf([next('checkin', { method: 'name', name: '山田　花子', birthDate: '2000-01-01' })])).toEqual(['recorded']);
  });

  it('refuses, per event, a birth date in the future', async () => {
    const next = eventMaker(250);
    const inYears = (n: number) => `${new Date().getUTCFullYear() + n}-01-01`;
    expect(await codeOf([next('checkin', { method: 'name', name: '未来　太郎', birthDate: inYears(1) }), next('checkin', { method: 'name', name: '未来　太郎', birthDate: inYears(-1) })]))
      .toEqual(['REQ_INVALID', 'recorded']);
  });
});

describe('a tablet clock that cannot be right', () => {
  it('an event dated far ahead or in 1900 is kept, timed at its arrival and flagged clock-corrected: a check-out dated 9999 does not keep its evacuee inside in the day and night counts', async () => {
    const next = eventMaker(5000);
    const person = await householdMember(db, '時計　狂い', 'CATV-0001');
    const before = Date.now();
    const res = await upload([
      next('checkin', { method: 'person', personId: person }, { occurredAt: '1900-01-01T00:00:00Z' }),
      next('checkout', { method: 'person', personId: person }, { occurredAt: '9999-12-31T23:59:59Z' }),
      next('checkin', { method: 'person', personId: local }, { occurredAt: new Date(Date.now() + 60_000).toISOString() }),
    ]);
    const results = (res.json() as EventBatchResult).results;
    expect(results.map((r) => r.status)).toEqual(['recorded', 'recorded', 'recorded']);
    expect(results.map((r) => (r.status === 'refused' ? [] : r.outcome.flags.filter((f) => f === 'clock-corrected')))).toEqual([['clock-corrected'], ['clock-corrected'], []]);
    const stored = await db.select({ occurredAt: shelterEvents.occurredAt }).from(shelterEvents).where(eq(shelterEvents.subject, person));
    for (const row of stored) expect(row.occurredAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    // Checked in and out just now: not inside at the last noon or midnight (it was dated 1900 and 9999).
    const state = (await app.inject({ method: 'GET', url: '/api/v1/shelter/state', headers: tablet.headers })).json() as ShelterState;
    const namesInside = JSON.stringify(state);
    expect(namesInside).not.toContain('時計　狂い');
    expect([state.day.inside, state.night.inside]).toEqual([0, 0]);
  });
});

describe('event ids', () => {
  it('refuses a batch carrying one event id twice, storing nothing of it', async () => {
    const next = eventMaker(300);
    const first = next('checkin', { method: 'person', personId: local });
    const twin = { ...next('checkout', { method: 'name', name: '別人', birthDate: '2000-01-01' }), eventId: first.eventId };
    expect(await codeOf([first, twin])).toEqual([400, 'REQ_INVALID']);
    // Nothing was stored: the id is still free for its real event.
    expect(await codeOf([first])).toEqual(['recorded']);
  });

  it('answers a replay with a different body with the original result and changes nothing', async () => {
    const next = eventMaker(400);
    const original = next('outside', { method: 'person', personId: local });
    const [recorded] = (await upload([original])).json().results;
    const [replayed] = (await upload([{ ...original, kind: 'checkout', sequence: 999_999, subject: { method: 'name', name: '別人', birthDate: '2000-01-01' } }])).json().results;
    expect(replayed).toEqual({ ...recorded, status: 'replayed' });
    const state = (await app.inject({ method: 'GET', url: '/api/v1/shelter/state', headers: tablet.headers })).json();
    expect(state.people.find((p: { personId: string }) => p.personId === local)).toMatchObject({ status: 'outside' });
    expect(JSON.stringify(state)).not.toContain('別人');
  });
});
