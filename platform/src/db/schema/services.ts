import { sql } from 'drizzle-orm';
import { pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organisations } from './organisations.js';
import { persons } from './persons.js';

/** A service provider (an insurer's pension service, a municipality's booking or disaster service). */
export const serviceProviders = pgTable('service_providers', {
  id: uuid('id').primaryKey().defaultRandom(),
  organisationId: uuid('organisation_id').notNull().references(() => organisations.id),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  service: text('service', { enum: ['pension', 'booking', 'disaster'] }).notNull(),
});

/**
 * The only ID a provider ever sees (サービス別UID): random 128 bits per (person, provider), never
 * derivable from anything else, re-issued after an unlink so the provider cannot re-correlate.
 */
export const serviceUids = pgTable(
  'service_uids',
  {
    uid: text('uid').primaryKey(),
    personId: uuid('person_id').notNull().references(() => persons.id),
    providerId: uuid('provider_id').notNull().references(() => serviceProviders.id),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
    unlinkedAt: timestamp('unlinked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('service_uids_current_uq').on(t.personId, t.providerId).where(sql`${t.unlinkedAt} is null`)],
);
