import { describe, expect, it } from 'vitest';
import { Mutex, VirtualBay } from '../../../reader-driver/src/transport/virtual-bay.js';
import type { ApduProcessor } from '../../../reader-driver/src/virtual-card/apdu-processor.js';
import type { ReaderInfo } from '../../../reader-driver/src/transport/transport.js';
import { TEST_ATR, h, hx, poweredCard } from '../helpers.js';

const SEL_AP = h('00A4040C0AD392F000260100000001');

/** A card whose answers the test releases by hand. */
class HeldCard implements ApduProcessor {
  readonly atr = h(TEST_ATR);
  powered = false;
  readonly pending: Array<{ command: string; answer: (hex: string) => void }> = [];
  powerOn() {
    this.powered = true;
    return this.atr;
  }
  powerOff() {
    this.powered = false;
  }
  reset() {
    return this.atr;
  }
  process(command: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve) => this.pending.push({ command: hx(command), answer: (hex) => resolve(h(hex)) }));
  }
}

const tick = () => new Promise((r) => setImmediate(r));

function recordEvents(bay: VirtualBay) {
  const events: Array<[string, ReaderInfo]> = [];
  for (const name of ['reader.added', 'reader.removed', 'card.inserted', 'card.removed'] as const) {
    bay.on(name, (info) => events.push([name, info]));
  }
  return events;
}

describe('VirtualBay', () => {
  it('is a virtual bay of named readers', () => {
    const bay = new VirtualBay(['Reader A', 'Reader B']);
    expect(bay.kind).toBe('virtual');
    expect(bay.readers()).toEqual([
      { name: 'Reader A', cardPresent: false },
      { name: 'Reader B', cardPresent: false },
    ]);
  });

  it('emits events on insert and remove, powering the card on and off', () => {
    const bay = new VirtualBay(['R']);
    const events = recordEvents(bay);
    const card = new HeldCard();
    bay.insert('R', card);
    expect(card.powered).toBe(true);
    expect(bay.readers()).toEqual([{ name: 'R', cardPresent: true, atr: TEST_ATR }]);
    expect(bay.remove('R')).toBe(card);
    expect(card.powered).toBe(false);
    expect(bay.remove('R')).toBeUndefined();
    expect(events).toEqual([
      ['card.inserted', { name: 'R', cardPresent: true, atr: TEST_ATR }],
      ['card.removed', { name: 'R', cardPresent: false }],
    ]);
  });

  it('creates an unknown reader on insert, swaps a card already there, and unplugs readers', () => {
    const bay = new VirtualBay();
    const events = recordEvents(bay);
    bay.insert('New', new HeldCard());
    bay.insert('New', new HeldCard());
    bay.addReader('New'); // no-op
    bay.removeReader('New');
    bay.removeReader('Unknown'); // no-op
    expect(events.map(([e]) => e)).toEqual(['reader.added', 'card.inserted', 'card.removed', 'card.inserted', 'card.removed', 'reader.removed']);
    expect(bay.readers()).toEqual([]);
  });

  it('connects to the card: transmit reaches it, the session carries reader name and ATR', async () => {
    const bay = new VirtualBay(['R']);
    bay.insert('R', poweredCard());
    const session = await bay.connect('R');
    expect(session.readerName).toBe('R');
    expect(hx(session.atr)).toBe(TEST_ATR);
    expect(hx(await session.transmit(SEL_AP))).toBe('9000');
    expect(hx(await session.transaction(() => session.transmit(h('00A4020C020018'))))).toBe('9000');
  });

  it('refuses to connect without the reader or the card', async () => {
    const bay = new VirtualBay(['R']);
    await expect(bay.connect('Nope')).rejects.toMatchObject({ code: 'READER_NOT_FOUND' });
    await expect(bay.connect('R')).rejects.toMatchObject({ code: 'CARD_ABSENT' });
  });

  it('applies the SELECT guard at the transport', async () => {
    const bay = new VirtualBay();
    const card = new HeldCard();
    bay.insert('R', card);
    const session = await bay.connect('R');
    await expect(session.transmit(h('00A4040C0AD3921000310001010408'))).rejects.toMatchObject({ code: 'APDU_SELECT_REFUSED' });
    expect(card.pending).toEqual([]);
  });

  it('answers CARD_REMOVED for a command in flight when the card is pulled', async () => {
    const bay = new VirtualBay();
    const card = new HeldCard();
    bay.insert('R', card);
    const session = await bay.connect('R');
    const inFlight = session.transmit(SEL_AP);
    await tick();
    expect(card.pending).toHaveLength(1);
    bay.remove('R');
    await expect(inFlight).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    card.pending[0]!.answer('9000'); // a late answer is dropped
  });

  it('answers CARD_REMOVED before the next command, even after a new card went in', async () => {
    const bay = new VirtualBay();
    bay.insert('R', poweredCard());
    const session = await bay.connect('R');
    bay.remove('R');
    await expect(session.transmit(SEL_AP)).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    bay.insert('R', poweredCard());
    await expect(session.transmit(SEL_AP)).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    await expect(session.transaction(async () => 1)).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    const fresh = await bay.connect('R');
    expect(hx(await fresh.transmit(SEL_AP))).toBe('9000');
  });

  it('answers READER_NOT_FOUND once the reader is unplugged', async () => {
    const bay = new VirtualBay();
    bay.insert('R', poweredCard());
    const session = await bay.connect('R');
    bay.removeReader('R');
    await expect(session.transmit(SEL_AP)).rejects.toMatchObject({ code: 'READER_NOT_FOUND' });
  });

  it('serialises transactions: a second session waits for the first', async () => {
    const bay = new VirtualBay();
    const card = new HeldCard();
    bay.insert('R', card);
    const [a, b] = await Promise.all([bay.connect('R'), bay.connect('R')]);
    const order: string[] = [];
    const first = a.transaction(async () => {
      order.push('a:start');
      await a.transmit(h('00A4020C020001'));
      order.push('a:end');
    });
    const second = b.transaction(async () => {
      order.push('b:start');
      order.push('b:end');
    });
    const loose = b.transmit(h('00A4020C020002')); // outside a transaction: waits for the lock too
    await tick();
    // a holds the lock with one command at the card; b's transaction and loose command wait.
    expect(card.pending.map((p) => p.command)).toEqual(['00A4020C020001']);
    expect(order).toEqual(['a:start']);
    card.pending.shift()!.answer('9000');
    await Promise.all([first, second]);
    await tick();
    expect(card.pending.map((p) => p.command)).toEqual(['00A4020C020002']);
    card.pending.shift()!.answer('9000');
    await loose;
    expect(order).toEqual(['a:start', 'a:end', 'b:start', 'b:end']);
  });

  it('refuses nested transactions instead of deadlocking', async () => {
    const bay = new VirtualBay();
    bay.insert('R', poweredCard());
    const s = await bay.connect('R');
    await expect(s.transaction(() => s.transaction(async () => 1))).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('refuses a disconnected session; disconnect leaves the card powered', async () => {
    const bay = new VirtualBay();
    const card = poweredCard();
    bay.insert('R', card);
    const s = await bay.connect('R');
    await s.disconnect();
    await expect(s.transmit(SEL_AP)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(card.isPowered).toBe(true);
  });

  it('closes: readers gone, no more inserts', async () => {
    const bay = new VirtualBay(['R']);
    bay.insert('R', poweredCard());
    const s = await bay.connect('R');
    await bay.close();
    await bay.close();
    expect(bay.readers()).toEqual([]);
    await expect(s.transmit(SEL_AP)).rejects.toMatchObject({ code: 'READER_NOT_FOUND' });
    expect(() => bay.insert('R', poweredCard())).toThrow(expect.objectContaining({ code: 'READER_UNAVAILABLE' }));
    await expect(bay.connect('R')).rejects.toMatchObject({ code: 'READER_UNAVAILABLE' });
  });
});

describe('Mutex', () => {
  it('runs holders one at a time in FIFO order and releases on failure', async () => {
    const m = new Mutex();
    const log: number[] = [];
    const job = (n: number, fail = false) =>
      m.run(async () => {
        log.push(n);
        await tick();
        log.push(-n);
        if (fail) throw new Error('boom');
      });
    await Promise.allSettled([job(1), job(2, true), job(3)]);
    expect(log).toEqual([1, -1, 2, -2, 3, -3]);
  });
});
