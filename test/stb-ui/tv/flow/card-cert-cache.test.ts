import { describe, expect, it } from 'vitest';
import type { DriverEvent } from '../../../../stb-ui/src/api/reader-client.js';
import { CardCertCache } from '../../../../stb-ui/src/tv/flow/card-cert-cache.js';

/** A driver link with one reader; cert.read answers with the card's certificate. */
function fakeReader() {
  const events = new Set<(e: DriverEvent) => void>();
  const changes = new Set<() => void>();
  const reader = {
    state: 'open' as 'open' | 'reconnecting',
    card: 'CERT-TARO' as string | null,
    reads: 0,
    readers: [{ name: 'Bay', cardPresent: true }],
    onEvent: (l: (e: DriverEvent) => void) => (events.add(l), () => events.delete(l)),
    onChange: (l: () => void) => (changes.add(l), () => changes.delete(l)),
    send: (_cmd: string, _params: object) => {
      reader.reads++;
      const der = reader.card;
      return { id: `r${reader.reads}`, result: der ? Promise.resolve({ der }) : Promise.reject(new Error('CARD_ABSENT')) };
    },
    cancel: async () => ({ cancelled: '' }),
    emit: (event: 'card.inserted' | 'card.removed') => events.forEach((l) => l({ event, data: { name: 'Bay', cardPresent: event === 'card.inserted' } })),
    link: (state: 'open' | 'reconnecting') => {
      reader.state = state;
      changes.forEach((l) => l());
    },
  };
  return reader;
}

describe('CardCertCache', () => {
  it('reads the certificate when a card is put in, keeps it while the card lies there, forgets it when it leaves', async () => {
    const reader = fakeReader();
    let busy = false;
    const cache = new CardCertCache(reader as never, () => busy);
    reader.emit('card.inserted');
    expect(await cache.get('Bay')).toBe('CERT-TARO');
    expect(cache.get('Other')).toBeNull();
    reader.emit('card.removed');
    expect(cache.get('Bay')).toBeNull();
    // While a flow does card work, nothing is read behind its back.
    busy = true;
    reader.card = 'CERT-HANAKO';
    reader.emit('card.inserted');
    expect(cache.get('Bay')).toBeNull();
    cache.put('Bay', 'CERT-HANAKO');
    expect(await cache.get('Bay')).toBe('CERT-HANAKO');
    expect(reader.reads).toBe(1);
  });

  it('a card put in is read once: the reader client says so (a change) just before the event', async () => {
    const reader = fakeReader();
    const cache = new CardCertCache(reader as never, () => false);
    reader.emit('card.removed');
    reader.card = 'CERT-HANAKO';
    // As the reader client does: its reader list first (listeners of onChange), then the event.
    reader.link('open');
    reader.emit('card.inserted');
    expect(await cache.get('Bay')).toBe('CERT-HANAKO');
    // A second read would be refused by the driver while the first runs (busy), and nothing kept.
    expect(reader.reads).toBe(1);
  });

  it('forgets everything when the link drops (events may be missed), and reads the cards present when it is back', async () => {
    const reader = fakeReader();
    const cache = new CardCertCache(reader as never, () => false);
    cache.put('Bay', 'CERT-TARO');
    reader.link('reconnecting');
    expect(cache.get('Bay')).toBeNull();
    reader.card = 'CERT-HANAKO';
    reader.link('open');
    expect(await cache.get('Bay')).toBe('CERT-HANAKO');
  });

  it('a failed read is not kept', async () => {
    const reader = fakeReader();
    reader.card = null;
    const cache = new CardCertCache(reader as never, () => false);
    reader.emit('card.inserted');
    await expect(cache.get('Bay')).rejects.toThrow('CARD_ABSENT');
    expect(cache.get('Bay')).toBeNull();
  });
});
