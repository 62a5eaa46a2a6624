/**
 * `npm run bench -- card [--iterations N]`: time to read the auth certificate and to sign once
 * through the real stack (JpkiClient → PcscReaderBay → pcscd → vpcd → vpcd bridge → VirtualCard),
 * beside the same operations on the in-process VirtualBay measured in the same run, each with the
 * card's latency model off (the stack's own overhead) and on ('contact', the realistic model).
 * Needs pcscd with the vpcd driver (bash .ci/start-pcscd); uses vpcd slot 0 ("Virtual PCD 00 00").
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { JpkiClient } from '../../reader-driver/src/card/jpki-client.js';
import { digestInfoForSha256Hash } from '../../platform/src/shared/digest-info.js';
import { openPcscBay, type PcscReaderBay } from '../../reader-driver/src/pcsc/index.js';
import type { CardSession, ReaderBay } from '../../reader-driver/src/transport/transport.js';
import { VirtualBay } from '../../reader-driver/src/transport/virtual-bay.js';
import { VirtualCard } from '../../reader-driver/src/virtual-card/virtual-card.js';
import { VpcdBridge } from '../../reader-driver/src/virtual-card/vpcd-bridge.js';
import { buildTestCard } from '../reader-driver/pcsc/card-fixture.js';

const { values } = parseArgs({ args: process.argv.slice(2), options: { iterations: { type: 'string', default: '20' } } });
const ITERATIONS = Math.max(3, Math.min(200, Number(values.iterations) || 20));
const VPCD_READER = 'Virtual PCD 00 00';

const fixture = buildTestCard();
const digestInfo = digestInfoForSha256Hash(createHash('sha256').update('bench').digest());
type Latency = 'contact' | null;

interface Stats {
  median: number;
  p95: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { median: at(0.5), p95: at(0.95) };
}

async function time(fn: () => Promise<unknown>): Promise<Stats> {
  await fn(); // warm-up, not counted
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return stats(samples);
}

/** Both operations on one session, as the driver would run them. */
async function measure(session: CardSession): Promise<{ read: Stats; sign: Stats; apdus: { read: number; sign: number } }> {
  let count = 0;
  const counting: CardSession = {
    readerName: session.readerName,
    atr: session.atr,
    transaction: (fn) => session.transaction(fn),
    disconnect: () => session.disconnect(),
    transmit: (command) => {
      count++;
      return session.transmit(command);
    },
  };
  const jpki = new JpkiClient(counting);
  const read = await time(() => jpki.readAuthCertificate());
  const readApdus = count / (ITERATIONS + 1);
  count = 0;
  const sign = await time(() => jpki.sign('auth', fixture.pins.auth, digestInfo));
  return { read, sign, apdus: { read: readApdus, sign: count / (ITERATIONS + 1) } };
}

async function inProcess(latency: Latency) {
  const bay = new VirtualBay(['bench']);
  bay.insert('bench', new VirtualCard(fixture.file, { latency }));
  const session = await bay.connect('bench');
  try {
    return await measure(session);
  } finally {
    await session.disconnect();
    await bay.close();
  }
}

function cardInserted(bay: ReaderBay, reader: string, timeoutMs: number): Promise<void> {
  if (bay.readers().some((r) => r.name === reader && r.cardPresent)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no card in ${reader} after ${timeoutMs} ms`)), timeoutMs);
    bay.on('card.inserted', (info) => {
      if (info.name !== reader) return;
      clearTimeout(timer);
      resolve();
    });
  });
}

async function throughPcsc(bay: PcscReaderBay, latency: Latency) {
  const bridge = new VpcdBridge(new VirtualCard(fixture.file, { latency }));
  const inserted = cardInserted(bay, VPCD_READER, 8000);
  bridge.start();
  try {
    await inserted;
    const session = await bay.connect(VPCD_READER);
    try {
      return await measure(session);
    } finally {
      await session.disconnect();
    }
  } finally {
    const removed = new Promise<void>((resolve) => bay.once('card.removed', () => resolve()));
    await bridge.close();
    await Promise.race([removed, new Promise((r) => setTimeout(r, 2000))]);
  }
}

const opened = await openPcscBay();
if (!opened.ok) {
  console.error(`card bench needs PC/SC: ${opened.reason}`);
  process.exit(1);
}
const bay = opened.bay;
if (!bay.readers().some((r) => r.name === VPCD_READER)) {
  console.error(`card bench needs the vpcd reader "${VPCD_READER}" (apt-get install -y vsmartcard-vpcd; bash .ci/start-pcscd)`);
  await bay.close();
  process.exit(1);
}

const ms = (v: number) => `${v.toFixed(1).padStart(7)} ms`;
const rows: string[] = [];
for (const [label, latency] of [['latency off', null], ['realistic (contact)', 'contact']] as const) {
  const baseline = await inProcess(latency);
  const pcsc = await throughPcsc(bay, latency);
  for (const op of ['read', 'sign'] as const) {
    const name = op === 'read' ? 'read auth certificate' : 'sign (auth key)';
    const perApdu = (pcsc[op].median - baseline[op].median) / pcsc.apdus[op];
    rows.push(
      `${name.padEnd(22)} ${label.padEnd(20)} ${ms(baseline[op].median)} ${ms(baseline[op].p95)}   ${ms(pcsc[op].median)} ${ms(pcsc[op].p95)}   ×${(pcsc[op].median / baseline[op].median).toFixed(1).padEnd(7)} ${String(pcsc.apdus[op]).padStart(3)} APDUs, +${perApdu.toFixed(1)} ms each`,
    );
  }
}
await bay.close();

console.log(`\ncard bench: ${ITERATIONS} iterations each after one warm-up; PC/SC = pcscd + vpcd + bridge, baseline = in-process VirtualBay`);
console.log(`${'operation'.padEnd(22)} ${'card latency'.padEnd(20)} ${'baseline median'.padStart(10)}   ${'p95'.padStart(7)}   ${'PC/SC median'.padStart(10)}   ${'p95'.padStart(7)}   ratio    overhead`);
for (const row of rows) console.log(row);
console.log(
  'Note: vpcd sends each command as two TCP writes (2-byte length, then the APDU) without TCP_NODELAY, so on loopback\n' +
    'the APDU waits for our delayed ACK (~40 ms on Linux) before pcscd even delivers it; a USB reader has no such cost.',
);
