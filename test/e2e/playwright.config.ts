import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './browser.js';
import { E2E_DRILL_RESIDENTS, E2E_OPERATOR_PORT, E2E_ORIGIN, E2E_PORT, E2E_READER_PORT, E2E_SHELTER_PORT } from './product.js';

// The whole product (`npm start`: platform + reader driver with the demo card bay) for the whole
// browser run, on its own ports and a throw-away data folder (or on the PostgreSQL database named
// by DATABASE_URL, when the suite runs at scale).
process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'cap-e2e-'));

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: '../../test-results/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  forbidOnly: !!process.env.CI,
  reporter: process.env.TEST_REPORT_DIR
    ? [['list'], ['json', { outputFile: join(process.env.TEST_REPORT_DIR, 'e2e.json') }]]
    : 'list',
  use: {
    baseURL: E2E_ORIGIN,
    browserName: 'chromium',
    viewport: { width: 1920, height: 1080 },
    launchOptions: { executablePath: chromiumPath(), args: CHROMIUM_ARGS },
    screenshot: 'only-on-failure',
    trace: 'off',
  },
  webServer: {
    command: 'node_modules/.bin/tsx platform/src/cli/start-all.ts',
    cwd: '../..',
    // The reader driver starts after the platform is up: its health means the whole product is.
    url: `http://127.0.0.1:${E2E_READER_PORT}/healthz`,
    reuseExistingServer: false,
    // A fresh data folder: the dev JPKI center makes every demo card's keys first (the 24 drill
    // residents' too), which takes a minute or more on a busy 2-core machine.
    timeout: 180_000,
    env: {
      PORT: String(E2E_PORT),
      OPERATOR_PORT: String(E2E_OPERATOR_PORT),
      SHELTER_PORT: String(E2E_SHELTER_PORT),
      // Twenty registered residents with cards for the shelter tablet's offline check-ins.
      DEMO_DRILL_RESIDENTS: String(E2E_DRILL_RESIDENTS),
      READER_PORT: String(E2E_READER_PORT),
      DATA_DIR: process.env.E2E_DATA_DIR,
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'true',
      // The browser tests drive the card flows; the realistic card latency only slows them down.
      READER_CARD_LATENCY: 'off',
      // The pcscd readers belong to the PC/SC integration tests, which may run at the same time.
      READER_PCSC: 'false',
    },
  },
});
