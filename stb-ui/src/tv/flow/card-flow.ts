import type { WireError } from '../../../../platform/src/shared/errors.js';
import type {
  PlatformClient, RegistrationDraft, RegistrationResult, SessionResponse, TvHousehold,
} from '../../api/platform-client.js';
import type { CommandResults, DriverEvent, KeyKind, PinStatus, ReaderClient } from '../../api/reader-client.js';
import type { CommandParams } from '../../../../reader-driver/src/ws/protocol.js';
import { backAction, deleteChar, emptyPin, submitDecision, typeChar, type PinValue } from './pin-entry.js';

/**
 * The login and registration flows as a state machine, without any DOM: the screens render
 * `state` and call the methods below; the card work goes through the reader driver, the rest
 * through the platform. What the person typed is kept across everything that is not their own
 * choice: a removed card, a wrong card, a lost link, an expired draft. Nothing here runs on a
 * timer.
 *
 * Login: card check → auth PIN → nonce → card signs (auth key) → session.
 * Registration: district → consent → card check → sign PIN → auth PIN → draft → card signs with
 * the sign key, then the auth key → the platform reads the 基本4情報 → the person confirms.
 */

/** `unregister`: the logged-in person cancels their registration (card and auth PIN again). */
export type FlowKind = 'login' | 'register' | 'unregister';

/** One piece of work the `working` screen lists, in order. */
export type TaskId = 'nonce' | 'authSign' | 'session' | 'draft' | 'signSign' | 'submit' | 'confirm' | 'unregister';

/** Why the flow waits for the card. */
export type WaitReason = 'absent' | 'removed' | 'noReader';

/** What the PIN screen says above the pad. */
export type PinNotice = 'incomplete' | 'wrong' | 'otherCard' | 'format';

export type FlowStep =
  | { name: 'loading'; what: 'household' | 'card' }
  | { name: 'waitCard'; reason: WaitReason }
  | { name: 'district'; districts: TvHousehold['districts']; selected: string | null }
  | { name: 'consent'; text: string }
  | {
      name: 'pin';
      key: KeyKind;
      /** The card's retry counter; null while it is being asked (or when the card could not say). */
      status: PinStatus | null;
      value: PinValue;
      reveal: boolean;
      /** The one-try-left confirmation is open. */
      confirming: boolean;
      notice: PinNotice | null;
    }
  | { name: 'working'; tasks: TaskId[]; current: number }
  | { name: 'confirm'; result: RegistrationResult }
  | { name: 'registered'; personName: string }
  /** Confirmed, but the platform waits for J-LIS to say both certificates are this card's. */
  | { name: 'pendingLinkage' }
  | { name: 'rejected' }
  | { name: 'notRegistered' }
  | { name: 'unregistered' }
  | { name: 'blocked'; key: KeyKind; error: WireError | null }
  | { name: 'failed'; error: WireError; network: boolean; canRetry: boolean };

export interface FlowState {
  kind: FlowKind;
  step: FlowStep;
  /** The member picked on the who-is-watching list, shown on the PIN screen. */
  expectedName: string | null;
}

/** The driver calls the flow makes, and the reader snapshot (ReaderClient fits). */
export type FlowReader = Pick<ReaderClient, 'send' | 'cancel' | 'onEvent' | 'readers'>;
/** The platform calls the flow makes (PlatformClient fits). */
export type FlowPlatform = Pick<
  PlatformClient,
  'createNonce' | 'createSession' | 'household' | 'createRegistrationDraft' | 'submitRegistration' | 'confirmRegistration' | 'cancelRegistration'
  | 'unregister'
>;

export interface CardFlowDeps {
  reader: FlowReader;
  platform: FlowPlatform;
  /** A session was made: the app shows the home screen. */
  onLoggedIn: (session: SessionResponse) => void;
  /** The person left the flow (or it ended): the app shows the start screen. */
  onExit: () => void;
  /** The registration was cancelled: every session of the person has ended. */
  onUnregistered?: () => void;
}

/** Thrown into a superseded async step (the person moved on, or the card went away); never shown. */
class Superseded extends Error {}

type Signed = { signature: string; certificate: string };

/** The catalogue body of any error, or null for one the flow does not know. */
function wireOf(err: unknown): { error: WireError; network: boolean } | null {
  const e = err as { error?: WireError; network?: boolean } | null;
  if (e && typeof e === 'object' && e.error && typeof e.error.code === 'string') return { error: e.error, network: !!e.network };
  return null;
}

type CardCommand = 'cert.read' | 'pin.status' | 'sign';

export class CardFlow {
  private _state: FlowState = { kind: 'login', step: { name: 'loading', what: 'card' }, expectedName: null };
  private readonly _listeners = new Set<(state: FlowState) => void>();
  private _active = false;
  /** Bumped whenever in-flight work must be ignored. */
  private _gen = 0;
  /** PINs the person typed, kept (in memory only) until the flow ends. */
  private _pins: Partial<Record<KeyKind, string>> = {};
  /** The auth certificate of the card in use: a card put back is checked against it. */
  private _cardCert: string | null = null;
  /**
   * The reader the card was found in at the card check; every card request names it, so a card
   * coming or going in another reader (a second reader, a card of someone else) changes nothing.
   */
  private _readerName: string | undefined = undefined;
  private _household: TvHousehold | null = null;
  private _district: string | null = null;
  private _draft: RegistrationDraft | null = null;
  private _signed: Partial<Record<KeyKind, Signed>> = {};
  /** The card request in flight, and the promise that settles with it. */
  private _running: { id: string; cmd: CardCommand; done: Promise<unknown> } | null = null;
  /** What to do once the card is back (after checking it is the same card), or on もう一度. */
  private _resume: (() => void) | null = null;
  /** Which key the last sign request used (a PIN error is about that key). */
  private _signingKey: KeyKind = 'auth';
  private _statusQuery: Promise<void> | null = null;
  private readonly _unsubscribe: () => void;

  constructor(private readonly _deps: CardFlowDeps) {
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

  /** Cancel the logged-in person's registration: their card and auth PIN are asked again. */
  startUnregister(): void {
    this._reset('unregister', null);
    this._checkCard(() => this._enterPin('auth'));
  }

  /** Leaves the flow: stops card work, forgets PINs and drafts, tells the app. */
  exit(): void {
    if (!this._active) return;
    const running = this._running;
    if (running) this._deps.reader.cancel(running.id).catch(() => {});
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
      void this._platform(() => this._deps.platform.confirmRegistration(id)).then(
        (confirmed) => this._set(confirmed.status === 'pending_linkage' ? { name: 'pendingLinkage' } : { name: 'registered', personName: step.result.personalData.name }),
        // もう一度 asks the question again: the person's answer is not taken as given.
        (err) => this._fail(err, () => this._set(step)),
      );
    } else {
      void this._platform(() => this._deps.platform.cancelRegistration(id)).then(
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
    const cardWork = (this._running !== null && this._running.cmd !== 'pin.status') || (step.name === 'loading' && step.what === 'card');
    const ours = this._readerName === undefined || e.data.name === this._readerName;
    if (e.event === 'card.removed' && cardWork && ours) {
      // The request will fail with CARD_REMOVED anyway; say so now, and keep what was typed.
      this._gen++;
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
    this._gen++;
    this._pins = {};
    this._cardCert = null;
    this._readerName = undefined;
    this._draft = null;
    this._signed = {};
    this._resume = null;
    this._district = null;
  }

  private async _loadHousehold(): Promise<void> {
    this._set({ name: 'loading', what: 'household' });
    try {
      this._household = await this._platform(() => this._deps.platform.household());
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
    this._readerName = this._deps.reader.readers.find((r) => r.cardPresent)?.name;
    this._cardOp('cert.read', { which: 'auth' }).then(
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
  }

  private _queryStatus(key: KeyKind): Promise<void> {
    const query = this._cardOp('pin.status', { key }).then(
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

  private async _runLogin(): Promise<void> {
    const again = (this._resume = () => void this._runLogin());
    const tasks: TaskId[] = ['nonce', 'authSign', 'session'];
    const at = (current: number) => this._set({ name: 'working', tasks, current });
    try {
      at(0);
      await this._statusQuery;
      const nonce = await this._platform(() => this._deps.platform.createNonce('login'));
      at(1);
      const signed = await this._sign('auth', nonce.digestInfo);
      at(2);
      const session = await this._platform(() =>
        this._deps.platform.createSession({ nonce: nonce.nonce, certificate: signed.certificate, signature: signed.signature }));
      this._forget();
      this._active = false;
      this._deps.onLoggedIn(session);
    } catch (err) {
      this._fail(err, again);
    }
  }

  private async _runUnregister(): Promise<void> {
    const again = (this._resume = () => void this._runUnregister());
    const tasks: TaskId[] = ['nonce', 'authSign', 'unregister'];
    const at = (current: number) => this._set({ name: 'working', tasks, current });
    try {
      at(0);
      await this._statusQuery;
      const nonce = await this._platform(() => this._deps.platform.createNonce('unregister'));
      at(1);
      const signed = await this._sign('auth', nonce.digestInfo);
      at(2);
      await this._platform(() => this._deps.platform.unregister({ nonce: nonce.nonce, certificate: signed.certificate, signature: signed.signature }));
      this._forget();
      this._set({ name: 'unregistered' });
      this._deps.onUnregistered?.();
    } catch (err) {
      this._fail(err, again);
    }
  }

  private async _runRegistration(retried = false): Promise<void> {
    const again = (this._resume = () => void this._runRegistration());
    const tasks: TaskId[] = ['draft', 'signSign', 'authSign', 'submit'];
    const at = (current: number) => this._set({ name: 'working', tasks, current });
    try {
      at(0);
      await this._statusQuery;
      const district = this._district;
      if (district === null) return this._showDistricts();
      const draft = (this._draft ??= await this._platform(() => this._deps.platform.createRegistrationDraft(district)));
      at(1);
      this._signed.sign ??= await this._sign('sign', draft.sign.digestInfo);
      at(2);
      this._signed.auth ??= await this._sign('auth', draft.auth.digestInfo);
      at(3);
      const { sign, auth } = this._signed as Record<KeyKind, Signed>;
      const result = await this._platform(() => this._deps.platform.submitRegistration({
        draftId: draft.draftId,
        signCertificate: sign.certificate, signSignature: sign.signature,
        authCertificate: auth.certificate, authSignature: auth.signature,
      }));
      this._pins = {};
      this._draft = null;
      this._signed = {};
      this._resume = null;
      this._set({ name: 'confirm', result });
    } catch (err) {
      const wire = wireOf(err);
      if (!retried && wire?.error.code === 'AUTH_REGISTRATION_EXPIRED') {
        // The draft ran out while the person was typing or away: the PINs are kept, so start it again.
        this._draft = null;
        this._signed = {};
        return this._runRegistration(true);
      }
      this._fail(err, again);
    }
  }

  private async _sign(key: KeyKind, digestInfo: string): Promise<Signed> {
    const pin = this._pins[key];
    if (pin === undefined) throw new Superseded();
    this._signingKey = key;
    const r = await this._cardOp('sign', { key, pin, digestInfo, withCertificate: true });
    if (!r.certificate) throw { error: { code: 'CARD_COMMAND_FAILED', message: 'no certificate returned', ja: '' } };
    return { signature: r.signature, certificate: r.certificate };
  }

  /** One card request: waits for the previous one to settle (one per reader), ignored once superseded. */
  private async _cardOp<C extends CardCommand>(cmd: C, params: CommandParams<C>): Promise<CommandResults[C]> {
    const gen = this._gen;
    if (this._running) await this._running.done.catch(() => {});
    if (gen !== this._gen) throw new Superseded();
    const named = this._readerName === undefined ? params : { ...params, reader: this._readerName };
    const sent = this._deps.reader.send(cmd, named);
    const running = { id: sent.id, cmd, done: sent.result as Promise<unknown> };
    this._running = running;
    try {
      const result = (await sent.result) as CommandResults[C];
      if (gen !== this._gen) throw new Superseded();
      return result;
    } catch (err) {
      if (gen !== this._gen) throw new Superseded();
      throw err;
    } finally {
      if (this._running === running) this._running = null;
    }
  }

  private async _platform<T>(call: () => Promise<T>): Promise<T> {
    const gen = this._gen;
    const result = await call();
    if (gen !== this._gen) throw new Superseded();
    return result;
  }

  /**
   * Turns an error into the right screen. `retry` is what もう一度 does; `afterCard` what happens
   * once the card is back (and checked to be the same card).
   */
  private _fail(err: unknown, retry: () => void, afterCard: () => void = retry): void {
    if (err instanceof Superseded || !this._active) return;
    const wire = wireOf(err);
    this._resume = retry;
    if (!wire) return this._set({ name: 'failed', error: { code: 'INTERNAL', message: String(err), ja: '' }, network: false, canRetry: true });
    const { error } = wire;
    const key = this._signingKey;
    switch (error.code) {
      case 'CARD_PIN_WRONG': {
        delete this._pins[key];
        const triesLeft = typeof error.details?.triesLeft === 'number' ? error.details.triesLeft : null;
        return this._enterPin(key, 'wrong', { triesLeft, blocked: triesLeft === 0 });
      }
      case 'CARD_PIN_FORMAT':
        delete this._pins[key];
        return this._enterPin(key, 'format');
      case 'CARD_PIN_BLOCKED':
        this._pins = {};
        return this._set({ name: 'blocked', key, error });
      case 'CARD_ABSENT':
      case 'CARD_REMOVED':
        this._resume = afterCard;
        // No card now, but one was read in this flow: for the person, it came off the reader.
        return this._set({ name: 'waitCard', reason: error.code === 'CARD_ABSENT' && this._cardCert === null ? 'absent' : 'removed' });
      case 'READER_NOT_FOUND':
        this._resume = afterCard;
        return this._set({ name: 'waitCard', reason: 'noReader' });
      case 'AUTH_NOT_REGISTERED':
        this._pins = {};
        return this._set({ name: 'notRegistered' });
      case 'WS_CANCELLED':
        return;
      default:
        return this._set({ name: 'failed', error, network: wire.network, canRetry: true });
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
