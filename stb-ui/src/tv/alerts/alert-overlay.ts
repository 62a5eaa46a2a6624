import { LitElement, css, html, nothing } from 'lit';
import type { AlertAnswer, TvAlert } from '../../api/alerts-client.js';
import { FocusController } from '../focus/focus-controller.js';
import { messageIn, otherLanguage } from './alert-message.js';
import { t } from '../strings.js';
import '../ui/tv-button.js';

/**
 * An evacuation alert over whatever is on screen (issue 13 §4): the whole canvas in the level's
 * colour, the level in big letters, the household's names, what to do, the nearest shelter and its
 * distance. It is the top focus layer while it is in the page, so a PIN pad underneath gets no
 * digit and keeps what was typed; removing it gives focus back to where it was. It stays the top
 * layer even when a dialog opens while it shows (`topmost`: an idle-logout countdown goes beneath
 * it, never between the resident and the alert).
 * OK (確認しました) acknowledges; the two answers acknowledge with what the resident said.
 * With no alert (避難情報 opened when none is in force) it says so, with a way back.
 *
 * @fires alert-answer - detail: { alertId, answer? } — OK or an answer
 * @fires alert-close - the resident closed the "no alerts" view
 */
export class StbTvAlertOverlay extends LitElement {
  static override properties = { alert: { attribute: false }, _language: { state: true } };
  declare alert: TvAlert | null;
  /** The language shown: Japanese unless the resident switched to another the alert carries. */
  declare _language: string;

  static override styles = css`
    :host { position: absolute; inset: 0; z-index: 20; display: block; }
    .backdrop {
      position: absolute; inset: 0; box-sizing: border-box; padding: 78px 144px;
      display: flex; flex-direction: column; color: #ffffff; background: var(--alert-colour, #1f2a38);
      /* The same text rules as the canvas: Japanese wraps only at the spaces between phrases. */
      word-break: keep-all; overflow-wrap: anywhere; line-break: strict;
    }
    h2 { margin: 0 0 12px; font-size: calc(72px * var(--stb-text-scale, 1)); font-weight: 800; line-height: 1.15; }
    .greeting { margin: 0 0 12px; font-size: calc(48px * var(--stb-text-scale, 1)); font-weight: 700; }
    ul { margin: 0 0 20px; padding: 0; list-style: none; }
    li { font-size: calc(38px * var(--stb-text-scale, 1)); line-height: 1.3; margin: 0 0 4px; }
    li.shelter { font-weight: 700; }
    .status { margin: 0 0 12px; padding: 4px 16px; align-self: flex-start; background: #ffffff; color: #000000;
      font-size: calc(40px * var(--stb-text-scale, 1)); font-weight: 800; }
    .actions { margin-top: auto; display: grid; grid-template-columns: 1fr 1fr; gap: 20px 40px; }
    .actions .wide { grid-column: 1 / -1; }
    stb-tv-button {
      --stb-button-padding: 0.1em 0.5em; --stb-button-height: calc(96px * var(--stb-text-scale, 1));
      --stb-surface: #ffffff; --stb-fg: #000000; --stb-bg: #ffffff; --stb-border: #000000;
    }
  `;

  private _focus = new FocusController(this, () => ({
    key: 'alert', container: true, modal: true, topmost: true, defaultChild: this.alert ? 'alert/ok' : 'alert/close',
    // Back does not dismiss an evacuation order by accident; it closes only the "no alerts" view.
    onBack: () => {
      if (!this.alert) this.dispatchEvent(new CustomEvent('alert-close', { bubbles: true, composed: true }));
    },
  }));

  constructor() {
    super();
    this.alert = null;
    this._language = 'ja';
  }

  private _answer(answer?: AlertAnswer) {
    if (!this.alert) return;
    this.dispatchEvent(new CustomEvent('alert-answer', { detail: { alertId: this.alert.id, ...(answer ? { answer } : {}) }, bubbles: true, composed: true }));
  }

  override render() {
    const alert = this.alert;
    if (!alert) {
      return html`<div class="backdrop" data-alert="none">
        <h2>${t('alerts.title')}</h2>
        <p class="greeting">${t('alerts.none')}</p>
        <div class="actions"><stb-tv-button focus-key="alert/close" .number=${1} label=${t('alerts.back')}
          @tv-activate=${() => this.dispatchEvent(new CustomEvent('alert-close', { bubbles: true, composed: true }))}></stb-tv-button></div>
      </div>`;
    }
    const m = messageIn(alert, this._language);
    const other = otherLanguage(alert, m);
    const shelterLine = m.lines.find((l) => m.shelter && l.includes(m.shelter.name));
    return html`<div class="backdrop" role="alertdialog" aria-label=${m.title} style="--alert-colour: ${m.colour}"
      data-alert=${alert.id} data-level=${alert.level ?? ''}>
      ${alert.status ? html`<p class="status" data-field="status">${t('alerts.notActual')}（${alert.status}）</p>` : nothing}
      <h2 lang=${m.language}>${m.title}</h2>
      <p class="greeting" data-field="greeting">${m.greeting}</p>
      <ul>
        ${m.lines.map((line) => html`<li class=${line === shelterLine ? 'shelter' : nothing} data-field=${line === shelterLine ? 'shelter' : nothing}>${line}</li>`)}
      </ul>
      <div class="actions">
        <stb-tv-button focus-key="alert/ok" .number=${1} label=${t('alerts.ok')} @tv-activate=${() => this._answer()}></stb-tv-button>
        <stb-tv-button focus-key="alert/safe" .number=${2} label=${t('alerts.safeAtHome')} @tv-activate=${() => this._answer('safe_at_home')}></stb-tv-button>
        <stb-tv-button class=${other ? nothing : 'wide'} focus-key="alert/evacuated" .number=${3} label=${t('alerts.evacuated')}
          @tv-activate=${() => this._answer('evacuated')}></stb-tv-button>
        ${other ? html`<stb-tv-button focus-key="alert/language" .number=${4} label=${other === 'ja' ? '日本語' : other === 'en' ? 'English' : other}
          data-language=${other} @tv-activate=${() => (this._language = other)}></stb-tv-button>` : nothing}
      </div>
    </div>`;
  }
}
customElements.define('stb-tv-alert-overlay', StbTvAlertOverlay);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-alert-overlay': StbTvAlertOverlay }
  interface HTMLElementEventMap {
    'alert-answer': CustomEvent<{ alertId: string; answer?: AlertAnswer }>;
    'alert-close': CustomEvent<void>;
  }
}
