import { LitElement, css, html, nothing } from 'lit';
import type { PlatformClient, TvHelp } from '../../api/platform-client.js';
import { FocusController } from '../focus/focus-controller.js';
import { failureText } from '../messages.js';
import { t } from '../strings.js';
import { cardPicture } from '../ui/card-picture.js';
import '../ui/tv-button.js';
import '../ui/tv-legend.js';
import type { LegendItem } from '../ui/tv-legend.js';

/**
 * Help, before or after login: who to call (the household's cable operator, its phone number from
 * the platform), what to do with a locked card (the municipality's 窓口, with its number), and a
 * picture of how to put the card on the reader. Back, blue or もどる return.
 *
 * @fires screen-back - Back was pressed on this screen
 */
export class StbTvHelpScreen extends LitElement {
  static override properties = { platform: { attribute: false }, _help: { state: true }, _failed: { state: true } };
  declare platform: PlatformClient | null;
  declare _help: TvHelp | null;
  declare _failed: string | null;

  static override styles = css`
    :host { display: block; }
    .top { display: flex; align-items: center; justify-content: space-between; margin: 0 0 16px; }
    h2 { margin: 0; font-size: calc(56px * var(--stb-text-scale, 1)); font-weight: 700; }
    .cols { display: grid; grid-template-columns: 1fr 640px; gap: 0 64px; }
    h3 { margin: 0 0 4px; font-size: calc(44px * var(--stb-text-scale, 1)); }
    p { margin: 0 0 20px; font-size: calc(38px * var(--stb-text-scale, 1)); line-height: 1.4; }
    .phone { font-size: calc(52px * var(--stb-text-scale, 1)); font-weight: 700; letter-spacing: 0.04em; }
    svg { display: block; width: 400px; height: auto; margin: 0 0 8px; }
    stb-tv-button { width: 100%; }
  `;

  private _focus = new FocusController(this, () => ({ key: 'help', container: true, defaultChild: 'help/back', onBack: () => this._back() }));
  private _legend: LegendItem[] = [{ color: 'blue', label: t('legend.back'), onPress: () => this._back() }];

  constructor() {
    super();
    this.platform = null;
    this._help = null;
    this._failed = null;
  }

  override connectedCallback() {
    super.connectedCallback();
    this.platform?.help().then((help) => { this._help = help; }, (err) => { this._failed = failureText(err); });
  }

  private _back() {
    this.dispatchEvent(new CustomEvent('screen-back', { bubbles: true, composed: true }));
  }

  private _contact() {
    if (this._failed) return html`<p data-error>${this._failed}</p>`;
    const help = this._help;
    if (!help) return html`<p>${t('help.loading')}</p>`;
    const { operator, municipality } = help;
    return html`<h3>${t('help.contact')}</h3>
      <p data-field="operator">${operator.name}<br>
        ${operator.phone ? html`<span class="phone" data-field="operator-phone">${t('help.phone')} ${operator.phone}</span>` : t('help.noPhone')}</p>
      <h3>${t('help.locked')}</h3>
      <p data-field="locked">${t('help.locked.text')}
        ${municipality ? html`<br>${municipality.name} ${t('help.cityDesk')}${municipality.phone
          ? html`<br><span class="phone" data-field="city-phone">${t('help.phone')} ${municipality.phone}</span>` : nothing}` : nothing}</p>`;
  }

  override render() {
    return html`<div class="top"><h2 data-screen="help">${t('help.title')}</h2><stb-tv-legend .items=${this._legend}></stb-tv-legend></div>
      <div class="cols">
        <div>
          ${this._contact()}
        </div>
        <div>
          <h3>${t('help.card')}</h3>
          ${cardPicture(t('help.card'))}
          <p>${t('help.card.text')}</p>
          <stb-tv-button focus-key="help/back" label=${t('legend.back')} @tv-activate=${() => this._back()}></stb-tv-button>
        </div>
      </div>`;
  }
}
customElements.define('stb-tv-help-screen', StbTvHelpScreen);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-help-screen': StbTvHelpScreen }
}
