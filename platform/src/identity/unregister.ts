import { and, eq, isNull, sql } from 'drizzle-orm';
import { certificates, householdMembers, persons, serviceUids, sessions, signedDocuments } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';
import { appendAudit } from './audit.js';
import { checkCardAnswer, type CardAnswer } from './card-challenge.js';
import type { IdentityDeps } from './deps.js';
import { burnNonce } from './nonces.js';
import type { authenticateSession } from './sessions.js';

type SessionRow = Awaited<ReturnType<typeof authenticateSession>>;


/** What cancelling a registration undid, for the TV to tell the person. */
export interface Unregistered {
  personId: string;
  servicesUnlinked: number;
  sessionsEnded: number;
}

/**
 * The person cancels their own registration (the consent promises they can, at any time). A
 * session alone is not enough: the card is asked again (high assurance, the auth key over a fresh
 * `unregister` nonce of this TV), and it must be the logged-in person's own card. Then, in one
 * transaction: the 基本4情報 and consent are erased, the card's certificates and the signed
 * registration documents (their certificate carries the 基本4情報) are deleted, every household
 * membership ends, every service link is retired (the providers' UIDs are dead for good), every
 * session of the person ends, on every device — and the audit log records that it happened,
 * without personal data. The person row stays as an empty shell, so the audit entries still name
 * a row; a later registration with the same card creates a new person.
 */
export async function unregister(deps: IdentityDeps, auth: SessionRow & { device: { id: string } }, input: CardAnswer): Promise<Unregistered> {
  const { device, person } = auth;
  // The card proves its presence as at a login, under the login's revocation policy.
  const { nonce, lookupKey } = await checkCardAnswer(deps, device.id, 'unregister', input, 'login');
  // Burnt before anything else: an answer is good for one attempt, whatever that attempt finds.
  if (!(await burnNonce(deps.db, nonce))) throw new AppError('AUTH_NONCE_REPLAYED');

  return deps.db.transaction(async (tx) => {
    const [card] = await tx.select({ personId: certificates.personId, status: certificates.status })
      .from(certificates).where(eq(certificates.lookupKey, lookupKey));
    if (!card) throw new AppError('AUTH_NOT_REGISTERED');
    if (card.personId !== person.id) throw new AppError('AUTH_CARD_NOT_YOURS');
    if (card.status !== 'good') throw new AppError('PKI_REVOKED', { detail: `certificate is ${card.status} in the platform` });

    const now = new Date();
    await tx.update(persons)
      .set({ name: null, dateOfBirth: null, gender: null, address: null, consentedAt: null, updatedAt: now })
      .where(eq(persons.id, person.id));
    await tx.delete(certificates).where(eq(certificates.personId, person.id));
    await tx.delete(signedDocuments).where(eq(signedDocuments.personId, person.id));
    await tx.update(householdMembers).set({ leftAt: now })
      .where(and(eq(householdMembers.personId, person.id), isNull(householdMembers.leftAt)));
    const unlinked = await tx.update(serviceUids).set({ unlinkedAt: now })
      .where(and(eq(serviceUids.personId, person.id), isNull(serviceUids.unlinkedAt))).returning({ uid: serviceUids.uid });
    const ended = await tx.update(sessions).set({ endedAt: now })
      .where(and(eq(sessions.personId, person.id), isNull(sessions.endedAt), sql`${sessions.expiresAt} > ${now}`)).returning({ id: sessions.id });
    await appendAudit(tx, {
      actor: `person:${person.id}`, action: 'person.unregistered', subject: person.id,
      data: { device: device.id, servicesUnlinked: unlinked.length, sessionsEnded: ended.length },
    });
    return { personId: person.id, servicesUnlinked: unlinked.length, sessionsEnded: ended.length };
  });
}
