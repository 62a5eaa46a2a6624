import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../../../platform/src/identity/audit.js';
import { DEMO_HOUSEHOLDS } from '../../../platform/src/demo/world.js';
import { provisionDevice } from '../../../platform/src/identity/devices.js';
import { ERRORS } from '../../../platform/src/shared/errors.js';
import { buildApp } from '../../../platform/src/app.js';
import { openDatabase } from '../../../platform/src/db/client.js';
import { buildTestApp } from '../../helpers/app.js';

/** Small limits so each case reaches them in a few calls; each case uses its own client IP. */
const PER_DEVICE = 3;
const PER_IP = 5;
const t = await buildTestApp({ rateLimitPerDevice: PER_DEVICE, rateLimitPerIp: PER_IP }, { demo: true });
const [yamada, sato] = DEMO_HOUSEHOLDS.map((h) => `Device ${h.tv.id}:${h.tv.secret}`) as [string, string];
/** A TV of its own for each case that must start with a full allowance. */
const newTv = (label: string) => provisionDevice(t.database.db, { kind: 'tv', householdContractNo: DEMO_HOUSEHOLDS[0].contractNo }, label, CLI_ACTOR);

async function post(url: string, authorization: string, ip: string, payload: object) {
  const res = await t.app.inject({ method: 'POST', url, headers: { authorization }, remoteAddress: ip, payload });
  return { status: res.statusCode, body: res.json(), retryAfter: res.headers['retry-after'] };
}

function expectRateLimited(res: Awaited<ReturnType<typeof post>>) {
  expect(res.status).toBe(429);
  expect(res.body.error).toMatchObject({ code: 'REQ_RATE_LIMITED', message: ERRORS.REQ_RATE_LIMITED.message, ja: ERRORS.REQ_RATE_LIMITED.ja });
  const seconds = Number(res.retryAfter);
  expect(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60, `Retry-After ${res.retryAfter}`).toBe(true);
  expect(res.body.error.details).toEqual({ retryAfterSeconds: seconds });
}

const nonce = (device: string, ip: string) => post('/api/v1/nonces', device, ip, { purpose: 'login' });

describe('rate limits on the card routes', () => {
  it(`refuses the ${PER_DEVICE + 1}th nonce a minute from one TV with REQ_RATE_LIMITED and Retry-After`, async () => {
    for (let i = 0; i < PER_DEVICE; i++) expect((await nonce(yamada, '10.0.0.1')).status).toBe(201);
    expectRateLimited(await nonce(yamada, '10.0.0.1'));
    // The limit is the TV's, wherever it calls from; another TV is not affected.
    expectRateLimited(await nonce(yamada, '10.0.0.2'));
    expect((await nonce(sato, '10.0.0.3')).status).toBe(201);
  });

  it(`refuses the ${PER_IP + 1}th call a minute from one IP, whatever devices it names`, async () => {
    const ip = '10.0.1.1';
    const tv = (await newTv('寝室のテレビ')).credential;
    for (let i = 0; i < 3; i++) expect((await nonce(tv, ip)).status).toBe(201);
    // Guessed credentials (a known TV id, wrong secrets) are refused, and counted against the IP.
    const guess = `Device ${DEMO_HOUSEHOLDS[0].tv.id}:wrong-secret`;
    expect((await nonce(guess, ip)).body.error.code).toBe('AUTH_DEVICE_UNKNOWN');
    expect((await nonce(`${guess}2`, ip)).body.error.code).toBe('AUTH_DEVICE_UNKNOWN');
    expectRateLimited(await nonce(`${guess}3`, ip));
    expectRateLimited(await nonce(yamada, ip));
  });

  it("a caller who knows a TV's id but not its secret does not use up that TV's allowance", async () => {
    const victim = await newTv('客間のテレビ');
    const attempts = [];
    for (let i = 0; i < PER_DEVICE + 2; i++) attempts.push((await nonce(`Device ${victim.id}:not-the-secret`, `10.0.2.${i}`)).body.error.code);
    // The guesses fill a bucket of their own (the last ones are refused before the lookup) …
    expect(attempts).toEqual([...Array(PER_DEVICE).fill('AUTH_DEVICE_UNKNOWN'), 'REQ_RATE_LIMITED', 'REQ_RATE_LIMITED']);
    // … and the TV itself still gets its nonce.
    expect((await nonce(`Device ${victim.id}:${victim.secret}`, '10.0.2.100')).status).toBe(201);
  });

  it('limits logins (POST /api/v1/sessions) per TV, before any verification', async () => {
    const ip = '10.0.3.1';
    const login = () => post('/api/v1/sessions', yamada, ip, { nonce: 'x', certificate: 'AAAA', signature: 'AAAA' });
    for (let i = 0; i < PER_DEVICE; i++) expect((await login()).status).not.toBe(429);
    expectRateLimited(await login());
  });

  it('limits registration drafts per TV, counted apart from nonces and logins', async () => {
    const ip = '10.0.4.1';
    const draft = () => post('/api/v1/registrations/drafts', sato, ip, { district: 'inami' });
    for (let i = 0; i < PER_DEVICE; i++) expect((await draft()).status).toBe(201);
    expectRateLimited(await draft());
  });

  it('counts calls arriving at once exactly: of 10 nonces from one TV at once, 3 are given', async () => {
    const tv = (await newTv('台所のテレビ')).credential;
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => nonce(tv, `10.0.6.${i}`)));
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(PER_DEVICE).fill(201), ...Array(10 - PER_DEVICE).fill(429)]);
  });

  it('holds across platform processes sharing the database: calls spread over two count against one limit', async () => {
    // A second process: its own app and, on PostgreSQL, its own connection pool to the same database.
    const handle = t.database.url ? await openDatabase({ databaseUrl: t.database.url, dataDir: null }) : t.database;
    const other = await buildApp({ config: t.config, database: handle, jpki: t.jpki });
    try {
      const tv = (await newTv('二階のテレビ')).credential;
      const inject = (app: typeof t.app) => app.inject({ method: 'POST', url: '/api/v1/nonces', headers: { authorization: tv }, remoteAddress: '10.0.7.1', payload: { purpose: 'login' } });
      const statuses = [];
      for (const app of [t.app, other, t.app, other, t.app]) statuses.push((await inject(app)).statusCode);
      expect(statuses).toEqual([201, 201, 201, 429, 429]);
    } finally {
      await other.close();
      if (handle !== t.database) await handle.close();
    }
  });

  it('a staff login challenge (no credentials) has only its IP limit: staff at different desks never share a bucket', async () => {
    const challenge = (ip: string) => t.app.inject({ method: 'POST', url: '/api/v1/console/nonces', remoteAddress: ip, payload: { clientId: randomUUID() } });
    for (let desk = 0; desk < 2; desk++) {
      for (let i = 0; i < PER_IP; i++) expect((await challenge(`10.0.8.${desk}`)).statusCode).toBe(201);
    }
    const over = await challenge('10.0.8.0');
    expect([over.statusCode, over.json().error.code]).toEqual([429, 'REQ_RATE_LIMITED']);
  });

  it('keeps no client address in the database: counters are keyed by a hash', async () => {
    await nonce(yamada, '10.0.9.77');
    const { rows } = await t.database.db.execute(sql`select key from rate_limit_windows`) as unknown as { rows: { key: string }[] };
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.key.includes('10.0.9.77') || r.key.includes('nonces'))).toEqual([]);
  });

  it('leaves routes without a limit alone (the household view)', async () => {
    for (let i = 0; i < PER_IP + 2; i++) {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/tv/household', headers: { authorization: yamada }, remoteAddress: '10.0.5.1' });
      expect(res.statusCode).toBe(200);
    }
  });
});
