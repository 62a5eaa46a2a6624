import { LitElement, css, html } from 'lit';
import { fetchHealth, type HealthReport } from '../api/platform-client.js';

/** Shows whether the platform and its database answer, refreshed every few seconds. */
export class StbHealthBadge extends LitElement {
  static override properties = { _health: { state: true }, _failed: { state: true } };
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
    if (this._failed) return html`<span class="bad" data-health="down">サーバーにつながりません</span>`;
    if (!this._health) return html`<span data-health="pending">確認中…</span>`;
    const ok = this._health.status === 'ok';
    return html`<span class=${ok ? 'ok' : 'bad'} data-health=${this._health.status}>
      ${ok ? 'サーバー接続 正常' : 'サーバーに問題があります'}</span>`;
  }
}
customElements.define('stb-health-badge', StbHealthBadge);
declare global {
  interface HTMLElementTagNameMap { 'stb-health-badge': StbHealthBadge }
}
