/** Every named action a remote key can produce; the rest of the TV page sees only these. */
export const ACTIONS = [
  'up', 'down', 'left', 'right', 'ok', 'back', 'exit',
  'red', 'green', 'yellow', 'blue',
  'digit0', 'digit1', 'digit2', 'digit3', 'digit4', 'digit5', 'digit6', 'digit7', 'digit8', 'digit9',
  // Japanese remotes have 12 number keys and a d (データ) button (ARIB / Hybridcast).
  'digit10', 'digit11', 'digit12', 'd',
  'play', 'pause', 'playPause', 'stop', 'fastForward', 'rewind', 'pageUp', 'pageDown',
] as const;
export type Action = (typeof ACTIONS)[number];

/** The four arrow actions. */
export type Direction = 'up' | 'down' | 'left' | 'right';
/** The four colour keys; each acts only while an on-screen legend names it. */
export type ColorKey = 'red' | 'green' | 'yellow' | 'blue';

export const isDirection = (a: Action | null): a is Direction =>
  a === 'up' || a === 'down' || a === 'left' || a === 'right';

export const isColorKey = (a: Action | null): a is ColorKey =>
  a === 'red' || a === 'green' || a === 'yellow' || a === 'blue';

/** The number of a `digitN` action (0–12), else null. */
export function digitOf(a: Action | null): number | null {
  return a !== null && a.startsWith('digit') ? Number(a.slice(5)) : null;
}
