import type {
  AlertAnswer, ReceiptKind, TvAlert, TvAlertClientMessage, TvAlertServerMessage,
} from '../../../platform/src/alerts/alerts-schemas.js';
import type { DeviceCredential } from '../../../reader-driver/src/ws/protocol.js';
import { PendingReceipts, type PendingReceipt } from './pending-receipts.js';

export type { AlertAnswer, TvAlert, TvAlertMessage } from '../../../platform/src/alerts/alerts-schemas.js';

/**
 * The TV's link to the platform's alert channel (WebSocket /api/v1/tv/alerts/ws, issue 13 §4). One
 * socket for as long as the page lives; when it drops, it reconnects with backoff (1 s doubling to
 * 30 s, with jitter, so 20,000 TVs back from a power cut do not all knock at once) and resumes: it
 * tells the platform which alerts it holds (the cursor), gets only those it lacks, and drops those
 * the platform no longer lists. Receipts (delivered / displayed / acknowledged, with the answer)
 * are sent at once when the link is up — except that an alert about to be shown sends no
 * `delivered` of its own: its `displayed` says both (the platform stores both), and `delivered`
 * goes alone only if it is not shown within DELIVERED_UNLESS_SHOWN_MS. Every receipt is kept (pending-receipts.ts) until the
 * platform answers `receipted` for it: what was sent just before the link dropped, or given while
 * it was down, is sent again after the next `ready` (the platform stores each once).
 * An alert held is let go at its `expiresAt` by the TV's own clock, exactly as if the platform had
 * said `withdrawn` (reason `expired`): a TV whose link is down then must not go on showing it as in
 * force. It is still named in `have` until the platform no longer lists it, so it is not sent again.
 */

/** Mirrors TV_ALERT_PATH / TV_ALERT_CLOSE of alerts-schemas.ts (values cannot be imported into the page). */
export const ALERTS_PATH = '/api/v1/tv/alerts/ws';
export const BACKOFF_MIN_MS = 1_000;
export const BACKOFF_MAX_MS = 30_000;
/**
 * An alert that arrives to be shown waits this long for its `displayed` (which the platform also
 * stores as `delivered`) before `delivered` is sent alone: one receipt message per TV instead of two
 * when a whole town is alerted at once (issue 13 §5), while an alert kept off the screen (another
 * one on it, the page busy) still counts as delivered.
 */
export const DELIVERED_UNLESS_SHOWN_MS = 1_000;
/**
 * Silence taken for a dead link, in heartbeats: the platform sends something at least every
 * `heartbeatMs` (its `ready` says how often); a link that died without a close reaching the TV (a
 * router dropping it, a platform process hung) is given up after this many and connected again.
 */
export const SILENT_HEARTBEATS = 2;
/** The longest wait setTimeout keeps (2^31 − 1 ms, about 24.8 days); a longer one would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface AlertsClientOptions {
  /** ws:// or wss:// URL of the channel. */
  url: string;
  /** The device credential (the TV asks the reader driver); a failure is retried with the backoff. */
  credential: () => Promise<DeviceCredential>;
  /** The logged-in person's session token, if any: an acknowledgement names them. */
  session?: () => string | null;
  WebSocket?: typeof WebSocket;
  random?: () => number;
  /** Where unconfirmed receipts survive a page reload (the TV page's localStorage); memory only without. */
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
}

/**
 * What else a change of the list was, for a screen that shows one alert: the alerts an arrival
 * replaced (an Update of the one on screen), the ones withdrawn (a Cancel, or `expired`), or
 * `revoked` — everything forgotten because the TV is no longer the household's.
 */
export interface AlertsChange {
  replaced?: readonly string[];
  withdrawn?: readonly string[];
  expired?: boolean;
  revoked?: boolean;
}

export type AlertsListener = (alerts: readonly TvAlert[], arrived: TvAlert | null, change: AlertsChange) => void;

/** Where a resident's answer to an alert is: stored by the platform, or kept here until the link lets it go. */
export type AnswerState = 'stored' | 'waiting';

export class AlertsClient {
  private readonly _opts: AlertsClientOptions;
  private _socket: WebSocket | null = null;
  private _alerts = new Map<string, TvAlert>();
  private _listeners = new Set<AlertsListener>();
  /** Told when the link comes up or goes, and when an acknowledgement is confirmed stored. */
  private _statusListeners = new Set<() => void>();
  private readonly _pending: PendingReceipts;
  private _ready = false;
  private _stopped = true;
  private _attempt = 0;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  /** Alerts arrived to be shown and not shown yet: the timer that sends their `delivered` alone. */
  private _unshown = new Map<string, ReturnType<typeof setTimeout>>();
  /** Fires at the nearest expiry of the alerts held (or at MAX_TIMER_MS, to look again). */
  private _expiryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Alerts let go here at their expiry that the platform has not yet said are gone: still in `have`. */
  private _expiredHere = new Set<string>();
  /** The platform's clock minus this TV's, as the last `ready` showed it (0 until one came). */
  private _clockSkewMs = 0;
  /**
   * The credential the platform last accepted: kept, so reconnecting does not depend on the reader
   * driver answering (a hung driver must not keep evacuation orders away); asked again when refused.
   */
  private _credential: DeviceCredential | null = null;
  /** The platform's promise of a message at least this often (its `ready`); null from one that makes none. */
  private _heartbeatMs: number | null = null;
  private _heardAt = 0;
  private _watchdog: ReturnType<typeof setInterval> | null = null;

  constructor(options: AlertsClientOptions) {
    this._opts = options;
    this._pending = new PendingReceipts(options.storage ?? null);
  }

  /** The receipts not yet confirmed stored by the platform, oldest first. */
  get pendingReceipts(): readonly PendingReceipt[] {
    return this._pending.list;
  }

  /** The alerts in force for this household, oldest first. */
  get alerts(): readonly TvAlert[] {
    return [...this._alerts.values()];
  }

  /**
   * The time by the platform's clock, as far as this TV knows it (its own clock until the first
   * `ready`): when alerts end. A set-top box whose clock is minutes or hours ahead would otherwise
   * take an evacuation order off the screen early; off by the link's one-way delay at most.
   */
  now(): number {
    return Date.now() + this._clockSkewMs;
  }

  /** Whether the channel is up and authenticated. */
  get connected(): boolean {
    return this._ready;
  }

  subscribe(listener: AlertsListener): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  /**
   * Calls `listener` whenever `connected` changes or an acknowledgement is confirmed stored (the
   * resident is told their answer reached the municipality, or that it will once the link is back).
   */
  subscribeStatus(listener: () => void): () => void {
    this._statusListeners.add(listener);
    return () => this._statusListeners.delete(listener);
  }

  /** Whether this TV's acknowledgement of `alertId` is stored by the platform or still kept here. */
  answerState(alertId: string): AnswerState {
    return this._pending.has(alertId, 'acknowledged') ? 'waiting' : 'stored';
  }

  private _statusChanged() {
    for (const l of this._statusListeners) l();
  }

  start(): void {
    if (!this._stopped) return;
    this._stopped = false;
    this._armExpiry();
    void this._connect();
  }

  stop(): void {
    this._stopped = true;
    if (this._timer) clearTimeout(this._timer);
    this._timer = null;
    this._stopWatchdog();
    if (this._expiryTimer) clearTimeout(this._expiryTimer);
    this._expiryTimer = null;
    this._socket?.close();
    this._socket = null;
    this._ready = false;
    // Kept (and sent by the next page): they arrived, whether or not they were shown.
    for (const alertId of [...this._unshown.keys()]) this._deliveredAlone(alertId);
    this._pending.dropped();
  }

  /** Cuts the link as a network failure would (the client reconnects and resumes). */
  drop(): void {
    this._socket?.close();
  }

  displayed(alertId: string): void {
    clearTimeout(this._unshown.get(alertId));
    this._unshown.delete(alertId);
    this._receipt(alertId, 'displayed');
  }

  private _deliveredAlone(alertId: string) {
    clearTimeout(this._unshown.get(alertId));
    this._unshown.delete(alertId);
    this._receipt(alertId, 'delivered');
  }

  acknowledge(alertId: string, answer?: AlertAnswer): void {
    const alert = this._alerts.get(alertId);
    if (alert) this._alerts.set(alertId, { ...alert, acknowledged: true });
    this._receipt(alertId, 'acknowledged', answer);
    this._emit(null);
  }

  private _receipt(alertId: string, kind: ReceiptKind, answer?: AlertAnswer) {
    const session = kind === 'delivered' ? null : this._opts.session?.() ?? null;
    const now = this._pending.add({ alertId, kind, ...(answer ? { answer } : {}), ...(session ? { session } : {}) });
    if (now && this._ready) this._sendReceipt(now);
  }

  private _sendReceipt(receipt: PendingReceipt) {
    // Counted as sent even if this throws: the socket is closing, and all is sent again after the next `ready`.
    this._pending.sent(receipt);
    this._send({ type: 'receipt', ...receipt });
  }

  private _send(message: TvAlertClientMessage) {
    try {
      this._socket?.send(JSON.stringify(message));
    } catch {
      // the link is going down: onclose follows and the next `ready` resends what is unconfirmed
    }
  }

  private _emit(arrived: TvAlert | null, change: AlertsChange = {}) {
    this._armExpiry();
    const list = this.alerts;
    for (const l of this._listeners) l(list, arrived, change);
  }

  /** Arms the timer for the nearest expiry of the alerts held (re-armed whenever the list changes). */
  private _armExpiry() {
    if (this._expiryTimer) clearTimeout(this._expiryTimer);
    this._expiryTimer = null;
    if (this._stopped) return;
    let nearest = Infinity;
    for (const a of this._alerts.values()) {
      const at = Date.parse(a.expiresAt);
      if (at < nearest) nearest = at;
    }
    if (nearest === Infinity) return;
    this._expiryTimer = setTimeout(() => {
      this._expiryTimer = null;
      this._expire();
    }, Math.min(Math.max(0, nearest - this.now()), MAX_TIMER_MS));
  }

  /** Lets go of the alerts past their expiry, as the platform's `withdrawn` (reason `expired`) would. */
  private _expire() {
    const now = this.now();
    const gone = this.alerts.filter((a) => Date.parse(a.expiresAt) <= now).map((a) => a.id);
    for (const id of gone) {
      this._alerts.delete(id);
      this._expiredHere.add(id);
    }
    if (gone.length) this._emit(null, { withdrawn: gone, expired: true });
    else this._armExpiry(); // woken early (the longest wait a timer keeps): look again later
  }

  private async _connect() {
    if (this._stopped) return;
    let credential: DeviceCredential;
    try {
      credential = this._credential ?? await this._opts.credential();
    } catch {
      return this._retry();
    }
    if (this._stopped) return;
    const Socket = this._opts.WebSocket ?? globalThis.WebSocket;
    const socket = new Socket(this._opts.url);
    this._socket = socket;
    socket.onmessage = (event) => {
      if (this._socket !== socket) return;
      this._heardAt = Date.now();
      let message: TvAlertServerMessage;
      try {
        message = JSON.parse(String(event.data)) as TvAlertServerMessage;
      } catch {
        return;
      }
      this._onMessage(message, credential);
    };
    socket.onclose = () => this._lost(socket);
  }

  /** The link is gone (closed, or silent too long): nothing sent on it will be confirmed; connect again. */
  private _lost(socket: WebSocket) {
    if (this._socket !== socket) return;
    this._socket = null;
    const was = this._ready;
    this._ready = false;
    this._stopWatchdog();
    this._pending.dropped();
    this._retry();
    if (was) this._statusChanged();
  }

  private _startWatchdog(heartbeatMs: number) {
    this._stopWatchdog();
    this._heartbeatMs = heartbeatMs;
    this._heardAt = Date.now();
    const socket = this._socket;
    this._watchdog = setInterval(() => {
      if (!socket || Date.now() - this._heardAt <= SILENT_HEARTBEATS * heartbeatMs) return;
      // A dead link's close handshake may never finish: it is given up here, whatever close() does.
      this._lost(socket);
      try {
        socket.close();
      } catch {
        // already closing
      }
    }, heartbeatMs);
  }

  private _stopWatchdog() {
    if (this._watchdog) clearInterval(this._watchdog);
    this._watchdog = null;
  }

  private _onMessage(message: TvAlertServerMessage, credential: DeviceCredential) {
    switch (message.type) {
      case 'hello':
        this._send({ type: 'auth', credential: `${credential.id}:${credential.secret}`, have: [...this._alerts.keys(), ...this._expiredHere] });
        return;
      case 'ready': {
        this._ready = true;
        this._attempt = 0;
        this._credential = credential;
        if (message.heartbeatMs) this._startWatchdog(message.heartbeatMs);
        if (Number.isFinite(message.now)) {
          this._clockSkewMs = message.now - Date.now();
          this._armExpiry();
        }
        const gone = [...this._alerts.keys()].filter((id) => !message.active.includes(id));
        for (const id of gone) this._alerts.delete(id);
        // Let go here at their expiry: once the platform no longer lists them, they need no naming.
        for (const id of this._expiredHere) if (!message.active.includes(id)) this._expiredHere.delete(id);
        // Everything not confirmed stored, whether sent on the last link or given while it was down.
        for (const r of this._pending.resend()) this._send({ type: 'receipt', ...r });
        if (gone.length) this._emit(null, { withdrawn: gone });
        this._statusChanged();
        return;
      }
      case 'alert': {
        // Let go here at its expiry (the TV's clock ahead of the platform's): not shown again.
        if (this._expiredHere.has(message.alert.id) && Date.parse(message.alert.expiresAt) <= this.now()) return;
        // An extension only moves the expiry: acknowledged here stays acknowledged, and it is no new
        // alarm (no chime) — but only of an alert this TV still holds. One it let go at its expiry
        // (and said so aloud) is back in force: that is news, whatever was acknowledged before.
        const continues = message.extension === true && message.replaces.some((id) => this._alerts.has(id));
        const carried = continues && message.replaces.some((id) => this._alerts.get(id)?.acknowledged);
        for (const id of message.replaces) this._alerts.delete(id);
        const known = this._alerts.get(message.alert.id);
        // Acknowledged here but not yet stored (a reload while the link was down): no second alarm.
        const acked = known?.acknowledged || carried || this._pending.has(message.alert.id, 'acknowledged')
          || (message.alert.acknowledged && message.extension !== true);
        const alert = { ...message.alert, acknowledged: acked };
        this._alerts.set(alert.id, alert);
        if (alert.acknowledged || continues) {
          this._receipt(alert.id, 'delivered');
          this._emit(null, { replaced: message.replaces });
        } else {
          if (!this._unshown.has(alert.id)) this._unshown.set(alert.id, setTimeout(() => this._deliveredAlone(alert.id), DELIVERED_UNLESS_SHOWN_MS));
          this._emit(alert, { replaced: message.replaces });
        }
        return;
      }
      case 'withdrawn':
        for (const id of message.alertIds) {
          this._alerts.delete(id);
          this._expiredHere.delete(id);
        }
        this._emit(null, { withdrawn: message.alertIds, ...(message.reason === 'expired' ? { expired: true } : {}) });
        return;
      case 'receipted':
        for (const r of message.receipts) this._pending.confirmed(r.alertId, r.kind);
        if (message.receipts.some((r) => r.kind === 'acknowledged')) this._statusChanged();
        return;
      case 'beat':
        // A receipt unconfirmed for a whole heartbeat on a live link was lost (the platform could not
        // store it): sent again now, not only after a reconnect that may never come.
        if (this._heartbeatMs) for (const r of this._pending.overdue(Date.now() - this._heartbeatMs)) this._send({ type: 'receipt', ...r });
        return;
      case 'refused':
        // Asked of the reader driver again next time: the box may have been given a new credential.
        this._credential = null;
        // Withdrawn by the operator: the platform will never store this TV's receipts, so they are
        // not kept (up to MAX_PENDING, across reloads) for a link that can never be confirmed. Nor
        // are the alerts it holds: their text names the household, and the TV is no longer theirs.
        if (message.code === 'AUTH_DEVICE_WITHDRAWN') {
          for (const timer of this._unshown.values()) clearTimeout(timer);
          this._unshown.clear();
          this._pending.clear();
          this._expiredHere.clear();
          if (this._alerts.size) {
            this._alerts.clear();
            this._emit(null, { revoked: true });
          }
        }
        return;
    }
  }

  private _retry() {
    if (this._stopped || this._timer) return;
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this._attempt);
    this._attempt++;
    const wait = ceiling / 2 + (this._opts.random ?? Math.random)() * (ceiling / 2);
    this._timer = setTimeout(() => {
      this._timer = null;
      void this._connect();
    }, wait);
  }
}

/** The channel's address on the page's own origin. */
export function alertsUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${ALERTS_PATH}`;
}
