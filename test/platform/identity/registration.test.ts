import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { certificates, householdMembers, persons } from '../../../platform/src/db/schema/index.js';
import { verifyAuditChain } from '../../../platform/src/identity/audit.js';
import { IdentityFlow } from '../../helpers/identity-flow.js';

// identity/registration.ts through the routes: draft → card signatures → confirm (初回紐付け).
const flow = await IdentityFlow.start();
const { database } = flow.t;

async function personCount(): Promise<number> {
  const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(persons);
  return Number(row!.n);
}

describe('registration (初回紐付け)', () => {
  it('verifies the card signatures and returns the 基本4情報 to confirm', async () => {
    const [home, card] = [await flow.home(), await flow.card()];
    const before = await personCount();
    const res = await flow.register(card, home);
    expect(res.status).toBe(201);
    expect(res.body.personalData).toEqual({ name: card.name, dateOfBirth: card.birth, gender: card.gender, address: card.address });
    expect(res.body.personalData.name).toContain('\u3000');
    expect(res.body.district).toEqual({ code: 'johana', name: '城端地域' });
    // Nothing is stored about the person before they confirm.
    expect(await personCount()).toBe(before);
  });

  it('creates the person, links both certificates as one card and joins the household on confirm', async () => {
    const [home, card] = [await flow.home(), await flow.card()];
    const registration = await flow.register(card, home);
    const res = await flow.post(`/api/v1/registrations/${registration.body.registrationId}/confirm`, home.credential);
    expect(res.status).toBe(201);
    expect(res.body.created).toBe(true);
    const [person] = await database.db.select().from(persons).where(eq(persons.id, res.body.personId));
    expect(person).toMatchObject({ name: card.name, dateOfBirth: card.birth, status: 'active' });
    const certs = await database.db.select().from(certificates).where(eq(certificates.personId, res.body.personId));
    expect(certs.map((c) => c.purpose).sort()).toEqual(['auth', 'sign']);
    expect(new Set(certs.map((c) => c.cardId)).size).toBe(1);
    // The lookup key is a keyed hash: no serial in the table.
    for (const c of certs) expect(c.lookupKey).toMatch(/^[0-9a-f]{64}$/);
    const members = await database.db.select().from(householdMembers).where(eq(householdMembers.personId, res.body.personId));
    expect(members.map((m) => m.householdId)).toEqual([home.householdId]);
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true });
  });

  it('refuses to confirm the same registration twice', async () => {
    const [home, card] = [await flow.home(), await flow.card()];
    const registration = await flow.register(card, home);
    const url = `/api/v1/registrations/${registration.body.registrationId}/confirm`;
    expect((await flow.post(url, home.credential)).status).toBe(201);
    expect((await flow.post(url, home.credential)).body.error.code).toBe('AUTH_REGISTRATION_EXPIRED');
  });

  // The sign slot holds: the sign key over another draft's document (the signature is wrong), or
  // the auth key over this draft's signed attributes (the signature is right, the purpose is not).
  for (const { what, code, ...refusal } of [
    { what: 'a sign signature over anything but the draft', code: 'PKI_SIGNATURE_INVALID', key: 'sign', over: 'another draft' },
    { what: 'an auth certificate in the sign slot', code: 'PKI_WRONG_PURPOSE', key: 'auth', over: 'this draft' },
  ] as const) {
    it(`refuses ${what} (${code})`, async () => {
      const { key, over } = refusal;
      const [home, card] = [await flow.home(), await flow.card()];
      const draft = await flow.post('/api/v1/registrations/drafts', home.credential, { district: 'johana' });
      const signedDraft = over === 'this draft' ? draft : await flow.post('/api/v1/registrations/drafts', home.credential, { district: 'inami' });
      const signSlot = await card.reader.sign(key, key === 'sign' ? card.signPin : card.authPin, signedDraft.body.sign.digestInfo);
      const auth = await card.reader.sign('auth', card.authPin, draft.body.auth.digestInfo);
      const res = await flow.submitRegistration(home, draft.body.draftId, signSlot, auth);
      expect(res.body.error.code).toBe(code);
    });
  }

  it('refuses a district the household cannot choose', async () => {
    const home = await flow.home();
    expect((await flow.post('/api/v1/registrations/drafts', home.credential, { district: 'atlantis' })).body.error.code).toBe('REQ_INVALID');
  });
});
