import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organisations } from '../db/schema/organisations.js';

/**
 * A member of an organisation's staff who uses the operator console. They log in with their own
 * My Number Card (auth certificate, 4-digit PIN); `certLookupKey` is the keyed hash of that
 * certificate (never its serial), set when they redeem their invitation. No passwords anywhere.
 */
export const staffMembers = pgTable(
  'staff_members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id').notNull().references(() => organisations.id),
    /** As the inviting admin typed it: the console shows it; the card's auth certificate has no name. */
    displayName: text('display_name').notNull(),
    /** Role names from staff/roles.ts, all of the organisation's kind. */
    roles: text('roles').array().notNull(),
    certLookupKey: text('cert_lookup_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set when removed: their sessions end at once and their card no longer logs in. */
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('staff_members_cert_uq').on(t.certLookupKey).where(sql`${t.removedAt} is null and ${t.certLookupKey} is not null`),
    index('staff_members_org_idx').on(t.organisationId),
  ],
);

/** A one-time invitation: the code is shown once and stored only as its hash. */
export const staffInvites = pgTable('staff_invites', {
  id: uuid('id').primaryKey().defaultRandom(),
  staffId: uuid('staff_id').notNull().references(() => staffMembers.id),
  codeHash: text('code_hash').notNull().unique(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  redeemedAt: timestamp('redeemed_at', { withTimezone: true }),
});

/**
 * A console session: bound to the staff member, ended by logout, removal, a role change, or
 * `idleSeconds` without a request (each request moves `lastSeenAt`), and never longer than `expiresAt`.
 */
export const staffSessions = pgTable(
  'staff_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull().unique(),
    staffId: uuid('staff_id').notNull().references(() => staffMembers.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [index('staff_sessions_staff_idx').on(t.staffId)],
);

export type StaffMember = typeof staffMembers.$inferSelect;
