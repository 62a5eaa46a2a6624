import { describe, expect, it } from 'vitest';
import { cardStatusOf } from '../../../../stb-ui/src/tv/flow/reader-status.js';

const reader = (state: 'connecting' | 'open' | 'reconnecting' | 'closed', cards: boolean[]) =>
  ({ state, readers: cards.map((cardPresent, i) => ({ name: `r${i}`, cardPresent })) });

describe('cardStatusOf', () => {
  it('names the state the start screen shows', () => {
    expect(cardStatusOf(null)).toBe('offline');
    expect(cardStatusOf(reader('connecting', []))).toBe('offline');
    expect(cardStatusOf(reader('open', []))).toBe('noReader');
    expect(cardStatusOf(reader('open', [false]))).toBe('noCard');
    expect(cardStatusOf(reader('open', [false, true]))).toBe('card');
    expect(cardStatusOf(reader('reconnecting', [true]))).toBe('reconnecting');
  });
});
