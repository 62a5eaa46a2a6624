import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ALERT_STORED_CHANNEL } from '../../../platform/src/alerts/announce.js';
import { consoleSender } from '../../../platform/src/alerts/compose.js';
import { issueFeedCredential } from '../../../platform/src/alerts/feed.js';
import { alertFunnel } from '../../../platform/src/alerts/funnel.js';
import { activeAlerts, publishUnfinished } from '../../../platform/src/alerts/ingest.js';
import { alertConflicts, alertFeedCredentials, alerts, alertTargets } from '../../../platform/src/alerts/schema.js';
import { targetAlert } from '../../../platform/src/alerts/targeting.js';
import { runOperatorCommand } from '../../../platform/src/admin/commands.js';
import { auditLog } from '../../../platform/src/db/schema/audit.js';
import { organisations } from '../../../platform/src/db/schema/organisations.js';
import { CLI_ACTOR } from '../../../platform/src/identity/audit.js';
import { publishedAlert } from '../../helpers/alerts.js';
import { buildTestApp } from '../../helpers/app.js';
import { CAP_SENDER, capXml } from '../../helpers/cap-messages.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/alerts');
const text = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

const { app, database, config } = await buildTestApp({}, { demo: true });
const db = database.db;
/** Nanto's feed, sending as the senders of the fixtures and messages here (another feed's are below). */
const NANTO_SENDERS = [CAP_SENDER, '162108@publiccommons.ne.jp', 'other@example.jp', 'avisos@aemet.es', 'hsas@dhs.gov', 'trinet@caltech.edu', 'old@example.com'];
const nanto = await issueFeedCredential(db, '162108', 'test feed', NANTO_SENDERS, CLI_ACTOR);
// Tonami's feed may use Nanto's sender names: keys and senders are each municipality's own (and
// what the tests with it check is the municipality, not the sender).
const tonami = await issueFeedCredential(db, '162086', 'test feed', [CAP_SENDER, '162108@publiccommons.ne.jp'], CLI_ACTOR);
/** A second feed of Nanto (a neighbour's relay, say), bound to a sender of its own. */
const RELAY_SENDER = 'relay@example.jp';
const relay = await issueFeedCredential(db, '162108', 'relay feed', [RELAY_SENDER], CLI_ACTOR);
const [nantoOrg] = await db.select().from(organisations).where(eq(organisations.code, '162108'));
/** A moment when the Nanto fixtures are current. */
const DURING = new Date('2026-11-30T11:30:00+09:00');

const post = (body: string | Buffer, token: string | null = nanto.token, type = 'application/xml') =>
  app.inject({ method: 'POST', url: '/api/v1/alerts/cap', headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) }, payload: body });
const stateOf = async (identifier: string) => (await db.select().from(alerts).where(eq(alerts.identifier, identifier)))[0];
/** A copy of a fixture under a new identifier, so each test stands alone in the one database. */
const renamed = (name: string, from: string, to: string) => text(name).replaceAll(from, to);

/**
 * The alerts announced (NOTIFY alert_stored) while `act` runs: an Exercise stored after it is
 * announced too, and notifications arrive in commit order, so once that one is heard every earlier
 * announcement has been (no waiting on a timer for something that should not come).
 */
async function announcedDuring(act: () => Promise<void>): Promise<string[]> {
  const heard: string[] = [];
  let marker = '';
  let markerHeard!: () => void;
  const markerArrived = new Promise<void>((r) => (markerHeard = r));
  const unlisten = await database.listen(ALERT_STORED_CHANNEL, (id) => {
    heard.push(id);
    if (id === marker) markerHeard();
  });
  try {
    await act();
    marker = (await post(capXml({ identifier: `announce-marker-${Date.now()}`, status: 'Exercise' }).xml)).json().alertId;
    if (heard.includes(marker)) markerHeard();
    await markerArrived;
  } finally {
    await unlisten();
  }
  return heard.slice(0, heard.indexOf(marker));
}

describe('feed credential', () => {
  it('is required, must be known, and is stored only as a hash', async () => {
    const doc = text('cap-homeland-security.xml');
    for (const token of [null, 'alf_' + 'A'.repeat(43), 'not-a-token']) {
      const res = await post(doc, token);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('ALERT_FEED_UNAUTHORIZED');
    }
    const rows = await db.select().from(alertFeedCredentials);
    expect(rows.map((r) => r.tokenHash)).not.toContain(nanto.token);
    expect(JSON.stringify(rows)).not.toContain(nanto.token.slice(4));
  });

  it('cannot push an alert naming another municipality (ALERT_WRONG_MUNICIPALITY)', async () => {
    const res = await post(text('l-alert-v3-bare.xml'), tonami.token);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('ALERT_WRONG_MUNICIPALITY');
  });

  it("cannot take another municipality's message key first: its own alert under that key still reaches its residents", async () => {
    // Tonami's feed sends, before Nanto's does, a document under the key (sender, identifier) Nanto's next order will carry.
    const nantoOrder = capXml({ identifier: 'squat-1' }).xml;
    const squat = await post(nantoOrder.replace('<value>162108</value>', '<value>162086</value>').replace('城端地域に避難指示', '訓練'), tonami.token);
    expect(squat.statusCode).toBe(201);
    const real = await post(nantoOrder);
    expect([real.statusCode, real.json().outcome]).toEqual([201, 'stored']);
    expect(real.json().alertId).not.toBe(squat.json().alertId);
    expect(await db.select().from(alertTargets).where(eq(alertTargets.alertId, real.json().alertId))).toHaveLength(1); // the johana household
    expect((await activeAlerts(db, nantoOrg!.id)).map((a) => a.id)).toContain(real.json().alertId);
    // Each municipality's copy is its own: the same body again is a duplicate of its own, never a conflict naming the other's.
    expect((await post(nantoOrder)).json()).toEqual({ outcome: 'duplicate', alertId: real.json().alertId });
  });

  it('a refused document answers its parser code, never a 500', async () => {
    const xxe = await post(text('xxe-local-file.xml'));
    expect([xxe.statusCode, xxe.json().error.code]).toEqual([422, 'ALERT_DTD_REFUSED']);
    const old = await post(text('cap-1.1.xml'), nanto.token, 'text/xml');
    expect([old.statusCode, old.json().error.code]).toEqual([422, 'ALERT_UNSUPPORTED_VERSION']);
    const shiftJis = await post(readFileSync(join(FIXTURES, 'cap-shift-jis.xml')), nanto.token, 'application/cap+xml');
    expect(shiftJis.statusCode).toBe(201);
  });
});

describe('hostile documents and requests answer a coded 4xx, never a 500', () => {
  const doc = (identifier: string) => renamed('cap-multilingual-nanto.xml', 'nanto-2026-0001', identifier);
  it('characters XML 1.0 has no place for, written raw or as references (a lone surrogate, past U+10FFFF, NUL): ALERT_MALFORMED', async () => {
    for (const [i, bad] of ['&#xD800;', '&#x110000;', '&#0;', '&#x1F;', '\u0000', '\u0008', '\uFFFE'].entries()) {
      const res = await post(doc(`chars-${i}`).replace('<headline>', `<headline>${bad}`));
      expect([res.statusCode, res.json().error?.code], JSON.stringify(bad)).toEqual([400, 'ALERT_MALFORMED']);
    }
    // What XML 1.0 does carry goes through, written either way: tab, line feed, an emoji as a reference.
    const fine = await post(doc('chars-ok').replace('<headline>', '<headline>&#x9;&#xA;&#x1F30A;\t'));
    expect(fine.statusCode).toBe(201);
  });

  it('a date no alert has, some the database cannot even hold (year 0, before 1970, year 10000 in UTC): ALERT_DATE_INVALID', async () => {
    for (const [i, sent] of ['9999-12-31T23:59:59-14:00', '0000-01-01T00:00:00+09:00', '1969-12-31T23:59:59+00:00'].entries()) {
      const res = await post(doc(`year-${i}`).replace(/<sent>[^<]*</, `<sent>${sent}<`));
      expect([res.statusCode, res.json().error?.code], sent).toEqual([422, 'ALERT_DATE_INVALID']);
    }
  });

  it('an L-Alert revision past what the database counts (2^31): ALERT_VALUE_INVALID', async () => {
    for (const revision of ['2147483648', '9'.repeat(40)]) {
      const res = await post(text('l-alert-v3-bare.xml').replaceAll('162108-EO-0001', `EO-big-${revision.length}`).replaceAll('documentRevision>1<', `documentRevision>${revision}<`));
      expect([res.statusCode, res.json().error?.code, res.json().error?.details], revision).toEqual([422, 'ALERT_VALUE_INVALID', { field: 'documentRevision' }]);
    }
    const largest = await post(text('l-alert-v3-bare.xml').replaceAll('162108-EO-0001', 'EO-big-max').replaceAll('documentRevision>1<', 'documentRevision>2147483647<'));
    expect(largest.statusCode).toBe(201);
  });

  it('a document of tiny tags, attributes or nesting within the byte limit: 413 ALERT_TOO_LARGE naming the limit, before the parser', async () => {
    const cases = {
      markup: doc('tags').replace('</alert>', `${'<a/>'.repeat(200_000)}</alert>`),
      attributes: doc('attributes').replace('<headline>', `<headline ${Array.from({ length: 60_000 }, (_, i) => `a${i}=""`).join(' ')}>`),
      depth: doc('depth').replace('</alert>', `${'<a>'.repeat(100)}${'</a>'.repeat(100)}</alert>`),
    };
    for (const [limit, body] of Object.entries(cases)) {
      const res = await post(body);
      expect([res.statusCode, res.json().error?.code, res.json().error?.details?.limit], limit).toEqual([413, 'ALERT_TOO_LARGE', limit]);
    }
  });

  it('a body that is not XML by its media type (JSON, text, none): REQ_UNSUPPORTED_MEDIA', async () => {
    for (const type of ['application/json', 'text/plain']) {
      const res = await post(type === 'application/json' ? '{"alert":1}' : doc('as-text'), nanto.token, type);
      expect([res.statusCode, res.json().error?.code], type).toEqual([415, 'REQ_UNSUPPORTED_MEDIA']);
    }
    const none = await app.inject({ method: 'POST', url: '/api/v1/alerts/cap', headers: { authorization: `Bearer ${nanto.token}` } });
    expect([none.statusCode, none.json().error?.code]).toEqual([415, 'REQ_UNSUPPORTED_MEDIA']);
  });
});

describe('storing, duplicates and conflicts', () => {
  it('same key and body is a duplicate; same key with another body is refused (ALERT_CONFLICT) and flagged, never overwritten', async () => {
    // Timed around now: an alert expired on arrival is not targeted.
    const doc = capXml({ identifier: 'dup-1' }).xml;
    const first = await post(doc);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ outcome: 'stored', shownToResidents: true, affected: [] });
    expect(await db.select().from(alertTargets).where(eq(alertTargets.alertId, first.json().alertId))).toHaveLength(1); // the johana household
    const again = await post(doc);
    expect([again.statusCode, again.json()]).toEqual([200, { outcome: 'duplicate', alertId: first.json().alertId }]);
    const changed = await post(doc.replace('城端地域に避難指示', '城端地域に緊急安全確保'));
    expect([changed.statusCode, changed.json().error.code]).toEqual([409, 'ALERT_CONFLICT']);
    const flagged = await db.select().from(alertConflicts).where(eq(alertConflicts.alertId, first.json().alertId));
    expect(flagged).toHaveLength(1);
    expect(((await stateOf('dup-1'))!.document as { infos: { headline: string }[] }).infos[0]!.headline).toBe('城端地域に避難指示');
  });

  it('a message stored by an attempt that stopped before publishing it is published by the same message sent again; a published one is not announced twice', async () => {
    const identifier = `half-done-${Date.now()}`;
    const order = capXml({ identifier });
    const first = await post(order.xml);
    const alertId: string = first.json().alertId;
    const targets = () => db.select().from(alertTargets).where(eq(alertTargets.alertId, alertId));
    const targetedFirst = (await targets()).length;
    expect(targetedFirst).toBeGreaterThan(0);
    // Published: the same body again is a duplicate, and nothing is announced.
    expect(await announcedDuring(async () => {
      expect((await post(order.xml)).json()).toEqual({ outcome: 'duplicate', alertId });
    })).not.toContain(alertId);
    // As the attempt that stored it would leave it had it stopped right after the transaction.
    await db.update(alerts).set({ publishedAt: null }).where(eq(alerts.id, alertId));
    await db.delete(alertTargets).where(eq(alertTargets.alertId, alertId));
    const announced = await announcedDuring(async () => {
      const again = await post(order.xml);
      expect([again.statusCode, again.json()]).toEqual([200, { outcome: 'duplicate', alertId }]);
    });
    expect(announced).toContain(alertId);
    expect(await targets()).toHaveLength(targetedFirst);
    expect((await stateOf(identifier))!.publishedAt).not.toBeNull();
  });

  it('a message stored and never published, nor ever sent again, is published by the sweep once it is old enough; one younger is left to its attempt, and one that fails again does not hold up the rest', async () => {
    const stoppedKey = `stopped-${Date.now()}`;
    const publishingKey = `publishing-${Date.now()}`;
    const brokenKey = `broken-${Date.now()}`;
    const stopped = capXml({ identifier: stoppedKey });
    const stoppedId: string = (await post(stopped.xml)).json().alertId;
    const targetedFirst = (await db.select().from(alertTargets).where(eq(alertTargets.alertId, stoppedId))).length;
    expect(targetedFirst).toBeGreaterThan(0);
    const publishingId: string = (await post(capXml({ identifier: publishingKey, district: 'inami' }).xml)).json().alertId;
    const brokenId: string = (await post(capXml({ identifier: brokenKey, district: 'inami' }).xml)).json().alertId;
    const stuck = [stoppedId, publishingId, brokenId];
    // The first as its attempt left it a minute ago; the second as one still publishing leaves it
    // now; the third older still, and its publishing fails every time (a document it cannot target).
    await db.update(alerts).set({ publishedAt: null, receivedAt: new Date(Date.now() - 60_000) }).where(eq(alerts.id, stoppedId));
    await db.update(alerts).set({ publishedAt: null }).where(eq(alerts.id, publishingId));
    await db.update(alerts).set({ publishedAt: null, receivedAt: new Date(Date.now() - 120_000), document: {} }).where(eq(alerts.id, brokenId));
    await db.delete(alertTargets).where(inArray(alertTargets.alertId, stuck));
    try {
      let swept: Awaited<ReturnType<typeof publishUnfinished>> = { finished: [], failed: [] };
      const announced = await announcedDuring(async () => {
        swept = await publishUnfinished(db, { olderThanMs: 30_000 });
      });
      expect(swept.finished).toContain(stoppedId);
      expect(swept.finished).not.toContain(publishingId);
      expect(swept.failed.map((f) => f.alertId)).toEqual([brokenId]);
      expect(announced).toContain(stoppedId);
      expect(announced).not.toContain(publishingId);
      expect(await db.select().from(alertTargets).where(eq(alertTargets.alertId, stoppedId))).toHaveLength(targetedFirst);
      expect((await stateOf(stoppedKey))!.publishedAt).not.toBeNull();
      expect((await stateOf(publishingKey))!.publishedAt).toBeNull();
      // Finished: the next sweep has nothing of it to do.
      expect((await publishUnfinished(db, { olderThanMs: 30_000 })).finished).not.toContain(stoppedId);
      // A process stopping finishes nothing more.
      expect(await publishUnfinished(db, { olderThanMs: 0, stopping: () => true })).toEqual({ finished: [], failed: [] });
    } finally {
      // Left as the rest of the file expects: published and targeted, the broken one withdrawn.
      await db.update(alerts).set({ publishedAt: new Date() }).where(eq(alerts.id, publishingId));
      await targetAlert(db, publishingId);
      await db.update(alerts).set({ publishedAt: new Date(), state: 'cancelled' }).where(eq(alerts.id, brokenId));
    }
  });

  it('the sweeps of several processes at once finish a message once; a claim is left alone until its lease runs out (the claiming process stopped)', async () => {
    const key = `claimed-${Date.now()}`;
    const alertId: string = (await post(capXml({ identifier: key }).xml)).json().alertId;
    const strand = async (claimedAgoMs: number | null) => {
      await db.update(alerts).set({
        publishedAt: null, receivedAt: new Date(Date.now() - 60_000),
        publishClaimedAt: claimedAgoMs === null ? null : new Date(Date.now() - claimedAgoMs),
      }).where(eq(alerts.id, alertId));
      await db.delete(alertTargets).where(eq(alertTargets.alertId, alertId));
    };
    const sweep = () => publishUnfinished(db, { olderThanMs: 30_000, leaseMs: 120_000 });
    const finishedBy = (sweeps: Awaited<ReturnType<typeof publishUnfinished>>[]) => sweeps.flatMap((s) => s.finished).filter((id) => id === alertId);

    await strand(null);
    expect(finishedBy(await Promise.all([sweep(), sweep(), sweep()]))).toEqual([alertId]);
    expect((await stateOf(key))!.publishedAt).not.toBeNull();
    expect(await db.select().from(alertTargets).where(eq(alertTargets.alertId, alertId))).not.toHaveLength(0);

    // Claimed a minute ago by a process that is (as far as anyone knows) still at it: left alone.
    await strand(60_000);
    expect(finishedBy([await sweep()])).toEqual([]);
    expect((await stateOf(key))!.publishedAt).toBeNull();
    // Claimed three minutes ago: that process stopped; this one finishes it.
    await strand(180_000);
    expect(finishedBy([await sweep()])).toEqual([alertId]);
    expect((await stateOf(key))!.publishedAt).not.toBeNull();
  });

  it('a message finished after an Update replaced it is not targeted (no TV will show it), but announced: TVs holding what it replaced drop it', async () => {
    const firstKey = `late-${Date.now()}`;
    const first = capXml({ identifier: firstKey });
    const firstId: string = (await post(first.xml)).json().alertId;
    const update = capXml({ identifier: `late-update-${Date.now()}`, msgType: 'Update', references: [{ identifier: firstKey, sent: first.sent }] });
    expect((await post(update.xml)).statusCode).toBe(201);
    expect((await stateOf(firstKey))!.state).toBe('superseded');
    await db.update(alerts).set({ publishedAt: null }).where(eq(alerts.id, firstId));
    await db.delete(alertTargets).where(eq(alertTargets.alertId, firstId));
    const announced = await announcedDuring(async () => {
      expect((await post(first.xml)).json()).toEqual({ outcome: 'duplicate', alertId: firstId });
    });
    expect(announced).toContain(firstId);
    expect(await db.select().from(alertTargets).where(eq(alertTargets.alertId, firstId))).toHaveLength(0);
    expect((await stateOf(firstKey))!.publishedAt).not.toBeNull();
  });

  it('an identifier at the longest accepted (256 characters of 3 bytes each) is stored; one longer is ALERT_VALUE_INVALID, not a 500 from the unique index', async () => {
    const longest = `${Date.now()}-`.padEnd(256, '避');
    const stored = await post(capXml({ identifier: longest }).xml);
    expect([stored.statusCode, stored.json().outcome]).toEqual([201, 'stored']);
    const longer = await post(capXml({ identifier: `${longest}x` }).xml);
    expect([longer.statusCode, longer.json().error.code]).toEqual([422, 'ALERT_VALUE_INVALID']);
  });

  it('the same new message posted several times at once (a feed retrying) is stored once; the others are duplicates, never a 500', async () => {
    const doc = renamed('cap-multilingual-nanto.xml', 'nanto-2026-0001', 'retried-1');
    const answers = await Promise.all(Array.from({ length: 4 }, () => post(doc)));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 200, 201]);
    const stored = answers.find((a) => a.statusCode === 201)!.json().alertId;
    expect(answers.filter((a) => a.statusCode === 200).map((a) => a.json())).toEqual(Array(3).fill({ outcome: 'duplicate', alertId: stored }));
    // Another body under that key at the same time: one is stored, the other refused as a conflict.
    const other = renamed('cap-multilingual-nanto.xml', 'nanto-2026-0001', 'retried-2');
    const both = await Promise.all([post(other), post(other.replace('城端地域に避難指示', '城端地域に緊急安全確保'))]);
    expect(both.map((a) => a.statusCode).sort()).toEqual([201, 409]);
  });

  it('an Update supersedes what it references; a Cancel withdraws it', async () => {
    const original = renamed('cap-multilingual-nanto.xml', 'nanto-2026-0001', 'chain-1');
    expect((await post(original)).statusCode).toBe(201);
    const update = original.replace('<identifier>chain-1', '<identifier>chain-2').replace('<msgType>Alert', '<msgType>Update')
      .replace('<sent>2026-11-30T10:00:00+09:00</sent>', '<sent>2026-11-30T10:30:00+09:00</sent>\n  ')
      .replace('<scope>Public</scope>', '<scope>Public</scope><references>bousai@city.nanto.toyama.jp,chain-1,2026-11-30T10:00:00+09:00</references>');
    const updated = await post(update);
    expect(updated.statusCode).toBe(201);
    expect((await stateOf('chain-1'))).toMatchObject({ state: 'superseded', supersededBy: updated.json().alertId });
    expect((await stateOf('chain-2'))).toMatchObject({ state: 'active', level: '4' });

    const cancel = renamed('cap-cancel-no-info.xml', 'nanto-2026-0001,2026-11-30T10:00:00+09:00', 'chain-2,2026-11-30T10:30:00+09:00').replace('nanto-2026-0003', 'chain-3');
    const cancelled = await post(cancel);
    expect(cancelled.json()).toMatchObject({ outcome: 'stored', shownToResidents: false, affected: [updated.json().alertId] });
    expect((await stateOf('chain-2'))!.state).toBe('cancelled');
    expect((await stateOf('chain-3'))!.state).toBe('withdrawal');
    const active = (await activeAlerts(db, nantoOrg!.id, DURING)).map((a) => a.identifier);
    expect(active).not.toContain('chain-1');
    expect(active).not.toContain('chain-2');
  });

  it('two Updates of one alert posted at once leave one active: the later sent; an earlier one arriving after it is stale', async () => {
    for (const round of [1, 2, 3]) {
      const original = renamed('cap-multilingual-nanto.xml', 'nanto-2026-0001', `twin-${round}`);
      expect((await post(original)).statusCode).toBe(201);
      const update = (id: string, sent: string) => original.replace(`<identifier>twin-${round}`, `<identifier>${id}`).replace('<msgType>Alert', '<msgType>Update')
        .replace('<sent>2026-11-30T10:00:00+09:00</sent>', `<sent>${sent}</sent>`)
        .replace('<scope>Public</scope>', `<scope>Public</scope><references>bousai@city.nanto.toyama.jp,twin-${round},2026-11-30T10:00:00+09:00</references>`);
      const [early, late] = await Promise.all([post(update(`twin-${round}-a`, '2026-11-30T10:30:00+09:00')), post(update(`twin-${round}-b`, '2026-11-30T10:45:00+09:00'))]);
      const lateId = late.json().alertId;
      expect([late.statusCode, late.json().outcome]).toEqual([201, 'stored']);
      // Stored first, it was replaced by the later one; stored second, it came late: stale, not stored.
      if (early.statusCode === 201) expect(await stateOf(`twin-${round}-a`)).toMatchObject({ state: 'superseded', supersededBy: lateId });
      else expect([early.statusCode, early.json()]).toEqual([200, { outcome: 'stale', alertId: lateId }]);
      const active = (await activeAlerts(db, nantoOrg!.id, DURING)).map((a) => a.identifier).filter((id) => id.startsWith(`twin-${round}`));
      expect(active, `round ${round}`).toEqual([`twin-${round}-b`]);
    }
  });

  it('a Test or Exercise Update or Cancel never replaces an Actual alert (recipients disregard tests: CAP 1.2 status)', async () => {
    const original = renamed('cap-multilingual-nanto.xml', 'nanto-2026-0001', 'real-1');
    const stored = await post(original);
    expect(stored.statusCode).toBe(201);
    const testCancel = renamed('cap-cancel-no-info.xml', 'nanto-2026-0001', 'real-1').replace('nanto-2026-0003', 'test-cancel-1').replace('<status>Actual', '<status>Test');
    const cancelled = await post(testCancel);
    expect([cancelled.statusCode, cancelled.json()]).toMatchObject([201, { outcome: 'stored', affected: [] }]);
    const drillUpdate = original.replace('<identifier>real-1', '<identifier>drill-update-1').replace('<msgType>Alert', '<msgType>Update').replace('<status>Actual', '<status>Exercise')
      .replace('<scope>Public</scope>', '<scope>Public</scope><references>bousai@city.nanto.toyama.jp,real-1,2026-11-30T10:00:00+09:00</references>');
    expect((await post(drillUpdate)).json()).toMatchObject({ outcome: 'stored', affected: [] });
    expect(await stateOf('real-1')).toMatchObject({ state: 'active', supersededBy: null });
    expect((await activeAlerts(db, nantoOrg!.id, DURING)).map((a) => a.identifier)).toContain('real-1');
    const drillLAlert = text('l-alert-v4-soap.xml').replaceAll('162108-EO-0001', 'EO-real').replace('<distributionStatus>実運用', '<distributionStatus>訓練');
    expect((await post(text('l-alert-v3-bare.xml').replaceAll('162108-EO-0001', 'EO-real'))).statusCode).toBe(201);
    expect((await post(drillLAlert, nanto.token, 'application/soap+xml')).json()).toMatchObject({ outcome: 'stored', affected: [] });
    expect((await stateOf('EO-real#1'))!.state).toBe('active');
  });

  it('an Ack or Error referencing an alert leaves it in force (only an Update replaces, only a Cancel withdraws)', async () => {
    expect((await post(renamed('cap-multilingual-nanto.xml', 'nanto-2026-0001', 'acked-1'))).statusCode).toBe(201);
    for (const msgType of ['Ack', 'Error']) {
      const reply = renamed('cap-cancel-no-info.xml', 'nanto-2026-0001', 'acked-1').replace('nanto-2026-0003', `acked-${msgType}`).replace('<msgType>Cancel', `<msgType>${msgType}`);
      expect((await post(reply)).json(), msgType).toMatchObject({ outcome: 'stored', shownToResidents: false, affected: [] });
    }
    expect(await stateOf('acked-1')).toMatchObject({ state: 'active', supersededBy: null });
  });

  it("an Update or Cancel from another sender leaves the alert in force: a feed cannot end the console's order (nor another feed's)", async () => {
    // Everything a Cancel needs is public: the console's messages are in the municipality's CAP feed.
    const { alertId } = await publishedAlert(db, nantoOrg!.id);
    const [order] = await db.select().from(alerts).where(eq(alerts.id, alertId));
    const cancel = (identifier: string, sender: string, ref: { sender: string; identifier: string; sent: string }) => text('cap-cancel-no-info.xml')
      .replace('nanto-2026-0003', identifier).replace('<sender>bousai@city.nanto.toyama.jp', `<sender>${sender}`)
      .replace(/<references>[^<]*</, `<references>${ref.sender},${ref.identifier},${ref.sent}<`);
    expect((await post(cancel('foreign-cancel-1', 'bousai@city.nanto.toyama.jp', order!))).json()).toMatchObject({ outcome: 'stored', affected: [] });
    // Nor by writing the console's own sender: no feed may send as it (the console's messages are
    // changed in the console, with its second officer).
    const spoofed = await post(cancel('spoofed-cancel-1', order!.sender, order!));
    expect([spoofed.statusCode, spoofed.json().error.code]).toEqual([403, 'ALERT_SENDER_NOT_ALLOWED']);
    expect((await db.select().from(alerts).where(eq(alerts.id, alertId)))[0]).toMatchObject({ state: 'active', supersededBy: null });

    const theirs = await post(renamed('cap-multilingual-nanto.xml', 'nanto-2026-0001', 'senders-1'));
    const [feedOrder] = await db.select().from(alerts).where(eq(alerts.id, theirs.json().alertId));
    expect((await post(cancel('foreign-cancel-2', 'other@example.jp', feedOrder!))).json()).toMatchObject({ affected: [] });
    expect((await post(cancel('own-cancel-2', 'bousai@city.nanto.toyama.jp', feedOrder!))).json()).toMatchObject({ affected: [feedOrder!.id] });
  });

  it("one feed of a municipality cannot send as another's sender: its Cancel of their order is refused (ALERT_SENDER_NOT_ALLOWED) and the order stays in force", async () => {
    const theirs = await post(renamed('cap-multilingual-nanto.xml', 'nanto-2026-0001', 'relay-victim-1'));
    const [order] = await db.select().from(alerts).where(eq(alerts.id, theirs.json().alertId));
    const forged = text('cap-cancel-no-info.xml').replace('nanto-2026-0003', 'relay-cancel-1')
      .replace(/<references>[^<]*</, `<references>${order!.sender},${order!.identifier},${order!.sent}<`);
    const refused = await post(forged, relay.token);
    expect([refused.statusCode, refused.json().error]).toEqual([403, expect.objectContaining({ code: 'ALERT_SENDER_NOT_ALLOWED', details: { sender: CAP_SENDER } })]);
    // Under its own sender the Cancel is its own message, and ends nothing of the other's.
    const own = await post(forged.replace(`<sender>${CAP_SENDER}`, `<sender>${RELAY_SENDER}`), relay.token);
    expect(own.json()).toMatchObject({ outcome: 'stored', affected: [] });
    expect(await stateOf('relay-victim-1')).toMatchObject({ state: 'active', supersededBy: null });
  });

  it("L-Alert: another sender's document under the same document ID neither cancels nor blocks the revisions of the first", async () => {
    const doc = (revision: number, sender: string) => text('l-alert-v3-bare.xml').replaceAll('162108-EO-0001', 'EO-shared')
      .replaceAll('<commons:documentRevision>1<', `<commons:documentRevision>${revision}<`).replaceAll('<pcx_ib:documentRevision>1<', `<pcx_ib:documentRevision>${revision}<`)
      .replace('<edxlde:senderID>162108@publiccommons.ne.jp', `<edxlde:senderID>${sender}`);
    const first = await post(doc(1, '162108@publiccommons.ne.jp'));
    expect(first.json().outcome).toBe('stored');
    // The relay's revision of that document ID, and one far ahead meant to make the real next one stale:
    // each replaces only the relay's own.
    const relayed = await post(doc(2, RELAY_SENDER), relay.token);
    expect(relayed.json()).toMatchObject({ outcome: 'stored', affected: [] });
    expect((await post(doc(2147483647, RELAY_SENDER), relay.token)).json()).toMatchObject({ outcome: 'stored', affected: [relayed.json().alertId] });
    const [firstRow] = await db.select().from(alerts).where(eq(alerts.id, first.json().alertId));
    expect(firstRow).toMatchObject({ state: 'active', supersededBy: null });
    const next = await post(doc(3, '162108@publiccommons.ne.jp'));
    expect(next.json()).toMatchObject({ outcome: 'stored', affected: [first.json().alertId] });
  });

  it('a feed credential is issued only with senders of its own: none, or the console\'s own, is refused', async () => {
    await expect(issueFeedCredential(db, '162108', 'no senders', [], CLI_ACTOR)).rejects.toMatchObject({ code: 'REQ_INVALID' });
    await expect(issueFeedCredential(db, '162108', 'as the console', [consoleSender('162108')], CLI_ACTOR)).rejects.toMatchObject({ code: 'REQ_INVALID' });
    await expect(issueFeedCredential(db, '162108', 'a bad name', ['two words'], CLI_ACTOR)).rejects.toMatchObject({ code: 'ALERT_VALUE_INVALID' });
  });

  it('L-Alert: revision 2 supersedes revision 1; a late revision 1 is stale and changes nothing', async () => {
    const v3 = text('l-alert-v3-bare.xml').replaceAll('162108-EO-0001', 'EO-rev');
    const v4 = text('l-alert-v4-soap.xml').replaceAll('162108-EO-0001', 'EO-rev');
    const second = await post(v4, nanto.token, 'application/soap+xml');
    expect(second.json().outcome).toBe('stored');
    const late = await post(v3);
    expect([late.statusCode, late.json()]).toEqual([200, { outcome: 'stale', alertId: second.json().alertId }]);
    expect((await stateOf('EO-rev#2'))!.state).toBe('active');
    // Not stored, but not without trace: audited under the revision that made it stale.
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.subject, second.json().alertId), eq(auditLog.action, 'alert.stale')));
    // (The fixture's revision 2 is itself past its expiry by now: audited too, as `expired`.)
    expect(audited.map((e) => e.data).filter((d) => (d as { reason: string }).reason === 'superseded'))
      .toEqual([expect.objectContaining({ reason: 'superseded', identifier: 'EO-rev#1', channel: 'feed' })]);

    const v3b = text('l-alert-v3-bare.xml').replaceAll('162108-EO-0001', 'EO-order');
    const v4b = text('l-alert-v4-soap.xml').replaceAll('162108-EO-0001', 'EO-order');
    const r1 = await post(v3b);
    const r2 = await post(v4b);
    expect(r2.json().affected).toEqual([r1.json().alertId]);
    expect((await stateOf('EO-order#1'))).toMatchObject({ state: 'superseded', supersededBy: r2.json().alertId });
    expect((await stateOf('EO-order#2'))!.level).toBe('5');
  });

  it('status other than Actual is stored but never shown to residents (CAP Test, L-Alert 訓練)', async () => {
    const test = await post(renamed('cap-multilingual-nanto.xml', 'nanto-2026-0001', 'test-1').replace('<status>Actual', '<status>Test'));
    expect(test.json()).toMatchObject({ outcome: 'stored', shownToResidents: false });
    const drill = await post(text('l-alert-v3-bare.xml').replaceAll('162108-EO-0001', 'EO-drill').replace('<distributionStatus>実運用', '<distributionStatus>訓練'));
    expect(drill.json()).toMatchObject({ outcome: 'stored', shownToResidents: false });
    const active = (await activeAlerts(db, nantoOrg!.id, DURING)).map((a) => a.identifier);
    expect(active).not.toContain('test-1');
    expect(active).not.toContain('EO-drill#1');
  });

  it('an alert already past its expiry when it arrives is stored, never shown, and audited as alert.stale', async () => {
    const { xml } = capXml({ identifier: 'expired-on-arrival', sent: new Date(Date.now() - 2 * 3600_000), ttlSeconds: 3600 });
    const res = await post(xml);
    expect([res.statusCode, res.json().outcome]).toEqual([201, 'stored']);
    const { alertId } = res.json();
    expect((await activeAlerts(db, nantoOrg!.id)).map((a) => a.id)).not.toContain(alertId);
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.subject, alertId), eq(auditLog.action, 'alert.stale')));
    expect(audited.map((e) => e.data)).toEqual([expect.objectContaining({ reason: 'expired', identifier: 'expired-on-arrival', channel: 'feed', expiresAt: (await stateOf('expired-on-arrival'))!.expiresAt.toISOString() })]);
    // One still in force: no such record.
    const fresh = await post(capXml({ identifier: 'fresh-on-arrival' }).xml);
    expect(await db.select().from(auditLog).where(and(eq(auditLog.subject, fresh.json().alertId), eq(auditLog.action, 'alert.stale')))).toEqual([]);
  });

  it('an alert expired on arrival that replaces nothing is neither targeted nor announced (no TV will show it); its funnel is empty', async () => {
    const identifier = `expired-alone-${Date.now()}`;
    let alertId = '';
    const announced = await announcedDuring(async () => {
      const res = await post(capXml({ identifier, sent: new Date(Date.now() - 2 * 3600_000), ttlSeconds: 3600 }).xml);
      expect([res.statusCode, res.json().outcome, res.json().affected]).toEqual([201, 'stored', []]);
      alertId = res.json().alertId;
    });
    expect(announced).not.toContain(alertId);
    expect(await db.select().from(alertTargets).where(eq(alertTargets.alertId, alertId))).toEqual([]);
    expect(await db.select({ action: auditLog.action }).from(auditLog).where(and(eq(auditLog.subject, alertId), eq(auditLog.action, 'alert.stale')))).toHaveLength(1);
    const funnel = await alertFunnel(db, nantoOrg!.id, alertId, 60);
    expect([funnel.totals.targeted, funnel.tvs, funnel.notReached.total, funnel.watchdog.state]).toEqual([0, { reachable: 0, delivered: 0 }, 0, 'not_applicable']);
  });

  it('an Update expired on arrival still supersedes the active alert it references, untargeted, and is announced so the TVs drop that alert', async () => {
    const identifier = `expired-update-${Date.now()}`;
    const order = capXml({ identifier, sent: new Date(Date.now() - 3 * 3600_000) });
    const first = await post(order.xml);
    expect(await db.select().from(alertTargets).where(eq(alertTargets.alertId, first.json().alertId))).not.toEqual([]);
    let updateId = '';
    const announced = await announcedDuring(async () => {
      const update = await post(capXml({ identifier: `${identifier}-u`, msgType: 'Update', references: [{ identifier, sent: order.sent }], sent: new Date(Date.now() - 2 * 3600_000), ttlSeconds: 3600 }).xml);
      expect([update.statusCode, update.json().outcome, update.json().affected]).toEqual([201, 'stored', [first.json().alertId]]);
      updateId = update.json().alertId;
    });
    expect(await stateOf(identifier)).toMatchObject({ state: 'superseded', supersededBy: updateId });
    expect(await db.select().from(alertTargets).where(eq(alertTargets.alertId, updateId))).toEqual([]);
    expect(announced).toEqual([updateId]);
  });

  it('a missing expires gets the configured default after sent; a given one is kept', async () => {
    expect((await post(renamed('cap-homeland-security.xml', '43b080713727', 'ttl-1'))).statusCode).toBe(201);
    const row = (await stateOf('ttl-1'))!;
    expect(row.expiresDefaulted).toBe(1);
    expect(row.expiresAt.getTime() - Date.parse('2003-04-02T14:39:01-05:00')).toBe(config.alertDefaultTtlSeconds * 1000);
    await post(renamed('cap-multilingual-nanto.xml', 'nanto-2026-0001', 'ttl-2'));
    expect((await stateOf('ttl-2'))!.expiresAt.toISOString()).toBe('2026-11-30T13:00:00.000Z');
    expect((await activeAlerts(db, nantoOrg!.id, new Date('2026-11-30T13:00:01Z'))).map((a) => a.identifier)).not.toContain('ttl-2');
  });

  it('district codes the municipality does not know are named: in the answer, on the row, in the audit, in the funnel', async () => {
    const unknown = capXml({ identifier: 'unknown-codes-1', district: 'jyohana' }).xml;
    const res = await post(unknown);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ outcome: 'stored', unknownAreaCodes: ['jyohana'], widenedToMunicipality: true });
    const { alertId } = res.json();
    expect(await stateOf('unknown-codes-1')).toMatchObject({ unknownAreaCodes: ['jyohana'], widenedToMunicipality: true });
    // It went to every household of the municipality (the fallback it was before), now visibly.
    expect((await db.select().from(alertTargets).where(eq(alertTargets.alertId, alertId))).map((t) => t.matchedBy)).toEqual(['municipality', 'municipality']);
    const [audit] = await db.select().from(auditLog).where(and(eq(auditLog.subject, alertId), eq(auditLog.action, 'alert.ingest')));
    expect(audit!.data).toMatchObject({ unknownAreaCodes: 'jyohana', widenedToMunicipality: true });
    expect(await alertFunnel(db, nantoOrg!.id, alertId, 60)).toMatchObject({ unknownAreaCodes: ['jyohana'], widenedToMunicipality: true });
    // Known codes: nothing to report.
    const known = await post(capXml({ identifier: 'unknown-codes-2', district: 'johana' }).xml);
    expect(known.json()).toMatchObject({ outcome: 'stored', unknownAreaCodes: [], widenedToMunicipality: false });
    const [quiet] = await db.select().from(auditLog).where(and(eq(auditLog.subject, known.json().alertId), eq(auditLog.action, 'alert.ingest')));
    expect(quiet!.data).toMatchObject({ unknownAreaCodes: '', widenedToMunicipality: false });
  });

  it('the operator command (npm run alerts -- ingest) stores through the same path', async () => {
    const deps = { db, identity: () => Promise.reject(new Error('unused')), audit: config, inviteTtlSeconds: 60, alertDefaultTtlSeconds: config.alertDefaultTtlSeconds };
    const doc = Buffer.from(renamed('cap-multilingual-nanto.xml', 'nanto-2026-0001', 'cli-1')).toString('base64');
    const out = await runOperatorCommand(deps, { command: 'ingest-alert', municipality: '162108', documentBase64: doc });
    expect(out.result).toMatchObject({ outcome: 'stored', unknownAreaCodes: [], widenedToMunicipality: false });
    expect((await stateOf('cli-1'))!.channel).toBe('cli');
    const unknown = Buffer.from(capXml({ identifier: 'cli-unknown', district: 'x-99' }).xml).toString('base64');
    expect((await runOperatorCommand(deps, { command: 'ingest-alert', municipality: '162108', documentBase64: unknown })).result)
      .toMatchObject({ outcome: 'stored', unknownAreaCodes: ['x-99'], widenedToMunicipality: true });
  });
});
