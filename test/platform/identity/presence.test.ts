import { describe, expect, it } from 'vitest';
import { shelters } from '../../../platform/src/db/schema/index.js';
import { provisionDevice } from '../../../platform/src/identity/devices.js';
import { IdentityFlow, TEST_ACTOR } from '../../helpers/identity-flow.js';

// identity/household.ts (who is watching: the TV's member picker) and identity/presence.ts
// (a shelter tablet identifying someone from the certificate alone).
const flow = await IdentityFlow.start();
const { app, database } = flow.t;

describe('who is watching, presence', () => {
  it('lists the household members for the TV picker with districts and consent', async () => {
    const [home, card] = [await flow.home(), await flow.card()];
    await flow.registered(card, home);
    const res = await app.inject({ method: 'GET', url: '/api/v1/tv/household', headers: { authorization: home.credential } });
    expect(res.statusCode).toBe(200);
    expect(res.json().members.map((m: { name: string }) => m.name)).toEqual([card.name]);
    expect(res.json().districts.map((d: { code: string }) => d.code)).toContain('johana');
    expect(res.json().household.districtCode).toBe('johana');
    expect(res.json().consent.text).toContain('マイナンバー');
  });

  it('identifies a registered person from the certificate alone on a shelter tablet, at low assurance', async () => {
    const [home, card] = [await flow.home(), await flow.card()];
    await flow.registered(card, home);
    const [shelter] = await database.db.select().from(shelters).limit(1);
    const tablet = await provisionDevice(database.db, { kind: 'tablet', shelterId: shelter!.id }, '受付タブレット', TEST_ACTOR);
    const res = await flow.post('/api/v1/presence', tablet.credential, { certificate: await card.reader.authCertificate() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: card.name, assurance: 'low', revocationUnknown: false });
    // The household's own TV may ask (to say whose card is in its reader, before any PIN)...
    const own = await flow.post('/api/v1/presence', home.credential, { certificate: await card.reader.authCertificate() });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ name: card.name, assurance: 'low' });
    // ...another household's TV learns nothing: the same answer as for an unknown card.
    const other = await flow.post('/api/v1/presence', (await flow.home()).credential, { certificate: await card.reader.authCertificate() });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('AUTH_NOT_REGISTERED');
  });
});
