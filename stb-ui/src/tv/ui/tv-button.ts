import { LitElement, css, html, nothing } from 'lit';
import { FocusController } from '../focus/focus-controller.js';
import { t } from '../strings.js';

/**
 * A big remote-friendly button: an optional number chip (its number key picks it), a label, and a
 * "✓ 選択中" mark when `selected`. It registers itself with the focus service; focus shows as a
 * thick outline, a slight scale and a brighter face, never by colour alone.
 *
 * @fires tv-activate - OK, its number key, or a pointer click picked it
 * @csspart face - the visible button (the part that scales; the host keeps its box, so cached rects stay true)
 * @cssprop --stb-button-height - minimum height (default 112px × text scale); also --stb-button-font, --stb-button-padding, --stb-button-gap (chip to label), --stb-button-justify
 * @cssprop --stb-focus-scale - how much the focused face grows (1.05); dense grids use 1 with a negative --stb-focus-offset (ring inside)
 */
export class StbTvButton extends LitElement {
  static override properties = {
    label: {},
    number: { type: Number },
    focusKey: { attribute: 'focus-key' },
    selected: { type: Boolean, reflect: true },
  };
  declare label: string;
  declare number: number | undefined;
  declare focusKey: string | undefined;
  declare selected: boolean;

  static override styles = css`
    :host { display: block; }
    .face {
      display: flex; align-items: center; gap: var(--stb-button-gap, 0.6em); box-sizing: border-box; height: 100%;
      min-height: var(--stb-button-height, calc(112px * var(--stb-text-scale, 1))); padding: var(--stb-button-padding, 0.25em 0.9em);
      border: 4px solid var(--stb-border); border-radius: 20px;
      background: var(--stb-surface); color: var(--stb-fg);
      font-size: var(--stb-button-font, calc(48px * var(--stb-text-scale, 1))); font-weight: 700; line-height: 1.3;
      justify-content: var(--stb-button-justify, flex-start);
    }
    .num {
      flex: none; display: inline-flex; align-items: center; justify-content: center;
      width: 1.5em; height: 1.5em; border-radius: 50%; font-size: 0.8em;
      background: var(--stb-fg); color: var(--stb-bg);
    }
    /* A label never breaks: the button is made wide enough for it (the layout test checks). */
    .label { white-space: nowrap; }
    .check { margin-left: auto; padding-left: 0.3em; white-space: nowrap; }
    :host([selected]) .face { border-color: var(--stb-fg); }
    :host([focused]) .face {
      outline: 10px solid var(--stb-focus); outline-offset: var(--stb-focus-offset, 4px); transform: scale(var(--stb-focus-scale, 1.05));
      background: var(--stb-focus-bg); color: var(--stb-focus-fg);
    }
    :host([focused]) .num { background: var(--stb-focus-fg); color: var(--stb-focus-bg); }
  `;

  private _focus = new FocusController(this, () => ({
    key: this.focusKey, number: this.number, onSelect: () => this.activate(),
  }));
  private _pointer = '';

  constructor() {
    super();
    this.label = '';
    this.selected = false;
  }

  override connectedCallback() {
    super.connectedCallback();
    this.setAttribute('role', 'button');
  }

  /** Picks the button: fires `tv-activate`. */
  activate(): void {
    this.dispatchEvent(new CustomEvent('tv-activate', { bubbles: true, composed: true }));
  }

  // Pointer remotes (LG Magic Remote) and the 5-way keys behave the same: hovering focuses, clicking picks.
  // Chromium sends a synthetic move after layout changes, so only a real change of position counts.
  private _onPointerMove(e: PointerEvent) {
    const at = `${e.screenX},${e.screenY}`;
    if (at === this._pointer) return;
    this._pointer = at;
    if (!this._focus.focused) this._focus.focus();
  }

  private _onClick() {
    this._focus.focus();
    this.activate();
  }

  override render() {
    return html`<div class="face" part="face" @pointermove=${this._onPointerMove} @click=${this._onClick}>
      ${this.number === undefined ? nothing : html`<span class="num" aria-hidden="true">${this.number}</span>`}
      <span class="label">${this.label}</span>
      ${this.selected ? html`<span class="check" role="img" aria-label=${t('settings.selected')}>✓</span>` : nothing}
    </div>`;
  }
}
customElements.define('stb-tv-button', StbTvButton);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-button': StbTvButton }
  interface HTMLElementEventMap { 'tv-activate': CustomEvent<void> }
}
