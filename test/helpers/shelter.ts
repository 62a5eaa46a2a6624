import { eq } from 'drizzle-orm';
import type { Db } from '../../platform/src/db/client.js';
import { certificates, districts, householdMembers, households, persons, shelters } from '../../platform/src/db/schema/index.js';
import { CLI_ACTOR } from '../../platform/src/identity/audit.js';
import { provisionDevice } from '../../platform/src/identity/devices.js';
import type { JpkiContext } from '../../platform/src/jpki/index.js';
import type { CheckinEvent } from '../../platform/src/shelter/shelter-schemas.js';
import { uuidv7 } from '../../platform/src/shared/uuidv7.js';
import { staffWithSession } from './staff.js';

/** A registered resident as registration leaves them (person, auth certificate with its digest, household). */
export async function registerResident(db: Db, jpki: JpkiContext, certificate: string, name: string, contractNo: string): Promise<string> {
  const chain = await jpki.verify(jpki.parse(certificate), 'auth');
  const [person] = await db.insert(persons).values({ name, consentedAt: new Date() }).returning();
  await db.insert(certificates).values({
    personId: person!.id, purpose: 'auth', cardId: crypto.randomUUID(), lookupKey: jpki.lookupKeyOf(chain), derSha256: chain.certificate.fingerprint,
    rootGeneration: chain.rootGeneration, notBefore: chain.notBefore, notAfter: chain.notAfter,
  });
  const [household] = await db.select().from(households).where(eq(households.contractNo, contractNo));
  await db.insert(householdMembers).values({ householdId: household!.id, personId: person!.id });
  return person!.id;
}

/** A resident without a card (a child): only a person and a household membership. */
export async function householdMember(db: Db, name: string, contractNo: string): Promise<string> {
  const [person] = await db.insert(persons).values({ name, consentedAt: new Date() }).returning();
  const [household] = await db.select().from(households).where(eq(households.contractNo, contractNo));
  await db.insert(householdMembers).values({ householdId: household!.id, personId: person!.id });
  return person!.id;
}

/** A tablet at one of the demo shelters and a shelter staff session of its municipality: the two headers every tablet request carries. */
export async function tabletWithStaff(db: Db, municipalityId: string, shelterName: string, roles = ['municipality.shelter_staff']) {
  const [shelter] = await db.select().from(shelters).where(eq(shelters.name, shelterName));
  const tablet = await provisionDevice(db, { kind: 'tablet', shelterId: shelter!.id }, '受付1', CLI_ACTOR);
  const staff = await staffWithSession(db, municipalityId, roles);
  return { shelter: shelter!, tablet, staff, headers: { 'x-device': `${tablet.id}:${tablet.secret}`, authorization: staff.authorization } };
}

/** A new shelter of the municipality (its first district), named uniquely: a test that counts who is inside finds no other test's people there. */
export async function shelterOfItsOwn(db: Db, municipalityId: string, capacity = 50): Promise<string> {
  const [district] = await db.select().from(districts).where(eq(districts.municipalityId, municipalityId));
  const name = `テスト避難所 ${crypto.randomUUID().slice(0, 8)}`;
  await db.insert(shelters).values({ municipalityId, districtId: district!.id, name, address: '-', capacity });
  return name;
}

/** A tablet's event counter: each call makes the next event. */
export function eventMaker(start = 1) {
  let sequence = start;
  return (kind: CheckinEvent['kind'], subject: CheckinEvent['subject'], extra: Partial<CheckinEvent> = {}): CheckinEvent =>
    ({ eventId: uuidv7(), sequence: sequence++, occurredAt: new Date().toISOString(), kind, subject, ...extra });
}
