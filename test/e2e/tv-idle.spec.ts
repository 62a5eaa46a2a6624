import { expect, test, type Page } from '@playwright/test';
import type { DriverClient } from '../helpers/driver-client.js';
import { clockSteps } from './alert-walk.js';
import { freeSlot, toSlot } from './booking-slots.js';
import { connectDriver } from './product.js';
import { press } from './remote.js';
import { bookAs, focusLandsOn, insertCard, openTv, person, register } from './tv-session.js';

// The idle logout never throws away work the resident has not finished (a walk found a slot held
// and a half-filled form lost to it): while a screen holds such work, the quiet period starts again
// instead of the countdown. Finished, the logout comes after the quiet period as before.

const TARO = person('yamada-taro');
let driver: DriverClient;
let taroId: string;

test.beforeAll(async () => {
  driver = await connectDriver();
  await driver.request('hello', { client: 'tv-idle.spec' });
  taroId = await register(driver, TARO);
});
test.afterAll(async () => {
  await driver?.request('demo.remove', {});
  await driver?.close();
});

const idleDialog = (page: Page) => page.locator('stb-tv-app stb-tv-dialog[data-idle-left]');
const bookingView = (page: Page) => page.locator('stb-tv-booking-screen [data-screen="booking"]');

test('a slot held (仮予約) and not yet confirmed keeps the resident logged in past the quiet period; confirmed, the logout comes as usual', async ({ page }) => {
  test.setTimeout(120_000);
  const slot = await freeSlot('城端公民館 会議室', new Set());
  await insertCard(driver, TARO);
  await page.clock.install();
  await openTv(page, { idleLogoutMinutes: 5 });
  await press(page, '5');
  await expect(bookingView(page)).toHaveAttribute('data-view', 'facilities', { timeout: 15_000 });
  await toSlot(page, slot);
  await press(page, 'Enter');
  await bookAs(page, taroId, TARO.authPin);
  await expect(bookingView(page)).toHaveAttribute('data-view', 'held', { timeout: 15_000 });
  await focusLandsOn(page, 'booking/held/confirm');

  // Twice the quiet period and the countdown: no countdown, still held, still logged in.
  await clockSteps(page, 2 * (5 * 60_000 + 60_000));
  await expect(idleDialog(page)).toHaveCount(0);
  await expect(bookingView(page)).toHaveAttribute('data-view', 'held');

  await press(page, 'Enter');
  await expect(bookingView(page)).toHaveAttribute('data-view', 'confirmed', { timeout: 15_000 });
  await clockSteps(page, 5 * 60_000 + 2_500);
  await expect(idleDialog(page)).toBeAttached();
});
