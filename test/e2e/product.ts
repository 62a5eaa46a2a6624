import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_HOUSEHOLDS } from '../../platform/src/demo/world.js';
import { DriverClient } from '../helpers/driver-client.js';

/**
 * The product the browser tests run against: `npm start` (platform + reader driver with the demo
 * card bay) on its own ports and a throw-away data folder, started by playwright.config.ts.
 */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 18_080);
export const E2E_READER_PORT = Number(process.env.E2E_READER_PORT ?? 18_081);
export const E2E_ORIGIN = `http://127.0.0.1:${E2E_PORT}`;
/** The operator console's own origin (OPERATOR_PORT of the same platform process). */
export const E2E_OPERATOR_PORT = Number(process.env.E2E_OPERATOR_PORT ?? E2E_PORT + 2);
export const E2E_OPERATOR_ORIGIN = `http://127.0.0.1:${E2E_OPERATOR_PORT}`;
/** The shelter tablet page's own origin (SHELTER_PORT of the same platform process). */
export const E2E_SHELTER_PORT = Number(process.env.E2E_SHELTER_PORT ?? E2E_PORT + 3);
export const E2E_SHELTER_ORIGIN = `http://127.0.0.1:${E2E_SHELTER_PORT}`;
/** Drill residents (`drill-01`…) `npm start` issues cards to and registers for the shelter tests. */
export const E2E_DRILL_RESIDENTS = 24;
export const E2E_READER_URL = `ws://127.0.0.1:${E2E_READER_PORT}/v1`;
/**
 * A second household's reader driver, started by a test itself (household-tv.ts): after the ports
 * of tv-pcsc.spec's own product (E2E_PORT + 4 … + 7).
 */
export const E2E_SECOND_READER_PORT = Number(process.env.E2E_SECOND_READER_PORT ?? E2E_PORT + 10);

/** The demo TV of 山田さん宅: `npm start` provisions its credential to the reader driver. */
export const DEMO_TV = DEMO_HOUSEHOLDS[0].tv;

/** The TV page as the demo TV opens it, talking to the test's reader driver (which holds its credential). */
export function tvUrl(): string {
  return `/tv/?reader=${encodeURIComponent(E2E_READER_URL)}`;
}

/**
 * The test's own link to the reader driver as its control client (what `npm run demo` is): the
 * demo card commands refuse pages. The token is in the driver's token file in the test's data
 * folder, written when the driver starts; the retries only cover a slow machine.
 */
export async function connectDriver(): Promise<DriverClient> {
  const tokenFile = join(process.env.E2E_DATA_DIR ?? '', 'reader-driver.token');
  for (let attempt = 0; ; attempt++) {
    try {
      const { token } = JSON.parse(readFileSync(tokenFile, 'utf8')) as { token: string };
      return await DriverClient.connect(E2E_READER_PORT, null, { 'x-control-token': token });
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
