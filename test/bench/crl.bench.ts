import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { issuerFromCertificate, RevocationStore } from '../../platform/src/jpki/revocation/index.js';
import { serialAt, writeCrl } from './lib/crl-writer.js';
import { fmt, median, percentile, printComparison, printFigure, timeMs, timeRuns, xorshift } from './lib/stats.js';
import { makeTestCa } from './lib/test-ca.js';
import { runPartitionedCrlBench } from './lib/partitioned-crl-bench.js';

/**
 * With `--partitions N` (J-LIS: about 1,900 distribution points) the same entries are spread over N
 * partitioned CRLs, one file each with a critical IssuingDistributionPoint; ingest is all N files,
 * openssl runs once per file (target ≤ 0.5× its total), lookups name each serial's own DP, and the
 * memory figure includes every partition's fixed cost.
 *
 * `npm run bench -- crl [--entries 1000000] [--runs 5] [--lookups 2000000] [--partitions N [--profile FILE]]`: CRL ingest (read +
 * parse + signature check + index) against `openssl crl -inform DER -noout` on the same file
 * (target ≤ 3×), index memory, and status lookups per second (target ≥ 1,000,000/s).
 */
const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '5' },
    lookups: { type: 'string', default: '2000000' },
    partitions: { type: 'string', default: '1' },
    profile: { type: 'string' },
  },
});
const entries = Number(values.entries);
const runs = Math.max(1, Number(values.runs));
const lookups = Number(values.lookups);
const partitions = Number(values.partitions);
if (!Number.isInteger(entries) || entries < 1 || !Number.isInteger(lookups) || lookups < 1000 || !Number.isInteger(partitions) || partitions < 1 || partitions > entries) {
  console.error('usage: npm run bench -- crl [--entries N] [--runs N] [--lookups N] [--partitions N]');
  process.exit(1);
}

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
/** Full GC, then a pause so ArrayBuffer backing stores (freed off-thread) are really gone. */
async function gc(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    collect();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

if (partitions > 1) {
  if (!(await runPartitionedCrlBench({ entries, partitions, runs, lookups, gc, profilePath: values.profile }))) process.exitCode = 1;
  process.exit();
}

const dir = mkdtempSync(join(tmpdir(), 'crl-bench-'));
try {
  const thisUpdate = new Date('2025-06-01T00:00:00Z');
  const at = thisUpdate.getTime() + 3_600_000;
  const ca = makeTestCa();
  const issuers = [issuerFromCertificate(ca.certDer, 'auth', 'authca02')];
  const file = join(dir, 'auth.crl');
  let size = 0;
  const genMs = timeMs(() => {
    const der = writeCrl({ signer: ca, thisUpdate, nextUpdate: new Date('2025-06-02T00:00:00Z'), crlNumber: 1, count: entries });
    size = der.length;
    writeFileSync(file, der);
  });
  console.log(`CRL: ${fmt(entries, 0)} entries, ${fmt(size / 2 ** 20)} MiB DER (written in ${fmt(genMs, 0)} ms), ${runs} runs each\n`);

  // Baseline: OpenSSL decoding the same file (no signature check; process start included).
  const opensslMs = timeRuns(Math.min(runs, 3), () => {
    const r = spawnSync('openssl', ['crl', '-inform', 'DER', '-noout', '-in', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr?.toString() ?? r.error}`);
  });

  // Ours: read the file, parse, verify the signature, build the index; a fresh store each run.
  let store = new RevocationStore({ issuers, maxAgeSeconds: 7 * 86_400 });
  const ingestMs = timeRuns(runs, () => {
    store = new RevocationStore({ issuers, maxAgeSeconds: 7 * 86_400 });
    const result = store.ingest('auth', readFileSync(file));
    if (result.crl.entryCount !== entries) throw new Error(`indexed ${result.crl.entryCount} entries, expected ${entries}`);
  });

  // Memory: what the index holds after the input is gone, by its own count and by the process's
  // (inside a function, so no stack slot keeps the file buffer alive).
  store = new RevocationStore({ issuers, maxAgeSeconds: 7 * 86_400 });
  const ingestOnce = (): void => void store.ingest('auth', readFileSync(file));
  await gc();
  const before = process.memoryUsage();
  ingestOnce();
  await gc();
  const after = process.memoryUsage();
  const indexBytes = store.crl('auth', 'authca02')!.indexBytes;
  const processBytes = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);

  // Lookups through the public status(): half listed serials, half never issued, in random order.
  const queries = new Float64Array(lookups);
  const rand = xorshift();
  for (let i = 0; i < lookups; i++) queries[i] = serialAt(i % 2 ? rand(entries) : entries + rand(entries));
  const batch = 10_000;
  const batchNs: number[] = [];
  let revoked = 0;
  const lookupMs = timeMs(() => {
    for (let b = 0; b < lookups; b += batch) {
      const t0 = process.hrtime.bigint();
      for (let i = b, end = Math.min(b + batch, lookups); i < end; i++) {
        if (store.status('auth', 'authca02', queries[i]!, at).state === 'revoked') revoked++;
      }
      batchNs.push(Number(process.hrtime.bigint() - t0) / Math.min(batch, lookups - b));
    }
  });
  const expectedRevoked = Math.floor(lookups / 2);
  if (revoked !== expectedRevoked) throw new Error(`lookups found ${revoked} revoked, expected ${expectedRevoked}`);
  const perSecond = lookups / (lookupMs / 1000);

  // The same through hex strings, as X509Certificate#serialNumber gives them.
  const hexQueries = Array.from({ length: Math.min(lookups, 1_000_000) }, (_, i) => queries[i]!.toString(16).toUpperCase().padStart(8, '0'));
  const hexMs = timeMs(() => {
    for (const q of hexQueries) store.status('auth', 'authca02', q, at);
  });

  const oursMs = median(ingestMs);
  const baseMs = median(opensslMs);
  console.log(`openssl crl -noout runs (ms): ${opensslMs.map((t) => fmt(t, 0)).join(', ')}`);
  console.log(`ingest runs (ms):             ${ingestMs.map((t) => fmt(t, 0)).join(', ')}\n`);
  const results = [
    printComparison({ label: 'ingest (read+parse+verify+index)', value: oursMs, unit: 'ms', baselineLabel: 'openssl crl -noout', baseline: baseMs, limit: 3, better: 'lower' }),
    printComparison({ label: 'status() lookups', value: perSecond, unit: '/s', baselineLabel: 'target', baseline: 1_000_000, limit: 1, better: 'higher', digits: 0 }),
  ];
  printFigure('status() lookups, hex-string serials', hexQueries.length / (hexMs / 1000), '/s', 0);
  printFigure('ns per lookup, median of 10k batches', median(batchNs), 'ns');
  printFigure('ns per lookup, p99 of 10k batches', percentile(batchNs, 0.99), 'ns');
  printFigure('index size (typed arrays)', indexBytes / 2 ** 20, 'MiB');
  printFigure('index size per entry', indexBytes / entries, 'bytes');
  printFigure('heap + arrayBuffers delta after gc', processBytes / 2 ** 20, 'MiB');
  if (results.includes(false)) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
