import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import distance from '@turf/distance';
import { point, polygon } from '@turf/helpers';
import { and, count, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { households } from '../db/schema/households.js';
import { householdNames } from '../db/schema/persons.js';
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

const DISTRICT_CODE_NAMES = ['district', 'ooAzaTyouTyouMokuCode'];

/** CAP writes `lat,lon`; GeoJSON (turf) wants `[lon, lat]`. */
const lonLat = (lat: number, lon: number) => [lon, lat];

function inGeometry(area: AlertArea, h: Pick<Place, 'latitude' | 'longitude'>): boolean {
  if (h.latitude === null || h.longitude === null) return false;
  const here = point(lonLat(h.latitude, h.longitude));
  return area.polygons.some((ring) => booleanPointInPolygon(here, polygon([ring.map(([lat, lon]) => lonLat(lat, lon))])))
    || area.circles.some((c) => c.radiusKm > 0 && distance(point(lonLat(c.lat, c.lon)), here, { units: 'kilometers' }) <= c.radiusKm);
}

/** turf's earth radius (`@turf/distance`: 6,371,008.8 m), twice: the haversine distance is 2R·asin√a. */
const EARTH_DIAMETER_M = 12_742_017.6;
const RADIANS = Math.PI / 180;

/**
 * The nearest of `options` to a household, and how far: turf's haversine, computed the way targeting
 * computes it in the database (targetAlert) — each place's radians and cosine, the candidates ordered
 * by the haversine's inner term `a` (which grows with the distance), ties by id — so that a process
 * choosing for the TVs connected to it (tv-channel.ts) and the stored target agree.
 */
export function nearestShelter<S extends ShelterPlace>(h: Pick<Place, 'latitude' | 'longitude'>, options: S[]): { shelter: S; distanceM: number } | undefined {
  if (h.latitude === null || h.longitude === null) return undefined;
  const lat = h.latitude * RADIANS;
  const lon = h.longitude * RADIANS;
  const cosLat = Math.cos(lat);
  let best: S | undefined;
  let bestA = Infinity;
  for (const s of options) {
    if (s.latitude === null || s.longitude === null) continue;
    const sLat = s.latitude * RADIANS;
    const a = Math.sin((sLat - lat) / 2) ** 2 + cosLat * Math.cos(sLat) * Math.sin((s.longitude * RADIANS - lon) / 2) ** 2;
    if (a < bestA || (a === bestA && best && s.id < best.id)) {
      best = s;
      bestA = a;
    }
  }
  return best && { shelter: best, distanceM: EARTH_DIAMETER_M * Math.asin(Math.sqrt(bestA)) };
}

/** What targeting made of the codes an alert names (stored on the alert row, shown in the console). */
export interface AreaCodeOutcome {
  /** District codes (`district` / `ooAzaTyouTyouMokuCode`) that are neither the municipality's code nor one of its districts'. */
  unknownAreaCodes: string[];
  /** An area named only such codes (no known code, no polygon or circle), so it became the whole municipality. */
  widenedToMunicipality: boolean;
}

/**
 * The unknown codes of an alert: a feed naming a 町丁目 the municipality never registered (a typo,
 * an old code after a merger) would otherwise reach every household without anyone noticing.
 */
export function areaCodeOutcome(alert: CanonicalAlert, municipalityCode: string, knownCodes: Set<string>): AreaCodeOutcome {
  const unknown = new Set<string>();
  let widenedToMunicipality = false;
  for (const area of alert.infos.flatMap((i) => i.areas)) {
    const codes = area.geocodes.filter((g) => DISTRICT_CODE_NAMES.includes(g.valueName) && g.value !== municipalityCode).map((g) => g.value);
    const strangers = codes.filter((c) => !knownCodes.has(c));
    for (const c of strangers) unknown.add(c);
    if (strangers.length && strangers.length === codes.length && !area.polygons.length && !area.circles.length) widenedToMunicipality = true;
  }
  return { unknownAreaCodes: [...unknown], widenedToMunicipality };
}

/** Which households an alert reaches: known district codes, polygons and circles, or everyone. */
interface TargetPlan {
  codes: string[];
  geometry: AlertArea[];
  whole: boolean;
}

/**
 * An alert's areas as a plan: a known district code reaches its district (before any geometry of the
 * same area); polygons and circles, households inside them; an area with neither, or no area at
 * all, the whole municipality. The database matches the codes and "everyone", turf the geometry.
 */
function targetPlan(alert: CanonicalAlert, knownCodes: Set<string>): TargetPlan {
  const plan: TargetPlan = { codes: [], geometry: [], whole: !alert.infos.some((i) => i.areas.length) };
  for (const area of alert.infos.flatMap((i) => i.areas)) {
    const codes = area.geocodes.filter((g) => DISTRICT_CODE_NAMES.includes(g.valueName) && knownCodes.has(g.value)).map((g) => g.value);
    if (codes.length) plan.codes.push(...codes);
    else if (area.polygons.length || area.circles.length) plan.geometry.push(area);
    else plan.whole = true;
  }
  return plan;
}

/**
 * What targeting one alert needs besides the households: its municipality, its plan, and the
 * shelters its texts may point to — those the alert opens (`openShelter`), or all the municipality's
 * when it names none of them — with coordinates. One definition for the database's targeting and
 * for a process aiming at its own TVs.
 */
export interface TargetingContext {
  municipalityId: string;
  plan: TargetPlan;
  shelters: ShelterPlace[];
}

/** The context of a stored alert (three small reads at once), or null when it is not stored. */
export async function targetingContext(db: Db, alertId: string): Promise<TargetingContext | null> {
  const ofAlert = sql`(select a.municipality_id from alerts a where a.id = ${alertId})`;
  const [[row], known, all] = await Promise.all([
    db.select({ municipalityId: alerts.municipalityId, document: alerts.document }).from(alerts).where(eq(alerts.id, alertId)),
    db.select({ code: districts.code }).from(districts).where(eq(districts.municipalityId, ofAlert)),
    db.select({ id: shelters.id, name: shelters.name, latitude: shelters.latitude, longitude: shelters.longitude }).from(shelters).where(eq(shelters.municipalityId, ofAlert)),
  ]);
  return row ? contextOf(row.municipalityId, row.document as CanonicalAlert, known.map((d) => d.code), all) : null;
}

export function contextOf(municipalityId: string, alert: CanonicalAlert, knownCodes: string[], municipalityShelters: ShelterPlace[]): TargetingContext {
  const open = new Set(openShelterNames(alert));
  const opened = municipalityShelters.filter((s) => open.has(s.name));
  const shelters = (opened.length ? opened : municipalityShelters).filter((s) => s.latitude !== null && s.longitude !== null);
  return { municipalityId, plan: targetPlan(alert, new Set(knownCodes)), shelters };
}

/**
 * Whether an alert reaches one household, and the shelter its text points to: what `targetAlert`
 * stores for it, decided from what a process keeps of the household (tv-homes.ts). Null: not reached.
 */
export function aimAt(context: TargetingContext, home: Omit<Place, 'id' | 'districtId'> & { municipalityId: string | null }): { shelter?: { id: string; name: string; distanceM: number } } | null {
  if (home.municipalityId !== context.municipalityId) return null;
  const { plan } = context;
  const reached = plan.whole || (home.districtCode !== null && plan.codes.includes(home.districtCode))
    || (plan.geometry.length > 0 && plan.geometry.some((area) => inGeometry(area, home)));
  if (!reached) return null;
  const near = nearestShelter(home, context.shelters);
  return near ? { shelter: { id: near.shelter.id, name: near.shelter.name, distanceM: near.distanceM } } : {};
}

/**
 * The targets are written by this many statements at once, each for its share of the households
 * (by a hash of the id). On PostgreSQL they run on connections of their own, so on cores of their
 * own: a town of 20,000 homes is targeted in a little over half the time, while the platform
 * processes wait for it with nothing else to do. On PGlite they run one after the other.
 */
const TARGET_PARTS = 2;

/**
 * Computes and stores the targets of a stored alert (idempotent); returns how many households.
 * TARGET_PARTS INSERT … SELECTs whatever the size of the town (issue 13 §5: it runs between storing and
 * announcing, so it is on every TV's delivery time): district codes and "the whole municipality"
 * are matched by the database; only polygons and circles read coordinates into turf. Each target
 * keeps the shelter its text will point to — the nearest of those the alert opens (`openShelter`),
 * or of all the municipality's when it names none — and the distance, so that sending needs no
 * geometry at all.
 */
export async function targetAlert(db: Db, alertId: string): Promise<number> {
  const context = await targetingContext(db, alertId);
  if (!context) return 0;
  const { municipalityId, plan } = context;
  let byGeometry: string[] = [];
  if (plan.geometry.length) {
    const places = await db.select({
      id: households.id, districtId: households.districtId, districtCode: districts.code, latitude: households.latitude, longitude: households.longitude,
    }).from(households).innerJoin(districts, eq(districts.id, households.districtId))
      .where(and(eq(districts.municipalityId, municipalityId), isNotNull(households.latitude), isNotNull(households.longitude)));
    byGeometry = places.filter((p) => plan.geometry.some((area) => inGeometry(area, p))).map((p) => p.id);
  }
  // The nearest shelter as `nearestShelter` finds it (the same radians, cosines, order by the
  // haversine's inner term and ties by id), the distance only for the nearest. Done here rather than
  // in JS: the full formula per household and shelter was half of a 20,000-home town's targeting time.
  await Promise.all(Array.from({ length: TARGET_PARTS }, (_, part) => db.execute(sql`
    insert into alert_targets (alert_id, household_id, district_id, matched_by, shelter_id, shelter_distance_m)
    with s as materialized (
      select s.id, radians(s.latitude) as lat, radians(s.longitude) as lon, cos(radians(s.latitude)) as cos_lat
      from shelters s
      where s.id = any(${sql.param(context.shelters.map((x) => x.id))}::uuid[])
    )
    select ${alertId}::uuid, m.id, m.district_id, m.matched_by, near.id, ${EARTH_DIAMETER_M}::float8 * asin(sqrt(near.a))
    from (
      select h.id, h.district_id, radians(h.latitude) as lat, radians(h.longitude) as lon, cos(radians(h.latitude)) as cos_lat,
        case when d.code = any(${sql.param(plan.codes)}::text[]) then 'code'
             when h.id = any(${sql.param(byGeometry)}::uuid[]) then 'geometry'
             when ${plan.whole} then 'municipality' end as matched_by
      from households h join districts d on d.id = h.district_id
      where d.municipality_id = ${municipalityId} and abs(hashtext(h.id::text)) % ${TARGET_PARTS} = ${part}
    ) m
    left join lateral (
      select s.id, power(sin((s.lat - m.lat) / 2), 2) + m.cos_lat * s.cos_lat * power(sin((s.lon - m.lon) / 2), 2) as a
      from s
      where m.lat is not null and m.lon is not null
      order by a, s.id
      limit 1
    ) near on true
    where m.matched_by is not null
    on conflict do nothing`)));
  const [{ n }] = await db.select({ n: count() }).from(alertTargets).where(eq(alertTargets.alertId, alertId)) as [{ n: number }];
  return n;
}

/**
 * The households among `householdIds` that an alert's stored targets hold: what a process compares
 * with those it aimed at itself (tv-channel.ts).
 */
export async function targetedAmong(db: Db, alertId: string, householdIds: string[]): Promise<Set<string>> {
  if (!householdIds.length) return new Set();
  const { rows } = (await db.execute(sql`
    select t.household_id from unnest(${sql.param(householdIds)}::uuid[]) as c(household_id)
    join alert_targets t on t.alert_id = ${alertId} and t.household_id = c.household_id`)) as unknown as { rows: { household_id: string }[] };
  return new Set(rows.map((r) => r.household_id));
}

/**
 * Current members' names of households, for the personalised text: `household_names`, the one
 * definition (kept by triggers: in the order they joined, empty names left out); the console's preview reads it.
 */
export async function memberNames(db: Db, householdIds: string[]): Promise<Map<string, string[]>> {
  if (!householdIds.length) return new Map();
  const rows = await db.select().from(householdNames).where(inArray(householdNames.householdId, householdIds));
  return new Map(rows.map((r) => [r.householdId, r.names]));
}
