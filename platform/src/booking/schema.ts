import { sql } from 'drizzle-orm';
import { customType, date, index, integer, jsonb, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { persons } from '../db/schema/persons.js';
import { facilities } from '../db/schema/places.js';

/**
 * A `tstzrange`, always half-open `[start,end)` so back-to-back 区分 never overlap. Drizzle has no
 * range type; the value travels as PostgreSQL's text form (`["2026-12-01 09:00:00+09","…")`).
 */
export const tstzrange = customType<{ data: string; driverData: string }>({ dataType: () => 'tstzrange' });

/**
 * The floor a unit covers, as a set of floor parts (an `int4multirange`, text form `{[3,5)}`). Two
 * units overlap when their floors share a part: 全面 covers the parts of A面 and B面.
 */
export const floorParts = customType<{ data: string; driverData: string }>({ dataType: () => 'int4multirange' });

/** One 区分 of a facility's day, in Japan time (no DST): `start`/`end` as HH:MM. */
export interface Period {
  code: string;
  label: string;
  start: string;
  end: string;
}

/** What a 区分 costs, shown on the TV (paid at the counter: out of scope). */
export interface Fee {
  period: string;
  resident: number;
  nonResident: number;
}

/** A lottery facility's monthly window: apply on days `applyFrom`–`applyUntil` for the month `monthsAhead` later. */
export interface LotteryWindow {
  applyFrom: number;
  applyUntil: number;
  monthsAhead: number;
  /** Winners' holds last this many days; after that their slots go first-come. */
  confirmDays: number;
}

/**
 * A bookable part of a facility (アリーナ 全面, 会議室 A). A new unit gets a floor part of its own
 * (`facility_floor_part()`, from a sequence); a unit that takes the floor of others (全面 over A面
 * and B面) is given the union of theirs (`floorOf`).
 */
export const facilityUnits = pgTable('facility_units', {
  id: uuid('id').primaryKey().defaultRandom(),
  facilityId: uuid('facility_id').notNull().references(() => facilities.id),
  name: text('name').notNull(),
  sort: smallint('sort').notNull().default(0),
  floor: floorParts('floor').notNull().default(sql`facility_floor_part()`),
}, (t) => [uniqueIndex('facility_units_name_uq').on(t.facilityId, t.name)]);

/** The rules of one facility, edited by its municipality's facility staff. */
export const facilityPolicies = pgTable('facility_policies', {
  facilityId: uuid('facility_id').primaryKey().references(() => facilities.id),
  periods: jsonb('periods').$type<Period[]>().notNull(),
  residentHorizonDays: integer('resident_horizon_days').notNull(),
  nonResidentHorizonDays: integer('non_resident_horizon_days').notNull(),
  /** Residents may cancel until this many days before the day of use. */
  cancelDeadlineDays: integer('cancel_deadline_days').notNull(),
  /** Held + confirmed bookings per person per calendar month at this facility. */
  monthlyQuota: integer('monthly_quota').notNull(),
  holdMinutes: integer('hold_minutes').notNull(),
  fees: jsonb('fees').$type<Fee[]>().notNull(),
  lottery: jsonb('lottery').$type<LotteryWindow | null>(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A day a facility is closed (休館日, maintenance). */
export const facilityBlackouts = pgTable('facility_blackouts', {
  id: uuid('id').primaryKey().defaultRandom(),
  facilityId: uuid('facility_id').notNull().references(() => facilities.id),
  day: date('day', { mode: 'string' }).notNull(),
  reason: text('reason').notNull(),
}, (t) => [uniqueIndex('facility_blackouts_day_uq').on(t.facilityId, t.day)]);

export const BOOKING_STATES = ['held', 'confirmed', 'cancelled', 'expired', 'overridden'] as const;
export type BookingState = (typeof BOOKING_STATES)[number];

/**
 * A booking of one unit for one 区分. `held` and `confirmed` rows whose floors share a part never
 * overlap in time: the exclusion constraint `bookings_no_overlap` (hand-written in the migrations)
 * guarantees it. `floor` is the unit's, copied by a trigger on every insert (whatever the caller
 * sends) and kept in step when a unit's floor changes, so the constraint sees every unit it covers.
 */
export const bookings = pgTable('bookings', {
  id: uuid('id').primaryKey().defaultRandom(),
  facilityId: uuid('facility_id').notNull().references(() => facilities.id),
  unitId: uuid('unit_id').notNull().references(() => facilityUnits.id),
  day: date('day', { mode: 'string' }).notNull(),
  period: text('period').notNull(),
  during: tstzrange('during').notNull(),
  /** Set by the trigger `bookings_floor_of_unit` from the unit (the default is never kept). */
  floor: floorParts('floor').notNull().default(sql`'{}'`),
  state: text('state', { enum: BOOKING_STATES }).notNull(),
  /** Null for an administrative booking. */
  personId: uuid('person_id').references(() => persons.id),
  /** `person:<id>` or `staff:<id>`: the idempotency key is unique per requester. */
  requestedBy: text('requested_by').notNull(),
  idempotencyKey: text('idempotency_key').notNull(),
  source: text('source', { enum: ['resident', 'admin', 'lottery', 'waitlist'] }).notNull(),
  holdExpiresAt: timestamp('hold_expires_at', { withTimezone: true }),
  /** 利用許可番号, given on confirmation. */
  permitNo: text('permit_no').unique(),
  note: text('note'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  endedAt: timestamp('ended_at', { withTimezone: true }),
}, (t) => [
  uniqueIndex('bookings_idempotency_uq').on(t.requestedBy, t.idempotencyKey),
  index('bookings_facility_day_idx').on(t.facilityId, t.day),
  index('bookings_person_idx').on(t.personId, t.day),
]);

/** A resident waiting for a taken slot; the first waiting gets a hold when it frees. */
export const bookingWaitlist = pgTable('booking_waitlist', {
  id: uuid('id').primaryKey().defaultRandom(),
  unitId: uuid('unit_id').notNull().references(() => facilityUnits.id),
  day: date('day', { mode: 'string' }).notNull(),
  period: text('period').notNull(),
  personId: uuid('person_id').notNull().references(() => persons.id),
  state: text('state', { enum: ['waiting', 'offered', 'withdrawn'] }).notNull().default('waiting'),
  bookingId: uuid('booking_id').references(() => bookings.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  uniqueIndex('booking_waitlist_once_uq').on(t.unitId, t.day, t.period, t.personId).where(sql`${t.state} = 'waiting'`),
]);

/** What the TV shows a resident about their bookings (won a lottery, a waitlisted slot freed, staff override). */
export const bookingNotices = pgTable('booking_notices', {
  id: uuid('id').primaryKey().defaultRandom(),
  personId: uuid('person_id').notNull().references(() => persons.id),
  bookingId: uuid('booking_id').references(() => bookings.id),
  kind: text('kind', { enum: ['waitlist_offer', 'waitlist_skipped', 'lottery_won', 'lottery_lost', 'lottery_skipped', 'overridden', 'confirmed', 'cancelled', 'closed'] }).notNull(),
  text: text('text').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  readAt: timestamp('read_at', { withTimezone: true }),
}, (t) => [index('booking_notices_person_idx').on(t.personId, t.createdAt)]);

/** One lottery (抽選) of a facility for one month of use. */
export const lotteryRounds = pgTable('lottery_rounds', {
  id: uuid('id').primaryKey().defaultRandom(),
  facilityId: uuid('facility_id').notNull().references(() => facilities.id),
  /** The month drawn, `YYYY-MM`. */
  month: text('month').notNull(),
  applyUntil: timestamp('apply_until', { withTimezone: true }).notNull(),
  /** Published before the draw; the draw is a pure function of it and the entrant list. */
  seed: text('seed').notNull(),
  entrantsHash: text('entrants_hash'),
  drawnAt: timestamp('drawn_at', { withTimezone: true }),
  confirmBy: timestamp('confirm_by', { withTimezone: true }),
  /**
   * The draw's outcome that the seed and the list alone cannot give, recorded at the draw so a
   * re-run gives the same result: entrants passed over at the monthly quota (`quota`, their win
   * went to the next in line) and wins that could not be holds (`closed`: a 休館日 added later;
   * `taken`: staff booked the slot meanwhile).
   */
  setAside: jsonb('set_aside').$type<{ personId: string; why: 'quota' | 'closed' | 'taken' }[]>(),
}, (t) => [uniqueIndex('lottery_rounds_month_uq').on(t.facilityId, t.month)]);

/** One resident's entry: slots ranked by preference (`choices[0]` first). */
export const lotteryApplications = pgTable('lottery_applications', {
  id: uuid('id').primaryKey().defaultRandom(),
  roundId: uuid('round_id').notNull().references(() => lotteryRounds.id),
  personId: uuid('person_id').notNull().references(() => persons.id),
  choices: jsonb('choices').$type<{ unitId: string; day: string; period: string }[]>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [uniqueIndex('lottery_applications_once_uq').on(t.roundId, t.personId)]);

export type FacilityUnit = typeof facilityUnits.$inferSelect;
export type FacilityPolicy = typeof facilityPolicies.$inferSelect;
export type Booking = typeof bookings.$inferSelect;
export type LotteryRound = typeof lotteryRounds.$inferSelect;
