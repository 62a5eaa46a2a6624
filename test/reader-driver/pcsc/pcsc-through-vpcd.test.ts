import { createHash, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { AppError } from '../../../platform/src/shared/errors.js';
import { JpkiClient } from '../../../reader-driver/src/card/jpki-client.js';
import { digestInfoForSha256Hash } from '../../../platform/src/shared/digest-info.js';
import type { PcscReaderBay } from '../../../reader-driver/src/pcsc/index.js';
import type { CardSession } from '../../../reader-driver/src/transport/transport.js';
import { MemoryCardStore } from '../../../reader-driver/src/virtual-card/card-store.js';
import { VirtualCard } from '../../../reader-driver/src/virtual-card/virtual-card.js';
import { VpcdBridge } from '../../../reader-driver/src/virtual-card/vpcd-bridge.js';
import { buildTestCard, HookedCard, type TestCard } from './card-fixture.js';
import { cardIn, cardOut, nextEvent, openRequiredPcscBay, VPCD_READER } from './pcsc-env.js';

// The whole stack for real: VirtualCard ← vpcd bridge ← vpcd ← pcscd ← pcsclite ← PcscReaderBay
// ← JpkiClient. Uses vpcd slot 0 ("Virtual PCD 00 00"); the only other file on vpcd uses slot 1.
// Fails (never skips) when pcscd, vpcd or the binding is missing.

const reader = VPCD_READER(0);
let fixture: TestCard;
let bay: PcscReaderBay;

const message = Buffer.from('cable-auth challenge');
const digestInfo = digestInfoForSha256Hash(createHash('sha256').update(message).digest());
const verifies = (signature: Uint8Array, key = fixture.authPublicKey) => verify('sha256', message, key, signature);

/**
 * This test's own card (its own PIN counters) with its own bridge, in the vpcd reader; taken out
 * again, as pcscd reports it, when the test ends. Each test thus starts from an empty reader and
 * runs in any order.
 */
async function ownCard() {
  const store = new MemoryCardStore(fixture.file);
  const virtualCard = new VirtualCard(fixture.file, { store });
  const card = new HookedCard(virtualCard);
  const bridge = new VpcdBridge(card, { reconnectDelayMs: 100 });
  /** Puts the card (back) in: waits for pcscd to report the reader empty first, then for the card. */
  const insert = async () => {
    await cardOut(bay, reader, 8000);
    const inserted = cardIn(bay, reader, 8000);
    bridge.start();
    await inserted;
  };
  onTestFinished(async () => {
    card.beforeProcess = null;
    await bridge.close();
    await cardOut(bay, reader, 8000);
  });
  await insert();
  return { store, virtualCard, card, bridge, insert };
}

/** A fresh session and client on the card in the vpcd reader. */
async function client(): Promise<{ session: CardSession; jpki: JpkiClient }> {
  const session = await bay.connect(reader);
  return { session, jpki: new JpkiClient(session) };
}

beforeAll(async () => {
  fixture = buildTestCard();
  bay = await openRequiredPcscBay(0);
});
afterAll(() => bay?.close());

describe('PcscReaderBay with a virtual card in vpcd', () => {
  it('lists the vpcd reader with the card and its ATR', async () => {
    await ownCard();
    expect(bay.kind).toBe('pcsc');
    expect(bay.readers()).toContainEqual({ name: reader, cardPresent: true, atr: fixture.file.atr });
  });

  it('reads the token label and the auth certificate at its exact DER length over T=1', async () => {
    await ownCard();
    const { session, jpki } = await client();
    expect(session).toMatchObject({ readerName: reader, protocol: 'T=1' });
    expect(Buffer.from(session.atr).toString('hex').toUpperCase()).toBe(fixture.file.atr);
    expect(await jpki.tokenLabel()).toBe('JPKIAPICCTOKEN2');
    const der = await jpki.readAuthCertificate();
    expect(der.length).toBe(1586);
    expect(Buffer.from(der).equals(fixture.authCert)).toBe(true);
    await session.disconnect();
  });

  it('reports both PIN counters', async () => {
    await ownCard();
    const { session, jpki } = await client();
    expect(await jpki.pinStatus('auth')).toEqual({ triesLeft: 3, blocked: false });
    expect(await jpki.pinStatus('sign')).toEqual({ triesLeft: 5, blocked: false });
    await session.disconnect();
  });

  it('signs with the auth key, and the signature verifies against the card key', async () => {
    await ownCard();
    const { session, jpki } = await client();
    const signature = await jpki.sign('auth', fixture.pins.auth, digestInfo);
    expect(signature.length).toBe(256);
    expect(verifies(signature)).toBe(true);
    await session.disconnect();
  });

  it('reads the sign certificate after the sign password (typed in lower case)', async () => {
    await ownCard();
    const { session, jpki } = await client();
    const der = await jpki.readSignCertificate(fixture.pins.sign.toLowerCase());
    expect(Buffer.from(der).equals(fixture.signCert)).toBe(true);
    await session.disconnect();
  });

  it('decrements the counter on a wrong PIN (CARD_PIN_WRONG with triesLeft) and a right one resets it', async () => {
    const { store } = await ownCard();
    const { session, jpki } = await client();
    await expect(jpki.sign('auth', '9999', digestInfo)).rejects.toMatchObject({ code: 'CARD_PIN_WRONG', details: { triesLeft: 2 } });
    expect(await jpki.pinStatus('auth')).toEqual({ triesLeft: 2, blocked: false });
    expect(store.file.pins.auth.triesLeft).toBe(2);
    expect(verifies(await jpki.sign('auth', fixture.pins.auth, digestInfo))).toBe(true);
    expect(await jpki.pinStatus('auth')).toEqual({ triesLeft: 3, blocked: false });
    await session.disconnect();
  });

  it('fails a signature with CARD_REMOVED when the card leaves mid-command, then finds the card again', async () => {
    const { card, bridge, insert } = await ownCard();
    const { session, jpki } = await client();
    card.beforeProcess = async (command) => {
      if (command[1] !== 0x2a) return; // COMPUTE DIGITAL SIGNATURE in flight
      card.beforeProcess = null;
      // The card leaves (vpcd's connection closed) before it can answer.
      await bridge.close();
    };
    const removed = nextEvent(bay, 'card.removed', reader);
    await expect(jpki.sign('auth', fixture.pins.auth, digestInfo)).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    expect(await removed).toEqual({ name: reader, cardPresent: false });
    await expect(session.transmit(Uint8Array.of(0x00, 0xb0, 0x00, 0x00, 0x04))).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    await expect(bay.connect(reader)).rejects.toMatchObject({ code: 'CARD_ABSENT' });

    await insert();
    const again = await client();
    expect(verifies(await again.jpki.sign('auth', fixture.pins.auth, digestInfo))).toBe(true);
    await again.session.disconnect();
  });

  it('fails with CARD_REMOVED when the card leaves between two APDUs', async () => {
    const { bridge } = await ownCard();
    const { session } = await client();
    let sent = 0;
    // Pull the card right after the VERIFY answered, before SELECT of the key EF goes out.
    const pulling: CardSession = {
      readerName: session.readerName,
      atr: session.atr,
      transaction: (fn) => session.transaction(fn),
      disconnect: () => session.disconnect(),
      async transmit(command) {
        const response = await session.transmit(command);
        if (command[1] === 0x20 && command.length > 5 && sent++ === 0) {
          const removed = nextEvent(bay, 'card.removed', reader);
          await bridge.close();
          await removed;
        }
        return response;
      },
    };
    await expect(new JpkiClient(pulling).sign('auth', fixture.pins.auth, digestInfo)).rejects.toMatchObject({ code: 'CARD_REMOVED' });
  });

  it('never crashes or answers anything but removal codes when the card is pulled at random moments', { timeout: 90_000 }, async () => {
    const { virtualCard, bridge, insert } = await ownCard();
    const outcomes = new Map<string, number>();
    for (let round = 0; round < 8; round++) {
      if (round > 0) await insert();
      const pullAfterMs = 20 + ((round * 97) % 400);
      const timer = setTimeout(() => void bridge.close(), pullAfterMs);
      let outcome: string;
      let session: CardSession | undefined;
      try {
        session = await bay.connect(reader);
        const jpki = new JpkiClient(session);
        const signature = await jpki.sign('auth', fixture.pins.auth, digestInfo);
        expect(verifies(signature)).toBe(true);
        await jpki.readAuthCertificate();
        outcome = 'ok';
      } catch (err) {
        expect(err).toBeInstanceOf(AppError);
        outcome = (err as AppError).code;
      } finally {
        await session?.disconnect();
      }
      clearTimeout(timer);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      await bridge.close();
    }
    const codes = [...outcomes.keys()].filter((c) => c !== 'ok');
    expect(codes.every((c) => c === 'CARD_REMOVED' || c === 'CARD_ABSENT'), JSON.stringify([...outcomes])).toBe(true);
    expect(codes.length).toBeGreaterThan(0);
    // The counters were never touched by the interruptions.
    expect(virtualCard.triesLeft('auth')).toBe(3);
  });
});
