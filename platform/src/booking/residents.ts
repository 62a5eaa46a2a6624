import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { districts, households, type Device } from '../db/schema/index.js';
import type { Booking } from './schema.js';

/** Whether the TV's household lives in the municipality (its district is one of the municipality's). */
export async function livesIn(db: Db, device: Device, municipalityId: string): Promise<boolean> {
  if (!device.householdId) return false;
  const [row] = await db.select({ municipalityId: districts.municipalityId }).from(households)
    .innerJoin(districts, eq(districts.id, households.districtId)).where(eq(households.id, device.householdId));
  return row?.municipalityId === municipalityId;
}

/** A booking as the TV sees it (no person or requester ids). */
export function bookingView(b: Booking) {
  return {
    id: b.id, facilityId: b.facilityId, unitId: b.unitId, day: b.day, period: b.period, state: b.state, source: b.source,
    holdExpiresAt: b.holdExpiresAt?.toISOString() ?? null, permitNo: b.permitNo,
  };
}
