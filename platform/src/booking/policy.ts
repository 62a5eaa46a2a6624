import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { organisations } from '../db/schema/index.js';
import { facilities } from '../db/schema/places.js';
import { AppError } from '../shared/errors.js';
import { facilityBlackouts, facilityPolicies, facilityUnits, type FacilityPolicy, type Period } from './schema.js';
import { addDays, daysBetween, isDay, japanDay, startOf } from './slots.js';

/** Any drizzle handle that can read (the database or a transaction). */
export type Reader = Pick<Db, 'select'>;

/** A facility with its rules, as the booking module needs it. */
export interface FacilityRules {
  facilityId: string;
  municipalityId: string;
  name: string;
  /** The municipality's name and 全国地方公共団体コード (who is a resident: `residents.ts`). */
  municipality: { name: string; code: string };
  policy: FacilityPolicy;
}

export async function rulesOf(db: Reader, facilityId: string): Promise<FacilityRules> {
  const [row] = await db.select({ f: facilities, policy: facilityPolicies, municipality: { name: organisations.name, code: organisations.code } }).from(facilities)
    .innerJoin(facilityPolicies, eq(facilityPolicies.facilityId, facilities.id)).innerJoin(organisations, eq(organisations.id, facilities.municipalityId))
    .where(eq(facilities.id, facilityId));
  if (!row) throw new AppError('REQ_NOT_FOUND', { detail: 'no bookable facility' });
  return { facilityId, municipalityId: row.f.municipalityId, name: row.f.name, municipality: row.municipality, policy: row.policy };
}

/**
 * How long a unit's rules are reused without asking the database again. Holding is the hot path
 * (two queries saved per hold); a policy edit reaches holds within this time. Overlap, quota
 * counting and blackouts are always read fresh: they are what correctness rests on.
 */
const UNIT_RULES_TTL_MS = 2_000;
const unitRules = new Map<string, { until: number; rules: FacilityRules }>();

/** The facility a unit belongs to, with its rules; REQ_NOT_FOUND for an unknown unit. */
export async function rulesOfUnit(db: Reader, unitId: string, now = Date.now()): Promise<FacilityRules> {
  const cached = unitRules.get(unitId);
  if (cached && cached.until > now) return cached.rules;
  const [unit] = await db.select({ facilityId: facilityUnits.facilityId }).from(facilityUnits).where(eq(facilityUnits.id, unitId));
  if (!unit) throw new AppError('REQ_NOT_FOUND', { detail: 'no such unit' });
  const rules = await rulesOf(db, unit.facilityId);
  if (unitRules.size > 10_000) unitRules.clear();
  unitRules.set(unitId, { until: now + UNIT_RULES_TTL_MS, rules });
  return rules;
}

export function periodOf(policy: FacilityPolicy, code: string): Period {
  const period = policy.periods.find((p) => p.code === code);
  if (!period) throw new AppError('REQ_INVALID', { detail: `unknown period ${code}` });
  return period;
}

/** The last day a resident (or non-resident) may book today. */
export function horizonEnd(policy: FacilityPolicy, resident: boolean, now: Date): string {
  return addDays(japanDay(now), resident ? policy.residentHorizonDays : policy.nonResidentHorizonDays);
}

/**
 * Refuses a slot that cannot be booked now: not a real day, started already, beyond the booker's
 * horizon (`horizon` null for staff: no limit), or on a blackout day.
 */
export async function checkBookable(db: Reader, rules: FacilityRules, day: string, period: Period, horizon: string | null, now: Date): Promise<void> {
  checkWhen(day, period, horizon, now);
  const [closed] = await db.select({ id: facilityBlackouts.id }).from(facilityBlackouts)
    .where(and(eq(facilityBlackouts.facilityId, rules.facilityId), eq(facilityBlackouts.day, day)));
  if (closed) throw new AppError('BOOKING_SLOT_CLOSED');
}

/** The part of `checkBookable` that needs no database: a real day, not started, within the horizon. */
export function checkWhen(day: string, period: Period, horizon: string | null, now: Date): void {
  if (!isDay(day)) throw new AppError('REQ_INVALID', { detail: 'day is not YYYY-MM-DD' });
  if (startOf(day, period) <= now) throw new AppError('BOOKING_OUT_OF_HORIZON', { detail: 'slot has started' });
  if (horizon && daysBetween(horizon, day) > 0) throw new AppError('BOOKING_OUT_OF_HORIZON', { details: { lastDay: horizon } });
}
