import { LitElement, css, html, nothing } from 'lit';
import type { HouseholdMember, PlatformClient, SessionView } from '../../api/platform-client.js';
import { FocusController } from '../focus/focus-controller.js';
import { t, type StringKey } from '../strings.js';
import '../ui/tv-button.js';
import '../ui/tv-dialog.js';

/** What the home screen opens besides logging out. */
export type HomeDestination = 'register' | 'services' | 'help' | 'settings' | 'unregister' | 'booking' | 'inbox' | 'alerts';

/**
 * The home screen's actions, each with its own number key, the same whatever the household's size
 * (the members carry no numbers: they are picked with the arrows).
 */
export const HOME_ACTIONS: readonly { id: HomeDestination | 'logout'; number: number; label: StringKey }[] = [
  { id: 'register', number: 1, label: 'home.register' },
  { id: 'services', number: 2, label: 'home.services' },
  { id: 'help', number: 3, label: 'home.help' },
  { id: 'settings', number: 4, label: 'home.settings' },
  { id: 'unregister', number: 5, label: 'home.unregister' },
  { id: 'logout', number: 6, label: 'home.logout' },
  { id: 'inbox', number: 7, label: 'home.inbox' },
  { id: 'booking', number: 8, label: 'home.booking' },
  { id: 'alerts', number: 9, label: 'home.alerts' },
];

/**
 * The logged-in screen: a greeting with the person's name, the household's members as the
 * who-is-watching list (picking someone else asks, then hands over: logout, and their card and
 * PIN), and the actions: register another member, the services that know me, help, settings,
 * cancel my registration, logout.
 *
 * @fires home-switch - detail: the member to hand over to
 * @fires home-logout - ログアウト was picked
 * @fires home-open - detail: the HomeDestination picked
 */
export class StbTvHomeScreen extends LitElement {
  static override properties = {
    session: { attribute: false }, returnTo: { attribute: false }, platform: { attribute: false }, _asking: { state: true }, _askingLogout: { state: true }, _unread: { state: true },
  };
  declare session: SessionView | null;
  /** Asked for the お知らせ badge (unread inbox items) when the screen opens. */
  declare platform: Pick<PlatformClient, 'pensionBadge'> | null;
  declare _unread: number;
  /** The action whose screen (settings, help, services) the person came back from: focus returns to it. */
  declare returnTo: HomeDestination | null;
  declare _asking: HouseholdMember | null;
  /** 「ログアウトしますか？」 is open (one stray OK must not log anyone out). */
  declare _askingLogout: boolean;

  static override styles = css`
    :host { display: block; }
    h2 { margin: 0 0 8px; font-size: calc(60px * var(--stb-text-scale, 1)); font-weight: 700; }
    .household { margin: 0 0 16px; font-size: calc(38px * var(--stb-text-scale, 1)); }
    h3 { margin: 0 0 8px; font-size: calc(44px * var(--stb-text-scale, 1)); }
    .hint { margin: 0 0 12px; font-size: calc(36px * var(--stb-text-scale, 1)); line-height: 1.4; }
    .members { display: flex; flex-wrap: wrap; gap: 24px 40px; margin: 0 0 32px; }
    .members stb-tv-button { min-width: 520px; }
    /* Three rows of three: the nine numbered actions (7–9 are the services') fit at 特大 too. A column
       is never narrower than its longest label (「お知らせ 9件+」 at 特大 ran out of its button when
       the three were equal); the 40 px gap keeps a focused button's ring off its neighbours. */
    .actions { display: grid; grid-template-columns: repeat(3, minmax(max-content, 1fr)); gap: 20px 40px; }
    .actions stb-tv-button {
      --stb-button-height: calc(88px * var(--stb-text-scale, 1)); --stb-button-padding: 0.2em 0.4em; --stb-button-gap: 0.4em;
    }
    stb-tv-button { --stb-button-padding: 0.2em 0.6em; }
  `;

  // Back from one of its screens, focus returns to the action that opened it; any other visit (a
  // login, the end of a flow) starts on the person's own name, not where the last person left the
  // focus (ログアウト).
  private _focus = new FocusController(this, () => ({
    key: 'home', container: true, enterTo: 'default',
    defaultChild: this.returnTo ? `home/${this.returnTo}` : this.session ? `home/member/${this.session.person.id}` : 'home/logout',
  }));

  constructor() {
    super();
    this.session = null;
    this.returnTo = null;
    this.platform = null;
    this._unread = 0;
    this._asking = null;
    this._askingLogout = false;
  }

  override connectedCallback() {
    super.connectedCallback();
    // The badge is a hint: without an answer the action simply shows no count.
    this.platform?.pensionBadge().then(({ unread }) => { this._unread = unread; }, () => {});
  }

  private _label(a: (typeof HOME_ACTIONS)[number]): string {
    // A short count (「4件」, at most 「9件+」): the button keeps its column at 特大, where
    // 「お知らせ（12）」 ran out of its box and pushed the third column off the safe area.
    if (a.id !== 'inbox' || this._unread <= 0) return t(a.label);
    return `${t(a.label)} ${Math.min(this._unread, 9)}件${this._unread > 9 ? '+' : ''}`;
  }

  private _fire(id: HomeDestination | 'logout') {
    if (id === 'logout') this.dispatchEvent(new CustomEvent('home-logout', { bubbles: true, composed: true }));
    else this.dispatchEvent(new CustomEvent('home-open', { detail: id, bubbles: true, composed: true }));
  }

  /** ログアウト asks first (one stray OK must not log anyone out); the others open at once. */
  private _activate(id: HomeDestination | 'logout') {
    if (id === 'logout') this._askingLogout = true;
    else this._fire(id);
  }

  private _pick(member: HouseholdMember) {
    if (member.personId === this.session?.person.id) return;
    this._asking = member;
  }

  private _switch() {
    const member = this._asking;
    this._asking = null;
    if (member) this.dispatchEvent(new CustomEvent('home-switch', { detail: member, bubbles: true, composed: true }));
  }

  override render() {
    const s = this.session;
    if (!s) return nothing;
    const members = s.household.members.length ? s.household.members : [{ personId: s.person.id, name: s.person.name }];
    const nameOf = (name: string | null) => name ?? t('home.unnamed');
    return html`<h2 data-screen="home" data-person-name=${nameOf(s.person.name)}>${nameOf(s.person.name)} ${t('home.greeting')}</h2>
      <p class="household">${s.household.label}</p>
      <h3>${t('home.watching')}</h3>
      <p class="hint">${t('home.watching.hint')}</p>
      <div class="members">
        ${members.map((m) => html`<stb-tv-button focus-key="home/member/${m.personId}"
          label="${nameOf(m.name)} ${t('home.honorific')}" ?selected=${m.personId === s.person.id}
          @tv-activate=${() => this._pick(m)}></stb-tv-button>`)}
      </div>
      <div class="actions">
        ${HOME_ACTIONS.map((a) => html`<stb-tv-button focus-key="home/${a.id}" .number=${a.number} label=${this._label(a)}
          data-badge=${a.id === 'inbox' ? this._unread : nothing}
          @tv-activate=${() => this._activate(a.id)}></stb-tv-button>`)}
      </div>
      ${this._asking
        ? html`<stb-tv-dialog focus-key="switch" default-key="switch/no" heading="${this._asking.name} ${t('home.honorific')}${t('home.switch.title')}"
            message=${t('home.switch.message')} @dialog-cancel=${() => { this._asking = null; }}>
            <stb-tv-button focus-key="switch/yes" .number=${1} label=${t('home.switch.yes')} @tv-activate=${() => this._switch()}></stb-tv-button>
            <stb-tv-button focus-key="switch/no" .number=${2} label=${t('home.switch.no')} @tv-activate=${() => { this._asking = null; }}></stb-tv-button>
          </stb-tv-dialog>`
        : nothing}
      ${this._askingLogout
        ? html`<stb-tv-dialog focus-key="logout" default-key="logout/no" heading=${t('home.logout.title')}
            @dialog-cancel=${() => { this._askingLogout = false; }}>
            <stb-tv-button focus-key="logout/yes" .number=${1} label=${t('home.logout.yes')}
              @tv-activate=${() => { this._askingLogout = false; this._fire('logout'); }}></stb-tv-button>
            <stb-tv-button focus-key="logout/no" .number=${2} label=${t('home.switch.no')} @tv-activate=${() => { this._askingLogout = false; }}></stb-tv-button>
          </stb-tv-dialog>`
        : nothing}`;
  }
}
customElements.define('stb-tv-home-screen', StbTvHomeScreen);
declare global {
  interface HTMLElementTagNameMap { 'stb-tv-home-screen': StbTvHomeScreen }
  interface HTMLElementEventMap {
    'home-switch': CustomEvent<HouseholdMember>;
    'home-logout': CustomEvent<void>;
    'home-open': CustomEvent<HomeDestination>;
  }
}
