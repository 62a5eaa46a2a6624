import WebSocket from 'ws';

/** A message the driver sent: an answer (`re`) or a pushed event (`event`). */
export type DriverMessage = { v: 1; re?: string | null; ok?: boolean; result?: any; error?: any; event?: string; data?: any };

/**
 * A tiny test client of the reader driver's WebSocket protocol: `request` sends a command and
 * resolves with its answer; pushed events are collected and can be awaited.
 */
export class DriverClient {
  readonly messages: DriverMessage[] = [];
  private _next = 0;
  private _waiters: { match: (m: DriverMessage) => boolean; resolve: (m: DriverMessage) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString()) as DriverMessage;
      this.messages.push(msg);
      this._waiters = this._waiters.filter((w) => (w.match(msg) ? (w.resolve(msg), false) : true));
    });
  }

  /** Connects as a page of `origin` (`headers`: e.g. the local CLI's `x-control-token`). */
  static connect(port: number, origin: string | null, headers: Record<string, string> = {}): Promise<DriverClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1`, { headers, ...(origin ? { origin } : {}) });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new DriverClient(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body: JSON.parse(body) })));
      });
      ws.once('error', reject);
    });
  }

  /** The next message matching `match` (already received ones included, oldest first). */
  waitFor(match: (m: DriverMessage) => boolean): Promise<DriverMessage> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this._waiters.push({ match, resolve }));
  }

  send(cmd: string, params: Record<string, unknown> = {}, id = `r${++this._next}`): string {
    this.ws.send(JSON.stringify({ v: 1, id, cmd, ...params }));
    return id;
  }

  async request(cmd: string, params: Record<string, unknown> = {}): Promise<DriverMessage> {
    const id = this.send(cmd, params);
    return this.waitFor((m) => m.re === id);
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
