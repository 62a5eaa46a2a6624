import type { NonceResponse, RegistrationDraft, TvHousehold } from '../../api/platform-client.js';
import type { DriverEvent, KeyKind, PinStatus } from '../../api/reader-client.js';
import type { ScriptDeps } from './card-sign.js';
import { errorOutcome } from './flow-errors.js';
import { FlowRequests } from './flow-requests.js';
import type { CardFlowDeps, FlowKind, FlowState, FlowStep, PinNotice, Signed, TaskId } from './flow-state.js';
import { LOGIN_TASKS, logIn } from './login-script.js';
import { backAction, deleteChar, emptyPin, submitDecision, typeChar } from './pin-entry.js';
import { REGISTRATION_TASKS, register } from './registration-script.js';

export type * from './flow-state.js';

/**
 * The login and registration flows as a state machine, without any DOM: the screens render
 * `state` and call the methods below. The scripts (login-script.ts, registration-script.ts) do the
 * card and platform work through FlowRequests; flow-errors.ts decides where an error goes; this
 * class holds what the person typed and chose, and moves between the steps. What the person typed
 * is kept across everything that is not their own choice: a removed card, a wrong card, a lost
 * link, an expired draft. Nothing here runs on a timer.
 *
 * Login: card check → auth PIN → nonce → card signs (auth key) → session.
 * Registration: district → consent → card check → sign PIN → auth PIN → draft → card signs with
 * the sign key, then the auth key → the platform reads the 基本4情報 → the person confirms.
 */
export class CardFlow {
  private _state: FlowState = { kind: 'login', step: { name: 'loading', what: 'card' }, expectedName: null };
  private readonly _listeners = new Set<(state: FlowState) => void>();
  private _active = false;
  private readonly _requests: FlowRequests;
  /** PINs the person typed, kept (in memory only) until the flow ends. */
  private _pins: Partial<Record<KeyKind, string>> = {};
  /** The auth certificate of the card in use: a card put back is checked against it, and login reuses it. */
  private _cardCert: string | null = null;
  private _household: TvHousehold | null = null;
  private _district: string | null = null;
  private _draft: RegistrationDraft | null = null;
  private _signed: Partial<Record<KeyKind, Signed>> = {};
  /** A login nonce asked for while the person types (saves a round trip after 決定). */
  private _nonce: Promise<NonceResponse> | null = null;
  /** What to do once the card is back (after checking it is the same card), or on もう一度. */
  private _resume: (() => void) | null = null;
  /** Which key the last sign request used (a PIN error is about that key). */
  private _signingKey: KeyKind = 'auth';
  private _statusQuery: Promise<void> | null = null;
  private readonly _unsubscribe: () => void;

  constructor(private readonly _deps: CardFlowDeps) {
    this._requests = new FlowRequests(_deps.reader);
    this._unsubscribe = _deps.reader.onEvent((e) => this._onReaderEvent(e));
  }

  get state(): FlowState {
    return this._state;
  }

  /** Whether a flow is running (between a start and its exit or login). */
  get active(): boolean {
    return this._active;
  }

  subscribe(listener: (state: FlowState) => void): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  dispose(): void {
    this._unsubscribe();
    this._listeners.clear();
  }

  // ── Starting and leaving ──────────────────────────────────────────────────────────────────

  /** Log in with the card in the reader; `expectedName` is the member picked as watching. */
  startLogin(expectedName: string | null = null): void {
    this._reset('login', expectedName);
    this._checkCard(() => this._enterPin('auth'));
  }

  /** Register the card in the reader with this TV's household. */
  startRegistration(): void {
    this._reset('register', null);
    void this._loadHousehold();
  }

  /** Leaves the flow: stops card work, forgets PINs and drafts, tells the app. */
  exit(): void {
    if (!this._active) return;
    this._requests.cancelRunning();
    this._forget();
    this._active = false;
    this._deps.onExit();
  }

  /** The working screen's やめる. */
  cancel(): void {
    this.exit();
  }

  /**
   * Back (the remote's 戻る, or Backspace): on a PIN screen it deletes a character while there is
   * one; otherwise it goes one step back, or leaves the flow. Returns whether it was used.
   */
  back(): boolean {
    const step = this._state.step;
    switch (step.name) {
      case 'pin':
        if (step.confirming) return this._patchPin({ confirming: false }), true;
        if (backAction(step.value) === 'delete') return this._patchPin({ value: deleteChar(step.value), notice: null }), true;
        if (this._state.kind === 'register') {
          if (step.key === 'auth') this._enterPin('sign');
          else this._showConsent();
          return true;
        }
        this.exit();
        return true;
      case 'consent':
        this._showDistricts();
        return true;
      case 'working':
      case 'loading':
      case 'confirm':
        return true; // an answer or a button is needed here; Back must not throw work away
      default:
        this.exit();
        return true;
    }
  }

  // ── Registration choices ──────────────────────────────────────────────────────────────────

  chooseDistrict(code: string): void {
    if (this._state.step.name !== 'district') return;
    this._district = code;
    this._showConsent();
  }

  acceptConsent(): void {
    if (this._state.step.name !== 'consent') return;
    this._checkCard(() => this._enterPin('sign'));
  }

  /** The person's answer to 「この内容で正しいですか？」. */
  answer(correct: boolean): void {
    const step = this._state.step;
    if (step.name !== 'confirm') return;
    const id = step.result.registrationId;
    if (correct) {
      this._set({ name: 'working', tasks: ['confirm'], current: 0 });
      void this._requests.platform(() => this._deps.platform.confirmRegistration(id)).then(
        () => this._set({ name: 'registered', personName: step.result.personalData.name }),
        // もう一度 asks the question again: the person's answer is not taken as given.
        (err) => this._fail(err, () => this._set(step)),
      );
    } else {
      void this._requests.platform(() => this._deps.platform.cancelRegistration(id)).then(
        () => this._set({ name: 'rejected' }),
        // The draft expires on its own; the person's answer stands either way.
        () => this._set({ name: 'rejected' }),
      );
    }
  }

  // ── PIN entry ─────────────────────────────────────────────────────────────────────────────

  typeChar(char: string): void {
    const step = this._state.step;
    if (step.name !== 'pin' || step.confirming || step.status?.blocked) return;
    this._patchPin({ value: typeChar(step.value, char), notice: null });
  }

  deleteChar(): void {
    const step = this._state.step;
    if (step.name !== 'pin' || step.confirming) return;
    this._patchPin({ value: deleteChar(step.value), notice: null });
  }

  toggleReveal(): void {
    const step = this._state.step;
    if (step.name === 'pin') this._patchPin({ reveal: !step.reveal });
  }

  /** 決定: sends the PIN, or asks first when one try is left, or says what is missing. */
  submitPin(): void {
    const step = this._state.step;
    if (step.name !== 'pin' || step.confirming) return;
    switch (submitDecision(step.value, step.status)) {
      case 'incomplete':
        return this._patchPin({ notice: 'incomplete' });
      case 'blocked':
        return this._set({ name: 'blocked', key: step.key, error: null });
      case 'confirmLastTry':
        return this._patchPin({ confirming: true });
      case 'send':
        return this._sendPin();
    }
  }

  /** The one-try-left confirmation: yes sends, no goes back to the pad with the PIN as typed. */
  confirmLastTry(send: boolean): void {
    const step = this._state.step;
    if (step.name !== 'pin' || !step.confirming) return;
    if (send) this._sendPin();
    else this._patchPin({ confirming: false });
  }

  // ── Card and errors ───────────────────────────────────────────────────────────────────────

  /** もう一度 / つづける: does again what was interrupted (the card check comes first). */
  retry(): void {
    const step = this._state.step;
    if (step.name === 'waitCard') return this._cardBack();
    if (step.name === 'failed' && this._resume) return this._resume();
  }

  /** From 「まだ登録されていません」: register this card instead. */
  switchToRegistration(): void {
    this.startRegistration();
  }

  private _onReaderEvent(e: DriverEvent): void {
    if (!this._active || e.event === 'heartbeat') return;
    const step = this._state.step;
    const running = this._requests.running;
    const cardWork = (running !== null && running !== 'pin.status') || (step.name === 'loading' && step.what === 'card');
    const ours = this._requests.readerName === undefined || e.data.name === this._requests.readerName;
    if (e.event === 'card.removed' && cardWork && ours) {
      // The request will fail with CARD_REMOVED anyway; say so now, and keep what was typed.
      this._requests.supersede();
      this._set({ name: 'waitCard', reason: 'removed' });
    } else if (e.event === 'card.inserted') {
      if (step.name === 'waitCard') this._cardBack();
      else if (step.name === 'pin' && step.status === null) void this._queryStatus(step.key);
    }
  }

  private _reset(kind: FlowKind, expectedName: string | null): void {
    this._forget();
    this._active = true;
    this._state = { kind, step: { name: 'loading', what: kind === 'register' ? 'household' : 'card' }, expectedName };
  }

  private _forget(): void {
    this._requests.supersede();
    this._pins = {};
    this._cardCert = null;
    this._requests.readerName = undefined;
    this._draft = null;
    this._signed = {};
    this._nonce = null;
    this._resume = null;
    this._district = null;
  }

  private async _loadHousehold(): Promise<void> {
    this._set({ name: 'loading', what: 'household' });
    try {
      this._household = await this._requests.platform(() => this._deps.platform.household());
      this._showDistricts();
    } catch (err) {
      this._fail(err, () => void this._loadHousehold());
    }
  }

  private _showDistricts(): void {
    // Focus starts on the district the household is in: one OK for most people.
    this._set({ name: 'district', districts: this._household?.districts ?? [], selected: this._district ?? this._household?.household.districtCode ?? null });
  }

  private _showConsent(): void {
    this._set({ name: 'consent', text: this._household?.consent.text ?? '' });
  }

  /** Reads the auth certificate (no PIN): is a My Number Card there, and which one. */
  private _checkCard(next: () => void): void {
    this._resume = next;
    this._set({ name: 'loading', what: 'card' });
    // The reader the driver would pick by itself (the first holding a card), named from now on.
    this._requests.readerName = this._deps.reader.readers.find((r) => r.cardPresent)?.name;
    this._requests.card('cert.read', { which: 'auth' }).then(
      ({ der }) => {
        if (this._cardCert !== null && this._cardCert !== der) return this._otherCard(der);
        this._cardCert = der;
        next();
      },
      (err) => this._fail(err, () => this._checkCard(next), next),
    );
  }

  /** The card came back (or つづける): same card → carry on; another card → its PINs must be typed again. */
  private _cardBack(): void {
    const resume = this._resume;
    this._checkCard(() => (resume ? resume() : this.exit()));
  }

  private _otherCard(der: string): void {
    this._cardCert = der;
    this._pins = {};
    this._signed = {};
    this._draft = null;
    this._enterPin(this._state.kind === 'login' ? 'auth' : 'sign', 'otherCard');
  }

  private _enterPin(key: KeyKind, notice: PinNotice | null = null, status: PinStatus | null = null): void {
    this._resume = null;
    this._set({ name: 'pin', key, status, value: emptyPin(key), reveal: false, confirming: false, notice });
    if (status === null) void this._queryStatus(key);
    else if (status.blocked || status.triesLeft === 0) this._set({ name: 'blocked', key, error: null });
    // The nonce is asked for while the person types: after 決定 only the card and the session remain.
    if (this._state.kind === 'login' && this._nonce === null) {
      this._nonce = this._deps.platform.createNonce('login');
      this._nonce.catch(() => {});
    }
  }

  private _queryStatus(key: KeyKind): Promise<void> {
    const query = this._requests.card('pin.status', { key }).then(
      (status) => {
        const step = this._state.step;
        if (step.name !== 'pin' || step.key !== key) return;
        if (status.blocked) this._set({ name: 'blocked', key, error: null });
        else this._patchPin({ status: { triesLeft: status.triesLeft, blocked: false } });
      },
      // No card, or the card could not say: the count stays unknown and the card line says why.
      () => {},
    );
    this._statusQuery = query;
    return query;
  }

  private _sendPin(): void {
    const step = this._state.step;
    if (step.name !== 'pin') return;
    this._pins[step.key] = step.value.chars;
    if (this._state.kind === 'login') return void this._runLogin();
    if (step.key === 'sign' && this._pins.auth === undefined) return this._enterPin('auth');
    void this._runRegistration();
  }

  private _scriptDeps(tasks: TaskId[]): ScriptDeps {
    return {
      requests: this._requests,
      platform: this._deps.platform,
      progress: (current) => this._set({ name: 'working', tasks, current }),
      signing: (key) => {
        this._signingKey = key;
      },
    };
  }

  private async _runLogin(): Promise<void> {
    const again = (this._resume = () => void this._runLogin());
    const deps = this._scriptDeps(LOGIN_TASKS);
    try {
      deps.progress(0);
      await this._statusQuery;
      const nonce = this._nonce;
      this._nonce = null; // one signature per nonce: もう一度 asks for a new one
      const session = await logIn(deps, { pin: this._pins.auth!, certificate: this._cardCert!, nonce });
      this._forget();
      this._active = false;
      this._deps.onLoggedIn(session);
    } catch (err) {
      this._fail(err, again);
    }
  }

  private async _runRegistration(): Promise<void> {
    const again = (this._resume = () => void this._runRegistration());
    const deps = this._scriptDeps(REGISTRATION_TASKS);
    try {
      deps.progress(0);
      await this._statusQuery;
      const district = this._district;
      if (district === null) return this._showDistricts();
      const work = { district, pins: this._pins as Record<KeyKind, string>, authCertificate: this._cardCert!, draft: this._draft, signed: this._signed };
      try {
        const result = await register(deps, work);
        this._pins = {};
        this._draft = null;
        this._signed = {};
        this._resume = null;
        this._set({ name: 'confirm', result });
      } finally {
        // What was gathered stays for もう一度 (unless it was all used just above).
        if (this._resume === again) {
          this._draft = work.draft;
          this._signed = work.signed;
        }
      }
    } catch (err) {
      this._fail(err, again);
    }
  }

  /**
   * Turns an error into the right screen (flow-errors.ts decides which). `retry` is what もう一度
   * does; `afterCard` what happens once the card is back (and checked to be the same card).
   */
  private _fail(err: unknown, retry: () => void, afterCard: () => void = retry): void {
    if (!this._active) return;
    const outcome = errorOutcome(err, this._signingKey, this._cardCert !== null);
    if (outcome.to === 'nothing') return;
    this._resume = retry;
    switch (outcome.to) {
      case 'pin':
        delete this._pins[outcome.key];
        return this._enterPin(outcome.key, outcome.notice, outcome.status);
      case 'blocked':
        this._pins = {};
        return this._set({ name: 'blocked', key: outcome.key, error: outcome.error });
      case 'waitCard':
        this._resume = afterCard;
        return this._set({ name: 'waitCard', reason: outcome.reason });
      case 'notRegistered':
        this._pins = {};
        return this._set({ name: 'notRegistered' });
      case 'failed':
        return this._set({ name: 'failed', error: outcome.error, network: outcome.network, canRetry: true });
    }
  }

  private _patchPin(patch: Partial<Extract<FlowStep, { name: 'pin' }>>): void {
    const step = this._state.step;
    if (step.name === 'pin') this._set({ ...step, ...patch });
  }

  private _set(step: FlowStep): void {
    this._state = { ...this._state, step };
    for (const listener of [...this._listeners]) listener(this._state);
  }
}
