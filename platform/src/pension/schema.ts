import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { serviceProviders } from '../db/schema/services.js';

/**
 * Every signed 現況確認届 the platform accepted from a card: sealed (with its evidence bundle) or
 * waiting for a CRL fresh enough (`revocation_pending`, with what sealing needs to finish). A row
 * is written before the TV is told "received", so nothing acknowledged is lost; it names the
 * person only through the provider's service UID.
 */
export const pensionSubmissions = pgTable(
  'pension_submissions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    providerId: uuid('provider_id').notNull().references(() => serviceProviders.id),
    serviceUid: text('service_uid').notNull(),
    policyRef: text('policy_ref').notNull(),
    state: text('state', { enum: ['sealed', 'revocation_pending'] }).notNull(),
    /** PendingSeal (document, CMS with timestamp, genTime) while pending; null once sealed. */
    pending: jsonb('pending'),
    /** The evidence bundle file, exactly as the insurer downloads it; null while pending. */
    bundle: text('bundle'),
    signedAt: timestamp('signed_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sealedAt: timestamp('sealed_at', { withTimezone: true }),
  },
  (t) => [index('pension_submissions_pending_idx').on(t.state), index('pension_submissions_provider_idx').on(t.providerId, t.createdAt)],
);
