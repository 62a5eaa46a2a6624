import { randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { nonces } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import type { ChallengePurpose } from './challenge.js';

/** Issues a single-use 256-bit nonce bound to a device and an operation. */
export async function issueNonce(db: Pick<Db, 'insert'>, deviceId: string, purpose: ChallengePurpose, ttlSeconds: number): Promise<{ nonce: string; expiresAt: Date }> {
  const nonce = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  await db.insert(nonces).values({ value: nonce, deviceId, purpose, expiresAt });
  return { nonce, expiresAt };
}

/**
 * Marks a nonce used, exactly once: one conditional UPDATE, so two concurrent uses cannot both
 * pass. Only when it fails is the row read again, to say precisely why (each case its own code).
 */
export async function consumeNonce(db: Db, nonce: string, deviceId: string, purpose: ChallengePurpose): Promise<void> {
  const used = await db
    .update(nonces)
    .set({ usedAt: sql`now()` })
    .where(and(eq(nonces.value, nonce), isNull(nonces.usedAt), eq(nonces.deviceId, deviceId), eq(nonces.purpose, purpose), gt(nonces.expiresAt, sql`now()`)))
    .returning({ value: nonces.value });
  if (used.length) return;
  const [row] = await db.select().from(nonces).where(eq(nonces.value, nonce));
  if (!row) throw new AppError('AUTH_NONCE_INVALID');
  if (row.usedAt) throw new AppError('AUTH_NONCE_REPLAYED');
  if (row.deviceId !== deviceId) throw new AppError('AUTH_NONCE_WRONG_DEVICE');
  if (row.purpose !== purpose) throw new AppError('AUTH_NONCE_WRONG_PURPOSE');
  throw new AppError('AUTH_NONCE_EXPIRED');
}
