import { afterAll, describe, expect, it } from 'vitest';
import { usedNonces } from '../../../platform/src/db/schema/index.js';
import { consumeNonce, issueNonce, purgeUsedNonces } from '../../../platform/src/identity/nonces.js';
import { freshDatabase } from '../../helpers/database.js';

const SECRET = 'nonce-test-secret';
const DEVICE = '00000000-0000-4000-8000-000000000101';
const OTHER = '00000000-0000-4000-8000-000000000102';

describe('sealed single-use nonces', async () => {
  const database = await freshDatabase();
  afterAll(() => database.close());
  const { db } = database;

  it('are accepted once for their device and purpose', async () => {
    const { nonce } = issueNonce(SECRET, DEVICE, 'login', 60);
    await consumeNonce(db, SECRET, nonce, DEVICE, 'login');
    await expect(consumeNonce(db, SECRET, nonce, DEVICE, 'login')).rejects.toMatchObject({ code: 'AUTH_NONCE_REPLAYED' });
  });

  it('cannot both pass when used at the same moment', async () => {
    const { nonce } = issueNonce(SECRET, DEVICE, 'login', 60);
    const results = await Promise.allSettled([1, 2, 3].map(() => consumeNonce(db, SECRET, nonce, DEVICE, 'login')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('say precisely why they are refused', async () => {
    const { nonce } = issueNonce(SECRET, DEVICE, 'login', 60);
    await expect(consumeNonce(db, SECRET, nonce, OTHER, 'login')).rejects.toMatchObject({ code: 'AUTH_NONCE_WRONG_DEVICE' });
    await expect(consumeNonce(db, SECRET, nonce, DEVICE, 'register')).rejects.toMatchObject({ code: 'AUTH_NONCE_WRONG_PURPOSE' });
    await expect(consumeNonce(db, 'another-secret', nonce, DEVICE, 'login')).rejects.toMatchObject({ code: 'AUTH_NONCE_INVALID' });
    await expect(consumeNonce(db, SECRET, nonce.replace(DEVICE, OTHER), OTHER, 'login')).rejects.toMatchObject({ code: 'AUTH_NONCE_INVALID' });
    await expect(consumeNonce(db, SECRET, 'garbage', DEVICE, 'login')).rejects.toMatchObject({ code: 'AUTH_NONCE_INVALID' });
    const expired = issueNonce(SECRET, DEVICE, 'login', -1).nonce;
    await expect(consumeNonce(db, SECRET, expired, DEVICE, 'login')).rejects.toMatchObject({ code: 'AUTH_NONCE_EXPIRED' });
    // None of the refusals used the nonce up.
    await consumeNonce(db, SECRET, nonce, DEVICE, 'login');
  });

  it('are forgotten once expired', async () => {
    await db.insert(usedNonces).values({ mac: 'x'.repeat(43), expiresAt: new Date(Date.now() - 1000) });
    const before = (await db.select().from(usedNonces)).length;
    await purgeUsedNonces(db, new Date());
    expect((await db.select().from(usedNonces)).length).toBe(before - 1);
  });
});
