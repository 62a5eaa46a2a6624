import { LitElement, css, html, nothing } from 'lit';
import type { LinkedService, PlatformClient } from '../../api/platform-client.js';
import { FocusController } from '../focus/focus-controller.js';
import { failureText } from '../messages.js';
import { t } from '../strings.js';
import '../ui/tv-button.js';
import '../ui/tv-dialog.js';
import '../ui/tv-legend.js';
import type { LegendItem } from '../ui/tv-legend.js';

type Loaded = { state: 'loading' } | { state: 'ready'; services: LinkedService[] } | { state: 'failed'; message: string };

/**
 * The services that know the logged-in person (each through its own UID): one button each;
 * picking one asks 「…との つながりを 切りますか？」 (いいえ first) and then cuts the link. Back,
 * or blue, returns home.
 *
 * @fires screen-back - Back was pressed on this screen
 */
export class StbTvServicesScreen extends LitElement {
  static override properties = { platform: { attribute: false }, _loaded: { state: true }, _asking: { state: true } };
  declare platform: PlatformClient | null;
  declare _loaded: Loaded;
  declare _asking: LinkedService | null;

  static override styles = css`
    :host { display: block; }
    .top { display: flex; align-items: baseline; justify-content: space-between; margin: 0 0 16px; }
    h2 { margin: 0; font-size: calc(56px * var(--stb-text-scale, 1)); font-weight: 700; }
    p { margin: 0 0 32px; font-size: calc(40px * var(--stb-text-scale, 1)); line-height: 1.5; }
    .list { display: flex; flex-direction: column; gap: 24px; width: 1000px; }
  `;

  private _focus = new FocusController(this, () => ({
    key: 'services', container: true, defaultChild: this._firstKey(), onBack: () => this._back(),
  }));

  private _legend: LegendItem[] = [{ color: 'blue', label: t('legend.back'), onPress: () => this._back() }];

  constructor() {
    super();
    this.platform = null;
    this._loaded = { state: 'loading' };
    this._asking = null;
  }

  override connectedCallback() {
    super.connectedCallback();
    void this._load();
  }

  private _firstKey(): string | undefined {
    return this._loaded.state === 'ready' && this._loaded.services[0] ? `services/${this._loaded.services[0].providerId}` : 'services/back';
  }

  private async _load() {
    try {
      const { services } = await this.platform!.myServices();
      this._loaded = { state: 'ready', services };
    } catch (err) {
      this._loaded = { state: 'failed', message: failureText(err) };
    }
  }

  private async _cut() {
    const service = this._asking;
    this._asking = null;
    if (!service) return;
    try {
      await this.platform!.unlinkService(service.providerId);
    } catch (err) {
      this._loaded = { state: 'failed', message: failureText(err) };
      return;
    }
    await this._load();
  }

  private _back() {
    this.dispatchEvent(new CustomEvent('screen-back', { bubbles: true, composed: true }));
  }

  private _body() {
    const loaded = this._loaded;
    if (loaded.state === 'loading') return html`<p>${t('services.loading')}</p>`;
    if (loaded.state === 'failed') return html`<p data-error>${loaded.message}</p>`;
    if (!loaded.services.length) return html`<p data-empty>${t('services.none')}</p>`;
    return html`<p>${t('services.lead')}</p>
      <div class="list">
        ${loaded.services.map((s, i) => html`<stb-tv-button focus-key="services/${s.providerId}" .number=${i + 1} label=${s.name}
          @tv-activate=${() => { this._asking = s; }}></stb-tv-button>`)}
      </div>`;
  }

  override render() {
    const empty = this._loaded.state !== 'ready' || !this._loaded.services.length;
    return html`<div class="top"><h2 data-screen="services">${t('services.title')}</h2>
        <stb-tv-legend .items=${this._legend}></stb-tv-legend></div>
      ${this._body()}
      ${empty ? html`<div class="list"><stb-tv-button focus-key="services/back" label=${t('legend.back')}
        @tv-activate=${() => this._back()}></stb-tv-button></div>` : nothing}
      ${this._asking
        ? html`<stb-tv-dialog focus-key="cut" default-key="cut/no" heading="${this._asking.name}${t('services.cut.title')}"
            message=${t('services.cut.message')} @dialog-cancel=${() => { this._asking = null; }}>
            <stb-tv-button focus-key="cut/yes" .number=${1} label=${t('services.cut.yes')} @tv-activate=${() => void this._cut()}></stb-tv-button>
            <stb-tv-button focus-key="cut/no" .number=${2} label=${t('services.cut.no')} @tv-activate=${() => { this._asking = null; }}></stb-tv-button>
          </stb-tv-dialog>`
        : nothing}`;
  }
}
customElements.define('stb-tv-services-screen', StbTvServicesScreen);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-services-screen': StbTvServicesScreen }
}
