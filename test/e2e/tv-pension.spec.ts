import { randomUUID } from 'node:crypto';
import { expect, test, type BrowserContext, type Locator, type Page, type TestInfo } from '@playwright/test';
import type { DriverClient } from '../helpers/driver-client.js';
import { consoleSession } from './console-session.js';
import { routeDriverLink } from './driver-link.js';
import { screenChecker } from './layout-check.js';
import { connectDriver, E2E_ORIGIN, E2E_OPERATOR_ORIGIN, E2E_READER_URL } from './product.js';
import { focusedKeys, press } from './remote.js';
import { DEMO_PROVIDERS } from '../../platform/src/demo/world.js';
import { TEXT_SCALE, type TextSize } from '../../stb-ui/src/tv/settings.js';
import { api, apiSession, focusLandsOn, insertCard, logInWithRemote, moveTo, openTv, person, register, typeOnKeyboard, typePin } from './tv-session.js';
import { clockSteps } from './alert-walk.js';

// Issue 15: the insurer clerk, logged in at the console with their own card, registers a policy
// (its link code shown once) and opens the campaign for its month (deadline, a reminder day) in the
// page's forms; 山田太郎 enters the letter's link code on the TV with the number keys, consents
// with his card, finds the request in お知らせ, answers, signs with the 署名用 password (a wrong one
// first: tries left), and the submission is accepted with its timestamp; the clerk's page then
// shows it and downloads its bundle, byte for byte what the console API hands out.

const TARO = person('yamada-taro');
const CLERK = { card: 'staff-insurer-clerk', pin: '5555' };
let driver: DriverClient;
let staff: Record<string, string>;

async function consoleApi(method: string, path: string, body?: object) {
  const res = await fetch(`${E2E_OPERATOR_ORIGIN}/api/v1/console${path}`, {
    method, headers: { ...staff, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, text, body: text.startsWith('{') ? JSON.parse(text) : null };
}

/** Types a 署名用 password on the keyboard: digits with the number keys, letters with the arrows and OK. */
async function typeSignPassword(page: Page, password: string) {
  await typeOnKeyboard(page, password);
  await moveTo(page, 'kbd/submit');
  await press(page, 'Enter');
}

/** From the request's line in お知らせ: the request, 記入する; focus on 内容を 確かめる. */
async function toForm(page: Page, item: Locator) {
  await moveTo(page, `pension/item/${await item.getAttribute('data-item')}`);
  await press(page, 'Enter');
  await focusLandsOn(page, 'pension/write');
  await press(page, 'Enter');
  await focusLandsOn(page, 'pension/next');
}

/** From the inbox: the request, 記入する, the declarations as they are, the lines to sign, 署名する: the password. */
async function toPassword(page: Page, item: Locator) {
  await toForm(page, item);
  await press(page, 'Enter');
  await expect(page.locator('stb-tv-pension-screen [data-lines]')).toContainText('私は生存しており', { timeout: 15_000 });
  await focusLandsOn(page, 'pension/sign');
  await press(page, 'Enter');
}

const mode = (page: Page) => page.locator('stb-tv-pension-screen [data-pension-mode]').first();

/**
 * 太郎's password and 決定, with the page's clock faked: the platform is sent the signature, which
 * the test's route leaves unanswered, and the TV gives up on it (10 s) at once.
 */
async function signUnanswered(page: Page) {
  await page.clock.install();
  await typeOnKeyboard(page, TARO.signPin);
  await moveTo(page, 'kbd/submit');
  const hung = page.waitForRequest((r) => r.url().includes('/api/v1/pension/confirmations'));
  await press(page, 'Enter');
  await hung;
  await page.clock.fastForward(20_000);
}

/** The clerk's console in a tab of its own, logged in with their card and PIN, on the pension page. */
async function clerkDesk(context: BrowserContext): Promise<Page> {
  await driver.request('demo.remove', {});
  expect((await driver.request('demo.insert', { card: CLERK.card })).ok).toBe(true);
  const desk = await context.newPage();
  await desk.goto(`${E2E_OPERATOR_ORIGIN}/operator/?reader=${encodeURIComponent(E2E_READER_URL)}#/pension`);
  const signIn = desk.locator('op-sign-in');
  await expect(signIn.locator('[data-reader="card"]')).toBeVisible({ timeout: 15_000 });
  await signIn.locator('input[name=pin]').fill(CLERK.pin);
  await signIn.getByRole('button', { name: 'ログイン', exact: true }).click();
  await desk.locator('[data-nav="pension"]').click();
  await expect(desk.locator('op-pension-page [data-campaign-form]')).toBeVisible({ timeout: 15_000 });
  await driver.request('demo.remove', {});
  return desk;
}

/** `YYYY-MM-DD` in Japan, `days` from now (what a date input holds). */
const japanDay = (days: number) => new Date(Date.now() + days * 86_400_000 + 9 * 3600_000).toISOString().slice(0, 10);

/**
 * Next month, or the same month of a later year when this product already has a campaign for it
 * (one per month per insurer; a PostgreSQL database may be reused between runs).
 */
async function freePeriod(): Promise<{ period: string; month: number }> {
  const taken = new Set(((await consoleApi('GET', '/pension/campaigns')).body.campaigns as { period: string }[]).map((c) => c.period));
  const now = new Date();
  for (let years = 0; ; years++) {
    const d = new Date(Date.UTC(now.getUTCFullYear() + years, now.getUTCMonth() + 1, 1));
    const period = d.toISOString().slice(0, 7);
    if (!taken.has(period)) return { period, month: d.getUTCMonth() + 1 };
  }
}

/**
 * A policy of its own, linked through the API, and its campaign, whose request waits in 太郎's
 * inbox; then 太郎 on the TV (his card in, logged in with the remote) at お知らせ: the request's line.
 */
async function toRequest(page: Page, settings: { textSize: TextSize; highContrast: boolean; idleLogoutMinutes?: number }): Promise<Locator> {
  const { period, month } = await freePeriod();
  const policyRef = `E2E-${randomUUID().slice(0, 8)}`;
  const issued = await consoleApi('POST', '/pension/policies', { policyRef, dueMonth: month });
  expect(issued.status, issued.text).toBe(201);
  const linked = await api('POST', '/api/v1/pension/links', await apiSession(driver, TARO), { code: issued.body.policies[0].linkCode, shareBasic4: false });
  expect(linked.status, JSON.stringify(linked.body)).toBe(201);
  const campaign = await consoleApi('POST', '/pension/campaigns', { title: `現況確認 ${period}`, period, deadline: japanDay(20), reminderDates: [] });
  expect(campaign.status, campaign.text).toBe(201);
  await insertCard(driver, TARO);
  await openTv(page, settings);
  await logInWithRemote(page, TARO);
  await press(page, '7');
  // The campaign's request: its title names the period, and it names the policy (as other items do).
  const item = page.locator('stb-tv-pension-screen [data-item]', { hasText: policyRef }).filter({ hasText: `現況確認 ${period}` });
  await expect(item).toBeVisible({ timeout: 15_000 });
  return item;
}

/** {@link toRequest}, then the request opened to the password. */
async function toRequestPassword(page: Page, settings: { textSize: TextSize; highContrast: boolean }) {
  await toPassword(page, await toRequest(page, settings));
}

/**
 * Where the 特大 walks start: 太郎 at the password of a request of his, the TV at 特大 with its
 * driver link routed (to cut it and count the card's signatures), every screen checked for layout.
 */
async function atPasswordXlarge(page: Page, testInfo: TestInfo) {
  test.setTimeout(120_000);
  const checker = screenChecker(page, testInfo, 'xlarge');
  const link = await routeDriverLink(page);
  await toRequestPassword(page, { textSize: 'xlarge', highContrast: false });
  const screen = page.locator('stb-tv-pension-screen');
  await expect(screen.locator('[data-tries-left]')).toHaveAttribute('data-tries-left', '5', { timeout: 15_000 });
  return { ...checker, link, screen, signsBefore: link.signs.length /* the login's */ };
}

test.beforeAll(async () => {
  driver = await connectDriver();
  await driver.request('hello', { client: 'tv-pension.spec' });
  await register(driver, TARO);
  await driver.request('demo.remove', {});
  staff = await consoleSession(driver, { card: CLERK.card, authPin: CLERK.pin });
});
test.afterAll(async () => {
  // 太郎 leaves as he came: not linked to the insurer (other specs expect no services).
  if (driver) {
    const pension = DEMO_PROVIDERS.find((p) => p.service === 'pension')!.id;
    await api('DELETE', `/api/v1/me/services/${pension}`, await apiSession(driver, TARO));
  }
  await driver?.request('demo.remove', {});
  await driver?.close();
});

test('link a policy with its code, sign the 現況確認届 from the inbox, the insurer gets the sealed submission', async ({ page }) => {
  test.setTimeout(180_000);
  const { period, month } = await freePeriod();
  const policyRef = `E2E-${randomUUID().slice(0, 8)}`;

  // The clerk at the console: a policy due in that month, its link code shown once, then the campaign.
  const desk = await clerkDesk(page.context());
  const pension = desk.locator('op-pension-page');
  const register = pension.locator('form', { has: desk.locator('input[name=policyRef]') });
  await register.locator('input[name=policyRef]').fill(policyRef);
  await register.locator('input[name=dueMonth]').fill(String(month));
  await register.getByRole('button', { name: '登録' }).click();
  const codeCell = pension.locator('[data-codes] tr', { hasText: policyRef }).locator('[data-link-code]');
  await expect(codeCell).toHaveText(/^\d{4}-\d{4}-\d{4}$/, { timeout: 15_000 });
  const linkCode = (await codeCell.textContent())!;

  const campaignForm = pension.locator('[data-campaign-form]');
  await expect(campaignForm.locator('input[name=period]')).toHaveValue(/^\d{4}-\d{2}$/); // next month is offered
  await campaignForm.locator('input[name=period]').fill(period);
  await campaignForm.locator('input[name=deadline]').fill(japanDay(20));
  await campaignForm.locator('input[name=reminder]').first().fill(japanDay(10));
  await campaignForm.getByRole('button', { name: '開始' }).click();
  await expect(pension.locator(`[data-campaign-opened="${period}"]`)).toBeVisible({ timeout: 15_000 });
  const campaigns = (await consoleApi('GET', '/pension/campaigns')).body.campaigns as { id: string; period: string; reminderDates: string[]; deadline: string }[];
  const campaign = campaigns.find((c) => c.period === period)!;
  expect(campaign.reminderDates).toEqual([japanDay(10)]);
  await expect(pension.locator(`tr[data-campaign="${campaign.id}"]`)).toBeVisible();
  // The same month again is refused on the page with its code; what was typed stays in the form.
  await campaignForm.locator('input[name=period]').fill(period);
  await campaignForm.locator('input[name=deadline]').fill(japanDay(20));
  await campaignForm.getByRole('button', { name: '開始' }).click();
  await expect(pension.locator('[data-campaign-form] ~ [role=alert]')).toContainText('REQ_INVALID');
  await expect(campaignForm.locator('input[name=period]')).toHaveValue(period);

  await page.bringToFront();
  await insertCard(driver, TARO);
  await openTv(page);
  await logInWithRemote(page, TARO);
  await press(page, '7');
  await expect(mode(page)).toHaveAttribute('data-pension-mode', 'inbox', { timeout: 15_000 });
  await moveTo(page, 'pension/link-code');
  await press(page, 'Enter');
  await focusLandsOn(page, 'pension/code/submit');
  for (const d of linkCode.replace(/-/g, '')) await press(page, d);
  await press(page, 'Enter');
  await expect(mode(page)).toHaveAttribute('data-pension-mode', 'preview', { timeout: 15_000 });
  await expect(page.locator('stb-tv-pension-screen [data-uid]')).toBeVisible();
  await focusLandsOn(page, 'pension/consent');
  await press(page, 'Enter');
  await typePin(page, TARO.authPin); // consent: the card login
  await expect(mode(page)).toHaveAttribute('data-pension-mode', 'linked', { timeout: 15_000 });
  await expect(page.locator('stb-tv-pension-screen [data-linked]')).toContainText(policyRef);

  await press(page, 'Enter'); // もどる → the inbox, now with the campaign's request
  await expect(mode(page)).toHaveAttribute('data-pension-mode', 'inbox', { timeout: 15_000 });
  const item = page.locator('stb-tv-pension-screen [data-item]', { hasText: policyRef });
  await expect(item).toBeVisible();
  await toPassword(page, item);
  await expect(page.locator('stb-tv-pension-screen [data-tries-left]')).toHaveAttribute('data-tries-left', '5', { timeout: 15_000 });

  await typeSignPassword(page, 'WRONG1');
  await expect(page.locator('stb-tv-pension-screen [data-tries-left]')).toHaveAttribute('data-tries-left', '4', { timeout: 15_000 });
  // Said in the keyboard's own word: the screen asks for a パスワード, not a 暗証番号.
  await expect(page.locator('stb-tv-pension-screen [data-notice="wrong"]')).toHaveText('パスワードが 違います。');
  // The card taken away mid-signature: nothing is lost; put back, 決定 again.
  await driver.request('demo.remove', {});
  await typeSignPassword(page, TARO.signPin);
  await expect(page.locator('stb-tv-pension-screen [data-card-away]')).toBeVisible({ timeout: 15_000 });
  await insertCard(driver, TARO);
  await moveTo(page, 'kbd/submit');
  await press(page, 'Enter');
  await expect(page.locator('stb-tv-pension-screen [data-receipt]')).toHaveAttribute('data-receipt', 'sealed', { timeout: 20_000 });
  await expect(page.locator('stb-tv-pension-screen [data-signed-at]')).not.toBeEmpty();
  expect(await focusedKeys(page)).toEqual(['pension/back']);

  const subs = await consoleApi('GET', '/pension/submissions');
  const mine = (subs.body.submissions as { id: string; policyRef: string; state: string }[]).find((s) => s.policyRef === policyRef);
  expect(mine?.state).toBe('sealed');
  const bundle = await consoleApi('GET', `/pension/submissions/${mine!.id}/bundle`);
  expect(bundle.status).toBe(200);
  expect(JSON.parse(bundle.text)).toMatchObject({ version: expect.any(String), document: expect.any(String), signature: expect.any(String) });

  // The clerk's console page (still logged in, read again): the submission with its state, the
  // campaign's progress, the bundle downloaded byte for byte.
  await desk.bringToFront();
  await desk.reload();
  const row = desk.locator(`op-pension-page tr[data-submission="${mine!.id}"]`);
  await expect(row).toHaveAttribute('data-state', 'sealed', { timeout: 15_000 });
  await expect(desk.locator(`op-pension-page tr[data-campaign="${campaign.id}"] [data-submitted]`)).toHaveText('1');
  const [download] = await Promise.all([desk.waitForEvent('download'), row.locator('[data-download]').click()]);
  expect(download.suggestedFilename()).toBe(`genkyo-${mine!.id}.json`);
  const { readFile } = await import('node:fs/promises');
  expect(await readFile((await download.path())!, 'utf8')).toBe(bundle.text);
  await driver.request('demo.remove', {});
});

for (const textSize of Object.keys(TEXT_SCALE) as TextSize[]) for (const highContrast of [false, true]) test(`the driver link drops just after 決定 on a wrong 署名用 password, its answer lost: the password is not sent again; the keyboard comes back empty with the card’s tries, one spent (text size ${textSize}, ${highContrast ? 'high' : 'normal'} contrast)`, async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const { problems, check } = screenChecker(page, testInfo, `${textSize}${highContrast ? '-hc' : ''}`);
  // The sign request passes; its answer (CARD_PIN_WRONG) is lost and the link drops with it, so
  // the driver takes it as delivered. New links are refused until the test lets them pass.
  const link = await routeDriverLink(page);
  await toRequestPassword(page, { textSize, highContrast });
  const screen = page.locator('stb-tv-pension-screen');
  const before = (await driver.request('pin.status', { key: 'sign' })).result as { triesLeft: number };
  await expect(screen.locator('[data-tries-left]')).toHaveAttribute('data-tries-left', String(before.triesLeft), { timeout: 15_000 });
  const signsBefore = link.signs.length; // the login's
  link.loseSignAnswer = true;
  link.up = false;
  await typeSignPassword(page, 'WRONG1');
  await expect.poll(() => link.answerLost, { timeout: 15_000 }).toBe(true);
  // Waiting for the link: the password is gone already, no key sends anything, the card line says why.
  await expect(screen.locator('[data-waiting="yes"] [data-pin-length="0"]')).toBeVisible({ timeout: 15_000 });
  await check('pension-password-waiting');
  link.up = true;

  const notice = screen.locator('[data-notice="linkLost"]');
  await expect(notice).toBeVisible({ timeout: 15_000 });
  await expect(notice).toContainText('接続が 一時 切れました。英数字のパスワードを もう一度 入れてください。');
  await expect(mode(page)).toHaveAttribute('data-pension-mode', 'sign');
  await expect(screen.locator('[data-pin-length]')).toHaveAttribute('data-pin-length', '0');
  // The tries shown are the card's, asked after the link came back: exactly one spent.
  await expect(screen.locator('[data-tries-left]')).toHaveAttribute('data-tries-left', String(before.triesLeft - 1), { timeout: 15_000 });
  expect((await driver.request('pin.status', { key: 'sign' })).result).toEqual({ key: 'sign', triesLeft: before.triesLeft - 1, blocked: false });
  expect(link.signs.length - signsBefore).toBe(1);
  await check('pension-password-again');

  // The longest password (16 characters) sent with no card: nothing reached a card, so it stays,
  // masked, under the notice; the crowded keyboard still fits.
  await driver.request('demo.remove', {});
  await typeSignPassword(page, '1234567890123456');
  await expect(screen.locator('[data-card-away]')).toBeVisible({ timeout: 15_000 });
  await expect(screen.locator('[data-pin-length]')).toHaveAttribute('data-pin-length', '16');
  await check('pension-password-16-card-away');
  expect(problems).toEqual([]);
  await insertCard(driver, TARO);
  for (let i = 0; i < 16; i++) await press(page, 'Backspace');
  await expect(screen.locator('[data-pin-length]')).toHaveAttribute('data-pin-length', '0');

  // The right password now signs.
  await typeSignPassword(page, TARO.signPin);
  await expect(screen.locator('[data-receipt]')).toHaveAttribute('data-receipt', 'sealed', { timeout: 20_000 });
  expect(link.signs.length - signsBefore).toBe(3); // the lost one, the one with no card, the right one
  await driver.request('demo.remove', {});
});

test('the insurer admin issues an API credential in the console (shown once); revoked there, its next request is refused', async ({ page }) => {
  test.setTimeout(90_000);
  const desk = await clerkDesk(page.context()); // the demo clerk is also the insurer's admin
  const panel = desk.locator('op-pension-credentials');
  const label = `E2E ${randomUUID().slice(0, 8)}`;
  await panel.locator('input[name=label]').fill(label);
  await panel.getByRole('button', { name: '発行' }).click();
  const shown = panel.locator('[data-credential]');
  await expect(shown).toHaveText(/^Insurer [0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/, { timeout: 15_000 });
  const authorization = (await shown.textContent())!;
  const call = () => fetch(`${E2E_ORIGIN}/api/v1/insurer/submissions`, { headers: { authorization } });
  expect((await call()).status).toBe(200);

  const row = panel.locator('tr[data-credential-row]', { hasText: label });
  await expect(row).toHaveAttribute('data-revoked', 'no');
  await expect(row).not.toContainText(authorization.split('.')[1]!);
  await row.locator('[data-revoke]').click();
  await panel.locator('[data-confirm-revoke]').click();
  await expect(row).toHaveAttribute('data-revoked', 'yes', { timeout: 15_000 });
  const refused = await call();
  expect(refused.status).toBe(401);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('PENSION_API_CREDENTIAL_REVOKED');
});

test('the reader driver gone (the cable out) as 決定 is pressed at 特大: the password never left the TV, so it stays; the screen says what to check, and 決定 signs once it is back', async ({ page }, testInfo) => {
  const { problems, check, link, screen, signsBefore } = await atPasswordXlarge(page, testInfo);
  await typeOnKeyboard(page, TARO.signPin);
  await link.cut();
  await moveTo(page, 'kbd/submit');
  await press(page, 'Enter');
  // It was the 現況確認届's failure screen (only もどる: the declarations and the password gone).
  await expect(screen.locator('[data-no-reader]')).toHaveText('カードリーダーに つながりません。ケーブルと 電源を 確かめて、もう一度 決定を 押してください。', { timeout: 15_000 });
  await expect(mode(page)).toHaveAttribute('data-pension-mode', 'sign');
  await expect(screen.locator('[data-pin-length]')).toHaveAttribute('data-pin-length', String(TARO.signPin.length));
  await expect(screen.locator('stb-tv-card-status')).toBeVisible();
  expect(link.signs.length - signsBefore).toBe(0); // nothing left the TV
  await check('pension-driver-gone');
  expect(problems).toEqual([]);

  link.up = true;
  await expect(screen.locator('stb-tv-card-status [data-card-status]')).toHaveAttribute('data-card-status', 'card', { timeout: 20_000 });
  expect(await focusedKeys(page)).toEqual(['kbd/submit']);
  await press(page, 'Enter');
  await expect(screen.locator('[data-receipt]')).toHaveAttribute('data-receipt', 'sealed', { timeout: 20_000 });
  expect(link.signs.length - signsBefore).toBe(1);
  await driver.request('demo.remove', {});
});

test('the platform silent once the card has signed (特大): the TV says so and もう一度 送る sends the same signature, no password and no card again', async ({ page }, testInfo) => {
  const { problems, check, link, screen, signsBefore } = await atPasswordXlarge(page, testInfo);
  let hang = true;
  await page.route('**/api/v1/pension/confirmations', (route) => (hang ? undefined : route.continue()));
  await signUnanswered(page);
  // It was only もどる, under the inbox's title: the declarations, the password and the signature thrown away.
  await expect(mode(page)).toHaveAttribute('data-pension-mode', 'failed', { timeout: 15_000 });
  await expect(mode(page)).toHaveText('現況確認届');
  await expect(screen.locator('[data-error]')).toContainText('サーバーから 返事が ありません');
  // Whom to call if it does not come right, as the card flow says.
  await expect(screen.locator('[data-operator-phone]')).toHaveText('0120-000-000');
  await focusLandsOn(page, 'pension/retry');
  await check('pension-platform-silent');
  expect(problems).toEqual([]);

  hang = false;
  await press(page, 'Enter');
  await expect(screen.locator('[data-receipt]')).toHaveAttribute('data-receipt', 'sealed', { timeout: 20_000 });
  expect(link.signs.length - signsBefore).toBe(1); // the card signed once
  await driver.request('demo.remove', {});
});

test('no timestamp (503), then the answer lost once the platform stored it: もう一度 送る each time, and the receipt of the one stored submission', async ({ page }) => {
  test.setTimeout(120_000);
  const link = await routeDriverLink(page);
  await toRequestPassword(page, { textSize: 'large', highContrast: false });
  const sends: string[] = [];
  let step = 0;
  await page.route('**/api/v1/pension/confirmations', async (route) => {
    sends.push(route.request().postData() ?? '');
    step++;
    // The first: the platform could not get a timestamp (the draft stays unused). The second: stored, its answer lost.
    if (step === 1) return route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'TSA_UNAVAILABLE', message: 'The timestamp authority cannot be reached', ja: '時刻の証明を受けられませんでした。しばらくしてから、もう一度お試しください。' } }) });
    if (step === 2) {
      expect((await route.fetch()).status()).toBe(201);
      return route.abort('failed');
    }
    return route.continue();
  });
  const screen = page.locator('stb-tv-pension-screen');
  await expect(screen.locator('[data-tries-left]')).toHaveAttribute('data-tries-left', '5', { timeout: 15_000 });
  const signsBefore = link.signs.length; // the login's
  await typeSignPassword(page, TARO.signPin);
  await expect(mode(page)).toHaveAttribute('data-pension-mode', 'failed', { timeout: 15_000 });
  await expect(screen.locator('[data-error]')).toContainText('時刻の証明を受けられませんでした');
  await focusLandsOn(page, 'pension/retry');
  await press(page, 'Enter');
  await expect(screen.locator('[data-error]')).not.toContainText('時刻の証明', { timeout: 15_000 });
  await focusLandsOn(page, 'pension/retry');
  await press(page, 'Enter');
  await expect(screen.locator('[data-receipt]')).toHaveAttribute('data-receipt', 'sealed', { timeout: 20_000 });
  expect(sends).toHaveLength(3);
  expect(new Set(sends).size).toBe(1); // the same signature each time
  expect(link.signs.length - signsBefore).toBe(1); // the card signed once
  await driver.request('demo.remove', {});
});

test('one try left on the 署名用 password (特大): 決定 asks first, as the login does, and all of it fits over 16 characters and a notice; いいえ keeps the password as typed, はい signs', async ({ page }, testInfo) => {
  const { problems, check, link, screen } = await atPasswordXlarge(page, testInfo);
  const tries = screen.locator('[data-tries-left]');
  // Four wrong passwords (太郎's is YAMADA2024): one try left. The right one at the end makes it 5 again.
  for (const left of [4, 3, 2, 1]) {
    await typeSignPassword(page, '111111');
    await expect(tries).toHaveAttribute('data-tries-left', String(left), { timeout: 15_000 });
  }
  await expect(screen.locator('[data-last-try]')).toHaveText('あと1回 まちがえると、パスワードがロックされます。よく確かめてから 送ってください。');

  // The most the keyboard ever holds: the last-try warning, 16 characters, a notice (no card; then
  // no reader, with its card line), and the question over them all. Nothing reaches a card.
  const pinLength = screen.locator('[data-pin-length]');
  const askAndSend = async () => {
    await moveTo(page, 'kbd/submit');
    await press(page, 'Enter');
    await focusLandsOn(page, 'pension/lasttry/no');
    await press(page, 'ArrowLeft', 'pension/lasttry/yes');
    await press(page, 'Enter');
  };
  const askAndCheck = async (name: string) => {
    await moveTo(page, 'kbd/submit');
    await press(page, 'Enter');
    await focusLandsOn(page, 'pension/lasttry/no');
    await expect(pinLength).toHaveAttribute('data-pin-length', '16');
    await check(name);
    await press(page, 'Enter', 'kbd/submit');
  };
  await driver.request('demo.remove', {});
  await typeOnKeyboard(page, '1234567890123456');
  await askAndSend();
  await expect(screen.locator('[data-card-away]')).toBeVisible({ timeout: 15_000 });
  await expect(pinLength).toHaveAttribute('data-pin-length', '16');
  await check('pension-last-try-16-card-away');
  await askAndCheck('pension-last-try-dialog-16-card-away');
  await insertCard(driver, TARO);
  await link.cut();
  await askAndSend();
  await expect(screen.locator('[data-no-reader]')).toBeVisible({ timeout: 15_000 });
  await expect(screen.locator('[data-last-try]')).toBeVisible();
  await check('pension-last-try-16-no-reader');
  await askAndCheck('pension-last-try-dialog-16-no-reader');
  expect(problems).toEqual([]);
  link.up = true;
  await expect(screen.locator('stb-tv-card-status [data-card-status]')).toHaveAttribute('data-card-status', 'card', { timeout: 20_000 });
  for (let i = 0; i < 16; i++) await press(page, 'Backspace');
  await expect(pinLength).toHaveAttribute('data-pin-length', '0');
  expect((await driver.request('pin.status', { key: 'sign' })).result).toEqual({ key: 'sign', triesLeft: 1, blocked: false });

  await typeSignPassword(page, TARO.signPin);
  // It was sent at once: one slip of the finger and the card's password is locked until the city's desk.
  await focusLandsOn(page, 'pension/lasttry/no');
  await expect(screen.locator('stb-tv-dialog')).toHaveAttribute('message', 'このパスワードを 送りますか？ まちがえると、市区町村の窓口で 解除が必要になります。');
  await check('pension-last-try-dialog');
  expect(problems).toEqual([]);
  await press(page, 'Enter', 'kbd/submit');
  await expect(screen.locator('[data-pin-length]')).toHaveAttribute('data-pin-length', String(TARO.signPin.length));
  expect((await driver.request('pin.status', { key: 'sign' })).result).toEqual({ key: 'sign', triesLeft: 1, blocked: false });
  await press(page, 'Enter', 'pension/lasttry/no');
  await press(page, 'ArrowLeft', 'pension/lasttry/yes');
  await press(page, 'Enter');
  await expect(screen.locator('[data-receipt]')).toHaveAttribute('data-receipt', 'sealed', { timeout: 20_000 });
  expect((await driver.request('pin.status', { key: 'sign' })).result).toEqual({ key: 'sign', triesLeft: 5, blocked: false });
  await driver.request('demo.remove', {});
});

/** Turns the form's answers to 変わった, with the arrows and OK, then back on 内容を 確かめる. */
async function markChanged(page: Page, answers: ('addressUnchanged' | 'nameUnchanged' | 'paymentAccountUnchanged')[]) {
  for (const answer of answers) {
    await moveTo(page, `pension/form/${answer}`);
    await press(page, 'Enter');
  }
  await moveTo(page, 'pension/next');
}

test('Back goes one step at a time (keyboard → review → form → the request → お知らせ), and the answers toggled are still there coming forward again and are signed', async ({ page }) => {
  test.setTimeout(120_000);
  const item = await toRequest(page, { textSize: 'large', highContrast: false });
  const screen = page.locator('stb-tv-pension-screen');
  const answer = (key: string) => screen.locator(`stb-tv-button[data-focus-key="pension/form/${key}"]`);
  const expectAnswers = async () => {
    await expect(answer('addressUnchanged')).toHaveAttribute('label', '住所：変わった');
    await expect(answer('nameUnchanged')).toHaveAttribute('label', '氏名：変わっていない');
    await expect(answer('paymentAccountUnchanged')).toHaveAttribute('label', '年金の 受取口座：変わった');
  };
  await toForm(page, item);
  await markChanged(page, ['addressUnchanged', 'paymentAccountUnchanged']);
  await expectAnswers();
  await press(page, 'Enter');
  const lines = screen.locator('[data-lines]');
  await expect(lines).toContainText('住所が変わりました。', { timeout: 15_000 });
  await focusLandsOn(page, 'pension/sign');
  await press(page, 'Enter');
  await expect(screen.locator('[data-tries-left]')).toHaveAttribute('data-tries-left', '5', { timeout: 15_000 });

  // The keyboard: Back deletes a character, then, with nothing typed, goes back to the review as its hint says.
  await expect(screen).toContainText('何も入っていないときは 前の画面に もどります');
  await press(page, '1');
  await expect(screen.locator('[data-pin-length]')).toHaveAttribute('data-pin-length', '1');
  await press(page, 'Backspace');
  await expect(screen.locator('[data-pin-length]')).toHaveAttribute('data-pin-length', '0');
  await press(page, 'Backspace');
  // It was the inbox, every answer thrown away.
  await expect(mode(page)).toHaveAttribute('data-pension-mode', 'review');
  await expect(lines).toContainText('年金の受取口座が変わりました。');
  await focusLandsOn(page, 'pension/sign');
  await press(page, 'Backspace');
  await expect(mode(page)).toHaveAttribute('data-pension-mode', 'form');
  await expectAnswers();
  await focusLandsOn(page, 'pension/next');
  await press(page, 'Backspace');
  await expect(mode(page)).toHaveAttribute('data-pension-mode', 'item');
  await focusLandsOn(page, 'pension/write');
  // Forward again: the answers as the resident left them.
  await press(page, 'Enter', 'pension/next');
  await expectAnswers();
  await press(page, 'Backspace');
  await expect(mode(page)).toHaveAttribute('data-pension-mode', 'item');
  await press(page, 'Backspace');
  await expect(mode(page)).toHaveAttribute('data-pension-mode', 'inbox', { timeout: 15_000 });
  await expect(item).toBeVisible();

  // The whole way once more from the inbox: what is signed is what the form says.
  await toForm(page, item);
  await markChanged(page, ['addressUnchanged', 'paymentAccountUnchanged']);
  await press(page, 'Enter');
  await expect(lines).toContainText('住所が変わりました。', { timeout: 15_000 });
  await focusLandsOn(page, 'pension/sign');
  await press(page, 'Enter');
  await expect(screen.locator('[data-tries-left]')).toHaveAttribute('data-tries-left', '5', { timeout: 15_000 });
  await typeSignPassword(page, TARO.signPin);
  await expect(screen.locator('[data-receipt]')).toHaveAttribute('data-receipt', 'sealed', { timeout: 20_000 });
  await expect(screen).toContainText('変わったことは、保険会社から ご連絡します。');
  await driver.request('demo.remove', {});
});

test('a double OK on もう一度 送る (特大): the second OK does nothing while the signature is sent, and the receipt of the sealed submission comes on', async ({ page }, testInfo) => {
  const { problems, check, link, screen, signsBefore } = await atPasswordXlarge(page, testInfo);
  let sends = 0;
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/v1/pension/confirmations', async (route) => {
    // The first never answers (the TV gives up after 10 s); the second waits for the test.
    if (++sends === 1) return;
    await released;
    await route.continue();
  });
  await signUnanswered(page);
  await expect(screen.locator('[data-error]')).toContainText('サーバーから 返事が ありません', { timeout: 15_000 });
  await focusLandsOn(page, 'pension/retry');

  await press(page, 'Enter');
  await expect.poll(() => sends).toBe(2);
  // It was もどる under the second OK: お知らせ, and the receipt never shown.
  await press(page, 'Enter', 'pension/wait');
  await expect(mode(page)).toHaveAttribute('data-pension-mode', 'sending');
  await expect(screen.locator('[data-working]')).toBeVisible();
  await check('pension-sending');
  expect(problems).toEqual([]);
  release();
  await expect(screen.locator('[data-receipt]')).toHaveAttribute('data-receipt', 'sealed', { timeout: 20_000 });
  await expect(screen.locator('[data-signed-at]')).not.toBeEmpty();
  expect(sends).toBe(2);
  expect(link.signs.length - signsBefore).toBe(1);
  await driver.request('demo.remove', {});
});

for (const textSize of Object.keys(TEXT_SCALE) as TextSize[]) test(`the 現況確認届 with every answer changed fits inside the safe area, the form and the review (text size ${textSize})`, async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const { problems, check } = screenChecker(page, testInfo, textSize);
  const screen = page.locator('stb-tv-pension-screen');
  await toForm(page, await toRequest(page, { textSize, highContrast: false }));
  await markChanged(page, ['addressUnchanged', 'nameUnchanged', 'paymentAccountUnchanged']);
  await check('pension-form-changed');
  await press(page, 'Enter');
  await expect(screen.locator('[data-lines]')).toContainText('変更の内容', { timeout: 15_000 });
  await focusLandsOn(page, 'pension/sign');
  await check('pension-review-changed');
  expect(problems).toEqual([]);
  await driver.request('demo.remove', {});
});

test('the idle logout waits while the 現況確認届 is half filled in: after twice the quiet period and its countdown the answer is still there', async ({ page }) => {
  test.setTimeout(120_000);
  await page.clock.install();
  const item = await toRequest(page, { textSize: 'large', highContrast: false, idleLogoutMinutes: 5 });
  await toForm(page, item);
  await markChanged(page, ['addressUnchanged']);
  await clockSteps(page, 2 * (5 * 60_000 + 60_000));
  await expect(page.locator('stb-tv-app stb-tv-dialog[data-idle-left]')).toHaveCount(0);
  await expect(page.locator('stb-tv-pension-screen stb-tv-button[data-focus-key="pension/form/addressUnchanged"]')).toHaveAttribute('label', '住所：変わった');
});
