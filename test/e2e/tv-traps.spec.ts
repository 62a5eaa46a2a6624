import { execFileSync } from 'node:child_process';
import { expect, test, type Page, type WebSocketRoute } from '@playwright/test';
import { DEMO_PEOPLE } from '../../platform/src/demo/world.js';
import { routeDriverLink } from './driver-link.js';
import { E2E_ORIGIN, E2E_PORT } from './product.js';
import { registerByApi } from './register.js';
import { focusedKeys, press } from './remote.js';
import { focusLandsOn, moveTo } from './tv-session.js';
import { canvas, cardBayHooks, openTv, pinLength, step, triesLeft } from './tv-page.js';

// The traps of issue 11, each walked with the remote only (arrows, Enter, digits, Backspace as
// Back) against the whole product: the platform, the reader driver and its demo card bay.
// 山田 太郎 and 山田 花子 are registered with the demo TV's household before the tests.

const [TARO, HANAKO, SATO] = DEMO_PEOPLE;

const footer = (page: Page) => page.locator('stb-tv-app footer');

const { card, driver } = cardBayHooks('tv-traps.spec', async (link) => {
  await registerByApi(E2E_ORIGIN, link, TARO.id);
  await registerByApi(E2E_ORIGIN, link, HANAKO.id);
});

/** ログイン (key 1) → the PIN pad, the PIN by number keys. */
async function typeLoginPin(page: Page, pin: string) {
  await press(page, '1');
  await focusLandsOn(page, 'pad/1');
  for (const digit of pin) await press(page, digit, 'pad/1');
  await expect(pinLength(page)).toHaveAttribute('data-pin-length', String(pin.length));
}

async function logIn(page: Page, pin: string) {
  await typeLoginPin(page, pin);
  await moveTo(page, 'pad/submit');
  await press(page, 'Enter');
  await expect(canvas(page)).toHaveAttribute('data-screen-name', 'home', { timeout: 15_000 });
}

/** A while without the driver: the wait screen says, in plain Japanese, what to check and whom to call. */
async function driverAdvice(page: Page) {
  await page.clock.fastForward(15_000);
  await expect(step(page)).toHaveAttribute('data-step', 'waitCard-noDriverLong');
  const screen = page.locator('stb-tv-flow-screen');
  await expect(screen).toContainText('カードリーダーに つながりません');
  await expect(screen).toContainText('ケーブル');
  await expect(screen).toContainText('電源');
  await expect(screen.locator('[data-operator-phone]')).not.toBeEmpty();
}

/** The process listening on the platform's port (the product's main process). */
function platformPid(): number {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${E2E_PORT}`], { encoding: 'utf8' });
  const pid = Number(/pid=(\d+)/.exec(out)?.[1]);
  expect(pid, `no process listens on ${E2E_PORT}`).toBeGreaterThan(0);
  return pid;
}


test('1. switching viewer: the TV says whose card is in the reader before any PIN, and shows that card’s tries', async ({ page }, testInfo) => {
  // 花子's card has one wrong try on it, so its counter (2) differs from 太郎's (3).
  await card('demo.insert', HANAKO.id);
  const wrong = await driver().request('sign', { key: 'auth', pin: '0000', digestInfo: 'MDEwDQYJYIZIAWUDBAIBBQAEIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
  expect(wrong.error?.details?.triesLeft).toBe(2);
  await card('demo.remove');

  await card('demo.insert', TARO.id);
  await openTv(page);
  await logIn(page, TARO.authPin);
  const hanakoKey = await page.locator('stb-tv-home-screen stb-tv-button[label*="花子"]').getAttribute('focus-key');
  await moveTo(page, hanakoKey!);
  await press(page, 'Enter', 'switch/no');
  await press(page, 'ArrowLeft', 'switch/yes');
  await press(page, 'Enter');
  // 太郎's card is still in the reader: no PIN pad, the TV says whose card it is.
  await expect(step(page)).toHaveAttribute('data-step', 'wrongCard', { timeout: 15_000 });
  await expect(page.locator('stb-tv-flow-screen')).toContainText(`このカードは ${TARO.name} さんのカードです`);
  await expect(page.locator('stb-tv-flow-screen')).toContainText(`${HANAKO.name} さんのカードに入れかえてください`);
  await page.screenshot({ path: testInfo.outputPath('trap1-wrong-card.png') });

  // Swapping the cards goes on by itself, with 花子's card's own tries.
  await card('demo.remove');
  await card('demo.insert', HANAKO.id);
  await expect(step(page)).toHaveAttribute('data-step', 'pin-auth', { timeout: 15_000 });
  await expect(triesLeft(page)).toHaveAttribute('data-tries-left', '2');
  await focusLandsOn(page, 'pad/1');
  await page.screenshot({ path: testInfo.outputPath('trap1-hanako-pin.png') });

  // 太郎's card put in while 花子's PIN pad is open: said again, before anything is sent.
  await press(page, '5', 'pad/1');
  await card('demo.remove');
  await card('demo.insert', TARO.id);
  await expect(step(page)).toHaveAttribute('data-step', 'wrongCard', { timeout: 15_000 });
  await card('demo.remove');
  await card('demo.insert', HANAKO.id);
  await expect(step(page)).toHaveAttribute('data-step', 'pin-auth', { timeout: 15_000 });
  await expect(triesLeft(page)).toHaveAttribute('data-tries-left', '2');
  await focusLandsOn(page, 'pad/1');
  for (const digit of HANAKO.authPin) await press(page, digit, 'pad/1');
  await press(page, 'Enter');
  await expect(canvas(page)).toHaveAttribute('data-screen-name', 'home', { timeout: 15_000 });
  await expect(page.locator('stb-tv-home-screen [data-screen="home"]')).toHaveAttribute('data-person-name', HANAKO.name);
});

test('2. a second OK right after 決定 does not cancel the login; leaving the card work asks first', async ({ page }, testInfo) => {
  // The page's link to the driver passes through the test, which holds the sign until told.
  let releaseSign: () => void = () => {};
  const signHeld = new Promise<void>((resolve) => { releaseSign = resolve; });
  await page.routeWebSocket(/\/v1$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage(async (message) => {
      if (String(message).includes('"cmd":"sign"')) await signHeld;
      server.send(message);
    });
    server.onMessage((message) => ws.send(message));
  });
  await card('demo.insert', TARO.id);
  await openTv(page);
  await typeLoginPin(page, TARO.authPin);
  await moveTo(page, 'pad/submit');
  await press(page, 'Enter');
  await expect(step(page)).toHaveAttribute('data-step', 'working');
  // The remote repeats, or the hand presses again: the login goes on.
  await press(page, 'Enter');
  await expect(canvas(page)).toHaveAttribute('data-screen-name', 'flow');
  await expect(step(page)).toHaveAttribute('data-step', 'working');
  // Back (or やめる) asks first, and starts on いいえ.
  await press(page, 'Backspace', 'leave/no');
  await page.screenshot({ path: testInfo.outputPath('trap2-leave-asks.png') });
  await press(page, 'Enter');
  await expect(step(page)).toHaveAttribute('data-step', 'working');
  releaseSign();
  await expect(canvas(page)).toHaveAttribute('data-screen-name', 'home', { timeout: 15_000 });
});

test('3. after a second login focus starts on the main action, and ログアウト asks', async ({ page }, testInfo) => {
  await card('demo.insert', TARO.id);
  await openTv(page);
  await logIn(page, TARO.authPin);
  const self = await page.locator('stb-tv-home-screen stb-tv-button[label*="太郎"]').getAttribute('focus-key');
  await focusLandsOn(page, self!);
  await moveTo(page, 'home/logout');
  await press(page, 'Enter', 'logout/no');
  await page.screenshot({ path: testInfo.outputPath('trap3-logout-asks.png') });
  await press(page, 'Enter', 'home/logout');
  await expect(canvas(page)).toHaveAttribute('data-screen-name', 'home');
  await press(page, 'Enter', 'logout/no');
  await press(page, 'ArrowLeft', 'logout/yes');
  await press(page, 'Enter');
  await expect(canvas(page)).toHaveAttribute('data-screen-name', 'start');
  await logIn(page, TARO.authPin);
  // Not on ログアウト, where the last visit left it: on the person's own name.
  await focusLandsOn(page, self!);
});

test('4. with 4 digits typed, OK submits', async ({ page }) => {
  await card('demo.insert', TARO.id);
  await openTv(page);
  await typeLoginPin(page, TARO.authPin);
  await press(page, 'Enter');
  await expect(canvas(page)).toHaveAttribute('data-screen-name', 'home', { timeout: 15_000 });
});

test('5a. registration keeps the sign password when Back is pressed on the empty 4-digit pad', async ({ page }, testInfo) => {
  await card('demo.insert', SATO.id); // not registered with this TV's household
  await openTv(page);
  await press(page, '2');
  await focusLandsOn(page, 'district/johana');
  await press(page, 'Enter', 'consent/agree');
  await press(page, 'Enter');
  await focusLandsOn(page, 'kbd/A');
  for (const ch of SATO.signPin) {
    if (/[0-9]/.test(ch)) {
      await press(page, ch);
    } else {
      await moveTo(page, `kbd/${ch}`);
      await press(page, 'Enter', `kbd/${ch}`);
    }
  }
  await moveTo(page, 'kbd/submit');
  await press(page, 'Enter');
  await focusLandsOn(page, 'pad/1');
  await expect(step(page)).toHaveAttribute('data-step', 'pin-auth');
  await press(page, 'Backspace');
  await expect(step(page)).toHaveAttribute('data-step', 'pin-sign');
  await expect(pinLength(page)).toHaveAttribute('data-pin-length', String(SATO.signPin.length));
  await page.screenshot({ path: testInfo.outputPath('trap5-sign-kept.png') });
  // Leaving the flow with typed work asks first.
  await moveTo(page, 'kbd/submit');
  for (let i = 0; i < SATO.signPin.length; i++) await press(page, 'Backspace');
  await expect(pinLength(page)).toHaveAttribute('data-pin-length', '0');
  await press(page, 'Backspace');
  await expect(step(page)).toHaveAttribute('data-step', 'consent');
});

test('5b. a card already registered is found at the start of registration', async ({ page }, testInfo) => {
  await card('demo.insert', TARO.id);
  await openTv(page);
  await press(page, '2');
  await focusLandsOn(page, 'district/johana');
  await press(page, 'Enter', 'consent/agree');
  await press(page, 'Enter');
  await expect(step(page)).toHaveAttribute('data-step', 'alreadyRegistered', { timeout: 15_000 });
  await expect(page.locator('stb-tv-flow-screen')).toContainText('この カードは もう 登録されています');
  await focusLandsOn(page, 'already/login');
  await page.screenshot({ path: testInfo.outputPath('trap5-already-registered.png') });
  await press(page, 'Enter');
  await focusLandsOn(page, 'pad/1');
  await expect(page.locator('stb-tv-app .canvas')).toContainText(TARO.name);
});

test('6. a hung platform: the request times out, the screen says so and offers もう一度 / もどる; the footer tells the truth', async ({ page }, testInfo) => {
  await page.clock.install();
  await card('demo.insert', TARO.id);
  await openTv(page);
  // All is well: the footer says nothing.
  await expect(footer(page)).toHaveText('');
  await typeLoginPin(page, TARO.authPin);
  const pid = platformPid();
  process.kill(pid, 'SIGSTOP');
  try {
    // The login's request to the stopped platform: its time limit runs from when it is sent (after
    // the card has signed), so the clock is moved on only once it is out. Before, a loaded machine
    // could move it first, and the limit then ran in real time.
    const hung = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname.startsWith('/api/v1/'));
    await press(page, 'Enter');
    await expect(step(page)).toHaveAttribute('data-step', 'working');
    // Back always works: it asks, and いいえ stays.
    await page.keyboard.press('Backspace');
    await focusLandsOn(page, 'leave/no');
    await press(page, 'Backspace');
    await expect(step(page)).toHaveAttribute('data-step', 'working');
    await hung;
    await page.clock.fastForward(20_000);
    await expect(step(page)).toHaveAttribute('data-step', 'failed');
    await expect(page.locator('stb-tv-flow-screen')).toContainText('サーバーから 返事が ありません');
    await focusLandsOn(page, 'failed/retry');
    await expect(page.locator('stb-tv-flow-screen [data-focus-key="failed/start"]')).toBeVisible();
    // The footer's own check (every 5 s, each with its own time limit) finds the platform silent too.
    await page.clock.fastForward(6_000);
    await page.clock.fastForward(6_000);
    await expect(footer(page)).toContainText('通信が とぎれています');
    await page.screenshot({ path: testInfo.outputPath('trap6-platform-hung.png') });
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  await press(page, 'Enter');
  await expect(canvas(page)).toHaveAttribute('data-screen-name', 'home', { timeout: 15_000 });
  await page.clock.fastForward(10_000);
  await expect(footer(page)).toHaveText('');
});

test('7. reader driver gone: advice with the operator’s phone after a few seconds, and the step continues when it is back', async ({ page }, testInfo) => {
  let up = true;
  const open = new Set<WebSocketRoute>();
  await page.routeWebSocket(/\/v1$/, (ws) => {
    if (!up) return void ws.close();
    const server = ws.connectToServer();
    open.add(ws);
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => ws.send(message));
    ws.onClose(() => {
      open.delete(ws);
      server.close();
    });
  });
  await page.clock.install();
  await card('demo.insert', TARO.id);
  await openTv(page);
  await typeLoginPin(page, TARO.authPin);
  up = false;
  for (const ws of open) await ws.close();
  // 決定 at once, before the page may have seen the link close: a request sent into it must not wait for the link.
  await press(page, 'Enter');
  await expect(step(page)).toHaveAttribute('data-step', /noDriver/);
  await driverAdvice(page);
  await page.screenshot({ path: testInfo.outputPath('trap7-driver-gone.png') });
  expect(await focusedKeys(page)).toHaveLength(1);
  up = true;
  await page.clock.fastForward(10_000);
  await expect(canvas(page)).toHaveAttribute('data-screen-name', 'home', { timeout: 15_000 });
});

test('7b. reader driver stops answering just as 決定 is pressed (no close ever seen): the no-driver advice within seconds, and the PIN never reaches the card', async ({ page }, testInfo) => {
  // Half-open: from the cut on, nothing passes either way and the page hears no close (a driver
  // process stopped, a cable pulled); new links are refused.
  let cut = false;
  await page.routeWebSocket(/\/v1$/, (ws) => {
    if (cut) return void ws.close();
    const server = ws.connectToServer();
    ws.onMessage((message) => void (cut || server.send(message)));
    server.onMessage((message) => void (cut || ws.send(message)));
    ws.onClose(() => server.close());
  });
  await page.clock.install();
  await card('demo.insert', TARO.id);
  await openTv(page);
  // A wrong PIN (太郎's is 1234): had it reached the card, the card would have one try fewer.
  const wrongPin = '9999';
  const before = (await driver().request('pin.status', { key: 'auth' })).result;
  await typeLoginPin(page, wrongPin);
  cut = true;
  await press(page, 'Enter');
  // The client's bound: silent 1.5 s → ping; unanswered 1.5 s → link dead; not back in 1.5 s → fail.
  await expect(step(page)).toHaveAttribute('data-step', /noDriver/, { timeout: 8_000 });
  expect((await driver().request('pin.status', { key: 'auth' })).result).toEqual(before);
  await driverAdvice(page);
  await page.screenshot({ path: testInfo.outputPath('trap7b-driver-silent.png') });
  expect((await driver().request('pin.status', { key: 'auth' })).result).toEqual(before);
});

test('7c. the driver link drops just after 決定 on a wrong PIN, its answer lost, then comes back: the PIN is not sent again; the TV asks for it again with the card’s tries, one try spent', async ({ page }, testInfo) => {
  // The sign request passes; its answer (CARD_PIN_WRONG) is lost and the link drops with it, so the
  // driver takes it as delivered. New links pass again at once (a short drop).
  const link = await routeDriverLink(page);
  link.loseSignAnswer = true;
  await page.clock.install();
  await card('demo.insert', TARO.id);
  await openTv(page);
  // A wrong PIN (太郎's is 1234): it reaches the card and costs one try.
  const before = (await driver().request('pin.status', { key: 'auth' })).result as { triesLeft: number };
  await typeLoginPin(page, '9999');
  await press(page, 'Enter');
  await expect.poll(() => link.answerLost, { timeout: 15_000 }).toBe(true);
  const notice = page.locator('stb-tv-flow-screen [data-notice="linkLost"]');
  await expect(notice).toBeVisible({ timeout: 15_000 });
  await expect(notice).toContainText('接続が 一時 切れました。暗証番号を もう一度 入れてください。');
  await expect(step(page)).toHaveAttribute('data-step', 'pin-auth');
  await expect(pinLength(page)).toHaveAttribute('data-pin-length', '0');
  // The tries shown are the card's, asked after the link came back: exactly one spent.
  await expect(triesLeft(page)).toHaveAttribute('data-tries-left', String(before.triesLeft - 1));
  expect((await driver().request('pin.status', { key: 'auth' })).result).toEqual({ key: 'auth', triesLeft: before.triesLeft - 1, blocked: false });
  expect(link.signs).toHaveLength(1);
  await page.screenshot({ path: testInfo.outputPath('trap7c-pin-again.png') });
  // The right PIN now logs in.
  for (const digit of TARO.authPin) await press(page, digit, 'pad/1');
  await press(page, 'Enter');
  await expect(canvas(page)).toHaveAttribute('data-screen-name', 'home', { timeout: 15_000 });
});
