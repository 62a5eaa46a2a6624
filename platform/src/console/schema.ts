import { index, pgTable, text, timestamp, uuid, bigserial } from 'drizzle-orm/pg-core';
import { devices } from '../db/schema/households.js';

/**
 * Logins the platform refused, by code (no certificate, person or PIN data): the console's "card
 * errors by code". Written once per refused login; rows older than the dashboard's window are purged.
 */
export const loginFailures = pgTable(
  'login_failures',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    deviceId: uuid('device_id').references(() => devices.id),
    code: text('code').notNull(),
  },
  (t) => [index('login_failures_at_idx').on(t.at)],
);
