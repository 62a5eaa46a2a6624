import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveServerMessage } from '../../../platform/src/console/console-schemas.js';
import { LIVE_CLOSE } from '../../../platform/src/console/live.js';
import { DEMO_HOUSEHOLDS } from '../../../platform/src/demo/world.js';
import { CLI_ACTOR } from '../../../platform/src/identity/audit.js';
import { organisationByCode, removeStaff } from '../../../platform/src/staff/staff.js';
import { eq } from 'drizzle-orm';
import { alertReceipts } from '../../../platform/src/alerts/schema.js';
import { households } from '../../../platform/src/db/schema/index.js';
import { publishedAlert } from '../../helpers/alerts.js';
import { buildTestApp } from '../../helpers/app.js';
import { CardInReader } from '../../helpers/card-in-reader.js';
import { LiveConsole } from '../../helpers/live-console.js';
import { FIXTURE_CARDS } from '../../helpers/jpki-fixtures.js';
import { orgId, staffWithSession } from '../../helpers/staff.js';

const t = await buildTestApp({}, { demo: true });
const { app, database } = t;
const db = database.db;
const TV = `Device ${DEMO_HOUSEHOLDS[0].tv.id}:${DEMO_HOUSEHOLDS[0].tv.secret}`;

const Live = LiveConsole;
const isDashboard = (m: LiveServerMessage): m is Extract<LiveServerMessage, { type: 'dashboard' }> => m.type === 'dashboard';
const isReady = (m: LiveServerMessage): m is Extract<LiveServerMessage, { type: 'ready' }> => m.type === 'ready';
const isEnded = (m: LiveServerMessage): m is Extract<LiveServerMessage, { type: 'ended' }> => m.type === 'ended';
const counter = (m: Extract<LiveServerMessage, { type: 'dashboard' }>, key: string) => m.data.counters.find((c) => c.key === key)?.value;
const lastMinuteLogins = (m: Extract<LiveServerMessage, { type: 'dashboard' }>) => m.data.series.find((s) => s.key === 'logins')!.points.reduce((n, [, v]) => n + v, 0);

let taro: CardInReader;
let liveUrl = '';
beforeAll(async () => {
  liveUrl = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('http:', 'ws:');
  taro = await CardInReader.insert('yamada-taro');
});
afterAll(async () => {
  await taro.close();
});

async function registerAndLogin() {
  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, headers: { authorization: TV }, payload });
  const draft = (await post('/api/v1/registrations/drafts', { district: 'johana' })).json();
  const pins = FIXTURE_CARDS['yamada-taro'];
  const sign = await taro.sign('sign', pins.signPin, draft.sign.digestInfo);
  const auth = await taro.sign('auth', pins.authPin, draft.auth.digestInfo);
  const submitted = (await post('/api/v1/registrations', {
    draftId: draft.draftId, signCertificate: sign.certificate, signSignature: sign.signature, authCertificate: auth.certificate, authSignature: auth.signature,
  })).json();
  const confirmed = await post(`/api/v1/registrations/${submitted.registrationId}/confirm`, {});
  expect(confirmed.statusCode).toBe(201);
  const nonce = (await post('/api/v1/nonces', { purpose: 'login' })).json();
  const signed = await taro.sign('auth', pins.authPin, nonce.digestInfo);
  const login = await post('/api/v1/sessions', { nonce: nonce.nonce, certificate: signed.certificate, signature: signed.signature });
  expect(login.statusCode).toBe(201);
}

describe('the console live channel', () => {
  it('authenticates by its first message, then pushes the dashboard, and the numbers move when a resident logs in', async () => {
    const admin = await staffWithSession(db, await orgId(db, 'catv-demo'), ['operator.admin']);
    const live = await Live.open(liveUrl);
    live.socket.send(JSON.stringify({ type: 'auth', token: admin.token }));
    const ready = await live.next(isReady);
    expect(ready.me.organisation.code).toBe('catv-demo');
    const first = await live.next(isDashboard);
    const personsBefore = counter(first, 'persons')!;
    const loginsBefore = lastMinuteLogins(first);

    const seen = live.messages.length;
    await registerAndLogin();
    const moved = await live.next((m): m is Extract<LiveServerMessage, { type: 'dashboard' }> => isDashboard(m) && lastMinuteLogins(m) > loginsBefore, seen);
    expect(counter(moved, 'persons')).toBe(personsBefore + 1);
    expect(lastMinuteLogins(moved)).toBe(loginsBefore + 1);
    expect(counter(moved, 'tvsOnline')).toBeGreaterThanOrEqual(1);
    live.socket.close();
  });

  it("shows a municipality only its districts' households", async () => {
    const officer = await staffWithSession(db, await orgId(db, '162086'), ['municipality.disaster']);
    const res = await app.inject({ method: 'GET', url: '/api/v1/console/dashboard', headers: { authorization: officer.authorization } });
    expect(res.statusCode).toBe(200);
    const households = res.json().counters.find((c: { key: string }) => c.key === 'households').value;
    expect(households).toBe(1); // 砺波市 has one demo household; 南砺市's two are not counted
  });

  it('closes at once when the staff member is removed', async () => {
    const org = await organisationByCode(db, 'catv-demo');
    const support = await staffWithSession(db, org.id, ['operator.support']);
    const live = await Live.open(liveUrl);
    live.socket.send(JSON.stringify({ type: 'auth', token: support.token }));
    await live.next(isReady);
    await removeStaff(db, org, support.staffId, CLI_ACTOR);
    expect((await live.next(isEnded)).code).toBe('AUTH_SESSION_EXPIRED');
    expect(await live.closure()).toBe(LIVE_CLOSE.ended);
  });

  it("pushes the funnel of the alert a disaster officer's console shows, again when a receipt comes in; another municipality's is refused", async () => {
    const nanto = await orgId(db, '162108');
    const { alertId } = await publishedAlert(db, nanto);
    const officer = await staffWithSession(db, nanto, ['municipality.disaster']);
    const live = await Live.open(liveUrl);
    live.socket.send(JSON.stringify({ type: 'auth', token: officer.token }));
    await live.next(isReady);
    live.socket.send(JSON.stringify({ type: 'watch-alert', alertId }));
    const isFunnel = (m: LiveServerMessage): m is Extract<LiveServerMessage, { type: 'alert-funnel' }> => m.type === 'alert-funnel';
    const first = await live.next(isFunnel);
    expect(first.data).toMatchObject({ alertId, totals: { targeted: 1, delivered: 0 } });

    const seen = live.messages.length;
    const [yamada] = await db.select().from(households).where(eq(households.contractNo, 'CATV-0001'));
    await db.insert(alertReceipts).values({ alertId, deviceId: DEMO_HOUSEHOLDS[0].tv.id, householdId: yamada!.id, kind: 'delivered' });
    // Wait for the push that counts the receipt: a funnel pushed for an earlier notification (on
    // PostgreSQL the publication's own NOTIFY can arrive after watch-alert) may come first.
    const moved = await live.next((m): m is Extract<LiveServerMessage, { type: 'alert-funnel' }> => isFunnel(m) && m.data.totals.delivered > 0, seen);
    expect(moved.data.totals).toMatchObject({ targeted: 1, delivered: 1 });

    const theirs = await publishedAlert(db, await orgId(db, '162086'));
    live.socket.send(JSON.stringify({ type: 'watch-alert', alertId: theirs.alertId }));
    const refused = await live.next((m): m is Extract<LiveServerMessage, { type: 'watch-refused' }> => m.type === 'watch-refused');
    expect(refused).toEqual({ type: 'watch-refused', alertId: theirs.alertId, code: 'STAFF_OUT_OF_SCOPE' });
    live.socket.close();

    // A role that may not read alerts is refused outright.
    const support = await staffWithSession(db, await orgId(db, 'catv-demo'), ['operator.support']);
    const other = await Live.open(liveUrl);
    other.socket.send(JSON.stringify({ type: 'auth', token: support.token }));
    await other.next(isReady);
    other.socket.send(JSON.stringify({ type: 'watch-alert', alertId }));
    expect((await other.next((m): m is Extract<LiveServerMessage, { type: 'watch-refused' }> => m.type === 'watch-refused')).code).toBe('STAFF_PERMISSION_DENIED');
    other.socket.close();
  });

  it('authenticates once per socket: an auth sent while the first is being checked closes it as malformed, and no viewer is left behind', async () => {
    const officer = await staffWithSession(db, await orgId(db, '162108'), ['municipality.shelter_staff']);
    const live = await Live.open(liveUrl);
    for (let i = 0; i < 5; i++) live.socket.send(JSON.stringify({ type: 'auth', token: officer.token }));
    expect(await live.closure()).toBe(LIVE_CLOSE.malformed);
    expect(live.messages.filter(isReady)).toEqual([]);
  });

  it('a flood of watch messages is closed as malformed; watches arriving together cost one more overview, not one each', async () => {
    const staff = await staffWithSession(db, await orgId(db, '162108'), ['municipality.shelter_staff']);
    const isShelters = (m: LiveServerMessage): m is Extract<LiveServerMessage, { type: 'shelters' }> => m.type === 'shelters';
    const isRefused = (m: LiveServerMessage): m is Extract<LiveServerMessage, { type: 'watch-refused' }> => m.type === 'watch-refused';
    const live = await Live.open(liveUrl);
    live.socket.send(JSON.stringify({ type: 'auth', token: staff.token }));
    await live.next(isReady);
    // 100 watches at once (within the allowance): the first computes the overview, the rest fold
    // into one more run. The refused watch-alert after them is answered once they were all read.
    for (let i = 0; i < 100; i++) live.socket.send(JSON.stringify({ type: 'watch-shelters', on: true }));
    live.socket.send(JSON.stringify({ type: 'watch-alert', alertId: '00000000-0000-4000-8000-000000000000' }));
    await live.next(isRefused);
    await live.next(isShelters);
    expect(live.messages.filter(isShelters).length).toBeLessThanOrEqual(2);
    // Past the allowance (a burst of 120, then 10 a second) the socket is closed.
    for (let i = 0; i < 200; i++) live.socket.send(JSON.stringify({ type: 'watch-shelters', on: false }));
    expect(await live.closure()).toBe(LIVE_CLOSE.malformed);
  });

  it('refuses a wrong token and a malformed first message, each with its close code', async () => {
    const wrong = await Live.open(liveUrl);
    wrong.socket.send(JSON.stringify({ type: 'auth', token: 'x'.repeat(43) }));
    expect((await wrong.next(isEnded)).code).toBe('AUTH_SESSION_EXPIRED');
    expect(await wrong.closure()).toBe(LIVE_CLOSE.ended);

    const garbled = await Live.open(liveUrl);
    garbled.socket.send('not json');
    expect(await garbled.closure()).toBe(LIVE_CLOSE.malformed);
  });
});
