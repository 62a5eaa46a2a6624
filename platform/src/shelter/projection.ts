import { and, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { persons } from '../db/schema/index.js';
import { shelterEvents, type ShelterEvent } from './schema.js';
import type { Placement } from './shelter-schemas.js';

type Reader = Pick<Db, 'select' | 'selectDistinctOn'>;

/**
 * Who is where, derived from the events alone (nothing is updated in place). A subject's latest
 * event decides: latest by receive time, and within one upload by the tablet's sequence.
 * check-in → inside that shelter; outside → outside it (車中泊, counted apart); move → on the way to
 * another shelter (counted nowhere until checked in there); check-out → left.
 */
export function statusOf(kind: ShelterEvent['kind']): Placement['status'] {
  return kind === 'checkin' ? 'inside' : kind === 'outside' ? 'outside' : kind === 'move' ? 'moved' : 'left';
}

/** The latest event of each subject of a municipality (optionally only the given subjects). */
export async function latestEvents(db: Reader, municipalityId: string, subjects?: string[]) {
  if (subjects && !subjects.length) return [];
  return db.selectDistinctOn([shelterEvents.subject]).from(shelterEvents)
    // The subjects as ONE array parameter (a batch's hundred subjects would be a hundred parameters).
    .where(and(eq(shelterEvents.municipalityId, municipalityId), subjects ? sql`${shelterEvents.subject} = any(${sql.param(subjects)}::text[])` : undefined))
    .orderBy(shelterEvents.subject, desc(shelterEvents.receivedAt), desc(shelterEvents.sequence));
}

/** The people whose latest event places them at (inside or outside) one shelter, with names. */
export async function placementsAt(db: Reader, municipalityId: string, shelterId: string): Promise<Placement[]> {
  const latest = (await latestEvents(db, municipalityId)).filter((e) => e.shelterId === shelterId && (e.kind === 'checkin' || e.kind === 'outside'));
  const ids = latest.flatMap((e) => (e.personId ? [e.personId] : []));
  const names = new Map(ids.length ? (await db.select({ id: persons.id, name: persons.name }).from(persons).where(inArray(persons.id, ids))).map((p) => [p.id, p.name]) : []);
  return latest.map((e) => ({
    subject: e.subject,
    personId: e.personId,
    name: e.personId ? (names.get(e.personId) ?? null) : e.name,
    method: e.method,
    status: statusOf(e.kind),
    shelterId: e.shelterId,
    since: e.occurredAt.toISOString(),
    flags: ((e.result as { flags?: string[] }).flags ?? []),
  }));
}

/** Occupancy of every shelter of a municipality: people inside and outside, by the same rule. */
export async function occupancyByShelter(db: Reader, municipalityId: string): Promise<Map<string, { inside: number; outside: number }>> {
  const counts = new Map<string, { inside: number; outside: number }>();
  for (const e of await latestEvents(db, municipalityId)) {
    if (e.kind !== 'checkin' && e.kind !== 'outside') continue;
    const c = counts.get(e.shelterId) ?? { inside: 0, outside: 0 };
    if (e.kind === 'checkin') c.inside++;
    else c.outside++;
    counts.set(e.shelterId, c);
  }
  return counts;
}


/** Japan's clock (UTC+9, no summer time): the shelter's noon and midnight. */
const JST_MS = 9 * 3600_000;

/** The last time the clock in Japan read `hour`:00 at or before `now`. */
export function lastJstHour(now: Date, hour: number): Date {
  const local = new Date(now.getTime() + JST_MS);
  const at = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), hour) - JST_MS;
  return new Date(at <= now.getTime() ? at : at - 86_400_000);
}

/**
 * People inside one shelter at an instant, by the tablets' clocks (occurred_at): each subject's
 * latest event at or before it. The day and night counts municipalities report (昼間・夜間) are
 * this at the last noon and the last midnight.
 */
export async function insideAt(db: Reader, municipalityId: string, shelterId: string, at: Date): Promise<number> {
  const rows = await db.selectDistinctOn([shelterEvents.subject], { kind: shelterEvents.kind, shelterId: shelterEvents.shelterId }).from(shelterEvents)
    .where(and(eq(shelterEvents.municipalityId, municipalityId), lte(shelterEvents.occurredAt, at)))
    .orderBy(shelterEvents.subject, desc(shelterEvents.occurredAt), desc(shelterEvents.sequence));
  return rows.filter((e) => e.kind === 'checkin' && e.shelterId === shelterId).length;
}
