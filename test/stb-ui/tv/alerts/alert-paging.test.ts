import { describe, expect, it } from 'vitest';
import { partsOf } from '../../../../stb-ui/src/tv/alerts/alert-paging.js';

/** `count` lines of `height` px from `from` px. */
const lines = (from: number, count: number, height: number) =>
  Array.from({ length: count }, (_, k) => ({ top: from + k * height, bottom: from + (k + 1) * height }));

describe('paging an alert text by whole lines', () => {
  it('a text that fits is one part', () => {
    expect(partsOf(lines(0, 4, 50), 200)).toEqual([{ offset: 0, height: 200 }]);
    expect(partsOf([], 200)).toEqual([{ offset: 0, height: 200 }]);
  });

  it('fills each part with as many whole lines as fit, across blocks, and shows none in part', () => {
    // A title of 80 px, then a long block of ten 50 px lines: the block starts in the first part.
    const text = [...lines(0, 1, 80), ...lines(90, 10, 50)];
    const parts = partsOf(text, 300);
    // The title and four lines of the block; then the other six.
    expect(parts).toEqual([{ offset: 0, height: 290 }, { offset: 290, height: 300 }]);
    for (const part of parts) {
      for (const line of text) {
        const inside = line.top >= part.offset && line.bottom <= part.offset + part.height;
        const outside = line.bottom <= part.offset || line.top >= part.offset + part.height;
        expect(inside || outside).toBe(true);
      }
    }
    // Every line is in some part, and the parts never exceed the room.
    expect(text.every((line) => parts.some((p) => line.top >= p.offset && line.bottom <= p.offset + p.height))).toBe(true);
    expect(parts.every((p) => p.height <= 300)).toBe(true);
  });

  it('a line taller than the room gets a part of its own instead of stopping the paging', () => {
    const parts = partsOf([{ top: 0, bottom: 40 }, { top: 40, bottom: 400 }, { top: 400, bottom: 440 }], 300);
    expect(parts.map((p) => p.offset)).toEqual([0, 40, 400]);
  });
});
