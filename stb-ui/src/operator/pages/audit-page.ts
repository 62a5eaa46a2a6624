import { LitElement, html } from 'lit';
import { ConsoleError, type AuditPageView, type AuditVerdictView, type ConsoleClient } from '../console-client.js';
import { consoleStyles } from '../styles.js';

/** The audit log as this organisation may read it, newest first, paged; and the chain check. */
export class OpAuditPage extends LitElement {
  static override styles = consoleStyles;
  static override properties = {
    client: { attribute: false }, canVerify: { type: Boolean },
    _page: { state: true }, _error: { state: true }, _action: { state: true }, _cursors: { state: true }, _verdict: { state: true }, _verifying: { state: true },
  };
  declare client: ConsoleClient;
  declare canVerify: boolean;
  declare _page: AuditPageView | null;
  declare _error: string;
  declare _action: string;
  /** `before` of each page shown so far (for 前へ). */
  declare _cursors: (number | undefined)[];
  declare _verdict: AuditVerdictView | null;
  declare _verifying: boolean;

  constructor() {
    super();
    this.canVerify = false;
    this._page = null;
    this._error = '';
    this._action = '';
    this._cursors = [undefined];
    this._verdict = null;
    this._verifying = false;
  }

  override connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    this._error = '';
    try {
      this._page = await this.client.audit({ before: this._cursors[this._cursors.length - 1], action: this._action || undefined, limit: 50 });
    } catch (err) {
      this._error = err instanceof ConsoleError ? err.error.ja : '読み込めませんでした。';
    }
  }

  private async verify() {
    this._verifying = true;
    try {
      this._verdict = await this.client.verifyAudit();
    } catch (err) {
      this._error = err instanceof ConsoleError ? err.error.ja : '確認できませんでした。';
    } finally {
      this._verifying = false;
    }
  }

  override render() {
    const page = this._page;
    const v = this._verdict;
    return html`<h2>操作記録</h2>
      ${this.canVerify ? html`<div class="panel row"><button @click=${() => this.verify()} ?disabled=${this._verifying}>${this._verifying ? '確認しています…' : '改ざんがないか確かめる'}</button>
        ${v ? (v.ok
          ? html`<span class="ok" data-verdict="ok">改ざんはありません（${v.entries}件を確認${v.checkpoint ? `、署名付きチェックポイント #${v.checkpoint.seq} と一致` : '。チェックポイントはまだありません'}）</span>`
          : html`<span class="error" data-verdict="broken">${v.brokenAt !== null && v.brokenAt !== undefined ? `記録 #${v.brokenAt} で` : ''}記録の鎖が切れています（${v.reason ?? ''}: ${v.detail ?? ''}）。システム管理者に連絡してください。</span>`) : ''}</div>` : ''}
      <div class="panel">
        <form class="row" @submit=${(e: Event) => { e.preventDefault(); this._action = ((e.target as HTMLFormElement).elements.namedItem('action') as HTMLInputElement).value.trim(); this._cursors = [undefined]; void this.load(); }}>
          <label>操作 <input name="action" maxlength="64" placeholder="device. / staff." .value=${this._action} /></label><button type="submit">表示</button>
        </form>
        ${this._error ? html`<p class="error" role="alert">${this._error} <button @click=${() => this.load()}>もう一度</button></p>` : ''}
        ${!page ? html`<div class="empty" data-state="loading">読み込んでいます…</div>`
          : !page.entries.length ? html`<div class="empty" data-state="empty">記録はありません。</div>`
          : html`<table><thead><tr><th>#</th><th>時刻</th><th>だれが</th><th>操作</th><th>対象</th><th>内容</th></tr></thead><tbody>
              ${page.entries.map((e) => html`<tr data-seq=${e.seq}><td>${e.seq}</td><td>${new Date(e.at).toLocaleString('ja-JP')}</td><td><code>${e.actor}</code></td>
                <td><code>${e.action}</code></td><td><code>${e.subject ?? ''}</code></td><td><code>${JSON.stringify(e.data)}</code></td></tr>`)}</tbody></table>
            <p class="row"><button ?disabled=${this._cursors.length <= 1} @click=${() => { this._cursors = this._cursors.slice(0, -1); void this.load(); }}>新しい記録へ</button>
              <button ?disabled=${page.nextBefore === null} @click=${() => { this._cursors = [...this._cursors, page.nextBefore ?? undefined]; void this.load(); }}>古い記録へ</button></p>`}
      </div>`;
  }
}
customElements.define('op-audit-page', OpAuditPage);
declare global {
  interface HTMLElementTagNameMap { 'op-audit-page': OpAuditPage }
}
