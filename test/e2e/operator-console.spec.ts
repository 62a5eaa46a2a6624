import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import type { DriverClient } from '../helpers/driver-client.js';
import { connectDriver, E2E_OPERATOR_ORIGIN, E2E_ORIGIN, E2E_READER_URL, tvUrl } from './product.js';
import { focusedKeys, press } from './remote.js';

// The operator console at a desk: staff log in with their own demo My Number Card through the
// reader driver (mouse and keyboard, desktop viewport), against the whole product. Cards go in and
// out through the driver's demo commands, as a person at the reader would.

const STAFF = {
  operatorAdmin: { card: 'staff-catv-admin', pin: '1111', org: 'デモケーブルテレビ' },
  nantoAdmin: { card: 'staff-nanto-disaster', pin: '2222', org: '南砺市' },
  nantoShelter: { card: 'staff-nanto-shelter2', pin: '3434', org: '南砺市' },
  tonamiOfficer: { card: 'staff-tonami-disaster', pin: '4444', org: '砺波市' },
  nantoFacilities: { card: 'staff-nanto-facilities', pin: '6666', org: '南砺市' },
} as const;
const HANAKO = { card: 'yamada-hanako', authPin: '5678', signPin: 'HANAKO53' };

let driver: DriverClient;

async function card(cmd: 'demo.insert' | 'demo.remove', id?: string) {
  const answer = await driver.request(cmd, id ? { card: id } : {});
  expect(answer.ok, JSON.stringify(answer.error)).toBe(true);
}

const consoleUrl = `${E2E_OPERATOR_ORIGIN}/operator/?reader=${encodeURIComponent(E2E_READER_URL)}`;

/** Opens the console and logs in with a staff card: put the card in, type the PIN, ログイン. */
async function signIn(page: Page, who: (typeof STAFF)[keyof typeof STAFF]) {
  await card('demo.insert', who.card);
  await page.goto(consoleUrl);
  const signInBox = page.locator('op-sign-in');
  await expect(signInBox.locator('[data-reader="card"]')).toBeVisible({ timeout: 15_000 });
  await expect(signInBox.locator('[data-tries]')).toHaveText('3回');
  await signInBox.locator('input[name=pin]').fill(who.pin);
  await signInBox.getByRole('button', { name: 'ログイン', exact: true }).click();
  await expect(page.locator('stb-operator-app [data-org]')).toHaveText(who.org, { timeout: 15_000 });
  await card('demo.remove');
}

const counter = (page: Page, key: string) => page.locator(`op-home-page [data-counter="${key}"] [data-value]`);
const seriesTotal = (page: Page, key: string) => page.locator(`op-home-page [data-series="${key}"]`).getAttribute('data-total').then(Number);

/** The demo TV's credential, as the reader driver holds it (for the API calls a TV makes). */
function tvCredential(): string {
  const { id, secret } = JSON.parse(readFileSync(join(process.env.E2E_DATA_DIR ?? '', 'demo-tv-credential.json'), 'utf8')) as { id: string; secret: string };
  return `Device ${id}:${secret}`;
}

/** Registers 山田 花子 on the demo TV through the platform API, her card signing in the demo bay. */
async function registerHanako(page: Page) {
  const tv = tvCredential();
  const post = async (path: string, body: object) => {
    const res = await page.request.post(`${E2E_ORIGIN}${path}`, { headers: { authorization: tv }, data: body });
    return { status: res.status(), body: await res.json().catch(() => null) };
  };
  await card('demo.insert', HANAKO.card);
  const reader = ((await driver.request('readers.list', {})).result as { readers: { name: string; cardPresent: boolean }[] }).readers.find((r) => r.cardPresent)!.name;
  const draft = await post('/api/v1/registrations/drafts', { district: 'johana' });
  expect(draft.status).toBe(201);
  const sign = (await driver.request('sign', { reader, key: 'sign', pin: HANAKO.signPin, digestInfo: draft.body.sign.digestInfo, withCertificate: true })).result as { signature: string; certificate: string };
  const auth = (await driver.request('sign', { reader, key: 'auth', pin: HANAKO.authPin, digestInfo: draft.body.auth.digestInfo, withCertificate: true })).result as { signature: string; certificate: string };
  const submitted = await post('/api/v1/registrations', {
    draftId: draft.body.draftId, signCertificate: sign.certificate, signSignature: sign.signature, authCertificate: auth.certificate, authSignature: auth.signature,
  });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const confirmed = await post(`/api/v1/registrations/${submitted.body.registrationId}/confirm`, {});
  expect(confirmed.status).toBe(201);
}

/** The resident logs in on the TV page with the remote: ログイン (1), the PIN by number keys, 決定. */
async function tvLogin(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const tv = await context.newPage();
  await tv.goto(`${E2E_ORIGIN}${tvUrl()}`);
  await expect.poll(() => focusedKeys(tv), { timeout: 15_000 }).toEqual(['start/login']);
  await press(tv, '1');
  await expect.poll(() => focusedKeys(tv), { timeout: 15_000 }).toEqual(['pad/1']);
  for (const digit of HANAKO.authPin) await tv.keyboard.press(digit);
  for (let i = 0; i < 12 && (await focusedKeys(tv))[0] !== 'pad/submit'; i++) await tv.keyboard.press('ArrowDown');
  for (let i = 0; i < 12 && (await focusedKeys(tv))[0] !== 'pad/submit'; i++) await tv.keyboard.press('ArrowRight');
  if ((await focusedKeys(tv))[0] === 'pad/submit') await tv.keyboard.press('Enter');
  await expect(tv.locator('stb-tv-home-screen')).toBeVisible({ timeout: 15_000 });
  await context.close();
}

test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 1440, height: 900 } });

test.beforeAll(async () => {
  driver = await connectDriver();
  await driver.request('hello', { client: 'operator-console.spec' });
});

test.afterAll(async () => {
  await driver?.request('demo.remove', {});
  await driver?.close();
});

test('the operator admin logs in with their card, provisions and withdraws a TV, and watches the numbers move', async ({ page, browser }, testInfo) => {
  await card('demo.remove');
  await page.goto(consoleUrl);
  await expect(page.locator('op-sign-in [data-reader="no-card"]')).toBeVisible({ timeout: 15_000 });
  await page.screenshot({ path: testInfo.outputPath('console-sign-in.png') });
  await signIn(page, STAFF.operatorAdmin);
  await expect(page.locator('[data-live="live"]')).toBeVisible({ timeout: 15_000 });
  await expect(page.locator('nav [data-nav]')).toHaveText(['ホーム', 'テレビ', '操作記録', '職員']);
  await page.screenshot({ path: testInfo.outputPath('console-home.png'), fullPage: true });

  // Provision a TV: the credential is shown once, as text and as a QR code; the TV works with it.
  await page.locator('[data-nav="devices"]').click();
  const devices = page.locator('op-devices-page');
  await devices.locator('input[name=contractNo]').fill('CATV-0001');
  await devices.locator('input[name=label]').fill('寝室のテレビ');
  await devices.getByRole('button', { name: '登録', exact: true }).click();
  const credential = (await devices.locator('[data-credential]').textContent())!;
  expect(credential).toMatch(/^Device [0-9a-f-]{36}:\S+$/);
  await expect(devices.locator('[data-provisioned] svg')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('console-provisioned.png'), fullPage: true });
  const deviceId = credential.slice('Device '.length, 'Device '.length + 36);
  const asTv = () => page.request.get(`${E2E_ORIGIN}/api/v1/tv/household`, { headers: { authorization: credential } });
  expect((await asTv()).status()).toBe(200);
  await devices.getByRole('button', { name: '閉じる' }).click();
  await expect(devices.locator('[data-credential]')).toHaveCount(0);

  // Flag it for test alerts (Test and Exercise messages show on it, on no other TV): audited below.
  const testCell = devices.locator(`tr[data-device="${deviceId}"] [data-test-alerts]`);
  await expect(testCell).toHaveAttribute('data-test-alerts', 'off');
  await testCell.getByRole('button').click();
  await expect(testCell).toHaveAttribute('data-test-alerts', 'on');

  // Withdraw it: asked first, then refused at once.
  await devices.locator(`tr[data-device="${deviceId}"]`).getByRole('button', { name: '停止' }).click();
  await expect(devices.locator('[data-confirm]')).toBeVisible();
  await devices.locator('[data-confirm]').getByRole('button', { name: '停止する' }).click();
  // The withdrawal's own notice: the test-alerts notice above names the TV too, so waiting for the
  // name alone raced the withdrawal (seen on PostgreSQL: the TV was still answered 200).
  await expect(devices.locator('[role=status]')).toContainText('「寝室のテレビ」を停止しました');
  const refused = await asTv();
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.code).toBe('AUTH_DEVICE_WITHDRAWN');

  // The live numbers move without a reload: a resident registers, then logs in on the TV page.
  await page.locator('[data-nav="home"]').click();
  await expect(counter(page, 'persons')).toBeVisible();
  const personsBefore = Number((await counter(page, 'persons').textContent())!.replace(/,/g, ''));
  const loginsBefore = await seriesTotal(page, 'logins');
  await registerHanako(page);
  await expect(counter(page, 'persons')).toHaveText(String(personsBefore + 1), { timeout: 15_000 });
  await tvLogin(browser);
  await expect.poll(() => seriesTotal(page, 'logins'), { timeout: 15_000 }).toBe(loginsBefore + 1);
  await expect(counter(page, 'tvsOnline')).not.toHaveText('0');
  await page.screenshot({ path: testInfo.outputPath('console-home-moved.png'), fullPage: true });
  await card('demo.remove');

  // The audit log shows what the admin did, and the chain verifies.
  await page.locator('[data-nav="audit"]').click();
  const audit = page.locator('op-audit-page');
  await expect(audit.locator('tr[data-seq]').first()).toBeVisible();
  await expect(audit.locator('tbody')).toContainText('device.withdrawn');
  await expect(audit.locator('tbody')).toContainText('device.test_alerts');
  await audit.getByRole('button', { name: '改ざんがないか確かめる' }).click();
  await expect(audit.locator('[data-verdict="ok"]')).toBeVisible({ timeout: 15_000 });
});

test("a municipality officer sees only their municipality, and not the operator's pages", async ({ page }) => {
  await signIn(page, STAFF.tonamiOfficer);
  await expect(page.locator('nav [data-nav]')).toHaveText(['ホーム', '避難情報', '操作記録', '職員', '避難所']);
  await expect(counter(page, 'households')).toHaveText('1', { timeout: 15_000 });
  await page.goto(`${consoleUrl}#/devices`);
  await expect(page.locator('stb-operator-app')).toContainText('このページを見る権限がありません');
  const token = await page.evaluate(() => sessionStorage.getItem('op-console-token'));
  const devices = await page.request.get(`${E2E_OPERATOR_ORIGIN}/api/v1/console/devices`, { headers: { authorization: `Bearer ${token}` } });
  expect(devices.status()).toBe(403);
  expect((await devices.json()).error.code).toBe('STAFF_PERMISSION_DENIED');
  await page.locator('[data-nav="staff"]').click();
  await expect(page.locator('op-staff-page tbody')).toContainText('砺波市 防災課');
  await expect(page.locator('op-staff-page tbody')).not.toContainText('南砺市');
  // One's own roles are shown, not offered: another admin changes them (STAFF_OWN_ROLES).
  const own = page.locator('op-staff-page tr', { hasText: '（あなた）' });
  await expect(own.locator('[data-own-roles]')).toBeVisible();
  await expect(own.getByRole('button', { name: '役割を保存' })).toHaveCount(0);
});

test('a staff member removed by their admin is logged out at once', async ({ browser }) => {
  const shelterContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const shelterPage = await shelterContext.newPage();
  await signIn(shelterPage, STAFF.nantoShelter);

  const adminContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const adminPage = await adminContext.newPage();
  await signIn(adminPage, STAFF.nantoAdmin);
  await adminPage.locator('[data-nav="staff"]').click();
  const row = adminPage.locator('op-staff-page tr', { hasText: '福光中学校 受付' });
  await row.getByRole('button', { name: '削除' }).click();
  await adminPage.locator('op-staff-page [data-confirm]').getByRole('button', { name: '削除する' }).click();
  await expect(adminPage.locator('op-staff-page [role=status]')).toContainText('削除しました');

  await expect(shelterPage.locator('op-sign-in [data-notice]')).toBeVisible({ timeout: 10_000 });
  await expect(shelterPage.locator('stb-operator-app [data-org]')).toHaveCount(0);
  await shelterContext.close();
  await adminContext.close();
});

// Issue 16: the municipality's facilities officer on the 施設予約 page.
test('a facilities officer books for the city, sees it on the day board, closes and draws the lottery from its published seed and re-runs it to the same result', async ({ page }) => {
  await signIn(page, STAFF.nantoFacilities);
  await expect(page.locator('nav [data-nav]')).toHaveText(['ホーム', '施設予約']);
  await page.locator('[data-nav="booking"]').click();
  const booking = page.locator('op-booking-page');
  await expect(booking.locator('[data-board]')).toBeVisible({ timeout: 15_000 });
  // Only 南砺市's facilities: 砺波市's hall is not offered.
  await expect(booking.locator('select').first().locator('option')).toHaveText(['南砺市体育館 アリーナ', '城端公民館 会議室', '福光テニスコート']);

  await booking.locator('select').first().selectOption({ label: '城端公民館 会議室' });
  const form = booking.locator('[data-admin-booking]');
  const day = new Date(Date.now() + 40 * 86_400_000 + 9 * 3_600_000).toISOString().slice(0, 10);
  await form.locator('input[name=day]').fill(day);
  await form.locator('input[name=note]').fill('市民講座');
  await form.getByRole('button', { name: '予約する' }).click();
  await expect(booking.locator('[role=status]')).toContainText('市の使用で予約しました', { timeout: 15_000 });
  // The day board: that day across every room of the hall, the city's booking in its 区分.
  const dayBoard = booking.locator('[data-day-board]');
  await dayBoard.locator('input[type=date]').fill(day);
  await dayBoard.locator('input[type=date]').dispatchEvent('change');
  await expect(dayBoard.locator('td[data-slot=confirmed]')).toContainText(['確定・市の使用'], { timeout: 15_000 });
  await expect(dayBoard.locator('td[data-slot=confirmed]')).toContainText(['市民講座']);

  // Closed every Wednesday for a month, far beyond anything the other tests book: each of those
  // days is a 休館日 on the day board.
  const ahead = (n: number) => new Date(Date.now() + n * 86_400_000 + 9 * 3_600_000).toISOString().slice(0, 10);
  const [from, until] = [ahead(300), ahead(330)];
  const wednesdays = Array.from({ length: 31 }, (_, i) => ahead(300 + i)).filter((d) => new Date(`${d}T00:00:00Z`).getUTCDay() === 3);
  // One of them already booked by the city: closing leaves it for staff, and says so.
  await form.locator('input[name=day]').fill(wednesdays[0]!);
  await form.locator('input[name=note]').fill('改修前の下見');
  await form.getByRole('button', { name: '予約する' }).click();
  await expect(booking.locator('[role=status]')).toContainText('市の使用で予約しました', { timeout: 15_000 });
  const weekly = booking.locator('[data-weekly-blackout]');
  await weekly.locator('select[name=weekday]').selectOption({ label: '水曜日' });
  await weekly.locator('input[name=from]').fill(from);
  await weekly.locator('input[name=until]').fill(until);
  await weekly.locator('input[name=reason]').fill('館内改修');
  await weekly.getByRole('button', { name: 'まとめて登録' }).click();
  await expect(booking.locator('[role=status]')).toHaveText(
    `毎週水曜日の ${wednesdays.length}日を 休館日にしました。 その日の 予約 1件は そのままです（予約した 住民の方には テレビで お知らせしました）。予約の状況で 確かめてください。`,
    { timeout: 15_000 });
  await dayBoard.locator('input[type=date]').fill(wednesdays[1]!);
  await dayBoard.locator('input[type=date]').dispatchEvent('change');
  await expect(dayBoard.locator('[data-day]')).toContainText('休館（館内改修）', { timeout: 15_000 });
  // The Thursday after is open.
  await dayBoard.getByRole('button', { name: '次の日' }).click();
  await expect(dayBoard.locator('[data-day]')).toContainText('（木）', { timeout: 15_000 });
  await expect(dayBoard.locator('[data-day]')).not.toContainText('休館');

  // A round of its own (the demo's open round stays for the TV's tests): opened, then drawn.
  await booking.locator('select').first().selectOption({ label: '福光テニスコート' });
  const lottery = booking.locator('[data-lottery]');
  await lottery.locator('input[name=month]').fill('2035-01');
  await lottery.locator('input[name=applyUntil]').fill(day);
  await lottery.getByRole('button', { name: '受付を始める' }).click();
  await expect(booking.locator('[role=status]')).toContainText('シード（公開）', { timeout: 15_000 });
  const round = lottery.locator('tr[data-round]', { hasText: '2035-01' });
  // Still taking applications: no draw until they are closed.
  await expect(round.getByRole('button', { name: '抽選する' })).toHaveCount(0);
  await round.getByRole('button', { name: '申し込みを締め切る' }).click();
  await expect(booking.locator('[role=status]')).toContainText('申し込みを締め切りました', { timeout: 15_000 });
  await round.getByRole('button', { name: '抽選する' }).click();
  await expect(booking.locator('[role=status]')).toContainText('抽選しました', { timeout: 15_000 });
  await round.getByRole('button', { name: 'シードから再計算して確かめる' }).click();
  await expect(round.locator('[data-replay]')).toContainText('同じ結果です', { timeout: 15_000 });
});
