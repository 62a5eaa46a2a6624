import type { Db } from '../db/client.js';
import { purgeRateLimitWindows } from '../plugins/rate-counter.js';
import { purgeUsedNonces } from './nonces.js';
import { purgeExpiredRegistrations } from './registration.js';

/** What one sweep removed. */
export interface SweepResult {
  usedNonces: number;
  registrations: number;
  rateLimitWindows: number;
}

/** Deletes everything that has expired by `now`: used nonces, registrations in progress, rate-limit windows. */
export async function purgeExpired(db: Db, now: Date): Promise<SweepResult> {
  return {
    usedNonces: await purgeUsedNonces(db, now),
    registrations: await purgeExpiredRegistrations(db, now),
    rateLimitWindows: await purgeRateLimitWindows(db, now),
  };
}

export interface ExpirySweepOptions {
  everyMs: number;
  /** The clock; tests pass their own. */
  now?: () => Date;
  /** After each sweep (for logs, and for tests to await one). */
  onSwept?: (result: SweepResult) => void;
  onError: (err: unknown) => void;
}

/**
 * Runs `purgeExpired` every `everyMs` in the platform process, one sweep at a time (a slow one is
 * not overlapped by the next). Every process may run it: the deletes are idempotent. `stop()`
 * ends it and waits for a sweep in progress, so shutdown never closes the database under it.
 */
export function startExpirySweep(db: Db, opts: ExpirySweepOptions): { stop(): Promise<void> } {
  const now = opts.now ?? (() => new Date());
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = purgeExpired(db, now())
      .then((result) => opts.onSwept?.(result), opts.onError)
      .finally(() => {
        running = null;
      });
  }, opts.everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
