import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { devices } from '../db/schema/households.js';
import { AppError } from '../shared/errors.js';
import { alertReceipts, alertTargets } from './schema.js';

/**
 * One receipt written as a TV would (operator command `record-alert-receipt`): for demonstrating
 * the console's funnel, and for browser tests, without a TV on a live connection. Only a TV of a
 * household the alert targets; the same (alert, TV, kind) again changes nothing.
 */
export async function recordReceipt(db: Db, input: { alertId: string; deviceId: string; kind: 'delivered' | 'displayed' | 'acknowledged'; answer?: 'evacuated' | 'safe_at_home' | undefined }) {
  const [target] = await db.select({ householdId: alertTargets.householdId }).from(alertTargets)
    .innerJoin(devices, and(eq(devices.householdId, alertTargets.householdId), eq(devices.kind, 'tv')))
    .where(and(eq(alertTargets.alertId, input.alertId), eq(devices.id, input.deviceId)));
  if (!target) throw new AppError('REQ_NOT_FOUND', { detail: 'no TV of a household this alert targets' });
  const inserted = await db.insert(alertReceipts).values({
    alertId: input.alertId, deviceId: input.deviceId, householdId: target.householdId, kind: input.kind, answer: input.answer ?? null,
  }).onConflictDoNothing().returning({ kind: alertReceipts.kind });
  return { recorded: inserted.length === 1 };
}
