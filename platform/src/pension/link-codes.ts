import { createHmac, randomInt } from 'node:crypto';
import { and, count, eq, gt } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { AppError } from '../shared/errors.js';
import { pensionLinkFailures } from './schema.js';

/**
 * One-time link codes: 12 digits (about 40 bits), typed with a remote's number keys, printed on
 * the insurer's letter as 1234-5678-9012. The platform keeps only an HMAC under a key the database
 * never holds, so a copy of the database cannot be searched for codes; guessing online stops after
 * MAX_FAILURES wrong codes from one TV within FAILURE_WINDOW_SECONDS (a right code then waits too).
 */
export const LINK_CODE_DIGITS = 12;
export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_SECONDS = 15 * 60;

export function newLinkCode(): string {
  let digits = '';
  for (let i = 0; i < LINK_CODE_DIGITS; i++) digits += String(randomInt(10));
  return digits.replace(/(\d{4})(?=\d)/g, '$1-');
}

/** The digits of a typed code (spaces and hyphens dropped); null when it cannot be a code. */
export function normaliseLinkCode(typed: string): string | null {
  const digits = typed.replace(/[\s-]/g, '');
  return new RegExp(`^\\d{${LINK_CODE_DIGITS}}$`).test(digits) ? digits : null;
}

export function hashLinkCode(secret: string, code: string): string {
  const digits = normaliseLinkCode(code);
  if (!digits) throw new AppError('REQ_INVALID', { detail: 'a link code is 12 digits' });
  return createHmac('sha256', `${secret}/pension-link-code`).update(digits).digest('hex');
}

/** Refuses this TV while it has too many recent wrong codes. */
export async function requireTriesLeft(db: Db, deviceId: string, now = new Date()): Promise<void> {
  const since = new Date(now.getTime() - FAILURE_WINDOW_SECONDS * 1000);
  const [row] = await db.select({ n: count() }).from(pensionLinkFailures).where(and(eq(pensionLinkFailures.deviceId, deviceId), gt(pensionLinkFailures.at, since)));
  if ((row?.n ?? 0) >= MAX_FAILURES) {
    throw new AppError('PENSION_LINK_TRIES_EXCEEDED', { details: { retryAfterSeconds: FAILURE_WINDOW_SECONDS } });
  }
}

/** Counts a wrong code and answers with PENSION_LINK_CODE_INVALID and the tries left. */
export async function refuseCode(db: Db, deviceId: string, now = new Date()): Promise<never> {
  await db.insert(pensionLinkFailures).values({ deviceId, at: now });
  const since = new Date(now.getTime() - FAILURE_WINDOW_SECONDS * 1000);
  const [row] = await db.select({ n: count() }).from(pensionLinkFailures).where(and(eq(pensionLinkFailures.deviceId, deviceId), gt(pensionLinkFailures.at, since)));
  throw new AppError('PENSION_LINK_CODE_INVALID', { details: { triesLeft: Math.max(0, MAX_FAILURES - (row?.n ?? 0)) } });
}
