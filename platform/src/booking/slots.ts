import type { Period } from './schema.js';

/**
 * Calendar arithmetic for 区分: days are Japan's calendar days (`YYYY-MM-DD`), times Japan time.
 * Japan has no daylight saving, so a fixed +09:00 offset is exact.
 */
const JST = '+09:00';
const DAY_MS = 86_400_000;

/** The half-open time range of one 区分 on one day, as a `tstzrange` literal. */
export function rangeOf(day: string, period: Period): string {
  return `[${day}T${period.start}:00${JST},${day}T${period.end}:00${JST})`;
}

/** When a 区分 starts. */
export function startOf(day: string, period: Period): Date {
  return new Date(`${day}T${period.start}:00${JST}`);
}

/** The calendar day in Japan at `now`. */
export function japanDay(now: Date): string {
  return new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/**
 * `YYYY-MM-DD` that is a real date (not 2026-02-30), in 1900–2999: a booking calendar has no use
 * for others, and year 0000 (no such year in PostgreSQL) or 9999-12-30 plus a week (past what
 * toISOString writes plainly) reached the database as a 500.
 */
export function isDay(value: string): boolean {
  const at = Date.parse(`${value}T00:00:00Z`);
  return /^(19|2\d)\d{2}-\d{2}-\d{2}$/.test(value) && Number.isFinite(at) && new Date(at).toISOString().startsWith(value);
}

/** The first and last day of the month `day` falls in. */
export function monthOf(day: string): { first: string; last: string } {
  const first = `${day.slice(0, 7)}-01`;
  const [y, m] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
  const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  return { first, last };
}
