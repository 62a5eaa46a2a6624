import { eq } from 'drizzle-orm';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { devices } from '../../../platform/src/db/schema/index.js';
import { seedDemoWorld } from '../../../platform/src/demo/seed.js';
import { authenticateDevice, cachedDeviceAuthenticator, provisionDevice } from '../../../platform/src/identity/devices.js';
import { freshDatabase } from '../../helpers/database.js';
const TEST_ACTOR = { name: 'operator:test', organisationId: null };

describe('device credentials', async () => {
  const database = await freshDatabase();
  afterAll(() => database.close());
  await seedDemoWorld(database.db);
  const tv = await provisionDevice(database.db, { kind: 'tv', householdContractNo: 'CATV-0001' }, '居間', TEST_ACTOR);

  it('stores only a hash of the secret and authenticates the credential', async () => {
    const [row] = await database.db.select().from(devices).where(eq(devices.id, tv.id));
    expect(row!.credentialHash).not.toContain(tv.secret);
    expect((await authenticateDevice(database.db, tv.credential)).id).toBe(tv.id);
    await expect(authenticateDevice(database.db, `Device ${tv.id}:wrong-secret`)).rejects.toMatchObject({ code: 'AUTH_DEVICE_UNKNOWN' });
    await expect(authenticateDevice(database.db, 'Bearer x')).rejects.toMatchObject({ code: 'AUTH_DEVICE_UNKNOWN' });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('remembers a good credential for a while, never a bad one', async () => {
    // Only the clock is fake: the database keeps its real timers.
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    // A TV of its own: withdrawing it below must not touch the other test's.
    const tv = await provisionDevice(database.db, { kind: 'tv', householdContractNo: 'CATV-0001' }, '寝室', TEST_ACTOR);
    const authenticate = cachedDeviceAuthenticator(database.db, 200);
    expect((await authenticate(tv.credential)).id).toBe(tv.id);
    // Withdrawn in the database: the cached answer stands until the TTL, then the refusal shows.
    await database.db.update(devices).set({ credentialHash: '00'.repeat(32) }).where(eq(devices.id, tv.id));
    expect((await authenticate(tv.credential)).id).toBe(tv.id);
    vi.setSystemTime(start + 199);
    expect((await authenticate(tv.credential)).id).toBe(tv.id);
    vi.setSystemTime(start + 200);
    await expect(authenticate(tv.credential)).rejects.toMatchObject({ code: 'AUTH_DEVICE_UNKNOWN' });
    await expect(authenticate(tv.credential)).rejects.toMatchObject({ code: 'AUTH_DEVICE_UNKNOWN' });
  });
});
