import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { districts, households, organisations, persons, type Device } from '../db/schema/index.js';
import { PREFECTURES } from '../shared/prefectures.js';
import { rulesOf } from './policy.js';
import type { Booking, FacilityPolicy } from './schema.js';

/**
 * Who counts as a resident of a facility's municipality (earlier horizon, resident fee).
 *
 * A logged-in person: their own registered address (the 基本4情報 read off their card at
 * registration) begins with the municipality's prefecture and name — not the TV's household, which
 * a visiting relative logging in on their family's TV would share. The prefecture comes from the
 * municipality's 全国地方公共団体コード (its first two digits), so 府中市 of 東京都 is not 府中市 of
 * 広島県. No address, or a municipality without such a code: not a resident (fail closed: the
 * shorter horizon and the higher fee; the counter can correct it, a wrong resident price cannot be
 * taken back on the TV).
 */
export async function personLivesIn(db: Pick<Db, 'select'>, personId: string, municipalityId: string): Promise<boolean> {
  // One round trip: the person's address beside the municipality's name and code.
  const [row] = await db.select({ address: persons.address, name: organisations.name, code: organisations.code }).from(persons)
    .innerJoin(organisations, eq(organisations.id, municipalityId)).where(eq(persons.id, personId));
  return row ? addressIn(row.address, row) : false;
}

/**
 * `personLivesIn` without the database, for a caller that has both already (the hold path: the
 * session brings the person's row, the unit's cached rules the municipality).
 */
export function addressIn(address: string | null, municipality: { name: string; code: string }): boolean {
  if (!address) return false;
  const prefecture = /^\d{5,6}$/.test(municipality.code) ? PREFECTURES[Number(municipality.code.slice(0, 2)) - 1]?.[0] : undefined;
  return prefecture !== undefined && address.trim().startsWith(`${prefecture}${municipality.name}`);
}

/**
 * Whether the TV's household lives in the municipality (its district is one of the municipality's):
 * the best guess for whoever browses without logging in. Booking itself goes by the person.
 */
export async function householdLivesIn(db: Pick<Db, 'select'>, device: Device, municipalityId: string): Promise<boolean> {
  if (!device.householdId) return false;
  const [row] = await db.select({ municipalityId: districts.municipalityId }).from(households)
    .innerJoin(districts, eq(districts.id, households.districtId)).where(eq(households.id, device.householdId));
  return row?.municipalityId === municipalityId;
}

/** What a 区分 costs this booker (yen; paid at the counter), null when the fee table has no row for it. */
export function feeFor(policy: Pick<FacilityPolicy, 'fees'>, period: string, resident: boolean): number | null {
  const row = policy.fees.find((f) => f.period === period);
  return row ? (resident ? row.resident : row.nonResident) : null;
}

/**
 * A booking as the TV sees it (no person or requester ids), with what it costs the person looking:
 * `fee` null when not known (a view without a booker).
 */
export function bookingView(b: Booking, fee: number | null = null) {
  return {
    id: b.id, facilityId: b.facilityId, unitId: b.unitId, day: b.day, period: b.period, state: b.state, source: b.source,
    holdExpiresAt: b.holdExpiresAt?.toISOString() ?? null, permitNo: b.permitNo, fee,
  };
}

/**
 * A person's bookings as the TV shows them, each with what it costs that person (their residency
 * in each facility's municipality, asked once per facility).
 */
export async function personalViews(db: Pick<Db, 'select'>, personId: string, rows: Booking[]) {
  const fees = new Map<string, (period: string) => number | null>();
  for (const facilityId of new Set(rows.map((b) => b.facilityId))) {
    const rules = await rulesOf(db, facilityId);
    const resident = await personLivesIn(db, personId, rules.municipalityId);
    fees.set(facilityId, (period) => feeFor(rules.policy, period, resident));
  }
  return rows.map((b) => bookingView(b, fees.get(b.facilityId)!(b.period)));
}
