import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uniqueIndex, date, uuid } from 'drizzle-orm/pg-core';
import { households } from './households.js';

/**
 * A natural person (ケーブルID・個人): a platform UUID, never derived from a certificate serial,
 * stable across card renewal and moves. The 基本4情報 are kept only after the person confirmed
 * them on the TV (`consentedAt`).
 */
export const persons = pgTable('persons', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** `needs_reconfirmation` after the sign certificate was revoked (a move, a name change; never "deceased"). */
  status: text('status', { enum: ['active', 'needs_reconfirmation'] }).notNull().default('active'),
  name: text('name'),
  dateOfBirth: date('date_of_birth', { mode: 'string' }),
  gender: text('gender'),
  address: text('address'),
  consentedAt: timestamp('consented_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Household membership over time; `leftAt` null = current member. */
export const householdMembers = pgTable(
  'household_members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    householdId: uuid('household_id').notNull().references(() => households.id),
    personId: uuid('person_id').notNull().references(() => persons.id),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
    leftAt: timestamp('left_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('household_members_current_uq').on(t.householdId, t.personId).where(sql`${t.leftAt} is null`)],
);

/**
 * The current members' names of a household, in the order they joined (empty names left out): what
 * an alert's text greets (alerts/personalise.ts). Kept by triggers on `household_members` and
 * `persons` (migration 0028), never written by the application: sending one alert to a town's TVs
 * reads it by household id (alerts/tv-views.ts) instead of grouping 40,000 memberships per alert.
 * A household without current named members has no row.
 */
export const householdNames = pgTable('household_names', {
  householdId: uuid('household_id').primaryKey().references(() => households.id, { onDelete: 'cascade' }),
  names: text('names').array().notNull(),
});

/**
 * Every sign/auth certificate a person has registered (証明書履歴). Found by `lookupKey`, a keyed
 * hash of issuer + serial (シリアル番号変換値), so the raw serial is neither stored nor logged.
 */
export const certificates = pgTable(
  'certificates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: uuid('person_id').notNull().references(() => persons.id),
    purpose: text('purpose', { enum: ['sign', 'auth'] }).notNull(),
    lookupKey: text('lookup_key').notNull().unique(),
    /**
     * SHA-256 of the certificate's DER, when the platform saw the certificate itself (registration):
     * a shelter tablet can compute it from a tapped card offline, so its whitelist is keyed by it
     * (salted per copy, platform/src/shelter/whitelist.ts). Null for certificates known only from
     * J-LIS renewal data; those cards are identified online.
     */
    derSha256: text('der_sha256'),
    /** Both certificates of one card registered together share this value. */
    cardId: uuid('card_id').notNull(),
    rootGeneration: text('root_generation').notNull(),
    notBefore: timestamp('not_before', { withTimezone: true }).notNull(),
    notAfter: timestamp('not_after', { withTimezone: true }).notNull(),
    status: text('status', { enum: ['good', 'revoked', 'superseded'] }).notNull().default('good'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revocationReason: text('revocation_reason'),
    supersededBy: uuid('superseded_by'),
    registeredAt: timestamp('registered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('certificates_person_idx').on(t.personId)],
);

export type Person = typeof persons.$inferSelect;
export type CertificateRow = typeof certificates.$inferSelect;
