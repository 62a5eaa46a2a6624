import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { devices, households, shelters, type Device } from '../db/schema/index.js';
import { AppError } from '../errors.js';

const hashSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

/**
 * Checks a device credential from `Authorization: Device <device-id>:<secret>`. The secret is
 * compared by its hash in constant time; any failure is the same AUTH_DEVICE_UNKNOWN.
 */
export async function authenticateDevice(db: Db, header: string | undefined): Promise<Device> {
  const match = /^Device ([0-9a-f-]{36}):(\S{8,200})$/i.exec(header ?? '');
  if (!match) throw new AppError('AUTH_DEVICE_UNKNOWN', { detail: 'missing or malformed device credential' });
  const [, id, secret] = match;
  const [device] = await db.select().from(devices).where(eq(devices.id, id!.toLowerCase()));
  const presented = Buffer.from(hashSecret(secret!), 'hex');
  const stored = Buffer.from(device?.credentialHash ?? '00'.repeat(32), 'hex');
  if (!device || stored.length !== presented.length || !timingSafeEqual(stored, presented)) {
    throw new AppError('AUTH_DEVICE_UNKNOWN', { detail: 'unknown device or wrong secret' });
  }
  return device;
}

/**
 * `authenticateDevice` with a short memory: a TV makes every request with the same credential,
 * and looking the device up each time was a quarter of a login's database round trips. Only
 * successes are remembered (keyed by a hash of the whole header, never the secret itself), for
 * `ttlMs`, so a withdrawn credential stops working within that time.
 */
export function cachedDeviceAuthenticator(db: Db, ttlMs = 30_000, maxEntries = 10_000): (header: string | undefined) => Promise<Device> {
  const cache = new Map<string, { device: Device; until: number }>();
  return async (header) => {
    const key = createHash('sha256').update(header ?? '', 'utf8').digest('base64');
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit.device;
    const device = await authenticateDevice(db, header);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(key, { device, until: Date.now() + ttlMs });
    return device;
  };
}

/** Where a new device is bound: a household's TV or a shelter's check-in tablet. */
export type DeviceBinding = { kind: 'tv'; householdContractNo: string } | { kind: 'tablet'; shelterId: string };

/** Provisions a device and returns its credential; the secret is shown once and stored only as a hash. */
export async function provisionDevice(db: Db, binding: DeviceBinding, label: string): Promise<{ id: string; secret: string; credential: string }> {
  const secret = randomBytes(24).toString('base64url');
  let values: typeof devices.$inferInsert;
  if (binding.kind === 'tv') {
    const [household] = await db.select().from(households).where(eq(households.contractNo, binding.householdContractNo));
    if (!household) throw new AppError('REQ_NOT_FOUND', { detail: `no household ${binding.householdContractNo}` });
    values = { kind: 'tv', label, householdId: household.id, credentialHash: hashSecret(secret) };
  } else {
    const [shelter] = await db.select().from(shelters).where(eq(shelters.id, binding.shelterId));
    if (!shelter) throw new AppError('REQ_NOT_FOUND', { detail: `no shelter ${binding.shelterId}` });
    values = { kind: 'tablet', label, shelterId: shelter.id, credentialHash: hashSecret(secret) };
  }
  const [device] = await db.insert(devices).values(values).returning();
  return { id: device!.id, secret, credential: `Device ${device!.id}:${secret}` };
}
