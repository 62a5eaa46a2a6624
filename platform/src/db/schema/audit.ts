import { bigserial, jsonb, pgTable, smallint, text } from 'drizzle-orm/pg-core';

/**
 * Append-only audit log. Each entry's `hash` covers its content and the previous entry's hash, so
 * changing or removing any entry breaks the chain; a trigger refuses UPDATE and DELETE.
 */
export const auditLog = pgTable('audit_log', {
  seq: bigserial('seq', { mode: 'number' }).primaryKey(),
  /** ISO-8601 text, exactly as hashed. */
  at: text('at').notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  subject: text('subject'),
  data: jsonb('data').notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull().unique(),
  /**
   * How `hash` is computed: 1 = plain SHA-256 (entries written before the chain was keyed),
   * 2 = HMAC-SHA-256 with AUDIT_HMAC_SECRET, which the database never holds. Existing rows became
   * 1 when the column arrived; every new entry is 2, and no 1 may follow a 2.
   */
  chain: smallint('chain').notNull().default(1),
});

export type AuditEntry = typeof auditLog.$inferSelect;
