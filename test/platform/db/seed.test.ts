import { count, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { devices, districts, households, organisations, shelters } from '../../../platform/src/db/schema/index.js';
import { hashDeviceSecret, seedDemoWorld } from '../../../platform/src/demo/seed.js';
import { DEMO_HOUSEHOLDS, DEMO_SHELTERS } from '../../../platform/src/demo/world.js';
import { freshDatabase } from '../../helpers/database.js';

describe('seedDemoWorld', async () => {
  const database = await freshDatabase();
  afterAll(() => database.close());
  const { db } = database;

  it('creates the operator, municipality, insurer, districts, shelters and household TVs', async () => {
    expect(await seedDemoWorld(db)).toBe(true);
    const kinds = (await db.select({ kind: organisations.kind }).from(organisations)).map((o) => o.kind).sort();
    expect(kinds).toEqual(['cable_operator', 'insurer', 'municipality']);
    expect((await db.select({ n: count() }).from(shelters))[0]!.n).toBe(DEMO_SHELTERS.length);
    expect((await db.select({ n: count() }).from(districts))[0]!.n).toBe(3);
    const tv = await db.select().from(devices).where(eq(devices.id, DEMO_HOUSEHOLDS[0].tv.id));
    expect(tv[0]).toMatchObject({ kind: 'tv', credentialHash: hashDeviceSecret(DEMO_HOUSEHOLDS[0].tv.secret) });
  });

  it('does nothing the second time', async () => {
    expect(await seedDemoWorld(db)).toBe(false);
    expect((await db.select({ n: count() }).from(organisations))[0]!.n).toBe(3);
  });

  it('refuses a TV that is bound to no household (database constraint)', async () => {
    // The driver's error (drizzle keeps it as the cause): check_violation of the binding constraint.
    const BINDING_REFUSED = { cause: { code: '23514', constraint: 'devices_binding_ck' } };
    await expect(db.insert(devices).values({ kind: 'tv', label: 'x', credentialHash: 'x' })).rejects.toMatchObject(BINDING_REFUSED);
    const [household] = await db.select().from(households).limit(1);
    await expect(
      db.insert(devices).values({ kind: 'tablet', label: 'x', credentialHash: 'x', householdId: household!.id }),
    ).rejects.toMatchObject(BINDING_REFUSED);
  });
});
