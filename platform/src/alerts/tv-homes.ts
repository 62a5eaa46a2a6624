import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';

/**
 * What pushing an alert needs of a household, kept by each platform process for the households of
 * the TVs connected to it (issue 13 §5): where it is (municipality, district code, coordinates) to
 * tell whether an alert reaches it and which shelter is nearest, and who lives there for the
 * greeting. Read with the TV when it connects (tv-connect.ts, the same statement), refreshed when
 * the database says it changed (`changedHousehold`). A publish then reads the alert, the
 * municipality's district codes and its shelters — a few rows — and no household: reading 10,000
 * households' targets was 240–350 ms of every TV's delivery time in the 20,000-TV bench. The stored
 * targets (targeting.ts) stay what the funnel, receipts and a reconnecting TV go by; each publish
 * compares them with what it sent, afterwards (tv-channel.ts).
 */
export interface Home {
  municipalityId: string | null;
  districtCode: string | null;
  latitude: number | null;
  longitude: number | null;
  label: string;
  /** Current members' names in the order they joined (`household_names`); empty: nobody named. */
  names: string[];
}

/**
 * A household's district, coordinates, label or members' names changed: notified by triggers
 * (migration 0032) on ALERT_STORED_CHANNEL as `household:<id>`, or `household:*` when a district's
 * code or municipality changed. On that channel, not one of its own: a process hears a change and
 * an alert stored after it on one LISTEN connection, in that order (each channel has its own).
 */
const CHANGED_PREFIX = 'household:';
export const EVERY_HOUSEHOLD = '*';

/** The household a notification on ALERT_STORED_CHANNEL says changed (or EVERY_HOUSEHOLD); null for a stored alert's. */
export const changedHousehold = (payload: string): string | null =>
  payload.startsWith(CHANGED_PREFIX) ? payload.slice(CHANGED_PREFIX.length) : null;

/**
 * The Home of the household `householdId` (an SQL expression) as one JSON value: one definition for
 * connecting, re-checking after lost notifications and refreshing. Coordinates as JSON numbers are
 * the stored doubles exactly (PostgreSQL writes the shortest text that reads back the same), so a
 * process measures the same distances as targeting does in the database.
 */
export const homeJson = (householdId: SQL) => sql<Home | null>`(
  select json_build_object(
    'municipalityId', d.municipality_id, 'districtCode', d.code, 'latitude', h.latitude, 'longitude', h.longitude,
    'label', h.label, 'names', coalesce(to_json(n.names), '[]'::json))
  from households h
  left join districts d on d.id = h.district_id
  left join household_names n on n.household_id = h.id
  where h.id = ${householdId})`;

/** The Homes of these households (one statement); a household no longer stored is absent. */
export async function homesOf(db: Db, householdIds: string[]): Promise<Map<string, Home>> {
  if (!householdIds.length) return new Map();
  const { rows } = (await db.execute(sql`
    select c.id, ${homeJson(sql`c.id`)} as home
    from unnest(${sql.param(householdIds)}::uuid[]) as c(id)`)) as unknown as { rows: { id: string; home: Home | null }[] };
  return new Map(rows.flatMap((r) => (r.home ? [[r.id, r.home] as const] : [])));
}
