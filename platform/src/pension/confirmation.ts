import { createHash, randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { certificates, serviceProviders, serviceUids } from '../db/schema/index.js';
import { buildSignedAttributes, type JpkiContext } from '../jpki/index.js';
import { fromBase64, toBase64 } from '../shared/base64.js';
import { digestInfoForMessage } from '../shared/digest-info.js';
import { AppError } from '../shared/errors.js';
import { monthOfPeriod } from './campaigns.js';
import { checkDeclarations, decodeDocument, declarationLines, encodeDocument } from './document.js';
import { pensionCampaigns, pensionDrafts, pensionInbox, pensionPolicies, pensionSubmissions } from './schema.js';
import { sealSubmission, type SealContext } from './seal.js';
import { askToRenew, countsAsAnswer, insertSubmission, type StoredSubmission } from './submissions.js';

/** Reading the form and typing the sign password with a remote takes a while; then it is prepared again. */
export const DRAFT_TTL_SECONDS = 20 * 60;

interface Who {
  personId: string;
  deviceId: string;
}

/**
 * The 現況確認届 this person is asked to sign for a campaign item: the policy must be linked to
 * them now, in the campaign's month, the campaign open and not yet answered. Answers the exact
 * document text, its plain-Japanese lines, and the DigestInfo the card signs (over the CMS signed
 * attributes the platform built, so the TV can neither change the document nor the attributes).
 */
export async function prepareConfirmation(db: Db, who: Who, input: { campaignId: string; policyId: string; declarations: unknown }, now = new Date()) {
  const declarations = checkDeclarations(input.declarations);
  const [row] = await db.select({ campaign: pensionCampaigns, policy: pensionPolicies, provider: serviceProviders, link: serviceUids })
    .from(pensionCampaigns)
    .innerJoin(pensionPolicies, and(eq(pensionPolicies.id, input.policyId), eq(pensionPolicies.providerId, pensionCampaigns.providerId)))
    .innerJoin(serviceProviders, eq(serviceProviders.id, pensionCampaigns.providerId))
    .innerJoin(serviceUids, and(eq(serviceUids.uid, pensionPolicies.serviceUid), isNull(serviceUids.unlinkedAt), eq(serviceUids.personId, who.personId)))
    .where(eq(pensionCampaigns.id, input.campaignId));
  if (!row) throw new AppError('REQ_NOT_FOUND', { detail: 'no campaign with a policy of yours' });
  if (row.campaign.deadline <= now || monthOfPeriod(row.campaign.period) !== row.policy.dueMonth) throw new AppError('PENSION_CAMPAIGN_CLOSED');
  await requireNotSubmitted(db, row.campaign.id, row.policy.id);
  const document = encodeDocument({
    insurer: { id: row.provider.id, name: row.provider.name }, policyRef: row.policy.policyRef, serviceUid: row.link.uid,
    campaignId: row.campaign.id, period: row.campaign.period, declarations, nonce: randomUUID(), preparedAt: now.toISOString(),
  });
  const signedAttributes = buildSignedAttributes(document, now);
  const expiresAt = new Date(now.getTime() + DRAFT_TTL_SECONDS * 1000);
  const [draft] = await db.insert(pensionDrafts).values({
    personId: who.personId, deviceId: who.deviceId, policyId: row.policy.id, campaignId: row.campaign.id,
    document: toBase64(document), signedAttributes: toBase64(signedAttributes), expiresAt,
  }).returning({ id: pensionDrafts.id });
  return {
    draftId: draft!.id, document: new TextDecoder().decode(document), lines: declarationLines(declarations),
    insurer: row.provider.name, policyRef: row.policy.policyRef, period: row.campaign.period,
    sign: { digestInfo: toBase64(digestInfoForMessage(signedAttributes)) }, expiresAt: expiresAt.toISOString(),
  };
}

/**
 * The draft's policy, if it is still linked to this person under the UID the draft's document
 * names: a draft prepared before the person unlinked the insurer (and the policy went to its new
 * holder, or to a new UID of theirs) must not answer the campaign — it would carry a retired UID and
 * block the holder's own answer (an attack found both).
 */
async function policyStillLinked(db: Db | Tx, draft: { policyId: string; document: string }, personId: string) {
  const [row] = await db.select({ policy: pensionPolicies }).from(pensionPolicies)
    .innerJoin(serviceUids, and(eq(serviceUids.uid, pensionPolicies.serviceUid), isNull(serviceUids.unlinkedAt), eq(serviceUids.personId, personId)))
    .where(eq(pensionPolicies.id, draft.policyId));
  if (!row || row.policy.serviceUid !== decodeDocument(fromBase64(draft.document)).serviceUid) throw new AppError('PENSION_POLICY_NOT_LINKED');
  return row.policy;
}

async function requireNotSubmitted(db: Db, campaignId: string, policyId: string) {
  const [done] = await db.select({ id: pensionSubmissions.id }).from(pensionSubmissions)
    .where(and(eq(pensionSubmissions.campaignId, campaignId), eq(pensionSubmissions.policyId, policyId), countsAsAnswer));
  if (done) throw new AppError('PENSION_ALREADY_SUBMITTED');
}

/**
 * The card's signature over a prepared draft: the certificate must be a sign certificate of this
 * person (the logged-in one), then the seal verifies the CMS, gets the timestamp and checks the
 * CRL. Stored as sealed, or as revocation pending (never accepted without a good status). A revoked
 * certificate is refused and the person's inbox asks them to renew and confirm again.
 *
 * The draft is used in the transaction that stores its submission, so a seal that failed on the
 * way (the timestamp or revocation source unavailable) leaves it for the TV's もう一度 送る, and of
 * two sends of one draft at once only one is stored (of two drafts of one policy sealing at once, the
 * later is PENSION_ALREADY_SUBMITTED). The same signature sent again once stored
 * (its answer lost on the way to the TV) gets that submission; any other is refused as used.
 */
export async function submitConfirmation(db: Db, jpki: JpkiContext, seal: SealContext, who: Who, input: { draftId: string; signature: string; certificate: string }, now = new Date()): Promise<StoredSubmission> {
  const cert = jpki.parse(input.certificate);
  const chain = await jpki.verify(cert, 'sign', now);
  const [own] = await db.select({ id: certificates.id }).from(certificates)
    .where(and(eq(certificates.lookupKey, jpki.lookupKeyOf(chain)), eq(certificates.personId, who.personId), eq(certificates.purpose, 'sign')));
  if (!own) throw new AppError('AUTH_CARD_NOT_YOURS');

  const signature = fromBase64(input.signature);
  const signatureSha256 = createHash('sha256').update(signature).digest('hex');
  const [draft] = await db.select().from(pensionDrafts)
    .where(and(eq(pensionDrafts.id, input.draftId), eq(pensionDrafts.personId, who.personId), eq(pensionDrafts.deviceId, who.deviceId)));
  if (!draft) throw new AppError('PENSION_DRAFT_EXPIRED');
  if (draft.usedAt) return sentBefore(db, draft.id, signatureSha256);
  if (draft.expiresAt <= now) throw new AppError('PENSION_DRAFT_EXPIRED');
  await requireNotSubmitted(db, draft.campaignId, draft.policyId);
  const policy = await policyStillLinked(db, draft, who.personId);
  let outcome;
  try {
    outcome = await sealSubmission({
      document: fromBase64(draft.document), signedAttributes: fromBase64(draft.signedAttributes), signature, certificate: new Uint8Array(cert.der),
    }, seal);
  } catch (err) {
    // Revoked is final: the draft is spent with the request to renew (once, whoever sent it first).
    if (err instanceof AppError && err.code === 'PKI_REVOKED') {
      await db.transaction(async (tx) => {
        if (await useDraft(tx, draft.id, signatureSha256, now)) await askToRenew(tx, who.personId, policy.providerId, policy.id);
      });
    }
    throw err;
  }
  const stored = await answeredOnce(() => db.transaction(async (tx) => {
    // Unlinked while it sealed (the timestamp and revocation take a while): refused all the same.
    await policyStillLinked(tx, draft, who.personId);
    if (!(await useDraft(tx, draft.id, signatureSha256, now))) return null;
    const submission = await insertSubmission(tx, { providerId: policy.providerId, personId: who.personId, outcome, policyId: policy.id, campaignId: draft.campaignId, draftId: draft.id });
    await tx.update(pensionInbox).set({ doneAt: now })
      .where(and(eq(pensionInbox.personId, who.personId), eq(pensionInbox.campaignId, draft.campaignId), eq(pensionInbox.policyId, draft.policyId), isNull(pensionInbox.doneAt)));
    return submission;
  }));
  // Another send of this draft was stored first (the TV sending again while this one sealed).
  return stored ?? sentBefore(db, draft.id, signatureSha256);
}

/** The index that lets a policy be answered once per campaign (pension/schema.ts). */
const ONCE_PER_CAMPAIGN = 'pension_submissions_once_uq';

/**
 * Runs `work`; when the database refuses it by the once-per-campaign index (another draft of the
 * same policy was stored while this one sealed), that is PENSION_ALREADY_SUBMITTED, not a 500.
 * Any other error (another constraint included) passes through.
 */
async function answeredOnce<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (violatedConstraint(err) === ONCE_PER_CAMPAIGN) throw new AppError('PENSION_ALREADY_SUBMITTED');
    throw err;
  }
}

/** The constraint a unique violation (SQLSTATE 23505) names, in `err` or what it wraps (drizzle wraps driver errors). */
function violatedConstraint(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, constraint } = e as { code?: unknown; constraint?: unknown };
    if (code === '23505' && typeof constraint === 'string') return constraint;
  }
  return null;
}

/** Marks the draft used by this signature; false if another send used it first (that one's row lock decides). */
async function useDraft(tx: Tx, draftId: string, signatureSha256: string, now: Date): Promise<boolean> {
  const used = await tx.update(pensionDrafts).set({ usedAt: now, signatureSha256 })
    .where(and(eq(pensionDrafts.id, draftId), isNull(pensionDrafts.usedAt)))
    .returning({ id: pensionDrafts.id });
  return used.length > 0;
}

/**
 * What a used draft gave, to the signature that used it: its submission as stored (or as it is now,
 * if sealed since). Anything else (another signature, a draft spent by a revoked certificate, a
 * submission later found revoked) is PENSION_DRAFT_EXPIRED.
 */
async function sentBefore(db: Db, draftId: string, signatureSha256: string): Promise<StoredSubmission> {
  const [row] = await db.select({ usedBy: pensionDrafts.signatureSha256, submission: pensionSubmissions }).from(pensionDrafts)
    .leftJoin(pensionSubmissions, eq(pensionSubmissions.draftId, pensionDrafts.id))
    .where(eq(pensionDrafts.id, draftId));
  const submission = row?.submission;
  if (!submission || row.usedBy !== signatureSha256 || submission.state === 'certificate_revoked') throw new AppError('PENSION_DRAFT_EXPIRED');
  return { id: submission.id, state: submission.state, signedAt: submission.signedAt.toISOString(), changesDeclared: submission.changesDeclared };
}
