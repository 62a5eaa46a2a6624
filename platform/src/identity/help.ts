import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { districts, organisations, type Device } from '../db/schema/index.js';
import { householdOf } from './household.js';

/** Who a resident can call: a name and, when known, a phone number. */
export interface Contact {
  name: string;
  phone: string | null;
}

/**
 * Who helps the household of this TV: its cable operator (the reader, the TV, the service), and
 * the municipality its district belongs to (a locked card is unlocked at its 窓口). One source: the
 * organisations' own records, so a changed number changes on every TV at once.
 */
export async function tvHelp(db: Db, device: Device): Promise<{ operator: Contact; municipality: Contact | null }> {
  const household = await householdOf(db, device);
  const contact = { name: organisations.name, phone: organisations.helpPhone };
  const [operator] = await db.select(contact).from(organisations).where(eq(organisations.id, household.operatorId));
  const [municipality] = household.districtId
    ? await db.select(contact).from(districts).innerJoin(organisations, eq(organisations.id, districts.municipalityId))
      .where(eq(districts.id, household.districtId))
    : [];
  return { operator: operator!, municipality: municipality ?? null };
}
