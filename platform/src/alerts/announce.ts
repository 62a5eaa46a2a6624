import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';

/**
 * NOTIFY channel: an alert message was stored (payload: its id). Every platform process listens
 * and pushes it to the TVs connected to it (tv-channel.ts): a new Actual alert or an Update to
 * the households it targets, a Cancel (or an Update) as the withdrawal of what it replaced.
 * Sent after the targets are stored, so a listener finds them.
 */
export const ALERT_STORED_CHANNEL = 'alert_stored';

/**
 * NOTIFY channel: one chunk of a new alert's targets is stored (payload `<alert id> <after> <last>`:
 * the households with ids in (after, last], `after` empty for the first chunk). Sent only for an
 * Alert that replaces nothing (an Update or extension goes out whole on `alert_stored`), so each
 * process can push to the TVs of those households while the rest of the town is still targeted;
 * `alert_stored` follows for whoever is left. Inside a transaction (the console's publishing)
 * PostgreSQL delivers these at commit, and never when it rolls back, like `alert_stored`.
 */
export const ALERT_TARGETED_CHANNEL = 'alert_targeted';
// Sent by the statement that stores the chunk (targeting.ts: `targetAlert` with `announce`).

export interface TargetedChunk {
  alertId: string;
  after: string | null;
  last: string;
}

export function parseTargetedChunk(payload: string): TargetedChunk | null {
  const [alertId, after, last] = payload.split(' ');
  return alertId && last ? { alertId, after: after || null, last } : null;
}

export async function announceAlert(db: Db, alertId: string): Promise<void> {
  await db.execute(sql`select pg_notify(${ALERT_STORED_CHANNEL}, ${alertId})`);
}
