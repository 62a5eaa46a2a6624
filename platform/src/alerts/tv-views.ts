import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { preparedSql } from '../db/prepared.js';
import type { TvAlert } from './alerts-schemas.js';
import type { CanonicalAlert } from './model.js';
import { messageTemplate } from './personalise.js';
import { alerts } from './schema.js';

/**
 * The TV payloads of alerts for many households at once (issue 13 §5): one query for the alerts
 * and one for the targets with their names and shelters, whatever the number of households; the
 * text shared by all households of an alert is composed once. Publishing to 20,000 TVs must not be
 * 20,000 × `householdAlertView`.
 */

export type TvAlertView = Omit<TvAlert, 'acknowledged'>;

/**
 * Whether a stored alert is one a TV shows now: active, an Alert or Update, not expired, and Actual —
 * or any status on a TV flagged for test alerts (`testAlerts`), never on another.
 */
export const residentVisible = (a: { state: string; status: string; msgType: string; expiresAt: Date }, now = new Date(), testAlerts = false) =>
  a.state === 'active' && (a.status === 'Actual' || testAlerts) && (a.msgType === 'Alert' || a.msgType === 'Update') && a.expiresAt > now;

interface TargetRow {
  alert_id: string;
  household_id: string;
  label: string;
  shelter_name: string | null;
  shelter_distance_m: number | null;
  names: string[] | null;
}

/**
 * The targeted pairs among alerts × households, with what each household's text needs: its label,
 * its members' current names (in the order they joined) and the shelter chosen at targeting time.
 * Arrays as two parameters (one statement whatever the number of households, and no 20,000-value
 * IN list for the driver to build); the households are joined, not searched for in the array.
 */
const targetRows = (db: Db) => preparedSql<TargetRow>(db, 'alerts_tv_targets', () => sql`
  select t.alert_id, t.household_id, h.label, s.name as shelter_name, t.shelter_distance_m, n.names
  from unnest(${sql.placeholder('households')}::uuid[]) as c(household_id)
  join alert_targets t on t.household_id = c.household_id and t.alert_id = any(${sql.placeholder('alerts')}::uuid[])
  join households h on h.id = t.household_id
  left join shelters s on s.id = t.shelter_id
  left join lateral (
    select array_agg(p.name order by m.joined_at, m.id) as names
    from household_members m join persons p on p.id = m.person_id
    where m.household_id = t.household_id and m.left_at is null and p.name <> ''
  ) n on true`);

/** alertId → householdId → payload, for the targeted pairs among `alertIds` × `householdIds`. */
export async function tvAlertViews(db: Db, alertIds: string[], householdIds: string[]): Promise<Map<string, Map<string, TvAlertView>>> {
  const out = new Map<string, Map<string, TvAlertView>>();
  if (!alertIds.length || !householdIds.length) return out;
  // The documents once per alert (one may be 100 KB), not once per household.
  const alertRows = await db.select({ id: alerts.id, level: alerts.level, status: alerts.status, sentAt: alerts.sentAt, expiresAt: alerts.expiresAt, document: alerts.document })
    .from(alerts).where(inArray(alerts.id, alertIds));
  const targets = await targetRows(db).execute({ households: householdIds, alerts: alertIds });
  // Per alert, what all its households share is settled once; each household adds its names and shelter.
  const byId = new Map(alertRows.map((a) => {
    const infos = (a.document as CanonicalAlert).infos.map((info) => ({
      language: info.language,
      personalise: messageTemplate({ language: info.language, level: info.level, areaNames: info.areas.map((x) => x.areaDesc), ...(info.headline ? { headline: info.headline } : {}) }),
    }));
    const head = { id: a.id, ...(a.level ? { level: a.level } : {}), sentAt: a.sentAt.toISOString(), ...(a.status !== 'Actual' ? { status: a.status } : {}), expiresAt: a.expiresAt.toISOString() };
    return [a.id, { head, infos }] as const;
  }));
  for (const r of targets) {
    const a = byId.get(r.alert_id);
    if (!a || !a.infos.length) continue;
    const shelter = r.shelter_name !== null && r.shelter_distance_m !== null ? { name: r.shelter_name, distanceM: Math.round(r.shelter_distance_m) } : undefined;
    const household = { names: r.names ?? [], householdLabel: r.label, ...(shelter ? { shelter } : {}) };
    const view: TvAlertView = {
      ...a.head,
      messages: a.infos.map((info) => ({ language: info.language, ...info.personalise(household), ...(shelter ? { shelter } : {}) })),
    };
    let byHousehold = out.get(r.alert_id);
    if (!byHousehold) out.set(r.alert_id, (byHousehold = new Map()));
    byHousehold.set(r.household_id, view);
  }
  return out;
}
