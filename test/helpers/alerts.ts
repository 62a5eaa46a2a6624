import { eq } from 'drizzle-orm';
import type { Db } from '../../platform/src/db/client.js';
import { approveDraft, createDraft, submitDraft } from '../../platform/src/alerts/drafts.js';
import type { DraftCreateBody } from '../../platform/src/alerts/alert-console-schemas.js';
import { districts, organisations, shelters } from '../../platform/src/db/schema/index.js';
import { permissionsOf, type Role } from '../../platform/src/staff/roles.js';
import type { StaffContext } from '../../platform/src/staff/staff-login.js';
import { staffMembers } from '../../platform/src/staff/schema.js';

/**
 * Alerts composed in the console, made directly (not through HTTP): for tests that need an
 * awaiting draft or a published alert to act on, not about composing itself.
 */


/** A disaster officer of a municipality, as the console's access hook would hand them to a route. */
export async function officer(db: Db, municipalityId: string, displayName = '試験 防災担当'): Promise<StaffContext> {
  const [member] = await db.insert(staffMembers).values({ organisationId: municipalityId, displayName, roles: ['municipality.disaster'] }).returning();
  return contextOf(db, member!.id);
}

/** The console context of an existing staff member (as the access hook builds it). */
export async function contextOf(db: Db, staffId: string): Promise<StaffContext> {
  const [member] = await db.select().from(staffMembers).where(eq(staffMembers.id, staffId));
  const [org] = await db.select().from(organisations).where(eq(organisations.id, member!.organisationId));
  const roles = member!.roles as Role[];
  return {
    sessionId: '00000000-0000-4000-8000-000000000000',
    staff: { id: member!.id, displayName: member!.displayName, roles },
    organisation: { id: org!.id, kind: org!.kind, code: org!.code, name: org!.name },
    permissions: permissionsOf(roles),
    idleExpiresAt: new Date(Date.now() + 3600_000),
  };
}

/** The municipality's places: its districts and shelters by code / name. */
export async function placesOf(db: Db, municipalityId: string) {
  return {
    districts: await db.select().from(districts).where(eq(districts.municipalityId, municipalityId)),
    shelters: await db.select().from(shelters).where(eq(shelters.municipalityId, municipalityId)),
  };
}

/** A level-4 alert over the municipality's first district, as a body for `POST /alerts/drafts`. */
export async function alertBody(db: Db, municipalityId: string, over: Partial<DraftCreateBody> = {}): Promise<DraftCreateBody> {
  const places = await placesOf(db, municipalityId);
  return {
    action: 'alert', status: 'Actual', validMinutes: 180, level: '4', headline: '土砂災害の危険', description: '川に近づかないでください。',
    districtIds: [places.districts[0]!.id], shelterIds: places.shelters.slice(0, 1).map((s) => s.id), ...over,
  };
}

/** A draft composed and submitted by one officer, awaiting a second's approval. */
export async function awaitingDraft(db: Db, municipalityId: string) {
  const composer = await officer(db, municipalityId, '試験 作成者');
  const draft = await createDraft(db, composer, await alertBody(db, municipalityId));
  const submitted = await submitDraft({ db, defaultTtlSeconds: 86_400 }, composer, draft.id, draft.version);
  return { composer, draft: submitted };
}

/** An Actual alert composed by one officer and approved by another: published and targeted. */
export async function publishedAlert(db: Db, municipalityId: string, over: Partial<DraftCreateBody> = {}) {
  const composer = await officer(db, municipalityId, '試験 作成者');
  const approver = await officer(db, municipalityId, '試験 承認者');
  const draft = await createDraft(db, composer, await alertBody(db, municipalityId, over));
  const submitted = await submitDraft({ db, defaultTtlSeconds: 86_400 }, composer, draft.id, draft.version);
  // Test and Exercise messages (and municipalities without the rule) are published on submitting.
  const published = submitted.state === 'published' ? submitted : await approveDraft({ db, defaultTtlSeconds: 86_400 }, approver, submitted.id, submitted.version);
  return { composer, approver, draft: published, alertId: published.publishedAlertId! };
}
