import { describe, expect, it } from 'vitest';
import {
  KEYBOARD_COLUMNS, KEYBOARD_ROWS, PAD_ROWS, keyboardFocusKey, padFocusKey, positionOf,
} from '../../../../stb-ui/src/tv/flow/keyboard-layout.js';

describe('on-screen keyboard layout', () => {
  it('has every character of a sign PIN exactly once, and the three actions', () => {
    const chars = KEYBOARD_ROWS.flat().flatMap((k) => (k.kind === 'char' ? [k.char] : []));
    expect([...chars].sort().join('')).toBe('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    expect(KEYBOARD_ROWS.flat().flatMap((k) => (k.kind === 'action' ? [k.action] : []))).toEqual(['delete', 'reveal', 'submit']);
    expect(KEYBOARD_COLUMNS).toBe(13);
  });

  it('gives unique focus keys and finds a character’s row and column', () => {
    const keys = KEYBOARD_ROWS.flat().map(keyboardFocusKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(positionOf('A')).toEqual({ row: 1, col: 0 });
    expect(positionOf('Z')).toEqual({ row: 2, col: 12 });
    expect(positionOf('0')).toEqual({ row: 0, col: 9 });
    expect(positionOf('a')).toBeNull();
  });

  it('lays the PIN pad out like a phone: 1–9, then 削除 0 決定', () => {
    expect(PAD_ROWS.map((row) => row.map(padFocusKey))).toEqual([
      ['pad/1', 'pad/2', 'pad/3'], ['pad/4', 'pad/5', 'pad/6'], ['pad/7', 'pad/8', 'pad/9'], ['pad/delete', 'pad/0', 'pad/submit'],
    ]);
  });
});
