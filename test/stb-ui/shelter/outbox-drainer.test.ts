import { describe, expect, it } from 'vitest';
import type { CheckinEvent } from '../../../platform/src/shelter/shelter-schemas.js';
import { OutboxDrainer, type DrainTransport } from '../../../stb-ui/src/shelter/outbox.js';
import type { TabletStore } from '../../../stb-ui/src/shelter/store.js';

// The tablet's outbox drainer without a browser: the outbox is an in-memory stand-in for the two
// IndexedDB calls the drainer makes (a read of the oldest events, a write transaction), so a test
// can hold a read or an upload open and tap in exactly then, which a real IndexedDB cannot be made
// to do on cue. No timer is started (`start()` is not called): whatever is sent here is sent
// because of a kick, never because the 5 s timer came round.

/** Resolves when `release` is called: a read or an upload held open. */
function gate() {
  let release!: () => void;
  const open = new Promise<void>((resolve) => { release = resolve; });
  return { open, release };
}

function outbox() {
  const events = new Map<number, CheckinEvent>();
  /** Set by a test: the next read waits on it (after taking its snapshot, as an IndexedDB read that started before a write does). */
  let holdRead: Promise<void> | null = null;
  const reads = { count: 0, reading: null as Promise<void> | null };
  const store = {
    async getAll(_name: 'outbox', _query: undefined, size: number) {
      reads.count++;
      const snapshot = [...events.values()].sort((a, b) => a.sequence - b.sequence).slice(0, size);
      const held = holdRead;
      holdRead = null;
      if (held) await held;
      return snapshot;
    },
    transaction() {
      return {
        objectStore: () => ({
          delete: async (sequence: number) => { events.delete(sequence); },
          put: async () => {},
        }),
        done: Promise.resolve(),
      };
    },
  } as unknown as TabletStore;
  let sequence = 0;
  return {
    store,
    reads,
    /** A tap: the event is in the outbox (its transaction committed) before the page kicks the drainer. */
    add(): CheckinEvent {
      const event: CheckinEvent = { eventId: `e-${++sequence}`, sequence, occurredAt: new Date().toISOString(), kind: 'checkin', subject: { method: 'household', personId: `p-${sequence}` } };
      events.set(sequence, event);
      return event;
    },
    holdNextRead(until: Promise<void>) { holdRead = until; },
    get size() { return events.size; },
  };
}

/** A platform that records every upload and how many were under way at once; `hold` keeps the next answer back. */
function platform() {
  const uploads: string[][] = [];
  let inFlight = 0;
  let most = 0;
  let hold: Promise<void> | null = null;
  let started: () => void = () => {};
  let fail = 0;
  const transport: DrainTransport = {
    async send(events) {
      uploads.push(events.map((e) => e.eventId));
      most = Math.max(most, ++inFlight);
      started();
      try {
        const held = hold;
        hold = null;
        if (held) await held;
        if (fail > 0) {
          fail--;
          throw new TypeError('Failed to fetch');
        }
        return { status: 200, body: { results: events.map((e) => ({ eventId: e.eventId, status: 'recorded', outcome: { personId: null, name: null, alreadyHere: false, flags: [] } })) } };
      } finally {
        inFlight--;
      }
    },
  };
  return {
    transport,
    uploads,
    get most() { return most; },
    /** The next upload waits for `until`; resolves once it has started. */
    holdNext(until: Promise<void>): Promise<void> {
      hold = until;
      return new Promise((resolve) => { started = resolve; });
    },
    failNext() { fail++; },
  };
}

describe('OutboxDrainer', () => {
  it('a tap that lands while a run finds the outbox empty is sent by that run, not left for the timer', async () => {
    const box = outbox();
    const server = platform();
    const drainer = new OutboxDrainer(box.store, server.transport, () => {});
    const read = gate();
    box.holdNextRead(read.open);
    const run = drainer.kick();
    // The run's read has seen an empty outbox; the tap's event is stored and the page kicks now.
    const event = box.add();
    const tapped = drainer.kick();
    read.release();
    await Promise.all([run, tapped]);
    expect(server.uploads).toEqual([[event.eventId]]);
    expect(box.size).toBe(0);
  });

  it('a tap during an upload is sent right after it, in one more upload, never two at once', async () => {
    const box = outbox();
    const server = platform();
    const drainer = new OutboxDrainer(box.store, server.transport, () => {});
    const first = box.add();
    const answer = gate();
    const uploading = server.holdNext(answer.open);
    const run = drainer.kick();
    await uploading;
    const second = box.add();
    const kicks = [drainer.kick(), drainer.kick(), drainer.kick()];
    answer.release();
    await Promise.all([run, ...kicks]);
    expect(server.uploads).toEqual([[first.eventId], [second.eventId]]);
    expect(server.most).toBe(1);
    expect(box.size).toBe(0);
  });

  it('the network coming back (`online`) while an upload is failing tries again at once, not after the backoff', async () => {
    const box = outbox();
    const server = platform();
    const drainer = new OutboxDrainer(box.store, server.transport, () => {});
    const event = box.add();
    server.failNext();
    const answer = gate();
    const uploading = server.holdNext(answer.open);
    const run = drainer.kick();
    await uploading;
    const online = drainer.kick();
    answer.release();
    await Promise.all([run, online]);
    expect(server.uploads).toEqual([[event.eventId], [event.eventId]]);
    expect(box.size).toBe(0);
    expect(drainer.lastError).toBeNull();
  });

  it('no busy loop: a run nobody kicked during reads the outbox once more at most, and a failing run without a kick is not repeated', async () => {
    const box = outbox();
    const server = platform();
    const drainer = new OutboxDrainer(box.store, server.transport, () => {});
    await drainer.kick();
    expect(box.reads.count).toBe(1);
    expect(server.uploads).toHaveLength(0);

    box.add();
    await drainer.kick();
    expect(box.reads.count).toBe(3); // the batch, then the empty outbox
    expect(server.uploads).toHaveLength(1);

    box.add();
    server.failNext();
    await drainer.kick();
    expect(server.uploads).toHaveLength(2); // one attempt; the next waits for the timer's backoff
    expect(box.size).toBe(1);
    expect(drainer.lastError).toBe('ネットワークにつながっていません');
  });
});
