import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * J-LIS linkage data (紐付け情報) as received by the platform operator: the sign and the auth
 * certificate of one card. A registration is accepted only for a pair named here, so nobody can
 * register someone else's sign certificate with their own card's auth certificate. Keyed by the
 * same keyed hashes as `certificates.lookupKey`, never by serial; each certificate is on one card.
 */
export const cardLinkages = pgTable('card_linkages', {
  signLookupKey: text('sign_lookup_key').primaryKey(),
  authLookupKey: text('auth_lookup_key').notNull().unique(),
  ingestedAt: timestamp('ingested_at', { withTimezone: true }).notNull().defaultNow(),
});
