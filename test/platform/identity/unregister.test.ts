import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, certificates, householdMembers, persons, serviceUids, signedDocuments } from '../../../platform/src/db/schema/index.js';
import { verifyAuditChain } from '../../../platform/src/identity/audit.js';
import { DEMO_HOUSEHOLDS, DEMO_MUNICIPALITY, DEMO_OPERATOR } from '../../../platform/src/demo/world.js';
import { IdentityFlow, type Home, type TestCard } from '../../helpers/identity-flow.js';

// Issue 11 item 11: a resident cancels their own registration from the TV (the consent promises
// it), and the TV's help screen gets the operator's and the municipality's phone numbers.
// Each cancellation test registers its own household of two (flow.home(), flow.card()), so none
// depends on whom another test cancelled.

const flow = await IdentityFlow.start();
const { app, database } = flow.t;
const yamadaTv = `Device ${DEMO_HOUSEHOLDS[0].tv.id}:${DEMO_HOUSEHOLDS[0].tv.secret}`;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, payload?: object) {
  const res = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: (res.body ? res.json() : null) as Json };
}
const device = (tv: string) => ({ authorization: tv });

/** A household of two registered members: 太郎 (who cancels) and 花子 (who stays). */
async function family() {
  const home = await flow.home();
  const taro = await flow.card({ name: '南砺　太郎', birth: '1960-05-05', gender: '1' });
  const hanako = await flow.card({ name: '南砺　花子', birth: '1962-03-03', gender: '2', authPin: '8765', signPin: 'HANAKO22' });
  const taroId = await flow.registered(taro, home);
  const hanakoId = await flow.registered(hanako, home);
  return { home, taro, hanako, taroId, hanakoId };
}

/** A session of the card's person on `home`'s TV; returns the headers its requests carry. */
async function logIn(card: TestCard, home: Home) {
  const { res } = await flow.login(card, home);
  expect(res.status).toBe(201);
  return flow.sessionHeaders(res.body.token, home);
}

/** The card signs a fresh nonce of `purpose` (unregister unless said) on `home`'s TV. */
async function cardSays(card: TestCard, home: Home, purpose: 'unregister' | 'login' = 'unregister') {
  const nonce = await call('POST', '/api/v1/nonces', device(home.credential), { purpose });
  expect(nonce.status).toBe(201);
  const signed = await card.reader.sign('auth', card.authPin, nonce.body.digestInfo);
  return { nonce: nonce.body.nonce as string, certificate: signed.certificate, signature: signed.signature };
}

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
    const { home, taro } = await family();
    const res = await call('DELETE', '/api/v1/me/registration', { 'x-device': home.credential.slice('Device '.length) }, await cardSays(taro, home));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_REQUIRED');
  });

  it("refuses another member's card, even of the same household (AUTH_CARD_NOT_YOURS)", async () => {
    const { home, taro, hanako } = await family();
    const session = await logIn(taro, home);
    const res = await call('DELETE', '/api/v1/me/registration', session, await cardSays(hanako, home));
    expect(res.body.error?.code).toBe('AUTH_CARD_NOT_YOURS');
    expect(res.status).toBe(403);
    expect((await call('GET', '/api/v1/sessions/current', session)).status).toBe(200);
  });

  it('refuses a login nonce (AUTH_NONCE_WRONG_PURPOSE) and a signature over another nonce (PKI_SIGNATURE_INVALID)', async () => {
    const { home, taro } = await family();
    const session = await logIn(taro, home);
    const wrongPurpose = await call('DELETE', '/api/v1/me/registration', session, await cardSays(taro, home, 'login'));
    expect(wrongPurpose.body.error.code).toBe('AUTH_NONCE_WRONG_PURPOSE');
    const a = await cardSays(taro, home);
    const b = await cardSays(taro, home);
    const swapped = await call('DELETE', '/api/v1/me/registration', session, { ...a, signature: b.signature });
    expect(swapped.status).toBe(422);
    expect(swapped.body.error.code).toBe('PKI_SIGNATURE_INVALID');
    // The refused attempt used its nonce up.
    const replay = await call('DELETE', '/api/v1/me/registration', session, a);
    expect(replay.body.error.code).toBe('AUTH_NONCE_REPLAYED');
  });

  it('refuses malformed input with a coded 400, never a 500', async () => {
    const { home, taro } = await family();
    const session = await logIn(taro, home);
    const res = await call('DELETE', '/api/v1/me/registration', session, { nonce: 'x', certificate: '***' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toMatch(/^REQ_/);
  });

  it('erases the person, ends every session and service link, and is audited', async () => {
    const { home, taro, taroId, hanakoId } = await family();
    const session = await logIn(taro, home);
    const other = await logIn(taro, home);
    const provider = (await database.db.query.serviceProviders.findMany())[0]!;
    expect((await call('POST', `/api/v1/me/services/${provider.id}`, session, {})).status).toBe(201);

    const said = await cardSays(taro, home);
    const res = await call('DELETE', '/api/v1/me/registration', session, said);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ personId: taroId, servicesUnlinked: 1, sessionsEnded: 2 });

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
    const household = await call('GET', '/api/v1/tv/household', device(home.credential));
    expect(household.body.members.map((m: Json) => m.personId)).toEqual([hanakoId]);
    // The card logs in no more.
    const again = await cardSays(taro, home, 'login');
    expect((await call('POST', '/api/v1/sessions', device(home.credential), again)).body.error.code).toBe('AUTH_NOT_REGISTERED');
    // Audited, without personal data, and the chain holds.
    const [entry] = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'person.unregistered'), eq(auditLog.subject, taroId)));
    expect(entry).toMatchObject({ actor: `person:${taroId}`, subject: taroId });
    expect(JSON.stringify(entry!.data)).not.toContain('南砺');
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true });
    // The same signed request again is a replay, not a second cancellation.
    expect((await call('DELETE', '/api/v1/me/registration', session, said)).status).toBe(401);
  });

  it('leaves the other members alone, and the card can register again afterwards', async () => {
    const { home, taro, hanako, taroId } = await family();
    const cancelled = await call('DELETE', '/api/v1/me/registration', await logIn(taro, home), await cardSays(taro, home));
    expect(cancelled.status).toBe(200);
    expect((await logIn(hanako, home)).authorization).toMatch(/^Bearer /);
    const again = await flow.registered(taro, home);
    expect(again).not.toBe(taroId);
    expect((await logIn(taro, home)).authorization).toMatch(/^Bearer /);
  });

  it("another household's TV cannot be used with this household's session", async () => {
    const { home, hanako } = await family();
    const elsewhere = await flow.home();
    const session = await logIn(hanako, home);
    const res = await call('DELETE', '/api/v1/me/registration', { ...session, 'x-device': elsewhere.credential.slice('Device '.length) }, await cardSays(hanako, home));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_REQUIRED');
  });
});
