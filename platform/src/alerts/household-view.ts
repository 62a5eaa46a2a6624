import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { households } from '../db/schema/households.js';
import { shelters } from '../db/schema/places.js';
import type { CanonicalAlert } from './model.js';
import { householdMessage, type HouseholdMessage } from './personalise.js';
import { alerts, alertTargets } from './schema.js';
import { memberNames, nearestShelter, sheltersOpenedBy } from './targeting.js';

/** One targeted household's personalised message for an alert, per language of the alert (first = source order). */
export async function householdAlertView(db: Db, alertId: string, householdId: string): Promise<{ language: string; message: HouseholdMessage }[] | null> {
  const [row] = await db.select({ document: alerts.document, municipalityId: alerts.municipalityId, label: households.label, latitude: households.latitude, longitude: households.longitude })
    .from(alertTargets)
    .innerJoin(alerts, eq(alerts.id, alertTargets.alertId))
    .innerJoin(households, eq(households.id, alertTargets.householdId))
    .where(and(eq(alertTargets.alertId, alertId), eq(alertTargets.householdId, householdId)));
  if (!row) return null;
  const alert = row.document as CanonicalAlert;
  const shelterRows = await db.select({ id: shelters.id, name: shelters.name, latitude: shelters.latitude, longitude: shelters.longitude })
    .from(shelters).where(eq(shelters.municipalityId, row.municipalityId));
  const nearest = nearestShelter({ id: householdId, districtId: null, districtCode: null, latitude: row.latitude, longitude: row.longitude }, sheltersOpenedBy(alert, shelterRows));
  const names = (await memberNames(db, [householdId])).get(householdId) ?? [];
  return alert.infos.map((info) => ({
    language: info.language,
    message: householdMessage({
      names, householdLabel: row.label, language: info.language, level: info.level, areaNames: info.areas.map((a) => a.areaDesc),
      ...(info.headline ? { headline: info.headline } : {}),
      ...(nearest ? { shelter: { name: nearest.shelter.name, distanceM: nearest.distanceM } } : {}),
    }),
  }));
}
