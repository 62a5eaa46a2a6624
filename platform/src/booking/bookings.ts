import { randomInt } from 'node:crypto';
import { and, asc, between, count, eq, getTableColumns, gt, inArray, lt, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { appendAudit } from '../identity/audit.js';
import { AppError } from '../shared/errors.js';
import { slotText, writeReceipt } from './notices.js';
import { catchOverlap, isOverlap, sqlstateOf } from './overlap.js';
import { checkBookable, checkWhen, horizonEnd, periodOf, rulesOf, rulesOfUnit, type FacilityRules } from './policy.js';
import { bookingNotices, bookings, bookingWaitlist, facilityUnits, type Booking } from './schema.js';
import { daysBetween, japanDay, monthOf, rangeOf } from './slots.js';


/** A 利用許可番号: 10 digits, grouped for reading aloud on the phone. */
export function newPermitNo(): string {
  const digits = String(randomInt(0, 10_000_000_000)).padStart(10, '0');
  return `${digits.slice(0, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}`;
}

/** The floor of a unit that takes the floor of all of `unitIds` (全面 over A面 and B面), as SQL for its `floor`. */
export function floorOf(unitIds: string[]) {
  return sql`(select range_agg(${facilityUnits.floor}) from ${facilityUnits} where ${inArray(facilityUnits.id, unitIds)})`;
}

/** The floor parts of a unit, as SQL (for comparing with bookings' `floor`). */
export function floorOfUnit(unitId: string) {
  return sql`(select ${facilityUnits.floor} from ${facilityUnits} where ${facilityUnits.id} = ${unitId})`;
}

/**
 * Holds whose time ran out stop blocking the floor they held, in the transaction that would
 * otherwise conflict with them (no sweeper needed for correctness): every stale hold on a unit
 * sharing floor with `unitId` (全面 and its halves). Returns them; the caller offers their slots.
 */
export async function expireStale(tx: Tx, unitId: string, during: string, now: Date): Promise<Booking[]> {
  return tx.update(bookings).set({ state: 'expired', endedAt: now })
    .where(and(eq(bookings.state, 'held'), lt(bookings.holdExpiresAt, now), sql`${bookings.during} && ${during}::tstzrange`, sql`${bookings.floor} && ${floorOfUnit(unitId)}`))
    .returning();
}

/** `expireStale`, each freed slot going to the waitlist at once. */
export async function expireStaleHolds(tx: Tx, unitId: string, during: string, now: Date): Promise<void> {
  for (const b of await expireStale(tx, unitId, during, now)) await offerToWaitlist(tx, b, now);
}

export interface HoldRequest {
  personId: string;
  unitId: string;
  day: string;
  period: string;
  /** The TV's key for this press of OK: the same key books once. */
  idempotencyKey: string;
  /** Lives in the facility's municipality (earlier horizon). */
  resident: boolean;
  /**
   * The session the request came with, as remembered (`sessionRechecked`), with the address
   * `resident` was judged on: the hold's statement checks both are still so, else AUTH_SESSION_EXPIRED.
   */
  session?: { id: string; address: string | null };
}

/** SQLSTATEs raised by `booking_hold()` (migration 0019) and `booking_hold_in_session()` (0024). */
const HOLD_REFUSALS: Record<string, (rules: FacilityRules) => AppError> = {
  BK001: () => new AppError('BOOKING_SLOT_CLOSED'),
  BK002: (rules) => new AppError('BOOKING_QUOTA_REACHED', { details: { quota: rules.policy.monthlyQuota } }),
  BK003: () => new AppError('AUTH_SESSION_EXPIRED', { detail: 'session ended, or its person changed' }),
};

/**
 * Holds a slot for `holdMinutes`; the same idempotency key returns the same booking. One round
 * trip when nothing is in the way: `booking_hold()` takes the person's lock (the monthly quota
 * spans rows, so no constraint can enforce it, and a double-pressed OK must find the first press's
 * row), then checks the key, the 休館日 and the quota, and inserts. Only a hold the exclusion
 * constraint refuses takes the slower path: expire stale holds in its way, then try once more.
 */
export async function holdSlot(db: Db, req: HoldRequest, now = new Date()): Promise<Booking> {
  const rules = await rulesOfUnit(db, req.unitId);
  const period = periodOf(rules.policy, req.period);
  checkWhen(req.day, period, horizonEnd(rules.policy, req.resident, now), now);
  const during = rangeOf(req.day, period);
  const attempt = async (on: Pick<Db, 'select'>) => {
    try {
      const [row] = await holdQuery(on, rules, req, period.code, during, now);
      return sameSlot(row!, req.unitId, req.day, period.code);
    } catch (err) {
      const refusal = HOLD_REFUSALS[sqlstateOf(err) ?? ''];
      throw refusal ? refusal(rules) : err;
    }
  };
  const once = async () => {
    try {
      return await attempt(db);
    } catch (err) {
      if (!isOverlap(err)) throw err;
    }
    return catchOverlap(() => db.transaction(async (tx) => {
      await expireStaleHolds(tx, req.unitId, during, now);
      return attempt(tx);
    }));
  };
  // PostgreSQL may pick a hold as a deadlock victim when racers on units sharing floor meet the
  // stale-hold expiry (seen: 6 of 200 at once on 全面 + A面). The hold is idempotent under its key,
  // so the victim simply tries again; it then wins or meets the constraint like everyone else.
  return againIfDeadlocked(once);
}

/** SQLSTATE of a transaction PostgreSQL aborted to break a deadlock. */
const DEADLOCK_DETECTED = '40P01';
const DEADLOCK_TRIES = 5;

/** Runs an idempotent `step` again when PostgreSQL picked it as a deadlock's victim (a few times). */
async function againIfDeadlocked<T>(step: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await step();
    } catch (err) {
      if (sqlstateOf(err) !== DEADLOCK_DETECTED || tries >= DEADLOCK_TRIES) throw err;
    }
  }
}

/**
 * The lock of one 区分 of a facility's day (the waitlist's unit of matching): joining its waitlist
 * takes it exclusively, offering it shared, so a join either sees the slot already free or is
 * seen by the offer. Offers share it: two slots freed at once (A面 and B面 under a 全面 waiter)
 * each offer without waiting for the other, whose freed row one of them may be waiting on.
 */
const slotLock = (facilityId: string, day: string, period: string) => sql`hashtextextended(${`booking-slot:${facilityId}|${day}|${period}`}, 0)`;

async function holdQuery(on: Pick<Db, 'select'>, rules: FacilityRules, req: HoldRequest, period: string, during: string, now: Date): Promise<Booking[]> {
  const { first, last } = monthOf(req.day);
  const holdUntil = new Date(now.getTime() + rules.policy.holdMinutes * 60_000).toISOString();
  const args = {
    person: req.personId, facility: rules.facilityId, unit: req.unitId, day: req.day, period, during,
    key: req.idempotencyKey, holdUntil, quota: rules.policy.monthlyQuota, first, last,
  };
  const rows = req.session
    ? await holdStatement(on, 'in_session').execute({ ...args, session: req.session.id, address: req.session.address })
    : await holdStatement(on, 'plain').execute(args);
  return rows as unknown as Booking[];
}

/**
 * The hold's statement, built once per database handle (or transaction) and named: the hot path
 * pays neither for building the query nor, on PostgreSQL, for parsing it again on the connection.
 */
function holdStatement(on: Pick<Db, 'select'>, kind: 'plain' | 'in_session') {
  let built = holdStatements.get(on);
  if (!built) holdStatements.set(on, (built = {}));
  const p = (name: string) => sql.placeholder(name);
  const args = sql`${p('person')}::uuid, ${p('facility')}::uuid, ${p('unit')}::uuid, ${p('day')}::date, ${p('period')}::text,
    ${p('during')}::tstzrange, ${p('key')}::text, ${p('holdUntil')}::timestamptz, ${p('quota')}::int, ${p('first')}::date, ${p('last')}::date`;
  return (built[kind] ??= kind === 'plain'
    ? on.select(BOOKING_ROW).from(sql`booking_hold(${args})`).prepare('booking_hold')
    : on.select(BOOKING_ROW).from(sql`booking_hold_in_session(${p('session')}::uuid, ${p('address')}::text, ${args})`).prepare('booking_hold_in_session'));
}
const holdStatements = new WeakMap<object, Partial<Record<'plain' | 'in_session', { execute(values: Record<string, unknown>): Promise<unknown> }>>>();

/** A `bookings` row returned by a function, decoded as drizzle decodes the table's own rows. */
const BOOKING_ROW = Object.fromEntries(Object.entries(getTableColumns(bookings)).map(([key, column]) => [key, sql`${sql.identifier(column.name)}`.mapWith(column)]));

/**
 * The booking an idempotency key already made, if the retry asks for the same slot. A key reused
 * for another slot (a TV bug, or a crafted request) must not answer as if that slot were booked.
 */
export function sameSlot(earlier: Booking, unitId: string, day: string, period: string): Booking {
  if (earlier.unitId !== unitId || earlier.day !== day || earlier.period !== period) throw new AppError('BOOKING_KEY_REUSED');
  return earlier;
}

/** A person's own booking, locked for the rest of the transaction; REQ_NOT_FOUND for anyone else's. */
async function ownBooking(tx: Tx, personId: string, bookingId: string): Promise<Booking> {
  const [row] = await tx.select().from(bookings).where(and(eq(bookings.id, bookingId), eq(bookings.personId, personId))).for('update');
  if (!row) throw new AppError('REQ_NOT_FOUND', { detail: 'no such booking of this person' });
  return row;
}

/**
 * A resident's booking decision in the audit log, for the facility's municipality to read: the
 * booking and slot, no personal data. Holds are not audited one by one: they lapse by themselves,
 * and one audit append per hold would serialise every hold on the audit chain's lock.
 */
async function auditResident(tx: Tx, personId: string, action: string, b: Booking): Promise<void> {
  const { municipalityId } = await rulesOf(tx, b.facilityId);
  await appendAudit(tx, { actor: `person:${personId}`, action, subject: b.id, data: { org: municipalityId, facility: b.facilityId, unit: b.unitId, day: b.day, period: b.period } });
}

/** Turns a live hold into a booking with a 利用許可番号 (confirming twice returns the same). */
export async function confirmBooking(db: Db, personId: string, bookingId: string, now = new Date()): Promise<Booking> {
  const outcome = await db.transaction(async (tx) => {
    const booking = await ownBooking(tx, personId, bookingId);
    if (booking.state === 'confirmed') return booking;
    if (booking.state !== 'held') throw new AppError(booking.state === 'expired' ? 'BOOKING_HOLD_EXPIRED' : 'BOOKING_NOT_ACTIVE');
    if (booking.holdExpiresAt && booking.holdExpiresAt < now) {
      // Expire it now (committed), and the freed slot goes to the waitlist; then tell the caller.
      await tx.update(bookings).set({ state: 'expired', endedAt: now }).where(eq(bookings.id, booking.id));
      await offerToWaitlist(tx, booking, now);
      return 'expired' as const;
    }
    const [row] = await tx.update(bookings).set({ state: 'confirmed', confirmedAt: now, holdExpiresAt: null, permitNo: newPermitNo() })
      .where(eq(bookings.id, booking.id)).returning();
    await auditResident(tx, personId, 'booking.confirmed', row!);
    await writeReceipt(tx, personId, row!, 'confirmed');
    return row!;
  });
  if (outcome === 'expired') throw new AppError('BOOKING_HOLD_EXPIRED');
  return outcome;
}

/** Releases a hold at any time, or cancels a confirmed booking until the facility's deadline. */
export async function cancelBooking(db: Db, personId: string, bookingId: string, now = new Date()): Promise<Booking> {
  return db.transaction(async (tx) => {
    const booking = await ownBooking(tx, personId, bookingId);
    if (booking.state !== 'held' && booking.state !== 'confirmed') throw new AppError('BOOKING_NOT_ACTIVE');
    if (booking.state === 'confirmed') {
      const { policy } = await rulesOf(tx, booking.facilityId);
      if (daysBetween(japanDay(now), booking.day) < policy.cancelDeadlineDays) {
        throw new AppError('BOOKING_CANCEL_TOO_LATE', { details: { daysBefore: policy.cancelDeadlineDays } });
      }
    }
    const [row] = await tx.update(bookings).set({ state: 'cancelled', endedAt: now }).where(eq(bookings.id, booking.id)).returning();
    await offerToWaitlist(tx, booking, now);
    await auditResident(tx, personId, booking.state === 'held' ? 'booking.released' : 'booking.cancelled', row!);
    if (booking.state === 'confirmed') await writeReceipt(tx, personId, row!, 'cancelled');
    return row!;
  });
}

/**
 * Holds that ran out while someone waits on floor they cover, expired now and their 区分 offered to
 * the waitlist (the platform runs this every minute): else a hold nobody touched after its time
 * would show free on the grid, anyone could take it first-come, and its waiter would never be
 * offered it. At most `limit` holds a run, each in its own transaction. Returns how many expired.
 */
export async function offerLapsedHolds(db: Db, now = new Date(), limit = 100): Promise<number> {
  const lapsed = await db.select({ unitId: bookings.unitId, during: bookings.during }).from(bookings).where(and(
    eq(bookings.state, 'held'), lt(bookings.holdExpiresAt, now),
    sql`exists (select 1 from ${bookingWaitlist} w join ${facilityUnits} u on u.id = w.unit_id where w.state = 'waiting'
      and w.day = ${bookings.day} and w.period = ${bookings.period} and u.facility_id = ${bookings.facilityId} and u.floor && ${bookings.floor})`,
  )).limit(limit);
  let expired = 0;
  for (const hold of lapsed) {
    expired += await db.transaction(async (tx) => {
      const stale = await expireStale(tx, hold.unitId, hold.during, now);
      for (const b of stale) await offerToWaitlist(tx, b, now);
      return stale.length;
    });
  }
  return expired;
}

/**
 * A slot just freed: everyone waiting on a unit sharing its floor for that 区分 (the halves when
 * 全面 frees; 全面 when a half frees) is offered a hold, earliest wait first, each in a savepoint
 * that the exclusion constraint decides: a waiter whose unit is still partly taken (全面 with the
 * other half held, or a half an earlier waiter's 全面 now holds) keeps waiting. Holds of the
 * facility in that 区分 whose time ran out are expired first, their floor offered with the freed
 * one (else a lapsed hold on B面 would keep 全面 from its waiter until someone else touched it).
 * Each hold lasts as long as any hold, and its waiter gets a notice on their TV.
 */
export async function offerToWaitlist(tx: Tx, freed: Pick<Booking, 'unitId' | 'day' | 'period' | 'facilityId'>, now: Date): Promise<void> {
  // Taken before the waiters are read, and held to commit: a join under way is stored first and
  // read here, a join after this waits and finds the slot free (`joinWaitlist`).
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${slotLock(freed.facilityId, freed.day, freed.period)})`);
  const rules = await rulesOf(tx, freed.facilityId);
  const period = periodOf(rules.policy, freed.period);
  const during = rangeOf(freed.day, period);
  const lapsed = await tx.update(bookings).set({ state: 'expired', endedAt: now })
    .where(and(eq(bookings.facilityId, freed.facilityId), eq(bookings.day, freed.day), eq(bookings.state, 'held'), lt(bookings.holdExpiresAt, now), sql`${bookings.during} && ${during}::tstzrange`))
    .returning({ unitId: bookings.unitId });
  const waiters = await tx.select({ wait: bookingWaitlist, unit: facilityUnits.name }).from(bookingWaitlist)
    .innerJoin(facilityUnits, eq(facilityUnits.id, bookingWaitlist.unitId))
    .where(and(eq(facilityUnits.facilityId, freed.facilityId), sql`${facilityUnits.floor} && ${floorOf([freed.unitId, ...lapsed.map((b) => b.unitId)])}`,
      eq(bookingWaitlist.day, freed.day), eq(bookingWaitlist.period, freed.period), eq(bookingWaitlist.state, 'waiting')))
    .orderBy(asc(bookingWaitlist.createdAt), asc(bookingWaitlist.id)).for('update', { of: bookingWaitlist, skipLocked: true });
  const holdExpiresAt = new Date(now.getTime() + rules.policy.holdMinutes * 60_000);
  for (const { wait, unit } of waiters) {
    // The monthly quota, as a resident's own hold checks it (`booking_hold()`): under the waiter's
    // lock, so a hold of theirs at this moment cannot also count under the quota. A waiter whose
    // lock is taken is holding right now: they keep waiting, and the next waiter is offered.
    const quota = await quotaLeft(tx, wait.personId, rules, freed.day);
    if (quota === 'busy') continue;
    if (quota === 'reached') {
      await tx.insert(bookingNotices).values({
        personId: wait.personId, kind: 'waitlist_skipped',
        text: `お待ちの ${slotText(rules.name, freed.day, period, unit)} が空きましたが、この施設の今月のご予約が上限（${rules.policy.monthlyQuota}回）に達しているため、仮予約できませんでした。引き続きお待ちいただけます。`,
      });
      continue;
    }
    let held: Booking | undefined;
    try {
      [held] = await tx.transaction((sp) => sp.insert(bookings).values({
        facilityId: freed.facilityId, unitId: wait.unitId, day: freed.day, period: freed.period, during, state: 'held',
        personId: wait.personId, requestedBy: `person:${wait.personId}`, idempotencyKey: `waitlist:${wait.id}`, source: 'waitlist', holdExpiresAt,
      }).returning());
    } catch (err) {
      if (isOverlap(err)) continue;
      throw err;
    }
    await tx.update(bookingWaitlist).set({ state: 'offered', bookingId: held!.id }).where(eq(bookingWaitlist.id, wait.id));
    await tx.insert(bookingNotices).values({
      personId: wait.personId, bookingId: held!.id, kind: 'waitlist_offer',
      text: `お待ちの ${slotText(rules.name, freed.day, period, unit)} が空きました。仮予約しています。期限までに確定してください。`,
    });
  }
}

/** A person's live bookings of a facility in the month of `day` (what the monthly quota counts). */
export async function usedThisMonth(db: Pick<Db, 'select'>, personId: string, facilityId: string, day: string): Promise<number> {
  const { first, last } = monthOf(day);
  const [row] = await db.select({ n: count() }).from(bookings).where(and(eq(bookings.personId, personId), eq(bookings.facilityId, facilityId),
    inArray(bookings.state, ['held', 'confirmed']), between(bookings.day, first, last)));
  return row?.n ?? 0;
}

/** The key of a person's lock, the one `booking_hold()` takes (migration 0019) before counting their quota. */
const personLock = (personId: string) => sql`hashtextextended(${`booking:${personId}`}, 0)`;

/**
 * Takes these people's locks (`booking_hold()`'s) for the rest of the transaction, waiting for
 * them, in one order so two callers cannot deadlock on each other: their quota counted afterwards
 * stays true until commit. Only for a transaction that has inserted no booking yet (a hold waiting
 * on a person's lock never waits on it then).
 */
export async function lockPeople(tx: Tx, personIds: readonly string[]): Promise<void> {
  for (const personId of [...new Set(personIds)].sort()) await tx.execute(sql`select pg_advisory_xact_lock(${personLock(personId)})`);
}

/**
 * Whether a waiter may be given a hold under the monthly quota: takes the person's lock (the one
 * `booking_hold()` takes) for the rest of the transaction, without waiting for it: a person whose
 * lock is held is making a hold of their own, whose insert may wait for this very transaction.
 */
async function quotaLeft(tx: Tx, personId: string, rules: FacilityRules, day: string): Promise<'ok' | 'reached' | 'busy'> {
  const [lock] = await tx.select({ got: sql<boolean>`pg_try_advisory_xact_lock(${personLock(personId)})` }).from(sql`(select 1) as one`);
  if (!lock?.got) return 'busy';
  return (await usedThisMonth(tx, personId, rules.facilityId, day)) >= rules.policy.monthlyQuota ? 'reached' : 'ok';
}

/**
 * Waits for a taken slot; joining twice is one place in the queue. Only a slot the person could
 * hold now: a wait is a hold later (offerToWaitlist), so it must not reach past their horizon, a
 * blackout day, a day gone or their monthly quota (checked again, under their lock, at the offer).
 * And only a slot the week grid shows taken (a live booking on floor it shares; a hold past its
 * time is free there too): nothing would ever free a free slot and offer it (`BOOKING_SLOT_FREE`).
 */
export async function joinWaitlist(db: Db, personId: string, slot: { unitId: string; day: string; period: string }, resident: boolean, now = new Date()): Promise<void> {
  const rules = await rulesOfUnit(db, slot.unitId);
  const period = periodOf(rules.policy, slot.period);
  await checkBookable(db, rules, slot.day, period, horizonEnd(rules.policy, resident, now), now);
  if (await usedThisMonth(db, personId, rules.facilityId, slot.day) >= rules.policy.monthlyQuota) {
    throw new AppError('BOOKING_QUOTA_REACHED', { details: { quota: rules.policy.monthlyQuota } });
  }
  // Under the 区分's lock (`slotLock`), the check and the insert as one: else a slot freed between
  // them is offered before the waiter is stored, and the waiter waits for a free slot for ever.
  // Joining twice is one place, so a deadlock's victim (beside offers of floor-sharing units)
  // simply joins again.
  await againIfDeadlocked(() => db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${slotLock(rules.facilityId, slot.day, period.code)})`);
    const [live] = await tx.select({ id: bookings.id }).from(bookings).where(and(eq(bookings.facilityId, rules.facilityId), eq(bookings.day, slot.day),
      inArray(bookings.state, ['held', 'confirmed']), or(eq(bookings.state, 'confirmed'), gt(bookings.holdExpiresAt, now)),
      sql`${bookings.during} && ${rangeOf(slot.day, period)}::tstzrange`, sql`${bookings.floor} && ${floorOfUnit(slot.unitId)}`)).limit(1);
    if (!live) throw new AppError('BOOKING_SLOT_FREE');
    await tx.insert(bookingWaitlist).values({ ...slot, personId }).onConflictDoNothing();
  }));
}

/** A person's bookings, newest day first (the TV's history and receipts). */
export async function bookingsOf(db: Db, personId: string): Promise<Booking[]> {
  return db.select().from(bookings).where(eq(bookings.personId, personId)).orderBy(sql`${bookings.day} desc`, asc(bookings.during)).limit(100);
}
