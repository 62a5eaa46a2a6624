import { AppError } from '../../shared/errors.js';
import { PIN_RULES } from '../../shared/pins.js';
import { isCalendarDate } from './personal-data.js';

// The request checks every operation shares: instants, PINs, and one error listing every problem.

export function checkPins(authPin: string, signPin: string): string[] {
  const problems: string[] = [];
  if (!PIN_RULES.auth.pattern.test(authPin)) problems.push('auth PIN (利用者証明用) must be exactly 4 digits');
  if (!PIN_RULES.sign.pattern.test(signPin)) problems.push('sign PIN (署名用パスワード) must be 6–16 characters of A–Z and 0–9 (upper case)');
  return problems;
}

/** PIN problems alone → CARD_PIN_FORMAT; anything else too → REQ_INVALID listing all. */
export function throwIfProblems(pinProblems: string[], problems: string[]): void {
  const all = [...pinProblems, ...problems];
  if (!all.length) return;
  const code = problems.length ? 'REQ_INVALID' : 'CARD_PIN_FORMAT';
  throw new AppError(code, { detail: all.join('; '), details: { problems: all } });
}

/**
 * An instant from `YYYY-MM-DD` (00:00Z = 09:00 JST that day), an ISO date-time with `Z` or an
 * offset, or a Date; absent → `now` (default the system clock). Cut to whole seconds, as
 * certificates carry them.
 */
export function parseInstant(value: string | Date | undefined, now: Date | undefined, label: string, problems: string[]): Date | null {
  let d: Date;
  if (value === undefined) d = now ?? new Date();
  else if (value instanceof Date) d = value;
  else if (isCalendarDate(value)) d = new Date(`${value}T00:00:00Z`);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && isCalendarDate(value.slice(0, 10))) d = new Date(value);
  else {
    problems.push(`${label} must be YYYY-MM-DD or an ISO date-time with Z or an offset, got "${value}"`);
    return null;
  }
  if (Number.isNaN(d.getTime())) {
    problems.push(`${label} is not a valid instant`);
    return null;
  }
  if (d.getUTCFullYear() < 2000 || d.getUTCFullYear() >= 2050) {
    problems.push(`${label} ${iso(d)} is outside 2000–2049`);
    return null;
  }
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/** ISO 8601 in UTC without milliseconds (certificate times are whole seconds). */
export function iso(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}

export function invalid(detail: string): AppError {
  return new AppError('REQ_INVALID', { detail });
}
