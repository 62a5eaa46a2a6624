import { LitElement, css, html } from 'lit';
import { FocusController } from '../focus/focus-controller.js';
import { t } from '../strings.js';

/** What a cell of the week grid shows: the slot's state, or (choosing for a lottery) its rank. */
export type CellState = 'free' | 'taken' | 'closed' | 'chosen';

const MARK: Record<CellState, string> = { free: '○', taken: '×', closed: '－', chosen: '◎' };

/**
 * One 区分 of one day in the week grid: a mark and a word (○ 空き, × 予約あり, － 受付外; ◎ 第1希望
 * while choosing for a lottery), so the state never rests on colour alone; taken cells are also
 * hatched and closed ones dashed. Every cell takes focus (OK on a taken one offers the waitlist).
 *
 * @fires tv-activate - OK on the cell
 */
export class StbTvSlotCell extends LitElement {
  static override properties = { focusKey: { attribute: 'focus-key' }, state: { reflect: true }, rank: { type: Number }, where: {} };
  declare focusKey: string | undefined;
  /** The day and 区分, for 読み上げ (the grid's headings are not inside the cell). */
  declare where: string;
  declare state: CellState;
  /** The lottery rank (1 = first choice) when `state` is chosen. */
  declare rank: number;

  static override styles = css`
    :host { display: block; }
    .face {
      box-sizing: border-box; height: 100%; display: flex; flex-direction: column; align-items: center; justify-content: center;
      padding: 2px 4px; border: 4px solid var(--stb-border); border-radius: 14px; background: var(--stb-surface); color: var(--stb-fg);
      font-size: calc(36px * var(--stb-text-scale, 1)); font-weight: 700; line-height: 1.05; white-space: nowrap;
    }
    :host([state='free']) .face { border-color: var(--stb-fg); }
    :host([state='taken']) .face {
      background: repeating-linear-gradient(135deg, var(--stb-surface) 0 14px, var(--stb-bg) 14px 28px);
    }
    :host([state='closed']) .face { border-style: dashed; background: var(--stb-bg); }
    :host([state='chosen']) .face { border-width: 8px; border-color: var(--stb-fg); }
    /* Dense grid: the ring is drawn inside the cell, which does not grow (no overlap with neighbours). */
    :host([focused]) .face {
      outline: 8px solid var(--stb-focus); outline-offset: -12px; background: var(--stb-focus-bg); color: var(--stb-focus-fg);
    }
  `;

  private _focus = new FocusController(this, () => ({ key: this.focusKey, onSelect: () => this._activate() }));

  constructor() {
    super();
    this.state = 'closed';
    this.rank = 0;
    this.where = '';
  }

  /** What 読み上げ says for the cell: 「12/1 月 午前 空き」. */
  get label(): string {
    return `${this.where} ${this._word()}`.trim();
  }

  private _word(): string {
    return this.state === 'chosen' ? `第${this.rank}${t('booking.lottery.rank')}` : t(`booking.${this.state}`);
  }

  override connectedCallback() {
    super.connectedCallback();
    this.setAttribute('role', 'button');
  }

  private _activate() {
    this.dispatchEvent(new CustomEvent('tv-activate', { bubbles: true, composed: true }));
  }

  private _onClick() {
    this._focus.focus();
    this._activate();
  }

  override render() {
    return html`<div class="face" part="face" @click=${this._onClick}><span class="mark" aria-hidden="true">${MARK[this.state]}</span><span>${this._word()}</span></div>`;
  }
}
customElements.define('stb-tv-slot-cell', StbTvSlotCell);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-slot-cell': StbTvSlotCell }
}
