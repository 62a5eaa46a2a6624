import { LitElement, css, html, nothing } from 'lit';
import type { BookingView, HouseholdMember } from '../../api/platform-client.js';
import { FocusController } from '../focus/focus-controller.js';
import type { TextSize } from '../settings.js';
import { t } from '../strings.js';
import type { OperatorContact } from '../operator-contact.js';
import { callLine, callLineStyles } from '../ui/call-line.js';
import { keepWhole } from '../ui/keep-whole.js';
import '../ui/tv-button.js';
import '../ui/tv-dialog.js';
import '../ui/tv-legend.js';
import type { LegendItem } from '../ui/tv-legend.js';
import { confirmedPanel, describe, heldPanel, mineDefaultKey, mineList, minePageSize, minePanel } from './booking-panels.js';
import type { BookingStore, Slot } from './booking-store.js';
import { japanToday, monthName } from './calendar.js';
import './week-grid.js';
import type { SlotPick } from './week-grid.js';

/**
 * A question over the screen: a taken slot (wait for it?), a closed one (why not), a booking to
 * cancel, or Back on a hold (cancel it, or keep it and go back?).
 */
type CellQuestion = { kind: 'taken'; slot: Slot } | { kind: 'closed' } | { kind: 'release' | 'leaveHeld'; booking: BookingView } | null;

/**
 * 施設予約 on the TV: the facility list and the week grid (no login), then — with the card of the
 * household member who books — the hold with its time left, the confirmation with its 利用許可番号,
 * my bookings (cancel until the deadline), the waitlist and lottery choices. The state lives in
 * the app's BookingStore, so the card login in between loses nothing.
 *
 * @fires screen-back - Back on the facility list
 * @fires booking-login - detail: the household member who books (the app logs them in, then resumes the store)
 */
export class StbTvBookingScreen extends LitElement {
  static override properties = { store: { attribute: false }, textSize: { attribute: false }, operator: { attribute: false }, _question: { state: true }, _now: { state: true }, _mineOffset: { state: true } };
  declare store: BookingStore | null;
  /** The TV's text size: 特大 lists fewer of my bookings a page. */
  declare textSize: TextSize;
  /** Whom the failure panel says to call (the household's cable operator). */
  declare operator: OperatorContact | null;
  /** The first booking of my bookings' page; back to 0 each time my bookings opens. */
  declare _mineOffset: number;
  /** The order my bookings opened in (each visit), so a cancelled booking keeps its place. */
  private _mineKeep: string[] = [];
  private _lastView = '';
  declare _question: CellQuestion;
  declare _now: number;

  static override styles = [callLineStyles, css`
    :host { display: block; }
    .top { display: flex; align-items: baseline; justify-content: space-between; gap: 32px; margin: 0 0 8px; }
    h2 { margin: 0; font-size: calc(56px * var(--stb-text-scale, 1)); font-weight: 700; white-space: nowrap; }
    p { margin: 0 0 20px; font-size: calc(40px * var(--stb-text-scale, 1)); line-height: 1.45; }
    .list { display: flex; flex-direction: column; align-items: flex-start; gap: 20px; }
    .bar { display: flex; gap: 32px; margin: 0 0 8px; flex-wrap: wrap; }
    /* 45 px: the number chip (0.8 em) stays at 36 px, the smallest text allowed. */
    .list stb-tv-button, .bar stb-tv-button, .actions stb-tv-button, .mine stb-tv-button, stb-tv-dialog stb-tv-button {
      --stb-button-height: calc(72px * var(--stb-text-scale, 1)); --stb-button-font: calc(45px * var(--stb-text-scale, 1));
      --stb-button-padding: 0.1em 0.6em;
    }
    .key { margin: 8px 0 0; font-size: calc(36px * var(--stb-text-scale, 1)); line-height: 1.3; }
    .actions { display: flex; flex-wrap: wrap; gap: 24px 48px; margin: 24px 0 0; }
    .what { font-size: calc(48px * var(--stb-text-scale, 1)); font-weight: 700; margin: 0 0 8px; }
    .countdown, .permit { font-size: calc(56px * var(--stb-text-scale, 1)); font-weight: 700; }
    .mine { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 20px; }
    /* Room on the right for the focused button's growth and ring. */
    .mine li { display: flex; align-items: center; gap: 32px; padding-right: 32px; }
    .mine .line { flex: 1; min-width: 0; font-size: calc(36px * var(--stb-text-scale, 1)); line-height: 1.35; }
    .nowrap { white-space: nowrap; }
    .notice { border: 4px solid var(--stb-fg); border-radius: 16px; padding: 12px 20px; }
    .late { font-size: calc(36px * var(--stb-text-scale, 1)); line-height: 1.3; margin: 0 0 12px; }
  `];

  private _focus = new FocusController(this, () => ({
    key: 'booking', container: true, enterTo: 'default', defaultChild: this._defaultKey(), onBack: () => this._back(),
  }));

  private _legend: LegendItem[] = [{ color: 'blue', label: t('legend.back'), onPress: () => this._back() }];
  private _unsubscribe: (() => void) | null = null;
  private _ticker: ReturnType<typeof setInterval> | null = null;

  constructor() {
    super();
    this.store = null;
    this.textSize = 'large';
    this.operator = null;
    this._mineOffset = 0;
    this._question = null;
    this._now = Date.now();
  }

  override connectedCallback() {
    super.connectedCallback();
    this._unsubscribe = this.store?.subscribe(() => this.requestUpdate()) ?? null;
    // The hold's time left, once a second (a timer, so tests can drive it with a fake clock).
    this._ticker = setInterval(() => {
      if (this.store?.view.name === 'held') this._now = Date.now();
    }, 1000);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this._unsubscribe?.();
    this._unsubscribe = null;
    if (this._ticker !== null) clearInterval(this._ticker);
    this._ticker = null;
  }

  private get _s(): BookingStore {
    return this.store!;
  }

  private _defaultKey(): string | undefined {
    const s = this.store;
    if (!s) return undefined;
    const v = s.view;
    switch (v.name) {
      case 'facilities': return `booking/facility/${s.facility?.id ?? s.facilities[0]?.id}`;
      case 'week': case 'lottery': case 'who': return 'booking/grid';
      case 'held': return 'booking/held/confirm';
      case 'confirmed': return 'booking/confirmed/mine';
      case 'taken': return 'booking/taken/other';
      case 'free': return 'booking/free/hold';
      case 'mine': return mineDefaultKey(v.mine, s.facilities, japanToday(Date.now()), this._mineOffset, minePageSize(this.textSize), this._mineKeep);
      case 'failed': return v.retry ? 'booking/retry' : 'booking/ok';
      // A double OK on a slot must not leave what it started: focus lands on このまま 待つ.
      case 'working': return v.doing ? 'booking/working/wait' : 'booking/ok';
      default: return 'booking/ok';
    }
  }

  private _back() {
    const s = this._s;
    if (this._question) return void (this._question = null);
    switch (s.view.name) {
      case 'facilities': case 'loading':
        this.dispatchEvent(new CustomEvent('screen-back', { bubbles: true, composed: true }));
        return;
      case 'week':
        return void s.open();
      case 'who':
        return s.forgetPending();
      case 'held':
        // Back on a hold asks: a resident going back would not know the slot stays held (the grid
        // shows it 予約あり like anyone's) and runs out unless confirmed in 予約の確認.
        return void (this._question = { kind: 'leaveHeld', booking: s.view.booking });
      default:
        return this._leave();
    }
  }

  /** Back to the week grid, or the facility list when no facility was picked. */
  private _leave() {
    const s = this._s;
    void (s.facility ? s.backToWeek() : s.open());
  }

  private _onPick(e: CustomEvent<SlotPick>) {
    const s = this._s;
    const { slot, state } = e.detail;
    if (s.view.name === 'lottery' && state !== 'closed') return s.toggleChoice(slot);
    if (state === 'free') return void s.hold(slot);
    this._question = state === 'taken' ? { kind: 'taken', slot } : { kind: 'closed' };
  }

  private _login(member: HouseholdMember) {
    this.dispatchEvent(new CustomEvent('booking-login', { detail: member, bubbles: true, composed: true }));
  }

  private _title(): string {
    const s = this._s;
    switch (s.view.name) {
      case 'week': case 'who': return s.facility?.name ?? t('booking.title');
      case 'lottery': return `${t('booking.lottery.title')} ${monthName(s.view.month)}`;
      case 'held': return t('booking.held.title');
      case 'confirmed': return t('booking.confirmed.title');
      case 'taken': return t('booking.taken.title');
      case 'free': return t('booking.free.title');
      case 'waiting': return t('booking.waiting.title');
      case 'applied': return t('booking.applied.title');
      case 'mine': return t('booking.mine.title');
      case 'failed': return t('booking.failed.title');
      case 'working': return s.view.doing ? t(`booking.doing.${s.view.doing}`) : t('booking.title');
      default: return t('booking.title');
    }
  }

  private _facilities() {
    const s = this._s;
    return html`${this._lateLine() ?? html`<p>${t('booking.facilities.lead')}</p>`}
      <div class="list">
        ${s.facilities.map((f, i) => html`<stb-tv-button focus-key="booking/facility/${f.id}" .number=${i + 1}
          label="${f.name}${f.lottery ? ` ・ ${t('booking.lotteryOpen')}` : ''}" @tv-activate=${() => void s.pickFacility(f)}></stb-tv-button>`)}
        <stb-tv-button focus-key="booking/mine" .number=${s.facilities.length + 1} label=${t('booking.mine')}
          @tv-activate=${() => void s.showMine()}></stb-tv-button>
      </div>`;
  }

  private _week() {
    const s = this._s;
    const lottery = s.view.name === 'lottery';
    const atFirst = !!s.week && !!s.firstDay && s.week.from <= s.firstDay;
    return html`${lottery ? nothing : this._lateLine() ?? nothing}
      <div class="bar">
        ${s.facility?.units.map((u) => html`<stb-tv-button focus-key="booking/unit/${u.id}" label=${u.name} ?selected=${u.id === s.unitId}
          @tv-activate=${() => s.pickUnit(u.id)}></stb-tv-button>`)}
        ${atFirst && !lottery ? nothing : html`<stb-tv-button focus-key="booking/prev" .number=${1} label=${t('booking.prevWeek')} @tv-activate=${() => void s.page(-1)}></stb-tv-button>`}
        <stb-tv-button focus-key="booking/next" .number=${2} label=${t('booking.nextWeek')} @tv-activate=${() => void s.page(1)}></stb-tv-button>
        ${lottery
          ? html`<stb-tv-button focus-key="booking/lottery/apply" .number=${3} label="${t('booking.lottery.apply')} （${s.choices.length}）"
              @tv-activate=${() => void s.applyLottery()}></stb-tv-button>`
          : s.facility?.lottery ? html`<stb-tv-button focus-key="booking/lottery" .number=${3} label=${t('booking.lottery')} @tv-activate=${() => void s.startLottery()}></stb-tv-button>` : nothing}
      </div>
      <stb-tv-week-grid .week=${s.week} unitId=${s.unitId ?? ''} .choices=${lottery ? s.choices : null} @slot-pick=${this._onPick}></stb-tv-week-grid>
      ${lottery ? html`<p class="key">${t('booking.lottery.lead')}</p>` : nothing}`;
  }

  private _questionDialog() {
    const q = this._question;
    const close = () => { this._question = null; };
    if (!q) return nothing;
    if (q.kind === 'closed') {
      return html`<stb-tv-dialog focus-key="booking-closed" default-key="booking-closed/ok" heading=${t('booking.closedSlot.title')}
        message=${t('booking.closedSlot.message')} @dialog-cancel=${close}>
        <stb-tv-button focus-key="booking-closed/ok" .number=${1} label=${t('booking.back')} @tv-activate=${close}></stb-tv-button>
      </stb-tv-dialog>`;
    }
    if (q.kind === 'taken') {
      return html`<stb-tv-dialog focus-key="booking-taken" default-key="booking-taken/no" heading=${t('booking.takenSlot.title')}
        message=${t('booking.takenSlot.message')} @dialog-cancel=${close}>
        <stb-tv-button focus-key="booking-taken/wait" .number=${1} label=${t('booking.wait')} @tv-activate=${() => { close(); void this._s.wait(q.slot); }}></stb-tv-button>
        <stb-tv-button focus-key="booking-taken/no" .number=${2} label=${t('booking.back')} @tv-activate=${close}></stb-tv-button>
      </stb-tv-dialog>`;
    }
    if (q.kind === 'leaveHeld') {
      return html`<stb-tv-dialog focus-key="booking-leave-held" default-key="booking-leave-held/keep" heading=${t('booking.leaveHeld.title')}
        message=${t('booking.leaveHeld.message')} @dialog-cancel=${close}>
        <stb-tv-button focus-key="booking-leave-held/release" .number=${1} label=${t('booking.cancelAsk.yes')}
          @tv-activate=${() => { close(); void this._s.cancel(q.booking); }}></stb-tv-button>
        <stb-tv-button focus-key="booking-leave-held/keep" .number=${2} label=${t('booking.leaveHeld.keep')} @tv-activate=${() => { close(); this._leave(); }}></stb-tv-button>
      </stb-tv-dialog>`;
    }
    return html`<stb-tv-dialog focus-key="booking-cancel" default-key="booking-cancel/no" heading=${t('booking.cancelAsk.title')}
      message=${describe(q.booking, this._s.facilities).when} @dialog-cancel=${close}>
      <stb-tv-button focus-key="booking-cancel/yes" .number=${1} label=${t('booking.cancelAsk.yes')} @tv-activate=${() => { close(); void this._s.cancel(q.booking); }}></stb-tv-button>
      <stb-tv-button focus-key="booking-cancel/no" .number=${2} label=${t('booking.cancelAsk.no')} @tv-activate=${close}></stb-tv-button>
    </stb-tv-dialog>`;
  }

  private _who(members: HouseholdMember[]) {
    const s = this._s;
    return html`<stb-tv-dialog focus-key="booking-who" default-key=${members[0] ? `booking-who/${members[0].personId}` : 'booking-who/no'}
      heading=${t('booking.who.title')} message=${members.length ? t('booking.who.message') : t('booking.who.none')} @dialog-cancel=${() => s.forgetPending()}>
      ${members.map((m, i) => html`<stb-tv-button focus-key="booking-who/${m.personId}" .number=${i + 1} label=${m.name ?? t('home.unnamed')}
        @tv-activate=${() => this._login(m)}></stb-tv-button>`)}
      <stb-tv-button focus-key="booking-who/no" .number=${members.length + 1} label=${t('booking.back')} @tv-activate=${() => s.forgetPending()}></stb-tv-button>
    </stb-tv-dialog>`;
  }

  private _ok(label = t('booking.back')) {
    return html`<div class="actions"><stb-tv-button focus-key="booking/ok" label=${label} @tv-activate=${() => this._back()}></stb-tv-button></div>`;
  }

  private _body() {
    const s = this._s;
    const v = s.view;
    const today = japanToday(Date.now());
    switch (v.name) {
      // Something to focus even now (exactly one element is always focused); Back leaves the wait.
      case 'loading': case 'working': {
        const doing = v.name === 'working' ? v.doing : undefined;
        if (!doing) return html`<p data-panel="working">${t('booking.loading')}</p>${this._ok()}`;
        const slot = v.name === 'working' && v.slot && s.facility ? describe({ ...v.slot, facilityId: s.facility.id }, s.facilities) : null;
        return html`<div class="facts" data-panel="working" data-doing=${doing}>
            ${slot ? html`<p class="what">${slot.where}</p><p class="what">${slot.when}</p>` : nothing}
            <p>${t('work.title')}</p>
          </div>
          <div class="actions">
            <stb-tv-button focus-key="booking/working/wait" .number=${1} label=${t('work.wait')} @tv-activate=${() => {}}></stb-tv-button>
            <stb-tv-button focus-key="booking/ok" .number=${2} label=${t('booking.back')} @tv-activate=${() => this._back()}></stb-tv-button>
          </div>`;
      }
      case 'facilities': return this._facilities();
      case 'week': case 'lottery': return this._week();
      case 'who': return html`${this._week()}${this._who(v.members)}`;
      case 'held': {
        return heldPanel({
          booking: v.booking, facilities: s.facilities, now: this._now,
          onConfirm: () => void s.confirm(v.booking), onLater: () => this._leave(), onRelease: () => { this._question = { kind: 'release', booking: v.booking }; },
        });
      }
      case 'confirmed':
        return confirmedPanel({ booking: v.booking, facilities: s.facilities, onMine: () => void s.showMine(), onList: () => void s.open() });
      case 'mine':
        return minePanel({
          mine: v.mine, facilities: s.facilities, today, offset: this._mineOffset, pageSize: minePageSize(this.textSize), keep: this._mineKeep,
          onConfirm: (b) => void s.confirm(b), onCancel: (b) => { this._question = { kind: 'release', booking: b }; }, onBack: () => this._back(),
          onPage: (offset) => { this._mineOffset = offset; },
        });
      case 'taken':
        return html`<div data-panel="taken"><p>${v.message}</p><p>${t('booking.taken.why')}</p><p>${t('booking.taken.next')}</p></div>
          <div class="actions">
            <stb-tv-button focus-key="booking/taken/other" .number=${1} label=${t('booking.pickOther')} @tv-activate=${() => void s.backToWeek()}></stb-tv-button>
            <stb-tv-button focus-key="booking/taken/wait" .number=${2} label=${t('booking.wait')} @tv-activate=${() => void s.wait(v.slot)}></stb-tv-button>
          </div>`;
      case 'free':
        return html`<div data-panel="free"><p>${t('booking.free.why')}</p><p>${t('booking.free.next')}</p></div>
          <div class="actions">
            <stb-tv-button focus-key="booking/free/hold" .number=${1} label=${t('booking.free.hold')} @tv-activate=${() => void s.hold(v.slot)}></stb-tv-button>
            <stb-tv-button focus-key="booking/free/other" .number=${2} label=${t('booking.pickOther')} @tv-activate=${() => void s.backToWeek()}></stb-tv-button>
          </div>`;
      case 'waiting': return html`<p data-panel="waiting">${t('booking.waiting.message')}</p>${this._ok()}`;
      case 'applied': return html`<p data-panel="applied">${t('booking.applied.message')}</p>${this._ok()}`;
      case 'failed':
        return html`<p data-panel="failed">${v.message}</p>
          ${callLine(this.operator)}
          <div class="actions">
            ${v.retry ? html`<stb-tv-button focus-key="booking/retry" .number=${1} label=${t('booking.retry')} @tv-activate=${v.retry}></stb-tv-button>` : nothing}
            <stb-tv-button focus-key="booking/ok" .number=${2} label=${t('booking.back')} @tv-activate=${() => this._back()}></stb-tv-button>
          </div>`;
    }
  }

  override willUpdate() {
    // Each visit to my bookings starts on its first page, in the order it opened with; a refresh
    // (a cancel or a confirm goes through 'working') keeps the page and the order.
    const v = this.store?.view;
    if (!v || v.name === 'working') return;
    if (v.name === 'mine') {
      if (this._lastView !== 'mine') {
        this._mineOffset = 0;
        this._mineKeep = mineList(v.mine).map((b) => b.id);
      }
      const length = mineList(v.mine, this._mineKeep).length;
      const size = minePageSize(this.textSize);
      if (this._mineOffset >= length) this._mineOffset = Math.max(0, Math.floor((length - 1) / size) * size);
    }
    this._lastView = v.name;
  }

  override render() {
    if (!this.store) return nothing;
    return html`<div class="top"><h2 data-screen="booking" data-view=${this.store.view.name}>${this._title()}</h2>
        <stb-tv-legend .items=${this._legend}></stb-tv-legend></div>
      ${this._body()}
      ${this._questionDialog()}`;
  }

  /**
   * A hold or confirmation that came after the resident went back: where to find it. Shown where
   * Back leads (the grid, the facility list, in place of its lead), where it fits at 特大; it stays
   * until they see the booking (held, confirmed, 予約の確認) or log out.
   */
  private _lateLine() {
    const b = this._s.late;
    if (!b) return null;
    const { when, where } = describe(b, this._s.facilities);
    const state = b.state === 'confirmed' ? 'confirmed' : 'held';
    return html`<p class="notice late" data-late=${state}>${t(`booking.late.${state}`)} ${keepWhole(when)} ${where}。 ${t(`booking.late.${state}.next`)}</p>`;
  }
}
customElements.define('stb-tv-booking-screen', StbTvBookingScreen);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-booking-screen': StbTvBookingScreen }
  interface HTMLElementEventMap { 'booking-login': CustomEvent<HouseholdMember> }
}
