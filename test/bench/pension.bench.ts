import { constants, createPrivateKey, privateEncrypt, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DbHandle } from '../../platform/src/db/client.js';
import { organisations, persons, serviceProviders } from '../../platform/src/db/schema/index.js';
import { buildCrl, initCenter, issueCard, serviceCredentials, startTsaServer } from '../../platform/src/jpki/dev-center/index.js';
import { assembleCms, buildSignedAttributes, createJpkiContext, verifyCms } from '../../platform/src/jpki/index.js';
import { encodeDocument } from '../../platform/src/pension/document.js';
import { httpTimestampClient, sealSubmission, type SealContext } from '../../platform/src/pension/seal.js';
import { pensionRevocation } from '../../platform/src/pension/seal-services.js';
import { storeSubmission } from '../../platform/src/pension/submissions.js';
import { digestInfoForMessage } from '../../platform/src/shared/digest-info.js';
import { closedLoop } from './lib/http-load.js';
import { LoginLoad } from './lib/login-load.js';
import { buildLoginWorld } from './lib/login-world.js';
import { fmt, printComparison } from './lib/stats.js';

/**
 * `npm run bench -- pension [--seconds 4] [--concurrency 8] [--people 8] [--warmup 2]`: 現況確認届
 * submissions sealed per second — CMS verification (chain, purpose, validity, signature), the CRL
 * check, an RFC 3161 timestamp from the dev TSA over loopback HTTP, the platform's signed
 * revocation statement and the bundle, stored with its audit entry — beside, in the same run and
 * on the same database, card logins per second through the real platform over loopback HTTP (the
 * login benchmark's world and load generator: `people` registered people, one TV each, signatures
 * made between phases) and bare CMS verification of the same signatures, each with the ratio. The
 * cards' signatures are made beforehand (that is the card's time, not the platform's). PGlite by
 * default; a fresh PostgreSQL database (dropped after) when DATABASE_URL is set.
 */
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' }, concurrency: { type: 'string', default: '8' },
    people: { type: 'string', default: '8' }, warmup: { type: 'string', default: '2' },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const people = Number(values.people);
const warmup = Number(values.warmup);
if (![people, concurrency].every((n) => Number.isInteger(n) && n >= 1) || !(seconds > 0) || !(warmup > 0)) {
  console.error('usage: npm run bench -- pension [--seconds S] [--concurrency N] [--people N] [--warmup S]');
  process.exit(1);
}

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

/** A closed loop sealing and storing submissions on `database` (migrated) for `secs`: how many, how long. */
async function sealer(database: DbHandle): Promise<(secs: number) => Promise<{ completed: number; elapsedMs: number }>> {
  const [org] = await database.db.insert(organisations).values({ kind: 'insurer', code: 'bench-life', name: 'ベンチ生命' }).returning();
  const [provider] = await database.db.insert(serviceProviders).values({ organisationId: org!.id, code: 'bench-pension', name: 'ベンチ生命 年金', service: 'pension' }).returning();
  const [person] = await database.db.insert(persons).values({}).returning();
  let i = 0;
  return async (secs) => {
    const result = await closedLoop({ concurrency, seconds: secs, iteration: async () => {
      const outcome = await sealSubmission(signed[i++ % POOL]!, sealContext);
      const stored = await storeSubmission(database.db, { providerId: provider!.id, personId: person!.id, outcome });
      if (stored.state !== 'sealed') throw new Error(`not sealed: ${stored.state}`);
    } });
    if (result.failed) throw new Error(`sealing failed (${result.failed} error(s), ${result.completed} ok): ${result.errors.join('; ')}`);
    return result;
  };
}

// The login benchmark's world (platform app, dev center, registered people, fresh database): its
// database is the one submissions are sealed into, so both figures see the same database kind.
const world = await buildLoginWorld({ people, logLevel: 'silent' });
let load: LoginLoad | undefined;
try {
  if (seconds + 30 > world.config.nonceTtlSeconds) throw new Error(`--seconds ${seconds} makes a login phase longer than a nonce lives (${world.config.nonceTtlSeconds} s)`);
  const dbLabel = world.database.kind === 'postgres' ? `PostgreSQL (fresh database ${new URL(world.database.url!).pathname.slice(1)})` : 'PGlite (in memory, same thread)';
  console.log(`pension benchmark — ${dbLabel}; ${seconds} s per phase, concurrency ${concurrency}, ${people} people for the logins, node ${process.version}`);
  const bare = await bareVerification();
  console.log(`bare CMS verification: ${fmt(bare)} signatures/s`);
  const seal = await sealer(world.database);
  await seal(warmup);
  const sealing = await seal(seconds);
  const sealed = sealing.completed / (sealing.elapsedMs / 1000);
  console.log(`${sealing.completed} submissions sealed and stored in ${fmt(sealing.elapsedMs / 1000, 2)} s (after a ${warmup} s warm-up)`);
  load = await LoginLoad.start(world, concurrency);
  await load.warmUp({ seconds: warmup, phaseSeconds: seconds, concurrency, people });
  const logins = await load.run({ kind: 'login', seconds, concurrency, signing: 'ahead' });
  const loginRate = logins.completed / (logins.elapsedMs / 1000);
  console.log(`${logins.completed} logins in ${fmt(logins.elapsedMs / 1000, 2)} s (signatures made between phases; ${logins.signedInline} signed in the loop)`);
  console.log('');
  const kind = world.database.kind === 'postgres' ? 'PostgreSQL' : 'PGlite';
  printComparison({ label: `${kind} sealed submissions/s`, value: sealed, unit: '/s', baselineLabel: 'logins', baseline: loginRate, limit: 0, better: 'higher' });
  printComparison({ label: `${kind} sealed submissions/s`, value: sealed, unit: '/s', baselineLabel: 'bare CMS verification', baseline: bare, limit: 0, better: 'higher' });
} finally {
  await load?.close();
  await world.close();
  await tsa.close();
  await rm(dir, { recursive: true, force: true });
}
process.exit(0);
