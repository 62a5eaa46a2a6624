import { and, desc, eq, inArray, or } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { districts, shelters } from '../db/schema/places.js';
import { appendAudit } from '../identity/audit.js';
import { AppError } from '../shared/errors.js';
import type { StaffContext } from '../staff/staff-login.js';
import { staffMembers } from '../staff/schema.js';
import type { DraftCreateBody, DraftEditBody, DraftView } from './alert-console-schemas.js';
import { composeAlert, type ComposedContent } from './compose.js';
import { alertDrafts, alertSettings } from './draft-schema.js';
import { ingestAlert } from './ingest.js';
import type { EvacuationLevel } from './model.js';
import { alerts } from './schema.js';

/**
 * An alert's life in the console (issue 13 §3): an officer composes a draft, submits it, and —
 * for an Actual message when the municipality requires it (the default) — a SECOND disaster
 * officer approves it, which publishes it: the draft becomes a CAP 1.2 message stored by
 * `ingestAlert` (channel `console`), targeted like any feed's. A false alarm is worse than a late
 * one. Update, extend, lift and cancel are drafts too, each a CAP Update/Cancel referencing the
 * active message. Every step is one audited change; a request made on an outdated version of the
 * draft (or of the alert it changes) is refused with ALERT_DRAFT_STALE.
 */

type Draft = typeof alertDrafts.$inferSelect;
type Action = Draft['action'];

export interface DraftDeps {
  db: Db;
  defaultTtlSeconds: number;
}

const actor = (context: StaffContext) => `staff:${context.staff.id}`;

export async function settingsOf(db: Db, municipalityId: string): Promise<{ approvalRequired: boolean }> {
  const [row] = await db.select({ approvalRequired: alertSettings.approvalRequired }).from(alertSettings).where(eq(alertSettings.municipalityId, municipalityId));
  return { approvalRequired: row?.approvalRequired ?? true };
}

export async function changeSettings(db: Db, context: StaffContext, approvalRequired: boolean) {
  const org = context.organisation.id;
  await db.transaction(async (tx) => {
    await tx.insert(alertSettings).values({ municipalityId: org, approvalRequired })
      .onConflictDoUpdate({ target: alertSettings.municipalityId, set: { approvalRequired, updatedAt: new Date() } });
    await appendAudit(tx, { actor: actor(context), action: 'alert.settings', subject: org, data: { org, approvalRequired } });
  });
  return { approvalRequired };
}

/** The districts and shelters named, all of the caller's municipality (another's: STAFF_OUT_OF_SCOPE; unknown: ALERT_DRAFT_INVALID). */
export async function resolvePlaces(db: Db, municipalityId: string, districtIds: string[], shelterIds: string[]) {
  const ds = districtIds.length ? await db.select().from(districts).where(inArray(districts.id, districtIds)) : [];
  const ss = shelterIds.length ? await db.select().from(shelters).where(inArray(shelters.id, shelterIds)) : [];
  if ([...ds, ...ss].some((p) => p.municipalityId !== municipalityId)) throw new AppError('STAFF_OUT_OF_SCOPE', { detail: "another municipality's district or shelter" });
  if (ds.length !== districtIds.length || ss.length !== shelterIds.length) throw new AppError('ALERT_DRAFT_INVALID', { detail: 'unknown district or shelter' });
  // In the order the officer chose them.
  return {
    districts: districtIds.map((id) => ds.find((d) => d.id === id)!),
    shelters: shelterIds.map((id) => ss.find((s) => s.id === id)!),
  };
}

/** The active console alert a change refers to, or a coded refusal. */
async function changeableAlert(db: Db, context: StaffContext, alertId: string | undefined) {
  if (!alertId) throw new AppError('ALERT_DRAFT_INVALID', { detail: 'referencesAlertId is required for update, extend, lift and cancel' });
  const [row] = await db.select().from(alerts).where(eq(alerts.id, alertId));
  if (!row) throw new AppError('REQ_NOT_FOUND', { detail: 'no such alert' });
  if (row.municipalityId !== context.organisation.id) throw new AppError('STAFF_OUT_OF_SCOPE');
  if (row.channel !== 'console' || row.state !== 'active') throw new AppError('ALERT_NOT_UPDATABLE', { details: { state: row.state, channel: row.channel } });
  const [origin] = await db.select().from(alertDrafts).where(eq(alertDrafts.publishedAlertId, row.id));
  if (!origin) throw new AppError('ALERT_NOT_UPDATABLE', { detail: 'no draft behind this alert' });
  return { alert: row, origin };
}

/**
 * A change keeps the status of the message it changes. Test and Exercise messages are published on
 * submitting, without the second officer: a Test Cancel (or lift, or Update) of an Actual alert
 * would let one officer alone withdraw a real order from every TV.
 */
function expectSameStatus(alert: { status: string }, status: string): void {
  if (alert.status !== status) throw new AppError('ALERT_DRAFT_INVALID', { details: { field: 'status', expected: alert.status }, detail: 'a change of an alert has its status' });
}

type Content = Pick<Draft, 'level' | 'event' | 'headline' | 'description' | 'districtIds' | 'shelterIds'>;

/** The content a draft of this action carries, checked: levels, at least one district, places of this municipality. */
async function contentFor(db: Db, context: StaffContext, action: Action, body: Partial<DraftEditBody>, origin: Draft | null): Promise<Content> {
  if (action === 'cancel') return { level: null, event: '', headline: '', description: '', districtIds: [], shelterIds: [] };
  if (action === 'extend') {
    const o = origin!;
    return { level: o.level, event: o.event, headline: o.headline, description: o.description, districtIds: o.districtIds, shelterIds: o.shelterIds };
  }
  const level = action === 'lift' ? 'lift' : body.level;
  if (!level) throw new AppError('ALERT_DRAFT_INVALID', { details: { field: 'level' } });
  if (action === 'alert' && level === 'lift') throw new AppError('ALERT_DRAFT_INVALID', { detail: 'a new alert cannot be a lift: lift an active alert instead' });
  const districtIds = body.districtIds ?? (action === 'lift' ? origin?.districtIds ?? [] : []);
  const shelterIds = level === 'lift' ? [] : body.shelterIds ?? [];
  if (!districtIds.length) throw new AppError('ALERT_DRAFT_INVALID', { details: { field: 'districtIds' }, detail: 'choose at least one district' });
  await resolvePlaces(db, context.organisation.id, districtIds, shelterIds);
  return {
    level, event: body.event?.trim() ?? '', headline: body.headline?.trim() ?? '', description: body.description?.trim().replace(/\r\n?/g, '\n') ?? '',
    districtIds, shelterIds,
  };
}

async function loadOwn(db: Db, context: StaffContext, id: string): Promise<Draft> {
  const [draft] = await db.select().from(alertDrafts).where(eq(alertDrafts.id, id));
  if (!draft) throw new AppError('REQ_NOT_FOUND', { detail: 'no such draft' });
  if (draft.municipalityId !== context.organisation.id) throw new AppError('STAFF_OUT_OF_SCOPE');
  return draft;
}

function expectVersion(draft: Draft, version: number): void {
  if (draft.version !== version) throw new AppError('ALERT_DRAFT_STALE', { details: { version: draft.version } });
}

function expectState(draft: Draft, ...states: Draft['state'][]): void {
  if (!states.includes(draft.state)) throw new AppError('ALERT_DRAFT_STATE', { details: { state: draft.state } });
}

/** Moves a draft on only if nobody changed it since it was read (the version is the lock). */
async function transition(db: Db, draft: Draft, set: Partial<Draft>, audit: { context: StaffContext; action: string; data?: Record<string, unknown> }): Promise<Draft> {
  return db.transaction(async (tx) => {
    const [row] = await tx.update(alertDrafts).set({ ...set, version: draft.version + 1, updatedAt: new Date() })
      .where(and(eq(alertDrafts.id, draft.id), eq(alertDrafts.version, draft.version))).returning();
    if (!row) throw new AppError('ALERT_DRAFT_STALE');
    await appendAudit(tx, {
      actor: actor(audit.context), action: audit.action, subject: draft.id,
      data: { org: draft.municipalityId, draftAction: draft.action, status: row.status, level: row.level, ...audit.data },
    });
    return row;
  });
}

export async function createDraft(db: Db, context: StaffContext, body: DraftCreateBody): Promise<Draft> {
  if (body.action === 'alert' && body.referencesAlertId) throw new AppError('ALERT_DRAFT_INVALID', { detail: 'a new alert references nothing' });
  const changed = body.action === 'alert' ? null : await changeableAlert(db, context, body.referencesAlertId);
  if (changed) expectSameStatus(changed.alert, body.status);
  const origin = changed?.origin ?? null;
  const content = await contentFor(db, context, body.action, body, origin);
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(alertDrafts).values({
      municipalityId: context.organisation.id, action: body.action, referencesAlertId: body.referencesAlertId ?? null,
      status: body.status, validMinutes: body.validMinutes, composedBy: context.staff.id, ...content,
    }).returning();
    await appendAudit(tx, {
      actor: actor(context), action: 'alert.draft.create', subject: row!.id,
      data: { org: context.organisation.id, draftAction: body.action, status: body.status, level: content.level, references: body.referencesAlertId ?? null },
    });
    return row!;
  });
}

/** Only the composer edits; an edit of a draft awaiting approval sends it back to draft (the approver must see what they approve). */
export async function editDraft(db: Db, context: StaffContext, id: string, body: DraftEditBody): Promise<Draft> {
  const draft = await loadOwn(db, context, id);
  if (draft.composedBy !== context.staff.id) throw new AppError('ALERT_DRAFT_NOT_YOURS');
  expectState(draft, 'draft', 'awaiting_approval');
  expectVersion(draft, body.version);
  const changed = draft.referencesAlertId ? await changeableAlert(db, context, draft.referencesAlertId) : null;
  if (changed) expectSameStatus(changed.alert, body.status);
  const origin = changed?.origin ?? null;
  const content = await contentFor(db, context, draft.action, body, origin);
  return transition(db, draft, { ...content, status: body.status, validMinutes: body.validMinutes, state: 'draft' }, { context, action: 'alert.draft.edit' });
}

export async function discardDraft(db: Db, context: StaffContext, id: string, version: number): Promise<Draft> {
  const draft = await loadOwn(db, context, id);
  expectState(draft, 'draft', 'awaiting_approval');
  expectVersion(draft, version);
  return transition(db, draft, { state: 'discarded' }, { context, action: 'alert.draft.discard' });
}

function needsApproval(draft: Pick<Draft, 'status'>, settings: { approvalRequired: boolean }): boolean {
  return draft.status === 'Actual' && settings.approvalRequired;
}

/** The composer submits: it waits for a second officer when approval is needed, else it is published now. */
export async function submitDraft(deps: DraftDeps, context: StaffContext, id: string, version: number): Promise<Draft> {
  const draft = await loadOwn(deps.db, context, id);
  if (draft.composedBy !== context.staff.id) throw new AppError('ALERT_DRAFT_NOT_YOURS');
  expectState(draft, 'draft');
  expectVersion(draft, version);
  if (needsApproval(draft, await settingsOf(deps.db, draft.municipalityId))) {
    return transition(deps.db, draft, { state: 'awaiting_approval' }, { context, action: 'alert.draft.submit' });
  }
  return publish(deps, context, draft, null);
}

/** A second disaster officer approves, which publishes: never the composer. */
export async function approveDraft(deps: DraftDeps, context: StaffContext, id: string, version: number): Promise<Draft> {
  const draft = await loadOwn(deps.db, context, id);
  expectState(draft, 'awaiting_approval');
  if (draft.composedBy === context.staff.id) throw new AppError('ALERT_OWN_APPROVAL');
  expectVersion(draft, version);
  return publish(deps, context, draft, context.staff.id);
}

const MSG_TYPE: Record<Action, 'Alert' | 'Update' | 'Cancel'> = { alert: 'Alert', update: 'Update', extend: 'Update', lift: 'Update', cancel: 'Cancel' };

/**
 * Publishing, in ONE transaction: claim the draft (version lock), build its CAP message, store it
 * through `ingestAlert` (targets and the NOTIFY included: PostgreSQL delivers a NOTIFY only when
 * its transaction commits), link the draft to the stored message and audit it. A crash or an error
 * anywhere in between leaves nothing: the draft stays as it was, no message is stored and no TV
 * hears of one, so it can simply be approved again. The message an Update or Cancel references
 * must still be the active one (someone else's update in between: stale).
 */
async function publish(deps: DraftDeps, context: StaffContext, draft: Draft, approvedBy: string | null): Promise<Draft> {
  return deps.db.transaction(async (tx) => {
    const [claimed] = await tx.update(alertDrafts).set({ state: 'published', approvedBy, version: draft.version + 1, updatedAt: new Date() })
      .where(and(eq(alertDrafts.id, draft.id), eq(alertDrafts.version, draft.version), eq(alertDrafts.state, draft.state))).returning();
    if (!claimed) throw new AppError('ALERT_DRAFT_STALE');
    const references = [];
    if (draft.referencesAlertId) {
      // Locked: a second change of the same alert approved at the same moment waits here, then finds it replaced (stale).
      const [ref] = await tx.select().from(alerts).where(eq(alerts.id, draft.referencesAlertId)).for('update');
      if (!ref || ref.state !== 'active') throw new AppError('ALERT_DRAFT_STALE', { detail: 'the alert it changes is no longer active' });
      references.push({ sender: ref.sender, identifier: ref.identifier, sent: ref.sent });
    }
    let content: ComposedContent | undefined;
    if (draft.action !== 'cancel') {
      const places = await resolvePlaces(tx, draft.municipalityId, draft.districtIds, draft.shelterIds);
      content = {
        level: (draft.level === 'lift' ? 'lift' : Number(draft.level)) as EvacuationLevel, event: draft.event, headline: draft.headline, description: draft.description,
        districts: places.districts.map((d) => ({ code: d.code, name: d.name })), shelters: places.shelters.map((s) => ({ name: s.name })),
      };
    }
    const now = new Date();
    const alert = composeAlert({
      municipality: context.organisation, identifier: `${context.organisation.code}-${draft.id}`, sent: now,
      status: draft.status, msgType: MSG_TYPE[draft.action], references, expires: new Date(now.getTime() + draft.validMinutes * 60_000),
      ...(content ? { content } : {}),
    });
    const stored = await ingestAlert(tx, { municipalityCode: context.organisation.code, alert, channel: 'console', actor: actor(context), defaultTtlSeconds: deps.defaultTtlSeconds });
    const [row] = await tx.update(alertDrafts).set({ publishedAlertId: stored.alertId }).where(eq(alertDrafts.id, draft.id)).returning();
    await appendAudit(tx, {
      actor: actor(context), action: 'alert.publish', subject: draft.id,
      data: { org: draft.municipalityId, alertId: stored.alertId, draftAction: draft.action, status: draft.status, composedBy: draft.composedBy, approvedBy },
    });
    return row!;
  });
}

/** Drafts as the console shows them, with who composed and approved them. */
export async function draftViews(db: Db, rows: Draft[], settings: { approvalRequired: boolean }): Promise<DraftView[]> {
  const ids = [...new Set(rows.flatMap((r) => [r.composedBy, r.approvedBy]).filter((x): x is string => x !== null))];
  const people = ids.length ? await db.select({ id: staffMembers.id, displayName: staffMembers.displayName }).from(staffMembers).where(inArray(staffMembers.id, ids)) : [];
  const person = (id: string) => people.find((p) => p.id === id) ?? { id, displayName: '' };
  return rows.map((r) => ({
    id: r.id, action: r.action, referencesAlertId: r.referencesAlertId, status: r.status, level: r.level as DraftView['level'],
    event: r.event, headline: r.headline, description: r.description, districtIds: r.districtIds, shelterIds: r.shelterIds,
    validMinutes: r.validMinutes, state: r.state, version: r.version, composedBy: person(r.composedBy),
    approvedBy: r.approvedBy ? person(r.approvedBy) : null, publishedAlertId: r.publishedAlertId,
    needsApproval: needsApproval(r, settings), createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
  }));
}

/** Open drafts (not yet published or discarded) of a municipality, newest first. */
export async function openDrafts(db: Db, municipalityId: string): Promise<Draft[]> {
  return db.select().from(alertDrafts)
    .where(and(eq(alertDrafts.municipalityId, municipalityId), or(eq(alertDrafts.state, 'draft'), eq(alertDrafts.state, 'awaiting_approval'))))
    .orderBy(desc(alertDrafts.createdAt));
}
