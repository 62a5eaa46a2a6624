import { lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { AppError } from '../shared/errors.js';
import { loginFailures } from './schema.js';

/**
 * Counts a refused TV login by its code for the console (nothing about the card or the person).
 * Off the request's path: the resident's answer never waits for it, and losing one only makes a
 * dashboard figure one lower.
 */
export function recordLoginFailure(db: Db, deviceId: string, err: unknown): void {
  const code = err instanceof AppError ? err.code : 'INTERNAL';
  db.insert(loginFailures).values({ deviceId, code }).then(() => undefined, () => undefined);
}

/** Forgets failures older than the dashboard shows (a day), so the table stays small. */
export async function purgeLoginFailures(db: Db): Promise<void> {
  await db.delete(loginFailures).where(lt(loginFailures.at, sql`now() - interval '2 days'`));
}
