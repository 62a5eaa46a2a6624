import { LitElement, css, html } from 'lit';
import type { ReaderClient } from '../../api/reader-client.js';
import { cardStatusOf, type CardStatus } from '../flow/reader-status.js';
import { t, type StringKey } from '../strings.js';

const TEXT: Record<CardStatus, StringKey> = {
  offline: 'card.offline', reconnecting: 'card.reconnecting', noReader: 'card.noReader', noCard: 'start.insertCard', card: 'card.present',
};
const HINT: Partial<Record<CardStatus, StringKey>> = { offline: 'card.offline.hint', noReader: 'card.offline.hint' };

/**
 * The live card line: カードリーダーが見つかりません / カードをリーダーにおいてください /
 * カードを確認しました, kept up to date from the driver's events. A symbol goes with each state so
 * it never rests on colour alone. `data-card-status` names the state (for tests).
 */
export class StbTvCardStatus extends LitElement {
  static override properties = { reader: { attribute: false }, compact: { type: Boolean }, hint: {} };
  declare reader: ReaderClient | null;
  declare compact: boolean;
  /** A sentence shown under the status when a card is present. */
  declare hint: string;

  static override styles = css`
    :host { display: block; }
    .line { display: flex; align-items: center; gap: 0.5em; margin: 0; font-size: calc(52px * var(--stb-text-scale, 1)); font-weight: 700; line-height: 1.4; }
    :host([compact]) .line { font-size: calc(36px * var(--stb-text-scale, 1)); }
    .mark { flex: none; display: inline-flex; align-items: center; justify-content: center; width: 1.3em; height: 1.3em;
      border-radius: 50%; border: 4px solid currentColor; font-size: max(0.8em, 36px); }
    .card .mark { background: var(--stb-fg); color: var(--stb-bg); border-color: var(--stb-fg); }
    .hint { margin: 12px 0 0; font-size: calc(40px * var(--stb-text-scale, 1)); line-height: 1.5; }
    :host([compact]) .hint { display: none; }
  `;

  private _unsubscribe: (() => void) | null = null;

  constructor() {
    super();
    this.reader = null;
    this.compact = false;
    this.hint = '';
  }

  override connectedCallback() {
    super.connectedCallback();
    this._subscribe();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this._unsubscribe?.();
    this._unsubscribe = null;
  }

  override willUpdate(changed: Map<string, unknown>) {
    if (changed.has('reader')) this._subscribe();
  }

  private _subscribe() {
    this._unsubscribe?.();
    this._unsubscribe = this.reader && this.isConnected ? this.reader.onChange(() => this.requestUpdate()) : null;
  }

  override render() {
    const status = cardStatusOf(this.reader);
    const hint = HINT[status] ? t(HINT[status]!) : status === 'card' ? this.hint : '';
    const mark = status === 'card' ? '✓' : status === 'noCard' ? '↓' : '!';
    return html`<p class="line ${status}" role="status" data-card-status=${status}>
        <span class="mark" aria-hidden="true">${mark}</span><span>${t(TEXT[status])}</span>
      </p>${hint ? html`<p class="hint">${hint}</p>` : ''}`;
  }
}
customElements.define('stb-tv-card-status', StbTvCardStatus);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-card-status': StbTvCardStatus }
}
