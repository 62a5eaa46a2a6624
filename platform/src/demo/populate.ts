import { and, eq, like, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { devices, districts, households, organisations, shelters } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';
import { DEMO_MUNICIPALITY, DEMO_OPERATOR } from './world.js';
import { hashDeviceSecret } from './seed.js';

/**
 * A synthetic town for the dashboard and the alert benchmark (issue 13 §5): `households` homes of
 * the demo operator spread over 南砺市's demo districts, each at a position around its district's
 * shelter (so targeting by polygon and the nearest shelter mean something) and each with a TV.
 * Deterministic: home i is always contract TOWN-<i> with TV `townTv(i)`, so a benchmark can
 * connect as any of them. Adding to a town only adds the homes it lacks. Fictional throughout.
 */

/** The credential of the town's TV number i (ids outside the demo world's 4000-8000 range). */
export function townTv(i: number): { id: string; secret: string } {
  return { id: `10000000-0000-4000-a000-${i.toString(16).padStart(12, '0')}`, secret: `town-tv-${i}` };
}

/** A spread that looks like a town: homes within about 2 km of their district's shelter. */
function position(i: number, centre: { latitude: number; longitude: number }) {
  // Golden-angle spiral: even cover without a random generator (the same town every time).
  const r = 0.018 * Math.sqrt((i % 4000) / 4000);
  const a = i * 2.399963;
  return { latitude: centre.latitude + r * Math.sin(a), longitude: centre.longitude + r * 1.2 * Math.cos(a) };
}

const BATCH = 1000;

export async function populateTown(db: Db, count: number): Promise<{ households: number; added: number; districts: number }> {
  if (!Number.isInteger(count) || count < 1 || count > 200_000) throw new AppError('REQ_INVALID', { detail: 'households: 1 to 200000' });
  const [operator] = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.code, DEMO_OPERATOR.code));
  const [municipality] = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.code, DEMO_MUNICIPALITY.code));
  if (!operator || !municipality) throw new AppError('REQ_NOT_FOUND', { detail: 'the demo world is not seeded (SEED_DEMO=true)' });
  const places = await db.select({ id: districts.id, name: districts.name, latitude: shelters.latitude, longitude: shelters.longitude })
    .from(districts).innerJoin(shelters, eq(shelters.districtId, districts.id)).where(eq(districts.municipalityId, municipality.id));
  if (!places.length) throw new AppError('REQ_NOT_FOUND', { detail: 'the demo municipality has no districts with shelters' });
  const [{ have }] = await db.select({ have: sql<number>`count(*)::int` }).from(households)
    .where(and(eq(households.operatorId, operator.id), like(households.contractNo, 'TOWN-%'))) as [{ have: number }];
  let added = 0;
  for (let start = have; start < count; start += BATCH) {
    const ids = Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => start + k);
    await db.transaction(async (tx) => {
      const rows = await tx.insert(households).values(ids.map((i) => {
        const place = places[i % places.length]!;
        return {
          operatorId: operator.id, contractNo: `TOWN-${i}`, districtId: place.id, label: `${place.name} ${i}番の お宅`,
          ...position(i, { latitude: place.latitude ?? 36.55, longitude: place.longitude ?? 136.9 }),
        };
      })).onConflictDoNothing().returning({ id: households.id, contractNo: households.contractNo });
      if (!rows.length) return;
      await tx.insert(devices).values(rows.map((r) => {
        const tv = townTv(Number(r.contractNo.slice('TOWN-'.length)));
        return { id: tv.id, kind: 'tv' as const, label: `${r.contractNo} テレビ`, householdId: r.id, credentialHash: hashDeviceSecret(tv.secret) };
      })).onConflictDoNothing();
      added += rows.length;
    });
  }
  return { households: Math.max(have, count), added, districts: places.length };
}
