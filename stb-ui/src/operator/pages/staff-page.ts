import { LitElement, html } from 'lit';
import { ConsoleError, type ConsoleClient, type InviteView, type StaffListView } from '../console-client.js';
import { consoleStyles } from '../styles.js';

/** The organisation's staff (admins): invite with a one-time code, change roles, remove. */
export class OpStaffPage extends LitElement {
  static override styles = consoleStyles;
  static override properties = {
    client: { attribute: false }, selfId: {},
    _list: { state: true }, _error: { state: true }, _invite: { state: true }, _confirm: { state: true }, _notice: { state: true },
  };
  declare client: ConsoleClient;
  declare selfId: string;
  declare _list: StaffListView | null;
  declare _error: string;
  declare _invite: (InviteView & { name: string }) | null;
  declare _confirm: { id: string; name: string } | null;
  declare _notice: string;

  constructor() {
    super();
    this.selfId = '';
    this._list = null;
    this._error = '';
    this._invite = null;
    this._confirm = null;
    this._notice = '';
  }

  override connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      this._list = await this.client.staff();
    } catch (err) {
      this._error = err instanceof ConsoleError ? err.error.ja : '読み込めませんでした。';
    }
  }

  private fail(err: unknown) {
    this._error = err instanceof ConsoleError ? `${err.error.ja}（${err.code}）` : 'できませんでした。';
  }

  private async invite(event: Event) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const name = (form.elements.namedItem('displayName') as HTMLInputElement).value.trim();
    const roles = [...form.querySelectorAll<HTMLInputElement>('input[name=role]:checked')].map((i) => i.value);
    this._error = '';
    if (!roles.length) {
      this._error = '役割を1つ以上えらんでください。';
      return;
    }
    try {
      this._invite = { ...(await this.client.invite(name, roles)), name };
      form.reset();
      await this.load();
    } catch (err) {
      this.fail(err);
    }
  }

  private async saveRoles(staffId: string, event: Event) {
    const row = (event.target as HTMLElement).closest('tr')!;
    const roles = [...row.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((i) => i.value);
    try {
      const result = await this.client.setRoles(staffId, roles);
      this._notice = `役割を変更しました。この職員はもう一度ログインが必要です（終了したログイン: ${result.sessionsEnded}件）。`;
      await this.load();
    } catch (err) {
      this.fail(err);
    }
  }

  private async removeMember() {
    const target = this._confirm;
    this._confirm = null;
    if (!target) return;
    try {
      await this.client.removeStaff(target.id);
      this._notice = `${target.name} さんを削除しました。すぐにログアウトされます。`;
      await this.load();
    } catch (err) {
      this.fail(err);
    }
  }

  override render() {
    const list = this._list;
    return html`<h2>職員</h2>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : ''}
      ${this._notice ? html`<p class="ok" role="status">${this._notice}</p>` : ''}
      <div class="panel"><h3>職員を招待する</h3>
        <form @submit=${this.invite}>
          <p><label>名前 <input name="displayName" required maxlength="64" /></label></p>
          <p class="row">${list?.roles.map((r) => html`<label><input type="checkbox" name="role" value=${r.name} />${r.ja}</label>`)}</p>
          <button class="primary" type="submit">招待コードを発行</button>
        </form>
        ${this._invite ? html`<div class="panel" data-invite>
          <p>${this._invite.name} さんの招待コード（一度だけ表示されます。${new Date(this._invite.expiresAt).toLocaleString('ja-JP')} まで有効）:</p>
          <p style="font-size:28px" class="mono" data-code>${this._invite.code}</p>
          <p class="muted">ご本人が自分のマイナンバーカードで最初にログインするときに入力します。</p>
          <button @click=${() => (this._invite = null)}>閉じる</button></div>` : ''}
      </div>
      <div class="panel">
        ${!list ? html`<div class="empty" data-state="loading">読み込んでいます…</div>`
          : !list.staff.length ? html`<div class="empty">職員はいません。</div>`
          : html`<table><thead><tr><th>名前</th><th>役割</th><th>カード</th><th></th></tr></thead><tbody>
            ${list.staff.map((m) => html`<tr data-staff=${m.id}><td>${m.displayName}${m.id === this.selfId ? '（あなた）' : ''}</td>
              <td class="row">${m.id === this.selfId
                // One's own roles are changed by another admin (STAFF_OWN_ROLES): shown, not offered.
                ? html`${m.roles.map((name) => list.roles.find((r) => r.name === name)?.ja ?? name).join('・')} <span class="muted" data-own-roles>（ほかの管理者が変更します）</span>`
                : html`${list.roles.map((r) => html`<label><input type="checkbox" value=${r.name} ?checked=${m.roles.includes(r.name)} />${r.ja}</label>`)}
                <button @click=${(e: Event) => this.saveRoles(m.id, e)}>役割を保存</button>`}</td>
              <td>${m.enrolled ? '登録済み' : html`<span class="warn">未登録</span> <button @click=${async () => { try { this._invite = { ...(await this.client.reinvite(m.id)), name: m.displayName }; } catch (err) { this.fail(err); } }}>招待コードを再発行</button>`}</td>
              <td><button class="danger" @click=${() => (this._confirm = { id: m.id, name: m.displayName })}>削除</button></td></tr>`)}</tbody></table>`}
      </div>
      ${this._confirm ? html`<div class="panel" role="dialog" aria-label="削除の確認" data-confirm>
        <p>${this._confirm.name} さんを削除しますか？ すぐにログアウトされ、カードでログインできなくなります。</p>
        <div class="row"><button autofocus @click=${() => (this._confirm = null)}>やめる</button><button class="danger" @click=${() => this.removeMember()}>削除する</button></div></div>` : ''}`;
  }
}
customElements.define('op-staff-page', OpStaffPage);
declare global {
  interface HTMLElementTagNameMap { 'op-staff-page': OpStaffPage }
}
