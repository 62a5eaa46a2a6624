/**
 * Calendar days (`YYYY-MM-DD`, Japan's calendar as the platform sends them) for the booking
 * screens: moving by days and saying a day the way a resident reads it.
 */
const DAY_MS = 86_400_000;
const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'] as const;

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** 「12/1」 and 「月」: a grid column's heading (short, so seven columns fit at every text size). */
export function shortDay(day: string): { date: string; weekday: string } {
  const d = new Date(`${day}T00:00:00Z`);
  return { date: `${d.getUTCMonth() + 1}/${d.getUTCDate()}`, weekday: WEEKDAYS[d.getUTCDay()]! };
}

/** 「9–12時」 from 09:00 and 12:00 (minutes only when there are any): a row's heading, kept short. */
export function hours(start: string, end: string): string {
  const h = (hhmm: string) => (hhmm.endsWith(':00') ? String(Number(hhmm.slice(0, 2))) : `${Number(hhmm.slice(0, 2))}:${hhmm.slice(3)}`);
  return `${h(start)}–${h(end)}時`;
}

/** 「12月1日（月）」: a day in a sentence. */
export function longDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日（${WEEKDAYS[d.getUTCDay()]}）`;
}

/** 「2027年2月」 from `YYYY-MM`. */
export function monthName(month: string): string {
  return `${Number(month.slice(0, 4))}年${Number(month.slice(5, 7))}月`;
}

/** Whole minutes and seconds left until `until` (never below zero). */
export function timeLeft(until: string, now: number): { minutes: number; seconds: number } {
  const left = Math.max(0, Math.floor((Date.parse(until) - now) / 1000));
  return { minutes: Math.floor(left / 60), seconds: left % 60 };
}

/** Today in Japan (the TV's clock; Japan has no daylight saving). */
export function japanToday(now: number): string {
  return new Date(now + 9 * 3_600_000).toISOString().slice(0, 10);
}
