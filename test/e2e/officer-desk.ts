import { expect, type Browser, type Page } from '@playwright/test';
import type { DriverClient } from '../helpers/driver-client.js';
import { E2E_OPERATOR_ORIGIN, E2E_READER_URL } from './product.js';

// A disaster officer's desk in the operator console (issue 13 §3), for the browser tests that
// compose alerts or watch their funnel.

export interface Officer {
  card: string;
  pin: string;
  org: string;
}

export const COMPOSER: Officer = { card: 'staff-nanto-disaster', pin: '2222', org: '南砺市' };
export const APPROVER: Officer = { card: 'staff-nanto-disaster2', pin: '2323', org: '南砺市' };
const consoleUrl = `${E2E_OPERATOR_ORIGIN}/operator/?reader=${encodeURIComponent(E2E_READER_URL)}`;

export async function card(driver: DriverClient, cmd: 'demo.insert' | 'demo.remove', id?: string): Promise<void> {
  const answer = await driver.request(cmd, id ? { card: id } : {});
  expect(answer.ok, JSON.stringify(answer.error)).toBe(true);
}

/** A desk of its own (a browser context), signed in with the officer's card and PIN, on the alerts page. */
export async function officerDesk(browser: Browser, driver: DriverClient, who: Officer): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await card(driver, 'demo.insert', who.card);
  await page.goto(consoleUrl);
  const signInBox = page.locator('op-sign-in');
  await expect(signInBox.locator('[data-reader="card"]')).toBeVisible({ timeout: 15_000 });
  await signInBox.locator('input[name=pin]').fill(who.pin);
  await signInBox.getByRole('button', { name: 'ログイン', exact: true }).click();
  await expect(page.locator('stb-operator-app [data-org]')).toHaveText(who.org, { timeout: 15_000 });
  await card(driver, 'demo.remove');
  await page.locator('[data-nav="alerts"]').click();
  await expect(page.locator('op-alerts-page [data-queue]')).toBeVisible();
  return page;
}

/** The funnel of one alert on the desk's alerts page ("届いた状況"). */
export async function openFunnel(desk: Page, alertId: string) {
  await desk.locator(`op-alerts-page tr[data-alert="${alertId}"]`).getByRole('button', { name: '届いた状況' }).click();
  const funnel = desk.locator(`op-alert-funnel [data-funnel="${alertId}"]`);
  await expect(funnel).toBeVisible();
  return funnel;
}
