import { and, asc, eq, exists, gte, inArray, isNull, not, or, sql } from 'drizzle-orm';
import { alertReceipts, alerts, alertTargets } from '../alerts/schema.js';
import type { Db } from '../db/client.js';
import { districts, householdMembers, households, persons } from '../db/schema/index.js';
import { shelterEvents } from './schema.js';

/** One person not yet confirmed safe (安否未確認), for the door-to-door list. */
export interface UnconfirmedPerson {
  personId: string;
  name: string | null;
  address: string | null;
  household: string;
  districtCode: string | null;
  district: string | null;
}

/** The TV answers that confirm a household safe: 「避難しました」 and 「自宅で安全です」. */
const SAFE_ANSWERS = ['evacuated', 'safe_at_home'];

/** An active alert and its chain: itself and every message it superseded, back to the first. */
interface ActiveChain {
  id: string;
  ids: string[];
  /** When the chain's first message was sent (ms since the epoch). */
  startedMs: number;
}

/**
 * The municipality's active Actual alerts (not Test, Exercise…: those must never send anyone door
 * to door), each with its chain, found once (an Update's `supersededBy` names the one that replaced it).
 */
async function activeChains(db: Db, municipalityId: string): Promise<ActiveChain[]> {
  const result = await db.execute(sql`with recursive up(active_id, id, sent_at) as (
      select id, id, sent_at from ${alerts}
      where municipality_id = ${municipalityId} and state = 'active' and status = 'Actual' and expires_at > now()
      union all
      select up.active_id, a.id, a.sent_at from ${alerts} a join up on a.superseded_by = up.id
    )
    select active_id::text as id, array_agg(id::text) as ids, (extract(epoch from min(sent_at)) * 1000)::float8 as started_ms
    from up group by active_id`);
  return (result as unknown as { rows: { id: string; ids: string[]; started_ms: number }[] }).rows
    .map((r) => ({ id: r.id, ids: r.ids, startedMs: Number(r.started_ms) }));
}

/**
 * 安否未確認: the current members of every household an active Actual alert (not Test, Exercise…) of
 * the municipality reaches,
 * minus the people a shelter tablet has recorded (any event since the first message of the alert's
 * chain was sent — an Update changes the order, not where people are: checked in, outside, moved or
 * left, they were seen), minus the households whose TV answered 「避難しました」 to any message of
 * the chain or 「自宅で安全です」 to this one (a changed order, perhaps a higher level, asks again
 * whether home is safe) (alert_receipts.answer; a household answer covers its members, the TV being
 * the household's). Optionally one district (by code). Sorted by district, household, name, so the
 * list reads street by street.
 */
export async function unconfirmedSafe(db: Db, municipalityId: string, opts: { district?: string } = {}): Promise<UnconfirmedPerson[]> {
  const found = new Map<string, UnconfirmedPerson>();
  // One query per active alert (there are few): its chain's start and messages are plain values.
  for (const alert of await activeChains(db, municipalityId)) {
    const rows = await db.selectDistinctOn([persons.id], {
      personId: persons.id, name: persons.name, address: persons.address, household: households.label, districtCode: districts.code, district: districts.name,
    })
      .from(alertTargets)
      .innerJoin(households, eq(households.id, alertTargets.householdId))
      .innerJoin(householdMembers, and(eq(householdMembers.householdId, households.id), isNull(householdMembers.leftAt)))
      .innerJoin(persons, eq(persons.id, householdMembers.personId))
      .leftJoin(districts, eq(districts.id, households.districtId))
      .where(and(
        eq(alertTargets.alertId, alert.id),
        opts.district ? eq(districts.code, opts.district) : undefined,
        not(exists(db.select({ one: sql`1` }).from(shelterEvents).where(and(
          eq(shelterEvents.municipalityId, municipalityId), eq(shelterEvents.personId, persons.id), gte(shelterEvents.occurredAt, new Date(alert.startedMs)),
        )))),
        not(exists(db.select({ one: sql`1` }).from(alertReceipts).where(and(
          eq(alertReceipts.householdId, households.id), eq(alertReceipts.kind, 'acknowledged'),
          or(
            and(eq(alertReceipts.alertId, alert.id), inArray(alertReceipts.answer, SAFE_ANSWERS)),
            and(inArray(alertReceipts.alertId, alert.ids), eq(alertReceipts.answer, 'evacuated')),
          ),
        )))),
      ))
      .orderBy(asc(persons.id));
    for (const row of rows) found.set(row.personId, row);
  }
  const rows = [...found.values()];
  const key = (p: UnconfirmedPerson) => `${p.districtCode ?? ''}\u0000${p.household}\u0000${p.name ?? ''}`;
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * One CSV cell: quoted when it holds a comma, quote or line break (RFC 4180), and a text that a
 * spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is
 * prefixed with ' so it stays text (CSV injection).
 */
export function csvCell(value: string | null): string {
  let text = value ?? '';
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The list as CSV (UTF-8 with a BOM, so Excel in Japan opens it right; CRLF line ends). */
export function unconfirmedCsv(people: UnconfirmedPerson[]): string {
  const header = ['地区', '世帯', '氏名', '住所'];
  const lines = [header, ...people.map((p) => [p.district, p.household, p.name, p.address])].map((row) => row.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
