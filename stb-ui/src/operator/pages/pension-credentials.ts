import { LitElement, html } from 'lit';
import { ConsoleError, type ApiCredentialListView, type ConsoleClient } from '../console-client.js';
import { consoleStyles } from '../styles.js';

type Credential = ApiCredentialListView['credentials'][number];

/**
 * The insurer's API credentials for its own systems (permission pension.api_credentials): the
 * list (label, issued, revoked), a new one shown once as `Insurer id.secret`, and revocation after a
 * confirmation — the next request made with it is refused.
 */
export class OpPensionCredentials extends LitElement {
  static override styles = consoleStyles;
  static override properties = {
    client: { attribute: false },
    _list: { state: true }, _issued: { state: true }, _confirm: { state: true }, _error: { state: true },
  };
  declare client: ConsoleClient;
  declare _list: Credential[] | null;
  /** The credential just issued: shown once, then gone. */
  declare _issued: { label: string; credential: string } | null;
  declare _confirm: Credential | null;
  declare _error: string;

  constructor() {
    super();
    this._list = null;
    this._issued = null;
    this._confirm = null;
    this._error = '';
  }

  override connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  private async run(work: () => Promise<void>, fallback: string) {
    this._error = '';
    try {
      await work();
    } catch (err) {
      this._error = err instanceof ConsoleError ? `${err.error.ja}（${err.code}）` : fallback;
    }
  }

  private load() {
    return this.run(async () => {
      this._list = (await this.client.pensionApiCredentials()).credentials;
    }, '読み込めませんでした。');
  }

  private issue = (event: Event) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const label = (form.elements.namedItem('label') as HTMLInputElement).value.trim();
    return this.run(async () => {
      const { credential } = await this.client.issueApiCredential(label);
      this._issued = { label, credential: `Insurer ${credential}` };
      form.reset();
      await this.load();
    }, '発行できませんでした。');
  };

  private revoke(id: string) {
    return this.run(async () => {
      await this.client.revokeApiCredential(id);
      this._confirm = null;
      await this.load();
    }, '失効できませんでした。');
  }

  override render() {
    const list = this._list;
    return html`<div class="panel" data-api-credentials><h3>保険会社システム用の API 認証情報</h3>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : ''}
      <form class="row" @submit=${this.issue}>
        <label>用途 <input name="label" required maxlength="100" placeholder="基幹システム 本番" /></label>
        <button class="primary" type="submit">発行</button>
      </form>
      ${this._issued ? html`<div class="panel" data-issued-credential>
        <p class="warn">「${this._issued.label}」の認証情報は この画面で一度だけ表示されます。貴社システムの Authorization ヘッダーに設定してから閉じてください（保存されるのはハッシュ値のみ）。</p>
        <p class="mono" data-credential>${this._issued.credential}</p>
        <button @click=${() => { this._issued = null; }}>閉じる</button></div>` : ''}
      ${!list ? html`<div class="empty">読み込んでいます…</div>` : !list.length ? html`<div class="empty">認証情報はまだありません。</div>`
        : html`<table><thead><tr><th>用途</th><th>発行</th><th>状態</th><th></th></tr></thead><tbody>
          ${list.map((c) => html`<tr data-credential-row=${c.id} data-revoked=${c.revokedAt ? 'yes' : 'no'}><td>${c.label}</td><td>${new Date(c.createdAt).toLocaleString('ja-JP')}</td>
            <td>${c.revokedAt ? `失効（${new Date(c.revokedAt).toLocaleString('ja-JP')}）` : html`<span class="ok">有効</span>`}</td>
            <td>${c.revokedAt ? '' : html`<button class="danger" data-revoke @click=${() => { this._confirm = c; }}>失効させる</button>`}</td></tr>`)}
          </tbody></table>`}
      ${this._confirm ? html`<div class="panel" role="dialog" aria-label="失効の確認" data-confirm>
        <p>「${this._confirm.label}」を失効させますか？ この認証情報を使う貴社システムの要求は、直後から すべて拒否されます。元には戻せません。</p>
        <div class="row"><button autofocus @click=${() => { this._confirm = null; }}>やめる</button>
          <button class="danger" data-confirm-revoke @click=${() => this.revoke(this._confirm!.id)}>失効させる</button></div></div>` : ''}
    </div>`;
  }
}
customElements.define('op-pension-credentials', OpPensionCredentials);
declare global {
  interface HTMLElementTagNameMap { 'op-pension-credentials': OpPensionCredentials }
}
