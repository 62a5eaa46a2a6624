import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { CanonicalAlert } from './model.js';
import { alerts } from './schema.js';

/**
 * An Update that only extends (issue 13 §3 "extend"): the same message with a later expiry. Residents
 * who were told already are not alarmed again — the TV shows no new overlay and plays no chime,
 * and what a TV had already received, displayed or acknowledged counts for the new message too.
 */

const withoutExpiry = (alert: CanonicalAlert) => JSON.stringify({
  status: alert.status, infos: alert.infos.map(({ expires: _expires, ...rest }) => rest),
});

/** Whether `next` says exactly what `previous` said, apart from when it expires. */
export function onlyExtends(next: CanonicalAlert, previous: CanonicalAlert): boolean {
  return next.msgType === 'Update' && next.infos.length > 0 && withoutExpiry(next) === withoutExpiry(previous);
}

/** Whether the stored message `alertId` is an Update that only extends every message it superseded. */
export async function isExtension(db: Db, alertId: string): Promise<boolean> {
  const [row] = await db.select({ document: alerts.document, msgType: alerts.msgType }).from(alerts).where(eq(alerts.id, alertId));
  if (row?.msgType !== 'Update') return false;
  const replaced = await db.select({ document: alerts.document }).from(alerts).where(and(eq(alerts.supersededBy, alertId), eq(alerts.state, 'superseded')));
  return replaced.length > 0 && replaced.every((r) => onlyExtends(row.document as CanonicalAlert, r.document as CanonicalAlert));
}

/** Copies the replaced messages' receipts to the extension, for the households it targets (its funnel, and a TV resuming later). */
export async function carryOverReceipts(db: Db, alertId: string, replaced: string[]): Promise<void> {
  if (!replaced.length) return;
  await db.execute(sql`
    insert into alert_receipts (alert_id, device_id, household_id, kind, answer, person_id)
    select ${alertId}::uuid, r.device_id, r.household_id, r.kind, r.answer, r.person_id
    from alert_receipts r join alert_targets t on t.alert_id = ${alertId}::uuid and t.household_id = r.household_id
    where r.alert_id in (${sql.join(replaced.map((id) => sql`${id}::uuid`), sql`, `)})
    on conflict do nothing`);
}
