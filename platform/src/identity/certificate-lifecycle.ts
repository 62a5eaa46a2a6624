import { randomUUID } from 'node:crypto';
import { and, eq, exists, inArray, isNull, ne, or } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { cardLinkages, certificates, persons, sessions } from '../db/schema/index.js';
import { parseCrl, type CrlInfo, type IngestOptions, type JpkiPurpose } from '../jpki/index.js';
import { appendAudit } from './audit.js';
import type { IdentityDeps } from './deps.js';

/** The platform's own revocation reason for an auth certificate registered with another card's sign certificate. */
const CARD_PAIR_MISMATCH = 'cardPairMismatch';

/** How many CRL entries are matched against registered certificates per query. */
const MATCH_BATCH = 5000;

export interface CrlApplication {
  outcome: 'installed' | 'replaced' | 'unchanged';
  /** The CRL now in use for its CA. */
  crl: CrlInfo;
  entries: number;
  /** Registered certificates this CRL revoked now. */
  revoked: number;
  /** People asked to re-confirm because their sign certificate was revoked. */
  reconfirm: number;
}

/**
 * DESIGN §5.3: a new CRL is verified and installed for lookups, then applied to registered
 * certificates. A revoked auth certificate can no longer log in; a revoked sign certificate (a
 * move, a name change — never assume death) marks the person `needs_reconfirmation`, except for
 * `superseded` (a renewal: the linkage data moves the person to the new card). Audited.
 */
export async function applyCrl(deps: IdentityDeps, purpose: JpkiPurpose, der: Buffer, actor = 'system:crl', options?: IngestOptions): Promise<CrlApplication> {
  const installed = deps.jpki.ingestCrl(purpose, der, options);
  const entries = parseCrl(der).entries;
  let revoked = 0;
  let reconfirm = 0;
  for (let start = 0; start < entries.count; start += MATCH_BATCH) {
    const batch = new Map<string, { revokedAt: Date; reason: string | null }>();
    for (let i = start; i < Math.min(start + MATCH_BATCH, entries.count); i++) {
      const entry = entries.get(i);
      batch.set(deps.jpki.lookupKey(purpose, installed.crl.issuerKeyId, entry.serial), { revokedAt: entry.revokedAt, reason: entry.reason });
    }
    const hits = await deps.db
      .select({ id: certificates.id, personId: certificates.personId, lookupKey: certificates.lookupKey })
      .from(certificates)
      .where(and(inArray(certificates.lookupKey, [...batch.keys()]), eq(certificates.purpose, purpose), eq(certificates.status, 'good')));
    for (const hit of hits) {
      const entry = batch.get(hit.lookupKey)!;
      await deps.db.transaction(async (tx) => {
        await tx
          .update(certificates)
          .set({ status: 'revoked', revokedAt: entry.revokedAt, revocationReason: entry.reason })
          .where(eq(certificates.id, hit.id));
        const askAgain = purpose === 'sign' && entry.reason !== 'superseded';
        if (askAgain) await tx.update(persons).set({ status: 'needs_reconfirmation', updatedAt: new Date() }).where(eq(persons.id, hit.personId));
        await appendAudit(tx, {
          actor, action: 'certificate.revoked', subject: hit.personId,
          data: { purpose, reason: entry.reason, revokedAt: entry.revokedAt.toISOString(), reconfirm: askAgain },
        });
        revoked++;
        if (askAgain) reconfirm++;
      });
    }
  }
  await deps.db.transaction((tx) =>
    appendAudit(tx, {
      actor, action: 'crl.applied', subject: null,
      data: { purpose, generation: installed.crl.generation, distributionPoint: installed.crl.distributionPoint, crlNumber: installed.crl.crlNumber?.toString() ?? null, entries: entries.count, outcome: installed.outcome, revoked },
    }),
  );
  return { outcome: installed.outcome, crl: installed.crl, entries: entries.count, revoked, reconfirm };
}

/** One certificate as J-LIS linkage data names it. */
export interface LinkedCertificateRef {
  issuerKeyId: string;
  serial: string;
  generation: string;
  notBefore: string;
  notAfter: string;
}

/** The part of J-LIS linkage data the platform uses: renewals, old pair → new pair. */
export interface RenewalLinkage {
  renewals: Array<{ old: { sign: LinkedCertificateRef; auth: LinkedCertificateRef }; new: { sign: LinkedCertificateRef; auth: LinkedCertificateRef } }>;
}

/**
 * Moves registered people to their renewed cards (DESIGN §5.3): for every renewal whose old
 * certificate is registered, the new certificate is linked to the same person and the old one
 * marked superseded. Renewals of unregistered cards are skipped. Idempotent; audited.
 */
export async function applyRenewals(deps: IdentityDeps, linkage: RenewalLinkage, actor = 'system:linkage'): Promise<{ moved: number }> {
  let moved = 0;
  for (const renewal of linkage.renewals) {
    await deps.db.transaction(async (tx) => {
      const cardId = randomUUID();
      for (const purpose of ['sign', 'auth'] as const) {
        const oldRef = renewal.old[purpose];
        const newRef = renewal.new[purpose];
        const [old] = await tx
          .select()
          .from(certificates)
          .where(eq(certificates.lookupKey, deps.jpki.lookupKey(purpose, oldRef.issuerKeyId, oldRef.serial)));
        // A certificate revoked for being on another card than its pair never moves anybody.
        if (!old || old.status === 'superseded' || old.revocationReason === CARD_PAIR_MISMATCH) continue;
        const [created] = await tx
          .insert(certificates)
          .values({
            personId: old.personId, purpose, cardId, lookupKey: deps.jpki.lookupKey(purpose, newRef.issuerKeyId, newRef.serial),
            rootGeneration: newRef.generation, notBefore: new Date(newRef.notBefore), notAfter: new Date(newRef.notAfter),
          })
          .onConflictDoNothing({ target: certificates.lookupKey })
          .returning({ id: certificates.id });
        await tx.update(certificates).set({ status: 'superseded', supersededBy: created?.id ?? null }).where(eq(certificates.id, old.id));
        await appendAudit(tx, { actor, action: 'certificate.renewed', subject: old.personId, data: { purpose } });
        moved++;
      }
    });
  }
  return { moved };
}

/**
 * Cards registered before the platform knew their linkage (or before it checked it): where the
 * linkage data now links a registered card's sign or auth certificate to another certificate, the
 * auth certificate of that pair is revoked in the platform (reason `cardPairMismatch`) and the
 * person's sessions end, so a pair put together from two cards cannot log in. Idempotent; audited.
 */
export async function revokeMismatchedCards(deps: IdentityDeps, actor = 'system:linkage'): Promise<{ revoked: number }> {
  const sign = alias(certificates, 'sign_cert');
  const auth = alias(certificates, 'auth_cert');
  const { db } = deps;
  const hits = await db
    .select({ id: auth.id, personId: auth.personId })
    .from(sign)
    .innerJoin(auth, and(eq(auth.cardId, sign.cardId), eq(auth.purpose, 'auth'), eq(auth.status, 'good')))
    .where(and(
      eq(sign.purpose, 'sign'),
      or(
        exists(db.select().from(cardLinkages).where(and(eq(cardLinkages.signLookupKey, sign.lookupKey), ne(cardLinkages.authLookupKey, auth.lookupKey)))),
        exists(db.select().from(cardLinkages).where(and(eq(cardLinkages.authLookupKey, auth.lookupKey), ne(cardLinkages.signLookupKey, sign.lookupKey)))),
      ),
    ));
  for (const hit of hits) {
    await db.transaction(async (tx) => {
      const now = new Date();
      await tx.update(certificates).set({ status: 'revoked', revokedAt: now, revocationReason: CARD_PAIR_MISMATCH }).where(eq(certificates.id, hit.id));
      const ended = await tx.update(sessions).set({ endedAt: now })
        .where(and(eq(sessions.personId, hit.personId), isNull(sessions.endedAt))).returning({ id: sessions.id });
      await appendAudit(tx, {
        actor, action: 'certificate.revoked', subject: hit.personId,
        data: { purpose: 'auth', reason: CARD_PAIR_MISMATCH, code: 'AUTH_CARD_PAIR_MISMATCH', revokedAt: now.toISOString(), sessionsEnded: ended.length },
      });
    });
  }
  return { revoked: hits.length };
}
