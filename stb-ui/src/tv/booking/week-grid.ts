import { LitElement, css, html } from 'lit';
import type { WeekGridView } from '../../api/platform-client.js';
import { FocusController } from '../focus/focus-controller.js';
import type { Slot } from './booking-store.js';
import { shortDay } from './calendar.js';
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
  static override properties = { week: { attribute: false }, unitId: {}, stateOf: { attribute: false } };
  declare week: WeekGridView | null;
  declare unitId: string | null;
  /** The state a cell shows (the screen knows about lottery choices). */
  declare stateOf: (slot: Slot) => { state: CellState; rank: number };

  static override styles = css`
    :host { display: block; }
    .grid { display: grid; gap: 8px; align-items: stretch; }
    .day, .period { font-size: calc(36px * var(--stb-text-scale, 1)); font-weight: 700; white-space: nowrap; }
    .day { text-align: center; padding: 4px 0; }
    .period { display: flex; flex-direction: column; justify-content: center; line-height: 1.2; }
    .times { font-weight: 400; }
    stb-tv-slot-cell { min-height: calc(104px * var(--stb-text-scale, 1)); }
  `;

  private _focus = new FocusController(this, () => ({ key: 'booking/grid', container: true }));

  constructor() {
    super();
    this.week = null;
    this.unitId = null;
    this.stateOf = () => ({ state: 'closed', rank: 0 });
  }

  private _pick(slot: Slot, state: CellState) {
    this.dispatchEvent(new CustomEvent<SlotPick>('slot-pick', { detail: { slot, state }, bubbles: true, composed: true }));
  }

  override render() {
    const week = this.week;
    const unitId = this.unitId;
    if (!week || !unitId) return html``;
    return html`<div class="grid" role="grid" style="grid-template-columns: max-content repeat(${week.days.length}, 1fr)">
      <span></span>
      ${week.days.map((d) => html`<span class="day" role="columnheader">${shortDay(d)}</span>`)}
      ${week.periods.map((p) => html`<span class="period" role="rowheader">${p.label}<span class="times">${p.start}–${p.end}</span></span>
        ${week.days.map((day) => {
          const slot = { unitId, day, period: p.code };
          const { state, rank } = this.stateOf(slot);
          return html`<stb-tv-slot-cell focus-key="booking/slot/${day}/${p.code}" state=${state} .rank=${rank}
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
