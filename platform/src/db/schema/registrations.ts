import { jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { devices, households } from './households.js';

/**
 * A registration in progress on one TV: a `draft` (the document and digests handed to the card)
 * becomes `verified` once the card's signatures passed, and waits for the person to confirm the
 * 基本4情報. Confirmed while J-LIS has not yet said that its two certificates are one card's, it
 * becomes `awaiting_linkage` (kept until the certificates expire) and completes or fails when
 * the linkage arrives (identity/registration.ts). Deleted on completion or cancel; an
 * expired one is refused.
 */
export const pendingRegistrations = pgTable('pending_registrations', {
  id: uuid('id').primaryKey().defaultRandom(),
  stage: text('stage', { enum: ['draft', 'verified', 'awaiting_linkage'] }).notNull(),
  deviceId: uuid('device_id').notNull().references(() => devices.id),
  householdId: uuid('household_id').notNull().references(() => households.id),
  /** Stage-specific data (draft: document, signed attributes, nonce; verified: what to store). */
  payload: jsonb('payload').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

export type PendingRegistration = typeof pendingRegistrations.$inferSelect;
