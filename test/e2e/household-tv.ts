import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from '@playwright/test';
import WebSocket from 'ws';
import type { DEMO_HOUSEHOLDS, DemoPerson } from '../../platform/src/demo/world.js';
import { DriverClient } from '../helpers/driver-client.js';
import { runTs, waitForOk } from '../helpers/process.js';
import { E2E_ORIGIN, E2E_READER_URL, E2E_SECOND_READER_PORT } from './product.js';

// A second household's TV beside the product's (山田さん宅's): its own reader driver, started by the
// test as `npm start` starts the product's, holding that household's TV credential and a copy of
// its members' demo cards (a card's PIN counters live in its file, so each driver has its own).

/** A reader driver of another household's set-top box, and the test's control link to its card bay. */
export interface HouseholdDriver {
  port: number;
  url: string;
  control: DriverClient;
  close(): Promise<void>;
}

/**
 * Starts the real reader driver (`reader-driver/src/main.ts --demo`) on `port` for the household:
 * its TV credential provisioned as a 0600 file, the members' cards copied from the product's demo
 * card folder, and the TV page's origin the only one that may connect and receive the credential.
 */
export async function startHouseholdDriver(
  household: (typeof DEMO_HOUSEHOLDS)[number], members: DemoPerson[], port = E2E_SECOND_READER_PORT,
): Promise<HouseholdDriver> {
  const dir = mkdtempSync(join(tmpdir(), `cap-e2e-${household.contractNo}-`));
  const cards = join(dir, 'demo-cards');
  mkdirSync(cards, { mode: 0o700 });
  for (const member of members) copyFileSync(join(process.env.E2E_DATA_DIR ?? '', 'demo-cards', `${member.id}.json`), join(cards, `${member.id}.json`));
  const credential = join(dir, 'tv-credential.json');
  writeFileSync(credential, JSON.stringify({ id: household.tv.id, secret: household.tv.secret }), { mode: 0o600, flag: 'wx' });
  const driver = runTs('reader-driver/src/main.ts', ['--demo', cards], {
    DATA_DIR: dir, READER_PORT: String(port), READER_ALLOWED_ORIGINS: E2E_ORIGIN, READER_CREDENTIAL_ORIGINS: E2E_ORIGIN,
    READER_DEVICE_CREDENTIAL_FILE: credential, READER_PCSC: 'false', READER_CARD_LATENCY: 'off', LOG_LEVEL: 'warn',
  });
  const stopped = () => new Promise<void>((resolve) => {
    if (driver.child.exitCode !== null || driver.child.signalCode !== null) return resolve();
    driver.child.once('exit', () => resolve());
    driver.child.kill('SIGTERM');
  });
  try {
    await waitForOk(`http://127.0.0.1:${port}/healthz`, 60_000, driver.child);
    const { token } = JSON.parse(readFileSync(join(dir, 'reader-driver.token'), 'utf8')) as { token: string };
    const control = await DriverClient.connect(port, null, { 'x-control-token': token });
    return {
      port, url: `ws://127.0.0.1:${port}/v1`, control,
      close: async () => {
        await control.close();
        await stopped();
      },
    };
  } catch (err) {
    await stopped();
    throw new Error(`${(err as Error).message}\n${driver.output()}`);
  }
}

/**
 * Makes the pages of `context` reach `driverUrl` where they open the product's reader URL. The TV
 * page's CSP allows the WebSocket to the configured reader port only, so the page is left as it is
 * (same URL, same CSP) and the test process relays its socket to the other driver, presenting the
 * page's origin as the browser would. The page sees the socket open once the driver has accepted it.
 */
export async function routeReaderTo(context: BrowserContext, driverUrl: string): Promise<void> {
  await context.routeWebSocket(E2E_READER_URL, async (page) => {
    const driver = new WebSocket(driverUrl, { origin: E2E_ORIGIN });
    const opened = await new Promise<boolean>((resolve) => {
      driver.once('open', () => resolve(true));
      driver.once('error', () => resolve(false));
    });
    if (!opened) return void (await page.close({ code: 1011, reason: 'reader driver unreachable' }));
    driver.on('error', () => {}); // a broken link also closes, which is relayed below
    page.onMessage((message) => driver.send(message));
    // A page may close with 1000 or 3000–4999 only; anything else (no code) closes plainly.
    page.onClose((code, reason) => driver.close(code === 1000 || (code ?? 0) >= 3000 ? code : undefined, reason));
    driver.on('message', (data, isBinary) => page.send(isBinary ? (data as Buffer) : data.toString()));
    driver.on('close', (code, reason) => void page.close({ code, reason: reason.toString() }));
  });
}
