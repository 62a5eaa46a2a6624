import { expect, test, type Page } from '@playwright/test';
import type { MyBookingsView } from '../../platform/src/booking/booking-schemas.js';
import type { DriverClient } from '../helpers/driver-client.js';
import { bookingToInbox, facilityId, freeSlot as freeSlotOf, openRound, toSlot } from './booking-slots.js';
import { connectDriver } from './product.js';
import { focusedKeys, press } from './remote.js';
import { api, apiSession, bookAs, focusLandsOn, insertCard, logInWithRemote, moveTo, openTv, person, register, typePin } from './tv-session.js';

// Issue 16: 施設予約 with the remote only. The grid is browsed without a login (start menu 5);
// picking a free slot asks who books and logs them in with their card; the hold shows its time
// left; confirming gives a 利用許可番号; my bookings cancels. A double OK books once, a slot
// someone else took meanwhile is explained in plain Japanese, and so is one that became free while
// the resident asked to wait for it (with OK to book it). Each test books its own slot.

const TARO = person('yamada-taro');
const HANAKO = person('yamada-hanako');
const FACILITY = '城端公民館 会議室';

let driver: DriverClient;
let taroId: string;
let pageErrors: string[] = [];
/** Slots already used by a test of this run (each test books one of its own). */
const used = new Set<string>();

test.beforeAll(async () => {
  driver = await connectDriver();
  await driver.request('hello', { client: 'tv-booking.spec' });
  taroId = await register(driver, TARO);
  await register(driver, HANAKO);
});
test.afterAll(async () => {
  await driver?.request('demo.remove', {});
  await driver?.close();
});
test.beforeEach(async ({ page }) => {
  pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await insertCard(driver, TARO);
});
test.afterEach(() => {
  expect(pageErrors).toEqual([]);
});

const view = (page: Page) => page.locator('stb-tv-booking-screen [data-screen="booking"]');

const freeSlot = () => freeSlotOf(FACILITY, used);

test('browse without logging in, book with the card, see the 利用許可番号 and cancel', async ({ page }) => {
  const slot = await freeSlot();
  await openTv(page);
  await press(page, '5');
  await expect(view(page)).toHaveAttribute('data-view', 'facilities', { timeout: 15_000 });
  await toSlot(page, slot);
  await expect(page.locator(`stb-tv-booking-screen stb-tv-slot-cell[focused]`)).toHaveAttribute('state', 'free');

  // Who books: 太郎, with his card and PIN (the login flow), and straight back to the hold.
  await press(page, 'Enter');
  await bookAs(page, taroId, TARO.authPin);
  await expect(view(page)).toHaveAttribute('data-view', 'held', { timeout: 15_000 });
  await focusLandsOn(page, 'booking/held/confirm');
  const left = Number(await page.locator('stb-tv-booking-screen [data-hold-left]').getAttribute('data-hold-left'));
  expect(left).toBeGreaterThan(25 * 60);

  await press(page, 'Enter');
  await expect(view(page)).toHaveAttribute('data-view', 'confirmed', { timeout: 15_000 });
  await expect(page.locator('stb-tv-booking-screen [data-permit-no]')).toHaveText(/^\d{4}-\d{3}-\d{3}$/);
  const permitNo = (await page.locator('stb-tv-booking-screen [data-permit-no]').textContent())!;
  // 太郎 lives in 南砺市 (his card's address): the resident fee, as the platform priced it for him.
  await expect(page.locator('stb-tv-booking-screen [data-fee]')).toContainText('円');

  // My bookings: the receipt, and cancel (it asks first; 取り消さない is where focus lands).
  await press(page, 'Enter');
  await expect(view(page)).toHaveAttribute('data-view', 'mine', { timeout: 15_000 });
  const bookingId = (await page.locator('stb-tv-booking-screen li', { hasText: permitNo }).getAttribute('data-booking'))!;
  await moveTo(page, `booking/mine/cancel/${bookingId}`);
  await press(page, 'Enter', 'booking-cancel/no');
  await press(page, 'ArrowLeft', 'booking-cancel/yes');
  await press(page, 'Enter');
  await expect(page.locator(`stb-tv-booking-screen li[data-booking="${bookingId}"]`)).toHaveAttribute('data-state', 'cancelled', { timeout: 15_000 });

  // Both receipts are in お知らせ (home 7), the TV's one inbox, newest first, with the 利用許可番号.
  const inbox = await bookingToInbox(page);
  await expect(inbox.locator('[data-item]').nth(0)).toContainText('施設の 予約を 取り消しました');
  await expect(inbox.locator('[data-item]').nth(1)).toContainText('施設の 予約が 確定しました');
  const receipt = (await inbox.locator('[data-item]').nth(0).getAttribute('data-item'))!;
  await moveTo(page, `pension/item/${receipt}`);
  await press(page, 'Enter');
  await expect(inbox.locator('[data-item-body]')).toContainText(permitNo, { timeout: 15_000 });
});

test('OK pressed twice on a slot books it once', async ({ page }) => {
  const slot = await freeSlot();
  await openTv(page);
  await logInWithRemote(page, TARO);
  await press(page, '8');
  await expect(view(page)).toHaveAttribute('data-view', 'facilities', { timeout: 15_000 });
  await toSlot(page, slot);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await expect(view(page)).toHaveAttribute('data-view', /held|confirmed/, { timeout: 15_000 });

  const session = await apiSession(driver, TARO);
  const mine = (await api<MyBookingsView>('GET', '/api/v1/booking/mine', session)).body;
  const here = mine.bookings.filter((b) => b.unitId === slot.unitId && b.day === slot.day && b.period === slot.period);
  expect(here.map((b) => b.state)).toHaveLength(1);
  expect(['held', 'confirmed']).toContain(here[0]!.state);
  // Leave nothing live for the other tests' lists.
  expect((await api('POST', `/api/v1/booking/bookings/${here[0]!.id}/cancel`, session)).status).toBe(200);
});

test('a slot someone took meanwhile is explained plainly, and the resident can wait for it', async ({ page }) => {
  const slot = await freeSlot();
  await openTv(page);
  await logInWithRemote(page, TARO);
  await press(page, '8');
  await expect(view(page)).toHaveAttribute('data-view', 'facilities', { timeout: 15_000 });
  await toSlot(page, slot);
  await expect(page.locator('stb-tv-booking-screen stb-tv-slot-cell[focused]')).toHaveAttribute('state', 'free');

  // Meanwhile 花子 holds it from her own session (the grid on the TV still says 空き).
  const hanako = await apiSession(driver, HANAKO);
  const taken = await api('POST', '/api/v1/booking/holds', hanako, { unitId: slot.unitId, day: slot.day, period: slot.period, idempotencyKey: `hanako-${slot.day}-${slot.period}` });
  expect(taken.status).toBe(201);
  await insertCard(driver, TARO);

  await press(page, 'Enter');
  await expect(view(page)).toHaveAttribute('data-view', 'taken', { timeout: 15_000 });
  await focusLandsOn(page, 'booking/taken/other');
  const text = page.locator('stb-tv-booking-screen [data-panel="taken"]');
  await expect(text).toContainText('ほかの方が先に予約しました');
  await expect(text).toContainText('二人の 予約が 入る ことは ありません');

  await press(page, '2');
  await expect(view(page)).toHaveAttribute('data-view', 'waiting', { timeout: 15_000 });
  // Back to the grid: the slot now shows as taken, not by colour alone.
  await press(page, 'Enter');
  await expect(view(page)).toHaveAttribute('data-view', 'week', { timeout: 15_000 });
  const cell = page.locator(`stb-tv-booking-screen stb-tv-slot-cell[data-focus-key="booking/slot/${slot.day}/${slot.period}"]`);
  await expect(cell).toHaveAttribute('state', 'taken');
  await expect(cell).toContainText('予約あり');
});

test('a slot that becomes free while the resident asks to wait for it is said so plainly, and OK books it', async ({ page }) => {
  const slot = await freeSlot();
  await openTv(page);
  await logInWithRemote(page, TARO);
  await press(page, '8');
  await expect(view(page)).toHaveAttribute('data-view', 'facilities', { timeout: 15_000 });

  // 花子 holds it from her own session before the grid opens: the TV shows it taken.
  const hanako = await apiSession(driver, HANAKO);
  const held = await api<{ id: string }>('POST', '/api/v1/booking/holds', hanako, { unitId: slot.unitId, day: slot.day, period: slot.period, idempotencyKey: `hanako-free-${slot.day}-${slot.period}` });
  expect(held.status).toBe(201);
  await insertCard(driver, TARO);
  await toSlot(page, slot);
  await expect(page.locator('stb-tv-booking-screen stb-tv-slot-cell[focused]')).toHaveAttribute('state', 'taken');
  await press(page, 'Enter', 'booking-taken/no');
  await press(page, 'ArrowLeft', 'booking-taken/wait');

  // She lets it go while 太郎 reads the question: waiting for it is refused (409 BOOKING_SLOT_FREE).
  expect((await api('POST', `/api/v1/booking/bookings/${held.body.id}/cancel`, hanako)).status).toBe(200);
  const refused = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/booking/waitlist'));
  await press(page, 'Enter');
  expect((await refused).status()).toBe(409);
  await expect(view(page)).toHaveAttribute('data-view', 'free', { timeout: 15_000 });
  await expect(view(page)).toContainText('たった今 空きました');
  await focusLandsOn(page, 'booking/free/hold');
  await expect(page.locator('stb-tv-booking-screen [data-panel="free"]')).toContainText('このまま 予約 できます');

  await press(page, 'Enter');
  await expect(view(page)).toHaveAttribute('data-view', 'held', { timeout: 15_000 });
  const session = await apiSession(driver, TARO);
  const mine = (await api<MyBookingsView>('GET', '/api/v1/booking/mine', session)).body;
  const here = mine.bookings.filter((b) => b.unitId === slot.unitId && b.day === slot.day && b.period === slot.period && b.state === 'held');
  expect(here).toHaveLength(1);
  // Leave nothing live for the other tests' lists.
  expect((await api('POST', `/api/v1/booking/bookings/${here[0]!.id}/cancel`, session)).status).toBe(200);
});

test('a lottery application with ranked choices, the applicant logging in with the card', async ({ page }) => {
  await openTv(page);
  await press(page, '5');
  await expect(view(page)).toHaveAttribute('data-view', 'facilities', { timeout: 15_000 });
  await expect.poll(async () => (await focusedKeys(page))[0] ?? '', { timeout: 15_000 }).toMatch(/^booking\/facility\//);
  await moveTo(page, `booking/facility/${await facilityId('福光テニスコート')}`);
  await press(page, 'Enter');
  await expect(view(page)).toHaveAttribute('data-view', 'week', { timeout: 15_000 });
  await press(page, '3');
  await expect(view(page)).toHaveAttribute('data-view', 'lottery', { timeout: 15_000 });
  // The grid turns to the round's month (its cells, reused, take that month's days and keys).
  const { month } = await openRound('福光テニスコート');
  await expect.poll(async () => (await focusedKeys(page))[0] ?? '', { timeout: 15_000 }).toMatch(new RegExp(`^booking/slot/${month}-`));
  // First choice, second choice; the second picked again is taken out, then chosen once more.
  await press(page, 'Enter');
  await press(page, 'ArrowDown');
  await press(page, 'Enter');
  await press(page, 'Enter');
  await press(page, 'Enter');
  const chosen = page.locator('stb-tv-booking-screen stb-tv-slot-cell[state="chosen"]');
  await expect(chosen).toHaveCount(2);
  await expect(chosen.nth(0)).toContainText('第1希望');
  await expect(chosen.nth(1)).toContainText('第2希望');

  const shown = await rankedChoices(page);
  expect(shown).toHaveLength(2);

  const sent = page.waitForRequest((r) => r.method() === 'POST' && /\/api\/v1\/booking\/lottery\/[^/]+\/applications$/.test(r.url()));
  await press(page, '3');
  await bookAs(page, taroId, TARO.authPin);
  const body = (await sent).postDataJSON() as { choices: { day: string; period: string }[] };
  expect(body.choices.map((c) => `${c.day}/${c.period}`)).toEqual(shown);
  await expect(view(page)).toHaveAttribute('data-view', 'applied', { timeout: 15_000 });
});

/** The cells shown as chosen, as `day/period`, in the order of their rank (第1希望 first). */
async function rankedChoices(page: Page): Promise<string[]> {
  const cells = page.locator('stb-tv-booking-screen stb-tv-slot-cell[state="chosen"]');
  const ranked: [number, string][] = [];
  for (let i = 0; i < await cells.count(); i++) {
    const rank = Number(/第(\d)希望/.exec((await cells.nth(i).textContent()) ?? '')?.[1]);
    ranked.push([rank, (await cells.nth(i).getAttribute('data-focus-key'))!.replace('booking/slot/', '')]);
  }
  return ranked.sort((a, b) => a[0] - b[0]).map(([, key]) => key);
}
