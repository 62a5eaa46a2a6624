import { and, asc, count, desc, eq, gte, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { facilities } from '../db/schema/index.js';
import { appendAudit } from '../identity/audit.js';
import { AppError } from '../shared/errors.js';
import { ownFacility, type StaffActor } from './admin.js';
import { closeRound, drawRound, openRound, replayRound } from './lottery.js';
import { facilityBlackouts, facilityPolicies, facilityUnits, lotteryApplications, lotteryRounds, type LotteryRound } from './schema.js';
import { japanDay } from './slots.js';

/**
 * What facility staff do besides the board: their facilities with policy, closed days and lottery
 * rounds; policy edits; opening, drawing and replaying lottery rounds. Every target is checked to
 * be the caller's municipality's; every change is audited.
 */

/** The municipality's facilities as the console's booking page shows them. */
export async function facilitiesOf(db: Db, actor: StaffActor, now = new Date()) {
  const own = await db.select({ f: facilities, policy: facilityPolicies }).from(facilities)
    .innerJoin(facilityPolicies, eq(facilityPolicies.facilityId, facilities.id))
    .where(eq(facilities.municipalityId, actor.organisationId)).orderBy(asc(facilities.name));
  const ids = own.map((r) => r.f.id);
  if (!ids.length) return { facilities: [] };
  const units = await db.select().from(facilityUnits).where(inArray(facilityUnits.facilityId, ids)).orderBy(asc(facilityUnits.sort));
  const closed = await db.select().from(facilityBlackouts)
    .where(and(inArray(facilityBlackouts.facilityId, ids), gte(facilityBlackouts.day, japanDay(now)))).orderBy(asc(facilityBlackouts.day));
  const rounds = await db.select().from(lotteryRounds).where(inArray(lotteryRounds.facilityId, ids)).orderBy(desc(lotteryRounds.month));
  const entries = rounds.length ? await db.select({ roundId: lotteryApplications.roundId, n: count() }).from(lotteryApplications)
    .where(inArray(lotteryApplications.roundId, rounds.map((r) => r.id))).groupBy(lotteryApplications.roundId) : [];
  return {
    facilities: own.map(({ f, policy }) => ({
      id: f.id, name: f.name, kind: f.kind,
      units: units.filter((u) => u.facilityId === f.id).map((u) => ({ id: u.id, name: u.name })),
      policy: {
        periods: policy.periods, fees: policy.fees, lottery: policy.lottery, residentHorizonDays: policy.residentHorizonDays,
        nonResidentHorizonDays: policy.nonResidentHorizonDays, cancelDeadlineDays: policy.cancelDeadlineDays, monthlyQuota: policy.monthlyQuota, holdMinutes: policy.holdMinutes,
      },
      ...upcomingClosed(closed.filter((b) => b.facilityId === f.id)),
      rounds: rounds.filter((r) => r.facilityId === f.id).slice(0, 6).map((r) => roundView(r, entries.find((e) => e.roundId === r.id)?.n ?? 0)),
    })),
  };
}

/** The next 20 closed days, and how many more there are (a weekly closing makes ~52 a year). */
const BLACKOUTS_LISTED = 20;
const upcomingClosed = (days: { day: string; reason: string }[]) => ({
  blackouts: days.slice(0, BLACKOUTS_LISTED).map((b) => ({ day: b.day, reason: b.reason })),
  moreBlackouts: Math.max(0, days.length - BLACKOUTS_LISTED),
});

export function roundView(r: LotteryRound, applications: number) {
  return {
    id: r.id, month: r.month, applyUntil: r.applyUntil.toISOString(), seed: r.seed, entrantsHash: r.entrantsHash,
    drawnAt: r.drawnAt?.toISOString() ?? null, confirmBy: r.confirmBy?.toISOString() ?? null, applications,
  };
}

/** The numbers of a facility's policy staff may change in the console. */
export interface PolicyNumbers {
  residentHorizonDays: number;
  nonResidentHorizonDays: number;
  cancelDeadlineDays: number;
  monthlyQuota: number;
  holdMinutes: number;
}

export async function updatePolicy(db: Db, actor: StaffActor, facilityId: string, numbers: PolicyNumbers): Promise<void> {
  await ownFacility(db, actor, facilityId);
  if (numbers.nonResidentHorizonDays > numbers.residentHorizonDays) throw new AppError('REQ_INVALID', { detail: 'non-residents may not book further ahead than residents' });
  await db.transaction(async (tx) => {
    await tx.update(facilityPolicies).set({ ...numbers, updatedAt: new Date() }).where(eq(facilityPolicies.facilityId, facilityId));
    await appendAudit(tx, { actor: `staff:${actor.staffId}`, action: 'booking.policy.update', subject: facilityId, data: { org: actor.organisationId, ...numbers } });
  });
}

/** A round of one of the caller's facilities; STAFF_OUT_OF_SCOPE for another municipality's. */
async function ownRound(db: Db, actor: StaffActor, roundId: string): Promise<LotteryRound> {
  const [round] = await db.select().from(lotteryRounds).where(eq(lotteryRounds.id, roundId));
  if (!round) throw new AppError('REQ_NOT_FOUND', { detail: 'no such lottery round' });
  await ownFacility(db, actor, round.facilityId);
  return round;
}

export async function openRoundFor(db: Db, actor: StaffActor, facilityId: string, month: string, applyUntil: Date) {
  await ownFacility(db, actor, facilityId);
  return roundView(await openRound(db, facilityId, month, applyUntil, `staff:${actor.staffId}`), 0);
}

/** Ends the round's applications now, so it can be drawn before its announced close (audited). */
export async function closeRoundFor(db: Db, actor: StaffActor, roundId: string) {
  await ownRound(db, actor, roundId);
  const round = await closeRound(db, roundId, `staff:${actor.staffId}`);
  const [entries] = await db.select({ n: count() }).from(lotteryApplications).where(eq(lotteryApplications.roundId, roundId));
  return roundView(round, entries?.n ?? 0);
}

/** Draws the round from its published seed; staff see how many entered and won, not who. */
export async function drawRoundFor(db: Db, actor: StaffActor, roundId: string) {
  await ownRound(db, actor, roundId);
  const { entrantsHash, wins } = await drawRound(db, roundId, `staff:${actor.staffId}`);
  return { entrantsHash, won: wins.length };
}

/** Re-runs the draw from the seed: the same entrant list and the same winners as the holds given. */
export async function replayRoundFor(db: Db, actor: StaffActor, roundId: string) {
  await ownRound(db, actor, roundId);
  const { entrantsHash, listUnchanged, wins, matchesHolds } = await replayRound(db, roundId);
  return { entrantsHash, listUnchanged, matchesHolds, won: wins.length };
}
