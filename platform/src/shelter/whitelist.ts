import { createHash, randomBytes } from 'node:crypto';
import { and, eq, inArray, isNotNull, isNull, ne } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { certificates, districts, householdMembers, households, persons, shelters, type Shelter } from '../db/schema/index.js';
import type { Whitelist } from './shelter-schemas.js';

/** The key a tablet computes for a tapped card: SHA-256(salt ‖ SHA-256(DER)), hex. */
export function whitelistKey(saltHex: string, derSha256Hex: string): string {
  return createHash('sha256').update(Buffer.from(saltHex, 'hex')).update(Buffer.from(derSha256Hex, 'hex')).digest('hex');
}

/**
 * The shelter's municipality's registered residents, for identifying a tapped card with the
 * network down: person id, name and household, nothing else (no birth date, address or
 * certificate). Each copy has its own random salt, so two copies (or two municipalities') cannot
 * be joined by card, and a copy names no certificate digest usable anywhere else.
 */
export async function whitelistFor(db: Db, shelter: Shelter): Promise<Whitelist> {
  const residents = await db
    .select({ personId: persons.id, name: persons.name, householdId: householdMembers.householdId })
    .from(householdMembers)
    .innerJoin(households, eq(households.id, householdMembers.householdId))
    .innerJoin(districts, eq(districts.id, households.districtId))
    .innerJoin(persons, eq(persons.id, householdMembers.personId))
    .where(and(eq(districts.municipalityId, shelter.municipalityId), isNull(householdMembers.leftAt), isNotNull(persons.name)));
  const ids = residents.map((r) => r.personId);
  const cards = ids.length
    ? await db.select({ personId: certificates.personId, derSha256: certificates.derSha256 }).from(certificates)
      .where(and(inArray(certificates.personId, ids), eq(certificates.purpose, 'auth'), eq(certificates.status, 'good'), isNotNull(certificates.derSha256)))
    : [];
  const others = await db.select({ id: shelters.id, name: shelters.name }).from(shelters)
    .where(and(eq(shelters.municipalityId, shelter.municipalityId), ne(shelters.id, shelter.id))).orderBy(shelters.name);
  const salt = randomBytes(32).toString('hex');
  return {
    shelter: { id: shelter.id, name: shelter.name, capacity: shelter.capacity, requirePin: shelter.requirePin },
    salt,
    generatedAt: new Date().toISOString(),
    cards: cards.map((c) => ({ key: whitelistKey(salt, c.derSha256!), personId: c.personId })),
    people: residents.map((r) => ({ personId: r.personId, name: r.name!, householdId: r.householdId })),
    shelters: others,
  };
}
