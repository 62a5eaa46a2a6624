import { LitElement, css, html, nothing } from 'lit';
import { FocusController } from '../focus/focus-controller.js';
import { focusService } from '../focus/focus-service.js';
import { keyInput, type KeyPress } from '../input/key-input.js';
import { t } from '../strings.js';

const HISTORY = 5;

/**
 * Shows the last remote key received (its `key`, `keyCode` and the action it resolved to) and the
 * few before it: the quickest way to see what a given set-top box really sends. Every key still
 * acts as usual, so Back returns to the settings.
 *
 * @fires screen-back - Back was pressed on this screen
 */
/** How many earlier presses the history shows (newest first): as many as fit beside the panel at 特大. */
const HISTORY_SHOWN = 4;

export class StbTvKeyTestScreen extends LitElement {
  static override properties = { _presses: { state: true } };
  declare _presses: KeyPress[];

  static override styles = css`
    :host { display: block; }
    h2 { margin: 0 0 24px; font-size: calc(56px * var(--stb-text-scale, 1)); font-weight: 700; }
    .hint { margin: 0 0 32px; font-size: calc(40px * var(--stb-text-scale, 1)); line-height: 1.5; }
    /* The last press in the panel, the ones before beside it: the history never runs off the screen. */
    .cols { display: grid; grid-template-columns: 1fr 600px; gap: 0 48px; align-items: start; }
    .panel {
      box-sizing: border-box; padding: 32px 48px; border: 4px solid var(--stb-border);
      border-radius: 20px; background: var(--stb-surface);
    }
    .panel[focused] { outline: 10px solid var(--stb-focus); outline-offset: 4px; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 12px 32px; margin: 0; font-size: calc(52px * var(--stb-text-scale, 1)); }
    dt { font-weight: 700; }
    dd { margin: 0; font-weight: 700; }
    .waiting { margin: 0; font-size: calc(48px * var(--stb-text-scale, 1)); }
    h3 { margin: 0 0 8px; font-size: calc(36px * var(--stb-text-scale, 1)); }
    ol { margin: 0; padding-left: 1.5em; font-size: calc(36px * var(--stb-text-scale, 1)); line-height: 1.4; }
  `;

  private _focus = new FocusController(this, () => ({
    key: 'keytest', container: true,
    onBack: () => {
      this.dispatchEvent(new CustomEvent('screen-back', { bubbles: true, composed: true }));
    },
  }));
  private _unsubscribe: (() => void) | null = null;
  private _panel: Element | null = null;

  constructor() {
    super();
    this._presses = [];
  }

  override connectedCallback() {
    super.connectedCallback();
    this._unsubscribe = keyInput.subscribe((press) => {
      this._presses = [press, ...this._presses].slice(0, HISTORY + 1);
    });
    if (this.hasUpdated) this._registerPanel();
  }

  override firstUpdated() {
    this._registerPanel();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this._unsubscribe?.();
    if (this._panel) focusService.unregister('keytest/panel', this._panel);
  }

  // The panel is a focusable inside this element's shadow root, registered directly rather than
  // through a custom element: the one focused thing here, so arrows stay and OK does nothing.
  private _registerPanel() {
    this._panel = this.renderRoot.querySelector('.panel');
    if (this._panel) focusService.register(this._panel, { key: 'keytest/panel', parent: 'keytest' });
  }

  private _describe(p: KeyPress): string {
    return p.action ? `${p.action}（${t(`action.${p.action}`)}）` : t('keyTest.unknown');
  }

  override render() {
    const [last, ...before] = this._presses;
    return html`<h2 data-screen="keytest">${t('keyTest.title')}</h2>
      <p class="hint">${t('keyTest.hint')}${t('keyTest.backHint')}</p>
      <div class="cols">
      <div class="panel" role="status" aria-live="polite">
        ${last
          ? html`<dl>
              <dt>${t('keyTest.key')}</dt><dd data-field="key">${last.key || '—'}</dd>
              <dt>${t('keyTest.keyCode')}</dt><dd data-field="keyCode">${last.keyCode}</dd>
              <dt>${t('keyTest.action')}</dt><dd data-field="action" data-action=${last.action ?? ''}>${this._describe(last)}</dd>
            </dl>`
          : html`<p class="waiting">${t('keyTest.waiting')}</p>`}
      </div>
      <div class="history">${before.length
        ? html`<h3>${t('keyTest.history')}</h3>
            <ol>${before.slice(0, HISTORY_SHOWN).map((p) => html`<li>${p.key || '—'} ／ ${p.keyCode} ／ ${this._describe(p)}</li>`)}</ol>`
        : nothing}</div>
      </div>`;
  }
}
customElements.define('stb-tv-key-test-screen', StbTvKeyTestScreen);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-key-test-screen': StbTvKeyTestScreen }
}
