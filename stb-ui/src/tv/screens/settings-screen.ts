import { LitElement, css, html } from 'lit';
import { FocusController } from '../focus/focus-controller.js';
import { DEFAULT_SETTINGS, type TextSize, type TvSettings } from '../settings.js';
import { t } from '../strings.js';
import '../ui/tv-button.js';
import '../ui/tv-legend.js';
import type { LegendItem } from '../ui/tv-legend.js';

/**
 * Display settings: text size (大/特大), high contrast (オン/オフ), and the way to the key test.
 * Every option is numbered (1–5). Back, or the blue key shown in the legend, returns to the start.
 *
 * @fires settings-change - detail is the new TvSettings
 * @fires open-key-test - キーテスト was picked
 * @fires screen-back - Back was pressed on this screen
 */
export class StbTvSettingsScreen extends LitElement {
  static override properties = { settings: { attribute: false } };
  declare settings: TvSettings;

  static override styles = css`
    :host { display: block; }
    h2 { margin: 0 0 40px; font-size: calc(56px * var(--stb-text-scale, 1)); font-weight: 700; }
    .grid {
      display: grid; grid-template-columns: 460px 560px 560px; justify-content: start; gap: 32px 48px; align-items: center;
    }
    .label { font-size: calc(44px * var(--stb-text-scale, 1)); font-weight: 700; }
    stb-tv-legend { margin-top: 56px; }
  `;

  private _focus = new FocusController(this, () => ({
    key: 'settings', container: true, defaultChild: 'settings/size-large',
    onBack: () => this._back(),
  }));

  private _legend: LegendItem[] = [{ color: 'blue', label: t('legend.back'), onPress: () => this._back() }];

  constructor() {
    super();
    this.settings = DEFAULT_SETTINGS;
  }

  private _back() {
    this.dispatchEvent(new CustomEvent('screen-back', { bubbles: true, composed: true }));
  }

  private _change(patch: Partial<TvSettings>) {
    const detail: TvSettings = { ...this.settings, ...patch };
    this.dispatchEvent(new CustomEvent('settings-change', { detail, bubbles: true, composed: true }));
  }

  private _size(size: TextSize, n: number, label: string) {
    return html`<stb-tv-button focus-key="settings/size-${size}" .number=${n} label=${label}
      ?selected=${this.settings.textSize === size} @tv-activate=${() => this._change({ textSize: size })}></stb-tv-button>`;
  }

  private _contrast(on: boolean, n: number, label: string) {
    return html`<stb-tv-button focus-key="settings/contrast-${on ? 'on' : 'off'}" .number=${n} label=${label}
      ?selected=${this.settings.highContrast === on} @tv-activate=${() => this._change({ highContrast: on })}></stb-tv-button>`;
  }

  override render() {
    return html`<h2 data-screen="settings">${t('settings.title')}</h2>
      <div class="grid">
        <span class="label">${t('settings.textSize')}</span>
        ${this._size('large', 1, t('settings.textSize.large'))}
        ${this._size('xlarge', 2, t('settings.textSize.xlarge'))}
        <span class="label">${t('settings.contrast')}</span>
        ${this._contrast(true, 3, t('settings.contrast.on'))}
        ${this._contrast(false, 4, t('settings.contrast.off'))}
        <span></span>
        <stb-tv-button focus-key="settings/key-test" .number=${5} label=${t('settings.keyTest')}
          @tv-activate=${() => this.dispatchEvent(new CustomEvent('open-key-test', { bubbles: true, composed: true }))}></stb-tv-button>
      </div>
      <stb-tv-legend .items=${this._legend}></stb-tv-legend>`;
  }
}
customElements.define('stb-tv-settings-screen', StbTvSettingsScreen);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-settings-screen': StbTvSettingsScreen }
  interface HTMLElementEventMap {
    'settings-change': CustomEvent<TvSettings>;
    'open-key-test': CustomEvent<void>;
    'screen-back': CustomEvent<void>;
  }
}
