import { expect, test, type Page } from '@playwright/test';
import type { MyBookingsView, WeekGridView } from '../../platform/src/booking/booking-schemas.js';
import type { DriverClient } from '../helpers/driver-client.js';
import { TEXT_SCALE, type TextSize } from '../../stb-ui/src/tv/settings.js';
import { facilityId } from './booking-slots.js';
import { screenChecker } from './layout-check.js';
import { connectDriver } from './product.js';
import { focusedKeys, press } from './remote.js';
import { api, apiSession, insertCard, logInWithRemote, moveTo, openTv, person, register } from './tv-session.js';

// The TV's screens when a household has a lot going on, at every text size: 花子 with more than
// nine unread お知らせ (home's 「お知らせ 9件+」 tile), and 予約の確認 with a notice above four
// bookings. The data is made through the API as a resident would (holds, confirmations,
// cancellations, a waitlist offer), in a month six weeks ahead on 会議室B, which no other spec books;
// whatever this spec left live from an earlier run is cancelled first, and at the end.
// Each screen must pass layout-check.ts (inside the safe area, nothing wider than its box), with
// focus on each of its buttons in turn (the focused one, and its ring, stay on screen).

// 佐藤さん (another household) takes the slot 花子 waits for: 太郎's history stays as the other specs left it.
const SATO = person('sato-ichiro');
const HANAKO = person('yamada-hanako');
const SIZES = Object.keys(TEXT_SCALE) as TextSize[];
const FACILITY = '城端公民館 会議室';

let driver: DriverClient;
/** The bookings this spec made for 花子 that are live (cancelled at the end). */
let live: string[] = [];

/** Japan's day `days` from now (YYYY-MM-DD). */
const japanDay = (days: number) => new Date(Date.now() + 9 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);

test.beforeAll(async () => {
  test.setTimeout(60_000);
  driver = await connectDriver();
  await driver.request('hello', { client: 'tv-layout-crowded.spec' });
  await register(driver, SATO);
  await register(driver, HANAKO);
  const sato = await apiSession(driver, SATO);
  const hanako = await apiSession(driver, HANAKO);
  const facility = await facilityId(FACILITY);
  const weekOf = async () => (await api<WeekGridView>('GET', `/api/v1/booking/facilities/${facility}/week?from=${japanDay(42)}`, hanako)).body;
  const week = await weekOf();
  const unit = week.units.find((u) => u.name === '会議室B')!;

  // Anything live from an earlier run of this spec on this server: cancelled, so the slots are free.
  const mine = (await api<MyBookingsView>('GET', '/api/v1/booking/mine', hanako)).body;
  for (const b of mine.bookings.filter((x) => x.unitId === unit.id && week.days.includes(x.day) && (x.state === 'held' || x.state === 'confirmed'))) {
    expect((await api('POST', `/api/v1/booking/bookings/${b.id}/cancel`, hanako)).status).toBe(200);
  }
  const free = (await weekOf()).units.find((u) => u.id === unit.id)!.slots.filter((s) => s.state === 'free');
  expect(free.length).toBeGreaterThanOrEqual(5);
  const key = () => `crowded-${Math.random().toString(36).slice(2, 12)}`;
  const hold = async (session: Record<string, string>, s: { day: string; period: string }) => {
    const held = await api<{ id: string }>('POST', '/api/v1/booking/holds', session, { unitId: unit.id, day: s.day, period: s.period, idempotencyKey: key() });
    expect(held.status, JSON.stringify(held.body)).toBe(201);
    return held.body.id;
  };
  const confirm = async (id: string) => expect((await api('POST', `/api/v1/booking/bookings/${id}/confirm`, hanako)).status).toBe(200);
  const cancel = async (id: string) => expect((await api('POST', `/api/v1/booking/bookings/${id}/cancel`, hanako)).status).toBe(200);

  // Receipts (bookings confirmed and cancelled on one slot) until twelve are unread (the お知らせ
  // tests each open one: home still says 「9件+」 whichever runs first), then three confirmed bookings.
  const unread = async () => (await api<{ unread: number }>('GET', '/api/v1/pension/inbox/badge', hanako)).body.unread;
  for (let i = 0; i < 10 && (await unread()) < 12; i++) {
    const id = await hold(hanako, free[0]!);
    await confirm(id);
    await cancel(id);
  }
  for (const s of free.slice(1, 4)) {
    const id = await hold(hanako, s);
    await confirm(id);
    live.push(id);
  }
  // A fourth: 佐藤さん holds a slot, 花子 waits for it, he lets it go: 花子 gets the hold and a notice.
  const taken = await hold(sato, free[4]!);
  expect((await api('POST', '/api/v1/booking/waitlist', hanako, { unitId: unit.id, day: free[4]!.day, period: free[4]!.period })).status).toBe(201);
  expect((await api('POST', `/api/v1/booking/bookings/${taken}/cancel`, sato)).status).toBe(200);
  const after = (await api<MyBookingsView>('GET', '/api/v1/booking/mine', hanako)).body;
  expect(after.notices[0]?.kind).toBe('waitlist_offer');
  live = after.bookings.filter((b) => b.unitId === unit.id && (b.state === 'held' || b.state === 'confirmed')).map((b) => b.id);
  expect(live).toHaveLength(4);
});

test.afterAll(async () => {
  if (driver && live.length) {
    const hanako = await apiSession(driver, HANAKO);
    for (const id of live) await api('POST', `/api/v1/booking/bookings/${id}/cancel`, hanako);
  }
  await driver?.request('demo.remove', {});
  await driver?.close();
});

/** Checks the screen with focus on each of `keys` in turn, moved there with the arrows. */
async function checkEachFocus(page: Page, check: (name: string) => Promise<void>, name: string, keys: string[]) {
  for (const k of keys) {
    await moveTo(page, k);
    await check(`${name}-${k.replace(/[^a-z0-9]+/gi, '_')}`);
  }
}

for (const textSize of SIZES) {
  test(`a crowded home and 予約の確認 fit at text size ${textSize}`, async ({ page }, testInfo) => {
    const { problems, check } = screenChecker(page, testInfo, `crowded-${textSize}`);
    await insertCard(driver, HANAKO);
    await openTv(page, { textSize });
    await logInWithRemote(page, HANAKO);

    // Home: more than nine unread, so the お知らせ tile says 「9件+」.
    const inbox = page.locator('stb-tv-home-screen [data-focus-key="home/inbox"]');
    await expect(inbox).toHaveAttribute('label', 'お知らせ 9件+', { timeout: 15_000 });
    await check('home');
    await moveTo(page, 'home/inbox');
    await check('home-inbox-focused');

    // 予約の確認 (home 8, then the last button of the facility list): the notice and four bookings.
    await press(page, '8');
    const view = page.locator('stb-tv-booking-screen [data-screen="booking"]');
    await expect(view).toHaveAttribute('data-view', 'facilities', { timeout: 15_000 });
    await expect.poll(async () => (await focusedKeys(page))[0] ?? '', { timeout: 15_000 }).toMatch(/^booking\/facility\//);
    await moveTo(page, 'booking/mine');
    await press(page, 'Enter');
    await expect(view).toHaveAttribute('data-view', 'mine', { timeout: 15_000 });
    await expect(page.locator('stb-tv-booking-screen [data-notice="waitlist_offer"]')).toBeVisible();
    // Page by page (つぎへ), focus on each button in turn: every live booking of 花子's is listed.
    const panel = page.locator('stb-tv-booking-screen [data-panel="mine"]');
    const seen = new Set<string>();
    const offsets = [0];
    for (let n = 0; ; n++) {
      const ids = await panel.locator('li[data-booking]').evaluateAll((els) => els.map((e) => e.getAttribute('data-booking')!));
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) seen.add(id);
      const buttons = await panel.locator('stb-tv-button').evaluateAll((els) => els.map((e) => e.getAttribute('data-focus-key')!));
      await checkEachFocus(page, check, `mine${n}`, [...buttons].reverse());
      if (!buttons.includes('booking/mine/next')) break;
      const offset = Number(await panel.getAttribute('data-offset'));
      await moveTo(page, 'booking/mine/next');
      await press(page, 'Enter');
      await expect(panel).toHaveAttribute('data-offset', String(offset + ids.length));
      offsets.push(offset + ids.length);
      // Focus stays on つぎへ while there is a next page; on the last, it goes to the page's first booking.
      const turned = await panel.locator('stb-tv-button').evaluateAll((els) => els.map((e) => e.getAttribute('data-focus-key')!));
      const expected = turned.includes('booking/mine/next') ? 'booking/mine/next' : turned.find((k) => /^booking\/mine\/(confirm|cancel)\//.test(k)) ?? 'booking/mine/back';
      await expect.poll(() => focusedKeys(page)).toEqual([expected]);
    }
    expect(live.filter((id) => !seen.has(id))).toEqual([]);
    // Cancelling on the last page: the booking stays where it was, 取り消しました, on the same page.
    const lastOffset = String(offsets.at(-1));
    const row = panel.locator('li[data-booking]', { has: page.locator('stb-tv-button[data-focus-key^="booking/mine/cancel/"]') }).last();
    const cancelled = (await row.count()) ? await row.getAttribute('data-booking') : null;
    if (cancelled && live.includes(cancelled)) {
      await moveTo(page, `booking/mine/cancel/${cancelled}`);
      await press(page, 'Enter', 'booking-cancel/no');
      await press(page, 'ArrowLeft', 'booking-cancel/yes');
      await press(page, 'Enter');
      await expect(panel.locator(`li[data-booking="${cancelled}"]`)).toHaveAttribute('data-state', 'cancelled', { timeout: 15_000 });
      await expect(panel).toHaveAttribute('data-offset', lastOffset);
      live = live.filter((id) => id !== cancelled);
      await check(`mine-cancelled`);
    }
    // まえへ turns back a page.
    if (offsets.length > 1) {
      await moveTo(page, 'booking/mine/prev');
      await press(page, 'Enter');
      await expect(panel).toHaveAttribute('data-offset', String(offsets.at(-2)));
    }

    expect(problems).toEqual([]);
  });

  test(`a full お知らせ and its items fit at text size ${textSize}`, async ({ page }, testInfo) => {
    const { problems, check } = screenChecker(page, testInfo, `crowded-inbox-${textSize}`);
    await insertCard(driver, HANAKO);
    await openTv(page, { textSize });
    await logInWithRemote(page, HANAKO);
    await press(page, '7');
    const inbox = page.locator('stb-tv-pension-screen');
    await expect(inbox.locator('[data-pension-mode="inbox"]')).toBeVisible({ timeout: 15_000 });
    await expect(inbox.locator('[data-item]')).toHaveCount(3);
    // The first page with focus on each button, then the next page, then the newest item opened.
    const keys = () => inbox.locator('stb-tv-button').evaluateAll((els) => els.map((e) => e.getAttribute('data-focus-key')!));
    await checkEachFocus(page, check, 'inbox0', await keys());
    await moveTo(page, 'pension/more');
    await press(page, 'Enter');
    await expect(inbox.locator('stb-tv-button[data-focus-key="pension/prev"]')).toBeVisible();
    await checkEachFocus(page, check, 'inbox1', await keys());
    await moveTo(page, 'pension/prev');
    await press(page, 'Enter');
    const first = (await inbox.locator('[data-item]').first().getAttribute('data-item'))!;
    await moveTo(page, `pension/item/${first}`);
    await press(page, 'Enter');
    // A booking notice (the waitlist offer, or the receipt of a cancel the other test made): a slot with its times.
    await expect(inbox.locator('[data-item-body]')).toHaveText(/\d{1,2}:\d{2}/, { timeout: 15_000 });
    await check('item');

    expect(problems).toEqual([]);
  });
}
