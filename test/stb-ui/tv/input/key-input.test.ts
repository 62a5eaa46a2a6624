import { describe, expect, it, vi } from 'vitest';
import { KeyInput, REPEAT_INTERVAL_MS, type KeyPress } from '../../../../stb-ui/src/tv/input/key-input.js';
import { readVkTable } from '../../../../stb-ui/src/tv/input/key-map.js';

/** A fake keydown with just what KeyInput reads. */
function keydown(init: { key: string; keyCode?: number; repeat?: boolean; timeStamp?: number }) {
  return { keyCode: 0, which: 0, repeat: false, timeStamp: 0, ...init, preventDefault: vi.fn() } as unknown as KeyboardEvent & { preventDefault: ReturnType<typeof vi.fn> };
}

const input = () => new KeyInput({ vk: readVkTable(null), keyEvent: readVkTable(null), platform: 'desktop' });

describe('KeyInput', () => {
  it('hands every press to its listeners, known or not, and prevents the default only for known keys', () => {
    const keys = input();
    const seen: KeyPress[] = [];
    keys.subscribe((p) => seen.push(p));
    const known = keydown({ key: 'ArrowDown', keyCode: 40, timeStamp: 5 });
    const unknown = keydown({ key: 'F5', keyCode: 116 });
    keys.dispatch(known);
    keys.dispatch(unknown);
    expect(seen.map((p) => [p.key, p.keyCode, p.action, p.source])).toEqual([['ArrowDown', 40, 'down', 'key'], ['F5', 116, null, null]]);
    expect(seen[0]!.timeStamp).toBe(5);
    expect(known.preventDefault).toHaveBeenCalled();
    expect(unknown.preventDefault).not.toHaveBeenCalled();
  });

  it('drops held-arrow repeats that come faster than the repeat interval', () => {
    const keys = input();
    const seen: number[] = [];
    keys.subscribe((p) => seen.push(p.timeStamp));
    keys.dispatch(keydown({ key: 'ArrowDown', timeStamp: 0 }));
    for (let t = 30; t <= 300; t += 30) keys.dispatch(keydown({ key: 'ArrowDown', repeat: true, timeStamp: t }));
    expect(seen[0]).toBe(0);
    for (let i = 1; i < seen.length; i++) expect(seen[i]! - seen[i - 1]!).toBeGreaterThanOrEqual(REPEAT_INTERVAL_MS);
    expect(seen.length).toBeLessThan(6);
  });

  it('takes a held OK, Back or number key as one press (its auto-repeat chooses nothing)', () => {
    const keys = input();
    const seen: string[] = [];
    keys.subscribe((p) => seen.push(`${p.action}`));
    for (const key of ['Enter', 'Backspace', '5']) {
      keys.dispatch(keydown({ key }));
      for (let t = 30; t <= 600; t += 30) keys.dispatch(keydown({ key, repeat: true, timeStamp: t }));
    }
    expect(seen).toEqual(['ok', 'back', 'digit5']);
  });

  it('stops calling a listener once it unsubscribed', () => {
    const keys = input();
    const listener = vi.fn();
    const unsubscribe = keys.subscribe(listener);
    keys.dispatch(keydown({ key: 'Enter' }));
    unsubscribe();
    keys.dispatch(keydown({ key: 'Enter' }));
    expect(listener).toHaveBeenCalledOnce();
  });
});
