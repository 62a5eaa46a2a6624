import { describe, expect, it } from 'vitest';
import { AlertsClient, type TvAlert } from '../../../stb-ui/src/api/alerts-client.js';
import type { TvAlertServerMessage } from '../../../platform/src/alerts/alerts-schemas.js';

/** A scripted socket: the test plays the platform's messages (the real channel is tested in tv-channel.test.ts and the browser test). */
class ScriptedSocket {
  static last: ScriptedSocket | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  readonly sent: { type: string; alertId?: string; kind?: string }[] = [];
  constructor() {
    ScriptedSocket.last = this;
  }
  send(raw: string) {
    this.sent.push(JSON.parse(raw));
  }
  close() {}
  play(message: TvAlertServerMessage) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

const alert = (id: string, expiresAt: string): TvAlert => ({
  id, sentAt: '2026-11-30T00:00:00.000Z', expiresAt, acknowledged: false,
  messages: [{ language: 'ja-JP', title: '警戒レベル4 避難指示', colour: '#aa00aa', greeting: '山田さん宅の皆さまへ', lines: [], speech: '' }],
});
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

async function connected() {
  const client = new AlertsClient({ url: 'ws://x', credential: async () => ({ id: 'tv', secret: 's' }), WebSocket: ScriptedSocket as unknown as typeof WebSocket });
  const arrivals: (string | null)[] = [];
  client.subscribe((_all, arrived) => arrivals.push(arrived?.id ?? null));
  client.start();
  await new Promise((r) => setImmediate(r));
  const socket = ScriptedSocket.last!;
  socket.play({ type: 'hello' });
  socket.play({ type: 'ready', active: [] });
  return { client, socket, arrivals };
}

describe('AlertsClient', () => {
  it('an extension of an acknowledged alert arrives acknowledged and is no new alarm; an expired one goes', async () => {
    const { client, socket, arrivals } = await connected();
    socket.play({ type: 'alert', alert: alert(A, '2026-11-30T01:00:00.000Z'), replaces: [] });
    expect(arrivals).toEqual([A]);
    client.acknowledge(A);
    socket.play({ type: 'alert', alert: alert(B, '2026-11-30T03:00:00.000Z'), replaces: [A], extension: true });
    expect(arrivals.at(-1)).toBeNull(); // no chime, no overlay
    expect(client.alerts.map((a) => [a.id, a.acknowledged])).toEqual([[B, true]]);
    socket.play({ type: 'withdrawn', alertIds: [B], reason: 'expired' });
    expect(client.alerts).toEqual([]);
    client.stop();
  });

  it('an extension of an alert still on screen replaces it without a new chime; a real Update alarms', async () => {
    const { client, socket, arrivals } = await connected();
    socket.play({ type: 'alert', alert: alert(A, '2026-11-30T01:00:00.000Z'), replaces: [] });
    socket.play({ type: 'alert', alert: alert(B, '2026-11-30T03:00:00.000Z'), replaces: [A], extension: true });
    expect(arrivals).toEqual([A, null]);
    expect(client.alerts.map((a) => [a.id, a.acknowledged])).toEqual([[B, false]]);
    const C = '00000000-0000-4000-8000-00000000000c';
    socket.play({ type: 'alert', alert: alert(C, '2026-11-30T03:00:00.000Z'), replaces: [B] });
    expect(arrivals.at(-1)).toBe(C);
    client.stop();
  });
});
