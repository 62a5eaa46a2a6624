import { LitElement, css, html } from 'lit';
import type { WeekGridView } from '../../api/platform-client.js';
import { FocusController } from '../focus/focus-controller.js';
import { lotteryCellState, type Slot } from './booking-store.js';
import { hours, shortDay } from './calendar.js';
import './slot-cell.js';
import type { CellState } from './slot-cell.js';

/** What a cell picked with OK says to the screen. */
export interface SlotPick {
  slot: Slot;
  state: CellState;
}

/**
 * The week grid: 区分 down, days across, for one unit; arrows move between cells (the focus
 * service's geometry), OK picks one. The screen decides what a pick means (hold, waitlist,
 * lottery choice). Focus keys are `booking/slot/<day>/<period>`.
 *
 * @fires slot-pick - detail: SlotPick
 */
export class StbTvWeekGrid extends LitElement {
  static override properties = { week: { attribute: false }, unitId: {}, choices: { attribute: false } };
  declare week: WeekGridView | null;
  declare unitId: string | null;
  /** Choosing for a lottery: the ranked choices so far (cells show their rank, not their state); else null. */
  declare choices: Slot[] | null;

  static override styles = css`
    :host { display: block; }
    .grid { display: grid; gap: 6px; align-items: stretch; }
    .day, .period { font-size: calc(36px * var(--stb-text-scale, 1)); font-weight: 700; white-space: nowrap; }
    .day { text-align: center; line-height: 1.1; }
    .period { display: flex; flex-direction: column; justify-content: center; line-height: 1.1; }
    .times { font-weight: 400; }
    stb-tv-slot-cell { min-height: calc(80px * var(--stb-text-scale, 1)); }
  `;

  private _focus = new FocusController(this, () => ({ key: 'booking/grid', container: true }));

  constructor() {
    super();
    this.week = null;
    this.unitId = null;
    this.choices = null;
  }

  /** What a cell shows: its state, or while choosing for a lottery, its rank among the choices (a 休館日 stays closed). */
  private _cell(week: WeekGridView, slot: Slot, state: CellState): { state: CellState; rank: number } {
    return this.choices ? lotteryCellState(week, slot, this.choices) : { state, rank: 0 };
  }

  private _pick(slot: Slot, state: CellState) {
    this.dispatchEvent(new CustomEvent<SlotPick>('slot-pick', { detail: { slot, state }, bubbles: true, composed: true }));
  }

  override render() {
    const week = this.week;
    const unitId = this.unitId;
    const unit = week?.units.find((u) => u.id === unitId);
    if (!week || !unitId || !unit) return html``;
    return html`<div class="grid" role="grid" style="grid-template-columns: max-content repeat(${week.days.length}, 1fr)">
      <span></span>
      ${week.days.map((d) => {
        const { date, weekday } = shortDay(d);
        return html`<span class="day" role="columnheader">${date} ${weekday}</span>`;
      })}
      ${week.periods.map((p) => html`<span class="period" role="rowheader">${p.label}<span class="times">${hours(p.start, p.end)}</span></span>
        ${week.days.map((day) => {
          const slot = { unitId, day, period: p.code };
          const { state, rank } = this._cell(week, slot, unit.slots.find((x) => x.day === day && x.period === p.code)?.state ?? 'closed');
          const { date, weekday } = shortDay(day);
          return html`<stb-tv-slot-cell focus-key="booking/slot/${day}/${p.code}" state=${state} .rank=${rank} where="${date} ${weekday} ${p.label}"
            @tv-activate=${() => this._pick(slot, state)}></stb-tv-slot-cell>`;
        })}`)}
    </div>`;
  }
}
customElements.define('stb-tv-week-grid', StbTvWeekGrid);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-week-grid': StbTvWeekGrid }
  interface HTMLElementEventMap { 'slot-pick': CustomEvent<SlotPick> }
}
