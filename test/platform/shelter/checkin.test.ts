import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { shelterEvents, shelters } from '../../../platform/src/db/schema/index.js';
import { DEMO_SHELTERS } from '../../../platform/src/demo/world.js';
import type { CheckinEvent, EventBatchResult, ShelterState, Whitelist } from '../../../platform/src/shelter/shelter-schemas.js';
import { toBase64 } from '../../../platform/src/shared/base64.js';
import { digestInfoForMessage } from '../../../platform/src/shared/digest-info.js';
import { shelterCheckinMessage } from '../../../platform/src/shared/shelter-subject.js';
import { buildTestApp } from '../../helpers/app.js';
import { CardInReader } from '../../helpers/card-in-reader.js';
import { eventMaker, householdMember, registerResident, shelterOfItsOwn, tabletWithStaff } from '../../helpers/shelter.js';
import { orgId, staffWithSession } from '../../helpers/staff.js';

const t = await buildTestApp({}, { demo: true });
const { app, database, jpki } = t;
const db = database.db;
const SHELTER = DEMO_SHELTERS[0].name;

let taroCert: string;
let suzukiCert: string;
let taro: string;
let hanako: string;
let child: string;
let nanto: string;
let tablet: Awaited<ReturnType<typeof tabletWithStaff>>;

beforeAll(async () => {
  nanto = await orgId(db, '162108');
  for (const [name, set] of [['yamada-taro', (c: string) => (taroCert = c)], ['suzuki-jiro', (c: string) => (suzukiCert = c)]] as const) {
    const card = await CardInReader.insert(name);
    set(await card.authCertificate());
    await card.close();
  }
  taro = await registerResident(db, jpki, taroCert, '山田　太郎', 'CATV-0001');
  hanako = await householdMember(db, '山田　花子', 'CATV-0001');
  child = await householdMember(db, '山田　一', 'CATV-0001');
  // 鈴木　次郎's auth certificate is on hold in the CRL: registered while it was good.
  await registerResident(db, jpki, suzukiCert, '鈴木　次郎', 'CATV-0002');
  tablet = await tabletWithStaff(db, nanto, SHELTER);
});

const upload = (events: CheckinEvent[], headers: Record<string, string> = tablet.headers) =>
  app.inject({ method: 'POST', url: '/api/v1/shelter/events', headers, payload: { events } });
const state = async (headers: Record<string, string> = tablet.headers) => (await app.inject({ method: 'GET', url: '/api/v1/shelter/state', headers })).json() as ShelterState;
const results = async (events: CheckinEvent[], headers: Record<string, string> = tablet.headers) => {
  const res = await upload(events, headers);
  expect(res.statusCode).toBe(200);
  return (res.json() as EventBatchResult).results;
};

/** A shelter of its own (and a tablet there) for a test that counts who is inside: no other test's people are there. */
const ownTablet = async () => tabletWithStaff(db, nanto, await shelterOfItsOwn(db, nanto));

describe('the tablet needs both the tablet and a shelter staff session', () => {
  it('refuses a missing staff session, a TV, a staff member without shelters.checkin, and another municipality', async () => {
    const get = (headers: Record<string, string>) => app.inject({ method: 'GET', url: '/api/v1/shelter/whitelist', headers });
    expect((await get({ 'x-device': tablet.headers['x-device'] })).json().error.code).toBe('AUTH_REQUIRED');
    expect((await get({ authorization: tablet.headers.authorization })).json().error.code).toBe('AUTH_DEVICE_UNKNOWN');
    expect((await get({ ...tablet.headers, 'x-device': '00000000-0000-4000-8000-000000000101:demo-tv-yamada' })).json().error.code).toBe('AUTH_FORBIDDEN');
    const facilities = await staffWithSession(db, nanto, ['municipality.facilities']);
    expect((await get({ ...tablet.headers, authorization: facilities.authorization })).json().error.code).toBe('STAFF_PERMISSION_DENIED');
    const tonami = await staffWithSession(db, await orgId(db, '162086'), ['municipality.shelter_staff']);
    const foreign = await get({ ...tablet.headers, authorization: tonami.authorization });
    expect([foreign.statusCode, foreign.json().error.code]).toEqual([403, 'STAFF_OUT_OF_SCOPE']);
  });
});

describe('whitelist', () => {
  it("keys the municipality's carded residents by a salted digest of the certificate, with name and household only", async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/shelter/whitelist', headers: tablet.headers });
    expect(res.statusCode).toBe(200);
    const list = res.json() as Whitelist;
    const der = createHash('sha256').update(Buffer.from(taroCert, 'base64')).digest();
    const key = createHash('sha256').update(Buffer.from(list.salt, 'hex')).update(der).digest('hex');
    expect(list.cards).toContainEqual({ key, personId: taro });
    expect(list.people).toContainEqual({ personId: hanako, name: '山田　花子', householdId: expect.any(String) });
    expect(Object.keys(list.people[0]!).sort()).toEqual(['householdId', 'name', 'personId']);
    expect(JSON.stringify(list)).not.toContain(der.toString('hex'));
    const again = (await app.inject({ method: 'GET', url: '/api/v1/shelter/whitelist', headers: tablet.headers })).json() as Whitelist;
    expect(again.salt).not.toBe(list.salt);
  });
});

describe('check-in events', () => {
  it('checks in by card, answers a replay with the original result, and counts a second check-in once', async () => {
    const { headers } = await ownTablet();
    const next = eventMaker(1);
    const first = next('checkin', { method: 'card', certificate: taroCert });
    const [recorded] = await results([first], headers);
    expect(recorded).toEqual({ eventId: first.eventId, status: 'recorded', outcome: { personId: taro, name: '山田　太郎', alreadyHere: false, flags: [] } });
    const [replayed] = await results([first], headers);
    expect(replayed).toEqual({ ...recorded, status: 'replayed' });
    const [twice] = await results([next('checkin', { method: 'card', certificate: taroCert })], headers);
    expect(twice).toMatchObject({ status: 'recorded', outcome: { alreadyHere: true } });
    const now = await state(headers);
    expect(now.people.filter((p) => p.personId === taro)).toHaveLength(1);
    expect(now.inside).toBe(1);
    expect(await db.select().from(shelterEvents).where(eq(shelterEvents.eventId, first.eventId))).toHaveLength(1);
  });

  it('adds household members by key, records a by-name check-in as such, and projects outside, move and check-out', async () => {
    const { headers } = await ownTablet();
    const next = eventMaker(100);
    const [toShelter] = await db.select().from(shelters).where(eq(shelters.name, DEMO_SHELTERS[1].name));
    const out = await results([
      next('checkin', { method: 'household', personId: hanako }),
      next('checkin', { method: 'household', personId: child }),
      next('checkin', { method: 'name', name: '旅行　者', birthDate: '1990-01-02' }),
      next('outside', { method: 'person', personId: hanako }),
      next('move', { method: 'person', personId: child }, { toShelterId: toShelter!.id }),
    ], headers);
    expect(out.map((r) => r.status)).toEqual(['recorded', 'recorded', 'recorded', 'recorded', 'recorded']);
    expect(out[2]).toMatchObject({ outcome: { personId: null, name: '旅行　者', flags: ['no-card'] } });
    const now = await state(headers);
    expect(now.people.find((p) => p.personId === hanako)).toMatchObject({ status: 'outside', method: 'person' });
    expect(now.people.find((p) => p.name === '旅行　者')).toMatchObject({ status: 'inside', method: 'name', personId: null });
    expect(now.people.find((p) => p.personId === child)).toBeUndefined();
    expect([now.inside, now.outside]).toEqual([1, 1]);

    await results([next('checkout', { method: 'name', name: '旅行　者', birthDate: '1990-01-02' })], headers);
    expect((await state(headers)).inside).toBe(0);
  });

  it('checks in a card revoked since the list was cached, and flags it for staff', async () => {
    const [res] = await results([eventMaker(200)('checkin', { method: 'card', certificate: suzukiCert })]);
    expect(res).toMatchObject({ status: 'recorded', outcome: { name: '鈴木　次郎', flags: ['revoked'] } });
    const [row] = await db.select().from(shelterEvents).where(eq(shelterEvents.eventId, res!.eventId));
    expect(row).toMatchObject({ revocation: 'revoked', method: 'card' });
    expect((await state()).people.find((p) => p.name === '鈴木　次郎')).toMatchObject({ status: 'inside', flags: ['revoked'] });
  });

  it('refuses per event, storing the rest: a reused sequence, an unknown person, a bad move, an unregistered card', async () => {
    const next = eventMaker(300);
    const good = next('checkin', { method: 'household', personId: hanako });
    const reused = { ...next('checkin', { method: 'household', personId: child }), sequence: good.sequence };
    const unknown = next('checkin', { method: 'person', personId: '00000000-0000-4000-8000-00000000dead' });
    const badMove = next('move', { method: 'person', personId: hanako }, { toShelterId: tablet.shelter.id });
    // 花子's card: her person has no card in this file (the PIN test registers 伊藤's).
    const card = await CardInReader.insert('yamada-hanako');
    const stranger = next('checkin', { method: 'card', certificate: await card.authCertificate() });
    await card.close();
    const out = await results([good, reused, unknown, badMove, stranger]);
    expect(out.map((r) => (r.status === 'refused' ? r.error.code : r.status))).toEqual(['recorded', 'SHELTER_SEQUENCE_REUSED', 'SHELTER_PERSON_UNKNOWN', 'SHELTER_MOVE_TARGET_INVALID', 'AUTH_NOT_REGISTERED']);
  });

  it("refuses another tablet's event id, and the database refuses to change a stored event", async () => {
    const [mine] = await results([eventMaker(400)('checkout', { method: 'person', personId: hanako })]);
    const other = await tabletWithStaff(db, nanto, SHELTER);
    const res = await upload([{ ...eventMaker(1)('checkin', { method: 'person', personId: hanako }), eventId: mine!.eventId }], other.headers);
    expect((res.json() as EventBatchResult).results[0]).toMatchObject({ status: 'refused', error: { code: 'SHELTER_EVENT_ID_TAKEN' } });
    const refusedBy = (query: Promise<unknown>) => query.then(() => 'changed', (e: Error) => String((e.cause as Error | undefined)?.message ?? e.message));
    expect(await refusedBy(db.execute(sql`update shelter_events set kind = 'checkin' where event_id = ${mine!.eventId}`))).toMatch(/immutable/);
    expect(await refusedBy(db.execute(sql`delete from shelter_events where event_id = ${mine!.eventId}`))).toMatch(/immutable/);
  });

  it('refuses a malformed event id (not a UUIDv7) with REQ_INVALID', async () => {
    const res = await upload([{ ...eventMaker(500)('checkin', { method: 'person', personId: hanako }), eventId: crypto.randomUUID() }]);
    expect([res.statusCode, res.json().error.code]).toEqual([400, 'REQ_INVALID']);
  });
});


describe('console: live occupancy and tablets', () => {
  it("shows the caller's municipality's shelters with occupancy and each tablet's events, and nothing of another municipality", async () => {
    const own = await ownTablet();
    const next = eventMaker(1);
    const res = await upload([next('checkin', { method: 'name', name: '甲', birthDate: '2000-01-01' }), next('outside', { method: 'name', name: '乙', birthDate: '2000-01-01' })], own.headers);
    expect(res.statusCode).toBe(200);
    const disaster = await staffWithSession(db, nanto, ['municipality.disaster']);
    const view = (await app.inject({ method: 'GET', url: '/api/v1/console/shelters', headers: { authorization: disaster.authorization } })).json() as import('../../../platform/src/shelter/shelter-schemas.js').ShelterOverview;
    const shelter = view.shelters.find((s) => s.id === own.shelter.id)!;
    expect(shelter).toMatchObject({ capacity: 50, inside: 1, outside: 1 });
    expect(shelter.tablets.find((t) => t.deviceId === own.tablet.id)).toMatchObject({ events: 2, lastEventAt: expect.any(String) });
    const tonami = await staffWithSession(db, await orgId(db, '162086'), ['municipality.disaster']);
    const theirs = (await app.inject({ method: 'GET', url: '/api/v1/console/shelters', headers: { authorization: tonami.authorization } })).json();
    expect(JSON.stringify(theirs)).not.toContain(own.shelter.id);
  });
});

describe('a shelter where the municipality requires the PIN', () => {
  it('refuses a card tap without the PIN, accepts the card\'s signature over that event at that shelter, and refuses one made for another', async () => {
    const pinTablet = await tabletWithStaff(db, nanto, DEMO_SHELTERS[2].name);
    const officer = await staffWithSession(db, nanto, ['municipality.disaster']);
    const set = await app.inject({ method: 'PUT', url: `/api/v1/console/shelters/${pinTablet.shelter.id}/settings`, headers: { authorization: officer.authorization }, payload: { requirePin: true } });
    expect(set.json()).toEqual({ shelterId: pinTablet.shelter.id, requirePin: true });
    const list = (await app.inject({ method: 'GET', url: '/api/v1/shelter/whitelist', headers: pinTablet.headers })).json() as Whitelist;
    expect(list.shelter.requirePin).toBe(true);

    // 伊藤　四郎, registered for this test in 佐藤さん's household (so the other tests' people stay where they are).
    const card = await CardInReader.insert('ito-shiro');
    const itoCert = await card.authCertificate();
    const ito = await registerResident(db, jpki, itoCert, '伊藤　四郎', 'CATV-0002');
    const next = eventMaker(1);
    const signed = async (eventId: string) =>
      (await card.sign('auth', '8642', toBase64(digestInfoForMessage(new TextEncoder().encode(shelterCheckinMessage(eventId, pinTablet.shelter.id)))))).signature;
    const bare = next('checkin', { method: 'card', certificate: itoCert });
    const withPin = next('checkin', { method: 'card', certificate: itoCert });
    withPin.subject = { method: 'card', certificate: itoCert, signature: await signed(withPin.eventId) };
    const borrowed = next('checkin', { method: 'card', certificate: itoCert, signature: await signed(bare.eventId) });
    await card.close();
    const res = await upload([bare, withPin, borrowed], pinTablet.headers);
    const out = (res.json() as EventBatchResult).results;
    expect(out.map((r) => (r.status === 'refused' ? r.error.code : r.status))).toEqual(['SHELTER_PIN_REQUIRED', 'recorded', 'PKI_SIGNATURE_INVALID']);
    expect(out[1]).toMatchObject({ outcome: { personId: ito, flags: ['pin'] } });
  });
});
