import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { devices } from '../db/schema/households.js';
import { persons } from '../db/schema/persons.js';
import { serviceProviders } from '../db/schema/services.js';

/**
 * An insurer's policy (保険契約) as the platform knows it: the insurer's own reference and the
 * month its yearly confirmation is due. Until a resident links it, it carries a one-time link code
 * (only its keyed hash; the code itself is printed on the insurer's letter and shown once). Once
 * linked, `serviceUid` is the provider's UID of that person: the only way the insurer names them.
 */
export const pensionPolicies = pgTable(
  'pension_policies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    providerId: uuid('provider_id').notNull().references(() => serviceProviders.id),
    policyRef: text('policy_ref').notNull(),
    /** 1–12: the month each year the confirmation is due (誕生月 or contract month). */
    dueMonth: integer('due_month').notNull(),
    /** HMAC of the current link code; null once used (a code links once). */
    linkCodeHash: text('link_code_hash'),
    linkCodeExpiresAt: timestamp('link_code_expires_at', { withTimezone: true }),
    /** The provider's UID of the linked person; a retired UID (unlinked on the TV) means not linked. */
    serviceUid: text('service_uid'),
    /** Whether the resident ticked "give the insurer my 基本4情報" when consenting; the snapshot then. */
    sharesBasic4: boolean('shares_basic4').notNull().default(false),
    basic4: jsonb('basic4'),
    linkedAt: timestamp('linked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('pension_policies_ref_uq').on(t.providerId, t.policyRef),
    uniqueIndex('pension_policies_code_uq').on(t.linkCodeHash),
    index('pension_policies_uid_idx').on(t.serviceUid),
  ],
);

/** A wrong link code typed on a TV: counted per device so guessing stops after a few (see link-codes.ts). */
export const pensionLinkFailures = pgTable(
  'pension_link_failures',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    deviceId: uuid('device_id').notNull().references(() => devices.id),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('pension_link_failures_device_idx').on(t.deviceId, t.at)],
);

/** A yearly confirmation round: the provider's policies due in `period`'s month, until `deadline`. */
export const pensionCampaigns = pgTable(
  'pension_campaigns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    providerId: uuid('provider_id').notNull().references(() => serviceProviders.id),
    title: text('title').notNull(),
    /** `YYYY-MM`: the due month this round covers (the document's period). */
    period: text('period').notNull(),
    deadline: timestamp('deadline', { withTimezone: true }).notNull(),
    /** `YYYY-MM-DD` (Japan time) days on which unsubmitted residents get a reminder in their inbox. */
    reminderDates: jsonb('reminder_dates').$type<string[]>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('pension_campaigns_period_uq').on(t.providerId, t.period)],
);

/**
 * The resident's TV inbox (電子私書箱): a campaign's request, its reminders (visible from their
 * day), the insurer's notices, and "certificate status changed" messages. Per person; the insurer
 * reaches it only through a policy linked to its UID.
 */
export const pensionInbox = pgTable(
  'pension_inbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: uuid('person_id').notNull().references(() => persons.id),
    providerId: uuid('provider_id').notNull().references(() => serviceProviders.id),
    kind: text('kind', { enum: ['campaign', 'reminder', 'notice', 'status_changed'] }).notNull(),
    campaignId: uuid('campaign_id').references(() => pensionCampaigns.id),
    policyId: uuid('policy_id').references(() => pensionPolicies.id),
    title: text('title').notNull(),
    body: text('body').notNull(),
    visibleFrom: timestamp('visible_from', { withTimezone: true }).notNull().defaultNow(),
    openedAt: timestamp('opened_at', { withTimezone: true }),
    /** Set when what the item asks for is done (the confirmation submitted): it leaves the badge count. */
    doneAt: timestamp('done_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('pension_inbox_person_idx').on(t.personId, t.visibleFrom),
    uniqueIndex('pension_inbox_campaign_uq').on(t.campaignId, t.policyId, t.kind, t.visibleFrom).where(sql`${t.campaignId} is not null`),
  ],
);

/**
 * A 現況確認届 prepared for one person to sign: the exact bytes and CMS signed attributes, used once.
 * It is used when its submission is stored (in the same transaction), never before: a seal that
 * failed on the way (timestamp, revocation source) leaves it to be sent again.
 */
export const pensionDrafts = pgTable('pension_drafts', {
  id: uuid('id').primaryKey().defaultRandom(),
  personId: uuid('person_id').notNull().references(() => persons.id),
  deviceId: uuid('device_id').notNull().references(() => devices.id),
  policyId: uuid('policy_id').notNull().references(() => pensionPolicies.id),
  campaignId: uuid('campaign_id').notNull().references(() => pensionCampaigns.id),
  document: text('document').notNull(),
  signedAttributes: text('signed_attributes').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  /** SHA-256 (hex) of the signature that used it: the same signature sent again gets the stored submission. */
  signatureSha256: text('signature_sha256'),
});

/** A credential an insurer's own systems use for the insurer API (only its hash is kept). */
export const pensionApiCredentials = pgTable('pension_api_credentials', {
  id: uuid('id').primaryKey().defaultRandom(),
  providerId: uuid('provider_id').notNull().references(() => serviceProviders.id),
  secretHash: text('secret_hash').notNull(),
  label: text('label').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

/**
 * Every signed 現況確認届 the platform accepted from a card: sealed (with its evidence bundle),
 * waiting for a CRL fresh enough (`revocation_pending`, with what sealing needs to finish), or found
 * revoked by the CRL it waited for (`certificate_revoked`). A row
 * is written before the TV is told "received", so nothing acknowledged is lost; it names the
 * person only through the provider's service UID.
 */
export const pensionSubmissions = pgTable(
  'pension_submissions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    providerId: uuid('provider_id').notNull().references(() => serviceProviders.id),
    serviceUid: text('service_uid').notNull(),
    policyRef: text('policy_ref').notNull(),
    policyId: uuid('policy_id').references(() => pensionPolicies.id),
    campaignId: uuid('campaign_id').references(() => pensionCampaigns.id),
    /** The resident's draft it answers (none for an insurer's own or a demo submission). */
    draftId: uuid('draft_id').references(() => pensionDrafts.id),
    /**
     * `certificate_revoked`: it waited for a CRL, and the CRL said the sign certificate was revoked
     * when it signed — never sealed; the person is asked to renew and confirm again, which this row
     * must not block (the once-per-campaign index leaves it out).
     */
    state: text('state', { enum: ['sealed', 'revocation_pending', 'certificate_revoked'] }).notNull(),
    /** The declarations say something changed (address, name, account): the insurer follows up. */
    changesDeclared: boolean('changes_declared').notNull().default(false),
    /** PendingSeal (document, CMS with timestamp, genTime) while pending; null once sealed. */
    pending: jsonb('pending'),
    /** The evidence bundle file, exactly as the insurer downloads it; null while pending. */
    bundle: text('bundle'),
    signedAt: timestamp('signed_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sealedAt: timestamp('sealed_at', { withTimezone: true }),
  },
  (t) => [
    index('pension_submissions_pending_idx').on(t.state),
    index('pension_submissions_provider_idx').on(t.providerId, t.createdAt),
    uniqueIndex('pension_submissions_draft_uq').on(t.draftId),
    uniqueIndex('pension_submissions_once_uq').on(t.campaignId, t.policyId).where(sql`${t.state} <> 'certificate_revoked'`),
  ],
);
