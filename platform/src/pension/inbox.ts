import { and, count, desc, eq, inArray, isNull, lte } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { serviceProviders, serviceUids } from '../db/schema/index.js';
import { appendAudit } from '../identity/audit.js';
import { bookingInboxItems, openBookingNotice, unreadBookingNotices } from '../booking/notices.js';
import { AppError } from '../shared/errors.js';
import { ownPolicy, type InsurerActor } from './policies.js';
import { pensionCampaigns, pensionInbox, pensionPolicies, pensionSubmissions } from './schema.js';
import { countsAsAnswer, type StoredSubmission } from './submissions.js';

/** Items that count on the home badge: visible, not opened, not done. */
const unread = (personId: string, now: Date) =>
  and(eq(pensionInbox.personId, personId), lte(pensionInbox.visibleFrom, now), isNull(pensionInbox.openedAt), isNull(pensionInbox.doneAt));

/**
 * The TV has one inbox (お知らせ): the pension service's items and the booking module's notices
 * (receipts, lottery results, waitlist offers, staff overrides: `booking/notices.ts`) are listed,
 * counted and opened together here.
 */
const INBOX_LIMIT = 100;

/** The home screen's badge: how many inbox items are waiting. */
export async function badgeCount(db: Db, personId: string, now = new Date()): Promise<number> {
  const [row] = await db.select({ n: count() }).from(pensionInbox).where(unread(personId, now));
  return (row?.n ?? 0) + await unreadBookingNotices(db, personId);
}

/** The person's inbox, newest first (items of a future day are not there yet). */
export async function inboxOf(db: Db, personId: string, now = new Date()) {
  const rows = await db.select({ item: pensionInbox, from: serviceProviders.name }).from(pensionInbox)
    .innerJoin(serviceProviders, eq(serviceProviders.id, pensionInbox.providerId))
    .where(and(eq(pensionInbox.personId, personId), lte(pensionInbox.visibleFrom, now)))
    .orderBy(desc(pensionInbox.visibleFrom)).limit(INBOX_LIMIT);
  const pension = rows.map(({ item, from }) => ({
    id: item.id, kind: item.kind, from, title: item.title, body: item.body, at: item.visibleFrom.toISOString(),
    opened: Boolean(item.openedAt), done: Boolean(item.doneAt), campaignId: item.campaignId,
  }));
  const items = [...pension, ...await bookingInboxItems(db, personId, INBOX_LIMIT)]
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, INBOX_LIMIT);
  return { unread: await badgeCount(db, personId, now), items };
}

/**
 * Opens an item of this person's (another's is REQ_NOT_FOUND). A campaign item also answers what
 * the TV needs to prepare the 現況確認届: the policy, the period, the deadline, whether it is done.
 */
export async function openItem(db: Db, personId: string, itemId: string, now = new Date()) {
  const [row] = await db.select({ item: pensionInbox, from: serviceProviders.name }).from(pensionInbox)
    .innerJoin(serviceProviders, eq(serviceProviders.id, pensionInbox.providerId))
    .where(and(eq(pensionInbox.id, itemId), eq(pensionInbox.personId, personId), lte(pensionInbox.visibleFrom, now)));
  if (!row) {
    const notice = await openBookingNotice(db, personId, itemId, now);
    if (!notice) throw new AppError('REQ_NOT_FOUND', { detail: 'no such inbox item' });
    return notice;
  }
  if (!row.item.openedAt) await db.update(pensionInbox).set({ openedAt: now }).where(eq(pensionInbox.id, itemId));
  let confirmation = null;
  if (row.item.campaignId && row.item.policyId) {
    const [c] = await db.select({ campaign: pensionCampaigns, policy: pensionPolicies, holder: serviceUids.personId }).from(pensionCampaigns)
      .innerJoin(pensionPolicies, eq(pensionPolicies.id, row.item.policyId))
      .leftJoin(serviceUids, and(eq(serviceUids.uid, pensionPolicies.serviceUid), isNull(serviceUids.unlinkedAt)))
      .where(eq(pensionCampaigns.id, row.item.campaignId));
    // Only this person's own answer (under any UID of theirs): a policy since linked to someone else
    // (its new holder) says nothing of theirs.
    const [sub] = await db.select({ id: pensionSubmissions.id, state: pensionSubmissions.state, signedAt: pensionSubmissions.signedAt }).from(pensionSubmissions)
      .where(and(eq(pensionSubmissions.campaignId, row.item.campaignId), eq(pensionSubmissions.policyId, row.item.policyId), 
        inArray(pensionSubmissions.serviceUid, db.select({ uid: serviceUids.uid }).from(serviceUids).where(eq(serviceUids.personId, personId))), countsAsAnswer));
    confirmation = {
      campaignId: c!.campaign.id, policyId: c!.policy.id, policyRef: c!.policy.policyRef, period: c!.campaign.period,
      // Open to this person only while the policy is still theirs.
      deadline: c!.campaign.deadline.toISOString(), open: c!.campaign.deadline > now && c!.holder === personId,
      submission: sub ? { id: sub.id, state: sub.state as StoredSubmission['state'], signedAt: sub.signedAt.toISOString() } : null,
    };
  }
  return {
    id: row.item.id, kind: row.item.kind, from: row.from, title: row.item.title, body: row.item.body, at: row.item.visibleFrom.toISOString(), confirmation,
  };
}

/** The insurer writes to the holder of one of its linked policies (through its UID only). */
export async function sendNotice(db: Db, actor: InsurerActor, policyId: string, input: { title: string; body: string }) {
  const policy = await ownPolicy(db, actor, policyId);
  const [link] = policy.serviceUid
    ? await db.select().from(serviceUids).where(and(eq(serviceUids.uid, policy.serviceUid), isNull(serviceUids.unlinkedAt)))
    : [];
  if (!link) throw new AppError('REQ_INVALID', { detail: 'the policy is not linked' });
  return db.transaction(async (tx) => {
    const [item] = await tx.insert(pensionInbox).values({
      personId: link.personId, providerId: actor.providerId, kind: 'notice', policyId, title: input.title.trim(), body: input.body.trim(),
    }).returning({ id: pensionInbox.id });
    await appendAudit(tx, { actor: `staff:${actor.staffId}`, action: 'pension.notice_sent', subject: policyId, data: { org: actor.organisationId } });
    return { id: item!.id };
  });
}
