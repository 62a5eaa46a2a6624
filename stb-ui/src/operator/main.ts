import { LitElement, html } from 'lit';
import { ReaderClient } from '../api/reader-client.js';
import { loadUiConfig } from '../config.js';
import { ConsoleClient, ConsoleError, type DashboardView, type StaffMeView, type StaffSessionView } from './console-client.js';
import { LiveClient, liveUrl, type LiveState } from './live-client.js';
import './pages/alerts-page.js';
import './pages/audit-page.js';
import './pages/booking-page.js';
import './pages/devices-page.js';
import './pages/home-page.js';
import './pages/shelter-page.js';
import './pages/staff-page.js';
import './pages/pension-page.js';
import './sign-in.js';
import { consoleStyles } from './styles.js';

/** The console's pages, each shown only to roles that grant its permission. */
const PAGES = [
  { id: 'home', label: 'ホーム', permission: 'dashboard.read' },
  { id: 'devices', label: 'テレビ', permission: 'devices.read' },
  { id: 'alerts', label: '避難情報', permission: 'alerts.compose' },
  { id: 'audit', label: '操作記録', permission: 'audit.read' },
  { id: 'staff', label: '職員', permission: 'staff.manage' },
  { id: 'shelters', label: '避難所', permission: 'shelters.read' },
  { id: 'pension', label: '年金現況確認', permission: 'pension.manage' },
  { id: 'booking', label: '施設予約', permission: 'facilities.manage' },
] as const;
type PageId = (typeof PAGES)[number]['id'];

/** The staff token lives in this tab only (sessionStorage of the console's own origin). */
const TOKEN_KEY = 'op-console-token';
/** Activity extends the session at most this often (each extension is one request). */
const EXTEND_EVERY_MS = 60_000;

/**
 * The operator console (cable operator, municipality, insurer): sign-in with the staff member's own
 * card, then the pages their roles allow, live numbers over one WebSocket, and the idle deadline
 * on screen, extended by activity. Whatever ends the session (logout, idle, removal, a restart of
 * the platform that lost it) brings the sign-in back with the reason.
 */
export class StbOperatorApp extends LitElement {
  static override styles = consoleStyles;
  static override properties = {
    _me: { state: true }, _page: { state: true }, _dashboard: { state: true }, _live: { state: true }, _notice: { state: true }, _remaining: { state: true },
  };
  declare _me: StaffMeView | null;
  declare _page: PageId;
  declare _dashboard: DashboardView | null;
  declare _live: LiveState;
  declare _notice: string;
  declare _remaining: number;
  private readonly client = new ConsoleClient();
  private readonly reader = new ReaderClient({ url: loadUiConfig(location.search).readerUrl, clientName: 'operator-console' });
  private live: LiveClient | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private lastExtend = 0;
  private readonly onActivity = () => void this.extend();
  private readonly onHash = () => (this._page = this.pageFromHash());

  constructor() {
    super();
    this._me = null;
    this._page = 'home';
    this._dashboard = null;
    this._live = 'connecting';
    this._notice = '';
    this._remaining = 0;
    this.client.onSessionEnded = () => this.signOut('ログインの有効期限が切れました。もう一度カードでログインしてください。');
  }

  override connectedCallback() {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    for (const type of ['pointerdown', 'keydown']) window.addEventListener(type, this.onActivity, { passive: true });
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) void this.resume(token);
    else this.reader.start();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
    for (const type of ['pointerdown', 'keydown']) window.removeEventListener(type, this.onActivity);
    this.stopSession();
    this.reader.stop();
  }

  private pageFromHash(): PageId {
    const id = location.hash.replace(/^#\/?/, '') as PageId;
    return PAGES.some((p) => p.id === id) ? id : 'home';
  }

  /** A reload keeps the session: the token is checked (and extended) before anything is shown. */
  private async resume(token: string) {
    this.client.token = token;
    try {
      this.begin(await this.client.me(), token);
    } catch (err) {
      sessionStorage.removeItem(TOKEN_KEY);
      this.client.token = null;
      this._notice = err instanceof ConsoleError && err.status === 0 ? err.error.ja : '';
      this.reader.start();
    }
  }

  private onSignedIn(event: CustomEvent<StaffSessionView>) {
    const { token, ...me } = event.detail;
    sessionStorage.setItem(TOKEN_KEY, token);
    this.client.token = token;
    this.begin(me, token);
  }

  private begin(me: StaffMeView, token: string) {
    this.reader.stop();
    this._notice = '';
    this._me = me;
    this._page = this.pageFromHash();
    this.lastExtend = Date.now();
    this.ticker = setInterval(() => this.tick(), 1000);
    this.tick();
    // Every console holds the live channel: it carries the dashboard (for roles that may read it)
    // and, for everyone, the news that the session ended (a removal, a role change, a logout elsewhere).
    this.live = new LiveClient(liveUrl(location), token, {
      dashboard: (data) => (this._dashboard = data),
      state: (state) => (this._live = state),
      ended: () => this.signOut('ログインが終了しました（ほかの画面でログアウトしたか、管理者が役割を変更・削除しました）。'),
    });
    this.live.start();
  }

  private tick() {
    if (!this._me) return;
    this._remaining = Math.max(0, Math.round((Date.parse(this._me.idleExpiresAt) - Date.now()) / 1000));
    if (this._remaining === 0) this.signOut('しばらく操作がなかったため、ログアウトしました。');
  }

  /** Activity on the page moves the idle deadline (at most once a minute). */
  private async extend() {
    if (!this._me || Date.now() - this.lastExtend < EXTEND_EVERY_MS) return;
    this.lastExtend = Date.now();
    try {
      this._me = await this.client.me();
    } catch {
      // A session that ended signs out through onSessionEnded; a network blip is retried on the next activity.
      this.lastExtend = 0;
    }
  }

  private stopSession() {
    this.live?.stop();
    this.live = null;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  private signOut(notice: string) {
    if (!this._me) return;
    this.stopSession();
    sessionStorage.removeItem(TOKEN_KEY);
    this.client.token = null;
    this._me = null;
    this._dashboard = null;
    this._notice = notice;
    this.reader.start();
  }

  private async logout() {
    await this.client.logout().catch(() => undefined);
    this.signOut('ログアウトしました。');
  }

  private renderPage(me: StaffMeView) {
    const can = (p: string) => me.permissions.includes(p);
    switch (this._page) {
      case 'devices':
        return can('devices.read') ? html`<op-devices-page .client=${this.client} ?canManage=${can('devices.manage')}></op-devices-page>` : this.forbidden();
      case 'alerts':
        return can('alerts.compose') ? html`<op-alerts-page .client=${this.client} .live=${this.live} .selfId=${me.staff.id} ?canApprove=${can('alerts.approve')}></op-alerts-page>` : this.forbidden();
      case 'audit':
        return can('audit.read') ? html`<op-audit-page .client=${this.client} ?canVerify=${can('audit.verify')}></op-audit-page>` : this.forbidden();
      case 'pension':
        return can('pension.manage') ? html`<op-pension-page .client=${this.client} ?canManageCredentials=${can('pension.api_credentials')}></op-pension-page>` : this.forbidden();
      case 'booking':
        return can('facilities.manage') ? html`<op-booking-page .client=${this.client}></op-booking-page>` : this.forbidden();
      case 'staff':
        return can('staff.manage') ? html`<op-staff-page .client=${this.client} .selfId=${me.staff.id}></op-staff-page>` : this.forbidden();
      case 'shelters':
        return can('shelters.read') ? html`<op-shelter-page .client=${this.client} .live=${this.live} .liveState=${this._live} ?canSeeNames=${can('evacuees.read')} ?canManage=${can('shelters.manage')}></op-shelter-page>` : this.forbidden();
      default:
        return can('dashboard.read')
          ? html`<op-home-page .dashboard=${this._dashboard} .liveState=${this._live}></op-home-page>`
          : html`<div class="panel"><h2>ようこそ</h2><p>左のメニューから、あなたの役割でできることをえらんでください。</p></div>`;
    }
  }

  private forbidden() {
    return html`<div class="panel"><p class="error">このページを見る権限がありません。</p></div>`;
  }

  override render() {
    const me = this._me;
    if (!me) return html`<op-sign-in .reader=${this.reader} .client=${this.client} .notice=${this._notice} @signed-in=${this.onSignedIn}></op-sign-in>`;
    const minutes = Math.floor(this._remaining / 60);
    const seconds = String(this._remaining % 60).padStart(2, '0');
    return html`<header class="row" style="justify-content:space-between;padding:12px 20px;background:#fff;border-bottom:1px solid var(--op-line)">
        <div class="row"><strong style="font-size:18px">運用コンソール</strong><span data-org>${me.organisation.name}</span></div>
        <div class="row"><span data-staff>${me.staff.displayName}</span>
          <span class=${this._remaining < 120 ? 'warn' : 'muted'} data-idle title="操作すると延長されます">自動ログアウトまで ${minutes}:${seconds}</span>
          <button @click=${() => this.logout()}>ログアウト</button></div>
      </header>
      <div style="display:flex;min-height:calc(100vh - 60px);background:var(--op-bg)">
        <nav style="width:180px;padding:16px;border-right:1px solid var(--op-line)" aria-label="メニュー">
          ${PAGES.filter((p) => me.permissions.includes(p.permission)).map((p) => html`<p><a href="#/${p.id}" data-nav=${p.id}
            aria-current=${this._page === p.id ? 'page' : 'false'} style=${this._page === p.id ? 'font-weight:700' : ''}>${p.label}</a></p>`)}
        </nav>
        <main style="flex:1;padding:20px">${this.renderPage(me)}</main>
      </div>`;
  }
}
customElements.define('stb-operator-app', StbOperatorApp);
declare global {
  interface HTMLElementTagNameMap { 'stb-operator-app': StbOperatorApp }
}
