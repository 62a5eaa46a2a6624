import { and, eq, isNull } from 'drizzle-orm';
import { certificates, householdMembers, persons, type Device } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';
import type { PresenceRequest } from '../routes/identity-schemas.js';
import type { IdentityDeps } from './deps.js';

/**
 * Low-assurance presence (a card tapped on a shelter tablet, or put in a household TV's reader, no
 * PIN): the auth certificate alone names a registered person. A certificate can be copied, so the
 * answer says `assurance: low`. A late CRL must not turn an evacuee away: unknown revocation passes
 * and is reported.
 *
 * A TV asks before any PIN is typed, so it can say whose card is in the reader (and no PIN try is
 * spent on the wrong card). It only learns about its own household's current members: anyone else
 * is AUTH_NOT_REGISTERED to it, exactly as an unknown card, so a TV cannot be used to look people up.
 */
export async function identifyPresence(deps: IdentityDeps, device: Device, input: PresenceRequest) {
  if (device.kind !== 'tablet' && !(device.kind === 'tv' && device.householdId)) {
    throw new AppError('AUTH_FORBIDDEN', { detail: 'presence is for shelter tablets and household TVs' });
  }
  const chain = await deps.jpki.verify(deps.jpki.parse(input.certificate), 'auth');
  // The shelter check-in's policy (REVOCATION_POLICY, default crl/accept): a TV asking whose card
  // is in its reader is the same low-assurance look-up.
  const accepted = await deps.jpki.decideRevocation('shelter-check-in', chain);
  const [row] = await deps.db
    .select({ personId: persons.id, name: persons.name, status: certificates.status })
    .from(certificates)
    .innerJoin(persons, eq(persons.id, certificates.personId))
    .where(eq(certificates.lookupKey, deps.jpki.lookupKeyOf(chain)));
  if (!row) throw new AppError('AUTH_NOT_REGISTERED');
  if (device.kind === 'tv' && !(await isCurrentMember(deps, device.householdId!, row.personId))) throw new AppError('AUTH_NOT_REGISTERED');
  if (row.status !== 'good') throw new AppError('PKI_REVOKED', { detail: `certificate is ${row.status} in the platform` });
  return { personId: row.personId, name: row.name, assurance: 'low' as const, revocationUnknown: accepted.revocationUnknown };
}

async function isCurrentMember(deps: IdentityDeps, householdId: string, personId: string): Promise<boolean> {
  const [member] = await deps.db
    .select({ personId: householdMembers.personId })
    .from(householdMembers)
    .where(and(eq(householdMembers.householdId, householdId), eq(householdMembers.personId, personId), isNull(householdMembers.leftAt)));
  return member !== undefined;
}
