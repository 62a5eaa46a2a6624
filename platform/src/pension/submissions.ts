import { and, eq, ne } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { serviceUids } from '../db/schema/index.js';
import { appendAudit } from '../identity/audit.js';
import { AppError } from '../shared/errors.js';
import { decodeDocument } from './document.js';
import { serializeBundle } from './evidence-bundle.js';
import { pensionInbox, pensionSubmissions } from './schema.js';
import { completePending, type PendingSeal, type SealContext, type SealOutcome } from './seal.js';

/**
 * A submission that answers its campaign: any but one the CRL found revoked while it waited (that
 * person is asked to renew and confirm again, so it must not block their next answer, count as
 * submitted in the campaign's progress, or show as done on the TV).
 */
export const countsAsAnswer = ne(pensionSubmissions.state, 'certificate_revoked');

/** What the TV is told once a submission is stored. */
export interface StoredSubmission {
  id: string;
  state: 'sealed' | 'revocation_pending';
  signedAt: string;
  changesDeclared: boolean;
}

/** Where a stored submission belongs: always a provider and the person; a policy, campaign and draft when a resident answered one. */
export interface SubmissionInput {
  providerId: string;
  personId: string;
  outcome: SealOutcome;
  policyId?: string;
  campaignId?: string;
  draftId?: string;
}

/**
 * Stores the outcome of `sealSubmission` for a provider, in one transaction with its audit entry
 * (the actor is the person; the audit names only the provider and the submission).
 */
export async function storeSubmission(db: Db, input: SubmissionInput): Promise<StoredSubmission> {
  return db.transaction((tx) => insertSubmission(tx, input));
}

/** `storeSubmission` inside a caller's transaction (which may have more to write with it). */
export async function insertSubmission(tx: Tx, input: SubmissionInput): Promise<StoredSubmission> {
  const { outcome } = input;
  const pending = outcome.state === 'revocation-pending' ? outcome.pending : null;
  const documentB64 = pending ? pending.document : outcome.state === 'sealed' ? outcome.bundle.document : '';
  const doc = decodeDocument(Buffer.from(documentB64, 'base64'));
  const signedAt = new Date(pending ? pending.genTime : outcome.state === 'sealed' ? outcome.bundle.report.signedAt : '');
  const [row] = await tx.insert(pensionSubmissions).values({
    providerId: input.providerId,
    serviceUid: doc.serviceUid,
    policyRef: doc.policyRef,
    policyId: input.policyId ?? null,
    campaignId: input.campaignId ?? null,
    draftId: input.draftId ?? null,
    changesDeclared: doc.declarations.changes !== null,
    state: pending ? 'revocation_pending' : 'sealed',
    pending,
    bundle: outcome.state === 'sealed' ? serializeBundle(outcome.bundle) : null,
    signedAt,
    sealedAt: pending ? null : new Date(),
  }).returning({ id: pensionSubmissions.id, state: pensionSubmissions.state });
  await appendAudit(tx, {
    actor: `person:${input.personId}`, action: 'pension.submitted', subject: row!.id,
    data: { provider: input.providerId, state: row!.state },
  });
  return { id: row!.id, state: pending ? 'revocation_pending' : 'sealed', signedAt: signedAt.toISOString(), changesDeclared: doc.declarations.changes !== null };
}

/** Whether any submission waits for a CRL (cheap: lets a caller skip building the seal context). */
export async function hasPendingSubmissions(db: Db): Promise<boolean> {
  const [row] = await db.select({ id: pensionSubmissions.id }).from(pensionSubmissions).where(eq(pensionSubmissions.state, 'revocation_pending')).limit(1);
  return Boolean(row);
}

/**
 * Retries every pending submission against the revocation source as it is now (run after a CRL
 * was ingested). Sealed ones get their bundle; one whose certificate the CRL shows revoked when it
 * signed becomes `certificate_revoked` (never sealed; the person is asked to renew and confirm
 * again); the rest keep waiting. Returns how many of each.
 */
export async function completePendingSubmissions(db: Db, ctx: SealContext): Promise<{ sealed: number; waiting: number; revoked: number }> {
  const rows = await db.select().from(pensionSubmissions).where(eq(pensionSubmissions.state, 'revocation_pending'));
  const counts = { sealed: 0, waiting: 0, revoked: 0 };
  for (const row of rows) {
    let outcome: SealOutcome;
    try {
      outcome = await completePending(row.pending as PendingSeal, ctx);
    } catch (err) {
      if (err instanceof AppError && err.code === 'PKI_REVOKED') {
        await settleRevoked(db, row);
        counts.revoked++;
        continue;
      }
      // A wrong or unknown OCSP answer for one submission must not stop the others: it waits.
      if (err instanceof AppError && (err.code.startsWith('PKI_OCSP_') || err.code === 'PKI_REVOCATION_UNKNOWN')) {
        counts.waiting++;
        continue;
      }
      throw err;
    }
    if (outcome.state !== 'sealed') {
      counts.waiting++;
      continue;
    }
    await db.transaction(async (tx) => {
      const done = await tx.update(pensionSubmissions)
        .set({ state: 'sealed', bundle: serializeBundle(outcome.bundle), pending: null, sealedAt: new Date() })
        .where(and(eq(pensionSubmissions.id, row.id), eq(pensionSubmissions.state, 'revocation_pending')))
        .returning({ id: pensionSubmissions.id });
      if (done.length) await appendAudit(tx, { actor: 'system', action: 'pension.sealed', subject: row.id, data: { provider: row.providerId } });
    });
    counts.sealed++;
  }
  return counts;
}

/** The evidence bundle of a sealed submission of this provider (REQ_NOT_FOUND otherwise, also for another provider's). */
export async function bundleOf(db: Db, providerId: string, submissionId: string): Promise<string> {
  const [row] = await db.select({ bundle: pensionSubmissions.bundle }).from(pensionSubmissions)
    .where(and(eq(pensionSubmissions.id, submissionId), eq(pensionSubmissions.providerId, providerId)));
  if (!row?.bundle) throw new AppError('REQ_NOT_FOUND', { detail: 'no sealed submission with that id for this provider' });
  return row.bundle;
}

/**
 * A pending submission the CRL showed revoked: it is not an answer. In one transaction: the row
 * becomes `certificate_revoked` (its signed bytes dropped: they prove nothing now), the person
 * (found through the provider's UID) gets the "renew and confirm again" item and their campaign
 * request is open again, and the audit says so. Another process that settled it first wins.
 */
async function settleRevoked(db: Db, row: typeof pensionSubmissions.$inferSelect): Promise<void> {
  await db.transaction(async (tx) => {
    const settled = await tx.update(pensionSubmissions).set({ state: 'certificate_revoked', pending: null })
      .where(and(eq(pensionSubmissions.id, row.id), eq(pensionSubmissions.state, 'revocation_pending')))
      .returning({ id: pensionSubmissions.id });
    if (!settled.length) return;
    await appendAudit(tx, { actor: 'system', action: 'pension.revoked_while_pending', subject: row.id, data: { provider: row.providerId } });
    const [holder] = await tx.select({ personId: serviceUids.personId }).from(serviceUids)
      .where(and(eq(serviceUids.uid, row.serviceUid), eq(serviceUids.providerId, row.providerId)));
    if (!holder) return;
    await askToRenew(tx, holder.personId, row.providerId, row.policyId);
    if (row.campaignId && row.policyId) {
      await tx.update(pensionInbox).set({ doneAt: null }).where(and(
        eq(pensionInbox.personId, holder.personId), eq(pensionInbox.campaignId, row.campaignId), eq(pensionInbox.policyId, row.policyId),
      ));
    }
  });
}

/** The inbox item `askToRenew` stores, shown on the TV as written (so in the TV's plain words). */
export const RENEW_NOTICE = {
  title: '英数字のパスワードで使う 電子証明書の 状態が 変わりました',
  body: 'お住まいの市区町村の窓口で カードの 電子証明書を 更新してから、もう一度 現況確認届を お出しください。',
} as const;

/** "Your certificate changed: renew it and confirm again" — never anything about why. */
export async function askToRenew(tx: Tx, personId: string, providerId: string, policyId: string | null): Promise<void> {
  await tx.insert(pensionInbox).values({ personId, providerId, kind: 'status_changed', policyId, ...RENEW_NOTICE });
  await appendAudit(tx, { actor: `person:${personId}`, action: 'pension.certificate_status_changed', subject: policyId ?? personId, data: { provider: providerId } });
}
