import type { RegistrationSubmission } from '../../../platform/src/identity/registration.js';
import type { HealthReport } from '../../../platform/src/routes/health.js';
import type {
  LinkedService, NonceResponse, PresenceResult, RegistrationConfirmed, RegistrationDraft, RegistrationResult, SessionResponse, SessionView, TvHousehold,
} from '../../../platform/src/routes/identity-schemas.js';
import type { WireError } from '../../../platform/src/shared/errors.js';

/**
 * Typed fetch for the platform's JSON API (platform/src/routes/API.md), one method per endpoint.
 * Same-origin. The device credential goes with every call; the person's session token lives only
 * in this object's memory (never in storage), so a reload means logging in again.
 */

/** A TV or tablet's credential: `Authorization: Device <id>:<secret>`. Not personal. */
export interface DeviceCredential {
  id: string;
  secret: string;
}

/** What the platform answers and what the TV sends: the platform's own types (never redeclared here). */
export type { HealthReport } from '../../../platform/src/routes/health.js';
export type {
  HouseholdMember, LinkedService, NonceResponse, PersonalData, PresenceResult, RegistrationConfirmed, RegistrationDraft, RegistrationResult,
  SessionResponse, SessionView, TvHousehold,
} from '../../../platform/src/routes/identity-schemas.js';
export type { RegistrationSubmission };

/** A platform call that failed, carrying the catalogue error from the body. */
export class PlatformError extends Error {
  /** True when no answer came at all (network down, server gone); `error.ja` is then empty. */
  readonly network: boolean;

  constructor(readonly error: WireError, options: { network?: boolean; status?: number } = {}) {
    super(error.message);
    this.name = 'PlatformError';
    this.network = options.network ?? false;
  }

  get code(): WireError['code'] {
    return this.error.code;
  }
}

/** Where the device credential is kept: `localStorage` under this key (it is not personal). */
export const DEVICE_STORAGE_KEY = 'stb-tv-device';

/**
 * The device credential: taken once from the URL fragment `#device=<id>:<secret>` (then kept in
 * `storage`, and the fragment removed by the caller), else the one kept before. Null when neither.
 */
export function loadDeviceCredential(hash: string, storage: Pick<Storage, 'getItem' | 'setItem'> | null): DeviceCredential | null {
  const fragment = new URLSearchParams(hash.replace(/^#/, '')).get('device');
  const fromUrl = fragment ? parseCredential(fragment) : null;
  if (fromUrl) {
    try {
      storage?.setItem(DEVICE_STORAGE_KEY, `${fromUrl.id}:${fromUrl.secret}`);
    } catch {
      // storage disabled: the credential lasts until the page reloads
    }
    return fromUrl;
  }
  let kept: string | null = null;
  try {
    kept = storage?.getItem(DEVICE_STORAGE_KEY) ?? null;
  } catch {
    kept = null;
  }
  return kept ? parseCredential(kept) : null;
}

function parseCredential(text: string): DeviceCredential | null {
  const at = text.indexOf(':');
  if (at <= 0 || at === text.length - 1) return null;
  return { id: text.slice(0, at), secret: text.slice(at + 1) };
}

type Auth = 'none' | 'device' | 'session';

export interface PlatformClientOptions {
  device?: DeviceCredential | null;
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
  private _token: string | null = null;
  private readonly _base: string;
  private readonly _fetch: typeof fetch;
  private readonly _timeoutMs: number;

  constructor(options: PlatformClientOptions = {}) {
    this.device = options.device ?? null;
    this._base = options.base ?? '';
    this._timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this._fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Whether a person is logged in on this page. */
  get hasSession(): boolean {
    return this._token !== null;
  }

  health(): Promise<HealthReport> {
    return this._call<HealthReport>('GET', '/healthz', 'none', undefined, [200, 503]);
  }

  /** Login step 1: a nonce and the DigestInfo the card signs with the auth key. */
  createNonce(purpose: 'login' = 'login'): Promise<NonceResponse> {
    return this._call('POST', '/api/v1/nonces', 'device', { purpose }, [201]);
  }

  /** Login step 3: the signed nonce becomes a session (its token is kept here, in memory). */
  async createSession(input: { nonce: string; certificate: string; signature: string }): Promise<SessionResponse> {
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

  myServices(): Promise<{ services: LinkedService[] }> {
    return this._call('GET', '/api/v1/me/services', 'session', undefined, [200]);
  }

  linkService(providerId: string): Promise<{ providerId: string; linkedAt: string }> {
    return this._call('POST', `/api/v1/me/services/${encodeURIComponent(providerId)}`, 'session', {}, [201]);
  }

  async unlinkService(providerId: string): Promise<void> {
    await this._call('DELETE', `/api/v1/me/services/${encodeURIComponent(providerId)}`, 'session', undefined, [204]);
  }

  private _headers(auth: Auth, hasBody: boolean): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (hasBody) headers['content-type'] = 'application/json';
    const device = this.device ? `${this.device.id}:${this.device.secret}` : null;
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
    // A timer, not AbortSignal.timeout: older TV browsers lack it, and tests can fake a timer.
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, this._timeoutMs);
    const init: RequestInit = { method, headers: this._headers(auth, body !== undefined), signal: abort.signal };
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
