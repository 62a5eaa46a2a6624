import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './browser.js';

// One platform for the whole browser run, on its own port and a throw-away data folder (or on the
// PostgreSQL database named by DATABASE_URL, when the suite runs at scale).
const PORT = Number(process.env.E2E_PORT ?? 18_080);
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
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    viewport: { width: 1920, height: 1080 },
    launchOptions: { executablePath: chromiumPath(), args: CHROMIUM_ARGS },
    screenshot: 'only-on-failure',
    trace: 'off',
  },
  webServer: {
    command: 'node_modules/.bin/tsx platform/src/main.ts',
    cwd: '../..',
    url: `http://127.0.0.1:${PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: { PORT: String(PORT), DATA_DIR: process.env.E2E_DATA_DIR, LOG_LEVEL: 'warn', SEED_DEMO: 'true' },
  },
});
