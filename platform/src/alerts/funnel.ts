import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { devices, households } from '../db/schema/households.js';
import { districts } from '../db/schema/places.js';
import { AppError } from '../shared/errors.js';
import type { FunnelView } from './alert-console-schemas.js';
import { alertReceipts, alerts, alertTargets } from './schema.js';

/**
 * One alert's funnel (issue 13 §3): targeted → delivered → displayed → acknowledged households,
 * per district; the TVs not reached; seconds from publishing to each TV's first receipt; and the
 * watchdog on 99 % delivery. The stages are cumulative: a household whose TV reported "displayed"
 * (or "acknowledged") was delivered to, even if that receipt was lost, so the funnel never widens.
 */

/** Histogram bucket edges in seconds; the last bucket is open-ended. */
export const HISTOGRAM_EDGES = [0, 1, 2, 5, 10, 30, 60, 120, 300, 600] as const;
/** The not-reached list shows this many TVs (the total is always given). */
const NOT_REACHED_LIMIT = 200;

/** The time by which a share of `population` items had arrived (sorted seconds); null when not reached yet. */
export function timeToShare(sortedSeconds: number[], population: number, share: number): number | null {
  if (population === 0) return null;
  const needed = Math.ceil(share * population);
  return needed <= sortedSeconds.length ? sortedSeconds[needed - 1]! : null;
}

export function histogram(seconds: number[]): { edgesSeconds: number[]; counts: number[] } {
  const counts = HISTOGRAM_EDGES.map(() => 0);
  for (const s of seconds) {
    let i = HISTOGRAM_EDGES.length - 1;
    while (i > 0 && s < HISTOGRAM_EDGES[i]!) i--;
    counts[i]!++;
  }
  return { edgesSeconds: [...HISTOGRAM_EDGES], counts };
}

export function watchdogState(p99: number | null, elapsedSeconds: number, boundSeconds: number, applicable: boolean): FunnelView['watchdog']['state'] {
  if (!applicable) return 'not_applicable';
  if (p99 !== null) return p99 <= boundSeconds ? 'ok' : 'late';
  return elapsedSeconds > boundSeconds ? 'late' : 'pending';
}

export async function alertFunnel(db: Db, municipalityId: string, alertId: string, boundSeconds: number, now = new Date()): Promise<FunnelView> {
  const [alert] = await db.select({
    municipalityId: alerts.municipalityId, msgType: alerts.msgType, publishedAt: alerts.receivedAt,
    unknownAreaCodes: alerts.unknownAreaCodes, widenedToMunicipality: alerts.widenedToMunicipality,
  }).from(alerts).where(eq(alerts.id, alertId));
  if (!alert) throw new AppError('REQ_NOT_FOUND', { detail: 'no such alert' });
  if (alert.municipalityId !== municipalityId) throw new AppError('STAFF_OUT_OF_SCOPE');

  const perHousehold = await db.select({
    householdId: alertTargets.householdId, districtId: alertTargets.districtId, district: districts.name,
    delivered: sql<boolean>`count(${alertReceipts.kind}) > 0`,
    displayed: sql<boolean>`coalesce(bool_or(${alertReceipts.kind} in ('displayed', 'acknowledged')), false)`,
    acknowledged: sql<boolean>`coalesce(bool_or(${alertReceipts.kind} = 'acknowledged'), false)`,
    answer: sql<string | null>`max(${alertReceipts.answer})`,
  }).from(alertTargets)
    .leftJoin(districts, eq(districts.id, alertTargets.districtId))
    .leftJoin(alertReceipts, and(eq(alertReceipts.alertId, alertTargets.alertId), eq(alertReceipts.householdId, alertTargets.householdId)))
    .where(eq(alertTargets.alertId, alertId))
    .groupBy(alertTargets.householdId, alertTargets.districtId, districts.name);

  const blank = () => ({ targeted: 0, delivered: 0, displayed: 0, acknowledged: 0, evacuated: 0, safeAtHome: 0 });
  const totals = blank();
  const byDistrict = new Map<string, { districtId: string | null; name: string } & ReturnType<typeof blank>>();
  for (const h of perHousehold) {
    const key = h.districtId ?? '';
    if (!byDistrict.has(key)) byDistrict.set(key, { districtId: h.districtId, name: h.district ?? '（地区なし）', ...blank() });
    for (const stage of [totals, byDistrict.get(key)!]) {
      stage.targeted++;
      if (h.delivered) stage.delivered++;
      if (h.displayed) stage.displayed++;
      if (h.acknowledged) stage.acknowledged++;
      if (h.answer === 'evacuated') stage.evacuated++;
      if (h.answer === 'safe_at_home') stage.safeAtHome++;
    }
  }

  // The targeted households' working TVs, each with its first receipt's delay (null: not reached).
  const tvs = await db.select({
    deviceId: devices.id, label: devices.label, household: households.label, district: districts.name, lastSeenAt: devices.lastSeenAt,
    seconds: sql<number | null>`(select extract(epoch from min(r.at) - ${alert.publishedAt.toISOString()}::timestamptz) from ${alertReceipts} r where r.alert_id = ${alertId} and r.device_id = ${devices.id})`.mapWith((v) => (v === null ? null : Number(v))),
  }).from(alertTargets)
    .innerJoin(devices, and(eq(devices.householdId, alertTargets.householdId), eq(devices.kind, 'tv'), isNull(devices.withdrawnAt)))
    .innerJoin(households, eq(households.id, alertTargets.householdId))
    .leftJoin(districts, eq(districts.id, alertTargets.districtId))
    .where(eq(alertTargets.alertId, alertId))
    .orderBy(districts.name, households.label);
  const seconds = tvs.map((t) => t.seconds).filter((s): s is number => s !== null).map((s) => Math.max(0, s)).sort((a, b) => a - b);
  const notReached = tvs.filter((t) => t.seconds === null);
  const p99 = timeToShare(seconds, tvs.length, 0.99);
  const elapsed = (now.getTime() - alert.publishedAt.getTime()) / 1000;
  return {
    alertId,
    publishedAt: alert.publishedAt.toISOString(),
    unknownAreaCodes: alert.unknownAreaCodes,
    widenedToMunicipality: alert.widenedToMunicipality,
    totals,
    districts: [...byDistrict.values()].sort((a, b) => a.name.localeCompare(b.name, 'ja')),
    tvs: { reachable: tvs.length, delivered: seconds.length },
    notReached: {
      total: notReached.length,
      items: notReached.slice(0, NOT_REACHED_LIMIT).map((t) => ({
        deviceId: t.deviceId, label: t.label, household: t.household, district: t.district ?? '', lastSeenAt: t.lastSeenAt?.toISOString() ?? null,
      })),
    },
    histogram: histogram(seconds),
    p50Seconds: timeToShare(seconds, tvs.length, 0.5),
    p99Seconds: p99,
    watchdog: { boundSeconds, state: watchdogState(p99, elapsed, boundSeconds, alert.msgType !== 'Cancel' && tvs.length > 0) },
  };
}
