import { and, eq, isNull, like, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { householdNames, households } from '../../../platform/src/db/schema/index.js';
import { populateTown, townMembers, townTv } from '../../../platform/src/demo/populate.js';
import { authenticateDevice } from '../../../platform/src/identity/devices.js';
import { buildTestApp } from '../../helpers/app.js';

describe('the synthetic town (npm run demo -- populate)', async () => {
  const { database } = await buildTestApp({}, { demo: true });
  const db = database.db;
  const town = () => db.select({ districtId: households.districtId, n: sql<number>`count(*)::int` }).from(households)
    .where(like(households.contractNo, 'TOWN-%')).groupBy(households.districtId);

  it('spreads homes with coordinates, a working TV and two named members over the districts, and only adds what a town lacks', async () => {
    expect(await populateTown(db, 30)).toEqual({ households: 30, added: 30, districts: 3 });
    expect((await town()).map((d) => d.n).sort()).toEqual([10, 10, 10]);
    expect(await db.select().from(households).where(and(like(households.contractNo, 'TOWN-%'), isNull(households.latitude)))).toEqual([]);
    const tv = townTv(29);
    const device = await authenticateDevice(db, `Device ${tv.id}:${tv.secret}`);
    const [home] = await db.select().from(households).where(eq(households.id, device.householdId!));
    expect(home!.contractNo).toBe('TOWN-29');
    // Named, as an alert's greeting reads them (household_names, kept by triggers).
    const [names] = await db.select({ names: householdNames.names }).from(householdNames).where(eq(householdNames.householdId, home!.id));
    expect(names!.names).toEqual(townMembers(29));
    expect(townMembers(29)).toEqual(['高橋 正', '高橋 恵子']);

    expect(await populateTown(db, 40)).toEqual({ households: 40, added: 10, districts: 3 });
    expect(await populateTown(db, 40)).toEqual({ households: 40, added: 0, districts: 3 });
    await expect(populateTown(db, 0)).rejects.toMatchObject({ code: 'REQ_INVALID' });
  });
});
