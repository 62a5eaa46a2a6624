import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { bytea } from './columns.js';

/**
 * Every CRL the platform installed, as received. Each process loads the newest per CA on start
 * and picks up newer ones other processes stored, so all of them answer revocation alike.
 */
export const crls = pgTable(
  'crls',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    purpose: text('purpose', { enum: ['sign', 'auth'] }).notNull(),
    issuerKeyId: text('issuer_key_id').notNull(),
    crlNumber: text('crl_number'),
    thisUpdate: timestamp('this_update', { withTimezone: true }).notNull(),
    der: bytea('der').notNull(),
    ingestedAt: timestamp('ingested_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('crls_issuer_idx').on(t.purpose, t.issuerKeyId, t.thisUpdate)],
);
