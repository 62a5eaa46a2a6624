import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { organisations, type Organisation } from '../db/schema/index.js';
import { appendAudit } from '../identity/audit.js';
import { challengeMessage } from '../identity/challenge.js';
import type { IdentityDeps } from '../identity/deps.js';
import { checkCardAnswer } from '../identity/card-challenge.js';
import { keepRevocationEvidence } from '../identity/revocation-evidence.js';
import { burnNonce, issueNonce } from '../identity/nonces.js';
import { digestInfoForMessage } from '../shared/digest-info.js';
import { toBase64 } from '../shared/base64.js';
import { AppError } from '../shared/errors.js';
import { isRole, permissionsOf, type Permission, type Role } from './roles.js';
import { staffInvites, staffMembers, staffSessions, type StaffMember } from './schema.js';
import { hashCode, newStaffToken, normaliseInviteCode } from './staff.js';

/** How long console sessions live: idle (each request extends it) and at most. */
export interface StaffSessionPolicy {
  idleSeconds: number;
  maxSeconds: number;
}

/**
 * A staff login challenge for one console tab. The tab's random id stands where a TV's device id
 * stands, so a signature made for one tab cannot be replayed in another, nor at a TV.
 */
export function startStaffChallenge(deps: IdentityDeps, clientId: string) {
  const { nonce, expiresAt } = issueNonce(deps.config.nonceSecret, clientId, 'staff-login', deps.config.nonceTtlSeconds);
  return {
    nonce,
    digestInfo: toBase64(digestInfoForMessage(challengeMessage(nonce, 'staff-login', clientId))),
    expiresAt: expiresAt.toISOString(),
  };
}

export interface StaffLoginInput {
  clientId: string;
  nonce: string;
  certificate: string;
  signature: string;
  /** On the first login only: the invitation code, which binds this card to the staff member. */
  inviteCode?: string | undefined;
}

/** What the console knows about its caller after every authenticated request. */
export interface StaffContext {
  sessionId: string;
  staff: Pick<StaffMember, 'id' | 'displayName'> & { roles: Role[] };
  organisation: Pick<Organisation, 'id' | 'kind' | 'code' | 'name'>;
  permissions: Set<Permission>;
  idleExpiresAt: Date;
}

/**
 * High-assurance staff login: nonce seal, auth certificate chain, signature and revocation (good
 * only), then the card must belong to a live staff member — or redeem an invitation, which binds
 * it. Every refusal has its own code; every attempt uses the nonce up. The audit entry says which
 * revocation source decided and names the signed OCSP response kept as evidence when OCSP did.
 */
export async function staffLogin(deps: IdentityDeps, policy: StaffSessionPolicy, input: StaffLoginInput) {
  // The same check as a TV login's (nonce seal and tab, chain, signature, revocation good); a
  // refused answer uses the nonce up there, an accepted one here, and a replay is reported first.
  const { nonce, lookupKey, revocation } = await checkCardAnswer(deps, input.clientId, 'staff-login', input, 'staff-login');
  if (!(await burnNonce(deps.db, nonce))) throw new AppError('AUTH_NONCE_REPLAYED');

  const { token, tokenHash } = newStaffToken();
  const now = Date.now();
  const expiresAt = new Date(now + policy.maxSeconds * 1000);
  const staffId = await deps.db.transaction(async (tx) => {
    let member: StaffMember | undefined;
    if (input.inviteCode) member = await redeemInvite(tx, input.inviteCode, lookupKey);
    else {
      [member] = await tx.select().from(staffMembers).where(and(eq(staffMembers.certLookupKey, lookupKey), isNull(staffMembers.removedAt)));
      if (!member) throw new AppError('STAFF_NOT_ENROLLED');
    }
    await tx.insert(staffSessions).values({ tokenHash, staffId: member.id, expiresAt });
    // Which source said the card was good, and OCSP's signed response when it did (by its hash).
    const evidence = await keepRevocationEvidence(tx, revocation);
    await appendAudit(tx, { actor: `staff:${member.id}`, action: input.inviteCode ? 'staff.enrolled' : 'staff.login', subject: member.id, data: { org: member.organisationId, ...evidence } });
    return member.id;
  });
  const context = await sessionContext(deps.db, tokenHash, policy, false);
  if (!context || context.staff.id !== staffId) throw new Error('staff session vanished right after it was opened');
  return { token, ...describe(context), expiresAt: expiresAt.toISOString() };
}

async function redeemInvite(tx: Pick<Db, 'select' | 'update'>, typed: string, lookupKey: string): Promise<StaffMember> {
  const [row] = await tx.select({ invite: staffInvites, member: staffMembers }).from(staffInvites)
    .innerJoin(staffMembers, eq(staffMembers.id, staffInvites.staffId))
    .where(eq(staffInvites.codeHash, hashCode(normaliseInviteCode(typed))));
  if (!row || row.invite.redeemedAt || row.invite.expiresAt.getTime() <= Date.now() || row.member.removedAt) {
    throw new AppError('STAFF_INVITE_INVALID');
  }
  if (row.member.certLookupKey) throw new AppError('STAFF_ALREADY_ENROLLED');
  const [holder] = await tx.select({ id: staffMembers.id }).from(staffMembers)
    .where(and(eq(staffMembers.certLookupKey, lookupKey), isNull(staffMembers.removedAt)));
  if (holder) throw new AppError('STAFF_CARD_IN_USE');
  // The redeemed_at guard makes a race between two redemptions of one code end with one winner.
  const [redeemed] = await tx.update(staffInvites).set({ redeemedAt: new Date() })
    .where(and(eq(staffInvites.id, row.invite.id), isNull(staffInvites.redeemedAt))).returning({ id: staffInvites.id });
  if (!redeemed) throw new AppError('STAFF_INVITE_INVALID');
  const [member] = await tx.update(staffMembers).set({ certLookupKey: lookupKey }).where(eq(staffMembers.id, row.member.id)).returning();
  return member!;
}

const TOKEN = /^Bearer ([A-Za-z0-9_-]{40,60})$/;

/**
 * The staff member behind `Authorization: Bearer <token>`. Ended, expired, idle or removed →
 * AUTH_SESSION_EXPIRED; every success moves the idle deadline (one UPDATE that also checks, so a
 * session ended by a removal in another process is refused here on its very next request).
 */
export async function authenticateStaff(db: Db, header: string | undefined, policy: StaffSessionPolicy): Promise<StaffContext> {
  const match = TOKEN.exec(header ?? '');
  if (!match) throw new AppError('AUTH_REQUIRED');
  const context = await sessionContext(db, hashCode(match[1]!), policy, true);
  if (!context) throw new AppError('AUTH_SESSION_EXPIRED');
  return context;
}

async function sessionContext(db: Db, tokenHash: string, policy: StaffSessionPolicy, touch: boolean): Promise<StaffContext | null> {
  const idleFloor = new Date(Date.now() - policy.idleSeconds * 1000);
  const live = and(eq(staffSessions.tokenHash, tokenHash), isNull(staffSessions.endedAt), gt(staffSessions.expiresAt, sql`now()`), gt(staffSessions.lastSeenAt, idleFloor));
  const [session] = touch
    ? await db.update(staffSessions).set({ lastSeenAt: new Date() }).where(live).returning()
    : await db.select().from(staffSessions).where(live);
  if (!session) return null;
  const [row] = await db.select({ member: staffMembers, org: organisations }).from(staffMembers)
    .innerJoin(organisations, eq(organisations.id, staffMembers.organisationId))
    .where(and(eq(staffMembers.id, session.staffId), isNull(staffMembers.removedAt)));
  if (!row) return null;
  const roles = row.member.roles.filter(isRole);
  return {
    sessionId: session.id,
    staff: { id: row.member.id, displayName: row.member.displayName, roles },
    organisation: { id: row.org.id, kind: row.org.kind, code: row.org.code, name: row.org.name },
    permissions: permissionsOf(roles),
    idleExpiresAt: new Date(session.lastSeenAt.getTime() + policy.idleSeconds * 1000),
  };
}

/** The console's view of a session (what `GET /api/v1/console/me` answers). */
export function describe(context: StaffContext) {
  return {
    staff: context.staff,
    organisation: context.organisation,
    permissions: [...context.permissions].sort(),
    idleExpiresAt: context.idleExpiresAt.toISOString(),
  };
}

export async function endStaffSession(db: Db, sessionId: string): Promise<void> {
  await db.update(staffSessions).set({ endedAt: new Date() }).where(and(eq(staffSessions.id, sessionId), isNull(staffSessions.endedAt)));
}
