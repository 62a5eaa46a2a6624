import { createHash, randomBytes, randomInt } from 'node:crypto';
import { and, asc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { organisations, type Organisation } from '../db/schema/index.js';
import { appendAudit, type AuditActor } from '../identity/audit.js';
import { AppError } from '../shared/errors.js';
import { isRole, ROLES, rolesForeignTo, type Role } from './roles.js';
import { staffInvites, staffMembers, staffSessions, type StaffMember } from './schema.js';

/** NOTIFY channel: a staff member was removed or their roles changed (payload: staff id). */
export const STAFF_CHANGED_CHANNEL = 'staff_changed';

export const hashCode = (code: string) => createHash('sha256').update(code, 'utf8').digest('hex');

/** Letters and digits that cannot be mistaken for each other when read aloud or typed (no 0/O, 1/I/L). */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A one-time invitation code, `XXXX-XXXX-XXXX` (about 59 bits): read out or printed once. */
export function newInviteCode(): string {
  const chars = Array.from({ length: 12 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]!);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8).join('')}`;
}

/** Canonical form of a typed code: upper case, no spaces, hyphens where they belong. */
export function normaliseInviteCode(typed: string): string {
  const bare = typed.toUpperCase().replace(/[\s-]/g, '');
  return bare.length === 12 ? `${bare.slice(0, 4)}-${bare.slice(4, 8)}-${bare.slice(8)}` : bare;
}

/** The organisation an action is for: its id and kind are all these functions need. */
export type OrgRef = Pick<Organisation, 'id' | 'kind'>;


export function checkRoles(kind: Organisation['kind'], roles: readonly string[]): Role[] {
  const unknown = roles.filter((r) => !isRole(r));
  if (unknown.length) throw new AppError('STAFF_ROLE_INVALID', { detail: `unknown role(s): ${unknown.join(', ')}` });
  const valid = [...new Set(roles as Role[])];
  if (!valid.length) throw new AppError('STAFF_ROLE_INVALID', { detail: 'a staff member needs at least one role' });
  const foreign = rolesForeignTo(kind, valid);
  if (foreign.length) throw new AppError('STAFF_ROLE_INVALID', { detail: `not roles of a ${kind}: ${foreign.join(', ')}` });
  return valid;
}

export async function organisationByCode(db: Db, code: string): Promise<Organisation> {
  const [org] = await db.select().from(organisations).where(eq(organisations.code, code));
  if (!org) throw new AppError('REQ_NOT_FOUND', { detail: `no organisation ${code}` });
  return org;
}

export async function organisationById(db: Db, id: string): Promise<Organisation> {
  const [org] = await db.select().from(organisations).where(eq(organisations.id, id));
  if (!org) throw new AppError('REQ_NOT_FOUND', { detail: `no organisation ${id}` });
  return org;
}

export interface InviteInput {
  displayName: string;
  roles: readonly string[];
}

/**
 * Adds a staff member to an organisation and invites them: the code (shown once) is redeemed by
 * their first card login, which binds their card. Audited in the same transaction.
 */
export async function inviteStaff(db: Db, org: OrgRef, input: InviteInput, actor: AuditActor, ttlSeconds: number) {
  const roles = checkRoles(org.kind, input.roles);
  const code = newInviteCode();
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  const staffId = await db.transaction(async (tx) => {
    const [member] = await tx.insert(staffMembers).values({ organisationId: org.id, displayName: input.displayName, roles }).returning();
    await tx.insert(staffInvites).values({ staffId: member!.id, codeHash: hashCode(code), expiresAt });
    await appendAudit(tx, { actor: actor.name, action: 'staff.invited', subject: member!.id, data: { org: org.id, roles: roles.join(',') } });
    return member!.id;
  });
  return { staffId, code, expiresAt: expiresAt.toISOString() };
}

/** A fresh invitation for someone not yet enrolled (the first code was lost or expired). */
export async function reinviteStaff(db: Db, orgId: string, staffId: string, actor: AuditActor, ttlSeconds: number) {
  const member = await staffOf(db, orgId, staffId);
  if (member.certLookupKey) throw new AppError('STAFF_ALREADY_ENROLLED');
  const code = newInviteCode();
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  await db.transaction(async (tx) => {
    await tx.update(staffInvites).set({ expiresAt: new Date() }).where(and(eq(staffInvites.staffId, staffId), isNull(staffInvites.redeemedAt)));
    await tx.insert(staffInvites).values({ staffId, codeHash: hashCode(code), expiresAt });
    await appendAudit(tx, { actor: actor.name, action: 'staff.reinvited', subject: staffId, data: { org: orgId } });
  });
  return { staffId, code, expiresAt: expiresAt.toISOString() };
}

/** One live staff member of this organisation; another organisation's is out of scope. */
export async function staffOf(db: Db, orgId: string, staffId: string): Promise<StaffMember> {
  const [member] = await db.select().from(staffMembers).where(and(eq(staffMembers.id, staffId), isNull(staffMembers.removedAt)));
  if (!member) throw new AppError('REQ_NOT_FOUND', { detail: `no staff member ${staffId}` });
  if (member.organisationId !== orgId) throw new AppError('STAFF_OUT_OF_SCOPE');
  return member;
}

export async function listStaff(db: Db, orgId: string) {
  const rows = await db
    .select({ id: staffMembers.id, displayName: staffMembers.displayName, roles: staffMembers.roles, certLookupKey: staffMembers.certLookupKey, createdAt: staffMembers.createdAt })
    .from(staffMembers)
    .where(and(eq(staffMembers.organisationId, orgId), isNull(staffMembers.removedAt)))
    .orderBy(asc(staffMembers.createdAt));
  return rows.map(({ certLookupKey, createdAt, ...row }) => ({ ...row, enrolled: certLookupKey !== null, createdAt: createdAt.toISOString() }));
}

/** Ends every open session of a staff member and tells every process (live channels close). */
async function endStaffSessions(tx: Pick<Db, 'update' | 'execute'>, staffId: string): Promise<number> {
  const ended = await tx.update(staffSessions).set({ endedAt: new Date() })
    .where(and(eq(staffSessions.staffId, staffId), isNull(staffSessions.endedAt))).returning({ id: staffSessions.id });
  await tx.execute(sql`select pg_notify(${STAFF_CHANGED_CHANNEL}, ${staffId})`);
  return ended.length;
}

/**
 * The organisation must keep someone who can log in and manage its staff: taking away its last
 * enrolled admin (removing them, or their admin role) would lock it out of its own console. An
 * admin who has not redeemed their invitation does not count: they may never do so. A change to
 * anyone who is not an enrolled admin takes no admin away, so it is always allowed.
 * It runs first in the change's transaction and takes a lock per organisation, so of two admins
 * removing or demoting each other at once the second waits for the first to commit and then reads
 * its change (without the lock, under READ COMMITTED, both saw the other still there and went ahead).
 */
async function keepsAnAdmin(tx: Pick<Db, 'select' | 'execute'>, org: OrgRef, staffId: string, rolesAfter: readonly Role[]): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`staff-admins:${org.id}`}, 0))`);
  const manages = (roles: readonly string[]) => roles.some((r) => isRole(r) && ROLES[r].permissions.some((p) => p === 'staff.manage'));
  const admins = (await tx.select({ id: staffMembers.id, roles: staffMembers.roles }).from(staffMembers)
    .where(and(eq(staffMembers.organisationId, org.id), isNull(staffMembers.removedAt), isNotNull(staffMembers.certLookupKey))))
    .filter((m) => manages(m.roles));
  const losesOne = admins.some((m) => m.id === staffId) && !manages(rolesAfter);
  if (losesOne && admins.length === 1) throw new AppError('STAFF_LAST_ADMIN');
}

/** New roles for a staff member; their sessions end at once, so the new roles apply from the next login. */
export async function changeStaffRoles(db: Db, org: OrgRef, staffId: string, roles: readonly string[], actor: AuditActor) {
  const next = checkRoles(org.kind, roles);
  await staffOf(db, org.id, staffId);
  return db.transaction(async (tx) => {
    await keepsAnAdmin(tx, org, staffId, next);
    await tx.update(staffMembers).set({ roles: next }).where(eq(staffMembers.id, staffId));
    const sessionsEnded = await endStaffSessions(tx, staffId);
    await appendAudit(tx, { actor: actor.name, action: 'staff.roles_changed', subject: staffId, data: { org: org.id, roles: next.join(','), sessionsEnded } });
    return { staffId, roles: next, sessionsEnded };
  });
}

/** Removes a staff member: their card no longer logs in and their sessions end at once, everywhere. */
export async function removeStaff(db: Db, org: OrgRef, staffId: string, actor: AuditActor) {
  await staffOf(db, org.id, staffId);
  return db.transaction(async (tx) => {
    await keepsAnAdmin(tx, org, staffId, []);
    await tx.update(staffMembers).set({ removedAt: new Date() }).where(eq(staffMembers.id, staffId));
    await tx.update(staffInvites).set({ expiresAt: new Date() }).where(and(eq(staffInvites.staffId, staffId), isNull(staffInvites.redeemedAt)));
    const sessionsEnded = await endStaffSessions(tx, staffId);
    await appendAudit(tx, { actor: actor.name, action: 'staff.removed', subject: staffId, data: { org: org.id, sessionsEnded } });
    return { staffId, removed: true, sessionsEnded };
  });
}

/** A random session token, returned once and stored only as its hash. */
export function newStaffToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashCode(token) };
}
