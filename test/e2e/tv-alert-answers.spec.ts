import { expect, test, type Page } from '@playwright/test';
import { choicesTaken, clockSteps, overlay, quietTv, sound, tvAlertSpec } from './alert-walk.js';
import { cancelAlerts } from './alerts.js';
import { press } from './remote.js';
import { person } from './tv-session.js';

// What a resident is told after answering an alert, and in which order alerts come: from a walk with
// the remote. An answer closed the overlay with no word of whether it reached the municipality; a
// link that was down showed only in the footer, under the overlay; a 緊急安全確保 could be pushed off
// the screen by a 高齢者等避難 that merely came later; an Update of an answered alert looked new.

const TARO = person('yamada-taro');
const { publish, publishShown } = tvAlertSpec('tv-alert-answers.spec', TARO);

const answerNotice = (page: Page) => page.locator('stb-tv-app footer [data-answer-notice]');
const overlayField = (page: Page, field: string) => page.locator(`stb-tv-alert-overlay [data-field="${field}"]`);

test('an answer given with the link down says it waits, and once the link is back and the platform stored it, 「お返事を 送りました」 names it', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const link = await quietTv(page, { sound: true });
  const order = await publishShown(page, { level: '4', headline: '城端地域に 避難指示' });
  await choicesTaken(page);

  // The network goes (both ends, and no new link is let through). A moment's break says nothing;
  // a while, and the overlay says new orders may not come (the footer saying so is beneath it).
  link.offline = true;
  for (const ws of link.sockets) await ws.close();
  await clockSteps(page, 2_500);
  await expect(overlayField(page, 'offline')).toHaveCount(0);
  await clockSteps(page, 5_000);
  await expect(overlayField(page, 'offline')).toHaveText('いま 通信が とぎれています。新しい 避難情報が 届かないことが あります');
  await page.screenshot({ path: testInfo.outputPath('offline-on-overlay.png') });

  await press(page, '2');
  await expect(overlay(page)).toHaveCount(0);
  await expect(answerNotice(page)).toHaveAttribute('data-answer-notice', 'waiting');
  await expect(answerNotice(page)).toHaveText('お返事は まだ 送れていません。つながったら 自動で 送ります');

  // Back: the answer is sent again, stored, and the resident is told so, with the answer, and hears it.
  link.offline = false;
  await expect.poll(async () => {
    await clockSteps(page, 2_500);
    return answerNotice(page).getAttribute('data-answer-notice');
  }, { timeout: 60_000 }).toBe('stored');
  await expect(answerNotice(page)).toHaveText('お返事を 送りました：自宅で安全です');
  await page.screenshot({ path: testInfo.outputPath('answer-stored.png') });
  expect((await sound(page)).spoken.at(-1)).toBe('お返事を 送りました');
  // It goes by itself after a while.
  await clockSteps(page, 8_000);
  await expect(answerNotice(page)).toHaveCount(0);
  await cancelAlerts([order]);
});

test('a 緊急安全確保 stays on screen when a 高齢者等避難 comes after it; that one waits (あと 1件) and comes on, read aloud, once the first is answered', async ({ page }) => {
  await quietTv(page, { sound: true });
  const urgent = await publishShown(page, { level: '5', headline: '城端地域に 緊急安全確保' });
  const lesser = await publish({ level: '3', headline: '城端地域に 高齢者等避難' });
  await expect(overlayField(page, 'more')).toHaveText('あと 1件', { timeout: 15_000 });
  await expect(overlay(page)).toHaveAttribute('data-alert', urgent.id);
  expect((await sound(page)).spoken.join('\n')).not.toContain('警戒レベル3');

  await choicesTaken(page);
  await press(page, '3');
  await expect(overlay(page)).toHaveAttribute('data-alert', lesser.id);
  await expect.poll(async () => (await sound(page)).spoken.at(-1)).toContain('警戒レベル3 高齢者等避難');
  // The urgent one was answered (the band says so on the overlay while the next is up).
  await expect(overlayField(page, 'answer-notice')).toBeAttached();
  await cancelAlerts([urgent, lesser]);
});

test('an Update of an alert already answered and closed says 「内容が 新しくなりました」: the same order, changed, not a new one', async ({ page }) => {
  await quietTv(page);
  const first = await publishShown(page, { level: '3', headline: '城端地域に 高齢者等避難' });
  await choicesTaken(page);
  await press(page, 'Enter', 'start/login');
  await expect(overlay(page)).toHaveCount(0);

  const update = await publishShown(page, { msgType: 'Update', level: '4', headline: '城端地域に 避難指示', references: [{ identifier: first.identifier, sent: first.sent }] });
  await expect(overlayField(page, 'notice')).toHaveText('内容が 新しくなりました');
  await cancelAlerts([update]);
});
