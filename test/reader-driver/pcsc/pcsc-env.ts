import { expect } from 'vitest';
import { PCSC_INSTALL_HINT, openPcscBay, type PcscReaderBay } from '../../../reader-driver/src/pcsc/index.js';
import type { ReaderBayEvents, ReaderInfo } from '../../../reader-driver/src/transport/transport.js';

/** vpcd's reader slots as pcscd names them (FRIENDLYNAME "Virtual PCD", slot n on port 35963 + n). */
export const VPCD_READER = (slot: 0 | 1) => `Virtual PCD 00 0${slot}`;

/**
 * Opens the real PC/SC bay, or fails the test (never skips) saying how to install what is missing.
 * Also requires the vpcd reader `slot` to be listed.
 */
export async function openRequiredPcscBay(slot: 0 | 1): Promise<PcscReaderBay> {
  const result = await openPcscBay();
  expect(result.ok, result.ok ? '' : `PC/SC is required by this test: ${result.reason}`).toBe(true);
  if (!result.ok) throw new Error(result.reason);
  const names = result.bay.readers().map((r) => r.name);
  if (!names.includes(VPCD_READER(slot))) {
    await result.bay.close();
    expect.fail(`pcscd lists no "${VPCD_READER(slot)}" reader (readers: ${names.join(', ') || 'none'}). ${PCSC_INSTALL_HINT}`);
  }
  return result.bay;
}

/** Resolves with the next `event` for `readerName` (or the present state, if `current` already matches). */
export function nextEvent(bay: PcscReaderBay, event: keyof ReaderBayEvents, readerName: string, timeoutMs = 5000): Promise<ReaderInfo> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      bay.off(event, listener);
      reject(new Error(`no ${event} for ${readerName} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (info: ReaderInfo) => {
      if (info.name !== readerName) return;
      clearTimeout(timer);
      bay.off(event, listener);
      resolve(info);
    };
    bay.on(event, listener);
  });
}

/** Waits until the bay reports a card in `readerName` (at once if it does now). */
export function cardIn(bay: PcscReaderBay, readerName: string, timeoutMs = 5000): Promise<ReaderInfo> {
  return untilCard(bay, readerName, true, timeoutMs);
}

/**
 * Waits until the bay reports `readerName` empty (at once if it does now). A test that needs an
 * empty reader starts with this: after a bridge or a card process lets go of vpcd, pcscd reports the
 * removal a moment later, and until then the reader still reads "card present".
 */
export function cardOut(bay: PcscReaderBay, readerName: string, timeoutMs = 5000): Promise<ReaderInfo> {
  return untilCard(bay, readerName, false, timeoutMs);
}

async function untilCard(bay: PcscReaderBay, readerName: string, present: boolean, timeoutMs: number): Promise<ReaderInfo> {
  // Checked and subscribed in the same turn: the bay emits from its own callbacks, never in between.
  const now = bay.readers().find((r) => r.name === readerName);
  if (now && now.cardPresent === present) return now;
  return nextEvent(bay, present ? 'card.inserted' : 'card.removed', readerName, timeoutMs);
}
