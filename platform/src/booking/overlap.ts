import { AppError } from '../shared/errors.js';

/** SQLSTATE of an exclusion-constraint violation: the database refused an overlapping booking. */
const EXCLUSION_VIOLATION = '23P01';

/** The SQLSTATE of `err` or of what it wraps (drizzle wraps driver errors); null when none. */
export function sqlstateOf(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return null;
}

/** True when `err` (or what it wraps) is an exclusion violation. */
export function isOverlap(err: unknown): boolean {
  return sqlstateOf(err) === EXCLUSION_VIOLATION;
}

/** Runs `work`; an overlap the database refused becomes BOOKING_SLOT_TAKEN (409), anything else passes through. */
export async function catchOverlap<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isOverlap(err)) throw new AppError('BOOKING_SLOT_TAKEN');
    throw err;
  }
}
