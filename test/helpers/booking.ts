import { eq } from 'drizzle-orm';
import { floorOf } from '../../platform/src/booking/bookings.js';
import type { Db } from '../../platform/src/db/client.js';
import { facilities, organisations, persons, sessions } from '../../platform/src/db/schema/index.js';
import { provisionDevice } from '../../platform/src/identity/devices.js';
import { newSessionToken } from '../../platform/src/identity/sessions.js';
import { facilityPolicies, facilityUnits, type FacilityPolicy } from '../../platform/src/booking/schema.js';

/** 午前/午後/夜間, the usual 区分 of a Japanese public hall. */
export const PERIODS = [
  { code: 'am', label: '午前', start: '09:00', end: '12:00' },
  { code: 'pm', label: '午後', start: '13:00', end: '17:00' },
  { code: 'night', label: '夜間', start: '18:00', end: '21:00' },
];

let counter = 0;

/** A municipality with one facility of two units (no shared floor) and a plain policy (override any of it). */
export async function bookableFacility(db: Db, policy: Partial<Omit<FacilityPolicy, 'facilityId'>> = {}) {
  const n = ++counter;
  const [org] = await db.insert(organisations).values({ kind: 'municipality', code: `bk${n}-${Date.now()}`, name: `試験市${n}` }).returning();
  return { organisation: org!, ...(await bookableFacilityIn(db, org!.id, policy)) };
}

/** A facility of two units that share no floor, with a plain policy, in an existing municipality. */
export async function bookableFacilityIn(db: Db, municipalityId: string, policy: Partial<Omit<FacilityPolicy, 'facilityId'>> = {}) {
  const n = ++counter;
  const [facility] = await db.insert(facilities).values({ municipalityId, name: `試験体育館${n}`, kind: 'gym' }).returning();
  const units = await db.insert(facilityUnits).values([
    { facilityId: facility!.id, name: '第1室', sort: 0 },
    { facilityId: facility!.id, name: '第2室', sort: 1 },
  ]).returning();
  await db.insert(facilityPolicies).values({
    facilityId: facility!.id, periods: PERIODS, residentHorizonDays: 60, nonResidentHorizonDays: 30, cancelDeadlineDays: 3,
    monthlyQuota: 4, holdMinutes: 30, fees: PERIODS.map((p) => ({ period: p.code, resident: 1000, nonResident: 2000 })), lottery: null, ...policy,
  });
  return { facility: facility!, units: units as [typeof units[0], typeof units[0]] };
}

/** `count` people (no card data: the booking module only needs their id). */
export async function somePeople(db: Db, count: number): Promise<string[]> {
  const rows = await db.insert(persons).values(Array.from({ length: count }, (_, i) => ({ name: `予約　太郎${i}` }))).returning({ id: persons.id });
  return rows.map((r) => r.id);
}

/** A fixed "now" (09:00 JST on 2027-01-04) and days relative to it, for tests independent of the clock. */
export const NOW = new Date('2027-01-04T00:00:00Z');

/**
 * A new TV in a demo household with a person logged in on it: headers for browsing and for acting.
 * `address` is the person's registered address (the booking module decides residency by it).
 */
export async function tvWithSession(db: Db, contractNo = 'CATV-0001', address: string | null = null) {
  const tv = await provisionDevice(db, { kind: 'tv', householdContractNo: contractNo }, 'booking TV', { name: 'operator:test', organisationId: null });
  const [person] = await db.insert(persons).values({ name: '予約　花子', address }).returning();
  const token = newSessionToken(600);
  await db.insert(sessions).values({ tokenHash: token.tokenHash, personId: person!.id, deviceId: tv.id, assurance: 'high', expiresAt: token.expiresAt });
  return { personId: person!.id, device: { authorization: tv.credential }, session: { authorization: `Bearer ${token.token}`, 'x-device': tv.credential.slice(7) } };
}

/** A gym whose 全面 takes the floor of its A面 and B面 (units in that order), with a plain policy. */
export async function splitGym(db: Db, policy: Partial<Omit<FacilityPolicy, 'facilityId'>> = {}) {
  const { organisation, facility, units: [a, b] } = await bookableFacility(db, policy);
  await db.update(facilityUnits).set({ name: 'A面' }).where(eq(facilityUnits.id, a.id));
  await db.update(facilityUnits).set({ name: 'B面' }).where(eq(facilityUnits.id, b.id));
  const [whole] = await db.insert(facilityUnits).values({ facilityId: facility.id, name: '全面', sort: 2, floor: floorOf([a.id, b.id]) }).returning();
  return { organisation, facility, whole: whole!, halves: [a, b] as const };
}
