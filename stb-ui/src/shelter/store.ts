import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CheckinEvent, EventKind, EventResult, EventSubject, Placement, Whitelist } from '../../../platform/src/shelter/shelter-schemas.js';
import { uuidv7 } from '../../../platform/src/shared/uuidv7.js';

/** One person as this tablet sees them: updated in the same IndexedDB transaction as the event that changed them. */
export interface LocalPerson {
  subject: string;
  personId: string | null;
  name: string;
  householdId: string | null;
  status: Placement['status'];
  since: string;
  flags: string[];
  /** The sequence of this tablet's latest event about them, while it waits in the outbox: until it is sent, this entry outranks the platform's view. */
  pending?: number;
}

interface TabletDb extends DBSchema {
  whitelist: { key: 'current'; value: Whitelist };
  people: { key: string; value: LocalPerson };
  /** Events not yet acknowledged by the platform, oldest (lowest sequence) first. */
  outbox: { key: number; value: CheckinEvent };
  /** Events the platform refused (a 4xx): kept and shown, never dropped silently. */
  attention: { key: string; value: { event: CheckinEvent; error: Extract<EventResult, { status: 'refused' }>['error'] } };
  meta: { key: 'sequence'; value: number };
}

export type TabletStore = IDBPDatabase<TabletDb>;

export function openTabletStore(name = 'shelter-tablet'): Promise<TabletStore> {
  return openDB<TabletDb>(name, 1, {
    upgrade(db) {
      db.createObjectStore('whitelist');
      db.createObjectStore('people', { keyPath: 'subject' });
      db.createObjectStore('outbox', { keyPath: 'sequence' });
      db.createObjectStore('attention', { keyPath: 'event.eventId' });
      db.createObjectStore('meta');
    },
  });
}

const STATUS_AFTER: Record<EventKind, Placement['status']> = { checkin: 'inside', outside: 'outside', move: 'moved', checkout: 'left' };

/**
 * Records one event: the outbox entry and the local state change in ONE transaction, awaiting
 * nothing but IndexedDB inside it (an await on anything else would let the transaction commit
 * half-way). The sequence counter lives in the same transaction; a fresh store starts it at the
 * current time in ms, so a tablet whose storage was wiped never reuses a sequence it sent before.
 * Returns whether the person was already inside (shown as 「すでに受付済み」, counted once).
 */
export async function recordLocally(
  db: TabletStore, kind: EventKind, subject: EventSubject, person: Omit<LocalPerson, 'status' | 'since' | 'flags'>, extra: { toShelterId?: string; eventId?: string } = {},
) {
  const tx = db.transaction(['outbox', 'people', 'meta'], 'readwrite');
  const sequence = ((await tx.objectStore('meta').get('sequence')) ?? Date.now()) + 1;
  const occurredAt = new Date().toISOString();
  const { eventId = uuidv7(), ...rest } = extra;
  const event: CheckinEvent = { eventId, sequence, occurredAt, kind, subject, ...rest };
  const before = await tx.objectStore('people').get(person.subject);
  const alreadyHere = kind === 'checkin' && before?.status === 'inside';
  await Promise.all([
    tx.objectStore('meta').put(sequence, 'sequence'),
    tx.objectStore('outbox').add(event),
    tx.objectStore('people').put({ ...person, status: STATUS_AFTER[kind], since: alreadyHere ? before!.since : occurredAt, flags: before?.flags ?? [], pending: sequence }),
    tx.done,
  ]);
  return { event, alreadyHere };
}

/** A new event id (UUIDv7), for an event whose id must be known before it is recorded (the card signs it). */
export const newEventId = () => uuidv7();

/**
 * The platform's view of the shelter (every tablet's events there, and people who moved here or
 * away) becomes the local list, except for people whose latest event from this tablet is still in
 * the outbox: their local entry stays until it is sent. One transaction, IndexedDB only inside it.
 */
export async function mergePlatformView(db: TabletStore, placements: Placement[], householdOf: (personId: string) => string | null): Promise<void> {
  const tx = db.transaction(['people', 'outbox'], 'readwrite');
  const [waiting, local] = await Promise.all([tx.objectStore('outbox').getAllKeys(), tx.objectStore('people').getAll()]);
  const unsent = new Set(waiting);
  const kept = local.filter((p) => p.pending !== undefined && unsent.has(p.pending));
  const keptSubjects = new Set(kept.map((p) => p.subject));
  const fromPlatform: LocalPerson[] = placements.filter((p) => !keptSubjects.has(p.subject)).map((p) => ({
    subject: p.subject, personId: p.personId, name: p.name ?? '', householdId: p.personId ? householdOf(p.personId) : null, status: p.status, since: p.since, flags: p.flags,
  }));
  const people = tx.objectStore('people');
  await people.clear();
  await Promise.all([...[...fromPlatform, ...kept].map((p) => people.put(p)), tx.done]);
}

export const pendingCount = (db: TabletStore) => db.count('outbox');
export const attentionList = (db: TabletStore) => db.getAll('attention');
export const localPeople = (db: TabletStore) => db.getAll('people');
