import { expect, test, type Page } from '@playwright/test';
import {
  acknowledgedOnTv, acknowledgementsSent, choicesTaken, clockSteps, cutLines, halfTypedPin, linesSeen, overlay, quietTv, sound, tvAlertSpec,
} from './alert-walk.js';
import { cancelAlerts } from './alerts.js';
import { focusedKeys, press } from './remote.js';
import { screenChecker } from './layout-check.js';
import { focusLandsOn, insertCard, logInWithRemote, moveTo, person } from './tv-session.js';

// The evacuation-alert overlay walked as an elderly resident would, with the remote only: the traps
// a hurried or slow press falls into. An alert arriving under a pressed OK picks nothing until it
// could be read; nothing under the overlay (a PIN pad) takes its keys, and the idle logout waits while
// it is up; an Update, a Cancel and an expiry of the alert on screen are said, not silent; 「あと N件」
// when more wait; at 特大 the overlay fits, and a long text pages with ▼/▲ instead of running off the screen.

const TARO = person('yamada-taro');
const { publish, publishShown, driver } = tvAlertSpec('tv-alert-walk.spec', TARO);

const notice = (page: Page) => page.locator('stb-tv-alert-overlay [data-field="notice"]');

test('an alert that arrives as OK is pressed beneath picks nothing for 0.8 s: OK and digits do nothing until then', async ({ page }) => {
  const link = await quietTv(page);
  // The clock stands still from here: the 0.8 s pass only when the test says.
  await page.clock.pauseAt(Date.now() + 1_000);
  const order = await publishShown(page, { level: '4', headline: '城端地域に 避難指示' });
  await expect(overlay(page)).toHaveAttribute('data-choices-held', '');
  await focusLandsOn(page, 'alert/ok');

  // The OK meant for ログイン beneath, a second press of it, and a digit: none answers, none moves focus.
  await press(page, 'Enter', 'alert/ok');
  await press(page, '2', 'alert/ok');
  await page.clock.runFor(500);
  await press(page, 'Enter', 'alert/ok');
  await expect(overlay(page)).toHaveAttribute('data-alert', order.id);
  expect(await acknowledgedOnTv(page, order.id)).toBe(false);
  expect(acknowledgementsSent(link, order.id)).toEqual([]);
  await expect(page.locator('stb-tv-app [data-screen-name]')).toHaveAttribute('data-screen-name', 'start');

  // 0.8 s after it came: OK acknowledges, and focus is back on ログイン.
  await page.clock.runFor(300);
  await choicesTaken(page);
  await press(page, 'Enter', 'start/login');
  await expect(overlay(page)).toHaveCount(0);
  await expect.poll(() => acknowledgementsSent(link, order.id).map((m) => m.answer ?? 'ok')).toEqual(['ok']);
  await cancelAlerts([order]);
});

/** A level-4 order up, its choices taken, over a PIN half typed beneath. */
async function orderOverHalfTypedPin(page: Page) {
  await quietTv(page);
  const pin = await halfTypedPin(page, driver(), TARO);
  const order = await publishShown(page, { level: '4' });
  await choicesTaken(page);
  return { ...pin, order };
}

test('digits, arrows and Back with an alert up never reach the PIN pad beneath; acknowledged, the PIN is as it was', async ({ page }) => {
  const { typedOn, pinLength, order } = await orderOverHalfTypedPin(page);
  for (const key of ['5', '0', 'ArrowUp', 'ArrowLeft', 'Backspace', 'ArrowDown', 'ArrowRight']) await press(page, key);
  expect((await focusedKeys(page))[0]).toMatch(/^alert\//);
  await expect(overlay(page)).toHaveAttribute('data-alert', order.id);
  await press(page, '1', typedOn);
  await expect(overlay(page)).toHaveCount(0);
  await expect(pinLength).toHaveAttribute('data-pin-length', '2');
  await expect(page.locator('stb-tv-flow-screen [data-step="pin-auth"]')).toBeAttached();
  await cancelAlerts([order]);
});

test('the idle logout waits while an alert is up (read, or left to evacuate); acknowledged, the full quiet period starts again', async ({ page }) => {
  test.setTimeout(180_000);
  const link = await quietTv(page, { settings: { idleLogoutMinutes: 5 } });
  await insertCard(driver(), TARO);
  await logInWithRemote(page, TARO);
  const idleDialog = page.locator('stb-tv-app stb-tv-dialog[data-idle-left]');
  const order = await publishShown(page, { level: '4' });
  // The resident reads without touching the remote, or has gone out: the quiet period and the
  // countdown both run out under the alert, and nothing happens.
  await clockSteps(page, 5 * 60_000 + 60_000 + 5_000);
  await expect(idleDialog).toHaveCount(0);
  await expect(page.locator('stb-tv-home-screen [data-screen="home"]')).toBeAttached();
  await expect(overlay(page)).toHaveAttribute('data-alert', order.id);
  await press(page, '2');
  await expect(overlay(page)).toHaveCount(0);
  await expect.poll(() => acknowledgementsSent(link, order.id).map((m) => m.answer)).toEqual(['safe_at_home']);

  // Back on the home screen: the countdown comes only after the whole quiet period again.
  await clockSteps(page, 5 * 60_000 - 5_000);
  await expect(idleDialog).toHaveCount(0);
  await clockSteps(page, 7_500);
  await expect(idleDialog).toBeAttached();
  await expect(page.locator('stb-tv-home-screen [data-screen="home"]')).toBeAttached();
  await cancelAlerts([order]);
});

test('an Update of the alert on screen says its text changed; withdrawn or expired on screen, it says so and stays until わかりました', async ({ page }) => {
  await quietTv(page);
  const first = await publishShown(page, { level: '3', headline: '城端地域に 高齢者等避難' });
  await expect(notice(page)).toHaveCount(0);

  const update = await publishShown(page, { msgType: 'Update', level: '4', headline: '城端地域に 避難指示', references: [{ identifier: first.identifier, sent: first.sent }] });
  await expect(notice(page)).toHaveText('内容が 新しくなりました');
  await expect(page.locator('stb-tv-alert-overlay h2')).toHaveText('警戒レベル4 避難指示');

  await publish({ msgType: 'Cancel', references: [{ identifier: update.identifier, sent: update.sent }] });
  await expect(overlay(page)).toHaveAttribute('data-ended', 'cancelled', { timeout: 15_000 });
  await expect(notice(page)).toHaveText('この 情報は 取り消されました');
  await expect(page.locator('stb-tv-alert-overlay h2')).toHaveText('警戒レベル4 避難指示');
  await focusLandsOn(page, 'alert/understood');
  await expect(page.locator('stb-tv-alert-overlay [data-focus-key="alert/understood"]')).toContainText('わかりました');
  await choicesTaken(page);
  await press(page, 'Enter', 'start/login');
  await expect(overlay(page)).toHaveCount(0);

  // One that runs out while on screen (the platform withdraws it at its expiry) says that instead.
  const brief = await publishShown(page, { level: '3', ttlSeconds: 4 });
  await expect(overlay(page)).toHaveAttribute('data-ended', 'expired', { timeout: 15_000 });
  await expect(notice(page)).toHaveText('この 情報は 期限が 切れました');
  await choicesTaken(page);
  await press(page, 'Enter', 'start/login');
  await expect(overlay(page)).toHaveCount(0);
});

test('a double OK on the last alert does not reach the PIN pad beneath: for 0.8 s after the overlay closes, OK and digits do nothing', async ({ page }) => {
  const { typedOn, pinLength, order } = await orderOverHalfTypedPin(page);
  await page.clock.pauseAt(Date.now() + 1_000);
  // OK acknowledges; the second press of a double OK, and a digit, land on the pad and type nothing.
  await press(page, 'Enter', typedOn);
  await expect(overlay(page)).toHaveCount(0);
  await press(page, 'Enter', typedOn);
  await press(page, '7', typedOn);
  await expect(pinLength).toHaveAttribute('data-pin-length', '2');
  // Arrows still move meanwhile; 0.8 s on, the pad types again.
  await page.clock.runFor(800);
  await press(page, '3');
  await expect(pinLength).toHaveAttribute('data-pin-length', '3');
  await cancelAlerts([order]);
});

test('two alerts at once: the one waiting is read aloud (with its chime) when it comes on screen after the other is answered', async ({ page }) => {
  await quietTv(page, { sound: true });
  const a = await publishShown(page, { level: '3', headline: '城端地域に 高齢者等避難' });
  const b = await publishShown(page, { level: '5', headline: '城端地域に 緊急安全確保' });
  const before = await sound(page);
  expect(before.spoken.at(-1)).toContain('警戒レベル5');
  await choicesTaken(page);
  await press(page, '2');
  await expect(overlay(page)).toHaveAttribute('data-alert', a.id);
  await expect.poll(async () => (await sound(page)).spoken.at(-1)).toContain('警戒レベル3 高齢者等避難');
  expect((await sound(page)).chimes).toBe(before.chimes + 1);
  await cancelAlerts([a, b]);
});

test('with 見やすい色 (high contrast) the focused choice is told from the others at a glance: at least 3:1 against them', async ({ page }) => {
  await quietTv(page, { settings: { highContrast: true } });
  const order = await publishShown(page, { level: '4' });
  await focusLandsOn(page, 'alert/ok');
  const faces = await page.evaluate(() => {
    const overlayRoot = document.querySelector('stb-tv-app')!.shadowRoot!.querySelector('stb-tv-alert-overlay')!.shadowRoot!;
    const face = (key: string) => getComputedStyle(overlayRoot.querySelector(`[focus-key="${key}"]`)!.shadowRoot!.querySelector('.face')!).backgroundColor;
    return { focused: face('alert/ok'), other: face('alert/safe') };
  });
  const luminance = (rgb: string) => {
    const [r, g, b] = rgb.match(/\d+/g)!.slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(faces.focused), luminance(faces.other)].sort((a, b) => b - a) as [number, number];
  expect((hi + 0.05) / (lo + 0.05), JSON.stringify(faces)).toBeGreaterThanOrEqual(3);
  await cancelAlerts([order]);
});

test('a lift (解除) asks for no answer: OK alone, no 避難しました or 自宅で安全です', async ({ page }) => {
  await quietTv(page);
  const lift = await publishShown(page, { level: 'lift', headline: '城端地域の 避難指示を 解除します' });
  await expect(page.locator('stb-tv-alert-overlay [focus-key="alert/ok"]')).toHaveCount(1);
  await expect(page.locator('stb-tv-alert-overlay [focus-key="alert/safe"], stb-tv-alert-overlay [focus-key="alert/evacuated"]')).toHaveCount(0);
  await cancelAlerts([lift]);
});

test('several alerts waiting: 「あと N件」 says more follow, and each shows in turn', async ({ page }) => {
  await quietTv(page);
  const a = await publishShown(page, { level: '3', headline: '城端地域に 高齢者等避難' });
  await expect(page.locator('stb-tv-alert-overlay [data-field="more"]')).toHaveCount(0);
  const b = await publishShown(page, { level: '4', headline: '城端地域に 避難指示' });
  await expect(page.locator('stb-tv-alert-overlay [data-field="more"]')).toHaveText('あと 1件');
  await choicesTaken(page);
  await page.clock.pauseAt(Date.now() + 1_000);
  await press(page, 'Enter', 'alert/ok');
  await expect(overlay(page)).toHaveAttribute('data-alert', a.id);
  await expect(page.locator('stb-tv-alert-overlay [data-field="more"]')).toHaveCount(0);
  // The next one came by itself: a second OK (a double press) picks nothing until it could be read.
  await expect(overlay(page)).toHaveAttribute('data-choices-held', '');
  await press(page, 'Enter', 'alert/ok');
  await expect(overlay(page)).toHaveAttribute('data-alert', a.id);
  await page.clock.runFor(800);
  await choicesTaken(page);
  await press(page, 'Enter', 'start/login');
  await expect(overlay(page)).toHaveCount(0);
  await cancelAlerts([a, b]);
});

/** A headline as long as a municipality may write one: more than the overlay shows at once. */
const LONG_HEADLINE = [
  '城端地域の 山側では 土砂災害の 危険が 非常に 高まっています。', '川の 水位が 上がり、橋の 通行が できなく なる おそれが あります。',
  '夜間の 避難は 危険です。明るい うちに 避難を 始めてください。', '避難所には 食料と 水と 常備薬を 持って きてください。',
  '体の 不自由な 方は 近所の 方と 声を かけあって 避難してください。', '自宅の 二階以上に いる 方も 外の 様子に 注意してください。',
].join(' ');

for (const textSize of ['large', 'xlarge'] as const) {
  test(`at text size ${textSize} the overlay fits, and a long text pages with ▼ つづき / ▲ まえ from the rows of buttons`, async ({ page }, testInfo) => {
    test.setTimeout(60_000);
    const { problems, check: checkScreen } = screenChecker(page, testInfo, `alert-${textSize}`);
    const check = async (name: string) => {
      await checkScreen(name);
      expect(await cutLines(page), `lines cut at ${name}`).toEqual([]);
    };
    await quietTv(page, { settings: { textSize } });
    const shot = (name: string) => page.screenshot({ path: `.scratch/alert-${textSize}-${name}.png` });
    const order = await publishShown(page, { level: '4', headline: '城端地域に 避難指示' });
    await choicesTaken(page);
    await check('ordinary');
    await shot('ordinary');

    const long = await publishShown(page, { level: '5', headline: LONG_HEADLINE });
    await choicesTaken(page);
    const down = page.locator('stb-tv-alert-overlay [data-page="down"]');
    const up = page.locator('stb-tv-alert-overlay [data-page="up"]');
    await expect(down).toBeVisible();
    await expect(down).toHaveText('▼ つづき');
    await expect(up).toBeHidden();
    await check('long-top');
    await shot('long-top');
    // Paged line by line: the first part is filled with as much of the long headline as fits, not left
    // nearly empty with the headline moved whole to the next.
    expect(await linesSeen(page, LONG_HEADLINE)).toBeGreaterThanOrEqual(1);

    // ▼ past the last row of buttons shows the next part, until the last line is in view.
    const body = page.locator('stb-tv-alert-overlay [data-field="body"]');
    const lastLine = page.locator('stb-tv-alert-overlay li').last();
    await moveTo(page, 'alert/evacuated');
    for (let i = 0; i < 10 && await down.isVisible(); i++) await press(page, 'ArrowDown', 'alert/evacuated');
    await expect(down).toBeHidden();
    await expect(up).toBeVisible();
    const [shown, last] = await Promise.all([body.boundingBox(), lastLine.boundingBox()]);
    expect(last!.y + last!.height).toBeLessThanOrEqual(shown!.y + shown!.height + 1);
    await check('long-end');
    await expect.poll(() => cutLines(page)).toEqual([]);
    await shot('long-end');

    // ▲ past the first row goes back to the top; the answer buttons never moved.
    await moveTo(page, 'alert/ok');
    for (let i = 0; i < 10 && await up.isVisible(); i++) await press(page, 'ArrowUp', 'alert/ok');
    await expect(up).toBeHidden();
    await expect(page.locator('stb-tv-alert-overlay h2')).toBeInViewport({ ratio: 1 });
    await expect(page.locator('stb-tv-alert-overlay [data-focus-key="alert/evacuated"]')).toBeInViewport({ ratio: 1 });
    expect(problems).toEqual([]);
    await cancelAlerts([order, long]);
  });
}

test('the link down when the alert on screen expires: the TV says so itself, and stops counting an expired one behind it; the platform\'s word later says nothing twice', async ({ page }) => {
  test.setTimeout(120_000);
  const link = await quietTv(page);
  const more = page.locator('stb-tv-alert-overlay [data-field="more"]');
  const behind = await publishShown(page, { level: '3', headline: '城端地域に 高齢者等避難', ttlSeconds: 25 });
  const shown = await publishShown(page, { level: '4', headline: '城端地域に 避難指示', ttlSeconds: 35 });
  await expect(more).toHaveText('あと 1件');

  // The platform's end of the link goes, unnoticed by the TV: it will hear no `expired`. The page's
  // clock runs ahead of the platform's, so each expiry passes on the TV first.
  link.offline = true;
  for (const cut of link.cutServers) cut();
  await clockSteps(page, 26_000);
  await expect(more).toHaveCount(0);
  await expect(overlay(page)).toHaveAttribute('data-alert', shown.id);
  await expect(overlay(page)).not.toHaveAttribute('data-ended');
  await clockSteps(page, 10_000);
  await expect(overlay(page)).toHaveAttribute('data-ended', 'expired');
  await expect(notice(page)).toHaveText('この 情報は 期限が 切れました');
  await focusLandsOn(page, 'alert/understood');
  const ours = (m: Record<string, unknown>) =>
    [behind.id, shown.id].some((id) => (m.alertIds as string[] | undefined)?.includes(id) || (m.alert as { id?: string } | undefined)?.id === id);
  expect(link.fromServer.filter((m) => m.type === 'withdrawn' && ours(m))).toEqual([]);

  // Back online before the platform's own expiry: the TV still names both, so neither is sent again,
  // and the platform's `expired` for them, when it comes, changes nothing on screen.
  link.offline = false;
  const before = link.fromServer.length;
  for (const ws of link.sockets) await ws.close();
  await clockSteps(page, 31_000);
  await expect.poll(() => link.fromServer.filter((m) => m.type === 'ready').length, { timeout: 15_000 }).toBe(2);
  const auth = link.fromPage.filter((m) => m.type === 'auth').at(-1)!;
  expect(auth.have).toEqual(expect.arrayContaining([behind.id, shown.id]));
  await expect.poll(() => link.fromServer.some((m) => m.type === 'withdrawn' && (m.alertIds as string[]).includes(shown.id)), { timeout: 45_000 }).toBe(true);
  expect(link.fromServer.slice(before).filter((m) => m.type === 'alert' && ours(m))).toEqual([]);
  await expect(overlay(page)).toHaveAttribute('data-alert', shown.id);
  await expect(overlay(page)).toHaveAttribute('data-ended', 'expired');
  await expect(overlay(page)).not.toHaveAttribute('data-choices-held');
  await expect(more).toHaveCount(0);
  await press(page, 'Enter', 'start/login');
  await expect(overlay(page)).toHaveCount(0);
});

test('a TV whose clock runs two hours ahead still shows an order in force, and ends it at the platform\'s expiry, not its own', async ({ page }) => {
  test.setTimeout(90_000);
  // A set-top box with its clock set wrong: by its own clock the order below ran out long ago.
  await page.clock.install({ time: Date.now() + 2 * 3600_000 });
  await quietTv(page, { clock: false });
  const order = await publishShown(page, { level: '4', headline: '城端地域に 避難指示', ttlSeconds: 30 });
  await clockSteps(page, 2_000);
  await expect(overlay(page)).toHaveAttribute('data-alert', order.id);
  await expect(overlay(page)).not.toHaveAttribute('data-ended');
  await expect(notice(page)).toHaveCount(0);
  // Past the order's expiry by the platform's clock: it ends, saying so.
  await clockSteps(page, 30_000);
  await expect(overlay(page)).toHaveAttribute('data-ended', 'expired');
  await expect(notice(page)).toHaveText('この 情報は 期限が 切れました');
});
