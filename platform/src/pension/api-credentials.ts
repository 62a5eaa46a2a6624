import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { appendAudit } from '../identity/audit.js';
import { AppError } from '../shared/errors.js';
import type { InsurerActor } from './insurer-actor.js';
import { pensionApiCredentials } from './schema.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A credential for the insurer's own systems (`Authorization: Insurer <id>.<secret>`), scoped to
 * one provider: shown once, only the hash of its 256-bit secret kept (unguessable, so unkeyed).
 */
export async function createApiCredential(db: Db, actor: InsurerActor, label: string) {
  const secret = randomBytes(32).toString('base64url');
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(pensionApiCredentials).values({ providerId: actor.providerId, secretHash: sha256(secret), label: label.trim() }).returning({ id: pensionApiCredentials.id });
    await appendAudit(tx, { actor: `staff:${actor.staffId}`, action: 'pension.api_credential_created', subject: row!.id, data: { org: actor.organisationId } });
    return { id: row!.id, credential: `${row!.id}.${secret}` };
  });
}

/** The provider an insurer API request acts for; PENSION_API_UNAUTHORIZED otherwise. */
export async function insurerOf(db: Db, header: string | undefined): Promise<{ providerId: string; credentialId: string }> {
  const match = /^Insurer ([0-9a-f-]{36})\.([A-Za-z0-9_-]{20,100})$/.exec(header ?? '');
  if (!match) throw new AppError('PENSION_API_UNAUTHORIZED');
  const [row] = await db.select().from(pensionApiCredentials).where(and(eq(pensionApiCredentials.id, match[1]!), isNull(pensionApiCredentials.revokedAt)));
  const given = Buffer.from(sha256(match[2]!), 'hex');
  if (!row || !timingSafeEqual(given, Buffer.from(row.secretHash, 'hex'))) throw new AppError('PENSION_API_UNAUTHORIZED');
  return { providerId: row.providerId, credentialId: row.id };
}
