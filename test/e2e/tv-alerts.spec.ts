import { expect, test } from '@playwright/test';
import { choicesTaken, clockSteps, halfTypedPin, overlay, quietTv, sound, tvAlertSpec, type AlertLink } from './alert-walk.js';
import { alertsInForce, cancelAlerts } from './alerts.js';
import { COMPOSER, officerDesk, openFunnel } from './officer-desk.js';
import { press } from './remote.js';
import { focusLandsOn, moveTo, person } from './tv-session.js';

// Issue 13 §4: an evacuation order reaches 山田さん宅's TV over whatever is on screen — here a PIN
// half typed — with the family's names and their shelter, a chime and the text read aloud; OK
// acknowledges and the PIN entry is still there. Receipts come back (displayed, which is delivered too →
// acknowledged, each confirmed by the platform once stored); a TV that was offline gets the alert
// when it is back; an Update replaces it, a Cancel withdraws it (saying so); a Test message is never shown;
// an order extended after the TV said it had expired alarms again. An
// acknowledgement given while the platform's end of the link is gone is sent again when the TV is
// back (even after a reload), and the console's funnel shows it.

const TARO = person('yamada-taro');
const { publish, driver } = tvAlertSpec('tv-alerts.spec', TARO);


const receipted = (link: AlertLink, alertId: string) =>
  link.fromServer.flatMap((m) => (m.type === 'receipted' ? m.receipts as { alertId: string; kind: string }[] : []))
    .filter((r) => r.alertId === alertId).map((r) => r.kind);

test('an alert shows over a half-typed PIN with names and shelter, chimes and speaks; OK acknowledges and the PIN is still there', async ({ page }) => {
  const link = await quietTv(page, { clock: false, sound: true });
  const { typedOn: focusedBefore, pinLength } = await halfTypedPin(page, driver(), TARO);
  await expect.poll(() => link.fromServer.some((m) => m.type === 'ready'), { timeout: 15_000 }).toBe(true);

  const order = await publish({ level: '4', headline: '城端地域に 避難指示' });
  await expect(overlay(page)).toHaveAttribute('data-alert', order.id, { timeout: 15_000 });
  await expect(page.locator('stb-tv-alert-overlay h2')).toHaveText('警戒レベル4 避難指示');
  await expect(page.locator('stb-tv-alert-overlay [data-field="greeting"]')).toContainText('山田 太郎さん');
  await expect(page.locator('stb-tv-alert-overlay [data-field="shelter"]')).toContainText('城端小学校 体育館');
  await focusLandsOn(page, 'alert/ok');
  const heard = await sound(page);
  expect(heard.chimes).toBeGreaterThanOrEqual(1);
  expect(heard.oscillators).toBeGreaterThanOrEqual(3);
  expect(heard.spoken.at(-1)).toContain('警戒レベル4 避難指示');
  expect(heard.spoken.at(-1)).toContain('山田 太郎さん');
  // Digits go nowhere while the alert is up: the PIN underneath keeps its two.
  await press(page, '7', 'alert/ok');
  // Shown at once: the page's one receipt is `displayed`, which the platform stores as delivered too (the funnel below).
  await expect.poll(() => receipted(link, order.id)).toEqual(['displayed']);

  await choicesTaken(page);
  await press(page, 'Enter', focusedBefore);
  await expect(overlay(page)).toHaveCount(0);
  await expect(pinLength).toHaveAttribute('data-pin-length', '2');
  await expect.poll(() => receipted(link, order.id)).toEqual(['displayed', 'acknowledged']);
  // ... and the login carries on from there.
  await press(page, TARO.authPin[2]!);
  await press(page, TARO.authPin[3]!);
  await moveTo(page, 'pad/submit');
  await press(page, 'Enter');
  await expect(page.locator('stb-tv-home-screen [data-screen="home"]')).toBeVisible({ timeout: 15_000 });

  // 避難情報 (9) shows the alerts in force again, this one among them (another spec's may be too), one
  // after another; an answer given there is recorded too.
  const inForce = await alertsInForce(page);
  expect(inForce).toContain(order.id);
  await press(page, '9', 'alert/ok');
  for (const id of inForce) {
    await expect(overlay(page)).toHaveAttribute('data-alert', id);
    await moveTo(page, 'alert/evacuated');
    await press(page, 'Enter');
  }
  await expect(overlay(page)).toHaveCount(0);
  await focusLandsOn(page, 'home/alerts');
  await cancelAlerts([order]);
});

test('a TV that was offline gets the alert when it is back; an Update replaces it, a Cancel withdraws it; a Test is never shown', async ({ page }) => {
  const link = await quietTv(page, { sound: true });

  // Offline: the link is cut and every new attempt refused.
  link.offline = true;
  for (const ws of link.sockets) await ws.close();
  const missed = await publish({ level: '3', headline: '城端地域に 高齢者等避難' });
  await clockSteps(page, 5_000);
  await expect(overlay(page)).toHaveCount(0);

  // Back online: the next attempt (at most the longest backoff later) resumes and gets it.
  link.offline = false;
  await clockSteps(page, 31_000);
  await expect(overlay(page)).toHaveAttribute('data-alert', missed.id, { timeout: 15_000 });
  await expect(page.locator('stb-tv-alert-overlay h2')).toHaveText('警戒レベル3 高齢者等避難');

  const update = await publish({ msgType: 'Update', level: '5', headline: '城端地域に 緊急安全確保', references: [{ identifier: missed.identifier, sent: missed.sent }] });
  await expect(overlay(page)).toHaveAttribute('data-alert', update.id, { timeout: 15_000 });
  await expect(page.locator('stb-tv-alert-overlay h2')).toHaveText('警戒レベル5 緊急安全確保');

  // Withdrawn while on screen, it says so and stays until the resident closes it.
  await publish({ msgType: 'Cancel', references: [{ identifier: update.identifier, sent: update.sent }] });
  await expect(overlay(page)).toHaveAttribute('data-ended', 'cancelled', { timeout: 15_000 });
  await choicesTaken(page);
  await press(page, 'Enter', 'start/login');
  await expect(overlay(page)).toHaveCount(0);

  // A Test message, then an Actual one: pushes keep their order, so the Test would have come first.
  const drill = await publish({ status: 'Test', headline: '訓練' });
  const real = await publish({ level: '4' });
  await expect(overlay(page)).toHaveAttribute('data-alert', real.id, { timeout: 15_000 });
  expect(link.fromServer.filter((m) => m.type === 'alert').map((m) => (m.alert as { id: string }).id)).not.toContain(drill.id);
  await cancelAlerts([real]);
  await expect(overlay(page)).toHaveAttribute('data-ended', 'cancelled', { timeout: 15_000 });
});

test('an acknowledgement the platform never got is sent again when the TV is back, even after a reload, and the funnel shows it', async ({ page, browser }) => {
  const link = await quietTv(page);
  const order = await publish({ level: '4', headline: '城端地域に 避難指示' });
  await expect(overlay(page)).toHaveAttribute('data-alert', order.id, { timeout: 15_000 });
  await expect.poll(() => receipted(link, order.id)).toEqual(['displayed']);

  // The platform's end of the link goes; the TV has not noticed when 「避難しました」 is pressed.
  link.offline = true;
  for (const cut of link.cutServers) cut();
  await choicesTaken(page);
  await moveTo(page, 'alert/evacuated');
  await press(page, 'Enter');
  await expect(overlay(page)).toHaveCount(0);
  const acknowledgements = () => link.fromPage.filter((m) => m.type === 'receipt' && m.alertId === order.id && m.kind === 'acknowledged');
  await expect.poll(() => acknowledgements().length).toBe(1);

  // Still offline, the page is reloaded: the acknowledgement waits in the page's storage.
  await page.reload();
  await clockSteps(page, 5_000);
  expect(acknowledgements()).toHaveLength(1);

  // Back online: sent again after `ready`, stored, confirmed; the alert comes back acknowledged (no second alarm).
  link.offline = false;
  await clockSteps(page, 31_000);
  await expect.poll(() => receipted(link, order.id).filter((k) => k === 'acknowledged')).toEqual(['acknowledged']);
  expect(acknowledgements().map((m) => m.answer)).toEqual(['evacuated', 'evacuated']);
  await expect.poll(() => alertsInForce(page)).toContain(order.id);
  await expect(overlay(page)).toHaveCount(0);

  const desk = await officerDesk(browser, driver(), COMPOSER);
  const funnel = await openFunnel(desk, order.id);
  await expect(funnel.locator('[data-stage="acknowledged"] [data-value]')).toHaveText('1', { timeout: 15_000 });
  await expect(funnel.locator('[data-stage="delivered"] [data-value]')).toHaveText('1');
  await expect(funnel.locator('[data-stage="displayed"] [data-value]')).toHaveText('1');
  await expect(funnel).toContainText('避難しました: 1世帯');
  await desk.context().close();
  await cancelAlerts([order]);
});

test('an Update on screen is read out saying it changed; withdrawn or expired on screen, the notice is read once, without a chime', async ({ page }) => {
  test.setTimeout(120_000);
  const link = await quietTv(page, { sound: true });
  const spokenNotices = async (text: string) => (await sound(page)).spoken.filter((s) => s === text).length;

  const first = await publish({ level: '3', headline: '城端地域に 高齢者等避難' });
  await expect(overlay(page)).toHaveAttribute('data-alert', first.id, { timeout: 15_000 });
  expect((await sound(page)).spoken.at(-1)).not.toContain('内容が 新しくなりました');
  const chimesBefore = (await sound(page)).chimes;
  const update = await publish({ msgType: 'Update', level: '4', headline: '城端地域に 避難指示', references: [{ identifier: first.identifier, sent: first.sent }] });
  await expect(overlay(page)).toHaveAttribute('data-alert', update.id, { timeout: 15_000 });
  const heard = await sound(page);
  expect(heard.chimes).toBe(chimesBefore + 1);
  expect(heard.spoken.at(-1)).toMatch(/^内容が 新しくなりました。.*警戒レベル4 避難指示/);

  // A Cancel: the notice is said, and no chime calls anyone to the TV for it.
  await publish({ msgType: 'Cancel', references: [{ identifier: update.identifier, sent: update.sent }] });
  await expect(overlay(page)).toHaveAttribute('data-ended', 'cancelled', { timeout: 15_000 });
  await expect.poll(async () => (await sound(page)).spoken.at(-1)).toBe('この 情報は 取り消されました');
  expect((await sound(page)).chimes).toBe(chimesBefore + 1);
  await choicesTaken(page);
  await press(page, 'Enter', 'start/login');
  await expect(overlay(page)).toHaveCount(0);

  // Expired while the platform's end of the link is gone: the TV says it itself, once — the
  // platform's `expired` after the link is back says nothing again.
  const brief = await publish({ level: '3', ttlSeconds: 20 });
  await expect(overlay(page)).toHaveAttribute('data-alert', brief.id, { timeout: 15_000 });
  const chimesThen = (await sound(page)).chimes;
  link.offline = true;
  for (const cut of link.cutServers) cut();
  await clockSteps(page, 21_000);
  await expect(overlay(page)).toHaveAttribute('data-ended', 'expired');
  expect((await sound(page)).spoken.at(-1)).toBe('この 情報は 期限が 切れました');
  link.offline = false;
  for (const ws of link.sockets) await ws.close();
  await clockSteps(page, 31_000);
  await expect.poll(() => link.fromServer.some((m) => m.type === 'withdrawn' && (m.alertIds as string[]).includes(brief.id)), { timeout: 30_000 }).toBe(true);
  await expect(overlay(page)).toHaveAttribute('data-ended', 'expired');
  expect(await spokenNotices('この 情報は 期限が 切れました')).toBe(1);
  expect((await sound(page)).chimes).toBe(chimesThen);

  // Extended after the TV said it had ended (the same order, a later expiry): it is back in force,
  // so it is news — chimed and said, not slipped silently under the notice.
  const extended = await publish({ msgType: 'Update', level: '3', ttlSeconds: 3600, references: [{ identifier: brief.identifier, sent: brief.sent }] });
  await expect(overlay(page)).toHaveAttribute('data-alert', extended.id, { timeout: 15_000 });
  expect(link.fromServer.find((m) => m.type === 'alert' && (m.alert as { id: string }).id === extended.id)?.extension).toBe(true);
  await expect(overlay(page)).not.toHaveAttribute('data-ended', /./);
  expect((await sound(page)).chimes).toBe(chimesThen + 1);
  expect((await sound(page)).spoken.at(-1)).toContain('警戒レベル3 高齢者等避難');
});
