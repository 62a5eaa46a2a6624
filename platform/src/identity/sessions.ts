import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { prepared } from '../db/prepared.js';
import { persons, sessions, type Device } from '../db/schema/index.js';
import { AppError } from '../errors.js';

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** Opens a session for a person on a device; the token is returned once and stored as a hash. */
export async function createSession(db: Pick<Db, 'insert'>, personId: string, deviceId: string, assurance: 'high' | 'low', ttlSeconds: number) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  const insert = prepared(db, 'create_session', () =>
    db
      .insert(sessions)
      .values({
        tokenHash: sql.placeholder('tokenHash'), personId: sql.placeholder('personId'), deviceId: sql.placeholder('deviceId'),
        assurance: sql.placeholder('assurance'), expiresAt: sql.placeholder('expiresAt'),
      })
      .returning({ id: sessions.id })
      .prepare('create_session'),
  );
  const [row] = await insert.execute({ tokenHash: hashToken(token), personId, deviceId, assurance, expiresAt });
  return { token, expiresAt, sessionId: row!.id };
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
