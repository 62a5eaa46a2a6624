import type { ErrorCode, WireError } from '../../../platform/src/shared/errors.js';
import type {
  CommandName, CommandParams, CommandResults, DeviceCredential, EventData, EventName, KeyKind, PinStatus, PushedEvent, ReaderInfo, Response,
} from '../../../reader-driver/src/ws/protocol.js';
import { DEFAULT_READER_URL } from '../config.js';

/**
 * A client of the reader driver's loopback WebSocket protocol v1 (reader-driver/src/ws/protocol.ts):
 * one promise per request (matched by id), pushed events to subscribers, a live snapshot of the
 * readers, and a connection that comes back by itself — reconnect with backoff, then
 * `hello { resume }` so answers that finished while the page was away (a reload, a dropped
 * socket) still arrive. Failures are always a `DriverError` carrying the catalogue `WireError`.
 *
 * No request waits without a bound on a link that may be dead: one sent into a socket that is
 * already closing fails at once; a link lost (closed, or found silent) and not back within
 * `lossConfirmMs` fails every request still waiting with READER_UNAVAILABLE (the TV's no-driver
 * advice); and while a request waits, a driver silent for `lossConfirmMs` is asked `ping`, and a
 * ping unanswered for as long again means the link is dead (a half-open link sees no close). The
 * client never sends a request again by itself: one that may have reached the card (a PIN try)
 * is the caller's to decide about — `DriverError.unsent` tells one that never left the page.
 * A link back and resumed in time still loses what the driver no longer holds: its `hello`
 * answer lists the ids it holds, and a request waited on but not listed fails at once
 * (READER_REQUEST_LOST) — it never reached the driver, or its answer was lost in the gap.
 */

/** The protocol's own types (reader-driver/src/ws/protocol.ts), never redeclared here. */
export type { CommandResults, DeviceCredential, KeyKind, PinStatus, ReaderInfo };

/** How the page's link to the driver stands. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A pushed event as subscribers see it: the protocol's event without its version field. */
export type DriverEvent = { [E in EventName]: { event: E; data: EventData[E] } }[EventName];

/** A failed request: the catalogue body the driver sent (or one this client made up for a lost link). */
export class DriverError extends Error {
  /**
   * `unsent`: the request never left this page (no link, or a socket already closing), so it
   * cannot have reached the card — a PIN in it was not tried. Otherwise a failure this client made
   * up for a lost link leaves the request's fate unknown.
   */
  constructor(readonly error: WireError, readonly unsent = false) {
    super(error.message);
    this.name = 'DriverError';
  }

  get code(): ErrorCode {
    return this.error.code;
  }
}

/** The parts of a WebSocket this client uses (a fake one works in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

/** Where the resume token is kept between page loads (sessionStorage: it is not personal, and dies with the tab). */
export interface ResumeStore {
  get(): string | null;
  set(token: string | null): void;
}

export interface ReaderClientOptions {
  url?: string;
  /** Opens a socket; defaults to the browser's WebSocket. */
  socket?: (url: string) => SocketLike;
  /** Keeps the driver session token so a reloaded page can resume it. */
  resumeStore?: ResumeStore;
  /** Told to the driver in `hello` (its logs show it). */
  clientName?: string;
  /** Waits before reconnect attempts 1, 2, 3 …; the last one repeats. */
  backoffMs?: readonly number[];
  /** With no message at all for this long (the driver's heartbeat is every 15 s), the link is taken as dead and reopened. */
  staleAfterMs?: number;
  /**
   * How long a lost link may take to come back before the requests waiting on it fail
   * (READER_UNAVAILABLE); also how long a waiting request lets the driver stay silent before
   * asking `ping`, and the ping before the link is taken as dead.
   */
  lossConfirmMs?: number;
  /** Clock and timers, replaceable in tests. */
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** A request in flight: its id (for `cancel`) and its answer. */
export interface SentRequest<T> {
  id: string;
  result: Promise<T>;
}

interface Pending {
  cmd: CommandName;
  resolve: (value: unknown) => void;
  reject: (error: DriverError) => void;
}

const OPEN = 1;
const DEFAULT_BACKOFF = [250, 500, 1000, 2000, 4000, 8000] as const;

/** A catalogue body for a failure this client makes up for the link (its `ja` comes from the catalogue on screen). */
function lostLink(message: string, code: 'READER_UNAVAILABLE' | 'READER_REQUEST_LOST' = 'READER_UNAVAILABLE'): WireError {
  return { code, message, ja: '' };
}

/** sessionStorage, or null where the browser refuses it. */
export function sessionResumeStore(key = 'stb-reader-session'): ResumeStore | undefined {
  let storage: Storage | null = null;
  try {
    storage = globalThis.sessionStorage ?? null;
  } catch {
    storage = null;
  }
  if (!storage) return undefined;
  const s = storage;
  return {
    get: () => {
      try {
        return s.getItem(key);
      } catch {
        return null;
      }
    },
    set: (token) => {
      try {
        if (token) s.setItem(key, token);
        else s.removeItem(key);
      } catch {
        // storage full or disabled: a reload then starts a new driver session
      }
    },
  };
}

/**
 * The page's connection to the reader driver.
 *
 * ```ts
 * const reader = new ReaderClient({ url: readerUrlFrom(location.search) });
 * reader.start();
 * reader.onEvent((e) => { if (e.event === 'card.removed') … });
 * const { signature, certificate } = await reader.request('sign', { key: 'auth', pin, digestInfo, withCertificate: true });
 * ```
 */
export class ReaderClient {
  readonly url: string;
  private _state: ConnectionState = 'closed';
  private _socket: SocketLike | null = null;
  private _session: string | null;
  private _readers: ReaderInfo[] = [];
  private _demo = false;
  private _attempt = 0;
  private _serial = 0;
  private _lastSeen = 0;
  private _reconnectTimer: unknown = null;
  private _watchdog: unknown = null;
  private _lossTimer: unknown = null;
  private _probeTimer: unknown = null;
  /** When the unanswered liveness `ping` went out, if one is out. */
  private _pingAt: number | null = null;
  private _stopped = true;
  private readonly _pending = new Map<string, Pending>();
  private readonly _eventListeners = new Set<(e: DriverEvent) => void>();
  private readonly _changeListeners = new Set<() => void>();
  private readonly _pageId = Math.random().toString(36).slice(2, 8);
  private readonly _opts: Required<Omit<ReaderClientOptions, 'resumeStore' | 'url'>> & { resumeStore: ResumeStore | undefined };

  constructor(options: ReaderClientOptions = {}) {
    this.url = options.url ?? DEFAULT_READER_URL;
    this._opts = {
      socket: options.socket ?? ((url) => new WebSocket(url) as unknown as SocketLike),
      resumeStore: options.resumeStore,
      clientName: options.clientName ?? 'stb-tv',
      backoffMs: options.backoffMs?.length ? options.backoffMs : DEFAULT_BACKOFF,
      staleAfterMs: options.staleAfterMs ?? 45_000,
      lossConfirmMs: options.lossConfirmMs ?? 1500,
      now: options.now ?? (() => Date.now()),
      setTimer: options.setTimer ?? ((fn, ms) => setTimeout(fn, ms)),
      clearTimer: options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>)),
    };
    this._session = this._opts.resumeStore?.get() ?? null;
  }

  /** The link's state. */
  get state(): ConnectionState {
    return this._state;
  }

  /** The readers as last reported (empty until the first `hello` answers). */
  get readers(): readonly ReaderInfo[] {
    return this._readers;
  }

  /** Whether the driver runs its demo card bay. */
  get demo(): boolean {
    return this._demo;
  }

  /** Whether any reader holds a card right now. */
  get cardPresent(): boolean {
    return this._readers.some((r) => r.cardPresent);
  }

  /** Opens the link (and keeps it open until `stop`). */
  start(): void {
    if (!this._stopped) return;
    this._stopped = false;
    this._open();
    this._watch();
  }

  /** Closes the link for good; requests still waiting fail with READER_UNAVAILABLE. */
  stop(): void {
    this._stopped = true;
    this._clear('_reconnectTimer');
    this._clear('_watchdog');
    this._clear('_lossTimer');
    this._clear('_probeTimer');
    const socket = this._socket;
    this._socket = null;
    if (socket) {
      socket.onclose = socket.onmessage = socket.onerror = socket.onopen = null;
      socket.close();
    }
    this._failPending('the page closed the link');
    this._setState('closed');
  }

  /** Told of every pushed event (card and reader changes, heartbeats). Returns the unsubscribe function. */
  onEvent(listener: (e: DriverEvent) => void): () => void {
    this._eventListeners.add(listener);
    return () => this._eventListeners.delete(listener);
  }

  /** Told whenever the connection state or the reader snapshot changes. Returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this._changeListeners.add(listener);
    return () => this._changeListeners.delete(listener);
  }

  /** Sends a command; resolves with its result, or rejects with a DriverError. */
  request<C extends Exclude<CommandName, 'hello'>>(cmd: C, params: CommandParams<C>): Promise<CommandResults[C]> {
    return this.send(cmd, params).result;
  }

  /** Like `request`, but also gives the request id so it can be cancelled. */
  send<C extends Exclude<CommandName, 'hello'>>(cmd: C, params: CommandParams<C>): SentRequest<CommandResults[C]> {
    const id = `${this._pageId}-${++this._serial}`;
    // A socket already closing (its close not yet told) would take the request and drop it.
    if (this._state !== 'open' || !this._socket || this._socket.readyState !== OPEN) {
      return { id, result: Promise.reject(new DriverError(lostLink('not connected to the reader driver'), true)) };
    }
    return { id, result: this._transmit(this._socket, id, cmd, params) as Promise<CommandResults[C]> };
  }

  /**
   * This set-top box's platform credential, which the driver holds from provisioning. Waits for a
   * link that is still connecting; fails (READER_UNAVAILABLE) once that attempt has failed.
   */
  async deviceCredential(): Promise<DeviceCredential> {
    if (this._state === 'connecting') {
      await new Promise<void>((resolve) => {
        const off = this.onChange(() => {
          if (this._state === 'connecting') return;
          off();
          resolve();
        });
      });
    }
    return this.request('device.credential', {});
  }

  /** Asks the driver to stop request `id` (it then answers WS_CANCELLED). */
  cancel(id: string): Promise<CommandResults['cancel']> {
    return this.request('cancel', { target: id });
  }

  private _transmit(socket: SocketLike, id: string, cmd: CommandName, params: object): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this._pending.set(id, { cmd, resolve, reject });
      try {
        socket.send(JSON.stringify({ v: 1, id, cmd, ...params }));
      } catch {
        this._pending.delete(id);
        reject(new DriverError(lostLink('the link to the reader driver failed while sending'), true));
        return;
      }
      this._probe();
    });
  }

  /**
   * While requests wait on an open link, checks every `lossConfirmMs` that the driver still
   * answers: silent that long, it is asked `ping`; the ping unanswered as long again, the link is
   * dead even without a close (a driver stopped, a cable pulled) and is given up (`_lose`).
   */
  private _probe(): void {
    if (this._probeTimer !== null) return;
    const ms = this._opts.lossConfirmMs;
    this._probeTimer = this._opts.setTimer(() => {
      this._probeTimer = null;
      const socket = this._socket;
      if (this._state !== 'open' || !socket || this._pending.size === 0) return void (this._pingAt = null);
      const now = this._opts.now();
      if (this._pingAt !== null && this._lastSeen < this._pingAt) {
        if (now - this._pingAt >= ms) return this._lose(socket);
      } else if (now - this._lastSeen >= ms) {
        this._pingAt = now;
        this._transmit(socket, `${this._pageId}-ping-${++this._serial}`, 'ping', {}).catch(() => {});
      } else this._pingAt = null;
      this._probe();
    }, ms);
  }

  /** Gives up a link found dead without a close event, and reconnects. */
  private _lose(socket: SocketLike): void {
    if (this._socket !== socket) return;
    this._socket = null;
    this._pingAt = null;
    socket.onclose = socket.onmessage = null;
    socket.close();
    this._scheduleReconnect();
  }

  private _open(): void {
    if (this._stopped) return;
    if (this._state !== 'reconnecting') this._setState('connecting');
    let socket: SocketLike;
    try {
      socket = this._opts.socket(this.url);
    } catch {
      this._scheduleReconnect();
      return;
    }
    this._socket = socket;
    socket.onopen = () => {
      this._lastSeen = this._opts.now();
      void this._hello(socket);
    };
    socket.onmessage = (ev) => this._onMessage(ev.data);
    socket.onerror = () => {};
    socket.onclose = () => {
      if (this._socket !== socket) return;
      this._socket = null;
      this._scheduleReconnect();
    };
  }

  private async _hello(socket: SocketLike): Promise<void> {
    const params: CommandParams<'hello'> = { client: this._opts.clientName };
    if (this._session) params.resume = this._session;
    const id = `${this._pageId}-hello-${++this._serial}`;
    let result: CommandResults['hello'];
    try {
      result = (await this._transmit(socket, id, 'hello', params)) as CommandResults['hello'];
    } catch {
      socket.close();
      return;
    }
    if (this._socket !== socket) return;
    // Requests sent on a session the driver no longer knows will never be answered.
    if (!result.resumed) this._failPending('the reader driver restarted');
    // …and so will those a resumed driver does not hold (an older driver does not say: keep waiting).
    else if (result.holding) this._failLost(new Set(result.holding));
    this._session = result.session;
    this._opts.resumeStore?.set(result.session);
    this._readers = result.readers;
    this._demo = result.demo;
    this._attempt = 0;
    this._clear('_lossTimer');
    this._setState('open', true);
  }

  private _onMessage(raw: unknown): void {
    this._lastSeen = this._opts.now();
    let msg: Response | PushedEvent;
    try {
      msg = JSON.parse(String(raw)) as Response | PushedEvent;
    } catch {
      return;
    }
    if ('re' in msg) {
      const pending = msg.re === null ? undefined : this._pending.get(msg.re);
      if (!pending || msg.re === null) return; // an answer for a page that went away
      this._pending.delete(msg.re);
      if (msg.ok) pending.resolve(msg.result);
      else pending.reject(new DriverError(msg.error));
      return;
    }
    if (!('event' in msg)) return;
    const event = msg as DriverEvent;
    if (event.event !== 'heartbeat') this._applyReaderEvent(event.event, event.data);
    for (const listener of [...this._eventListeners]) listener(event);
  }

  private _applyReaderEvent(event: Exclude<EventName, 'heartbeat'>, info: ReaderInfo): void {
    const others = this._readers.filter((r) => r.name !== info.name);
    this._readers = event === 'reader.removed' ? others : [...others, info];
    this._emitChange();
  }

  private _scheduleReconnect(): void {
    if (this._stopped) return;
    this._setState('reconnecting');
    // Back (and resumed) within lossConfirmMs, what waits still gets its answer; else it fails now,
    // so the page shows the no-driver advice instead of waiting on a link that may never return.
    this._lossTimer ??= this._opts.setTimer(() => {
      this._lossTimer = null;
      this._failPending('the link to the reader driver was lost', 'hello');
    }, this._opts.lossConfirmMs);
    const waits = this._opts.backoffMs;
    const wait = waits[Math.min(this._attempt, waits.length - 1)]!;
    this._attempt++;
    this._clear('_reconnectTimer');
    this._reconnectTimer = this._opts.setTimer(() => {
      this._reconnectTimer = null;
      this._open();
    }, wait);
  }

  // Heartbeat awareness: the driver sends a heartbeat every 15 s; silence well beyond that means
  // the link is dead even if no close event came (a sleeping set-top box, a stuck proxy).
  private _watch(): void {
    const tick = Math.max(1000, Math.floor(this._opts.staleAfterMs / 3));
    const check = () => {
      if (this._stopped) return;
      if (this._state === 'open' && this._socket && this._opts.now() - this._lastSeen > this._opts.staleAfterMs) this._lose(this._socket);
      this._watchdog = this._opts.setTimer(check, tick);
    };
    this._watchdog = this._opts.setTimer(check, tick);
  }

  /** Fails the requests waiting (but a `spare`d command: a reconnect's own `hello` has its own outcome). */
  private _failPending(message: string, spare?: CommandName): void {
    for (const [id, p] of [...this._pending]) {
      if (p.cmd === spare) continue;
      this._pending.delete(id);
      p.reject(new DriverError(lostLink(message)));
    }
  }

  /** Fails at once the requests waiting that the resumed driver does not hold (READER_REQUEST_LOST). */
  private _failLost(holding: ReadonlySet<string>): void {
    for (const [id, p] of [...this._pending]) {
      if (p.cmd === 'hello' || holding.has(id)) continue;
      this._pending.delete(id);
      p.reject(new DriverError(lostLink('the reader driver no longer holds this request (lost with the link)', 'READER_REQUEST_LOST')));
    }
  }

  private _clear(field: '_reconnectTimer' | '_watchdog' | '_lossTimer' | '_probeTimer'): void {
    if (this[field] !== null) this._opts.clearTimer(this[field]);
    this[field] = null;
  }

  private _setState(state: ConnectionState, force = false): void {
    if (this._state === state && !force) return;
    this._state = state;
    this._emitChange();
  }

  private _emitChange(): void {
    for (const listener of [...this._changeListeners]) listener();
  }
}
