import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { StaffContext } from '../staff/staff-login.js';

/**
 * The console home's live numbers for one organisation, in one generic shape the page renders
 * without knowing the organisation's kind: counters, time series (charts) and breakdowns (tables).
 * Every query is scoped to the organisation: a cable operator's households and TVs, a
 * municipality's districts, an insurer's own service providers.
 */
export interface Dashboard {
  at: string;
  counters: { key: string; label: string; value: number }[];
  series: { key: string; label: string; unit: 'count' | 'per_minute'; points: [number, number][] }[];
  breakdowns: { key: string; label: string; rows: { key: string; count: number }[] }[];
}

/** A TV counts as "in use now" when it made an authenticated request this recently. */
export const ONLINE_WINDOW_MINUTES = 5;
const GROWTH_DAYS = 30;
const LOGIN_MINUTES = 60;
const FAILURE_HOURS = 24;

async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

async function count(db: Db, query: SQL): Promise<number> {
  const [row] = await rows<{ n: number | string }>(db, query);
  return Number(row?.n ?? 0);
}

/** The households an organisation sees: a cable operator its contracts, a municipality those in its districts. */
function householdScope(org: StaffContext['organisation']): SQL {
  if (org.kind === 'cable_operator') return sql`select h.id from households h where h.operator_id = ${org.id}`;
  if (org.kind === 'municipality') {
    return sql`select h.id from households h join districts d on d.id = h.district_id where d.municipality_id = ${org.id}`;
  }
  return sql`select h.id from households h where false`;
}

/** Registered people (their 基本4情報 confirmed) who live in the scope's households now. */
function registeredPersons(scope: SQL): SQL {
  return sql`select distinct p.id, p.consented_at from persons p
    join household_members m on m.person_id = p.id and m.left_at is null
    where p.consented_at is not null and m.household_id in (${scope})`;
}

/** Cumulative count per day over the last GROWTH_DAYS days; `dated` selects one timestamp column `t`. */
async function dailyGrowth(db: Db, dated: SQL): Promise<[number, number][]> {
  const points = await rows<{ day: Date | string; n: number | string }>(db, sql`
    select d.day, (select count(*) from (${dated}) x where x.t < d.day + interval '1 day')::int as n
    from generate_series(date_trunc('day', now()) - ${`${GROWTH_DAYS - 1} days`}::interval, date_trunc('day', now()), interval '1 day') as d(day)
    order by d.day`);
  return points.map((p) => [new Date(p.day).getTime(), Number(p.n)]);
}

async function loginsPerMinute(db: Db, scope: SQL): Promise<[number, number][]> {
  const points = await rows<{ minute: Date | string; n: number | string }>(db, sql`
    select g.minute, count(s.id)::int as n
    from generate_series(date_trunc('minute', now()) - ${`${LOGIN_MINUTES - 1} minutes`}::interval, date_trunc('minute', now()), interval '1 minute') as g(minute)
    left join sessions s on date_trunc('minute', s.created_at) = g.minute
      and s.device_id in (select v.id from devices v where v.household_id in (${scope}))
    group by g.minute order by g.minute`);
  return points.map((p) => [new Date(p.minute).getTime(), Number(p.n)]);
}

async function loginFailuresByCode(db: Db, scope: SQL) {
  const found = await rows<{ code: string; n: number | string }>(db, sql`
    select f.code, count(*)::int as n from login_failures f
    where f.at > now() - ${`${FAILURE_HOURS} hours`}::interval
      and f.device_id in (select v.id from devices v where v.household_id in (${scope}))
    group by f.code order by n desc, f.code`);
  return found.map((r) => ({ key: r.code, count: Number(r.n) }));
}

async function householdDashboard(db: Db, org: StaffContext['organisation']): Promise<Dashboard> {
  const scope = householdScope(org);
  const tvs = sql`select v.id, v.last_seen_at from devices v where v.kind = 'tv' and v.withdrawn_at is null and v.household_id in (${scope})`;
  const [households, registeredHouseholds, persons, tvCount, tvsOnline] = await Promise.all([
    count(db, sql`select count(*)::int as n from (${scope}) s`),
    count(db, sql`select count(distinct m.household_id)::int as n from household_members m join persons p on p.id = m.person_id
      where m.left_at is null and p.consented_at is not null and m.household_id in (${scope})`),
    count(db, sql`select count(*)::int as n from (${registeredPersons(scope)}) r`),
    count(db, sql`select count(*)::int as n from (${tvs}) t`),
    count(db, sql`select count(*)::int as n from (${tvs}) t where t.last_seen_at > now() - ${`${ONLINE_WINDOW_MINUTES} minutes`}::interval`),
  ]);
  const [personGrowth, householdGrowth, logins, failures] = await Promise.all([
    dailyGrowth(db, sql`select r.consented_at as t from (${registeredPersons(scope)}) r`),
    dailyGrowth(db, sql`select min(p.consented_at) as t from household_members m join persons p on p.id = m.person_id
      where m.left_at is null and p.consented_at is not null and m.household_id in (${scope}) group by m.household_id`),
    loginsPerMinute(db, scope),
    loginFailuresByCode(db, scope),
  ]);
  return {
    at: new Date().toISOString(),
    counters: [
      { key: 'persons', label: '登録した人', value: persons },
      { key: 'registeredHouseholds', label: '登録のある世帯', value: registeredHouseholds },
      { key: 'households', label: '世帯（契約）', value: households },
      { key: 'tvsOnline', label: `いま使われているテレビ（${ONLINE_WINDOW_MINUTES}分以内）`, value: tvsOnline },
      { key: 'tvs', label: 'テレビ（登録済み）', value: tvCount },
    ],
    series: [
      { key: 'persons', label: '登録した人（累計）', unit: 'count', points: personGrowth },
      { key: 'households', label: '登録のある世帯（累計）', unit: 'count', points: householdGrowth },
      { key: 'logins', label: 'ログイン（1分ごと）', unit: 'per_minute', points: logins },
    ],
    breakdowns: [{ key: 'loginFailures', label: `ログインできなかった理由（${FAILURE_HOURS}時間）`, rows: failures }],
  };
}

async function insurerDashboard(db: Db, org: StaffContext['organisation']): Promise<Dashboard> {
  const uids = sql`select u.uid, u.issued_at as t from service_uids u join service_providers sp on sp.id = u.provider_id
    where sp.organisation_id = ${org.id} and u.unlinked_at is null`;
  const [linked, growth] = await Promise.all([count(db, sql`select count(*)::int as n from (${uids}) x`), dailyGrowth(db, uids)]);
  return {
    at: new Date().toISOString(),
    counters: [{ key: 'linked', label: '連携している人', value: linked }],
    series: [{ key: 'linked', label: '連携している人（累計）', unit: 'count', points: growth }],
    breakdowns: [],
  };
}

/** The dashboard of the caller's organisation, computed now. */
export function dashboardOf(db: Db, org: StaffContext['organisation']): Promise<Dashboard> {
  return org.kind === 'insurer' ? insurerDashboard(db, org) : householdDashboard(db, org);
}
