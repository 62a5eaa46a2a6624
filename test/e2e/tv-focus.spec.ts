import { expect, test, type Page } from '@playwright/test';
import { DriverClient } from '../helpers/driver-client.js';
import { connectDriver, tvUrl } from './product.js';
import { focusedKeys, press } from './remote.js';

// The TV page driven by the keyboard only, as a remote would: arrows, Enter, digits, Backspace as
// Back. After every key press exactly one element in the page, shadow roots included, carries the
// `focused` marker. The page talks to the test's reader driver (its demo card bay, kept empty).

/** The screen the app shows (`data-screen-name` on the canvas). */
const screen = (page: Page) => page.locator('stb-tv-app .canvas');

async function openTv(page: Page) {
  await page.goto(tvUrl());
  await page.evaluate(() => localStorage.removeItem('stb-tv-settings'));
  await page.reload();
  await expect.poll(() => focusedKeys(page)).toEqual(['start/login']);
}

// The start screen says カードをリーダーにおいてください only with the card bay empty.
test.beforeAll(async () => {
  const driver = await connectDriver();
  await driver.request('demo.remove', {});
  await driver.close();
});

test.describe('TV remote focus', () => {
  test('arrows move along the start menu and stop at its ends', async ({ page }, testInfo) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await openTv(page);
    await expect(page.getByText('カードをリーダーにおいてください')).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath('tv-start.png') });
    await press(page, 'ArrowUp', 'start/login');
    await press(page, 'ArrowDown', 'start/register');
    await press(page, 'ArrowDown', 'start/settings');
    await press(page, 'ArrowDown', 'start/settings');
    await press(page, 'ArrowLeft', 'start/settings');
    // ヘルプ sits beside 設定.
    await press(page, 'ArrowRight', 'start/help');
    await press(page, 'ArrowRight', 'start/help');
    await press(page, 'ArrowLeft', 'start/settings');
    await press(page, 'ArrowUp', 'start/register');
    await press(page, 'ArrowUp', 'start/login');
    expect(errors).toEqual([]);
  });

  test('Enter and number keys open settings; Backspace goes back one level to the opener', async ({ page }) => {
    await openTv(page);
    await press(page, 'ArrowDown', 'start/register');
    await press(page, 'ArrowDown', 'start/settings');
    await press(page, 'Enter', 'settings/size-large');
    await expect(screen(page)).toHaveAttribute('data-screen-name', 'settings');
    await expect(page.getByRole('heading', { name: '設定' })).toBeVisible();
    await press(page, 'Backspace', 'start/settings');
    await expect(screen(page)).toHaveAttribute('data-screen-name', 'start');

    await press(page, 'ArrowUp', 'start/register');
    await press(page, '3', 'settings/size-large');
    await expect(screen(page)).toHaveAttribute('data-screen-name', 'settings');
    await press(page, 'Backspace', 'start/settings');
  });

  test('settings change text size and contrast on the canvas, and are kept', async ({ page }, testInfo) => {
    await openTv(page);
    await press(page, '3', 'settings/size-large');
    // Arrows move through the option grid.
    await press(page, 'ArrowRight', 'settings/size-xlarge');
    await press(page, 'ArrowDown', 'settings/contrast-off');
    await press(page, 'ArrowLeft', 'settings/contrast-on');
    await press(page, 'ArrowDown', 'settings/read-aloud-on');
    await press(page, 'ArrowUp', 'settings/contrast-on');
    await page.screenshot({ path: testInfo.outputPath('tv-settings.png') });

    const canvas = screen(page);
    await expect(canvas).not.toHaveClass(/\bxlarge\b/);
    await press(page, '2', 'settings/size-xlarge');
    await expect(canvas).toHaveClass(/\bxlarge\b/);
    expect(await canvas.evaluate((el) => getComputedStyle(el).getPropertyValue('--stb-text-scale').trim())).toBe('1.25');
    await press(page, 'ArrowDown', 'settings/contrast-off');
    await press(page, 'ArrowLeft', 'settings/contrast-on');
    await press(page, 'Enter', 'settings/contrast-on');
    await expect(canvas).toHaveClass(/\bhc\b/);
    await expect(page.locator('stb-tv-button[focus-key="settings/contrast-on"]')).toHaveAttribute('selected', '');
    await page.screenshot({ path: testInfo.outputPath('tv-settings-xlarge-contrast.png') });

    await page.reload();
    await expect.poll(() => focusedKeys(page)).toHaveLength(1);
    await expect(screen(page)).toHaveClass(/\bxlarge\b.*\bhc\b/);
    expect(JSON.parse((await page.evaluate(() => localStorage.getItem('stb-tv-settings')))!)).toMatchObject({ textSize: 'xlarge', highContrast: true });
  });

  test('the key-test screen shows the key, its keyCode and its action', async ({ page }, testInfo) => {
    await openTv(page);
    await press(page, '3', 'settings/size-large');
    await press(page, '9', 'keytest/panel');
    await expect(screen(page)).toHaveAttribute('data-screen-name', 'keytest');
    const field = (name: string) => page.locator(`stb-tv-key-test-screen [data-field="${name}"]`);

    await press(page, 'ArrowLeft', 'keytest/panel');
    await expect(field('key')).toHaveText('ArrowLeft');
    await expect(field('keyCode')).toHaveText('37');
    await expect(field('action')).toHaveAttribute('data-action', 'left');

    await press(page, '7', 'keytest/panel');
    await expect(field('key')).toHaveText('7');
    await expect(field('keyCode')).toHaveText('55');
    await expect(field('action')).toHaveAttribute('data-action', 'digit7');

    await press(page, 'Enter', 'keytest/panel');
    await expect(field('action')).toHaveAttribute('data-action', 'ok');
    await expect(field('keyCode')).toHaveText('13');

    await press(page, 'F2', 'keytest/panel');
    await expect(field('key')).toHaveText('F2');
    await expect(field('action')).toHaveAttribute('data-action', '');
    await expect(field('action')).toHaveText('アプリでは 使わないキー');
    await page.screenshot({ path: testInfo.outputPath('tv-key-test.png') });

    await press(page, 'Backspace', 'settings/key-test');
    await expect(screen(page)).toHaveAttribute('data-screen-name', 'settings');
  });

  test('Backspace on the top screen asks to leave, and いいえ gives focus back to the opener', async ({ page }, testInfo) => {
    await openTv(page);
    await press(page, 'ArrowDown', 'start/register');
    await press(page, 'Backspace', 'exit/no');
    const dialog = page.locator('stb-tv-dialog');
    await expect(dialog.getByRole('alertdialog')).toBeVisible();
    await expect(dialog.getByRole('heading')).toHaveText('アプリを終了しますか？');
    await expect(page.locator('stb-tv-button[focus-key="exit/yes"]')).toHaveAttribute('label', 'はい');
    await expect(page.locator('stb-tv-button[focus-key="exit/no"]')).toHaveAttribute('label', 'いいえ');
    await page.screenshot({ path: testInfo.outputPath('tv-exit-dialog.png') });
    await press(page, 'Enter', 'start/register');
    await expect(dialog).toHaveCount(0);
    await expect(screen(page)).toHaveAttribute('data-screen-name', 'start');

    // Back inside the dialog is いいえ too.
    await press(page, 'Backspace', 'exit/no');
    await press(page, 'Backspace', 'start/register');
    await expect(dialog).toHaveCount(0);
  });

  test('a dialog traps focus: arrows, number keys and the screen below stay out of reach', async ({ page }) => {
    await openTv(page);
    await press(page, 'ArrowDown', 'start/register');
    await press(page, 'ArrowDown', 'start/settings');
    await press(page, 'Backspace', 'exit/no');
    await press(page, 'ArrowLeft', 'exit/yes');
    for (const key of ['ArrowLeft', 'ArrowUp', 'ArrowDown']) await press(page, key, 'exit/yes');
    await press(page, 'ArrowRight', 'exit/no');
    for (const key of ['ArrowRight', 'ArrowUp', 'ArrowDown']) await press(page, key, 'exit/no');
    // 3 is 設定 on the start screen below: it must not open.
    await press(page, '3', 'exit/no');
    await expect(screen(page)).toHaveAttribute('data-screen-name', 'start');
    await expect(page.locator('stb-tv-dialog')).toHaveCount(1);
    // The dialog's own number 2 is いいえ.
    await press(page, '2', 'start/settings');
    await expect(page.locator('stb-tv-dialog')).toHaveCount(0);

  });

  test('colour keys act only where a legend shows them', async ({ page }) => {
    await openTv(page);
    const blue = () => page.evaluate(() => {
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ColorF3Blue', bubbles: true }));
    });
    // No legend on the start screen: blue does nothing.
    await blue();
    await expect(screen(page)).toHaveAttribute('data-screen-name', 'start');
    expect(await focusedKeys(page)).toEqual(['start/login']);
    // Settings shows 「青 もどる」: blue goes back.
    await press(page, '3', 'settings/size-large');
    await expect(page.locator('stb-tv-legend li[data-color="blue"]')).toContainText('もどる');
    await blue();
    await expect(screen(page)).toHaveAttribute('data-screen-name', 'start');
    expect(await focusedKeys(page)).toEqual(['start/settings']);
  });

  test('the focus service reports each move with the key event time', async ({ page }) => {
    await openTv(page);
    await page.evaluate(() => {
      (window as unknown as { moves: unknown[] }).moves = [];
      window.addEventListener('focus-moved', (e) => (window as unknown as { moves: unknown[] }).moves.push(e.detail));
    });
    await page.keyboard.press('ArrowDown');
    const moves = await page.evaluate(() => (window as unknown as { moves: { key: string; at: number; keyTimeStamp: number }[] }).moves);
    expect(moves).toHaveLength(1);
    expect(moves[0]!.key).toBe('start/register');
    expect(moves[0]!.at).toBeGreaterThanOrEqual(moves[0]!.keyTimeStamp);
  });
});
