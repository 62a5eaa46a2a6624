import { randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { serviceProviders, serviceUids } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';
import { appendAudit } from './audit.js';

/** The services that know this person (each through its own UID), for the TV's list. */
export async function servicesOf(db: Db, personId: string) {
  const rows = await db
    .select({ providerId: serviceProviders.id, name: serviceProviders.name, service: serviceProviders.service, linkedAt: serviceUids.issuedAt })
    .from(serviceUids)
    .innerJoin(serviceProviders, eq(serviceProviders.id, serviceUids.providerId))
    .where(and(eq(serviceUids.personId, personId), isNull(serviceUids.unlinkedAt)));
  return rows.map((r) => ({ ...r, linkedAt: r.linkedAt.toISOString() }));
}

/**
 * Links a person to a provider: a fresh random 128-bit UID, the only ID that provider will ever
 * see. Linking twice returns the existing link.
 */
export async function linkService(db: Db, personId: string, providerId: string) {
  const [provider] = await db.select().from(serviceProviders).where(eq(serviceProviders.id, providerId));
  if (!provider) throw new AppError('REQ_NOT_FOUND', { detail: `no provider ${providerId}` });
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(serviceUids)
      .where(and(eq(serviceUids.personId, personId), eq(serviceUids.providerId, providerId), isNull(serviceUids.unlinkedAt)));
    if (current) return { providerId, uid: current.uid, linkedAt: current.issuedAt.toISOString() };
    const [row] = await tx.insert(serviceUids).values({ uid: randomBytes(16).toString('hex'), personId, providerId }).returning();
    await appendAudit(tx, { actor: `person:${personId}`, action: 'service.linked', subject: personId, data: { provider: providerId } });
    return { providerId, uid: row!.uid, linkedAt: row!.issuedAt.toISOString() };
  });
}

/** Unlinks: the UID is retired for good; a later link issues a new one the provider cannot connect. */
export async function unlinkService(db: Db, personId: string, providerId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const ended = await tx
      .update(serviceUids)
      .set({ unlinkedAt: new Date() })
      .where(and(eq(serviceUids.personId, personId), eq(serviceUids.providerId, providerId), isNull(serviceUids.unlinkedAt)))
      .returning({ uid: serviceUids.uid });
    if (!ended.length) throw new AppError('REQ_NOT_FOUND', { detail: 'no current link to that provider' });
    await appendAudit(tx, { actor: `person:${personId}`, action: 'service.unlinked', subject: personId, data: { provider: providerId } });
  });
}
