import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openPcscBay, PCSC_INSTALL_HINT, type PcscReaderBay } from '../../reader-driver/src/pcsc/index.js';
import type { ApduProcessor } from '../../reader-driver/src/virtual-card/apdu-processor.js';
import { JpkiClient } from '../../reader-driver/src/card/jpki-client.js';
import { VirtualBay } from '../../reader-driver/src/transport/virtual-bay.js';
import { FileCardStore } from '../../reader-driver/src/virtual-card/card-store.js';
import { VirtualCard } from '../../reader-driver/src/virtual-card/virtual-card.js';
import { VpcdBridge } from '../../reader-driver/src/virtual-card/vpcd-bridge.js';
import { VPCD_DEFAULT_PORT } from '../../reader-driver/src/virtual-card/vpcd-protocol.js';
import { runTs, waitForOk } from '../helpers/process.js';
import { E2E_PORT } from './product.js';
import { press } from './remote.js';
import { focusLandsOn, logInWithRemote, moveTo, person, tvOf } from './tv-session.js';

// Issue 10 §3: one browser test runs the whole real path for a login. Chromium → the reader
// driver with READER_PCSC=true → pcscd → vpcd → 山田 太郎's virtual card, served into vpcd by the
// vpcd bridge, with the remote only. Its own product (platform + driver), because the suite's
// product keeps its driver off pcscd (the PC/SC integration tests own the vpcd readers): on the
// ports after the suite's, embedded PGlite in a throw-away folder. vpcd offers two slots
// (pcsc_scan -r), both used by vitest files; this spec takes slot 1, as vpcd-bridge.test.ts does,
// so it must not run at the same time as that file. Without pcscd or vpcd the test FAILS.

const SLOT = 1;
/** pcscd's name for vpcd's reader in a slot (as in test/reader-driver/pcsc/pcsc-env.ts, which is vitest's). */
const VPCD_READER = `Virtual PCD 00 0${SLOT}`;
// After the suite's product's own (E2E_PORT … E2E_PORT + 3, see product.ts).
const PORT = E2E_PORT + 4;
const READER_PORT = E2E_PORT + 5;
const OPERATOR_PORT = E2E_PORT + 6;
const SHELTER_PORT = E2E_PORT + 7;
const ORIGIN = `http://127.0.0.1:${PORT}`;
const TARO = person('yamada-taro');
const TV = tvOf(TARO);
const deviceAuth = { authorization: `Device ${TV.id}:${TV.secret}` };

/** The product's JSON API, as the TV calls it. */
async function api(method: string, path: string, body: object) {
  const res = await fetch(`${ORIGIN}${path}`, { method, headers: { ...deviceAuth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** Registers 太郎 with his household's TV, his card (a copy of it) signing in the test process. */
async function registerTaro(cardFile: string): Promise<void> {
  const bay = new VirtualBay(['Registration reader']);
  bay.insert('Registration reader', await VirtualCard.open(new FileCardStore(cardFile)));
  const session = await bay.connect('Registration reader');
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  try {
    const jpki = new JpkiClient(session);
    const draft = await api('POST', '/api/v1/registrations/drafts', { district: 'johana' });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    const signCertificate = b64(await jpki.readSignCertificate(TARO.signPin));
    const signSignature = b64(await jpki.sign('sign', TARO.signPin, Buffer.from(draft.body.sign.digestInfo, 'base64')));
    const authCertificate = b64(await jpki.readAuthCertificate());
    const authSignature = b64(await jpki.sign('auth', TARO.authPin, Buffer.from(draft.body.auth.digestInfo, 'base64')));
    const submitted = await api('POST', '/api/v1/registrations', { draftId: draft.body.draftId, signCertificate, signSignature, authCertificate, authSignature });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const confirmed = await api('POST', `/api/v1/registrations/${submitted.body.registrationId}/confirm`, {});
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(201);
  } finally {
    await session.disconnect();
    await bay.close();
  }
}

/** Resolves when pcscd reports a card in `reader` (at once if it already does). */
function cardIn(bay: PcscReaderBay, reader: string): Promise<void> {
  return new Promise((resolve) => {
    if (bay.readers().some((r) => r.name === reader && r.cardPresent)) return resolve();
    const listener = (info: { name: string }) => {
      if (info.name !== reader) return;
      bay.off('card.inserted', listener);
      resolve();
    };
    bay.on('card.inserted', listener);
  });
}

/** VERIFY (20) carrying a PIN (a VERIFY without one only asks the tries left). */
const isPinCheck = (command: Uint8Array) => command[1] === 0x20 && command.length > 5;

/**
 * The card as vpcd sees it, recording the instruction byte of every command it answers. With
 * `removeAtPinCheck` set, the next PIN check reaches the card (a wrong PIN costs a try) and the
 * card is taken out of the reader before its answer gets back.
 */
function recording(card: VirtualCard, instructions: number[]): ApduProcessor {
  return {
    atr: card.atr,
    powerOn: () => card.powerOn(),
    powerOff: () => card.powerOff(),
    reset: () => card.reset(),
    process: async (command) => {
      instructions.push(command[1]!);
      if (isPinCheck(command)) pinChecks++;
      const answer = await card.process(command);
      if (removeAtPinCheck && isPinCheck(command)) {
        removeAtPinCheck = false;
        await bridge?.close();
      }
      return answer;
    },
  };
}

let removeAtPinCheck = false;
/** How many PIN checks reached the card. */
let pinChecks = 0;

let product: ReturnType<typeof runTs> | undefined;
let bay: PcscReaderBay | undefined;
let bridge: VpcdBridge | undefined;
const instructions: number[] = [];
const tvUrl = `${ORIGIN}/tv/?reader=${encodeURIComponent(`ws://127.0.0.1:${READER_PORT}/v1`)}`;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  // Start-up of a second product and a registration: minutes on a busy machine, not seconds.
  test.setTimeout(300_000);
  const pcsc = await openPcscBay();
  expect(pcsc.ok, pcsc.ok ? '' : `this test needs pcscd with the vpcd driver: ${pcsc.reason}`).toBe(true);
  if (!pcsc.ok) return;
  bay = pcsc.bay;
  const names = bay.readers().map((r) => r.name);
  expect(names, `pcscd lists no "${VPCD_READER}" reader. ${PCSC_INSTALL_HINT}`).toContain(VPCD_READER);

  const dataDir = mkdtempSync(join(tmpdir(), 'cap-e2e-pcsc-'));
  product = runTs('platform/src/cli/start-all.ts', [], {
    PORT: String(PORT), OPERATOR_PORT: String(OPERATOR_PORT), SHELTER_PORT: String(SHELTER_PORT), READER_PORT: String(READER_PORT), DATA_DIR: dataDir,
    DATABASE_URL: '', LOG_LEVEL: 'warn', SEED_DEMO: 'true', READER_CARD_LATENCY: 'off', READER_PCSC: 'true',
  });
  await waitForOk(`http://127.0.0.1:${READER_PORT}/healthz`, 240_000, product.child).catch((err: Error) => {
    throw new Error(`${err.message}\n${product?.output()}`);
  });

  // The dev center issued 太郎's card into the product's data folder; the registration and the
  // card in vpcd each use a copy (their PIN counters are their own).
  const issued = join(dataDir, 'demo-cards', `${TARO.id}.json`);
  const copies = mkdtempSync(join(tmpdir(), 'cap-e2e-pcsc-card-'));
  const forRegistration = join(copies, 'register.json');
  const forReader = join(copies, 'reader.json');
  copyFileSync(issued, forRegistration);
  copyFileSync(issued, forReader);
  await registerTaro(forRegistration);

  const card = await VirtualCard.open(new FileCardStore(forReader));
  bridge = new VpcdBridge(recording(card, instructions), { port: VPCD_DEFAULT_PORT + SLOT });
  const inserted = cardIn(bay, VPCD_READER);
  bridge.start();
  await inserted;
});

test.afterAll(async () => {
  await bridge?.close();
  await bay?.close();
  if (product && product.child.exitCode === null) {
    product.child.kill('SIGTERM');
    await product.exited;
  }
});

test('logs in with the remote, the card answering through pcscd and vpcd', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(tvUrl);
  await focusLandsOn(page, 'start/login');
  // The driver's only card is the one in pcscd's vpcd reader.
  await expect(page.locator('stb-tv-start-screen [data-card-status]')).toHaveAttribute('data-card-status', 'card', { timeout: 15_000 });

  const before = instructions.length;
  await logInWithRemote(page, TARO);
  await expect(page.locator('stb-tv-home-screen [data-screen="home"]')).toHaveAttribute('data-person-name', TARO.name);
  // The login's PIN check and signature went to the card over vpcd: VERIFY (20), then COMPUTE DIGITAL SIGNATURE (2A).
  const during = instructions.slice(before);
  expect(during).toContain(0x20);
  expect(during).toContain(0x2a);
  expect(errors).toEqual([]);
});

test('the card taken out while it checks a wrong PIN: the PIN is not sent again; put back, the pad is empty with the card’s tries, one spent', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(tvUrl);
  await focusLandsOn(page, 'start/login');
  await expect(page.locator('stb-tv-start-screen [data-card-status]')).toHaveAttribute('data-card-status', 'card', { timeout: 15_000 });
  await press(page, '1');
  await focusLandsOn(page, 'pad/1');
  const tries = page.locator('stb-tv-flow-screen [data-tries-left]');
  await expect(tries).not.toHaveAttribute('data-tries-left', '', { timeout: 15_000 });
  const before = Number(await tries.getAttribute('data-tries-left'));

  // A wrong PIN (太郎's is 1234): the card counts it, and is gone before it answers.
  removeAtPinCheck = true;
  const checked = pinChecks;
  for (const digit of '9999') await press(page, digit);
  await moveTo(page, 'pad/submit');
  await press(page, 'Enter');
  await expect(page.locator('stb-tv-flow-screen [data-step]')).toHaveAttribute('data-step', 'waitCard-removed', { timeout: 15_000 });
  await expect(page.locator('stb-tv-flow-screen')).toContainText('もう一度 入れてもらいます');

  // Put back: the same card, its tries asked again; the PIN was forgotten, so nothing is sent.
  bridge!.start();
  const notice = page.locator('stb-tv-flow-screen [data-notice="cardRemoved"]');
  await expect(notice).toBeVisible({ timeout: 20_000 });
  await expect(notice).toContainText('カードが 離れました。暗証番号を もう一度 入れてください。');
  await expect(page.locator('stb-tv-flow-screen [data-pin-length]')).toHaveAttribute('data-pin-length', '0');
  await expect(tries).toHaveAttribute('data-tries-left', String(before - 1), { timeout: 15_000 });
  expect(pinChecks - checked).toBe(1);
  await page.screenshot({ path: testInfo.outputPath('pcsc-card-removed-pin-again.png') });

  // The right PIN now logs in (and the card's counter is whole again).
  for (const digit of TARO.authPin) await press(page, digit);
  await moveTo(page, 'pad/submit');
  await press(page, 'Enter');
  await expect(page.locator('stb-tv-home-screen [data-screen="home"]')).toHaveAttribute('data-person-name', TARO.name, { timeout: 15_000 });
  expect(errors).toEqual([]);
});
