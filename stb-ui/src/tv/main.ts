import { LitElement, css, html, nothing } from 'lit';
import { AlertsClient, alertsUrl, type AlertAnswer, type AlertsChange, type TvAlert } from '../api/alerts-client.js';
import { PlatformClient, type HouseholdMember, type SessionView } from '../api/platform-client.js';
import { ReaderClient, sessionResumeStore } from '../api/reader-client.js';
import { loadUiConfig } from '../config.js';
import '../components/health-badge.js';
import './alerts/alert-overlay.js';
import type { AlertEnd } from './alerts/alert-overlay.js';
import { mostUrgentLast, spokenAlert } from './alerts/alert-message.js';
import { AlertLinkStatus, answerNoticeText } from './alerts/answer-status.js';
import { CHOICE_HOLD_MS } from './alerts/alert-overlay.js';
import { announce, speakJapanese } from './alerts/alert-voice.js';
import { CardCertCache } from './flow/card-cert-cache.js';
import { CardFlow, type FlowState } from './flow/card-flow.js';
import { tokens } from '../styles/tokens.js';
import { IdleLogout } from './idle-logout.js';
import { ReadAloud, spokenText } from './read-aloud.js';
import { focusService } from './focus/focus-service.js';
import { keyInput } from './input/key-input.js';
import { exitApp, requestRemoteKeys } from './input/platform.js';
import { BookingStore } from './booking/booking-store.js';
import './booking/booking-screen.js';
import './screens/flow-screen.js';
import './screens/help-screen.js';
import './pension/pension-screen.js';
import type { PendingLink } from './pension/pension-screen.js';
import './screens/home-screen.js';
import type { HomeDestination } from './screens/home-screen.js';
import './screens/key-test-screen.js';
import './screens/services-screen.js';
import './screens/settings-screen.js';
import './screens/start-screen.js';
import type { StartChoice } from './screens/start-screen.js';
import { keepOperatorContact, keptOperatorContact, type OperatorContact } from './operator-contact.js';
import { browserStorage, loadSettings, saveSettings, type TvSettings } from './settings.js';
import { t } from './strings.js';
import './ui/tv-button.js';
import './ui/tv-dialog.js';

/**
 * The screens of the TV page. start and home are top screens (Back there asks whether to leave);
 * settings and help return to whichever of them opened them, services to home; flow (login,
 * registration, cancelling the registration) handles Back itself. booking (施設予約) opens from
 * either without a login, and goes through the login flow and back when a household member books.
 */
export type TvScreen = 'start' | 'settings' | 'keytest' | 'flow' | 'home' | 'services' | 'help' | 'booking' | 'pension';

type TvDialog = 'exit' | 'unregister' | null;

/**
 * The TV page: a 1920×1080 canvas scaled to the viewport, everything inside the safe area
 * (96 px left/right, 54 px top/bottom), focus rings included. It owns the screen stack and the dialogs; the focus service
 * moves focus, and Back on the top screen comes here to ask whether to leave.
 */
export class StbTvApp extends LitElement {
  static override properties = {
    _screen: { state: true },
    _dialog: { state: true },
    _settings: { state: true },
    _flowState: { state: true },
    _session: { state: true },
    _operator: { state: true },
    _idleLeft: { state: true },
    _alert: { state: true },
    _alertEnd: { state: true },
    _alertUpdated: { state: true },
    _review: { state: true },
  };
  declare _screen: TvScreen;
  declare _dialog: TvDialog;
  declare _settings: TvSettings;
  declare _flowState: FlowState | null;
  /** The logged-in person (memory only; a reload logs out). */
  declare _session: SessionView | null;
  /** Whom to call for help (kept from the last time the platform said). */
  declare _operator: OperatorContact | null;
  /** Seconds until the idle logout, while its countdown shows; else null. */
  declare _idleLeft: number | null;
  /** The evacuation alert shown over everything, if any. */
  declare _alert: TvAlert | null;
  /** The alert shown was withdrawn or ran out while on screen: it stays, saying so, until 「わかりました」. */
  declare _alertEnd: AlertEnd | null;
  /** The alert shown replaced (an Update of) the one that was on screen. */
  declare _alertUpdated: boolean;
  /** What the overlay showed last (alert and whether it ended), and how often that changed unbidden (holds its choices). */
  private _alertShown: string | null = null;
  private _alertArrival = 0;
  /** 避難情報 (home → 9): the alerts still in force, shown again one by one (empty: "none" is shown); null when not open. */
  declare _review: string[] | null;

  /** The reader driver link (`?reader=ws://…` overrides the address). */
  readonly reader: ReaderClient;
  /** The platform API, with this TV's device credential (from the reader driver, kept in memory only). */
  readonly platform: PlatformClient;
  /** Evacuation alerts pushed by the platform (its own WebSocket, resumed after any break). */
  readonly alerts: AlertsClient;
  /** Whether the resident's answer reached the platform, and whether the alert link is down. */
  readonly alertLink: AlertLinkStatus;
  /** The alerts whose `displayed` receipt was sent (once per page). */
  private readonly _displayedAlerts = new Set<string>();
  /** The login and registration flows. */
  readonly flow: CardFlow;
  /** 施設予約: what is being browsed and booked, kept across the card login in the middle. */
  readonly booking: BookingStore;
  /** The login flow was started from 施設予約: it returns there, and the booking carries on. */
  private _loginForBooking = false;
  /** 読み上げ: the screen's title and the focused element, spoken where the device can. */
  readonly readAloud = new ReadAloud();
  /** Logs a shared TV out after the quiet period of the settings (never during a task). */
  readonly idle: IdleLogout;
  private _unsubscribeKeys: (() => void) | null = null;
  private _unsubscribeReader: (() => void) | null = null;

  static override styles = [
    tokens,
    css`
      :host { position: fixed; inset: 0; overflow: hidden; }
      .canvas {
        --stb-text-scale: 1;
        --stb-surface: #1f2a38; --stb-border: #71849b;
        --stb-focus: #ffd54a; --stb-focus-bg: #34506e; --stb-focus-fg: #ffffff;
        position: absolute; left: 0; top: 0; width: 1920px; height: 1080px;
        /* The safe area (54 px, 96 px) plus room for a focused button's ring and growth (24 px, 48 px). */
        transform-origin: 0 0; box-sizing: border-box; padding: 78px 144px;
        background: var(--stb-bg); color: var(--stb-fg);
        /* Japanese wraps only where the text has a space (house style writes phrases apart), never mid-word. */
        word-break: keep-all; overflow-wrap: anywhere; line-break: strict;
      }
      .canvas.xlarge { --stb-text-scale: 1.25; }
      .canvas.hc {
        --stb-bg: #000000; --stb-fg: #ffffff; --stb-surface: #000000; --stb-border: #ffffff;
        --stb-focus: #ffff00; --stb-focus-bg: #ffff00; --stb-focus-fg: #000000;
      }
      h1 { font-size: calc(64px * var(--stb-text-scale)); font-weight: 700; margin: 0 0 32px; line-height: 1.2; }
      footer { position: absolute; bottom: 54px; left: 144px; font-size: 36px; }
      /* An answer's fate, where the footer is: black on white, readable over any screen. */
      .answer-notice { margin: 0 0 12px; padding: 4px 16px; background: #ffffff; color: #000000; font-weight: 800; font-size: calc(36px * var(--stb-text-scale)); }
    `,
  ];

  private _onResize = () => this._fit();

  constructor() {
    super();
    this._screen = 'start';
    this._dialog = null;
    this._settings = loadSettings(browserStorage());
    this._flowState = null;
    this._session = null;
    this._operator = keptOperatorContact(browserStorage());
    this.reader = new ReaderClient({ url: loadUiConfig(location.search).readerUrl, resumeStore: sessionResumeStore() });
    forgetOldCredentialPlaces();
    this.platform = new PlatformClient({ device: () => this.reader.deviceCredential() });
    this.booking = new BookingStore({ platform: this.platform });
    this._alert = null;
    this._alertEnd = null;
    this._alertUpdated = false;
    this._review = null;
    this.alerts = new AlertsClient({
      url: alertsUrl(location),
      credential: () => this.reader.deviceCredential(),
      session: () => this.platform.sessionToken,
      // Receipts not yet confirmed survive a reload (alert, kind and answer only; never the session).
      storage: browserStorage(),
    });
    this.alerts.subscribe((_all, arrived, change) => this._onAlerts(arrived, change));
    // Said aloud only with no alert on screen: its own reading must not be cut off.
    this.alertLink = new AlertLinkStatus(this, this.alerts, () => { if (!this._alert) speakJapanese(t('alerts.answerStored')); });
    const certs = new CardCertCache(this.reader, () => this.flow.active);
    this.flow = new CardFlow({
      reader: this.reader,
      platform: this.platform,
      certs,
      onLoggedIn: (session) => {
        this._session = session;
        this._homeReturnTo = null;
        if (this._loginForBooking) {
          this._loginForBooking = false;
          this._screen = 'booking';
          void this.booking.resume();
          return;
        }
        // A card login that was a pension consent goes back to finish the link.
        this._pensionResume = this._pendingLink;
        this._pendingLink = null;
        this._screen = this._pensionResume ? 'pension' : 'home';
      },
      onExit: () => {
        if (this._loginForBooking) {
          // Nobody logged in after all: back to the grid as it was; the slot is not held.
          this._loginForBooking = false;
          this.booking.forgetPending();
          this._screen = 'booking';
          return;
        }
        const consenting = this._pendingLink !== null;
        this._pendingLink = null;
        this._screen = this._session ? (consenting ? 'pension' : 'home') : 'start';
      },
      onUnregistered: () => {
        // The platform ended every session of the person; the flow's last screen says so.
        this._session = null;
        this.platform.forgetSession();
      },
    });
    this._idleLeft = null;
    this.idle = new IdleLogout({
      onCountdown: (left) => { this._idleLeft = left; },
      onDismiss: () => { this._idleLeft = null; },
      onLogout: () => {
        this._idleLeft = null;
        void this._logout();
      },
      taskUnderWay: () => this._screen === 'pension' ? !!this.renderRoot.querySelector('stb-tv-pension-screen')?.taskUnderWay
        : this._screen === 'booking' && this.booking.taskUnderWay,
    });
    this.flow.subscribe((state) => {
      this._flowState = state;
    });
  }

  override connectedCallback() {
    super.connectedCallback();
    window.addEventListener('resize', this._onResize);
    keyInput.start(window);
    focusService.start(keyInput);
    // Any key, known or not, is a sign of life: it dismisses the idle countdown and restarts the quiet period.
    this._unsubscribeKeys = keyInput.subscribe(() => this.idle.touch());
    this._unsubscribeReader = this.reader.onEvent((e) => {
      // Card off the reader while logged in and not in a task: log out if the settings say so.
      if (e.event === 'card.removed' && this._session && this._screen !== 'flow' && this._settings.cardRemoval === 'logout') void this._logout();
    });
    window.addEventListener('focus-moved', this._onFocusMoved);
    focusService.onRootBack = () => this._askToLeave();
    requestRemoteKeys(keyInput.env.platform);
    this.reader.start();
    this.alerts.start();
    // The help screen's own source (GET /api/v1/tv/help) names the operator here too: one source.
    this.platform.help().then(
      ({ operator }) => {
        this._operator = operator;
        keepOperatorContact(browserStorage(), operator);
      },
      () => {}, // the kept contact (if any) stays; the flows say when the platform is unreachable
    );
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener('resize', this._onResize);
    window.removeEventListener('focus-moved', this._onFocusMoved);
    this._unsubscribeKeys?.();
    this._unsubscribeReader?.();
    this.idle.stop();
    focusService.onRootBack = null;
    this.reader.stop();
    this.alerts.stop();
  }

  override firstUpdated() {
    this._fit();
  }

  override willUpdate() {
    // Whatever comes onto the alert overlay by itself (not under 避難情報, which the resident opened,
    // nor an answer's own result) holds its choices for a moment: a key pressed for what was there must not pick.
    const shown = this._alert ? `${this._alert.id}/${this._alertEnd ?? ''}` : null;
    if (shown === this._alertShown) return;
    // Closed: the screen beneath takes no OK or digit for a moment either. A double OK on the last
    // alert would otherwise type a digit into a half-typed (masked) PIN, and spend a try of the card.
    // `data-choices-held` on the app meanwhile (tests wait for it to go).
    if (shown === null && this._alertShown !== null) {
      this.toggleAttribute('data-choices-held', true);
      focusService.holdChoices(CHOICE_HOLD_MS, () => this.toggleAttribute('data-choices-held', focusService.choicesHeld));
    }
    this._alertShown = shown;
    if (shown !== null && this._review === null) this._alertArrival++;
  }

  override updated() {
    if (this._alert && !this._displayedAlerts.has(this._alert.id)) {
      this._displayedAlerts.add(this._alert.id);
      this.alerts.displayed(this._alert.id);
    }
    // Turned on just now: say where the resident is at once, so they hear that it works.
    const turnedOn = this._settings.readAloud && !this.readAloud.enabled;
    this.readAloud.enabled = this._settings.readAloud;
    if (turnedOn) this._speak();
    this.idle.setMinutes(this._settings.idleLogoutMinutes);
    // Armed only while someone is logged in and no task is under way (a flow: PIN entry, card work),
    // and never under the alert overlay: the resident reading it, or gone to evacuate, must come back
    // to the TV as they left it. Re-armed when it closes, the quiet period starts in full.
    const alertUp = this._alert !== null || this._review !== null;
    this.idle.setArmed(this._session !== null && this._screen !== 'flow' && !alertUp);
    const title = this._screenTitle();
    if (title !== this._spokenTitle) {
      this._spokenTitle = title;
      this._speak();
    }
  }

  private _spokenTitle: string | null = null;

  private _onFocusMoved = () => this._speak();

  private _speakSoon: ReturnType<typeof setTimeout> | null = null;

  /**
   * Reads out the screen's title (when new) and the focused element, once the screen has settled:
   * a new screen renders, then focus enters it; saying each at once would cut the title off.
   */
  private _speak() {
    // An alert on screen is being read out by itself: the focus moving onto its buttons must not cut it off.
    if (!this._settings.readAloud || this._speakSoon !== null || this._alert) return;
    this._speakSoon = setTimeout(() => {
      this._speakSoon = null;
      this.readAloud.say(this._screenTitle(), spokenText(findFocused(this.renderRoot)));
    }, 0);
  }

  /** The title of what is on screen: an open dialog's heading, else the screen's first heading. */
  private _screenTitle(): string | null {
    const dialog = findDeep(this.renderRoot, 'stb-tv-dialog') as (Element & { heading?: string }) | null;
    if (dialog?.heading) return dialog.heading;
    const screen = this.renderRoot.querySelector('.canvas > :not(h1):not(footer)');
    // The start screen has no heading of its own: the app's title is its title.
    const heading = (screen?.shadowRoot ? findDeep(screen.shadowRoot, 'h2, h3') : null) ?? this.renderRoot.querySelector('.canvas > h1');
    return heading?.textContent?.replace(/\s+/g, ' ').trim() || null;
  }

  /** Scales the fixed 1920×1080 design to whatever the TV browser's viewport is. */
  private _fit() {
    const canvas = this.renderRoot.querySelector<HTMLElement>('.canvas');
    if (!canvas) return;
    const scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    canvas.style.transform = `scale(${scale})`;
    focusService.invalidate();
  }

  private _askToLeave() {
    if (this._dialog === null) this._dialog = 'exit';
  }

  /** Back from settings, help, services and booking (to start or home) and from the key test (to settings). */
  private _back() {
    if (this._screen === 'keytest') return void (this._screen = 'settings');
    if (this._session && (this._screen === 'settings' || this._screen === 'help' || this._screen === 'services' || this._screen === 'booking')) this._homeReturnTo = this._screen;
    if (this._session && this._screen === 'pension') this._homeReturnTo = 'inbox';
    this._screen = this._session ? 'home' : 'start';
  }

  /** A pension link consented to, waiting for the card login that confirms it. */
  private _pendingLink: PendingLink | null = null;
  /** The consented link handed to the pension screen after that login. */
  private _pensionResume: PendingLink | null = null;

  private _onPensionConsent = (e: CustomEvent<PendingLink>) => {
    const own = this._session ? { personId: this._session.person.id, name: this._session.person.name } : null;
    this._pendingLink = e.detail;
    this._startFlow(() => this.flow.startLogin(own));
  };

  /** Which home action's screen was just left (focus returns to it); null: home starts on the person's name. */
  private _homeReturnTo: HomeDestination | null = null;

  private _onHomeOpen(e: CustomEvent<HomeDestination>) {
    switch (e.detail) {
      case 'register': return this._startFlow(() => this.flow.startRegistration());
      case 'unregister': this._dialog = 'unregister'; return;
      case 'inbox': this._pensionResume = null; this._screen = 'pension'; return;
      case 'booking': return this._openBooking();
      case 'alerts': return this._openReview();
      default: this._screen = e.detail;
    }
  }

  private _confirmUnregister = () => {
    this._dialog = null;
    const own = this._session ? { personId: this._session.person.id, name: this._session.person.name } : null;
    this._startFlow(() => this.flow.startUnregister(own));
  };

  private _onStartChoice(e: CustomEvent<StartChoice>) {
    if (e.detail === 'settings') this._screen = 'settings';
    else if (e.detail === 'help') this._screen = 'help';
    else if (e.detail === 'browse') this._openBooking();
    else if (e.detail === 'login') this._startFlow(() => this.flow.startLogin());
    else this._startFlow(() => this.flow.startRegistration());
  }

  private _openBooking() {
    this._screen = 'booking';
    void this.booking.open();
  }

  /** A household member books from the grid: their card and PIN, then back to the booking. */
  private _loginToBook(member: HouseholdMember) {
    this._loginForBooking = true;
    this._startFlow(() => this.flow.startLogin(member));
  }

  private _startFlow(start: () => void) {
    this._homeReturnTo = null;
    start();
    this._flowState = this.flow.state;
    this._screen = 'flow';
  }

  private async _logout() {
    this._session = null;
    this.booking.loggedOut();
    this._screen = 'start';
    this._dialog = null;
    await this.platform.logout().catch(() => {});
  }

  private async _switchTo(member: HouseholdMember) {
    await this._logout();
    this._startFlow(() => this.flow.startLogin(member));
  }

  private _onSettingsChange(e: CustomEvent<TvSettings>) {
    this._settings = e.detail;
    saveSettings(browserStorage(), e.detail);
  }

  private _leave() {
    this._dialog = null;
    if (this._session) void this._logout();
    exitApp(keyInput.env.platform);
  }

  private _closeDialog = () => {
    this._dialog = null;
  };

  /** In force and not yet acknowledged on this TV, the most urgent last (the next to show). */
  private _unacknowledged(): TvAlert[] {
    const now = this.alerts.now();
    return mostUrgentLast(this.alerts.alerts.filter((a) => !a.acknowledged && Date.parse(a.expiresAt) > now));
  }

  /**
   * The alert list changed: a new one is shown (chime and voice) at once, saying so when it updates
   * the one on screen (on screen and aloud); the one on screen withdrawn or expired (the platform
   * said so, or the TV's clock passed its expiry) stays, saying so, until closed — that is said
   * aloud too, without the chime (it calls no one to the TV). Said once: an ended alert is not
   * `shown`, so the platform's word arriving after the TV's own changes nothing.
   */
  private _onAlerts(arrived: TvAlert | null, change: AlertsChange) {
    // 「あと N件」 counts what is in force now, even when nothing else here changes.
    this.requestUpdate();
    const shown = this._alert && !this._alertEnd ? this._alert.id : null;
    // A less urgent alert does not push a more urgent one off the screen: it waits its turn (あと N件)
    // and is announced when it comes on. An Update of the one shown always takes its place.
    if (arrived && shown !== null && !change.replaced?.includes(shown) && this._review === null
      && mostUrgentLast([arrived, this._alert!]).at(-1) !== arrived) return;
    if (arrived) {
      this._review = null;
      // An Update of an alert this TV has shown says so, even when the resident had already answered
      // it and the overlay was closed: it is the same order, changed, not a new one.
      this._alertUpdated = !!change.replaced?.some((id) => id === shown || this._displayedAlerts.has(id));
      this._alertEnd = null;
      this._alert = arrived;
      const speech = spokenAlert(arrived);
      announce(this._alertUpdated ? `${t('alerts.updated')}。${speech}` : speech);
      return;
    }
    if (change.revoked) this._alertEnd = null;
    else if (shown !== null && change.withdrawn?.includes(shown)) {
      const expired = change.expired || Date.parse(this._alert!.expiresAt) <= this.alerts.now();
      this._alertEnd = expired ? 'expired' : 'cancelled';
      speakJapanese(t(expired ? 'alerts.expired' : 'alerts.cancelled'));
      return;
    }
    if (this._alertEnd) return; // the ended one stays until 「わかりました」
    if (this._review) return this._showReview();
    const current = this._alert ? this.alerts.alerts.find((a) => a.id === this._alert!.id && !a.acknowledged) : undefined;
    // An extension (an Update that only moves the expiry) takes the shown one's place without a notice.
    if (!current) this._alertUpdated = false;
    this._alert = current ?? this._unacknowledged().at(-1) ?? null;
  }

  /** How many more alerts wait behind the one shown: the rest of 避難情報, or the others not yet acknowledged. */
  private _alertsWaiting(): number {
    if (!this._alert) return 0;
    if (this._review) return this._review.filter((id) => id !== this._alert!.id).length;
    return this._unacknowledged().filter((a) => a.id !== this._alert!.id).length;
  }

  private _openReview() {
    const now = this.alerts.now();
    this._review = mostUrgentLast(this.alerts.alerts.filter((a) => Date.parse(a.expiresAt) > now)).reverse().map((a) => a.id);
    this._showReview();
  }

  private _showReview() {
    this._alertUpdated = false;
    const inForce = new Map(this.alerts.alerts.map((a) => [a.id, a]));
    this._review = this._review!.filter((id) => inForce.has(id));
    this._alert = this._review.length ? inForce.get(this._review[0]!)! : null;
  }

  private _onAlertAnswer(e: CustomEvent<{ alertId: string; answer?: AlertAnswer }>) {
    const { alertId, answer } = e.detail;
    const alert = this.alerts.alerts.find((a) => a.id === alertId);
    // Seen again under 避難情報: OK alone changes nothing; an answer is recorded.
    if (alert && (!alert.acknowledged || answer)) this.alerts.acknowledge(alertId, answer);
    if (alert && answer) this.alertLink.answered(alertId, answer);
    if (this._review) {
      this._review = this._review.filter((id) => id !== alertId);
      if (!this._review.length) return this._closeReview();
      return this._showReview();
    }
    this._showNext(alertId);
  }

  /** 「わかりました」 on a withdrawn or expired alert: it goes, and the next (if any) shows. */
  private _onAlertDismiss(e: CustomEvent<{ alertId: string }>) {
    this._alertEnd = null;
    if (this._review) {
      this._review = this._review.filter((id) => id !== e.detail.alertId);
      return this._review.length ? this._showReview() : this._closeReview();
    }
    this._showNext(e.detail.alertId);
  }

  /**
   * The next alert waiting comes on screen. After the resident answered or closed `closedId`, one
   * coming on by itself is announced as it was on arriving (the one that came after it may have cut
   * its reading short), so a resident who cannot read the screen hears every order.
   */
  private _showNext(closedId?: string) {
    this._alertUpdated = false;
    this._alert = this._unacknowledged().at(-1) ?? null;
    if (closedId !== undefined && this._alert && this._alert.id !== closedId) announce(spokenAlert(this._alert));
  }

  private _closeReview = () => {
    this._review = null;
    this._showNext();
  };

  private _renderAlert() {
    if (!this._alert && this._review === null) return nothing;
    return html`<stb-tv-alert-overlay .alert=${this._alert} .ended=${this._alertEnd} .renewed=${this._alertUpdated}
      .more=${this._alertsWaiting()} .arrival=${this._review === null ? this._alertArrival : 0}
      .answerNotice=${this.alertLink.notice} .offline=${this.alertLink.offline}
      @alert-answer=${this._onAlertAnswer} @alert-dismiss=${this._onAlertDismiss} @alert-close=${this._closeReview}></stb-tv-alert-overlay>`;
  }

  /** Under the overlay's place once it closed: whether the answer reached the municipality (the overlay shows it while up). */
  private _renderAnswerNotice() {
    const notice = this.alertLink.notice;
    if (!notice || this._alert || this._review !== null) return nothing;
    return html`<p class="answer-notice" role="status" data-answer-notice=${notice.state}>${answerNoticeText(notice)}</p>`;
  }

  private _renderScreen() {
    switch (this._screen) {
      case 'start':
        return html`<stb-tv-start-screen .reader=${this.reader} @start-choice=${this._onStartChoice}></stb-tv-start-screen>`;
      case 'flow':
        return html`<stb-tv-flow-screen .flow=${this.flow} .state=${this._flowState} .reader=${this.reader}
          .operator=${this._operator}></stb-tv-flow-screen>`;
      case 'home':
        return html`<stb-tv-home-screen .session=${this._session} .returnTo=${this._homeReturnTo} .platform=${this.platform} @home-logout=${() => void this._logout()}
          @home-open=${this._onHomeOpen}
          @home-switch=${(e: CustomEvent<HouseholdMember>) => void this._switchTo(e.detail)}></stb-tv-home-screen>`;
      case 'settings':
        return html`<stb-tv-settings-screen .settings=${this._settings} @screen-back=${this._back}
          @settings-change=${this._onSettingsChange}
          @open-key-test=${() => { this._screen = 'keytest'; }}></stb-tv-settings-screen>`;
      case 'keytest':
        return html`<stb-tv-key-test-screen @screen-back=${this._back}></stb-tv-key-test-screen>`;
      case 'services':
        return html`<stb-tv-services-screen .platform=${this.platform} @screen-back=${this._back}></stb-tv-services-screen>`;
      case 'booking':
        return html`<stb-tv-booking-screen .store=${this.booking} .textSize=${this._settings.textSize} .operator=${this._operator} @screen-back=${this._back}
          @booking-login=${(e: CustomEvent<HouseholdMember>) => this._loginToBook(e.detail)}></stb-tv-booking-screen>`;
      case 'help':
        return html`<stb-tv-help-screen .platform=${this.platform} @screen-back=${this._back}></stb-tv-help-screen>`;
      case 'pension':
        return html`<stb-tv-pension-screen .platform=${this.platform} .reader=${this.reader} .resume=${this._pensionResume} .operator=${this._operator}
          @screen-back=${this._back} @pension-consent=${this._onPensionConsent}></stb-tv-pension-screen>`;
    }
  }

  private _renderDialog() {
    if (this._dialog === 'exit') {
      return html`<stb-tv-dialog focus-key="exit" default-key="exit/no" heading=${t('exit.title')}
        @dialog-cancel=${this._closeDialog}>
        <stb-tv-button focus-key="exit/yes" .number=${1} label=${t('exit.yes')} @tv-activate=${this._leave}></stb-tv-button>
        <stb-tv-button focus-key="exit/no" .number=${2} label=${t('exit.no')} @tv-activate=${this._closeDialog}></stb-tv-button>
      </stb-tv-dialog>`;
    }
    if (this._dialog === 'unregister') {
      return html`<stb-tv-dialog focus-key="unregister" default-key="unregister/no" heading=${t('unregister.title')}
        message="${t('unregister.message')} ${t('unregister.card')}" @dialog-cancel=${this._closeDialog}>
        <stb-tv-button focus-key="unregister/yes" .number=${1} label=${t('unregister.yes')} @tv-activate=${this._confirmUnregister}></stb-tv-button>
        <stb-tv-button focus-key="unregister/no" .number=${2} label=${t('unregister.no')} @tv-activate=${this._closeDialog}></stb-tv-button>
      </stb-tv-dialog>`;
    }
    if (this._idleLeft !== null) {
      // Any key dismisses it (the key listener above); このまま使う is there for OK and for the eye.
      return html`<stb-tv-dialog focus-key="idle" default-key="idle/stay" heading=${t('idle.title')} data-idle-left=${this._idleLeft}
        message="${t('idle.before')} ${this._idleLeft} ${t('idle.after')}" @dialog-cancel=${() => this.idle.touch()}>
        <stb-tv-button focus-key="idle/stay" .number=${1} label=${t('idle.stay')} @tv-activate=${() => this.idle.touch()}></stb-tv-button>
      </stb-tv-dialog>`;
    }
    return nothing;
  }

  override render() {
    const classes = `canvas ${this._settings.textSize}${this._settings.highContrast ? ' hc' : ''}`;
    return html`<div class=${classes} data-screen-name=${this._screen}>
      ${this._screen === 'start' ? html`<h1>${t('app.title')}</h1>` : nothing}
      ${this._renderScreen()}
      <footer>${this._renderAnswerNotice()}<stb-health-badge quiet .downText=${t('footer.serverDown')}
        .troubleText=${t('footer.serverTrouble')}></stb-health-badge></footer>
      ${this._renderDialog()}
      ${this._renderAlert()}
    </div>`;
  }
}
/**
 * Earlier builds took the device credential from `#device=<id>:<secret>` and kept it in
 * localStorage, where any page of this origin could read it. The reader driver holds it now: drop
 * it from the address (and this history entry) and from storage, unread.
 */
function forgetOldCredentialPlaces() {
  if (/(^#|&)device=/.test(location.hash)) {
    try {
      history.replaceState(history.state, '', location.pathname + location.search);
    } catch {
      // some TV browsers refuse replaceState; the fragment then stays until the next navigation
    }
  }
  try {
    browserStorage()?.removeItem('stb-tv-device');
  } catch {
    // storage disabled: nothing was kept there
  }
}

/** The element marked `focused`, searching through shadow roots. */
function findFocused(root: ParentNode): Element | null {
  return findDeep(root, '[focused]');
}

/** The first element matching `selector` under `root`, shadow roots included (document order). */
function findDeep(root: ParentNode, selector: string): Element | null {
  const here = root.querySelector(selector);
  if (here) return here;
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) {
      const found = findDeep(el.shadowRoot, selector);
      if (found) return found;
    }
  }
  return null;
}

customElements.define('stb-tv-app', StbTvApp);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-app': StbTvApp }
}
