import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { bookingRoutes } from '../../platform/src/booking/routes.js';
import { bookings } from '../../platform/src/booking/schema.js';
import { loadConfig } from '../../platform/src/config.js';
import { openDatabase, type DbHandle } from '../../platform/src/db/client.js';
import { persons, sessions } from '../../platform/src/db/schema/index.js';
import { DEMO_HOUSEHOLDS } from '../../platform/src/demo/world.js';
import { seedDemoWorld } from '../../platform/src/demo/seed.js';
import { setAuditChainKey } from '../../platform/src/identity/audit.js';
import { newSessionToken } from '../../platform/src/identity/sessions.js';
import errorHandler from '../../platform/src/plugins/error-handler.js';
import { bookableFacility } from '../helpers/booking.js';
import { closedLoop, KeepAliveClient } from './lib/http-load.js';
import { fmt, printComparison } from './lib/stats.js';

/**
 * `npm run bench -- booking [--seconds 8] [--concurrency 32] [--racers 200]`: over loopback HTTP,
 * through the real booking routes (device + session auth, policy, quota lock, exclusion constraint):
 * 1. `racers` people on one TV press OK on the same slot at once: exactly one may get it.
 * 2. Holds per second on distinct slots, beside a bare Fastify route driven by the same client in
 *    the same run, with the ratio. On PGlite (in memory) and, when DATABASE_URL is set, on a fresh
 *    PostgreSQL database (dropped after). Target: ≥ 500 holds/s on PostgreSQL; 0 double bookings.
 */
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '8' }, concurrency: { type: 'string', default: '32' }, racers: { type: 'string', default: '200' } } });
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const racers = Number(values.racers);
const TARGET_PER_SECOND = 500;
/** PostgreSQL connections, as the platform would have them (DATABASE_POOL_SIZE, default 10). */
const poolSize = loadConfig({ DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE }).databasePoolSize;
setAuditChainKey('booking-bench-audit-key-not-secret');

const UNITS = 40;
const PERIODS = 3;

async function serve(register: (app: FastifyInstance) => Promise<void>): Promise<{ app: FastifyInstance; origin: string }> {
  const app = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>();
  await app.register(errorHandler);
  await register(app);
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, origin };
}

async function bareBaseline(): Promise<number> {
  const { app, origin } = await serve(async (a) => {
    a.post('/bare', async (_req, reply) => reply.code(201).send({ ok: true }));
  });
  const client = new KeepAliveClient(origin, concurrency);
  const result = await closedLoop({ concurrency, seconds, iteration: async () => {
    const res = await client.post('/bare', '{"a":1}');
    if (res.status !== 201) throw new Error(`bare ${res.status}`);
  } });
  client.close();
  await app.close();
  return result.completed / (result.elapsedMs / 1000);
}

async function run(label: string, database: DbHandle, bare: number): Promise<boolean> {
  await database.migrate();
  await seedDemoWorld(database.db);
  const { facility, units } = await bookableFacility(database.db, { monthlyQuota: 1_000_000, residentHorizonDays: 400, nonResidentHorizonDays: 400 });
  const { facilityUnits } = await import('../../platform/src/booking/schema.js');
  const more = await database.db.insert(facilityUnits).values(Array.from({ length: UNITS - units.length }, (_, i) => ({ facilityId: facility.id, name: `室${i + 3}`, sort: i + 2 }))).returning();
  const unitIds = [...units.map((u) => u.id), ...more.map((u) => u.id)];
  const tv = DEMO_HOUSEHOLDS[0].tv;
  const people = await database.db.insert(persons).values(Array.from({ length: Math.max(racers, concurrency) }, (_, i) => ({ name: `予約${i}` }))).returning({ id: persons.id });
  const tokens = people.map(() => newSessionToken(3600));
  await database.db.insert(sessions).values(people.map((p, i) => ({ tokenHash: tokens[i]!.tokenHash, personId: p.id, deviceId: tv.id, assurance: 'high' as const, expiresAt: tokens[i]!.expiresAt })));
  const headers = (i: number) => ({ authorization: `Bearer ${tokens[i]!.token}`, 'x-device': `${tv.id}:${tv.secret}` });
  const { app, origin } = await serve(async (a) => {
    await a.register(bookingRoutes, { db: database.db });
  });
  const day = (offset: number) => new Date(Date.now() + (offset + 1) * 86_400_000 + 9 * 3_600_000).toISOString().slice(0, 10);
  try {
    // 1. The race.
    const raceClient = new KeepAliveClient(origin, racers);
    const race = await Promise.all(Array.from({ length: racers }, (_, i) => raceClient.post('/api/v1/booking/holds',
      JSON.stringify({ unitId: unitIds[0], day: day(0), period: 'am', idempotencyKey: `race-${i}-press` }), headers(i))));
    raceClient.close();
    const won = race.filter((r) => r.status === 201).length;
    const told = race.filter((r) => r.status === 409 && JSON.parse(r.body).error.code === 'BOOKING_SLOT_TAKEN').length;
    const { sql, eq } = await import('drizzle-orm');
    const [{ n }] = (await database.db.select({ n: sql<number>`count(*)::int` }).from(bookings).where(eq(bookings.unitId, unitIds[0]!))) as [{ n: number }];
    console.log(`${label}: ${racers} at once on one slot → ${won} hold(s), ${told} told BOOKING_SLOT_TAKEN, ${n} row(s) in the table ${won === 1 && n === 1 && told === racers - 1 ? 'OK' : 'FAILED'}`);

    // 2. Throughput on distinct slots (one slot per request, never reused).
    let next = 0;
    const client = new KeepAliveClient(origin, concurrency);
    const result = await closedLoop({ concurrency, seconds, iteration: async (loop) => {
      const i = next++;
      const slot = { unitId: unitIds[i % UNITS], day: day(1 + Math.floor(i / UNITS / PERIODS)), period: ['am', 'pm', 'night'][Math.floor(i / UNITS) % PERIODS], idempotencyKey: `bench-${i}-press` };
      const res = await client.post('/api/v1/booking/holds', JSON.stringify(slot), headers(loop));
      if (res.status !== 201) throw new Error(`hold ${res.status} ${res.body}`);
    } });
    client.close();
    if (result.failed) console.log(`  failures: ${result.failed}; first: ${result.errors[0]}`);
    const perSecond = result.completed / (result.elapsedMs / 1000);
    const ok = printComparison({ label: `${label} holds/s (distinct slots)`, value: perSecond, unit: '/s', baselineLabel: 'bare Fastify', baseline: bare, limit: 0, better: 'higher' });
    console.log(`  ${result.completed} holds in ${fmt(result.elapsedMs / 1000, 2)} s; target ≥ ${TARGET_PER_SECOND}/s on PostgreSQL: ${perSecond >= TARGET_PER_SECOND ? 'met' : 'NOT met'}`);
    return won === 1 && n === 1 && result.failed === 0;
  } finally {
    await app.close();
  }
}

console.log(`booking benchmark — ${seconds} s per phase, concurrency ${concurrency}, ${racers} racers, PostgreSQL pool ${poolSize}, node ${process.version}`);
const bare = await bareBaseline();
console.log(`bare Fastify POST: ${fmt(bare)} requests/s`);
let ok = true;
const lite = await openDatabase({ databaseUrl: null, dataDir: null });
try {
  ok = (await run('PGlite', lite, bare)) && ok;
} finally {
  await lite.close();
}
const url = process.env.DATABASE_URL?.trim();
if (url) {
  const name = `h_booking_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: dbUrl.toString(), dataDir: null, poolSize });
  try {
    ok = (await run('PostgreSQL', handle, bare)) && ok;
  } finally {
    await handle.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
} else {
  console.log('PostgreSQL: skipped (set DATABASE_URL to a server this may create a database on)');
}
process.exit(ok ? 0 : 1);
