import { count, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { devices, districts, facilities, households, organisations, shelters } from '../../../platform/src/db/schema/index.js';
import { facilityBlackouts, facilityPolicies, facilityUnits, lotteryRounds } from '../../../platform/src/booking/schema.js';
import { hashDeviceSecret, seedDemoWorld } from '../../../platform/src/demo/seed.js';
import { DEMO_DISTRICTS, DEMO_DISTRICTS_2, DEMO_FACILITIES, DEMO_HOUSEHOLDS, DEMO_SHELTERS, DEMO_STAFF } from '../../../platform/src/demo/world.js';
import { staffMembers } from '../../../platform/src/staff/schema.js';
import { freshDatabase } from '../../helpers/database.js';

/** A fresh, unseeded database for one test, closed when it ends. */
async function emptyDb() {
  const database = await freshDatabase();
  onTestFinished(() => database.close());
  return database.db;
}

describe('seedDemoWorld', async () => {
  // Seeded once here, for the tests that only need a seeded world; the first seeding has its own.
  const seeded = await freshDatabase();
  afterAll(() => seeded.close());
  await seedDemoWorld(seeded.db);

  it('creates the operator, two municipalities, the insurer, districts, shelters, household TVs and the console staff', { timeout: 90_000 }, async () => {
    const db = await emptyDb(); // a database of its own, migrated inside the test: slow on a busy machine
    expect(await seedDemoWorld(db)).toBe(true);
    const kinds = (await db.select({ kind: organisations.kind }).from(organisations)).map((o) => o.kind).sort();
    expect(kinds).toEqual(['cable_operator', 'insurer', 'municipality', 'municipality']);
    expect((await db.select({ n: count() }).from(shelters))[0]!.n).toBe(DEMO_SHELTERS.length);
    expect((await db.select({ n: count() }).from(districts))[0]!.n).toBe(DEMO_DISTRICTS.length + DEMO_DISTRICTS_2.length);
    const staff = await db.select({ name: staffMembers.displayName, roles: staffMembers.roles, card: staffMembers.certLookupKey }).from(staffMembers);
    expect(staff.map((m) => m.name).sort()).toEqual(DEMO_STAFF.map((m) => m.displayName).sort());
    // Bound to their cards only once the cards exist (npm start enrols them after issuing).
    expect(staff.every((m) => m.card === null)).toBe(true);
    const tv = await db.select().from(devices).where(eq(devices.id, DEMO_HOUSEHOLDS[0].tv.id));
    expect(tv[0]).toMatchObject({ kind: 'tv', credentialHash: hashDeviceSecret(DEMO_HOUSEHOLDS[0].tv.secret) });
  });

  it('creates bookable facilities in both municipalities: units, policies, closed days and an open lottery round', async () => {
    const { db } = seeded;
    const rows = await db.select({ name: facilities.name, org: organisations.code }).from(facilities)
      .innerJoin(facilityPolicies, eq(facilityPolicies.facilityId, facilities.id)).innerJoin(organisations, eq(organisations.id, facilities.municipalityId));
    expect(rows.map((r) => r.name).sort()).toEqual(DEMO_FACILITIES.map((f) => f.name).sort());
    expect(new Set(rows.map((r) => r.org))).toEqual(new Set(['162108', '162086']));
    expect((await db.select({ n: count() }).from(facilityUnits))[0]!.n).toBe(DEMO_FACILITIES.reduce((n, f) => n + f.units.length, 0));
    const closed = await db.select({ day: facilityBlackouts.day }).from(facilityBlackouts);
    expect(closed.length).toBeGreaterThan(DEMO_FACILITIES.length);
    const rounds = await db.select().from(lotteryRounds);
    expect(rounds).toHaveLength(DEMO_FACILITIES.filter((f) => f.lottery).length);
    expect(rounds[0]!.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(rounds[0]!.drawnAt).toBeNull();
  });

  it('does nothing the second time', async () => {
    const { db } = seeded;
    expect(await seedDemoWorld(db)).toBe(false);
    expect((await db.select({ n: count() }).from(organisations))[0]!.n).toBe(4);
  });

  it('refuses a TV that is bound to no household (database constraint)', async () => {
    const { db } = seeded;
    // The driver's error (drizzle keeps it as the cause): check_violation of the binding constraint.
    const BINDING_REFUSED = { cause: { code: '23514', constraint: 'devices_binding_ck' } };
    await expect(db.insert(devices).values({ kind: 'tv', label: 'x', credentialHash: 'x' })).rejects.toMatchObject(BINDING_REFUSED);
    const [household] = await db.select().from(households).limit(1);
    await expect(
      db.insert(devices).values({ kind: 'tablet', label: 'x', credentialHash: 'x', householdId: household!.id }),
    ).rejects.toMatchObject(BINDING_REFUSED);
  });
});
