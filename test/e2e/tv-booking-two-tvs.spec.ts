import { expect, test, type Page, type Route } from '@playwright/test';
import type { MyBookingsView } from '../../platform/src/booking/booking-schemas.js';
import { DEMO_HOUSEHOLDS, DEMO_STAFF, type DemoPerson } from '../../platform/src/demo/world.js';
import type { DriverClient } from '../helpers/driver-client.js';
import { freeSlot, toSlot, type FreeSlot } from './booking-slots.js';
import { consoleSession } from './console-session.js';
import { routeReaderTo, startHouseholdDriver, type HouseholdDriver } from './household-tv.js';
import { connectDriver, E2E_OPERATOR_ORIGIN, E2E_ORIGIN } from './product.js';
import { press } from './remote.js';
import { api, apiSession, focusLandsOn, insertCard, logInWithRemote, openTv, person, register } from './tv-session.js';

// Issue 16, Done when: two TVs race for the same slot and exactly one gets it, the other is told
// plainly. 山田さん宅's TV (the product's reader driver) and 佐藤さん宅's (a second real reader driver
// with that household's TV credential and 一郎's card, which the test starts) each log in with
// their own card and move to the same free slot with the remote; OK is pressed on both at once,
// and both hold requests are let through to the platform only when both have been sent, so the
// database, not the order of arrival, decides. One TV shows the hold, the other the plain 409
// screen with 空いたら知らせる; the facility staff's board lists exactly one live booking there.

const TARO = person('yamada-taro');
const ICHIRO = person('sato-ichiro');
const SATO_HOME = DEMO_HOUSEHOLDS.find((h) => h.contractNo === ICHIRO.household)!;
const FACILITY_STAFF = DEMO_STAFF.find((s) => s.card === 'staff-nanto-facilities')!;
const FACILITY = '城端公民館 会議室';

let yamada: DriverClient;
let sato: HouseholdDriver | undefined;
let staff: Record<string, string>;
/** Slots already used by a test of this run. */
const used = new Set<string>();

test.beforeAll(async () => {
  // A second reader driver's start and two registrations: slow on a busy 2-core machine.
  test.setTimeout(120_000);
  yamada = await connectDriver();
  await yamada.request('hello', { client: 'tv-booking-two-tvs.spec' });
  await register(yamada, TARO);
  staff = await consoleSession(yamada, FACILITY_STAFF);
  sato = await startHouseholdDriver(SATO_HOME, [ICHIRO]);
  await sato.control.request('hello', { client: 'tv-booking-two-tvs.spec' });
  await register(sato.control, ICHIRO);
});
test.afterAll(async () => {
  await yamada?.request('demo.remove', {});
  await yamada?.close();
  await sato?.close();
});

const view = (page: Page) => page.locator('stb-tv-booking-screen [data-screen="booking"]');

/** A route handler that keeps each request until `count` have come, then lets them all go at once. */
function allAtOnce(count: number) {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return async (route: Route) => {
    if (++arrived === count) release();
    await all;
    await route.continue();
  };
}

/** The live (held or confirmed) bookings of the slot, as the facility staff's board lists them. */
async function liveOnBoard(slot: FreeSlot) {
  const res = await fetch(`${E2E_OPERATOR_ORIGIN}/api/v1/console/booking/board?from=${slot.day}`, { headers: staff });
  expect(res.status).toBe(200);
  const board = await res.json() as { facilities: { id: string; bookings: { id: string; unitId: string; day: string; period: string; state: string }[] }[] };
  return board.facilities.find((f) => f.id === slot.facilityId)!.bookings.filter((b) => b.unitId === slot.unitId && b.day === slot.day && b.period === slot.period);
}

test('two TVs press OK on the same free slot at once: exactly one holds it, the other is told plainly', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const slot = await freeSlot(FACILITY, used);
  // 佐藤さん宅's TV: its own browser, the same TV page (same reader URL, same CSP), its socket
  // reaching 佐藤さん宅's reader driver.
  const satoContext = await browser.newContext({ baseURL: E2E_ORIGIN, viewport: { width: 1920, height: 1080 } });
  try {
    await routeReaderTo(satoContext, sato!.url);
    const tvs: { page: Page; who: DemoPerson; driver: DriverClient; errors: string[] }[] = [
      { page, who: TARO, driver: yamada, errors: [] },
      { page: await satoContext.newPage(), who: ICHIRO, driver: sato!.control, errors: [] },
    ];
    for (const tv of tvs) {
      tv.page.on('pageerror', (e) => tv.errors.push(e.message));
      await insertCard(tv.driver, tv.who);
      await openTv(tv.page);
      await logInWithRemote(tv.page, tv.who);
      await press(tv.page, '8');
      await expect(view(tv.page)).toHaveAttribute('data-view', 'facilities', { timeout: 15_000 });
      await toSlot(tv.page, slot);
      await expect(tv.page.locator('stb-tv-booking-screen stb-tv-slot-cell[focused]')).toHaveAttribute('state', 'free');
    }

    const together = allAtOnce(tvs.length);
    for (const tv of tvs) await tv.page.context().route('**/api/v1/booking/holds', together);
    await Promise.all(tvs.map((tv) => tv.page.keyboard.press('Enter')));
    for (const tv of tvs) await expect(view(tv.page)).toHaveAttribute('data-view', /^(held|taken)$/, { timeout: 15_000 });
    const views = await Promise.all(tvs.map((tv) => view(tv.page).getAttribute('data-view')));
    expect([...views].sort()).toEqual(['held', 'taken']);
    const winner = tvs[views.indexOf('held')]!;
    const loser = tvs[views.indexOf('taken')]!;
    test.info().annotations.push({ type: 'winner', description: winner.who.id });

    // The winner holds it, with the time left shown.
    await focusLandsOn(winner.page, 'booking/held/confirm');
    expect(Number(await winner.page.locator('stb-tv-booking-screen [data-hold-left]').getAttribute('data-hold-left'))).toBeGreaterThan(25 * 60);
    // The other is told in plain Japanese that someone was first, that no slot is ever booked
    // twice, and is offered another slot (where focus lands) or 空いたら知らせる.
    await focusLandsOn(loser.page, 'booking/taken/other');
    await expect(view(loser.page)).toContainText('この 枠は 予約できませんでした');
    const told = loser.page.locator('stb-tv-booking-screen [data-panel="taken"]');
    await expect(told).toContainText('ほかの方が先に予約しました');
    await expect(told).toContainText('二人の 予約が 入る ことは ありません');
    await expect(loser.page.locator('stb-tv-booking-screen [data-focus-key="booking/taken/wait"]')).toContainText('空いたら知らせる');

    // The platform: exactly one live booking of the slot, the winner's hold; the loser has none there.
    const live = await liveOnBoard(slot);
    expect(live.map((b) => b.state)).toEqual(['held']);
    const sessions = await Promise.all(tvs.map((tv) => apiSession(tv.driver, tv.who)));
    const here = await Promise.all(sessions.map(async (session) => (await api<MyBookingsView>('GET', '/api/v1/booking/mine', session)).body.bookings
      .filter((b) => b.unitId === slot.unitId && b.day === slot.day && b.period === slot.period && (b.state === 'held' || b.state === 'confirmed'))));
    expect(here[tvs.indexOf(winner)]!.map((b) => b.id)).toEqual([live[0]!.id]);
    expect(here[tvs.indexOf(loser)]).toEqual([]);
    // Leave nothing live for the next run's lists.
    expect((await api('POST', `/api/v1/booking/bookings/${live[0]!.id}/cancel`, sessions[tvs.indexOf(winner)]!)).status).toBe(200);

    for (const tv of tvs) expect(tv.errors).toEqual([]);
  } finally {
    await satoContext.close();
  }
});
