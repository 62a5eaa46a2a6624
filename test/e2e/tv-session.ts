import { expect, type Page } from '@playwright/test';
import { DEMO_HOUSEHOLDS, DEMO_PEOPLE, type DemoPerson } from '../../platform/src/demo/world.js';
import type { DriverClient } from '../helpers/driver-client.js';
import { E2E_ORIGIN, tvUrl } from './product.js';
import { focusedKeys, press } from './remote.js';

// What the TV tests need besides the remote: a demo person registered (through the platform API,
// the card signing in the test's reader driver, as the TV would), and a login with the remote.

export type DemoTv = (typeof DEMO_HOUSEHOLDS)[number]['tv'];

/** The demo TV of the person's household. */
export function tvOf(person: DemoPerson): DemoTv {
  return DEMO_HOUSEHOLDS.find((h) => h.contractNo === person.household)!.tv;
}

export const person = (id: DemoPerson['id']): DemoPerson => DEMO_PEOPLE.find((p) => p.id === id)!;

const DISTRICT: Record<string, string> = { 'CATV-0001': 'johana', 'CATV-0002': 'inami' };

async function api<T = Record<string, any>>(method: string, path: string, auth: Record<string, string>, body?: object): Promise<{ status: number; body: T }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(`${E2E_ORIGIN}${path}`, {
    method, headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

const deviceAuth = (tv: DemoTv) => ({ authorization: `Device ${tv.id}:${tv.secret}` });

async function cardSigns(driver: DriverClient, key: 'auth' | 'sign', pin: string, digestInfo: string) {
  const answer = await driver.request('sign', { key, pin, digestInfo, withCertificate: true });
  expect(answer.ok, JSON.stringify(answer.error)).toBe(true);
  return answer.result as { signature: string; certificate: string };
}

/** Puts the person's card in the demo bay. */
export async function insertCard(driver: DriverClient, who: DemoPerson): Promise<void> {
  const answer = await driver.request('demo.insert', { card: who.id });
  expect(answer.ok, JSON.stringify(answer.error)).toBe(true);
}

/** Registers (or registers again: it is idempotent) the person with their household's TV. Leaves their card in. */
export async function register(driver: DriverClient, who: DemoPerson): Promise<string> {
  const tv = tvOf(who);
  await insertCard(driver, who);
  const draft = await api('POST', '/api/v1/registrations/drafts', deviceAuth(tv), { district: DISTRICT[who.household] });
  expect(draft.status, JSON.stringify(draft.body)).toBe(201);
  const sign = await cardSigns(driver, 'sign', who.signPin, draft.body.sign.digestInfo);
  const auth = await cardSigns(driver, 'auth', who.authPin, draft.body.auth.digestInfo);
  const submitted = await api('POST', '/api/v1/registrations', deviceAuth(tv), {
    draftId: draft.body.draftId, signCertificate: sign.certificate, signSignature: sign.signature, authCertificate: auth.certificate, authSignature: auth.signature,
  });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const confirmed = await api('POST', `/api/v1/registrations/${submitted.body.registrationId}/confirm`, deviceAuth(tv), {});
  expect(confirmed.status).toBe(201);
  return confirmed.body.personId;
}

/** A session of the person made by the test itself (with their card in the bay): the headers of its requests. */
export async function apiSession(driver: DriverClient, who: DemoPerson): Promise<Record<string, string>> {
  const tv = tvOf(who);
  await insertCard(driver, who);
  const nonce = await api('POST', '/api/v1/nonces', deviceAuth(tv), { purpose: 'login' });
  const signed = await cardSigns(driver, 'auth', who.authPin, nonce.body.digestInfo);
  const session = await api('POST', '/api/v1/sessions', deviceAuth(tv), { nonce: nonce.body.nonce, ...signed });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  return { authorization: `Bearer ${session.body.token}`, 'x-device': `${tv.id}:${tv.secret}` };
}

export { api };

/** Cancels the person's registration through the API (their card asked again), if they are registered. */
export async function unregister(driver: DriverClient, who: DemoPerson): Promise<void> {
  const tv = tvOf(who);
  await insertCard(driver, who);
  const nonce = await api('POST', '/api/v1/nonces', deviceAuth(tv), { purpose: 'login' });
  const signed = await cardSigns(driver, 'auth', who.authPin, nonce.body.digestInfo);
  const session = await api('POST', '/api/v1/sessions', deviceAuth(tv), { nonce: nonce.body.nonce, ...signed });
  if (session.body?.error?.code === 'AUTH_NOT_REGISTERED') return;
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  const headers = { authorization: `Bearer ${session.body.token}`, 'x-device': `${tv.id}:${tv.secret}` };
  const again = await api('POST', '/api/v1/nonces', deviceAuth(tv), { purpose: 'unregister' });
  const card = await cardSigns(driver, 'auth', who.authPin, again.body.digestInfo);
  const done = await api('DELETE', '/api/v1/me/registration', headers, { nonce: again.body.nonce, ...card });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
}

/** Waits until the focus settles on `key` (after an asynchronous step: card, platform). */
export async function focusLandsOn(page: Page, key: string): Promise<void> {
  await expect.poll(() => focusedKeys(page), { timeout: 15_000 }).toEqual([key]);
}

/**
 * Picks who books in the booking's who-list, then types their auth PIN: the list opens on the
 * household's first member — whoever another spec registered first — so move to `personId`.
 */
export async function bookAs(page: Page, personId: string, authPin: string): Promise<void> {
  await expect.poll(async () => (await focusedKeys(page))[0] ?? '', { timeout: 15_000 }).toMatch(/^booking-who\//);
  await moveTo(page, `booking-who/${personId}`);
  await press(page, 'Enter');
  await typePin(page, authPin);
}

/** Moves focus to `target` with the arrows only: rows first, then along the row. */
export async function moveTo(page: Page, target: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const [current] = await focusedKeys(page);
    if (current === target) return;
    const [from, to] = await Promise.all([current, target].map((k) => page.locator(`[data-focus-key="${k}"]`).boundingBox()));
    const fy = from!.y + from!.height / 2;
    const ty = to!.y + to!.height / 2;
    const key = Math.abs(ty - fy) > from!.height / 2 ? (ty > fy ? 'ArrowDown' : 'ArrowUp') : to!.x > from!.x ? 'ArrowRight' : 'ArrowLeft';
    await press(page, key);
  }
  throw new Error(`could not reach ${target}`);
}

/**
 * Opens the TV page at the start screen (settings as given, else the defaults). It is 山田さん宅's
 * TV: the test's reader driver holds that TV's credential.
 */
export async function openTv(page: Page, settings: Record<string, unknown> | null = null): Promise<void> {
  await page.addInitScript((saved) => {
    if (!location.protocol.startsWith('http')) return;
    if (saved) localStorage.setItem('stb-tv-settings', saved);
    else localStorage.removeItem('stb-tv-settings');
  }, settings ? JSON.stringify(settings) : null);
  await page.goto(tvUrl());
  await focusLandsOn(page, 'start/login');
}

/** From the start screen, with the person's card in: ログイン, the PIN with the number keys, 決定 → home. */
export async function logInWithRemote(page: Page, who: DemoPerson): Promise<void> {
  await expect(page.locator('stb-tv-start-screen [data-card-status]')).toHaveAttribute('data-card-status', 'card', { timeout: 15_000 });
  await press(page, '1');
  await typePin(page, who.authPin);
  await expect(page.locator('stb-tv-home-screen [data-screen="home"]')).toBeVisible({ timeout: 15_000 });
}

/** On the A–Z/0–9 keyboard: digits with the number keys, letters with the arrows and OK (no 決定). */
export async function typeOnKeyboard(page: Page, text: string): Promise<void> {
  for (const c of text) {
    if (/\d/.test(c)) await press(page, c);
    else {
      await moveTo(page, `kbd/${c}`);
      await press(page, 'Enter');
    }
  }
}

/** On the 4-digit pad: the digits with the number keys, then 決定 with the arrows and OK. */
export async function typePin(page: Page, pin: string): Promise<void> {
  await expect(page.locator('stb-tv-flow-screen [data-step="pin-auth"]')).toBeAttached({ timeout: 15_000 });
  await expect.poll(() => focusedKeys(page)).toEqual(['pad/1']);
  for (const digit of pin) await press(page, digit);
  await moveTo(page, 'pad/submit');
  await press(page, 'Enter');
}
