import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import WebSocket from 'ws';
import { beforeAll, describe, expect, it } from 'vitest';
import { TV_ALERT_PATH, type TvAlertServerMessage } from '../../../platform/src/alerts/alerts-schemas.js';
import { ingestAlert } from '../../../platform/src/alerts/ingest.js';
import { parseAlertDocument } from '../../../platform/src/alerts/parse.js';
import { alertReceipts } from '../../../platform/src/alerts/schema.js';
import { DEMO_HOUSEHOLDS } from '../../../platform/src/demo/world.js';
import { AlertsClient } from '../../../stb-ui/src/api/alerts-client.js';
import { capXml } from '../../helpers/cap-messages.js';
import { buildTestApp } from '../../helpers/app.js';

// The TV page's AlertsClient in Node against the real platform channel (Fastify + the database),
// its link cut right after an acknowledgement went out and before the platform said `receipted`
// (issue 13 §4: nothing acknowledged is lost). The client must send it again after reconnecting,
// and the platform must store it once, whether the first copy arrived or not.

const t = await buildTestApp({}, { demo: true });
const { app, database } = t;
const db = database.db;
const [YAMADA] = DEMO_HOUSEHOLDS;

let url = '';
beforeAll(async () => {
  url = `${(await app.listen({ port: 0, host: '127.0.0.1' })).replace('http:', 'ws:')}${TV_ALERT_PATH}`;
});

type Sent = { type: string; alertId?: string; kind?: string; answer?: string };
type Cut = 'lost' | 'unanswered';

/**
 * The page's WebSocket, with a wire cutter: when armed, the next receipt of the given kind either
 * never leaves (`lost`: the link dies with it in flight) or goes out and the link closes at once
 * (`unanswered`: it arrives, the `receipted` never comes back).
 */
class CuttableSocket extends WebSocket {
  static readonly all: CuttableSocket[] = [];
  static cut: { kind: string; how: Cut } | null = null;
  readonly sent: Sent[] = [];
  readonly received: TvAlertServerMessage[] = [];
  private waiters: (() => void)[] = [];

  constructor(address: string) {
    super(address);
    CuttableSocket.all.push(this);
    this.on('message', (raw) => {
      this.received.push(JSON.parse(String(raw)) as TvAlertServerMessage);
      this.wake();
    });
    this.on('close', () => this.wake());
  }

  override send(data: string): void {
    const message = JSON.parse(data) as Sent;
    const cut = CuttableSocket.cut;
    if (cut && message.type === 'receipt' && message.kind === cut.kind) {
      CuttableSocket.cut = null;
      if (cut.how === 'lost') return void this.terminate();
      this.sent.push(message);
      super.send(data);
      return void this.close();
    }
    this.sent.push(message);
    super.send(data);
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until `found` holds for what this socket received; fails if the socket closes first. */
  async until(what: string, found: (received: TvAlertServerMessage[]) => boolean): Promise<void> {
    while (!found(this.received)) {
      if (this.readyState === this.CLOSED) throw new Error(`the link closed before ${what}`);
      await new Promise<void>((w) => this.waiters.push(w));
    }
  }
}

/** The next socket the client opens (after `count` sockets so far). */
async function socketNumber(n: number): Promise<CuttableSocket> {
  while (CuttableSocket.all.length < n) await new Promise((r) => setTimeout(r, 10));
  return CuttableSocket.all[n - 1]!;
}

const receipted = (alertId: string, kind: string) => (received: TvAlertServerMessage[]) =>
  received.some((m) => m.type === 'receipted' && m.receipts.some((r) => r.alertId === alertId && r.kind === kind));

async function ingest() {
  const { xml } = capXml({ identifier: `resend-${randomUUID()}` });
  const out = await ingestAlert(db, { municipalityCode: '162108', alert: parseAlertDocument(Buffer.from(xml)), channel: 'cli', actor: 'operator:cli', defaultTtlSeconds: 3600 });
  return out.alertId;
}

const stored = (alertId: string) => db.select({ kind: alertReceipts.kind, answer: alertReceipts.answer }).from(alertReceipts)
  .where(and(eq(alertReceipts.alertId, alertId), eq(alertReceipts.deviceId, YAMADA.tv.id))).orderBy(alertReceipts.kind);

describe('the TV alert client against the platform, its link cut before `receipted`', () => {
  for (const how of ['lost', 'unanswered'] as const) {
    it(`sends the acknowledgement again after reconnecting and it is stored once (first copy ${how})`, async () => {
      CuttableSocket.all.length = 0;
      const client = new AlertsClient({
        url,
        credential: async () => YAMADA.tv,
        WebSocket: CuttableSocket as unknown as typeof globalThis.WebSocket,
        random: () => 0, // the first retry after half a second
      });
      try {
        client.start();
        const first = await socketNumber(1);
        await first.until('ready', (r) => r.some((m) => m.type === 'ready'));
        const alertId = await ingest();
        await first.until('the delivered receipt is stored', receipted(alertId, 'delivered'));

        CuttableSocket.cut = { kind: 'acknowledged', how };
        client.acknowledge(alertId, 'evacuated');
        expect(client.pendingReceipts).toEqual([{ alertId, kind: 'acknowledged', answer: 'evacuated' }]);

        const second = await socketNumber(2);
        await second.until('the acknowledgement is receipted', receipted(alertId, 'acknowledged'));
        expect(receipted(alertId, 'acknowledged')(first.received)).toBe(false);
        // Sent again on the new link, after `ready`, once; and no longer waiting.
        expect(second.sent.map((m) => m.type === 'receipt' ? `${m.kind}:${m.answer ?? ''}` : m.type)).toEqual(['auth', 'acknowledged:evacuated']);
        expect(second.received.findIndex((m) => m.type === 'ready')).toBe(1);
        expect(client.pendingReceipts).toEqual([]);
        expect(await stored(alertId)).toEqual([{ kind: 'acknowledged', answer: 'evacuated' }, { kind: 'delivered', answer: null }]);
      } finally {
        client.stop();
      }
    });
  }

  it('stores a receipt whose socket closed before its batch was written (the platform does not need the TV to stay)', async () => {
    const alertId = await ingest();
    const socket = new WebSocket(url);
    const received: TvAlertServerMessage[] = [];
    let wake = () => {};
    socket.on('message', (raw) => {
      received.push(JSON.parse(String(raw)) as TvAlertServerMessage);
      wake();
    });
    const next = async (type: string) => {
      while (!received.some((m) => m.type === type)) await new Promise<void>((w) => (wake = w));
    };
    await next('hello');
    socket.send(JSON.stringify({ type: 'auth', credential: `${YAMADA.tv.id}:${YAMADA.tv.secret}`, have: [] }));
    await next('alert');
    socket.send(JSON.stringify({ type: 'receipt', alertId, kind: 'acknowledged', answer: 'safe_at_home' }));
    socket.close();
    await new Promise((r) => socket.once('close', r));
    expect(received.some((m) => m.type === 'receipted')).toBe(false);
    // The batch is written after a gathering window: wait for it, never longer than the test allows.
    while (!(await stored(alertId)).length) await new Promise((r) => setTimeout(r, 20));
    expect(await stored(alertId)).toEqual([{ kind: 'acknowledged', answer: 'safe_at_home' }]);
  });
});
