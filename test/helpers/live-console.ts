import { WebSocket } from 'ws';
import type { LiveServerMessage } from '../../platform/src/console/console-schemas.js';

/** A console's live channel, with every message it receives kept in order. */
export class LiveConsole {
  readonly messages: LiveServerMessage[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number } | null = null;

  socket!: WebSocket;

  private constructor() {}

  private attach(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (raw) => {
      this.messages.push(JSON.parse(String(raw)) as LiveServerMessage);
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('close', (code) => {
      this.closed = { code };
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Connects (`baseUrl`: ws://host:port) and waits for the server's hello, as the console page does before it authenticates. */
  static async open(baseUrl: string): Promise<LiveConsole> {
    const live = new LiveConsole();
    // A real connection (injectWS drops a frame that arrives with the handshake); listeners go on
    // before it opens, as a browser's do, so no message is missed.
    live.attach(new WebSocket(`${baseUrl}/api/v1/console/live`));
    await live.next((m): m is Extract<LiveServerMessage, { type: 'hello' }> => m.type === 'hello');
    return live;
  }

  /** Resolves with the first message (from `from` on) that matches; waits for it as it arrives. */
  async next<T extends LiveServerMessage>(match: (m: LiveServerMessage) => m is T, from = 0): Promise<T> {
    for (;;) {
      const found = this.messages.slice(from).find(match);
      if (found) return found;
      if (this.closed) throw new Error(`closed (${this.closed.code}) before the message came`);
      await new Promise<void>((wake) => this.waiters.push(wake));
    }
  }

  async closure(): Promise<number> {
    while (!this.closed) await new Promise<void>((wake) => this.waiters.push(wake));
    return this.closed.code;
  }
}
