import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCardFile } from '../../../platform/src/jpki/dev-center/index.js';
import { JpkiClient } from '../../../reader-driver/src/card/jpki-client.js';
import { runTs } from '../../helpers/process.js';
import { buildTestCard } from '../pcsc/card-fixture.js';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { PcscReaderBay } from '../../../reader-driver/src/pcsc/index.js';
import type { ApduProcessor } from '../../../reader-driver/src/virtual-card/apdu-processor.js';
import { VpcdBridge } from '../../../reader-driver/src/virtual-card/vpcd-bridge.js';
import { VPCD_DEFAULT_PORT, VpcdFrameDecoder, encodeVpcdFrame } from '../../../reader-driver/src/virtual-card/vpcd-protocol.js';
import { cardIn, cardOut, nextEvent, openRequiredPcscBay, VPCD_READER } from '../pcsc/pcsc-env.js';

const ATR = Uint8Array.from(Buffer.from('3BE000FF8131FE4514', 'hex'));

/** A trivial card: SELECT answers 9000, anything else is echoed back followed by 9000. */
class EchoCard implements ApduProcessor {
  readonly atr = ATR;
  readonly calls: string[] = [];
  powerOn() {
    this.calls.push('powerOn');
    return ATR;
  }
  powerOff() {
    this.calls.push('powerOff');
  }
  reset() {
    this.calls.push('reset');
    return ATR;
  }
  async process(command: Uint8Array) {
    if (command[1] === 0xa4) return Uint8Array.of(0x90, 0x00);
    return Uint8Array.from([...command, 0x90, 0x00]);
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

// Slot 1 of vpcd (port 35964), so this file can run beside test/reader-driver/pcsc, which uses slot 0.
// Every test here and in the virtual-card describe below starts from an empty slot 1 (as pcscd
// reports it) and takes its own card out again, so they run in any order.
describe('VpcdBridge through pcscd (vpcd slot 1)', () => {
  const reader = VPCD_READER(1);
  let bay: PcscReaderBay;

  beforeAll(async () => {
    bay = await openRequiredPcscBay(1);
  });
  afterAll(() => bay?.close());

  /** This test's own card and bridge, not started, on a reader pcscd reports empty; out again at the end. */
  async function ownBridge(): Promise<{ card: EchoCard; bridge: VpcdBridge }> {
    await cardOut(bay, reader);
    const card = new EchoCard();
    const bridge = new VpcdBridge(card, { port: VPCD_DEFAULT_PORT + 1, reconnectDelayMs: 100 });
    onTestFinished(async () => {
      await bridge.close();
      await cardOut(bay, reader);
    });
    return { card, bridge };
  }

  it('presents the card in the vpcd reader and answers its APDUs', async () => {
    const { card, bridge } = await ownBridge();
    const inserted = cardIn(bay, reader);
    await bridge.waitConnected();
    const info = await inserted;
    expect(info).toMatchObject({ name: reader, cardPresent: true, atr: hex(ATR) });
    expect(card.calls).toContain('powerOn');

    const session = await bay.connect(reader);
    expect(hex(session.atr)).toBe(hex(ATR));
    const selectJpki = Uint8Array.from(Buffer.from('00A4040C0AD392F000260100000001', 'hex'));
    expect(hex(await session.transmit(selectJpki))).toBe('9000');
    const readBinary = Uint8Array.of(0x00, 0xb0, 0x00, 0x00, 0x10);
    expect(hex(await session.transmit(readBinary))).toBe(`${hex(readBinary)}9000`);
    await session.disconnect();
  });

  it('takes the card out on close() and puts it back on start()', async () => {
    const { card, bridge } = await ownBridge();
    const first = cardIn(bay, reader);
    bridge.start();
    await first;
    const removed = nextEvent(bay, 'card.removed', reader);
    await bridge.close();
    expect(bridge.isConnected).toBe(false);
    expect(await removed).toMatchObject({ name: reader, cardPresent: false });
    expect(card.calls.at(-1)).toBe('powerOff');

    const inserted = nextEvent(bay, 'card.inserted', reader);
    bridge.start();
    expect(await inserted).toMatchObject({ name: reader, cardPresent: true });
  });
});

describe('VpcdBridge against a stand-in vpcd socket', () => {
  let server: Server;
  let port: number;
  const accepted: Socket[] = [];
  let bridge: VpcdBridge | undefined;

  beforeAll(async () => {
    server = createServer((socket) => accepted.push(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  });
  afterEach(async () => {
    await bridge?.close();
    for (const s of accepted.splice(0)) s.destroy();
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Reads frames from the bridge's side of a socket. */
  function frames(socket: Socket) {
    const decoder = new VpcdFrameDecoder();
    const queue: Buffer[] = [];
    const waiters: ((b: Buffer) => void)[] = [];
    socket.on('data', (chunk) => {
      for (const p of decoder.push(chunk)) {
        const w = waiters.shift();
        if (w) w(p);
        else queue.push(p);
      }
    });
    return () => new Promise<Buffer>((resolve) => (queue.length ? resolve(queue.shift()!) : waiters.push(resolve)));
  }

  /** The next connection the stand-in vpcd accepts (the bridge dialling in). */
  async function nextSocket(): Promise<Socket> {
    const [socket] = (await once(server, 'connection')) as [Socket];
    return socket;
  }

  it('answers GET ATR and APDUs, even when frames arrive split and merged', async () => {
    const card = new EchoCard();
    bridge = new VpcdBridge(card, { port, reconnectDelayMs: 50 }).start();
    const socket = await nextSocket();
    const read = frames(socket);

    socket.write(encodeVpcdFrame(Uint8Array.of(0x01))); // power on: no answer expected
    socket.write(encodeVpcdFrame(Uint8Array.of(0x04)));
    expect(hex(await read())).toBe(hex(ATR));
    expect(card.calls).toEqual(['powerOn']);

    // One APDU split mid-length, then two APDUs in one write.
    const apdu = encodeVpcdFrame(Uint8Array.of(0x00, 0xb0, 0x00, 0x00, 0x10));
    await new Promise((resolve) => socket.write(apdu.subarray(0, 1), resolve));
    socket.write(Buffer.concat([apdu.subarray(1), encodeVpcdFrame(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, 0x01, 0x01)), encodeVpcdFrame(Uint8Array.of(0x02))]));
    expect(hex(await read())).toBe('00B00000109000');
    expect(hex(await read())).toBe('9000');
    // The reset has no answer; the GET ATR after it does, and frames are answered in order.
    socket.write(encodeVpcdFrame(Uint8Array.of(0x04)));
    expect(hex(await read())).toBe(hex(ATR));
    expect(card.calls).toEqual(['powerOn', 'reset']);
  });

  it('reconnects when vpcd drops the connection, and stops on close()', async () => {
    const card = new EchoCard();
    bridge = new VpcdBridge(card, { port, reconnectDelayMs: 50 }).start();
    const first = await nextSocket();
    await bridge.waitConnected();
    expect(bridge.isConnected).toBe(true);

    const disconnected = once(bridge, 'disconnected');
    const reconnected = nextSocket();
    first.destroy(); // vpcd (pcscd) restarted
    await disconnected;
    expect(card.calls.at(-1)).toBe('powerOff');
    const second = await reconnected;
    const read = frames(second);
    second.write(encodeVpcdFrame(Uint8Array.of(0x04)));
    expect(hex(await read())).toBe(hex(ATR));

    // Closed, it schedules no reconnection: no timer is left on the (fake) clock.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => void vi.useRealTimers());
    const ended = once(second, 'close');
    await bridge.close();
    await ended;
    expect(vi.getTimerCount()).toBe(0);
    expect(bridge.isConnected).toBe(false);
  });

  /**
   * Event-loop turns until the bridge has a retry timer on the fake clock (its refused dial closed),
   * bounded. Not vi.waitFor or expect.poll: with fake timers they advance the clock themselves.
   */
  async function untilRetryScheduled(): Promise<void> {
    for (let turn = 0; turn < 10_000 && vi.getTimerCount() === 0; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(vi.getTimerCount()).toBe(1);
  }

  it('keeps retrying while nothing listens, then connects', async () => {
    const spare = createServer();
    spare.listen(0, '127.0.0.1');
    await once(spare, 'listening');
    const sparePort = (spare.address() as { port: number }).port;
    await new Promise<void>((resolve) => spare.close(() => resolve()));

    // The retry delay on a fake clock: each refused dial leaves exactly one retry timer.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => void vi.useRealTimers());
    bridge = new VpcdBridge(new EchoCard(), { port: sparePort, reconnectDelayMs: 30 }).start();
    for (let attempt = 0; attempt < 3; attempt++) {
      await untilRetryScheduled(); // this dial was refused
      expect(bridge.isConnected).toBe(false);
      if (attempt < 2) await vi.advanceTimersByTimeAsync(30);
    }
    const late = createServer((s) => accepted.push(s));
    late.listen(sparePort, '127.0.0.1');
    await once(late, 'listening');
    const connected = once(bridge, 'connected');
    await vi.advanceTimersByTimeAsync(30);
    vi.useRealTimers();
    await connected;
    expect(bridge.isConnected).toBe(true);
    await bridge.close();
    await new Promise<void>((resolve) => late.close(() => resolve()));
  });
});

// `npm run virtual-card -- --card CARD.json --vpcd`: the card appears in pcscd's vpcd reader for
// any PC/SC program. vpcd slot 1 again: in this file so it never runs beside the bridge test.
describe('npm run virtual-card (vpcd slot 1)', () => {
  const reader = VPCD_READER(1);
  let bay: PcscReaderBay;
  beforeAll(async () => {
    bay = await openRequiredPcscBay(1);
  });
  afterAll(() => bay?.close());

  it('presents the card file in the vpcd reader until stopped, persisting a wrong PIN', async () => {
    await cardOut(bay, reader); // the bridge tests' cards may only just be leaving
    const path = join(mkdtempSync(join(tmpdir(), 'vcard-')), 'card.json');
    await writeCardFile(path, buildTestCard().file);
    const inserted = cardIn(bay, reader, 15_000);
    const run = runTs('reader-driver/src/cli/virtual-card.ts', ['--card', path, '--vpcd', '--port', String(VPCD_DEFAULT_PORT + 1), '--latency', 'off'], {});
    try {
      await inserted;
      const session = await bay.connect(reader);
      try {
        const client = new JpkiClient(session);
        expect(await client.tokenLabel()).toBe('JPKIAPICCTOKEN2');
        await expect(client.sign('auth', '0000', new Uint8Array(51))).rejects.toMatchObject({ code: 'CARD_PIN_WRONG', details: { triesLeft: 2 } });
      } finally {
        await session.disconnect();
      }
      expect(JSON.parse(readFileSync(path, 'utf8')).pins.auth.triesLeft).toBe(2);
      const removed = nextEvent(bay, 'card.removed', reader, 10_000);
      run.child.kill('SIGTERM');
      await removed;
      // Asked again while stopping: still a clean exit (once, this was Node's default kill).
      run.child.kill('SIGTERM');
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
  });
});
