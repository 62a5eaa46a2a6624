import { boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organisations } from '../db/schema/organisations.js';
import { staffMembers } from '../staff/schema.js';
import { alerts } from './schema.js';

/**
 * Alerts composed in the operator console (issue 13 §3). A draft is what an officer writes; it
 * becomes a CAP message in `alerts` (channel `console`) only when published, after a second
 * officer's approval when the municipality requires it. Drafts are kept after publishing: who
 * composed and who approved each message is read from here (and from the audit log).
 */
export const alertDrafts = pgTable(
  'alert_drafts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    municipalityId: uuid('municipality_id').notNull().references(() => organisations.id),
    /** alert: a new message; update/extend/lift: a CAP Update of `referencesAlertId`; cancel: a CAP Cancel of it. */
    action: text('action', { enum: ['alert', 'update', 'extend', 'lift', 'cancel'] }).notNull(),
    referencesAlertId: uuid('references_alert_id').references(() => alerts.id),
    /** CAP status: only Actual reaches residents (Exercise and Test are for drills and test TVs). */
    status: text('status', { enum: ['Actual', 'Exercise', 'Test'] }).notNull(),
    /** 3, 4, 5 or lift; null for a cancel. */
    level: text('level'),
    event: text('event').notNull().default(''),
    headline: text('headline').notNull().default(''),
    description: text('description').notNull().default(''),
    districtIds: jsonb('district_ids').$type<string[]>().notNull().default([]),
    shelterIds: jsonb('shelter_ids').$type<string[]>().notNull().default([]),
    /** How long the published message stays in force, counted from publishing (so a slow approval does not shorten it). */
    validMinutes: integer('valid_minutes').notNull(),
    state: text('state', { enum: ['draft', 'awaiting_approval', 'published', 'discarded'] }).notNull().default('draft'),
    /** Bumped by every change: a request carrying an older version is refused (ALERT_DRAFT_STALE). */
    version: integer('version').notNull().default(1),
    composedBy: uuid('composed_by').notNull().references(() => staffMembers.id),
    approvedBy: uuid('approved_by').references(() => staffMembers.id),
    publishedAlertId: uuid('published_alert_id').references(() => alerts.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('alert_drafts_municipality_state_idx').on(t.municipalityId, t.state)],
);

/** Per-municipality alerting settings; a municipality without a row has the defaults (approval required). */
export const alertSettings = pgTable('alert_settings', {
  municipalityId: uuid('municipality_id').primaryKey().references(() => organisations.id),
  /** A second disaster officer must approve every Actual message before it is published. */
  approvalRequired: boolean('approval_required').notNull().default(true),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
