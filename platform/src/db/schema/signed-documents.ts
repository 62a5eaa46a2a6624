import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { bytea } from './columns.js';
import { persons } from './persons.js';

/**
 * Documents a person signed with the sign key (registration, 現況確認届): the CMS SignedData as
 * received, kept as evidence anyone can re-verify offline.
 */
export const signedDocuments = pgTable('signed_documents', {
  id: uuid('id').primaryKey().defaultRandom(),
  personId: uuid('person_id').notNull().references(() => persons.id),
  kind: text('kind', { enum: ['registration'] }).notNull(),
  cms: bytea('cms').notNull(),
  signedAt: timestamp('signed_at', { withTimezone: true }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
