import { eq, sql } from 'drizzle-orm';
import { certificates, householdMembers, households, persons, type Device } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { digestInfoSha256, requireGood } from '../jpki/index.js';
import { prepared } from '../db/prepared.js';
import { challengeMessage, type ChallengePurpose } from './challenge.js';
import type { IdentityDeps } from './deps.js';
import { membersJson } from './household.js';
import { consumeNonce, issueNonce } from './nonces.js';
import { createSession } from './sessions.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** A nonce and the exact DigestInfo the card must sign for it on this device. */
export async function startChallenge(deps: IdentityDeps, device: Device, purpose: ChallengePurpose) {
  const { nonce, expiresAt } = issueNonce(deps.config.nonceSecret, device.id, purpose, deps.config.nonceTtlSeconds);
  return { nonce, digestInfo: b64(digestInfoSha256(challengeMessage(nonce, purpose, device.id))), expiresAt: expiresAt.toISOString() };
}

/**
 * One round trip for the person behind a certificate, their membership of this TV's household,
 * and what the home screen shows; prepared, since every login runs it.
 */
function loginLookup(db: IdentityDeps['db']) {
  return prepared(db, 'login_lookup', () => {
    const householdId = sql.placeholder('householdId');
    return db
      .select({
        status: certificates.status,
        personId: persons.id,
        name: persons.name,
        isMember: sql<boolean>`exists (select 1 from ${householdMembers} where ${householdMembers.personId} = ${persons.id}
          and ${householdMembers.householdId} = ${householdId} and ${householdMembers.leftAt} is null)`,
        householdLabel: households.label,
        members: membersJson(householdId),
      })
      .from(certificates)
      .innerJoin(persons, eq(persons.id, certificates.personId))
      .innerJoin(households, eq(households.id, householdId))
      .where(eq(certificates.lookupKey, sql.placeholder('lookupKey')))
      .prepare('login_lookup');
  });
}

export interface LoginInput {
  nonce: string;
  /** The auth certificate, base64 DER. */
  certificate: string;
  /** The card's signature over the challenge, base64. */
  signature: string;
}

/**
 * High-assurance login (DESIGN §5.2): the nonce is burnt first, then the auth certificate's chain,
 * purpose, validity and signature are checked, revocation must be known and good, and the card
 * must belong to a registered member of this TV's household. Every refusal has its own code.
 */
export async function login(deps: IdentityDeps, device: Device, input: LoginInput) {
  if (device.kind !== 'tv' || !device.householdId) throw new AppError('AUTH_FORBIDDEN', { detail: 'not a household TV' });
  const householdId = device.householdId;
  await consumeNonce(deps.db, deps.config.nonceSecret, input.nonce, device.id, 'login');
  const cert = deps.jpki.parse(input.certificate);
  const chain = await deps.jpki.verify(cert, 'auth');
  await deps.jpki.verifySignature(cert, challengeMessage(input.nonce, 'login', device.id), Buffer.from(input.signature, 'base64'));
  requireGood(deps.jpki.revocationStatus(chain));

  const [row] = await loginLookup(deps.db).execute({ lookupKey: deps.jpki.lookupKeyOf(chain), householdId });
  if (!row) throw new AppError('AUTH_NOT_REGISTERED');
  if (row.status !== 'good') throw new AppError('PKI_REVOKED', { detail: `certificate is ${row.status} in the platform` });
  if (!row.isMember) throw new AppError('AUTH_NOT_HOUSEHOLD_MEMBER');

  const session = await createSession(deps.db, row.personId, device.id, 'high', deps.config.sessionTtlSeconds);
  return {
    token: session.token,
    expiresAt: session.expiresAt.toISOString(),
    person: { id: row.personId, name: row.name },
    household: { id: householdId, label: row.householdLabel, members: row.members },
  };
}
