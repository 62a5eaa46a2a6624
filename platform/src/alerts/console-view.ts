import { asc, count, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { households } from '../db/schema/households.js';
import { districts, shelters } from '../db/schema/places.js';
import type { AlertsOverview, PreviewBody, PreviewView } from './alert-console-schemas.js';
import { draftViews, openDrafts, resolvePlaces, settingsOf } from './drafts.js';
import type { CanonicalAlert, EvacuationLevel } from './model.js';
import { householdMessage } from './personalise.js';
import { alerts, alertTargets } from './schema.js';
import { memberNames, nearestShelter } from './targeting.js';

/** What the console's alerts page reads: the municipality's messages, open drafts, the setting, the places a draft can name. */

/** How many of the municipality's messages the list shows (newest first). */
const LIST_LIMIT = 100;

export async function alertsOverview(db: Db, municipalityId: string): Promise<AlertsOverview> {
  const rows = await db.select().from(alerts).where(eq(alerts.municipalityId, municipalityId)).orderBy(desc(alerts.sentAt), desc(alerts.receivedAt)).limit(LIST_LIMIT);
  const targeted = rows.length
    ? await db.select({ alertId: alertTargets.alertId, n: count() }).from(alertTargets).where(inArray(alertTargets.alertId, rows.map((r) => r.id))).groupBy(alertTargets.alertId)
    : [];
  const settings = await settingsOf(db, municipalityId);
  return {
    alerts: rows.map((r) => {
      const doc = r.document as CanonicalAlert;
      return {
        id: r.id, identifier: r.identifier, msgType: r.msgType, status: r.status, state: r.state, level: r.level, channel: r.channel,
        headline: doc.infos[0]?.headline ?? doc.infos[0]?.event ?? doc.note ?? '',
        areas: [...new Set(doc.infos.flatMap((i) => i.areas.map((a) => a.areaDesc)))],
        sentAt: r.sentAt.toISOString(), expiresAt: r.expiresAt.toISOString(), supersedes: r.supersedes, supersededBy: r.supersededBy,
        targeted: targeted.find((t) => t.alertId === r.id)?.n ?? 0, composedHere: r.channel === 'console',
      };
    }),
    drafts: await draftViews(db, await openDrafts(db, municipalityId), settings),
    settings,
    places: {
      districts: await db.select({ id: districts.id, code: districts.code, name: districts.name }).from(districts).where(eq(districts.municipalityId, municipalityId)).orderBy(asc(districts.code)),
      shelters: await db.select({ id: shelters.id, name: shelters.name, districtId: shelters.districtId }).from(shelters).where(eq(shelters.municipalityId, municipalityId)).orderBy(asc(shelters.name)),
    },
  };
}

/**
 * The TV overlay's text while an officer composes: the first household (by contract number) of the
 * chosen districts, with its members' names and its nearest shelter among those being opened —
 * exactly what personalise.ts will give that household's TV.
 */
export async function previewOf(db: Db, municipalityId: string, body: PreviewBody): Promise<PreviewView> {
  const places = await resolvePlaces(db, municipalityId, body.districtIds ?? [], body.shelterIds ?? []);
  const inDistricts = places.districts.length ? places.districts.map((d) => d.id) : (await db.select({ id: districts.id }).from(districts).where(eq(districts.municipalityId, municipalityId))).map((d) => d.id);
  const homes = inDistricts.length
    ? await db.select({ id: households.id, label: households.label, latitude: households.latitude, longitude: households.longitude, districtId: households.districtId })
      .from(households).where(inArray(households.districtId, inDistricts)).orderBy(asc(households.contractNo))
    : [];
  const sample = homes[0];
  const options = places.shelters.length
    ? places.shelters
    : await db.select().from(shelters).where(eq(shelters.municipalityId, municipalityId));
  const nearest = sample ? nearestShelter(sample, options) : undefined;
  const names = sample ? (await memberNames(db, [sample.id])).get(sample.id) ?? [] : [];
  const level: EvacuationLevel = body.level === 'lift' ? 'lift' : (Number(body.level) as EvacuationLevel);
  const message = householdMessage({
    names, householdLabel: sample?.label ?? '（世帯）', level, areaNames: places.districts.map((d) => d.name),
    ...(body.headline?.trim() ? { headline: body.headline.trim() } : {}),
    ...(nearest ? { shelter: { name: nearest.shelter.name, distanceM: nearest.distanceM } } : {}),
  });
  return { households: homes.length, sample: sample ? { label: sample.label } : null, message };
}
