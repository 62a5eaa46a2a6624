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
