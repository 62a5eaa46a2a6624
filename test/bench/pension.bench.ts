import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase, type DbHandle } from '../../platform/src/db/client.js';
import { organisations, persons, serviceProviders } from '../../platform/src/db/schema/index.js';
import { setAuditChainKey } from '../../platform/src/identity/audit.js';
import { verifyCms } from '../../platform/src/jpki/index.js';
import { assembleCms } from '../../platform/src/jpki/index.js';
import { sealSubmission } from '../../platform/src/pension/seal.js';
import { storeSubmission } from '../../platform/src/pension/submissions.js';
import { cardSigned, NOW, sealWorld } from '../platform/pension/seal-world.js';
import { closedLoop } from './lib/http-load.js';
import { fmt, printComparison } from './lib/stats.js';

/**
 * `npm run bench -- pension [--seconds 6] [--concurrency 8]`: 現況確認届 submissions sealed per
 * second — CMS verification (chain, purpose, validity, signature), the CRL check, an RFC 3161
 * timestamp from the dev TSA over loopback HTTP, the platform's signed revocation statement and
 * the bundle, stored with its audit entry — beside bare CMS verification of the same signatures
 * in the same run, with the ratio. The cards' signatures are made beforehand (that is the card's
 * time, not the platform's). On PGlite and, with DATABASE_URL, on a fresh PostgreSQL database.
 */
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '6' }, concurrency: { type: 'string', default: '8' } } });
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
setAuditChainKey('pension-bench-audit-key-not-secret');

const world = await sealWorld();
const POOL = 64;
const signed = await Promise.all(Array.from({ length: POOL }, (_, i) => cardSigned('yamada-taro', `uid-${i}`)));

async function bareVerification(): Promise<number> {
  let i = 0;
  const result = await closedLoop({ concurrency, seconds, iteration: async () => {
    const s = signed[i++ % POOL]!;
    await verifyCms(assembleCms(s.document, s.signedAttributes, s.signature, s.certificate, { detached: true }), { trustStore: world.jpki.trustStore, document: s.document, at: NOW });
  } });
  return result.completed / (result.elapsedMs / 1000);
}

async function run(label: string, database: DbHandle, bare: number): Promise<boolean> {
  await database.migrate();
  const [org] = await database.db.insert(organisations).values({ kind: 'insurer', code: 'bench-life', name: 'ベンチ生命' }).returning();
  const [provider] = await database.db.insert(serviceProviders).values({ organisationId: org!.id, code: 'bench-pension', name: 'ベンチ生命 年金', service: 'pension' }).returning();
  const [person] = await database.db.insert(persons).values({}).returning();
  let i = 0;
  const result = await closedLoop({ concurrency, seconds, iteration: async () => {
    const outcome = await sealSubmission(signed[i++ % POOL]!, world.ctx);
    const stored = await storeSubmission(database.db, { providerId: provider!.id, personId: person!.id, outcome });
    if (stored.state !== 'sealed') throw new Error(`not sealed: ${stored.state}`);
  } });
  if (result.failed) console.log(`  failures: ${result.failed}; first: ${result.errors[0]}`);
  const perSecond = result.completed / (result.elapsedMs / 1000);
  printComparison({ label: `${label} sealed submissions/s`, value: perSecond, unit: '/s', baselineLabel: 'bare CMS verification', baseline: bare, limit: 0, better: 'higher' });
  console.log(`  ${result.completed} sealed and stored in ${fmt(result.elapsedMs / 1000, 2)} s`);
  return result.failed === 0;
}

console.log(`pension benchmark — ${seconds} s per phase, concurrency ${concurrency}, node ${process.version}`);
let ok = true;
try {
  const bare = await bareVerification();
  console.log(`bare CMS verification: ${fmt(bare)} signatures/s`);
  const lite = await openDatabase({ databaseUrl: null, dataDir: null });
  try {
    ok = (await run('PGlite', lite, bare)) && ok;
  } finally {
    await lite.close();
  }
  const url = process.env.DATABASE_URL?.trim();
  if (url) {
    const name = `h_pension_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const dbUrl = new URL(url);
    dbUrl.pathname = `/${name}`;
    const handle = await openDatabase({ databaseUrl: dbUrl.toString(), dataDir: null });
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
} finally {
  await world.tsa.close();
}
process.exit(ok ? 0 : 1);
