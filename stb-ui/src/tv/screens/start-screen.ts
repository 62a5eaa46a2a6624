import { LitElement, css, html } from 'lit';
import type { ReaderClient } from '../../api/reader-client.js';
import { FocusController } from '../focus/focus-controller.js';
import { t, type StringKey } from '../strings.js';
import '../ui/card-status.js';
import '../ui/tv-button.js';

/** What the start menu offers. */
export type StartChoice = 'login' | 'register' | 'settings' | 'help' | 'browse';

const MENU: readonly { id: StartChoice; label: StringKey }[] = [
  { id: 'login', label: 'menu.login' },
  { id: 'register', label: 'menu.register' },
  { id: 'settings', label: 'menu.settings' },
  { id: 'help', label: 'menu.help' },
  // 施設を見る: the facilities' free slots need no login; booking asks for the card then.
  { id: 'browse', label: 'menu.browse' },
];

/**
 * The top screen: the live card line (カードリーダーが見つかりません / カードをリーダーにおいてください /
 * カードを確認しました) and a numbered menu (1 ログイン, 2 はじめて登録, 3 設定, 4 ヘルプ, 5 施設を見る).
 * Back here is the app's to handle (it asks whether to leave).
 *
 * @fires start-choice - a menu entry was picked; detail is its StartChoice
 */
export class StbTvStartScreen extends LitElement {
  static override properties = { reader: { attribute: false } };
  declare reader: ReaderClient | null;

  static override styles = css`
    :host { display: block; }
    .lead { display: block; margin: 0 0 32px; min-height: calc(140px * var(--stb-text-scale, 1)); }
    nav { display: grid; grid-template-columns: 960px 560px; gap: 32px 64px; }
    /* ヘルプ sits beside 設定: the main column stays ログイン, はじめて登録, 設定, top to bottom. */
    nav stb-tv-button { grid-column: 1; }
    nav stb-tv-button[focus-key='start/help'] { grid-column: 2; grid-row: 3; }
    nav stb-tv-button[focus-key='start/browse'] { grid-column: 2; grid-row: 1; }
  `;

  constructor() {
    super();
    this.reader = null;
  }

  private _focus = new FocusController(this, () => ({ key: 'start', container: true, defaultChild: 'start/login' }));

  private _pick(choice: StartChoice) {
    this.dispatchEvent(new CustomEvent('start-choice', { detail: choice, bubbles: true, composed: true }));
  }

  override render() {
    return html`<stb-tv-card-status class="lead" data-screen="start" .reader=${this.reader} hint=${t('card.present.hint')}></stb-tv-card-status>
      <nav aria-label=${t('start.menu')}>
        ${MENU.map((m, i) => html`<stb-tv-button focus-key="start/${m.id}" .number=${i + 1}
          label=${t(m.label)} @tv-activate=${() => this._pick(m.id)}></stb-tv-button>`)}
      </nav>`;
  }
}
customElements.define('stb-tv-start-screen', StbTvStartScreen);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-start-screen': StbTvStartScreen }
  interface HTMLElementEventMap { 'start-choice': CustomEvent<StartChoice> }
}
