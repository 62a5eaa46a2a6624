import { and, desc, eq, gt, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { serviceUids } from '../db/schema/index.js';
import { appendAudit } from '../identity/audit.js';
import { AppError } from '../shared/errors.js';
import type { InsurerActor } from './insurer-actor.js';
import { pensionCampaigns, pensionInbox, pensionPolicies, pensionSubmissions } from './schema.js';
import { countsAsAnswer } from './submissions.js';

export interface NewCampaign {
  title: string;
  /** `YYYY-MM`: policies due in this month. */
  period: string;
  deadline: string;
  reminderDates: string[];
}

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** How far ahead a campaign's deadline may be. */
export const MAX_DEADLINE_AHEAD_DAYS = 400;

/** Midnight of a `YYYY-MM-DD` in Japan, when a reminder of that day appears. */
export const japanMidnight = (day: string) => new Date(`${day}T00:00:00+09:00`);

/** The month number (1–12) of a period. */
export const monthOfPeriod = (period: string) => Number(PERIOD.exec(period)![2]);

type PolicyRow = typeof pensionPolicies.$inferSelect;
type CampaignRow = typeof pensionCampaigns.$inferSelect;

function inboxRows(campaign: CampaignRow, policy: PolicyRow, personId: string, now: Date) {
  const base = { personId, providerId: campaign.providerId, campaignId: campaign.id, policyId: policy.id };
  const deadline = campaign.deadline.toLocaleDateString('ja-JP', { timeZone: 'Asia/Tokyo', month: 'long', day: 'numeric' });
  return [
    { ...base, kind: 'campaign' as const, visibleFrom: now, title: `${campaign.title} 証券番号 ${policy.policyRef}`, body: `${deadline}までに 現況確認届を テレビから お出しください。` },
    ...campaign.reminderDates.map(japanMidnight).filter((at) => at > now && at < campaign.deadline).map((at) => ({
      ...base, kind: 'reminder' as const, visibleFrom: at, title: `お忘れでは ありませんか： ${campaign.title} 証券番号 ${policy.policyRef}`, body: `${deadline}が 締め切りです。`,
    })),
  ];
}

/**
 * Opens a campaign and puts its request (and its reminders, each visible from its day) in the
 * inbox of every resident whose policy of this provider is due in the period's month and linked now.
 */
export async function createCampaign(db: Db, actor: InsurerActor, input: NewCampaign, now = new Date()) {
  if (!PERIOD.test(input.period)) throw new AppError('REQ_INVALID', { detail: 'period must be YYYY-MM' });
  const deadline = new Date(input.deadline);
  if (Number.isNaN(deadline.getTime()) || deadline <= now) throw new AppError('REQ_INVALID', { detail: 'deadline must be a future date-time' });
  // A year's campaign closes within the year; much further is a typo (and year 275760 is more than the database holds).
  if (deadline.getTime() - now.getTime() > MAX_DEADLINE_AHEAD_DAYS * 86_400_000) throw new AppError('REQ_INVALID', { detail: `deadline must be within ${MAX_DEADLINE_AHEAD_DAYS} days` });
  const reminders = [...new Set(input.reminderDates)].sort();
  if (reminders.some((d) => !DAY.test(d) || Number.isNaN(japanMidnight(d).getTime()))) throw new AppError('REQ_INVALID', { detail: 'reminder dates must be YYYY-MM-DD' });
  if (reminders.some((d) => japanMidnight(d) >= deadline)) throw new AppError('REQ_INVALID', { detail: 'reminders must come before the deadline' });
  return db.transaction(async (tx) => {
    const [exists] = await tx.select({ id: pensionCampaigns.id }).from(pensionCampaigns).where(and(eq(pensionCampaigns.providerId, actor.providerId), eq(pensionCampaigns.period, input.period)));
    if (exists) throw new AppError('REQ_INVALID', { detail: `a campaign for ${input.period} exists` });
    const [campaign] = await tx.insert(pensionCampaigns).values({
      providerId: actor.providerId, title: input.title.trim(), period: input.period, deadline, reminderDates: reminders, createdBy: `staff:${actor.staffId}`,
    }).returning();
    const linked = await tx.select({ policy: pensionPolicies, personId: serviceUids.personId }).from(pensionPolicies)
      .innerJoin(serviceUids, and(eq(serviceUids.uid, pensionPolicies.serviceUid), isNull(serviceUids.unlinkedAt)))
      .where(and(eq(pensionPolicies.providerId, actor.providerId), eq(pensionPolicies.dueMonth, monthOfPeriod(input.period))));
    const rows = linked.flatMap(({ policy, personId }) => inboxRows(campaign!, policy, personId, now));
    if (rows.length) await tx.insert(pensionInbox).values(rows);
    await appendAudit(tx, { actor: `staff:${actor.staffId}`, action: 'pension.campaign_opened', subject: campaign!.id, data: { org: actor.organisationId, notified: linked.length } });
    return { id: campaign!.id, notified: linked.length };
  });
}

/** A policy linked just now joins the provider's open campaigns of its month (inbox items). */
export async function fanOutToPolicy(tx: Db, policy: PolicyRow, personId: string, now: Date): Promise<void> {
  const open = await tx.select().from(pensionCampaigns).where(and(eq(pensionCampaigns.providerId, policy.providerId), gt(pensionCampaigns.deadline, now)));
  const rows = open.filter((c) => monthOfPeriod(c.period) === policy.dueMonth).flatMap((c) => inboxRows(c, policy, personId, now));
  if (rows.length) await tx.insert(pensionInbox).values(rows).onConflictDoNothing();
}

/** The provider's campaigns with live progress: linked, notified, opened, submitted, overdue. */
export async function campaignsOf(db: Db, providerId: string, now = new Date()) {
  const campaigns = await db.select().from(pensionCampaigns).where(eq(pensionCampaigns.providerId, providerId)).orderBy(desc(pensionCampaigns.period));
  if (!campaigns.length) return [];
  const ids = campaigns.map((c) => c.id);
  const items = await db.select({ campaignId: pensionInbox.campaignId, policyId: pensionInbox.policyId, openedAt: pensionInbox.openedAt })
    .from(pensionInbox).where(and(inArray(pensionInbox.campaignId, ids), eq(pensionInbox.kind, 'campaign')));
  const submitted = await db.select({ campaignId: pensionSubmissions.campaignId, policyId: pensionSubmissions.policyId })
    .from(pensionSubmissions).where(and(inArray(pensionSubmissions.campaignId, ids), isNotNull(pensionSubmissions.policyId), countsAsAnswer));
  const linked = await db.select({ dueMonth: pensionPolicies.dueMonth, id: pensionPolicies.id }).from(pensionPolicies)
    .innerJoin(serviceUids, and(eq(serviceUids.uid, pensionPolicies.serviceUid), isNull(serviceUids.unlinkedAt)))
    .where(eq(pensionPolicies.providerId, providerId));
  return campaigns.map((c) => {
    const mine = items.filter((i) => i.campaignId === c.id);
    const done = new Set(submitted.filter((s) => s.campaignId === c.id).map((s) => s.policyId));
    const linkedHere = linked.filter((p) => p.dueMonth === monthOfPeriod(c.period));
    const overdue = c.deadline <= now ? linkedHere.filter((p) => !done.has(p.id)).length : 0;
    return {
      id: c.id, title: c.title, period: c.period, deadline: c.deadline.toISOString(), reminderDates: c.reminderDates,
      progress: { linked: linkedHere.length, notified: mine.length, opened: mine.filter((i) => i.openedAt).length, submitted: done.size, overdue },
    };
  });
}
