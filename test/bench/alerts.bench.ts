/**
 * `npm run bench -- alerts [--tvs 20000] [--platforms 1|2] [--workers 2]`: one evacuation order
 * reaching a whole town's TVs (issue 13 §5). The town (`populateTown`) has --tvs homes, each with a
 * TV and two named members (greeted by name, as in a real town); the simulated TVs
 * (test/bench/lib/alert-tvs-worker.ts, in processes of their own) hold real WebSockets to the
 * platform's alert channel, authenticated with their device credentials. One Actual alert for the
 * whole municipality is published (ingestAlert: parse, store, target, NOTIFY); printed: time from
 * publishing to 50 / 99 / 100 % of the TVs having it (delivered) and having shown it (displayed:
 * one event-loop turn later, as a page would), and to every receipt being stored. Beside it, the
 * floor: bare `ws` servers (as many processes as platform processes, the connections split alike:
 * test/bench/lib/alert-bare-worker.ts) sending the same payload to the same number of connections
 * from the same workers, in the same run; the TVs answer it exactly as they answer the platform
 * (so that the ratio measures the servers, not the simulator: alert-tvs-worker.ts). Targets: p99
 * delivered ≤ 1 s, ratio ≤ 2, all receipts stored ≤ 5 s.
 *
 * --platforms 2 (needs DATABASE_URL: PostgreSQL) runs a second platform process on the same
 * database; the TVs are split between the two, and each learns of the alert by NOTIFY.
 * A process holds one descriptor per socket: with the usual hard limit of 20,000 (`ulimit -Hn`),
 * one platform process cannot hold 20,000 TVs; the bench then says so and takes what fits.
 * --profile FILE.cpuprofile: the (first) platform process under the V8 profiler from publishing
 * until every receipt is stored, summarised by package.
 * --resume: then the end of a power cut (issue 13 §4): every TV goes off, an Update replaces the
 * alert meanwhile, and all the TVs connect again at once, each saying it holds the old alert;
 * printed: time from the first reconnecting to 50 / 99 / 100 % of the TVs having the Update, beside
 * the same connections opened at once to the bare servers, each sent the payload on connecting.
 */
import { fork, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { count, eq } from 'drizzle-orm';
import { ingestAlert } from '../../platform/src/alerts/ingest.js';
import { parseAlertDocument } from '../../platform/src/alerts/parse.js';
import { alertReceipts } from '../../platform/src/alerts/schema.js';
import { buildApp } from '../../platform/src/app.js';
import { loadConfig } from '../../platform/src/config.js';
import { populateTown, townMembers } from '../../platform/src/demo/populate.js';
import { seedDemoWorld } from '../../platform/src/demo/seed.js';
import { initCenter } from '../../platform/src/jpki/dev-center/index.js';
import { createJpkiContext } from '../../platform/src/jpki/index.js';
import { capXml } from '../helpers/cap-messages.js';
import { freshDatabase, TEST_DATABASE_URL } from '../helpers/database.js';
import type { BareCommand, BareReport } from './lib/alert-bare-worker.js';
import type { WorkerCommand, WorkerReport } from './lib/alert-tvs-worker.js';
import { Profiler, summariseProfile } from './lib/cpu-profile.js';
import { fmt, percentile, printComparison } from './lib/stats.js';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    tvs: { type: 'string', default: '20000' }, platforms: { type: 'string', default: '1' }, workers: { type: 'string', default: '2' }, profile: { type: 'string' },
    resume: { type: 'boolean', default: false },
  },
});
const PLATFORMS = values.platforms === '2' ? 2 : 1;
const WORKERS = Math.max(1, Math.min(8, Number(values.workers) || 2));
const PORT = Number(process.env.BENCH_PORT ?? 19_110);
if (PLATFORMS === 2 && !TEST_DATABASE_URL) {
  console.error('--platforms 2 needs PostgreSQL: DATABASE_URL=postgres://… npm run bench -- alerts --platforms 2');
  process.exit(2);
}

/** Descriptors a process may hold (the hard limit cannot be raised without privileges). */
const fdLimit = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 1024;
const asked = Math.max(1, Number(values.tvs) || 20_000);
// Room for the database, the listeners and the workers' pipes beside the sockets.
const perProcess = fdLimit - 300;
const TVS = Math.min(asked, perProcess * PLATFORMS, perProcess * WORKERS);
if (TVS < asked) {
  console.log(`note: ${fmt(asked, 0)} TVs need ${fmt(Math.ceil(asked / PLATFORMS), 0)} sockets in one platform process; the descriptor limit is ${fdLimit} (ulimit -n, hard limit too): running ${fmt(TVS, 0)} TVs`);
}

const now = () => performance.timeOrigin + performance.now();
const closers: (() => Promise<unknown>)[] = [];

function startWorker(): ChildProcess {
  return fork(join(import.meta.dirname, 'lib/alert-tvs-worker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}
/** Sends a child process a command and waits for its answer of kind `done`. */
function request<R extends { done: string }, T extends R['done']>(child: ChildProcess, cmd: object, done: T): Promise<Extract<R, { done: T }>> {
  return new Promise((resolve) => {
    const on = (m: R) => {
      if (m.done !== done) return;
      child.off('message', on);
      resolve(m as Extract<R, { done: T }>);
    };
    child.on('message', on);
    child.send(cmd);
  });
}
const ask = <T extends WorkerReport['done']>(worker: ChildProcess, cmd: WorkerCommand, done: T) => request<WorkerReport, T>(worker, cmd, done);
const askBare = <T extends BareReport['done']>(bare: ChildProcess, cmd: BareCommand, done: T) => request<BareReport, T>(bare, cmd, done);
const share = (i: number) => Array.from({ length: TVS }, (_, k) => k).filter((k) => k % WORKERS === i);

async function main() {
  console.log(`alerts: ${fmt(TVS, 0)} TVs, ${PLATFORMS} platform process${PLATFORMS > 1 ? 'es' : ''} on ${TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}, ${WORKERS} TV processes`);
  let t = performance.now();
  const centerDir = await mkdtemp(join(tmpdir(), 'alerts-bench-center-'));
  closers.push(() => rm(centerDir, { recursive: true, force: true }));
  await initCenter(centerDir);
  const config = Object.freeze({
    ...loadConfig({ LOG_LEVEL: 'warn', SEED_DEMO: 'false', UI_DIR: 'dist/stb-ui', CERT_LOOKUP_SECRET: 'bench-lookup-secret', JPKI_MODE: 'dev' }),
    jpkiDevDir: centerDir,
  });
  const database = await freshDatabase();
  closers.push(() => database.close());
  const db = database.db;
  await seedDemoWorld(db);
  await populateTown(db, TVS);
  console.log(`town of ${fmt(TVS, 0)} homes built in ${fmt((performance.now() - t) / 1000)} s`);

  const app = await buildApp({ config, database, jpki: await createJpkiContext(config) });
  closers.push(() => app.close());
  const urls = [(await app.listen({ port: PORT, host: '127.0.0.1' })).replace('http:', 'ws:')];
  if (PLATFORMS === 2) {
    const second = fork(join(import.meta.dirname, 'lib/alert-platform-worker.ts'), [], {
      execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, BENCH_DATABASE_URL: database.url!, BENCH_PORT: String(PORT + 1), BENCH_JPKI_DIR: centerDir },
    });
    await new Promise<void>((resolve) => second.once('message', () => resolve()));
    closers.push(() => new Promise((resolve) => {
      second.once('exit', resolve);
      second.send({ do: 'close' });
    }));
    urls.push(`ws://127.0.0.1:${PORT + 1}`);
  }
  const workers = Array.from({ length: WORKERS }, startWorker);
  closers.push(async () => workers.forEach((w) => w.kill()));

  // ---- Baseline: bare ws servers (one per platform process, each in its own process, with the same split of the
  // connections) broadcasting one household's payload to as many connections ----
  const bareUrls = urls.map((_, i) => `ws://127.0.0.1:${PORT + 2 + i}`);
  const bares = await Promise.all(bareUrls.map(async (_, i) => {
    const bare = fork(join(import.meta.dirname, 'lib/alert-bare-worker.ts'), [], {
      execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, BENCH_BARE_PORT: String(PORT + 2 + i) },
    });
    await new Promise<void>((resolve) => bare.once('message', () => resolve()));
    return bare;
  }));
  closers.push(async () => bares.forEach((b) => b.kill()));
  t = performance.now();
  await Promise.all(workers.map((w, i) => ask(w, { do: 'bare', urls: bareUrls, count: share(i).length }, 'connected')));
  const bareCounts = await Promise.all(bares.map((b) => askBare(b, { do: 'count' }, 'count')));
  console.log(`bare: ${fmt(bareCounts.reduce((n, c) => n + c.count, 0), 0)} connections (${bareCounts.map((c) => fmt(c.count, 0)).join(' + ')}) in ${fmt((performance.now() - t) / 1000)} s`);
  const payload = JSON.stringify({ type: 'alert', replaces: [], alert: PAYLOAD_EXAMPLE });
  const bareStart = Math.min(...(await Promise.all(bares.map((b) => askBare(b, { do: 'broadcast', payload }, 'broadcast')))).map((r) => r.startedAt));
  const bareReports = await collect(workers, TVS);
  const bareTimes = bareReports.delivered.map((x) => x - bareStart);
  await Promise.all(workers.map((w) => ask(w, { do: 'close' }, 'closed')));
  let bareStormTimes: number[] = [];
  if (values.resume) {
    await Promise.all(bares.map((b) => askBare(b, { do: 'greet', payload }, 'greeting')));
    const stormStart = now();
    await Promise.all(workers.map((w, i) => ask(w, { do: 'bare', urls: bareUrls, count: share(i).length }, 'connected')));
    bareStormTimes = (await collect(workers, TVS)).delivered.map((x) => x - stormStart);
    await Promise.all(workers.map((w) => ask(w, { do: 'close' }, 'closed')));
  }
  await Promise.all(bares.map((b) => askBare(b, { do: 'close' }, 'closed')));

  // ---- The platform: the town's TVs on the alert channel, one Actual alert for the whole town ----
  t = performance.now();
  const answers = await Promise.all(workers.map((w, i) => ask(w, { do: 'tvs', urls, indices: share(i) }, 'connected')));
  const failed = answers.reduce((n, a) => n + a.failed, 0);
  console.log(`platform: ${fmt(TVS - failed, 0)} TVs authenticated in ${fmt((performance.now() - t) / 1000)} s${failed ? ` (${failed} refused or failed)` : ''}`);
  const identifier = `bench-${Date.now()}`;
  const { xml, sent } = capXml({ identifier, level: '4', headline: '南砺市全域に 避難指示', wholeMunicipality: true });
  const alert = parseAlertDocument(Buffer.from(xml));
  const profiler = values.profile ? new Profiler() : null;
  await profiler?.start();
  const start = now();
  const stored = await ingestAlert(db, { municipalityCode: '162108', alert, channel: 'cli', actor: 'operator:cli', defaultTtlSeconds: 3600 });
  const ingestMs = now() - start;
  let allStoredMs = NaN;
  const expected = (TVS - failed) * 2;
  for (const until = Date.now() + 120_000; Date.now() < until;) {
    const [row] = await db.select({ n: count() }).from(alertReceipts).where(eq(alertReceipts.alertId, stored.alertId));
    if ((row?.n ?? 0) >= expected) {
      allStoredMs = now() - start;
      break;
    }
    // Every 100 ms: on PGlite the count runs in this process, beside the platform it measures.
    await new Promise((r) => setTimeout(r, 100));
  }
  const reports = await collect(workers, TVS - failed);
  if (profiler) summariseProfile(await profiler.stop(), { path: values.profile! });
  const delivered = reports.delivered.map((x) => x - start);
  const displayed = reports.displayed.map((x) => x - start);

  console.log(`\nfrom publishing (ingest: parse, store, target ${fmt(TVS, 0)} homes, NOTIFY took ${fmt(ingestMs)} ms):`);
  const row = (label: string, xs: number[]) => console.log(`${label.padEnd(34)} 50 % ${fmt(percentile(xs, 0.5)).padStart(8)} ms   99 % ${fmt(percentile(xs, 0.99)).padStart(8)} ms   100 % ${fmt(percentile(xs, 1)).padStart(8)} ms   (${fmt(xs.length, 0)})`);
  row('delivered (platform)', delivered);
  row('displayed (platform)', displayed);
  row('bare ws broadcast (baseline)', bareTimes);
  console.log(`${'all receipts stored'.padEnd(34)} ${Number.isNaN(allStoredMs) ? 'not within 120 s' : `${fmt(allStoredMs)} ms`}  (${fmt(expected, 0)} receipts; target ≤ 5,000 ms)`);
  console.log(`${'p99 delivered'.padEnd(34)} ${fmt(percentile(delivered, 0.99))} ms (target ≤ 1,000 ms: ${percentile(delivered, 0.99) <= 1000 ? 'OK' : 'MISSED'})`);
  printComparison({ label: 'p99 delivered vs bare', value: percentile(delivered, 0.99), unit: 'ms', baselineLabel: 'bare p99', baseline: percentile(bareTimes, 0.99), limit: 2, better: 'lower' });
  printComparison({ label: '100 % delivered vs bare', value: percentile(delivered, 1), unit: 'ms', baselineLabel: 'bare 100 %', baseline: percentile(bareTimes, 1), limit: 2, better: 'lower' });
  if (!values.resume) return;

  // ---- The end of a power cut: every TV off, the alert replaced by an Update meanwhile, every TV back at once ----
  await Promise.all(workers.map((w) => ask(w, { do: 'close' }, 'closed')));
  const update = parseAlertDocument(Buffer.from(capXml({
    identifier: `${identifier}-update`, msgType: 'Update', references: [{ identifier, sent }], level: '5', headline: '南砺市全域に 緊急安全確保', wholeMunicipality: true,
  }).xml));
  await ingestAlert(db, { municipalityCode: '162108', alert: update, channel: 'cli', actor: 'operator:cli', defaultTtlSeconds: 3600 });
  const resumeStart = now();
  const back = await Promise.all(workers.map((w, i) => ask(w, { do: 'tvs', urls, indices: share(i), have: [stored.alertId] }, 'connected')));
  const backFailed = back.reduce((n, a) => n + a.failed, 0);
  const resumed = (await collect(workers, TVS - backFailed)).delivered.map((x) => x - resumeStart);
  console.log(`\nafter a power cut: ${fmt(TVS - backFailed, 0)} TVs connecting again at once${backFailed ? ` (${backFailed} refused or failed)` : ''}, each holding the replaced alert, from the first connecting:`);
  row('has the Update (platform)', resumed);
  row('bare ws: payload on connecting', bareStormTimes);
  printComparison({ label: 'p99 has it vs bare', value: percentile(resumed, 0.99), unit: 'ms', baselineLabel: 'bare p99', baseline: percentile(bareStormTimes, 0.99), limit: 2, better: 'lower' });
}

/** Waits until the workers together have `expected` deliveries (or 30 s went by), then gathers their times. */
async function collect(workers: ChildProcess[], expected: number) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const reports = await Promise.all(workers.map((w) => ask(w, { do: 'report' }, 'report')));
    const delivered = reports.flatMap((r) => r.delivered);
    const displayed = reports.flatMap((r) => r.displayed);
    if ((delivered.length >= expected && displayed.length >= Math.min(expected, displayed.length)) || Date.now() > deadline) return { delivered, displayed };
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A household's payload as the platform sends it (same size and shape: greeted by its members' names), for the bare baseline. */
const GREETING = `${townMembers(12).map((n) => `${n}さん`).join('、')}へ`;
const PAYLOAD_EXAMPLE = {
  id: '00000000-0000-4000-8000-00000000abcd', level: '4', sentAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3600_000).toISOString(), acknowledged: false,
  messages: [{
    language: 'ja-JP', title: '警戒レベル4 避難指示', colour: '#aa00aa', greeting: GREETING,
    lines: ['南砺市全域に 避難指示', '対象地域: 南砺市全域', '危険な場所から 全員 避難してください。', '最寄りの避難所: 城端小学校 体育館（約810m）', '火の元を 確かめてください。', 'マイナンバーカードを 持って 避難してください。'],
    speech: `${GREETING}。警戒レベル4 避難指示。南砺市全域に 避難指示。対象地域: 南砺市全域。危険な場所から 全員 避難してください。最寄りの避難所: 城端小学校 体育館（約810m）。火の元を 確かめてください。マイナンバーカードを 持って 避難してください。`,
    shelter: { name: '城端小学校 体育館', distanceM: 812 },
  }],
};

try {
  await main();
} finally {
  for (const c of closers.splice(0).reverse()) await c().catch(() => {});
}
process.exit(0);
