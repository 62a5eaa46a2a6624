import { sql } from 'drizzle-orm';
import { bigserial, customType, date, index, jsonb, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});
import { devices, households } from './households.js';
import { organisations } from './organisations.js';

/**
 * A natural person (ケーブルID・個人): a platform UUID, never derived from a certificate serial,
 * stable across card renewal and moves. The 基本4情報 are kept only after the person confirmed
 * them on the TV (`consentedAt`).
 */
export const persons = pgTable('persons', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** `needs_reconfirmation` after the sign certificate was revoked (a move, a name change; never "deceased"). */
  status: text('status', { enum: ['active', 'needs_reconfirmation'] }).notNull().default('active'),
  name: text('name'),
  dateOfBirth: date('date_of_birth', { mode: 'string' }),
  gender: text('gender'),
  address: text('address'),
  consentedAt: timestamp('consented_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Household membership over time; `leftAt` null = current member. */
export const householdMembers = pgTable(
  'household_members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    householdId: uuid('household_id').notNull().references(() => households.id),
    personId: uuid('person_id').notNull().references(() => persons.id),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
    leftAt: timestamp('left_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('household_members_current_uq').on(t.householdId, t.personId).where(sql`${t.leftAt} is null`)],
);

/**
 * Every sign/auth certificate a person has registered (証明書履歴). Found by `lookupKey`, a keyed
 * hash of issuer + serial (シリアル番号変換値), so the raw serial is neither stored nor logged.
 */
export const certificates = pgTable(
  'certificates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: uuid('person_id').notNull().references(() => persons.id),
    purpose: text('purpose', { enum: ['sign', 'auth'] }).notNull(),
    lookupKey: text('lookup_key').notNull().unique(),
    /**
     * SHA-256 of the certificate's DER, when the platform saw the certificate itself (registration):
     * a shelter tablet can compute it from a tapped card offline, so its whitelist is keyed by it
     * (salted per copy, platform/src/shelter/whitelist.ts). Null for certificates known only from
     * J-LIS renewal data; those cards are identified online.
     */
    derSha256: text('der_sha256'),
    /** Both certificates of one card registered together share this value. */
    cardId: uuid('card_id').notNull(),
    rootGeneration: text('root_generation').notNull(),
    notBefore: timestamp('not_before', { withTimezone: true }).notNull(),
    notAfter: timestamp('not_after', { withTimezone: true }).notNull(),
    status: text('status', { enum: ['good', 'revoked', 'superseded'] }).notNull().default('good'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revocationReason: text('revocation_reason'),
    supersededBy: uuid('superseded_by'),
    registeredAt: timestamp('registered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('certificates_person_idx').on(t.personId)],
);

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

/**
 * Nonces that have been used. A nonce itself is stateless (its device, purpose and expiry are
 * sealed in it with an HMAC, see identity/nonces.ts), so issuing one writes nothing; using one
 * inserts its MAC here once, which is what makes it single-use. Rows past `expiresAt` are purged.
 */
export const usedNonces = pgTable('used_nonces', {
  mac: text('mac').primaryKey(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/**
 * A registration in progress on one TV: a `draft` (the document and digests handed to the card)
 * becomes `verified` once the card's signatures passed, and waits for the person to confirm the
 * 基本4情報. Confirmed while J-LIS has not yet said that its two certificates are one card's, it
 * becomes `awaiting_linkage` (kept until the certificates expire) and completes or fails when
 * the linkage arrives (identity/registration.ts). Deleted on completion or cancel; an
 * expired one is refused.
 */
export const pendingRegistrations = pgTable('pending_registrations', {
  id: uuid('id').primaryKey().defaultRandom(),
  stage: text('stage', { enum: ['draft', 'verified', 'awaiting_linkage'] }).notNull(),
  deviceId: uuid('device_id').notNull().references(() => devices.id),
  householdId: uuid('household_id').notNull().references(() => households.id),
  /** Stage-specific data (draft: document, signed attributes, nonce; verified: what to store). */
  payload: jsonb('payload').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/**
 * J-LIS linkage data (紐付け情報) as received by the platform operator: the sign and the auth
 * certificate of one card. A registration is accepted only for a pair named here, so nobody can
 * register someone else's sign certificate with their own card's auth certificate. Keyed by the
 * same keyed hashes as `certificates.lookupKey`, never by serial; each certificate is on one card.
 */
export const cardLinkages = pgTable('card_linkages', {
  signLookupKey: text('sign_lookup_key').primaryKey(),
  authLookupKey: text('auth_lookup_key').notNull().unique(),
  ingestedAt: timestamp('ingested_at', { withTimezone: true }).notNull().defaultNow(),
});

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

/**
 * Every CRL the platform installed, as received. Each process loads the newest per CA on start
 * and picks up newer ones other processes stored, so all of them answer revocation alike.
 */
export const crls = pgTable(
  'crls',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    purpose: text('purpose', { enum: ['sign', 'auth'] }).notNull(),
    issuerKeyId: text('issuer_key_id').notNull(),
    crlNumber: text('crl_number'),
    thisUpdate: timestamp('this_update', { withTimezone: true }).notNull(),
    der: bytea('der').notNull(),
    ingestedAt: timestamp('ingested_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('crls_issuer_idx').on(t.purpose, t.issuerKeyId, t.thisUpdate)],
);

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

/**
 * Append-only audit log. Each entry's `hash` covers its content and the previous entry's hash, so
 * changing or removing any entry breaks the chain; a trigger refuses UPDATE and DELETE.
 */
export const auditLog = pgTable('audit_log', {
  seq: bigserial('seq', { mode: 'number' }).primaryKey(),
  /** ISO-8601 text, exactly as hashed. */
  at: text('at').notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  subject: text('subject'),
  data: jsonb('data').notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull().unique(),
  /**
   * How `hash` is computed: 1 = plain SHA-256 (entries written before the chain was keyed),
   * 2 = HMAC-SHA-256 with AUDIT_HMAC_SECRET, which the database never holds. Existing rows became
   * 1 when the column arrived; every new entry is 2, and no 1 may follow a 2.
   */
  chain: smallint('chain').notNull().default(1),
});

export type Person = typeof persons.$inferSelect;
export type CertificateRow = typeof certificates.$inferSelect;
export type PendingRegistration = typeof pendingRegistrations.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
