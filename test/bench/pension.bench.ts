import { constants, createPrivateKey, privateEncrypt, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase, type DbHandle } from '../../platform/src/db/client.js';
import { organisations, persons, serviceProviders } from '../../platform/src/db/schema/index.js';
import { setAuditChainKey } from '../../platform/src/identity/audit.js';
import { buildCrl, initCenter, issueCard, serviceCredentials, startTsaServer } from '../../platform/src/jpki/dev-center/index.js';
import { assembleCms, buildSignedAttributes, createJpkiContext, verifyCms } from '../../platform/src/jpki/index.js';
import { encodeDocument } from '../../platform/src/pension/document.js';
import { httpTimestampClient, sealSubmission, type SealContext } from '../../platform/src/pension/seal.js';
import { pensionRevocation } from '../../platform/src/pension/seal-services.js';
import { storeSubmission } from '../../platform/src/pension/submissions.js';
import { digestInfoForMessage } from '../../platform/src/shared/digest-info.js';
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

// A fresh dev center: one card, a sign CRL issued now, the center's TSA on a loopback port.
const dir = await mkdtemp(join(tmpdir(), 'pension-bench-'));
await initCenter(dir, { seed: 'pension-bench' });
const issued = await issueCard(dir, { name: '年金　太郎', birth: '1950-04-01', gender: '1', address: '富山県南砺市城端１番地', authPin: '1234', signPin: 'BENCH2024' });
const jpki = await createJpkiContext({ jpkiMode: 'dev', jpkiDevDir: dir, certLookupSecret: 'pension-bench-secret', crlMaxAgeSeconds: 86_400 });
jpki.ingestCrl('sign', (await buildCrl(dir, { which: 'sign' })).der);
const creds = await serviceCredentials(dir);
const tsa = await startTsaServer({ dir, port: 0 });
const sealContext: SealContext = {
  trustStore: jpki.trustStore, revocation: pensionRevocation(jpki),
  tsa: httpTimestampClient(tsa.url, [creds.root]), signer: { key: creds.platform.key, certificate: creds.platform.certificate }, maxCrlAgeSeconds: 86_400,
};
const NOW = new Date();

/** What the card returns for one document (made beforehand: the card's time is not the platform's). */
function cardSigned(i: number) {
  const document = encodeDocument({
    insurer: { id: 'bench', name: 'ベンチ生命' }, policyRef: `P-${i}`, serviceUid: `uid-${i}`, campaignId: 'bench', period: '2026-12',
    declarations: { aliveAndSigningMyself: true, addressUnchanged: true, nameUnchanged: true, paymentAccountUnchanged: true, changes: null },
    nonce: randomBytes(8).toString('hex'), preparedAt: NOW.toISOString(),
  });
  const signedAttributes = buildSignedAttributes(document, NOW);
  const key = createPrivateKey({ key: Buffer.from(issued.card.keys.sign, 'base64'), format: 'der', type: 'pkcs8' });
  const signature = new Uint8Array(privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfoForMessage(signedAttributes)));
  return { document, signedAttributes, signature, certificate: new Uint8Array(Buffer.from(issued.card.files['0001']!, 'base64')) };
}
const POOL = 64;
const signed = Array.from({ length: POOL }, (_, i) => cardSigned(i));

async function bareVerification(): Promise<number> {
  let i = 0;
  const result = await closedLoop({ concurrency, seconds, iteration: async () => {
    const s = signed[i++ % POOL]!;
    await verifyCms(assembleCms(s.document, s.signedAttributes, s.signature, s.certificate, { detached: true }), { trustStore: jpki.trustStore, document: s.document, at: NOW });
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
    const outcome = await sealSubmission(signed[i++ % POOL]!, sealContext);
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
  await tsa.close();
  await rm(dir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
