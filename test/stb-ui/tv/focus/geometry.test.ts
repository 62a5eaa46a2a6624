import { describe, expect, it } from 'vitest';
import { findNext, isBeyond, unionRect, type Rect } from '../../../../stb-ui/src/tv/focus/geometry.js';

const box = (left: number, top: number, width: number, height: number): Rect => ({ left, top, right: left + width, bottom: top + height });

describe('isBeyond', () => {
  it('keeps only boxes wholly past the edge, with a pixel of slack', () => {
    const from = box(100, 100, 200, 100);
    expect(isBeyond(from, box(300, 100, 50, 50), 'right')).toBe(true);
    expect(isBeyond(from, box(299.5, 100, 50, 50), 'right')).toBe(true);
    expect(isBeyond(from, box(250, 100, 50, 50), 'right')).toBe(false);
    expect(isBeyond(from, box(0, 0, 100, 100), 'up')).toBe(true);
    expect(isBeyond(from, box(100, 200, 10, 10), 'down')).toBe(true);
    expect(isBeyond(from, box(0, 100, 100, 10), 'left')).toBe(true);
  });
});

describe('findNext', () => {
  const menu = [
    { key: 'a', rect: box(0, 0, 900, 120) },
    { key: 'b', rect: box(0, 152, 900, 120) },
    { key: 'c', rect: box(0, 304, 900, 120) },
  ];

  it('moves to the nearest box in a vertical menu, and finds nothing past its end', () => {
    expect(findNext(menu[0]!.rect, menu.slice(1), 'down')).toBe('b');
    expect(findNext(menu[2]!.rect, menu.slice(0, 2), 'up')).toBe('b');
    expect(findNext(menu[2]!.rect, menu.slice(0, 2), 'down')).toBeNull();
    expect(findNext(menu[1]!.rect, [menu[0]!, menu[2]!], 'left')).toBeNull();
  });

  it('prefers a box in line over a nearer diagonal one', () => {
    const from = box(0, 0, 200, 100);
    const candidates = [
      { key: 'diagonal', rect: box(220, 150, 200, 100) },
      { key: 'straight', rect: box(800, 0, 200, 100) },
    ];
    expect(findNext(from, candidates, 'right')).toBe('straight');
  });

  it('picks the best-aligned box in a grid', () => {
    // 2×2 grid: from top-left, ↓ goes to bottom-left and → to top-right.
    const grid = [
      { key: 'tr', rect: box(600, 0, 560, 112) },
      { key: 'bl', rect: box(0, 144, 560, 112) },
      { key: 'br', rect: box(600, 144, 560, 112) },
    ];
    const tl = box(0, 0, 560, 112);
    expect(findNext(tl, grid, 'down')).toBe('bl');
    expect(findNext(tl, grid, 'right')).toBe('tr');
    expect(findNext(grid[2]!.rect, [{ key: 'tl', rect: tl }, grid[0]!, grid[1]!], 'up')).toBe('tr');
  });

  it('among diagonal boxes takes the one with the smaller sideways gap', () => {
    const from = box(500, 0, 100, 100);
    const candidates = [
      { key: 'far-side', rect: box(0, 200, 100, 100) },
      { key: 'near-side', rect: box(650, 200, 100, 100) },
    ];
    expect(findNext(from, candidates, 'down')).toBe('near-side');
  });

  it('breaks exact ties by candidate order', () => {
    const from = box(100, 0, 100, 100);
    const candidates = [{ key: 'left-one', rect: box(0, 200, 100, 100) }, { key: 'right-one', rect: box(200, 200, 100, 100) }];
    expect(findNext(from, candidates, 'down')).toBe('left-one');
  });
});

describe('unionRect', () => {
  it('bounds all boxes, and is null for none', () => {
    expect(unionRect([box(0, 0, 10, 10), box(20, 5, 10, 20)])).toEqual({ left: 0, top: 0, right: 30, bottom: 25 });
    expect(unionRect([])).toBeNull();
  });
});
