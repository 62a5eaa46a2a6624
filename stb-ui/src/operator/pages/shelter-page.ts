import { LitElement, html } from 'lit';
import { ConsoleError, type ConsoleClient, type ShelterOverview, type UnconfirmedList } from '../console-client.js';
import type { LiveClient, LiveState } from '../live-client.js';
import { consoleStyles } from '../styles.js';

/**
 * The municipality's shelters: occupancy against capacity (a bar per shelter), arrivals per hour,
 * each tablet's last contact, and 安否未確認 — counts per district for every role that sees
 * shelters, the names (filter by district, CSV for door-to-door checks) only with evacuees.read.
 * Live: the platform pushes the overview over the console's live channel whenever a tablet's
 * upload or outbox report changes it; the page asks for it itself only while that channel is down.
 */
export class OpShelterPage extends LitElement {
  /** How often the page asks while the live channel is down (a test may push it far away). */
  static pollMs = 10_000;
  static override styles = consoleStyles;
  static override properties = {
    client: { attribute: false }, live: { attribute: false }, liveState: { attribute: false }, canSeeNames: { type: Boolean }, canManage: { type: Boolean },
    _overview: { state: true }, _unconfirmed: { state: true }, _district: { state: true }, _error: { state: true },
  };
  declare client: ConsoleClient;
  declare live: LiveClient | null;
  /** The live channel's state, from the console: the poll runs only while it is not 'live'. */
  declare liveState: LiveState;
  declare canSeeNames: boolean;
  /** shelters.manage: may set whether card check-ins need the PIN, per shelter. */
  declare canManage: boolean;
  declare _overview: ShelterOverview | null;
  declare _unconfirmed: UnconfirmedList | null;
  declare _district: string;
  declare _error: string;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor() {
    super();
    this.live = null;
    this.liveState = 'connecting';
    this.canSeeNames = false;
    this.canManage = false;
    this._overview = null;
    this._unconfirmed = null;
    this._district = '';
    this._error = '';
  }

  override connectedCallback() {
    super.connectedCallback();
    void this.load();
    this.timer = setInterval(() => {
      if (this.liveState !== 'live') void this.load();
    }, OpShelterPage.pollMs);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.live) {
      this.live.onShelters = null;
      this.live.watchShelters(false);
    }
  }

  override willUpdate(changed: Map<string, unknown>) {
    if (changed.has('live') && this.live) {
      this.live.onShelters = (data) => this.pushed(data);
      this.live.watchShelters(true);
    }
    // After a reconnect the client asks again and the platform answers with the overview at once.
  }

  /** A pushed overview; the names follow it (they change with the same check-ins). */
  private pushed(data: ShelterOverview) {
    this._overview = data;
    this._error = '';
    if (this.canSeeNames) void this.loadNames();
  }

  private async loadNames() {
    try {
      this._unconfirmed = await this.client.unconfirmed(this._district || undefined);
    } catch (err) {
      this._error = err instanceof ConsoleError ? err.error.ja : '避難所の状況を読み込めませんでした。';
    }
  }

  private async load() {
    try {
      this._overview = await this.client.shelters();
      if (this.canSeeNames) this._unconfirmed = await this.client.unconfirmed(this._district || undefined);
      this._error = '';
    } catch (err) {
      this._error = err instanceof ConsoleError ? err.error.ja : '避難所の状況を読み込めませんでした。';
    }
  }

  private async setPin(shelterId: string, requirePin: boolean) {
    try {
      await this.client.setShelterPin(shelterId, requirePin);
      await this.load();
    } catch (err) {
      this._error = err instanceof ConsoleError ? err.error.ja : '設定を変えられませんでした。';
    }
  }

  private async download() {
    try {
      const blob = await this.client.unconfirmedCsv(this._district || undefined);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `anpi-mikakunin${this._district ? `-${this._district}` : ''}.csv`;
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (err) {
      this._error = err instanceof ConsoleError ? err.error.ja : 'CSV を作れませんでした。';
    }
  }

  override render() {
    const o = this._overview;
    return html`
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : ''}
      <div class="panel"><h2>避難所の状況</h2>
        ${o ? html`<table data-shelters><thead><tr><th>避難所</th><th>在所 / 定員</th><th></th><th>車中泊など</th><th>タブレット（最後の通信・受信・未送信）</th><th>受付に暗証番号</th></tr></thead><tbody>
          ${o.shelters.map((s) => html`<tr data-shelter=${s.name} data-inside=${s.inside}>
            <td>${s.name}</td><td>${s.inside} / ${s.capacity}</td>
            <td style="width:30%"><div style="background:var(--op-line);height:12px;border-radius:6px">
              <div style="height:12px;border-radius:6px;background:${s.inside >= s.capacity ? 'var(--op-danger)' : 'var(--op-accent)'};width:${Math.min(100, s.capacity ? (100 * s.inside) / s.capacity : 0)}%"></div></div></td>
            <td>${s.outside}</td>
            <td>${s.tablets.length ? s.tablets.map((t) => html`<div data-tablet=${t.label} data-waiting=${t.waiting ?? ''}>${t.label}: ${t.lastContactAt ? new Date(t.lastContactAt).toLocaleString('ja-JP') : '未接続'}（受信 ${t.events}件・<span class=${t.waiting ? 'error' : ''}>未送信 ${t.waiting ?? '不明'}件</span>）</div>`) : html`<span class="muted">なし</span>`}</td>
            <td>${this.canManage
              ? html`<label><input type="checkbox" data-require-pin .checked=${s.requirePin} @change=${(e: Event) => this.setPin(s.id, (e.target as HTMLInputElement).checked)}>求める</label>`
              : s.requirePin ? '求める' : '求めない'}</td>
          </tr>`)}</tbody></table>` : html`<p class="muted">読み込み中…</p>`}
      </div>
      ${o ? html`<div class="panel"><h3>1時間ごとの到着（24時間）</h3>
        ${o.arrivals.length ? html`<table data-arrivals><tbody>${o.arrivals.map((a) => html`<tr><td>${new Date(a.hour).toLocaleString('ja-JP', { month: 'numeric', day: 'numeric', hour: 'numeric' })}</td><td>${a.count}人</td></tr>`)}</tbody></table>`
          : html`<p class="muted">まだありません</p>`}</div>
      <div class="panel"><h3>安否未確認</h3>
        <p data-unconfirmed-total=${o.unconfirmed.reduce((n, d) => n + d.count, 0)}>${o.unconfirmed.map((d) => html`${d.district ?? '地区なし'} ${d.count}人　`)}${o.unconfirmed.length ? '' : '避難情報の対象で、未確認の方はいません。'}</p>
        ${this.canSeeNames ? this.renderNames(o) : html`<p class="muted">お名前は、防災担当の役割で見られます。</p>`}
      </div>` : ''}`;
  }

  private renderNames(o: ShelterOverview) {
    const people = this._unconfirmed?.people ?? [];
    return html`
      <label>地区 <select data-district @change=${(e: Event) => { this._district = (e.target as HTMLSelectElement).value; void this.load(); }}>
        <option value="">すべて</option>
        ${o.unconfirmed.map((d) => html`<option value=${d.districtCode ?? ''} ?selected=${this._district === d.districtCode}>${d.district ?? '地区なし'}</option>`)}
      </select></label>
      <button @click=${() => this.download()} data-csv>CSV に書き出す</button>
      <table data-unconfirmed><thead><tr><th>地区</th><th>世帯</th><th>氏名</th><th>住所</th></tr></thead><tbody>
        ${people.map((p) => html`<tr><td>${p.district ?? ''}</td><td>${p.household}</td><td>${p.name ?? ''}</td><td>${p.address ?? ''}</td></tr>`)}
      </tbody></table>`;
  }
}

customElements.define('op-shelter-page', OpShelterPage);
declare global {
  interface HTMLElementTagNameMap { 'op-shelter-page': OpShelterPage }
}
