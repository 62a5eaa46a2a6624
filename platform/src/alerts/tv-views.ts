import { inArray, sql } from 'drizzle-orm';
import { PgliteDatabase } from 'drizzle-orm/pglite';
import type { Db } from '../db/client.js';
import type { TvAlert } from './alerts-schemas.js';
import type { CanonicalAlert } from './model.js';
import { messageTemplate, type HouseholdPart, type MessageTemplate } from './personalise.js';
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

/** One targeted household of an alert, as PostgreSQL hands it over: one row each. */
interface TargetRow {
  alert_id: string;
  household_id: string;
  label: string;
  shelter_name: string | null;
  shelter_distance_m: number | null;
  names: string[] | null;
}

/**
 * One alert's targets as parallel columns, as PGlite hands them over: entry k of each is the k-th
 * targeted household's. Null shelter name and distance: no shelter chosen; null names: nobody named.
 */
interface TargetColumns {
  alert_id: string;
  household_ids: string[];
  labels: string[];
  shelter_names: (string | null)[];
  shelter_distances_m: (number | null)[];
  names: (string[] | null)[];
}

/**
 * The targeted pairs among alerts × households, with what each household's text needs: its label,
 * its members' current names (in the order they joined: `household_names`, kept by triggers) and
 * the shelter chosen at targeting time. Arrays as two parameters (one statement whatever the
 * number of households, and no 20,000-value IN list for the driver to build). Not a prepared
 * statement, and the targets taken first (materialized): planned with the array in hand, 10,000
 * households get hash joins, one household gets index probes. The names are read ready-made: for a
 * town of 20,000 homes with two members each, grouping the memberships here took 100–140 ms of the
 * statement's 115–150 (now 27–35), on every TV's delivery time (issue 13 §5). They come as JSON,
 * which the drivers parse natively: as a text[] the driver's own array parser took 30–40 ms of the
 * platform's CPU per 10,000 households.
 */
const targetsJoined = (alertIds: string[], householdIds: string[]) => sql`
  with t as materialized (
    select t.alert_id, t.household_id, t.shelter_id, t.shelter_distance_m
    from unnest(${sql.param(householdIds)}::uuid[]) as c(household_id)
    join alert_targets t on t.household_id = c.household_id and t.alert_id = any(${sql.param(alertIds)}::uuid[])
  )
  select t.alert_id, t.household_id, h.label, s.name as shelter_name, t.shelter_distance_m, to_json(n.names) as names
  from t join households h on h.id = t.household_id
  left join shelters s on s.id = t.shelter_id
  left join household_names n on n.household_id = t.household_id`;

/**
 * Rows are cheap on PostgreSQL and dear on PGlite, so each engine gets the shape it reads fastest
 * (19,700 households, measured side by side): PostgreSQL one row per household (0.27 s; the
 * `json_agg`s below cost it 0.36 s), PGlite one row per alert with its households as JSON arrays
 * (0.4 s instead of 1.0 s: one value instead of 20,000 rows of six fields through its wire
 * emulation). The columns line up because every aggregate of one group is fed the same rows in the
 * same order (none has its own ORDER BY or DISTINCT, which would sort each on its own).
 */
const readsRowsSlowly = (db: Db) => db instanceof PgliteDatabase;

const targetRows = async (db: Db, alertIds: string[], householdIds: string[]): Promise<TargetRow[]> =>
  ((await db.execute(targetsJoined(alertIds, householdIds))) as unknown as { rows: TargetRow[] }).rows;

const targetColumns = async (db: Db, alertIds: string[], householdIds: string[]): Promise<TargetColumns[]> => ((await db.execute(sql`
  select j.alert_id, json_agg(j.household_id) as household_ids, json_agg(j.label) as labels,
    json_agg(j.shelter_name) as shelter_names, json_agg(j.shelter_distance_m) as shelter_distances_m, json_agg(j.names) as names
  from (${targetsJoined(alertIds, householdIds)}) j
  group by j.alert_id`)) as unknown as { rows: TargetColumns[] }).rows;

/** What a TV payload of one alert shares across households: its head, and one template per `<info>`. */
export interface AlertTemplates {
  head: Omit<TvAlertView, 'messages'>;
  infos: { language: string; template: MessageTemplate }[];
}

/** The alerts' shared parts, by id: the documents read once per alert (one may be 100 KB), not once per household. */
export async function alertTemplates(db: Db, alertIds: string[]): Promise<Map<string, AlertTemplates>> {
  const alertRows = await db.select({ id: alerts.id, level: alerts.level, status: alerts.status, sentAt: alerts.sentAt, expiresAt: alerts.expiresAt, document: alerts.document })
    .from(alerts).where(inArray(alerts.id, alertIds));
  return new Map(alertRows.map((a) => {
    const infos = (a.document as CanonicalAlert).infos.map((info) => ({
      language: info.language,
      template: messageTemplate({ language: info.language, level: info.level, areaNames: info.areas.map((x) => x.areaDesc), ...(info.headline ? { headline: info.headline } : {}) }),
    }));
    const head = { id: a.id, ...(a.level ? { level: a.level } : {}), sentAt: a.sentAt.toISOString(), ...(a.status !== 'Actual' ? { status: a.status } : {}), expiresAt: a.expiresAt.toISOString() };
    return [a.id, { head, infos }] as const;
  }));
}

/** A targeted household of an alert, with what its messages need. */
export interface AlertTarget {
  alertId: string;
  householdId: string;
  household: HouseholdPart;
}

const target = (alertId: string, householdId: string, label: string, names: string[] | null, shelterName: string | null, distanceM: number | null): AlertTarget => {
  const shelter = shelterName !== null && distanceM !== null ? { name: shelterName, distanceM: Math.round(distanceM) } : undefined;
  return { alertId, householdId, household: { names: names ?? [], householdLabel: label, ...(shelter ? { shelter } : {}) } };
};

/** The targeted pairs among `alertIds` × `householdIds`. */
export async function alertTargets(db: Db, alertIds: string[], householdIds: string[]): Promise<AlertTarget[]> {
  if (!alertIds.length || !householdIds.length) return [];
  if (!readsRowsSlowly(db)) {
    return (await targetRows(db, alertIds, householdIds)).map((r) => target(r.alert_id, r.household_id, r.label, r.names, r.shelter_name, r.shelter_distance_m));
  }
  const out: AlertTarget[] = [];
  for (const c of await targetColumns(db, alertIds, householdIds)) {
    c.household_ids.forEach((householdId, k) => {
      out.push(target(c.alert_id, householdId, c.labels[k]!, c.names[k] ?? null, c.shelter_names[k] ?? null, c.shelter_distances_m[k] ?? null));
    });
  }
  return out;
}

/** One household's messages, one per `<info>`. */
export const householdMessages = (infos: AlertTemplates['infos'], household: HouseholdPart): TvAlertView['messages'] =>
  infos.map(({ language, template }) => ({ language, ...template(household), ...(household.shelter ? { shelter: household.shelter } : {}) }));

/** alertId → householdId → payload, for the targeted pairs among `alertIds` × `householdIds`. */
export async function tvAlertViews(db: Db, alertIds: string[], householdIds: string[]): Promise<Map<string, Map<string, TvAlertView>>> {
  const out = new Map<string, Map<string, TvAlertView>>();
  if (!alertIds.length || !householdIds.length) return out;
  const templates = await alertTemplates(db, alertIds);
  for (const t of await alertTargets(db, alertIds, householdIds)) {
    const a = templates.get(t.alertId);
    if (!a || !a.infos.length) continue;
    let byHousehold = out.get(t.alertId);
    if (!byHousehold) out.set(t.alertId, (byHousehold = new Map()));
    byHousehold.set(t.householdId, { ...a.head, messages: householdMessages(a.infos, t.household) });
  }
  return out;
}
