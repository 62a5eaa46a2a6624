import { LitElement, html } from 'lit';
import '../chart.js';
import type { DashboardView } from '../console-client.js';
import type { LiveState } from '../live-client.js';
import { consoleStyles } from '../styles.js';

/** The organisation's live numbers: counters, charts and breakdowns, as the live channel pushes them. */
export class OpHomePage extends LitElement {
  static override styles = consoleStyles;
  static override properties = { dashboard: { attribute: false }, liveState: {} };
  declare dashboard: DashboardView | null;
  declare liveState: LiveState;

  constructor() {
    super();
    this.dashboard = null;
    this.liveState = 'connecting';
  }

  private liveLine() {
    if (this.liveState === 'live') return html`<span class="ok" data-live="live">● ライブ更新中</span>`;
    if (this.liveState === 'reconnecting') return html`<span class="warn" data-live="reconnecting">● 再接続しています（表示は最後に受け取った数字です）</span>`;
    return html`<span class="muted" data-live=${this.liveState}>● 接続しています…</span>`;
  }

  override render() {
    const d = this.dashboard;
    return html`<div class="row" style="justify-content:space-between"><h2>ホーム</h2>${this.liveLine()}</div>
      ${!d
        ? html`<div class="panel empty" data-state="loading">数字を読み込んでいます…</div>`
        : html`<div class="row" style="align-items:stretch">
            ${d.counters.map((c) => html`<div class="panel" style="min-width:160px" data-counter=${c.key}>
              <div class="muted">${c.label}</div><div style="font-size:32px;font-weight:700" data-value>${c.value.toLocaleString('ja-JP')}</div></div>`)}
          </div>
          <div class="row" style="align-items:flex-start">
            ${d.series.map((s) => html`<div class="panel"><op-chart data-series=${s.key} data-total=${s.points.reduce((n, [, v]) => n + v, 0)} .label=${s.label} .points=${s.points} ?perMinute=${s.unit === 'per_minute'}></op-chart></div>`)}
          </div>
          ${d.breakdowns.map((b) => html`<div class="panel" data-breakdown=${b.key}><h3>${b.label}</h3>
            ${b.rows.length
              ? html`<table><thead><tr><th>コード</th><th>件数</th></tr></thead><tbody>
                  ${b.rows.map((r) => html`<tr><td><code>${r.key}</code></td><td>${r.count}</td></tr>`)}</tbody></table>`
              : html`<div class="empty">ありません</div>`}</div>`)}
          <p class="muted">更新: ${new Date(d.at).toLocaleTimeString('ja-JP')}</p>`}`;
  }
}
customElements.define('op-home-page', OpHomePage);
declare global {
  interface HTMLElementTagNameMap { 'op-home-page': OpHomePage }
}
