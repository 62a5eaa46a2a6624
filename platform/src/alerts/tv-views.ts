import { and, eq, gt, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { households } from '../db/schema/households.js';
import { shelters } from '../db/schema/places.js';
import type { TvAlert } from './alerts-schemas.js';
import type { CanonicalAlert } from './model.js';
import { householdMessage } from './personalise.js';
import { alerts, alertTargets } from './schema.js';
import { memberNames, nearestShelter, sheltersOpenedBy, type ShelterPlace } from './targeting.js';

/**
 * The TV payloads of alerts for many households at once (issue 13 §5): one query for the targets,
 * one for the members' names, one per municipality for its shelters, whatever the number of
 * households. Publishing to 20,000 TVs must not be 20,000 × `householdAlertView`.
 */

export type TvAlertView = Omit<TvAlert, 'acknowledged'>;

/**
 * Whether a stored alert is one a TV shows now: active, an Alert or Update, not expired, and Actual —
 * or any status on a TV flagged for test alerts (`testAlerts`), never on another.
 */
export const residentVisible = (a: { state: string; status: string; msgType: string; expiresAt: Date }, now = new Date(), testAlerts = false) =>
  a.state === 'active' && (a.status === 'Actual' || testAlerts) && (a.msgType === 'Alert' || a.msgType === 'Update') && a.expiresAt > now;

/** alertId → householdId → payload, for the targeted pairs among `alertIds` × `householdIds`. */
export async function tvAlertViews(db: Db, alertIds: string[], householdIds: string[]): Promise<Map<string, Map<string, TvAlertView>>> {
  const out = new Map<string, Map<string, TvAlertView>>();
  if (!alertIds.length || !householdIds.length) return out;
  // The documents once per alert (one may be 100 KB), not once per household.
  const alertRows = await db.select({ id: alerts.id, municipalityId: alerts.municipalityId, level: alerts.level, status: alerts.status, sentAt: alerts.sentAt, expiresAt: alerts.expiresAt, document: alerts.document })
    .from(alerts).where(inArray(alerts.id, alertIds));
  const targets: { alertId: string; householdId: string; label: string; latitude: number | null; longitude: number | null }[] = [];
  // Bounded IN lists: a large town is read in slices.
  for (let i = 0; i < householdIds.length; i += 5000) {
    targets.push(...await db.select({
      alertId: alertTargets.alertId, householdId: households.id, label: households.label, latitude: households.latitude, longitude: households.longitude,
    }).from(alertTargets)
      .innerJoin(households, eq(households.id, alertTargets.householdId))
      .where(and(inArray(alertTargets.alertId, alertIds), inArray(alertTargets.householdId, householdIds.slice(i, i + 5000)))));
  }
  if (!targets.length) return out;
  const names = await memberNames(db, [...new Set(targets.map((r) => r.householdId))]);
  const shelterCache = new Map<string, ShelterPlace[]>();
  for (const municipalityId of new Set(alertRows.map((r) => r.municipalityId))) {
    shelterCache.set(municipalityId, await db.select({ id: shelters.id, name: shelters.name, latitude: shelters.latitude, longitude: shelters.longitude })
      .from(shelters).where(eq(shelters.municipalityId, municipalityId)));
  }
  // Each household is pointed to the shelters the alert opens (none named: all of the municipality's).
  const byId = new Map(alertRows.map((a) => [a.id, { ...a, alert: a.document as CanonicalAlert, shelters: sheltersOpenedBy(a.document as CanonicalAlert, shelterCache.get(a.municipalityId)!) }]));
  for (const r of targets) {
    const a = byId.get(r.alertId);
    if (!a || !a.alert.infos.length) continue;
    const nearest = nearestShelter({ id: r.householdId, districtId: null, districtCode: null, latitude: r.latitude, longitude: r.longitude }, a.shelters);
    const shelter = nearest ? { name: nearest.shelter.name, distanceM: Math.round(nearest.distanceM) } : undefined;
    const view: TvAlertView = {
      id: a.id,
      ...(a.level ? { level: a.level } : {}),
      sentAt: a.sentAt.toISOString(),
      ...(a.status !== 'Actual' ? { status: a.status } : {}),
      expiresAt: a.expiresAt.toISOString(),
      messages: a.alert.infos.map((info) => ({
        language: info.language,
        ...householdMessage({
          names: names.get(r.householdId) ?? [], householdLabel: r.label, language: info.language, level: info.level, areaNames: info.areas.map((x) => x.areaDesc),
          ...(info.headline ? { headline: info.headline } : {}),
          ...(shelter ? { shelter } : {}),
        }),
        ...(shelter ? { shelter } : {}),
      })),
    };
    let byHousehold = out.get(a.id);
    if (!byHousehold) out.set(a.id, (byHousehold = new Map()));
    byHousehold.set(r.householdId, view);
  }
  return out;
}

/** The ids of the alerts a household's TV shows now (Actual only, unless it is flagged for test alerts). */
export async function activeAlertIdsFor(db: Db, householdId: string, now = new Date(), testAlerts = false): Promise<string[]> {
  const rows = await db.select({ id: alerts.id }).from(alertTargets).innerJoin(alerts, eq(alerts.id, alertTargets.alertId)).where(and(
    eq(alertTargets.householdId, householdId), eq(alerts.state, 'active'), testAlerts ? undefined : eq(alerts.status, 'Actual'),
    inArray(alerts.msgType, ['Alert', 'Update']), gt(alerts.expiresAt, now),
  )).orderBy(alerts.sentAt);
  return rows.map((r) => r.id);
}
