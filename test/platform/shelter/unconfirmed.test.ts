import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { alertReceipts, alerts, alertTargets } from '../../../platform/src/alerts/schema.js';
import { devices, households } from '../../../platform/src/db/schema/index.js';
import { DEMO_HOUSEHOLDS, DEMO_HOUSEHOLDS_2, DEMO_SHELTERS } from '../../../platform/src/demo/world.js';
import type { EventBatchResult, ShelterOverview, UnconfirmedList } from '../../../platform/src/shelter/shelter-schemas.js';
import { csvCell, unconfirmedCsv } from '../../../platform/src/shelter/unconfirmed.js';
import { buildTestApp } from '../../helpers/app.js';
import { eventMaker, householdMember, tabletWithStaff } from '../../helpers/shelter.js';
import { orgId, staffWithSession } from '../../helpers/staff.js';

const t = await buildTestApp({}, { demo: true });
const { app, database } = t;
const db = database.db;

let nanto: string;
let tablet: Awaited<ReturnType<typeof tabletWithStaff>>;
let officer: string;
let shelterStaff: string;
const people: Record<string, string> = {};

let sequence = 1;
const checkIn = (personId: string) => app.inject({
  method: 'POST', url: '/api/v1/shelter/events', headers: tablet.headers, payload: { events: [eventMaker(sequence++)('checkin', { method: 'household', personId })] },
});

/** An active alert of a municipality reaching the given households (as publishing leaves it). */
async function alertFor(municipalityId: string, contractNos: string[], identifier: string, status = 'Actual') {
  const [alert] = await db.insert(alerts).values({
    municipalityId, sender: 'test@nanto', identifier, sent: new Date(Date.now() - 3600_000).toISOString(), sentAt: new Date(Date.now() - 3600_000),
    bodyHash: identifier, format: 'cap-1.2', status, msgType: 'Alert', state: 'active', level: '4',
    expiresAt: new Date(Date.now() + 86_400_000), channel: 'cli', document: {},
  }).returning();
  for (const contractNo of contractNos) {
    const [h] = await db.select().from(households).where(eq(households.contractNo, contractNo));
    await db.insert(alertTargets).values({ alertId: alert!.id, householdId: h!.id, districtId: h!.districtId, matchedBy: 'code' });
  }
  return alert!.id;
}

beforeAll(async () => {
  nanto = await orgId(db, '162108');
  tablet = await tabletWithStaff(db, nanto, DEMO_SHELTERS[0].name);
  officer = (await staffWithSession(db, nanto, ['municipality.disaster'])).authorization;
  shelterStaff = (await staffWithSession(db, nanto, ['municipality.shelter_staff'])).authorization;
  for (const [name, contractNo] of [['山田　太郎', 'CATV-0001'], ['=HYPERLINK("x")', 'CATV-0001'], ['佐藤　一郎', 'CATV-0002'], ['高橋　三郎', 'CATV-0101']] as const) {
    people[name] = await householdMember(db, name, contractNo);
  }
  const alertId = await alertFor(nanto, ['CATV-0001', 'CATV-0002'], 'nanto-1');
  await alertFor(await orgId(db, '162086'), ['CATV-0101'], 'tonami-1');
  // 佐藤さん宅's TV answered 「自宅で安全です」.
  const [sato] = await db.select().from(households).where(eq(households.contractNo, 'CATV-0002'));
  await db.insert(alertReceipts).values({ alertId, deviceId: DEMO_HOUSEHOLDS[1].tv.id, householdId: sato!.id, kind: 'acknowledged', answer: 'safe_at_home' });
  expect((await db.select().from(devices).where(eq(devices.id, DEMO_HOUSEHOLDS_2[0].tv.id)))).toHaveLength(1);
  // 山田　太郎 is already at a shelter.
  const res = await checkIn(people['山田　太郎']!);
  expect((res.json() as EventBatchResult).results[0]!.status).toBe('recorded');
});

const list = async (auth: string, query = '') => app.inject({ method: 'GET', url: `/api/v1/console/shelters/unconfirmed${query}`, headers: { authorization: auth } });

describe('安否未確認 (not yet confirmed safe)', () => {
  it('lists the alerted households\' members neither seen at a shelter nor answered safe on the TV, own municipality only', async () => {
    // 佐藤さん宅 answered safe, 山田　太郎 was checked in, 高橋さん宅 is another municipality's.
    const hanako = await householdMember(db, '確認　花子', 'CATV-0001');
    const before = (await list(officer)).json() as UnconfirmedList;
    expect(before.people.map((p) => p.name).sort()).toEqual(['=HYPERLINK("x")', '確認　花子'].sort());

    // She checks in at a shelter: she is off the list; her housemate is still on it.
    expect(((await checkIn(hanako)).json() as EventBatchResult).results[0]!.status).toBe('recorded');
    const after = (await list(officer)).json() as UnconfirmedList;
    expect(after.people.map((p) => p.name)).toEqual(['=HYPERLINK("x")']);
    expect(after.people[0]).toMatchObject({ districtCode: 'johana', household: '山田さん宅' });
    expect(((await list(officer, '?district=inami')).json() as UnconfirmedList).people).toEqual([]);
  });

  it('shows names only to roles with evacuees.read; the overview counts per district for shelters.read', async () => {
    const refused = await list(shelterStaff);
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'STAFF_PERMISSION_DENIED']);
    const overview = (await app.inject({ method: 'GET', url: '/api/v1/console/shelters', headers: { authorization: shelterStaff } })).json() as ShelterOverview;
    expect(overview.unconfirmed).toEqual([{ districtCode: 'johana', district: '城端地域', count: 1 }]);
    expect(overview.arrivals.reduce((n, a) => n + a.count, 0)).toBeGreaterThanOrEqual(1);
    expect(overview.arrivals.every((a) => new Date(a.hour).getUTCMinutes() === 0)).toBe(true);
    expect(JSON.stringify(overview)).not.toContain('HYPERLINK');
  });

  it('refuses a malformed district filter with REQ_INVALID', async () => {
    const res = await list(officer, '?district=%3Cscript%3E');
    expect([res.statusCode, res.json().error.code]).toEqual([400, 'REQ_INVALID']);
  });

  it('exports CSV with a BOM, CRLF, quoting, and formula cells kept text', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/console/shelters/unconfirmed.csv', headers: { authorization: officer } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain('attachment');
    expect(res.body).toBe('\uFEFF地区,世帯,氏名,住所\r\n城端地域,山田さん宅,"\'=HYPERLINK(""x"")",\r\n');
  });

  it('counts only Actual alerts: a Test or Exercise alert puts nobody on the door-to-door list', async () => {
    // 佐藤さん宅 answered safe to the real alert; a Test and an Exercise alert reach it too, unanswered.
    const names = async () => ((await list(officer)).json() as UnconfirmedList).people.map((p) => p.name).sort();
    const before = await names();
    await alertFor(nanto, ['CATV-0002'], 'nanto-test', 'Test');
    await alertFor(nanto, ['CATV-0002'], 'nanto-exercise', 'Exercise');
    expect(await names()).toEqual(before);
    expect(before).not.toContain('佐藤　一郎');
    const overview = (await app.inject({ method: 'GET', url: '/api/v1/console/shelters', headers: { authorization: officer } })).json() as ShelterOverview;
    expect(overview.unconfirmed.map((d) => d.districtCode)).toEqual(['johana']);
  });

  it('csvCell guards = + - @ tab and CR, and quotes commas, quotes and line breaks', () => {
    expect(['=1+1', '+81', '-3', '@SUM(A1)', '\tx', '\rx', 'a,b', 'say "hi"', 'two\nlines', '普通', null].map(csvCell))
      .toEqual(["'=1+1", "'+81", "'-3", "'@SUM(A1)", "'\tx", "\"'\rx\"", '"a,b"', '"say ""hi"""', '"two\nlines"', '普通', '']);
    expect(unconfirmedCsv([])).toBe('\uFEFF地区,世帯,氏名,住所\r\n');
  });
});

describe('a batch decides "already here" in order, in memory', () => {
  it('counts a check-in twice in one batch once, and a check-in after going outside as a fresh one', async () => {
    const person = await householdMember(db, '重複　確認', 'CATV-0001');
    const next = eventMaker(sequence);
    sequence += 4;
    const subject = { method: 'household' as const, personId: person };
    const res = await app.inject({ method: 'POST', url: '/api/v1/shelter/events', headers: tablet.headers, payload: { events: [
      next('checkin', subject), next('checkin', subject), next('outside', { method: 'person', personId: person }), next('checkin', subject),
    ] } });
    const results = (res.json() as EventBatchResult).results;
    expect(results.map((r) => (r.status === 'refused' ? r.error.code : r.outcome.alreadyHere))).toEqual([false, true, false, false]);
  });
});
