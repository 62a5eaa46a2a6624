import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../platform/src/db/client.js';
import { organisations } from '../../platform/src/db/schema/index.js';
import type { JpkiContext } from '../../platform/src/jpki/index.js';
import { staffMembers, staffSessions } from '../../platform/src/staff/schema.js';
import { hashCode, newStaffToken } from '../../platform/src/staff/staff.js';
import type { CardInReader } from './card-in-reader.js';

export async function orgId(db: Db, code: string): Promise<string> {
  const [org] = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.code, code));
  if (!org) throw new Error(`no organisation ${code} in the test world`);
  return org.id;
}

/** A staff member bound to a card (what redeeming an invitation does). */
export async function enrolStaff(db: Db, jpki: JpkiContext, org: string, roles: string[], card: CardInReader, displayName = 'テスト職員'): Promise<string> {
  const chain = await jpki.verify(jpki.parse(await card.authCertificate()), 'auth');
  const [member] = await db.insert(staffMembers).values({ organisationId: org, displayName, roles, certLookupKey: jpki.lookupKeyOf(chain) }).returning();
  return member!.id;
}

/**
 * A staff member with an open session, made directly in the database: for tests of what the
 * console allows (scope, roles), which are not about logging in. Login itself is tested with cards.
 */
export async function staffWithSession(db: Db, org: string, roles: string[], displayName = 'テスト職員') {
  const [member] = await db.insert(staffMembers).values({ organisationId: org, displayName, roles }).returning();
  const { token, tokenHash } = newStaffToken();
  await db.insert(staffSessions).values({ tokenHash, staffId: member!.id, expiresAt: new Date(Date.now() + 3600_000) });
  return { staffId: member!.id, token, authorization: `Bearer ${token}`, tokenHash: hashCode(token) };
}

/** The console's card login through the API: challenge → the card's auth signature → session. */
export async function consoleLogin(app: FastifyInstance, card: CardInReader, pin: string, inviteCode?: string) {
  const clientId = randomUUID();
  const challenge = await app.inject({ method: 'POST', url: '/api/v1/console/nonces', payload: { clientId } });
  if (challenge.statusCode !== 201) throw new Error(`nonce: ${challenge.body}`);
  const { nonce, digestInfo } = challenge.json() as { nonce: string; digestInfo: string };
  const signed = await card.sign('auth', pin, digestInfo);
  const res = await app.inject({
    method: 'POST', url: '/api/v1/console/sessions',
    payload: { clientId, nonce, certificate: signed.certificate, signature: signed.signature, ...(inviteCode ? { inviteCode } : {}) },
  });
  return { res, status: res.statusCode, body: res.json(), clientId, nonce, signed };
}
