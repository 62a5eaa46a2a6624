import { LitElement, css, html } from 'lit';
import type { EventSubject, ShelterState, Whitelist } from '../../../platform/src/shelter/shelter-schemas.js';
import { nameSubject, shelterCheckinMessage } from '../../../platform/src/shared/shelter-subject.js';
import { ReaderClient } from '../api/reader-client.js';
import { loadUiConfig } from '../config.js';
import { cardLogin, newClientId } from '../operator/card-login.js';
import { ConsoleClient } from '../operator/console-client.js';
import '../components/health-badge.js';
import { tokens } from '../styles/tokens.js';
import { cardKey, digestInfoOf, lookUp } from './identify.js';
import { OutboxDrainer } from './outbox.js';
import { attentionList, localPeople, mergePlatformView, newEventId, openTabletStore, pendingCount, recordLocally, type LocalPerson, type TabletStore } from './store.js';

/** The staff token survives a reload in this tab only (offline, staff cannot sign in again until the network returns). */
const TOKEN_KEY = 'shelter-staff-token';
/** How often a signed-in tablet asks the platform for its shelter's people (and reports its outbox) besides after each upload. */
const REFRESH_MS = 10_000;

type Member = Whitelist['people'][number];

/**
 * The shelter check-in tablet (landscape). Staff sign in with their own card (the console's login);
 * then each tap reads the auth certificate only (no PIN), finds the person in the cached whitelist
 * and records a check-in locally at once; the outbox uploads it when it can.
 */
export class StbShelterApp extends LitElement {
  static override styles = [tokens, css`
    :host { display: grid; grid-template-columns: 2fr 1fr; gap: 16px; min-height: 100vh; padding: 16px; box-sizing: border-box; font-size: 20px; }
    header { grid-column: 1 / -1; display: flex; gap: 24px; align-items: center; flex-wrap: wrap; }
    .occupancy { font-size: 32px; font-weight: bold; }
    .pending { font-size: 32px; padding: 4px 16px; border-radius: 8px; background: #fde68a; }
    .pending[data-zero] { background: #bbf7d0; }
    .tapped { font-size: 48px; font-weight: bold; }
    button, input, select { font-size: 22px; padding: 12px 20px; margin: 4px; }
    .attention { background: #fee2e2; padding: 8px; }
    li { list-style: none; padding: 4px 0; }
    form { display: flex; flex-wrap: wrap; align-items: center; }
  `];

  static override properties = {
    signedIn: { state: true }, pin: { state: true }, message: { state: true }, whitelist: { state: true }, people: { state: true },
    pending: { state: true }, attention: { state: true }, tapped: { state: true }, search: { state: true }, moving: { state: true },
    dayNight: { state: true }, asking: { state: true }, cardPin: { state: true }, synced: { state: true },
  };
  /** When the list last took in the platform's view of the shelter (every tablet's events), ISO; '' not yet since the page opened. */
  declare synced: string;
  declare signedIn: boolean;
  declare pin: string;
  declare message: string;
  declare whitelist: Whitelist | null;
  declare people: LocalPerson[];
  declare pending: number;
  declare attention: Awaited<ReturnType<typeof attentionList>>;
  /** The last tapped card's person, and the id of the event that recorded them (a new tap, a new id). */
  declare tapped: { name: string; alreadyHere: boolean; household: Member[]; eventId: string } | null;
  declare search: string;
  /** The person whose "move to another shelter" picker is open. */
  declare moving: string | null;
  /** 昼間・夜間 as the platform last said (every tablet's events), shown while known. */
  declare dayNight: Pick<ShelterState, 'day' | 'night'> | null;
  /** At a shelter that requires the PIN: the tapped card waiting for its holder's PIN. */
  declare asking: { reader: string; der: string; found: NonNullable<ReturnType<typeof lookUp>> } | null;
  declare cardPin: string;

  private readonly reader = new ReaderClient({ url: loadUiConfig(location.search).readerUrl, clientName: 'shelter-tablet' });
  private readonly platform = new ConsoleClient();
  private store: TabletStore | null = null;
  private drainer: OutboxDrainer | null = null;
  private device: { id: string; secret: string } | null = null;
  private readonly onKey = (e: KeyboardEvent) => this.memberKey(e);
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private viewing: Promise<void> | null = null;

  constructor() {
    super();
    this.signedIn = false;
    this.pin = '';
    this.message = '';
    this.whitelist = null;
    this.people = [];
    this.pending = 0;
    this.attention = [];
    this.tapped = null;
    this.search = '';
    this.moving = null;
    this.dayNight = null;
    this.asking = null;
    this.cardPin = '';
    this.synced = '';
  }

  override async connectedCallback() {
    super.connectedCallback();
    addEventListener('keydown', this.onKey);
    // The page itself must load with the network down: a service worker keeps its files.
    void navigator.serviceWorker?.register('/shelter-sw.js').catch(() => {});
    this.reader.start();
    this.store = await openTabletStore();
    this.whitelist = (await this.store.get('whitelist', 'current')) ?? null;
    this.platform.token = sessionStorage.getItem(TOKEN_KEY);
    this.signedIn = !!this.platform.token;
    this.drainer = new OutboxDrainer(this.store, {
      // The reading sent with a batch: what the tablet still holds besides it.
      send: async (events) => this.send('POST', '/api/v1/shelter/events', { events }, (await pendingCount(this.store!)) - events.length),
    }, () => void this.refresh(), () => void this.refreshView());
    this.drainer.start();
    this.heartbeat = setInterval(() => void this.refreshView(), REFRESH_MS);
    this.reader.onEvent((e) => { if (e.event === 'card.inserted' && this.signedIn) void this.tap(e.data.name); });
    await this.refresh();
    if (this.signedIn) void this.refreshWhitelist();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    removeEventListener('keydown', this.onKey);
    if (this.heartbeat) clearInterval(this.heartbeat);
  }

  private async credential() {
    this.device ??= await this.reader.request('device.credential', {});
    return this.device;
  }

  /** A request as this tablet, with its outbox reading (`waiting`: events it holds besides those in the request; the console's sync health). */
  private async send(method: string, path: string, body?: unknown, waiting?: number): Promise<{ status: number; body: unknown }> {
    const device = await this.credential();
    const count = waiting ?? (this.store ? await pendingCount(this.store) : undefined);
    const res = await fetch(path, {
      method,
      headers: {
        'x-device': `${device.id}:${device.secret}`, authorization: `Bearer ${this.platform.token ?? ''}`, ...(body ? { 'content-type': 'application/json' } : {}),
        ...(count === undefined ? {} : { 'x-outbox-waiting': String(Math.max(0, count)) }),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  }

  private async refresh() {
    if (!this.store) return;
    [this.people, this.pending, this.attention] = await Promise.all([localPeople(this.store), pendingCount(this.store), attentionList(this.store)]);
  }

  private async signIn() {
    const readerName = this.reader.readers.find((r) => r.cardPresent)?.name ?? this.reader.readers[0]?.name;
    if (!readerName) return void (this.message = 'カードリーダーが見つかりません');
    try {
      const session = await cardLogin(this.reader, readerName, this.platform, newClientId(), this.pin);
      sessionStorage.setItem(TOKEN_KEY, session.token);
      this.platform.token = session.token;
      this.signedIn = true;
      this.pin = '';
      this.message = '';
      await this.refreshWhitelist();
      void this.drainer?.kick();
    } catch (err) {
      this.message = (err as { error?: { ja?: string } }).error?.ja ?? 'サインインできませんでした';
    }
  }

  private async refreshWhitelist() {
    const answer = await this.send('GET', '/api/v1/shelter/whitelist').catch(() => null);
    if (answer?.status === 200 && this.store) {
      this.whitelist = answer.body as Whitelist;
      await this.store.put('whitelist', this.whitelist, 'current');
    }
    await this.refreshView();
  }

  /** The platform's view of the shelter (one at a time); also the tablet's heartbeat, which reports its outbox. */
  private refreshView(): Promise<void> {
    if (!this.signedIn) return Promise.resolve();
    this.viewing ??= this.takeView().finally(() => { this.viewing = null; });
    return this.viewing;
  }

  private async takeView() {
    const acknowledged = this.drainer?.acknowledged ?? 0;
    const answer = await this.send('GET', '/api/v1/shelter/state').catch(() => null);
    if (answer?.status !== 200 || !this.store) return;
    const view = answer.body as ShelterState;
    this.dayNight = { day: view.day, night: view.night };
    // Events sent while the view was asked for may be missing from it: the drain that sent them asks again when it ends.
    if ((this.drainer?.acknowledged ?? 0) !== acknowledged) return;
    const households = new Map((this.whitelist?.people ?? []).map((p) => [p.personId, p.householdId]));
    await mergePlatformView(this.store, view.people, (id) => households.get(id) ?? null);
    this.synced = new Date().toISOString();
    await this.refresh();
  }

  private async tap(readerName: string) {
    if (!this.whitelist || !this.store) return void (this.message = '名簿がまだありません。ネットワークにつないでください');
    const { der } = await this.reader.request('cert.read', { reader: readerName, which: 'auth' });
    const found = lookUp(this.whitelist, await cardKey(this.whitelist.salt, der));
    if (!found) return void (this.message = '名簿にない方です。お名前と生年月日で受付してください');
    if (this.whitelist.shelter.requirePin) {
      this.asking = { reader: readerName, der, found };
      this.cardPin = '';
      return;
    }
    await this.checkInCard(der, found);
  }

  private async checkInCard(der: string, found: NonNullable<ReturnType<typeof lookUp>>, signed?: { eventId: string; signature: string }) {
    if (!this.store) return;
    const subject: EventSubject = signed ? { method: 'card', certificate: der, signature: signed.signature } : { method: 'card', certificate: der };
    const { alreadyHere, event } = await recordLocally(this.store, 'checkin', subject,
      { subject: found.person.personId, personId: found.person.personId, name: found.person.name, householdId: found.person.householdId }, signed ? { eventId: signed.eventId } : {});
    this.tapped = { name: found.person.name, alreadyHere, household: found.household, eventId: event.eventId };
    this.message = '';
    await this.refresh();
    void this.drainer?.kick();
  }

  /** The PIN shelter: the card signs this event at this shelter (offline too); the PIN goes to the reader driver only. */
  private async confirmPin(e: SubmitEvent) {
    e.preventDefault();
    const asking = this.asking;
    if (!asking || !this.whitelist) return;
    const eventId = newEventId();
    try {
      const digestInfo = await digestInfoOf(shelterCheckinMessage(eventId, this.whitelist.shelter.id));
      const { signature } = await this.reader.request('sign', { reader: asking.reader, key: 'auth', pin: this.cardPin, digestInfo });
      this.asking = null;
      this.cardPin = '';
      await this.checkInCard(asking.der, asking.found, { eventId, signature });
    } catch (err) {
      this.cardPin = '';
      this.message = (err as { error?: { ja?: string } }).error?.ja ?? '暗証番号を確かめられませんでした';
    }
  }

  /** Keys 1–9 check in the tapped person's household members, one key each. */
  private memberKey(e: KeyboardEvent) {
    // The key's real target (inside the shadow root): typing a 1 into a field is not a member key.
    const target = e.composedPath()[0] as HTMLElement | undefined;
    if (!this.tapped || !/^[1-9]$/.test(e.key) || target?.tagName === 'INPUT' || target?.tagName === 'SELECT') return;
    const member = this.tapped.household[Number(e.key) - 1];
    if (member) void this.checkInMember(member);
  }

  private async checkInMember(m: Member) {
    await this.record('checkin', { method: 'household', personId: m.personId }, { subject: m.personId, personId: m.personId, name: m.name, householdId: m.householdId });
  }

  private async record(kind: 'checkin' | 'checkout' | 'outside' | 'move', subject: EventSubject, person: Pick<LocalPerson, 'subject' | 'personId' | 'name' | 'householdId'>, toShelterId?: string) {
    if (!this.store) return;
    const { alreadyHere } = await recordLocally(this.store, kind, subject, person, toShelterId ? { toShelterId } : {});
    this.message = alreadyHere ? `${person.name} さんはすでに受付済みです` : '';
    this.moving = null;
    await this.refresh();
    void this.drainer?.kick();
  }

  /** No card: staff type the name and birth date; recorded as such (method `name`). */
  private async checkInByName(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const birthDate = String(data.get('birthDate') ?? '');
    if (!name || !/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) return void (this.message = 'お名前と生年月日を入れてください');
    // Cleared before the write, not after: staff type the next person while this one is being
    // recorded, and a reset after the await would wipe what they had typed.
    form.reset();
    await this.record('checkin', { method: 'name', name, birthDate }, { subject: nameSubject(name, birthDate), personId: null, name, householdId: null });
  }

  private subjectOf(p: LocalPerson): EventSubject {
    if (p.personId) return { method: 'person', personId: p.personId };
    const [name, birthDate] = p.subject.slice('name:'.length).split('|');
    return { method: 'name', name: name!, birthDate: birthDate! };
  }

  override render() {
    const inside = this.people.filter((p) => p.status === 'inside').length;
    const outside = this.people.filter((p) => p.status === 'outside').length;
    const capacity = this.whitelist?.shelter.capacity ?? 0;
    return html`
      <header>
        <h1>${this.whitelist?.shelter.name ?? '避難所 受付'}</h1>
        <span class="occupancy" data-occupancy data-inside=${inside} data-outside=${outside} data-synced=${this.synced}>${inside} / ${capacity} 人（車中泊など ${outside} 人）</span>
        ${this.dayNight ? html`<span data-day-night data-day=${this.dayNight.day.inside} data-night=${this.dayNight.night.inside}>昼（12時）${this.dayNight.day.inside}人・夜（0時）${this.dayNight.night.inside}人</span>` : ''}
        <span class="pending" data-pending=${this.pending} ?data-zero=${this.pending === 0}>未送信 ${this.pending}件</span>
        ${this.drainer?.lastError ? html`<span data-sync-error>${this.drainer.lastError}</span>` : ''}
        <stb-health-badge></stb-health-badge>
      </header>
      <main>
        ${this.signedIn ? this.renderDesk() : html`
          <h2>職員のカードをおいて、暗証番号（4けた）を入れてください</h2>
          <input type="password" inputmode="numeric" maxlength="4" .value=${this.pin} @input=${(e: InputEvent) => (this.pin = (e.target as HTMLInputElement).value)} data-pin>
          <button @click=${() => this.signIn()} data-sign-in>受付を開始</button>`}
        <p role="status" data-message>${this.message}</p>
        ${this.attention.length ? html`<section class="attention" data-attention=${this.attention.length}><h3>確認が必要（${this.attention.length}件）</h3>
          <ul>${this.attention.map((a) => html`<li data-code=${a.error.code}>${a.error.ja}</li>`)}</ul></section>` : ''}
      </main>
      <aside>${this.renderList()}</aside>`;
  }

  private renderDesk() {
    const t = this.tapped;
    if (this.asking) {
      return html`<form @submit=${(e: SubmitEvent) => this.confirmPin(e)} data-card-pin>
        <div class="tapped">${this.asking.found.person.name} さん</div>
        <p>この避難所では、カードの暗証番号（4けた）で受付します。ご本人が入れてください。</p>
        <input type="password" inputmode="numeric" maxlength="4" autocomplete="off" .value=${this.cardPin} @input=${(e: InputEvent) => (this.cardPin = (e.target as HTMLInputElement).value)} aria-label="暗証番号">
        <button type="submit">受付</button>
        <button type="button" @click=${() => (this.asking = null)}>やめる</button>
      </form>`;
    }
    return html`
      <p>カードをリーダーにかざしてください${this.whitelist?.shelter.requirePin ? '（暗証番号が必要です）' : ''}</p>
      ${t ? html`<div class="tapped" data-tapped data-event=${t.eventId}>${t.name} さん ${t.alreadyHere ? '（すでに受付済みです）' : '受付しました'}</div>
        ${t.household.map((m, i) => html`<button data-member=${i + 1} @click=${() => this.checkInMember(m)}>${i + 1}: ${m.name} さんも受付</button>`)}` : ''}
      <form @submit=${(e: SubmitEvent) => this.checkInByName(e)} data-by-name>
        <span>カードのない方：</span>
        <input name="name" placeholder="お名前" autocomplete="off">
        <input name="birthDate" type="date" aria-label="生年月日">
        <button type="submit">名前で受付</button>
      </form>`;
  }

  private renderList() {
    const present = this.people.filter((p) => p.status === 'inside' || p.status === 'outside');
    const q = this.search.normalize('NFKC').replace(/\s+/g, '');
    const shown = q ? present.filter((p) => p.name.normalize('NFKC').replace(/\s+/g, '').includes(q)) : present;
    return html`
      <input type="search" placeholder="名前で探す" .value=${this.search} @input=${(e: InputEvent) => (this.search = (e.target as HTMLInputElement).value)} data-search>
      <ul data-people>${shown.map((p) => html`<li data-person=${p.subject}>${p.name}${p.status === 'outside' ? '（外）' : ''}
        <button @click=${() => this.record('outside', this.subjectOf(p), p)}>外へ</button>
        <button @click=${() => this.record('checkout', this.subjectOf(p), p)}>退所</button>
        <button @click=${() => (this.moving = p.subject)}>移動</button>
        ${this.moving === p.subject ? html`<select data-move @change=${(e: Event) => this.record('move', this.subjectOf(p), p, (e.target as HTMLSelectElement).value)}>
          <option value="">移動先を選ぶ</option>
          ${(this.whitelist?.shelters ?? []).map((s) => html`<option value=${s.id}>${s.name}</option>`)}
        </select>` : ''}</li>`)}</ul>`;
  }
}

customElements.define('stb-shelter-app', StbShelterApp);
declare global {
  interface HTMLElementTagNameMap { 'stb-shelter-app': StbShelterApp }
}
