import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { challengeMessage } from '../../../platform/src/identity/challenge.js';
import { loginBatchStats, writeLogins, type LoginWrite } from '../../../platform/src/identity/login.js';
import { issueNonce } from '../../../platform/src/identity/nonces.js';
import { issueCard, writeCardFile } from '../../../platform/src/jpki/dev-center/index.js';
import { digestInfoForMessage } from '../../../platform/src/shared/digest-info.js';
import { CardInReader } from '../../helpers/card-in-reader.js';
import { IdentityFlow, type Home, type TestCard } from '../../helpers/identity-flow.js';
import { FIXTURE_CARDS } from '../../helpers/jpki-fixtures.js';

// identity/login.ts through the routes (nonce → card signature → session) and its batched writer.
const flow = await IdentityFlow.start();
const { app, database } = flow.t;
const DIGEST = Buffer.from(digestInfoForMessage(new TextEncoder().encode('any challenge'))).toString('base64');

/** A household with one registered member (the card's holder). */
async function memberAtHome(): Promise<{ home: Home; card: TestCard; personId: string }> {
  const [home, card] = [await flow.home(), await flow.card()];
  return { home, card, personId: await flow.registered(card, home) };
}

/** A nonce as the platform would have issued it, with any lifetime and purpose, signed by the card. */
async function signedNonce(card: TestCard, purpose: 'login' | 'register', ttlSeconds: number, deviceId: string) {
  const { nonce } = issueNonce(flow.t.config.nonceSecret, deviceId, purpose, ttlSeconds);
  const digest = Buffer.from(digestInfoForMessage(challengeMessage(nonce, purpose, deviceId))).toString('base64');
  return { nonce, ...(await card.reader.sign('auth', card.authPin, digest)) };
}

describe('login', () => {
  it('opens a session for a registered household member and shows the name', async () => {
    const { home, card } = await memberAtHome();
    const { res } = await flow.login(card, home);
    expect(res.status).toBe(201);
    expect(res.body.person.name).toBe(card.name);
    expect(res.body.household.members.map((m: { name: string }) => m.name)).toEqual([card.name]);
    const headers = flow.sessionHeaders(res.body.token, home);
    const current = await app.inject({ method: 'GET', url: '/api/v1/sessions/current', headers });
    expect(current.json().person.name).toBe(card.name);
    // Logout ends it.
    const out = await app.inject({ method: 'DELETE', url: '/api/v1/sessions/current', headers });
    expect(out.statusCode).toBe(204);
    const after = await app.inject({ method: 'GET', url: '/api/v1/sessions/current', headers });
    expect(after.json().error.code).toBe('AUTH_SESSION_EXPIRED');
  });

  it('refuses a session token on another TV', async () => {
    const { home, card } = await memberAtHome();
    const elsewhere = await flow.home();
    const { res } = await flow.login(card, home);
    const other = await app.inject({ method: 'GET', url: '/api/v1/sessions/current', headers: flow.sessionHeaders(res.body.token, elsewhere) });
    expect(other.json().error.code).toBe('AUTH_REQUIRED');
  });

  it('refuses a replayed nonce (AUTH_NONCE_REPLAYED)', async () => {
    const { home, card } = await memberAtHome();
    const { nonce, signed, res } = await flow.login(card, home);
    expect(res.status).toBe(201);
    const again = await flow.post('/api/v1/sessions', home.credential, { nonce, certificate: signed.certificate, signature: signed.signature });
    expect(again.body.error.code).toBe('AUTH_NONCE_REPLAYED');
  });

  it('opens exactly one session when the same signed nonce arrives several times at once', async () => {
    const { home, card } = await memberAtHome();
    const nonce = await flow.post('/api/v1/nonces', home.credential, { purpose: 'login' });
    const signed = await card.reader.sign('auth', card.authPin, nonce.body.digestInfo);
    const before = await flow.sessionCount();
    const body = { nonce: nonce.body.nonce, certificate: signed.certificate, signature: signed.signature };
    const results = await Promise.all([1, 2, 3, 4].map(() => flow.post('/api/v1/sessions', home.credential, body)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 401, 401, 401]);
    expect(results.filter((r) => r.status === 401).map((r) => r.body.error.code)).toEqual(['AUTH_NONCE_REPLAYED', 'AUTH_NONCE_REPLAYED', 'AUTH_NONCE_REPLAYED']);
    expect(await flow.sessionCount()).toBe(before + 1);
  });

  it('uses the nonce up on a refused attempt: the right signature afterwards is a replay', async () => {
    const { home, card } = await memberAtHome();
    const nonce = await flow.post('/api/v1/nonces', home.credential, { purpose: 'login' });
    const signed = await card.reader.sign('auth', card.authPin, nonce.body.digestInfo);
    const tampered = Buffer.from(signed.signature, 'base64');
    tampered[10]! ^= 0xff;
    const wrong = await flow.post('/api/v1/sessions', home.credential, { nonce: nonce.body.nonce, certificate: signed.certificate, signature: tampered.toString('base64') });
    expect(wrong.body.error.code).toBe('PKI_SIGNATURE_INVALID');
    const right = await flow.post('/api/v1/sessions', home.credential, { nonce: nonce.body.nonce, certificate: signed.certificate, signature: signed.signature });
    expect(right.body.error.code).toBe('AUTH_NONCE_REPLAYED');
  });

  it('reports a replay before anything else wrong with the attempt', async () => {
    const { home, card } = await memberAtHome();
    const { nonce, signed } = await flow.login(card, home);
    const res = await flow.post('/api/v1/sessions', home.credential, { nonce, certificate: signed.certificate, signature: Buffer.alloc(256, 1).toString('base64') });
    expect(res.body.error.code).toBe('AUTH_NONCE_REPLAYED');
  });

  it('opens no session for a refusal the database decides, and uses the nonce up', async () => {
    const { card } = await memberAtHome();
    const elsewhere = await flow.home();
    const before = await flow.sessionCount();
    const { nonce, signed, res } = await flow.login(card, elsewhere);
    expect(res.body.error.code).toBe('AUTH_NOT_HOUSEHOLD_MEMBER');
    expect(await flow.sessionCount()).toBe(before);
    const again = await flow.post('/api/v1/sessions', elsewhere.credential, { nonce, certificate: signed.certificate, signature: signed.signature });
    expect(again.body.error.code).toBe('AUTH_NONCE_REPLAYED');
  });

  it('a burst of logins at once: each gets its own outcome, and only the good ones open sessions', async () => {
    const { home, card } = await memberAtHome();
    const stranger = await flow.card();
    const elsewhere = await flow.home();
    const challenge = async (c: TestCard, device: string) => {
      const nonce = await flow.post('/api/v1/nonces', device, { purpose: 'login' });
      const signed = await c.reader.sign('auth', c.authPin, nonce.body.digestInfo);
      return { device, body: { nonce: nonce.body.nonce, certificate: signed.certificate, signature: signed.signature } };
    };
    const used = await flow.login(card, home);
    expect(used.res.status).toBe(201);
    const attempts = [
      await challenge(card, home.credential),
      await challenge(card, home.credential),
      await challenge(stranger, home.credential),
      await challenge(card, elsewhere.credential),
      { device: home.credential, body: { nonce: used.nonce, certificate: used.signed.certificate, signature: used.signed.signature } },
      await challenge(card, home.credential),
    ];
    const before = { sessions: await flow.sessionCount(), ...loginBatchStats(database.db) };
    const results = await Promise.all(attempts.map((a) => flow.post('/api/v1/sessions', a.device, a.body)));
    expect(results.map((r) => r.body.error?.code ?? r.status)).toEqual([201, 201, 'AUTH_NOT_REGISTERED', 'AUTH_NOT_HOUSEHOLD_MEMBER', 'AUTH_NONCE_REPLAYED', 201]);
    expect(new Set(results.filter((r) => r.status === 201).map((r) => r.body.token)).size).toBe(3);
    expect(results[0]!.body.household.members.map((m: { name: string }) => m.name)).toEqual([card.name]);
    // All six went through the login writer (the replay is found by the statement itself).
    expect(loginBatchStats(database.db).inputs - before.inputs).toBe(6);
    expect(await flow.sessionCount()).toBe(before.sessions + 3);
  });

  it('one login statement carrying many logins gives each its own outcome, in order', async () => {
    const { home, card } = await memberAtHome();
    const stranger = await flow.card();
    const elsewhere = await flow.home();
    const lookupKey = async (certificate: string) => flow.t.jpki.lookupKeyOf(await flow.t.jpki.verify(flow.t.jpki.parse(certificate), 'auth'));
    const memberKey = await lookupKey((await card.reader.sign('auth', card.authPin, DIGEST)).certificate);
    const strangerKey = await lookupKey((await stranger.reader.sign('auth', stranger.authPin, DIGEST)).certificate);
    const soon = new Date(Date.now() + 60_000);
    const run = randomBytes(4).toString('hex');
    const write = (mac: string, key: string, at: Home): LoginWrite => ({
      mac: `${mac}-${run}`, nonceExpiresAt: soon, lookupKey: key, householdId: at.householdId, tokenHash: `hash-${mac}-${run}`, deviceId: at.deviceId, expiresAt: soon,
    });
    const batch = [
      write('mac-batch-1', memberKey, home),
      write('mac-batch-2', strangerKey, home),
      write('mac-batch-3', memberKey, elsewhere),
      write('mac-batch-1-again-no', 'no-such-key', home),
      write('mac-batch-5', memberKey, home),
    ];
    const first = await writeLogins(database.db, batch);
    expect(first.map((r) => [r.fresh, r.personId !== null, r.isMember, r.sessionId !== null])).toEqual([
      [true, true, true, true],
      [true, false, null, false],
      [true, true, false, false],
      [true, false, null, false],
      [true, true, true, true],
    ]);
    expect(first[0]!.householdLabel).toBe(home.label);
    expect(first[2]!.householdLabel).toBe(elsewhere.label);
    // The same batch again: every nonce is spent, nothing is opened.
    const again = await writeLogins(database.db, batch.map((w) => ({ ...w, tokenHash: `${w.tokenHash}-again` })));
    expect(again.map((r) => [r.fresh, r.sessionId])).toEqual(batch.map(() => [false, null]));
  });

  it('refuses an expired nonce (AUTH_NONCE_EXPIRED)', async () => {
    const { home, card } = await memberAtHome();
    const res = await flow.post('/api/v1/sessions', home.credential, await signedNonce(card, 'login', -5, home.deviceId));
    expect(res.body.error.code).toBe('AUTH_NONCE_EXPIRED');
  });

  it('refuses a registration nonce for login (AUTH_NONCE_WRONG_PURPOSE)', async () => {
    const { home, card } = await memberAtHome();
    const res = await flow.post('/api/v1/sessions', home.credential, await signedNonce(card, 'register', 60, home.deviceId));
    expect(res.body.error.code).toBe('AUTH_NONCE_WRONG_PURPOSE');
  });

  it('refuses a nonce whose sealed fields were changed (AUTH_NONCE_INVALID)', async () => {
    const { home, card } = await memberAtHome();
    const genuine = await signedNonce(card, 'register', 60, home.deviceId);
    const forged = { ...genuine, nonce: genuine.nonce.replace('.register.', '.login.') };
    expect(forged.nonce).not.toBe(genuine.nonce);
    expect((await flow.post('/api/v1/sessions', home.credential, forged)).body.error.code).toBe('AUTH_NONCE_INVALID');
  });

  for (const { what, code, ...refusal } of [
    { what: 'a nonce issued to another device', code: 'AUTH_NONCE_WRONG_DEVICE', issuedTo: 'another TV', key: 'auth', over: 'the sent nonce' },
    { what: 'the sign certificate for login', code: 'PKI_WRONG_PURPOSE', issuedTo: 'this TV', key: 'sign', over: 'the sent nonce' },
    { what: 'a signature over another challenge', code: 'PKI_SIGNATURE_INVALID', issuedTo: 'this TV', key: 'auth', over: 'another nonce' },
  ] as const) {
    it(`refuses ${what} (${code})`, async () => {
      const { issuedTo, key, over } = refusal;
      const { home, card } = await memberAtHome();
      const issuer = issuedTo === 'this TV' ? home : await flow.home();
      const sent = await flow.post('/api/v1/nonces', issuer.credential, { purpose: 'login' });
      const signedOver = over === 'the sent nonce' ? sent : await flow.post('/api/v1/nonces', home.credential, { purpose: 'login' });
      const signed = await card.reader.sign(key, key === 'auth' ? card.authPin : card.signPin, signedOver.body.digestInfo);
      const res = await flow.post('/api/v1/sessions', home.credential, { nonce: sent.body.nonce, ...signed });
      expect(res.body.error.code).toBe(code);
    });
  }

  it('refuses an unknown nonce (AUTH_NONCE_INVALID)', async () => {
    const { home, card } = await memberAtHome();
    const signed = await card.reader.sign('auth', card.authPin, (await flow.post('/api/v1/nonces', home.credential, { purpose: 'login' })).body.digestInfo);
    const res = await flow.post('/api/v1/sessions', home.credential, { nonce: 'A'.repeat(43), ...signed });
    expect(res.body.error.code).toBe('AUTH_NONCE_INVALID');
  });

  it('refuses a card that is not registered (AUTH_NOT_REGISTERED)', async () => {
    const [home, stranger] = [await flow.home(), await flow.card()];
    const { res } = await flow.login(stranger, home);
    expect(res.body.error.code).toBe('AUTH_NOT_REGISTERED');
  });

  it('refuses a registered person on another household\'s TV (AUTH_NOT_HOUSEHOLD_MEMBER)', async () => {
    const { card } = await memberAtHome();
    const { res } = await flow.login(card, await flow.home());
    expect(res.body.error.code).toBe('AUTH_NOT_HOUSEHOLD_MEMBER');
  });

  it('refuses a revoked certificate (PKI_REVOKED) — suzuki-jiro is on hold in the fixture CRL', async () => {
    const home = await flow.home();
    const suzuki = await CardInReader.insert('suzuki-jiro');
    try {
      const { res } = await flow.login({ reader: suzuki, authPin: FIXTURE_CARDS['suzuki-jiro'].authPin }, home);
      expect(res.body.error.code).toBe('PKI_REVOKED');
    } finally {
      await suzuki.close();
    }
  });

  it('refuses an expired certificate (PKI_EXPIRED)', async () => {
    const home = await flow.home();
    const { card } = await issueCard(flow.t.centerDir, { id: `expired-${randomBytes(4).toString('hex')}`, name: '古川　進', birth: '1950-01-10', gender: '1', address: '富山県南砺市城端１番地', authPin: '1111', signPin: 'OLDCARD1', issued: '2016-03-01' });
    const path = join(mkdtempSync(join(tmpdir(), 'card-')), 'expired.json');
    await writeCardFile(path, card);
    const expired = await CardInReader.insert({ path });
    try {
      const { res } = await flow.login({ reader: expired, authPin: '1111' }, home);
      expect(res.body.error.code).toBe('PKI_EXPIRED');
    } finally {
      await expired.close();
    }
  });

  it('refuses a request without a device credential (AUTH_DEVICE_UNKNOWN)', async () => {
    const home = await flow.home();
    const res = await app.inject({ method: 'POST', url: '/api/v1/nonces', payload: { purpose: 'login' } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('AUTH_DEVICE_UNKNOWN');
    const wrong = await flow.post('/api/v1/nonces', `Device ${home.deviceId}:not-the-secret`, { purpose: 'login' });
    expect(wrong.body.error.code).toBe('AUTH_DEVICE_UNKNOWN');
  });
});
