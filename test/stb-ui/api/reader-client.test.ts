import { describe, expect, it } from 'vitest';
import {
  DriverError, ReaderClient, type DriverEvent, type ResumeStore, type SocketLike,
} from '../../../stb-ui/src/api/reader-client.js';
import { DEFAULT_READER_URL, readerUrlFrom } from '../../../stb-ui/src/config.js';

/** A socket the test plays the driver on: it sees what the page sends and answers by hand. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: any[] = [];
  closed = false;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;

  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
    this.readyState = 3;
    this.onclose?.({});
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
  receive(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  last() {
    return this.sent[this.sent.length - 1];
  }
  /** `holding`: the ids the driver says it still holds (absent, as from an older driver: not said). */
  answerHello(session: string, resumed: boolean, readers = [{ name: 'Demo card bay', cardPresent: false }], holding?: string[]) {
    const hello = this.sent.find((m) => m.cmd === 'hello');
    this.receive({ v: 1, re: hello.id, ok: true, result: { protocol: 1, session, resumed, bays: ['virtual'], demo: true, readers, ...(holding ? { holding } : {}) } });
  }
}

/** Manual clock and timers. */
function clock() {
  let now = 0;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 0;
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      const id = ++next;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimer: (id: unknown) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers[0];
        if (!t || t.at > until) break;
        timers.shift();
        now = t.at;
        t.fn();
      }
      now = until;
    },
  };
}

function setup(store?: ResumeStore) {
  const sockets: FakeSocket[] = [];
  const c = clock();
  const client = new ReaderClient({
    url: 'ws://127.0.0.1:1/v1', socket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    resumeStore: store, backoffMs: [100, 200, 400], staleAfterMs: 3000, ...c,
  });
  return { client, sockets, clock: c, socket: () => sockets[sockets.length - 1]! };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

/** A client whose link is open: started, socket open, hello answered (session S1, not resumed). */
async function opened(store?: ResumeStore) {
  const s = setup(store);
  s.client.start();
  s.socket().open();
  s.socket().answerHello('S1', false);
  await flush();
  return s;
}

function memoryStore(initial: string | null = null): ResumeStore & { value: string | null } {
  const store = { value: initial, get: () => store.value, set: (v: string | null) => void (store.value = v) };
  return store;
}

describe('ReaderClient', () => {
  it('says hello on open, keeps the session token, and reports the readers', async () => {
    const store = memoryStore();
    const s = setup(store);
    s.client.start();
    expect(s.client.state).toBe('connecting');
    s.socket().open();
    expect(s.socket().last()).toMatchObject({ v: 1, cmd: 'hello', client: 'stb-tv' });
    expect(s.socket().last().resume).toBeUndefined();
    s.socket().answerHello('S1', false);
    await flush();
    expect(s.client.state).toBe('open');
    expect(store.value).toBe('S1');
    expect(s.client.readers).toEqual([{ name: 'Demo card bay', cardPresent: false }]);
    expect(s.client.cardPresent).toBe(false);
  });

  it('matches answers to requests by id and rejects with the catalogue error', async () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    s.socket().answerHello('S1', false);
    await flush();
    const a = s.client.send('pin.status', { key: 'auth' });
    const b = s.client.request('sign', { key: 'auth', pin: '0000', digestInfo: 'AA==' });
    const [ma, mb] = s.socket().sent.slice(-2);
    expect(ma).toMatchObject({ v: 1, id: a.id, cmd: 'pin.status', key: 'auth' });
    s.socket().receive({ v: 1, re: mb.id, ok: false, error: { code: 'CARD_PIN_WRONG', message: 'The PIN is wrong', ja: '暗証番号が違います。', details: { triesLeft: 2 } } });
    s.socket().receive({ v: 1, re: a.id, ok: true, result: { key: 'auth', triesLeft: 2, blocked: false } });
    await expect(a.result).resolves.toEqual({ key: 'auth', triesLeft: 2, blocked: false });
    const err = await b.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect((err as DriverError).code).toBe('CARD_PIN_WRONG');
    expect((err as DriverError).error.details).toEqual({ triesLeft: 2 });
  });

  it('fails a request at once while not connected, with READER_UNAVAILABLE', async () => {
    const s = setup();
    s.client.start();
    await expect(s.client.request('readers.list', {})).rejects.toMatchObject({ error: { code: 'READER_UNAVAILABLE' } });
  });

  it('follows reader and card events, and passes every event to subscribers', async () => {
    const s = setup();
    const seen: DriverEvent[] = [];
    let changes = 0;
    s.client.onEvent((e) => seen.push(e));
    s.client.onChange(() => changes++);
    s.client.start();
    s.socket().open();
    s.socket().answerHello('S1', false);
    await flush();
    s.socket().receive({ v: 1, event: 'card.inserted', data: { name: 'Demo card bay', cardPresent: true, atr: '3B' } });
    expect(s.client.cardPresent).toBe(true);
    s.socket().receive({ v: 1, event: 'reader.added', data: { name: 'USB', cardPresent: false } });
    expect(s.client.readers.map((r) => r.name)).toEqual(['Demo card bay', 'USB']);
    s.socket().receive({ v: 1, event: 'reader.removed', data: { name: 'USB', cardPresent: false } });
    s.socket().receive({ v: 1, event: 'heartbeat', data: { at: 'now' } });
    expect(s.client.readers.map((r) => r.name)).toEqual(['Demo card bay']);
    expect(seen.map((e) => e.event)).toEqual(['card.inserted', 'reader.added', 'reader.removed', 'heartbeat']);
    expect(changes).toBeGreaterThanOrEqual(4);
  });

  it('reconnects with backoff and resumes, so an answer that came while away still arrives', async () => {
    const store = memoryStore();
    const s = setup(store);
    s.client.start();
    s.socket().open();
    s.socket().answerHello('S1', false);
    await flush();
    const pending = s.client.request('sign', { key: 'auth', pin: '1234', digestInfo: 'AA==' });
    const id = s.socket().last().id;
    s.socket().drop();
    expect(s.client.state).toBe('reconnecting');
    s.clock.advance(99);
    expect(s.sockets).toHaveLength(1);
    s.clock.advance(1);
    expect(s.sockets).toHaveLength(2);
    s.socket().drop(); // the driver is still away: the next wait is longer
    s.clock.advance(199);
    expect(s.sockets).toHaveLength(2);
    s.clock.advance(1);
    expect(s.sockets).toHaveLength(3);
    s.socket().open();
    expect(s.socket().last()).toMatchObject({ cmd: 'hello', resume: 'S1' });
    s.socket().answerHello('S1', true);
    s.socket().receive({ v: 1, re: id, ok: true, result: { signature: 'SIG', certificate: 'CERT' } });
    await expect(pending).resolves.toEqual({ signature: 'SIG', certificate: 'CERT' });
    expect(s.client.state).toBe('open');
  });

  it('a link back and resumed within lossConfirmMs fails at once what the driver does not hold (READER_REQUEST_LOST, fate unknown), and still waits for what it holds', async () => {
    const s = await opened(memoryStore());
    const lost = s.client.request('sign', { key: 'auth', pin: '1234', digestInfo: 'AA==' });
    let outcome: unknown = 'waiting';
    lost.catch((e: unknown) => (outcome = e));
    const held = s.client.request('pin.status', { key: 'auth' });
    const heldId = s.socket().last().id;
    s.socket().drop();
    s.clock.advance(100);
    s.socket().open();
    s.socket().answerHello('S1', true, undefined, [heldId]);
    await flush();
    expect(outcome).toBeInstanceOf(DriverError);
    expect(outcome).toMatchObject({ code: 'READER_REQUEST_LOST', unsent: false });
    s.socket().receive({ v: 1, re: heldId, ok: true, result: { key: 'auth', triesLeft: 2, blocked: false } });
    await expect(held).resolves.toEqual({ key: 'auth', triesLeft: 2, blocked: false });
    // Nothing was sent again by itself.
    expect(s.sockets.flatMap((k) => k.sent).filter((m) => m.cmd === 'sign')).toHaveLength(1);
  });

  it('an older driver whose hello lists nothing it holds: what waits keeps waiting (unknown is not lost)', async () => {
    const s = await opened(memoryStore());
    const pending = s.client.request('pin.status', { key: 'auth' });
    let outcome: unknown = 'waiting';
    pending.catch((e: unknown) => (outcome = e));
    s.socket().drop();
    s.clock.advance(100);
    s.socket().open();
    s.socket().answerHello('S1', true);
    await flush();
    expect(outcome).toBe('waiting');
  });

  it('resumes the session kept by the previous page load', async () => {
    const s = setup(memoryStore('S-old'));
    s.client.start();
    s.socket().open();
    expect(s.socket().last()).toMatchObject({ cmd: 'hello', resume: 'S-old' });
  });

  it('fails requests the driver forgot (no resume) instead of leaving them waiting', async () => {
    const s = setup(memoryStore());
    s.client.start();
    s.socket().open();
    s.socket().answerHello('S1', false);
    await flush();
    const pending = s.client.request('pin.status', { key: 'auth' });
    s.socket().drop();
    s.clock.advance(100);
    s.socket().open();
    s.socket().answerHello('S2', false);
    await expect(pending).rejects.toMatchObject({ error: { code: 'READER_UNAVAILABLE' } });
  });

  it('takes a silent link as dead and reopens it (heartbeat awareness)', async () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    s.socket().answerHello('S1', false);
    await flush();
    s.clock.advance(2000);
    s.socket().receive({ v: 1, event: 'heartbeat', data: { at: 'x' } });
    s.clock.advance(2500);
    expect(s.sockets).toHaveLength(1);
    s.clock.advance(2000);
    expect(s.sockets[0]!.closed).toBe(true);
    expect(s.client.state).toBe('reconnecting');
    s.clock.advance(100);
    expect(s.sockets).toHaveLength(2);
  });

  it('fails at once a request sent into a socket that is already closing (its close not yet told)', async () => {
    const s = await opened();
    s.socket().readyState = 2;
    await expect(s.client.request('pin.status', { key: 'auth' })).rejects.toMatchObject({ error: { code: 'READER_UNAVAILABLE' }, unsent: true });
    expect(s.socket().sent.filter((m) => m.cmd === 'pin.status')).toEqual([]);
  });

  it('fails what waits on a lost link once it is not back within lossConfirmMs, and never sends it again', async () => {
    const s = await opened(memoryStore());
    const pending = s.client.request('sign', { key: 'auth', pin: '1234', digestInfo: 'AA==' });
    let outcome: unknown = 'waiting';
    pending.catch((e: unknown) => (outcome = e));
    s.socket().drop();
    s.clock.advance(1499);
    await flush();
    expect(outcome).toBe('waiting');
    s.clock.advance(1);
    await flush();
    // Sent, then the link went: whether the card saw it is unknown.
    expect(outcome).toMatchObject({ error: { code: 'READER_UNAVAILABLE' }, unsent: false });
    s.socket().open();
    s.socket().answerHello('S1', true);
    expect(s.sockets.flatMap((k) => k.sent).filter((m) => m.cmd === 'sign')).toHaveLength(1);
  });

  it('takes a link whose driver stops answering as dead while a request waits (ping unanswered), then fails the request', async () => {
    const s = await opened();
    const pending = s.client.request('pin.status', { key: 'auth' });
    s.clock.advance(1500);
    expect(s.socket().last()).toMatchObject({ cmd: 'ping' });
    s.clock.advance(1500);
    expect(s.sockets[0]!.closed).toBe(true);
    expect(s.client.state).toBe('reconnecting');
    s.clock.advance(1500);
    await expect(pending).rejects.toMatchObject({ error: { code: 'READER_UNAVAILABLE' } });
  });

  it('a driver that answers the ping keeps a slow request waiting', async () => {
    const s = await opened();
    const pending = s.client.request('pin.status', { key: 'auth' });
    const id = s.socket().last().id;
    s.clock.advance(1500);
    s.socket().receive({ v: 1, re: s.socket().last().id, ok: true, result: { pong: 'x' } });
    s.clock.advance(2500);
    expect(s.sockets).toHaveLength(1);
    s.socket().receive({ v: 1, re: id, ok: true, result: { key: 'auth', triesLeft: 3, blocked: false } });
    await expect(pending).resolves.toEqual({ key: 'auth', triesLeft: 3, blocked: false });
  });

  it('stop closes the link for good', async () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    s.client.stop();
    expect(s.client.state).toBe('closed');
    s.clock.advance(10_000);
    expect(s.sockets).toHaveLength(1);
  });
});

describe('ReaderClient.deviceCredential', () => {
  it('waits for a link that is still connecting, then asks the driver', async () => {
    const s = setup();
    s.client.start();
    const credential = s.client.deviceCredential();
    await flush();
    s.socket().open();
    expect(s.socket().sent.map((m) => m.cmd)).toEqual(['hello']);
    s.socket().answerHello('S1', false);
    await flush();
    const ask = s.socket().last();
    expect(ask).toMatchObject({ cmd: 'device.credential' });
    s.socket().receive({ v: 1, re: ask.id, ok: true, result: { id: 'tv-1', secret: 's3cret' } });
    await expect(credential).resolves.toEqual({ id: 'tv-1', secret: 's3cret' });
  });

  it('fails with READER_UNAVAILABLE once the connection attempt has failed (no endless wait)', async () => {
    const s = setup();
    s.client.start();
    const credential = s.client.deviceCredential();
    s.socket().drop();
    await expect(credential).rejects.toMatchObject({ code: 'READER_UNAVAILABLE' });
  });
});

describe('readerUrlFrom', () => {
  it('takes the reader query parameter when it is a WebSocket URL', () => {
    expect(readerUrlFrom('?reader=ws://127.0.0.1:5555/v1')).toBe('ws://127.0.0.1:5555/v1');
    expect(readerUrlFrom('?reader=javascript:alert(1)')).toBe(DEFAULT_READER_URL);
    expect(readerUrlFrom('')).toBe('ws://127.0.0.1:24780/v1');
  });
});
