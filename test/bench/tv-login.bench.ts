/**
 * `npm run bench -- tv-login [--runs N] [--no-build]`: how long a resident waits for the TV to log
 * them in, in Chromium against the whole product (`npm start`: platform + reader driver with the
 * demo card bay) with the realistic card latency (READER_CARD_LATENCY=realistic: a contact card's
 * APDU timing).
 *
 * One login = ログイン pressed with 山田 太郎's card in the reader → the PIN pad ready with the tries
 * shown, plus 決定 pressed → the home screen visible. The typing in between is excluded. Times are
 * taken in the page: the key event's timeStamp to the first animation frame that shows the result.
 * Beside it, the floor: the card's own I/O, asked of the driver directly, for the card work a
 * login needs (cert.read auth, pin.status, sign) and for the part of it left after ログイン once
 * the certificate was read while the card lay in the reader (pin.status, sign); the ratios say
 * what the TV adds on top of the card. Target: p95 ≤ 1.0 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { DEMO_PEOPLE } from '../../platform/src/demo/world.js';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/browser.js';
import { registerByApi } from '../e2e/register.js';
import type { DriverClient } from '../helpers/driver-client.js';
import { buildPages, controlDriver, startProduct, stopProduct, timedRequest, whenShown } from './lib/browser-product.js';
import { fmt, median, percentile, printComparison } from './lib/stats.js';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { runs: { type: 'string', default: '20' }, 'no-build': { type: 'boolean', default: false } },
});
const RUNS = Math.max(5, Math.min(200, Number(values.runs) || 20));
const WARMUP = 2;
const TARGET_MS = 1000;
const PORT = Number(process.env.BENCH_PORT ?? 19_620);
const READER_PORT = Number(process.env.BENCH_READER_PORT ?? PORT + 1);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const TARO = DEMO_PEOPLE[0];

buildPages(values['no-build']);

/** The timeStamp of the page's last keydown (same clock as performance.now()). */
const lastKey = (page: Page) => page.evaluate(() => (window as unknown as { __lastKey: number }).__lastKey);

const focused = (key: string) => `(el) => el.getAttribute('data-focus-key') === '${key}' && el.hasAttribute('focused')`;

/** One login with the remote; returns [ログイン → PIN pad ready, 決定 → home] in ms. */
async function oneLogin(page: Page): Promise<[number, number]> {
  await page.keyboard.press('1');
  const keyLogin = await lastKey(page);
  const pinReady = await whenShown(page, `(el) => el.hasAttribute('data-tries-left') && el.getAttribute('data-tries-left') !== ''`);
  await whenShown(page, focused('pad/1'));
  for (const digit of TARO.authPin) await page.keyboard.press(digit);
  // To 決定 with the arrows (it works the same on every version of the page), then OK.
  for (const key of ['ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowRight', 'ArrowRight']) await page.keyboard.press(key);
  await whenShown(page, focused('pad/submit'));
  await page.keyboard.press('Enter');
  const keySubmit = await lastKey(page);
  const home = await whenShown(page, `(el) => el.getAttribute('data-screen') === 'home'`);
  // ログアウト (home's stable number 6), and はい where the page asks first.
  await page.keyboard.press('6');
  const asked = await page.waitForFunction(`(() => {
    const app = document.querySelector('stb-tv-app');
    const name = app?.shadowRoot?.querySelector('.canvas')?.getAttribute('data-screen-name');
    const dialog = app?.shadowRoot?.querySelector('stb-tv-home-screen')?.shadowRoot?.querySelector('stb-tv-dialog');
    return name === 'start' ? 'start' : dialog ? 'asked' : false;
  })()`, undefined, { polling: 'raf' }).then((h) => h.jsonValue());
  if (asked === 'asked') await page.keyboard.press('1');
  await whenShown(page, focused('start/login'));
  return [pinReady - keyLogin, home - keySubmit];
}

/** The card's own time for a login's card work, asked of the driver directly (no page, no platform): [all of it, without cert.read]. */
async function cardFloor(driver: DriverClient, runs: number): Promise<[number[], number[]]> {
  const all: number[] = [];
  const afterCert: number[] = [];
  const digest = 'MDEwDQYJYIZIAWUDBAIBBQAEIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  const timed = (cmd: string, params: object) => timedRequest(driver, cmd, params);
  for (let i = 0; i < runs; i++) {
    const cert = await timed('cert.read', { which: 'auth' });
    const rest = (await timed('pin.status', { key: 'auth' })) + (await timed('sign', { key: 'auth', pin: TARO.authPin, digestInfo: digest }));
    all.push(cert + rest);
    afterCert.push(rest);
  }
  return [all, afterCert];
}

const dataDir = mkdtempSync(join(tmpdir(), 'cap-bench-tv-'));
const product = await startProduct(dataDir, { port: PORT, readerPort: READER_PORT });
const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
let exitCode = 1;
try {
  const driver = await controlDriver(dataDir, READER_PORT, 'tv-login.bench');
  await registerByApi(ORIGIN, driver, TARO.id);
  const insert = await driver.request('demo.insert', { card: TARO.id });
  if (!insert.ok) throw new Error(JSON.stringify(insert.error));

  // The probes below are strings evaluated in the page, which the page's CSP (no eval) would refuse.
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, bypassCSP: true });
  await page.addInitScript(() => {
    window.addEventListener('keydown', (e) => { (window as unknown as { __lastKey: number }).__lastKey = e.timeStamp; }, true);
  });
  // The driver holds the demo TV's credential (`npm start` provisions it).
  await page.goto(`${ORIGIN}/tv/?reader=${encodeURIComponent(`ws://127.0.0.1:${READER_PORT}/v1`)}`);
  await whenShown(page, focused('start/login'));
  await whenShown(page, `(el) => el.getAttribute('data-card-status') === 'card'`);

  const pin: number[] = [];
  const submit: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const [a, b] = await oneLogin(page);
    if (i >= WARMUP) {
      pin.push(a);
      submit.push(b);
    }
  }
  const total = pin.map((a, i) => a + submit[i]!);
  const [floor, floorAfterCert] = await cardFloor(driver, RUNS);
  await driver.request('demo.remove', {});
  await driver.close();

  const row = (label: string, xs: number[]) =>
    console.log(`${label.padEnd(40)} ${fmt(median(xs), 0).padStart(8)} / ${fmt(percentile(xs, 0.95), 0).padStart(6)} ms`);
  console.log(`\ntv-login bench: ${RUNS} logins in Chromium, realistic card latency (typing excluded)        p50 / p95`);
  row('ログイン → PIN pad ready (tries shown)', pin);
  row('決定 → home visible', submit);
  row('total (what the resident waits)', total);
  row('card floor: cert.read+pin.status+sign', floor);
  row('card floor after ログイン: pin.status+sign', floorAfterCert);
  const ratio = (label: string, base: number[]) => console.log(
    `${label.padEnd(40)} ${fmt(median(total) / median(base), 2).padStart(8)} / ${fmt(percentile(total, 0.95) / percentile(base, 0.95), 2).padStart(6)} ×`);
  ratio('total ÷ whole card floor', floor);
  ratio('total ÷ card floor after ログイン', floorAfterCert);
  const ok = printComparison({ label: 'total p95', value: percentile(total, 0.95), unit: 'ms', baselineLabel: 'target', baseline: TARGET_MS, limit: 1, better: 'lower', digits: 0 });
  exitCode = ok ? 0 : 1;
} finally {
  await browser.close();
  await stopProduct(product);
  rmSync(dataDir, { recursive: true, force: true });
}
process.exitCode = exitCode;
