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

export type SessionRow = Awaited<ReturnType<typeof authenticateSession>>;

/**
 * Sessions this process looked up recently, by token hash and device, for a path whose own statement
 * checks again that the session is live (the hold: `booking_hold_in_session`, migration 0024). A
 * remembered session costs that path no round trip of its own; when the statement refuses it
 * (logged out, expired, ended by a revocation, or the person's row changed), the path forgets it
 * and looks it up afresh, so a logged-out token is refused at once. Never a substitute for
 * `authenticateSession` on a path that does not check again.
 */
export function recentSessions(db: Db, ttlMs = 60_000, maxEntries = 10_000) {
  const cache = new Map<string, { row: SessionRow; until: number }>();
  const keyOf = (header: string | undefined, device: Device) => {
    const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header ?? '');
    return match ? `${device.id}:${hashToken(match[1]!)}` : null;
  };
  return {
    /** The session as last looked up, if remembered and not past its expiry; else looked up now. */
    async get(header: string | undefined, device: Device): Promise<{ row: SessionRow; remembered: boolean }> {
      const key = keyOf(header, device);
      const now = Date.now();
      const hit = key ? cache.get(key) : undefined;
      if (hit && hit.until > now && hit.row.session.expiresAt.getTime() > now) return { row: hit.row, remembered: true };
      const row = await authenticateSession(db, header, device);
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
      cache.set(key!, { row, until: now + ttlMs });
      return { row, remembered: false };
    },
    forget(header: string | undefined, device: Device): void {
      const key = keyOf(header, device);
      if (key) cache.delete(key);
    },
  };
}

/** Ends a session (logout). */
export async function endSession(db: Db, sessionId: string): Promise<void> {
  await db.update(sessions).set({ endedAt: new Date() }).where(and(eq(sessions.id, sessionId), isNull(sessions.endedAt), gt(sessions.expiresAt, new Date())));
}
