import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { devices, districts, households, organisations, serviceProviders, shelters } from '../db/schema/index.js';
import { staffMembers } from '../staff/schema.js';
import { seedDemoFacilities } from './booking-seed.js';
import {
  DEMO_DISTRICTS, DEMO_DISTRICTS_2, DEMO_HOUSEHOLDS, DEMO_HOUSEHOLDS_2, DEMO_INSURER, DEMO_MUNICIPALITY, DEMO_MUNICIPALITY_2,
  DEMO_OPERATOR, DEMO_PROVIDERS, DEMO_SHELTERS, DEMO_STAFF,
} from './world.js';

/** SHA-256 hex of a device secret: what the devices table stores. */
export const hashDeviceSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

/**
 * Creates the demo world once. Safe to call on every start and from several processes: it does
 * nothing when the demo operator exists, and the unique code makes a concurrent second run fail
 * inside its transaction instead of duplicating anything.
 * @returns whether this call created the world.
 */
export async function seedDemoWorld(db: Db): Promise<boolean> {
  const existing = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.code, DEMO_OPERATOR.code));
  if (existing.length) return false;
  try {
    await db.transaction(async (tx) => {
      const [operator, municipality, insurer, municipality2] = await tx
        .insert(organisations)
        .values([
          { kind: 'cable_operator', ...DEMO_OPERATOR },
          { kind: 'municipality', ...DEMO_MUNICIPALITY },
          { kind: 'insurer', ...DEMO_INSURER },
          { kind: 'municipality', ...DEMO_MUNICIPALITY_2 },
        ])
        .returning();
      const districtRows = await tx
        .insert(districts)
        .values([
          ...DEMO_DISTRICTS.map((d) => ({ municipalityId: municipality!.id, ...d })),
          ...DEMO_DISTRICTS_2.map((d) => ({ municipalityId: municipality2!.id, ...d })),
        ])
        .returning();
      const districtId = (code: string) => districtRows.find((d) => d.code === code)!.id;
      await tx.insert(shelters).values(
        DEMO_SHELTERS.map(({ district, ...s }) => ({ municipalityId: municipality!.id, districtId: districtId(district), ...s })),
      );
      await tx.insert(serviceProviders).values(
        DEMO_PROVIDERS.map(({ owner, ...p }) => ({ organisationId: (owner === 'insurer' ? insurer : municipality)!.id, ...p })),
      );
      for (const h of [...DEMO_HOUSEHOLDS, ...DEMO_HOUSEHOLDS_2]) {
        const [household] = await tx
          .insert(households)
          .values({ operatorId: operator!.id, contractNo: h.contractNo, districtId: districtId(h.district), label: h.label, latitude: h.latitude, longitude: h.longitude })
          .returning();
        await tx.insert(devices).values({
          id: h.tv.id, kind: 'tv', label: `${h.label} テレビ`, householdId: household!.id, credentialHash: hashDeviceSecret(h.tv.secret),
        });
      }
      const orgByCode = new Map([operator!, municipality!, insurer!, municipality2!].map((o) => [o.code, o.id]));
      await seedDemoFacilities(tx, (code) => orgByCode.get(code)!);
      await tx.insert(staffMembers).values(
        DEMO_STAFF.map((m) => ({ organisationId: orgByCode.get(m.org)!, displayName: m.displayName, roles: [...m.roles] })),
      );
    });
  } catch (err) {
    // Another process seeded at the same moment: the unique code refused our copy.
    const again = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.code, DEMO_OPERATOR.code));
    if (again.length) return false;
    throw err;
  }
  return true;
}
