import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TV_ALERT_CLOSE, TV_ALERT_PATH, type TvAlertServerMessage } from '../../../platform/src/alerts/alerts-schemas.js';
import { ingestAlert } from '../../../platform/src/alerts/ingest.js';
import { parseAlertDocument } from '../../../platform/src/alerts/parse.js';
import { ALERT_STORED_CHANNEL } from '../../../platform/src/alerts/announce.js';
import { tvAlertChannel } from '../../../platform/src/alerts/tv-channel.js';
import { tvConnector, type TvConnection } from '../../../platform/src/alerts/tv-connect.js';
import { homesOf } from '../../../platform/src/alerts/tv-homes.js';
import { writeReceipts } from '../../../platform/src/alerts/receipts.js';
import { alertReceipts } from '../../../platform/src/alerts/schema.js';
import type { DbHandle } from '../../../platform/src/db/client.js';
import { auditLog, devices, districts, householdMembers, households, persons } from '../../../platform/src/db/schema/index.js';
import { DEMO_HOUSEHOLDS } from '../../../platform/src/demo/world.js';
import { DEVICE_TEST_ALERTS_CHANNEL, DEVICE_WITHDRAWN_CHANNEL, withdrawDevice } from '../../../platform/src/identity/devices.js';
import { CONSOLE_PREFIX } from '../../../platform/src/staff/access.js';
import { capXml, type CapInput } from '../../helpers/cap-messages.js';
import { buildTestApp } from '../../helpers/app.js';
import { CardInReader } from '../../helpers/card-in-reader.js';
import { FIXTURE_CARDS } from '../../helpers/jpki-fixtures.js';
import { listenThatGoesDeaf } from '../../helpers/listen.js';
import { orgId, staffWithSession } from '../../helpers/staff.js';

const t = await buildTestApp({}, { demo: true });
const { app, database } = t;
const db = database.db;
const [YAMADA, SATO] = DEMO_HOUSEHOLDS;
const credential = (h: typeof YAMADA | typeof SATO) => `${h.tv.id}:${h.tv.secret}`;

let base = '';
beforeAll(async () => {
  base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('http:', 'ws:');
});
afterAll(async () => {
  for (const tv of open) tv.socket.close();
});

type Msg = TvAlertServerMessage;
type Of<T extends Msg['type']> = Extract<Msg, { type: T }>;
const open = new Set<Tv>();

/** A simulated TV on a real WebSocket, keeping every message it receives in order. */
class Tv {
  readonly messages: Msg[] = [];
  closed: { code: number } | null = null;
  private waiters: (() => void)[] = [];
  readonly socket: WebSocket;

  constructor(server = base) {
    this.socket = new WebSocket(`${server}${TV_ALERT_PATH}`);
    open.add(this);
    this.socket.on('message', (raw) => {
      this.messages.push(JSON.parse(String(raw)) as Msg);
      this.wake();
    });
    this.socket.on('close', (code) => {
      this.closed = { code };
      open.delete(this);
      this.wake();
    });
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Connects, authenticates with `have` as the resume cursor, and waits for `ready`. */
  static async connect(cred: string, have: string[] = [], server = base): Promise<Tv> {
    const tv = new Tv(server);
    await tv.next('hello');
    tv.send({ type: 'auth', credential: cred, have });
    await tv.next('ready');
    return tv;
  }

  send(message: object) {
    this.socket.send(JSON.stringify(message));
  }

  /** The first message of this type (from index `from` on) that matches; waits for it. */
  async next<T extends Msg['type']>(type: T, match: (m: Of<T>) => boolean = () => true, from = 0): Promise<Of<T>> {
    for (;;) {
      const found = this.messages.slice(from).find((m): m is Of<T> => m.type === type && match(m as Of<T>));
      if (found) return found;
      if (this.closed) throw new Error(`closed (${this.closed.code}) before a ${type} came`);
      await new Promise<void>((w) => this.waiters.push(w));
    }
  }

  /** Waits until the platform has confirmed `n` receipts for the alert as stored; their kinds. */
  async receipted(alertId: string, n: number): Promise<string[]> {
    for (;;) {
      const kinds = this.messages.flatMap((m) => (m.type === 'receipted' ? m.receipts : [])).filter((r) => r.alertId === alertId).map((r) => r.kind);
      if (kinds.length >= n) return kinds;
      if (this.closed) throw new Error(`closed (${this.closed.code}) with ${kinds.length} of ${n} receipts confirmed`);
      await new Promise<void>((w) => this.waiters.push(w));
    }
  }

  alertsReceived(): string[] {
    return this.messages.filter((m): m is Of<'alert'> => m.type === 'alert').map((m) => m.alert.id);
  }

  async close() {
    this.socket.close();
    while (!this.closed) await new Promise<void>((w) => this.waiters.push(w));
  }
}

async function ingest(input: Partial<CapInput> = {}) {
  const identifier = input.identifier ?? `tv-test-${randomUUID()}`;
  const { xml, sent } = capXml({ identifier, ...input });
  const out = await ingestAlert(db, { municipalityCode: '162108', alert: parseAlertDocument(Buffer.from(xml)), channel: 'cli', actor: 'operator:cli', defaultTtlSeconds: 3600 });
  return { id: out.alertId, identifier, sent };
}

/** 山田 太郎 registered on his household's TV and logged in there: his session token and person id. */
async function taroLoggedIn(): Promise<{ token: string; personId: string }> {
  const taro = await CardInReader.insert('yamada-taro');
  try {
    const TV = `Device ${credential(YAMADA)}`;
    const post = (url: string, payload: object) => app.inject({ method: 'POST', url, headers: { authorization: TV }, payload });
    const pins = FIXTURE_CARDS['yamada-taro'];
    const draft = (await post('/api/v1/registrations/drafts', { district: 'johana' })).json();
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
    return { token: login.json().token, personId: confirmed.json().personId };
  } finally {
    await taro.close();
  }
}

const receiptsOf = (alertId: string) => db.select({ kind: alertReceipts.kind, answer: alertReceipts.answer }).from(alertReceipts)
  .where(and(eq(alertReceipts.alertId, alertId), eq(alertReceipts.deviceId, YAMADA.tv.id))).orderBy(alertReceipts.kind);

describe('the TV alert channel', () => {
  it('tells each TV in ready how often it will hear from the platform, and sends a beat at least that often while nothing else comes (the TV takes silence for a dead link)', async () => {
    const proc = await processWith(tvConnector(db), { heartbeatMs: 300 });
    try {
      const tv = await Tv.connect(credential(YAMADA), [], proc.server);
      expect(tv.messages.find((m): m is Of<'ready'> => m.type === 'ready')!.heartbeatMs).toBe(300);
      await tv.next('beat');
      const second = await tv.next('beat', () => true, tv.messages.findIndex((m) => m.type === 'beat') + 1);
      expect(second).toEqual({ type: 'beat' });
      await tv.close();
    } finally {
      await proc.close();
    }
  });

  it('pushes an Actual alert to the targeted household with its own text: names or label, level, shelter and distance', async () => {
    const tv = await Tv.connect(credential(YAMADA));
    const a = await ingest({ headline: '城端地域に 避難指示' });
    const pushed = await tv.next('alert', (m) => m.alert.id === a.id);
    expect(pushed.replaces).toEqual([]);
    expect(pushed.alert.acknowledged).toBe(false);
    expect(pushed.alert.level).toBe('4');
    const [message] = pushed.alert.messages;
    expect(message!.title).toBe('警戒レベル4 避難指示');
    expect(message!.greeting).toMatch(/山田/);
    expect(message!.shelter?.name).toBe('城端小学校 体育館');
    expect(message!.lines).toContain('城端地域に 避難指示');
    await tv.close();
  });

  it('resumes: a TV that was off gets every still-active alert it lacks, once, and learns which of its own are gone', async () => {
    const first = await Tv.connect(credential(YAMADA));
    const a = await ingest();
    await first.next('alert', (m) => m.alert.id === a.id);
    await first.close();
    // While it is off: a new alert, and another one that is cancelled before it comes back.
    const b = await ingest();
    const c = await ingest();
    await ingest({ msgType: 'Cancel', references: [{ identifier: c.identifier, sent: c.sent }] });

    const before = Date.now();
    const again = await Tv.connect(credential(YAMADA), [a.id, c.id]);
    const ready = again.messages.find((m): m is Of<'ready'> => m.type === 'ready')!;
    // The platform's clock, by which the TV ends alerts (its own may be set wrong).
    expect(ready.now).toBeGreaterThanOrEqual(before);
    expect(ready.now).toBeLessThanOrEqual(Date.now());
    expect(ready.active).toContain(a.id);
    expect(ready.active).toContain(b.id);
    expect(ready.active).not.toContain(c.id);
    const bPushed = await again.next('alert', (m) => m.alert.id === b.id);
    expect(bPushed.alert.acknowledged).toBe(false);
    // A is held already: not sent again; B exactly once.
    const marker = await ingest();
    await again.next('alert', (m) => m.alert.id === marker.id);
    expect(again.alertsReceived().filter((id) => id === a.id)).toEqual([]);
    expect(again.alertsReceived().filter((id) => id === b.id)).toEqual([b.id]);
    await again.close();
  });

  it('stores delivered, displayed and acknowledged (with the answer) once, however often the TV says so', async () => {
    const tv = await Tv.connect(credential(YAMADA));
    const a = await ingest();
    await tv.next('alert', (m) => m.alert.id === a.id);
    for (let i = 0; i < 2; i++) {
      for (const kind of ['delivered', 'displayed'] as const) tv.send({ type: 'receipt', alertId: a.id, kind });
      tv.send({ type: 'receipt', alertId: a.id, kind: 'acknowledged', answer: 'evacuated' });
    }
    // Each confirmed once stored, however the platform grouped them into messages.
    expect((await tv.receipted(a.id, 6)).sort()).toEqual(['acknowledged', 'acknowledged', 'delivered', 'delivered', 'displayed', 'displayed']);
    expect(await receiptsOf(a.id)).toEqual([
      { kind: 'acknowledged', answer: 'evacuated' }, { kind: 'delivered', answer: null }, { kind: 'displayed', answer: null },
    ]);
    await tv.close();
    // Acknowledged once: on reconnecting without it the TV gets it back marked so (under 避難情報, no overlay).
    const again = await Tv.connect(credential(YAMADA));
    expect((await again.next('alert', (m) => m.alert.id === a.id)).alert.acknowledged).toBe(true);
    await again.close();
  });

  it('a TV that shows an alert at once sends only `displayed`: it is stored as delivered and displayed', async () => {
    const tv = await Tv.connect(credential(YAMADA));
    const a = await ingest();
    await tv.next('alert', (m) => m.alert.id === a.id);
    tv.send({ type: 'receipt', alertId: a.id, kind: 'displayed' });
    expect(await tv.receipted(a.id, 1)).toEqual(['displayed']);
    expect(await receiptsOf(a.id)).toEqual([{ kind: 'delivered', answer: null }, { kind: 'displayed', answer: null }]);
    await tv.close();
  });

  it('names the person who acknowledged when someone is logged in on the TV, and the household by name', async () => {
    const { token, personId } = await taroLoggedIn();
    const tv = await Tv.connect(credential(YAMADA));
    const a = await ingest();
    const pushed = await tv.next('alert', (m) => m.alert.id === a.id);
    expect(pushed.alert.messages[0]!.greeting).toMatch(/山田 太郎さん/);
    tv.send({ type: 'receipt', alertId: a.id, kind: 'acknowledged', answer: 'safe_at_home', session: token });
    await tv.next('receipted', (m) => m.receipts.some((r) => r.alertId === a.id && r.kind === 'acknowledged'));
    const [row] = await db.select({ personId: alertReceipts.personId, answer: alertReceipts.answer }).from(alertReceipts)
      .where(and(eq(alertReceipts.alertId, a.id), eq(alertReceipts.kind, 'acknowledged')));
    expect(row).toEqual({ personId, answer: 'safe_at_home' });
    await tv.close();
  });

  it('drops a receipt for a Test or Exercise alert from a TV not flagged for test alerts (it is never sent one), stores it from a flagged TV', async () => {
    const test = await ingest({ status: 'Test' });
    const exercise = await ingest({ status: 'Exercise' });
    const actual = await ingest();
    const yamadaHousehold = (await db.query.devices.findFirst({ where: (d, { eq: is }) => is(d.id, YAMADA.tv.id) }))!.householdId!;
    const base = { deviceId: YAMADA.tv.id, householdId: yamadaHousehold, answer: null, personId: null, receivedAt: new Date(), kinds: ['delivered'] as const };
    await writeReceipts(db, [test, exercise, actual].map((a) => ({ ...base, alertId: a.id })));
    expect(await receiptsOf(test.id)).toEqual([]);
    expect(await receiptsOf(exercise.id)).toEqual([]);
    expect(await receiptsOf(actual.id)).toEqual([{ kind: 'delivered', answer: null }]);
    // The same receipts from the TV once flagged: stored.
    await db.update(devices).set({ testAlerts: true }).where(eq(devices.id, YAMADA.tv.id));
    try {
      await writeReceipts(db, [test, exercise].map((a) => ({ ...base, alertId: a.id })));
    } finally {
      await db.update(devices).set({ testAlerts: false }).where(eq(devices.id, YAMADA.tv.id));
    }
    expect(await receiptsOf(test.id)).toEqual([{ kind: 'delivered', answer: null }]);
    expect(await receiptsOf(exercise.id)).toEqual([{ kind: 'delivered', answer: null }]);
  });

  it('writes a burst of receipts in one statement, and drops a receipt for an alert that does not target the household', async () => {
    const a = await ingest();
    const sato = await ingest({ district: 'inami' });
    const yamadaHousehold = (await db.query.devices.findFirst({ where: (d, { eq: is }) => is(d.id, YAMADA.tv.id) }))!.householdId!;
    const receivedAt = new Date(Date.now() - 5_000);
    const base = { deviceId: YAMADA.tv.id, householdId: yamadaHousehold, answer: null, personId: null, receivedAt };
    await writeReceipts(db, [
      { ...base, alertId: a.id, kinds: ['delivered', 'displayed'] },
      { ...base, alertId: sato.id, kinds: ['delivered'] },
    ]);
    await writeReceipts(db, [{ ...base, alertId: a.id, kinds: ['delivered'], receivedAt: new Date(receivedAt.getTime() + 60_000) }]);
    expect((await receiptsOf(a.id)).map((r) => r.kind)).toEqual(['delivered', 'displayed']);
    // Stamped when the platform received them (the first time), not when the batch was stored.
    const stamped = await db.select({ at: alertReceipts.at }).from(alertReceipts).where(and(eq(alertReceipts.alertId, a.id), eq(alertReceipts.deviceId, YAMADA.tv.id)));
    expect(stamped.map((r) => r.at.toISOString())).toEqual([receivedAt.toISOString(), receivedAt.toISOString()]);
    expect(await receiptsOf(sato.id)).toEqual([]);
  });

  it('replaces an alert by its Update and removes it on a Cancel', async () => {
    const tv = await Tv.connect(credential(YAMADA));
    const a = await ingest({ level: '3' });
    await tv.next('alert', (m) => m.alert.id === a.id);
    const u = await ingest({ msgType: 'Update', level: '5', references: [{ identifier: a.identifier, sent: a.sent }] });
    const updated = await tv.next('alert', (m) => m.alert.id === u.id);
    expect(updated.replaces).toEqual([a.id]);
    expect(updated.alert.messages[0]!.title).toBe('警戒レベル5 緊急安全確保');
    await ingest({ msgType: 'Cancel', references: [{ identifier: u.identifier, sent: u.sent }] });
    expect((await tv.next('withdrawn', (m) => m.alertIds.includes(u.id))).alertIds).toEqual([u.id]);
    await tv.close();
  });

  it('withdraws an alert whose Update arrives already expired (the Update, never targeted, is not shown)', async () => {
    const tv = await Tv.connect(credential(YAMADA));
    const a = await ingest({ sent: new Date(Date.now() - 3 * 3600_000) });
    await tv.next('alert', (m) => m.alert.id === a.id);
    const u = await ingest({ msgType: 'Update', references: [{ identifier: a.identifier, sent: a.sent }], sent: new Date(Date.now() - 2 * 3600_000), ttlSeconds: 3600 });
    expect(await tv.next('withdrawn', (m) => m.alertIds.includes(a.id))).toEqual({ type: 'withdrawn', alertIds: [a.id] });
    expect(tv.alertsReceived()).not.toContain(u.id);
    await tv.close();
  });

  it('never pushes a Test or Exercise message, nor another household\'s alert', async () => {
    const yamada = await Tv.connect(credential(YAMADA));
    const sato = await Tv.connect(credential(SATO));
    const test = await ingest({ status: 'Test' });
    const exercise = await ingest({ status: 'Exercise' });
    const inami = await ingest({ district: 'inami' });
    const johana = await ingest();
    // Pushes go out in the order the messages were stored: once the last is here, the others would have been.
    await yamada.next('alert', (m) => m.alert.id === johana.id);
    await sato.next('alert', (m) => m.alert.id === inami.id);
    expect(yamada.alertsReceived()).not.toContain(test.id);
    expect(yamada.alertsReceived()).not.toContain(exercise.id);
    expect(yamada.alertsReceived()).not.toContain(inami.id);
    expect(sato.alertsReceived()).not.toContain(johana.id);
    await yamada.close();
    await sato.close();
  });

  it('refuses a wrong or absent credential with its code, and a malformed message', async () => {
    const wrong = new Tv();
    await wrong.next('hello');
    wrong.send({ type: 'auth', credential: `${YAMADA.tv.id}:not-the-secret`, have: [] });
    expect((await wrong.next('refused')).code).toBe('AUTH_DEVICE_UNKNOWN');
    await wrong.close();
    expect(wrong.closed!.code).toBe(TV_ALERT_CLOSE.refused);

    const absent = new Tv();
    await absent.next('hello');
    absent.send({ type: 'receipt', alertId: randomUUID(), kind: 'delivered' });
    expect((await absent.next('refused')).code).toBe('AUTH_DEVICE_UNKNOWN');
    await absent.close();
    expect(absent.closed!.code).toBe(TV_ALERT_CLOSE.refused);

    const garbled = new Tv();
    await garbled.next('hello');
    garbled.send({ type: 'auth', credential: credential(YAMADA) });
    expect((await garbled.next('refused')).code).toBe('REQ_INVALID');
    await garbled.close();
    expect(garbled.closed!.code).toBe(TV_ALERT_CLOSE.malformed);
  });

  it('cuts off a TV flooding messages (REQ_RATE_LIMITED) before they become database work; a reconnect resending every pending receipt is no flood', async () => {
    const tv = await Tv.connect(credential(YAMADA));
    // What a TV back online sends at once: every unconfirmed receipt (stb-ui pending-receipts.ts keeps at most 200).
    const pending = Array.from({ length: 200 }, () => randomUUID());
    for (const alertId of pending) tv.send({ type: 'receipt', alertId, kind: 'displayed' });
    expect(await tv.receipted(pending[199]!, 1)).toEqual(['displayed']);
    expect(tv.messages.some((m) => m.type === 'refused')).toBe(false);
    // A stolen credential in a script: thousands a second, each with a session token to look up.
    for (let i = 0; i < 1000; i++) tv.send({ type: 'receipt', alertId: randomUUID(), kind: 'acknowledged', session: 'x'.repeat(40) });
    expect((await tv.next('refused')).code).toBe('REQ_RATE_LIMITED');
    await tv.close();
    expect(tv.closed!.code).toBe(TV_ALERT_CLOSE.malformed);
  });

  it('tells the TV when an alert it holds expires, so the overlay goes', async () => {
    const tv = await Tv.connect(credential(YAMADA));
    const a = await ingest({ ttlSeconds: 3 });
    const pushed = await tv.next('alert', (m) => m.alert.id === a.id);
    // The push is what ends it: the TV is not trusted to watch the clock (it may have none set).
    const gone = await tv.next('withdrawn', (m) => m.alertIds.includes(a.id));
    expect(gone).toEqual({ type: 'withdrawn', alertIds: [a.id], reason: 'expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(pushed.alert.expiresAt));
    // Held from before (the resume cursor) and expiring while connected: told too.
    const b = await ingest({ ttlSeconds: 4 });
    await tv.next('alert', (m) => m.alert.id === b.id);
    await tv.close();
    const again = await Tv.connect(credential(YAMADA), [b.id]);
    expect((await again.next('withdrawn', (m) => m.alertIds.includes(b.id))).reason).toBe('expired');
    await again.close();
  });

  it('an Update that only extends the expiry is not a new alarm: acknowledged stays acknowledged, live and on resume', async () => {
    const tv = await Tv.connect(credential(YAMADA));
    const a = await ingest({ ttlSeconds: 600 });
    await tv.next('alert', (m) => m.alert.id === a.id);
    tv.send({ type: 'receipt', alertId: a.id, kind: 'acknowledged', answer: 'safe_at_home' });
    await tv.next('receipted', (m) => m.receipts.some((r) => r.alertId === a.id && r.kind === 'acknowledged'));
    const extended = await ingest({ msgType: 'Update', ttlSeconds: 7200, references: [{ identifier: a.identifier, sent: a.sent }] });
    const pushed = await tv.next('alert', (m) => m.alert.id === extended.id);
    expect(pushed).toMatchObject({ replaces: [a.id], extension: true, alert: { acknowledged: true } });
    expect(Date.parse(pushed.alert.expiresAt)).toBeGreaterThan(Date.now() + 3600_000);
    expect(await receiptsOf(extended.id)).toContainEqual({ kind: 'acknowledged', answer: 'safe_at_home' });
    await tv.close();
    const again = await Tv.connect(credential(YAMADA));
    expect((await again.next('alert', (m) => m.alert.id === extended.id)).alert.acknowledged).toBe(true);
    // A change of what residents are told (the level) is a new alarm.
    const raised = await ingest({ msgType: 'Update', level: '5', ttlSeconds: 7200, references: [{ identifier: extended.identifier, sent: extended.sent }] });
    const loud = await again.next('alert', (m) => m.alert.id === raised.id);
    expect(loud).toMatchObject({ replaces: [extended.id], alert: { acknowledged: false } });
    expect(loud.extension).toBeUndefined();
    await again.close();
  });

  it('shows Test and Exercise messages only on a TV the operator flagged for test alerts (console, audited)', async () => {
    const catv = await orgId(db, 'catv-demo');
    const admin = await staffWithSession(db, catv, ['operator.admin']);
    const contractNo = `TEST-${randomUUID().slice(0, 8)}`;
    const [johana] = await db.select({ id: districts.id }).from(districts).where(eq(districts.code, 'johana'));
    await db.insert(households).values({ operatorId: catv, contractNo, districtId: johana!.id, label: '試験用テレビ宅', latitude: 36.512, longitude: 136.88 });
    const call = (method: 'POST' | 'PUT', url: string, payload: object) => app.inject({ method, url, headers: { authorization: admin.authorization }, payload });
    const provisioned = (await call('POST', `${CONSOLE_PREFIX}/devices`, { contractNo, label: '試験用' })).json();
    const flag = await call('PUT', `${CONSOLE_PREFIX}/devices/${provisioned.id}/test-alerts`, { testAlerts: true });
    expect([flag.statusCode, flag.json()]).toEqual([200, { id: provisioned.id, testAlerts: true }]);
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.subject, provisioned.id), eq(auditLog.action, 'device.test_alerts')));
    expect(audited.map((e) => e.data)).toEqual([expect.objectContaining({ testAlerts: true })]);

    const flagged = await Tv.connect(provisioned.credential.replace(/^Device /, ''));
    const yamada = await Tv.connect(credential(YAMADA));
    const test = await ingest({ status: 'Test' });
    const exercise = await ingest({ status: 'Exercise' });
    const actual = await ingest();
    expect((await flagged.next('alert', (m) => m.alert.id === test.id)).alert.status).toBe('Test');
    expect((await flagged.next('alert', (m) => m.alert.id === exercise.id)).alert.status).toBe('Exercise');
    await flagged.next('alert', (m) => m.alert.id === actual.id);
    await yamada.next('alert', (m) => m.alert.id === actual.id);
    expect(yamada.alertsReceived()).not.toContain(test.id);
    expect(yamada.alertsReceived()).not.toContain(exercise.id);
    // On resume too: the flagged TV gets them back, the other never.
    await flagged.close();
    const back = await Tv.connect(provisioned.credential.replace(/^Device /, ''));
    expect(back.messages.find((m): m is Of<'ready'> => m.type === 'ready')!.active).toEqual(expect.arrayContaining([test.id, exercise.id, actual.id]));
    await yamada.close();
    const yamadaBack = await Tv.connect(credential(YAMADA));
    expect(yamadaBack.messages.find((m): m is Of<'ready'> => m.type === 'ready')!.active).not.toContain(test.id);
    // Unflagged: the same TV shows them no more (after reconnecting).
    const unflag = await call('PUT', `${CONSOLE_PREFIX}/devices/${provisioned.id}/test-alerts`, { testAlerts: false });
    expect(unflag.json()).toEqual({ id: provisioned.id, testAlerts: false });
    // Connected when the flag went: it is asked to connect again (close 4003), and resumes without them.
    while (!back.closed) await back.next('never' as Msg['type']).catch(() => undefined);
    expect(back.closed.code).toBe(TV_ALERT_CLOSE.reconnect);
    const plain = await Tv.connect(provisioned.credential.replace(/^Device /, ''));
    expect(plain.messages.find((m): m is Of<'ready'> => m.type === 'ready')!.active).not.toContain(test.id);
    for (const tv of [plain, yamadaBack]) await tv.close();
  });
});

/**
 * A second platform process on the same database whose TV lookup (`connect`) can be held open after
 * its query ran: the moment a TV authenticating during a publish is in, looked up but not yet
 * registered for pushes.
 */
async function processWithHeldLookup() {
  const lookups = heldLookups(db);
  return { ...(await processWith(lookups.connect)), holdNext: lookups.holdNext };
}

/** A second platform process on the same database, looking TVs up with `connect` (and households again with `readHomes`). */
async function processWith(connect: (credential: string) => Promise<TvConnection>, options: Omit<NonNullable<Parameters<typeof tvAlertChannel>[2]>, 'connect'> = {}) {
  const scope = Fastify();
  await scope.register(websocket);
  await scope.register(async (s) => tvAlertChannel(s, database, { ...options, connect }));
  const server = (await scope.listen({ port: 0, host: '127.0.0.1' })).replace('http:', 'ws:');
  return { server, close: () => scope.close() };
}

/** The TV lookup (`connect`) of a process, whose next lookup of a credential can be held after its query ran. */
function heldLookups(on: DbHandle['db']) {
  const real = tvConnector(on);
  let hold: { credential: string; looked: () => void; released: Promise<void> } | null = null;
  return {
    connect: async (cred: string) => {
      const found = await real(cred);
      const h = hold?.credential === cred ? hold : null;
      if (h) {
        hold = null;
        h.looked();
        await h.released;
      }
      return found;
    },
    /**
     * The next lookup of this credential is held: `looked` once its query ran, `release()` lets it go
     * on. Only this credential's: another TV's catch-up lookup, queued before the publishes, must not
     * take the hold and stall them.
     */
    holdNext(credential: string) {
      let looked!: () => void;
      let release!: () => void;
      const lookedP = new Promise<void>((r) => (looked = r));
      hold = { credential, looked, released: new Promise<void>((r) => (release = r)) };
      return { looked: lookedP, release };
    },
  };
}

/** The alerts in force the TV was told of on connecting. */
const activeOn = (tv: Tv) => tv.messages.find((m): m is Of<'ready'> => m.type === 'ready')!.active;

/** Which of `ids` a TV that started with `have` holds after the messages it received (as stb-ui's client keeps them). */
function holds(tv: Tv, have: string[], ids: string[]): string[] {
  const held = new Set(have);
  for (const m of tv.messages) {
    if (m.type === 'ready') for (const id of [...held]) if (!m.active.includes(id)) held.delete(id);
    if (m.type === 'alert') {
      for (const id of m.replaces) held.delete(id);
      held.add(m.alert.id);
    }
    if (m.type === 'withdrawn') for (const id of m.alertIds) held.delete(id);
  }
  return [...held].filter((id) => ids.includes(id)).sort();
}

describe('a TV authenticating while an alert is published', () => {
  let proc: Awaited<ReturnType<typeof processWithHeldLookup>>;
  /** A second TV of the 山田 household: the one that authenticates late (the witness is the first). */
  let lateCredential = '';
  beforeAll(async () => {
    proc = await processWithHeldLookup();
    const admin = await staffWithSession(db, await orgId(db, 'catv-demo'), ['operator.admin']);
    const provisioned = await app.inject({ method: 'POST', url: `${CONSOLE_PREFIX}/devices`, headers: { authorization: admin.authorization }, payload: { contractNo: YAMADA.contractNo, label: '二台目' } });
    lateCredential = provisioned.json<{ credential: string }>().credential.replace(/^Device /, '');
  });
  afterAll(async () => {
    await proc.close();
  });

  /** A TV whose lookup ran (before `during`), with `during` happening before it is registered; returns it once `ready`. */
  async function authenticateAround(have: string[], during: () => Promise<void>): Promise<Tv> {
    const gate = proc.holdNext(lateCredential);
    const tv = new Tv(proc.server);
    await tv.next('hello');
    tv.send({ type: 'auth', credential: lateCredential, have });
    await gate.looked;
    await during();
    gate.release();
    await tv.next('ready');
    return tv;
  }

  it('gets an alert published between its lookup and its registration, once', async () => {
    // Another TV of the household on the same process: once it has the alert, the publish has run.
    const witness = await Tv.connect(credential(YAMADA), [], proc.server);
    let a = { id: '' };
    // Holding what is in force already, so that its resume sends nothing and ends with `ready`.
    const late = await authenticateAround(activeOn(witness), async () => {
      a = await ingest();
      await witness.next('alert', (m) => m.alert.id === a.id);
    });
    // The race happened: its lookup did not see the alert, and the publish did not see the TV.
    expect(activeOn(late)).not.toContain(a.id);
    // Pushes go out in order: once a later alert is here, the missed one would have been.
    const marker = await ingest();
    await late.next('alert', (m) => m.alert.id === marker.id);
    expect(late.alertsReceived().filter((id) => id === a.id || id === marker.id)).toEqual([a.id, marker.id]);
    for (const tv of [witness, late]) await tv.close();
  });

  it('does not keep an alert cancelled or replaced between its lookup and its registration', async () => {
    const x = await ingest({ level: '3' });
    const z = await ingest();
    const witness = await Tv.connect(credential(YAMADA), [x.id, z.id], proc.server);
    const have = activeOn(witness);
    let y = { id: '' };
    const late = await authenticateAround(have, async () => {
      y = await ingest({ msgType: 'Update', level: '4', references: [{ identifier: x.identifier, sent: x.sent }] });
      await ingest({ msgType: 'Cancel', references: [{ identifier: z.identifier, sent: z.sent }] });
      await witness.next('withdrawn', (m) => m.alertIds.includes(z.id));
    });
    expect(activeOn(late)).toEqual(expect.arrayContaining([x.id, z.id]));
    const marker = await ingest();
    for (const tv of [witness, late]) await tv.next('alert', (m) => m.alert.id === marker.id);
    const ids = [x.id, y.id, z.id, marker.id];
    expect(holds(witness, have, ids)).toEqual([marker.id, y.id].sort());
    expect(holds(late, have, ids)).toEqual([marker.id, y.id].sort());
    expect(late.alertsReceived().filter((id) => id === y.id)).toEqual([y.id]);
    for (const tv of [witness, late]) await tv.close();
  });
});

describe('a platform process starting', () => {
  it('lets TVs in only once it listens for stored alerts (else one stored in between would never reach them)', async () => {
    let releaseListen!: () => void;
    const listenGate = new Promise<void>((r) => (releaseListen = r));
    let listening = false;
    const scope = Fastify();
    await scope.register(websocket);
    // Not awaited: awaiting a registration loads the plugin, which waits for the listen held below.
    void scope.register(async (s) => tvAlertChannel(s, {
      db,
      listen: async (channel, onPayload) => {
        await listenGate;
        const unlisten = await database.listen(channel, onPayload);
        listening = true;
        return unlisten;
      },
    }));
    // The listen is let go well after an unawaited registration would have let the process be ready.
    const released = new Promise<void>((r) => setTimeout(() => r(releaseListen()), 200));
    const readyWhileListening = await scope.ready().then(() => listening);
    await released;
    await scope.close();
    expect(readyWhileListening).toBe(true);
  });
});

describe('a platform process stopping', () => {
  it('writes the receipts it accepted, still gathering for a batch, before it has closed', async () => {
    const scope = Fastify();
    await scope.register(websocket);
    await scope.register(async (s) => tvAlertChannel(s, { db, listen: database.listen }));
    const server = (await scope.listen({ port: 0, host: '127.0.0.1' })).replace('http:', 'ws:');
    const tv = await Tv.connect(credential(YAMADA), [], server);
    const a = await ingest();
    await tv.next('alert', (m) => m.alert.id === a.id);
    tv.send({ type: 'receipt', alertId: a.id, kind: 'displayed' });
    // Messages are handled in order and a receipt without a session is handed to the writer at
    // once: once this one is refused, the receipt is waiting in the writer's gathering window.
    tv.send({ type: 'nonsense' });
    await tv.next('refused');
    await scope.close();
    expect(await receiptsOf(a.id)).toEqual([{ kind: 'delivered', answer: null }, { kind: 'displayed', answer: null }]);
  });
});

/**
 * A second platform process whose LISTEN connections can be lost (`deafen`) and got back (`hear`,
 * once the process's `onResumed` ran): see `listenThatGoesDeaf`.
 */
async function processThatGoesDeaf() {
  const ears = await listenThatGoesDeaf(database);
  const lookups = heldLookups(ears.db);
  const scope = Fastify();
  await scope.register(websocket);
  await scope.register(async (s) => tvAlertChannel(s, { db: ears.db, listen: ears.listen }, { connect: lookups.connect }));
  const server = (await scope.listen({ port: 0, host: '127.0.0.1' })).replace('http:', 'ws:');
  return {
    server,
    holdNext: lookups.holdNext,
    deafen: ears.deafen,
    hear: ears.hear,
    close: async () => {
      await scope.close();
      await ears.close();
    },
  };
}

describe('a platform process whose LISTEN connection was lost', () => {
  let proc: Awaited<ReturnType<typeof processThatGoesDeaf>>;
  let admin: Awaited<ReturnType<typeof staffWithSession>>;
  beforeAll(async () => {
    proc = await processThatGoesDeaf();
    admin = await staffWithSession(db, await orgId(db, 'catv-demo'), ['operator.admin']);
  });
  afterAll(async () => {
    await proc.close();
  });
  /** Another TV of the 山田 household, for a test of its own. */
  const anotherTv = async () => {
    const provisioned = await app.inject({ method: 'POST', url: `${CONSOLE_PREFIX}/devices`, headers: { authorization: admin.authorization }, payload: { contractNo: YAMADA.contractNo, label: '予備' } });
    return provisioned.json<{ id: string; credential: string }>();
  };

  it('sends the TVs connected to it an alert stored while it was deaf, once it listens again, once', async () => {
    const tv = await Tv.connect(credential(YAMADA), [], proc.server);
    await proc.deafen(ALERT_STORED_CHANNEL);
    const a = await ingest();
    await proc.hear(ALERT_STORED_CHANNEL);
    // The re-check is queued before the marker's publish: once the marker is here, the missed one would have been.
    const marker = await ingest();
    await tv.next('alert', (m) => m.alert.id === marker.id);
    // Each once, in no set order: if the marker is stored before the re-check's lookup runs, the
    // re-check sends both, in the order they were sent (their CAP `sent`, often the same second).
    expect(tv.alertsReceived().filter((id) => id === a.id || id === marker.id).sort()).toEqual([a.id, marker.id].sort());
    await tv.close();
  });

  it('withdraws what a Cancel stored while it was deaf ended, and replaces what an Update replaced', async () => {
    const x = await ingest({ level: '3' });
    const z = await ingest();
    const tv = await Tv.connect(credential(YAMADA), [], proc.server);
    for (const id of [x.id, z.id]) await tv.next('alert', (m) => m.alert.id === id);
    await proc.deafen(ALERT_STORED_CHANNEL);
    const y = await ingest({ msgType: 'Update', level: '4', references: [{ identifier: x.identifier, sent: x.sent }] });
    await ingest({ msgType: 'Cancel', references: [{ identifier: z.identifier, sent: z.sent }] });
    await proc.hear(ALERT_STORED_CHANNEL);
    const marker = await ingest();
    await tv.next('alert', (m) => m.alert.id === marker.id);
    // Everything the re-check sent came before the marker.
    expect(holds(tv, [], [x.id, y.id, z.id, marker.id])).toEqual([marker.id, y.id].sort());
    expect(tv.alertsReceived().filter((id) => id === y.id)).toEqual([y.id]);
    expect(tv.messages.find((m): m is Of<'alert'> => m.type === 'alert' && m.alert.id === y.id)!.replaces).toEqual([x.id]);
    expect(tv.messages.filter((m): m is Of<'withdrawn'> => m.type === 'withdrawn' && m.alertIds.includes(z.id))).toEqual([{ type: 'withdrawn', alertIds: [z.id] }]);
    await tv.close();
  });

  it('sends the alert stored while it was deaf to a TV whose lookup ran before and who was registered after the re-check', async () => {
    const spare = await anotherTv();
    const spareCredential = spare.credential.replace(/^Device /, '');
    const witness = await Tv.connect(credential(YAMADA), [], proc.server);
    const gate = proc.holdNext(spareCredential);
    const late = new Tv(proc.server);
    await late.next('hello');
    late.send({ type: 'auth', credential: spareCredential, have: activeOn(witness) });
    await gate.looked;
    await proc.deafen(ALERT_STORED_CHANNEL);
    const a = await ingest();
    await proc.hear(ALERT_STORED_CHANNEL);
    // The re-check ran (the witness has the alert) before the late TV was registered.
    await witness.next('alert', (m) => m.alert.id === a.id);
    gate.release();
    await late.next('ready');
    expect(activeOn(late)).not.toContain(a.id);
    const marker = await ingest();
    await late.next('alert', (m) => m.alert.id === marker.id);
    // Each once, in no set order: if the marker is stored before the catch-up's lookup runs, the
    // catch-up sends both, in the order they were sent (their CAP `sent`, often the same second).
    expect(late.alertsReceived().filter((id) => id === a.id || id === marker.id).sort()).toEqual([a.id, marker.id].sort());
    for (const tv of [witness, late]) await tv.close();
  });

  it('cuts off a TV withdrawn while it was deaf, once it listens again', async () => {
    const spare = await anotherTv();
    const tv = await Tv.connect(spare.credential.replace(/^Device /, ''), [], proc.server);
    await proc.deafen(DEVICE_WITHDRAWN_CHANNEL);
    await withdrawDevice(db, spare.id, { name: 'operator:test', organisationId: null });
    await proc.hear(DEVICE_WITHDRAWN_CHANNEL);
    expect((await tv.next('refused')).code).toBe('AUTH_DEVICE_WITHDRAWN');
    await tv.close();
    expect(tv.closed!.code).toBe(TV_ALERT_CLOSE.refused);
  });

  it('asks a TV whose test-alert flag changed while it was deaf to reconnect, once it listens again', async () => {
    const spare = await anotherTv();
    const tv = await Tv.connect(spare.credential.replace(/^Device /, ''), [], proc.server);
    await proc.deafen(DEVICE_TEST_ALERTS_CHANNEL);
    const flag = await app.inject({ method: 'PUT', url: `${CONSOLE_PREFIX}/devices/${spare.id}/test-alerts`, headers: { authorization: admin.authorization }, payload: { testAlerts: true } });
    expect(flag.statusCode).toBe(200);
    await proc.hear(DEVICE_TEST_ALERTS_CHANNEL);
    while (!tv.closed) await tv.next('never' as Msg['type']).catch(() => undefined);
    expect(tv.closed.code).toBe(TV_ALERT_CLOSE.reconnect);
  });
});

describe('a household changing while its TV is connected (each process keeps what pushing needs of it)', () => {
  const yamadaRow = async () => (await db.select().from(households).where(eq(households.contractNo, YAMADA.contractNo)))[0]!;
  const districtId = async (code: string) => (await db.select({ id: districts.id }).from(districts).where(eq(districts.code, code)))[0]!.id;
  /** Puts the 山田 household back in 城端 (johana), as the demo world has it. */
  const backHome = async () => db.update(households).set({ districtId: await districtId('johana'), latitude: YAMADA.latitude, longitude: YAMADA.longitude }).where(eq(households.contractNo, YAMADA.contractNo));

  it('greets who lives there now: a member who joined after the TV connected is named in the next alert', async () => {
    const tv = await Tv.connect(credential(YAMADA));
    const [newcomer] = await db.insert(persons).values({ name: '山田 みらい' }).returning();
    const membership = await db.insert(householdMembers).values({ householdId: (await yamadaRow()).id, personId: newcomer!.id }).returning();
    try {
      const a = await ingest();
      const pushed = await tv.next('alert', (m) => m.alert.id === a.id);
      expect(pushed.alert.messages[0]!.greeting).toContain('山田 みらいさん');
    } finally {
      await db.delete(householdMembers).where(eq(householdMembers.id, membership[0]!.id));
      await tv.close();
    }
  });

  it('goes where the household is now: moved to 井波, it gets 井波\'s alert and not 城端\'s, with 井波\'s shelter', async () => {
    const tv = await Tv.connect(credential(YAMADA));
    try {
      await db.update(households).set({ districtId: await districtId('inami'), latitude: 36.5585, longitude: 136.9600 }).where(eq(households.contractNo, YAMADA.contractNo));
      const johana = await ingest({ district: 'johana' });
      const inami = await ingest({ district: 'inami' });
      const pushed = await tv.next('alert', (m) => m.alert.id === inami.id);
      expect(pushed.alert.messages[0]!.shelter?.name).toBe('井波総合文化センター');
      // Not sent and then taken back: never sent.
      expect(tv.alertsReceived()).not.toContain(johana.id);
      expect(tv.messages.some((m) => m.type === 'withdrawn')).toBe(false);
    } finally {
      await backHome();
      await tv.close();
    }
  });
});

describe('a process whose idea of a household is out of date (a change it has not heard of yet)', () => {
  let proc: { server: string; close: () => Promise<unknown> };
  beforeAll(async () => {
    // Its lookup takes the 山田 household (in 城端, johana) for one in 井波.
    const real = tvConnector(db);
    proc = await processWith(async (cred) => {
      const found = await real(cred);
      return { ...found, home: { ...found.home, districtCode: 'inami' } };
    });
  });
  afterAll(async () => {
    await proc.close();
  });

  it('keeps to the stored targets: what it should not have had is withdrawn, what it lacked is sent', async () => {
    const tv = await Tv.connect(credential(YAMADA), [], proc.server);
    // 井波's alert does not target the household: sent on the process's idea, then withdrawn.
    const inami = await ingest({ district: 'inami' });
    await tv.next('withdrawn', (m) => m.alertIds.includes(inami.id));
    // 城端's does: not aimed at, then sent once the stored targets were compared.
    const johana = await ingest({ district: 'johana' });
    const pushed = await tv.next('alert', (m) => m.alert.id === johana.id);
    expect(pushed.alert.messages[0]!.greeting).toMatch(/山田/);
    expect(holds(tv, [], [johana.id, inami.id])).toEqual([johana.id]);
    await tv.close();
  });

  it('sends a household it missed an Update as replacing what the TV held: an extension stays an extension, with no withdrawal first', async () => {
    const tv = await Tv.connect(credential(YAMADA), [], proc.server);
    const a = await ingest({ district: 'johana', ttlSeconds: 600 });
    await tv.next('alert', (m) => m.alert.id === a.id);
    const extended = await ingest({ district: 'johana', msgType: 'Update', ttlSeconds: 7200, references: [{ identifier: a.identifier, sent: a.sent }] });
    const pushed = await tv.next('alert', (m) => m.alert.id === extended.id);
    expect(pushed).toMatchObject({ replaces: [a.id], extension: true });
    // A withdrawal would come after it: once an alert stored later has arrived, it would have.
    const later = await ingest({ district: 'johana' });
    await tv.next('alert', (m) => m.alert.id === later.id);
    expect(tv.messages.some((m) => m.type === 'withdrawn' && m.alertIds.includes(a.id))).toBe(false);
    expect(holds(tv, [], [a.id, extended.id])).toEqual([extended.id]);
    await tv.close();
  });
});

describe('a process that cannot read a changed household again at first', () => {
  let proc: { server: string; close: () => Promise<unknown> };
  let failed!: () => void;
  let readAgain!: () => void;
  const refreshFailed = new Promise<void>((r) => (failed = r));
  const refreshedAfterFailing = new Promise<void>((r) => (readAgain = r));
  beforeAll(async () => {
    // Its first re-read fails (the database lost for a moment), as a refresh after a change would.
    let reads = 0;
    proc = await processWith(tvConnector(db), {
      readHomes: async (on, ids) => {
        if (reads++ === 0) {
          failed();
          throw new Error('connection lost');
        }
        const homes = await homesOf(on, ids);
        readAgain();
        return homes;
      },
    });
  });
  afterAll(async () => {
    await proc.close();
  });

  it('reads it again after a pause: its next alert names the member who joined', async () => {
    const tv = await Tv.connect(credential(YAMADA), [], proc.server);
    const [householdId] = (await db.select({ id: households.id }).from(households).where(eq(households.contractNo, YAMADA.contractNo))).map((h) => h.id);
    const [newcomer] = await db.insert(persons).values({ name: '山田 そら' }).returning();
    const [membership] = await db.insert(householdMembers).values({ householdId: householdId!, personId: newcomer!.id }).returning();
    try {
      await refreshFailed;
      await refreshedAfterFailing;
      const a = await ingest();
      const pushed = await tv.next('alert', (m) => m.alert.id === a.id);
      expect(pushed.alert.messages[0]!.greeting).toContain('山田 そらさん');
    } finally {
      await db.delete(householdMembers).where(eq(householdMembers.id, membership!.id));
      await tv.close();
    }
  });
});

describe('a household changing while its TV authenticates', () => {
  let proc: Awaited<ReturnType<typeof processWithHeldLookup>>;
  beforeAll(async () => {
    proc = await processWithHeldLookup();
  });
  afterAll(async () => {
    await proc.close();
  });

  it('is read again when the change came between the TV\'s lookup and its registration', async () => {
    // 佐藤's TV on the same process: once it has an alert stored after the change, the process heard the change (one channel, in order).
    const witness = await Tv.connect(credential(SATO), [], proc.server);
    const gate = proc.holdNext(credential(YAMADA));
    const tv = new Tv(proc.server);
    await tv.next('hello');
    tv.send({ type: 'auth', credential: credential(YAMADA), have: [] });
    await gate.looked;
    const [newcomer] = await db.insert(persons).values({ name: '山田 はるか' }).returning();
    const [householdId] = (await db.select({ id: households.id }).from(households).where(eq(households.contractNo, YAMADA.contractNo))).map((h) => h.id);
    const [membership] = await db.insert(householdMembers).values({ householdId: householdId!, personId: newcomer!.id }).returning();
    try {
      const heard = await ingest({ district: 'inami' });
      await witness.next('alert', (m) => m.alert.id === heard.id);
      gate.release();
      await tv.next('ready');
      const a = await ingest();
      const pushed = await tv.next('alert', (m) => m.alert.id === a.id);
      expect(pushed.alert.messages[0]!.greeting).toContain('山田 はるかさん');
    } finally {
      await db.delete(householdMembers).where(eq(householdMembers.id, membership!.id));
      for (const t of [tv, witness]) await t.close();
    }
  });
});
