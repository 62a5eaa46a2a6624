import type { HealthReport } from '../../../platform/src/routes/health-schemas.js';
import type {
  LinkedServices, LoginRequest, NonceRequest, NonceResponse, PresenceResult, RegistrationConfirmed, RegistrationDraft, RegistrationResult,
  RegistrationSubmission, ServiceLinked, SessionResponse, SessionView, TvHousehold,
} from '../../../platform/src/routes/identity-schemas.js';
import type { TvHelp, Unregistered } from '../../../platform/src/routes/identity-schemas.js';
import type {
  ConfirmationDraftView, ConfirmationReceiptView, DeclarationsBody, InboxItemView, InboxView, LinkPreviewView, PolicyLinkedView,
} from '../../../platform/src/pension/pension-schemas.js';
import type {
  AppliedView, BookingViewT, FacilityListView, HoldRequestBody, LotteryApplyRequestBody, MyBookingsView, SlotRequestBody, WaitingView, WeekGridView,
} from '../../../platform/src/booking/booking-schemas.js';
import type { WireError } from '../../../platform/src/shared/errors.js';
import type { DeviceCredential } from '../../../reader-driver/src/ws/protocol.js';

/**
 * Typed fetch for the platform's JSON API (platform/src/routes/API.md), one method per endpoint.
 * Same-origin. The device credential goes with every call (this client never stores it); the
 * person's session token lives only in this object's memory (never in storage), so a reload means
 * logging in again.
 */

/**
 * A TV or tablet's credential: `Authorization: Device <id>:<secret>`. Not personal, but secret: the
 * set-top box side (reader driver) holds it from provisioning; a page keeps it in memory only.
 */
export type { DeviceCredential };

/** Where a page gets its device credential when it first needs it (the TV: from the reader driver). */
export type DeviceCredentialSource = () => Promise<DeviceCredential>;

/** What the platform answers and what the TV sends: the platform's own types (never redeclared here). */
export type { HealthReport } from '../../../platform/src/routes/health-schemas.js';
export type {
  HouseholdMember, LinkedService, LinkedServices, LoginRequest, NonceResponse, PersonalData, PresenceResult, RegistrationConfirmed,
  RegistrationDraft, RegistrationResult, RegistrationSubmission, ServiceLinked, SessionResponse, SessionView, TvHousehold,
} from '../../../platform/src/routes/identity-schemas.js';
export type { TvHelp, Unregistered } from '../../../platform/src/routes/identity-schemas.js';
export type {
  ConfirmationDraftView, ConfirmationReceiptView, DeclarationsBody, InboxItemView, InboxView, LinkPreviewView, PolicyLinkedView,
} from '../../../platform/src/pension/pension-schemas.js';
export type {
  BookingViewT as BookingView, FacilityListView, FacilitySummaryView, HoldRequestBody, MyBookingsView, SlotRequestBody, WeekGridView,
} from '../../../platform/src/booking/booking-schemas.js';

/** A platform call that failed, carrying the catalogue error from the body. */
export class PlatformError extends Error {
  /** True when no answer came at all (network down, server gone); `error.ja` is then empty. */
  readonly network: boolean;
  /** The HTTP status of the platform's answer; null when none came or the TV refused first. */
  readonly status: number | null;

  constructor(readonly error: WireError, options: { network?: boolean; status?: number } = {}) {
    super(error.message);
    this.name = 'PlatformError';
    this.network = options.network ?? false;
    this.status = options.status ?? null;
  }

  get code(): WireError['code'] {
    return this.error.code;
  }
}

type Auth = 'none' | 'device' | 'session';

export interface PlatformClientOptions {
  /** The credential itself, or where to get it on the first call that needs it. */
  device?: DeviceCredential | DeviceCredentialSource | null;
  /** Base URL; empty = same origin. */
  base?: string;
  fetch?: typeof fetch;
  /** How long a request may wait for its answer before it fails with CLIENT_TIMEOUT (default 10 s). */
  timeoutMs?: number;
}

/** A request gets this long to be answered: a hung platform must never mean a wait without end. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** One client per page: the device credential, and the person's session token while logged in. */
export class PlatformClient {
  device: DeviceCredential | null;
  private readonly _deviceSource: DeviceCredentialSource | null;
  private _deviceAsked: Promise<DeviceCredential> | null = null;
  private _token: string | null = null;
  private readonly _base: string;
  private readonly _fetch: typeof fetch;
  private readonly _timeoutMs: number;

  constructor(options: PlatformClientOptions = {}) {
    this.device = typeof options.device === 'function' ? null : (options.device ?? null);
    this._deviceSource = typeof options.device === 'function' ? options.device : null;
    this._base = options.base ?? '';
    this._timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this._fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** The logged-in person's token (memory only), for the alert channel's acknowledgements; null when nobody is. */
  get sessionToken(): string | null {
    return this._token;
  }

  /** Whether a person is logged in on this page. */
  get hasSession(): boolean {
    return this._token !== null;
  }

  health(): Promise<HealthReport> {
    return this._call<HealthReport>('GET', '/healthz', 'none', undefined, [200, 503]);
  }

  /** Login step 1: a nonce and the DigestInfo the card signs with the auth key. */
  createNonce(purpose: NonceRequest['purpose'] = 'login'): Promise<NonceResponse> {
    return this._call('POST', '/api/v1/nonces', 'device', { purpose }, [201]);
  }

  /** Login step 3: the signed nonce becomes a session (its token is kept here, in memory). */
  async createSession(input: LoginRequest): Promise<SessionResponse> {
    const session = await this._call<SessionResponse>('POST', '/api/v1/sessions', 'device', input, [201]);
    this._token = session.token;
    return session;
  }

  currentSession(): Promise<SessionView> {
    return this._call('GET', '/api/v1/sessions/current', 'session', undefined, [200]);
  }

  /** Ends the session; the token is forgotten even if the platform cannot be reached. */
  async logout(): Promise<void> {
    if (this._token === null) return;
    try {
      await this._call('DELETE', '/api/v1/sessions/current', 'session', undefined, [204]);
    } finally {
      this._token = null;
    }
  }

  /** Forgets the session without telling the platform (it expired there). */
  forgetSession(): void {
    this._token = null;
  }

  /** Who-is-watching members, registration districts and the consent text. */
  household(): Promise<TvHousehold> {
    return this._call('GET', '/api/v1/tv/household', 'device', undefined, [200]);
  }

  createRegistrationDraft(district: string): Promise<RegistrationDraft> {
    return this._call('POST', '/api/v1/registrations/drafts', 'device', { district }, [201]);
  }

  submitRegistration(input: RegistrationSubmission): Promise<RegistrationResult> {
    return this._call('POST', '/api/v1/registrations', 'device', input, [201]);
  }

  confirmRegistration(registrationId: string): Promise<RegistrationConfirmed> {
    return this._call('POST', `/api/v1/registrations/${encodeURIComponent(registrationId)}/confirm`, 'device', {}, [201]);
  }

  async cancelRegistration(registrationId: string): Promise<void> {
    await this._call('DELETE', `/api/v1/registrations/${encodeURIComponent(registrationId)}`, 'device', undefined, [204]);
  }

  presence(certificate: string): Promise<PresenceResult> {
    return this._call('POST', '/api/v1/presence', 'device', { certificate }, [200]);
  }

  myServices(): Promise<LinkedServices> {
    return this._call('GET', '/api/v1/me/services', 'session', undefined, [200]);
  }

  linkService(providerId: string): Promise<ServiceLinked> {
    return this._call('POST', `/api/v1/me/services/${encodeURIComponent(providerId)}`, 'session', {}, [201]);
  }

  async unlinkService(providerId: string): Promise<void> {
    await this._call('DELETE', `/api/v1/me/services/${encodeURIComponent(providerId)}`, 'session', undefined, [204]);
  }

  /** Who helps this household: its cable operator and its municipality, with phone numbers. */
  help(): Promise<TvHelp> {
    return this._call('GET', '/api/v1/tv/help', 'device', undefined, [200]);
  }

  // ── 施設予約 (platform/src/booking/routes.ts): browsing with the TV's credential, the rest as the person ──

  bookingFacilities(): Promise<FacilityListView> {
    return this._call('GET', '/api/v1/booking/facilities', 'device', undefined, [200]);
  }

  /**
   * Seven days of a facility's slots from `from` (default today, Japan time), marked for whoever is
   * logged in (their own horizon), else for the TV's household. A session that ran out meanwhile
   * browses on as the household.
   */
  async bookingWeek(facilityId: string, from?: string): Promise<WeekGridView> {
    const path = `/api/v1/booking/facilities/${encodeURIComponent(facilityId)}/week${from ? `?from=${encodeURIComponent(from)}` : ''}`;
    if (this.hasSession) {
      try {
        return await this._call<WeekGridView>('GET', path, 'session', undefined, [200]);
      } catch (err) {
        if ((err as PlatformError).code !== 'AUTH_SESSION_EXPIRED') throw err;
      }
    }
    return this._call('GET', path, 'device', undefined, [200]);
  }

  /** Holds a slot; the same idempotency key (a retry, a second OK) holds it once. */
  holdBookingSlot(body: HoldRequestBody): Promise<BookingViewT> {
    return this._call('POST', '/api/v1/booking/holds', 'session', body, [201]);
  }

  confirmBooking(bookingId: string): Promise<BookingViewT> {
    return this._call('POST', `/api/v1/booking/bookings/${encodeURIComponent(bookingId)}/confirm`, 'session', {}, [200]);
  }

  cancelBooking(bookingId: string): Promise<BookingViewT> {
    return this._call('POST', `/api/v1/booking/bookings/${encodeURIComponent(bookingId)}/cancel`, 'session', {}, [200]);
  }

  myBookings(): Promise<MyBookingsView> {
    return this._call('GET', '/api/v1/booking/mine', 'session', undefined, [200]);
  }

  joinWaitlist(slot: SlotRequestBody): Promise<WaitingView> {
    return this._call('POST', '/api/v1/booking/waitlist', 'session', slot, [201]);
  }

  applyToLottery(roundId: string, body: LotteryApplyRequestBody): Promise<AppliedView> {
    return this._call('POST', `/api/v1/booking/lottery/${encodeURIComponent(roundId)}/applications`, 'session', body, [201]);
  }

  /**
   * Cancels the logged-in person's registration with the card's signature over an `unregister`
   * nonce. Every session of theirs ends, this one included: the token is forgotten.
   */
  async unregister(input: { nonce: string; certificate: string; signature: string }): Promise<Unregistered> {
    const done = await this._call<Unregistered>('DELETE', '/api/v1/me/registration', 'session', input, [200]);
    this._token = null;
    return done;
  }

  /**
   * The device credential, asked of the source once (again only after a failure). A source that
   * fails with a catalogue error (the reader driver is down) fails the call with that error.
   */
  /** 電子私書箱: the person's inbox (pension requests, reminders, notices). */
  pensionInbox(): Promise<InboxView> {
    return this._call('GET', '/api/v1/pension/inbox', 'session', undefined, [200]);
  }

  /** The home screen's badge: unread inbox items. */
  pensionBadge(): Promise<{ unread: number }> {
    return this._call('GET', '/api/v1/pension/inbox/badge', 'session', undefined, [200]);
  }

  openInboxItem(id: string): Promise<InboxItemView> {
    return this._call('POST', `/api/v1/pension/inbox/${encodeURIComponent(id)}/open`, 'session', {}, [200]);
  }

  /** What linking a policy by its letter's code would give the insurer. */
  previewLinkCode(code: string): Promise<LinkPreviewView> {
    return this._call('POST', '/api/v1/pension/link-codes/preview', 'session', { code }, [200]);
  }

  /** Links the policy; consent is the card login made just before. */
  linkPolicy(input: { code: string; shareBasic4: boolean }): Promise<PolicyLinkedView> {
    return this._call('POST', '/api/v1/pension/links', 'session', input, [201]);
  }

  preparePensionConfirmation(input: { campaignId: string; policyId: string; declarations: DeclarationsBody }): Promise<ConfirmationDraftView> {
    return this._call('POST', '/api/v1/pension/confirmations/drafts', 'session', input, [201]);
  }

  submitPensionConfirmation(input: { draftId: string; signature: string; certificate: string }): Promise<ConfirmationReceiptView> {
    return this._call('POST', '/api/v1/pension/confirmations', 'session', input, [201]);
  }

  private async _credential(): Promise<DeviceCredential | null> {
    if (this.device || !this._deviceSource) return this.device;
    this._deviceAsked ??= this._deviceSource();
    try {
      this.device = await this._deviceAsked;
      return this.device;
    } catch (err) {
      this._deviceAsked = null;
      const error = (err as { error?: WireError }).error;
      throw new PlatformError(error?.code ? error : { code: 'AUTH_DEVICE_UNKNOWN', message: `no device credential: ${String(err)}`, ja: '' });
    }
  }

  private _headers(auth: Auth, hasBody: boolean, credential: DeviceCredential | null): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (hasBody) headers['content-type'] = 'application/json';
    const device = credential ? `${credential.id}:${credential.secret}` : null;
    if (auth !== 'none' && !device) throw new PlatformError({ code: 'AUTH_DEVICE_UNKNOWN', message: 'This page has no device credential', ja: '' });
    if (auth === 'device') headers.authorization = `Device ${device}`;
    if (auth === 'session') {
      if (this._token === null) throw new PlatformError({ code: 'AUTH_REQUIRED', message: 'Nobody is logged in', ja: '' });
      headers.authorization = `Bearer ${this._token}`;
      headers['x-device'] = device!;
    }
    return headers;
  }

  private async _call<T>(method: string, path: string, auth: Auth, body: unknown, ok: number[]): Promise<T> {
    const credential = auth === 'none' ? null : await this._credential();
    // A timer, not AbortSignal.timeout: older TV browsers lack it, and tests can fake a timer.
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, this._timeoutMs);
    const init: RequestInit = { method, headers: this._headers(auth, body !== undefined, credential), signal: abort.signal };
    if (body !== undefined) init.body = JSON.stringify(body);
    let res: Response;
    let text: string;
    try {
      res = await this._fetch(`${this._base}${path}`, init);
      text = await res.text();
    } catch (err) {
      if (timedOut) throw new PlatformError({ code: 'CLIENT_TIMEOUT', message: `no answer within ${this._timeoutMs} ms`, ja: '' });
      throw new PlatformError({ code: 'INTERNAL', message: `platform unreachable: ${String(err)}`, ja: '' }, { network: true });
    } finally {
      clearTimeout(timer);
    }
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (ok.includes(res.status)) return parsed as T;
    const error = (parsed as { error?: WireError } | undefined)?.error;
    if (error && typeof error.code === 'string') {
      if (error.code === 'AUTH_SESSION_EXPIRED') this._token = null;
      throw new PlatformError(error, { status: res.status });
    }
    throw new PlatformError({ code: 'INTERNAL', message: `HTTP ${res.status}`, ja: '' }, { status: res.status });
  }
}

/** `GET /healthz` without a client (the health badge). */
export const fetchHealth = () => new PlatformClient({ timeoutMs: 5_000 }).health();
