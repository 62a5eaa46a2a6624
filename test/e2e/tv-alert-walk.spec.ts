import { expect, test, type Page } from '@playwright/test';
import type { DriverClient } from '../helpers/driver-client.js';
import {
  acknowledgementsSent, acknowledgeLeftovers, alertLink, choicesTaken, clockSteps, overlay,
} from './alert-walk.js';
import { cancelAlerts, publishAlert, type Published } from './alerts.js';
import { connectDriver, tvUrl } from './product.js';
import { focusedKeys, press } from './remote.js';
import { focusLandsOn, insertCard, logInWithRemote, person, register } from './tv-session.js';

// The evacuation-alert overlay walked as an elderly resident would, with the remote only: the traps
// a hurried or slow press falls into. Nothing under the overlay (a PIN pad, an idle-logout
// countdown) takes its keys.

const TARO = person('yamada-taro');
let driver: DriverClient;
const published: Published[] = [];
const publish = async (input: Parameters<typeof publishAlert>[0] = {}) => {
  const p = await publishAlert(input);
  published.push(p);
  return p;
};

test.beforeAll(async () => {
  driver = await connectDriver();
  await driver.request('hello', { client: 'tv-alert-walk.spec' });
  await register(driver, TARO);
});
test.afterAll(async () => {
  await cancelAlerts(published);
  await driver?.request('demo.remove', {});
  await driver?.close();
});

/** The TV at its start screen with the page clock installed and no alert left over from elsewhere. */
async function quietTv(page: Page, settings: Record<string, unknown> | null = null) {
  await page.clock.install();
  await page.addInitScript((saved) => {
    if (saved) localStorage.setItem('stb-tv-settings', saved);
    else localStorage.removeItem('stb-tv-settings');
  }, settings ? JSON.stringify(settings) : null);
  const link = await alertLink(page);
  await page.goto(tvUrl());
  await acknowledgeLeftovers(page, link);
  await focusLandsOn(page, 'start/login');
  return link;
}

test('digits, arrows and Back with an alert up never reach the PIN pad beneath; acknowledged, the PIN is as it was', async ({ page }) => {
  await quietTv(page);
  await insertCard(driver, TARO);
  await expect(page.locator('stb-tv-start-screen [data-card-status]')).toHaveAttribute('data-card-status', 'card', { timeout: 15_000 });
  await press(page, '1');
  await focusLandsOn(page, 'pad/1');
  await press(page, TARO.authPin[0]!);
  await press(page, TARO.authPin[1]!);
  const typedOn = (await focusedKeys(page))[0]!;
  const pinLength = page.locator('stb-tv-flow-screen [data-pin-length]');
  await expect(pinLength).toHaveAttribute('data-pin-length', '2');

  const order = await publish({ level: '4' });
  await expect(overlay(page)).toHaveAttribute('data-alert', order.id, { timeout: 15_000 });
  await choicesTaken(page);
  for (const key of ['5', '0', 'ArrowUp', 'ArrowLeft', 'Backspace', 'ArrowDown', 'ArrowRight']) await press(page, key);
  expect((await focusedKeys(page))[0]).toMatch(/^alert\//);
  await expect(overlay(page)).toHaveAttribute('data-alert', order.id);
  await press(page, '1', typedOn);
  await expect(overlay(page)).toHaveCount(0);
  await expect(pinLength).toHaveAttribute('data-pin-length', '2');
  await expect(page.locator('stb-tv-flow-screen [data-step="pin-auth"]')).toBeAttached();
  await cancelAlerts([order]);
});

test('an idle-logout countdown that comes while an alert is up goes beneath it: the answer still reaches the alert', async ({ page }) => {
  test.setTimeout(120_000);
  const link = await quietTv(page, { idleLogoutMinutes: 5 });
  await insertCard(driver, TARO);
  await logInWithRemote(page, TARO);
  const order = await publish({ level: '4' });
  await expect(overlay(page)).toHaveAttribute('data-alert', order.id, { timeout: 15_000 });
  // The resident reads without touching the remote: the quiet period runs out under the alert.
  await clockSteps(page, 5 * 60_000 + 2_500);
  await expect(page.locator('stb-tv-app stb-tv-dialog[data-idle-left]')).toBeAttached();
  await page.keyboard.press('2');
  await expect(overlay(page)).toHaveCount(0);
  await expect.poll(() => focusedKeys(page)).toHaveLength(1);
  await expect.poll(() => acknowledgementsSent(link, order.id).map((m) => m.answer)).toEqual(['safe_at_home']);
  await cancelAlerts([order]);
});
