import { expect, test, type Page } from '@playwright/test';
import { focusedKeys, press } from './remote.js';
import { canvas, cardBayHooks, openTv, pinLength, step } from './tv-page.js';
import { focusLandsOn, moveTo } from './tv-session.js';

// Register and log in on the TV page with the remote (the keyboard: arrows, Enter, digits,
// Backspace as Back) and a demo My Number Card, against the whole product: the platform, the
// reader driver with its demo card bay, and the cards the dev JPKI center issued. The test puts
// cards in and takes them out through the driver's demo commands, as a person at the reader would.
// After every key press exactly one element in the page carries the `focused` marker.

const TARO = { card: 'yamada-taro', name: '山田　太郎', authPin: '1234', signPin: 'YAMADA2024' };

const { card, driver } = cardBayHooks('tv-card.spec');

/** From the start screen with Taro's card in: ログイン, the PIN by number keys, 決定 → home. */
async function logIn(page: Page, pin = TARO.authPin) {
  await press(page, '1');
  await focusLandsOn(page, 'pad/1');
  await expect(step(page)).toHaveAttribute('data-step', 'pin-auth');
  for (const digit of pin) await press(page, digit, 'pad/1');
  await expect(pinLength(page)).toHaveAttribute('data-pin-length', String(pin.length));
  await moveTo(page, 'pad/submit');
  await press(page, 'Enter');
}

test.describe.configure({ mode: 'serial' });

test.describe('TV remote with the card', () => {
  test('registers 山田 太郎 with the remote, then logs in, out and in again', async ({ page }, testInfo) => {
    await openTv(page);
    const status = page.locator('stb-tv-start-screen [data-card-status]');
    await expect(status).toHaveAttribute('data-card-status', 'noCard');
    await expect(status).toHaveText(/カードをリーダーにおいてください/);
    await card('demo.insert', TARO.card);
    await expect(status).toHaveAttribute('data-card-status', 'card');
    await expect(status).toHaveText(/カードを確認しました/);
    await page.screenshot({ path: testInfo.outputPath('tv-start-card.png') });

    // はじめて登録: district, consent.
    await press(page, '2');
    await expect(step(page)).toHaveAttribute('data-step', 'district', { timeout: 15_000 });
    // The platform lists the districts by code (福光, 井波, 城端); focus starts on the household's own, 城端.
    await focusLandsOn(page, 'district/johana');
    await press(page, 'ArrowUp', 'district/inami');
    await press(page, 'ArrowUp', 'district/fukumitsu');
    await press(page, 'ArrowDown', 'district/inami');
    await press(page, 'ArrowDown', 'district/johana');
    await press(page, 'ArrowDown', 'district/johana');
    await page.screenshot({ path: testInfo.outputPath('tv-register-district.png') });
    await press(page, 'Enter', 'consent/agree');
    await expect(step(page)).toHaveAttribute('data-step', 'consent');
    await page.screenshot({ path: testInfo.outputPath('tv-register-consent.png') });
    // Back returns one step, and the choice can be made again.
    await press(page, 'Backspace', 'district/johana');
    await press(page, 'Enter', 'consent/agree');
    await press(page, 'Enter');
    // Another test file may have registered 太郎 already in this run: the TV says so, and 登録しなおす goes on.
    await expect(step(page)).toHaveAttribute('data-step', /^(pin-sign|alreadyRegistered)$/, { timeout: 15_000 });
    if ((await step(page).getAttribute('data-step')) === 'alreadyRegistered') {
      await focusLandsOn(page, 'already/login');
      await press(page, 'ArrowRight', 'already/again');
      await press(page, 'Enter');
    }

    // The sign PIN on the on-screen keyboard: arrows + Enter for letters, number keys for digits.
    await focusLandsOn(page, 'kbd/A');
    await expect(step(page)).toHaveAttribute('data-step', 'pin-sign');
    await expect(page.locator('stb-tv-flow-screen [data-tries-left]')).toHaveAttribute('data-tries-left', '5');
    for (const ch of TARO.signPin) {
      if (/[0-9]/.test(ch)) {
        await press(page, ch);
      } else {
        await moveTo(page, `kbd/${ch}`);
        await press(page, 'Enter', `kbd/${ch}`);
      }
    }
    await expect(pinLength(page)).toHaveAttribute('data-pin-length', String(TARO.signPin.length));
    // Backspace deletes one character (it does not leave while something is typed); type it again.
    await press(page, 'Backspace');
    await expect(pinLength(page)).toHaveAttribute('data-pin-length', String(TARO.signPin.length - 1));
    await press(page, TARO.signPin.at(-1)!);
    await moveTo(page, 'kbd/reveal');
    await press(page, 'Enter', 'kbd/reveal');
    await expect(page.locator('stb-tv-flow-screen .box.filled').last()).toHaveText(TARO.signPin.at(-1)!);
    await page.screenshot({ path: testInfo.outputPath('tv-register-sign-keyboard.png') });
    await moveTo(page, 'kbd/submit');
    await press(page, 'Enter');

    // The auth PIN on the pad.
    await focusLandsOn(page, 'pad/1');
    await expect(step(page)).toHaveAttribute('data-step', 'pin-auth');
    await expect(page.locator('stb-tv-flow-screen [data-tries-left]')).toHaveAttribute('data-tries-left', '3');
    for (const digit of TARO.authPin) await press(page, digit, 'pad/1');
    await page.screenshot({ path: testInfo.outputPath('tv-register-auth-pad.png') });
    await moveTo(page, 'pad/submit');
    await press(page, 'Enter', 'working/wait');
    await expect(step(page)).toHaveAttribute('data-step', 'working');
    await page.screenshot({ path: testInfo.outputPath('tv-register-working.png') });

    // The 基本4情報 from the card, to confirm.
    await focusLandsOn(page, 'confirm/yes');
    await expect(page.locator('stb-tv-flow-screen [data-field="name"]')).toHaveText(TARO.name);
    await expect(page.locator('stb-tv-flow-screen [data-field="birth"]')).toHaveText('1950年 4月 1日');
    await expect(page.locator('stb-tv-flow-screen [data-field="address"]')).toHaveText('富山県南砺市城端１２３番地');
    await page.screenshot({ path: testInfo.outputPath('tv-register-confirm.png') });
    await press(page, 'Enter');
    await focusLandsOn(page, 'registered/login');
    await expect(step(page)).toHaveAttribute('data-step', 'registered');
    await page.screenshot({ path: testInfo.outputPath('tv-registered.png') });

    // ログインする → PIN → home with the name and the household.
    await press(page, 'Enter');
    await focusLandsOn(page, 'pad/1');
    for (const digit of TARO.authPin) await press(page, digit, 'pad/1');
    await moveTo(page, 'pad/submit');
    await press(page, 'Enter');
    await expect(canvas(page)).toHaveAttribute('data-screen-name', 'home', { timeout: 15_000 });
    const home = page.locator('stb-tv-home-screen [data-screen="home"]');
    await expect(home).toHaveAttribute('data-person-name', TARO.name);
    await expect(home).toContainText(TARO.name);
    await expect.poll(() => focusedKeys(page)).toEqual([expect.stringMatching(/^home\/member\//)]);
    await page.screenshot({ path: testInfo.outputPath('tv-home.png') });

    // ログアウト, then ログイン again from the start screen.
    await moveTo(page, 'home/logout');
    await press(page, 'Enter', 'logout/no');
    await press(page, 'ArrowLeft', 'logout/yes');
    await press(page, 'Enter');
    await expect(canvas(page)).toHaveAttribute('data-screen-name', 'start');
    // The start menu remembers where the viewer was (はじめて登録); 1 is ログイン from anywhere.
    await focusLandsOn(page, 'start/register');
    await logIn(page);
    await expect(canvas(page)).toHaveAttribute('data-screen-name', 'home', { timeout: 15_000 });
    await expect(page.locator('stb-tv-home-screen [data-screen="home"]')).toHaveAttribute('data-person-name', TARO.name);
    // Nothing personal is left in storage, nor the device credential (the driver holds it): only the
    // display settings and whom to call for help (the operator's name and phone).
    const stored = await page.evaluate(() => Object.keys(localStorage).sort());
    expect(stored.filter((k) => k !== 'stb-tv-settings')).toEqual(['stb-tv-operator']);
    expect(await page.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage))).not.toContain('山田');
  });

  test('a wrong PIN shows the tries left; the on-screen pad works with arrows and OK', async ({ page }, testInfo) => {
    await card('demo.insert', TARO.card);
    await openTv(page);
    await press(page, '1');
    await focusLandsOn(page, 'pad/1');
    await expect(page.locator('stb-tv-flow-screen [data-tries-left]')).toHaveAttribute('data-tries-left', '3');
    // 9 9 9 9 on the on-screen pad.
    await moveTo(page, 'pad/9');
    for (let i = 0; i < 4; i++) await press(page, 'Enter', 'pad/9');
    await expect(pinLength(page)).toHaveAttribute('data-pin-length', '4');
    await moveTo(page, 'pad/submit');
    await press(page, 'Enter');
    await expect(page.locator('stb-tv-flow-screen [data-notice="wrong"]')).toHaveText(/暗証番号が違います/, { timeout: 15_000 });
    await expect(page.locator('stb-tv-flow-screen [data-tries-left]')).toHaveAttribute('data-tries-left', '2');
    await expect(page.locator('stb-tv-flow-screen [data-tries-left]')).toContainText('あと 2 回');
    await focusLandsOn(page, 'pad/1');
    await page.screenshot({ path: testInfo.outputPath('tv-pin-wrong.png') });

    // The right PIN logs in (and the card's counter is back to 3).
    for (const digit of TARO.authPin) await press(page, digit, 'pad/1');
    await moveTo(page, 'pad/submit');
    await press(page, 'Enter');
    await expect(canvas(page)).toHaveAttribute('data-screen-name', 'home', { timeout: 15_000 });
    await moveTo(page, 'home/logout');
    await press(page, 'Enter', 'logout/no');
    await press(page, 'ArrowLeft', 'logout/yes');
    await press(page, 'Enter');
    await expect(canvas(page)).toHaveAttribute('data-screen-name', 'start');
  });

  test('Backspace on the PIN pad deletes a digit, and leaves only when the pad is empty', async ({ page }) => {
    await card('demo.insert', TARO.card);
    await openTv(page);
    await press(page, '1');
    await focusLandsOn(page, 'pad/1');
    await expect(page.locator('stb-tv-flow-screen .back-hint')).toContainText('1文字けします');
    await press(page, '5', 'pad/1');
    await press(page, '6', 'pad/1');
    await expect(pinLength(page)).toHaveAttribute('data-pin-length', '2');
    await press(page, 'Backspace', 'pad/1');
    await expect(pinLength(page)).toHaveAttribute('data-pin-length', '1');
    await press(page, 'Backspace', 'pad/1');
    await expect(pinLength(page)).toHaveAttribute('data-pin-length', '0');
    await press(page, 'Backspace', 'start/login');
    await expect(canvas(page)).toHaveAttribute('data-screen-name', 'start');
  });

  test('a card taken away during the PIN is said, and putting it back carries on without retyping', async ({ page }, testInfo) => {
    await card('demo.insert', TARO.card);
    await openTv(page);
    await press(page, '1');
    await focusLandsOn(page, 'pad/1');
    await press(page, '1', 'pad/1');
    await press(page, '2', 'pad/1');
    await card('demo.remove');
    // Typing goes on; the card line says the card is gone.
    await expect(page.locator('stb-tv-flow-screen [data-card-status]')).toHaveAttribute('data-card-status', 'noCard');
    await press(page, '3', 'pad/1');
    await press(page, '4', 'pad/1');
    await moveTo(page, 'pad/submit');
    await press(page, 'Enter');
    await expect(step(page)).toHaveAttribute('data-step', 'waitCard-removed', { timeout: 15_000 });
    await expect(page.locator('stb-tv-flow-screen h3')).toHaveText('カードが離れました');
    await focusLandsOn(page, 'wait/continue');
    await page.screenshot({ path: testInfo.outputPath('tv-card-removed.png') });
    await card('demo.insert', TARO.card);
    await expect(canvas(page)).toHaveAttribute('data-screen-name', 'home', { timeout: 15_000 });
    await expect(page.locator('stb-tv-home-screen [data-screen="home"]')).toHaveAttribute('data-person-name', TARO.name);
  });

  test('a card taken away as 決定 is pressed is said; the driver found no card (the PIN reached none), so put back, the typed PIN is sent and the login finishes, no try spent', async ({ page }) => {
    // The page's link to the driver passes through the test: the first `sign` is held until the
    // card is out of the reader, so the card goes as the request is on its way: the page hears
    // card.removed while it waits, and the driver answers CARD_ABSENT. (A card taken away while it
    // checks the PIN, answered CARD_REMOVED, is tv-pcsc.spec's: that PIN is asked again.)
    let removeBeforeSign = true;
    const signs: string[] = [];
    await page.routeWebSocket(/\/v1$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage(async (message) => {
        if (String(message).includes('"cmd":"sign"')) signs.push(String(message));
        if (removeBeforeSign && String(message).includes('"cmd":"sign"')) {
          removeBeforeSign = false;
          await card('demo.remove');
        }
        server.send(message);
      });
      server.onMessage((message) => ws.send(message));
    });
    await card('demo.insert', TARO.card);
    await openTv(page);
    await press(page, '1');
    await focusLandsOn(page, 'pad/1');
    await expect(page.locator('stb-tv-flow-screen [data-tries-left]')).toHaveAttribute('data-tries-left', '3', { timeout: 15_000 });
    for (const digit of TARO.authPin) await press(page, digit, 'pad/1');
    await moveTo(page, 'pad/submit');
    await press(page, 'Enter');
    await expect(step(page)).toHaveAttribute('data-step', 'waitCard-removed');
    expect(removeBeforeSign).toBe(false);
    await focusLandsOn(page, 'wait/continue');
    // つづける with no card keeps waiting; the card put back goes on by itself, with the PIN as typed.
    await press(page, 'Enter');
    await expect(step(page)).toHaveAttribute('data-step', /waitCard/, { timeout: 15_000 });
    await card('demo.insert', TARO.card);
    await expect(canvas(page)).toHaveAttribute('data-screen-name', 'home', { timeout: 15_000 });
    await expect(page.locator('stb-tv-home-screen [data-screen="home"]')).toHaveAttribute('data-person-name', TARO.name);
    expect(signs).toHaveLength(2);
    // The PIN was never counted: the card's tries are whole.
    expect((await driver().request('pin.status', { key: 'auth' })).result).toEqual({ key: 'auth', triesLeft: 3, blocked: false });
  });
});
