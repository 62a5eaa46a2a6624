import { expect, test, type Page } from '@playwright/test';
import type { DriverClient } from '../helpers/driver-client.js';
import { connectDriver, tvUrl } from './product.js';
import { focusLandsOn } from './tv-session.js';

/** What the browser tests of the TV page read on it. */
export const step = (page: Page) => page.locator('stb-tv-flow-screen [data-step]');
export const canvas = (page: Page) => page.locator('stb-tv-app .canvas');
export const pinLength = (page: Page) => page.locator('stb-tv-flow-screen [data-pin-length]');
export const triesLeft = (page: Page) => page.locator('stb-tv-flow-screen [data-tries-left]');

/** Opens the demo TV's page and waits for its link to the reader driver and the start menu. */
export async function openTv(page: Page) {
  await page.goto(tvUrl());
  await expect(page.locator('stb-tv-card-status [data-card-status]').first()).not.toHaveAttribute('data-card-status', 'offline');
  await focusLandsOn(page, 'start/login');
}

/**
 * The hooks every card test file of the TV page needs: the test's own link to the reader driver
 * (for the demo card bay: a person putting cards in and taking them out), an empty bay before each
 * test, and no page errors after it. `prepare` runs once the link is up (e.g. registrations).
 */
export function cardBayHooks(client: string, prepare?: (driver: DriverClient) => Promise<void>) {
  let driver: DriverClient;
  let pageErrors: string[] = [];

  test.beforeAll(async () => {
    driver = await connectDriver();
    await driver.request('hello', { client });
    await prepare?.(driver);
  });
  test.afterAll(async () => {
    await driver?.request('demo.remove', {});
    await driver?.close();
  });
  test.beforeEach(async ({ page }) => {
    pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await card('demo.remove');
  });
  test.afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  /** Puts a demo card in the reader, or takes it out. */
  async function card(cmd: 'demo.insert' | 'demo.remove', id?: string) {
    const answer = await driver.request(cmd, id ? { card: id } : {});
    expect(answer.ok, JSON.stringify(answer.error)).toBe(true);
  }
  return { card, driver: () => driver };
}
