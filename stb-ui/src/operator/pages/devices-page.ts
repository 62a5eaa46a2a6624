import { LitElement, html } from 'lit';
import QRCode from 'qrcode';
import { ConsoleError, type ConsoleClient, type DeviceListView, type ProvisionedDeviceView } from '../console-client.js';
import { consoleStyles } from '../styles.js';

const PAGE = 50;

/**
 * The cable operator's TVs: a filtered, paged list; provisioning (the credential is shown once, as
 * text and as a QR code for the installer); withdrawal of a lost or stolen TV, after a confirmation.
 */
export class OpDevicesPage extends LitElement {
  static override styles = consoleStyles;
  static override properties = {
    client: { attribute: false }, canManage: { type: Boolean },
    _list: { state: true }, _error: { state: true }, _status: { state: true }, _q: { state: true }, _offset: { state: true },
    _provisioned: { state: true }, _qr: { state: true }, _formError: { state: true }, _confirm: { state: true }, _notice: { state: true },
  };
  declare client: ConsoleClient;
  declare canManage: boolean;
  declare _list: DeviceListView | null;
  declare _error: string;
  declare _status: '' | 'active' | 'withdrawn';
  declare _q: string;
  declare _offset: number;
  declare _provisioned: ProvisionedDeviceView | null;
  declare _qr: string;
  declare _formError: string;
  declare _confirm: { id: string; label: string } | null;
  declare _notice: string;

  constructor() {
    super();
    this.canManage = false;
    this._list = null;
    this._error = '';
    this._status = '';
    this._q = '';
    this._offset = 0;
    this._provisioned = null;
    this._qr = '';
    this._formError = '';
    this._confirm = null;
    this._notice = '';
  }

  override connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    this._error = '';
    try {
      this._list = await this.client.devices({ status: this._status || undefined, q: this._q || undefined, limit: PAGE, offset: this._offset });
    } catch (err) {
      this._error = err instanceof ConsoleError ? err.error.ja : '一覧を読み込めませんでした。';
    }
  }

  private async provision(event: Event) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const contractNo = (form.elements.namedItem('contractNo') as HTMLInputElement).value.trim();
    const label = (form.elements.namedItem('label') as HTMLInputElement).value.trim();
    this._formError = '';
    try {
      this._provisioned = await this.client.provisionTv(contractNo, label);
      this._qr = await QRCode.toString(this._provisioned.credential, { type: 'svg', margin: 1, width: 200 });
      form.reset();
      await this.load();
    } catch (err) {
      this._formError = err instanceof ConsoleError ? `${err.error.ja}（${err.code}）` : '登録できませんでした。';
    }
  }

  private async toggleTestAlerts(d: { id: string; label: string; testAlerts: boolean }) {
    try {
      const result = await this.client.setTestAlerts(d.id, !d.testAlerts);
      this._notice = `「${d.label}」: テスト用の避難情報を${result.testAlerts ? '表示します' : '表示しません'}。`;
      await this.load();
    } catch (err) {
      this._error = err instanceof ConsoleError ? err.error.ja : '変更できませんでした。';
    }
  }

  private async withdraw() {
    const target = this._confirm;
    if (!target) return;
    this._confirm = null;
    try {
      const result = await this.client.withdraw(target.id);
      this._notice = `「${target.label}」を停止しました（終了したログイン: ${result.sessionsEnded}件）。`;
      await this.load();
    } catch (err) {
      this._error = err instanceof ConsoleError ? err.error.ja : '停止できませんでした。';
    }
  }

  private filter(event: Event) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    this._q = (form.elements.namedItem('q') as HTMLInputElement).value.trim();
    this._status = (form.elements.namedItem('status') as HTMLSelectElement).value as typeof this._status;
    this._offset = 0;
    void this.load();
  }

  private page(delta: number) {
    this._offset = Math.max(0, this._offset + delta * PAGE);
    void this.load();
  }

  override render() {
    const list = this._list;
    return html`<h2>テレビ</h2>
      ${this.canManage ? html`<div class="panel"><h3>テレビを登録する</h3>
        <form class="row" @submit=${this.provision}>
          <label>契約番号 <input name="contractNo" required maxlength="64" placeholder="CATV-0001" /></label>
          <label>名前 <input name="label" required maxlength="64" placeholder="居間のテレビ" /></label>
          <button class="primary" type="submit">登録</button>
        </form>
        ${this._formError ? html`<p class="error" role="alert">${this._formError}</p>` : ''}
        ${this._provisioned ? html`<div class="panel" data-provisioned>
          <p class="warn">この認証情報は一度だけ表示されます。設置する機器に設定してから閉じてください。</p>
          <div class="row"><div .innerHTML=${this._qr} aria-label="認証情報のQRコード"></div>
          <code data-credential>${this._provisioned.credential}</code></div>
          <button @click=${() => { this._provisioned = null; this._qr = ''; }}>閉じる</button></div>` : ''}
      </div>` : ''}
      <div class="panel">
        <form class="row" @submit=${this.filter}>
          <label>さがす <input name="q" maxlength="64" .value=${this._q} placeholder="契約番号・名前" /></label>
          <label>状態 <select name="status" .value=${this._status}><option value="">すべて</option><option value="active">使用中</option><option value="withdrawn">停止</option></select></label>
          <button type="submit">表示</button>
        </form>
        ${this._notice ? html`<p class="ok" role="status">${this._notice}</p>` : ''}
        ${this._error ? html`<p class="error" role="alert">${this._error} <button @click=${() => this.load()}>もう一度</button></p>` : ''}
        ${!list ? html`<div class="empty" data-state="loading">読み込んでいます…</div>`
          : !list.devices.length ? html`<div class="empty" data-state="empty">該当するテレビはありません。</div>`
          : html`<table><thead><tr><th>契約番号</th><th>世帯</th><th>名前</th><th>状態</th><th>最後に使われた時刻</th><th>テスト用の避難情報</th><th></th></tr></thead><tbody>
            ${list.devices.map((d) => html`<tr data-device=${d.id}>
              <td>${d.contractNo}</td><td>${d.household}</td><td>${d.label}</td>
              <td>${d.withdrawnAt ? html`<span class="error">停止</span>` : d.online ? html`<span class="ok">使用中</span>` : '待機'}</td>
              <td>${d.lastSeenAt ? new Date(d.lastSeenAt).toLocaleString('ja-JP') : '—'}</td>
              <td data-test-alerts=${d.testAlerts ? 'on' : 'off'}>${this.canManage && !d.withdrawnAt
                ? html`<button aria-pressed=${d.testAlerts ? 'true' : 'false'} @click=${() => this.toggleTestAlerts(d)}>${d.testAlerts ? '表示する' : '表示しない'}</button>`
                : d.testAlerts ? '表示する' : '表示しない'}</td>
              <td>${this.canManage && !d.withdrawnAt ? html`<button class="danger" @click=${() => (this._confirm = { id: d.id, label: d.label })}>停止</button>` : ''}</td></tr>`)}
            </tbody></table>
            <p class="row">${list.total}台中 ${this._offset + 1}–${this._offset + list.devices.length}
              <button ?disabled=${this._offset === 0} @click=${() => this.page(-1)}>前へ</button>
              <button ?disabled=${this._offset + PAGE >= list.total} @click=${() => this.page(1)}>次へ</button></p>`}
      </div>
      ${this._confirm ? html`<div class="panel" role="dialog" aria-label="停止の確認" data-confirm>
        <p>「${this._confirm.label}」を停止しますか？ このテレビではすぐに使えなくなり、ログイン中の人はログアウトされます。元に戻せません。</p>
        <div class="row"><button autofocus @click=${() => (this._confirm = null)}>やめる</button><button class="danger" @click=${() => this.withdraw()}>停止する</button></div></div>` : ''}`;
  }
}
customElements.define('op-devices-page', OpDevicesPage);
declare global {
  interface HTMLElementTagNameMap { 'op-devices-page': OpDevicesPage }
}
