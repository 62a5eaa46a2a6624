import { boolean, integer, pgTable, text, timestamp, uniqueIndex, uuid, doublePrecision } from 'drizzle-orm/pg-core';
import { organisations } from './organisations.js';

/** An area a municipality targets alerts at (地区). */
export const districts = pgTable(
  'districts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    municipalityId: uuid('municipality_id').notNull().references(() => organisations.id),
    code: text('code').notNull(),
    name: text('name').notNull(),
  },
  (t) => [uniqueIndex('districts_municipality_code_uq').on(t.municipalityId, t.code)],
);

/** An evacuation shelter (指定避難所). */
export const shelters = pgTable('shelters', {
  id: uuid('id').primaryKey().defaultRandom(),
  municipalityId: uuid('municipality_id').notNull().references(() => organisations.id),
  districtId: uuid('district_id').notNull().references(() => districts.id),
  name: text('name').notNull(),
  address: text('address').notNull(),
  capacity: integer('capacity').notNull(),
  latitude: doublePrecision('latitude'),
  longitude: doublePrecision('longitude'),
  /**
   * The municipality's setting: card check-ins here need the card's auth PIN (high assurance) —
   * the tablet has the card sign the event, offline too. Default: a tap without PIN (low).
   */
  requirePin: boolean('require_pin').notNull().default(false),
});

/** A bookable municipal facility (公共施設). */
export const facilities = pgTable('facilities', {
  id: uuid('id').primaryKey().defaultRandom(),
  municipalityId: uuid('municipality_id').notNull().references(() => organisations.id),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export type District = typeof districts.$inferSelect;
export type Shelter = typeof shelters.$inferSelect;
export type Facility = typeof facilities.$inferSelect;
