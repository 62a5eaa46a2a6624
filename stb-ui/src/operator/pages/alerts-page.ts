import { LitElement, html } from 'lit';
import { ConsoleError, type AlertsOverview, type ConsoleClient, type DraftView } from '../console-client.js';
import type { LiveClient } from '../live-client.js';
import { consoleStyles } from '../styles.js';
import { ACTION_LABEL, LEVEL_LABEL, type ComposeMode } from './alert-compose.js';
import './alert-compose.js';
import './alert-funnel.js';

type AlertRow = AlertsOverview['alerts'][number];

const STATE_LABEL: Record<string, string> = { active: '発令中', superseded: '更新済み', cancelled: '取り消し', withdrawal: '取り消し通知' };
const STATUS_LABEL: Record<string, string> = { Actual: '', Exercise: '【訓練】', Test: '【試験】', System: '【システム】', Draft: '【下書き】' };

/**
 * The municipality's alerts (disaster officers): compose with a live preview, the queue of drafts
 * awaiting a second officer's approval, the messages sent and received with update / extend /
 * lift / cancel, and each message's funnel.
 */
export class OpAlertsPage extends LitElement {
  static override styles = consoleStyles;
  static override properties = {
    client: { attribute: false }, live: { attribute: false }, selfId: {}, canApprove: { type: Boolean },
    _overview: { state: true }, _mode: { state: true }, _funnelOf: { state: true }, _error: { state: true }, _notice: { state: true },
  };
  declare client: ConsoleClient;
  declare live: LiveClient | null;
  declare selfId: string;
  declare canApprove: boolean;
  declare _overview: AlertsOverview | null;
  declare _mode: ComposeMode | null;
  declare _funnelOf: string;
  declare _error: string;
  declare _notice: string;

  constructor() {
    super();
    this.selfId = '';
    this.live = null;
    this.canApprove = false;
    this._overview = null;
    this._mode = null;
    this._funnelOf = '';
    this._error = '';
    this._notice = '';
  }

  override connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      this._overview = await this.client.alerts();
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown) {
    this._error = err instanceof ConsoleError ? `${err.error.ja}（${err.code}）` : 'できませんでした。';
  }

  private districtNames(ids: string[]) {
    return ids.map((id) => this._overview?.places.districts.find((d) => d.id === id)?.name ?? '?').join('、');
  }

  private async step(draft: DraftView, step: 'approve' | 'discard' | 'submit') {
    this._error = '';
    try {
      const done = await this.client.alertDraftStep(draft.id, step, draft.version);
      this.report(done);
      await this.load();
    } catch (err) {
      this.fail(err);
      await this.load();
    }
  }

  private report(draft: DraftView) {
    this._notice = draft.state === 'published' ? '発信しました。'
      : draft.state === 'awaiting_approval' ? '承認待ちになりました。もう1人の防災担当者が承認すると発信されます。'
      : draft.state === 'discarded' ? '下書きを破棄しました。' : '保存しました。';
    if (draft.state === 'published' && draft.publishedAlertId) this._funnelOf = draft.publishedAlertId;
  }

  private async onComposed(event: CustomEvent<DraftView>) {
    this._mode = null;
    this.report(event.detail);
    await this.load();
  }

  private summary(d: DraftView) {
    return html`${STATUS_LABEL[d.status]}${ACTION_LABEL[d.action]} ${d.level ? LEVEL_LABEL[d.level] : ''}
      ${d.districtIds.length ? html`<span class="muted">（${this.districtNames(d.districtIds)}）</span>` : ''} ${d.headline}`;
  }

  private renderQueue(drafts: DraftView[]) {
    const waiting = drafts.filter((d) => d.state === 'awaiting_approval');
    const mine = drafts.filter((d) => d.state === 'draft' && d.composedBy.id === this.selfId);
    return html`<div class="panel" data-queue><h3>承認待ち（${waiting.length}件）</h3>
      ${waiting.length ? html`<table><tbody>${waiting.map((d) => html`<tr data-draft=${d.id} data-state=${d.state}>
        <td>${this.summary(d)}<div class="muted">作成: ${d.composedBy.displayName}</div></td>
        <td class="row">${d.composedBy.id === this.selfId
          ? html`<span class="muted" data-own>あなたが作成（別の担当者が承認します）</span>`
          : this.canApprove ? html`<button class="primary" @click=${() => this.step(d, 'approve')}>承認して発信</button>` : ''}
          <button class="danger" @click=${() => this.step(d, 'discard')}>差し戻し（破棄）</button></td></tr>`)}</tbody></table>`
        : html`<div class="empty">承認待ちはありません。</div>`}
      ${mine.length ? html`<h3>あなたの下書き</h3><table><tbody>${mine.map((d) => html`<tr data-draft=${d.id} data-state=${d.state}><td>${this.summary(d)}</td>
        <td class="row"><button class="primary" @click=${() => this.step(d, 'submit')}>発信を申請</button><button @click=${() => this.step(d, 'discard')}>破棄</button></td></tr>`)}</tbody></table>` : ''}
    </div>`;
  }

  private renderAlerts(rows: AlertRow[]) {
    const change = (action: ComposeMode['action'], ref: AlertRow) => { this._notice = ''; this._mode = { action, ref }; };
    return html`<div class="panel"><h3>発信・受信した避難情報</h3>
      ${rows.length ? html`<table data-alerts><thead><tr><th>発信</th><th>内容</th><th>地区</th><th>状態</th><th>対象</th><th></th></tr></thead><tbody>
        ${rows.map((a) => html`<tr data-alert=${a.id} data-state=${a.state}>
          <td>${new Date(a.sentAt).toLocaleString('ja-JP')}<div class="muted">${a.composedHere ? 'この画面から' : '受信'}</div></td>
          <td>${STATUS_LABEL[a.status] ?? ''}${a.msgType === 'Cancel' ? '取り消し' : LEVEL_LABEL[a.level ?? ''] ?? ''} ${a.headline}</td>
          <td>${a.areas.join('、')}</td><td data-alert-state>${STATE_LABEL[a.state] ?? a.state}</td><td data-targeted>${a.targeted}</td>
          <td class="row"><button @click=${() => (this._funnelOf = a.id)}>届いた状況</button>
            ${a.composedHere && a.state === 'active' ? html`<button @click=${() => change('update', a)}>更新</button>
              <button @click=${() => change('extend', a)}>延長</button><button @click=${() => change('lift', a)}>解除</button>
              <button class="danger" @click=${() => change('cancel', a)}>取り消し</button>` : ''}</td></tr>`)}</tbody></table>`
        : html`<div class="empty">まだありません。</div>`}</div>`;
  }

  override render() {
    const o = this._overview;
    return html`<div class="row" style="justify-content:space-between"><h2>避難情報</h2>
        ${o ? html`<span class="muted" data-approval=${o.settings.approvalRequired ? 'required' : 'off'}>${o.settings.approvalRequired ? '実際の発信には 2人目の承認が必要です' : '承認なしで発信されます（市の設定）'}</span>` : ''}
        <button class="primary" @click=${() => { this._notice = ''; this._mode = { action: 'alert' }; }}>新しい避難情報を作成</button></div>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : ''}
      ${this._notice ? html`<p class="ok" role="status" data-notice>${this._notice}</p>` : ''}
      ${!o ? html`<div class="panel empty" data-state="loading">読み込んでいます…</div>` : html`
        ${this._mode ? html`<div class="panel"><op-alert-compose .client=${this.client} .places=${o.places} .mode=${this._mode}
          @composed=${this.onComposed} @close=${() => (this._mode = null)}></op-alert-compose></div>` : ''}
        ${this.renderQueue(o.drafts)}
        ${this._funnelOf ? html`<div class="panel"><div class="row" style="justify-content:space-between"><h3>届いた状況</h3>
          <button @click=${() => (this._funnelOf = '')}>閉じる</button></div>
          <op-alert-funnel .client=${this.client} .live=${this.live} .alertId=${this._funnelOf}></op-alert-funnel></div>` : ''}
        ${this.renderAlerts(o.alerts)}`}`;
  }
}
customElements.define('op-alerts-page', OpAlertsPage);
declare global {
  interface HTMLElementTagNameMap { 'op-alerts-page': OpAlertsPage }
}
