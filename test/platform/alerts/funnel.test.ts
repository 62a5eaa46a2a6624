import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { alertFunnel, histogram, timeToShare, watchdogState } from '../../../platform/src/alerts/funnel.js';
import { alertReceipts, alerts } from '../../../platform/src/alerts/schema.js';
import { runOperatorCommand } from '../../../platform/src/admin/commands.js';
import { devices, districts, households, organisations } from '../../../platform/src/db/schema/index.js';
import { CLI_ACTOR } from '../../../platform/src/identity/audit.js';
import { provisionDevice } from '../../../platform/src/identity/devices.js';
import { CONSOLE_PREFIX } from '../../../platform/src/staff/access.js';
import { publishedAlert } from '../../helpers/alerts.js';
import { buildTestApp } from '../../helpers/app.js';
import { orgId, staffWithSession } from '../../helpers/staff.js';

/** The console's funnel per alert (issue 13 §3), over receipts seeded directly (the TVs write them in production). */
const { app, database, config } = await buildTestApp({}, { demo: true });
const db = database.db;

let worlds = 0;
/** A town of its own (so each test stands alone): 東地区 with one household, 西地区 with two; each has a TV; an alert over both. */
async function world(status: 'Actual' | 'Exercise' = 'Actual') {
  const n = ++worlds;
  const [town] = await db.insert(organisations).values({ kind: 'municipality', code: `fn${n}-${Date.now()}`, name: `試験町${n}` }).returning();
  const [east, west] = await db.insert(districts).values([
    { municipalityId: town!.id, code: 'east', name: '東地区' }, { municipalityId: town!.id, code: 'west', name: '西地区' },
  ]).returning();
  const operator = await orgId(db, 'catv-demo');
  const homes = await db.insert(households).values([
    { operatorId: operator, contractNo: `F${n}-1`, districtId: east!.id, label: '東の世帯' },
    { operatorId: operator, contractNo: `F${n}-2`, districtId: west!.id, label: '西の世帯' },
    { operatorId: operator, contractNo: `F${n}-3`, districtId: west!.id, label: '静かな世帯' },
  ]).returning();
  const tvs: { household: string; device: string }[] = [];
  for (const h of homes) tvs.push({ household: h.id, device: (await provisionDevice(db, { kind: 'tv', householdId: h.id }, `${h.label}のテレビ`, CLI_ACTOR)).id });
  const published = await publishedAlert(db, town!.id, { status, districtIds: [east!.id, west!.id], shelterIds: [] });
  const [row] = await db.select().from(alerts).where(eq(alerts.id, published.alertId));
  const receipt = (i: number, kind: 'delivered' | 'displayed' | 'acknowledged', seconds: number, answer?: string) =>
    ({ alertId: published.alertId, deviceId: tvs[i]!.device, householdId: tvs[i]!.household, kind, at: after(row!.receivedAt, seconds), ...(answer ? { answer } : {}) });
  return { town: town!.id, alertId: published.alertId, publishedAt: row!.receivedAt, tvs, receipt };
}

const after = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000);

describe('the funnel', () => {
  it('counts households per stage and district (cumulative), lists TVs not reached, and bins delivery times', async () => {
    const w = await world();
    await db.insert(alertReceipts).values([
      w.receipt(0, 'delivered', 0.5), w.receipt(0, 'displayed', 1), w.receipt(0, 'acknowledged', 5, 'evacuated'),
      // 西の世帯's "delivered" receipt was lost: "displayed" still means it arrived.
      w.receipt(1, 'displayed', 3),
    ]);
    const f = await alertFunnel(db, w.town, w.alertId, 60, after(w.publishedAt, 10));
    expect(f.totals).toEqual({ targeted: 3, delivered: 2, displayed: 2, acknowledged: 1, evacuated: 1, safeAtHome: 0 });
    expect(f.districts.map((d) => [d.name, d.targeted, d.delivered, d.displayed, d.acknowledged])).toEqual([
      ['西地区', 2, 1, 1, 0], ['東地区', 1, 1, 1, 1],
    ]);
    expect(f.tvs).toEqual({ reachable: 3, delivered: 2 });
    expect(f.notReached).toMatchObject({ total: 1, items: [{ deviceId: w.tvs[2]!.device, label: '静かな世帯のテレビ', household: '静かな世帯', district: '西地区' }] });
    expect(f.histogram.counts.slice(0, 4)).toEqual([1, 0, 1, 0]); // 0.5 s in [0,1), 3 s in [2,5)
    expect(f.histogram.counts.reduce((a, b) => a + b)).toBe(2);
    expect([f.p50Seconds, f.p99Seconds]).toEqual([3, null]);
    expect(f.watchdog).toEqual({ boundSeconds: 60, state: 'pending' });
    expect((await alertFunnel(db, w.town, w.alertId, 60, after(w.publishedAt, 61))).watchdog.state).toBe('late');
  });

  it('the watchdog is pending until 99 % of the TVs had it, then ok when that was within the bound, late when it took longer', async () => {
    const w = await world();
    await db.insert(alertReceipts).values([w.receipt(0, 'delivered', 0.2), w.receipt(1, 'delivered', 0.4)]);
    const f = await alertFunnel(db, w.town, w.alertId, 60, after(w.publishedAt, 1));
    expect(f.watchdog.state).toBe('pending'); // 2 of 3: not yet 99 %
    await db.insert(alertReceipts).values(w.receipt(2, 'delivered', 0.9));
    const done = await alertFunnel(db, w.town, w.alertId, 60, after(w.publishedAt, 120));
    expect([done.watchdog.state, done.p99Seconds, done.notReached.total]).toEqual(['ok', 0.9, 0]);
    expect(watchdogState(0.9, 1, 60, true)).toBe('ok');
    expect(watchdogState(75, 80, 60, true)).toBe('late');
    expect(watchdogState(null, 5, 60, false)).toBe('not_applicable');
  });

  it('the same through the console route; another municipality\'s officer is refused', async () => {
    const w = await world();
    await db.insert(alertReceipts).values(w.receipt(1, 'acknowledged', 2, 'safe_at_home'));
    const officer = await staffWithSession(db, w.town, ['municipality.disaster']);
    const res = await app.inject({ method: 'GET', url: `${CONSOLE_PREFIX}/alerts/${w.alertId}/funnel`, headers: { authorization: officer.authorization } });
    expect(res.statusCode).toBe(200);
    expect(res.json().totals).toEqual({ targeted: 3, delivered: 1, displayed: 1, acknowledged: 1, evacuated: 0, safeAtHome: 1 });
    expect(res.json().watchdog.boundSeconds).toBe(config.alertDeliveryBoundSeconds);
    const other = await staffWithSession(db, await orgId(db, '162086'), ['municipality.disaster']);
    const refused = await app.inject({ method: 'GET', url: `${CONSOLE_PREFIX}/alerts/${w.alertId}/funnel`, headers: { authorization: other.authorization } });
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'STAFF_OUT_OF_SCOPE']);
  });
});

describe('a receipt recorded by hand (operator command, for demos and browser tests)', () => {
  it('writes what a TV would, once; only for a TV of a targeted household', async () => {
    const w = await world();
    const deps = { db, identity: () => Promise.reject(new Error('unused')), audit: config, inviteTtlSeconds: 60, alertDefaultTtlSeconds: config.alertDefaultTtlSeconds };
    const cmd = { command: 'record-alert-receipt' as const, alertId: w.alertId, deviceId: w.tvs[0]!.device, kind: 'acknowledged' as const, answer: 'evacuated' as const };
    expect((await runOperatorCommand(deps, cmd)).result).toEqual({ recorded: true });
    expect((await runOperatorCommand(deps, cmd)).result).toEqual({ recorded: false });
    expect((await alertFunnel(db, w.town, w.alertId, 60)).totals).toMatchObject({ delivered: 1, acknowledged: 1, evacuated: 1 });
    await expect(runOperatorCommand(deps, { ...cmd, deviceId: '00000000-0000-4000-8000-000000000201' })).rejects.toMatchObject({ code: 'REQ_NOT_FOUND' });
    await expect(runOperatorCommand(deps, { ...cmd, deviceId: 'not-a-uuid' })).rejects.toMatchObject({ code: 'REQ_INVALID' });
  });

  it('refuses an Exercise from a TV not flagged for test alerts (the live path never sends it one), writes it for a flagged TV', async () => {
    const w = await world('Exercise');
    const deps = { db, identity: () => Promise.reject(new Error('unused')), audit: config, inviteTtlSeconds: 60, alertDefaultTtlSeconds: config.alertDefaultTtlSeconds };
    const cmd = { command: 'record-alert-receipt' as const, alertId: w.alertId, deviceId: w.tvs[0]!.device, kind: 'delivered' as const };
    await expect(runOperatorCommand(deps, cmd)).rejects.toMatchObject({ code: 'REQ_NOT_FOUND', status: 404, detail: expect.stringContaining('not flagged for test alerts') });
    expect(await db.select().from(alertReceipts).where(eq(alertReceipts.alertId, w.alertId))).toEqual([]);
    await db.update(devices).set({ testAlerts: true }).where(eq(devices.id, w.tvs[0]!.device));
    expect((await runOperatorCommand(deps, cmd)).result).toEqual({ recorded: true });
    expect((await alertFunnel(db, w.town, w.alertId, 60)).totals).toMatchObject({ targeted: 3, delivered: 1 });
  });
});

describe('funnel arithmetic', () => {
  it('time to a share of a population: null until enough have arrived', () => {
    expect(timeToShare([1, 2, 3], 3, 0.99)).toBe(3);
    expect(timeToShare([1, 2, 3], 4, 0.99)).toBeNull();
    expect(timeToShare([], 0, 0.5)).toBeNull();
    expect(timeToShare(Array.from({ length: 100 }, (_, i) => i), 100, 0.99)).toBe(98);
  });

  it('bins seconds by the edges, the last bucket open-ended', () => {
    const h = histogram([0, 0.99, 1, 4.9, 5, 700, 10_000]);
    expect(h.counts).toEqual([2, 1, 1, 1, 0, 0, 0, 0, 0, 2]);
    expect(h.edgesSeconds).toHaveLength(h.counts.length);
  });
});
