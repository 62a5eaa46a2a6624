import { LitElement, css, html } from 'lit';
import { focusService } from '../focus/focus-service.js';
import type { ColorKey } from '../input/actions.js';
import { t } from '../strings.js';

/** One colour key a screen offers: its chip colour, what it does (Japanese label), and the handler. */
export interface LegendItem {
  color: ColorKey;
  label: string;
  onPress: () => void;
}

/**
 * The on-screen legend of the colour keys. A colour key acts only through this element: each item
 * is drawn as a coloured chip with the colour's name and a label, and is bound to its key only
 * while the legend is in the page and in the top focus layer (a dialog over it mutes it).
 */
export class StbTvLegend extends LitElement {
  static override properties = { items: { attribute: false } };
  declare items: LegendItem[];

  static override styles = css`
    :host { display: block; }
    ul { display: flex; gap: 56px; margin: 0; padding: 0; list-style: none; }
    li { display: flex; align-items: center; gap: 16px; font-size: calc(40px * var(--stb-text-scale, 1)); font-weight: 700; }
    .chip {
      display: inline-flex; align-items: center; justify-content: center; min-width: 2.4em; height: 1.4em;
      padding: 0 0.3em; border: 3px solid var(--stb-fg); border-radius: 0.7em; color: #000;
    }
    .red { background: #ff6b6b; } .green { background: #5fd068; } .yellow { background: #ffe14d; } .blue { background: #5aa9ff; }
  `;

  private _unbind: (() => void)[] = [];

  constructor() {
    super();
    this.items = [];
  }

  override updated() {
    this._release();
    this._unbind = this.items.map((item) => focusService.bindColorKey(this, item.color, item.label, () => item.onPress()));
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this._release();
  }

  override connectedCallback() {
    super.connectedCallback();
    if (this.hasUpdated) this.updated();
  }

  private _release() {
    for (const unbind of this._unbind) unbind();
    this._unbind = [];
  }

  override render() {
    return html`<ul aria-label=${t('legend.title')}>
      ${this.items.map((item) => html`<li data-color=${item.color}>
        <span class="chip ${item.color}">${t(`color.${item.color}`)}</span><span>${item.label}</span>
      </li>`)}
    </ul>`;
  }
}
customElements.define('stb-tv-legend', StbTvLegend);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-legend': StbTvLegend }
}
