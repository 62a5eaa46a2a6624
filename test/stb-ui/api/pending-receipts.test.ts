import { describe, expect, it } from 'vitest';
import { MAX_PENDING, PENDING_RECEIPTS_KEY, PendingReceipts } from '../../../stb-ui/src/api/pending-receipts.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A Storage as the TV page's localStorage is (strings only). */
class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

describe('the TV\'s unconfirmed alert receipts', () => {
  it('keeps a receipt until the platform confirms it, and sends everything unconfirmed again after the link drops', () => {
    const q = new PendingReceipts();
    const ack = q.add({ alertId: A, kind: 'acknowledged', answer: 'evacuated' })!;
    expect(ack).toEqual({ alertId: A, kind: 'acknowledged', answer: 'evacuated' });
    q.sent(ack);
    q.sent(q.add({ alertId: B, kind: 'delivered' })!);
    q.confirmed(B, 'delivered');
    // The link dropped before `receipted` came for the acknowledgement: it is sent again, once.
    q.dropped();
    q.confirmed(A, 'acknowledged'); // a confirmation for nothing in flight changes nothing
    expect(q.resend()).toEqual([{ alertId: A, kind: 'acknowledged', answer: 'evacuated' }]);
    q.confirmed(A, 'acknowledged');
    expect(q.list).toEqual([]);
  });

  it('holds one entry per alert, kind and person: the first stays in its place, a newer answer replaces the older', () => {
    const q = new PendingReceipts();
    q.sent(q.add({ alertId: A, kind: 'displayed' })!);
    expect(q.add({ alertId: A, kind: 'displayed' })).toBeNull(); // already on its way: nothing new to send
    q.sent(q.add({ alertId: A, kind: 'acknowledged' })!);
    q.add({ alertId: B, kind: 'delivered' });
    const answered = q.add({ alertId: A, kind: 'acknowledged', answer: 'safe_at_home' })!;
    expect(answered).toEqual({ alertId: A, kind: 'acknowledged', answer: 'safe_at_home' });
    q.sent(answered);
    q.add({ alertId: A, kind: 'acknowledged', session: 'token-of-taro' });
    expect(q.list).toEqual([
      { alertId: A, kind: 'displayed' },
      { alertId: A, kind: 'acknowledged', answer: 'safe_at_home' },
      { alertId: B, kind: 'delivered' },
      { alertId: A, kind: 'acknowledged', session: 'token-of-taro' },
    ]);
    // The first `receipted` is for the copy without the answer: the entry waits for the one with it.
    q.confirmed(A, 'acknowledged');
    expect(q.list.filter((r) => r.kind === 'acknowledged' && !r.session)).toEqual([{ alertId: A, kind: 'acknowledged', answer: 'safe_at_home' }]);
    q.confirmed(A, 'acknowledged');
    expect(q.list.map((r) => [r.kind, r.session ?? null])).toEqual([['displayed', null], ['delivered', null], ['acknowledged', 'token-of-taro']]);
  });

  it(`is bounded at ${MAX_PENDING}: the oldest delivered or displayed goes first, an acknowledgement last`, () => {
    const q = new PendingReceipts(null, 3);
    q.add({ alertId: id(1), kind: 'acknowledged' });
    q.add({ alertId: id(2), kind: 'delivered' });
    q.add({ alertId: id(3), kind: 'displayed' });
    q.add({ alertId: id(4), kind: 'acknowledged' });
    expect(q.list.map((r) => r.alertId)).toEqual([id(1), id(3), id(4)]);
    q.add({ alertId: id(5), kind: 'acknowledged' });
    q.add({ alertId: id(6), kind: 'acknowledged' });
    expect(q.list.map((r) => r.alertId)).toEqual([id(4), id(5), id(6)]);
    const full = new PendingReceipts();
    for (let n = 0; n < MAX_PENDING + 10; n++) full.add({ alertId: id(n), kind: 'acknowledged' });
    expect(full.list).toHaveLength(MAX_PENDING);
    expect(full.list[0]!.alertId).toBe(id(10));
  });

  it('survives a reload through the storage, without the session token; confirmed ones are forgotten there too', () => {
    const storage = new MemoryStorage();
    const before = new PendingReceipts(storage);
    before.sent(before.add({ alertId: A, kind: 'acknowledged', answer: 'evacuated', session: 'secret-session-token' })!);
    before.sent(before.add({ alertId: B, kind: 'displayed' })!);
    before.confirmed(B, 'displayed');
    expect(storage.getItem(PENDING_RECEIPTS_KEY)).not.toContain('secret-session-token');
    const after = new PendingReceipts(storage);
    expect(after.resend()).toEqual([{ alertId: A, kind: 'acknowledged', answer: 'evacuated' }]);
    after.confirmed(A, 'acknowledged');
    expect(JSON.parse(storage.getItem(PENDING_RECEIPTS_KEY)!)).toEqual([]);
  });

  it('ignores a malformed or foreign stored value (never throws on loading)', () => {
    for (const raw of ['not json', '{"alertId":1}', JSON.stringify([null, 3, { alertId: 'x', kind: 'delivered' }, { alertId: A, kind: 'read' }, { alertId: A, kind: 'displayed', answer: 'maybe' }])]) {
      const storage = new MemoryStorage();
      storage.setItem(PENDING_RECEIPTS_KEY, raw);
      expect(new PendingReceipts(storage).list).toEqual(raw.includes('maybe') ? [{ alertId: A, kind: 'displayed' }] : []);
    }
    const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('quota'); } };
    const q = new PendingReceipts(broken);
    expect(q.add({ alertId: A, kind: 'delivered' })).toEqual({ alertId: A, kind: 'delivered' });
    expect(q.list).toHaveLength(1);
  });
});
