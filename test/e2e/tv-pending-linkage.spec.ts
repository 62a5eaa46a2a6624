import { expect, test, type Page } from '@playwright/test';
import type { DriverClient } from '../helpers/driver-client.js';
import { connectDriver, tvUrl } from './product.js';
import { focusedKeys, press } from './remote.js';

// A registration whose card is newer than the J-LIS linkage data the platform has waits until
// that data arrives (issue 9 §1). Every demo card's linkage is ingested at start, so here the
// platform's answer to the confirmation is replaced by the waiting one; everything before it
// (card, PINs, signatures, 基本4情報) runs against the real product.

const HANAKO = { card: 'yamada-hanako', authPin: '5678', signPin: 'HANAKO53' };

let driver: DriverClient;

test.beforeAll(async () => {
  driver = await connectDriver();
  await driver.request('hello', { client: 'tv-pending-linkage.spec' });
});

test.afterAll(async () => {
  await driver?.request('demo.remove', {});
  await driver?.close();
});

const step = (page: Page) => page.locator('stb-tv-flow-screen [data-step]');

async function focusLandsOn(page: Page, key: string) {
  await expect.poll(() => focusedKeys(page), { timeout: 15_000 }).toEqual([key]);
}

/** Steps focus towards `target` with the arrow keys, by the elements' positions on screen. */
async function arrowTo(page: Page, target: string) {
  for (let i = 0; i < 40 && (await focusedKeys(page))[0] !== target; i++) {
    const [current] = await focusedKeys(page);
    const [a, b] = await Promise.all([current, target].map((k) => page.locator(`[data-focus-key="${k}"]`).boundingBox()));
    const dy = b!.y + b!.height / 2 - (a!.y + a!.height / 2);
    await press(page, Math.abs(dy) > a!.height / 2 ? (dy > 0 ? 'ArrowDown' : 'ArrowUp') : b!.x > a!.x ? 'ArrowRight' : 'ArrowLeft');
  }
  expect(await focusedKeys(page)).toEqual([target]);
}

test('a confirmation that waits for the card linkage says so in plain Japanese, with a way back', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  let confirmed = 0;
  await page.route('**/api/v1/registrations/*/confirm', async (route) => {
    confirmed++;
    const registrationId = new URL(route.request().url()).pathname.split('/').at(-2)!;
    await route.fulfill({ status: 201, contentType: 'application/json', body: JSON.stringify({ status: 'pending_linkage', registrationId }) });
  });
  expect((await driver.request('demo.insert', { card: HANAKO.card })).ok).toBe(true);
  await page.goto(tvUrl());
  await focusLandsOn(page, 'start/login');

  await press(page, '2');
  await focusLandsOn(page, 'district/johana');
  await press(page, 'Enter', 'consent/agree');
  await press(page, 'Enter');
  // Another spec of the same run may have registered 花子 already: then register her again.
  await expect.poll(async () => (await focusedKeys(page))[0], { timeout: 15_000 }).toMatch(/^(kbd\/A|already\/login)$/);
  if ((await focusedKeys(page))[0] === 'already/login') await press(page, '2');
  await focusLandsOn(page, 'kbd/A');
  for (const ch of HANAKO.signPin) {
    if (/[0-9]/.test(ch)) await press(page, ch);
    else {
      await arrowTo(page, `kbd/${ch}`);
      await press(page, 'Enter', `kbd/${ch}`);
    }
  }
  await arrowTo(page, 'kbd/submit');
  await press(page, 'Enter');
  await focusLandsOn(page, 'pad/1');
  for (const digit of HANAKO.authPin) await press(page, digit, 'pad/1');
  await arrowTo(page, 'pad/submit');
  await press(page, 'Enter');
  await focusLandsOn(page, 'confirm/yes');
  await press(page, 'Enter');

  await focusLandsOn(page, 'pending/start');
  await expect(step(page)).toHaveAttribute('data-step', 'pendingLinkage');
  await expect(page.locator('stb-tv-flow-screen')).toContainText('カードの確認に 時間がかかっています。確認が できしだい、登録が おわります。');
  expect(confirmed).toBe(1);
  await page.screenshot({ path: testInfo.outputPath('tv-register-pending-linkage.png') });
  await press(page, 'Enter');
  await expect(page.locator('stb-tv-app .canvas')).toHaveAttribute('data-screen-name', 'start');
  expect(pageErrors).toEqual([]);
});
