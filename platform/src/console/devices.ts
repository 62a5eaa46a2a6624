import { and, asc, eq, ilike, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { devices, households } from '../db/schema/index.js';
import { DEVICE_TEST_ALERTS_CHANNEL, provisionDevice, withdrawDevice } from '../identity/devices.js';
import { appendAudit } from '../identity/audit.js';
import { AppError } from '../shared/errors.js';
import type { StaffContext } from '../staff/staff-login.js';
import { ONLINE_WINDOW_MINUTES } from './dashboard.js';

export interface DeviceFilter {
  status?: 'active' | 'withdrawn' | undefined;
  /** Part of a label or a household contract number. */
  q?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

/** A cable operator's TVs (its households'), newest first, filtered; the secret is never shown again. */
export async function listDevices(db: Db, context: StaffContext, filter: DeviceFilter) {
  const where: (SQL | undefined)[] = [eq(households.operatorId, context.organisation.id)];
  if (filter.status === 'active') where.push(isNull(devices.withdrawnAt));
  if (filter.status === 'withdrawn') where.push(isNotNull(devices.withdrawnAt));
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(or(ilike(devices.label, like), ilike(households.contractNo, like)));
  }
  const found = await db
    .select({
      id: devices.id, kind: devices.kind, label: devices.label, contractNo: households.contractNo, household: households.label,
      createdAt: devices.createdAt, withdrawnAt: devices.withdrawnAt, lastSeenAt: devices.lastSeenAt, testAlerts: devices.testAlerts,
      total: sql<number>`count(*) over ()`.mapWith(Number),
    })
    .from(devices)
    .innerJoin(households, eq(households.id, devices.householdId))
    .where(and(...where))
    .orderBy(asc(households.contractNo), asc(devices.createdAt))
    .limit(filter.limit ?? 50)
    .offset(filter.offset ?? 0);
  const onlineSince = Date.now() - ONLINE_WINDOW_MINUTES * 60_000;
  return {
    total: found[0]?.total ?? 0,
    devices: found.map(({ total: _t, createdAt, withdrawnAt, lastSeenAt, ...d }) => ({
      ...d,
      createdAt: createdAt.toISOString(),
      withdrawnAt: withdrawnAt?.toISOString() ?? null,
      lastSeenAt: lastSeenAt?.toISOString() ?? null,
      online: !withdrawnAt && !!lastSeenAt && lastSeenAt.getTime() > onlineSince,
    })),
  };
}

/** The operator that owns a device (through its household), or REQ_NOT_FOUND. */
async function ownerOf(db: Db, deviceId: string): Promise<string | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(deviceId)) throw new AppError('REQ_INVALID', { detail: 'a device id is a UUID' });
  const [row] = await db.select({ operatorId: households.operatorId }).from(devices)
    .leftJoin(households, eq(households.id, devices.householdId)).where(eq(devices.id, deviceId.toLowerCase()));
  if (!row) throw new AppError('REQ_NOT_FOUND', { detail: `no device ${deviceId}` });
  return row.operatorId;
}

/** A new TV for one of the operator's own households; the credential is returned once. */
export async function provisionTv(db: Db, context: StaffContext, input: { contractNo: string; label: string }) {
  const [household] = await db.select({ id: households.id }).from(households)
    .where(and(eq(households.operatorId, context.organisation.id), eq(households.contractNo, input.contractNo)));
  if (!household) throw new AppError('REQ_NOT_FOUND', { detail: `no household ${input.contractNo} of this operator` });
  return provisionDevice(db, { kind: 'tv', householdId: household.id }, input.label, actorOf(context));
}

/** Withdraws one of the operator's own TVs (lost, stolen, replaced). */
export async function withdrawTv(db: Db, context: StaffContext, deviceId: string) {
  if ((await ownerOf(db, deviceId)) !== context.organisation.id) throw new AppError('STAFF_OUT_OF_SCOPE');
  return withdrawDevice(db, deviceId.toLowerCase(), actorOf(context));
}

/** How a staff member appears in the audit log. */
export function actorOf(context: StaffContext) {
  return { name: `staff:${context.staff.id}`, organisationId: context.organisation.id };
}

/** Flags one of the operator's own TVs for test alerts, or takes the flag off (issue 13 §1). Audited. */
export async function setTestAlerts(db: Db, context: StaffContext, deviceId: string, testAlerts: boolean) {
  if ((await ownerOf(db, deviceId)) !== context.organisation.id) throw new AppError('STAFF_OUT_OF_SCOPE');
  const id = deviceId.toLowerCase();
  return db.transaction(async (tx) => {
    await tx.update(devices).set({ testAlerts }).where(eq(devices.id, id));
    const actor = actorOf(context);
    await appendAudit(tx, { actor: actor.name, action: 'device.test_alerts', subject: id, data: { org: actor.organisationId, testAlerts } });
    await tx.execute(sql`select pg_notify(${DEVICE_TEST_ALERTS_CHANNEL}, ${id})`);
    return { id, testAlerts };
  });
}
