import { boolean, pgTable, text, timestamp, uuid, uniqueIndex, check, doublePrecision } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { organisations } from './organisations.js';
import { districts, shelters } from './places.js';

/** A cable contract / home (CATV世帯ID); alerts target it through its district. */
export const households = pgTable(
  'households',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    operatorId: uuid('operator_id').notNull().references(() => organisations.id),
    /** The operator's own contract number for this home. */
    contractNo: text('contract_no').notNull(),
    districtId: uuid('district_id').references(() => districts.id),
    label: text('label').notNull(),
    /** WGS84 position of the home, for alert polygons/circles and the nearest shelter (null: unknown). */
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('households_operator_contract_uq').on(t.operatorId, t.contractNo)],
);

/** A TV/STB bound to a household, or a check-in tablet bound to a shelter (テレビ共通ID). */
export const devices = pgTable(
  'devices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: ['tv', 'tablet'] }).notNull(),
    label: text('label').notNull(),
    householdId: uuid('household_id').references(() => households.id),
    shelterId: uuid('shelter_id').references(() => shelters.id),
    /** SHA-256 of the device's provisioned secret; the secret itself is never stored. */
    credentialHash: text('credential_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set when the operator withdrew the device (lost, stolen, replaced): its credential is refused from then on. */
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
    /** Last authenticated request, kept to the minute (the console's "TVs in use now"). */
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
    /**
     * The operator flagged this TV for test alerts (issue 13 §1): it also shows messages whose CAP
     * status is not Actual (Test, Exercise, …), marked as such; no other TV ever does.
     */
    testAlerts: boolean('test_alerts').notNull().default(false),
  },
  (t) => [
    check(
      'devices_binding_ck',
      sql`(${t.kind} = 'tv' and ${t.householdId} is not null and ${t.shelterId} is null) or (${t.kind} = 'tablet' and ${t.shelterId} is not null and ${t.householdId} is null)`,
    ),
  ],
);

export type Household = typeof households.$inferSelect;
export type Device = typeof devices.$inferSelect;
