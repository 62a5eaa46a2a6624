import { sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import { AppError } from '../shared/errors.js';
import { shelterTabletHealth } from './schema.js';
import type { TabletCaller } from './tablet-auth.js';

/**
 * NOTIFY channel: something a municipality's shelter overview shows changed — a batch of check-in
 * events was stored, or a tablet reported its outbox (payload: the municipality's id). The
 * console's live channel in every process recomputes that municipality's overview and pushes it.
 */
export const SHELTER_CHANGED_CHANNEL = 'shelter_changed';

export async function announceShelterChange(db: Pick<Db, 'execute'>, municipalityId: string): Promise<void> {
  await db.execute(sql`select pg_notify(${SHELTER_CHANGED_CHANNEL}, ${municipalityId})`);
}

/** The header a tablet reports its outbox with: events it still holds besides those in this request. */
export const WAITING_HEADER = 'x-outbox-waiting';

/** The tablet's report, if it made one; anything but a plain count is REQ_INVALID (never stored). */
export function waitingReported(request: FastifyRequest): number | null {
  const raw = request.headers[WAITING_HEADER];
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw)) throw new AppError('REQ_INVALID', { detail: `${WAITING_HEADER} must be a count of events` });
  return Number(raw);
}

/**
 * Keeps the tablet's latest outbox reading (overwritten: a reading, not a record) and tells the
 * consoles when it reported or when its upload stored events. Called after the request's own work.
 */
export async function reportHealth(db: Db, caller: TabletCaller, waiting: number | null, eventsStored = false): Promise<void> {
  if (waiting !== null) {
    await db.insert(shelterTabletHealth).values({ deviceId: caller.device.id, waiting })
      .onConflictDoUpdate({ target: shelterTabletHealth.deviceId, set: { waiting, reportedAt: sql`now()` } });
  }
  if (waiting !== null || eventsStored) await announceShelterChange(db, caller.shelter.municipalityId);
}
