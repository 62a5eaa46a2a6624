import { LitElement, html } from 'lit';
import { ConsoleError, type CampaignView, type ConsoleClient, type IssuedCodeView, type PolicyView, type SubmissionView } from '../console-client.js';
import { consoleStyles } from '../styles.js';
import './pension-credentials.js';

const STATE_LABEL: Record<SubmissionView['state'], string> = {
  sealed: '受付済み',
  revocation_pending: '失効確認待ち',
  status_changed: '受付済み（変更あり・要連絡）',
  certificate_changed: '証明書の状態変更（未受付・ご本人に連絡）',
};

/**
 * The insurer's pension service: policies (one, or many by CSV) with their link codes shown once
 * to print on the letters; campaigns with live progress; submissions with their declarations and
 * state, each evidence bundle downloadable exactly as kept; with `canManageCredentials`
 * (pension.api_credentials), the API credentials of the insurer's own systems. Never "deceased":
 * a revoked certificate shows as 証明書の状態変更 — contact the policyholder.
 */
export class OpPensionPage extends LitElement {
  static override styles = consoleStyles;
  static override properties = {
    client: { attribute: false }, canManageCredentials: { type: Boolean },
    _policies: { state: true }, _campaigns: { state: true }, _submissions: { state: true }, _codes: { state: true }, _error: { state: true },
    _formError: { state: true }, _campaignError: { state: true }, _opened: { state: true },
  };
  declare client: ConsoleClient;
  declare canManageCredentials: boolean;
  declare _policies: PolicyView[] | null;
  declare _campaigns: CampaignView[] | null;
  declare _submissions: SubmissionView[] | null;
  /** Link codes just issued: shown once, then gone. */
  declare _codes: IssuedCodeView[] | { policyId: string; linkCode: string; linkCodeExpiresAt: string }[] | null;
  declare _error: string;
  declare _formError: string;
  declare _campaignError: string;
  /** The campaign just opened and how many linked residents it reached. */
  declare _opened: { period: string; notified: number } | null;

  constructor() {
    super();
    this.canManageCredentials = false;
    this._campaignError = '';
    this._opened = null;
    this._policies = null;
    this._campaigns = null;
    this._submissions = null;
    this._codes = null;
    this._error = '';
    this._formError = '';
  }

  override connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  private fail(err: unknown, fallback: string) {
    return err instanceof ConsoleError ? `${err.error.ja}（${err.code}）` : fallback;
  }

  private async load() {
    this._error = '';
    try {
      const [p, c, s] = await Promise.all([this.client.pensionPolicies(), this.client.pensionCampaigns(), this.client.pensionSubmissions()]);
      this._policies = p.policies;
      this._campaigns = c.campaigns;
      this._submissions = s.submissions;
    } catch (err) {
      this._error = this.fail(err, '読み込めませんでした。');
    }
  }

  /** Runs a form's work; its error goes to the form's own panel (`_formError` or `_campaignError`). */
  private async act(event: Event, work: (form: HTMLFormElement) => Promise<void>, errorIn: '_formError' | '_campaignError' = '_formError') {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    this[errorIn] = '';
    try {
      await work(form);
      form.reset();
      await this.load();
    } catch (err) {
      this[errorIn] = this.fail(err, '登録できませんでした。');
    }
  }

  private field = (form: HTMLFormElement, name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement).value.trim();

  private addPolicy = (e: Event) => this.act(e, async (form) => {
    this._codes = (await this.client.addPolicy(this.field(form, 'policyRef'), Number(this.field(form, 'dueMonth')))).policies;
  });

  private upload = (e: Event) => this.act(e, async (form) => {
    const file = (form.elements.namedItem('file') as HTMLInputElement).files?.[0];
    const csv = file ? await file.text() : this.field(form, 'csv');
    this._codes = (await this.client.uploadPolicies(csv)).policies;
  });

  /** The month, the deadline (the end of that day in Japan) and up to three reminder days, as the form holds them. */
  private openCampaign = (e: Event) => this.act(e, async (form) => {
    const reminders = [...form.querySelectorAll<HTMLInputElement>('input[name=reminder]')].map((i) => i.value).filter(Boolean);
    const period = this.field(form, 'period');
    this._opened = null;
    const opened = await this.client.openCampaign({
      title: this.field(form, 'title'), period,
      deadline: new Date(`${this.field(form, 'deadline')}T23:59:59+09:00`).toISOString(), reminderDates: reminders,
    });
    this._opened = { period, notified: opened.notified };
  }, '_campaignError');

  private async reissue(policyId: string) {
    try {
      this._codes = [await this.client.reissueLinkCode(policyId)];
      await this.load();
    } catch (err) {
      this._error = this.fail(err, '番号を発行できませんでした。');
    }
  }

  private async download(id: string) {
    try {
      const text = await this.client.pensionBundle(id);
      const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
      const a = Object.assign(document.createElement('a'), { href: url, download: `genkyo-${id}.json` });
      a.click();
      URL.revokeObjectURL(url);
    } catch (err) {
      this._error = this.fail(err, '証拠ファイルを取得できませんでした。');
    }
  }

  private codes() {
    const codes = this._codes;
    if (!codes) return '';
    const refOf = (c: (typeof codes)[number]) => ('policyRef' in c ? c.policyRef : this._policies?.find((p) => p.id === c.policyId)?.policyRef ?? '');
    return html`<div class="panel" data-codes>
      <p class="warn">連携番号は この画面で一度だけ表示されます。お手紙に印刷してから閉じてください（保存されるのはハッシュ値のみ）。</p>
      <table><thead><tr><th>証券番号</th><th>連携番号</th><th>有効期限</th></tr></thead><tbody>
        ${codes.map((c) => html`<tr><td>${refOf(c)}</td><td><code data-link-code>${c.linkCode}</code></td><td>${new Date(c.linkCodeExpiresAt).toLocaleDateString('ja-JP')}</td></tr>`)}
      </tbody></table>
      <button @click=${() => { this._codes = null; }}>閉じる</button></div>`;
  }

  override render() {
    const policies = this._policies;
    return html`<h2>年金現況確認</h2>
      ${this._error ? html`<p class="error" role="alert">${this._error} <button @click=${() => this.load()}>もう一度</button></p>` : ''}
      ${this.codes()}
      <div class="panel"><h3>契約を登録する</h3>
        <form class="row" @submit=${this.addPolicy}>
          <label>証券番号 <input name="policyRef" required maxlength="40" pattern="[A-Za-z0-9][A-Za-z0-9_\\-]*" /></label>
          <label>確認月 <input name="dueMonth" type="number" min="1" max="12" required /></label>
          <button class="primary" type="submit">登録</button>
        </form>
        <form class="row" @submit=${this.upload}>
          <label>CSV（証券番号,確認月） <input name="file" type="file" accept=".csv,text/csv" /></label>
          <label>または貼り付け <textarea name="csv" rows="2" cols="30" placeholder="P-0001,6"></textarea></label>
          <button type="submit">一括登録</button>
        </form>
        ${this._formError ? html`<p class="error" role="alert">${this._formError}</p>` : ''}
      </div>
      <div class="panel"><h3>キャンペーン</h3>
        <form class="row" data-campaign-form @submit=${this.openCampaign}>
          <label>名前 <input name="title" required maxlength="100" value="年金現況確認" /></label>
          <label>対象月（この月が確認月の契約） <input name="period" type="month" required .defaultValue=${nextMonth()} /></label>
          <label>締め切り <input name="deadline" type="date" required /></label>
          <fieldset class="row"><legend>お知らせ日（締め切り前、任意）</legend>
            ${[1, 2, 3].map((n) => html`<input name="reminder" type="date" aria-label=${`お知らせ日 ${n}`} />`)}
          </fieldset>
          <button class="primary" type="submit">開始</button>
        </form>
        ${this._campaignError ? html`<p class="error" role="alert">${this._campaignError}</p>` : ''}
        ${this._opened ? html`<p class="ok" role="status" data-campaign-opened=${this._opened.period}>${this._opened.period} のキャンペーンを開始しました。連携済みの ${this._opened.notified} 人のお知らせに届きました。</p>` : ''}
        ${!this._campaigns ? '' : !this._campaigns.length ? html`<div class="empty">キャンペーンはまだありません。</div>`
          : html`<table><thead><tr><th>名前</th><th>対象月</th><th>締め切り</th><th>連携</th><th>通知</th><th>開封</th><th>提出</th><th>期限切れ</th></tr></thead><tbody>
            ${this._campaigns.map((c) => html`<tr data-campaign=${c.id}><td>${c.title}</td><td>${c.period}</td><td>${new Date(c.deadline).toLocaleDateString('ja-JP')}</td>
              <td>${c.progress.linked}</td><td>${c.progress.notified}</td><td>${c.progress.opened}</td><td data-submitted>${c.progress.submitted}</td><td>${c.progress.overdue}</td></tr>`)}
            </tbody></table>`}
      </div>
      <div class="panel"><h3>提出</h3>
        ${!this._submissions ? '' : !this._submissions.length ? html`<div class="empty">提出はまだありません。</div>`
          : html`<table><thead><tr><th>証券番号</th><th>利用者ID（貴社専用）</th><th>署名時刻</th><th>状態</th><th>申告</th><th></th></tr></thead><tbody>
            ${this._submissions.map((s) => html`<tr data-submission=${s.id} data-state=${s.state}><td>${s.policyRef}</td><td><code>${s.serviceUid}</code></td>
              <td>${new Date(s.signedAt).toLocaleString('ja-JP')}</td><td>${STATE_LABEL[s.state]}</td><td>${(s.declarations ?? []).join(' ')}</td>
              <td>${s.state === 'revocation_pending' || s.state === 'certificate_changed' ? '' : html`<button data-download @click=${() => this.download(s.id)}>証拠ファイル</button>`}</td></tr>`)}
            </tbody></table>`}
      </div>
      <div class="panel"><h3>契約</h3>
        ${!policies ? html`<div class="empty">読み込んでいます…</div>` : !policies.length ? html`<div class="empty">契約はまだありません。</div>`
          : html`<table><thead><tr><th>証券番号</th><th>確認月</th><th>連携</th><th>基本4情報</th><th>証明書</th><th></th></tr></thead><tbody>
            ${policies.map((p) => html`<tr data-policy=${p.id}><td>${p.policyRef}</td><td>${p.dueMonth}月</td>
              <td>${p.linked ? html`<code>${p.serviceUid}</code>` : p.linkCodeExpiresAt ? `番号発行済み（${new Date(p.linkCodeExpiresAt).toLocaleDateString('ja-JP')}まで）` : '未連携'}</td>
              <td>${p.basic4 ? `${p.basic4.name} ${p.basic4.dateOfBirth} ${p.basic4.address}` : '—'}</td>
              <td>${p.certificateStatus === 'changed' ? html`<span class="warn">状態変更 — ご契約者に連絡してください</span>` : p.certificateStatus === 'good' ? '有効' : '—'}</td>
              <td>${p.linked ? '' : html`<button @click=${() => this.reissue(p.id)}>番号を再発行</button>`}</td></tr>`)}
            </tbody></table>`}
      </div>
      ${this.canManageCredentials ? html`<op-pension-credentials .client=${this.client}></op-pension-credentials>` : ''}`;
  }
}

/** `YYYY-MM` of next month (local time): the usual month to open a campaign for. */
function nextMonth(now = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth() + 1, 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}
customElements.define('op-pension-page', OpPensionPage);
declare global {
  interface HTMLElementTagNameMap { 'op-pension-page': OpPensionPage }
}
