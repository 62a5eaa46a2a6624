import type { FunnelView } from '../../../platform/src/alerts/alert-console-schemas.js';
import type { ShelterOverview } from '../../../platform/src/shelter/shelter-schemas.js';
import type { DashboardView, LiveClientMessage, LiveServerMessage } from '../../../platform/src/console/console-schemas.js';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'ended';

/** Waits before reconnect attempts 1, 2, 3 …; the last one repeats. */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];

/**
 * The console's live channel: one WebSocket to the platform, authenticated with the staff token
 * after the server's hello, pushing the dashboard whenever it changes. It reconnects with backoff
 * when the link drops (a platform restart, a network blip) and resumes by authenticating again;
 * it stops for good when the server says the session ended.
 */
export class LiveClient {
  state: LiveState = 'connecting';
  private socket: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** The alert whose funnel the page shows: named again after every reconnect. */
  private watching: string | null = null;
  /** Told each pushed funnel of the watched alert (the funnel element sets it while shown). */
  onFunnel: ((data: FunnelView) => void) | null = null;
  /** Whether the shelters page is shown: asked for again after every reconnect. */
  private shelters = false;
  /** Told each pushed shelters overview (the shelters page sets it while shown). */
  onShelters: ((data: ShelterOverview) => void) | null = null;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly on: { dashboard(data: DashboardView): void; state(state: LiveState): void; ended(): void },
  ) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.close();
    this.socket = null;
  }

  /** Asks for an alert's funnel to be pushed when it changes (null: no longer). */
  watchAlert(alertId: string | null): void {
    this.watching = alertId;
    if (this.state === 'live') this.send({ type: 'watch-alert', alertId });
  }

  /** Asks for the shelters overview to be pushed whenever a tablet's upload or report changes it (false: no longer). */
  watchShelters(on: boolean): void {
    this.shelters = on;
    if (this.state === 'live') this.send({ type: 'watch-shelters', on });
  }

  private send(message: LiveClientMessage) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private set(state: LiveState) {
    this.state = state;
    this.on.state(state);
  }

  private open() {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as LiveServerMessage;
      if (message.type === 'hello') this.send({ type: 'auth', token: this.token });
      else if (message.type === 'ready') {
        this.attempt = 0;
        this.set('live');
        if (this.watching) this.send({ type: 'watch-alert', alertId: this.watching });
        if (this.shelters) this.send({ type: 'watch-shelters', on: true });
      } else if (message.type === 'dashboard') this.on.dashboard(message.data);
      else if (message.type === 'alert-funnel') {
        if (message.data.alertId === this.watching) this.onFunnel?.(message.data);
      } else if (message.type === 'shelters') {
        if (this.shelters) this.onShelters?.(message.data);
      }
      else if (message.type === 'ended') {
        this.stopped = true;
        this.set('ended');
        this.on.ended();
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket || this.stopped) return;
      this.set('reconnecting');
      const wait = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)]!;
      this.timer = setTimeout(() => this.open(), wait);
    };
  }
}

/** The live channel's address on this page's own origin. */
export function liveUrl(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/console/live`;
}
