import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { digestInfoForSha256Hash } from '../../../platform/src/shared/digest-info.js';
import { loadDriverConfig } from '../../../reader-driver/src/config.js';
import { ReaderHub } from '../../../reader-driver/src/reader-hub.js';
import { VirtualBay } from '../../../reader-driver/src/transport/virtual-bay.js';
import { VirtualCard } from '../../../reader-driver/src/virtual-card/virtual-card.js';
import { startDriverServer, type DriverServer } from '../../../reader-driver/src/ws/server.js';
import { DriverClient } from '../../helpers/driver-client.js';
import { AUTH_PIN, SIGN_PIN, TEST_CERTS, buildCardFile, testKeys } from '../helpers.js';

const ORIGIN = 'http://127.0.0.1:8080';
const READER = 'Test reader';
const digest = Buffer.from(digestInfoForSha256Hash(createHash('sha256').update('nonce').digest())).toString('base64');

let server: DriverServer;
let bay: VirtualBay;
let card: VirtualCard;
let client: DriverClient;

beforeAll(async () => {
  const config = loadDriverConfig({
    READER_PORT: '0',
    READER_ALLOWED_ORIGINS: ORIGIN,
    READER_RESUME_SECONDS: '30',
    READER_CONTROL_TOKEN_FILE: join(mkdtempSync(join(tmpdir(), 'drv-')), 'token'),
  });
  bay = new VirtualBay([READER]);
  const hub = new ReaderHub();
  hub.add(bay);
  server = await startDriverServer({ config, hub, log: pino({ level: 'silent' }), demo: null, controlToken: 'secret-token' });
});
afterAll(() => server.close());

/**
 * The card's signature time, held by the test when it sets `held`: `started` resolves when the
 * card begins a signature, which then lasts until `finish()`; unheld, the card's latency is real.
 */
interface SignatureGate { started: Promise<void>; finish: () => void; held: boolean }
let signature: SignatureGate;
function signatureGate(): SignatureGate {
  let begun!: () => void;
  let release!: () => void;
  const finished = new Promise<void>((resolve) => (release = resolve));
  const gate: SignatureGate = { started: new Promise<void>((resolve) => (begun = resolve)), finish: release, held: false };
  // The latency model adds SIGN_MS to a signing command only: that is how the card's wait is told apart.
  sleepOfCard = (ms) => {
    if (ms < SIGN_MS) return realSleep(ms);
    begun();
    return gate.held ? finished : realSleep(ms);
  };
  return gate;
}
const SIGN_MS = 150;
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
let sleepOfCard: (ms: number) => Promise<void> = realSleep;

beforeEach(async () => {
  // A fresh card each test: PIN counters start full. Its signature waits on `signature` (see above).
  signature = signatureGate();
  card = new VirtualCard(buildCardFile(), { latency: { commandMs: 1, byteMs: 0, writeMs: 0, signMs: SIGN_MS }, sleep: (ms) => sleepOfCard(ms) });
  bay.insert(READER, card);
  client = await DriverClient.connect(server.port, ORIGIN);
});
afterEach(async () => {
  await client.close();
  bay.remove(READER);
});

describe('reader driver WebSocket: connection', () => {
  it('refuses a page origin that is not on the allow-list, with the catalogue body', async () => {
    const refused = await DriverClient.connect(server.port, 'http://evil.example').catch((e) => e);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('WS_ORIGIN_REFUSED');
  });

  it('refuses a connection with no origin at all (deny by default)', async () => {
    const refused = await DriverClient.connect(server.port, null).catch((e) => e);
    expect(refused.status).toBe(403);
  });

  it('says hello with the protocol version, a session and the readers', async () => {
    const res = await client.request('hello');
    expect(res.ok).toBe(true);
    expect(res.result).toMatchObject({ protocol: 1, resumed: false, readers: [{ name: READER, cardPresent: true }] });
    expect(res.result.session).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers broken JSON with WS_INVALID and an unknown command with WS_UNKNOWN_COMMAND', async () => {
    client.sendRaw('{not json');
    const invalid = await client.waitFor((m) => m.re === null && m.ok === false);
    expect(invalid.error.code).toBe('WS_INVALID');
    const unknown = await client.request('card.format');
    expect(unknown.error.code).toBe('WS_UNKNOWN_COMMAND');
    const badParams = await client.request('pin.status', { key: 'other' });
    expect(badParams.error.code).toBe('WS_INVALID');
  });
});

describe('reader driver WebSocket: card operations', () => {
  it('reads the auth certificate at its exact DER length', async () => {
    const res = await client.request('cert.read', { which: 'auth' });
    expect(Buffer.from(res.result.der, 'base64')).toEqual(Buffer.from(TEST_CERTS['000A']));
  });

  it('signs a DigestInfo with the auth key, and the signature verifies', async () => {
    const res = await client.request('sign', { key: 'auth', pin: AUTH_PIN, digestInfo: digest, withCertificate: true });
    expect(res.ok).toBe(true);
    const ok = verify('sha256', Buffer.from('nonce'), createPublicKey(testKeys().auth), Buffer.from(res.result.signature, 'base64'));
    expect(ok).toBe(true);
    expect(Buffer.from(res.result.certificate, 'base64')).toEqual(Buffer.from(TEST_CERTS['000A']));
  });

  it('refuses a malformed PIN without costing a try', async () => {
    const res = await client.request('sign', { key: 'auth', pin: '12a4', digestInfo: digest });
    expect(res.error.code).toBe('CARD_PIN_FORMAT');
    expect(card.triesLeft('auth')).toBe(3);
    expect((await client.request('pin.status', { key: 'auth' })).result).toMatchObject({ triesLeft: 3, blocked: false });
  });

  it('says how many tries are left after a wrong PIN', async () => {
    const res = await client.request('sign', { key: 'auth', pin: '9999', digestInfo: digest });
    expect(res.error).toMatchObject({ code: 'CARD_PIN_WRONG', details: { triesLeft: 2 } });
    expect(card.triesLeft('auth')).toBe(2);
  });

  it('locks the auth PIN after 3 wrong tries and says where to unlock it', async () => {
    for (const left of [2, 1]) {
      expect((await client.request('sign', { key: 'auth', pin: '0000', digestInfo: digest })).error.details.triesLeft).toBe(left);
    }
    const third = await client.request('sign', { key: 'auth', pin: '0000', digestInfo: digest });
    expect(third.error.code).toBe('CARD_PIN_BLOCKED');
    expect(third.error.ja).toContain('市区町村窓口');
    // Even the right PIN is refused now, without reaching a comparison.
    expect((await client.request('sign', { key: 'auth', pin: AUTH_PIN, digestInfo: digest })).error.code).toBe('CARD_PIN_BLOCKED');
    expect((await client.request('pin.status', { key: 'auth' })).result).toMatchObject({ blocked: true });
  });

  it('locks the sign PIN after 5 wrong tries', async () => {
    for (const left of [4, 3, 2, 1]) {
      expect((await client.request('cert.read', { which: 'sign', pin: 'WRONG123' })).error.details.triesLeft).toBe(left);
    }
    expect((await client.request('cert.read', { which: 'sign', pin: 'WRONG123' })).error.code).toBe('CARD_PIN_BLOCKED');
    expect(card.triesLeft('sign')).toBe(0);
    expect(card.triesLeft('auth')).toBe(3);
  });

  it('reads the sign certificate only with the sign PIN', async () => {
    expect((await client.request('cert.read', { which: 'sign' })).error.code).toBe('CARD_SECURITY_STATUS');
    const res = await client.request('cert.read', { which: 'sign', pin: SIGN_PIN.toLowerCase() });
    expect(Buffer.from(res.result.der, 'base64')).toEqual(Buffer.from(TEST_CERTS['0001']));
  });

  it('reports a card removed in the middle of a signature, and pushes card.removed', async () => {
    signature.held = true;
    const pending = client.request('sign', { key: 'auth', pin: AUTH_PIN, digestInfo: digest });
    await signature.started;
    bay.remove(READER);
    signature.finish();
    const res = await pending;
    expect(res.error.code).toBe('CARD_REMOVED');
    const event = await client.waitFor((m) => m.event === 'card.removed');
    expect(event.data).toMatchObject({ name: READER, cardPresent: false });
  });

  it('refuses a second operation on a busy reader with WS_BAD_STATE, then runs the first', async () => {
    signature.held = true;
    const first = client.request('sign', { key: 'auth', pin: AUTH_PIN, digestInfo: digest });
    await signature.started;
    const second = await client.request('pin.status', { key: 'auth' });
    expect(second.error.code).toBe('WS_BAD_STATE');
    signature.finish();
    expect((await first).ok).toBe(true);
  });

  it('cancels a running operation', async () => {
    const id = client.send('cert.read', { which: 'auth' });
    const cancel = await client.request('cancel', { target: id });
    expect(cancel.ok).toBe(true);
    const res = await client.waitFor((m) => m.re === id);
    expect(res.error.code).toBe('WS_CANCELLED');
    expect((await client.request('cancel', { target: 'nothing' })).error.code).toBe('WS_BAD_STATE');
  });

  it('a resumed hello lists the requests still running, and not those already answered (their answers went out)', async () => {
    const hello = await client.request('hello');
    expect(hello.result.holding).toEqual([]);
    expect((await client.request('pin.status', { key: 'auth' })).ok).toBe(true);
    signature.held = true;
    client.send('sign', { key: 'auth', pin: AUTH_PIN, digestInfo: digest }, 'signing');
    await signature.started;
    await client.close();
    const reloaded = await DriverClient.connect(server.port, ORIGIN);
    try {
      const again = await reloaded.request('hello', { resume: hello.result.session });
      expect(again.result).toMatchObject({ resumed: true, holding: ['signing'] });
      signature.finish();
      expect((await reloaded.waitFor((m) => m.re === 'signing')).ok).toBe(true);
    } finally {
      await reloaded.close();
    }
  });

  it('delivers a result that finished during a page reload to the resumed session', async () => {
    const hello = await client.request('hello');
    signature.held = true;
    client.send('sign', { key: 'auth', pin: AUTH_PIN, digestInfo: digest }, 'before-reload');
    await signature.started;
    await client.close();
    // The signature finishes while no page is there (its result is settled by promise callbacks,
    // all run before the next turn of the event loop).
    signature.finish();
    await new Promise((r) => setImmediate(r));
    const reloaded = await DriverClient.connect(server.port, ORIGIN);
    try {
      const again = await reloaded.request('hello', { resume: hello.result.session });
      // The resumed hello names what the driver still holds: the answer about to be delivered.
      expect(again.result).toMatchObject({ resumed: true, session: hello.result.session, holding: ['before-reload'] });
      const queued = await reloaded.waitFor((m) => m.re === 'before-reload');
      expect(queued.ok).toBe(true);
      expect(Buffer.from(queued.result.signature, 'base64')).toHaveLength(256);
    } finally {
      await reloaded.close();
    }
  });
});
