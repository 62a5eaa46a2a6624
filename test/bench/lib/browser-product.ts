import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { DriverClient } from '../../helpers/driver-client.js';

/**
 * The harness of the browser benches (tv-login, checkin): the whole product as `npm start` runs it
 * on the bench's own ports, with the realistic card latency, and probes timed in the page.
 */
export interface BenchPorts { port: number; readerPort: number }

/** Builds the pages (vite) unless told not to. */
export function buildPages(skip: boolean): void {
  if (skip) return;
  const built = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

/** `npm start` on the bench's ports and a throw-away data folder, with the realistic card latency; `env` adds to it. */
export async function startProduct(dataDir: string, { port, readerPort }: BenchPorts, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'platform/src/cli/start-all.ts'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env, PORT: String(port), OPERATOR_PORT: String(port + 2), SHELTER_PORT: String(port + 3), READER_PORT: String(readerPort), DATA_DIR: dataDir, SEED_DEMO: 'true',
      READER_CARD_LATENCY: 'realistic', READER_PCSC: 'false', LOG_LEVEL: 'warn', DATABASE_URL: '', ...env,
    },
  });
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const up = await fetch(`http://127.0.0.1:${readerPort}/healthz`).then((r) => r.ok, () => false);
    if (up) return child;
    if (child.exitCode !== null) throw new Error(`the product stopped (${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGTERM');
  throw new Error(`the product did not start within ${timeoutMs / 1000} s`);
}

export async function stopProduct(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** The bench's own link as the driver's control client (the demo card commands refuse pages). */
export async function controlDriver(dataDir: string, readerPort: number, client: string): Promise<DriverClient> {
  const { token } = JSON.parse(readFileSync(join(dataDir, 'reader-driver.token'), 'utf8')) as { token: string };
  const driver = await DriverClient.connect(readerPort, null, { 'x-control-token': token });
  await driver.request('hello', { client });
  return driver;
}

/**
 * Resolves once `test` (evaluated in the page every animation frame, across shadow roots) holds;
 * returns `clock` of that frame, evaluated in the page (performance.now() by default).
 */
export function whenShown(page: Page, test: string, clock = 'performance.now()'): Promise<number> {
  return page.waitForFunction(`(() => {
    const found = (root) => [...root.querySelectorAll('*')].some((el) => (${test})(el) || (el.shadowRoot ? found(el.shadowRoot) : false));
    return found(document) ? ${clock} : false;
  })()`, undefined, { polling: 'raf', timeout: 30_000 }).then((h) => h.jsonValue() as Promise<number>);
}

/** The time a driver request takes, ms; throws on a refusal. */
export async function timedRequest(driver: DriverClient, cmd: string, params: object): Promise<number> {
  const t0 = performance.now();
  const answer = await driver.request(cmd, params as Record<string, unknown>);
  if (!answer.ok) throw new Error(`${cmd}: ${JSON.stringify(answer.error)}`);
  return performance.now() - t0;
}
