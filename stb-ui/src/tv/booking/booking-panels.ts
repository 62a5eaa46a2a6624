import { html, nothing, type TemplateResult } from 'lit';
import type { BookingView, FacilitySummaryView, MyBookingsView } from '../../api/platform-client.js';
import type { TextSize } from '../settings.js';
import { t } from '../strings.js';
import { keepWhole } from '../ui/keep-whole.js';
import '../ui/tv-button.js';
import { addDays, daysBetween, longDay, timeLeft } from './calendar.js';

/**
 * The booking screens after a slot was picked (hold, confirmation, my bookings), as templates of
 * plain data: `<stb-tv-booking-screen>` owns the state and passes what to do on each button.
 */

/** A booking named the way a resident reads it: 「12月1日（月） 午前 9:00–12:00」 and the facility and unit. */
export function describe(b: Pick<BookingView, 'facilityId' | 'unitId' | 'day' | 'period'>, facilities: FacilitySummaryView[]) {
  const facility = facilities.find((f) => f.id === b.facilityId);
  const period = facility?.periods.find((p) => p.code === b.period);
  return {
    when: `${longDay(b.day)} ${period ? `${period.label} ${period.start}–${period.end}` : b.period}`,
    where: `${facility?.name ?? ''} ${facility?.units.find((u) => u.id === b.unitId)?.name ?? ''}`.trim(),
    facility,
  };
}

/** The last day a confirmed booking can be cancelled from the TV. */
export function cancelLastDay(b: Pick<BookingView, 'day'>, facility: FacilitySummaryView | undefined): string {
  return addDays(b.day, -(facility?.cancelDeadlineDays ?? 0));
}

/** Whether the TV may still cancel it today (a hold: always). */
export function cancellable(b: BookingView, facility: FacilitySummaryView | undefined, today: string): boolean {
  if (b.state === 'held') return true;
  return b.state === 'confirmed' && daysBetween(today, cancelLastDay(b, facility)) >= 0;
}

/** What this booker pays at the counter, as the platform priced it for them (resident or not). */
function feeLine(b: BookingView) {
  return b.fee === null ? nothing : html`<p data-fee=${b.fee}>${t('booking.fee')} ${b.fee.toLocaleString('ja-JP')}${t('booking.yen')} （${t('booking.feeNote')}）</p>`;
}

export function heldPanel(o: {
  booking: BookingView; facilities: FacilitySummaryView[]; now: number;
  onConfirm: () => void; onLater: () => void; onRelease: () => void;
}): TemplateResult {
  const { when, where } = describe(o.booking, o.facilities);
  const left = o.booking.holdExpiresAt ? timeLeft(o.booking.holdExpiresAt, o.now) : null;
  return html`<div class="facts" data-panel="held">
      <p class="what">${where}</p><p class="what">${when}</p>
      ${feeLine(o.booking)}
      ${left ? html`<p class="countdown" data-hold-left=${left.minutes * 60 + left.seconds}>${t('booking.held.left')} ${left.minutes}${t('booking.held.minutes')} ${String(left.seconds).padStart(2, '0')}${t('booking.held.seconds')}</p>` : nothing}
      <p>${t('booking.held.note')}</p>
    </div>
    <div class="actions">
      <stb-tv-button focus-key="booking/held/confirm" .number=${1} label=${t('booking.held.confirm')} @tv-activate=${o.onConfirm}></stb-tv-button>
      <stb-tv-button focus-key="booking/held/later" .number=${2} label=${t('booking.held.later')} @tv-activate=${o.onLater}></stb-tv-button>
      <stb-tv-button focus-key="booking/held/release" .number=${3} label=${t('booking.held.release')} @tv-activate=${o.onRelease}></stb-tv-button>
    </div>`;
}

export function confirmedPanel(o: { booking: BookingView; facilities: FacilitySummaryView[]; onMine: () => void; onList: () => void }): TemplateResult {
  const { when, where, facility } = describe(o.booking, o.facilities);
  return html`<div class="facts" data-panel="confirmed">
      <p class="what">${where}</p><p class="what">${when}</p>
      <p class="permit">${t('booking.permit')} <span class="nowrap" data-permit-no>${o.booking.permitNo}</span></p>
      ${feeLine(o.booking)}
      <p>${t('booking.confirmed.note')}</p>
      <p>${t('booking.cancelUntil')} ${longDay(cancelLastDay(o.booking, facility))} ${t('booking.cancelUntil.after')}</p>
    </div>
    <div class="actions">
      <stb-tv-button focus-key="booking/confirmed/mine" .number=${1} label=${t('booking.mine')} @tv-activate=${o.onMine}></stb-tv-button>
      <stb-tv-button focus-key="booking/confirmed/list" .number=${2} label=${t('booking.toList')} @tv-activate=${o.onList}></stb-tv-button>
    </div>`;
}

/** How many bookings my bookings lists at least (the newest days first; the rest are older history): every live one, then history up to this many. */
const MINE_SHOWN = 4;

/**
 * What my bookings lists, in order: the live bookings (held, confirmed), then the ended ones. `keep`
 * (the ids as listed when 予約の確認 opened) holds their places: a booking cancelled on this visit
 * stays where it was, now 取り消しました, instead of moving behind the live ones to another page.
 */
export function mineList(mine: MyBookingsView, keep: readonly string[] = []): BookingView[] {
  const isLive = (b: BookingView) => b.state === 'held' || b.state === 'confirmed';
  const all = [...mine.bookings.filter(isLive), ...mine.bookings.filter((b) => !isLive(b))];
  const place = (b: BookingView) => (keep.includes(b.id) ? keep.indexOf(b.id) : keep.length + all.indexOf(b));
  return all.filter((b, i) => isLive(b) || i < MINE_SHOWN || keep.includes(b.id)).sort((a, b) => place(a) - place(b));
}

/**
 * How many bookings one page of my bookings shows: four at 大; three at 特大, where four (two lines
 * each) and a notice ran past the bottom of the screen.
 */
export const minePageSize = (textSize: TextSize) => (textSize === 'xlarge' ? 3 : 4);

export function minePanel(o: {
  mine: MyBookingsView; facilities: FacilitySummaryView[]; today: string; offset: number; pageSize: number; keep: readonly string[];
  onConfirm: (b: BookingView) => void; onCancel: (b: BookingView) => void; onBack: () => void; onPage: (offset: number) => void;
}): TemplateResult {
  const all = mineList(o.mine, o.keep);
  const shown = all.slice(o.offset, o.offset + o.pageSize);
  // The latest notice that asks something of the resident; receipts are read in お知らせ (home 7).
  const notice = o.mine.notices.find((n) => n.kind !== 'confirmed' && n.kind !== 'cancelled');
  return html`<div data-panel="mine" data-offset=${o.offset}>
    ${notice ? html`<p class="notice" data-notice=${notice.kind}>${t('booking.notices')}： ${keepWhole(notice.text)}</p>` : nothing}
    ${shown.length ? nothing : html`<p data-empty>${t('booking.mine.none')}</p>`}
    <ul class="mine">
      ${shown.map((b) => {
        const { when, where, facility } = describe(b, o.facilities);
        return html`<li data-booking=${b.id} data-state=${b.state}>
          <span class="line">${keepWhole(when)} ${where} ・ ${t(`booking.state.${b.state}`)}${b.permitNo ? html` ${t('booking.permit')} <span class="nowrap">${b.permitNo}</span>` : nothing}</span>
          ${b.state === 'held' ? html`<stb-tv-button focus-key="booking/mine/confirm/${b.id}" label=${t('booking.mine.confirm')} @tv-activate=${() => o.onConfirm(b)}></stb-tv-button>` : nothing}
          ${cancellable(b, facility, o.today) ? html`<stb-tv-button focus-key="booking/mine/cancel/${b.id}" label=${t('booking.mine.cancel')} @tv-activate=${() => o.onCancel(b)}></stb-tv-button>` : nothing}
        </li>`;
      })}
    </ul>
    <div class="actions">
      ${o.offset > 0 ? html`<stb-tv-button focus-key="booking/mine/prev" label=${t('booking.mine.prev')} @tv-activate=${() => o.onPage(Math.max(0, o.offset - o.pageSize))}></stb-tv-button>` : nothing}
      ${o.offset + o.pageSize < all.length
        ? html`<stb-tv-button focus-key="booking/mine/next" label="${t('booking.mine.next')} （${t('booking.mine.more')} ${all.length - o.offset - o.pageSize}${t('booking.mine.count')}）"
            @tv-activate=${() => o.onPage(o.offset + o.pageSize)}></stb-tv-button>`
        : nothing}
      <stb-tv-button focus-key="booking/mine/back" label=${t('booking.back')} @tv-activate=${o.onBack}></stb-tv-button>
    </div>
  </div>`;
}

/** The first button of a page of my bookings (confirm or cancel its first live booking), else つぎへ, else もどる. */
export function mineDefaultKey(mine: MyBookingsView, facilities: FacilitySummaryView[], today: string, offset = 0, pageSize = MINE_SHOWN, keep: readonly string[] = []): string {
  const all = mineList(mine, keep);
  for (const b of all.slice(offset, offset + pageSize)) {
    if (b.state === 'held') return `booking/mine/confirm/${b.id}`;
    if (cancellable(b, facilities.find((f) => f.id === b.facilityId), today)) return `booking/mine/cancel/${b.id}`;
  }
  return offset + pageSize < all.length ? 'booking/mine/next' : 'booking/mine/back';
}
