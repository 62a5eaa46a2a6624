import { randomBytes } from 'node:crypto';
import { and, asc, between, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { appendAudit } from '../identity/audit.js';
import { AppError } from '../shared/errors.js';
import { monthText, slotText, unitName } from './notices.js';
import { isOverlap } from './overlap.js';
import { periodOf, rulesOf } from './policy.js';
import { bookingNotices, bookings, facilityBlackouts, facilityUnits, lotteryApplications, lotteryRounds, type LotteryRound } from './schema.js';
import { lockPeople, usedThisMonth } from './bookings.js';
import { drawAround, entrantsHash, type Choice, type FloorOf, type Win } from './draw.js';
import { monthOf, rangeOf } from './slots.js';

/** What a draw set aside: an entrant at the monthly quota, or a win that could not become a hold. */
type SetAside = NonNullable<LotteryRound['setAside']>[number];

/** At most this many ranked choices per application. */
export const MAX_CHOICES = 5;

/** Opens a round for one month of use; the seed is fixed and published now, before anyone applies. */
export async function openRound(db: Db, facilityId: string, month: string, applyUntil: Date, actor: string): Promise<LotteryRound> {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new AppError('REQ_INVALID', { detail: 'month is YYYY-MM' });
  const rules = await rulesOf(db, facilityId);
  return db.transaction(async (tx) => {
    const [round] = await tx.insert(lotteryRounds).values({ facilityId, month, applyUntil, seed: randomBytes(32).toString('hex') }).onConflictDoNothing().returning();
    if (!round) throw new AppError('BOOKING_LOTTERY_DRAWN', { detail: 'a round for this month exists' });
    await appendAudit(tx, { actor, action: 'booking.lottery.open', subject: round.id, data: { org: rules.municipalityId, facility: facilityId, month, seed: round.seed } });
    return round;
  });
}

/** The rounds of these facilities that take applications now (not drawn, window open). */
export async function openRounds(db: Pick<Db, 'select'>, facilityIds: string[], now = new Date()): Promise<LotteryRound[]> {
  return db.select().from(lotteryRounds).where(and(inArray(lotteryRounds.facilityId, facilityIds), isNull(lotteryRounds.drawnAt), gt(lotteryRounds.applyUntil, now)))
    .orderBy(asc(lotteryRounds.month));
}

async function roundOf(db: Pick<Db, 'select'>, roundId: string): Promise<LotteryRound> {
  const [round] = await db.select().from(lotteryRounds).where(eq(lotteryRounds.id, roundId));
  if (!round) throw new AppError('REQ_NOT_FOUND', { detail: 'no such lottery round' });
  return round;
}

/** Applies (or replaces one's application) with ranked choices, while the window is open. */
export async function applyToRound(db: Db, personId: string, roundId: string, choices: Choice[], now = new Date()): Promise<void> {
  const round = await roundOf(db, roundId);
  if (round.drawnAt) throw new AppError('BOOKING_LOTTERY_DRAWN');
  if (now >= round.applyUntil) throw new AppError('BOOKING_LOTTERY_CLOSED');
  if (choices.length < 1 || choices.length > MAX_CHOICES) throw new AppError('REQ_INVALID', { detail: `1–${MAX_CHOICES} choices` });
  const rules = await rulesOf(db, round.facilityId);
  const units = new Set((await db.select({ id: facilityUnits.id }).from(facilityUnits).where(eq(facilityUnits.facilityId, round.facilityId))).map((u) => u.id));
  const { first, last } = monthOf(`${round.month}-01`);
  const keys = new Set<string>();
  for (const c of choices) {
    periodOf(rules.policy, c.period);
    if (!units.has(c.unitId) || c.day < first || c.day > last) throw new AppError('REQ_INVALID', { detail: 'choice outside the round' });
    keys.add(`${c.unitId}|${c.day}|${c.period}`);
  }
  if (keys.size !== choices.length) throw new AppError('REQ_INVALID', { detail: 'the same slot twice' });
  // A win is a hold: a choice on a day the facility is closed could only be a win on a closed day.
  const [closed] = await db.select({ day: facilityBlackouts.day }).from(facilityBlackouts)
    .where(and(eq(facilityBlackouts.facilityId, round.facilityId), inArray(facilityBlackouts.day, choices.map((c) => c.day)))).limit(1);
  if (closed) throw new AppError('BOOKING_SLOT_CLOSED', { details: { day: closed.day } });
  await db.insert(lotteryApplications).values({ roundId, personId, choices })
    .onConflictDoUpdate({ target: [lotteryApplications.roundId, lotteryApplications.personId], set: { choices, createdAt: now } });
}

/**
 * Ends a round's applications now (staff close the window early); a window already over stays as
 * it was. Drawing needs the window over, so this is the way to draw before `applyUntil`.
 */
export async function closeRound(db: Db, roundId: string, actor: string, now = new Date()): Promise<LotteryRound> {
  return db.transaction(async (tx) => {
    const [round] = await tx.select().from(lotteryRounds).where(eq(lotteryRounds.id, roundId)).for('update');
    if (!round) throw new AppError('REQ_NOT_FOUND', { detail: 'no such lottery round' });
    if (round.drawnAt) throw new AppError('BOOKING_LOTTERY_DRAWN');
    if (round.applyUntil <= now) return round;
    const [closed] = await tx.update(lotteryRounds).set({ applyUntil: now }).where(eq(lotteryRounds.id, roundId)).returning();
    const { municipalityId } = await rulesOf(tx, round.facilityId);
    await appendAudit(tx, { actor, action: 'booking.lottery.close', subject: roundId, data: { org: municipalityId, facility: round.facilityId, month: round.month } });
    return closed!;
  });
}

/**
 * Draws a round once, after its applications closed (a draw while residents may still apply would
 * leave the late ones out of a list whose hash is already published): records the entrant list's
 * hash, gives each winner a hold lasting until the confirm deadline, and tells everyone on their
 * TV. A slot staff took meanwhile is the one thing that can stop a win: the exclusion constraint
 * refuses it and that entrant is told they lost. Slots nobody won, and wins not confirmed in time,
 * are then first-come.
 */
export async function drawRound(db: Db, roundId: string, actor: string, now = new Date()): Promise<{ entrantsHash: string; wins: Win[] }> {
  return db.transaction(async (tx) => {
    const [round] = await tx.select().from(lotteryRounds).where(eq(lotteryRounds.id, roundId)).for('update');
    if (!round) throw new AppError('REQ_NOT_FOUND');
    if (round.drawnAt) throw new AppError('BOOKING_LOTTERY_DRAWN');
    if (now < round.applyUntil) throw new AppError('BOOKING_LOTTERY_STILL_OPEN', { details: { applyUntil: round.applyUntil.toISOString() } });
    const rules = await rulesOf(tx, round.facilityId);
    const entrants = await tx.select({ personId: lotteryApplications.personId, choices: lotteryApplications.choices }).from(lotteryApplications).where(eq(lotteryApplications.roundId, roundId));
    const hash = entrantsHash(entrants);
    const { first, last } = monthOf(`${round.month}-01`);
    // A win is a hold, so it follows the monthly quota as a resident's own hold does: counted under
    // each entrant's lock, so a hold of theirs right now is either counted or counts this win.
    await lockPeople(tx, entrants.map((e) => e.personId));
    const atQuota = new Set<string>();
    for (const e of entrants) if (await usedThisMonth(tx, e.personId, round.facilityId, first) >= rules.policy.monthlyQuota) atQuota.add(e.personId);
    const { wins, skipped } = drawAround(round.seed, entrants, await floorsOf(tx, round.facilityId), atQuota);
    const setAside: SetAside[] = skipped.map((s) => ({ personId: s.personId, why: 'quota' }));
    const confirmBy = new Date(now.getTime() + (rules.policy.lottery?.confirmDays ?? 7) * 86_400_000);
    const told = new Set<string>();
    // A day closed since the applications (a 休館日 staff added later) is won by nobody, like a slot
    // staff took: a win is a hold, and a hold on a closed day cannot be.
    const closed = new Set((await tx.select({ day: facilityBlackouts.day }).from(facilityBlackouts)
      .where(and(eq(facilityBlackouts.facilityId, round.facilityId), between(facilityBlackouts.day, first, last)))).map((b) => b.day));
    for (const win of wins) {
      if (closed.has(win.choice.day)) {
        setAside.push({ personId: win.personId, why: 'closed' });
        continue;
      }
      const period = periodOf(rules.policy, win.choice.period);
      try {
        // A savepoint: a refused insert must not abort the whole draw.
        const [held] = await tx.transaction((sp) => sp.insert(bookings).values({
          facilityId: round.facilityId, unitId: win.choice.unitId, day: win.choice.day, period: period.code, during: rangeOf(win.choice.day, period),
          state: 'held', personId: win.personId, requestedBy: `person:${win.personId}`, idempotencyKey: `lottery:${roundId}`, source: 'lottery', holdExpiresAt: confirmBy,
        }).returning());
        told.add(win.personId);
        await tx.insert(bookingNotices).values({ personId: win.personId, bookingId: held!.id, kind: 'lottery_won',
          text: `${slotText(rules.name, win.choice.day, period, await unitName(tx, win.choice.unitId))} の抽選に当選しました。確定の期限までに「確定」を押してください。` });
      } catch (err) {
        if (!isOverlap(err)) throw err;
        setAside.push({ personId: win.personId, why: 'taken' });
      }
    }
    for (const s of skipped) {
      told.add(s.personId);
      const period = periodOf(rules.policy, s.choice.period);
      await tx.insert(bookingNotices).values({ personId: s.personId, kind: 'lottery_skipped',
        text: `${slotText(rules.name, s.choice.day, period, await unitName(tx, s.choice.unitId))} の抽選に当選しましたが、この施設の ${monthText(round.month)} のご予約が上限（${rules.policy.monthlyQuota}回）に達しているため、仮予約できませんでした。この枠は次の方に回りました。` });
    }
    for (const e of entrants) {
      if (told.has(e.personId)) continue;
      await tx.insert(bookingNotices).values({ personId: e.personId, kind: 'lottery_lost', text: `${rules.name} ${monthText(round.month)} の抽選は、残念ながら落選でした。空いている枠は先着順で予約できます。` });
    }
    const winners = wins.length - setAside.filter((a) => a.why !== 'quota').length;
    await tx.update(lotteryRounds).set({ entrantsHash: hash, drawnAt: now, confirmBy, setAside }).where(eq(lotteryRounds.id, roundId));
    await appendAudit(tx, { actor, action: 'booking.lottery.draw', subject: roundId, data: { org: rules.municipalityId, entrants: entrants.length, won: winners, skippedAtQuota: skipped.length, entrantsHash: hash } });
    return { entrantsHash: hash, wins };
  });
}

/** Each unit's floor parts (全面 covers its halves'), for the draw to give a floor once per 区分. */
async function floorsOf(db: Pick<Db, 'select'>, facilityId: string): Promise<FloorOf> {
  const rows = await db.select({ unitId: sql<string>`u.id`, part: sql<string>`p::text` })
    .from(sql`${facilityUnits} u cross join unnest(u.floor) r cross join generate_series(lower(r), upper(r) - 1) p`).where(sql`u.facility_id = ${facilityId}`);
  const parts = new Map<string, string[]>();
  for (const { unitId, part } of rows) parts.set(unitId, [...(parts.get(unitId) ?? []), part]);
  return (unitId) => parts.get(unitId) ?? [unitId];
}

/**
 * Re-runs a drawn round from its published seed, today's application rows and what the draw
 * recorded it set aside (entrants at the monthly quota, wins that could not be holds): the same
 * hash means the list is unchanged; the same wins as the holds the draw gave prove the draw was fair.
 */
export async function replayRound(db: Db, roundId: string): Promise<{ entrantsHash: string; listUnchanged: boolean; wins: Win[]; matchesHolds: boolean }> {
  const round = await roundOf(db, roundId);
  if (!round.drawnAt) throw new AppError('REQ_INVALID', { detail: 'not drawn yet' });
  const entrants = await db.select({ personId: lotteryApplications.personId, choices: lotteryApplications.choices }).from(lotteryApplications).where(eq(lotteryApplications.roundId, roundId));
  const hash = entrantsHash(entrants);
  const setAside = round.setAside ?? [];
  const atQuota = new Set(setAside.filter((a) => a.why === 'quota').map((a) => a.personId));
  const noHold = new Set(setAside.filter((a) => a.why !== 'quota').map((a) => a.personId));
  const { wins } = drawAround(round.seed, entrants, await floorsOf(db, round.facilityId), atQuota);
  const held = await db.select({ personId: bookings.personId, unitId: bookings.unitId, day: bookings.day, period: bookings.period }).from(bookings)
    .where(and(eq(bookings.idempotencyKey, `lottery:${roundId}`), eq(bookings.source, 'lottery')));
  const key = (p: string | null, c: Choice) => `${p}|${c.unitId}|${c.day}|${c.period}`;
  const heldKeys = new Set(held.map((h) => key(h.personId, h)));
  const expected = wins.filter((w) => !noHold.has(w.personId));
  return { entrantsHash: hash, listUnchanged: hash === round.entrantsHash, wins, matchesHolds: held.length === expected.length && expected.every((w) => heldKeys.has(key(w.personId, w.choice))) };
}
