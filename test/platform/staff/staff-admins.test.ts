import { randomUUID } from 'node:crypto';
import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { organisations } from '../../../platform/src/db/schema/index.js';
import { staffMembers } from '../../../platform/src/staff/schema.js';
import { buildTestApp } from '../../helpers/app.js';
import { orgId, staffWithSession } from '../../helpers/staff.js';

/**
 * Who may change whose roles, and that an organisation always keeps an enrolled admin: even when
 * two admins act at the same moment (run on PostgreSQL with DATABASE_URL, where the two requests'
 * transactions really overlap; PGlite runs one at a time).
 */

const t = await buildTestApp({}, { demo: true });
const db = t.database.db;

const call = (method: 'PUT' | 'DELETE', url: string, authorization: string, payload?: object) =>
  t.app.inject({ method, url: `/api/v1/console${url}`, headers: { authorization }, ...(payload ? { payload } : {}) });

/** A staff member with a session whose card is enrolled (a lookup key of its own, as redeeming an invitation leaves it). */
async function enrolled(org: string, roles: string[]) {
  const member = await staffWithSession(db, org, roles);
  await db.update(staffMembers).set({ certLookupKey: `test-card-${randomUUID()}` }).where(eq(staffMembers.id, member.staffId));
  return member;
}

/** A new insurer with two enrolled admins and nobody else. */
async function insurerWithTwoAdmins() {
  const [org] = await db.insert(organisations).values({ kind: 'insurer', code: `admins-${randomUUID().slice(0, 8)}`, name: '管理者生命' }).returning();
  return { org: org!.id, a: await enrolled(org!.id, ['insurer.admin']), b: await enrolled(org!.id, ['insurer.admin']) };
}

const enrolledAdmins = async (org: string) =>
  (await db.select().from(staffMembers).where(and(eq(staffMembers.organisationId, org), isNull(staffMembers.removedAt), isNotNull(staffMembers.certLookupKey))))
    .filter((m) => m.roles.some((r) => r.endsWith('.admin')));

describe('two admins acting on each other at once', () => {
  // Before the lock, 9 of 10 rounds on PostgreSQL answered both 200 and left no admin.
  const ROUNDS = 5;

  /**
   * Exactly one change is made. The other is refused: STAFF_LAST_ADMIN when it ran after the first
   * (it waited for the lock), or the session ended (401) when the first committed before its
   * session was even checked, since each change ends its target's sessions.
   */
  async function oneWins(org: string, answers: { statusCode: number; json(): { error?: { code: string } } }[], round: number) {
    expect(answers.map((r) => r.statusCode).filter((s) => s === 200), `round ${round}`).toHaveLength(1);
    const refused = answers.find((r) => r.statusCode !== 200)!;
    expect(['STAFF_LAST_ADMIN', 'AUTH_SESSION_EXPIRED'], `round ${round}`).toContain(refused.json().error?.code);
    expect(await enrolledAdmins(org)).toHaveLength(1);
  }

  it('removing each other: one is removed, the other refused', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { org, a, b } = await insurerWithTwoAdmins();
      await oneWins(org, await Promise.all([call('DELETE', `/staff/${b.staffId}`, a.authorization), call('DELETE', `/staff/${a.staffId}`, b.authorization)]), round);
    }
  });

  it('taking the admin role from each other: one keeps it', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { org, a, b } = await insurerWithTwoAdmins();
      const clerk = { roles: ['insurer.clerk'] };
      await oneWins(org, await Promise.all([call('PUT', `/staff/${b.staffId}/roles`, a.authorization, clerk), call('PUT', `/staff/${a.staffId}/roles`, b.authorization, clerk)]), round);
    }
  });
});

describe('own roles', () => {
  it('an admin cannot give themself a role (evacuee names), in either case of the id; another admin can', async () => {
    const nanto = await orgId(db, '162108');
    const admin = await enrolled(nanto, ['municipality.admin']);
    const colleague = await enrolled(nanto, ['municipality.admin']);
    const more = { roles: ['municipality.admin', 'municipality.disaster'] };
    for (const id of [admin.staffId, admin.staffId.toUpperCase()]) {
      const res = await call('PUT', `/staff/${id}/roles`, admin.authorization, more);
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toMatchObject({ code: 'STAFF_OWN_ROLES', ja: '自分の役割は変更できません。ほかの管理者に依頼してください。' });
    }
    const [unchanged] = await db.select().from(staffMembers).where(eq(staffMembers.id, admin.staffId));
    expect(unchanged!.roles).toEqual(['municipality.admin']);

    expect((await call('PUT', `/staff/${admin.staffId}/roles`, colleague.authorization, more)).statusCode).toBe(200);
  });

  it('an admin may still remove themself while another enrolled admin remains', async () => {
    const { org, a } = await insurerWithTwoAdmins();
    expect((await call('DELETE', `/staff/${a.staffId}`, a.authorization)).statusCode).toBe(200);
    expect(await enrolledAdmins(org)).toHaveLength(1);
  });
});

describe('an invitation nobody redeemed', () => {
  it('does not count as an admin: the last enrolled admin cannot remove themself until the invitee enrols', async () => {
    const [org] = await db.insert(organisations).values({ kind: 'insurer', code: `invite-${randomUUID().slice(0, 8)}`, name: '招待生命' }).returning();
    const admin = await enrolled(org!.id, ['insurer.admin']);
    const invite = await t.app.inject({ method: 'POST', url: '/api/v1/console/staff/invites', headers: { authorization: admin.authorization }, payload: { displayName: '未登録 次郎', roles: ['insurer.admin'] } });
    expect(invite.statusCode).toBe(201);

    const refused = await call('DELETE', `/staff/${admin.staffId}`, admin.authorization);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('STAFF_LAST_ADMIN');

    // The invitee redeems the code (their card is bound): now the organisation keeps an admin.
    await db.update(staffMembers).set({ certLookupKey: `test-card-${randomUUID()}` }).where(eq(staffMembers.id, invite.json().staffId));
    expect((await call('DELETE', `/staff/${admin.staffId}`, admin.authorization)).statusCode).toBe(200);
  });
});
