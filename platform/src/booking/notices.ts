import { and, count, desc, eq, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { facilities } from '../db/schema/index.js';
import { periodOf, rulesOf } from './policy.js';
import { feeFor, personLivesIn } from './residents.js';
import { bookingNotices, bookings, facilityUnits, type Booking, type Period } from './schema.js';

/**
 * Booking notices in the TV's one inbox (お知らせ, home 7): the receipts of a confirmation and a
 * cancellation written here, and the notices the lottery, the waitlist and staff overrides write.
 * The pension inbox (`pension/inbox.ts`) lists, counts and opens them beside its own items.
 */

type NoticeKind = (typeof bookingNotices.$inferInsert)['kind'];

/** The inbox title of each kind of booking notice. */
const TITLES: Record<NoticeKind, string> = {
  confirmed: '施設の 予約が 確定しました',
  cancelled: '施設の 予約を 取り消しました',
  lottery_won: '抽選に 当選しました',
  lottery_lost: '抽選の 結果',
  lottery_skipped: '抽選の 結果',
  waitlist_offer: 'お待ちの 枠が 空きました',
  waitlist_skipped: 'お待ちの 枠の お知らせ',
  overridden: '施設の 予約が 取り消されました',
  closed: 'ご予約の 日が 休館に なりました',
};
const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];
/** A day as residents read it: 2026-12-01 → 12月1日（火）. */
const jaDay = (day: string) => `${Number(day.slice(5, 7))}月${Number(day.slice(8))}日（${WEEKDAYS[new Date(`${day}T00:00:00Z`).getUTCDay()]}）`;

/**
 * A slot as every booking notice writes it (receipts, waitlist offers, lottery wins, overrides):
 * 体育館 A面 12月10日（木） 午後（13:00–17:00）, always with the unit (which room, which half of a
 * shared floor: アリーナ 全面 and 半面 are different bookings at the counter).
 */
export function slotText(facility: string, day: string, period: Period, unit: string): string {
  return `${facility} ${unit} ${jaDay(day)} ${period.label}（${period.start}–${period.end}）`;
}

/** A unit's name (for a notice's `slotText`). */
export async function unitName(db: Pick<Db, 'select'>, unitId: string): Promise<string> {
  const [row] = await db.select({ name: facilityUnits.name }).from(facilityUnits).where(eq(facilityUnits.id, unitId));
  return row?.name ?? '';
}

/** A month as residents read it: 2027-03 → 2027年3月. */
export const monthText = (month: string) => `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;

/** Sender of a notice with no booking behind it (a lost lottery). */
const FROM = '施設予約';

/**
 * The receipt of a confirmed booking, or of a confirmed booking cancelled, written in the
 * transaction that made it: the slot, the 利用許可番号 and what the person pays at the counter
 * (their own resident or non-resident fee). A released hold gets none: nothing was booked.
 */
export async function writeReceipt(tx: Tx, personId: string, b: Booking, kind: 'confirmed' | 'cancelled'): Promise<void> {
  const rules = await rulesOf(tx, b.facilityId);
  const period = periodOf(rules.policy, b.period);
  const slot = slotText(rules.name, b.day, period, await unitName(tx, b.unitId));
  let text: string;
  if (kind === 'confirmed') {
    const fee = feeFor(rules.policy, b.period, await personLivesIn(tx, personId, rules.municipalityId));
    text = `${slot} のご予約が確定しました。利用許可番号は ${b.permitNo} です。` +
      (fee === null ? '' : `料金 ${fee.toLocaleString('ja-JP')}円は、施設の窓口でお支払いください。`);
  } else {
    text = `${slot} のご予約（利用許可番号 ${b.permitNo}）を取り消しました。`;
  }
  await tx.insert(bookingNotices).values({ personId, bookingId: b.id, kind, text });
}

/** Unread booking notices (for the home badge). */
export async function unreadBookingNotices(db: Pick<Db, 'select'>, personId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(bookingNotices).where(and(eq(bookingNotices.personId, personId), isNull(bookingNotices.readAt)));
  return row?.n ?? 0;
}

const noticeRows = (db: Pick<Db, 'select'>) => db.select({ n: bookingNotices, from: facilities.name }).from(bookingNotices)
  .leftJoin(bookings, eq(bookings.id, bookingNotices.bookingId)).leftJoin(facilities, eq(facilities.id, bookings.facilityId));

/** A booking notice as an inbox item (its kind is `booking`; nothing to fill in or sign). */
function asItem({ n, from }: { n: typeof bookingNotices.$inferSelect; from: string | null }) {
  return {
    id: n.id, kind: 'booking' as const, from: from ?? FROM, title: TITLES[n.kind], body: n.text, at: n.createdAt.toISOString(),
    opened: Boolean(n.readAt), done: false, campaignId: null,
  };
}

/** The person's booking notices as inbox items, newest first. */
export async function bookingInboxItems(db: Pick<Db, 'select'>, personId: string, limit: number) {
  return (await noticeRows(db).where(eq(bookingNotices.personId, personId)).orderBy(desc(bookingNotices.createdAt)).limit(limit)).map(asItem);
}

/** Opens one of the person's booking notices (marks it read); null when it is not theirs or not a booking notice. */
export async function openBookingNotice(db: Db, personId: string, id: string, now = new Date()) {
  const [row] = await noticeRows(db).where(and(eq(bookingNotices.id, id), eq(bookingNotices.personId, personId)));
  if (!row) return null;
  if (!row.n.readAt) await db.update(bookingNotices).set({ readAt: now }).where(eq(bookingNotices.id, id));
  const { opened: _opened, done: _done, campaignId: _campaign, ...item } = asItem(row);
  return { ...item, confirmation: null };
}
