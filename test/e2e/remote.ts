import { expect, type Page } from '@playwright/test';

/** The focus keys of every element marked `focused`, searching through all shadow roots. */
export function focusedKeys(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.hasAttribute('focused')) found.push(el.getAttribute('data-focus-key') ?? el.tagName);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    return found;
  });
}

/** Presses a remote key, then checks that exactly one element is focused (and which, when given). */
export async function press(page: Page, key: string, expected?: string): Promise<string> {
  await page.keyboard.press(key);
  const keys = await focusedKeys(page);
  expect(keys, `focused elements after ${key}`).toHaveLength(1);
  if (expected !== undefined) expect(keys[0], `focus after ${key}`).toBe(expected);
  return keys[0]!;
}

/** Waits until the focus settles on `key` (after an asynchronous step: card, platform). */
export async function focusLandsOn(page: Page, key: string) {
  await expect.poll(() => focusedKeys(page), { timeout: 15_000 }).toEqual([key]);
}

/** Moves focus to `target` with the arrows only: rows first, then along the row. */
export async function moveTo(page: Page, target: string) {
  for (let i = 0; i < 40; i++) {
    const [current] = await focusedKeys(page);
    if (current === target) return;
    const [from, to] = await Promise.all([current, target].map((k) => page.locator(`[data-focus-key="${k}"]`).boundingBox()));
    const fy = from!.y + from!.height / 2;
    const ty = to!.y + to!.height / 2;
    const key = Math.abs(ty - fy) > from!.height / 2 ? (ty > fy ? 'ArrowDown' : 'ArrowUp') : to!.x > from!.x ? 'ArrowRight' : 'ArrowLeft';
    await press(page, key);
  }
  throw new Error(`could not reach ${target}`);
}
