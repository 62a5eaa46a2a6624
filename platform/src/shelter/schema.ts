import { sql } from 'drizzle-orm';
import { bigint, date, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { devices } from '../db/schema/households.js';
import { organisations } from '../db/schema/organisations.js';
import { persons } from '../db/schema/persons.js';
import { shelters } from '../db/schema/places.js';

/**
 * One check-in event as a shelter tablet recorded it (受付記録). Immutable: never updated, never
 * deleted; who is where is a projection of these rows (projection.ts). The id is made by the
 * tablet (UUIDv7) so a replayed upload finds the row it already wrote and answers its `result`.
 * `(device_id, sequence)` is the tablet's own order; `received_at` orders events across tablets.
 */
export const shelterEvents = pgTable(
  'shelter_events',
  {
    eventId: uuid('event_id').primaryKey(),
    deviceId: uuid('device_id').notNull().references(() => devices.id),
    sequence: bigint('sequence', { mode: 'number' }).notNull(),
    municipalityId: uuid('municipality_id').notNull().references(() => organisations.id),
    shelterId: uuid('shelter_id').notNull().references(() => shelters.id),
    /** The staff member whose session uploaded the event (the tablet's shift). */
    staffId: uuid('staff_id').notNull(),
    kind: text('kind', { enum: ['checkin', 'checkout', 'move', 'outside'] }).notNull(),
    /** How the person was identified: their card, a household key, by name (no card), or an earlier entry in the list. */
    method: text('method', { enum: ['card', 'household', 'name', 'person'] }).notNull(),
    personId: uuid('person_id').references(() => persons.id),
    /** Only for people checked in by name (no card): the name and birth date staff typed. */
    name: text('name'),
    birthDate: date('birth_date', { mode: 'string' }),
    /** Who the projection groups by: the person id, or `name:<name>|<birth date>` for people without a card. */
    subject: text('subject').notNull(),
    toShelterId: uuid('to_shelter_id').references(() => shelters.id),
    /** Card check-ins only: what the CRL said (`revoked` is checked in all the same, and flagged). */
    revocation: text('revocation', { enum: ['good', 'unknown', 'revoked'] }),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    /** The answer given when the event was first stored; a replay gets exactly this. */
    result: jsonb('result').notNull(),
  },
  (t) => [
    uniqueIndex('shelter_events_device_sequence_uq').on(t.deviceId, t.sequence),
    index('shelter_events_subject_idx').on(t.municipalityId, t.subject, t.receivedAt),
    index('shelter_events_shelter_idx').on(t.shelterId, t.receivedAt),
  ],
);

export type ShelterEvent = typeof shelterEvents.$inferSelect;

/**
 * Each tablet's last report of its own outbox (sync health, for the console): how many events it
 * still holds unsent, and when it said so. A tablet reports with every upload and every refresh of
 * its list (`X-Outbox-Waiting`); this row is overwritten (a reading, not a record: the events
 * themselves are in shelter_events). A tablet that cannot reach the platform keeps its last reading.
 */
export const shelterTabletHealth = pgTable('shelter_tablet_health', {
  deviceId: uuid('device_id').primaryKey().references(() => devices.id),
  waiting: bigint('waiting', { mode: 'number' }).notNull(),
  reportedAt: timestamp('reported_at', { withTimezone: true }).notNull().defaultNow(),
});
