import { and, eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { alertDrafts } from '../../../platform/src/alerts/draft-schema.js';
import { alerts, alertTargets } from '../../../platform/src/alerts/schema.js';
import type { CanonicalAlert } from '../../../platform/src/alerts/model.js';
import { auditLog, householdMembers, households, persons } from '../../../platform/src/db/schema/index.js';
import { CONSOLE_PREFIX } from '../../../platform/src/staff/access.js';
import { alertBody, placesOf } from '../../helpers/alerts.js';
import { buildTestApp } from '../../helpers/app.js';
import type { TestDatabase } from '../../helpers/database.js';
import { orgId, staffWithSession } from '../../helpers/staff.js';

/** The console's side of alerting (issue 13 §3): compose, preview, second-officer approval, publish, update/extend/lift/cancel. */
const { app, database } = await buildTestApp({}, { demo: true });
const db = database.db;
const nanto = await orgId(db, '162108');
const tonami = await orgId(db, '162086');
const P = `${CONSOLE_PREFIX}/alerts`;

async function officers() {
  const composer = await staffWithSession(db, nanto, ['municipality.disaster'], '作成 担当');
  const approver = await staffWithSession(db, nanto, ['municipality.disaster'], '承認 担当');
  const call = (who: { authorization: string }) => (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    app.inject({ method, url, headers: { authorization: who.authorization }, ...(payload ? { payload } : {}) });
  return { composer, approver, as: { composer: call(composer), approver: call(approver) } };
}

/** DDL as the database owner (the platform's own role may not create triggers); on PGlite there is one user. */
async function asOwner(...statements: string[]): Promise<void> {
  const ownerUrl = (database as TestDatabase).ownerUrl;
  if (!ownerUrl) {
    for (const statement of statements) await db.execute(sql.raw(statement));
    return;
  }
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  try {
    for (const statement of statements) await owner.query(statement);
  } finally {
    await owner.end();
  }
}

const code = (res: { json(): { error?: { code: string } } }) => res.json().error?.code;

describe('compose → submit → a second officer approves → published', () => {
  it('publishes an Actual alert only after another officer approves it; it is stored (channel console), active and targeted', async () => {
    const { as, composer, approver } = await officers();
    const created = await as.composer('POST', `${P}/drafts`, await alertBody(db, nanto));
    expect(created.statusCode).toBe(201);
    const draft = created.json();
    expect(draft).toMatchObject({ state: 'draft', version: 1, needsApproval: true, composedBy: { id: composer.staffId, displayName: '作成 担当' } });

    const submitted = await as.composer('POST', `${P}/drafts/${draft.id}/submit`, { version: 1 });
    expect(submitted.json()).toMatchObject({ state: 'awaiting_approval', version: 2, publishedAlertId: null });

    const own = await as.composer('POST', `${P}/drafts/${draft.id}/approve`, { version: 2 });
    expect([own.statusCode, code(own)]).toEqual([403, 'ALERT_OWN_APPROVAL']);
    const stale = await as.approver('POST', `${P}/drafts/${draft.id}/approve`, { version: 1 });
    expect([stale.statusCode, code(stale)]).toEqual([409, 'ALERT_DRAFT_STALE']);

    const approved = await as.approver('POST', `${P}/drafts/${draft.id}/approve`, { version: 2 });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ state: 'published', approvedBy: { id: approver.staffId } });
    const [row] = await db.select().from(alerts).where(eq(alerts.id, approved.json().publishedAlertId));
    expect(row).toMatchObject({ channel: 'console', state: 'active', status: 'Actual', msgType: 'Alert', level: '4', identifier: `162108-${draft.id}` });
    const doc = row!.document as CanonicalAlert;
    expect(doc.infos[0]!.areas[0]!.geocodes).toEqual([{ valueName: 'jisX0402', value: '162108' }, { valueName: 'district', value: 'johana' }]);
    expect(doc.infos[0]!.parameters).toContainEqual({ valueName: 'openShelter', value: '城端小学校 体育館' });
    expect(await db.select().from(alertTargets).where(eq(alertTargets.alertId, row!.id))).toHaveLength(1); // 山田さん宅 in 城端

    const again = await as.approver('POST', `${P}/drafts/${draft.id}/approve`, { version: 3 });
    expect([again.statusCode, code(again)]).toEqual([409, 'ALERT_DRAFT_STATE']);
    const actions = (await db.select().from(auditLog).orderBy(auditLog.seq)).filter((e) => e.subject === draft.id).map((e) => [e.action, e.actor]);
    expect(actions).toEqual([
      ['alert.draft.create', `staff:${composer.staffId}`], ['alert.draft.submit', `staff:${composer.staffId}`], ['alert.publish', `staff:${approver.staffId}`],
    ]);
  });

  it('a Test message needs no approval, and neither does an Actual one where the municipality turned approval off', async () => {
    const { as } = await officers();
    const test = (await as.composer('POST', `${P}/drafts`, await alertBody(db, nanto, { status: 'Test' }))).json();
    expect(test.needsApproval).toBe(false);
    expect((await as.composer('POST', `${P}/drafts/${test.id}/submit`, { version: 1 })).json()).toMatchObject({ state: 'published', approvedBy: null });

    const admin = await staffWithSession(db, tonami, ['municipality.admin']);
    const off = await app.inject({ method: 'PUT', url: `${P}/settings`, headers: { authorization: admin.authorization }, payload: { approvalRequired: false } });
    expect(off.json()).toEqual({ approvalRequired: false });
    const officer = await staffWithSession(db, tonami, ['municipality.disaster']);
    const tonamiAs = (method: 'POST', url: string, payload: object) => app.inject({ method, url, headers: { authorization: officer.authorization }, payload });
    const draft = (await tonamiAs('POST', `${P}/drafts`, await alertBody(db, tonami))).json();
    expect(draft.needsApproval).toBe(false);
    const published = (await tonamiAs('POST', `${P}/drafts/${draft.id}/submit`, { version: 1 })).json();
    expect(published.state).toBe('published');
    // Nanto still requires it (the default, per municipality).
    expect((await as.composer('GET', P)).json().settings).toEqual({ approvalRequired: true });
  });
});

describe('publishing is one transaction', () => {
  it('a crash between storing the message and marking the draft published leaves neither: the draft can be approved again, once', async () => {
    const { as } = await officers();
    const draft = (await as.composer('POST', `${P}/drafts`, await alertBody(db, nanto))).json();
    await as.composer('POST', `${P}/drafts/${draft.id}/submit`, { version: 1 });
    // The crash point: the statement that links the draft to its stored message fails (as a process killed there would never commit it).
    const fn = `crash_${draft.id.replace(/-/g, '')}`;
    await asOwner(`create function ${fn}() returns trigger language plpgsql as $$ begin
      if new.published_alert_id is not null then raise exception 'crash after ingest'; end if; return new; end $$`,
      `create trigger ${fn} before update on alert_drafts for each row when (new.id = '${draft.id}') execute function ${fn}()`);
    const crashed = await as.approver('POST', `${P}/drafts/${draft.id}/approve`, { version: 2 });
    expect([crashed.statusCode, code(crashed)]).toEqual([500, 'INTERNAL']);
    const identifier = `162108-${draft.id}`;
    expect(await db.select().from(alerts).where(eq(alerts.identifier, identifier))).toEqual([]);
    const [after] = await db.select().from(alertDrafts).where(eq(alertDrafts.id, draft.id));
    expect(after).toMatchObject({ state: 'awaiting_approval', publishedAlertId: null, approvedBy: null });
    const published = async () => (await db.select().from(auditLog).where(eq(auditLog.subject, draft.id))).filter((e) => e.action === 'alert.publish');
    expect(await published()).toEqual([]);

    await asOwner(`drop trigger ${fn} on alert_drafts`, `drop function ${fn}()`);
    const approved = await as.approver('POST', `${P}/drafts/${draft.id}/approve`, { version: after!.version });
    expect(approved.statusCode).toBe(200);
    const stored = await db.select().from(alerts).where(eq(alerts.identifier, identifier));
    expect(stored.map((a) => a.id)).toEqual([approved.json().publishedAlertId]);
    expect(await published()).toHaveLength(1);
  });
});

describe('refusals, each with its code', () => {
  it('another municipality\'s district or shelter is out of scope; unknown places, no district, a lift as a new alert are invalid', async () => {
    const { as } = await officers();
    const theirs = await placesOf(db, tonami);
    const foreign = await as.composer('POST', `${P}/drafts`, await alertBody(db, nanto, { districtIds: [theirs.districts[0]!.id] }));
    expect([foreign.statusCode, code(foreign)]).toEqual([403, 'STAFF_OUT_OF_SCOPE']);
    for (const over of [{ districtIds: ['00000000-0000-4000-8000-00000000dead'] }, { districtIds: [] }, { level: 'lift' as const }, { level: undefined }]) {
      const res = await as.composer('POST', `${P}/drafts`, { ...(await alertBody(db, nanto)), ...over });
      expect([res.statusCode, code(res)], JSON.stringify(over)).toEqual([422, 'ALERT_DRAFT_INVALID']);
    }
    const control = await as.composer('POST', `${P}/drafts`, await alertBody(db, nanto, { headline: 'ベル\u0007' }));
    expect([control.statusCode, code(control)]).toEqual([400, 'REQ_INVALID']);
    const preview = await as.composer('POST', `${P}/preview`, { level: '4', districtIds: [theirs.districts[0]!.id] });
    expect(code(preview)).toBe('STAFF_OUT_OF_SCOPE');
  });

  it('only the composer changes or submits a draft; a changed draft is stale; an edit sends a submitted draft back to draft', async () => {
    const { as } = await officers();
    const draft = (await as.composer('POST', `${P}/drafts`, await alertBody(db, nanto))).json();
    const body = { version: 1, status: 'Actual', validMinutes: 60, level: '5', districtIds: draft.districtIds };
    expect(code(await as.approver('PUT', `${P}/drafts/${draft.id}`, body))).toBe('ALERT_DRAFT_NOT_YOURS');
    expect(code(await as.approver('POST', `${P}/drafts/${draft.id}/submit`, { version: 1 }))).toBe('ALERT_DRAFT_NOT_YOURS');
    expect((await as.composer('PUT', `${P}/drafts/${draft.id}`, body)).json()).toMatchObject({ version: 2, level: '5', validMinutes: 60 });
    expect(code(await as.composer('PUT', `${P}/drafts/${draft.id}`, body))).toBe('ALERT_DRAFT_STALE');
    expect((await as.composer('POST', `${P}/drafts/${draft.id}/submit`, { version: 2 })).json().state).toBe('awaiting_approval');
    expect((await as.composer('PUT', `${P}/drafts/${draft.id}`, { ...body, version: 3 })).json()).toMatchObject({ state: 'draft', version: 4 });
    expect(code(await as.approver('POST', `${P}/drafts/${draft.id}/approve`, { version: 4 }))).toBe('ALERT_DRAFT_STATE');
    // A second officer turns a submission down by discarding it.
    await as.composer('POST', `${P}/drafts/${draft.id}/submit`, { version: 4 });
    expect((await as.approver('POST', `${P}/drafts/${draft.id}/discard`, { version: 5 })).json().state).toBe('discarded');
  });

  it("another municipality's draft or alert is out of scope", async () => {
    const { as } = await officers();
    const tonamiOfficer = await staffWithSession(db, tonami, ['municipality.disaster']);
    const draft = (await as.composer('POST', `${P}/drafts`, await alertBody(db, nanto))).json();
    const res = await app.inject({ method: 'POST', url: `${P}/drafts/${draft.id}/discard`, headers: { authorization: tonamiOfficer.authorization }, payload: { version: 1 } });
    expect([res.statusCode, code(res)]).toEqual([403, 'STAFF_OUT_OF_SCOPE']);
  });
});

async function publish(as: Awaited<ReturnType<typeof officers>>['as'], body: object): Promise<{ draftId: string; alertId: string }> {
  const draft = (await as.composer('POST', `${P}/drafts`, body)).json();
  expect(draft.id, JSON.stringify(draft)).toBeDefined();
  await as.composer('POST', `${P}/drafts/${draft.id}/submit`, { version: draft.version });
  const published = (await as.approver('POST', `${P}/drafts/${draft.id}/approve`, { version: draft.version + 1 })).json();
  expect(published.state, JSON.stringify(published)).toBe('published');
  return { draftId: draft.id, alertId: published.publishedAlertId };
}

describe('update, extend, lift and cancel: CAP Update/Cancel referencing the active message', () => {
  it('each references the message it replaces; the replaced one is superseded or cancelled', async () => {
    const { as } = await officers();
    const original = await publish(as, await alertBody(db, nanto));
    const [first] = await db.select().from(alerts).where(eq(alerts.id, original.alertId));
    const ref = (row: typeof first) => [{ sender: row!.sender, identifier: row!.identifier, sent: row!.sent }];

    const { districts } = await placesOf(db, nanto);
    const update = await publish(as, { action: 'update', referencesAlertId: original.alertId, status: 'Actual', validMinutes: 120, level: '5', districtIds: districts.map((d) => d.id) });
    const [second] = await db.select().from(alerts).where(eq(alerts.id, update.alertId));
    expect(second).toMatchObject({ msgType: 'Update', level: '5', state: 'active', supersedes: original.alertId });
    expect((second!.document as CanonicalAlert).references).toEqual(ref(first));
    expect((await db.select().from(alerts).where(eq(alerts.id, original.alertId)))[0]!.state).toBe('superseded');
    expect(await db.select().from(alertTargets).where(eq(alertTargets.alertId, update.alertId))).toHaveLength(2); // 山田さん宅 and 佐藤さん宅

    // Updating the superseded message is refused; extending the active one keeps its content with a new expiry.
    const old = await as.composer('POST', `${P}/drafts`, { action: 'extend', referencesAlertId: original.alertId, status: 'Actual', validMinutes: 600 });
    expect([old.statusCode, code(old)]).toEqual([409, 'ALERT_NOT_UPDATABLE']);
    const extend = await publish(as, { action: 'extend', referencesAlertId: update.alertId, status: 'Actual', validMinutes: 600 });
    const [third] = await db.select().from(alerts).where(eq(alerts.id, extend.alertId));
    expect(third).toMatchObject({ msgType: 'Update', level: '5' });
    expect(third!.expiresAt.getTime()).toBeGreaterThan(second!.expiresAt.getTime());

    const lift = await publish(as, { action: 'lift', referencesAlertId: extend.alertId, status: 'Actual', validMinutes: 60 });
    const [fourth] = await db.select().from(alerts).where(eq(alerts.id, lift.alertId));
    expect(fourth).toMatchObject({ msgType: 'Update', level: 'lift', state: 'active' });
    expect((fourth!.document as CanonicalAlert).infos[0]!.responseType).toEqual(['AllClear']);

    const cancel = await publish(as, { action: 'cancel', referencesAlertId: lift.alertId, status: 'Actual', validMinutes: 10 });
    const [fifth] = await db.select().from(alerts).where(eq(alerts.id, cancel.alertId));
    expect(fifth).toMatchObject({ msgType: 'Cancel', state: 'withdrawal' });
    expect((fifth!.document as CanonicalAlert).infos).toEqual([]);
    expect((await db.select().from(alerts).where(eq(alerts.id, lift.alertId)))[0]!.state).toBe('cancelled');
  });

  it('a change of an Actual alert is Actual too: a Test or Exercise update, lift or cancel of it is refused, so no officer alone withdraws a real order', async () => {
    const { as } = await officers();
    const original = await publish(as, await alertBody(db, nanto));
    const { districts } = await placesOf(db, nanto);
    // Test and Exercise messages are published on submitting: were one let to cancel the Actual alert, one officer would withdraw it from every TV.
    for (const [action, status] of [['cancel', 'Test'], ['lift', 'Exercise'], ['update', 'Test'], ['extend', 'Exercise']] as const) {
      const res = await as.composer('POST', `${P}/drafts`, { action, referencesAlertId: original.alertId, status, validMinutes: 60, level: '3', districtIds: [districts[0]!.id] });
      expect([res.statusCode, code(res)], `${action} ${status}`).toEqual([422, 'ALERT_DRAFT_INVALID']);
    }
    // Nor by editing an Actual cancel into a Test one before submitting it.
    const cancel = (await as.composer('POST', `${P}/drafts`, { action: 'cancel', referencesAlertId: original.alertId, status: 'Actual', validMinutes: 10 })).json();
    const edited = await as.composer('PUT', `${P}/drafts/${cancel.id}`, { version: 1, status: 'Test', validMinutes: 10 });
    expect([edited.statusCode, code(edited)]).toEqual([422, 'ALERT_DRAFT_INVALID']);
    expect(code(await as.composer('POST', `${P}/drafts/${cancel.id}/submit`, { version: 1 }))).toBeUndefined();
    expect((await db.select().from(alerts).where(eq(alerts.id, original.alertId)))[0]!.state).toBe('active');
  });

  it('two updates of one alert: the second to be approved finds it replaced and is stale (nothing published twice)', async () => {
    const { as } = await officers();
    const original = await publish(as, await alertBody(db, nanto));
    const drafts = [];
    for (const level of ['5', '3']) {
      const d = (await as.composer('POST', `${P}/drafts`, { ...(await alertBody(db, nanto)), action: 'update', referencesAlertId: original.alertId, level })).json();
      await as.composer('POST', `${P}/drafts/${d.id}/submit`, { version: 1 });
      drafts.push(d.id);
    }
    expect((await as.approver('POST', `${P}/drafts/${drafts[0]}/approve`, { version: 2 })).json().state).toBe('published');
    const late = await as.approver('POST', `${P}/drafts/${drafts[1]}/approve`, { version: 2 });
    expect([late.statusCode, code(late)]).toEqual([409, 'ALERT_DRAFT_STALE']);
    const [left] = await db.select().from(alertDrafts).where(and(eq(alertDrafts.id, drafts[1]!)));
    expect(left).toMatchObject({ state: 'awaiting_approval', publishedAlertId: null });
  });
});

describe('two updates of one alert approved at the same moment', () => {
  it('one is published; the other is stale: never two messages replacing the same one', async () => {
    const { as } = await officers();
    const original = await publish(as, await alertBody(db, nanto));
    const drafts: string[] = [];
    for (const level of ['5', '3']) {
      const d = (await as.composer('POST', `${P}/drafts`, { ...(await alertBody(db, nanto)), action: 'update', referencesAlertId: original.alertId, level })).json();
      await as.composer('POST', `${P}/drafts/${d.id}/submit`, { version: 1 });
      drafts.push(d.id);
    }
    const answers = await Promise.all(drafts.map((id) => as.approver('POST', `${P}/drafts/${id}/approve`, { version: 2 })));
    expect(answers.map((a) => [a.statusCode, code(a)]).sort()).toEqual([[200, undefined], [409, 'ALERT_DRAFT_STALE']]);
    const replacing = await db.select().from(alerts).where(eq(alerts.supersedes, original.alertId));
    expect(replacing).toHaveLength(1);
  });
});

describe('preview and the list', () => {
  it("shows the TV overlay text a household of the chosen district gets: the members' names, the level, the opened shelter", async () => {
    const { as } = await officers();
    const { districts, shelters } = await placesOf(db, nanto);
    const johana = districts.find((d) => d.code === 'johana')!;
    const inami = shelters.find((s) => s.name.startsWith('井波'))!;
    const [yamada] = await db.select().from(households).where(eq(households.contractNo, 'CATV-0001'));
    const [hanako] = await db.insert(persons).values({ name: '山田　花子' }).returning();
    await db.insert(householdMembers).values({ householdId: yamada!.id, personId: hanako!.id });
    // Stored after her but a member since before: the preview names them in the order they joined, as the TVs do.
    const [taro] = await db.insert(persons).values({ name: '山田　太郎' }).returning();
    await db.insert(householdMembers).values({ householdId: yamada!.id, personId: taro!.id, joinedAt: new Date(Date.now() - 3_600_000) });
    const res = await as.composer('POST', `${P}/preview`, { level: '4', headline: '土砂災害の危険', districtIds: [johana.id], shelterIds: [inami.id] });
    expect(res.statusCode).toBe(200);
    const view = res.json();
    expect(view).toMatchObject({ households: 1, sample: { label: '山田さん宅' } });
    expect(view.message.title).toBe('警戒レベル4 避難指示');
    expect(view.message.greeting).toBe('山田 太郎さん、山田 花子さんへ');
    expect(view.message.lines).toContain('土砂災害の危険');
    expect(view.message.lines.some((l: string) => l.startsWith('最寄りの避難所: 井波総合文化センター（約'))).toBe(true);
  });

  it('lists the municipality\'s alerts and open drafts, and the places a draft can name (its own only)', async () => {
    const { as } = await officers();
    const draft = (await as.composer('POST', `${P}/drafts`, await alertBody(db, nanto))).json();
    const overview = (await as.composer('GET', P)).json();
    expect(overview.drafts.map((d: { id: string }) => d.id)).toContain(draft.id);
    expect(overview.places.districts.map((d: { code: string }) => d.code).sort()).toEqual(['fukumitsu', 'inami', 'johana']);
    expect(overview.alerts.every((a: { composedHere: boolean; channel: string }) => a.composedHere === (a.channel === 'console'))).toBe(true);
    expect(JSON.stringify(overview)).not.toContain(tonami);
  });
});
