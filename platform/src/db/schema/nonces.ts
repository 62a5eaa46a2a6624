import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Nonces that have been used. A nonce itself is stateless (its device, purpose and expiry are
 * sealed in it with an HMAC, see identity/nonces.ts), so issuing one writes nothing; using one
 * inserts its MAC here once, which is what makes it single-use. Rows past `expiresAt` are purged.
 */
export const usedNonces = pgTable('used_nonces', {
  mac: text('mac').primaryKey(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});
