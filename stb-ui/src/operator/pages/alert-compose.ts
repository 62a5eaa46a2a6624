import { LitElement, html } from 'lit';
import { ConsoleError, type AlertsOverview, type ConsoleClient, type DraftCreateBody, type PreviewView } from '../console-client.js';
import { consoleStyles } from '../styles.js';

type Action = DraftCreateBody['action'];
type Level = NonNullable<DraftCreateBody['level']>;
type AlertRow = AlertsOverview['alerts'][number];
type Places = AlertsOverview['places'];

/** What the form is for: a new alert, or a change of an active one. */
export interface ComposeMode {
  action: Action;
  ref?: AlertRow;
}

export const ACTION_LABEL: Record<Action, string> = { alert: '新しい避難情報', update: '内容を更新', extend: '期限を延長', lift: '解除', cancel: '取り消し（誤発信）' };
export const LEVEL_LABEL: Record<string, string> = { '3': '警戒レベル3 高齢者等避難', '4': '警戒レベル4 避難指示', '5': '警戒レベル5 緊急安全確保', lift: '解除' };
const STATUS_LABEL = { Actual: '実際の発信', Exercise: '訓練', Test: '試験（テスト用テレビのみ）' } as const;
const VALID = [[60, '1時間'], [180, '3時間'], [360, '6時間'], [720, '12時間'], [1440, '24時間'], [4320, '3日']] as const;
/** The preview is asked for once typing pauses this long (one request, not one per key). */
const PREVIEW_DELAY_MS = 300;

/**
 * The composer: level, districts, shelters to open, text and how long it stays in force, with a
 * live preview of the TV overlay for a sample household (the platform personalises it, exactly as
 * the TV will get it). Submitting saves the draft and submits it; the page says whether it now
 * waits for a second officer or was published.
 */
export class OpAlertCompose extends LitElement {
  static override styles = consoleStyles;
  static override properties = {
    client: { attribute: false }, places: { attribute: false }, mode: { attribute: false },
    _level: { state: true }, _districts: { state: true }, _shelters: { state: true }, _headline: { state: true }, _description: { state: true },
    _status: { state: true }, _valid: { state: true }, _preview: { state: true }, _error: { state: true }, _busy: { state: true },
  };
  declare client: ConsoleClient;
  declare places: Places;
  declare mode: ComposeMode;
  declare _level: Level;
  declare _districts: string[];
  declare _shelters: string[];
  declare _headline: string;
  declare _description: string;
  declare _status: DraftCreateBody['status'];
  declare _valid: number;
  declare _preview: PreviewView | null;
  declare _error: string;
  declare _busy: boolean;
  private previewTimer: ReturnType<typeof setTimeout> | null = null;
  private previewSeq = 0;

  constructor() {
    super();
    this.places = { districts: [], shelters: [] };
    this.mode = { action: 'alert' };
    this._level = '4';
    this._districts = [];
    this._shelters = [];
    this._headline = '';
    this._description = '';
    this._status = 'Actual';
    this._valid = 180;
    this._preview = null;
    this._error = '';
    this._busy = false;
  }

  override willUpdate(changed: Map<string, unknown>) {
    if (changed.has('mode')) this.reset();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    if (this.previewTimer) clearTimeout(this.previewTimer);
  }

  /** A change starts from the alert it changes: its level and its districts (matched by name). */
  private reset() {
    const ref = this.mode.ref;
    this._level = this.mode.action === 'lift' ? 'lift' : ((ref?.level ?? '4') === 'lift' ? '4' : ((ref?.level ?? '4') as Level));
    this._districts = ref ? this.places.districts.filter((d) => ref.areas.includes(d.name)).map((d) => d.id) : [];
    this._shelters = [];
    // A change has the status of the alert it changes (the platform refuses another: a Test cancel needs no second officer).
    if (ref && ref.status in STATUS_LABEL) this._status = ref.status as DraftCreateBody['status'];
    this._headline = '';
    this._description = '';
    this._error = '';
    this._preview = null;
    this.schedulePreview();
  }

  private get hasContent() {
    return this.mode.action === 'alert' || this.mode.action === 'update' || this.mode.action === 'lift';
  }

  private schedulePreview() {
    if (this.previewTimer) clearTimeout(this.previewTimer);
    if (!this.hasContent) return;
    this.previewTimer = setTimeout(() => void this.loadPreview(), PREVIEW_DELAY_MS);
  }

  private async loadPreview() {
    const seq = ++this.previewSeq;
    try {
      const preview = await this.client.alertPreview({
        level: this._level, districtIds: this._districts, shelterIds: this._level === 'lift' ? [] : this._shelters,
        ...(this._headline.trim() ? { headline: this._headline.trim() } : {}),
      });
      // An older answer arriving after a newer one must not replace it.
      if (seq === this.previewSeq) this._preview = preview;
    } catch (err) {
      if (seq === this.previewSeq) this._error = err instanceof ConsoleError ? `${err.error.ja}（${err.code}）` : 'プレビューを作れませんでした。';
    }
  }

  private toggle(list: '_districts' | '_shelters', id: string, on: boolean) {
    this[list] = on ? [...this[list], id] : this[list].filter((x) => x !== id);
    this.schedulePreview();
  }

  private body(): DraftCreateBody {
    const base = { action: this.mode.action, status: this._status, validMinutes: this._valid, ...(this.mode.ref ? { referencesAlertId: this.mode.ref.id } : {}) };
    if (!this.hasContent) return base;
    return {
      ...base, level: this._level, districtIds: this._districts, shelterIds: this._level === 'lift' ? [] : this._shelters,
      ...(this._headline.trim() ? { headline: this._headline.trim() } : {}), ...(this._description.trim() ? { description: this._description.trim() } : {}),
    };
  }

  private async submit(event: Event) {
    event.preventDefault();
    this._error = '';
    if (this.hasContent && !this._districts.length) {
      this._error = '対象の地区を1つ以上えらんでください。';
      return;
    }
    this._busy = true;
    try {
      const draft = await this.client.createAlertDraft(this.body());
      const submitted = await this.client.alertDraftStep(draft.id, 'submit', draft.version);
      this.dispatchEvent(new CustomEvent('composed', { detail: submitted, bubbles: true, composed: true }));
    } catch (err) {
      this._error = err instanceof ConsoleError ? `${err.error.ja}（${err.code}）` : '送信できませんでした。';
    } finally {
      this._busy = false;
    }
  }

  private renderPreview() {
    const p = this._preview;
    if (!this.hasContent) return '';
    if (!p) return html`<div class="panel empty" data-preview="loading">テレビの表示を準備しています…</div>`;
    return html`<div data-preview style="background:${p.message.colour};color:#fff;border-radius:8px;padding:16px;min-height:200px">
        <div style="font-size:22px;font-weight:700" data-preview-title>${p.message.title}</div>
        <div style="font-size:18px;margin:8px 0" data-preview-greeting>${p.message.greeting}</div>
        ${p.message.lines.map((l) => html`<div data-preview-line>${l}</div>`)}
      </div>
      <p class="muted">${p.sample ? `見本: ${p.sample.label}（対象 ${p.households}世帯）` : '対象の地区に世帯がありません。'}</p>`;
  }

  override render() {
    const { action, ref } = this.mode;
    const content = this.hasContent;
    return html`<form @submit=${this.submit} data-compose=${action}>
      <h3>${ACTION_LABEL[action]}${ref ? html`<span class="muted">（対象: ${ref.headline || ref.identifier}）</span>` : ''}</h3>
      <div class="row" style="align-items:flex-start">
        <div style="flex:1;min-width:360px">
          ${content && action !== 'lift' ? html`<fieldset><legend>警戒レベル</legend>
            ${(['3', '4', '5'] as const).map((l) => html`<label><input type="radio" name="level" value=${l} .checked=${this._level === l}
              @change=${() => { this._level = l; this.schedulePreview(); }} />${LEVEL_LABEL[l]}</label> `)}</fieldset>` : ''}
          ${content ? html`<fieldset data-districts><legend>対象の地区</legend>
            ${this.places.districts.map((d) => html`<label><input type="checkbox" name="district" value=${d.id} .checked=${this._districts.includes(d.id)}
              @change=${(e: Event) => this.toggle('_districts', d.id, (e.target as HTMLInputElement).checked)} />${d.name}</label> `)}</fieldset>` : ''}
          ${content && this._level !== 'lift' ? html`<fieldset data-shelters><legend>開設する避難所</legend>
            ${this.places.shelters.map((s) => html`<label><input type="checkbox" name="shelter" value=${s.id} .checked=${this._shelters.includes(s.id)}
              @change=${(e: Event) => this.toggle('_shelters', s.id, (e.target as HTMLInputElement).checked)} />${s.name}</label> `)}</fieldset>` : ''}
          ${content ? html`<p><label>見出し <input name="headline" maxlength="120" size="40" .value=${this._headline}
              @input=${(e: Event) => { this._headline = (e.target as HTMLInputElement).value; this.schedulePreview(); }} /></label></p>
            <p><label>本文 <textarea name="description" maxlength="2000" rows="3" cols="50" .value=${this._description}
              @input=${(e: Event) => (this._description = (e.target as HTMLTextAreaElement).value)}></textarea></label></p>` : ''}
          ${action !== 'cancel' ? html`<p><label>有効期間 <select name="valid" @change=${(e: Event) => (this._valid = Number((e.target as HTMLSelectElement).value))}>
            ${VALID.map(([m, label]) => html`<option value=${m} ?selected=${this._valid === m}>${label}</option>`)}</select></label></p>` : ''}
          ${this.mode.ref ? html`<p>種別 ${STATUS_LABEL[this._status]}</p>` : html`<p><label>種別 <select name="status" @change=${(e: Event) => (this._status = (e.target as HTMLSelectElement).value as DraftCreateBody['status'])}>
            ${(Object.keys(STATUS_LABEL) as (keyof typeof STATUS_LABEL)[]).map((s) => html`<option value=${s} ?selected=${this._status === s}>${STATUS_LABEL[s]}</option>`)}</select></label></p>`}
          ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : ''}
          <div class="row">
            <button class=${action === 'cancel' ? 'danger' : 'primary'} type="submit" ?disabled=${this._busy}>発信を申請</button>
            <button type="button" @click=${() => this.dispatchEvent(new CustomEvent('close', { bubbles: true, composed: true }))}>閉じる</button>
          </div>
          <p class="muted">実際の発信は、もう1人の防災担当者が承認すると発信されます（市の設定による）。</p>
        </div>
        <div style="width:460px">${this.renderPreview()}</div>
      </div></form>`;
  }
}
customElements.define('op-alert-compose', OpAlertCompose);
declare global {
  interface HTMLElementTagNameMap { 'op-alert-compose': OpAlertCompose }
}
