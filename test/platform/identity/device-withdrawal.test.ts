import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, devices, persons, sessions } from '../../../platform/src/db/schema/index.js';
import { verifyAuditChain, type AuditActor } from '../../../platform/src/identity/audit.js';
const TEST_ACTOR: AuditActor = { name: 'operator:test', organisationId: null };
import { DEVICE_WITHDRAWN_CHANNEL, followDeviceWithdrawals, provisionDevice, withdrawDevice } from '../../../platform/src/identity/devices.js';
import { newSessionToken } from '../../../platform/src/identity/sessions.js';
import { buildTestApp } from '../../helpers/app.js';

const t = await buildTestApp({}, { demo: true });
const { app, database } = t;
const { db } = database;

/** A new TV in a demo household, with a person's session open on it. */
async function tvWithSession() {
  const tv = await provisionDevice(db, { kind: 'tv', householdContractNo: 'CATV-0001' }, 'test TV', TEST_ACTOR);
  const [person] = await db.insert(persons).values({ name: '試験　花子' }).returning();
  const token = newSessionToken(600);
  await db.insert(sessions).values({ tokenHash: token.tokenHash, personId: person!.id, deviceId: tv.id, assurance: 'high', expiresAt: token.expiresAt });
  return { tv, token: token.token };
}

const askNonce = (credential: string) =>
  app.inject({ method: 'POST', url: '/api/v1/nonces', headers: { authorization: credential }, payload: { purpose: 'login' } });

describe('withdrawing a device', () => {
  it('refuses its credential at once, even though it was just used, and ends its sessions', async () => {
    const { tv, token } = await tvWithSession();
    expect((await askNonce(tv.credential)).statusCode).toBe(201); // now in the credential cache

    expect(await withdrawDevice(db, tv.id, TEST_ACTOR)).toEqual({ withdrawn: true, sessionsEnded: 1 });

    const refused = await askNonce(tv.credential);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('AUTH_DEVICE_WITHDRAWN');
    expect(refused.json().error.ja).toContain('お問い合わせください');
    const session = await app.inject({ method: 'GET', url: '/api/v1/sessions/current', headers: { authorization: `Bearer ${token}`, 'x-device': tv.credential.slice(7) } });
    expect(session.json().error.code).toBe('AUTH_DEVICE_WITHDRAWN');
    const [row] = await db.select().from(sessions).where(eq(sessions.deviceId, tv.id));
    expect(row!.endedAt).not.toBeNull();
  });

  it('tells a wrong secret nothing about the withdrawal', async () => {
    const { tv } = await tvWithSession();
    await withdrawDevice(db, tv.id, TEST_ACTOR);
    const res = await askNonce(`Device ${tv.id}:not-the-secret`);
    expect(res.json().error.code).toBe('AUTH_DEVICE_UNKNOWN');
  });

  it('reaches other processes by NOTIFY: their cached credential is dropped when the notification arrives', async () => {
    const { tv } = await tvWithSession();
    // The process's listener, told to us once it has handled this device's notification.
    let handled!: () => void;
    const forgotten = new Promise<void>((resolve) => (handled = resolve));
    const unlisten = await followDeviceWithdrawals({
      db,
      listen: (channel, onPayload) => database.listen(channel, (payload) => {
        onPayload(payload);
        if (payload === tv.id) handled();
      }),
    });
    try {
      expect((await askNonce(tv.credential)).statusCode).toBe(201);
      // Another process withdrew it: the row changes and the notification comes, but nothing in
      // this process called forgetDevice.
      await db.update(devices).set({ withdrawnAt: new Date() }).where(eq(devices.id, tv.id));
      expect((await askNonce(tv.credential)).statusCode).toBe(201); // still cached: this is what the NOTIFY fixes
      await db.execute(sql`select pg_notify(${DEVICE_WITHDRAWN_CHANNEL}, ${tv.id})`);
      await forgotten;
      expect((await askNonce(tv.credential)).json().error?.code).toBe('AUTH_DEVICE_WITHDRAWN');
    } finally {
      await unlisten();
    }
  });

  it('forgets every cached credential once a lost LISTEN is back: a withdrawal notified meanwhile never came', async () => {
    const { tv } = await tvWithSession();
    // The process's listener; the loss is played (db/client.ts calls onResumed once it listens again).
    let resumed: (() => void) | undefined;
    const unlisten = await followDeviceWithdrawals({
      db,
      listen: (channel, onPayload, options) => {
        resumed = options?.onResumed;
        return database.listen(channel, onPayload);
      },
    });
    try {
      expect((await askNonce(tv.credential)).statusCode).toBe(201);
      // Withdrawn while this process was deaf: the row changed, the notification is lost.
      await db.update(devices).set({ withdrawnAt: new Date() }).where(eq(devices.id, tv.id));
      expect((await askNonce(tv.credential)).statusCode).toBe(201);
      expect(resumed).toBeTypeOf('function');
      resumed!();
      expect((await askNonce(tv.credential)).json().error?.code).toBe('AUTH_DEVICE_WITHDRAWN');
    } finally {
      await unlisten();
    }
  });

  it('is audited, changes nothing the second time, and refuses unknown or malformed ids', async () => {
    const { tv } = await tvWithSession();
    await withdrawDevice(db, tv.id, TEST_ACTOR);
    expect(await withdrawDevice(db, tv.id, TEST_ACTOR)).toEqual({ withdrawn: false, sessionsEnded: 0 });
    const entries = await db.select().from(auditLog).where(eq(auditLog.subject, tv.id)).orderBy(auditLog.seq);
    expect(entries.map((e) => [e.action, e.actor, e.data])).toEqual([
      ['device.provisioned', 'operator:test', { org: null, kind: 'tv', household: expect.any(String), shelter: null }],
      ['device.withdrawn', 'operator:test', { org: null, kind: 'tv', sessionsEnded: 1 }],
      ['device.withdrawal-repeated', 'operator:test', { org: null }],
    ]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
    await expect(withdrawDevice(db, '00000000-0000-4000-8000-00000000ffff', TEST_ACTOR)).rejects.toMatchObject({ code: 'REQ_NOT_FOUND' });
    await expect(withdrawDevice(db, 'not-a-uuid', TEST_ACTOR)).rejects.toMatchObject({ code: 'REQ_INVALID' });
  });
});
