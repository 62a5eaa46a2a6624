import { expect, test } from '@playwright/test';
import { E2E_OPERATOR_ORIGIN, E2E_READER_URL, E2E_SHELTER_ORIGIN, tvUrl } from './product.js';

/** The shelter tablet (its own origin) talks to the reader driver from the start (its card taps): the test's driver. */
const SHELTER_URL = `${E2E_SHELTER_ORIGIN}/shelter/?reader=${encodeURIComponent(E2E_READER_URL)}`;
/** The console as a desk PC opens it, talking to the test's reader driver (staff log in with their card). */
const consoleUrl = `${E2E_OPERATOR_ORIGIN}/operator/?reader=${encodeURIComponent(E2E_READER_URL)}`;

const PAGES = [
  { path: '/tv/', tag: 'stb-tv-app', heading: 'テレビで マイナンバーカード' },
  { path: SHELTER_URL, tag: 'stb-shelter-app', heading: '避難所 受付' },
  // The operator console and the shelter tablet have their own origins: no storage shared with the TV page.
  { path: consoleUrl, tag: 'stb-operator-app', heading: '運用コンソール ログイン' },
];

for (const page of PAGES) {
  test(`${page.path} renders its app and sees a healthy platform`, async ({ page: browser }, testInfo) => {
    const errors: string[] = [];
    browser.on('pageerror', (e) => errors.push(e.message));
    await browser.goto(page.path);
    await expect(browser.locator(page.tag).getByRole('heading', { level: 1 })).toHaveText(page.heading);
    await expect(browser.locator('stb-health-badge [data-health]')).toHaveAttribute('data-health', 'ok');
    await browser.screenshot({ path: testInfo.outputPath('page.png') });
    expect(errors).toEqual([]);
  });
}

test('the TV canvas is scaled to fit a 1280×720 viewport', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/tv/');
  const box = await page.locator('stb-tv-app .canvas').boundingBox();
  expect(box?.width).toBeCloseTo(1280, 0);
  expect(box?.height).toBeCloseTo(720, 0);
});

test('a page path without its slash redirects to the page', async ({ request }) => {
  for (const [base, page] of [['', 'tv'], [E2E_OPERATOR_ORIGIN, 'operator'], [E2E_SHELTER_ORIGIN, 'shelter']]) {
    const res = await request.get(`${base}/${page}`, { maxRedirects: 0 });
    expect(res.status()).toBe(301);
    expect(res.headers().location).toBe(`/${page}/`);
  }
});

test('each origin serves only its own pages: no console or tablet on the TV origin, no TV on theirs', async ({ request }) => {
  for (const url of [
    '/operator/', '/%6Fperator/', '/shelter/', `${E2E_OPERATOR_ORIGIN}/tv/`, `${E2E_OPERATOR_ORIGIN}/shelter/`, `${E2E_OPERATOR_ORIGIN}//TV/index.html`,
    `${E2E_SHELTER_ORIGIN}/tv/`, `${E2E_SHELTER_ORIGIN}/operator/`,
  ]) {
    const res = await request.get(url, { maxRedirects: 0 });
    expect(res.status(), url).toBe(404);
    expect((await res.json()).error.code, url).toBe('REQ_NOT_FOUND');
  }
  const root = await request.get(`${E2E_OPERATOR_ORIGIN}/`, { maxRedirects: 0 });
  expect(root.headers().location).toBe('/operator/');
  const tablet = await request.get(`${E2E_SHELTER_ORIGIN}/`, { maxRedirects: 0 });
  expect(tablet.headers().location).toBe('/shelter/');
});

test('no page breaks its content security policy, and the TV page still reaches the reader driver', async ({ page }) => {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const consoleCsp: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) consoleCsp.push(m.text());
  });
  for (const path of [SHELTER_URL, consoleUrl, tvUrl()]) {
    await page.goto(path);
    await expect(page.locator('h1').first()).toBeVisible();
    if (path.startsWith('/tv/')) {
      await expect(page.locator('stb-tv-card-status [data-card-status]').first()).not.toHaveAttribute('data-card-status', 'offline');
    }
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations), path).toEqual([]);
  }
  expect(consoleCsp).toEqual([]);
});
