import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import distance from '@turf/distance';
import { point, polygon } from '@turf/helpers';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { households } from '../db/schema/households.js';
import { householdMembers, persons } from '../db/schema/persons.js';
import { districts, shelters } from '../db/schema/places.js';
import { openShelterNames } from './compose.js';
import type { AlertArea, CanonicalAlert } from './model.js';
import { alerts, alertTargets } from './schema.js';

/**
 * Which households an alert reaches (issue 13 §2): per area, district codes first (geocodes
 * `district` / `ooAzaTyouTyouMokuCode` against the municipality's district codes), then polygons
 * and circles against household coordinates, and an area with neither (or only the municipality's
 * jisX0402) means the whole municipality. Each target keeps its nearest shelter's distance.
 */

export interface Place {
  id: string;
  districtId: string | null;
  districtCode: string | null;
  latitude: number | null;
  longitude: number | null;
}
export interface ShelterPlace {
  id: string;
  name: string;
  latitude: number | null;
  longitude: number | null;
}
export type MatchedBy = 'code' | 'geometry' | 'municipality';

const DISTRICT_CODE_NAMES = ['district', 'ooAzaTyouTyouMokuCode'];

/** CAP writes `lat,lon`; GeoJSON (turf) wants `[lon, lat]`. */
const lonLat = (lat: number, lon: number) => [lon, lat];

function inGeometry(area: AlertArea, h: Place): boolean {
  if (h.latitude === null || h.longitude === null) return false;
  const here = point(lonLat(h.latitude, h.longitude));
  return area.polygons.some((ring) => booleanPointInPolygon(here, polygon([ring.map(([lat, lon]) => lonLat(lat, lon))])))
    || area.circles.some((c) => c.radiusKm > 0 && distance(point(lonLat(c.lat, c.lon)), here, { units: 'kilometers' }) <= c.radiusKm);
}

/** Matches households against one alert's areas; a household matched by several areas keeps the most precise match. */
export function matchHouseholds(alert: CanonicalAlert, places: Place[]): Map<string, MatchedBy> {
  const matched = new Map<string, MatchedBy>();
  const rank: Record<MatchedBy, number> = { code: 2, geometry: 1, municipality: 0 };
  const add = (id: string, by: MatchedBy) => {
    const had = matched.get(id);
    if (!had || rank[by] > rank[had]) matched.set(id, by);
  };
  const knownCodes = new Set(places.map((p) => p.districtCode).filter((c): c is string => c !== null));
  for (const area of alert.infos.flatMap((i) => i.areas)) {
    const codes = area.geocodes.filter((g) => DISTRICT_CODE_NAMES.includes(g.valueName) && knownCodes.has(g.value)).map((g) => g.value);
    if (codes.length) {
      for (const p of places) if (p.districtCode && codes.includes(p.districtCode)) add(p.id, 'code');
    } else if (area.polygons.length || area.circles.length) {
      for (const p of places) if (inGeometry(area, p)) add(p.id, 'geometry');
    } else {
      for (const p of places) add(p.id, 'municipality');
    }
  }
  if (!alert.infos.some((i) => i.areas.length)) for (const p of places) add(p.id, 'municipality');
  return matched;
}

export function nearestShelter(h: Place, options: ShelterPlace[]): { shelter: ShelterPlace; distanceM: number } | undefined {
  if (h.latitude === null || h.longitude === null) return undefined;
  let best: { shelter: ShelterPlace; distanceM: number } | undefined;
  for (const s of options) {
    if (s.latitude === null || s.longitude === null) continue;
    const distanceM = distance(point(lonLat(h.latitude, h.longitude)), point(lonLat(s.latitude, s.longitude)), { units: 'meters' });
    if (!best || distanceM < best.distanceM) best = { shelter: s, distanceM };
  }
  return best;
}

/**
 * The shelters a household may be pointed to: those the alert opens (`openShelter`, console alerts
 * name them), or every shelter of the municipality when it names none (feeds) or none of its names
 * is known here.
 */
export function sheltersOpenedBy<S extends { name: string }>(alert: Pick<CanonicalAlert, 'infos'>, all: S[]): S[] {
  const open = openShelterNames(alert);
  const opened = open.length ? all.filter((s) => open.includes(s.name)) : [];
  return opened.length ? opened : all;
}

/** Computes and stores the targets of a stored alert (idempotent); returns how many households. */
export async function targetAlert(db: Db, alertId: string): Promise<number> {
  const [row] = await db.select({ municipalityId: alerts.municipalityId, document: alerts.document }).from(alerts).where(eq(alerts.id, alertId));
  if (!row) return 0;
  const places = await db.select({
    id: households.id, districtId: households.districtId, districtCode: districts.code, latitude: households.latitude, longitude: households.longitude,
  }).from(households).innerJoin(districts, eq(districts.id, households.districtId)).where(eq(districts.municipalityId, row.municipalityId));
  const shelterRows = await db.select({ id: shelters.id, name: shelters.name, latitude: shelters.latitude, longitude: shelters.longitude })
    .from(shelters).where(eq(shelters.municipalityId, row.municipalityId));
  const alert = row.document as CanonicalAlert;
  const matched = matchHouseholds(alert, places);
  const usable = sheltersOpenedBy(alert, shelterRows);
  const values = places.filter((p) => matched.has(p.id)).map((p) => ({
    alertId, householdId: p.id, districtId: p.districtId, matchedBy: matched.get(p.id)!, shelterDistanceM: nearestShelter(p, usable)?.distanceM ?? null,
  }));
  for (let i = 0; i < values.length; i += 1000) await db.insert(alertTargets).values(values.slice(i, i + 1000)).onConflictDoNothing();
  return values.length;
}

/** Current members' names of households, for the personalised text. */
export async function memberNames(db: Db, householdIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!householdIds.length) return out;
  const rows = await db.select({ householdId: householdMembers.householdId, name: persons.name }).from(householdMembers)
    .innerJoin(persons, eq(persons.id, householdMembers.personId))
    .where(and(inArray(householdMembers.householdId, householdIds), isNull(householdMembers.leftAt)));
  for (const r of rows) if (r.name) out.set(r.householdId, [...(out.get(r.householdId) ?? []), r.name]);
  return out;
}
