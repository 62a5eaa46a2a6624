import { expect, test, type Page } from '@playwright/test';
import { DEMO_MUNICIPALITY, DEMO_OPERATOR, DEMO_PROVIDERS } from '../../platform/src/demo/world.js';
import type { DriverClient } from '../helpers/driver-client.js';
import { connectDriver } from './product.js';
import { focusedKeys, press } from './remote.js';
import {
  api, apiSession, focusLandsOn, insertCard, logInWithRemote, openTv, person, register, typePin, unregister,
} from './tv-session.js';

// Issue 11 items 9, 11, 12, 13, with the remote only (the keyboard: arrows, Enter, digits,
// Backspace as Back): stable number keys on home, what residents expected to find there (another
// member's registration, the services that know them, cancelling the registration, help), read-aloud,
// idle logout and what taking the card off does. Timers run on Playwright's clock, never on sleeps.

// The page is 山田さん宅's TV (the test's reader driver holds its credential).
const TARO = person('yamada-taro');
const HANAKO = person('yamada-hanako');

const canvas = (page: Page) => page.locator('stb-tv-app .canvas');
const screenIs = (page: Page, name: string) => expect(canvas(page)).toHaveAttribute('data-screen-name', name, { timeout: 15_000 });

let driver: DriverClient;
let pageErrors: string[] = [];

test.beforeAll(async () => {
  driver = await connectDriver();
  await driver.request('hello', { client: 'tv-home.spec' });
});
test.afterAll(async () => {
  await driver?.request('demo.remove', {});
  await driver?.close();
});
test.beforeEach(async ({ page }) => {
  pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await driver.request('demo.remove', {});
});
test.afterEach(() => {
  expect(pageErrors).toEqual([]);
});

/** The number each home action carries, read off the buttons. */
function homeNumbers(page: Page) {
  return page.evaluate(() => {
    const home = document.querySelector('stb-tv-app')!.shadowRoot!.querySelector('stb-tv-home-screen')!.shadowRoot!;
    return Object.fromEntries([...home.querySelectorAll('stb-tv-button')]
      .map((b) => [b.getAttribute('focus-key'), (b as unknown as { number?: number }).number ?? null]));
  });
}

test.describe('home (issue 11)', () => {
  test('item 9: each home action keeps its number key with one member and with two', async ({ page }) => {
    const expected = { 'home/register': 1, 'home/services': 2, 'home/help': 3, 'home/settings': 4, 'home/unregister': 5, 'home/logout': 6, 'home/inbox': 7, 'home/booking': 8 };
    await register(driver, TARO);
    await unregister(driver, HANAKO); // 太郎 alone first
    for (const members of [1, 2]) {
      if (members === 2) await register(driver, HANAKO);
      const who = TARO;
      await insertCard(driver, who);
      await openTv(page);
      await logInWithRemote(page, who);
      const numbers = await homeNumbers(page);
      expect(Object.keys(numbers).filter((k) => k.startsWith('home/member/'))).toHaveLength(members);
      expect(numbers).toMatchObject(expected);
      // The members carry no number: their count cannot shift the actions.
      for (const [key, n] of Object.entries(numbers)) if (key.startsWith('home/member/')) expect(n).toBeNull();
      // 4 is 設定 whoever lives here.
      await press(page, '4', 'settings/size-large');
      await screenIs(page, 'settings');
      await press(page, 'Backspace', 'home/settings');
      await screenIs(page, 'home');
    }
  });

  test('item 11: help — the operator and its phone number, the 窓口 for a locked card, a picture of the card', async ({ page }, testInfo) => {
    await openTv(page);
    await press(page, '4', 'help/back');
    await screenIs(page, 'help');
    const help = page.locator('stb-tv-help-screen');
    await expect(help.locator('[data-field="operator"]')).toContainText(DEMO_OPERATOR.name);
    await expect(help.locator('[data-field="operator-phone"]')).toHaveText(`電話 ${DEMO_OPERATOR.helpPhone}`);
    await expect(help.locator('[data-field="locked"]')).toContainText('市区町村の 窓口');
    await expect(help.locator('[data-field="locked"]')).toContainText(DEMO_MUNICIPALITY.name);
    await expect(help.locator('[data-field="city-phone"]')).toHaveText(`電話 ${DEMO_MUNICIPALITY.helpPhone}`);
    await expect(help.locator('svg[role="img"]')).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath('tv-help.png') });
    await press(page, 'Backspace', 'start/help');
    // From home too (3).
    await register(driver, TARO);
    await openTv(page);
    await logInWithRemote(page, TARO);
    await press(page, '3', 'help/back');
    await press(page, 'Enter', 'home/help');
    await screenIs(page, 'home');
  });

  test('item 11: the services that know me are listed, and one can be cut after asking (いいえ first)', async ({ page }, testInfo) => {
    await register(driver, TARO);
    const session = await apiSession(driver, TARO);
    const providers = (await api('GET', '/api/v1/me/services', session)).body.services as { providerId: string }[];
    for (const p of providers) await api('DELETE', `/api/v1/me/services/${p.providerId}`, session);
    // Link the demo 避難情報 service through the API (as the service's own sign-up would).
    const link = await linkDemoService(session, '南砺市 避難情報');
    await insertCard(driver, TARO);
    await openTv(page);
    await logInWithRemote(page, TARO);
    await press(page, '2');
    await screenIs(page, 'services');
    await focusLandsOn(page, `services/${link}`);
    await expect(page.locator(`stb-tv-button[focus-key="services/${link}"]`)).toHaveAttribute('label', '南砺市 避難情報');
    await page.screenshot({ path: testInfo.outputPath('tv-services.png') });
    await press(page, 'Enter', 'cut/no');
    await expect(page.locator('stb-tv-services-screen stb-tv-dialog')).toHaveAttribute('heading', '南砺市 避難情報との つながりを 切りますか？');
    await press(page, 'Backspace', `services/${link}`);
    await press(page, 'Enter', 'cut/no');
    await press(page, 'ArrowLeft', 'cut/yes');
    await press(page, 'Enter');
    await expect(page.locator('stb-tv-services-screen [data-empty]')).toHaveText('つながっている サービスは ありません。');
    await focusLandsOn(page, 'services/back');
    expect((await api('GET', '/api/v1/me/services', session)).body.services).toEqual([]);
    await press(page, 'Backspace', 'home/services');
  });

  test('item 11: another household member can be registered from home', async ({ page }) => {
    await register(driver, TARO);
    await insertCard(driver, TARO);
    await openTv(page);
    await logInWithRemote(page, TARO);
    await press(page, '1');
    await screenIs(page, 'flow');
    await expect(page.locator('stb-tv-flow-screen [data-step="district"]')).toBeAttached({ timeout: 15_000 });
    await expect(page.locator('stb-tv-flow-screen')).toContainText('避難所');
    // Back leaves the registration, and home is still there (nobody was logged out).
    await press(page, 'Backspace');
    await screenIs(page, 'home');
  });

  test('item 11: cancelling my registration asks, asks the card again, ends the session, and the card is unknown after', async ({ page }, testInfo) => {
    await register(driver, HANAKO);
    await insertCard(driver, HANAKO);
    await openTv(page);
    await logInWithRemote(page, HANAKO);
    await press(page, '5', 'unregister/no');
    await page.screenshot({ path: testInfo.outputPath('tv-unregister-ask.png') });
    await press(page, 'Enter', 'home/unregister');
    await press(page, '5', 'unregister/no');
    await press(page, 'ArrowLeft', 'unregister/yes');
    await press(page, 'Enter');
    await expect(page.locator('stb-tv-flow-screen h2.title')).toHaveText('登録をやめる');
    await typePin(page, HANAKO.authPin);
    await expect(page.locator('stb-tv-flow-screen [data-step="unregistered"]')).toBeAttached({ timeout: 15_000 });
    await page.screenshot({ path: testInfo.outputPath('tv-unregistered.png') });
    await press(page, 'Enter');
    await screenIs(page, 'start');
    // The card no longer logs in: the card check says so before any PIN.
    await press(page, '1');
    await expect(page.locator('stb-tv-flow-screen [data-step="notRegistered"]')).toBeAttached({ timeout: 15_000 });
    await register(driver, HANAKO); // as it was, for whatever runs next
  });
});

/** Links the person to the demo provider of that name (the provider's own sign-up, outside the TV). */
async function linkDemoService(session: Record<string, string>, name: string): Promise<string> {
  const providerId = DEMO_PROVIDERS.find((p) => p.name === name)!.id;
  const res = await api('POST', `/api/v1/me/services/${providerId}`, session, {});
  expect(res.status).toBe(201);
  return providerId;
}

test.describe('read-aloud (issue 11 item 12)', () => {
  /** A stand-in speech engine: records what is said; `voices` are what the device has. */
  async function fakeSpeech(page: Page, voices: { lang: string; name: string }[]) {
    await page.addInitScript((v) => {
      const said: string[] = [];
      (window as unknown as { said: string[] }).said = said;
      class Utterance { text: string; voice: unknown = null; lang = ''; rate = 1; constructor(text: string) { this.text = text; } }
      Object.defineProperty(window, 'SpeechSynthesisUtterance', { value: Utterance, configurable: true });
      Object.defineProperty(window, 'speechSynthesis', {
        configurable: true,
        value: { speak: (u: Utterance) => said.push(`${u.lang}|${u.text}`), cancel: () => {}, getVoices: () => v },
      });
    }, voices);
  }
  const said = (page: Page) => page.evaluate(() => (window as unknown as { said: string[] }).said);

  test('a setting: with a Japanese voice the screen title and the focused element are read', async ({ page }) => {
    await fakeSpeech(page, [{ lang: 'en-US', name: 'en' }, { lang: 'ja-JP', name: 'ja' }]);
    await openTv(page);
    expect(await said(page)).toEqual([]); // off by default
    await press(page, '3', 'settings/size-large');
    await press(page, '5', 'settings/read-aloud-on');
    await expect(page.locator('stb-tv-button[focus-key="settings/read-aloud-on"]')).toHaveAttribute('selected', '');
    await press(page, 'ArrowDown', 'settings/read-aloud-on');
    await press(page, 'ArrowUp', 'settings/contrast-on');
    await expect.poll(() => said(page)).toContainEqual('ja-JP|オン');
    await press(page, 'Backspace', 'start/settings');
    await expect.poll(() => said(page)).toContainEqual('ja-JP|テレビで マイナンバーカード。設定');
    await press(page, '4', 'help/back');
    await expect.poll(() => said(page)).toContainEqual('ja-JP|ヘルプ。もどる');
  });

  test('without a Japanese voice nothing is said, and nothing breaks', async ({ page }) => {
    await fakeSpeech(page, [{ lang: 'en-US', name: 'en' }]);
    await openTv(page, { readAloud: true });
    await press(page, 'ArrowDown', 'start/register');
    await press(page, '3', 'settings/size-large');
    expect(await said(page)).toEqual([]);
  });
});

test.describe('shared TV (issue 11 item 13)', () => {
  test('idle logout: announced with a countdown any key dismisses, then logs out; the quiet period is a setting', async ({ page }, testInfo) => {
    await page.clock.install();
    await register(driver, TARO);
    await insertCard(driver, TARO);
    await openTv(page);
    await logInWithRemote(page, TARO);
    // From here the page's time moves only when the test says so.
    await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1000));
    // A key the app does not use is a sign of life too: the quiet period starts now.
    await press(page, 'F2');
    // The default quiet period is 10 minutes: nothing before it.
    await page.clock.runFor('09:59');
    await expect(page.locator('stb-tv-dialog[focus-key="idle"]')).toHaveCount(0);
    await page.clock.runFor('00:01');
    const dialog = page.locator('stb-tv-dialog[focus-key="idle"]');
    await expect(dialog).toHaveAttribute('data-idle-left', '60');
    await page.clock.runFor('00:10');
    await expect(dialog).toHaveAttribute('data-idle-left', '50');
    await expect(dialog).toHaveAttribute('message', /あと 50 秒で ログアウトします/);
    await page.screenshot({ path: testInfo.outputPath('tv-idle.png') });
    // Any key (here one that does nothing else) dismisses it; home stays.
    await page.keyboard.press('ArrowDown');
    await expect(dialog).toHaveCount(0);
    await screenIs(page, 'home');
    // Quiet again: announced, then logged out when the countdown runs out.
    await page.clock.runFor('10:01');
    await expect(dialog).toHaveCount(1);
    await page.clock.runFor('01:00');
    await screenIs(page, 'start');
    await expect(dialog).toHaveCount(0);

    // The setting: 7 steps through しない, 5, 10, 30 minutes.
    await press(page, '3', 'settings/size-large');
    await press(page, '7', 'settings/idle');
    await expect(page.locator('stb-tv-button[focus-key="settings/idle"]')).toHaveAttribute('data-value', '30');
    await press(page, '7', 'settings/idle');
    await expect(page.locator('stb-tv-button[focus-key="settings/idle"]')).toHaveAttribute('data-value', '0');
    expect(JSON.parse((await page.evaluate(() => localStorage.getItem('stb-tv-settings')))!)).toMatchObject({ idleLogoutMinutes: 0 });
  });

  test('idle logout never interrupts a task: not during a PIN entry', async ({ page }) => {
    await page.clock.install();
    await register(driver, TARO);
    await insertCard(driver, TARO);
    await openTv(page, { idleLogoutMinutes: 5 });
    await logInWithRemote(page, TARO);
    // 登録をやめる → the card's PIN is being asked: a task.
    await press(page, '5', 'unregister/no');
    await press(page, 'ArrowLeft', 'unregister/yes');
    await press(page, 'Enter');
    await expect(page.locator('stb-tv-flow-screen [data-step="pin-auth"]')).toBeAttached({ timeout: 15_000 });
    await page.clock.runFor('30:00');
    await expect(page.locator('stb-tv-dialog[focus-key="idle"]')).toHaveCount(0);
    await screenIs(page, 'flow');
    await expect(page.locator('stb-tv-flow-screen [data-step="pin-auth"]')).toBeAttached();
  });

  test('card removal: stays logged in by default; logs out when the setting says so', async ({ page }) => {
    await register(driver, TARO);
    await insertCard(driver, TARO);
    await openTv(page);
    await logInWithRemote(page, TARO);
    await driver.request('demo.remove', {});
    await expect(page.locator('stb-tv-start-screen')).toHaveCount(0);
    await screenIs(page, 'home');

    await press(page, '4', 'settings/size-large');
    await press(page, '8', 'settings/card-removal');
    await expect(page.locator('stb-tv-button[focus-key="settings/card-removal"]')).toHaveAttribute('data-value', 'logout');
    await expect(page.locator('stb-tv-button[focus-key="settings/card-removal"]')).toHaveAttribute('label', 'ログアウトする');
    await press(page, 'Backspace', 'home/settings');
    await insertCard(driver, TARO);
    await expect.poll(() => focusedKeys(page)).toEqual(['home/settings']);
    await driver.request('demo.remove', {});
    await screenIs(page, 'start');
  });
});

