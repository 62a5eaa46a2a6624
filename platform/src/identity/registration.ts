import { randomUUID } from 'node:crypto';
import { and, eq, gt, inArray } from 'drizzle-orm';
import {
  certificates, householdMembers, households, pendingRegistrations, persons, signedDocuments, type Device,
} from '../db/schema/index.js';
import { fromBase64, toBase64 } from '../shared/base64.js';
import { digestInfoForMessage } from '../shared/digest-info.js';
import { AppError } from '../shared/errors.js';
import { assembleCms, buildSignedAttributes, readPersonalData, requireGood, verifyCms, type ChainResult } from '../jpki/index.js';
import type { RegistrationDraftRequest, RegistrationSubmission } from '../routes/identity-schemas.js';
import { appendAudit } from './audit.js';
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
  rootGeneration: chain.rootGeneration,
  notBefore: chain.notBefore.toISOString(),
  notAfter: chain.notAfter.toISOString(),
});

/**
 * Step 2: the card's two signatures. The CMS is assembled from the draft and verified (chain,
 * purpose sign, validity, signature, message digest), the auth signature proves the same flow's
 * nonce, both certificates must be known-good in the CRLs. Returns the 基本4情報 to confirm.
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
  requireGood(deps.jpki.revocationStatus(verified.signer, now));
  requireGood(deps.jpki.revocationStatus(authChain, now));

  const pd = readPersonalData(verified.signer.certificate);
  const personalData = { name: pd.name, dateOfBirth: pd.dateOfBirth, gender: pd.gender, address: pd.address };
  const expiresAt = new Date(now.getTime() + REGISTRATION_TTL_SECONDS * 1000);
  const next: VerifiedPayload = {
    cms: toBase64(cms), signedAt: now.toISOString(), district: payload.district, personalData, sign: record(deps, verified.signer), auth: record(deps, authChain),
  };
  await deps.db.update(pendingRegistrations).set({ stage: 'verified', payload: next, expiresAt }).where(eq(pendingRegistrations.id, draft.id));
  return { registrationId: draft.id, personalData, district: { code: payload.district.code, name: payload.district.name }, expiresAt: expiresAt.toISOString() };
}

/**
 * Step 3: the person confirmed the 基本4情報 on the TV. Creates the person, or updates the one
 * either certificate already belongs to; links both certificates as one card; makes them a member
 * of the household; keeps the signed document as evidence; audits; all in one transaction.
 */
export async function confirmRegistration(deps: IdentityDeps, device: Device, registrationId: string) {
  const pending = await loadPending(deps, device, registrationId, 'verified');
  const p = pending.payload as VerifiedPayload;
  return deps.db.transaction(async (tx) => {
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
          personId, purpose, cardId, lookupKey: p[purpose].lookupKey, rootGeneration: p[purpose].rootGeneration,
          notBefore: new Date(p[purpose].notBefore), notAfter: new Date(p[purpose].notAfter),
        })),
      )
      .onConflictDoNothing({ target: certificates.lookupKey });
    await tx.insert(householdMembers).values({ householdId: pending.householdId, personId }).onConflictDoNothing();
    await tx.update(households).set({ districtId: p.district.id }).where(eq(households.id, pending.householdId));
    await tx.insert(signedDocuments).values({ personId, kind: 'registration', cms: fromBase64(p.cms), signedAt: new Date(p.signedAt) });
    await appendAudit(tx, {
      actor: `device:${device.id}`, action: 'person.registered', subject: personId,
      data: { household: pending.householdId, district: p.district.code, created: !existing },
    });
    await tx.delete(pendingRegistrations).where(eq(pendingRegistrations.id, pending.id));
    return { personId, created: !existing };
  });
}

/** The person said the 基本4情報 are not right: nothing is kept. */
export async function cancelRegistration(deps: IdentityDeps, device: Device, registrationId: string): Promise<void> {
  await deps.db.delete(pendingRegistrations).where(and(eq(pendingRegistrations.id, registrationId), eq(pendingRegistrations.deviceId, device.id)));
}
