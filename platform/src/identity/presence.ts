import { eq } from 'drizzle-orm';
import { certificates, persons, type Device } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';
import { acceptUnknown } from '../jpki/index.js';
import type { PresenceRequest } from '../routes/identity-schemas.js';
import type { IdentityDeps } from './deps.js';

/**
 * Low-assurance presence (a card tapped on a shelter tablet, no PIN): the auth certificate alone
 * names a registered person. A certificate can be copied, so the answer says `assurance: low`.
 * A late CRL must not turn an evacuee away: unknown revocation passes and is reported.
 */
export async function identifyPresence(deps: IdentityDeps, device: Device, input: PresenceRequest) {
  if (device.kind !== 'tablet') throw new AppError('AUTH_FORBIDDEN', { detail: 'presence is for shelter tablets' });
  const chain = await deps.jpki.verify(deps.jpki.parse(input.certificate), 'auth');
  const accepted = acceptUnknown(deps.jpki.revocationStatus(chain));
  const [row] = await deps.db
    .select({ personId: persons.id, name: persons.name, status: certificates.status })
    .from(certificates)
    .innerJoin(persons, eq(persons.id, certificates.personId))
    .where(eq(certificates.lookupKey, deps.jpki.lookupKeyOf(chain)));
  if (!row) throw new AppError('AUTH_NOT_REGISTERED');
  if (row.status !== 'good') throw new AppError('PKI_REVOKED', { detail: `certificate is ${row.status} in the platform` });
  return { personId: row.personId, name: row.name, assurance: 'low' as const, revocationUnknown: accepted.revocationUnknown };
}
