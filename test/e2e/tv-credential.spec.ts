import { expect, test } from '@playwright/test';
import { DEMO_TV, E2E_OPERATOR_ORIGIN, E2E_READER_URL, tvUrl } from './product.js';

// The TV page's device credential comes from the reader driver (the set-top box side, which
// holds it from provisioning) and stays in the page's memory: not in the address, not in the
// history, not in storage, and the operator console, on an origin of its own, can reach none of it.

/** Every localStorage and sessionStorage entry of the page's origin, as one text. */
const storageText = () =>
  JSON.stringify([localStorage, sessionStorage].map((s) => Object.entries(s)));

test('the TV uses its device credential without it ever being in its URL, history or storage', async ({ page }) => {
  await page.goto(tvUrl());
  await expect(page.locator('stb-tv-app')).toBeAttached();
  // A device call of the TV page itself: it asks the driver for the credential, then the platform.
  const sent = page.waitForRequest((r) => r.url().endsWith('/api/v1/tv/household'));
  const household = await page.evaluate(async () => {
    const app = document.querySelector('stb-tv-app')!;
    return (await app.platform.household()).household.label;
  });
  expect(household).toBe('山田さん宅');
  expect((await sent).headers().authorization).toBe(`Device ${DEMO_TV.id}:${DEMO_TV.secret}`);

  expect(page.url()).not.toContain(DEMO_TV.secret);
  const cdp = await page.context().newCDPSession(page);
  const history = (await cdp.send('Page.getNavigationHistory')) as { entries: { url: string }[] };
  expect(history.entries.length).toBeGreaterThan(0);
  for (const entry of history.entries) expect(entry.url).not.toContain(DEMO_TV.secret);
  expect(await page.evaluate(storageText)).not.toContain(DEMO_TV.secret);
  expect(await page.evaluate(() => document.cookie)).toBe('');
});

test('an old link with #device= is dropped from the address and history, and an old stored copy is removed', async ({ page }) => {
  await page.goto('/tv/');
  await page.evaluate(() => localStorage.setItem('stb-tv-device', 'old-id:old-secret'));
  await page.goto(`${tvUrl()}#device=old-id:old-secret`);
  await expect(page.locator('stb-tv-app')).toBeAttached();
  await expect.poll(() => page.url()).not.toContain('old-secret');
  const cdp = await page.context().newCDPSession(page);
  const history = (await cdp.send('Page.getNavigationHistory')) as { entries: { url: string }[] };
  for (const entry of history.entries) expect(entry.url).not.toContain('old-secret');
  expect(await page.evaluate(storageText)).not.toContain('old-secret');
});

test('the operator console, on its own origin, holds nothing of the TV and cannot get its credential from the driver', async ({ context }) => {
  const tv = await context.newPage();
  await tv.goto(tvUrl());
  await tv.evaluate(() => document.querySelector('stb-tv-app')!.platform.household());

  const console = await context.newPage();
  await console.goto(`${E2E_OPERATOR_ORIGIN}/operator/`);
  await expect(console.locator('stb-operator-app')).toBeAttached();
  expect(new URL(console.url()).origin).not.toBe(new URL(tv.url()).origin);
  const consoleStorage = await console.evaluate(storageText);
  expect(consoleStorage).not.toContain(DEMO_TV.secret);
  for (const tvKey of ['stb-tv-device', 'stb-reader-session', 'stb-tv-settings']) expect(consoleStorage).not.toContain(tvKey);

  // The console may use the reader (staff log in with their own card), but the driver never hands
  // it the box's credential.
  const outcome = await console.evaluate(
    (url) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(url);
        ws.onopen = () => {
          ws.send(JSON.stringify({ v: 1, id: 'steal', cmd: 'device.credential' }));
          ws.onmessage = (e) => resolve(`answered: ${String(e.data)}`);
        };
        ws.onclose = () => resolve('closed');
      }),
    E2E_READER_URL,
  );
  expect(outcome).toMatch(/^answered: /);
  expect(outcome).toContain('"code":"WS_ORIGIN_REFUSED"');
  expect(outcome).not.toContain(DEMO_TV.secret);
});
