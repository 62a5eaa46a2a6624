/**
 * `npm run bench -- tv [--presses N] [--no-build]`: the TV page's weight and its key→focus time.
 *
 * 1. Builds the UI (vite build) and sums the gzip size of every JavaScript chunk the TV page
 *    loads (its entry, the chunks that entry imports, statically or dynamically), beside the
 *    120 KB target.
 * 2. Serves dist/stb-ui on a free loopback port and opens the TV page in Chromium. On the
 *    settings grid it presses arrows and reads the `focus-moved` event's `at - keyTimeStamp`
 *    (key event → `focused` attribute moved). The p95 with the CPU throttled 4× through the
 *    DevTools protocol (Emulation.setCPUThrottlingRate) stands beside the 16 ms target, and the
 *    same figure unthrottled, measured in the same run, is the baseline for the ratio.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/browser.js';
import { fmt, median, percentile, printComparison } from './lib/stats.js';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { presses: { type: 'string', default: '200' }, 'no-build': { type: 'boolean', default: false } },
});
const PRESSES = Math.max(20, Math.min(2000, Number(values.presses) || 200));
const ROOT = resolve('dist/stb-ui');
const SIZE_TARGET_KB = 120;
const FOCUS_TARGET_MS = 16;
const THROTTLE = 4;

// ── 1. Size ──────────────────────────────────────────────────────────────────────────────────

if (!values['no-build']) {
  const built = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const tvHtml = join(ROOT, 'tv/index.html');
if (!existsSync(tvHtml)) {
  console.error(`no ${tvHtml}: run without --no-build, or npm run build:ui`);
  process.exit(1);
}

/** Every JS file the TV page loads: its module scripts and modulepreloads, then their imports, transitively. */
function tvChunks(): string[] {
  const html = readFileSync(tvHtml, 'utf8');
  const queue = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*\bhref)="([^"]+\.js)"/g)].map((m) => join(ROOT, m[1]!.replace(/^\//, '')));
  const seen = new Set<string>();
  while (queue.length) {
    const file = normalize(queue.shift()!);
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    // Rollup output: `import{…}from"./x.js"`, `import"./x.js"`, `import("./x.js")`, and the preload map's "assets/x.js".
    for (const m of code.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+\.js)["']/g)) queue.push(join(file, '..', m[1]!));
    for (const m of code.matchAll(/["'](assets\/[^"']+\.js)["']/g)) queue.push(join(ROOT, m[1]!));
  }
  return [...seen].sort();
}

const chunks = tvChunks();
let rawBytes = 0;
let gzipBytes = 0;
for (const file of chunks) {
  const bytes = readFileSync(file);
  rawBytes += bytes.length;
  gzipBytes += gzipSync(bytes, { level: 9 }).length;
}
console.log(`\ntv bench: TV page JavaScript (${chunks.length} chunk${chunks.length === 1 ? '' : 's'}: ${chunks.map((c) => c.slice(ROOT.length + 1)).join(', ')})`);
console.log(`${'raw'.padEnd(34)} ${fmt(rawBytes / 1024).padStart(14)} KB`);
const sizeOk = printComparison({
  label: 'gzip', value: gzipBytes / 1024, unit: 'KB', baselineLabel: 'target', baseline: SIZE_TARGET_KB, limit: 1, better: 'lower',
});

// ── 2. Key → focus ───────────────────────────────────────────────────────────────────────────

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

/** dist/stb-ui over HTTP; /healthz answers like the platform so the page is quiet. */
function serve(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ status: 'ok', database: { kind: 'pglite', ok: true, latencyMs: 0 } }));
    }
    let file = normalize(join(ROOT, path));
    if (!file.startsWith(ROOT)) return res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, port: (server.address() as { port: number }).port })));
}

/** Presses arrows around the settings grid; returns `at - keyTimeStamp` of each focus move, in ms. */
async function keyToFocus(page: Page, presses: number): Promise<number[]> {
  // size-large → size-xlarge → contrast-off → contrast-on → size-large …: every press moves focus.
  const cycle = ['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp'];
  await page.evaluate(() => {
    const w = window as unknown as { __moves: number[] };
    w.__moves = [];
    window.addEventListener('focus-moved', (e) => {
      if (e.detail.keyTimeStamp !== null) w.__moves.push(e.detail.at - e.detail.keyTimeStamp);
    });
  });
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press(cycle[i % cycle.length]!);
    await page.waitForFunction((n) => (window as unknown as { __moves: number[] }).__moves.length >= n, i + 1);
  }
  return page.evaluate(() => (window as unknown as { __moves: number[] }).__moves);
}

const { server, port } = await serve();
const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
const results: Record<'base' | 'throttled', number[]> = { base: [], throttled: [] };
try {
  for (const run of ['base', 'throttled'] as const) {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    // No driver listens on port 9: the page shows カードリーダーが見つかりません and keeps retrying quietly.
    await page.goto(`http://127.0.0.1:${port}/tv/?reader=${encodeURIComponent('ws://127.0.0.1:9/v1')}`);
    await page.waitForFunction(() => document.querySelector('stb-tv-app')?.shadowRoot?.querySelector('stb-tv-start-screen'));
    await page.keyboard.press('3');
    // A string, not a function: tsx would wrap a named inner function in a helper the page lacks.
    await page.waitForFunction(`(function find(root) {
      return [...root.querySelectorAll('*')].some((el) => (el.getAttribute('data-focus-key') === 'settings/size-large'
        && el.hasAttribute('focused')) || (el.shadowRoot ? find(el.shadowRoot) : false));
    })(document)`);
    const cdp = await page.context().newCDPSession(page);
    if (run === 'throttled') await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
    await keyToFocus(page, 20); // warm-up: JIT, style and layout caches
    const all = await keyToFocus(page, PRESSES);
    results[run] = all.slice(-PRESSES);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}

const base = results.base;
const slow = results.throttled;
console.log(`\nkey → focus moved (focus-moved at − key event timeStamp), ${PRESSES} arrow presses on the settings grid`);
console.log(`${'unthrottled median / p95'.padEnd(34)} ${fmt(median(base), 2).padStart(14)} / ${fmt(percentile(base, 0.95), 2)} ms`);
console.log(`${`${THROTTLE}× CPU median / p95`.padEnd(34)} ${fmt(median(slow), 2).padStart(14)} / ${fmt(percentile(slow, 0.95), 2)} ms`);
const focusOk = printComparison({
  label: `p95 at ${THROTTLE}× CPU`, value: percentile(slow, 0.95), unit: 'ms', baselineLabel: 'target', baseline: FOCUS_TARGET_MS,
  limit: 1, better: 'lower', digits: 2,
});
// The unthrottled run is the in-run baseline; sub-millisecond figures sit near the browser's
// 0.1 ms timer resolution, so the ratio is reported, not judged.
const baseP95 = percentile(base, 0.95);
console.log(`${`p95 ${THROTTLE}× CPU ÷ unthrottled`.padEnd(34)} ${fmt(percentile(slow, 0.95) / Math.max(baseP95, 0.1), 2).padStart(14)} ×  (unthrottled p95 ${fmt(baseP95, 2)} ms)`);
process.exitCode = sizeOk && focusOk ? 0 : 1;
