import { mkdtempSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDriverConfig } from '../../../reader-driver/src/config.js';
import { ReaderHub } from '../../../reader-driver/src/reader-hub.js';
import { VirtualBay } from '../../../reader-driver/src/transport/virtual-bay.js';
import { VirtualCard } from '../../../reader-driver/src/virtual-card/virtual-card.js';
import { startDriverServer, type DriverServer } from '../../../reader-driver/src/ws/server.js';
import { PlatformClient, PlatformError } from '../../../stb-ui/src/api/platform-client.js';
import { DriverError, ReaderClient, type ConnectionState, type ReaderClientOptions, type SocketLike } from '../../../stb-ui/src/api/reader-client.js';
import { IdentityFlow, type Home, type TestCard } from '../../helpers/identity-flow.js';

// The TV page's two clients in Node against the real servers, not fakes: ReaderClient over a real
// WebSocket to the reader driver's server (a virtual card in its bay), PlatformClient over real
// HTTP (fetch) to the Fastify app listening on loopback. The fakes in reader-client.test.ts and
// platform-client.test.ts pin the clients' edge cases; this file shows they speak the servers' protocol.

const ORIGIN = 'http://127.0.0.1:8080';
const READER = 'Living room reader';

const flow = await IdentityFlow.start();
const { app } = flow.t;
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

/** The next signature the card makes waits for `finish()`; `started` says it has begun. */
let gate: { begun: () => void; finished: Promise<void> } | null = null;
function holdNextSignature(): { started: Promise<void>; finish: () => void } {
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const started = new Promise<void>((resolve) => (gate = { begun: resolve, finished }));
  return { started, finish };
}
// The latency model sleeps SIGN_MS for a signature and nothing for any other command (all else 0).
const SIGN_MS = 5;
const cardSleep = async (ms: number): Promise<void> => {
  if (ms < SIGN_MS || !gate) return;
  const held = gate;
  gate = null;
  held.begun();
  await held.finished;
};

let home: Home;
let card: TestCard;
let driver: DriverServer;
let bay: VirtualBay;
beforeAll(async () => {
  home = await flow.home();
  card = await flow.card();
  await flow.registered(card, home);
  const [id, secret] = home.credential.slice('Device '.length).split(':') as [string, string];
  const config = loadDriverConfig({
    READER_PORT: '0',
    READER_ALLOWED_ORIGINS: ORIGIN,
    READER_RESUME_SECONDS: '30',
    READER_CONTROL_TOKEN_FILE: join(mkdtempSync(join(tmpdir(), 'drv-')), 'token'),
  });
  bay = new VirtualBay([READER]);
  const hub = new ReaderHub();
  hub.add(bay);
  driver = await startDriverServer({ config, hub, log: pino({ level: 'silent' }), demo: null, controlToken: 'control-token', device: { id, secret } });
});
afterAll(async () => {
  await driver.close();
});

/** A ReaderClient on a real WebSocket (`ws`, with the TV page's origin); `sockets` are the ones it opened. */
function readerClient(port = driver.port, options: ReaderClientOptions = {}) {
  const sockets: WebSocket[] = [];
  const client = new ReaderClient({
    ...options,
    url: `ws://127.0.0.1:${port}/v1`,
    socket: (url) => {
      const socket = new WebSocket(url, { origin: ORIGIN });
      // `ws` throws an error no one listens to when closed while connecting (a browser does not).
      socket.on('error', () => {});
      sockets.push(socket);
      return socket as unknown as SocketLike;
    },
    clientName: 'clients-against-servers',
    backoffMs: [20],
  });
  return { client, sockets };
}

/**
 * A TCP relay between the page and the driver that can cut the link as it dies in the field:
 * `silence()` drops every byte from then on, both ways, and answers no new connection (half-open:
 * a driver stopped with SIGSTOP, a cable pulled; no close frame, no FIN); `kill()` closes every
 * connection at once and refuses new ones (the driver process killed). `deafen()` drops only what
 * the driver sends (kept in `dropped`, as text) and `drop()` closes every connection but takes new
 * ones: together, an answer lost in a short drop.
 */
async function relay(port: number) {
  let silent = false;
  let deaf = false;
  let dropped = '';
  const sockets = new Set<Socket>();
  const server = createServer((page) => {
    const upstream = connect(port, '127.0.0.1');
    for (const s of [page, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        page.destroy();
        upstream.destroy();
      });
    }
    page.on('data', (bytes) => void (silent || upstream.write(bytes)));
    upstream.on('data', (bytes) => {
      if (deaf) dropped += bytes.toString('latin1');
      else if (!silent) page.write(bytes);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kill = () => {
    server.close();
    for (const s of sockets) s.destroy();
  };
  const drop = () => {
    deaf = false;
    for (const s of sockets) s.destroy();
  };
  return {
    port: (server.address() as { port: number }).port, silence: () => void (silent = true), kill,
    deafen: () => void (deaf = true), drop, dropped: () => dropped,
  };
}

/** How a promise stands after `ms`: its value, its error, or 'still waiting'. */
async function after<T>(ms: number, promise: Promise<T>): Promise<{ value: T } | { error: unknown } | 'still waiting'> {
  let timer!: ReturnType<typeof setTimeout>;
  const waited = new Promise<'still waiting'>((resolve) => (timer = setTimeout(() => resolve('still waiting'), ms)));
  try {
    return await Promise.race([promise.then((value) => ({ value }), (error: unknown) => ({ error })), waited]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when the client's connection reaches `state` (now, or on a later change). */
function reaches(client: ReaderClient, state: ConnectionState): Promise<void> {
  return new Promise((resolve) => {
    if (client.state === state) return resolve();
    const off = client.onChange(() => {
      if (client.state !== state) return;
      off();
      resolve();
    });
  });
}

/** A fresh card in the driver's bay (full PIN counters), the one registered in `beforeAll`. */
function insertCard(): void {
  if (bay.readers().find((r) => r.name === READER)?.cardPresent) bay.remove(READER);
  bay.insert(READER, new VirtualCard(card.file, { latency: { commandMs: 0, byteMs: 0, writeMs: 0, signMs: SIGN_MS }, sleep: cardSleep }));
}

describe('the TV page clients against the real reader driver and platform', () => {
  it('log in: device credential from the driver, nonce, card signature, session, then log out', async () => {
    insertCard();
    const { client: reader } = readerClient();
    reader.start();
    try {
      await reaches(reader, 'open');
      expect(reader.readers).toEqual([expect.objectContaining({ name: READER, cardPresent: true })]);
      const platform = new PlatformClient({ device: () => reader.deviceCredential(), base, fetch: (input, init) => fetch(input, init) });
      expect(await platform.health()).toMatchObject({ status: 'ok' });

      const nonce = await platform.createNonce('login');
      const signed = await reader.request('sign', { reader: READER, key: 'auth', pin: card.authPin, digestInfo: nonce.digestInfo, withCertificate: true });
      expect(signed.certificate).toMatch(/^[A-Za-z0-9+/]+=*$/);
      const session = await platform.createSession({ nonce: nonce.nonce, certificate: signed.certificate!, signature: signed.signature });
      expect(session.person.name).toBe(card.name);
      expect(platform.hasSession).toBe(true);
      expect((await platform.currentSession()).person).toEqual(session.person);

      // The same signed nonce again is a replay: the platform's catalogue error, coded.
      const replay = await platform.createSession({ nonce: nonce.nonce, certificate: signed.certificate!, signature: signed.signature }).catch((e: unknown) => e);
      expect(replay).toBeInstanceOf(PlatformError);
      expect(replay).toMatchObject({ code: 'AUTH_NONCE_REPLAYED', network: false });

      await platform.logout();
      expect(platform.hasSession).toBe(false);
    } finally {
      reader.stop();
    }
  });

  it('a wrong PIN is the driver\'s coded error with the tries left; the platform refuses an unknown device with its code', async () => {
    insertCard();
    const { client: reader } = readerClient();
    reader.start();
    try {
      await reaches(reader, 'open');
      const wrong = await reader.request('sign', { reader: READER, key: 'auth', pin: '0000', digestInfo: Buffer.alloc(51, 1).toString('base64') }).catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(DriverError);
      expect((wrong as DriverError).code).toBe('CARD_PIN_WRONG');
      expect(await reader.request('pin.status', { reader: READER, key: 'auth' })).toEqual({ key: 'auth', triesLeft: 2, blocked: false });

      const stranger = new PlatformClient({ device: { id: '00000000-0000-4000-8000-00000000dead', secret: 'nobody' }, base });
      await expect(stranger.createNonce('login')).rejects.toMatchObject({ code: 'AUTH_DEVICE_UNKNOWN', network: false });
    } finally {
      reader.stop();
    }
  });

  // A command sent into a link that is already dead but not yet seen closed must settle with
  // READER_UNAVAILABLE (the TV's no-driver advice) within a bound, not wait for the link forever.
  // The PIN is a wrong one: had it reached the card, the card would have one try fewer.
  for (const cut of ['silence', 'kill'] as const) {
    it(`a command sent into a link that just died (${cut === 'silence' ? 'half-open, no close' : 'driver killed'}) settles with READER_UNAVAILABLE within a bound, and no PIN try is spent`, async () => {
      insertCard();
      const line = await relay(driver.port);
      const { client: reader } = readerClient(line.port, { lossConfirmMs: 300 });
      const { client: direct } = readerClient();
      reader.start();
      direct.start();
      try {
        await reaches(reader, 'open');
        line[cut]();
        const sent = reader.request('sign', { reader: READER, key: 'auth', pin: '0000', digestInfo: Buffer.alloc(51, 1).toString('base64') });
        const outcome = await after(2_000, sent);
        expect(outcome).not.toBe('still waiting');
        expect((outcome as { error: DriverError }).error).toBeInstanceOf(DriverError);
        expect((outcome as { error: DriverError }).error.code).toBe('READER_UNAVAILABLE');
        await reaches(direct, 'open');
        expect(await direct.request('pin.status', { reader: READER, key: 'auth' })).toEqual({ key: 'auth', triesLeft: 3, blocked: false });
      } finally {
        reader.stop();
        direct.stop();
        line.kill();
      }
    });
  }

  it('a wrong PIN whose answer is lost in a short drop fails with READER_REQUEST_LOST once the link is back and resumed (not waiting for ever), and the card saw exactly one try', async () => {
    insertCard();
    const line = await relay(driver.port);
    // A loss bound far beyond the drop: the link is back and resumed well within it.
    const { client: reader, sockets } = readerClient(line.port, { lossConfirmMs: 10_000 });
    const { client: direct } = readerClient();
    reader.start();
    direct.start();
    try {
      await reaches(reader, 'open');
      await reaches(direct, 'open');
      // The driver answers (CARD_PIN_WRONG) into the link; the answer is lost, then the link drops.
      line.deafen();
      const sent = reader.send('sign', { reader: READER, key: 'auth', pin: '0000', digestInfo: Buffer.alloc(51, 1).toString('base64') });
      const outcome = after(5_000, sent.result);
      await expect.poll(() => line.dropped().includes(sent.id), { timeout: 5_000 }).toBe(true);
      line.drop();
      const settled = await outcome;
      expect(sockets.length).toBeGreaterThanOrEqual(2);
      expect(reader.state).toBe('open');
      expect(settled).not.toBe('still waiting');
      const error = (settled as { error: DriverError }).error;
      expect(error).toBeInstanceOf(DriverError);
      expect(error.code).toBe('READER_REQUEST_LOST');
      expect(error.unsent).toBe(false);
      expect(await direct.request('pin.status', { reader: READER, key: 'auth' })).toEqual({ key: 'auth', triesLeft: 2, blocked: false });
    } finally {
      reader.stop();
      direct.stop();
      line.kill();
    }
  });

  it('a signature that finishes while the link is down still arrives: the client reconnects and resumes its driver session', async () => {
    insertCard();
    const { client: reader, sockets } = readerClient();
    reader.start();
    try {
      await reaches(reader, 'open');
      const platform = new PlatformClient({ device: () => reader.deviceCredential(), base });
      const nonce = await platform.createNonce('login');
      const hold = holdNextSignature();
      const pending = reader.request('sign', { reader: READER, key: 'auth', pin: card.authPin, digestInfo: nonce.digestInfo, withCertificate: true });
      await hold.started;

      // The link closes mid-signature (as under a page reload). Closed with the WebSocket
      // handshake, so once the page sees it closed the driver has too, and keeps what finishes next.
      const reconnecting = reaches(reader, 'reconnecting');
      sockets[0]!.close();
      await reconnecting;
      hold.finish(); // the card finishes while the page is away
      await reaches(reader, 'open');
      expect(sockets).toHaveLength(2);

      const signed = await pending;
      const session = await platform.createSession({ nonce: nonce.nonce, certificate: signed.certificate!, signature: signed.signature });
      expect(session.person.name).toBe(card.name);
      await platform.logout();
    } finally {
      reader.stop();
    }
  });
});
