import { LitElement, css, html, nothing } from 'lit';
import type { AlertAnswer, TvAlert } from '../../api/alerts-client.js';
import { FocusController } from '../focus/focus-controller.js';
import { messageIn, notRealNotice, otherLanguage } from './alert-message.js';
import { lineBoxes, partsOf, type TextPart } from './alert-paging.js';
import { answerNoticeText, type AnswerNotice } from './answer-status.js';
import { t } from '../strings.js';
import '../ui/tv-button.js';

/** How long choices ignore OK and digits after an alert comes onto the screen unbidden. */
export const CHOICE_HOLD_MS = 800;

/** Why an alert on screen is no longer in force. */
export type AlertEnd = 'cancelled' | 'expired';

/**
 * An evacuation alert over whatever is on screen (issue 13 §4): the whole canvas in the level's
 * colour, the level in big letters, the household's names, what to do, the nearest shelter and its
 * distance. It is the top focus layer while it is in the page, so a PIN pad underneath gets no
 * digit and keeps what was typed; removing it gives focus back to where it was.
 * It stays the top layer even when a dialog opens while it shows (`topmost`: it goes beneath, never
 * between the resident and the alert); the idle logout waits while it shows (the app disarms it).
 * OK (確認しました) acknowledges; the two answers acknowledge with what the resident said.
 * Something the resident did not ask for coming onto the screen (an alert arriving, its Update, its
 * withdrawal: each bump of `arrival`) holds the choices for CHOICE_HOLD_MS: an OK or digit meant for
 * the screen beneath, pressed just as it appeared, picks nothing (`data-choices-held` meanwhile).
 * An Update of the alert on screen says 「内容が 新しくなりました」; one withdrawn or expired while on
 * screen stays, saying so, until 「わかりました」 closes it (`ended`). 「あと N件」 when more wait.
 * With no alert (避難情報 opened when none is in force) it says so, with a way back.
 *
 * @fires alert-answer - detail: { alertId, answer? } — OK or an answer
 * @fires alert-dismiss - detail: { alertId } — 「わかりました」 on a withdrawn or expired alert
 * @fires alert-close - the resident closed the "no alerts" view
 */
export class StbTvAlertOverlay extends LitElement {
  static override properties = {
    alert: { attribute: false }, ended: { attribute: false }, renewed: { attribute: false }, more: { attribute: false },
    arrival: { attribute: false }, answerNotice: { attribute: false }, offline: { attribute: false }, _language: { state: true }, _held: { state: true }, _pages: { state: true }, _pageAt: { state: true },
  };
  declare alert: TvAlert | null;
  /** The alert on screen was withdrawn (a Cancel) or ran out: it stays, saying so, until closed. */
  declare ended: AlertEnd | null;
  /** The alert on screen is an Update of the one that was there. */
  declare renewed: boolean;
  /** How many more alerts wait behind this one. */
  declare more: number;
  /** Bumped by the app whenever something the resident did not ask for comes onto the screen: holds the choices. */
  declare arrival: number;
  /** The resident's last answer (to this alert or one before it): sent, or waiting for the link. */
  declare answerNotice: AnswerNotice | null;
  /** The alert link has been down a while: new orders may not reach this TV (the footer saying so is under the overlay). */
  declare offline: boolean;
  /** The choices ignore OK and digits (just shown: the key was meant for the screen beneath). */
  declare _held: boolean;
  /**
   * The text in parts that fit above the buttons (a long alert, 特大 letters), and the part shown.
   * Parts are filled line by line across the blocks (title, greeting, lines): whole lines only,
   * none is ever cut, and a long headline pages like any other text.
   */
  declare _pages: TextPart[];
  declare _pageAt: number;
  /** What the parts were measured for (the alert, its state, the language). */
  private _pagedFor = '';
  /** The language shown: Japanese unless the resident switched to another the alert carries. */
  declare _language: string;

  static override styles = css`
    :host { position: absolute; inset: 0; z-index: 20; display: block; }
    .backdrop {
      position: absolute; inset: 0; box-sizing: border-box; padding: 78px 160px; /* the focus ring of a full-width button stays in the safe area */
      display: flex; flex-direction: column; color: #ffffff; background: var(--alert-colour, #1f2a38);
      /* The same text rules as the canvas: Japanese wraps only at the spaces between phrases. */
      word-break: keep-all; overflow-wrap: anywhere; line-break: strict;
    }
    h2 { margin: 0 0 12px; font-size: calc(72px * var(--stb-text-scale, 1)); font-weight: 800; line-height: 1.15; }
    .greeting { margin: 0 0 12px; font-size: calc(48px * var(--stb-text-scale, 1)); font-weight: 700; line-height: 1.3; }
    /* The text takes what the buttons leave; what does not fit is paged (▲/▼), never cut off unseen. */
    .body { flex: 1 1 auto; min-height: 0; overflow: hidden; display: flex; flex-direction: column; }
    /* The window shows one part: from its offset, as tall as its whole lines (set only when paged). */
    .window { overflow: hidden; flex-shrink: 0; }
    .text { display: flex; flex-direction: column; }
    .text > * { flex-shrink: 0; }
    .pager { display: flex; justify-content: space-between; margin: 8px 0 12px; font-size: calc(36px * var(--stb-text-scale, 1)); font-weight: 800; }
    .pager span { padding: 0 12px; background: #000000; color: #ffffff; border: 3px solid #ffffff; }
    .pager span[hidden] { visibility: hidden; display: inline; }
    ul { margin: 0 0 20px; padding: 0; list-style: none; }
    li { font-size: calc(38px * var(--stb-text-scale, 1)); line-height: 1.3; margin: 0 0 4px; }
    li.shelter { font-weight: 700; }
    .status { margin: 0 0 12px; padding: 4px 16px; align-self: flex-start; background: #ffffff; color: #000000;
      font-size: calc(40px * var(--stb-text-scale, 1)); font-weight: 800; }
    .notice { margin: 0 0 12px; padding: 4px 16px; align-self: flex-start; background: #000000; color: #ffffff;
      border: 4px solid #ffffff; font-size: calc(40px * var(--stb-text-scale, 1)); font-weight: 800; }
    .link { margin: 0 0 8px; padding: 2px 16px; align-self: flex-start; background: #ffffff; color: #000000;
      font-size: calc(32px * var(--stb-text-scale, 1)); font-weight: 800; }
    .more { margin: 0 0 12px; align-self: flex-end; font-size: calc(40px * var(--stb-text-scale, 1)); font-weight: 800; }
    .top { display: flex; justify-content: space-between; align-items: flex-start; gap: 24px; }
    .top .more { margin-left: auto; }
    .actions[data-held] { opacity: 0.6; }
    .actions { margin-top: auto; display: grid; grid-template-columns: 1fr 1fr; gap: 20px 40px; }
    .actions .wide { grid-column: 1 / -1; }
    /*
     * The choices are white; the focused one black with yellow letters and ring, in either contrast:
     * high contrast's own focus (yellow) is hardly told from white by eyes with yellowed lenses.
     */
    stb-tv-button {
      --stb-button-padding: 0.1em 0.5em; --stb-button-height: calc(96px * var(--stb-text-scale, 1));
      --stb-surface: #ffffff; --stb-fg: #000000; --stb-bg: #ffffff; --stb-border: #000000;
      --stb-focus: #ffff00; --stb-focus-bg: #000000; --stb-focus-fg: #ffff00;
    }
  `;

  private _focus = new FocusController(this, () => ({
    key: 'alert', container: true, modal: true, topmost: true,
    defaultChild: !this.alert ? 'alert/close' : this.ended ? 'alert/understood' : 'alert/ok',
    // ▲ past the first row of buttons, ▼ past the last: the text pages (a long alert, 特大 letters).
    onEdge: (dir: string) => (dir === 'up' || dir === 'down') && this._page(dir),
    // While held, a digit picks nothing and moves nothing (a PIN digit must not land on 自宅で安全です).
    onDigit: () => this._held,
    // Back does not dismiss an evacuation order by accident; it closes only the "no alerts" view.
    onBack: () => {
      if (!this.alert) this.dispatchEvent(new CustomEvent('alert-close', { bubbles: true, composed: true }));
    },
  }));

  private _holdTimer: ReturnType<typeof setTimeout> | null = null;
  private _heldFor = 0;

  constructor() {
    super();
    this.alert = null;
    this.ended = null;
    this.renewed = false;
    this.more = 0;
    this.arrival = 0;
    this.answerNotice = null;
    this.offline = false;
    this._language = 'ja';
    this._held = false;
    this._pages = [];
    this._pageAt = 0;
  }

  override willUpdate() {
    if (this.arrival === this._heldFor) return;
    this._heldFor = this.arrival;
    if (this._holdTimer) clearTimeout(this._holdTimer);
    this._held = true;
    this._holdTimer = setTimeout(() => {
      this._holdTimer = null;
      this._held = false;
    }, CHOICE_HOLD_MS);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    if (this._holdTimer) clearTimeout(this._holdTimer);
    this._holdTimer = null;
    this._held = false;
    this._resized?.disconnect();
    this._observed = null;
  }

  private get _body(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('.body');
  }

  /** The body's size settles after the buttons (their own elements) and the fonts are in: the parts are measured again then. */
  private _resized = typeof ResizeObserver === 'function' ? new ResizeObserver(() => this._measureAgain()) : null;
  private _observed: HTMLElement | null = null;

  private _measureAgain() {
    this._pagedFor = '';
    this.requestUpdate();
  }

  override firstUpdated() {
    void document.fonts?.ready.then(() => this._measureAgain());
  }

  override updated() {
    const body = this._body;
    if (body !== this._observed) {
      if (this._observed) this._resized?.unobserve(this._observed);
      if (body) this._resized?.observe(body);
      this._observed = body;
    }
    const alert = this.alert;
    const key = alert ? `${alert.id}/${this.ended ?? ''}/${this.renewed}/${this.more}/${this._language}/${this.offline}/${this.answerNotice?.state ?? ''}` : '';
    if (key === this._pagedFor) return;
    // Measured unpaged (the whole text from its top, the window as tall as the body lets it be).
    if (this._pages.length || this._pageAt > 0) {
      this._pages = [];
      this._pageAt = 0;
      return;
    }
    this._pagedFor = key;
    const text = body?.querySelector('.text');
    if (!body || !text) return;
    const parts = partsOf(lineBoxes(text), body.clientHeight);
    if (parts.length > 1) this._pages = parts;
  }

  private get _above(): boolean {
    return this._pageAt > 0;
  }

  private get _below(): boolean {
    return this._pageAt < this._pages.length - 1;
  }

  /** Shows the next (or previous) part of the text; false when there is none that way. */
  private _page(dir: 'up' | 'down'): boolean {
    if (dir === 'down' ? !this._below : !this._above) return false;
    this._pageAt += dir === 'down' ? 1 : -1;
    return true;
  }

  private _answer(answer?: AlertAnswer) {
    if (!this.alert || this._held) return;
    this.dispatchEvent(new CustomEvent('alert-answer', { detail: { alertId: this.alert.id, ...(answer ? { answer } : {}) }, bubbles: true, composed: true }));
  }

  override render() {
    const alert = this.alert;
    if (!alert) {
      return html`<div class="backdrop" data-alert="none">
        <h2>${t('alerts.title')}</h2>
        ${this._linkNotices()}
        <p class="greeting">${t('alerts.none')}</p>
        <div class="actions"><stb-tv-button focus-key="alert/close" .number=${1} label=${t('alerts.back')}
          @tv-activate=${() => this.dispatchEvent(new CustomEvent('alert-close', { bubbles: true, composed: true }))}></stb-tv-button></div>
      </div>`;
    }
    const m = messageIn(alert, this._language);
    const other = otherLanguage(alert, m);
    const shelterLine = m.lines.find((l) => m.shelter && l.includes(m.shelter.name));
    // The part of the text shown (none while unpaged: the whole text, from its top).
    const part = this._pages[this._pageAt];
    const notice = this.ended ? t(this.ended === 'expired' ? 'alerts.expired' : 'alerts.cancelled') : this.renewed ? t('alerts.updated') : null;
    const notReal = notRealNotice(alert);
    return html`<div class="backdrop" role="alertdialog" aria-label=${m.title} style="--alert-colour: ${m.colour}"
      data-alert=${alert.id} data-level=${alert.level ?? ''} data-ended=${this.ended ?? nothing} data-choices-held=${this._held ? '' : nothing}>
      ${this._linkNotices()}
      ${notice || this.more ? html`<div class="top">
        ${notice ? html`<p class="notice" data-field="notice" data-notice=${this.ended ?? 'updated'}>${notice}</p>` : nothing}
        ${this.more ? html`<p class="more" data-field="more" data-more=${this.more}>${t('alerts.more')} ${this.more}${t('alerts.count')}</p>` : nothing}
      </div>` : nothing}
      <div class="body" data-field="body"><div class="window" data-part=${this._pageAt}
        style=${part ? `height: ${part.height}px` : nothing}><div class="text" style=${part ? `transform: translateY(${-part.offset}px)` : nothing}>
        ${notReal ? html`<p class="status" data-field="status" data-block data-whole>${notReal}</p>` : nothing}
        <h2 lang=${m.language} data-block>${m.title}</h2>
        <p class="greeting" data-field="greeting" data-block>${m.greeting}</p>
        <ul>
          ${m.lines.map((line) => html`<li class=${line === shelterLine ? 'shelter' : nothing} data-field=${line === shelterLine ? 'shelter' : nothing}
            data-block>${line}</li>`)}
        </ul>
      </div></div></div>
      <p class="pager" data-field="pager">
        <span data-page="up" ?hidden=${!this._above}>${t('alerts.pageUp')}</span>
        <span data-page="down" ?hidden=${!this._below}>${t('alerts.pageDown')}</span>
      </p>
      ${this.ended ? html`<div class="actions" ?data-held=${this._held}>
        <stb-tv-button class="wide" focus-key="alert/understood" .number=${1} label=${t('alerts.understood')} @tv-activate=${this._dismiss}></stb-tv-button>
      </div>` : this._choices(other)}
    </div>`;
  }

  /** Whether the link is down, and what became of the last answer: above the alert, small, never paged away. */
  private _linkNotices() {
    const answer = this.answerNotice;
    if (!this.offline && !answer) return nothing;
    return html`${this.offline ? html`<p class="link" data-field="offline" role="status">${t('alerts.offline')}</p>` : nothing}
      ${answer ? html`<p class="link" data-field="answer-notice" data-answer-notice=${answer.state} role="status">${answerNoticeText(answer)}</p>` : nothing}`;
  }

  private _dismiss = () => {
    if (!this.alert || this._held) return;
    this.dispatchEvent(new CustomEvent('alert-dismiss', { detail: { alertId: this.alert.id }, bubbles: true, composed: true }));
  };

  private _choices(other: string | null) {
    // A lift (解除) asks nobody to evacuate: OK alone, no answer for the shelters' "not yet confirmed safe" list.
    const lifted = this.alert?.level === 'lift';
    return html`<div class="actions" ?data-held=${this._held}>
        <stb-tv-button class=${lifted && !other ? 'wide' : nothing} focus-key="alert/ok" .number=${1} label=${t('alerts.ok')} @tv-activate=${() => this._answer()}></stb-tv-button>
        ${lifted ? nothing : html`<stb-tv-button focus-key="alert/safe" .number=${2} label=${t('alerts.safeAtHome')} @tv-activate=${() => this._answer('safe_at_home')}></stb-tv-button>
        <stb-tv-button class=${other ? nothing : 'wide'} focus-key="alert/evacuated" .number=${3} label=${t('alerts.evacuated')}
          @tv-activate=${() => this._answer('evacuated')}></stb-tv-button>`}
        ${other ? html`<stb-tv-button focus-key="alert/language" .number=${4} label=${other === 'ja' ? '日本語' : other === 'en' ? 'English' : other}
          data-language=${other} @tv-activate=${() => { if (!this._held) this._language = other; }}></stb-tv-button>` : nothing}
      </div>`;
  }
}
customElements.define('stb-tv-alert-overlay', StbTvAlertOverlay);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-alert-overlay': StbTvAlertOverlay }
  interface HTMLElementEventMap {
    'alert-answer': CustomEvent<{ alertId: string; answer?: AlertAnswer }>;
    'alert-dismiss': CustomEvent<{ alertId: string }>;
    'alert-close': CustomEvent<void>;
  }
}
