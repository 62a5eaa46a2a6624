import { randomUUID } from 'node:crypto';
import { and, eq, gt, inArray, lt } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import {
  certificates, householdMembers, households, pendingRegistrations, persons, signedDocuments, type Device, type PendingRegistration,
} from '../db/schema/index.js';
import type { RegistrationDraftRequest, RegistrationSubmission } from '../routes/identity-schemas.js';
import { fromBase64, toBase64 } from '../shared/base64.js';
import { digestInfoForMessage } from '../shared/digest-info.js';
import { AppError } from '../shared/errors.js';
import { assembleCms, buildSignedAttributes, readPersonalData, verifyCms, type ChainResult } from '../jpki/index.js';
import { appendAudit } from './audit.js';
import { cardPairStatus, type CardPairStatus } from './card-linkage.js';
import { canonicalJson } from './canonical-json.js';
import { challengeMessage } from './challenge.js';
import { CONSENT } from './consent.js';
import type { IdentityDeps } from './deps.js';
import { districtChoices, householdOf } from './household.js';
import { consumeNonce, issueNonce } from './nonces.js';

/**
 * A registration may take a while on a TV (two PINs typed with a remote); it must not run out
 * under a person who is still typing. Half an hour, then the draft is simply made again.
 */
export const REGISTRATION_TTL_SECONDS = 30 * 60;
const DOCUMENT_TYPE = 'cable-auth/registration/v1';

interface DraftPayload {
  document: string;
  signedAttributes: string;
  nonce: string;
  district: { id: string; code: string; name: string };
}

interface CertificateRecord {
  lookupKey: string;
  derSha256: string;
  rootGeneration: string;
  notBefore: string;
  notAfter: string;
}

interface VerifiedPayload {
  cms: string;
  signedAt: string;
  district: { id: string; code: string; name: string };
  personalData: { name: string; dateOfBirth: string; gender: string; address: string };
  sign: CertificateRecord;
  auth: CertificateRecord;
}

/**
 * Step 1: the canonical registration document (consent version, household, district, nonce,
 * device) and the two digests the card signs: the CMS signed attributes over the document (sign
 * key) and the challenge that proves the auth key of the same card in the same flow.
 */
export async function createRegistrationDraft(deps: IdentityDeps, device: Device, input: RegistrationDraftRequest) {
  const household = await householdOf(deps.db, device);
  const district = (await districtChoices(deps.db, household)).find((d) => d.code === input.district);
  if (!district) throw new AppError('REQ_INVALID', { detail: `district ${input.district} is not offered to this household` });
  const { nonce } = issueNonce(deps.config.nonceSecret, device.id, 'register', REGISTRATION_TTL_SECONDS);
  const now = new Date();
  const document = canonicalJson({
    type: DOCUMENT_TYPE, consentVersion: CONSENT.version, household: household.id, district: district.code, nonce, device: device.id, issuedAt: now.toISOString(),
  });
  const signedAttributes = buildSignedAttributes(Buffer.from(document, 'utf8'), now);
  const expiresAt = new Date(now.getTime() + REGISTRATION_TTL_SECONDS * 1000);
  const payload: DraftPayload = { document, signedAttributes: toBase64(signedAttributes), nonce, district };
  const [draft] = await deps.db
    .insert(pendingRegistrations)
    .values({ stage: 'draft', deviceId: device.id, householdId: household.id, payload, expiresAt })
    .returning({ id: pendingRegistrations.id });
  return {
    draftId: draft!.id,
    document,
    sign: { digestInfo: toBase64(digestInfoForMessage(signedAttributes)) },
    auth: { digestInfo: toBase64(digestInfoForMessage(challengeMessage(nonce, 'register', device.id))) },
    expiresAt: expiresAt.toISOString(),
  };
}

async function loadPending(deps: IdentityDeps, device: Device, id: string, stage: 'draft' | 'verified') {
  const [row] = await deps.db
    .select()
    .from(pendingRegistrations)
    .where(and(eq(pendingRegistrations.id, id), eq(pendingRegistrations.deviceId, device.id), eq(pendingRegistrations.stage, stage), gt(pendingRegistrations.expiresAt, new Date())));
  if (!row) throw new AppError('AUTH_REGISTRATION_EXPIRED');
  return row;
}

const record = (deps: IdentityDeps, chain: ChainResult): CertificateRecord => ({
  lookupKey: deps.jpki.lookupKeyOf(chain),
  derSha256: chain.certificate.fingerprint,
  rootGeneration: chain.rootGeneration,
  notBefore: chain.notBefore.toISOString(),
  notAfter: chain.notAfter.toISOString(),
});

/**
 * Step 2: the card's two signatures. The CMS is assembled from the draft and verified (chain,
 * purpose sign, validity, signature, message digest), the auth signature proves the same flow's
 * nonce, both certificates must be known good (the `registration` revocation policy: by default
 * the CRLs). Returns the 基本4情報 to confirm.
 */
export async function submitRegistration(deps: IdentityDeps, device: Device, input: RegistrationSubmission) {
  const draft = await loadPending(deps, device, input.draftId, 'draft');
  const payload = draft.payload as DraftPayload;
  const document = Buffer.from(payload.document, 'utf8');
  const cms = assembleCms(document, fromBase64(payload.signedAttributes), fromBase64(input.signSignature), fromBase64(input.signCertificate));
  const now = new Date();
  const verified = await verifyCms(cms, { trustStore: deps.jpki.trustStore, document, at: now });
  if (!Buffer.from(verified.content).equals(document)) throw new AppError('AUTH_REGISTRATION_MISMATCH', { detail: 'signed content differs from the draft' });

  await consumeNonce(deps.db, deps.config.nonceSecret, payload.nonce, device.id, 'register');
  const authCert = deps.jpki.parse(input.authCertificate);
  const authChain = await deps.jpki.verify(authCert, 'auth', now);
  await deps.jpki.verifySignature(authCert, challengeMessage(payload.nonce, 'register', device.id), fromBase64(input.authSignature));
  // As REVOCATION_POLICY decides for `registration` (default: the CRLs, unknown refused).
  await deps.jpki.decideRevocation('registration', verified.signer, now);
  await deps.jpki.decideRevocation('registration', authChain, now);

  const sign = record(deps, verified.signer);
  const auth = record(deps, authChain);
  // Refused before the 基本4情報 are shown when J-LIS already says these are two cards.
  const linkage = await cardPairStatus(deps.db, { sign: sign.lookupKey, auth: auth.lookupKey });
  if (linkage === 'mismatch') {
    await deps.db.transaction(async (tx) => {
      await refusePair(tx, draft, `device:${device.id}`, { district: payload.district.code });
    });
    throw new AppError('AUTH_CARD_PAIR_MISMATCH');
  }

  const pd = readPersonalData(verified.signer.certificate);
  const personalData = { name: pd.name, dateOfBirth: pd.dateOfBirth, gender: pd.gender, address: pd.address };
  const expiresAt = new Date(now.getTime() + REGISTRATION_TTL_SECONDS * 1000);
  const next: VerifiedPayload = { cms: toBase64(cms), signedAt: now.toISOString(), district: payload.district, personalData, sign, auth };
  await deps.db.update(pendingRegistrations).set({ stage: 'verified', payload: next, expiresAt }).where(eq(pendingRegistrations.id, draft.id));
  return {
    registrationId: draft.id, personalData, district: { code: payload.district.code, name: payload.district.name }, expiresAt: expiresAt.toISOString(),
    linkage: linkage === 'linked' ? ('linked' as const) : ('pending' as const),
  };
}

/** What confirming answers: the person is registered, or the registration waits for J-LIS linkage. */
export type RegistrationOutcome =
  | { status: 'registered'; personId: string; created: boolean }
  | { status: 'pending_linkage'; registrationId: string };

/**
 * Step 3: the person confirmed the 基本4情報 on the TV. When J-LIS linkage data names the two
 * certificates as one card, the registration completes now. When it names either certificate
 * with another one, it is refused (AUTH_CARD_PAIR_MISMATCH). When neither is known yet (a card
 * newer than the last linkage data), the confirmation is recorded and the registration waits
 * (`awaiting_linkage`) until linkage data arrives (settleAwaitingRegistrations): never accepted
 * on trust, and nobody can log in with it meanwhile.
 */
export async function confirmRegistration(deps: IdentityDeps, device: Device, registrationId: string): Promise<RegistrationOutcome> {
  const actor = `device:${device.id}`;
  const outcome = await deps.db.transaction(async (tx) => {
    const [pending] = await tx
      .select()
      .from(pendingRegistrations)
      .where(and(
        eq(pendingRegistrations.id, registrationId), eq(pendingRegistrations.deviceId, device.id),
        eq(pendingRegistrations.stage, 'verified'), gt(pendingRegistrations.expiresAt, new Date()),
      ))
      .for('update');
    if (!pending) return null;
    const p = pending.payload as VerifiedPayload;
    const linkage = await cardPairStatus(tx, { sign: p.sign.lookupKey, auth: p.auth.lookupKey });
    return settleWith(tx, pending, linkage, actor);
  });
  if (outcome === null) throw new AppError('AUTH_REGISTRATION_EXPIRED');
  // When waiting: linkage data may have been stored while this transaction ran, and its settling
  // pass may have looked before this row was committed. Look once more, so a registration never
  // waits for data the platform already has.
  const settled = outcome === 'waiting' ? await settleRegistration(deps, registrationId, 'system:linkage') : outcome;
  if (settled === 'refused') throw new AppError('AUTH_CARD_PAIR_MISMATCH');
  if (typeof settled === 'object') return { status: 'registered', ...settled };
  return { status: 'pending_linkage', registrationId };
}

type Settled = { personId: string; created: boolean } | 'refused' | 'waiting';

/** Completes, refuses or parks one confirmed registration by what the linkage data says. */
async function settleWith(tx: Tx, pending: PendingRegistration, linkage: CardPairStatus, actor: string): Promise<Settled> {
  const p = pending.payload as VerifiedPayload;
  if (linkage === 'linked') return completeRegistration(tx, pending, actor);
  if (linkage === 'mismatch') {
    await refusePair(tx, pending, actor, { district: p.district.code });
    return 'refused';
  }
  if (pending.stage === 'verified') {
    // The registration is kept while its certificates are valid: linkage data comes in days, not minutes.
    const until = new Date(Math.min(Date.parse(p.sign.notAfter), Date.parse(p.auth.notAfter)));
    await tx.update(pendingRegistrations).set({ stage: 'awaiting_linkage', expiresAt: until }).where(eq(pendingRegistrations.id, pending.id));
    await appendAudit(tx, {
      actor, action: 'registration.awaiting_linkage', subject: pending.id,
      data: { household: pending.householdId, device: pending.deviceId, district: p.district.code },
    });
  }
  return 'waiting';
}

/**
 * Creates the person, or updates the one either certificate already belongs to; links both
 * certificates as one card; makes them a member of the household; keeps the signed document as
 * evidence; audits. Runs inside the caller's transaction, with the pending row locked.
 */
async function completeRegistration(tx: Tx, pending: PendingRegistration, actor: string) {
  const p = pending.payload as VerifiedPayload;
  const [existing] = await tx
    .select({ personId: certificates.personId })
    .from(certificates)
    .where(inArray(certificates.lookupKey, [p.sign.lookupKey, p.auth.lookupKey]))
    .limit(1);
  const details = { ...p.personalData, status: 'active' as const, consentedAt: new Date(), updatedAt: new Date() };
  let personId: string;
  if (existing) {
    personId = existing.personId;
    await tx.update(persons).set(details).where(eq(persons.id, personId));
  } else {
    const [created] = await tx.insert(persons).values(details).returning({ id: persons.id });
    personId = created!.id;
  }
  const cardId = randomUUID();
  await tx
    .insert(certificates)
    .values(
      (['sign', 'auth'] as const).map((purpose) => ({
        personId, purpose, cardId, lookupKey: p[purpose].lookupKey, derSha256: p[purpose].derSha256, rootGeneration: p[purpose].rootGeneration,
        notBefore: new Date(p[purpose].notBefore), notAfter: new Date(p[purpose].notAfter),
      })),
    )
    .onConflictDoNothing({ target: certificates.lookupKey });
  await tx.insert(householdMembers).values({ householdId: pending.householdId, personId }).onConflictDoNothing();
  await tx.update(households).set({ districtId: p.district.id }).where(eq(households.id, pending.householdId));
  await tx.insert(signedDocuments).values({ personId, kind: 'registration', cms: fromBase64(p.cms), signedAt: new Date(p.signedAt) });
  await appendAudit(tx, {
    actor, action: 'person.registered', subject: personId,
    data: { household: pending.householdId, device: pending.deviceId, district: p.district.code, created: !existing, awaitedLinkage: pending.stage === 'awaiting_linkage' },
  });
  await tx.delete(pendingRegistrations).where(eq(pendingRegistrations.id, pending.id));
  return { personId, created: !existing };
}

/** J-LIS says the two certificates are not one card's: nothing is kept but the audit entry. */
async function refusePair(tx: Tx, pending: PendingRegistration, actor: string, data: { district: string }): Promise<void> {
  await appendAudit(tx, {
    actor, action: 'registration.refused', subject: pending.id,
    data: { code: 'AUTH_CARD_PAIR_MISMATCH', household: pending.householdId, device: pending.deviceId, district: data.district },
  });
  await tx.delete(pendingRegistrations).where(eq(pendingRegistrations.id, pending.id));
}

/** Settles one registration waiting for linkage; `gone` when it is no longer waiting. */
async function settleRegistration(deps: IdentityDeps, id: string, actor: string): Promise<Settled | 'gone'> {
  return deps.db.transaction(async (tx) => {
    const [pending] = await tx
      .select()
      .from(pendingRegistrations)
      .where(and(eq(pendingRegistrations.id, id), eq(pendingRegistrations.stage, 'awaiting_linkage'), gt(pendingRegistrations.expiresAt, new Date())))
      .for('update');
    if (!pending) return 'gone';
    const p = pending.payload as VerifiedPayload;
    return settleWith(tx, pending, await cardPairStatus(tx, { sign: p.sign.lookupKey, auth: p.auth.lookupKey }), actor);
  });
}

/**
 * After new linkage data: every registration waiting for it completes (the person can log in
 * from now on) or is refused (audited with AUTH_CARD_PAIR_MISMATCH); the rest keep waiting.
 */
export async function settleAwaitingRegistrations(deps: IdentityDeps, actor: string): Promise<{ completed: number; refused: number; waiting: number }> {
  const counts = { completed: 0, refused: 0, waiting: 0 };
  const waiting = await deps.db
    .select({ id: pendingRegistrations.id })
    .from(pendingRegistrations)
    .where(and(eq(pendingRegistrations.stage, 'awaiting_linkage'), gt(pendingRegistrations.expiresAt, new Date())));
  for (const { id } of waiting) {
    const settled = await settleRegistration(deps, id, actor);
    if (settled === 'refused') counts.refused++;
    else if (settled === 'waiting') counts.waiting++;
    else if (settled !== 'gone') counts.completed++;
  }
  return counts;
}

/**
 * Deletes registrations in progress whose time ran out (a draft never signed, 基本4情報 never
 * confirmed): they are refused anyway, and a verified one holds personal data nobody consented
 * to keep. Returns how many.
 */
export async function purgeExpiredRegistrations(db: IdentityDeps['db'], now = new Date()): Promise<number> {
  return (await db.delete(pendingRegistrations).where(lt(pendingRegistrations.expiresAt, now)).returning({ id: pendingRegistrations.id })).length;
}

/** The person said the 基本4情報 are not right: nothing is kept. */
export async function cancelRegistration(deps: IdentityDeps, device: Device, registrationId: string): Promise<void> {
  await deps.db.delete(pendingRegistrations).where(and(eq(pendingRegistrations.id, registrationId), eq(pendingRegistrations.deviceId, device.id)));
}
