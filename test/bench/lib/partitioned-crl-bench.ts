import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { distributionPointOfExtension, issuerFromCertificate, RevocationStore } from '../../../platform/src/jpki/revocation/index.js';
import { defaultEntry, serialAt, writeCrl } from './crl-writer.js';
import { crlDpExtensionValue, dpKey, dpNameDer, idpExtension } from './distribution-points.js';
import { Profiler, summariseProfile } from './cpu-profile.js';
import { fmt, median, printComparison, printFigure, timeMs, timeRuns, xorshift } from './stats.js';
import { makeTestCa } from './test-ca.js';

export interface PartitionedBenchOptions {
  entries: number;
  partitions: number;
  runs: number;
  lookups: number;
  /** Full GC (the caller owns --expose-gc). */
  gc: () => Promise<void>;
  /** Where to write a CPU profile of a second pass of the lookups (`--profile FILE`), if wanted. */
  profilePath?: string;
}

/**
 * The J-LIS shape: `entries` revoked serials spread over `partitions` distribution-point CRLs, one
 * file each. Returns false when a target is missed.
 */
export async function runPartitionedCrlBench(o: PartitionedBenchOptions): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'crl-bench-parts-'));
  try {
    const thisUpdate = new Date('2025-06-01T00:00:00Z');
    const at = thisUpdate.getTime() + 3_600_000;
    const ca = makeTestCa();
    const issuers = [issuerFromCertificate(ca.certDer, 'auth', 'authca02')];
    const newStore = () => new RevocationStore({ issuers, maxAgeSeconds: 7 * 86_400 });
    // Partition p holds entries [start(p), start(p + 1)): serialAt(i) stays unique across all.
    const start = (p: number) => Math.floor((p * o.entries) / o.partitions);
    const dpOf = (p: number) => [`Pref-${p % 47}`, `Municipality-${p}`] as const;
    // Each lookup names its DP as the platform reads it off a certificate's cRLDistributionPoints
    // (JpkiContext.revocationStatus → distributionPointOf); `handKeys` are the same names built as
    // strings here, as the benchmark did before the reader shared its key strings with the store.
    const keys = Array.from({ length: o.partitions }, (_, p) => distributionPointOfExtension(crlDpExtensionValue(dpNameDer(...dpOf(p))))!);
    const handKeys = Array.from({ length: o.partitions }, (_, p) => dpKey(...dpOf(p)));
    if (keys.some((k, p) => k !== handKeys[p])) throw new Error('the platform reads another DP key than dpKey() builds');
    let bytes = 0;
    const base = thisUpdate.getTime() / 1000 - 86_400;
    const genMs = timeMs(() => {
      for (let p = 0; p < o.partitions; p++) {
        const first = start(p);
        const entry = defaultEntry(base);
        const der = writeCrl({
          signer: ca, thisUpdate, nextUpdate: new Date('2025-06-02T00:00:00Z'), crlNumber: 1, count: start(p + 1) - first,
          entry: (i, out) => entry(first + i, out),
          extraExtensions: [idpExtension(dpNameDer(...dpOf(p)))],
        });
        bytes += der.length;
        writeFileSync(join(dir, `dp-${String(p).padStart(5, '0')}.crl`), der);
      }
    });
    const files = readdirSync(dir).sort().map((f) => join(dir, f));
    console.log(`${fmt(o.entries, 0)} entries over ${o.partitions} partitioned CRLs, ${fmt(bytes / 2 ** 20)} MiB DER (written in ${fmt(genMs, 0)} ms)\n`);

    // Baseline: openssl decoding every file, one process per file as an operator would run it.
    const opensslMs = timeRuns(1, () => {
      for (const file of files) {
        const r = spawnSync('openssl', ['crl', '-inform', 'DER', '-noout', '-in', file], { stdio: ['ignore', 'ignore', 'pipe'] });
        if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr?.toString() ?? r.error}`);
      }
    });
    let store = newStore();
    const ingestMs = timeRuns(o.runs, () => {
      store = newStore();
      let n = 0;
      for (const file of files) n += store.ingest('auth', readFileSync(file)).crl.entryCount;
      if (n !== o.entries) throw new Error(`indexed ${n} entries, expected ${o.entries}`);
    });

    store = newStore();
    const ingestAll = (): void => {
      for (const file of files) store.ingest('auth', readFileSync(file));
    };
    await o.gc();
    const before = process.memoryUsage();
    ingestAll();
    await o.gc();
    const after = process.memoryUsage();
    const indexBytes = store.list().reduce((sum, c) => sum + c.indexBytes, 0);
    const processBytes = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);

    // Lookups with each serial's own DP: half listed, half never issued, in random order.
    const partitionOf = (i: number) => {
      let lo = 0;
      let hi = o.partitions - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (start(mid) <= i) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    const serials = new Float64Array(o.lookups);
    const dps: string[] = new Array(o.lookups);
    const handDps: string[] = new Array(o.lookups);
    const rand = xorshift();
    for (let i = 0; i < o.lookups; i++) {
      const listed = i % 2 === 1;
      const e = rand(o.entries);
      serials[i] = serialAt(listed ? e : o.entries + e);
      const p = listed ? partitionOf(e) : rand(o.partitions);
      dps[i] = keys[p]!;
      handDps[i] = handKeys[p]!;
    }
    let revoked = 0;
    const lookUpAll = (names = dps): void => {
      for (let i = 0; i < o.lookups; i++) if (store.status('auth', 'authca02', serials[i]!, at, names[i]!).state === 'revoked') revoked++;
    };
    // Wall time, as before; CPU time beside it, since on a shared machine wall time also counts
    // the moments the scheduler gave our core to someone else.
    const cpuBefore = process.cpuUsage();
    const lookupMs = timeMs(lookUpAll);
    const cpu = process.cpuUsage(cpuBefore);
    const lookupCpuMs = (cpu.user + cpu.system) / 1000;
    const expectedRevoked = Math.floor(o.lookups / 2);
    if (revoked !== expectedRevoked) throw new Error(`lookups found ${revoked} revoked, expected ${expectedRevoked}`);
    const handCpuBefore = process.cpuUsage();
    const handMs = timeMs(() => lookUpAll(handDps));
    const handCpu = process.cpuUsage(handCpuBefore);
    if (o.profilePath) {
      const profiler = new Profiler();
      await profiler.start();
      lookUpAll();
      summariseProfile(await profiler.stop(), { path: o.profilePath });
    }

    const oursMs = median(ingestMs);
    const baseMs = median(opensslMs);
    console.log(`openssl crl -noout over ${o.partitions} files (ms): ${opensslMs.map((t) => fmt(t, 0)).join(', ')}`);
    console.log(`ingest of ${o.partitions} files, runs (ms):      ${ingestMs.map((t) => fmt(t, 0)).join(', ')}\n`);
    const perEntryIndex = indexBytes / o.entries;
    const perEntryProcess = processBytes / o.entries;
    const results = [
      printComparison({ label: 'ingest, all partitions', value: oursMs, unit: 'ms', baselineLabel: 'openssl crl -noout, all files', baseline: baseMs, limit: 0.5, better: 'lower' }),
      printComparison({ label: 'status() lookups, own DP', value: o.lookups / (lookupMs / 1000), unit: '/s', baselineLabel: 'target', baseline: 1_000_000, limit: 1, better: 'higher', digits: 0 }),
      printComparison({ label: 'index bytes per entry', value: perEntryIndex, unit: 'bytes', baselineLabel: 'target', baseline: 19.5, limit: 1, better: 'lower' }),
    ];
    printFigure('status() lookups per CPU-second, own DP', o.lookups / (lookupCpuMs / 1000), '/s', 0);
    printFigure('… DP strings built by hand (per s, per CPU-s)', o.lookups / (handMs / 1000), `/s, ${fmt(o.lookups / ((handCpu.user + handCpu.system) / 1e6), 0)} /CPU-s`, 0);
    printFigure('load average (1 min) during the run', loadavg()[0]!, `on ${availableParallelism()} cores`, 1);
    printFigure('ingest / openssl ratio', oursMs / baseMs, '×', 3);
    printFigure('index size (typed arrays, all partitions)', indexBytes / 2 ** 20, 'MiB');
    printFigure('heap + arrayBuffers delta after gc, per entry', perEntryProcess, 'bytes');
    printFigure('… of which per partition (beyond the index)', (processBytes - indexBytes) / o.partitions, 'bytes');
    return !results.includes(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
