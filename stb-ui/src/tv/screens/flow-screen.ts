import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import type { ReaderClient } from '../../api/reader-client.js';
import type { CardFlow, FlowState, FlowStep, TaskId } from '../flow/card-flow.js';
import { keyboardFocusKey, padFocusKey, KEYBOARD_ROWS, PAD_ROWS } from '../flow/keyboard-layout.js';
import { pinMessage, waitHint } from '../flow/pin-entry.js';
import { FocusController } from '../focus/focus-controller.js';
import { errorText } from '../messages.js';
import type { OperatorContact } from '../operator-contact.js';
import { t, type StringKey } from '../strings.js';
import { callLine, callLineStyles } from '../ui/call-line.js';
import '../ui/card-status.js';
import { pinStyles, renderKeyboard, renderPadColumn, renderPinInfo, type PinKeyPress } from '../ui/pin-entry-view.js';
import '../ui/tv-button.js';
import '../ui/tv-dialog.js';

type Step<N extends FlowStep['name']> = Extract<FlowStep, { name: N }>;

const TASK_TEXT: Record<TaskId, StringKey> = {
  nonce: 'task.nonce', authSign: 'task.authSign', session: 'task.session',
  draft: 'task.draft', signSign: 'task.signSign', submit: 'task.submit', confirm: 'task.confirm', unregister: 'task.unregister',
};

const FLOW_TITLE: Record<FlowState['kind'], StringKey> = { login: 'flow.title.login', register: 'flow.title.register', unregister: 'flow.title.unregister' };

/** The button focus lands on when a step opens. */
function defaultKeyOf(state: FlowState): string | undefined {
  const step = state.step;
  switch (step.name) {
    case 'pin': return step.key === 'auth' ? padFocusKey(PAD_ROWS[0]![0]!) : keyboardFocusKey(KEYBOARD_ROWS[1]![0]!);
    case 'district': {
      const code = step.selected ?? step.districts[0]?.code;
      return code ? `district/${code}` : undefined;
    }
    case 'consent': return 'consent/agree';
    case 'waitCard': return 'wait/continue';
    // Only a login may go on with another person's card; a cancellation waits for the right one.
    case 'wrongCard': return state.kind === 'login' ? 'wrongcard/use' : 'wrongcard/quit';
    case 'alreadyRegistered': return 'already/login';
    // Never a destructive action right after 決定: a second OK (a slow hand, a repeating remote) must not cancel.
    case 'working': return 'working/wait';
    case 'confirm': return 'confirm/yes';
    case 'registered': return 'registered/login';
    case 'pendingLinkage': return 'pending/start';
    case 'notRegistered': return 'notreg/register';
    case 'failed': return step.canRetry ? 'failed/retry' : 'failed/start';
    default: return undefined;
  }
}

/** A string with `{name}` placeholders filled in. */
function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');
}

/**
 * The login and registration flows on screen: renders the CardFlow's current step and hands the
 * viewer's choices back to it. Each step has its own buttons (first one focused); PIN steps take
 * the remote's number keys as characters, and Back there deletes a character before it leaves.
 * `data-step` on the heading names the step (for tests).
 */
export class StbTvFlowScreen extends LitElement {
  static override properties = {
    flow: { attribute: false },
    state: { attribute: false },
    reader: { attribute: false },
    operator: { attribute: false },
  };
  declare flow: CardFlow | null;
  declare state: FlowState | null;
  declare reader: ReaderClient | null;
  /** Whom to call for help, for the advice when the reader stays away. */
  declare operator: OperatorContact | null;

  static override styles = [
    pinStyles,
    callLineStyles,
    css`
      :host { display: block; }
      h2.title { margin: 0 0 8px; font-size: calc(36px * var(--stb-text-scale, 1)); font-weight: 700; opacity: 0.9; }
      h3 { margin: 0 0 16px; font-size: calc(54px * var(--stb-text-scale, 1)); font-weight: 700; line-height: 1.35; }
      p.text { margin: 0 0 32px; font-size: calc(42px * var(--stb-text-scale, 1)); line-height: 1.55; max-width: 1600px; }
      p.small { margin: 0 0 24px; font-size: calc(36px * var(--stb-text-scale, 1)); line-height: 1.5; }
      .consent { margin: 0 0 24px; padding: 16px 36px; max-width: 1560px; border: 4px solid var(--stb-border); border-radius: 20px;
        background: var(--stb-surface); font-size: calc(36px * var(--stb-text-scale, 1)); line-height: 1.6; }
      .buttons { display: flex; gap: 48px; flex-wrap: wrap; }
      .buttons stb-tv-button { min-width: 560px; }
      /* The bottom margin leaves room for the focused (scaled, outlined) button above the hint. */
      .list { display: flex; flex-direction: column; gap: 24px; width: 960px; margin-bottom: 40px; }
      ol.tasks { margin: 0 0 40px; padding: 0; list-style: none; font-size: calc(40px * var(--stb-text-scale, 1)); line-height: 1.4; }
      ol.tasks li { display: flex; gap: 24px; align-items: baseline; margin: 0 0 18px; opacity: 0.75; }
      ol.tasks li.now { opacity: 1; font-weight: 700; }
      ol.tasks li.done { opacity: 0.9; }
      /* 0.9em: 36 px at 大, the smallest text the TV shows. */
      ol.tasks .mark { flex: none; width: 6.4em; white-space: nowrap; padding: 2px 0; border: 3px solid currentColor; border-radius: 10px; text-align: center; font-size: 0.9em; }
      ol.tasks li.now .mark { background: var(--stb-fg); color: var(--stb-bg); }
      dl.data { display: grid; grid-template-columns: 280px 1fr; gap: 16px 40px; margin: 0 0 40px; font-size: calc(46px * var(--stb-text-scale, 1)); }
      dl.data dt { font-weight: 700; opacity: 0.85; }
      dl.data dd { margin: 0; font-weight: 700; }
      stb-tv-card-status { margin: 0 0 16px; }
      .sign stb-tv-card-status { margin: 0; }
    `,
  ];

  private _focus = new FocusController(this, () => ({
    key: 'flow', container: true, enterTo: 'default', defaultChild: this.state ? defaultKeyOf(this.state) : undefined,
    onBack: () => this.flow?.back() ?? false,
    onDigit: (n: number) => this._onDigit(n),
  }));

  constructor() {
    super();
    this.flow = null;
    this.state = null;
    this.reader = null;
    this.operator = null;
  }

  private _onDigit(n: number): boolean {
    const step = this.state?.step;
    if (step?.name !== 'pin') return false;
    if (n <= 9) this.flow?.typeChar(String(n));
    return true; // 10–12 mean nothing while typing a PIN; they must not pick anything either
  }

  private _onPinKey = (press: PinKeyPress) => {
    const flow = this.flow;
    if (!flow) return;
    if (press.type === 'char') flow.pressKey(press.char);
    else if (press.type === 'delete') flow.deleteChar();
    else if (press.type === 'reveal') flow.toggleReveal();
    else flow.submitPin();
  };

  private _button(key: string, label: string, n: number | undefined, onPick: () => void): TemplateResult {
    return html`<stb-tv-button focus-key=${key} .number=${n} label=${label} @tv-activate=${onPick}></stb-tv-button>`;
  }

  private _heading(name: string, text: string): TemplateResult {
    return html`<h3 data-step=${name}>${text}</h3>`;
  }

  private _renderLoading(step: Step<'loading'>): TemplateResult {
    return html`${this._heading('loading', t(step.what === 'card' ? 'flow.loading.card' : 'flow.loading.household'))}
      ${step.what === 'card' ? html`<p class="text">${t('flow.loading.hint')}</p>` : nothing}
      <div class="buttons">${this._button('loading/quit', t('flow.quit'), 1, () => this.flow?.requestExit())}</div>`;
  }

  private _renderWaitCard(step: Step<'waitCard'>): TemplateResult {
    const title: StringKey = {
      absent: 'flow.wait.absent', removed: 'flow.wait.removed', noReader: 'flow.wait.noReader', noDriver: 'flow.wait.noDriver', noDriverLong: 'flow.wait.noDriverLong',
    }[step.reason] as StringKey;
    // The hint names what was typed (暗証番号, パスワード, or both), as the PIN screens do.
    const { kept, askedAgain } = this.flow?.secrets ?? { kept: [], askedAgain: null };
    const hint = step.reason === 'noReader' ? t('flow.wait.hint.noReader') : step.reason === 'noDriverLong' ? t('flow.wait.noDriverLong.hint')
      : waitHint(step.reason, kept, askedAgain);
    const call = step.reason !== 'noDriverLong' ? nothing : callLine(this.operator);
    return html`${this._heading(`waitCard-${step.reason}`, t(title))}
      <p class="text">${step.reason === 'removed' ? errorText({ code: 'CARD_REMOVED', message: '', ja: '' }) : ''}
        ${hint}</p>
      ${call}
      <stb-tv-card-status .reader=${this.reader}></stb-tv-card-status>
      <div class="buttons">
        ${this._button('wait/continue', t('flow.continue'), 1, () => this.flow?.retry())}
        ${this._button('wait/quit', t('flow.quit'), 2, () => this.flow?.requestExit())}
      </div>`;
  }

  private _renderWrongCard(step: Step<'wrongCard'>): TemplateResult {
    const card = step.cardName ?? t('wrongCard.unnamed');
    return html`${this._heading('wrongCard', t('wrongCard.title'))}
      <p class="text">${fill(t('wrongCard.text'), { card, expected: step.expectedName ?? '' })}</p>
      <p class="small">${t('wrongCard.hint')}</p>
      <stb-tv-card-status .reader=${this.reader}></stb-tv-card-status>
      <div class="buttons">
        ${this.state?.kind === 'login' ? this._button('wrongcard/use', fill(t('wrongCard.useThis'), { card }), 1, () => this.flow?.useCardInReader()) : nothing}
        ${this._button('wrongcard/quit', t('flow.quit'), this.state?.kind === 'login' ? 2 : 1, () => this.flow?.exit())}
      </div>`;
  }

  private _renderAlreadyRegistered(step: Step<'alreadyRegistered'>): TemplateResult {
    return html`${this._heading('alreadyRegistered', t('already.title'))}
      <p class="text">${fill(t('already.text'), { card: step.personName ?? t('wrongCard.unnamed') })}</p>
      <div class="buttons">
        ${this._button('already/login', t('already.login'), 1, () => this.flow?.loginInstead())}
        ${this._button('already/again', t('already.again'), 2, () => this.flow?.registerAgain())}
        ${this._button('already/start', t('flow.toStart'), 3, () => this.flow?.exit())}
      </div>`;
  }

  private _renderLeaving(): TemplateResult {
    return html`<stb-tv-dialog focus-key="leave" default-key="leave/no" heading=${t('leave.title')} message=${t('leave.message')}
      @dialog-cancel=${() => this.flow?.confirmExit(false)}>
      ${this._button('leave/yes', t('leave.yes'), 1, () => this.flow?.confirmExit(true))}
      ${this._button('leave/no', t('leave.no'), 2, () => this.flow?.confirmExit(false))}
    </stb-tv-dialog>`;
  }

  private _renderDistrict(step: Step<'district'>): TemplateResult {
    return html`${this._heading('district', t('flow.district.title'))}
      <p class="small">${t('flow.district.why')}</p>
      <div class="list">
        ${step.districts.map((d, i) => html`<stb-tv-button focus-key="district/${d.code}" .number=${i + 1} label=${d.name}
          ?selected=${d.code === step.selected} @tv-activate=${() => this.flow?.chooseDistrict(d.code)}></stb-tv-button>`)}
      </div>
      <p class="small">${t('flow.backHint')}</p>`;
  }

  private _renderConsent(step: Step<'consent'>): TemplateResult {
    return html`${this._heading('consent', t('flow.consent.title'))}
      <div class="consent">${step.text}</div>
      <div class="buttons">
        ${this._button('consent/agree', t('flow.consent.agree'), 1, () => this.flow?.acceptConsent())}
        ${this._button('consent/decline', t('flow.consent.decline'), 2, () => this.flow?.exit())}
      </div>`;
  }

  private _renderPin(step: Step<'pin'>): TemplateResult {
    const status = html`<stb-tv-card-status compact .reader=${this.reader}></stb-tv-card-status>`;
    // The name is that of the card in the reader (the platform said whose it is), never just the one picked.
    const info = renderPinInfo(step, this.state?.cardName ?? this.state?.expectedName ?? null, status);
    const body = step.key === 'auth'
      ? html`<div class="pin auth">${renderPadColumn(step, this._onPinKey)}${info}</div>`
      : html`<div class="pin sign">${info}${renderKeyboard(step.reveal, this._onPinKey)}</div>`;
    return html`<span data-step="pin-${step.key}" hidden></span>${body}
      ${step.confirming
        ? html`<stb-tv-dialog focus-key="lasttry" default-key="lasttry/no" heading=${t('pin.confirm.title')} message=${pinMessage(step.key, 'confirmLastTry')}
            @dialog-cancel=${() => this.flow?.confirmLastTry(false)}>
            ${this._button('lasttry/yes', t('pin.confirm.yes'), 1, () => this.flow?.confirmLastTry(true))}
            ${this._button('lasttry/no', t('pin.confirm.no'), 2, () => this.flow?.confirmLastTry(false))}
          </stb-tv-dialog>`
        : nothing}`;
  }

  private _renderWorking(step: Step<'working'>): TemplateResult {
    return html`${this._heading('working', t('work.title'))}
      <ol class="tasks">
        ${step.tasks.map((task, i) => {
          const state = i < step.current ? 'done' : i === step.current ? 'now' : 'todo';
          return html`<li class=${state} data-task=${task} data-task-state=${state}>
            <span class="mark">${state === 'done' ? t('work.done') : state === 'now' ? t('work.now') : '・'}</span>
            <span>${t(TASK_TEXT[task])}</span></li>`;
        })}
      </ol>
      <p class="small">${t('work.hint')}</p>
      <div class="buttons">
        ${this._button('working/wait', t('work.wait'), undefined, () => {})}
        ${this._button('working/quit', t('flow.quit'), undefined, () => this.flow?.cancel())}
      </div>`;
  }

  private _renderConfirm(step: Step<'confirm'>): TemplateResult {
    const pd = step.result.personalData;
    const gender = pd.gender === '1' ? t('gender.1') : pd.gender === '2' ? t('gender.2') : t('gender.other');
    const [y, m, d] = pd.dateOfBirth.split('-');
    const birth = y && m && d ? `${Number(y)}年 ${Number(m)}月 ${Number(d)}日` : pd.dateOfBirth;
    return html`${this._heading('confirm', t('confirm.title'))}
      <dl class="data" data-personal-data>
        <dt>${t('confirm.name')}</dt><dd data-field="name">${pd.name}</dd>
        <dt>${t('confirm.birth')}</dt><dd data-field="birth">${birth}</dd>
        <dt>${t('confirm.gender')}</dt><dd data-field="gender">${gender}</dd>
        <dt>${t('confirm.address')}</dt><dd data-field="address">${pd.address}</dd>
        <dt>${t('confirm.district')}</dt><dd data-field="district">${step.result.district.name}</dd>
      </dl>
      <div class="buttons">
        ${this._button('confirm/yes', t('confirm.yes'), 1, () => this.flow?.answer(true))}
        ${this._button('confirm/no', t('confirm.no'), 2, () => this.flow?.answer(false))}
      </div>`;
  }

  private _renderSimple(name: string, title: string, text: string, buttons: [string, string, () => void][]): TemplateResult {
    return html`${this._heading(name, title)}
      ${text ? html`<p class="text">${text}</p>` : nothing}
      <div class="buttons">${buttons.map(([key, label, pick], i) => this._button(key, label, i + 1, pick))}</div>`;
  }

  private _renderStep(state: FlowState): TemplateResult {
    const step = state.step;
    const flow = this.flow;
    const toStart = () => flow?.exit();
    switch (step.name) {
      case 'loading': return this._renderLoading(step);
      case 'waitCard': return this._renderWaitCard(step);
      case 'wrongCard': return this._renderWrongCard(step);
      case 'alreadyRegistered': return this._renderAlreadyRegistered(step);
      case 'district': return this._renderDistrict(step);
      case 'consent': return this._renderConsent(step);
      case 'pin': return this._renderPin(step);
      case 'working': return this._renderWorking(step);
      case 'confirm': return this._renderConfirm(step);
      case 'registered':
        return this._renderSimple('registered', t('registered.title'), `${step.personName} ${t('registered.message')}`, [
          ['registered/login', t('registered.login'), () => flow?.startLogin()],
          ['registered/start', t('flow.toStart'), toStart],
        ]);
      case 'unregistered':
        return this._renderSimple('unregistered', t('unregister.done.title'), t('unregister.done.message'), [['unregistered/start', t('flow.toStart'), toStart]]);
      case 'pendingLinkage':
        return this._renderSimple('pendingLinkage', t('pendingLinkage.title'), t('pendingLinkage.message'), [['pending/start', t('flow.toStart'), toStart]]);
      case 'rejected':
        return this._renderSimple('rejected', t('rejected.title'), t('rejected.message'), [['rejected/start', t('flow.toStart'), toStart]]);
      case 'notRegistered':
        return this._renderSimple('notRegistered', t('notRegistered.title'), t('notRegistered.message'), [
          ['notreg/register', t('menu.register'), () => flow?.switchToRegistration()],
          ['notreg/start', t('flow.toStart'), toStart],
        ]);
      case 'blocked':
        return this._renderSimple(`blocked-${step.key}`, t(step.key === 'auth' ? 'pin.blocked.title.auth' : 'pin.blocked.title.sign'),
          `${step.key === 'sign' ? t('pin.blocked.text.sign') : errorText(step.error ?? { code: 'CARD_PIN_BLOCKED', message: '', ja: '' })} ${t('pin.blocked.bring')}`,
          [['blocked/start', t('flow.toStart'), toStart]]);
      case 'failed':
        return this._renderSimple('failed', t('failed.title'), errorText(step.error, step.network), [
          ...(step.canRetry ? [['failed/retry', t('flow.retry'), () => flow?.retry()] as [string, string, () => void]] : []),
          ['failed/start', t('flow.toStart'), () => flow?.requestExit()],
        ]);
    }
  }

  override render() {
    if (!this.state) return nothing;
    return html`<h2 class="title">${t(FLOW_TITLE[this.state.kind])}</h2>
      ${this._renderStep(this.state)}
      ${this.state.leaving ? this._renderLeaving() : nothing}`;
  }
}
customElements.define('stb-tv-flow-screen', StbTvFlowScreen);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-flow-screen': StbTvFlowScreen }
}
