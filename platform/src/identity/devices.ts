import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db, DbHandle } from '../db/client.js';
import { devices, households, sessions, shelters, type Device } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';
import { appendAudit, type AuditActor } from './audit.js';

/** NOTIFY channel: a device was withdrawn (payload: its id); every process forgets it at once. */
export const DEVICE_WITHDRAWN_CHANNEL = 'device_withdrawn';
/**
 * NOTIFY channel: a TV's test-alert flag changed (payload: its id). The alert channel of every
 * process forgets the TV's cached credential and has it reconnect, so the new setting holds at once.
 */
export const DEVICE_TEST_ALERTS_CHANNEL = 'device_test_alerts';

const hashSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

/**
 * Checks a device credential from `Authorization: Device <device-id>:<secret>`. The secret is
 * compared by its hash in constant time; any failure is the same AUTH_DEVICE_UNKNOWN. Only with
 * the right secret does a withdrawn device learn that it was withdrawn (AUTH_DEVICE_WITHDRAWN), so
 * the TV or tablet can say whom to call.
 */
export async function authenticateDevice(db: Db, header: string | undefined): Promise<Device> {
  const credential = parseDeviceCredential(header);
  const [device] = await db.select().from(devices).where(eq(devices.id, credential.id));
  return checkDeviceSecret(device, credential.secret);
}

/** `Device <device-id>:<secret>` taken apart (the id lower-cased, a well-formed UUID); anything else is AUTH_DEVICE_UNKNOWN. */
export function parseDeviceCredential(header: string | undefined): { id: string; secret: string } {
  const match = /^Device ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):(\S{8,200})$/i.exec(header ?? '');
  if (!match) throw new AppError('AUTH_DEVICE_UNKNOWN', { detail: 'missing or malformed device credential' });
  return { id: match[1]!.toLowerCase(), secret: match[2]! };
}

/**
 * The device row (or none) looked up by a credential's id, checked against its secret: by hash, in
 * constant time. For callers that look many devices up in one statement (the TVs' alert channel).
 */
export function checkDeviceSecret<D extends Pick<Device, 'credentialHash' | 'withdrawnAt'>>(device: D | undefined, secret: string): D {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(device?.credentialHash ?? '00'.repeat(32), 'hex');
  if (!device || stored.length !== presented.length || !timingSafeEqual(stored, presented)) {
    throw new AppError('AUTH_DEVICE_UNKNOWN', { detail: 'unknown device or wrong secret' });
  }
  if (device.withdrawnAt) throw new AppError('AUTH_DEVICE_WITHDRAWN');
  return device;
}

/** The device caches of each database handle, so a withdrawal can reach all of them. */
const cachesByDb = new WeakMap<object, Set<Map<string, { device: Device; until: number }>>>();

/**
 * `authenticateDevice` with a short memory: a TV makes every request with the same credential,
 * and looking the device up each time was a quarter of a login's database round trips. Only
 * successes are remembered (keyed by a hash of the whole header, never the secret itself), for
 * `ttlMs`. A withdrawal empties every cache of this process at once (`forgetDevice`), and those of
 * other processes by NOTIFY (`followDeviceWithdrawals`, which empties them all when its lost LISTEN
 * is back); the TTL is the backstop meanwhile.
 */
export function cachedDeviceAuthenticator(db: Db, ttlMs = 30_000, maxEntries = 10_000): (header: string | undefined) => Promise<Device> {
  const cache = new Map<string, { device: Device; until: number }>();
  let caches = cachesByDb.get(db);
  if (!caches) cachesByDb.set(db, (caches = new Set()));
  caches.add(cache);
  return async (header) => {
    const key = createHash('sha256').update(header ?? '', 'utf8').digest('base64');
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit.device;
    const device = await authenticateDevice(db, header);
    noteSeen(db, device.id);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(key, { device, until: Date.now() + ttlMs });
    return device;
  };
}

/**
 * Records that a device is in use, at most once a minute (the console's "TVs in use now"). Called
 * on a cache miss only, so a busy TV costs one small write per cache lifetime, off the request's
 * path: the request never waits for it, and a failure only makes the figure a minute staler.
 */
function noteSeen(db: Db, deviceId: string): void {
  noteDevicesSeen(db, [deviceId]).then(() => undefined, () => undefined);
}

/** `noteSeen` for many devices in one statement (a burst of TVs connecting to the alert channel). */
export async function noteDevicesSeen(db: Db, deviceIds: string[]): Promise<void> {
  if (!deviceIds.length) return;
  await db.update(devices).set({ lastSeenAt: sql`now()` }).where(and(
    sql`${devices.id} = any(${sql.param(deviceIds)}::uuid[])`,
    or(isNull(devices.lastSeenAt), lt(devices.lastSeenAt, sql`now() - interval '1 minute'`)),
  ));
}

/** Drops a device from every credential cache on this database handle in this process. */
export function forgetDevice(db: Db, deviceId: string): void {
  for (const cache of cachesByDb.get(db) ?? []) {
    for (const [key, entry] of cache) if (entry.device.id === deviceId) cache.delete(key);
  }
}

/** Drops every device from every credential cache on this database handle in this process. */
function forgetAllDevices(db: Db): void {
  for (const cache of cachesByDb.get(db) ?? []) cache.clear();
}

/**
 * Forgets devices that any process withdraws, as soon as it says so; everything it remembers when
 * its LISTEN was lost and is back (the withdrawals notified meanwhile never came). Returns the unlisten.
 */
export function followDeviceWithdrawals(database: Pick<DbHandle, 'db' | 'listen'>): Promise<() => Promise<void>> {
  return database.listen(DEVICE_WITHDRAWN_CHANNEL, (deviceId) => forgetDevice(database.db, deviceId), {
    onResumed: () => forgetAllDevices(database.db),
  });
}

/**
 * Withdraws a device (lost, stolen, replaced): its credential is refused from now on, in every
 * process, and the sessions open on it end. Audited. Withdrawing twice changes nothing.
 */
export async function withdrawDevice(db: Db, deviceId: string, actor: AuditActor): Promise<{ withdrawn: boolean; sessionsEnded: number }> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(deviceId)) {
    throw new AppError('REQ_INVALID', { detail: 'a device id is a UUID' });
  }
  deviceId = deviceId.toLowerCase();
  const result = await db.transaction(async (tx) => {
    const [device] = await tx.update(devices).set({ withdrawnAt: new Date() })
      .where(and(eq(devices.id, deviceId), isNull(devices.withdrawnAt))).returning({ id: devices.id, kind: devices.kind });
    if (!device) {
      const [exists] = await tx.select({ id: devices.id }).from(devices).where(eq(devices.id, deviceId));
      if (!exists) throw new AppError('REQ_NOT_FOUND', { detail: `no device ${deviceId}` });
      // Nothing changes, but the operator's action is still on record.
      await appendAudit(tx, { actor: actor.name, action: 'device.withdrawal-repeated', subject: deviceId, data: { org: actor.organisationId } });
      return { withdrawn: false, sessionsEnded: 0 };
    }
    const ended = await tx.update(sessions).set({ endedAt: new Date() })
      .where(and(eq(sessions.deviceId, deviceId), isNull(sessions.endedAt))).returning({ id: sessions.id });
    await appendAudit(tx, { actor: actor.name, action: 'device.withdrawn', subject: deviceId, data: { org: actor.organisationId, kind: device.kind, sessionsEnded: ended.length } });
    // Delivered at commit, to every process listening (this one included).
    await tx.execute(sql`select pg_notify(${DEVICE_WITHDRAWN_CHANNEL}, ${deviceId})`);
    return { withdrawn: true, sessionsEnded: ended.length };
  });
  forgetDevice(db, deviceId);
  return result;
}

/** Where a new device is bound: a household's TV or a shelter's check-in tablet. */
export type DeviceBinding =
  | { kind: 'tv'; householdContractNo: string }
  | { kind: 'tv'; householdId: string }
  | { kind: 'tablet'; shelterId: string };

/**
 * Provisions a device and returns its credential; the secret is shown once and stored only as a
 * hash. Audited (never the secret or its hash).
 */
export async function provisionDevice(db: Db, binding: DeviceBinding, label: string, actor: AuditActor): Promise<{ id: string; secret: string; credential: string }> {
  const secret = randomBytes(24).toString('base64url');
  let values: typeof devices.$inferInsert;
  if (binding.kind === 'tv') {
    const [household] = await db.select().from(households)
      .where('householdId' in binding ? eq(households.id, binding.householdId) : eq(households.contractNo, binding.householdContractNo));
    if (!household) throw new AppError('REQ_NOT_FOUND', { detail: 'no such household' });
    values = { kind: 'tv', label, householdId: household.id, credentialHash: hashSecret(secret) };
  } else {
    const [shelter] = await db.select().from(shelters).where(eq(shelters.id, binding.shelterId));
    if (!shelter) throw new AppError('REQ_NOT_FOUND', { detail: `no shelter ${binding.shelterId}` });
    values = { kind: 'tablet', label, shelterId: shelter.id, credentialHash: hashSecret(secret) };
  }
  const device = await db.transaction(async (tx) => {
    const [created] = await tx.insert(devices).values(values).returning();
    await appendAudit(tx, {
      actor: actor.name, action: 'device.provisioned', subject: created!.id,
      data: { org: actor.organisationId, kind: created!.kind, household: created!.householdId, shelter: created!.shelterId },
    });
    return created!;
  });
  return { id: device.id, secret, credential: `Device ${device.id}:${secret}` };
}
