import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { appendAudit } from '../identity/audit.js';
import { AppError } from '../shared/errors.js';
import type { InsurerActor } from './insurer-actor.js';
import { pensionApiCredentials } from './schema.js';
import { isUuid } from '../shared/uuid.js';

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

/** The provider's credentials, newest first: label and dates only (the secret was shown once and is not kept). */
export async function apiCredentialsOf(db: Db, providerId: string) {
  const rows = await db.select({ id: pensionApiCredentials.id, label: pensionApiCredentials.label, createdAt: pensionApiCredentials.createdAt, revokedAt: pensionApiCredentials.revokedAt })
    .from(pensionApiCredentials).where(eq(pensionApiCredentials.providerId, providerId)).orderBy(desc(pensionApiCredentials.createdAt));
  return rows.map((r) => ({ id: r.id, label: r.label, createdAt: r.createdAt.toISOString(), revokedAt: r.revokedAt?.toISOString() ?? null }));
}

/**
 * Revokes one of the provider's credentials, audited: the next request made with it is refused
 * (every request reads the row; nothing is cached). Another provider's credential is
 * STAFF_OUT_OF_SCOPE; revoking one already revoked changes nothing and answers when it was.
 */
export async function revokeApiCredential(db: Db, actor: InsurerActor, credentialId: string, now = new Date()) {
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(pensionApiCredentials).where(eq(pensionApiCredentials.id, credentialId)).for('update');
    if (!row) throw new AppError('REQ_NOT_FOUND', { detail: 'no such API credential' });
    if (row.providerId !== actor.providerId) throw new AppError('STAFF_OUT_OF_SCOPE');
    if (row.revokedAt) return { id: row.id, revokedAt: row.revokedAt.toISOString() };
    await tx.update(pensionApiCredentials).set({ revokedAt: now }).where(and(eq(pensionApiCredentials.id, row.id), isNull(pensionApiCredentials.revokedAt)));
    await appendAudit(tx, { actor: `staff:${actor.staffId}`, action: 'pension.api_credential_revoked', subject: row.id, data: { org: actor.organisationId } });
    return { id: row.id, revokedAt: now.toISOString() };
  });
}

/**
 * The provider an insurer API request acts for. PENSION_API_UNAUTHORIZED for a missing, malformed
 * or unknown credential or a wrong secret; PENSION_API_CREDENTIAL_REVOKED (also 401) once the
 * console revoked it — said only to whoever holds its secret, so it reveals nothing to a guesser.
 */
export async function insurerOf(db: Db, header: string | undefined): Promise<{ providerId: string; credentialId: string }> {
  const match = /^Insurer ([0-9a-f-]{36})\.([A-Za-z0-9_-]{20,100})$/.exec(header ?? '');
  if (!match || !isUuid(match[1]!)) throw new AppError('PENSION_API_UNAUTHORIZED');
  const [row] = await db.select().from(pensionApiCredentials).where(eq(pensionApiCredentials.id, match[1]!));
  const given = Buffer.from(sha256(match[2]!), 'hex');
  if (!row || !timingSafeEqual(given, Buffer.from(row.secretHash, 'hex'))) throw new AppError('PENSION_API_UNAUTHORIZED');
  if (row.revokedAt) throw new AppError('PENSION_API_CREDENTIAL_REVOKED', { detail: `revoked ${row.revokedAt.toISOString()}` });
  return { providerId: row.providerId, credentialId: row.id };
}
