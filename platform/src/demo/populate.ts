import { and, eq, like, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { devices, districts, householdMembers, households, organisations, persons, shelters } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';
import { DEMO_MUNICIPALITY, DEMO_OPERATOR } from './world.js';
import { hashDeviceSecret } from './seed.js';

/**
 * A synthetic town for the dashboard and the alert benchmark (issue 13 §5): `households` homes of
 * the demo operator spread over 南砺市's demo districts, each at a position around its district's
 * shelter (so targeting by polygon and the nearest shelter mean something), each with a TV and
 * two named members (an alert greets them by name, so the benchmark's frames are as long as a real
 * town's, and the publish reads their names). Deterministic: home i is always contract TOWN-<i>
 * with TV `townTv(i)`, so a benchmark can connect as any of them. Adding to a town only adds the
 * homes it lacks. Fictional throughout.
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

const SURNAMES = ['山田', '佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '中村', '小林', '加藤', '吉田', '山口', '松本'];
const GIVEN_NAMES = ['太郎', '花子', '一郎', '幸子', '次郎', '和子', '三郎', '京子', '健一', '洋子', '正', '恵子'];

/** The two members of town home i (the same every time; the lists' lengths are coprime, so names vary). */
export function townMembers(i: number): [string, string] {
  const surname = SURNAMES[i % SURNAMES.length]!;
  return [`${surname} ${GIVEN_NAMES[(2 * i) % GIVEN_NAMES.length]}`, `${surname} ${GIVEN_NAMES[(2 * i + 1) % GIVEN_NAMES.length]}`];
}

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
      const members = rows.flatMap((r) => townMembers(Number(r.contractNo.slice('TOWN-'.length))).map((name) => ({ householdId: r.id, name })));
      const people = await tx.insert(persons).values(members.map((m) => ({ name: m.name }))).returning({ id: persons.id });
      // The first named joined first: a greeting lists members in the order they joined.
      const joined = Date.now();
      await tx.insert(householdMembers).values(people.map((p, k) => ({ householdId: members[k]!.householdId, personId: p.id, joinedAt: new Date(joined + (k % 2)) })));
      added += rows.length;
    });
  }
  return { households: Math.max(have, count), added, districts: places.length };
}
