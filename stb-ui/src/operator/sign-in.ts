import { LitElement, html } from 'lit';
import '../components/health-badge.js';
import { DriverError, type ReaderClient } from '../api/reader-client.js';
import { authTriesLeft, cardLogin, newClientId } from './card-login.js';
import { ConsoleError, type ConsoleClient, type StaffSessionView } from './console-client.js';
import { consoleStyles } from './styles.js';

/**
 * Staff sign-in with their own My Number Card: what the reader sees (no driver, no reader, no card,
 * the card and its tries left), the 4-digit PIN, and on the first login the invitation code.
 * No passwords anywhere. Fires `signed-in` with the new session.
 */
export class OpSignIn extends LitElement {
  static override styles = consoleStyles;
  static override properties = {
    reader: { attribute: false }, client: { attribute: false }, notice: {},
    _busy: { state: true }, _error: { state: true }, _tries: { state: true }, _showInvite: { state: true },
  };
  declare reader: ReaderClient;
  declare client: ConsoleClient;
  /** Why the console is here (e.g. signed out after the idle period). */
  declare notice: string;
  declare _busy: boolean;
  declare _error: string;
  declare _tries: number | null;
  declare _showInvite: boolean;
  private readonly clientId = newClientId();
  private unsubscribe: (() => void) | null = null;
  private lastCardReader: string | null = null;

  constructor() {
    super();
    this.notice = '';
    this._busy = false;
    this._error = '';
    this._tries = null;
    this._showInvite = false;
  }

  override connectedCallback() {
    super.connectedCallback();
    this.unsubscribe = this.reader.onChange(() => {
      this.requestUpdate();
      void this.refreshTries();
    });
    void this.refreshTries();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  private get cardReader(): string | null {
    return this.reader.readers.find((r) => r.cardPresent)?.name ?? null;
  }

  private async refreshTries() {
    const name = this.cardReader;
    if (name === this.lastCardReader) return;
    this.lastCardReader = name;
    this._tries = null;
    this._error = '';
    if (name && this.reader.state === 'open') this._tries = await authTriesLeft(this.reader, name).catch(() => null);
  }

  private readerLine() {
    if (this.reader.state !== 'open') {
      return html`<p class="warn" data-reader="unavailable">カードリーダーの接続ソフトに接続できません。パソコンでカードリーダーのソフトが動いているか確かめてください。${this.reader.state === 'reconnecting' ? '（再接続しています…）' : ''}</p>`;
    }
    if (!this.reader.readers.length) return html`<p class="warn" data-reader="none">カードリーダーが見つかりません。ケーブルを確かめてください。</p>`;
    if (!this.cardReader) return html`<p data-reader="no-card">職員ご本人のマイナンバーカードを、カードリーダーに置いてください。</p>`;
    return html`<p class="ok" data-reader="card">カードを確認しました。${this._tries !== null ? html` 暗証番号の残り回数: <strong data-tries>${this._tries}回</strong>` : ''}</p>`;
  }

  private async submit(event: Event) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const pin = (form.elements.namedItem('pin') as HTMLInputElement).value;
    const invite = (form.elements.namedItem('invite') as HTMLInputElement | null)?.value.trim() || undefined;
    const readerName = this.cardReader;
    if (!readerName) return;
    if (!/^\d{4}$/.test(pin)) {
      this._error = '暗証番号は数字4けたです。カードは使われていません。';
      return;
    }
    this._busy = true;
    this._error = '';
    try {
      const session = await cardLogin(this.reader, readerName, this.client, this.clientId, pin, invite);
      this.dispatchEvent(new CustomEvent<StaffSessionView>('signed-in', { detail: session, bubbles: true, composed: true }));
    } catch (err) {
      (form.elements.namedItem('pin') as HTMLInputElement).value = '';
      if (err instanceof DriverError) {
        const tries = err.error.details?.triesLeft;
        if (typeof tries === 'number') this._tries = tries;
        this._error = err.error.ja || err.message;
        if (err.code === 'CARD_PIN_BLOCKED') this._error += ' ロックの解除は、お住まいの市区町村の窓口で行えます。';
      } else if (err instanceof ConsoleError) {
        this._error = err.error.ja;
      } else {
        this._error = 'ログインできませんでした。もう一度お試しください。';
      }
    } finally {
      this._busy = false;
    }
  }

  override render() {
    const ready = this.reader.state === 'open' && !!this.cardReader;
    return html`<div class="panel" style="max-width:560px;margin:48px auto">
      <h1>運用コンソール ログイン</h1>
      ${this.notice ? html`<p class="warn" data-notice>${this.notice}</p>` : ''}
      ${this.readerLine()}
      <form @submit=${this.submit}>
        <p><label>利用者証明用の暗証番号（数字4けた）
          <input name="pin" type="password" inputmode="numeric" autocomplete="off" maxlength="4" pattern="\\d{4}" required ?disabled=${!ready || this._busy} /></label></p>
        ${this._showInvite
          ? html`<p><label>招待コード <input name="invite" autocomplete="off" placeholder="XXXX-XXXX-XXXX" maxlength="20" ?disabled=${this._busy} /></label></p>`
          : html`<p><button type="button" @click=${() => (this._showInvite = true)}>はじめてログインする方（招待コードを入力）</button></p>`}
        <p class="row"><button class="primary" type="submit" ?disabled=${!ready || this._busy}>${this._busy ? 'カードを確認しています…' : 'ログイン'}</button></p>
        ${this._error ? html`<p class="error" role="alert" data-error>${this._error}</p>` : ''}
      </form>
      <p class="muted">パスワードはありません。ご本人のカードと暗証番号でログインします。暗証番号はカードリーダーにだけ送られ、サーバーには送られません。</p>
      <p class="muted">サーバーの状態: <stb-health-badge></stb-health-badge></p>
    </div>`;
  }
}
customElements.define('op-sign-in', OpSignIn);
declare global {
  interface HTMLElementTagNameMap { 'op-sign-in': OpSignIn }
}
