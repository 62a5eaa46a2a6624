import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDriverConfig } from '../../../reader-driver/src/config.js';
import { ReaderHub } from '../../../reader-driver/src/reader-hub.js';
import { VirtualBay } from '../../../reader-driver/src/transport/virtual-bay.js';
import type { DemoControl } from '../../../reader-driver/src/ws/handlers.js';
import { startDriverServer, type DriverServer } from '../../../reader-driver/src/ws/server.js';
import { ERRORS } from '../../../platform/src/shared/errors.js';
import { DriverClient } from '../../helpers/driver-client.js';

const ORIGIN = 'http://127.0.0.1:8080';
const CONTROL_TOKEN = 'control-token-for-tests';
const MAX_KEPT = 8;

/** A demo bay that only records what it was asked. */
const demoCalls: string[] = [];
const demo: DemoControl = {
  cards: () => [{ id: 'yamada-taro', label: '山田　太郎', insertedIn: null }],
  insert: async (card) => (demoCalls.push(`insert ${card}`), { name: 'Demo reader', cardPresent: true } as never),
  remove: async () => (demoCalls.push('remove'), null),
};

// A server of its own for each test: sessions one test's pages leave kept for resume must not
// count in another's (the churn tests count them).
let server: DriverServer;
beforeEach(async () => {
  const config = loadDriverConfig({
    READER_PORT: '0',
    READER_ALLOWED_ORIGINS: ORIGIN,
    READER_RESUME_SECONDS: '600', // far longer than the test: only the cap may drop kept sessions
    READER_MAX_KEPT_SESSIONS: String(MAX_KEPT),
    READER_CONTROL_TOKEN_FILE: join(mkdtempSync(join(tmpdir(), 'drv-')), 'token'),
  });
  const hub = new ReaderHub();
  hub.add(new VirtualBay(['Demo reader']));
  server = await startDriverServer({ config, hub, log: pino({ level: 'silent' }), demo, controlToken: CONTROL_TOKEN });
});
afterEach(() => server.close());

/** Opens a page connection, optionally says hello (learning its resume token), and closes it. */
async function cycle(hello: boolean): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/v1`, { origin: ORIGIN });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  if (hello) {
    ws.send(JSON.stringify({ v: 1, id: 'h', cmd: 'hello', client: 'churn' }));
    await new Promise((resolve) => ws.once('message', resolve));
  }
  ws.close();
  await new Promise((resolve) => ws.once('close', resolve));
}

/**
 * The server sees the close a moment after the client and says nothing when it has: ask until its
 * count is the one expected (bounded, so a session it never forgets fails the test).
 */
async function expectSessionCount(expected: number): Promise<void> {
  await expect.poll(() => server.sessionCount(), { timeout: 10_000 }).toBe(expected);
}

describe('reader driver: closed page sessions under churn', () => {
  it('forgets at once a page that closed without ever learning its token (2,000 cycles)', async () => {
    for (let i = 0; i < 2000; i++) await cycle(false);
    await expectSessionCount(0);
  });

  it(`keeps at most ${MAX_KEPT} closed sessions for resume, however many pages said hello and left (2,000 cycles)`, async () => {
    for (let i = 0; i < 2000; i++) await cycle(true);
    await expectSessionCount(MAX_KEPT);
  });

  it('still resumes the newest closed session', async () => {
    const page = await DriverClient.connect(server.port, ORIGIN);
    const hello = await page.request('hello', { client: 'reload' });
    await page.close();
    const reloaded = await DriverClient.connect(server.port, ORIGIN);
    const again = await reloaded.request('hello', { resume: hello.result.session });
    expect(again.result).toMatchObject({ resumed: true, session: hello.result.session });
    await reloaded.close();
  });
});

describe('reader driver: the demo card bay is for the control client only', () => {
  for (const cmd of ['demo.cards', 'demo.insert', 'demo.remove'] as const) {
    it(`refuses ${cmd} from a page (no control token) with WS_CONTROL_ONLY`, async () => {
      const page = await DriverClient.connect(server.port, ORIGIN);
      await page.request('hello', { client: 'page' });
      const answer = await page.request(cmd, cmd === 'demo.insert' ? { card: 'yamada-taro' } : {});
      expect(answer.ok).toBe(false);
      expect(answer.error).toEqual({ code: 'WS_CONTROL_ONLY', message: ERRORS.WS_CONTROL_ONLY.message, ja: ERRORS.WS_CONTROL_ONLY.ja });
      await page.close();
    });
  }

  it('lets the control client (x-control-token) use them', async () => {
    demoCalls.length = 0;
    const control = await DriverClient.connect(server.port, null, { 'x-control-token': CONTROL_TOKEN });
    expect((await control.request('demo.cards')).result.cards).toHaveLength(1);
    expect((await control.request('demo.insert', { card: 'yamada-taro' })).ok).toBe(true);
    expect((await control.request('demo.remove')).ok).toBe(true);
    expect(demoCalls).toEqual(['insert yamada-taro', 'remove']);
    await control.close();
  });

  it('a page cannot borrow the control session by resuming it: it never learns its token', async () => {
    const page = await DriverClient.connect(server.port, ORIGIN);
    const guessed = await page.request('hello', { resume: 'f'.repeat(32) });
    expect(guessed.result.resumed).toBe(false);
    expect((await page.request('demo.remove')).error.code).toBe('WS_CONTROL_ONLY');
    await page.close();
  });
});
