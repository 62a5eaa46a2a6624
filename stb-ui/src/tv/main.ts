import { LitElement, css, html, nothing } from 'lit';
import { PlatformClient, type HouseholdMember, type SessionView } from '../api/platform-client.js';
import { ReaderClient, readerUrlFrom, sessionResumeStore } from '../api/reader-client.js';
import '../components/health-badge.js';
import { CardCertCache } from './flow/card-cert-cache.js';
import { CardFlow, type FlowState } from './flow/card-flow.js';
import { tokens } from '../styles/tokens.js';
import { focusService } from './focus/focus-service.js';
import { keyInput } from './input/key-input.js';
import { exitApp, requestRemoteKeys } from './input/platform.js';
import './screens/flow-screen.js';
import './screens/home-screen.js';
import './screens/key-test-screen.js';
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
 * settings returns to whichever of them opened it; flow (login / registration) handles Back itself.
 */
export type TvScreen = 'start' | 'settings' | 'keytest' | 'flow' | 'home';

type TvDialog = 'exit' | null;

/**
 * The TV page: a 1920×1080 canvas scaled to the viewport, everything inside the safe area
 * (96 px left/right, 54 px top/bottom). It owns the screen stack and the dialogs; the focus service
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
  };
  declare _screen: TvScreen;
  declare _dialog: TvDialog;
  declare _settings: TvSettings;
  declare _flowState: FlowState | null;
  /** The logged-in person (memory only; a reload logs out). */
  declare _session: SessionView | null;
  /** Whom to call for help (kept from the last time the platform said). */
  declare _operator: OperatorContact | null;

  /** The reader driver link (`?reader=ws://…` overrides the address). */
  readonly reader: ReaderClient;
  /** The platform API, with this TV's device credential (from the reader driver, kept in memory only). */
  readonly platform: PlatformClient;
  /** The login and registration flows. */
  readonly flow: CardFlow;

  static override styles = [
    tokens,
    css`
      :host { position: fixed; inset: 0; overflow: hidden; }
      .canvas {
        --stb-text-scale: 1;
        --stb-surface: #1f2a38; --stb-border: #71849b;
        --stb-focus: #ffd54a; --stb-focus-bg: #34506e; --stb-focus-fg: #ffffff;
        position: absolute; left: 0; top: 0; width: 1920px; height: 1080px;
        transform-origin: 0 0; box-sizing: border-box; padding: 54px 96px;
        background: var(--stb-bg); color: var(--stb-fg);
      }
      .canvas.xlarge { --stb-text-scale: 1.25; }
      .canvas.hc {
        --stb-bg: #000000; --stb-fg: #ffffff; --stb-surface: #000000; --stb-border: #ffffff;
        --stb-focus: #ffff00; --stb-focus-bg: #ffff00; --stb-focus-fg: #000000;
      }
      h1 { font-size: calc(64px * var(--stb-text-scale)); font-weight: 700; margin: 0 0 40px; }
      footer { position: absolute; bottom: 54px; left: 96px; font-size: 36px; }
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
    this.reader = new ReaderClient({ url: readerUrlFrom(location.search), resumeStore: sessionResumeStore() });
    forgetOldCredentialPlaces();
    this.platform = new PlatformClient({ device: () => this.reader.deviceCredential() });
    const certs = new CardCertCache(this.reader, () => this.flow.active);
    this.flow = new CardFlow({
      reader: this.reader,
      platform: this.platform,
      certs,
      onLoggedIn: (session) => {
        this._session = session;
        this._screen = 'home';
      },
      onExit: () => {
        this._screen = this._session ? 'home' : 'start';
      },
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
    focusService.onRootBack = () => this._askToLeave();
    requestRemoteKeys(keyInput.env.platform);
    this.reader.start();
    this.platform.household().then(
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
    focusService.onRootBack = null;
    this.reader.stop();
  }

  override firstUpdated() {
    this._fit();
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

  /** Back from settings (to start or home) and from the key test (to settings). */
  private _back() {
    if (this._screen === 'keytest') this._screen = 'settings';
    else if (this._screen === 'settings') this._screen = this._session ? 'home' : 'start';
  }

  private _onStartChoice(e: CustomEvent<StartChoice>) {
    if (e.detail === 'settings') this._screen = 'settings';
    else if (e.detail === 'login') this._startFlow(() => this.flow.startLogin());
    else this._startFlow(() => this.flow.startRegistration());
  }

  private _startFlow(start: () => void) {
    start();
    this._flowState = this.flow.state;
    this._screen = 'flow';
  }

  private async _logout() {
    this._session = null;
    this._screen = 'start';
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

  private _renderScreen() {
    switch (this._screen) {
      case 'start':
        return html`<stb-tv-start-screen .reader=${this.reader} @start-choice=${this._onStartChoice}></stb-tv-start-screen>`;
      case 'flow':
        return html`<stb-tv-flow-screen .flow=${this.flow} .state=${this._flowState} .reader=${this.reader}
          .operator=${this._operator}></stb-tv-flow-screen>`;
      case 'home':
        return html`<stb-tv-home-screen .session=${this._session} @home-logout=${() => void this._logout()}
          @home-settings=${() => { this._screen = 'settings'; }}
          @home-switch=${(e: CustomEvent<HouseholdMember>) => void this._switchTo(e.detail)}></stb-tv-home-screen>`;
      case 'settings':
        return html`<stb-tv-settings-screen .settings=${this._settings} @screen-back=${this._back}
          @settings-change=${this._onSettingsChange}
          @open-key-test=${() => { this._screen = 'keytest'; }}></stb-tv-settings-screen>`;
      case 'keytest':
        return html`<stb-tv-key-test-screen @screen-back=${this._back}></stb-tv-key-test-screen>`;
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
    return nothing;
  }

  override render() {
    const classes = `canvas ${this._settings.textSize}${this._settings.highContrast ? ' hc' : ''}`;
    return html`<div class=${classes} data-screen-name=${this._screen}>
      <h1>${t('app.title')}</h1>
      ${this._renderScreen()}
      <footer><stb-health-badge quiet></stb-health-badge></footer>
      ${this._renderDialog()}
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

customElements.define('stb-tv-app', StbTvApp);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-app': StbTvApp }
}
