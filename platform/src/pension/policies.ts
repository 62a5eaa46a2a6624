import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { persons, serviceProviders, serviceUids } from '../db/schema/index.js';
import { appendAudit } from '../identity/audit.js';
import { linkService } from '../identity/service-links.js';
import { AppError } from '../shared/errors.js';
import { fanOutToPolicy } from './campaigns.js';
import type { InsurerActor } from './insurer-actor.js';
import { hashLinkCode, newLinkCode, normaliseLinkCode, refuseCode, requireTriesLeft } from './link-codes.js';
import { pensionPolicies } from './schema.js';

export type { InsurerActor };

export interface LinkSettings {
  secret: string;
  ttlSeconds: number;
}

export interface NewPolicy {
  policyRef: string;
  dueMonth: number;
}

/** A policy as the insurer sees it: its UID of the person only, 基本4情報 only if the resident ticked it. */
export interface PolicyView {
  id: string;
  policyRef: string;
  dueMonth: number;
  linked: boolean;
  serviceUid: string | null;
  basic4: Basic4 | null;
  linkedAt: string | null;
  linkCodeExpiresAt: string | null;
  /** 'changed' when the linked person's sign certificate was revoked (moved, renamed, lost…; never "deceased"). */
  certificateStatus: 'good' | 'changed' | null;
}

export interface Basic4 {
  name: string;
  dateOfBirth: string;
  gender: string;
  address: string;
}

const POLICY_REF = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

/** Checks one policy line; REQ_INVALID names what is wrong (with `where` for a CSV line). */
export function checkPolicy(input: { policyRef: unknown; dueMonth: unknown }, where = ''): NewPolicy {
  const ref = typeof input.policyRef === 'string' ? input.policyRef.trim() : '';
  if (!POLICY_REF.test(ref)) throw new AppError('REQ_INVALID', { detail: `${where}policy reference must be 1–40 letters, digits, - or _` });
  const month = typeof input.dueMonth === 'number' ? input.dueMonth : Number(String(input.dueMonth).trim());
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new AppError('REQ_INVALID', { detail: `${where}due month must be 1–12` });
  return { policyRef: ref, dueMonth: month };
}

/** `policyRef,dueMonth` lines (a header line naming them is skipped); at most 5000. */
export function parsePolicyCsv(text: string): NewPolicy[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines[0] && /policy/i.test(lines[0])) lines.shift();
  if (!lines.length) throw new AppError('REQ_INVALID', { detail: 'the CSV has no policies' });
  if (lines.length > 5000) throw new AppError('REQ_INVALID', { detail: 'at most 5000 policies per upload' });
  const seen = new Set<string>();
  return lines.map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== 2) throw new AppError('REQ_INVALID', { detail: `line ${i + 1}: expected policyRef,dueMonth` });
    const policy = checkPolicy({ policyRef: cells[0], dueMonth: cells[1] }, `line ${i + 1}: `);
    if (seen.has(policy.policyRef)) throw new AppError('REQ_INVALID', { detail: `line ${i + 1}: ${policy.policyRef} appears twice` });
    seen.add(policy.policyRef);
    return policy;
  });
}

/**
 * Registers policies, each with a fresh link code, in one transaction (all or none). The codes
 * are answered here once and never again: only their hashes are kept.
 */
export async function registerPolicies(db: Db, actor: InsurerActor, policies: NewPolicy[], link: LinkSettings, now = new Date()) {
  const expiresAt = new Date(now.getTime() + link.ttlSeconds * 1000);
  return db.transaction(async (tx) => {
    const taken = await tx.select({ ref: pensionPolicies.policyRef }).from(pensionPolicies).where(eq(pensionPolicies.providerId, actor.providerId));
    const existing = new Set(taken.map((t) => t.ref));
    const clash = policies.find((p) => existing.has(p.policyRef));
    if (clash) throw new AppError('REQ_INVALID', { detail: `policy ${clash.policyRef} is already registered` });
    const codes = policies.map(() => newLinkCode());
    const rows = await tx.insert(pensionPolicies).values(policies.map((p, i) => ({
      providerId: actor.providerId, policyRef: p.policyRef, dueMonth: p.dueMonth, linkCodeHash: hashLinkCode(link.secret, codes[i]!), linkCodeExpiresAt: expiresAt,
    }))).returning({ id: pensionPolicies.id, policyRef: pensionPolicies.policyRef, dueMonth: pensionPolicies.dueMonth });
    await appendAudit(tx, { actor: `staff:${actor.staffId}`, action: 'pension.policies_registered', subject: actor.providerId, data: { org: actor.organisationId, count: rows.length } });
    return rows.map((r, i) => ({ ...r, linkCode: codes[i]!, linkCodeExpiresAt: expiresAt.toISOString() }));
  });
}

/** A new link code for a policy not linked now (the old code stops working). */
export async function reissueLinkCode(db: Db, actor: InsurerActor, policyId: string, link: LinkSettings, now = new Date()) {
  const policy = await ownPolicy(db, actor, policyId);
  if (policy.serviceUid && (await currentLink(db, policy.serviceUid))) throw new AppError('REQ_INVALID', { detail: 'the policy is linked; the resident unlinks it on the TV first' });
  const code = newLinkCode();
  const expiresAt = new Date(now.getTime() + link.ttlSeconds * 1000);
  await db.transaction(async (tx) => {
    await tx.update(pensionPolicies).set({ linkCodeHash: hashLinkCode(link.secret, code), linkCodeExpiresAt: expiresAt }).where(eq(pensionPolicies.id, policy.id));
    await appendAudit(tx, { actor: `staff:${actor.staffId}`, action: 'pension.link_code_issued', subject: policy.id, data: { org: actor.organisationId } });
  });
  return { policyId: policy.id, linkCode: code, linkCodeExpiresAt: expiresAt.toISOString() };
}

/** A policy of the actor's provider; another insurer's is STAFF_OUT_OF_SCOPE, none REQ_NOT_FOUND. */
export async function ownPolicy(db: Db, actor: InsurerActor, policyId: string) {
  const [row] = await db.select({ policy: pensionPolicies, org: serviceProviders.organisationId }).from(pensionPolicies)
    .innerJoin(serviceProviders, eq(serviceProviders.id, pensionPolicies.providerId)).where(eq(pensionPolicies.id, policyId));
  if (!row) throw new AppError('REQ_NOT_FOUND', { detail: 'no such policy' });
  if (row.org !== actor.organisationId || row.policy.providerId !== actor.providerId) throw new AppError('STAFF_OUT_OF_SCOPE');
  return row.policy;
}

/** The live link behind a UID (null once the resident unlinked). */
async function currentLink(db: Db, uid: string) {
  const [row] = await db.select().from(serviceUids).where(and(eq(serviceUids.uid, uid), isNull(serviceUids.unlinkedAt)));
  return row ?? null;
}

/** The provider's policies, as the insurer sees them. */
export async function policiesOf(db: Db, providerId: string): Promise<PolicyView[]> {
  const rows = await db.select({ policy: pensionPolicies, link: serviceUids, status: persons.status }).from(pensionPolicies)
    .leftJoin(serviceUids, and(eq(serviceUids.uid, pensionPolicies.serviceUid), isNull(serviceUids.unlinkedAt)))
    .leftJoin(persons, eq(persons.id, serviceUids.personId))
    .where(eq(pensionPolicies.providerId, providerId)).orderBy(asc(pensionPolicies.policyRef));
  return rows.map(({ policy, link, status }) => ({
    id: policy.id, policyRef: policy.policyRef, dueMonth: policy.dueMonth,
    linked: Boolean(link), serviceUid: link ? policy.serviceUid : null,
    basic4: link && policy.sharesBasic4 ? (policy.basic4 as Basic4) : null,
    linkedAt: link && policy.linkedAt ? policy.linkedAt.toISOString() : null,
    linkCodeExpiresAt: !link && policy.linkCodeHash && policy.linkCodeExpiresAt ? policy.linkCodeExpiresAt.toISOString() : null,
    certificateStatus: link ? (status === 'needs_reconfirmation' ? 'changed' : 'good') : null,
  }));
}

/** The policy an unused, unexpired code names; a wrong code counts against the TV. */
async function policyByCode(db: Db, deviceId: string, typed: string, secret: string, now: Date) {
  await requireTriesLeft(db, deviceId, now);
  if (!normaliseLinkCode(typed)) return refuseCode(db, deviceId, now);
  const [row] = await db.select({ policy: pensionPolicies, provider: serviceProviders }).from(pensionPolicies)
    .innerJoin(serviceProviders, eq(serviceProviders.id, pensionPolicies.providerId))
    .where(eq(pensionPolicies.linkCodeHash, hashLinkCode(secret, typed)));
  if (!row || !row.policy.linkCodeExpiresAt || row.policy.linkCodeExpiresAt <= now) return refuseCode(db, deviceId, now);
  return row;
}

/**
 * What the TV shows before consent: which insurer, which policy, and exactly what it will receive
 * — its own UID for this person (the current one if already linked to it, else a new one) and the
 * 基本4情報 only if ticked; and what each 現況確認届 signed later gives it: the sign certificate
 * that verifies the signature, which states the 基本4情報 whatever was ticked.
 */
export async function previewLink(db: Db, who: { deviceId: string; personId: string }, code: string, secret: string, now = new Date()) {
  const { policy, provider } = await policyByCode(db, who.deviceId, code, secret, now);
  const [existing] = await db.select().from(serviceUids)
    .where(and(eq(serviceUids.personId, who.personId), eq(serviceUids.providerId, provider.id), isNull(serviceUids.unlinkedAt)));
  return {
    insurer: { providerId: provider.id, name: provider.name },
    policyRef: policy.policyRef, dueMonth: policy.dueMonth,
    serviceUid: existing?.uid ?? null,
    receives: ['serviceUid', 'policyRef'] as string[],
    receivesWhenSigning: ['document', 'signCertificate', 'basic4'] as string[],
    mayShareBasic4: true,
  };
}

/** How recent the card login must be for it to count as consent to this link. */
export const CONSENT_LOGIN_MAX_AGE_SECONDS = 5 * 60;

/**
 * Links the policy to the person: consent is a card login made just now (the session's start).
 * The provider's UID (issued now, or the current one), the 基本4情報 snapshot if ticked, the code
 * used up, and inbox items for the provider's open campaigns that cover this policy.
 */
export async function linkPolicy(db: Db, who: { deviceId: string; personId: string; sessionCreatedAt: Date }, input: { code: string; shareBasic4: boolean }, secret: string, now = new Date()) {
  if (now.getTime() - who.sessionCreatedAt.getTime() > CONSENT_LOGIN_MAX_AGE_SECONDS * 1000) throw new AppError('PENSION_CONSENT_STALE');
  const { policy, provider } = await policyByCode(db, who.deviceId, input.code, secret, now);
  const link = await linkService(db, who.personId, provider.id);
  const [person] = await db.select().from(persons).where(eq(persons.id, who.personId));
  const basic4 = input.shareBasic4 && person?.name
    ? { name: person.name, dateOfBirth: person.dateOfBirth ?? '', gender: person.gender ?? '', address: person.address ?? '' }
    : null;
  return db.transaction(async (tx) => {
    const used = await tx.update(pensionPolicies)
      .set({ serviceUid: link.uid, sharesBasic4: Boolean(basic4), basic4, linkedAt: now, linkCodeHash: null, linkCodeExpiresAt: null })
      .where(and(eq(pensionPolicies.id, policy.id), eq(pensionPolicies.linkCodeHash, policy.linkCodeHash!)))
      .returning({ id: pensionPolicies.id });
    if (!used.length) throw new AppError('PENSION_LINK_CODE_INVALID', { details: { triesLeft: 0 }, detail: 'the code was used meanwhile' });
    await appendAudit(tx, { actor: `person:${who.personId}`, action: 'pension.policy_linked', subject: policy.id, data: { provider: provider.id, basic4: Boolean(basic4) } });
    await fanOutToPolicy(tx, { ...policy, serviceUid: link.uid }, who.personId, now);
    return { policyId: policy.id, policyRef: policy.policyRef, insurer: { providerId: provider.id, name: provider.name }, serviceUid: link.uid, sharesBasic4: Boolean(basic4), linkedAt: now.toISOString() };
  });
}
