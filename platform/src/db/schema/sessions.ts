import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { devices } from './households.js';
import { persons } from './persons.js';

/** A person signed in on a device. The bearer token itself is never stored, only its hash. */
export const sessions = pgTable('sessions', {
  id: uuid('id').primaryKey().defaultRandom(),
  tokenHash: text('token_hash').notNull().unique(),
  personId: uuid('person_id').notNull().references(() => persons.id),
  deviceId: uuid('device_id').notNull().references(() => devices.id),
  assurance: text('assurance', { enum: ['high', 'low'] }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  endedAt: timestamp('ended_at', { withTimezone: true }),
});
