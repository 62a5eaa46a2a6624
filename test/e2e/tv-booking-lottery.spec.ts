import { expect, test, type Page } from '@playwright/test';
import type { MyBookingsView, WeekGridView } from '../../platform/src/booking/booking-schemas.js';
import { draw, type Entrant } from '../../platform/src/booking/draw.js';
import type { DriverClient } from '../helpers/driver-client.js';
import { bookingToInbox, facilityId, openRound } from './booking-slots.js';
import { connectDriver, DEMO_TV, E2E_OPERATOR_ORIGIN, E2E_READER_URL } from './product.js';
import { focusedKeys, press } from './remote.js';
import { api, apiSession, bookAs, focusLandsOn, insertCard, moveTo, openTv, person, register, unregister } from './tv-session.js';

/** How booking notices write a day: 「12月15日（火）」 (the receipts' form), month and day without zeros. */
const noticeDay = (day: string) => `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日（`;

// Issue 16's lottery from applications to confirmed winners: the facilities officer opens a round
// of its own in the console (a month no other test uses: next month, before the demo's round, so
// the TV offers it), 花子 applies on the TV with two ranked choices (remote keys only), 佐藤さん
// (another household) through the API, competing for her first choice; the officer closes and
// draws it; the draw is recomputed here from the published seed, 花子 sees her win on the TV and
// confirms it with the remote, and the platform holds exactly the drawn bookings, confirmed.
// Not 太郎: the layout checks look at his home and bookings, which these notices would change.
// 佐藤さん is unregistered again afterwards (tv-traps wants his card unknown).

const HANAKO = person('yamada-hanako');
const SATO = person('sato-ichiro');
const COURTS = '福光テニスコート';
const OFFICER = { card: 'staff-nanto-facilities', pin: '6666', org: '南砺市' };

let driver: DriverClient;
let hanakoId: string;
let satoId: string;
let pageErrors: string[] = [];

test.beforeAll(async () => {
  driver = await connectDriver();
  await driver.request('hello', { client: 'tv-booking-lottery.spec' });
  hanakoId = await register(driver, HANAKO);
  satoId = await register(driver, SATO);
});
test.afterAll(async () => {
  if (driver) await unregister(driver, SATO);
  await driver?.request('demo.remove', {});
  await driver?.close();
});
test.beforeEach(({ page }) => {
  pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
});
test.afterEach(() => {
  expect(pageErrors).toEqual([]);
});

const device = { authorization: `Device ${DEMO_TV.id}:${DEMO_TV.secret}` };
const view = (page: Page) => page.locator('stb-tv-booking-screen [data-screen="booking"]');
const japanDay = (ms: number) => new Date(ms + 9 * 3_600_000).toISOString().slice(0, 10);
const slotOf = (key: string) => key.replace('booking/slot/', '');

/** The officer logs in to the console with their card (then takes it out again). */
async function officerConsole(page: Page): Promise<void> {
  expect((await driver.request('demo.insert', { card: OFFICER.card })).ok).toBe(true);
  await page.goto(`${E2E_OPERATOR_ORIGIN}/operator/?reader=${encodeURIComponent(E2E_READER_URL)}`);
  const signIn = page.locator('op-sign-in');
  await expect(signIn.locator('[data-reader="card"]')).toBeVisible({ timeout: 15_000 });
  await signIn.locator('input[name=pin]').fill(OFFICER.pin);
  await signIn.getByRole('button', { name: 'ログイン', exact: true }).click();
  await expect(page.locator('stb-operator-app [data-org]')).toHaveText(OFFICER.org, { timeout: 15_000 });
  expect((await driver.request('demo.remove', {})).ok).toBe(true);
  await page.locator('[data-nav="booking"]').click();
  await page.locator('op-booking-page select').first().selectOption({ label: COURTS });
}

test('a lottery round runs from applications on the TV to confirmed winners', async ({ page, browser }) => {
  // Two pages, two card logins, a round opened, closed and drawn: a long walk on a busy machine.
  test.setTimeout(120_000);
  // The officer opens next month's round; its seed is published at once.
  const desk = await (await browser.newContext()).newPage();
  await officerConsole(desk);
  const booking = desk.locator('op-booking-page');
  const lottery = booking.locator('[data-lottery]');
  const today = japanDay(Date.now());
  const [y, m] = today.split('-').map(Number) as [number, number];
  const month = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
  await lottery.locator('input[name=month]').fill(month);
  await lottery.locator('input[name=applyUntil]').fill(japanDay(Date.now() + 5 * 86_400_000));
  await lottery.getByRole('button', { name: '受付を始める' }).click();
  await expect(booking.locator('[role=status]')).toContainText('シード（公開）', { timeout: 15_000 });
  const seed = /シード（公開）: ([0-9a-f]{64})/.exec((await booking.locator('[role=status]').textContent())!)![1]!;
  const row = lottery.locator('tr[data-round]', { hasText: month });
  const roundId = (await row.getAttribute('data-round'))!;
  // The TV offers the earliest round open: this one.
  expect(await openRound(COURTS)).toMatchObject({ id: roundId, month });

  // Three free slots of the first court in the month's third week (no 休館日, nobody's).
  const courts = await facilityId(COURTS);
  const weekFrom = `${month}-15`;
  const week = (await api<WeekGridView>('GET', `/api/v1/booking/facilities/${courts}/week?from=${weekFrom}`, device)).body;
  const unit = week.units[0]!;
  const free = unit.slots.filter((s) => s.state === 'free');
  const [a, b, c] = [free[0]!, free.find((s) => s.day !== free[0]!.day)!, free.at(-1)!];
  const choice = (s: { day: string; period: string }) => ({ unitId: unit.id, day: s.day, period: s.period });

  // 佐藤さん applies through the API for 花子's first choice, then another.
  const sato = await apiSession(driver, SATO);
  const applied = await api('POST', `/api/v1/booking/lottery/${roundId}/applications`, sato, { choices: [choice(a), choice(c)] });
  expect(applied.status, JSON.stringify(applied.body)).toBe(201);

  // 花子 on the TV, remote only: 施設予約 without a login, the courts, 抽選, two weeks on, two choices.
  await insertCard(driver, HANAKO);
  await openTv(page);
  await press(page, '5');
  await expect(view(page)).toHaveAttribute('data-view', 'facilities', { timeout: 15_000 });
  await expect.poll(async () => (await focusedKeys(page))[0] ?? '', { timeout: 15_000 }).toMatch(/^booking\/facility\//);
  await moveTo(page, `booking/facility/${courts}`);
  await press(page, 'Enter');
  await expect(view(page)).toHaveAttribute('data-view', 'week', { timeout: 15_000 });
  await press(page, '3');
  await expect(view(page)).toHaveAttribute('data-view', 'lottery', { timeout: 15_000 });
  await expect.poll(async () => (await focusedKeys(page))[0] ?? '', { timeout: 15_000 }).toMatch(new RegExp(`^booking/slot/${month}-01/`));
  await press(page, '2');
  await expect.poll(() => page.locator(`stb-tv-booking-screen [data-focus-key="booking/slot/${month}-08/${a.period}"]`).count(), { timeout: 15_000 }).toBe(1);
  await press(page, '2');
  await expect.poll(() => page.locator(`stb-tv-booking-screen [data-focus-key="booking/slot/${weekFrom}/${a.period}"]`).count(), { timeout: 15_000 }).toBe(1);
  await moveTo(page, `booking/slot/${a.day}/${a.period}`);
  await press(page, 'Enter');
  await moveTo(page, `booking/slot/${b.day}/${b.period}`);
  await press(page, 'Enter');
  const chosen = page.locator('stb-tv-booking-screen stb-tv-slot-cell[state="chosen"]');
  await expect(chosen).toHaveCount(2);
  await expect(page.locator(`stb-tv-booking-screen [data-focus-key="booking/slot/${a.day}/${a.period}"]`)).toContainText('第1希望');
  await expect(page.locator(`stb-tv-booking-screen [data-focus-key="booking/slot/${b.day}/${b.period}"]`)).toContainText('第2希望');

  // 申し込む: who applies (花子, card and PIN); what is sent is what the cells showed, in rank order.
  const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/v1/booking/lottery/${roundId}/applications`));
  await press(page, '3');
  await bookAs(page, hanakoId, HANAKO.authPin);
  expect((await sent).postDataJSON()).toEqual({ choices: [choice(a), choice(b)] });
  await expect(view(page)).toHaveAttribute('data-view', 'applied', { timeout: 15_000 });

  // The officer closes the round and draws it; the result is the pure draw of the published seed.
  await row.getByRole('button', { name: '申し込みを締め切る' }).click();
  await expect(booking.locator('[role=status]')).toContainText('申し込みを締め切りました（2件）', { timeout: 15_000 });
  await row.getByRole('button', { name: '抽選する' }).click();
  await expect(booking.locator('[role=status]')).toContainText('抽選しました。当選 2件', { timeout: 15_000 });
  const entrants: Entrant[] = [{ personId: hanakoId, choices: [choice(a), choice(b)] }, { personId: satoId, choices: [choice(a), choice(c)] }];
  const wins = draw(seed, entrants);
  // One win each whoever drew first: 花子 gets her first choice or, when 佐藤さん won it, her second.
  expect(wins.map((w) => w.personId).sort()).toEqual([hanakoId, satoId].sort());
  const hanakoWin = wins.find((w) => w.personId === hanakoId)!.choice;
  const satoWin = wins.find((w) => w.personId === satoId)!.choice;
  await row.getByRole('button', { name: 'シードから再計算して確かめる' }).click();
  await expect(row.locator('[data-replay]')).toContainText('同じ結果です（当選 2件）', { timeout: 15_000 });

  // 花子's TV: the result in お知らせ, then 予約の確認 with the won hold, confirmed with the remote.
  const inbox = await bookingToInbox(page);
  await expect(inbox.locator('[data-item]').nth(0)).toContainText('抽選に 当選しました', { timeout: 15_000 });
  await press(page, 'Backspace');
  await press(page, '8');
  await expect(view(page)).toHaveAttribute('data-view', 'facilities', { timeout: 15_000 });
  await moveTo(page, 'booking/mine');
  await press(page, 'Enter');
  await expect(view(page)).toHaveAttribute('data-view', 'mine', { timeout: 15_000 });
  await expect(page.locator('stb-tv-booking-screen [data-notice="lottery_won"]')).toContainText(noticeDay(hanakoWin.day));
  const hanakoSession = await apiSession(driver, HANAKO);
  const lotteryBookings = async (session: Record<string, string>) => (await api<MyBookingsView>('GET', '/api/v1/booking/mine', session)).body.bookings
    .filter((x) => x.source === 'lottery' && x.day.startsWith(`${month}-`) && x.state !== 'cancelled');
  const [hanakoHold] = await lotteryBookings(hanakoSession);
  expect(hanakoHold).toMatchObject({ ...hanakoWin, state: 'held' });
  await moveTo(page, `booking/mine/confirm/${hanakoHold!.id}`);
  await press(page, 'Enter');
  await expect(view(page)).toHaveAttribute('data-view', 'confirmed', { timeout: 15_000 });
  await focusLandsOn(page, 'booking/confirmed/mine');
  await expect(page.locator('stb-tv-booking-screen [data-permit-no]')).toHaveText(/^\d{4}-\d{3}-\d{3}$/);
  const permitNo = await page.locator('stb-tv-booking-screen [data-permit-no]').textContent();

  // 佐藤さん confirms his from his own session.
  const [satoHold] = await lotteryBookings(sato);
  expect(satoHold).toMatchObject({ ...satoWin, state: 'held' });
  expect((await api('POST', `/api/v1/booking/bookings/${satoHold!.id}/confirm`, sato)).status).toBe(200);

  // Exactly the drawn bookings, confirmed: one each, on the drawn slots; the choice nobody won is free.
  const hanakoNow = await lotteryBookings(hanakoSession);
  const satoNow = await lotteryBookings(sato);
  expect(hanakoNow.map((x) => ({ unitId: x.unitId, day: x.day, period: x.period, state: x.state, permitNo: x.permitNo })))
    .toEqual([{ ...hanakoWin, state: 'confirmed', permitNo }]);
  expect(satoNow.map((x) => ({ unitId: x.unitId, day: x.day, period: x.period, state: x.state })))
    .toEqual([{ ...satoWin, state: 'confirmed' }]);
  const after = (await api<WeekGridView>('GET', `/api/v1/booking/facilities/${courts}/week?from=${weekFrom}`, device)).body;
  const stateOf = (s: { day: string; period: string }) => after.units[0]!.slots.find((x) => x.day === s.day && x.period === s.period)!.state;
  const won = new Set(wins.map((w) => `${w.choice.day}/${w.choice.period}`));
  for (const s of [a, b, c]) expect(stateOf(s), `${s.day}/${s.period}`).toBe(won.has(`${s.day}/${s.period}`) ? 'taken' : 'free');
  // Leave nothing live for other tests' lists and quotas.
  expect((await api('POST', `/api/v1/booking/bookings/${hanakoHold!.id}/cancel`, hanakoSession)).status).toBe(200);
  expect((await api('POST', `/api/v1/booking/bookings/${satoHold!.id}/cancel`, sato)).status).toBe(200);
  await desk.context().close();
});
