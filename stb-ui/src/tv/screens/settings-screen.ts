import { LitElement, css, html } from 'lit';
import { FocusController } from '../focus/focus-controller.js';
import { DEFAULT_SETTINGS, IDLE_LOGOUT_CHOICES, type TextSize, type TvSettings } from '../settings.js';
import { t } from '../strings.js';
import '../ui/tv-button.js';
import '../ui/tv-legend.js';
import type { LegendItem } from '../ui/tv-legend.js';

/**
 * Settings, in two columns: how the screen looks and sounds (text size 大/特大, 見やすい色 and
 * 読み上げ オン/オフ), and how a shared TV behaves (自動ログアウト and what taking the card off
 * does, each one button that steps through its choices), then the key test. Every option has its
 * own number (1–9), the same wherever the screen is opened from. Back, or the blue key shown in
 * the legend, returns to where it was opened.
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
    .top { display: flex; align-items: center; justify-content: space-between; margin: 0 0 16px; }
    h2 { margin: 0; font-size: calc(56px * var(--stb-text-scale, 1)); font-weight: 700; }
    .cols { display: grid; grid-template-columns: 920px 1fr; gap: 0 64px; }
    .group { margin: 0 0 14px; }
    .label { display: block; margin: 0 0 6px; font-size: calc(44px * var(--stb-text-scale, 1)); font-weight: 700; line-height: 1.25; }
    .opts { display: flex; gap: 40px; }
    stb-tv-button { --stb-button-padding: 0.2em 0.5em; --stb-button-height: calc(100px * var(--stb-text-scale, 1)); }
    .opts stb-tv-button { flex: 1; }
    .hint { margin: 0; font-size: calc(36px * var(--stb-text-scale, 1)); line-height: 1.4; }
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

  private _choice(key: string, n: number, label: string, selected: boolean, patch: Partial<TvSettings>) {
    return html`<stb-tv-button focus-key="settings/${key}" .number=${n} label=${label}
      ?selected=${selected} @tv-activate=${() => this._change(patch)}></stb-tv-button>`;
  }

  private _onOff(key: 'contrast' | 'read-aloud', first: number, value: boolean, patch: (on: boolean) => Partial<TvSettings>) {
    return html`${this._choice(`${key}-on`, first, t('settings.contrast.on'), value, patch(true))}
      ${this._choice(`${key}-off`, first + 1, t('settings.contrast.off'), !value, patch(false))}`;
  }

  private _group(label: string, body: unknown) {
    return html`<div class="group"><span class="label">${label}</span><div class="opts">${body}</div></div>`;
  }

  override render() {
    const s = this.settings;
    const size = (v: TextSize, n: number, label: string) => this._choice(`size-${v}`, n, label, s.textSize === v, { textSize: v });
    const nextIdle = IDLE_LOGOUT_CHOICES[(IDLE_LOGOUT_CHOICES.indexOf(s.idleLogoutMinutes) + 1) % IDLE_LOGOUT_CHOICES.length]!;
    const idleLabel = s.idleLogoutMinutes === 0 ? t('settings.idle.never') : `${s.idleLogoutMinutes}${t('settings.idle.minutes')}`;
    const removal = s.cardRemoval;
    return html`<div class="top"><h2 data-screen="settings">${t('settings.title')}</h2>
        <stb-tv-legend .items=${this._legend}></stb-tv-legend></div>
      <div class="cols">
        <div>
          ${this._group(t('settings.textSize'), html`${size('large', 1, t('settings.textSize.large'))}${size('xlarge', 2, t('settings.textSize.xlarge'))}`)}
          ${this._group(t('settings.contrast'), this._onOff('contrast', 3, s.highContrast, (on) => ({ highContrast: on })))}
          ${this._group(t('settings.readAloud'), this._onOff('read-aloud', 5, s.readAloud, (on) => ({ readAloud: on })))}
        </div>
        <div>
          ${this._group(t('settings.idle'), html`<stb-tv-button focus-key="settings/idle" .number=${7} label=${idleLabel}
            data-value=${s.idleLogoutMinutes} @tv-activate=${() => this._change({ idleLogoutMinutes: nextIdle })}></stb-tv-button>`)}
          ${this._group(t('settings.cardRemoval'), html`<stb-tv-button focus-key="settings/card-removal" .number=${8}
            label=${t(removal === 'stay' ? 'settings.cardRemoval.stay' : 'settings.cardRemoval.logout')} data-value=${removal}
            @tv-activate=${() => this._change({ cardRemoval: removal === 'stay' ? 'logout' : 'stay' })}></stb-tv-button>`)}
          ${this._group(t('settings.other'), html`<stb-tv-button focus-key="settings/key-test" .number=${9} label=${t('settings.keyTest')}
            @tv-activate=${() => this.dispatchEvent(new CustomEvent('open-key-test', { bubbles: true, composed: true }))}></stb-tv-button>`)}
          <p class="hint">${t('settings.cycleHint')}</p>
        </div>
      </div>`;
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
