import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { DEMO_DRILL, DEMO_TABLET, DEMO_TABLET_2, drillCardId, drillName } from '../../platform/src/demo/world.js';
import type { CheckinEvent, EventBatchResult, ShelterOverview } from '../../platform/src/shelter/shelter-schemas.js';
import { uuidv7 } from '../../platform/src/shared/uuidv7.js';
import type { DriverClient } from '../helpers/driver-client.js';
import { connectDriver, E2E_DRILL_RESIDENTS, E2E_OPERATOR_ORIGIN, E2E_READER_URL, E2E_SHELTER_ORIGIN } from './product.js';

// The shelter check-in tablet in Chromium, on its own origin, against the whole product: the
// reader driver hands this origin the demo tablet's credential; staff open it with their own card;
// drill residents (registered at start, `DEMO_DRILL_RESIDENTS`) tap their virtual cards.

const STAFF = { card: 'staff-nanto-shelter', pin: '3333' };
/** 南砺市 防災課: sees the shelters and the names in the console. */
const OFFICER = { card: 'staff-nanto-disaster', pin: '2222' };
const TABLET_URL = `${E2E_SHELTER_ORIGIN}/shelter/?reader=${encodeURIComponent(E2E_READER_URL)}`;
/** The platform API as the tablet reaches it; aborting it is "the network is down" (the reader is local and stays). */
const API = `${E2E_SHELTER_ORIGIN}/api/**`;

let driver: DriverClient;
test.beforeAll(async () => {
  driver = await connectDriver();
});
test.afterAll(async () => {
  await driver.close();
});

async function card(cmd: 'demo.insert' | 'demo.remove', id?: string) {
  const answer = await driver.request(cmd, id ? { card: id } : {});
  expect(answer.ok, JSON.stringify(answer.error)).toBe(true);
}

const app = (page: Page) => page.locator('stb-shelter-app');

/** Staff open the tablet: their card in the reader, the PIN, 受付を開始; the card comes out again. */
async function openTablet(page: Page) {
  await card('demo.insert', STAFF.card);
  await page.goto(TABLET_URL);
  await app(page).locator('[data-pin]').fill(STAFF.pin);
  await app(page).locator('[data-sign-in]').click();
  await expect(app(page).getByRole('heading', { level: 1 })).toHaveText(DEMO_TABLET.shelter, { timeout: 15_000 });
  await card('demo.remove');
}

/**
 * A resident taps their card: this tap's check-in is on screen, then the card comes out. The same
 * person tapping twice leaves their name on screen from the first tap; waiting for the name alone
 * took the card out before the tablet had read it again (seen under load).
 */
async function tap(page: Page, n: number) {
  const tapped = app(page).locator('[data-tapped]');
  const before = (await tapped.count()) ? await tapped.getAttribute('data-event') : null;
  await card('demo.insert', drillCardId(n));
  if (before) await expect(tapped).not.toHaveAttribute('data-event', before, { timeout: 10_000 });
  await expect(tapped).toContainText(drillName(n), { timeout: 10_000 });
  await card('demo.remove');
}

const pending = (page: Page) => app(page).locator('[data-pending]');

/**
 * Who the tablet shows inside and outside once it has taken in the platform's view of its shelter
 * (every tablet's events there, earlier tests' too): the counts a test's own check-ins add to.
 */
async function present(page: Page): Promise<{ inside: number; outside: number }> {
  const occupancy = app(page).locator('[data-occupancy]');
  await expect(occupancy).toHaveAttribute('data-synced', /\d/, { timeout: 15_000 });
  await expect(pending(page)).toHaveAttribute('data-pending', '0');
  return { inside: Number(await occupancy.getAttribute('data-inside')), outside: Number(await occupancy.getAttribute('data-outside')) };
}

/** 南砺市 防災課 signs in to the console's 避難所 page with their card (no tablet page may be open: it would take the card). */
async function officerConsole(context: BrowserContext): Promise<Page> {
  const console = await context.newPage();
  await card('demo.insert', OFFICER.card);
  await console.goto(`${E2E_OPERATOR_ORIGIN}/operator/?reader=${encodeURIComponent(E2E_READER_URL)}#/shelters`);
  const signIn = console.locator('op-sign-in');
  await expect(signIn.locator('[data-reader="card"]')).toBeVisible({ timeout: 15_000 });
  await signIn.locator('input[name=pin]').fill(OFFICER.pin);
  await signIn.getByRole('button', { name: 'ログイン', exact: true }).click();
  await expect(console.locator('stb-operator-app [data-org]')).toHaveText('南砺市', { timeout: 15_000 });
  await card('demo.remove');
  return console;
}

/** The console's view of the demo tablet, with the staff session the tablet holds. */
async function tabletEvents(page: Page): Promise<{ events: number; inside: number }> {
  const token = await page.evaluate(() => sessionStorage.getItem('shelter-staff-token'));
  const res = await page.request.get(`${E2E_SHELTER_ORIGIN}/api/v1/console/shelters`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status()).toBe(200);
  const overview = (await res.json()) as ShelterOverview;
  const shelter = overview.shelters.find((s) => s.name === DEMO_TABLET.shelter)!;
  return { events: shelter.tablets.find((t) => t.deviceId === DEMO_TABLET.id)!.events, inside: shelter.inside };
}

test('staff open the tablet; a card tap checks in a resident, one key each the rest of the household; offline check-ins survive a reload and are sent exactly once', async ({ page, context }) => {
  test.setTimeout(120_000);
  expect(E2E_DRILL_RESIDENTS).toBeGreaterThanOrEqual(24);
  await openTablet(page);
  const before = await tabletEvents(page);
  const base = await present(page);

  // Household 1 (drill-01…04): one tap, then keys 1, 2, 3 for the other three members.
  await tap(page, 1);
  const members = app(page).locator('[data-member]');
  await expect(members).toHaveCount(3);
  for (const n of [2, 3, 4]) await expect(members.filter({ hasText: drillName(n) })).toHaveCount(1);
  for (const key of ['1', '2', '3']) await page.keyboard.press(key);
  await expect(app(page).locator('[data-people] li')).toHaveCount(base.inside + base.outside + 4);
  await expect(pending(page)).toHaveAttribute('data-pending', '0', { timeout: 15_000 });
  // A second tap of someone already here is shown as such and counted once.
  await tap(page, 1);
  await expect(app(page).locator('[data-tapped]')).toContainText('すでに受付済み');
  await expect(app(page).locator('[data-occupancy]')).toHaveAttribute('data-inside', String(base.inside + 4));
  await expect(pending(page)).toHaveAttribute('data-pending', '0', { timeout: 15_000 });
  const online = await tabletEvents(page);
  expect(online.events - before.events).toBe(5);

  // The network goes down (the platform is unreachable; the reader next to the tablet is not):
  // 20 cards are identified from the whitelist in IndexedDB and wait in the outbox.
  await context.route(API, (route) => route.abort('internetdisconnected'));
  for (let n = 5; n < 25; n++) await tap(page, n);
  await expect(pending(page)).toHaveAttribute('data-pending', '20');
  await expect(pending(page)).toHaveText('未送信 20件');
  await expect(app(page).locator('[data-occupancy]')).toHaveAttribute('data-inside', String(base.inside + 24));

  // A reload with the browser offline: the page comes from its service worker, the queue from IndexedDB.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await context.setOffline(true);
  await page.reload();
  await expect(pending(page)).toHaveAttribute('data-pending', '20');
  await expect(app(page).locator('[data-people] li')).toHaveCount(base.inside + base.outside + 24);

  // The network is back: the browser says so (`online`), the outbox drains, nothing twice.
  await context.unroute(API);
  await context.setOffline(false);
  await expect(pending(page)).toHaveAttribute('data-pending', '0', { timeout: 30_000 });
  const after = await tabletEvents(page);
  expect(after.events - online.events).toBe(20);
  expect(after.inside - online.inside).toBe(20);

  // The municipality's console shows the shelter with every one of them, once. (The tablet page
  // closes first: it would take the officer's card for a resident's tap.)
  await page.close();
  const console = await officerConsole(context);
  await expect(console.locator(`op-shelter-page [data-shelter="${DEMO_TABLET.shelter}"]`)).toHaveAttribute('data-inside', String(after.inside), { timeout: 15_000 });
});

test('an event the platform refuses (4xx) goes to the "needs attention" list, never dropped silently', async ({ page, context }) => {
  await openTablet(page);
  await context.route(`${E2E_SHELTER_ORIGIN}/api/v1/shelter/events`, (route) =>
    route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: { code: 'REQ_INVALID', message: 'invalid', ja: '内容に誤りがあります' } }) }));
  const form = app(page).locator('[data-by-name]');
  await form.locator('input[name=name]').fill('南砺　次郎');
  await form.locator('input[name=birthDate]').fill('1960-05-05');
  await form.getByRole('button', { name: '名前で受付' }).click();
  await expect(app(page).locator('[data-attention]')).toHaveAttribute('data-attention', '1', { timeout: 15_000 });
  await expect(app(page).locator('[data-attention] li')).toHaveAttribute('data-code', 'REQ_INVALID');
  await expect(pending(page)).toHaveAttribute('data-pending', '0');
});

test('without a card by name and birth date; outside (車中泊), move to another shelter, check-out; the list searches; occupancy and day/night stay on screen', async ({ page }) => {
  await openTablet(page);
  await expect(app(page).locator('[data-day-night]')).toBeVisible();
  const base = await present(page);
  const form = app(page).locator('[data-by-name]');
  for (const [name, birth] of [['名簿　一', '1950-01-01'], ['名簿　二', '1960-02-02'], ['別人　三', '1970-03-03']]) {
    await form.locator('input[name=name]').fill(name!);
    await form.locator('input[name=birthDate]').fill(birth!);
    await form.getByRole('button', { name: '名前で受付' }).click();
  }
  const occupancy = app(page).locator('[data-occupancy]');
  await expect(occupancy).toHaveAttribute('data-inside', String(base.inside + 3));
  const person = (name: string) => app(page).locator('[data-people] li', { hasText: name });

  // The same person by name again: already here, counted once.
  await form.locator('input[name=name]').fill('名簿 一');
  await form.locator('input[name=birthDate]').fill('1950-01-01');
  await form.getByRole('button', { name: '名前で受付' }).click();
  await expect(app(page).locator('[data-message]')).toContainText('すでに受付済み');
  await expect(occupancy).toHaveAttribute('data-inside', String(base.inside + 3));

  await app(page).locator('[data-search]').fill('名簿');
  await expect(app(page).locator('[data-people] li')).toHaveCount(2);
  await app(page).locator('[data-search]').fill('');

  await person('名簿　一').getByRole('button', { name: '外へ' }).click();
  await expect(occupancy).toHaveAttribute('data-inside', String(base.inside + 2));
  await expect(occupancy).toHaveAttribute('data-outside', String(base.outside + 1));
  await expect(person('名簿　一')).toContainText('（外）');

  await person('名簿　二').getByRole('button', { name: '移動' }).click();
  await person('名簿　二').locator('[data-move]').selectOption({ label: '井波総合文化センター' });
  await expect(person('名簿　二')).toHaveCount(0);

  await person('別人　三').getByRole('button', { name: '退所' }).click();
  await expect(person('別人　三')).toHaveCount(0);
  await expect(occupancy).toHaveAttribute('data-inside', String(base.inside));
  await expect(pending(page)).toHaveAttribute('data-pending', '0', { timeout: 15_000 });
  await expect(app(page).locator('[data-attention]')).toHaveCount(0);
});

test('where the municipality requires the PIN, the tablet asks the card holder for it and the card signs the check-in', async ({ page, context }) => {
  test.setTimeout(90_000);
  await page.close();
  const console = await officerConsole(context);
  const row = console.locator(`op-shelter-page [data-shelter="${DEMO_TABLET.shelter}"]`);
  // The box is checked at once; the setting is saved by the PUT that follows, so wait for it.
  const saved = console.waitForResponse((r) => r.url().endsWith('/settings') && r.request().method() === 'PUT');
  await row.locator('[data-require-pin]').check();
  expect((await saved).status()).toBe(200);
  const token = await console.evaluate(() => sessionStorage.getItem('op-console-token'));
  const shelter = (await (await console.request.get(`${E2E_OPERATOR_ORIGIN}/api/v1/console/shelters`, { headers: { authorization: `Bearer ${token}` } })).json() as ShelterOverview)
    .shelters.find((s) => s.name === DEMO_TABLET.shelter)!;
  expect(shelter.requirePin).toBe(true);
  await console.close();
  try {
    const tablet = await context.newPage();
    await openTablet(tablet);
    await card('demo.insert', drillCardId(1));
    const ask = app(tablet).locator('[data-card-pin]');
    await expect(ask).toContainText(drillName(1));
    await ask.getByLabel('暗証番号').fill(DEMO_DRILL.authPin);
    await ask.getByRole('button', { name: '受付', exact: true }).click();
    await expect(app(tablet).locator('[data-tapped]')).toContainText(drillName(1));
    await card('demo.remove');
    await expect(pending(tablet)).toHaveAttribute('data-pending', '0', { timeout: 15_000 });
    await expect(app(tablet).locator('[data-attention]')).toHaveCount(0);
  } finally {
    await context.request.put(`${E2E_OPERATOR_ORIGIN}/api/v1/console/shelters/${shelter.id}/settings`, { headers: { authorization: `Bearer ${token}` }, data: { requirePin: false } });
  }
});

test("two tablets at one shelter show the same people; the console shows check-ins live (not by its poll) and each tablet's events waiting", async ({ page, context }) => {
  test.setTimeout(150_000);
  // The console first (the officer's card must be out before a tablet page opens), its fallback
  // poll pushed an hour away, and every GET of the overview counted: what it shows must be pushed.
  await page.close();
  const console = await officerConsole(context);
  await console.evaluate(() => { (customElements.get('op-shelter-page') as unknown as { pollMs: number }).pollMs = 3_600_000; });
  await console.locator('[data-nav="home"]').click();
  const loaded = console.waitForResponse((r) => r.request().method() === 'GET' && new URL(r.url()).pathname === '/api/v1/console/shelters');
  await console.locator('[data-nav="shelters"]').click();
  await loaded;
  const row = console.locator(`op-shelter-page [data-shelter="${DEMO_TABLET.shelter}"]`);
  await expect(row).toBeVisible({ timeout: 15_000 });
  let polled = 0;
  console.on('request', (r) => { if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/v1/console/shelters') polled++; });

  const tablet = await context.newPage();
  await openTablet(tablet);
  const base = await present(tablet);
  await expect(row).toHaveAttribute('data-inside', String(base.inside), { timeout: 10_000 });

  // The second desk (its own credential, the same staff session) checks someone in.
  const token = await tablet.evaluate(() => sessionStorage.getItem('shelter-staff-token'));
  const second = { 'x-device': `${DEMO_TABLET_2.id}:${DEMO_TABLET_2.secret}`, authorization: `Bearer ${token}`, 'x-outbox-waiting': '5' };
  const event: CheckinEvent = { eventId: uuidv7(), sequence: Date.now(), occurredAt: new Date().toISOString(), kind: 'checkin', subject: { method: 'name', name: '二台目　受付', birthDate: '1955-05-05' } };
  const res = await tablet.request.post(`${E2E_SHELTER_ORIGIN}/api/v1/shelter/events`, { headers: second, data: { events: [event] } });
  expect(res.status()).toBe(200);
  expect(((await res.json()) as EventBatchResult).results[0]!.status).toBe('recorded');
  // This tablet takes the platform's view in (its heartbeat), and the console has it pushed.
  await expect(app(tablet).locator('[data-people] li', { hasText: '二台目　受付' })).toHaveCount(1, { timeout: 25_000 });
  await expect(app(tablet).locator('[data-occupancy]')).toHaveAttribute('data-inside', String(base.inside + 1));
  await expect(row).toHaveAttribute('data-inside', String(base.inside + 1), { timeout: 10_000 });
  await expect(row.locator(`[data-tablet="${DEMO_TABLET_2.label}"]`)).toHaveAttribute('data-waiting', '5');

  // The platform turns this tablet's uploads away (503) but answers its heartbeat: the console
  // shows the two check-ins waiting on it, then none once they are sent.
  await context.route(`${E2E_SHELTER_ORIGIN}/api/v1/shelter/events`, (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{}' }));
  const form = app(tablet).locator('[data-by-name]');
  for (const [name, birth] of [['待機　一', '1961-01-01'], ['待機　二', '1962-02-02']]) {
    await form.locator('input[name=name]').fill(name!);
    await form.locator('input[name=birthDate]').fill(birth!);
    await form.getByRole('button', { name: '名前で受付' }).click();
    await expect(app(tablet).locator('[data-people] li', { hasText: name! })).toHaveCount(1);
  }
  await expect(pending(tablet)).toHaveAttribute('data-pending', '2');
  await expect(row.locator(`[data-tablet="${DEMO_TABLET.label}"]`)).toHaveAttribute('data-waiting', '2', { timeout: 25_000 });
  await expect(row).toHaveAttribute('data-inside', String(base.inside + 1));

  await context.unroute(`${E2E_SHELTER_ORIGIN}/api/v1/shelter/events`);
  await expect(pending(tablet)).toHaveAttribute('data-pending', '0', { timeout: 30_000 });
  await expect(row).toHaveAttribute('data-inside', String(base.inside + 3), { timeout: 10_000 });
  await expect(row.locator(`[data-tablet="${DEMO_TABLET.label}"]`)).toHaveAttribute('data-waiting', '0', { timeout: 10_000 });
  expect(polled).toBe(0);
});
