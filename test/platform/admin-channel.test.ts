import { mkdtempSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { adminSocketPath, sendOperatorCommand, startAdminChannel } from '../../platform/src/admin/channel.js';
import { seedDemoWorld } from '../../platform/src/demo/seed.js';
import { authenticateDevice } from '../../platform/src/identity/devices.js';
import { freshDatabase } from '../helpers/database.js';

const database = await freshDatabase();
await seedDemoWorld(database.db);
const dataDir = mkdtempSync(join(tmpdir(), 'admin-channel-'));
const noIdentity = async () => {
  throw new Error('not needed by these commands');
};
const channel = await startAdminChannel(dataDir, { db: database.db, identity: noIdentity, audit: { auditCheckpointDir: join(dataDir, 'audit'), auditSigningKeyFile: join(dataDir, 'audit', 'signing-key.pem') }, inviteTtlSeconds: 3600 }, pino({ level: 'silent' }));
afterAll(async () => {
  await channel.close();
  await database.close();
});

/** A raw request on the socket, as a local program other than the CLI could send it. */
function raw(method: string, path: string, body?: string): Promise<{ status: number; json: { error?: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: adminSocketPath(dataDir), method, path }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the admin channel', () => {
  it('is a socket only its user can connect to', () => {
    expect(statSync(adminSocketPath(dataDir)).mode & 0o777).toBe(0o600);
  });

  it('runs the operator commands: a provisioned TV authenticates, and its withdrawal is refused after', async () => {
    const provisioned = await sendOperatorCommand(dataDir, { command: 'provision-device', binding: { kind: 'tv', householdContractNo: 'CATV-0001' }, label: 'テレビ' });
    const tv = provisioned.result as { id: string; credential: string };
    expect((await authenticateDevice(database.db, tv.credential)).id).toBe(tv.id);
    expect(await sendOperatorCommand(dataDir, { command: 'withdraw-device', deviceId: tv.id })).toEqual({ result: { withdrawn: true, sessionsEnded: 0 }, warnings: [], exitCode: 0 });
    await expect(authenticateDevice(database.db, tv.credential)).rejects.toMatchObject({ code: 'AUTH_DEVICE_WITHDRAWN' });
    expect(await sendOperatorCommand(dataDir, { command: 'verify-audit' })).toMatchObject({ result: { ok: true }, exitCode: 0 });
  });

  it('brings the command’s own error back with its detail, as the CLI would print it', async () => {
    await expect(sendOperatorCommand(dataDir, { command: 'withdraw-device', deviceId: '00000000-0000-4000-8000-00000000ffff' }))
      .rejects.toMatchObject({ code: 'REQ_NOT_FOUND', detail: 'no device 00000000-0000-4000-8000-00000000ffff' });
    await expect(sendOperatorCommand(dataDir, { command: 'provision-device', binding: { kind: 'tv', householdContractNo: 'CATV-9999' }, label: 'x' }))
      .rejects.toMatchObject({ code: 'REQ_NOT_FOUND' });
  });

  it('answers malformed requests with a coded 4xx, never a 500', async () => {
    expect(await raw('POST', '/v1/commands', 'not json')).toMatchObject({ status: 400, json: { error: { code: 'REQ_INVALID' } } });
    expect(await raw('POST', '/v1/commands', JSON.stringify({ command: 'provision-device', binding: { kind: 'tv' } }))).toMatchObject({ status: 400, json: { error: { code: 'REQ_INVALID' } } });
    expect(await raw('POST', '/v1/commands', JSON.stringify({ command: 'drop-database' }))).toMatchObject({ status: 400, json: { error: { code: 'REQ_INVALID' } } });
    expect(await raw('POST', '/v1/commands', 'null')).toMatchObject({ status: 400, json: { error: { code: 'REQ_INVALID' } } });
    expect(await raw('POST', '/v1/commands', JSON.stringify({ command: 'ingest-linkage', linkage: { renewals: [{}] } }))).toMatchObject({ status: 400, json: { error: { code: 'REQ_INVALID' } } });
    expect(await raw('POST', '/v1/commands', JSON.stringify({ command: 'withdraw-device', deviceId: 42 }))).toMatchObject({ status: 400, json: { error: { code: 'REQ_INVALID' } } });
    expect(await raw('GET', '/v1/commands')).toMatchObject({ status: 404, json: { error: { code: 'REQ_NOT_FOUND' } } });
  });
});
