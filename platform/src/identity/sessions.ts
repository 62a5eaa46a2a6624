import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { persons, sessions, type Device } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * A fresh session token: returned to the client once, stored only as its hash. The login statement
 * inserts the session row itself (with the nonce burn, in one round trip).
 */
export function newSessionToken(ttlSeconds: number) {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + ttlSeconds * 1000) };
}

/** The live session behind `Authorization: Bearer <token>` on this device. */
export async function authenticateSession(db: Db, header: string | undefined, device: Device) {
  const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header ?? '');
  if (!match) throw new AppError('AUTH_REQUIRED');
  const [row] = await db
    .select({ session: sessions, person: persons })
    .from(sessions)
    .innerJoin(persons, eq(persons.id, sessions.personId))
    .where(eq(sessions.tokenHash, hashToken(match[1]!)));
  if (!row || row.session.deviceId !== device.id) throw new AppError('AUTH_REQUIRED', { detail: 'unknown token or other device' });
  if (row.session.endedAt || row.session.expiresAt.getTime() <= Date.now()) throw new AppError('AUTH_SESSION_EXPIRED');
  return row;
}

/** Ends a session (logout). */
export async function endSession(db: Db, sessionId: string): Promise<void> {
  await db.update(sessions).set({ endedAt: new Date() }).where(and(eq(sessions.id, sessionId), isNull(sessions.endedAt), gt(sessions.expiresAt, new Date())));
}
