import { asc, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { auditLog, devices, shelters } from '../../../platform/src/db/schema/index.js';
import { seedDemoWorld } from '../../../platform/src/demo/seed.js';
import { verifyAuditChain, type AuditActor } from '../../../platform/src/identity/audit.js';
const TEST_ACTOR: AuditActor = { name: 'operator:test', organisationId: null };
import type { IdentityDeps } from '../../../platform/src/identity/deps.js';
import { provisionDevice, withdrawDevice } from '../../../platform/src/identity/devices.js';
import { ingestLinkage } from '../../../platform/src/identity/linkage-ingest.js';
import { freshDatabase } from '../../helpers/database.js';

/** Issue 9 §3: every operator action (the `npm run platform` commands) leaves an audit entry. */
describe('operator actions are audited', async () => {
  const database = await freshDatabase();
  afterAll(() => database.close());
  const { db } = database;
  await seedDemoWorld(db);
  const entriesAbout = (subject: string) => db.select().from(auditLog).where(eq(auditLog.subject, subject)).orderBy(asc(auditLog.seq));

  it('provision-device: who provisioned which kind of device where, never its secret', async () => {
    const tv = await provisionDevice(db, { kind: 'tv', householdContractNo: 'CATV-0001' }, '居間', TEST_ACTOR);
    const [row] = await db.select().from(devices).where(eq(devices.id, tv.id));
    const entries = await entriesAbout(tv.id);
    expect(entries.map((e) => [e.actor, e.action, e.data])).toEqual([['operator:test', 'device.provisioned', { org: null, kind: 'tv', household: row!.householdId, shelter: null }]]);
    const text = JSON.stringify(entries);
    expect(text).not.toContain(tv.secret);
    expect(text).not.toContain(row!.credentialHash);

    const [shelter] = await db.select().from(shelters).limit(1);
    const tablet = await provisionDevice(db, { kind: 'tablet', shelterId: shelter!.id }, '受付', TEST_ACTOR);
    expect((await entriesAbout(tablet.id)).map((e) => e.data)).toEqual([{ org: null, kind: 'tablet', household: null, shelter: shelter!.id }]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it('provision-device for an unknown household writes neither a device nor an entry', async () => {
    const before = (await db.select().from(auditLog)).length;
    await expect(provisionDevice(db, { kind: 'tv', householdContractNo: 'CATV-NONE' }, 'x', TEST_ACTOR)).rejects.toMatchObject({ code: 'REQ_NOT_FOUND' });
    expect((await db.select().from(auditLog)).length).toBe(before);
  });

  it('withdraw-device: also a repeat, which changes nothing', async () => {
    const tv = await provisionDevice(db, { kind: 'tv', householdContractNo: 'CATV-0001' }, '寝室', TEST_ACTOR);
    await withdrawDevice(db, tv.id, TEST_ACTOR);
    await withdrawDevice(db, tv.id, TEST_ACTOR);
    expect((await entriesAbout(tv.id)).map((e) => e.action)).toEqual(['device.provisioned', 'device.withdrawn', 'device.withdrawal-repeated']);
  });

  it('ingest-linkage: recorded even when it changes nothing', async () => {
    // No card or renewal to look up, so no JPKI context is needed.
    const deps = { db, jpki: undefined, config: undefined } as unknown as IdentityDeps;
    await ingestLinkage(deps, { cards: [], renewals: [] }, 'operator:test');
    const [last] = await db.select().from(auditLog).orderBy(asc(auditLog.seq)).then((rows) => rows.slice(-1));
    expect(last).toMatchObject({ actor: 'operator:test', action: 'linkage.ingested', data: { cardsAdded: 0, renewed: 0 } });
  });
});
