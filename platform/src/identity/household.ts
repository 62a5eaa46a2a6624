import { and, asc, eq, isNull, sql, type Placeholder, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { districts, householdMembers, households, persons, type Device } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';
import { CONSENT } from './consent.js';

export interface MemberView {
  personId: string;
  name: string | null;
}

/** The TV's household; AUTH_FORBIDDEN for a device that is not a household TV. */
export async function householdOf(db: Db, device: Device) {
  if (device.kind !== 'tv' || !device.householdId) throw new AppError('AUTH_FORBIDDEN', { detail: 'not a household TV' });
  const [household] = await db.select().from(households).where(eq(households.id, device.householdId));
  if (!household) throw new AppError('AUTH_FORBIDDEN', { detail: 'household gone' });
  return household;
}

/** Current members of a household, in the order they joined (the who-is-watching list). */
export async function membersOf(db: Db, householdId: string): Promise<MemberView[]> {
  return db
    .select({ personId: persons.id, name: persons.name })
    .from(householdMembers)
    .innerJoin(persons, eq(persons.id, householdMembers.personId))
    .where(and(eq(householdMembers.householdId, householdId), isNull(householdMembers.leftAt)))
    .orderBy(asc(householdMembers.joinedAt));
}

/**
 * The same list as `membersOf`, as a SQL expression (a JSON array), for queries that fetch it in
 * the same round trip as something else.
 */
export function membersJson(householdId: string | Placeholder | SQLWrapper) {
  return sql<MemberView[]>`(select coalesce(json_agg(json_build_object('personId', p.id, 'name', p.name) order by m.joined_at), '[]'::json)
    from ${householdMembers} m join ${persons} p on p.id = m.person_id
    where m.household_id = ${householdId} and m.left_at is null)`;
}

/** The districts a household can choose from: those of the municipality its district belongs to. */
export async function districtChoices(db: Db, household: { districtId: string | null }) {
  const columns = { id: districts.id, code: districts.code, name: districts.name };
  if (!household.districtId) return db.select(columns).from(districts).orderBy(asc(districts.code));
  const [home] = await db.select().from(districts).where(eq(districts.id, household.districtId));
  return db
    .select(columns)
    .from(districts)
    .where(eq(districts.municipalityId, home!.municipalityId))
    .orderBy(asc(districts.code));
}

/** Everything the TV shows before anyone logs in: who lives here, the districts, the consent text. */
export async function tvHouseholdContext(db: Db, device: Device) {
  const household = await householdOf(db, device);
  const choices = await districtChoices(db, household);
  return {
    household: { id: household.id, label: household.label, districtCode: choices.find((d) => d.id === household.districtId)?.code ?? null },
    members: await membersOf(db, household.id),
    districts: choices.map(({ code, name }) => ({ code, name })),
    consent: { version: CONSENT.version, text: CONSENT.text },
  };
}
