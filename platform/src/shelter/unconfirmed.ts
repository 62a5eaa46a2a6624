import { and, asc, eq, exists, gt, gte, inArray, isNull, not, sql } from 'drizzle-orm';
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

/**
 * 安否未確認: the current members of every household an active Actual alert (not Test, Exercise…) of
 * the municipality reaches,
 * minus the people a shelter tablet has recorded (any event since that alert was sent: checked in,
 * outside, moved or left — they were seen), minus the households whose TV answered
 * 「避難しました」 / 「自宅で安全です」 to it (alert_receipts.answer; a household answer covers its
 * members, the TV being the household's). Optionally one district (by code). Sorted by district,
 * household, name, so the list reads street by street.
 */
export async function unconfirmedSafe(db: Db, municipalityId: string, opts: { district?: string } = {}): Promise<UnconfirmedPerson[]> {
  // Only real alerts: a Test or Exercise one (one officer may publish it, and only test TVs show it)
  // must never send anyone door to door.
  const active = and(eq(alerts.municipalityId, municipalityId), eq(alerts.state, 'active'), eq(alerts.status, 'Actual'), gt(alerts.expiresAt, sql`now()`));
  const rows = await db.selectDistinctOn([persons.id], {
    personId: persons.id, name: persons.name, address: persons.address, household: households.label, districtCode: districts.code, district: districts.name,
  })
    .from(alertTargets)
    .innerJoin(alerts, eq(alerts.id, alertTargets.alertId))
    .innerJoin(households, eq(households.id, alertTargets.householdId))
    .innerJoin(householdMembers, and(eq(householdMembers.householdId, households.id), isNull(householdMembers.leftAt)))
    .innerJoin(persons, eq(persons.id, householdMembers.personId))
    .leftJoin(districts, eq(districts.id, households.districtId))
    .where(and(
      active,
      opts.district ? eq(districts.code, opts.district) : undefined,
      not(exists(db.select({ one: sql`1` }).from(shelterEvents).where(and(
        eq(shelterEvents.municipalityId, municipalityId), eq(shelterEvents.personId, persons.id), gte(shelterEvents.occurredAt, alerts.sentAt),
      )))),
      not(exists(db.select({ one: sql`1` }).from(alertReceipts).where(and(
        eq(alertReceipts.alertId, alerts.id), eq(alertReceipts.householdId, households.id), eq(alertReceipts.kind, 'acknowledged'), inArray(alertReceipts.answer, SAFE_ANSWERS),
      )))),
    ))
    .orderBy(asc(persons.id));
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
