import { afterEach, describe, expect, it, vi } from 'vitest';
import { AlertsClient, DELIVERED_UNLESS_SHOWN_MS, MAX_TIMER_MS, SILENT_HEARTBEATS, type AlertsChange, type TvAlert } from '../../../stb-ui/src/api/alerts-client.js';
import { PENDING_RECEIPTS_KEY } from '../../../stb-ui/src/api/pending-receipts.js';
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

async function connected(storage: Pick<Storage, 'getItem' | 'setItem'> | null = null) {
  const client = new AlertsClient({ url: 'ws://x', credential: async () => ({ id: 'tv', secret: 's' }), WebSocket: ScriptedSocket as unknown as typeof WebSocket, storage });
  const arrivals: (string | null)[] = [];
  client.subscribe((_all, arrived) => arrivals.push(arrived?.id ?? null));
  client.start();
  await new Promise((r) => setImmediate(r));
  const socket = ScriptedSocket.last!;
  socket.play({ type: 'hello' });
  socket.play({ type: 'ready', active: [], now: Date.now() });
  return { client, socket, arrivals };
}

describe('AlertsClient', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('takes a link silent for longer than the heartbeats it was promised for dead and connects again, with no close from the platform (a router dropped it, a process hung)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const client = new AlertsClient({ url: 'ws://x', credential: async () => ({ id: 'tv', secret: 's' }), WebSocket: ScriptedSocket as unknown as typeof WebSocket, random: () => 0 });
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const first = ScriptedSocket.last!;
    first.play({ type: 'hello' });
    first.play({ type: 'ready', active: [], now: Date.now(), heartbeatMs: 1000 });
    // Beats keep it up, however long.
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(1000);
      first.play({ type: 'beat' });
    }
    expect(ScriptedSocket.last).toBe(first);
    expect(client.connected).toBe(true);
    // Then silence: given up after SILENT_HEARTBEATS, connected again after the backoff.
    await vi.advanceTimersByTimeAsync(SILENT_HEARTBEATS * 1000 + 1000);
    expect(client.connected).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ScriptedSocket.last).not.toBe(first);
    // A late message on the old link changes nothing.
    first.play({ type: 'alert', alert: alert(A, '2099-11-30T01:00:00.000Z'), replaces: [] });
    expect(client.alerts).toEqual([]);
    client.stop();
  });

  it('reconnects with the credential the platform accepted, without asking the reader driver again (a hung driver must not keep alerts away); asks again once refused', async () => {
    let asked = 0;
    const client = new AlertsClient({
      url: 'ws://x', WebSocket: ScriptedSocket as unknown as typeof WebSocket, random: () => 0,
      credential: async () => {
        asked++;
        return { id: 'tv', secret: 's' };
      },
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    ScriptedSocket.last!.play({ type: 'hello' });
    ScriptedSocket.last!.play({ type: 'ready', active: [], now: Date.now() });
    ScriptedSocket.last!.onclose!();
    await vi.advanceTimersByTimeAsync(1000);
    ScriptedSocket.last!.play({ type: 'hello' });
    expect(ScriptedSocket.last!.sent.at(-1)).toMatchObject({ type: 'auth', credential: 'tv:s' });
    expect(asked).toBe(1);
    ScriptedSocket.last!.play({ type: 'refused', code: 'AUTH_DEVICE_UNKNOWN' });
    ScriptedSocket.last!.onclose!();
    await vi.advanceTimersByTimeAsync(2000);
    expect(asked).toBe(2);
    client.stop();
  });

  it('a receipt the platform never confirmed on a live link is sent again at the next beat after a heartbeat (it could not store it), not only after a reconnect', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const client = new AlertsClient({ url: 'ws://x', credential: async () => ({ id: 'tv', secret: 's' }), WebSocket: ScriptedSocket as unknown as typeof WebSocket });
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = ScriptedSocket.last!;
    socket.play({ type: 'hello' });
    socket.play({ type: 'ready', active: [], now: Date.now(), heartbeatMs: 1000 });
    socket.play({ type: 'alert', alert: alert(A, '2099-11-30T01:00:00.000Z'), replaces: [] });
    client.acknowledge(A, 'evacuated');
    const acks = () => socket.sent.filter((m) => m.type === 'receipt' && m.kind === 'acknowledged').length;
    expect(acks()).toBe(1);
    // A beat sooner than a heartbeat after sending: it may still be on its way.
    await vi.advanceTimersByTimeAsync(500);
    socket.play({ type: 'beat' });
    expect(acks()).toBe(1);
    await vi.advanceTimersByTimeAsync(600);
    socket.play({ type: 'beat' });
    expect(acks()).toBe(2);
    socket.play({ type: 'receipted', receipts: [{ alertId: A, kind: 'acknowledged' }] });
    expect(client.pendingReceipts.filter((r) => r.kind === 'acknowledged')).toEqual([]);
    await vi.advanceTimersByTimeAsync(1100);
    socket.play({ type: 'beat' });
    expect(acks()).toBe(2);
    client.stop();
  });

  it('says when an answer is stored and when the link comes and goes, so the TV can tell the resident their answer arrived (or will)', async () => {
    const { client, socket } = await connected();
    let told = 0;
    client.subscribeStatus(() => told++);
    socket.play({ type: 'alert', alert: alert(A, '2099-11-30T01:00:00.000Z'), replaces: [] });
    client.acknowledge(A, 'evacuated');
    expect(client.answerState(A)).toBe('waiting');
    // Another kind's confirmation is not the answer's.
    socket.play({ type: 'receipted', receipts: [{ alertId: A, kind: 'displayed' }] });
    expect([told, client.answerState(A)]).toEqual([0, 'waiting']);
    socket.play({ type: 'receipted', receipts: [{ alertId: A, kind: 'acknowledged' }] });
    expect([told, client.answerState(A)]).toEqual([1, 'stored']);
    // The link drops: told once; an answer given now waits for the next link.
    socket.onclose?.();
    expect([told, client.connected]).toEqual([2, false]);
    socket.onclose?.();
    expect(told).toBe(2);
    client.acknowledge(A, 'safe_at_home');
    expect(client.answerState(A)).toBe('waiting');
    client.stop();
  });

  it('names the logged-in person on displayed and acknowledged (the platform stores who acknowledged), never on delivered', async () => {
    let session: string | null = 'token-of-taro';
    const client = new AlertsClient({ url: 'ws://x', credential: async () => ({ id: 'tv', secret: 's' }), session: () => session, WebSocket: ScriptedSocket as unknown as typeof WebSocket });
    client.start();
    await new Promise((r) => setImmediate(r));
    const socket = ScriptedSocket.last!;
    socket.play({ type: 'hello' });
    socket.play({ type: 'ready', active: [], now: Date.now() });
    socket.play({ type: 'alert', alert: { ...alert(A, '2026-11-30T01:00:00.000Z'), acknowledged: true }, replaces: [] });
    client.displayed(A);
    client.acknowledge(A, 'evacuated');
    session = null;
    client.acknowledge(A, 'safe_at_home');
    expect(socket.sent.filter((m) => m.type === 'receipt')).toEqual([
      { type: 'receipt', alertId: A, kind: 'delivered' },
      { type: 'receipt', alertId: A, kind: 'displayed', session: 'token-of-taro' },
      { type: 'receipt', alertId: A, kind: 'acknowledged', answer: 'evacuated', session: 'token-of-taro' },
      { type: 'receipt', alertId: A, kind: 'acknowledged', answer: 'safe_at_home' },
    ]);
    client.stop();
  });

  it('a TV the operator withdrew drops the receipts it kept (they can never be stored), in memory and in storage', async () => {
    const kept = new Map([[PENDING_RECEIPTS_KEY, JSON.stringify([{ alertId: A, kind: 'acknowledged', answer: 'evacuated' }, { alertId: B, kind: 'delivered' }])]]);
    const storage = { getItem: (k: string) => kept.get(k) ?? null, setItem: (k: string, v: string) => void kept.set(k, v) };
    const client = new AlertsClient({ url: 'ws://x', credential: async () => ({ id: 'tv', secret: 's' }), WebSocket: ScriptedSocket as unknown as typeof WebSocket, storage });
    client.start();
    await new Promise((r) => setImmediate(r));
    const socket = ScriptedSocket.last!;
    socket.play({ type: 'hello' });
    // Refused for another reason (a garbled message): the receipts stay.
    socket.play({ type: 'refused', code: 'REQ_INVALID' });
    expect(client.pendingReceipts).toHaveLength(2);
    socket.play({ type: 'refused', code: 'AUTH_DEVICE_WITHDRAWN' });
    expect(client.pendingReceipts).toEqual([]);
    expect(JSON.parse(kept.get(PENDING_RECEIPTS_KEY)!)).toEqual([]);
    // A page loaded afterwards has nothing to send either.
    expect(new AlertsClient({ url: 'ws://x', credential: async () => ({ id: 'tv', secret: 's' }), storage }).pendingReceipts).toEqual([]);
    client.stop();
  });

  it('a TV the operator withdrew stops showing the alerts it held (their text names the household)', async () => {
    const { client, socket } = await connected();
    const shown: string[][] = [];
    client.subscribe((all) => shown.push(all.map((a) => a.id)));
    socket.play({ type: 'alert', alert: alert(A, '2099-11-30T01:00:00.000Z'), replaces: [] });
    socket.play({ type: 'refused', code: 'REQ_INVALID' });
    expect(shown.at(-1)).toEqual([A]);
    socket.play({ type: 'refused', code: 'AUTH_DEVICE_WITHDRAWN' });
    expect(shown.at(-1)).toEqual([]);
    client.stop();
  });

  it('an alert shown at once sends only `displayed` (the platform stores it as delivered too)', async () => {
    const { client, socket } = await connected();
    socket.play({ type: 'alert', alert: alert(A, '2026-11-30T01:00:00.000Z'), replaces: [] });
    expect(socket.sent.filter((m) => m.type === 'receipt')).toEqual([]);
    client.displayed(A);
    expect(socket.sent.filter((m) => m.type === 'receipt')).toEqual([{ type: 'receipt', alertId: A, kind: 'displayed' }]);
    client.stop();
  });

  it('an alert not shown in time (another on screen) sends `delivered` alone; a page closing sends it too', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { client, socket } = await connected();
    socket.play({ type: 'alert', alert: alert(A, '2026-11-30T01:00:00.000Z'), replaces: [] });
    vi.advanceTimersByTime(DELIVERED_UNLESS_SHOWN_MS - 1);
    expect(socket.sent.filter((m) => m.type === 'receipt')).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(socket.sent.filter((m) => m.type === 'receipt')).toEqual([{ type: 'receipt', alertId: A, kind: 'delivered' }]);
    socket.play({ type: 'alert', alert: alert(B, '2026-11-30T01:00:00.000Z'), replaces: [] });
    client.stop();
    expect(client.pendingReceipts).toEqual([{ alertId: A, kind: 'delivered' }, { alertId: B, kind: 'delivered' }]);
  });

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

  it('an extension of an alert this TV already let go (expired, said so) is a new alarm, even one it had acknowledged', async () => {
    const { client, socket, arrivals } = await connected();
    socket.play({ type: 'alert', alert: alert(A, '2026-11-30T01:00:00.000Z'), replaces: [] });
    socket.play({ type: 'withdrawn', alertIds: [A], reason: 'expired' });
    // The platform no longer counts A as held here: the extension replaces nothing on this TV.
    socket.play({ type: 'alert', alert: alert(B, '2099-11-30T03:00:00.000Z'), replaces: [], extension: true });
    expect(arrivals.at(-1)).toBe(B);
    expect(client.alerts.map((a) => [a.id, a.acknowledged])).toEqual([[B, false]]);
    // Acknowledged, then let go here by the TV's own clock before the platform's word: the receipts
    // carried over make the extension arrive acknowledged, but the resident was told it had ended.
    const C = '00000000-0000-4000-8000-00000000000c';
    const D = '00000000-0000-4000-8000-00000000000d';
    socket.play({ type: 'alert', alert: alert(C, '2026-11-30T01:00:00.000Z'), replaces: [] });
    client.acknowledge(C);
    await new Promise((r) => setTimeout(r, 0)); // the expiry timer (C's expiry has passed)
    expect(client.alerts.map((a) => a.id)).toEqual([B]);
    socket.play({ type: 'alert', alert: { ...alert(D, '2099-11-30T03:00:00.000Z'), acknowledged: true }, replaces: [C], extension: true });
    expect(arrivals.at(-1)).toBe(D);
    expect(client.alerts.find((a) => a.id === D)?.acknowledged).toBe(false);
    client.stop();
  });

  it('after a reload, sends the acknowledgement the last page gave and no one confirmed, and does not sound that alert again', async () => {
    const kept = new Map([[PENDING_RECEIPTS_KEY, JSON.stringify([{ alertId: A, kind: 'acknowledged', answer: 'safe_at_home' }])]]);
    const storage = { getItem: (k: string) => kept.get(k) ?? null, setItem: (k: string, v: string) => void kept.set(k, v) };
    const { client, socket, arrivals } = await connected(storage);
    expect(socket.sent.filter((m) => m.type === 'receipt')).toEqual([{ type: 'receipt', alertId: A, kind: 'acknowledged', answer: 'safe_at_home' }]);
    // The platform pushes the alert again (the new page holds nothing): acknowledged already, no overlay.
    socket.play({ type: 'alert', alert: alert(A, '2026-11-30T01:00:00.000Z'), replaces: [] });
    expect(arrivals).toEqual([null]);
    expect(client.alerts.map((a) => a.acknowledged)).toEqual([true]);
    socket.play({ type: 'receipted', receipts: [{ alertId: A, kind: 'acknowledged' }] });
    expect(client.pendingReceipts).toEqual([{ alertId: A, kind: 'delivered' }]);
    expect(JSON.parse(kept.get(PENDING_RECEIPTS_KEY)!)).toEqual([{ alertId: A, kind: 'delivered' }]);
    client.stop();
  });

  it('lets go of an alert at its expiry by its own clock, as the platform\'s `expired` would; named in `have` after, it is not shown again', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2026-12-02T00:00:00.000Z'));
    const { client, socket } = await connected();
    const changes: AlertsChange[] = [];
    client.subscribe((_all, _arrived, change) => changes.push(change));
    socket.play({ type: 'alert', alert: alert(A, '2026-12-02T00:01:00.000Z'), replaces: [] });
    socket.play({ type: 'alert', alert: alert(B, '2026-12-02T00:02:00.000Z'), replaces: [] });
    // The link goes down, unnoticed: nothing more comes from the platform.
    vi.advanceTimersByTime(60_000 - 1);
    expect(client.alerts.map((a) => a.id)).toEqual([A, B]);
    vi.advanceTimersByTime(1);
    expect(client.alerts.map((a) => a.id)).toEqual([B]);
    expect(changes.at(-1)).toEqual({ withdrawn: [A], expired: true });
    // Re-armed for the next nearest.
    vi.advanceTimersByTime(60_000);
    expect(client.alerts).toEqual([]);
    expect(changes.at(-1)).toEqual({ withdrawn: [B], expired: true });
    expect(changes).toHaveLength(4);

    // Back: both are still named, so the platform (whose clock is behind) does not send B again.
    socket.onclose?.();
    await vi.advanceTimersByTimeAsync(1_000);
    const next = ScriptedSocket.last!;
    expect(next).not.toBe(socket);
    next.play({ type: 'hello' });
    expect(next.sent.find((m) => m.type === 'auth')).toMatchObject({ have: [A, B] });
    next.play({ type: 'ready', active: [B], now: Date.now() });
    next.play({ type: 'alert', alert: alert(B, '2026-12-02T00:02:00.000Z'), replaces: [] });
    expect(client.alerts).toEqual([]);
    expect(changes).toHaveLength(4);
    // The platform's own `expired` for B comes later: nothing is held, and B is named no more.
    next.play({ type: 'withdrawn', alertIds: [B], reason: 'expired' });
    expect(client.alerts).toEqual([]);
    next.onclose?.();
    await vi.advanceTimersByTimeAsync(2_000);
    ScriptedSocket.last!.play({ type: 'hello' });
    expect(ScriptedSocket.last!.sent.find((m) => m.type === 'auth')).toMatchObject({ have: [] });
    client.stop();
  });

  it('ends alerts by the platform\'s clock from its `ready` on, not by its own: a TV clock two hours ahead (or one behind) ends nothing early (or late)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    for (const skewMs of [2 * 3600_000, -3600_000]) {
      const platformNow = Date.parse('2026-12-02T00:00:00.000Z');
      vi.setSystemTime(platformNow + skewMs);
      const client = new AlertsClient({ url: 'ws://x', credential: async () => ({ id: 'tv', secret: 's' }), WebSocket: ScriptedSocket as unknown as typeof WebSocket });
      const changes: AlertsChange[] = [];
      client.subscribe((_all, _arrived, change) => changes.push(change));
      client.start();
      await vi.advanceTimersByTimeAsync(0);
      const socket = ScriptedSocket.last!;
      socket.play({ type: 'hello' });
      // Its own clock until the platform's is known.
      expect(client.now()).toBe(platformNow + skewMs);
      socket.play({ type: 'ready', active: [], now: platformNow });
      expect(client.now()).toBe(platformNow);
      socket.play({ type: 'alert', alert: alert(A, '2026-12-02T00:30:00.000Z'), replaces: [] });
      vi.advanceTimersByTime(30 * 60_000 - 1);
      expect(client.alerts.map((a) => a.id)).toEqual([A]);
      vi.advanceTimersByTime(1);
      expect(client.alerts).toEqual([]);
      expect(changes.at(-1)).toEqual({ withdrawn: [A], expired: true });
      client.stop();
    }
  });

  it('an expiry further off than setTimeout can wait (24.8 days) is waited for in steps, not taken at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2026-12-02T00:00:00.000Z'));
    const { client, socket } = await connected();
    const days = (n: number) => n * 24 * 3600_000;
    // A longer wait given to setTimeout fires at once (and again, and again): none is ever asked for.
    const waits: number[] = [];
    const faked = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      waits.push(ms ?? 0);
      return faked(fn, ms);
    }) as typeof setTimeout);
    socket.play({ type: 'alert', alert: alert(A, new Date(Date.now() + days(40)).toISOString()), replaces: [] });
    expect(Math.max(...waits)).toBe(MAX_TIMER_MS);
    vi.advanceTimersByTime(1_000);
    expect(client.alerts.map((a) => a.id)).toEqual([A]);
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(client.alerts.map((a) => a.id)).toEqual([A]);
    vi.advanceTimersByTime(days(40) - MAX_TIMER_MS - 1_000 - 1);
    expect(client.alerts.map((a) => a.id)).toEqual([A]);
    vi.advanceTimersByTime(1);
    expect(client.alerts).toEqual([]);
    expect(Math.max(...waits)).toBe(MAX_TIMER_MS);
    spy.mockRestore();
    client.stop();
  });
});
