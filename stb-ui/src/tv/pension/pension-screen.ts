import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import type {
  ConfirmationDraftView, ConfirmationReceiptView, DeclarationsBody, InboxItemView, InboxView, LinkPreviewView, PlatformClient, PolicyLinkedView,
} from '../../api/platform-client.js';
import type { PinStatus } from '../../api/reader-client.js';
import { wireOf } from '../flow/flow-requests.js';
import type { FlowReader } from '../flow/flow-state.js';
import { deleteChar, emptyPin, pinMessage, submitDecision, typeChar, type PinValue } from '../flow/pin-entry.js';
import { FocusController } from '../focus/focus-controller.js';
import { failureText } from '../messages.js';
import { t, type StringKey } from '../strings.js';
import type { OperatorContact } from '../operator-contact.js';
import { callLine, callLineStyles } from '../ui/call-line.js';
import { keepWhole } from '../ui/keep-whole.js';
import { pinStyles, renderKeyboard, renderPinInfo, type PinKeyPress } from '../ui/pin-entry-view.js';
import '../ui/card-status.js';
import '../ui/tv-button.js';
import '../ui/tv-dialog.js';
import '../ui/tv-legend.js';
import type { LegendItem } from '../ui/tv-legend.js';
import { PensionSigner, type SignOutcome } from './pension-signer.js';

/** A link the person consented to: the app logs them in with the card, then hands it back here. */
export interface PendingLink {
  code: string;
  shareBasic4: boolean;
}

type Answers = { addressUnchanged: boolean; nameUnchanged: boolean; paymentAccountUnchanged: boolean };
type Mode =
  | { name: 'loading' }
  | { name: 'inbox'; inbox: InboxView; offset: number }
  | { name: 'code'; digits: string; notice: string | null }
  | { name: 'preview'; code: string; preview: LinkPreviewView; shareBasic4: boolean }
  | { name: 'linked'; linked: PolicyLinkedView }
  /** `answers`: those the resident left the form with (Back), shown again by 記入する. */
  | { name: 'item'; item: InboxItemView; answers?: Answers }
  | { name: 'form'; item: InboxItemView; answers: Answers }
  | { name: 'review'; item: InboxItemView; answers: Answers; draft: ConfirmationDraftView }
  | {
      name: 'sign'; item: InboxItemView; answers: Answers; draft: ConfirmationDraftView; value: PinValue; reveal: boolean; status: PinStatus | null;
      /** One try left: 「このパスワードを 送りますか？」 is open (the login asks the same). */
      confirming: boolean;
      notice: 'wrong' | 'incomplete' | 'format' | 'cardAway' | 'noReader' | 'linkLost' | 'cardRemoved' | 'otherCard' | null; busy: boolean;
      /** The password's fate was lost: waiting for the link and the card, then their tries (no key does anything meanwhile; the card line says which it waits for). */
      waiting: boolean;
    }
  | { name: 'receipt'; receipt: ConfirmationReceiptView }
  /** The card signed, and the signature is being sent again (もう一度): nothing but its answer leaves this (see _notSent). */
  | { name: 'sending' }
  /** `retry`: もう一度 does the failed step again (a signature the platform did not take is sent again). */
  | { name: 'failed'; message: string; title?: StringKey; retry?: () => void };

/** The sign password locked: said in the keyboard's word (パスワード), with where to unlock it. */
const BLOCKED: Mode = { name: 'failed', title: 'pension.form.title', message: `${t('pin.blocked.text.sign')} ${t('pin.blocked.bring')}` };
const CODE_DIGITS = 12;
/** Inbox items on screen at once (all of them fit inside the safe area at 特大). */
const INBOX_PAGE = 3;
const UNCHANGED: Answers = { addressUnchanged: true, nameUnchanged: true, paymentAccountUnchanged: true };
const KIND_LABEL: Record<InboxView['items'][number]['kind'], StringKey> = {
  campaign: 'pension.kind.campaign', reminder: 'pension.kind.reminder', notice: 'pension.kind.notice', status_changed: 'pension.kind.statusChanged', booking: 'pension.kind.booking',
};
const formatCode = (digits: string) => digits.replace(/(\d{4})(?=\d)/g, '$1-');

/** What changed, in the resident's words the form puts together (the insurer follows up). */
function changesText(a: Answers): string | null {
  const changed = [
    !a.addressUnchanged ? t('pension.form.address') : null, !a.nameUnchanged ? t('pension.form.name') : null,
    !a.paymentAccountUnchanged ? t('pension.form.account') : null,
  ].filter(Boolean);
  return changed.length ? `${changed.join('・')}${t('pension.form.changes')}` : null;
}

/**
 * お知らせ (電子私書箱) and the pension service on the TV: the inbox; the link code typed with the
 * number keys, what the insurer would receive, consent (the app then asks for the card login);
 * the 現況確認届 in plain Japanese with its declarations, signed with the 署名用 password on the
 * A–Z/0–9 keyboard; the receipt with the time of the signature.
 *
 * @fires screen-back - Back was pressed on the inbox
 * @fires pension-consent - detail: the PendingLink to carry out after a card login
 */
export class StbTvPensionScreen extends LitElement {
  static override properties = { platform: { attribute: false }, reader: { attribute: false }, resume: { attribute: false }, operator: { attribute: false }, _mode: { state: true } };
  declare platform: PlatformClient | null;
  declare reader: FlowReader | null;
  /** A link consented to before the card login that just succeeded. */
  declare resume: PendingLink | null;
  /** Whom a failure screen says to call (the household's cable operator). */
  declare operator: OperatorContact | null;
  declare _mode: Mode;

  /**
   * Work the resident has not finished and would lose: a code being typed, a link or a form not yet
   * sent, a password, a signature being sent or waiting for もう一度. The idle logout waits meanwhile.
   */
  get taskUnderWay(): boolean {
    const m = this._mode;
    return (m.name === 'code' && m.digits.length > 0) || ['preview', 'form', 'review', 'sign', 'sending'].includes(m.name) || (m.name === 'failed' && !!m.retry);
  }

  static override styles = [pinStyles, callLineStyles, css`
    :host { display: block; }
    .top { display: flex; align-items: baseline; justify-content: space-between; margin: 0 0 16px; }
    h2 { margin: 0; font-size: calc(56px * var(--stb-text-scale, 1)); font-weight: 700; }
    p, li { margin: 0 0 20px; font-size: calc(40px * var(--stb-text-scale, 1)); line-height: 1.5; }
    ul { margin: 0 0 24px; padding-left: 1.2em; }
    .list { display: flex; flex-direction: column; gap: 20px; width: 1100px; }
    /* 48 px apart: a wide focused button (保険会社の 番号を 入力する at 特大) grows and rings into a 32 px gap. */
    .row { display: flex; gap: 24px 48px; flex-wrap: wrap; }
    .items { display: flex; flex-direction: column; gap: 20px; margin: 0 0 24px; }
    .item { display: flex; gap: 32px; align-items: center; }
    .item stb-tv-button { flex: 0 0 auto; min-width: calc(360px * var(--stb-text-scale, 1)); }
    .item .what { margin: 0; max-width: 1050px; font-size: calc(36px * var(--stb-text-scale, 1)); line-height: 1.35; }
    .code { font-size: calc(72px * var(--stb-text-scale, 1)); font-weight: 700; letter-spacing: 0.1em; margin: 8px 0 24px; }
    .notice { font-weight: 700; }
    .notice::before { content: '！ '; }
    /* The 現況確認届's four buttons, and the review's lines with all three answers changed, fit above
       the safe area's bottom at 特大 only with home's lower buttons (88 px × text scale). */
    .compact { --stb-button-height: calc(88px * var(--stb-text-scale, 1)); }
    .compact li { margin-bottom: 8px; }
    dl { display: grid; grid-template-columns: auto 1fr; gap: 8px 32px; margin: 0 0 24px; font-size: calc(40px * var(--stb-text-scale, 1)); }
    dt { font-weight: 700; }
    dd { margin: 0; }
  `];

  private _focus = new FocusController(this, () => ({
    key: 'pension', container: true, enterTo: 'default', defaultChild: this._defaultKey(),
    onBack: () => this._back(), onDigit: (n: number) => this._onDigit(n),
  }));

  private _signer: PensionSigner | null = null;

  constructor() {
    super();
    this.platform = null;
    this.reader = null;
    this.resume = null;
    this.operator = null;
    this._mode = { name: 'loading' };
  }

  override connectedCallback() {
    super.connectedCallback();
    if (this.resume) void this._link(this.resume);
    else void this._loadInbox();
  }

  private _defaultKey(): string {
    switch (this._mode.name) {
      case 'inbox': return this._mode.inbox.items[0] ? `pension/item/${this._mode.inbox.items[this._mode.offset]?.id ?? this._mode.inbox.items[0].id}` : 'pension/link-code';
      case 'code': return 'pension/code/submit';
      case 'preview': return 'pension/consent';
      case 'item': return this._mode.item.confirmation?.open && !this._mode.item.confirmation.submission ? 'pension/write' : 'pension/back';
      case 'form': return 'pension/next';
      case 'review': return 'pension/sign';
      case 'sign': return 'kbd/A';
      case 'sending': return 'pension/wait';
      case 'failed': return this._mode.retry ? 'pension/retry' : 'pension/back';
      default: return 'pension/back';
    }
  }

  private async _run<T>(work: () => Promise<T>, then: (value: T) => Mode) {
    try {
      this._mode = then(await work());
    } catch (err) {
      this._mode = { name: 'failed', message: failureText(err) };
    }
  }

  private _loadInbox() {
    return this._run(() => this.platform!.pensionInbox(), (inbox) => ({ name: 'inbox', inbox, offset: 0 }));
  }

  private _link(pending: PendingLink) {
    this.resume = null;
    return this._run(() => this.platform!.linkPolicy(pending), (linked) => ({ name: 'linked', linked }));
  }

  /**
   * One step back, keeping the answers: keyboard (once empty, as its hint says) → review → form →
   * the request → お知らせ. Nothing while the card works or the signature is sent: its answer comes
   * within the platform client's 10 s and must be seen (a receipt, or もう一度).
   */
  private _back(): boolean {
    const m = this._mode;
    if (m.name === 'sign' && m.value.chars) return this._onPinKey({ type: 'delete' }), true;
    if ((m.name === 'sign' && (m.busy || m.waiting)) || m.name === 'sending') return true;
    switch (m.name) {
      case 'inbox': case 'loading':
        this.dispatchEvent(new CustomEvent('screen-back', { bubbles: true, composed: true }));
        return true;
      case 'sign':
        this._signer?.dispose();
        this._signer = null;
        this._mode = { name: 'review', item: m.item, answers: m.answers, draft: m.draft };
        return true;
      case 'review': this._mode = { name: 'form', item: m.item, answers: m.answers }; return true;
      case 'form': this._mode = { name: 'item', item: m.item, answers: m.answers }; return true;
    }
    this._mode = { name: 'loading' };
    void this._loadInbox();
    return true;
  }

  private _onDigit(n: number): boolean {
    const m = this._mode;
    if (m.name === 'code') {
      if (n <= 9 && m.digits.length < CODE_DIGITS) this._mode = { ...m, digits: m.digits + String(n), notice: null };
      return true;
    }
    if (m.name === 'sign') {
      if (n <= 9) this._onPinKey({ type: 'char', char: String(n) });
      return true;
    }
    return false;
  }

  private async _submitCode() {
    const m = this._mode;
    if (m.name !== 'code') return;
    if (m.digits.length !== CODE_DIGITS) return void (this._mode = { ...m, notice: t('pension.code.incomplete') });
    const code = formatCode(m.digits);
    try {
      this._mode = { name: 'preview', code, preview: await this.platform!.previewLinkCode(code), shareBasic4: false };
    } catch (err) {
      const wire = wireOf(err)?.error;
      const tries = typeof wire?.details?.triesLeft === 'number' ? ` ${t('pension.code.triesLeft')} ${wire.details.triesLeft}` : '';
      this._mode = { name: 'code', digits: '', notice: `${failureText(err)}${tries}` };
    }
  }

  private async _openItem(id: string) {
    await this._run(() => this.platform!.openInboxItem(id), (item) => ({ name: 'item', item }));
  }

  private async _prepare() {
    const m = this._mode;
    if (m.name !== 'form' || !m.item.confirmation) return;
    const declarations: DeclarationsBody = { aliveAndSigningMyself: true, ...m.answers, changes: changesText(m.answers) };
    const { campaignId, policyId } = m.item.confirmation;
    const { item, answers } = m;
    await this._run(() => this.platform!.preparePensionConfirmation({ campaignId, policyId, declarations }), (draft) => ({ name: 'review', item, answers, draft }));
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this._signer?.dispose();
  }

  private async _startSign({ item, answers, draft }: Extract<Mode, { name: 'review' }>) {
    this._signer?.dispose();
    const signer = (this._signer = new PensionSigner(this.reader!, this.platform!));
    this._mode = { name: 'sign', item, answers, draft, value: emptyPin('sign'), reveal: false, status: null, confirming: false, notice: null, busy: false, waiting: false };
    const status = await signer.status();
    // Left with Back and opened again meanwhile, the keyboard takes the tries of its own signer only.
    if (this._mode.name === 'sign' && signer === this._signer) this._mode = { ...this._mode, status };
  }

  private _onPinKey = (press: PinKeyPress) => {
    const m = this._mode;
    if (m.name !== 'sign' || m.busy || m.waiting || m.confirming) return;
    if (press.type === 'char') this._mode = { ...m, value: typeChar(m.value, press.char), notice: null };
    else if (press.type === 'delete') this._mode = { ...m, value: deleteChar(m.value) };
    else if (press.type === 'reveal') this._mode = { ...m, reveal: !m.reveal };
    else void this._sign();
  };

  /** 決定 (`confirmed`: はい to 「このパスワードを 送りますか？」): says what is missing, asks first with one try left, or signs. */
  private async _sign(confirmed = false) {
    const m = this._mode;
    if (m.name !== 'sign' || !this._signer) return;
    switch (submitDecision(m.value, m.status)) {
      case 'incomplete': return void (this._mode = { ...m, notice: 'incomplete' });
      case 'blocked': return void (this._mode = BLOCKED);
      case 'confirmLastTry': if (!confirmed) return void (this._mode = { ...m, confirming: true });
    }
    this._mode = { ...m, busy: true, confirming: false };
    const outcome = await this._signer.sign(m.draft, m.value.chars);
    const now = this._mode.name === 'sign' ? this._mode : m;
    switch (outcome.kind) {
      case 'done': this._mode = { name: 'receipt', receipt: outcome.receipt }; break;
      case 'wrongPassword': this._mode = { ...now, busy: false, value: emptyPin('sign'), notice: 'wrong', status: { triesLeft: outcome.triesLeft, blocked: outcome.triesLeft === 0 } }; break;
      case 'cardAway': case 'noReader': this._mode = { ...now, busy: false, notice: outcome.kind }; break;
      case 'askAgain': return this._askAgain(now, outcome.notice);
      case 'blocked': this._mode = BLOCKED; break;
      case 'notSent': this._notSent(m.item, outcome); break;
      default:
        // A password the card refused for its form (the keyboard types only A–Z and 0–9: hardly ever) is said on the keyboard.
        if (wireOf(outcome.error)?.error.code === 'CARD_PIN_FORMAT') this._mode = { ...now, busy: false, value: emptyPin('sign'), notice: 'format' };
        else this._mode = { name: 'failed', title: 'pension.form.title', message: failureText(outcome.error) };
    }
  }

  /**
   * The card signed and the platform did not take it: said, with もう一度, which sends the same
   * signature again (no password, no card). If the platform then refuses it as used or already
   * submitted, the first one may have arrived after all: the request is opened to show where it stands.
   */
  private _notSent(item: InboxItemView, outcome: Extract<SignOutcome, { kind: 'notSent' }>) {
    const resend = async () => {
      this._mode = { name: 'sending' };
      // Nothing leaves 'sending' meanwhile (no もどる, Back waits), so the answer is always shown: a
      // double OK on もう一度 had gone back to お知らせ and dropped the receipt of a stored submission.
      const again = await outcome.again();
      const code = again.kind === 'failed' ? wireOf(again.error)?.error.code : undefined;
      if (again.kind === 'done') this._mode = { name: 'receipt', receipt: again.receipt };
      else if (again.kind === 'notSent') this._notSent(item, again);
      else if (code === 'PENSION_ALREADY_SUBMITTED' || code === 'PENSION_DRAFT_EXPIRED') void this._openItem(item.id);
      else this._mode = { name: 'failed', title: 'pension.form.title', message: failureText(again.kind === 'failed' ? again.error : null) };
    };
    this._mode = { name: 'failed', title: 'pension.form.title', message: failureText(outcome.error), retry: () => void resend() };
  }

  /**
   * The card may have checked the password and its answer was lost: the password is forgotten;
   * once the link and the card are back (the same card, else it says so) the keyboard is shown
   * again, empty, with what happened and the card's tries.
   */
  private async _askAgain(m: Extract<Mode, { name: 'sign' }>, notice: 'linkLost' | 'cardRemoved') {
    const signer = this._signer!;
    this._mode = { ...m, busy: false, waiting: true, value: emptyPin('sign'), notice, status: null };
    const again = await signer.statusAgain();
    const now = this._mode;
    if (now.name !== 'sign' || signer !== this._signer) return;
    if (again.status?.blocked) return void (this._mode = BLOCKED);
    this._mode = { ...now, waiting: false, status: again.status, notice: again.otherCard ? 'otherCard' : notice };
  }

  /** 「あと1回で ロックされます」: はい sends, いいえ (or Back) goes back to the keyboard with the password as typed. */
  private _lastTryDialog(): TemplateResult {
    const answer = (send: boolean) => {
      if (this._mode.name !== 'sign' || !this._mode.confirming) return;
      if (send) void this._sign(true);
      else this._mode = { ...this._mode, confirming: false };
    };
    return html`<stb-tv-dialog focus-key="pension/lasttry" default-key="pension/lasttry/no" heading=${t('pin.confirm.title')}
      message=${pinMessage('sign', 'confirmLastTry')} @dialog-cancel=${() => answer(false)}>
      ${this._button('lasttry/yes', t('pin.confirm.yes'), () => answer(true), 1)}
      ${this._button('lasttry/no', t('pin.confirm.no'), () => answer(false), 2)}
    </stb-tv-dialog>`;
  }

  private _button(key: string, label: string, onPress: () => void, number?: number): TemplateResult {
    return html`<stb-tv-button focus-key="pension/${key}" .number=${number} label=${label} @tv-activate=${onPress}></stb-tv-button>`;
  }

  private _backButton() {
    return this._button('back', t('pension.back'), () => this._back());
  }

  private _body(): TemplateResult {
    const m = this._mode;
    switch (m.name) {
      case 'loading': return html`<p>${t('pension.loading')}</p><div class="list">${this._backButton()}</div>`;
      // このまま 待つ under the OK that sent it (as the card flow's work does): a second OK picks nothing.
      case 'sending': return html`<p data-working>${t('pension.sign.working')}</p><div class="list">${this._button('wait', t('work.wait'), () => {})}</div>`;
      case 'failed': return html`<p data-error>${m.message}</p>
        ${callLine(this.operator)}
        <div class="list">${m.retry ? this._button('retry', t('pension.retry'), m.retry) : nothing}${this._backButton()}</div>`;
      case 'inbox': {
        // A few at a time: a button's label never wraps, so the sender and title sit beside it and may.
        const shown = m.inbox.items.slice(m.offset, m.offset + INBOX_PAGE);
        const page = (offset: number) => { if (this._mode.name === 'inbox') this._mode = { ...this._mode, offset }; };
        return html`
        ${m.inbox.items.length ? nothing : html`<p data-empty>${t('pension.inbox.none')}</p>`}
        <div class="items">
          ${shown.map((i) => html`<div class="item">${this._button(`item/${i.id}`, t(KIND_LABEL[i.kind]), () => void this._openItem(i.id))}
            <p class="what" data-item=${i.id}>${i.opened ? '' : html`<strong>${t('pension.inbox.unread')}</strong> `}${i.from}<br />${i.title}</p></div>`)}
        </div>
        <div class="row">
          ${m.offset > 0 ? this._button('prev', t('pension.inbox.prev'), () => page(m.offset - INBOX_PAGE)) : nothing}
          ${m.offset + INBOX_PAGE < m.inbox.items.length ? this._button('more', t('pension.inbox.more'), () => page(m.offset + INBOX_PAGE)) : nothing}
          ${this._button('link-code', t('pension.inbox.linkCode'), () => { this._mode = { name: 'code', digits: '', notice: null }; })}
        </div>`;
      }
      case 'code': return html`<p>${t('pension.code.lead')}</p>
        <p class="code" data-code-length=${m.digits.length}>${formatCode(m.digits.padEnd(CODE_DIGITS, '＿'))}</p>
        ${m.notice ? html`<p class="notice" role="alert" data-notice>${m.notice}</p>` : nothing}
        <div class="row">
          ${this._button('code/delete', t('pension.code.delete'), () => { if (this._mode.name === 'code') this._mode = { ...this._mode, digits: this._mode.digits.slice(0, -1) }; })}
          ${this._button('code/submit', t('pension.code.submit'), () => void this._submitCode())}
          ${this._backButton()}
        </div>`;
      case 'preview': return html`
        <dl><dt>${m.preview.insurer.name}</dt><dd>${t('pension.preview.policy')} ${m.preview.policyRef}</dd></dl>
        <p>${t('pension.preview.receives')}:</p>
        <ul>
          <li data-uid>${m.preview.serviceUid ? `${t('pension.preview.uid.existing')}（${m.preview.serviceUid}）` : t('pension.preview.uid.new')}</li>
          <li>${t('pension.preview.policy')} ${m.preview.policyRef}</li>
          ${m.shareBasic4 ? html`<li>${t('pension.preview.basic4.on')}</li>` : nothing}
        </ul>
        <p>${t('pension.preview.uid.note')}</p>
        <p data-when-signing>${t('pension.preview.whenSigning')}</p>
        <div class="list">
          ${this._button('basic4', t(m.shareBasic4 ? 'pension.preview.basic4.on' : 'pension.preview.basic4.off'), () => { if (this._mode.name === 'preview') this._mode = { ...this._mode, shareBasic4: !this._mode.shareBasic4 }; })}
          ${this._button('consent', t('pension.preview.consent'), () => this._consent(m))}
          ${this._button('cancel', t('pension.preview.cancel'), () => this._back())}
        </div>`;
      case 'linked': return html`<p data-linked>${m.linked.insurer.name}（${t('pension.preview.policy')} ${m.linked.policyRef}）</p>
        <p>${t('pension.linked.lead')}</p><div class="list">${this._backButton()}</div>`;
      case 'item': {
        const c = m.item.confirmation;
        return html`<p>${m.item.from}</p><p data-item-body>${keepWhole(m.item.body)}</p>
          ${c?.submission ? html`<p data-done>${t('pension.item.done')}</p>` : c && !c.open ? html`<p>${t('pension.item.closed')}</p>` : nothing}
          <div class="list">
            ${c && c.open && !c.submission ? this._button('write', t('pension.item.open'), () => { this._mode = { name: 'form', item: m.item, answers: m.answers ?? UNCHANGED }; }) : nothing}
            ${this._backButton()}
          </div>`;
      }
      case 'form': {
        const toggle = (k: keyof Answers, label: StringKey) => this._button(`form/${k}`, `${t(label)}：${t(m.answers[k] ? 'pension.form.same' : 'pension.form.changed')}`,
          () => { if (this._mode.name === 'form') this._mode = { ...this._mode, answers: { ...this._mode.answers, [k]: !this._mode.answers[k] } }; });
        return html`<p>${t('pension.form.alive')}</p><p>${t('pension.form.lead')}</p>
          <div class="list compact">
            ${toggle('addressUnchanged', 'pension.form.address')}${toggle('nameUnchanged', 'pension.form.name')}${toggle('paymentAccountUnchanged', 'pension.form.account')}
            ${this._button('next', t('pension.form.next'), () => void this._prepare())}
          </div>`;
      }
      case 'review': return html`<div class="compact"><dl><dt>${m.draft.insurer}</dt><dd>${t('pension.preview.policy')} ${m.draft.policyRef}（${m.draft.period}）</dd></dl>
        <ul data-lines>${m.draft.lines.map((l) => html`<li>${l}</li>`)}</ul>
        <div class="row">${this._button('sign', t('pension.review.sign'), () => void this._startSign(m))}${this._backButton()}</div></div>`;
      case 'sign': {
        // No card or no reader when 決定 was pressed: the password stays typed, so this notice may sit over 16 characters.
        const ownNotice = m.notice === 'cardAway' ? html`<p class="notice" role="alert" data-card-away>${t('pension.sign.cardAway')}</p>`
          : m.notice === 'noReader' ? html`<p class="notice" role="alert" data-no-reader>${t('pension.sign.noReader')}</p>` : null;
        // While it waits for the reader or the card, or they were missing, the card line beside the heading says how they are now.
        const cardLine = m.waiting || m.notice === 'noReader' ? html`<stb-tv-card-status compact .reader=${this.reader}></stb-tv-card-status>` : html``;
        return html`<div class="pin sign" data-waiting=${m.waiting ? 'yes' : 'no'}>
          ${renderPinInfo({ name: 'pin', key: 'sign', status: m.status, value: m.value, reveal: m.reveal, confirming: false, notice: m.notice === 'cardAway' || m.notice === 'noReader' ? null : m.notice }, null, cardLine, ownNotice, { brief: m.notice === 'noReader' })}
          ${m.busy ? html`<p data-working>${t('pension.sign.working')}</p>` : nothing}
          ${m.confirming ? this._lastTryDialog() : nothing}
          ${renderKeyboard(m.reveal, this._onPinKey)}
        </div>`;
      }
      case 'receipt': return html`<p data-receipt=${m.receipt.state}>${t('pension.receipt.signedAt')}：<span data-signed-at>${new Date(m.receipt.signedAt).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo' })}</span></p>
        ${m.receipt.state === 'revocation_pending' ? html`<p>${t('pension.receipt.pending')}</p>` : nothing}
        ${m.receipt.changesDeclared ? html`<p>${t('pension.receipt.changes')}</p>` : nothing}
        <div class="list">${this._backButton()}</div>`;
    }
  }

  private _consent(m: Extract<Mode, { name: 'preview' }>) {
    this.dispatchEvent(new CustomEvent<PendingLink>('pension-consent', { detail: { code: m.code, shareBasic4: m.shareBasic4 }, bubbles: true, composed: true }));
  }

  private _title(): string {
    switch (this._mode.name) {
      case 'code': return t('pension.code.title');
      case 'preview': return t('pension.preview.title');
      case 'linked': return t('pension.linked.title');
      case 'item': return this._mode.item.title;
      case 'form': case 'sign': case 'sending': return t('pension.form.title');
      case 'failed': return t(this._mode.title ?? 'pension.inbox.title');
      case 'review': return t('pension.review.title');
      case 'receipt': return t('pension.receipt.title');
      default: return t('pension.inbox.title');
    }
  }

  private _legend: LegendItem[] = [{ color: 'blue', label: t('legend.back'), onPress: () => void this._back() }];

  override render() {
    const sign = this._mode.name === 'sign';
    // Back does nothing while sending: no legend offers it.
    const legend = this._mode.name === 'sending' ? nothing : html`<stb-tv-legend .items=${this._legend}></stb-tv-legend>`;
    return html`${sign ? nothing : html`<div class="top"><h2 data-screen="pension" data-pension-mode=${this._mode.name}>${this._title()}</h2>
        ${legend}</div>`}
      ${sign ? html`<span hidden data-screen="pension" data-pension-mode="sign"></span>` : nothing}
      ${this._body()}`;
  }
}
customElements.define('stb-tv-pension-screen', StbTvPensionScreen);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-pension-screen': StbTvPensionScreen }
  interface HTMLElementEventMap { 'pension-consent': CustomEvent<PendingLink> }
}
