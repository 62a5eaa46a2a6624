import { LitElement, html, nothing } from 'lit';
import { ConsoleError, type BoardView, type ConsoleClient, type ConsoleFacilitiesView, type DayBoardView, type ReplayResultView } from '../console-client.js';
import { consoleStyles } from '../styles.js';

type Facility = ConsoleFacilitiesView['facilities'][number];

const DAY_MS = 86_400_000;
const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];
const today = () => new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const dayLabel = (day: string) => `${Number(day.slice(5, 7))}/${Number(day.slice(8))}（${WEEKDAYS[new Date(`${day}T00:00:00Z`).getUTCDay()]}）`;
const STATE_JA: Record<string, string> = { held: '仮予約', confirmed: '確定' };
const SOURCE_JA: Record<string, string> = { resident: '住民', admin: '市の使用', lottery: '抽選', waitlist: '空き待ち' };

/**
 * 施設予約 for a municipality's facility staff: the week's board of one facility (区分 × days, what
 * kind of booking and its 利用許可番号, closed days), the day board (one day, 区分 × every unit, with
 * holds' expiry), an administrative booking that overrides
 * residents' (they are told on their TV), the policy's numbers, closed days, and the lottery:
 * open a round (its seed is published at once), close its applications, draw it (only once they
 * have closed), re-run it from the seed to check.
 */
export class OpBookingPage extends LitElement {
  static override styles = consoleStyles;
  static override properties = {
    client: { attribute: false },
    _facilities: { state: true }, _selected: { state: true }, _from: { state: true }, _board: { state: true },
    _error: { state: true }, _notice: { state: true }, _replay: { state: true }, _day: { state: true }, _dayBoard: { state: true },
  };
  declare client: ConsoleClient;
  declare _facilities: ConsoleFacilitiesView | null;
  declare _selected: string;
  declare _from: string;
  declare _board: BoardView | null;
  declare _error: string;
  declare _notice: string;
  declare _replay: (ReplayResultView & { roundId: string }) | null;
  /** The day the day board shows, and what it shows. */
  declare _day: string;
  declare _dayBoard: DayBoardView | null;

  constructor() {
    super();
    this._facilities = null;
    this._selected = '';
    this._from = today();
    this._board = null;
    this._error = '';
    this._notice = '';
    this._replay = null;
    this._day = today();
    this._dayBoard = null;
  }

  override connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  private get facility(): Facility | undefined {
    return this._facilities?.facilities.find((f) => f.id === this._selected);
  }

  private async load() {
    this._error = '';
    try {
      const [facilities, board] = await Promise.all([this.client.bookingFacilities(), this.client.bookingBoard(this._from)]);
      this._facilities = facilities;
      this._board = board;
      if (!this.facility) this._selected = facilities.facilities[0]?.id ?? '';
      await this.loadDay();
    } catch (err) {
      this._error = this.failure(err, '読み込めませんでした。');
    }
  }

  private async loadDay() {
    this._dayBoard = this._selected ? await this.client.bookingDay(this._selected, this._day) : null;
  }

  private showDay(day: string) {
    this._day = day;
    this._error = '';
    this.loadDay().catch((err: unknown) => { this._error = this.failure(err, '読み込めませんでした。'); });
  }

  private failure(err: unknown, fallback: string): string {
    return err instanceof ConsoleError ? `${err.error.ja}（${err.code}）` : fallback;
  }

  /** Runs one change, says what happened, and reloads. */
  private async act(work: () => Promise<string>, event?: Event) {
    event?.preventDefault();
    this._notice = '';
    this._error = '';
    try {
      this._notice = await work();
      (event?.target as HTMLFormElement | undefined)?.reset?.();
      await this.load();
    } catch (err) {
      this._error = this.failure(err, 'できませんでした。');
    }
  }

  private field(event: Event, name: string): string {
    return ((event.target as HTMLFormElement).elements.namedItem(name) as HTMLInputElement).value.trim();
  }

  private week(step: number) {
    this._from = addDays(this._from, step * 7);
    void this.load();
  }

  private renderBoard(f: Facility) {
    const board = this._board?.facilities.find((b) => b.id === f.id);
    const days = Array.from({ length: 7 }, (_, i) => addDays(this._from, i));
    const closed = new Map(f.blackouts.map((b) => [b.day, b.reason]));
    return html`<div class="panel" data-board>
      <h3>予約の状況</h3>
      <p class="row"><button @click=${() => this.week(-1)}>前の週</button><span>${dayLabel(days[0]!)} 〜 ${dayLabel(days[6]!)}</span><button @click=${() => this.week(1)}>次の週</button></p>
      <table><thead><tr><th>場所・区分</th>${days.map((d) => html`<th>${dayLabel(d)}</th>`)}</tr></thead><tbody>
        ${f.units.flatMap((u) => f.policy.periods.map((p) => html`<tr>
          <th>${u.name} ${p.label}</th>
          ${days.map((d) => {
            if (closed.has(d)) return html`<td class="warn">休館（${closed.get(d)}）</td>`;
            const b = board?.bookings.find((x) => x.unitId === u.id && x.day === d && x.period === p.code);
            if (b) return html`<td data-booking=${b.id}>${STATE_JA[b.state] ?? b.state}・${SOURCE_JA[b.source] ?? b.source}${b.permitNo ? html`<br>${b.permitNo}` : nothing}${b.note ? html`<br>${b.note}` : nothing}</td>`;
            const shared = board?.units.find((x) => x.id === u.id)?.sharesFloorWith ?? [];
            const blocker = board?.bookings.find((x) => shared.includes(x.unitId) && x.day === d && x.period === p.code);
            const blockerName = blocker && f.units.find((x) => x.id === blocker.unitId)?.name;
            return blocker ? html`<td class="muted" data-blocked-by=${blocker.id}>使用不可（${blockerName} ${STATE_JA[blocker.state] ?? blocker.state}）</td>` : html`<td>空き</td>`;
          })}</tr>`))}
      </tbody></table></div>`;
  }

  /** One day across all the facility's units: 区分 down, units across, what each slot holds. */
  private renderDay() {
    const d = this._dayBoard;
    if (!d || d.facilityId !== this._selected) return nothing;
    const cell = (slot: DayBoardView['units'][number]['slots'][number]) => {
      const b = slot.booking;
      if (b) {
        return html`<td data-slot=${slot.state}>${STATE_JA[b.state] ?? b.state}・${SOURCE_JA[b.source] ?? b.source}${b.permitNo ? html`<br>${b.permitNo}` : nothing}${b.note ? html`<br>${b.note}` : nothing}${b.holdExpiresAt ? html`<br>${new Date(b.holdExpiresAt).toLocaleTimeString('ja-JP', { hour: '2-digit', minute: '2-digit' })} まで` : nothing}</td>`;
      }
      return slot.state === 'closed' ? html`<td class="warn" data-slot="closed">受付外</td>` : html`<td data-slot="free">空き</td>`;
    };
    return html`<div class="panel" data-day-board>
      <h3>1日の状況</h3>
      <p class="row"><button @click=${() => this.showDay(addDays(this._day, -1))}>前の日</button>
        <label>日 <input type="date" .value=${this._day} @change=${(e: Event) => this.showDay((e.target as HTMLInputElement).value)} /></label>
        <button @click=${() => this.showDay(addDays(this._day, 1))}>次の日</button></p>
      <p data-day>${dayLabel(d.day)}${d.closedReason ? html`　<strong class="warn">休館（${d.closedReason}）</strong>` : nothing}</p>
      <table><thead><tr><th>区分</th>${d.units.map((u) => html`<th>${u.name}</th>`)}</tr></thead><tbody>
        ${d.periods.map((p, i) => html`<tr><th>${p.label} ${p.start}–${p.end}</th>${d.units.map((u) => cell(u.slots[i]!))}</tr>`)}
      </tbody></table></div>`;
  }

  private renderAdmin(f: Facility) {
    const book = (e: Event) => this.act(async () => {
      const result = await this.client.adminBooking(f.id, {
        unitId: this.field(e, 'unit'), day: this.field(e, 'day'), period: this.field(e, 'period'), note: this.field(e, 'note'),
        idempotencyKey: `console-${crypto.randomUUID()}`,
      });
      return result.overridden ? `市の使用で予約しました。住民の予約 ${result.overridden}件を取り消し、テレビでお知らせしました。` : '市の使用で予約しました。';
    }, e);
    return html`<div class="panel"><h3>市の使用で予約する</h3>
      <p>住民の予約が入っていても優先されます。取り消された方にはテレビでお知らせし、操作記録に残ります。</p>
      <form class="row" @submit=${book} data-admin-booking>
        <label>場所 <select name="unit">${f.units.map((u) => html`<option value=${u.id}>${u.name}</option>`)}</select></label>
        <label>日 <input name="day" type="date" required min=${today()} /></label>
        <label>区分 <select name="period">${f.policy.periods.map((p) => html`<option value=${p.code}>${p.label} ${p.start}–${p.end}</option>`)}</select></label>
        <label>用件 <input name="note" required maxlength="200" placeholder="市民運動会" /></label>
        <button class="danger" type="submit">予約する</button>
      </form></div>`;
  }

  private renderPolicy(f: Facility) {
    const p = f.policy;
    const save = (e: Event) => this.act(async () => {
      const n = (name: string) => Number(this.field(e, name));
      await this.client.updatePolicy(f.id, {
        residentHorizonDays: n('residentHorizonDays'), nonResidentHorizonDays: n('nonResidentHorizonDays'), cancelDeadlineDays: n('cancelDeadlineDays'),
        monthlyQuota: n('monthlyQuota'), holdMinutes: n('holdMinutes'),
      });
      return '決まりを変更しました。';
    }, e);
    const num = (name: keyof typeof p, label: string, min: number, max: number) =>
      html`<label>${label} <input name=${name} type="number" required min=${min} max=${max} .value=${String(p[name])} style="width:6em" /></label>`;
    return html`<div class="panel"><h3>決まり</h3>
      <form class="row" @submit=${save} data-policy>
        ${num('residentHorizonDays', '市民は何日先まで', 1, 400)} ${num('nonResidentHorizonDays', '市外の方は何日先まで', 0, 400)}
        ${num('cancelDeadlineDays', '取り消しは何日前まで', 0, 60)} ${num('monthlyQuota', '1人 1か月の上限', 1, 100)} ${num('holdMinutes', '仮予約の分数', 5, 1440)}
        <button class="primary" type="submit">保存</button>
      </form>
      <p>区分: ${p.periods.map((x) => `${x.label} ${x.start}–${x.end}`).join('、')}　料金（市民）: ${p.fees.map((x) => `${x.resident}円`).join('、')}</p></div>`;
  }

  private renderBlackouts(f: Facility) {
    // Closing leaves what was booked on those days for staff to handle: say so, with the count.
    const stillBooked = (booked: number) => (booked
      ? ` その日の 予約 ${booked}件は そのままです（予約した 住民の方には テレビで お知らせしました）。予約の状況で 確かめてください。` : '');
    const add = (e: Event) => this.act(async () => {
      const { booked } = await this.client.addBlackout(f.id, this.field(e, 'day'), this.field(e, 'reason'));
      return `休館日を登録しました。${stillBooked(booked)}`;
    }, e);
    const addWeekly = (e: Event) => this.act(async () => {
      const weekday = Number(this.field(e, 'weekday'));
      const { days, booked } = await this.client.addWeeklyBlackouts(f.id, { weekday, from: this.field(e, 'from'), until: this.field(e, 'until'), reason: this.field(e, 'reason') });
      return `毎週${WEEKDAYS[weekday]}曜日の ${days}日を 休館日にしました。${stillBooked(booked)}`;
    }, e);
    // The server takes at most a year at once (from and until both counted).
    const lastUntil = (from: string) => addDays(from, 365);
    return html`<div class="panel"><h3>休館日</h3>
      <form class="row" @submit=${add} data-blackout>
        <label>日 <input name="day" type="date" required min=${today()} /></label>
        <label>理由 <input name="reason" required maxlength="200" placeholder="設備点検" /></label>
        <button type="submit">登録</button>
      </form>
      <form class="row" @submit=${addWeekly} data-weekly-blackout>
        <label>毎週 <select name="weekday">${WEEKDAYS.map((w, i) => html`<option value=${i} ?selected=${i === 1}>${w}曜日</option>`)}</select></label>
        <label>から <input name="from" type="date" required min=${today()} value=${today()} /></label>
        <label>まで <input name="until" type="date" required min=${today()} max=${lastUntil(today())} /></label>
        <label>理由 <input name="reason" required maxlength="200" value="定休日" /></label>
        <button type="submit">まとめて登録</button>
      </form>
      <p data-blackouts>${f.blackouts.length ? f.blackouts.map((b) => `${dayLabel(b.day)} ${b.reason}`).join('、') : 'この先の休館日はありません。'}${f.moreBlackouts ? `　ほか ${f.moreBlackouts}日` : ''}</p></div>`;
  }

  private renderLottery(f: Facility) {
    if (!f.policy.lottery && !f.rounds.length) return nothing;
    const open = (e: Event) => this.act(async () => {
      const round = await this.client.openLotteryRound(f.id, this.field(e, 'month'), new Date(`${this.field(e, 'applyUntil')}T23:59:59+09:00`).toISOString());
      return `${round.month} の抽選を受け付けます。シード（公開）: ${round.seed}`;
    }, e);
    const close = (roundId: string) => this.act(async () => {
      const round = await this.client.closeLotteryRound(roundId);
      return `${round.month} の抽選の申し込みを締め切りました（${round.applications}件）。`;
    });
    const draw = (roundId: string) => this.act(async () => {
      const result = await this.client.drawLotteryRound(roundId);
      return `抽選しました。当選 ${result.won}件。申込者一覧のハッシュ: ${result.entrantsHash}`;
    });
    const replay = async (roundId: string) => {
      this._error = '';
      try {
        this._replay = { roundId, ...(await this.client.replayLotteryRound(roundId)) };
      } catch (err) {
        this._error = this.failure(err, '確かめられませんでした。');
      }
    };
    return html`<div class="panel" data-lottery><h3>抽選</h3>
      <form class="row" @submit=${open}>
        <label>利用する月 <input name="month" type="month" required /></label>
        <label>申し込みの締め切り <input name="applyUntil" type="date" required min=${today()} /></label>
        <button type="submit">受付を始める</button>
      </form>
      <table><thead><tr><th>月</th><th>締め切り</th><th>申し込み</th><th>シード（公開）</th><th>抽選</th><th></th></tr></thead><tbody>
        ${f.rounds.map((r) => html`<tr data-round=${r.id}>
          <td>${r.month}</td><td>${new Date(r.applyUntil).toLocaleString('ja-JP')}</td><td>${r.applications}件</td>
          <td><code>${r.seed.slice(0, 16)}…</code></td>
          <td>${r.drawnAt ? html`${new Date(r.drawnAt).toLocaleString('ja-JP')}<br><code>${r.entrantsHash?.slice(0, 16)}…</code>` : '未'}</td>
          <td>${r.drawnAt
            ? html`<button @click=${() => replay(r.id)}>シードから再計算して確かめる</button>
                ${this._replay?.roundId === r.id ? html`<span class=${this._replay.listUnchanged && this._replay.matchesHolds ? 'ok' : 'error'} data-replay>
                  ${this._replay.listUnchanged && this._replay.matchesHolds ? `同じ結果です（当選 ${this._replay.won}件）` : '結果が一致しません'}</span>` : nothing}`
            : Date.parse(r.applyUntil) > Date.now()
              ? html`<button @click=${() => close(r.id)}>申し込みを締め切る</button>`
              : html`<button class="primary" @click=${() => draw(r.id)}>抽選する</button>`}</td></tr>`)}
      </tbody></table></div>`;
  }

  override render() {
    const list = this._facilities;
    const f = this.facility;
    return html`<h2>施設予約</h2>
      ${this._notice ? html`<p class="ok" role="status">${this._notice}</p>` : ''}
      ${this._error ? html`<p class="error" role="alert">${this._error} <button @click=${() => this.load()}>もう一度</button></p>` : ''}
      ${!list ? html`<div class="empty" data-state="loading">読み込んでいます…</div>`
        : !list.facilities.length ? html`<div class="empty" data-state="empty">予約できる施設はありません。</div>`
        : html`<div class="panel"><label>施設 <select @change=${(e: Event) => { this._selected = (e.target as HTMLSelectElement).value; this._replay = null; this.showDay(this._day); }}>
            ${list.facilities.map((x) => html`<option value=${x.id} ?selected=${x.id === this._selected}>${x.name}</option>`)}</select></label></div>
          ${f ? html`${this.renderBoard(f)}${this.renderDay()}${this.renderAdmin(f)}${this.renderLottery(f)}${this.renderPolicy(f)}${this.renderBlackouts(f)}` : ''}`}`;
  }
}
customElements.define('op-booking-page', OpBookingPage);
declare global {
  interface HTMLElementTagNameMap { 'op-booking-page': OpBookingPage }
}
