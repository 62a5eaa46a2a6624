import { and, eq, exists, getTableColumns, isNull, or, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db, Tx } from '../db/client.js';
import { certificates, districts, householdMembers, households, persons, shelters } from '../db/schema/index.js';
import { appendAudit } from '../identity/audit.js';
import type { IdentityDeps } from '../identity/deps.js';
import type { ChainResult } from '../jpki/index.js';
import { AppError, ERRORS } from '../shared/errors.js';
import { latestEvents } from './projection.js';
import { shelterEvents, type ShelterEvent } from './schema.js';
import { fromBase64 } from '../shared/base64.js';
import { nameSubject, shelterCheckinMessage } from '../shared/shelter-subject.js';
import type { CheckinEvent, EventOutcome, EventResult } from './shelter-schemas.js';
import type { TabletCaller } from './tablet-auth.js';


/** An event whose subject the platform has identified, ready to store. */
interface Resolved {
  event: CheckinEvent;
  row: typeof shelterEvents.$inferInsert;
  name: string | null;
  flags: string[];
}

/**
 * Stores a tablet's batch of events and answers each one on its own: `recorded` (first time),
 * `replayed` (the event id is already stored: the original answer, nothing written), `refused`
 * (a coded error; nothing stored, the tablet shows it under "needs attention"). The batch is one
 * transaction, so a crash mid-batch stores none of it and the tablet's retry stores all of it.
 */
export async function recordEvents(deps: IdentityDeps, caller: TabletCaller, events: CheckinEvent[]): Promise<EventResult[]> {
  const { db } = deps;
  // One id twice in a batch is no tablet's doing (ids are made once per event): storing the first
  // and answering both "replayed" would leave the batch unaudited, so the batch is refused whole.
  if (new Set(events.map((e) => e.eventId)).size !== events.length) throw new AppError('REQ_INVALID', { detail: 'an event id appears twice in the batch' });
  const ordered = [...events].sort((a, b) => a.sequence - b.sequence);
  const met = await storedEvents(db, caller, ordered);
  const stored = new Map(met.map((r) => [r.eventId, r]));
  // This tablet's sequences already used by other events: those are stored (refused) one by one.
  const usedSequences = new Set(met.filter((r) => r.deviceId === caller.device.id).map((r) => r.sequence));
  const results = new Map<string, EventResult>();
  const fresh: Resolved[] = [];
  const certificateCache = new Map<string, Promise<CardIdentity>>();
  for (const event of ordered) {
    const earlier = stored.get(event.eventId);
    if (earlier) {
      results.set(event.eventId, replayOf(caller, earlier));
      continue;
    }
    try {
      fresh.push(await resolve(deps, caller, event, certificateCache));
    } catch (error) {
      results.set(event.eventId, refusal(event.eventId, error));
    }
  }
  if (fresh.length) {
    await db.transaction(async (tx) => {
      for (const result of await storeAll(tx, caller, fresh, usedSequences)) results.set(result.eventId, result);
      const recorded = [...results.values()].filter((r) => r.status === 'recorded').length;
      if (recorded) {
        await appendAudit(tx, {
          actor: `staff:${caller.staff.staff.id}`, action: 'shelter.events_recorded', subject: caller.shelter.id,
          data: { org: caller.shelter.municipalityId, device: caller.device.id, count: recorded },
        });
      }
    });
  }
  return events.map((e) => results.get(e.eventId)!);
}

/**
 * The stored events a batch meets, in one statement: those with its event ids (replays, or another
 * tablet's id) and this tablet's events with its sequences (a counter reused). Each list is ONE
 * array parameter, not a parameter per event (a batch of 100 would build and bind 100 of each).
 */
async function storedEvents(db: Db, caller: TabletCaller, events: CheckinEvent[]): Promise<ShelterEvent[]> {
  return db.select().from(shelterEvents).where(or(
    sql`${shelterEvents.eventId} = any(${sql.param(events.map((e) => e.eventId))}::uuid[])`,
    and(eq(shelterEvents.deviceId, caller.device.id), sql`${shelterEvents.sequence} = any(${sql.param(events.map((e) => e.sequence))}::bigint[])`),
  ));
}

function replayOf(caller: TabletCaller, earlier: ShelterEvent): EventResult {
  if (earlier.deviceId !== caller.device.id) return refusal(earlier.eventId, new AppError('SHELTER_EVENT_ID_TAKEN'));
  return { eventId: earlier.eventId, status: 'replayed', outcome: earlier.result as EventOutcome };
}

function refusal(eventId: string, error: unknown): EventResult {
  if (!(error instanceof AppError)) throw error;
  return { eventId, status: 'refused', error: { code: error.code, message: ERRORS[error.code].message, ja: ERRORS[error.code].ja } };
}

interface CardIdentity {
  personId: string;
  name: string | null;
  revocation: 'good' | 'unknown' | 'revoked';
}

/**
 * A tapped card, low assurance (no PIN): the chain must verify, but revocation does not turn an
 * evacuee away — `unknown` (a late CRL) and `revoked` (revoked since the tablet cached its list,
 * or since the card was registered) are stored as such and flagged for staff.
 */
async function identifyCard(deps: IdentityDeps, certificate: string): Promise<CardIdentity> {
  const chain = await deps.jpki.verify(deps.jpki.parse(certificate), 'auth');
  const checked = await checkInRevocation(deps, chain);
  const [row] = await deps.db.select({ personId: persons.id, name: persons.name, status: certificates.status })
    .from(certificates).innerJoin(persons, eq(persons.id, certificates.personId))
    .where(eq(certificates.lookupKey, deps.jpki.lookupKeyOf(chain)));
  if (!row) throw new AppError('AUTH_NOT_REGISTERED');
  const revocation = checked === 'revoked' || row.status === 'revoked' ? 'revoked' : checked;
  return { personId: row.personId, name: row.name, revocation };
}

/**
 * The card's revocation under the shelter check-in's policy (REVOCATION_POLICY), as a state to
 * store: a revoked card is flagged, not refused. A policy that refuses unknown throws its code.
 */
async function checkInRevocation(deps: IdentityDeps, chain: ChainResult): Promise<CardIdentity['revocation']> {
  try {
    return (await deps.jpki.decideRevocation('shelter-check-in', chain)).revocationUnknown ? 'unknown' : 'good';
  } catch (err) {
    if (err instanceof AppError && err.code === 'PKI_REVOKED') return 'revoked';
    throw err;
  }
}

/** How far ahead of the platform's clock a tablet's may run before its times are not believed. */
const CLOCK_AHEAD_MS = 5 * 60_000;
/** How long a tablet may have been offline with events to send (a shelter is open days, not months). */
const OFFLINE_AT_MOST_MS = 30 * 24 * 3_600_000;

/**
 * When the event happened, as far as it can be believed: the tablet's time, unless it lies ahead of
 * the platform's clock (past a few minutes' drift) or more than a month before it (a clock reset to
 * 1970, a forged batch). Such an event is kept (an offline tablet's check-in is never thrown away),
 * timed at its arrival and flagged `clock-corrected`: a check-out dated 9999 would otherwise leave
 * its evacuee inside for ever in the day and night counts, and a check-in dated ahead would count
 * as "seen since the alert" before it happened.
 */
function believableTime(event: CheckinEvent, now = Date.now()): { at: Date; corrected: boolean } {
  const at = Date.parse(event.occurredAt);
  if (at > now + CLOCK_AHEAD_MS || at < now - OFFLINE_AT_MOST_MS) return { at: new Date(now), corrected: true };
  return { at: new Date(at), corrected: false };
}

async function resolve(deps: IdentityDeps, caller: TabletCaller, event: CheckinEvent, cache: Map<string, Promise<CardIdentity>>): Promise<Resolved> {
  const time = believableTime(event);
  const base = {
    eventId: event.eventId, deviceId: caller.device.id, sequence: event.sequence, municipalityId: caller.shelter.municipalityId,
    shelterId: caller.shelter.id, staffId: caller.staff.staff.id, kind: event.kind, method: event.subject.method,
    occurredAt: time.at, toShelterId: null as string | null,
  };
  const clockFlags = time.corrected ? ['clock-corrected'] : [];
  if (event.kind === 'move') base.toShelterId = await moveTarget(deps.db, caller, event.toShelterId);
  else if (event.toShelterId) throw new AppError('REQ_INVALID', { detail: 'toShelterId is for move events only' });

  const subject = event.subject;
  if (subject.method === 'card') {
    let pending = cache.get(subject.certificate);
    if (!pending) cache.set(subject.certificate, (pending = identifyCard(deps, subject.certificate)));
    const card = await pending;
    const flags = [...(card.revocation === 'revoked' ? ['revoked'] : card.revocation === 'unknown' ? ['revocation-unknown'] : []), ...clockFlags];
    if (subject.signature) {
      // The PIN was entered: the card signed this event at this shelter (high assurance).
      await deps.jpki.verifySignature(deps.jpki.parse(subject.certificate), new TextEncoder().encode(shelterCheckinMessage(event.eventId, caller.shelter.id)), fromBase64(subject.signature));
      flags.push('pin');
    } else if (caller.shelter.requirePin) throw new AppError('SHELTER_PIN_REQUIRED');
    return { event, name: card.name, flags, row: { ...base, personId: card.personId, subject: card.personId, revocation: card.revocation, result: {} } };
  }
  if (subject.method === 'name') {
    // Japan's calendar day, with a day's grace for a tablet clock a little ahead: no one is born later.
    if (subject.birthDate > new Date(Date.now() + 33 * 3_600_000).toISOString().slice(0, 10)) {
      throw new AppError('REQ_INVALID', { detail: 'birthDate is in the future' });
    }
    return { event, name: subject.name, flags: ['no-card', ...clockFlags], row: { ...base, name: subject.name, birthDate: subject.birthDate, subject: nameSubject(subject.name, subject.birthDate), result: {} } };
  }
  const [person] = await deps.db.select({ id: persons.id, name: persons.name }).from(persons)
    .where(and(eq(persons.id, subject.personId), knownHere(deps.db, caller.shelter.municipalityId, subject.personId)));
  if (!person) throw new AppError('SHELTER_PERSON_UNKNOWN');
  return { event, name: person.name, flags: clockFlags, row: { ...base, personId: person.id, subject: person.id, result: {} } };
}

/**
 * A person picked by id (household key, or the tablet's list) must be one this municipality knows:
 * a current resident (the whitelist's people), or someone its shelters have already seen (a card
 * from elsewhere, checked in by tap). Anyone else is SHELTER_PERSON_UNKNOWN, exactly as an id that
 * does not exist, so a tablet cannot check in, or learn the name of, another municipality's resident.
 */
function knownHere(db: Db, municipalityId: string, personId: string) {
  const resident = db.select({ one: sql`1` }).from(householdMembers)
    .innerJoin(households, eq(households.id, householdMembers.householdId))
    .innerJoin(districts, eq(districts.id, households.districtId))
    .where(and(eq(householdMembers.personId, personId), isNull(householdMembers.leftAt), eq(districts.municipalityId, municipalityId)));
  const seen = db.select({ one: sql`1` }).from(shelterEvents)
    .where(and(eq(shelterEvents.municipalityId, municipalityId), eq(shelterEvents.subject, personId)));
  return or(exists(resident), exists(seen));
}

async function moveTarget(db: Db, caller: TabletCaller, toShelterId: string | undefined): Promise<string> {
  if (!toShelterId || toShelterId === caller.shelter.id) throw new AppError('SHELTER_MOVE_TARGET_INVALID');
  const [target] = await db.select({ id: shelters.id }).from(shelters)
    .where(and(eq(shelters.id, toShelterId), eq(shelters.municipalityId, caller.shelter.municipalityId)));
  if (!target) throw new AppError('SHELTER_MOVE_TARGET_INVALID');
  return target.id;
}

/** Where a subject is as far as this batch knows: its latest stored event, then the batch's own. */
type Whereabouts = Map<string, { kind: ShelterEvent['kind']; shelterId: string }>;

/**
 * The batch's events inside its transaction, in two statements whatever its size: the latest
 * event of every subject in the batch (one DISTINCT ON), then one multi-row INSERT; "already here"
 * is decided in memory, each event seeing the ones before it in the batch. Events whose sequence
 * was found already used (`usedSequences`, read with the replays before the transaction) are
 * answered one by one (a reused sequence). Should a concurrent upload store one of the others
 * after that read (the same event id, or the sequence), the INSERT stores fewer rows than it was
 * given: the batch is undone to a savepoint and stored one event at a time, as before.
 */
async function storeAll(tx: Tx, caller: TabletCaller, items: Resolved[], usedSequences: Set<number>): Promise<EventResult[]> {
  const clashing = items.filter((i) => usedSequences.has(i.event.sequence));
  const clear = items.filter((i) => !usedSequences.has(i.event.sequence));
  const results: EventResult[] = [];
  for (const item of clashing) results.push(await store(tx, caller, item));
  if (!clear.length) return results;

  const whereabouts: Whereabouts = new Map((await latestEvents(tx, caller.shelter.municipalityId, [...new Set(clear.map((i) => i.row.subject))]))
    .map((e) => [e.subject, { kind: e.kind, shelterId: e.shelterId }]));
  const rows = clear.map((item) => {
    const outcome = outcomeOf(caller, item, whereabouts.get(item.row.subject));
    whereabouts.set(item.row.subject, { kind: item.row.kind, shelterId: item.row.shelterId });
    return { item, outcome, row: { ...item.row, result: outcome } };
  });
  try {
    await tx.transaction(async (savepoint) => {
      if ((await insertRows(savepoint, rows.map((r) => r.row))) !== rows.length) throw new ConcurrentUpload();
    });
  } catch (error) {
    if (!(error instanceof ConcurrentUpload)) throw error;
    for (const item of clear) results.push(await store(tx, caller, item));
    return results;
  }
  for (const { item, outcome } of rows) results.push({ eventId: item.event.eventId, status: 'recorded', outcome });
  return results;
}

/** The columns a batch INSERT writes: all but `received_at`, which the database sets (one `now()` for the transaction). */
const INSERTED = Object.entries(getTableColumns(shelterEvents)).filter(([, c]) => c !== shelterEvents.receivedAt) as [keyof typeof shelterEvents.$inferInsert, AnyPgColumn][];
const INSERTED_LIST = sql.join(INSERTED.map(([, c]) => sql.identifier(c.name)), sql`, `);

/**
 * The batch's rows in ONE multi-row INSERT whose rows travel as one jsonb parameter, expanded by
 * the database into the table's own row type (a column a row leaves out is NULL, as the query
 * builder's INSERT would store it). The builder's `values(rows)` would make a parameter per column
 * per row (some 1,700 for a batch of 100), each typed and bound one by one: most of an upload's
 * time outside the database. An id or sequence stored meanwhile is skipped (ON CONFLICT DO
 * NOTHING); answers how many rows it stored.
 */
async function insertRows(tx: Tx, rows: (typeof shelterEvents.$inferInsert)[]): Promise<number> {
  const json = rows.map((row) => Object.fromEntries(INSERTED.flatMap(([key, c]) => {
    const value = row[key];
    return value === undefined || value === null ? [] : [[c.name, value instanceof Date ? value.toISOString() : value]];
  })));
  const result = await tx.execute(sql`insert into ${shelterEvents} (${INSERTED_LIST})
    select ${INSERTED_LIST} from jsonb_populate_recordset(null::${shelterEvents}, ${JSON.stringify(json)}::jsonb)
    on conflict do nothing returning event_id`);
  return (result as unknown as { rows: unknown[] }).rows.length;
}

/** Thrown inside the savepoint to undo a batch INSERT that a concurrent upload got partly ahead of. */
class ConcurrentUpload extends Error {}

function outcomeOf(caller: TabletCaller, item: Resolved, latest: { kind: string; shelterId: string } | undefined): EventOutcome {
  const alreadyHere = item.row.kind === 'checkin' && latest?.kind === 'checkin' && latest.shelterId === caller.shelter.id;
  return { personId: item.row.personId ?? null, name: item.name, alreadyHere, flags: item.flags };
}

/** One event inside the batch's transaction: decide "already here", then insert (or find it was a race). */
async function store(tx: Tx, caller: TabletCaller, item: Resolved): Promise<EventResult> {
  const [latest] = await latestEvents(tx, caller.shelter.municipalityId, [item.row.subject]);
  const outcome = outcomeOf(caller, item, latest);
  const [inserted] = await tx.insert(shelterEvents).values({ ...item.row, result: outcome }).onConflictDoNothing().returning({ eventId: shelterEvents.eventId });
  if (inserted) return { eventId: item.event.eventId, status: 'recorded', outcome };
  // Not inserted: the same event id stored meanwhile (a concurrent retry), or this tablet's
  // sequence number already used by another event (a tablet that lost its counter).
  const [earlier] = await tx.select().from(shelterEvents).where(eq(shelterEvents.eventId, item.event.eventId));
  if (earlier) return replayOf(caller, earlier);
  return refusal(item.event.eventId, new AppError('SHELTER_SEQUENCE_REUSED'));
}
