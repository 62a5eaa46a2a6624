import type { NonceResponse, PresenceResult, RegistrationDraft, TvHousehold } from '../../api/platform-client.js';
import type { DriverEvent, KeyKind, PinStatus } from '../../api/reader-client.js';
import type { ScriptDeps } from './card-sign.js';
import { errorOutcome } from './flow-errors.js';
import { FlowRequests, wireOf } from './flow-requests.js';
import type { CardFlowDeps, FlowKind, FlowState, FlowStep, MemberRef, Signed, TaskId } from './flow-state.js';
import { LOGIN_TASKS, logIn } from './login-script.js';
import { backAction, deleteChar, emptyPin, submitDecision, typeChar, type PinNotice, type PinValue } from './pin-entry.js';
import { REGISTRATION_TASKS, register } from './registration-script.js';
import { UNREGISTER_TASKS, unregisterMe } from './unregister-script.js';

export type * from './flow-state.js';

/**
 * The login, registration and cancel-registration flows as a state machine, without any DOM: the screens render
 * `state` and call the methods below. The scripts (login-script.ts, registration-script.ts,
 * unregister-script.ts) do the
 * card and platform work through FlowRequests; flow-errors.ts decides where an error goes; this
 * class holds what the person typed and chose, and moves between the steps. What the person typed
 * is kept across everything that is not their own choice: a removed card, a wrong card, a lost
 * link, an expired draft — but a PIN sent and lost with the link before its answer may have cost
 * a try, so it is asked again (with the card's tries) rather than sent again unseen. No timer
 * rushes anyone: the only one turns a long wait for the reader driver into advice.
 *
 * The card check reads the auth certificate (no PIN) and asks the platform whose card it is
 * (presence, low assurance), so before any PIN the TV knows: someone else's card than the member
 * picked is said (wrongCard), an unregistered card is said at login, a registered one at
 * registration. A card put in while a PIN is typed is checked again the same way, so the tries
 * shown are always those of the card in the reader.
 *
 * Login: card check → auth PIN → nonce → card signs (auth key) → session.
 * Registration: district → consent → card check → sign PIN → auth PIN → draft → card signs with
 * the sign key, then the auth key → the platform reads the 基本4情報 → the person confirms.
 * Cancel registration (logged in): card check (the person's own card) → auth PIN → nonce → card
 * signs (auth key) → the platform erases the registration and ends every session.
 */

/** How long the reader driver may stay away before the screen gives advice and a phone number. */
export const DRIVER_ADVICE_AFTER_MS = 8_000;
export class CardFlow {
  private _state: FlowState = { kind: 'login', step: { name: 'loading', what: 'card' }, expectedName: null, cardName: null, leaving: false };
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
  /**
   * A PIN whose fate is unknown (sent, then the link lost or the card taken away before its
   * answer): once the link and the card are back, and it is the same card, the pad is shown
   * again, empty, with this notice and the card's tries — instead of `_resume`, which stays for
   * what the script gathered (a registration keeps its draft and first signature).
   */
  private _pinAgain: { key: KeyKind; notice: PinNotice } | null = null;
  /** Which key the last sign request used (a PIN error is about that key). */
  private _signingKey: KeyKind = 'auth';
  private _statusQuery: Promise<void> | null = null;
  /** The member picked on the who-is-watching list (login), if any. */
  private _expected: MemberRef | null = null;
  /** The certificate the platform was last asked about, and its answer (null: not registered here). */
  private _identified: { der: string; person: PresenceResult | null } | null = null;
  /** The person chose to register this (already registered) card again. */
  private _reRegister = false;
  /** A card was put back (or つづける pressed) while a request carrying a PIN still had to answer. */
  private _cardBackAfterAnswer = false;
  /** A check of a card put in while a PIN is typed; sending waits for it. */
  private _cardRecheck: Promise<void> | null = null;
  private _cancelAdviceTimer: (() => void) | null = null;
  private readonly _setTimer: (fn: () => void, ms: number) => () => void;
  private readonly _unsubscribe: () => void;

  constructor(private readonly _deps: CardFlowDeps) {
    this._requests = new FlowRequests(_deps.reader);
    this._setTimer = _deps.setTimer ?? ((fn, ms) => {
      const handle = setTimeout(fn, ms);
      return () => clearTimeout(handle);
    });
    const offEvent = _deps.reader.onEvent((e) => this._onReaderEvent(e));
    const offChange = _deps.reader.onChange(() => this._onReaderChange());
    this._unsubscribe = () => {
      offEvent();
      offChange();
    };
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

  /** Log in with the card in the reader; `expected` is the member picked as watching, if any. */
  startLogin(expected: MemberRef | null = null): void {
    this._reset('login', expected);
    this._checkCard(() => this._enterPin('auth'));
  }

  /** Register the card in the reader with this TV's household. */
  startRegistration(): void {
    this._reset('register', null);
    void this._loadHousehold();
  }

  /**
   * Cancel the logged-in person's registration: their card and auth PIN are asked again.
   * `own` is the logged-in person: another member's card is said before any PIN (wrongCard).
   */
  startUnregister(own: MemberRef | null = null): void {
    this._reset('unregister', own);
    this._checkCard(() => this._enterPin('auth'));
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
    this.requestExit();
  }

  /**
   * やめる / Back where leaving would stop card work or throw away what was typed: asks first
   * (「やめますか？」, starting on いいえ); otherwise leaves at once.
   */
  requestExit(): void {
    if (!this._active) return;
    if (this._hasWork()) this._state.leaving ? undefined : this._setLeaving(true);
    else this.exit();
  }

  /** The answer to 「やめますか？」. */
  confirmExit(leave: boolean): void {
    if (!this._state.leaving) return;
    if (leave) this.exit();
    else this._setLeaving(false);
  }

  /**
   * Back (the remote's 戻る, or Backspace): on a PIN screen it deletes a character while there is
   * one; otherwise it goes one step back, or leaves the flow. Returns whether it was used.
   */
  back(): boolean {
    const step = this._state.step;
    if (this._state.leaving) return this._setLeaving(false), true;
    switch (step.name) {
      case 'pin':
        if (step.confirming) return this._patchPin({ confirming: false }), true;
        if (backAction(step.value) === 'delete') return this._patchPin({ value: deleteChar(step.value), notice: null }), true;
        if (this._state.kind === 'register') {
          // Back from the empty pad returns to the sign password as it was typed: nothing is lost.
          if (step.key === 'auth') this._enterPin('sign', null, null, this._pins.sign);
          else {
            delete this._pins.sign;
            this._showConsent();
          }
          return true;
        }
        this.requestExit();
        return true;
      case 'consent':
        this._showDistricts();
        return true;
      default:
        // Card work, a question, a wait: Back always does something, and asks before throwing work away.
        this.requestExit();
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
        (confirmed) => this._set(confirmed.status === 'pending_linkage' ? { name: 'pendingLinkage' } : { name: 'registered', personName: step.result.personalData.name }),
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

  /**
   * OK on a key of the on-screen pad or keyboard: types its character, or, once the PIN is full
   * (4 digits), is 決定 — the remote's OK must not do nothing.
   */
  pressKey(char: string): void {
    const step = this._state.step;
    if (step.name === 'pin' && step.value.chars.length >= step.value.spec.maxLength) return this.submitPin();
    this.typeChar(char);
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

  /**
   * The secrets typed and kept for what comes next, and one asked again once the card is back (it
   * may have reached the card): the wait screens name them.
   */
  get secrets(): { kept: KeyKind[]; askedAgain: KeyKind | null } {
    return { kept: (['auth', 'sign'] as const).filter((key) => this._pins[key] !== undefined), askedAgain: this._pinAgain?.key ?? null };
  }

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

  /** From the wrong-card screen: log in with the card that is in the reader after all. */
  useCardInReader(): void {
    // Only a login may switch person: a cancellation is for the logged-in person's own card.
    if (this._state.step.name !== 'wrongCard' || this._state.kind !== 'login') return;
    const person = this._identified?.person ?? null;
    this._expected = person;
    this._state = { ...this._state, expectedName: person?.name ?? null };
    this._enterPin('auth');
  }

  /** From 「この カードは もう 登録されています」: log in with it instead. */
  loginInstead(): void {
    if (this._state.step.name !== 'alreadyRegistered') return;
    const person = this._identified?.person ?? null;
    this._expected = person;
    this._pins = {};
    this._state = { ...this._state, kind: 'login', expectedName: person?.name ?? null };
    this._enterPin('auth');
  }

  /** From 「この カードは もう 登録されています」: register it again (a move, a new district). */
  registerAgain(): void {
    if (this._state.step.name !== 'alreadyRegistered') return;
    this._reRegister = true;
    this._enterPin('sign');
  }

  private _onReaderEvent(e: DriverEvent): void {
    if (!this._active || e.event === 'heartbeat') return;
    const step = this._state.step;
    const running = this._requests.running;
    const cardWork = (running !== null && running !== 'pin.status') || (step.name === 'loading' && step.what === 'card');
    const ours = this._requests.readerName === undefined || e.data.name === this._requests.readerName;
    if (e.event === 'card.removed' && cardWork && ours) {
      // Say so now. What was typed is kept; a request carrying a PIN is left to answer, since only
      // its answer tells whether the card was checking it: CARD_REMOVED (it may have cost a try:
      // asked again) or CARD_ABSENT (the driver found no card: it reached none, and is kept).
      if (this._requests.runningPinKey === null) this._requests.supersede();
      this._set({ name: 'waitCard', reason: 'removed' });
    } else if (e.event === 'card.removed' && step.name === 'pin' && ours) {
      // No card, no tries to show: the count is asked again from the card that is put in.
      this._patchPin({ status: null });
    } else if (e.event === 'card.inserted') {
      if (step.name === 'waitCard') this._cardBack();
      else if (step.name === 'wrongCard') this._checkAnotherCard();
      else if (step.name === 'pin' && ours) this._recheckCard(step.key);
    }
  }

  /** The driver link came back: a step that waited for it carries on by itself. */
  private _onReaderChange(): void {
    const step = this._state.step;
    if (!this._active || step.name !== 'waitCard' || this._deps.reader.state !== 'open') return;
    if (step.reason === 'noDriver' || step.reason === 'noDriverLong') this._cardBack();
  }

  private _reset(kind: FlowKind, expected: MemberRef | null): void {
    this._forget();
    this._active = true;
    this._expected = expected;
    this._state = {
      kind, step: { name: 'loading', what: kind === 'register' ? 'household' : 'card' }, expectedName: expected?.name ?? null, cardName: null, leaving: false,
    };
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
    this._pinAgain = null;
    this._district = null;
    this._expected = null;
    this._identified = null;
    this._reRegister = false;
    this._cardRecheck = null;
    this._cardBackAfterAnswer = false;
    this._cancelAdviceTimer?.();
    this._cancelAdviceTimer = null;
  }

  /** Whether leaving now would stop card work or throw away what was typed or gathered. */
  private _hasWork(): boolean {
    const step = this._state.step;
    if (step.name === 'working') return true;
    if (step.name === 'pin' && step.value.chars.length > 0) return true;
    return Object.keys(this._pins).length > 0 || this._draft !== null || Object.keys(this._signed).length > 0;
  }

  private _setLeaving(leaving: boolean): void {
    this._state = { ...this._state, leaving };
    this._emit();
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
    const readerName = (this._requests.readerName = this._deps.reader.readers.find((r) => r.cardPresent)?.name);
    // The certificate read while the card lay in the reader (none after a swap: the cache is per insertion).
    const cached = this._deps.certs?.get(readerName) ?? null;
    const read = cached ? this._requests.own(cached) : this._requests.card('cert.read', { which: 'auth' }).then((r) => r.der);
    read.then(
      (der) => {
        this._deps.certs?.put(readerName, der);
        if (this._cardCert !== null && this._cardCert !== der) return this._otherCard(der);
        this._cardCert = der;
        this._identify(der, next);
      },
      (err) => this._fail(err, () => this._checkCard(next), next),
    );
  }

  /**
   * Asks the platform whose card this is (once per certificate), then goes on with `next` — or
   * says first what the person must know before typing a PIN: someone else's card than the member
   * picked, a card not registered here (login), a card already registered (registration).
   */
  private _identify(der: string, next: () => void): void {
    const decide = (person: PresenceResult | null) => {
      this._identified = { der, person };
      this._state = { ...this._state, cardName: person?.name ?? null };
      if (this._state.kind !== 'register') {
        if (person === null) {
          this._pins = {};
          return this._set({ name: 'notRegistered' });
        }
        if (this._expected && person.personId !== this._expected.personId) {
          return this._set({ name: 'wrongCard', cardName: person.name, expectedName: this._expected.name });
        }
      } else if (person !== null && !this._reRegister) {
        return this._set({ name: 'alreadyRegistered', personName: person.name });
      }
      next();
    };
    if (this._identified?.der === der) return decide(this._identified.person);
    this._requests.platform(() => this._deps.platform.presence(der)).then(decide, (err) => {
      if (wireOf(err)?.error.code === 'AUTH_NOT_REGISTERED') return decide(null);
      this._fail(err, () => this._identify(der, next));
    });
  }

  /** A card was put in on the wrong-card screen: check it from the start (a new card, a new PIN). */
  private _checkAnotherCard(): void {
    this._cardCert = null;
    this._pins = {};
    this._checkCard(() => this._enterPin(this._state.kind === 'register' ? 'sign' : 'auth'));
  }

  /**
   * A card was put in while a PIN is typed: the same card changes nothing (its tries are asked
   * again); another card is checked like a new one, before anything is sent.
   */
  private _recheckCard(key: KeyKind): void {
    const recheck = this._requests.card('cert.read', { which: 'auth' }).then(
      ({ der }) => {
        const step = this._state.step;
        if (step.name !== 'pin') return;
        this._deps.certs?.put(this._requests.readerName, der);
        if (der === this._cardCert) {
          if (step.status === null) void this._queryStatus(key);
          return;
        }
        this._otherCard(der);
      },
      () => {}, // no card after all: sending finds out, and says so
    );
    this._cardRecheck = recheck;
  }

  /**
   * The card came back (or つづける): same card → carry on, or ask again a PIN whose fate is
   * unknown (with the card's tries); another card → its PINs must be typed again.
   */
  private _cardBack(): void {
    if (this._requests.runningPinKey !== null) {
      // The PIN's fate is still to come (its request answers once the card is gone): decide then.
      this._cardBackAfterAnswer = true;
      return;
    }
    this._cardBackAfterAnswer = false;
    const resume = this._resume;
    const again = this._pinAgain;
    this._checkCard(() => (again ? this._enterPin(again.key, again.notice) : resume ? resume() : this.exit()));
  }

  /** Forgets a PIN that may have cost a try; it is asked again once the card is back. */
  private _askPinAgain(key: KeyKind, notice: PinNotice): void {
    delete this._pins[key];
    this._pinAgain = { key, notice };
  }

  private _otherCard(der: string): void {
    this._cardCert = der;
    this._pins = {};
    this._signed = {};
    this._draft = null;
    this._identify(der, () => this._enterPin(this._state.kind === 'register' ? 'sign' : 'auth', 'otherCard'));
  }

  private _enterPin(key: KeyKind, notice: PinNotice | null = null, status: PinStatus | null = null, typed?: string): void {
    this._resume = null;
    this._pinAgain = null;
    let value: PinValue = emptyPin(key);
    for (const c of typed ?? '') value = typeChar(value, c);
    this._set({ name: 'pin', key, status, value, reveal: false, confirming: false, notice });
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
    if (this._state.kind === 'unregister') return void this._runUnregister();
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
      await this._cardRecheck;
      await this._statusQuery;
      if (this._state.step.name !== 'working' || this._pins.auth === undefined) return; // another card came meanwhile
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

  private async _runUnregister(): Promise<void> {
    const again = (this._resume = () => void this._runUnregister());
    const deps = this._scriptDeps(UNREGISTER_TASKS);
    try {
      deps.progress(0);
      await this._cardRecheck;
      await this._statusQuery;
      if (this._state.step.name !== 'working' || this._pins.auth === undefined) return; // another card came meanwhile
      await unregisterMe(deps, { pin: this._pins.auth, certificate: this._cardCert! });
      this._forget();
      this._set({ name: 'unregistered' });
      this._deps.onUnregistered?.();
    } catch (err) {
      this._fail(err, again);
    }
  }

  private async _runRegistration(): Promise<void> {
    const again = (this._resume = () => void this._runRegistration());
    const deps = this._scriptDeps(REGISTRATION_TASKS);
    try {
      deps.progress(0);
      await this._cardRecheck;
      await this._statusQuery;
      if (this._state.step.name !== 'working' || this._pins.sign === undefined || this._pins.auth === undefined) return;
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
        this._set({ name: 'waitCard', reason: outcome.reason });
        if (outcome.reason === 'noDriver') this._adviseIfDriverStaysAway();
        // The card put back while this answer was awaited: carry on now.
        if (this._cardBackAfterAnswer) return this._cardBack();
        // The link may be back already (a short drop): then carry on at once.
        return this._onReaderChange();
      case 'pinAgain':
        // The PIN may have reached the card (a wrong one would have cost a try): it is forgotten,
        // and once the link and the card are back the card is checked, its tries asked, and the
        // pad shown again.
        this._askPinAgain(outcome.key, outcome.lostBy === 'link' ? 'linkLost' : 'cardRemoved');
        if (outcome.lostBy === 'card') {
          this._set({ name: 'waitCard', reason: 'removed' });
          return this._cardBackAfterAnswer ? this._cardBack() : undefined;
        }
        this._set({ name: 'waitCard', reason: 'noDriver' });
        this._adviseIfDriverStaysAway();
        return this._onReaderChange();
      case 'notRegistered':
        this._pins = {};
        return this._set({ name: 'notRegistered' });
      case 'failed':
        return this._set({ name: 'failed', error: outcome.error, network: outcome.network, canRetry: true });
    }
  }

  /** After a while without the driver, the wait screen says what to check and whom to call. */
  private _adviseIfDriverStaysAway(): void {
    this._cancelAdviceTimer?.();
    this._cancelAdviceTimer = this._setTimer(() => {
      this._cancelAdviceTimer = null;
      const step = this._state.step;
      if (this._active && step.name === 'waitCard' && step.reason === 'noDriver') this._set({ name: 'waitCard', reason: 'noDriverLong' });
    }, DRIVER_ADVICE_AFTER_MS);
  }

  private _patchPin(patch: Partial<Extract<FlowStep, { name: 'pin' }>>): void {
    const step = this._state.step;
    if (step.name === 'pin') this._set({ ...step, ...patch });
  }

  private _set(step: FlowStep): void {
    // A new step closes 「やめますか？」 (the question was about the step that is gone); progress
    // within the same step (the working list ticking on) leaves it open.
    const leaving = this._state.leaving && step.name === this._state.step.name;
    this._state = { ...this._state, step, leaving };
    this._emit();
  }

  private _emit(): void {
    for (const listener of [...this._listeners]) listener(this._state);
  }
}
