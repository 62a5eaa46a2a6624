import { LitElement, html } from 'lit';
import '../chart.js';
import { ConsoleError, type ConsoleClient, type FunnelView } from '../console-client.js';
import type { LiveClient } from '../live-client.js';
import { consoleStyles } from '../styles.js';

/** How often an open funnel is asked for when the live channel is not up (it pushes changes when it is). */
const REFRESH_MS = 5_000;

const WATCHDOG = {
  ok: { cls: 'ok', text: (b: number) => `99%のテレビに ${b}秒以内に届きました。` },
  pending: { cls: 'muted', text: (b: number) => `配信中です（目安: 99%に ${b}秒以内）。` },
  late: { cls: 'error', text: (b: number) => `警告: ${b}秒を過ぎても 99%のテレビに届いていません。届いていないテレビを確かめてください。` },
  not_applicable: { cls: 'muted', text: () => '対象のテレビがありません。' },
} as const;

/**
 * One alert's funnel: households per stage and district, the watchdog, delivery times, the TVs not
 * reached. Pushed over the console's live channel while it is up; asked for every few seconds otherwise.
 */
export class OpAlertFunnel extends LitElement {
  static override styles = consoleStyles;
  static override properties = { client: { attribute: false }, live: { attribute: false }, alertId: {}, _funnel: { state: true }, _error: { state: true } };
  declare client: ConsoleClient;
  declare live: LiveClient | null;
  declare alertId: string;
  declare _funnel: FunnelView | null;
  declare _error: string;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor() {
    super();
    this.alertId = '';
    this.live = null;
    this._funnel = null;
    this._error = '';
  }

  override connectedCallback() {
    super.connectedCallback();
    this.timer = setInterval(() => {
      if (this.live?.state !== 'live') void this.load();
    }, REFRESH_MS);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.live) {
      this.live.onFunnel = null;
      this.live.watchAlert(null);
    }
  }

  override willUpdate(changed: Map<string, unknown>) {
    if (changed.has('alertId') || changed.has('live')) {
      if (changed.has('alertId')) this._funnel = null;
      if (this.live) {
        this.live.onFunnel = (data) => {
          if (data.alertId === this.alertId) this._funnel = data;
        };
        this.live.watchAlert(this.alertId || null);
      }
      void this.load();
    }
  }

  private async load() {
    if (!this.alertId) return;
    try {
      const funnel = await this.client.alertFunnel(this.alertId);
      if (funnel.alertId === this.alertId) this._funnel = funnel;
      this._error = '';
    } catch (err) {
      this._error = err instanceof ConsoleError ? `${err.error.ja}（${err.code}）` : '読み込めませんでした。';
    }
  }

  override render() {
    const f = this._funnel;
    if (this._error) return html`<p class="error" role="alert">${this._error}</p>`;
    if (!f) return html`<div class="empty" data-state="loading">読み込んでいます…</div>`;
    const stages = [['targeted', '対象世帯'], ['delivered', '届いた'], ['displayed', '表示された'], ['acknowledged', '確認された']] as const;
    const w = WATCHDOG[f.watchdog.state];
    return html`<div data-funnel=${f.alertId}>
      ${f.widenedToMunicipality ? html`<p class="error" role="alert" data-unknown-area-codes=${f.unknownAreaCodes.join(' ')}>地区コード ${f.unknownAreaCodes.join('、')} が 見つからないため すべての 世帯に 送りました。</p>` : ''}
      <div class="row">${stages.map(([key, label], i) => html`${i ? html`<span aria-hidden="true">→</span>` : ''}
        <div class="panel" style="min-width:120px;margin:0" data-stage=${key}><div class="muted">${label}</div>
          <div style="font-size:28px;font-weight:700" data-value>${f.totals[key]}</div></div>`)}</div>
      <p class=${w.cls} data-watchdog=${f.watchdog.state} role=${f.watchdog.state === 'late' ? 'alert' : 'status'}>${w.text(f.watchdog.boundSeconds)}
        ${f.p99Seconds !== null ? html`（99%: ${f.p99Seconds.toFixed(1)}秒）` : ''}</p>
      <p class="muted">避難しました: ${f.totals.evacuated}世帯 ／ 自宅で安全: ${f.totals.safeAtHome}世帯 ／ テレビ ${f.tvs.delivered}/${f.tvs.reachable}台に到達</p>
      <table data-districts><thead><tr><th>地区</th><th>対象</th><th>届いた</th><th>表示</th><th>確認</th></tr></thead><tbody>
        ${f.districts.map((d) => html`<tr data-district=${d.name}><td>${d.name}</td><td>${d.targeted}</td><td>${d.delivered}</td><td>${d.displayed}</td><td>${d.acknowledged}</td></tr>`)}
      </tbody></table>
      <div class="panel" style="margin-top:12px"><op-histogram label="発信から届くまでの時間（台数）" unit="秒" .edges=${f.histogram.edgesSeconds} .counts=${f.histogram.counts}
        data-histogram-total=${f.histogram.counts.reduce((a, b) => a + b, 0)}></op-histogram></div>
      <h3>届いていないテレビ（${f.notReached.total}台）</h3>
      ${f.notReached.total ? html`<table data-not-reached><thead><tr><th>地区</th><th>世帯</th><th>テレビ</th><th>最後の接続</th></tr></thead><tbody>
        ${f.notReached.items.map((t) => html`<tr data-device=${t.deviceId}><td>${t.district}</td><td>${t.household}</td><td>${t.label}</td>
          <td>${t.lastSeenAt ? new Date(t.lastSeenAt).toLocaleString('ja-JP') : '—'}</td></tr>`)}</tbody></table>`  : f.tvs.reachable === 0
        // Nothing to reach (an alert already expired when it came is never sent): not "all reached".
        ? html`<p class="muted" data-no-tvs>${f.totals.targeted ? '対象の 世帯に テレビは ありません。' : '対象の 世帯は ありません。'}</p>`
        : html`<p class="ok">すべてのテレビに届きました。</p>`}
    </div>`;
  }
}
customElements.define('op-alert-funnel', OpAlertFunnel);
declare global {
  interface HTMLElementTagNameMap { 'op-alert-funnel': OpAlertFunnel }
}
