/**
 * Simulated TVs for `npm run bench -- alerts` (a process of its own, driven over IPC by the
 * bench): opens real WebSockets, either bare (the baseline) or to the platform's alert channel as
 * the town's TVs (auth with the TV's credential first). Either way a TV does the same on an alert:
 * note the time, parse it once the other arrivals of that turn are noted, "show" it on the next
 * turn of the event loop, note the time, send `displayed` (which the platform stores as delivered
 * and displayed, as the page does; the bare server reads and drops it). The same TVs doing the
 * same work in both runs is what makes the ratio the platform's: 10,000 simulated TVs share this
 * process's core, so each answer delays the next arrivals this process can note, a cost no real
 * TV (answering only its own) would add. Times are wall-clock milliseconds (timeOrigin + now) so
 * the bench's own clock compares with them.
 */
import WebSocket from 'ws';
import { TV_ALERT_PATH } from '../../../platform/src/alerts/alerts-schemas.js';
import { townTv } from '../../../platform/src/demo/populate.js';

export type WorkerCommand =
  | { do: 'bare'; urls: string[]; count: number }
  /** `have`: the alerts each TV says it holds on connecting (a TV back after a power cut). */
  | { do: 'tvs'; urls: string[]; indices: number[]; have?: string[] }
  | { do: 'report' }
  | { do: 'close' };
export type WorkerReport =
  | { done: 'connected'; count: number; failed: number }
  | { done: 'report'; delivered: number[]; displayed: number[] }
  | { done: 'closed' };

const now = () => performance.timeOrigin + performance.now();
/** Connections opening at once: a burst of 10,000 SYNs would overflow the listen backlog. */
const OPENING = 200;

let sockets: WebSocket[] = [];
let delivered: number[] = [];
let displayed: number[] = [];
const reply = (r: WorkerReport) => process.send!(r);

async function openAll(count: number, open: (i: number) => Promise<WebSocket | null>): Promise<number> {
  let failed = 0;
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const ws = await open(i);
      if (ws) sockets.push(ws);
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: OPENING }, lane));
  return failed;
}

function bare(url: string): Promise<WebSocket | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('message', (raw) => {
      const arrived = now();
      setImmediate(() => show(ws, arrived, JSON.parse(String(raw)) as { alert: { id: string } }));
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', () => resolve(null));
  });
}

/**
 * What a TV does with an alert, the same on both runs: notes its arrival, shows it on the next turn
 * of the event loop, as a page would, and answers `displayed`. As the TV page does
 * (stb-ui/src/api/alerts-client.ts): an alert it shows at once sends no `delivered` of its own;
 * its `displayed` stands for both.
 */
function show(ws: WebSocket, arrived: number, message: { alert: { id: string } }) {
  delivered.push(arrived);
  const alertId = message.alert.id;
  setImmediate(() => {
    displayed.push(now());
    ws.send(JSON.stringify({ type: 'receipt', alertId, kind: 'displayed' }));
  });
}

function tv(url: string, index: number, have: string[]): Promise<WebSocket | null> {
  const credential = townTv(index);
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url}${TV_ALERT_PATH}`, { perMessageDeflate: false });
    ws.on('message', (raw) => {
      // Arrival is when the message is here, before this TV's own parsing (the bare baseline parses
      // nothing). The parsing and answering wait until the arrivals that came with it are noted:
      // 10,000 simulated TVs share this process, and parsing each message in turn stamped the last
      // TVs' arrivals 300 ms late, a delay no real TV (parsing only its own) would see.
      const arrived = now();
      setImmediate(() => {
        const m = JSON.parse(String(raw)) as { type: string; alert?: { id: string } };
        if (m.type === 'hello') ws.send(JSON.stringify({ type: 'auth', credential: `${credential.id}:${credential.secret}`, have }));
        else if (m.type === 'ready') resolve(ws);
        else if (m.type === 'refused') resolve(null);
        else if (m.type === 'alert') show(ws, arrived, m as { alert: { id: string } });
      });
    });
    ws.once('error', () => resolve(null));
  });
}

process.on('message', async (cmd: WorkerCommand) => {
  switch (cmd.do) {
    case 'bare': {
      const failed = await openAll(cmd.count, (k) => bare(cmd.urls[k % cmd.urls.length]!));
      return reply({ done: 'connected', count: sockets.length, failed });
    }
    case 'tvs': {
      const failed = await openAll(cmd.indices.length, (k) => tv(cmd.urls[k % cmd.urls.length]!, cmd.indices[k]!, cmd.have ?? []));
      return reply({ done: 'connected', count: sockets.length, failed });
    }
    case 'report':
      return reply({ done: 'report', delivered, displayed });
    case 'close':
      await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      })));
      sockets = [];
      delivered = [];
      displayed = [];
      return reply({ done: 'closed' });
  }
});
