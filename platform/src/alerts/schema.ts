import { sql } from 'drizzle-orm';
import { bigserial, boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organisations } from '../db/schema/organisations.js';

/**
 * Evacuation alerts (issue 13). One row per accepted message, keyed by (municipality, sender, identifier); the
 * canonical model (alerts/model.ts) is kept whole in `document`. Nothing is deleted: Update and
 * Cancel change `state` of the messages they reference, so the history stays.
 */
export const alerts = pgTable(
  'alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    municipalityId: uuid('municipality_id').notNull().references(() => organisations.id),
    sender: text('sender').notNull(),
    identifier: text('identifier').notNull(),
    /** `sent` as the source wrote it (part of a CAP reference triplet). */
    sent: text('sent').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
    /** SHA-256 of the canonical document: equal ⇒ duplicate, different under one key ⇒ conflict. */
    bodyHash: text('body_hash').notNull(),
    format: text('format', { enum: ['cap-1.2', 'l-alert'] }).notNull(),
    status: text('status').notNull(),
    msgType: text('msg_type').notNull(),
    /** active → superseded (by an Update) | cancelled (by a Cancel); a Cancel message itself is `withdrawal`. */
    state: text('state', { enum: ['active', 'superseded', 'cancelled', 'withdrawal'] }).notNull(),
    /** The alert this one replaced (Update) or withdrew (Cancel), when it was found. */
    supersedes: uuid('supersedes'),
    supersededBy: uuid('superseded_by'),
    /** The strongest evacuation level of the message (3, 4, 5 or lift), when it announces one. */
    level: text('level'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** True when the expiry was not in the message and the configured default was used. */
    expiresDefaulted: integer('expires_defaulted').notNull().default(0),
    /** L-Alert: the document and revision (newest revision wins, older ones are ignored). */
    documentId: text('document_id'),
    revision: integer('revision'),
    channel: text('channel', { enum: ['feed', 'cli', 'console'] }).notNull(),
    /** District codes the message named that the municipality does not know (targeting.ts `areaCodeOutcome`). */
    unknownAreaCodes: text('unknown_area_codes').array().notNull().default([]),
    /** Because of them an area became the whole municipality: the console warns the officers. */
    widenedToMunicipality: boolean('widened_to_municipality').notNull().default(false),
    document: jsonb('document').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * When publishing it was done — targeted, its receipts carried over (an extension) and announced to
     * every platform process (ingest.ts `publishStored`); null while it is stored but that is not
     * done (the process stopped, or the database failed, in between): the same message sent again
     * finishes it instead of being a duplicate that nobody ever sees.
     */
    publishedAt: timestamp('published_at', { withTimezone: true }),
    /**
     * When a platform process's sweep took it on to finish (ingest.ts `publishUnfinished`): the other
     * processes leave it alone for a while instead of all targeting the town at the same moment.
     */
    publishClaimedAt: timestamp('publish_claimed_at', { withTimezone: true }),
  },
  (t) => [
    // Per municipality: a key stored by one municipality's feed must never block another's message
    // (a feed could otherwise take a neighbour's next L-Alert document ID first: ALERT_CONFLICT there).
    uniqueIndex('alerts_municipality_sender_identifier_uq').on(t.municipalityId, t.sender, t.identifier),
    index('alerts_municipality_state_idx').on(t.municipalityId, t.state),
    index('alerts_document_idx').on(t.municipalityId, t.documentId),
    // The messages stored and never published, oldest first (ingest.ts `publishUnfinished`): usually none.
    index('alerts_unpublished_idx').on(t.receivedAt).where(sql`published_at is null`),
  ],
);

/** A message refused because its key was already stored with another body: kept for the officers to look at. */
export const alertConflicts = pgTable('alert_conflicts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  municipalityId: uuid('municipality_id').notNull().references(() => organisations.id),
  alertId: uuid('alert_id').notNull().references(() => alerts.id),
  bodyHash: text('body_hash').notNull(),
  document: jsonb('document').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The households an alert reaches (filled when it is published), with the district they were matched in.
 *
 * No foreign keys, on purpose (migration 0025): the rows are written only by `targetAlert`'s one
 * INSERT … SELECT, which takes every id from a join on the table it would reference, in the same
 * statement; and alerts, households, districts and shelters are never deleted. The four FK triggers
 * were 0.9 s of the 1.3 s it took to target a town of 20,000 homes, which every TV waits for
 * (issue 13 §5).
 */
export const alertTargets = pgTable(
  'alert_targets',
  {
    alertId: uuid('alert_id').notNull(),
    householdId: uuid('household_id').notNull(),
    districtId: uuid('district_id'),
    /** How the household was matched: district code, polygon/circle, or the whole municipality. */
    matchedBy: text('matched_by', { enum: ['code', 'geometry', 'municipality'] }).notNull(),
    /**
     * The shelter the household's text points to, chosen at targeting time: the nearest of those the
     * alert opens, else of all the municipality's (null when the household has no coordinates).
     */
    shelterId: uuid('shelter_id'),
    /** Its distance in metres. */
    shelterDistanceM: doublePrecision('shelter_distance_m'),
  },
  (t) => [
    primaryKey({ columns: [t.alertId, t.householdId] }),
    // A TV connecting asks for its household's active alerts (tv-connect.ts).
    index('alert_targets_household_idx').on(t.householdId),
  ],
);

/**
 * delivered / displayed / acknowledged, once per alert, TV and kind (idempotent by the key).
 *
 * No foreign keys, like `alert_targets`: receipts are written only by `writeReceipts`, whose
 * statement joins `alert_targets` (so the alert and household exist and are targeted); the device
 * and person are the ones the platform authenticated. 40,000 receipts arrive within seconds of a
 * town-wide alert, while TVs are still being reached; four FK triggers per row were CPU taken from
 * that (issue 13 §5).
 */
export const alertReceipts = pgTable(
  'alert_receipts',
  {
    alertId: uuid('alert_id').notNull(),
    deviceId: uuid('device_id').notNull(),
    householdId: uuid('household_id').notNull(),
    kind: text('kind', { enum: ['delivered', 'displayed', 'acknowledged'] }).notNull(),
    /** The resident's answer on acknowledging: evacuated / safe_at_home. */
    answer: text('answer'),
    /** Who acknowledged, when someone was logged in on the TV (issue 13 §4); null otherwise. */
    personId: uuid('person_id'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.alertId, t.deviceId, t.kind] })],
);

/** A municipality's feed credential for `POST /api/v1/alerts/cap`; only the SHA-256 of the token is stored. */
export const alertFeedCredentials = pgTable('alert_feed_credentials', {
  id: uuid('id').primaryKey().defaultRandom(),
  municipalityId: uuid('municipality_id').notNull().references(() => organisations.id),
  tokenHash: text('token_hash').notNull().unique(),
  label: text('label').notNull(),
  /**
   * The CAP senders (L-Alert senderIDs) this feed may send as: another feed of the municipality, or
   * one whose token leaked, cannot write under them (and so cannot cancel, update or pre-empt their
   * messages). A credential with none, issued before senders were bound, sends nothing.
   */
  senders: text('senders').array().notNull().default(sql`'{}'::text[]`),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});
