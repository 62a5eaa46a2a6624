import { EventEmitter } from 'node:events';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { AppError } from '../../../platform/src/shared/errors.js';
import { loadBinding, type BindingContext, type BindingReader } from '../../../reader-driver/src/pcsc/binding.js';
import { openPcscBay, PcscCode, translatePcscError, type PcscBayOptions, type PcscReaderBay } from '../../../reader-driver/src/pcsc/index.js';
import type { ReaderInfo } from '../../../reader-driver/src/transport/transport.js';

// The bay's state machine and error translation against a stand-in for the `pcsclite` binding
// (its events and callbacks, as read from node-pcsclite 1.0.1). The real thing is exercised
// through pcscd + vpcd in pcsc-transport.test.ts.

const EMPTY = 0x10;
const PRESENT = 0x20;
const ATR = Buffer.from('3BE000FF8131FE4514', 'hex');
const SELECT_JPKI = Uint8Array.from(Buffer.from('00A4040C0AD392F000260100000001', 'hex'));
const pcscError = (fn: string, code: number) => new Error(`${fn} error: something.(0x${code.toString(16).padStart(8, '0')})`);

type Reply = Buffer | Error | ((command: Buffer) => Buffer | Error | Promise<Buffer | Error>);

class FakeReader extends EventEmitter implements BindingReader {
  readonly SCARD_SHARE_SHARED = 2;
  readonly SCARD_SHARE_EXCLUSIVE = 1;
  readonly SCARD_PROTOCOL_T0 = 1;
  readonly SCARD_PROTOCOL_T1 = 2;
  readonly SCARD_LEAVE_CARD = 0;
  readonly SCARD_RESET_CARD = 1;
  connected = false;
  closed = false;
  protocol = 2;
  shareModes: number[] = [];
  connectErrors: Error[] = [];
  replies: Reply[] = [];
  sent: string[] = [];
  constructor(readonly name: string) {
    super();
  }
  status(state: number, atr: Buffer = state & PRESENT ? ATR : Buffer.alloc(0)) {
    this.emit('status', { state, atr });
  }
  connect(options: { share_mode: number; protocol: number }, cb: (err: Error | null, p?: number) => void) {
    if (this.connected) return setImmediate(() => cb(null, undefined));
    const err = this.connectErrors.shift();
    setImmediate(() => {
      if (err) return cb(err);
      this.connected = true;
      this.shareModes.push(options.share_mode);
      cb(null, this.protocol);
    });
  }
  disconnect(_d: number, cb: (err: Error | null) => void) {
    this.connected = false;
    setImmediate(() => cb(null));
  }
  transmit(data: Buffer, _len: number, _protocol: number, cb: (err: Error | null, r: Buffer) => void) {
    this.sent.push(data.toString('hex').toUpperCase());
    const reply = this.replies.shift() ?? Buffer.from([0x90, 0x00]);
    void Promise.resolve(typeof reply === 'function' ? reply(data) : reply).then((r) => (r instanceof Error ? cb(r, Buffer.alloc(0)) : cb(null, r)));
  }
  close() {
    this.closed = true;
  }
}

class FakeContext extends EventEmitter implements BindingContext {
  closed = false;
  close() {
    this.closed = true;
  }
}

/** A bay on the fake binding; `contexts` records every context the bay established. */
async function fakeBay(options: PcscBayOptions = {}) {
  const contexts: FakeContext[] = [];
  let refuse = false;
  const factory = () => {
    if (refuse) throw pcscError('SCardEstablishContext', PcscCode.NO_SERVICE);
    const c = new FakeContext();
    contexts.push(c);
    return c;
  };
  const result = await openPcscBay({ settleMs: 200, lossConfirmMs: 100, ...options, loadBinding: async () => ({ ok: true, factory }) });
  if (!result.ok) throw new Error(result.reason);
  const events: string[] = [];
  for (const e of ['reader.added', 'reader.removed', 'card.inserted', 'card.removed'] as const) {
    result.bay.on(e, (info: ReaderInfo) => events.push(`${e} ${info.name}${info.atr ? ` ${info.atr}` : ''}`));
  }
  return { bay: result.bay, contexts, events, refuseService: (v: boolean) => (refuse = v) };
}

function plugReader(context: FakeContext, name: string, state = EMPTY): FakeReader {
  const reader = new FakeReader(name);
  context.emit('reader', reader);
  reader.status(state);
  return reader;
}

async function withCard(bay: PcscReaderBay, context: FakeContext) {
  const reader = plugReader(context, 'R1', PRESENT | (1 << 16));
  const session = await bay.connect('R1');
  return { reader, session };
}

describe('openPcscBay', () => {
  it('says how to install PC/SC when the binding is missing', async () => {
    const result = await openPcscBay({ loadBinding: () => loadBinding('pcsclite-that-is-not-installed') });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('READER_UNAVAILABLE');
    expect(result.reason).toContain("the PC/SC binding 'pcsclite-that-is-not-installed' cannot be loaded");
    expect(result.reason).toContain('apt-get install -y pcscd vsmartcard-vpcd libpcsclite-dev');
    expect(result.reason).toContain('bash .ci/start-pcscd');
  });

  it('says pcscd is not reachable when the context cannot be established', async () => {
    const factory = () => {
      throw pcscError('SCardEstablishContext', PcscCode.NO_SERVICE);
    };
    const result = await openPcscBay({ loadBinding: async () => ({ ok: true, factory }) });
    expect(result).toMatchObject({ ok: false, code: 'READER_UNAVAILABLE' });
    if (!result.ok) expect(result.reason).toMatch(/^pcscd is not reachable .*bash \.ci\/start-pcscd/s);
  });
});

describe('PcscReaderBay events', () => {
  it('announces readers and cards from the status flags, a card already present included', async () => {
    const { bay, contexts, events } = await fakeBay();
    const r1 = plugReader(contexts[0]!, 'R1');
    plugReader(contexts[0]!, 'R2', PRESENT);
    r1.status(PRESENT | (1 << 16));
    r1.status(EMPTY | (2 << 16));
    expect(events).toEqual([
      'reader.added R1',
      'reader.added R2 3BE000FF8131FE4514',
      'card.inserted R2 3BE000FF8131FE4514',
      'card.inserted R1 3BE000FF8131FE4514',
      'card.removed R1',
    ]);
    expect(bay.readers()).toEqual([
      { name: 'R1', cardPresent: false },
      { name: 'R2', cardPresent: true, atr: '3BE000FF8131FE4514' },
    ]);
    await bay.close();
  });

  it('reports a quick re-insertion (event counter moved, card still present) as removed + inserted', async () => {
    const { bay, contexts, events } = await fakeBay();
    const { reader, session } = await withCard(bay, contexts[0]!);
    reader.status(PRESENT | (3 << 16));
    expect(events.slice(-2)).toEqual(['card.removed R1', 'card.inserted R1 3BE000FF8131FE4514']);
    await expect(session.transmit(SELECT_JPKI)).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    await bay.close();
  });

  it('reports card then reader removal when a reader is unplugged, and sessions get READER_NOT_FOUND', async () => {
    const { bay, contexts, events } = await fakeBay();
    const { reader, session } = await withCard(bay, contexts[0]!);
    reader.emit('end');
    expect(events.slice(-2)).toEqual(['card.removed R1', 'reader.removed R1']);
    await expect(session.transmit(SELECT_JPKI)).rejects.toMatchObject({ code: 'READER_NOT_FOUND' });
    await expect(bay.connect('R1')).rejects.toMatchObject({ code: 'READER_NOT_FOUND' });
    await bay.close();
  });

  it('survives a throwing listener and binding error events', async () => {
    const { bay, contexts, events } = await fakeBay();
    bay.on('reader.added', () => {
      throw new Error('listener bug');
    });
    const reader = plugReader(contexts[0]!, 'R1');
    reader.emit('error', new Error('SCardGetStatusChange error: whatever.(0x80100001)'));
    expect(events).toEqual(['reader.added R1']);
    await bay.close();
  });

  it('reports everything gone when pcscd stops, then finds it again', async () => {
    const { bay, contexts, events, refuseService } = await fakeBay({ serviceRetryMs: 20 });
    const { reader, session } = await withCard(bay, contexts[0]!);
    // The retry timer on a fake clock (the fake binding's callbacks stay on setImmediate).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => void vi.useRealTimers());
    refuseService(true);
    contexts[0]!.emit('error', pcscError('SCardGetStatusChange', PcscCode.NO_SERVICE));
    expect(events.slice(-2)).toEqual(['card.removed R1', 'reader.removed R1']);
    expect(reader.closed).toBe(true);
    expect(contexts[0]!.closed).toBe(true);
    expect(bay.serviceAvailable).toBe(false);
    await expect(session.transmit(SELECT_JPKI)).rejects.toMatchObject({ code: 'READER_UNAVAILABLE' });
    await expect(bay.connect('R1')).rejects.toMatchObject({ code: 'READER_UNAVAILABLE' });

    await vi.advanceTimersByTimeAsync(60); // three retries, all refused
    expect(contexts).toHaveLength(1);
    refuseService(false);
    await vi.advanceTimersByTimeAsync(20);
    expect(contexts).toHaveLength(2);
    plugReader(contexts[1]!, 'R1', PRESENT);
    expect(events.slice(-2)).toEqual(['reader.added R1 3BE000FF8131FE4514', 'card.inserted R1 3BE000FF8131FE4514']);
    await bay.close();
  });

  it('answers CARD_ABSENT, READER_NOT_FOUND and CARD_IN_USE from connect', async () => {
    const { bay, contexts } = await fakeBay();
    plugReader(contexts[0]!, 'R1');
    await expect(bay.connect('R1')).rejects.toMatchObject({ code: 'CARD_ABSENT' });
    await expect(bay.connect('nope')).rejects.toMatchObject({ code: 'READER_NOT_FOUND' });
    const r2 = plugReader(contexts[0]!, 'R2', PRESENT);
    const first = await bay.connect('R2');
    await expect(bay.connect('R2')).rejects.toMatchObject({ code: 'CARD_IN_USE' });
    await first.disconnect();
    expect(r2.connected).toBe(false);
    const second = await bay.connect('R2');
    await second.disconnect();
    await bay.close();
    await expect(bay.connect('R2')).rejects.toMatchObject({ code: 'READER_UNAVAILABLE' });
  });
});

describe('PcscCardSession', () => {
  it('translates binding errors once into catalogue codes', async () => {
    const cases: [number, string][] = [
      [PcscCode.REMOVED_CARD, 'CARD_REMOVED'],
      [PcscCode.RESET_CARD, 'CARD_REMOVED'],
      [PcscCode.UNKNOWN_READER, 'READER_NOT_FOUND'],
      [PcscCode.READER_UNAVAILABLE, 'READER_NOT_FOUND'],
      [PcscCode.NO_SERVICE, 'READER_UNAVAILABLE'],
      [PcscCode.SERVICE_STOPPED, 'READER_UNAVAILABLE'],
      [PcscCode.UNRESPONSIVE_CARD, 'CARD_COMMAND_FAILED'],
      [PcscCode.NOT_TRANSACTED, 'CARD_COMMAND_FAILED'], // no removal follows: a plain failure
      // No card once connected: it went away mid-command (a PIN may have reached it). CARD_ABSENT
      // is only ever connect's answer: no command reached a card.
      [PcscCode.NO_SMARTCARD, 'CARD_REMOVED'],
    ];
    const { bay, contexts } = await fakeBay();
    const { reader, session } = await withCard(bay, contexts[0]!);
    for (const [pcsc, code] of cases) {
      reader.replies.push(pcscError('SCardTransmit', pcsc));
      const err = await session.transmit(SELECT_JPKI).catch((e: unknown) => e);
      expect(err, pcsc.toString(16)).toBeInstanceOf(AppError);
      expect((err as AppError).code, pcsc.toString(16)).toBe(code);
      expect((err as AppError).detail).toContain('SCardTransmit');
    }
    expect(translatePcscError(new Error('no code in here'), 'X').code).toBe('CARD_COMMAND_FAILED');
    await bay.close();
  });

  it('calls an ambiguous failure CARD_REMOVED when pcscd reports the card gone shortly after', async () => {
    const { bay, contexts, events } = await fakeBay({ lossConfirmMs: 2000 });
    const { reader, session } = await withCard(bay, contexts[0]!);
    reader.replies.push(() => {
      // pcscd's status change comes after the failed transmit has been answered.
      setImmediate(() => reader.status(EMPTY | (2 << 16)));
      return pcscError('SCardTransmit', PcscCode.NOT_TRANSACTED);
    });
    await expect(session.transmit(SELECT_JPKI)).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    expect(events.at(-1)).toBe('card.removed R1');
    await bay.close();
  });

  it('holds an exclusive connection for a transaction only, waiting out other applications', async () => {
    const { bay, contexts } = await fakeBay({ exclusiveWaitMs: 1000 });
    const { reader, session } = await withCard(bay, contexts[0]!);
    expect(reader.shareModes).toEqual([reader.SCARD_SHARE_SHARED]);
    reader.connectErrors.push(pcscError('SCardConnect', PcscCode.SHARING_VIOLATION), pcscError('SCardConnect', PcscCode.SHARING_VIOLATION));
    const result = await session.transaction(async () => {
      expect(reader.shareModes.at(-1)).toBe(reader.SCARD_SHARE_EXCLUSIVE);
      await expect(session.transaction(async () => 1)).rejects.toMatchObject({ code: 'INTERNAL' });
      return session.transmit(SELECT_JPKI);
    });
    expect(Buffer.from(result).toString('hex')).toBe('9000');
    expect(reader.connected).toBe(false); // released for other applications
    await session.transmit(SELECT_JPKI); // reconnects shared on demand
    expect(reader.shareModes.at(-1)).toBe(reader.SCARD_SHARE_SHARED);
    await bay.close();
  });

  it('waits out an exclusive hold by another application when connecting', async () => {
    const { bay, contexts } = await fakeBay({ exclusiveWaitMs: 1000 });
    const reader = plugReader(contexts[0]!, 'R1', PRESENT);
    reader.connectErrors.push(pcscError('SCardConnect', PcscCode.SHARING_VIOLATION), pcscError('SCardConnect', PcscCode.SHARING_VIOLATION));
    const session = await bay.connect('R1');
    expect(reader.shareModes).toEqual([reader.SCARD_SHARE_SHARED]);
    await session.disconnect();
    await bay.close();
  });

  it('gives up with CARD_IN_USE when another application keeps the card', async () => {
    const { bay, contexts } = await fakeBay({ exclusiveWaitMs: 100 });
    const { reader, session } = await withCard(bay, contexts[0]!);
    for (let i = 0; i < 50; i++) reader.connectErrors.push(pcscError('SCardConnect', PcscCode.SHARING_VIOLATION));
    await expect(session.transaction(async () => 'never')).rejects.toMatchObject({ code: 'CARD_IN_USE' });
    await bay.close();
  });

  it('serialises a transmit from outside behind a running transaction', async () => {
    const { bay, contexts } = await fakeBay();
    const { reader, session } = await withCard(bay, contexts[0]!);
    const order: string[] = [];
    // The transaction stays open until the outside transmit has had every chance to run.
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    const txn = session.transaction(async () => {
      await session.transmit(SELECT_JPKI);
      await held;
      order.push('transaction done');
    });
    const outside = session.transmit(Uint8Array.of(0x00, 0xb0, 0x00, 0x00, 0x04)).then(() => order.push('outside done'));
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    finish();
    await Promise.all([txn, outside]);
    expect(order).toEqual(['transaction done', 'outside done']);
    expect(reader.sent.at(-1)).toBe('00B0000004');
    await bay.close();
  });

  it('reports the negotiated protocol and passes T=0 status words through untouched', async () => {
    const { bay, contexts } = await fakeBay();
    const reader = plugReader(contexts[0]!, 'R1', PRESENT);
    reader.protocol = 1;
    const session = await bay.connect('R1');
    expect(session).toMatchObject({ protocol: 'T=0' });
    reader.replies.push(Buffer.from('AABB6102', 'hex'));
    const response = await session.transmit(Uint8Array.of(0x00, 0xb0, 0x00, 0x00, 0x00));
    expect(Buffer.from(response).toString('hex').toUpperCase()).toBe('AABB6102');
    await bay.close();
  });

  it('refuses to select anything but the JPKI AP before it reaches the card', async () => {
    const { bay, contexts } = await fakeBay();
    const { reader, session } = await withCard(bay, contexts[0]!);
    const selectKenhojo = Uint8Array.from(Buffer.from('00A4040C0AD3921000310001010408', 'hex'));
    await expect(session.transmit(selectKenhojo)).rejects.toMatchObject({ code: 'APDU_SELECT_REFUSED' });
    expect(reader.sent).toEqual([]);
    await bay.close();
  });
});
