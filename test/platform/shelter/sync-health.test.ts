import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveServerMessage } from '../../../platform/src/console/console-schemas.js';
import { SHELTERS_SAFETY_MS } from '../../../platform/src/console/live.js';
import { shelterEvents } from '../../../platform/src/db/schema/index.js';
import type { CheckinEvent, EventBatchResult, ShelterOverview, ShelterState } from '../../../platform/src/shelter/shelter-schemas.js';
import { buildTestApp } from '../../helpers/app.js';
import { LiveConsole } from '../../helpers/live-console.js';
import { eventMaker, shelterOfItsOwn, tabletWithStaff } from '../../helpers/shelter.js';
import { orgId, staffWithSession } from '../../helpers/staff.js';

// What the municipality sees of its tablets while they work: each tablet's outbox reading (events
// waiting, last contact), pushed over the console's live channel when a batch is stored; and what
// a tablet sees of its shelter: every tablet's events there, not only its own.

const t = await buildTestApp({}, { demo: true });
const { app, database } = t;
const db = database.db;
let nanto: string;
let liveUrl = '';
beforeAll(async () => {
  nanto = await orgId(db, '162108');
  liveUrl = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('http:', 'ws:');
});
afterAll(async () => {
  await app.close();
});

type Tablet = Awaited<ReturnType<typeof tabletWithStaff>>;
const byName = (n: number, tag: string): CheckinEvent['subject'] => ({ method: 'name', name: `${tag}　${n}`, birthDate: '1970-01-01' });
const upload = (tablet: Tablet, events: CheckinEvent[], waiting?: string) =>
  app.inject({ method: 'POST', url: '/api/v1/shelter/events', headers: { ...tablet.headers, ...(waiting === undefined ? {} : { 'x-outbox-waiting': waiting }) }, payload: { events } });
const state = async (tablet: Tablet, waiting?: string) => {
  const res = await app.inject({ method: 'GET', url: '/api/v1/shelter/state', headers: { ...tablet.headers, ...(waiting === undefined ? {} : { 'x-outbox-waiting': waiting }) } });
  expect(res.statusCode).toBe(200);
  return res.json() as ShelterState;
};
async function overview(): Promise<ShelterOverview> {
  const officer = await staffWithSession(db, nanto, ['municipality.disaster']);
  const res = await app.inject({ method: 'GET', url: '/api/v1/console/shelters', headers: { authorization: officer.authorization } });
  expect(res.statusCode).toBe(200);
  return res.json() as ShelterOverview;
}
const tabletIn = (o: ShelterOverview, tablet: Tablet) => o.shelters.find((s) => s.id === tablet.shelter.id)!.tablets.find((x) => x.deviceId === tablet.tablet.id)!;

describe("tablets' sync health", () => {
  it('the console shows the events each tablet still holds and its last contact, as it reported them with an upload or a refresh', async () => {
    const tablet = await tabletWithStaff(db, nanto, await shelterOfItsOwn(db, nanto));
    expect(tabletIn(await overview(), tablet)).toMatchObject({ waiting: null, lastContactAt: null, events: 0 });

    const before = Date.now();
    const next = eventMaker();
    const res = await upload(tablet, [next('checkin', byName(1, '健康')), next('checkin', byName(2, '健康'))], '7');
    expect(res.statusCode).toBe(200);
    const afterUpload = tabletIn(await overview(), tablet);
    expect(afterUpload).toMatchObject({ waiting: 7, events: 2 });
    expect(Date.parse(afterUpload.lastContactAt!)).toBeGreaterThanOrEqual(before - 1000);

    // The tablet drained the rest offline-queued elsewhere and refreshes its list: it reports 0.
    await state(tablet, '0');
    expect(tabletIn(await overview(), tablet)).toMatchObject({ waiting: 0, events: 2 });
    // A request without the header leaves the reading as it was.
    await state(tablet);
    expect(tabletIn(await overview(), tablet).waiting).toBe(0);
  });

  it('a reading that is not a count is REQ_INVALID before anything is stored', async () => {
    const tablet = await tabletWithStaff(db, nanto, await shelterOfItsOwn(db, nanto));
    const next = eventMaker();
    for (const bad of ['-1', 'abc', '1e3', '9999999999', '']) {
      const event = next('checkin', byName(1, '不正'));
      const res = await upload(tablet, [event], bad);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.code).toBe('REQ_INVALID');
      expect(await db.select().from(shelterEvents).where(eq(shelterEvents.eventId, event.eventId))).toHaveLength(0);
    }
    const res = await app.inject({ method: 'GET', url: '/api/v1/shelter/state', headers: { ...tablet.headers, 'x-outbox-waiting': 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('REQ_INVALID');
    expect(tabletIn(await overview(), tablet).waiting).toBeNull();
  });
});

const isShelters = (m: LiveServerMessage): m is Extract<LiveServerMessage, { type: 'shelters' }> => m.type === 'shelters';

async function watching(org: string, roles: string[]): Promise<LiveConsole> {
  const staff = await staffWithSession(db, org, roles);
  const live = await LiveConsole.open(liveUrl);
  live.socket.send(JSON.stringify({ type: 'auth', token: staff.token }));
  await live.next((m): m is Extract<LiveServerMessage, { type: 'ready' }> => m.type === 'ready');
  live.socket.send(JSON.stringify({ type: 'watch-shelters', on: true }));
  return live;
}

describe('the console live channel: shelters', () => {
  it('pushes the overview to a console showing shelters as soon as a tablet stores a batch (NOTIFY), long before the safety sweep', async () => {
    const tablet = await tabletWithStaff(db, nanto, await shelterOfItsOwn(db, nanto));
    const live = await watching(nanto, ['municipality.disaster']);
    const tonami = await watching(await orgId(db, '162086'), ['municipality.disaster']);
    const first = await live.next(isShelters);
    expect(first.data.shelters.find((s) => s.id === tablet.shelter.id)!.inside).toBe(0);
    await tonami.next(isShelters);

    const seen = live.messages.length;
    const t0 = Date.now();
    const next = eventMaker();
    const res = await upload(tablet, [next('checkin', byName(1, '速報')), next('checkin', byName(2, '速報')), next('checkin', byName(3, '速報'))], '4');
    expect((res.json() as EventBatchResult).results.every((r) => r.status === 'recorded')).toBe(true);
    const pushed = await live.next((m): m is Extract<LiveServerMessage, { type: 'shelters' }> =>
      isShelters(m) && m.data.shelters.find((s) => s.id === tablet.shelter.id)!.inside === 3, seen);
    expect(Date.now() - t0).toBeLessThan(SHELTERS_SAFETY_MS / 3);
    expect(pushed.data.shelters.find((s) => s.id === tablet.shelter.id)!.tablets[0]).toMatchObject({ deviceId: tablet.tablet.id, waiting: 4, events: 3 });
    // Another municipality's console is never sent 南砺市's shelters.
    expect(tonami.messages.filter(isShelters).flatMap((m) => m.data.shelters).some((s) => s.id === tablet.shelter.id)).toBe(false);

    // Stopped watching: no more pushes for that console.
    live.socket.send(JSON.stringify({ type: 'watch-shelters', on: false }));
    const other = await watching(nanto, ['municipality.disaster']);
    await other.next(isShelters);
    const quiet = live.messages.length;
    const from = other.messages.length;
    await upload(tablet, [next('checkin', byName(4, '速報'))], '0');
    await other.next((m): m is Extract<LiveServerMessage, { type: 'shelters' }> => isShelters(m) && m.data.shelters.find((s) => s.id === tablet.shelter.id)!.inside === 4, from);
    expect(live.messages.slice(quiet).filter(isShelters)).toHaveLength(0);
    for (const c of [live, tonami, other]) c.socket.close();
  });

  it('refuses a role that may not see shelters', async () => {
    const support = await staffWithSession(db, await orgId(db, 'catv-demo'), ['operator.support']);
    const live = await LiveConsole.open(liveUrl);
    live.socket.send(JSON.stringify({ type: 'auth', token: support.token }));
    await live.next((m): m is Extract<LiveServerMessage, { type: 'ready' }> => m.type === 'ready');
    live.socket.send(JSON.stringify({ type: 'watch-shelters', on: true }));
    const refused = await live.next((m): m is Extract<LiveServerMessage, { type: 'shelters-refused' }> => m.type === 'shelters-refused');
    expect(refused.code).toBe('STAFF_PERMISSION_DENIED');
    expect(live.messages.filter(isShelters)).toHaveLength(0);
    live.socket.close();
  });
});

describe('two tablets at one shelter', () => {
  it("each sees the other's check-ins in the shelter's state, and someone checked in at another shelter leaves this one's list", async () => {
    const name = await shelterOfItsOwn(db, nanto);
    const [a, b] = [await tabletWithStaff(db, nanto, name), await tabletWithStaff(db, nanto, name)];
    const elsewhere = await tabletWithStaff(db, nanto, await shelterOfItsOwn(db, nanto));
    const [nextA, nextB, nextElsewhere] = [eventMaker(), eventMaker(), eventMaker()];
    expect((await upload(a, [nextA('checkin', byName(1, '二台'))])).statusCode).toBe(200);
    expect((await upload(b, [nextB('checkin', byName(2, '二台')), nextB('outside', byName(3, '二台'))])).statusCode).toBe(200);
    for (const tablet of [a, b]) {
      const seen = await state(tablet);
      expect(seen.people.map((p) => [p.name, p.status]).sort()).toEqual([['二台　1', 'inside'], ['二台　2', 'inside'], ['二台　3', 'outside']]);
      expect([seen.inside, seen.outside]).toEqual([2, 1]);
    }
    // 二台 1 is checked in at another shelter: they are there now, not here.
    expect((await upload(elsewhere, [nextElsewhere('checkin', byName(1, '二台'))])).statusCode).toBe(200);
    expect((await state(b)).people.map((p) => p.name).sort()).toEqual(['二台　2', '二台　3']);
    expect((await state(elsewhere)).people.map((p) => p.name)).toEqual(['二台　1']);
  });
});
