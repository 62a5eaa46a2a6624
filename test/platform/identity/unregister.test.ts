import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, certificates, householdMembers, persons, serviceUids, signedDocuments } from '../../../platform/src/db/schema/index.js';
import { verifyAuditChain } from '../../../platform/src/identity/audit.js';
import { DEMO_HOUSEHOLDS, DEMO_MUNICIPALITY, DEMO_OPERATOR } from '../../../platform/src/demo/world.js';
import { buildTestApp } from '../../helpers/app.js';
import { CardInReader } from '../../helpers/card-in-reader.js';
import { FIXTURE_CARDS } from '../../helpers/jpki-fixtures.js';

// Issue 11 item 11: a resident cancels their own registration from the TV (the consent promises
// it), and the TV's help screen gets the operator's and the municipality's phone numbers.

const t = await buildTestApp({}, { demo: true });
const { app, database } = t;
const [yamadaTv, satoTv] = DEMO_HOUSEHOLDS.map((h) => `Device ${h.tv.id}:${h.tv.secret}`) as [string, string];
const TARO = FIXTURE_CARDS['yamada-taro'];
const HANAKO = FIXTURE_CARDS['yamada-hanako'];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, payload?: object) {
  const res = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: (res.body ? res.json() : null) as Json };
}
const device = (tv: string) => ({ authorization: tv });

async function registerAndConfirm(card: CardInReader, pins: { authPin: string; signPin: string }) {
  const draft = await call('POST', '/api/v1/registrations/drafts', device(yamadaTv), { district: 'johana' });
  const sign = await card.sign('sign', pins.signPin, draft.body.sign.digestInfo);
  const auth = await card.sign('auth', pins.authPin, draft.body.auth.digestInfo);
  const submitted = await call('POST', '/api/v1/registrations', device(yamadaTv), {
    draftId: draft.body.draftId, signCertificate: sign.certificate, signSignature: sign.signature, authCertificate: auth.certificate, authSignature: auth.signature,
  });
  expect(submitted.status).toBe(201);
  const confirmed = await call('POST', `/api/v1/registrations/${submitted.body.registrationId}/confirm`, device(yamadaTv), {});
  expect(confirmed.status).toBe(201);
  return confirmed.body.personId as string;
}

/** A session of the card's person on the Yamada TV; returns the headers its requests carry. */
async function logIn(card: CardInReader, pin: string) {
  const nonce = await call('POST', '/api/v1/nonces', device(yamadaTv), { purpose: 'login' });
  const signed = await card.sign('auth', pin, nonce.body.digestInfo);
  const res = await call('POST', '/api/v1/sessions', device(yamadaTv), { nonce: nonce.body.nonce, certificate: signed.certificate, signature: signed.signature });
  expect(res.status).toBe(201);
  return { authorization: `Bearer ${res.body.token}`, 'x-device': yamadaTv.slice('Device '.length) };
}

/** The card signs a fresh nonce of `purpose` (unregister unless said). */
async function cardSays(card: CardInReader, pin: string, purpose: 'unregister' | 'login' = 'unregister') {
  const nonce = await call('POST', '/api/v1/nonces', device(yamadaTv), { purpose });
  expect(nonce.status).toBe(201);
  const signed = await card.sign('auth', pin, nonce.body.digestInfo);
  return { nonce: nonce.body.nonce as string, certificate: signed.certificate, signature: signed.signature };
}

let taro: CardInReader;
let hanako: CardInReader;
let taroId: string;
let hanakoId: string;
beforeAll(async () => {
  taro = await CardInReader.insert('yamada-taro');
  hanako = await CardInReader.insert('yamada-hanako');
  taroId = await registerAndConfirm(taro, TARO);
  hanakoId = await registerAndConfirm(hanako, HANAKO);
});
afterAll(async () => {
  await taro.close();
  await hanako.close();
});

describe('help contacts (GET /api/v1/tv/help)', () => {
  it("gives the household's cable operator and municipality with their phone numbers", async () => {
    const res = await call('GET', '/api/v1/tv/help', device(yamadaTv));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      operator: { name: DEMO_OPERATOR.name, phone: DEMO_OPERATOR.helpPhone },
      municipality: { name: DEMO_MUNICIPALITY.name, phone: DEMO_MUNICIPALITY.helpPhone },
    });
  });

  it('is for a known device only (AUTH_DEVICE_UNKNOWN)', async () => {
    const res = await call('GET', '/api/v1/tv/help', { authorization: `Device ${DEMO_HOUSEHOLDS[0].tv.id}:wrong-secret` });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_DEVICE_UNKNOWN');
  });
});

describe('cancelling my registration (DELETE /api/v1/me/registration)', () => {
  it('needs a session (AUTH_REQUIRED)', async () => {
    const res = await call('DELETE', '/api/v1/me/registration', { 'x-device': yamadaTv.slice('Device '.length) }, await cardSays(taro, TARO.authPin));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_REQUIRED');
  });

  it("refuses another member's card, even of the same household (AUTH_CARD_NOT_YOURS)", async () => {
    const session = await logIn(taro, TARO.authPin);
    const res = await call('DELETE', '/api/v1/me/registration', session, await cardSays(hanako, HANAKO.authPin));
    expect(res.body.error?.code).toBe('AUTH_CARD_NOT_YOURS');
    expect(res.status).toBe(403);
    expect((await call('GET', '/api/v1/sessions/current', session)).status).toBe(200);
  });

  it('refuses a login nonce (AUTH_NONCE_WRONG_PURPOSE) and a signature over another nonce (PKI_SIGNATURE_INVALID)', async () => {
    const session = await logIn(taro, TARO.authPin);
    const wrongPurpose = await call('DELETE', '/api/v1/me/registration', session, await cardSays(taro, TARO.authPin, 'login'));
    expect(wrongPurpose.body.error.code).toBe('AUTH_NONCE_WRONG_PURPOSE');
    const a = await cardSays(taro, TARO.authPin);
    const b = await cardSays(taro, TARO.authPin);
    const swapped = await call('DELETE', '/api/v1/me/registration', session, { ...a, signature: b.signature });
    expect(swapped.status).toBe(422);
    expect(swapped.body.error.code).toBe('PKI_SIGNATURE_INVALID');
    // The refused attempt used its nonce up.
    const replay = await call('DELETE', '/api/v1/me/registration', session, a);
    expect(replay.body.error.code).toBe('AUTH_NONCE_REPLAYED');
  });

  it('refuses malformed input with a coded 400, never a 500', async () => {
    const session = await logIn(taro, TARO.authPin);
    const res = await call('DELETE', '/api/v1/me/registration', session, { nonce: 'x', certificate: '***' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toMatch(/^REQ_/);
  });

  it('erases the person, ends every session and service link, and is audited', async () => {
    const session = await logIn(taro, TARO.authPin);
    const other = await logIn(taro, TARO.authPin);
    const provider = (await database.db.query.serviceProviders.findMany())[0]!;
    expect((await call('POST', `/api/v1/me/services/${provider.id}`, session, {})).status).toBe(201);

    const said = await cardSays(taro, TARO.authPin);
    const res = await call('DELETE', '/api/v1/me/registration', session, said);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ personId: taroId, servicesUnlinked: 1 });
    expect(res.body.sessionsEnded).toBeGreaterThanOrEqual(2);

    // Every session of the person ended, on this TV and any other.
    for (const s of [session, other]) expect((await call('GET', '/api/v1/sessions/current', s)).body.error.code).toBe('AUTH_SESSION_EXPIRED');
    // Nothing personal is left; the card is no longer known; the household no longer lists them.
    const [person] = await database.db.select().from(persons).where(eq(persons.id, taroId));
    expect(person).toMatchObject({ name: null, dateOfBirth: null, gender: null, address: null, consentedAt: null });
    expect(await database.db.select().from(certificates).where(eq(certificates.personId, taroId))).toEqual([]);
    expect(await database.db.select().from(signedDocuments).where(eq(signedDocuments.personId, taroId))).toEqual([]);
    const memberships = await database.db.select().from(householdMembers).where(eq(householdMembers.personId, taroId));
    expect(memberships.every((m) => m.leftAt !== null)).toBe(true);
    expect((await database.db.select().from(serviceUids).where(eq(serviceUids.personId, taroId))).every((u) => u.unlinkedAt !== null)).toBe(true);
    const household = await call('GET', '/api/v1/tv/household', device(yamadaTv));
    expect(household.body.members.map((m: Json) => m.personId)).toEqual([hanakoId]);
    // The card logs in no more.
    const again = await cardSays(taro, TARO.authPin, 'login');
    expect((await call('POST', '/api/v1/sessions', device(yamadaTv), again)).body.error.code).toBe('AUTH_NOT_REGISTERED');
    // Audited, without personal data, and the chain holds.
    const [entry] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'person.unregistered'));
    expect(entry).toMatchObject({ actor: `person:${taroId}`, subject: taroId });
    expect(JSON.stringify(entry!.data)).not.toContain('山田');
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true });
    // The same signed request again is a replay, not a second cancellation.
    expect((await call('DELETE', '/api/v1/me/registration', session, said)).status).toBe(401);
  });

  it('leaves the other members alone, and the card can register again afterwards', async () => {
    expect((await logIn(hanako, HANAKO.authPin)).authorization).toMatch(/^Bearer /);
    const again = await registerAndConfirm(taro, TARO);
    expect(again).not.toBe(taroId);
    await logIn(taro, TARO.authPin);
  });

  it("another household's TV cannot be used with this household's session", async () => {
    const session = await logIn(hanako, HANAKO.authPin);
    const res = await call('DELETE', '/api/v1/me/registration', { ...session, 'x-device': satoTv.slice('Device '.length) }, await cardSays(hanako, HANAKO.authPin));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_REQUIRED');
  });
});
