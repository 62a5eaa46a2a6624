import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { revokeCertificate, startOcspServer } from '../../../../platform/src/jpki/dev-center/index.js';
import { OcspClient } from '../../../../platform/src/jpki/ocsp/index.js';
import { FIXTURE_TIME } from '../../../helpers/jpki-fixtures.js';
import { ocspWorld, type OcspWorld } from './world.js';

const HOUR = 3600_000;
const options = { timeoutMs: 2000, skewMs: 5 * 60_000, maxAgeMs: 24 * HOUR };

let w: OcspWorld;
let server: Awaited<ReturnType<typeof startOcspServer>>;
let requests = 0;

beforeAll(async () => {
  w = await ocspWorld();
  // The server's clock is Date (faked below), so its thisUpdate follows the test's time.
  server = await startOcspServer({ dir: w.dir, port: 0, validityMs: HOUR });
  server.server.on('request', () => requests++);
});
afterAll(() => server.close());
afterEach(() => vi.useRealTimers());

const query = (card: 'yamada-taro' | 'suzuki-jiro') => ({ serial: w.fixtures.cards[card].auth.serial, issuer: w.auth03.der, url: server.url });

describe('OcspClient against the dev responder over HTTP', () => {
  it('asks, verifies and answers good and revoked', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: FIXTURE_TIME });
    const client = new OcspClient(options);
    expect(await client.check(query('yamada-taro'))).toMatchObject({ state: 'good', cached: false, signedBy: 'delegated' });
    expect(await client.check(query('suzuki-jiro'))).toMatchObject({ state: 'revoked', reason: 'certificateHold', cached: false });
  });

  it('serves the cached answer until nextUpdate, then asks again', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: FIXTURE_TIME });
    const client = new OcspClient(options);
    const first = await client.check(query('yamada-taro'));
    const asked = requests;
    vi.setSystemTime(FIXTURE_TIME.getTime() + HOUR); // exactly nextUpdate: still cached
    const second = await client.check(query('yamada-taro'));
    expect(second).toMatchObject({ state: 'good', cached: true });
    expect(Buffer.from(second.der).equals(Buffer.from(first.der))).toBe(true);
    expect(requests).toBe(asked);
    vi.setSystemTime(FIXTURE_TIME.getTime() + HOUR + 1);
    const third = await client.check(query('yamada-taro'));
    expect(third).toMatchObject({ state: 'good', cached: false });
    expect(third.thisUpdate).toEqual(new Date(FIXTURE_TIME.getTime() + HOUR));
    expect(requests).toBe(asked + 1);
  });

  it('a revocation recorded after a cached good answer shows once the cached answer reaches its nextUpdate, not before', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: FIXTURE_TIME });
    const client = new OcspClient(options);
    const hanako = { serial: w.fixtures.cards['yamada-hanako'].auth.serial, issuer: w.auth03.der, url: server.url };
    expect((await client.check(hanako)).state).toBe('good');
    await revokeCertificate(w.dir, { purpose: 'auth', serial: parseInt(hanako.serial, 16) }, 'keyCompromise', { date: new Date(FIXTURE_TIME.getTime() + 60_000) });
    vi.setSystemTime(FIXTURE_TIME.getTime() + 30 * 60_000);
    expect(await client.check(hanako)).toMatchObject({ state: 'good', cached: true });
    vi.setSystemTime(FIXTURE_TIME.getTime() + HOUR + 1);
    expect(await client.check(hanako)).toMatchObject({ state: 'revoked', reason: 'keyCompromise', cached: false });
  });

  it('responder down (connection refused) → PKI_OCSP_UNAVAILABLE', async () => {
    const down = await startOcspServer({ dir: w.dir, port: 0 });
    const url = down.url;
    await down.close();
    const client = new OcspClient(options);
    await expect(client.check({ ...query('yamada-taro'), url })).rejects.toMatchObject({ code: 'PKI_OCSP_UNAVAILABLE' });
  });

  it('responder that never answers → PKI_OCSP_UNAVAILABLE after the timeout', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now: FIXTURE_TIME });
    // A fetch that hangs until aborted, as a responder behind a dead link does.
    const hanging: typeof fetch = (_url, init) => new Promise((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(new Error('aborted'))));
    const client = new OcspClient({ ...options, fetch: hanging });
    const result = client.check(query('yamada-taro'));
    const settled = expect(result).rejects.toMatchObject({ code: 'PKI_OCSP_UNAVAILABLE', detail: 'no answer within 2000 ms' });
    await vi.advanceTimersByTimeAsync(options.timeoutMs);
    await settled;
  });

  it('an HTTP error from the responder → PKI_OCSP_UNAVAILABLE', async () => {
    const client = new OcspClient({ ...options, fetch: async () => new Response('down for maintenance', { status: 503 }) });
    await expect(client.check(query('yamada-taro'))).rejects.toMatchObject({ code: 'PKI_OCSP_UNAVAILABLE' });
  });
});
