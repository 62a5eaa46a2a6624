import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates, householdMembers, households, persons, sessions, shelters } from '../../../platform/src/db/schema/index.js';
import { challengeMessage } from '../../../platform/src/identity/challenge.js';
import { issueNonce } from '../../../platform/src/identity/nonces.js';
import { loginBatchStats, writeLogins, type LoginWrite } from '../../../platform/src/identity/login.js';
import { digestInfoForMessage } from '../../../platform/src/shared/digest-info.js';
import { feedDevCrls } from '../../../platform/src/demo/dev-jpki.js';
import { DEMO_HOUSEHOLDS } from '../../../platform/src/demo/world.js';
import { verifyAuditChain, type AuditActor } from '../../../platform/src/identity/audit.js';
const TEST_ACTOR: AuditActor = { name: 'operator:test', organisationId: null };
import { provisionDevice } from '../../../platform/src/identity/devices.js';
import { exportLinkage, issueCard, renewCard, revokeCertificate, writeCardFile, readCardFile } from '../../../platform/src/jpki/dev-center/index.js';
import { buildTestApp } from '../../helpers/app.js';
import { CardInReader } from '../../helpers/card-in-reader.js';
import { copyFixtureCard, FIXTURE_CARDS } from '../../helpers/jpki-fixtures.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyRenewals } from '../../../platform/src/identity/certificate-lifecycle.js';

const t = await buildTestApp({}, { demo: true });
const { app, database } = t;
const [yamadaTv, satoTv] = DEMO_HOUSEHOLDS.map((h) => `Device ${h.tv.id}:${h.tv.secret}`) as [string, string];
const TARO = FIXTURE_CARDS['yamada-taro'];
const DIGEST = Buffer.from(digestInfoForMessage(new TextEncoder().encode('any challenge'))).toString('base64');
const HANAKO = FIXTURE_CARDS['yamada-hanako'];

async function post(url: string, device: string, payload: object = {}) {
  const res = await app.inject({ method: 'POST', url, headers: { authorization: device }, payload });
  return { status: res.statusCode, body: res.json() };
}

/** The TV's registration flow, through the reader driver's JPKI client and a virtual card. */
async function register(card: CardInReader, pins: { authPin: string; signPin: string }, device = yamadaTv, district = 'johana') {
  const draft = await post('/api/v1/registrations/drafts', device, { district });
  expect(draft.status).toBe(201);
  const sign = await card.sign('sign', pins.signPin, draft.body.sign.digestInfo);
  const auth = await card.sign('auth', pins.authPin, draft.body.auth.digestInfo);
  return post('/api/v1/registrations', device, {
    draftId: draft.body.draftId, signCertificate: sign.certificate, signSignature: sign.signature, authCertificate: auth.certificate, authSignature: auth.signature,
  });
}

async function loginWith(card: CardInReader, pin: string, device = yamadaTv) {
  const nonce = await post('/api/v1/nonces', device, { purpose: 'login' });
  expect(nonce.status).toBe(201);
  const signed = await card.sign('auth', pin, nonce.body.digestInfo);
  return { nonce: nonce.body.nonce, signed, res: await post('/api/v1/sessions', device, { nonce: nonce.body.nonce, certificate: signed.certificate, signature: signed.signature }) };
}

let taro: CardInReader;
let hanako: CardInReader;
beforeAll(async () => {
  taro = await CardInReader.insert('yamada-taro');
  hanako = await CardInReader.insert('yamada-hanako');
});
afterAll(async () => {
  await taro.close();
  await hanako.close();
});

describe('registration (初回紐付け)', () => {
  let registrationId: string;

  it('verifies the card signatures and returns the 基本4情報 to confirm', async () => {
    const res = await register(taro, TARO);
    expect(res.status).toBe(201);
    expect(res.body.personalData).toEqual({ name: TARO.name, dateOfBirth: TARO.birth, gender: TARO.gender, address: TARO.address });
    expect(res.body.personalData.name).toContain('\u3000');
    expect(res.body.district).toEqual({ code: 'johana', name: '城端地域' });
    registrationId = res.body.registrationId;
    // Nothing is stored about the person before they confirm.
    expect(await database.db.select().from(persons)).toHaveLength(0);
  });

  it('creates the person, links both certificates as one card and joins the household on confirm', async () => {
    const res = await post(`/api/v1/registrations/${registrationId}/confirm`, yamadaTv);
    expect(res.status).toBe(201);
    expect(res.body.created).toBe(true);
    const [person] = await database.db.select().from(persons).where(eq(persons.id, res.body.personId));
    expect(person).toMatchObject({ name: TARO.name, dateOfBirth: TARO.birth, status: 'active' });
    const certs = await database.db.select().from(certificates).where(eq(certificates.personId, res.body.personId));
    expect(certs.map((c) => c.purpose).sort()).toEqual(['auth', 'sign']);
    expect(new Set(certs.map((c) => c.cardId)).size).toBe(1);
    // The lookup key is a keyed hash: no serial in the table.
    for (const c of certs) expect(c.lookupKey).toMatch(/^[0-9a-f]{64}$/);
    expect(await database.db.select().from(householdMembers).where(eq(householdMembers.personId, res.body.personId))).toHaveLength(1);
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true });
  });

  it('refuses to confirm the same registration twice', async () => {
    expect((await post(`/api/v1/registrations/${registrationId}/confirm`, yamadaTv)).body.error.code).toBe('AUTH_REGISTRATION_EXPIRED');
  });

  it('refuses a sign signature over anything but the draft (PKI_SIGNATURE_INVALID)', async () => {
    const draft = await post('/api/v1/registrations/drafts', yamadaTv, { district: 'johana' });
    const other = await post('/api/v1/registrations/drafts', yamadaTv, { district: 'inami' });
    const sign = await hanako.sign('sign', HANAKO.signPin, other.body.sign.digestInfo);
    const auth = await hanako.sign('auth', HANAKO.authPin, draft.body.auth.digestInfo);
    const res = await post('/api/v1/registrations', yamadaTv, {
      draftId: draft.body.draftId, signCertificate: sign.certificate, signSignature: sign.signature, authCertificate: auth.certificate, authSignature: auth.signature,
    });
    expect(res.body.error.code).toBe('PKI_SIGNATURE_INVALID');
  });

  it('refuses an auth certificate in the sign slot (PKI_WRONG_PURPOSE)', async () => {
    const draft = await post('/api/v1/registrations/drafts', yamadaTv, { district: 'johana' });
    // The auth key signs the document's signed attributes: the signature is right, the purpose is not.
    const wrongKey = await hanako.sign('auth', HANAKO.authPin, draft.body.sign.digestInfo);
    const auth = await hanako.sign('auth', HANAKO.authPin, draft.body.auth.digestInfo);
    const res = await post('/api/v1/registrations', yamadaTv, {
      draftId: draft.body.draftId, signCertificate: wrongKey.certificate, signSignature: wrongKey.signature, authCertificate: auth.certificate, authSignature: auth.signature,
    });
    expect(res.body.error.code).toBe('PKI_WRONG_PURPOSE');
  });

  it('refuses a district the household cannot choose', async () => {
    expect((await post('/api/v1/registrations/drafts', yamadaTv, { district: 'atlantis' })).body.error.code).toBe('REQ_INVALID');
  });
});

describe('login', () => {
  it('opens a session for a registered household member and shows the name', async () => {
    const { res } = await loginWith(taro, TARO.authPin);
    expect(res.status).toBe(201);
    expect(res.body.person.name).toBe(TARO.name);
    expect(res.body.household.members.map((m: { name: string }) => m.name)).toEqual([TARO.name]);
    const current = await app.inject({ method: 'GET', url: '/api/v1/sessions/current', headers: { authorization: `Bearer ${res.body.token}`, 'x-device': yamadaTv.slice(7) } });
    expect(current.json().person.name).toBe(TARO.name);
    // Logout ends it.
    const out = await app.inject({ method: 'DELETE', url: '/api/v1/sessions/current', headers: { authorization: `Bearer ${res.body.token}`, 'x-device': yamadaTv.slice(7) } });
    expect(out.statusCode).toBe(204);
    const after = await app.inject({ method: 'GET', url: '/api/v1/sessions/current', headers: { authorization: `Bearer ${res.body.token}`, 'x-device': yamadaTv.slice(7) } });
    expect(after.json().error.code).toBe('AUTH_SESSION_EXPIRED');
  });

  it('refuses a session token on another TV', async () => {
    const { res } = await loginWith(taro, TARO.authPin);
    const elsewhere = await app.inject({ method: 'GET', url: '/api/v1/sessions/current', headers: { authorization: `Bearer ${res.body.token}`, 'x-device': satoTv.slice(7) } });
    expect(elsewhere.json().error.code).toBe('AUTH_REQUIRED');
  });

  it('refuses a replayed nonce (AUTH_NONCE_REPLAYED)', async () => {
    const { nonce, signed } = await loginWith(taro, TARO.authPin);
    const again = await post('/api/v1/sessions', yamadaTv, { nonce, certificate: signed.certificate, signature: signed.signature });
    expect(again.body.error.code).toBe('AUTH_NONCE_REPLAYED');
  });

  it('opens exactly one session when the same signed nonce arrives several times at once', async () => {
    const nonce = await post('/api/v1/nonces', yamadaTv, { purpose: 'login' });
    const signed = await taro.sign('auth', TARO.authPin, nonce.body.digestInfo);
    const before = await sessionCount();
    const body = { nonce: nonce.body.nonce, certificate: signed.certificate, signature: signed.signature };
    const results = await Promise.all([1, 2, 3, 4].map(() => post('/api/v1/sessions', yamadaTv, body)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 401, 401, 401]);
    expect(results.filter((r) => r.status === 401).map((r) => r.body.error.code)).toEqual(['AUTH_NONCE_REPLAYED', 'AUTH_NONCE_REPLAYED', 'AUTH_NONCE_REPLAYED']);
    expect(await sessionCount()).toBe(before + 1);
  });

  it('uses the nonce up on a refused attempt: the right signature afterwards is a replay', async () => {
    const nonce = await post('/api/v1/nonces', yamadaTv, { purpose: 'login' });
    const signed = await taro.sign('auth', TARO.authPin, nonce.body.digestInfo);
    const tampered = Buffer.from(signed.signature, 'base64');
    tampered[10]! ^= 0xff;
    const wrong = await post('/api/v1/sessions', yamadaTv, { nonce: nonce.body.nonce, certificate: signed.certificate, signature: tampered.toString('base64') });
    expect(wrong.body.error.code).toBe('PKI_SIGNATURE_INVALID');
    const right = await post('/api/v1/sessions', yamadaTv, { nonce: nonce.body.nonce, certificate: signed.certificate, signature: signed.signature });
    expect(right.body.error.code).toBe('AUTH_NONCE_REPLAYED');
  });

  it('reports a replay before anything else wrong with the attempt', async () => {
    const { nonce, signed } = await loginWith(taro, TARO.authPin);
    const res = await post('/api/v1/sessions', yamadaTv, { nonce, certificate: signed.certificate, signature: Buffer.alloc(256, 1).toString('base64') });
    expect(res.body.error.code).toBe('AUTH_NONCE_REPLAYED');
  });

  it('opens no session for a refusal the database decides, and uses the nonce up', async () => {
    const before = await sessionCount();
    const { nonce, signed, res } = await loginWith(taro, TARO.authPin, satoTv);
    expect(res.body.error.code).toBe('AUTH_NOT_HOUSEHOLD_MEMBER');
    expect(await sessionCount()).toBe(before);
    const again = await post('/api/v1/sessions', satoTv, { nonce, certificate: signed.certificate, signature: signed.signature });
    expect(again.body.error.code).toBe('AUTH_NONCE_REPLAYED');
  });

  it('a burst of logins at once: each gets its own outcome, and only the good ones open sessions', async () => {
    const challenge = async (card: CardInReader, pin: string, device: string) => {
      const nonce = await post('/api/v1/nonces', device, { purpose: 'login' });
      const signed = await card.sign('auth', pin, nonce.body.digestInfo);
      return { device, body: { nonce: nonce.body.nonce, certificate: signed.certificate, signature: signed.signature } };
    };
    const used = await loginWith(taro, TARO.authPin);
    expect(used.res.status).toBe(201);
    const attempts = [
      await challenge(taro, TARO.authPin, yamadaTv),
      await challenge(taro, TARO.authPin, yamadaTv),
      await challenge(hanako, HANAKO.authPin, yamadaTv),
      await challenge(taro, TARO.authPin, satoTv),
      { device: yamadaTv, body: { nonce: used.nonce, certificate: used.signed.certificate, signature: used.signed.signature } },
      await challenge(taro, TARO.authPin, yamadaTv),
    ];
    const before = { sessions: await sessionCount(), ...loginBatchStats(database.db) };
    const results = await Promise.all(attempts.map((a) => post('/api/v1/sessions', a.device, a.body)));
    expect(results.map((r) => r.body.error?.code ?? r.status)).toEqual([201, 201, 'AUTH_NOT_REGISTERED', 'AUTH_NOT_HOUSEHOLD_MEMBER', 'AUTH_NONCE_REPLAYED', 201]);
    expect(new Set(results.filter((r) => r.status === 201).map((r) => r.body.token)).size).toBe(3);
    expect(results[0]!.body.household.members.map((m: { name: string }) => m.name)).toEqual([TARO.name]);
    // All six went through the login writer (the replay is found by the statement itself).
    expect(loginBatchStats(database.db).inputs - before.inputs).toBe(6);
    expect(await sessionCount()).toBe(before.sessions + 3);
  });

  it('one login statement carrying many logins gives each its own outcome, in order', async () => {
    const lookupKey = async (certificate: string) => t.jpki.lookupKeyOf(await t.jpki.verify(t.jpki.parse(certificate), 'auth'));
    const taroKey = await lookupKey((await taro.sign('auth', TARO.authPin, DIGEST)).certificate);
    const hanakoKey = await lookupKey((await hanako.sign('auth', HANAKO.authPin, DIGEST)).certificate);
    const homes = await database.db.select().from(households);
    const [yamada, sato] = DEMO_HOUSEHOLDS.map((d) => ({ ...d, id: homes.find((h) => h.contractNo === d.contractNo)!.id }));
    const soon = new Date(Date.now() + 60_000);
    const write = (mac: string, key: string, household: typeof yamada): LoginWrite => ({
      mac, nonceExpiresAt: soon, lookupKey: key, householdId: household!.id, tokenHash: `hash-${mac}`, deviceId: household!.tv.id, expiresAt: soon,
    });
    const batch = [
      write('mac-batch-1', taroKey, yamada),
      write('mac-batch-2', hanakoKey, yamada),
      write('mac-batch-3', taroKey, sato),
      write('mac-batch-1-again-no', 'no-such-key', yamada),
      write('mac-batch-5', taroKey, yamada),
    ];
    const first = await writeLogins(database.db, batch);
    expect(first.map((r) => [r.fresh, r.personId !== null, r.isMember, r.sessionId !== null])).toEqual([
      [true, true, true, true],
      [true, false, null, false],
      [true, true, false, false],
      [true, false, null, false],
      [true, true, true, true],
    ]);
    expect(first[0]!.householdLabel).toBe(yamada!.label);
    expect(first[2]!.householdLabel).toBe(sato!.label);
    // The same batch again: every nonce is spent, nothing is opened.
    const again = await writeLogins(database.db, batch.map((w) => ({ ...w, tokenHash: `${w.tokenHash}-again` })));
    expect(again.map((r) => [r.fresh, r.sessionId])).toEqual(batch.map(() => [false, null]));
  });

  async function sessionCount() {
    const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(sessions);
    return Number(row!.n);
  }

  /** A nonce as the platform would have issued it, with any lifetime and purpose. */
  async function signedNonce(purpose: 'login' | 'register', ttlSeconds: number, deviceId = DEMO_HOUSEHOLDS[0].tv.id) {
    const { nonce } = issueNonce(t.config.nonceSecret, deviceId, purpose, ttlSeconds);
    const digest = Buffer.from(digestInfoForMessage(challengeMessage(nonce, purpose, deviceId))).toString('base64');
    return { nonce, ...(await taro.sign('auth', TARO.authPin, digest)) };
  }

  it('refuses an expired nonce (AUTH_NONCE_EXPIRED)', async () => {
    const res = await post('/api/v1/sessions', yamadaTv, await signedNonce('login', -5));
    expect(res.body.error.code).toBe('AUTH_NONCE_EXPIRED');
  });

  it('refuses a registration nonce for login (AUTH_NONCE_WRONG_PURPOSE)', async () => {
    const res = await post('/api/v1/sessions', yamadaTv, await signedNonce('register', 60));
    expect(res.body.error.code).toBe('AUTH_NONCE_WRONG_PURPOSE');
  });

  it('refuses a nonce whose sealed fields were changed (AUTH_NONCE_INVALID)', async () => {
    const genuine = await signedNonce('register', 60);
    const forged = { ...genuine, nonce: genuine.nonce.replace('.register.', '.login.') };
    expect((await post('/api/v1/sessions', yamadaTv, forged)).body.error.code).toBe('AUTH_NONCE_INVALID');
  });

  it('refuses a nonce issued to another device (AUTH_NONCE_WRONG_DEVICE)', async () => {
    const nonce = await post('/api/v1/nonces', satoTv, { purpose: 'login' });
    const signed = await taro.sign('auth', TARO.authPin, nonce.body.digestInfo);
    const res = await post('/api/v1/sessions', yamadaTv, { nonce: nonce.body.nonce, ...signed });
    expect(res.body.error.code).toBe('AUTH_NONCE_WRONG_DEVICE');
  });

  it('refuses an unknown nonce (AUTH_NONCE_INVALID)', async () => {
    const signed = await taro.sign('auth', TARO.authPin, (await post('/api/v1/nonces', yamadaTv, { purpose: 'login' })).body.digestInfo);
    const res = await post('/api/v1/sessions', yamadaTv, { nonce: 'A'.repeat(43), ...signed });
    expect(res.body.error.code).toBe('AUTH_NONCE_INVALID');
  });

  it('refuses the sign certificate for login (PKI_WRONG_PURPOSE)', async () => {
    const nonce = await post('/api/v1/nonces', yamadaTv, { purpose: 'login' });
    const signed = await taro.sign('sign', TARO.signPin, nonce.body.digestInfo);
    const res = await post('/api/v1/sessions', yamadaTv, { nonce: nonce.body.nonce, ...signed });
    expect(res.body.error.code).toBe('PKI_WRONG_PURPOSE');
  });

  it('refuses a signature over another challenge (PKI_SIGNATURE_INVALID)', async () => {
    const first = await post('/api/v1/nonces', yamadaTv, { purpose: 'login' });
    const second = await post('/api/v1/nonces', yamadaTv, { purpose: 'login' });
    const signed = await taro.sign('auth', TARO.authPin, first.body.digestInfo);
    const res = await post('/api/v1/sessions', yamadaTv, { nonce: second.body.nonce, ...signed });
    expect(res.body.error.code).toBe('PKI_SIGNATURE_INVALID');
  });

  it('refuses a card that is not registered (AUTH_NOT_REGISTERED)', async () => {
    const { res } = await loginWith(hanako, HANAKO.authPin);
    expect(res.body.error.code).toBe('AUTH_NOT_REGISTERED');
  });

  it('refuses a registered person on another household\'s TV (AUTH_NOT_HOUSEHOLD_MEMBER)', async () => {
    const { res } = await loginWith(taro, TARO.authPin, satoTv);
    expect(res.body.error.code).toBe('AUTH_NOT_HOUSEHOLD_MEMBER');
  });

  it('refuses a revoked certificate (PKI_REVOKED) — suzuki-jiro is on hold in the fixture CRL', async () => {
    const suzuki = await CardInReader.insert('suzuki-jiro');
    try {
      const { res } = await loginWith(suzuki, FIXTURE_CARDS['suzuki-jiro'].authPin);
      expect(res.body.error.code).toBe('PKI_REVOKED');
    } finally {
      await suzuki.close();
    }
  });

  it('refuses an expired certificate (PKI_EXPIRED)', async () => {
    const { card } = await issueCard(t.centerDir, { id: 'expired', name: '古川　進', birth: '1950-01-10', gender: '1', address: '富山県南砺市城端１番地', authPin: '1111', signPin: 'OLDCARD1', issued: '2016-03-01' });
    const path = join(mkdtempSync(join(tmpdir(), 'card-')), 'expired.json');
    await writeCardFile(path, card);
    const expired = await CardInReader.insert({ path });
    try {
      const { res } = await loginWith(expired, '1111');
      expect(res.body.error.code).toBe('PKI_EXPIRED');
    } finally {
      await expired.close();
    }
  });

  it('refuses a request without a device credential (AUTH_DEVICE_UNKNOWN)', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/nonces', payload: { purpose: 'login' } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('AUTH_DEVICE_UNKNOWN');
    const wrong = await post('/api/v1/nonces', `Device ${DEMO_HOUSEHOLDS[0].tv.id}:not-the-secret`, { purpose: 'login' });
    expect(wrong.body.error.code).toBe('AUTH_DEVICE_UNKNOWN');
  });
});

describe('who is watching, presence, services', () => {
  it('lists the household members for the TV picker with districts and consent', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/tv/household', headers: { authorization: yamadaTv } });
    expect(res.statusCode).toBe(200);
    expect(res.json().members.map((m: { name: string }) => m.name)).toEqual([TARO.name]);
    expect(res.json().districts.map((d: { code: string }) => d.code)).toContain('johana');
    expect(res.json().household.districtCode).toBe('johana');
    expect(res.json().consent.text).toContain('マイナンバー');
  });

  it('identifies a registered person from the certificate alone on a shelter tablet, at low assurance', async () => {
    const [shelter] = await database.db.select().from(shelters).limit(1);
    const tablet = await provisionDevice(database.db, { kind: 'tablet', shelterId: shelter!.id }, '受付タブレット', TEST_ACTOR);
    const res = await post('/api/v1/presence', tablet.credential, { certificate: await taro.authCertificate() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: TARO.name, assurance: 'low', revocationUnknown: false });
    // The household's own TV may ask (to say whose card is in its reader, before any PIN)...
    const own = await post('/api/v1/presence', yamadaTv, { certificate: await taro.authCertificate() });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ name: TARO.name, assurance: 'low' });
    // ...another household's TV learns nothing: the same answer as for an unknown card.
    const other = await post('/api/v1/presence', satoTv, { certificate: await taro.authCertificate() });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('AUTH_NOT_REGISTERED');
  });

  it('links and unlinks a service; a new link gets a new UID', async () => {
    const { res } = await loginWith(taro, TARO.authPin);
    const headers = { authorization: `Bearer ${res.body.token}`, 'x-device': yamadaTv.slice(7) };
    const providers = await database.db.query.serviceProviders.findMany();
    expect(providers.length).toBeGreaterThan(0);
    const provider = providers[0]!;
    expect((await app.inject({ method: 'POST', url: `/api/v1/me/services/${provider.id}`, headers })).statusCode).toBe(201);
    const listed = await app.inject({ method: 'GET', url: '/api/v1/me/services', headers });
    expect(listed.json().services.map((s: { providerId: string }) => s.providerId)).toEqual([provider.id]);
    const before = await database.db.query.serviceUids.findFirst();
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/me/services/${provider.id}`, headers })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/me/services', headers })).json().services).toEqual([]);
    await app.inject({ method: 'POST', url: `/api/v1/me/services/${provider.id}`, headers });
    const uids = await database.db.query.serviceUids.findMany();
    expect(uids).toHaveLength(2);
    expect(uids.find((u) => !u.unlinkedAt)!.uid).not.toBe(before!.uid);
  });
});

describe('certificate lifecycle', () => {
  it('a revoked sign certificate marks the person for re-confirmation; a revoked auth certificate ends logins', async () => {
    const [person] = await database.db.select().from(persons).where(eq(persons.name, TARO.name));
    const cardFile = await readCardFile(await copyFixtureCard('yamada-taro'));
    await revokeCertificate(t.centerDir, { card: cardFile, which: 'sign' }, 'affiliationChanged', { now: new Date(Date.now() - 60_000) });
    await revokeCertificate(t.centerDir, { card: cardFile, which: 'auth' }, 'keyCompromise', { now: new Date(Date.now() - 60_000) });
    await feedDevCrls(t.identity, t.centerDir);
    const [after] = await database.db.select().from(persons).where(eq(persons.id, person!.id));
    expect(after!.status).toBe('needs_reconfirmation');
    const certs = await database.db.select().from(certificates).where(eq(certificates.personId, person!.id));
    expect(certs.every((c) => c.status === 'revoked')).toBe(true);
    const { res } = await loginWith(taro, TARO.authPin);
    expect(res.body.error.code).toBe('PKI_REVOKED');
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true });
  });

  it('renewal linkage moves the person to the new card, which can log in', async () => {
    // 山田　花子 registers on the demo TV, then her card is renewed at the office.
    const registered = await register(hanako, HANAKO);
    expect(registered.status).toBe(201);
    const confirmed = await post(`/api/v1/registrations/${registered.body.registrationId}/confirm`, yamadaTv);
    const renewed = await renewCard(t.centerDir, await readCardFile(await copyFixtureCard('yamada-hanako')), { keepOld: true });
    const path = join(mkdtempSync(join(tmpdir(), 'card-')), 'renewed.json');
    await writeCardFile(path, renewed.card);
    const linkage = await exportLinkage(t.centerDir);
    const moved = await applyRenewals(t.identity, linkage);
    expect(moved.moved).toBe(2);
    const newCard = await CardInReader.insert({ path });
    try {
      const { res } = await loginWith(newCard, HANAKO.authPin);
      expect(res.status).toBe(201);
      expect(res.body.person.id).toBe(confirmed.body.personId);
    } finally {
      await newCard.close();
    }
    // The old card is superseded.
    expect((await loginWith(hanako, HANAKO.authPin)).res.body.error.code).toBe('PKI_REVOKED');
  });
});
