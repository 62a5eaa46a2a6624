import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { bytea } from './columns.js';

/**
 * Signed OCSP responses kept as evidence of a revocation check (a staff login's), exactly as the
 * responder sent them, named by the SHA-256 of their DER. The audit entry of the operation names
 * the response by that hash and never holds it: a response's CertID carries the certificate's
 * serial, which the audit log (shown in the console) must not, and at ~2 KB it would be most of
 * every entry the chain hashes. One response answers for a certificate until its nextUpdate, so
 * logins within that window share one row. Append-only for the platform role (db/roles.ts).
 */
export const ocspResponses = pgTable('ocsp_responses', {
  sha256: text('sha256').primaryKey(),
  der: bytea('der').notNull(),
  producedAt: timestamp('produced_at', { withTimezone: true }).notNull(),
  storedAt: timestamp('stored_at', { withTimezone: true }).notNull().defaultNow(),
});
