import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, organisations, pensionCampaigns, pensionInbox, pensionPolicies, serviceProviders, serviceUids, pensionSubmissions, persons } from '../../../platform/src/db/schema/index.js';
import { verifyBundle } from '../../../platform/src/pension/evidence-bundle.js';
import { sealSubmission } from '../../../platform/src/pension/seal.js';
import { pensionRevocation } from '../../../platform/src/pension/seal-services.js';
import { bundleOf, completePendingSubmissions, RENEW_NOTICE, storeSubmission } from '../../../platform/src/pension/submissions.js';
import { freshDatabase, type TestDatabase } from '../../helpers/database.js';
import { jpkiFixtures } from '../../helpers/jpki-fixtures.js';
import { cardSigned, sealWorld } from './seal-world.js';

let db: TestDatabase;
let world: Awaited<ReturnType<typeof sealWorld>>;
let providerId: string;
let otherProviderId: string;
let personId: string;

beforeAll(async () => {
  db = await freshDatabase();
  world = await sealWorld();
  const [org] = await db.db.insert(organisations).values({ kind: 'insurer', code: 'ins-1', name: 'なんと生命' }).returning();
  const [p1, p2] = await db.db.insert(serviceProviders).values([
    { organisationId: org!.id, code: 'nanto-life', name: 'なんと生命', service: 'pension' },
    { organisationId: org!.id, code: 'other-life', name: 'ほか生命', service: 'pension' },
  ]).returning();
  providerId = p1!.id;
  otherProviderId = p2!.id;
  const [person] = await db.db.insert(persons).values({}).returning();
  personId = person!.id;
});
afterAll(async () => {
  await world?.tsa.close();
  await db?.close();
});

describe('pension submissions in the database', () => {
  it('stores a sealed submission whose bundle the provider (and only it) can fetch, and which verifies', async () => {
    const outcome = await sealSubmission(await cardSigned(), world.ctx);
    const stored = await storeSubmission(db.db, { providerId, personId, outcome });
    expect(stored.state).toBe('sealed');
    const bundle = await bundleOf(db.db, providerId, stored.id);
    expect((await verifyBundle(bundle, world.trust)).ok).toBe(true);
    await expect(bundleOf(db.db, otherProviderId, stored.id)).rejects.toMatchObject({ code: 'REQ_NOT_FOUND' });
  });

  it('keeps a submission without a fresh CRL as revocation_pending and seals it when a CRL arrives', async () => {
    const fresh = await world.withoutCrl();
    const ctx = { ...world.ctx, revocation: pensionRevocation(fresh) };
    const stored = await storeSubmission(db.db, { providerId, personId, outcome: await sealSubmission(await cardSigned(), ctx) });
    expect(stored.state).toBe('revocation_pending');
    await expect(bundleOf(db.db, providerId, stored.id)).rejects.toMatchObject({ code: 'REQ_NOT_FOUND' });
    expect(await completePendingSubmissions(db.db, ctx)).toMatchObject({ sealed: 0, waiting: 1 });

    fresh.ingestCrl('sign', (await jpkiFixtures()).crls.sign['03']!);
    expect(await completePendingSubmissions(db.db, ctx)).toMatchObject({ sealed: 1, waiting: 0 });
    const [row] = await db.db.select().from(pensionSubmissions).where(eq(pensionSubmissions.id, stored.id));
    expect(row).toMatchObject({ state: 'sealed', pending: null });
    expect((await verifyBundle(row!.bundle!, world.trust)).ok).toBe(true);
  });

  it('a pending submission the CRL shows revoked: not sealed, not an answer; the holder is asked to renew, their request reopens, and they can answer again', async () => {
    // 鈴木's sign certificate is revoked (keyCompromise) in the generation-03 CRL; he signs while no CRL is known.
    const [person] = await db.db.insert(persons).values({}).returning();
    await db.db.insert(serviceUids).values({ uid: 'uid-suzuki', personId: person!.id, providerId });
    const [policy] = await db.db.insert(pensionPolicies).values({ providerId, policyRef: 'P-SUZUKI', dueMonth: 6, serviceUid: 'uid-suzuki' }).returning();
    const [campaign] = await db.db.insert(pensionCampaigns).values({ providerId, title: '現況確認', period: '2025-06', deadline: new Date('2025-06-30T00:00:00Z'), reminderDates: [], createdBy: 'test' }).returning();
    const [request] = await db.db.insert(pensionInbox).values({
      personId: person!.id, providerId, kind: 'campaign', campaignId: campaign!.id, policyId: policy!.id, title: '現況確認', body: '', doneAt: new Date(),
    }).returning();
    const fresh = await world.withoutCrl();
    const ctx = { ...world.ctx, revocation: pensionRevocation(fresh) };
    const where = { providerId, personId: person!.id, policyId: policy!.id, campaignId: campaign!.id };
    const stored = await storeSubmission(db.db, { ...where, outcome: await sealSubmission(await cardSigned('suzuki-jiro', 'uid-suzuki'), ctx) });
    expect(stored.state).toBe('revocation_pending');

    fresh.ingestCrl('sign', (await jpkiFixtures()).crls.sign['03']!);
    expect(await completePendingSubmissions(db.db, ctx)).toMatchObject({ sealed: 0, waiting: 0, revoked: 1 });
    const [row] = await db.db.select().from(pensionSubmissions).where(eq(pensionSubmissions.id, stored.id));
    expect(row).toMatchObject({ state: 'certificate_revoked', pending: null, bundle: null, sealedAt: null });
    await expect(bundleOf(db.db, providerId, stored.id)).rejects.toMatchObject({ code: 'REQ_NOT_FOUND' });
    const items = await db.db.select().from(pensionInbox).where(eq(pensionInbox.personId, person!.id));
    expect(items.find((i) => i.kind === 'status_changed')).toMatchObject({ policyId: policy!.id, ...RENEW_NOTICE });
    expect(items.find((i) => i.id === request!.id)!.doneAt).toBeNull();
    const audit = await db.db.select().from(auditLog).where(and(eq(auditLog.action, 'pension.revoked_while_pending'), eq(auditLog.subject, stored.id)));
    expect(audit).toHaveLength(1);

    // Settled once: the next CRL finds nothing pending, and a second reminder is not written.
    expect(await completePendingSubmissions(db.db, ctx)).toMatchObject({ sealed: 0, waiting: 0, revoked: 0 });
    // Renewed, he answers again for the same campaign and policy: the revoked row does not block it.
    const again = await storeSubmission(db.db, { ...where, outcome: await sealSubmission(await cardSigned('yamada-taro', 'uid-suzuki'), world.ctx) });
    expect(again.state).toBe('sealed');
  });
});
