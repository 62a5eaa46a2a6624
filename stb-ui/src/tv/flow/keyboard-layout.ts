/**
 * The on-screen keyboard for the 署名用 PIN (A–Z, 0–9): rows of keys, navigated with the arrows.
 * Digits come first (they can also be typed with the remote's number keys), then the alphabet in
 * order, as on a kana-less romaji table, so a viewer can find a letter by reading along a row.
 */

/** One key: a character to type, or an action. */
export type KeyboardKey = { kind: 'char'; char: string } | { kind: 'action'; action: KeyboardAction };
export type KeyboardAction = 'delete' | 'reveal' | 'submit';

const chars = (s: string): KeyboardKey[] => [...s].map((char) => ({ kind: 'char', char }));

/** The rows, top to bottom. */
export const KEYBOARD_ROWS: readonly (readonly KeyboardKey[])[] = [
  chars('1234567890'),
  chars('ABCDEFGHIJKLM'),
  chars('NOPQRSTUVWXYZ'),
  [{ kind: 'action', action: 'delete' }, { kind: 'action', action: 'reveal' }, { kind: 'action', action: 'submit' }],
];

/** Columns of the grid (the longest row). */
export const KEYBOARD_COLUMNS = Math.max(...KEYBOARD_ROWS.map((r) => r.length));

/** The focus key of a keyboard key, e.g. `kbd/A`, `kbd/submit`. */
export const keyboardFocusKey = (key: KeyboardKey) => `kbd/${key.kind === 'char' ? key.char : key.action}`;

/** Where a character sits: row and column. */
export function positionOf(char: string): { row: number; col: number } | null {
  for (let row = 0; row < KEYBOARD_ROWS.length; row++) {
    const col = KEYBOARD_ROWS[row]!.findIndex((k) => k.kind === 'char' && k.char === char);
    if (col >= 0) return { row, col };
  }
  return null;
}

/** The 4-digit PIN pad: a phone-style 3 × 4 grid. */
export type PadKey = { kind: 'digit'; digit: number } | { kind: 'action'; action: 'delete' | 'submit' };
export const PAD_ROWS: readonly (readonly PadKey[])[] = [
  [1, 2, 3], [4, 5, 6], [7, 8, 9],
].map((row) => row.map((digit): PadKey => ({ kind: 'digit', digit })))
  .concat([[{ kind: 'action', action: 'delete' }, { kind: 'digit', digit: 0 }, { kind: 'action', action: 'submit' }]]);

export const padFocusKey = (key: PadKey) => `pad/${key.kind === 'digit' ? key.digit : key.action}`;
