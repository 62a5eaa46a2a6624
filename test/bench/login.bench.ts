import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import type { Config } from '../../platform/src/config.js';
import { sessions } from '../../platform/src/db/schema/index.js';
import { CpuMeter, machineBusyCores, parentPid, processTreeCpuSeconds, type CpuReport } from './lib/cpu-meter.js';
import { Profiler, summariseProfile } from './lib/cpu-profile.js';
import { LoginLoad } from './lib/login-load.js';
import type { PhaseArgs, PhaseResult } from './lib/login-load-worker.js';
import { measureLoginStages } from './lib/login-stages.js';
import { loginBatchStats } from '../../platform/src/identity/login.js';
import { buildLoginWorld } from './lib/login-world.js';
import { fmt, percentile, printComparison, printFigure } from './lib/stats.js';

/**
 * `npm run bench -- login [--people 32] [--concurrency 32] [--seconds 20] [--bare-seconds 10]
 * [--warmup 4] [--stages 300] [--profile FILE.cpuprofile]`: card logins per second through the real platform over loopback
 * HTTP (nonce request, card signature, session request; both requests count as one login), against
 * a bare Fastify route driven by the same load generator at the same concurrency in the same run.
 * The ratio measures the server-side pipeline: the cards' signatures are made between phases
 * (see login-load-worker.ts); the same logins with the signing in the loop are reported beside it.
 * Target: logins/s ÷ bare requests/s ≥ 0.10 on PostgreSQL. PGlite by default; PostgreSQL (a fresh
 * database, dropped after) when DATABASE_URL is set. Then a per-stage breakdown of one login, and
 * with --profile an extra login phase under the V8 profiler (server thread), summarised by package.
 */
const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '32' },
    concurrency: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '20' },
    'bare-seconds': { type: 'string', default: '10' },
    warmup: { type: 'string', default: '4' },
    stages: { type: 'string', default: '300' },
    'log-level': { type: 'string', default: 'silent' },
    profile: { type: 'string' },
  },
});
const people = Number(values.people);
const concurrency = Number(values.concurrency);
const seconds = Number(values.seconds);
const bareSeconds = Number(values['bare-seconds']);
const warmup = Number(values.warmup);
const stageIterations = Number(values.stages);
const logLevel = values['log-level'] as Config['logLevel'];
const profilePath = values.profile;
if (![people, concurrency].every((n) => Number.isInteger(n) && n >= 1) || ![seconds, bareSeconds].every((n) => n > 0) || !(warmup >= 0) || !(stageIterations >= 0)) {
  console.error('usage: npm run bench -- login [--people N] [--concurrency N] [--seconds S] [--bare-seconds S] [--warmup S] [--stages N] [--log-level silent|warn]');
  process.exit(1);
}
const TARGET_RATIO = 0.1;
const ROUNDS = 2;

const quiet = await machineBusyCores(1000);
const world = await buildLoginWorld({ people, logLevel });
// A stock of signed challenges is used one phase after it was issued; it must outlive that.
if (seconds / ROUNDS + 30 > world.config.nonceTtlSeconds) {
  console.error(`--seconds ${seconds} makes a phase longer than a nonce lives (${world.config.nonceTtlSeconds} s); use at most ${2 * (world.config.nonceTtlSeconds - 30)}`);
  await world.close();
  process.exit(1);
}
let load: LoginLoad | undefined;
try {
  const { rows } = (await world.database.db.execute(sql`select version() as v`)) as unknown as { rows: { v: string }[] };
  const version = rows[0]?.v.split(' on ')[0] ?? '?';
  const dbLabel = world.database.kind === 'postgres'
    ? `PostgreSQL (${version}; fresh database ${new URL(world.database.url!).pathname.slice(1)}, pool of 10)`
    : `PGlite (${version}; in memory, same thread as the server)`;
  console.log(`login benchmark — database: ${dbLabel}`);
  console.log(
    `${people} people registered through the API (${new Set(world.people.map((p) => p.household)).size} demo households), one TV each; ` +
      `concurrency ${concurrency}; ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? '?'}), node ${process.version}`,
  );
  console.log(
    `setup: dev center + ${people} cards ${fmt(world.timings.centerMs / 1000)} s, platform ${fmt(world.timings.platformMs / 1000)} s, ` +
      `registrations ${fmt(world.timings.registrationMs / 1000)} s`,
  );
  console.log('servers on the main thread; load generator (node:http keep-alive, closed loop) and card signing on a worker thread, same cores');
  console.log("measured logins: the server-side pipeline — the cards' RSA signatures are made between phases, outside the timed window (see login-load-worker.ts); then the same logins end to end with the signing in the loop");
  if (quiet !== null) {
    console.log(`other work on the machine before the run: ${fmt(quiet, 2)} cores busy${quiet > 0.25 ? ' — NOT QUIET, figures are unreliable' : ''}`);
  }
  console.log('');

  load = await LoginLoad.start(world, concurrency);
  // All of PostgreSQL's processes (the server is ours alone during the run): its backends come and
  // go with the pool, and commits wait on its WAL writer.
  let postmaster: number | null = null;
  if (world.database.kind === 'postgres') {
    const { rows } = (await world.database.db.execute(sql`select pg_backend_pid() as pid`)) as unknown as { rows: { pid: number }[] };
    postmaster = parentPid(Number(rows[0]!.pid));
  }
  const pgCpu = postmaster === null ? null : () => processTreeCpuSeconds(postmaster);
  const meter = new CpuMeter(load.rpc.worker, pgCpu);

  type PhaseRun = { result: PhaseResult; cpu: CpuReport; wallMs: number; statements: number };
  const phase = async (args: PhaseArgs): Promise<PhaseRun> => {
    await meter.reset();
    const batchesBefore = loginBatchStats(world.database.db).batches;
    const result = await load!.run(args);
    const cpu = await meter.read();
    const statements = loginBatchStats(world.database.db).batches - batchesBefore;
    return { result, cpu, wallMs: result.elapsedMs, statements };
  };
  /** Rounds of one kind as one run: counts and samples added, CPU figures weighted by time. */
  const merge = (runs: PhaseRun[]): PhaseRun => {
    const wallMs = runs.reduce((a, r) => a + r.wallMs, 0);
    const w = (f: (c: CpuReport) => number | null) => runs.reduce((a, r) => a + (f(r.cpu) ?? 0) * r.wallMs, 0) / wallMs;
    const samples: Record<string, number[]> = {};
    for (const r of runs) for (const [k, xs] of Object.entries(r.result.samples)) samples[k] = (samples[k] ?? []).concat(xs);
    return {
      wallMs,
      statements: runs.reduce((a, r) => a + r.statements, 0),
      result: {
        completed: runs.reduce((a, r) => a + r.result.completed, 0), elapsedMs: wallMs, errors: [], failed: 0, samples,
        sockets: Math.max(...runs.map((r) => r.result.sockets)), signedInline: runs.reduce((a, r) => a + r.result.signedInline, 0),
      },
      cpu: {
        processCores: w((c) => c.processCores), extraCores: runs.some((r) => r.cpu.extraCores === null) ? null : w((c) => c.extraCores), machineCores: runs.some((r) => r.cpu.machineCores === null) ? null : w((c) => c.machineCores),
        otherCores: runs.some((r) => r.cpu.otherCores === null) ? null : w((c) => c.otherCores), serverElu: w((c) => c.serverElu), clientElu: w((c) => c.clientElu),
        cores: runs[0]!.cpu.cores,
      },
    };
  };

  // Warm up, stock signed challenges for one measured phase, then measure.
  if (warmup > 0) {
    const w = await load.warmUp({ seconds: warmup, phaseSeconds: seconds / ROUNDS, concurrency, people });
    console.log(`warm-up: ${fmt(w.rate)} logins/s (${fmt(w.signedInline, 0)} signed in the loop); ${fmt(w.stock, 0)} signed challenges in stock for the measured phases`);
  } else {
    await load.rpc.call('prime', 20);
  }
  // Measure in two rounds of bare-then-login, so both see the same machine (other work comes and goes).
  const sessionsBefore = await countSessions();
  const rounds: { bare: PhaseRun; login: PhaseRun }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    rounds.push({
      bare: await phase({ kind: 'bare', seconds: bareSeconds / ROUNDS, concurrency }),
      login: await phase({ kind: 'login', seconds: seconds / ROUNDS, concurrency, signing: 'ahead' }),
    });
  }
  const bare = merge(rounds.map((r) => r.bare));
  const logins = merge(rounds.map((r) => r.login));
  const sessionsAfter = await countSessions();
  if (sessionsAfter - sessionsBefore !== logins.result.completed) {
    throw new Error(`the platform stored ${sessionsAfter - sessionsBefore} sessions, the client counted ${logins.result.completed} logins`);
  }
  // The same logins end to end, the card's signing in the loop on the same cores (for information).
  const inline = await phase({ kind: 'login', seconds: seconds / ROUNDS, concurrency, signing: 'inline' });
  const single = await phase({ kind: 'login', seconds: 3, concurrency: 1, signing: 'inline' });

  const bareRate = bare.result.completed / (bare.result.elapsedMs / 1000);
  const loginRate = logins.result.completed / (logins.result.elapsedMs / 1000);
  const lat = (r: PhaseResult, name: string, q: number) => percentile(r.samples[name] ?? [], q);

  console.log(`bare Fastify POST /bare: ${fmt(bare.result.completed, 0)} requests in ${fmt(bare.result.elapsedMs / 1000)} s (${ROUNDS} rounds interleaved with the login rounds), ${bare.result.sockets} sockets`);
  printFigure('bare requests/s', bareRate, '/s');
  printFigure('bare request p50', lat(bare.result, 'request', 0.5), 'ms', 2);
  printFigure('bare request p99', lat(bare.result, 'request', 0.99), 'ms', 2);
  printCpu(bare.cpu, bareRate, 'request');
  console.log(
    `\nlogins, server-side pipeline (nonce request + session request, 201 only; signatures made ahead): ${fmt(logins.result.completed, 0)} in ${fmt(logins.result.elapsedMs / 1000)} s, ` +
      `${logins.result.sockets} sockets, 0 errors, ${fmt(logins.result.signedInline, 0)} signed in the loop for want of a signed nonce`,
  );
  printFigure('logins/s', loginRate, '/s');
  printFigure('login p50 (both requests)', lat(logins.result, 'login', 0.5), 'ms', 2);
  printFigure('login p99 (both requests)', lat(logins.result, 'login', 0.99), 'ms', 2);
  printFigure('session request p50', lat(logins.result, 'session', 0.5), 'ms', 2);
  printFigure('session request p99', lat(logins.result, 'session', 0.99), 'ms', 2);
  printFigure('nonce request p50', lat(logins.result, 'nonce', 0.5), 'ms', 2);
  printFigure('nonce request p99', lat(logins.result, 'nonce', 0.99), 'ms', 2);
  printCpu(logins.cpu, loginRate, 'login');
  console.log(`  database: ${fmt(logins.statements, 0)} login statements, ${fmt(logins.result.completed / Math.max(1, logins.statements), 1)} logins per statement on average (batched under load)`);
  console.log('');
  const ok = printComparison({ label: 'logins/s ÷ bare requests/s', value: loginRate, unit: '/s', baselineLabel: 'bare', baseline: bareRate, limit: TARGET_RATIO, better: 'higher' });
  if (world.database.kind !== 'postgres') console.log(`  (the ${TARGET_RATIO}× target is for PostgreSQL; on PGlite it is for information)`);

  const inlineRate = inline.result.completed / (inline.result.elapsedMs / 1000);
  console.log(`\nthe same logins end to end, each card signature made in the loop on the same cores (for information): ${fmt(inline.result.completed, 0)} in ${fmt(inline.result.elapsedMs / 1000)} s`);
  printFigure('logins/s', inlineRate, '/s');
  printFigure('login p50 (both requests)', lat(inline.result, 'login', 0.5), 'ms', 2);
  printFigure('login p99 (both requests)', lat(inline.result, 'login', 0.99), 'ms', 2);
  printFigure('client card signature p50 (RSA)', lat(inline.result, 'sign', 0.5), 'ms', 2);
  printCpu(inline.cpu, inlineRate, 'login');
  console.log(`  ratio to bare: ${fmt(inlineRate / bareRate, 3)}×`);
  console.log(
    `\nat concurrency 1, end to end: ${fmt(single.result.completed / (single.result.elapsedMs / 1000))} logins/s, both requests p50 ${fmt(lat(single.result, 'login', 0.5), 2)} ms ` +
      `(nonce ${fmt(lat(single.result, 'nonce', 0.5), 2)} + session ${fmt(lat(single.result, 'session', 0.5), 2)} ms; card signature ${fmt(lat(single.result, 'sign', 0.5), 2)} ms between them)`,
  );

  if (stageIterations > 0) {
    const s = await measureLoginStages(world.identity, world.people, world.devices, stageIterations);
    console.log(`\nwhere one login's server time goes (in process, no HTTP, one at a time, median of ${stageIterations}):`);
    for (const f of s.stages) console.log(`  ${f.stage.padEnd(52)} ${fmt(f.medianMs * 1000, 0).padStart(7)} µs  (p99 ${fmt(f.p99Ms * 1000, 0)} µs)`);
    const steps = s.stages.filter((f) => !f.stage.startsWith('nonce:')).reduce((a, f) => a + f.medianMs, 0);
    console.log(`  ${'whole nonce route body (in process)'.padEnd(52)} ${fmt(s.inProcessNonceMs * 1000, 0).padStart(7)} µs`);
    console.log(`  ${'whole login() + device check (in process)'.padEnd(52)} ${fmt(s.inProcessLoginMs * 1000, 0).padStart(7)} µs`);
    console.log(`  ${'  of which the login statement (1 round trip)'.padEnd(52)} ${fmt(Math.max(0, s.inProcessLoginMs - steps) * 1000, 0).padStart(7)} µs  (whole login() minus the steps above)`);
    for (const f of s.cold) console.log(`  ${f.stage.padEnd(52)} ${fmt(f.medianMs * 1000, 0).padStart(7)} µs  (p99 ${fmt(f.p99Ms * 1000, 0)} µs)`);
  }

  if (profilePath) {
    const profiler = new Profiler();
    await profiler.start();
    const profiled = await phase({ kind: 'login', seconds: Math.min(seconds, 10), concurrency });
    const profile = await profiler.stop();
    console.log(`\nprofiled login phase: ${fmt(profiled.result.completed / (profiled.result.elapsedMs / 1000))} logins/s under the profiler`);
    summariseProfile(profile, { path: profilePath });
  }

  if (world.database.kind === 'postgres' && !ok) process.exitCode = 1;
} finally {
  await load?.close();
  await world.close();
}

async function countSessions(): Promise<number> {
  const [row] = await world.database.db.select({ n: sql<number>`count(*)::int` }).from(sessions);
  return Number(row?.n ?? 0);
}

function printCpu(c: CpuReport, rate: number, what: string): void {
  const pg = c.extraCores === null ? '' : `, PostgreSQL ${fmt(c.extraCores, 2)}`;
  const others = c.otherCores === null ? '' : `, everything else ${fmt(Math.max(0, c.otherCores - (c.extraCores ?? 0)), 2)}`;
  const machine = c.machineCores === null ? '' : ` (machine ${fmt(c.machineCores, 2)} of ${c.cores} busy)`;
  console.log(`  CPU: server thread event loop ${fmt(c.serverElu * 100, 0)}% busy, load generator thread ${fmt(c.clientElu * 100, 0)}%`);
  console.log(`  cores used: this process ${fmt(c.processCores, 2)}${pg}${others}${machine}`);
  // CPU per operation holds up better than rates when other work shares the machine.
  const pgPer = c.extraCores === null ? '' : ` + PostgreSQL ${fmt((c.extraCores / rate) * 1e6, 0)} µs`;
  console.log(`  CPU per ${what}: this process ${fmt((c.processCores / rate) * 1e6, 0)} µs (servers, client, card signing)${pgPer}`);
}
