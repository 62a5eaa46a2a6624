import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { serviceUids } from '../../../platform/src/db/schema/index.js';
import { IdentityFlow } from '../../helpers/identity-flow.js';

// identity/service-links.ts through the routes: a signed-in person links and unlinks services.
const flow = await IdentityFlow.start();
const { app, database } = flow.t;

describe('services', () => {
  it('links and unlinks a service; a new link gets a new UID', async () => {
    const [home, card] = [await flow.home(), await flow.card()];
    const personId = await flow.registered(card, home);
    const { res } = await flow.login(card, home);
    const headers = flow.sessionHeaders(res.body.token, home);
    const providers = await database.db.query.serviceProviders.findMany();
    expect(providers.length).toBeGreaterThan(0);
    const provider = providers[0]!;
    const uidsOfPerson = () => database.db.select().from(serviceUids).where(eq(serviceUids.personId, personId));
    expect((await app.inject({ method: 'POST', url: `/api/v1/me/services/${provider.id}`, headers })).statusCode).toBe(201);
    const listed = await app.inject({ method: 'GET', url: '/api/v1/me/services', headers });
    expect(listed.json().services.map((s: { providerId: string }) => s.providerId)).toEqual([provider.id]);
    const [before] = await uidsOfPerson();
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/me/services/${provider.id}`, headers })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/me/services', headers })).json().services).toEqual([]);
    await app.inject({ method: 'POST', url: `/api/v1/me/services/${provider.id}`, headers });
    const uids = await uidsOfPerson();
    expect(uids).toHaveLength(2);
    expect(uids.find((u) => !u.unlinkedAt)!.uid).not.toBe(before!.uid);
  });
});
