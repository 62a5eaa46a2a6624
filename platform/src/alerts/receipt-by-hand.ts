import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { devices } from '../db/schema/households.js';
import { AppError } from '../shared/errors.js';
import { alertReceipts, alerts, alertTargets } from './schema.js';

/**
 * One receipt written as a TV would (operator command `record-alert-receipt`): for demonstrating
 * the console's funnel, and for browser tests, without a TV on a live connection. Only a TV of a
 * household the alert targets, and for a Test or Exercise alert only a TV flagged for test alerts
 * (as the live path: such a TV is never sent one, receipts.ts drops its receipt); the same
 * (alert, TV, kind) again changes nothing.
 */
export async function recordReceipt(db: Db, input: { alertId: string; deviceId: string; kind: 'delivered' | 'displayed' | 'acknowledged'; answer?: 'evacuated' | 'safe_at_home' | undefined }) {
  const [target] = await db.select({ householdId: alertTargets.householdId, status: alerts.status, testAlerts: devices.testAlerts }).from(alertTargets)
    .innerJoin(devices, and(eq(devices.householdId, alertTargets.householdId), eq(devices.kind, 'tv')))
    .innerJoin(alerts, eq(alerts.id, alertTargets.alertId))
    .where(and(eq(alertTargets.alertId, input.alertId), eq(devices.id, input.deviceId)));
  if (!target) throw new AppError('REQ_NOT_FOUND', { detail: 'no TV of a household this alert targets' });
  if (target.status !== 'Actual' && !target.testAlerts) {
    throw new AppError('REQ_NOT_FOUND', { detail: `a ${target.status} alert is never sent to a TV not flagged for test alerts` });
  }
  const inserted = await db.insert(alertReceipts).values({
    alertId: input.alertId, deviceId: input.deviceId, householdId: target.householdId, kind: input.kind, answer: input.answer ?? null,
  }).onConflictDoNothing().returning({ kind: alertReceipts.kind });
  return { recorded: inserted.length === 1 };
}
