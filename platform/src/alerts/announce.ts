import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';

/**
 * NOTIFY channel: an alert message was stored (payload: its id). Every platform process listens
 * and pushes it to the TVs connected to it (tv-channel.ts): a new Actual alert or an Update to
 * the households it targets, a Cancel (or an Update) as the withdrawal of what it replaced.
 * Sent after the targets are stored, so a listener finds them. The same channel carries
 * `household:<id>` when a household's place or names changed (tv-homes.ts `changedHousehold`).
 */
export const ALERT_STORED_CHANNEL = 'alert_stored';

/**
 * Announces the alert and records it published (`alerts.published_at`), in one statement: both or
 * neither. `announce: false` only records it (an alert with nothing for a TV to do).
 */
export async function publishedAlert(db: Db, alertId: string, { announce }: { announce: boolean }): Promise<void> {
  await db.execute(announce
    // Only the first of two attempts finishing one message at once announces it.
    ? sql`with published as (update alerts set published_at = now() where id = ${alertId} and published_at is null returning id)
          select pg_notify(${ALERT_STORED_CHANNEL}, ${alertId}) from published`
    : sql`update alerts set published_at = now() where id = ${alertId} and published_at is null`);
}
