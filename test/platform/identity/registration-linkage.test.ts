import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { auditLog, cardLinkages, certificates, householdMembers, households, pendingRegistrations, persons } from '../../../platform/src/db/schema/index.js';
import { DEMO_HOUSEHOLDS } from '../../../platform/src/demo/world.js';
import { verifyAuditChain } from '../../../platform/src/identity/audit.js';
import { cardPairStatus, storeCardPairs } from '../../../platform/src/identity/card-linkage.js';
import { ingestLinkage, parseLinkageFile } from '../../../platform/src/identity/linkage-ingest.js';
import { exportLinkage, issueCard, readCardFile, renewCard, writeCardFile } from '../../../platform/src/jpki/dev-center/index.js';
import { AppError } from '../../../platform/src/shared/errors.js';
import { buildTestApp } from '../../helpers/app.js';
import { CardInReader } from '../../helpers/card-in-reader.js';
import { FIXTURE_CARDS } from '../../helpers/jpki-fixtures.js';

// Issue 9 §1: a registration must prove that its sign and auth certificates are one card's, by
// the J-LIS linkage data. The demo world's test app has the fixture center's linkage ingested;
// cards issued below, after that, are unknown to the platform until their linkage is ingested.
const t = await buildTestApp({}, { demo: true });
const { app, database, identity } = t;
const db = database.db;
const [yamadaTv] = DEMO_HOUSEHOLDS.map((h) => `Device ${h.tv.id}:${h.tv.secret}`) as [string, string];
const TARO = FIXTURE_CARDS['yamada-taro'];
const HANAKO = FIXTURE_CARDS['yamada-hanako'];

interface Pins {
  authPin: string;
  signPin: string;
}

async function post(url: string, payload: object = {}) {
  const res = await app.inject({ method: 'POST', url, headers: { authorization: yamadaTv }, payload });
  return { status: res.statusCode, body: res.json() };
}

/** The TV's registration with the sign step on one card and the auth step on another (or the same). */
async function submit(signCard: CardInReader, signPins: Pins, authCard: CardInReader, authPins: Pins) {
  const draft = await post('/api/v1/registrations/drafts', { district: 'johana' });
  expect(draft.status).toBe(201);
  const sign = await signCard.sign('sign', signPins.signPin, draft.body.sign.digestInfo);
  const auth = await authCard.sign('auth', authPins.authPin, draft.body.auth.digestInfo);
  return post('/api/v1/registrations', {
    draftId: draft.body.draftId, signCertificate: sign.certificate, signSignature: sign.signature, authCertificate: auth.certificate, authSignature: auth.signature,
  });
}

const confirm = (registrationId: string) => post(`/api/v1/registrations/${registrationId}/confirm`);

async function login(card: CardInReader, pin: string) {
  const nonce = await post('/api/v1/nonces', { purpose: 'login' });
  const signed = await card.sign('auth', pin, nonce.body.digestInfo);
  return post('/api/v1/sessions', { nonce: nonce.body.nonce, certificate: signed.certificate, signature: signed.signature });
}

const auditOf = (action: string) => db.select().from(auditLog).where(eq(auditLog.action, action));
const personCount = async () => (await db.select({ n: sql<number>`count(*)::int` }).from(persons))[0]!.n;

let issued = 0;
/** A card the dev center issues now: its linkage is not yet known to the platform. */
async function newCard(): Promise<{ card: CardInReader; pins: Pins; name: string; id: string; path: string }> {
  issued++;
  const pins = { authPin: '4321', signPin: `NEWCARD${issued}` };
  const name = `新井　${['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'][issued - 1]}郎`;
  const { card } = await issueCard(t.centerDir, {
    id: `linkage-${issued}`, name, birth: `19${60 + issued}-05-0${issued % 9 || 1}`, gender: '1', address: '富山県南砺市城端９番地', ...pins,
  });
  const path = join(mkdtempSync(join(tmpdir(), 'card-')), `linkage-${issued}.json`);
  await writeCardFile(path, card);
  return { card: await CardInReader.insert({ path }), pins, name, id: `linkage-${issued}`, path };
}

const inserted: CardInReader[] = [];
let taro: CardInReader;
let hanako: CardInReader;
beforeAll(async () => {
  taro = await CardInReader.insert('yamada-taro');
  hanako = await CardInReader.insert('yamada-hanako');
  inserted.push(taro, hanako);
});
afterAll(async () => {
  for (const card of inserted) await card.close();
});
const track = async (made: ReturnType<typeof newCard>) => {
  const m = await made;
  inserted.push(m.card);
  return m;
};

describe('the attack: card A’s sign certificate with card B’s auth proof', () => {
  it('is refused with AUTH_CARD_PAIR_MISMATCH, creates nobody, keeps nothing and is audited', async () => {
    // Two linked cards of this test's own: the victim's card and sign password, the attacker's card for the auth step.
    const victim = await track(newCard());
    const attacker = await track(newCard());
    await ingestLinkage(identity, await exportLinkage(t.centerDir), 'operator:test');
    const before = await personCount();
    const refusalsBefore = (await auditOf('registration.refused')).length;
    const res = await submit(victim.card, victim.pins, attacker.card, attacker.pins);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('AUTH_CARD_PAIR_MISMATCH');
    expect(res.body.error.ja).toContain('同じ1枚のマイナンバーカード');
    expect(await personCount()).toBe(before);
    expect(await db.select().from(pendingRegistrations).where(eq(pendingRegistrations.stage, 'verified'))).toHaveLength(0);
    const refusals = await auditOf('registration.refused');
    expect(refusals).toHaveLength(refusalsBefore + 1);
    expect(refusals.at(-1)!.data).toMatchObject({ code: 'AUTH_CARD_PAIR_MISMATCH', district: 'johana' });
    expect((await login(attacker.card, attacker.pins.authPin)).body.error.code).toBe('AUTH_NOT_REGISTERED');
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it('cannot add the attacker’s auth certificate to a victim who is already registered', async () => {
    const victim = await track(newCard());
    const attacker = await track(newCard());
    await ingestLinkage(identity, await exportLinkage(t.centerDir), 'operator:test');
    const registered = await submit(victim.card, victim.pins, victim.card, victim.pins);
    expect(registered.body.linkage).toBe('linked');
    const confirmed = await confirm(registered.body.registrationId);
    expect(confirmed.body).toMatchObject({ status: 'registered', created: true });

    const res = await submit(victim.card, victim.pins, attacker.card, attacker.pins);
    expect(res.body.error.code).toBe('AUTH_CARD_PAIR_MISMATCH');
    // The attacker's card logs nobody in; the victim's own card still does, as the victim.
    expect((await login(attacker.card, attacker.pins.authPin)).body.error.code).toBe('AUTH_NOT_REGISTERED');
    const own = await login(victim.card, victim.pins.authPin);
    expect(own.status).toBe(201);
    expect(own.body.person.id).toBe(confirmed.body.personId);
    expect(await db.select().from(certificates).where(eq(certificates.personId, confirmed.body.personId))).toHaveLength(2);
  });

  it('is refused even when the attacker’s card is newer than the linkage data (the victim’s sign certificate is linked elsewhere)', async () => {
    const attacker = await track(newCard()); // not ingested
    const res = await submit(taro, TARO, attacker.card, attacker.pins);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('AUTH_CARD_PAIR_MISMATCH');
  });
});

describe('a linked pair', () => {
  it('registers at once and can log in', async () => {
    const res = await submit(hanako, HANAKO, hanako, HANAKO);
    expect(res.status).toBe(201);
    expect(res.body.linkage).toBe('linked');
    const confirmed = await confirm(res.body.registrationId);
    expect(confirmed.status).toBe(201);
    expect(confirmed.body).toEqual({ status: 'registered', personId: expect.any(String), created: true });
    const session = await login(hanako, HANAKO.authPin);
    expect(session.status).toBe(201);
    expect(session.body.person.id).toBe(confirmed.body.personId);
  });
});

describe('linkage not yet known', () => {
  it('waits as pending_linkage (no person, no login), then completes when the linkage arrives and can log in', async () => {
    const { card, pins, name } = await track(newCard());
    const res = await submit(card, pins, card, pins);
    expect(res.status).toBe(201);
    expect(res.body.linkage).toBe('pending');
    const confirmed = await confirm(res.body.registrationId);
    expect(confirmed.status).toBe(201);
    expect(confirmed.body).toEqual({ status: 'pending_linkage', registrationId: res.body.registrationId });

    // The confirmation is recorded; nothing a login could use exists yet.
    const [waiting] = await db.select().from(pendingRegistrations).where(eq(pendingRegistrations.id, res.body.registrationId));
    expect(waiting!.stage).toBe('awaiting_linkage');
    expect((await auditOf('registration.awaiting_linkage')).map((e) => e.subject)).toContain(res.body.registrationId);
    expect(await db.select().from(persons).where(eq(persons.name, name))).toHaveLength(0);
    expect((await login(card, pins.authPin)).body.error.code).toBe('AUTH_NOT_REGISTERED');
    // Confirming again does not complete it either.
    expect((await confirm(res.body.registrationId)).body.error.code).toBe('AUTH_REGISTRATION_EXPIRED');

    const ingested = await ingestLinkage(identity, await exportLinkage(t.centerDir), 'operator:test');
    expect(ingested.registrations.completed).toBeGreaterThanOrEqual(1);
    expect(await db.select().from(pendingRegistrations).where(eq(pendingRegistrations.id, res.body.registrationId))).toHaveLength(0);
    const [person] = await db.select().from(persons).where(eq(persons.name, name));
    expect(person).toMatchObject({ status: 'active' });
    const registered = (await auditOf('person.registered')).find((e) => e.subject === person!.id);
    expect(registered).toMatchObject({ actor: 'operator:test', data: expect.objectContaining({ awaitedLinkage: true, created: true }) });
    const session = await login(card, pins.authPin);
    expect(session.status).toBe(201);
    expect(session.body.person).toEqual({ id: person!.id, name });
  });

  it('fails with AUTH_CARD_PAIR_MISMATCH (audited, nobody created) when the linkage names other cards', async () => {
    const signSide = await track(newCard());
    const authSide = await track(newCard());
    const res = await submit(signSide.card, signSide.pins, authSide.card, authSide.pins);
    expect(res.body.linkage).toBe('pending');
    expect((await confirm(res.body.registrationId)).body).toMatchObject({ status: 'pending_linkage' });

    const ingested = await ingestLinkage(identity, await exportLinkage(t.centerDir), 'operator:test');
    expect(ingested.registrations.refused).toBe(1);
    expect(await db.select().from(pendingRegistrations).where(eq(pendingRegistrations.id, res.body.registrationId))).toHaveLength(0);
    const refusal = (await auditOf('registration.refused')).find((e) => e.subject === res.body.registrationId);
    expect(refusal).toMatchObject({ actor: 'operator:test', data: expect.objectContaining({ code: 'AUTH_CARD_PAIR_MISMATCH' }) });
    expect(await db.select().from(persons).where(eq(persons.name, signSide.name))).toHaveLength(0);
    expect((await login(authSide.card, authSide.pins.authPin)).body.error.code).toBe('AUTH_NOT_REGISTERED');
  });

  it('completes at confirmation when the linkage arrived after the card was read', async () => {
    const { card, pins } = await track(newCard());
    const res = await submit(card, pins, card, pins);
    expect(res.body.linkage).toBe('pending');
    await ingestLinkage(identity, await exportLinkage(t.centerDir), 'operator:test');
    expect((await confirm(res.body.registrationId)).body).toMatchObject({ status: 'registered', created: true });
    expect((await login(card, pins.authPin)).status).toBe(201);
  });
});

describe('linkage ingestion', () => {
  it('is idempotent: the same file again adds nothing and settles nothing twice', async () => {
    const linkage = await exportLinkage(t.centerDir);
    await ingestLinkage(identity, linkage, 'operator:test');
    const rows = await db.select().from(cardLinkages);
    const entries = (await auditOf('linkage.ingested')).length;
    const again = await ingestLinkage(identity, linkage, 'operator:test');
    expect(again.cards).toEqual({ added: 0, known: linkage.cards.length, conflicting: 0 });
    expect(again.renewed).toBe(0);
    expect(again.mismatchedRevoked).toBe(0);
    expect(again.registrations).toEqual({ completed: 0, refused: 0, waiting: 0 });
    expect(await db.select().from(cardLinkages)).toHaveLength(rows.length);
    // Every ingestion is an operator action: audited, with its counts.
    const audited = await auditOf('linkage.ingested');
    expect(audited).toHaveLength(entries + 1);
    expect(audited.at(-1)!.data).toMatchObject({ cardsAdded: 0, cardsKnown: linkage.cards.length, cardsConflicting: 0 });
  });

  it('revokes the auth certificate of a card pair registered before the check (the attack already done) and ends its sessions', async () => {
    // As today's main registered it: one card's sign certificate with another card's auth certificate.
    const victim = await track(newCard());
    const attacker = await track(newCard());
    const refs = new Map((await exportLinkage(t.centerDir)).cards.map((c) => [c.cardId, c]));
    const keyOf = (id: string, purpose: 'sign' | 'auth') => {
      const ref = refs.get(id)![purpose];
      return identity.jpki.lookupKey(purpose, ref.issuerKeyId, ref.serial);
    };
    const [household] = await db.select().from(households).where(eq(households.contractNo, DEMO_HOUSEHOLDS[0].contractNo));
    const [person] = await db.insert(persons).values({ name: victim.name, consentedAt: new Date() }).returning();
    const cardId = randomUUID();
    const cert = { personId: person!.id, cardId, rootGeneration: '03', notBefore: new Date('2025-01-01'), notAfter: new Date('2030-01-01') };
    await db.insert(certificates).values([
      { ...cert, purpose: 'sign', lookupKey: keyOf(victim.id, 'sign') },
      { ...cert, purpose: 'auth', lookupKey: keyOf(attacker.id, 'auth') },
    ]);
    await db.insert(householdMembers).values({ householdId: household!.id, personId: person!.id });
    const before = await login(attacker.card, attacker.pins.authPin);
    expect(before.body.person.name).toBe(victim.name);

    const ingested = await ingestLinkage(identity, await exportLinkage(t.centerDir), 'operator:test');
    expect(ingested.mismatchedRevoked).toBe(1);
    expect((await login(attacker.card, attacker.pins.authPin)).body.error.code).toBe('PKI_REVOKED');
    const tv = DEMO_HOUSEHOLDS[0].tv;
    const current = await app.inject({ method: 'GET', url: '/api/v1/sessions/current', headers: { authorization: `Bearer ${before.body.token}`, 'x-device': `${tv.id}:${tv.secret}` } });
    expect(current.json().error.code).toBe('AUTH_SESSION_EXPIRED');
    const revocation = (await auditOf('certificate.revoked')).find((e) => e.subject === person!.id);
    expect(revocation!.data).toMatchObject({ purpose: 'auth', reason: 'cardPairMismatch', sessionsEnded: 1 });
    expect((await ingestLinkage(identity, await exportLinkage(t.centerDir), 'operator:test')).mismatchedRevoked).toBe(0);

    // The attacker's card renewed at the office: its new auth certificate does not follow the revoked one.
    const renewed = await renewCard(t.centerDir, await readCardFile(attacker.path), { keepOld: true });
    const path = join(mkdtempSync(join(tmpdir(), 'card-')), 'renewed.json');
    await writeCardFile(path, renewed.card);
    const renewedCard = await CardInReader.insert({ path });
    inserted.push(renewedCard);
    await ingestLinkage(identity, await exportLinkage(t.centerDir), 'operator:test');
    expect((await login(renewedCard, attacker.pins.authPin)).body.error.code).toBe('AUTH_NOT_REGISTERED');
  });

  it('stores keyed lookup hashes only, never a serial', async () => {
    const linkage = await exportLinkage(t.centerDir);
    const stored = JSON.stringify(await db.select().from(cardLinkages));
    for (const card of linkage.cards) {
      expect(stored).not.toContain(card.sign.serial.toLowerCase());
      expect(stored).not.toContain(card.sign.serial.toUpperCase());
    }
    for (const row of await db.select().from(cardLinkages)) {
      expect(row.signLookupKey).toMatch(/^[0-9a-f]{64}$/);
      expect(row.authLookupKey).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('never lets a later file re-pair a certificate already on record', async () => {
    const [first, second] = await db.select().from(cardLinkages).limit(2);
    const result = await storeCardPairs(db, [{ sign: first!.signLookupKey, auth: second!.authLookupKey }]);
    expect(result).toEqual({ added: 0, known: 0, conflicting: 1 });
    expect(await cardPairStatus(db, { sign: first!.signLookupKey, auth: first!.authLookupKey })).toBe('linked');
    expect(await cardPairStatus(db, { sign: first!.signLookupKey, auth: second!.authLookupKey })).toBe('mismatch');
    const [still] = await db.select().from(cardLinkages).where(and(eq(cardLinkages.signLookupKey, first!.signLookupKey)));
    expect(still!.authLookupKey).toBe(first!.authLookupKey);
  });

  it('reads the dev center’s linkage file and refuses anything else with REQ_INVALID', async () => {
    const linkage = await exportLinkage(t.centerDir);
    expect(parseLinkageFile(JSON.stringify(linkage)).cards).toHaveLength(linkage.cards.length);
    expect(parseLinkageFile(JSON.stringify({ renewals: linkage.renewals })).renewals).toHaveLength(linkage.renewals.length);
    for (const bad of ['not json', '{}', '[]', JSON.stringify({ cards: [{ sign: { serial: 'zz' } }] }), JSON.stringify({ cards: [{ ...linkage.cards[0], auth: { ...linkage.cards[0]!.auth, notAfter: 'soon' } }] })]) {
      let error: unknown;
      try {
        parseLinkageFile(bad);
      } catch (err) {
        error = err;
      }
      expect(error, bad).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('REQ_INVALID');
    }
  });
});
