import type { Direction } from '../input/actions.js';

/** A box in viewport pixels, as `getBoundingClientRect()` gives it. */
export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** A keyed box that a directional move could land on. */
export interface Candidate {
  key: string;
  rect: Rect;
}

/** Sub-pixel slack: a scaled canvas gives fractional rects, and touching boxes must still count as "beyond". */
const EPSILON = 1;
/** How much a sideways miss costs against distance straight ahead, for candidates that are not in line. */
const GAP_WEIGHT = 2;
/** Tie-breaker among in-line candidates: prefer the one whose centre lines up best. */
const OFFSET_WEIGHT = 0.5;

/** The smallest box holding all of `rects`, or null for none. */
export function unionRect(rects: Iterable<Rect>): Rect | null {
  let out: Rect | null = null;
  for (const r of rects) {
    out = out
      ? { left: Math.min(out.left, r.left), top: Math.min(out.top, r.top), right: Math.max(out.right, r.right), bottom: Math.max(out.bottom, r.bottom) }
      : { ...r };
  }
  return out;
}

/** Whether `c` lies wholly past `from`'s edge in `dir` (Norigin's cut-off filter). */
export function isBeyond(from: Rect, c: Rect, dir: Direction): boolean {
  switch (dir) {
    case 'right': return c.left >= from.right - EPSILON;
    case 'left': return c.right <= from.left + EPSILON;
    case 'down': return c.top >= from.bottom - EPSILON;
    case 'up': return c.bottom <= from.top + EPSILON;
  }
}

/**
 * Scores a candidate beyond `from` in `dir`; lower is better. Candidates that overlap `from` on the
 * cross axis ("in line") always beat those that do not, as in js-spatial-navigation's straight-first
 * rule: an elderly viewer expects ↓ to go to the box straight below, even if a diagonal one is nearer.
 */
export function score(from: Rect, c: Rect, dir: Direction): { inLine: boolean; value: number } {
  const horizontal = dir === 'left' || dir === 'right';
  const ahead = dir === 'right' ? c.left - from.right
    : dir === 'left' ? from.left - c.right
    : dir === 'down' ? c.top - from.bottom
    : from.top - c.bottom;
  const distance = Math.max(0, ahead);
  const [a0, a1, b0, b1] = horizontal ? [from.top, from.bottom, c.top, c.bottom] : [from.left, from.right, c.left, c.right];
  const overlap = Math.min(a1, b1) - Math.max(a0, b0);
  const offset = Math.abs((a0 + a1) / 2 - (b0 + b1) / 2);
  return overlap > EPSILON
    ? { inLine: true, value: distance + OFFSET_WEIGHT * offset }
    : { inLine: false, value: distance + GAP_WEIGHT * -overlap + OFFSET_WEIGHT * offset };
}

/**
 * The key of the best candidate for a move from `from` in `dir`, or null when nothing lies that way.
 * Ties go to the earlier candidate, so results are stable in registration order.
 */
export function findNext(from: Rect, candidates: Iterable<Candidate>, dir: Direction): string | null {
  let best: { key: string; inLine: boolean; value: number } | null = null;
  for (const { key, rect } of candidates) {
    if (!isBeyond(from, rect, dir)) continue;
    const s = score(from, rect, dir);
    if (!best || (s.inLine && !best.inLine) || (s.inLine === best.inLine && s.value < best.value)) {
      best = { key, ...s };
    }
  }
  return best?.key ?? null;
}
