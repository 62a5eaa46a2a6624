import { LitElement, css, html } from 'lit';
import { fetchHealth, type HealthReport } from '../api/platform-client.js';

/**
 * Shows whether the platform and its database answer, refreshed every few seconds (each check
 * times out, so a hung server shows as one that does not answer). `quiet` (the TV): nothing at all
 * while all is well — a line that always says 正常 is noise — and only trouble is shown.
 */
export class StbHealthBadge extends LitElement {
  static override properties = { quiet: { type: Boolean }, downText: { attribute: false }, troubleText: { attribute: false }, _health: { state: true }, _failed: { state: true } };
  declare quiet: boolean;
  /** The words when the platform does not answer, and when it answers with trouble (the TV's are plainer). */
  declare downText: string;
  declare troubleText: string;
  declare _health: HealthReport | null;
  declare _failed: boolean;
  private _timer: ReturnType<typeof setInterval> | undefined;

  static override styles = css`
    :host { display: inline-block; font: inherit; }
    .ok { color: #7CFC9A; }
    .bad { color: #FFB3B3; }
  `;

  constructor() {
    super();
    this.quiet = false;
    this.downText = 'サーバーに つながりません';
    this.troubleText = 'サーバーに問題があります';
    this._health = null;
    this._failed = false;
  }

  override connectedCallback() {
    super.connectedCallback();
    void this._refresh();
    this._timer = setInterval(() => void this._refresh(), 5000);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    clearInterval(this._timer);
  }

  private async _refresh() {
    try {
      this._health = await fetchHealth();
      this._failed = false;
    } catch {
      this._failed = true;
    }
  }

  override render() {
    if (this._failed) return html`<span class="bad" data-health="down">${this.downText}</span>`;
    if (!this._health) return html`<span data-health="pending">${this.quiet ? '' : '確認中…'}</span>`;
    const ok = this._health.status === 'ok';
    if (ok && this.quiet) return html`<span data-health="ok"></span>`;
    return html`<span class=${ok ? 'ok' : 'bad'} data-health=${this._health.status}>
      ${ok ? 'サーバー接続 正常' : this.troubleText}</span>`;
  }
}
customElements.define('stb-health-badge', StbHealthBadge);
declare global {
  interface HTMLElementTagNameMap { 'stb-health-badge': StbHealthBadge }
}
