import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { prepared } from '../db/prepared.js';
import { usedNonces } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';
import type { ChallengePurpose } from './challenge.js';

const PURPOSES: readonly ChallengePurpose[] = ['login', 'register', 'unregister', 'staff-login'];
/** `<random>.<expiry, unix seconds base 36>.<purpose>.<device id>.<mac>`, all URL-safe. */
const NONCE = /^([A-Za-z0-9_-]{24})\.([0-9a-z]{1,10})\.(login|register|unregister|staff-login)\.([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64url');
}

/**
 * Issues a nonce bound to a device and an operation: 144 random bits plus its expiry, purpose
 * and device, sealed with an HMAC under the platform's nonce secret. Nothing is written: handing
 * out challenges costs no database work, however many a client asks for.
 */
export function issueNonce(secret: string, deviceId: string, purpose: ChallengePurpose, ttlSeconds: number): { nonce: string; expiresAt: Date } {
  const expiresAt = new Date(Math.ceil(Date.now() / 1000 + ttlSeconds) * 1000);
  const body = `${randomBytes(18).toString('base64url')}.${(expiresAt.getTime() / 1000).toString(36)}.${purpose}.${deviceId}`;
  return { nonce: `${body}.${mac(secret, body)}`, expiresAt };
}

/** A nonce whose seal, device, purpose and expiry were checked: what burning it needs. */
export interface OpenedNonce {
  /** The seal; inserting it into used_nonces (primary key) is what makes the nonce single-use. */
  mac: string;
  expiresAt: Date;
}

/**
 * Checks a nonce without using it: each way it can be wrong has its own code. Pure, so the login
 * path can burn the nonce in the same statement that opens the session.
 */
export function openNonce(secret: string, nonce: string, deviceId: string, purpose: ChallengePurpose): OpenedNonce {
  const parts = NONCE.exec(nonce);
  if (!parts) throw new AppError('AUTH_NONCE_INVALID', { detail: 'not a nonce of this platform' });
  const [, , expiry, tokenPurpose, tokenDevice, tokenMac] = parts;
  const body = nonce.slice(0, nonce.length - tokenMac!.length - 1);
  const expected = Buffer.from(mac(secret, body));
  if (!timingSafeEqual(expected, Buffer.from(tokenMac!))) throw new AppError('AUTH_NONCE_INVALID', { detail: 'seal does not match' });
  if (tokenDevice !== deviceId) throw new AppError('AUTH_NONCE_WRONG_DEVICE');
  if (tokenPurpose !== purpose || !PURPOSES.includes(tokenPurpose as ChallengePurpose)) throw new AppError('AUTH_NONCE_WRONG_PURPOSE');
  const expiresAt = new Date(parseInt(expiry!, 36) * 1000);
  if (expiresAt.getTime() <= Date.now()) throw new AppError('AUTH_NONCE_EXPIRED');
  return { mac: tokenMac!, expiresAt };
}

/** Marks an opened nonce used. False when it already was (the single INSERT decides races). */
export async function burnNonce(db: Pick<Db, 'insert'>, opened: OpenedNonce): Promise<boolean> {
  const use = prepared(db, 'use_nonce', () =>
    db
      .insert(usedNonces)
      .values({ mac: sql.placeholder('mac'), expiresAt: sql.placeholder('expiresAt') })
      .onConflictDoNothing()
      .returning({ mac: usedNonces.mac })
      .prepare('use_nonce'),
  );
  return (await use.execute({ mac: opened.mac, expiresAt: opened.expiresAt })).length > 0;
}

/**
 * Uses a nonce, exactly once: checked, then burnt. Two concurrent uses cannot both pass: one of
 * them gets AUTH_NONCE_REPLAYED.
 */
export async function consumeNonce(db: Pick<Db, 'insert'>, secret: string, nonce: string, deviceId: string, purpose: ChallengePurpose): Promise<void> {
  if (!(await burnNonce(db, openNonce(secret, nonce, deviceId, purpose)))) throw new AppError('AUTH_NONCE_REPLAYED');
}

/**
 * Forgets used nonces that have expired anyway (they can no longer pass the expiry check);
 * returns how many. `now` is the caller's clock (the sweep's), so tests need not wait.
 */
export async function purgeUsedNonces(db: Pick<Db, 'delete'>, now = new Date()): Promise<number> {
  return (await db.delete(usedNonces).where(lt(usedNonces.expiresAt, now)).returning({ mac: usedNonces.mac })).length;
}
